/*
 * NAME
 *	certs_cli_test - certs_x509, certs_p12, certs_info and mtactl cert
 * DESCRIPTION
 *	The library is tested through its API, and the commands by running
 *	the built mtactl on files in a temporary directory. The "CA-signed"
 *	certificates come from the test PKI of tsup_certs_make() (a root,
 *	an intermediate, leaves), and from requests this test signs with
 *	the OpenSSL API as a CA would. Results are checked independently:
 *	with X509_verify_cert, with the openssl command, by reading files
 *	back, and by parsing the JSON output.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "tsupport.h"

#include "certs_demo.h"
#include "certs_info.h"
#include "certs_p12.h"
#include "certs_x509.h"

#define DAY	(24L * 3600)

TestSuite(certs_cli, .init = tsup_init, .fini = tsup_fini);

/* t_read_cert - the first certificate of a file */

static X509 *
t_read_cert(const char *path)
{
	FILE   *fp = fopen(path, "r");
	X509   *cert;

	cr_assert_not_null(fp, "open %s", path);
	cert = PEM_read_X509(fp, NULL, NULL, NULL);
	(void) fclose(fp);
	cr_assert_not_null(cert, "no certificate in %s", path);
	return (cert);
}

/* t_read_key - the private key of a file */

static EVP_PKEY *
t_read_key(const char *path)
{
	FILE   *fp = fopen(path, "r");
	EVP_PKEY *key;

	cr_assert_not_null(fp, "open %s", path);
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	(void) fclose(fp);
	cr_assert_not_null(key, "no key in %s", path);
	return (key);
}

/* t_write_certs - a PEM file of up to four certificates */

static const char *
t_write_certs(const char *name, X509 *a, X509 *b, X509 *c, X509 *d)
{
	X509   *certs[] = {a, b, c, d};
	struct buf *pem = buf_new(0);
	const char *path;
	size_t	i;

	for (i = 0; i < 4 && certs[i] != NULL; i++)
		certs_x509_pem_cert(certs[i], pem);
	path = tsup_tmp_write(name, pem->data, pem->len);
	buf_free(pem);
	return (path);
}

/* t_exists - does a file exist */

static int
t_exists(const char *path)
{
	struct stat st;

	return (lstat(path, &st) == 0);
}

/* t_mode - the permission bits of a file */

static int
t_mode(const char *path)
{
	struct stat st;

	cr_assert_eq(lstat(path, &st), 0, "stat %s", path);
	return ((int) (st.st_mode & 07777));
}

/* t_issue - a certificate for pub signed by issuer (NULL: itself) */

static X509 *
t_issue(EVP_PKEY *pub, X509_NAME *subject, X509 *issuer, EVP_PKEY *signer,
    int ca, STACK_OF(X509_EXTENSION) *exts)
{
	X509   *cert = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	unsigned char serial[8];
	int	i;

	cr_assert_not_null(cert);
	cr_assert(RAND_bytes(serial, sizeof(serial)) == 1);
	serial[0] &= 0x7f;
	cr_assert(ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert),
	    (uint64_t) serial[1] << 32 | serial[2] << 16 | serial[3]));
	cr_assert(X509_set_version(cert, 2));
	cr_assert(X509_set_subject_name(cert, subject));
	cr_assert(X509_set_issuer_name(cert, issuer ?
	    X509_get_subject_name(issuer) : subject));
	cr_assert(X509_set_pubkey(cert, pub));
	cr_assert(X509_gmtime_adj(X509_getm_notBefore(cert), -3600));
	cr_assert(X509_gmtime_adj(X509_getm_notAfter(cert), 90 * DAY));
	X509V3_set_ctx(&v3, issuer ? issuer : cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	cr_assert(ext != NULL && X509_add_ext(cert, ext, -1));
	X509_EXTENSION_free(ext);
	if (ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
		cr_assert(ext != NULL && X509_add_ext(cert, ext, -1));
		X509_EXTENSION_free(ext);
	}
	for (i = 0; exts != NULL && i < sk_X509_EXTENSION_num(exts); i++)
		cr_assert(X509_add_ext(cert, sk_X509_EXTENSION_value(exts, i),
		    -1));
	cr_assert(X509_sign(cert, signer, EVP_sha256()), "sign: %s",
	    tsup_tls_errors());
	return (cert);
}

/* t_name - a name with one CN */

static X509_NAME *
t_name(const char *cn)
{
	X509_NAME *name = X509_NAME_new();

	cr_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *) cn, -1, -1, 0));
	return (name);
}

/* t_sign_csr - what a CA does with a request file */

static X509 *
t_sign_csr(const char *csr_path, const struct tsup_cert *ca)
{
	FILE   *fp = fopen(csr_path, "r");
	X509_REQ *req;
	X509   *issuer = t_read_cert(ca->cert);
	EVP_PKEY *ca_key = t_read_key(ca->key);
	EVP_PKEY *pub;
	STACK_OF(X509_EXTENSION) *exts;
	X509   *cert;

	cr_assert_not_null(fp, "open %s", csr_path);
	req = PEM_read_X509_REQ(fp, NULL, NULL, NULL);
	(void) fclose(fp);
	cr_assert_not_null(req, "no request in %s", csr_path);
	pub = X509_REQ_get0_pubkey(req);
	cr_assert_not_null(pub);
	cr_assert_eq(X509_REQ_verify(req, pub), 1, "request signature");
	exts = X509_REQ_get_extensions(req);
	cert = t_issue(pub, X509_REQ_get_subject_name(req), issuer, ca_key, 0,
	    exts);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	X509_free(issuer);
	EVP_PKEY_free(ca_key);
	return (cert);
}

/* t_verify - X509_verify_cert of a chain file against a root file */

static int
t_verify(const char *root_path, const char *chain_path)
{
	STACK_OF(X509) *chain;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509   *root = t_read_cert(root_path);
	X509   *leaf;
	struct buf *err = buf_new(0);
	int	rc;

	chain = certs_x509_load_certs(chain_path, err);
	cr_assert_not_null(chain, "%s", err->data);
	leaf = sk_X509_shift(chain);
	cr_assert(X509_STORE_add_cert(store, root));
	cr_assert(X509_STORE_CTX_init(ctx, store, leaf, chain));
	rc = X509_verify_cert(ctx) == 1 ? X509_V_OK
	    : X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(root);
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	buf_free(err);
	return (rc);
}

/* t_mtactl - run the built mtactl; its output (both streams) in out */

static int
t_mtactl(struct buf *out, const char *const *args)
{
	const char *argv[40];
	size_t	i;

	argv[0] = tsup_proc_bin("mtactl");
	for (i = 0; args[i] != NULL; i++) {
		cr_assert_lt(i + 2, sizeof(argv) / sizeof(argv[0]));
		argv[i + 1] = args[i];
	}
	argv[i + 1] = NULL;
	buf_reset(out);
	return (tsup_run(argv, NULL, 0, 0, out));
}

/*
 * Library: self-signed certificates of each key type.
 */
Test(certs_cli, selfsign_key_types)
{
	static const struct {
		const char *label;
		const char *key;
		const char *san;
		const char *want_type;
		int	want_bits;
		const char *want_sans[5];
	}	cases[] = {
		{"rsa2048, CN as SAN", "rsa2048", NULL, "RSA", 2048,
		{"DNS:mx.example.com"}},
		{"p256, mixed SANs", "p256", "DNS:mx.example.com,192.0.2.7,"
		"IP:2001:db8::1,mail.example.com", "EC", 256,
		{"DNS:mx.example.com", "IP:192.0.2.7", "IP:2001:db8::1",
		"DNS:mail.example.com"}},
		{"p384, upper case type", "P384", "*.example.com", "EC", 384,
		{"DNS:*.example.com"}},
	};
	size_t	i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct certs_subject subj = {.cn = "mx.example.com",
		.o = "Example", .c = "DE", .san = cases[i].san};
		struct buf *err = buf_new(0);
		struct certs_info info;
		EVP_PKEY *key;
		X509   *cert;
		int	type = certs_x509_key_type(cases[i].key);

		cr_assert_neq(type, -1, "%s", cases[i].label);
		key = certs_x509_keygen(type, err);
		cr_assert_not_null(key, "%s: %s", cases[i].label, err->data);
		cert = certs_x509_selfsign(key, &subj, 30, err);
		cr_assert_not_null(cert, "%s: %s", cases[i].label, err->data);
		cr_assert_eq(certs_x509_check_key(cert, key, err), 0, "%s: %s",
		    cases[i].label, err->data);
		cr_assert_eq(certs_info_get(cert, time(NULL), &info, err), 0);
		cr_expect_str_eq(info.key_type, cases[i].want_type, "%s",
		    cases[i].label);
		cr_expect_eq(info.key_bits, cases[i].want_bits, "%s",
		    cases[i].label);
		cr_expect_str_eq(info.subject, "CN=mx.example.com,O=Example,"
		    "C=DE", "%s", cases[i].label);
		cr_expect_str_eq(info.subject, info.issuer, "%s",
		    cases[i].label);
		cr_expect(info.self_signed, "%s", cases[i].label);
		cr_expect(!info.demo, "%s", cases[i].label);
		cr_expect(info.days_left == 30 || info.days_left == 29,
		    "%s: %ld days", cases[i].label, info.days_left);
		cr_expect_eq(strlen(info.sha256), 95, "%s", cases[i].label);
		for (j = 0; cases[i].want_sans[j] != NULL; j++) {
			cr_assert_lt(j, info.san_count, "%s: SAN %zu",
			    cases[i].label, j);
			cr_expect_str_eq(info.sans[j], cases[i].want_sans[j],
			    "%s", cases[i].label);
		}
		cr_expect_eq(info.san_count, j, "%s", cases[i].label);
		certs_info_free(&info);
		X509_free(cert);
		EVP_PKEY_free(key);
		buf_free(err);
	}
	cr_expect_eq(certs_x509_key_type("rsa4096"), CERTS_KEY_RSA4096);
	cr_expect_eq(certs_x509_key_type("dsa1024"), -1);
}

/*
 * Library: bad subjects, names and durations are refused with a reason.
 */
Test(certs_cli, selfsign_refusals)
{
	static const struct {
		const char *label;
		struct certs_subject subj;
		int	days;
		const char *want;
	}	cases[] = {
		{"no CN", {.cn = NULL}, 10, "common name is required"},
		{"empty CN", {.cn = ""}, 10, "common name is required"},
		{"long CN", {.cn = "a23456789012345678901234567890123456789"
		"0123456789012345678901234567890.example"}, 10,
		"longer than 64"},
		{"three-letter country", {.cn = "a.example", .c = "DEU"}, 10,
		"two-letter country"},
		{"digit country", {.cn = "a.example", .c = "D1"}, 10,
		"two-letter country"},
		{"control character", {.cn = "a.example", .o = "x\ny"}, 10,
		"control characters"},
		{"SAN not a name", {.cn = "a.example", .san = "DNS:a b"}, 10,
		"not a DNS name"},
		{"SAN bad IP", {.cn = "a.example", .san = "IP:300.1.1.1"}, 10,
		"not an IP address"},
		{"SAN empty list", {.cn = "a.example", .san = " , "}, 10,
		"empty subject alternative name"},
		{"zero days", {.cn = "a.example"}, 0, "not between 1"},
		{"too many days", {.cn = "a.example"}, CERTS_MAX_DAYS + 1,
		"not between 1"},
	};
	struct buf *err = buf_new(0);
	EVP_PKEY *key = certs_x509_keygen(CERTS_KEY_P256, err);
	size_t	i;

	cr_assert_not_null(key, "%s", err->data);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(err);
		cr_expect_null(certs_x509_selfsign(key, &cases[i].subj,
		    cases[i].days, err), "%s: accepted", cases[i].label);
		cr_expect_not_null(strstr(err->data, cases[i].want),
		    "%s: \"%s\" lacks \"%s\"", cases[i].label, err->data,
		    cases[i].want);
		if (cases[i].days == 10) {
			buf_reset(err);
			cr_expect_null(certs_x509_csr(key, &cases[i].subj,
			    err), "%s: request accepted", cases[i].label);
		}
	}
	EVP_PKEY_free(key);
	buf_free(err);
}

/*
 * A second-level PKI for chain order tests: root > inter > inter2 >
 * leaf, and an unrelated root.
 */
struct t_pki {
	const struct tsup_certs *set;
	X509   *root;
	X509   *inter;
	X509   *inter2;
	X509   *rekeyed;		/* inter2's name, another key */
	X509   *other;
	X509   *leaf;
	EVP_PKEY *leaf_key;
};

/* t_pki_make - build it */

static void
t_pki_make(struct t_pki *pki)
{
	EVP_PKEY *inter_key, *inter2_key;
	X509_NAME *name;
	struct buf *err = buf_new(0);

	pki->set = tsup_certs_make(NULL);
	pki->root = t_read_cert(pki->set->root.cert);
	pki->inter = t_read_cert(pki->set->inter.cert);
	pki->other = t_read_cert(pki->set->other_root.cert);
	inter_key = t_read_key(pki->set->inter.key);
	inter2_key = certs_x509_keygen(CERTS_KEY_P256, err);
	pki->leaf_key = certs_x509_keygen(CERTS_KEY_P256, err);
	cr_assert(inter2_key && pki->leaf_key, "%s", err->data);
	name = t_name("Test Issuing CA 2");
	pki->inter2 = t_issue(inter2_key, name, pki->inter, inter_key, 1,
	    NULL);
	pki->rekeyed = t_issue(pki->leaf_key, name, pki->inter, inter_key, 1,
	    NULL);
	X509_NAME_free(name);
	name = t_name("leaf.example.com");
	pki->leaf = t_issue(pki->leaf_key, name, pki->inter2, inter2_key, 0,
	    NULL);
	X509_NAME_free(name);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(inter2_key);
	buf_free(err);
}

/* t_pki_free - release it */

static void
t_pki_free(struct t_pki *pki)
{
	X509_free(pki->root);
	X509_free(pki->inter);
	X509_free(pki->inter2);
	X509_free(pki->rekeyed);
	X509_free(pki->other);
	X509_free(pki->leaf);
	EVP_PKEY_free(pki->leaf_key);
}

/*
 * Library: chain order, with the certificate at fault named.
 */
Test(certs_cli, check_chain_names_the_problem)
{
	struct t_pki pki;

	t_pki_make(&pki);
	{
		const struct {
			const char *label;
			X509   *chain[4];
			const char *want;	/* NULL: accepted */
		}	cases[] = {
			{"no intermediates needed", {NULL}, NULL},
			{"issuer then its issuer", {pki.inter2, pki.inter},
			NULL},
			{"root included", {pki.inter2, pki.inter, pki.root},
			NULL},
			{"duplicate", {pki.inter2, pki.inter2},
			"intermediate 2 (CN=Test Issuing CA 2) is a duplicate "
			"of intermediate 1"},
			{"duplicate later", {pki.inter2, pki.inter, pki.inter},
			"intermediate 3 (CN=TSUP Test Intermediate CA"},
			{"wrong order", {pki.inter, pki.inter2},
			"intermediate 2 (CN=Test Issuing CA 2) is in the wrong "
			"place: it issued the certificate, so it must be "
			"intermediate 1"},
			{"root before intermediate", {pki.inter2, pki.root,
			pki.inter}, "intermediate 3 (CN=TSUP Test "
			"Intermediate CA"},
			{"unrelated first", {pki.other}, "intermediate 1 "
			"(CN=TSUP Other Root CA"},
			{"unrelated second", {pki.inter2, pki.other},
			"intermediate 2 (CN=TSUP Other Root CA"},
			{"missing link", {pki.inter}, "intermediate 1 (CN=TSUP "
			"Test Intermediate CA,O=mtad tests) did not issue the "
			"certificate, whose issuer is CN=Test Issuing CA 2: "
			"that certificate is missing"},
			{"re-keyed intermediate", {pki.rekeyed, pki.inter},
			"intermediate 1 (CN=Test Issuing CA 2) did not issue "
			"the certificate: it has the issuer's name but another "
			"key"},
			{"leaf repeated", {pki.leaf}, "the certificate itself"},
		};
		size_t	i, j;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			STACK_OF(X509) *chain = sk_X509_new_null();
			struct buf *err = buf_new(0);
			int	rc;

			for (j = 0; j < 4 && cases[i].chain[j] != NULL; j++)
				cr_assert(sk_X509_push(chain,
				    cases[i].chain[j]));
			rc = certs_x509_check_chain(pki.leaf, chain, err);
			if (cases[i].want == NULL)
				cr_expect_eq(rc, 0, "%s: %s", cases[i].label,
				    err->data);
			else {
				cr_expect_eq(rc, -1, "%s: accepted",
				    cases[i].label);
				cr_expect_not_null(strstr(err->data,
				    cases[i].want), "%s: \"%s\" lacks \"%s\"",
				    cases[i].label, err->data, cases[i].want);
			}
			sk_X509_free(chain);
			buf_free(err);
		}
	}
	/* Unrelated versus misplaced: the words differ. */
	{
		STACK_OF(X509) *chain = sk_X509_new_null();
		struct buf *err = buf_new(0);

		cr_assert(sk_X509_push(chain, pki.other));
		cr_assert_eq(certs_x509_check_chain(pki.leaf, chain, err), -1);
		cr_expect_not_null(strstr(err->data, "unrelated"), "%s",
		    err->data);
		sk_X509_free(chain);
		buf_free(err);
	}
	/* A PKCS#12 bag in any order: the path up, without the root. */
	{
		STACK_OF(X509) *pool = sk_X509_new_null();
		STACK_OF(X509) *got;

		cr_assert(sk_X509_push(pool, pki.root));
		cr_assert(sk_X509_push(pool, pki.other));
		cr_assert(sk_X509_push(pool, pki.inter));
		cr_assert(sk_X509_push(pool, pki.inter2));
		got = certs_x509_chain_order(pki.leaf, pool);
		cr_assert_eq(sk_X509_num(got), 2);
		cr_expect_eq(X509_cmp(sk_X509_value(got, 0), pki.inter2), 0);
		cr_expect_eq(X509_cmp(sk_X509_value(got, 1), pki.inter), 0);
		cr_expect_eq(sk_X509_num(pool), 4);
		sk_X509_pop_free(got, X509_free);
		sk_X509_free(pool);
	}
	t_pki_free(&pki);
}

/*
 * Library: the set of files is written all or nothing.
 */
Test(certs_cli, write_all_or_nothing)
{
	struct buf *a = buf_new(0), *b = buf_new(0), *got = buf_new(0);
	struct buf *err = buf_new(0);
	const char *pa = tsup_tmp_path("a.pem");
	const char *pb = tsup_tmp_path("b.key");
	const char *old = tsup_tmp_write("old.pem", "old\n", 4);

	buf_puts(a, "AAA\n");
	buf_puts(b, "BBB\n");
	{
		const struct certs_file files[] = {
			{pa, 0644, a}, {pb, 0600, b}, {old, 0644, a},
		};

		cr_assert_eq(certs_x509_write(files, 3, 0, err), -1);
		cr_expect_not_null(strstr(err->data, "old.pem: exists"), "%s",
		    err->data);
		cr_expect(!t_exists(pa) && !t_exists(pb), "partial write");
		tsup_tmp_read(old, got);
		cr_expect_str_eq(got->data, "old\n");
		buf_reset(err);
		cr_assert_eq(certs_x509_write(files, 3, 1, err), 0, "%s",
		    err->data);
		buf_reset(got);
		tsup_tmp_read(old, got);
		cr_expect_str_eq(got->data, "AAA\n");
		cr_expect_eq(t_mode(pb), 0600);
		cr_expect_eq(t_mode(pa), 0644);
	}
	{
		/* A directory that does not exist: nothing left behind. */
		const char *pc = tsup_tmp_path("c.pem");
		const struct certs_file files[] = {
			{pc, 0644, a}, {tsup_tmp_path("no/such.pem"), 0644, b},
		};

		buf_reset(err);
		cr_assert_eq(certs_x509_write(files, 2, 0, err), -1);
		cr_expect(!t_exists(pc), "first file written");
		cr_expect(!t_exists(tsup_strf("%s.tmp.%ld", pc,
		    (long) getpid())), "temporary file left");
	}
	buf_free(a);
	buf_free(b);
	buf_free(got);
	buf_free(err);
}

/*
 * Library: PKCS#12 round trip and refusals.
 */
Test(certs_cli, p12_library)
{
	const struct tsup_certs *set = tsup_certs_make(NULL);
	X509   *cert = t_read_cert(set->good.cert);
	X509   *inter = t_read_cert(set->inter.cert);
	EVP_PKEY *key = t_read_key(set->good.key);
	EVP_PKEY *other_key = t_read_key(set->ecdsa.key);
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct buf *der = buf_new(0), *err = buf_new(0);
	EVP_PKEY *got_key;
	X509   *got_cert;
	STACK_OF(X509) *got_chain;

	cr_assert(sk_X509_push(chain, inter));
	cr_assert_eq(certs_p12_export(key, cert, chain, "s3cret", der, err),
	    0, "%s", err->data);
	cr_assert_eq(certs_p12_import(der, "x.p12", "s3cret", &got_key,
	    &got_cert, &got_chain, err), 0, "%s", err->data);
	cr_expect_eq(X509_cmp(got_cert, cert), 0);
	cr_expect_eq(EVP_PKEY_eq(got_key, key), 1);
	cr_assert_eq(sk_X509_num(got_chain), 1);
	cr_expect_eq(X509_cmp(sk_X509_value(got_chain, 0), inter), 0);
	EVP_PKEY_free(got_key);
	X509_free(got_cert);
	sk_X509_pop_free(got_chain, X509_free);

	{
		static const struct {
			const char *label;
			const char *data;	/* NULL: the export */
			const char *password;
			const char *want;
		}	cases[] = {
			{"wrong password", NULL, "S3cret", "x.p12: wrong "
			"password"},
			{"garbage", "this is not DER at all", "s3cret",
			"x.p12: not a PKCS#12 file"},
			{"truncated", "", "s3cret", "not a PKCS#12 file"},
		};
		size_t	i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct buf *in = buf_new(0);

			if (cases[i].data == NULL)
				buf_append(in, der->data, der->len);
			else if (*cases[i].data)
				buf_puts(in, cases[i].data);
			else
				buf_append(in, der->data, der->len / 2);
			buf_reset(err);
			got_key = (EVP_PKEY *) 1;
			cr_expect_eq(certs_p12_import(in, "x.p12",
			    cases[i].password, &got_key, &got_cert,
			    &got_chain, err), -1, "%s: accepted",
			    cases[i].label);
			cr_expect_null(got_key, "%s", cases[i].label);
			cr_expect_not_null(strstr(err->data, cases[i].want),
			    "%s: \"%s\" lacks \"%s\"", cases[i].label,
			    err->data, cases[i].want);
			buf_free(in);
		}
	}

	/* A bag with certificates but no key. */
	{
		PKCS12 *p12 = PKCS12_create("s3cret", NULL, NULL, cert, chain,
		    0, 0, 0, 0, 0);
		unsigned char *out = NULL;
		int	len;

		cr_assert_not_null(p12, "%s", tsup_tls_errors());
		len = i2d_PKCS12(p12, &out);
		cr_assert_gt(len, 0);
		buf_reset(der);
		buf_append(der, out, (size_t) len);
		OPENSSL_free(out);
		PKCS12_free(p12);
		buf_reset(err);
		cr_expect_eq(certs_p12_import(der, "nokey.p12", "s3cret",
		    &got_key, &got_cert, &got_chain, err), -1);
		cr_expect_not_null(strstr(err->data, "nokey.p12: contains no "
		    "private key"), "%s", err->data);
	}

	/* Export refuses a key that is not the certificate's, and no
	 * password. */
	buf_reset(err);
	cr_expect_eq(certs_p12_export(other_key, cert, NULL, "x", der, err),
	    -1);
	cr_expect_not_null(strstr(err->data, "does not match"), "%s",
	    err->data);
	buf_reset(err);
	cr_expect_eq(certs_p12_export(key, cert, NULL, "", der, err), -1);
	cr_expect_not_null(strstr(err->data, "password"), "%s", err->data);

	sk_X509_pop_free(chain, X509_free);
	X509_free(cert);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other_key);
	buf_free(der);
	buf_free(err);
}

/*
 * Library: loading keys and certificates, with the file named.
 */
Test(certs_cli, load_errors)
{
	const struct tsup_certs *set = tsup_certs_make(NULL);
	static const struct {
		const char *label;
		const char *content;	/* NULL: no such file */
		int	key;		/* load a key, else certificates */
		const char *want;
	}	cases[] = {
		{"missing", NULL, 0, "No such file"},
		{"empty", "", 0, "empty file"},
		{"garbage", "hello\n", 0, "no certificate (neither PEM nor "
		"DER)"},
		{"damaged PEM", "-----BEGIN CERTIFICATE-----\nAAAA\n"
		"-----END CERTIFICATE-----\n", 0, "certificate 1"},
		{"no key", "hello\n", 1, "no private key"},
		{"encrypted key", NULL, 1, "encrypted"},
	};
	struct buf *err = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = tsup_tmp_path("load-%zu", i);
		void   *got;

		if (cases[i].content != NULL)
			(void) tsup_tmp_write(path, cases[i].content,
			    strlen(cases[i].content));
		else if (strcmp(cases[i].label, "encrypted key") == 0) {
			EVP_PKEY *key = t_read_key(set->good.key);
			FILE   *fp = fopen(path, "w");

			cr_assert_not_null(fp);
			cr_assert(PEM_write_PrivateKey(fp, key,
			    EVP_aes_256_cbc(), (unsigned char *) "pw", 2,
			    NULL, NULL));
			(void) fclose(fp);
			EVP_PKEY_free(key);
		}
		buf_reset(err);
		if (cases[i].key)
			got = certs_x509_load_key(path, err);
		else
			got = certs_x509_load_certs(path, err);
		cr_expect_null(got, "%s: loaded", cases[i].label);
		cr_expect_not_null(strstr(err->data, path), "%s: \"%s\" does "
		    "not name the file", cases[i].label, err->data);
		cr_expect_not_null(strstr(err->data, cases[i].want),
		    "%s: \"%s\" lacks \"%s\"", cases[i].label, err->data,
		    cases[i].want);
	}
	/* A DER certificate is read too. */
	{
		X509   *cert = t_read_cert(set->good.cert);
		unsigned char *der = NULL;
		int	len = i2d_X509(cert, &der);
		const char *path;
		STACK_OF(X509) *certs;

		cr_assert_gt(len, 0);
		path = tsup_tmp_write("good.der", der, (size_t) len);
		OPENSSL_free(der);
		certs = certs_x509_load_certs(path, err);
		cr_assert_not_null(certs, "%s", err->data);
		cr_expect_eq(sk_X509_num(certs), 1);
		cr_expect_eq(X509_cmp(sk_X509_value(certs, 0), cert), 0);
		sk_X509_pop_free(certs, X509_free);
		X509_free(cert);
	}
	/* The chain file of the test PKI: two certificates, in order. */
	{
		STACK_OF(X509) *certs = certs_x509_load_certs(set->good.chain,
		    err);

		cr_assert_not_null(certs, "%s", err->data);
		cr_expect_eq(sk_X509_num(certs), 2);
		sk_X509_pop_free(certs, X509_free);
	}
	buf_free(err);
}

/*
 * Library: what show reports for the test PKI and the demo certificate.
 */
Test(certs_cli, info_of_known_certificates)
{
	const struct tsup_certs *set = tsup_certs_make(NULL);
	const char *demo_cert = tsup_tmp_path("demo.pem");
	const char *demo_key = tsup_tmp_path("demo.key");
	struct buf *err = buf_new(0);
	time_t	now = time(NULL);
	struct {
		const char *label;
		const char *path;
		const char *want_type;
		int	self_signed;
		int	demo;
		long	min_days, max_days;
	}	cases[] = {
		{"good", set->good.cert, "RSA", 0, 0, 364, 365},
		{"ecdsa", set->ecdsa.cert, "EC", 0, 0, 364, 365},
		{"expired", set->expired.cert, "RSA", 0, 0, -1, -1},
		{"root", set->root.cert, "RSA", 1, 0, 1, 100000},
		{"demo", demo_cert, "RSA", 1, 1, 3649, 3650},
	};
	size_t	i;

	cr_assert_eq(certs_demo_ensure(demo_cert, demo_key, "mx.example.com",
	    err), 0, "%s", err->data);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		X509   *cert = t_read_cert(cases[i].path);
		struct certs_info info;

		cr_assert_eq(certs_info_get(cert, now, &info, err), 0, "%s",
		    cases[i].label);
		cr_expect_str_eq(info.key_type, cases[i].want_type, "%s",
		    cases[i].label);
		cr_expect_eq(info.self_signed, cases[i].self_signed, "%s",
		    cases[i].label);
		cr_expect_eq(info.demo, cases[i].demo, "%s", cases[i].label);
		cr_expect(info.days_left >= cases[i].min_days
		    && info.days_left <= cases[i].max_days, "%s: %ld days",
		    cases[i].label, info.days_left);
		certs_info_free(&info);
		X509_free(cert);
	}
	buf_free(err);
}

/*
 * mtactl: command line errors exit 2 with a reason and a usage line.
 */
Test(certs_cli, mtactl_usage_errors)
{
	static const struct {
		const char *label;
		const char *args[16];
		int	want_rc;
		const char *want;
	}	cases[] = {
		{"nothing", {NULL}, 2, "no command group"},
		{"help", {"--help"}, 0, "usage: mtactl"},
		{"unknown group", {"frob"}, 2, "unknown command group"},
		{"unknown global option", {"--frob", "cert"}, 2,
		"unknown option"},
		{"group alone", {"cert"}, 2, "mtactl cert selfsign"},
		{"group help", {"cert", "--help"}, 0, "mtactl cert show"},
		{"unknown command", {"cert", "frob"}, 2, "unknown command"},
		{"command help", {"cert", "install", "--help"}, 0,
		"usage: mtactl cert install --key FILE"},
		{"missing CN", {"cert", "selfsign", "--out-cert", "a",
		"--out-key", "b"}, 2, "option --cn is required"},
		{"missing key output", {"cert", "selfsign", "--cn", "x",
		"--out-cert", "a"}, 2, "option --out-key is required"},
		{"unknown option", {"cert", "selfsign", "--cn", "x",
		"--colour"}, 2, "unknown option --colour"},
		{"option twice", {"cert", "csr", "--cn", "x", "--cn=y"}, 2,
		"given twice"},
		{"value missing", {"cert", "csr", "--cn"}, 2, "needs a value"},
		{"flag with value", {"cert", "csr", "--force=yes"}, 2,
		"takes no value"},
		{"stray argument", {"cert", "csr", "file"}, 2,
		"unexpected argument"},
		{"bad key type", {"cert", "selfsign", "--cn", "x", "--out-cert",
		"a", "--out-key", "b", "--key", "dsa"}, 2, "--key dsa"},
		{"bad days", {"cert", "selfsign", "--cn", "x", "--out-cert",
		"a", "--out-key", "b", "--days", "10x"}, 2, "--days 10x"},
		{"no show file", {"cert", "show"}, 2, "no certificate file"},
		{"bad warn days", {"cert", "show", "--warn-days", "-1", "f"},
		2, "--warn-days -1"},
		{"no password", {"cert", "import-p12", "--in", "a",
		"--out-cert", "b", "--out-key", "c"}, 2,
		"exactly one of --password-file"},
		{"two passwords", {"cert", "export-p12", "--cert", "a", "--key",
		"b", "--out", "c", "--password-file", "d", "--password-env",
		"E"}, 2, "exactly one of --password-file"},
	};
	struct buf *out = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	rc = t_mtactl(out, cases[i].args);

		cr_expect_eq(rc, cases[i].want_rc, "%s: exit %d: %s",
		    cases[i].label, rc, out->data);
		cr_expect_not_null(strstr(out->data, cases[i].want),
		    "%s: \"%s\" lacks \"%s\"", cases[i].label, out->data,
		    cases[i].want);
	}
	buf_free(out);
}

/*
 * mtactl: selfsign, then show in text and JSON; no overwrite without
 * --force.
 */
Test(certs_cli, mtactl_selfsign_show)
{
	const char *cert = tsup_tmp_path("ss.pem");
	const char *key = tsup_tmp_path("ss.key");
	const char *csr = tsup_tmp_path("ss.csr");
	struct buf *out = buf_new(0), *before = buf_new(0);
	struct buf *after = buf_new(0);
	json_error_t jerr;
	json_t *doc, *obj;
	X509   *x;
	EVP_PKEY *k;
	int	rc;

	{
		const char *args[] = {"cert", "selfsign", "--cn",
			"mx.example.com", "--o", "Example Ltd", "--ou", "Mail",
			"--l", "Berlin", "--st", "Berlin", "--c", "DE", "--san",
			"DNS:mx.example.com,DNS:mail.example.com,192.0.2.25",
			"--key", "p256", "--days", "400", "--out-cert", cert,
			"--out-key", key, "--out-csr", csr, NULL};

		rc = t_mtactl(out, args);
		cr_assert_eq(rc, 0, "selfsign: %s", out->data);
	}
	cr_expect_null(strstr(out->data, "PRIVATE KEY"), "key printed");
	cr_expect_eq(t_mode(key), 0600, "key mode %o", t_mode(key));
	x = t_read_cert(cert);
	k = t_read_key(key);
	cr_expect_eq(X509_check_private_key(x, k), 1);
	X509_free(x);
	EVP_PKEY_free(k);
	{
		const char *argv[] = {tsup_run_need("openssl"), "req", "-in",
			csr, "-noout", "-verify", "-text", NULL};

		buf_reset(out);
		cr_assert_eq(tsup_run(argv, NULL, 0, 0, out), 0, "%s",
		    out->data);
		cr_expect_not_null(strstr(out->data, "DNS:mail.example.com"),
		    "%s", out->data);
		cr_expect_not_null(strstr(out->data, "CN = mx.example.com"),
		    "%s", out->data);
	}

	{
		const char *args[] = {"cert", "show", cert, NULL};

		cr_assert_eq(t_mtactl(out, args), 0, "%s", out->data);
		cr_expect_not_null(strstr(out->data, "subject:      "
		    "CN=mx.example.com,OU=Mail,O=Example Ltd,L=Berlin,"
		    "ST=Berlin,C=DE"), "%s", out->data);
		cr_expect_not_null(strstr(out->data, "names:        "
		    "DNS:mx.example.com, DNS:mail.example.com, "
		    "IP:192.0.2.25"), "%s", out->data);
		cr_expect_not_null(strstr(out->data, "self-signed:  yes"),
		    "%s", out->data);
		cr_expect_not_null(strstr(out->data, "key:          EC 256"),
		    "%s", out->data);
		cr_expect_not_null(strstr(out->data, "demo:         no"),
		    "%s", out->data);
	}
	{
		const char *args[] = {"--json", "cert", "show", cert, NULL};

		cr_assert_eq(t_mtactl(out, args), 0, "%s", out->data);
		doc = json_loads(out->data, 0, &jerr);
		cr_assert_not_null(doc, "JSON: %s: %s", jerr.text, out->data);
		cr_assert(json_is_array(doc) && json_array_size(doc) == 1);
		obj = json_array_get(doc, 0);
		cr_expect_str_eq(json_string_value(json_object_get(obj,
		    "key_type")), "EC");
		cr_expect(json_is_true(json_object_get(obj, "self_signed")));
		cr_expect(json_is_false(json_object_get(obj, "demo")));
		cr_expect_eq(json_array_size(json_object_get(obj, "san")), 3);
		cr_expect_str_eq(json_string_value(json_array_get(
		    json_object_get(obj, "san"), 2)), "IP:192.0.2.25");
		cr_expect(json_integer_value(json_object_get(obj,
		    "days_left")) >= 399);
		cr_expect_eq(strlen(json_string_value(json_object_get(obj,
		    "sha256"))), 95);
		json_decref(doc);
	}

	/* Again: refused, nothing changed; with --force: replaced. */
	tsup_tmp_read(cert, before);
	{
		const char *args[] = {"cert", "selfsign", "--cn", "other",
			"--key", "p256", "--out-cert", cert, "--out-key",
			tsup_tmp_path("new.key"), NULL};

		cr_expect_eq(t_mtactl(out, args), 1, "%s", out->data);
		cr_expect_not_null(strstr(out->data, "exists; not replaced"),
		    "%s", out->data);
		cr_expect(!t_exists(tsup_tmp_path("new.key")),
		    "key written although the certificate was refused");
		tsup_tmp_read(cert, after);
		cr_expect_str_eq(after->data, before->data);
	}
	{
		const char *args[] = {"cert", "selfsign", "--cn", "other",
			"--key", "p256", "--out-cert", cert, "--out-key", key,
			"--force", NULL};

		cr_expect_eq(t_mtactl(out, args), 0, "%s", out->data);
		buf_reset(after);
		tsup_tmp_read(cert, after);
		cr_expect_str_neq(after->data, before->data);
		cr_expect_eq(t_mode(key), 0600);
	}
	buf_free(out);
	buf_free(before);
	buf_free(after);
}

/*
 * mtactl: the CSR flow. A request for an existing key, signed by the
 * test intermediate, installed with the intermediate: the chain file
 * verifies against the root. Then the common mistakes.
 */
Test(certs_cli, mtactl_csr_install)
{
	const struct tsup_certs *set = tsup_certs_make(NULL);
	const char *key = tsup_tmp_path("gw.key");
	const char *cert = tsup_tmp_path("gw.pem");
	const char *csr = tsup_tmp_path("gw.csr");
	const char *chain_out = tsup_tmp_path("gw-chain.pem");
	struct buf *out = buf_new(0);
	X509   *signed_cert, *inter, *root, *other;
	const char *signed_path, *inter_path;

	{
		const char *args[] = {"cert", "selfsign", "--cn",
			"gw.example.com", "--key", "rsa2048", "--out-cert",
			cert, "--out-key", key, NULL};

		cr_assert_eq(t_mtactl(out, args), 0, "%s", out->data);
	}
	{
		const char *args[] = {"cert", "csr", "--key", key, "--cn",
			"gw.example.com", "--o", "Example", "--san",
			"gw.example.com,mx.example.com", "--out", csr, NULL};

		cr_assert_eq(t_mtactl(out, args), 0, "%s", out->data);
	}
	signed_cert = t_sign_csr(csr, &set->inter);
	inter = t_read_cert(set->inter.cert);
	root = t_read_cert(set->root.cert);
	other = t_read_cert(set->other_root.cert);
	signed_path = t_write_certs("signed.pem", signed_cert, NULL, NULL,
	    NULL);
	inter_path = set->inter.cert;
	{
		const char *args[] = {"cert", "install", "--key", key,
			"--cert", signed_path, "--chain", inter_path,
			"--ca-file", set->root.cert, "--out", chain_out, NULL};

		cr_assert_eq(t_mtactl(out, args), 0, "%s", out->data);
	}
	cr_expect_eq(t_verify(set->root.cert, chain_out), X509_V_OK);
	{
		const char *argv[] = {tsup_run_need("openssl"), "verify",
			"-CAfile", set->root.cert, "-untrusted", chain_out,
			chain_out, NULL};

		buf_reset(out);
		cr_expect_eq(tsup_run(argv, NULL, 0, 0, out), 0, "%s",
		    out->data);
		cr_expect_not_null(strstr(out->data, ": OK"), "%s", out->data);
	}
	{
		STACK_OF(X509) *got;
		struct buf *err = buf_new(0);

		got = certs_x509_load_certs(chain_out, err);
		cr_assert_not_null(got, "%s", err->data);
		cr_assert_eq(sk_X509_num(got), 2, "leaf and intermediate");
		cr_expect_eq(X509_cmp(sk_X509_value(got, 0), signed_cert), 0);
		cr_expect_eq(X509_cmp(sk_X509_value(got, 1), inter), 0);
		sk_X509_pop_free(got, X509_free);
		buf_free(err);
	}

	/* The mistakes: each exits 1, names the culprit, writes nothing. */
	{
		const struct {
			const char *label;
			const char *key;
			const char *cert;
			const char *chain;
			const char *want;
		}	cases[] = {
			{"mismatched key", set->good.key, signed_path,
			inter_path, "does not match the private key"},
			{"duplicate intermediate", key, signed_path,
			t_write_certs("dup.pem", inter, inter, NULL, NULL),
			"intermediate 2 (CN=TSUP Test Intermediate CA"},
			{"wrong order", key, signed_path,
			t_write_certs("order.pem", root, inter, NULL, NULL),
			"intermediate 2 (CN=TSUP Test Intermediate CA,"},
			{"unrelated intermediate", key, signed_path,
			t_write_certs("other.pem", other, NULL, NULL, NULL),
			"intermediate 1 (CN=TSUP Other Root CA"},
			{"chain in the certificate file, duplicated", key,
			t_write_certs("both.pem", signed_cert, inter, NULL,
			NULL), inter_path, "is a duplicate of intermediate 1"},
			{"not a certificate", key, csr, inter_path,
			"no certificate"},
			{"missing chain file", key, signed_path,
			tsup_tmp_path("nonesuch.pem"), "nonesuch.pem: No such "
			"file"},
		};
		size_t	i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const char *dest = tsup_tmp_path("bad-%zu.pem", i);
			const char *args[] = {"cert", "install", "--key",
				cases[i].key, "--cert", cases[i].cert,
				"--chain", cases[i].chain, "--out", dest, NULL};
			int	rc = t_mtactl(out, args);

			cr_expect_eq(rc, 1, "%s: exit %d: %s", cases[i].label,
			    rc, out->data);
			cr_expect_not_null(strstr(out->data, cases[i].want),
			    "%s: \"%s\" lacks \"%s\"", cases[i].label,
			    out->data, cases[i].want);
			cr_expect(!t_exists(dest), "%s: %s written",
			    cases[i].label, dest);
		}
	}
	/* Checked against trust anchors: the right root and others. */
	{
		const struct {
			const char *label;
			const char *ca;
			const char *want;
		}	cases[] = {
			{"unrelated root", set->other_root.cert,
			"does not verify against"},
			{"intermediate missing", NULL,
			"unable to get local issuer certificate"},
			{"not a PEM file", csr, "no trust anchors"},
		};
		size_t	i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const char *dest = tsup_tmp_path("ca-%zu.pem", i);
			const char *with_chain[] = {"cert", "install", "--key",
				key, "--cert", signed_path, "--chain",
				inter_path, "--ca-file", cases[i].ca, "--out",
				dest, NULL};
			const char *no_chain[] = {"cert", "install", "--key",
				key, "--cert", signed_path, "--ca-file",
				set->root.cert, "--out", dest, NULL};
			int	rc = t_mtactl(out, cases[i].ca ? with_chain
			    : no_chain);

			cr_expect_eq(rc, 1, "%s: exit %d: %s", cases[i].label,
			    rc, out->data);
			cr_expect_not_null(strstr(out->data, cases[i].want),
			    "%s: \"%s\" lacks \"%s\"", cases[i].label,
			    out->data, cases[i].want);
			cr_expect(!t_exists(dest), "%s: written",
			    cases[i].label);
		}
	}
	/* The wrong order message says where it belongs. */
	{
		const char *args[] = {"cert", "install", "--key", key, "--cert",
			signed_path, "--chain", t_write_certs("order2.pem",
			root, inter, NULL, NULL), "--out",
			tsup_tmp_path("x.pem"), NULL};

		cr_expect_eq(t_mtactl(out, args), 1);
		cr_expect_not_null(strstr(out->data, "is in the wrong place: "
		    "it issued the certificate, so it must be intermediate 1"),
		    "%s", out->data);
	}
	X509_free(signed_cert);
	X509_free(inter);
	X509_free(root);
	X509_free(other);
	buf_free(out);
}

/*
 * mtactl: export-p12 then import-p12 gives back the same certificate,
 * key and chain; the file uses AES-256 and PBKDF2.
 */
Test(certs_cli, mtactl_p12_round_trip)
{
	const struct tsup_certs *set = tsup_certs_make(NULL);
	const char *pass = tsup_tmp_write("pass", "correct horse\n", 14);
	const char *badpass = tsup_tmp_write("badpass", "wrong horse\n", 12);
	const char *p12 = tsup_tmp_path("gw.p12");
	const char *got_cert = tsup_tmp_path("imported.pem");
	const char *got_key = tsup_tmp_path("imported.key");
	const char *got_chain = tsup_tmp_path("imported-chain.pem");
	struct buf *out = buf_new(0);
	X509   *orig, *inter, *x;
	EVP_PKEY *orig_key, *k;

	{
		const char *args[] = {"cert", "export-p12", "--cert",
			set->good.cert, "--key", set->good.key, "--chain",
			set->inter.cert, "--out", p12, "--password-file", pass,
			NULL};

		cr_assert_eq(t_mtactl(out, args), 0, "%s", out->data);
	}
	cr_expect_eq(t_mode(p12), 0600);
	{
		const char *argv[] = {tsup_run_need("openssl"), "pkcs12",
			"-in", p12, "-info", "-noout", "-passin",
			"pass:correct horse", NULL};

		buf_reset(out);
		cr_expect_eq(tsup_run(argv, NULL, 0, 0, out), 0, "%s",
		    out->data);
		cr_expect_not_null(strstr(out->data, "PBKDF2"), "%s",
		    out->data);
		cr_expect_not_null(strstr(out->data, "AES-256-CBC"), "%s",
		    out->data);
	}
	{
		const char *args[] = {"cert", "import-p12", "--in", p12,
			"--password-file", pass, "--out-cert", got_cert,
			"--out-key", got_key, "--out-chain", got_chain, NULL};

		cr_assert_eq(t_mtactl(out, args), 0, "%s", out->data);
	}
	orig = t_read_cert(set->good.cert);
	inter = t_read_cert(set->inter.cert);
	orig_key = t_read_key(set->good.key);
	x = t_read_cert(got_cert);
	k = t_read_key(got_key);
	cr_expect_eq(X509_cmp(x, orig), 0, "certificate differs");
	cr_expect_eq(EVP_PKEY_eq(k, orig_key), 1, "key differs");
	cr_expect_eq(t_mode(got_key), 0600);
	X509_free(x);
	x = t_read_cert(got_chain);
	cr_expect_eq(X509_cmp(x, inter), 0, "chain differs");
	X509_free(x);
	EVP_PKEY_free(k);

	/* Without --out-chain, and with the password from the
	 * environment: the certificate file is the listener's chain. */
	{
		const char *argv[] = {tsup_proc_bin("mtactl"), "cert",
			"import-p12", "--in", p12, "--password-env",
			"MTACTL_TEST_PW", "--out-cert",
			tsup_tmp_path("env.pem"), "--out-key",
			tsup_tmp_path("env.key"), NULL};
		struct buf *err = buf_new(0);
		STACK_OF(X509) *got;

		cr_assert_eq(setenv("MTACTL_TEST_PW", "correct horse", 1), 0);
		buf_reset(out);
		cr_assert_eq(tsup_run(argv, NULL, 0, 0, out), 0, "%s",
		    out->data);
		(void) unsetenv("MTACTL_TEST_PW");
		got = certs_x509_load_certs(tsup_tmp_path("env.pem"), err);
		cr_assert_not_null(got, "%s", err->data);
		cr_expect_eq(sk_X509_num(got), 2);
		sk_X509_pop_free(got, X509_free);
		buf_free(err);
	}

	/* A file from an older system (RC2, 3DES): read with the legacy
	 * provider. */
	{
		const char *legacy = tsup_tmp_path("legacy.p12");
		const char *mk[] = {tsup_run_need("openssl"), "pkcs12",
			"-export", "-legacy", "-in", set->good.cert, "-inkey",
			set->good.key, "-out", legacy, "-passout",
			"pass:correct horse", NULL};
		const char *args[] = {"cert", "import-p12", "--in", legacy,
			"--password-file", pass, "--out-cert",
			tsup_tmp_path("legacy.pem"), "--out-key",
			tsup_tmp_path("legacy.key"), NULL};
		int	rc;

		buf_reset(out);
		if (tsup_run(mk, NULL, 0, 0, out) != 0)
			cr_log_warn("no legacy PKCS#12 (openssl: %s)",
			    out->data);
		else {
			rc = t_mtactl(out, args);
			cr_expect_eq(rc, 0, "legacy: %s", out->data);
			x = t_read_cert(tsup_tmp_path("legacy.pem"));
			cr_expect_eq(X509_cmp(x, orig), 0);
			X509_free(x);
		}
	}

	/* Failures: exit 1, a clear reason, nothing written. */
	{
		PKCS12 *nokey = PKCS12_create("correct horse", NULL, NULL, orig,
		    NULL, 0, 0, 0, 0, 0);
		unsigned char *der = NULL;
		int	len = i2d_PKCS12(nokey, &der);
		const char *nokey_path, *garbage_path;
		size_t	i;

		cr_assert_gt(len, 0);
		nokey_path = tsup_tmp_write("nokey.p12", der, (size_t) len);
		OPENSSL_free(der);
		PKCS12_free(nokey);
		garbage_path = tsup_tmp_write("garbage.p12", "GIF89a...", 9);
		{
			const struct {
				const char *label;
				const char *in;
				const char *pass;
				const char *want;
			}	cases[] = {
				{"wrong password", p12, badpass,
				"gw.p12: wrong password"},
				{"garbage", garbage_path, pass,
				"garbage.p12: not a PKCS#12 file"},
				{"no key", nokey_path, pass,
				"nokey.p12: contains no private key"},
				{"no such file", tsup_tmp_path("none.p12"),
				pass, "none.p12: No such file"},
				{"no password file", p12,
				tsup_tmp_path("nopass"), "nopass: No such "
				"file"},
				{"empty password file", p12,
				tsup_tmp_write("emptypass", "\n", 1),
				"emptypass: the first line is empty"},
			};

			for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
				const char *oc = tsup_tmp_path("f%zu.pem", i);
				const char *ok = tsup_tmp_path("f%zu.key", i);
				const char *args[] = {"cert", "import-p12",
					"--in", cases[i].in, "--password-file",
					cases[i].pass, "--out-cert", oc,
					"--out-key", ok, NULL};
				int	rc = t_mtactl(out, args);

				cr_expect_eq(rc, 1, "%s: exit %d: %s",
				    cases[i].label, rc, out->data);
				cr_expect_not_null(strstr(out->data,
				    cases[i].want), "%s: \"%s\" lacks \"%s\"",
				    cases[i].label, out->data, cases[i].want);
				cr_expect(!t_exists(oc) && !t_exists(ok),
				    "%s: something written", cases[i].label);
			}
		}
	}

	/* Export with a key that is not the certificate's. */
	{
		const char *dest = tsup_tmp_path("mismatch.p12");
		const char *args[] = {"cert", "export-p12", "--cert",
			set->good.cert, "--key", set->ecdsa.key, "--out", dest,
			"--password-file", pass, NULL};

		cr_expect_eq(t_mtactl(out, args), 1, "%s", out->data);
		cr_expect_not_null(strstr(out->data, "does not match"), "%s",
		    out->data);
		cr_expect(!t_exists(dest));
	}
	X509_free(orig);
	X509_free(inter);
	EVP_PKEY_free(orig_key);
	buf_free(out);
}

/*
 * mtactl: show --warn-days exits 1 when a certificate expires within
 * the given number of days (or already has).
 */
Test(certs_cli, mtactl_warn_days)
{
	const struct tsup_certs *set = tsup_certs_make(NULL);
	const char *garbage = tsup_tmp_write("junk.pem", "junk\n", 5);
	const struct {
		const char *label;
		const char *file;
		const char *days;	/* NULL: no --warn-days */
		int	want_rc;
		const char *want;	/* in the output, or NULL */
	}	cases[] = {
		{"a year left, 30", set->good.cert, "30", 0, NULL},
		{"a year left, 400", set->good.cert, "400", 1, "expires in"},
		{"a year left, no check", set->good.cert, NULL, 0, NULL},
		{"expired, 0", set->expired.cert, "0", 1, "expired 1 day"},
		{"expired, no check", set->expired.cert, NULL, 0,
		"(expired 1 day ago)"},
		{"chain file, root far off", set->good.chain, "366", 1,
		"certificate 2 of 2"},
		{"not a certificate", garbage, "30", 1, "junk.pem: no "
		"certificate"},
	};
	struct buf *out = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *with[] = {"cert", "show", "--warn-days",
			cases[i].days, cases[i].file, NULL};
		const char *without[] = {"cert", "show", cases[i].file, NULL};
		int	rc = t_mtactl(out, cases[i].days ? with : without);

		cr_expect_eq(rc, cases[i].want_rc, "%s: exit %d: %s",
		    cases[i].label, rc, out->data);
		if (cases[i].want != NULL)
			cr_expect_not_null(strstr(out->data, cases[i].want),
			    "%s: \"%s\" lacks \"%s\"", cases[i].label,
			    out->data, cases[i].want);
	}
	/* JSON says which one expires soon. */
	{
		const char *args[] = {"cert", "show", "--json", "--warn-days",
			"30", set->good.cert, set->expired.cert, NULL};
		json_error_t jerr;
		json_t *doc;
		const char *json;

		cr_expect_eq(t_mtactl(out, args), 1, "%s", out->data);
		json = strchr(out->data, '[');
		cr_assert_not_null(json, "%s", out->data);
		doc = json_loads(json, 0, &jerr);
		cr_assert_not_null(doc, "%s: %s", jerr.text, json);
		cr_assert_eq(json_array_size(doc), 2);
		cr_expect(json_is_false(json_object_get(json_array_get(doc, 0),
		    "expires_soon")));
		cr_expect(json_is_true(json_object_get(json_array_get(doc, 1),
		    "expires_soon")));
		cr_expect(json_is_true(json_object_get(json_array_get(doc, 1),
		    "expired")));
		json_decref(doc);
	}
	buf_free(out);
}

/* t_copy_mode - copy a file, giving the copy a mode */

static const char *
t_copy_mode(const char *from, const char *name, int mode)
{
	struct buf *data = buf_new(0);
	const char *path;

	tsup_tmp_read(from, data);
	path = tsup_tmp_write(name, data->data, data->len);
	cr_assert_eq(chmod(path, (mode_t) mode), 0);
	buf_free(data);
	return (path);
}

/*
 * mtactl cert list: every configured certificate with where it is used
 * and what is wrong with it, each problem named.
 */
Test(certs_cli, mtactl_list)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *key = t_copy_mode(pki->good.key, "good.key", 0600);
	const char *openkey = t_copy_mode(pki->good.key, "open.key", 0644);
	const char *eckey = t_copy_mode(pki->ecdsa.key, "ec.key", 0600);
	const char *exkey = t_copy_mode(pki->expired.key, "ex.key", 0600);
	const char *wnkey = t_copy_mode(pki->wrongname.key, "wn.key", 0600);
	const char *garbage = tsup_tmp_write("garbage.crt", "junk\n", 5);
	const char *spool = tsup_tmp_mkdir("list-spool");
	const char *yaml = tsup_strf(
	    "spool_dir: %s\n"
	    "certificates:\n"
	    "  good: { cert: %s, chain: %s, key: %s }\n"
	    "  wrongname: { cert: %s, key: %s }\n"
	    "  mismatch: { cert: %s, key: %s }\n"
	    "  badchain: { cert: %s, chain: %s, key: %s }\n"
	    "  expired: { cert: %s, key: %s }\n"
	    "  openkey: { cert: %s, key: %s }\n"
	    "  garbage: { cert: %s, key: %s }\n"
	    "listeners:\n"
	    "  - { name: L1, port: 2501, hostname: mx.tsup.test, "
	    "certificate: good }\n"
	    "  - { name: L2, port: 2502, hostname: mx.tsup.test, "
	    "certificate: wrongname }\n"
	    "destination_controls:\n  certificate: good\n",
	    spool, pki->good.cert, pki->inter.cert, key,
	    pki->wrongname.cert, wnkey,
	    pki->good.cert, eckey,
	    pki->good.cert, pki->other_root.cert, key,
	    pki->expired.cert, exkey,
	    pki->good.cert, openkey,
	    garbage, key);
	const char *cf = tsup_tmp_write("list.yaml", yaml, strlen(yaml));
	const struct {
		const char *name;
		const char *used_by;
		const char *problem;	/* substring of one; NULL: none */
	}	cases[] = {
		{"good", "listener L1, outbound", NULL},
		{"wrongname", "listener L2", "listener L2: the certificate "
		"does not name its host name mx.tsup.test"},
		{"mismatch", "", "does not match the private key"},
		{"badchain", "", "chain: "},
		{"expired", "", "expired 1 day(s) ago"},
		{"openkey", "", "has mode 0644: others than its owner can "
		"read it"},
		{"garbage", "", garbage},
		{"demo", "", "not created yet: mtad makes a self-signed "
		"certificate"},
	};
	const char *args[] = {"cert", "list", "--json", "--config", cf, NULL};
	const char *soon[] = {"cert", "list", "--expiring", "400", "--config",
	cf, NULL};
	struct buf *out = buf_new(0);
	json_error_t jerr;
	json_t *all;
	size_t	i, j;
	int	rc;

	rc = t_mtactl(out, args);
	cr_assert_eq(rc, 0, "%s", out->data);
	all = json_loads(out->data, 0, &jerr);
	cr_assert_not_null(all, "%s: %s", jerr.text, out->data);
	cr_assert_eq(json_array_size(all), sizeof(cases) / sizeof(cases[0]),
	    "%s", out->data);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *c = NULL;
		json_t *problems;
		int	found = 0;

		for (j = 0; j < json_array_size(all); j++)
			if (strcmp(json_string_value(json_object_get(
			    json_array_get(all, j), "name")),
			    cases[i].name) == 0)
				c = json_array_get(all, j);
		cr_assert_not_null(c, "%s: not listed", cases[i].name);
		cr_expect_str_eq(json_string_value(json_object_get(c,
		    "used_by")), cases[i].used_by, "%s", cases[i].name);
		problems = json_object_get(c, "problems");
		for (j = 0; j < json_array_size(problems); j++)
			if (cases[i].problem && strstr(json_string_value(
			    json_array_get(problems, j)), cases[i].problem))
				found = 1;
		if (cases[i].problem)
			cr_expect(found, "%s: no problem \"%s\" in %s",
			    cases[i].name, cases[i].problem, json_dumps(
			    problems, 0));
		else
			cr_expect_eq(json_array_size(problems), 0,
			    "%s: problems %s", cases[i].name,
			    json_dumps(problems, 0));
	}
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(all,
	    0), "intermediates")), 1);
	json_decref(all);

	/* A year of validity expires within 400 days: exit 1, a warning. */
	rc = t_mtactl(out, soon);
	cr_expect_eq(rc, 1, "%s", out->data);
	cr_expect(strstr(out->data, "cert list: good: CN=mx.tsup.test") != NULL
	    && strstr(out->data, "expires soon") != NULL, "%s", out->data);
	cr_expect(strstr(out->data, "problem:      expires in 36") != NULL,
	    "%s", out->data);
	buf_free(out);
}
