/*
 * NAME
 *	auth_test - SMTP AUTH on a listener, end to end, against a real mtad
 * DESCRIPTION
 *	Each test starts mtad with one submission-style listener on a
 *	free loopback port: STARTTLS offered, SMTP AUTH required and
 *	offered only after STARTTLS, and a password file made at test time
 *	with real yescrypt and SHA-512 hashes. swaks (--tls --auth) and the
 *	scripted client talk to it; the tests check the replies, the spool
 *	and the mail log lines (masked time stamps and IDs, byte for byte).
 *
 *	Listeners have no implicit TLS (port 465 style) mode yet, so only
 *	STARTTLS is tested here.
 */
#include "config.h"

#include <crypt.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(auth, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

#define AUTH_LISTENER \
	"default_policy:\n  tls: preferred\n  smtp_auth: required\n" \
	"  require_tls_for_auth: true\nsender_groups: []\n" \
	"all_policy: SUBMIT\npolicies:\n  SUBMIT:\n    connection: relay\n"

/* auth_hash - a crypt(3) hash of password with method prefix */

static const char *
auth_hash(const char *prefix, const char *password)
{
	struct crypt_data cd;
	char	setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *out;

	memset(&cd, 0, sizeof(cd));
	cr_assert_not_null(crypt_gensalt_rn(prefix, 0, NULL, 0, setting,
	    (int) sizeof(setting)));
	out = crypt_rn(password, setting, &cd, (int) sizeof(cd));
	cr_assert(out != NULL && out[0] != '*', "crypt_rn %s", prefix);
	return (tsup_strf("%s", out));
}

/* auth_start - mtad with the accounts alice and relay@my.domain */

static struct mtad_inst *
auth_start_on(int max_failures, const char *listener)
{
	struct mtad_spec spec = {0};
	const char *accounts = tsup_strf("# test accounts\n"
	    "alice:%s\nrelay@my.domain:%s\n",
	    auth_hash("$y$", "wonderland"), auth_hash("$6$", "r3lay pass"));
	const char *path = tsup_tmp_write("passwd", accounts,
	    strlen(accounts));

	spec.top = tsup_strf("auth:\n  password_file: %s\n"
	    "  max_failures: %d\n  failure_window: 10m\n"
	    "tls:\n  inbound:\n    versions: tls1.2 tls1.3\n", path,
	    max_failures);
	spec.listener = listener;
	return (mtad_start(&spec));
}

/* auth_start - the STARTTLS submission listener */

static struct mtad_inst *
auth_start(int max_failures)
{
	return (auth_start_on(max_failures, AUTH_LISTENER));
}

/* auth_mask - stamps and IDs masked, and the size (swaks's headers) */

static const char *
auth_mask(const char *line)
{
	const char *ready = strstr(line, " ready ");

	if (ready)
		line = tsup_strf("%.*s ready SIZE%s", (int) (ready - line),
		    line, strchr(ready + 7, ' '));
	return (tsup_log_mask(line));
}

/* auth_swaks - one message through swaks with STARTTLS and AUTH */

static const char *
auth_swaks(const struct mtad_inst *mi, int *status, const char *mech,
    const char *user, const char *password, const char *id)
{
	return (mtad_swaks(mi, status, "--tls --auth %s --auth-user '%s' "
	    "--auth-password '%s' --from sender@example.org --to "
	    "rcpt@example.com --header 'Subject: %s' --header "
	    "'Message-Id: <%s@example.org>'", mech, user, password, id, id));
}

struct success_case {
	const char *label;
	const char *mech;
	const char *user;
	const char *password;
};

Test(auth, plain_and_login_succeed_and_are_logged)
{
	static const struct success_case cases[] = {
		{"PLAIN, yescrypt", "PLAIN", "alice", "wonderland"},
		{"LOGIN, SHA-512, user with @", "LOGIN", "relay@my.domain",
		    "r3lay pass"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct success_case *c = cases + i;
		struct mtad_inst *mi = auth_start(5);
		const char *id = tsup_strf("m%zu", i);
		const char *out, *got;
		int	status;

		out = auth_swaks(mi, &status, c->mech, c->user, c->password,
		    id);
		cr_assert_eq(status, 0, "%s: swaks failed:\n%s", c->label,
		    out);
		cr_expect(strstr(out, "235 2.7.0 Authentication successful")
		    != NULL, "%s:\n%s", c->label, out);
		cr_expect(strstr(out, "250 2.0.0 Ok: queued as ") != NULL,
		    "%s:\n%s", c->label, out);
		(void) mtad_wait_log(mi, "ICID [0-9]+ close$");
		got = mtad_lines(mi, "ICID|MID", auth_mask);
		cr_expect_str_eq(got, tsup_strf(
		    "TIMESTAMP Info: New SMTP ICID N interface Data 1 "
		    "(127.0.0.1) address 127.0.0.1 reverse dns host "
		    "localhost.test verified yes\n"
		    "TIMESTAMP Info: ICID N RELAY SG None match ALL SBRS not "
		    "enabled\n"
		    "TIMESTAMP Info: ICID N TLS success protocol TLSv1.3 "
		    "cipher TLS_AES_256_GCM_SHA384\n"
		    "TIMESTAMP Info: SMTP Auth (ICID N) succeeded for user: "
		    "%s using AUTH mechanism: %s with profile: passwd\n"
		    "TIMESTAMP Info: Start MID N ICID N\n"
		    "TIMESTAMP Info: MID N ICID N From: <sender@example.org>\n"
		    "TIMESTAMP Info: MID N ICID N RID N To: "
		    "<rcpt@example.com>\n"
		    "TIMESTAMP Info: MID N Message-ID '<%s@example.org>'\n"
		    "TIMESTAMP Info: MID N Subject '%s'\n"
		    "TIMESTAMP Info: MID N ready SIZE bytes from "
		    "<sender@example.org>\n"
		    "TIMESTAMP Info: MID N queued for delivery\n"
		    "TIMESTAMP Info: ICID N close\n", c->user, c->mech, id, id),
		    "%s: log:\n%s", c->label, got);
		cr_expect_eq(mtad_queued(mi), 1, "%s: in the spool", c->label);
		mtad_stop(mi);
	}
}

struct failure_case {
	const char *label;
	const char *mech;
	const char *user;
	const char *password;
};

Test(auth, bad_credentials_get_535_and_a_failed_line)
{
	static const struct failure_case cases[] = {
		{"wrong password", "PLAIN", "alice", "Wonderland"},
		{"unknown user", "LOGIN", "mallory", "wonderland"},
		{"password of another account", "PLAIN", "relay@my.domain",
		    "wonderland"},
	};
	struct mtad_inst *mi = auth_start(100);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct failure_case *c = cases + i;
		const char *out;
		const char *line;
		int	status;

		out = auth_swaks(mi, &status, c->mech, c->user, c->password,
		    "nope");
		cr_expect_neq(status, 0, "%s: swaks succeeded:\n%s", c->label,
		    out);
		cr_expect(strstr(out, "535 5.7.8 Authentication credentials "
		    "invalid") != NULL, "%s:\n%s", c->label, out);
		line = mtad_wait_text(mi, tsup_strf("failed for user: %s ",
		    c->user));
		cr_expect_str_eq(tsup_log_mask(line), tsup_strf(
		    "TIMESTAMP Info: SMTP Auth (ICID N) failed for user: %s "
		    "using AUTH mechanism: %s with profile: passwd", c->user,
		    c->mech), "%s", c->label);
	}
	cr_expect_eq(mtad_queued(mi), 0, "nothing was accepted");
	cr_expect_eq(mtad_log_count(mi, "succeeded for user"), 0);
	mtad_stop(mi);
}

Test(auth, offered_only_after_starttls_and_required_for_mail)
{
	struct mtad_inst *mi = auth_start(5);
	struct tsup_tls_opts tls;
	struct tsup_smtp *c;
	const char *reply;

	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	reply = tsup_smtp_chat(c, 250, "EHLO client.test");
	cr_expect(strstr(reply, "STARTTLS") != NULL, "%s", reply);
	cr_expect(strstr(reply, "AUTH") == NULL, "AUTH offered in clear:\n%s",
	    reply);
	reply = tsup_smtp_chat(c, 538, "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=");
	cr_expect_str_eq(reply, "538 5.7.11 Encryption required for requested "
	    "authentication mechanism");
	reply = tsup_smtp_chat(c, 530, "MAIL FROM:<a@example.org>");
	cr_expect_str_eq(reply, "530 5.7.0 Authentication required");
	cr_expect_str_eq(tsup_log_mask(mtad_wait_text(mi, "was required")),
	    "TIMESTAMP Info: SMTP Auth (ICID N) was required but remote "
	    "host did not initiate it");

	memset(&tls, 0, sizeof(tls));
	tsup_smtp_starttls(c, &tls);
	reply = tsup_smtp_chat(c, 250, "EHLO client.test");
	cr_expect(strstr(reply, "AUTH PLAIN LOGIN") != NULL,
	    "AUTH not offered after STARTTLS:\n%s", reply);
	(void) tsup_smtp_chat(c, 530, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 334, "AUTH LOGIN");
	(void) tsup_smtp_chat(c, 501, "*");
	reply = tsup_smtp_chat(c, 235, "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=");
	cr_expect_str_eq(reply, "235 2.7.0 Authentication successful");
	(void) tsup_smtp_chat(c, 503, "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<alice@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	(void) tsup_smtp_chat(c, 250, "Subject: auth\r\n\r\nbody\r\n.");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 1);
	cr_expect_eq(mtad_log_count(mi, "was required but remote host did "
	    "not initiate it$"), 1, "logged once per connection");
	mtad_stop(mi);
}

Test(auth, repeated_failures_are_throttled)
{
	struct mtad_inst *mi = auth_start(3);
	struct tsup_tls_opts tls;
	struct tsup_smtp *c;
	const char *out;
	int	status, i;

	for (i = 0; i < 3; i++) {
		out = auth_swaks(mi, &status, "PLAIN", "alice", "guess", "g");
		cr_expect(strstr(out, "535 5.7.8") != NULL, "failure %d:\n%s",
		    i + 1, out);
	}
	/* Now even the right password is not tried. */
	out = auth_swaks(mi, &status, "PLAIN", "alice", "wonderland", "g");
	cr_expect_neq(status, 0, "swaks succeeded:\n%s", out);
	cr_expect(strstr(out, "421 4.7.0 Too many failed authentication "
	    "attempts, closing connection") != NULL, "%s", out);
	cr_expect(strstr(out, "235 ") == NULL, "%s", out);
	cr_expect_str_eq(tsup_log_mask(mtad_wait_text(mi, "limit exceeded")),
	    "TIMESTAMP Info: ICID N Receiving Failed: SMTP Auth failure limit "
	    "exceeded");
	cr_expect_eq(mtad_log_count(mi, "failed for user: alice "), 3,
	    "the refused attempt is not a failed AUTH");

	/* Any later AUTH from the address gets 421 and the end. */
	memset(&tls, 0, sizeof(tls));
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	tsup_smtp_starttls(c, &tls);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 421, "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=");
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 0);
	mtad_stop(mi);
}

Test(auth, unreadable_password_file_is_refused)
{
	struct mtad_spec spec = {0};
	const char *line = tsup_strf("alice:%s\n", auth_hash("$y$", "x"));
	const char *path = tsup_tmp_write("passwd", line, strlen(line));
	struct mtad_inst *mi;
	struct tsup_tls_opts tls;
	struct tsup_smtp *c;
	const char *reply;

	cr_assert_eq(chmod(path, 0644), 0);
	spec.top = tsup_strf("auth:\n  password_file: %s\n", path);
	spec.listener = AUTH_LISTENER;
	mi = mtad_start(&spec);
	memset(&tls, 0, sizeof(tls));
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	tsup_smtp_starttls(c, &tls);
	reply = tsup_smtp_chat(c, 250, "EHLO client.test");
	cr_expect(strstr(reply, "AUTH") == NULL, "AUTH offered:\n%s", reply);
	(void) tsup_smtp_chat(c, 500, "AUTH PLAIN AGFsaWNlAHg=");
	/* Fails closed: AUTH is required, so no mail goes through. */
	(void) tsup_smtp_chat(c, 530, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);
	mtad_stop(mi);
}

Test(auth, smtps_listener_tls_before_the_greeting)
{
	struct mtad_inst *mi = auth_start_on(5, AUTH_LISTENER
	    "implicit_tls: true\n");
	const char *out;
	int	status;

	out = mtad_swaks(mi, &status, "--tls-on-connect --auth LOGIN "
	    "--auth-user relay@my.domain --auth-password 'r3lay pass' "
	    "--from sender@example.org --to rcpt@example.com");
	cr_assert_eq(status, 0, "swaks over SMTPS failed:\n%s", out);
	cr_expect(strstr(out, "235 2.7.0 Authentication successful") != NULL,
	    "%s", out);
	cr_expect(strstr(mtad_wait_log(mi, "ICID [0-9]+ TLS success "),
	    "TLS success protocol TLSv1.3") != NULL);
	(void) mtad_wait_text(mi, "succeeded for user: relay@my.domain "
	    "using AUTH mechanism: LOGIN");
	/* A client that speaks clear text gets no greeting. */
	out = mtad_swaks(mi, &status, "--from sender@example.org --to "
	    "rcpt@example.com --timeout 5");
	cr_expect_neq(status, 0, "clear text on the SMTPS port:\n%s", out);
	cr_expect(strstr(out, "<-  220") == NULL, "greeted in clear:\n%s",
	    out);
	mtad_stop(mi);
}
