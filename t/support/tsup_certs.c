/*
 * NAME
 *	tsup_certs - a test PKI made at test time with the OpenSSL 3 C API
 * DESCRIPTION
 *	See tsupport.h. Certificates are made fresh by every test (their
 *	dates are relative to now, and signing takes microseconds), but
 *	the keys and the DH parameters, which take time to generate, come
 *	from a cache shared by the tests of a run: $MTA_TSUP_CACHE, else
 *	$TMPDIR/mtad-tsup-cache-UID (a private directory checked to be
 *	ours and not a link). A cached file is written under a temporary
 *	name and renamed into place, so tests running in parallel either
 *	see a whole file or none and at worst both generate one.
 *
 *	Dates are set directly (X509_gmtime_adj), so "expired" and "not
 *	yet valid" need neither faketime nor OpenSSL 3.4 options.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "tsup_int.h"
#include "tsupport.h"

#define TSUP_DAY	(24L * 3600)

/* tsup_certs_cache_dir - the private cache directory of this user */

static const char *
tsup_certs_cache_dir(void)
{
	const char *env = getenv("MTA_TSUP_CACHE");
	const char *tmp = getenv("TMPDIR");
	const char *dir;
	struct stat st;

	if (env != NULL && *env == '/')
		dir = env;
	else
		dir = tsup_strf("%s/mtad-tsup-cache-%ld",
		    tmp != NULL && *tmp == '/' ? tmp : "/tmp", (long) getuid());
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		tsup_fail("mkdir %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) == -1)
		tsup_fail("lstat %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid()
	    || (st.st_mode & 077) != 0)
		tsup_fail("cache %s is not a private directory of uid %ld: "
		    "remove it or set MTA_TSUP_CACHE", dir, (long) getuid());
	return (dir);
}

/* tsup_certs_write - write a key, certificates or parameters, atomically */

static void
tsup_certs_write(const char *path, EVP_PKEY *key, X509 *cert, X509 *extra,
    EVP_PKEY *params)
{
	const char *tmp = tsup_strf("%s.tmp.%ld", path, (long) getpid());
	BIO    *bio;
	int	fd;
	int	ok = 1;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		tsup_fail("open %s: %s", tmp, strerror(errno));
	if ((bio = BIO_new_fd(fd, BIO_CLOSE)) == NULL)
		tsup_fail("BIO_new_fd: %s", tsup_tls_errors());
	if (cert != NULL)
		ok = ok && PEM_write_bio_X509(bio, cert);
	if (extra != NULL)
		ok = ok && PEM_write_bio_X509(bio, extra);
	if (key != NULL)
		ok = ok && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0,
		    NULL, NULL);
	if (params != NULL)
		ok = ok && PEM_write_bio_Parameters(bio, params);
	ok = ok && BIO_flush(bio) == 1;
	BIO_free(bio);
	if (!ok)
		tsup_fail("write %s: %s", tmp, tsup_tls_errors());
	if (rename(tmp, path) == -1)
		tsup_fail("rename %s %s: %s", tmp, path, strerror(errno));
}

/* tsup_certs_read_key - a private key from a PEM file, or NULL */

static EVP_PKEY *
tsup_certs_read_key(const char *path)
{
	EVP_PKEY *key;
	BIO    *bio;

	if ((bio = BIO_new_file(path, "r")) == NULL) {
		ERR_clear_error();
		return (NULL);
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	return (key);
}

/* tsup_certs_key - a key of a type for a role: cached or generated */

static EVP_PKEY *
tsup_certs_key(int type, const char *role)
{
	const char *path;
	EVP_PKEY *key;

	if (type != TSUP_KEY_RSA2048 && type != TSUP_KEY_P256)
		tsup_fail("tsup_certs: unknown key type %d", type);
	path = tsup_strf("%s/%s-%s.key", tsup_certs_cache_dir(),
	    type == TSUP_KEY_P256 ? "p256" : "rsa2048", role);
	if ((key = tsup_certs_read_key(path)) != NULL)
		return (key);
	key = type == TSUP_KEY_P256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
	if (key == NULL)
		tsup_fail("key generation (%s): %s", role, tsup_tls_errors());
	tsup_certs_write(path, key, NULL, NULL, NULL);
	return (key);
}

/* tsup_certs_read_cert - a certificate from a PEM file */

static X509 *
tsup_certs_read_cert(const char *path)
{
	X509   *cert;
	BIO    *bio;

	if ((bio = BIO_new_file(path, "r")) == NULL
	    || (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		tsup_fail("read certificate %s: %s", path, tsup_tls_errors());
	BIO_free(bio);
	return (cert);
}

/* tsup_certs_ext - add one extension in openssl.cnf syntax */

static void
tsup_certs_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext;

	if ((ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value)) == NULL)
		tsup_fail("extension %s=%s: %s", OBJ_nid2sn(nid), value,
		    tsup_tls_errors());
	if (!X509_add_ext(cert, ext, -1))
		tsup_fail("X509_add_ext %s: %s", OBJ_nid2sn(nid),
		    tsup_tls_errors());
	X509_EXTENSION_free(ext);
}

/* What to make: the internal form of a spec. */
struct tsup_certs_req {
	const char *cn;
	const char *org;
	const char *san;		/* "DNS:a,IP:b" or NULL */
	EVP_PKEY *key;
	X509   *issuer;			/* NULL: self-signed */
	EVP_PKEY *issuer_key;
	long	not_before;
	long	not_after;
	int	ca;			/* 0, or 1 + pathlen (-1: none) */
	int	pathlen;
	int	client;
};

/* tsup_certs_sign - make and sign one certificate */

static X509 *
tsup_certs_sign(const struct tsup_certs_req *rq)
{
	unsigned char serial[8];
	X509_NAME *name;
	X509V3_CTX ctx;
	BIGNUM *bn;
	X509   *cert;
	int	ec = EVP_PKEY_is_a(rq->key, "EC");

	if ((cert = X509_new()) == NULL || !X509_set_version(cert, 2))
		tsup_fail("X509_new: %s", tsup_tls_errors());
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		tsup_fail("RAND_bytes: %s", tsup_tls_errors());
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL
	    || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL)
		tsup_fail("serial: %s", tsup_tls_errors());
	BN_free(bn);
	name = X509_get_subject_name(cert);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *) rq->org, -1, -1, 0)
	    || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *) rq->cn, -1, -1, 0))
		tsup_fail("subject CN=%s: %s", rq->cn, tsup_tls_errors());
	if (!X509_set_issuer_name(cert, rq->issuer ?
	    X509_get_subject_name(rq->issuer) : name))
		tsup_fail("issuer: %s", tsup_tls_errors());
	if (X509_gmtime_adj(X509_getm_notBefore(cert), rq->not_before) == NULL
	    || X509_gmtime_adj(X509_getm_notAfter(cert), rq->not_after) == NULL)
		tsup_fail("validity: %s", tsup_tls_errors());
	if (!X509_set_pubkey(cert, rq->key))
		tsup_fail("X509_set_pubkey: %s", tsup_tls_errors());

	X509V3_set_ctx(&ctx, rq->issuer ? rq->issuer : cert, cert, NULL, NULL,
	    0);
	if (rq->ca) {
		tsup_certs_ext(cert, &ctx, NID_basic_constraints,
		    rq->pathlen >= 0 ? tsup_strf("critical,CA:TRUE,pathlen:%d",
		    rq->pathlen) : "critical,CA:TRUE");
		tsup_certs_ext(cert, &ctx, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
	} else {
		tsup_certs_ext(cert, &ctx, NID_basic_constraints,
		    "critical,CA:FALSE");
		tsup_certs_ext(cert, &ctx, NID_key_usage, ec ?
		    "critical,digitalSignature" :
		    "critical,digitalSignature,keyEncipherment");
		tsup_certs_ext(cert, &ctx, NID_ext_key_usage, rq->client ?
		    "clientAuth" : "serverAuth");
	}
	if (rq->san != NULL && *rq->san)
		tsup_certs_ext(cert, &ctx, NID_subject_alt_name, rq->san);
	tsup_certs_ext(cert, &ctx, NID_subject_key_identifier, "hash");
	tsup_certs_ext(cert, &ctx, NID_authority_key_identifier,
	    "keyid:always");
	if (!X509_sign(cert, rq->issuer_key ? rq->issuer_key : rq->key,
	    EVP_sha256()))
		tsup_fail("X509_sign %s: %s", rq->cn, tsup_tls_errors());
	return (cert);
}

/* tsup_certs_save - write NAME.pem, NAME.key, NAME-chain.pem */

static struct tsup_cert
tsup_certs_save(const char *dir, const char *name, X509 *cert,
    EVP_PKEY *key, X509 *chain_extra)
{
	struct tsup_cert files;

	files.cert = tsup_strf("%s/%s.pem", dir, name);
	files.key = tsup_strf("%s/%s.key", dir, name);
	files.chain = tsup_strf("%s/%s-chain.pem", dir, name);
	tsup_certs_write(files.cert, NULL, cert, NULL, NULL);
	tsup_certs_write(files.key, key, NULL, NULL, NULL);
	tsup_certs_write(files.chain, NULL, cert, chain_extra, NULL);
	return (files);
}

/* tsup_certs_san - a subjectAltName value from a spec */

static const char *
tsup_certs_san(const char *cn, const char *const *dns,
    const char *const *ips)
{
	struct buf san;
	const char *const *p;
	const char *value;

	buf_init(&san, 128);
	if (dns == NULL)
		buf_printf(&san, "DNS:%s", cn);
	for (p = dns; p && *p; p++)
		buf_printf(&san, "%sDNS:%s", san.len ? "," : "", *p);
	for (p = ips; p && *p; p++)
		buf_printf(&san, "%sIP:%s", san.len ? "," : "", *p);
	value = tsup_strf("%s", san.data);
	buf_fini(&san);
	return (value);
}

/* tsup_certs_issue - one more certificate from a spec */

struct tsup_cert
tsup_certs_issue(const struct tsup_certs *set, const char *name,
    const struct tsup_cert_spec *spec)
{
	static const struct tsup_cert_spec none;
	const struct tsup_cert_spec *sp = spec ? spec : &none;
	struct tsup_certs_req rq;
	struct tsup_cert files;
	X509   *issuer = NULL;
	EVP_PKEY *issuer_key = NULL;
	X509   *cert;

	memset(&rq, 0, sizeof(rq));
	rq.cn = sp->cn ? sp->cn : (sp->client ? TSUP_CERT_CLIENT :
	    TSUP_CERT_HOST);
	rq.org = "mtad tests";
	rq.san = tsup_certs_san(rq.cn, sp->dns, sp->ips);
	rq.key = tsup_certs_key(sp->key, tsup_strf("issue-%s", name));
	rq.not_before = sp->not_before ? sp->not_before : -3600;
	rq.not_after = sp->not_after ? sp->not_after : 365 * TSUP_DAY;
	rq.client = sp->client;
	switch (sp->issuer) {
	case TSUP_ISSUER_INTERMEDIATE:
		issuer = tsup_certs_read_cert(set->inter.cert);
		issuer_key = tsup_certs_read_key(set->inter.key);
		break;
	case TSUP_ISSUER_ROOT:
		issuer = tsup_certs_read_cert(set->root.cert);
		issuer_key = tsup_certs_read_key(set->root.key);
		break;
	case TSUP_ISSUER_SELF:
		break;
	default:
		tsup_fail("tsup_certs_issue %s: unknown issuer %d", name,
		    sp->issuer);
	}
	if (issuer != NULL && issuer_key == NULL)
		tsup_fail("tsup_certs_issue %s: cannot read the issuer key",
		    name);
	rq.issuer = issuer;
	rq.issuer_key = issuer_key;
	cert = tsup_certs_sign(&rq);
	files = tsup_certs_save(set->dir, name, cert, rq.key,
	    sp->issuer == TSUP_ISSUER_INTERMEDIATE ? issuer : NULL);
	X509_free(cert);
	X509_free(issuer);
	EVP_PKEY_free(issuer_key);
	EVP_PKEY_free(rq.key);
	return (files);
}

/* tsup_certs_ca - make a CA certificate and save it */

static X509 *
tsup_certs_ca(const char *dir, const char *name, const char *cn,
    X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key, int pathlen,
    struct tsup_cert *files)
{
	struct tsup_certs_req rq;
	X509   *cert;

	memset(&rq, 0, sizeof(rq));
	rq.cn = cn;
	rq.org = "mtad tests";
	rq.key = key;
	rq.issuer = issuer;
	rq.issuer_key = issuer_key;
	rq.not_before = -TSUP_DAY;
	rq.not_after = 3650 * TSUP_DAY;
	rq.ca = 1;
	rq.pathlen = pathlen;
	cert = tsup_certs_sign(&rq);
	*files = tsup_certs_save(dir, name, cert, key, NULL);
	return (cert);
}

/* tsup_certs_free_set - tsup_fini(): release a set */

static void
tsup_certs_free_set(void *ptr)
{
	mem_free(ptr);
}

/* tsup_certs_make - the whole test PKI in a directory */

const struct tsup_certs *
tsup_certs_make(const char *dir)
{
	struct tsup_certs *set;
	struct tsup_cert_spec spec;
	EVP_PKEY *root_key;
	EVP_PKEY *int_key;
	EVP_PKEY *other_key;
	X509   *root;
	X509   *inter;
	X509   *other;
	static const char *const wrong_dns[] = {"other.tsup.test", NULL};

	if (dir == NULL)
		dir = tsup_tmp_dir();
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		tsup_fail("mkdir %s: %s", dir, strerror(errno));
	set = mem_zalloc(1, sizeof(*set));
	tsup_track(set, tsup_certs_free_set);
	set->dir = tsup_strf("%s", dir);

	root_key = tsup_certs_key(TSUP_KEY_RSA2048, "root");
	int_key = tsup_certs_key(TSUP_KEY_RSA2048, "intermediate");
	other_key = tsup_certs_key(TSUP_KEY_RSA2048, "other-root");
	root = tsup_certs_ca(dir, "root", "TSUP Test Root CA", NULL, root_key,
	    root_key, -1, &set->root);
	inter = tsup_certs_ca(dir, "intermediate", "TSUP Test Intermediate CA",
	    root, root_key, int_key, 0, &set->inter);
	other = tsup_certs_ca(dir, "other-root", "TSUP Other Root CA", NULL,
	    other_key, other_key, -1, &set->other_root);
	X509_free(root);
	X509_free(inter);
	X509_free(other);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(int_key);

	memset(&spec, 0, sizeof(spec));
	set->good = tsup_certs_issue(set, "good", &spec);
	spec.key = TSUP_KEY_P256;
	set->ecdsa = tsup_certs_issue(set, "ecdsa", &spec);
	spec.key = TSUP_KEY_RSA2048;
	spec.not_before = -2 * TSUP_DAY;
	spec.not_after = -TSUP_DAY;
	set->expired = tsup_certs_issue(set, "expired", &spec);
	spec.not_before = TSUP_DAY;
	spec.not_after = 2 * TSUP_DAY;
	set->notyet = tsup_certs_issue(set, "notyet", &spec);
	memset(&spec, 0, sizeof(spec));
	spec.cn = wrong_dns[0];
	spec.dns = wrong_dns;
	set->wrongname = tsup_certs_issue(set, "wrongname", &spec);
	memset(&spec, 0, sizeof(spec));
	spec.issuer = TSUP_ISSUER_SELF;
	set->selfsigned = tsup_certs_issue(set, "selfsigned", &spec);
	memset(&spec, 0, sizeof(spec));
	spec.client = 1;
	set->client = tsup_certs_issue(set, "client", &spec);

	/* Valid in every way but one: its root is not the trust anchor. */
	{
		struct tsup_certs_req rq;
		X509   *cert;

		memset(&rq, 0, sizeof(rq));
		rq.cn = TSUP_CERT_HOST;
		rq.org = "mtad tests";
		rq.san = tsup_certs_san(rq.cn, NULL, NULL);
		rq.key = tsup_certs_key(TSUP_KEY_RSA2048, "untrusted");
		rq.issuer = other = tsup_certs_read_cert(set->other_root.cert);
		rq.issuer_key = other_key;
		rq.not_before = -3600;
		rq.not_after = 365 * TSUP_DAY;
		cert = tsup_certs_sign(&rq);
		set->untrusted = tsup_certs_save(dir, "untrusted", cert,
		    rq.key, NULL);
		X509_free(cert);
		X509_free(other);
		EVP_PKEY_free(rq.key);
	}
	EVP_PKEY_free(other_key);
	return (set);
}

/* tsup_certs_dh1024 - 1024-bit DH parameters: cached, then copied */

const char *
tsup_certs_dh1024(void)
{
	const char *cached = tsup_strf("%s/dh1024.pem", tsup_certs_cache_dir());
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *params = NULL;
	struct buf pem;
	const char *path;
	BIO    *bio;

	/* A cached file counts only if it parses as 1024-bit parameters. */
	if ((bio = BIO_new_file(cached, "r")) != NULL) {
		params = PEM_read_bio_Parameters(bio, NULL);
		BIO_free(bio);
		if (params != NULL && EVP_PKEY_get_bits(params) != 1024) {
			EVP_PKEY_free(params);
			params = NULL;
		}
	}
	ERR_clear_error();
	if (params == NULL) {
		if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL
		    || EVP_PKEY_paramgen_init(ctx) <= 0
		    || EVP_PKEY_CTX_set_dh_paramgen_prime_len(ctx, 1024) <= 0
		    || EVP_PKEY_CTX_set_dh_paramgen_generator(ctx, 2) <= 0
		    || EVP_PKEY_paramgen(ctx, &params) <= 0)
			tsup_fail("DH parameter generation: %s",
			    tsup_tls_errors());
		EVP_PKEY_CTX_free(ctx);
		tsup_certs_write(cached, NULL, NULL, NULL, params);
	}
	EVP_PKEY_free(params);
	buf_init(&pem, 1024);
	tsup_tmp_read(cached, &pem);
	path = tsup_tmp_write("dh1024.pem", pem.data, pem.len);
	buf_fini(&pem);
	return (path);
}
