/*
 * NAME
 *	policy_route - SMTP routes: recipient domain to next-hop hosts
 * DESCRIPTION
 *	See policy_route.h. Routes live in a hash table keyed by the
 *	domain without its trailing dot (a partial domain keeps its
 *	leading dot); the default route ALL sits beside it. AsyncOS
 *	allows 40,000 routes, and a lookup costs one probe per label of
 *	the recipient domain whatever their number.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "policy.h"
#include "policy_dns.h"
#include "policy_member.h"
#include "policy_table.h"
#include "policy_route.h"

struct policy_route {
	struct policy_table *table;
	struct policy_route_entry *all;
};

/* policy_route_new - empty route table */

struct policy_route *
policy_route_new(void)
{
	struct policy_route *rt = mem_zalloc(1, sizeof(*rt));

	rt->table = policy_table_new();
	return (rt);
}

/* policy_route_entry_free - release one route */

static void
policy_route_entry_free(void *ptr)
{
	struct policy_route_entry *ep = ptr;
	size_t	i;

	if (ep == NULL)
		return;
	for (i = 0; i < ep->host_count; i++)
		mem_free(ep->hosts[i].host);
	mem_free(ep->hosts);
	mem_free(ep->domain);
	mem_free(ep);
}

/* policy_route_free - release the table */

struct policy_route *
policy_route_free(struct policy_route *rt)
{
	if (rt == NULL)
		return (NULL);
	policy_table_free(rt->table, policy_route_entry_free);
	policy_route_entry_free(rt->all);
	mem_free(rt);
	return (NULL);
}

/* policy_route_key - normalize "ALL", ".domain" or "domain" */

static int
policy_route_key(struct str domain, int partial_ok, struct buf *key,
    int *is_all, size_t *bad, const char **why)
{
	struct str name = domain;

	buf_reset(key);
	*is_all = 0;
	if (partial_ok && str_caseeq(domain, STR_LIT("ALL"))) {
		*is_all = 1;
		return (1);
	}
	if (partial_ok && name.len > 0 && name.ptr[0] == '.') {
		buf_putc(key, '.');
		name = str_make(name.ptr + 1, name.len - 1);
	}
	name = policy_dns_undot(name);
	if (!policy_dns_check(name, bad, why)) {
		*bad += key->len;
		return (0);
	}
	buf_append(key, name.ptr, name.len);
	return (1);
}

/* policy_route_find - the route configured for a key, or NULL */

static struct policy_route_entry *
policy_route_find(const struct policy_route *rt, const char *domain,
    struct buf *key)
{
	const char *why;
	size_t	bad;
	int	is_all;

	if (!policy_route_key(str_from(domain), 1, key, &is_all, &bad, &why))
		return (NULL);
	if (is_all)
		return (rt->all);
	return (policy_table_find(rt->table, str_make(key->data, key->len)));
}

/* policy_route_add - create the route for a domain */

int
policy_route_add(struct policy_route *rt, const char *domain,
    const struct policy_loc *loc, struct buf *err)
{
	struct policy_route_entry *ep;
	struct buf *key = buf_new(64);
	const char *why;
	size_t	bad;
	int	is_all;

	if (!policy_route_key(str_from(domain), 1, key, &is_all, &bad, &why)) {
		policy_error(err, loc, (int) bad, "SMTP route for \"%s\": %s",
		    domain, why);
		buf_free(key);
		return (-1);
	}
	if (is_all ? rt->all != NULL : policy_table_find(rt->table,
	    str_make(key->data, key->len)) != NULL) {
		policy_error(err, loc, 0, is_all ?
		    "there is already a default route (%s)" :
		    "the value %s is already in the routing table", domain);
		buf_free(key);
		return (-1);
	}
	ep = mem_zalloc(1, sizeof(*ep));
	ep->domain = mem_strdup(domain);
	ep->kind = POLICY_ROUTE_HOSTS;
	if (is_all)
		rt->all = ep;
	else
		(void) policy_table_enter(rt->table,
		    str_make(key->data, key->len), ep);
	buf_free(key);
	return (0);
}

/* policy_route_number - a decimal in [min, max] */

static int
policy_route_number(struct str s, unsigned long min, unsigned long max,
    unsigned *out)
{
	unsigned long v;

	if (!str_to_ulong(s, max, &v) || v < min)
		return (0);
	*out = (unsigned) v;
	return (1);
}

/* policy_route_ipv4ish - digits and dots only: meant as an address */

static int
policy_route_ipv4ish(struct str s)
{
	size_t	i;

	for (i = 0; i < s.len; i++)
		if (!((s.ptr[i] >= '0' && s.ptr[i] <= '9') || s.ptr[i] == '.'))
			return (0);
	return (1);
}

/* policy_route_fail - report a located host error */

static int
policy_route_fail(const struct policy_loc *loc, size_t off, struct buf *err,
    const char *text, const char *why)
{
	policy_error(err, loc, (int) off, "SMTP route destination \"%s\": %s",
	    text, why);
	return (-1);
}

/* policy_route_add_host - parse one destination into a route */

int
policy_route_add_host(struct policy_route *rt, const char *domain,
    const char *host, const struct policy_loc *loc, struct buf *err)
{
	struct policy_route_entry *ep;
	struct policy_route_host h;
	struct policy_ip ip;
	struct buf *key = buf_new(64);
	struct str raw = str_from(host), s, name, port = {NULL, 0};
	size_t	base, pos, i, bad;
	const char *why;

	ep = policy_route_find(rt, domain, key);
	buf_free(key);
	if (ep == NULL) {
		policy_error(err, loc, 0, "no SMTP route for \"%s\"", domain);
		return (-1);
	}
	s = str_trim(raw);
	base = s.len ? (size_t) (s.ptr - raw.ptr) : 0;
	if (s.len == 0)
		return (policy_route_fail(loc, 0, err, host,
		    "empty destination"));
	for (i = 0; i < s.len; i++)
		if ((unsigned char) s.ptr[i] <= ' '
		    || (unsigned char) s.ptr[i] >= 0x7f)
			return (policy_route_fail(loc, base + i, err, host,
			    "space, control or non-ASCII character"));
	if (ep->kind != POLICY_ROUTE_HOSTS)
		return (policy_route_fail(loc, base, err, host, ep->kind ==
		    POLICY_ROUTE_DEVNULL ? "/dev/null must be the only "
		    "destination of a route" : "USEDNS must be the only "
		    "destination of a route"));
	if (str_eq(s, STR_LIT("/dev/null"))
	    || str_caseeq(s, STR_LIT("USEDNS"))) {
		if (ep->host_count > 0)
			return (policy_route_fail(loc, base, err, host,
			    "/dev/null and USEDNS must be the only "
			    "destination of a route"));
		ep->kind = s.ptr[0] == '/' ? POLICY_ROUTE_DEVNULL :
		    POLICY_ROUTE_USEDNS;
		return (0);
	}
	memset(&h, 0, sizeof(h));

	/* "/pri=N" at the end. */
	if (str_chr(s, '/', &pos)) {
		struct str opt = str_make(s.ptr + pos + 1, s.len - pos - 1);

		if (!str_caseprefix(opt, STR_LIT("pri=")))
			return (policy_route_fail(loc, base + pos + 1, err,
			    host, "expected /pri=N after the host"));
		if (!policy_route_number(str_make(opt.ptr + 4, opt.len - 4), 0,
		    65535, &h.pri))
			return (policy_route_fail(loc, base + pos + 5, err,
			    host, "priority must be a number from 0 to "
			    "65535"));
		s.len = pos;
	}

	/* Address in brackets, bare IPv6, or name/IPv4 with ":port". */
	name = s;
	if (s.len > 0 && s.ptr[0] == '[') {
		if (!str_chr(s, ']', &pos))
			return (policy_route_fail(loc, base, err, host,
			    "missing \"]\""));
		name = str_make(s.ptr + 1, pos - 1);
		if (pos + 1 < s.len) {
			if (s.ptr[pos + 1] != ':')
				return (policy_route_fail(loc, base + pos + 1,
				    err, host, "expected \":port\" after "
				    "\"]\""));
			port = str_make(s.ptr + pos + 2, s.len - pos - 2);
		}
		h.is_ip = 1;
	} else if (str_chr(s, ':', &pos)) {
		size_t	last;

		(void) str_rchr(s, ':', &last);
		if (last == pos) {
			name = str_make(s.ptr, pos);
			port = str_make(s.ptr + pos + 1, s.len - pos - 1);
		} else
			h.is_ip = 1;		/* bare IPv6, no port */
	}
	if (port.ptr != NULL && !policy_route_number(port, 1, 65535, &h.port))
		return (policy_route_fail(loc, base + (size_t) (port.ptr -
		    s.ptr), err, host, "port must be a number from 1 to "
		    "65535"));
	h.host = str_dup(name);
	if (h.is_ip || policy_route_ipv4ish(name)) {
		if (!policy_ip_parse(h.host, &ip)) {
			mem_free(h.host);
			return (policy_route_fail(loc, base + (size_t)
			    (name.ptr - s.ptr), err, host,
			    "not a valid IP address"));
		}
		h.is_ip = 1;
	} else if (!policy_dns_check(policy_dns_undot(name), &bad, &why)) {
		mem_free(h.host);
		return (policy_route_fail(loc, base + bad, err, host, why));
	}
	for (i = 0; i < ep->host_count; i++) {
		if (str_caseeq(policy_dns_undot(str_from(ep->hosts[i].host)),
		    policy_dns_undot(str_from(h.host)))) {
			mem_free(h.host);
			return (policy_route_fail(loc, base, err, host,
			    "the host is already a destination of this "
			    "route"));
		}
	}

	/* Keep the hosts sorted by priority; equal ones in given order. */
	ep->hosts = mem_realloc(ep->hosts, ep->host_count + 1,
	    sizeof(*ep->hosts));
	for (pos = ep->host_count; pos > 0 && ep->hosts[pos - 1].pri > h.pri;
	    pos--)
		ep->hosts[pos] = ep->hosts[pos - 1];
	ep->hosts[pos] = h;
	ep->host_count++;
	return (0);
}

/* policy_route_add_hosts - a comma-separated list of destinations */

int
policy_route_add_hosts(struct policy_route *rt, const char *domain,
    const char *list, const struct policy_loc *loc, struct buf *err)
{
	struct policy_loc at;
	const char *cp = list, *end;
	char   *one;
	int	rc = 0;

	for (;;) {
		end = strchr(cp, ',');
		if (end == NULL)
			end = cp + strlen(cp);
		one = mem_strndup(cp, (size_t) (end - cp));
		if (loc != NULL) {
			at = *loc;
			if (at.column > 0)
				at.column += (int) (cp - list);
		}
		if (policy_route_add_host(rt, domain, one, loc ? &at : NULL,
		    err) < 0)
			rc = -1;
		mem_free(one);
		if (*end == 0)
			break;
		cp = end + 1;
	}
	return (rc);
}

/* policy_route_usable - a route with somewhere to send */

static int
policy_route_usable(const struct policy_route_entry *ep)
{
	return (ep->kind != POLICY_ROUTE_HOSTS || ep->host_count > 0);
}

/* policy_route_lookup - exact, longest partial, ALL, else MX */

int
policy_route_lookup(const struct policy_route *rt, const char *domain,
    const struct policy_route_entry **entry)
{
	struct policy_route_entry *ep;
	struct buf *key = buf_new(64);
	struct str k;
	const char *why;
	size_t	bad, i;
	int	is_all;

	if (!policy_route_key(str_from(domain), 0, key, &is_all, &bad, &why)) {
		buf_free(key);
		return (POLICY_ERROR);
	}
	k = str_make(key->data, key->len);
	ep = policy_table_find(rt->table, k);
	for (i = 0; ep == NULL && i < k.len; i++)
		if (k.ptr[i] == '.')
			ep = policy_table_find(rt->table,
			    str_make(k.ptr + i, k.len - i));
	buf_free(key);
	if (ep == NULL)
		ep = rt->all;
	if (ep == NULL)
		return (POLICY_NOTFOUND);
	if (!policy_route_usable(ep))
		return (POLICY_ERROR);
	*entry = ep;
	return (POLICY_FOUND);
}
