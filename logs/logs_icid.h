/*
 * NAME
 *	logs_icid - mail log lines of inbound (injection) connections
 * SYNOPSIS
 *	#include "logs_icid.h"
 *
 *	enum logs_icid_action {
 *		LOGS_ICID_ACCEPT, LOGS_ICID_REJECT, LOGS_ICID_TCPREFUSE,
 *		LOGS_ICID_RELAY
 *	};
 *
 *	enum logs_line_level logs_icid_new(struct buf *bp,
 *		    unsigned long icid, const char *ifname, const char *ifip,
 *		    const char *addr, const char *ptr, int verified);
 *	enum logs_line_level logs_icid_hat(struct buf *bp,
 *		    unsigned long icid, enum logs_icid_action action,
 *		    const char *group, const char *match,
 *		    const struct logs_line_sbrs *sbrs, const char *country);
 *	enum logs_line_level logs_icid_tls_success(struct buf *bp,
 *		    const struct logs_line_style *style, unsigned long icid,
 *		    const char *protocol, const char *cipher);
 *	enum logs_line_level logs_icid_tls_failed(struct buf *bp,
 *		    const struct logs_line_style *style, unsigned long icid,
 *		    const char *reason);
 *	enum logs_line_level logs_icid_tls_required(struct buf *bp,
 *		    unsigned long icid);
 *	enum logs_line_level logs_icid_receiving_failed(struct buf *bp,
 *		    unsigned long icid, const char *reason);
 *	enum logs_line_level logs_icid_conn_limit(struct buf *bp,
 *		    const char *addr, const char *listener,
 *		    unsigned long icid, unsigned long max);
 *	enum logs_line_level logs_icid_timeout(struct buf *bp,
 *		    unsigned long icid, const char *addr);
 *	enum logs_line_level logs_icid_lost(struct buf *bp,
 *		    unsigned long icid);
 *	enum logs_line_level logs_icid_close(struct buf *bp,
 *		    unsigned long icid);
 *	enum logs_line_level logs_icid_auth(struct buf *bp,
 *		    unsigned long icid, int succeeded, const char *user,
 *		    const char *mechanism, const char *profile);
 *	enum logs_line_level logs_icid_auth_required(struct buf *bp,
 *		    unsigned long icid);
 * DESCRIPTION
 *	One function per line type written about an inbound SMTP
 *	connection; see logs_line(3) for the calling convention (append
 *	the message part to bp, return the level). The forms, with the
 *	documented example each reproduces in the unit test:
 *
 *	logs_icid_new(): "New SMTP ICID <icid> interface <ifname>
 *	(<ifip>) address <addr> reverse dns host <ptr> verified yes|no";
 *	a null ptr prints "unknown". ifname may contain spaces ("Data 1").
 *
 *	logs_icid_hat(): "ICID <icid> ACCEPT|REJECT|TCPREFUSE|RELAY SG
 *	<group> match <match> SBRS <sbrs>[ country <country>]"; a null
 *	group prints "None"; a null match prints "match SBRS", as the
 *	2005 guide shows a HAT decision without a rule, and an empty
 *	match the double space ("match  SBRS") of old appliance logs; a
 *	null country leaves the part out. TCPREFUSE is
 *	written with ICID 0 whatever icid is, as AsyncOS allocates no
 *	connection id for a refused connection.
 *
 *	logs_icid_tls_success(): "ICID <icid> TLS success protocol <p>
 *	cipher <c>"; "ICID <icid> TLS success" in the asyncos4 dialect
 *	(where protocol and cipher may be null).
 *
 *	logs_icid_tls_failed(): "ICID <icid> TLS failed: <reason>";
 *	"ICID <icid> TLS failed" in the asyncos4 dialect or when reason
 *	is null. reason is an OpenSSL tuple (logs_repr_ssl_error()) or
 *	a socket error ("[Errno 104] Connection reset by peer").
 *
 *	logs_icid_tls_required(): "ICID <icid> TLS was required but remote
 *	host did not initiate it".
 *
 *	logs_icid_receiving_failed(): "ICID <icid> Receiving Failed:
 *	<reason>" (reasons seen: "Message loop", "Message size exceeds
 *	limit", "Connection limit exceeded", "Too Many Recipients").
 *
 *	logs_icid_conn_limit(): "System limit reached: connection limit
 *	for IP <addr> on listener <listener> ICID <icid>: max: <max>", at
 *	level Warning.
 *
 *	logs_icid_timeout(): "ICID <icid> disconnected address <addr>, no
 *	messages injected within timeout period".
 *
 *	logs_icid_lost(), logs_icid_close(): "ICID <icid> lost" (the peer
 *	went away without QUIT; always followed by close), "ICID <icid>
 *	close".
 *
 *	logs_icid_auth(): "SMTP Auth (ICID <icid>) succeeded|failed for
 *	user: <user> using AUTH mechanism: <mechanism> with profile:
 *	<profile>". logs_icid_auth_required(): "SMTP Auth (ICID <icid>)
 *	was required but remote host did not initiate it".
 *
 *	Null string arguments other than those named above are our bug
 *	and panic.
 */
#ifndef LOGS_ICID_H
#define LOGS_ICID_H

#include "buf.h"
#include "logs_line.h"

enum logs_icid_action {
	LOGS_ICID_ACCEPT,
	LOGS_ICID_REJECT,
	LOGS_ICID_TCPREFUSE,
	LOGS_ICID_RELAY,
};

enum logs_line_level logs_icid_new(struct buf *, unsigned long, const char *,
	    const char *, const char *, const char *, int);
enum logs_line_level logs_icid_hat(struct buf *, unsigned long,
	    enum logs_icid_action, const char *, const char *,
	    const struct logs_line_sbrs *, const char *);
enum logs_line_level logs_icid_tls_success(struct buf *,
	    const struct logs_line_style *, unsigned long, const char *,
	    const char *);
enum logs_line_level logs_icid_tls_failed(struct buf *,
	    const struct logs_line_style *, unsigned long, const char *);
enum logs_line_level logs_icid_tls_required(struct buf *, unsigned long);
enum logs_line_level logs_icid_receiving_failed(struct buf *, unsigned long,
	    const char *);
enum logs_line_level logs_icid_conn_limit(struct buf *, const char *,
	    const char *, unsigned long, unsigned long);
enum logs_line_level logs_icid_timeout(struct buf *, unsigned long,
	    const char *);
enum logs_line_level logs_icid_lost(struct buf *, unsigned long);
enum logs_line_level logs_icid_close(struct buf *, unsigned long);
enum logs_line_level logs_icid_auth(struct buf *, unsigned long, int,
	    const char *, const char *, const char *);
enum logs_line_level logs_icid_auth_required(struct buf *, unsigned long);

#endif
