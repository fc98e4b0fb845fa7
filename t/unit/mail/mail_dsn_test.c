/*
 * NAME
 *	mail_dsn_test - unit tests for mail/mail_dsn
 * DESCRIPTION
 *	Each case composes a notification and parses it back: the header,
 *	the MIME parts by the boundary the header names, and the fields of
 *	the delivery-status part. Every output also goes through
 *	check_lines(): CR LF after every line, nothing bare, at most 998
 *	octets a line.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "mail_dsn.h"

#define NOW		1795433403	/* Mon, 23 Nov 2026 11:30:03 +0000 */
#define NOW_DATE	"Mon, 23 Nov 2026 11:30:03 +0000"
#define ARRIVAL		(NOW - 18000)
#define ARRIVAL_DATE	"Mon, 23 Nov 2026 06:30:03 +0000"
#define LAST		(NOW - 60)
#define LAST_DATE	"Mon, 23 Nov 2026 11:29:03 +0000"
#define RETRY		(NOW + 4 * 86400)
#define RETRY_DATE	"Fri, 27 Nov 2026 11:30:03 +0000"

#define MAXPARTS	8

static const char original[] =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.org\r\n"
    "Subject: lunch\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "Shall we have lunch?\r\n"
    "\r\n"
    "Alice\r\n";

static void
utc(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
}

/* content_fd - an unlinked temporary file holding data */

static int
content_fd(const char *data, size_t len)
{
	FILE   *fp = tmpfile();
	int	fd;

	cr_assert_not_null(fp, "tmpfile: %s", strerror(errno));
	fd = dup(fileno(fp));
	cr_assert_neq(fd, -1);
	(void) fclose(fp);
	cr_assert_eq(write(fd, data, len), (ssize_t) len);
	return (fd);
}

/* check_lines - every line CR LF terminated and at most 998 octets */

static void
check_lines(const struct buf *b, const char *label)
{
	size_t	i, start = 0;

	cr_assert(b->len >= 2, "%s: empty output", label);
	for (i = 0; i < b->len; i++) {
		if (b->data[i] == '\r') {
			cr_assert(i + 1 < b->len && b->data[i + 1] == '\n',
			    "%s: bare CR at %zu", label, i);
			cr_assert(i - start <= 998, "%s: line at %zu has %zu "
			    "octets", label, start, i - start);
			i++;
			start = i + 1;
		} else
			cr_assert(b->data[i] != '\n', "%s: bare LF at %zu",
			    label, i);
	}
	cr_assert_eq(start, b->len, "%s: last line without CR LF", label);
}

/* header_end - where the header section at text ends (after its CR LF) */

static const char *
header_end(const char *text)
{
	const char *e = strstr(text, "\r\n\r\n");

	return (e ? e + 2 : text + strlen(text));
}

/*
 * field - the unfolded value of the first field name in the header
 * section at text (or in a whole delivery-status group), or NULL. The
 * caller frees it.
 */

static char *
field(const char *text, const char *name)
{
	const char *end = header_end(text), *p = text, *eol;
	size_t	nlen = strlen(name);
	struct buf v;

	while (p < end) {
		eol = strstr(p, "\r\n");
		if (eol == NULL || eol > end)
			eol = end;
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			buf_init(&v, 64);
			p += nlen + 1;
			if (*p == ' ')
				p++;
			buf_append(&v, p, (size_t) (eol - p));
			while (eol + 2 < end
			    && (eol[2] == ' ' || eol[2] == '\t')) {
				p = eol + 3;
				eol = strstr(p, "\r\n");
				if (eol == NULL || eol > end)
					eol = end;
				buf_putc(&v, ' ');
				buf_append(&v, p, (size_t) (eol - p));
			}
			return (buf_steal(&v));
		}
		p = eol + 2;
	}
	return (NULL);
}

/* assert_field - field name of text is want (NULL: absent) */

static void
assert_field(const char *text, const char *name, const char *want,
    const char *label)
{
	char   *got = field(text, name);

	if (want == NULL)
		cr_assert_null(got, "%s: %s present: %s", label, name, got);
	else {
		cr_assert_not_null(got, "%s: no %s", label, name);
		cr_assert_str_eq(got, want, "%s: %s", label, name);
	}
	mem_free(got);
}

struct parsed {
	char   *boundary;
	size_t	nparts;
	char   *part[MAXPARTS];		/* each with its own header */
	size_t	ngroups;
	char   *group[MAXPARTS * 4];	/* delivery-status groups */
};

/* parse - split a notification into parts and status groups */

static void
parse(const struct buf *out, struct parsed *pp, const char *label)
{
	char   *ct, *b, *q, *delim, *p, *next, *body, *s;
	size_t	dlen;

	memset(pp, 0, sizeof(*pp));
	ct = field(out->data, "Content-Type");
	cr_assert_not_null(ct, "%s: no Content-Type", label);
	cr_assert(strncmp(ct, "multipart/report; report-type=delivery-status;",
	    46) == 0, "%s: Content-Type %s", label, ct);
	b = strstr(ct, "boundary=\"");
	cr_assert_not_null(b, "%s: no boundary", label);
	b += 10;
	q = strchr(b, '"');
	cr_assert_not_null(q);
	pp->boundary = mem_strndup(b, (size_t) (q - b));
	mem_free(ct);

	delim = mem_alloc(strlen(pp->boundary) + 5);
	delim[0] = 0;
	(void) snprintf(delim, strlen(pp->boundary) + 5, "\r\n--%s",
	    pp->boundary);
	dlen = strlen(delim);
	p = strstr(out->data, delim);
	cr_assert_not_null(p, "%s: no first delimiter", label);
	for (;;) {
		p += dlen;
		if (strncmp(p, "--\r\n", 4) == 0)
			break;
		cr_assert(strncmp(p, "\r\n", 2) == 0, "%s: bad delimiter",
		    label);
		p += 2;
		next = strstr(p, delim);
		cr_assert_not_null(next, "%s: part %zu not closed", label,
		    pp->nparts);
		cr_assert_lt(pp->nparts, MAXPARTS);
		pp->part[pp->nparts++] = mem_strndup(p, (size_t) (next - p));
		p = next;
	}
	cr_assert_str_eq(p + 4, "", "%s: text after the close delimiter",
	    label);
	mem_free(delim);

	/* The delivery-status groups. */
	cr_assert_geq(pp->nparts, 2, "%s: %zu parts", label, pp->nparts);
	body = strstr(pp->part[1], "\r\n\r\n");
	cr_assert_not_null(body);
	s = body + 4;
	while (*s) {
		char   *e = strstr(s, "\r\n\r\n");
		size_t	n = e ? (size_t) (e - s) + 2 : strlen(s);

		pp->group[pp->ngroups++] = mem_strndup(s, n);
		s += n + (e ? 2 : 0);
	}
}

static void
parsed_free(struct parsed *pp)
{
	size_t	i;

	mem_free(pp->boundary);
	for (i = 0; i < pp->nparts; i++)
		mem_free(pp->part[i]);
	for (i = 0; i < pp->ngroups; i++)
		mem_free(pp->group[i]);
}

/* part_body - the body of a part (after its header) */

static const char *
part_body(const char *part)
{
	const char *b = strstr(part, "\r\n\r\n");

	cr_assert_not_null(b);
	return (b + 4);
}

/* flatten - text lines joined by single spaces, for matching */

static char *
flatten(const char *text)
{
	struct buf b;

	buf_init(&b, strlen(text));
	for (; *text; text++) {
		char	ch = *text == '\r' || *text == '\n' ? ' ' : *text;

		if (ch == ' ' && (b.len == 0 || b.data[b.len - 1] == ' '))
			continue;
		buf_putc(&b, ch);
	}
	return (buf_steal(&b));
}

/* compose - run mail_dsn_compose() on content (NULL: fd -1) */

static void
compose(const struct mail_dsn *d, const char *content, size_t len,
    struct buf *out, const char *label)
{
	struct buf err;
	int	fd = content ? content_fd(content, len) : -1;

	buf_init(&err, 0);
	cr_assert_eq(mail_dsn_compose(d, fd, (off_t) len, out, &err), 0,
	    "%s: %s", label, err.data);
	cr_assert_eq(err.len, 0, "%s: err %s", label, err.data);
	buf_fini(&err);
	if (fd != -1)
		(void) close(fd);
	check_lines(out, label);
}

static void
dsn_init(struct mail_dsn *d, enum mail_dsn_kind kind,
    const struct mail_dsn_rcpt *rcpts, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->hostname = "mail.example.com";
	d->sender = "alice@example.com";
	d->mid = 42;
	d->arrival = ARRIVAL;
	d->now = NOW;
	d->max_copy = -1;
	d->rcpts = rcpts;
	d->nrcpts = n;
}

/* Expected per-recipient fields; NULL means the field is absent. */
struct want_rcpt {
	const char *orcpt;
	const char *final;
	const char *action;
	const char *status;
	const char *remote;
	const char *diag;
	const char *last;
	const char *retry;
};

struct dsn_case {
	const char *label;
	enum mail_dsn_kind kind;
	struct mail_dsn_rcpt rcpts[3];
	size_t	nrcpts;
	const char *sender;		/* NULL: alice@example.com */
	const char *envid;
	const char *client;
	const char *want_to;		/* NULL: <alice@example.com> */
	const char *want_envid;
	const char *want_client;
	const char *subject;
	struct want_rcpt want[3];
	const char *text_has[3];	/* substrings of the text part */
};

static const struct dsn_case dsn_cases[] = {
	{"failure, one recipient", MAIL_DSN_FAILURE,
	    {{"bob@example.org", NULL, MAIL_DSN_FAILED, "5.1.1",
	    "mx.example.org", 550, "User unknown", LAST, 0}}, 1,
	    NULL, NULL, NULL, NULL, NULL, NULL,
	    "Delivery Status Notification (Failure)",
	    {{NULL, "rfc822;bob@example.org", "failed", "5.1.1",
	    "dns; mx.example.org", "smtp; 550 5.1.1 User unknown", LAST_DATE,
	    NULL}},
	    {"<bob@example.org>: delivery failed (5.1.1). The server "
	    "mx.example.org answered: 550 5.1.1 User unknown",
	    "This is the mail delivery system at mail.example.com.",
	    "permanent error"}},
	{"failure, three recipients", MAIL_DSN_FAILURE,
	    {{"bob@example.org", "rfc822;Bob@Example.ORG", MAIL_DSN_FAILED,
	    "5.1.1", "mx.example.org", 550, "5.1.1 No such user", LAST, 0},
	    {"carol@example.net", NULL, MAIL_DSN_FAILED, "5.2.2",
	    "192.0.2.7", 552, "Mailbox full", 0, 0},
	    {"dave@example.com", "dave@example.com", MAIL_DSN_FAILED,
	    "5.4.7", NULL, 0, "message expired after 5 days in the queue",
	    LAST, 0}}, 3,
	    NULL, "ENV-123", "client.example.com", NULL, "ENV-123",
	    "dns; client.example.com", "Delivery Status Notification (Failure)",
	    {{"rfc822;Bob@Example.ORG", "rfc822;bob@example.org", "failed",
	    "5.1.1", "dns; mx.example.org", "smtp; 550 5.1.1 No such user",
	    LAST_DATE, NULL},
	    {NULL, "rfc822;carol@example.net", "failed", "5.2.2",
	    "dns; 192.0.2.7", "smtp; 552 5.2.2 Mailbox full", NULL, NULL},
	    {"rfc822;dave@example.com", "rfc822;dave@example.com", "failed",
	    "5.4.7", NULL,
	    "X-mtad; message expired after 5 days in the queue", LAST_DATE,
	    NULL}},
	    {"<carol@example.net>: delivery failed (5.2.2). The server "
	    "192.0.2.7 answered: 552 5.2.2 Mailbox full",
	    "<dave@example.com>: delivery failed (5.4.7). Reason: message "
	    "expired after 5 days in the queue",
	    "The server mx.example.org answered: 550 5.1.1 No such user"}},
	{"delay", MAIL_DSN_DELAY,
	    {{"bob@example.org", NULL, MAIL_DSN_DELAYED, "4.7.0",
	    "mx.example.org", 0, "TLS was required but could not be "
	    "negotiated", LAST, RETRY}}, 1,
	    NULL, NULL, NULL, NULL, NULL, NULL,
	    "Delivery Status Notification (Delay)",
	    {{NULL, "rfc822;bob@example.org", "delayed", "4.7.0",
	    "dns; mx.example.org",
	    "X-mtad; TLS was required but could not be negotiated",
	    LAST_DATE, RETRY_DATE}},
	    {"<bob@example.org>: delivery delayed (4.7.0); the mail system "
	    "keeps trying until " RETRY_DATE ". Reason: TLS was required",
	    "you do not need to send the message again",
	    "Your message is attached."}},
	{"success, delivered and relayed", MAIL_DSN_SUCCESS,
	    {{"bob@example.org", NULL, MAIL_DSN_DELIVERED, "2.0.0",
	    "mx.example.org", 250, "2.0.0 Ok: queued as 4F2", LAST, 0},
	    {"eve@example.org", NULL, MAIL_DSN_RELAYED, "2.0.0",
	    "mx.example.org", 250, "Ok", LAST, RETRY}}, 2,
	    NULL, NULL, NULL, NULL, NULL, NULL,
	    "Delivery Status Notification (Success)",
	    {{NULL, "rfc822;bob@example.org", "delivered", "2.0.0",
	    "dns; mx.example.org", "smtp; 250 2.0.0 Ok: queued as 4F2",
	    LAST_DATE, NULL},
	    {NULL, "rfc822;eve@example.org", "relayed", "2.0.0",
	    "dns; mx.example.org", "smtp; 250 2.0.0 Ok", LAST_DATE, NULL}},
	    {"<bob@example.org>: delivered (2.0.0).",
	    "<eve@example.org>: relayed to a system that does not send",
	    "Your message was delivered"}},
	{"multi-line reply, bad status", MAIL_DSN_FAILURE,
	    {{"bob@example.org", NULL, MAIL_DSN_FAILED, "9.9.9",
	    "mx.example.org", 550, "Mailbox unavailable\nPlease see\r\n"
	    "  https://example.org/help\n", 0, 0}}, 1,
	    NULL, NULL, NULL, NULL, NULL, NULL,
	    "Delivery Status Notification (Failure)",
	    {{NULL, "rfc822;bob@example.org", "failed", "5.0.0",
	    "dns; mx.example.org", "smtp; 550 5.0.0 Mailbox unavailable "
	    "Please see https://example.org/help", NULL, NULL}},
	    {"answered: 550 5.0.0 Mailbox unavailable Please see"}},
	{"injection", MAIL_DSN_FAILURE,
	    {{"bob@example.org\r\nBcc: evil@example.net", "rfc822;x\ny",
	    MAIL_DSN_FAILED, "5.1.1", "mx\r\nX-Injected: 1", 550,
	    "no\r\n\r\nX-Injected: 2\rend\001\x80", 0, 0}}, 1,
	    "alice@example.com\r\nBcc: x@example.net",
	    "id\r\nX-Injected: 3", "c\nX-Injected: 4",
	    "<alice@example.com??Bcc: x@example.net>", "id??X-Injected: 3",
	    "dns; c?X-Injected: 4", "Delivery Status Notification (Failure)",
	    {{"rfc822;x?y", "rfc822;bob@example.org??Bcc: evil@example.net",
	    "failed", "5.1.1", "dns; mx??X-Injected: 1",
	    "smtp; 550 5.1.1 no X-Injected: 2 end??", NULL, NULL}},
	    {"<bob@example.org??Bcc: evil@example.net>: delivery failed"}},
	{"utf-8 recipient", MAIL_DSN_FAILURE,
	    {{"j\xc3\xb6rg+\\x@b\xc3\xbc" "cher.example", NULL,
	    MAIL_DSN_FAILED, "5.1.1", NULL, 550, "unknown", 0, 0}}, 1,
	    NULL, NULL, NULL, NULL, NULL, NULL,
	    "Delivery Status Notification (Failure)",
	    {{NULL, "utf-8;j\\x{F6}rg\\x{2B}\\x{5C}x@b\\x{FC}cher.example",
	    "failed", "5.1.1", NULL, "smtp; 550 5.1.1 unknown", NULL, NULL}},
	    {"<j\xc3\xb6rg+\\x@b\xc3\xbc" "cher.example>: delivery failed"}},
};

Test(mail_dsn, cases)
{
	size_t	i, j, k;

	utc();
	for (i = 0; i < sizeof(dsn_cases) / sizeof(dsn_cases[0]); i++) {
		const struct dsn_case *c = dsn_cases + i;
		struct mail_dsn d;
		struct parsed p;
		struct buf out;
		const char *hdr_end;
		char   *flat;

		dsn_init(&d, c->kind, c->rcpts, c->nrcpts);
		if (c->sender)
			d.sender = c->sender;
		d.envid = c->envid;
		d.client = c->client;
		buf_init(&out, 0);
		compose(&d, original, sizeof(original) - 1, &out, c->label);

		/* No untrusted text may start a header field of its own. */
		hdr_end = header_end(out.data);
		cr_assert_null(strstr(out.data, "\r\nBcc:"), "%s", c->label);
		cr_assert_null(strstr(out.data, "\r\nX-Injected"), "%s",
		    c->label);

		assert_field(out.data, "From", "MAILER-DAEMON@mail.example.com",
		    c->label);
		assert_field(out.data, "To", c->want_to ? c->want_to
		    : "<alice@example.com>", c->label);
		assert_field(out.data, "Date", NOW_DATE, c->label);
		assert_field(out.data, "Subject", c->subject, c->label);
		assert_field(out.data, "Auto-Submitted", "auto-replied",
		    c->label);
		assert_field(out.data, "MIME-Version", "1.0", c->label);
		{
			char   *mid = field(out.data, "Message-ID");

			cr_assert_not_null(mid, "%s", c->label);
			cr_assert(mid[0] == '<' && strstr(mid,
			    "@mail.example.com>") != NULL, "%s: Message-ID %s",
			    c->label, mid);
			mem_free(mid);
		}
		cr_assert(hdr_end > out.data);

		parse(&out, &p, c->label);
		cr_assert_eq(p.nparts, 3, "%s: %zu parts", c->label, p.nparts);
		cr_assert(strstr(p.part[0], "Content-Type: text/plain;")
		    == p.part[0] + strlen("Content-Description: Notification"
		    "\r\n"), "%s: part 1 header", c->label);
		assert_field(p.part[1], "Content-Type",
		    "message/delivery-status", c->label);
		assert_field(p.part[2], "Content-Type", "message/rfc822",
		    c->label);
		cr_assert_str_eq(part_body(p.part[2]), original, "%s: copy",
		    c->label);
		flat = flatten(part_body(p.part[0]));
		for (k = 0; k < 3 && c->text_has[k]; k++)
			cr_assert_not_null(strstr(flat, c->text_has[k]),
			    "%s: text lacks \"%s\":\n%s", c->label,
			    c->text_has[k], flat);
		mem_free(flat);

		/* Per-message fields. */
		cr_assert_eq(p.ngroups, c->nrcpts + 1, "%s: %zu groups",
		    c->label, p.ngroups);
		assert_field(p.group[0], "Reporting-MTA",
		    "dns; mail.example.com", c->label);
		assert_field(p.group[0], "Arrival-Date", ARRIVAL_DATE,
		    c->label);
		assert_field(p.group[0], "Original-Envelope-Id", c->want_envid,
		    c->label);
		assert_field(p.group[0], "Received-From-MTA", c->want_client,
		    c->label);

		/* Per-recipient fields. */
		for (j = 0; j < c->nrcpts; j++) {
			const struct want_rcpt *w = c->want + j;
			const char *g = p.group[j + 1];
			char	lab[128];

			(void) snprintf(lab, sizeof(lab), "%s, rcpt %zu",
			    c->label, j);
			assert_field(g, "Original-Recipient", w->orcpt, lab);
			assert_field(g, "Final-Recipient", w->final, lab);
			assert_field(g, "Action", w->action, lab);
			assert_field(g, "Status", w->status, lab);
			assert_field(g, "Remote-MTA", w->remote, lab);
			assert_field(g, "Diagnostic-Code", w->diag, lab);
			assert_field(g, "Last-Attempt-Date", w->last, lab);
			assert_field(g, "Will-Retry-Until", w->retry, lab);
		}
		parsed_free(&p);
		buf_fini(&out);
	}
}

/* Truncation at max_copy: always after a whole line, never a torn CR LF. */

struct cut_case {
	const char *label;
	const char *content;
	long long max_copy;
	int	headers_only;
	const char *type;
	const char *want;		/* NULL: no third part */
	const char *text_has;
};

static const struct cut_case cut_cases[] = {
	{"no limit", "A: 1\r\n\r\nline1\r\nline2\r\n", -1, 0,
	    "message/rfc822", "A: 1\r\n\r\nline1\r\nline2\r\n",
	    "Your message is attached."},
	{"limit above size", "A: 1\r\n\r\nx\r\n", 1000, 0, "message/rfc822",
	    "A: 1\r\n\r\nx\r\n", "Your message is attached."},
	{"limit equals size", "A: 1\r\n\r\nx\r\n", 11, 0, "message/rfc822",
	    "A: 1\r\n\r\nx\r\n", "Your message is attached."},
	{"mid-line", "A: 1\r\n\r\nline1\r\nline2\r\n", 11, 0,
	    "message/rfc822", "A: 1\r\n\r\n", "cut to its first 8 octets"},
	{"at a line end", "A: 1\r\n\r\nline1\r\nline2\r\n", 15, 0,
	    "message/rfc822", "A: 1\r\n\r\nline1\r\n",
	    "cut to its first 15 octets"},
	{"just after a line", "A: 1\r\n\r\nline1\r\nline2\r\n", 17, 0,
	    "message/rfc822", "A: 1\r\n\r\nline1\r\n",
	    "cut to its first 15 octets"},
	{"between CR and LF", "A: 1\r\n\r\nline1\r\nline2\r\n", 14, 0,
	    "message/rfc822", "A: 1\r\n\r\n", "cut to its first 8 octets"},
	{"first line too long", "Subject: abcdefghij\r\n\r\nx\r\n", 12, 0,
	    "message/rfc822", "Subject: abc\r\n", "cut to its first 12"},
	{"first line too long, CR at the cut", "Subject: ab\r\n\r\n", 12, 0,
	    "message/rfc822", "Subject: ab\r\n", "cut to its first 11"},
	{"max_copy 0", "A: 1\r\n\r\nx\r\n", 0, 0, NULL, NULL, NULL},
	{"headers only", "A: 1\r\nB: 2\r\n\tcont\r\n\r\nbody\r\n", -1, 1,
	    "text/rfc822-headers", "A: 1\r\nB: 2\r\n\tcont\r\n",
	    "The header of your message is attached."},
	{"headers only, cut", "A: 1\r\nB: 2\r\n\r\nbody\r\n", 9, 1,
	    "text/rfc822-headers", "A: 1\r\n",
	    "The header of your message is attached."},
	{"headers only, no body", "A: 1\r\nB: 2\r\n", -1, 1,
	    "text/rfc822-headers", "A: 1\r\nB: 2\r\n", "The header"},
	{"no final CR LF", "A: 1\r\n\r\nx", -1, 0, "message/rfc822",
	    "A: 1\r\n\r\nx\r\n", "Your message is attached."},
	{"bare LF and CR", "A: 1\n\nx\ry\r\n", -1, 0, "message/rfc822",
	    "A: 1\r\n\r\nx\r\ny\r\n", "Your message is attached."},
	{"empty message", "", -1, 0, "message/rfc822", "",
	    "Your message is attached."},
	{"8-bit body", "A: 1\r\n\r\n\xc3\xa9\r\n", -1, 0, "message/rfc822",
	    "A: 1\r\n\r\n\xc3\xa9\r\n", "Your message is attached."},
	{"utf-8 header", "A: \xc3\xa9\r\n\r\nx\r\n", -1, 0,
	    "message/global", "A: \xc3\xa9\r\n\r\nx\r\n",
	    "Your message is attached."},
	{"utf-8 header, headers only", "A: 1\r\nB: \xc3\xa9\r\n\r\nx\r\n",
	    -1, 1, "message/global-headers", "A: 1\r\nB: \xc3\xa9\r\n",
	    "The header of your message is attached."},
};

Test(mail_dsn, truncation)
{
	static const struct mail_dsn_rcpt r = {"bob@example.org", NULL,
	    MAIL_DSN_FAILED, "5.1.1", NULL, 550, "User unknown", 0, 0};
	size_t	i;

	utc();
	for (i = 0; i < sizeof(cut_cases) / sizeof(cut_cases[0]); i++) {
		const struct cut_case *c = cut_cases + i;
		struct mail_dsn d;
		struct parsed p;
		struct buf out;

		dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
		d.max_copy = c->max_copy;
		d.headers_only = c->headers_only;
		buf_init(&out, 0);
		compose(&d, c->content, strlen(c->content), &out, c->label);
		parse(&out, &p, c->label);
		if (c->want == NULL) {
			cr_assert_eq(p.nparts, 2, "%s: %zu parts", c->label,
			    p.nparts);
		} else {
			cr_assert_eq(p.nparts, 3, "%s: %zu parts", c->label,
			    p.nparts);
			assert_field(p.part[2], "Content-Type", c->type,
			    c->label);
			cr_assert_str_eq(part_body(p.part[2]), c->want,
			    "%s: copy", c->label);
			cr_assert_not_null(strstr(p.part[0], c->text_has),
			    "%s: text lacks \"%s\":\n%s", c->label,
			    c->text_has, p.part[0]);
		}
		parsed_free(&p);
		buf_fini(&out);
	}
}

Test(mail_dsn, content_lost)
{
	static const struct mail_dsn_rcpt r = {"bob@example.org", NULL,
	    MAIL_DSN_FAILED, "5.1.1", NULL, 550, "User unknown", 0, 0};
	struct mail_dsn d;
	struct parsed p;
	struct buf out;

	utc();
	dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
	buf_init(&out, 0);
	compose(&d, NULL, 0, &out, "fd -1");
	parse(&out, &p, "fd -1");
	cr_assert_eq(p.nparts, 2);
	cr_assert_not_null(strstr(p.part[0], "The content of your message "
	    "was lost"));
	cr_assert_eq(p.ngroups, 2);
	parsed_free(&p);
	buf_fini(&out);
}

/* Lines longer than 998 octets, in the original and in the diagnostic. */

Test(mail_dsn, long_lines)
{
	struct mail_dsn_rcpt r = {"bob@example.org", NULL, MAIL_DSN_FAILED,
	    "5.1.1", "mx.example.org", 550, NULL, 0, 0};
	struct buf content, diag, out, joined;
	struct mail_dsn d;
	struct parsed p;
	char   *got;
	const char *body, *s;
	size_t	i;

	utc();
	buf_init(&content, 0);
	buf_puts(&content, "Subject: ");
	for (i = 0; i < 1500; i++)
		buf_putc(&content, 'a' + i % 26);
	buf_puts(&content, "\r\n\r\n");
	for (i = 0; i < 2500; i++)
		buf_putc(&content, 'A' + i % 26);
	buf_puts(&content, "\r\n");

	/* Words that fold, then one word too long for any line. */
	buf_init(&diag, 0);
	for (i = 0; i < 100; i++)
		buf_puts(&diag, "word ");
	for (i = 0; i < 1200; i++)
		buf_putc(&diag, 'x');
	r.diagnostic = diag.data;

	dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
	buf_init(&out, 0);
	compose(&d, content.data, content.len, &out, "long lines");
	parse(&out, &p, "long lines");

	/* The copy reads back as the original with lines broken. */
	body = part_body(p.part[2]);
	buf_init(&joined, 0);
	for (s = body; *s; s++) {
		if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ') {
			s += 2;		/* header continuation: drop CRLF SP */
			continue;
		}
		if (s[0] == '\r' && s[1] == '\n' && s[2] != '\r' && s[2] != 0
		    && s > body + 1600) {
			s += 1;		/* body line broken: drop CRLF */
			continue;
		}
		buf_putc(&joined, *s);
	}
	cr_assert_str_eq(joined.data, content.data);
	cr_assert(strstr(body, "\r\n ") != NULL, "header not continued");

	/* Diagnostic: folded, the long word split, nothing lost. */
	got = field(p.group[1], "Diagnostic-Code");
	cr_assert_not_null(got);
	cr_assert(strncmp(got, "smtp; 550 5.1.1 word word ", 26) == 0);
	cr_assert_eq(strlen(got), strlen("smtp; 550 5.1.1 ") + 100 * 5
	    + 1200 + 1, "one space where the long word was split");
	cr_assert(strstr(p.part[1], "\r\n\t") != NULL, "not folded");
	mem_free(got);

	parsed_free(&p);
	buf_fini(&joined);
	buf_fini(&out);
	buf_fini(&diag);
	buf_fini(&content);
}

/* A diagnostic past MAIL_DSN_DIAG_MAX is cut and marked. */

Test(mail_dsn, diagnostic_cap)
{
	struct mail_dsn_rcpt r = {"bob@example.org", NULL, MAIL_DSN_FAILED,
	    "5.1.1", NULL, 550, NULL, 0, 0};
	struct buf diag, out;
	struct mail_dsn d;
	struct parsed p;
	char   *got;
	size_t	i;

	utc();
	buf_init(&diag, 0);
	for (i = 0; i < 20000; i++)
		buf_puts(&diag, "ab\n");
	r.diagnostic = diag.data;
	dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
	buf_init(&out, 0);
	compose(&d, original, sizeof(original) - 1, &out, "cap");
	parse(&out, &p, "cap");
	got = field(p.group[1], "Diagnostic-Code");
	cr_assert_lt(strlen(got), 2100);
	cr_assert(strcmp(got + strlen(got) - 4, " ...") == 0, "%s", got);
	mem_free(got);
	parsed_free(&p);
	buf_fini(&out);
	buf_fini(&diag);
}

/* The boundary never occurs in the content: collisions are skipped. */

Test(mail_dsn, boundary_collision)
{
	static const struct mail_dsn_rcpt r = {"bob@example.org", NULL,
	    MAIL_DSN_FAILED, "5.1.1", NULL, 550, "User unknown", 0, 0};
	struct buf b0, b1, b2, content, out;
	struct mail_dsn d;
	struct parsed p;

	utc();
	dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
	buf_init(&b0, 0);
	buf_init(&b1, 0);
	buf_init(&b2, 0);
	mail_dsn_boundary(&d, 0, &b0);
	mail_dsn_boundary(&d, 1, &b1);
	mail_dsn_boundary(&d, 2, &b2);
	cr_assert_str_neq(b0.data, b1.data);
	cr_assert_str_neq(b1.data, b2.data);
	cr_assert_leq(b0.len, 70, "RFC 2046 limit");

	/* Without a collision, the first candidate is used. */
	buf_init(&out, 0);
	compose(&d, original, sizeof(original) - 1, &out, "no collision");
	parse(&out, &p, "no collision");
	cr_assert_str_eq(p.boundary, b0.data);
	parsed_free(&p);
	buf_reset(&out);

	/* The first two candidates in the content, as delimiter lines. */
	buf_init(&content, 0);
	buf_printf(&content, "Subject: x\r\n\r\n--%s\r\nbody --%s--\r\n",
	    b0.data, b1.data);
	compose(&d, content.data, content.len, &out, "collision");
	parse(&out, &p, "collision");
	cr_assert_str_eq(p.boundary, b2.data);
	cr_assert_eq(p.nparts, 3);
	cr_assert_str_eq(part_body(p.part[2]), content.data);
	cr_assert_null(strstr(content.data, p.boundary));
	parsed_free(&p);

	buf_fini(&content);
	buf_fini(&out);
	buf_fini(&b0);
	buf_fini(&b1);
	buf_fini(&b2);
}

/* 8-bit content is labelled as such. */

Test(mail_dsn, eight_bit)
{
	static const char content[] =
	    "Subject: caf\xc3\xa9\r\n\r\n\xc3\xa9\r\n";
	static const struct mail_dsn_rcpt r = {"bob@example.org", NULL,
	    MAIL_DSN_FAILED, "5.1.1", NULL, 550, "User unknown", 0, 0};
	struct mail_dsn d;
	struct parsed p;
	struct buf out;

	utc();
	dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
	buf_init(&out, 0);
	compose(&d, original, sizeof(original) - 1, &out, "7bit");
	assert_field(out.data, "Content-Transfer-Encoding", NULL, "7bit");
	buf_reset(&out);
	compose(&d, content, sizeof(content) - 1, &out, "8bit");
	assert_field(out.data, "Content-Transfer-Encoding", "8bit", "8bit");
	parse(&out, &p, "8bit");
	assert_field(p.part[2], "Content-Transfer-Encoding", "8bit", "8bit");
	assert_field(p.part[0], "Content-Type", "text/plain; charset=us-ascii",
	    "8bit");
	parsed_free(&p);
	buf_fini(&out);
}

/* Read errors are reported, never composed around. */

struct err_case {
	const char *label;
	int	use_pipe;
	off_t	size;
	const char *want;
};

Test(mail_dsn, read_errors)
{
	static const struct mail_dsn_rcpt r = {"bob@example.org", NULL,
	    MAIL_DSN_FAILED, "5.1.1", NULL, 550, "User unknown", 0, 0};
	static const struct err_case cases[] = {
		{"not seekable", 1, 10, "read message content at offset 0:"},
		{"file too short", 0, sizeof(original) + 10,
		    "message content ends at offset"},
	};
	size_t	i;

	utc();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_dsn d;
		struct buf out, err;
		int	fd, pfd[2] = {-1, -1};

		if (cases[i].use_pipe) {
			cr_assert_eq(pipe(pfd), 0);
			fd = pfd[0];
		} else
			fd = content_fd(original, sizeof(original) - 1);
		dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
		buf_init(&out, 0);
		buf_init(&err, 0);
		cr_assert_eq(mail_dsn_compose(&d, fd, cases[i].size, &out,
		    &err), -1, "%s", cases[i].label);
		cr_assert_not_null(strstr(err.data, cases[i].want),
		    "%s: err %s", cases[i].label, err.data);
		cr_assert_eq(out.len, 0, "%s: out written", cases[i].label);
		(void) close(fd);
		if (pfd[1] != -1)
			(void) close(pfd[1]);
		buf_fini(&out);
		buf_fini(&err);
	}
}

Test(mail_dsn, subjects)
{
	cr_assert_str_eq(mail_dsn_subject(MAIL_DSN_FAILURE),
	    "Delivery Status Notification (Failure)");
	cr_assert_str_eq(mail_dsn_subject(MAIL_DSN_DELAY),
	    "Delivery Status Notification (Delay)");
	cr_assert_str_eq(mail_dsn_subject(MAIL_DSN_SUCCESS),
	    "Delivery Status Notification (Success)");
}

/* mail_dsn_wrap: wrapping, indent, long words, controls. */

struct wrap_case {
	const char *label;
	const char *text;
	const char *indent;
	const char *want;
};

Test(mail_dsn, wrap)
{
	static const struct wrap_case cases[] = {
		{"short", "hello world", NULL, "hello world\r\n"},
		{"lines", "a\nb\r\n\nc\n", NULL, "a\r\nb\r\n\r\nc\r\n"},
		{"indent", "a b", "  ", "  a b\r\n"},
		{"empty line not indented", "a\n\nb", "  ",
		    "  a\r\n\r\n  b\r\n"},
		{"wrap at 76",
		    "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee "
		    "fffffffff ggggggggg hhhhhhhhh iiiiiiiii", NULL,
		    "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee "
		    "fffffffff ggggggggg\r\nhhhhhhhhh iiiiiiiii\r\n"},
		{"wrap with indent",
		    "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee "
		    "fffffffff ggggggggg hhhhhhhhh", "    ",
		    "    aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee "
		    "fffffffff ggggggggg\r\n    hhhhhhhhh\r\n"},
		{"controls", "a\rb\001c\td\x7f", NULL, "a?b?c d?\r\n"},
		{"trailing spaces", "a   \nb", NULL, "a\r\nb\r\n"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out;

		buf_init(&out, 0);
		mail_dsn_wrap(&out, cases[i].text, cases[i].indent);
		cr_assert_str_eq(out.data, cases[i].want, "%s",
		    cases[i].label);
		buf_fini(&out);
	}
}

Test(mail_dsn, wrap_long_word)
{
	struct buf in, out;
	size_t	i;

	buf_init(&in, 0);
	buf_puts(&in, "short ");
	for (i = 0; i < 2500; i++)
		buf_putc(&in, 'x');
	buf_puts(&in, " tail");
	buf_init(&out, 0);
	mail_dsn_wrap(&out, in.data, "  ");
	check_lines(&out, "long word");
	cr_assert(strncmp(out.data, "  short\r\n  xxx", 14) == 0, "%.20s",
	    out.data);
	cr_assert(strstr(out.data, "x\r\n  tail\r\n") != NULL);
	buf_fini(&in);
	buf_fini(&out);
}

/* Two notifications never share a Message-ID, even for the same input. */

Test(mail_dsn, message_id_unique)
{
	static const struct mail_dsn_rcpt r = {"bob@example.org", NULL,
	    MAIL_DSN_FAILED, "5.1.1", NULL, 550, "User unknown", 0, 0};
	struct mail_dsn d;
	struct buf a, b;
	char   *ida, *idb;

	utc();
	dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
	buf_init(&a, 0);
	buf_init(&b, 0);
	compose(&d, NULL, 0, &a, "first");
	compose(&d, NULL, 0, &b, "second");
	ida = field(a.data, "Message-ID");
	idb = field(b.data, "Message-ID");
	cr_assert_str_neq(ida, idb);
	mem_free(ida);
	mem_free(idb);
	buf_fini(&a);
	buf_fini(&b);
}

/* A caller's bug is a panic, not a malformed notification. */

Test(mail_dsn, no_recipient_panics, .signal = SIGABRT)
{
	struct mail_dsn d;
	struct buf out, err;

	dsn_init(&d, MAIL_DSN_FAILURE, NULL, 0);
	buf_init(&out, 0);
	buf_init(&err, 0);
	(void) mail_dsn_compose(&d, -1, 0, &out, &err);
}

Test(mail_dsn, null_sender_panics, .signal = SIGABRT)
{
	static const struct mail_dsn_rcpt r = {"bob@example.org", NULL,
	    MAIL_DSN_FAILED, "5.1.1", NULL, 550, "User unknown", 0, 0};
	struct mail_dsn d;
	struct buf out, err;

	dsn_init(&d, MAIL_DSN_FAILURE, &r, 1);
	d.sender = "";
	buf_init(&out, 0);
	buf_init(&err, 0);
	(void) mail_dsn_compose(&d, -1, 0, &out, &err);
}
