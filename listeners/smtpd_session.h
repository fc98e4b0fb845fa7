/*
 * NAME
 *	smtpd_session - one inbound SMTP connection
 * SYNOPSIS
 *	#include "smtpd_session.h"
 *
 *	void	smtpd_session_accept(struct smtpd_listener *sl);
 *	void	smtpd_session_reply(struct smtpd_session *ss,
 *		    const struct mail_reply *rp);
 *	void	smtpd_session_reply_id(struct smtpd_session *ss,
 *		    enum mail_reply_id id, const char *arg);
 *	void	smtpd_session_reply_text(struct smtpd_session *ss, int code,
 *		    const char *enhanced, const char *text);
 *	void	smtpd_session_log(struct smtpd_session *ss,
 *		    enum logs_line_level level);
 *	void	smtpd_session_busy(struct smtpd_session *ss);
 *	void	smtpd_session_resume(struct smtpd_session *ss);
 *	void	smtpd_session_end(struct smtpd_session *ss);
 *	void	smtpd_session_welcome(struct smtpd_session *ss);
 *	void	smtpd_session_command_timeout(struct smtpd_session *ss);
 *	void	smtpd_session_reset(struct smtpd_session *ss);
 *	int	smtpd_session_tls_admit(struct smtpd_session *ss);
 * DESCRIPTION
 *	smtpd_session_accept() takes one connection from a listening
 *	socket and runs it: classification (reverse DNS with forward
 *	confirmation, DNS lists, SenderBase score, then the HAT), the
 *	greeting or refusal the mail flow policy says, the command loop
 *	(smtpd_cmd.c) and the message content (smtpd_data.c), until QUIT,
 *	a limit, a timeout or the client going away. On a listener with
 *	implicit_tls (SMTPS, port 465) nothing is read before the
 *	classification; then the TLS handshake runs and
 *	smtpd_session_welcome(), which sends the greeting or refusal,
 *	follows it over TLS.
 *
 *	limits.max_connections and limits.max_tls_connections count over
 *	every listener process (through the shared per-address table). A
 *	connection beyond the first gets "421 4.3.2" before any lookup;
 *	smtpd_session_tls_admit() counts a session that starts TLS and
 *	returns 0 when the second is reached (STARTTLS then answers 454;
 *	an SMTPS connection is closed).
 *
 *	For the command and data code: smtpd_session_reply() and
 *	smtpd_session_reply_id() and smtpd_session_reply_text() send a
 *	reply; smtpd_session_log() writes
 *	the line a logs_*() formatter left in ss->logline at level;
 *	smtpd_session_busy() pauses input while the session waits for the
 *	queue manager or DNS, and smtpd_session_resume() continues with
 *	the bytes the client pipelined meanwhile; smtpd_session_end()
 *	closes the connection after the replies already written;
 *	smtpd_session_command_timeout() arms the wait for the next command;
 *	smtpd_session_reset() forgets the mail transaction (RSET, end of
 *	message), aborting an opened message at the queue manager.
 */
#ifndef SMTPD_SESSION_H
#define SMTPD_SESSION_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "buf.h"
#include "dns.h"
#include "io.h"

#include "logs_line.h"

#include "mail_addr.h"
#include "mail_data.h"
#include "mail_line.h"
#include "mail_reply.h"

#include "policy_hat.h"
#include "policy_member.h"

#include "smtpd.h"
#include "smtpd_auth.h"
#include "smtpd_enqueue.h"

enum smtpd_state {
	SMTPD_S_CLASSIFY,		/* lookups before the greeting */
	SMTPD_S_REJECTED,		/* greeted with the reject banner */
	SMTPD_S_GREETED,		/* 220 sent, no HELO yet */
	SMTPD_S_HELO,			/* HELO/EHLO done, no transaction */
	SMTPD_S_MAIL,			/* MAIL accepted */
	SMTPD_S_RCPT,			/* a recipient accepted */
	SMTPD_S_DATA,			/* reading the message */
	SMTPD_S_TLS,			/* TLS handshake under way */
	SMTPD_S_CLOSING,		/* no more input */
};

/* One DNS list lookup of the classification; freed with the session. */
struct smtpd_dnsl {
	struct smtpd_session *ss;
	size_t	index;
	const char *zone;
};

struct smtpd_session {
	struct smtpd *sd;
	struct smtpd_listener *sl;
	struct io *io;
	enum smtpd_state state;
	unsigned long long icid;	/* 0 until classified */
	char	addr[INET6_ADDRSTRLEN];
	struct sockaddr_storage peer;

	/* Classification. */
	int	pending;		/* lookups under way */
	struct dns_query *q_verify;
	struct dns_query **q_dnsl;	/* one per HAT DNS list zone */
	struct smtpd_dnsl *dnsl_ctx;	/* their callback contexts */
	struct dns_query *q_sbrs;	/* TXT score lookup */
	size_t	q_dnsl_count;
	char   *ptr_name;		/* first PTR name, for the log */
	char   *hostname;		/* verified name, or NULL */
	int	verified;
	struct policy_peer pp;
	const char **dnsl_hits;
	size_t	dnsl_hit_count;
	struct policy_hat_result hat;
	const struct policy_flow *flow;
	int	conn_counted;		/* counted in the per-IP table */
	int	total_counted;		/* in limits.max_connections */
	int	tls_counted;		/* in limits.max_tls_connections */
	int	early_talk;		/* spoke before the greeting */
	int	greet_after_tls;	/* SMTPS: greet once TLS is up */

	/* SMTP state. */
	struct mail_line line;
	size_t	in_used;		/* of the current input callback */
	size_t	in_len;
	int	esmtp;
	char   *helo;
	int	tls;			/* TLS is on */
	char   *tls_protocol;
	char   *tls_cipher;
	int	tls_bits;
	int	tls_required_logged;
	int	bad_commands;
	int	messages;		/* accepted in this session */
	int	busy;			/* waiting: input paused */
	int	lost;			/* the client went away */

	/* SMTP AUTH (smtpd_auth.c). */
	struct smtpd_auth sasl;		/* the exchange under way */
	char   *auth_user;		/* authenticated as, or NULL */
	int	auth_required_logged;

	/* The mail transaction. */
	struct smtpd_enqueue_req *req;
	unsigned long long mid;		/* 0: none opened */
	int	content_fd;
	struct mail_addr sender;
	char   *sender_text;		/* "a@b" (no brackets) for the log */
	char  **rcpts;			/* addresses without brackets */
	size_t	rcpt_count;
	unsigned long long size_declared;
	int	body_8bit;
	int	smtputf8;
	struct mail_data *md;
	unsigned long long written;	/* content bytes written */
	int	write_error;		/* errno of a failed write, or 0 */
	struct dns_query *q_sender;	/* sender domain check */
	struct str pending_line;	/* MAIL line waiting for DNS/OPEN */

	struct buf *logline;		/* scratch for log formatters */
	struct buf *scratch;
};

void	smtpd_session_accept(struct smtpd_listener *);
void	smtpd_session_reply(struct smtpd_session *, const struct mail_reply *);
void	smtpd_session_reply_id(struct smtpd_session *, enum mail_reply_id,
	    const char *);
void	smtpd_session_reply_text(struct smtpd_session *, int, const char *,
	    const char *);
void	smtpd_session_log(struct smtpd_session *, enum logs_line_level);
void	smtpd_session_busy(struct smtpd_session *);
void	smtpd_session_resume(struct smtpd_session *);
void	smtpd_session_end(struct smtpd_session *);
void	smtpd_session_welcome(struct smtpd_session *);
void	smtpd_session_command_timeout(struct smtpd_session *);
void	smtpd_session_reset(struct smtpd_session *);

int	smtpd_session_tls_admit(struct smtpd_session *);

#endif
