/*
 * NAME
 *	aiosmtpd_peer - a third-party SMTP server with real AUTH, for tests
 * SYNOPSIS
 *	#include "aiosmtpd_peer.h"
 *
 *	struct aiosmtpd_peer {
 *		int	port;
 *		const char *spool;
 *	};
 *
 *	struct aiosmtpd_peer aiosmtpd_peer_start(const char *mode,
 *		    const char *chain, const char *key, const char *user,
 *		    const char *password);
 * DESCRIPTION
 *	aiosmtpd_peer_start() runs python3-aiosmtpd (an SES-like
 *	submission server) on a loopback port it picks, with the
 *	certificate chain and key given, one account (user, password) for
 *	AUTH PLAIN and LOGIN, and returns once it accepts connections.
 *	mode "starttls" requires STARTTLS before AUTH; "implicit" speaks
 *	TLS from the first byte (SMTPS); "-login" at the end ("implicit-
 *	login") offers LOGIN only. A sender at @unverified.test gets the
 *	SES "554 Message rejected: Email address is not verified" answer
 *	at DATA; other messages get "250 2.0.0 Ok: queued as 4711" and
 *	are appended to the file spool: "MAIL FROM:", "RCPT TO:" lines,
 *	"AUTH:" and the authenticated login, then the content.
 *
 *	The test fails when python3 cannot import aiosmtpd (the package
 *	python3-aiosmtpd is in scripts/quickstart deps).
 */
#ifndef AIOSMTPD_PEER_H
#define AIOSMTPD_PEER_H

struct aiosmtpd_peer {
	int	port;
	const char *spool;		/* what the server received */
};

struct aiosmtpd_peer aiosmtpd_peer_start(const char *, const char *,
	    const char *, const char *, const char *);

#endif
