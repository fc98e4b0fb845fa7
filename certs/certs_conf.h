/*
 * NAME
 *	certs_conf - OpenSSL contexts and the trust store from the configuration
 * SYNOPSIS
 *	#include "certs_conf.h"
 *
 *	SSL_CTX *certs_conf_client(const struct conf *cf, struct buf *err);
 *	SSL_CTX *certs_conf_server(const struct conf *cf,
 *		    const struct conf_cert *cc, struct buf *err);
 *
 *	void	certs_conf_opts(const struct conf *cf, int service,
 *		    struct certs_tls_opts *opts);
 *	void	certs_conf_trust_dir(const struct conf *cf, struct buf *out);
 *	int	certs_conf_trust_load(const struct conf *cf,
 *		    X509_STORE *store, struct buf *err);
 *	int	certs_conf_use_cert(SSL_CTX *ctx, const struct conf_cert *cc,
 *		    struct buf *err);
 *	int	certs_conf_trust_ctx(SSL_CTX *ctx, const struct conf *cf,
 *		    struct buf *err);
 *	int	certs_conf_warnings(const struct conf *cf, time_t now,
 *		    struct buf *out);
 * DESCRIPTION
 *	certs_conf_client() builds the context of the outbound SMTP client
 *	(delivery): the sslconfig of the outbound service (tls.outbound:
 *	versions and the TLS 1.0-1.2 cipher string; TLS 1.3 uses the three
 *	fixed suites; security level CERTS_SECLEVEL), the trust store,
 *	and the certificate destination_controls.certificate (its key and
 *	its intermediates) offered to servers that ask for a client
 *	certificate. The trust store is, in this order:
 *
 *	1. the system CA bundle CERTS_CONF_SYSTEM_BUNDLE, when
 *	   tls.trust.system is true (the default);
 *	2. every certificate of tls.trust.ca_file, when not empty;
 *	3. every certificate of the files NAME.pem in the trust directory
 *	   (certs_conf_trust_dir()), which "mtactl trust add" fills; a
 *	   missing directory is an empty one.
 *
 *	Operator-trusted certificates are trust anchors even when they
 *	are not self-signed (X509_V_FLAG_PARTIAL_CHAIN), so a pinned
 *	intermediate or, with "mtactl trust add --leaf", a pinned server
 *	certificate verifies.
 *
 *	The context asks for and records the server's certificate
 *	verification but never fails a handshake because of it: the
 *	caller reads SSL_get_verify_result() after the handshake and the
 *	Destination Controls decide (a "verify" TLS setting defers or
 *	falls back). The caller names the expected host per connection
 *	(SSL_set1_host()) and sends SNI (SSL_set_tlsext_host_name()).
 *
 *	certs_conf_server() does the same for a listener: the inbound
 *	sslconfig, the certificate cc (leaf, intermediates, key), and the
 *	same trust store for client certificates. It requests no client
 *	certificate by itself; the session asks for one per mail flow
 *	policy (SSL_set_verify(), see smtpd_tls(3)).
 *
 *	Both read every file at the time of the call and keep nothing
 *	else: call them at start and again on reload, and free the result
 *	with SSL_CTX_free(). They return NULL with the reason in err (the
 *	file, the parameter that named it, OpenSSL's words) when any part
 *	fails: an unreadable or empty bundle, a certificate whose key does
 *	not match, a bad cipher string. Nothing is half-applied, so a
 *	reloading process keeps its old context and logs err.
 *
 *	certs_conf_opts() fills opts with the sslconfig of a service
 *	(CERTS_CONF_INBOUND, CERTS_CONF_OUTBOUND, CERTS_CONF_HTTPS);
 *	ca_file and verify_peer are left 0.
 *
 *	certs_conf_trust_dir() appends the trust directory:
 *	tls.trust.dir, or SPOOL_DIR/trust when that is empty.
 *
 *	certs_conf_trust_load() adds the trust store described above to
 *	store and returns the number of certificates added, or -1 with
 *	the reason in err.
 *
 *	certs_conf_trust_ctx() gives ctx the trust store of cf in place of
 *	the one it has (so default verify paths set earlier are dropped
 *	when tls.trust.system is false), once: a context that already has
 *	it (certs_conf_client() and certs_conf_server() contexts included)
 *	is left alone. It returns 0, or -1 with the reason in err; then
 *	the context gets an empty trust store, so that nothing verifies
 *	(a broken trust store fails closed).
 *
 *	certs_conf_warnings() appends one line (without a trailing period)
 *	per thing an operator should hear about at start, and returns how
 *	many: a listener or the outbound service using the demonstration
 *	certificate (encryption without a verifiable identity), a
 *	listener whose certificate names neither its host name (or the
 *	global one) in a DNS SAN nor, without SANs, in the CN, and a
 *	certificate in use that has expired or expires within
 *	CERTS_CONF_EXPIRY_DAYS days of now. Certificates that cannot be
 *	read are left to the context builders, which fail with a reason.
 *
 *	certs_conf_use_cert() loads a configured certificate into ctx: the
 *	file cc->cert (the leaf, then any intermediates), the intermediates
 *	of cc->chain when not empty, and the key cc->key, which must
 *	match. It returns 0, or -1 with the reason in err.
 */
#ifndef CERTS_CONF_H
#define CERTS_CONF_H

#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"

#include "conf.h"

#include "certs_ctx.h"

#define CERTS_CONF_INBOUND	0
#define CERTS_CONF_OUTBOUND	1
#define CERTS_CONF_HTTPS	2

#define CERTS_CONF_SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define CERTS_CONF_TRUST_SUFFIX	".pem"
#define CERTS_CONF_EXPIRY_DAYS	30

SSL_CTX *certs_conf_client(const struct conf *, struct buf *);
SSL_CTX *certs_conf_server(const struct conf *, const struct conf_cert *,
	    struct buf *);
void	certs_conf_opts(const struct conf *, int, struct certs_tls_opts *);
void	certs_conf_trust_dir(const struct conf *, struct buf *);
int	certs_conf_trust_load(const struct conf *, X509_STORE *,
	    struct buf *);
int	certs_conf_use_cert(SSL_CTX *, const struct conf_cert *,
	    struct buf *);
int	certs_conf_trust_ctx(SSL_CTX *, const struct conf *, struct buf *);
int	certs_conf_warnings(const struct conf *, time_t, struct buf *);

#endif
