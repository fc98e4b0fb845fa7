/*
 * NAME
 *	qmgr_enqueue - serve a listener's channel: open, commit, abort
 * SYNOPSIS
 *	#include "qmgr_enqueue.h"
 *
 *	void	qmgr_enqueue_peer(struct qmgr *qm, int fd);
 *	void	qmgr_enqueue_close_all(struct qmgr *qm);
 * DESCRIPTION
 *	qmgr_enqueue_peer() starts serving a listener over the channel
 *	descriptor fd:
 *
 *	OPEN: a new MID and its content file; the answer OPENED carries a
 *	write-only descriptor for the content.
 *
 *	COMMIT: the envelope; the message is made durable with
 *	queue_spool_commit() and COMMITTED says OK only when it is on
 *	stable storage. A failure answers TEMP with the reason (the
 *	listener says 452 4.3.1), and the spool is as before. Commits run
 *	on libuv's thread pool, several at once, because each is a chain
 *	of fsyncs and concurrent ones share the file system's journal
 *	writes; everything else about the spool stays on the loop.
 *
 *	ABORT: the message is discarded.
 *
 *	When the channel breaks (the listener exited or crashed), every
 *	message it had opened but not committed is discarded: it was never
 *	acknowledged, so the client still has it. A commit already under
 *	way finishes; its answer has nobody to go to, so the client, which
 *	never heard 250, sends the message again: a duplicate, never a
 *	loss.
 *
 *	qmgr_enqueue_close_all() closes every channel (at stop).
 */
#ifndef QMGR_ENQUEUE_H
#define QMGR_ENQUEUE_H

#include "qmgr.h"

void	qmgr_enqueue_peer(struct qmgr *, int);
void	qmgr_enqueue_close_all(struct qmgr *);

#endif
