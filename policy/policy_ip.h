/*
 * NAME
 *	policy_ip - IPv4 and IPv6 addresses as the policy engine sees them
 * SYNOPSIS
 *	#include "policy_ip.h"
 *
 *	struct policy_ip {
 *		int	family;			AF_INET or AF_INET6
 *		unsigned char addr[16];		network order; IPv4 in [0..3]
 *	};
 *
 *	int	policy_ip_parse(const char *text, struct policy_ip *ip);
 *	int	policy_ip_from_sockaddr(struct policy_ip *ip,
 *			const struct sockaddr *sa);
 *	void	policy_ip_format(const struct policy_ip *ip, struct buf *out);
 *	void	policy_ip_unmap(struct policy_ip *ip);
 * DESCRIPTION
 *	One address, whatever its family. An IPv4-mapped IPv6 address
 *	(::ffff:a.b.c.d, what a dual-stack socket reports for an IPv4
 *	peer) is always stored as the IPv4 address, so that IPv4 members
 *	and entries match it.
 *
 *	policy_ip_parse() accepts a plain IPv4 (dotted quad) or IPv6
 *	address and returns 1, or 0 when the text is not one.
 *	policy_ip_from_sockaddr() converts an AF_INET or AF_INET6 socket
 *	address and returns 1, or 0 for other families.
 *	policy_ip_format() appends the address in its usual text form
 *	(lower-case, "::" compressed); the family must be AF_INET or
 *	AF_INET6. policy_ip_unmap() turns an IPv4-mapped IPv6 address into
 *	the IPv4 address and leaves any other alone.
 */
#ifndef POLICY_IP_H
#define POLICY_IP_H

#include <sys/socket.h>

#include "buf.h"

struct policy_ip {
	int	family;
	unsigned char addr[16];
};

int	policy_ip_parse(const char *, struct policy_ip *);
int	policy_ip_from_sockaddr(struct policy_ip *, const struct sockaddr *);
void	policy_ip_format(const struct policy_ip *, struct buf *);
void	policy_ip_unmap(struct policy_ip *);

#endif
