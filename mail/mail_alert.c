/*
 * NAME
 *	mail_alert - AsyncOS-style alert messages for the operator
 * DESCRIPTION
 *	See mail_alert.h. Header values pass through mail_alert_clean(), so
 *	that a domain or text from the configuration or a peer can neither
 *	end a field nor start another; the body is wrapped by
 *	mail_dsn_wrap(), which keeps every line within 998 octets.
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "msg.h"
#include "mail_header.h"
#include "mail_dsn.h"
#include "mail_alert.h"

#define MAIL_ALERT_FIELD_MAX	900	/* longest value kept in a field */
#define MAIL_ALERT_WORD_MAX	900	/* longer words are split */
#define MAIL_ALERT_DOMAIN_MAX	255	/* RFC 1035 */

/* mail_alert_severity_name - the AsyncOS word for a severity */

const char *
mail_alert_severity_name(enum mail_alert_severity s)
{
	switch (s) {
	case MAIL_ALERT_CRITICAL:
		return ("Critical");
	case MAIL_ALERT_WARNING:
		return ("Warning");
	case MAIL_ALERT_INFO:
		return ("Info");
	}
	msg_panic("mail_alert_severity_name: bad severity %d", (int) s);
}

/* mail_alert_clean - append text as printable ASCII, cut at max octets */

static void
mail_alert_clean(struct buf *bp, const char *text, size_t max)
{
	size_t	i;

	for (i = 0; text[i] != 0 && i < max; i++) {
		unsigned char ch = (unsigned char) text[i];

		buf_putc(bp, ch < 0x20 || ch >= 0x7f ? '?' : ch);
	}
}

/* mail_alert_fold_text - add the words of text, splitting long ones */

static void
mail_alert_fold_text(struct mail_header_fold *fp, const char *text)
{
	struct buf clean, w;
	const char *p, *e;

	buf_init(&clean, 256);
	buf_init(&w, 128);
	mail_alert_clean(&clean, text, MAIL_ALERT_FIELD_MAX);
	for (p = buf_cstr(&clean); *p;) {
		while (*p == ' ')
			p++;
		for (e = p; *e && *e != ' '; e++)
			 /* void */ ;
		while (p < e) {
			size_t	n = (size_t) (e - p);

			if (n > MAIL_ALERT_WORD_MAX)
				n = MAIL_ALERT_WORD_MAX;
			buf_reset(&w);
			buf_append(&w, p, n);
			mail_header_fold_word(fp, buf_cstr(&w));
			p += n;
		}
	}
	buf_fini(&w);
	buf_fini(&clean);
}

/* mail_alert_has_8bit - does text hold an 8-bit octet? */

static int
mail_alert_has_8bit(const char *text)
{
	for (; *text; text++)
		if ((unsigned char) *text > 0x7f)
			return (1);
	return (0);
}

/* mail_alert_compose - append the complete alert message */

void
mail_alert_compose(const struct mail_alert *a, struct buf *out)
{
	struct mail_header_fold f;
	struct buf w;
	const char *text = a->text ? a->text : "";
	size_t	i, j;

	if (a->hostname == NULL || a->from == NULL || a->to == NULL
	    || a->nto == 0)
		msg_panic("mail_alert_compose: no hostname, sender or "
		    "recipient");

	buf_puts(out, "From: ");
	mail_alert_clean(out, a->from, MAIL_ALERT_FIELD_MAX);
	buf_puts(out, "\r\n");

	buf_init(&w, 128);
	mail_header_fold_init(&f, out, "To");
	for (i = 0; i < a->nto; i++) {
		if (a->to[i] == NULL)
			msg_panic("mail_alert_compose: recipient %zu is "
			    "NULL", i);
		buf_reset(&w);
		mail_alert_clean(&w, a->to[i], MAIL_ALERT_FIELD_MAX);
		/* An address is one word: a space in it would be folded. */
		for (j = 0; j < w.len; j++)
			if (w.data[j] == ' ')
				w.data[j] = '?';
		if (i + 1 < a->nto)
			buf_putc(&w, ',');
		mail_header_fold_word(&f, buf_cstr(&w));
	}
	mail_header_fold_end(&f);

	buf_puts(out, "Date: ");
	mail_header_date(a->now, out);
	buf_printf(out, "\r\nMessage-ID: <alert.%llu.%lld.%ld@", a->serial,
	    (long long) a->now, (long) getpid());
	mail_alert_clean(out, a->hostname, MAIL_ALERT_FIELD_MAX);
	buf_puts(out, ">\r\n");

	/* Subject: Severity-hostname: (Class) short message */
	buf_reset(&w);
	buf_printf(&w, "%s-", mail_alert_severity_name(a->severity));
	mail_alert_clean(&w, a->hostname, MAIL_ALERT_FIELD_MAX);
	buf_puts(&w, ": (");
	mail_alert_clean(&w, a->class ? a->class : "System",
	    MAIL_ALERT_FIELD_MAX);
	buf_puts(&w, ") ");
	if (a->summary)
		buf_puts(&w, a->summary);
	mail_header_fold_init(&f, out, "Subject");
	mail_alert_fold_text(&f, buf_cstr(&w));
	mail_header_fold_end(&f);
	buf_fini(&w);

	buf_puts(out, "Auto-Submitted: auto-generated\r\n");
	buf_puts(out, "MIME-Version: 1.0\r\n");
	if (mail_alert_has_8bit(text))
		buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n");
	else
		buf_puts(out, "Content-Type: text/plain; charset=us-ascii\r\n");
	buf_puts(out, "\r\n");

	/* Body: the text, then the trailer that AsyncOS alerts carry. */
	mail_dsn_wrap(out, text, NULL);
	buf_puts(out, "\r\n");
	buf_puts(out, "Version: " PACKAGE_VERSION "\r\n");
	buf_puts(out, "Hostname: ");
	mail_alert_clean(out, a->hostname, MAIL_ALERT_FIELD_MAX);
	buf_puts(out, "\r\nTimestamp: ");
	mail_header_date(a->now, out);
	buf_puts(out, "\r\n");
}

/* mail_alert_tls_required - fill the alert for a required-TLS failure */

void
mail_alert_tls_required(struct mail_alert *a, const char *domain,
    struct buf *summary, struct buf *text)
{
	struct buf dom;
	size_t	i;

	buf_init(&dom, 64);
	mail_alert_clean(&dom, domain ? domain : "", MAIL_ALERT_DOMAIN_MAX);
	for (i = 0; i < dom.len; i++)
		if (dom.data[i] == ' ')
			dom.data[i] = '?';

	buf_reset(summary);
	buf_printf(summary, "TLS was required for delivery to %s but could "
	    "not be successfully negotiated", buf_cstr(&dom));
	buf_reset(text);
	buf_printf(text, "TLS was required for delivery to %s but could not "
	    "be successfully negotiated.\n\n"
	    "The TLS policy for the domain %s requires TLS, and the TLS "
	    "negotiation with its mail servers failed, so no message was "
	    "sent to it in the clear. The messages stay in the delivery "
	    "queue and are retried; those that are still undelivered when "
	    "their time in the queue runs out are bounced.\n\n"
	    "For the messages affected, see the mail log (its \"TLS "
	    "failed\" lines).", buf_cstr(&dom),
	    buf_cstr(&dom));
	buf_fini(&dom);

	a->severity = MAIL_ALERT_WARNING;
	a->class = "System";
	a->summary = buf_cstr(summary);
	a->text = buf_cstr(text);
}
