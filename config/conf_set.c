/*
 * NAME
 *	conf_set - assign one parameter by path ("mtad -o name=value")
 * SYNOPSIS
 *	#include "conf.h"
 *
 *	int	conf_set(struct conf *cf, const char *path,
 *		const char *value, struct buf *errors);
 *	int	conf_set_option(struct conf *cf, const char *assignment,
 *		struct buf *errors);
 * DESCRIPTION
 *	See conf.h. The path is resolved to an object and a parameter of
 *	the table; the value goes through the loader's parser, then the
 *	whole-configuration checks run. When anything fails the previous
 *	value is put back, so cf is never left half-changed.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"
#include "conf_param.h"
#include "conf_priv.h"

struct conf_target {
	enum conf_scope scope;
	void   *obj;
	const char *rel;		/* path of the parameter in the scope */
	uint32_t *setmask;		/* of a named policy or destination */
	struct conf_listener *lp;	/* listener of a policy or group */
};

static const struct conf_loc conf_set_loc = {"-o", 0, 0};

/* conf_set_error - report one conf_set() problem */

static int MSG_PRINTFLIKE(3, 4)
conf_set_error(struct buf *errors, const char *path, const char *fmt, ...)
{
	va_list	ap;

	buf_printf(errors, "-o: %s: ", path);
	va_start(ap, fmt);
	buf_vprintf(errors, fmt, ap);
	va_end(ap);
	buf_putc(errors, '\n');
	return (-1);
}

/* conf_set_index - the text of "TEXT]" at cp, and what follows it */

static char *
conf_set_index(const char *cp, const char **end)
{
	const char *close = strchr(cp, ']');

	if (close == NULL || close == cp)
		return (NULL);
	*end = close + 1;
	return (mem_strndup(cp, (size_t) (close - cp)));
}

/* conf_set_number - a list index below count, or -1 */

static long
conf_set_number(const char *text, size_t count)
{
	char   *end;
	long	idx;

	if (*text < '0' || *text > '9')
		return (-1);
	idx = strtol(text, &end, 10);
	if (*end != 0 || idx < 0 || (size_t) idx >= count)
		return (-1);
	return (idx);
}

/* conf_set_split - split "NAME.param" at the last dot; NAME is copied */

static char *
conf_set_split(const char *cp, const char **param)
{
	const char *dot = strrchr(cp, '.');

	if (dot == NULL || dot == cp)
		return (NULL);
	*param = dot + 1;
	return (mem_strndup(cp, (size_t) (dot - cp)));
}

/* conf_set_listener - resolve the part of a path after listeners[..]. */

static int
conf_set_listener(struct conf_listener *lp, const char *rest,
	const char *path, struct conf_target *tp, struct buf *errors)
{
	const char *cp = "";
	char   *name;
	long	idx;
	size_t	i;

	tp->scope = CONF_SCOPE_LISTENER;
	tp->obj = lp;
	tp->rel = rest;
	tp->lp = lp;
	if (strncmp(rest, "default_policy.", 15) == 0) {
		tp->scope = CONF_SCOPE_POLICY;
		tp->obj = &lp->default_policy;
		tp->setmask = &lp->default_policy.set;
		tp->rel = rest + 15;
	} else if (strncmp(rest, "policies.", 9) == 0) {
		if ((name = conf_set_split(rest + 9, &tp->rel)) == NULL)
			return (conf_set_error(errors, path, "expected "
			    "policies.NAME.PARAMETER"));
		for (i = 0; i < lp->policy_count; i++)
			if (strcmp(lp->policies[i].name, name) == 0)
				break;
		if (i == lp->policy_count) {
			conf_set_error(errors, path, "no policy \"%s\"", name);
			mem_free(name);
			return (-1);
		}
		mem_free(name);
		tp->scope = CONF_SCOPE_POLICY;
		tp->obj = &lp->policies[i];
		tp->setmask = &lp->policies[i].set;
	} else if (strncmp(rest, "sender_groups[", 14) == 0) {
		idx = -1;
		if ((name = conf_set_index(rest + 14, &cp)) != NULL) {
			idx = conf_set_number(name, lp->sender_group_count);
			mem_free(name);
		}
		if (idx < 0 || *cp != '.')
			return (conf_set_error(errors, path, "no such sender "
			    "group"));
		tp->scope = CONF_SCOPE_GROUP;
		tp->obj = &lp->sender_groups[idx];
		tp->rel = cp + 1;
	}
	return (0);
}

/* conf_set_resolve - find the object and parameter a path names */

static int
conf_set_resolve(struct conf *cf, const char *path, struct conf_target *tp,
	struct buf *errors)
{
	const char *cp = "";
	const char *rel;
	char   *name;
	long	idx;
	size_t	i;

	memset(tp, 0, sizeof(*tp));
	tp->scope = CONF_SCOPE_GLOBAL;
	tp->obj = cf;
	tp->rel = path;
	if (strncmp(path, "listeners[", 10) == 0) {
		idx = -1;
		if ((name = conf_set_index(path + 10, &cp)) != NULL) {
			idx = conf_set_number(name, cf->listener_count);
			for (i = 0; idx < 0 && i < cf->listener_count; i++)
				if (strcmp(cf->listeners[i].name, name) == 0)
					idx = (long) i;
			mem_free(name);
		}
		if (idx < 0 || *cp != '.')
			return (conf_set_error(errors, path, "no such "
			    "listener"));
		return (conf_set_listener(&cf->listeners[idx], cp + 1, path, tp,
		    errors));
	}
	if (strncmp(path, "certificates.", 13) == 0) {
		if ((name = conf_set_split(path + 13, &rel)) == NULL)
			return (conf_set_error(errors, path, "expected "
			    "certificates.NAME.PARAMETER"));
		for (i = 0; i < cf->cert_count; i++)
			if (strcmp(cf->certs[i].name, name) == 0)
				break;
		mem_free(name);
		if (i == cf->cert_count)
			return (conf_set_error(errors, path, "no such "
			    "certificate"));
		tp->scope = CONF_SCOPE_CERT;
		tp->obj = &cf->certs[i];
		tp->rel = rel;
	} else if (strncmp(path, "bounce_profiles.", 16) == 0) {
		if ((name = conf_set_split(path + 16, &rel)) == NULL)
			return (conf_set_error(errors, path, "expected "
			    "bounce_profiles.NAME.PARAMETER"));
		for (i = 0; i < cf->bounce_count; i++)
			if (strcmp(cf->bounces[i].name, name) == 0)
				break;
		mem_free(name);
		if (i == cf->bounce_count)
			return (conf_set_error(errors, path, "no such bounce "
			    "profile"));
		tp->scope = CONF_SCOPE_BOUNCE;
		tp->obj = &cf->bounces[i];
		tp->rel = rel;
	} else if (strncmp(path, "destination_controls.default.", 29) == 0) {
		tp->scope = CONF_SCOPE_DEST;
		tp->obj = &cf->dest.def;
		tp->setmask = &cf->dest.def.set;
		tp->rel = path + 29;
	} else if (strncmp(path, "destination_controls.domains.", 29) == 0) {
		if ((name = conf_set_split(path + 29, &rel)) == NULL)
			return (conf_set_error(errors, path, "expected "
			    "destination_controls.domains.DESTINATION."
			    "PARAMETER"));
		for (i = 0; i < cf->dest.domain_count; i++)
			if (strcasecmp(cf->dest.domains[i].destination,
			    name) == 0)
				break;
		mem_free(name);
		if (i == cf->dest.domain_count)
			return (conf_set_error(errors, path, "no such "
			    "destination"));
		tp->scope = CONF_SCOPE_DEST;
		tp->obj = &cf->dest.domains[i];
		tp->setmask = &cf->dest.domains[i].set;
		tp->rel = rel;
	}
	return (0);
}

/* conf_set_unknown - report an unknown parameter, with a suggestion */

static int
conf_set_unknown(enum conf_scope scope, const char *rel, const char *path,
	struct buf *errors)
{
	const char **cands = mem_zalloc(conf_param_count, sizeof(*cands));
	struct buf hint;
	size_t	i, n = 0;

	for (i = 0; i < conf_param_count; i++)
		if (conf_params[i].scope == scope)
			cands[n++] = conf_params[i].path;
	buf_init(&hint, 0);
	conf_suggest(rel, cands, n, &hint);
	conf_set_error(errors, path, "unknown parameter%s", buf_cstr(&hint));
	buf_fini(&hint);
	mem_free(cands);
	return (-1);
}

/*
 * conf_set_owned - a changed predefined policy or sender group is the
 * operator's now, so that conf_dump() writes it out; a sender group's
 * policy name now comes from the command line.
 */
static void
conf_set_owned(const struct conf_target *tp, const struct conf_param *pp)
{
	struct conf_sender_group *gp;
	size_t	i;

	if (tp->scope == CONF_SCOPE_POLICY)
		((struct conf_policy *) tp->obj)->predefined = 0;
	if (tp->scope == CONF_SCOPE_GROUP) {
		for (i = 0; i < tp->lp->sender_group_count; i++)
			tp->lp->sender_groups[i].predefined = 0;
		gp = tp->obj;
		if (&gp->policy == conf_field(pp, gp))
			gp->policy_loc = conf_set_loc;
	}
}

/* conf_set - assign one parameter, with full validation */

int
conf_set(struct conf *cf, const char *path, const char *value,
	struct buf *errors)
{
	struct conf_target t;
	const struct conf_param *pp;
	const struct conf_loc *lp;
	struct conf_loc old_loc;
	union conf_value val;
	uint32_t old_set = 0;
	struct buf why;
	void   *field;

	if (conf_set_resolve(cf, path, &t, errors) < 0)
		return (-1);
	if ((pp = conf_param_find(t.scope, t.rel)) == NULL)
		return (conf_set_unknown(t.scope, t.rel, path, errors));
	/* The type decides the predefined policies and sender groups. */
	if (t.scope == CONF_SCOPE_LISTENER && strcmp(t.rel, "type") == 0)
		return (conf_set_error(errors, path, "cannot be overridden; "
		    "change it in the file"));
	memset(&val, 0, sizeof(val));
	buf_init(&why, 0);
	if (conf_param_parse(pp, value, &val, &why) < 0) {
		conf_set_error(errors, path, "%s", buf_cstr(&why));
		buf_fini(&why);
		return (-1);
	}
	field = conf_field(pp, t.obj);
	lp = conf_vloc_get(cf, field, NULL);
	old_loc = lp ? *lp : conf_set_loc;
	conf_value_swap(pp, t.obj, &val);
	conf_vloc_set(cf, field, &conf_set_loc);
	if (t.setmask != NULL) {
		old_set = *t.setmask;
		*t.setmask |= 1U << pp->index;
	}
	conf_inherit(cf);
	buf_reset(&why);
	if (conf_check(cf, &why) > 0) {
		buf_append(errors, why.data, why.len);
		buf_fini(&why);
		conf_value_swap(pp, t.obj, &val);
		conf_param_free(pp, &val);
		conf_vloc_set(cf, field, &old_loc);
		if (t.setmask != NULL)
			*t.setmask = old_set;
		conf_inherit(cf);
		return (-1);
	}
	buf_fini(&why);
	conf_param_free(pp, &val);
	conf_set_owned(&t, pp);
	conf_hostname(cf);
	if (field == &cf->log.syslog.target)
		cf->log.syslog.target_loc = conf_set_loc;
	return (0);
}

/* conf_set_option - conf_set() from "path=value" */

int
conf_set_option(struct conf *cf, const char *assignment, struct buf *errors)
{
	const char *eq = strchr(assignment, '=');
	char   *path;
	int	ret;

	if (eq == NULL || eq == assignment) {
		buf_printf(errors, "-o: \"%s\": expected NAME=VALUE\n",
		    assignment);
		return (-1);
	}
	path = mem_strndup(assignment, (size_t) (eq - assignment));
	ret = conf_set(cf, path, eq + 1, errors);
	mem_free(path);
	return (ret);
}
