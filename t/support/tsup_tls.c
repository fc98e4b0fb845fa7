/*
 * NAME
 *	tsup_tls - OpenSSL contexts for the test client and server
 * DESCRIPTION
 *	See tsupport.h. The options reproduce the TLS peer behaviours of
 *	the lab matrix: version bounds (legacy or TLS 1.3-only peers),
 *	cipher lists with a security level ("...:@SECLEVEL=0"), DH
 *	parameters (the 1024-bit DHE peer), client certificates, and
 *	verification that either aborts the handshake or is only recorded
 *	(SSL_VERIFY_NONE still computes SSL_get_verify_result(), which is
 *	how an opportunistic client learns what it would have rejected).
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "mem.h"
#include "tsup_int.h"
#include "tsupport.h"

/* tsup_tls_version - a protocol name as an OpenSSL version constant */

int
tsup_tls_version(const char *name)
{
	static const struct {
		const char *name;
		int	version;
	} table[] = {
		{"TLSv1", TLS1_VERSION},
		{"TLSv1.0", TLS1_VERSION},
		{"TLSv1.1", TLS1_1_VERSION},
		{"TLSv1.2", TLS1_2_VERSION},
		{"TLSv1.3", TLS1_3_VERSION},
		{NULL, 0},
	};
	int	i;

	if (name == NULL || *name == 0)
		return (0);
	for (i = 0; table[i].name; i++)
		if (strcmp(table[i].name, name) == 0)
			return (table[i].version);
	tsup_fail("unknown TLS protocol \"%s\" (want TLSv1, TLSv1.1, "
	    "TLSv1.2 or TLSv1.3)", name);
}

/* tsup_tls_errors - the OpenSSL error queue as one line, emptied */

const char *
tsup_tls_errors(void)
{
	struct buf bp;
	char	text[256];
	unsigned long err;
	const char *line;

	buf_init(&bp, 256);
	while ((err = ERR_get_error()) != 0) {
		ERR_error_string_n(err, text, sizeof(text));
		if (bp.len > 0)
			buf_puts(&bp, "; ");
		buf_puts(&bp, text);
	}
	line = tsup_strf("%s", bp.len ? bp.data : "no OpenSSL error");
	buf_fini(&bp);
	return (line);
}

/* tsup_tls_common - the options both sides share */

static void
tsup_tls_common(SSL_CTX *ctx, const struct tsup_tls_opts *o, const char *who)
{
	int	v;

	if ((v = tsup_tls_version(o->min_proto)) != 0
	    && !SSL_CTX_set_min_proto_version(ctx, v))
		tsup_fail("%s: min protocol %s: %s", who, o->min_proto,
		    tsup_tls_errors());
	if ((v = tsup_tls_version(o->max_proto)) != 0
	    && !SSL_CTX_set_max_proto_version(ctx, v))
		tsup_fail("%s: max protocol %s: %s", who, o->max_proto,
		    tsup_tls_errors());
	if (o->ciphers != NULL && !SSL_CTX_set_cipher_list(ctx, o->ciphers))
		tsup_fail("%s: cipher list \"%s\": %s", who, o->ciphers,
		    tsup_tls_errors());
	if (o->ciphersuites != NULL
	    && !SSL_CTX_set_ciphersuites(ctx, o->ciphersuites))
		tsup_fail("%s: TLS 1.3 cipher suites \"%s\": %s", who,
		    o->ciphersuites, tsup_tls_errors());
	if (o->ca_file != NULL
	    && !SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL))
		tsup_fail("%s: CA file %s: %s", who, o->ca_file,
		    tsup_tls_errors());
	if (o->cert_file != NULL) {
		if (!SSL_CTX_use_certificate_chain_file(ctx, o->cert_file))
			tsup_fail("%s: certificate %s: %s", who, o->cert_file,
			    tsup_tls_errors());
		if (!SSL_CTX_use_PrivateKey_file(ctx, o->key_file ?
		    o->key_file : o->cert_file, SSL_FILETYPE_PEM))
			tsup_fail("%s: key %s: %s", who, o->key_file ?
			    o->key_file : o->cert_file, tsup_tls_errors());
		if (!SSL_CTX_check_private_key(ctx))
			tsup_fail("%s: key does not match %s: %s", who,
			    o->cert_file, tsup_tls_errors());
	}
}

/* tsup_tls_ctx_release - tsup_fini(): a context a failure left behind */

static void
tsup_tls_ctx_release(void *ptr)
{
	SSL_CTX_free(ptr);
}

/* tsup_tls_client_ctx - an SSL_CTX for the test's TLS client */

SSL_CTX *
tsup_tls_client_ctx(const struct tsup_tls_opts *opts)
{
	static const struct tsup_tls_opts none;
	const struct tsup_tls_opts *o = opts ? opts : &none;
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		tsup_fail("SSL_CTX_new: %s", tsup_tls_errors());
	/* Recorded while options may fail, so a failure does not leak it. */
	tsup_track(ctx, tsup_tls_ctx_release);
	tsup_tls_common(ctx, o, "TLS client");
	SSL_CTX_set_verify(ctx, o->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
	    NULL);
	tsup_untrack(ctx);
	return (ctx);
}

/* tsup_tls_server_ctx - an SSL_CTX for the test's TLS server */

SSL_CTX *
tsup_tls_server_ctx(const struct tsup_tls_opts *opts)
{
	static const struct tsup_tls_opts none;
	const struct tsup_tls_opts *o = opts ? opts : &none;
	STACK_OF(X509_NAME) *names;
	EVP_PKEY *dh = NULL;
	SSL_CTX *ctx;
	BIO    *bio;
	int	mode;

	if (o->cert_file == NULL)
		tsup_fail("TLS server: no certificate (tls.cert_file)");
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		tsup_fail("SSL_CTX_new: %s", tsup_tls_errors());
	tsup_track(ctx, tsup_tls_ctx_release);
	tsup_tls_common(ctx, o, "TLS server");
	if (o->dh_file != NULL) {
		if ((bio = BIO_new_file(o->dh_file, "r")) != NULL) {
			dh = PEM_read_bio_Parameters(bio, NULL);
			BIO_free(bio);
		}
		if (dh == NULL)
			tsup_fail("TLS server: DH parameters %s: %s",
			    o->dh_file, tsup_tls_errors());
		if (!SSL_CTX_set0_tmp_dh_pkey(ctx, dh)) {
			EVP_PKEY_free(dh);
			tsup_fail("TLS server: DH parameters %s refused: %s",
			    o->dh_file, tsup_tls_errors());
		}
	} else {
		SSL_CTX_set_dh_auto(ctx, 1);
	}
	mode = SSL_VERIFY_NONE;
	if (o->verify == TSUP_TLS_VERIFY_PEER)
		mode = SSL_VERIFY_PEER;
	else if (o->verify == TSUP_TLS_VERIFY_REQUIRE)
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	SSL_CTX_set_verify(ctx, mode, NULL);
	if (o->ca_file != NULL && mode != SSL_VERIFY_NONE) {
		if ((names = SSL_load_client_CA_file(o->ca_file)) == NULL)
			tsup_fail("TLS server: client CA list %s: %s",
			    o->ca_file, tsup_tls_errors());
		SSL_CTX_set_client_CA_list(ctx, names);
	}
	/* One-shot servers: no session cache to reason about. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	tsup_untrack(ctx);
	return (ctx);
}
