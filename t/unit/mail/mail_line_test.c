/*
 * NAME
 *	mail_line_test - unit tests for mail/mail_line
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "str.h"
#include "mail_line.h"

struct get_case {
	const char *label;
	const char *in;
	size_t	inlen;
	int	result;
	size_t	used;
	const char *line;		/* on OK/NUL */
	size_t	linelen;
};

#define S(x)	x, sizeof(x) - 1
#define MORE	MAIL_LINE_MORE
#define OK	MAIL_LINE_OK

static const struct get_case get_cases[] = {
	{"crlf", S("NOOP\r\n"), OK, 6, S("NOOP")},
	{"bare lf", S("NOOP\n"), OK, 5, S("NOOP")},
	{"pipelined", S("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"), OK, 17,
	    S("MAIL FROM:<a@b>")},
	{"empty line", S("\r\n"), OK, 2, S("")},
	{"empty lf", S("\n"), OK, 1, S("")},
	{"no end", S("NOOP"), MORE, 0, S("")},
	{"cr only", S("NOOP\r"), MORE, 0, S("")},
	{"nothing", S(""), MORE, 0, S("")},
	{"bare cr is data", S("EHLO a\rX-Injected: y\r\n"), OK, 22,
	    S("EHLO a\rX-Injected: y")},
	{"cr cr lf", S("NOOP\r\r\n"), OK, 7, S("NOOP\r")},
	{"nul", S("MAIL FROM:<a\0b@example.org>\r\n"), MAIL_LINE_NUL, 29,
	    S("MAIL FROM:<a\0b@example.org>")},
	{"nul only", S("\0\n"), MAIL_LINE_NUL, 2, S("\0")},
};

Test(mail_line, get_table)
{
	size_t	i;

	for (i = 0; i < sizeof(get_cases) / sizeof(get_cases[0]); i++) {
		const struct get_case *c = &get_cases[i];
		struct mail_line l;
		struct str line = {NULL, 0};
		size_t	used = 999;
		int	res;

		mail_line_init(&l, 512);
		res = mail_line_get(&l, c->in, c->inlen, &used, &line);
		cr_assert_eq(res, c->result, "%s: %d", c->label, res);
		cr_assert_eq(used, c->used, "%s: used %zu", c->label, used);
		if (res == OK || res == MAIL_LINE_NUL)
			cr_assert(str_eq(line, str_make(c->line, c->linelen)),
			    "%s: line", c->label);
	}
}

/* feed - run a whole input through, collect the events */

static void
feed(struct mail_line *l, const char *in, size_t len, size_t step,
    struct buf *events)
{
	struct buf pending;
	size_t	pos = 0;

	buf_init(&pending, 0);
	while (pos < len || pending.len) {
		size_t	n = len - pos < step ? len - pos : step, used;
		struct str line;
		int	res;

		buf_append(&pending, in + pos, n);
		pos += n;
		for (;;) {
			res = mail_line_get(l, pending.data, pending.len, &used,
			    &line);
			cr_assert(pending.len <= l->max + step,
			    "buffer grew to %zu", pending.len);
			if (res == OK) {
				buf_puts(events, "[");
				buf_append(events, line.ptr, line.len);
				buf_puts(events, "]");
			} else if (res == MAIL_LINE_TOO_LONG) {
				buf_puts(events, "LONG");
			}
			buf_consume(&pending, used);
			if (res == MORE && (used == 0 || pending.len == 0))
				break;
		}
		if (n == 0)
			break;
	}
	buf_fini(&pending);
}

Test(mail_line, length_limit)
{
	static const struct {
		size_t	pad;		/* octets before CRLF */
		const char *want;
	} cases[] = {
		{510, "[P][NOOP]"},	/* 512 with CRLF: the RFC minimum */
		{511, "LONG[NOOP]"},
		{4096, "LONG[NOOP]"},
		{65536, "LONG[NOOP]"},
	};
	size_t	i, step;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (step = 1; step <= 4096; step *= 8) {
			struct mail_line l;
			struct buf in, ev;

			buf_init(&in, 0);
			buf_init(&ev, 0);
			buf_reserve(&in, cases[i].pad);
			memset(in.data, 'P', cases[i].pad);
			in.len = cases[i].pad;
			buf_puts(&in, "\r\nNOOP\r\n");
			mail_line_init(&l, 0);
			cr_assert_eq(l.max, MAIL_LINE_MIN);
			feed(&l, in.data, in.len, step, &ev);
			if (cases[i].pad == 510)
				cr_assert_eq(ev.len, 510 + 2 + 6, "pad 510");
			else
				cr_assert_str_eq(ev.data, cases[i].want,
				    "pad %zu step %zu", cases[i].pad, step);
			buf_fini(&in);
			buf_fini(&ev);
		}
	}
}

Test(mail_line, configurable_limit)
{
	struct mail_line l;
	struct buf in, ev;

	buf_init(&in, 0);
	buf_init(&ev, 0);
	buf_reserve(&in, 2000);
	memset(in.data, 'Q', 2000);
	in.len = 2000;
	buf_puts(&in, "\r\n");
	mail_line_init(&l, 2048);
	feed(&l, in.data, in.len, 100, &ev);
	cr_assert_eq(ev.len, 2002, "%zu", ev.len);
	buf_fini(&in);
	buf_fini(&ev);
}

Test(mail_line, long_line_without_lf_is_bounded)
{
	struct mail_line l;
	char	chunk[1000];
	size_t	used, total = 0;
	struct str line;
	int	res, longs = 0, i;

	memset(chunk, 'z', sizeof(chunk));
	mail_line_init(&l, 512);
	for (i = 0; i < 1000; i++) {
		size_t	off = 0;

		while (off < sizeof(chunk)) {
			res = mail_line_get(&l, chunk + off,
			    sizeof(chunk) - off,
			    &used, &line);
			if (res == MAIL_LINE_TOO_LONG)
				longs++;
			cr_assert(used > 0 || sizeof(chunk) - off < 512);
			if (used == 0)
				break;
			off += used;
			total += used;
		}
	}
	cr_assert_eq(longs, 1, "reported once per line");
	cr_assert_eq(total, sizeof(chunk) * 1000);
	res = mail_line_get(&l, "x\r\nQUIT\r\n", 9, &used, &line);
	cr_assert_eq(res, MORE);
	cr_assert_eq(used, 3);
	res = mail_line_get(&l, "QUIT\r\n", 6, &used, &line);
	cr_assert_eq(res, OK);
	cr_assert(str_eq(line, STR_LIT("QUIT")));
}

struct verb_case {
	const char *line;
	enum mail_verb verb;
	const char *arg;
};

Test(mail_line, verbs)
{
	static const struct verb_case cases[] = {
		{"HELO a.example", MAIL_VERB_HELO, "a.example"},
		{"ehlo a.example", MAIL_VERB_EHLO, "a.example"},
		{"EhLo a.example  ", MAIL_VERB_EHLO, "a.example"},
		{"MAIL FROM:<a@b>", MAIL_VERB_MAIL, "FROM:<a@b>"},
		{"mail from:<a@b> SIZE=1", MAIL_VERB_MAIL, "from:<a@b> SIZE=1"},
		{"RCPT TO:<c@d>", MAIL_VERB_RCPT, "TO:<c@d>"},
		{"DATA", MAIL_VERB_DATA, ""},
		{"data", MAIL_VERB_DATA, ""},
		{"DATA ", MAIL_VERB_DATA, ""},
		{"BDAT 5 LAST", MAIL_VERB_BDAT, "5 LAST"},
		{"RSET", MAIL_VERB_RSET, ""},
		{"NOOP anything", MAIL_VERB_NOOP, "anything"},
		{"QUIT", MAIL_VERB_QUIT, ""},
		{"VRFY x", MAIL_VERB_VRFY, "x"},
		{"EXPN x", MAIL_VERB_EXPN, "x"},
		{"HELP", MAIL_VERB_HELP, ""},
		{"STARTTLS", MAIL_VERB_STARTTLS, ""},
		{"starttls", MAIL_VERB_STARTTLS, ""},
		{"AUTH PLAIN AGFAAGI=", MAIL_VERB_AUTH, "PLAIN AGFAAGI="},
		{"ETRN x", MAIL_VERB_ETRN, "x"},
		{"", MAIL_VERB_UNKNOWN, ""},
		{"FOO", MAIL_VERB_UNKNOWN, ""},
		{"MAILFROM:<a@b>", MAIL_VERB_UNKNOWN, ""},
		{"MAIL\tFROM:<a@b>", MAIL_VERB_UNKNOWN, ""},
		{" MAIL FROM:<a@b>", MAIL_VERB_UNKNOWN, "MAIL FROM:<a@b>"},
		{"STARTTLSX", MAIL_VERB_UNKNOWN, ""},
		{"GET / HTTP/1.0", MAIL_VERB_UNKNOWN, "/ HTTP/1.0"},
		{"MAIL  FROM:<a@b>", MAIL_VERB_MAIL, " FROM:<a@b>"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct str arg;
		enum mail_verb v = mail_line_verb(str_from(cases[i].line),
		    &arg);

		cr_assert_eq(v, cases[i].verb, "'%s': %d", cases[i].line, v);
		if (v != MAIL_VERB_UNKNOWN || cases[i].arg[0])
			cr_assert(str_eq(arg, str_from(cases[i].arg)),
			    "'%s': arg", cases[i].line);
	}
	cr_assert_str_eq(mail_line_verb_name(MAIL_VERB_STARTTLS), "STARTTLS");
	cr_assert_str_eq(mail_line_verb_name(MAIL_VERB_UNKNOWN), "UNKNOWN");
}

Test(mail_line, has_ctl)
{
	static const struct {
		const char *s;
		size_t	len;
		int	want;
	} cases[] = {
		{S("a.example"), 0},
		{S("a b\tc"), 0},
		{S("a\rb"), 1},
		{S("a\nb"), 1},
		{S("a\0b"), 1},
		{S("a\x1b"), 1},
		{S("a\x7f"), 1},
		{S("\xc3\xa4"), 0},
		{S(""), 0},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(mail_line_has_ctl(str_make(cases[i].s,
		    cases[i].len)), cases[i].want, "case %zu", i);
}
