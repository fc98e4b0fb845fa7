/*
 * NAME
 *	smtpd_enqueue - a listener's side of the queue manager channel
 * SYNOPSIS
 *	#include "smtpd_enqueue.h"
 *
 *	typedef void (*smtpd_enqueue_fn)(void *ctx,
 *		    const struct smtpd_enqueue_answer *answer);
 *
 *	struct smtpd_enqueue *smtpd_enqueue_open(uv_loop_t *loop, int fd);
 *	struct smtpd_enqueue *smtpd_enqueue_close(struct smtpd_enqueue *eq);
 *	struct smtpd_enqueue_req *smtpd_enqueue_message(struct smtpd_enqueue *eq,
 *		    unsigned long long icid, smtpd_enqueue_fn fn, void *ctx);
 *	struct smtpd_enqueue_req *smtpd_enqueue_commit(struct smtpd_enqueue *eq,
 *		    struct ipc_msg *m, smtpd_enqueue_fn fn, void *ctx);
 *	void	smtpd_enqueue_abort(struct smtpd_enqueue *eq,
 *		    unsigned long long mid);
 *	void	smtpd_enqueue_cancel(struct smtpd_enqueue_req *req);
 * DESCRIPTION
 *	Sessions ask the queue manager for a new message (OPEN) and to
 *	commit it (COMMIT); each request gets an id, and the answer calls
 *	fn(ctx, answer) once. answer->status is MTA_S_OK or MTA_S_TEMP;
 *	answer->mid the MID; answer->fd (OPEN only) the write-only content
 *	descriptor, which the callee then owns; answer->reason the text
 *	for the client on failure.
 *
 *	smtpd_enqueue_commit() takes a COMMIT message the caller filled
 *	(envelope attributes); the request id is added here.
 *
 *	A session that ends while a request is under way calls
 *	smtpd_enqueue_cancel(): fn will not be called, and a message that
 *	the cancelled OPEN created is aborted as soon as its answer comes,
 *	so nothing is left behind in the spool.
 *
 *	When the channel breaks, the queue manager has gone: the process
 *	cannot accept mail any more and exits (the master restarts it).
 *	No session has been answered 250 for a message the queue manager
 *	did not commit, so nothing acknowledged is lost.
 */
#ifndef SMTPD_ENQUEUE_H
#define SMTPD_ENQUEUE_H

#include <uv.h>

#include "ipc.h"

struct smtpd_enqueue;
struct smtpd_enqueue_req;

struct smtpd_enqueue_answer {
	int	status;
	unsigned long long mid;
	int	fd;
	const char *reason;
};

typedef void (*smtpd_enqueue_fn)(void *, const struct smtpd_enqueue_answer *);

struct smtpd_enqueue *smtpd_enqueue_open(uv_loop_t *, int);
struct smtpd_enqueue *smtpd_enqueue_close(struct smtpd_enqueue *);
struct smtpd_enqueue_req *smtpd_enqueue_message(struct smtpd_enqueue *,
	    unsigned long long, smtpd_enqueue_fn, void *);
struct smtpd_enqueue_req *smtpd_enqueue_commit(struct smtpd_enqueue *,
	    struct ipc_msg *, smtpd_enqueue_fn, void *);
void	smtpd_enqueue_abort(struct smtpd_enqueue *, unsigned long long);
void	smtpd_enqueue_cancel(struct smtpd_enqueue_req *);

#endif
