/*
 * NAME
 *	qmgr - the queue manager process
 * SYNOPSIS
 *	#include "qmgr.h"
 *
 *	int	qmgr_main(const struct mta_args *args, struct conf *cf);
 *	void	qmgr_finish(struct qmgr *qm);
 *
 *	struct qmgr {
 *		struct server *sv;
 *		struct queue_spool *spool;
 *		struct qmgr_peer *peers;
 *		size_t	queued;
 *	};
 * DESCRIPTION
 *	The queue manager is the only process that creates, renames or
 *	removes spool files. At start it opens the spool (creating the
 *	layout, refusing a second queue manager on the same spool), scans
 *	it, and then serves the channels the master hands it (MTA_T_PEER):
 *	listeners open, commit and abort messages over them (see
 *	qmgr_enqueue.h and mta_proto.h).
 *
 *	On SIGTERM it stops serving and, once the commits under way have
 *	finished, qmgr_finish() closes the spool and ends the process.
 * SECURITY
 *	The queue manager runs as the unprivileged mail user. It reads no
 *	network input; its peers are mtad processes, whose messages are
 *	checked strictly all the same (a malformed one closes the channel).
 */
#ifndef QMGR_H
#define QMGR_H

#include <stddef.h>

#include "conf.h"

#include "mta_args.h"
#include "server.h"

struct qmgr_peer;
struct queue_spool;

struct qmgr {
	struct server *sv;
	struct queue_spool *spool;
	struct qmgr_peer *peers;
	size_t	queued;
	size_t	inflight;		/* commits on the thread pool */
	int	stopping;
};

int	qmgr_main(const struct mta_args *, struct conf *);
void	qmgr_finish(struct qmgr *);

#endif
