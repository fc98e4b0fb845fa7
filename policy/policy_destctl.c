/*
 * NAME
 *	policy_destctl - Destination Controls: per-domain delivery settings
 * DESCRIPTION
 *	See policy_destctl.h. Entries live in one hash table keyed by the
 *	normalized destination: the domain without its trailing dot, the
 *	partial domain with its leading dot, or "[" address "]" in the
 *	canonical text of the address. A lookup tries the exact key, then
 *	".suffix" for each suffix from the longest down, so it costs one
 *	probe per label.
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
#include "policy_tls.h"
#include "policy_destctl.h"

#define POLICY_DESTCTL_MAX_KEY	300

struct policy_destctl_item {
	char   *key;			/* as configured, for "matched" */
	int	broken;			/* refused: lookups fail */
	struct policy_destctl_entry entry;	/* bounce_profile owned */
};

struct policy_destctl {
	struct policy_table *table;
	struct policy_destctl_entry defaults;	/* bounce_profile owned */
	int	defaults_broken;	/* refused: every lookup fails */
	int	alert;
	char   *certificate;
};

static const struct policy_destctl_entry policy_destctl_factory = {
	.tls = POLICY_TLS_NONE,
	.concurrency = 500,
	.max_msgs_per_conn = 50,
	.rcpt_limit = -1,
	.rcpt_minutes = 60,
	.bounce_profile = "Default",
};

/* policy_destctl_entry_init - every field "use default" */

void
policy_destctl_entry_init(struct policy_destctl_entry *ep)
{
	ep->tls = POLICY_TLS_DEFAULT;
	ep->concurrency = POLICY_DEFAULT;
	ep->max_msgs_per_conn = POLICY_DEFAULT;
	ep->rcpt_limit = POLICY_DEFAULT;
	ep->rcpt_minutes = POLICY_DEFAULT;
	ep->bounce_profile = NULL;
}

/* policy_destctl_new - empty table with the factory Default entry */

struct policy_destctl *
policy_destctl_new(void)
{
	struct policy_destctl *dc = mem_zalloc(1, sizeof(*dc));

	dc->table = policy_table_new();
	policy_destctl_entry_init(&dc->defaults);
	return (dc);
}

/* policy_destctl_item_free - release one entry */

static void
policy_destctl_item_free(void *ptr)
{
	struct policy_destctl_item *ip = ptr;

	mem_free(ip->key);
	mem_free((void *) ip->entry.bounce_profile);
	mem_free(ip);
}

/* policy_destctl_free - release the table */

struct policy_destctl *
policy_destctl_free(struct policy_destctl *dc)
{
	if (dc == NULL)
		return (NULL);
	policy_table_free(dc->table, policy_destctl_item_free);
	mem_free((void *) dc->defaults.bounce_profile);
	mem_free(dc->certificate);
	mem_free(dc);
	return (NULL);
}

/* policy_destctl_check_long - a value in range, or "use default" */

static int
policy_destctl_check_long(const char *dest, const char *field, long val,
    long min, long max, const struct policy_loc *loc, struct buf *err)
{
	if (val == POLICY_DEFAULT || (val >= min && val <= max))
		return (0);
	policy_error(err, loc, 0, "destination %s: %s %ld is out of range %ld "
	    "to %ld", dest, field, val, min, max);
	return (-1);
}

/* policy_destctl_check - validate an entry's fields */

static int
policy_destctl_check(const char *dest, const struct policy_destctl_entry *ep,
    const struct policy_loc *loc, struct buf *err)
{
	int	bad = 0;

	if ((unsigned) ep->tls > POLICY_TLS_REQUIRED_VERIFY) {
		policy_error(err, loc, 0, "destination %s: bad TLS level %d",
		    dest, (int) ep->tls);
		bad = -1;
	}
	bad |= policy_destctl_check_long(dest, "concurrency", ep->concurrency,
	    1, 1000, loc, err);
	bad |= policy_destctl_check_long(dest, "max_messages_per_connection",
	    ep->max_msgs_per_conn, 1, 1000, loc, err);
	bad |= policy_destctl_check_long(dest, "recipient_limit",
	    ep->rcpt_limit, -1, 1000000000, loc, err);
	bad |= policy_destctl_check_long(dest, "recipient_minutes",
	    ep->rcpt_minutes, 1, 60, loc, err);
	if (ep->rcpt_limit >= 0 && ep->rcpt_limit != POLICY_DEFAULT
	    && ep->rcpt_minutes == POLICY_DEFAULT) {
		policy_error(err, loc, 0, "destination %s: recipient_limit "
		    "needs recipient_minutes", dest);
		bad = -1;
	}
	if (ep->bounce_profile != NULL) {
		const char *cp = ep->bounce_profile;

		if (!((*cp >= 'A' && *cp <= 'Z') || (*cp >= 'a' && *cp <= 'z')
		    || *cp == '_')) {
			policy_error(err, loc, 0, "destination %s: the bounce "
			    "profile name must start with a letter or "
			    "underscore", dest);
			bad = -1;
		}
	}
	return (bad ? -1 : 0);
}

/* policy_destctl_key - normalize a destination or domain to a key */

static int
policy_destctl_key(struct str dest, int partial_ok, struct buf *key,
    size_t *bad, const char **why)
{
	struct policy_ip ip;
	struct str name;
	char	tmp[POLICY_DESTCTL_MAX_KEY];

	buf_reset(key);
	if (dest.len > 0 && dest.ptr[0] == '[') {
		struct str inner;

		if (dest.len < 3 || dest.ptr[dest.len - 1] != ']') {
			*bad = dest.len;
			*why = "missing \"]\" after the address";
			return (0);
		}
		inner = str_make(dest.ptr + 1, dest.len - 2);
		if (str_caseprefix(inner, STR_LIT("IPv6:")))
			inner = str_make(inner.ptr + 5, inner.len - 5);
		if (inner.len >= sizeof(tmp)) {
			*bad = 1;
			*why = "address too long";
			return (0);
		}
		memcpy(tmp, inner.ptr, inner.len);
		tmp[inner.len] = 0;
		if (!policy_ip_parse(tmp, &ip)) {
			*bad = 1;
			*why = "not an IPv4 or IPv6 address in brackets";
			return (0);
		}
		buf_putc(key, '[');
		policy_ip_format(&ip, key);
		buf_putc(key, ']');
		return (1);
	}
	name = dest;
	if (partial_ok && name.len > 0 && name.ptr[0] == '.') {
		buf_putc(key, '.');
		name = str_make(name.ptr + 1, name.len - 1);
	}
	name = policy_dns_undot(name);
	if (!policy_dns_check(name, bad, why)) {
		*bad += (size_t) key->len;
		return (0);
	}
	buf_append(key, name.ptr, name.len);
	return (1);
}

/* policy_destctl_set_default - the Default entry */

int
policy_destctl_set_default(struct policy_destctl *dc,
    const struct policy_destctl_entry *ep, const struct policy_loc *loc,
    struct buf *err)
{
	if (policy_destctl_check("Default", ep, loc, err) < 0) {
		dc->defaults_broken = 1;
		return (-1);
	}
	dc->defaults_broken = 0;
	mem_free((void *) dc->defaults.bounce_profile);
	dc->defaults = *ep;
	if (ep->bounce_profile)
		dc->defaults.bounce_profile = mem_strdup(ep->bounce_profile);
	return (0);
}

/* policy_destctl_add - an entry for a domain, .domain or [address] */

int
policy_destctl_add(struct policy_destctl *dc, const char *destination,
    const struct policy_destctl_entry *ep, const struct policy_loc *loc,
    struct buf *err)
{
	struct policy_destctl_item *ip;
	struct buf *key = buf_new(64);
	const char *why;
	size_t	bad;
	int	broken;

	if (!policy_destctl_key(str_from(destination), 1, key, &bad, &why)) {
		policy_error(err, loc, (int) bad, "destination \"%s\": %s",
		    destination, why);
		buf_free(key);
		return (-1);
	}
	if (policy_table_find(dc->table, str_make(key->data, key->len))) {
		policy_error(err, loc, 0, "destination \"%s\" is already in "
		    "the destination controls table", destination);
		buf_free(key);
		return (-1);
	}
	broken = policy_destctl_check(destination, ep, loc, err) < 0;
	ip = mem_zalloc(1, sizeof(*ip));
	ip->key = mem_strdup(destination);
	ip->broken = broken;
	ip->entry = *ep;
	if (ep->bounce_profile)
		ip->entry.bounce_profile = mem_strdup(ep->bounce_profile);
	(void) policy_table_enter(dc->table, str_make(key->data, key->len),
	    ip);
	buf_free(key);
	return (broken ? -1 : 0);
}

/* policy_destctl_set_global - alert option and outbound certificate */

void
policy_destctl_set_global(struct policy_destctl *dc, int alert,
    const char *certificate)
{
	dc->alert = alert != 0;
	mem_free(dc->certificate);
	dc->certificate = certificate ? mem_strdup(certificate) : NULL;
}

/* policy_destctl_alert - alert when a required TLS connection fails */

int
policy_destctl_alert(const struct policy_destctl *dc)
{
	return (dc->alert);
}

/* policy_destctl_certificate - certificate for outbound TLS, or NULL */

const char *
policy_destctl_certificate(const struct policy_destctl *dc)
{
	return (dc->certificate);
}

/* policy_destctl_resolve - entry, then Default entry, then factory */

static void
policy_destctl_resolve(const struct policy_destctl *dc,
    const struct policy_destctl_entry *ep, struct policy_destctl_entry *out)
{
	const struct policy_destctl_entry *levels[3];
	size_t	i;

	levels[0] = ep;
	levels[1] = &dc->defaults;
	levels[2] = &policy_destctl_factory;
	policy_destctl_entry_init(out);
	for (i = 0; i < 3; i++) {
		if (levels[i] == NULL)
			continue;
		if (out->tls == POLICY_TLS_DEFAULT)
			out->tls = levels[i]->tls;
		if (out->concurrency == POLICY_DEFAULT)
			out->concurrency = levels[i]->concurrency;
		if (out->max_msgs_per_conn == POLICY_DEFAULT)
			out->max_msgs_per_conn = levels[i]->max_msgs_per_conn;
		/* The recipient limit and its interval go together. */
		if (out->rcpt_limit == POLICY_DEFAULT
		    && levels[i]->rcpt_limit != POLICY_DEFAULT) {
			out->rcpt_limit = levels[i]->rcpt_limit;
			out->rcpt_minutes = levels[i]->rcpt_minutes;
		}
		if (out->bounce_profile == NULL)
			out->bounce_profile = levels[i]->bounce_profile;
	}
}

/* policy_destctl_lookup - most specific entry for a recipient domain */

int
policy_destctl_lookup(const struct policy_destctl *dc, const char *domain,
    struct policy_destctl_entry *out, const char **matched)
{
	struct policy_destctl_item *ip = NULL;
	struct buf *key = buf_new(64);
	struct str k;
	const char *why;
	size_t	bad, i;

	if (!policy_destctl_key(str_from(domain), 0, key, &bad, &why)) {
		buf_free(key);
		return (POLICY_ERROR);
	}
	k = str_make(key->data, key->len);
	ip = policy_table_find(dc->table, k);
	for (i = 0; ip == NULL && key->data[0] != '[' && i < k.len; i++)
		if (k.ptr[i] == '.')
			ip = policy_table_find(dc->table,
			    str_make(k.ptr + i, k.len - i));
	buf_free(key);
	if ((ip != NULL && ip->broken) || dc->defaults_broken)
		return (POLICY_ERROR);
	policy_destctl_resolve(dc, ip ? &ip->entry : NULL, out);
	if (ip != NULL) {
		if (matched)
			*matched = ip->key;
		return (POLICY_FOUND);
	}
	if (matched)
		*matched = "Default";
	return (POLICY_NOTFOUND);
}
