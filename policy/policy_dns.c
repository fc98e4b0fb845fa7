/*
 * NAME
 *	policy_dns - DNS name syntax (internal)
 * DESCRIPTION
 *	See policy_dns.h.
 */
#include "config.h"

#include "str.h"
#include "policy_dns.h"

#define POLICY_DNS_MAX_NAME	253
#define POLICY_DNS_MAX_LABEL	63

/* policy_dns_ldh - letter, digit, hyphen or underscore */

static int
policy_dns_ldh(int ch)
{
	return ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
	    || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_');
}

/* policy_dns_check - syntax of a host or domain name */

int
policy_dns_check(struct str name, size_t *bad, const char **why)
{
	size_t	i, start = 0;

	if (name.len == 0) {
		*bad = 0;
		*why = "empty name";
		return (0);
	}
	for (i = 0; i <= name.len; i++) {
		int	ch = i < name.len ? (unsigned char) name.ptr[i] : '.';

		if (ch == '.') {
			if (i == start) {
				*bad = i;
				*why = "empty label";
				return (0);
			}
			if (i - start > POLICY_DNS_MAX_LABEL) {
				*bad = start;
				*why = "label longer than 63 bytes";
				return (0);
			}
			if (name.ptr[start] == '-') {
				*bad = start;
				*why = "label starts with '-'";
				return (0);
			}
			if (name.ptr[i - 1] == '-') {
				*bad = i - 1;
				*why = "label ends with '-'";
				return (0);
			}
			start = i + 1;
		} else if (!policy_dns_ldh(ch)) {
			*bad = i;
			*why = "invalid character in name";
			return (0);
		}
	}
	if (name.len > POLICY_DNS_MAX_NAME) {
		*bad = POLICY_DNS_MAX_NAME;
		*why = "name longer than 253 bytes";
		return (0);
	}
	return (1);
}

/* policy_dns_undot - drop one trailing dot */

struct str
policy_dns_undot(struct str name)
{
	if (name.len > 1 && name.ptr[name.len - 1] == '.')
		name.len--;
	return (name);
}
