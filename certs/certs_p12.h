/*
 * NAME
 *	certs_p12 - PKCS#12 import and export
 * SYNOPSIS
 *	#include "certs_p12.h"
 *
 *	int	certs_p12_password(const char *file, const char *env,
 *		    struct buf *out, struct buf *err);
 *	int	certs_p12_import(const struct buf *der, const char *what,
 *		    const char *password, EVP_PKEY **key, X509 **cert,
 *		    STACK_OF(X509) **chain, struct buf *err);
 *	int	certs_p12_export(EVP_PKEY *key, X509 *cert,
 *		    STACK_OF(X509) *chain, const char *password,
 *		    struct buf *der, struct buf *err);
 * DESCRIPTION
 *	An appliance imports and exports a certificate with its key as a
 *	password-protected PKCS#12 file.
 *
 *	certs_p12_password() reads a password from the first line of file
 *	(without its line end), or from the environment variable env when
 *	file is NULL. An empty password, a missing variable or an
 *	unreadable file is an error. The caller should buf_free() out
 *	after clearing it (OPENSSL_cleanse).
 *
 *	certs_p12_import() parses the DER bytes of a PKCS#12 file (what
 *	names it in errors) and returns its key, its certificate (the one
 *	that matches the key) and the other certificates (chain, may be
 *	empty; NULL key or chain pointers are not accepted). A wrong
 *	password, bytes that are not PKCS#12, a file without a key or
 *	without a matching certificate are each reported as such.
 *	Files made with legacy algorithms (RC2, 3DES) need the OpenSSL
 *	"legacy" provider: without it import returns -2 (the password
 *	was right but the contents could not be decrypted), and the
 *	caller may load that provider and try again.
 *
 *	certs_p12_export() appends a PKCS#12 encoding of key, cert and
 *	chain (may be NULL) to der, protected with password: AES-256-CBC
 *	with PBKDF2 for both the key and the certificates, and a SHA-256
 *	MAC (the OpenSSL 3 defaults). The friendly name is the CN.
 *
 *	All return 0, or -1 (import: or -2) with the reason in err; on
 *	error nothing is
 *	returned through the pointers. The caller frees what import
 *	returns.
 */
#ifndef CERTS_P12_H
#define CERTS_P12_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "buf.h"

int	certs_p12_password(const char *, const char *, struct buf *,
	    struct buf *);
int	certs_p12_import(const struct buf *, const char *, const char *,
	    EVP_PKEY **, X509 **, STACK_OF(X509) **, struct buf *);
int	certs_p12_export(EVP_PKEY *, X509 *, STACK_OF(X509) *, const char *,
	    struct buf *, struct buf *);

#endif
