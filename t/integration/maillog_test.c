/*
 * NAME
 *	maillog_test - every line a real mtad writes passes "mtactl log check"
 * DESCRIPTION
 *	Starts the real mtad and drives it through the sessions whose
 *	lines the receive path writes: plain and STARTTLS mail from
 *	swaks, several transactions and RSET on one connection, the null
 *	sender, odd Subject and Message-ID headers, a client that leaves
 *	without QUIT, one that drops the connection in DATA, a failed
 *	TLS handshake, TLS required but not started. Then it restarts
 *	the daemon in the asyncos4 dialect and repeats the TLS sessions,
 *	stops it, and runs "mtactl log check --strict" over the log
 *	directory: the log of a daemon's whole life must pass, with no
 *	error (and no warning but the one about transactions given up).
 *	"mtactl log track" must then find a message by its sender. A
 *	second daemon, with sender groups and limits, writes the policy
 *	lines (REJECT, TCPREFUSE, TLS required, size, recipient and
 *	connection limits, Receiving Control), and its log must pass too.
 */
#include "config.h"

#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(maillog, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

/* sessions - drive one round of sessions; returns how many connections */

static int
sessions(struct mtad_inst *mi)
{
	struct tsup_tls_opts tls, bad;
	struct tsup_smtp *c;
	const char *out;
	int	status, n = 0;

	out = mtad_swaks(mi, &status, "--from Sender@Example.org --to "
	    "rcpt@example.com --header 'Subject: it'\\''s \"quoted\" "
	    "\xc3\xa9t\xc3\xa9' --header 'Message-Id: <a'\\''b@example.org>'");
	cr_expect_eq(status, 0, "swaks:\n%s", out);
	n++;

	out = mtad_swaks(mi, &status, "--tls --from tls@example.org --to "
	    "rcpt@example.com --header 'Subject: over TLS'");
	cr_expect_eq(status, 0, "swaks --tls:\n%s", out);
	n++;

	/* two messages, a reset transaction and the null sender */
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<one@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<a@example.com>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	(void) tsup_smtp_chat(c, 250, "Subject: first\r\n\r\nbody\r\n.");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<two@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<a@example.com>");
	(void) tsup_smtp_chat(c, 250, "RSET");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<c@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	(void) tsup_smtp_chat(c, 250, "Subject:\r\nMessage-ID:\r\n\r\nx\r\n.");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);
	n++;

	/* a client that leaves without QUIT */
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	tsup_smtp_close(c);
	n++;

	/* a client that drops the connection in DATA */
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<drop@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<a@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	tsup_smtp_send(c, "Subject: cut\r\n\r\nhalf", 20);
	tsup_smtp_close(c);
	n++;

	/* a handshake that fails: no shared cipher */
	memset(&bad, 0, sizeof(bad));
	bad.max_proto = "TLSv1.2";
	bad.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 220, "STARTTLS");
	cr_expect_neq(tsup_smtp_handshake(c, &bad), 0, "handshake succeeded");
	tsup_smtp_close(c);
	n++;

	/* TLS success on the scripted client, then QUIT */
	memset(&tls, 0, sizeof(tls));
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	tsup_smtp_starttls(c, &tls);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);
	n++;
	return (n);
}

/* wait_closed - wait until count connections were closed */

static void
wait_closed(struct mtad_inst *mi, int count)
{
	int	i;

	for (i = 0; i < 200 && mtad_log_count(mi, "ICID [0-9]+ close$")
	    < count; i++)
		(void) mtad_wait_log(mi, "ICID [0-9]+ close$");
	cr_expect_eq(mtad_log_count(mi, "ICID [0-9]+ close$"), count,
	    "every connection closed");
}

/* count - occurrences of a string */

static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return (n);
}

/* check_log - mtactl log check --strict: no error, and no warning but
 * the one about a transaction given up */

static void
check_log(const char *logdir)
{
	struct buf *out = buf_new(0);
	const char *argv[6], *p;
	int	st;

	argv[0] = tsup_proc_bin("mtactl");
	argv[1] = "log";
	argv[2] = "check";
	argv[3] = "--strict";
	argv[4] = logdir;
	argv[5] = NULL;
	st = tsup_run(argv, NULL, 0, tsup_deadline_ms(), out);
	cr_expect_eq(st, 0, "mtactl log check: status %d:\n%s", st, out->data);
	cr_expect_not_null(strstr(out->data, " 0 errors, "),
	    "mtactl log check:\n%s", out->data);

	/*
	 * The only warnings allowed: a transaction given up by RSET or by
	 * a dropped connection, until the receive path writes "Message
	 * finished MID n aborted" for it.
	 */
	for (p = out->data; (p = strstr(p, ": warning: MID ")) != NULL; p++) {
		const char *nl = strchr(p, '\n');
		const char *why = strstr(p, " was neither queued nor finished "
		    "when ");

		cr_expect(why != NULL && nl != NULL && why < nl,
		    "unexpected warning:\n%s", out->data);
	}
	cr_expect_eq(count(out->data, ": warning: "),
	    count(out->data, " was neither queued nor finished when "),
	    "unexpected warning:\n%s", out->data);
	buf_free(out);
}

/* stop_keep - stop mtad with SIGTERM but keep the instance for a restart */

static void
stop_keep(struct mtad_inst *mi)
{
	int	status = 0;

	tsup_proc_signal(mi->proc, SIGTERM);
	cr_assert_eq(tsup_proc_wait(mi->proc, tsup_deadline_ms(), &status), 0,
	    "mtad did not stop");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "mtad stopped with status 0x%x", status);
}

/* set_dialect - rewrite the instance's configuration for a dialect */

static void
set_dialect(struct mtad_inst *mi, const char *dialect)
{
	struct buf *cf = buf_new(0), *out = buf_new(0);
	const char *p;

	tsup_tmp_read(mi->config, cf);
	cr_assert_not_null(p = strstr(cf->data, "log:\n"), "%s", cf->data);
	buf_append(out, cf->data, (size_t) (p - cf->data) + 5);
	buf_printf(out, "  dialect: %s\n", dialect);
	buf_puts(out, p + 5);
	(void) tsup_tmp_write(mi->config, out->data, out->len);
	buf_free(cf);
	buf_free(out);
}

Test(maillog, a_daemons_whole_log_passes_check)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct buf *out = buf_new(0);
	const char *argv[8];
	const char *logdir;
	int	n, st;

	spec.listener = "sender_groups: []\nall_policy: P\npolicies:\n"
	    "  P:\n    connection: accept\n    tls: preferred\n";
	mi = mtad_start(&spec);
	n = sessions(mi);
	wait_closed(mi, n);
	stop_keep(mi);

	set_dialect(mi, "asyncos4");
	mtad_restart(mi);
	n += sessions(mi);
	wait_closed(mi, n);
	cr_expect_gt(mtad_log_count(mi, "ICID [0-9]+ TLS success$"), 0,
	    "the asyncos4 form was written");
	cr_expect_gt(mtad_log_count(mi, "TLS success protocol"), 0,
	    "the modern form was written");
	cr_expect_gt(mtad_log_count(mi, "ICID [0-9]+ lost$"), 0);
	logdir = tsup_strf("%.*s", (int) (strrchr(mi->log, '/') - mi->log),
	    mi->log);
	if (getenv("MAILLOG_TEST_KEEP"))
		(void) tsup_run_sh(NULL, tsup_deadline_ms(), "cp %s %s",
		    mi->log, getenv("MAILLOG_TEST_KEEP"));
	mtad_stop(mi);
	check_log(logdir);

	argv[0] = tsup_proc_bin("mtactl");
	argv[1] = "log";
	argv[2] = "track";
	argv[3] = "--from";
	argv[4] = "sender@example.org";
	argv[5] = logdir;
	argv[6] = NULL;
	st = tsup_run(argv, NULL, 0, tsup_deadline_ms(), out);
	cr_expect_eq(st, 0, "mtactl log track: %s", out->data);
	cr_expect_not_null(strstr(out->data, "Info: New SMTP ICID "),
	    "track:\n%s", out->data);
	cr_expect_not_null(strstr(out->data, " Subject 'it\\'s \"quoted\" "
	    "\xc3\xa9t\xc3\xa9'"), "track:\n%s", out->data);
	cr_expect_null(strstr(out->data, "tls@example.org"),
	    "another message in the track:\n%s", out->data);
	buf_free(out);
}

Test(maillog, policy_and_limit_lines_pass_check)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct tsup_smtp *first, *second;
	struct buf *big = buf_new(0);
	const char *out, *logdir;
	int	status, i;

	spec.listener = "sender_groups:\n"
	    "  - name: NOPE\n    policy: BLOCKED\n"
	    "    members: [\"127.0.0.20\"]\n"
	    "  - name: GONE\n    policy: SHUT\n    members: [\"127.0.0.21\"]\n"
	    "  - name: TLSONLY\n    policy: T\n    members: [\"127.0.0.22\"]\n"
	    "  - name: HOURLY\n    policy: H\n    members: [\"127.0.0.23\"]\n"
	    "all_policy: P\n"
	    "policies:\n  SHUT:\n    connection: tcprefuse\n"
	    "  BLOCKED:\n    connection: reject\n"
	    "  T:\n    connection: accept\n    tls: required\n"
	    "  H:\n    connection: accept\n    max_rcpts_per_hour: 1\n"
	    "  P:\n    connection: accept\n    max_message_size: 2K\n"
	    "    max_rcpts_per_msg: 2\n    max_concurrency: 1\n";
	mi = mtad_start(&spec);

	out = mtad_swaks(mi, &status, "--li 127.0.0.20 --to a@example.com");
	cr_expect_neq(status, 0, "REJECT: %s", out);
	out = mtad_swaks(mi, &status, "--li 127.0.0.21 --to a@example.com");
	cr_expect_neq(status, 0, "TCPREFUSE: %s", out);
	out = mtad_swaks(mi, &status, "--li 127.0.0.22 --to a@example.com");
	cr_expect_neq(status, 0, "TLS required: %s", out);
	out = mtad_swaks(mi, &status, "--li 127.0.0.23 --to "
	    "a@example.com,b@example.com");
	(void) mtad_wait_log(mi, "Rejected by Receiving Control$");

	/* size and recipient limits, then the connection limit */
	first = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(first, 220);
	(void) tsup_smtp_chat(first, 250, "EHLO client.test");
	(void) tsup_smtp_chat(first, 552, "MAIL FROM:<a@example.org> "
	    "SIZE=5000");
	(void) tsup_smtp_chat(first, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(first, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(first, 354, "DATA");
	buf_puts(big, "Subject: big\r\n\r\n");
	for (i = 0; i < 80; i++)
		buf_puts(big, "0123456789012345678901234567890123456789\r\n");
	buf_puts(big, ".");
	(void) tsup_smtp_chat(first, 552, "%s", big->data);
	(void) tsup_smtp_chat(first, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(first, 250, "RCPT TO:<b1@example.com>");
	(void) tsup_smtp_chat(first, 250, "RCPT TO:<b2@example.com>");
	(void) tsup_smtp_chat(first, 452, "RCPT TO:<b3@example.com>");
	(void) tsup_smtp_chat(first, 354, "DATA");
	(void) tsup_smtp_chat(first, 250, "Subject: x\r\n\r\nbody\r\n.");
	second = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(second, 421);
	tsup_smtp_expect_close(second);
	tsup_smtp_close(second);
	(void) tsup_smtp_chat(first, 221, "QUIT");
	tsup_smtp_close(first);

	/* REJECT, TLS only, hourly, first, second: five connections */
	wait_closed(mi, 5);
	(void) mtad_wait_log(mi, "ICID 0 TCPREFUSE SG GONE ");
	(void) mtad_wait_log(mi, "ICID [0-9]+ REJECT SG NOPE ");
	(void) mtad_wait_log(mi, "TLS was required but remote host did not "
	    "initiate it$");
	(void) mtad_wait_log(mi, "Receiving Failed: Message size exceeds "
	    "limit$");
	(void) mtad_wait_log(mi, "Warning: System limit reached: ");
	logdir = tsup_strf("%.*s", (int) (strrchr(mi->log, '/') - mi->log),
	    mi->log);
	if (getenv("MAILLOG_TEST_KEEP"))
		(void) tsup_run_sh(NULL, tsup_deadline_ms(), "cp %s %s.2",
		    mi->log, getenv("MAILLOG_TEST_KEEP"));
	mtad_stop(mi);
	check_log(logdir);
	buf_free(big);
}
