/*
 * NAME
 *	tsup_smtpd_test - self-tests of t/support/tsup_smtpd (the server)
 * DESCRIPTION
 *	The scripted server is driven by the client helper and by swaks,
 *	a real SMTP client: the default dialogue, its transcript byte for
 *	byte, pipelining, end of data, STARTTLS (with and without plain
 *	text pipelined behind it), and the broken peers that delivery
 *	tests will need (no STARTTLS, 454, drop after 220, reset, per
 *	connection and per count replies, small DH, implicit TLS).
 */
#include "config.h"

#include <string.h>

#include <openssl/x509.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_smtpd, .init = tsup_init, .fini = tsup_fini);

/* has - does the text contain the string? */

static int
has(const char *text, const char *what)
{
	return (strstr(text, what) != NULL);
}

Test(tsup_smtpd, default_dialogue_and_exact_transcript)
{
	static const char msg[] = "Subject: t\r\n\r\nbody\r\n..dot\r\n";
	struct tsup_smtpd_opts opts = {.max_conns = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));
	struct buf got;

	cr_assert_str_eq(tsup_smtp_expect(c, 220), "220 tsup.test ESMTP tsup");
	cr_assert_str_eq(tsup_smtp_chat(c, 250, "EHLO client.test"),
	    "250-tsup.test\n250-PIPELINING\n250-SIZE 10240000\n"
	    "250-8BITMIME\n250 ENHANCEDSTATUSCODES");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@b.test>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<c@d.test>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	tsup_smtp_send(c, msg, sizeof(msg) - 1);
	cr_assert_str_eq(tsup_smtp_chat(c, 250, "."),
	    "250 2.0.0 Ok: queued as TSUP1M1");
	(void) tsup_smtp_chat(c, 500, "XYZZY");
	(void) tsup_smtp_chat(c, 502, "STARTTLS");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_expect_close(c);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_str_eq(tsup_smtpd_log(s),
	    "1 * CONNECT\n"
	    "1 > 220 tsup.test ESMTP tsup\n"
	    "1 < EHLO client.test\n"
	    "1 > 250-tsup.test\n"
	    "1 > 250-PIPELINING\n"
	    "1 > 250-SIZE 10240000\n"
	    "1 > 250-8BITMIME\n"
	    "1 > 250 ENHANCEDSTATUSCODES\n"
	    "1 < MAIL FROM:<a@b.test>\n"
	    "1 > 250 2.1.0 Ok\n"
	    "1 < RCPT TO:<c@d.test>\n"
	    "1 > 250 2.1.5 Ok\n"
	    "1 < DATA\n"
	    "1 > 354 End data with <CR><LF>.<CR><LF>\n"
	    "1 * DATA 27\n"
	    "1 > 250 2.0.0 Ok: queued as TSUP1M1\n"
	    "1 < XYZZY\n"
	    "1 > 500 5.5.2 Command unrecognized\n"
	    "1 < STARTTLS\n"
	    "1 > 502 5.5.1 STARTTLS not available\n"
	    "1 < QUIT\n"
	    "1 > 221 2.0.0 Bye\n"
	    "1 * CLOSE\n");
	buf_init(&got, 64);
	cr_assert_eq(tsup_smtpd_message(s, 1, 1, &got), 0);
	cr_assert_str_eq(got.data, msg);
	cr_assert_eq(tsup_smtpd_message(s, 1, 2, &got), -1);
	cr_assert_eq(tsup_smtpd_raw(s, 2, &got), -1);
	buf_fini(&got);
}

Test(tsup_smtpd, pipelined_commands_and_end_of_data)
{
	static const struct {
		const char *label;
		const char *data;
		const char *want;
	} cases[] = {
		{"plain", "a\r\n.\r\n", "a\r\n"},
		{"empty message", ".\r\n", ""},
		{"bare LF dot is not the end", "a\n.\nb\r\n.\r\n",
		"a\n.\nb\r\n"},
		{"bare CR dot is not the end", "a\r.\rb\r\n.\r\n",
		"a\r.\rb\r\n"},
		{"dot-stuffing kept", "..x\r\n.\r\n", "..x\r\n"},
		{"LF dot CRLF is not the end", "a\n.\r\nb\r\n.\r\n",
		"a\n.\r\nb\r\n"},
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	static const char tail[] = "MAIL FROM:<>\r\nRCPT TO:<x@y.test>\r\n"
	    "DATA\r\nz\r\n.\r\nQUIT\r\n";
	struct tsup_smtpd_opts opts = {.max_conns = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));
	struct buf burst;
	struct buf got;
	size_t	i;

	buf_init(&burst, 256);
	buf_init(&got, 256);
	(void) tsup_smtp_expect(c, 220);
	for (i = 0; i < N; i++) {
		/* Everything of one transaction in one write. */
		buf_reset(&burst);
		buf_printf(&burst, "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>"
		    "\r\nDATA\r\n%s", cases[i].data);
		tsup_smtp_send(c, burst.data, burst.len);
		(void) tsup_smtp_expect(c, 250);
		(void) tsup_smtp_expect(c, 250);
		(void) tsup_smtp_expect(c, 354);
		(void) tsup_smtp_expect(c, 250);
		buf_reset(&got);
		cr_assert_eq(tsup_smtpd_message(s, 1, (int) i + 1, &got), 0,
		    "%s", cases[i].label);
		cr_assert_eq(got.len, strlen(cases[i].want), "%s",
		    cases[i].label);
		cr_assert(memcmp(got.data, cases[i].want, got.len) == 0, "%s",
		    cases[i].label);
	}
	/* A command pipelined right behind the final dot. */
	tsup_smtp_send(c, tail, sizeof(tail) - 1);
	(void) tsup_smtp_expect(c, 250);
	(void) tsup_smtp_expect(c, 250);
	(void) tsup_smtp_expect(c, 354);
	cr_assert(has(tsup_smtp_expect(c, 250), "TSUP1M7"));
	(void) tsup_smtp_expect(c, 221);
	buf_fini(&burst);
	buf_fini(&got);
}

Test(tsup_smtpd, received_bytes_are_logged_escaped)
{
	static const char line[] = "NOOP \001\377\\x\r\rMAIL\n";
	struct tsup_smtpd_opts opts = {.max_conns = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));
	struct buf raw;

	(void) tsup_smtp_expect(c, 220);
	tsup_smtp_send(c, line, sizeof(line) - 1);
	(void) tsup_smtp_expect(c, 250);
	tsup_smtp_send(c, "NO\0OP\r\n", 7);
	(void) tsup_smtp_expect(c, 500);
	(void) tsup_smtp_chat(c, 221, "QUIT");
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(has(tsup_smtpd_log(s),
	    "1 < NOOP \\x01\\xff\\\\x\\x0d\\x0dMAIL\\x0a\n"),
	    "%s", tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "1 < NO\\x00OP\n"), "%s",
	    tsup_smtpd_log(s));
	buf_init(&raw, 64);
	cr_assert_eq(tsup_smtpd_raw(s, 1, &raw), 0);
	cr_assert_eq(raw.len, sizeof(line) - 1 + 7 + 6);
	cr_assert(memcmp(raw.data + sizeof(line) - 1, "NO\0OP\r\n", 7) == 0);
	buf_fini(&raw);
}

Test(tsup_smtpd, starttls_resets_capabilities_and_discards_plain_text)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct tsup_tls_opts verify = {.ca_file = pki->root.cert,
	.verify_name = TSUP_CERT_HOST, .verify = TSUP_TLS_VERIFY_PEER};
	struct tsup_smtpd_opts opts = {.max_conns = 2,
	.tls = {.cert_file = pki->good.chain, .key_file = pki->good.key}};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c;

	/* Connection 1: a clean STARTTLS. */
	c = tsup_smtp_connect(tsup_smtpd_port(s));
	(void) tsup_smtp_expect(c, 220);
	cr_assert(has(tsup_smtp_chat(c, 250, "EHLO a"), "\n250 STARTTLS"));
	tsup_smtp_starttls(c, &verify);
	cr_assert_str_eq(tsup_smtp_tls_version(c), "TLSv1.3");
	cr_assert_eq(tsup_smtp_tls_verify(c), X509_V_OK);
	cr_assert(!has(tsup_smtp_chat(c, 250, "EHLO a"), "STARTTLS"));
	(void) tsup_smtp_chat(c, 503, "STARTTLS");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);

	/* Connection 2: RSET pipelined behind STARTTLS must not count. */
	c = tsup_smtp_connect(tsup_smtpd_port(s));
	(void) tsup_smtp_expect(c, 220);
	tsup_smtp_send(c, "STARTTLS\r\nRSET\r\n", 16);
	(void) tsup_smtp_expect(c, 220);
	cr_assert_eq(tsup_smtp_handshake(c, &verify), 0, "%s",
	    tsup_smtp_tls_error(c));
	(void) tsup_smtp_chat(c, 250, "NOOP");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(has(tsup_smtpd_log(s), "1 * TLS TLSv1.3 TLS_"), "%s",
	    tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "2 < STARTTLS\n"
	    "2 > 220 2.0.0 Ready to start TLS\n2 * DISCARD 6\n2 * TLS "),
	    "%s", tsup_smtpd_log(s));
	cr_assert(!has(tsup_smtpd_log(s), "RSET"), "%s", tsup_smtpd_log(s));
	cr_assert_eq(tsup_smtpd_conns(s), 2);
}

/* starttls_injected - tsup_catch() body */

static void
starttls_injected(void *arg)
{
	tsup_smtp_starttls(arg, NULL);
}

Test(tsup_smtpd, broken_peers_from_rules)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const struct tsup_smtpd_rule rules[] = {
		/* conn 1: P02, STARTTLS refused */
		{.conn = 1, .verb = "STARTTLS", .reply = "454 4.7.0 TLS not "
		"available due to local problem"},
		/* conn 2: drop right after the greeting */
		{.conn = 2, .verb = "CONNECT", .reply = "220 bye at once",
		.action = TSUP_SMTPD_CLOSE},
		/* conn 3: P04, "220 Ready" then close */
		{.conn = 3, .verb = "STARTTLS", .reply = "220 2.0.0 Ready",
		.action = TSUP_SMTPD_CLOSE},
		/* conn 4: P23, a reply injected behind the 220 */
		{.conn = 4, .verb = "STARTTLS",
		.reply = "220 2.0.0 Ready\n250 injected"},
		/* conn 5: a TCP reset on MAIL */
		{.conn = 5, .verb = "MAIL", .action = TSUP_SMTPD_RESET},
		/* conn 6: 421 greeting, like a busy server */
		{.conn = 6, .verb = "CONNECT", .reply = "421 4.3.2 busy",
		.action = TSUP_SMTPD_CLOSE},
		/* any connection: the first RCPT passes, the others fail */
		{.verb = "RCPT", .times = 1},
		{.verb = "RCPT", .reply = "550 5.1.1 no such user"},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts opts = {.max_conns = 7, .rules = rules,
	.tls = {.cert_file = pki->good.chain, .key_file = pki->good.key}};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	int	port = tsup_smtpd_port(s);
	struct tsup_smtp *c;
	struct buf msg;

	buf_init(&msg, 128);
	c = tsup_smtp_connect(port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 454, "STARTTLS");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<a@b.test>");
	(void) tsup_smtp_chat(c, 550, "RCPT TO:<b@b.test>");
	(void) tsup_smtp_chat(c, 550, "RCPT TO:<c@b.test>");
	tsup_smtp_close(c);

	c = tsup_smtp_connect(port);
	cr_assert_str_eq(tsup_smtp_expect(c, 220), "220 bye at once");
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);

	c = tsup_smtp_connect(port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 220, "STARTTLS");
	cr_assert_eq(tsup_smtp_handshake(c, NULL), -1);
	cr_assert(has(tsup_smtp_tls_error(c), "closed"), "%s",
	    tsup_smtp_tls_error(c));
	tsup_smtp_close(c);

	c = tsup_smtp_connect(port);
	(void) tsup_smtp_expect(c, 220);
	cr_assert_eq(tsup_catch(starttls_injected, c, &msg), 1);
	cr_assert(has(msg.data, "response injection"), "%s", msg.data);
	tsup_smtp_close(c);

	c = tsup_smtp_connect(port);
	(void) tsup_smtp_expect(c, 220);
	tsup_smtp_cmd(c, "MAIL FROM:<>");
	cr_assert_eq(tsup_smtp_reply(c), TSUP_SMTP_EOF);
	tsup_smtp_close(c);

	c = tsup_smtp_connect(port);
	(void) tsup_smtp_expect(c, 421);
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);

	/* conn 7: no rule of its own left but the RCPT ones. */
	c = tsup_smtp_connect(port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 550, "RCPT TO:<a@b.test>");
	tsup_smtp_close(c);

	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(tsup_smtpd_conns(s), 7);
	cr_assert(has(tsup_smtpd_log(s), "5 * RESET\n"), "%s",
	    tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "3 > 220 2.0.0 Ready\n3 * CLOSE\n"),
	    "%s", tsup_smtpd_log(s));
	buf_fini(&msg);
}

Test(tsup_smtpd, no_starttls_hold_and_custom_capabilities)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	static const char *const caps[] = {"SIZE 1000", "AUTH PLAIN", NULL};
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "DATA", .reply = "354 go", .action = TSUP_SMTPD_HOLD},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts opts = {.max_conns = 1, .no_starttls = 1,
	.ehlo_caps = caps, .hostname = "mx.peer.test", .rules = rules,
	.timeout_ms = 500,
	.tls = {.cert_file = pki->good.chain, .key_file = pki->good.key}};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));

	cr_assert_str_eq(tsup_smtp_expect(c, 220),
	    "220 mx.peer.test ESMTP tsup");
	cr_assert_str_eq(tsup_smtp_chat(c, 250, "EHLO x"),
	    "250-mx.peer.test\n250-SIZE 1000\n250 AUTH PLAIN");
	(void) tsup_smtp_chat(c, 502, "STARTTLS");
	(void) tsup_smtp_chat(c, 354, "DATA");
	tsup_smtp_timeout(c, 200);
	tsup_smtp_cmd(c, "x\r\n.");
	cr_assert_eq(tsup_smtp_reply(c), TSUP_SMTP_TIMEOUT);
	/* The server gives up on its own read timeout, then exits. */
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(has(tsup_smtpd_log(s), "1 * HOLD\n1 * TIMEOUT\n"), "%s",
	    tsup_smtpd_log(s));
}

Test(tsup_smtpd, tls_options_client_certs_and_small_dh)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct tsup_smtpd_opts opts = {.max_conns = 3,
	.tls = {.cert_file = pki->good.chain, .key_file = pki->good.key,
	.ca_file = pki->root.cert, .verify = TSUP_TLS_VERIFY_PEER,
	.max_proto = "TLSv1.2", .dh_file = tsup_certs_dh1024(),
	.ciphers = "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	"@SECLEVEL=0"}};
	struct tsup_tls_opts client = {.cert_file = pki->client.chain,
	.key_file = pki->client.key,
	.ciphers = "ECDHE-RSA-AES128-GCM-SHA256"};
	struct tsup_tls_opts dhe = {.ciphers = "DHE-RSA-AES128-GCM-SHA256"};
	struct tsup_tls_opts dhe1 = {
	.ciphers = "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=1"};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c;

	c = tsup_smtp_connect(tsup_smtpd_port(s));
	(void) tsup_smtp_expect(c, 220);
	tsup_smtp_starttls(c, &client);
	cr_assert_str_eq(tsup_smtp_tls_version(c), "TLSv1.2");
	cr_assert_str_eq(tsup_smtp_tls_cipher(c),
	    "ECDHE-RSA-AES128-GCM-SHA256");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);

	c = tsup_smtp_connect(tsup_smtpd_port(s));
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 220, "STARTTLS");
	cr_assert_eq(tsup_smtp_handshake(c, &dhe), -1);
	cr_assert(has(tsup_smtp_tls_error(c), "dh key too small"), "%s",
	    tsup_smtp_tls_error(c));
	tsup_smtp_close(c);

	c = tsup_smtp_connect(tsup_smtpd_port(s));
	(void) tsup_smtp_expect(c, 220);
	tsup_smtp_starttls(c, &dhe1);
	cr_assert_eq(tsup_smtp_tls_tmp_key_bits(c), 1024);
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);

	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(has(tsup_smtpd_log(s), "1 * TLSPEER /O=mtad tests/CN="
	    TSUP_CERT_CLIENT " verify 0\n"), "%s", tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "2 * TLSFAIL "), "%s",
	    tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "3 * TLS TLSv1.2 "
	    "DHE-RSA-AES128-GCM-SHA256\n"), "%s", tsup_smtpd_log(s));
}

Test(tsup_smtpd, implicit_tls)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct tsup_tls_opts verify = {.ca_file = pki->root.cert,
	.verify_name = TSUP_CERT_HOST, .verify = TSUP_TLS_VERIFY_PEER,
	.servername = "sni.tsup.test"};
	struct tsup_smtpd_opts opts = {.max_conns = 1, .implicit_tls = 1,
	.tls = {.cert_file = pki->ecdsa.chain, .key_file = pki->ecdsa.key}};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect_tls(tsup_smtpd_port(s),
	    &verify);

	(void) tsup_smtp_expect(c, 220);
	cr_assert(!has(tsup_smtp_chat(c, 250, "EHLO x"), "STARTTLS"));
	(void) tsup_smtp_chat(c, 221, "QUIT");
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(has(tsup_smtpd_log(s), "1 * CONNECT\n1 * TLS TLSv1.3 "),
	    "%s", tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "\n1 * SNI sni.tsup.test\n"), "%s",
	    tsup_smtpd_log(s));
}

/* bad_rule - tsup_catch() body */

static void
bad_rule(void *arg)
{
	(void) tsup_smtpd_start(arg);
}

Test(tsup_smtpd, bad_options_fail_at_start)
{
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "MAIL", .action = 99},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts bad_action = {.rules = rules};
	struct tsup_smtpd_opts no_cert = {.implicit_tls = 1};
	struct tsup_smtpd_opts bad_cert = {
	.tls = {.cert_file = "/nonexistent"}};
	const struct {
		const char *label;
		struct tsup_smtpd_opts *opts;
		const char *want;
	} cases[] = {
		{"unknown action", &bad_action, "unknown action 99"},
		{"implicit TLS without certificate", &no_cert,
		"implicit_tls needs tls.cert_file"},
		{"missing certificate file", &bad_cert, "/nonexistent"},
	};
	struct buf msg;
	size_t	i;

	buf_init(&msg, 128);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&msg);
		cr_assert_eq(tsup_catch(bad_rule, cases[i].opts, &msg), 1, "%s",
		    cases[i].label);
		cr_assert(has(msg.data, cases[i].want), "%s: %s",
		    cases[i].label, msg.data);
	}
	buf_fini(&msg);
}

/* swaks - run swaks against the server; its exit status */

static int
swaks(struct buf *out, const char *const *args)
{
	const char *argv[32];
	int	n = 0;
	int	i;

	argv[n++] = tsup_run_need("swaks");
	for (i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return (tsup_run(argv, NULL, 0, 0, out));
}

Test(tsup_smtpd, swaks_quit_after_rcpt_and_full_message)
{
	struct tsup_smtpd_opts opts = {.max_conns = 2};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	const char *server = tsup_strf("127.0.0.1:%d", tsup_smtpd_port(s));
	const char *quit[] = {"--server", server, "--to", "a@b.test",
	    "--from", "c@d.test", "--quit-after", "RCPT", NULL};
	const char *full[] = {"--server", server, "--to", "a@b.test",
	    "--from", "c@d.test", "--helo", "swaks.test", "--body",
	    "hello from swaks", "--header", "Subject: tsup", NULL};
	struct buf out;
	struct buf message;

	buf_init(&out, 1024);
	buf_init(&message, 1024);
	cr_assert_eq(swaks(&out, quit), 0, "%s", out.data);
	buf_reset(&out);
	cr_assert_eq(swaks(&out, full), 0, "%s", out.data);
	cr_assert(has(out.data, "250 2.0.0 Ok: queued as TSUP2M1"), "%s",
	    out.data);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(has(tsup_smtpd_log(s), "1 < RCPT TO:<a@b.test>\n"
	    "1 > 250 2.1.5 Ok\n1 < QUIT\n"), "%s", tsup_smtpd_log(s));
	cr_assert(!has(tsup_smtpd_log(s), "1 < DATA"), "%s",
	    tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "2 < EHLO swaks.test\n"), "%s",
	    tsup_smtpd_log(s));
	cr_assert_eq(tsup_smtpd_message(s, 2, 1, &message), 0);
	cr_assert(has(message.data, "Subject: tsup\r\n"), "%s", message.data);
	cr_assert(has(message.data, "\r\n\r\nhello from swaks\r\n"), "%s",
	    message.data);
	buf_fini(&out);
	buf_fini(&message);
}

Test(tsup_smtpd, swaks_starttls_verify_and_refused_starttls)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	static const struct tsup_smtpd_rule rules[] = {
		{.conn = 2, .verb = "STARTTLS", .reply = "454 4.7.0 not now"},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts opts = {.max_conns = 3, .rules = rules,
	.tls = {.cert_file = pki->good.chain, .key_file = pki->good.key}};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	const char *server = tsup_strf("127.0.0.1:%d", tsup_smtpd_port(s));
	const char *untrusted[] = {"--server", server, "--to", "a@b.test",
	    "--from", "c@d.test", "--tls", "--tls-verify", "--tls-ca-path",
	    pki->other_root.cert, "--quit-after", "RCPT", NULL};
	const char *tls[] = {"--server", server, "--to", "a@b.test",
	    "--from", "c@d.test", "--tls", "--tls-verify", "--tls-ca-path",
	    pki->root.cert, "--tls-sni", TSUP_CERT_HOST, "--quit-after",
	    "RCPT", NULL};
	const char *refused[] = {"--server", server, "--to", "a@b.test",
	    "--from", "c@d.test", "--tls", "--quit-after", "RCPT", NULL};
	struct buf out;
	int	ret;

	buf_init(&out, 1024);
	ret = swaks(&out, tls);
	cr_assert_eq(ret, 0, "swaks --tls: %d: %s", ret, out.data);
	cr_assert(has(out.data, "TLS started"), "%s", out.data);
	buf_reset(&out);
	ret = swaks(&out, refused);
	cr_assert_neq(ret, 0, "swaks --tls accepted a 454: %s", out.data);
	cr_assert(has(out.data, "454 4.7.0 not now"), "%s", out.data);
	buf_reset(&out);
	ret = swaks(&out, untrusted);
	cr_assert_neq(ret, 0, "swaks --tls-verify trusted an unknown CA: %s",
	    out.data);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(!has(tsup_smtpd_log(s), "3 < RCPT"), "%s",
	    tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "1 * TLS TLSv1.3 "), "%s",
	    tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "1 < RCPT TO:<a@b.test>"), "%s",
	    tsup_smtpd_log(s));
	cr_assert(!has(tsup_smtpd_log(s), "2 < RCPT"), "%s",
	    tsup_smtpd_log(s));
	buf_fini(&out);
}

Test(tsup_smtpd, swaks_tls_on_connect)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct tsup_smtpd_opts opts = {.max_conns = 1, .implicit_tls = 1,
	.tls = {.cert_file = pki->good.chain, .key_file = pki->good.key}};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	const char *server = tsup_strf("127.0.0.1:%d", tsup_smtpd_port(s));
	const char *args[] = {"--server", server, "--to", "a@b.test",
	    "--from", "c@d.test", "--tls-on-connect", "--quit-after", "MAIL",
	    NULL};
	struct buf out;

	buf_init(&out, 1024);
	cr_assert_eq(swaks(&out, args), 0, "%s", out.data);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert(has(tsup_smtpd_log(s), "1 * TLS TLSv1.3 "), "%s",
	    tsup_smtpd_log(s));
	cr_assert(has(tsup_smtpd_log(s), "1 < MAIL FROM:<c@d.test>\n"), "%s",
	    tsup_smtpd_log(s));
	buf_fini(&out);
}

Test(tsup_smtpd, end_of_data_split_across_writes_and_big_messages)
{
	static const char tail[] = "x\r\n.\r\n";
	static char big[1 << 20];
	struct tsup_smtpd_opts opts = {.max_conns = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));
	struct buf got;
	size_t	cut;
	size_t	i;

	buf_init(&got, sizeof(big) + 16);
	(void) tsup_smtp_expect(c, 220);
	for (cut = 1; cut < sizeof(tail) - 1; cut++) {
		(void) tsup_smtp_chat(c, 250, "MAIL FROM:<>");
		(void) tsup_smtp_chat(c, 250, "RCPT TO:<a@b.test>");
		(void) tsup_smtp_chat(c, 354, "DATA");
		tsup_smtp_send(c, tail, cut);
		tsup_smtp_send(c, tail + cut, sizeof(tail) - 1 - cut);
		(void) tsup_smtp_expect(c, 250);
		buf_reset(&got);
		cr_assert_eq(tsup_smtpd_message(s, 1, (int) cut, &got), 0);
		cr_assert_str_eq(got.data, "x\r\n", "cut at %zu", cut);
	}
	for (i = 0; i < sizeof(big); i++)
		big[i] = (i % 80 == 78) ? '\r' : (i % 80 == 79) ? '\n' : 'b';
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<a@b.test>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	tsup_smtp_send(c, big, sizeof(big));
	(void) tsup_smtp_chat(c, 250, "\r\n.");
	buf_reset(&got);
	cr_assert_eq(tsup_smtpd_message(s, 1, (int) cut, &got), 0);
	cr_assert_eq(got.len, sizeof(big) + 2);
	cr_assert(memcmp(got.data, big, sizeof(big)) == 0);
	buf_fini(&got);
}

Test(tsup_smtpd, concurrent_connections_share_rule_counters)
{
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "MAIL", .reply = "250 2.1.0 first", .times = 1},
		{.verb = "MAIL", .reply = "451 4.3.0 later"},
		{.verb = NULL},
	};
	enum { N = 4 };
	struct tsup_smtpd_opts opts = {.max_conns = N, .concurrent = 1,
	.rules = rules};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c[N];
	int	ok = 0;
	int	later = 0;
	int	code;
	int	i;

	/* All greeted while all are open: none waits for another. */
	for (i = 0; i < N; i++) {
		c[i] = tsup_smtp_connect(tsup_smtpd_port(s));
		(void) tsup_smtp_expect(c[i], 220);
	}
	for (i = 0; i < N; i++) {
		tsup_smtp_cmd(c[i], "MAIL FROM:<>");
		code = tsup_smtp_reply(c[i]);
		ok += code == 250;
		later += code == 451;
	}
	cr_assert_eq(ok, 1, "%d connections got the one 250", ok);
	cr_assert_eq(later, N - 1);
	for (i = 0; i < N; i++)
		(void) tsup_smtp_chat(c[i], 221, "QUIT");
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(tsup_smtpd_conns(s), N);
}

Test(tsup_smtpd, stop_kills_the_connections_too)
{
	struct tsup_smtpd_opts opts = {.concurrent = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&opts);
	struct tsup_smtp *c = tsup_smtp_connect(tsup_smtpd_port(s));

	(void) tsup_smtp_expect(c, 220);
	tsup_smtpd_stop(s);
	/* The connection's process is gone: the socket closes. */
	tsup_smtp_expect_close(c);
	cr_assert_eq(tsup_port_wait(tsup_smtpd_port(s), 100), -1);
}
