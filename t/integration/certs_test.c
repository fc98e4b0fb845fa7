/*
 * NAME
 *	certs_test - listener certificates, client certificates and TLS
 *	failure lines against a real mtad
 * DESCRIPTION
 *	Each test starts mtad, replaces the listener's certificate with one
 *	of a PKI generated at test time (a leaf and its intermediate, or a
 *	certificate made and signed with mtactl itself), restarts it, and
 *	talks to it with openssl s_client: the served chain must verify
 *	with -verify_return_error against the test root; client
 *	certificates are accepted or refused as the mail flow policy says
 *	(Preferred: none is fine, an invalid one is refused; Required: a
 *	valid one is needed); and the mail log lines of TLS failures are
 *	compared byte for byte with the documented ones, timestamps and
 *	IDs masked.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(certs, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

/* t_copy - copy a file, giving the copy a mode */

static void
t_copy(const char *from, const char *to, int mode)
{
	struct buf *data = buf_new(0);
	FILE   *fp;

	tsup_tmp_read(from, data);
	cr_assert_not_null(fp = fopen(to, "w"), "%s", to);
	cr_assert_eq(fwrite(data->data, 1, data->len, fp), data->len);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_eq(chmod(to, (mode_t) mode), 0);
	buf_free(data);
}

/* t_write - replace a file's contents */

static void
t_write(const char *path, const char *text)
{
	FILE   *fp;

	cr_assert_not_null(fp = fopen(path, "w"), "%s", path);
	cr_assert_eq(fputs(text, fp) >= 0, 1);
	cr_assert_eq(fclose(fp), 0);
}

/*
 * t_start - mtad whose listener serves cert (leaf first, then its
 * intermediates) with key: the harness always configures the demo
 * certificate, so start once, stop, put these files in its place and
 * start again. log, when not NULL, is added to the harness's "log:"
 * group (e.g. "  openssl_error_style: 1.0.1\n").
 */
static struct mtad_inst *
t_start(struct mtad_spec *spec, const char *cert, const char *key,
    const char *log)
{
	struct mtad_inst *mi = mtad_start(spec);
	struct buf *text;
	const char *at;
	int	status;

	tsup_proc_signal(mi->proc, SIGTERM);
	cr_assert_eq(tsup_proc_wait(mi->proc, tsup_deadline_ms(), &status),
	    0, "mtad did not stop");
	t_copy(cert, tsup_strf("%s/certs/demo.crt", mi->dir), 0644);
	t_copy(key, tsup_strf("%s/certs/demo.key", mi->dir), 0600);
	if (log != NULL) {
		text = buf_new(0);
		tsup_tmp_read(mi->config, text);
		cr_assert_not_null(at = strstr(text->data, "\nlog:\n"), "%s",
		    text->data);
		t_write(mi->config, tsup_strf("%.*s%s%s",
		    (int) (at - text->data + 6), text->data, log, at + 6));
		buf_free(text);
	}
	mtad_restart(mi);
	return (mi);
}

/*
 * t_s_client - one STARTTLS session with openssl s_client, then QUIT
 * (s_client has sent EHLO before STARTTLS; a new EHLO pipelined with
 * QUIT would be refused as a synchronization error).
 * args are extra s_client arguments; the output (both streams) is
 * returned; *status gets the exit status.
 */
static const char *
t_s_client(const struct mtad_inst *mi, const char *const *args, int *status)
{
	static const char input[] = "QUIT\r\n";
	const char *argv[32];
	struct buf *out = buf_new(0);
	const char *result;
	size_t	n = 0;
	size_t	i;

	argv[n++] = tsup_run_need("openssl");
	argv[n++] = "s_client";
	argv[n++] = "-starttls";
	argv[n++] = "smtp";
	argv[n++] = "-connect";
	argv[n++] = tsup_strf("127.0.0.1:%d", mi->port);
	argv[n++] = "-ign_eof";
	for (i = 0; args[i] != NULL; i++) {
		cr_assert_lt(n + 1, sizeof(argv) / sizeof(argv[0]));
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	*status = tsup_run(argv, input, sizeof(input) - 1, 0, out);
	result = tsup_strf("%s", out->data);
	buf_free(out);
	return (result);
}

/* t_masked - the masked mail log lines that match a regex */

static const char *
t_masked(const struct mtad_inst *mi, const char *regex)
{
	struct buf *lines = buf_new(0);
	struct buf *masked = buf_new(0);
	const char *p;
	const char *nl;
	const char *result;

	(void) tsup_log_grep(mi->log, TSUP_LOG_REGEX, regex, lines);
	for (p = lines->data; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		buf_printf(masked, "%s\n", tsup_log_mask(tsup_strf("%.*s",
		    (int) (nl - p), p)));
	result = tsup_strf("%s", masked->data);
	buf_free(lines);
	buf_free(masked);
	return (result);
}

Test(certs, served_chain_verifies_with_s_client)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	const char *args[] = {"-CAfile", pki->root.cert,
		"-verify_return_error", "-verify_hostname", TSUP_CERT_HOST,
	NULL};
	const char *out;
	int	status;

	spec.listener = "default_policy:\n  tls: preferred\n";
	mi = t_start(&spec, pki->good.chain, pki->good.key, NULL);
	out = t_s_client(mi, args, &status);
	cr_expect_eq(status, 0, "%s", out);
	cr_expect(strstr(out, "Verify return code: 0 (ok)") != NULL, "%s",
	    out);
	/* The intermediate is sent: depth 1 is the intermediate CA. */
	cr_expect(strstr(out, "1 s:O = mtad tests, CN = TSUP Test "
	    "Intermediate CA") != NULL || strstr(out, "1 s:CN = TSUP Test "
	    "Intermediate CA") != NULL, "%s", out);
	/* The defaults (TLS 1.1 and 1.2) leave TLS 1.2. */
	cr_expect(strstr(mtad_wait_log(mi, "TLS success"),
	    "TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384")
	    != NULL);
	mtad_stop(mi);
}

Test(certs, csr_signed_installed_served_verified)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *dir = tsup_tmp_mkdir("csr");
	const char *key = tsup_strf("%s/mx.key", dir);
	const char *csr = tsup_strf("%s/mx.csr", dir);
	const char *signed_pem = tsup_strf("%s/mx.pem", dir);
	const char *chain = tsup_strf("%s/chain.pem", dir);
	const char *ext = tsup_tmp_write("ext.cnf",
	    "subjectAltName=DNS:mx.tsup.test\nextendedKeyUsage=serverAuth\n",
	    60);
	struct buf *out = buf_new(0);
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	const char *args[] = {"-CAfile", pki->root.cert,
		"-verify_return_error", "-verify_hostname", TSUP_CERT_HOST,
	NULL};
	const char *sout;
	int	status;

	/* mtactl makes the key and the request, openssl signs as a CA. */
	cr_assert_eq(tsup_run_sh(out, 0, "'%s' cert selfsign --cn "
	    "mx.tsup.test --key p256 --out-cert %s/self.pem --out-key %s "
	    "--out-csr %s", tsup_proc_bin("mtactl"), dir, key, csr), 0, "%s",
	    out->data);
	cr_assert_eq(tsup_run_sh(out, 0, "openssl x509 -req -in %s -CA %s "
	    "-CAkey %s -CAcreateserial -days 30 -extfile %s -out %s 2>&1",
	    csr, pki->inter.cert, pki->inter.key, ext, signed_pem), 0, "%s",
	    out->data);
	/* install checks key and chain and writes leaf + intermediates. */
	cr_assert_eq(tsup_run_sh(out, 0, "'%s' cert install --key %s --cert "
	    "%s --chain %s --ca-file %s --out %s", tsup_proc_bin("mtactl"),
	    key, signed_pem, pki->inter.cert, pki->root.cert, chain), 0, "%s",
	    out->data);

	spec.listener = "default_policy:\n  tls: preferred\n";
	mi = t_start(&spec, chain, key, NULL);
	sout = t_s_client(mi, args, &status);
	cr_expect_eq(status, 0, "%s", sout);
	cr_expect(strstr(sout, "Verify return code: 0 (ok)") != NULL, "%s",
	    sout);
	mtad_stop(mi);
	buf_free(out);
}

struct t_client_case {
	const char *label;
	const char *tls;		/* policy tls: preferred, required */
	const char *cert;		/* client certificate, or NULL */
	const char *chain;		/* intermediates it sends, or NULL */
	const char *key;
	int	accepted;		/* QUIT after STARTTLS gets 221 */
	const char *why;		/* the Receiving Failed reason */
};

/*
 * t_rogue - a CA of its own and a client certificate it signed, made
 * with the openssl command: rca.pem, rc.pem, rc.key in the directory
 * returned.
 */
static const char *
t_rogue(void)
{
	const char *dir = tsup_tmp_mkdir("rogue");
	struct buf *out = buf_new(0);

	cr_assert_eq(tsup_run_sh(out, 0, "cd %s && "
	    "openssl req -x509 -newkey rsa:2048 -nodes -subj '/CN=Rogue CA' "
	    "-keyout rca.key -out rca.pem -days 2 "
	    "-addext basicConstraints=critical,CA:TRUE "
	    "-addext keyUsage=critical,keyCertSign 2>&1 && "
	    "openssl req -new -newkey rsa:2048 -nodes -subj "
	    "'/CN=client.rogue.test' -keyout rc.key -out rc.csr 2>&1 && "
	    "printf 'extendedKeyUsage=clientAuth\\n' > ext.cnf && "
	    "openssl x509 -req -in rc.csr -CA rca.pem -CAkey rca.key "
	    "-CAcreateserial -days 2 -extfile ext.cnf -out rc.pem 2>&1",
	    dir), 0, "%s", out->data);
	buf_free(out);
	return (dir);
}

Test(certs, client_certificates_per_policy)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	struct tsup_cert_spec self = {.client = 1,
	.issuer = TSUP_ISSUER_SELF};
	struct tsup_cert_spec old = {.client = 1, .not_before = -2 * 86400,
	.not_after = -86400};
	struct tsup_cert selfc = tsup_certs_issue(pki, "client-self", &self);
	struct tsup_cert oldc = tsup_certs_issue(pki, "client-old", &old);
	const char *rogue = t_rogue();
	const struct t_client_case cases[] = {
		{"preferred, no certificate", "preferred", NULL, NULL, NULL,
		1, NULL},
		{"preferred, valid certificate", "preferred",
			pki->client.cert, pki->inter.cert, pki->client.key, 1,
		NULL},
		{"preferred, without its intermediate", "preferred",
			pki->client.cert, NULL, pki->client.key, 0,
		"client certificate unable to get local issuer certificate"},
		{"preferred, self-signed certificate", "preferred",
			selfc.cert, NULL, selfc.key, 0,
		"client certificate self-signed certificate"},
		{"preferred, expired certificate", "preferred", oldc.cert,
			pki->inter.cert, oldc.key, 0, "client certificate "
		"certificate has expired"},
		{"required, no certificate", "required", NULL, NULL, NULL, 0,
		"client certificate missing"},
		{"required, valid certificate", "required", pki->client.cert,
		pki->inter.cert, pki->client.key, 1, NULL},
		{"required, a server-only certificate", "required",
			pki->untrusted.cert, NULL, pki->untrusted.key, 0,
		"client certificate unsuitable certificate purpose"},
		{"required, client certificate of an unknown CA", "required",
			tsup_strf("%s/rc.pem", rogue), tsup_strf("%s/rca.pem",
			rogue), tsup_strf("%s/rc.key", rogue), 0,
		"client certificate self-signed certificate in certificate "
		"chain"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mtad_spec spec = {0};
		struct mtad_inst *mi;
		const char *args[10];
		const char *out;
		int	status;
		size_t	n = 0;

		spec.top = tsup_strf("tls:\n  trust:\n    system: false\n"
		    "    ca_file: %s\n", pki->root.cert);
		spec.listener = tsup_strf("sender_groups: []\nall_policy: P\n"
		    "policies:\n  P:\n    connection: accept\n    tls: %s\n"
		    "    tls_verify_client: true\n", cases[i].tls);
		mi = t_start(&spec, pki->good.chain, pki->good.key, NULL);
		if (cases[i].cert) {
			args[n++] = "-cert";
			args[n++] = cases[i].cert;
			args[n++] = "-key";
			args[n++] = cases[i].key;
		}
		if (cases[i].chain) {
			args[n++] = "-cert_chain";
			args[n++] = cases[i].chain;
		}
		args[n] = NULL;
		out = t_s_client(mi, args, &status);
		if (cases[i].accepted) {
			cr_expect(strstr(out, "\n221 ") != NULL, "%s: not "
			    "accepted:\n%s", cases[i].label, out);
			cr_expect_eq(mtad_log_count(mi, "Receiving Failed"), 0,
			    "%s: %s", cases[i].label, t_masked(mi,
			    "Receiving Failed"));
		} else {
			cr_expect(strstr(out, "421 4.7.1 Client certificate "
			    "not accepted, closing connection") != NULL,
			    "%s: not refused:\n%s", cases[i].label, out);
			const char *got = t_masked(mi, "Receiving Failed");
			const char *want = tsup_strf("TIMESTAMP Info: ICID N "
			    "Receiving Failed: %s\n", cases[i].why);

			cr_expect_str_eq(got, want, "%s: got\n%swant\n%s",
			    cases[i].label, got, want);
		}
		mtad_stop(mi);
	}
}

Test(certs, broken_trust_store_fails_closed)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *dir = tsup_tmp_mkdir("broken-trust");
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	const char *args[] = {"-cert", pki->client.cert, "-cert_chain",
	pki->inter.cert, "-key", pki->client.key, NULL};
	const char *out;
	int	status;

	/* The root that would verify the client comes first; then a
	 * damaged file in the trust directory spoils the whole store. */
	t_write(tsup_strf("%s/Broken.pem", dir), "-----BEGIN CERTIFICATE-----"
	    "\nAAAA\n-----END CERTIFICATE-----\n");
	spec.top = tsup_strf("tls:\n  trust:\n    system: false\n"
	    "    ca_file: %s\n    dir: %s\n", pki->root.cert, dir);
	spec.listener = "sender_groups: []\nall_policy: P\npolicies:\n"
	    "  P:\n    connection: accept\n    tls: preferred\n"
	    "    tls_verify_client: true\n";
	mi = t_start(&spec, pki->good.chain, pki->good.key, NULL);
	out = t_s_client(mi, args, &status);
	cr_expect(strstr(out, "421 4.7.1 ") != NULL, "a client certificate "
	    "was accepted with a broken trust store:\n%s", out);
	mtad_stop(mi);
}

struct t_fail_case {
	const char *label;
	const char *log;		/* lines of the log group, or NULL */
	const char *args[8];		/* s_client arguments */
	const char *want;		/* the documented line, masked */
};

Test(certs, documented_tls_failure_lines)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const struct t_fail_case cases[] = {
		{"no shared cipher, OpenSSL 1.0.1 names",
			"  openssl_error_style: 1.0.1\n",
			{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"},
			"TIMESTAMP Info: ICID N TLS failed: (336109761, "
			"'error:1408A0C1:SSL routines:SSL3_GET_CLIENT_HELLO:"
		"no shared cipher')\n"},
		{"no shared cipher, OpenSSL 1.1.1 names", NULL,
			{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"},
			"TIMESTAMP Info: ICID N TLS failed: (337092801, "
			"'error:1417A0C1:SSL routines:"
		"tls_post_process_client_hello:no shared cipher')\n"},
		{"TLS 1.3 client, listener without 1.3 (the default)", NULL,
			{"-tls1_3"},
			"TIMESTAMP Info: ICID N TLS failed: (337678594, "
			"'error:14209102:SSL routines:"
			"tls_early_post_process_client_hello:unsupported "
		"protocol')\n"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mtad_spec spec = {0};
		struct mtad_inst *mi;
		const char *out;
		int	status;

		spec.listener = "default_policy:\n  tls: preferred\n";
		mi = t_start(&spec, pki->good.chain, pki->good.key,
		    cases[i].log);
		out = t_s_client(mi, cases[i].args, &status);
		cr_expect_neq(status, 0, "%s: the handshake succeeded:\n%s",
		    cases[i].label, out);
		(void) mtad_wait_log(mi, "TLS failed");
		cr_expect_str_eq(t_masked(mi, "TLS failed"), cases[i].want,
		    "%s", cases[i].label);
		mtad_stop(mi);
	}
}
