/*
 * NAME
 *	policy_hat - Host Access Table: sender groups to mail flow policy
 * SYNOPSIS
 *	#include "policy_hat.h"
 *
 *	enum policy_listener { POLICY_LISTENER_PUBLIC,
 *		POLICY_LISTENER_PRIVATE };
 *
 *	struct policy_hat_result {
 *		const char *group;		NULL: no group ("None")
 *		const char *match;		member text for the log
 *		const struct policy_flow *flow;	resolved policy
 *	};
 *
 *	struct policy_hat *policy_hat_new(void);
 *	struct policy_hat *policy_hat_predefined(enum policy_listener type);
 *	struct policy_hat *policy_hat_free(struct policy_hat *hat);
 *
 *	int	policy_hat_set_defaults(struct policy_hat *hat,
 *			const struct policy_flow *defaults,
 *			const struct policy_loc *loc, struct buf *err);
 *	int	policy_hat_add_policy(struct policy_hat *hat,
 *			const char *name, const struct policy_flow *flow,
 *			const struct policy_loc *loc, struct buf *err);
 *	int	policy_hat_add_group(struct policy_hat *hat,
 *			const char *group, const char *policy,
 *			const struct policy_loc *loc, struct buf *err);
 *	int	policy_hat_add_member(struct policy_hat *hat,
 *			const char *group, const char *member,
 *			const struct policy_loc *loc, struct buf *err);
 *	int	policy_hat_set_all(struct policy_hat *hat,
 *			const char *policy, const struct policy_loc *loc,
 *			struct buf *err);
 *	int	policy_hat_finish(struct policy_hat *hat, struct buf *err);
 *
 *	size_t	policy_hat_dnslists(const struct policy_hat *hat,
 *			const char *const **zones);
 *	int	policy_hat_uses_sbrs(const struct policy_hat *hat);
 *	int	policy_hat_match(const struct policy_hat *hat,
 *			const struct policy_peer *peer,
 *			struct policy_hat_result *result);
 *	const struct policy_flow *policy_hat_policy(
 *			const struct policy_hat *hat, const char *name);
 *	void	policy_hat_expand(struct buf *out, const char *text,
 *			const struct policy_hat_result *result,
 *			const struct policy_peer *peer);
 * DESCRIPTION
 *	A HAT belongs to one listener. It holds named mail flow policies,
 *	the listener's Default Policy Parameters, an ordered list of
 *	sender groups (each a name, a policy name and members, see
 *	policy_member(3)) and the policy of the implicit last row ALL.
 *
 *	Building: policy_hat_new() returns an empty HAT. The add and set
 *	functions copy what they are given (the caller keeps its strings)
 *	and return 0, or -1 after appending one line to err (located by
 *	loc, see policy_error(3)). Policy and group names are printable
 *	ASCII without spaces, unique, and compared exactly; "ALL" and
 *	"None" (any case) cannot name a group, since the log uses them for
 *	the last row. Groups keep the order in which they were added;
 *	a group may name a policy defined later. policy_hat_add_member()
 *	returns 1 when it added the member, 0 when the group already had
 *	an identical member (dropped, as AsyncOS does) and -1 on error.
 *	policy_hat_set_all() names the policy of the ALL row.
 *	policy_hat_finish() resolves every policy name (unknown name: an
 *	error that suggests the name differing only in case, if any),
 *	requires an ALL policy and resolves every policy against the
 *	defaults (policy_flow_resolve(3)); it returns 0 or -1 with one
 *	line per problem. After finish the HAT is read-only: add and set
 *	calls panic, and match may be called.
 *
 *	policy_hat_predefined() returns an unfinished HAT holding what
 *	AsyncOS installs for a listener of that type. Public: policies
 *	$BLOCKED (REJECT), $THROTTLED (ACCEPT, 10 msgs/conn, 20 rcpts/msg,
 *	1048576 bytes, 10 conns/IP, 20 rcpts/hour), $ACCEPTED (ACCEPT,
 *	1000, 1000, 104857600, 1000) and $TRUSTED (as $ACCEPTED, rcpts/hour
 *	unlimited); groups WHITELIST -> $TRUSTED (empty), BLACKLIST ->
 *	$BLOCKED (SBRS[-10.0:-3.0]), SUSPECTLIST -> $THROTTLED
 *	(SBRS[-3.0:-1.0]), UNKNOWNLIST -> $ACCEPTED (SBRS[-1.0:10.0]); ALL
 *	-> $ACCEPTED. Private: $RELAYED (RELAY, all else default) and
 *	$BLOCKED (REJECT); group RELAYLIST -> $RELAYED (empty, for the
 *	caller to fill); ALL -> $BLOCKED. The caller may add to it, then
 *	finishes it like any other.
 *
 *	Matching: policy_hat_match() reads the groups top to bottom; the
 *	first group with a matching member wins, and within it the first
 *	matching member names the match. When none does, the ALL row
 *	applies: group NULL (logged "SG None"), match "ALL". The result
 *	points into the HAT. It returns POLICY_FOUND, or POLICY_ERROR when
 *	a member could not be evaluated (a regex over its limits): the
 *	caller must then answer 421 rather than guess a group.
 *
 *	The caller looks up, before matching, the zones of
 *	policy_hat_dnslists() (distinct, in HAT order; the array belongs
 *	to the HAT) and the SenderBase score when policy_hat_uses_sbrs().
 *
 *	policy_hat_policy() finds a resolved policy by name (NULL when
 *	unknown), after finish.
 *
 *	policy_hat_expand() appends text to out with the HAT variables
 *	replaced, names case-insensitive: $Group and $HATGroup (the group
 *	name, "None" for the ALL row), $Hostname (the verified host name;
 *	"None" when the PTR lookup found no name; "Unknown" when it failed
 *	or its name did not verify), $RemoteIP (the peer's address). A
 *	variable name is the longest run of letters after "$"; unknown
 *	names are copied as written. Substituted bytes outside printable
 *	ASCII become "?", so an expansion can never break an SMTP reply.
 */
#ifndef POLICY_HAT_H
#define POLICY_HAT_H

#include <stddef.h>

#include "buf.h"
#include "policy.h"
#include "policy_flow.h"
#include "policy_member.h"

enum policy_listener {
	POLICY_LISTENER_PUBLIC,
	POLICY_LISTENER_PRIVATE,
};

struct policy_hat_result {
	const char *group;
	const char *match;
	const struct policy_flow *flow;
};

struct policy_hat;

struct policy_hat *policy_hat_new(void);
struct policy_hat *policy_hat_predefined(enum policy_listener);
struct policy_hat *policy_hat_free(struct policy_hat *);

int	policy_hat_set_defaults(struct policy_hat *, const struct policy_flow *,
	    const struct policy_loc *, struct buf *);
int	policy_hat_add_policy(struct policy_hat *, const char *,
	    const struct policy_flow *, const struct policy_loc *,
	    struct buf *);
int	policy_hat_add_group(struct policy_hat *, const char *, const char *,
	    const struct policy_loc *, struct buf *);
int	policy_hat_add_member(struct policy_hat *, const char *, const char *,
	    const struct policy_loc *, struct buf *);
int	policy_hat_set_all(struct policy_hat *, const char *,
	    const struct policy_loc *, struct buf *);
int	policy_hat_finish(struct policy_hat *, struct buf *);

size_t	policy_hat_dnslists(const struct policy_hat *, const char *const **);
int	policy_hat_uses_sbrs(const struct policy_hat *);
int	policy_hat_match(const struct policy_hat *, const struct policy_peer *,
	    struct policy_hat_result *);
const struct policy_flow *policy_hat_policy(const struct policy_hat *,
	    const char *);
void	policy_hat_expand(struct buf *, const char *,
	    const struct policy_hat_result *, const struct policy_peer *);

#endif
