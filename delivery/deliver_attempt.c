/*
 * NAME
 *	deliver_attempt - one delivery attempt of a job: policy, next hops,
 *	SMTP
 * DESCRIPTION
 *	See deliver_attempt.h. The attempt owns a uv timer only to call
 *	back from the loop when the policy lookup fails before anything
 *	asynchronous started; it is closed (and the attempt freed) after
 *	done() returns.
 */
#include "config.h"

#include <string.h>

#include <uv.h>

#include "mem.h"
#include "msg.h"
#include "policy.h"
#include "policy_destctl.h"
#include "deliver_mx.h"
#include "deliver_smtp.h"
#include "deliver_cache.h"
#include "deliver_attempt.h"

struct deliver_attempt {
	struct deliver_attempt_opts o;
	char   *domain;
	struct deliver_msg *msg;
	deliver_attempt_fn done;
	void   *ctx;
	uv_timer_t kick;
	unsigned uses;			/* messages on the connection, this one
					 * included */
	long	max_uses;		/* Destination Controls' limit */
};

/* deliver_attempt_opts_init - defaults */

void
deliver_attempt_opts_init(struct deliver_attempt_opts *o)
{
	memset(o, 0, sizeof(*o));
	deliver_smtp_opts_init(&o->smtp);
}

/* da_free_cb - the timer is closed */

static void
da_free_cb(uv_handle_t *h)
{
	struct deliver_attempt *a = h->data;

	mem_free(a->domain);
	mem_free(a);
}

/* da_finish - tell the caller, then go away */

static void
da_finish(struct deliver_attempt *a)
{
	a->done(a->msg, a->ctx);
	(void) uv_timer_stop(&a->kick);
	uv_close((uv_handle_t *) &a->kick, da_free_cb);
}

/* da_smtp_done - the SMTP attempt ended */

static void
da_smtp_done(struct deliver_smtp *ds, struct deliver_msg *msg, void *ctx)
{
	struct deliver_attempt *a = ctx;

	(void) msg;
	if (a->o.cache != NULL && deliver_smtp_reusable(ds)) {
		if (a->uses < a->max_uses)
			deliver_cache_put(a->o.cache, a->domain, a->o.smtp.tls,
			    ds, a->uses);
		else
			deliver_smtp_quit(ds);
	}
	da_finish(a);
}

/* da_hosts - the next hops are known */

static void
da_hosts(const struct deliver_mx_result *r, void *ctx)
{
	struct deliver_attempt *a = ctx;

	if (r->status != DELIVER_MX_FOUND) {
		deliver_mx_fail(r, a->msg, a->o.smtp.log);
		da_finish(a);
		return;
	}
	(void) deliver_smtp_start(a->o.loop, &a->o.smtp, r->hosts, r->nhosts,
	    a->msg, da_smtp_done, a);
}

/* da_broken_cb - the policy lookup failed: defer from the loop */

static void
da_broken_cb(uv_timer_t *t)
{
	struct deliver_attempt *a = t->data;
	struct deliver_mx_result r;
	char	text[300];

	memset(&r, 0, sizeof(r));
	r.status = DELIVER_MX_TEMPFAIL;
	r.domain = a->domain;
	snprintf(text, sizeof(text), "no valid Destination Controls entry "
	    "for %s", a->domain);
	r.text = text;
	r.dsn = "4.3.5";		/* system incorrectly configured */
	deliver_mx_fail(&r, a->msg, a->o.smtp.log);
	da_finish(a);
}

/* da_reuse - send over a parked connection to the destination */

static int
da_reuse(struct deliver_attempt *a)
{
	struct deliver_smtp *ds;
	unsigned uses;

	while ((ds = deliver_cache_take(a->o.cache, a->domain, a->o.smtp.tls,
	    &uses)) != NULL) {
		a->uses = uses + 1;
		if (deliver_smtp_next(ds, a->msg, da_smtp_done, a) == 0)
			return (1);
		deliver_smtp_quit(ds);	/* gone stale while parked */
	}
	return (0);
}

/* deliver_attempt_start - policy, next hops, SMTP */

struct deliver_attempt *
deliver_attempt_start(const struct deliver_attempt_opts *o,
    const char *domain, struct deliver_msg *msg, deliver_attempt_fn done,
    void *ctx)
{
	struct deliver_attempt *a;
	struct policy_destctl_entry entry;
	struct deliver_mx_opts mo;
	const char *matched = NULL;
	int	ret = POLICY_NOTFOUND;

	if (o == NULL || o->loop == NULL || domain == NULL || msg == NULL
	    || done == NULL)
		msg_panic("deliver_attempt_start: null argument");
	a = mem_zalloc(1, sizeof(*a));
	a->o = *o;
	a->domain = mem_strdup(domain);
	a->msg = msg;
	a->done = done;
	a->ctx = ctx;
	(void) uv_timer_init(o->loop, &a->kick);
	a->kick.data = a;
	a->o.smtp.domain = a->domain;
	a->o.smtp.keep = 0;
	a->o.smtp.tls = POLICY_TLS_NONE;
	a->max_uses = DELIVER_ATTEMPT_MAX_USES;
	if (o->destctl != NULL) {
		ret = policy_destctl_lookup(o->destctl, domain, &entry,
		    &matched);
		if (ret == POLICY_ERROR) {
			msg_warn("Destination Controls: no valid entry for "
			    "%s: deferring its mail", domain);
			(void) uv_timer_start(&a->kick, da_broken_cb, 0, 0);
			return (a);
		}
		a->o.smtp.tls = entry.tls == POLICY_TLS_DEFAULT ?
		    POLICY_TLS_NONE : entry.tls;
		a->max_uses = entry.max_msgs_per_conn;
	}
	if (o->cache != NULL && da_reuse(a))
		return (a);
	a->uses = 1;
	a->o.smtp.keep = o->cache != NULL;
	memset(&mo, 0, sizeof(mo));
	mo.loop = o->loop;
	mo.dns = o->dns;
	mo.routes = o->routes;
	mo.family = o->family;
	mo.port = o->port;
	mo.log = o->smtp.log;
	(void) deliver_mx_lookup(&mo, domain, da_hosts, a);
	return (a);
}
