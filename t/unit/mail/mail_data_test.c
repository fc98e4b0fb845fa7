/*
 * NAME
 *	mail_data_test - unit tests for mail/mail_data, the DATA reader
 * DESCRIPTION
 *	Every input is run in one chunk, byte by byte, and split at every
 *	position (and at every pair of positions for the smuggling cases):
 *	the result must not depend on how the bytes arrived. A reference
 *	model of RFC 5321 end-of-data and dot-stuffing is compared with the
 *	reader on random inputs made of the bytes that matter.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "mail_reply.h"
#include "mail_data.h"

/* What one run of the reader produced. */
struct result {
	int	status;			/* last feed result */
	size_t	used;			/* bytes of input consumed in total */
	struct buf content;		/* what the sink received */
	int	flags;
	unsigned long long size;
	size_t	max_chunk;		/* largest sink call */
	size_t	calls;
	int	reply_code;		/* 0: no rejection */
	char	reply_enh[16];
	struct buf subject;
	struct buf msgid;
};

struct sink_ctx {
	struct result *r;
	int	fail_after;		/* fail the n-th call; 0: never */
};

static int
sink(const char *data, size_t len, void *ctx)
{
	struct sink_ctx *sc = ctx;

	sc->r->calls++;
	if (sc->fail_after && sc->r->calls >= (size_t) sc->fail_after)
		return (-1);
	if (len > sc->r->max_chunk)
		sc->r->max_chunk = len;
	cr_assert(len > 0, "sink called with nothing");
	buf_append(&sc->r->content, data, len);
	return (0);
}

static void
result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->content, 0);
	buf_init(&r->subject, 0);
	buf_init(&r->msgid, 0);
}

static void
result_fini(struct result *r)
{
	buf_fini(&r->content);
	buf_fini(&r->subject);
	buf_fini(&r->msgid);
}

/*
 * run_cuts - feed in[0..len) in pieces that end at the given cut
 * positions (sorted), stop at DONE/ABORT.
 */
static void
run_cuts(const char *in, size_t len, int opts, unsigned long long limit,
    const size_t *cuts, size_t ncuts, int fail_after, struct result *r)
{
	struct sink_ctx sc = {r, fail_after};
	struct mail_data *md = mail_data_create(opts, limit, sink, &sc);
	size_t	pos = 0, k;
	struct mail_reply rp;

	result_init(r);
	r->status = MAIL_DATA_MORE;
	for (k = 0; k <= ncuts && r->status == MAIL_DATA_MORE; k++) {
		size_t	end = k < ncuts ? cuts[k] : len;
		size_t	used = 12345;

		if (end < pos)
			continue;
		r->status = mail_data_feed(md, in + pos, end - pos, &used);
		cr_assert(used <= end - pos, "used beyond the chunk");
		if (r->status == MAIL_DATA_MORE)
			cr_assert_eq(used, end - pos, "MORE must use all");
		pos += used;
	}
	r->used = pos;
	r->flags = mail_data_flags(md);
	r->size = mail_data_size(md);
	buf_append(&r->subject, mail_data_subject(md).ptr,
	    mail_data_subject(md).len);
	buf_append(&r->msgid, mail_data_message_id(md).ptr,
	    mail_data_message_id(md).len);
	mail_reply_init(&rp);
	if (mail_data_reply(md, &rp) == 0) {
		r->reply_code = rp.code;
		memcpy(r->reply_enh, rp.enhanced, sizeof(r->reply_enh));
	}
	mail_reply_fini(&rp);
	mail_data_free(md);
}

static void
run_one(const char *in, size_t len, int opts, unsigned long long limit,
    struct result *r)
{
	run_cuts(in, len, opts, limit, NULL, 0, 0, r);
}

/* same_result - two runs agree in everything observable */

static void
same_result(const struct result *a, const struct result *b,
    const char *label, const char *how)
{
	cr_assert_eq(a->status, b->status, "%s (%s): status", label, how);
	cr_assert_eq(a->used, b->used, "%s (%s): used %zu vs %zu", label, how,
	    a->used, b->used);
	cr_assert_eq(a->content.len, b->content.len, "%s (%s): length", label,
	    how);
	cr_assert(memcmp(a->content.data, b->content.data, a->content.len)
	    == 0, "%s (%s): content", label, how);
	cr_assert_eq(a->flags, b->flags, "%s (%s): flags %#x vs %#x", label,
	    how, a->flags, b->flags);
	cr_assert_eq(a->size, b->size, "%s (%s): size", label, how);
	cr_assert_eq(a->reply_code, b->reply_code, "%s (%s): reply", label,
	    how);
	cr_assert_eq(a->subject.len, b->subject.len, "%s (%s): subject",
	    label, how);
	cr_assert(memcmp(a->subject.data, b->subject.data, a->subject.len)
	    == 0, "%s (%s): subject bytes", label, how);
	cr_assert_eq(a->msgid.len, b->msgid.len, "%s (%s): msgid", label, how);
}

/*
 * all_splits - the reader gives the same result for one chunk, byte by
 * byte, every split in two and (when pairs) every split in three.
 */
static void
all_splits(const char *in, size_t len, int opts, unsigned long long limit,
    const char *label, int pairs, struct result *ref)
{
	struct result r;
	size_t	i, j, cuts[2];
	size_t *bytes;

	run_one(in, len, opts, limit, ref);

	bytes = mem_alloc((len + 1) * sizeof(*bytes));
	for (i = 0; i < len; i++)
		bytes[i] = i + 1;
	run_cuts(in, len, opts, limit, bytes, len, 0, &r);
	same_result(ref, &r, label, "byte by byte");
	result_fini(&r);
	mem_free(bytes);

	for (i = 0; i <= len; i++) {
		cuts[0] = i;
		run_cuts(in, len, opts, limit, cuts, 1, 0, &r);
		same_result(ref, &r, label, "split in two");
		result_fini(&r);
		if (!pairs)
			continue;
		for (j = i; j <= len; j++) {
			cuts[1] = j;
			run_cuts(in, len, opts, limit, cuts, 2, 0, &r);
			same_result(ref, &r, label, "split in three");
			result_fini(&r);
		}
	}
}

/* no_bare - every CR is followed by LF and every LF preceded by CR */

static int
no_bare(const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'))
			return (0);
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			return (0);
	}
	return (1);
}

/*
 * The smuggling corpus: reliability-security.md case 1. The bytes after
 * the fake end of data make a second transaction; the real end is the
 * "x\r\n.\r\n" at the end, and "QUIT\r\n" is pipelined after it.
 */
struct smug_case {
	const char *label;
	const char *eod;
	size_t	eodlen;
	const char *strict_stored;	/* what strict mode stores for eod */
	size_t	strict_len;
	int	strict_flags;		/* bare CR / LF seen */
};

#define S(x)	x, sizeof(x) - 1
#define LF	MAIL_DATA_F_BARE_LF
#define CR	MAIL_DATA_F_BARE_CR

static const struct smug_case smug_cases[] = {
	{"lflf", S("\n.\n"), S("\n.\n"), LF},
	{"crcr", S("\r.\r"), S("\r.\r"), CR},
	{"crlf", S("\r.\n"), S("\r.\n"), CR | LF},
	{"lfcr", S("\n.\r"), S("\n.\r"), CR | LF},
	{"lfcrlf", S("\n.\r\n"), S("\n.\r\n"), LF},
	{"crlflf", S("\r\n.\n"), S("\r\n.\n"), LF},
	{"crcrlf", S("\r.\r\n"), S("\r.\r\n"), CR},
	{"crlfcr", S("\r\n.\r"), S("\r\n.\r"), CR},
	{"nullbefore", S("\r\n\0.\r\n"), S("\r\n\0.\r\n"), 0},
	{"nullafter", S("\r\n.\0\r\n"), S("\r\n\0\r\n"), 0},
	/* Outbound-only sequences, inbound must hold too. */
	{"crlfdotcrcrlf", S("\r\n.\r\r\n"), S("\r\n.\r\r\n"), CR},
	{"crcrlfdotcrcrlf", S("\r\r\n.\r\r\n"), S("\r\r\n.\r\r\n"), CR},
	{"lfdotlf-twice", S("\n.\n\n.\n"), S("\n.\n\n.\n"), LF},
	{"dot-cr-lf-split-by-lf", S("\r\n.\n\r\n"), S("\r\n.\n\r\n"), LF},
};

static const char smug_head[] = "Subject: t\r\n\r\nbody";
static const char smug_tail[] =
    "MAIL FROM:<smuggled@example.org>\r\nRCPT TO:<b@example.net>\r\n"
    "DATA\r\nFrom: <smuggled@example.org>\r\nSubject: SMUGGLED\r\n\r\n"
    "x\r\n.\r\n";
static const char smug_after[] = "QUIT\r\n";

/* smug_build - head + eod + tail + after */

static void
smug_build(const struct smug_case *c, struct buf *in)
{
	buf_puts(in, smug_head);
	buf_append(in, c->eod, c->eodlen);
	buf_puts(in, smug_tail);
	buf_puts(in, smug_after);
}

Test(mail_data, smuggling_strict_every_split)
{
	size_t	i;

	for (i = 0; i < sizeof(smug_cases) / sizeof(smug_cases[0]); i++) {
		const struct smug_case *c = &smug_cases[i];
		struct buf in, want;
		struct result r;

		buf_init(&in, 0);
		buf_init(&want, 0);
		smug_build(c, &in);
		all_splits(in.data, in.len, 0, 0, c->label, 1, &r);

		/* Ends at the real end only; QUIT is left to the caller. */
		cr_assert_eq(r.status, MAIL_DATA_DONE, "%s: not done",
		    c->label);
		cr_assert_eq(r.used, in.len - strlen(smug_after),
		    "%s: ended at %zu of %zu", c->label, r.used, in.len);

		/* One message holding the smuggled lines, stored exactly. */
		buf_puts(&want, smug_head);
		buf_append(&want, c->strict_stored, c->strict_len);
		buf_append(&want, smug_tail, strlen(smug_tail) - 3);
		cr_assert_eq(r.content.len, want.len, "%s: length %zu vs %zu",
		    c->label, r.content.len, want.len);
		cr_assert(memcmp(r.content.data, want.data, want.len) == 0,
		    "%s: content", c->label);
		cr_assert_eq(r.flags & (CR | LF), c->strict_flags,
		    "%s: flags %#x", c->label, r.flags);
		if (c->strict_flags) {
			cr_assert_eq(r.reply_code, 550, "%s: reply %d",
			    c->label, r.reply_code);
			cr_assert_str_eq(r.reply_enh, "5.5.2", "%s", c->label);
		} else {
			cr_assert_eq(r.reply_code, 0, "%s: rejected", c->label);
		}
		cr_assert_eq(r.size, want.len, "%s: size", c->label);
		cr_assert_str_eq(r.subject.data, "t", "%s: subject", c->label);
		result_fini(&r);
		buf_fini(&in);
		buf_fini(&want);
	}
}

Test(mail_data, smuggling_normalize_every_split)
{
	size_t	i;

	for (i = 0; i < sizeof(smug_cases) / sizeof(smug_cases[0]); i++) {
		const struct smug_case *c = &smug_cases[i];
		struct buf in;
		struct result r;

		buf_init(&in, 0);
		smug_build(c, &in);
		all_splits(in.data, in.len, MAIL_DATA_OPT_NORMALIZE, 0,
		    c->label, 0, &r);
		cr_assert_eq(r.status, MAIL_DATA_DONE, "%s", c->label);
		cr_assert_eq(r.used, in.len - strlen(smug_after), "%s: ended "
		    "at %zu", c->label, r.used);
		cr_assert(no_bare(r.content.data, r.content.len),
		    "%s: bare CR/LF stored", c->label);
		cr_assert(memmem(r.content.data, r.content.len,
		    "\r\nMAIL FROM:<smuggled@example.org>\r\n", 36) != NULL
		    || c->strict_flags == 0, "%s: smuggled lines not a body "
		    "line", c->label);
		cr_assert_eq(r.reply_code, 0, "%s: normalize rejects",
		    c->label);
		cr_assert_eq(r.flags & (CR | LF), c->strict_flags,
		    "%s: flags still report", c->label);
		result_fini(&r);
		buf_fini(&in);
	}
}

Test(mail_data, smuggling_abort_mode)
{
	size_t	i;

	for (i = 0; i < sizeof(smug_cases) / sizeof(smug_cases[0]); i++) {
		const struct smug_case *c = &smug_cases[i];
		struct buf in;
		struct result r;

		buf_init(&in, 0);
		smug_build(c, &in);
		all_splits(in.data, in.len, MAIL_DATA_OPT_ABORT, 0, c->label,
		    0, &r);
		if (c->strict_flags) {
			cr_assert_eq(r.status, MAIL_DATA_ABORT, "%s", c->label);
			cr_assert(r.used <= strlen(smug_head) + c->eodlen + 1,
			    "%s: read too far (%zu)", c->label, r.used);
			cr_assert_eq(r.reply_code, 521, "%s", c->label);
		} else {
			cr_assert_eq(r.status, MAIL_DATA_DONE, "%s", c->label);
		}
		result_fini(&r);
		buf_fini(&in);
	}
}

/* Normalize mode, exact output for each fake end of data. */
Test(mail_data, smuggling_normalize_exact)
{
	size_t	i;

	for (i = 0; i < 8; i++) {
		const struct smug_case *c = &smug_cases[i];
		struct buf in, want;
		struct result r;

		buf_init(&in, 0);
		buf_init(&want, 0);
		smug_build(c, &in);
		run_one(in.data, in.len, MAIL_DATA_OPT_NORMALIZE, 0, &r);
		buf_puts(&want, smug_head);
		buf_puts(&want, "\r\n.\r\n");
		buf_append(&want, smug_tail, strlen(smug_tail) - 3);
		cr_assert_eq(r.content.len, want.len, "%s: length", c->label);
		cr_assert(memcmp(r.content.data, want.data, want.len) == 0,
		    "%s: content", c->label);
		result_fini(&r);
		buf_fini(&in);
		buf_fini(&want);
	}
}

/* General cases: input, options, expected content, flags, used. */
struct data_case {
	const char *label;
	const char *in;
	size_t	inlen;
	int	opts;
	int	status;
	const char *want;
	size_t	wantlen;
	size_t	used;			/* (size_t) -1: all of the input */
	int	flags;			/* exact flags */
	int	reply;			/* 0: accepted */
};

#define ALL	((size_t) -1)
#define NORM	MAIL_DATA_OPT_NORMALIZE
#define NUL	MAIL_DATA_F_NUL
#define BIT8	MAIL_DATA_F_8BIT

static const struct data_case data_cases[] = {
	{"empty message", S(".\r\n"), 0, MAIL_DATA_DONE, S(""), 3, 0, 0},
	{"one line", S("a\r\n.\r\n"), 0, MAIL_DATA_DONE, S("a\r\n"), ALL, 0, 0},
	{"pipelined rest", S("a\r\n.\r\nMAIL FROM:<x@y>\r\n"), 0,
	    MAIL_DATA_DONE, S("a\r\n"), 6, 0, 0},
	{"no end yet", S("a\r\nb\r\n"), 0, MAIL_DATA_MORE, S("a\r\nb\r\n"), ALL,
	    0, 0},
	{"pending CR", S("a\r"), 0, MAIL_DATA_MORE, S("a"), ALL, 0, 0},
	{"pending dot", S("a\r\n."), 0, MAIL_DATA_MORE, S("a\r\n"), ALL, 0, 0},
	{"pending dot CR", S("a\r\n.\r"), 0, MAIL_DATA_MORE, S("a\r\n"), ALL,
	    0, 0},
	{"dot-stuffed", S("..a\r\n.\r\n"), 0, MAIL_DATA_DONE, S(".a\r\n"), ALL,
	    0, 0},
	{"dot-stuffed lone", S("..\r\n.\r\n"), 0, MAIL_DATA_DONE, S(".\r\n"),
	    ALL, 0, 0},
	{"dot-stuffed later line", S("x\r\n...\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("x\r\n..\r\n"), ALL, 0, 0},
	{"first line leading dot", S(".a\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("a\r\n"), ALL, 0, 0},
	{"dot inside line", S("a.b\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("a.b\r\n"), ALL, 0, 0},
	{"dot space not end", S("x\r\n. \r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("x\r\n \r\n"), ALL, 0, 0},
	{"space dot not end", S("x\r\n .\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("x\r\n .\r\n"), ALL, 0, 0},
	{"NUL kept", S("a\0b\r\n.\r\n"), 0, MAIL_DATA_DONE, S("a\0b\r\n"),
	    ALL, NUL, 0},
	{"NUL lines", S("\0\r\n\0\0\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("\0\r\n\0\0\r\n"), ALL, NUL, 0},
	{"8bit", S("\xc3\xa9\r\n.\r\n"), 0, MAIL_DATA_DONE, S("\xc3\xa9\r\n"),
	    ALL, BIT8, 0},
	{"8bit header", S("Subject: \xff\r\n\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("Subject: \xff\r\n\r\n"), ALL, BIT8, 0},
	/* reliability-security.md case 2, strict. */
	{"body a LF b", S("\r\na\nb\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("\r\na\nb\r\n"), ALL, LF, 550},
	{"body a CR b", S("\r\na\rb\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("\r\na\rb\r\n"), ALL, CR, 550},
	{"body a CR CR LF", S("\r\na\r\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("\r\na\r\r\n"), ALL, CR, 550},
	{"header bare LF", S("Subject: x\nBcc: y@example.net\r\n\r\n.\r\n"), 0,
	    MAIL_DATA_DONE, S("Subject: x\nBcc: y@example.net\r\n\r\n"), ALL,
	    LF, 550},
	/* case 2, normalize: header -> space, body -> CR LF. */
	{"norm body a LF b", S("\r\na\nb\r\n.\r\n"), NORM, MAIL_DATA_DONE,
	    S("\r\na\r\nb\r\n"), ALL, LF, 0},
	{"norm body a CR b", S("\r\na\rb\r\n.\r\n"), NORM, MAIL_DATA_DONE,
	    S("\r\na\r\nb\r\n"), ALL, CR, 0},
	{"norm body a CR CR LF", S("\r\na\r\r\n.\r\n"), NORM, MAIL_DATA_DONE,
	    S("\r\na\r\n\r\n"), ALL, CR, 0},
	{"norm header bare LF",
	    S("Subject: x\nBcc: y@example.net\r\n\r\n.\r\n"), NORM,
	    MAIL_DATA_DONE, S("Subject: x Bcc: y@example.net\r\n\r\n"), ALL, LF,
	    0},
	{"norm header bare CR at line start",
	    S("A: b\r\n\rBcc: c\r\n\r\n.\r\n"),
	    NORM, MAIL_DATA_DONE, S("A: b\r\n Bcc: c\r\n\r\n"), ALL, CR, 0},
	{"norm header LF LF never ends headers",
	    S("A: b\n\nBcc: c\r\n\r\n.\r\n"), NORM, MAIL_DATA_DONE,
	    S("A: b  Bcc: c\r\n\r\n"), ALL, LF, 0},
	{"norm lone dot bare LF kept", S("\r\n.\nx\r\n.\r\n"), NORM,
	    MAIL_DATA_DONE, S("\r\n.\r\nx\r\n"), ALL, LF, 0},
	{"norm lf dot dot", S("\r\na\n..\r\n.\r\n"), NORM, MAIL_DATA_DONE,
	    S("\r\na\r\n..\r\n"), ALL, LF, 0},
	{"CR LF after bare LF is real", S("a\n\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("a\n\r\n"), ALL, LF, 550},
	{"CR CR LF dot is real end", S("a\r\r\n.\r\nX"), 0, MAIL_DATA_DONE,
	    S("a\r\r\n"), 7, CR, 550},
	{"dot CR dot CR LF", S("\r\n.\r.\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("\r\n.\r.\r\n"), ALL, CR, 550},
	{"dot CR CR LF", S(".\r\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S(".\r\r\n"), ALL, CR, 550},
	{"LF at start", S("\n.\r\n.\r\n"), 0, MAIL_DATA_DONE,
	    S("\n.\r\n"), ALL, LF, 550},
	{"CR LF only", S("\r\n.\r\n"), 0, MAIL_DATA_DONE, S("\r\n"), ALL, 0, 0},
};

Test(mail_data, table_every_split)
{
	size_t	i;

	for (i = 0; i < sizeof(data_cases) / sizeof(data_cases[0]); i++) {
		const struct data_case *c = &data_cases[i];
		struct result r;
		size_t	used = c->used == ALL ? c->inlen : c->used;

		all_splits(c->in, c->inlen, c->opts, 0, c->label, 1, &r);
		cr_assert_eq(r.status, c->status, "%s: status %d", c->label,
		    r.status);
		cr_assert_eq(r.used, used, "%s: used %zu", c->label, r.used);
		/* Before the end, content may still wait in the buffer. */
		if (c->status == MAIL_DATA_MORE)
			cr_assert_eq(r.size, c->wantlen, "%s: size %llu",
			    c->label, r.size);
		else
			cr_assert_eq(r.content.len, c->wantlen,
			    "%s: length %zu", c->label, r.content.len);
		cr_assert(memcmp(r.content.data, c->want, r.content.len) == 0,
		    "%s: content", c->label);
		cr_assert_eq(r.flags, c->flags, "%s: flags %#x", c->label,
		    r.flags);
		cr_assert_eq(r.reply_code, c->reply, "%s: reply %d", c->label,
		    r.reply_code);
		result_fini(&r);
	}
}

/* Header capture: input, want Subject, want Message-ID. */
struct hdr_case {
	const char *label;
	const char *in;
	const char *subject;
	const char *msgid;
};

static const struct hdr_case hdr_cases[] = {
	{"plain", "Subject: hello\r\nMessage-ID: <a@b>\r\n\r\nx\r\n.\r\n",
	    "hello", "<a@b>"},
	{"no space", "Subject:hello\r\n\r\n.\r\n", "hello", ""},
	{"two spaces keep one", "Subject:  hello\r\n\r\n.\r\n", " hello", ""},
	{"tab", "Subject:\thello\r\n\r\n.\r\n", "hello", ""},
	{"trailing blanks kept", "Subject: a  \r\n\r\n.\r\n", "a  ", ""},
	{"empty", "Subject:\r\n\r\n.\r\n", "", ""},
	{"folded", "Subject: =?x?B?YQ==?=\r\n\t=?x?B?Yg==?=\r\nTo: x\r\n\r\n"
	    ".\r\n", "=?x?B?YQ==?=\r\n\t=?x?B?Yg==?=", ""},
	{"folded twice", "Subject: a\r\n b\r\n  c\r\n\r\n.\r\n",
	    "a\r\n b\r\n  c", ""},
	{"case", "SUBJECT: up\r\nmessage-id: <m>\r\n\r\n.\r\n", "up", "<m>"},
	{"first wins", "Subject: one\r\nSubject: two\r\n\r\n.\r\n", "one", ""},
	{"body not header", "To: x\r\n\r\nSubject: no\r\n.\r\n", "", ""},
	{"after other fields", "From: a\r\nX-Long: a\r\n b\r\nSubject: s\r\n"
	    "\r\n.\r\n", "s", ""},
	{"not a name", "Sub ject: no\r\nSubject: yes\r\n\r\n.\r\n", "yes", ""},
	{"prefix is not name", "Subjects: no\r\nSubject: yes\r\n\r\n.\r\n",
	    "yes", ""},
	{"continuation of other", "X: a\r\n Subject: no\r\n\r\n.\r\n", "", ""},
	{"dot-stuffed header", "..Subject: no\r\nSubject: ..x\r\n\r\n.\r\n",
	    "..x", ""},
	{"no body", "Subject: s\r\n.\r\n", "s", ""},
	{"message-id folded", "Message-ID:\r\n <id@x>\r\n\r\n.\r\n", "",
	    "\r\n <id@x>"},
};

Test(mail_data, header_capture)
{
	size_t	i;

	for (i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
		const struct hdr_case *c = &hdr_cases[i];
		struct result r;

		all_splits(c->in, strlen(c->in), 0, 0, c->label, 0, &r);
		cr_assert_eq(r.status, MAIL_DATA_DONE, "%s", c->label);
		cr_assert_str_eq(r.subject.data ? r.subject.data : "",
		    c->subject, "%s: subject", c->label);
		cr_assert_str_eq(r.msgid.data ? r.msgid.data : "", c->msgid,
		    "%s: message-id", c->label);
		result_fini(&r);
	}
}

Test(mail_data, header_capture_bounded)
{
	struct buf in;
	struct result r;
	size_t	i;

	buf_init(&in, 0);
	buf_puts(&in, "Subject: ");
	for (i = 0; i < 100; i++)
		buf_puts(&in, "0123456789012345678901234567890123456789\r\n ");
	buf_puts(&in, "end\r\n\r\n.\r\n");
	run_one(in.data, in.len, 0, 0, &r);
	cr_assert_eq(r.status, MAIL_DATA_DONE);
	cr_assert_eq(r.subject.len, MAIL_DATA_HEADER_MAX);
	cr_assert(r.flags & MAIL_DATA_F_HEADER_CUT);
	cr_assert_eq(r.reply_code, 0, "a long subject is no reason to reject");
	cr_assert_eq(r.content.len, in.len - 3, "content is not cut");
	result_fini(&r);
	buf_fini(&in);
}

/* Long lines: 998 is fine, 999 flags; nothing is ever cut. */
Test(mail_data, long_lines)
{
	static const size_t lens[] = {0, 1, 997, 998, 999, 1000, 10000,
	1000000};
	size_t	i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct buf in;
		struct result r;

		buf_init(&in, 0);
		buf_puts(&in, "\r\n");
		buf_reserve(&in, lens[i]);
		memset(in.data + in.len, 'x', lens[i]);
		in.len += lens[i];
		buf_puts(&in, "\r\nshort\r\n.\r\n");
		run_one(in.data, in.len, 0, 0, &r);
		cr_assert_eq(r.status, MAIL_DATA_DONE, "len %zu", lens[i]);
		cr_assert_eq(r.content.len, in.len - 3, "len %zu: cut",
		    lens[i]);
		cr_assert_eq(!!(r.flags & MAIL_DATA_F_LONG_LINE),
		    lens[i] > 998, "len %zu: flag", lens[i]);
		cr_assert(r.max_chunk <= MAIL_DATA_CHUNK, "len %zu: chunk %zu",
		    lens[i], r.max_chunk);
		cr_assert_eq(r.reply_code, 0, "len %zu", lens[i]);
		result_fini(&r);
		buf_fini(&in);
	}
}

Test(mail_data, long_line_last_before_end)
{
	struct buf in;
	struct result r;

	buf_init(&in, 0);
	buf_reserve(&in, 999);
	memset(in.data, 'y', 999);
	in.len = 999;
	buf_puts(&in, "\r\n.\r\n");
	run_one(in.data, in.len, 0, 0, &r);
	cr_assert(r.flags & MAIL_DATA_F_LONG_LINE);
	result_fini(&r);
	buf_fini(&in);
}

/* Size limit: flagged, never cut short of the real end. */
Test(mail_data, size_limit)
{
	static const struct {
		unsigned long long limit;
		int	too_big;
	} cases[] = {{0, 0}, {1, 1}, {11, 1}, {12, 0}, {13, 0}, {1000, 0}};
	static const char in[] = "0123456789\r\n.\r\nNEXT";
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r;

		all_splits(in, sizeof(in) - 1, 0, cases[i].limit, "size", 0,
		    &r);
		cr_assert_eq(r.status, MAIL_DATA_DONE, "limit %llu",
		    cases[i].limit);
		cr_assert_eq(r.used, sizeof(in) - 1 - 4, "limit %llu",
		    cases[i].limit);
		cr_assert_eq(r.size, 12, "limit %llu: size counts all",
		    cases[i].limit);
		cr_assert_eq(!!(r.flags & MAIL_DATA_F_TOO_BIG),
		    cases[i].too_big,
		    "limit %llu", cases[i].limit);
		cr_assert_eq(r.reply_code, cases[i].too_big ? 552 : 0,
		    "limit %llu", cases[i].limit);
		if (cases[i].too_big)
			cr_assert_str_eq(r.reply_enh, "5.3.4");
		result_fini(&r);
	}
}

Test(mail_data, size_limit_large_stops_sink)
{
	struct buf in;
	struct result r;
	size_t	i;

	buf_init(&in, 0);
	for (i = 0; i < 10000; i++)
		buf_puts(&in, "0123456789012345678901234567890123456789\r\n");
	buf_puts(&in, ".\r\n");
	run_one(in.data, in.len, 0, 100000, &r);
	cr_assert_eq(r.status, MAIL_DATA_DONE);
	cr_assert(r.flags & MAIL_DATA_F_TOO_BIG);
	cr_assert(r.content.len <= 100000, "sink got %zu", r.content.len);
	cr_assert_eq(r.size, in.len - 3);
	result_fini(&r);
	buf_fini(&in);
}

Test(mail_data, sink_error)
{
	struct buf in;
	struct result r;
	size_t	i;

	buf_init(&in, 0);
	for (i = 0; i < 1000; i++)
		buf_puts(&in, "0123456789012345678901234567890123456789\r\n");
	buf_puts(&in, ".\r\nQUIT\r\n");
	run_cuts(in.data, in.len, 0, 0, NULL, 0, 2, &r);
	cr_assert_eq(r.status, MAIL_DATA_DONE);
	cr_assert_eq(r.used, in.len - 6);
	cr_assert(r.flags & MAIL_DATA_F_SINK_ERROR);
	cr_assert_eq(r.calls, 2, "sink called again after failing");
	cr_assert_eq(r.reply_code, 451);
	result_fini(&r);
	buf_fini(&in);
}

Test(mail_data, streams_in_chunks)
{
	struct buf in;
	struct result r;
	size_t	i;

	buf_init(&in, 0);
	for (i = 0; i < 5000; i++)
		buf_puts(&in, "Lorem ipsum dolor sit amet, consectetur\r\n");
	buf_puts(&in, ".\r\n");
	run_one(in.data, in.len, 0, 0, &r);
	cr_assert_eq(r.content.len, in.len - 3);
	cr_assert(r.calls > 1, "whole message in one call");
	cr_assert(r.max_chunk <= MAIL_DATA_CHUNK);
	result_fini(&r);
	buf_fini(&in);
}

Test(mail_data, reply_codes)
{
	struct result r;

	run_one(S("a\nb\r\n.\r\n"), 0, 0, &r);
	cr_assert_eq(r.reply_code, 550);
	result_fini(&r);
	run_one(S("a\nb\r\n.\r\n"), NORM, 0, &r);
	cr_assert_eq(r.reply_code, 0);
	result_fini(&r);
	run_one(S("a\nb\r\n.\r\n"), MAIL_DATA_OPT_ABORT, 0, &r);
	cr_assert_eq(r.status, MAIL_DATA_ABORT);
	cr_assert_eq(r.used, 2);
	cr_assert_eq(r.reply_code, 521);
	result_fini(&r);
	/* Bare CR then abort: the byte after it is left unread. */
	run_one(S("a\rb\r\n.\r\n"), MAIL_DATA_OPT_ABORT, 0, &r);
	cr_assert_eq(r.status, MAIL_DATA_ABORT);
	cr_assert_eq(r.used, 2);
	result_fini(&r);
	/* Bare CR beats too big. */
	run_one(S("a\rbcdef\r\n.\r\n"), 0, 2, &r);
	cr_assert_eq(r.reply_code, 550);
	result_fini(&r);
}

/*
 * reference - the RFC 5321 model, strict mode: the data ends at the
 * first ".\r\n" that is at offset 0 or right after "\r\n"; content is
 * what comes before it, with the dot removed from every line (offset 0
 * or after "\r\n") that starts with "." followed by neither CR nor LF.
 */
static int
reference(const char *in, size_t len, struct buf *out, size_t *used,
    int *flags)
{
	size_t	p, i, end = (size_t) -1;

	for (p = 0; p + 3 <= len; p++) {
		if (memcmp(in + p, ".\r\n", 3) == 0
		    && (p == 0 || (p >= 2 && in[p - 2] == '\r'
		    && in[p - 1] == '\n'))) {
			end = p;
			break;
		}
	}
	if (end == (size_t) -1)
		return (MAIL_DATA_MORE);
	*flags = 0;
	for (i = 0; i < end; i++) {
		int	bol = i == 0 || (i >= 2 && in[i - 2] == '\r'
		    && in[i - 1] == '\n');

		if (bol && in[i] == '.' && in[i + 1] != '\r'
		    && in[i + 1] != '\n')
			continue;
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			*flags |= MAIL_DATA_F_BARE_LF;
		if (in[i] == '\r' && in[i + 1] != '\n')
			*flags |= MAIL_DATA_F_BARE_CR;
		if (in[i] == 0)
			*flags |= MAIL_DATA_F_NUL;
		buf_putc(out, in[i]);
	}
	*used = end + 3;
	return (MAIL_DATA_DONE);
}

Test(mail_data, random_against_reference)
{
	static const char alphabet[] = "\r\n\r\n..a\0";
	unsigned long seed = 12345;
	int	iter;

	for (iter = 0; iter < 20000; iter++) {
		char	in[40];
		size_t	len, i, cuts[3], ref_used = 0;
		int	ref_flags = 0, ref_status;
		struct buf ref;
		struct result r, n;
		char	label[64];

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		len = 1 + (seed >> 33) % sizeof(in);
		for (i = 0; i < len; i++) {
			seed = seed * 6364136223846793005UL
			    + 1442695040888963407UL;
			in[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		for (i = 0; i < 3; i++) {
			seed = seed * 6364136223846793005UL
			    + 1442695040888963407UL;
			cuts[i] = (seed >> 33) % (len + 1);
		}
		if (cuts[0] > cuts[1]) {
			size_t	t = cuts[0];

			cuts[0] = cuts[1];
			cuts[1] = t;
		}
		if (cuts[1] > cuts[2]) {
			size_t	t = cuts[1];

			cuts[1] = cuts[2];
			cuts[2] = t;
		}
		if (cuts[0] > cuts[1]) {
			size_t	t = cuts[0];

			cuts[0] = cuts[1];
			cuts[1] = t;
		}
		(void) snprintf(label, sizeof(label), "random #%d", iter);
		buf_init(&ref, 0);
		ref_status = reference(in, len, &ref, &ref_used, &ref_flags);
		run_cuts(in, len, 0, 0, cuts, 3, 0, &r);
		cr_assert_eq(r.status, ref_status, "%s: status", label);
		if (ref_status == MAIL_DATA_DONE) {
			cr_assert_eq(r.used, ref_used, "%s: used", label);
			cr_assert_eq(r.content.len, ref.len, "%s: length",
			    label);
			cr_assert(memcmp(r.content.data, ref.data,
			    ref.len) == 0, "%s: content", label);
			cr_assert_eq(r.flags & (CR | LF | NUL), ref_flags,
			    "%s: flags %#x vs %#x", label, r.flags, ref_flags);
		}
		/* Normalize mode ends at the same place, stores no bare. */
		run_cuts(in, len, NORM, 0, cuts, 3, 0, &n);
		cr_assert_eq(n.status, r.status, "%s: normalize status", label);
		cr_assert_eq(n.used, r.used, "%s: normalize used", label);
		if (n.status == MAIL_DATA_DONE)
			cr_assert(no_bare(n.content.data, n.content.len),
			    "%s: normalize left a bare CR/LF", label);
		result_fini(&r);
		result_fini(&n);
		buf_fini(&ref);
	}
}

Test(mail_data, feed_after_end_panics, .signal = SIGABRT)
{
	struct result r;
	struct sink_ctx sc = {&r, 0};
	struct mail_data *md;
	size_t	used;

	msg_stderr_set(0);
	result_init(&r);
	md = mail_data_create(0, 0, sink, &sc);
	cr_assert_eq(mail_data_feed(md, ".\r\n", 3, &used), MAIL_DATA_DONE);
	(void) mail_data_feed(md, "x", 1, &used);
}
