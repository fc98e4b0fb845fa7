/*
 * NAME
 *	deliver_mx_test - next hops from SMTP routes and MX records
 * DESCRIPTION
 *	A private unbound(8) on loopback serves a small zone; the lookups
 *	run on a real libuv loop with lib/dns. Each case checks the status
 *	(found, not found, temporary, /dev/null), the host list in order
 *	and the DNS lines of the mail log. The last cases go end to end:
 *	MX lookup, a first exchanger that refuses the connection, delivery
 *	through the second; and a domain that does not exist, bounced.
 */
#include "config.h"

#include <sys/socket.h>

#include <string.h>

#include <criterion/criterion.h>
#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "tsupport.h"
#include "dns.h"
#include "policy_route.h"
#include "../lib/dns_unbound.h"
#include "policy_destctl.h"
#include "deliver_attempt.h"
#include "deliver_mx.h"
#include "deliver_smtp.h"
#include "deliver_peer.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

static const char zone[] =
    "\tlocal-zone: \"test.\" static\n"
    "\tlocal-data: \"mx.test. 300 IN MX 20 mx2.test.\"\n"
    "\tlocal-data: \"mx.test. 300 IN MX 10 mx1.test.\"\n"
    "\tlocal-data: \"mx1.test. 300 IN A 192.0.2.11\"\n"
    "\tlocal-data: \"mx2.test. 300 IN A 192.0.2.20\"\n"
    "\tlocal-data: \"mx2.test. 300 IN AAAA 2001:db8::20\"\n"
    "\tlocal-data: \"nomx.test. 300 IN A 192.0.2.30\"\n"
    "\tlocal-data: \"nullmx.test. 300 IN MX 0 .\"\n"
    "\tlocal-data: \"relay.test. 300 IN A 192.0.2.40\"\n"
    "\tlocal-data: \"two.test. 300 IN MX 10 down.test.\"\n"
    "\tlocal-data: \"two.test. 300 IN MX 20 up.test.\"\n"
    "\tlocal-data: \"down.test. 300 IN A 127.0.0.2\"\n"
    "\tlocal-data: \"up.test. 300 IN A 127.0.0.1\"\n"
    "\tlocal-data: \"mx.tsup.test. 300 IN A 127.0.0.1\"\n"
    "\tlocal-zone: \"fail.test.\" transparent\n"
    "stub-zone:\n"
    "\tname: \"fail.test.\"\n"
    "\tstub-host: \"ns.nowhere.test.\"\n";

static struct dns_unbound *ub;

/* setup - unbound for the suite's tests */

static void
setup(void)
{
	struct buf why;

	tsup_init();
	buf_init(&why, 0);
	ub = dns_unbound_start(zone, &why);
	cr_assert_not_null(ub, "cannot start unbound: %s", why.data);
	buf_fini(&why);
}

/* teardown - stop unbound */

static void
teardown(void)
{
	if (ub)
		dns_unbound_stop(ub);
	ub = NULL;
	tsup_fini();
}

TestSuite(deliver_mx, .init = setup, .fini = teardown);

struct got {
	int	calls;
	enum deliver_mx_status status;
	struct buf hosts;		/* "name=addr:port pref," ... */
	struct buf text;
};

/* got_cb - record a result */

static void
got_cb(const struct deliver_mx_result *r, void *ctx)
{
	struct got *g = ctx;
	size_t	i;

	g->calls++;
	g->status = r->status;
	for (i = 0; i < r->nhosts; i++)
		buf_printf(&g->hosts, "%s%s=%s:%u/%u%s", i ? " " : "",
		    r->hosts[i].name, r->hosts[i].addr_text, r->hosts[i].port,
		    r->hosts[i].pref, r->hosts[i].from_route ? "r" : "");
	if (r->text)
		buf_puts(&g->text, r->text);
}

/* new_dns - a resolver on loop asking unbound */

static struct dns *
new_dns(uv_loop_t *loop)
{
	struct dns_options o;
	const char *servers[1];

	memset(&o, 0, sizeof(o));
	servers[0] = ub->server;
	o.servers = servers;
	o.nservers = 1;
	o.timeout_ms = 2000;
	o.tries = 1;
	o.flags = DNS_FLAG_STABLE;
	return (dns_new(loop, &o));
}

/* new_routes - the route table of the tests */

static struct policy_route *
new_routes(void)
{
	struct policy_route *rt = policy_route_new();
	struct buf err;

	buf_init(&err, 64);
	cr_assert_eq(policy_route_add(rt, "routed.test", NULL, &err), 0);
	cr_assert_eq(policy_route_add_hosts(rt, "routed.test",
	    "relay.test:2601/pri=10, 192.0.2.50/pri=5", NULL, &err), 0,
	    "%s", err.data);
	cr_assert_eq(policy_route_add(rt, "dropped.test", NULL, &err), 0);
	cr_assert_eq(policy_route_add_hosts(rt, "dropped.test", "/dev/null",
	    NULL, &err), 0, "%s", err.data);
	cr_assert_eq(policy_route_add(rt, "dead.test", NULL, &err), 0);
	cr_assert_eq(policy_route_add_hosts(rt, "dead.test",
	    "nowhere.test", NULL, &err), 0, "%s", err.data);
	cr_assert_eq(policy_route_add(rt, "mx.test", NULL, &err), 0);
	cr_assert_eq(policy_route_add_hosts(rt, "mx.test", "USEDNS", NULL,
	    &err), 0, "%s", err.data);
	buf_fini(&err);
	return (rt);
}

Test(deliver_mx, lookups)
{
	static const struct {
		const char *label;
		const char *domain;
		int	family;
		enum deliver_mx_status want;
		const char *hosts;
		const char *text;
		const char *log;
	} cases[] = {
		{"MX in preference order", "mx.test", AF_UNSPEC,
			DELIVER_MX_FOUND, "mx1.test=192.0.2.11:25/10 "
			"mx2.test=192.0.2.20:25/20 "
		"mx2.test=2001:db8::20:25/20", "", ""},
		{"IPv4 only", "mx.test", AF_INET, DELIVER_MX_FOUND,
			"mx1.test=192.0.2.11:25/10 mx2.test=192.0.2.20:25/20",
		"", ""},
		{"implicit MX", "nomx.test", AF_UNSPEC, DELIVER_MX_FOUND,
		"nomx.test=192.0.2.30:25/0", "", ""},
		{"trailing dot", "nomx.test.", AF_UNSPEC, DELIVER_MX_FOUND,
		"nomx.test=192.0.2.30:25/0", "", ""},
		{"NXDOMAIN", "ghost.test", AF_UNSPEC, DELIVER_MX_NOTFOUND, "",
			"DNS Hard Error looking up ghost.test (MX):  NXDomain",
		"Info: DNS Error ghost.test MX - NXDomain\n"},
		{"null MX", "nullmx.test", AF_UNSPEC, DELIVER_MX_NOTFOUND, "",
			"DNS Hard Error looking up nullmx.test (MX):  NullMX",
		"Info: DNS Error nullmx.test MX - NullMX\n"},
		{"SERVFAIL", "x.fail.test", AF_UNSPEC, DELIVER_MX_TEMPFAIL, "",
			"DNS Soft Error looking up x.fail.test (MX):  ServFail",
		"Info: DNS Temporary Failure x.fail.test MX - ServFail\n"},
		{"route hosts in priority order", "routed.test", AF_UNSPEC,
			DELIVER_MX_FOUND, "192.0.2.50=192.0.2.50:25/5r "
		"relay.test=192.0.2.40:2601/10r", "", ""},
		{"route to /dev/null", "dropped.test", AF_UNSPEC,
		DELIVER_MX_DEVNULL, "", "", ""},
		{"route host that does not exist: no MX fall-back",
			"dead.test", AF_UNSPEC, DELIVER_MX_NOTFOUND, "",
			"DNS Hard Error looking up nowhere.test (MX):  "
			"NXDomain",
		"Info: DNS Error nowhere.test MX - NXDomain\n"},
		{"USEDNS route", "mx.test", AF_INET, DELIVER_MX_FOUND,
			"mx1.test=192.0.2.11:25/10 mx2.test=192.0.2.20:25/20",
		"", ""},
		{"IPv4 literal", "[192.0.2.9]", AF_UNSPEC, DELIVER_MX_FOUND,
		"192.0.2.9=192.0.2.9:25/0", "", ""},
		{"IPv6 literal", "[IPv6:2001:DB8::9]", AF_UNSPEC,
		DELIVER_MX_FOUND, "2001:db8::9=2001:db8::9:25/0", "", ""},
		{"bad literal", "[192.0.2.999]", AF_UNSPEC, DELIVER_MX_NOTFOUND,
		"", "bad domain literal", ""},
	};
	struct policy_route *rt = new_routes();
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct dpeer p;
		struct deliver_mx_opts o;
		struct got g;
		struct dns *dns;

		dpeer_init(&p);
		dns = new_dns(&p.loop);
		cr_assert_not_null(dns);
		memset(&o, 0, sizeof(o));
		o.loop = &p.loop;
		o.dns = dns;
		o.routes = rt;
		o.family = cases[i].family;
		o.log = p.log;
		memset(&g, 0, sizeof(g));
		buf_init(&g.hosts, 64);
		buf_init(&g.text, 64);
		(void) deliver_mx_lookup(&o, cases[i].domain, got_cb, &g);
		cr_assert_eq(g.calls, 0, "%s: called back too early",
		    cases[i].label);
		(void) uv_run(&p.loop, UV_RUN_DEFAULT);
		cr_assert_eq(g.calls, 1, "%s", cases[i].label);
		cr_assert_eq(g.status, cases[i].want, "%s: %s",
		    cases[i].label, deliver_mx_status_name(g.status));
		cr_assert_str_eq(g.hosts.data, cases[i].hosts, "%s",
		    cases[i].label);
		cr_assert_str_eq(g.text.data, cases[i].text, "%s",
		    cases[i].label);
		cr_assert_str_eq(dpeer_log(&p), cases[i].log, "%s",
		    cases[i].label);
		(void) dns_free(dns);
		(void) uv_run(&p.loop, UV_RUN_DEFAULT);
		buf_fini(&g.hosts);
		buf_fini(&g.text);
		dpeer_fini(&p);
	}
	(void) policy_route_free(rt);
}

Test(deliver_mx, cancel_before_the_answer)
{
	struct dpeer p;
	struct deliver_mx_opts o;
	struct got g;
	struct dns *dns;
	struct deliver_mx *mx;

	dpeer_init(&p);
	dns = new_dns(&p.loop);
	memset(&o, 0, sizeof(o));
	o.loop = &p.loop;
	o.dns = dns;
	memset(&g, 0, sizeof(g));
	buf_init(&g.hosts, 64);
	buf_init(&g.text, 64);
	mx = deliver_mx_lookup(&o, "mx.test", got_cb, &g);
	deliver_mx_cancel(mx);
	(void) uv_run(&p.loop, UV_RUN_DEFAULT);
	cr_assert_eq(g.calls, 0);
	(void) dns_free(dns);
	(void) uv_run(&p.loop, UV_RUN_DEFAULT);
	buf_fini(&g.hosts);
	buf_fini(&g.text);
	dpeer_fini(&p);
}

/* The end-to-end attempt: lookup, then delivery or failure. */
struct e2e {
	struct dpeer *p;
	unsigned port;
	int	looked_up;
};

/* e2e_done - the attempt ended */

static void
e2e_done(struct deliver_smtp *ds, struct deliver_msg *msg, void *ctx)
{
	struct e2e *e = ctx;

	(void) ds;
	(void) msg;
	e->p->done_calls++;
}

/* e2e_hosts - the lookup answered: deliver, or fail the recipients */

static void
e2e_hosts(const struct deliver_mx_result *r, void *ctx)
{
	struct e2e *e = ctx;

	e->looked_up++;
	if (r->status != DELIVER_MX_FOUND) {
		deliver_mx_fail(r, &e->p->msg, e->p->log);
		e->p->done_calls++;
		return;
	}
	(void) deliver_smtp_start(&e->p->loop, &e->p->opts, r->hosts,
	    r->nhosts, &e->p->msg, e2e_done, e);
}

Test(deliver_mx, refused_exchanger_then_the_next_one)
{
	static const char *const rcpts[] = {"u@two.test", NULL};
	struct tsup_smtpd_opts so = {.max_conns = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct dpeer p;
	struct deliver_mx_opts o;
	struct dns *dns;
	struct e2e e;

	dpeer_init(&p);
	p.opts.domain = "two.test";
	dpeer_msg(&p, "x\r\n", 3, rcpts);
	dns = new_dns(&p.loop);
	memset(&o, 0, sizeof(o));
	o.loop = &p.loop;
	o.dns = dns;
	o.family = AF_INET;
	o.port = (unsigned) tsup_smtpd_port(s);
	o.log = p.log;
	memset(&e, 0, sizeof(e));
	e.p = &p;
	(void) deliver_mx_lookup(&o, "two.test", e2e_hosts, &e);
	(void) uv_run(&p.loop, UV_RUN_DEFAULT);
	(void) dns_free(dns);
	(void) uv_run(&p.loop, UV_RUN_DEFAULT);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(e.looked_up, 1);
	cr_assert_eq(p.done_calls, 1);
	cr_assert_eq(p.msg.status, DELIVER_OK);
	cr_assert_str_eq(dpeer_log(&p),
	    "Info: Connection Error: DCID N domain: two.test IP:127.0.0.2 "
	    "port: P details: [Errno 111] Connection refused interface: "
	    "0.0.0.0 reason: network error\n"
	    "Info: New SMTP DCID N interface 127.0.0.1 address 127.0.0.1 "
	    "port P\n"
	    "Info: Delivery start DCID N MID N to RID [N]\n"
	    "Info: MID N RID [N] Response '2.0.0 Ok: queued as TSUP1M1'\n"
	    "Info: Message done DCID N MID N to RID [N]\n"
	    "Info: DCID N close\n");
	dpeer_fini(&p);
}

Test(deliver_mx, lookup_failures_become_recipient_results)
{
	static const char *const rcpts[] = {"u@x", "v@x", NULL};
	static const struct {
		const char *label;
		const char *domain;
		enum deliver_status want;
		const char *dsn;
		const char *log;
	} cases[] = {
		{"not found: bounced", "ghost.test", DELIVER_BOUNCE, "5.1.2",
			"Info: DNS Error ghost.test MX - NXDomain\n"
			"Info: Bounced: DCID N MID N to RID N - 5.1.2 - Bad "
			"destination host ('000', ['DNS Hard Error looking up "
			"ghost.test (MX):  NXDomain']) []\n"
			"Info: Bounced: DCID N MID N to RID N - 5.1.2 - Bad "
			"destination host ('000', ['DNS Hard Error looking up "
		"ghost.test (MX):  NXDomain']) []\n"},
		{"temporary: deferred", "y.fail.test", DELIVER_DEFER, "4.4.3",
			"Info: DNS Temporary Failure y.fail.test MX - "
			"ServFail\n"
			"Info: Delayed: DCID N MID N to RID N - 4.4.3 - "
			"Routing server failure ('000', ['DNS Soft Error "
			"looking up y.fail.test (MX):  ServFail'])[]\n"
			"Info: Delayed: DCID N MID N to RID N - 4.4.3 - "
			"Routing "
			"server failure ('000', ['DNS Soft Error looking up "
		"y.fail.test (MX):  ServFail'])[]\n"},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct dpeer p;
		struct deliver_mx_opts o;
		struct dns *dns;
		struct e2e e;

		dpeer_init(&p);
		dpeer_msg(&p, "x\r\n", 3, rcpts);
		dns = new_dns(&p.loop);
		memset(&o, 0, sizeof(o));
		o.loop = &p.loop;
		o.dns = dns;
		o.log = p.log;
		memset(&e, 0, sizeof(e));
		e.p = &p;
		(void) deliver_mx_lookup(&o, cases[i].domain, e2e_hosts, &e);
		(void) uv_run(&p.loop, UV_RUN_DEFAULT);
		(void) dns_free(dns);
		(void) uv_run(&p.loop, UV_RUN_DEFAULT);
		cr_assert_eq(p.done_calls, 1, "%s", cases[i].label);
		cr_assert_eq(p.msg.status, cases[i].want, "%s",
		    cases[i].label);
		cr_assert_eq(p.rcpts[1].result.status, cases[i].want, "%s",
		    cases[i].label);
		cr_assert_str_eq(p.rcpts[0].result.dsn, cases[i].dsn, "%s",
		    cases[i].label);
		cr_assert_str_eq(dpeer_log(&p), cases[i].log, "%s",
		    cases[i].label);
		dpeer_fini(&p);
	}
}

/* attempt_done - the whole attempt ended */

static void
attempt_done(struct deliver_msg *msg, void *ctx)
{
	struct dpeer *p = ctx;

	(void) msg;
	p->done_calls++;
}

Test(deliver_mx, whole_attempt_under_destination_controls)
{
	static const char *const rcpts[] = {"u@tsup.test", NULL};
	static const struct {
		const char *label;
		enum policy_tls_level level;
		int	broken;		/* an entry refused as out of range */
		int	no_starttls;
		enum deliver_status want;
		int	verified;
		int	conns;
	} cases[] = {
		{"required-verify: route host name verified",
		POLICY_TLS_REQUIRED_VERIFY, 0, 0, DELIVER_OK, 1, 1},
		{"required, peer without STARTTLS", POLICY_TLS_REQUIRED, 0, 1,
		DELIVER_DEFER, 0, 1},
		{"broken entry: deferred, no connection", POLICY_TLS_NONE, 1,
		0, DELIVER_DEFER, 0, 0},
	};
	const struct tsup_certs *c = tsup_certs_make(NULL);
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_opts so = {.max_conns = 1,
		.no_starttls = cases[i].no_starttls};
		struct tsup_smtpd *s;
		struct policy_route *rt = policy_route_new();
		struct policy_destctl *dc = policy_destctl_new();
		struct policy_destctl_entry e;
		struct deliver_attempt_opts ao;
		struct dpeer p;
		struct buf err;

		so.tls.cert_file = c->good.chain;
		so.tls.key_file = c->good.key;
		s = tsup_smtpd_start(&so);
		buf_init(&err, 64);
		cr_assert_eq(policy_route_add(rt, "tsup.test", NULL, &err), 0);
		cr_assert_eq(policy_route_add_hosts(rt, "tsup.test",
		    tsup_strf("mx.tsup.test:%d", tsup_smtpd_port(s)), NULL,
		    &err), 0, "%s", err.data);
		policy_destctl_entry_init(&e);
		e.tls = cases[i].level;
		if (cases[i].broken)
			e.concurrency = 0;
		cr_assert_eq(policy_destctl_add(dc, "tsup.test", &e, NULL,
		    &err), cases[i].broken ? -1 : 0, "%s: %s", cases[i].label,
		    err.data);
		buf_fini(&err);

		dpeer_init(&p);
		dpeer_msg(&p, "x\r\n", 3, rcpts);
		deliver_attempt_opts_init(&ao);
		ao.loop = &p.loop;
		ao.dns = new_dns(&p.loop);
		ao.destctl = dc;
		ao.routes = rt;
		ao.family = AF_INET;
		ao.smtp = p.opts;
		ao.smtp.ssl_ctx = dpeer_client_ctx(c->root.cert, NULL);
		(void) deliver_attempt_start(&ao, "tsup.test", &p.msg,
		    attempt_done, &p);
		(void) uv_run(&p.loop, UV_RUN_DEFAULT);
		(void) dns_free(ao.dns);
		(void) uv_run(&p.loop, UV_RUN_DEFAULT);
		SSL_CTX_free(ao.smtp.ssl_ctx);
		if (cases[i].conns == 0)
			tsup_smtpd_stop(s);
		else
			cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
		cr_assert_eq(p.done_calls, 1, "%s", cases[i].label);
		cr_assert_eq(tsup_smtpd_conns(s), cases[i].conns, "%s",
		    cases[i].label);
		cr_assert_eq(p.msg.status, cases[i].want, "%s: %s",
		    cases[i].label, deliver_status_name(p.msg.status));
		cr_assert_eq(p.msg.tls.verified, cases[i].verified, "%s",
		    cases[i].label);
		if (cases[i].verified)
			cr_assert_str_eq(p.msg.tls.matched, "mx.tsup.test");
		if (cases[i].broken) {
			cr_assert_str_eq(p.rcpts[0].result.dsn, "4.3.5");
			cr_assert_str_eq(dpeer_log(&p), "Info: Delayed: DCID N "
			    "MID N to RID N - 4.3.5 - System incorrectly "
			    "configured ('000', ['no valid Destination "
			    "Controls entry for tsup.test'])[]\n");
		}
		dpeer_fini(&p);
		(void) policy_destctl_free(dc);
		(void) policy_route_free(rt);
	}
}
