/*
 * NAME
 *	policy_conf - policies from the configuration
 * DESCRIPTION
 *	See policy_conf.h. The configuration loader has already applied the
 *	inheritance of policy parameters from the listener's
 *	default_policy, so every policy is handed to policy/ fully set.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

#include "conf.h"

#include "policy_flow.h"
#include "policy_hat.h"
#include "policy_member.h"
#include "policy_destctl.h"
#include "policy_route.h"

#include "policy_conf.h"

/* policy_conf_loc - a config location as a policy location */

static struct policy_loc
policy_conf_loc(const struct conf_loc *loc)
{
	struct policy_loc pl;

	pl.file = loc->file;
	pl.line = loc->line;
	pl.column = loc->column;
	return (pl);
}

/* policy_conf_text - an optional text: "" means "the usual one" */

static const char *
policy_conf_text(const char *text)
{
	return (text && *text ? text : NULL);
}

/* policy_conf_flow - a configured policy as a mail flow policy */

static void
policy_conf_flow(const struct conf_policy *cp, struct policy_flow *fp)
{
	static const enum policy_action action[] = {
		[CONF_CONN_ACCEPT] = POLICY_ACTION_ACCEPT,
		[CONF_CONN_RELAY] = POLICY_ACTION_RELAY,
		[CONF_CONN_REJECT] = POLICY_ACTION_REJECT,
		[CONF_CONN_TCPREFUSE] = POLICY_ACTION_TCPREFUSE,
	};
	static const enum policy_inbound_tls tls[] = {
		[CONF_TLS_OFF] = POLICY_ITLS_OFF,
		[CONF_TLS_PREFERRED] = POLICY_ITLS_PREFERRED,
		[CONF_TLS_REQUIRED] = POLICY_ITLS_REQUIRED,
	};
	static const enum policy_auth auth[] = {
		[CONF_AUTH_OFF] = POLICY_AUTH_OFF,
		[CONF_AUTH_PREFERRED] = POLICY_AUTH_PREFERRED,
		[CONF_AUTH_REQUIRED] = POLICY_AUTH_REQUIRED,
	};

	policy_flow_init(fp);
	fp->name = cp->name;
	fp->action = action[cp->connection];
	fp->max_msgs_per_conn = cp->max_msgs_per_session;
	fp->max_rcpts_per_msg = cp->max_rcpts_per_msg;
	fp->max_msg_size = (long) cp->max_message_size;
	fp->max_conns_per_ip = cp->max_concurrency;
	fp->banner_code = cp->smtp_banner_code;
	fp->banner_text = policy_conf_text(cp->smtp_banner_text);
	fp->reject_code = cp->reject_banner_code;
	fp->reject_text = policy_conf_text(cp->reject_banner_text);
	fp->max_rcpts_per_hour = cp->max_rcpts_per_hour;
	fp->rate_code = cp->max_rcpts_per_hour_code;
	fp->rate_text = policy_conf_text(cp->max_rcpts_per_hour_text);
	fp->tls = tls[cp->tls];
	fp->tls_verify_client = cp->tls_verify_client ? POLICY_BOOL_ON
	    : POLICY_BOOL_OFF;
	fp->sender_dns_verify = cp->sender_dns_verification ? POLICY_BOOL_ON
	    : POLICY_BOOL_OFF;
	fp->auth = auth[cp->smtp_auth];
	fp->auth_require_tls = cp->require_tls_for_auth ? POLICY_BOOL_ON
	    : POLICY_BOOL_OFF;
}

/* policy_conf_hat - compile a listener's HAT */

struct policy_hat *
policy_conf_hat(const struct conf_listener *cl, struct buf *err)
{
	struct policy_hat *hat = policy_hat_new();
	struct policy_flow flow;
	struct policy_loc loc;
	size_t	i, j;
	int	bad = 0;

	policy_conf_flow(&cl->default_policy, &flow);
	loc = policy_conf_loc(&cl->default_policy.loc);
	bad |= policy_hat_set_defaults(hat, &flow, &loc, err) != 0;
	for (i = 0; i < cl->policy_count; i++) {
		policy_conf_flow(cl->policies + i, &flow);
		loc = policy_conf_loc(&cl->policies[i].loc);
		bad |= policy_hat_add_policy(hat, cl->policies[i].name, &flow,
		    &loc, err) != 0;
	}
	for (i = 0; i < cl->sender_group_count; i++) {
		const struct conf_sender_group *sg = cl->sender_groups + i;

		loc = policy_conf_loc(&sg->policy_loc);
		if (policy_hat_add_group(hat, sg->name, sg->policy, &loc,
		    err) != 0) {
			bad = 1;
			continue;
		}
		for (j = 0; j < sg->member_count; j++) {
			loc = policy_conf_loc(&sg->members[j].loc);
			bad |= policy_hat_add_member(hat, sg->name,
			    sg->members[j].text, &loc, err) < 0;
		}
	}
	loc = policy_conf_loc(&cl->loc);
	bad |= policy_hat_set_all(hat, cl->all_policy, &loc, err) != 0;
	if (bad || policy_hat_finish(hat, err) != 0)
		return (policy_hat_free(hat));
	return (hat);
}

/* policy_conf_sbrs - compile the static SenderBase table */

int
policy_conf_sbrs(const struct conf *cf, struct policy_conf_sbrs **tablep,
    size_t *countp, struct buf *err)
{
	struct policy_conf_sbrs *table;
	size_t	i, n = 0;
	int	bad = 0;

	table = mem_zalloc(cf->sbrs.table_count + 1, sizeof(*table));
	for (i = 0; i < cf->sbrs.table_count; i++) {
		const struct conf_sbrs_entry *e = cf->sbrs.table + i;
		struct policy_loc loc = policy_conf_loc(&e->loc);
		struct policy_member *mp;

		if ((mp = policy_member_parse(e->network, &loc, err)) == NULL) {
			bad = 1;
			continue;
		}
		table[n].network = mp;
		table[n].tenths = (int) lround(e->score * 10.0);
		n++;
	}
	if (bad) {
		policy_conf_sbrs_free(table, n);
		return (-1);
	}
	*tablep = table;
	*countp = n;
	return (0);
}

/* policy_conf_sbrs_free - release the table */

void
policy_conf_sbrs_free(struct policy_conf_sbrs *table, size_t count)
{
	size_t	i;

	for (i = 0; i < count; i++)
		policy_member_free(table[i].network);
	mem_free(table);
}

/* policy_conf_sbrs_lookup - the static score of a peer */

int
policy_conf_sbrs_lookup(const struct policy_conf_sbrs *table, size_t count,
    const struct policy_peer *peer, int *tenths)
{
	size_t	i;

	for (i = 0; i < count; i++) {
		if (policy_member_match(table[i].network, peer) == 1) {
			*tenths = table[i].tenths;
			return (1);
		}
	}
	return (0);
}

/* policy_conf_dest_entry - one Destination Controls row as a policy entry */

static void
policy_conf_dest_entry(const struct conf_dest *dp,
	struct policy_destctl_entry *ep)
{
	static const enum policy_tls_level tls[] = {
		[CONF_TLS_OUT_NONE] = POLICY_TLS_NONE,
		[CONF_TLS_OUT_PREFERRED] = POLICY_TLS_PREFERRED,
		[CONF_TLS_OUT_REQUIRED] = POLICY_TLS_REQUIRED,
		[CONF_TLS_OUT_PREFERRED_VERIFY] = POLICY_TLS_PREFERRED_VERIFY,
		[CONF_TLS_OUT_REQUIRED_VERIFY] = POLICY_TLS_REQUIRED_VERIFY,
	};

	policy_destctl_entry_init(ep);
	ep->tls = tls[dp->tls];
	ep->concurrency = dp->max_concurrency;
	ep->max_msgs_per_conn = dp->max_msgs_per_conn;
	ep->rcpt_limit = dp->max_rcpts;
	ep->rcpt_minutes = (long) (dp->rcpts_interval / 60);
	ep->bounce_profile = policy_conf_text(dp->bounce_profile);
}

/* policy_conf_destctl - compile destination_controls */

struct policy_destctl *
policy_conf_destctl(const struct conf *cf, struct buf *err)
{
	struct policy_destctl *dc = policy_destctl_new();
	struct policy_destctl_entry entry;
	struct policy_loc loc;
	size_t	i;
	int	bad = 0;

	policy_conf_dest_entry(&cf->dest.def, &entry);
	loc = policy_conf_loc(&cf->dest.def.loc);
	if (policy_destctl_set_default(dc, &entry, &loc, err) != 0)
		bad = 1;
	for (i = 0; i < cf->dest.domain_count; i++) {
		const struct conf_dest *dp = cf->dest.domains + i;

		policy_conf_dest_entry(dp, &entry);
		loc = policy_conf_loc(&dp->loc);
		if (policy_destctl_add(dc, dp->destination, &entry, &loc,
		    err) != 0)
			bad = 1;
	}
	policy_destctl_set_global(dc, cf->dest.tls_failure_alert,
	    policy_conf_text(cf->dest.certificate));
	if (bad)
		dc = policy_destctl_free(dc);
	return (dc);
}

/* policy_conf_routes - compile smtp_routes */

struct policy_route *
policy_conf_routes(const struct conf *cf, struct buf *err)
{
	struct policy_route *rt = policy_route_new();
	struct policy_loc loc;
	size_t	i, j;
	int	bad = 0;

	for (i = 0; i < cf->route_count; i++) {
		const struct conf_route *cr = cf->routes + i;

		loc = policy_conf_loc(&cr->loc);
		if (policy_route_add(rt, cr->domain, &loc, err) != 0) {
			bad = 1;
			continue;
		}
		for (j = 0; j < cr->host_count; j++) {
			loc = policy_conf_loc(&cr->hosts[j].loc);
			if (policy_route_add_host(rt, cr->domain,
			    cr->hosts[j].text, &loc, err) != 0)
				bad = 1;
		}
	}
	if (bad)
		rt = policy_route_free(rt);
	return (rt);
}

/* policy_conf_check - would the policies compile */

int
policy_conf_check(const struct conf *cf, struct buf *err)
{
	struct policy_conf_sbrs *table;
	struct policy_destctl *dc;
	struct policy_route *rt;
	size_t	count;
	size_t	i;
	int	bad = 0;

	for (i = 0; i < cf->listener_count; i++) {
		struct policy_hat *hat = policy_conf_hat(cf->listeners + i, err);

		if (hat == NULL)
			bad = 1;
		policy_hat_free(hat);
	}
	if (policy_conf_sbrs(cf, &table, &count, err) != 0)
		bad = 1;
	else
		policy_conf_sbrs_free(table, count);
	if ((dc = policy_conf_destctl(cf, err)) == NULL)
		bad = 1;
	policy_destctl_free(dc);
	if ((rt = policy_conf_routes(cf, err)) == NULL)
		bad = 1;
	policy_route_free(rt);
	return (bad ? -1 : 0);
}
