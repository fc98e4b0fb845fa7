/*
 * NAME
 *	mail_addr - RFC 5321 paths in MAIL FROM and RCPT TO
 * SYNOPSIS
 *	#include "mail_addr.h"
 *
 *	int	mail_addr_split(enum mail_addr_kind kind, struct str arg,
 *		    int opts, struct str *path, struct str *rest);
 *	int	mail_addr_parse_path(enum mail_addr_kind kind, struct str path,
 *		    int opts, struct mail_addr *addr);
 *	int	mail_addr_parse(enum mail_addr_kind kind, struct str arg,
 *		    int opts, struct mail_addr *addr, struct str *rest);
 *	void	mail_addr_init(struct mail_addr *addr);
 *	void	mail_addr_fini(struct mail_addr *addr);
 *	void	mail_addr_format(const struct mail_addr *addr,
 *		    struct buf *out);
 *	const char *mail_addr_strerror(int status);
 *	void	mail_addr_reply(enum mail_addr_kind kind, int status,
 *		    struct mail_reply *rp);
 * DESCRIPTION
 *	mail_addr_split() takes the argument of MAIL or RCPT as the command
 *	line has it after the verb and one space ("FROM:<a@b> SIZE=10",
 *	"TO:<c@d>"). It checks the keyword ("FROM:" for MAIL_ADDR_SENDER,
 *	"TO:" for MAIL_ADDR_RECIPIENT, any case), skips spaces after the
 *	colon (MAIL FROM: <a@b> is accepted, as most MTAs do), and cuts the
 *	path: from '<' to the matching '>' (quoted strings and address
 *	literals are skipped over, so a '>' inside them does not end the
 *	path). rest is what follows, after the spaces that separate it; it
 *	must be empty or start after at least one space. Without
 *	MAIL_ADDR_OPT_LENIENT a path without angle brackets is an error
 *	(MAIL_ADDR_ERR_NO_BRACKETS, 501); with it, the bare path runs to the
 *	first space.
 *
 *	mail_addr_parse_path() checks a path (with its brackets) against the
 *	RFC 5321 grammar and fills addr. For MAIL FROM the session calls
 *	split, then mail_param (to learn whether SMTPUTF8 was given), then
 *	parse_path; mail_addr_parse() is split + parse_path for RCPT TO.
 *
 *	Accepted: <local@domain>; <> (sender only, MAIL_ADDR_F_NULL);
 *	<postmaster> (recipient only, any case, MAIL_ADDR_F_POSTMASTER; so is
 *	postmaster@domain); quoted local parts with quoted pairs ("a b"@x,
 *	"a\"b"@x); address literals [192.0.2.1] and [IPv6:...] (validated,
 *	MAIL_ADDR_F_LITERAL); a source route <@a,@b:user@dom>, which is
 *	dropped (MAIL_ADDR_F_ROUTE). Domains are LDH labels of 1-63 octets,
 *	no hyphen at either end of a label, 255 octets at most; a trailing
 *	dot is an error. A local part has at most 64 octets, a path (with
 *	its brackets) at most 256.
 *
 *	Bytes >= 0x80 are allowed only with MAIL_ADDR_OPT_SMTPUTF8 (the
 *	transaction asked for SMTPUTF8) and only as well-formed, shortest
 *	form UTF-8 (no surrogates, nothing above U+10FFFF); they may then
 *	appear in atoms, quoted strings and domain labels (U-labels are
 *	not checked further) and set MAIL_ADDR_F_UTF8. Without the option
 *	any 8-bit byte gives MAIL_ADDR_ERR_NEED_SMTPUTF8 (553 5.6.7, RFC
 *	6531 section 3.5); invalid UTF-8 is always MAIL_ADDR_ERR_BAD_UTF8.
 *	NUL, CR, LF and other controls are errors anywhere, even in a quoted
 *	string. Nothing in an address is interpreted: '%', '$', '{', '|',
 *	'`' are atext and stay inert data.
 *
 *	The parsed address keeps the local part exactly as sent (quotes and
 *	backslashes included) in addr->local, and its value in
 *	addr->local_dec (quotes removed, quoted pairs undone: "a\"b" is
 *	a"b) for lookups; the domain as sent in addr->domain, and an
 *	ASCII-lowercased copy of the domain in addr->domain_lc for routing
 *	and lookups (literals and U-labels are lowercased byte-wise in their
 *	ASCII letters only). addr->raw is "<mailbox>" as sent without the
 *	source route, for logging. All five are NUL-terminated, owned by
 *	addr and released by mail_addr_fini(); empty strings (never NULL)
 *	for <> and for <postmaster>'s domain.
 *
 *	mail_addr_format() appends the canonical "<local@domain>" (or "<>")
 *	for logs and the wire: the local part is written from local_dec,
 *	bare when it is a dot-atom, else quoted with '\' before '"' and
 *	'\' ("\"abc\"@x" becomes <abc@x>, "a b"@x stays quoted); the
 *	domain as sent.
 *
 *	mail_addr_reply() fills rp with the reply for a status:
 *	syntax errors 501 5.1.7 (sender) or 501 5.1.3 (recipient), lengths
 *	501 5.1.0 "Path too long" class, <> as recipient 501 5.1.3,
 *	non-ASCII without SMTPUTF8 553 5.6.7, invalid UTF-8 501 5.6.7.
 * DIAGNOSTICS
 *	The parse functions return MAIL_ADDR_OK (0) or one MAIL_ADDR_ERR_*
 *	(negative); mail_addr_strerror() says which rule was broken. On
 *	error addr is left empty (as after mail_addr_init()).
 * SEE ALSO
 *	RFC 5321 sections 4.1.2, 4.1.3, 4.5.3.1; RFC 6531.
 */
#ifndef MAIL_ADDR_H
#define MAIL_ADDR_H

#include "buf.h"
#include "str.h"
#include "mail_reply.h"

#define MAIL_ADDR_LOCAL_MAX	64
#define MAIL_ADDR_DOMAIN_MAX	255
#define MAIL_ADDR_PATH_MAX	256	/* with the angle brackets */
#define MAIL_ADDR_LABEL_MAX	63

enum mail_addr_kind {
	MAIL_ADDR_SENDER,		/* MAIL FROM */
	MAIL_ADDR_RECIPIENT,		/* RCPT TO */
};

/* Parse options. */
#define MAIL_ADDR_OPT_SMTPUTF8	(1 << 0)	/* UTF-8 allowed */
#define MAIL_ADDR_OPT_LENIENT	(1 << 1)	/* brackets optional */

/* Result flags. */
#define MAIL_ADDR_F_NULL	(1 << 0)	/* <> */
#define MAIL_ADDR_F_POSTMASTER	(1 << 1)	/* <postmaster>[@domain] */
#define MAIL_ADDR_F_UTF8	(1 << 2)	/* holds non-ASCII */
#define MAIL_ADDR_F_LITERAL	(1 << 3)	/* domain is [literal] */
#define MAIL_ADDR_F_QUOTED	(1 << 4)	/* local part is quoted */
#define MAIL_ADDR_F_ROUTE	(1 << 5)	/* a source route was dropped */
#define MAIL_ADDR_F_NO_DOMAIN	(1 << 6)	/* <postmaster> alone */

struct mail_addr {
	char   *local;			/* local part as sent */
	char   *local_dec;		/* its value, unquoted */
	char   *domain;			/* domain as sent */
	char   *domain_lc;		/* ASCII-lowercased domain */
	char   *raw;			/* path without route, as sent */
	int	flags;
};

#define MAIL_ADDR_OK			0
#define MAIL_ADDR_ERR_KEYWORD		(-1)	/* not FROM: / TO: */
#define MAIL_ADDR_ERR_NO_BRACKETS	(-2)	/* a@b without <> */
#define MAIL_ADDR_ERR_UNBALANCED	(-3)	/* missing '>' */
#define MAIL_ADDR_ERR_TRAILING		(-4)	/* junk after '>' */
#define MAIL_ADDR_ERR_EMPTY		(-5)	/* <> where not allowed */
#define MAIL_ADDR_ERR_LOCAL		(-6)	/* bad local part */
#define MAIL_ADDR_ERR_DOMAIN		(-7)	/* bad domain */
#define MAIL_ADDR_ERR_LITERAL		(-8)	/* bad [address literal] */
#define MAIL_ADDR_ERR_ROUTE		(-9)	/* bad source route */
#define MAIL_ADDR_ERR_NO_DOMAIN		(-10)	/* no '@domain' */
#define MAIL_ADDR_ERR_CTL		(-11)	/* NUL, CR, LF, control */
#define MAIL_ADDR_ERR_NEED_SMTPUTF8	(-12)	/* 8-bit without SMTPUTF8 */
#define MAIL_ADDR_ERR_BAD_UTF8		(-13)	/* malformed UTF-8 */
#define MAIL_ADDR_ERR_LOCAL_LONG	(-14)	/* local part > 64 */
#define MAIL_ADDR_ERR_DOMAIN_LONG	(-15)	/* domain > 255 */
#define MAIL_ADDR_ERR_PATH_LONG		(-16)	/* path > 256 */
#define MAIL_ADDR_ERR_LABEL_LONG	(-17)	/* label > 63 */

void	mail_addr_init(struct mail_addr *);
void	mail_addr_fini(struct mail_addr *);
int	mail_addr_split(enum mail_addr_kind, struct str, int, struct str *,
	    struct str *);
int	mail_addr_parse_path(enum mail_addr_kind, struct str, int,
	    struct mail_addr *);
int	mail_addr_parse(enum mail_addr_kind, struct str, int,
	    struct mail_addr *, struct str *);
void	mail_addr_format(const struct mail_addr *, struct buf *);
const char *mail_addr_strerror(int);
void	mail_addr_reply(enum mail_addr_kind, int, struct mail_reply *);

#endif
