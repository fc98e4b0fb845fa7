/*
 * NAME
 *	mail_received - the Received: header field that our server prepends
 * SYNOPSIS
 *	#include "mail_received.h"
 *
 *	void	mail_received_format(const struct mail_received *rp,
 *		    struct buf *out);
 * DESCRIPTION
 *	mail_received_format() appends one folded Received: field (RFC 5321
 *	section 4.4, RFC 5322 section 3.6.7) with its final CR LF:
 *
 *	Received: from HELO (NAME [ADDR])
 *		(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)
 *		by HOST with ESMTPS id ID
 *		for <RCPT>; Mon, 23 Nov 2026 11:30:03 +0000
 *
 *	helo is the client's HELO/EHLO argument (untrusted: any byte
 *	outside printable ASCII, and '(' ')' '\' which would break the
 *	comment syntax, become '?'; "unknown" when NULL); name is the
 *	verified client host name ("unknown" when NULL); addr the client
 *	IP address as text (an IPv6 address is written "IPv6:..." as an
 *	address literal). The protocol word follows RFC 3848: ESMTP,
 *	then S when tls_version is set, A when authenticated; SMTP when
 *	the client said HELO. The TLS comment is written only with TLS.
 *	"for <rcpt>" is written only when rcpt is set (the session sets it
 *	when the message has one recipient). when is formatted with
 *	mail_header_date(), or mail_header_date_tm() with tm and gmtoff
 *	when tm is set (tests). Lines are folded at 78 columns where the
 *	words allow.
 */
#ifndef MAIL_RECEIVED_H
#define MAIL_RECEIVED_H

#include <time.h>

#include "buf.h"

struct mail_received {
	const char *helo;		/* HELO/EHLO argument, or NULL */
	int	esmtp;			/* client used EHLO */
	int	authenticated;		/* SMTP AUTH succeeded */
	const char *client_name;	/* verified name, or NULL */
	const char *client_addr;	/* "192.0.2.1", "2001:db8::1" */
	const char *by_host;		/* our host name */
	const char *tls_version;	/* "TLSv1.3", or NULL for none */
	const char *tls_cipher;		/* "TLS_AES_256_GCM_SHA384" */
	int	tls_bits;		/* cipher bits, 0 to omit */
	const char *id;			/* MID / queue id, or NULL */
	const char *rcpt;		/* "<b@example.net>" with brackets */
	time_t	when;
	const struct tm *tm;		/* tests: fixed time, or NULL */
	long	gmtoff;			/* with tm */
};

void	mail_received_format(const struct mail_received *, struct buf *);

#endif
