/*
 * NAME
 *	policy_member - sender group members: parse, compile, match
 * SYNOPSIS
 *	#include "policy_member.h"
 *
 *	(struct policy_peer and struct policy_ip: see policy_peer(3),
 *	policy_ip(3); this header includes them.)
 *
 *	struct policy_member *policy_member_parse(const char *text,
 *			const struct policy_loc *loc, struct buf *err);
 *	struct policy_member *policy_member_free(struct policy_member *mp);
 *	int	policy_member_match(const struct policy_member *mp,
 *			const struct policy_peer *peer);
 *	const char *policy_member_text(const struct policy_member *mp);
 *	const char *policy_member_dnslist(const struct policy_member *mp);
 *	int	policy_member_same(const struct policy_member *a,
 *			const struct policy_member *b);
 *	int	policy_member_uses_sbrs(const struct policy_member *mp);
 *	void	policy_member_key(const struct policy_member *mp,
 *			struct buf *key);
 * DESCRIPTION
 *	A sender group member is one condition on a connecting peer. The
 *	accepted forms (AsyncOS syntax, plus ours at the end):
 *
 *	10.1.2.3		one IPv4 address
 *	10.1.2. 10.1.2 10.1. 10.1 10. 10
 *				IPv4 prefix: the octets given, any rest
 *	10.1.2.3-9 10.1.2-5. 10.1.2-5 10.1-3. 10.1-3 10-11. 10-11
 *				IPv4 range in the last octet given
 *	10/8 10.1/16 10.1.2/24 10.1.2.0/24
 *				IPv4 CIDR; missing octets are 0; host bits
 *				must be zero
 *	2001:db8::1		one IPv6 address
 *	2001:db8::1-2001:db8::ff, 2001:db8::1-ff, 2001:db8:0-1::5
 *				IPv6 range: two addresses, or one group
 *				written x-y (the rest of the address as
 *				given, both ends inclusive)
 *	2001:db8::/32		IPv6 CIDR; host bits must be zero
 *	mail.example.com	verified host name, exactly (any case)
 *	.example.com		verified host names ending in .example.com
 *				(not example.com itself)
 *	SBRS[-10:-3.5] SBRS[none]
 *				SenderBase score range (inclusive, -10.0 to
 *				10.0, at most one decimal), or "no score"
 *	dnslist[zen.example.org]
 *				the IP is listed in that DNS list zone
 *	ALL			every peer
 *	/^mx[0-9]+\.example\.com$/
 *				PCRE2 pattern over the verified host name,
 *				caseless (DNS names are)
 *	ptr:none ptr:tempfail ptr:mismatch
 *				Connecting Host DNS Verification: the PTR
 *				record does not exist, its lookup failed
 *				temporarily, or the forward lookup of the
 *				PTR name does not give the peer's address
 *
 *	Keywords (ALL, SBRS, none, dnslist, ptr) are case-insensitive.
 *	Blanks around a member are ignored; inside one, spaces, control
 *	characters and non-ASCII bytes are errors. IPv4-mapped IPv6 peers
 *	(::ffff:a.b.c.d) are matched as IPv4, and so is a member range
 *	wholly inside ::ffff:0:0/96. A pattern is compiled once (JIT when
 *	PCRE2 has it) and each match is bounded (100000 match steps, depth
 *	10000, 1 MiB of heap).
 *
 *	Host name members match only a verified host name (the caller did
 *	PTR then forward lookup and saw the peer's address). SBRS members
 *	never match when the peer's sbrs_state is POLICY_SBRS_OFF (SBRS
 *	not enabled); SBRS[none] matches POLICY_SBRS_NONE (no score, which
 *	includes private addresses and a failed query).
 *
 *	policy_member_parse() returns a compiled member, or NULL after
 *	appending one line to err (see policy_error(3)), whose column
 *	points at the offending character when loc gives the column of
 *	the member's first character. The caller frees the member with
 *	policy_member_free().
 *
 *	policy_member_match() returns 1 (match), 0 (no match) or
 *	POLICY_ERROR (a pattern exceeded its match limits; the caller
 *	should fail the connection temporarily, never skip the group).
 *
 *	policy_member_text() is the member as the mail log prints it after
 *	"match": IP and host forms as written, "ALL", "sbrs[-1.4:2.0]"
 *	(lower case, one decimal), "sbrs[none]", "dnslist[zone]",
 *	"ptr:none". It lives as long as the member.
 *
 *	policy_member_dnslist() is the zone of a dnslist member, else NULL.
 *	policy_member_same() says whether two members match the same peers
 *	by construction (same kind and same compiled value), which is how
 *	a group drops duplicates. policy_member_key() appends a text key
 *	(letters folded to lower case are insignificant in it) that is
 *	equal for two members exactly when policy_member_same() holds, so
 *	that duplicates can be found by hashing. policy_member_uses_sbrs()
 *	says whether the member needs the peer's SenderBase score.

 */
#ifndef POLICY_MEMBER_H
#define POLICY_MEMBER_H

#include "buf.h"
#include "policy.h"
#include "policy_ip.h"
#include "policy_peer.h"

struct policy_member;

struct policy_member *policy_member_parse(const char *,
	    const struct policy_loc *, struct buf *);
struct policy_member *policy_member_free(struct policy_member *);
int	policy_member_match(const struct policy_member *,
	    const struct policy_peer *);
const char *policy_member_text(const struct policy_member *);
const char *policy_member_dnslist(const struct policy_member *);
int	policy_member_same(const struct policy_member *,
	    const struct policy_member *);
int	policy_member_uses_sbrs(const struct policy_member *);
void	policy_member_key(const struct policy_member *, struct buf *);

#endif
