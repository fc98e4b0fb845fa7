/*
 * NAME
 *	delivery - the delivery process: jobs from the queue manager, out
 *	over SMTP
 * SYNOPSIS
 *	#include "delivery.h"
 *
 *	int	delivery_main(const struct mta_args *args, struct conf *cf);
 * DESCRIPTION
 *	A delivery process ("mtad -X delivery") takes jobs from the queue
 *	manager on its channel (MTA_T_DELIVER, see mta_proto.h): the
 *	recipients of one message at one destination domain, with a
 *	read-only descriptor of the content. For each job it runs, on its
 *	event loop and concurrently with the others, what a delivery
 *	attempt is (deliver_attempt(3)): the Destination Controls entry of
 *	the domain, the next hops (SMTP route or MX), and the SMTP session
 *	under the entry's TLS level, writing the DCID lines of the mail
 *	log. It answers MTA_T_DELIVERED with one result per recipient, and
 *	marks the answer when TLS was required and could not be had, so
 *	that the queue manager can send the alert.
 *
 *	Connections are reused: when a session ends healthy it is kept,
 *	idle, for a few seconds (deliver_cache(3)), and the next job for
 *	the same domain and TLS level goes over it, up to the Destination
 *	Controls' messages per connection.
 *
 *	The configuration (Destination Controls, SMTP routes, outbound
 *	TLS, timeouts) is the one the process started with: on a reload
 *	the master starts new delivery processes and stops the old ones.
 *	On SIGTERM the process refuses new jobs (answered "not attempted",
 *	which the queue manager retries elsewhere without counting an
 *	attempt), lets the jobs in hand finish for at most
 *	DELIVERY_DRAIN seconds, and exits. When the queue manager goes
 *	away it exits at once; the master starts a new one.
 * SECURITY
 *	Runs as the unprivileged mail user (private keys of the outbound
 *	certificate are read before privileges are dropped). Everything a
 *	remote server says is untrusted (see deliver_smtp(3)); messages
 *	from the queue manager are checked, and a malformed one ends the
 *	process.
 */
#ifndef DELIVERY_H
#define DELIVERY_H

#include "conf.h"

#include "mta_args.h"

#define DELIVERY_DRAIN	30		/* seconds to finish on SIGTERM */

int	delivery_main(const struct mta_args *, struct conf *);

#endif
