/*
 * NAME
 *	master_test - the supervisor: reload, restart, throttle, privileges
 */
#include "config.h"

#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(master, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

/* master_banner_wait - the greeting, waiting up to ms for it */

static const char *
master_banner_wait(const struct mtad_inst *mi, int ms)
{
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);
	const char *text;

	tsup_smtp_timeout(c, ms);
	text = tsup_strf("%s", tsup_smtp_expect(c, 220));

	tsup_smtp_close(c);
	return (text);
}

/* master_banner - the greeting a new connection gets */

static const char *
master_banner(const struct mtad_inst *mi)
{
	return (master_banner_wait(mi, tsup_deadline_ms()));
}

/* master_set_banner - rewrite the banner text in the configuration */

static void
master_set_banner(const struct mtad_inst *mi, const char *from,
    const char *to)
{
	struct buf *cf = buf_new(0);
	char   *at;

	tsup_tmp_read(mi->config, cf);
	at = strstr(cf->data, from);
	cr_assert_not_null(at, "no \"%s\" in the configuration", from);
	(void) tsup_tmp_write(strrchr(mi->config, '/') + 1, tsup_strf("%.*s%s%s",
	    (int) (at - cf->data), cf->data, to, at + strlen(from)),
	    cf->len - strlen(from) + strlen(to));
	buf_free(cf);
}

/* master_banner_until - poll new connections until the banner says text */

static int
master_banner_until(const struct mtad_inst *mi, const char *text)
{
	int	waited;

	/* Old listeners may take a last connection while they drain. */
	for (waited = 0; waited < tsup_deadline_ms(); waited += 50) {
		if (strstr(master_banner(mi), text) != NULL)
			return (1);
		(void) usleep(50000);
	}
	return (0);
}

Test(master, reload_keeps_open_sessions_and_applies_the_new_config)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct tsup_smtp *old;

	spec.listener = "sender_groups: []\nall_policy: P\npolicies:\n"
	    "  P:\n    connection: accept\n    smtp_banner_text: first banner\n";
	mi = mtad_start(&spec);
	cr_expect(strstr(master_banner(mi), "first banner") != NULL);

	old = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(old, 220);
	(void) tsup_smtp_chat(old, 250, "EHLO client.test");
	(void) tsup_smtp_chat(old, 250, "MAIL FROM:<a@example.org>");

	master_set_banner(mi, "first banner", "second banner");
	tsup_proc_signal(mi->proc, SIGHUP);
	(void) tsup_log_wait(tsup_proc_err_path(mi->proc), TSUP_LOG_SUBSTR,
	    "reloading configuration", tsup_deadline_ms());
	cr_expect(master_banner_until(mi, "second banner"),
	    "new connections see the new configuration");

	(void) tsup_smtp_chat(old, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(old, 354, "DATA");
	(void) tsup_smtp_chat(old, 250, "Subject: across a reload\r\n\r\nx\r\n.");
	(void) tsup_smtp_chat(old, 221, "QUIT");
	tsup_smtp_close(old);
	cr_expect_eq(mtad_queued(mi), 1, "the old session's message");
	mtad_stop(mi);
}

Test(master, reload_with_errors_keeps_running)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;

	spec.listener = "sender_groups: []\nall_policy: P\npolicies:\n"
	    "  P:\n    connection: accept\n    smtp_banner_text: first banner\n";
	mi = mtad_start(&spec);
	master_set_banner(mi, "connection: accept", "connection: sideways");
	tsup_proc_signal(mi->proc, SIGHUP);
	(void) tsup_log_wait(tsup_proc_err_path(mi->proc), TSUP_LOG_SUBSTR,
	    "keeping the running one", tsup_deadline_ms());
	cr_expect(strstr(master_banner(mi), "first banner") != NULL);
	mtad_stop(mi);
}

Test(master, crash_loop_is_throttled)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	int	round;

	for (round = 0; round < 3; round++) {
		pid_t	pids[8];
		int	n = mtad_children(mi, pids, 8);
		int	i;

		cr_assert(n >= 2, "round %d: %d children", round, n);
		for (i = 0; i < n; i++)
			(void) kill(pids[i], SIGKILL);
		if (round < 2)
			mtad_wait_ready(mi);
	}
	(void) tsup_log_wait(tsup_proc_err_path(mi->proc), TSUP_LOG_SUBSTR,
	    "throttling, next start in", tsup_deadline_ms());
	/* The master keeps the socket; the throttled listener answers. */
	cr_expect_eq(master_banner_wait(mi, 30000)[0] != 0, 1,
	    "serving again");
	mtad_stop(mi);
}

Test(master, children_drop_privileges)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct passwd *pw = getpwnam("nobody");
	pid_t	pids[8];
	int	n, i;

	cr_assert_not_null(pw, "the test needs the user nobody");
	if (geteuid() != 0)
		cr_assert_fail("the test needs to start mtad as root");
	spec.top = "user: nobody\n";
	mi = mtad_start(&spec);
	/* Past start-up: the listener answers, the queue manager scanned. */
	cr_expect_eq(master_banner(mi)[0] != 0, 1);
	(void) tsup_log_wait(tsup_proc_err_path(mi->proc), TSUP_LOG_SUBSTR,
	    "mtad/qmgr: spool", tsup_deadline_ms());
	n = mtad_children(mi, pids, 8);
	cr_assert(n >= 2);
	for (i = 0; i < n; i++) {
		struct buf *status = buf_new(0);
		const char *uid;

		tsup_tmp_read(tsup_strf("/proc/%ld/status", (long) pids[i]),
		    status);
		uid = strstr(status->data, "\nUid:");
		cr_assert_not_null(uid);
		cr_expect(strncmp(uid, tsup_strf("\nUid:\t%ld\t%ld\t%ld",
		    (long) pw->pw_uid, (long) pw->pw_uid, (long) pw->pw_uid),
		    strlen(tsup_strf("\nUid:\t%ld\t%ld\t%ld", (long) pw->pw_uid,
		    (long) pw->pw_uid, (long) pw->pw_uid))) == 0,
		    "child %ld: %.40s", (long) pids[i], uid);
		buf_free(status);
	}
	mtad_stop(mi);
}

Test(master, mail_log_rolls_over_on_sigusr1)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	const char *dir = tsup_strf("%s/log", mi->dir);
	struct buf *out = buf_new(0);

	(void) master_banner(mi);
	(void) mtad_wait_log(mi, "ICID [0-9]+ close$");
	tsup_proc_signal(mi->proc, SIGUSR1);
	cr_assert_eq(tsup_spool_wait(dir, ".s", 1, tsup_deadline_ms()), 0,
	    "no rolled file in %s", dir);
	(void) master_banner(mi);
	(void) mtad_wait_log(mi, "ICID [0-9]+ close$");
	tsup_tmp_read(mi->log, out);
	cr_expect(strncmp(out->data + 25, "Info: Begin Logfile\n", 20) == 0,
	    "the new file starts with its header:\n%s", out->data);
	cr_expect_eq(mtad_log_count(mi, "New SMTP ICID"), 1,
	    "the new file holds only the second connection");
	buf_free(out);
	mtad_stop(mi);
}
