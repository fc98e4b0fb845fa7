/*
 * NAME
 *	policy_hat - Host Access Table: sender groups to mail flow policy
 * DESCRIPTION
 *	See policy_hat.h. A HAT copies everything it is given, so the
 *	configuration that fed it may be freed once policy_hat_finish()
 *	returns. Groups and policies are few (tens): they live in arrays
 *	searched linearly; members are tried in order at each connection.
 */
#include "config.h"

#include <sys/socket.h>

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "policy.h"
#include "policy_flow.h"
#include "policy_member.h"
#include "policy_table.h"
#include "policy_hat.h"

 /*
  * Where a group or the ALL row was configured, kept for the errors
  * that policy_hat_finish() reports.
  */
struct policy_hat_where {
	char   *file;
	int	line;
	int	column;
};

struct policy_hat_policy {
	char   *name;
	struct policy_flow raw;		/* as configured, strings owned */
	struct policy_flow resolved;	/* after finish */
};

struct policy_hat_group {
	char   *name;
	char   *policy_name;
	struct policy_hat_where where;
	const struct policy_flow *flow;	/* after finish */
	struct policy_member **members;
	size_t	count;
	size_t	size;
	struct policy_table *seen;	/* member keys, until finish */
};

struct policy_hat {
	int	finished;
	int	have_defaults;
	struct policy_flow defaults;	/* strings owned */
	struct policy_hat_policy **policies;
	size_t	npolicies;
	struct policy_hat_group **groups;
	size_t	ngroups;
	char   *all_policy;
	struct policy_hat_where all_where;
	const struct policy_flow *all_flow;
	const char **dnslists;
	size_t	ndnslists;
	int	uses_sbrs;
};

/* policy_hat_where_set - remember a location */

static void
policy_hat_where_set(struct policy_hat_where *wp, const struct policy_loc *loc)
{
	wp->file = mem_free(wp->file);
	wp->line = wp->column = 0;
	if (loc != NULL && loc->file != NULL) {
		wp->file = mem_strdup(loc->file);
		wp->line = loc->line;
		wp->column = loc->column;
	}
}

/* policy_hat_where_loc - a policy_loc view of a remembered location */

static struct policy_loc
policy_hat_where_loc(const struct policy_hat_where *wp)
{
	struct policy_loc loc;

	loc.file = wp->file;
	loc.line = wp->line;
	loc.column = wp->column;
	return (loc);
}

/* policy_hat_strdup - copy a string that may be NULL */

static const char *
policy_hat_strdup(const char *s)
{
	return (s ? mem_strdup(s) : NULL);
}

/* policy_hat_flow_copy - deep copy of a policy's strings */

static void
policy_hat_flow_copy(struct policy_flow *dst, const struct policy_flow *src)
{
	*dst = *src;
	dst->name = policy_hat_strdup(src->name);
	dst->banner_text = policy_hat_strdup(src->banner_text);
	dst->reject_text = policy_hat_strdup(src->reject_text);
	dst->rate_text = policy_hat_strdup(src->rate_text);
}

/* policy_hat_flow_fini - release a deep copy */

static void
policy_hat_flow_fini(struct policy_flow *fp)
{
	mem_free((void *) fp->name);
	mem_free((void *) fp->banner_text);
	mem_free((void *) fp->reject_text);
	mem_free((void *) fp->rate_text);
}

/* policy_hat_new - empty HAT */

struct policy_hat *
policy_hat_new(void)
{
	struct policy_hat *hat = mem_zalloc(1, sizeof(*hat));

	policy_flow_init(&hat->defaults);
	return (hat);
}

/* policy_hat_free - release a HAT */

struct policy_hat *
policy_hat_free(struct policy_hat *hat)
{
	size_t	i, j;

	if (hat == NULL)
		return (NULL);
	for (i = 0; i < hat->npolicies; i++) {
		mem_free(hat->policies[i]->name);
		policy_hat_flow_fini(&hat->policies[i]->raw);
		mem_free(hat->policies[i]);
	}
	mem_free(hat->policies);
	for (i = 0; i < hat->ngroups; i++) {
		struct policy_hat_group *gp = hat->groups[i];

		for (j = 0; j < gp->count; j++)
			policy_member_free(gp->members[j]);
		mem_free(gp->members);
		policy_table_free(gp->seen, NULL);
		mem_free(gp->name);
		mem_free(gp->policy_name);
		mem_free(gp->where.file);
		mem_free(gp);
	}
	mem_free(hat->groups);
	policy_hat_flow_fini(&hat->defaults);
	mem_free(hat->all_policy);
	mem_free(hat->all_where.file);
	mem_free(hat->dnslists);
	mem_free(hat);
	return (NULL);
}

/* policy_hat_writable - panic when the HAT is already finished */

static void
policy_hat_writable(const struct policy_hat *hat, const char *who)
{
	if (hat->finished)
		msg_panic("%s: HAT already finished", who);
}

/* policy_hat_name_ok - a group or policy name: printable, no spaces */

static int
policy_hat_name_ok(const char *what, const char *name,
    const struct policy_loc *loc, struct buf *err)
{
	const unsigned char *cp;

	if (name == NULL || *name == 0) {
		policy_error(err, loc, 0, "empty %s name", what);
		return (0);
	}
	for (cp = (const unsigned char *) name; *cp; cp++) {
		if (*cp <= ' ' || *cp >= 0x7f) {
			policy_error(err, loc, 0, "%s name \"%s\": space, "
			    "control or non-ASCII character", what, name);
			return (0);
		}
	}
	return (1);
}

/* policy_hat_find_policy - a policy by exact name */

static struct policy_hat_policy *
policy_hat_find_policy(const struct policy_hat *hat, const char *name)
{
	size_t	i;

	for (i = 0; i < hat->npolicies; i++)
		if (strcmp(hat->policies[i]->name, name) == 0)
			return (hat->policies[i]);
	return (NULL);
}

/* policy_hat_find_group - a group by exact name */

static struct policy_hat_group *
policy_hat_find_group(const struct policy_hat *hat, const char *name)
{
	size_t	i;

	for (i = 0; i < hat->ngroups; i++)
		if (strcmp(hat->groups[i]->name, name) == 0)
			return (hat->groups[i]);
	return (NULL);
}

/* policy_hat_set_defaults - the listener's Default Policy Parameters */

int
policy_hat_set_defaults(struct policy_hat *hat,
    const struct policy_flow *defaults, const struct policy_loc *loc,
    struct buf *err)
{
	policy_hat_writable(hat, "policy_hat_set_defaults");
	if (policy_flow_check(defaults, loc, err) < 0)
		return (-1);
	policy_hat_flow_fini(&hat->defaults);
	policy_hat_flow_copy(&hat->defaults, defaults);
	hat->have_defaults = 1;
	return (0);
}

/* policy_hat_add_policy - a named mail flow policy */

int
policy_hat_add_policy(struct policy_hat *hat, const char *name,
    const struct policy_flow *flow, const struct policy_loc *loc,
    struct buf *err)
{
	struct policy_hat_policy *pp;

	policy_hat_writable(hat, "policy_hat_add_policy");
	if (!policy_hat_name_ok("policy", name, loc, err))
		return (-1);
	if (policy_hat_find_policy(hat, name) != NULL) {
		policy_error(err, loc, 0, "mail flow policy \"%s\" is already "
		    "defined", name);
		return (-1);
	}
	if (policy_flow_check(flow, loc, err) < 0)
		return (-1);
	pp = mem_zalloc(1, sizeof(*pp));
	pp->name = mem_strdup(name);
	policy_hat_flow_copy(&pp->raw, flow);
	mem_free((void *) pp->raw.name);
	pp->raw.name = mem_strdup(name);
	hat->policies = mem_realloc(hat->policies, hat->npolicies + 1,
	    sizeof(*hat->policies));
	hat->policies[hat->npolicies++] = pp;
	return (0);
}

/* policy_hat_add_group - append a sender group */

int
policy_hat_add_group(struct policy_hat *hat, const char *group,
    const char *policy, const struct policy_loc *loc, struct buf *err)
{
	struct policy_hat_group *gp;

	policy_hat_writable(hat, "policy_hat_add_group");
	if (!policy_hat_name_ok("sender group", group, loc, err)
	    || !policy_hat_name_ok("policy", policy, loc, err))
		return (-1);
	if (strcasecmp(group, "ALL") == 0 || strcasecmp(group, "None") == 0) {
		policy_error(err, loc, 0, "\"%s\" cannot name a sender group "
		    "(ALL is the implicit last row, None is how the log names "
		    "it)", group);
		return (-1);
	}
	if (policy_hat_find_group(hat, group) != NULL) {
		policy_error(err, loc, 0, "sender group \"%s\" is already "
		    "defined", group);
		return (-1);
	}
	gp = mem_zalloc(1, sizeof(*gp));
	gp->name = mem_strdup(group);
	gp->policy_name = mem_strdup(policy);
	gp->seen = policy_table_new();
	policy_hat_where_set(&gp->where, loc);
	hat->groups = mem_realloc(hat->groups, hat->ngroups + 1,
	    sizeof(*hat->groups));
	hat->groups[hat->ngroups++] = gp;
	return (0);
}

/* policy_hat_add_member - compile a member into a group */

int
policy_hat_add_member(struct policy_hat *hat, const char *group,
    const char *member, const struct policy_loc *loc, struct buf *err)
{
	struct policy_hat_group *gp;
	struct policy_member *mp;
	struct buf *key;

	policy_hat_writable(hat, "policy_hat_add_member");
	if ((gp = policy_hat_find_group(hat, group)) == NULL) {
		policy_error(err, loc, 0, "no sender group \"%s\"", group);
		return (-1);
	}
	if ((mp = policy_member_parse(member, loc, err)) == NULL)
		return (-1);
	key = buf_new(80);
	policy_member_key(mp, key);
	if (!policy_table_enter(gp->seen, str_make(key->data, key->len), mp)) {
		buf_free(key);
		policy_member_free(mp);
		return (0);
	}
	buf_free(key);
	if (gp->count == gp->size) {
		gp->size = gp->size ? gp->size * 2 : 8;
		gp->members = mem_realloc(gp->members, gp->size,
		    sizeof(*gp->members));
	}
	gp->members[gp->count++] = mp;
	return (1);
}

/* policy_hat_set_all - the policy of the implicit ALL row */

int
policy_hat_set_all(struct policy_hat *hat, const char *policy,
    const struct policy_loc *loc, struct buf *err)
{
	policy_hat_writable(hat, "policy_hat_set_all");
	if (!policy_hat_name_ok("policy", policy, loc, err))
		return (-1);
	mem_free(hat->all_policy);
	hat->all_policy = mem_strdup(policy);
	policy_hat_where_set(&hat->all_where, loc);
	return (0);
}

/* policy_hat_resolve_name - a resolved policy, or a located error */

static const struct policy_flow *
policy_hat_resolve_name(const struct policy_hat *hat, const char *name,
    const char *user, const struct policy_hat_where *wp, struct buf *err)
{
	struct policy_hat_policy *pp;
	struct policy_loc loc = policy_hat_where_loc(wp);
	size_t	i;

	if ((pp = policy_hat_find_policy(hat, name)) != NULL)
		return (&pp->resolved);
	for (i = 0; i < hat->npolicies; i++) {
		if (strcasecmp(hat->policies[i]->name, name) == 0) {
			policy_error(err, &loc, 0, "%s: unknown mail flow "
			    "policy \"%s\" (did you mean \"%s\"?)", user, name,
			    hat->policies[i]->name);
			return (NULL);
		}
	}
	policy_error(err, &loc, 0, "%s: unknown mail flow policy \"%s\"", user,
	    name);
	return (NULL);
}

/* policy_hat_finish - resolve names and defaults; make read-only */

int
policy_hat_finish(struct policy_hat *hat, struct buf *err)
{
	struct buf *user = buf_new(64);
	size_t	i, j, k;
	int	bad = 0;

	policy_hat_writable(hat, "policy_hat_finish");
	for (i = 0; i < hat->npolicies; i++)
		policy_flow_resolve(&hat->policies[i]->resolved,
		    &hat->policies[i]->raw,
		    hat->have_defaults ? &hat->defaults : NULL);
	for (i = 0; i < hat->ngroups; i++) {
		struct policy_hat_group *gp = hat->groups[i];

		buf_reset(user);
		buf_printf(user, "sender group \"%s\"", gp->name);
		gp->flow = policy_hat_resolve_name(hat, gp->policy_name,
		    buf_cstr(user), &gp->where, err);
		if (gp->flow == NULL)
			bad = 1;
		for (j = 0; j < gp->count; j++) {
			const char *zone;

			zone = policy_member_dnslist(gp->members[j]);
			if (policy_member_uses_sbrs(gp->members[j]))
				hat->uses_sbrs = 1;
			if (zone == NULL)
				continue;
			for (k = 0; k < hat->ndnslists; k++)
				if (strcasecmp(hat->dnslists[k], zone) == 0)
					break;
			if (k < hat->ndnslists)
				continue;
			hat->dnslists = mem_realloc(hat->dnslists,
			    hat->ndnslists + 1, sizeof(*hat->dnslists));
			hat->dnslists[hat->ndnslists++] = zone;
		}
	}
	if (hat->all_policy == NULL) {
		policy_error(err, NULL, 0, "the HAT has no policy for ALL");
		bad = 1;
	} else if ((hat->all_flow = policy_hat_resolve_name(hat,
	    hat->all_policy, "ALL", &hat->all_where, err)) == NULL)
		bad = 1;
	buf_free(user);
	if (bad)
		return (-1);
	for (i = 0; i < hat->ngroups; i++)
		hat->groups[i]->seen = policy_table_free(hat->groups[i]->seen,
		    NULL);
	hat->finished = 1;
	return (0);
}

/* policy_hat_finished - panic unless the HAT is finished */

static void
policy_hat_finished(const struct policy_hat *hat, const char *who)
{
	if (!hat->finished)
		msg_panic("%s: HAT not finished", who);
}

/* policy_hat_dnslists - zones the caller must query before matching */

size_t
policy_hat_dnslists(const struct policy_hat *hat, const char *const **zones)
{
	policy_hat_finished(hat, "policy_hat_dnslists");
	*zones = hat->dnslists;
	return (hat->ndnslists);
}

/* policy_hat_uses_sbrs - does any member need the SenderBase score */

int
policy_hat_uses_sbrs(const struct policy_hat *hat)
{
	policy_hat_finished(hat, "policy_hat_uses_sbrs");
	return (hat->uses_sbrs);
}

/* policy_hat_match - first group with a matching member, else ALL */

int
policy_hat_match(const struct policy_hat *hat, const struct policy_peer *peer,
    struct policy_hat_result *result)
{
	size_t	i, j;
	int	rc;

	policy_hat_finished(hat, "policy_hat_match");
	for (i = 0; i < hat->ngroups; i++) {
		const struct policy_hat_group *gp = hat->groups[i];

		for (j = 0; j < gp->count; j++) {
			rc = policy_member_match(gp->members[j], peer);
			if (rc < 0)
				return (POLICY_ERROR);
			if (rc == 0)
				continue;
			result->group = gp->name;
			result->match = policy_member_text(gp->members[j]);
			result->flow = gp->flow;
			return (POLICY_FOUND);
		}
	}
	result->group = NULL;
	result->match = "ALL";
	result->flow = hat->all_flow;
	return (POLICY_FOUND);
}

/* policy_hat_policy - a resolved policy by name */

const struct policy_flow *
policy_hat_policy(const struct policy_hat *hat, const char *name)
{
	struct policy_hat_policy *pp;

	policy_hat_finished(hat, "policy_hat_policy");
	pp = policy_hat_find_policy(hat, name);
	return (pp ? &pp->resolved : NULL);
}

/* policy_hat_put_safe - append bytes, "?" for anything not printable */

static void
policy_hat_put_safe(struct buf *out, const char *s)
{
	for (; *s; s++)
		buf_putc(out, (unsigned char) *s > ' '
		    && (unsigned char) *s < 0x7f ? *s : '?');
}

/* policy_hat_expand - replace HAT variables in a banner text */

void
policy_hat_expand(struct buf *out, const char *text,
    const struct policy_hat_result *result, const struct policy_peer *peer)
{
	const char *cp = text, *start;
	struct str name;
	struct buf *ip;

	while (*cp) {
		if (*cp != '$') {
			buf_putc(out, *cp++);
			continue;
		}
		start = ++cp;
		while ((*cp >= 'a' && *cp <= 'z') || (*cp >= 'A' && *cp <= 'Z'))
			cp++;
		name = str_make(start, (size_t) (cp - start));
		if (str_caseeq(name, STR_LIT("Group"))
		    || str_caseeq(name, STR_LIT("HATGroup"))) {
			policy_hat_put_safe(out, result->group ? result->group :
			    "None");
		} else if (str_caseeq(name, STR_LIT("Hostname"))) {
			if (peer->hostname != NULL)
				policy_hat_put_safe(out, peer->hostname);
			else if (peer->ptr == POLICY_PTR_NONE
			    || peer->ptr == POLICY_PTR_OK)
				buf_puts(out, "None");
			else
				buf_puts(out, "Unknown");
		} else if (str_caseeq(name, STR_LIT("RemoteIP"))) {
			if (peer->ip.family != AF_INET
			    && peer->ip.family != AF_INET6) {
				buf_puts(out, "Unknown");
				continue;
			}
			ip = buf_new(64);
			policy_ip_format(&peer->ip, ip);
			buf_append(out, ip->data, ip->len);
			buf_free(ip);
		} else {
			buf_putc(out, '$');
			buf_append(out, name.ptr, name.len);
		}
	}
}

/* policy_hat_predefined_policy - add one predefined policy */

static void
policy_hat_predefined_policy(struct policy_hat *hat, const char *name,
    enum policy_action action, long msgs, long rcpts, long size, long conns,
    long per_hour)
{
	struct policy_flow flow;
	struct buf *err = buf_new(64);

	policy_flow_init(&flow);
	flow.action = action;
	flow.max_msgs_per_conn = msgs;
	flow.max_rcpts_per_msg = rcpts;
	flow.max_msg_size = size;
	flow.max_conns_per_ip = conns;
	flow.max_rcpts_per_hour = per_hour;
	if (policy_hat_add_policy(hat, name, &flow, NULL, err) < 0)
		msg_panic("predefined policy %s: %s", name, buf_cstr(err));
	buf_free(err);
}

/* policy_hat_predefined_group - add one predefined group */

static void
policy_hat_predefined_group(struct policy_hat *hat, const char *name,
    const char *policy, const char *member)
{
	struct buf *err = buf_new(64);

	if (policy_hat_add_group(hat, name, policy, NULL, err) < 0
	    || (member != NULL
	    && policy_hat_add_member(hat, name, member, NULL, err) < 0))
		msg_panic("predefined sender group %s: %s", name,
		    buf_cstr(err));
	buf_free(err);
}

/* policy_hat_predefined - what AsyncOS installs for a listener type */

struct policy_hat *
policy_hat_predefined(enum policy_listener type)
{
	struct policy_hat *hat = policy_hat_new();
	const long D = POLICY_DEFAULT;

	switch (type) {
	case POLICY_LISTENER_PUBLIC:
		policy_hat_predefined_policy(hat, "$BLOCKED",
		    POLICY_ACTION_REJECT, D, D, D, D, D);
		policy_hat_predefined_policy(hat, "$THROTTLED",
		    POLICY_ACTION_ACCEPT, 10, 20, 1048576, 10, 20);
		policy_hat_predefined_policy(hat, "$ACCEPTED",
		    POLICY_ACTION_ACCEPT, 1000, 1000, 104857600, 1000, D);
		policy_hat_predefined_policy(hat, "$TRUSTED",
		    POLICY_ACTION_ACCEPT, 1000, 1000, 104857600, 1000, -1);
		policy_hat_predefined_group(hat, "WHITELIST", "$TRUSTED",
		    NULL);
		policy_hat_predefined_group(hat, "BLACKLIST", "$BLOCKED",
		    "SBRS[-10.0:-3.0]");
		policy_hat_predefined_group(hat, "SUSPECTLIST", "$THROTTLED",
		    "SBRS[-3.0:-1.0]");
		policy_hat_predefined_group(hat, "UNKNOWNLIST", "$ACCEPTED",
		    "SBRS[-1.0:10.0]");
		(void) policy_hat_set_all(hat, "$ACCEPTED", NULL, NULL);
		break;
	case POLICY_LISTENER_PRIVATE:
		policy_hat_predefined_policy(hat, "$RELAYED",
		    POLICY_ACTION_RELAY, D, D, D, D, -1);
		policy_hat_predefined_policy(hat, "$BLOCKED",
		    POLICY_ACTION_REJECT, D, D, D, D, D);
		policy_hat_predefined_group(hat, "RELAYLIST", "$RELAYED",
		    NULL);
		(void) policy_hat_set_all(hat, "$BLOCKED", NULL, NULL);
		break;
	default:
		msg_panic("policy_hat_predefined: bad listener type %d",
		    (int) type);
	}
	return (hat);
}
