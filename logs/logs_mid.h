/*
 * NAME
 *	logs_mid - mail log lines about a message (MID)
 * SYNOPSIS
 *	#include "logs_mid.h"
 *
 *	enum logs_line_level logs_mid_start(struct buf *bp, unsigned long mid,
 *		    unsigned long icid);
 *	enum logs_line_level logs_mid_from(struct buf *bp, unsigned long mid,
 *		    unsigned long icid, const char *sender);
 *	enum logs_line_level logs_mid_to(struct buf *bp, unsigned long mid,
 *		    unsigned long icid, unsigned rid, const char *rcpt);
 *	enum logs_line_level logs_mid_rejected(struct buf *bp,
 *		    unsigned long mid, unsigned long icid, const char *rcpt,
 *		    const char *by);
 *	enum logs_line_level logs_mid_message_id(struct buf *bp,
 *		    unsigned long mid, struct str msgid);
 *	enum logs_line_level logs_mid_subject(struct buf *bp,
 *		    unsigned long mid, struct str subject);
 *	enum logs_line_level logs_mid_ready(struct buf *bp, unsigned long mid,
 *		    unsigned long long size, const char *sender);
 *	enum logs_line_level logs_mid_queued(struct buf *bp,
 *		    unsigned long mid);
 *	enum logs_line_level logs_mid_aborted(struct buf *bp,
 *		    unsigned long mid, const char *reason);
 *	enum logs_line_level logs_mid_finished(struct buf *bp,
 *		    unsigned long mid, int aborted);
 *	enum logs_line_level logs_mid_bounce_of(struct buf *bp,
 *		    unsigned long mid, unsigned long orig);
 *	enum logs_line_level logs_mid_response(struct buf *bp,
 *		    unsigned long mid, const unsigned *rids, size_t nrids,
 *		    struct str text);
 *	enum logs_line_level logs_mid_pending(struct buf *bp,
 *		    unsigned long mid, const unsigned *rids, size_t nrids,
 *		    time_t until);
 *	enum logs_line_level logs_mid_double_bounce(struct buf *bp,
 *		    unsigned long mid, unsigned rid, const char *dsn,
 *		    const char *description);
 * DESCRIPTION
 *	One function per line type written about a message; see
 *	logs_line(3) for the calling convention. The forms:
 *
 *	logs_mid_start(): "Start MID <mid> ICID <icid>" (ICID 0 for a
 *	message the gateway generates).
 *
 *	logs_mid_from(): "MID <mid> ICID <icid> From: <<sender>>";
 *	logs_mid_to(): "MID <mid> ICID <icid> RID <rid> To: <<rcpt>>";
 *	logs_mid_rejected(): "MID <mid> ICID <icid> To: <<rcpt>> Rejected
 *	by <by>" (by: "Receiving Control", "RAT", "LDAPACCEPT", ...).
 *	Addresses are given without the angle brackets; the null sender
 *	is "" and prints "<>".
 *
 *	logs_mid_message_id(): "MID <mid> Message-ID <repr>" and
 *	logs_mid_subject(): "MID <mid> Subject <repr>", where <repr> is
 *	the Python repr() of the raw header value (angle brackets of the
 *	Message-ID included, encoded-words not decoded, folding kept as
 *	\r\n\t), so 'x' or "it's".
 *
 *	logs_mid_ready(): "MID <mid> ready <size> bytes from <<sender>>".
 *	logs_mid_queued(): "MID <mid> queued for delivery".
 *
 *	logs_mid_aborted(): "Message aborted MID <mid> <reason>" (reasons
 *	seen: "Receiving aborted", "Dropped by filter 'x'").
 *	logs_mid_finished(): "Message finished MID <mid> done|aborted",
 *	the last line about every message.
 *
 *	logs_mid_bounce_of(): "MID <mid> was generated for bounce of MID
 *	<orig>".
 *
 *	logs_mid_response(): "MID <mid> RID [<rids>] Response <repr>",
 *	with the reply text after the three-digit code, repr()-quoted.
 *
 *	logs_mid_pending(): "Message <mid> to RID [<rids>] pending till
 *	<ctime>", the time of the next attempt in local time.
 *
 *	logs_mid_double_bounce(): "Double bounce: Message <mid> to <rid> -
 *	<dsn> - <description>".
 */
#ifndef LOGS_MID_H
#define LOGS_MID_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "str.h"
#include "logs_line.h"

enum logs_line_level logs_mid_start(struct buf *, unsigned long,
	    unsigned long);
enum logs_line_level logs_mid_from(struct buf *, unsigned long,
	    unsigned long, const char *);
enum logs_line_level logs_mid_to(struct buf *, unsigned long, unsigned long,
	    unsigned, const char *);
enum logs_line_level logs_mid_rejected(struct buf *, unsigned long,
	    unsigned long, const char *, const char *);
enum logs_line_level logs_mid_message_id(struct buf *, unsigned long,
	    struct str);
enum logs_line_level logs_mid_subject(struct buf *, unsigned long,
	    struct str);
enum logs_line_level logs_mid_ready(struct buf *, unsigned long,
	    unsigned long long, const char *);
enum logs_line_level logs_mid_queued(struct buf *, unsigned long);
enum logs_line_level logs_mid_aborted(struct buf *, unsigned long,
	    const char *);
enum logs_line_level logs_mid_finished(struct buf *, unsigned long, int);
enum logs_line_level logs_mid_bounce_of(struct buf *, unsigned long,
	    unsigned long);
enum logs_line_level logs_mid_response(struct buf *, unsigned long,
	    const unsigned *, size_t, struct str);
enum logs_line_level logs_mid_pending(struct buf *, unsigned long,
	    const unsigned *, size_t, time_t);
enum logs_line_level logs_mid_double_bounce(struct buf *, unsigned long,
	    unsigned, const char *, const char *);

#endif
