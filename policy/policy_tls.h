/*
 * NAME
 *	policy_tls - outbound TLS decisions and certificate name matching
 * SYNOPSIS
 *	#include "policy_tls.h"
 *
 *	enum policy_tls_level { POLICY_TLS_DEFAULT, POLICY_TLS_NONE,
 *		POLICY_TLS_PREFERRED, POLICY_TLS_REQUIRED,
 *		POLICY_TLS_PREFERRED_VERIFY, POLICY_TLS_REQUIRED_VERIFY };
 *	enum policy_tls_event { POLICY_TLS_EV_NO_STARTTLS,
 *		POLICY_TLS_EV_STARTTLS_REFUSED, POLICY_TLS_EV_HANDSHAKE_FAILED,
 *		POLICY_TLS_EV_CERT_UNVERIFIED, POLICY_TLS_EV_CERT_VERIFIED };
 *	enum policy_tls_action { POLICY_TLS_CLEAR, POLICY_TLS_SECURE,
 *		POLICY_TLS_DEFER };
 *	enum policy_tls_reason { POLICY_TLS_R_NOT_WANTED,
 *		POLICY_TLS_R_NOT_OFFERED, POLICY_TLS_R_REFUSED,
 *		POLICY_TLS_R_HANDSHAKE, POLICY_TLS_R_UNVERIFIED,
 *		POLICY_TLS_R_NOT_CHECKED, POLICY_TLS_R_VERIFIED };
 *
 *	int	policy_tls_level_parse(const char *text,
 *			enum policy_tls_level *level);
 *	const char *policy_tls_level_name(enum policy_tls_level level);
 *	int	policy_tls_level_required(enum policy_tls_level level);
 *	int	policy_tls_level_verifies(enum policy_tls_level level);
 *	int	policy_tls_attempt(enum policy_tls_level level);
 *	enum policy_tls_action policy_tls_outcome(enum policy_tls_level level,
 *			enum policy_tls_event event,
 *			enum policy_tls_reason *reason);
 *	const char *policy_tls_reason_text(enum policy_tls_reason reason);
 *
 *	struct policy_tls_match {
 *		size_t	ref;		index of the reference identifier
 *		int	from_cn;	1: the CN matched, 0: a SAN DNS name
 *		size_t	san;		index of the SAN name (if !from_cn)
 *	};
 *	#define POLICY_TLS_CN_ALWAYS	1
 *
 *	int	policy_tls_name_match(struct str pattern, struct str ref);
 *	int	policy_tls_cert_match(const struct str *san, size_t nsan,
 *			const struct str *cn, const char *const *refs,
 *			size_t nrefs, int flags, struct policy_tls_match *m);
 * DESCRIPTION
 *	The outbound TLS level comes from Destination Controls. Before
 *	the connection, policy_tls_attempt() says whether to send STARTTLS
 *	when offered (every level but None). Then the delivery agent
 *	reports what happened as one event and policy_tls_outcome() says
 *	what to do:
 *
 *	event               None   Preferred Required Pref-Verify Req-Verify
 *	no STARTTLS         clear  clear     defer    clear       defer
 *	STARTTLS not 220    clear  clear     defer    clear       defer
 *	handshake failed    defer  defer     defer    defer       defer
 *	cert not verified   secure secure    secure   secure      defer
 *	cert verified       secure secure    secure   secure      secure
 *
 *	clear: go on without TLS on this connection. secure: deliver over
 *	the TLS session. defer: send nothing on this connection; the
 *	recipients are soft-failed and retried (never bounced at once).
 *	After a 220 to STARTTLS there is no clear-text fallback on the
 *	connection, whatever the level (AsyncOS documents this for
 *	Preferred). Under None the agent does not send STARTTLS, so only
 *	the first row can happen; the other cells give the Preferred
 *	answer. POLICY_TLS_DEFAULT is treated as None: resolve it (see
 *	policy_destctl(3)) before asking.
 *
 *	The reason says why, for the log: not wanted (level None), not
 *	offered ("STARTTLS command not supported"), refused (STARTTLS
 *	unexpected response), handshake failed, certificate not verified
 *	(a verify level), not checked (TLS up, the level does not verify)
 *	or verified. When the action is defer and policy_tls_level_required()
 *	holds, the log says "TLS was required but could not be successfully
 *	negotiated" and the global alert applies.
 *
 *	policy_tls_level_parse() accepts, case-insensitively, "default",
 *	"none" or "no", "preferred", "required", "preferred-verify" and
 *	"required-verify" (also with "_" or " - " for "-", as AsyncOS spells
 *	them); it returns 1, or 0 when unknown. policy_tls_level_name()
 *	returns the canonical lower-case spelling.
 *
 *	Certificate names: policy_tls_name_match() compares one DNS name
 *	from a certificate (pattern) with one reference identifier,
 *	ASCII case-insensitively, ignoring one trailing dot on either. A
 *	wildcard is honoured only as the whole leftmost label of a
 *	pattern with at least two more labels ("*.example.com"), and
 *	stands for exactly one non-empty label (RFC 2818 section 3.1, RFC
 *	6125 section 6.4.3): it matches "a.example.com", not
 *	"example.com" nor "a.b.example.com". Partial-label wildcards
 *	("f*.example.com", "*x.example.com"), "*" alone, "*.com" and a
 *	"*" in any other label never match (RFC 9525 forbids them; the
 *	strict reading is the safe one). A pattern or identifier with
 *	bytes other than letters, digits, "-", "_", "." and the wildcard
 *	(an embedded NUL, a space) never matches.
 *
 *	policy_tls_cert_match() implements the AsyncOS "Verify" name check:
 *	the reference identifiers (in the caller's order: the recipient
 *	domain, then the MX or SMTP-route host, then a verified PTR name)
 *	are tried in turn, each against the SAN DNS names and then the
 *	CN; the first identifier that matches wins (AsyncOS stops at the
 *	first match). cn may be NULL. By default the CN is consulted only
 *	when there are no SAN DNS names (RFC 6125); POLICY_TLS_CN_ALWAYS
 *	consults it as well (AsyncOS wording). It returns 1 and fills m,
 *	or 0 when nothing matches.
 */
#ifndef POLICY_TLS_H
#define POLICY_TLS_H

#include <stddef.h>

#include "str.h"

enum policy_tls_level {
	POLICY_TLS_DEFAULT,
	POLICY_TLS_NONE,
	POLICY_TLS_PREFERRED,
	POLICY_TLS_REQUIRED,
	POLICY_TLS_PREFERRED_VERIFY,
	POLICY_TLS_REQUIRED_VERIFY,
};

enum policy_tls_event {
	POLICY_TLS_EV_NO_STARTTLS,
	POLICY_TLS_EV_STARTTLS_REFUSED,
	POLICY_TLS_EV_HANDSHAKE_FAILED,
	POLICY_TLS_EV_CERT_UNVERIFIED,
	POLICY_TLS_EV_CERT_VERIFIED,
};

enum policy_tls_action {
	POLICY_TLS_CLEAR,
	POLICY_TLS_SECURE,
	POLICY_TLS_DEFER,
};

enum policy_tls_reason {
	POLICY_TLS_R_NOT_WANTED,
	POLICY_TLS_R_NOT_OFFERED,
	POLICY_TLS_R_REFUSED,
	POLICY_TLS_R_HANDSHAKE,
	POLICY_TLS_R_UNVERIFIED,
	POLICY_TLS_R_NOT_CHECKED,
	POLICY_TLS_R_VERIFIED,
};

struct policy_tls_match {
	size_t	ref;
	int	from_cn;
	size_t	san;
};

#define POLICY_TLS_CN_ALWAYS	1

int	policy_tls_level_parse(const char *, enum policy_tls_level *);
const char *policy_tls_level_name(enum policy_tls_level);
int	policy_tls_level_required(enum policy_tls_level);
int	policy_tls_level_verifies(enum policy_tls_level);
int	policy_tls_attempt(enum policy_tls_level);
enum policy_tls_action policy_tls_outcome(enum policy_tls_level,
	    enum policy_tls_event, enum policy_tls_reason *);
const char *policy_tls_reason_text(enum policy_tls_reason);

int	policy_tls_name_match(struct str, struct str);
int	policy_tls_cert_match(const struct str *, size_t, const struct str *,
	    const char *const *, size_t, int, struct policy_tls_match *);

#endif
