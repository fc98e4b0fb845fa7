/*
 * NAME
 *	smtpd_tls - STARTTLS on an inbound session
 * DESCRIPTION
 *	See smtpd_tls.h.
 */
#include "config.h"

#include <openssl/x509.h>

#include "buf.h"
#include "io.h"
#include "mem.h"
#include "msg.h"

#include "logs_icid.h"
#include "logs_maillog.h"

#include "certs_conf.h"
#include "certs_errmap.h"

#include "policy_flow.h"

#include "server.h"

#include "smtpd.h"
#include "smtpd_auth.h"
#include "smtpd_session.h"
#include "smtpd_tls.h"

/* smtpd_tls_accept_any - record the client certificate verdict only */

static int
smtpd_tls_accept_any(int preverify_ok, X509_STORE_CTX *store)
{
	(void) preverify_ok;
	(void) store;
	return (1);
}

/*
 * smtpd_tls_trust - client certificates are verified against the trust
 * store of the configuration (tls.trust.*), loaded into the listener's
 * context on first use. A store that cannot be loaded leaves an empty
 * one: every client certificate is then invalid (fail closed).
 */
static void
smtpd_tls_trust(struct smtpd_session *ss)
{
	struct buf *err = buf_new(0);

	if (certs_conf_trust_ctx(ss->sl->ssl_ctx, ss->sd->sv->cf, err) != 0)
		msg_warn("listener %s: trust store: %s: no client certificate "
		    "will verify", ss->sl->cl->name, err->data);
	buf_free(err);
}

/* smtpd_tls_start - begin the handshake after "220 Ready to start TLS" */

void
smtpd_tls_start(struct smtpd_session *ss)
{
	size_t	dropped = 0;

	ss->state = SMTPD_S_TLS;
	if (ss->flow && ss->flow->tls_verify_client == POLICY_BOOL_ON)
		smtpd_tls_trust(ss);
	if (io_starttls_server(ss->io, ss->sl->ssl_ctx, ss->in_used,
	    &dropped) != 0) {
		smtpd_session_end(ss);
		return;
	}
	if (dropped)
		msg_info("ICID %llu: discarded %zu bytes sent after STARTTLS "
		    "before the TLS handshake", ss->icid, dropped);
}

/* smtpd_tls_setup - per-connection TLS options */

void
smtpd_tls_setup(struct io *io, SSL *ssl, void *ctx)
{
	struct smtpd_session *ss = ctx;

	if (ss->flow && ss->flow->tls_verify_client == POLICY_BOOL_ON)
		SSL_set_verify(ssl, SSL_VERIFY_PEER, smtpd_tls_accept_any);
	(void) io;
}

/* smtpd_tls_client_ok - does the client certificate pass the policy */

static int
smtpd_tls_client_ok(const struct smtpd_session *ss,
    const struct io_tls_info *info)
{
	if (ss->flow->tls_verify_client != POLICY_BOOL_ON)
		return (1);
	if (info->peer_cert == NULL)
		return (ss->flow->tls != POLICY_ITLS_REQUIRED);
	return (info->verify_result == X509_V_OK);
}

/* smtpd_tls_done - the handshake ended */

void
smtpd_tls_done(struct io *io, const struct io_tls_info *info, void *ctx)
{
	struct smtpd_session *ss = ctx;
	struct buf *reason;

	if (!info->ok) {
		reason = buf_new(0);
		certs_errmap_format(reason, info->err, 1,
		    logs_maillog_style(ss->sd->log)->sslnames);
		smtpd_session_log(ss, logs_icid_tls_failed(ss->logline,
		    logs_maillog_style(ss->sd->log), ss->icid, reason->data));
		buf_free(reason);
		ss->lost = 1;
		ss->state = SMTPD_S_CLOSING;
		io_close(io);
		return;
	}
	ss->tls = 1;
	ss->tls_protocol = mem_strdup(info->protocol);
	ss->tls_cipher = mem_strdup(info->cipher);
	ss->tls_bits = info->cipher_bits;
	smtpd_session_log(ss, logs_icid_tls_success(ss->logline,
	    logs_maillog_style(ss->sd->log), ss->icid, info->protocol,
	    info->cipher));
	if (!smtpd_tls_client_ok(ss, info)) {
		reason = buf_new(0);
		buf_printf(reason, "client certificate %s",
		    info->peer_cert ? X509_verify_cert_error_string(
		    info->verify_result) : "missing");
		smtpd_session_log(ss, logs_icid_receiving_failed(ss->logline,
		    ss->icid, reason->data));
		buf_free(reason);
		smtpd_session_reply_text(ss, 421, "4.7.1",
		    "Client certificate not accepted, closing connection");
		smtpd_session_end(ss);
		return;
	}
	if (ss->greet_after_tls) {
		ss->greet_after_tls = 0;	/* SMTPS: now the greeting */
		smtpd_session_welcome(ss);
		return;
	}
	/* RFC 3207 section 4.2: forget everything said in clear. */
	ss->state = SMTPD_S_GREETED;
	ss->esmtp = 0;
	ss->helo = mem_free(ss->helo);
	smtpd_auth_forget(ss);
	smtpd_session_command_timeout(ss);
}
