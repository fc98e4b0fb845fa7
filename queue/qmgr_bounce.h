/*
 * NAME
 *	qmgr_bounce - delivery status notifications for bounced recipients
 * SYNOPSIS
 *	#include "qmgr_bounce.h"
 *
 *	void	qmgr_bounce(struct qmgr *qm, const struct queue_env *env,
 *		    const size_t *rcpts, size_t count,
 *		    long long max_copy);
 * DESCRIPTION
 *	qmgr_bounce() tells the sender of the message env about its
 *	recipients rcpts (indexes into env->rcpts, each bounced, with its
 *	last reply kept as "CODE DSN TEXT"): one RFC 3464 failure report
 *	(mail_dsn(3)) from the null sender, with at most max_copy bytes of
 *	the original (its headers only when the sender asked RET=HDRS),
 *	queued by qmgr_inject(3) as "generated for bounce of" the original.
 *	Recipients whose NOTIFY= excludes failures are left out; when none
 *	is left, no report is sent.
 *
 *	A message from the null sender is itself a notification and is
 *	never bounced: each recipient gets a "Double bounce: Message m to
 *	r - dsn - description" line instead.
 *
 *	A report that cannot be queued (disk full) is given up with a
 *	warning: the recipients are bounced all the same.
 */
#ifndef QMGR_BOUNCE_H
#define QMGR_BOUNCE_H

#include <stddef.h>

#include "qmgr.h"
#include "queue_env.h"

void	qmgr_bounce(struct qmgr *, const struct queue_env *, const size_t *,
	    size_t, long long);

#endif
