/*
 * NAME
 *	durability_test - no acknowledged message is ever lost
 * DESCRIPTION
 *	Messages are acknowledged (250) only once they are on stable
 *	storage. These tests kill processes at awkward moments, restart
 *	the gateway on the same spool and count what survived; and they
 *	fill the spool's file system to check that a full disk is a
 *	temporary error that corrupts nothing.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(durability, .init = tsup_init, .fini = tsup_fini, .timeout = 180);

/* durability_send - one message; returns the reply code to the dot */

static int
durability_send(const struct mtad_inst *mi, int n)
{
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);
	int	code;

	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	tsup_smtp_cmd(c, "Subject: message %d\r\n\r\nbody %d\r\n.", n, n);
	code = tsup_smtp_reply(c);
	tsup_smtp_close(c);
	return (code);
}

Test(durability, children_killed_mid_transaction)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	struct tsup_smtp *c;
	pid_t	pids[8];
	int	acked = 0;
	int	i, n;

	for (i = 0; i < 5; i++)
		acked += durability_send(mi, i) == 250;
	cr_assert_eq(acked, 5);

	/* A transaction in the middle of its content when all die. */
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	tsup_smtp_send(c, "Subject: cut\r\n\r\nhalf a mess", 27);
	n = mtad_children(mi, pids, 8);
	cr_assert(n >= 2, "queue manager and a listener, found %d", n);
	for (i = 0; i < n; i++)
		(void) kill(pids[i], SIGKILL);
	tsup_smtp_close(c);

	/* The master restarts them; the half message must be gone. */
	mtad_wait_ready(mi);
	acked += durability_send(mi, 6) == 250;
	cr_expect_eq(mtad_queued(mi), acked, "every acknowledged message, "
	    "and nothing else");
	cr_expect_eq(tsup_spool_count(tsup_strf("%s/incoming", mi->spool),
	    ""), 0, "no leftovers once the queue manager restarted");
	mtad_stop(mi);
}

Test(durability, whole_system_crash_and_restart)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	int	acked = 0;
	int	i;

	for (i = 0; i < 8; i++)
		acked += durability_send(mi, i) == 250;
	cr_assert_eq(acked, 8);
	mtad_crash(mi);
	mtad_restart(mi);
	cr_expect_eq(mtad_queued(mi), 8);
	acked += durability_send(mi, 9) == 250;
	cr_expect_eq(mtad_queued(mi), acked);
	mtad_stop(mi);
}

Test(durability, disk_full_is_a_temporary_error)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct tsup_smtp *c;
	struct buf *big = buf_new(0);
	const char *mnt = tsup_tmp_mkdir("smallfs");
	const char *reply;
	int	code;
	int	i;

	if (mount("tmpfs", mnt, "tmpfs", 0, "size=256k,mode=0700") != 0)
		cr_assert_fail("cannot mount a small tmpfs on %s (the test "
		    "needs root): %m", mnt);
	spec.spool = tsup_strf("%s/spool", mnt);
	mi = mtad_start(&spec);
	cr_assert_eq(durability_send(mi, 1), 250);

	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	buf_puts(big, "Subject: too big for the disk\r\n\r\n");
	for (i = 0; i < 8000; i++)
		buf_puts(big, "0123456789012345678901234567890123456789\r\n");
	buf_puts(big, ".");
	tsup_smtp_cmd(c, "%s", big->data);
	code = tsup_smtp_reply(c);
	reply = tsup_smtp_text(c);
	cr_expect(code == 452 && strstr(reply, "4.3.1") != NULL,
	    "a full disk is 452 4.3.1: %d %s", code, reply);
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 1, "the first message is intact");
	cr_expect_eq(durability_send(mi, 3), 250, "small mail still flows");
	cr_expect_eq(mtad_queued(mi), 2);
	mtad_stop(mi);
	(void) umount2(mnt, MNT_DETACH);
	buf_free(big);
}
