/*
 * NAME
 *	mail_reply - SMTP replies: the table of our texts, formatting, parsing
 * SYNOPSIS
 *	#include "mail_reply.h"
 *
 *	struct mail_reply {
 *		int	code;		three digits, 200..599
 *		char	enhanced[16];	"5.5.1", or "" for none
 *		int	flags;		MAIL_REPLY_F_HASH: wire form "#5.5.1"
 *		size_t	nlines;
 *		char  **lines;		text lines, no CR/LF/CTL (owned)
 *	};
 *
 *	void	mail_reply_init(struct mail_reply *rp);
 *	void	mail_reply_fini(struct mail_reply *rp);
 *	void	mail_reply_start(struct mail_reply *rp, int code,
 *		    const char *enhanced);
 *	void	mail_reply_add(struct mail_reply *rp, const char *text);
 *	void	mail_reply_addf(struct mail_reply *rp, const char *fmt, ...);
 *	void	mail_reply_set(struct mail_reply *rp, enum mail_reply_id id,
 *		    const char *arg);
 *	void	mail_reply_format(const struct mail_reply *rp,
 *		    struct buf *out);
 *	void	mail_reply_format_id(enum mail_reply_id id, const char *arg,
 *		    struct buf *out);
 *	const struct mail_reply_def *mail_reply_def(enum mail_reply_id id);
 *
 *	void	mail_reply_parser_init(struct mail_reply_parser *pp,
 *		    size_t max_lines, size_t max_len);
 *	void	mail_reply_parser_fini(struct mail_reply_parser *pp);
 *	int	mail_reply_parse_line(struct mail_reply_parser *pp,
 *		    struct str line);
 *	const char *mail_reply_parse_error(const struct mail_reply_parser *pp);
 *
 *	const char *mail_reply_dsn_text(const char *dsn);
 * DESCRIPTION
 *	A reply is a code, an optional enhanced status code (RFC 3463) and
 *	one or more text lines. mail_reply_format() appends the wire form:
 *	every line but the last as "250-text\r\n", the last as
 *	"250 text\r\n"; the enhanced code, when set, is repeated at the
 *	start of every line's text (RFC 2034). With MAIL_REPLY_F_HASH it is
 *	written "#5.5.1", the AsyncOS style. A reply without text lines is
 *	written as the code alone ("250\r\n").
 *
 *	Text added with mail_reply_add() and mail_reply_addf() may hold
 *	peer data: every byte outside printable ASCII (CR, LF, NUL, other
 *	controls, 8-bit) becomes '?', and each line is cut so that the
 *	wire line stays within MAIL_REPLY_LINE_MAX (512) octets with CRLF.
 *	A reply never carries a line break that the caller did not add.
 *
 *	Every fixed text of the server lives in one table (mail_reply.c),
 *	named by enum mail_reply_id. mail_reply_set() replaces the reply
 *	with that entry; when the entry text holds "%s", arg (sanitised as
 *	above; "" when NULL) is put in its place by plain substitution, never
 *	by a printf format. mail_reply_format_id() is set + format.
 *
 *	The parser assembles a server's reply from lines that the caller
 *	has framed (without CRLF) for the SMTP client. Feed one line per
 *	call: MAIL_REPLY_PARSE_MORE asks for the next line,
 *	MAIL_REPLY_PARSE_DONE means pp->reply is complete,
 *	MAIL_REPLY_PARSE_ERROR means the reply is malformed (a code that is
 *	not three digits [2-5][0-5][0-9], a separator other than '-' or ' ',
 *	a code that changes within the reply, too many lines, a line longer
 *	than max_len octets, a NUL): the caller treats the peer as broken
 *	(a temporary failure) and mail_reply_parse_error() says why. When
 *	every line begins with the same enhanced code of the same class as
 *	the reply code, it is moved to pp->reply.enhanced and taken off the
 *	text lines. After DONE or ERROR, the next line starts a new reply.
 *
 *	mail_reply_dsn_text() gives the description AsyncOS prints after
 *	an enhanced status code in its mail log ("5.1.0": "Unknown address
 *	error", RFC 3463 as AsyncOS words it); an unknown detail gives the
 *	subject's "other" entry, anything else "Other or undefined status".
 * SEE ALSO
 *	RFC 5321 section 4.2, RFC 2034, RFC 3463.
 */
#ifndef MAIL_REPLY_H
#define MAIL_REPLY_H

#include <stddef.h>

#include "buf.h"
#include "str.h"

#define MAIL_REPLY_LINE_MAX	512	/* octets with CRLF, RFC 5321 */

#define MAIL_REPLY_F_HASH	(1 << 0)	/* "#5.5.1", AsyncOS style */

struct mail_reply {
	int	code;
	char	enhanced[16];
	int	flags;
	size_t	nlines;
	char  **lines;
};

/*
 * The replies of our server. Keep this list and the table in mail_reply.c
 * in the same order.
 */
enum mail_reply_id {
	MAIL_REPLY_OK,			/* 250 2.0.0 Ok */
	MAIL_REPLY_SENDER_OK,		/* 250 2.1.0 Sender ok */
	MAIL_REPLY_RCPT_OK,		/* 250 2.1.5 Recipient ok */
	MAIL_REPLY_RSET_OK,		/* 250 2.0.0 Ok */
	MAIL_REPLY_QUEUED,		/* 250 2.0.0 Ok: queued as %s */
	MAIL_REPLY_VRFY,		/* 252 2.0.0 ... */
	MAIL_REPLY_BYE,			/* 221 2.0.0 Bye */
	MAIL_REPLY_DATA_GO,		/* 354 End data with ... */
	MAIL_REPLY_STARTTLS_GO,		/* 220 2.0.0 Ready to start TLS */
	MAIL_REPLY_TIMEOUT,		/* 421 4.4.2 ... timeout */
	MAIL_REPLY_SHUTDOWN,		/* 421 4.3.2 Service shutting down */
	MAIL_REPLY_TOO_MANY_BAD,	/* 421 Exceeded bad SMTP ... */
	MAIL_REPLY_LOCAL_ERROR,		/* 451 4.3.0 local error */
	MAIL_REPLY_NO_STORAGE,		/* 452 4.3.1 Insufficient ... */
	MAIL_REPLY_TOO_MANY_RCPTS,	/* 452 4.5.3 Too many recipients */
	MAIL_REPLY_TLS_UNAVAILABLE,	/* 454 4.7.0 TLS not available */
	MAIL_REPLY_UNRECOGNIZED,	/* 500 #5.5.1 command not recognized */
	MAIL_REPLY_LINE_TOO_LONG,	/* 500 5.5.2 Line too long */
	MAIL_REPLY_SYNTAX,		/* 501 5.5.2 Syntax error */
	MAIL_REPLY_SYNTAX_ARG,		/* 501 5.5.4 Syntax: %s */
	MAIL_REPLY_NUL,			/* 501 5.5.2 NUL characters ... */
	MAIL_REPLY_NOT_IMPLEMENTED,	/* 502 5.5.1 Command not implemented */
	MAIL_REPLY_BAD_SEQUENCE,	/* 503 5.5.1 Bad sequence of commands */
	MAIL_REPLY_NEED_HELO,		/* 503 5.5.1 Send HELO/EHLO first */
	MAIL_REPLY_NEED_MAIL,		/* 503 5.5.1 Need MAIL command */
	MAIL_REPLY_NEED_RCPT,		/* 503 5.5.1 Need RCPT command */
	MAIL_REPLY_NESTED_MAIL,		/* 503 5.5.1 Nested MAIL command */
	MAIL_REPLY_NEED_STARTTLS,	/* 530 5.7.0 Must issue ... */
	MAIL_REPLY_DATA_BARE_EOL,	/* 550 5.5.2 bare CR or LF */
	MAIL_REPLY_DATA_BARE_EOL_CLOSE,	/* 521 5.5.2 bare CR or LF, closing */
	MAIL_REPLY_TOO_BIG,		/* 552 5.3.4 Message size exceeds ... */
	MAIL_REPLY_TOO_BIG_SIZE,	/* 552 5.3.4 (declared SIZE) */
	MAIL_REPLY_SYNC,		/* 554 5.5.0 SMTP protocol sync... */
	MAIL_REPLY_TRANSACTION_FAILED,	/* 554 5.5.0 Transaction failed */
	MAIL_REPLY_BAD_SENDER,		/* 501 5.1.7 Bad sender ... */
	MAIL_REPLY_BAD_RCPT,		/* 501 5.1.3 Bad recipient ... */
	MAIL_REPLY_PATH_TOO_LONG,	/* 501 5.1.0 Path too long */
	MAIL_REPLY_NULL_RCPT,		/* 501 5.1.3 null recipient */
	MAIL_REPLY_NON_ASCII_ADDR,	/* 553 5.6.7 Non-ASCII addresses ... */
	MAIL_REPLY_BAD_UTF8,		/* 501 5.6.7 Invalid UTF-8 in address */
	MAIL_REPLY_PARAM_UNSUPPORTED,	/* 555 5.5.4 Unsupported option: %s */
	MAIL_REPLY_PARAM_DUPLICATE,	/* 501 5.5.4 Duplicate option: %s */
	MAIL_REPLY_PARAM_SYNTAX,	/* 501 5.5.4 Bad %s syntax */
	MAIL_REPLY_BAD_SIZE,		/* 501 5.5.4 Bad message size syntax */
	MAIL_REPLY_MAX
};

/* One table entry: the whole reply text, with at most one "%s". */
struct mail_reply_def {
	int	code;
	const char *enhanced;		/* "" for none */
	int	flags;
	const char *text;
};

#define MAIL_REPLY_PARSE_MORE	0
#define MAIL_REPLY_PARSE_DONE	1
#define MAIL_REPLY_PARSE_ERROR	(-1)

struct mail_reply_parser {
	struct mail_reply reply;	/* the reply being assembled */
	size_t	max_lines;
	size_t	max_len;		/* octets per line without CRLF */
	int	busy;			/* inside a multi-line reply */
	const char *error;		/* static text, after ERROR */
};

void	mail_reply_init(struct mail_reply *);
void	mail_reply_fini(struct mail_reply *);
void	mail_reply_start(struct mail_reply *, int, const char *);
void	mail_reply_add(struct mail_reply *, const char *);
void	mail_reply_addf(struct mail_reply *, const char *, ...)
	    MSG_PRINTFLIKE(2, 3);
void	mail_reply_set(struct mail_reply *, enum mail_reply_id, const char *);
void	mail_reply_format(const struct mail_reply *, struct buf *);
void	mail_reply_format_id(enum mail_reply_id, const char *, struct buf *);
const struct mail_reply_def *mail_reply_def(enum mail_reply_id);

void	mail_reply_parser_init(struct mail_reply_parser *, size_t, size_t);
void	mail_reply_parser_fini(struct mail_reply_parser *);
int	mail_reply_parse_line(struct mail_reply_parser *, struct str);
const char *mail_reply_parse_error(const struct mail_reply_parser *);
const char *mail_reply_dsn_text(const char *);

#endif
