/*
 * NAME
 *	mail_received - the Received: header field that our server prepends
 * DESCRIPTION
 *	See mail_received.h. Everything that goes into the field passes
 *	through mail_received_clean(), so that no peer-supplied byte can end
 *	the field, start another one, or break out of a comment.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "mail_header.h"
#include "mail_received.h"

#define MAIL_RECEIVED_WORD_MAX	255	/* longest peer-supplied word kept */

#define CLEAN_WORD	0		/* no spaces, ( ) \\ ; */
#define CLEAN_COMMENT	1		/* spaces; no ( ) \\ ; */
#define CLEAN_PHRASE	2		/* spaces */

/*
 * mail_received_clean - append text with every byte outside printable
 * ASCII replaced by '?'; also a space in a word, and '(' ')' '\\' ';' in
 * a word or a comment, so that a peer's text can neither end a comment
 * nor pass for the ";" before the date.
 */

static void
mail_received_clean(struct buf *bp, const char *text, int mode)
{
	size_t	i;

	for (i = 0; text[i] != 0 && i < MAIL_RECEIVED_WORD_MAX; i++) {
		unsigned char ch = (unsigned char) text[i];

		if (ch < 0x20 || ch > 0x7e
		    || (ch == ' ' && mode == CLEAN_WORD)
		    || (mode != CLEAN_PHRASE && (ch == '(' || ch == ')'
		    || ch == '\\' || ch == ';')))
			ch = '?';
		buf_putc(bp, ch);
	}
}

/* mail_received_word - add prefix + cleaned text + suffix as one word */

static void
mail_received_word(struct mail_header_fold *fp, const char *prefix,
    const char *text, int mode, const char *suffix)
{
	struct buf w;

	buf_init(&w, 64);
	buf_puts(&w, prefix);
	if (text)
		mail_received_clean(&w, text, mode);
	buf_puts(&w, suffix);
	mail_header_fold_word(fp, buf_cstr(&w));
	buf_fini(&w);
}

/* mail_received_format - append the folded Received: field */

void
mail_received_format(const struct mail_received *rp, struct buf *out)
{
	struct mail_header_fold f;
	struct buf w;
	const char *addr = rp->client_addr ? rp->client_addr : "unknown";
	char	proto[8];
	int	tls = rp->tls_version != NULL;

	mail_header_fold_init(&f, out, "Received");
	mail_received_word(&f, "from ", rp->helo ? rp->helo : "unknown",
	    CLEAN_WORD, "");

	/* "(name [addr])", an IPv6 address as an address literal. */
	buf_init(&w, 64);
	buf_putc(&w, '(');
	mail_received_clean(&w, rp->client_name ? rp->client_name : "unknown",
	    CLEAN_COMMENT);
	buf_puts(&w, strchr(addr, ':') ? " [IPv6:" : " [");
	mail_received_clean(&w, addr, CLEAN_COMMENT);
	buf_puts(&w, "])");
	mail_header_fold_word(&f, buf_cstr(&w));
	buf_fini(&w);

	/* The TLS comment is one word: it reads badly when broken. */
	if (tls) {
		buf_init(&w, 96);
		buf_puts(&w, "(using ");
		mail_received_clean(&w, rp->tls_version, CLEAN_COMMENT);
		buf_puts(&w, " with cipher ");
		mail_received_clean(&w, rp->tls_cipher ? rp->tls_cipher
		    : "unknown", CLEAN_COMMENT);
		if (rp->tls_bits > 0)
			buf_printf(&w, " (%d bits)", rp->tls_bits);
		buf_putc(&w, ')');
		mail_header_fold_word(&f, buf_cstr(&w));
		buf_fini(&w);
	}
	mail_received_word(&f, "by ", rp->by_host ? rp->by_host : "localhost",
	    CLEAN_WORD, "");

	/* RFC 3848 protocol names. */
	if (!rp->esmtp && !tls && !rp->authenticated) {
		memcpy(proto, "SMTP", 5);
	} else {
		size_t	n = 5;

		memcpy(proto, "ESMTP", n);
		if (tls)
			proto[n++] = 'S';
		if (rp->authenticated)
			proto[n++] = 'A';
		proto[n] = 0;
	}
	mail_received_word(&f, "with ", proto, CLEAN_WORD,
	    rp->id || rp->rcpt ? "" : ";");
	if (rp->id)
		mail_received_word(&f, "id ", rp->id, CLEAN_WORD,
		    rp->rcpt ? "" : ";");
	if (rp->rcpt)
		mail_received_word(&f, "for ", rp->rcpt, CLEAN_PHRASE, ";");

	buf_init(&w, 40);
	if (rp->tm)
		mail_header_date_tm(rp->tm, rp->gmtoff, &w);
	else
		mail_header_date(rp->when, &w);
	mail_header_fold_word(&f, buf_cstr(&w));
	buf_fini(&w);
	mail_header_fold_end(&f);
}
