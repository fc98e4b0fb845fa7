/*
 * NAME
 *	logs_alert - mail log lines about alert mail
 * DESCRIPTION
 *	See logs_alert.h.
 */
#include "config.h"

#include "buf.h"
#include "msg.h"
#include "logs_line.h"
#include "logs_alert.h"

/* logs_alert_need - panic on a null string the caller had to supply */

static const char *
logs_alert_need(const char *what, const char *value)
{
	if (value == NULL)
		msg_panic("logs_alert: null %s", what);
	return (value);
}

/* logs_alert_sent - A Class/Severity alert was sent to ... */

enum logs_line_level
logs_alert_sent(struct buf *bp, const char *class, const char *severity,
    const char *rcpt, const char *subject)
{
	buf_printf(bp, "A %s/%s alert was sent to %s with subject \"%s\".",
	    logs_alert_need("class", class),
	    logs_alert_need("severity", severity),
	    logs_alert_need("recipient", rcpt),
	    logs_alert_need("subject", subject));
	return (LOGS_LINE_INFO);
}

/* logs_alert_failed - Error while sending alert: ... (Critical) */

enum logs_line_level
logs_alert_failed(struct buf *bp, const char *class, const char *severity,
    const char *rcpt, const char *subject)
{
	buf_printf(bp, "Error while sending alert: Unable to send %s/%s "
	    "alert to %s with subject \"%s\".",
	    logs_alert_need("class", class),
	    logs_alert_need("severity", severity),
	    logs_alert_need("recipient", rcpt),
	    logs_alert_need("subject", subject));
	return (LOGS_LINE_CRITICAL);
}
