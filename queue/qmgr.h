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
 *	qmgr_enqueue.h and mta_proto.h); delivery processes take jobs and
 *	report results (qmgr_agent.h). Every committed message is
 *	scheduled (qmgr_sched.h): delivered, retried, bounced
 *	(qmgr_bounce.h), and the required-TLS alert sent (qmgr_alert.h).
 *	A reload (MTA_T_RELOAD) gives the scheduler the new Destination
 *	Controls and bounce profiles.
 *
 *	On SIGTERM it stops serving and scheduling and, once the commits
 *	under way have finished, qmgr_finish() closes the spool and ends
 *	the process. Deliveries under way then are not recorded: their
 *	recipients are tried again after the restart.
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
struct qmgr_agent;
struct qmgr_alert;
struct qmgr_sched;
struct queue_spool;

struct qmgr {
	struct server *sv;
	struct queue_spool *spool;
	struct qmgr_peer *peers;	/* listeners (qmgr_enqueue) */
	struct qmgr_agent *agents;	/* delivery processes (qmgr_agent) */
	struct qmgr_sched *sched;	/* messages, destinations */
	struct qmgr_alert *alerts;	/* throttle history (qmgr_alert) */
	size_t	queued;
	size_t	inflight;		/* commits on the thread pool */
	int	stopping;
};

int	qmgr_main(const struct mta_args *, struct conf *);
void	qmgr_finish(struct qmgr *);

#endif
