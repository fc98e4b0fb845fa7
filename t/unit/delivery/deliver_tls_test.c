/*
 * NAME
 *	deliver_tls_test - Destination Controls TLS levels against real peers
 * DESCRIPTION
 *	Every TLS level (none, preferred, required, preferred-verify,
 *	required-verify) against every peer behaviour (no STARTTLS, 454 to
 *	STARTTLS, a handshake that fails after the 220, a valid chain, a
 *	self-signed, expired, wrongly named certificate, and a chain with
 *	its intermediate missing): the outcome (clear, TLS, deferred), what
 *	the peer received (never MAIL when the message is deferred) and
 *	the exact mail log lines. Certificates are made at test time; the
 *	client trusts the test root only.
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>
#include <openssl/err.h>

#include "buf.h"
#include "io.h"
#include "tsupport.h"
#include "logs_line.h"
#include "policy_tls.h"
#include "mail_reply.h"
#include "deliver_smtp.h"
#include "deliver_tls.h"
#include "deliver_peer.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

TestSuite(deliver_tls, .init = tsup_init, .fini = tsup_fini);

static const char *const one_rcpt[] = {"b@tsup.test", NULL};

enum outcome {
	CLEAR,
	SECURE,
	DEFER,
};

enum peer_kind {
	P_NO_STARTTLS,
	P_454,
	P_TLS13_ONLY,
	P_VALID,
	P_SELFSIGNED,
	P_EXPIRED,
	P_WRONGNAME,
	P_NO_INTERMEDIATE,
};

static const enum policy_tls_level levels[] = {
	POLICY_TLS_NONE, POLICY_TLS_PREFERRED, POLICY_TLS_REQUIRED,
	POLICY_TLS_PREFERRED_VERIFY, POLICY_TLS_REQUIRED_VERIFY,
};

static const struct {
	const char *label;
	enum peer_kind kind;
	enum outcome want[5];		/* in the order of levels[] */
	const char *why;		/* certificate failure, or NULL */
} peers[] = {
	{"no STARTTLS", P_NO_STARTTLS, {CLEAR, CLEAR, DEFER, CLEAR, DEFER},
	NULL},
	{"STARTTLS answered 454", P_454, {CLEAR, CLEAR, DEFER, CLEAR, DEFER},
	NULL},
	{"handshake fails after 220", P_TLS13_ONLY,
	{CLEAR, DEFER, DEFER, DEFER, DEFER}, NULL},
	{"valid chain", P_VALID, {CLEAR, SECURE, SECURE, SECURE, SECURE},
	NULL},
	{"self-signed", P_SELFSIGNED, {CLEAR, SECURE, SECURE, SECURE, DEFER},
	"self-signed certificate"},
	{"expired", P_EXPIRED, {CLEAR, SECURE, SECURE, SECURE, DEFER},
	"certificate has expired"},
	{"wrong name", P_WRONGNAME, {CLEAR, SECURE, SECURE, SECURE, DEFER},
	"certificate name does not match tsup.test, mx.tsup.test"},
	{"missing intermediate", P_NO_INTERMEDIATE,
	{CLEAR, SECURE, SECURE, SECURE, DEFER},
	"unable to verify the first certificate"},
};

static const char new_line[] = "Info: New SMTP DCID N interface 127.0.0.1 "
"address 127.0.0.1 port P\n";
static const char delivered[] =
"Info: Delivery start DCID N MID N to RID [N]\n"
"Info: MID N RID [N] Response '2.0.0 Ok: queued as TSUP1M1'\n"
"Info: Message done DCID N MID N to RID [N]\n"
"Info: DCID N close\n";
static const char required[] = "Info: DCID N IP 127.0.0.1 TLS was required "
"but could not be successfully negotiated\n";
static const char tls13_reason[] = "(336151598, 'error:1409442E:SSL "
"routines:ssl3_read_bytes:tlsv1 alert protocol version')";

/* expected_log - the masked mail log of one case */

static const char *
expected_log(enum peer_kind kind, enum policy_tls_level level,
    enum outcome out, const char *why, const char *cipher)
{
	int	req = policy_tls_level_required(level);
	int	tries = level != POLICY_TLS_NONE;

	switch (kind) {
	case P_NO_STARTTLS:
		if (!tries)
			return (tsup_strf("%s%s", new_line, delivered));
		if (out == CLEAR)
			return (tsup_strf("%sInfo: DCID N STARTTLS command not "
			    "supported.\n%s", new_line, delivered));
		return (tsup_strf("%sInfo: DCID N STARTTLS command not "
		    "supported.\n%sInfo: DCID N close\nInfo: Delayed: DCID N "
		    "MID N to RID N - 4.7.4 - Security features not supported "
		    "('000', ['TLS was required but STARTTLS command not "
		    "supported'])[]\n", new_line, required));
	case P_454:
		if (out == CLEAR)
			return (tsup_strf("%s%s", new_line, delivered));
		return (tsup_strf("%sInfo: Connection Error: DCID N domain: "
		    "tsup.test IP:127.0.0.1 port: P details: 454-'TLS not "
		    "available due to temporary reason' interface: 127.0.0.1 "
		    "reason: unexpected SMTP response\n"
		    "Info: DCID N TLS failed: STARTTLS unexpected response\n"
		    "%sInfo: DCID N close\nInfo: Delayed: DCID N MID N to RID "
		    "N - 4.7.4 - Security features not supported ('000', "
		    "['TLS was required but STARTTLS unexpected "
		    "response'])[]\n", new_line, required));
	case P_TLS13_ONLY:
		if (out == CLEAR)
			return (tsup_strf("%s%s", new_line, delivered));
		return (tsup_strf("%sInfo: DCID N TLS deferring: %s TLS "
		    "version mismatch could be the failure reason\n%s"
		    "Info: DCID N close\nInfo: Delayed: DCID N MID N to RID "
		    "N - 4.7.5 - Cryptographic failure ('000', [\"TLS failed: "
		    "%s\"])[]\n", new_line, tls13_reason, req ? required : "",
		    tls13_reason));
	default:
		if (out == CLEAR)
			return (tsup_strf("%s%s", new_line, delivered));
		if (out == SECURE)
			return (tsup_strf("%sInfo: DCID N TLS success protocol "
			    "TLSv1.3 cipher %s\n%s", new_line, cipher,
			    delivered));
		return (tsup_strf("%sInfo: DCID N TLS failed: certificate "
		    "verification failed: %s\n%sInfo: DCID N close\n"
		    "Info: Delayed: DCID N MID N to RID N - 4.7.5 - "
		    "Cryptographic failure ('000', ['certificate verification "
		    "failed: %s'])[]\n", new_line, why, required, why));
	}
}

/* peer_opts - the scripted server of one behaviour */

static void
peer_opts(const struct tsup_certs *c, enum peer_kind kind,
    struct tsup_smtpd_opts *so)
{
	static const struct tsup_smtpd_rule refuse[] = {
		{.verb = "STARTTLS",
		.reply = "454 TLS not available due to temporary reason"},
		{.verb = NULL},
	};

	memset(so, 0, sizeof(*so));
	so->max_conns = 1;
	so->tls.cert_file = c->good.chain;
	so->tls.key_file = c->good.key;
	switch (kind) {
	case P_NO_STARTTLS:
		so->no_starttls = 1;
		break;
	case P_454:
		so->rules = refuse;
		break;
	case P_TLS13_ONLY:
		so->tls.min_proto = "TLSv1.3";
		break;
	case P_VALID:
		break;
	case P_SELFSIGNED:
		so->tls.cert_file = c->selfsigned.cert;
		so->tls.key_file = c->selfsigned.key;
		break;
	case P_EXPIRED:
		so->tls.cert_file = c->expired.chain;
		so->tls.key_file = c->expired.key;
		break;
	case P_WRONGNAME:
		so->tls.cert_file = c->wrongname.chain;
		so->tls.key_file = c->wrongname.key;
		break;
	case P_NO_INTERMEDIATE:
		so->tls.cert_file = c->good.cert;
		break;
	}
}

Test(deliver_tls, every_level_against_every_peer)
{
	const struct tsup_certs *c = tsup_certs_make(NULL);
	size_t	i, j;

	for (i = 0; i < NCASES(peers); i++) {
		for (j = 0; j < NCASES(levels); j++) {
			const char *label = tsup_strf("%s, %s", peers[i].label,
			    policy_tls_level_name(levels[j]));
			enum outcome want = peers[i].want[j];
			struct tsup_smtpd_opts so;
			struct tsup_smtpd *s;
			struct deliver_mx_host h;
			struct dpeer p;
			const char *plog;

			peer_opts(c, peers[i].kind, &so);
			s = tsup_smtpd_start(&so);
			h = dpeer_host(TSUP_CERT_HOST, tsup_smtpd_port(s));
			dpeer_init(&p);
			p.opts.tls = levels[j];
			p.opts.ssl_ctx = dpeer_client_ctx(c->root.cert,
			    peers[i].kind == P_TLS13_ONLY ? "TLSv1.2" : NULL);
			dpeer_msg(&p, "x\r\n", 3, one_rcpt);
			dpeer_run(&p, &h, 1);
			cr_assert_eq(tsup_smtpd_wait(s, 0), 0, "%s", label);
			plog = tsup_smtpd_log(s);

			cr_assert_eq(p.msg.status, want == DEFER ?
			    DELIVER_DEFER : DELIVER_OK, "%s: %s", label,
			    deliver_status_name(p.msg.status));
			cr_assert_eq(p.msg.tls.active, want == SECURE ||
			    (want == DEFER && peers[i].why != NULL),
			    "%s: tls active", label);
			cr_assert_eq(strstr(plog, "1 < MAIL") != NULL,
			    want != DEFER, "%s: MAIL sent?\n%s", label, plog);
			if (want == SECURE) {
				cr_assert_str_eq(p.msg.tls.protocol, "TLSv1.3",
				    "%s", label);
				cr_assert_eq(p.msg.tls.verified,
				    peers[i].kind == P_VALID, "%s", label);
				if (peers[i].kind == P_VALID)
					cr_assert_str_eq(p.msg.tls.matched,
					    TSUP_CERT_HOST, "%s", label);
				cr_assert(strstr(plog, "1 * SNI "
				    TSUP_CERT_HOST "\n") != NULL, "%s", label);
				/* EHLO again after the handshake. */
				cr_assert(strstr(strstr(plog, "1 * TLS "),
				    "1 < EHLO out.example.org") != NULL,
				    "%s:\n%s", label, plog);
			}
			if (want == CLEAR)
				cr_assert(strstr(plog, "1 * TLS ") == NULL,
				    "%s:\n%s", label, plog);
			if (want == CLEAR && levels[j] == POLICY_TLS_NONE)
				cr_assert(strstr(plog, "1 < STARTTLS") == NULL,
				    "%s: STARTTLS under none", label);
			{
				enum policy_tls_event ev;
				enum policy_tls_reason r;

				switch (peers[i].kind) {
				case P_NO_STARTTLS:
					ev = POLICY_TLS_EV_NO_STARTTLS;
					break;
				case P_454:
					ev = POLICY_TLS_EV_STARTTLS_REFUSED;
					break;
				case P_TLS13_ONLY:
					ev = POLICY_TLS_EV_HANDSHAKE_FAILED;
					break;
				case P_VALID:
					ev = POLICY_TLS_EV_CERT_VERIFIED;
					break;
				default:
					ev = POLICY_TLS_EV_CERT_UNVERIFIED;
					break;
				}
				r = POLICY_TLS_R_NOT_WANTED;
				if (levels[j] != POLICY_TLS_NONE)
					(void) policy_tls_outcome(levels[j], ev,
					    &r);
				cr_assert_eq(p.msg.tls.reason, r, "%s: reason "
				    "%s", label,
				    policy_tls_reason_text(p.msg.tls.reason));
			}
			if (want == DEFER) {
				cr_assert_eq(p.rcpts[0].result.status,
				    DELIVER_DEFER, "%s", label);
				cr_assert_eq(p.rcpts[0].result.code, 0, "%s",
				    label);
			}
			{
				const char *got = dpeer_log(&p);
				const char *exp = expected_log(peers[i].kind,
				    levels[j], want, peers[i].why,
				    p.msg.tls.cipher);

				cr_assert_str_eq(got, exp, "%s: got\n%s\n"
				    "want\n%s", label, got, exp);
			}
			dpeer_fini(&p);
		}
	}
}

Test(deliver_tls, starttls_listed_before_the_greeting_line_is_not_seen)
{
	/* TN212587: AsyncOS takes the first EHLO line as the greeting. */
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "EHLO", .reply = "250-STARTTLS\n250-tsup.test\n"
		"250 PIPELINING"},
		{.verb = NULL},
	};
	const struct tsup_certs *c = tsup_certs_make(NULL);
	struct tsup_smtpd_opts so = {.max_conns = 1, .rules = rules};
	struct tsup_smtpd *s;
	struct deliver_mx_host h;
	struct dpeer p;

	so.tls.cert_file = c->good.chain;
	so.tls.key_file = c->good.key;
	s = tsup_smtpd_start(&so);
	h = dpeer_host(TSUP_CERT_HOST, tsup_smtpd_port(s));
	dpeer_init(&p);
	p.opts.tls = POLICY_TLS_PREFERRED;
	p.opts.ssl_ctx = dpeer_client_ctx(c->root.cert, NULL);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	dpeer_run(&p, &h, 1);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(p.msg.status, DELIVER_OK);
	cr_assert_eq(p.msg.tls.active, 0);
	cr_assert(strstr(tsup_smtpd_log(s), "1 < STARTTLS") == NULL);
	cr_assert_str_eq(dpeer_log(&p), tsup_strf("%sInfo: DCID N STARTTLS "
	    "command not supported.\n%s", new_line, delivered));
	dpeer_fini(&p);
}

Test(deliver_tls, bytes_after_the_220_are_dropped)
{
	/* Response injection: nothing sent before the handshake counts. */
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "STARTTLS", .reply = "220 2.0.0 Ready to start TLS\n"
		"250-evil.example\n250 AUTH PLAIN LOGIN",
		.action = TSUP_SMTPD_TLS},
		{.verb = NULL},
	};
	const struct tsup_certs *c = tsup_certs_make(NULL);
	struct tsup_smtpd_opts so = {.max_conns = 1, .rules = rules};
	struct tsup_smtpd *s;
	struct deliver_mx_host h;
	struct dpeer p;
	const char *plog;

	so.tls.cert_file = c->good.chain;
	so.tls.key_file = c->good.key;
	s = tsup_smtpd_start(&so);
	h = dpeer_host(TSUP_CERT_HOST, tsup_smtpd_port(s));
	dpeer_init(&p);
	p.opts.tls = POLICY_TLS_REQUIRED_VERIFY;
	p.opts.ssl_ctx = dpeer_client_ctx(c->root.cert, NULL);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	dpeer_run(&p, &h, 1);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	plog = tsup_smtpd_log(s);
	cr_assert_eq(p.msg.status, DELIVER_OK, "%s", plog);
	cr_assert_eq(p.msg.tls.verified, 1);
	/* The EHLO after TLS was answered by the server, under TLS. */
	cr_assert(strstr(strstr(plog, "1 * TLS "), "1 < EHLO") != NULL,
	    "%s", plog);
	dpeer_fini(&p);
}

Test(deliver_tls, reference_names_domain_then_host)
{
	static const char *const dom_sans[] = {"tsup.test", NULL};
	static const char *const wild_sans[] = {"*.tsup.test", NULL};
	static const char *const deep_wild[] = {"*.sub.tsup.test", NULL};
	static const char *const other_sans[] = {"other.test", NULL};
	static const struct {
		const char *label;
		const char *cn;
		const char *const *sans;
		const char *host;	/* name dialled */
		int	verified;
		const char *matched;
		int	flags;
	} cases[] = {
		{"SAN names the recipient domain", "x.other.test", dom_sans,
		"mx.elsewhere.test", 1, "tsup.test", 0},
		{"wildcard SAN covers the MX host", "x.other.test", wild_sans,
		TSUP_CERT_HOST, 1, TSUP_CERT_HOST, 0},
		{"wildcard covers one label only", "x.other.test", deep_wild,
		"a.b.sub.tsup.test", 0, "", 0},
		{"CN ignored when SANs exist", TSUP_CERT_HOST, other_sans,
		TSUP_CERT_HOST, 0, "", 0},
		{"CN consulted with POLICY_TLS_CN_ALWAYS", TSUP_CERT_HOST,
		other_sans, TSUP_CERT_HOST, 1, TSUP_CERT_HOST,
		POLICY_TLS_CN_ALWAYS},
	};
	const struct tsup_certs *c = tsup_certs_make(NULL);
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_cert_spec spec = {.cn = cases[i].cn,
		.dns = cases[i].sans};
		struct tsup_cert cert = tsup_certs_issue(c,
		    tsup_strf("ref%zu", i), &spec);
		struct tsup_smtpd_opts so = {.max_conns = 1};
		struct tsup_smtpd *s;
		struct deliver_mx_host h;
		struct dpeer p;

		so.tls.cert_file = cert.chain;
		so.tls.key_file = cert.key;
		s = tsup_smtpd_start(&so);
		h = dpeer_host(cases[i].host, tsup_smtpd_port(s));
		dpeer_init(&p);
		p.opts.tls = POLICY_TLS_PREFERRED_VERIFY;
		p.opts.cert_flags = cases[i].flags;
		p.opts.ssl_ctx = dpeer_client_ctx(c->root.cert, NULL);
		dpeer_msg(&p, "x\r\n", 3, one_rcpt);
		dpeer_run(&p, &h, 1);
		cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
		cr_assert_eq(p.msg.status, DELIVER_OK, "%s", cases[i].label);
		cr_assert_eq(p.msg.tls.active, 1, "%s", cases[i].label);
		cr_assert_eq(p.msg.tls.verified, cases[i].verified, "%s",
		    cases[i].label);
		cr_assert_str_eq(p.msg.tls.matched, cases[i].matched, "%s",
		    cases[i].label);
		dpeer_fini(&p);
	}
}

Test(deliver_tls, failure_reasons_as_openssl_1_tuples)
{
	static const struct {
		const char *label;
		int	reason;		/* OpenSSL 3 SSL reason, 0: none */
		const char *text;
		int	sys_errno;
		int	old;		/* OpenSSL 1.0.1 function names */
		const char *want;
		int	mismatch;
	} cases[] = {
		{"peer refused our versions", 1070,
			"tlsv1 alert protocol version", 0, 0,
			"(336151598, 'error:1409442E:SSL routines:"
		"ssl3_read_bytes:tlsv1 alert protocol version')", 1},
		{"same, 1.0.1 names", 1070, "tlsv1 alert protocol version",
			0, 1, "(336151598, 'error:1409442E:SSL routines:"
		"SSL3_READ_BYTES:tlsv1 alert protocol version')", 1},
		{"handshake failure alert", 1040,
			"sslv3 alert handshake failure", 0, 0,
			"(336151568, 'error:14094410:SSL routines:"
		"ssl3_read_bytes:sslv3 alert handshake failure')", 0},
		{"not TLS after the 220", 267, "wrong version number", 0, 0,
			"(336130315, 'error:1408F10B:SSL routines:"
		"ssl3_get_record:wrong version number')", 0},
		{"we refused the server's version", 258,
			"unsupported protocol", 0, 0,
			"(338030850, 'error:1425F102:SSL routines:"
		"ssl_choose_client_version:unsupported protocol')", 1},
		{"unmapped reason", 999, "some reason", 0, 0,
		"(335545319, 'error:140003E7:SSL routines::some reason')", 0},
		{"reset during the handshake", 0, NULL, 104, 0,
		"[Errno 104] Connection reset by peer", 0},
		{"closed during the handshake", 0, NULL, 0, 0,
		"EOF occurred in violation of protocol", 0},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct io_error e;
		struct logs_line_style style;
		struct buf out;
		int	m;

		memset(&e, 0, sizeof(e));
		e.kind = IO_ERR_TLS;
		e.alert = -1;
		if (cases[i].reason) {
			e.count = 1;
			e.err[0].code = ERR_PACK(ERR_LIB_SSL, 0,
			    cases[i].reason);
			snprintf(e.err[0].reason, sizeof(e.err[0].reason),
			    "%s", cases[i].text);
		}
		if (cases[i].sys_errno) {
			e.sys_errno = cases[i].sys_errno;
			snprintf(e.sys_text, sizeof(e.sys_text), "%s",
			    strerror(cases[i].sys_errno));
		}
		logs_line_style_init(&style);
		if (cases[i].old)
			style.sslnames = LOGS_LINE_SSL_101;
		buf_init(&out, 64);
		m = deliver_tls_reason(&e, &style, &out);
		cr_assert_str_eq(out.data, cases[i].want, "%s",
		    cases[i].label);
		cr_assert_eq(m, cases[i].mismatch, "%s", cases[i].label);
		buf_fini(&out);
	}
}

Test(deliver_tls, dsn_descriptions)
{
	static const struct {
		const char *dsn;
		const char *want;
	} cases[] = {
		{"5.1.0", "Unknown address error"},
		{"5.1.1", "Bad destination email address"},
		{"5.1.2", "Bad destination host"},
		{"4.4.0", "Other network problem"},
		{"4.4.7", "Delivery expired (message too old)"},
		{"4.3.2", "Not accepting messages at this time"},
		{"4.7.10", "Encryption needed"},
		{"5.1.99", "Unknown address error"},
		{"5.9.9", "Other or undefined status"},
		{"3.1.0", "Other or undefined status"},
		{"", "Other or undefined status"},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++)
		cr_assert_str_eq(mail_reply_dsn_text(cases[i].dsn),
		    cases[i].want, "%s", cases[i].dsn);
}

Test(deliver_tls, address_host_sends_no_sni_and_is_no_reference)
{
	const struct tsup_certs *c = tsup_certs_make(NULL);
	struct tsup_smtpd_opts so = {.max_conns = 1};
	struct tsup_smtpd *s;
	struct deliver_mx_host h;
	struct dpeer p;
	const char *plog;

	so.tls.cert_file = c->good.chain;
	so.tls.key_file = c->good.key;
	s = tsup_smtpd_start(&so);
	h = dpeer_host("127.0.0.1", tsup_smtpd_port(s));
	dpeer_init(&p);
	p.opts.tls = POLICY_TLS_REQUIRED_VERIFY;
	p.opts.ssl_ctx = dpeer_client_ctx(c->root.cert, NULL);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	dpeer_run(&p, &h, 1);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	plog = tsup_smtpd_log(s);
	cr_assert(strstr(plog, "* SNI") == NULL, "%s", plog);
	cr_assert(strstr(plog, "1 < MAIL") == NULL, "%s", plog);
	cr_assert_eq(p.msg.status, DELIVER_DEFER);
	cr_assert_str_eq(p.rcpts[0].result.text, "certificate verification "
	    "failed: certificate name does not match tsup.test");
	dpeer_fini(&p);
}
