/*
 * NAME
 *	tsup_certs_test - self-tests of t/support/tsup_certs
 * DESCRIPTION
 *	Each certificate of the test PKI is checked twice: with the
 *	OpenSSL verifier in process (the exact X509_V_ERR_* reason) and
 *	with the openssl command (an independent reader of the files).
 */
#include "config.h"

#include <sys/stat.h>

#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_certs, .init = tsup_init, .fini = tsup_fini);

/* read_cert - the first certificate of a PEM file */

static X509 *
read_cert(const char *path)
{
	FILE   *fp = fopen(path, "r");
	X509   *cert;

	cr_assert_not_null(fp, "%s", path);
	cert = PEM_read_X509(fp, NULL, NULL, NULL);
	(void) fclose(fp);
	cr_assert_not_null(cert, "%s", path);
	return (cert);
}

/* count_certs - how many certificates a PEM file holds */

static int
count_certs(const char *path)
{
	struct buf bp;
	const char *cp;
	int	n = 0;

	buf_init(&bp, 4096);
	tsup_tmp_read(path, &bp);
	for (cp = bp.data; (cp = strstr(cp, "BEGIN CERTIFICATE")); cp++)
		n++;
	buf_fini(&bp);
	return (n);
}

/* verify - verify a leaf against the root, with the intermediate */

static int
verify(const struct tsup_certs *pki, const char *leaf_path, int with_inter,
    const char *host)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509   *leaf = read_cert(leaf_path);
	X509   *root = read_cert(pki->root.cert);
	X509   *inter = read_cert(pki->inter.cert);
	int	err;

	cr_assert(X509_STORE_add_cert(store, root));
	if (with_inter)
		cr_assert(sk_X509_push(untrusted, inter));
	cr_assert(X509_STORE_CTX_init(ctx, store, leaf, untrusted));
	if (host != NULL)
		cr_assert(X509_VERIFY_PARAM_set1_host(
		    X509_STORE_CTX_get0_param(ctx), host, 0));
	err = X509_verify_cert(ctx) == 1 ? X509_V_OK :
	    X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_free(untrusted);
	X509_free(leaf);
	X509_free(root);
	X509_free(inter);
	return (err);
}

Test(tsup_certs, each_certificate_verifies_as_named)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const struct {
		const char *label;
		const char *leaf;
		int	with_inter;
		const char *host;
		int	want;
	} cases[] = {
		{"good", pki->good.cert, 1, TSUP_CERT_HOST, X509_V_OK},
		{"good, chain file", pki->good.chain, 1, TSUP_CERT_HOST,
		X509_V_OK},
		{"ecdsa", pki->ecdsa.cert, 1, TSUP_CERT_HOST, X509_V_OK},
		{"client", pki->client.cert, 1, NULL, X509_V_OK},
		{"intermediate", pki->inter.cert, 0, NULL, X509_V_OK},
		{"good without intermediate", pki->good.cert, 0,
		TSUP_CERT_HOST, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
		{"expired", pki->expired.cert, 1, TSUP_CERT_HOST,
		X509_V_ERR_CERT_HAS_EXPIRED},
		{"not yet valid", pki->notyet.cert, 1, TSUP_CERT_HOST,
		X509_V_ERR_CERT_NOT_YET_VALID},
		{"wrong name", pki->wrongname.cert, 1, TSUP_CERT_HOST,
		X509_V_ERR_HOSTNAME_MISMATCH},
		{"wrong name, own name", pki->wrongname.cert, 1,
		"other.tsup.test", X509_V_OK},
		{"self-signed", pki->selfsigned.cert, 1, TSUP_CERT_HOST,
		X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
		{"unknown root", pki->untrusted.cert, 1, TSUP_CERT_HOST,
		X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
	};
	size_t	i;
	int	got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = verify(pki, cases[i].leaf, cases[i].with_inter,
		    cases[i].host);
		cr_assert_eq(got, cases[i].want, "%s: got %d (%s), want %d",
		    cases[i].label, got, X509_verify_cert_error_string(got),
		    cases[i].want);
	}
}

Test(tsup_certs, the_openssl_command_agrees)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const struct {
		const char *label;
		const char *leaf;
		int	want;
		const char *text;
	} cases[] = {
		{"good", pki->good.cert, 0, ": OK"},
		{"expired", pki->expired.cert, 2, "certificate has expired"},
		{"not yet valid", pki->notyet.cert, 2,
		"certificate is not yet valid"},
		{"self-signed", pki->selfsigned.cert, 2, "self-signed"},
		{"unknown root", pki->untrusted.cert, 2,
		"unable to get local issuer"},
	};
	const char *argv[] = {"openssl", "verify", "-CAfile", pki->root.cert,
	    "-untrusted", pki->inter.cert, NULL, NULL};
	struct buf out;
	size_t	i;
	int	ret;

	buf_init(&out, 256);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		argv[6] = cases[i].leaf;
		ret = tsup_run(argv, NULL, 0, 0, &out);
		cr_assert_eq(ret, cases[i].want, "%s: status %d: %s",
		    cases[i].label, ret, out.data);
		cr_assert(strstr(out.data, cases[i].text) != NULL, "%s: %s",
		    cases[i].label, out.data);
	}
	buf_fini(&out);
}

Test(tsup_certs, keys_files_and_uses)
{
	const struct tsup_certs *pki = tsup_certs_make(tsup_tmp_path("pki"));
	const struct {
		const char *label;
		const struct tsup_cert *c;
		const char *type;
		int	bits;
		int	chain_len;
		int	purpose;
	} cases[] = {
		{"root", &pki->root, "RSA", 2048, 1, X509_PURPOSE_ANY},
		{"good", &pki->good, "RSA", 2048, 2, X509_PURPOSE_SSL_SERVER},
		{"ecdsa", &pki->ecdsa, "EC", 256, 2, X509_PURPOSE_SSL_SERVER},
		{"selfsigned", &pki->selfsigned, "RSA", 2048, 1,
		X509_PURPOSE_SSL_SERVER},
		{"client", &pki->client, "RSA", 2048, 2,
		X509_PURPOSE_SSL_CLIENT},
	};
	struct stat st;
	EVP_PKEY *key;
	X509   *cert;
	size_t	i;

	cr_assert_str_eq(pki->dir, tsup_tmp_path("pki"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cert = read_cert(cases[i].c->cert);
		key = X509_get0_pubkey(cert);
		cr_assert(EVP_PKEY_is_a(key, cases[i].type), "%s",
		    cases[i].label);
		cr_assert_eq(EVP_PKEY_get_bits(key), cases[i].bits, "%s",
		    cases[i].label);
		if (cases[i].purpose != X509_PURPOSE_ANY)
			cr_assert_eq(X509_check_purpose(cert, cases[i].purpose,
			    0), 1, "%s: purpose", cases[i].label);
		cr_assert_eq(count_certs(cases[i].c->chain),
		    cases[i].chain_len, "%s: chain", cases[i].label);
		cr_assert_eq(stat(cases[i].c->key, &st), 0);
		cr_assert_eq(st.st_mode & 077, 0, "%s: key mode %o",
		    cases[i].label, st.st_mode & 0777);
		X509_free(cert);
	}
	cert = read_cert(pki->client.cert);
	cr_assert_eq(X509_check_purpose(cert, X509_PURPOSE_SSL_SERVER, 0), 0,
	    "a client certificate is not a server certificate");
	X509_free(cert);
}

Test(tsup_certs, issue_names_from_a_spec)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	static const char *const dns[] = {"a.tsup.test", "*.w.tsup.test", NULL};
	static const char *const ips[] = {"127.0.0.1", "::1", NULL};
	static const char *const none[] = {NULL};
	struct tsup_cert_spec spec;
	struct tsup_cert files;
	const struct {
		const char *label;
		const char *name;
		int	want;
	} hosts[] = {
		{"first SAN", "a.tsup.test", 1},
		{"wildcard SAN", "x.w.tsup.test", 1},
		{"wildcard one label only", "y.x.w.tsup.test", 0},
		{"CN is not a SAN", "cn.tsup.test", 0},
		{"other", "b.tsup.test", 0},
	};
	X509   *cert;
	size_t	i;
	char	cn[256];

	memset(&spec, 0, sizeof(spec));
	spec.cn = "cn.tsup.test";
	spec.dns = dns;
	spec.ips = ips;
	spec.key = TSUP_KEY_P256;
	spec.issuer = TSUP_ISSUER_ROOT;
	files = tsup_certs_issue(pki, "multi", &spec);
	cert = read_cert(files.cert);
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		cr_assert_eq(X509_check_host(cert, hosts[i].name, 0, 0, NULL)
		    == 1, hosts[i].want, "%s", hosts[i].label);
	cr_assert_eq(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
	cr_assert_eq(X509_check_ip_asc(cert, "::1", 0), 1);
	cr_assert_eq(X509_check_ip_asc(cert, "127.0.0.2", 0), 0);
	X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
	    cn, sizeof(cn));
	cr_assert_str_eq(cn, "cn.tsup.test");
	cr_assert_eq(count_certs(files.chain), 1, "root-signed: no chain");
	X509_free(cert);

	/* CN only, no SAN at all. */
	memset(&spec, 0, sizeof(spec));
	spec.cn = "cnonly.tsup.test";
	spec.dns = none;
	files = tsup_certs_issue(pki, "cnonly", &spec);
	cert = read_cert(files.cert);
	cr_assert_eq(X509_get_ext_by_NID(cert, NID_subject_alt_name, -1), -1);
	X509_free(cert);
	cr_assert_eq(verify(pki, files.cert, 1, NULL), X509_V_OK);
}

Test(tsup_certs, dh1024_parameters_are_cached)
{
	struct buf first;
	struct buf second;
	EVP_PKEY *params;
	const char *path;
	BIO    *bio;

	buf_init(&first, 1024);
	buf_init(&second, 1024);
	path = tsup_certs_dh1024();
	cr_assert_str_eq(path, tsup_tmp_path("dh1024.pem"));
	bio = BIO_new_file(path, "r");
	cr_assert_not_null(bio);
	params = PEM_read_bio_Parameters(bio, NULL);
	BIO_free(bio);
	cr_assert_not_null(params);
	cr_assert(EVP_PKEY_is_a(params, "DH"));
	cr_assert_eq(EVP_PKEY_get_bits(params), 1024);
	EVP_PKEY_free(params);
	tsup_tmp_read(path, &first);
	tsup_tmp_remove(path);
	tsup_tmp_read(tsup_certs_dh1024(), &second);
	cr_assert_eq(first.len, second.len);
	cr_assert(memcmp(first.data, second.data, first.len) == 0,
	    "the second call generated new parameters");
	buf_fini(&first);
	buf_fini(&second);
}
