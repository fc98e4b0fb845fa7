/*
 * NAME
 *	deliver_smtp - one outbound SMTP delivery attempt, under Destination
 *	Controls
 * SYNOPSIS
 *	#include "deliver_smtp.h"
 *
 *	void	deliver_timeouts_init(struct deliver_timeouts *to);
 *	void	deliver_smtp_opts_init(struct deliver_smtp_opts *opts);
 *
 *	struct deliver_smtp *deliver_smtp_start(uv_loop_t *loop,
 *		    const struct deliver_smtp_opts *opts,
 *		    const struct deliver_mx_host *hosts, size_t nhosts,
 *		    struct deliver_msg *msg, deliver_smtp_fn done, void *ctx);
 *	int	deliver_smtp_next(struct deliver_smtp *ds,
 *		    struct deliver_msg *msg, deliver_smtp_fn done, void *ctx);
 *	void	deliver_smtp_quit(struct deliver_smtp *ds);
 *	int	deliver_smtp_reusable(const struct deliver_smtp *ds);
 *	unsigned long deliver_smtp_dcid(const struct deliver_smtp *ds);
 *	const struct deliver_mx_host *deliver_smtp_host(
 *		    const struct deliver_smtp *ds);
 *	size_t	deliver_smtp_live(void);
 *
 *	void	deliver_mx_fail(const struct deliver_mx_result *res,
 *		    struct deliver_msg *msg, struct logs_maillog *log);
 *	void	deliver_msg_init(struct deliver_msg *msg);
 *	void	deliver_msg_fini(struct deliver_msg *msg);
 *	const char *deliver_status_name(enum deliver_status status);
 * DESCRIPTION
 *	A delivery job is one message (struct deliver_msg: MID, sender,
 *	a read-only descriptor of its content, its recipients for one
 *	destination domain) and the hosts to try (deliver_mx(3)).
 *	deliver_smtp_start() runs one delivery attempt for it on the loop,
 *	through io(3), and calls done(ds, msg, ctx) once, from the loop,
 *	when every recipient has a result.
 *
 *	The connection. Hosts are tried in order. A host is given up, and
 *	the next one tried, when the connection fails or times out, the
 *	greeting is not 220, EHLO and HELO are both refused, TLS cannot
 *	be had as opts->tls demands, or the connection drops before the
 *	transaction starts; the reason of the last host is what the
 *	recipients get: bounced when it is a 5xx reply (a 554 greeting,
 *	EHLO and HELO both refused), else deferred (with a 4.x.x code).
 *	Only the expected codes count as success: 220 for the greeting
 *	and STARTTLS, 250 for EHLO, HELO, MAIL, RSET and the final dot,
 *	250 or 251 for RCPT, 354 for DATA; any other reply is a failure
 *	(5xx permanent, anything else temporary).
 *
 *	The session: 220 greeting, EHLO (HELO after a 5xx to EHLO;
 *	extensions are read from the second reply line on, so a keyword
 *	on the first line is not seen, as AsyncOS reads it: TN212587),
 *	STARTTLS as opts->tls says, with every event decided by
 *	policy_tls_outcome(3):
 *	.IP \(bu
 *	STARTTLS not advertised: "DCID n STARTTLS command not supported.";
 *	clear text unless the level is required.
 *	.IP \(bu
 *	STARTTLS answered with anything but 220: under a required level,
 *	"Connection Error: ... details: <code>-'<text>' ... reason:
 *	unexpected SMTP response" and "DCID n TLS failed: STARTTLS
 *	unexpected response"; under a preferred level the session goes on
 *	in clear on the same connection.
 *	.IP \(bu
 *	the handshake fails after the 220: never clear text on that
 *	connection; "DCID n TLS failed: <reason>" (an OpenSSL 1.x tuple,
 *	or "[Errno N] text"), or "DCID n TLS deferring: <tuple> TLS
 *	version mismatch could be the failure reason" when the peer
 *	refused our protocol versions. The host is given up.
 *	.IP \(bu
 *	the handshake succeeds: "DCID n TLS success protocol P cipher C",
 *	then the certificate is checked: chain to the trust store of
 *	opts->ssl_ctx, and a SAN DNS name (or the CN, see
 *	POLICY_TLS_CN_ALWAYS) matching the recipient domain, then the
 *	host name dialled (MX or route host), by policy_tls_cert_match(3).
 *	Preferred-verify delivers over TLS either way (a failure goes to
 *	msg_info()); required-verify gives the host up with "DCID n TLS
 *	failed: certificate verification failed: <why>".
 *	.PP
 *	Every TLS refusal under a required level also logs "DCID n IP <ip>
 *	TLS was required but could not be successfully negotiated". After
 *	TLS, EHLO is sent again and only the new reply counts; bytes the
 *	server sent after its 220 are discarded (CVE-2011-0411).
 *
 *	The transaction. "Delivery start DCID n MID m to RID [..]", MAIL
 *	FROM (SIZE= and BODY=8BITMIME only when advertised; a message that
 *	needs SMTPUTF8 to a server without it is not sent: its recipients
 *	bounce with 5.6.7), RCPT TO for each recipient, DATA. With
 *	PIPELINING, MAIL, every RCPT and DATA go in one write; without it
 *	each waits for its reply. A recipient refused at RCPT bounces (5xx,
 *	"Bounced: ..." line) or is deferred (4xx, "Delayed: ..." line);
 *	when none is accepted the DATA is not sent (or, when pipelined, a
 *	354 to it gets the final dot alone, so nothing is delivered). The
 *	content is read from msg->fd with pread(2) in blocks, under back
 *	pressure: every line ends in CRLF on the wire (a bare CR and a bare
 *	LF each become CRLF), a line that starts with "." gets another, a
 *	line longer than 998 octets is folded (CRLF and a space inserted,
 *	as Postfix does: refusing instead would need the whole message
 *	scanned first), and the final CRLF.CRLF is sent exactly once. A
 *	250 after the dot delivers every accepted recipient ("MID m RID
 *	[..] Response '<text>'", "Message done DCID n MID m to RID [..]");
 *	4xx defers them, 5xx bounces them.
 *
 *	Results. Each recipient gets a struct deliver_result: status
 *	(delivered, deferred, bounced), the reply code (0 when there was
 *	none: connection, TLS policy, DNS), the enhanced status code (the
 *	server's, else inferred: x.1.0 at RCPT/MAIL, x.3.0 for DATA, 4.4.1
 *	for a refused connection, 4.4.0 for other network errors, 4.5.0 for
 *	a malformed or out-of-protocol reply, 4.7.4 when STARTTLS is not
 *	offered or refused under a required level, 4.7.5 for a failed
 *	handshake or certificate), and the reply text or
 *	our reason (owned by msg, freed by deliver_msg_fini()). msg->status
 *	is DEFER when any recipient was deferred, else BOUNCE when any
 *	bounced, else OK; msg->tls has the TLS facts of the connection that
 *	carried (or refused) the message.
 *
 *	Smarthosts. When the host being tried is one of opts->relays (same
 *	name as the route writes it, same port), its terms apply on that
 *	connection: implicit_tls starts the handshake right after connect,
 *	before the greeting (SMTPS; a server that answers in clear text
 *	gets "it expects STARTTLS, not SMTPS" in the reason), and
 *	implicit_tls or require_tls raise the TLS level of the hop to at
 *	least required (required-verify when the destination verifies).
 *	With a mechanism, AUTH (mail_sasl(3)) follows the EHLO after TLS:
 *	never without TLS unless allow_plain; a server that does not offer
 *	AUTH, or offers neither PLAIN nor LOGIN, is given up (4.7.0; "the
 *	server does not offer AUTH on this port" points at a wrong port);
 *	a 535 defers the recipients with 4.7.8 and the server's words, and
 *	sets msg->auth_failed (never a bounce: the sender is not at
 *	fault). A greeting that never comes on a STARTTLS smarthost says
 *	that the port may expect SMTPS. The password is written only to
 *	the connection and wiped from memory after.
 *
 *	Reuse. With opts->keep the connection stays open after done():
 *	when deliver_smtp_reusable() says so (a healthy session), the
 *	caller may send another message of the same destination (same
 *	TLS level) with deliver_smtp_next(), which sends RSET first when
 *	the last transaction did not end cleanly; or it calls
 *	deliver_smtp_quit(). deliver_smtp_next() returns 0, or -1 when the
 *	connection cannot be reused (done() is then not called; call
 *	deliver_smtp_quit()). Without opts->keep, or when
 *	deliver_smtp_reusable() is 0 as done() returns, the session sends
 *	QUIT and frees itself after done() returns: the caller must not
 *	use ds any more. A kept session stays allocated, even when the
 *	peer closes it or it idles out (opts->to.rset_ms), until the caller
 *	calls deliver_smtp_quit(), which sends QUIT (when the connection is
 *	still healthy), closes and frees; ds is invalid after it. Inside
 *	done(), deliver_smtp_quit() is always allowed. The loop runs until
 *	the connection is closed. "DCID n close" ends every connection's
 *	lines.
 *
 *	Timeouts (struct deliver_timeouts, milliseconds; RFC 5321 section
 *	4.5.3.2 defaults from deliver_timeouts_init()): connect 30 s,
 *	greeting 5 min, EHLO/HELO 5 min, STARTTLS and the handshake 2 min,
 *	MAIL 5 min, RCPT 5 min, DATA 2 min, each data block 3 min, the reply
 *	to the dot 10 min, RSET and QUIT 2 min. A timeout is a network
 *	error (deferral); after the dot it is a possible duplicate, still
 *	deferred.
 *
 *	Ownership: deliver_smtp_start() copies opts (its strings and the
 *	source address included) and the host list. opts->ssl_ctx,
 *	opts->log and opts->seq are borrowed and must outlive the session;
 *	msg, its strings, recipients and descriptor are borrowed until
 *	done() has been called for it (the session never closes msg->fd).
 *	A connection kept for reuse must carry only mail of the same
 *	destination (same TLS level and reference names).
 *
 *	deliver_smtp_live() counts the sessions of the process that are
 *	not freed yet (under way, kept, or sending QUIT), so a stopping
 *	process can wait until every connection has said its "close".
 *
 *	DCIDs come from opts->seq (seq_next(SEQ_DCID)) or, when it is null,
 *	opts->next_dcid(opts->dcid_ctx). A connection that could not be
 *	made still takes a DCID, for its "Connection Error" line.
 *
 *	deliver_mx_fail() gives every recipient of msg the result of a
 *	failed next-hop lookup (bounced for not found: 5.1.2 "Bad
 *	destination host"; deferred for a temporary failure: 4.4.3) and
 *	logs "Bounced: DCID 0 ..." or "Delayed: DCID 0 ..." with code
 *	"000" for each. A /dev/null route delivers every recipient.
 *
 *	deliver_msg_init() clears msg (fd -1); the caller fills in the job.
 *	deliver_msg_fini() frees the results (not the job's own strings).
 *	The description after the enhanced code in "Bounced:" and
 *	"Delayed:" lines comes from mail_reply_dsn_text(3).
 *
 *	Limits of this version: a body with 8-bit octets goes as it is to
 *	a server that does not offer 8BITMIME (no conversion to 7 bit);
 *	a connection lost after the final dot defers the recipients (a
 *	possible duplicate, not logged as "Possible Delivery"); the
 *	certificate failure under preferred-verify goes to msg_info(), as
 *	the mail log has no documented line for it; no TLS session is
 *	cached or resumed.
 *
 *	The process must ignore SIGPIPE, as every mtad process does: a
 *	peer that closes while content is being written must not kill it.
 * SECURITY
 *	Replies are untrusted: lines are parsed by mail_reply(3) with
 *	bounded length and count; a malformed reply is a temporary failure.
 *	Nothing from a reply reaches the log unescaped.
 */
#ifndef DELIVER_SMTP_H
#define DELIVER_SMTP_H

#include <sys/types.h>

#include <stddef.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "seq.h"
#include "mail_sasl.h"
#include "logs_maillog.h"
#include "policy_tls.h"
#include "deliver_mx.h"

#define DELIVER_LINE_MAX	998	/* text line octets without CRLF */

enum deliver_status {
	DELIVER_NONE,			/* no result yet */
	DELIVER_OK,			/* delivered: 2xx after the dot */
	DELIVER_DEFER,			/* temporary: try again later */
	DELIVER_BOUNCE,			/* permanent: return to the sender */
};

struct deliver_result {
	enum deliver_status status;
	int	code;			/* reply code, 0: none ("000") */
	char	dsn[16];		/* "5.1.1": given or inferred */
	char   *text;			/* reply text after the code (enhanced
					 * code included), lines joined by
					 * "\n", or our reason; owned */
};

struct deliver_rcpt {
	const char *addr;		/* envelope address, no brackets */
	unsigned rid;
	struct deliver_result result;	/* filled in by the attempt */
};

struct deliver_tls {
	int	active;			/* the session ran over TLS */
	char	protocol[16];		/* "TLSv1.3" */
	char	cipher[64];		/* OpenSSL name */
	int	verified;		/* chain and name both good */
	long	verify_result;		/* X509_V_OK, X509_V_ERR_* */
	char	matched[256];		/* reference name that matched */
	enum policy_tls_reason reason;	/* how TLS ended for the message */
};

struct deliver_msg {
	unsigned long mid;
	const char *sender;		/* "" for the null sender */
	int	fd;			/* content, CRLF lines, pread() */
	off_t	size;			/* content size for SIZE=, 0: none */
	int	body_8bit;		/* ask BODY=8BITMIME when offered */
	int	smtputf8;		/* needs SMTPUTF8 */
	struct deliver_rcpt *rcpts;
	size_t	nrcpts;
	/* results */
	enum deliver_status status;	/* DEFER > BOUNCE > OK */
	size_t	ndelivered;
	size_t	ndeferred;
	size_t	nbounced;
	struct deliver_tls tls;
	int	auth_failed;		/* the smarthost refused our AUTH */
};

/* A smarthost's terms (config smarthosts), matched by host and port. */
struct deliver_relay {
	const char *host;		/* as the route names it */
	unsigned port;
	int	implicit_tls;		/* SMTPS: TLS from the first byte */
	int	require_tls;		/* STARTTLS, at least required */
	enum mail_sasl_mech mech;	/* MAIL_SASL_NONE: no AUTH */
	const char *user;
	const char *pass;
	int	allow_plain;		/* AUTH without TLS allowed */
};

struct deliver_timeouts {
	unsigned connect_ms;
	unsigned greeting_ms;
	unsigned helo_ms;
	unsigned starttls_ms;		/* reply to STARTTLS, and handshake */
	unsigned mail_ms;
	unsigned rcpt_ms;
	unsigned data_ms;		/* 354 */
	unsigned block_ms;		/* each block of content */
	unsigned dot_ms;		/* reply to the final dot */
	unsigned rset_ms;
	unsigned quit_ms;
};

struct deliver_smtp_opts {
	const char *helo_name;		/* our name in EHLO/HELO */
	const char *domain;		/* recipient domain */
	enum policy_tls_level tls;	/* resolved (not DEFAULT) */
	SSL_CTX *ssl_ctx;		/* certs_ctx_client() with the trust
					 * store; NULL: STARTTLS never sent */
	int	cert_flags;		/* POLICY_TLS_CN_ALWAYS */
	const struct sockaddr *src;	/* interface address, NULL: any */
	struct logs_maillog *log;	/* NULL: no mail log lines */
	struct seq *seq;		/* DCID source, or */
	unsigned long (*next_dcid)(void *);
	void   *dcid_ctx;
	int	keep;			/* keep the connection for _next() */
	const struct deliver_relay *relays;	/* smarthosts, borrowed */
	size_t	nrelays;
	struct deliver_timeouts to;
};

struct deliver_smtp;

typedef void (*deliver_smtp_fn)(struct deliver_smtp *, struct deliver_msg *,
	    void *);

void	deliver_timeouts_init(struct deliver_timeouts *);
void	deliver_smtp_opts_init(struct deliver_smtp_opts *);

struct deliver_smtp *deliver_smtp_start(uv_loop_t *,
	    const struct deliver_smtp_opts *, const struct deliver_mx_host *,
	    size_t, struct deliver_msg *, deliver_smtp_fn, void *);
int	deliver_smtp_next(struct deliver_smtp *, struct deliver_msg *,
	    deliver_smtp_fn, void *);
void	deliver_smtp_quit(struct deliver_smtp *);
int	deliver_smtp_reusable(const struct deliver_smtp *);
unsigned long deliver_smtp_dcid(const struct deliver_smtp *);
const struct deliver_mx_host *deliver_smtp_host(const struct deliver_smtp *);
size_t	deliver_smtp_live(void);

void	deliver_mx_fail(const struct deliver_mx_result *, struct deliver_msg *,
	    struct logs_maillog *);
void	deliver_msg_init(struct deliver_msg *);
void	deliver_msg_fini(struct deliver_msg *);
const char *deliver_status_name(enum deliver_status);

#endif
