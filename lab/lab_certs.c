/*
 * NAME
 *	lab_certs - the test PKI of the TLS policy lab, made at run time
 * DESCRIPTION
 *	See lab_certs.h. Certificates are built with OpenSSL's X509 API
 *	directly: the lab needs what certs_x509(3) rightly refuses to make
 *	(expired and not yet valid certificates, a leaf signed by a CA that
 *	is not served). Validity is set in seconds from now: "expired"
 *	ended a day ago, "not yet valid" starts in a day.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"

#include "lab_certs.h"

#define LAB_DAY		(24L * 60 * 60)

struct lab_pki {
	char   *chain[LAB_CERT_COUNT];
	char   *key[LAB_CERT_COUNT];
	char   *ca;
	char   *dh1024;
};

static const char *const lab_cert_names[LAB_CERT_COUNT] = {
	[LAB_CERT_VALID] = "valid",
	[LAB_CERT_SELFSIGNED] = "selfsigned",
	[LAB_CERT_EXPIRED] = "expired",
	[LAB_CERT_NOTYET] = "notyetvalid",
	[LAB_CERT_WRONGNAME] = "wrongname",
	[LAB_CERT_NOINTERMEDIATE] = "nointermediate",
	[LAB_CERT_UNTRUSTED] = "untrustedca",
	[LAB_CERT_CLIENT_VALID] = "client-valid",
	[LAB_CERT_CLIENT_SELFSIGNED] = "client-selfsigned",
	[LAB_CERT_CLIENT_EXPIRED] = "client-expired",
};

/* lab_certs_ossl - append OpenSSL's error queue to err */

static void
lab_certs_ossl(struct buf *err, const char *what)
{
	unsigned long e;
	char	text[256];

	buf_puts(err, what);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, text, sizeof(text));
		buf_printf(err, ": %s", text);
	}
}

/* lab_certs_keygen - an RSA 2048 key, or a P-256 one (much faster) */

static EVP_PKEY *
lab_certs_keygen(int rsa, struct buf *err)
{
	EVP_PKEY *key;

	if (rsa)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
	else
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (key == NULL)
		lab_certs_ossl(err, "key generation");
	return (key);
}

/* lab_certs_ext - add one extension in openssl.cnf syntax */

static int
lab_certs_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int	ok;

	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return (-1);
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return (ok ? 0 : -1);
}

/* lab_certs_issue - a certificate for key, signed by ikey (itself if NULL) */

static X509 *
lab_certs_issue(EVP_PKEY *key, const char *cn, const char *san, int ca,
    long from, long to, X509 *issuer, EVP_PKEY *ikey, long serial,
    struct buf *err)
{
	X509   *cert = X509_new();
	X509_NAME *name;
	int	ok = 1;

	ok &= X509_set_version(cert, 2);
	ok &= ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
	ok &= X509_gmtime_adj(X509_getm_notBefore(cert), from) != NULL;
	ok &= X509_gmtime_adj(X509_getm_notAfter(cert), to) != NULL;
	ok &= X509_set_pubkey(cert, key);
	name = X509_get_subject_name(cert);
	ok &= X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *) "mtad TLS lab", -1, -1, 0);
	ok &= X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *) cn, -1, -1, 0);
	ok &= X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer)
	    : name);
	if (!ok) {
		lab_certs_ossl(err, cn);
		X509_free(cert);
		return (NULL);
	}
	if (ca) {
		ok = lab_certs_ext(cert, issuer ? issuer : cert,
		    NID_basic_constraints, "critical,CA:TRUE") == 0
		    && lab_certs_ext(cert, issuer ? issuer : cert,
		    NID_key_usage, "critical,keyCertSign,cRLSign") == 0;
	} else {
		ok = lab_certs_ext(cert, issuer ? issuer : cert,
		    NID_basic_constraints, "CA:FALSE") == 0
		    && lab_certs_ext(cert, issuer ? issuer : cert,
		    NID_ext_key_usage, "serverAuth,clientAuth") == 0
		    && lab_certs_ext(cert, issuer ? issuer : cert,
		    NID_subject_alt_name, san) == 0;
	}
	ok = ok && lab_certs_ext(cert, cert, NID_subject_key_identifier,
	    "hash") == 0;
	if (issuer)
		ok = ok && lab_certs_ext(cert, issuer,
		    NID_authority_key_identifier, "keyid") == 0;
	if (!ok || X509_sign(cert, ikey ? ikey : key, EVP_sha256()) == 0) {
		lab_certs_ossl(err, cn);
		X509_free(cert);
		return (NULL);
	}
	return (cert);
}

/* lab_certs_write - write certificates and optionally a key as PEM */

static char *
lab_certs_write(const char *dir, const char *name, X509 *const *certs,
    EVP_PKEY *key, struct buf *err)
{
	struct buf path;
	FILE   *fp;
	int	ok = 1;

	buf_init(&path, 0);
	buf_printf(&path, "%s/%s.pem", dir, name);
	if ((fp = fopen(path.data, "w")) == NULL) {
		buf_printf(err, "%s: %s", path.data, strerror(errno));
		buf_fini(&path);
		return (NULL);
	}
	if (key) {
		(void) fchmod(fileno(fp), 0600);
		ok &= PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
	}
	for (; certs && *certs; certs++)
		ok &= PEM_write_X509(fp, *certs);
	if (fclose(fp) != 0 || !ok) {
		lab_certs_ossl(err, path.data);
		buf_fini(&path);
		return (NULL);
	}
	return (buf_steal(&path));
}

/* lab_certs_dh - write the 1024-bit RFC 2409 group as DH parameters */

static char *
lab_certs_dh(const char *dir, struct buf *err)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *dh = NULL;
	BIGNUM *p = BN_get_rfc2409_prime_1024(NULL);
	BIGNUM *g = BN_new();
	struct buf path;
	BIO    *bio = NULL;
	char   *ret = NULL;

	buf_init(&path, 0);
	buf_printf(&path, "%s/dh1024.pem", dir);
	if (bld == NULL || p == NULL || g == NULL || !BN_set_word(g, 2)
	    || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p)
	    || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g)
	    || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL
	    || (pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL
	    || EVP_PKEY_fromdata_init(pctx) <= 0
	    || EVP_PKEY_fromdata(pctx, &dh, EVP_PKEY_KEY_PARAMETERS,
	    params) <= 0) {
		lab_certs_ossl(err, "DH parameters");
	} else if ((bio = BIO_new_file(path.data, "w")) == NULL
	    || !PEM_write_bio_Parameters(bio, dh) || BIO_flush(bio) != 1) {
		lab_certs_ossl(err, path.data);
	} else
		ret = buf_steal(&path);
	BIO_free(bio);
	buf_fini(&path);
	EVP_PKEY_free(dh);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(g);
	return (ret);
}

/* lab_certs_make - create the PKI in dir */

struct lab_pki *
lab_certs_make(const char *dir, const char *names, struct buf *err)
{
	struct lab_pki *pki = mem_zalloc(1, sizeof(*pki));
	EVP_PKEY *rootk = NULL, *intk = NULL, *otherk = NULL, *leafk = NULL;
	X509   *root = NULL, *inter = NULL, *other = NULL;
	X509   *leaf[LAB_CERT_COUNT] = {NULL};
	X509   *chain[3];
	const char *cl = "DNS:client.lab";
	int	i;
	int	ok = 0;

	if ((rootk = lab_certs_keygen(0, err)) == NULL
	    || (intk = lab_certs_keygen(0, err)) == NULL
	    || (otherk = lab_certs_keygen(0, err)) == NULL
	    || (leafk = lab_certs_keygen(1, err)) == NULL)
		goto out;
	if ((root = lab_certs_issue(rootk, "Lab Root CA", NULL, 1, -LAB_DAY,
	    3650 * LAB_DAY, NULL, NULL, 1, err)) == NULL
	    || (inter = lab_certs_issue(intk, "Lab Intermediate CA", NULL, 1,
	    -LAB_DAY, 3650 * LAB_DAY, root, rootk, 2, err)) == NULL
	    || (other = lab_certs_issue(otherk, "Lab Untrusted Root CA", NULL,
	    1, -LAB_DAY, 3650 * LAB_DAY, NULL, NULL, 3, err)) == NULL)
		goto out;
	leaf[LAB_CERT_VALID] = lab_certs_issue(leafk, "mx.lab", names, 0,
	    -LAB_DAY, 365 * LAB_DAY, inter, intk, 10, err);
	leaf[LAB_CERT_SELFSIGNED] = lab_certs_issue(leafk, "mx.lab", names, 0,
	    -LAB_DAY, 365 * LAB_DAY, NULL, NULL, 11, err);
	leaf[LAB_CERT_EXPIRED] = lab_certs_issue(leafk, "mx.lab", names, 0,
	    -30 * LAB_DAY, -LAB_DAY, inter, intk, 12, err);
	leaf[LAB_CERT_NOTYET] = lab_certs_issue(leafk, "mx.lab", names, 0,
	    LAB_DAY, 365 * LAB_DAY, inter, intk, 13, err);
	leaf[LAB_CERT_WRONGNAME] = lab_certs_issue(leafk, "other.example.net",
	    "DNS:other.example.net", 0, -LAB_DAY, 365 * LAB_DAY, inter, intk,
	    14, err);
	leaf[LAB_CERT_NOINTERMEDIATE] = leaf[LAB_CERT_VALID] ?
	    X509_dup(leaf[LAB_CERT_VALID]) : NULL;
	leaf[LAB_CERT_UNTRUSTED] = lab_certs_issue(leafk, "mx.lab", names, 0,
	    -LAB_DAY, 365 * LAB_DAY, other, otherk, 15, err);
	leaf[LAB_CERT_CLIENT_VALID] = lab_certs_issue(leafk, "client.lab", cl,
	    0, -LAB_DAY, 365 * LAB_DAY, inter, intk, 16, err);
	leaf[LAB_CERT_CLIENT_SELFSIGNED] = lab_certs_issue(leafk, "client.lab",
	    cl, 0, -LAB_DAY, 365 * LAB_DAY, NULL, NULL, 17, err);
	leaf[LAB_CERT_CLIENT_EXPIRED] = lab_certs_issue(leafk, "client.lab",
	    cl, 0, -30 * LAB_DAY, -LAB_DAY, inter, intk, 18, err);
	for (i = 0; i < LAB_CERT_COUNT; i++)
		if (leaf[i] == NULL)
			goto out;

	chain[1] = chain[2] = NULL;
	chain[0] = root;
	if ((pki->ca = lab_certs_write(dir, "ca", chain, NULL, err)) == NULL
	    || (pki->dh1024 = lab_certs_dh(dir, err)) == NULL)
		goto out;
	for (i = 0; i < LAB_CERT_COUNT; i++) {
		chain[0] = leaf[i];
		chain[1] = NULL;
		if (i == LAB_CERT_VALID || i == LAB_CERT_EXPIRED
		    || i == LAB_CERT_NOTYET || i == LAB_CERT_WRONGNAME
		    || i == LAB_CERT_CLIENT_VALID
		    || i == LAB_CERT_CLIENT_EXPIRED)
			chain[1] = inter;
		else if (i == LAB_CERT_UNTRUSTED)
			chain[1] = other;
		if ((pki->chain[i] = lab_certs_write(dir, lab_cert_names[i],
		    chain, NULL, err)) == NULL)
			goto out;
	}
	chain[0] = NULL;
	if ((pki->key[0] = lab_certs_write(dir, "leaf-key", chain, leafk,
	    err)) == NULL)
		goto out;
	for (i = 1; i < LAB_CERT_COUNT; i++)
		pki->key[i] = mem_strdup(pki->key[0]);
	ok = 1;
out:
	for (i = 0; i < LAB_CERT_COUNT; i++)
		X509_free(leaf[i]);
	X509_free(root);
	X509_free(inter);
	X509_free(other);
	EVP_PKEY_free(rootk);
	EVP_PKEY_free(intk);
	EVP_PKEY_free(otherk);
	EVP_PKEY_free(leafk);
	if (!ok)
		pki = lab_certs_free(pki);
	return (pki);
}

/* lab_certs_chain - the PEM file a peer serves */

const char *
lab_certs_chain(const struct lab_pki *pki, enum lab_cert kind)
{
	return (pki->chain[kind]);
}

/* lab_certs_key - the key file of a kind */

const char *
lab_certs_key(const struct lab_pki *pki, enum lab_cert kind)
{
	return (pki->key[kind]);
}

/* lab_certs_ca - the root CA file */

const char *
lab_certs_ca(const struct lab_pki *pki)
{
	return (pki->ca);
}

/* lab_certs_dh1024 - the DH parameter file */

const char *
lab_certs_dh1024(const struct lab_pki *pki)
{
	return (pki->dh1024);
}

/* lab_certs_name - the short name of a kind */

const char *
lab_certs_name(enum lab_cert kind)
{
	return ((unsigned) kind < LAB_CERT_COUNT ? lab_cert_names[kind]
	    : "unknown");
}

/* lab_certs_free - release the names */

struct lab_pki *
lab_certs_free(struct lab_pki *pki)
{
	int	i;

	if (pki == NULL)
		return (NULL);
	for (i = 0; i < LAB_CERT_COUNT; i++) {
		mem_free(pki->chain[i]);
		mem_free(pki->key[i]);
	}
	mem_free(pki->ca);
	mem_free(pki->dh1024);
	return (mem_free(pki));
}
