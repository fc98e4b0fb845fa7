/*
 * NAME
 *	certs_p12 - PKCS#12 import and export
 * DESCRIPTION
 *	See certs_p12.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "buf.h"
#include "certs_x509.h"
#include "certs_p12.h"

#define CERTS_P12_PASS_MAX	1024

/* certs_p12_password - read a password from a file or the environment */

int
certs_p12_password(const char *file, const char *env, struct buf *out,
    struct buf *err)
{
	struct buf *data;
	const char *value;
	size_t	len;

	if (file == NULL) {
		if (env == NULL || (value = getenv(env)) == NULL) {
			buf_printf(err, "environment variable %s: not set",
			    env ? env : "(none)");
			return (-1);
		}
		if (*value == 0) {
			buf_printf(err, "environment variable %s: empty "
			    "password", env);
			return (-1);
		}
		buf_puts(out, value);
		return (0);
	}
	data = buf_new(0);
	if (certs_x509_read_file(file, data, err) == -1) {
		OPENSSL_cleanse(data->data, data->len);
		buf_free(data);
		return (-1);
	}
	len = strcspn(data->data, "\r\n");
	if (len == 0 || len > CERTS_P12_PASS_MAX
	    || memchr(data->data, 0, len) != NULL) {
		buf_printf(err, "%s: the first line is empty, too long or "
		    "not text", file);
		OPENSSL_cleanse(data->data, data->len);
		buf_free(data);
		return (-1);
	}
	buf_append(out, data->data, len);
	OPENSSL_cleanse(data->data, data->len);
	buf_free(data);
	return (0);
}

/* certs_p12_import - the key and certificates of a PKCS#12 file */

int
certs_p12_import(const struct buf *der, const char *what,
    const char *password, EVP_PKEY **keyp, X509 **certp,
    STACK_OF(X509) **chainp, struct buf *err)
{
	const unsigned char *cp = (const unsigned char *) der->data;
	PKCS12 *p12;
	EVP_PKEY *key = NULL;
	X509   *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	unsigned long code;

	*keyp = NULL;
	*certp = NULL;
	*chainp = NULL;
	if (der->len > CERTS_MAX_FILE
	    || (p12 = d2i_PKCS12(NULL, &cp, (long) der->len)) == NULL) {
		ERR_clear_error();
		buf_printf(err, "%s: not a PKCS#12 file", what);
		return (-1);
	}
	if (PKCS12_mac_present(p12)
	    && !PKCS12_verify_mac(p12, password, -1)) {
		code = ERR_peek_last_error();
		if (ERR_GET_REASON(code) == PKCS12_R_MAC_VERIFY_FAILURE
		    || code == 0) {
			ERR_clear_error();
			buf_printf(err, "%s: wrong password (the integrity "
			    "check failed)", what);
		} else
			certs_x509_ssl_error(err, "%s: integrity check", what);
		PKCS12_free(p12);
		return (-1);
	}
	if (!PKCS12_parse(p12, password, &key, &cert, &ca)) {
		certs_x509_ssl_error(err, "%s: cannot decrypt or parse "
		    "(legacy algorithms need the OpenSSL legacy provider)",
		    what);
		PKCS12_free(p12);
		return (-2);
	}
	PKCS12_free(p12);
	if (ca == NULL && (ca = sk_X509_new_null()) == NULL) {
		certs_x509_ssl_error(err, "%s", what);
		goto fail;
	}
	if (key == NULL) {
		buf_printf(err, "%s: contains no private key", what);
		goto fail;
	}
	if (cert == NULL) {
		buf_printf(err, "%s: contains no certificate for its private "
		    "key", what);
		goto fail;
	}
	if (certs_x509_check_key(cert, key, err) == -1)
		goto fail;
	*keyp = key;
	*certp = cert;
	*chainp = ca;
	return (0);
fail:
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	return (-1);
}

/* certs_p12_export - a password-protected PKCS#12 file */

int
certs_p12_export(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
    const char *password, struct buf *der, struct buf *err)
{
	char	name[256];
	PKCS12 *p12;
	unsigned char *out = NULL;
	int	len;

	if (password == NULL || *password == 0) {
		buf_puts(err, "an export needs a password");
		return (-1);
	}
	if (certs_x509_check_key(cert, key, err) == -1)
		return (-1);
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert),
	    NID_commonName, name, sizeof(name)) < 0)
		name[0] = 0;
	ERR_clear_error();
	/* nid 0 and iterations 0: the OpenSSL 3 defaults, AES-256-CBC
	 * with PBKDF2 (HMAC-SHA256) and 2048 rounds, and a SHA-256 MAC. */
	p12 = PKCS12_create(password, name[0] ? name : NULL, key, cert, chain,
	    0, 0, 0, 0, 0);
	if (p12 == NULL) {
		certs_x509_ssl_error(err, "make PKCS#12");
		return (-1);
	}
	if ((len = i2d_PKCS12(p12, &out)) <= 0) {
		certs_x509_ssl_error(err, "encode PKCS#12");
		PKCS12_free(p12);
		return (-1);
	}
	buf_append(der, out, (size_t) len);
	OPENSSL_free(out);
	PKCS12_free(p12);
	return (0);
}
