/*
 * NAME
 *	qmgr - the queue manager process
 * DESCRIPTION
 *	See qmgr.h. This file is the process's frame: start, the master's
 *	messages, stop. Receiving is in qmgr_enqueue.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "ipc.h"
#include "msg.h"

#include "conf.h"

#include "mta_proto.h"
#include "server.h"

#include "qmgr.h"
#include "qmgr_agent.h"
#include "qmgr_alert.h"
#include "qmgr_enqueue.h"
#include "qmgr_sched.h"
#include "queue_spool.h"

static struct qmgr qmgr;

/* A committed message found by the scan, loaded once the scan is over. */
struct qmgr_found {
	uint64_t mid;
	enum queue_state state;
};

struct qmgr_scan {
	struct qmgr_found *found;
	size_t	count;
};

/* qmgr_scan_one - a committed message found at start */

static int
qmgr_scan_one(const struct queue_env *env, enum queue_state state,
    void *ctx)
{
	struct qmgr_scan *scan = ctx;

	scan->found = mem_realloc(scan->found, scan->count + 1,
	    sizeof(*scan->found));
	scan->found[scan->count].mid = env->mid;
	scan->found[scan->count++].state = state;
	return (0);
}

/* qmgr_schedule_found - hand the messages of the scan to the scheduler */

static void
qmgr_schedule_found(struct qmgr *qm, struct qmgr_scan *scan)
{
	struct buf *err = buf_new(0);
	struct queue_env env;
	size_t	i;

	for (i = 0; i < scan->count; i++) {
		buf_reset(err);
		if (queue_spool_load(qm->spool, scan->found[i].mid,
		    scan->found[i].state, &env, err) == QUEUE_OK)
			qmgr_sched_add(qm, &env, scan->found[i].state);
		else
			msg_warn("MID %llu: %s", (unsigned long long)
			    scan->found[i].mid, err->data);
		queue_env_fini(&env);
	}
	mem_free(scan->found);
	buf_free(err);
}

/* qmgr_post_jail - open and scan the spool */

static void
qmgr_post_jail(struct server *sv)
{
	struct buf *err = buf_new(0);
	struct queue_scan_stats stats;
	struct qmgr_scan scan;

	qmgr.sv = sv;
	sv->ctx = &qmgr;
	if ((qmgr.spool = queue_spool_open(sv->cf->spool_dir, err)) == NULL)
		msg_fatal("%s", err->data);
	memset(&stats, 0, sizeof(stats));
	memset(&scan, 0, sizeof(scan));
	if (queue_spool_scan(qmgr.spool, qmgr_scan_one, &scan, &stats) != 0)
		msg_fatal("cannot scan the spool %s", sv->cf->spool_dir);
	msg_info("spool %s: %zu messages queued, %zu corrupt files set aside, "
	    "%zu unfinished receptions removed", sv->cf->spool_dir,
	    stats.found, stats.corrupt, stats.removed);
	qmgr_sched_start(&qmgr);
	qmgr_schedule_found(&qmgr, &scan);
	buf_free(err);
}

/* qmgr_control - the master hands over a peer's channel */

static void
qmgr_control(struct server *sv, struct ipc_msg *m)
{
	const char *role = "listener";
	int	fd;

	if (ipc_msg_type(m) != MTA_T_PEER || (fd = ipc_msg_take_fd(m)) < 0
	    || ipc_get_str(m, MTA_K_ROLE, &role, NULL) < 0)
		msg_fatal("unexpected control message type %u",
		    ipc_msg_type(m));
	if (strcmp(role, "delivery") == 0)
		qmgr_agent_add(&qmgr, fd);
	else
		qmgr_enqueue_peer(&qmgr, fd);
	ipc_msg_free(m);
	(void) sv;
}

/* qmgr_finish - no commit is under way: close the spool and exit */

void
qmgr_finish(struct qmgr *qm)
{
	qmgr_sched_free(qm);
	qmgr_alert_free(qm);
	qm->spool = queue_spool_close(qm->spool);
	server_exit(qm->sv, 0);
}

/* qmgr_stop - SIGTERM: stop serving, finish the commits, exit */

static void
qmgr_stop(struct server *sv)
{
	qmgr_enqueue_close_all(&qmgr);
	qmgr_sched_stop(&qmgr);
	qmgr.stopping = 1;
	if (qmgr.inflight == 0)
		qmgr_finish(&qmgr);
	(void) sv;
}

/* qmgr_reload - a new configuration: new Destination Controls */

static void
qmgr_reload(struct server *sv, struct conf *cf)
{
	qmgr_sched_reload(&qmgr, cf);
	(void) sv;
}

static const struct server_ops qmgr_ops = {
	.role = "qmgr",
	.post_jail = qmgr_post_jail,
	.reload = qmgr_reload,
	.stop = qmgr_stop,
	.control = qmgr_control,
};

/* qmgr_main - run the queue manager */

int
qmgr_main(const struct mta_args *args, struct conf *cf)
{
	/* Commits wait on fsync; more of them at once means more done. */
	(void) setenv("UV_THREADPOOL_SIZE", "16", 0);
	return (server_main(args, cf, &qmgr_ops));
}
