/*
 * NAME
 *	certs_x509 - keys, self-signed certificates, requests and chains
 * SYNOPSIS
 *	#include "certs_x509.h"
 *
 *	struct certs_subject {
 *		const char *cn;		Common Name (required)
 *		const char *o;		Organization, or NULL
 *		const char *ou;		Organizational Unit, or NULL
 *		const char *l;		Locality (city), or NULL
 *		const char *st;		State or province, or NULL
 *		const char *c;		two-letter country code, or NULL
 *		const char *san;	"DNS:a,IP:b,name,..." or NULL (the CN)
 *	};
 *
 *	int	certs_x509_key_type(const char *name);
 *	EVP_PKEY *certs_x509_keygen(int type, struct buf *err);
 *	X509	*certs_x509_selfsign(EVP_PKEY *key,
 *		    const struct certs_subject *subj, int days,
 *		    struct buf *err);
 *	X509_REQ *certs_x509_csr(EVP_PKEY *key,
 *		    const struct certs_subject *subj, struct buf *err);
 *
 *	int	certs_x509_read_file(const char *path, struct buf *out,
 *		    struct buf *err);
 *	EVP_PKEY *certs_x509_load_key(const char *path, struct buf *err);
 *	STACK_OF(X509) *certs_x509_load_certs(const char *path,
 *		    struct buf *err);
 *	int	certs_x509_check_key(X509 *cert, EVP_PKEY *key,
 *		    struct buf *err);
 *	int	certs_x509_check_chain(X509 *leaf, STACK_OF(X509) *chain,
 *		    struct buf *err);
 *	int	certs_x509_verify(X509 *leaf, STACK_OF(X509) *chain,
 *		    const char *ca_file, struct buf *err);
 *	STACK_OF(X509) *certs_x509_chain_order(X509 *leaf,
 *		    STACK_OF(X509) *pool);
 *	void	certs_x509_name(X509_NAME *name, struct buf *out);
 *
 *	void	certs_x509_pem_key(EVP_PKEY *key, struct buf *out);
 *	void	certs_x509_pem_cert(X509 *cert, struct buf *out);
 *	void	certs_x509_pem_req(X509_REQ *req, struct buf *out);
 *
 *	struct certs_file {
 *		const char *path;	NULL: skipped
 *		int	mode;		e.g. 0600 for a private key
 *		const struct buf *data;
 *	};
 *	int	certs_x509_write(const struct certs_file *files,
 *		    size_t count, int force, struct buf *err);
 *	void	certs_x509_ssl_error(struct buf *err, const char *fmt, ...);
 * DESCRIPTION
 *	This module is what the certificate commands (mtactl cert) and the
 *	daemon share: it makes keys and certificates with the OpenSSL 3
 *	API, reads them from files, checks that a certificate, its key and
 *	its intermediates belong together, and writes the results safely.
 *
 *	certs_x509_key_type() maps "rsa2048", "rsa4096", "p256", "p384" to
 *	a CERTS_KEY_* value, or -1. certs_x509_keygen() makes such a key.
 *
 *	certs_x509_selfsign() makes a self-signed X.509 v3 server
 *	certificate valid for days days (1 to CERTS_MAX_DAYS) from now:
 *	random 128-bit serial, SHA-256, basicConstraints CA:FALSE,
 *	keyUsage and extendedKeyUsage serverAuth and clientAuth (a gateway
 *	uses one certificate both ways), subjectKeyIdentifier, and the
 *	subjectAltName of subj->san (the CN when NULL). certs_x509_csr()
 *	makes a PKCS#10 request with the same subject and SANs.
 *
 *	SAN syntax: comma-separated items; "DNS:", "IP:", "email:" and
 *	"URI:" prefixes are kept, a bare item is an IP address when it
 *	parses as one and a DNS name otherwise. The country must be two
 *	letters; the CN at most 64 characters.
 *
 *	certs_x509_read_file() appends a whole file (at most
 *	CERTS_MAX_FILE bytes, not empty) to out and returns 0, or -1 with
 *	the file name and the reason in err.
 *
 *	certs_x509_load_key() reads a PEM (or DER) private key;
 *	encrypted keys are refused (no passphrase prompt).
 *	certs_x509_load_certs() reads every certificate of a PEM file (or
 *	a single DER certificate); a file with none is an error.
 *
 *	certs_x509_check_key() tells whether key is the private key of
 *	cert. certs_x509_check_chain() checks that leaf is issued by
 *	chain[0], chain[0] by chain[1], and so on (names and signatures),
 *	and when it is not, says which certificate is the problem: a
 *	duplicate, a certificate in the wrong place (and where it
 *	belongs), or one unrelated to the rest. An empty or NULL chain is
 *	fine. Both return 0, or -1 with the reason in err.
 *
 *	certs_x509_verify() verifies leaf with the OpenSSL verifier, as a
 *	peer would: chain as the untrusted intermediates, the
 *	certificates of the PEM file ca_file as the only trust anchors,
 *	for TLS server use, at the current time. It returns 0, or -1 with
 *	the verifier's reason and the subject of the certificate where it
 *	stopped.
 *
 *	certs_x509_chain_order() picks from pool, which may be in any
 *	order (a PKCS#12 bag), the intermediates that chain up from leaf,
 *	issuer after subject, and stops before a self-signed root (peers
 *	have their own). It returns a new stack holding references (the
 *	caller frees it with sk_X509_pop_free(stack, X509_free)); the
 *	pool is left as it was.
 *
 *	certs_x509_name() appends a name in RFC 2253 form (UTF-8).
 *	certs_x509_pem_*() append PEM text (the key unencrypted, PKCS#8).
 *
 *	certs_x509_write() writes a set of files all or nothing: unless
 *	force is set it refuses when any of them exists; it writes each
 *	to a temporary file beside it (created with its mode, O_EXCL),
 *	syncs it, and only when all were written renames them into place.
 *	On failure no target is created or changed.
 *
 *	certs_x509_ssl_error() appends a formatted text, ": ", and the
 *	reason of the first OpenSSL error queued (or "unknown error"), and
 *	clears the queue.
 *
 *	Functions that return a pointer return NULL on error with the
 *	reason in err; the caller frees the result (EVP_PKEY_free,
 *	X509_free, X509_REQ_free, sk_X509_pop_free(stack, X509_free)).
 *	Errors name the file and give OpenSSL's reason where there is one.
 */
#ifndef CERTS_X509_H
#define CERTS_X509_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "buf.h"

#define CERTS_KEY_RSA2048	0
#define CERTS_KEY_RSA4096	1
#define CERTS_KEY_P256		2
#define CERTS_KEY_P384		3

#define CERTS_MAX_DAYS		36500
#define CERTS_MAX_FILE		(1024 * 1024)	/* PEM bundles are small */

struct certs_subject {
	const char *cn;
	const char *o;
	const char *ou;
	const char *l;
	const char *st;
	const char *c;
	const char *san;
};

struct certs_file {
	const char *path;
	int	mode;
	const struct buf *data;
};

int	certs_x509_key_type(const char *);
EVP_PKEY *certs_x509_keygen(int, struct buf *);
X509   *certs_x509_selfsign(EVP_PKEY *, const struct certs_subject *, int,
	    struct buf *);
X509_REQ *certs_x509_csr(EVP_PKEY *, const struct certs_subject *,
	    struct buf *);
int	certs_x509_read_file(const char *, struct buf *, struct buf *);
EVP_PKEY *certs_x509_load_key(const char *, struct buf *);
STACK_OF(X509) *certs_x509_load_certs(const char *, struct buf *);
int	certs_x509_check_key(X509 *, EVP_PKEY *, struct buf *);
int	certs_x509_check_chain(X509 *, STACK_OF(X509) *, struct buf *);
int	certs_x509_verify(X509 *, STACK_OF(X509) *, const char *,
	    struct buf *);
STACK_OF(X509) *certs_x509_chain_order(X509 *, STACK_OF(X509) *);
void	certs_x509_name(X509_NAME *, struct buf *);
void	certs_x509_pem_key(EVP_PKEY *, struct buf *);
void	certs_x509_pem_cert(X509 *, struct buf *);
void	certs_x509_pem_req(X509_REQ *, struct buf *);
int	certs_x509_write(const struct certs_file *, size_t, int,
	    struct buf *);
void	certs_x509_ssl_error(struct buf *, const char *, ...)
	    MSG_PRINTFLIKE(2, 3);

#endif
