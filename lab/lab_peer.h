/*
 * NAME
 *	lab_peer - SMTP peers with chosen TLS behaviours, for the TLS lab
 * SYNOPSIS
 *	#include "lab_peer.h"
 *
 *	struct lab_peer *lab_peer_start(const struct lab_tls *tls,
 *		    enum lab_peer_mode mode, const char *spool,
 *		    struct buf *err);
 *	int	lab_peer_port(const struct lab_peer *lp);
 *	struct lab_peer *lab_peer_stop(struct lab_peer *lp);
 *
 *	int	lab_client_send(const struct lab_client *lc,
 *		    struct lab_client_result *res);
 *	void	lab_client_result_fini(struct lab_client_result *res);
 * DESCRIPTION
 *	The lab's two kinds of peer, on loopback only.
 *
 *	lab_peer_start() binds 127.0.0.1 on a port the kernel picks and
 *	forks a receiving SMTP server (one more process per connection)
 *	that behaves as mode says: advertise STARTTLS and run the handshake
 *	with tls; not advertise it; answer STARTTLS with "454 4.7.0 TLS not
 *	available"; or answer 220 and close the connection instead of a
 *	handshake. It accepts every sender and recipient. When spool is
 *	not NULL it writes there, for each message it accepts, a file named
 *	after the first recipient, with a line "tls: no" or "tls: PROTOCOL
 *	CIPHER" and the message; and for each session its dialogue (">>>"
 *	what the peer sent, "<<<" what it received, "***" TLS events) in
 *	"session-EHLONAME-PID.txt". lab_peer_port() is its port; lab_peer_stop()
 *	kills the server and its sessions, reaps them and returns NULL.
 *
 *	struct lab_tls describes a TLS endpoint: the PEM chain and key it
 *	presents (NULL: none, for a client), the protocol range (0: the
 *	library's bound), a TLS 1.2-and-below cipher list (which may hold
 *	"@SECLEVEL=0", needed by legacy behaviours: the peer, unlike the
 *	gateway, must be able to be weak), a DH parameter file (server
 *	only; then DHE uses exactly those parameters).
 *
 *	lab_client_send() is a sending client: it connects to
 *	127.0.0.1:lc->port, and sends one message from lc->from to lc->rcpt
 *	with EHLO lc->helo. With lc->starttls it sends STARTTLS when the
 *	server offers it (or always, with LAB_STARTTLS_ALWAYS) and runs the
 *	handshake with lc->tls; a handshake that fails ends the session (no
 *	retry in clear). Every reply is recorded in res->transcript as
 *	"<<< line", every command as ">>> line" (after TLS starts the
 *	transcript says so). It returns 0 when the message was accepted
 *	(250 after the final dot), else -1; res says how far it went: the
 *	last reply, whether TLS was up with which protocol and cipher, the
 *	queue ID of the 250 reply ("queued as ID"), the client's local
 *	port, the reason of a TLS or network failure. Every wait is bounded
 *	by lc->timeout_ms.
 * SECURITY
 *	Both ends parse only what they need, with bounded line lengths;
 *	they are test peers and never listen beyond 127.0.0.1.
 */
#ifndef LAB_PEER_H
#define LAB_PEER_H

#include "buf.h"

struct lab_tls {
	const char *cert;		/* PEM chain: leaf first; NULL: none */
	const char *key;
	int	min_version;		/* TLS1_VERSION .. TLS1_3_VERSION, 0 */
	int	max_version;
	const char *ciphers;		/* TLS <= 1.2, NULL: library default */
	const char *dh_file;		/* DH parameters, server only */
};

enum lab_peer_mode {
	LAB_PEER_STARTTLS,		/* offer STARTTLS, handshake */
	LAB_PEER_NOSTARTTLS,		/* never offer it */
	LAB_PEER_REFUSE,		/* 454 to STARTTLS */
	LAB_PEER_HANGUP,		/* 220 to STARTTLS, then close */
};

struct lab_peer;

struct lab_peer *lab_peer_start(const struct lab_tls *, enum lab_peer_mode,
	    const char *, struct buf *);
int	lab_peer_port(const struct lab_peer *);
struct lab_peer *lab_peer_stop(struct lab_peer *);

enum lab_starttls {
	LAB_STARTTLS_NEVER,
	LAB_STARTTLS_OFFERED,		/* when the server offers it */
	LAB_STARTTLS_ALWAYS,		/* even when not offered */
};

struct lab_client {
	int	port;			/* on 127.0.0.1 */
	const char *helo;
	const char *from;
	const char *rcpt;
	enum lab_starttls starttls;
	struct lab_tls tls;
	unsigned timeout_ms;
};

struct lab_client_result {
	struct buf *transcript;		/* owned, lab_client_result_fini() */
	char	last_reply[512];	/* the last reply line */
	int	last_code;
	int	tls;			/* TLS was established */
	char	protocol[16];
	char	cipher[64];
	char	queue_id[32];		/* from "250 ... queued as ID" */
	int	local_port;
	char	error[256];		/* network or TLS failure, or "" */
};

int	lab_client_send(const struct lab_client *, struct lab_client_result *);
void	lab_client_result_fini(struct lab_client_result *);

#endif
