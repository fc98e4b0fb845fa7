/*
 * NAME
 *	mail_dsn - RFC 3464 delivery status notifications (bounces)
 * SYNOPSIS
 *	#include "mail_dsn.h"
 *
 *	int	mail_dsn_compose(const struct mail_dsn *d, int fd, off_t size,
 *		    struct buf *out, struct buf *err);
 *	void	mail_dsn_boundary(const struct mail_dsn *d, unsigned attempt,
 *		    struct buf *out);
 *	const char *mail_dsn_subject(enum mail_dsn_kind kind);
 *	void	mail_dsn_wrap(struct buf *out, const char *text,
 *		    const char *indent);
 * DESCRIPTION
 *	mail_dsn_compose() appends to out the complete notification that
 *	the queue manager sends to the original envelope sender (with a
 *	null reverse path): header and body, every line ended by CR LF and
 *	at most MAIL_DSN_LINE_MAX (998) octets long without it. It does no
 *	I/O other than pread(2) of the original content.
 *
 *	Header: From: MAILER-DAEMON@hostname, To: <sender>, Date: (now, in
 *	the local zone), Message-ID: <...@hostname>, Subject: (see
 *	mail_dsn_subject()), Auto-Submitted: auto-replied, MIME-Version,
 *	and Content-Type: multipart/report; report-type=delivery-status.
 *	The body has three parts: a text/plain explanation for people (which
 *	recipients, what happened, what the remote server answered, and for
 *	a delay until when delivery is retried); a message/delivery-status
 *	with the per-message fields (Reporting-MTA, Original-Envelope-Id,
 *	Received-From-MTA, Arrival-Date) and one group of per-recipient
 *	fields for each of rcpts[0..nrcpts) (Original-Recipient,
 *	Final-Recipient, Action, Status, Remote-MTA, Diagnostic-Code,
 *	Last-Attempt-Date, Will-Retry-Until); and the original message.
 *
 *	The original is read with pread(2) from fd, bytes [0, size). With
 *	headers_only (RET=HDRS) only its header section is returned, as
 *	text/rfc822-headers; otherwise the message, as message/rfc822 (when
 *	its header section holds 8-bit octets, that is UTF-8 header fields,
 *	the RFC 6533 types message/global-headers and message/global). At
 *	most max_copy octets of it are included (max_copy < 0: no limit;
 *	0: none, the third part is left out), cut after the last complete
 *	line that fits, so that a CR LF is never torn; if not even the first
 *	line fits, the cut is at max_copy but never between a CR and its LF.
 *	The copy is made fit for mail: a bare CR or LF becomes CR LF, a
 *	missing final CR LF is added, and a line longer than 998 octets is
 *	broken (in the header section, the rest becomes a continuation line
 *	starting with a space). With fd == -1 (the content is lost) the
 *	third part is left out and the text says so.
 *
 *	Everything from the outside (addresses, ORCPT, ENVID, the client and
 *	remote MTA names, diagnostics) is untrusted: control characters
 *	(CR, LF, NUL, ...) become '?' wherever they would go, and 8-bit
 *	bytes too except in addresses. A diagnostic that holds "\n" (a
 *	multi-line reply) is joined with spaces. Diagnostic-Code is
 *	"smtp; CODE STATUS text" when code is set, "X-mtad; text" for a
 *	reason of our own (code 0); it is folded at white space, and a
 *	word too long for a line is split. An address with non-ASCII
 *	octets is written with the RFC 6533 "utf-8" address type in its
 *	utf-8-addr-xtext form (\x{HEX} for each non-ASCII character), so
 *	that the delivery-status part stays ASCII; an ORCPT is written as
 *	received ("type;address"; "rfc822;" is prefixed when it has no
 *	type).
 *
 *	The MIME boundary comes from mail_dsn_boundary() for attempt 0, 1,
 *	... until one is found that occurs nowhere in the three parts; it
 *	depends only on mid, now, kind and the attempt, so the output for
 *	the same input is the same apart from the Message-ID (which also
 *	holds the process id and a counter). The top-level Content-Transfer-
 *	Encoding is 8bit when some part holds 8-bit octets (a UTF-8 address
 *	or original content), and then the caller must send it with
 *	BODY=8BITMIME (or SMTPUTF8 for UTF-8 addresses).
 *
 *	mail_dsn_subject() returns the Subject text for a kind:
 *	"Delivery Status Notification (Failure)", "(Delay)" or
 *	"(Success)".
 *
 *	mail_dsn_wrap() appends text as CR LF lines wrapped at white space
 *	before column MAIL_DSN_WRAP_AT (76), each line starting with indent
 *	(NULL: none); "\n" in text ends a line (an empty line stays empty),
 *	control characters become '?', and a word too long for any line is
 *	split. mail_alert uses it for its body.
 * DIAGNOSTICS
 *	mail_dsn_compose() returns 0, or -1 when the original cannot be
 *	read (an I/O error, or the file ends before size): err then says
 *	why and out holds nothing useful (the caller defers and retries).
 *	Inputs that cannot come from a correct caller (no hostname or
 *	sender, no recipients, a bad kind or action) are a panic.
 * SEE ALSO
 *	RFC 3461, RFC 3462 (RFC 6522), RFC 3464, RFC 6533.
 */
#ifndef MAIL_DSN_H
#define MAIL_DSN_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define MAIL_DSN_LINE_MAX	998	/* octets per line, CR LF excluded */
#define MAIL_DSN_WRAP_AT	76	/* text lines for people */

enum mail_dsn_kind {
	MAIL_DSN_FAILURE,
	MAIL_DSN_DELAY,
	MAIL_DSN_SUCCESS,
};

enum mail_dsn_action {
	MAIL_DSN_FAILED,
	MAIL_DSN_DELAYED,
	MAIL_DSN_DELIVERED,
	MAIL_DSN_RELAYED,
};

struct mail_dsn_rcpt {
	const char *addr;		/* final recipient, no <> */
	const char *orcpt;		/* ORCPT= value as received
					 * ("rfc822;u@d"), or NULL */
	enum mail_dsn_action action;
	const char *status;		/* enhanced code "5.1.1" */
	const char *remote_mta;		/* host name or IP, or NULL */
	int	code;			/* SMTP reply code, 0: none */
	const char *diagnostic;		/* reply text (may hold "\n"
					 * between lines) or our reason */
	time_t	last_attempt;		/* 0: none */
	time_t	will_retry_until;	/* DELAYED only, 0: omit */
};

struct mail_dsn {
	enum mail_dsn_kind kind;
	const char *hostname;		/* reporting MTA (our name) */
	const char *sender;		/* original envelope sender = To: */
	const char *envid;		/* ENVID=, or NULL */
	const char *client;		/* Received-From-MTA, or NULL */
	unsigned long long mid;		/* original MID */
	time_t	arrival;
	time_t	now;			/* Date: */
	int	headers_only;		/* RET=HDRS: text/rfc822-headers */
	long long max_copy;		/* bytes of the original included */
	const struct mail_dsn_rcpt *rcpts;
	size_t	nrcpts;
};

int	mail_dsn_compose(const struct mail_dsn *, int, off_t, struct buf *,
	    struct buf *);
void	mail_dsn_boundary(const struct mail_dsn *, unsigned, struct buf *);
const char *mail_dsn_subject(enum mail_dsn_kind);
void	mail_dsn_wrap(struct buf *, const char *, const char *);

#endif
