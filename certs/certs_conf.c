/*
 * NAME
 *	certs_conf - OpenSSL contexts and the trust store from the configuration
 * DESCRIPTION
 *	See certs_conf.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"

#include "certs_ctx.h"
#include "certs_info.h"
#include "certs_x509.h"
#include "certs_conf.h"

/* certs_conf_version - OpenSSL's number for a configured version */

static int
certs_conf_version(enum conf_tls_version v)
{
	switch (v) {
	case CONF_TLS_V1_0:
		return (TLS1_VERSION);
	case CONF_TLS_V1_1:
		return (TLS1_1_VERSION);
	case CONF_TLS_V1_2:
		return (TLS1_2_VERSION);
	case CONF_TLS_V1_3:
		return (TLS1_3_VERSION);
	}
	msg_panic("certs_conf_version: bad version %d", (int) v);
}

/* certs_conf_opts - the sslconfig of one service */

void
certs_conf_opts(const struct conf *cf, int service,
    struct certs_tls_opts *opts)
{
	const struct conf_tls_service *sp;

	switch (service) {
	case CERTS_CONF_INBOUND:
		sp = &cf->tls.inbound;
		break;
	case CERTS_CONF_OUTBOUND:
		sp = &cf->tls.outbound;
		break;
	case CERTS_CONF_HTTPS:
		sp = &cf->tls.https;
		break;
	default:
		msg_panic("certs_conf_opts: bad service %d", service);
	}
	certs_ctx_defaults(opts);
	opts->min_version = certs_conf_version(sp->min_version);
	opts->max_version = certs_conf_version(sp->max_version);
	opts->ciphers = sp->ciphers[0] ? sp->ciphers : NULL;
}

/* certs_conf_trust_dir - the directory "mtactl trust" manages */

void
certs_conf_trust_dir(const struct conf *cf, struct buf *out)
{
	if (cf->tls.trust.dir[0])
		buf_puts(out, cf->tls.trust.dir);
	else
		buf_printf(out, "%s/trust", cf->spool_dir);
}

/* certs_conf_add_file - add every certificate of a PEM file to store */

static int
certs_conf_add_file(X509_STORE *store, const char *path, const char *what,
    struct buf *err)
{
	STACK_OF(X509) *certs;
	struct buf why;
	int	i;
	int	n;

	buf_init(&why, 0);
	if ((certs = certs_x509_load_certs(path, &why)) == NULL) {
		buf_printf(err, "%s: %s", what, buf_cstr(&why));
		buf_fini(&why);
		return (-1);
	}
	buf_fini(&why);
	n = sk_X509_num(certs);
	for (i = 0; i < n; i++) {
		/* A certificate already present is not an error. */
		if (!X509_STORE_add_cert(store, sk_X509_value(certs, i))) {
			buf_printf(err, "%s: ", what);
			certs_x509_ssl_error(err, "%s: certificate %d", path,
			    i + 1);
			sk_X509_pop_free(certs, X509_free);
			return (-1);
		}
	}
	sk_X509_pop_free(certs, X509_free);
	return (n);
}

/* certs_conf_name_cmp - order directory entries by name */

static int
certs_conf_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* certs_conf_trust_file - is this directory entry a trust store file? */

static int
certs_conf_trust_file(const char *name)
{
	size_t	len = strlen(name);
	size_t	slen = sizeof(CERTS_CONF_TRUST_SUFFIX) - 1;

	/* Temporary files of certs_x509_write() end in ".tmp.PID". */
	return (name[0] != '.' && len > slen
	    && strcmp(name + len - slen, CERTS_CONF_TRUST_SUFFIX) == 0);
}

/* certs_conf_add_dir - add the certificates of the trust directory */

static int
certs_conf_add_dir(X509_STORE *store, const char *dir, struct buf *err)
{
	DIR    *dp;
	struct dirent *de;
	char  **names = NULL;
	size_t	count = 0;
	size_t	size = 0;
	size_t	i;
	struct buf path;
	int	total = 0;
	int	n;

	if ((dp = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return (0);
		buf_printf(err, "tls.trust.dir: %s: %s", dir, strerror(errno));
		return (-1);
	}
	while ((de = readdir(dp)) != NULL) {
		if (!certs_conf_trust_file(de->d_name))
			continue;
		if (count == size) {
			size = size ? 2 * size : 16;
			names = mem_realloc(names, size, sizeof(*names));
		}
		names[count++] = mem_strdup(de->d_name);
	}
	(void) closedir(dp);
	if (count > 0)
		qsort(names, count, sizeof(*names), certs_conf_name_cmp);
	buf_init(&path, 0);
	for (i = 0; i < count; i++) {
		if (total >= 0) {
			buf_reset(&path);
			buf_printf(&path, "%s/%s", dir, names[i]);
			n = certs_conf_add_file(store, buf_cstr(&path),
			    "tls.trust.dir", err);
			total = n < 0 ? -1 : total + n;
		}
		mem_free(names[i]);
	}
	mem_free(names);
	buf_fini(&path);
	return (total);
}

/* certs_conf_trust_load - the system, the file and the directory CAs */

int
certs_conf_trust_load(const struct conf *cf, X509_STORE *store,
    struct buf *err)
{
	struct buf dir;
	int	total = 0;
	int	n;

	if (cf->tls.trust.system) {
		if ((n = certs_conf_add_file(store, CERTS_CONF_SYSTEM_BUNDLE,
		    "tls.trust.system", err)) < 0)
			return (-1);
		total += n;
	}
	if (cf->tls.trust.ca_file[0]) {
		if ((n = certs_conf_add_file(store, cf->tls.trust.ca_file,
		    "tls.trust.ca_file", err)) < 0)
			return (-1);
		total += n;
	}
	buf_init(&dir, 0);
	certs_conf_trust_dir(cf, &dir);
	n = certs_conf_add_dir(store, buf_cstr(&dir), err);
	buf_fini(&dir);
	if (n < 0)
		return (-1);
	/* Operator-trusted intermediates and pinned leaves are anchors. */
	(void) X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	return (total + n);
}

/* certs_conf_add_chain - the intermediates of certificates.NAME.chain */

static int
certs_conf_add_chain(SSL_CTX *ctx, const struct conf_cert *cc,
    struct buf *err)
{
	STACK_OF(X509) *chain;
	struct buf why;
	int	i;

	if (cc->chain[0] == 0)
		return (0);
	buf_init(&why, 0);
	if ((chain = certs_x509_load_certs(cc->chain, &why)) == NULL) {
		buf_printf(err, "certificates.%s.chain: %s", cc->name,
		    buf_cstr(&why));
		buf_fini(&why);
		return (-1);
	}
	buf_fini(&why);
	for (i = 0; i < sk_X509_num(chain); i++) {
		if (!SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i))) {
			certs_x509_ssl_error(err, "certificates.%s.chain: %s",
			    cc->name, cc->chain);
			sk_X509_pop_free(chain, X509_free);
			return (-1);
		}
	}
	sk_X509_pop_free(chain, X509_free);
	return (0);
}

/* certs_conf_use_cert - a configured certificate, chain and key */

int
certs_conf_use_cert(SSL_CTX *ctx, const struct conf_cert *cc,
    struct buf *err)
{
	if (!SSL_CTX_use_certificate_chain_file(ctx, cc->cert)) {
		certs_x509_ssl_error(err, "certificates.%s.cert: %s",
		    cc->name, cc->cert);
		return (-1);
	}
	if (certs_conf_add_chain(ctx, cc, err) != 0)
		return (-1);
	if (!SSL_CTX_use_PrivateKey_file(ctx, cc->key, SSL_FILETYPE_PEM)) {
		if (ERR_GET_REASON(ERR_peek_last_error())
		    != X509_R_KEY_VALUES_MISMATCH) {
			certs_x509_ssl_error(err, "certificates.%s.key: %s",
			    cc->name, cc->key);
			return (-1);
		}
	} else if (SSL_CTX_check_private_key(ctx))
		return (0);
	ERR_clear_error();
	buf_printf(err, "certificates.%s: private key %s does not match "
	    "certificate %s", cc->name, cc->key, cc->cert);
	return (-1);
}

/* certs_conf_mark - the ex_data index that marks a loaded trust store */

static int
certs_conf_mark(void)
{
	static int index = -1;

	/* Processes are single-threaded; OpenSSL locks its own table. */
	if (index < 0 && (index = SSL_CTX_get_ex_new_index(0, NULL, NULL,
	    NULL, NULL)) < 0)
		msg_fatal("certs_conf_mark: SSL_CTX_get_ex_new_index failed");
	return (index);
}

/* certs_conf_trust_ctx - replace a context's trust store, once */

int
certs_conf_trust_ctx(SSL_CTX *ctx, const struct conf *cf, struct buf *err)
{
	static char marker;
	X509_STORE *store;
	int	idx = certs_conf_mark();
	int	rc = 0;

	if (SSL_CTX_get_ex_data(ctx, idx) == &marker)
		return (0);
	if ((store = X509_STORE_new()) == NULL)
		msg_fatal("certs_conf_trust_ctx: out of memory");
	if (certs_conf_trust_load(cf, store, err) < 0) {
		/* Fail closed: an empty store verifies nothing. */
		X509_STORE_free(store);
		if ((store = X509_STORE_new()) == NULL)
			msg_fatal("certs_conf_trust_ctx: out of memory");
		rc = -1;
	}
	SSL_CTX_set_cert_store(ctx, store);
	if (!SSL_CTX_set_ex_data(ctx, idx, &marker))
		msg_fatal("certs_conf_trust_ctx: SSL_CTX_set_ex_data failed");
	return (rc);
}

/* certs_conf_client - the outbound SMTP client context */

SSL_CTX *
certs_conf_client(const struct conf *cf, struct buf *err)
{
	struct certs_tls_opts opts;
	const struct conf_cert *cc;
	SSL_CTX *ctx;

	if ((cc = conf_cert_find(cf, cf->dest.certificate)) == NULL) {
		buf_printf(err, "destination_controls.certificate: no "
		    "certificate \"%s\"", cf->dest.certificate);
		return (NULL);
	}
	certs_conf_opts(cf, CERTS_CONF_OUTBOUND, &opts);
	if ((ctx = certs_ctx_client(&opts, err)) == NULL)
		return (NULL);
	if (certs_conf_trust_ctx(ctx, cf, err) != 0
	    || certs_conf_use_cert(ctx, cc, err) != 0) {
		SSL_CTX_free(ctx);
		return (NULL);
	}
	return (ctx);
}

/* certs_conf_server - a listener's context */

SSL_CTX *
certs_conf_server(const struct conf *cf, const struct conf_cert *cc,
    struct buf *err)
{
	struct certs_tls_opts opts;
	SSL_CTX *ctx;
	struct buf why;

	certs_conf_opts(cf, CERTS_CONF_INBOUND, &opts);
	buf_init(&why, 0);
	ctx = certs_ctx_server(cc->cert, cc->key, &opts, &why);
	if (ctx == NULL) {
		buf_printf(err, "certificates.%s: %s", cc->name,
		    buf_cstr(&why));
		buf_fini(&why);
		return (NULL);
	}
	buf_fini(&why);
	if (certs_conf_add_chain(ctx, cc, err) != 0
	    || certs_conf_trust_ctx(ctx, cf, err) != 0) {
		SSL_CTX_free(ctx);
		return (NULL);
	}
	return (ctx);
}

/* certs_conf_leaf - the first certificate of a configured file, or NULL */

static X509 *
certs_conf_leaf(const struct conf_cert *cc)
{
	STACK_OF(X509) *certs;
	struct buf why;
	X509   *leaf;

	buf_init(&why, 0);
	certs = certs_x509_load_certs(cc->cert, &why);
	buf_fini(&why);
	if (certs == NULL)
		return (NULL);
	leaf = sk_X509_shift(certs);
	sk_X509_pop_free(certs, X509_free);
	return (leaf);
}

/* certs_conf_cert_warnings - what is wrong with one certificate in use */

static int
certs_conf_cert_warnings(const struct conf_cert *cc, const char *user,
    const char *host, time_t now, struct buf *out)
{
	struct certs_info info;
	struct buf why;
	X509   *leaf;
	int	n = 0;

	if ((leaf = certs_conf_leaf(cc)) == NULL)
		return (0);
	buf_init(&why, 0);
	if (certs_info_get(leaf, now, &info, &why) == 0) {
		if (info.demo) {
			buf_printf(out, "%s: certificate \"%s\" is the "
			    "demonstration certificate: it gives encryption "
			    "but no verifiable identity\n", user, cc->name);
			n++;
		}
		if (info.days_left < 0) {
			buf_printf(out, "%s: certificate \"%s\" (%s) expired "
			    "%ld day(s) ago\n", user, cc->name, info.subject,
			    -info.days_left);
			n++;
		} else if (info.days_left < CERTS_CONF_EXPIRY_DAYS) {
			buf_printf(out, "%s: certificate \"%s\" (%s) expires "
			    "in %ld day(s)\n", user, cc->name, info.subject,
			    info.days_left);
			n++;
		}
		if (host != NULL && host[0] && !info.demo
		    && X509_check_host(leaf, host, 0, 0, NULL) != 1) {
			buf_printf(out, "%s: certificate \"%s\" (%s) does not "
			    "name the host name %s\n", user, cc->name,
			    info.subject, host);
			n++;
		}
		certs_info_free(&info);
	}
	buf_fini(&why);
	X509_free(leaf);
	return (n);
}

/* certs_conf_warnings - what an operator should hear about at start */

int
certs_conf_warnings(const struct conf *cf, time_t now, struct buf *out)
{
	const struct conf_listener *lp;
	const struct conf_cert *cc;
	struct buf user;
	size_t	i;
	int	n = 0;

	buf_init(&user, 0);
	for (i = 0; i < cf->listener_count; i++) {
		lp = &cf->listeners[i];
		if ((cc = conf_cert_find(cf, lp->certificate)) == NULL)
			continue;
		buf_reset(&user);
		buf_printf(&user, "listener %s", lp->name);
		n += certs_conf_cert_warnings(cc, buf_cstr(&user),
		    lp->hostname[0] ? lp->hostname : cf->hostname, now, out);
	}
	if ((cc = conf_cert_find(cf, cf->dest.certificate)) != NULL)
		n += certs_conf_cert_warnings(cc,
		    "destination_controls.certificate", NULL, now, out);
	buf_fini(&user);
	return (n);
}
