/*
 * NAME
 *	deliver_mx - the ordered next-hop hosts for a recipient domain
 * SYNOPSIS
 *	#include "deliver_mx.h"
 *
 *	struct deliver_mx_opts {
 *		uv_loop_t *loop;
 *		struct dns *dns;
 *		const struct policy_route *routes;
 *		int	family;
 *		unsigned port;
 *		struct logs_maillog *log;
 *	};
 *
 *	struct deliver_mx *deliver_mx_lookup(const struct deliver_mx_opts *o,
 *		    const char *domain, deliver_mx_fn cb, void *ctx);
 *	void	deliver_mx_cancel(struct deliver_mx *mx);
 *	const char *deliver_mx_status_name(enum deliver_mx_status status);
 * DESCRIPTION
 *	deliver_mx_lookup() finds where mail for a recipient domain goes
 *	and calls cb(result, ctx) once, from the loop (never from inside
 *	the call). The sources, in order:
 *	.IP \(bu
 *	a domain literal ("[192.0.2.1]", "[IPv6:2001:db8::1]"): that
 *	address, no lookup;
 *	.IP \(bu
 *	the SMTP route table (policy_route(3)), when o->routes is set and
 *	has a route for the domain: its hosts in priority order; an
 *	address is used as is, a name is looked up like an MX target (its
 *	MX records, else its own addresses); a route's port overrides
 *	o->port. A /dev/null route gives DELIVER_MX_DEVNULL; USEDNS falls
 *	through to the MX records. When every route host fails, there is
 *	no fall-back to the MX records (AsyncOS);
 *	.IP \(bu
 *	the MX records of the domain (dns(3): preference order, equal
 *	preferences shuffled, the implicit MX when there is none), each
 *	exchanger's addresses in the order DNS gave them.
 *	.PP
 *	result->hosts is the list to try, in order, one entry per address
 *	(a host with two addresses is two entries, same name). It and
 *	everything it points to are valid only during the callback.
 *
 *	result->status keeps "not found" apart from "try later":
 *	DELIVER_MX_FOUND	hosts to try (nhosts > 0).
 *	DELIVER_MX_NOTFOUND	permanent: NXDOMAIN, null MX, no address
 *				for any exchanger (all not found): bounce.
 *	DELIVER_MX_TEMPFAIL	temporary DNS failure, or a broken route
 *				(POLICY_ERROR): defer.
 *	DELIVER_MX_DEVNULL	the route drops the mail.
 *	DELIVER_MX_CANCELLED	deliver_mx_cancel() or dns_cancel_all().
 *	For NOTFOUND and TEMPFAIL, result->text is the reason for the
 *	recipients ("DNS Hard Error looking up example.com (MX):  NXDomain",
 *	as AsyncOS words it, or "DNS Temporary Failure ...") and the mail
 *	log (o->log, when set) has got the line "DNS Error <name> <type> -
 *	<error>" or "DNS Temporary Failure <name> <type> - <error>".
 *	deliver_mx_fail(3) in deliver_smtp(3) turns such a result into
 *	per-recipient results.
 *
 *	deliver_mx_cancel() abandons a lookup before its callback: the
 *	callback will not run, and mx is invalid on return. NULL is
 *	allowed.
 */
#ifndef DELIVER_MX_H
#define DELIVER_MX_H

#include <stddef.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <uv.h>

#include "dns.h"
#include "logs_maillog.h"
#include "policy_route.h"

#define DELIVER_MX_PORT		25
#define DELIVER_MX_TEXT_MAX	512

enum deliver_mx_status {
	DELIVER_MX_FOUND,
	DELIVER_MX_NOTFOUND,		/* permanent: bounce */
	DELIVER_MX_TEMPFAIL,		/* temporary: defer */
	DELIVER_MX_DEVNULL,		/* the route drops the mail */
	DELIVER_MX_CANCELLED,
};

struct deliver_mx_host {
	const char *name;		/* MX or route host; the address
					 * text for a literal */
	unsigned pref;			/* MX preference or route priority */
	int	from_route;		/* 1: an SMTP route host */
	struct sockaddr_storage addr;	/* with the port set */
	socklen_t addrlen;
	char	addr_text[INET6_ADDRSTRLEN];
	unsigned port;
};

struct deliver_mx_result {
	enum deliver_mx_status status;
	const char *domain;		/* the recipient domain asked */
	const char *route;		/* route key that matched, or NULL */
	const struct deliver_mx_host *hosts;
	size_t	nhosts;
	const char *text;		/* reason when not found / temporary */
	const char *dsn;		/* for deliver_mx_fail(); NULL: 5.1.2
					 * not found, 4.4.3 temporary */
};

struct deliver_mx_opts {
	uv_loop_t *loop;		/* the loop of dns */
	struct dns *dns;		/* resolver on that loop */
	const struct policy_route *routes;	/* NULL: MX records only */
	int	family;			/* AF_UNSPEC, AF_INET, AF_INET6 */
	unsigned port;			/* 0: DELIVER_MX_PORT */
	struct logs_maillog *log;	/* NULL: no DNS lines */
};

typedef void (*deliver_mx_fn)(const struct deliver_mx_result *, void *);

struct deliver_mx;

struct deliver_mx *deliver_mx_lookup(const struct deliver_mx_opts *,
	    const char *, deliver_mx_fn, void *);
void	deliver_mx_cancel(struct deliver_mx *);
const char *deliver_mx_status_name(enum deliver_mx_status);

#endif
