/*
 * NAME
 *	limits_test - the limits of a mail flow policy, against a real mtad
 */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(limits, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

/* limits_start - an instance whose only policy has these parameters */

static struct mtad_inst *
limits_start(const char *params)
{
	struct mtad_spec spec = {0};

	spec.listener = tsup_strf("sender_groups: []\nall_policy: P\n"
	    "policies:\n  P:\n    connection: accept\n%s", params);
	return (mtad_start(&spec));
}

/* limits_session - connect and say EHLO */

static struct tsup_smtp *
limits_session(const struct mtad_inst *mi)
{
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);

	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	return (c);
}

/* limits_message - one whole transaction that must be accepted */

static void
limits_message(struct tsup_smtp *c)
{
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	(void) tsup_smtp_chat(c, 250, "Subject: x\r\n\r\nbody\r\n.");
}

Test(limits, messages_per_connection)
{
	struct mtad_inst *mi = limits_start("    max_msgs_per_session: 2\n");
	struct tsup_smtp *c = limits_session(mi);

	limits_message(c);
	limits_message(c);
	(void) tsup_smtp_chat(c, 421, "MAIL FROM:<a@example.org>");
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 2);
	mtad_stop(mi);
}

Test(limits, connection_time)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct tsup_smtp *c;
	long long began;

	/* The command timeout (5m) cannot be what ends this session. */
	spec.top = "limits:\n  max_connection_time: 2s\n";
	spec.listener = "sender_groups: []\nall_policy: P\npolicies:\n"
	    "  P:\n    connection: accept\n";
	mi = mtad_start(&spec);
	began = tsup_now_ms();
	c = limits_session(mi);
	(void) tsup_smtp_chat(c, 250, "NOOP");
	cr_expect(strstr(tsup_smtp_expect(c, 421), "4.4.2") != NULL);
	cr_expect_geq(tsup_now_ms() - began, 1900, "ended after %lld ms",
	    tsup_now_ms() - began);
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);
	mtad_stop(mi);
}

/* limits_greeted - connect until greeted: a closed place frees soon */

static struct tsup_smtp *
limits_greeted(const struct mtad_inst *mi)
{
	struct tsup_smtp *c;
	int	i;

	for (i = 0; i < 200; i++) {
		c = tsup_smtp_connect(mi->port);
		if (tsup_smtp_reply(c) == 220)
			return (c);
		tsup_smtp_close(c);
		(void) usleep(50000);
	}
	cr_assert_fail("no greeting after a place was freed");
	return (NULL);
}

Test(limits, connections_and_tls_sessions_over_all_listeners)
{
	struct mtad_spec spec = {0};
	struct tsup_tls_opts tls;
	struct mtad_inst *mi;
	struct tsup_smtp *a, *b, *c;

	spec.top = "limits:\n  max_connections: 2\n"
	    "  max_tls_connections: 1\n";
	spec.listener = "sender_groups: []\nall_policy: P\npolicies:\n"
	    "  P:\n    connection: accept\n    tls: preferred\n";
	mi = mtad_start(&spec);
	a = limits_session(mi);
	b = limits_session(mi);

	/* A third connection is turned away at once; a freed place counts. */
	c = tsup_smtp_connect(mi->port);
	cr_expect(strstr(tsup_smtp_expect(c, 421), "4.3.2 Too many "
	    "concurrent connections") != NULL);
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);

	/* One TLS session at a time: the second client stays in clear. */
	memset(&tls, 0, sizeof(tls));
	tsup_smtp_starttls(a, &tls);
	(void) tsup_smtp_chat(a, 250, "EHLO client.test");
	cr_expect(strstr(tsup_smtp_chat(b, 454, "STARTTLS"), "4.7.0")
	    != NULL);
	limits_message(b);
	(void) tsup_smtp_chat(a, 221, "QUIT");
	tsup_smtp_close(a);

	c = limits_greeted(mi);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	tsup_smtp_starttls(c, &tls);
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);
	(void) tsup_smtp_chat(b, 221, "QUIT");
	tsup_smtp_close(b);
	mtad_stop(mi);
}

Test(limits, a_listener_near_its_descriptor_limit_says_so)
{
	struct rlimit rl = {300, 300};
	struct tsup_smtp *c[280];
	struct mtad_inst *mi;
	int	i;

	/* This test process and the mtad it starts: 300 descriptors. */
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0, "%s", strerror(errno));
	mi = limits_start("    max_concurrency: 1000\n");
	for (i = 0; i < 280; i++) {
		c[i] = tsup_smtp_connect(mi->port);
		(void) tsup_smtp_expect(c[i], 220);
	}
	cr_expect_not_null(tsup_log_wait(tsup_proc_err_path(mi->proc),
	    TSUP_LOG_SUBSTR, "near this process's descriptor limit",
	    tsup_deadline_ms()), "no warning at 280 of 300 descriptors");
	for (i = 0; i < 280; i++)
		tsup_smtp_close(c[i]);
	mtad_stop(mi);
}

Test(limits, recipients_per_message)
{
	struct mtad_inst *mi = limits_start("    max_rcpts_per_msg: 2\n");
	struct tsup_smtp *c = limits_session(mi);
	const char *reply;

	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b1@example.com>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b2@example.com>");
	reply = tsup_smtp_chat(c, 452, "RCPT TO:<b3@example.com>");
	cr_expect(strstr(reply, "4.5.3") != NULL, "%s", reply);
	(void) tsup_smtp_chat(c, 354, "DATA");
	(void) tsup_smtp_chat(c, 250, "Subject: x\r\n\r\nbody\r\n.");
	(void) tsup_smtp_chat(c, 221, "QUIT");
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 1);
	cr_expect_eq(mtad_log_count(mi, "RID [0-9]+ To: <b3@"), 0);
	mtad_stop(mi);
}

Test(limits, message_size)
{
	struct mtad_inst *mi = limits_start("    max_message_size: 2K\n");
	struct tsup_smtp *c = limits_session(mi);
	struct buf *big = buf_new(0);
	const char *reply;
	int	i;

	reply = tsup_smtp_chat(c, 552, "MAIL FROM:<a@example.org> SIZE=5000");
	cr_expect(strstr(reply, "5.3.4") != NULL, "%s", reply);
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org> SIZE=500");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	buf_puts(big, "Subject: big\r\n\r\n");
	for (i = 0; i < 80; i++)
		buf_puts(big, "0123456789012345678901234567890123456789\r\n");
	buf_puts(big, ".");
	reply = tsup_smtp_chat(c, 552, "%s", big->data);
	cr_expect(strstr(reply, "5.3.4") != NULL, "%s", reply);
	limits_message(c);
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 1, "only the small message");
	buf_free(big);
	mtad_stop(mi);
}

Test(limits, concurrent_connections_per_host)
{
	struct mtad_inst *mi = limits_start("    max_concurrency: 1\n");
	struct tsup_smtp *first = limits_session(mi);
	struct tsup_smtp *second = tsup_smtp_connect(mi->port);
	const char *reply;

	reply = tsup_smtp_expect(second, 421);
	cr_expect(strstr(reply, "4.7.0") != NULL, "%s", reply);
	tsup_smtp_expect_close(second);
	tsup_smtp_close(second);
	(void) mtad_wait_log(mi, "Warning: System limit reached: connection "
	    "limit for IP 127.0.0.1 on listener IncomingMail ICID [0-9]+: "
	    "max: 1$");
	(void) mtad_wait_log(mi, "ICID [0-9]+ Receiving Failed: Connection "
	    "limit exceeded$");
	limits_message(first);
	(void) tsup_smtp_chat(first, 221, "QUIT");
	tsup_smtp_close(first);
	(void) mtad_wait_log(mi, "ICID [0-9]+ close$");
	usleep(100000);
	second = limits_session(mi);
	tsup_smtp_close(second);
	mtad_stop(mi);
}

Test(limits, recipients_per_hour_from_a_host)
{
	struct mtad_inst *mi = limits_start("    max_rcpts_per_hour: 3\n"
	    "    max_rcpts_per_hour_text: Too many recipients this hour\n");
	struct tsup_smtp *c = limits_session(mi);
	const char *reply;

	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b1@example.com>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b2@example.com>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b3@example.com>");
	reply = tsup_smtp_chat(c, 452, "RCPT TO:<b4@example.com>");
	cr_expect(strstr(reply, "Too many recipients this hour") != NULL,
	    "%s", reply);
	(void) mtad_wait_log(mi, "MID [0-9]+ ICID [0-9]+ To: <b4@example.com> "
	    "Rejected by Receiving Control$");
	tsup_smtp_close(c);
	mtad_stop(mi);
}

Test(limits, banner_and_bad_command_limit)
{
	struct mtad_inst *mi = limits_start(
	    "    smtp_banner_text: \"welcome $RemoteIP in $Group\"\n");
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);
	const char *reply;
	int	i;

	reply = tsup_smtp_expect(c, 220);
	cr_expect(strstr(reply, "welcome 127.0.0.1 in None") != NULL, "%s",
	    reply);
	for (i = 0; i < 4; i++) {
		reply = tsup_smtp_chat(c, 500, "BOGUS%d", i);
		cr_expect(strstr(reply, "#5.5.1 command not recognized")
		    != NULL, "%s", reply);
	}
	reply = tsup_smtp_chat(c, 421, "BOGUS");
	cr_expect(strstr(reply, "Exceeded bad SMTP command limit, "
	    "disconnecting.") != NULL, "%s", reply);
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);
	mtad_stop(mi);
}

Test(limits, sender_dns_verification)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct tsup_smtp *c;
	const char *reply;

	spec.zone = "local-data: \"good.test. MX 10 mx.good.test.\"\n"
	    "local-data: \"mx.good.test. A 127.0.0.1\"\n";
	spec.listener = "sender_groups: []\nall_policy: P\n"
	    "policies:\n  P:\n    connection: accept\n"
	    "    sender_dns_verification: true\n";
	mi = mtad_start(&spec);
	c = limits_session(mi);
	reply = tsup_smtp_chat(c, 553, "MAIL FROM:<a@missing.test>");
	cr_expect(strstr(reply, "#5.1.8 Domain of sender address "
	    "<a@missing.test> does not exist") != NULL, "%s", reply);
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@good.test>");
	tsup_smtp_close(c);
	mtad_stop(mi);
}
