/*
 * NAME
 *	logs_grammar - the line-level grammar of the mail log
 * SYNOPSIS
 *	#include "logs_grammar.h"
 *
 *	enum logs_grammar_type { LOGS_GRAMMAR_ICID_NEW, ...,
 *		LOGS_GRAMMAR_NTYPES };
 *
 *	struct logs_grammar_entry {
 *		enum logs_grammar_type type;
 *		const char *name;
 *		enum logs_line_level level;
 *		unsigned dialects;
 *		const char *template;
 *		const char *example;
 *		const char *source;
 *	};
 *
 *	struct logs_grammar_field {
 *		const char *name;
 *		struct str value;
 *		unsigned long num;
 *		unsigned flags;
 *	};
 *
 *	struct logs_grammar_line {
 *		const struct logs_grammar_entry *entry;
 *		enum logs_line_level level;
 *		int	syslog;
 *		struct str stamp;
 *		struct str message;
 *		unsigned long icid, mid, dcid, orig;
 *		unsigned has;
 *		size_t	nfields;
 *		struct logs_grammar_field field[LOGS_GRAMMAR_MAXFIELDS];
 *	};
 *
 *	const struct logs_grammar_entry *logs_grammar_table(size_t *count);
 *	const struct logs_grammar_entry *logs_grammar_entry(
 *		    enum logs_grammar_type type);
 *	int	logs_grammar_parse(struct logs_grammar_line *lp,
 *		    const char *line, size_t len, struct buf *why);
 *	int	logs_grammar_parse_message(struct logs_grammar_line *lp,
 *		    enum logs_line_level level, const char *msg, size_t len,
 *		    struct buf *why);
 *	const struct logs_grammar_field *logs_grammar_field(
 *		    const struct logs_grammar_line *lp, const char *name);
 *	int	logs_grammar_unrepr(struct buf *bp, struct str repr);
 * DESCRIPTION
 *	The grammar is the single description of every line the gateway
 *	writes to the mail log: one table entry per line type, with the
 *	template its formatter (logs_icid, logs_mid, logs_dcid,
 *	logs_alert, logs_head) follows, the level it is written at, the
 *	dialects that use it and a documented AsyncOS example. The
 *	checker ("mtactl log check"), the tracker ("mtactl log track")
 *	and the unit test that runs every formatter through the parser
 *	all read this table, so writer and reader cannot drift apart.
 *
 *	A template is the message part of a line (what follows "Info: ")
 *	written as literal text with fields in angle brackets, as the
 *	documentation writes it: "Start MID <mid> ICID <icid>". The name
 *	of a field fixes its syntax (docs/maillog.md lists them): <icid>,
 *	<mid>, <dcid>, <orig> are decimal ids, <rids> a Python list of
 *	recipient ids, <msgid> a Python repr() string, <text> names free
 *	text that may hold spaces, and so on. A part in braces is
 *	optional: "{ country <country>}". Literal "<" and ">" around an
 *	address stay literal: "From: <<sender>>".
 *
 *	entry->dialects is a mask of LOGS_GRAMMAR_MODERN and
 *	LOGS_GRAMMAR_ASYNCOS4: which values of log.dialect produce the
 *	form. entry->source names where the example is documented.
 *
 *	logs_grammar_table() returns the table (count entries, in
 *	enum order; the caller must not free it). logs_grammar_entry()
 *	returns the entry of one type.
 *
 *	logs_grammar_parse() parses one line without its newline: the
 *	prefix, either the file form "Www Mmm dd HH:MM:SS YYYY Level: "
 *	(day of month padded with a space) or the syslog form
 *	"<PRI>Mmm dd HH:MM:SS name: Level: ", then the message.
 *	logs_grammar_parse_message() parses a message part alone, as a
 *	formatter produced it, written at level. Both fill lp and return
 *	0, or return -1 and put the reason in why (when not null): an
 *	unknown line type, a field that does not have its syntax (named,
 *	with its column), a level that is not the line type's, trailing
 *	white space. Fields are views into the caller's line, valid as
 *	long as it is. ids found in the line are also in lp->icid, mid,
 *	dcid and orig (the MID a bounce was generated for), with
 *	LOGS_GRAMMAR_HAS_ICID, _MID, _DCID, _ORIG set in lp->has.
 *	Untrusted input is safe: any bytes at all give 0 or -1.
 *
 *	A field's flags tell LOGS_GRAMMAR_F_NUMBER (an unsigned decimal
 *	number, its value also in num) and
 *	LOGS_GRAMMAR_F_REPR (a Python repr() string, quotes included).
 *	logs_grammar_field() returns the field of a parsed line with a
 *	name, or null.
 *
 *	logs_grammar_unrepr() appends to bp the UTF-8 text of a Python
 *	repr() string (quotes included in repr); \exNN escapes give the
 *	character U+00NN. It returns 0, or -1 when repr is not a well
 *	formed repr() (bp may then hold part of the text).
 */
#ifndef LOGS_GRAMMAR_H
#define LOGS_GRAMMAR_H

#include <stddef.h>

#include "buf.h"
#include "str.h"
#include "logs_line.h"

enum logs_grammar_type {
	/* logs_head */
	LOGS_GRAMMAR_HEAD_BEGIN,
	LOGS_GRAMMAR_HEAD_VERSION,
	LOGS_GRAMMAR_HEAD_OFFSET,
	/* logs_icid */
	LOGS_GRAMMAR_ICID_NEW,
	LOGS_GRAMMAR_ICID_HAT,
	LOGS_GRAMMAR_ICID_TLS_SUCCESS,
	LOGS_GRAMMAR_ICID_TLS_SUCCESS_A4,
	LOGS_GRAMMAR_ICID_TLS_FAILED,
	LOGS_GRAMMAR_ICID_TLS_FAILED_A4,
	LOGS_GRAMMAR_ICID_TLS_REQUIRED,
	LOGS_GRAMMAR_ICID_RECEIVING_FAILED,
	LOGS_GRAMMAR_ICID_CONN_LIMIT,
	LOGS_GRAMMAR_ICID_TIMEOUT,
	LOGS_GRAMMAR_ICID_LOST,
	LOGS_GRAMMAR_ICID_CLOSE,
	LOGS_GRAMMAR_ICID_AUTH,
	LOGS_GRAMMAR_ICID_AUTH_REQUIRED,
	/* logs_mid */
	LOGS_GRAMMAR_MID_START,
	LOGS_GRAMMAR_MID_FROM,
	LOGS_GRAMMAR_MID_TO,
	LOGS_GRAMMAR_MID_REJECTED,
	LOGS_GRAMMAR_MID_MESSAGE_ID,
	LOGS_GRAMMAR_MID_SUBJECT,
	LOGS_GRAMMAR_MID_READY,
	LOGS_GRAMMAR_MID_QUEUED,
	LOGS_GRAMMAR_MID_ABORTED,
	LOGS_GRAMMAR_MID_FINISHED,
	LOGS_GRAMMAR_MID_BOUNCE_OF,
	LOGS_GRAMMAR_MID_RESPONSE,
	LOGS_GRAMMAR_MID_PENDING,
	LOGS_GRAMMAR_MID_DOUBLE_BOUNCE,
	/* logs_dcid */
	LOGS_GRAMMAR_DCID_NEW,
	LOGS_GRAMMAR_DCID_TLS_SUCCESS,
	LOGS_GRAMMAR_DCID_TLS_FAILED,
	LOGS_GRAMMAR_DCID_TLS_FAILED_A4,
	LOGS_GRAMMAR_DCID_TLS_DEFERRING,
	LOGS_GRAMMAR_DCID_TLS_REQUIRED,
	LOGS_GRAMMAR_DCID_STARTTLS_UNSUPPORTED,
	LOGS_GRAMMAR_DCID_DELIVERY_START,
	LOGS_GRAMMAR_DCID_MESSAGE_DONE,
	LOGS_GRAMMAR_DCID_DELAYED,
	LOGS_GRAMMAR_DCID_BOUNCED,
	LOGS_GRAMMAR_DCID_CONN_ERROR,
	LOGS_GRAMMAR_DCID_DNS_ERROR,
	LOGS_GRAMMAR_DCID_DNS_TEMPFAIL,
	LOGS_GRAMMAR_DCID_CLOSE,
	/* logs_alert */
	LOGS_GRAMMAR_ALERT_SENT,
	LOGS_GRAMMAR_ALERT_FAILED,
	LOGS_GRAMMAR_NTYPES
};

#define LOGS_GRAMMAR_MODERN	(1U << 0)
#define LOGS_GRAMMAR_ASYNCOS4	(1U << 1)
#define LOGS_GRAMMAR_BOTH	(LOGS_GRAMMAR_MODERN | LOGS_GRAMMAR_ASYNCOS4)

#define LOGS_GRAMMAR_HAS_ICID	(1U << 0)
#define LOGS_GRAMMAR_HAS_MID	(1U << 1)
#define LOGS_GRAMMAR_HAS_DCID	(1U << 2)
#define LOGS_GRAMMAR_HAS_ORIG	(1U << 3)

#define LOGS_GRAMMAR_F_NUMBER	(1U << 0)
#define LOGS_GRAMMAR_F_REPR	(1U << 1)

#define LOGS_GRAMMAR_MAXFIELDS	12

struct logs_grammar_entry {
	enum logs_grammar_type type;
	const char *name;		/* "icid_new" */
	enum logs_line_level level;
	unsigned dialects;		/* LOGS_GRAMMAR_MODERN | ... */
	const char *template;		/* "ICID <icid> close" */
	const char *example;		/* a documented line, with prefix */
	const char *source;		/* where it is documented */
};

struct logs_grammar_field {
	const char *name;		/* the template's field name */
	struct str value;		/* the bytes in the line */
	unsigned long num;		/* numeric fields: the value */
	unsigned flags;			/* LOGS_GRAMMAR_F_* */
};

struct logs_grammar_line {
	const struct logs_grammar_entry *entry;
	enum logs_line_level level;
	int	syslog;			/* prefix was the syslog form */
	struct str stamp;		/* time stamp as written */
	struct str message;		/* what follows "Level: " */
	unsigned long icid;
	unsigned long mid;
	unsigned long dcid;
	unsigned long orig;		/* bounce of this MID */
	unsigned has;			/* LOGS_GRAMMAR_HAS_* */
	size_t	nfields;
	struct logs_grammar_field field[LOGS_GRAMMAR_MAXFIELDS];
};

const struct logs_grammar_entry *logs_grammar_table(size_t *);
const struct logs_grammar_entry *logs_grammar_entry(enum logs_grammar_type);
int	logs_grammar_parse(struct logs_grammar_line *, const char *, size_t,
	    struct buf *);
int	logs_grammar_parse_message(struct logs_grammar_line *,
	    enum logs_line_level, const char *, size_t, struct buf *);
const struct logs_grammar_field *logs_grammar_field(
	    const struct logs_grammar_line *, const char *);
int	logs_grammar_unrepr(struct buf *, struct str);

#endif
