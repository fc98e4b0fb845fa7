/*
 * NAME
 *	certs_ctx - build OpenSSL contexts for the SMTP services
 * SYNOPSIS
 *	#include "certs_ctx.h"
 *
 *	struct certs_tls_opts {
 *		int	min_version;	e.g. TLS1_2_VERSION
 *		int	max_version;	e.g. TLS1_3_VERSION
 *		const char *ciphers;	TLS 1.0-1.2 cipher string, or NULL
 *		const char *ca_file;	trust store for verification, or NULL
 *		int	verify_peer;	ask the peer for a certificate
 *	};
 *
 *	void	certs_ctx_defaults(struct certs_tls_opts *opts);
 *	SSL_CTX *certs_ctx_server(const char *cert_file, const char *key_file,
 *		    const struct certs_tls_opts *opts, struct buf *err);
 *	SSL_CTX *certs_ctx_client(const struct certs_tls_opts *opts,
 *		    struct buf *err);
 *	int	certs_ctx_usable(const struct certs_tls_opts *opts,
 *		    int version);
 *	int	certs_ctx_ciphers(const struct certs_tls_opts *opts,
 *		    int version, struct buf *out);
 * DESCRIPTION
 *	certs_ctx_server() loads a certificate chain (the leaf first, then
 *	its intermediates, PEM) and its private key, checks that they
 *	belong together, and returns a server context with the protocol
 *	range and cipher settings of opts. TLS 1.3 always uses the three
 *	fixed suites (TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256,
 *	TLS_AES_128_GCM_SHA256). Every context has security level
 *	CERTS_SECLEVEL, set after the cipher string, so a "@SECLEVEL=n" in
 *	it cannot lower the level. When opts->verify_peer is set the server
 *	asks for a client certificate but never fails the handshake for
 *	its absence or for a verification error: the verdict is read after
 *	the handshake and the mail flow policy decides.
 *
 *	certs_ctx_client() returns a client context; verification results
 *	are likewise read after the handshake, never enforced by OpenSSL,
 *	because the Destination Controls decide what a failure means.
 *
 *	Both return NULL with the reason (file names, OpenSSL's words) in
 *	err. The caller frees the context with SSL_CTX_free().
 *
 *	certs_ctx_usable() tells whether a handshake with opts could use
 *	version (e.g. TLS1_1_VERSION): it must lie in the range of opts,
 *	and a suite of the cipher list must be able to complete a
 *	handshake of that version at CERTS_SECLEVEL. certs_ctx_ciphers()
 *	appends the names of those suites, one per line, in preference
 *	order, and returns how many (0 for an unusable version). Before
 *	TLS 1.2 these are the RSA key transport suites only.
 */
#ifndef CERTS_CTX_H
#define CERTS_CTX_H

#include <openssl/ssl.h>

#include "buf.h"

struct certs_tls_opts {
	int	min_version;
	int	max_version;
	const char *ciphers;
	const char *ca_file;
	int	verify_peer;
};

/*
 * The OpenSSL security level of every context: no keys, DH groups or
 * signatures under 112 bits (RSA and DH at least 2048 bits), so a peer
 * with a 1024-bit DH group fails with "dh key too small". It also
 * forbids the MD5+SHA1 signatures of TLS 1.0 and 1.1, so those versions
 * complete only with RSA key transport suites (no forward secrecy).
 */
#define CERTS_SECLEVEL	2

#define CERTS_TLS13_SUITES \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:" \
	"TLS_AES_128_GCM_SHA256"

void	certs_ctx_defaults(struct certs_tls_opts *);
SSL_CTX *certs_ctx_server(const char *, const char *,
	    const struct certs_tls_opts *, struct buf *);
SSL_CTX *certs_ctx_client(const struct certs_tls_opts *, struct buf *);
int	certs_ctx_usable(const struct certs_tls_opts *, int);
int	certs_ctx_ciphers(const struct certs_tls_opts *, int, struct buf *);

#endif
