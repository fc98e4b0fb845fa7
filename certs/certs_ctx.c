/*
 * NAME
 *	certs_ctx - build OpenSSL contexts for the SMTP services
 * DESCRIPTION
 *	See certs_ctx.h.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "certs_ctx.h"

/* certs_ctx_error - append OpenSSL's reason to err */

static void
certs_ctx_error(struct buf *err, const char *what)
{
	unsigned long code = ERR_peek_last_error();
	const char *reason = code ? ERR_reason_error_string(code) : NULL;

	buf_printf(err, "%s: %s", what, reason ? reason : "unknown error");
	ERR_clear_error();
}

/* certs_ctx_accept_any - record, never enforce, the verification result */

static int
certs_ctx_accept_any(int preverify_ok, X509_STORE_CTX *store)
{
	(void) preverify_ok;
	(void) store;
	return (1);
}

/* certs_ctx_defaults - the built-in settings of every service */

void
certs_ctx_defaults(struct certs_tls_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->min_version = TLS1_2_VERSION;
	opts->max_version = TLS1_3_VERSION;
	opts->ciphers = NULL;
}

/* certs_ctx_common - settings shared by server and client contexts */

static int
certs_ctx_common(SSL_CTX *ctx, const struct certs_tls_opts *opts,
    struct buf *err)
{
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION
	    | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (!SSL_CTX_set_min_proto_version(ctx, opts->min_version)
	    || !SSL_CTX_set_max_proto_version(ctx, opts->max_version)) {
		certs_ctx_error(err, "set protocol versions");
		return (-1);
	}
	if (opts->ciphers && !SSL_CTX_set_cipher_list(ctx, opts->ciphers)) {
		certs_ctx_error(err, "cipher list");
		return (-1);
	}
	SSL_CTX_set_security_level(ctx, CERTS_SECLEVEL);
	if (!SSL_CTX_set_ciphersuites(ctx, CERTS_TLS13_SUITES)) {
		certs_ctx_error(err, "TLS 1.3 suites");
		return (-1);
	}
	if (opts->ca_file && !SSL_CTX_load_verify_locations(ctx,
	    opts->ca_file, NULL)) {
		buf_printf(err, "trust store %s: ", opts->ca_file);
		certs_ctx_error(err, "load");
		return (-1);
	}
	return (0);
}

/* certs_ctx_server - a server context for one certificate */

SSL_CTX *
certs_ctx_server(const char *cert_file, const char *key_file,
    const struct certs_tls_opts *opts, struct buf *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		certs_ctx_error(err, "SSL_CTX_new");
		return (NULL);
	}
	if (certs_ctx_common(ctx, opts, err) != 0)
		goto fail;
	if (!SSL_CTX_use_certificate_chain_file(ctx, cert_file)) {
		buf_printf(err, "certificate %s: ", cert_file);
		certs_ctx_error(err, "load");
		goto fail;
	}
	if (!SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM)) {
		if (ERR_GET_REASON(ERR_peek_last_error())
		    == X509_R_KEY_VALUES_MISMATCH)
			goto mismatch;
		buf_printf(err, "private key %s: ", key_file);
		certs_ctx_error(err, "load");
		goto fail;
	}
	if (!SSL_CTX_check_private_key(ctx)) {
mismatch:
		buf_printf(err, "private key %s does not match certificate %s",
		    key_file, cert_file);
		ERR_clear_error();
		goto fail;
	}
	/*
	 * Send the chain as configured (the certificate file holds the
	 * intermediates), instead of building it again from the trust
	 * store in every handshake.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (opts->verify_peer)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, certs_ctx_accept_any);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	(void) SSL_CTX_set_session_id_context(ctx,
	    (const unsigned char *) "mtad", 4);
	return (ctx);
fail:
	SSL_CTX_free(ctx);
	return (NULL);
}

/* certs_ctx_client - a client context */

SSL_CTX *
certs_ctx_client(const struct certs_tls_opts *opts, struct buf *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		certs_ctx_error(err, "SSL_CTX_new");
		return (NULL);
	}
	if (certs_ctx_common(ctx, opts, err) != 0) {
		SSL_CTX_free(ctx);
		return (NULL);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, certs_ctx_accept_any);
	return (ctx);
}

/*
 * certs_ctx_cipher_ok - can this suite complete a handshake of version
 * at CERTS_SECLEVEL? Before TLS 1.2 the key exchange of (EC)DHE suites
 * is signed with MD5+SHA1, which security level 1 and above forbid
 * ("legacy sigalg disallowed or unsupported"), so only RSA key
 * transport suites, without forward secrecy, remain.
 */
static int
certs_ctx_cipher_ok(const SSL_CIPHER *c, int version)
{
	if (version >= TLS1_2_VERSION)
		return (1);
	return (SSL_CIPHER_get_kx_nid(c) == NID_kx_rsa);
}

/* certs_ctx_ciphers - the ciphers OpenSSL would offer for one version */

int
certs_ctx_ciphers(const struct certs_tls_opts *opts, int version,
    struct buf *out)
{
	struct certs_tls_opts one = *opts;
	STACK_OF(SSL_CIPHER) *sk;
	struct buf err;
	SSL_CTX *ctx;
	SSL    *ssl;
	int	n = 0;
	int	i;

	if (version < opts->min_version || version > opts->max_version)
		return (0);
	one.min_version = one.max_version = version;
	one.ca_file = NULL;
	buf_init(&err, 0);
	ctx = certs_ctx_client(&one, &err);
	buf_fini(&err);
	if (ctx == NULL)
		return (0);
	if ((ssl = SSL_new(ctx)) != NULL) {
		/* NULL when security level refuses every version left. */
		if ((sk = SSL_get1_supported_ciphers(ssl)) != NULL) {
			for (i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
				const SSL_CIPHER *c;

				c = sk_SSL_CIPHER_value(sk, i);
				if (!certs_ctx_cipher_ok(c, version))
					continue;
				buf_printf(out, "%s\n", SSL_CIPHER_get_name(c));
				n++;
			}
			sk_SSL_CIPHER_free(sk);
		}
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return (n);
}

/* certs_ctx_usable - could a handshake with opts use this version? */

int
certs_ctx_usable(const struct certs_tls_opts *opts, int version)
{
	struct buf names;
	int	n;

	buf_init(&names, 0);
	n = certs_ctx_ciphers(opts, version, &names);
	buf_fini(&names);
	return (n > 0);
}
