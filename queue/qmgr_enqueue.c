/*
 * NAME
 *	qmgr_enqueue - serve a listener's channel: open, commit, abort
 * DESCRIPTION
 *	See qmgr_enqueue.h. Each peer keeps the list of messages it has
 *	opened; a MID is only ever committed or aborted by the peer that
 *	opened it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "buf.h"
#include "ipc.h"
#include "mem.h"
#include "msg.h"

#include "mta_proto.h"

#include "qmgr.h"
#include "qmgr_enqueue.h"
#include "qmgr_sched.h"
#include "queue_env.h"
#include "queue_spool.h"

struct qmgr_open {
	struct queue_msg *msg;
	struct qmgr_open *next;
};

struct qmgr_peer {
	struct qmgr *qm;
	struct ipc_chan *chan;
	struct qmgr_open *open;
	struct qmgr_peer *next;
	unsigned busy;			/* commits under way for it */
	int	dropped;		/* channel closing: no more replies */
	int	closed;			/* channel gone: free when not busy */
};

/* One commit on the thread pool. */
struct qmgr_commit {
	uv_work_t work;
	struct qmgr_peer *peer;
	struct queue_msg *msg;
	struct queue_env env;
	struct buf *err;
	uint64_t req;
	uint64_t mid;
	int	rc;
};

/* qmgr_enqueue_take - remove an open message of a peer by MID */

static struct queue_msg *
qmgr_enqueue_take(struct qmgr_peer *peer, uint64_t mid)
{
	struct qmgr_open **pp;

	for (pp = &peer->open; *pp; pp = &(*pp)->next) {
		if ((*pp)->msg->mid == mid) {
			struct qmgr_open *op = *pp;
			struct queue_msg *msg = op->msg;

			*pp = op->next;
			mem_free(op);
			return (msg);
		}
	}
	return (NULL);
}

/* qmgr_enqueue_reply - an answer carrying the request id */

static struct ipc_msg *
qmgr_enqueue_reply(unsigned type, uint64_t req, enum mta_proto_status st,
    const char *reason)
{
	struct ipc_msg *m = ipc_msg_new(type);

	ipc_put_u64(m, MTA_K_REQ, req);
	ipc_put_u64(m, MTA_K_STATUS, st);
	if (reason)
		ipc_put_cstr(m, MTA_K_REASON, reason);
	return (m);
}

/* qmgr_enqueue_open - OPEN: allocate a MID and a content file */

static int
qmgr_enqueue_open(struct qmgr_peer *peer, struct ipc_msg *req_msg,
    uint64_t req)
{
	struct buf *err = buf_new(0);
	struct queue_msg *msg;
	struct ipc_msg *m;
	int	fd;

	if (queue_spool_open_message(peer->qm->spool, &msg, err) != QUEUE_OK) {
		msg_warn("%s", err->data);
		m = qmgr_enqueue_reply(MTA_T_OPENED, req, MTA_S_TEMP,
		    QUEUE_SPOOL_TEMP_REPLY);
	} else if ((fd = dup(msg->fd)) == -1) {
		msg_warn("dup content descriptor: %m");
		queue_spool_abort(peer->qm->spool, msg);
		m = qmgr_enqueue_reply(MTA_T_OPENED, req, MTA_S_TEMP,
		    QUEUE_SPOOL_TEMP_REPLY);
	} else {
		struct qmgr_open *op = mem_zalloc(1, sizeof(*op));

		op->msg = msg;
		op->next = peer->open;
		peer->open = op;
		m = qmgr_enqueue_reply(MTA_T_OPENED, req, MTA_S_OK, NULL);
		ipc_put_u64(m, MTA_K_MID, msg->mid);
		ipc_msg_attach_fd(m, fd);
	}
	buf_free(err);
	(void) req_msg;
	return (ipc_chan_send(peer->chan, m));
}

/* qmgr_enqueue_text - copy a string attribute into an envelope buf */

static int
qmgr_enqueue_text(const struct ipc_msg *m, unsigned key, struct buf *out,
    int required)
{
	const char *s;
	size_t	len;
	int	rc = ipc_get_str(m, key, &s, &len);

	if (rc == IPC_FOUND)
		buf_append(out, s, len);
	return (rc == IPC_WRONGKIND || (required && rc != IPC_FOUND) ? -1 : 0);
}

/* qmgr_enqueue_env - the envelope a COMMIT describes */

static int
qmgr_enqueue_env(const struct ipc_msg *m, struct queue_env *env)
{
	uint64_t v;
	char  **rcpts;
	size_t	count;
	size_t	i;

	if (ipc_get_u64(m, MTA_K_ICID, &env->icid) != IPC_FOUND
	    || qmgr_enqueue_text(m, MTA_K_SENDER, &env->sender, 1) != 0
	    || qmgr_enqueue_text(m, MTA_K_LISTENER, &env->listener, 0) != 0
	    || qmgr_enqueue_text(m, MTA_K_CLIENT_ADDR, &env->client_addr, 0)
	    || qmgr_enqueue_text(m, MTA_K_CLIENT_NAME, &env->client_host, 0)
	    || qmgr_enqueue_text(m, MTA_K_HELO, &env->helo, 0) != 0
	    || qmgr_enqueue_text(m, MTA_K_TLS_PROTO, &env->tls_protocol, 0)
	    || qmgr_enqueue_text(m, MTA_K_TLS_CIPHER, &env->tls_cipher, 0)
	    || qmgr_enqueue_text(m, MTA_K_AUTH_USER, &env->auth_user, 0))
		return (-1);
	if (env->auth_user.len)
		env->flags |= QUEUE_ENV_AUTH;	/* authenticated session */
	if (ipc_get_u64(m, MTA_K_FLAGS, &v) == IPC_FOUND) {
		if (v & MTA_F_SMTPUTF8)
			env->flags |= QUEUE_ENV_SMTPUTF8;
		if (v & MTA_F_8BITMIME)
			env->body = QUEUE_BODY_8BITMIME;
	}
	if (env->tls_protocol.len)
		env->flags |= QUEUE_ENV_TLS;
	if (ipc_get_u64(m, MTA_K_ARRIVAL, &v) == IPC_FOUND)
		env->arrival = (int64_t) v;
	else
		env->arrival = (int64_t) time(NULL);
	if (mta_proto_get_list(m, MTA_K_RCPTS, &rcpts, &count) != IPC_FOUND
	    || count == 0 || count > QUEUE_ENV_RCPT_MAX) {
		mta_proto_free_list(rcpts, count);
		return (-1);
	}
	for (i = 0; i < count; i++)
		(void) queue_env_add_rcpt(env, rcpts[i], strlen(rcpts[i]));
	mta_proto_free_list(rcpts, count);
	return (0);
}

/* qmgr_enqueue_commit_work - the fsyncs and renames, off the loop */

static void
qmgr_enqueue_commit_work(uv_work_t *work)
{
	struct qmgr_commit *qc = work->data;

	qc->rc = queue_spool_commit(qc->peer->qm->spool, qc->msg, &qc->env,
	    qc->err);
}

/* qmgr_enqueue_commit_done - back on the loop: answer the listener */

static void
qmgr_enqueue_commit_done(uv_work_t *work, int status)
{
	struct qmgr_commit *qc = work->data;
	struct qmgr_peer *peer = qc->peer;
	struct qmgr *qm = peer->qm;
	struct ipc_msg *m;

	if (status != 0)
		msg_panic("commit work: %s", uv_strerror(status));
	if (qc->rc != QUEUE_OK) {
		msg_warn("MID %llu: %s", (unsigned long long) qc->mid,
		    qc->err->data);
		m = qmgr_enqueue_reply(MTA_T_COMMITTED, qc->req, MTA_S_TEMP,
		    QUEUE_SPOOL_TEMP_REPLY);
	} else {
		m = qmgr_enqueue_reply(MTA_T_COMMITTED, qc->req, MTA_S_OK, NULL);
	}
	ipc_put_u64(m, MTA_K_MID, qc->mid);
	if (peer->dropped)
		ipc_msg_free(m);	/* the client never heard 250: it retries */
	else
		(void) ipc_chan_send(peer->chan, m);
	if (qc->rc == QUEUE_OK) {
		qc->env.mid = qc->mid;
		qmgr_sched_add(qm, &qc->env, QUEUE_STATE_ACTIVE);
	}
	queue_env_fini(&qc->env);
	buf_free(qc->err);
	mem_free(qc);
	peer->busy--;
	qm->inflight--;
	if (peer->closed && peer->busy == 0)
		mem_free(peer);
	if (qm->stopping && qm->inflight == 0)
		qmgr_finish(qm);
}

/* qmgr_enqueue_commit - COMMIT: make the message durable */

static int
qmgr_enqueue_commit(struct qmgr_peer *peer, struct ipc_msg *req_msg,
    uint64_t req)
{
	struct qmgr_commit *qc;
	struct queue_msg *msg;
	uint64_t mid;

	if (ipc_get_u64(req_msg, MTA_K_MID, &mid) != IPC_FOUND
	    || (msg = qmgr_enqueue_take(peer, mid)) == NULL) {
		msg_warn("listener committed a message it never opened");
		return (-1);
	}
	qc = mem_zalloc(1, sizeof(*qc));
	queue_env_init(&qc->env);
	if (qmgr_enqueue_env(req_msg, &qc->env) != 0) {
		msg_warn("MID %llu: malformed envelope from a listener",
		    (unsigned long long) mid);
		queue_spool_abort(peer->qm->spool, msg);
		queue_env_fini(&qc->env);
		mem_free(qc);
		return (-1);
	}
	qc->peer = peer;
	qc->msg = msg;
	qc->req = req;
	qc->mid = mid;
	qc->err = buf_new(0);
	qc->work.data = qc;
	peer->busy++;
	peer->qm->inflight++;
	if (uv_queue_work(peer->qm->sv->loop, &qc->work,
	    qmgr_enqueue_commit_work, qmgr_enqueue_commit_done) != 0)
		msg_panic("uv_queue_work failed");
	return (0);
}

/* qmgr_enqueue_abort - ABORT: discard an open message */

static int
qmgr_enqueue_abort(struct qmgr_peer *peer, struct ipc_msg *req_msg)
{
	struct queue_msg *msg;
	uint64_t mid;

	if (ipc_get_u64(req_msg, MTA_K_MID, &mid) != IPC_FOUND
	    || (msg = qmgr_enqueue_take(peer, mid)) == NULL) {
		msg_warn("listener aborted a message it never opened");
		return (-1);
	}
	queue_spool_abort(peer->qm->spool, msg);
	return (0);
}

/* qmgr_enqueue_drop - forget a peer, discarding its open messages */

static void
qmgr_enqueue_drop(struct qmgr_peer *peer)
{
	struct qmgr_peer **pp;

	while (peer->open) {
		struct qmgr_open *op = peer->open;

		peer->open = op->next;
		queue_spool_abort(peer->qm->spool, op->msg);
		mem_free(op);
	}
	for (pp = &peer->qm->peers; *pp; pp = &(*pp)->next) {
		if (*pp == peer) {
			*pp = peer->next;
			break;
		}
	}
	peer->dropped = 1;
	ipc_chan_close(peer->chan);
}

/* qmgr_enqueue_received - one request from a listener */

static void
qmgr_enqueue_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct qmgr_peer *peer = ctx;
	uint64_t req = 0;
	int	rc = -1;

	if (ipc_msg_type(m) != MTA_T_ABORT
	    && ipc_get_u64(m, MTA_K_REQ, &req) != IPC_FOUND)
		rc = -1;
	else if (ipc_msg_type(m) == MTA_T_OPEN)
		rc = qmgr_enqueue_open(peer, m, req);
	else if (ipc_msg_type(m) == MTA_T_COMMIT)
		rc = qmgr_enqueue_commit(peer, m, req);
	else if (ipc_msg_type(m) == MTA_T_ABORT)
		rc = qmgr_enqueue_abort(peer, m);
	if (rc != 0) {
		msg_warn("listener channel: bad request type %u: closing it",
		    ipc_msg_type(m));
		qmgr_enqueue_drop(peer);
	}
	ipc_msg_free(m);
	(void) ch;
}

/* qmgr_enqueue_error - a listener channel broke */

static void
qmgr_enqueue_error(struct ipc_chan *ch, int err, const char *why, void *ctx)
{
	struct qmgr_peer *peer = ctx;

	if (err != 0)
		msg_warn("listener channel: %s", why);
	qmgr_enqueue_drop(peer);
	(void) ch;
}

/* qmgr_enqueue_closed - the channel is gone: free the peer when idle */

static void
qmgr_enqueue_closed(void *ctx)
{
	struct qmgr_peer *peer = ctx;

	peer->closed = 1;
	if (peer->busy == 0)
		mem_free(peer);
}

static const struct ipc_chan_ops qmgr_enqueue_ops = {
	.received = qmgr_enqueue_received,
	.error = qmgr_enqueue_error,
	.closed = qmgr_enqueue_closed,
};

/* qmgr_enqueue_peer - serve a new listener channel */

void
qmgr_enqueue_peer(struct qmgr *qm, int fd)
{
	struct qmgr_peer *peer = mem_zalloc(1, sizeof(*peer));

	peer->qm = qm;
	peer->chan = ipc_chan_open(qm->sv->loop, fd, &qmgr_enqueue_ops, peer);
	peer->next = qm->peers;
	qm->peers = peer;
}

/* qmgr_enqueue_close_all - close every listener channel */

void
qmgr_enqueue_close_all(struct qmgr *qm)
{
	while (qm->peers)
		qmgr_enqueue_drop(qm->peers);
}
