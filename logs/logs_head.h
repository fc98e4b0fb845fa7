/*
 * NAME
 *	logs_head - the lines that begin every mail log file
 * SYNOPSIS
 *	#include "logs_head.h"
 *
 *	enum logs_line_level logs_head_begin(struct buf *bp);
 *	enum logs_line_level logs_head_version(struct buf *bp,
 *		    const char *version, const char *serial);
 *	enum logs_line_level logs_head_offset(struct buf *bp, long offset);
 *	void	logs_head_serial(struct buf *bp);
 * DESCRIPTION
 *	A mail log file starts with three lines; AsyncOS's own parsers
 *	refuse a file without the first two. See logs_line(3) for the
 *	calling convention.
 *
 *	logs_head_begin(): "Begin Logfile".
 *	logs_head_version(): "Version: <version> SN: <serial>".
 *	logs_head_offset(): "Time offset from UTC: <offset> seconds"
 *	(local time minus UTC: -21600 in US Central winter time).
 *
 *	logs_head_serial() appends this host's serial number in the
 *	shape of a virtual appliance's (20 upper-case hex digits, a dash,
 *	12 more): derived by SHA-256 from /etc/machine-id (or
 *	/var/lib/dbus/machine-id, else the host name), so it is stable
 *	across restarts and does not reveal the machine id.
 */
#ifndef LOGS_HEAD_H
#define LOGS_HEAD_H

#include "buf.h"
#include "logs_line.h"

enum logs_line_level logs_head_begin(struct buf *);
enum logs_line_level logs_head_version(struct buf *, const char *,
	    const char *);
enum logs_line_level logs_head_offset(struct buf *, long);
void	logs_head_serial(struct buf *);

#endif
