/*
 * NAME
 *	certs_x509 - keys, self-signed certificates, requests and chains
 * DESCRIPTION
 *	See certs_x509.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "certs_x509.h"

#define CERTS_X509_CN_MAX	64	/* ub-common-name, RFC 5280 */
#define CERTS_X509_FIELD_MAX	128	/* O, OU, L, ST: ub-* are 64-128 */

/* certs_x509_ssl_error - append a text and OpenSSL's reason */

void
certs_x509_ssl_error(struct buf *err, const char *fmt, ...)
{
	unsigned long code = ERR_peek_error();
	const char *reason = ERR_reason_error_string(code);
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
	if (code == 0)
		buf_puts(err, ": unknown error");
	else if (reason != NULL)
		buf_printf(err, ": %s", reason);
	else
		buf_printf(err, ": OpenSSL error %lx", code);
	ERR_clear_error();
}

/* certs_x509_key_type - key type by name */

int
certs_x509_key_type(const char *name)
{
	static const struct {
		const char *name;
		int	type;
	}	types[] = {
		{"rsa2048", CERTS_KEY_RSA2048},
		{"rsa4096", CERTS_KEY_RSA4096},
		{"p256", CERTS_KEY_P256},
		{"p384", CERTS_KEY_P384},
	};
	size_t	i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(name, types[i].name) == 0)
			return (types[i].type);
	return (-1);
}

/* certs_x509_keygen - make a private key */

EVP_PKEY *
certs_x509_keygen(int type, struct buf *err)
{
	EVP_PKEY *key;

	switch (type) {
	case CERTS_KEY_RSA2048:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
		break;
	case CERTS_KEY_RSA4096:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 4096);
		break;
	case CERTS_KEY_P256:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case CERTS_KEY_P384:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	default:
		buf_printf(err, "unknown key type %d", type);
		return (NULL);
	}
	if (key == NULL)
		certs_x509_ssl_error(err, "generate key");
	return (key);
}

/* certs_x509_printable - is text free of control characters */

static int
certs_x509_printable(const char *text)
{
	const unsigned char *cp;

	for (cp = (const unsigned char *) text; *cp; cp++)
		if (*cp < 0x20 || *cp == 0x7f)
			return (0);
	return (1);
}

/* certs_x509_subject - build the subject name */

static X509_NAME *
certs_x509_subject(const struct certs_subject *subj, struct buf *err)
{
	const struct {
		const char *field;
		const char *label;
		const char *value;
		size_t	max;
	}	parts[] = {
		{"C", "country", subj->c, 2},
		{"ST", "state", subj->st, CERTS_X509_FIELD_MAX},
		{"L", "locality", subj->l, CERTS_X509_FIELD_MAX},
		{"O", "organization", subj->o, CERTS_X509_FIELD_MAX},
		{"OU", "organizational unit", subj->ou, CERTS_X509_FIELD_MAX},
		{"CN", "common name", subj->cn, CERTS_X509_CN_MAX},
	};
	X509_NAME *name;
	size_t	i, len;

	if (subj->cn == NULL || *subj->cn == 0) {
		buf_puts(err, "a common name is required");
		return (NULL);
	}
	if (subj->c != NULL && (strlen(subj->c) != 2
	    || !((subj->c[0] | 0x20) >= 'a' && (subj->c[0] | 0x20) <= 'z')
	    || !((subj->c[1] | 0x20) >= 'a' && (subj->c[1] | 0x20) <= 'z'))) {
		buf_printf(err, "country \"%s\": should be an ISO two-letter "
		    "country code", subj->c);
		return (NULL);
	}
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].value == NULL)
			continue;
		len = strlen(parts[i].value);
		if (len == 0 || len > parts[i].max
		    || !certs_x509_printable(parts[i].value)) {
			buf_printf(err, "%s \"%s\": empty, longer than %zu "
			    "characters or with control characters",
			    parts[i].label, parts[i].value, parts[i].max);
			return (NULL);
		}
	}
	if ((name = X509_NAME_new()) == NULL) {
		certs_x509_ssl_error(err, "subject name");
		return (NULL);
	}
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].value == NULL)
			continue;
		if (!X509_NAME_add_entry_by_txt(name, parts[i].field,
		    MBSTRING_UTF8, (const unsigned char *) parts[i].value,
		    -1, -1, 0)) {
			certs_x509_ssl_error(err, "%s \"%s\"", parts[i].label,
			    parts[i].value);
			X509_NAME_free(name);
			return (NULL);
		}
	}
	return (name);
}

/* certs_x509_san_item - append one normalised SAN item */

static int
certs_x509_san_item(const char *item, size_t len, struct buf *out,
    struct buf *err)
{
	static const char *prefixes[] = {"DNS:", "IP:", "email:", "URI:"};
	unsigned char addr[16];
	char   *copy = mem_strndup(item, len);
	const char *value = copy;
	const char *prefix = NULL;
	const char *cp;
	size_t	i;
	int	ok = 0;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (strncasecmp(copy, prefixes[i], strlen(prefixes[i])) == 0) {
			prefix = prefixes[i];
			value = copy + strlen(prefixes[i]);
			break;
		}
	}
	if (prefix == NULL)
		prefix = (inet_pton(AF_INET, copy, addr) == 1
		    || inet_pton(AF_INET6, copy, addr) == 1) ? "IP:" : "DNS:";
	if (*value == 0 || !certs_x509_printable(value)) {
		buf_printf(err, "subject alternative name \"%s\": empty or "
		    "with control characters", copy);
		goto out;
	}
	if (strcmp(prefix, "DNS:") == 0) {
		for (cp = value; *cp; cp++) {
			if (!((*cp >= 'a' && *cp <= 'z')
			    || (*cp >= 'A' && *cp <= 'Z')
			    || (*cp >= '0' && *cp <= '9')
			    || *cp == '-' || *cp == '.' || *cp == '*'
			    || *cp == '_')) {
				buf_printf(err, "subject alternative name "
				    "\"%s\": not a DNS name", copy);
				goto out;
			}
		}
	}
	if (strcmp(prefix, "IP:") == 0 && inet_pton(AF_INET, value, addr) != 1
	    && inet_pton(AF_INET6, value, addr) != 1) {
		buf_printf(err, "subject alternative name \"%s\": not an IP "
		    "address", copy);
		goto out;
	}
	if (out->len > 0)
		buf_putc(out, ',');
	buf_puts(out, prefix);
	buf_puts(out, value);
	ok = 1;
out:
	mem_free(copy);
	return (ok ? 0 : -1);
}

/* certs_x509_san - the subjectAltName extension for a subject */

static X509_EXTENSION *
certs_x509_san(const struct certs_subject *subj, struct buf *err)
{
	struct buf *conf = buf_new(0);
	const char *cp, *end;
	X509_EXTENSION *ext = NULL;
	X509V3_CTX v3;

	if (subj->san == NULL) {
		if (certs_x509_san_item(subj->cn, strlen(subj->cn), conf,
		    err) == -1)
			goto out;
	} else {
		for (cp = subj->san; ; cp = end + 1) {
			while (*cp == ' ')
				cp++;
			end = strchr(cp, ',');
			if (end == NULL)
				end = cp + strlen(cp);
			if (end > cp && certs_x509_san_item(cp,
			    (size_t) (end - cp), conf, err) == -1)
				goto out;
			if (*end == 0)
				break;
		}
		if (conf->len == 0) {
			buf_puts(err, "empty subject alternative name list");
			goto out;
		}
	}
	X509V3_set_ctx(&v3, NULL, NULL, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, conf->data);
	if (ext == NULL)
		certs_x509_ssl_error(err, "subject alternative name \"%s\"",
		    conf->data);
out:
	buf_free(conf);
	return (ext);
}

/* certs_x509_add_ext - add one extension by its configuration text */

static int
certs_x509_add_ext(X509 *cert, int nid, const char *value, struct buf *err)
{
	X509_EXTENSION *ext;
	X509V3_CTX v3;

	X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL || !X509_add_ext(cert, ext, -1)) {
		certs_x509_ssl_error(err, "extension %s", OBJ_nid2sn(nid));
		X509_EXTENSION_free(ext);
		return (-1);
	}
	X509_EXTENSION_free(ext);
	return (0);
}

/* certs_x509_serial - a random positive 128-bit serial number */

static int
certs_x509_serial(X509 *cert, struct buf *err)
{
	unsigned char serial[16];
	BIGNUM *bn;
	int	ok;

	if (RAND_bytes(serial, sizeof(serial)) != 1) {
		certs_x509_ssl_error(err, "serial number");
		return (-1);
	}
	serial[0] &= 0x7f;
	serial[0] |= 0x01;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	ok = bn != NULL
	    && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
	BN_free(bn);
	if (!ok)
		certs_x509_ssl_error(err, "serial number");
	return (ok ? 0 : -1);
}

/* certs_x509_selfsign - a self-signed server certificate */

X509   *
certs_x509_selfsign(EVP_PKEY *key, const struct certs_subject *subj,
    int days, struct buf *err)
{
	X509   *cert = NULL;
	X509_NAME *name = NULL;
	X509_EXTENSION *san = NULL;
	const char *usage;

	if (days < 1 || days > CERTS_MAX_DAYS) {
		buf_printf(err, "validity of %d days: not between 1 and %d",
		    days, CERTS_MAX_DAYS);
		return (NULL);
	}
	if ((name = certs_x509_subject(subj, err)) == NULL
	    || (san = certs_x509_san(subj, err)) == NULL)
		goto fail;
	if ((cert = X509_new()) == NULL || !X509_set_version(cert, 2)
	    || !X509_set_subject_name(cert, name)
	    || !X509_set_issuer_name(cert, name)
	    || !X509_set_pubkey(cert, key)
	    || !X509_gmtime_adj(X509_getm_notBefore(cert), 0)
	    || !X509_gmtime_adj(X509_getm_notAfter(cert),
	    (long) days * 86400)) {
		certs_x509_ssl_error(err, "make certificate");
		goto fail;
	}
	if (certs_x509_serial(cert, err) == -1)
		goto fail;
	usage = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ?
	    "critical,digitalSignature,keyEncipherment" :
	    "critical,digitalSignature";
	if (certs_x509_add_ext(cert, NID_basic_constraints, "critical,CA:FALSE",
	    err) == -1
	    || certs_x509_add_ext(cert, NID_key_usage, usage, err) == -1
	    || certs_x509_add_ext(cert, NID_ext_key_usage,
	    "serverAuth,clientAuth", err) == -1
	    || certs_x509_add_ext(cert, NID_subject_key_identifier, "hash",
	    err) == -1)
		goto fail;
	if (!X509_add_ext(cert, san, -1)) {
		certs_x509_ssl_error(err, "subject alternative name");
		goto fail;
	}
	if (!X509_sign(cert, key, EVP_sha256())) {
		certs_x509_ssl_error(err, "sign certificate");
		goto fail;
	}
	X509_NAME_free(name);
	X509_EXTENSION_free(san);
	return (cert);
fail:
	X509_NAME_free(name);
	X509_EXTENSION_free(san);
	X509_free(cert);
	return (NULL);
}

/* certs_x509_csr - a certificate signing request for key */

X509_REQ *
certs_x509_csr(EVP_PKEY *key, const struct certs_subject *subj,
    struct buf *err)
{
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;
	X509_EXTENSION *san = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;

	if ((name = certs_x509_subject(subj, err)) == NULL
	    || (san = certs_x509_san(subj, err)) == NULL)
		goto fail;
	if ((req = X509_REQ_new()) == NULL || !X509_REQ_set_version(req, 0)
	    || !X509_REQ_set_subject_name(req, name)
	    || !X509_REQ_set_pubkey(req, key)
	    || (exts = sk_X509_EXTENSION_new_null()) == NULL
	    || !sk_X509_EXTENSION_push(exts, san)) {
		certs_x509_ssl_error(err, "make request");
		goto fail;
	}
	san = NULL;			/* now in exts */
	if (!X509_REQ_add_extensions(req, exts)) {
		certs_x509_ssl_error(err, "request extensions");
		goto fail;
	}
	if (!X509_REQ_sign(req, key, EVP_sha256())) {
		certs_x509_ssl_error(err, "sign request");
		goto fail;
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	return (req);
fail:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_EXTENSION_free(san);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return (NULL);
}

/* certs_x509_read_file - read a whole (small) file into memory */

int
certs_x509_read_file(const char *path, struct buf *out, struct buf *err)
{
	char	chunk[8192];
	size_t	n;
	FILE   *fp;
	int	rc = -1;

	if ((fp = fopen(path, "rb")) == NULL) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		buf_append(out, chunk, n);
		if (out->len > CERTS_MAX_FILE) {
			buf_printf(err, "%s: larger than %d bytes", path,
			    CERTS_MAX_FILE);
			goto out;
		}
	}
	if (ferror(fp))
		buf_printf(err, "%s: %s", path, strerror(errno));
	else if (out->len == 0)
		buf_printf(err, "%s: empty file", path);
	else
		rc = 0;
out:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	(void) fclose(fp);
	return (rc);
}

/* certs_x509_no_password - refuse to prompt for a passphrase */

static int
certs_x509_no_password(char *buf, int size, int rwflag, void *ctx)
{
	(void) buf;
	(void) size;
	(void) rwflag;
	*(int *) ctx = 1;
	return (-1);
}

/* certs_x509_load_key - read a private key */

EVP_PKEY *
certs_x509_load_key(const char *path, struct buf *err)
{
	struct buf *data = buf_new(0);
	EVP_PKEY *key = NULL;
	BIO    *bio = NULL;
	int	asked = 0;

	if (certs_x509_read_file(path, data, err) == -1)
		goto out;
	if ((bio = BIO_new_mem_buf(data->data, (int) data->len)) == NULL) {
		certs_x509_ssl_error(err, "%s", path);
		goto out;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, certs_x509_no_password,
	    &asked);
	if (key == NULL && !asked) {
		(void) BIO_reset(bio);
		ERR_set_mark();
		key = d2i_PrivateKey_bio(bio, NULL);
		if (key != NULL)
			ERR_clear_last_mark();
		else
			ERR_pop_to_mark();
	}
	if (key == NULL && asked) {
		ERR_clear_error();
		buf_printf(err, "%s: the private key is encrypted; give it "
		    "unencrypted", path);
	} else if (key == NULL)
		certs_x509_ssl_error(err, "%s: no private key", path);
out:
	BIO_free(bio);
	OPENSSL_cleanse(data->data, data->len);
	buf_free(data);
	return (key);
}

/* certs_x509_load_certs - read every certificate of a file */

STACK_OF(X509) *
certs_x509_load_certs(const char *path, struct buf *err)
{
	struct buf *data = buf_new(0);
	STACK_OF(X509) *certs = NULL;
	X509   *cert;
	BIO    *bio = NULL;
	unsigned long code;
	int	eof;

	if (certs_x509_read_file(path, data, err) == -1)
		goto fail;
	if ((bio = BIO_new_mem_buf(data->data, (int) data->len)) == NULL
	    || (certs = sk_X509_new_null()) == NULL) {
		certs_x509_ssl_error(err, "%s", path);
		goto fail;
	}
	ERR_clear_error();
	while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(certs, cert)) {
			X509_free(cert);
			certs_x509_ssl_error(err, "%s", path);
			goto fail;
		}
	}
	/* The loop ends at the end of the data (no further PEM start
	 * line) or at a damaged certificate, which is an error. */
	code = ERR_peek_last_error();
	eof = ERR_GET_LIB(code) == ERR_LIB_PEM
	    && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
	if (!eof) {
		certs_x509_ssl_error(err, "%s: certificate %d", path,
		    sk_X509_num(certs) + 1);
		goto fail;
	}
	ERR_clear_error();
	if (sk_X509_num(certs) == 0) {
		/* Perhaps a single DER certificate. */
		(void) BIO_reset(bio);
		if ((cert = d2i_X509_bio(bio, NULL)) == NULL
		    || !sk_X509_push(certs, cert)) {
			X509_free(cert);
			ERR_clear_error();
			buf_printf(err, "%s: no certificate (neither PEM nor "
			    "DER)", path);
			goto fail;
		}
	}
	BIO_free(bio);
	buf_free(data);
	return (certs);
fail:
	BIO_free(bio);
	buf_free(data);
	sk_X509_pop_free(certs, X509_free);
	return (NULL);
}

/* certs_x509_name - a name in RFC 2253 form */

void
certs_x509_name(X509_NAME *name, struct buf *out)
{
	BIO    *bio = BIO_new(BIO_s_mem());
	char   *data;
	long	len;

	if (bio == NULL)
		msg_fatal("certs_x509_name: out of memory");
	(void) X509_NAME_print_ex(bio, name, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(bio, &data);
	if (len > 0)
		buf_append(out, data, (size_t) len);
	BIO_free(bio);
}

/* certs_x509_check_key - is key the private key of cert */

int
certs_x509_check_key(X509 *cert, EVP_PKEY *key, struct buf *err)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert);

	if (pub == NULL) {
		certs_x509_ssl_error(err, "certificate public key");
		return (-1);
	}
	if (EVP_PKEY_eq(pub, key) != 1) {
		ERR_clear_error();
		buf_puts(err, "the certificate does not match the private key "
		    "(the key does not sign the certificate: it was issued "
		    "for another key or request)");
		return (-1);
	}
	return (0);
}

/* certs_x509_issued - did issuer issue and sign cert */

static int
certs_x509_issued(X509 *issuer, X509 *cert)
{
	EVP_PKEY *pub;
	int	ok;

	if (X509_check_issued(issuer, cert) != X509_V_OK)
		return (0);
	pub = X509_get0_pubkey(issuer);
	ok = pub != NULL && X509_verify(cert, pub) == 1;
	ERR_clear_error();
	return (ok);
}

/* certs_x509_label - "the leaf" or "chain certificate N (subject)" */

static void
certs_x509_label(STACK_OF(X509) *chain, int idx, struct buf *out)
{
	X509   *cert = sk_X509_value(chain, idx);

	buf_printf(out, "intermediate %d (", idx + 1);
	certs_x509_name(X509_get_subject_name(cert), out);
	buf_putc(out, ')');
}

/* certs_x509_check_chain - check the order of leaf and intermediates */

int
certs_x509_check_chain(X509 *leaf, STACK_OF(X509) *chain, struct buf *err)
{
	int	n = chain ? sk_X509_num(chain) : 0;
	X509   *child, *cert;
	int	i, j;

	/* Duplicates first: they would also read as "wrong order". */
	for (i = 0; i < n; i++) {
		cert = sk_X509_value(chain, i);
		if (X509_cmp(cert, leaf) == 0) {
			certs_x509_label(chain, i, err);
			buf_puts(err, " is the certificate itself; remove it "
			    "from the chain");
			return (-1);
		}
		for (j = 0; j < i; j++) {
			if (X509_cmp(cert, sk_X509_value(chain, j)) == 0) {
				certs_x509_label(chain, i, err);
				buf_printf(err, " is a duplicate of "
				    "intermediate %d; remove one of them",
				    j + 1);
				return (-1);
			}
		}
	}
	for (i = 0; i < n; i++) {
		child = i == 0 ? leaf : sk_X509_value(chain, i - 1);
		cert = sk_X509_value(chain, i);
		if (certs_x509_issued(cert, child))
			continue;
		/* Which certificate did issue child, if any? */
		for (j = 0; j < n; j++)
			if (j != i && certs_x509_issued(sk_X509_value(chain, j),
			    child))
				break;
		if (j < n && j > i) {
			certs_x509_label(chain, j, err);
			buf_puts(err, " is in the wrong place: it issued ");
			if (i == 0)
				buf_puts(err, "the certificate");
			else
				certs_x509_label(chain, i - 1, err);
			buf_printf(err, ", so it must be intermediate %d; "
			    "order the chain from the certificate's issuer "
			    "up to the root", i + 1);
			return (-1);
		}
		certs_x509_label(chain, i, err);
		buf_puts(err, " did not issue ");
		if (i == 0)
			buf_puts(err, "the certificate");
		else
			certs_x509_label(chain, i - 1, err);
		if (j < n) {
			buf_puts(err, "; the chain is in the wrong order");
		} else if (X509_NAME_cmp(X509_get_subject_name(cert),
		    X509_get_issuer_name(child)) == 0) {
			buf_puts(err, ": it has the issuer's name but another "
			    "key or is not a CA (an old or re-keyed "
			    "intermediate?); get the current one from the CA");
		} else {
			buf_puts(err, ", whose issuer is ");
			certs_x509_name(X509_get_issuer_name(child), err);
			buf_puts(err, ": that certificate is missing from the "
			    "chain, or this one is unrelated");
		}
		return (-1);
	}
	return (0);
}

/* certs_x509_verify - verify leaf and chain against a trust anchor file */

int
certs_x509_verify(X509 *leaf, STACK_OF(X509) *chain, const char *ca_file,
    struct buf *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509   *where;
	int	rc = -1, code;

	if (store == NULL || ctx == NULL) {
		certs_x509_ssl_error(err, "verify");
		goto out;
	}
	if (X509_STORE_load_file(store, ca_file) != 1) {
		certs_x509_ssl_error(err, "%s: no trust anchors", ca_file);
		goto out;
	}
	if (!X509_STORE_CTX_init(ctx, store, leaf, chain)
	    || !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER)) {
		certs_x509_ssl_error(err, "verify");
		goto out;
	}
	if (X509_verify_cert(ctx) == 1) {
		rc = 0;
		goto out;
	}
	code = X509_STORE_CTX_get_error(ctx);
	where = X509_STORE_CTX_get_current_cert(ctx);
	buf_printf(err, "does not verify against %s: %s", ca_file,
	    X509_verify_cert_error_string(code));
	if (where != NULL) {
		buf_puts(err, " (at ");
		certs_x509_name(X509_get_subject_name(where), err);
		buf_putc(err, ')');
	}
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return (rc);
}

/* certs_x509_chain_order - the intermediates of leaf in a pool */

STACK_OF(X509) *
certs_x509_chain_order(X509 *leaf, STACK_OF(X509) *pool)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509   *cur = leaf, *cert = NULL;
	int	i, n = pool ? sk_X509_num(pool) : 0;

	if (chain == NULL)
		msg_fatal("certs_x509_chain_order: out of memory");
	/* At most n steps: a loop of cross-signed certificates ends. */
	while (sk_X509_num(chain) < n) {
		for (i = 0; i < n; i++) {
			cert = sk_X509_value(pool, i);
			if (X509_cmp(cert, cur) != 0
			    && certs_x509_issued(cert, cur))
				break;
		}
		if (i == n || certs_x509_issued(cert, cert))
			break;
		if (!X509_up_ref(cert) || !sk_X509_push(chain, cert))
			msg_fatal("certs_x509_chain_order: out of memory");
		cur = cert;
	}
	ERR_clear_error();
	return (chain);
}

/* certs_x509_pem - append what a PEM writer wrote to a memory BIO */

static void
certs_x509_pem_bio(BIO *bio, int ok, const char *what, struct buf *out)
{
	char   *data;
	long	len;

	if (!ok)
		msg_fatal("write %s in PEM: out of memory", what);
	len = BIO_get_mem_data(bio, &data);
	if (len > 0)
		buf_append(out, data, (size_t) len);
}

/* certs_x509_pem_key - a private key in PEM (PKCS#8, unencrypted) */

void
certs_x509_pem_key(EVP_PKEY *key, struct buf *out)
{
	BIO    *bio = BIO_new(BIO_s_secmem());

	if (bio == NULL)
		bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		msg_fatal("certs_x509_pem_key: out of memory");
	certs_x509_pem_bio(bio, PEM_write_bio_PrivateKey(bio, key, NULL, NULL,
	    0, NULL, NULL), "private key", out);
	BIO_free(bio);
}

/* certs_x509_pem_cert - a certificate in PEM */

void
certs_x509_pem_cert(X509 *cert, struct buf *out)
{
	BIO    *bio = BIO_new(BIO_s_mem());

	if (bio == NULL)
		msg_fatal("certs_x509_pem_cert: out of memory");
	certs_x509_pem_bio(bio, PEM_write_bio_X509(bio, cert), "certificate",
	    out);
	BIO_free(bio);
}

/* certs_x509_pem_req - a request in PEM */

void
certs_x509_pem_req(X509_REQ *req, struct buf *out)
{
	BIO    *bio = BIO_new(BIO_s_mem());

	if (bio == NULL)
		msg_fatal("certs_x509_pem_req: out of memory");
	certs_x509_pem_bio(bio, PEM_write_bio_X509_REQ(bio, req), "request",
	    out);
	BIO_free(bio);
}

/* certs_x509_write_tmp - write one file's data to a temporary file */

static int
certs_x509_write_tmp(const struct certs_file *file, struct buf *tmp,
    struct buf *err)
{
	const char *cp = file->data->data;
	size_t	left = file->data->len;
	ssize_t	n;
	int	fd;

	buf_reset(tmp);
	buf_printf(tmp, "%s.tmp.%ld", file->path, (long) getpid());
	fd = open(tmp->data,
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, file->mode);
	if (fd == -1) {
		buf_printf(err, "%s: %s", tmp->data, strerror(errno));
		buf_reset(tmp);
		return (-1);
	}
	/* The umask must not widen or narrow what we were asked for. */
	if (fchmod(fd, (mode_t) file->mode) == -1)
		goto fail;
	while (left > 0) {
		if ((n = write(fd, cp, left)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		cp += n;
		left -= (size_t) n;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return (0);
fail:
	buf_printf(err, "%s: %s", tmp->data, strerror(errno));
	if (fd != -1)
		(void) close(fd);
	(void) unlink(tmp->data);
	buf_reset(tmp);
	return (-1);
}

/* certs_x509_write - write a set of files all or nothing */

int
certs_x509_write(const struct certs_file *files, size_t count, int force,
    struct buf *err)
{
	struct buf **tmps = mem_zalloc(count ? count : 1, sizeof(*tmps));
	struct stat st;
	size_t	i, j;
	int	rc = -1;

	for (i = 0; i < count; i++) {
		if (files[i].path == NULL)
			continue;
		for (j = 0; j < i; j++) {
			if (files[j].path != NULL
			    && strcmp(files[j].path, files[i].path) == 0) {
				buf_printf(err, "%s: named for two outputs",
				    files[i].path);
				goto out;
			}
		}
		if (lstat(files[i].path, &st) == 0) {
			if (!force) {
				buf_printf(err, "%s: exists; not replaced "
				    "without --force", files[i].path);
				goto out;
			}
			if (!S_ISREG(st.st_mode)) {
				buf_printf(err, "%s: exists and is not a "
				    "regular file", files[i].path);
				goto out;
			}
		} else if (errno != ENOENT) {
			buf_printf(err, "%s: %s", files[i].path,
			    strerror(errno));
			goto out;
		}
	}
	for (i = 0; i < count; i++) {
		if (files[i].path == NULL)
			continue;
		tmps[i] = buf_new(0);
		if (certs_x509_write_tmp(&files[i], tmps[i], err) == -1)
			goto out;
	}
	for (i = 0; i < count; i++) {
		if (tmps[i] == NULL)
			continue;
		if (rename(tmps[i]->data, files[i].path) == -1) {
			buf_printf(err, "rename %s to %s: %s", tmps[i]->data,
			    files[i].path, strerror(errno));
			goto out;
		}
		buf_reset(tmps[i]);	/* renamed: nothing to clean up */
	}
	rc = 0;
out:
	for (i = 0; i < count; i++) {
		if (tmps[i] == NULL)
			continue;
		if (tmps[i]->len > 0)
			(void) unlink(tmps[i]->data);
		buf_free(tmps[i]);
	}
	mem_free(tmps);
	return (rc);
}
