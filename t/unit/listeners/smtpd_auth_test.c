/*
 * NAME
 *	smtpd_auth_test - the SASL exchange of SMTP AUTH, without a session
 * DESCRIPTION
 *	Each case is an AUTH argument and the client's responses to the
 *	334 challenges; the table says which challenges the server must
 *	send, the result that ends the exchange, and the credentials it
 *	must have decoded. The base64 texts are those of RFC 4616 and RFC
 *	4954 examples where they exist, or of the shown strings.
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "str.h"

#include "smtpd_auth.h"

#define MAX_STEPS	4

struct auth_case {
	const char *label;
	const char *arg;		/* of the AUTH command */
	const char *responses[MAX_STEPS]; /* client lines after 334 */
	const char *challenges[MAX_STEPS]; /* 334 texts, in order */
	int	want;			/* result that ends the exchange */
	const char *user;		/* when DONE */
	const char *authz;
	const char *password;
	size_t	password_len;		/* 0: strlen(password) */
};

static const struct auth_case cases[] = {
	/* PLAIN */
	{"PLAIN, initial response (RFC 4616 example)",
	    "PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm", {NULL}, {NULL},
	    SMTPD_AUTH_DONE, "tim", "", "tanstaaftanstaaf", 0},
	{"PLAIN, authzid equal to user", "PLAIN dGltAHRpbQB4",
	    {NULL}, {NULL}, SMTPD_AUTH_DONE, "tim", "tim", "x", 0},
	{"PLAIN, lower-case mechanism", "plain AHRpbQB4", {NULL}, {NULL},
	    SMTPD_AUTH_DONE, "tim", "", "x", 0},
	{"PLAIN, no initial response", "PLAIN",
	    {"AHJlbGF5QG15LmRvbWFpbgBzM2NyZXQ="}, {""}, SMTPD_AUTH_DONE,
	    "relay@my.domain", "", "s3cret", 0},
	{"PLAIN, empty password", "PLAIN AHRpbQA=", {NULL}, {NULL},
	    SMTPD_AUTH_DONE, "tim", "", "", 0},
	{"PLAIN, '=' is an empty initial response", "PLAIN =", {NULL},
	    {NULL}, SMTPD_AUTH_MALFORMED, NULL, NULL, NULL, 0},
	{"PLAIN, cancelled", "PLAIN", {"*"}, {""}, SMTPD_AUTH_CANCELLED,
	    NULL, NULL, NULL, 0},
	{"PLAIN, one NUL only", "PLAIN dGltAHg=", {NULL}, {NULL},
	    SMTPD_AUTH_MALFORMED, NULL, NULL, NULL, 0},
	{"PLAIN, NUL in the password", "PLAIN AHRpbQB4AHk=", {NULL},
	    {NULL}, SMTPD_AUTH_MALFORMED, NULL, NULL, NULL, 0},
	{"PLAIN, empty user", "PLAIN AAB4", {NULL}, {NULL},
	    SMTPD_AUTH_MALFORMED, NULL, NULL, NULL, 0},
	{"PLAIN, CR LF in the user", "PLAIN AHQNCmltAHg=", {NULL}, {NULL},
	    SMTPD_AUTH_MALFORMED, NULL, NULL, NULL, 0},
	{"PLAIN, not base64", "PLAIN dGltAHRpbQB4!", {NULL}, {NULL},
	    SMTPD_AUTH_BAD_BASE64, NULL, NULL, NULL, 0},
	{"PLAIN, length not a multiple of 4", "PLAIN AHRpbQB", {NULL},
	    {NULL}, SMTPD_AUTH_BAD_BASE64, NULL, NULL, NULL, 0},
	{"PLAIN, padding inside", "PLAIN AH=pbQB4", {NULL}, {NULL},
	    SMTPD_AUTH_BAD_BASE64, NULL, NULL, NULL, 0},
	{"PLAIN, letter after padding", "PLAIN AHRpbQA=AHRp", {NULL},
	    {NULL}, SMTPD_AUTH_BAD_BASE64, NULL, NULL, NULL, 0},
	{"PLAIN, bad base64 response", "PLAIN", {"AHRp bQB4"}, {""},
	    SMTPD_AUTH_BAD_BASE64, NULL, NULL, NULL, 0},
	/* LOGIN */
	{"LOGIN, two challenges", "LOGIN", {"dXNlcg==", "cGFzcw=="},
	    {"VXNlcm5hbWU6", "UGFzc3dvcmQ6"}, SMTPD_AUTH_DONE, "user", "",
	    "pass", 0},
	{"LOGIN, user name as initial response", "LOGIN dXNlcg==",
	    {"cGFzcw=="}, {"UGFzc3dvcmQ6"}, SMTPD_AUTH_DONE, "user", "",
	    "pass", 0},
	{"LOGIN, user with @", "LOGIN",
	    {"cmVsYXlAbXkuZG9tYWlu", "czNjcmV0"},
	    {"VXNlcm5hbWU6", "UGFzc3dvcmQ6"}, SMTPD_AUTH_DONE,
	    "relay@my.domain", "", "s3cret", 0},
	{"LOGIN, empty password line", "LOGIN", {"dXNlcg==", ""},
	    {"VXNlcm5hbWU6", "UGFzc3dvcmQ6"}, SMTPD_AUTH_DONE, "user", "",
	    "", 0},
	{"LOGIN, cancelled at the password", "LOGIN", {"dXNlcg==", "*"},
	    {"VXNlcm5hbWU6", "UGFzc3dvcmQ6"}, SMTPD_AUTH_CANCELLED, NULL,
	    NULL, NULL, 0},
	{"LOGIN, empty user name", "LOGIN", {""}, {"VXNlcm5hbWU6"},
	    SMTPD_AUTH_MALFORMED, NULL, NULL, NULL, 0},
	{"LOGIN, NUL in the password", "LOGIN", {"dXNlcg==", "YQBi"},
	    {"VXNlcm5hbWU6", "UGFzc3dvcmQ6"}, SMTPD_AUTH_MALFORMED, NULL,
	    NULL, NULL, 0},
	{"LOGIN, bad base64 user", "LOGIN", {"dXNlcg="}, {"VXNlcm5hbWU6"},
	    SMTPD_AUTH_BAD_BASE64, NULL, NULL, NULL, 0},
	/* The command itself */
	{"no mechanism", "", {NULL}, {NULL}, SMTPD_AUTH_BAD_SYNTAX, NULL,
	    NULL, NULL, 0},
	{"two arguments", "PLAIN AHRpbQB4 AHRpbQB4", {NULL}, {NULL},
	    SMTPD_AUTH_BAD_SYNTAX, NULL, NULL, NULL, 0},
	{"unknown mechanism", "CRAM-MD5", {NULL}, {NULL},
	    SMTPD_AUTH_BAD_MECH, NULL, NULL, NULL, 0},
	{"prefix of a mechanism", "PLAI", {NULL}, {NULL},
	    SMTPD_AUTH_BAD_MECH, NULL, NULL, NULL, 0},
};

Test(smtpd_auth, exchanges)
{
	struct buf *challenge = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct auth_case *c = cases + i;
		struct smtpd_auth sa;
		size_t	step = 0;
		int	rc;

		smtpd_auth_init(&sa);
		rc = smtpd_auth_begin(&sa, str_from(c->arg), challenge);
		while (rc == SMTPD_AUTH_MORE) {
			cr_assert(step < MAX_STEPS && c->challenges[step]
			    && c->responses[step], "%s: unexpected challenge "
			    "%zu \"%s\"", c->label, step, challenge->data);
			cr_expect_str_eq(challenge->data, c->challenges[step],
			    "%s: challenge %zu", c->label, step);
			cr_assert_neq(sa.mech, SMTPD_AUTH_NONE, "%s: under way",
			    c->label);
			rc = smtpd_auth_next(&sa, str_from(c->responses[step]),
			    challenge);
			step++;
		}
		cr_expect_eq(rc, c->want, "%s: result %d, want %d", c->label,
		    rc, c->want);
		cr_expect(step == MAX_STEPS || c->responses[step] == NULL,
		    "%s: ended after %zu responses", c->label, step);
		cr_expect_eq(sa.mech, SMTPD_AUTH_NONE, "%s: still under way",
		    c->label);
		if (c->want == SMTPD_AUTH_DONE && rc == SMTPD_AUTH_DONE) {
			size_t	plen = c->password_len ? c->password_len
			    : strlen(c->password);

			cr_expect_str_eq(sa.user, c->user, "%s: user",
			    c->label);
			cr_expect_str_eq(sa.authz, c->authz, "%s: authz",
			    c->label);
			cr_expect_eq(sa.password_len, plen, "%s: password "
			    "length", c->label);
			cr_expect(memcmp(sa.password, c->password, plen) == 0,
			    "%s: password", c->label);
		}
		smtpd_auth_fini(&sa);
		cr_expect_null(sa.user, "%s: fini keeps the user", c->label);
		cr_expect_null(sa.password, "%s: fini keeps the password",
		    c->label);
	}
	buf_free(challenge);
}

Test(smtpd_auth, mechanism_names)
{
	static const struct {
		const char *label;
		const char *arg;
		const char *want;
	} names[] = {
		{"plain", "plain AHRpbQB4", "PLAIN"},
		{"login", "LoGiN", "LOGIN"},
	};
	struct buf *challenge = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct smtpd_auth sa;

		smtpd_auth_init(&sa);
		(void) smtpd_auth_begin(&sa, str_from(names[i].arg), challenge);
		cr_expect_str_eq(smtpd_auth_mech_name(sa.used), names[i].want,
		    "%s", names[i].label);
		smtpd_auth_fini(&sa);
	}
	buf_free(challenge);
}
