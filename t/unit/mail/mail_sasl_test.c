/*
 * NAME
 *	mail_sasl_test - unit tests for mail/mail_sasl
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "str.h"
#include "mail_sasl.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

struct b64_case {
	const char *label;
	const char *raw;
	size_t	raw_len;
	const char *b64;
};

/* RFC 4648 section 10, and bytes that need every bit. */
static const struct b64_case b64_cases[] = {
	{"empty", "", 0, ""},
	{"f", "f", 1, "Zg=="},
	{"fo", "fo", 2, "Zm8="},
	{"foo", "foo", 3, "Zm9v"},
	{"foob", "foob", 4, "Zm9vYg=="},
	{"fooba", "fooba", 5, "Zm9vYmE="},
	{"foobar", "foobar", 6, "Zm9vYmFy"},
	{"high bits", "\xfb\xff\xbf", 3, "+/+/"},
	{"NULs", "\0\0\0\0", 4, "AAAAAA=="},
	{"PLAIN of RFC 4616", "\0tim\0tanstaaftanstaaf", 21,
	    "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"},
};

Test(mail_sasl, b64_round_trip)
{
	const struct b64_case *c;
	struct buf *out = buf_new(0);

	for (c = b64_cases; c < b64_cases + ARRAY_LEN(b64_cases); c++) {
		buf_reset(out);
		mail_sasl_b64_encode(out, c->raw, c->raw_len);
		cr_expect_str_eq(out->data, c->b64, "%s: encode", c->label);
		buf_reset(out);
		cr_expect_eq(mail_sasl_b64_decode(out, str_from(c->b64)), 0,
		    "%s: decode failed", c->label);
		cr_expect(out->len == c->raw_len
		    && memcmp(out->data, c->raw, c->raw_len) == 0,
		    "%s: decode gave %zu bytes", c->label, out->len);
	}
	buf_free(out);
}

struct bad_case {
	const char *label;
	const char *in;
};

static const struct bad_case b64_bad[] = {
	{"short", "Zg="},
	{"one char", "Z"},
	{"outside the alphabet", "Zm9v!A=="},
	{"space inside", "Zm9 v"},
	{"padding in the middle", "Zg==Zm9v"},
	{"padding first", "=Zm9"},
	{"three pads", "Z==="},
	{"digit after pad", "Zm=v"},
	{"non-zero bits under one pad", "Zm9="},
	{"non-zero bits under two pads", "Zh=="},
	{"URL alphabet", "-_-_"},
	{"NUL", "Zm\0v"},
};

Test(mail_sasl, b64_rejects)
{
	const struct bad_case *c;
	struct buf *out = buf_new(0);
	struct str in;

	for (c = b64_bad; c < b64_bad + ARRAY_LEN(b64_bad); c++) {
		buf_reset(out);
		in = strcmp(c->label, "NUL") == 0 ? str_make(c->in, 4)
		    : str_from(c->in);
		cr_expect_eq(mail_sasl_b64_decode(out, in), -1,
		    "%s: \"%s\" accepted", c->label, c->in);
	}
	buf_free(out);
}

struct pick_case {
	const char *label;
	const char *offered;
	enum mail_sasl_mech want;
};

static const struct pick_case pick_cases[] = {
	{"both", "PLAIN LOGIN", MAIL_SASL_PLAIN},
	{"login first", "LOGIN PLAIN", MAIL_SASL_PLAIN},
	{"login only", "LOGIN CRAM-MD5", MAIL_SASL_LOGIN},
	{"lower case", "login plain", MAIL_SASL_PLAIN},
	{"tabs and spaces", "  CRAM-MD5\tLOGIN  ", MAIL_SASL_LOGIN},
	{"none we know", "CRAM-MD5 XOAUTH2 GSSAPI", MAIL_SASL_NONE},
	{"empty", "", MAIL_SASL_NONE},
	{"prefix only", "PLAINX LOGINS", MAIL_SASL_NONE},
	{"suffix only", "XPLAIN", MAIL_SASL_NONE},
};

Test(mail_sasl, mech_pick)
{
	const struct pick_case *c;

	for (c = pick_cases; c < pick_cases + ARRAY_LEN(pick_cases); c++)
		cr_expect_eq(mail_sasl_mech_pick(str_from(c->offered)),
		    c->want, "%s: \"%s\" gave %s", c->label, c->offered,
		    mail_sasl_mech_name(mail_sasl_mech_pick(
		    str_from(c->offered))));
	cr_expect_eq(mail_sasl_mech_find(STR_LIT("login")), MAIL_SASL_LOGIN);
	cr_expect_eq(mail_sasl_mech_find(STR_LIT("Plain")), MAIL_SASL_PLAIN);
	cr_expect_eq(mail_sasl_mech_find(STR_LIT("PLAI")), MAIL_SASL_NONE);
	cr_expect_str_eq(mail_sasl_mech_name(MAIL_SASL_LOGIN), "LOGIN");
}

struct auth_case {
	const char *label;
	enum mail_sasl_mech mech;
	const char *user;
	const char *pass;
	const char *wire;		/* AUTH command */
	const char *shown;
	const char *step1, *shown1;	/* LOGIN: user */
	const char *step2, *shown2;	/* LOGIN: password */
};

static const struct auth_case auth_cases[] = {
	{"plain", MAIL_SASL_PLAIN, "tim", "tanstaaftanstaaf",
	    "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm",
	    "AUTH PLAIN ******** (user \"tim\")", NULL, NULL, NULL, NULL},
	{"plain, user with @", MAIL_SASL_PLAIN, "relay@my.domain", "p@ss:w",
	    "AUTH PLAIN AHJlbGF5QG15LmRvbWFpbgBwQHNzOnc=",
	    "AUTH PLAIN ******** (user \"relay@my.domain\")",
	    NULL, NULL, NULL, NULL},
	{"plain, UTF-8 user shown with ?", MAIL_SASL_PLAIN, "j\xc3\xb6rg",
	    "x", "AUTH PLAIN AGrDtnJnAHg=",
	    "AUTH PLAIN ******** (user \"j??rg\")", NULL, NULL, NULL, NULL},
	{"plain, empty password", MAIL_SASL_PLAIN, "u", "",
	    "AUTH PLAIN AHUA", "AUTH PLAIN ******** (user \"u\")",
	    NULL, NULL, NULL, NULL},
	{"login", MAIL_SASL_LOGIN, "relay@my.domain", "s3cret",
	    "AUTH LOGIN", "AUTH LOGIN",
	    "cmVsYXlAbXkuZG9tYWlu", "******** (user \"relay@my.domain\")",
	    "czNjcmV0", "********"},
};

Test(mail_sasl, client_exchange)
{
	const struct auth_case *c;
	struct mail_sasl_client sc;
	struct buf *wire = buf_new(0);
	struct buf *shown = buf_new(0);

	for (c = auth_cases; c < auth_cases + ARRAY_LEN(auth_cases); c++) {
		buf_reset(wire);
		buf_reset(shown);
		cr_assert_eq(mail_sasl_client_start(&sc, c->mech,
		    str_from(c->user), str_from(c->pass), wire, shown), 0,
		    "%s: start: %s", c->label, sc.error);
		cr_expect_str_eq(wire->data, c->wire, "%s: wire", c->label);
		cr_expect_str_eq(shown->data, c->shown, "%s: shown", c->label);
		cr_expect_null(strstr(shown->data, c->pass[0] ? c->pass
		    : "\x01"), "%s: password shown", c->label);
		if (c->step1 != NULL) {
			buf_reset(wire);
			buf_reset(shown);
			cr_assert_eq(mail_sasl_client_step(&sc,
			    STR_LIT("VXNlcm5hbWU6"), wire, shown), 0,
			    "%s: step 1: %s", c->label, sc.error);
			cr_expect_str_eq(wire->data, c->step1, "%s: 1",
			    c->label);
			cr_expect_str_eq(shown->data, c->shown1, "%s: 1 shown",
			    c->label);
			buf_reset(wire);
			buf_reset(shown);
			/* aiosmtpd's prompt, with a NUL: the order decides. */
			cr_assert_eq(mail_sasl_client_step(&sc,
			    STR_LIT("UGFzc3dvcmQA"), wire, shown), 0,
			    "%s: step 2: %s", c->label, sc.error);
			cr_expect_str_eq(wire->data, c->step2, "%s: 2",
			    c->label);
			cr_expect_str_eq(shown->data, c->shown2, "%s: 2 shown",
			    c->label);
		}
		/* Nothing more to say: the caller must cancel. */
		buf_reset(wire);
		cr_expect_eq(mail_sasl_client_step(&sc, STR_LIT(""), wire,
		    shown), -1, "%s: extra challenge answered", c->label);
		cr_expect_eq(wire->len, 0, "%s: extra response", c->label);
		mail_sasl_client_fini(&sc);
	}
	buf_free(wire);
	buf_free(shown);
}

struct refuse_case {
	const char *label;
	enum mail_sasl_mech mech;
	struct str user;
	struct str pass;
};

static const struct refuse_case refuse_cases[] = {
	{"empty user", MAIL_SASL_PLAIN, {"", 0}, {"p", 1}},
	{"NUL in PLAIN user", MAIL_SASL_PLAIN, {"a\0b", 3}, {"p", 1}},
	{"NUL in PLAIN password", MAIL_SASL_PLAIN, {"u", 1}, {"p\0q", 3}},
	{"LF in password", MAIL_SASL_LOGIN, {"u", 1}, {"p\nq", 3}},
	{"CR in user", MAIL_SASL_PLAIN, {"u\r", 2}, {"p", 1}},
	{"no mechanism", MAIL_SASL_NONE, {"u", 1}, {"p", 1}},
};

Test(mail_sasl, client_refuses)
{
	const struct refuse_case *c;
	struct mail_sasl_client sc;
	struct buf *wire = buf_new(0);
	struct buf *shown = buf_new(0);

	for (c = refuse_cases; c < refuse_cases + ARRAY_LEN(refuse_cases);
	    c++) {
		buf_reset(wire);
		cr_expect_eq(mail_sasl_client_start(&sc, c->mech, c->user,
		    c->pass, wire, shown), -1, "%s: accepted", c->label);
		cr_expect_not_null(sc.error, "%s: no reason", c->label);
		cr_expect_eq(wire->len, 0, "%s: sent something", c->label);
	}

	/* A LOGIN challenge that is not base64 is a broken server. */
	cr_assert_eq(mail_sasl_client_start(&sc, MAIL_SASL_LOGIN,
	    STR_LIT("u"), STR_LIT("p"), wire, shown), 0);
	buf_reset(wire);
	cr_expect_eq(mail_sasl_client_step(&sc, STR_LIT("Username:"), wire,
	    shown), -1, "non-base64 challenge answered");
	cr_expect_eq(wire->len, 0);
	buf_free(wire);
	buf_free(shown);
}
