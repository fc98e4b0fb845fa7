/*
 * NAME
 *	qmgr_sched - the queue manager's scheduler: destinations, retries,
 *	results
 * SYNOPSIS
 *	#include "qmgr_sched.h"
 *
 *	void	qmgr_sched_start(struct qmgr *qm);
 *	void	qmgr_sched_add(struct qmgr *qm, struct queue_env *env,
 *		    enum queue_state state);
 *	void	qmgr_sched_reload(struct qmgr *qm, struct conf *cf);
 *	void	qmgr_sched_stop(struct qmgr *qm);
 *
 *	void	qmgr_sched_dispatch(struct qmgr *qm);
 *	void	qmgr_sched_done(struct qmgr *qm, struct qmgr_job *job,
 *		    char **results, size_t count, int alert);
 *	void	qmgr_sched_requeue(struct qmgr *qm, struct qmgr_job *job);
 *	void	qmgr_sched_fail(struct qmgr *qm, struct qmgr_job *job,
 *		    const char *why);
 *
 *	void	qmgr_sched_reply_parts(const struct queue_rcpt *rp,
 *		    char code[4], char dsn[16], const char **text);
 *	struct logs_maillog *qmgr_sched_log_handle(struct qmgr *qm);
 *	void	qmgr_sched_free(struct qmgr *qm);
 * DESCRIPTION
 *	Every committed message is in memory (struct qmgr_msg, with its
 *	envelope) from its commit, or the spool scan at start, until it
 *	is finished. A message is due at once when it arrives and at its
 *	retry time after that. When it is due, its recipients that are
 *	neither delivered nor bounced are grouped by domain into jobs, one
 *	per domain, and each job joins the queue of its destination.
 *
 *	Destinations. A destination (a recipient domain, case folded)
 *	holds the jobs waiting for it and counts the jobs under way. Jobs
 *	leave for the delivery processes in arrival order, at most the
 *	Destination Controls concurrency of the domain at once (one job
 *	is at most one connection), and at most the entry's recipients per
 *	interval (max_rcpts per rcpts_interval; the rest waits for the
 *	next interval), and each delivery process takes at most
 *	QMGR_AGENT_JOBS jobs at once (qmgr_agent(3)).
 *
 *	Results. qmgr_sched_done() applies a job's results (strings
 *	"RID STATE CODE DSN TEXT", mta_proto.h) to the envelope: delivered,
 *	bounced, deferred; every recipient tried counts an attempt and
 *	keeps its last reply. When the last job of a message ends, the
 *	message is settled:
 *	.IP \(bu
 *	a deferred recipient that has used up its bounce profile (more
 *	than max_retries attempts, or max_queue_lifetime in the queue) is
 *	bounced: "Bounced: DCID 0 ... 5.4.7 - Delivery expired (message
 *	too old) ...";
 *	.IP \(bu
 *	the recipients bounced in this round get one DSN to the sender
 *	(qmgr_bounce(3)), unless the sender is null (a bounce is never
 *	bounced: "Double bounce" lines) or the profile sends none;
 *	.IP \(bu
 *	when deferred recipients remain, the message waits: its next
 *	attempt is the earliest of theirs, the initial retry interval
 *	doubled for each attempt after the first, up to the maximum
 *	(AsyncOS: 60 s .. 3600 s), logged as "Message m to RID [..]
 *	pending till <time>", and its envelope goes to deferred/;
 *	.IP \(bu
 *	otherwise the message is removed from the spool and "Message
 *	finished MID m done" is its last line.
 *	.PP
 *	The bounce profile of a recipient is the one its Destination
 *	Controls entry names, else its listener's, else "Default".
 *	qmgr_sched_requeue() puts a job that was not attempted (its
 *	delivery process stopped or died) back at the head of its
 *	destination's queue; no attempt is counted. qmgr_sched_fail()
 *	ends a job that could not be sent (its content cannot be read):
 *	its recipients are deferred with the reason.
 *
 *	qmgr_sched_reply_parts() splits the reply a recipient keeps in its
 *	envelope ("CODE DSN TEXT") for bounces and log lines.
 *	qmgr_sched_log_handle() is the queue manager's mail log.
 *
 *	A job reported with an alert (MTA_ALERT_TLS: TLS was required and
 *	could not be had, when destination_controls.tls_failure_alert is
 *	on; MTA_ALERT_AUTH: a smarthost refused the AUTH) raises that
 *	alert for its domain (qmgr_alert(3)).
 *
 *	qmgr_sched_start() compiles the Destination Controls, opens the
 *	mail log and starts the once-a-second timer that makes waiting
 *	messages due. qmgr_sched_add() takes over env's contents (env is
 *	left empty) and makes the message due now, or at
 *	env->next_attempt when it is deferred. qmgr_sched_reload() takes
 *	the Destination Controls of a new configuration (a broken one is
 *	reported and the old one kept). qmgr_sched_stop() stops the
 *	timer and closes the delivery channels; messages stay in the
 *	spool as they are. qmgr_sched_free() releases what the scheduler
 *	holds, at exit.
 * LIMITS
 *	Every queued message's envelope is held in memory. Delay warnings
 *	(bounce profile send_warnings) are not sent in this version.
 */
#ifndef QMGR_SCHED_H
#define QMGR_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#include "qmgr.h"
#include "queue_env.h"
#include "queue_spool.h"

struct logs_maillog;
struct qmgr_msg;
struct qmgr_dest;
struct qmgr_agent;

/* One message's recipients at one destination, sent as one job. */
struct qmgr_job {
	struct qmgr_msg *msg;
	struct qmgr_dest *dest;
	size_t *rcpts;			/* indexes into msg's envelope */
	size_t	count;
	uint64_t req;			/* request id, while under way */
	struct qmgr_agent *agent;	/* under way there, or NULL */
	struct qmgr_job *next;		/* destination queue, agent list */
};

void	qmgr_sched_start(struct qmgr *);
void	qmgr_sched_add(struct qmgr *, struct queue_env *, enum queue_state);
void	qmgr_sched_reload(struct qmgr *, struct conf *);
void	qmgr_sched_stop(struct qmgr *);
void	qmgr_sched_dispatch(struct qmgr *);
void	qmgr_sched_done(struct qmgr *, struct qmgr_job *, char **, size_t,
	    int);
void	qmgr_sched_requeue(struct qmgr *, struct qmgr_job *);
void	qmgr_sched_fail(struct qmgr *, struct qmgr_job *, const char *);
void	qmgr_sched_reply_parts(const struct queue_rcpt *, char[4], char[16],
	    const char **);
struct logs_maillog *qmgr_sched_log_handle(struct qmgr *);
void	qmgr_sched_free(struct qmgr *);
const char *qmgr_sched_domain(const struct qmgr_job *);
uint64_t qmgr_sched_mid(const struct qmgr_job *);
const struct queue_env *qmgr_sched_env(const struct qmgr_job *);

#endif
