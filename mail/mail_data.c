/*
 * NAME
 *	mail_data - the DATA reader: end of data, dot-stuffing, bare CR/LF
 * DESCRIPTION
 *	See mail_data.h. One state machine, one byte at a time (with a fast
 *	path for runs of ordinary body bytes), so that a chunk may be split
 *	anywhere: inside CR LF, inside CR LF "." CR LF, between a dot and
 *	what follows it. The states remember the bytes that cannot be
 *	judged yet (a CR that may start CR LF, a dot at the start of a line)
 *	and nothing else; content leaves through a fixed-size buffer.
 *
 *	Only a real line end (CR immediately followed by LF) moves to the
 *	start of a line, and only at the start of a line is "." CR LF the
 *	end of data or a dot removed. A bare CR or LF never does either, in
 *	any mode.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "mail_reply.h"
#include "mail_data.h"

enum mail_data_state {
	MD_BOL,				/* at the start of a line */
	MD_DOT,				/* start of line, then "." */
	MD_DOT_CR,			/* start of line, then "." CR */
	MD_TEXT,			/* inside a line */
	MD_CR,				/* inside a line, then CR */
	MD_DONE,			/* end of data seen, or aborted */
};

enum mail_data_capture {
	MD_CAP_NONE,
	MD_CAP_SUBJECT,
	MD_CAP_MSGID,
};

#define MD_NAME_MAX	32		/* longest field name we compare */

struct mail_data {
	int	opts;
	int	flags;
	unsigned long long limit;
	unsigned long long size;
	mail_data_sink_fn sink;
	void   *ctx;
	enum mail_data_state state;
	size_t	linelen;		/* content octets on this line */
	/* Header section tracking. */
	int	in_header;		/* before the first empty line */
	int	h_bol;			/* at the start of a header line */
	int	h_in_name;		/* reading a field name */
	int	h_skip_ws;		/* may skip one SP/HT after ':' */
	enum mail_data_capture h_cap;	/* field being captured */
	char	h_name[MD_NAME_MAX];
	size_t	h_namelen;
	int	have_subject;
	int	have_msgid;
	struct buf subject;
	struct buf msgid;
	/* Content on its way to the sink. */
	size_t	outlen;
	char	out[MAIL_DATA_CHUNK];
};

/* mail_data_create - reader for one message */

struct mail_data *
mail_data_create(int opts, unsigned long long limit, mail_data_sink_fn sink,
    void *ctx)
{
	struct mail_data *md = mem_zalloc(1, sizeof(*md));

	if (sink == NULL)
		msg_panic("mail_data_create: no sink");
	md->opts = opts;
	md->limit = limit;
	md->sink = sink;
	md->ctx = ctx;
	md->state = MD_BOL;
	md->in_header = 1;
	md->h_bol = 1;
	md->h_cap = MD_CAP_NONE;
	buf_init(&md->subject, 0);
	buf_init(&md->msgid, 0);
	return (md);
}

/* mail_data_free - release */

struct mail_data *
mail_data_free(struct mail_data *md)
{
	if (md != NULL) {
		buf_fini(&md->subject);
		buf_fini(&md->msgid);
		mem_free(md);
	}
	return (NULL);
}

/* mail_data_flush - hand buffered content to the sink */

static void
mail_data_flush(struct mail_data *md)
{
	if (md->outlen == 0)
		return;
	if (!(md->flags & (MAIL_DATA_F_TOO_BIG | MAIL_DATA_F_SINK_ERROR))
	    && md->sink(md->out, md->outlen, md->ctx) != 0)
		md->flags |= MAIL_DATA_F_SINK_ERROR;
	md->outlen = 0;
}

/* mail_data_out - queue content bytes for the sink, count the size */

static void
mail_data_out(struct mail_data *md, const char *p, size_t n)
{
	size_t	room;

	md->size += n;
	if (md->limit && md->size > md->limit)
		md->flags |= MAIL_DATA_F_TOO_BIG;
	if (md->flags & (MAIL_DATA_F_TOO_BIG | MAIL_DATA_F_SINK_ERROR)) {
		md->outlen = 0;
		return;
	}
	while (n > 0) {
		room = sizeof(md->out) - md->outlen;
		if (room > n)
			room = n;
		memcpy(md->out + md->outlen, p, room);
		md->outlen += room;
		p += room;
		n -= room;
		if (md->outlen == sizeof(md->out))
			mail_data_flush(md);
	}
}

/* mail_data_cap_put - append to the captured value, bounded */

static void
mail_data_cap_put(struct mail_data *md, const char *p, size_t n)
{
	struct buf *bp;

	if (md->h_cap == MD_CAP_NONE)
		return;
	bp = md->h_cap == MD_CAP_SUBJECT ? &md->subject : &md->msgid;
	if (bp->len + n > MAIL_DATA_HEADER_MAX) {
		n = MAIL_DATA_HEADER_MAX - bp->len;
		md->flags |= MAIL_DATA_F_HEADER_CUT;
	}
	buf_append(bp, p, n);
}

/* mail_data_hdr_name_end - a field name is complete: capture it? */

static void
mail_data_hdr_name_end(struct mail_data *md)
{
	struct str name = str_make(md->h_name, md->h_namelen);

	md->h_in_name = 0;
	md->h_skip_ws = 1;
	md->h_cap = MD_CAP_NONE;
	if (!md->have_subject && str_caseeq(name, STR_LIT("Subject"))) {
		md->have_subject = 1;
		md->h_cap = MD_CAP_SUBJECT;
	} else if (!md->have_msgid
	    && str_caseeq(name, STR_LIT("Message-ID"))) {
		md->have_msgid = 1;
		md->h_cap = MD_CAP_MSGID;
	}
}

/* mail_data_hdr_text - one content byte of the header section */

static void
mail_data_hdr_text(struct mail_data *md, char c)
{
	unsigned char ch = (unsigned char) c;

	if (md->h_bol) {
		md->h_bol = 0;
		if (ch == ' ' || ch == '\t') {
			/* A continuation: its line break is in the value. */
			if (!md->h_in_name)
				mail_data_cap_put(md, "\r\n", 2);
		} else {
			md->h_cap = MD_CAP_NONE;
			md->h_in_name = 1;
			md->h_namelen = 0;
		}
	}
	if (md->h_in_name) {
		if (ch == ':') {
			mail_data_hdr_name_end(md);
		} else if (ch > 32 && ch < 127 && md->h_namelen < MD_NAME_MAX) {
			md->h_name[md->h_namelen++] = c;
		} else {
			/* Too long to be a name we want, or not a name. */
			md->h_in_name = 0;
			md->h_namelen = 0;
			md->h_cap = MD_CAP_NONE;
		}
		return;
	}
	if (md->h_skip_ws) {
		md->h_skip_ws = 0;
		if (ch == ' ' || ch == '\t')
			return;
	}
	mail_data_cap_put(md, &c, 1);
}

/* mail_data_hdr_eol - a real line end in the header section */

static void
mail_data_hdr_eol(struct mail_data *md)
{
	if (md->h_bol) {
		/* The empty line: the header section ends. */
		md->in_header = 0;
		md->h_cap = MD_CAP_NONE;
		return;
	}
	if (md->h_in_name) {
		/* A line without a colon belongs to no field. */
		md->h_in_name = 0;
		md->h_cap = MD_CAP_NONE;
	}
	md->h_skip_ws = 0;
	md->h_bol = 1;
}

/* mail_data_text - one content byte inside a line */

static void
mail_data_text(struct mail_data *md, char c)
{
	unsigned char ch = (unsigned char) c;

	if (ch == 0)
		md->flags |= MAIL_DATA_F_NUL;
	else if (ch >= 0x80)
		md->flags |= MAIL_DATA_F_8BIT;
	md->linelen++;
	if (md->in_header)
		mail_data_hdr_text(md, c);
	mail_data_out(md, &c, 1);
}

/* mail_data_line_end - account for the end of a content line */

static void
mail_data_line_end(struct mail_data *md)
{
	if (md->linelen > MAIL_DATA_LINE_MAX)
		md->flags |= MAIL_DATA_F_LONG_LINE;
	md->linelen = 0;
}

/* mail_data_eol - a real CR LF */

static void
mail_data_eol(struct mail_data *md)
{
	mail_data_line_end(md);
	if (md->in_header)
		mail_data_hdr_eol(md);
	mail_data_out(md, "\r\n", 2);
	md->state = MD_BOL;
}

/*
 * mail_data_bare - a bare CR or LF. Returns -1 when the reader must stop
 * (MAIL_DATA_OPT_ABORT), else 0 and the state is MD_TEXT: what follows
 * is never the start of a line.
 */

static int
mail_data_bare(struct mail_data *md, char c)
{
	md->flags |= (c == '\n' ? MAIL_DATA_F_BARE_LF : MAIL_DATA_F_BARE_CR);
	md->state = MD_TEXT;
	if (md->opts & MAIL_DATA_OPT_NORMALIZE) {
		if (md->in_header) {
			/* Never a new header field: make it a space. */
			mail_data_text(md, ' ');
		} else {
			mail_data_line_end(md);
			mail_data_out(md, "\r\n", 2);
		}
		return (0);
	}
	if (md->opts & MAIL_DATA_OPT_ABORT) {
		md->state = MD_DONE;
		return (-1);
	}
	mail_data_text(md, c);
	return (0);
}

/* mail_data_run - length of ordinary body bytes at p (fast path) */

static size_t
mail_data_run(struct mail_data *md, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char) p[i];

		if (ch == '\r' || ch == '\n')
			break;
		if (ch == 0)
			md->flags |= MAIL_DATA_F_NUL;
		else if (ch >= 0x80)
			md->flags |= MAIL_DATA_F_8BIT;
	}
	return (i);
}

/*
 * mail_data_name_run - take a run of field-name bytes at once; returns
 * how many (0 when the next byte needs the header tracker's attention).
 */

static size_t
mail_data_name_run(struct mail_data *md, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n && md->h_namelen < MD_NAME_MAX; i++) {
		unsigned char ch = (unsigned char) p[i];

		if (ch <= 32 || ch >= 127 || ch == ':')
			break;
		md->h_name[md->h_namelen++] = (char) ch;
	}
	md->linelen += i;
	mail_data_out(md, p, i);
	return (i);
}

/* mail_data_feed - consume a chunk; see mail_data.h */

int
mail_data_feed(struct mail_data *md, const char *data, size_t len,
    size_t *used)
{
	size_t	i = 0, n;
	char	c;

	if (md->state == MD_DONE)
		msg_panic("mail_data_feed: called after the end of data");
	while (i < len) {
		c = data[i];
		switch (md->state) {
		case MD_BOL:
			if (c == '.') {
				md->state = MD_DOT;
				i++;
				continue;
			}
			md->state = MD_TEXT;
			continue;		/* same byte, as text */
		case MD_DOT:
			if (c == '\r') {
				md->state = MD_DOT_CR;
				i++;
				continue;
			}
			if (c == '\n') {
				/* "." and a bare LF: no end; keep the dot. */
				mail_data_text(md, '.');
				if (mail_data_bare(md, c) < 0)
					goto abort;
				i++;
				continue;
			}
			/* Dot-stuffing: drop the dot, the byte is text. */
			md->state = MD_TEXT;
			continue;
		case MD_DOT_CR:
			if (c == '\n') {
				i++;
				md->state = MD_DONE;
				mail_data_flush(md);
				*used = i;
				return (MAIL_DATA_DONE);
			}
			/* "." and a bare CR: not an end, keep the dot. */
			mail_data_text(md, '.');
			if (mail_data_bare(md, '\r') < 0)
				goto abort_before;
			continue;		/* same byte, as text */
		case MD_TEXT:
			if (c == '\r') {
				md->state = MD_CR;
				i++;
				continue;
			}
			if (c == '\n') {
				if (mail_data_bare(md, c) < 0)
					goto abort;
				i++;
				continue;
			}
			/*
			 * The header tracker wants single bytes only at the
			 * start of a line, in a field name, and right after
			 * the colon; elsewhere a run goes through whole.
			 */
			if (md->in_header && md->h_in_name && !md->h_bol
			    && (n = mail_data_name_run(md, data + i,
			    len - i)) > 0) {
				i += n;
				continue;
			}
			if (md->in_header && (md->h_bol || md->h_in_name
			    || md->h_skip_ws)) {
				mail_data_text(md, c);
				i++;
				continue;
			}
			n = mail_data_run(md, data + i, len - i);
			md->linelen += n;
			if (md->in_header)
				mail_data_cap_put(md, data + i, n);
			mail_data_out(md, data + i, n);
			i += n;
			continue;
		case MD_CR:
			if (c == '\n') {
				mail_data_eol(md);
				i++;
				continue;
			}
			/* The pending CR was bare. */
			if (mail_data_bare(md, '\r') < 0)
				goto abort_before;
			if (c == '\r') {
				md->state = MD_CR;
				i++;
			}
			continue;
		case MD_DONE:
			msg_panic("mail_data_feed: bad state");
		}
	}
	*used = len;
	return (MAIL_DATA_MORE);

	/*
	 * Abort just past the offending byte. A bare CR is known to be bare
	 * only when the next byte arrives; the CR itself may have been
	 * consumed by an earlier call, and the byte that revealed it is left
	 * to the caller, who closes the connection anyway.
	 */
abort:
	i++;
abort_before:
	mail_data_flush(md);
	*used = i;
	return (MAIL_DATA_ABORT);
}

/* mail_data_flags - what was seen */

int
mail_data_flags(const struct mail_data *md)
{
	return (md->flags);
}

/* mail_data_size - content octets */

unsigned long long
mail_data_size(const struct mail_data *md)
{
	return (md->size);
}

/* mail_data_subject - the first Subject value, raw */

struct str
mail_data_subject(const struct mail_data *md)
{
	return (str_make(md->subject.data ? md->subject.data : "",
	    md->subject.len));
}

/* mail_data_message_id - the first Message-ID value, raw */

struct str
mail_data_message_id(const struct mail_data *md)
{
	return (str_make(md->msgid.data ? md->msgid.data : "", md->msgid.len));
}

/* mail_data_reply - the reply a flawed message gets, or -1 */

int
mail_data_reply(const struct mail_data *md, struct mail_reply *rp)
{
	if (!(md->opts & MAIL_DATA_OPT_NORMALIZE)
	    && (md->flags & (MAIL_DATA_F_BARE_LF | MAIL_DATA_F_BARE_CR))) {
		mail_reply_set(rp, (md->opts & MAIL_DATA_OPT_ABORT)
		    ? MAIL_REPLY_DATA_BARE_EOL_CLOSE : MAIL_REPLY_DATA_BARE_EOL,
		    NULL);
		return (0);
	}
	if (md->flags & MAIL_DATA_F_TOO_BIG) {
		mail_reply_set(rp, MAIL_REPLY_TOO_BIG, NULL);
		return (0);
	}
	if (md->flags & MAIL_DATA_F_SINK_ERROR) {
		mail_reply_set(rp, MAIL_REPLY_LOCAL_ERROR, NULL);
		return (0);
	}
	return (-1);
}
