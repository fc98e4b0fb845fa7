/*
 * NAME
 *	deliver_attempt - one delivery attempt of a job: policy, next hops,
 *	SMTP
 * SYNOPSIS
 *	#include "deliver_attempt.h"
 *
 *	void	deliver_attempt_opts_init(struct deliver_attempt_opts *o);
 *	struct deliver_attempt *deliver_attempt_start(
 *		    const struct deliver_attempt_opts *o, const char *domain,
 *		    struct deliver_msg *msg, deliver_attempt_fn done,
 *		    void *ctx);
 * DESCRIPTION
 *	deliver_attempt_start() does, for the recipients of msg at one
 *	destination domain, what a delivery worker does with a job:
 *	.IP \(bu
 *	the Destination Controls entry of the domain gives the TLS level
 *	(policy_destctl_lookup(3); no table: TLS none). A broken entry
 *	(POLICY_ERROR) defers every recipient (4.3.5) without a
 *	connection: a configuration error never weakens TLS;
 *	.IP \(bu
 *	deliver_mx(3) finds the hosts (route, MX, literal); not found
 *	bounces, a temporary failure defers, /dev/null delivers
 *	(deliver_mx_fail(3));
 *	.IP \(bu
 *	deliver_smtp(3) tries the hosts in order and delivers.
 *	.PP
 *	done(msg, ctx) is called once, from the loop, when every recipient
 *	has a result (see deliver_smtp(3) for the results and the log).
 *	The attempt frees itself after done() returns.
 *
 *	With o->cache (deliver_cache(3)), connections are reused: the
 *	attempt first takes a parked session for the domain and its TLS
 *	level and sends over it (deliver_smtp_next(3)); otherwise it opens
 *	one, and when the session ends healthy and has carried fewer than
 *	the entry's messages per connection, parks it for the next
 *	attempt. Without a Destination Controls table the limit is
 *	DELIVER_ATTEMPT_MAX_USES.
 *
 *	o->smtp holds the SMTP options (HELO name, client SSL_CTX, source
 *	address, mail log, DCID source, timeouts, certificate flags); its
 *	tls, domain and keep fields are set per attempt. o, and what it
 *	points to, must stay valid until done() has run.
 */
#ifndef DELIVER_ATTEMPT_H
#define DELIVER_ATTEMPT_H

#include <uv.h>

#include "dns.h"
#include "policy_destctl.h"
#include "policy_route.h"
#include "deliver_mx.h"
#include "deliver_smtp.h"

struct deliver_attempt_opts {
	uv_loop_t *loop;
	struct dns *dns;
	const struct policy_destctl *destctl;	/* NULL: TLS none */
	const struct policy_route *routes;	/* NULL: MX records only */
	struct deliver_cache *cache;	/* NULL: one connection per attempt */
	int	family;			/* AF_UNSPEC, AF_INET, AF_INET6 */
	unsigned port;			/* 0: 25 */
	struct deliver_smtp_opts smtp;
};

#define DELIVER_ATTEMPT_MAX_USES	50	/* messages per connection */

struct deliver_cache;
struct deliver_attempt;

typedef void (*deliver_attempt_fn)(struct deliver_msg *, void *);

void	deliver_attempt_opts_init(struct deliver_attempt_opts *);
struct deliver_attempt *deliver_attempt_start(
	    const struct deliver_attempt_opts *, const char *,
	    struct deliver_msg *, deliver_attempt_fn, void *);

#endif
