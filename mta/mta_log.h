/*
 * NAME
 *	mta_log - open the mail log as the configuration says
 * SYNOPSIS
 *	#include "mta_log.h"
 *
 *	struct logs_maillog *mta_log_open(const struct conf *cf,
 *		    struct buf *why);
 *	void	mta_log_line(struct logs_maillog *ml,
 *		    enum logs_line_level level, struct buf *line);
 * DESCRIPTION
 *	mta_log_open() turns the log section of the configuration (the
 *	path of the current file, rotation, dialect, syslog target) into
 *	the options of logs_maillog_open(3) and opens the log. It returns
 *	NULL with the reason in why.
 *
 *	mta_log_line() writes a line a formatter put in line at level,
 *	then empties line for the next formatter.
 */
#ifndef MTA_LOG_H
#define MTA_LOG_H

#include "buf.h"

#include "conf.h"
#include "logs_line.h"
#include "logs_maillog.h"

struct logs_maillog *mta_log_open(const struct conf *, struct buf *);
void	mta_log_line(struct logs_maillog *, enum logs_line_level,
	    struct buf *);

#endif
