/*
 * NAME
 *	master - the supervisor: binds, spawns, restarts, reloads, stops
 * SYNOPSIS
 *	#include "master.h"
 *
 *	int	master_main(const struct mta_args *args, struct conf *cf,
 *		    struct buf *text);
 * DESCRIPTION
 *	master_main() runs the master process until it is told to stop,
 *	and returns the exit status. It takes ownership of cf and of text,
 *	the configuration text cf was loaded from (NULL for the embedded
 *	default): children get exactly these checked bytes (MTA_FD_CONF),
 *	never the file as it may have become since.
 *
 *	The master is the top of the system (not an outbound agent, as the
 *	name mta/ might suggest): it prepares the spool and log
 *	directories and the demo certificate, binds every listener socket,
 *	creates the shared ID sequence and per-client counters, and starts
 *	the children by re-executing its own program with -X ROLE:
 *
 *	    qmgr	one queue manager, the only writer of the spool
 *	    listener	N processes sharing every listening socket
 *	    delivery	M processes that deliver what the queue manager
 *			hands them (processes.delivery)
 *
 *	Every child gets the descriptor layout of mta_proto.h. The master
 *	makes each listener's and delivery process's channel to the queue
 *	manager with
 *	socketpair() and sends the queue manager its end (MTA_T_PEER), so
 *	no channel has a name in the file system.
 *
 *	A child that exits is restarted. A role whose processes keep dying
 *	within MASTER_QUICK_EXIT seconds of their start is throttled: the
 *	next start waits MASTER_THROTTLE seconds, and the master says so.
 *	When the queue manager exits, the listeners and delivery processes
 *	lose their channel and exit too, and all are started again.
 *
 *	SIGHUP reloads: the new configuration is checked first and, when
 *	it has errors, they are reported and the running configuration is
 *	kept (and children that restart get it). Otherwise the queue
 *	manager gets the new text (MTA_T_RELOAD), new
 *	listeners start on the new configuration (sockets whose address
 *	and port did not change are passed on, so no connection waiting in
 *	the backlog is lost), and the old listeners are told to drain
 *	(SIGTERM): they stop accepting and exit when their sessions end.
 *	Delivery processes are replaced the same way: the old ones refuse
 *	new jobs and finish the ones in hand.
 *
 *	SIGUSR1 rolls the mail log over now: the master asks one listener,
 *	and every other writer follows the new file.
 *
 *	SIGTERM or SIGINT stops: listeners and delivery processes drain for
 *	at most MASTER_STOP_GRACE seconds (then SIGKILL: an unfinished
 *	message was not acknowledged, and an unfinished delivery is still
 *	queued, so nothing is lost), then the queue manager
 *	stops, then the master exits with status 0.
 * SECURITY
 *	The master runs as the user that started it (root in production)
 *	and never reads network input; it parses only the configuration.
 */
#ifndef MASTER_H
#define MASTER_H

#include "buf.h"

#include "conf.h"
#include "mta_args.h"

#define MASTER_QUICK_EXIT	10	/* seconds: an exit this soon is a failure */
#define MASTER_QUICK_LIMIT	3	/* failures in a row before throttling */
#define MASTER_THROTTLE		10	/* seconds to wait when throttled */
#define MASTER_STOP_GRACE	10	/* seconds listeners get to drain */

int	master_main(const struct mta_args *, struct conf *, struct buf *);

#endif
