/*
 * NAME
 *	logs_line - what every mail log line formatter shares
 * SYNOPSIS
 *	#include "logs_line.h"
 *
 *	enum logs_line_level {
 *		LOGS_LINE_CRITICAL, LOGS_LINE_WARNING, LOGS_LINE_INFO,
 *		LOGS_LINE_DEBUG, LOGS_LINE_TRACE
 *	};
 *	enum logs_line_dialect { LOGS_LINE_MODERN, LOGS_LINE_ASYNCOS4 };
 *	enum logs_line_sslnames { LOGS_LINE_SSL_111, LOGS_LINE_SSL_101 };
 *
 *	struct logs_line_style {
 *		enum logs_line_dialect dialect;
 *		enum logs_line_sslnames sslnames;
 *		int	ip_space;
 *	};
 *
 *	enum logs_line_sbrs_kind {
 *		LOGS_LINE_SBRS_SCORE, LOGS_LINE_SBRS_NONE,
 *		LOGS_LINE_SBRS_NOT_ENABLED, LOGS_LINE_SBRS_RFC1918,
 *		LOGS_LINE_SBRS_UNAVAILABLE
 *	};
 *	struct logs_line_sbrs {
 *		enum logs_line_sbrs_kind kind;
 *		int	tenths;
 *	};
 *
 *	void	logs_line_style_init(struct logs_line_style *style);
 *	const char *logs_line_level_name(enum logs_line_level level);
 *	void	logs_line_ctime(struct buf *bp, time_t when);
 *	void	logs_line_ctime_tm(struct buf *bp, const struct tm *tm);
 *	void	logs_line_sbrs(struct buf *bp,
 *		    const struct logs_line_sbrs *s);
 * DESCRIPTION
 *	The mail log is written by one formatter per line type, in
 *	logs_icid (inbound connections), logs_mid (messages), logs_dcid
 *	(delivery connections), logs_alert (alerts) and logs_head (the
 *	lines that start a file). Every formatter appends the message
 *	part of one line (what follows "Info: ") to a struct buf, never
 *	resets it, never appends a newline, and returns the level the
 *	line type is logged at. The writer (logs_maillog) adds the time
 *	and the level:
 *
 *		buf_reset(bp);
 *		level = logs_icid_close(bp, icid);
 *		logs_maillog_write(ml, level, bp);
 *
 *	A formatter copies a raw field (an address, a host name) as it
 *	is; fields that AsyncOS writes as a Python repr() (Subject,
 *	Message-ID, replies) are quoted by logs_repr. The writer escapes
 *	any control byte left in a line, so a field can never split a
 *	line.
 *
 *	Levels are ordered from the most to the least severe; their
 *	names in a line are Critical, Warning, Info, Debug and Trace
 *	(logs_line_level_name()).
 *
 *	A style holds the choices between documented forms of the same
 *	event. dialect LOGS_LINE_MODERN is AsyncOS 11-15 (the default);
 *	LOGS_LINE_ASYNCOS4 is the 2005 form (inbound "TLS success" and
 *	"TLS failed" without details; "DCID d IP ip TLS failed: ...").
 *	sslnames tells the code that maps an OpenSSL 3 error to the
 *	OpenSSL 1.x tuple which function names to use (1.1.1, the
 *	default, or 1.0.1); the formatters themselves print the name
 *	they are given. ip_space selects "IP: 10.0.0.1" (non-zero) or
 *	the documented "IP:10.0.0.1" (zero, the default) in Connection
 *	Error lines. logs_line_style_init() sets the defaults.
 *
 *	logs_line_ctime() appends a time as C ctime() does, without the
 *	newline, in local time: "Wed Jan  7 20:11:06 2024" (day of month
 *	padded with a space). logs_line_ctime_tm() does the same for a
 *	broken-down time. Month and day names are always English.
 *
 *	logs_line_sbrs() appends a SenderBase score as AsyncOS prints it:
 *	a score of tenths -11 is "-1.1", 0 is "0.0", 100 is "10.0"; the
 *	other kinds print "None", "not enabled", "rfc1918" and
 *	"unable to retrieve".
 */
#ifndef LOGS_LINE_H
#define LOGS_LINE_H

#include <time.h>

#include "buf.h"

enum logs_line_level {
	LOGS_LINE_CRITICAL,
	LOGS_LINE_WARNING,
	LOGS_LINE_INFO,
	LOGS_LINE_DEBUG,
	LOGS_LINE_TRACE,
};

enum logs_line_dialect {
	LOGS_LINE_MODERN,
	LOGS_LINE_ASYNCOS4,
};

enum logs_line_sslnames {
	LOGS_LINE_SSL_111,
	LOGS_LINE_SSL_101,
};

struct logs_line_style {
	enum logs_line_dialect dialect;
	enum logs_line_sslnames sslnames;
	int	ip_space;
};

enum logs_line_sbrs_kind {
	LOGS_LINE_SBRS_SCORE,
	LOGS_LINE_SBRS_NONE,
	LOGS_LINE_SBRS_NOT_ENABLED,
	LOGS_LINE_SBRS_RFC1918,
	LOGS_LINE_SBRS_UNAVAILABLE,
};

struct logs_line_sbrs {
	enum logs_line_sbrs_kind kind;
	int	tenths;			/* score: -100..100 */
};

void	logs_line_style_init(struct logs_line_style *);
const char *logs_line_level_name(enum logs_line_level);
void	logs_line_ctime(struct buf *, time_t);
void	logs_line_ctime_tm(struct buf *, const struct tm *);
void	logs_line_sbrs(struct buf *, const struct logs_line_sbrs *);

#endif
