/*
 * NAME
 *	smtpd_session - one inbound SMTP connection
 * DESCRIPTION
 *	See smtpd_session.h. A session is owned by its io: it is freed in
 *	the io's closed() callback and nowhere else, and everything that
 *	may call back later (DNS queries, queue manager requests) is
 *	cancelled there first.
 *
 *	Mail log lines of a connection, in order: New SMTP ICID, the HAT
 *	decision, TLS lines, the MID lines of each message, then "lost"
 *	when the client vanished without QUIT, and "close". A connection
 *	refused with TCPREFUSE gets only the decision line, with ICID 0,
 *	as AsyncOS writes it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dns.h"
#include "io.h"
#include "iptab.h"
#include "mem.h"
#include "msg.h"
#include "seq.h"

#include "logs_icid.h"
#include "logs_line.h"
#include "logs_maillog.h"

#include "mail_line.h"
#include "mail_reply.h"

#include "policy_hat.h"

#include "smtpd.h"
#include "smtpd_auth.h"
#include "smtpd_cmd.h"
#include "smtpd_data.h"
#include "policy_conf.h"
#include "smtpd_session.h"
#include "smtpd_tls.h"

static void smtpd_session_classify(struct smtpd_session *);

/* smtpd_session_command_timeout - wait for a command this long */

void
smtpd_session_command_timeout(struct smtpd_session *ss)
{
	io_set_timeout(ss->io, (unsigned) ss->sd->sv->cf->limits.command_timeout
	    * 1000U);
}

/*
 * smtpd_session_reply - send one reply. Once the session is closing
 * (the client hung up, or we ended it) nothing more is sent: an answer
 * from the queue manager or the resolver may still arrive before the
 * connection is gone.
 */
void
smtpd_session_reply(struct smtpd_session *ss, const struct mail_reply *rp)
{
	if (ss->state == SMTPD_S_CLOSING)
		return;
	buf_reset(ss->scratch);
	mail_reply_format(rp, ss->scratch);
	io_write(ss->io, ss->scratch->data, ss->scratch->len);
}

/* smtpd_session_reply_id - send one reply from the reply table */

void
smtpd_session_reply_id(struct smtpd_session *ss, enum mail_reply_id id,
    const char *arg)
{
	buf_reset(ss->scratch);
	mail_reply_format_id(id, arg, ss->scratch);
	io_write(ss->io, ss->scratch->data, ss->scratch->len);
}

/* smtpd_session_reply_text - send a one-line reply */

void
smtpd_session_reply_text(struct smtpd_session *ss, int code,
    const char *enhanced, const char *text)
{
	struct mail_reply rp;

	mail_reply_init(&rp);
	mail_reply_start(&rp, code, enhanced);
	mail_reply_add(&rp, text);
	smtpd_session_reply(ss, &rp);
	mail_reply_fini(&rp);
}

/* smtpd_session_log - write the line a formatter left in logline */

void
smtpd_session_log(struct smtpd_session *ss, enum logs_line_level level)
{
	if (ss->sd->log)
		(void) logs_maillog_write(ss->sd->log, level, ss->logline);
	buf_reset(ss->logline);
}

/* smtpd_session_busy - wait for an answer: pause input */

void
smtpd_session_busy(struct smtpd_session *ss)
{
	ss->busy = 1;
	io_read_stop(ss->io);
}

/* smtpd_session_resume - the answer came: go on with pending input */

void
smtpd_session_resume(struct smtpd_session *ss)
{
	ss->busy = 0;
	if (ss->state != SMTPD_S_CLOSING)
		io_read_start(ss->io);
}

/* smtpd_session_end - close after the replies already written */

void
smtpd_session_end(struct smtpd_session *ss)
{
	if (ss->state == SMTPD_S_CLOSING)
		return;
	ss->state = SMTPD_S_CLOSING;
	io_close(ss->io);
}

/* smtpd_session_reset - forget the mail transaction */

void
smtpd_session_reset(struct smtpd_session *ss)
{
	size_t	i;

	if (ss->req) {
		smtpd_enqueue_cancel(ss->req);
		ss->req = NULL;
	}
	if (ss->q_sender) {
		dns_query_cancel(ss->q_sender);
		ss->q_sender = NULL;
	}
	if (ss->content_fd >= 0) {
		(void) close(ss->content_fd);
		ss->content_fd = -1;
	}
	if (ss->mid) {
		smtpd_enqueue_abort(ss->sd->enq, ss->mid);
		ss->mid = 0;
	}
	ss->md = mail_data_free(ss->md);
	mail_addr_fini(&ss->sender);
	mail_addr_init(&ss->sender);
	ss->sender_text = mem_free(ss->sender_text);
	for (i = 0; i < ss->rcpt_count; i++)
		mem_free(ss->rcpts[i]);
	ss->rcpts = mem_free(ss->rcpts);
	ss->rcpt_count = 0;
	ss->size_declared = 0;
	ss->body_8bit = 0;
	ss->smtputf8 = 0;
	ss->written = 0;
	ss->write_error = 0;
	ss->pending_line.ptr = mem_free((void *) ss->pending_line.ptr);
	ss->pending_line.len = 0;
}

/* smtpd_session_input - bytes from the client */

static size_t
smtpd_session_input(struct smtpd_session *ss, const char *data, size_t len)
{
	size_t	used = 0;

	ss->in_len = len;
	while (used < len && !ss->busy && ss->state != SMTPD_S_CLOSING
	    && ss->state != SMTPD_S_TLS) {
		struct str line;
		size_t	n = 0;
		int	rc;

		if (ss->state == SMTPD_S_DATA) {
			used += smtpd_data_input(ss, data + used, len - used);
			continue;
		}
		rc = mail_line_get(&ss->line, data + used, len - used, &n,
		    &line);
		used += n;
		if (rc == MAIL_LINE_MORE)
			break;
		ss->in_used = used;
		if (rc != MAIL_LINE_OK && ss->sasl.mech != SMTPD_AUTH_NONE)
			smtpd_auth_fini(&ss->sasl);	/* the reply ends it */
		if (rc == MAIL_LINE_NUL)
			smtpd_session_reply_id(ss, MAIL_REPLY_NUL, NULL);
		else if (rc == MAIL_LINE_TOO_LONG)
			smtpd_session_reply_id(ss, MAIL_REPLY_LINE_TOO_LONG,
			    NULL);
		else
			smtpd_cmd_dispatch(ss, line);
	}
	return (used);
}

/* smtpd_session_data - io callback: plaintext arrived */

static size_t
smtpd_session_data(struct io *io, const char *data, size_t len, void *ctx)
{
	struct smtpd_session *ss = ctx;

	if (ss->state == SMTPD_S_CLASSIFY) {
		/* Talking before the greeting: judged when it is sent. */
		if (len)
			ss->early_talk = 1;
		io_read_stop(io);
		return (0);
	}
	if (ss->busy || ss->state == SMTPD_S_CLOSING)
		return (0);
	return (smtpd_session_input(ss, data, len));
}

static void smtpd_session_cancel_lookups(struct smtpd_session *);

/* smtpd_session_hangup - io callback: the client went away */

static void
smtpd_session_hangup(struct io *io, const struct io_error *err, void *ctx)
{
	struct smtpd_session *ss = ctx;

	if (ss->state != SMTPD_S_CLOSING)
		ss->lost = 1;
	ss->state = SMTPD_S_CLOSING;
	smtpd_session_cancel_lookups(ss);
	io_close(io);
	(void) err;
}

/* smtpd_session_timeout - io callback: the client is too slow */

static void
smtpd_session_timeout(struct io *io, enum io_timeout which, void *ctx)
{
	struct smtpd_session *ss = ctx;

	if (ss->icid && ss->messages == 0 && ss->state != SMTPD_S_DATA)
		smtpd_session_log(ss, logs_icid_timeout(ss->logline, ss->icid,
		    ss->addr));
	if (ss->state != SMTPD_S_CLASSIFY && ss->state != SMTPD_S_TLS)
		smtpd_session_reply_id(ss, MAIL_REPLY_TIMEOUT, NULL);
	smtpd_session_end(ss);
	(void) io;
	(void) which;
}

/* smtpd_session_cancel_lookups - no DNS answer may reach us any more */

static void
smtpd_session_cancel_lookups(struct smtpd_session *ss)
{
	size_t	i;

	if (ss->q_verify)
		dns_query_cancel(ss->q_verify);
	ss->q_verify = NULL;
	if (ss->q_sbrs)
		dns_query_cancel(ss->q_sbrs);
	ss->q_sbrs = NULL;
	for (i = 0; i < ss->q_dnsl_count; i++)
		if (ss->q_dnsl[i])
			dns_query_cancel(ss->q_dnsl[i]);
	ss->q_dnsl_count = 0;
}

/*
 * The listener processes share their totals through the per-address
 * table, under two addresses of the discard-only prefix 100::/64 (RFC
 * 6666), from which no client ever connects.
 */
#define SMTPD_TOTAL_ALL	1		/* limits.max_connections */
#define SMTPD_TOTAL_TLS	2		/* limits.max_tls_connections */

/* smtpd_session_total_key - the table address of one total */

static const struct sockaddr *
smtpd_session_total_key(struct sockaddr_in6 *sin6, int which)
{
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr.s6_addr[0] = 0x01;
	sin6->sin6_addr.s6_addr[15] = (unsigned char) which;
	return ((const struct sockaddr *) sin6);
}

/* smtpd_session_total_enter - count in a total unless it is full */

static int
smtpd_session_total_enter(struct smtpd_session *ss, int which, long max)
{
	struct server *sv = ss->sd->sv;
	struct sockaddr_in6 key;
	unsigned long count;

	if (sv->iptab == NULL)
		return (1);
	return (iptab_conn_enter(sv->iptab, sv->args->slot,
	    smtpd_session_total_key(&key, which), max, &count));
}

/* smtpd_session_total_leave - uncount */

static void
smtpd_session_total_leave(struct smtpd_session *ss, int which)
{
	struct server *sv = ss->sd->sv;
	struct sockaddr_in6 key;

	if (sv->iptab != NULL)
		iptab_conn_leave(sv->iptab, sv->args->slot,
		    smtpd_session_total_key(&key, which));
}

/*
 * smtpd_session_tls_admit - count a TLS session in
 * limits.max_tls_connections; 0 when that many are in progress
 */
int
smtpd_session_tls_admit(struct smtpd_session *ss)
{
	if (ss->tls_counted)
		return (1);
	if (!smtpd_session_total_enter(ss, SMTPD_TOTAL_TLS,
	    ss->sd->sv->cf->limits.max_tls_connections))
		return (0);
	ss->tls_counted = 1;
	return (1);
}

/* smtpd_session_closed - io callback: the connection is gone */

static void
smtpd_session_closed(struct io *io, void *ctx)
{
	struct smtpd_session *ss = ctx;
	struct smtpd *sd = ss->sd;

	smtpd_session_cancel_lookups(ss);
	smtpd_session_reset(ss);
	smtpd_auth_forget(ss);
	if (ss->icid) {
		if (ss->lost)
			smtpd_session_log(ss, logs_icid_lost(ss->logline,
			    ss->icid));
		smtpd_session_log(ss, logs_icid_close(ss->logline, ss->icid));
	}
	if (ss->conn_counted && sd->sv->iptab)
		iptab_conn_leave(sd->sv->iptab, sd->sv->args->slot,
		    (const struct sockaddr *) &ss->peer);
	if (ss->total_counted)
		smtpd_session_total_leave(ss, SMTPD_TOTAL_ALL);
	if (ss->tls_counted)
		smtpd_session_total_leave(ss, SMTPD_TOTAL_TLS);
	mail_addr_fini(&ss->sender);
	mem_free(ss->q_dnsl);
	mem_free(ss->dnsl_ctx);
	mem_free(ss->dnsl_hits);
	mem_free(ss->ptr_name);
	mem_free(ss->hostname);
	mem_free(ss->helo);
	mem_free(ss->tls_protocol);
	mem_free(ss->tls_cipher);
	buf_free(ss->logline);
	buf_free(ss->scratch);
	mem_free(ss);
	smtpd_session_gone(sd);
	(void) io;
}

static const struct io_ops smtpd_session_ops = {
	.data = smtpd_session_data,
	.tls_setup = smtpd_tls_setup,
	.tls_done = smtpd_tls_done,
	.hangup = smtpd_session_hangup,
	.timeout = smtpd_session_timeout,
	.closed = smtpd_session_closed,
};

/* smtpd_session_lookup_done - one classification lookup finished */

static void
smtpd_session_lookup_done(struct smtpd_session *ss)
{
	/* A client that hung up meanwhile gets no greeting. */
	if (--ss->pending == 0 && ss->state != SMTPD_S_CLOSING)
		smtpd_session_classify(ss);
}

/* smtpd_session_verified - PTR and forward confirmation */

static void
smtpd_session_verified(const struct dns_verify_result *r, void *ctx)
{
	struct smtpd_session *ss = ctx;

	ss->q_verify = NULL;
	if (r->status == DNS_VERIFY_CANCELLED)
		return;
	if (r->hostname)
		ss->ptr_name = mem_strdup(r->hostname);
	ss->verified = r->verified;
	if (r->verified && r->hostname)
		ss->hostname = mem_strdup(r->hostname);
	switch (r->status) {
	case DNS_VERIFY_OK:
		ss->pp.ptr = POLICY_PTR_OK;
		break;
	case DNS_VERIFY_NOPTR:
		ss->pp.ptr = POLICY_PTR_NONE;
		break;
	case DNS_VERIFY_TEMPFAIL:
		ss->pp.ptr = POLICY_PTR_TEMPFAIL;
		break;
	default:
		ss->pp.ptr = POLICY_PTR_MISMATCH;
		break;
	}
	smtpd_session_lookup_done(ss);
}

/* smtpd_session_dnsl - a DNS list answered */

static void
smtpd_session_dnsl(const struct dns_result *r, void *ctx)
{
	struct smtpd_dnsl *dl = ctx;
	struct smtpd_session *ss = dl->ss;

	if (r->status == DNS_CANCELLED)
		return;
	ss->q_dnsl[dl->index] = NULL;
	if (r->status == DNS_FOUND)
		ss->dnsl_hits[ss->dnsl_hit_count++] = dl->zone;
	smtpd_session_lookup_done(ss);
}

/* smtpd_session_sbrs_txt - a SenderBase score from DNS */

static void
smtpd_session_sbrs_txt(const struct dns_result *r, void *ctx)
{
	struct smtpd_session *ss = ctx;
	char   *end;
	double	score;

	ss->q_sbrs = NULL;
	if (r->status == DNS_CANCELLED)
		return;
	if (r->status == DNS_FOUND && r->ntxts > 0) {
		errno = 0;
		score = strtod(r->txts[0].data, &end);
		if (errno == 0 && end != r->txts[0].data && *end == 0
		    && score >= -10.0 && score <= 10.0) {
			ss->pp.sbrs_state = POLICY_SBRS_SCORE;
			ss->pp.sbrs = (int) (score * 10.0 + (score < 0 ? -0.5
			    : 0.5));
		}
	}
	smtpd_session_lookup_done(ss);
}

/* smtpd_session_start_lookups - ask DNS what the HAT needs */

static void
smtpd_session_start_lookups(struct smtpd_session *ss)
{
	struct smtpd *sd = ss->sd;
	const struct sockaddr *sa = (const struct sockaddr *) &ss->peer;
	const char *const *zones;
	size_t	nzones = policy_hat_dnslists(ss->sl->hat, &zones);
	size_t	i;

	ss->pending = 1;			/* held until all are asked */
	ss->pending++;
	ss->q_verify = dns_verify_client(sd->dns, sa, smtpd_session_verified,
	    ss);
	ss->q_dnsl = mem_zalloc(nzones + 1, sizeof(*ss->q_dnsl));
	ss->dnsl_ctx = mem_zalloc(nzones + 1, sizeof(*ss->dnsl_ctx));
	ss->dnsl_hits = mem_zalloc(nzones + 1, sizeof(*ss->dnsl_hits));
	for (i = 0; i < nzones; i++) {
		struct smtpd_dnsl *dl = ss->dnsl_ctx + i;

		dl->ss = ss;
		dl->index = i;
		dl->zone = zones[i];
		ss->pending++;
		ss->q_dnsl_count = i + 1;
		ss->q_dnsl[i] = dns_lookup_dnsl(sd->dns, sa, zones[i],
		    smtpd_session_dnsl, dl);
	}

	/* SenderBase: the static table, else the first DNS source. */
	if (sd->sbrs_count == 0 && sd->sv->cf->sbrs.dnslist_count == 0) {
		ss->pp.sbrs_state = POLICY_SBRS_OFF;
	} else if (policy_conf_sbrs_lookup(sd->sbrs, sd->sbrs_count, &ss->pp,
	    &ss->pp.sbrs)) {
		ss->pp.sbrs_state = POLICY_SBRS_SCORE;
	} else {
		ss->pp.sbrs_state = POLICY_SBRS_NONE;
		if (sd->sv->cf->sbrs.dnslist_count) {
			struct buf *name = buf_new(0);

			if (dns_reverse_name(name, sa,
			    sd->sv->cf->sbrs.dnslists[0].text) == 0) {
				ss->pending++;
				ss->q_sbrs = dns_lookup_txt(sd->dns, name->data,
				    smtpd_session_sbrs_txt, ss);
			}
			buf_free(name);
		}
	}
	smtpd_session_lookup_done(ss);
}

/* smtpd_session_log_sbrs - the SBRS field of the HAT line */

static void
smtpd_session_log_sbrs(const struct smtpd_session *ss,
    struct logs_line_sbrs *sbrs)
{
	sbrs->tenths = ss->pp.sbrs;
	switch (ss->pp.sbrs_state) {
	case POLICY_SBRS_SCORE:
		sbrs->kind = LOGS_LINE_SBRS_SCORE;
		break;
	case POLICY_SBRS_NONE:
		sbrs->kind = LOGS_LINE_SBRS_NONE;
		break;
	default:
		sbrs->kind = LOGS_LINE_SBRS_NOT_ENABLED;
		break;
	}
}

/* smtpd_session_action - the log keyword of a policy action */

static enum logs_icid_action
smtpd_session_action(enum policy_action action)
{
	switch (action) {
	case POLICY_ACTION_RELAY:
		return (LOGS_ICID_RELAY);
	case POLICY_ACTION_REJECT:
		return (LOGS_ICID_REJECT);
	case POLICY_ACTION_TCPREFUSE:
		return (LOGS_ICID_TCPREFUSE);
	default:
		return (LOGS_ICID_ACCEPT);
	}
}

/* smtpd_session_greet - the banner the policy says */

static void
smtpd_session_greet(struct smtpd_session *ss, int code, const char *text,
    const char *dflt)
{
	struct mail_reply rp;
	struct buf *expanded = buf_new(0);

	if (text)
		policy_hat_expand(expanded, text, &ss->hat, &ss->pp);
	else
		buf_puts(expanded, dflt);
	mail_reply_init(&rp);
	mail_reply_start(&rp, code, "");
	mail_reply_add(&rp, expanded->data);
	smtpd_session_reply(ss, &rp);
	mail_reply_fini(&rp);
	buf_free(expanded);
}

/* smtpd_session_welcome - the greeting (or refusal) the policy says */

void
smtpd_session_welcome(struct smtpd_session *ss)
{
	const struct conf_listener *cl = ss->sl->cl;
	const char *hostname = cl->hostname[0] ? cl->hostname
	    : ss->sd->sv->cf->hostname;
	struct buf *dflt;

	dflt = buf_new(0);
	if (ss->flow->action == POLICY_ACTION_REJECT) {
		buf_printf(dflt, "%s Access Denied", hostname);
		smtpd_session_greet(ss, ss->flow->reject_code,
		    ss->flow->reject_text, dflt->data);
		ss->state = SMTPD_S_REJECTED;
	} else {
		buf_printf(dflt, "%s ESMTP", hostname);
		smtpd_session_greet(ss, ss->flow->banner_code,
		    ss->flow->banner_text, dflt->data);
		ss->state = SMTPD_S_GREETED;
	}
	buf_free(dflt);
	smtpd_session_command_timeout(ss);
	io_read_start(ss->io);
}

/* smtpd_session_classify - the HAT decides; greet or refuse */

static void
smtpd_session_classify(struct smtpd_session *ss)
{
	struct smtpd *sd = ss->sd;
	const struct conf_listener *cl = ss->sl->cl;
	struct logs_line_sbrs sbrs;
	unsigned long count;

	ss->pp.hostname = ss->hostname;
	ss->pp.dnslists = ss->dnsl_hits;
	ss->pp.dnslist_count = ss->dnsl_hit_count;
	if (policy_hat_match(ss->sl->hat, &ss->pp, &ss->hat) != POLICY_FOUND) {
		msg_warn("%s: sender group matching failed: deferring",
		    ss->addr);
		smtpd_session_reply_id(ss, MAIL_REPLY_LOCAL_ERROR, NULL);
		smtpd_session_end(ss);
		return;
	}
	ss->flow = ss->hat.flow;
	smtpd_session_log_sbrs(ss, &sbrs);
	if (ss->flow->action == POLICY_ACTION_TCPREFUSE) {
		smtpd_session_log(ss, logs_icid_hat(ss->logline, 0,
		    LOGS_ICID_TCPREFUSE, ss->hat.group, ss->hat.match, &sbrs,
		    NULL));
		ss->state = SMTPD_S_CLOSING;
		io_abort(ss->io);
		return;
	}
	ss->icid = seq_next(sd->sv->seq, SEQ_ICID);
	smtpd_session_log(ss, logs_icid_new(ss->logline, ss->icid,
	    cl->interface, ss->sl->ifip, ss->addr,
	    ss->ptr_name ? ss->ptr_name : "unknown", ss->verified));
	smtpd_session_log(ss, logs_icid_hat(ss->logline, ss->icid,
	    smtpd_session_action(ss->flow->action), ss->hat.group,
	    ss->hat.match, &sbrs, NULL));

	if (sd->sv->iptab && ss->flow->action != POLICY_ACTION_REJECT) {
		if (!iptab_conn_enter(sd->sv->iptab, sd->sv->args->slot,
		    (const struct sockaddr *) &ss->peer,
		    ss->flow->max_conns_per_ip, &count)) {
			smtpd_session_log(ss, logs_icid_conn_limit(ss->logline,
			    ss->addr, cl->name, ss->icid,
			    (unsigned long) ss->flow->max_conns_per_ip));
			smtpd_session_log(ss, logs_icid_receiving_failed(
			    ss->logline, ss->icid, "Connection limit exceeded"));
			smtpd_session_reply_text(ss, 421, "4.7.0",
			    "Too many concurrent connections from your host");
			smtpd_session_end(ss);
			return;
		}
		ss->conn_counted = 1;
	}
	if (ss->early_talk) {
		smtpd_session_reply_id(ss, MAIL_REPLY_SYNC, NULL);
		smtpd_session_end(ss);
		return;
	}
	if (cl->implicit_tls) {
		/* SMTPS: the handshake first, the greeting over TLS. */
		if (ss->sl->ssl_ctx == NULL) {
			smtpd_session_end(ss);	/* no certificate: said at start */
			return;
		}
		/* Over limits.max_tls_connections: no clear text to say so. */
		if (!smtpd_session_tls_admit(ss)) {
			smtpd_session_end(ss);
			return;
		}
		ss->greet_after_tls = 1;
		smtpd_tls_start(ss);
		return;
	}
	smtpd_session_welcome(ss);
}

/* smtpd_session_accept - take one connection */

void
smtpd_session_accept(struct smtpd_listener *sl)
{
	struct smtpd *sd = sl->sd;
	struct smtpd_session *ss = mem_zalloc(1, sizeof(*ss));
	const struct sockaddr *sa;
	int	err = 0;

	ss->sd = sd;
	ss->sl = sl;
	ss->content_fd = -1;
	ss->logline = buf_new(0);
	ss->scratch = buf_new(0);
	mail_addr_init(&ss->sender);
	smtpd_auth_init(&ss->sasl);
	mail_line_init(&ss->line, (size_t) sd->sv->cf->limits.max_line);
	if ((ss->io = io_accept((uv_stream_t *) &sl->handle,
	    &smtpd_session_ops, ss, &err)) == NULL) {
		if (err != EAGAIN)
			msg_warn("accept on %s: %s", sl->cl->name,
			    strerror(err));
		buf_free(ss->logline);
		buf_free(ss->scratch);
		mem_free(ss);
		return;
	}
	if (sl->cl->implicit_tls)
		io_read_stop(ss->io);	/* the ClientHello waits for the HAT */
	/* limits.max_connection_time: ended as a timeout when it runs out. */
	io_set_lifetime(ss->io,
	    (unsigned) (sd->sv->cf->limits.max_connection_time * 1000));
	sd->sessions++;
	/*
	 * Past the descriptor limit libuv accepts and closes connections
	 * without telling us: say so while it can still be said.
	 */
	if (sd->fd_warn && sd->sessions >= sd->fd_warn && !sd->fd_warned) {
		msg_warn("listener: %zu sessions, near this process's "
		    "descriptor limit: connections beyond it are closed "
		    "without a greeting (add processes.listeners, or raise "
		    "the limit)", sd->sessions);
		sd->fd_warned = 1;
	}
	sa = io_peer_addr(ss->io);
	memcpy(&ss->peer, sa, sa->sa_family == AF_INET6
	    ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	(void) snprintf(ss->addr, sizeof(ss->addr), "%s",
	    io_peer_name(ss->io));
	if (!policy_ip_from_sockaddr(&ss->pp.ip, sa)) {
		msg_warn("%s: unsupported address family", ss->addr);
		ss->state = SMTPD_S_CLOSING;
		io_abort(ss->io);
		return;
	}
	ss->state = SMTPD_S_CLASSIFY;
	if (!smtpd_session_total_enter(ss, SMTPD_TOTAL_ALL,
	    sd->sv->cf->limits.max_connections)) {
		/* Said before any lookup: a flood costs nothing more. */
		smtpd_session_reply_text(ss, 421, "4.3.2", "Too many "
		    "concurrent connections, try again later");
		smtpd_session_end(ss);
		return;
	}
	ss->total_counted = 1;
	smtpd_session_command_timeout(ss);
	smtpd_session_start_lookups(ss);
}
