/*
 * NAME
 *	mtactl_send - "mtactl send": send one message through an SMTP server
 * SYNOPSIS
 *	#include "mtactl_send.h"
 *
 *	int	mtactl_send(int argc, char **argv, int json);
 *	void	mtactl_send_usage(FILE *fp);
 *
 *	struct mtactl_send_server { ... };
 *
 *	int	mtactl_send_server_parse(const char *spec,
 *		    struct mtactl_send_server *sp, struct buf *err);
 *	void	mtactl_send_server_fini(struct mtactl_send_server *sp);
 *
 *	struct mtactl_send_msg { ... };
 *
 *	void	mtactl_send_message(const struct mtactl_send_msg *mp,
 *		    struct buf *out);
 *	void	mtactl_send_encode_word(const char *text, struct buf *out);
 *	void	mtactl_send_dotstuff(struct str msg, struct buf *out);
 * DESCRIPTION
 *	mtactl_send() is the one-shot sender for devices and scripts: it
 *	connects to one SMTP server, optionally starts TLS (STARTTLS or
 *	implicit TLS), authenticates (PLAIN or LOGIN), sends one message
 *	and exits. argv holds the options after "send"; json is accepted
 *	for symmetry with the other groups and ignored. It returns the
 *	exit status below. Every failure is an error line on standard
 *	error that says which step failed and what the server or the TLS
 *	stack said, followed, when the cause is known, by a line "what
 *	to do: ...".
 *
 *	mtactl_send_usage() prints the synopsis and the exit codes.
 *
 *	Options. --tls auto (the default) uses implicit TLS on ports 465
 *	and 2465, elsewhere STARTTLS when the server offers it; when it
 *	does not, it sends in clear only without credentials. starttls
 *	and implicit insist; none never starts TLS (and then sends a
 *	password in clear, with a warning). The default port is 465 for
 *	implicit TLS, 587 for STARTTLS, 25 otherwise. The certificate
 *	must verify against --ca-file (PEM; default the system store) and
 *	name the server host, or --tls-name (also sent as SNI). --source
 *	binds the local address; --helo names us (default the host
 *	name); --timeout bounds each step (default 30 s). The body comes
 *	from --body, --body-file or standard input; --test sends a short
 *	test message unless a body is given, and prints each step on
 *	standard output. --debug prints the dialogue and the TLS
 *	handshake on standard error: states, alerts, the verification of
 *	each certificate, the chain the server sent (subject, issuer,
 *	validity, key) and the trust anchor that validated it.
 *
 *	mtactl_send_server_parse() reads the --server argument:
 *	"host", "host:port", "[v6addr]:port", "user:password@host[:port]",
 *	"user@host" or a URL "smtp://", "smtp+starttls://", "smtps://"
 *	with the same user:password@host:port part. The user part is
 *	split from the host at the LAST '@', so "relay@my.domain:pw@host"
 *	is user "relay@my.domain"; the password is what follows the first
 *	':' of the user part. Percent escapes (%40, %3A) are decoded in
 *	the user and password of a URL only. It fills sp (the caller
 *	releases it with mtactl_send_server_fini()) and returns 0, or -1
 *	with the reason in err.
 *
 *	mtactl_send_message() appends the whole message (header and
 *	body, CRLF line ends, not yet dot-stuffed): Date, From, To, Cc,
 *	Subject (RFC 2047 encoded when not ASCII), Message-ID,
 *	MIME-Version, Content-Type text/plain; charset=UTF-8 and a
 *	Content-Transfer-Encoding of 7bit, or quoted-printable when the
 *	body holds 8-bit bytes, NULs or lines over 998 octets (so no
 *	server needs 8BITMIME). Body line ends (LF, CRLF or a bare CR)
 *	all become CRLF, and a body without a final line end gets one.
 *	mtactl_send_encode_word() appends text as a header value: as it
 *	is when printable ASCII, otherwise as RFC 2047 "=?UTF-8?B?...?="
 *	words of at most 75 octets that never split a UTF-8 sequence.
 *	mtactl_send_dotstuff() appends msg as DATA sends it: a '.'
 *	doubled at the start of every line, and the final ".\r\n".
 * EXIT STATUS
 *	0 (MTACTL_SEND_EXIT_OK) the server accepted the message;
 *	1 (MTACTL_SEND_EXIT_LOCAL) a local problem: a file or variable
 *	that cannot be read, no memory;
 *	2 (MTACTL_SEND_EXIT_USAGE) a command line error;
 *	3 (MTACTL_SEND_EXIT_CONNECT) no SMTP conversation: the name does
 *	not resolve, the connection is refused or times out, no greeting,
 *	a port that expects the other kind of encryption, a server that
 *	breaks the protocol;
 *	4 (MTACTL_SEND_EXIT_TLS) TLS failed: the handshake, or the
 *	server certificate does not verify against the trust store, or
 *	the server does not offer STARTTLS when TLS is required;
 *	5 (MTACTL_SEND_EXIT_AUTH) authentication failed (535 and the
 *	like) or is impossible (no common mechanism);
 *	6 (MTACTL_SEND_EXIT_REJECT) the server rejected the sender, a
 *	recipient or the message for good (5xx);
 *	7 (MTACTL_SEND_EXIT_TEMP) the same, temporarily (4xx): try later.
 * SECURITY
 *	Run by any user, with options that user gives, against a server
 *	that may be hostile: replies are parsed with limits and printed
 *	with control characters replaced. The password is taken from a
 *	file (--password-file) or an environment variable
 *	(--password-env); a password inside --server is accepted with a
 *	warning, because other users see the command line. It never
 *	appears in diagnostics or the --debug trace, and AUTH is never
 *	sent before TLS unless a plain connection is asked for (--tls
 *	none, or an smtp:// URL); then a warning says so.
 */
#ifndef MTACTL_SEND_H
#define MTACTL_SEND_H

#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "str.h"

#define MTACTL_SEND_EXIT_OK		0
#define MTACTL_SEND_EXIT_LOCAL		1
#define MTACTL_SEND_EXIT_USAGE		2
#define MTACTL_SEND_EXIT_CONNECT	3
#define MTACTL_SEND_EXIT_TLS		4
#define MTACTL_SEND_EXIT_AUTH		5
#define MTACTL_SEND_EXIT_REJECT		6
#define MTACTL_SEND_EXIT_TEMP		7

/* How to encrypt. */
#define MTACTL_SEND_TLS_AUTO		0	/* 465/2465 implicit, else
						 * STARTTLS when offered */
#define MTACTL_SEND_TLS_STARTTLS	1
#define MTACTL_SEND_TLS_IMPLICIT	2
#define MTACTL_SEND_TLS_NONE		3

struct mtactl_send_server {
	char   *user;			/* NULL: none given */
	char   *password;		/* NULL: none given */
	char   *host;			/* without brackets */
	int	port;			/* 0: none given */
	int	tls;			/* MTACTL_SEND_TLS_*; AUTO when
					 * the form does not say */
};

struct mtactl_send_msg {
	const char *from;
	const char *const *to;		/* count_to addresses */
	size_t	count_to;
	const char *const *cc;
	size_t	count_cc;
	const char *subject;		/* UTF-8 */
	struct str body;		/* UTF-8 text */
	time_t	date;
	const char *msgid;		/* "<...>" */
};

int	mtactl_send(int, char **, int);
void	mtactl_send_usage(FILE *);

int	mtactl_send_server_parse(const char *, struct mtactl_send_server *,
	    struct buf *);
void	mtactl_send_server_fini(struct mtactl_send_server *);

void	mtactl_send_message(const struct mtactl_send_msg *, struct buf *);
void	mtactl_send_encode_word(const char *, struct buf *);
void	mtactl_send_dotstuff(struct str, struct buf *);

#endif
