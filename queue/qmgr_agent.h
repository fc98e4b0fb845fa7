/*
 * NAME
 *	qmgr_agent - the queue manager's channels to the delivery processes
 * SYNOPSIS
 *	#include "qmgr_agent.h"
 *
 *	void	qmgr_agent_add(struct qmgr *qm, int fd);
 *	struct qmgr_agent *qmgr_agent_pick(struct qmgr *qm);
 *	void	qmgr_agent_send(struct qmgr_agent *ag, struct qmgr_job *job);
 *	void	qmgr_agent_close_all(struct qmgr *qm);
 * DESCRIPTION
 *	qmgr_agent_add() serves the channel of a new delivery process (the
 *	master hands it over with MTA_T_PEER, role "delivery").
 *	qmgr_agent_pick() chooses the process with the fewest jobs under
 *	way among those with fewer than QMGR_AGENT_JOBS, or returns NULL
 *	when all are full or there are none. qmgr_agent_send() sends a
 *	job: MTA_T_DELIVER with the envelope facts the job needs and a
 *	fresh read-only descriptor of the content (a content file that
 *	cannot be opened fails the job through qmgr_sched_fail()).
 *
 *	Answers (MTA_T_DELIVERED) go to qmgr_sched_done(), or to
 *	qmgr_sched_requeue() when the job was not attempted. When a
 *	channel breaks (the process exited or sent something malformed:
 *	it is then closed and the master starts another), its jobs under
 *	way go back to their destinations' queues: a delivery may have
 *	happened, so a recipient may get a message twice, never none.
 *	qmgr_agent_close_all() closes every channel (the queue manager is
 *	stopping; jobs under way stay queued in the spool).
 */
#ifndef QMGR_AGENT_H
#define QMGR_AGENT_H

#include "qmgr.h"
#include "qmgr_sched.h"

#define QMGR_AGENT_JOBS	200		/* jobs under way per process */

struct qmgr_agent;

void	qmgr_agent_add(struct qmgr *, int);
struct qmgr_agent *qmgr_agent_pick(struct qmgr *);
void	qmgr_agent_send(struct qmgr_agent *, struct qmgr_job *);
void	qmgr_agent_close_all(struct qmgr *);

#endif
