/*
 * NAME
 *	policy_conf - policies from the configuration
 * SYNOPSIS
 *	#include "policy_conf.h"
 *
 *	struct policy_conf_sbrs {
 *		struct policy_member *network;
 *		int	tenths;
 *	};
 *
 *	struct policy_hat *policy_conf_hat(const struct conf_listener *cl,
 *		    struct buf *err);
 *	int	policy_conf_sbrs(const struct conf *cf,
 *		    struct policy_conf_sbrs **table, size_t *count,
 *		    struct buf *err);
 *	void	policy_conf_sbrs_free(struct policy_conf_sbrs *table, size_t count);
 *	int	policy_conf_sbrs_lookup(const struct policy_conf_sbrs *table,
 *		    size_t count, const struct policy_peer *peer,
 *		    int *tenths);
 *	struct policy_destctl *policy_conf_destctl(const struct conf *cf,
 *		    struct buf *err);
 *	struct policy_route *policy_conf_routes(const struct conf *cf,
 *		    struct buf *err);
 *	int	policy_conf_check(const struct conf *cf, struct buf *err);
 * DESCRIPTION
 *	The configuration loader checks the shape and the values of the
 *	file; what only policy/ can judge (sender group members, SenderBase
 *	networks, policy names) is compiled here, and its errors carry the
 *	file:line:column the loader recorded.
 *
 *	policy_conf_hat() compiles the sender groups and mail flow policies
 *	of a listener (as the configuration loader completed them, with
 *	the predefined AsyncOS ones where the file gave none) into a
 *	finished policy_hat. Every member string is compiled here; an error
 *	names file:line:column of the member. It returns NULL with one
 *	line per problem in err.
 *
 *	policy_conf_sbrs() compiles sbrs.table (addresses and CIDR
 *	blocks with a score). policy_conf_sbrs_lookup() finds the score of
 *	a peer's address: the first entry that matches, in file order; it
 *	returns 1 when found, 0 when not.
 *
 *	policy_conf_destctl() compiles destination_controls (the Default
 *	row, the domain rows, the global alert and certificate settings)
 *	and policy_conf_routes() compiles smtp_routes. Both return NULL
 *	with one line per problem in err (file:line:column of the domain
 *	or host that is wrong); the caller frees the result with
 *	policy_destctl_free() or policy_route_free().
 *
 *	policy_conf_check() compiles everything above for every listener
 *	and throws it away: it returns 0 when the configuration would load,
 *	or -1 with one line per problem in err. "mtad -n", the master's
 *	start and its reloads call it, so a bad member is refused before
 *	any process runs on it.
 */
#ifndef POLICY_CONF_H
#define POLICY_CONF_H

#include "buf.h"

#include "conf.h"

#include "policy_hat.h"
#include "policy_member.h"
#include "policy_destctl.h"
#include "policy_route.h"

struct policy_conf_sbrs {
	struct policy_member *network;
	int	tenths;
};

struct policy_hat *policy_conf_hat(const struct conf_listener *,
	    struct buf *);
int	policy_conf_sbrs(const struct conf *, struct policy_conf_sbrs **, size_t *,
	    struct buf *);
void	policy_conf_sbrs_free(struct policy_conf_sbrs *, size_t);
int	policy_conf_sbrs_lookup(const struct policy_conf_sbrs *, size_t,
	    const struct policy_peer *, int *);
struct policy_destctl *policy_conf_destctl(const struct conf *,
	    struct buf *);
struct policy_route *policy_conf_routes(const struct conf *, struct buf *);
int	policy_conf_check(const struct conf *, struct buf *);

#endif
