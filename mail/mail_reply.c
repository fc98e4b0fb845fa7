/*
 * NAME
 *	mail_reply - SMTP replies: the table of our texts, formatting, parsing
 * DESCRIPTION
 *	See mail_reply.h. Every fixed reply text of the server is in the
 *	table below, so that wording is reviewed in one place.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "mail_reply.h"

/*
 * The table, in the order of enum mail_reply_id. ESA texts where AsyncOS
 * documents them (TN214630: "500 #5.5.1 command not recognized" and the
 * 421 bad command limit); RFC 3207 for 530; RFC 6531 section 3.5 for the
 * 553 5.6.7 of non-ASCII addresses; Postfix-like wording elsewhere.
 */
static const struct mail_reply_def mail_reply_table[MAIL_REPLY_MAX] = {
	[MAIL_REPLY_OK] = {250, "2.0.0", 0, "Ok"},
	[MAIL_REPLY_SENDER_OK] = {250, "2.1.0", 0, "Sender ok"},
	[MAIL_REPLY_RCPT_OK] = {250, "2.1.5", 0, "Recipient ok"},
	[MAIL_REPLY_RSET_OK] = {250, "2.0.0", 0, "Ok"},
	[MAIL_REPLY_QUEUED] = {250, "2.0.0", 0, "Ok: queued as %s"},
	[MAIL_REPLY_VRFY] = {252, "2.0.0", 0,
	    "Cannot VRFY user, but will accept message and attempt delivery"},
	[MAIL_REPLY_BYE] = {221, "2.0.0", 0, "Bye"},
	[MAIL_REPLY_DATA_GO] = {354, "", 0,
	    "End data with <CR><LF>.<CR><LF>"},
	[MAIL_REPLY_STARTTLS_GO] = {220, "2.0.0", 0, "Ready to start TLS"},
	[MAIL_REPLY_TIMEOUT] = {421, "4.4.2", 0,
	    "%s Error: timeout exceeded, closing connection"},
	[MAIL_REPLY_SHUTDOWN] = {421, "4.3.2", 0,
	    "%s Service shutting down, closing connection"},
	[MAIL_REPLY_TOO_MANY_BAD] = {421, "", 0,
	    "Exceeded bad SMTP command limit, disconnecting."},
	[MAIL_REPLY_LOCAL_ERROR] = {451, "4.3.0", 0,
	    "Local error in processing, try again later"},
	[MAIL_REPLY_NO_STORAGE] = {452, "4.3.1", 0,
	    "Insufficient system storage"},
	[MAIL_REPLY_TOO_MANY_RCPTS] = {452, "4.5.3", 0,
	    "Too many recipients"},
	[MAIL_REPLY_TLS_UNAVAILABLE] = {454, "4.7.0", 0,
	    "TLS not available due to temporary reason"},
	[MAIL_REPLY_UNRECOGNIZED] = {500, "5.5.1", MAIL_REPLY_F_HASH,
	    "command not recognized"},
	[MAIL_REPLY_LINE_TOO_LONG] = {500, "5.5.2", 0, "Line too long"},
	[MAIL_REPLY_SYNTAX] = {501, "5.5.2", 0, "Syntax error"},
	[MAIL_REPLY_SYNTAX_ARG] = {501, "5.5.4", 0, "Syntax: %s"},
	[MAIL_REPLY_NUL] = {501, "5.5.2", 0,
	    "NUL characters are not allowed in SMTP commands"},
	[MAIL_REPLY_NOT_IMPLEMENTED] = {502, "5.5.1", 0,
	    "Command not implemented"},
	[MAIL_REPLY_BAD_SEQUENCE] = {503, "5.5.1", 0,
	    "Bad sequence of commands"},
	[MAIL_REPLY_NEED_HELO] = {503, "5.5.1", 0, "Send HELO/EHLO first"},
	[MAIL_REPLY_NEED_MAIL] = {503, "5.5.1", 0, "Need MAIL command"},
	[MAIL_REPLY_NEED_RCPT] = {503, "5.5.1", 0, "Need RCPT command"},
	[MAIL_REPLY_NESTED_MAIL] = {503, "5.5.1", 0, "Nested MAIL command"},
	[MAIL_REPLY_NEED_STARTTLS] = {530, "5.7.0", 0,
	    "Must issue a STARTTLS command first"},
	[MAIL_REPLY_DATA_BARE_EOL] = {550, "5.5.2", 0,
	    "Message contains bare CR or LF (RFC 5321 section 2.3.8)"},
	[MAIL_REPLY_DATA_BARE_EOL_CLOSE] = {521, "5.5.2", 0,
	    "Bare CR or LF received (RFC 5321 section 2.3.8), closing"},
	[MAIL_REPLY_TOO_BIG] = {552, "5.3.4", 0,
	    "Message size exceeds fixed limit"},
	[MAIL_REPLY_TOO_BIG_SIZE] = {552, "5.3.4", 0,
	    "Message size exceeds fixed limit"},
	[MAIL_REPLY_SYNC] = {554, "5.5.0", 0,
	    "Error: SMTP protocol synchronization"},
	[MAIL_REPLY_TRANSACTION_FAILED] = {554, "5.5.0",
	    0, "Transaction failed"},
	[MAIL_REPLY_BAD_SENDER] = {501, "5.1.7", 0,
	    "Bad sender address syntax: %s"},
	[MAIL_REPLY_BAD_RCPT] = {501, "5.1.3", 0,
	    "Bad recipient address syntax: %s"},
	[MAIL_REPLY_PATH_TOO_LONG] = {501, "5.1.0", 0, "Path too long: %s"},
	[MAIL_REPLY_NULL_RCPT] = {501, "5.1.3", 0,
	    "Null recipient address not allowed"},
	[MAIL_REPLY_NON_ASCII_ADDR] = {553, "5.6.7", 0,
	    "Non-ASCII addresses not permitted for that sender/recipient"},
	[MAIL_REPLY_BAD_UTF8] = {501, "5.6.7", 0,
	    "Malformed UTF-8 in address"},
	[MAIL_REPLY_PARAM_UNSUPPORTED] = {555, "5.5.4", 0,
	    "Unsupported option: %s"},
	[MAIL_REPLY_PARAM_DUPLICATE] = {501, "5.5.4", 0,
	    "Duplicate option: %s"},
	[MAIL_REPLY_PARAM_SYNTAX] = {501, "5.5.4", 0, "Bad %s syntax"},
	[MAIL_REPLY_BAD_SIZE] = {501, "5.5.4", 0, "Bad message size syntax"},
};

/* mail_reply_init - empty reply */

void
mail_reply_init(struct mail_reply *rp)
{
	rp->code = 0;
	rp->enhanced[0] = 0;
	rp->flags = 0;
	rp->nlines = 0;
	rp->lines = NULL;
}

/* mail_reply_fini - release the text lines */

void
mail_reply_fini(struct mail_reply *rp)
{
	size_t	i;

	for (i = 0; i < rp->nlines; i++)
		mem_free(rp->lines[i]);
	mem_free(rp->lines);
	mail_reply_init(rp);
}

/* mail_reply_enhanced_ok - is text "c.s.d" with c in 2,4,5 */

static int
mail_reply_enhanced_ok(const char *text, size_t len)
{
	size_t	i = 0, n;
	int	part;

	if (len < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5')
	    || text[1] != '.')
		return (0);
	i = 2;
	for (part = 0; part < 2; part++) {
		for (n = 0; i < len && text[i] >= '0' && text[i] <= '9'; i++)
			n++;
		if (n < 1 || n > 3)
			return (0);
		if (part == 0) {
			if (i >= len || text[i] != '.')
				return (0);
			i++;
		}
	}
	return (i == len);
}

/* mail_reply_start - replace the reply with code and no text */

void
mail_reply_start(struct mail_reply *rp, int code, const char *enhanced)
{
	size_t	len = enhanced ? strlen(enhanced) : 0;

	if (code < 200 || code > 599)
		msg_panic("mail_reply_start: bad code %d", code);
	if (len && (len >= sizeof(rp->enhanced)
	    || !mail_reply_enhanced_ok(enhanced, len)
	    || enhanced[0] != '0' + code / 100))
		msg_panic("mail_reply_start: bad enhanced code for %d", code);
	mail_reply_fini(rp);
	rp->code = code;
	if (len)
		memcpy(rp->enhanced, enhanced, len + 1);
}

/*
 * mail_reply_room - text octets a line may carry: 512 less "ddd-", the
 * enhanced code and its space, and CR LF.
 */

static size_t
mail_reply_room(const struct mail_reply *rp)
{
	size_t	used = 4 + 2;

	if (rp->enhanced[0])
		used += strlen(rp->enhanced) + 1
		    + ((rp->flags & MAIL_REPLY_F_HASH) ? 1 : 0);
	return (MAIL_REPLY_LINE_MAX - used);
}

/* mail_reply_add_str - append one sanitised text line of room octets at most */

static void
mail_reply_add_str(struct mail_reply *rp, struct str s, size_t room)
{
	char   *line;
	size_t	i;

	if (s.len > room)
		s.len = room;
	line = mem_alloc(s.len + 1);
	for (i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char) s.ptr[i];

		line[i] = (ch < 0x20 || ch > 0x7e) ? '?' : (char) ch;
	}
	line[s.len] = 0;
	rp->lines = mem_realloc(rp->lines, rp->nlines + 1, sizeof(char *));
	rp->lines[rp->nlines++] = line;
}

/* mail_reply_add - append one text line */

void
mail_reply_add(struct mail_reply *rp, const char *text)
{
	mail_reply_add_str(rp, str_from(text), mail_reply_room(rp));
}

/* mail_reply_addf - append one formatted text line */

void
mail_reply_addf(struct mail_reply *rp, const char *fmt, ...)
{
	struct buf b;
	va_list	ap;

	buf_init(&b, 128);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	mail_reply_add_str(rp, str_make(b.data, b.len), mail_reply_room(rp));
	buf_fini(&b);
}

/* mail_reply_def - the table entry */

const struct mail_reply_def *
mail_reply_def(enum mail_reply_id id)
{
	if ((int) id < 0 || id >= MAIL_REPLY_MAX
	    || mail_reply_table[id].code == 0)
		msg_panic("mail_reply_def: bad reply id %d", (int) id);
	return (&mail_reply_table[id]);
}

/* mail_reply_set - replace the reply with a table entry */

void
mail_reply_set(struct mail_reply *rp, enum mail_reply_id id, const char *arg)
{
	const struct mail_reply_def *dp = mail_reply_def(id);
	const char *pct = strstr(dp->text, "%s");
	struct buf b;

	mail_reply_start(rp, dp->code, dp->enhanced);
	rp->flags = dp->flags;
	if (pct == NULL) {
		mail_reply_add(rp, dp->text);
		return;
	}
	buf_init(&b, 128);
	buf_append(&b, dp->text, (size_t) (pct - dp->text));
	buf_puts(&b, arg ? arg : "");
	buf_puts(&b, pct + 2);
	mail_reply_add_str(rp, str_make(b.data, b.len), mail_reply_room(rp));
	buf_fini(&b);
}

/* mail_reply_format - append the wire form */

void
mail_reply_format(const struct mail_reply *rp, struct buf *out)
{
	size_t	i;

	if (rp->code < 200 || rp->code > 599)
		msg_panic("mail_reply_format: reply without a code");
	if (rp->nlines == 0) {
		buf_printf(out, "%03d\r\n", rp->code);
		return;
	}
	for (i = 0; i < rp->nlines; i++) {
		buf_printf(out, "%03d%c", rp->code,
		    i + 1 < rp->nlines ? '-' : ' ');
		if (rp->enhanced[0])
			buf_printf(out, "%s%s ",
			    (rp->flags & MAIL_REPLY_F_HASH) ? "#" : "",
			    rp->enhanced);
		buf_puts(out, rp->lines[i]);
		buf_puts(out, "\r\n");
	}
}

/* mail_reply_format_id - set and format a table entry */

void
mail_reply_format_id(enum mail_reply_id id, const char *arg, struct buf *out)
{
	struct mail_reply r;

	mail_reply_init(&r);
	mail_reply_set(&r, id, arg);
	mail_reply_format(&r, out);
	mail_reply_fini(&r);
}

/* mail_reply_parser_init - start parsing replies */

void
mail_reply_parser_init(struct mail_reply_parser *pp, size_t max_lines,
    size_t max_len)
{
	mail_reply_init(&pp->reply);
	pp->max_lines = max_lines ? max_lines : 1;
	pp->max_len = max_len ? max_len : MAIL_REPLY_LINE_MAX - 2;
	pp->busy = 0;
	pp->error = NULL;
}

/* mail_reply_parser_fini - release the reply */

void
mail_reply_parser_fini(struct mail_reply_parser *pp)
{
	mail_reply_fini(&pp->reply);
}

/* mail_reply_parse_fail - record an error, reset for the next reply */

static int
mail_reply_parse_fail(struct mail_reply_parser *pp, const char *why)
{
	pp->error = why;
	pp->busy = 0;
	return (MAIL_REPLY_PARSE_ERROR);
}

/* mail_reply_parse_enhanced - length of a leading "c.s.d " or 0 */

static size_t
mail_reply_parse_enhanced(struct str text, int code)
{
	size_t	i;

	for (i = 0; i < text.len && i < 12 && text.ptr[i] != ' '; i++)
		 /* void */ ;
	if (i == text.len || text.ptr[i] != ' ')
		return (0);
	if (!mail_reply_enhanced_ok(text.ptr, i)
	    || text.ptr[0] != '0' + code / 100)
		return (0);
	return (i);
}

/* mail_reply_strip_enhanced - move a common enhanced code out of the text */

static void
mail_reply_strip_enhanced(struct mail_reply *rp)
{
	size_t	i, n;
	char   *first;

	if (rp->nlines == 0)
		return;
	first = rp->lines[0];
	n = mail_reply_parse_enhanced(str_from(first), rp->code);
	if (n == 0 || n >= sizeof(rp->enhanced))
		return;
	for (i = 1; i < rp->nlines; i++)
		if (strncmp(rp->lines[i], first, n + 1) != 0)
			return;
	memcpy(rp->enhanced, first, n);
	rp->enhanced[n] = 0;
	for (i = 0; i < rp->nlines; i++)
		memmove(rp->lines[i], rp->lines[i] + n + 1,
		    strlen(rp->lines[i] + n + 1) + 1);
}

/* mail_reply_parse_line - add one line of a server reply */

int
mail_reply_parse_line(struct mail_reply_parser *pp, struct str line)
{
	struct mail_reply *rp = &pp->reply;
	int	code, last;

	if (!pp->busy) {
		mail_reply_fini(rp);
		pp->error = NULL;
	}
	if (line.len > pp->max_len)
		return (mail_reply_parse_fail(pp, "reply line too long"));
	if (memchr(line.ptr, 0, line.len) != NULL)
		return (mail_reply_parse_fail(pp, "NUL in reply"));
	if (line.len < 3
	    || line.ptr[0] < '2' || line.ptr[0] > '5'
	    || line.ptr[1] < '0' || line.ptr[1] > '5'
	    || line.ptr[2] < '0' || line.ptr[2] > '9')
		return (mail_reply_parse_fail(pp, "malformed reply code"));
	code = (line.ptr[0] - '0') * 100 + (line.ptr[1] - '0') * 10
	    + (line.ptr[2] - '0');
	if (line.len == 3)
		last = 1;
	else if (line.ptr[3] == ' ')
		last = 1;
	else if (line.ptr[3] == '-')
		last = 0;
	else
		return (mail_reply_parse_fail(pp, "malformed reply separator"));
	if (pp->busy && code != rp->code)
		return (mail_reply_parse_fail(pp, "reply code changed "
		    "within a multi-line reply"));
	if (rp->nlines >= pp->max_lines)
		return (mail_reply_parse_fail(pp, "too many reply lines"));
	rp->code = code;
	if (line.len > 4)
		mail_reply_add_str(rp, str_make(line.ptr + 4, line.len - 4),
		    line.len);
	else
		mail_reply_add_str(rp, str_make("", 0), 0);
	if (!last) {
		pp->busy = 1;
		return (MAIL_REPLY_PARSE_MORE);
	}
	pp->busy = 0;
	mail_reply_strip_enhanced(rp);
	return (MAIL_REPLY_PARSE_DONE);
}

/* mail_reply_parse_error - why the last reply was refused */

const char *
mail_reply_parse_error(const struct mail_reply_parser *pp)
{
	return (pp->error ? pp->error : "no error");
}

/* The descriptions AsyncOS prints after the enhanced code. */
struct dsn_text {
	const char *code;		/* "x.y.z" without the class */
	const char *text;
};

static const struct dsn_text dsn_texts[] = {
	{"0.0", "Other or undefined status"},
	{"1.0", "Unknown address error"},
	{"1.1", "Bad destination email address"},
	{"1.2", "Bad destination host"},
	{"1.3", "Bad destination mailbox address syntax"},
	{"1.4", "Destination mailbox address ambiguous"},
	{"1.6", "Destination mailbox has moved"},
	{"1.7", "Bad sender's mailbox address syntax"},
	{"1.8", "Bad sender's system address"},
	{"2.0", "Other or undefined mailbox status"},
	{"2.1", "Mailbox disabled, not accepting messages"},
	{"2.2", "Mailbox full"},
	{"2.3", "Message length exceeds administrative limit"},
	{"2.4", "Mailing list expansion problem"},
	{"3.0", "Other or undefined mail system status"},
	{"3.1", "Mail system full"},
	{"3.2", "Not accepting messages at this time"},
	{"3.3", "System not capable of selected features"},
	{"3.4", "Message too big for system"},
	{"3.5", "System incorrectly configured"},
	{"4.0", "Other network problem"},
	{"4.1", "No answer from host"},
	{"4.2", "Bad connection"},
	{"4.3", "Routing server failure"},
	{"4.4", "Unable to route"},
	{"4.5", "Network congestion"},
	{"4.6", "Routing loop detected"},
	{"4.7", "Delivery expired (message too old)"},
	{"5.0", "Other or undefined protocol status"},
	{"5.1", "Invalid command"},
	{"5.2", "Syntax error"},
	{"5.3", "Too many recipients"},
	{"5.4", "Invalid command arguments"},
	{"5.5", "Wrong protocol version"},
	{"6.0", "Other or undefined media error"},
	{"6.1", "Media not supported"},
	{"6.2", "Conversion required and prohibited"},
	{"6.3", "Conversion required but not supported"},
	{"6.7", "Non-ASCII addresses not permitted"},
	{"7.0", "Other or undefined security status"},
	{"7.1", "Delivery not authorized, message refused"},
	{"7.4", "Security features not supported"},
	{"7.5", "Cryptographic failure"},
	{"7.10", "Encryption needed"},
};

/* mail_reply_dsn_text - the description of an enhanced status code */

const char *
mail_reply_dsn_text(const char *dsn)
{
	const char *rest;
	const char *dot;
	size_t	i;

	if (dsn == NULL || (dsn[0] != '2' && dsn[0] != '4' && dsn[0] != '5')
	    || dsn[1] != '.')
		return ("Other or undefined status");
	rest = dsn + 2;
	for (i = 0; i < sizeof(dsn_texts) / sizeof(dsn_texts[0]); i++)
		if (strcmp(rest, dsn_texts[i].code) == 0)
			return (dsn_texts[i].text);
	/* Unknown detail: the subject's "other" entry. */
	if ((dot = strchr(rest, '.')) != NULL) {
		for (i = 0; i < sizeof(dsn_texts) / sizeof(dsn_texts[0]); i++)
			if (strncmp(rest, dsn_texts[i].code, (size_t)
			    (dot - rest)) == 0 && strcmp(dsn_texts[i].code +
			    (dot - rest), ".0") == 0)
				return (dsn_texts[i].text);
	}
	return ("Other or undefined status");
}
