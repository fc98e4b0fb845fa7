/*
 * NAME
 *	mail_line - SMTP command line framing and verbs
 * SYNOPSIS
 *	#include "mail_line.h"
 *
 *	void	mail_line_init(struct mail_line *lp, size_t max);
 *	int	mail_line_get(struct mail_line *lp, const char *data,
 *		    size_t len, size_t *used, struct str *line);
 *	enum mail_verb mail_line_verb(struct str line, struct str *arg);
 *	const char *mail_line_verb_name(enum mail_verb verb);
 *	int	mail_line_has_ctl(struct str s);
 * DESCRIPTION
 *	mail_line_get() frames one command line at the start of data[0..len)
 *	(the caller's input buffer). A command line ends with LF; a CR right
 *	before the LF is dropped. A bare LF thus ends a command, as Postfix
 *	does (commands are not message content, and refusing them gains
 *	nothing); a bare CR is kept in the line as data, where the verb
 *	and argument checks reject it as a control character.
 *
 *	It returns:
 *	MAIL_LINE_MORE		no complete line yet; *used bytes (possibly
 *				0) are consumed, the caller reads more and
 *				calls again with the bytes it kept.
 *	MAIL_LINE_OK		*line is the line without CR LF (a view into
 *				data); *used bytes are consumed.
 *	MAIL_LINE_NUL		as OK, but the line holds a NUL: the session
 *				answers MAIL_REPLY_NUL (501) and ignores it.
 *	MAIL_LINE_TOO_LONG	the line with its CR LF is longer than max:
 *				answer MAIL_REPLY_LINE_TOO_LONG (500 5.5.2).
 *				Reported once per line, as soon as max
 *				octets are seen without LF; the rest of
 *				that line, up to and including its LF, is
 *				then consumed silently (MORE), so memory
 *				stays within max octets whatever the peer
 *				sends.
 *	max is at least MAIL_LINE_MIN (512, RFC 5321 section 4.5.3.1.4);
 *	smaller values are raised to it. The caller's buffer never has to
 *	hold more than max octets.
 *
 *	mail_line_verb() splits a line at the first space: the verb is
 *	looked up without regard to case; *arg is the rest after that one
 *	space (spaces at its end are trimmed; it is empty when there was no
 *	argument). A verb followed by anything other than a space or the
 *	end of line is MAIL_VERB_UNKNOWN.
 *
 *	mail_line_has_ctl() returns 1 when s holds a byte 0x00-0x1f or 0x7f
 *	(tab excepted), 0 otherwise.
 */
#ifndef MAIL_LINE_H
#define MAIL_LINE_H

#include <stddef.h>

#include "str.h"

#define MAIL_LINE_MIN		512

#define MAIL_LINE_MORE		0
#define MAIL_LINE_OK		1
#define MAIL_LINE_NUL		2
#define MAIL_LINE_TOO_LONG	3

struct mail_line {
	size_t	max;			/* octets with CR LF */
	int	discarding;		/* inside an over-long line */
};

enum mail_verb {
	MAIL_VERB_UNKNOWN,
	MAIL_VERB_HELO,
	MAIL_VERB_EHLO,
	MAIL_VERB_MAIL,
	MAIL_VERB_RCPT,
	MAIL_VERB_DATA,
	MAIL_VERB_BDAT,
	MAIL_VERB_RSET,
	MAIL_VERB_NOOP,
	MAIL_VERB_QUIT,
	MAIL_VERB_VRFY,
	MAIL_VERB_EXPN,
	MAIL_VERB_HELP,
	MAIL_VERB_STARTTLS,
	MAIL_VERB_AUTH,
	MAIL_VERB_ETRN,
	MAIL_VERB_MAX
};

void	mail_line_init(struct mail_line *, size_t);
int	mail_line_get(struct mail_line *, const char *, size_t, size_t *,
	    struct str *);
enum mail_verb mail_line_verb(struct str, struct str *);
const char *mail_line_verb_name(enum mail_verb);
int	mail_line_has_ctl(struct str);

#endif
