/*
 * NAME
 *	certs_conf_test - contexts and trust store built from a configuration
 * DESCRIPTION
 *	Each case writes a configuration around a test PKI generated at
 *	test time (tsup_certs_make), builds the outbound client context or
 *	a listener's context with certs_conf, and runs a real handshake
 *	against the other side over an in-memory BIO pair, checking the
 *	verification result, the protocol and the client certificate the
 *	server saw.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <criterion/criterion.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"

#include "conf.h"

#include "certs_conf.h"
#include "certs_demo.h"
#include "tsupport.h"

TestSuite(certs_conf, .init = tsup_init, .fini = tsup_fini, .timeout = 60);

/* t_conf - a configuration from YAML text; fails the test on errors */

static struct conf *
t_conf(const char *yaml)
{
	struct buf *err = buf_new(0);
	struct conf *cf;

	cf = conf_load_string("t.yaml", yaml, strlen(yaml), err);
	cr_assert_not_null(cf, "configuration:\n%s\nerrors:\n%s", yaml,
	    err->data);
	buf_free(err);
	return (cf);
}

/* t_yaml - the common configuration with extra top-level lines */

static const char *
t_yaml(const struct tsup_certs *pki, const char *client_cert,
    const char *extra)
{
	return (tsup_strf("spool_dir: %s\n"
	    "certificates:\n"
	    "  out:\n    cert: %s\n    key: %s\n"
	    "destination_controls:\n  certificate: out\n"
	    "%s", tsup_tmp_mkdir("spool"),
	    client_cert ? client_cert : pki->client.cert, pki->client.key,
	    extra));
}

/* t_copy - copy a file to an absolute path */

static void
t_copy(const char *from, const char *to)
{
	struct buf *data = buf_new(0);
	FILE   *fp;

	tsup_tmp_read(from, data);
	cr_assert_not_null(fp = fopen(to, "w"), "%s", to);
	cr_assert_eq(fwrite(data->data, 1, data->len, fp), data->len);
	cr_assert_eq(fclose(fp), 0);
	buf_free(data);
}

/*
 * t_handshake - run both sides over a BIO pair; return 0 when both
 * completed, -1 otherwise (the client's error in why).
 */
static int
t_handshake(SSL *client, SSL *server)
{
	BIO    *cb;
	BIO    *sb;
	int	cdone = 0;
	int	sdone = 0;
	int	rc;
	int	i;

	cr_assert(BIO_new_bio_pair(&cb, 0, &sb, 0));
	SSL_set_bio(client, cb, cb);
	SSL_set_bio(server, sb, sb);
	SSL_set_connect_state(client);
	SSL_set_accept_state(server);
	for (i = 0; i < 100 && !(cdone && sdone); i++) {
		if (!cdone) {
			rc = SSL_do_handshake(client);
			if (rc == 1)
				cdone = 1;
			else if (SSL_get_error(client, rc)
			    != SSL_ERROR_WANT_READ)
				return (-1);
		}
		if (!sdone) {
			rc = SSL_do_handshake(server);
			if (rc == 1)
				sdone = 1;
			else if (SSL_get_error(server, rc)
			    != SSL_ERROR_WANT_READ)
				return (-1);
		}
	}
	return (cdone && sdone ? 0 : -1);
}

/* t_accept_any - request a client certificate, never refuse it */

static int
t_accept_any(int ok, X509_STORE_CTX *store)
{
	(void) ok;
	(void) store;
	return (1);
}

/* t_peer_cn - the CN of a certificate, or "" */

static const char *
t_peer_cn(X509 *x)
{
	char	cn[256];

	if (x == NULL || X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)) < 0)
		return ("");
	return (tsup_strf("%s", cn));
}

Test(certs_conf, outbound_client_verifies_per_trust_store)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *dir = tsup_tmp_mkdir("trust-good");
	const char *pin = tsup_tmp_mkdir("trust-pin");
	struct {
		const char *label;
		const char *trust;	/* tls: lines */
		const char *server;	/* the server's chain */
		const char *server_key;
		long	want;		/* X509_V_* on the client */
	}	cases[] = {
		{"ca_file names the root", tsup_strf("tls:\n  trust:\n"
		    "    system: false\n    ca_file: %s\n    dir: %s/none\n",
		    pki->root.cert, dir), pki->good.chain, pki->good.key,
		X509_V_OK},
		{"root in the trust directory", tsup_strf("tls:\n  trust:\n"
		    "    system: false\n    dir: %s\n", dir), pki->good.chain,
		    pki->good.key, X509_V_OK},
		{"no operator CA", tsup_strf("tls:\n  trust:\n"
		    "    system: false\n    dir: %s/none\n", dir),
		    pki->good.chain, pki->good.key,
		X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
		{"system bundle does not know the test CA", tsup_strf(
		    "tls:\n  trust:\n    dir: %s/none\n", dir),
		    pki->good.chain, pki->good.key,
		X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
		{"server of another CA", tsup_strf("tls:\n  trust:\n"
		    "    system: false\n    ca_file: %s\n    dir: %s/none\n",
		    pki->root.cert, dir), pki->untrusted.chain,
		    pki->untrusted.key,
		X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
		{"expired server", tsup_strf("tls:\n  trust:\n"
		    "    system: false\n    ca_file: %s\n    dir: %s/none\n",
		    pki->root.cert, dir), pki->expired.chain,
		    pki->expired.key, X509_V_ERR_CERT_HAS_EXPIRED},
		{"pinned CA-issued leaf, no chain", tsup_strf(
		    "tls:\n  trust:\n    system: false\n    dir: %s\n", pin),
		    pki->good.cert, pki->good.key, X509_V_OK},
	};
	size_t	i;

	t_copy(pki->root.cert, tsup_strf("%s/Test_Root.pem", dir));
	t_copy(pki->good.cert, tsup_strf("%s/mx.tsup.test.pem", pin));
	/* Not trust store files: ignored even though they are garbage. */
	t_copy(tsup_tmp_write("x", "x", 1), tsup_strf("%s/README", dir));
	t_copy(tsup_tmp_write("y", "y", 1), tsup_strf("%s/.T.pem", dir));

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf *cf = t_conf(t_yaml(pki, NULL, cases[i].trust));
		struct buf *err = buf_new(0);
		struct tsup_tls_opts so = {
			.cert_file = cases[i].server,
			.key_file = cases[i].server_key,
			.verify = TSUP_TLS_VERIFY_NONE,
		};
		SSL_CTX *cctx = certs_conf_client(cf, err);
		SSL_CTX *sctx = tsup_tls_server_ctx(&so);
		SSL    *c, *s;

		cr_assert_not_null(cctx, "%s: %s", cases[i].label, err->data);
		SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, t_accept_any);
		c = SSL_new(cctx);
		s = SSL_new(sctx);
		(void) SSL_set1_host(c, TSUP_CERT_HOST);
		cr_assert_eq(t_handshake(c, s), 0, "%s: handshake: %s",
		    cases[i].label, tsup_tls_errors());
		cr_expect_eq(SSL_get_verify_result(c), cases[i].want,
		    "%s: verify %ld (%s), want %ld", cases[i].label,
		    SSL_get_verify_result(c), X509_verify_cert_error_string(
		    SSL_get_verify_result(c)), cases[i].want);
		/* The server saw destination_controls.certificate. */
		cr_expect_str_eq(t_peer_cn(SSL_get0_peer_certificate(s)),
		    TSUP_CERT_CLIENT, "%s: client certificate",
		    cases[i].label);
		SSL_free(c);
		SSL_free(s);
		SSL_CTX_free(cctx);
		SSL_CTX_free(sctx);
		buf_free(err);
		conf_free(cf);
	}
}

Test(certs_conf, outbound_versions_and_security_level)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct {
		const char *label;
		const char *tls;	/* tls.outbound lines */
		const char *server_max;	/* the server's highest version */
		const char *server_ciphers;
		const char *dh;
		const char *want;	/* protocol, or NULL: no handshake */
	}	cases[] = {
		{"default: tls1.1 tls1.2, in effect 1.2", "    ciphers: HIGH\n",
			NULL, NULL, NULL, "TLSv1.2"},
		{"1.3 enabled", "    versions: tls1.2 tls1.3\n", NULL, NULL,
		NULL, "TLSv1.3"},
		{"1.3 only, server up to 1.2", "    versions: tls1.3\n",
		"TLSv1.2", NULL, NULL, NULL},
		{"1.1 with RSA key transport", "    versions: tls1.1 tls1.2\n",
			"TLSv1.1",
		"AES256-SHA:@SECLEVEL=0", NULL, "TLSv1.1"},
		{"1.1 with ECDHE: MD5+SHA1 signature refused at level 2",
			"    versions: tls1.1 tls1.2\n", "TLSv1.1",
			"ECDHE-RSA-AES256-SHA:@SECLEVEL=0", NULL,
		NULL},
		{"1.1 not enabled", "    versions: tls1.2 tls1.3\n",
			"TLSv1.1", "AES256-SHA:@SECLEVEL=0", NULL, NULL},
		{"1024-bit DHE server refused",
			"    ciphers: DHE-RSA-AES256-GCM-SHA384\n", "TLSv1.2",
			"DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0", "dh1024",
		NULL},
		{"security level not lowered by the cipher string",
			"    ciphers: DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0\n",
			"TLSv1.2", "DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0",
		"dh1024", NULL},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf *cf = t_conf(t_yaml(pki, NULL, tsup_strf(
		    "tls:\n  trust:\n    system: false\n    ca_file: %s\n"
		    "  outbound:\n%s", pki->root.cert, cases[i].tls)));
		struct buf *err = buf_new(0);
		struct tsup_tls_opts so = {
			.cert_file = pki->good.chain,
			.key_file = pki->good.key,
			.max_proto = cases[i].server_max,
			.ciphers = cases[i].server_ciphers,
			.dh_file = cases[i].dh ? tsup_certs_dh1024() : NULL,
		};
		SSL_CTX *cctx = certs_conf_client(cf, err);
		SSL_CTX *sctx = tsup_tls_server_ctx(&so);
		SSL    *c, *s;
		int	rc;

		cr_assert_not_null(cctx, "%s: %s", cases[i].label, err->data);
		c = SSL_new(cctx);
		s = SSL_new(sctx);
		rc = t_handshake(c, s);
		if (cases[i].want == NULL)
			cr_expect_eq(rc, -1, "%s: handshake succeeded with %s",
			    cases[i].label, SSL_get_version(c));
		else {
			cr_expect_eq(rc, 0, "%s: %s", cases[i].label,
			    tsup_tls_errors());
			cr_expect_str_eq(SSL_get_version(c), cases[i].want,
			    "%s", cases[i].label);
		}
		cr_expect_eq(SSL_CTX_get_security_level(cctx), CERTS_SECLEVEL,
		    "%s: security level", cases[i].label);
		ERR_clear_error();
		SSL_free(c);
		SSL_free(s);
		SSL_CTX_free(cctx);
		SSL_CTX_free(sctx);
		buf_free(err);
		conf_free(cf);
	}
}

Test(certs_conf, errors_name_the_parameter_and_file)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *bad = tsup_tmp_mkdir("trust-bad");
	const char *garbage = tsup_tmp_write("garbage.pem",
	    "-----BEGIN CERTIFICATE-----\nnot base64\n"
	    "-----END CERTIFICATE-----\n", 54);
	struct {
		const char *label;
		const char *client_cert;
		const char *tls;
		const char *want;	/* substring of the error */
	}	cases[] = {
		{"missing ca_file", NULL, tsup_strf("tls:\n  trust:\n"
		    "    system: false\n    ca_file: %s/nonexistent.pem\n",
		    bad), "tls.trust.ca_file: "},
		{"garbage ca_file", NULL, tsup_strf("tls:\n  trust:\n"
		    "    system: false\n    ca_file: %s\n", garbage),
		"tls.trust.ca_file: "},
		{"garbage in the trust directory", NULL, tsup_strf(
		    "tls:\n  trust:\n    system: false\n    dir: %s\n", bad),
		"tls.trust.dir: "},
		{"client key does not match", pki->good.cert, tsup_strf(
		    "tls:\n  trust:\n    system: false\n"),
		"certificates.out: private key "},
		{"client certificate missing", "/nonexistent/out.pem",
			tsup_strf("tls:\n  trust:\n    system: false\n"),
		"certificates.out.cert: /nonexistent/out.pem: "},
	};
	size_t	i;

	t_copy(garbage, tsup_strf("%s/Broken.pem", bad));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf *cf = t_conf(t_yaml(pki, cases[i].client_cert,
		    cases[i].tls));
		struct buf *err = buf_new(0);
		SSL_CTX *ctx = certs_conf_client(cf, err);

		cr_expect_null(ctx, "%s: no error", cases[i].label);
		cr_expect(strstr(err->data, cases[i].want) != NULL,
		    "%s: error \"%s\", want \"%s\"", cases[i].label,
		    err->data, cases[i].want);
		if (ctx)
			SSL_CTX_free(ctx);
		buf_free(err);
		conf_free(cf);
	}
}

Test(certs_conf, trust_load_counts_and_default_dir)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct conf *cf;
	struct buf *err = buf_new(0);
	struct buf *dir = buf_new(0);
	X509_STORE *store;
	int	n;

	cf = t_conf(t_yaml(pki, NULL, tsup_strf("tls:\n  trust:\n"
	    "    ca_file: %s\n", pki->root.cert)));
	certs_conf_trust_dir(cf, dir);
	cr_expect_str_eq(dir->data, tsup_strf("%s/trust", cf->spool_dir));
	store = X509_STORE_new();
	n = certs_conf_trust_load(cf, store, err);
	/* The system bundle holds dozens of roots; the file one more. */
	cr_expect_gt(n, 10, "loaded %d: %s", n, err->data);
	X509_STORE_free(store);
	conf_free(cf);

	cf = t_conf(t_yaml(pki, NULL, tsup_strf("tls:\n  trust:\n"
	    "    system: false\n    ca_file: %s\n", pki->good.chain)));
	store = X509_STORE_new();
	cr_expect_eq(certs_conf_trust_load(cf, store, err), 2, "%s",
	    err->data);
	X509_STORE_free(store);
	conf_free(cf);
	buf_free(dir);
	buf_free(err);
}

Test(certs_conf, listener_serves_configured_chain)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct conf *cf;
	struct buf *err = buf_new(0);
	struct tsup_tls_opts co = {
		.ca_file = pki->root.cert,
		.verify_name = TSUP_CERT_HOST,
		.verify = TSUP_TLS_VERIFY_PEER,
	};
	const struct conf_cert *cc;
	SSL_CTX *sctx, *cctx;
	SSL    *c, *s;

	/* The leaf alone in cert, its intermediate in chain. */
	cf = t_conf(tsup_strf("spool_dir: %s\ncertificates:\n"
	    "  in:\n    cert: %s\n    key: %s\n    chain: %s\n"
	    "tls:\n  trust:\n    system: false\n",
	    tsup_tmp_mkdir("spool"), pki->good.cert, pki->good.key,
	    pki->inter.cert));
	cc = conf_cert_find(cf, "in");
	cr_assert_not_null(cc);
	sctx = certs_conf_server(cf, cc, err);
	cr_assert_not_null(sctx, "%s", err->data);
	cctx = tsup_tls_client_ctx(&co);
	c = SSL_new(cctx);
	s = SSL_new(sctx);
	(void) SSL_set1_host(c, TSUP_CERT_HOST);
	cr_expect_eq(t_handshake(c, s), 0, "%s", tsup_tls_errors());
	cr_expect_eq(SSL_get_verify_result(c), X509_V_OK, "%s",
	    X509_verify_cert_error_string(SSL_get_verify_result(c)));
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	conf_free(cf);
	buf_free(err);
}

Test(certs_conf, start_warnings)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	/* Ten days less an hour: whole days left are 9 at any speed. */
	struct tsup_cert_spec soon_spec = {.not_after = 10 * 86400 - 3600};
	struct tsup_cert soon = tsup_certs_issue(pki, "soon", &soon_spec);
	const char *spool = tsup_tmp_mkdir("warn-spool");
	const char *demo_key = tsup_strf("%s/demo.key", spool);
	const char *demo_crt = tsup_strf("%s/demo.crt", spool);
	struct buf *err = buf_new(0);
	struct {
		const char *label;
		const char *cert;	/* the listener's and outbound's */
		const char *key;
		const char *hostname;
		const char *want;	/* every line, in order */
	}	cases[] = {
		{"a good certificate", pki->good.chain, pki->good.key,
		TSUP_CERT_HOST, ""},
		{"wrong host name", pki->wrongname.chain, pki->wrongname.key,
			TSUP_CERT_HOST, "listener L: certificate \"c\" "
			"(CN=other.tsup.test,O=mtad tests) does not name the "
		"host name mx.tsup.test\n"},
		{"expired", pki->expired.chain, pki->expired.key,
			TSUP_CERT_HOST, "listener L: certificate \"c\" "
			"(CN=mx.tsup.test,O=mtad tests) expired 1 day(s) ago\n"
			"destination_controls.certificate: certificate \"c\" "
			"(CN=mx.tsup.test,O=mtad tests) expired 1 day(s) "
		"ago\n"},
		{"expires in 9 days", soon.chain, soon.key, TSUP_CERT_HOST,
			"listener L: certificate \"c\" (CN=mx.tsup.test,"
			"O=mtad tests) expires in 9 day(s)\n"
			"destination_controls.certificate: certificate \"c\" "
			"(CN=mx.tsup.test,O=mtad tests) expires in 9 day(s)\n"},
		{"the demo certificate", demo_crt, demo_key, "other.test",
			"listener L: certificate \"c\" is the demonstration "
			"certificate: it gives encryption but no verifiable "
			"identity\n"
			"destination_controls.certificate: certificate \"c\" "
			"is the demonstration certificate: it gives encryption "
		"but no verifiable identity\n"},
		{"unreadable: left to the context builders",
		"/nonexistent.pem", pki->good.key, TSUP_CERT_HOST, ""},
	};
	size_t	i;

	cr_assert_eq(certs_demo_ensure(demo_crt, demo_key, "mx.demo.test",
	    err), 0, "%s", err->data);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf *cf = t_conf(tsup_strf("spool_dir: %s\n"
		    "certificates:\n  c: { cert: %s, key: %s }\n"
		    "listeners:\n  - { name: L, port: 10025, hostname: %s, "
		    "certificate: c }\n"
		    "destination_controls:\n  certificate: c\n", spool,
		    cases[i].cert, cases[i].key, cases[i].hostname));
		struct buf *out = buf_new(0);
		int	n = certs_conf_warnings(cf, time(NULL), out);
		int	lines = 0;
		const char *cp;

		for (cp = out->data; (cp = strchr(cp, '\n')) != NULL; cp++)
			lines++;
		cr_expect_str_eq(out->data, cases[i].want, "%s: got\n%s",
		    cases[i].label, out->data);
		cr_expect_eq(n, lines, "%s: count %d", cases[i].label, n);
		buf_free(out);
		conf_free(cf);
	}
	buf_free(err);
}
