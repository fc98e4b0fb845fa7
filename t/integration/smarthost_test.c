/*
 * NAME
 *	smarthost_test - queued mail through authenticated smarthosts
 * DESCRIPTION
 *	A real mtad accepts mail and relays it, as an SMTP route says,
 *	to a third-party submission server (python3-aiosmtpd with real
 *	AUTH, a certificate chain made at test time): STARTTLS with AUTH
 *	PLAIN and a user name holding '@', SMTPS with AUTH LOGIN, a wrong
 *	password (deferred, the alert mail), a sender the server refuses
 *	(bounced with the server's words), and the two port/encryption
 *	mix-ups. Assertions are on the mail log and on what the server
 *	received.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "aiosmtpd_peer.h"
#include "mtad_harness.h"
#include "tsupport.h"

#define USER		"relay@acct.example"	/* a user name with '@' */
#define PASSWORD	"s3cret-Pa55"

TestSuite(smarthost, .init = tsup_init, .fini = tsup_fini, .timeout = 180);

/* smarthost_secret - a mode 0600 password file */

static const char *
smarthost_secret(const char *password)
{
	return (tsup_tmp_write(tsup_strf("secret-%s", password),
	    tsup_strf("%s\n", password), strlen(password) + 1));
}

/* smarthost_top - routes, smarthost terms and the trust of the lab CA */

static const char *
smarthost_top(const struct tsup_certs *certs, int port,
    const char *encryption, const char *auth, const char *password,
    const char *routes, const char *extra)
{
	return (tsup_strf("tls:\n  trust:\n    system: false\n"
	    "    ca_file: %s\n"
	    "delivery:\n  command_timeout: 3s\n"
	    "smtp_routes:\n  relay.test: [\"127.0.0.1:%d\"]\n%s"
	    "smarthosts:\n  provider:\n    host: 127.0.0.1\n    port: %d\n"
	    "    encryption: %s\n    auth: %s\n    user: %s\n"
	    "    password_file: %s\n"
	    "bounce_profiles:\n  Default:\n    initial_retry: 60s\n"
	    "%s", certs->root.cert, port, routes ? routes : "", port,
	    encryption, auth, USER, smarthost_secret(password),
	    extra ? extra : ""));
}

/* smarthost_unfold - a message's text with every run of white space one */

static const char *
smarthost_unfold(const struct buf *in)
{
	struct buf *b = buf_new(0);
	const char *s;
	size_t	i;

	for (i = 0; i < in->len; i++) {
		int	c = (unsigned char) in->data[i];

		if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
			if (b->len == 0 || b->data[b->len - 1] != ' ')
				buf_putc(b, ' ');
		} else {
			buf_putc(b, c);
		}
	}
	s = tsup_strf("%s", b->len ? b->data : "");
	buf_free(b);
	return (s);
}

/* smarthost_send - one message through the gateway */

static void
smarthost_send(struct mtad_inst *mi, const char *from, const char *to)
{
	(void) mtad_send(mi, tsup_strf("--from %s --to %s", from, to));
}

/* smarthost_received - what the server stored */

static const char *
smarthost_received(const struct aiosmtpd_peer *peer)
{
	struct buf *b = buf_new(0);
	const char *s;

	if (access(peer->spool, F_OK) == 0)
		tsup_tmp_read(peer->spool, b);
	s = tsup_strf("%s", b->len ? b->data : "");
	buf_free(b);
	return (s);
}

Test(smarthost, starttls_auth_plain_user_with_at)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = aiosmtpd_peer_start("starttls",
	    certs->good.chain, certs->good.key, USER, PASSWORD);
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	const char *got;

	spec.delivery = 1;
	spec.top = smarthost_top(certs, peer.port, "starttls", "plain",
	    PASSWORD, NULL, NULL);
	mi = mtad_start(&spec);
	smarthost_send(mi, "sender@origin.test", "user@relay.test");
	(void) mtad_wait_log(mi, "Message finished MID [0-9]+ done");
	cr_expect_eq(mtad_log_count(mi, "DCID [0-9]+ TLS success protocol "
	    "TLSv1\\.[23] cipher "), 1);
	cr_expect_eq(mtad_log_count(mi, "MID [0-9]+ RID \\[0\\] Response "
	    "'2\\.0\\.0 Ok: queued as 4711'"), 1);
	got = smarthost_received(&peer);
	cr_expect_not_null(strstr(got, "MAIL FROM:sender@origin.test\n"
	    "RCPT TO:user@relay.test\nAUTH:b'" USER "'\n"), "received:\n%s",
	    got);
	cr_expect_eq(mtad_queued(mi), 0);
	cr_expect_eq(mtad_log_count(mi, PASSWORD), 0, "password in the log");
	mtad_stop(mi);
}

Test(smarthost, smtps_auth_login)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = aiosmtpd_peer_start("implicit-login",
	    certs->good.chain, certs->good.key, USER, PASSWORD);
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;

	spec.delivery = 1;
	spec.top = smarthost_top(certs, peer.port, "smtps", "login",
	    PASSWORD, NULL, NULL);
	mi = mtad_start(&spec);
	smarthost_send(mi, "sender@origin.test", "user@relay.test");
	(void) mtad_wait_log(mi, "Message finished MID [0-9]+ done");
	cr_expect_not_null(strstr(smarthost_received(&peer),
	    "AUTH:b'" USER "'\n"));
	cr_expect_eq(mtad_queued(mi), 0);
	mtad_stop(mi);
}

Test(smarthost, wrong_password_defers_and_alerts)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = aiosmtpd_peer_start("starttls",
	    certs->good.chain, certs->good.key, USER, PASSWORD);
	struct tsup_smtpd_opts so;
	struct tsup_smtpd *ops;
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	const char *line;

	memset(&so, 0, sizeof(so));
	ops = tsup_smtpd_start(&so);
	spec.delivery = 1;
	spec.top = smarthost_top(certs, peer.port, "starttls", "plain",
	    "not-the-password", tsup_strf("  alerts.test: "
	    "[\"127.0.0.1:%d\"]\n", tsup_smtpd_port(ops)),
	    "alerts:\n  recipients: [\"ops@alerts.test\"]\n"
	    "  throttle: 1h\n");
	mi = mtad_start(&spec);
	smarthost_send(mi, "sender@origin.test", "user@relay.test");
	line = mtad_wait_log(mi, "Delayed: DCID [0-9]+ MID 1 to RID 0 - "
	    "4\\.7\\.8 - ");
	cr_expect_not_null(strstr(line, "('000', ['AUTH failed: 535 "),
	    "%s", line);
	(void) mtad_wait_text(mi, "A System/Warning alert was sent to "
	    "ops@alerts.test with subject \"Warning-mx.test.example: "
	    "(System) SMTP AUTH failed at the smarthost for relay.test\".");
	(void) mtad_wait_log(mi, "Message 1 to RID \\[0\\] pending till ");
	cr_expect_eq(smarthost_received(&peer)[0], 0, "delivered anyway");
	/* The alert itself is delivered to its recipient. */
	(void) mtad_wait_log(mi, "Message finished MID 2 done");
	cr_expect_eq(mtad_queued(mi), 1, "the message stays queued");
	mtad_stop(mi);
}

Test(smarthost, unverified_sender_bounces_with_the_server_words)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	struct aiosmtpd_peer peer = aiosmtpd_peer_start("starttls",
	    certs->good.chain, certs->good.key, USER, PASSWORD);
	struct tsup_smtpd_opts so;
	struct tsup_smtpd *origin;
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct buf *dsn = buf_new(0);
	const char *line;

	memset(&so, 0, sizeof(so));
	origin = tsup_smtpd_start(&so);
	spec.delivery = 1;
	spec.top = smarthost_top(certs, peer.port, "starttls", "plain",
	    PASSWORD, tsup_strf("  unverified.test: [\"127.0.0.1:%d\"]\n",
	    tsup_smtpd_port(origin)), NULL);
	mi = mtad_start(&spec);
	smarthost_send(mi, "someone@unverified.test", "user@relay.test");
	line = mtad_wait_log(mi, "Bounced: DCID [0-9]+ MID 1 to RID 0 - "
	    "5\\.");
	cr_expect_not_null(strstr(line, "Email address is not verified"),
	    "%s", line);
	(void) mtad_wait_text(mi, "MID 2 was generated for bounce of MID 1");
	(void) mtad_wait_log(mi, "Message finished MID 2 done");
	cr_assert_eq(tsup_smtpd_message(origin, 1, 1, dsn), 0,
	    "no bounce reached the sender's server");
	cr_expect_not_null(strstr(dsn->data, "multipart/report"));
	cr_expect_not_null(strstr(smarthost_unfold(dsn), "Email address is "
	    "not verified"), "the DSN lacks the server's words:\n%s",
	    dsn->data);
	buf_free(dsn);
	mtad_stop(mi);
}

/* The port and encryption mix-ups an operator makes. */
struct mixup_case {
	const char *label;
	const char *server;		/* aiosmtpd mode */
	const char *encryption;		/* ours */
	const char *want;		/* in the Delayed line */
};

static const struct mixup_case mixup_cases[] = {
	{"smtps towards a STARTTLS port", "starttls", "smtps",
	    "it expects STARTTLS, not SMTPS"},
	{"starttls towards an SMTPS port", "implicit", "starttls",
	    "the port may expect TLS from the first byte"},
};

Test(smarthost, port_and_encryption_mixups)
{
	const struct tsup_certs *certs = tsup_certs_make(NULL);
	size_t	i;

	for (i = 0; i < sizeof(mixup_cases) / sizeof(mixup_cases[0]); i++) {
		const struct mixup_case *c = &mixup_cases[i];
		struct aiosmtpd_peer peer = aiosmtpd_peer_start(c->server,
		    certs->good.chain, certs->good.key, USER, PASSWORD);
		struct mtad_spec spec = {0};
		struct mtad_inst *mi;
		const char *line;

		spec.delivery = 1;
		spec.top = smarthost_top(certs, peer.port, c->encryption,
		    "plain", PASSWORD, NULL, NULL);
		mi = mtad_start(&spec);
		smarthost_send(mi, "sender@origin.test", "user@relay.test");
		line = mtad_wait_log(mi, "Delayed: DCID [0-9]+ MID 1 to RID 0");
		cr_expect_not_null(strstr(line, c->want), "%s: %s", c->label,
		    line);
		cr_expect_eq(mtad_queued(mi), 1, "%s: not kept", c->label);
		mtad_stop(mi);
	}
}
