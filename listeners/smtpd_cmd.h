/*
 * NAME
 *	smtpd_cmd - the SMTP commands of an inbound session
 * SYNOPSIS
 *	#include "smtpd_cmd.h"
 *
 *	void	smtpd_cmd_dispatch(struct smtpd_session *ss, struct str line);
 * DESCRIPTION
 *	smtpd_cmd_dispatch() runs one command line (without CR LF) under
 *	the session's mail flow policy. The commands are those AsyncOS
 *	answers (HELO, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY,
 *	HELP, STARTTLS when the policy allows TLS, and AUTH when it offers
 *	SMTP AUTH: see smtpd_auth.h), with its texts
 *	where documented: "500 #5.5.1 command not recognized" for anything
 *	else, and "421 Exceeded bad SMTP command limit, disconnecting."
 *	when a client reaches the bad command limit.
 *
 *	Rules enforced here:
 *	- TLS Required: before STARTTLS only NOOP, EHLO, QUIT and STARTTLS
 *	  are served; the rest get "530 5.7.0 Must issue a STARTTLS command
 *	  first", and the mail log says "TLS was required but remote host
 *	  did not initiate it" once.
 *	- Pipelining (RFC 2920): EHLO, HELO, DATA and QUIT must end a
 *	  group, and a client that did not say EHLO may not pipeline at
 *	  all; a violation gets "554 5.5.0" and the connection closes, so
 *	  a message can never be smuggled in behind a command.
 *	- Limits of the policy: messages per connection, recipients per
 *	  message, message size (SIZE= and the content), recipients per
 *	  hour from one host (counted across all listener processes).
 *	- Envelope sender DNS verification when the policy asks for it.
 *	- SMTP AUTH Required: MAIL before a successful AUTH gets "530
 *	  5.7.0 Authentication required".
 */
#ifndef SMTPD_CMD_H
#define SMTPD_CMD_H

#include "str.h"

#include "smtpd_session.h"

void	smtpd_cmd_dispatch(struct smtpd_session *, struct str);

#endif
