/*
 * NAME
 *	outbound_tls_test - Destination Controls TLS through the real gateway
 * DESCRIPTION
 *	The five TLS settings (none, preferred, required, preferred_verify,
 *	required_verify) against ten peer behaviours: STARTTLS not
 *	advertised, STARTTLS answered 454, a handshake that fails after
 *	the 220 to STARTTLS (the peer wants a client certificate from its
 *	own CA), a valid chain to the test root (trusted through
 *	tls.trust.ca_file, the system store off), a self-signed, an expired,
 *	a wrongly named certificate, a chain without its intermediate, and
 *	a peer that speaks TLS 1.3 only while delivery offers 1.1 and 1.2,
 *	and a peer that refuses EHLO (no ESMTP, so no STARTTLS).
 *
 *	One mtad per setting, with one SMTP route per behaviour (a domain
 *	each, all through the host name mx.tsup.test that the instance's
 *	unbound resolves to 127.0.0.1, so that the certificate names can
 *	match); all messages go in at once. For every cell: delivered or
 *	deferred (never bounced), clear or TLS at the peer, and the exact
 *	mail log lines of the message's connection, masked.
 */
#include "config.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

TestSuite(outbound_tls, .init = tsup_init, .fini = tsup_fini,
    .timeout = 120);

enum outcome {
	CLEAR,
	SECURE,
	DEFER,
};

enum peer_kind {
	P_NO_STARTTLS,
	P_454,
	P_HANDSHAKE_FAILS,
	P_VALID,
	P_SELFSIGNED,
	P_EXPIRED,
	P_WRONGNAME,
	P_NO_INTERMEDIATE,
	P_TLS13_ONLY,
	P_NO_ESMTP,
};

static const char *const levels[] = {
	"none", "preferred", "required", "preferred_verify", "required_verify",
};

static const struct {
	const char *domain;
	enum peer_kind kind;
	enum outcome want[5];		/* in the order of levels[] */
	const char *why;		/* certificate failure, or NULL */
} peers[] = {
	{"nostarttls.test", P_NO_STARTTLS, {CLEAR, CLEAR, DEFER, CLEAR, DEFER},
	NULL},
	{"refused.test", P_454, {CLEAR, CLEAR, DEFER, CLEAR, DEFER}, NULL},
	{"hsfail.test", P_HANDSHAKE_FAILS, {CLEAR, DEFER, DEFER, DEFER, DEFER},
	NULL},
	{"valid.test", P_VALID, {CLEAR, SECURE, SECURE, SECURE, SECURE}, NULL},
	{"selfsigned.test", P_SELFSIGNED,
	{CLEAR, SECURE, SECURE, SECURE, DEFER}, "self-signed certificate"},
	{"expired.test", P_EXPIRED, {CLEAR, SECURE, SECURE, SECURE, DEFER},
	"certificate has expired"},
	{"wrongname.test", P_WRONGNAME, {CLEAR, SECURE, SECURE, SECURE, DEFER},
	"certificate name does not match wrongname.test, mx.tsup.test"},
	{"nointer.test", P_NO_INTERMEDIATE,
	{CLEAR, SECURE, SECURE, SECURE, DEFER},
	"unable to get local issuer certificate"},
	{"version.test", P_TLS13_ONLY, {CLEAR, DEFER, DEFER, DEFER, DEFER},
	NULL},
	{"noesmtp.test", P_NO_ESMTP, {CLEAR, CLEAR, DEFER, CLEAR, DEFER},
	NULL},
};

static const char new_line[] = "TIMESTAMP Info: New SMTP DCID N interface "
"127.0.0.1 address 127.0.0.1 port P\n";
static const char delivered[] =
"TIMESTAMP Info: Delivery start DCID N MID N to RID [N]\n"
"TIMESTAMP Info: MID N RID [N] Response '2.0.0 Ok: queued as TSUP1M1'\n"
"TIMESTAMP Info: Message done DCID N MID N to RID [N]\n"
"TIMESTAMP Info: Message finished MID N done\n"
"TIMESTAMP Info: DCID N close\n";
static const char required[] = "TIMESTAMP Info: DCID N IP 127.0.0.1 TLS was "
"required but could not be successfully negotiated\n";
static const char pending[] = "TIMESTAMP Info: Message N to RID [N] pending "
"till TIME\n";
static const char tls13_reason[] = "(336151598, 'error:1409442E:SSL "
"routines:ssl3_read_bytes:tlsv1 alert protocol version')";
static const char hs_reason[] = "(336151576, 'error:14094418:SSL "
"routines:ssl3_read_bytes:tlsv1 alert unknown ca')";

/* expected_log - the masked mail log lines of one cell */

static const char *
expected_log(enum peer_kind kind, size_t level, enum outcome out,
    const char *domain, const char *why)
{
	int	req = level == 2 || level == 4;

	/* STARTTLS refused under preferred: on in clear, nothing said. */
	if (out == CLEAR && (level == 0 || (kind != P_NO_STARTTLS
	    && kind != P_NO_ESMTP)))
		return (tsup_strf("%s%s", new_line, delivered));
	switch (kind) {
	case P_NO_ESMTP:		/* HELO: no extensions at all */
	case P_NO_STARTTLS:
		if (out == CLEAR)
			return (tsup_strf("%sTIMESTAMP Info: DCID N STARTTLS "
			    "command not supported.\n%s", new_line,
			    delivered));
		return (tsup_strf("%sTIMESTAMP Info: DCID N STARTTLS command "
		    "not supported.\n%sTIMESTAMP Info: DCID N close\n"
		    "TIMESTAMP Info: Delayed: DCID N MID N to RID N - 4.7.4 - "
		    "Security features not supported ('000', ['TLS was "
		    "required but STARTTLS command not supported'])[]\n%s",
		    new_line, required, pending));
	case P_454:
		return (tsup_strf("%sTIMESTAMP Info: Connection Error: DCID N "
		    "domain: %s IP: 127.0.0.1 port: P details: 454-'TLS not "
		    "available due to temporary reason' interface: 127.0.0.1 "
		    "reason: unexpected SMTP response\n"
		    "TIMESTAMP Info: DCID N TLS failed: STARTTLS unexpected "
		    "response\n%sTIMESTAMP Info: DCID N close\n"
		    "TIMESTAMP Info: Delayed: DCID N MID N to RID N - 4.7.4 - "
		    "Security features not supported ('000', ['TLS was "
		    "required but STARTTLS unexpected response'])[]\n%s",
		    new_line, domain, required, pending));
	case P_TLS13_ONLY:
		return (tsup_strf("%sTIMESTAMP Info: DCID N TLS deferring: %s "
		    "TLS version mismatch could be the failure reason\n%s"
		    "TIMESTAMP Info: DCID N close\nTIMESTAMP Info: Delayed: "
		    "DCID N MID N to RID N - 4.7.5 - Cryptographic failure "
		    "('000', [\"TLS failed: %s\"])[]\n%s", new_line,
		    tls13_reason, req ? required : "", tls13_reason, pending));
	case P_HANDSHAKE_FAILS:
		return (tsup_strf("%sTIMESTAMP Info: DCID N TLS failed: %s\n%s"
		    "TIMESTAMP Info: DCID N close\nTIMESTAMP Info: Delayed: "
		    "DCID N MID N to RID N - 4.7.5 - Cryptographic failure "
		    "('000', [\"TLS failed: %s\"])[]\n%s", new_line,
		    hs_reason, req ? required : "", hs_reason, pending));
	default:
		if (out == SECURE)
			return (tsup_strf("%sTIMESTAMP Info: DCID N TLS "
			    "success protocol TLSv1.2 cipher C\n%s",
			    new_line, delivered));
		return (tsup_strf("%sTIMESTAMP Info: DCID N TLS failed: "
		    "certificate verification failed: %s\n%s"
		    "TIMESTAMP Info: DCID N close\n"
		    "TIMESTAMP Info: Delayed: DCID N MID N to RID N - 4.7.5 - "
		    "Cryptographic failure ('000', ['certificate verification "
		    "failed: %s'])[]\n%s", new_line, why, required, why,
		    pending));
	}
}

/* peer_start - the scripted server of one behaviour */

static struct tsup_smtpd *
peer_start(const struct tsup_certs *c, enum peer_kind kind)
{
	static const struct tsup_smtpd_rule refuse[] = {
		{.verb = "STARTTLS",
		.reply = "454 TLS not available due to temporary reason"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule no_ehlo[] = {
		{.verb = "EHLO", .reply = "500 5.5.1 Command unrecognized"},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts so;

	memset(&so, 0, sizeof(so));
	so.tls.cert_file = c->good.chain;
	so.tls.key_file = c->good.key;
	switch (kind) {
	case P_NO_STARTTLS:
		so.no_starttls = 1;
		break;
	case P_454:
		so.rules = refuse;
		break;
	case P_HANDSHAKE_FAILS:
		/* Our demo certificate is not from its CA: alert, no TLS. */
		so.tls.ca_file = c->root.cert;
		so.tls.verify = TSUP_TLS_VERIFY_REQUIRE;
		break;
	case P_VALID:
		break;
	case P_SELFSIGNED:
		so.tls.cert_file = c->selfsigned.cert;
		so.tls.key_file = c->selfsigned.key;
		break;
	case P_EXPIRED:
		so.tls.cert_file = c->expired.chain;
		so.tls.key_file = c->expired.key;
		break;
	case P_WRONGNAME:
		so.tls.cert_file = c->wrongname.chain;
		so.tls.key_file = c->wrongname.key;
		break;
	case P_NO_INTERMEDIATE:
		so.tls.cert_file = c->good.cert;
		break;
	case P_TLS13_ONLY:
		so.tls.min_proto = "TLSv1.3";
		break;
	case P_NO_ESMTP:
		so.rules = no_ehlo;
		break;
	}
	return (tsup_smtpd_start(&so));
}

/* tls_mask - a log line with stamps, IDs, ports, times, cipher masked */

static const char *
tls_mask(const char *line)
{
	return (mtad_subst(mtad_mask_delivery(line), "cipher [^ ]+$",
	    "cipher C"));
}


/* message_dcid - the DCID that carried or deferred the message */

static unsigned long
message_dcid(const struct mtad_inst *mi, unsigned long mid)
{
	const char *line = mtad_wait_log(mi, tsup_strf("(Delivery start|"
	    "Delayed:|Bounced:) DCID [0-9]+ MID %lu ", mid));

	return (strtoul(strstr(line, "DCID ") + 5, NULL, 10));
}

/* run_level - one TLS setting against every peer */

static void
run_level(size_t level)
{
	const struct tsup_certs *c = tsup_certs_make(NULL);
	struct tsup_smtpd *s[NCASES(peers)];
	unsigned long mids[NCASES(peers)];
	struct buf *routes = buf_new(0);
	struct buf *dc = buf_new(0);
	struct mtad_spec spec = {.delivery = 2};
	struct mtad_inst *mi;
	size_t	i;
	int	deferred = 0;

	for (i = 0; i < NCASES(peers); i++) {
		deferred += peers[i].want[level] == DEFER;
		s[i] = peer_start(c, peers[i].kind);
		buf_printf(routes, "  %s: [\"mx.tsup.test:%d\"]\n",
		    peers[i].domain, tsup_smtpd_port(s[i]));
		buf_printf(dc, "    %s: {tls: %s}\n", peers[i].domain,
		    levels[level]);
	}
	spec.zone = "local-data: \"mx.tsup.test. A 127.0.0.1\"\n";
	spec.top = tsup_strf("smtp_routes:\n%sdestination_controls:\n"
	    "  domains:\n%stls:\n  trust:\n    system: false\n"
	    "    ca_file: %s\n", routes->data, dc->data, c->root.cert);
	mi = mtad_start(&spec);
	for (i = 0; i < NCASES(peers); i++)
		mids[i] = mtad_send(mi, tsup_strf("--from a@src.test --to "
		    "rcpt@%s", peers[i].domain));
	for (i = 0; i < NCASES(peers); i++) {
		enum outcome want = peers[i].want[level];
		const char *label = tsup_strf("%s, %s", peers[i].domain,
		    levels[level]);
		unsigned long dcid;
		const char *plog;
		const char *got;
		const char *exp;

		if (want == DEFER)
			(void) mtad_wait_log(mi, tsup_strf("Message %lu to "
			    "RID \\[0\\] pending till ", mids[i]));
		else
			(void) mtad_wait_log(mi, tsup_strf("Message finished "
			    "MID %lu done$", mids[i]));
		dcid = message_dcid(mi, mids[i]);
		if (want != DEFER)
			(void) mtad_wait_log(mi, tsup_strf("DCID %lu close$",
			    dcid));
		plog = tsup_smtpd_log(s[i]);
		cr_expect_eq(mtad_log_count(mi, tsup_strf("Bounced: .* MID "
		    "%lu ", mids[i])), 0, "%s: never bounced", label);
		cr_expect_eq(strstr(plog, "1 < MAIL") != NULL, want != DEFER,
		    "%s: MAIL sent?\n%s", label, plog);
		cr_expect_eq(strstr(plog, "1 * TLS ") != NULL, want == SECURE
		    || (want == DEFER && peers[i].why != NULL), "%s: TLS at "
		    "the peer?\n%s", label, plog);
		if (want == SECURE) {
			const char *tls = strstr(plog, "1 * TLS TLSv1.2 ");

			cr_expect(tls != NULL && strstr(tls, "1 < EHLO "
			    "mx.test.example") != NULL && strstr(tls,
			    "1 < MAIL") != NULL, "%s: TLS 1.2, then EHLO again "
			    "and MAIL\n%s", label, plog);
			cr_expect(strstr(plog, "1 * SNI mx.tsup.test\n") !=
			    NULL, "%s: SNI\n%s", label, plog);
		}
		if (level == 0)
			cr_expect(strstr(plog, "< STARTTLS") == NULL,
			    "%s: no STARTTLS under none\n%s", label, plog);
		cr_expect_eq(tsup_smtpd_conns(s[i]), 1, "%s: one connection\n"
		    "%s", label, plog);
		got = mtad_lines(mi, tsup_strf("DCID %lu( |$)|MID %lu RID|"
		    "Message %lu to|Message finished MID %lu ", dcid, mids[i],
		    mids[i], mids[i]), tls_mask);
		exp = expected_log(peers[i].kind, level, want,
		    peers[i].domain, peers[i].why);
		cr_expect_str_eq(got, exp, "%s: got\n%swant\n%s", label, got,
		    exp);
	}
	cr_expect_eq(mtad_queued(mi), deferred, "%s: the deferred stay",
	    levels[level]);
	mtad_stop(mi);
	buf_free(routes);
	buf_free(dc);
}

Test(outbound_tls, none)
{
	run_level(0);
}

Test(outbound_tls, preferred)
{
	run_level(1);
}

Test(outbound_tls, required)
{
	run_level(2);
}

Test(outbound_tls, preferred_verify)
{
	run_level(3);
}

Test(outbound_tls, required_verify)
{
	run_level(4);
}

Test(outbound_tls, version_mismatch_the_other_way)
{
	/* Delivery offers TLS 1.3 only; the peer stops at TLS 1.2. */
	const struct tsup_certs *c = tsup_certs_make(NULL);
	struct buf *routes = buf_new(0);
	struct buf *dc = buf_new(0);
	struct tsup_smtpd *s[4];
	unsigned long mids[4];
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	size_t	i;

	for (i = 0; i < 4; i++) {
		struct tsup_smtpd_opts so;

		memset(&so, 0, sizeof(so));
		so.tls.cert_file = c->good.chain;
		so.tls.key_file = c->good.key;
		so.tls.max_proto = "TLSv1.2";
		s[i] = tsup_smtpd_start(&so);
		buf_printf(routes, "  v%zu.test: [\"mx.tsup.test:%d\"]\n", i,
		    tsup_smtpd_port(s[i]));
		buf_printf(dc, "    v%zu.test: {tls: %s}\n", i, levels[i + 1]);
	}
	spec.zone = "local-data: \"mx.tsup.test. A 127.0.0.1\"\n";
	spec.top = tsup_strf("smtp_routes:\n%sdestination_controls:\n"
	    "  domains:\n%stls:\n  outbound:\n    versions: tls1.3\n"
	    "  trust:\n    system: false\n    ca_file: %s\n", routes->data,
	    dc->data, c->root.cert);
	mi = mtad_start(&spec);
	for (i = 0; i < 4; i++)
		mids[i] = mtad_send(mi, tsup_strf("--from a@src.test --to "
		    "rcpt@v%zu.test", i));
	for (i = 0; i < 4; i++) {
		const char *label = levels[i + 1];
		const char *line;
		const char *plog;
		unsigned long dcid;

		(void) mtad_wait_log(mi, tsup_strf("Message %lu to RID \\[0\\] "
		    "pending till ", mids[i]));
		dcid = message_dcid(mi, mids[i]);
		line = mtad_wait_log(mi, tsup_strf("DCID %lu TLS ", dcid));
		cr_expect_str_eq(tsup_log_mask(line), tsup_strf("TIMESTAMP "
		    "Info: DCID N TLS deferring: %s TLS version mismatch could "
		    "be the failure reason", tls13_reason), "%s", label);
		cr_expect_eq(mtad_log_count(mi, tsup_strf("DCID %lu IP "
		    "127.0.0.1 TLS was required but could not be successfully "
		    "negotiated$", dcid)), i == 1 || i == 3, "%s", label);
		cr_expect_eq(mtad_log_count(mi, tsup_strf("Delayed: DCID %lu "
		    "MID %lu to RID 0 - 4.7.5 - Cryptographic failure", dcid,
		    mids[i])), 1, "%s", label);
		plog = tsup_smtpd_log(s[i]);
		cr_expect(strstr(plog, "1 < STARTTLS") != NULL, "%s\n%s",
		    label, plog);
		cr_expect(strstr(plog, "1 < MAIL") == NULL, "%s\n%s", label,
		    plog);
	}
	mtad_stop(mi);
	buf_free(routes);
	buf_free(dc);
}

Test(outbound_tls, one_tls_session_carries_several_messages)
{
	const struct tsup_certs *c = tsup_certs_make(NULL);
	struct tsup_smtpd_opts so;
	struct tsup_smtpd *peer;
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long mids[3];
	const char *plog;
	int	k;

	memset(&so, 0, sizeof(so));
	so.tls.cert_file = c->good.chain;
	so.tls.key_file = c->good.key;
	peer = tsup_smtpd_start(&so);
	spec.zone = "local-data: \"mx.tsup.test. A 127.0.0.1\"\n";
	spec.top = tsup_strf("smtp_routes:\n  valid.test: [\"mx.tsup.test:%d\"]"
	    "\ndestination_controls:\n  domains:\n    valid.test: "
	    "{tls: required_verify, max_concurrency: 1}\ntls:\n  trust:\n"
	    "    system: false\n    ca_file: %s\n", tsup_smtpd_port(peer),
	    c->root.cert);
	mi = mtad_start(&spec);
	for (k = 0; k < 3; k++)
		mids[k] = mtad_send(mi, tsup_strf("--from a@src.test --to "
		    "r%d@valid.test", k));
	for (k = 0; k < 3; k++)
		(void) mtad_wait_log(mi, tsup_strf("Message finished MID %lu "
		    "done$", mids[k]));
	plog = tsup_smtpd_log(peer);
	cr_expect_eq(tsup_smtpd_conns(peer), 1, "%s", plog);
	cr_expect_eq(mtad_log_count(mi, "TLS success protocol TLSv1.2 "), 1,
	    "one handshake");
	for (k = 1; k <= 3; k++)
		cr_expect(strstr(plog, tsup_strf("1 < RCPT TO:<r%d@valid.test>",
		    k - 1)) != NULL, "message %d under TLS:\n%s", k, plog);
	cr_expect(strstr(plog, "1 < STARTTLS") != NULL
	    && strstr(strstr(plog, "1 < STARTTLS") + 12, "< STARTTLS") == NULL,
	    "one STARTTLS:\n%s", plog);
	mtad_stop(mi);
}
