/*
 * NAME
 *	smtpd_auth - SMTP AUTH (RFC 4954) on an inbound session
 * SYNOPSIS
 *	#include "smtpd_auth.h"
 *
 *	The SASL exchange, without I/O:
 *
 *	void	smtpd_auth_init(struct smtpd_auth *sa);
 *	void	smtpd_auth_fini(struct smtpd_auth *sa);
 *	int	smtpd_auth_begin(struct smtpd_auth *sa, struct str arg,
 *		    struct buf *challenge);
 *	int	smtpd_auth_next(struct smtpd_auth *sa, struct str line,
 *		    struct buf *challenge);
 *	const char *smtpd_auth_mech_name(enum smtpd_auth_mech mech);
 *
 *	On a session:
 *
 *	int	smtpd_auth_enabled(const struct smtpd_session *ss);
 *	int	smtpd_auth_offered(const struct smtpd_session *ss);
 *	void	smtpd_auth_command(struct smtpd_session *ss, struct str arg);
 *	void	smtpd_auth_response(struct smtpd_session *ss,
 *		    struct str line);
 *	int	smtpd_auth_mail_ok(struct smtpd_session *ss);
 *	void	smtpd_auth_forget(struct smtpd_session *ss);
 * DESCRIPTION
 *	The mechanisms are PLAIN (RFC 4616) and LOGIN, both with or without
 *	an initial response on the AUTH line ("=" is an empty one).
 *
 *	smtpd_auth_begin() starts an exchange from the argument of AUTH
 *	("PLAIN", "PLAIN dGVzdAB0ZXN0AHRlc3Q=", "LOGIN"); the mechanism name
 *	is matched without regard to case. smtpd_auth_next() takes the
 *	client's next response line. Both return:
 *
 *	SMTPD_AUTH_MORE		send "334 " and the base64 challenge that
 *				was put in challenge (reset first), and pass
 *				the next line to smtpd_auth_next();
 *	SMTPD_AUTH_DONE		sa->user and sa->password hold the decoded
 *				credentials (sa->authz the PLAIN
 *				authorization identity, "" when none);
 *	SMTPD_AUTH_CANCELLED	the client answered "*";
 *	SMTPD_AUTH_BAD_BASE64	a response was not strict base64 (RFC 4648
 *				alphabet, padding, nothing else);
 *	SMTPD_AUTH_BAD_MECH	the mechanism is not PLAIN or LOGIN;
 *	SMTPD_AUTH_BAD_SYNTAX	no mechanism, or more than one argument;
 *	SMTPD_AUTH_MALFORMED	the decoded response is not what the
 *				mechanism allows: a PLAIN message without
 *				its two NUL separators, an empty user name,
 *				a user name longer than MAIL_PASSWD_USER_MAX
 *				or holding a NUL or control character, a
 *				password longer than MAIL_PASSWD_PASS_MAX or
 *				holding a NUL.
 *
 *	Every result but MORE ends the exchange (sa->mech is back to
 *	SMTPD_AUTH_NONE) but keeps sa->user for the caller's log line;
 *	smtpd_auth_fini() wipes the credentials and makes sa idle again.
 *	A fresh smtpd_auth_init() structure is idle.
 *
 *	The session functions apply the mail flow policy (smtp_auth,
 *	require_tls_for_auth) and the global auth.* settings:
 *
 *	smtpd_auth_enabled() says whether AUTH is a command of this
 *	session at all: the policy has SMTP AUTH preferred or required, and
 *	the listener process has a password file; the dispatcher treats
 *	AUTH as an unknown command otherwise ("500 #5.5.1 command not
 *	recognized", counted as a bad command), as AsyncOS does.
 *
 *	smtpd_auth_offered() says whether EHLO lists "AUTH PLAIN LOGIN":
 *	the policy offers SMTP AUTH, TLS is on when the policy requires it
 *	for AUTH, and the listener process has a password file.
 *
 *	smtpd_auth_command() runs the AUTH command of a session where it is
 *	enabled (a panic otherwise): "538 5.7.11 Encryption required for
 *	requested authentication mechanism" before STARTTLS when the policy
 *	requires TLS for AUTH; "503 5.5.1 Send EHLO first" before EHLO;
 *	"503 5.5.1 Already authenticated" after a successful AUTH; "503
 *	5.5.1 AUTH not permitted during a mail transaction" after MAIL;
 *	"421 4.7.0 Too many failed authentication attempts, closing
 *	connection" (and the connection closes) when the client address
 *	reached auth.max_failures failed attempts within the last
 *	auth.failure_window; then the exchange: "334 ..." challenges, and
 *	at its end "235 2.7.0 Authentication successful", "535 5.7.8
 *	Authentication credentials invalid", "501 5.0.0 Authentication
 *	cancelled", "501 5.5.2 Cannot decode response", "504 5.5.4
 *	Unrecognized authentication type", "501 5.5.4 Syntax: AUTH
 *	mechanism [initial-response]", "501 5.5.2 Malformed authentication
 *	response", or "454 4.7.0 Temporary authentication failure" when a
 *	stored hash cannot be computed. The mail log gets "SMTP Auth (ICID
 *	n) succeeded|failed for user: <user> using AUTH mechanism: <mech>
 *	with profile: <auth.profile>" for every exchange that produced
 *	credentials; control characters and bytes outside printable ASCII
 *	in the user name are written as '?'.
 *
 *	smtpd_auth_response() takes a line the client sent while an
 *	exchange is under way (ss->sasl.mech is not SMTPD_AUTH_NONE); the
 *	command dispatcher hands every line to it then. A response
 *	followed by more pipelined input gets "554 5.5.0" and the
 *	connection closes, as for any command that must end a group.
 *
 *	smtpd_auth_mail_ok() is the check MAIL makes when the policy
 *	requires SMTP AUTH: it returns 1 when the session is authenticated
 *	or SMTP AUTH is not required; otherwise it answers "530 5.7.0
 *	Authentication required", logs "SMTP Auth (ICID n) was required but
 *	remote host did not initiate it" once per connection, and returns
 *	0.
 *
 *	smtpd_auth_forget() drops the authentication state of the session
 *	(an exchange under way and the authenticated user): at STARTTLS
 *	(RFC 3207 section 4.2) and at the end of the session.
 *
 *	A failed exchange (wrong credentials) counts against the client's
 *	address in the table all listener processes share (lib/iptab),
 *	in a window of auth.failure_window seconds that starts with the
 *	first failure after the previous window ended.
 *
 *	An authenticated session's messages carry the user name to the
 *	queue manager (MTA_K_AUTH_USER), which marks the envelope
 *	authenticated: such messages are relayed (connection behaviour
 *	RELAY, as AsyncOS does after SMTP AUTH).
 */
#ifndef SMTPD_AUTH_H
#define SMTPD_AUTH_H

#include <stddef.h>

#include "buf.h"
#include "str.h"

struct smtpd_session;

enum smtpd_auth_mech {
	SMTPD_AUTH_NONE,		/* no exchange under way */
	SMTPD_AUTH_PLAIN,
	SMTPD_AUTH_LOGIN,
};

/* One SASL exchange. */
struct smtpd_auth {
	enum smtpd_auth_mech mech;	/* under way, or NONE */
	enum smtpd_auth_mech used;	/* of the last exchange, for the log */
	int	step;			/* LOGIN: 1 user asked, 2 password */
	char   *user;			/* NUL-terminated, no NUL inside */
	char   *authz;			/* PLAIN authorization id, or "" */
	char   *password;		/* wiped by smtpd_auth_fini() */
	size_t	password_len;
};

#define SMTPD_AUTH_MORE		0
#define SMTPD_AUTH_DONE		1
#define SMTPD_AUTH_CANCELLED	2
#define SMTPD_AUTH_BAD_BASE64	3
#define SMTPD_AUTH_BAD_MECH	4
#define SMTPD_AUTH_BAD_SYNTAX	5
#define SMTPD_AUTH_MALFORMED	6

void	smtpd_auth_init(struct smtpd_auth *);
void	smtpd_auth_fini(struct smtpd_auth *);
int	smtpd_auth_begin(struct smtpd_auth *, struct str, struct buf *);
int	smtpd_auth_next(struct smtpd_auth *, struct str, struct buf *);
const char *smtpd_auth_mech_name(enum smtpd_auth_mech);

int	smtpd_auth_enabled(const struct smtpd_session *);
int	smtpd_auth_offered(const struct smtpd_session *);
void	smtpd_auth_command(struct smtpd_session *, struct str);
void	smtpd_auth_response(struct smtpd_session *, struct str);
int	smtpd_auth_mail_ok(struct smtpd_session *);
void	smtpd_auth_forget(struct smtpd_session *);

#endif
