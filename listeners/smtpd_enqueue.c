/*
 * NAME
 *	smtpd_enqueue - a listener's side of the queue manager channel
 * DESCRIPTION
 *	See smtpd_enqueue.h. Requests wait in a list in the order they
 *	were sent; answers are matched by id, not by order.
 */
#include "config.h"

#include <unistd.h>

#include "ipc.h"
#include "mem.h"
#include "msg.h"

#include "mta_proto.h"

#include "smtpd_enqueue.h"

struct smtpd_enqueue_req {
	struct smtpd_enqueue *eq;
	uint64_t id;
	unsigned type;			/* MTA_T_OPEN or MTA_T_COMMIT */
	smtpd_enqueue_fn fn;		/* NULL once cancelled */
	void   *ctx;
	struct smtpd_enqueue_req *next;
};

struct smtpd_enqueue {
	struct ipc_chan *chan;
	uint64_t next_id;
	struct smtpd_enqueue_req *reqs;
};

/* smtpd_enqueue_take - remove the request an answer is for */

static struct smtpd_enqueue_req *
smtpd_enqueue_take(struct smtpd_enqueue *eq, uint64_t id)
{
	struct smtpd_enqueue_req **pp;

	for (pp = &eq->reqs; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct smtpd_enqueue_req *req = *pp;

			*pp = req->next;
			return (req);
		}
	}
	return (NULL);
}

/* smtpd_enqueue_received - an answer from the queue manager */

static void
smtpd_enqueue_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct smtpd_enqueue *eq = ctx;
	struct smtpd_enqueue_answer answer = {0, 0, -1, NULL};
	struct smtpd_enqueue_req *req;
	uint64_t id, status, mid = 0;
	const char *reason = NULL;
	size_t	len;

	if (ipc_get_u64(m, MTA_K_REQ, &id) != IPC_FOUND
	    || ipc_get_u64(m, MTA_K_STATUS, &status) != IPC_FOUND
	    || (req = smtpd_enqueue_take(eq, id)) == NULL
	    || ipc_msg_type(m) != (req->type == MTA_T_OPEN ? MTA_T_OPENED
	    : MTA_T_COMMITTED))
		msg_fatal("queue manager sent an answer to no request "
		    "(type %u): exiting", ipc_msg_type(m));
	(void) ipc_get_u64(m, MTA_K_MID, &mid);
	(void) ipc_get_str(m, MTA_K_REASON, &reason, &len);
	answer.status = (int) status;
	answer.mid = mid;
	answer.reason = reason;
	if (req->type == MTA_T_OPEN && status == MTA_S_OK) {
		answer.fd = ipc_msg_take_fd(m);
		if (answer.fd < 0)
			msg_fatal("queue manager opened MID %llu without a "
			    "descriptor", (unsigned long long) mid);
	}
	if (req->fn) {
		req->fn(req->ctx, &answer);
	} else if (answer.fd >= 0) {
		(void) close(answer.fd);
		smtpd_enqueue_abort(eq, mid);
	}
	mem_free(req);
	ipc_msg_free(m);
	(void) ch;
}

/* smtpd_enqueue_error - the queue manager went away */

static void
smtpd_enqueue_error(struct ipc_chan *ch, int err, const char *why,
    void *ctx)
{
	msg_fatal("queue manager channel: %s: exiting", why);
	(void) ch;
	(void) err;
	(void) ctx;
}

static const struct ipc_chan_ops smtpd_enqueue_ops = {
	.received = smtpd_enqueue_received,
	.error = smtpd_enqueue_error,
};

/* smtpd_enqueue_open - serve the channel on fd */

struct smtpd_enqueue *
smtpd_enqueue_open(uv_loop_t *loop, int fd)
{
	struct smtpd_enqueue *eq = mem_zalloc(1, sizeof(*eq));

	eq->chan = ipc_chan_open(loop, fd, &smtpd_enqueue_ops, eq);
	eq->next_id = 1;
	return (eq);
}

/* smtpd_enqueue_close - close the channel, drop waiting requests */

struct smtpd_enqueue *
smtpd_enqueue_close(struct smtpd_enqueue *eq)
{
	if (eq == NULL)
		return (NULL);
	while (eq->reqs) {
		struct smtpd_enqueue_req *req = eq->reqs;

		eq->reqs = req->next;
		mem_free(req);
	}
	ipc_chan_close(eq->chan);
	mem_free(eq);
	return (NULL);
}

/* smtpd_enqueue_send - send a request and remember it */

static struct smtpd_enqueue_req *
smtpd_enqueue_send(struct smtpd_enqueue *eq, struct ipc_msg *m,
    smtpd_enqueue_fn fn, void *ctx)
{
	struct smtpd_enqueue_req *req = mem_zalloc(1, sizeof(*req));

	req->eq = eq;
	req->id = eq->next_id++;
	req->type = ipc_msg_type(m);
	req->fn = fn;
	req->ctx = ctx;
	ipc_put_u64(m, MTA_K_REQ, req->id);
	if (ipc_chan_send(eq->chan, m) != 0)
		msg_fatal("queue manager channel: send: %m: exiting");
	req->next = eq->reqs;
	eq->reqs = req;
	return (req);
}

/* smtpd_enqueue_message - ask for a new MID and content file */

struct smtpd_enqueue_req *
smtpd_enqueue_message(struct smtpd_enqueue *eq, unsigned long long icid,
    smtpd_enqueue_fn fn, void *ctx)
{
	struct ipc_msg *m = ipc_msg_new(MTA_T_OPEN);

	ipc_put_u64(m, MTA_K_ICID, icid);
	return (smtpd_enqueue_send(eq, m, fn, ctx));
}

/* smtpd_enqueue_commit - ask for a message to be made durable */

struct smtpd_enqueue_req *
smtpd_enqueue_commit(struct smtpd_enqueue *eq, struct ipc_msg *m,
    smtpd_enqueue_fn fn, void *ctx)
{
	return (smtpd_enqueue_send(eq, m, fn, ctx));
}

/* smtpd_enqueue_abort - discard an opened message */

void
smtpd_enqueue_abort(struct smtpd_enqueue *eq, unsigned long long mid)
{
	struct ipc_msg *m = ipc_msg_new(MTA_T_ABORT);

	ipc_put_u64(m, MTA_K_MID, mid);
	if (ipc_chan_send(eq->chan, m) != 0)
		msg_fatal("queue manager channel: send: %m: exiting");
}

/* smtpd_enqueue_cancel - the session is gone: ignore the answer */

void
smtpd_enqueue_cancel(struct smtpd_enqueue_req *req)
{
	req->fn = NULL;
	req->ctx = NULL;
}
