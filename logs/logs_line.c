/*
 * NAME
 *	logs_line - what every mail log line formatter shares
 * DESCRIPTION
 *	See logs_line.h. Day and month names are spelled here rather
 *	than by strftime(3), so that a locale cannot change the log.
 */
#include "config.h"

#include <time.h>

#include "buf.h"
#include "msg.h"
#include "logs_line.h"

static const char logs_line_days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const char logs_line_months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* logs_line_style_init - the default style: modern, 1.1.1 names, IP:x */

void
logs_line_style_init(struct logs_line_style *style)
{
	style->dialect = LOGS_LINE_MODERN;
	style->sslnames = LOGS_LINE_SSL_111;
	style->ip_space = 0;
}

/* logs_line_level_name - the word a line carries for its level */

const char *
logs_line_level_name(enum logs_line_level level)
{
	switch (level) {
	case LOGS_LINE_CRITICAL:
		return ("Critical");
	case LOGS_LINE_WARNING:
		return ("Warning");
	case LOGS_LINE_INFO:
		return ("Info");
	case LOGS_LINE_DEBUG:
		return ("Debug");
	case LOGS_LINE_TRACE:
		return ("Trace");
	}
	msg_panic("logs_line_level_name: bad level %d", (int) level);
}

/* logs_line_ctime_tm - append a broken-down time as ctime() does */

void
logs_line_ctime_tm(struct buf *bp, const struct tm *tm)
{
	if (tm->tm_wday < 0 || tm->tm_wday > 6 || tm->tm_mon < 0
	    || tm->tm_mon > 11)
		msg_panic("logs_line_ctime_tm: bad time");
	buf_printf(bp, "%s %s %2d %02d:%02d:%02d %d",
	    logs_line_days[tm->tm_wday], logs_line_months[tm->tm_mon],
	    tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
	    tm->tm_year + 1900);
}

/* logs_line_ctime - append a time in local time as ctime() does */

void
logs_line_ctime(struct buf *bp, time_t when)
{
	struct tm tm;

	if (localtime_r(&when, &tm) == NULL)
		msg_panic("logs_line_ctime: time %lld out of range",
		    (long long) when);
	logs_line_ctime_tm(bp, &tm);
}

/* logs_line_sbrs - append a SenderBase score as AsyncOS prints it */

void
logs_line_sbrs(struct buf *bp, const struct logs_line_sbrs *s)
{
	unsigned mag;

	switch (s->kind) {
	case LOGS_LINE_SBRS_SCORE:
		mag = s->tenths < 0 ? 0U - (unsigned) s->tenths
		    : (unsigned) s->tenths;
		buf_printf(bp, "%s%u.%u", s->tenths < 0 ? "-" : "",
		    mag / 10, mag % 10);
		return;
	case LOGS_LINE_SBRS_NONE:
		buf_puts(bp, "None");
		return;
	case LOGS_LINE_SBRS_NOT_ENABLED:
		buf_puts(bp, "not enabled");
		return;
	case LOGS_LINE_SBRS_RFC1918:
		buf_puts(bp, "rfc1918");
		return;
	case LOGS_LINE_SBRS_UNAVAILABLE:
		buf_puts(bp, "unable to retrieve");
		return;
	}
	msg_panic("logs_line_sbrs: bad kind %d", (int) s->kind);
}
