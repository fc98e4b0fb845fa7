/*
 * NAME
 *	inbound_test - the receive path end to end, against a real mtad
 * DESCRIPTION
 *	Each test starts mtad on a free loopback port with its own spool,
 *	mail log, demo certificate and DNS server, talks SMTP to it with
 *	swaks or the scripted client, and checks the replies, the spool
 *	and the mail log lines (masked timestamps and IDs, compared byte
 *	for byte).
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(inbound, .init = tsup_init, .fini = tsup_fini, .timeout = 60);

/* inbound_size_masked - "ready N bytes" with the size as SIZE */

static const char *
inbound_size_masked(const char *lines)
{
	const char *p = strstr(lines, " ready ");
	const char *q;

	if (p == NULL)
		return (lines);
	p += 7;
	for (q = p; *q >= '0' && *q <= '9'; q++)
		;
	return (tsup_strf("%.*sSIZE%s", (int) (p - lines), lines, q));
}

Test(inbound, swaks_message_is_queued_and_logged)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	const char *out;
	const char *got;
	int	status;

	out = mtad_swaks(mi, &status, "--from sender@example.org --to "
	    "rcpt@example.com --header 'Subject: hello there' --header "
	    "'Message-Id: <m1@example.org>'");
	cr_assert_eq(status, 0, "swaks failed:\n%s", out);
	cr_expect(strstr(out, "250 2.0.0 Ok: queued as ") != NULL, "%s", out);
	cr_expect_eq(mtad_queued(mi), 1, "one message in the spool");
	(void) mtad_wait_log(mi, "ICID [0-9]+ close$");
	got = inbound_size_masked(mtad_lines(mi, "ICID|MID", NULL));
	cr_expect_str_eq(got,
	    "TIMESTAMP Info: New SMTP ICID N interface Data 1 (127.0.0.1) "
	    "address 127.0.0.1 reverse dns host localhost.test verified yes\n"
	    "TIMESTAMP Info: ICID N ACCEPT SG None match ALL SBRS not "
	    "enabled\n"
	    "TIMESTAMP Info: Start MID N ICID N\n"
	    "TIMESTAMP Info: MID N ICID N From: <sender@example.org>\n"
	    "TIMESTAMP Info: MID N ICID N RID N To: <rcpt@example.com>\n"
	    "TIMESTAMP Info: MID N Message-ID '<m1@example.org>'\n"
	    "TIMESTAMP Info: MID N Subject 'hello there'\n"
	    "TIMESTAMP Info: MID N ready SIZE bytes from <sender@example.org>\n"
	    "TIMESTAMP Info: MID N queued for delivery\n"
	    "TIMESTAMP Info: ICID N close\n",
	    "log so far:\n%s", got);
	cr_expect_eq(mtad_log_count(mi, "Begin Logfile$"), 1,
	    "the log starts with its header");
	mtad_stop(mi);
}

struct tls_mode_case {
	const char *label;
	const char *tls;
	int	offered;
	int	clear_ok;
};

Test(inbound, starttls_offered_per_policy)
{
	static const struct tls_mode_case cases[] = {
		{"off", "off", 0, 1},
		{"preferred", "preferred", 1, 1},
		{"required", "required", 1, 0},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mtad_spec spec = {0};
		struct mtad_inst *mi;
		struct tsup_smtp *c;
		const char *ehlo;

		spec.listener = tsup_strf("default_policy:\n  tls: %s\n"
		    "sender_groups: []\nall_policy: LOCAL\npolicies:\n"
		    "  LOCAL:\n    connection: accept\n", cases[i].tls);
		mi = mtad_start(&spec);
		c = tsup_smtp_connect(mi->port);
		(void) tsup_smtp_expect(c, 220);
		ehlo = tsup_smtp_chat(c, 250, "EHLO client.test");
		cr_expect_eq(strstr(ehlo, "STARTTLS") != NULL, cases[i].offered,
		    "%s: EHLO reply:\n%s", cases[i].label, ehlo);
		if (!cases[i].offered)
			(void) tsup_smtp_chat(c, 500, "STARTTLS");
		/* Clear text: accepted unless TLS is required. */
		(void) tsup_smtp_chat(c, cases[i].clear_ok ? 250 : 530,
		    "MAIL FROM:<a@example.org>");
		if (cases[i].clear_ok) {
			(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
			(void) tsup_smtp_chat(c, 354, "DATA");
			(void) tsup_smtp_chat(c, 250, "Subject: clear\r\n\r\nx\r\n.");
		}
		(void) tsup_smtp_chat(c, 221, "QUIT");
		tsup_smtp_close(c);
		cr_expect_eq(mtad_queued(mi), cases[i].clear_ok, "%s",
		    cases[i].label);
		mtad_stop(mi);
	}
}

Test(inbound, tls_required_refuses_clear_text_then_accepts_tls)
{
	struct mtad_spec spec = {0};
	struct tsup_tls_opts tls;
	struct mtad_inst *mi;
	struct tsup_smtp *c;
	const char *reply;

	/* TLS 1.3 is off by default (sslconfig: TLS 1.1 and 1.2). */
	spec.top = "tls:\n  inbound:\n    versions: tls1.2 tls1.3\n";
	spec.listener = "default_policy:\n  tls: required\nsender_groups: []\n"
	    "all_policy: LOCAL\npolicies:\n  LOCAL:\n    connection: accept\n";
	mi = mtad_start(&spec);
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	reply = tsup_smtp_chat(c, 530, "MAIL FROM:<a@example.org>");
	cr_expect(strstr(reply, "5.7.0 Must issue a STARTTLS command first")
	    != NULL, "%s", reply);
	(void) mtad_wait_log(mi, "ICID [0-9]+ TLS was required but remote "
	    "host did not initiate it$");
	(void) tsup_smtp_chat(c, 250, "NOOP");

	memset(&tls, 0, sizeof(tls));
	tsup_smtp_starttls(c, &tls);
	cr_expect_str_eq(tsup_smtp_tls_version(c), "TLSv1.3");
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	(void) tsup_smtp_chat(c, 250, "Subject: over tls\r\n\r\nbody\r\n.");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 1);
	cr_expect(strstr(mtad_wait_log(mi, "TLS success"),
	    "TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384")
	    != NULL);
	mtad_stop(mi);
}

struct config_error_case {
	const char *label;
	const char *yaml;
	const char *want;
};

Test(inbound, config_errors_name_file_line_column)
{
	static const struct config_error_case cases[] = {
		{"port out of range",
			"listeners:\n  - name: L\n    address: 127.0.0.1\n"
			"    port: 70000\n",
		":4:11: listeners[0].port: "},
		{"unknown key", "spool_dirr: /tmp/x\n", ":1:1: "},
		{"bad sender group member",
			"listeners:\n  - name: L\n    address: 127.0.0.1\n"
			"    port: 2000\n    sender_groups:\n"
			"      - name: G\n        policy: ACCEPTED\n"
			"        members: [\"10.0.0.0/33\"]\n",
		":8:29: "},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = tsup_tmp_write(tsup_strf("bad%zu.yaml", i),
		    cases[i].yaml, strlen(cases[i].yaml));
		const char *argv[5];
		struct buf *out = buf_new(0);
		int	status;

		argv[0] = tsup_proc_bin("mtad");
		argv[1] = "-n";
		argv[2] = "-c";
		argv[3] = path;
		argv[4] = NULL;
		status = tsup_run(argv, NULL, 0, tsup_deadline_ms(), out);
		cr_expect_neq(status, 0, "%s: accepted", cases[i].label);
		cr_expect(strstr(out->data, tsup_strf("%s%s", path,
		    cases[i].want)) != NULL, "%s: output lacks \"%s%s\":\n%s",
		    cases[i].label, path, cases[i].want, out->data);
		buf_free(out);
	}
}

struct tls_fail_case {
	const char *label;
	const char *top;		/* listener TLS settings */
	struct tsup_tls_opts client;
	const char *want;		/* the documented line, masked */
};

Test(inbound, tls_failures_logged_as_asyncos_writes_them)
{
	static const struct tls_fail_case cases[] = {
		{"no shared cipher", NULL,
			{.max_proto = "TLSv1.2",
			.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256"},
		"TIMESTAMP Info: ICID N TLS failed: (337092801, "
		"'error:1417A0C1:SSL routines:tls_post_process_client_hello:"
		"no shared cipher')"},
		{"TLS 1.3 client, listener without 1.3",
			"tls:\n  inbound:\n    versions: tls1.1 tls1.2\n",
			{.min_proto = "TLSv1.3"},
		"TIMESTAMP Info: ICID N TLS failed: (337678594, "
		"'error:14209102:SSL routines:"
		"tls_early_post_process_client_hello:unsupported protocol')"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mtad_spec spec = {0};
		struct mtad_inst *mi;
		struct tsup_smtp *c;
		const char *line;

		spec.top = cases[i].top;
		spec.listener = "sender_groups: []\nall_policy: P\npolicies:\n"
		    "  P:\n    connection: accept\n    tls: preferred\n";
		mi = mtad_start(&spec);
		c = tsup_smtp_connect(mi->port);
		(void) tsup_smtp_expect(c, 220);
		(void) tsup_smtp_chat(c, 250, "EHLO client.test");
		(void) tsup_smtp_chat(c, 220, "STARTTLS");
		cr_expect_neq(tsup_smtp_handshake(c, &cases[i].client), 0,
		    "%s: the handshake succeeded", cases[i].label);
		tsup_smtp_close(c);
		line = mtad_wait_log(mi, "TLS failed");
		cr_expect_str_eq(tsup_log_mask(line), cases[i].want, "%s",
		    cases[i].label);
		(void) mtad_wait_log(mi, "ICID [0-9]+ close$");
		cr_expect_eq(mtad_log_count(mi, "ICID [0-9]+ lost$"), 1,
		    "%s: lost, then close", cases[i].label);
		mtad_stop(mi);
	}
}
