/*
 * NAME
 *	mail_data - the DATA reader: end of data, dot-stuffing, bare CR/LF
 * SYNOPSIS
 *	#include "mail_data.h"
 *
 *	typedef int (*mail_data_sink_fn)(const char *data, size_t len,
 *		    void *ctx);
 *
 *	struct mail_data *mail_data_create(int opts,
 *		    unsigned long long size_limit, mail_data_sink_fn sink,
 *		    void *ctx);
 *	struct mail_data *mail_data_free(struct mail_data *md);
 *	int	mail_data_feed(struct mail_data *md, const char *data,
 *		    size_t len, size_t *used);
 *	int	mail_data_flags(const struct mail_data *md);
 *	unsigned long long mail_data_size(const struct mail_data *md);
 *	struct str mail_data_subject(const struct mail_data *md);
 *	struct str mail_data_message_id(const struct mail_data *md);
 *	int	mail_data_reply(const struct mail_data *md,
 *		    struct mail_reply *rp);
 * DESCRIPTION
 *	A mail_data reads one message after "354", from byte chunks split
 *	anywhere. The message ends only at CR LF "." CR LF where the first
 *	CR LF ends a line, or at "." CR LF as the very first line (an empty
 *	message). A bare LF or a bare CR (one not part of CR LF) never ends
 *	a line for this purpose, so "\n.\n", "\r.\r", "\n.\r\n",
 *	"\r\n.\n", "\r.\r\n", "\r\n.\r" and the like never end the data
 *	(SMTP smuggling, RFC 5321 sections 2.3.8 and 4.1.1.4).
 *
 *	mail_data_feed() consumes data and returns MAIL_DATA_MORE when all
 *	of it was consumed and the end was not seen, MAIL_DATA_DONE when
 *	the end of data was seen: *used is then the number of bytes up to
 *	and including the final LF, and the caller keeps the rest (pipelined
 *	commands) untouched. With MAIL_DATA_OPT_ABORT (strict mode only: it
 *	is ignored with MAIL_DATA_OPT_NORMALIZE), the first bare LF makes it
 *	return MAIL_DATA_ABORT with *used just past that byte, a bare CR
 *	with *used at the byte after the CR that showed the CR to be bare:
 *	the session replies (MAIL_REPLY_DATA_BARE_EOL_CLOSE) and closes, the
 *	Sendmail and chasquid way. After DONE or ABORT, feeding is a panic.
 *
 *	Content goes to the sink in chunks of at most MAIL_DATA_CHUNK bytes,
 *	and the rest before DONE is returned; never is the whole message
 *	held. Leading dots of dot-stuffed lines are removed; the final
 *	"." CR LF is not content. A line "." ended by a bare CR or LF keeps
 *	its dot (it was not an end of data, and it is not dot-stuffing).
 *	NUL bytes pass byte-exact (MAIL_DATA_F_NUL is set).
 *
 *	Bare CR and LF. Strict mode (the default): each one sets
 *	MAIL_DATA_F_BARE_LF or MAIL_DATA_F_BARE_CR and is passed to the sink
 *	as is; the reader keeps reading to the real end so that the session
 *	stays in step, and mail_data_reply() gives 550 5.5.2. With
 *	MAIL_DATA_OPT_NORMALIZE a bare CR or LF in the header section
 *	becomes one space (so that it can never start a new header field,
 *	as Exim and Postfix's cleanup_replace_stray_cr_lf do), and in the
 *	body becomes CR LF; the flags are still set so that the session can
 *	log it, but mail_data_reply() does not reject for them. A line that
 *	begins after such a converted line ending is not a new line for the
 *	end of data or for dot-stuffing.
 *
 *	Size: mail_data_size() counts the content octets given to the sink
 *	(after un-stuffing, with CR LF line ends). When it passes
 *	size_limit (0: no limit), MAIL_DATA_F_TOO_BIG is set and the sink is
 *	no longer called, but reading goes on to the end: the message is
 *	rejected whole (552 5.3.4), never cut. A sink that returns -1 sets
 *	MAIL_DATA_F_SINK_ERROR and is not called again (451 4.3.0).
 *
 *	Lines: a content line longer than MAIL_DATA_LINE_MAX (998) octets
 *	without its CR LF sets MAIL_DATA_F_LONG_LINE (for relay time);
 *	8-bit bytes set MAIL_DATA_F_8BIT.
 *
 *	Headers: while the header section passes (up to the first empty
 *	line, that is CR LF at the start of a line; a bare CR or LF never
 *	ends it), the reader keeps the first Subject and the first
 *	Message-ID field (names in any case). The value stored is raw: the
 *	bytes after the colon, less one optional space or tab right after
 *	the colon, continuation lines included with their CR LF and
 *	leading white space, without the field's final CR LF. At most
 *	MAIL_DATA_HEADER_MAX octets are kept (more is dropped, and
 *	MAIL_DATA_F_HEADER_CUT is set). The str views stay valid until
 *	mail_data_free(); they are empty when the field was absent.
 *
 *	mail_data_reply() fills rp with the reply the message deserves at
 *	the end and returns 0, or returns -1 (rp untouched) when nothing is
 *	wrong and the session may commit the message. Order: bare CR/LF in
 *	strict mode (550 5.5.2), too big (552 5.3.4), sink error (451 4.3.0).
 */
#ifndef MAIL_DATA_H
#define MAIL_DATA_H

#include <stddef.h>

#include "str.h"
#include "mail_reply.h"

#define MAIL_DATA_CHUNK		8192
#define MAIL_DATA_LINE_MAX	998
#define MAIL_DATA_HEADER_MAX	2048

/* Options. */
#define MAIL_DATA_OPT_NORMALIZE	(1 << 0)	/* bare CR/LF fixed up */
#define MAIL_DATA_OPT_ABORT	(1 << 1)	/* stop at first bare CR/LF */

/* Flags. */
#define MAIL_DATA_F_BARE_LF	(1 << 0)
#define MAIL_DATA_F_BARE_CR	(1 << 1)
#define MAIL_DATA_F_TOO_BIG	(1 << 2)
#define MAIL_DATA_F_SINK_ERROR	(1 << 3)
#define MAIL_DATA_F_LONG_LINE	(1 << 4)
#define MAIL_DATA_F_NUL		(1 << 5)
#define MAIL_DATA_F_8BIT	(1 << 6)
#define MAIL_DATA_F_HEADER_CUT	(1 << 7)

/* Results of mail_data_feed(). */
#define MAIL_DATA_MORE		0
#define MAIL_DATA_DONE		1
#define MAIL_DATA_ABORT		2

typedef int (*mail_data_sink_fn)(const char *, size_t, void *);

struct mail_data;

struct mail_data *mail_data_create(int, unsigned long long,
	    mail_data_sink_fn, void *);
struct mail_data *mail_data_free(struct mail_data *);
int	mail_data_feed(struct mail_data *, const char *, size_t, size_t *);
int	mail_data_flags(const struct mail_data *);
unsigned long long mail_data_size(const struct mail_data *);
struct str mail_data_subject(const struct mail_data *);
struct str mail_data_message_id(const struct mail_data *);
int	mail_data_reply(const struct mail_data *, struct mail_reply *);

#endif
