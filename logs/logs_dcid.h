/*
 * NAME
 *	logs_dcid - mail log lines of outbound (delivery) connections
 * SYNOPSIS
 *	#include "logs_dcid.h"
 *
 *	struct logs_dcid_bounce {
 *		unsigned long dcid;
 *		unsigned long mid;
 *		unsigned rid;
 *		const char *dsn;
 *		const char *description;
 *		const char *code;
 *		const struct str *lines;
 *		size_t	nlines;
 *	};
 *
 *	struct logs_dcid_conn_error {
 *		unsigned long dcid;
 *		const char *domain;
 *		const char *addr;
 *		unsigned port;
 *		const char *details;
 *		const char *ifip;
 *		const char *reason;
 *	};
 *
 *	enum logs_line_level logs_dcid_new(struct buf *bp,
 *		    unsigned long dcid, const char *ifip, const char *addr,
 *		    unsigned port);
 *	enum logs_line_level logs_dcid_tls_success(struct buf *bp,
 *		    unsigned long dcid, const char *protocol,
 *		    const char *cipher);
 *	enum logs_line_level logs_dcid_tls_failed(struct buf *bp,
 *		    const struct logs_line_style *style, unsigned long dcid,
 *		    const char *addr, const char *reason);
 *	enum logs_line_level logs_dcid_tls_deferring(struct buf *bp,
 *		    unsigned long dcid, const char *reason);
 *	enum logs_line_level logs_dcid_tls_required(struct buf *bp,
 *		    unsigned long dcid, const char *addr);
 *	enum logs_line_level logs_dcid_starttls_unsupported(struct buf *bp,
 *		    unsigned long dcid);
 *	enum logs_line_level logs_dcid_delivery_start(struct buf *bp,
 *		    unsigned long dcid, unsigned long mid,
 *		    const unsigned *rids, size_t nrids);
 *	enum logs_line_level logs_dcid_message_done(struct buf *bp,
 *		    unsigned long dcid, unsigned long mid,
 *		    const unsigned *rids, size_t nrids);
 *	enum logs_line_level logs_dcid_delayed(struct buf *bp,
 *		    const struct logs_dcid_bounce *b);
 *	enum logs_line_level logs_dcid_bounced(struct buf *bp,
 *		    const struct logs_dcid_bounce *b);
 *	void	logs_dcid_details_reply(struct buf *bp, const char *code,
 *		    struct str text);
 *	enum logs_line_level logs_dcid_conn_error(struct buf *bp,
 *		    const struct logs_line_style *style,
 *		    const struct logs_dcid_conn_error *e);
 *	enum logs_line_level logs_dcid_dns_error(struct buf *bp,
 *		    const char *domain, const char *rrtype,
 *		    const char *error);
 *	enum logs_line_level logs_dcid_dns_tempfail(struct buf *bp,
 *		    const char *domain, const char *rrtype,
 *		    const char *error);
 *	enum logs_line_level logs_dcid_close(struct buf *bp,
 *		    unsigned long dcid);
 * DESCRIPTION
 *	One function per line type written about a delivery connection;
 *	see logs_line(3) for the calling convention. The forms:
 *
 *	logs_dcid_new(): "New SMTP DCID <dcid> interface <ifip> address
 *	<addr> port <port>".
 *
 *	logs_dcid_tls_success(): "DCID <dcid> TLS success protocol <p>
 *	cipher <c>" (the same in both dialects).
 *
 *	logs_dcid_tls_failed(): "DCID <dcid> TLS failed: <reason>"; in the
 *	asyncos4 dialect "DCID <dcid> IP <addr> TLS failed: <reason>"
 *	(addr may be null in the modern dialect). reason is "STARTTLS
 *	unexpected response", an OpenSSL tuple or a socket error.
 *
 *	logs_dcid_tls_deferring(): "DCID <dcid> TLS deferring: <reason>
 *	TLS version mismatch could be the failure reason" (the peer
 *	refused our TLS versions; the message stays queued).
 *
 *	logs_dcid_tls_required(): "DCID <dcid> IP <addr> TLS was required
 *	but could not be successfully negotiated".
 *
 *	logs_dcid_starttls_unsupported(): "DCID <dcid> STARTTLS command
 *	not supported." (the EHLO reply did not list STARTTLS).
 *
 *	logs_dcid_delivery_start(): "Delivery start DCID <dcid> MID <mid>
 *	to RID [<rids>]"; logs_dcid_message_done(): "Message done DCID
 *	<dcid> MID <mid> to RID [<rids>]".
 *
 *	logs_dcid_delayed(): "Delayed: DCID <dcid> MID <mid> to RID <rid>
 *	- <dsn> - <description> ('<code>', [<lines>])[]" and
 *	logs_dcid_bounced(): the same with "Bounced: " and " []" at the
 *	end. The missing space before "[]" in Delayed is as documented in
 *	every AsyncOS guide. A failure without a connection (DNS) is
 *	DCID 0 with code "000".
 *
 *	logs_dcid_details_reply() appends the details of a Connection
 *	Error that was caused by an SMTP reply: "<code>-<repr(text)>",
 *	as in 454-'TLS not available due to temporary reason'.
 *
 *	logs_dcid_conn_error(): "Connection Error: DCID <dcid> domain:
 *	<domain> IP:<addr> port: <port> details: <details> interface:
 *	<ifip> reason: <reason>"; "IP: <addr>" when style->ip_space.
 *
 *	logs_dcid_dns_error(): "DNS Error <domain> <rrtype> - <error>";
 *	logs_dcid_dns_tempfail(): "DNS Temporary Failure <domain>
 *	<rrtype> - <error>" (rrtype "MX", error "NXDomain", "ServFail").
 *
 *	logs_dcid_close(): "DCID <dcid> close".
 */
#ifndef LOGS_DCID_H
#define LOGS_DCID_H

#include <stddef.h>

#include "buf.h"
#include "str.h"
#include "logs_line.h"

struct logs_dcid_bounce {
	unsigned long dcid;
	unsigned long mid;
	unsigned rid;
	const char *dsn;		/* "4.1.0" */
	const char *description;	/* "Unknown address error" */
	const char *code;		/* "466", "000" without a reply */
	const struct str *lines;	/* reply text lines, without code */
	size_t	nlines;
};

struct logs_dcid_conn_error {
	unsigned long dcid;
	const char *domain;
	const char *addr;
	unsigned port;
	const char *details;
	const char *ifip;
	const char *reason;
};

enum logs_line_level logs_dcid_new(struct buf *, unsigned long,
	    const char *, const char *, unsigned);
enum logs_line_level logs_dcid_tls_success(struct buf *, unsigned long,
	    const char *, const char *);
enum logs_line_level logs_dcid_tls_failed(struct buf *,
	    const struct logs_line_style *, unsigned long, const char *,
	    const char *);
enum logs_line_level logs_dcid_tls_deferring(struct buf *, unsigned long,
	    const char *);
enum logs_line_level logs_dcid_tls_required(struct buf *, unsigned long,
	    const char *);
enum logs_line_level logs_dcid_starttls_unsupported(struct buf *,
	    unsigned long);
enum logs_line_level logs_dcid_delivery_start(struct buf *, unsigned long,
	    unsigned long, const unsigned *, size_t);
enum logs_line_level logs_dcid_message_done(struct buf *, unsigned long,
	    unsigned long, const unsigned *, size_t);
enum logs_line_level logs_dcid_delayed(struct buf *,
	    const struct logs_dcid_bounce *);
enum logs_line_level logs_dcid_bounced(struct buf *,
	    const struct logs_dcid_bounce *);
void	logs_dcid_details_reply(struct buf *, const char *, struct str);
enum logs_line_level logs_dcid_conn_error(struct buf *,
	    const struct logs_line_style *,
	    const struct logs_dcid_conn_error *);
enum logs_line_level logs_dcid_dns_error(struct buf *, const char *,
	    const char *, const char *);
enum logs_line_level logs_dcid_dns_tempfail(struct buf *, const char *,
	    const char *, const char *);
enum logs_line_level logs_dcid_close(struct buf *, unsigned long);

#endif
