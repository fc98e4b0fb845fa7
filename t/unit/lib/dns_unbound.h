/*
 * NAME
 *	dns_unbound - run a private unbound(8) on loopback for tests
 * SYNOPSIS
 *	#include "dns_unbound.h"
 *
 *	struct dns_unbound *dns_unbound_start(const char *conf,
 *		    struct buf *why);
 *	void	dns_unbound_stop(struct dns_unbound *ub);
 *	int	dns_unbound_free_port(void);
 * DESCRIPTION
 *	dns_unbound_start() writes an unbound configuration into a fresh
 *	temporary directory and starts unbound in the foreground on
 *	127.0.0.1 and a port it picks (a port free for both UDP and TCP;
 *	it retries with another one when unbound cannot bind). It returns
 *	once unbound answers a query, so the test never races its start.
 *	conf is appended to the "server:" clause after the base options
 *	(local-zone and local-data lines, say) and may go on with further
 *	clauses (stub-zone:, forward-zone:). The base configuration refuses
 *	every name that conf does not serve (local-zone "." refuse), so a
 *	test never reaches past loopback.
 *
 *	The unbound binary is $UNBOUND, or /usr/sbin/unbound. On Linux it
 *	is killed if the test process dies first.
 *
 *	On failure dns_unbound_start() returns NULL and appends to why
 *	what went wrong, with the tail of unbound's own log.
 *
 *	ub->port is the port, ub->server "127.0.0.1:PORT" for dns_new(),
 *	ub->dir the temporary directory (ub->log_path is unbound's log).
 *	dns_unbound_stop() stops unbound, removes the directory and frees
 *	ub.
 *
 *	dns_unbound_free_port() returns a loopback port that was free for
 *	both UDP and TCP a moment ago (nothing listens there), or -1.
 */
#ifndef DNS_UNBOUND_H
#define DNS_UNBOUND_H

#include <sys/types.h>

#include "buf.h"

struct dns_unbound {
	pid_t	pid;
	int	port;
	char	server[32];
	char   *dir;
	char   *conf_path;
	char   *log_path;
};

struct dns_unbound *dns_unbound_start(const char *, struct buf *);
void	dns_unbound_stop(struct dns_unbound *);
int	dns_unbound_free_port(void);

#endif
