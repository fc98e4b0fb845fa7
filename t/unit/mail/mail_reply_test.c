/*
 * NAME
 *	mail_reply_test - unit tests for mail/mail_reply
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "msg.h"
#include "str.h"
#include "mail_reply.h"

struct id_case {
	enum mail_reply_id id;
	const char *arg;
	const char *wire;
};

/* The texts that ESA, RFCs and our design fix, byte for byte. */
static const struct id_case id_cases[] = {
	{MAIL_REPLY_UNRECOGNIZED, NULL,
	    "500 #5.5.1 command not recognized\r\n"},
	{MAIL_REPLY_TOO_MANY_BAD, NULL,
	    "421 Exceeded bad SMTP command limit, disconnecting.\r\n"},
	{MAIL_REPLY_NEED_STARTTLS, NULL,
	    "530 5.7.0 Must issue a STARTTLS command first\r\n"},
	{MAIL_REPLY_BAD_SEQUENCE, NULL,
	    "503 5.5.1 Bad sequence of commands\r\n"},
	{MAIL_REPLY_SYNTAX, NULL, "501 5.5.2 Syntax error\r\n"},
	{MAIL_REPLY_NO_STORAGE, NULL,
	    "452 4.3.1 Insufficient system storage\r\n"},
	{MAIL_REPLY_TOO_BIG, NULL,
	    "552 5.3.4 Message size exceeds fixed limit\r\n"},
	{MAIL_REPLY_SYNC, NULL,
	    "554 5.5.0 Error: SMTP protocol synchronization\r\n"},
	{MAIL_REPLY_TIMEOUT, "mx.example",
	    "421 4.4.2 mx.example Error: timeout exceeded, closing "
	    "connection\r\n"},
	{MAIL_REPLY_BYE, NULL, "221 2.0.0 Bye\r\n"},
	{MAIL_REPLY_DATA_GO, NULL, "354 End data with <CR><LF>.<CR><LF>\r\n"},
	{MAIL_REPLY_LINE_TOO_LONG, NULL, "500 5.5.2 Line too long\r\n"},
	{MAIL_REPLY_PARAM_UNSUPPORTED, "FOO=bar",
	    "555 5.5.4 Unsupported option: FOO=bar\r\n"},
	{MAIL_REPLY_BAD_SIZE, NULL, "501 5.5.4 Bad message size syntax\r\n"},
	{MAIL_REPLY_NON_ASCII_ADDR, NULL, "553 5.6.7 Non-ASCII addresses not "
	    "permitted for that sender/recipient\r\n"},
	{MAIL_REPLY_QUEUED, "1234", "250 2.0.0 Ok: queued as 1234\r\n"},
	{MAIL_REPLY_QUEUED, NULL, "250 2.0.0 Ok: queued as \r\n"},
	/* Peer data in a reply: inert, no line breaks. */
	{MAIL_REPLY_PARAM_UNSUPPORTED, "X\r\n250 ok",
	    "555 5.5.4 Unsupported option: X??250 ok\r\n"},
	{MAIL_REPLY_PARAM_UNSUPPORTED, "%s%n%x",
	    "555 5.5.4 Unsupported option: %s%n%x\r\n"},
	{MAIL_REPLY_PARAM_UNSUPPORTED, "\xc3\xa4\x01\x7f",
	    "555 5.5.4 Unsupported option: ????\r\n"},
};

Test(mail_reply, named_replies)
{
	size_t	i;

	for (i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		struct buf b;

		buf_init(&b, 0);
		mail_reply_format_id(id_cases[i].id, id_cases[i].arg, &b);
		cr_assert_str_eq(b.data, id_cases[i].wire, "case %zu", i);
		buf_fini(&b);
	}
}

/* Every table entry is complete, well-formed and one line. */
Test(mail_reply, table_is_complete)
{
	int	id;

	for (id = 0; id < MAIL_REPLY_MAX; id++) {
		const struct mail_reply_def *dp = mail_reply_def(id);
		const char *pct;
		struct buf b;

		cr_assert(dp->code >= 200 && dp->code <= 599, "id %d", id);
		cr_assert(dp->enhanced[0] == 0
		    || dp->enhanced[0] == '0' + dp->code / 100, "id %d", id);
		cr_assert(dp->text && dp->text[0], "id %d", id);
		pct = strchr(dp->text, '%');
		if (pct) {
			cr_assert(pct[1] == 's', "id %d: only %%s", id);
			cr_assert_null(strchr(pct + 1, '%'), "id %d", id);
		}
		buf_init(&b, 0);
		mail_reply_format_id(id, "x", &b);
		cr_assert(b.len > 6 && b.len <= MAIL_REPLY_LINE_MAX, "id %d",
		    id);
		cr_assert_null(memchr(b.data, '\n', b.len - 1), "id %d", id);
		buf_fini(&b);
	}
}

Test(mail_reply, multiline)
{
	struct mail_reply r;
	struct buf b;

	mail_reply_init(&r);
	mail_reply_start(&r, 250, NULL);
	mail_reply_add(&r, "mx.example");
	mail_reply_add(&r, "PIPELINING");
	mail_reply_addf(&r, "SIZE %d", 10485760);
	mail_reply_add(&r, "8BITMIME");
	buf_init(&b, 0);
	mail_reply_format(&r, &b);
	cr_assert_str_eq(b.data, "250-mx.example\r\n250-PIPELINING\r\n"
	    "250-SIZE 10485760\r\n250 8BITMIME\r\n");
	buf_reset(&b);
	mail_reply_start(&r, 550, "5.7.1");
	mail_reply_add(&r, "first");
	mail_reply_add(&r, "second");
	mail_reply_format(&r, &b);
	cr_assert_str_eq(b.data, "550-5.7.1 first\r\n550 5.7.1 second\r\n");
	buf_reset(&b);
	mail_reply_start(&r, 250, "");
	mail_reply_format(&r, &b);
	cr_assert_str_eq(b.data, "250\r\n");
	buf_fini(&b);
	mail_reply_fini(&r);
}

Test(mail_reply, long_text_is_cut_to_512)
{
	struct mail_reply r;
	struct buf b;
	char	big[2000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	mail_reply_init(&r);
	mail_reply_set(&r, MAIL_REPLY_PARAM_UNSUPPORTED, big);
	buf_init(&b, 0);
	mail_reply_format(&r, &b);
	cr_assert_eq(b.len, MAIL_REPLY_LINE_MAX);
	cr_assert_str_eq(b.data + b.len - 2, "\r\n");
	buf_reset(&b);
	mail_reply_set(&r, MAIL_REPLY_UNRECOGNIZED, NULL);
	mail_reply_add(&r, big);
	mail_reply_format(&r, &b);
	cr_assert_eq(b.len, 35 + MAIL_REPLY_LINE_MAX, "%zu", b.len);
	buf_fini(&b);
	mail_reply_fini(&r);
}

/* Parsing server replies (the SMTP client). */
struct parse_case {
	const char *label;
	const char *lines[6];		/* NULL-terminated */
	int	result;			/* of the last line */
	int	code;
	const char *enhanced;
	size_t	nlines;
	const char *last_text;
	const char *error;		/* substring, on ERROR */
};

#define DONE	MAIL_REPLY_PARSE_DONE
#define ERR	MAIL_REPLY_PARSE_ERROR

static const struct parse_case parse_cases[] = {
	{"one line", {"250 ok", NULL}, DONE, 250, "", 1, "ok", NULL},
	{"code only", {"250", NULL}, DONE, 250, "", 1, "", NULL},
	{"code space", {"250 ", NULL}, DONE, 250, "", 1, "", NULL},
	{"enhanced", {"250 2.1.0 Sender ok", NULL}, DONE, 250, "2.1.0", 1,
	    "Sender ok", NULL},
	{"enhanced three digits", {"550 5.100.999 x", NULL}, DONE, 550,
	    "5.100.999", 1, "x", NULL},
	{"enhanced class mismatch", {"250 5.1.0 odd", NULL}, DONE, 250, "", 1,
	    "5.1.0 odd", NULL},
	{"enhanced bad", {"250 2.1 x", NULL}, DONE, 250, "", 1, "2.1 x", NULL},
	{"enhanced four digits", {"250 2.1000.0 x", NULL}, DONE, 250, "", 1,
	    "2.1000.0 x", NULL},
	{"ehlo", {"250-mx.example", "250-PIPELINING", "250-STARTTLS",
	    "250 SIZE 1000", NULL}, DONE, 250, "", 4, "SIZE 1000", NULL},
	{"multi enhanced", {"550-5.7.1 a", "550 5.7.1 b", NULL}, DONE, 550,
	    "5.7.1", 2, "b", NULL},
	{"multi enhanced differs", {"550-5.7.1 a", "550 5.7.2 b", NULL}, DONE,
	    550, "", 2, "5.7.2 b", NULL},
	{"multi enhanced only first", {"550-5.7.1 a", "550 b", NULL}, DONE, 550,
	    "", 2, "b", NULL},
	{"code changes", {"250-a", "251 b", NULL}, ERR, 0, "", 0, NULL,
	    "changed"},
	{"short", {"25", NULL}, ERR, 0, "", 0, NULL, "code"},
	{"letters", {"abc def", NULL}, ERR, 0, "", 0, NULL, "code"},
	{"1xx", {"150 x", NULL}, ERR, 0, "", 0, NULL, "code"},
	{"6xx", {"600 x", NULL}, ERR, 0, "", 0, NULL, "code"},
	{"second digit 6", {"260 x", NULL}, ERR, 0, "", 0, NULL, "code"},
	{"bad separator", {"250x", NULL}, ERR, 0, "", 0, NULL, "separator"},
	{"tab separator", {"250\tok", NULL}, ERR, 0, "", 0, NULL, "separator"},
	{"too many lines", {"250-a", "250-b", "250-c", "250-d", "250 e", NULL},
	    ERR, 0, "", 0, NULL, "too many"},
	{"CTL in text cleaned", {"250 a\rb", NULL}, DONE, 250, "", 1, "a?b",
	    NULL},
};

Test(mail_reply, parse_table)
{
	size_t	i, k;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct mail_reply_parser p;
		int	res = -99;

		mail_reply_parser_init(&p, 4, 100);
		for (k = 0; c->lines[k]; k++) {
			res = mail_reply_parse_line(&p, str_from(c->lines[k]));
			if (c->lines[k + 1])
				cr_assert(res == MAIL_REPLY_PARSE_MORE
				    || res == ERR, "%s: line %zu", c->label, k);
			if (res == ERR)
				break;
		}
		cr_assert_eq(res, c->result, "%s: result %d", c->label, res);
		if (res == DONE) {
			cr_assert_eq(p.reply.code, c->code, "%s", c->label);
			cr_assert_str_eq(p.reply.enhanced, c->enhanced, "%s",
			    c->label);
			cr_assert_eq(p.reply.nlines, c->nlines, "%s", c->label);
			cr_assert_str_eq(p.reply.lines[p.reply.nlines - 1],
			    c->last_text, "%s", c->label);
		} else {
			cr_assert(strstr(mail_reply_parse_error(&p), c->error),
			    "%s: %s", c->label, mail_reply_parse_error(&p));
		}
		mail_reply_parser_fini(&p);
	}
}

Test(mail_reply, parse_limits_and_reuse)
{
	struct mail_reply_parser p;
	char	line[200];

	mail_reply_parser_init(&p, 10, 100);
	memset(line, 'x', sizeof(line));
	memcpy(line, "250 ", 4);
	cr_assert_eq(mail_reply_parse_line(&p, str_make(line, 100)), DONE);
	cr_assert_eq(mail_reply_parse_line(&p, str_make(line, 101)), ERR);
	cr_assert(strstr(mail_reply_parse_error(&p), "too long"));
	cr_assert_eq(mail_reply_parse_line(&p, STR_LIT("250 a\0b")), ERR);
	cr_assert_eq(mail_reply_parse_line(&p, STR_LIT("220 again")), DONE);
	cr_assert_eq(p.reply.code, 220);
	cr_assert_str_eq(p.reply.lines[0], "again");
	/* Round trip: format, then parse. */
	mail_reply_parser_fini(&p);
	mail_reply_parser_init(&p, 10, 510);
	{
		struct mail_reply r;
		struct buf b;
		char   *s, *nl;
		int	res = -99;

		mail_reply_init(&r);
		mail_reply_start(&r, 451, "4.3.0");
		mail_reply_add(&r, "one");
		mail_reply_add(&r, "two");
		buf_init(&b, 0);
		mail_reply_format(&r, &b);
		for (s = b.data; (nl = strstr(s, "\r\n")) != NULL; s = nl + 2)
			res = mail_reply_parse_line(&p, str_make(s,
			    (size_t) (nl - s)));
		cr_assert_eq(res, DONE);
		cr_assert_eq(p.reply.code, 451);
		cr_assert_str_eq(p.reply.enhanced, "4.3.0");
		cr_assert_str_eq(p.reply.lines[1], "two");
		buf_fini(&b);
		mail_reply_fini(&r);
	}
	mail_reply_parser_fini(&p);
}

/* Our own mistakes are panics, not replies with a wrong class. */
Test(mail_reply, class_mismatch_panics, .signal = SIGABRT)
{
	struct mail_reply r;

	msg_stderr_set(0);
	mail_reply_init(&r);
	mail_reply_start(&r, 250, "5.0.0");
}

Test(mail_reply, bad_code_panics, .signal = SIGABRT)
{
	struct mail_reply r;

	msg_stderr_set(0);
	mail_reply_init(&r);
	mail_reply_start(&r, 199, NULL);
}

/* Random lines into the reply parser: no crash, bounded replies. */
Test(mail_reply, random_lines)
{
	static const char alphabet[] = "2505- .1\r\0x";
	unsigned long seed = 3;
	struct mail_reply_parser p;
	int	iter;

	mail_reply_parser_init(&p, 5, 20);
	for (iter = 0; iter < 100000; iter++) {
		char	in[24];
		size_t	len, i;
		int	res;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		len = (seed >> 33) % sizeof(in);
		for (i = 0; i < len; i++) {
			seed = seed * 6364136223846793005UL
			    + 1442695040888963407UL;
			in[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		res = mail_reply_parse_line(&p, str_make(in, len));
		cr_assert(res == MAIL_REPLY_PARSE_MORE
		    || res == MAIL_REPLY_PARSE_DONE
		    || res == MAIL_REPLY_PARSE_ERROR);
		cr_assert(p.reply.nlines <= 5);
		if (res == MAIL_REPLY_PARSE_DONE)
			cr_assert(p.reply.code >= 200 && p.reply.code <= 559);
	}
	mail_reply_parser_fini(&p);
}
