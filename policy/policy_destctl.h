/*
 * NAME
 *	policy_destctl - Destination Controls: per-domain delivery settings
 * SYNOPSIS
 *	#include "policy_destctl.h"
 *
 *	struct policy_destctl_entry {
 *		enum policy_tls_level tls;
 *		long	concurrency;		1..1000
 *		long	max_msgs_per_conn;	1..1000
 *		long	rcpt_limit;		0..1000000000, -1 no limit
 *		long	rcpt_minutes;		1..60
 *		const char *bounce_profile;
 *	};
 *
 *	void	policy_destctl_entry_init(struct policy_destctl_entry *ep);
 *
 *	struct policy_destctl *policy_destctl_new(void);
 *	struct policy_destctl *policy_destctl_free(struct policy_destctl *dc);
 *	int	policy_destctl_set_default(struct policy_destctl *dc,
 *			const struct policy_destctl_entry *ep,
 *			const struct policy_loc *loc, struct buf *err);
 *	int	policy_destctl_add(struct policy_destctl *dc,
 *			const char *destination,
 *			const struct policy_destctl_entry *ep,
 *			const struct policy_loc *loc, struct buf *err);
 *	void	policy_destctl_set_global(struct policy_destctl *dc,
 *			int alert_on_tls_failure, const char *certificate);
 *	int	policy_destctl_alert(const struct policy_destctl *dc);
 *	const char *policy_destctl_certificate(const struct policy_destctl *dc);
 *
 *	int	policy_destctl_lookup(const struct policy_destctl *dc,
 *			const char *domain, struct policy_destctl_entry *out,
 *			const char **matched);
 * DESCRIPTION
 *	Destination Controls say how mail leaves for a recipient domain:
 *	the TLS level, the concurrency and messages-per-connection limits,
 *	a recipient rate limit (rcpt_limit recipients per rcpt_minutes
 *	minutes) and the bounce profile. Entries are keyed by a domain
 *	("example.com"), a partial domain (".example.com": every domain
 *	below example.com, not example.com itself) or an address in
 *	brackets ("[192.0.2.1]", "[2001:db8::1]" or "[IPv6:2001:db8::1]",
 *	which match a recipient domain literal). The Default entry covers
 *	every other domain.
 *
 *	In an entry, POLICY_TLS_DEFAULT, POLICY_DEFAULT and a NULL bounce
 *	profile mean "use default": the value comes from the Default entry,
 *	then from the factory: TLS none, 500 connections, 50 messages per
 *	connection, no recipient limit (60 minutes), bounce profile
 *	"Default". policy_destctl_entry_init() makes every field default.
 *
 *	policy_destctl_add() and policy_destctl_set_default() copy the
 *	entry and return 0, or -1 after appending one line per problem to
 *	err (bad destination syntax, duplicate destination, a value out of
 *	range, rcpt_limit without rcpt_minutes). An entry refused by
 *	policy_destctl_add() for a bad value is still remembered as broken:
 *	a lookup that would have used it returns POLICY_ERROR, so that a
 *	caller that chooses to carry on after a configuration error defers
 *	mail for that destination instead of sending it under the
 *	(possibly weaker) Default entry. Likewise a Default entry refused
 *	by policy_destctl_set_default() makes every lookup fail.
 *
 *	policy_destctl_set_global() sets the global options: send an alert
 *	when a required TLS connection fails, and the name of the
 *	certificate for all outbound TLS (NULL: the system default). It
 *	copies the name.
 *
 *	policy_destctl_lookup() takes a recipient domain (any case, one
 *	trailing dot ignored, or a domain literal) and writes the resolved
 *	settings to out (no default left in it; bounce_profile points into
 *	the table). The most specific entry wins: the exact domain, then
 *	the partial domain with the longest suffix. It returns POLICY_FOUND
 *	(matched is the entry's key as configured), POLICY_NOTFOUND (the
 *	Default entry applied; matched is "Default") or POLICY_ERROR (the
 *	domain is not a valid domain or literal, or the entry is broken;
 *	out is then unspecified, and the caller must defer).
 */
#ifndef POLICY_DESTCTL_H
#define POLICY_DESTCTL_H

#include "buf.h"
#include "policy.h"
#include "policy_tls.h"

struct policy_destctl_entry {
	enum policy_tls_level tls;
	long	concurrency;
	long	max_msgs_per_conn;
	long	rcpt_limit;
	long	rcpt_minutes;
	const char *bounce_profile;
};

struct policy_destctl;

void	policy_destctl_entry_init(struct policy_destctl_entry *);

struct policy_destctl *policy_destctl_new(void);
struct policy_destctl *policy_destctl_free(struct policy_destctl *);
int	policy_destctl_set_default(struct policy_destctl *,
	    const struct policy_destctl_entry *, const struct policy_loc *,
	    struct buf *);
int	policy_destctl_add(struct policy_destctl *, const char *,
	    const struct policy_destctl_entry *, const struct policy_loc *,
	    struct buf *);
void	policy_destctl_set_global(struct policy_destctl *, int, const char *);
int	policy_destctl_alert(const struct policy_destctl *);
const char *policy_destctl_certificate(const struct policy_destctl *);
int	policy_destctl_lookup(const struct policy_destctl *, const char *,
	    struct policy_destctl_entry *, const char **);

#endif
