/*
 * NAME
 *	deliver_mx - the ordered next-hop hosts for a recipient domain
 * DESCRIPTION
 *	See deliver_mx.h. A lookup is a list of slots, one per route host
 *	(or one for the domain's own MX records); each slot that needs DNS
 *	has one dns(3) query in flight. When the last one answers, the
 *	slots are joined in order into the host list. A uv timer calls
 *	back from the loop when no query was needed (a literal, an address
 *	route, /dev/null, a broken route).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>
#include <strings.h>

#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "dns.h"
#include "logs_dcid.h"
#include "logs_maillog.h"
#include "policy.h"
#include "policy_route.h"
#include "deliver_mx.h"

struct mx_slot {
	struct deliver_mx *mx;
	char   *host;			/* name to look up, or address */
	unsigned port;
	unsigned pri;
	int	is_ip;
	int	from_route;
	struct dns_query *q;
	enum deliver_mx_status status;
	struct deliver_mx_host *hosts;
	size_t	nhosts;
	char   *text;			/* reason when not found/temporary */
};

struct deliver_mx {
	struct deliver_mx_opts opts;
	char   *domain;
	char   *route;
	deliver_mx_fn cb;
	void   *ctx;
	struct mx_slot *slots;
	size_t	nslots;
	size_t	npending;
	enum deliver_mx_status fixed;	/* result without DNS */
	int	use_fixed;
	char   *fixed_text;
	uv_timer_t kick;
	int	done;
};

/* deliver_mx_status_name - for messages and tests */

const char *
deliver_mx_status_name(enum deliver_mx_status status)
{
	switch (status) {
	case DELIVER_MX_FOUND:
		return ("found");
	case DELIVER_MX_NOTFOUND:
		return ("not found");
	case DELIVER_MX_TEMPFAIL:
		return ("temporary failure");
	case DELIVER_MX_DEVNULL:
		return ("/dev/null");
	case DELIVER_MX_CANCELLED:
		return ("cancelled");
	}
	return ("unknown");
}

/* mx_free_cb - the timer is closed: free everything */

static void
mx_free_cb(uv_handle_t *h)
{
	struct deliver_mx *mx = h->data;
	size_t	i, j;

	for (i = 0; i < mx->nslots; i++) {
		struct mx_slot *s = mx->slots + i;

		for (j = 0; j < s->nhosts; j++)
			mem_free((char *) s->hosts[j].name);
		mem_free(s->hosts);
		mem_free(s->host);
		mem_free(s->text);
	}
	mem_free(mx->slots);
	mem_free(mx->domain);
	mem_free(mx->route);
	mem_free(mx->fixed_text);
	mem_free(mx);
}

/* mx_free - release once nothing is pending */

static void
mx_free(struct deliver_mx *mx)
{
	(void) uv_timer_stop(&mx->kick);
	uv_close((uv_handle_t *) &mx->kick, mx_free_cb);
}

/* mx_add_host - one more address for a slot */

static void
mx_add_host(struct mx_slot *s, const char *name, unsigned pref, int family,
    const void *addr, const char *text)
{
	struct deliver_mx_host *h;

	s->hosts = mem_realloc(s->hosts, s->nhosts + 1, sizeof(*s->hosts));
	h = s->hosts + s->nhosts++;
	memset(h, 0, sizeof(*h));
	h->name = mem_strdup(name);
	h->pref = pref;
	h->from_route = s->from_route;
	h->port = s->port;
	snprintf(h->addr_text, sizeof(h->addr_text), "%s", text);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *) &h->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short) s->port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
		h->addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &h->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short) s->port);
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
		h->addrlen = sizeof(*sin6);
	}
}

/* mx_parse_ip - an address literal, with or without IPv6: */

static int
mx_parse_ip(const char *text, int *family, unsigned char *bin,
    char *canon, size_t canon_size)
{
	if (strncasecmp(text, "IPv6:", 5) == 0) {
		text += 5;
		if (inet_pton(AF_INET6, text, bin) != 1)
			return (-1);
		*family = AF_INET6;
	} else if (inet_pton(AF_INET, text, bin) == 1) {
		*family = AF_INET;
	} else if (inet_pton(AF_INET6, text, bin) == 1) {
		*family = AF_INET6;
	} else {
		return (-1);
	}
	if (inet_ntop(*family, bin, canon, (socklen_t) canon_size) == NULL)
		return (-1);
	return (0);
}

/* mx_finish - join the slots and call back */

static void
mx_finish(struct deliver_mx *mx)
{
	struct deliver_mx_result res;
	struct deliver_mx_host *all = NULL;
	size_t	n = 0, i, j;
	int	tempfail = 0, cancelled = 0;
	const char *text = NULL, *temp_text = NULL;

	memset(&res, 0, sizeof(res));
	res.domain = mx->domain;
	res.route = mx->route;
	mx->done = 1;
	if (mx->use_fixed) {
		res.status = mx->fixed;
		res.text = mx->fixed_text;
		mx->cb(&res, mx->ctx);
		mx_free(mx);
		return;
	}
	for (i = 0; i < mx->nslots; i++) {
		struct mx_slot *s = mx->slots + i;

		n += s->nhosts;
		if (s->status == DELIVER_MX_TEMPFAIL) {
			tempfail = 1;
			if (temp_text == NULL)
				temp_text = s->text;
		} else if (s->status == DELIVER_MX_CANCELLED) {
			cancelled = 1;
		} else if (s->status == DELIVER_MX_NOTFOUND && text == NULL) {
			text = s->text;
		}
	}
	if (n > 0) {
		all = mem_zalloc(n, sizeof(*all));
		n = 0;
		for (i = 0; i < mx->nslots; i++)
			for (j = 0; j < mx->slots[i].nhosts; j++)
				all[n++] = mx->slots[i].hosts[j];
		res.status = DELIVER_MX_FOUND;
		res.hosts = all;
		res.nhosts = n;
	} else if (cancelled) {
		res.status = DELIVER_MX_CANCELLED;
	} else if (tempfail) {
		res.status = DELIVER_MX_TEMPFAIL;
		res.text = temp_text;
	} else {
		res.status = DELIVER_MX_NOTFOUND;
		res.text = text ? text : "no host";
	}
	mx->cb(&res, mx->ctx);
	mem_free(all);
	mx_free(mx);
}

/* mx_log_dns - the DNS Error / DNS Temporary Failure line */

static void
mx_log_dns(struct deliver_mx *mx, const struct dns_result *r)
{
	struct buf line;
	enum logs_line_level level;

	if (mx->opts.log == NULL)
		return;
	buf_init(&line, 128);
	if (r->status == DNS_NOTFOUND)
		level = logs_dcid_dns_error(&line, r->name, r->type, r->text);
	else
		level = logs_dcid_dns_tempfail(&line, r->name, r->type,
		    r->text);
	(void) logs_maillog_write(mx->opts.log, level, &line);
	buf_fini(&line);
}

/* mx_dns_done - one slot's MX lookup answered */

static void
mx_dns_done(const struct dns_result *r, void *ctx)
{
	struct mx_slot *s = ctx;
	struct deliver_mx *mx = s->mx;
	struct buf text;
	size_t	i, j;

	s->q = NULL;
	switch (r->status) {
	case DNS_FOUND:
		s->status = DELIVER_MX_FOUND;
		for (i = 0; i < r->nmxs; i++) {
			const struct dns_mx *m = r->mxs + i;

			if (m->status != DNS_FOUND)
				continue;
			for (j = 0; j < m->naddrs; j++)
				mx_add_host(s, m->host, s->from_route ?
				    s->pri : m->pref,
				    m->addrs[j].family, &m->addrs[j].u,
				    m->addrs[j].text);
		}
		if (s->nhosts == 0)
			s->status = DELIVER_MX_NOTFOUND;
		break;
	case DNS_NOTFOUND:
	case DNS_TEMPFAIL:
		s->status = r->status == DNS_NOTFOUND ? DELIVER_MX_NOTFOUND :
		    DELIVER_MX_TEMPFAIL;
		mx_log_dns(mx, r);
		buf_init(&text, 128);
		buf_printf(&text, "DNS %s Error looking up %s (%s):  %s",
		    r->status == DNS_NOTFOUND ? "Hard" : "Soft", r->name,
		    r->type, r->text);
		s->text = buf_steal(&text);
		buf_fini(&text);
		break;
	case DNS_CANCELLED:
		s->status = DELIVER_MX_CANCELLED;
		break;
	}
	if (--mx->npending == 0)
		mx_finish(mx);
}

/* mx_kick_cb - nothing to ask: answer from the loop */

static void
mx_kick_cb(uv_timer_t *t)
{
	mx_finish(t->data);
}

/* mx_add_slot - one more place to look */

static struct mx_slot *
mx_add_slot(struct deliver_mx *mx, const char *host, unsigned port,
    unsigned pri, int from_route)
{
	struct mx_slot *s;

	mx->slots = mem_realloc(mx->slots, mx->nslots + 1, sizeof(*mx->slots));
	s = mx->slots + mx->nslots++;
	memset(s, 0, sizeof(*s));
	s->mx = mx;
	s->host = mem_strdup(host);
	s->port = port ? port : mx->opts.port;
	s->pri = pri;
	s->from_route = from_route;
	s->status = DELIVER_MX_NOTFOUND;
	return (s);
}

/* mx_fixed - a result that needs no lookup */

static void
mx_fixed(struct deliver_mx *mx, enum deliver_mx_status status,
    const char *text)
{
	mx->use_fixed = 1;
	mx->fixed = status;
	mx->fixed_text = text ? mem_strdup(text) : NULL;
}

/* deliver_mx_lookup - start finding the next hops of a domain */

struct deliver_mx *
deliver_mx_lookup(const struct deliver_mx_opts *o, const char *domain,
    deliver_mx_fn cb, void *ctx)
{
	struct deliver_mx *mx;
	const struct policy_route_entry *re = NULL;
	int	use_dns = 1;
	size_t	i, n;
	size_t	len;

	if (o == NULL || o->loop == NULL || domain == NULL || cb == NULL)
		msg_panic("deliver_mx_lookup: null argument");
	mx = mem_zalloc(1, sizeof(*mx));
	mx->opts = *o;
	if (mx->opts.port == 0)
		mx->opts.port = DELIVER_MX_PORT;
	if (mx->opts.family == 0)
		mx->opts.family = AF_UNSPEC;
	len = strlen(domain);
	if (len > 0 && domain[len - 1] == '.' && domain[0] != '[')
		len--;
	mx->domain = mem_strndup(domain, len);
	mx->cb = cb;
	mx->ctx = ctx;
	(void) uv_timer_init(o->loop, &mx->kick);
	mx->kick.data = mx;

	if (mx->domain[0] == '[') {
		char	inner[INET6_ADDRSTRLEN + 8];
		unsigned char bin[sizeof(struct in6_addr)];
		char	canon[INET6_ADDRSTRLEN];
		int	family;

		len = strlen(mx->domain);
		if (len < 3 || mx->domain[len - 1] != ']'
		    || len - 2 >= sizeof(inner)) {
			mx_fixed(mx, DELIVER_MX_NOTFOUND, "bad domain literal");
		} else {
			memcpy(inner, mx->domain + 1, len - 2);
			inner[len - 2] = 0;
			if (mx_parse_ip(inner, &family, bin, canon,
			    sizeof(canon)) != 0) {
				mx_fixed(mx, DELIVER_MX_NOTFOUND,
				    "bad domain literal");
			} else {
				struct mx_slot *s = mx_add_slot(mx, canon, 0,
				    0, 0);

				s->is_ip = 1;
				s->status = DELIVER_MX_FOUND;
				mx_add_host(s, canon, 0, family, bin, canon);
			}
		}
		use_dns = 0;
	} else if (o->routes != NULL) {
		switch (policy_route_lookup(o->routes, mx->domain, &re)) {
		case POLICY_FOUND:
			mx->route = mem_strdup(re->domain);
			if (re->kind == POLICY_ROUTE_DEVNULL) {
				mx_fixed(mx, DELIVER_MX_DEVNULL, NULL);
				use_dns = 0;
			} else if (re->kind == POLICY_ROUTE_HOSTS) {
				use_dns = 0;
				for (i = 0; i < re->host_count; i++) {
					struct mx_slot *s = mx_add_slot(mx,
					    re->hosts[i].host,
					    re->hosts[i].port,
					    re->hosts[i].pri, 1);

					s->is_ip = re->hosts[i].is_ip;
				}
			}
			break;
		case POLICY_ERROR:
			mx_fixed(mx, DELIVER_MX_TEMPFAIL,
			    "no valid SMTP route for the domain");
			use_dns = 0;
			break;
		default:
			break;
		}
	}
	if (use_dns)
		(void) mx_add_slot(mx, mx->domain, 0, 0, 0);

	/* Addresses now, names through DNS. */
	n = 0;
	for (i = 0; i < mx->nslots; i++) {
		struct mx_slot *s = mx->slots + i;

		if (s->nhosts > 0)
			continue;
		if (s->is_ip) {
			unsigned char bin[sizeof(struct in6_addr)];
			char	canon[INET6_ADDRSTRLEN];
			int	family;

			if (mx_parse_ip(s->host, &family, bin, canon,
			    sizeof(canon)) == 0) {
				s->status = DELIVER_MX_FOUND;
				mx_add_host(s, canon, s->pri, family, bin,
				    canon);
			}
			continue;
		}
		n++;
	}
	if (n == 0 || o->dns == NULL) {
		if (n > 0)
			mx_fixed(mx, DELIVER_MX_TEMPFAIL, "no resolver");
		(void) uv_timer_start(&mx->kick, mx_kick_cb, 0, 0);
		return (mx);
	}
	mx->npending = n;
	for (i = 0; i < mx->nslots; i++) {
		struct mx_slot *s = mx->slots + i;

		if (s->is_ip || s->nhosts > 0)
			continue;
		s->q = dns_lookup_mx(o->dns, s->host, mx->opts.family,
		    mx_dns_done, s);
	}
	return (mx);
}

/* deliver_mx_cancel - abandon a lookup */

void
deliver_mx_cancel(struct deliver_mx *mx)
{
	size_t	i;

	if (mx == NULL || mx->done)
		return;
	mx->done = 1;
	for (i = 0; i < mx->nslots; i++) {
		if (mx->slots[i].q != NULL) {
			dns_query_cancel(mx->slots[i].q);
			mx->slots[i].q = NULL;
		}
	}
	mx_free(mx);
}
