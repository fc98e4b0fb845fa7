/*
 * NAME
 *	policy_dns - DNS name syntax (internal)
 * SYNOPSIS
 *	#include "policy_dns.h"
 *
 *	int	policy_dns_check(struct str name, size_t *bad,
 *			const char **why);
 *	struct str policy_dns_undot(struct str name);
 * DESCRIPTION
 *	policy_dns_check() accepts a host or domain name: dot-separated
 *	labels of 1 to 63 letters, digits, "-" or "_" (underscores occur
 *	in real host names), no label starting or ending with "-", at most
 *	253 bytes. It returns 1, or 0 with *bad set to the offset of the
 *	offending byte and *why to a short reason.
 *
 *	policy_dns_undot() drops one trailing dot (the root), so that
 *	"example.com." and "example.com" compare equal.
 */
#ifndef POLICY_DNS_H
#define POLICY_DNS_H

#include <stddef.h>

#include "str.h"

int	policy_dns_check(struct str, size_t *, const char **);
struct str policy_dns_undot(struct str);

#endif
