/*
 * NAME
 *	mail_addr_test - unit tests for mail/mail_addr, RFC 5321 paths
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "str.h"
#include "mail_reply.h"
#include "mail_addr.h"

#define SND	MAIL_ADDR_SENDER
#define RCP	MAIL_ADDR_RECIPIENT
#define UTF8	MAIL_ADDR_OPT_SMTPUTF8
#define LENIENT	MAIL_ADDR_OPT_LENIENT

struct addr_case {
	const char *label;
	enum mail_addr_kind kind;
	int	opts;
	const char *arg;		/* after "MAIL " / "RCPT " */
	int	status;
	const char *local;		/* on success */
	const char *domain_lc;
	int	flags;
	const char *rest;
	const char *formatted;		/* mail_addr_format(), or NULL */
};

#define OK	MAIL_ADDR_OK
#define BAD(label, kind, opts, arg, status) \
	{label, kind, opts, arg, status, NULL, NULL, 0, NULL, NULL}

static const struct addr_case addr_cases[] = {
	/* Accepted (reliability-security.md case 12). */
	{"simple", SND, 0, "FROM:<a@example.org>", OK, "a", "example.org", 0,
	    "", "<a@example.org>"},
	{"keyword case", SND, 0, "from:<a@example.org>", OK, "a",
	    "example.org", 0, "", NULL},
	{"keyword mixed", RCP, 0, "To:<b@example.net>", OK, "b", "example.net",
	    0, "", NULL},
	{"space after colon", SND, 0, "FROM: <a@example.org>", OK, "a",
	    "example.org", 0, "", NULL},
	{"spaces after colon", SND, 0, "FROM:   <a@example.org>", OK, "a",
	    "example.org", 0, "", NULL},
	{"null sender", SND, 0, "FROM:<>", OK, "", "", MAIL_ADDR_F_NULL, "",
	    "<>"},
	{"null sender params", SND, 0, "FROM:<> SIZE=10", OK, "", "",
	    MAIL_ADDR_F_NULL, "SIZE=10", NULL},
	{"postmaster", RCP, 0, "TO:<postmaster>", OK, "postmaster", "",
	    MAIL_ADDR_F_POSTMASTER | MAIL_ADDR_F_NO_DOMAIN, "", "<postmaster>"},
	{"Postmaster case", RCP, 0, "TO:<PostMaster>", OK, "PostMaster", "",
	    MAIL_ADDR_F_POSTMASTER | MAIL_ADDR_F_NO_DOMAIN, "", "<PostMaster>"},
	{"postmaster at domain", RCP, 0, "TO:<Postmaster@Our.Domain>", OK,
	    "Postmaster", "our.domain", MAIL_ADDR_F_POSTMASTER, "",
	    "<Postmaster@Our.Domain>"},
	{"quoted space", RCP, 0, "TO:<\"a b\"@example.net>", OK, "\"a b\"",
	    "example.net", MAIL_ADDR_F_QUOTED, "", "<\"a b\"@example.net>"},
	{"quoted quote", RCP, 0, "TO:<\"a\\\"b\"@example.net>", OK,
	    "\"a\\\"b\"", "example.net", MAIL_ADDR_F_QUOTED, "",
	    "<\"a\\\"b\"@example.net>"},
	{"quoted needlessly", RCP, 0, "TO:<\"abc\"@x.example>", OK, "\"abc\"",
	    "x.example", MAIL_ADDR_F_QUOTED, "", "<abc@x.example>"},
	{"quoted dotted", RCP, 0, "TO:<\"a.b\"@x.example>", OK, "\"a.b\"",
	    "x.example", MAIL_ADDR_F_QUOTED, "", "<a.b@x.example>"},
	{"quoted leading dot", RCP, 0, "TO:<\".a\"@x.example>", OK, "\".a\"",
	    "x.example", MAIL_ADDR_F_QUOTED, "", "<\".a\"@x.example>"},
	{"quoted double dot", RCP, 0, "TO:<\"a..b\"@x.example>", OK,
	    "\"a..b\"", "x.example", MAIL_ADDR_F_QUOTED, "",
	    "<\"a..b\"@x.example>"},
	{"quoted backslash", RCP, 0, "TO:<\"a\\\\b\"@x.example>", OK,
	    "\"a\\\\b\"", "x.example", MAIL_ADDR_F_QUOTED, "",
	    "<\"a\\\\b\"@x.example>"},
	{"quoted pair needless", RCP, 0, "TO:<\"\\a\"@x.example>", OK,
	    "\"\\a\"", "x.example", MAIL_ADDR_F_QUOTED, "", "<a@x.example>"},
	{"quoted gt", RCP, 0, "TO:<\"a>b\"@example.net> NOTIFY=NEVER", OK,
	    "\"a>b\"", "example.net", MAIL_ADDR_F_QUOTED, "NOTIFY=NEVER", NULL},
	{"quoted empty", RCP, 0, "TO:<\"\"@example.net>", OK, "\"\"",
	    "example.net", MAIL_ADDR_F_QUOTED, "", NULL},
	{"quoted at", RCP, 0, "TO:<\"a@b\"@example.net>", OK, "\"a@b\"",
	    "example.net", MAIL_ADDR_F_QUOTED, "", NULL},
	{"ipv4 literal", RCP, 0, "TO:<b@[192.0.2.1]>", OK, "b", "[192.0.2.1]",
	    MAIL_ADDR_F_LITERAL, "", "<b@[192.0.2.1]>"},
	{"ipv6 literal", RCP, 0, "TO:<b@[IPv6:2001:db8::1]>", OK, "b",
	    "[ipv6:2001:db8::1]", MAIL_ADDR_F_LITERAL, "",
	    "<b@[IPv6:2001:db8::1]>"},
	{"ipv6 full", RCP, 0, "TO:<b@[IPv6:2001:db8:0:0:0:0:0:1]>", OK, "b",
	    "[ipv6:2001:db8:0:0:0:0:0:1]", MAIL_ADDR_F_LITERAL, "", NULL},
	{"ipv6 v4 tail", RCP, 0, "TO:<b@[IPv6:::ffff:192.0.2.1]>", OK, "b",
	    "[ipv6:::ffff:192.0.2.1]", MAIL_ADDR_F_LITERAL, "", NULL},
	{"source route", RCP, 0, "TO:<@relay.example:b@example.net>", OK, "b",
	    "example.net", MAIL_ADDR_F_ROUTE, "", "<b@example.net>"},
	{"source route two", SND, 0, "FROM:<@a.example,@b.example:u@c.example>",
	    OK, "u", "c.example", MAIL_ADDR_F_ROUTE, "", "<u@c.example>"},
	{"domain lowercased", SND, 0, "FROM:<Joe@EXAMPLE.Org>", OK, "Joe",
	    "example.org", 0, "", "<Joe@EXAMPLE.Org>"},
	{"dots in local", SND, 0, "FROM:<a.b.c@x.example>", OK, "a.b.c",
	    "x.example", 0, "", NULL},
	{"atext specials", SND, 0, "FROM:<!#$%&'*+-/=?^_`{|}~@x.example>", OK,
	    "!#$%&'*+-/=?^_`{|}~", "x.example", 0, "", NULL},
	{"format string inert", SND, 0, "FROM:<%n%s%s@x.example>", OK,
	    "%n%s%s", "x.example", 0, "", "<%n%s%s@x.example>"},
	{"expansion inert", RCP, 0, "TO:<${run{x}}@localhost>", OK,
	    "${run{x}}", "localhost", 0, "", "<${run{x}}@localhost>"},
	{"single label", RCP, 0, "TO:<a@localhost>", OK, "a", "localhost", 0,
	    "", NULL},
	{"digit label", RCP, 0, "TO:<a@123.example>", OK, "a", "123.example",
	    0, "", NULL},
	{"hyphen inside", RCP, 0, "TO:<a@a-b.example>", OK, "a", "a-b.example",
	    0, "", NULL},
	{"params kept", SND, 0, "FROM:<a@b.example> SIZE=100 BODY=8BITMIME",
	    OK, "a", "b.example", 0, "SIZE=100 BODY=8BITMIME", NULL},
	{"params many spaces", SND, 0, "FROM:<a@b.example>   SIZE=1", OK, "a",
	    "b.example", 0, "SIZE=1", NULL},
	{"utf8 domain", SND, UTF8, "FROM:<a@ex\xc3\xa4mple.org>", OK, "a",
	    "ex\xc3\xa4mple.org", MAIL_ADDR_F_UTF8, "", NULL},
	{"utf8 local", SND, UTF8, "FROM:<\xc3\xa4@example.org>", OK,
	    "\xc3\xa4", "example.org", MAIL_ADDR_F_UTF8, "", NULL},
	{"utf8 quoted", RCP, UTF8, "TO:<\"\xe2\x82\xac x\"@example.org>", OK,
	    "\"\xe2\x82\xac x\"", "example.org",
	    MAIL_ADDR_F_UTF8 | MAIL_ADDR_F_QUOTED, "", NULL},
	{"utf8 4 bytes", RCP, UTF8, "TO:<\xf0\x9f\x98\x80@example.org>", OK,
	    "\xf0\x9f\x98\x80", "example.org", MAIL_ADDR_F_UTF8, "", NULL},
	{"lenient bare", SND, LENIENT, "FROM:a@b.example SIZE=1", OK, "a",
	    "b.example", 0, "SIZE=1", "<a@b.example>"},
	{"lenient bracketed", SND, LENIENT, "FROM:<a@b.example>", OK, "a",
	    "b.example", 0, "", NULL},
	{"local 64", SND, 0, "FROM:<"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "@example.org>", OK,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "example.org", 0, "", NULL},
	{"label 63", SND, 0, "FROM:<a@"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    ".example>", OK, "a",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    ".example", 0, "", NULL},

	/* Rejected. */
	BAD("no keyword", SND, 0, "<a@example.org>", MAIL_ADDR_ERR_KEYWORD),
	BAD("wrong keyword", SND, 0, "TO:<a@example.org>",
	    MAIL_ADDR_ERR_KEYWORD),
	BAD("keyword no colon", SND, 0, "FROM <a@example.org>",
	    MAIL_ADDR_ERR_KEYWORD),
	BAD("no brackets", SND, 0, "FROM:a@example.org",
	    MAIL_ADDR_ERR_NO_BRACKETS),
	BAD("nothing", SND, 0, "FROM:", MAIL_ADDR_ERR_NO_BRACKETS),
	BAD("nothing lenient", SND, LENIENT, "FROM:",
	    MAIL_ADDR_ERR_NO_BRACKETS),
	BAD("unbalanced", SND, 0, "FROM:<a@example.org",
	    MAIL_ADDR_ERR_UNBALANCED),
	BAD("unbalanced quote", RCP, 0, "TO:<\"a>@example.org>",
	    MAIL_ADDR_ERR_UNBALANCED),
	BAD("double gt", SND, 0, "FROM:<a@example.org>>",
	    MAIL_ADDR_ERR_TRAILING),
	BAD("trailing junk", SND, 0, "FROM:<a@example.org>junk",
	    MAIL_ADDR_ERR_TRAILING),
	BAD("double lt", SND, 0, "FROM:<<a@example.org>>",
	    MAIL_ADDR_ERR_TRAILING),
	BAD("double lt inside", SND, 0, "FROM:<<a@example.org>",
	    MAIL_ADDR_ERR_LOCAL),
	BAD("gt inside local", SND, 0, "FROM:<a>b@example.org>",
	    MAIL_ADDR_ERR_TRAILING),
	BAD("at at", SND, 0, "FROM:<a@@example.org>", MAIL_ADDR_ERR_DOMAIN),
	BAD("at only", SND, 0, "FROM:<@>", MAIL_ADDR_ERR_ROUTE),
	BAD("empty local", SND, 0, "FROM:<@example.org>", MAIL_ADDR_ERR_ROUTE),
	BAD("empty domain", SND, 0, "FROM:<a@>", MAIL_ADDR_ERR_DOMAIN),
	BAD("no domain sender", SND, 0, "FROM:<a>", MAIL_ADDR_ERR_NO_DOMAIN),
	BAD("no domain rcpt", RCP, 0, "TO:<bob>", MAIL_ADDR_ERR_NO_DOMAIN),
	BAD("postmaster sender no domain", SND, 0, "FROM:<postmaster>",
	    MAIL_ADDR_ERR_NO_DOMAIN),
	BAD("null rcpt", RCP, 0, "TO:<>", MAIL_ADDR_ERR_EMPTY),
	BAD("space inside", SND, 0, "FROM:<a b@example.org>",
	    MAIL_ADDR_ERR_LOCAL),
	BAD("space in domain", SND, 0, "FROM:<a@exa mple.org>",
	    MAIL_ADDR_ERR_DOMAIN),
	BAD("leading dot local", SND, 0, "FROM:<.a@example.org>",
	    MAIL_ADDR_ERR_LOCAL),
	BAD("trailing dot local", SND, 0, "FROM:<a.@example.org>",
	    MAIL_ADDR_ERR_LOCAL),
	BAD("double dot local", SND, 0, "FROM:<a..b@example.org>",
	    MAIL_ADDR_ERR_LOCAL),
	BAD("trailing dot domain", SND, 0, "FROM:<a@example.org.>",
	    MAIL_ADDR_ERR_DOMAIN),
	BAD("leading dot domain", SND, 0, "FROM:<a@.example.org>",
	    MAIL_ADDR_ERR_DOMAIN),
	BAD("double dot domain", SND, 0, "FROM:<a@example..org>",
	    MAIL_ADDR_ERR_DOMAIN),
	BAD("leading hyphen", SND, 0, "FROM:<a@-example.org>",
	    MAIL_ADDR_ERR_DOMAIN),
	BAD("trailing hyphen", SND, 0, "FROM:<a@example-.org>",
	    MAIL_ADDR_ERR_DOMAIN),
	BAD("underscore domain", SND, 0, "FROM:<a@ex_ample.org>",
	    MAIL_ADDR_ERR_DOMAIN),
	BAD("label 64", SND, 0, "FROM:<a@"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    ".example>", MAIL_ADDR_ERR_LABEL_LONG),
	BAD("local 65", SND, 0, "FROM:<"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "@example.org>", MAIL_ADDR_ERR_LOCAL_LONG),
	BAD("shell metachars no domain", SND, 0, "FROM:<;sleep 66;>",
	    MAIL_ADDR_ERR_LOCAL),
	{"shell metachars", SND, 0, "FROM:<;sleep${IFS}66;@x.example>",
	    MAIL_ADDR_ERR_LOCAL, NULL, NULL, 0, NULL, NULL},
	BAD("pipe command", RCP, 0, "TO:<\"|/bin/sh\">",
	    MAIL_ADDR_ERR_NO_DOMAIN),
	BAD("NUL", SND, 0, "FROM:<a\0b@example.org>", MAIL_ADDR_ERR_CTL),
	BAD("CR", RCP, 0, "TO:<b\r@example.net>", MAIL_ADDR_ERR_CTL),
	BAD("LF", RCP, 0, "TO:<b\n@example.net>", MAIL_ADDR_ERR_CTL),
	BAD("tab", RCP, 0, "TO:<b\t@example.net>", MAIL_ADDR_ERR_CTL),
	BAD("DEL", RCP, 0, "TO:<b\x7f@example.net>", MAIL_ADDR_ERR_CTL),
	BAD("CTL in quotes", RCP, 0, "TO:<\"b\x01\"@example.net>",
	    MAIL_ADDR_ERR_CTL),
	BAD("CR in domain", RCP, 0, "TO:<b@exam\rple.net>", MAIL_ADDR_ERR_CTL),
	BAD("8bit without smtputf8", SND, 0, "FROM:<a@ex\xc3\xa4mple.org>",
	    MAIL_ADDR_ERR_NEED_SMTPUTF8),
	BAD("8bit local without smtputf8", RCP, 0, "TO:<\xc3\xa4@example.org>",
	    MAIL_ADDR_ERR_NEED_SMTPUTF8),
	BAD("latin1 without smtputf8", RCP, 0, "TO:<\xe4@example.org>",
	    MAIL_ADDR_ERR_NEED_SMTPUTF8),
	BAD("bad utf8", SND, UTF8, "FROM:<a@\xc3\x28.example>",
	    MAIL_ADDR_ERR_BAD_UTF8),
	BAD("overlong utf8", SND, UTF8, "FROM:<\xc0\xaf@example.org>",
	    MAIL_ADDR_ERR_BAD_UTF8),
	BAD("surrogate utf8", SND, UTF8, "FROM:<\xed\xa0\x80@example.org>",
	    MAIL_ADDR_ERR_BAD_UTF8),
	BAD("truncated utf8", SND, UTF8, "FROM:<a@example.org\xc3>",
	    MAIL_ADDR_ERR_BAD_UTF8),
	BAD("above U+10FFFF", SND, UTF8, "FROM:<\xf4\x90\x80\x80@example.org>",
	    MAIL_ADDR_ERR_BAD_UTF8),
	BAD("ipv4 bad octet", RCP, 0, "TO:<b@[192.0.2.256]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("ipv4 three parts", RCP, 0, "TO:<b@[192.0.2]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("ipv4 five parts", RCP, 0, "TO:<b@[192.0.2.1.5]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("ipv4 four digits", RCP, 0, "TO:<b@[192.0.2.0001]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("literal unclosed", RCP, 0, "TO:<b@[192.0.2.1>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("literal empty", RCP, 0, "TO:<b@[]>", MAIL_ADDR_ERR_LITERAL),
	BAD("ipv6 no tag", RCP, 0, "TO:<b@[2001:db8::1]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("ipv6 bad", RCP, 0, "TO:<b@[IPv6:2001:db8:::1]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("ipv6 junk", RCP, 0, "TO:<b@[IPv6:2001:db8::g]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("ipv6 too many", RCP, 0, "TO:<b@[IPv6:1:2:3:4:5:6:7:8:9]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("general literal", RCP, 0, "TO:<b@[x400:foo]>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("literal then junk", RCP, 0, "TO:<b@[192.0.2.1]x>",
	    MAIL_ADDR_ERR_LITERAL),
	BAD("route no colon", RCP, 0, "TO:<@relay.example>",
	    MAIL_ADDR_ERR_ROUTE),
	BAD("route bad domain", RCP, 0, "TO:<@-x:b@example.net>",
	    MAIL_ADDR_ERR_ROUTE),
	BAD("route empty element", RCP, 0, "TO:<@a,,@b:c@d.example>",
	    MAIL_ADDR_ERR_ROUTE),
	BAD("route missing at", RCP, 0, "TO:<@a,b:c@d.example>",
	    MAIL_ADDR_ERR_ROUTE),
	BAD("unquoted specials", RCP, 0, "TO:<a(b)@example.net>",
	    MAIL_ADDR_ERR_LOCAL),
	BAD("backslash outside quotes", RCP, 0, "TO:<a\\b@example.net>",
	    MAIL_ADDR_ERR_LOCAL),
	BAD("comma local", RCP, 0, "TO:<a,b@example.net>", MAIL_ADDR_ERR_LOCAL),
	BAD("quote then junk", RCP, 0, "TO:<\"a\"b@example.net>",
	    MAIL_ADDR_ERR_LOCAL),
	BAD("two ats", RCP, 0, "TO:<a@b@example.net>", MAIL_ADDR_ERR_DOMAIN),
	{"percent hack is atext", RCP, 0, "TO:<a%b@example.net>", OK, "a%b",
	    "example.net", 0, "", NULL},
	BAD("params without space", SND, 0, "FROM:<a@b.example>SIZE=1",
	    MAIL_ADDR_ERR_TRAILING),
};

Test(mail_addr, table)
{
	size_t	i;

	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct mail_addr a;
		struct str rest = {NULL, 0};
		size_t	arglen = strlen(c->arg);
		int	st;

		/* Arguments with a NUL: the table string ends at it. */
		if (strcmp(c->label, "NUL") == 0)
			arglen = sizeof("FROM:<a\0b@example.org>") - 1;
		mail_addr_init(&a);
		st = mail_addr_parse(c->kind, str_make(c->arg, arglen), c->opts,
		    &a, &rest);
		cr_assert_eq(st, c->status, "%s: status %d (%s), want %d",
		    c->label, st, mail_addr_strerror(st), c->status);
		if (st != OK) {
			cr_assert_null(a.local, "%s: half-filled", c->label);
			continue;
		}
		cr_assert_str_eq(a.local, c->local, "%s: local", c->label);
		cr_assert_str_eq(a.domain_lc, c->domain_lc, "%s: domain",
		    c->label);
		cr_assert_eq(a.flags, c->flags, "%s: flags %#x", c->label,
		    a.flags);
		cr_assert_eq(rest.len, strlen(c->rest), "%s: rest", c->label);
		cr_assert(memcmp(rest.ptr, c->rest, rest.len) == 0,
		    "%s: rest bytes", c->label);
		if (c->formatted) {
			struct buf b;

			buf_init(&b, 0);
			mail_addr_format(&a, &b);
			cr_assert_str_eq(b.data, c->formatted, "%s: format",
			    c->label);
			buf_fini(&b);
		}
		mail_addr_fini(&a);
	}
}

Test(mail_addr, local_value)
{
	static const struct {
		const char *arg;
		const char *dec;
	} cases[] = {
		{"TO:<plain@x.example>", "plain"},
		{"TO:<\"a b\"@x.example>", "a b"},
		{"TO:<\"a\\\"b\"@x.example>", "a\"b"},
		{"TO:<\"a\\\\b\"@x.example>", "a\\b"},
		{"TO:<\"\"@x.example>", ""},
		{"TO:<postmaster>", "postmaster"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_addr a;
		struct str rest;

		mail_addr_init(&a);
		cr_assert_eq(mail_addr_parse(RCP, str_from(cases[i].arg), 0, &a,
		    &rest), OK, "%s", cases[i].arg);
		cr_assert_str_eq(a.local_dec, cases[i].dec, "%s", cases[i].arg);
		mail_addr_fini(&a);
	}
}

/* The original domain is kept for logging; raw drops the route. */
Test(mail_addr, original_and_raw)
{
	struct mail_addr a;
	struct str rest;

	mail_addr_init(&a);
	cr_assert_eq(mail_addr_parse(RCP,
	    STR_LIT("TO:<@r.example:Bob@EXAMPLE.net> X"), 0, &a, &rest), OK);
	cr_assert_str_eq(a.domain, "EXAMPLE.net");
	cr_assert_str_eq(a.domain_lc, "example.net");
	cr_assert_str_eq(a.raw, "<Bob@EXAMPLE.net>");
	mail_addr_fini(&a);
	cr_assert_null(a.raw);
}

/* Length limits of RFC 5321 section 4.5.3.1. */
Test(mail_addr, lengths)
{
	static const struct {
		size_t	local, domain;
		int	status;
	} cases[] = {
		{1, 250, OK},			/* path 1+1+250+2 = 254 */
		{1, 252, OK},			/* 256 exactly */
		{1, 253, MAIL_ADDR_ERR_PATH_LONG},	/* 257 */
		{64, 188, OK},			/* 64+1+188+2 = 255 */
		{64, 189, OK},
		{64, 190, MAIL_ADDR_ERR_PATH_LONG},
		{65, 10, MAIL_ADDR_ERR_LOCAL_LONG},
		{10000, 10, MAIL_ADDR_ERR_PATH_LONG},
		{1, 10000, MAIL_ADDR_ERR_PATH_LONG},
	};
	size_t	i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		struct mail_addr a;
		int	st;

		buf_init(&b, 0);
		buf_putc(&b, '<');
		for (j = 0; j < cases[i].local; j++)
			buf_putc(&b, 'l');
		buf_putc(&b, '@');
		/* Labels of 49 letters and a dot. */
		for (j = 0; j < cases[i].domain; j++)
			buf_putc(&b, (j % 50 == 49) ? '.' : 'd');
		if (b.data[b.len - 1] == '.')
			b.data[b.len - 1] = 'd';
		buf_putc(&b, '>');
		mail_addr_init(&a);
		st = mail_addr_parse_path(RCP, str_make(b.data, b.len), 0, &a);
		cr_assert_eq(st, cases[i].status, "local %zu domain %zu: %d",
		    cases[i].local, cases[i].domain, st);
		mail_addr_fini(&a);
		buf_fini(&b);
	}
}

Test(mail_addr, domain_alone_255)
{
	struct buf b;
	struct mail_addr a;
	size_t	j;

	/* A 256-octet domain is refused as such even in lenient mode. */
	buf_init(&b, 0);
	buf_puts(&b, "x@");
	for (j = 0; j < 256; j++)
		buf_putc(&b, (j % 50 == 49) ? '.' : 'd');
	mail_addr_init(&a);
	cr_assert_eq(mail_addr_parse_path(RCP, str_make(b.data, b.len),
	    LENIENT, &a), MAIL_ADDR_ERR_PATH_LONG);
	buf_fini(&b);
}

/* MAIL FROM: split, then the session learns SMTPUTF8, then parses. */
Test(mail_addr, split_then_parse)
{
	struct str path, rest;
	struct mail_addr a;

	cr_assert_eq(mail_addr_split(SND,
	    STR_LIT("FROM:<\xc3\xa4@example.org> SMTPUTF8"), 0, &path, &rest),
	    OK);
	cr_assert(str_eq(path, STR_LIT("<\xc3\xa4@example.org>")));
	cr_assert(str_eq(rest, STR_LIT("SMTPUTF8")));
	mail_addr_init(&a);
	cr_assert_eq(mail_addr_parse_path(SND, path, 0, &a),
	    MAIL_ADDR_ERR_NEED_SMTPUTF8);
	cr_assert_eq(mail_addr_parse_path(SND, path, UTF8, &a), OK);
	cr_assert(a.flags & MAIL_ADDR_F_UTF8);
	mail_addr_fini(&a);
}

struct reply_case {
	enum mail_addr_kind kind;
	int	status;
	int	code;
	const char *enhanced;
};

Test(mail_addr, replies)
{
	static const struct reply_case cases[] = {
		{SND, MAIL_ADDR_ERR_LOCAL, 501, "5.1.7"},
		{SND, MAIL_ADDR_ERR_UNBALANCED, 501, "5.1.7"},
		{SND, MAIL_ADDR_ERR_NO_BRACKETS, 501, "5.1.7"},
		{SND, MAIL_ADDR_ERR_CTL, 501, "5.1.7"},
		{RCP, MAIL_ADDR_ERR_DOMAIN, 501, "5.1.3"},
		{RCP, MAIL_ADDR_ERR_TRAILING, 501, "5.1.3"},
		{RCP, MAIL_ADDR_ERR_EMPTY, 501, "5.1.3"},
		{SND, MAIL_ADDR_ERR_KEYWORD, 501, "5.5.4"},
		{RCP, MAIL_ADDR_ERR_NEED_SMTPUTF8, 553, "5.6.7"},
		{SND, MAIL_ADDR_ERR_NEED_SMTPUTF8, 553, "5.6.7"},
		{SND, MAIL_ADDR_ERR_BAD_UTF8, 501, "5.6.7"},
		{RCP, MAIL_ADDR_ERR_PATH_LONG, 501, "5.1.0"},
		{RCP, MAIL_ADDR_ERR_LOCAL_LONG, 501, "5.1.0"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_reply r;
		struct buf b;

		mail_reply_init(&r);
		mail_addr_reply(cases[i].kind, cases[i].status, &r);
		cr_assert_eq(r.code, cases[i].code, "case %zu: %d", i, r.code);
		cr_assert_str_eq(r.enhanced, cases[i].enhanced, "case %zu", i);
		buf_init(&b, 0);
		mail_reply_format(&r, &b);
		cr_assert(b.len > 12 && memcmp(b.data + b.len - 2, "\r\n", 2)
		    == 0, "case %zu: %s", i, b.data);
		buf_fini(&b);
		mail_reply_fini(&r);
	}
}

Test(mail_addr, strerror_covers_all)
{
	int	st;

	for (st = MAIL_ADDR_ERR_LABEL_LONG; st < 0; st++)
		cr_assert_str_neq(mail_addr_strerror(st),
		    "unknown address error", "status %d", st);
	cr_assert_str_eq(mail_addr_strerror(-999), "unknown address error");
}

/*
 * Random paths over the bytes that matter: the parser never reads out of
 * bounds (ASan), and whatever it accepts formats to a path that parses
 * again to the same value.
 */
Test(mail_addr, random_round_trip)
{
	static const char alphabet[] =
	    "<>@\"\\.:,[]a-Z09 \t\r\0\xc3\xa4\x80%$IPv6";
	unsigned long seed = 42;
	int	iter, accepted = 0;

	for (iter = 0; iter < 200000; iter++) {
		char	in[24];
		size_t	len, i;
		struct mail_addr a, b;
		struct buf out;
		int	kind, opts;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		len = (seed >> 33) % sizeof(in);
		kind = (seed >> 40) & 1 ? RCP : SND;
		opts = (seed >> 41) & 1 ? UTF8 : 0;
		in[0] = '<';
		for (i = 1; i < len; i++) {
			seed = seed * 6364136223846793005UL
			    + 1442695040888963407UL;
			in[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		if (len > 1)
			in[len - 1] = '>';
		mail_addr_init(&a);
		if (mail_addr_parse_path(kind, str_make(in, len), opts, &a)
		    != OK) {
			cr_assert_null(a.local);
			continue;
		}
		accepted++;
		buf_init(&out, 0);
		mail_addr_format(&a, &out);
		mail_addr_init(&b);
		cr_assert_eq(mail_addr_parse_path(kind, str_make(out.data,
		    out.len), opts, &b), OK, "iteration %d: '%s' reparsed",
		    iter, out.data);
		cr_assert_str_eq(a.local_dec, b.local_dec, "iteration %d",
		    iter);
		cr_assert_str_eq(a.domain_lc, b.domain_lc, "iteration %d",
		    iter);
		cr_assert_eq(a.flags
		    & ~(MAIL_ADDR_F_QUOTED | MAIL_ADDR_F_ROUTE),
		    b.flags & ~MAIL_ADDR_F_QUOTED, "iteration %d", iter);
		mail_addr_fini(&a);
		mail_addr_fini(&b);
		buf_fini(&out);
	}
	cr_assert(accepted > 1000, "only %d accepted: the generator is weak",
	    accepted);
}
