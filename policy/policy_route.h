/*
 * NAME
 *	policy_route - SMTP routes: recipient domain to next-hop hosts
 * SYNOPSIS
 *	#include "policy_route.h"
 *
 *	enum policy_route_kind { POLICY_ROUTE_HOSTS, POLICY_ROUTE_DEVNULL,
 *		POLICY_ROUTE_USEDNS };
 *
 *	struct policy_route_host {
 *		char   *host;		name, or address without brackets
 *		int	is_ip;		1: an address literal, no MX lookup
 *		unsigned port;		0: the standard port
 *		unsigned pri;		0..65535, lower is tried first
 *	};
 *
 *	struct policy_route_entry {
 *		char   *domain;		the key as configured
 *		enum policy_route_kind kind;
 *		struct policy_route_host *hosts;	sorted by pri
 *		size_t	host_count;
 *	};
 *
 *	struct policy_route *policy_route_new(void);
 *	struct policy_route *policy_route_free(struct policy_route *rt);
 *	int	policy_route_add(struct policy_route *rt, const char *domain,
 *			const struct policy_loc *loc, struct buf *err);
 *	int	policy_route_add_host(struct policy_route *rt,
 *			const char *domain, const char *host,
 *			const struct policy_loc *loc, struct buf *err);
 *	int	policy_route_add_hosts(struct policy_route *rt,
 *			const char *domain, const char *list,
 *			const struct policy_loc *loc, struct buf *err);
 *	int	policy_route_lookup(const struct policy_route *rt,
 *			const char *domain,
 *			const struct policy_route_entry **entry);
 * DESCRIPTION
 *	An SMTP route sends mail for a domain ("example.com"), for every
 *	domain below one (".example.com", not example.com itself) or for
 *	every domain (the default route "ALL") to the hosts it lists
 *	instead of the domain's MX hosts. A host is written
 *
 *		name | a.b.c.d | IPv6 | [IPv6]   then optionally
 *		:port (1..65535; an IPv6 address needs brackets for it)
 *		/pri=N (0..65535, default 0)
 *
 *	A name is looked up like an MX target (MX, then A/AAAA); an
 *	address is used as is. Two special destinations stand alone in a
 *	route: "/dev/null" (drop the mail) and "USEDNS" (use the MX
 *	records after all, to exempt a domain from a broader route).
 *
 *	policy_route_add() creates the route for domain (error when it
 *	exists or is not a domain, ".domain" or "ALL").
 *	policy_route_add_host() parses one destination and adds it to the
 *	route of domain (which must exist); policy_route_add_hosts() does
 *	so for a comma-separated list, as AsyncOS prints routes, keeping
 *	the error columns right. They return 0, or -1 after appending one
 *	line to err: bad syntax, a port or priority out of range, a host
 *	named twice in a route, a special destination with others.
 *
 *	policy_route_lookup() finds the route for a recipient domain (any
 *	case, one trailing dot ignored): the exact domain, else the
 *	longest partial domain, else ALL. It returns POLICY_FOUND with
 *	*entry set (hosts in priority order, equal priorities in the order
 *	configured: the caller rotates among them), POLICY_NOTFOUND (use
 *	the MX records) or POLICY_ERROR (not a valid domain). A route
 *	without hosts is never returned: it is an error at lookup
 *	(POLICY_ERROR), so a half-built route defers mail. A USEDNS route is
 *	returned as found; the caller then does the MX lookup.
 *	Entries belong to the table.
 */
#ifndef POLICY_ROUTE_H
#define POLICY_ROUTE_H

#include <stddef.h>

#include "buf.h"
#include "policy.h"

enum policy_route_kind {
	POLICY_ROUTE_HOSTS,
	POLICY_ROUTE_DEVNULL,
	POLICY_ROUTE_USEDNS,
};

struct policy_route_host {
	char   *host;
	int	is_ip;
	unsigned port;
	unsigned pri;
};

struct policy_route_entry {
	char   *domain;
	enum policy_route_kind kind;
	struct policy_route_host *hosts;
	size_t	host_count;
};

struct policy_route;

struct policy_route *policy_route_new(void);
struct policy_route *policy_route_free(struct policy_route *);
int	policy_route_add(struct policy_route *, const char *,
	    const struct policy_loc *, struct buf *);
int	policy_route_add_host(struct policy_route *, const char *, const char *,
	    const struct policy_loc *, struct buf *);
int	policy_route_add_hosts(struct policy_route *, const char *,
	    const char *, const struct policy_loc *, struct buf *);
int	policy_route_lookup(const struct policy_route *, const char *,
	    const struct policy_route_entry **);

#endif
