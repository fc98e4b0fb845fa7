/*
 * NAME
 *	certs_test - unit tests for certs_demo and certs_ctx
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certs_ctx.h"
#include "certs_demo.h"

static char certs_dir[256];

/* certs_test_setup - a private temporary directory */

static void
certs_test_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	(void) snprintf(certs_dir, sizeof(certs_dir), "%s/certs_test.XXXXXX",
	    tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(certs_dir));
}

/* certs_test_teardown - remove what the tests wrote */

static void
certs_test_teardown(void)
{
	char	cmd[300];

	(void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certs_dir);
	(void) system(cmd);
}

/* certs_test_path - a file name in the test directory */

static const char *
certs_test_path(const char *name)
{
	static char path[2][300];
	static int which;

	which = !which;
	(void) snprintf(path[which], sizeof(path[which]), "%s/%s", certs_dir,
	    name);
	return (path[which]);
}

TestSuite(certs, .init = certs_test_setup, .fini = certs_test_teardown);

Test(certs, demo_created_once_with_private_key_mode)
{
	struct buf *err = buf_new(0);
	char	cert[300], key[300];
	struct stat st1, st2;
	X509   *x;
	FILE   *fp;

	(void) snprintf(cert, sizeof(cert), "%s", certs_test_path("demo.crt"));
	(void) snprintf(key, sizeof(key), "%s", certs_test_path("demo.key"));
	cr_assert_eq(certs_demo_ensure(cert, key, "mx.test.example", err), 0,
	    "%s", err->data);
	cr_assert_eq(stat(key, &st1), 0);
	cr_expect_eq(st1.st_mode & 0777, 0600, "key mode %o",
	    st1.st_mode & 0777);
	cr_assert_eq(stat(cert, &st1), 0);
	cr_assert_eq(certs_demo_ensure(cert, key, "mx.test.example", err), 0);
	cr_assert_eq(stat(cert, &st2), 0);
	cr_expect_eq(st1.st_ino, st2.st_ino, "not regenerated");

	fp = fopen(cert, "r");
	cr_assert_not_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	(void) fclose(fp);
	cr_assert_not_null(x);
	cr_expect(certs_demo_is(x));
	cr_expect_eq(X509_check_host(x, "mx.test.example", 0, 0, NULL), 1);
	X509_free(x);
	buf_free(err);
}

Test(certs, server_context_loads_demo)
{
	struct buf *err = buf_new(0);
	struct certs_tls_opts opts;
	char	cert[300], key[300];
	SSL_CTX *ctx;

	(void) snprintf(cert, sizeof(cert), "%s", certs_test_path("d.crt"));
	(void) snprintf(key, sizeof(key), "%s", certs_test_path("d.key"));
	cr_assert_eq(certs_demo_ensure(cert, key, "localhost", err), 0, "%s",
	    err->data);
	certs_ctx_defaults(&opts);
	ctx = certs_ctx_server(cert, key, &opts, err);
	cr_assert_not_null(ctx, "%s", err->data);
	SSL_CTX_free(ctx);
	buf_free(err);
}

struct ctx_error_case {
	const char *label;
	const char *cert;
	const char *key;
	const char *ciphers;
	const char *want;
};

Test(certs, server_context_errors_say_why)
{
	static const struct ctx_error_case cases[] = {
		{"missing certificate", "nope.crt", "a.key", NULL,
		"certificate"},
		{"key of another certificate", "a.crt", "b.key", NULL,
		"does not match"},
		{"garbage key", "a.crt", "junk.pem", NULL, "private key"},
		{"bad cipher string", "a.crt", "a.key", "NOT-A-CIPHER",
		"cipher list"},
	};
	struct buf *err = buf_new(0);
	size_t	i;
	FILE   *fp;

	cr_assert_eq(certs_demo_ensure(certs_test_path("a.crt"),
	    certs_test_path("a.key"), "a.test", err), 0);
	cr_assert_eq(certs_demo_ensure(certs_test_path("b.crt"),
	    certs_test_path("b.key"), "b.test", err), 0);
	fp = fopen(certs_test_path("junk.pem"), "w");
	cr_assert_not_null(fp);
	(void) fputs("-----BEGIN PRIVATE KEY-----\nnot base64\n", fp);
	(void) fclose(fp);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct certs_tls_opts opts;
		char	cert[300], key[300];
		SSL_CTX *ctx;

		certs_ctx_defaults(&opts);
		opts.ciphers = cases[i].ciphers;
		(void) snprintf(cert, sizeof(cert), "%s",
		    certs_test_path(cases[i].cert));
		(void) snprintf(key, sizeof(key), "%s",
		    certs_test_path(cases[i].key));
		buf_reset(err);
		ctx = certs_ctx_server(cert, key, &opts, err);
		cr_expect_null(ctx, "%s: accepted", cases[i].label);
		cr_expect(strstr(err->data, cases[i].want) != NULL,
		    "%s: error \"%s\" lacks \"%s\"", cases[i].label, err->data,
		    cases[i].want);
		SSL_CTX_free(ctx);
	}
	buf_free(err);
}
