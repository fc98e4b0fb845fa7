/*
 * NAME
 *	ipc_test - unit tests for lib/ipc
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <uv.h>

#include "buf.h"
#include "fdpass.h"
#include "mem.h"
#include "ipc.h"

/* no_sigpipe - let writes to a closed socket fail with EPIPE */

static void
no_sigpipe(void)
{
	(void) signal(SIGPIPE, SIG_IGN);
}

TestSuite(ipc, .init = no_sigpipe);

/* Attributes of every kind, as a table. */

struct attr_case {
	const char *label;
	unsigned key;
	int	kind;
	uint64_t u64;
	const char *val;
	size_t	len;
};

static const struct attr_case attr_cases[] = {
	{"u64 zero", 1, IPC_U64, 0, NULL, 0},
	{"u64 max", 2, IPC_U64, UINT64_MAX, NULL, 0},
	{"u64 bytes order", 3, IPC_U64, 0x0102030405060708ULL, NULL, 0},
	{"empty string", 4, IPC_STR, 0, "", 0},
	{"string", 5, IPC_STR, 0, "user@example.com", 16},
	{"empty bytes", 6, IPC_BYTES, 0, "", 0},
	{"bytes with NULs", 7, IPC_BYTES, 0, "a\0b\0\xff", 5},
	{"key 0", 0, IPC_STR, 0, "zero", 4},
	{"key 65535", 65535, IPC_U64, 42, NULL, 0},
};

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

/* build_all - a message holding every case */

static struct ipc_msg *
build_all(unsigned type)
{
	struct ipc_msg *m = ipc_msg_new(type);
	const struct attr_case *c;
	size_t	i;

	for (i = 0; i < NCASES(attr_cases); i++) {
		c = &attr_cases[i];
		if (c->kind == IPC_U64)
			ipc_put_u64(m, c->key, c->u64);
		else if (c->kind == IPC_STR)
			ipc_put_str(m, c->key, c->val, c->len);
		else
			ipc_put_bytes(m, c->key, c->val, c->len);
	}
	return (m);
}

/* check_all - every case is in the message, with its kind and value */

static void
check_all(const struct ipc_msg *m)
{
	const struct attr_case *c;
	const char *s;
	const void *p;
	uint64_t v;
	size_t	len;
	size_t	i;

	cr_assert_eq(ipc_msg_count(m), NCASES(attr_cases));
	for (i = 0; i < NCASES(attr_cases); i++) {
		c = &attr_cases[i];
		if (c->kind == IPC_U64) {
			cr_assert_eq(ipc_get_u64(m, c->key, &v), IPC_FOUND,
				     "%s", c->label);
			cr_assert_eq(v, c->u64, "%s", c->label);
			cr_assert_eq(ipc_get_str(m, c->key, &s, &len),
				     IPC_WRONGKIND, "%s", c->label);
		} else if (c->kind == IPC_STR) {
			cr_assert_eq(ipc_get_str(m, c->key, &s, &len),
				     IPC_FOUND, "%s", c->label);
			cr_assert_eq(len, c->len, "%s", c->label);
			cr_assert_eq(s[len], 0, "%s: not terminated", c->label);
			cr_assert(memcmp(s, c->val, len) == 0, "%s", c->label);
			cr_assert_eq(ipc_get_bytes(m, c->key, &p, &len),
				     IPC_WRONGKIND, "%s", c->label);
		} else {
			cr_assert_eq(ipc_get_bytes(m, c->key, &p, &len),
				     IPC_FOUND, "%s", c->label);
			cr_assert_eq(len, c->len, "%s", c->label);
			cr_assert(memcmp(p, c->val, len) == 0, "%s", c->label);
			cr_assert_eq(ipc_get_u64(m, c->key, &v),
				     IPC_WRONGKIND, "%s", c->label);
		}
	}
	cr_assert_eq(ipc_get_u64(m, 999, &v), IPC_NOTFOUND);
}

Test(ipc, encode_decode_every_kind)
{
	struct ipc_msg *m = build_all(7);
	struct ipc_msg *d;
	struct buf *b = buf_new(0);
	const char *why = NULL;
	size_t	i;

	cr_assert_eq(ipc_msg_encode(m, b, &why), 0);
	/* Every proper prefix asks for more bytes. */
	for (i = 0; i < b->len; i++)
		cr_assert_eq(ipc_msg_decode(b->data, i, &d, &why), 0,
			     "prefix of %zu bytes", i);
	/* Two frames back to back: the first is taken alone. */
	cr_assert_eq(ipc_msg_encode(m, b, &why), 0);
	cr_assert_eq(ipc_msg_decode(b->data, b->len, &d, &why),
		     (ssize_t) b->len / 2);
	cr_assert_eq(ipc_msg_type(d), 7);
	check_all(d);
	ipc_msg_free(d);
	ipc_msg_free(m);
	buf_free(b);
}

/* Malformed frames. Each is written out byte by byte. */

struct bad_case {
	const char *label;
	const unsigned char *frame;
	size_t	len;
	const char *why;
};

#define HDR(ver, type, flags, count, len) \
	(ver) >> 8, (ver) & 0xff, (type) >> 8, (type) & 0xff, \
	(flags) >> 8, (flags) & 0xff, (count) >> 8, (count) & 0xff, \
	((len) >> 24) & 0xff, ((len) >> 16) & 0xff, ((len) >> 8) & 0xff, \
	(len) & 0xff
#define AH(key, kind, len) \
	(key) >> 8, (key) & 0xff, (kind), 0, 0, ((len) >> 8) & 0xff, \
	(len) & 0xff

static const unsigned char f_version[] = {HDR(0x6d02, 1, 0, 0, 0)};
static const unsigned char f_magic[] = {HDR(0x4501, 1, 0, 0, 0)};
static const unsigned char f_type0[] = {HDR(IPC_VERSION, 0, 0, 0, 0)};
static const unsigned char f_flags[] = {HDR(IPC_VERSION, 1, 2, 0, 0)};
static const unsigned char f_count[] = {HDR(IPC_VERSION, 1, 0, 4097, 0)};
static const unsigned char f_large[] = {
	HDR(IPC_VERSION, 1, 0, 0, IPC_MAX_PAYLOAD + 1)};
static const unsigned char f_fit[] = {HDR(IPC_VERSION, 1, 0, 2, 13)};
static const unsigned char f_trunc[] = {
	HDR(IPC_VERSION, 1, 0, 2, 18), AH(1, IPC_U64, 8),
	0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 1};
static const unsigned char f_past[] = {
	HDR(IPC_VERSION, 1, 0, 1, 9), AH(1, IPC_STR, 3), 'a', 'b'};
static const unsigned char f_u64len[] = {
	HDR(IPC_VERSION, 1, 0, 1, 11), AH(1, IPC_U64, 4), 0, 0, 0, 1};
static const unsigned char f_nul[] = {
	HDR(IPC_VERSION, 1, 0, 1, 10), AH(1, IPC_STR, 3), 'a', 0, 'b'};
static const unsigned char f_dup[] = {
	HDR(IPC_VERSION, 1, 0, 2, 16), AH(5, IPC_STR, 1), 'a',
	AH(5, IPC_BYTES, 1), 'b'};
static const unsigned char f_kind[] = {
	HDR(IPC_VERSION, 1, 0, 1, 8), AH(1, 9, 1), 'a'};
static const unsigned char f_trail[] = {
	HDR(IPC_VERSION, 1, 0, 1, 9), AH(1, IPC_STR, 1), 'a', 'z'};
static const unsigned char f_zero_count_trail[] = {
	HDR(IPC_VERSION, 1, 0, 0, 1), 'z'};

#define BAD(label, f, why) {label, f, sizeof(f), why}

static const struct bad_case bad_cases[] = {
	BAD("framing version 2", f_version, "unknown framing version"),
	BAD("wrong magic", f_magic, "unknown framing version"),
	BAD("type 0", f_type0, "message type 0"),
	BAD("unknown flag", f_flags, "unknown frame flags"),
	BAD("4097 attributes", f_count, "too many attributes"),
	BAD("payload over the limit", f_large, "frame too large"),
	BAD("count larger than payload", f_fit, "does not fit"),
	BAD("truncated attribute header", f_trunc,
	    "truncated attribute header"),
	BAD("value past the frame", f_past, "runs past the frame"),
	BAD("u64 of 4 bytes", f_u64len, "not 8 bytes"),
	BAD("NUL in string", f_nul, "NUL byte"),
	BAD("duplicate key", f_dup, "duplicate attribute key"),
	BAD("unknown kind", f_kind, "unknown attribute kind"),
	BAD("trailing bytes", f_trail, "bytes left after"),
	BAD("payload without attributes", f_zero_count_trail,
	    "bytes left after"),
};

Test(ipc, malformed_frames_are_rejected)
{
	const struct bad_case *c;
	struct ipc_msg *m;
	const char *why;
	size_t	i;
	ssize_t	n;

	for (i = 0; i < NCASES(bad_cases); i++) {
		c = &bad_cases[i];
		why = NULL;
		n = ipc_msg_decode(c->frame, c->len, &m, &why);
		cr_assert_eq(n, -1, "%s: decode returned %zd", c->label, n);
		cr_assert_null(m, "%s", c->label);
		cr_assert_not_null(why, "%s", c->label);
		cr_assert(strstr(why, c->why) != NULL,
			  "%s: why \"%s\", want \"%s\"", c->label, why, c->why);
	}
}

Test(ipc, limits)
{
	struct ipc_msg *m;
	struct ipc_msg *d;
	struct buf *b = buf_new(0);
	const char *why;
	char   *big;
	const void *p;
	size_t	len;
	unsigned i;
	int	sv[2];

	/* The largest payload that fits: one bytes attribute. */
	big = mem_alloc(IPC_MAX_PAYLOAD);
	memset(big, 'x', IPC_MAX_PAYLOAD);
	m = ipc_msg_new(1);
	ipc_put_bytes(m, 1, big, IPC_MAX_PAYLOAD - IPC_ATTR_HDR_LEN);
	cr_assert_eq(ipc_msg_encode(m, b, &why), 0);
	cr_assert_eq(ipc_msg_decode(b->data, b->len, &d, &why),
		     (ssize_t) (IPC_HDR_LEN + IPC_MAX_PAYLOAD));
	cr_assert_eq(ipc_get_bytes(d, 1, &p, &len), IPC_FOUND);
	cr_assert_eq(len, IPC_MAX_PAYLOAD - IPC_ATTR_HDR_LEN);
	ipc_msg_free(d);
	ipc_msg_free(m);

	/* One byte more: the message is oversized and cannot be sent. */
	m = ipc_msg_new(1);
	ipc_put_bytes(m, 1, big, IPC_MAX_PAYLOAD - IPC_ATTR_HDR_LEN + 1);
	buf_reset(b);
	why = NULL;
	cr_assert_eq(ipc_msg_encode(m, b, &why), -1);
	cr_assert_not_null(why);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	errno = 0;
	cr_assert_eq(ipc_send_blocking(sv[0], m, 1000, &why), -1);
	cr_assert_eq(errno, EMSGSIZE);
	ipc_msg_free(m);

	/* IPC_MAX_ATTRS attributes fit, one more does not. */
	m = ipc_msg_new(1);
	for (i = 0; i < IPC_MAX_ATTRS; i++)
		ipc_put_u64(m, i, i);
	buf_reset(b);
	cr_assert_eq(ipc_msg_encode(m, b, &why), 0);
	cr_assert_gt(ipc_msg_decode(b->data, b->len, &d, &why), 0);
	cr_assert_eq(ipc_msg_count(d), IPC_MAX_ATTRS);
	ipc_msg_free(d);
	ipc_put_u64(m, IPC_MAX_ATTRS, 1);
	cr_assert_eq(ipc_msg_encode(m, b, &why), -1);
	ipc_msg_free(m);

	(void) close(sv[0]);
	(void) close(sv[1]);
	mem_free(big);
	buf_free(b);
}

Test(ipc, duplicate_put_is_a_bug, .signal = SIGABRT)
{
	struct ipc_msg *m = ipc_msg_new(1);

	ipc_put_u64(m, 3, 1);
	ipc_put_cstr(m, 3, "again");
}

Test(ipc, nul_in_put_string_is_a_bug, .signal = SIGABRT)
{
	struct ipc_msg *m = ipc_msg_new(1);

	ipc_put_str(m, 3, "a\0b", 3);
}

Test(ipc, second_fd_is_a_bug, .signal = SIGABRT)
{
	struct ipc_msg *m = ipc_msg_new(1);

	ipc_msg_attach_fd(m, dup(0));
	ipc_msg_attach_fd(m, dup(0));
}

/* The asynchronous channel. */

struct chan_test {
	uv_loop_t loop;
	struct ipc_chan *ch;
	struct ipc_msg *got[8];
	int	ngot;
	int	errors;
	int	err;
	char	why[128];
	int	closed;
	int	close_after;		/* close the channel after n messages */
	/* Byte-by-byte writer. */
	uv_idle_t writer;
	int	wfd;
	int	wfd_pass;		/* descriptor to send with byte 0 */
	struct buf *wdata;
	size_t	woff;
	int	wclose;			/* close wfd when all is written */
};

/* ct_received - keep the message */

static void
ct_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct chan_test *t = ctx;

	cr_assert_lt(t->ngot, 8);
	t->got[t->ngot++] = m;
	if (t->close_after && t->ngot == t->close_after)
		ipc_chan_close(ch);
}

/* ct_error - note the error and close */

static void
ct_error(struct ipc_chan *ch, int err, const char *why, void *ctx)
{
	struct chan_test *t = ctx;
	size_t	len = strlen(why);

	t->errors++;
	t->err = err;
	if (len >= sizeof(t->why))
		len = sizeof(t->why) - 1;
	memcpy(t->why, why, len);
	t->why[len] = 0;
	ipc_chan_close(ch);
}

/* ct_closed - the channel is gone */

static void
ct_closed(void *ctx)
{
	struct chan_test *t = ctx;

	t->closed++;
}

static const struct ipc_chan_ops ct_ops = {
	ct_received, ct_error, ct_closed,
};

/* ct_write_cb - write one byte per loop iteration */

static void
ct_write_cb(uv_idle_t *idle)
{
	struct chan_test *t = idle->data;
	ssize_t	n;

	if (t->woff < t->wdata->len) {
		n = fdpass_send(t->wfd, t->woff == 0 ? t->wfd_pass : -1,
				t->wdata->data + t->woff, 1);
		if (n == 1) {
			t->woff++;
			return;
		}
		/* The channel gave up on a malformed frame and closed. */
		cr_assert(errno == EPIPE || errno == ECONNRESET);
	}
	(void) uv_idle_stop(idle);
	uv_close((uv_handle_t *) idle, NULL);
	if (t->wclose) {
		(void) close(t->wfd);
		t->wfd = -1;
	}
}

/* ct_start - a channel on one end; the test writes the other */

static void
ct_start(struct chan_test *t, int sv[2])
{
	memset(t, 0, sizeof(*t));
	cr_assert_eq(uv_loop_init(&t->loop), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	t->ch = ipc_chan_open(&t->loop, sv[1], &ct_ops, t);
	t->wfd = sv[0];
	t->wfd_pass = -1;
}

/* ct_run_bytes - deliver data byte by byte, then run to the end */

static void
ct_run_bytes(struct chan_test *t, struct buf *data, int close_writer)
{
	t->wdata = data;
	t->wclose = close_writer;
	cr_assert_eq(uv_idle_init(&t->loop, &t->writer), 0);
	t->writer.data = t;
	cr_assert_eq(uv_idle_start(&t->writer, ct_write_cb), 0);
	cr_assert_eq(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
}

/* ct_finish - free messages, prove the loop is clean */

static void
ct_finish(struct chan_test *t)
{
	int	i;

	for (i = 0; i < t->ngot; i++)
		ipc_msg_free(t->got[i]);
	if (t->wfd != -1)
		(void) close(t->wfd);
	cr_assert_eq(uv_loop_close(&t->loop), 0, "handles left open");
}

Test(ipc, split_frames_byte_by_byte)
{
	struct chan_test t;
	struct buf *b = buf_new(0);
	struct ipc_msg *m;
	const char *why;
	int	sv[2];
	uint64_t v;

	ct_start(&t, sv);
	m = build_all(3);
	cr_assert_eq(ipc_msg_encode(m, b, &why), 0);
	ipc_msg_free(m);
	m = ipc_msg_new(4);
	ipc_put_u64(m, 1, 77);
	cr_assert_eq(ipc_msg_encode(m, b, &why), 0);
	ipc_msg_free(m);
	ct_run_bytes(&t, b, 1);
	cr_assert_eq(t.ngot, 2);
	cr_assert_eq(ipc_msg_type(t.got[0]), 3);
	check_all(t.got[0]);
	cr_assert_eq(ipc_msg_type(t.got[1]), 4);
	cr_assert_eq(ipc_get_u64(t.got[1], 1, &v), IPC_FOUND);
	cr_assert_eq(v, 77);
	cr_assert_eq(t.errors, 1);
	cr_assert_eq(t.err, 0, "want end of file, got %d (%s)", t.err, t.why);
	cr_assert_eq(t.closed, 1);
	ct_finish(&t);
	buf_free(b);
}

Test(ipc, malformed_frames_break_the_channel)
{
	const struct bad_case *c;
	struct chan_test t;
	struct buf *b;
	size_t	i;
	int	sv[2];

	for (i = 0; i < NCASES(bad_cases); i++) {
		c = &bad_cases[i];
		b = buf_new(0);
		buf_append(b, c->frame, c->len);
		ct_start(&t, sv);
		ct_run_bytes(&t, b, 0);
		cr_assert_eq(t.ngot, 0, "%s", c->label);
		cr_assert_eq(t.errors, 1, "%s", c->label);
		cr_assert_eq(t.err, EPROTO, "%s: err %d", c->label, t.err);
		cr_assert(strstr(t.why, c->why) != NULL,
			  "%s: why \"%s\"", c->label, t.why);
		cr_assert_eq(t.closed, 1, "%s", c->label);
		ct_finish(&t);
		buf_free(b);
	}
}

/* Errors of the channel itself: end of file mid-frame, descriptors. */

struct chan_err_case {
	const char *label;
	int	flag_fd;		/* frame says a descriptor rides */
	int	pass_fd;		/* a descriptor does ride */
	size_t	cut;			/* send only this many bytes, 0: all */
	int	want_msgs;
	int	want_err;
	const char *want_why;
};

static const struct chan_err_case chan_err_cases[] = {
	{"clean end of file", 0, 0, 0, 1, 0, "end of file"},
	{"end of file inside the header", 0, 0, 5, 0, EPROTO,
	 "end of file inside a frame"},
	{"end of file inside the payload", 0, 0, 14, 0, EPROTO,
	 "end of file inside a frame"},
	{"flagged frame without descriptor", 1, 0, 0, 0, EPROTO,
	 "did not arrive"},
	{"descriptor without flagged frame", 0, 1, 0, 1, EPROTO,
	 "descriptor without a frame"},
	{"descriptor and flag", 1, 1, 0, 1, 0, "end of file"},
};

Test(ipc, channel_errors)
{
	const struct chan_err_case *c;
	struct chan_test t;
	struct ipc_msg *m;
	struct buf *b;
	const char *why;
	size_t	i;
	int	sv[2];

	for (i = 0; i < NCASES(chan_err_cases); i++) {
		c = &chan_err_cases[i];
		b = buf_new(0);
		m = ipc_msg_new(9);
		ipc_put_cstr(m, 1, "payload");
		if (c->flag_fd)
			ipc_msg_attach_fd(m, dup(2));
		cr_assert_eq(ipc_msg_encode(m, b, &why), 0);
		ipc_msg_free(m);
		if (c->cut)
			buf_truncate(b, c->cut);
		ct_start(&t, sv);
		if (c->pass_fd)
			t.wfd_pass = 2;
		ct_run_bytes(&t, b, 1);
		cr_assert_eq(t.ngot, c->want_msgs, "%s: %d messages", c->label,
			     t.ngot);
		if (t.ngot == 1 && c->flag_fd)
			cr_assert_neq(ipc_msg_fd(t.got[0]), -1, "%s", c->label);
		cr_assert_eq(t.errors, 1, "%s", c->label);
		cr_assert_eq(t.err, c->want_err, "%s: err %d (%s)", c->label,
			     t.err, t.why);
		cr_assert(strstr(t.why, c->want_why) != NULL,
			  "%s: why \"%s\"", c->label, t.why);
		ct_finish(&t);
		buf_free(b);
	}
}

/* Two channels talking: a pipe descriptor travels and works. */

struct duo {
	uv_loop_t loop;
	struct ipc_chan *a;
	struct ipc_chan *b;
	int	pipe_rd;
	int	nmsg;
	int	closed;
	char	read_back[16];
};

/* duo_received - use the descriptor, then shut both channels */

static void
duo_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct duo *d = ctx;
	const char *s;
	size_t	len;
	int	fd;
	ssize_t	n;

	d->nmsg++;
	cr_assert_eq(ipc_msg_type(m), 21);
	cr_assert_eq(ipc_get_str(m, 1, &s, &len), IPC_FOUND);
	cr_assert_str_eq(s, "here is a pipe");
	fd = ipc_msg_take_fd(m);
	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, "through", 7), 7);
	(void) close(fd);
	n = read(d->pipe_rd, d->read_back, sizeof(d->read_back) - 1);
	cr_assert_eq(n, 7);
	ipc_msg_free(m);
	ipc_chan_close(d->a);
	ipc_chan_close(d->b);
}

/* duo_error - nothing may go wrong here */

static void
duo_error(struct ipc_chan *ch, int err, const char *why, void *ctx)
{
	cr_assert_fail("channel error %d: %s", err, why);
}

/* duo_closed - count closed channels */

static void
duo_closed(void *ctx)
{
	((struct duo *) ctx)->closed++;
}

static const struct ipc_chan_ops duo_ops = {
	duo_received, duo_error, duo_closed,
};

Test(ipc, fd_passing_between_channels)
{
	struct duo d;
	struct ipc_msg *m;
	int	sv[2], pfd[2];

	memset(&d, 0, sizeof(d));
	cr_assert_eq(uv_loop_init(&d.loop), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(pipe(pfd), 0);
	d.pipe_rd = pfd[0];
	d.a = ipc_chan_open(&d.loop, sv[0], &duo_ops, &d);
	d.b = ipc_chan_open(&d.loop, sv[1], &duo_ops, &d);
	m = ipc_msg_new(21);
	ipc_put_cstr(m, 1, "here is a pipe");
	ipc_msg_attach_fd(m, pfd[1]);
	cr_assert_eq(ipc_chan_send(d.a, m), 0);
	cr_assert_gt(ipc_chan_queued(d.a), 0);
	cr_assert_eq(uv_run(&d.loop, UV_RUN_DEFAULT), 0);
	cr_assert_eq(d.nmsg, 1);
	cr_assert_str_eq(d.read_back, "through");
	cr_assert_eq(d.closed, 2);
	(void) close(pfd[0]);
	cr_assert_eq(uv_loop_close(&d.loop), 0);
}

/* Many messages queued at once, more than the socket buffer holds. */

struct flood {
	uv_loop_t loop;
	struct ipc_chan *rx;
	unsigned next;
	unsigned want;
	int	closed;
};

/* flood_received - messages arrive in order */

static void
flood_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct flood *f = ctx;
	uint64_t v;

	cr_assert_eq(ipc_get_u64(m, 1, &v), IPC_FOUND);
	cr_assert_eq(v, f->next, "message %u arrived as %u", f->next,
		     (unsigned) v);
	f->next++;
	ipc_msg_free(m);
}

/* flood_error - the sender closing is the end */

static void
flood_error(struct ipc_chan *ch, int err, const char *why, void *ctx)
{
	cr_assert_eq(err, 0, "%s", why);
	ipc_chan_close(ch);
}

/* flood_closed - count */

static void
flood_closed(void *ctx)
{
	((struct flood *) ctx)->closed++;
}

static const struct ipc_chan_ops flood_ops = {
	flood_received, flood_error, flood_closed,
};

/* flood_check - close the sender once everything is written */

static void
flood_check(uv_idle_t *idle)
{
	struct ipc_chan *tx = idle->data;

	if (ipc_chan_queued(tx) > 0)
		return;
	ipc_chan_close(tx);
	(void) uv_idle_stop(idle);
	uv_close((uv_handle_t *) idle, NULL);
}

Test(ipc, queued_sends_keep_order)
{
	struct flood f;
	struct ipc_chan *tx;
	struct ipc_msg *m;
	uv_idle_t idle;
	char	pad[1000];
	unsigned i;
	int	sv[2];

	memset(&f, 0, sizeof(f));
	memset(pad, 'p', sizeof(pad));
	f.want = 2000;
	cr_assert_eq(uv_loop_init(&f.loop), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	tx = ipc_chan_open(&f.loop, sv[0], &flood_ops, &f);
	f.rx = ipc_chan_open(&f.loop, sv[1], &flood_ops, &f);
	for (i = 0; i < f.want; i++) {
		m = ipc_msg_new(2);
		ipc_put_u64(m, 1, i);
		ipc_put_bytes(m, 2, pad, sizeof(pad));
		cr_assert_eq(ipc_chan_send(tx, m), 0);
	}
	cr_assert_gt(ipc_chan_queued(tx), 2000000);
	cr_assert_eq(uv_idle_init(&f.loop, &idle), 0);
	idle.data = tx;
	cr_assert_eq(uv_idle_start(&idle, flood_check), 0);
	cr_assert_eq(uv_run(&f.loop, UV_RUN_DEFAULT), 0);
	cr_assert_eq(f.next, f.want);
	cr_assert_eq(f.closed, 2);
	cr_assert_eq(uv_loop_close(&f.loop), 0);
}

Test(ipc, send_on_broken_channel_fails)
{
	struct chan_test t;
	struct ipc_msg *m;
	int	sv[2];

	ct_start(&t, sv);
	(void) close(sv[0]);
	t.wfd = -1;
	cr_assert_eq(uv_run(&t.loop, UV_RUN_DEFAULT), 0);
	cr_assert_eq(t.errors, 1);
	cr_assert_eq(t.err, 0);
	ct_finish(&t);

	ct_start(&t, sv);
	ipc_chan_close(t.ch);
	m = ipc_msg_new(1);
	errno = 0;
	cr_assert_eq(ipc_chan_send(t.ch, m), -1);
	cr_assert_eq(errno, EPIPE);
	cr_assert_eq(uv_run(&t.loop, UV_RUN_DEFAULT), 0);
	cr_assert_eq(t.closed, 1);
	ct_finish(&t);
}

Test(ipc, blocking_pair_then_channel)
{
	struct chan_test t;
	struct ipc_msg *m;
	struct ipc_msg *r;
	const char *why = NULL;
	const char *s;
	uint64_t v;
	int	sv[2], pfd[2], fd;
	char	c;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(pipe(pfd), 0);

	/* Hello with a descriptor, then a second frame behind it. */
	m = ipc_msg_new(1);
	ipc_put_cstr(m, 1, "hello");
	ipc_msg_attach_fd(m, pfd[1]);
	cr_assert_eq(ipc_send_blocking(sv[0], m, 1000, &why), 0, "%s", why);
	ipc_msg_free(m);
	m = ipc_msg_new(2);
	ipc_put_u64(m, 1, 5);
	cr_assert_eq(ipc_send_blocking(sv[0], m, 1000, &why), 0, "%s", why);
	ipc_msg_free(m);

	cr_assert_eq(ipc_recv_blocking(sv[1], &r, 1000, &why), 1, "%s", why);
	cr_assert_eq(ipc_get_str(r, 1, &s, NULL), IPC_FOUND);
	cr_assert_str_eq(s, "hello");
	fd = ipc_msg_take_fd(r);
	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, "!", 1), 1);
	cr_assert_eq(read(pfd[0], &c, 1), 1);
	cr_assert_eq(c, '!');
	(void) close(fd);
	(void) close(pfd[0]);
	ipc_msg_free(r);

	/* A channel on the same socket starts at the next frame. */
	memset(&t, 0, sizeof(t));
	cr_assert_eq(uv_loop_init(&t.loop), 0);
	t.ch = ipc_chan_open(&t.loop, sv[1], &ct_ops, &t);
	t.close_after = 1;
	t.wfd = sv[0];
	cr_assert_eq(uv_run(&t.loop, UV_RUN_DEFAULT), 0);
	cr_assert_eq(t.ngot, 1);
	cr_assert_eq(ipc_msg_type(t.got[0]), 2);
	cr_assert_eq(ipc_get_u64(t.got[0], 1, &v), IPC_FOUND);
	cr_assert_eq(v, 5);
	cr_assert_eq(t.errors, 0);
	ct_finish(&t);
}

/* Blocking receive: the error paths, as a table. */

struct brecv_case {
	const char *label;
	const unsigned char *bytes;
	size_t	len;
	int	close_writer;
	int	want_ret;
	int	want_errno;
	const char *want_why;
};

static const unsigned char bh_ok[] = {HDR(IPC_VERSION, 3, 0, 0, 0)};

static const struct brecv_case brecv_cases[] = {
	{"end of file before a frame", bh_ok, 0, 1, 0, 0, "end of file"},
	{"timeout", bh_ok, 0, 0, -1, ETIMEDOUT, "timed out"},
	{"half a header then end of file", bh_ok, 6, 1, -1, EPROTO,
	 "end of file inside a frame"},
	{"half a header then silence", bh_ok, 6, 0, -1, ETIMEDOUT,
	 "timed out"},
	{"bad version", f_version, sizeof(f_version), 0, -1, EPROTO,
	 "unknown framing version"},
	{"duplicate key", f_dup, sizeof(f_dup), 0, -1, EPROTO,
	 "duplicate attribute key"},
	{"empty message", bh_ok, sizeof(bh_ok), 0, 1, 0, NULL},
};

Test(ipc, blocking_receive_errors)
{
	const struct brecv_case *c;
	struct ipc_msg *m;
	const char *why;
	size_t	i;
	int	sv[2];
	int	ret;

	for (i = 0; i < NCASES(brecv_cases); i++) {
		c = &brecv_cases[i];
		cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		if (c->len)
			cr_assert_eq(write(sv[0], c->bytes, c->len),
				     (ssize_t) c->len);
		if (c->close_writer)
			(void) close(sv[0]);
		why = NULL;
		errno = 0;
		ret = ipc_recv_blocking(sv[1], &m, 50, &why);
		cr_assert_eq(ret, c->want_ret, "%s: ret %d (%s)", c->label,
			     ret, why ? why : "");
		if (ret == 1) {
			cr_assert_eq(ipc_msg_type(m), 3, "%s", c->label);
			ipc_msg_free(m);
		} else {
			cr_assert_null(m, "%s", c->label);
			if (c->want_errno)
				cr_assert_eq(errno, c->want_errno,
					     "%s: errno %d", c->label, errno);
			cr_assert(why && strstr(why, c->want_why),
				  "%s: why \"%s\"", c->label, why ? why : "");
		}
		if (!c->close_writer)
			(void) close(sv[0]);
		(void) close(sv[1]);
	}
}

/*
 * A burst of descriptor-carrying frames, all sent before any is read: more
 * than the channel reads per event, fewer than the kernel queues (about 70).
 */
#define IPC_TEST_BURST	60

struct fdburst {
	int	got;
	int	fds;
	int	closed;
};

/* fdburst_received - each frame brings its descriptor */

static void
fdburst_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct fdburst *b = ctx;
	int	fd = ipc_msg_take_fd(m);

	b->got++;
	if (fd >= 0) {
		b->fds++;
		(void) close(fd);
	}
	ipc_msg_free(m);
	(void) ch;
}

/* fdburst_error - the sender closing is the end */

static void
fdburst_error(struct ipc_chan *ch, int err, const char *why, void *ctx)
{
	cr_expect_eq(err, 0, "channel broke: %s", why);
	ipc_chan_close(ch);
	(void) ctx;
}

/* fdburst_closed - count */

static void
fdburst_closed(void *ctx)
{
	((struct fdburst *) ctx)->closed++;
}

static const struct ipc_chan_ops fdburst_ops = {
	fdburst_received, fdburst_error, fdburst_closed,
};

Test(ipc, burst_of_descriptors_all_arrive)
{
	struct fdburst b = {0, 0, 0};
	uv_loop_t loop;
	int	sv[2], pfd[2];
	int	i;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(pipe(pfd), 0);
	for (i = 0; i < IPC_TEST_BURST; i++) {
		struct ipc_msg *m = ipc_msg_new(7);
		const char *why = NULL;

		ipc_put_u64(m, 1, (uint64_t) i);
		ipc_msg_attach_fd(m, dup(pfd[0]));
		cr_assert_eq(ipc_send_blocking(sv[0], m, 1000, &why), 0,
		    "frame %d: %s", i, why ? why : "");
		ipc_msg_free(m);
	}
	(void) close(sv[0]);
	(void) close(pfd[0]);
	(void) close(pfd[1]);
	cr_assert_eq(uv_loop_init(&loop), 0);
	(void) ipc_chan_open(&loop, sv[1], &fdburst_ops, &b);
	cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
	cr_expect_eq(b.got, IPC_TEST_BURST);
	cr_expect_eq(b.fds, IPC_TEST_BURST, "every frame with its descriptor");
	cr_expect_eq(b.closed, 1);
	cr_assert_eq(uv_loop_close(&loop), 0);
}
