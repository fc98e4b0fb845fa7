/*
 * NAME
 *	policy_ip - IPv4 and IPv6 addresses as the policy engine sees them
 * DESCRIPTION
 *	See policy_ip.h.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "buf.h"
#include "msg.h"
#include "policy_ip.h"

/* policy_ip_unmap - make ::ffff:a.b.c.d an IPv4 address */

void
policy_ip_unmap(struct policy_ip *ip)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};

	if (ip->family == AF_INET6 && memcmp(ip->addr, mapped, 12) == 0) {
		memmove(ip->addr, ip->addr + 12, 4);
		memset(ip->addr + 4, 0, 12);
		ip->family = AF_INET;
	}
}

/* policy_ip_parse - one IPv4 or IPv6 address */

int
policy_ip_parse(const char *text, struct policy_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (strchr(text, ':') != NULL) {
		if (inet_pton(AF_INET6, text, ip->addr) != 1)
			return (0);
		ip->family = AF_INET6;
		policy_ip_unmap(ip);
		return (1);
	}
	if (inet_pton(AF_INET, text, ip->addr) != 1)
		return (0);
	ip->family = AF_INET;
	return (1);
}

/* policy_ip_from_sockaddr - convert a socket address */

int
policy_ip_from_sockaddr(struct policy_ip *ip, const struct sockaddr *sa)
{
	const struct sockaddr_in6 *sin6;

	memset(ip, 0, sizeof(*ip));
	switch (sa->sa_family) {
	case AF_INET:
		ip->family = AF_INET;
		memcpy(ip->addr,
		    &((const struct sockaddr_in *) (const void *) sa)->sin_addr,
		    4);
		return (1);
	case AF_INET6:
		ip->family = AF_INET6;
		sin6 = (const struct sockaddr_in6 *) (const void *) sa;
		memcpy(ip->addr, &sin6->sin6_addr, 16);
		policy_ip_unmap(ip);
		return (1);
	default:
		return (0);
	}
}

/* policy_ip_format - append the text form of an address */

void
policy_ip_format(const struct policy_ip *ip, struct buf *out)
{
	char	tmp[INET6_ADDRSTRLEN];

	if (ip->family != AF_INET && ip->family != AF_INET6)
		msg_panic("policy_ip_format: bad family %d", ip->family);
	if (inet_ntop(ip->family, ip->addr, tmp, sizeof(tmp)) == NULL)
		msg_panic("policy_ip_format: inet_ntop failed");
	buf_puts(out, tmp);
}

