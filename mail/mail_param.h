/*
 * NAME
 *	mail_param - ESMTP parameters of MAIL FROM and RCPT TO
 * SYNOPSIS
 *	#include "mail_param.h"
 *
 *	void	mail_param_mail_init(struct mail_param_mail *mp);
 *	void	mail_param_mail_fini(struct mail_param_mail *mp);
 *	int	mail_param_parse_mail(struct str rest, int exts,
 *		    struct mail_param_mail *mp, struct mail_reply *err);
 *	void	mail_param_rcpt_init(struct mail_param_rcpt *rp);
 *	void	mail_param_rcpt_fini(struct mail_param_rcpt *rp);
 *	int	mail_param_parse_rcpt(struct str rest, int exts,
 *		    struct mail_param_rcpt *rp, struct mail_reply *err);
 *	int	mail_xtext_decode(struct str in, struct buf *out);
 *	void	mail_xtext_encode(struct str in, struct buf *out);
 * DESCRIPTION
 *	rest is what mail_addr_split() left after the path: parameters
 *	separated by one or more spaces, each "KEYWORD" or "KEYWORD=value"
 *	(RFC 5321 section 4.1.2: keyword = alnum *(alnum / "-"); value =
 *	1*(%d33-60 / %d62-126)). Keywords match in any case. exts says which
 *	extensions the server advertised (MAIL_PARAM_EXT_*); a parameter of
 *	an extension not advertised is unknown.
 *
 *	MAIL FROM parameters:
 *	SIZE=n		(SIZE) digits only, at most 20 of them and at most
 *			MAIL_PARAM_SIZE_MAX; anything else, including an
 *			overflow, is 501 5.5.4 "Bad message size syntax":
 *			the value never wraps. Comparing it with the limit
 *			(552 5.3.4) is the session's job.
 *	BODY=7BIT|8BITMIME  (8BITMIME) any case.
 *	SMTPUTF8	(SMTPUTF8) no value.
 *	AUTH=xtext|<>	(AUTH) xtext decoded into mp->auth; "<>" leaves
 *			auth NULL and sets auth_empty. Decoded bytes that
 *			are CTL or 8-bit are a syntax error.
 *	RET=FULL|HDRS, ENVID=xtext  (DSN) ENVID at most 100 octets.
 *	RCPT TO parameters:
 *	NOTIFY=NEVER|list of SUCCESS,FAILURE,DELAY  (DSN)
 *	ORCPT=addr-type;xtext  (DSN) addr-type of letters, digits and
 *			"-"; the decoded address at most 500 octets, no CTL.
 *
 *	Errors fill err (a reply the session sends as is): unknown keyword
 *	or an extension not advertised: 555 5.5.4 "Unsupported option:
 *	KEYWORD"; a keyword given twice: 501 5.5.4 "Duplicate option:
 *	KEYWORD"; a bad value: 501 5.5.4. Every value is checked before it
 *	is used; nothing is interpreted.
 *
 *	mail_xtext_decode() (RFC 3461 section 4) appends the decoded bytes
 *	to out and returns 0, or returns -1 when the input is not xtext
 *	(a byte outside 33-126, '=' anywhere, '+' not followed by two
 *	upper-case hex digits) or decodes to a control, DEL or 8-bit byte.
 *	mail_xtext_encode() is the inverse for printable ASCII input.
 *
 *	The structures own their strings; *_fini() releases them.
 */
#ifndef MAIL_PARAM_H
#define MAIL_PARAM_H

#include "buf.h"
#include "str.h"
#include "mail_reply.h"

/* Extensions that the server advertised. */
#define MAIL_PARAM_EXT_SIZE	(1 << 0)
#define MAIL_PARAM_EXT_8BITMIME	(1 << 1)
#define MAIL_PARAM_EXT_SMTPUTF8	(1 << 2)
#define MAIL_PARAM_EXT_AUTH	(1 << 3)
#define MAIL_PARAM_EXT_DSN	(1 << 4)

#define MAIL_PARAM_SIZE_MAX	0x7fffffffffffffffULL
#define MAIL_PARAM_ENVID_MAX	100
#define MAIL_PARAM_ORCPT_MAX	500
#define MAIL_PARAM_AUTH_MAX	512

enum mail_param_body {
	MAIL_PARAM_BODY_NONE,		/* not given */
	MAIL_PARAM_BODY_7BIT,
	MAIL_PARAM_BODY_8BITMIME,
};

enum mail_param_ret {
	MAIL_PARAM_RET_NONE,
	MAIL_PARAM_RET_FULL,
	MAIL_PARAM_RET_HDRS,
};

struct mail_param_mail {
	int	have_size;
	unsigned long long size;
	enum mail_param_body body;
	int	smtputf8;
	int	have_auth;
	int	auth_empty;		/* AUTH=<> */
	char   *auth;			/* decoded, or NULL */
	enum mail_param_ret ret;
	char   *envid;			/* decoded, or NULL */
};

#define MAIL_PARAM_NOTIFY_NEVER		(1 << 0)
#define MAIL_PARAM_NOTIFY_SUCCESS	(1 << 1)
#define MAIL_PARAM_NOTIFY_FAILURE	(1 << 2)
#define MAIL_PARAM_NOTIFY_DELAY		(1 << 3)

struct mail_param_rcpt {
	int	notify;			/* 0: not given */
	char   *orcpt_type;		/* "rfc822", or NULL */
	char   *orcpt;			/* decoded address, or NULL */
};

void	mail_param_mail_init(struct mail_param_mail *);
void	mail_param_mail_fini(struct mail_param_mail *);
int	mail_param_parse_mail(struct str, int, struct mail_param_mail *,
	    struct mail_reply *);
void	mail_param_rcpt_init(struct mail_param_rcpt *);
void	mail_param_rcpt_fini(struct mail_param_rcpt *);
int	mail_param_parse_rcpt(struct str, int, struct mail_param_rcpt *,
	    struct mail_reply *);
int	mail_xtext_decode(struct str, struct buf *);
void	mail_xtext_encode(struct str, struct buf *);

#endif
