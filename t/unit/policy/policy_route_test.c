/*
 * NAME
 *	policy_route_test - unit tests for policy/policy_route
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "policy.h"
#include "policy_route.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

/* route - add a route with a destination list or fail the test */

static void
route(struct policy_route *rt, const char *domain, const char *hosts)
{
	struct buf *err = buf_new(64);

	cr_assert_eq(policy_route_add(rt, domain, NULL, err), 0, "%s: %s",
	    domain, buf_cstr(err));
	cr_assert_eq(policy_route_add_hosts(rt, domain, hosts, NULL, err), 0,
	    "%s: %s", domain, buf_cstr(err));
	buf_free(err);
}

/* sample - routes of every kind */

static struct policy_route *
sample(int with_all)
{
	struct policy_route *rt = policy_route_new();

	route(rt, "example.com", "groupware.example.com, "
	    "backup.example.com/pri=10, [2001:db8::25]:2601/pri=5, "
	    "192.0.2.25:26");
	route(rt, ".example.com", "USEDNS");
	route(rt, ".sub.example.com", "relay.example.net");
	route(rt, "blackhole.test", "/dev/null");
	route(rt, "v6.test", "2001:db8::26/pri=3");
	if (with_all)
		route(rt, "ALL", "smarthost.example.net:587");
	return (rt);
}

struct lookup_case {
	const char *label;
	const char *domain;
	int	with_all;
	int	want;
	const char *route;
	enum policy_route_kind kind;
	const char *hosts;		/* "host:port/pri|..." */
};

/* describe - one line for a route's hosts */

static void
describe(const struct policy_route_entry *ep, struct buf *out)
{
	size_t	i;

	for (i = 0; i < ep->host_count; i++)
		buf_printf(out, "%s%s%s:%u/%u", i ? "|" : "",
		    ep->hosts[i].is_ip ? "ip " : "", ep->hosts[i].host,
		    ep->hosts[i].port, ep->hosts[i].pri);
}

Test(policy_route, lookup_table)
{
	static const struct lookup_case cases[] = {
		{"exact, sorted by priority", "example.com", 1, POLICY_FOUND,
			"example.com", POLICY_ROUTE_HOSTS,
		"groupware.example.com:0/0|ip 192.0.2.25:26/0|"
		"ip 2001:db8::25:2601/5|backup.example.com:0/10"},
		{"exact any case", "EXAMPLE.COM.", 1, POLICY_FOUND,
			"example.com", POLICY_ROUTE_HOSTS,
		"groupware.example.com:0/0|ip 192.0.2.25:26/0|"
		"ip 2001:db8::25:2601/5|backup.example.com:0/10"},
		{"partial USEDNS", "a.example.com", 1, POLICY_FOUND,
			".example.com", POLICY_ROUTE_USEDNS, ""},
		{"longest partial", "a.sub.example.com", 1, POLICY_FOUND,
			".sub.example.com", POLICY_ROUTE_HOSTS,
		"relay.example.net:0/0"},
		{"partial apex", "sub.example.com", 1, POLICY_FOUND,
			".example.com", POLICY_ROUTE_USEDNS, ""},
		{"devnull", "blackhole.test", 1, POLICY_FOUND,
			"blackhole.test", POLICY_ROUTE_DEVNULL, ""},
		{"bare v6", "v6.test", 1, POLICY_FOUND, "v6.test",
			POLICY_ROUTE_HOSTS, "ip 2001:db8::26:0/3"},
		{"default route", "other.org", 1, POLICY_FOUND, "ALL",
			POLICY_ROUTE_HOSTS, "smarthost.example.net:587/0"},
		{"no default: MX", "other.org", 0, POLICY_NOTFOUND, NULL,
			POLICY_ROUTE_HOSTS, NULL},
		{"lookalike: MX", "badexample.com", 0, POLICY_NOTFOUND, NULL,
			POLICY_ROUTE_HOSTS, NULL},
		{"bad domain", "a..b", 1, POLICY_ERROR, NULL,
			POLICY_ROUTE_HOSTS, NULL},
		{"ALL is not a recipient domain", ".x", 1, POLICY_ERROR, NULL,
			POLICY_ROUTE_HOSTS, NULL},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_route *rt = sample(cases[i].with_all);
		const struct policy_route_entry *ep = NULL;
		struct buf *got = buf_new(64);
		int	rc;

		rc = policy_route_lookup(rt, cases[i].domain, &ep);
		cr_expect_eq(rc, cases[i].want, "%s: status %d", cases[i].label,
		    rc);
		if (rc == POLICY_FOUND && cases[i].want == POLICY_FOUND) {
			cr_expect_str_eq(ep->domain, cases[i].route, "%s",
			    cases[i].label);
			cr_expect_eq(ep->kind, cases[i].kind, "%s",
			    cases[i].label);
			describe(ep, got);
			cr_expect_str_eq(buf_cstr(got), cases[i].hosts, "%s",
			    cases[i].label);
		}
		buf_free(got);
		policy_route_free(rt);
	}
}

struct host_case {
	const char *label;
	const char *host;
	const char *want;		/* NULL: accepted */
};

Test(policy_route, host_errors_table)
{
	static const struct policy_loc loc = {"routes.yaml", 5, 10};
	static const struct host_case cases[] = {
		{"name", "mx.example.com", NULL},
		{"name port pri", "mx2.example.com:2601/pri=65535", NULL},
		{"v4", "192.0.2.1", NULL},
		{"v6 bracket port", "[2001:db8::1]:25", NULL},
		{"port 0", "a.example.com:0", "routes.yaml:5:24: SMTP route "
		"destination \"a.example.com:0\": port must be a number from 1 "
		"to 65535"},
		{"port 65536", "b.example.com:65536", "routes.yaml:5:24: SMTP "
		"route destination \"b.example.com:65536\": port must be a "
		"number from 1 to 65535"},
		{"port words", "c.example.com:smtp", "routes.yaml:5:24: SMTP "
		"route destination \"c.example.com:smtp\": port must be a "
		"number from 1 to 65535"},
		{"pri 65536", "d.example.com/pri=65536", "routes.yaml:5:28: "
		"SMTP route destination \"d.example.com/pri=65536\": "
		"priority must be a number from 0 to 65535"},
		{"pri negative", "e.example.com/pri=-1", "routes.yaml:5:28: "
		"SMTP route destination \"e.example.com/pri=-1\": priority "
		"must be a number from 0 to 65535"},
		{"unknown option", "f.example.com/prio=1", "routes.yaml:5:24: "
		"SMTP route destination \"f.example.com/prio=1\": expected "
		"/pri=N after the host"},
		{"empty label", "g..example.com", "routes.yaml:5:12: SMTP "
		"route destination \"g..example.com\": empty label"},
		{"bad v4", "300.1.2.3", "routes.yaml:5:10: SMTP route "
		"destination \"300.1.2.3\": not a valid IP address"},
		{"unclosed bracket", "[2001:db8::1", "routes.yaml:5:10: SMTP "
		"route destination \"[2001:db8::1\": missing \"]\""},
		{"junk after bracket", "[2001:db8::1]x", "routes.yaml:5:23: "
		"SMTP route destination \"[2001:db8::1]x\": expected "
		"\":port\" after \"]\""},
		{"name in brackets", "[mx.example.com]", "routes.yaml:5:11: "
		"SMTP route destination \"[mx.example.com]\": not a valid IP "
		"address"},
		{"duplicate host", "MX.example.com:26", "routes.yaml:5:10: "
		"SMTP route destination \"MX.example.com:26\": the host is "
		"already a destination of this route"},
		{"duplicate host with root dot", "mx.example.com.",
		"routes.yaml:5:10: SMTP route destination \"mx.example.com.\": "
		"the host is already a destination of this route"},
		{"empty", "  ", "routes.yaml:5:10: SMTP route destination \"  "
		"\": empty destination"},
		{"space inside", "h st", "routes.yaml:5:11: SMTP route "
		"destination \"h st\": space, control or non-ASCII character"},
		{"devnull with others", "/dev/null", "routes.yaml:5:10: SMTP "
		"route destination \"/dev/null\": /dev/null and USEDNS must be "
		"the only destination of a route"},
		{"usedns with others", "usedns", "routes.yaml:5:10: SMTP route "
		"destination \"usedns\": /dev/null and USEDNS must be the only "
		"destination of a route"},
	};
	struct policy_route *rt = policy_route_new();
	struct buf *err = buf_new(64);
	size_t	i;

	cr_assert_eq(policy_route_add(rt, "example.com", &loc, err), 0);
	for (i = 0; i < NCASES(cases); i++) {
		buf_reset(err);
		cr_expect_eq(policy_route_add_host(rt, "example.com",
		    cases[i].host, &loc, err), cases[i].want ? -1 : 0, "%s",
		    cases[i].label);
		cr_expect_str_eq(buf_cstr(err), cases[i].want ? cases[i].want :
		    "", "%s", cases[i].label);
	}
	policy_route_free(rt);
	buf_free(err);
}

Test(policy_route, table_errors)
{
	static const struct policy_loc loc = {"routes.yaml", 8, 3};
	struct policy_route *rt = policy_route_new();
	const struct policy_route_entry *ep;
	struct buf *err = buf_new(64);

	cr_expect_eq(policy_route_add(rt, "example.com", &loc, err), 0);
	cr_expect_eq(policy_route_add(rt, "Example.com.", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "routes.yaml:8:3: the value "
	    "Example.com. is already in the routing table");
	buf_reset(err);
	cr_expect_eq(policy_route_add(rt, "all", &loc, err), 0);
	cr_expect_eq(policy_route_add(rt, "ALL", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "routes.yaml:8:3: there is already a "
	    "default route (ALL)");
	buf_reset(err);
	cr_expect_eq(policy_route_add(rt, "bad..dom", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "routes.yaml:8:7: SMTP route for "
	    "\"bad..dom\": empty label");
	buf_reset(err);
	cr_expect_eq(policy_route_add_host(rt, "nowhere.test", "mx.test", &loc,
	    err), -1);
	cr_expect_str_eq(buf_cstr(err), "routes.yaml:8:3: no SMTP route for "
	    "\"nowhere.test\"");
	buf_reset(err);

	/* A route without destinations defers rather than falls to MX. */
	cr_expect_eq(policy_route_lookup(rt, "example.com", &ep), POLICY_ERROR);
	cr_expect_eq(policy_route_lookup(rt, "other.test", &ep), POLICY_ERROR,
	    "empty default route");

	/* Special destinations stand alone, in either order. */
	cr_expect_eq(policy_route_add_host(rt, "example.com", "/dev/null",
	    &loc, err), 0);
	cr_expect_eq(policy_route_add_host(rt, "example.com", "mx.test", &loc,
	    err), -1);
	cr_expect_str_eq(buf_cstr(err), "routes.yaml:8:3: SMTP route "
	    "destination \"mx.test\": /dev/null must be the only destination "
	    "of a route");
	cr_expect_eq(policy_route_lookup(rt, "example.com", &ep), POLICY_FOUND);
	cr_expect_eq(ep->kind, POLICY_ROUTE_DEVNULL);
	policy_route_free(rt);
	buf_free(err);
}

Test(policy_route, list_error_columns)
{
	static const struct policy_loc loc = {"routes.yaml", 2, 20};
	struct policy_route *rt = policy_route_new();
	struct buf *err = buf_new(64);

	cr_assert_eq(policy_route_add(rt, "example.com", &loc, err), 0);
	cr_expect_eq(policy_route_add_hosts(rt, "example.com",
	    "a.example.com, b.example.com:0, c..example.com", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err),
	    "routes.yaml:2:49: SMTP route destination \" b.example.com:0\": "
	    "port must be a number from 1 to 65535\n"
	    "routes.yaml:2:54: SMTP route destination \" c..example.com\": "
	    "empty label");
	policy_route_free(rt);
	buf_free(err);
}

Test(policy_route, many_routes)
{
	struct policy_route *rt = policy_route_new();
	const struct policy_route_entry *ep;
	struct buf *name = buf_new(64);
	int	i;

	for (i = 0; i < 40000; i++) {
		buf_reset(name);
		buf_printf(name, ".r%d.example", i);
		route(rt, buf_cstr(name), "mx.example.net");
	}
	cr_expect_eq(policy_route_lookup(rt, "a.b.r39999.example", &ep),
	    POLICY_FOUND);
	cr_expect_str_eq(ep->domain, ".r39999.example");
	cr_expect_eq(policy_route_lookup(rt, "r39999.example", &ep),
	    POLICY_NOTFOUND);
	policy_route_free(rt);
	buf_free(name);
}

/* fuzz_next - small deterministic generator (xorshift32) */

static unsigned
fuzz_next(unsigned *state)
{
	unsigned x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return (*state = x);
}

 /*
  * Random destinations and lookups: each is accepted or refused with a
  * message, and nothing overflows (the sanitizer build watches).
  */
Test(policy_route, random_input_never_crashes)
{
	static const char *const pieces[] = {
		"mx", ".", "example", "com", ":", "25", "65536", "/pri=", "/",
		"7", "[", "]", "2001:db8::", "192.0.2.1", "-", "USEDNS",
		"/dev/null", " ", ",", "\xfe", "ALL", "_",
	};
	unsigned state = 88172645u;
	int	round;

	for (round = 0; round < 5000; round++) {
		struct policy_route *rt = policy_route_new();
		const struct policy_route_entry *ep;
		struct buf *text = buf_new(64), *dom = buf_new(64);
		struct buf *err = buf_new(64);
		unsigned n, k;

		n = fuzz_next(&state) % 6;
		for (k = 0; k < n; k++)
			buf_puts(dom, pieces[fuzz_next(&state)
			    % NCASES(pieces)]);
		n = fuzz_next(&state) % 8;
		for (k = 0; k < n; k++)
			buf_puts(text, pieces[fuzz_next(&state)
			    % NCASES(pieces)]);
		if (policy_route_add(rt, buf_cstr(dom), NULL, err) == 0) {
			if (policy_route_add_hosts(rt, buf_cstr(dom),
			    buf_cstr(text), NULL, err) < 0)
				cr_assert(err->len > 0);
		} else
			cr_assert(err->len > 0);
		(void) policy_route_lookup(rt, buf_cstr(text), &ep);
		(void) policy_route_lookup(rt, buf_cstr(dom), &ep);
		policy_route_free(rt);
		buf_free(text);
		buf_free(dom);
		buf_free(err);
	}
}
