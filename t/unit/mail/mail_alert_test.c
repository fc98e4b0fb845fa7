/*
 * NAME
 *	mail_alert_test - unit tests for mail/mail_alert
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "mail_alert.h"

#define NOW		1795433403	/* Mon, 23 Nov 2026 11:30:03 +0000 */
#define NOW_DATE	"Mon, 23 Nov 2026 11:30:03 +0000"

static void
utc(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
}

/* check_lines - every line CR LF terminated and at most 998 octets */

static void
check_lines(const struct buf *b, const char *label)
{
	size_t	i, start = 0;

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

/* raw_field - the field "name:" with its continuation lines, as sent */

static char *
raw_field(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p, *e;
	size_t	nlen = strlen(name);
	struct buf b;

	cr_assert_not_null(end);
	for (p = msg; p < end; p = strstr(p, "\r\n") + 2) {
		if (strncmp(p, name, nlen) != 0 || p[nlen] != ':')
			continue;
		for (e = strstr(p, "\r\n"); e[2] == ' ' || e[2] == '\t';)
			e = strstr(e + 2, "\r\n");
		buf_init(&b, 0);
		buf_append(&b, p, (size_t) (e + 2 - p));
		return (buf_steal(&b));
	}
	return (NULL);
}

static void
alert_init(struct mail_alert *a, const char *const *to, size_t nto)
{
	memset(a, 0, sizeof(*a));
	a->severity = MAIL_ALERT_WARNING;
	a->class = "System";
	a->hostname = "mail.example.com";
	a->from = "alert@mail.example.com";
	a->to = to;
	a->nto = nto;
	a->summary = "Disk almost full";
	a->text = "The spool is 95% full.";
	a->now = NOW;
	a->serial = 7;
}

Test(mail_alert, severity_names)
{
	static const struct {
		enum mail_alert_severity s;
		const char *want;
	} cases[] = {
		{MAIL_ALERT_CRITICAL, "Critical"},
		{MAIL_ALERT_WARNING, "Warning"},
		{MAIL_ALERT_INFO, "Info"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(mail_alert_severity_name(cases[i].s),
		    cases[i].want, "case %zu", i);
}

/* Header fields as sent, byte for byte. */

struct field_case {
	const char *label;
	enum mail_alert_severity severity;
	const char *class;
	const char *summary;
	const char *const *to;
	size_t	nto;
	const char *name;
	const char *want;
};

static const char *const one[] = {"ops@example.com"};
static const char *const three[] = {"ops@example.com", "noc@example.com",
    "postmaster@example.org"};
static const char *const six[] = {"first.operator@example.com",
    "second.operator@example.com", "third.operator@example.com",
    "fourth@example.com", "fifth@example.com", "sixth@example.com"};
static const char *const evil[] = {"ops@example.com\r\nBcc: x@example.net",
    "a b@example.com"};

static const struct field_case field_cases[] = {
	{"short subject", MAIL_ALERT_CRITICAL, "Hardware", "RAID degraded",
	    one, 1, "Subject",
	    "Subject: Critical-mail.example.com: (Hardware) RAID degraded\r\n"},
	{"info, class defaults to System", MAIL_ALERT_INFO, NULL, "Started",
	    one, 1, "Subject",
	    "Subject: Info-mail.example.com: (System) Started\r\n"},
	{"subject folded at 78", MAIL_ALERT_WARNING, "System",
	    "TLS was required for delivery to example.com but could not be "
	    "successfully negotiated", one, 1, "Subject",
	    "Subject: Warning-mail.example.com: (System) TLS was required for "
	    "delivery to\r\n\texample.com but could not be successfully "
	    "negotiated\r\n"},
	{"subject with line breaks", MAIL_ALERT_WARNING, "System",
	    "one\r\nBcc: x@example.net\ntwo", one, 1, "Subject",
	    "Subject: Warning-mail.example.com: (System) one??Bcc: "
	    "x@example.net?two\r\n"},
	{"one recipient", MAIL_ALERT_WARNING, "System", "x", one, 1, "To",
	    "To: ops@example.com\r\n"},
	{"three recipients", MAIL_ALERT_WARNING, "System", "x", three, 3,
	    "To", "To: ops@example.com, noc@example.com, "
	    "postmaster@example.org\r\n"},
	{"six recipients folded", MAIL_ALERT_WARNING, "System", "x", six, 6,
	    "To", "To: first.operator@example.com, second.operator@example.com,"
	    "\r\n\tthird.operator@example.com, fourth@example.com, "
	    "fifth@example.com,\r\n\tsixth@example.com\r\n"},
	{"hostile recipients", MAIL_ALERT_WARNING, "System", "x", evil, 2,
	    "To", "To: ops@example.com??Bcc:?x@example.net, "
	    "a?b@example.com\r\n"},
	{"from", MAIL_ALERT_WARNING, "System", "x", one, 1, "From",
	    "From: alert@mail.example.com\r\n"},
	{"date", MAIL_ALERT_WARNING, "System", "x", one, 1, "Date",
	    "Date: " NOW_DATE "\r\n"},
	{"auto-submitted", MAIL_ALERT_WARNING, "System", "x", one, 1,
	    "Auto-Submitted", "Auto-Submitted: auto-generated\r\n"},
};

Test(mail_alert, fields)
{
	size_t	i;

	utc();
	for (i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++) {
		const struct field_case *c = field_cases + i;
		struct mail_alert a;
		struct buf out;
		char   *got;

		alert_init(&a, c->to, c->nto);
		a.severity = c->severity;
		a.class = c->class;
		a.summary = c->summary;
		buf_init(&out, 0);
		mail_alert_compose(&a, &out);
		check_lines(&out, c->label);
		cr_assert_null(strstr(out.data, "\r\nBcc"), "%s", c->label);
		got = raw_field(out.data, c->name);
		cr_assert_not_null(got, "%s: no %s", c->label, c->name);
		cr_assert_str_eq(got, c->want, "%s", c->label);
		mem_free(got);
		buf_fini(&out);
	}
}

/* A subject too long for one line folds, each line within 78 columns. */

Test(mail_alert, long_subject)
{
	static const char *const to[] = {"ops@example.com"};
	struct mail_alert a;
	struct buf sum, out, unfolded;
	char   *subj;
	const char *p, *e;
	size_t	i;

	utc();
	buf_init(&sum, 0);
	for (i = 0; i < 40; i++)
		buf_printf(&sum, "word%zu ", i);
	buf_truncate(&sum, sum.len - 1);
	alert_init(&a, to, 1);
	a.summary = sum.data;
	buf_init(&out, 0);
	mail_alert_compose(&a, &out);
	check_lines(&out, "long subject");
	subj = raw_field(out.data, "Subject");
	cr_assert_not_null(subj);
	buf_init(&unfolded, 0);
	for (p = subj; *p; p = e + 2) {
		e = strstr(p, "\r\n");
		cr_assert_leq((size_t) (e - p), 78, "line too long: %.*s",
		    (int) (e - p), p);
		if (p != subj) {
			cr_assert_eq(*p, '\t');
			buf_putc(&unfolded, ' ');
			p++;
		}
		buf_append(&unfolded, p, (size_t) (e - p));
	}
	cr_assert(strstr(subj, "\r\n\t") != NULL, "not folded");
	cr_assert_str_eq(unfolded.data + strlen("Subject: Warning-mail."
	    "example.com: (System) "), sum.data);
	mem_free(subj);
	buf_fini(&unfolded);
	buf_fini(&out);
	buf_fini(&sum);
}

/* The required-TLS alert: severity, class, domain, and the whole message. */

Test(mail_alert, tls_required)
{
	static const char *const to[] = {"ops@example.com", "noc@example.com"};
	static const char want_head[] =
	    "From: alert@mail.example.com\r\n"
	    "To: ops@example.com, noc@example.com\r\n"
	    "Date: " NOW_DATE "\r\n"
	    "Message-ID: <alert.7.1795433403.";
	static const char want_rest[] =
	    "@mail.example.com>\r\n"
	    "Subject: Warning-mail.example.com: (System) TLS was required for "
	    "delivery to\r\n"
	    "\texample.net but could not be successfully negotiated\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=us-ascii\r\n"
	    "\r\n"
	    "TLS was required for delivery to example.net but could not be "
	    "successfully\r\n"
	    "negotiated.\r\n"
	    "\r\n";
	static const char want_tail[] =
	    "\r\n"
	    "Version: " PACKAGE_VERSION "\r\n"
	    "Hostname: mail.example.com\r\n"
	    "Timestamp: " NOW_DATE "\r\n";
	struct mail_alert a;
	struct buf sum, text, out;
	const char *rest;

	utc();
	alert_init(&a, to, 2);
	a.severity = MAIL_ALERT_INFO;
	a.class = "Other";
	buf_init(&sum, 0);
	buf_init(&text, 0);
	buf_puts(&sum, "old");
	mail_alert_tls_required(&a, "example.net", &sum, &text);
	cr_assert_eq(a.severity, MAIL_ALERT_WARNING);
	cr_assert_str_eq(a.class, "System");
	cr_assert_str_eq(a.summary, "TLS was required for delivery to "
	    "example.net but could not be successfully negotiated");
	cr_assert_eq(a.summary, sum.data);
	cr_assert_eq(a.text, text.data);
	cr_assert_not_null(strstr(a.text, "The TLS policy for the domain "
	    "example.net requires TLS"));

	buf_init(&out, 0);
	mail_alert_compose(&a, &out);
	check_lines(&out, "tls alert");
	cr_assert(strncmp(out.data, want_head, strlen(want_head)) == 0,
	    "head:\n%s", out.data);
	rest = strstr(out.data, want_rest);
	cr_assert_not_null(rest, "rest:\n%s", out.data);
	cr_assert_str_eq(out.data + out.len - strlen(want_tail), want_tail);
	buf_fini(&out);
	buf_fini(&sum);
	buf_fini(&text);
}

/* Untrusted domain text cannot break out of the subject or the body. */

Test(mail_alert, tls_required_hostile_domain)
{
	static const char *const to[] = {"ops@example.com"};
	struct mail_alert a;
	struct buf sum, text, out;
	char   *subj;

	utc();
	alert_init(&a, to, 1);
	buf_init(&sum, 0);
	buf_init(&text, 0);
	mail_alert_tls_required(&a, "evil.example\r\nBcc: x@example.net "
	    "\xc3\xa9", &sum, &text);
	cr_assert_str_eq(a.summary, "TLS was required for delivery to "
	    "evil.example??Bcc:?x@example.net??? but could not be "
	    "successfully negotiated");
	buf_init(&out, 0);
	mail_alert_compose(&a, &out);
	check_lines(&out, "hostile domain");
	cr_assert_null(strstr(out.data, "\r\nBcc"));
	subj = raw_field(out.data, "Subject");
	cr_assert_not_null(strstr(subj, "evil.example??Bcc:?x@example.net"));
	mem_free(subj);
	buf_fini(&out);
	buf_fini(&sum);
	buf_fini(&text);
}

/* Body text: 8-bit text is declared, long lines are wrapped. */

struct body_case {
	const char *label;
	const char *text;
	const char *ctype;
	const char *body_has;
};

Test(mail_alert, body)
{
	static const char *const to[] = {"ops@example.com"};
	static const struct body_case cases[] = {
		{"ascii", "All is well.", "Content-Type: text/plain; "
		    "charset=us-ascii\r\n\r\n", "\r\n\r\nAll is well.\r\n\r\n"
		    "Version: "},
		{"utf-8", "Caf\xc3\xa9 ferm\xc3\xa9.", "Content-Type: "
		    "text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
		    "8bit\r\n\r\n", "\r\n\r\nCaf\xc3\xa9 ferm\xc3\xa9.\r\n"},
		{"paragraphs", "one\n\ntwo\n", "charset=us-ascii",
		    "\r\n\r\none\r\n\r\ntwo\r\n\r\nVersion: "},
		{"bare CR", "a\rb", "charset=us-ascii", "\r\n\r\na?b\r\n"},
		{"empty", "", "charset=us-ascii", "\r\n\r\n\r\nVersion: "},
	};
	size_t	i;

	utc();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_alert a;
		struct buf out;

		alert_init(&a, to, 1);
		a.text = cases[i].text;
		buf_init(&out, 0);
		mail_alert_compose(&a, &out);
		check_lines(&out, cases[i].label);
		cr_assert_not_null(strstr(out.data, cases[i].ctype), "%s:\n%s",
		    cases[i].label, out.data);
		cr_assert_not_null(strstr(out.data, cases[i].body_has),
		    "%s:\n%s", cases[i].label, out.data);
		buf_fini(&out);
	}
}

Test(mail_alert, no_recipient_panics, .signal = SIGABRT)
{
	struct mail_alert a;
	struct buf out;

	alert_init(&a, NULL, 0);
	buf_init(&out, 0);
	mail_alert_compose(&a, &out);
}
