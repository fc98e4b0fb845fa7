/*
 * NAME
 *	logs_alert - mail log lines about alert mail
 * SYNOPSIS
 *	#include "logs_alert.h"
 *
 *	enum logs_line_level logs_alert_sent(struct buf *bp,
 *		    const char *class, const char *severity,
 *		    const char *rcpt, const char *subject);
 *	enum logs_line_level logs_alert_failed(struct buf *bp,
 *		    const char *class, const char *severity,
 *		    const char *rcpt, const char *subject);
 * DESCRIPTION
 *	See logs_line(3) for the calling convention.
 *
 *	logs_alert_sent(): "A <class>/<severity> alert was sent to <rcpt>
 *	with subject "<subject>"." (class "System", severity "Warning").
 *	The subject sits between plain double quotes and is not escaped
 *	(a documented subject contains both kinds of quote).
 *
 *	logs_alert_failed(): "Error while sending alert: Unable to send
 *	<class>/<severity> alert to <rcpt> with subject "<subject>".", at
 *	level Critical.
 */
#ifndef LOGS_ALERT_H
#define LOGS_ALERT_H

#include "buf.h"
#include "logs_line.h"

enum logs_line_level logs_alert_sent(struct buf *, const char *,
	    const char *, const char *, const char *);
enum logs_line_level logs_alert_failed(struct buf *, const char *,
	    const char *, const char *, const char *);

#endif
