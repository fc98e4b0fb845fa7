/*
 * NAME
 *	smtpd - the listener process: inbound SMTP
 * SYNOPSIS
 *	#include "smtpd.h"
 *
 *	int	smtpd_main(const struct mta_args *args, struct conf *cf);
 * DESCRIPTION
 *	A listener process serves every configured listener on the sockets
 *	the master bound, many sessions at once on one libuv loop. For
 *	each connection it asks DNS who the client is (PTR and forward
 *	confirmation, DNS lists, SenderBase score), lets the listener's HAT
 *	choose a sender group and mail flow policy, and then speaks SMTP
 *	under that policy: limits, TLS Off / Preferred / Required, client
 *	certificates. Messages go to the queue manager, and the client
 *	hears 250 only after the queue manager says the message is on
 *	stable storage.
 *
 *	The files of the listener: smtpd.c (this process: sockets, shared
 *	state, stop), smtpd_session.c (a connection: classification, input,
 *	timeouts, end), smtpd_cmd.c (the SMTP commands), smtpd_data.c (the
 *	message content), smtpd_auth.c (SMTP AUTH), smtpd_enqueue.c (the
 *	queue manager channel).
 *
 *	SIGTERM drains: the process stops accepting and exits when its
 *	last session ends (the master bounds how long that may take).
 * SECURITY
 *	This is the process that talks to the Internet. It reads private
 *	keys before it drops privileges and never opens spool files: the
 *	queue manager hands it a write-only descriptor per message.
 */
#ifndef SMTPD_H
#define SMTPD_H

#include <stddef.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "buf.h"
#include "dns.h"

#include "conf.h"
#include "logs_maillog.h"

#include "policy_hat.h"
#include "policy_member.h"

#include "mta_args.h"
#include "server.h"

struct mail_passwd;
struct smtpd;
struct smtpd_enqueue;

/* One configured listener, as this process serves it. */
struct smtpd_listener {
	struct smtpd *sd;
	const struct conf_listener *cl;
	struct policy_hat *hat;
	SSL_CTX *ssl_ctx;		/* NULL: no usable certificate */
	uv_tcp_t handle;
	int	open;
	char	ifip[64];		/* address the socket is bound to */
};

/* The process. */
struct smtpd {
	struct server *sv;
	struct smtpd_listener *listeners;
	size_t	listener_count;
	struct policy_conf_sbrs *sbrs;
	size_t	sbrs_count;
	struct dns *dns;
	struct logs_maillog *log;
	struct smtpd_enqueue *enq;
	struct mail_passwd *passwd;	/* SMTP AUTH accounts, or NULL */
	size_t	sessions;
	size_t	fd_warn;		/* sessions near the descriptor limit */
	int	fd_warned;		/* said so, not yet back below */
	int	draining;
	uv_timer_t tick;
};

int	smtpd_main(const struct mta_args *, struct conf *);
void	smtpd_session_gone(struct smtpd *);

#endif
