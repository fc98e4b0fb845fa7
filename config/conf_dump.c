/*
 * NAME
 *	conf_dump - the effective configuration as YAML
 * SYNOPSIS
 *	#include "conf.h"
 *
 *	void	conf_dump(const struct conf *cf, struct buf *out);
 * DESCRIPTION
 *	conf_dump() appends YAML in the schema of the configuration file,
 *	in the order of the parameter table, with every value the daemon
 *	will use. Inherited policy and destination parameters are left out
 *	(so that reading the text back keeps them inherited), and so are
 *	the predefined policies and sender groups a listener did not
 *	override; a comment names them.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "mem.h"

#include "conf.h"
#include "conf_param.h"
#include "conf_priv.h"

#define CONF_DUMP_DEPTH	8

typedef void conf_dump_hook(const struct conf *, const char *, int,
	struct buf *);

/* conf_dump_indent - append indentation for a nesting level */

static void
conf_dump_indent(struct buf *out, int level)
{
	int	i;

	for (i = 0; i < level; i++)
		buf_puts(out, "  ");
}

/* conf_dump_key - append "KEY:" with a quoted key when needed */

static void
conf_dump_key(struct buf *out, int level, const char *key)
{
	conf_dump_indent(out, level);
	conf_param_quote(key, out);
	buf_putc(out, ':');
}

static conf_dump_hook conf_dump_global_hook;

/*
 * conf_dump_params - append the parameters of a scope, opening nested
 * mappings for dotted paths; hook is called as each mapping closes.
 */
static void
conf_dump_params(const struct conf *cf, enum conf_scope scope,
	const void *obj, int level, uint32_t mask, int use_mask,
	conf_dump_hook *hook, struct buf *out)
{
	const struct conf_param *pp;
	const char *open[CONF_DUMP_DEPTH];
	size_t	open_len[CONF_DUMP_DEPTH];
	int	depth = 0;
	const char *path, *dot, *comp;
	size_t	i, n;
	int	d;

	for (i = 0; i < conf_param_count; i++) {
		pp = &conf_params[i];
		if (pp->scope != scope)
			continue;
		if (use_mask && !(mask & (1U << pp->index)))
			continue;
		path = pp->path;
		/* Close the open mappings that this path is not inside. */
		for (d = 0; d < depth; d++) {
			if (strncmp(path, open[d], open_len[d]) != 0
			    || path[open_len[d]] != '.')
				break;
		}
		while (depth > d) {
			depth--;
			if (hook != NULL) {
				char   *sec = mem_strndup(open[depth],
				    open_len[depth]);

				hook(cf, sec, level + depth + 1, out);
				mem_free(sec);
			}
		}
		/* Open the mappings this path needs. */
		while ((dot = strchr(path + (depth ? open_len[depth - 1] + 1 :
		    0), '.')) != NULL) {
			if (depth == CONF_DUMP_DEPTH)
				msg_panic("conf_dump: %s is nested too deep",
				    path);
			comp = path + (depth ? open_len[depth - 1] + 1 : 0);
			n = (size_t) (dot - comp);
			conf_dump_indent(out, level + depth);
			buf_append(out, comp, n);
			buf_puts(out, ":\n");
			open[depth] = path;
			open_len[depth] = (size_t) (dot - path);
			depth++;
		}
		comp = path + (depth ? open_len[depth - 1] + 1 : 0);
		conf_dump_key(out, level + depth, comp);
		buf_putc(out, ' ');
		conf_param_format(pp, conf_field(pp, obj), out);
		buf_putc(out, '\n');
	}
	while (depth > 0) {
		depth--;
		if (hook != NULL) {
			char   *sec = mem_strndup(open[depth], open_len[depth]);

			hook(cf, sec, level + depth + 1, out);
			mem_free(sec);
		}
	}
}

/* conf_dump_texts - append a list of strings as a block sequence */

static void
conf_dump_texts(const char *key, const struct conf_text *list, size_t count,
	int level, struct buf *out)
{
	size_t	i;

	conf_dump_indent(out, level);
	buf_printf(out, "%s:", key);
	if (count == 0) {
		buf_puts(out, " []\n");
		return;
	}
	buf_putc(out, '\n');
	for (i = 0; i < count; i++) {
		conf_dump_indent(out, level + 1);
		buf_puts(out, "- ");
		conf_param_quote(list[i].text, out);
		buf_putc(out, '\n');
	}
}

/* conf_dump_dest - one destination entry, only what it sets */

static void
conf_dump_dest(const struct conf *cf, const struct conf_dest *dp, int level,
	int use_mask, struct buf *out)
{
	conf_dump_key(out, level, use_mask ? dp->destination : "default");
	if (use_mask && dp->set == 0) {
		buf_puts(out, " {}\n");
		return;
	}
	buf_putc(out, '\n');
	conf_dump_params(cf, CONF_SCOPE_DEST, dp, level + 1, dp->set, use_mask,
	    NULL, out);
}

/* conf_dump_global_hook - structured entries that close a section */

static void
conf_dump_global_hook(const struct conf *cf, const char *section, int level,
	struct buf *out)
{
	size_t	i;

	if (strcmp(section, "alerts") == 0) {
		if (cf->alerts.recipient_count > 0)
			conf_dump_texts("recipients", cf->alerts.recipients,
			    cf->alerts.recipient_count, level, out);
	} else if (strcmp(section, "dns") == 0) {
		if (cf->dns.server_count > 0)
			conf_dump_texts("servers", cf->dns.servers,
			    cf->dns.server_count, level, out);
	} else if (strcmp(section, "destination_controls") == 0) {
		conf_dump_dest(cf, &cf->dest.def, level, 0, out);
		if (cf->dest.domain_count == 0)
			return;
		conf_dump_indent(out, level);
		buf_puts(out, "domains:\n");
		for (i = 0; i < cf->dest.domain_count; i++)
			conf_dump_dest(cf, &cf->dest.domains[i], level + 1, 1,
			    out);
	}
}

/* conf_dump_policy - one named policy, only what it sets */

static void
conf_dump_policy(const struct conf *cf, const struct conf_policy *pp,
	int level, struct buf *out)
{
	conf_dump_key(out, level, pp->name);
	if (pp->set == 0) {
		buf_puts(out, " {}\n");
		return;
	}
	buf_putc(out, '\n');
	conf_dump_params(cf, CONF_SCOPE_POLICY, pp, level + 1, pp->set, 1,
	    NULL, out);
}

/* conf_dump_listener - one listener */

static void
conf_dump_listener(const struct conf *cf, const struct conf_listener *lp,
	struct buf *out)
{
	const struct conf_sender_group *gp;
	size_t	i, n;

	buf_puts(out, "  -\n");
	conf_dump_params(cf, CONF_SCOPE_LISTENER, lp, 2, 0, 0, NULL, out);
	conf_dump_indent(out, 2);
	buf_puts(out, "default_policy:\n");
	conf_dump_params(cf, CONF_SCOPE_POLICY, &lp->default_policy, 3, 0, 0,
	    NULL, out);
	for (i = n = 0; i < lp->policy_count; i++)
		n += !lp->policies[i].predefined;
	if (n > 0) {
		conf_dump_indent(out, 2);
		buf_puts(out, "policies:\n");
		for (i = 0; i < lp->policy_count; i++)
			if (!lp->policies[i].predefined)
				conf_dump_policy(cf, &lp->policies[i], 3, out);
	}
	if (n < lp->policy_count) {
		conf_dump_indent(out, 2);
		buf_puts(out, "# predefined policies:");
		for (i = 0; i < lp->policy_count; i++)
			if (lp->policies[i].predefined)
				buf_printf(out, " %s", lp->policies[i].name);
		buf_putc(out, '\n');
	}
	if (lp->sender_group_count > 0 && lp->sender_groups[0].predefined) {
		conf_dump_indent(out, 2);
		buf_puts(out, "# predefined sender groups:");
		for (i = 0; i < lp->sender_group_count; i++)
			buf_printf(out, " %s", lp->sender_groups[i].name);
		buf_putc(out, '\n');
		return;
	}
	conf_dump_indent(out, 2);
	buf_puts(out, "sender_groups:");
	if (lp->sender_group_count == 0) {
		buf_puts(out, " []\n");
		return;
	}
	buf_putc(out, '\n');
	for (i = 0; i < lp->sender_group_count; i++) {
		gp = &lp->sender_groups[i];
		buf_puts(out, "      -\n");
		conf_dump_params(cf, CONF_SCOPE_GROUP, gp, 4, 0, 0, NULL, out);
		conf_dump_texts("members", gp->members, gp->member_count, 4,
		    out);
	}
}

/* conf_dump - append the effective configuration as YAML */

void
conf_dump(const struct conf *cf, struct buf *out)
{
	const struct conf_cert *cp;
	const struct conf_bounce *bp;
	size_t	i;

	conf_dump_params(cf, CONF_SCOPE_GLOBAL, cf, 0, 0, 0,
	    conf_dump_global_hook, out);
	if (cf->sbrs.table_count > 0 || cf->sbrs.dnslist_count > 0) {
		buf_puts(out, "sbrs:\n");
		if (cf->sbrs.table_count > 0) {
			buf_puts(out, "  table:\n");
			for (i = 0; i < cf->sbrs.table_count; i++) {
				conf_dump_key(out, 2,
				    cf->sbrs.table[i].network);
				buf_printf(out, " %.6g\n",
				    cf->sbrs.table[i].score);
			}
		}
		if (cf->sbrs.dnslist_count > 0)
			conf_dump_texts("dnslists", cf->sbrs.dnslists,
			    cf->sbrs.dnslist_count, 1, out);
	}
	if (cf->route_count > 0) {
		buf_puts(out, "smtp_routes:\n");
		for (i = 0; i < cf->route_count; i++)
			conf_dump_texts(cf->routes[i].domain,
			    cf->routes[i].hosts, cf->routes[i].host_count, 1,
			    out);
	}
	if (cf->smarthost_count > 0) {
		buf_puts(out, "smarthosts:\n");
		for (i = 0; i < cf->smarthost_count; i++) {
			conf_dump_key(out, 1, cf->smarthosts[i].name);
			buf_putc(out, '\n');
			conf_dump_params(cf, CONF_SCOPE_SMARTHOST,
			    &cf->smarthosts[i], 2, 0, 0, NULL, out);
		}
	}
	buf_puts(out, "certificates:\n");
	for (i = 0; i < cf->cert_count; i++) {
		cp = &cf->certs[i];
		conf_dump_key(out, 1, cp->name);
		buf_putc(out, '\n');
		conf_dump_params(cf, CONF_SCOPE_CERT, cp, 2, 0, 0, NULL, out);
	}
	buf_puts(out, "bounce_profiles:\n");
	for (i = 0; i < cf->bounce_count; i++) {
		bp = &cf->bounces[i];
		conf_dump_key(out, 1, bp->name);
		buf_putc(out, '\n');
		conf_dump_params(cf, CONF_SCOPE_BOUNCE, bp, 2, 0, 0, NULL, out);
	}
	if (cf->listener_count == 0) {
		buf_puts(out, "listeners: []\n");
		return;
	}
	buf_puts(out, "listeners:\n");
	for (i = 0; i < cf->listener_count; i++)
		conf_dump_listener(cf, &cf->listeners[i], out);
}
