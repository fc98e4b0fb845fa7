/*
 * NAME
 *	qmgr_inject - queue a message the gateway writes itself
 * DESCRIPTION
 *	See qmgr_inject.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "msg.h"

#include "logs_mid.h"

#include "mta_log.h"

#include "qmgr.h"
#include "qmgr_inject.h"
#include "qmgr_sched.h"
#include "queue_env.h"
#include "queue_spool.h"

/* qmgr_inject_write - the whole content, or -1 */

static int
qmgr_inject_write(int fd, const struct buf *content, struct buf *err)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < content->len) {
		n = write(fd, content->data + off, content->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf_printf(err, "write: %s", n < 0 ? strerror(errno) :
			    "no progress");
			return (-1);
		}
		off += (size_t) n;
	}
	return (0);
}

/* qmgr_inject_8bit - does the content hold octets above 127 */

static int
qmgr_inject_8bit(const struct buf *content)
{
	size_t	i;

	for (i = 0; i < content->len; i++)
		if ((unsigned char) content->data[i] & 0x80)
			return (1);
	return (0);
}

/* qmgr_inject - spool a generated message and schedule it */

int
qmgr_inject(struct qmgr *qm, const char *sender, const char *const *rcpts,
    size_t count, const struct buf *content, uint64_t orig_mid,
    uint64_t *midp, struct buf *err)
{
	struct logs_maillog *log = qmgr_sched_log_handle(qm);
	struct buf *line = buf_new(0);
	struct queue_env env;
	struct queue_msg *msg;
	uint64_t mid;
	size_t	i;

	if (queue_spool_open_message(qm->spool, &msg, err) != QUEUE_OK) {
		buf_free(line);
		return (-1);
	}
	mid = msg->mid;
	if (qmgr_inject_write(msg->fd, content, err) != 0) {
		queue_spool_abort(qm->spool, msg);
		buf_free(line);
		return (-1);
	}
	queue_env_init(&env);
	buf_puts(&env.sender, sender);
	buf_puts(&env.listener, "");
	env.arrival = (int64_t) time(NULL);
	if (qmgr_inject_8bit(content))
		env.body = QUEUE_BODY_8BITMIME;	/* a returned 8-bit original */
	for (i = 0; i < count; i++)
		(void) queue_env_add_rcpt(&env, rcpts[i], strlen(rcpts[i]));
	if (queue_spool_commit(qm->spool, msg, &env, err) != QUEUE_OK) {
		queue_env_fini(&env);
		buf_free(line);
		return (-1);
	}
	env.mid = mid;
	env.size = content->len;
	mta_log_line(log, logs_mid_start(line, (unsigned long) mid, 0), line);
	mta_log_line(log, logs_mid_from(line, (unsigned long) mid, 0, sender),
	    line);
	for (i = 0; i < count; i++)
		mta_log_line(log, logs_mid_to(line, (unsigned long) mid, 0,
		    env.rcpts[i].rid, rcpts[i]), line);
	if (orig_mid != 0)
		mta_log_line(log, logs_mid_bounce_of(line, (unsigned long) mid,
		    (unsigned long) orig_mid), line);
	mta_log_line(log, logs_mid_ready(line, (unsigned long) mid,
	    (unsigned long long) content->len, sender), line);
	mta_log_line(log, logs_mid_queued(line, (unsigned long) mid), line);
	buf_free(line);
	if (midp)
		*midp = mid;
	qmgr_sched_add(qm, &env, QUEUE_STATE_ACTIVE);
	queue_env_fini(&env);
	return (0);
}
