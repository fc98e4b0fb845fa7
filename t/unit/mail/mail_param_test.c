/*
 * NAME
 *	mail_param_test - unit tests for mail/mail_param, ESMTP parameters
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "str.h"
#include "mail_reply.h"
#include "mail_param.h"

#define ALLX	(MAIL_PARAM_EXT_SIZE | MAIL_PARAM_EXT_8BITMIME \
		| MAIL_PARAM_EXT_SMTPUTF8 | MAIL_PARAM_EXT_AUTH \
		| MAIL_PARAM_EXT_DSN)

struct mail_case {
	const char *label;
	int	exts;
	const char *rest;
	int	code;			/* 0: accepted */
	const char *enhanced;
	const char *text;		/* reply text, or NULL */
	unsigned long long size;	/* want, when accepted */
	int	have_size;
	enum mail_param_body body;
	int	smtputf8;
	const char *auth;		/* NULL: none; "<>": auth_empty */
};

#define REJ(label, exts, rest, code, enh, text) \
	{label, exts, rest, code, enh, text, 0, 0, MAIL_PARAM_BODY_NONE, 0, \
	    NULL}

static const struct mail_case mail_cases[] = {
	REJ("none", ALLX, "", 0, NULL, NULL),
	{"size", ALLX, "SIZE=1000", 0, NULL, NULL, 1000, 1,
	    MAIL_PARAM_BODY_NONE, 0, NULL},
	{"size zero", ALLX, "SIZE=0", 0, NULL, NULL, 0, 1,
	    MAIL_PARAM_BODY_NONE, 0, NULL},
	{"size lower case", ALLX, "size=7", 0, NULL, NULL, 7, 1,
	    MAIL_PARAM_BODY_NONE, 0, NULL},
	{"size max", ALLX, "SIZE=9223372036854775807", 0, NULL, NULL,
	    9223372036854775807ULL, 1, MAIL_PARAM_BODY_NONE, 0, NULL},
	REJ("size overflow by one", ALLX, "SIZE=9223372036854775808", 501,
	    "5.5.4", "Bad message size syntax"),
	REJ("size huge", ALLX, "SIZE=99999999999999999999999", 501, "5.5.4",
	    "Bad message size syntax"),
	REJ("size 2^64 wraps to 0", ALLX, "SIZE=18446744073709551616", 501,
	    "5.5.4", "Bad message size syntax"),
	REJ("size negative", ALLX, "SIZE=-1", 501, "5.5.4",
	    "Bad message size syntax"),
	REJ("size plus", ALLX, "SIZE=+1", 501, "5.5.4",
	    "Bad message size syntax"),
	REJ("size hex", ALLX, "SIZE=0x10", 501, "5.5.4",
	    "Bad message size syntax"),
	REJ("size empty", ALLX, "SIZE=", 501, "5.5.4", "Bad parameter syntax"),
	REJ("size no value", ALLX, "SIZE", 501, "5.5.4",
	    "Bad message size syntax"),
	REJ("size twice", ALLX, "SIZE=1 SIZE=2", 501, "5.5.4",
	    "Duplicate option: SIZE"),
	REJ("size not advertised", 0, "SIZE=1", 555, "5.5.4",
	    "Unsupported option: SIZE=1"),
	{"body 8bit", ALLX, "BODY=8BITMIME", 0, NULL, NULL, 0, 0,
	    MAIL_PARAM_BODY_8BITMIME, 0, NULL},
	{"body 7bit case", ALLX, "body=7bit", 0, NULL, NULL, 0, 0,
	    MAIL_PARAM_BODY_7BIT, 0, NULL},
	REJ("body binary", ALLX, "BODY=BINARYMIME", 501, "5.5.4",
	    "Bad BODY syntax"),
	REJ("body twice", ALLX, "BODY=8BITMIME BODY=7BIT", 501, "5.5.4",
	    "Duplicate option: BODY"),
	REJ("body not advertised", MAIL_PARAM_EXT_SIZE, "BODY=8BITMIME", 555,
	    "5.5.4", "Unsupported option: BODY=8BITMIME"),
	{"smtputf8", ALLX, "SMTPUTF8", 0, NULL, NULL, 0, 0,
	    MAIL_PARAM_BODY_NONE, 1, NULL},
	REJ("smtputf8 value", ALLX, "SMTPUTF8=yes", 501, "5.5.4",
	    "Bad SMTPUTF8 syntax"),
	REJ("smtputf8 not advertised", MAIL_PARAM_EXT_8BITMIME, "SMTPUTF8", 555,
	    "5.5.4", "Unsupported option: SMTPUTF8"),
	REJ("unknown", ALLX, "FOO=bar", 555, "5.5.4",
	    "Unsupported option: FOO=bar"),
	REJ("unknown no value", ALLX, "XYZZY", 555, "5.5.4",
	    "Unsupported option: XYZZY"),
	{"several", ALLX, "SIZE=10 BODY=8BITMIME SMTPUTF8", 0, NULL, NULL, 10,
	    1, MAIL_PARAM_BODY_8BITMIME, 1, NULL},
	{"several spaces", ALLX, "SIZE=10    SMTPUTF8  ", 0, NULL, NULL, 10, 1,
	    MAIL_PARAM_BODY_NONE, 1, NULL},
	{"auth", ALLX, "AUTH=joe@example.org", 0, NULL, NULL, 0, 0,
	    MAIL_PARAM_BODY_NONE, 0, "joe@example.org"},
	{"auth xtext", ALLX, "AUTH=a+2Bb@example.org", 0, NULL, NULL, 0, 0,
	    MAIL_PARAM_BODY_NONE, 0, "a+b@example.org"},
	{"auth empty", ALLX, "AUTH=<>", 0, NULL, NULL, 0, 0,
	    MAIL_PARAM_BODY_NONE, 0, "<>"},
	REJ("auth LF", ALLX, "AUTH=a+0Ab@example.org", 501, "5.5.4",
	    "Bad AUTH syntax"),
	REJ("auth CR", ALLX, "AUTH=a+0Db@example.org", 501, "5.5.4",
	    "Bad AUTH syntax"),
	REJ("auth NUL", ALLX, "AUTH=a+00b", 501, "5.5.4", "Bad AUTH syntax"),
	REJ("auth 8bit", ALLX, "AUTH=a+C3b", 501, "5.5.4", "Bad AUTH syntax"),
	REJ("auth lower hex", ALLX, "AUTH=a+2bb", 501, "5.5.4",
	    "Bad AUTH syntax"),
	REJ("auth short hex", ALLX, "AUTH=a+2", 501, "5.5.4",
	    "Bad AUTH syntax"),
	REJ("auth twice", ALLX, "AUTH=<> AUTH=<>", 501, "5.5.4",
	    "Duplicate option: AUTH"),
	REJ("auth not advertised", MAIL_PARAM_EXT_SIZE, "AUTH=<>", 555, "5.5.4",
	    "Unsupported option: AUTH=<>"),
	{"ret full", ALLX, "RET=FULL", 0, NULL, NULL, 0, 0,
	    MAIL_PARAM_BODY_NONE, 0, NULL},
	REJ("ret bad", ALLX, "RET=ALL", 501, "5.5.4", "Bad RET syntax"),
	{"envid", ALLX, "ENVID=abc+2Bdef", 0, NULL, NULL, 0, 0,
	    MAIL_PARAM_BODY_NONE, 0, NULL},
	REJ("envid injection", ALLX, "ENVID=q+0D+0AX-Injected:+20yes", 501,
	    "5.5.4", "Bad ENVID syntax"),
	REJ("envid no dsn", MAIL_PARAM_EXT_SIZE, "ENVID=x", 555, "5.5.4",
	    "Unsupported option: ENVID=x"),
	REJ("bad keyword", ALLX, "-X=1", 501, "5.5.4", "Bad parameter syntax"),
	REJ("keyword underscore", ALLX, "A_B=1", 501, "5.5.4",
	    "Bad parameter syntax"),
	REJ("value with equals", ALLX, "SIZE=1=2", 501, "5.5.4",
	    "Bad parameter syntax"),
	REJ("empty keyword", ALLX, "=1", 501, "5.5.4", "Bad parameter syntax"),
	REJ("value CTL", ALLX, "FOO=a\x01", 501, "5.5.4",
	    "Bad parameter syntax"),
	REJ("value 8bit", ALLX, "FOO=\xc3\xa4", 501, "5.5.4",
	    "Bad parameter syntax"),
	REJ("value tab", ALLX, "FOO=a\tb", 501, "5.5.4",
	    "Bad parameter syntax"),
	REJ("format string inert", ALLX, "%n%s=1", 501, "5.5.4",
	    "Bad parameter syntax"),
	REJ("unknown then bad", ALLX, "FOO=bar SIZE=x", 555, "5.5.4",
	    "Unsupported option: FOO=bar"),
};

Test(mail_param, mail_table)
{
	size_t	i;

	for (i = 0; i < sizeof(mail_cases) / sizeof(mail_cases[0]); i++) {
		const struct mail_case *c = &mail_cases[i];
		struct mail_param_mail mp;
		struct mail_reply r;
		int	st;

		mail_param_mail_init(&mp);
		mail_reply_init(&r);
		st = mail_param_parse_mail(str_from(c->rest), c->exts, &mp, &r);
		if (c->code) {
			cr_assert_eq(st, -1, "%s: accepted", c->label);
			cr_assert_eq(r.code, c->code, "%s: code %d", c->label,
			    r.code);
			cr_assert_str_eq(r.enhanced, c->enhanced, "%s",
			    c->label);
			cr_assert_eq(r.nlines, 1, "%s", c->label);
			cr_assert_str_eq(r.lines[0], c->text, "%s: text",
			    c->label);
			cr_assert_null(mp.auth, "%s: left a value", c->label);
			cr_assert_eq(mp.have_size, 0, "%s: half-filled",
			    c->label);
		} else {
			cr_assert_eq(st, 0, "%s: refused: %s", c->label,
			    r.nlines ? r.lines[0] : "?");
			cr_assert_eq(mp.have_size, c->have_size, "%s",
			    c->label);
			cr_assert_eq(mp.size, c->size, "%s: size", c->label);
			cr_assert_eq(mp.body, c->body, "%s: body", c->label);
			cr_assert_eq(mp.smtputf8, c->smtputf8, "%s", c->label);
			if (c->auth == NULL) {
				cr_assert_eq(mp.have_auth, 0, "%s", c->label);
			} else if (strcmp(c->auth, "<>") == 0) {
				cr_assert(mp.have_auth && mp.auth_empty
				    && mp.auth == NULL, "%s", c->label);
			} else {
				cr_assert(mp.have_auth && !mp.auth_empty,
				    "%s", c->label);
				cr_assert_str_eq(mp.auth, c->auth, "%s",
				    c->label);
			}
		}
		mail_param_mail_fini(&mp);
		mail_reply_fini(&r);
	}
}

Test(mail_param, mail_dsn_values)
{
	struct mail_param_mail mp;
	struct mail_reply r;

	mail_param_mail_init(&mp);
	mail_reply_init(&r);
	cr_assert_eq(mail_param_parse_mail(STR_LIT("RET=hdrs ENVID=a+2Bb"),
	    MAIL_PARAM_EXT_DSN, &mp, &r), 0);
	cr_assert_eq(mp.ret, MAIL_PARAM_RET_HDRS);
	cr_assert_str_eq(mp.envid, "a+b");
	mail_param_mail_fini(&mp);
	cr_assert_null(mp.envid);
	mail_reply_fini(&r);
}

struct rcpt_case {
	const char *label;
	int	exts;
	const char *rest;
	int	code;
	const char *text;
	int	notify;
	const char *orcpt_type;
	const char *orcpt;
};

#define N_S	MAIL_PARAM_NOTIFY_SUCCESS
#define N_F	MAIL_PARAM_NOTIFY_FAILURE
#define N_D	MAIL_PARAM_NOTIFY_DELAY
#define N_N	MAIL_PARAM_NOTIFY_NEVER
#define DSN	MAIL_PARAM_EXT_DSN

static const struct rcpt_case rcpt_cases[] = {
	{"none", DSN, "", 0, NULL, 0, NULL, NULL},
	{"notify never", DSN, "NOTIFY=NEVER", 0, NULL, N_N, NULL, NULL},
	{"notify list", DSN, "NOTIFY=SUCCESS,FAILURE,DELAY", 0, NULL,
	    N_S | N_F | N_D, NULL, NULL},
	{"notify case", DSN, "notify=failure", 0, NULL, N_F, NULL, NULL},
	{"notify never and more", DSN, "NOTIFY=NEVER,SUCCESS", 501,
	    "Bad NOTIFY syntax", 0, NULL, NULL},
	{"notify bad", DSN, "NOTIFY=SOMETIMES", 501, "Bad NOTIFY syntax", 0,
	    NULL, NULL},
	{"notify empty item", DSN, "NOTIFY=SUCCESS,", 501, "Bad NOTIFY syntax",
	    0, NULL, NULL},
	{"notify twice", DSN, "NOTIFY=NEVER NOTIFY=NEVER", 501,
	    "Duplicate option: NOTIFY", 0, NULL, NULL},
	{"orcpt", DSN, "ORCPT=rfc822;b@example.net", 0, NULL, 0, "rfc822",
	    "b@example.net"},
	{"orcpt xtext", DSN, "ORCPT=rfc822;b+2Bx@example.net", 0, NULL, 0,
	    "rfc822", "b+x@example.net"},
	{"orcpt injection", DSN,
	    "ORCPT=rfc822;b+0D+0AX-Injected:+20yes@example.net", 501,
	    "Bad ORCPT syntax", 0, NULL, NULL},
	{"orcpt no type", DSN, "ORCPT=;b@example.net", 501, "Bad ORCPT syntax",
	    0, NULL, NULL},
	{"orcpt no semicolon", DSN, "ORCPT=b@example.net", 501,
	    "Bad ORCPT syntax", 0, NULL, NULL},
	{"orcpt empty address", DSN, "ORCPT=rfc822;", 501, "Bad ORCPT syntax",
	    0, NULL, NULL},
	{"both", DSN, "NOTIFY=DELAY ORCPT=rfc822;x@y", 0, NULL, N_D, "rfc822",
	    "x@y"},
	{"dsn not advertised", 0, "NOTIFY=NEVER", 555,
	    "Unsupported option: NOTIFY=NEVER", 0, NULL, NULL},
	{"unknown", DSN, "FOO", 555, "Unsupported option: FOO", 0, NULL, NULL},
	{"size on rcpt", ALLX, "SIZE=1", 555, "Unsupported option: SIZE=1", 0,
	    NULL, NULL},
};

Test(mail_param, rcpt_table)
{
	size_t	i;

	for (i = 0; i < sizeof(rcpt_cases) / sizeof(rcpt_cases[0]); i++) {
		const struct rcpt_case *c = &rcpt_cases[i];
		struct mail_param_rcpt rp;
		struct mail_reply r;
		int	st;

		mail_param_rcpt_init(&rp);
		mail_reply_init(&r);
		st = mail_param_parse_rcpt(str_from(c->rest), c->exts, &rp, &r);
		if (c->code) {
			cr_assert_eq(st, -1, "%s", c->label);
			cr_assert_eq(r.code, c->code, "%s: %d", c->label,
			    r.code);
			cr_assert_str_eq(r.lines[0], c->text, "%s", c->label);
			cr_assert_null(rp.orcpt, "%s", c->label);
		} else {
			cr_assert_eq(st, 0, "%s", c->label);
			cr_assert_eq(rp.notify, c->notify, "%s", c->label);
			if (c->orcpt) {
				cr_assert_str_eq(rp.orcpt_type, c->orcpt_type,
				    "%s", c->label);
				cr_assert_str_eq(rp.orcpt, c->orcpt, "%s",
				    c->label);
			} else {
				cr_assert_null(rp.orcpt, "%s", c->label);
			}
		}
		mail_param_rcpt_fini(&rp);
		mail_reply_fini(&r);
	}
}

struct xtext_case {
	const char *label;
	const char *in;
	int	ok;
	const char *out;
};

Test(mail_param, xtext)
{
	static const struct xtext_case cases[] = {
		{"plain", "abc", 1, "abc"},
		{"empty", "", 1, ""},
		{"plus", "a+2Bb", 1, "a+b"},
		{"equals", "a+3Db", 1, "a=b"},
		{"space", "a+20b", 1, "a b"},
		{"tilde", "+7E", 1, "~"},
		{"raw equals", "a=b", 0, NULL},
		{"raw space", "a b", 0, NULL},
		{"CR", "+0D", 0, NULL},
		{"LF", "+0A", 0, NULL},
		{"NUL", "+00", 0, NULL},
		{"DEL", "+7F", 0, NULL},
		{"8bit", "+80", 0, NULL},
		{"lower hex", "+0d", 0, NULL},
		{"short", "+4", 0, NULL},
		{"plus at end", "ab+", 0, NULL},
		{"bad hex", "+GG", 0, NULL},
		{"raw 8bit", "\xc3\xa4", 0, NULL},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		int	st;

		buf_init(&b, 0);
		buf_puts(&b, "pre");
		st = mail_xtext_decode(str_from(cases[i].in), &b);
		cr_assert_eq(st, cases[i].ok ? 0 : -1, "%s", cases[i].label);
		if (cases[i].ok)
			cr_assert_str_eq(b.data + 3, cases[i].out, "%s",
			    cases[i].label);
		else
			cr_assert_str_eq(b.data, "pre", "%s: output left",
			    cases[i].label);
		buf_fini(&b);
	}
}

Test(mail_param, xtext_round_trip)
{
	struct buf enc, dec;
	char	all[95];
	int	i;

	for (i = 0; i < 95; i++)
		all[i] = (char) (32 + i);
	buf_init(&enc, 0);
	buf_init(&dec, 0);
	mail_xtext_encode(str_make(all, sizeof(all)), &enc);
	cr_assert(strchr(enc.data, ' ') == NULL && strchr(enc.data, '=')
	    == NULL);
	cr_assert_eq(mail_xtext_decode(str_make(enc.data, enc.len), &dec), 0);
	cr_assert_eq(dec.len, sizeof(all));
	cr_assert(memcmp(dec.data, all, sizeof(all)) == 0);
	buf_fini(&enc);
	buf_fini(&dec);
}

/*
 * Random parameter strings: never a crash (ASan), and an accepted AUTH
 * or ENVID value never holds a control character.
 */
Test(mail_param, random_inputs)
{
	static const char alphabet[] = "SIZEBODYAUTHENVID=+0AD<> \t\r\n\0x9";
	unsigned long seed = 7;
	int	iter;

	for (iter = 0; iter < 100000; iter++) {
		char	in[32];
		size_t	len, i;
		struct mail_param_mail mp;
		struct mail_param_rcpt rp;
		struct mail_reply r;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		len = (seed >> 33) % sizeof(in);
		for (i = 0; i < len; i++) {
			seed = seed * 6364136223846793005UL
			    + 1442695040888963407UL;
			in[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		mail_param_mail_init(&mp);
		mail_reply_init(&r);
		if (mail_param_parse_mail(str_make(in, len), ALLX, &mp, &r)
		    == 0) {
			if (mp.auth)
				for (i = 0; mp.auth[i]; i++)
					cr_assert((unsigned char) mp.auth[i]
					    >= 32 && mp.auth[i] != 127);
			if (mp.envid)
				for (i = 0; mp.envid[i]; i++)
					cr_assert((unsigned char) mp.envid[i]
					    >= 32 && mp.envid[i] != 127);
		} else {
			cr_assert(r.code == 501 || r.code == 555, "%d",
			    r.code);
			cr_assert_null(memchr(r.lines[0], '\r',
			    strlen(r.lines[0])));
		}
		mail_param_mail_fini(&mp);
		mail_param_rcpt_init(&rp);
		(void) mail_param_parse_rcpt(str_make(in, len), ALLX, &rp, &r);
		mail_param_rcpt_fini(&rp);
		mail_reply_fini(&r);
	}
}
