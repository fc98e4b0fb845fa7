/*
 * NAME
 *	smtpd_tls - STARTTLS on an inbound session
 * SYNOPSIS
 *	#include "smtpd_tls.h"
 *
 *	void	smtpd_tls_start(struct smtpd_session *ss);
 *	void	smtpd_tls_setup(struct io *io, SSL *ssl, void *ctx);
 *	void	smtpd_tls_done(struct io *io, const struct io_tls_info *info,
 *		    void *ctx);
 * DESCRIPTION
 *	smtpd_tls_start() is called by the STARTTLS command after its 220
 *	reply: the handshake starts at the end of the command line, and
 *	every byte the client pipelined after it is discarded
 *	(CVE-2011-0411), so nothing sent in clear can be taken as sent
 *	under TLS.
 *
 *	smtpd_tls_setup() and smtpd_tls_done() are the session's io
 *	callbacks. setup asks for a client certificate when the mail flow
 *	policy verifies client certificates. done writes "TLS success
 *	protocol P cipher C" or "TLS failed: REASON" to the mail log. After
 *	a success the SMTP state starts over (RFC 3207: the client says
 *	EHLO again), and the policy's client certificate rule applies:
 *	with TLS Preferred an invalid certificate is refused and a missing
 *	one allowed; with TLS Required a valid one is needed. Client
 *	certificates are verified against the trust store of the
 *	configuration (tls.trust.*, certs_conf(3)), which replaces the
 *	listener context's store at the first STARTTLS that needs it; a
 *	store that cannot be loaded is replaced by an empty one, so every
 *	client certificate is then invalid (fail closed). A refused
 *	client gets 421 4.7.1 and the connection closes. After a failure
 *	the connection is lost. The reason in "TLS failed:" is written as
 *	AsyncOS writes it (certs_errmap(3)): "[Errno N] text" for a socket
 *	error, else the OpenSSL 1.x error tuple in the configured style.
 */
#ifndef SMTPD_TLS_H
#define SMTPD_TLS_H

#include <openssl/ssl.h>

#include "buf.h"
#include "io.h"

#include "smtpd_session.h"

void	smtpd_tls_start(struct smtpd_session *);
void	smtpd_tls_setup(struct io *, SSL *, void *);
void	smtpd_tls_done(struct io *, const struct io_tls_info *, void *);

#endif
