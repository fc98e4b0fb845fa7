/*
 * NAME
 *	send_test - "mtactl send" against real SMTP servers on loopback
 * DESCRIPTION
 *	The peers: python3-aiosmtpd with an authenticator, STARTTLS or
 *	implicit TLS, and a certificate chain made at test time (a third
 *	party server with real AUTH), and the scripted server of
 *	t/support for replies that a test dictates. Each case runs the
 *	real mtactl binary and checks its exit status, its diagnostics
 *	and what the server received. The pure parts of mtactl_send
 *	(the --server syntax, the message) are checked in tables first.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "str.h"

#include "mail_sasl.h"
#include "mtactl_send.h"
#include "tsupport.h"

#include "aiosmtpd_peer.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#define USER		"relay@my.domain"	/* a user name with '@' */
#define PASSWORD	"s3cret-Pa55"

TestSuite(send, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

/*
 * The pure parts.
 */

struct server_case {
	const char *label;
	const char *spec;
	const char *user;		/* NULL: none */
	const char *password;
	const char *host;		/* NULL: an error is expected */
	int	port;
	int	tls;
};

static const struct server_case server_cases[] = {
	{"host", "mail.example", NULL, NULL, "mail.example", 0,
	    MTACTL_SEND_TLS_AUTO},
	{"host:port", "mail.example:587", NULL, NULL, "mail.example", 587,
	    MTACTL_SEND_TLS_AUTO},
	{"router form", "u:p@smtp.gmail.com", "u", "p", "smtp.gmail.com", 0,
	    MTACTL_SEND_TLS_AUTO},
	{"user with @, split at the last @",
	    "relay@my.domain:pw@smtp.example:2587", "relay@my.domain", "pw",
	    "smtp.example", 2587, MTACTL_SEND_TLS_AUTO},
	{"password with @ and :", "u:p@ss:w@h", "u", "p@ss:w", "h", 0,
	    MTACTL_SEND_TLS_AUTO},
	{"user only", "relay@my.domain@h:25", "relay@my.domain", NULL, "h",
	    25, MTACTL_SEND_TLS_AUTO},
	{"starttls URL", "smtp+starttls://u:p@h:587/", "u", "p", "h", 587,
	    MTACTL_SEND_TLS_STARTTLS},
	{"smtps URL", "SMTPS://h", NULL, NULL, "h", 0,
	    MTACTL_SEND_TLS_IMPLICIT},
	{"smtp URL", "smtp://h:25", NULL, NULL, "h", 25, MTACTL_SEND_TLS_NONE},
	{"URL escapes", "smtps://relay%40my.domain:p%3Aw@h", "relay@my.domain",
	    "p:w", "h", 0, MTACTL_SEND_TLS_IMPLICIT},
	{"no escapes outside URLs", "a%40b:p@h", "a%40b", "p", "h", 0,
	    MTACTL_SEND_TLS_AUTO},
	{"IPv6", "u:p@[::1]:465", "u", "p", "::1", 465, MTACTL_SEND_TLS_AUTO},
	{"IPv4", "127.0.0.1:10025", NULL, NULL, "127.0.0.1", 10025,
	    MTACTL_SEND_TLS_AUTO},
	{"empty", "", NULL, NULL, NULL, 0, 0},
	{"no host", "u:p@", NULL, NULL, NULL, 0, 0},
	{"empty user", ":p@h", NULL, NULL, NULL, 0, 0},
	{"port 0", "h:0", NULL, NULL, NULL, 0, 0},
	{"port too big", "h:65536", NULL, NULL, NULL, 0, 0},
	{"port not a number", "h:smtp", NULL, NULL, NULL, 0, 0},
	{"bare IPv6", "::1", NULL, NULL, NULL, 0, 0},
	{"unclosed bracket", "[::1:25", NULL, NULL, NULL, 0, 0},
	{"unknown scheme", "http://h", NULL, NULL, NULL, 0, 0},
	{"bad escape", "smtps://u%4:p@h", NULL, NULL, NULL, 0, 0},
	{"NUL escape", "smtps://u%00:p@h", NULL, NULL, NULL, 0, 0},
	{"space in host", "u:p@h h", NULL, NULL, NULL, 0, 0},
};

Test(send, server_parse)
{
	const struct server_case *c;
	struct mtactl_send_server sv;
	struct buf *err = buf_new(0);
	int	rc;

	for (c = server_cases; c < server_cases + ARRAY_LEN(server_cases);
	    c++) {
		buf_reset(err);
		rc = mtactl_send_server_parse(c->spec, &sv, err);
		if (c->host == NULL) {
			cr_expect_eq(rc, -1, "%s: \"%s\" accepted", c->label,
			    c->spec);
			cr_expect_gt(err->len, 0, "%s: no reason", c->label);
			continue;
		}
		cr_assert_eq(rc, 0, "%s: \"%s\": %s", c->label, c->spec,
		    err->data);
		cr_expect_str_eq(sv.host, c->host, "%s: host", c->label);
		cr_expect_eq(sv.port, c->port, "%s: port", c->label);
		cr_expect_eq(sv.tls, c->tls, "%s: tls", c->label);
		if (c->user)
			cr_expect(sv.user && strcmp(sv.user, c->user) == 0,
			    "%s: user %s", c->label, sv.user);
		else
			cr_expect_null(sv.user, "%s: user", c->label);
		if (c->password)
			cr_expect(sv.password && strcmp(sv.password,
			    c->password) == 0, "%s: password", c->label);
		else
			cr_expect_null(sv.password, "%s: password", c->label);
		mtactl_send_server_fini(&sv);
	}
	buf_free(err);
}

struct word_case {
	const char *label;
	const char *in;
	const char *want;
};

static const struct word_case word_cases[] = {
	{"ASCII stays", "Disk full on router1", "Disk full on router1"},
	{"UTF-8", "Gr\xc3\xbc\xc3\x9f" "e", "=?UTF-8?B?R3LDvMOfZQ==?="},
	{"looks encoded", "=?x?", "=?UTF-8?B?PT94Pw==?="},
	{"control", "a\tb", "=?UTF-8?B?YQli?="},
	/* 44 ASCII bytes and a 2-byte character: 46 > 45, so two words. */
	{"no split inside a character",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9",
	    "=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
	    "YWFhYWE=?= =?UTF-8?B?w6k=?="},
};

Test(send, encode_word)
{
	const struct word_case *c;
	struct buf *out = buf_new(0);

	for (c = word_cases; c < word_cases + ARRAY_LEN(word_cases); c++) {
		buf_reset(out);
		mtactl_send_encode_word(c->in, out);
		cr_expect_str_eq(out->data, c->want, "%s: got %s", c->label,
		    out->data);
	}
	buf_free(out);
}

struct stuff_case {
	const char *label;
	const char *in;
	const char *want;
};

static const struct stuff_case stuff_cases[] = {
	{"plain", "a\r\nb\r\n", "a\r\nb\r\n.\r\n"},
	{"dot first", ".x\r\n", "..x\r\n.\r\n"},
	{"lone dot", "a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"},
	{"dot inside", "a.b\r\n", "a.b\r\n.\r\n"},
	{"no final line end", "a", "a\r\n.\r\n"},
	{"empty", "", ".\r\n"},
};

Test(send, dotstuff)
{
	const struct stuff_case *c;
	struct buf *out = buf_new(0);

	for (c = stuff_cases; c < stuff_cases + ARRAY_LEN(stuff_cases); c++) {
		buf_reset(out);
		mtactl_send_dotstuff(str_from(c->in), out);
		cr_expect_str_eq(out->data, c->want, "%s", c->label);
	}
	buf_free(out);
}

struct msg_case {
	const char *label;
	const char *subject;
	const char *body;
	const char *want_header;	/* a line of the header */
	const char *want_body;		/* the body as sent */
};

static const struct msg_case msg_cases[] = {
	{"LF to CRLF", "s", "a\nb\n", "Content-Transfer-Encoding: 7bit\r\n",
	    "a\r\nb\r\n"},
	{"bare CR and a missing last line end", "s", "a\rb", "Subject: s\r\n",
	    "a\r\nb\r\n"},
	{"8-bit body is quoted-printable", "s", "caf\xc3\xa9 = ok \n",
	    "Content-Transfer-Encoding: quoted-printable\r\n",
	    "caf=C3=A9 =3D ok=20\r\n"},
	{"non-ASCII subject", "\xc3\xa9t\xc3\xa9", "x",
	    "Subject: =?UTF-8?B?w6l0w6k=?=\r\n", "x\r\n"},
};

Test(send, message)
{
	static const char *const to[] = {"a@example.org", "b@example.org"};
	static const char *const cc[] = {"c@example.org"};
	const struct msg_case *c;
	struct mtactl_send_msg m;
	struct buf *out = buf_new(0);
	const char *body;

	for (c = msg_cases; c < msg_cases + ARRAY_LEN(msg_cases); c++) {
		memset(&m, 0, sizeof(m));
		m.from = "dev@example.org";
		m.to = to;
		m.count_to = 2;
		m.cc = cc;
		m.count_cc = 1;
		m.subject = c->subject;
		m.body = str_from(c->body);
		m.date = 1795443570;
		m.msgid = "<1.2@example.org>";
		buf_reset(out);
		mtactl_send_message(&m, out);
		cr_expect_not_null(strstr(out->data, c->want_header),
		    "%s: no \"%s\" in\n%s", c->label, c->want_header,
		    out->data);
		cr_expect_not_null(strstr(out->data,
		    "From: dev@example.org\r\n"
		    "To: a@example.org, b@example.org\r\n"
		    "Cc: c@example.org\r\n"), "%s: addresses", c->label);
		cr_expect_not_null(strstr(out->data,
		    "Message-ID: <1.2@example.org>\r\nMIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"),
		    "%s: MIME", c->label);
		cr_expect(strncmp(out->data, "Date: ", 6) == 0, "%s: Date",
		    c->label);
		body = strstr(out->data, "\r\n\r\n");
		cr_assert_not_null(body, "%s: no empty line", c->label);
		cr_expect_str_eq(body + 4, c->want_body, "%s: body", c->label);
	}
	buf_free(out);
}

Test(send, message_long_line)
{
	static const char *const to[] = {"a@example.org"};
	struct mtactl_send_msg m;
	struct buf *body = buf_new(0), *want = buf_new(0), *out = buf_new(0);
	const char *got;
	int	i;

	/* 1000 octets: past the 998 of RFC 5322, so quoted-printable. */
	for (i = 0; i < 1000; i++)
		buf_putc(body, 'a');
	for (i = 0; i < 13; i++) {
		buf_append(want, body->data, 75);
		buf_puts(want, "=\r\n");
	}
	buf_append(want, body->data, 25);
	buf_puts(want, "\r\n");
	memset(&m, 0, sizeof(m));
	m.from = "dev@example.org";
	m.to = to;
	m.count_to = 1;
	m.body = str_make(body->data, body->len);
	m.msgid = "<1.2@example.org>";
	mtactl_send_message(&m, out);
	cr_expect_not_null(strstr(out->data, "Content-Transfer-Encoding: "
	    "quoted-printable\r\n"), "%s", out->data);
	cr_expect_null(strstr(out->data, "Subject:"), "no subject given");
	got = strstr(out->data, "\r\n\r\n");
	cr_assert_not_null(got);
	cr_expect_str_eq(got + 4, want->data);
	buf_free(body);
	buf_free(want);
	buf_free(out);
}

/*
 * The peers.
 */

/* send_aiosmtpd - the SES-like peer with the test's account */

static struct aiosmtpd_peer
send_aiosmtpd(const char *mode, const char *chain, const char *key)
{
	return (aiosmtpd_peer_start(mode, chain, key, USER, PASSWORD));
}

struct send_run {
	int	status;			/* exit status */
	struct buf *out;
	struct buf *err;
};

/* send_mtactl - run "mtactl send ARGS", standard input empty */

static struct send_run
send_mtactl(const char *const *args, const char *const *env)
{
	static int serial;
	struct send_run r;
	struct tsup_proc *p;
	const char *argv[48];
	size_t	n = 0;
	int	status;

	argv[n++] = tsup_proc_bin("mtactl");
	argv[n++] = "send";
	while (*args != NULL && n < ARRAY_LEN(argv) - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	p = tsup_proc_spawn(tsup_strf("mtactl-%d", ++serial), argv, env);
	tsup_proc_close_stdin(p);
	cr_assert_eq(tsup_proc_wait(p, 0, &status), 0, "mtactl hangs");
	cr_assert(WIFEXITED(status), "mtactl died: status %#x", status);
	r.status = WEXITSTATUS(status);
	r.out = buf_new(0);
	r.err = buf_new(0);
	tsup_tmp_read(tsup_proc_out_path(p), r.out);
	tsup_tmp_read(tsup_proc_err_path(p), r.err);
	return (r);
}

/* send_run_free - release what send_mtactl() read */

static void
send_run_free(struct send_run *r)
{
	r->out = buf_free(r->out);
	r->err = buf_free(r->err);
}

/* send_password_file - a mode 0600 file with the password */

static const char *
send_password_file(const char *password)
{
	return (tsup_tmp_write("password", tsup_strf("%s\n", password),
	    strlen(password) + 1));
}

/* send_expect - check a run: status, and texts in stderr */

static void
send_expect(const char *label, const struct send_run *r, int status,
    const char *const *texts)
{
	cr_expect_eq(r->status, status, "%s: exit %d, want %d; stderr:\n%s",
	    label, r->status, status, r->err->data);
	for (; texts != NULL && *texts != NULL; texts++)
		cr_expect_not_null(strstr(r->err->data, *texts),
		    "%s: no \"%s\" in stderr:\n%s", label, *texts,
		    r->err->data);
	cr_expect_null(strstr(r->err->data, PASSWORD),
	    "%s: the password is in stderr", label);
}

/*
 * Success.
 */

Test(send, starttls_user_with_at)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = send_aiosmtpd("starttls", certs->good.chain,
	    certs->good.key);
	const char *args[] = {
		"--server", tsup_strf("smtp+starttls://%s@127.0.0.1:%d", USER,
		    peer.port),
		"--password-file", send_password_file(PASSWORD),
		"--ca-file", certs->root.cert, "--tls-name", TSUP_CERT_HOST,
		"--from", "router1@ok.test", "--to", "noc@example.org",
		"--cc", "ops@example.org",
		"--subject", "Stra\xc3\x9f" "e: link down",
		"--body", "Interface Gi0/1 down.\n.\nA dot line above.\n",
		"--test", NULL};
	struct send_run r = send_mtactl(args, NULL);
	struct buf *got = buf_new(0);

	send_expect("starttls", &r, MTACTL_SEND_EXIT_OK, NULL);
	cr_expect_not_null(strstr(r.out->data, "AUTH: authenticated as "
	    "\"relay@my.domain\" with PLAIN"), "stdout:\n%s", r.out->data);
	cr_expect_not_null(strstr(r.out->data, "trust anchor \"CN=TSUP Test "
	    "Root CA"), "stdout:\n%s", r.out->data);
	cr_expect_not_null(strstr(r.out->data, "test passed"));
	tsup_tmp_read(peer.spool, got);
	cr_expect_not_null(strstr(got->data, "MAIL FROM:router1@ok.test\n"
	    "RCPT TO:noc@example.org\nRCPT TO:ops@example.org\n"
	    "AUTH:b'relay@my.domain'\n"), "envelope:\n%s", got->data);
	cr_expect_not_null(strstr(got->data, "Subject: "
	    "=?UTF-8?B?U3RyYcOfZTogbGluayBkb3du?=\r\n"), "%s", got->data);
	cr_expect_not_null(strstr(got->data, "To: noc@example.org\r\n"
	    "Cc: ops@example.org\r\n"), "%s", got->data);
	/* The server undid the dot-stuffing: the lone dot arrived whole. */
	cr_expect_not_null(strstr(got->data, "\r\n\r\nInterface Gi0/1 "
	    "down.\r\n.\r\nA dot line above.\r\n"), "%s", got->data);
	buf_free(got);
	send_run_free(&r);
}

Test(send, implicit_tls_login_password_env)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = send_aiosmtpd("implicit-login",
	    certs->good.chain, certs->good.key);
	const char *args[] = {
		"--server", tsup_strf("smtps://127.0.0.1:%d", peer.port),
		"--user", USER, "--password-env", "SMTP_PW",
		"--ca-file", certs->root.cert, "--tls-name", TSUP_CERT_HOST,
		"--from", "router1@ok.test", "--to", "noc@example.org",
		"--body", "x", "--debug", NULL};
	const char *env[] = {"SMTP_PW=" PASSWORD, NULL};
	/* What a trace must show, and the masked LOGIN exchange. */
	const char *texts[] = {"*** TLS established: TLSv1.3",
	    "*** certificate 0: subject CN=" TSUP_CERT_HOST,
	    "issuer CN=TSUP Test Intermediate CA",
	    "*** TLS verify depth 2: CN=TSUP Test Root CA",
	    "up to the trust anchor \"CN=TSUP Test Root CA",
	    ">>> AUTH LOGIN\n", ">>> ******** (user \"relay@my.domain\")\n",
	    ">>> ********\n", "<<< 235", "<<< 250 2.0.0 Ok: queued as 4711",
	    NULL};
	struct send_run r = send_mtactl(args, env);
	struct buf *b64 = buf_new(0);

	send_expect("implicit", &r, MTACTL_SEND_EXIT_OK, texts);
	mail_sasl_b64_encode(b64, PASSWORD, strlen(PASSWORD));
	cr_expect_null(strstr(r.err->data, b64->data), "base64 password "
	    "in the trace");
	buf_free(b64);
	send_run_free(&r);
}

Test(send, debug_masks_plain_and_password_in_argv_warns)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = send_aiosmtpd("starttls", certs->good.chain,
	    certs->good.key);
	const char *args[] = {
		"--server", tsup_strf("%s:%s@127.0.0.1:%d", USER, PASSWORD,
		    peer.port), "--tls", "starttls",
		"--ca-file", certs->root.cert, "--tls-name", TSUP_CERT_HOST,
		"--from", "router1@ok.test", "--to", "noc@example.org",
		"--body", "x", "--debug", NULL};
	const char *texts[] = {"visible to other users",
	    ">>> STARTTLS", "*** TLS state: SSLv3/TLS write client hello",
	    ">>> AUTH PLAIN ******** (user \"relay@my.domain\")\n", NULL};
	struct send_run r = send_mtactl(args, NULL);
	struct buf *b64 = buf_new(0);

	send_expect("argv password", &r, MTACTL_SEND_EXIT_OK, texts);
	/* Neither the PLAIN response nor the password's own base64. */
	mail_sasl_b64_encode(b64, "\0" USER "\0" PASSWORD,
	    sizeof("\0" USER "\0" PASSWORD) - 1);
	cr_expect_null(strstr(r.err->data, b64->data), "PLAIN in trace");
	buf_free(b64);
	send_run_free(&r);
}

/*
 * The failure table of the spec, one peer per kind.
 */

struct fail_case {
	const char *label;
	const char *server;		/* ":port" is added */
	const char *from;
	const char *password;
	const char *extra[5];		/* more options */
	int	status;
	const char *texts[4];		/* in stderr */
};

static const struct fail_case starttls_fails[] = {
	{"535 bad credentials", "smtp+starttls://" USER "@127.0.0.1",
	    "router1@ok.test", "wrong", {NULL}, MTACTL_SEND_EXIT_AUTH,
	    {"authentication as \"relay@my.domain\" (PLAIN) failed: 535 5.7.8",
	    "what to do: check the SMTP user name and password", NULL}},
	{"554 unverified sender", "smtp+starttls://" USER "@127.0.0.1",
	    "router1@unverified.test", PASSWORD, {NULL},
	    MTACTL_SEND_EXIT_REJECT,
	    {"rejected the message: 554 Message rejected: Email address is "
	    "not verified", "the From address is outside the identities",
	    NULL}},
	{"SMTPS setting on a STARTTLS port", "smtps://" USER "@127.0.0.1",
	    "router1@ok.test", PASSWORD, {NULL}, MTACTL_SEND_EXIT_CONNECT,
	    {"answered the TLS handshake with plain text \"220 ",
	    "the port expects STARTTLS", "use --tls starttls", NULL}},
	{"root not in the trust store", "smtp+starttls://" USER
	    "@127.0.0.1", "router1@ok.test", PASSWORD, {"--ca-file",
	    NULL /* other_root */, NULL}, MTACTL_SEND_EXIT_TLS,
	    {"certificate verify failed: unable to get local issuer "
	    "certificate: the issuer \"CN=TSUP Test Root CA",
	    "add the CA certificate \"CN=TSUP Test Root CA", NULL}},
	{"wrong name", "smtp+starttls://" USER "@127.0.0.1",
	    "router1@ok.test", PASSWORD, {"--tls-name", "smtp.example.org",
	    NULL}, MTACTL_SEND_EXIT_TLS,
	    {"certificate verify failed: hostname mismatch",
	    "does not name smtp.example.org", "--tls-name", NULL}},
	{"plain SMTP with a password on a STARTTLS-only server",
	    "smtp://" USER "@127.0.0.1", "router1@ok.test", PASSWORD,
	    {NULL}, MTACTL_SEND_EXIT_AUTH,
	    {"does not offer SMTP AUTH", "use --tls starttls", NULL}},
};

/* send_has - does a case give an option itself */

static int
send_has(const struct fail_case *c, const char *opt)
{
	size_t	i;

	for (i = 0; c->extra[i] != NULL; i++)
		if (strcmp(c->extra[i], opt) == 0)
			return (1);
	return (0);
}

/* send_fail_run - one failure case against a peer */

static void
send_fail_run(const struct fail_case *c, int port, const char *ca_file)
{
	const char *args[24];
	const char *env[2];
	size_t	n = 0, i;
	struct send_run r;

	args[n++] = "--server";
	args[n++] = tsup_strf("%s:%d", c->server, port);
	args[n++] = "--password-env";
	args[n++] = "SMTP_PW";
	args[n++] = "--from";
	args[n++] = c->from;
	args[n++] = "--to";
	args[n++] = "noc@example.org";
	args[n++] = "--body";
	args[n++] = "x";
	args[n++] = "--timeout";
	args[n++] = "3";
	for (i = 0; c->extra[i] != NULL; i++)
		args[n++] = c->extra[i];
	if (!send_has(c, "--ca-file")) {
		args[n++] = "--ca-file";
		args[n++] = ca_file;
	}
	if (!send_has(c, "--tls-name")) {
		args[n++] = "--tls-name";
		args[n++] = TSUP_CERT_HOST;
	}
	args[n] = NULL;
	env[0] = tsup_strf("SMTP_PW=%s", c->password);
	env[1] = NULL;
	r = send_mtactl(args, env);
	send_expect(c->label, &r, c->status, c->texts);
	cr_expect_null(strstr(r.err->data, c->password),
	    "%s: password in stderr", c->label);
	send_run_free(&r);
}

Test(send, failures_starttls_peer)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = send_aiosmtpd("starttls", certs->good.chain,
	    certs->good.key);
	struct fail_case c;
	size_t	i;

	for (i = 0; i < ARRAY_LEN(starttls_fails); i++) {
		c = starttls_fails[i];
		if (send_has(&c, "--ca-file"))
			c.extra[1] = certs->other_root.cert;
		send_fail_run(&c, peer.port, certs->root.cert);
	}
}

Test(send, missing_intermediate_is_named)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	/* The server sends its certificate without the intermediate. */
	struct aiosmtpd_peer peer = send_aiosmtpd("starttls", certs->good.cert,
	    certs->good.key);
	static const struct fail_case c = {
		"leaf only", "smtp+starttls://" USER "@127.0.0.1",
		"router1@ok.test", PASSWORD, {NULL}, MTACTL_SEND_EXIT_TLS,
		{"certificate verify failed: unable to verify the first "
		"certificate: the issuer \"CN=TSUP Test Intermediate CA",
		"of \"CN=" TSUP_CERT_HOST, "the server sent no intermediate "
		"certificate: add the CA certificate \"CN=TSUP Test "
		"Intermediate CA"}};

	send_fail_run(&c, peer.port, certs->root.cert);
}

Test(send, starttls_setting_on_an_smtps_port)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = send_aiosmtpd("implicit", certs->good.chain,
	    certs->good.key);
	static const struct fail_case c = {
		"STARTTLS on SMTPS", "smtp+starttls://" USER "@127.0.0.1",
		"router1@ok.test", PASSWORD, {NULL}, MTACTL_SEND_EXIT_CONNECT,
		{"no SMTP greeting within 3 s, and a TLS handshake at connect "
		"succeeds", "expects implicit TLS (SMTPS)",
		"use --tls implicit", NULL}};

	send_fail_run(&c, peer.port, certs->root.cert);
}

Test(send, dhe_only_server)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct tsup_smtpd_opts o;
	struct tsup_smtpd *s;
	struct send_run r;
	const char *texts[] = {"TLS handshake failed",
	    "alert received: handshake failure", "if it only offers DHE "
	    "suites, it must enable ECDHE", NULL};
	const char *args[16];

	/* The spec's "dh key too small" server: DHE with 1024-bit groups. */
	memset(&o, 0, sizeof(o));
	o.max_conns = 1;
	o.tls.cert_file = certs->good.chain;
	o.tls.key_file = certs->good.key;
	o.tls.dh_file = tsup_certs_dh1024();
	o.tls.max_proto = "TLSv1.2";
	o.tls.ciphers = "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0";
	s = tsup_smtpd_start(&o);
	args[0] = "--server";
	args[1] = tsup_strf("smtp+starttls://127.0.0.1:%d",
	    tsup_smtpd_port(s));
	args[2] = "--ca-file";
	args[3] = certs->root.cert;
	args[4] = "--tls-name";
	args[5] = TSUP_CERT_HOST;
	args[6] = "--from";
	args[7] = "router1@ok.test";
	args[8] = "--to";
	args[9] = "noc@example.org";
	args[10] = "--body";
	args[11] = "x";
	args[12] = NULL;
	r = send_mtactl(args, NULL);
	/* We offer no DHE at all, so "dh key too small" cannot happen. */
	send_expect("DHE only", &r, MTACTL_SEND_EXIT_TLS, texts);
	cr_expect_null(strstr(r.err->data, "dh key too small"), "%s",
	    r.err->data);
	send_run_free(&r);
}

/*
 * Replies a scripted server gives.
 */

struct reply_case {
	const char *label;
	struct tsup_smtpd_rule rule;
	int	status;
	const char *text;
};

static const struct reply_case reply_cases[] = {
	{"greeting 554", {.verb = "CONNECT", .reply = "554 5.7.1 go away",
	    .action = TSUP_SMTPD_CLOSE}, MTACTL_SEND_EXIT_CONNECT,
	    "refused the connection: 554 5.7.1 go away"},
	{"MAIL 530 auth required", {.verb = "MAIL", .reply = "530 5.7.0 "
	    "Authentication required"}, MTACTL_SEND_EXIT_AUTH,
	    "requires authentication"},
	{"MAIL 553 impersonation", {.verb = "MAIL", .reply = "553 5.7.1 "
	    "Sender address rejected: not owned by user"},
	    MTACTL_SEND_EXIT_REJECT, "refused MAIL FROM:<router1@ok.test>: "
	    "553 5.7.1 Sender address rejected"},
	{"RCPT 450", {.verb = "RCPT", .reply = "450 4.2.0 try later"},
	    MTACTL_SEND_EXIT_TEMP, "temporarily refused RCPT TO:"
	    "<noc@example.org>: 450 4.2.0 try later"},
	{"RCPT 550", {.verb = "RCPT", .reply = "550 5.1.1 no such user"},
	    MTACTL_SEND_EXIT_REJECT, "550 5.1.1 no such user"},
	{"DATA 554", {.verb = "DATA", .reply = "554 5.3.0 no"},
	    MTACTL_SEND_EXIT_REJECT, "refused DATA: 554 5.3.0 no"},
	{"after the message 451", {.verb = "DOT", .reply = "451 4.3.0 "
	    "queue full"}, MTACTL_SEND_EXIT_TEMP,
	    "temporarily refused the message: 451 4.3.0 queue full"},
	{"closes after EHLO", {.verb = "EHLO", .reply = "",
	    .action = TSUP_SMTPD_CLOSE}, MTACTL_SEND_EXIT_CONNECT,
	    "closed the connection after EHLO"},
	{"garbage reply", {.verb = "EHLO", .reply = "hello there"},
	    MTACTL_SEND_EXIT_CONNECT, "malformed reply to EHLO"},
	{"STARTTLS refused", {.verb = "STARTTLS", .reply = "454 4.7.0 TLS "
	    "not available"}, MTACTL_SEND_EXIT_TLS,
	    "refused STARTTLS: 454 4.7.0 TLS not available"},
	{"accepted", {.verb = NULL}, MTACTL_SEND_EXIT_OK, NULL},
};

Test(send, replies)
{
	static const char *const caps[] = {"PIPELINING", "STARTTLS", NULL};
	const struct reply_case *c;
	struct tsup_smtpd_rule rules[2];
	struct tsup_smtpd_opts o;
	struct tsup_smtpd *s;
	struct send_run r;
	const char *args[16];
	const char *texts[2];

	for (c = reply_cases; c < reply_cases + ARRAY_LEN(reply_cases); c++) {
		memset(&o, 0, sizeof(o));
		memset(rules, 0, sizeof(rules));
		rules[0] = c->rule;
		o.rules = rules;
		o.max_conns = 1;
		/* STARTTLS is offered only where the case needs it. */
		if (strcmp(c->label, "STARTTLS refused") == 0)
			o.ehlo_caps = caps;
		s = tsup_smtpd_start(&o);
		args[0] = "--server";
		args[1] = tsup_strf("127.0.0.1:%d", tsup_smtpd_port(s));
		args[2] = "--from";
		args[3] = "router1@ok.test";
		args[4] = "--to";
		args[5] = "noc@example.org";
		args[6] = "--body";
		args[7] = "x";
		args[8] = NULL;
		r = send_mtactl(args, NULL);
		texts[0] = c->text;
		texts[1] = NULL;
		send_expect(c->label, &r, c->status, texts);
		send_run_free(&r);
		tsup_smtpd_stop(s);
	}
}

Test(send, no_starttls_keeps_the_password)
{
	static const char *const caps[] = {"PIPELINING", "AUTH PLAIN LOGIN",
	NULL};
	struct tsup_smtpd_opts o;
	struct tsup_smtpd *s;
	struct send_run r;
	const char *texts[] = {"does not offer STARTTLS; the password is "
	    "never sent in clear", NULL};
	const char *args[16];

	memset(&o, 0, sizeof(o));
	o.ehlo_caps = caps;
	o.max_conns = 1;
	s = tsup_smtpd_start(&o);
	args[0] = "--server";
	args[1] = tsup_strf("%s@127.0.0.1:%d", USER, tsup_smtpd_port(s));
	args[2] = "--password-file";
	args[3] = send_password_file(PASSWORD);
	args[4] = "--from";
	args[5] = "router1@ok.test";
	args[6] = "--to";
	args[7] = "noc@example.org";
	args[8] = "--body";
	args[9] = "x";
	args[10] = NULL;
	r = send_mtactl(args, NULL);
	send_expect("no STARTTLS", &r, MTACTL_SEND_EXIT_TLS, texts);
	cr_expect_null(strstr(tsup_smtpd_log(s), "< AUTH"), "AUTH sent:\n%s",
	    tsup_smtpd_log(s));
	send_run_free(&r);
}

Test(send, connection_refused)
{
	const char *args[] = {"--server", NULL, "--from", "a@ok.test",
	"--to", "b@ok.test", "--body", "x", NULL};
	const char *texts[] = {"cannot connect to 127.0.0.1 port",
	    "Connection refused", NULL};
	struct send_run r;

	args[1] = tsup_strf("127.0.0.1:%d", tsup_port_free());
	r = send_mtactl(args, NULL);
	send_expect("refused", &r, MTACTL_SEND_EXIT_CONNECT, texts);
	send_run_free(&r);
}

/*
 * Command line errors: exit 2 before any connection.
 */

struct usage_case {
	const char *label;
	const char *args[12];
	const char *text;
};

static const struct usage_case usage_cases[] = {
	{"no --to", {"--server", "h", "--from", "a@b.c", NULL}, "no --to"},
	{"no --server", {"--from", "a@b.c", "--to", "d@e.f", NULL},
	    "no --server"},
	{"bad --tls", {"--server", "h", "--from", "a@b.c", "--to", "d@e.f",
	    "--tls", "ssl", NULL}, "--tls ssl"},
	{"scheme and --tls disagree", {"--server", "smtps://h", "--from",
	    "a@b.c", "--to", "d@e.f", "--tls", "starttls", NULL},
	    "contradicts"},
	{"user without a password", {"--server", "u@h", "--from", "a@b.c",
	    "--to", "d@e.f", NULL}, "without a password"},
	{"two password sources", {"--server", "u@h", "--password-file", "f",
	    "--password-env", "V", "--from", "a@b.c", "--to", "d@e.f", NULL},
	    "not both"},
	{"password in argv and a file", {"--server", "u:p@h",
	    "--password-file", "f", "--from", "a@b.c", "--to", "d@e.f", NULL},
	    "a password in --server and --password-file"},
	{"bad recipient", {"--server", "h", "--from", "a@b.c", "--to",
	    "no-domain", NULL}, "--to \"no-domain\""},
	{"bad sender", {"--server", "h", "--from", "a b@c.d", "--to",
	    "d@e.f", NULL}, "--from \"a b@c.d\""},
	{"bad port", {"--server", "h", "--port", "99999", "--from", "a@b.c",
	    "--to", "d@e.f", NULL}, "--port 99999"},
	{"unknown option", {"--server", "h", "--bcc", "x@y.z", NULL},
	    "unknown option \"--bcc\""},
};

Test(send, usage_errors)
{
	const struct usage_case *c;
	const char *texts[3] = {NULL, "usage: mtactl send", NULL};
	struct send_run r;

	for (c = usage_cases; c < usage_cases + ARRAY_LEN(usage_cases); c++) {
		r = send_mtactl(c->args, NULL);
		texts[0] = c->text;
		send_expect(c->label, &r, MTACTL_SEND_EXIT_USAGE, texts);
		send_run_free(&r);
	}
}
