/*
 * NAME
 *	logs_mid - mail log lines about a message (MID)
 * DESCRIPTION
 *	See logs_mid.h.
 */
#include "config.h"

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "msg.h"
#include "str.h"
#include "logs_line.h"
#include "logs_repr.h"
#include "logs_mid.h"

/* logs_mid_need - panic on a null string the caller had to supply */

static const char *
logs_mid_need(const char *what, const char *value)
{
	if (value == NULL)
		msg_panic("logs_mid: null %s", what);
	return (value);
}

/* logs_mid_start - Start MID m ICID n */

enum logs_line_level
logs_mid_start(struct buf *bp, unsigned long mid, unsigned long icid)
{
	buf_printf(bp, "Start MID %lu ICID %lu", mid, icid);
	return (LOGS_LINE_INFO);
}

/* logs_mid_from - MID m ICID n From: <sender> */

enum logs_line_level
logs_mid_from(struct buf *bp, unsigned long mid, unsigned long icid,
    const char *sender)
{
	buf_printf(bp, "MID %lu ICID %lu From: <%s>", mid, icid,
	    logs_mid_need("sender", sender));
	return (LOGS_LINE_INFO);
}

/* logs_mid_to - MID m ICID n RID r To: <rcpt> */

enum logs_line_level
logs_mid_to(struct buf *bp, unsigned long mid, unsigned long icid,
    unsigned rid, const char *rcpt)
{
	buf_printf(bp, "MID %lu ICID %lu RID %u To: <%s>", mid, icid, rid,
	    logs_mid_need("recipient", rcpt));
	return (LOGS_LINE_INFO);
}

/* logs_mid_rejected - MID m ICID n To: <rcpt> Rejected by what */

enum logs_line_level
logs_mid_rejected(struct buf *bp, unsigned long mid, unsigned long icid,
    const char *rcpt, const char *by)
{
	buf_printf(bp, "MID %lu ICID %lu To: <%s> Rejected by %s", mid, icid,
	    logs_mid_need("recipient", rcpt), logs_mid_need("by", by));
	return (LOGS_LINE_INFO);
}

/* logs_mid_message_id - MID m Message-ID '<id>' */

enum logs_line_level
logs_mid_message_id(struct buf *bp, unsigned long mid, struct str msgid)
{
	buf_printf(bp, "MID %lu Message-ID ", mid);
	logs_repr_str(bp, msgid);
	return (LOGS_LINE_INFO);
}

/* logs_mid_subject - MID m Subject 'text' */

enum logs_line_level
logs_mid_subject(struct buf *bp, unsigned long mid, struct str subject)
{
	buf_printf(bp, "MID %lu Subject ", mid);
	logs_repr_str(bp, subject);
	return (LOGS_LINE_INFO);
}

/* logs_mid_ready - MID m ready N bytes from <sender> */

enum logs_line_level
logs_mid_ready(struct buf *bp, unsigned long mid, unsigned long long size,
    const char *sender)
{
	buf_printf(bp, "MID %lu ready %llu bytes from <%s>", mid, size,
	    logs_mid_need("sender", sender));
	return (LOGS_LINE_INFO);
}

/* logs_mid_queued - MID m queued for delivery */

enum logs_line_level
logs_mid_queued(struct buf *bp, unsigned long mid)
{
	buf_printf(bp, "MID %lu queued for delivery", mid);
	return (LOGS_LINE_INFO);
}

/* logs_mid_aborted - Message aborted MID m reason */

enum logs_line_level
logs_mid_aborted(struct buf *bp, unsigned long mid, const char *reason)
{
	buf_printf(bp, "Message aborted MID %lu %s", mid,
	    logs_mid_need("reason", reason));
	return (LOGS_LINE_INFO);
}

/* logs_mid_finished - Message finished MID m done|aborted */

enum logs_line_level
logs_mid_finished(struct buf *bp, unsigned long mid, int aborted)
{
	buf_printf(bp, "Message finished MID %lu %s", mid,
	    aborted ? "aborted" : "done");
	return (LOGS_LINE_INFO);
}

/* logs_mid_bounce_of - MID m was generated for bounce of MID o */

enum logs_line_level
logs_mid_bounce_of(struct buf *bp, unsigned long mid, unsigned long orig)
{
	buf_printf(bp, "MID %lu was generated for bounce of MID %lu", mid,
	    orig);
	return (LOGS_LINE_INFO);
}

/* logs_mid_response - MID m RID [r] Response 'text' */

enum logs_line_level
logs_mid_response(struct buf *bp, unsigned long mid, const unsigned *rids,
    size_t nrids, struct str text)
{
	buf_printf(bp, "MID %lu RID ", mid);
	logs_repr_rids(bp, rids, nrids);
	buf_puts(bp, " Response ");
	logs_repr_str(bp, text);
	return (LOGS_LINE_INFO);
}

/* logs_mid_pending - Message m to RID [r] pending till <ctime> */

enum logs_line_level
logs_mid_pending(struct buf *bp, unsigned long mid, const unsigned *rids,
    size_t nrids, time_t until)
{
	buf_printf(bp, "Message %lu to RID ", mid);
	logs_repr_rids(bp, rids, nrids);
	buf_puts(bp, " pending till ");
	logs_line_ctime(bp, until);
	return (LOGS_LINE_INFO);
}

/* logs_mid_double_bounce - the bounce of a bounce failed */

enum logs_line_level
logs_mid_double_bounce(struct buf *bp, unsigned long mid, unsigned rid,
    const char *dsn, const char *description)
{
	buf_printf(bp, "Double bounce: Message %lu to %u - %s - %s", mid, rid,
	    logs_mid_need("dsn", dsn),
	    logs_mid_need("description", description));
	return (LOGS_LINE_INFO);
}
