/*
 * NAME
 *	qmgr_bounce - delivery status notifications for bounced recipients
 * DESCRIPTION
 *	See qmgr_bounce.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "logs_mid.h"
#include "mail_dsn.h"
#include "mail_reply.h"

#include "mta_log.h"

#include "qmgr.h"
#include "qmgr_bounce.h"
#include "qmgr_inject.h"
#include "qmgr_sched.h"
#include "queue_spool.h"

/* qmgr_bounce_double - a bounce that bounced: log, send nothing */

static void
qmgr_bounce_double(struct qmgr *qm, const struct queue_env *env,
    const size_t *rcpts, size_t count)
{
	struct buf *line = buf_new(0);
	char	code[4], dsn[16];
	const char *text;
	size_t	i;

	for (i = 0; i < count; i++) {
		const struct queue_rcpt *rp = &env->rcpts[rcpts[i]];

		qmgr_sched_reply_parts(rp, code, dsn, &text);
		mta_log_line(qmgr_sched_log_handle(qm),
		    logs_mid_double_bounce(line, (unsigned long) env->mid,
		    rp->rid, dsn, mail_reply_dsn_text(dsn)), line);
	}
	buf_free(line);
}

/* qmgr_bounce - one failure report to the sender */

void
qmgr_bounce(struct qmgr *qm, const struct queue_env *env,
    const size_t *rcpts, size_t count, long long max_copy)
{
	struct mail_dsn_rcpt *dr = mem_zalloc(count + 1, sizeof(*dr));
	char  (*codes)[4] = mem_zalloc(count + 1, sizeof(*codes));
	char  (*dsns)[16] = mem_zalloc(count + 1, sizeof(*dsns));
	struct buf *out = buf_new(0);
	struct buf *err = buf_new(0);
	struct mail_dsn d;
	struct stat st;
	const char *sender;
	size_t	n = 0, i;
	int	fd;

	if (env->sender.len == 0) {
		qmgr_bounce_double(qm, env, rcpts, count);
		goto out;
	}
	for (i = 0; i < count; i++) {
		const struct queue_rcpt *rp = &env->rcpts[rcpts[i]];
		const char *text;

		if (rp->notify != 0 && !(rp->notify & QUEUE_NOTIFY_FAILURE))
			continue;
		qmgr_sched_reply_parts(rp, codes[n], dsns[n], &text);
		dr[n].addr = buf_cstr(&rp->addr);
		dr[n].orcpt = rp->orcpt.len ? buf_cstr(&rp->orcpt) : NULL;
		dr[n].action = MAIL_DSN_FAILED;
		dr[n].status = dsns[n];
		dr[n].code = atoi(codes[n]);
		dr[n].diagnostic = text;
		dr[n].last_attempt = (time_t) rp->last_attempt;
		n++;
	}
	if (n == 0)
		goto out;
	memset(&d, 0, sizeof(d));
	d.kind = MAIL_DSN_FAILURE;
	d.hostname = qm->sv->cf->hostname;
	d.sender = sender = buf_cstr(&env->sender);
	d.envid = env->envid.len ? buf_cstr(&env->envid) : NULL;
	d.client = env->client_addr.len ? buf_cstr(&env->client_addr) : NULL;
	d.mid = env->mid;
	d.arrival = (time_t) env->arrival;
	d.now = time(NULL);
	d.headers_only = env->ret == QUEUE_RET_HDRS;
	d.max_copy = max_copy;
	d.rcpts = dr;
	d.nrcpts = n;
	fd = queue_spool_open_content(qm->spool, env->mid, err);
	if (fd < 0)
		msg_warn("MID %" PRIu64 ": bounce without the original: %s",
		    env->mid, err->data);
	buf_reset(err);
	if (fd >= 0 && fstat(fd, &st) != 0)
		st.st_size = 0;
	if (mail_dsn_compose(&d, fd, fd < 0 ? 0 : st.st_size, out, err) != 0
	    || qmgr_inject(qm, "", &sender, 1, out, env->mid, NULL, err) != 0)
		msg_warn("MID %" PRIu64 ": cannot queue the bounce to <%s>: %s",
		    env->mid, sender, err->data);
	if (fd >= 0)
		(void) close(fd);
out:
	buf_free(out);
	buf_free(err);
	mem_free(dsns);
	mem_free(codes);
	mem_free(dr);
}
