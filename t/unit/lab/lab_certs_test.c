/*
 * NAME
 *	lab_certs_test - the lab PKI has exactly the defects it promises
 * DESCRIPTION
 *	Each certificate kind is verified as a peer would see it: its file
 *	(leaf first, then what a lab peer serves of its chain) against the
 *	lab root alone, and its names against the domain a lab gateway
 *	checks. The DH parameters must be 1024 bits, and every key must fit
 *	its certificate.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"

#include "lab_certs.h"
#include "tsupport.h"

TestSuite(lab_certs, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

/* verify - chain error and name match of a served file */

static void
verify(const struct lab_pki *pki, enum lab_cert kind, const char *name,
    int *err, int *match, int *keyok)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509   *leaf = NULL, *x;
	EVP_PKEY *key;
	FILE   *fp;

	cr_assert(X509_STORE_load_file(store, lab_certs_ca(pki)) == 1);
	fp = fopen(lab_certs_chain(pki, kind), "r");
	cr_assert_not_null(fp, "%s: cannot open its file",
	    lab_certs_name(kind));
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL) {
		if (leaf == NULL)
			leaf = x;
		else
			(void) sk_X509_push(chain, x);
	}
	(void) fclose(fp);
	cr_assert_not_null(leaf, "%s: no certificate", lab_certs_name(kind));
	fp = fopen(lab_certs_key(pki, kind), "r");
	cr_assert_not_null(fp);
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	(void) fclose(fp);
	*keyok = key && X509_check_private_key(leaf, key) == 1;
	cr_assert(X509_STORE_CTX_init(ctx, store, leaf, chain) == 1);
	(void) X509_verify_cert(ctx);
	*err = X509_STORE_CTX_get_error(ctx);
	*match = X509_check_host(leaf, name, 0, 0, NULL) == 1;
	EVP_PKEY_free(key);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
}

Test(lab_certs, each_kind_has_its_defect)
{
	static const struct {
		const char *label;
		enum lab_cert kind;
		const char *name;
		int	want_err;
		int	want_match;
	} cases[] = {
		{"valid", LAB_CERT_VALID, "b.lab", X509_V_OK, 1},
		{"self-signed", LAB_CERT_SELFSIGNED, "b.lab",
		X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 1},
		{"expired", LAB_CERT_EXPIRED, "a.lab",
		X509_V_ERR_CERT_HAS_EXPIRED, 1},
		{"not yet valid", LAB_CERT_NOTYET, "a.lab",
		X509_V_ERR_CERT_NOT_YET_VALID, 1},
		{"wrong name", LAB_CERT_WRONGNAME, "a.lab", X509_V_OK, 0},
		{"wrong name is other.example.net", LAB_CERT_WRONGNAME,
		"other.example.net", X509_V_OK, 1},
		{"no intermediate", LAB_CERT_NOINTERMEDIATE, "a.lab",
		X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1},
		{"untrusted root", LAB_CERT_UNTRUSTED, "a.lab",
		X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 1},
		{"valid names only the given", LAB_CERT_VALID, "c.lab",
		X509_V_OK, 0},
		{"client valid", LAB_CERT_CLIENT_VALID, "client.lab",
		X509_V_OK, 1},
		{"client self-signed", LAB_CERT_CLIENT_SELFSIGNED, "client.lab",
		X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 1},
		{"client expired", LAB_CERT_CLIENT_EXPIRED, "client.lab",
		X509_V_ERR_CERT_HAS_EXPIRED, 1},
	};
	struct buf *err = buf_new(0);
	struct lab_pki *pki;
	size_t	i;
	int	got_err, got_match, keyok;

	pki = lab_certs_make(tsup_tmp_dir(), "DNS:a.lab,DNS:b.lab", err);
	cr_assert_not_null(pki, "lab_certs_make: %s", err->data);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		verify(pki, cases[i].kind, cases[i].name, &got_err, &got_match,
		    &keyok);
		cr_expect_eq(got_err, cases[i].want_err, "%s: verify error %d "
		    "(%s), want %d", cases[i].label, got_err,
		    X509_verify_cert_error_string(got_err), cases[i].want_err);
		cr_expect_eq(got_match, cases[i].want_match, "%s: name %s "
		    "match %d, want %d", cases[i].label, cases[i].name,
		    got_match, cases[i].want_match);
		cr_expect(keyok, "%s: the key does not fit", cases[i].label);
	}
	(void) lab_certs_free(pki);
	buf_free(err);
}

Test(lab_certs, dh_parameters_are_1024_bits)
{
	struct buf *err = buf_new(0);
	struct lab_pki *pki;
	EVP_PKEY *dh;
	BIO    *bio;

	pki = lab_certs_make(tsup_tmp_dir(), "DNS:a.lab", err);
	cr_assert_not_null(pki, "lab_certs_make: %s", err->data);
	bio = BIO_new_file(lab_certs_dh1024(pki), "r");
	cr_assert_not_null(bio);
	dh = PEM_read_bio_Parameters(bio, NULL);
	BIO_free(bio);
	cr_assert_not_null(dh, "%s: no DH parameters", lab_certs_dh1024(pki));
	cr_expect_eq(EVP_PKEY_get_bits(dh), 1024, "DH bits %d",
	    EVP_PKEY_get_bits(dh));
	cr_expect_eq(EVP_PKEY_get_base_id(dh), EVP_PKEY_DH);
	EVP_PKEY_free(dh);
	(void) lab_certs_free(pki);
	buf_free(err);
}

Test(lab_certs, bad_directory_is_an_error)
{
	struct buf *err = buf_new(0);

	cr_assert_null(lab_certs_make("/nonexistent/lab", "DNS:a.lab", err));
	cr_expect(strstr(err->data, "/nonexistent/lab") != NULL,
	    "the error does not name the file: %s", err->data);
	buf_free(err);
}
