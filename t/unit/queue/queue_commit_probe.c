/*
 * NAME
 *	queue_commit_probe - commit messages and say ACK, for syscall tracing
 * SYNOPSIS
 *	queue_commit_probe spool_dir count
 * DESCRIPTION
 *	Opens and scans the spool, then receives count small messages.
 *	After each commit that returns QUEUE_OK it writes "ACK mid\\n" to
 *	standard output with one write(2), standing in for the listener's
 *	250 reply. queue_order_test runs it under strace(1) and checks
 *	that every system call that makes the message durable comes before
 *	that write. Exit status 0, or 1 with a diagnostic.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "msg.h"

#include "queue_env.h"
#include "queue_spool.h"

/* main - receive count messages into the spool */

int
main(int argc, char **argv)
{
	static const char content[] = "Subject: probe\r\n\r\nbody\r\n";
	struct queue_spool *spool;
	struct queue_msg *msg;
	struct queue_env env;
	struct buf err;
	char	line[64];
	uint64_t mid;
	long	count;
	long	i;
	int	n;

	msg_progname("queue_commit_probe");
	if (argc != 3 || (count = strtol(argv[2], NULL, 10)) <= 0)
		msg_fatal("usage: queue_commit_probe spool_dir count");
	buf_init(&err, 0);
	if ((spool = queue_spool_open(argv[1], &err)) == NULL)
		msg_fatal("%s", buf_cstr(&err));
	if (queue_spool_scan(spool, NULL, NULL, NULL) != QUEUE_OK)
		msg_fatal("scan failed");
	queue_env_init(&env);
	buf_puts(&env.sender, "probe@example.org");
	(void) queue_env_add_rcpt(&env, "rcpt@example.net", 16);
	for (i = 0; i < count; i++) {
		if (queue_spool_open_message(spool, &msg, &err) != QUEUE_OK)
			msg_fatal("open: %s", buf_cstr(&err));
		if (write(msg->fd, content, sizeof(content) - 1) !=
		    (ssize_t) sizeof(content) - 1)
			msg_fatal("write: %m");
		mid = msg->mid;
		if (queue_spool_commit(spool, msg, &env, &err) != QUEUE_OK)
			msg_fatal("commit: %s", buf_cstr(&err));
		n = snprintf(line, sizeof(line), "ACK %llu\n",
		    (unsigned long long) mid);
		if (write(STDOUT_FILENO, line, (size_t) n) != n)
			msg_fatal("write ACK: %m");
	}
	queue_env_fini(&env);
	queue_spool_close(spool);
	buf_fini(&err);
	return (0);
}
