/*
 * NAME
 *	mail_dsn - RFC 3464 delivery status notifications (bounces)
 * DESCRIPTION
 *	See mail_dsn.h. The three body parts are built in buffers of their
 *	own first, so that the boundary can be checked against all of them
 *	before the header that names it is written; out is only appended to
 *	once everything has succeeded.
 *
 *	Every byte that comes from outside goes through mail_dsn_clean() or
 *	mail_dsn_xtext() on its way into a header field or a delivery-status
 *	field, so no peer can end a field or start one, and no line gets
 *	longer than MAIL_DSN_LINE_MAX.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "msg.h"
#include "mail_header.h"
#include "mail_dsn.h"

#define MAIL_DSN_CHUNK		65536	/* pread(2) size */
#define MAIL_DSN_FIELD_MAX	900	/* longest untrusted value in a field */
#define MAIL_DSN_DIAG_MAX	2000	/* longest diagnostic kept */
#define MAIL_DSN_WORD_MAX	900	/* longer words are split */
#define MAIL_DSN_INDENT		"    "	/* detail lines in the text part */

#define CLEAN_ASCII	0		/* 8-bit octets become '?' too */
#define CLEAN_UTF8	1		/* 8-bit octets are kept */

/* mail_dsn_subject - the Subject text for a kind of notification */

const char *
mail_dsn_subject(enum mail_dsn_kind kind)
{
	switch (kind) {
	case MAIL_DSN_FAILURE:
		return ("Delivery Status Notification (Failure)");
	case MAIL_DSN_DELAY:
		return ("Delivery Status Notification (Delay)");
	case MAIL_DSN_SUCCESS:
		return ("Delivery Status Notification (Success)");
	}
	msg_panic("mail_dsn_subject: bad kind %d", (int) kind);
}

/* mail_dsn_action_name - the Action field value */

static const char *
mail_dsn_action_name(enum mail_dsn_action action)
{
	switch (action) {
	case MAIL_DSN_FAILED:
		return ("failed");
	case MAIL_DSN_DELAYED:
		return ("delayed");
	case MAIL_DSN_DELIVERED:
		return ("delivered");
	case MAIL_DSN_RELAYED:
		return ("relayed");
	}
	msg_panic("mail_dsn_action_name: bad action %d", (int) action);
}

/* mail_dsn_action_text - what happened, for people */

static const char *
mail_dsn_action_text(enum mail_dsn_action action)
{
	switch (action) {
	case MAIL_DSN_FAILED:
		return ("delivery failed");
	case MAIL_DSN_DELAYED:
		return ("delivery delayed");
	case MAIL_DSN_DELIVERED:
		return ("delivered");
	case MAIL_DSN_RELAYED:
		return ("relayed to a system that does not send delivery "
		    "notifications");
	}
	msg_panic("mail_dsn_action_text: bad action %d", (int) action);
}

/* mail_dsn_clean - append untrusted text, controls made harmless */

static void
mail_dsn_clean(struct buf *bp, const char *text, size_t max, int mode)
{
	size_t	i;

	for (i = 0; text[i] != 0 && i < max; i++) {
		unsigned char ch = (unsigned char) text[i];

		if (ch < 0x20 || ch == 0x7f
		    || (ch > 0x7f && mode == CLEAN_ASCII))
			ch = '?';
		buf_putc(bp, ch);
	}
}

/* mail_dsn_ascii - does text hold only ASCII octets? */

static int
mail_dsn_ascii(const char *text)
{
	for (; *text; text++)
		if ((unsigned char) *text > 0x7f)
			return (0);
	return (1);
}

/* mail_dsn_has_8bit - does a buffer hold an 8-bit octet? */

static int
mail_dsn_has_8bit(const struct buf *bp)
{
	size_t	i;

	for (i = 0; i < bp->len; i++)
		if ((unsigned char) bp->data[i] > 0x7f)
			return (1);
	return (0);
}

/*
 * mail_dsn_utf8_next - decode one UTF-8 character at s; return its length
 * (at least 1) and store the code point, or U+FFFD for a byte that does
 * not start a well-formed, shortest-form sequence.
 */

static size_t
mail_dsn_utf8_next(const unsigned char *s, unsigned long *cp)
{
	unsigned long c;
	size_t	n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		*cp = 0xfffd;
		return (1);
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {	/* also stops at the NUL */
			*cp = 0xfffd;
			return (1);
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff
	    || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = 0xfffd;
		return (1);
	}
	*cp = c;
	return (n);
}

/*
 * mail_dsn_xtext - append an address in the RFC 6533 utf-8-addr-xtext
 * form: printable ASCII as is except '+', '=' and '\\', everything else
 * as \x{HEX}. The output is ASCII and holds no control characters. It is
 * cut (at a character) before it passes max octets.
 */

static void
mail_dsn_xtext(struct buf *bp, const char *addr, size_t max)
{
	const unsigned char *s = (const unsigned char *) addr;
	size_t	start = bp->len;
	char	tmp[16];
	unsigned long cp;

	while (*s) {
		s += mail_dsn_utf8_next(s, &cp);
		if (cp > 0x20 && cp < 0x7f && cp != '+' && cp != '='
		    && cp != '\\') {
			tmp[0] = (char) cp;
			tmp[1] = 0;
		} else {
			/* NUL cannot occur: the loop stops there. */
			(void) snprintf(tmp, sizeof(tmp), "\\x{%lX}", cp);
		}
		if (bp->len - start + strlen(tmp) > max)
			break;
		buf_puts(bp, tmp);
	}
}

/* mail_dsn_status_ok - is status an RFC 3463 code "c.s.d" of class 2/4/5? */

static int
mail_dsn_status_ok(const char *s)
{
	int	part, digits;

	if (s == NULL || (s[0] != '2' && s[0] != '4' && s[0] != '5')
	    || s[1] != '.')
		return (0);
	s += 2;
	for (part = 0; part < 2; part++) {
		for (digits = 0; *s >= '0' && *s <= '9'; s++)
			digits++;
		if (digits < 1 || digits > 3)
			return (0);
		if (part == 0 && *s++ != '.')
			return (0);
	}
	return (*s == 0);
}

/* mail_dsn_status - the recipient's status, or a default for its action */

static const char *
mail_dsn_status(const struct mail_dsn_rcpt *r)
{
	if (mail_dsn_status_ok(r->status))
		return (r->status);
	switch (r->action) {
	case MAIL_DSN_FAILED:
		return ("5.0.0");
	case MAIL_DSN_DELAYED:
		return ("4.0.0");
	default:
		return ("2.0.0");
	}
}

/*
 * mail_dsn_diag - append the diagnostic as one line: "550 5.1.1 text"
 * with a reply code, the bare text without one. Line breaks of a
 * multi-line reply become single spaces; controls and 8-bit octets
 * become '?'.
 */

static void
mail_dsn_diag(const struct mail_dsn_rcpt *r, const char *status,
    struct buf *out)
{
	const char *p = r->diagnostic ? r->diagnostic : "";
	size_t	start, slen = strlen(status);
	int	space = 0;

	if (r->code > 0)
		buf_printf(out, "%d ", r->code);
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (r->code > 0 && (strncmp(p, status, slen) != 0
	    || (p[slen] != ' ' && p[slen] != 0)))
		buf_printf(out, "%s ", status);
	start = out->len;
	for (; *p && out->len - start < MAIL_DSN_DIAG_MAX; p++) {
		unsigned char ch = (unsigned char) *p;

		if (ch == '\r' || ch == '\n' || ch == ' ' || ch == '\t') {
			space = 1;
			continue;
		}
		if (space)
			buf_putc(out, ' ');
		space = 0;
		buf_putc(out, ch < 0x20 || ch >= 0x7f ? '?' : ch);
	}
	if (*p)
		buf_puts(out, " ...");
	/* No text after the code: drop the trailing space. */
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		buf_truncate(out, out->len - 1);
}

/* mail_dsn_fold_text - add space-separated words, splitting long ones */

static void
mail_dsn_fold_text(struct mail_header_fold *fp, const char *text)
{
	struct buf w;
	const char *p = text, *e;

	buf_init(&w, 128);
	while (*p) {
		while (*p == ' ')
			p++;
		for (e = p; *e && *e != ' '; e++)
			 /* void */ ;
		while (p < e) {
			size_t	n = (size_t) (e - p);

			if (n > MAIL_DSN_WORD_MAX)
				n = MAIL_DSN_WORD_MAX;
			buf_reset(&w);
			buf_append(&w, p, n);
			mail_header_fold_word(fp, buf_cstr(&w));
			p += n;
		}
	}
	buf_fini(&w);
}

/* mail_dsn_put_line - append indent + len bytes + CR LF */

static void
mail_dsn_put_line(struct buf *out, const char *indent, const char *p,
    size_t len)
{
	while (len > 0 && p[len - 1] == ' ')
		len--;
	if (len > 0)
		buf_puts(out, indent);
	buf_append(out, p, len);
	buf_puts(out, "\r\n");
}

/* mail_dsn_wrap - append text as wrapped CR LF lines */

void
mail_dsn_wrap(struct buf *out, const char *text, const char *indent)
{
	struct buf line;
	size_t	ilen, width, hard, pos, cut;
	const char *p, *s;

	if (indent == NULL)
		indent = "";
	ilen = strlen(indent);
	if (ilen > MAIL_DSN_WRAP_AT / 2)
		msg_panic("mail_dsn_wrap: indent too long");
	width = MAIL_DSN_WRAP_AT - ilen;
	hard = MAIL_DSN_LINE_MAX - ilen;
	buf_init(&line, 128);
	for (p = text; *p;) {
		/* One input line, cleaned: tabs as spaces, controls as '?'. */
		buf_reset(&line);
		for (; *p && *p != '\n'; p++) {
			unsigned char ch = (unsigned char) *p;

			if (ch == '\r' && p[1] == '\n')
				continue;
			if (ch == '\t')
				ch = ' ';
			else if (ch < 0x20 || ch == 0x7f)
				ch = '?';
			buf_putc(&line, ch);
		}
		if (*p == '\n')
			p++;

		/* Greedy wrap at the last space that keeps within width. */
		s = line.data;
		pos = line.len;
		while (pos > width) {
			for (cut = width; cut > 0 && s[cut] != ' '; cut--)
				 /* void */ ;
			if (cut == 0) {
				/* A long word: to the next space, or split. */
				for (cut = width; cut < pos && s[cut] != ' ';)
					cut++;
				if (cut > hard)
					cut = hard;
			}
			mail_dsn_put_line(out, indent, s, cut);
			s += cut;
			pos -= cut;
			while (pos > 0 && *s == ' ') {
				s++;
				pos--;
			}
		}
		if (pos > 0 || s == line.data)
			mail_dsn_put_line(out, indent, s, pos);
	}
	buf_fini(&line);
}

/* mail_dsn_boundary - the MIME boundary candidate for an attempt */

void
mail_dsn_boundary(const struct mail_dsn *d, unsigned attempt,
    struct buf *out)
{
	unsigned long long v[4], h = 14695981039346656037ULL;
	size_t	i, j;

	/* FNV-1a over the inputs: stable for tests, distinct per message. */
	v[0] = d->mid;
	v[1] = (unsigned long long) d->now;
	v[2] = (unsigned long long) d->kind;
	v[3] = attempt;
	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++) {
			h ^= (v[i] >> (8 * j)) & 0xff;
			h *= 1099511628211ULL;
		}
	buf_printf(out, "=_mtad-%016llx-%u", h, attempt);
}

/* mail_dsn_contains - does bp hold needle? */

static int
mail_dsn_contains(const struct buf *bp, const struct buf *needle)
{
	size_t	i;

	if (needle->len == 0 || bp->len < needle->len)
		return (0);
	for (i = 0; i + needle->len <= bp->len; i++)
		if (bp->data[i] == needle->data[0]
		    && memcmp(bp->data + i, needle->data, needle->len) == 0)
			return (1);
	return (0);
}

/* mail_dsn_seen_header_end - has an empty line been read, roughly? */

static int
mail_dsn_seen_header_end(const struct buf *raw, size_t from)
{
	size_t	i;

	if (raw->len > 0 && raw->data[0] == '\n')
		return (1);
	if (raw->len > 1 && raw->data[0] == '\r' && raw->data[1] == '\n')
		return (1);
	for (i = from; i + 1 < raw->len; i++) {
		if (raw->data[i] != '\n')
			continue;
		if (raw->data[i + 1] == '\n' || (i + 2 < raw->len
		    && raw->data[i + 1] == '\r' && raw->data[i + 2] == '\n'))
			return (1);
	}
	return (0);
}

/*
 * mail_dsn_read - read want octets of the original into raw (for headers
 * only, stop early once the header section is in)
 */

static int
mail_dsn_read(int fd, size_t want, int headers_only, struct buf *raw,
    struct buf *err)
{
	size_t	scan = 0;
	ssize_t	n;

	while (raw->len < want) {
		size_t	chunk = want - raw->len;

		if (chunk > MAIL_DSN_CHUNK)
			chunk = MAIL_DSN_CHUNK;
		buf_reserve(raw, chunk);
		n = pread(fd, raw->data + raw->len, chunk, (off_t) raw->len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			buf_printf(err, "read message content at offset "
			    "%zu: %s", raw->len, strerror(errno));
			return (-1);
		}
		if (n == 0) {
			buf_printf(err, "message content ends at offset %zu, "
			    "before the %zu octets expected", raw->len, want);
			return (-1);
		}
		raw->len += (size_t) n;
		raw->data[raw->len] = 0;
		if (headers_only && mail_dsn_seen_header_end(raw, scan))
			break;
		scan = raw->len > 2 ? raw->len - 2 : 0;
	}
	return (0);
}

/*
 * mail_dsn_copy - append the original from raw, made fit for mail: every
 * line ends in CR LF (a bare CR or LF ends a line too), lines longer than
 * MAIL_DSN_LINE_MAX are broken (with a space to continue a header field),
 * and with headers_only the copy stops before the first empty line.
 */

static void
mail_dsn_copy(const char *p, size_t len, int headers_only, struct buf *out)
{
	const char *end = p + len, *q;
	int	in_header = 1;
	size_t	n, eol, room;

	while (p < end) {
		for (q = p, eol = 0; q < end; q++) {
			if (*q == '\n') {
				eol = 1;
				break;
			}
			if (*q == '\r') {
				eol = (q + 1 < end && q[1] == '\n') ? 2 : 1;
				break;
			}
		}
		n = (size_t) (q - p);
		if (n == 0 && in_header) {
			if (headers_only)
				return;
			in_header = 0;
		}
		room = MAIL_DSN_LINE_MAX;
		while (n > room) {
			buf_append(out, p, room);
			buf_puts(out, in_header ? "\r\n " : "\r\n");
			p += room;
			n -= room;
			room = MAIL_DSN_LINE_MAX - (in_header ? 1 : 0);
		}
		buf_append(out, p, n);
		buf_puts(out, "\r\n");
		p = q + eol;
	}
}

/*
 * mail_dsn_cut - how much of the raw copy to keep when it was cut at the
 * limit: up to the last LF, else (a first line longer than the limit) all
 * of it but a final CR whose LF did not fit.
 */

static size_t
mail_dsn_cut(const struct buf *raw)
{
	size_t	i;

	for (i = raw->len; i > 0; i--)
		if (raw->data[i - 1] == '\n')
			return (i);
	if (raw->len > 0 && raw->data[raw->len - 1] == '\r')
		return (raw->len - 1);
	return (raw->len);
}

/* mail_dsn_header_8bit - does the copy's header section hold 8-bit octets? */

static int
mail_dsn_header_8bit(const struct buf *orig)
{
	size_t	i;

	for (i = 0; i < orig->len; i++) {
		if ((unsigned char) orig->data[i] > 0x7f)
			return (1);
		if (orig->data[i] == '\n' && i + 2 < orig->len
		    && orig->data[i + 1] == '\r' && orig->data[i + 2] == '\n')
			return (0);
		if (i == 0 && orig->data[0] == '\r')
			return (0);
	}
	return (0);
}

/* mail_dsn_date_field - append "Name: date" */

static void
mail_dsn_date_field(struct buf *bp, const char *name, time_t when)
{
	buf_printf(bp, "%s: ", name);
	mail_header_date(when, bp);
	buf_puts(bp, "\r\n");
}

/* mail_dsn_addr_field - append "Name: rfc822;addr" or "Name: utf-8;..." */

static void
mail_dsn_addr_field(struct buf *bp, const char *name, const char *addr)
{
	buf_printf(bp, "%s: ", name);
	if (mail_dsn_ascii(addr)) {
		buf_puts(bp, "rfc822;");
		mail_dsn_clean(bp, addr, MAIL_DSN_FIELD_MAX, CLEAN_ASCII);
	} else {
		buf_puts(bp, "utf-8;");
		mail_dsn_xtext(bp, addr, MAIL_DSN_FIELD_MAX);
	}
	buf_puts(bp, "\r\n");
}

/* mail_dsn_status_part - the message/delivery-status body */

static void
mail_dsn_status_part(const struct mail_dsn *d, struct buf *bp)
{
	struct mail_header_fold f;
	struct buf diag;
	size_t	i;

	buf_printf(bp, "Reporting-MTA: dns; ");
	mail_dsn_clean(bp, d->hostname, MAIL_DSN_FIELD_MAX, CLEAN_ASCII);
	buf_puts(bp, "\r\n");
	if (d->envid && *d->envid) {
		buf_puts(bp, "Original-Envelope-Id: ");
		mail_dsn_clean(bp, d->envid, MAIL_DSN_FIELD_MAX, CLEAN_ASCII);
		buf_puts(bp, "\r\n");
	}
	if (d->client && *d->client) {
		buf_puts(bp, "Received-From-MTA: dns; ");
		mail_dsn_clean(bp, d->client, MAIL_DSN_FIELD_MAX, CLEAN_ASCII);
		buf_puts(bp, "\r\n");
	}
	if (d->arrival)
		mail_dsn_date_field(bp, "Arrival-Date", d->arrival);

	buf_init(&diag, 256);
	for (i = 0; i < d->nrcpts; i++) {
		const struct mail_dsn_rcpt *r = d->rcpts + i;
		const char *status = mail_dsn_status(r);

		buf_puts(bp, "\r\n");
		if (r->orcpt && *r->orcpt) {
			buf_puts(bp, "Original-Recipient: ");
			if (strchr(r->orcpt, ';') == NULL)
				buf_puts(bp, "rfc822;");
			mail_dsn_clean(bp, r->orcpt, MAIL_DSN_FIELD_MAX,
			    CLEAN_ASCII);
			buf_puts(bp, "\r\n");
		}
		mail_dsn_addr_field(bp, "Final-Recipient", r->addr);
		buf_printf(bp, "Action: %s\r\n",
		    mail_dsn_action_name(r->action));
		buf_printf(bp, "Status: %s\r\n", status);
		if (r->remote_mta && *r->remote_mta) {
			buf_puts(bp, "Remote-MTA: dns; ");
			mail_dsn_clean(bp, r->remote_mta, MAIL_DSN_FIELD_MAX,
			    CLEAN_ASCII);
			buf_puts(bp, "\r\n");
		}
		if (r->code > 0 || (r->diagnostic && *r->diagnostic)) {
			buf_reset(&diag);
			mail_dsn_diag(r, status, &diag);
			mail_header_fold_init(&f, bp, "Diagnostic-Code");
			mail_header_fold_word(&f, r->code > 0 ? "smtp;"
			    : "X-mtad;");
			mail_dsn_fold_text(&f, buf_cstr(&diag));
			mail_header_fold_end(&f);
		}
		if (r->last_attempt)
			mail_dsn_date_field(bp, "Last-Attempt-Date",
			    r->last_attempt);
		if (r->action == MAIL_DSN_DELAYED && r->will_retry_until)
			mail_dsn_date_field(bp, "Will-Retry-Until",
			    r->will_retry_until);
	}
	buf_fini(&diag);
}

/* mail_dsn_text_part - the explanation for people */

static void
mail_dsn_text_part(const struct mail_dsn *d, int fd, int copy,
    size_t copied, int cut, struct buf *bp)
{
	struct buf t;
	size_t	i;

	buf_init(&t, 512);
	buf_puts(&t, "This is the mail delivery system at ");
	mail_dsn_clean(&t, d->hostname, MAIL_DSN_FIELD_MAX, CLEAN_ASCII);
	buf_puts(&t, ".\n\n");
	switch (d->kind) {
	case MAIL_DSN_FAILURE:
		buf_puts(&t, "Your message could not be delivered to one or "
		    "more of its recipients. This is a permanent error; the "
		    "mail system has given up. The details are below.");
		break;
	case MAIL_DSN_DELAY:
		buf_puts(&t, "Your message has not yet been delivered to one "
		    "or more of its recipients. This is only a warning: the "
		    "mail system will keep trying, and you do not need to "
		    "send the message again. The details are below.");
		break;
	case MAIL_DSN_SUCCESS:
		buf_puts(&t, "Your message was delivered to the recipients "
		    "below, as you asked when you sent it.");
		break;
	default:
		msg_panic("mail_dsn_text_part: bad kind %d", (int) d->kind);
	}
	buf_puts(&t, "\n\n");
	/* With max_copy 0 nothing is attached, and nothing is said. */
	if (fd == -1)
		buf_puts(&t, "The content of your message was lost and cannot "
		    "be returned.\n\n");
	else if (copy && d->headers_only)
		buf_puts(&t, "The header of your message is attached.\n\n");
	else if (copy && cut)
		buf_printf(&t, "Your message is attached, cut to its first %zu "
		    "octets.\n\n", copied);
	else if (copy)
		buf_puts(&t, "Your message is attached.\n\n");
	mail_dsn_wrap(bp, buf_cstr(&t), NULL);

	for (i = 0; i < d->nrcpts; i++) {
		const struct mail_dsn_rcpt *r = d->rcpts + i;
		const char *status = mail_dsn_status(r);

		buf_reset(&t);
		buf_putc(&t, '<');
		mail_dsn_clean(&t, r->addr, MAIL_DSN_FIELD_MAX, CLEAN_UTF8);
		buf_printf(&t, ">: %s (%s)", mail_dsn_action_text(r->action),
		    status);
		if (r->action == MAIL_DSN_DELAYED && r->will_retry_until) {
			buf_puts(&t, "; the mail system keeps trying until ");
			mail_header_date(r->will_retry_until, &t);
		}
		buf_puts(&t, ".");
		mail_dsn_wrap(bp, buf_cstr(&t), NULL);

		buf_reset(&t);
		if (r->code > 0) {
			if (r->remote_mta && *r->remote_mta) {
				buf_puts(&t, "The server ");
				mail_dsn_clean(&t, r->remote_mta,
				    MAIL_DSN_FIELD_MAX, CLEAN_ASCII);
				buf_puts(&t, " answered: ");
			} else
				buf_puts(&t, "The server answered: ");
			mail_dsn_diag(r, status, &t);
		} else if (r->diagnostic && *r->diagnostic) {
			buf_puts(&t, "Reason: ");
			mail_dsn_diag(r, status, &t);
		} else if (r->remote_mta && *r->remote_mta) {
			buf_puts(&t, "Server: ");
			mail_dsn_clean(&t, r->remote_mta, MAIL_DSN_FIELD_MAX,
			    CLEAN_ASCII);
		}
		if (t.len > 0)
			mail_dsn_wrap(bp, buf_cstr(&t), MAIL_DSN_INDENT);
		if (i + 1 < d->nrcpts)
			buf_puts(bp, "\r\n");
	}
	buf_fini(&t);
}

/* mail_dsn_compose - append the complete notification */

int
mail_dsn_compose(const struct mail_dsn *d, int fd, off_t size,
    struct buf *out, struct buf *err)
{
	static unsigned counter;
	struct buf text, status, orig, raw, boundary;
	size_t	want = 0, keep = 0, i;
	unsigned attempt;
	int	cut = 0, copy, eight, utf8_header;

	if (d->hostname == NULL || *d->hostname == 0 || d->sender == NULL
	    || *d->sender == 0 || d->nrcpts == 0 || d->rcpts == NULL)
		msg_panic("mail_dsn_compose: no hostname, sender or recipient");
	for (i = 0; i < d->nrcpts; i++)
		if (d->rcpts[i].addr == NULL)
			msg_panic("mail_dsn_compose: recipient %zu without "
			    "address", i);
	if (fd != -1 && size < 0)
		msg_panic("mail_dsn_compose: negative size %lld",
		    (long long) size);
	(void) mail_dsn_subject(d->kind);	/* panics on a bad kind */

	/* The original first: the only step that can fail. */
	copy = fd != -1 && d->max_copy != 0;
	buf_init(&raw, 0);
	buf_init(&orig, 0);
	if (copy) {
		want = (size_t) size;
		if (d->max_copy > 0 && (unsigned long long) d->max_copy < want)
			want = (size_t) d->max_copy;
		if (mail_dsn_read(fd, want, d->headers_only, &raw, err) < 0) {
			buf_fini(&raw);
			buf_fini(&orig);
			return (-1);
		}
		cut = raw.len < (size_t) size;
		keep = cut ? mail_dsn_cut(&raw) : raw.len;
		mail_dsn_copy(raw.data, keep, d->headers_only, &orig);
	}
	buf_fini(&raw);

	buf_init(&text, 1024);
	buf_init(&status, 1024);
	mail_dsn_text_part(d, fd, copy, keep, cut && !d->headers_only, &text);
	mail_dsn_status_part(d, &status);

	/*
	 * A boundary that occurs in no part. The candidates all differ (the
	 * attempt is part of each), and the parts are finite, so this ends;
	 * content made to hold many candidates costs time, never a crash.
	 */
	buf_init(&boundary, 64);
	for (attempt = 0;; attempt++) {
		buf_reset(&boundary);
		mail_dsn_boundary(d, attempt, &boundary);
		if (!mail_dsn_contains(&text, &boundary)
		    && !mail_dsn_contains(&status, &boundary)
		    && !mail_dsn_contains(&orig, &boundary))
			break;
	}
	eight = mail_dsn_has_8bit(&text) || mail_dsn_has_8bit(&orig);

	/* Header. */
	buf_puts(out, "From: MAILER-DAEMON@");
	mail_dsn_clean(out, d->hostname, MAIL_DSN_FIELD_MAX, CLEAN_ASCII);
	buf_puts(out, "\r\nTo: <");
	mail_dsn_clean(out, d->sender, MAIL_DSN_FIELD_MAX, CLEAN_UTF8);
	buf_puts(out, ">\r\n");
	mail_dsn_date_field(out, "Date", d->now);
	buf_printf(out, "Message-ID: <%lld.%llu.%c%u.%ld@",
	    (long long) d->now, d->mid, "FDS"[d->kind], counter++,
	    (long) getpid());
	mail_dsn_clean(out, d->hostname, MAIL_DSN_FIELD_MAX, CLEAN_ASCII);
	buf_printf(out, ">\r\nSubject: %s\r\n", mail_dsn_subject(d->kind));
	buf_puts(out, "Auto-Submitted: auto-replied\r\n");
	buf_puts(out, "MIME-Version: 1.0\r\n");
	buf_puts(out, "Content-Type: multipart/report; "
	    "report-type=delivery-status;\r\n");
	buf_printf(out, "\tboundary=\"%s\"\r\n", buf_cstr(&boundary));
	if (eight)
		buf_puts(out, "Content-Transfer-Encoding: 8bit\r\n");
	buf_puts(out, "\r\nThis is a MIME-encapsulated message.\r\n\r\n");

	/* Part 1: for people. */
	buf_printf(out, "--%s\r\n", buf_cstr(&boundary));
	buf_puts(out, "Content-Description: Notification\r\n");
	if (mail_dsn_has_8bit(&text))
		buf_puts(out, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n");
	else
		buf_puts(out, "Content-Type: text/plain; charset=us-ascii\r\n");
	buf_puts(out, "\r\n");
	buf_append(out, text.data, text.len);

	/* Part 2: for programs. */
	buf_printf(out, "\r\n--%s\r\n", buf_cstr(&boundary));
	buf_puts(out, "Content-Description: Delivery report\r\n");
	buf_puts(out, "Content-Type: message/delivery-status\r\n\r\n");
	buf_append(out, status.data, status.len);

	/* Part 3: the original. */
	if (copy) {
		buf_printf(out, "\r\n--%s\r\n", buf_cstr(&boundary));
		/* UTF-8 header fields (RFC 6532) need the RFC 6533 types. */
		utf8_header = mail_dsn_header_8bit(&orig);
		if (d->headers_only)
			buf_printf(out, "Content-Description: Message "
			    "headers\r\nContent-Type: %s\r\n", utf8_header ?
			    "message/global-headers" : "text/rfc822-headers");
		else
			buf_printf(out, "Content-Description: Message\r\n"
			    "Content-Type: %s\r\n", utf8_header ?
			    "message/global" : "message/rfc822");
		if (mail_dsn_has_8bit(&orig))
			buf_puts(out, "Content-Transfer-Encoding: 8bit\r\n");
		buf_puts(out, "\r\n");
		buf_append(out, orig.data, orig.len);
	}
	buf_printf(out, "\r\n--%s--\r\n", buf_cstr(&boundary));

	buf_fini(&boundary);
	buf_fini(&text);
	buf_fini(&status);
	buf_fini(&orig);
	return (0);
}
