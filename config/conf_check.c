/*
 * NAME
 *	conf_check - checks that need the whole configuration
 * SYNOPSIS
 *	#include "conf_priv.h"
 *
 *	int	conf_check(struct conf *cf, struct buf *errors);
 * DESCRIPTION
 *	conf_check() runs after the file is loaded (and after each
 *	conf_set()): names that refer to certificates, policies and bounce
 *	profiles must exist, names that must be unique are, and parameters
 *	that constrain each other agree; the TLS version sets of sslconfig
 *	are parsed into their min_version and max_version. It appends one
 *	line per problem,
 *	at the place where the offending value is written, and returns the
 *	number of problems.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"
#include "conf_priv.h"

/* conf_check_path - format a path into a buffer, returning its text */

static const char *MSG_PRINTFLIKE(2, 3)
conf_check_path(struct buf *bp, const char *fmt, ...)
{
	va_list	ap;

	buf_reset(bp);
	va_start(ap, fmt);
	buf_vprintf(bp, fmt, ap);
	va_end(ap);
	return (buf_cstr(bp));
}

/* conf_check_port - a decimal port 1..65535 */

static int
conf_check_port(const char *text)
{
	char   *end;
	long	port;

	if (*text < '0' || *text > '9')
		return (0);
	port = strtol(text, &end, 10);
	return (*end == 0 && port >= 1 && port <= 65535);
}

/* conf_check_hostport - "host:port" with a non-empty host */

static int
conf_check_hostport(const char *text)
{
	const char *colon = strrchr(text, ':');

	return (colon != NULL && colon > text && conf_check_port(colon + 1));
}

/* conf_check_server - "address", "address:port" or "[v6]:port" */

static int
conf_check_server(const char *text)
{
	unsigned char bin[16];
	char	addr[64];
	const char *cp;
	size_t	len;

	if (inet_pton(AF_INET6, text, bin) == 1
	    || inet_pton(AF_INET, text, bin) == 1)
		return (1);
	if (*text == '[') {
		if ((cp = strchr(text, ']')) == NULL || cp[1] != ':'
		    || (len = (size_t) (cp - text - 1)) >= sizeof(addr))
			return (0);
		memcpy(addr, text + 1, len);
		addr[len] = 0;
		return (inet_pton(AF_INET6, addr, bin) == 1
		    && conf_check_port(cp + 2));
	}
	if ((cp = strchr(text, ':')) == NULL
	    || (len = (size_t) (cp - text)) >= sizeof(addr))
		return (0);
	memcpy(addr, text, len);
	addr[len] = 0;
	return (inet_pton(AF_INET, addr, bin) == 1 && conf_check_port(cp + 1));
}

/* conf_check_ref - a name that must exist */

static int
conf_check_ref(struct conf *cf, struct buf *errors, const char *path,
	char *const *field, const struct conf_loc *fallback, const char *what,
	int found)
{
	if (found)
		return (0);
	conf_error(errors, conf_vloc_get(cf, field, fallback), path,
	    "undefined %s \"%s\"", what, *field);
	return (1);
}

/* conf_check_listener - references and uniqueness inside a listener */

static int
conf_check_listener(struct conf *cf, size_t idx, struct buf *errors)
{
	struct conf_listener *lp = &cf->listeners[idx];
	struct conf_sender_group *gp;
	struct buf path;
	int	n = 0;
	size_t	i, j;

	buf_init(&path, 0);
	n += conf_check_ref(cf, errors,
	    conf_check_path(&path, "listeners[%zu].certificate", idx),
	    &lp->certificate, &lp->loc, "certificate",
	    conf_cert_find(cf, lp->certificate) != NULL);
	n += conf_check_ref(cf, errors,
	    conf_check_path(&path, "listeners[%zu].bounce_profile", idx),
	    &lp->bounce_profile, &lp->loc, "bounce profile",
	    conf_bounce_find(cf, lp->bounce_profile) != NULL);
	n += conf_check_ref(cf, errors,
	    conf_check_path(&path, "listeners[%zu].all_policy", idx),
	    &lp->all_policy, &lp->loc, "policy",
	    conf_policy_find(lp, lp->all_policy) != NULL);
	for (i = 0; i < lp->sender_group_count; i++) {
		gp = &lp->sender_groups[i];
		if (gp->policy != NULL && conf_policy_find(lp, gp->policy)
		    == NULL) {
			conf_error(errors, &gp->policy_loc,
			    conf_check_path(&path,
			    "listeners[%zu].sender_groups[%zu].policy", idx, i),
			    "undefined policy \"%s\"", gp->policy);
			n++;
		}
		for (j = 0; j < i && gp->name != NULL; j++) {
			if (lp->sender_groups[j].name != NULL
			    && strcmp(lp->sender_groups[j].name,
			    gp->name) == 0) {
				conf_error(errors, conf_vloc_get(cf, &gp->name,
				    &gp->loc), conf_check_path(&path,
				    "listeners[%zu].sender_groups[%zu].name",
				    idx, i), "duplicate sender group name "
				    "\"%s\" (first at %d:%d)", gp->name,
				    lp->sender_groups[j].loc.line,
				    lp->sender_groups[j].loc.column);
				n++;
				break;
			}
		}
		if (gp->name != NULL && strcmp(gp->name, "ALL") == 0) {
			conf_error(errors, conf_vloc_get(cf, &gp->name,
			    &gp->loc), conf_check_path(&path,
			    "listeners[%zu].sender_groups[%zu].name", idx, i),
			    "ALL is the implicit last group; set all_policy "
			    "instead");
			n++;
		}
	}
	for (j = 0; j < idx; j++) {
		if (lp->name != NULL && cf->listeners[j].name != NULL
		    && strcmp(cf->listeners[j].name, lp->name) == 0) {
			conf_error(errors, conf_vloc_get(cf, &lp->name,
			    &lp->loc), conf_check_path(&path,
			    "listeners[%zu].name", idx), "duplicate listener "
			    "name \"%s\" (first at %d:%d)", lp->name,
			    cf->listeners[j].loc.line,
			    cf->listeners[j].loc.column);
			n++;
		}
		if (cf->listeners[j].port == lp->port
		    && strcmp(cf->listeners[j].address, lp->address) == 0) {
			conf_error(errors, conf_vloc_get(cf, &lp->port,
			    &lp->loc), conf_check_path(&path,
			    "listeners[%zu].port", idx), "address %s port %d "
			    "is already used by listeners[%zu]", lp->address,
			    lp->port, j);
			n++;
		}
	}
	buf_fini(&path);
	return (n);
}

static const char *const conf_check_tls_names[] = {
	"tls1.0", "tls1.1", "tls1.2", "tls1.3",
};

#define CONF_CHECK_TLS_COUNT \
	(sizeof(conf_check_tls_names) / sizeof(conf_check_tls_names[0]))

/*
 * conf_check_tls_set - parse "tls1.1 tls1.2" (spaces or commas) into a
 * bit set; -1 with the reason in why for a word that is no version.
 */
static int
conf_check_tls_set(const char *text, struct buf *why)
{
	const char *cp = text;
	size_t	len;
	size_t	v;
	int	set = 0;

	for (;;) {
		cp += strspn(cp, " ,\t");
		if (*cp == 0)
			return (set);
		len = strcspn(cp, " ,\t");
		for (v = 0; v < CONF_CHECK_TLS_COUNT; v++)
			if (strlen(conf_check_tls_names[v]) == len
			    && strncmp(cp, conf_check_tls_names[v], len) == 0)
				break;
		if (v == CONF_CHECK_TLS_COUNT) {
			buf_printf(why, "\"%.*s\" is not a TLS version "
			    "(tls1.0, tls1.1, tls1.2, tls1.3)", (int) len, cp);
			return (-1);
		}
		set |= 1 << v;
		cp += len;
	}
}

/*
 * conf_check_tls - one sslconfig service: the enabled versions must be
 * a non-empty contiguous set, stored as min_version..max_version, and
 * the cipher list must name ciphers.
 */
static int
conf_check_tls(struct conf *cf, struct conf_tls_service *sp,
	const char *service, struct buf *errors)
{
	struct conf_loc none = {cf->file, 0, 0};
	struct buf path;
	struct buf why;
	SSL_CTX *ctx;
	int	set;
	int	lo;
	int	hi;
	int	v;
	int	n = 0;

	buf_init(&path, 0);
	buf_init(&why, 0);
	if ((set = conf_check_tls_set(sp->versions, &why)) == 0)
		buf_puts(&why, "enables no TLS version");
	lo = 0;
	while (set > 0 && !(set & (1 << lo)))
		lo++;
	hi = CONF_CHECK_TLS_COUNT - 1;
	while (set > 0 && !(set & (1 << hi)))
		hi--;
	for (v = lo; set > 0 && v <= hi; v++) {
		if (!(set & (1 << v))) {
			buf_printf(&why, "%s and %s are enabled but %s is "
			    "not: the enabled versions must be contiguous",
			    conf_check_tls_names[lo], conf_check_tls_names[hi],
			    conf_check_tls_names[v]);
			break;
		}
	}
	if (why.len > 0) {
		conf_error(errors, conf_vloc_get(cf, &sp->versions, &none),
		    conf_check_path(&path, "tls.%s.versions", service),
		    "%s", buf_cstr(&why));
		n++;
	} else {
		sp->min_version = (enum conf_tls_version) lo;
		sp->max_version = (enum conf_tls_version) hi;
	}
	if ((ctx = SSL_CTX_new(TLS_method())) == NULL)
		msg_fatal("conf_check_tls: SSL_CTX_new failed");
	if (!SSL_CTX_set_cipher_list(ctx, sp->ciphers)) {
		conf_error(errors, conf_vloc_get(cf, &sp->ciphers, &none),
		    conf_check_path(&path, "tls.%s.ciphers", service),
		    "\"%s\" names no cipher OpenSSL knows", sp->ciphers);
		n++;
	}
	SSL_CTX_free(ctx);
	ERR_clear_error();
	buf_fini(&why);
	buf_fini(&path);
	return (n);
}

/* conf_check_dest_cmp - order destinations by name, then position */

static int
conf_check_dest_cmp(const void *a, const void *b)
{
	const struct conf_dest *const *da = a;
	const struct conf_dest *const *db = b;
	int	c;

	if ((c = strcasecmp((*da)->destination, (*db)->destination)) != 0)
		return (c);
	return (*da < *db ? -1 : *da > *db);
}

/* conf_check_smarthost - AUTH needs a user and a password file */

static int
conf_check_smarthost(struct conf *cf, struct conf_smarthost *sp,
	struct buf *errors)
{
	struct buf path;
	int	n = 0;

	buf_init(&path, 0);
	if (sp->auth != CONF_SMARTHOST_AUTH_NONE && sp->user[0] == 0) {
		conf_error(errors, &sp->loc, conf_check_path(&path,
		    "smarthosts.%s.user", sp->name), "AUTH needs a user name");
		n++;
	}
	if (sp->auth != CONF_SMARTHOST_AUTH_NONE
	    && sp->password_file[0] != '/') {
		conf_error(errors, conf_vloc_get(cf, &sp->password_file,
		    &sp->loc), conf_check_path(&path,
		    "smarthosts.%s.password_file", sp->name),
		    "AUTH needs the absolute path of a password file");
		n++;
	}
	if (sp->auth != CONF_SMARTHOST_AUTH_NONE
	    && sp->encryption == CONF_SMARTHOST_NONE && !sp->allow_plain_auth) {
		conf_error(errors, conf_vloc_get(cf, &sp->encryption,
		    &sp->loc), conf_check_path(&path,
		    "smarthosts.%s.encryption", sp->name),
		    "none would send the password in clear text; use starttls "
		    "or smtps, or set allow_plain_auth");
		n++;
	}
	buf_fini(&path);
	return (n);
}

/*
 * conf_check_dest_dups - destinations listed twice (ignoring case, as
 * domains compare); sorted, because there may be thousands.
 */
static int
conf_check_dest_dups(struct conf *cf, struct buf *errors)
{
	const struct conf_dest **sorted;
	struct buf path;
	size_t	i, run;
	int	n = 0;

	sorted = mem_zalloc(cf->dest.domain_count + 1, sizeof(*sorted));
	for (i = 0; i < cf->dest.domain_count; i++)
		sorted[i] = &cf->dest.domains[i];
	qsort(sorted, cf->dest.domain_count, sizeof(*sorted),
	    conf_check_dest_cmp);
	buf_init(&path, 0);
	for (run = 0, i = 1; i < cf->dest.domain_count; i++) {
		if (strcasecmp(sorted[i]->destination,
		    sorted[run]->destination) != 0) {
			run = i;
			continue;
		}
		conf_error(errors, &sorted[i]->loc, conf_check_path(&path,
		    "destination_controls.domains.%s",
		    sorted[i]->destination), "duplicate destination (first "
		    "at %d:%d)", sorted[run]->loc.line,
		    sorted[run]->loc.column);
		n++;
	}
	buf_fini(&path);
	mem_free(sorted);
	return (n);
}

/* conf_check - references, uniqueness, constraints between parameters */

int
conf_check(struct conf *cf, struct buf *errors)
{
	struct conf_loc none = {cf->file, 0, 0};
	struct conf_dest *dp;
	struct conf_bounce *bp;
	struct buf path;
	const char *target = cf->log.syslog.target;
	int	n = 0;
	size_t	i;

	buf_init(&path, 0);
	for (i = 0; i < cf->listener_count; i++)
		n += conf_check_listener(cf, i, errors);
	for (i = 0; i < cf->bounce_count; i++) {
		bp = &cf->bounces[i];
		if (bp->initial_retry > bp->max_retry) {
			conf_error(errors, conf_vloc_get(cf, &bp->initial_retry,
			    &bp->loc), conf_check_path(&path,
			    "bounce_profiles.%s.initial_retry", bp->name),
			    "%llds is longer than max_retry (%llds)",
			    bp->initial_retry, bp->max_retry);
			n++;
		}
	}
	n += conf_check_ref(cf, errors, "destination_controls.certificate",
	    &cf->dest.certificate, &none, "certificate",
	    conf_cert_find(cf, cf->dest.certificate) != NULL);
	n += conf_check_ref(cf, errors,
	    "destination_controls.default.bounce_profile",
	    &cf->dest.def.bounce_profile, &cf->dest.def.loc, "bounce profile",
	    conf_bounce_find(cf, cf->dest.def.bounce_profile) != NULL);
	for (i = 0; i < cf->dest.domain_count; i++) {
		dp = &cf->dest.domains[i];
		if (dp->set & (1U << CONF_DEST_bounce_profile))
			n += conf_check_ref(cf, errors, conf_check_path(&path,
			    "destination_controls.domains.%s.bounce_profile",
			    dp->destination), &dp->bounce_profile, &dp->loc,
			    "bounce profile",
			    conf_bounce_find(cf, dp->bounce_profile) != NULL);
	}
	n += conf_check_dest_dups(cf, errors);
	for (i = 0; i < cf->smarthost_count; i++)
		n += conf_check_smarthost(cf, &cf->smarthosts[i], errors);
	n += conf_check_tls(cf, &cf->tls.inbound, "inbound", errors);
	n += conf_check_tls(cf, &cf->tls.outbound, "outbound", errors);
	n += conf_check_tls(cf, &cf->tls.https, "https", errors);
	if (*target != '/' && !((strncmp(target, "udp:", 4) == 0
	    || strncmp(target, "tcp:", 4) == 0)
	    && conf_check_hostport(target + 4))) {
		conf_error(errors, conf_vloc_get(cf, &cf->log.syslog.target,
		    &none), "log.syslog.target", "\"%s\" is not a socket path, "
		    "udp:HOST:PORT or tcp:HOST:PORT", target);
		n++;
	}
	for (i = 0; i < cf->dns.server_count; i++) {
		if (!conf_check_server(cf->dns.servers[i].text)) {
			conf_error(errors, &cf->dns.servers[i].loc,
			    conf_check_path(&path, "dns.servers[%zu]", i),
			    "\"%s\" is not ADDRESS, IPV4:PORT or [IPV6]:PORT",
			    cf->dns.servers[i].text);
			n++;
		}
	}
	buf_fini(&path);
	return (n);
}
