/*
 * NAME
 *	certs_demo - the demonstration certificate created on first start
 * DESCRIPTION
 *	See certs_demo.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certs_demo.h"
#include "mem.h"

#define CERTS_DEMO_DAYS	3650

/* certs_demo_ssl_error - append the OpenSSL error queue to err */

static void
certs_demo_ssl_error(struct buf *err, const char *what)
{
	unsigned long code = ERR_get_error();
	char	text[256];

	ERR_error_string_n(code, text, sizeof(text));
	buf_printf(err, "%s: %s", what, code ? text : "unknown error");
	ERR_clear_error();
}

/* certs_demo_write - write PEM through a temporary file and rename it */

static int
certs_demo_write(const char *path, int mode, EVP_PKEY *key, X509 *cert,
    struct buf *err)
{
	struct buf *tmp = buf_new(0);
	FILE   *fp = NULL;
	int	fd;
	int	ok = 0;

	buf_printf(tmp, "%s.tmp.%ld", path, (long) getpid());
	fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL) {
		buf_printf(err, "create %s: %s", tmp->data, strerror(errno));
		if (fd != -1)
			(void) close(fd);
		goto out;
	}
	if (key && !PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL)) {
		certs_demo_ssl_error(err, "write private key");
		goto out;
	}
	if (cert && !PEM_write_X509(fp, cert)) {
		certs_demo_ssl_error(err, "write certificate");
		goto out;
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) == -1) {
		buf_printf(err, "write %s: %s", tmp->data, strerror(errno));
		goto out;
	}
	if (rename(tmp->data, path) == -1) {
		buf_printf(err, "rename %s: %s", path, strerror(errno));
		goto out;
	}
	ok = 1;
out:
	if (fp)
		(void) fclose(fp);
	if (!ok)
		(void) unlink(tmp->data);
	buf_free(tmp);
	return (ok ? 0 : -1);
}

/* certs_demo_make - a self-signed certificate for key */

static X509 *
certs_demo_make(EVP_PKEY *key, const char *hostname)
{
	X509   *cert = X509_new();
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	struct buf *san = buf_new(0);
	unsigned char serial[16];
	BIGNUM *bn = NULL;

	buf_printf(san, "DNS:%s", hostname);
	if (cert == NULL || !X509_set_version(cert, 2))
		goto fail;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL
	    || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL) {
		BN_free(bn);
		goto fail;
	}
	BN_free(bn);
	if (!X509_gmtime_adj(X509_getm_notBefore(cert), -3600)
	    || !X509_gmtime_adj(X509_getm_notAfter(cert),
	    (long) CERTS_DEMO_DAYS * 86400))
		goto fail;
	name = X509_get_subject_name(cert);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *) CERTS_DEMO_ORG, -1, -1, 0)
	    || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *) hostname, -1, -1, 0)
	    || !X509_set_issuer_name(cert, name)
	    || !X509_set_pubkey(cert, key))
		goto fail;
	X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san->data);
	if (ext == NULL || !X509_add_ext(cert, ext, -1)) {
		X509_EXTENSION_free(ext);
		goto fail;
	}
	X509_EXTENSION_free(ext);
	if (!X509_sign(cert, key, EVP_sha256()))
		goto fail;
	buf_free(san);
	return (cert);
fail:
	buf_free(san);
	X509_free(cert);
	return (NULL);
}

/* certs_demo_ensure - create the demo certificate unless it exists */

int
certs_demo_ensure(const char *cert_path, const char *key_path,
    const char *hostname, struct buf *err)
{
	EVP_PKEY *key;
	X509   *cert;
	int	rc = -1;

	if (access(cert_path, F_OK) == 0 && access(key_path, F_OK) == 0)
		return (0);
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048))
	    == NULL) {
		certs_demo_ssl_error(err, "generate demo key");
		return (-1);
	}
	if ((cert = certs_demo_make(key, hostname)) == NULL) {
		certs_demo_ssl_error(err, "make demo certificate");
		EVP_PKEY_free(key);
		return (-1);
	}
	if (certs_demo_write(key_path, 0600, key, NULL, err) == 0
	    && certs_demo_write(cert_path, 0644, NULL, cert, err) == 0)
		rc = 0;
	X509_free(cert);
	EVP_PKEY_free(key);
	return (rc);
}

/* certs_demo_is - is this one of our demo certificates */

int
certs_demo_is(X509 *cert)
{
	X509_NAME *name = X509_get_subject_name(cert);
	char	org[128];

	if (name == NULL || X509_NAME_get_text_by_NID(name,
	    NID_organizationName, org, sizeof(org)) < 0)
		return (0);
	return (strcmp(org, CERTS_DEMO_ORG) == 0);
}
