/*
 * NAME
 *	policy - shared types of the policy engine
 * SYNOPSIS
 *	#include "policy.h"
 *
 *	struct policy_loc {
 *		const char *file;
 *		int	line;
 *		int	column;
 *	};
 *
 *	#define POLICY_FOUND	1
 *	#define POLICY_NOTFOUND	0
 *	#define POLICY_ERROR	(-1)
 *
 *	#define POLICY_DEFAULT	LONG_MIN
 *
 *	void	policy_error(struct buf *err, const struct policy_loc *loc,
 *			int offset, const char *fmt, ...);
 * DESCRIPTION
 *	policy/ makes decisions and nothing else: it reads no file, opens
 *	no socket and asks no DNS server. Callers hand it facts (a peer's
 *	address, its verified host name, the DNS lists it is listed in, a
 *	recipient domain) and get back a decision.
 *
 *	A policy_loc names where a configuration value came from: file,
 *	line and column of its first character (1-based; column 0 means
 *	unknown). Builders that parse a value take a loc so that their
 *	errors point at the offending character, not just the value.
 *
 *	Lookups return POLICY_FOUND, POLICY_NOTFOUND or POLICY_ERROR. An
 *	error is temporary: the caller answers 4xx or defers, and never
 *	falls back to something weaker (no TLS downgrade).
 *
 *	POLICY_DEFAULT in a numeric field means "use default": the value
 *	is inherited from the next level (listener defaults, then the
 *	factory value).
 *
 *	policy_error() appends one diagnostic line to err, after a newline
 *	when err already holds text (so a builder may report several
 *	problems at once), without a newline at its end: "file:line:column:
 *	text", where column is loc->column + offset, so that offset may
 *	point into the value. Without a loc (NULL, or a NULL file) only the
 *	text is written; with column 0, "file:line: text". err may be NULL
 *	(nothing is written).
 */
#ifndef POLICY_H
#define POLICY_H

#include <limits.h>

#include "buf.h"
#include "msg.h"

struct policy_loc {
	const char *file;
	int	line;
	int	column;
};

#define POLICY_FOUND	1
#define POLICY_NOTFOUND	0
#define POLICY_ERROR	(-1)

#define POLICY_DEFAULT	LONG_MIN

void	policy_error(struct buf *, const struct policy_loc *, int,
	    const char *, ...) MSG_PRINTFLIKE(4, 5);

#endif
