/*
 * NAME
 *	certs_trust_test - the trust store commands and sslconfig show
 * DESCRIPTION
 *	certs_trust naming, and the real mtactl: "trust add/list/remove"
 *	on a trust directory named by a test configuration, "trust fetch"
 *	against scripted SMTP servers (STARTTLS and implicit TLS) whose
 *	certificates come from a PKI generated at test time, followed by a
 *	handshake that proves the fetched anchor works, and "sslconfig
 *	show" read back as JSON.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"

#include "conf.h"

#include "certs_conf.h"
#include "certs_trust.h"
#include "certs_x509.h"
#include "tsupport.h"

TestSuite(certs_trust, .init = tsup_init, .fini = tsup_fini, .timeout = 60);

/* t_mtactl - run the built mtactl; stdout and stderr in out */

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

/* t_config - a configuration file with its own trust directory */

static const char *
t_config(const char *label, const char *extra, const char **dirp)
{
	const char *dir = tsup_tmp_path("%s-trust", label);
	const char *yaml = tsup_strf("spool_dir: %s\n"
	    "tls:\n  trust:\n    system: false\n    dir: %s\n%s",
	    tsup_tmp_mkdir(tsup_strf("%s-spool", label)), dir,
	    extra ? extra : "");

	if (dirp)
		*dirp = dir;
	return (tsup_tmp_write(tsup_strf("%s.yaml", label), yaml,
	    strlen(yaml)));
}

/* t_files - how many NAME.pem files dir holds (-1: no directory) */

static int
t_files(const char *dir)
{
	struct certs_trust_entry *list;
	struct buf *err = buf_new(0);
	size_t	n;
	struct stat st;

	if (stat(dir, &st) == -1) {
		buf_free(err);
		return (-1);
	}
	cr_assert_eq(certs_trust_list(dir, &list, &n, err), 0, "%s",
	    err->data);
	certs_trust_list_free(list, n);
	buf_free(err);
	return ((int) n);
}

/* t_load - the first certificate of a PEM file */

static X509 *
t_load(const char *path)
{
	struct buf *err = buf_new(0);
	STACK_OF(X509) *certs = certs_x509_load_certs(path, err);
	X509   *x;

	cr_assert_not_null(certs, "%s", err->data);
	x = sk_X509_shift(certs);
	sk_X509_pop_free(certs, X509_free);
	buf_free(err);
	return (x);
}

Test(certs_trust, names_from_common_names)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	static const struct {
		const char *label;
		const char *cn;
		const char *want;
	}	cases[] = {
		{"spaces", "Test  Root CA", "Test_Root_CA"},
		{"wildcard", "*.example.com", "example.com"},
		{"path tricks", "../../etc/passwd", "etc_passwd"},
		{"unicode", "R\xc3\xa9seau CA", "R_seau_CA"},
		{"punctuation only", "***", NULL},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const none[] = {NULL};
		struct tsup_cert_spec spec = {.cn = cases[i].cn, .dns = none};
		struct tsup_cert tc = tsup_certs_issue(pki,
		    tsup_strf("name%zu", i), &spec);
		X509   *x = t_load(tc.cert);
		struct buf *name = buf_new(0);

		certs_trust_name(x, name);
		if (cases[i].want)
			cr_expect_str_eq(name->data, cases[i].want, "%s",
			    cases[i].label);
		else
			cr_expect(strncmp(name->data, "sha256-", 7) == 0
			    && name->len == 23, "%s: %s", cases[i].label,
			    name->data);
		cr_expect(certs_trust_name_ok(name->data), "%s: %s not ok",
		    cases[i].label, name->data);
		X509_free(x);
		buf_free(name);
	}
	cr_expect(!certs_trust_name_ok(".hidden"));
	cr_expect(!certs_trust_name_ok("a/b"));
	cr_expect(!certs_trust_name_ok(""));
}

Test(certs_trust, add_list_remove)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *dir;
	const char *cf = t_config("alr", NULL, &dir);
	const char *garbage = tsup_tmp_write("garbage.pem", "hello\n", 6);
	struct {
		const char *label;
		const char *args[8];
		int	want_rc;
		const char *want_out;	/* substring of the output */
		int	want_files;	/* in the directory after */
	}	cases[] = {
		{"add the root", {"trust", "add", pki->root.cert, "--config",
			cf}, 0, "added ", 1},
		{"add it again", {"trust", "add", pki->root.cert, "--config",
			cf}, 0, "already trusted ", 1},
		{"a leaf without --leaf", {"trust", "add", pki->good.cert,
			"--config", cf}, 1, "is not a CA certificate", 1},
		{"the leaf error says how", {"trust", "add", pki->good.cert,
			"--config", cf}, 1, "give --leaf", 1},
		{"a leaf with --leaf", {"trust", "add", pki->good.cert,
			"--leaf", "--config", cf}, 0, "added mx.tsup.test", 2},
		{"an intermediate: root missing", {"trust", "add",
			pki->inter.cert, "--config", cf}, 0,
		"the chain lacks its root", 3},
		{"garbage", {"trust", "add", garbage, "--config", cf}, 1,
			garbage, 3},
		{"a name already used by another", {"trust", "add",
			pki->other_root.cert, "--name", "mx.tsup.test",
			"--config", cf}, 1, "another certificate is already "
		"trusted as \"mx.tsup.test\"", 3},
		{"a bad name", {"trust", "add", pki->other_root.cert,
			"--name", "../x", "--config", cf}, 1, "bad name", 3},
		{"remove the leaf", {"trust", "remove", "mx.tsup.test",
			"--config", cf}, 0, "removed mx.tsup.test", 2},
		{"remove it again", {"trust", "remove", "mx.tsup.test",
			"--config", cf}, 1, "no trusted certificate named", 2},
		{"remove outside the directory", {"trust", "remove",
			"../alr.yaml", "--config", cf}, 1, "bad name", 2},
		{"list", {"trust", "list", "--config", cf}, 0,
			"kind:    CA, root", 2},
		{"no such configuration", {"trust", "list", "--config",
			"/nonexistent.yaml"}, 1, "/nonexistent.yaml", 2},
		{"unknown option", {"trust", "add", "--frob", "--config", cf},
		2, "unknown option --frob", 2},
	};
	struct buf *out = buf_new(0);
	struct stat st;
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = t_mtactl(out, cases[i].args);
		cr_expect_eq(rc, cases[i].want_rc, "%s: exit %d, want %d:\n%s",
		    cases[i].label, rc, cases[i].want_rc, out->data);
		cr_expect(strstr(out->data, cases[i].want_out) != NULL,
		    "%s: output lacks \"%s\":\n%s", cases[i].label,
		    cases[i].want_out, out->data);
		cr_expect_eq(t_files(dir), cases[i].want_files, "%s: %d "
		    "files, want %d", cases[i].label, t_files(dir),
		    cases[i].want_files);
	}
	cr_assert_eq(stat(tsup_strf("%s/TSUP_Test_Root_CA.pem", dir), &st), 0,
	    "the root is named by its CN");
	cr_expect_eq(st.st_mode & 0777, 0644);
	buf_free(out);
}

Test(certs_trust, list_json)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *dir;
	const char *cf = t_config("lj", tsup_strf("    ca_file: %s\n",
	    pki->good.chain), &dir);
	const char *add[] = {"trust", "add", pki->root.cert, "--config", cf,
	NULL};
	const char *list[] = {"--json", "trust", "list", "--config", cf, NULL};
	struct buf *out = buf_new(0);
	json_error_t jerr;
	json_t *top, *certs, *c;

	cr_assert_eq(t_mtactl(out, add), 0, "%s", out->data);
	cr_assert_eq(t_mtactl(out, list), 0, "%s", out->data);
	top = json_loads(out->data, 0, &jerr);
	cr_assert_not_null(top, "%s: %s", jerr.text, out->data);
	cr_expect(json_is_false(json_object_get(json_object_get(top,
	    "system"), "enabled")));
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(top,
	    "ca_file"), "certificates")), 2);
	cr_expect_str_eq(json_string_value(json_object_get(top, "dir")), dir);
	certs = json_object_get(top, "certificates");
	cr_assert_eq(json_array_size(certs), 1, "%s", out->data);
	c = json_array_get(certs, 0);
	cr_expect_str_eq(json_string_value(json_object_get(c, "name")),
	    "TSUP_Test_Root_CA");
	cr_expect(json_is_true(json_object_get(c, "ca")));
	cr_expect(json_is_true(json_object_get(c, "self_signed")));
	cr_expect_eq(strlen(json_string_value(json_object_get(c, "sha256"))),
	    95);
	json_decref(top);
	buf_free(out);
}

/* t_verifies - does a client built from the configuration verify? */

static long
t_verifies(const char *config_path, int port)
{
	struct buf *text = buf_new(0);
	struct buf *err = buf_new(0);
	struct conf *cf;
	long	res;

	tsup_tmp_read(config_path, text);
	cf = conf_load_string("t.yaml", text->data, text->len, err);
	cr_assert_not_null(cf, "%s", err->data);

	/* Verify the server's chain as the delivery context would. */
	{
		X509_STORE *store = X509_STORE_new();
		X509_STORE_CTX *sctx = X509_STORE_CTX_new();
		STACK_OF(X509) *chain;
		struct buf *why = buf_new(0);

		cr_assert_geq(certs_conf_trust_load(cf, store, why), 0, "%s",
		    why->data);
		cr_assert_eq(certs_trust_fetch("127.0.0.1",
		    tsup_strf("%d", port), 1, 10, &chain, why), 0, "%s",
		    why->data);
		cr_assert(X509_STORE_CTX_init(sctx, store,
		    sk_X509_value(chain, 0), chain));
		res = X509_verify_cert(sctx) == 1 ? X509_V_OK
		    : X509_STORE_CTX_get_error(sctx);
		X509_STORE_CTX_free(sctx);
		X509_STORE_free(store);
		sk_X509_pop_free(chain, X509_free);
		buf_free(why);
	}
	conf_free(cf);
	buf_free(text);
	buf_free(err);
	return (res);
}

Test(certs_trust, fetch_starttls_add_then_verify)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct tsup_smtpd_opts so = {
		.concurrent = 1,
		.tls = {.cert_file = pki->good.chain,
		.key_file = pki->good.key},
	};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	const char *dir;
	const char *cf = t_config("fs", NULL, &dir);
	const char *hp = tsup_strf("127.0.0.1:%d", tsup_smtpd_port(s));
	struct {
		const char *label;
		const char *args[10];
		int	want_rc;
		const char *want_out;
		int	want_files;
	}	cases[] = {
		{"show the chain", {"trust", "fetch", hp, "--starttls",
			"--config", cf}, 0, "1\n  subject: CN=TSUP Test "
		"Intermediate", -1},
		{"the root is missing", {"trust", "fetch", hp, "--starttls",
			"--config", cf}, 0, "warning: trust fetch: the chain "
		"lacks its root: it ends with CN=TSUP Test Intermediate CA",
		-1},
		{"implicit TLS against STARTTLS", {"trust", "fetch", hp,
			"--timeout", "5", "--config", cf}, 1,
		"TLS handshake with 127.0.0.1", -1},
		{"select the leaf without --leaf", {"trust", "fetch", hp,
			"--starttls", "--select", "0", "--config", cf}, 1,
		"is not a CA certificate", -1},
		{"select out of range", {"trust", "fetch", hp, "--starttls",
			"--select", "0,7", "--config", cf}, 2,
		"--select: \"0,7\" is not a list", -1},
		{"add the CA certificates", {"trust", "fetch", hp,
			"--starttls", "--add", "--config", cf}, 0,
		"added TSUP_Test_Intermediate_CA", 1},
	};
	struct buf *out = buf_new(0);
	size_t	i;
	int	rc;

	cr_expect_neq(t_verifies(cf, tsup_smtpd_port(s)), X509_V_OK,
	    "verified before anything was trusted");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = t_mtactl(out, cases[i].args);
		cr_expect_eq(rc, cases[i].want_rc, "%s: exit %d, want %d:\n%s",
		    cases[i].label, rc, cases[i].want_rc, out->data);
		cr_expect(strstr(out->data, cases[i].want_out) != NULL,
		    "%s: output lacks \"%s\":\n%s", cases[i].label,
		    cases[i].want_out, out->data);
		cr_expect_eq(t_files(dir), cases[i].want_files, "%s: files",
		    cases[i].label);
	}
	cr_expect_eq(t_verifies(cf, tsup_smtpd_port(s)), X509_V_OK,
	    "the fetched intermediate is not an anchor");
	tsup_smtpd_stop(s);
	buf_free(out);
}

Test(certs_trust, fetch_implicit_tls_pins_leaf_only_when_asked)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct tsup_smtpd_opts so = {
		.concurrent = 1,
		.implicit_tls = 1,
		.tls = {.cert_file = pki->selfsigned.cert,
		.key_file = pki->selfsigned.key},
	};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct tsup_smtpd_opts plain = {.concurrent = 1, .no_starttls = 1};
	struct tsup_smtpd *p = tsup_smtpd_start(&plain);
	const char *dir;
	const char *cf = t_config("fi", NULL, &dir);
	const char *hp = tsup_strf("127.0.0.1:%d", tsup_smtpd_port(s));
	const char *php = tsup_strf("127.0.0.1:%d", tsup_smtpd_port(p));
	const char *closed = tsup_strf("127.0.0.1:%d", tsup_port_free());
	struct {
		const char *label;
		const char *args[10];
		int	want_rc;
		const char *want_out;
		int	want_files;
	}	cases[] = {
		{"add: no CA certificate", {"trust", "fetch", hp, "--add",
			"--config", cf}, 1, "the server sent no CA certificate",
		-1},
		{"no warning for a self-signed chain", {"--json", "trust",
			"fetch", hp, "--config", cf}, 0,
			"\"self_signed\": true",
		-1},
		{"pin with --leaf", {"trust", "fetch", hp, "--select", "0",
			"--leaf", "--config", cf}, 0, "added mx.tsup.test", 1},
		{"no STARTTLS offered", {"trust", "fetch", php, "--starttls",
			"--config", cf}, 1, "the server does not offer "
		"STARTTLS", 1},
		{"nothing listening", {"trust", "fetch", closed, "--config",
			cf}, 1, "connect to 127.0.0.1 port", 1},
		{"not HOST:PORT", {"trust", "fetch", "localhost", "--config",
			cf}, 2, "give HOST:PORT", 1},
	};
	struct buf *out = buf_new(0);
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = t_mtactl(out, cases[i].args);
		cr_expect_eq(rc, cases[i].want_rc, "%s: exit %d, want %d:\n%s",
		    cases[i].label, rc, cases[i].want_rc, out->data);
		cr_expect(strstr(out->data, cases[i].want_out) != NULL,
		    "%s: output lacks \"%s\":\n%s", cases[i].label,
		    cases[i].want_out, out->data);
		cr_expect_eq(t_files(dir), cases[i].want_files, "%s: files",
		    cases[i].label);
		if (i == 1)
			cr_expect(strstr(out->data, "warning") == NULL,
			    "%s:\n%s", cases[i].label, out->data);
	}
	tsup_smtpd_stop(s);
	tsup_smtpd_stop(p);
	buf_free(out);
}

/* t_version - the by_version entry of a service in sslconfig JSON */

static json_t *
t_version(json_t *top, const char *service, const char *version)
{
	size_t	i, j;

	for (i = 0; i < json_array_size(top); i++) {
		json_t *s = json_array_get(top, i);
		json_t *v = json_object_get(s, "by_version");

		if (strcmp(json_string_value(json_object_get(s, "service")),
		    service) != 0)
			continue;
		for (j = 0; j < json_array_size(v); j++)
			if (strcmp(json_string_value(json_object_get(
			    json_array_get(v, j), "version")), version) == 0)
				return (json_array_get(v, j));
	}
	cr_assert_fail("no %s %s in the output", service, version);
	return (NULL);
}

Test(certs_trust, sslconfig_show)
{
	static const struct {
		const char *label;
		const char *tls;
		const char *service;
		const char *version;
		int	enabled;
		int	usable;
		const char *first_suite;	/* NULL: none */
	}	cases[] = {
		{"default: 1.1 enabled, RSA key transport only", "",
			"inbound", "TLSv1.1", 1, 1, "AES256-SHA"},
		{"default: 1.3 off", "", "outbound", "TLSv1.3", 0, 0, NULL},
		{"default https: 1.3 fixed suites", "", "https", "TLSv1.3", 1,
		1, "TLS_AES_256_GCM_SHA384"},
		{"1.0 enabled, only ECDHE suites: unusable",
			"  inbound:\n    versions: tls1.0 tls1.1 tls1.2\n"
			"    ciphers: ECDHE-RSA-AES256-SHA\n",
		"inbound", "TLSv1", 1, 0, NULL},
		{"1.2 with the same list", "  inbound:\n    versions: tls1.0 "
			"tls1.1 tls1.2\n    ciphers: ECDHE-RSA-AES256-SHA\n",
		"inbound", "TLSv1.2", 1, 1, "ECDHE-RSA-AES256-SHA"},
		{"outbound cipher order kept",
			"  outbound:\n    ciphers: AES128-SHA:AES256-SHA\n",
		"outbound", "TLSv1.1", 1, 1, "AES128-SHA"},
	};
	struct buf *out = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *cf = t_config(tsup_strf("ss%zu", i),
		    cases[i].tls, NULL);
		const char *args[] = {"sslconfig", "show", "--json",
		"--config", cf, NULL};
		json_error_t jerr;
		json_t *top, *v, *suites;
		int	rc = t_mtactl(out, args);

		cr_assert_eq(rc, 0, "%s: %s", cases[i].label, out->data);
		top = json_loads(out->data, 0, &jerr);
		cr_assert_not_null(top, "%s: %s", cases[i].label, jerr.text);
		v = t_version(top, cases[i].service, cases[i].version);
		suites = json_object_get(v, "suites");
		cr_expect_eq(json_is_true(json_object_get(v, "enabled")),
		    cases[i].enabled, "%s: enabled", cases[i].label);
		cr_expect_eq(json_is_true(json_object_get(v, "usable")),
		    cases[i].usable, "%s: usable", cases[i].label);
		if (cases[i].first_suite)
			cr_expect_str_eq(json_string_value(json_array_get(
			    suites, 0)), cases[i].first_suite, "%s",
			    cases[i].label);
		else
			cr_expect_eq(json_array_size(suites), 0, "%s",
			    cases[i].label);
		json_decref(top);
	}

	/* Text form, and a configuration error with its place. */
	{
		const char *cf = t_config("sst", "  inbound:\n    versions: "
		    "tls1.0 tls1.1 tls1.2\n    ciphers: ECDHE-RSA-AES256-SHA\n",
		    NULL);
		const char *bad = t_config("ssb", "  inbound:\n    versions: "
		    "tls1.0 tls1.2\n", NULL);
		const char *args[] = {"sslconfig", "show", "--config", cf,
		NULL};
		const char *bargs[] = {"sslconfig", "show", "--config", bad,
		NULL};

		cr_expect_eq(t_mtactl(out, args), 0, "%s", out->data);
		cr_expect(strstr(out->data, "  TLSv1    enabled, but no suite "
		    "of the cipher list completes it at security level 2\n")
		    != NULL, "%s", out->data);
		cr_expect(strstr(out->data, "  TLSv1.2  on, 1 suite\n")
		    != NULL, "%s", out->data);
		cr_expect_eq(t_mtactl(out, bargs), 1, "%s", out->data);
		cr_expect(strstr(out->data, tsup_strf("%s:7:15: "
		    "tls.inbound.versions: tls1.0 and tls1.2 are enabled but "
		    "tls1.1 is not", bad)) != NULL, "%s", out->data);
	}
	buf_free(out);
}
