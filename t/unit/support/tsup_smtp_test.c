/*
 * NAME
 *	tsup_smtp_test - self-tests of t/support/tsup_smtp (the client)
 * DESCRIPTION
 *	TLS: the client against openssl s_server (implicit TLS) with the
 *	certificates of tsup_certs: protocol and cipher reporting, and
 *	chain verification that passes or fails for the right reason.
 *	Replies: the client against tsup_smtpd sending raw bytes, well
 *	and badly formed.
 */
#include "config.h"

#include <string.h>

#include <openssl/x509.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_smtp, .init = tsup_init, .fini = tsup_fini);

/* has_line - does the text hold this whole line? */

static int
has_line(const char *text, const char *line)
{
	size_t	len = strlen(line);
	const char *cp;

	for (cp = text; (cp = strstr(cp, line)) != NULL; cp++)
		if ((cp == text || cp[-1] == '\n') && cp[len] == '\n')
			return (1);
	return (0);
}

struct tls_case {
	const char *label;
	const char *cert;		/* server certificate */
	const char *key;
	const char *chain;		/* -cert_chain: intermediates */
	const char *args[8];		/* more s_server options */
	struct tsup_tls_opts client;
	int	want_ok;
	long	want_verify;
	const char *want_version;	/* NULL: do not check */
	const char *want_cipher;
	const char *want_error;		/* substring of tsup_smtp_tls_error */
	int	want_bits;		/* ephemeral key bits; 0: no check */
};

/* s_server - start openssl s_server on a free port; the port */

static int
s_server(const struct tls_case *tc, struct tsup_proc **pp)
{
	const char *argv[24];
	int	port = tsup_port_free();
	int	n = 0;
	int	i;

	argv[n++] = "openssl";
	argv[n++] = "s_server";
	argv[n++] = "-quiet";
	argv[n++] = "-accept";
	argv[n++] = tsup_strf("127.0.0.1:%d", port);
	argv[n++] = "-cert";
	argv[n++] = tc->cert;
	argv[n++] = "-key";
	argv[n++] = tc->key;
	if (tc->chain != NULL) {
		argv[n++] = "-cert_chain";
		argv[n++] = tc->chain;
	}
	for (i = 0; tc->args[i]; i++)
		argv[n++] = tc->args[i];
	argv[n] = NULL;
	*pp = tsup_proc_spawn("s_server", argv, NULL);
	tsup_proc_wait_port(*pp, port, 0);
	return (port);
}

/* run_tls_cases - each case against its own s_server */

static void
run_tls_cases(const struct tls_case *cases, size_t count)
{
	struct tsup_proc *p;
	struct tsup_smtp *c;
	const struct tls_case *tc;
	size_t	i;
	int	ret;

	for (i = 0; i < count; i++) {
		tc = cases + i;
		c = tsup_smtp_connect(s_server(tc, &p));
		ret = tsup_smtp_handshake(c, &tc->client);
		cr_assert_eq(ret == 0, tc->want_ok, "%s: handshake %s (%s)",
		    tc->label, ret == 0 ? "succeeded" : "failed",
		    tsup_smtp_tls_error(c));
		cr_assert_eq(tsup_smtp_tls_verify(c), tc->want_verify,
		    "%s: verify %ld (%s), want %ld", tc->label,
		    tsup_smtp_tls_verify(c), X509_verify_cert_error_string(
		    tsup_smtp_tls_verify(c)), tc->want_verify);
		if (tc->want_version)
			cr_assert_str_eq(tsup_smtp_tls_version(c),
			    tc->want_version, "%s", tc->label);
		if (tc->want_cipher)
			cr_assert_str_eq(tsup_smtp_tls_cipher(c),
			    tc->want_cipher, "%s", tc->label);
		if (tc->want_error)
			cr_assert(strstr(tsup_smtp_tls_error(c), tc->want_error)
			    != NULL, "%s: error \"%s\", want \"%s\"", tc->label,
			    tsup_smtp_tls_error(c), tc->want_error);
		if (tc->want_ok) {
			cr_assert_str_eq(tsup_smtp_tls_error(c), "", "%s",
			    tc->label);
			cr_assert_neq(strlen(tsup_smtp_tls_cipher(c)), 0);
		} else {
			cr_assert_str_eq(tsup_smtp_tls_version(c), "", "%s",
			    tc->label);
		}
		if (tc->want_bits)
			cr_assert_eq(tsup_smtp_tls_tmp_key_bits(c),
			    tc->want_bits, "%s: ephemeral key %d bits",
			    tc->label, tsup_smtp_tls_tmp_key_bits(c));
		tsup_smtp_close(c);
		(void) tsup_proc_stop(p);
	}
}

#define VERIFY_HOST(ca) .ca_file = (ca), .verify_name = TSUP_CERT_HOST, \
	.verify = TSUP_TLS_VERIFY_PEER

Test(tsup_smtp, tls_verification_against_s_server)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *ca = pki->root.cert;
	const struct tls_case cases[] = {
		{.label = "good chain, verified",
		.cert = pki->good.cert, .key = pki->good.key,
		.chain = pki->inter.cert,
		.client = {VERIFY_HOST(ca)},
		.want_ok = 1, .want_verify = X509_V_OK,
		.want_version = "TLSv1.3"},
		{.label = "good chain, TLS 1.2 and one cipher",
		.cert = pki->good.cert, .key = pki->good.key,
		.chain = pki->inter.cert,
		.client = {VERIFY_HOST(ca), .max_proto = "TLSv1.2",
		.ciphers = "ECDHE-RSA-AES128-GCM-SHA256"},
		.want_ok = 1, .want_verify = X509_V_OK,
		.want_version = "TLSv1.2",
		.want_cipher = "ECDHE-RSA-AES128-GCM-SHA256"},
		{.label = "ecdsa, TLS 1.2",
		.cert = pki->ecdsa.cert, .key = pki->ecdsa.key,
		.chain = pki->inter.cert,
		.client = {VERIFY_HOST(ca), .max_proto = "TLSv1.2",
		.ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384"},
		.want_ok = 1, .want_verify = X509_V_OK,
		.want_version = "TLSv1.2",
		.want_cipher = "ECDHE-ECDSA-AES256-GCM-SHA384"},
		{.label = "TLS 1.3 suite chosen, no CA given",
		.cert = pki->good.cert, .key = pki->good.key,
		.chain = pki->inter.cert,
		.client = {.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256"},
		.want_ok = 1,
		.want_verify = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
		.want_version = "TLSv1.3",
		.want_cipher = "TLS_CHACHA20_POLY1305_SHA256"},
		{.label = "expired, verify aborts",
		.cert = pki->expired.cert, .key = pki->expired.key,
		.chain = pki->inter.cert,
		.client = {VERIFY_HOST(ca)},
		.want_verify = X509_V_ERR_CERT_HAS_EXPIRED,
		.want_error = "certificate has expired"},
		{.label = "expired, only recorded",
		.cert = pki->expired.cert, .key = pki->expired.key,
		.chain = pki->inter.cert,
		.client = {.ca_file = ca, .verify_name = TSUP_CERT_HOST},
		.want_ok = 1, .want_verify = X509_V_ERR_CERT_HAS_EXPIRED,
		.want_version = "TLSv1.3"},
		{.label = "not yet valid",
		.cert = pki->notyet.cert, .key = pki->notyet.key,
		.chain = pki->inter.cert,
		.client = {VERIFY_HOST(ca)},
		.want_verify = X509_V_ERR_CERT_NOT_YET_VALID,
		.want_error = "not yet valid"},
		{.label = "wrong name",
		.cert = pki->wrongname.cert, .key = pki->wrongname.key,
		.chain = pki->inter.cert,
		.client = {VERIFY_HOST(ca)},
		.want_verify = X509_V_ERR_HOSTNAME_MISMATCH,
		.want_error = "hostname mismatch"},
		{.label = "intermediate missing",
		.cert = pki->good.cert, .key = pki->good.key,
		.client = {VERIFY_HOST(ca)},
		.want_verify = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
		.want_error = "unable to get local issuer"},
		{.label = "self-signed, only recorded",
		.cert = pki->selfsigned.cert, .key = pki->selfsigned.key,
		.chain = pki->inter.cert,
		.client = {.ca_file = ca, .verify_name = TSUP_CERT_HOST},
		.want_ok = 1,
		.want_verify = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
		.want_version = "TLSv1.3"},
		{.label = "unknown root",
		.cert = pki->untrusted.cert, .key = pki->untrusted.key,
		.chain = pki->inter.cert,
		.client = {VERIFY_HOST(ca)},
		.want_verify = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
		.want_error = "unable to get local issuer"},
	};

	run_tls_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(tsup_smtp, tls_peer_behaviours_of_the_lab_matrix)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *dh = tsup_certs_dh1024();
	const char *cert = pki->good.cert;
	const char *key = pki->good.key;
	const char *inter = pki->inter.cert;
	const long no_ca = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	const struct tls_case cases[] = {
		{.label = "P06 TLS 1.1-only peer, client defaults",
		.cert = cert, .key = key, .chain = inter,
		.args = {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"},
		.want_verify = no_ca,
		.want_error = "legacy sigalg disallowed"},
		{.label = "P06 TLS 1.1-only peer, client at security level 0",
		.cert = cert, .key = key, .chain = inter,
		.args = {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"},
		.client = {.min_proto = "TLSv1",
		.ciphers = "DEFAULT:@SECLEVEL=0"},
		.want_ok = 1, .want_verify = no_ca, .want_version = "TLSv1.1"},
		{.label = "P07 TLS 1.3-only peer, client capped at 1.2",
		.cert = cert, .key = key, .chain = inter, .args = {"-tls1_3"},
		.client = {.max_proto = "TLSv1.2"},
		.want_error = "protocol version"},
		{.label = "P08 TLS 1.2-only peer, client floor 1.3",
		.cert = cert, .key = key, .chain = inter, .args = {"-tls1_2"},
		.client = {.min_proto = "TLSv1.3"},
		.want_error = "protocol version"},
		{.label = "P09 no shared cipher",
		.cert = cert, .key = key, .chain = inter,
		.args = {"-no_tls1_3", "-cipher", "AES128-SHA"},
		.client = {.max_proto = "TLSv1.2", .ciphers = "ECDHE+AESGCM"},
		.want_error = "handshake failure"},
		{.label = "P10 1024-bit DHE vs security level 2",
		.cert = cert, .key = key, .chain = inter,
		.args = {"-no_tls1_3", "-cipher",
		"DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "-dhparam", dh},
		.client = {.max_proto = "TLSv1.2",
		.ciphers = "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=2"},
		.want_verify = no_ca, .want_error = "dh key too small"},
		{.label = "P10 1024-bit DHE vs security level 1",
		.cert = cert, .key = key, .chain = inter,
		.args = {"-no_tls1_3", "-cipher",
		"DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "-dhparam", dh},
		.client = {.max_proto = "TLSv1.2",
		.ciphers = "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=1"},
		.want_ok = 1, .want_verify = no_ca, .want_version = "TLSv1.2",
		.want_cipher = "DHE-RSA-AES128-GCM-SHA256", .want_bits = 1024},
		{.label = "P19 client certificate required and given",
		.cert = cert, .key = key, .chain = inter,
		.args = {"-Verify", "1", "-CAfile", pki->root.cert},
		.client = {.cert_file = pki->client.chain,
		.key_file = pki->client.key, .max_proto = "TLSv1.2"},
		.want_ok = 1, .want_verify = no_ca, .want_version = "TLSv1.2"},
		{.label = "P19 client certificate required, none",
		.cert = cert, .key = key, .chain = inter,
		.args = {"-Verify", "1", "-CAfile", pki->root.cert},
		.client = {.max_proto = "TLSv1.2"},
		.want_verify = no_ca, .want_error = "handshake failure"},
	};

	run_tls_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(tsup_smtp, peer_subject_after_implicit_tls)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const struct tls_case tc = {.label = "implicit",
	.cert = pki->good.cert, .key = pki->good.key,
	.chain = pki->inter.cert};
	struct tsup_tls_opts opts = {.ca_file = pki->root.cert,
	.verify_name = TSUP_CERT_HOST, .verify = TSUP_TLS_VERIFY_PEER};
	struct tsup_proc *p;
	struct tsup_smtp *c;

	c = tsup_smtp_connect_tls(s_server(&tc, &p), &opts);
	cr_assert(strstr(tsup_smtp_tls_peer(c), "CN=" TSUP_CERT_HOST) != NULL,
	    "%s", tsup_smtp_tls_peer(c));
	/* s_server echoes what it reads to its standard output. */
	tsup_smtp_cmd(c, "EHLO client.test");
	cr_assert_eq(tsup_smtp_tls_verify(c), X509_V_OK);
}

Test(tsup_smtp, reply_parsing_table)
{
	static const struct {
		const char *label;
		const char *raw;
		int	action;
		int	want;
		const char *text;
	} cases[] = {
		{"one line", "250 ok\r\n", TSUP_SMTPD_CLOSE, 250, "250 ok"},
		{"multi-line", "250-a\r\n250-b b\r\n250 c\r\n",
		TSUP_SMTPD_CLOSE, 250, "250-a\n250-b b\n250 c"},
		{"code alone", "421\r\n", TSUP_SMTPD_CLOSE, 421, "421"},
		{"two replies in one write", "220 a\r\n250 b\r\n",
		TSUP_SMTPD_CLOSE, 220, "220 a"},
		{"bare LF", "250 ok\n", TSUP_SMTPD_CLOSE, TSUP_SMTP_BADREPLY,
		"250 ok\n"},
		{"not digits", "25x ok\r\n", TSUP_SMTPD_CLOSE,
		TSUP_SMTP_BADREPLY, "25x ok"},
		{"no separator", "250ok\r\n", TSUP_SMTPD_CLOSE,
		TSUP_SMTP_BADREPLY, "250ok"},
		{"codes differ", "250-a\r\n251 b\r\n", TSUP_SMTPD_CLOSE,
		TSUP_SMTP_BADREPLY, "250-a\n251 b"},
		{"close at once", "", TSUP_SMTPD_CLOSE, TSUP_SMTP_EOF, ""},
		{"close mid-reply", "250-a\r\n250 b", TSUP_SMTPD_CLOSE,
		TSUP_SMTP_EOF, "250-a\n250 b"},
		{"silence", "250-a\r\n", TSUP_SMTPD_HOLD, TSUP_SMTP_TIMEOUT,
		"250-a"},
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct tsup_smtpd_rule rules[N + 1];
	struct tsup_smtpd_opts opts;
	struct tsup_smtpd *s;
	struct tsup_smtp *c;
	size_t	i;
	int	ret;

	memset(rules, 0, sizeof(rules));
	for (i = 0; i < N; i++) {
		rules[i].verb = "CONNECT";
		rules[i].reply = cases[i].raw;
		rules[i].action = cases[i].action;
		rules[i].flags = TSUP_SMTPD_RAW;
		rules[i].conn = (int) i + 1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.rules = rules;
	opts.max_conns = N;
	s = tsup_smtpd_start(&opts);
	for (i = 0; i < N; i++) {
		c = tsup_smtp_connect(tsup_smtpd_port(s));
		tsup_smtp_timeout(c, 300);
		ret = tsup_smtp_reply(c);
		cr_assert_eq(ret, cases[i].want, "%s: got %d", cases[i].label,
		    ret);
		cr_assert_str_eq(tsup_smtp_text(c), cases[i].text, "%s",
		    cases[i].label);
		tsup_smtp_close(c);
	}
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(tsup_smtpd_conns(s), N);
}

/* expect_wrong - tsup_catch() body */

static void
expect_wrong(void *arg)
{
	struct tsup_smtp *c = arg;

	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@b.test>");
}

/* expect_close_wrong - tsup_catch() body */

static void
expect_close_wrong(void *arg)
{
	tsup_smtp_expect_close(arg);
}

Test(tsup_smtp, expect_failures_quote_command_and_reply)
{
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "MAIL", .reply = "554-5.7.1 no\n554 thanks"},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts opts = {.rules = rules};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));
	struct buf msg;

	buf_init(&msg, 128);
	(void) tsup_smtp_expect(c, 220);
	cr_assert_eq(tsup_catch(expect_wrong, c, &msg), 1);
	cr_assert(strstr(msg.data, "expected 250") != NULL, "%s", msg.data);
	cr_assert(strstr(msg.data, "MAIL FROM:<a@b.test>\\r\\n") != NULL, "%s",
	    msg.data);
	cr_assert(strstr(msg.data, "554-5.7.1 no\\n554 thanks") != NULL, "%s",
	    msg.data);
	buf_reset(&msg);
	tsup_smtp_cmd(c, "NOOP");
	cr_assert_eq(tsup_catch(expect_close_wrong, c, &msg), 1);
	cr_assert(strstr(msg.data, "expected the connection to close, got "
	    "\"250 2.0.0 Ok\\r\\n\"") != NULL, "%s", msg.data);
	buf_fini(&msg);
}

Test(tsup_smtp, send_everything_then_read_until_close)
{
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "NOOP", .reply = "250 one"},
		{.verb = "RSET", .reply = "250 two",
		.action = TSUP_SMTPD_CLOSE},
		{.verb = NULL},
	};
	static const char burst[] = "NOOP\r\nRSET\r\nQUIT\r\n";
	struct tsup_smtpd_opts opts = {.rules = rules, .max_conns = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));
	struct buf all;
	struct buf raw;

	buf_init(&all, 128);
	buf_init(&raw, 128);
	tsup_smtp_send(c, burst, sizeof(burst) - 1);
	cr_assert_eq(tsup_smtp_read_all(c, &all), 0);
	/* The end stays the end. */
	cr_assert_eq(tsup_smtp_reply(c), TSUP_SMTP_EOF);
	cr_assert_str_eq(all.data, "220 tsup.test ESMTP tsup\r\n250 one\r\n"
	    "250 two\r\n");
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(tsup_smtpd_raw(s, 1, &raw), 0);
	cr_assert_str_eq(raw.data, burst);
	buf_fini(&all);
	buf_fini(&raw);
}

Test(tsup_smtp, read_all_stops_at_the_deadline)
{
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "CONNECT", .reply = "220 then silence",
		.action = TSUP_SMTPD_HOLD},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts opts = {.rules = rules, .max_conns = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));
	struct buf all;

	buf_init(&all, 64);
	tsup_smtp_timeout(c, 300);
	cr_assert_eq(tsup_smtp_read_all(c, &all), -1);
	cr_assert_str_eq(all.data, "220 then silence\r\n");
	tsup_smtp_close(c);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(has_line(tsup_smtpd_log(s), "1 * EOF"), "%s",
	    tsup_smtpd_log(s));
	buf_fini(&all);
}
