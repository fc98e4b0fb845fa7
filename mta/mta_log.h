/*
 * NAME
 *	mta_log - open the mail log as the configuration says
 * SYNOPSIS
 *	#include "mta_log.h"
 *
 *	struct logs_maillog *mta_log_open(const struct conf *cf,
 *		    struct buf *why);
 *	struct logs_maillog *mta_log_open_loop(uv_loop_t *loop,
 *		    const struct conf *cf, struct buf *why);
 *	struct logs_maillog *mta_log_close(struct logs_maillog *ml);
 *	void	mta_log_line(struct logs_maillog *ml,
 *		    enum logs_line_level level, struct buf *line);
 * DESCRIPTION
 *	mta_log_open() turns the log section of the configuration (the
 *	path of the current file, rotation, dialect, syslog target) into
 *	the options of logs_maillog_open(3) and opens the log. It returns
 *	NULL with the reason in why.
 *
 *	mta_log_open_loop() is the same for a process that runs loop: its
 *	lines are held in memory and written in one batch each time the
 *	loop is about to wait for events (logs_maillog_hold(3)), so no
 *	line waits longer than the work the loop is doing now. The held
 *	lines are also written when the process exits, or ends with
 *	msg_fatal(); an abort (msg_panic()) loses the lines of the
 *	current loop iteration. mta_log_close() writes what is held,
 *	stops the batching and closes the log; it returns NULL.
 *
 *	mta_log_line() writes a line a formatter put in line at level,
 *	then empties line for the next formatter.
 */
#ifndef MTA_LOG_H
#define MTA_LOG_H

#include <uv.h>

#include "buf.h"

#include "conf.h"
#include "logs_line.h"
#include "logs_maillog.h"

struct logs_maillog *mta_log_open(const struct conf *, struct buf *);
struct logs_maillog *mta_log_open_loop(uv_loop_t *, const struct conf *,
	    struct buf *);
struct logs_maillog *mta_log_close(struct logs_maillog *);
void	mta_log_line(struct logs_maillog *, enum logs_line_level,
	    struct buf *);

#endif
