/*
 * NAME
 *	dns_test - lib/dns against a real unbound on loopback
 * DESCRIPTION
 *	Each test starts its own unbound (t/unit/lib/dns_unbound.c) with
 *	the zone below, a libuv loop and a resolver pointed at it, and
 *	checks the results as one-line summaries (see summary()).
 *
 *	The SERVFAIL cases use a stub zone whose only name server has a
 *	name that does not resolve: unbound answers SERVFAIL at once and
 *	nothing leaves the host. (A stub to a closed port also gives
 *	SERVFAIL, but only after unbound's own retries, many seconds.)
 *	"No server reachable" uses closed ports, and "timeout" a UDP socket
 *	that this test holds open and never answers.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "dns.h"
#include "dns_unbound.h"

#define TEST_TIMEOUT	60
#define BIG_TXT_STRINGS	16
#define BIG_TXT_LEN	200

static const char zone_conf[] =
    "\tlocal-zone: \"test.\" static\n"
    "\tlocal-data: \"a.test. 300 IN A 192.0.2.1\"\n"
    "\tlocal-data: \"a.test. 300 IN AAAA 2001:db8::1\"\n"
    "\tlocal-data: \"v4only.test. 300 IN A 192.0.2.2\"\n"
    "\tlocal-data: \"v6only.test. 300 IN AAAA 2001:db8::2\"\n"
    "\tlocal-data: \"multi.test. 300 IN A 192.0.2.3\"\n"
    "\tlocal-data: \"multi.test. 300 IN A 192.0.2.4\"\n"
    "\tlocal-data: 'nodata.test. 300 IN TXT \"no address here\"'\n"
    /* MX: two at 10, one at 20 with both families. */
    "\tlocal-data: \"mx.test. 300 IN MX 20 mx2.test.\"\n"
    "\tlocal-data: \"mx.test. 300 IN MX 10 mx1b.test.\"\n"
    "\tlocal-data: \"mx.test. 300 IN MX 10 mx1.test.\"\n"
    "\tlocal-data: \"mx1.test. 300 IN A 192.0.2.11\"\n"
    "\tlocal-data: \"mx1b.test. 300 IN A 192.0.2.12\"\n"
    "\tlocal-data: \"mx2.test. 300 IN A 192.0.2.20\"\n"
    "\tlocal-data: \"mx2.test. 300 IN AAAA 2001:db8::20\"\n"
    /* Exchangers that fail: the best one does not exist. */
    "\tlocal-data: \"mxpart.test. 300 IN MX 5 ghost.test.\"\n"
    "\tlocal-data: \"mxpart.test. 300 IN MX 10 mx1.test.\"\n"
    "\tlocal-data: \"nomx.test. 300 IN A 192.0.2.30\"\n"
    "\tlocal-data: \"nullmx.test. 300 IN MX 0 .\"\n"
    "\tlocal-data: \"mxghost.test. 300 IN MX 10 ghost.test.\"\n"
    "\tlocal-data: \"mxfail.test. 300 IN MX 10 x.fail.test.\"\n"
    "\tlocal-data: \"mxfail.test. 300 IN MX 20 ghost.test.\"\n"
    "\tlocal-data: 'txt.test. 300 IN TXT \"v=spf1 -all\"'\n"
    "\tlocal-data: 'txt2.test. 300 IN TXT \"part one\" \" part two\"'\n"
    /* Reverse DNS of 127.0.0.x. */
    "\tlocal-data-ptr: \"127.0.0.2 mail.test.\"\n"
    "\tlocal-data: \"mail.test. 300 IN A 127.0.0.2\"\n"
    "\tlocal-data-ptr: \"127.0.0.3 liar.test.\"\n"
    "\tlocal-data: \"liar.test. 300 IN A 192.0.2.99\"\n"
    "\tlocal-data: \"5.0.0.127.in-addr.arpa. 300 IN PTR other.test.\"\n"
    "\tlocal-data: \"5.0.0.127.in-addr.arpa. 300 IN PTR good5.test.\"\n"
    "\tlocal-data: \"other.test. 300 IN A 192.0.2.5\"\n"
    "\tlocal-data: \"good5.test. 300 IN A 127.0.0.5\"\n"
    "\tlocal-data-ptr: \"127.0.0.6 ghost6.test.\"\n"
    "\tlocal-data-ptr: \"127.0.0.7 fwd.fail.test.\"\n"
    "\tlocal-data-ptr: \"2001:db8::2 v6only.test.\"\n"
    /* Names that are not host names: c-ares rejects the answer. */
    "\tlocal-data: \"8.0.0.127.in-addr.arpa. 300 IN PTR bad\\032name.test.\"\n"
    "\tlocal-data-ptr: \"2001:db8::3 liar.test.\"\n"
    /* A DNS list: 127.0.0.2 is listed. */
    "\tlocal-data: \"2.0.0.127.zone.test. 300 IN A 127.0.0.2\"\n"
    "\tlocal-data: '2.0.0.127.zone.test. 300 IN TXT \"listed: test\"'\n"
    /* Temporary failures: SERVFAIL from a stub with no usable server. */
    "\tlocal-zone: \"fail.test.\" transparent\n"
    "\tlocal-zone: \"66.0.0.127.in-addr.arpa.\" transparent\n"
    "stub-zone:\n"
    "\tname: \"fail.test.\"\n"
    "\tstub-host: \"ns.nowhere.test.\"\n"
    "stub-zone:\n"
    "\tname: \"66.0.0.127.in-addr.arpa.\"\n"
    "\tstub-host: \"ns.nowhere.test.\"\n";

static struct dns_unbound *ub;
static uv_loop_t loop;
static bool loop_ready;
static struct dns *resolver;

/* start_resolver - a resolver on the test loop for these servers */

static struct dns *
start_resolver(const char *const *servers, size_t n, unsigned timeout_ms,
    unsigned tries)
{
	struct dns_options opts;

	memset(&opts, 0, sizeof(opts));
	opts.servers = servers;
	opts.nservers = n;
	opts.timeout_ms = timeout_ms;
	opts.tries = tries;
	opts.flags = DNS_FLAG_STABLE;
	return (dns_new(&loop, &opts));
}

/* setup - unbound, a loop, a resolver */

static void
setup(void)
{
	struct buf why;
	const char *server;

	struct buf conf;
	int	i;

	/* A TXT record too big for UDP: the answer comes over TCP. */
	buf_init(&conf, 0);
	buf_puts(&conf, "\tlocal-data: 'big.test. 300 IN TXT");
	for (i = 0; i < BIG_TXT_STRINGS; i++)
		buf_printf(&conf, " \"%0*d\"", BIG_TXT_LEN, i);
	buf_puts(&conf, "'\n");
	buf_puts(&conf, zone_conf);
	buf_init(&why, 0);
	ub = dns_unbound_start(conf.data, &why);
	cr_assert_not_null(ub, "cannot start unbound: %s", why.data);
	buf_fini(&why);
	buf_fini(&conf);
	cr_assert_eq(uv_loop_init(&loop), 0);
	loop_ready = true;
	server = ub->server;
	resolver = start_resolver(&server, 1, 2000, 2);
	cr_assert_not_null(resolver);
}

/* teardown - the resolver leaves nothing open on the loop */

static void
teardown(void)
{
	resolver = dns_free(resolver);
	if (loop_ready) {
		cr_expect_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
		cr_expect_eq(uv_loop_close(&loop), 0,
		    "the resolver left handles");
	}
	loop_ready = false;
	dns_unbound_stop(ub);
	ub = NULL;
}

/* setup_loop_only - a loop, no unbound (for servers that fail) */

static void
setup_loop_only(void)
{
	cr_assert_eq(uv_loop_init(&loop), 0);
	loop_ready = true;
	resolver = NULL;
}

/* teardown_loop_only - close the loop */

static void
teardown_loop_only(void)
{
	resolver = dns_free(resolver);
	if (loop_ready) {
		cr_expect_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
		cr_expect_eq(uv_loop_close(&loop), 0,
		    "the resolver left handles");
	}
	loop_ready = false;
}

/*
 * A captured result: how many times the callback ran and a summary line
 * such as "found a=192.0.2.1,2001:db8::1" or "temporary failure ServFail".
 */
struct capture {
	int	calls;
	char	summary[4096];
	enum dns_status status;
	struct dns_query **other;	/* cancel this one when called */
};

/* summary - one line for a result */

static void
summary(const struct dns_result *res, char *out, size_t size)
{
	struct buf bp;
	size_t	i;
	size_t	j;

	buf_init(&bp, 0);
	buf_puts(&bp, dns_status_name(res->status));
	if (res->error != DNS_E_NONE)
		buf_printf(&bp, " %s", res->text);
	if (res->naddrs > 0) {
		buf_puts(&bp, " a=");
		for (i = 0; i < res->naddrs; i++)
			buf_printf(&bp, "%s%s", i ? "," : "",
			    res->addrs[i].text);
	}
	if (res->nmxs > 0) {
		buf_puts(&bp, res->implicit_mx ? " implicit-mx=" : " mx=");
		for (i = 0; i < res->nmxs; i++) {
			const struct dns_mx *mx = &res->mxs[i];

			buf_printf(&bp, "%s%u:%s(", i ? " " : "", mx->pref,
			    mx->host);
			if (mx->naddrs == 0)
				buf_puts(&bp, mx->text);
			for (j = 0; j < mx->naddrs; j++)
				buf_printf(&bp, "%s%s", j ? "," : "",
				    mx->addrs[j].text);
			buf_puts(&bp, ")");
		}
	}
	if (res->ntxts > 0) {
		buf_puts(&bp, " txt=");
		for (i = 0; i < res->ntxts; i++)
			buf_printf(&bp, "%s[%.*s]", i ? "," : "",
			    (int) res->txts[i].len, res->txts[i].data);
	}
	if (res->nnames > 0) {
		buf_puts(&bp, " names=");
		for (i = 0; i < res->nnames; i++)
			buf_printf(&bp, "%s%s", i ? "," : "", res->names[i]);
	}
	(void) snprintf(out, size, "%s", bp.data);
	buf_fini(&bp);
}

/* capture_cb - a result callback that records what it got */

static void
capture_cb(const struct dns_result *res, void *ctx)
{
	struct capture *cap = ctx;

	cap->calls++;
	cap->status = res->status;
	summary(res, cap->summary, sizeof(cap->summary));
	if (cap->other != NULL && *cap->other != NULL) {
		dns_query_cancel(*cap->other);
		*cap->other = NULL;
	}
}

/* verify_cb - a verification callback that records what it got */

static void
verify_cb(const struct dns_verify_result *v, void *ctx)
{
	struct capture *cap = ctx;

	cap->calls++;
	(void) snprintf(cap->summary, sizeof(cap->summary), "%s %s %s%s%s",
	    dns_verify_name(v->status), v->hostname ? v->hostname : "unknown",
	    v->verified ? "yes" : "no", *v->text ? " " : "", v->text);
}

/* inet - a sockaddr for a numeric address */

static struct sockaddr_storage
inet(const char *text)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (void *) &ss;
	struct sockaddr_in6 *sin6 = (void *) &ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
	} else {
		cr_assert_eq(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1,
		    "bad test address %s", text);
		sin6->sin6_family = AF_INET6;
	}
	return (ss);
}

/* run - run the loop until nothing is pending */

static void
run(void)
{
	cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
}

enum kind {
	ADDR,
	MX,
	TXT,
	PTR,
	DNSL,
};

struct lookup_case {
	const char *label;
	enum kind kind;
	const char *name;	/* a name, or an address for PTR and DNSL */
	int	family;
	const char *want;
};

/* start_lookup - start one case's lookup */

static struct dns_query *
start_lookup(const struct lookup_case *c, struct capture *cap)
{
	struct sockaddr_storage ss;

	switch (c->kind) {
	case ADDR:
		return (dns_lookup_addr(resolver, c->name, c->family,
		    capture_cb, cap));
	case MX:
		return (dns_lookup_mx(resolver, c->name, c->family,
		    capture_cb, cap));
	case TXT:
		return (dns_lookup_txt(resolver, c->name, capture_cb, cap));
	case PTR:
		ss = inet(c->name);
		return (dns_lookup_ptr(resolver, (struct sockaddr *) &ss,
		    capture_cb, cap));
	case DNSL:
		ss = inet(c->name);
		return (dns_lookup_dnsl(resolver, (struct sockaddr *) &ss,
		    "zone.test", capture_cb, cap));
	}
	return (NULL);
}

/* run_cases - run a table of lookups concurrently, then check each */

static void
run_cases(const struct lookup_case *cases, size_t n)
{
	struct capture *caps = mem_zalloc(n, sizeof(*caps));
	size_t	i;

	for (i = 0; i < n; i++) {
		cr_assert_not_null(start_lookup(&cases[i], &caps[i]), "%s",
		    cases[i].label);
		cr_assert_eq(caps[i].calls, 0, "%s: called back at once",
		    cases[i].label);
	}
	run();
	for (i = 0; i < n; i++) {
		cr_expect_eq(caps[i].calls, 1, "%s: %d calls", cases[i].label,
		    caps[i].calls);
		cr_expect_str_eq(caps[i].summary, cases[i].want,
		    "%s: got \"%s\", want \"%s\"", cases[i].label,
		    caps[i].summary, cases[i].want);
	}
	mem_free(caps);
}

TestSuite(dns, .init = setup, .fini = teardown);

Test(dns, addresses, .timeout = TEST_TIMEOUT)
{
	static const struct lookup_case cases[] = {
		{"A and AAAA", ADDR, "a.test", AF_UNSPEC,
		    "found a=192.0.2.1,2001:db8::1"},
		{"A only asked", ADDR, "a.test", AF_INET, "found a=192.0.2.1"},
		{"AAAA only asked", ADDR, "a.test", AF_INET6,
		    "found a=2001:db8::1"},
		{"trailing dot", ADDR, "a.test.", AF_INET, "found a=192.0.2.1"},
		{"upper case", ADDR, "A.TEST", AF_INET, "found a=192.0.2.1"},
		{"only A exists", ADDR, "v4only.test", AF_UNSPEC,
		    "found a=192.0.2.2"},
		{"only AAAA exists", ADDR, "v6only.test", AF_UNSPEC,
		    "found a=2001:db8::2"},
		{"AAAA of an A-only name", ADDR, "v4only.test", AF_INET6,
		    "not found NoData"},
		{"two A records", ADDR, "multi.test", AF_INET,
		    "found a=192.0.2.3,192.0.2.4"},
		{"NXDOMAIN", ADDR, "missing.test", AF_UNSPEC,
		    "not found NXDomain"},
		{"NXDOMAIN A", ADDR, "missing.test", AF_INET,
		    "not found NXDomain"},
		{"NODATA", ADDR, "nodata.test", AF_UNSPEC, "not found NoData"},
		{"SERVFAIL", ADDR, "x.fail.test", AF_UNSPEC,
		    "temporary failure ServFail"},
		{"REFUSED outside the test zones", ADDR, "example.com",
		    AF_INET, "temporary failure Refused"},
		{"empty label", ADDR, "a..test", AF_UNSPEC,
		    "not found BadName"},
		{"empty name", ADDR, "", AF_UNSPEC, "not found BadName"},
		{"space in name", ADDR, "a test", AF_UNSPEC,
		    "not found BadName"},
		{"label of 64", ADDR, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaa.test", AF_UNSPEC,
		    "not found BadName"},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(dns, mx, .timeout = TEST_TIMEOUT)
{
	static const struct lookup_case cases[] = {
		{"preference order, ties by name", MX, "mx.test",
		    AF_UNSPEC,
		    "found mx=10:mx1.test(192.0.2.11) 10:mx1b.test(192.0.2.12) "
		    "20:mx2.test(192.0.2.20,2001:db8::20)"},
		{"IPv4 only", MX, "mx.test", AF_INET,
		    "found mx=10:mx1.test(192.0.2.11) 10:mx1b.test(192.0.2.12) "
		    "20:mx2.test(192.0.2.20)"},
		{"best exchanger has no address", MX, "mxpart.test", AF_UNSPEC,
		    "found mx=5:ghost.test(NXDomain) 10:mx1.test(192.0.2.11)"},
		{"implicit MX", MX, "nomx.test", AF_UNSPEC,
		    "found implicit-mx=0:nomx.test(192.0.2.30)"},
		{"null MX", MX, "nullmx.test", AF_UNSPEC, "not found NullMX"},
		{"NXDOMAIN", MX, "missing.test", AF_UNSPEC,
		    "not found NXDomain"},
		{"no MX and no address", MX, "nodata.test", AF_UNSPEC,
		    "not found NoData implicit-mx=0:nodata.test(NoData)"},
		{"exchanger does not exist", MX, "mxghost.test", AF_UNSPEC,
		    "not found NXDomain mx=10:ghost.test(NXDomain)"},
		{"exchanger lookup fails: temporary", MX, "mxfail.test",
		    AF_UNSPEC, "temporary failure ServFail "
		    "mx=10:x.fail.test(ServFail) 20:ghost.test(NXDomain)"},
		{"SERVFAIL", MX, "y.fail.test", AF_UNSPEC,
		    "temporary failure ServFail"},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(dns, txt_ptr_dnsl, .timeout = TEST_TIMEOUT)
{
	static const struct lookup_case cases[] = {
		{"TXT", TXT, "txt.test", 0, "found txt=[v=spf1 -all]"},
		{"TXT strings joined", TXT, "txt2.test", 0,
		    "found txt=[part one part two]"},
		{"TXT NODATA", TXT, "a.test", 0, "not found NoData"},
		{"TXT NXDOMAIN", TXT, "missing.test", 0, "not found NXDomain"},
		{"TXT SERVFAIL", TXT, "t.fail.test", 0,
		    "temporary failure ServFail"},
		{"PTR", PTR, "127.0.0.2", 0, "found names=mail.test"},
		{"two PTR", PTR, "127.0.0.5", 0,
		    "found names=other.test,good5.test"},
		{"PTR IPv6", PTR, "2001:db8::2", 0, "found names=v6only.test"},
		{"PTR v4-mapped", PTR, "::ffff:127.0.0.2", 0,
		    "found names=mail.test"},
		{"no PTR", PTR, "127.0.0.4", 0, "not found NXDomain"},
		{"PTR SERVFAIL", PTR, "127.0.0.66", 0,
		    "temporary failure ServFail"},
		{"PTR not a host name", PTR, "127.0.0.8", 0,
		    "temporary failure BadResponse"},
		{"DNS list: listed", DNSL, "127.0.0.2", 0,
		    "found a=127.0.0.2"},
		{"DNS list: not listed", DNSL, "127.0.0.9", 0,
		    "not found NXDomain"},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(dns, dnsl_reputation_text, .timeout = TEST_TIMEOUT)
{
	struct sockaddr_storage ss = inet("127.0.0.2");
	struct capture cap = {0};
	struct buf name;

	buf_init(&name, 0);
	cr_assert_eq(dns_reverse_name(&name, (struct sockaddr *) &ss,
	    "zone.test"), 0);
	cr_assert_str_eq(name.data, "2.0.0.127.zone.test");
	(void) dns_lookup_txt(resolver, name.data, capture_cb, &cap);
	run();
	cr_expect_eq(cap.calls, 1);
	cr_expect_str_eq(cap.summary, "found txt=[listed: test]");
	buf_fini(&name);
}

struct verify_case {
	const char *label;
	const char *addr;
	const char *want;
};

Test(dns, verify_client, .timeout = TEST_TIMEOUT)
{
	static const struct verify_case cases[] = {
		{"forward confirmed", "127.0.0.2", "verified mail.test yes"},
		{"v4-mapped client", "::ffff:127.0.0.2",
		    "verified mail.test yes"},
		{"second PTR name confirms", "127.0.0.5",
		    "verified good5.test yes"},
		{"IPv6 confirmed", "2001:db8::2", "verified v6only.test yes"},
		{"A does not match", "127.0.0.3", "PTR/A mismatch liar.test no"},
		{"IPv6: no AAAA for the name", "2001:db8::3",
		    "PTR/A mismatch liar.test no"},
		{"PTR name does not exist", "127.0.0.6",
		    "PTR/A mismatch ghost6.test no"},
		{"no PTR", "127.0.0.4", "no PTR unknown no NXDomain"},
		{"PTR SERVFAIL", "127.0.0.66",
		    "temporary failure unknown no ServFail"},
		{"PTR not a host name", "127.0.0.8",
		    "temporary failure unknown no BadResponse"},
		{"forward SERVFAIL", "127.0.0.7",
		    "temporary failure fwd.fail.test no ServFail"},
	};
	size_t	n = sizeof(cases) / sizeof(cases[0]);
	struct capture caps[sizeof(cases) / sizeof(cases[0])];
	size_t	i;

	memset(caps, 0, sizeof(caps));
	for (i = 0; i < n; i++) {
		struct sockaddr_storage ss = inet(cases[i].addr);

		cr_assert_not_null(dns_verify_client(resolver,
		    (struct sockaddr *) &ss, verify_cb, &caps[i]));
	}
	run();
	for (i = 0; i < n; i++) {
		cr_expect_eq(caps[i].calls, 1, "%s: %d calls", cases[i].label,
		    caps[i].calls);
		cr_expect_str_eq(caps[i].summary, cases[i].want,
		    "%s: got \"%s\", want \"%s\"", cases[i].label,
		    caps[i].summary, cases[i].want);
	}
}

Test(dns, many_concurrent, .timeout = TEST_TIMEOUT)
{
	enum { N = 1000 };
	struct capture *caps = mem_zalloc(N, sizeof(*caps));
	char	name[64];
	size_t	i;

	for (i = 0; i < N; i++) {
		if (i % 2 == 0)
			(void) snprintf(name, sizeof(name), "a.test");
		else
			(void) snprintf(name, sizeof(name), "m%zu.test", i);
		(void) dns_lookup_addr(resolver, name, AF_INET, capture_cb,
		    &caps[i]);
	}
	run();
	for (i = 0; i < N; i++) {
		cr_assert_eq(caps[i].calls, 1, "query %zu: %d calls", i,
		    caps[i].calls);
		cr_assert_str_eq(caps[i].summary, i % 2 == 0 ?
		    "found a=192.0.2.1" : "not found NXDomain", "query %zu", i);
	}
	mem_free(caps);
}

/* The callbacks of two lookups cancel each other: only one may run. */

Test(dns, cancel_from_a_callback, .timeout = TEST_TIMEOUT)
{
	struct capture a = {0};
	struct capture b = {0};
	struct dns_query *qa;
	struct dns_query *qb;

	qa = dns_lookup_addr(resolver, "a.test", AF_INET, capture_cb, &a);
	qb = dns_lookup_addr(resolver, "v4only.test", AF_INET, capture_cb,
	    &b);
	a.other = &qb;
	b.other = &qa;
	run();
	cr_expect_eq(a.calls + b.calls, 1, "a %d calls, b %d calls", a.calls,
	    b.calls);
}

/* Cancelling a lookup whose result is ready but not yet delivered. */

Test(dns, cancel_before_delivery, .timeout = TEST_TIMEOUT)
{
	struct capture cap = {0};
	struct dns_query *q;

	q = dns_lookup_addr(resolver, "bad..name", AF_UNSPEC, capture_cb,
	    &cap);
	cr_assert_eq(cap.calls, 0, "called back inside dns_lookup_addr");
	dns_query_cancel(q);
	run();
	cr_expect_eq(cap.calls, 0);
}

/* self_cancel_cb - cancel one's own lookup: allowed, does nothing */

static void
self_cancel_cb(const struct dns_result *res, void *ctx)
{
	struct dns_query **qp = ctx;

	dns_query_cancel(*qp);
	*qp = NULL;
}

Test(dns, cancel_self_in_callback, .timeout = TEST_TIMEOUT)
{
	struct dns_query *q;

	q = dns_lookup_addr(resolver, "a.test", AF_UNSPEC, self_cancel_cb, &q);
	run();
	cr_expect_null(q);
}

struct free_ctx {
	int	calls;
	int	cancelled;
	int	found;
};

/* free_in_cb - the first answer frees the resolver */

static void
free_in_cb(const struct dns_result *res, void *ctx)
{
	struct free_ctx *fc = ctx;

	fc->calls++;
	if (res->status == DNS_CANCELLED) {
		fc->cancelled++;
		return;
	}
	fc->found++;
	if (resolver != NULL) {
		struct dns *dns = resolver;

		resolver = NULL;
		(void) dns_free(dns);
	}
}

Test(dns, free_in_callback, .timeout = TEST_TIMEOUT)
{
	struct free_ctx fc = {0};
	int	i;

	for (i = 0; i < 5; i++)
		(void) dns_lookup_mx(resolver, "mx.test", AF_UNSPEC,
		    free_in_cb, &fc);
	run();
	cr_expect_null(resolver);
	cr_expect_eq(fc.calls, 5);
	cr_expect_eq(fc.found, 1);
	cr_expect_eq(fc.cancelled, 4);
}

TestSuite(dns_fail, .init = setup_loop_only, .fini = teardown_loop_only);

/* silent_server - a UDP socket that never answers (queries time out) */

static int
silent_server(char *out, size_t size)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int	fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_neq(fd, -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *) &sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *) &sin, &len), 0);
	(void) snprintf(out, size, "127.0.0.1:%d", ntohs(sin.sin_port));
	return (fd);
}

Test(dns_fail, unreachable_servers, .timeout = TEST_TIMEOUT)
{
	char	s1[32];
	char	s2[32];
	const char *servers[] = {s1, s2};
	struct sockaddr_storage ss = inet("127.0.0.2");
	struct capture cap[3];
	struct capture vcap = {0};

	memset(cap, 0, sizeof(cap));
	(void) snprintf(s1, sizeof(s1), "127.0.0.1:%d",
	    dns_unbound_free_port());
	(void) snprintf(s2, sizeof(s2), "127.0.0.1:%d",
	    dns_unbound_free_port());
	resolver = start_resolver(servers, 2, 500, 2);
	cr_assert_not_null(resolver);
	(void) dns_lookup_mx(resolver, "example.test", AF_UNSPEC, capture_cb,
	    &cap[0]);
	(void) dns_lookup_addr(resolver, "example.test", AF_UNSPEC,
	    capture_cb, &cap[1]);
	(void) dns_lookup_ptr(resolver, (struct sockaddr *) &ss, capture_cb,
	    &cap[2]);
	(void) dns_verify_client(resolver, (struct sockaddr *) &ss, verify_cb,
	    &vcap);
	run();
	cr_expect_str_eq(cap[0].summary, "temporary failure unable to reach "
	    "nameserver on any valid IP");
	cr_expect_str_eq(cap[1].summary, "temporary failure unable to reach "
	    "nameserver on any valid IP");
	cr_expect_str_eq(cap[2].summary, "temporary failure unable to reach "
	    "nameserver on any valid IP");
	cr_expect_str_eq(vcap.summary, "temporary failure unknown no unable "
	    "to reach nameserver on any valid IP");
}

Test(dns_fail, timeout, .timeout = TEST_TIMEOUT)
{
	char	server[32];
	const char *servers[] = {server};
	struct capture cap = {0};
	int	fd = silent_server(server, sizeof(server));

	resolver = start_resolver(servers, 1, 100, 2);
	cr_assert_not_null(resolver);
	(void) dns_lookup_addr(resolver, "a.test", AF_INET, capture_cb, &cap);
	run();
	cr_expect_eq(cap.calls, 1);
	cr_expect_str_eq(cap.summary, "temporary failure unable to reach "
	    "nameserver on any valid IP");
	(void) close(fd);
}

Test(dns_fail, cancel_pending, .timeout = TEST_TIMEOUT)
{
	char	server[32];
	const char *servers[] = {server};
	struct capture cap = {0};
	struct dns_query *q;
	int	fd = silent_server(server, sizeof(server));

	resolver = start_resolver(servers, 1, 100, 1);
	cr_assert_not_null(resolver);
	q = dns_lookup_mx(resolver, "a.test", AF_UNSPEC, capture_cb, &cap);
	cr_assert_not_null(q);
	/* One loop pass: the query is sent and still waiting. */
	(void) uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(cap.calls, 0);
	dns_query_cancel(q);
	run();
	cr_expect_eq(cap.calls, 0, "a cancelled lookup called back");
	(void) close(fd);
}

Test(dns_fail, cancel_all_and_free, .timeout = TEST_TIMEOUT)
{
	char	server[32];
	const char *servers[] = {server};
	struct capture cap[6];
	struct capture vcap = {0};
	struct capture late = {0};
	struct sockaddr_storage ss = inet("127.0.0.2");
	int	fd = silent_server(server, sizeof(server));
	int	i;

	memset(cap, 0, sizeof(cap));
	resolver = start_resolver(servers, 1, 5000, 2);
	cr_assert_not_null(resolver);
	for (i = 0; i < 3; i++)
		(void) dns_lookup_addr(resolver, "a.test", AF_UNSPEC,
		    capture_cb, &cap[i]);
	(void) dns_verify_client(resolver, (struct sockaddr *) &ss, verify_cb,
	    &vcap);
	(void) uv_run(&loop, UV_RUN_NOWAIT);
	dns_cancel_all(resolver);
	for (i = 0; i < 3; i++) {
		cr_expect_eq(cap[i].calls, 1, "lookup %d: %d calls", i,
		    cap[i].calls);
		cr_expect_str_eq(cap[i].summary, "cancelled Cancelled");
	}
	cr_expect_eq(vcap.calls, 1);
	cr_expect_str_eq(vcap.summary, "cancelled unknown no Cancelled");

	/* The resolver still works after dns_cancel_all(). */
	for (i = 3; i < 6; i++)
		(void) dns_lookup_txt(resolver, "a.test", capture_cb, &cap[i]);
	(void) dns_lookup_addr(resolver, "a..test", AF_UNSPEC, capture_cb,
	    &late);
	resolver = dns_free(resolver);
	for (i = 3; i < 6; i++)
		cr_expect_str_eq(cap[i].summary, "cancelled Cancelled");
	cr_expect_eq(late.calls, 1);
	run();
	for (i = 0; i < 6; i++)
		cr_expect_eq(cap[i].calls, 1, "lookup %d: %d calls", i,
		    cap[i].calls);
	cr_expect_eq(late.calls, 1);
	(void) close(fd);
}

struct server_case {
	const char *label;
	const char *server;
	bool	ok;
};

static char captured[512];

/* capture_msg - keep the last diagnostic */

static void
capture_msg(enum msg_level level, const char *text, void *ctx)
{
	(void) snprintf(captured, sizeof(captured), "%s", text);
}

Test(dns_fail, server_syntax, .timeout = TEST_TIMEOUT)
{
	static const struct server_case cases[] = {
		{"IPv4", "127.0.0.1", true},
		{"IPv4 and port", "127.0.0.1:5353", true},
		{"IPv6", "::1", true},
		{"IPv6 and port", "[::1]:5353", true},
		{"IPv6 in brackets", "[2001:db8::1]", true},
		{"empty", "", false},
		{"port 0", "127.0.0.1:0", false},
		{"port too big", "127.0.0.1:65536", false},
		{"port not a number", "127.0.0.1:dns", false},
		{"signed port", "127.0.0.1:+53", false},
		{"empty port", "127.0.0.1:", false},
		{"host name", "ns.example.com", false},
		{"open bracket", "[::1", false},
		{"junk after bracket", "[::1]x", false},
		{"IPv4 in brackets with port", "[127.0.0.1]:53", true},
	};
	size_t	i;

	msg_stderr_set(0);
	msg_sink_set(capture_msg, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *servers[] = {cases[i].server};
		struct dns *dns;

		captured[0] = 0;
		dns = start_resolver(servers, 1, 0, 0);
		cr_expect_eq(dns != NULL, cases[i].ok, "%s: %s", cases[i].label,
		    dns ? "accepted" : captured);
		if (!cases[i].ok)
			cr_expect(strstr(captured, cases[i].server) != NULL,
			    "%s: message \"%s\" does not name the server",
			    cases[i].label, captured);
		dns = dns_free(dns);
	}
	msg_sink_set(NULL, NULL);
}

/* No options: the servers of /etc/resolv.conf, every default. */

Test(dns_fail, default_options, .timeout = TEST_TIMEOUT)
{
	resolver = dns_new(&loop, NULL);
	cr_assert_not_null(resolver);
	resolver = dns_free(resolver);
	cr_expect_null(dns_free(NULL));
}

struct reverse_case {
	const char *label;
	const char *addr;
	const char *zone;
	const char *want;
};

Test(dns_fail, reverse_name, .timeout = TEST_TIMEOUT)
{
	static const struct reverse_case cases[] = {
		{"IPv4", "192.0.2.1", NULL, "1.2.0.192.in-addr.arpa"},
		{"IPv4 in a zone", "127.0.0.2", "zone.test",
		    "2.0.0.127.zone.test"},
		{"zone with a dot", "127.0.0.2", "zone.test.",
		    "2.0.0.127.zone.test"},
		{"v4-mapped", "::ffff:192.0.2.1", NULL,
		    "1.2.0.192.in-addr.arpa"},
		{"IPv6", "2001:db8::1", NULL,
		    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "8.b.d.0.1.0.0.2.ip6.arpa"},
		{"IPv6 in a zone", "::1", "zone6.test",
		    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		    "0.0.0.0.0.0.0.0.zone6.test"},
	};
	struct sockaddr_un_like {
		sa_family_t family;
		char	path[16];
	}	unix_addr = {AF_UNIX, "x"};
	struct buf bp;
	size_t	i;

	buf_init(&bp, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_storage ss = inet(cases[i].addr);

		buf_reset(&bp);
		cr_expect_eq(dns_reverse_name(&bp, (struct sockaddr *) &ss,
		    cases[i].zone), 0, "%s", cases[i].label);
		cr_expect_str_eq(bp.data, cases[i].want, "%s: got %s",
		    cases[i].label, bp.data);
	}
	buf_reset(&bp);
	cr_expect_eq(dns_reverse_name(&bp, (struct sockaddr *) &unix_addr,
	    NULL), -1);
	buf_fini(&bp);
}

struct text_case {
	enum dns_error error;
	const char *text;
};

Test(dns_fail, error_texts, .timeout = TEST_TIMEOUT)
{
	static const struct text_case cases[] = {
		{DNS_E_NONE, ""},
		{DNS_E_NXDOMAIN, "NXDomain"},
		{DNS_E_NODATA, "NoData"},
		{DNS_E_BADNAME, "BadName"},
		{DNS_E_NULLMX, "NullMX"},
		{DNS_E_SERVFAIL, "ServFail"},
		{DNS_E_REFUSED, "Refused"},
		{DNS_E_TIMEOUT,
		    "unable to reach nameserver on any valid IP"},
		{DNS_E_UNREACHABLE,
		    "unable to reach nameserver on any valid IP"},
		{DNS_E_BADRESP, "BadResponse"},
		{DNS_E_CANCELLED, "Cancelled"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(dns_error_text(cases[i].error),
		    cases[i].text, "error %d", (int) cases[i].error);
}

/* A resolver with room for two queries in flight: the rest wait. */

Test(dns, paced_queries, .timeout = TEST_TIMEOUT)
{
	enum { N = 40 };
	struct capture caps[N];
	struct capture vcaps[N];
	struct dns_query *qs[N];
	struct dns_options opts;
	struct sockaddr_storage ss = inet("127.0.0.2");
	const char *server = ub->server;
	struct dns *dns;
	size_t	i;

	memset(caps, 0, sizeof(caps));
	memset(vcaps, 0, sizeof(vcaps));
	memset(&opts, 0, sizeof(opts));
	opts.servers = &server;
	opts.nservers = 1;
	opts.flags = DNS_FLAG_STABLE;
	opts.max_inflight = 2;
	dns = dns_new(&loop, &opts);
	cr_assert_not_null(dns);
	for (i = 0; i < N; i++) {
		qs[i] = dns_lookup_mx(dns, "mx.test", AF_UNSPEC, capture_cb,
		    &caps[i]);
		(void) dns_verify_client(dns, (struct sockaddr *) &ss,
		    verify_cb, &vcaps[i]);
	}
	/* Abandon every other MX lookup while its queries wait. */
	for (i = 1; i < N; i += 2)
		dns_query_cancel(qs[i]);
	run();
	for (i = 0; i < N; i++) {
		cr_expect_eq(caps[i].calls, i % 2 == 0, "mx %zu: %d calls", i,
		    caps[i].calls);
		if (i % 2 == 0)
			cr_expect_str_eq(caps[i].summary,
			    "found mx=10:mx1.test(192.0.2.11) "
			    "10:mx1b.test(192.0.2.12) "
			    "20:mx2.test(192.0.2.20,2001:db8::20)", "mx %zu", i);
		cr_expect_eq(vcaps[i].calls, 1, "verify %zu", i);
		cr_expect_str_eq(vcaps[i].summary, "verified mail.test yes",
		    "verify %zu", i);
	}

	/* Freed with queries waiting: all are cancelled, nothing leaks. */
	memset(caps, 0, sizeof(caps));
	for (i = 0; i < N; i++)
		(void) dns_lookup_mx(dns, "mx.test", AF_UNSPEC, capture_cb,
		    &caps[i]);
	dns = dns_free(dns);
	for (i = 0; i < N; i++)
		cr_expect_str_eq(caps[i].summary, "cancelled Cancelled",
		    "mx %zu", i);
	run();
	for (i = 0; i < N; i++)
		cr_expect_eq(caps[i].calls, 1, "mx %zu: %d calls", i,
		    caps[i].calls);
}

/* A TXT answer of 3 kB: truncated over UDP, fetched again over TCP. */

Test(dns, txt_over_tcp, .timeout = TEST_TIMEOUT)
{
	struct capture cap = {0};
	struct buf want;
	int	i;

	buf_init(&want, 0);
	buf_puts(&want, "found txt=[");
	for (i = 0; i < BIG_TXT_STRINGS; i++)
		buf_printf(&want, "%0*d", BIG_TXT_LEN, i);
	buf_puts(&want, "]");
	(void) dns_lookup_txt(resolver, "big.test", capture_cb, &cap);
	run();
	cr_expect_eq(cap.calls, 1);
	cr_expect_str_eq(cap.summary, want.data);
	buf_fini(&want);
}

/* Without DNS_FLAG_STABLE equal preferences come in both orders. */

Test(dns, mx_ties_shuffled, .timeout = TEST_TIMEOUT)
{
	enum { N = 64 };
	static const char first[] = "found mx=10:mx1.test(192.0.2.11) "
	    "10:mx1b.test(192.0.2.12) 20:mx2.test(192.0.2.20)";
	static const char second[] = "found mx=10:mx1b.test(192.0.2.12) "
	    "10:mx1.test(192.0.2.11) 20:mx2.test(192.0.2.20)";
	struct capture caps[N];
	struct dns_options opts;
	const char *server = ub->server;
	struct dns *dns;
	int	nfirst = 0;
	int	nsecond = 0;
	size_t	i;

	memset(caps, 0, sizeof(caps));
	memset(&opts, 0, sizeof(opts));
	opts.servers = &server;
	opts.nservers = 1;
	dns = dns_new(&loop, &opts);
	cr_assert_not_null(dns);
	for (i = 0; i < N; i++)
		(void) dns_lookup_mx(dns, "mx.test", AF_INET, capture_cb,
		    &caps[i]);
	run();
	for (i = 0; i < N; i++) {
		cr_expect_eq(caps[i].calls, 1);
		if (strcmp(caps[i].summary, first) == 0)
			nfirst++;
		else if (strcmp(caps[i].summary, second) == 0)
			nsecond++;
		else
			cr_expect_fail("mx %zu: unexpected \"%s\"", i,
			    caps[i].summary);
	}
	/* Each order has odds 2^-64 of never showing up. */
	cr_expect_gt(nfirst, 0, "%d first, %d second", nfirst, nsecond);
	cr_expect_gt(nsecond, 0, "%d first, %d second", nfirst, nsecond);
	dns = dns_free(dns);
}
