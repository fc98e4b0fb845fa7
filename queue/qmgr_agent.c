/*
 * NAME
 *	qmgr_agent - the queue manager's channels to the delivery processes
 * DESCRIPTION
 *	See qmgr_agent.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "ipc.h"
#include "mem.h"
#include "msg.h"

#include "mta_proto.h"

#include "qmgr.h"
#include "qmgr_agent.h"
#include "qmgr_sched.h"
#include "queue_spool.h"

struct qmgr_agent {
	struct qmgr *qm;
	struct ipc_chan *chan;
	size_t	busy;			/* jobs under way */
	struct qmgr_job *jobs;		/* those jobs */
	uint64_t next_req;
	struct qmgr_agent *next;
};

/* qmgr_agent_unlink - take an agent off the queue manager's list */

static void
qmgr_agent_unlink(struct qmgr_agent *ag)
{
	struct qmgr_agent **pp;

	for (pp = &ag->qm->agents; *pp; pp = &(*pp)->next) {
		if (*pp == ag) {
			*pp = ag->next;
			return;
		}
	}
}

/* qmgr_agent_closed - the channel is gone: free the agent */

static void
qmgr_agent_closed(void *ctx)
{
	mem_free(ctx);
}

/* qmgr_agent_drop - close a channel; its jobs go back to their queues */

static void
qmgr_agent_drop(struct qmgr_agent *ag)
{
	struct qmgr *qm = ag->qm;
	struct qmgr_job *job;

	qmgr_agent_unlink(ag);
	while ((job = ag->jobs) != NULL) {
		ag->jobs = job->next;
		qmgr_sched_requeue(qm, job);
	}
	ag->busy = 0;
	ipc_chan_close(ag->chan);
	qmgr_sched_dispatch(qm);
}

/* qmgr_agent_take - the job of a request id, off the agent's list */

static struct qmgr_job *
qmgr_agent_take(struct qmgr_agent *ag, uint64_t req)
{
	struct qmgr_job **pp, *job;

	for (pp = &ag->jobs; (job = *pp) != NULL; pp = &job->next) {
		if (job->req == req) {
			*pp = job->next;
			job->next = NULL;
			ag->busy--;
			return (job);
		}
	}
	return (NULL);
}

/* qmgr_agent_received - a DELIVERED answer */

static void
qmgr_agent_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct qmgr_agent *ag = ctx;
	struct qmgr_job *job;
	uint64_t req, status, alert = 0;
	char  **results = NULL;
	size_t	count = 0;

	(void) ch;
	if (ipc_msg_type(m) != MTA_T_DELIVERED
	    || ipc_get_u64(m, MTA_K_REQ, &req) != IPC_FOUND
	    || ipc_get_u64(m, MTA_K_STATUS, &status) != IPC_FOUND
	    || ipc_get_u64(m, MTA_K_ALERT, &alert) < 0
	    || (job = qmgr_agent_take(ag, req)) == NULL) {
		msg_warn("malformed or unexpected message from a delivery "
		    "process: closing its channel");
		ipc_msg_free(m);
		qmgr_agent_drop(ag);
		return;
	}
	if (status != MTA_S_OK) {
		qmgr_sched_requeue(ag->qm, job);
		qmgr_sched_dispatch(ag->qm);
	} else if (mta_proto_get_list(m, MTA_K_RESULTS, &results, &count)
	    != IPC_FOUND) {
		msg_warn("delivery result without recipients: closing the "
		    "channel");
		qmgr_sched_requeue(ag->qm, job);
		ipc_msg_free(m);
		qmgr_agent_drop(ag);
		return;
	} else {
		qmgr_sched_done(ag->qm, job, results, count, (int) alert);
		mta_proto_free_list(results, count);
	}
	ipc_msg_free(m);
}

/* qmgr_agent_error - the channel broke */

static void
qmgr_agent_error(struct ipc_chan *ch, int err, const char *why, void *ctx)
{
	struct qmgr_agent *ag = ctx;

	(void) ch;
	if (err != 0)
		msg_warn("delivery process channel: %s", why);
	qmgr_agent_drop(ag);
}

static const struct ipc_chan_ops qmgr_agent_ops = {
	.received = qmgr_agent_received,
	.error = qmgr_agent_error,
	.closed = qmgr_agent_closed,
};

/* qmgr_agent_add - serve a new delivery process */

void
qmgr_agent_add(struct qmgr *qm, int fd)
{
	struct qmgr_agent *ag = mem_zalloc(1, sizeof(*ag));

	ag->qm = qm;
	ag->chan = ipc_chan_open(qm->sv->loop, fd, &qmgr_agent_ops, ag);
	ag->next = qm->agents;
	qm->agents = ag;
	qmgr_sched_dispatch(qm);
}

/* qmgr_agent_pick - the least busy agent with room, or NULL */

struct qmgr_agent *
qmgr_agent_pick(struct qmgr *qm)
{
	struct qmgr_agent *ag, *best = NULL;

	for (ag = qm->agents; ag; ag = ag->next)
		if (ag->busy < QMGR_AGENT_JOBS
		    && (best == NULL || ag->busy < best->busy))
			best = ag;
	return (best);
}

/* qmgr_agent_send - send a job to a delivery process */

void
qmgr_agent_send(struct qmgr_agent *ag, struct qmgr_job *job)
{
	const struct queue_env *env = qmgr_sched_env(job);
	struct buf *err = buf_new(0);
	struct ipc_msg *m;
	char  **addrs = mem_zalloc(job->count + 1, sizeof(*addrs));
	char  **rids = mem_zalloc(job->count + 1, sizeof(*rids));
	struct stat st;
	uint64_t flags = 0;
	size_t	i;
	int	fd;

	if ((fd = queue_spool_open_content(ag->qm->spool, env->mid, err)) < 0
	    || fstat(fd, &st) != 0) {
		if (fd >= 0) {
			buf_printf(err, "fstat: %m");
			(void) close(fd);
		}
		mem_free(addrs);
		mem_free(rids);
		qmgr_sched_fail(ag->qm, job, err->data);
		buf_free(err);
		return;
	}
	for (i = 0; i < job->count; i++) {
		const struct queue_rcpt *rp = &env->rcpts[job->rcpts[i]];
		char	num[16];

		addrs[i] = mem_strndup(rp->addr.data, rp->addr.len);
		(void) snprintf(num, sizeof(num), "%" PRIu32, rp->rid);
		rids[i] = mem_strdup(num);
	}
	if (env->flags & QUEUE_ENV_SMTPUTF8)
		flags |= MTA_F_SMTPUTF8;
	if (env->body == QUEUE_BODY_8BITMIME)
		flags |= MTA_F_8BITMIME;
	job->req = ++ag->next_req;
	m = ipc_msg_new(MTA_T_DELIVER);
	ipc_put_u64(m, MTA_K_REQ, job->req);
	ipc_put_u64(m, MTA_K_MID, env->mid);
	ipc_put_str(m, MTA_K_SENDER, env->sender.len ? env->sender.data : "",
	    strnlen(env->sender.len ? env->sender.data : "", env->sender.len));
	ipc_put_cstr(m, MTA_K_DOMAIN, qmgr_sched_domain(job));
	mta_proto_put_list(m, MTA_K_RCPTS, addrs, job->count);
	mta_proto_put_list(m, MTA_K_RIDS, rids, job->count);
	ipc_put_u64(m, MTA_K_SIZE, (uint64_t) st.st_size);
	ipc_put_u64(m, MTA_K_FLAGS, flags);
	ipc_msg_attach_fd(m, fd);
	mta_proto_free_list(addrs, job->count);
	mta_proto_free_list(rids, job->count);
	job->agent = ag;
	job->next = ag->jobs;
	ag->jobs = job;
	ag->busy++;
	if (ipc_chan_send(ag->chan, m) != 0)
		msg_warn("MID %" PRIu64 ": cannot send to a delivery process: "
		    "%m", env->mid);	/* the channel error requeues it */
	buf_free(err);
}

/* qmgr_agent_close_all - close every delivery channel */

void
qmgr_agent_close_all(struct qmgr *qm)
{
	struct qmgr_agent *ag;

	while ((ag = qm->agents) != NULL) {
		qm->agents = ag->next;
		ipc_chan_close(ag->chan);
	}
}
