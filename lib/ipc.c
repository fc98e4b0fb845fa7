/*
 * NAME
 *	ipc - typed, versioned, length-framed messages between processes
 * DESCRIPTION
 *	See ipc.h for the wire format and the contract.
 *
 *	A message keeps its attributes in an array (keys are few, lookups
 *	are linear) and their values in one buf, each value followed by a
 *	NUL so that strings can be handed out as C strings.
 *
 *	Descriptors on a stream socket. The sender passes a frame's
 *	descriptor with the sendmsg() that carries the frame's first byte,
 *	and sends every frame with its own sendmsg(). The kernel attaches
 *	the descriptor to those bytes and hands it over with the recvmsg()
 *	that reads the first of them, so a descriptor always arrives no
 *	later than the header of its frame, and never after the frame is
 *	complete. The receiver queues descriptors in arrival order and gives
 *	the oldest to the next complete frame flagged IPC_FLAG_FD. A flagged
 *	frame with no queued descriptor, or a descriptor left over when no
 *	partial frame is buffered, means the peer broke the rule: a protocol
 *	error.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "buf.h"
#include "fdpass.h"
#include "mem.h"
#include "msg.h"
#include "ipc.h"

#define IPC_READ_CHUNK	65536
#define IPC_FDQ_MAX	8
#define IPC_READS_PER_EVENT 16

struct ipc_attr {
	unsigned key;
	int	kind;
	uint64_t u64;			/* IPC_U64 */
	size_t	off;			/* IPC_STR, IPC_BYTES: in vals */
	size_t	len;
};

struct ipc_msg {
	unsigned type;
	int	fd;			/* owned, -1 when none */
	int	want_fd;		/* decoded with IPC_FLAG_FD */
	int	oversize;		/* put beyond the limits */
	size_t	payload;		/* encoded payload length so far */
	size_t	count;
	size_t	cap;
	struct ipc_attr *attrs;
	struct buf vals;
};

struct ipc_out {
	struct ipc_out *next;
	struct buf frame;
	size_t	off;			/* bytes already sent */
	int	fd;			/* to send with the first byte */
};

struct ipc_chan {
	uv_poll_t poll;
	int	fd;
	const struct ipc_chan_ops *ops;
	void   *ctx;
	struct buf in;
	int	fdq[IPC_FDQ_MAX];
	size_t	nfdq;
	struct ipc_out *head;
	struct ipc_out *tail;
	size_t	queued;
	int	events;
	int	broken;
	int	closing;
};

/* ipc_msg_new - make an empty message */

struct ipc_msg *
ipc_msg_new(unsigned type)
{
	struct ipc_msg *m;

	if (type == 0 || type > 0xffff)
		msg_panic("ipc_msg_new: bad message type %u", type);
	m = mem_zalloc(1, sizeof(*m));
	m->type = type;
	m->fd = -1;
	buf_init(&m->vals, 0);
	return (m);
}

/* ipc_msg_free - release a message and close its descriptor */

struct ipc_msg *
ipc_msg_free(struct ipc_msg *m)
{
	if (m == NULL)
		return (NULL);
	if (m->fd != -1)
		(void) close(m->fd);
	buf_fini(&m->vals);
	mem_free(m->attrs);
	mem_free(m);
	return (NULL);
}

/* ipc_msg_type - the message type */

unsigned
ipc_msg_type(const struct ipc_msg *m)
{
	return (m->type);
}

/* ipc_msg_count - the number of attributes */

size_t
ipc_msg_count(const struct ipc_msg *m)
{
	return (m->count);
}

/* ipc_find - the attribute with a key, or NULL */

static const struct ipc_attr *
ipc_find(const struct ipc_msg *m, unsigned key)
{
	size_t	i;

	for (i = 0; i < m->count; i++)
		if (m->attrs[i].key == key)
			return (&m->attrs[i]);
	return (NULL);
}

/* ipc_add - append an attribute; the caller checked the key */

static struct ipc_attr *
ipc_add(struct ipc_msg *m, unsigned key, int kind, const void *val,
    size_t len)
{
	struct ipc_attr *a;

	if (m->count == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->attrs = mem_realloc(m->attrs, m->cap, sizeof(*m->attrs));
	}
	a = &m->attrs[m->count++];
	a->key = key;
	a->kind = kind;
	a->u64 = 0;
	a->off = m->vals.len;
	a->len = len;
	if (len > 0)
		buf_append(&m->vals, val, len);
	buf_putc(&m->vals, 0);
	return (a);
}

/* ipc_put - check a new attribute against the rules and the limits */

static int
ipc_put(struct ipc_msg *m, unsigned key, size_t len, const char *myname)
{
	if (key > 0xffff)
		msg_panic("%s: bad key %u", myname, key);
	if (ipc_find(m, key) != NULL)
		msg_panic("%s: duplicate key %u", myname, key);
	if (m->oversize)
		return (-1);
	if (m->count >= IPC_MAX_ATTRS || len > IPC_MAX_PAYLOAD
	    || m->payload + IPC_ATTR_HDR_LEN + len > IPC_MAX_PAYLOAD) {
		m->oversize = 1;
		return (-1);
	}
	m->payload += IPC_ATTR_HDR_LEN + len;
	return (0);
}

/* ipc_put_u64 - add an unsigned number */

void
ipc_put_u64(struct ipc_msg *m, unsigned key, uint64_t v)
{
	if (ipc_put(m, key, 8, "ipc_put_u64") == 0)
		ipc_add(m, key, IPC_U64, NULL, 0)->u64 = v;
}

/* ipc_put_str - add a string of len bytes without NUL */

void
ipc_put_str(struct ipc_msg *m, unsigned key, const char *s, size_t len)
{
	if (len > 0 && memchr(s, 0, len) != NULL)
		msg_panic("ipc_put_str: key %u: NUL inside string", key);
	if (ipc_put(m, key, len, "ipc_put_str") == 0)
		ipc_add(m, key, IPC_STR, s, len);
}

/* ipc_put_cstr - add a C string */

void
ipc_put_cstr(struct ipc_msg *m, unsigned key, const char *s)
{
	ipc_put_str(m, key, s, strlen(s));
}

/* ipc_put_bytes - add opaque bytes */

void
ipc_put_bytes(struct ipc_msg *m, unsigned key, const void *p, size_t len)
{
	if (ipc_put(m, key, len, "ipc_put_bytes") == 0)
		ipc_add(m, key, IPC_BYTES, p, len);
}

/* ipc_msg_attach_fd - let the message carry and own a descriptor */

void
ipc_msg_attach_fd(struct ipc_msg *m, int fd)
{
	if (fd < 0)
		msg_panic("ipc_msg_attach_fd: bad descriptor %d", fd);
	if (m->fd != -1)
		msg_panic("ipc_msg_attach_fd: descriptor already attached");
	m->fd = fd;
}

/* ipc_get_u64 - look up a number */

int
ipc_get_u64(const struct ipc_msg *m, unsigned key, uint64_t *v)
{
	const struct ipc_attr *a = ipc_find(m, key);

	if (a == NULL)
		return (IPC_NOTFOUND);
	if (a->kind != IPC_U64)
		return (IPC_WRONGKIND);
	*v = a->u64;
	return (IPC_FOUND);
}

/* ipc_get_val - look up a string or bytes */

static int
ipc_get_val(const struct ipc_msg *m, unsigned key, int kind,
    const char **p, size_t *len)
{
	const struct ipc_attr *a = ipc_find(m, key);

	if (a == NULL)
		return (IPC_NOTFOUND);
	if (a->kind != kind)
		return (IPC_WRONGKIND);
	*p = m->vals.data + a->off;
	if (len)
		*len = a->len;
	return (IPC_FOUND);
}

/* ipc_get_str - look up a string */

int
ipc_get_str(const struct ipc_msg *m, unsigned key, const char **s,
    size_t *len)
{
	return (ipc_get_val(m, key, IPC_STR, s, len));
}

/* ipc_get_bytes - look up opaque bytes */

int
ipc_get_bytes(const struct ipc_msg *m, unsigned key, const void **p,
    size_t *len)
{
	const char *cp;
	int	ret;

	if ((ret = ipc_get_val(m, key, IPC_BYTES, &cp, len)) == IPC_FOUND)
		*p = cp;
	return (ret);
}

/* ipc_msg_fd - the descriptor the message carries, or -1 */

int
ipc_msg_fd(const struct ipc_msg *m)
{
	return (m->fd);
}

/* ipc_msg_take_fd - hand the descriptor to the caller */

int
ipc_msg_take_fd(struct ipc_msg *m)
{
	int	fd = m->fd;

	m->fd = -1;
	return (fd);
}

/* ipc_be16 - store a 16-bit number in network order */

static void
ipc_be16(unsigned char *p, unsigned v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

/* ipc_be32 - store a 32-bit number in network order */

static void
ipc_be32(unsigned char *p, uint32_t v)
{
	ipc_be16(p, v >> 16);
	ipc_be16(p + 2, v & 0xffff);
}

/* ipc_rd16 - load a 16-bit number in network order */

static unsigned
ipc_rd16(const unsigned char *p)
{
	return ((unsigned) p[0] << 8 | p[1]);
}

/* ipc_rd32 - load a 32-bit number in network order */

static uint32_t
ipc_rd32(const unsigned char *p)
{
	return ((uint32_t) ipc_rd16(p) << 16 | ipc_rd16(p + 2));
}

/* ipc_msg_encode - append the frame of a message */

int
ipc_msg_encode(const struct ipc_msg *m, struct buf *out, const char **why)
{
	unsigned char hdr[IPC_HDR_LEN];
	unsigned char ahdr[IPC_ATTR_HDR_LEN];
	unsigned char num[8];
	const struct ipc_attr *a;
	size_t	i;
	int	j;

	if (m->oversize) {
		*why = "message exceeds the size or attribute limits";
		return (-1);
	}
	ipc_be16(hdr, IPC_VERSION);
	ipc_be16(hdr + 2, m->type);
	ipc_be16(hdr + 4, m->fd != -1 ? IPC_FLAG_FD : 0);
	ipc_be16(hdr + 6, (unsigned) m->count);
	ipc_be32(hdr + 8, (uint32_t) m->payload);
	buf_reserve(out, IPC_HDR_LEN + m->payload);
	buf_append(out, hdr, sizeof(hdr));
	for (i = 0; i < m->count; i++) {
		a = &m->attrs[i];
		ipc_be16(ahdr, a->key);
		ahdr[2] = (unsigned char) a->kind;
		if (a->kind == IPC_U64) {
			ipc_be32(ahdr + 3, 8);
			for (j = 0; j < 8; j++)
				num[j] = (a->u64 >> (56 - 8 * j)) & 0xff;
			buf_append(out, ahdr, sizeof(ahdr));
			buf_append(out, num, sizeof(num));
		} else {
			ipc_be32(ahdr + 3, (uint32_t) a->len);
			buf_append(out, ahdr, sizeof(ahdr));
			buf_append(out, m->vals.data + a->off, a->len);
		}
	}
	return (0);
}

/* ipc_hdr_check - validate a frame header, return its payload length */

static int
ipc_hdr_check(const unsigned char *p, uint32_t *payload, const char **why)
{
	unsigned count = ipc_rd16(p + 6);

	*payload = ipc_rd32(p + 8);
	if (ipc_rd16(p) != IPC_VERSION)
		*why = "unknown framing version";
	else if (ipc_rd16(p + 2) == 0)
		*why = "message type 0";
	else if (ipc_rd16(p + 4) & ~IPC_FLAG_FD)
		*why = "unknown frame flags";
	else if (count > IPC_MAX_ATTRS)
		*why = "too many attributes";
	else if (*payload > IPC_MAX_PAYLOAD)
		*why = "frame too large";
	else if ((uint64_t) count * IPC_ATTR_HDR_LEN > *payload)
		*why = "attribute count does not fit the payload";
	else
		return (0);
	return (-1);
}

/* ipc_msg_decode - parse one frame from the front of data */

ssize_t
ipc_msg_decode(const void *data, size_t len, struct ipc_msg **mp,
    const char **why)
{
	const unsigned char *p = data;
	const unsigned char *end;
	struct ipc_msg *m;
	uint32_t payload;
	uint32_t vlen;
	unsigned count;
	unsigned key;
	unsigned i;
	int	kind;
	int	j;
	uint64_t v;

	*mp = NULL;
	if (len < IPC_HDR_LEN)
		return (0);
	if (ipc_hdr_check(p, &payload, why) < 0)
		return (-1);
	if (len - IPC_HDR_LEN < payload)
		return (0);
	m = ipc_msg_new(ipc_rd16(p + 2));
	m->want_fd = (ipc_rd16(p + 4) & IPC_FLAG_FD) != 0;
	count = ipc_rd16(p + 6);
	end = p + IPC_HDR_LEN + payload;
	p += IPC_HDR_LEN;
	for (i = 0; i < count; i++) {
		if (end - p < IPC_ATTR_HDR_LEN) {
			*why = "truncated attribute header";
			goto bad;
		}
		key = ipc_rd16(p);
		kind = p[2];
		vlen = ipc_rd32(p + 3);
		p += IPC_ATTR_HDR_LEN;
		if ((size_t) (end - p) < vlen) {
			*why = "attribute value runs past the frame";
			goto bad;
		}
		if (ipc_find(m, key) != NULL) {
			*why = "duplicate attribute key";
			goto bad;
		}
		switch (kind) {
		case IPC_U64:
			if (vlen != 8) {
				*why = "number attribute is not 8 bytes";
				goto bad;
			}
			for (v = 0, j = 0; j < 8; j++)
				v = v << 8 | p[j];
			ipc_add(m, key, IPC_U64, NULL, 0)->u64 = v;
			break;
		case IPC_STR:
			if (vlen > 0 && memchr(p, 0, vlen) != NULL) {
				*why = "NUL byte inside a string attribute";
				goto bad;
			}
			ipc_add(m, key, IPC_STR, p, vlen);
			break;
		case IPC_BYTES:
			ipc_add(m, key, IPC_BYTES, p, vlen);
			break;
		default:
			*why = "unknown attribute kind";
			goto bad;
		}
		p += vlen;
	}
	if (p != end) {
		*why = "bytes left after the last attribute";
		goto bad;
	}
	m->payload = payload;
	*mp = m;
	return ((ssize_t) (IPC_HDR_LEN + payload));

bad:
	ipc_msg_free(m);
	return (-1);
}

/* ipc_set_flags - make a descriptor non-blocking and close-on-exec */

static int
ipc_set_flags(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1
	    || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1
	    || (fl = fcntl(fd, F_GETFD)) == -1
	    || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return (-1);
	return (0);
}

static void ipc_chan_poll_cb(uv_poll_t *, int, int);

/* ipc_chan_update - poll for what the channel needs now */

static void
ipc_chan_update(struct ipc_chan *ch)
{
	int	events;
	int	err;

	if (ch->closing || ch->broken)
		return;
	events = UV_READABLE | (ch->head ? UV_WRITABLE : 0);
	if (events == ch->events)
		return;
	if ((err = uv_poll_start(&ch->poll, events, ipc_chan_poll_cb)) < 0)
		msg_panic("ipc_chan_update: uv_poll_start: %s",
			  uv_strerror(err));
	ch->events = events;
}

/* ipc_chan_fail - report the end of the channel, once */

static void
ipc_chan_fail(struct ipc_chan *ch, int err, const char *why)
{
	if (ch->broken || ch->closing)
		return;
	ch->broken = 1;
	(void) uv_poll_stop(&ch->poll);
	ch->events = 0;
	if (ch->ops->error)
		ch->ops->error(ch, err, why, ch->ctx);
}

/* ipc_chan_open - start a channel on a connected stream socket */

struct ipc_chan *
ipc_chan_open(uv_loop_t *loop, int fd, const struct ipc_chan_ops *ops,
    void *ctx)
{
	struct ipc_chan *ch;
	int	err;

	if (ops == NULL || ops->received == NULL)
		msg_panic("ipc_chan_open: no received callback");
	if (ipc_set_flags(fd) < 0)
		msg_fatal("ipc_chan_open: fcntl fd %d: %m", fd);
	ch = mem_zalloc(1, sizeof(*ch));
	ch->fd = fd;
	ch->ops = ops;
	ch->ctx = ctx;
	buf_init(&ch->in, IPC_READ_CHUNK);
	if ((err = uv_poll_init_socket(loop, &ch->poll, fd)) < 0)
		msg_fatal("ipc_chan_open: uv_poll_init fd %d: %s", fd,
			  uv_strerror(err));
	ch->poll.data = ch;
	ipc_chan_update(ch);
	return (ch);
}

/* ipc_chan_send - queue a message */

int
ipc_chan_send(struct ipc_chan *ch, struct ipc_msg *m)
{
	struct ipc_out *o;
	const char *why;

	if (ch->broken || ch->closing) {
		ipc_msg_free(m);
		errno = EPIPE;
		return (-1);
	}
	o = mem_zalloc(1, sizeof(*o));
	buf_init(&o->frame, IPC_HDR_LEN + m->payload);
	if (ipc_msg_encode(m, &o->frame, &why) < 0) {
		buf_fini(&o->frame);
		mem_free(o);
		ipc_msg_free(m);
		errno = EMSGSIZE;
		return (-1);
	}
	o->fd = ipc_msg_take_fd(m);
	ipc_msg_free(m);
	if (ch->tail)
		ch->tail->next = o;
	else
		ch->head = o;
	ch->tail = o;
	ch->queued += o->frame.len;
	ipc_chan_update(ch);
	return (0);
}

/* ipc_chan_queued - bytes waiting to be written */

size_t
ipc_chan_queued(const struct ipc_chan *ch)
{
	return (ch->queued);
}

/* ipc_out_free - release one queued frame */

static struct ipc_out *
ipc_out_free(struct ipc_out *o)
{
	struct ipc_out *next = o->next;

	if (o->fd != -1)
		(void) close(o->fd);
	buf_fini(&o->frame);
	mem_free(o);
	return (next);
}

/* ipc_chan_write - write queued frames until the socket is full */

static void
ipc_chan_write(struct ipc_chan *ch)
{
	struct ipc_out *o;
	ssize_t	n;

	while ((o = ch->head) != NULL) {
		n = fdpass_send(ch->fd, o->fd, o->frame.data + o->off,
				o->frame.len - o->off);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			ipc_chan_fail(ch, errno, strerror(errno));
			return;
		}
		if (o->fd != -1) {
			(void) close(o->fd);
			o->fd = -1;
		}
		o->off += (size_t) n;
		ch->queued -= (size_t) n;
		if (o->off < o->frame.len)
			continue;
		ch->head = ipc_out_free(o);
		if (ch->head == NULL)
			ch->tail = NULL;
	}
}

/* ipc_chan_deliver - hand every complete frame to the owner */

static void
ipc_chan_deliver(struct ipc_chan *ch)
{
	struct ipc_msg *m;
	const char *why;
	ssize_t	n;

	while (!ch->broken && !ch->closing) {
		n = ipc_msg_decode(ch->in.data, ch->in.len, &m, &why);
		if (n < 0) {
			ipc_chan_fail(ch, EPROTO, why);
			return;
		}
		if (n == 0)
			break;
		buf_consume(&ch->in, (size_t) n);
		if (m->want_fd) {
			if (ch->nfdq == 0) {
				ipc_msg_free(m);
				ipc_chan_fail(ch, EPROTO,
					      "frame announces a descriptor "
					      "that did not arrive");
				return;
			}
			m->fd = ch->fdq[0];
			memmove(ch->fdq, ch->fdq + 1,
				--ch->nfdq * sizeof(ch->fdq[0]));
		}
		ch->ops->received(ch, m, ch->ctx);
	}
	if (!ch->broken && !ch->closing && ch->nfdq > 0 && ch->in.len == 0)
		ipc_chan_fail(ch, EPROTO, "descriptor without a frame");
}

/* ipc_chan_read - read what the socket has, then deliver */

static void
ipc_chan_read(struct ipc_chan *ch)
{
	ssize_t	n;
	int	fd;
	int	i;

	for (i = 0; i < IPC_READS_PER_EVENT; i++) {
		buf_reserve(&ch->in, IPC_READ_CHUNK);
		n = fdpass_recv(ch->fd, &fd, ch->in.data + ch->in.len,
				IPC_READ_CHUNK);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			ipc_chan_fail(ch, errno, errno == EPROTO ?
				      "bad ancillary data" : strerror(errno));
			return;
		}
		if (fd != -1) {
			if (ch->nfdq == IPC_FDQ_MAX) {
				(void) close(fd);
				ipc_chan_fail(ch, EPROTO,
					      "too many descriptors in flight");
				return;
			}
			ch->fdq[ch->nfdq++] = fd;
		}
		if (n == 0) {
			ipc_chan_deliver(ch);
			if (ch->in.len > 0)
				ipc_chan_fail(ch, EPROTO,
					      "end of file inside a frame");
			else
				ipc_chan_fail(ch, 0, "end of file");
			return;
		}
		ch->in.len += (size_t) n;
		ch->in.data[ch->in.len] = 0;
		/*
		 * Hand out complete frames after every read, so that the
		 * descriptors waiting for their frame stay few however many
		 * descriptor-carrying frames the peer sent in a burst.
		 */
		ipc_chan_deliver(ch);
		if (ch->broken || ch->closing)
			return;
	}
}

/* ipc_chan_poll_cb - the socket is readable or writable */

static void
ipc_chan_poll_cb(uv_poll_t *handle, int status, int events)
{
	struct ipc_chan *ch = handle->data;

	if (status < 0) {
		ipc_chan_fail(ch, -status, uv_strerror(status));
		return;
	}
	if (events & UV_WRITABLE)
		ipc_chan_write(ch);
	if ((events & (UV_READABLE | UV_DISCONNECT)) && !ch->broken
	    && !ch->closing)
		ipc_chan_read(ch);
	ipc_chan_update(ch);
}

/* ipc_chan_closed - the poll handle is gone: release everything */

static void
ipc_chan_closed(uv_handle_t *handle)
{
	struct ipc_chan *ch = handle->data;
	struct ipc_out *o;
	size_t	i;

	for (o = ch->head; o; o = ipc_out_free(o))
		 /* void */ ;
	for (i = 0; i < ch->nfdq; i++)
		(void) close(ch->fdq[i]);
	(void) close(ch->fd);
	buf_fini(&ch->in);
	if (ch->ops->closed)
		ch->ops->closed(ch->ctx);
	mem_free(ch);
}

/* ipc_chan_close - stop and release a channel */

void
ipc_chan_close(struct ipc_chan *ch)
{
	if (ch->closing)
		return;
	ch->closing = 1;
	(void) uv_poll_stop(&ch->poll);
	uv_close((uv_handle_t *) &ch->poll, ipc_chan_closed);
}

/* ipc_now - monotonic milliseconds */

static int64_t
ipc_now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* ipc_wait - wait until fd is ready for events, or the deadline */

static int
ipc_wait(int fd, short events, int64_t deadline)
{
	struct pollfd pfd;
	int	ms;
	int	n;

	for (;;) {
		ms = -1;
		if (deadline >= 0) {
			int64_t left = deadline - ipc_now();

			if (left <= 0) {
				errno = ETIMEDOUT;
				return (-1);
			}
			ms = left > INT32_MAX ? INT32_MAX : (int) left;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return (0);
		if (n == -1 && errno != EINTR)
			return (-1);
	}
}

/* ipc_send_blocking - write one whole frame */

int
ipc_send_blocking(int fd, const struct ipc_msg *m, int timeout_ms,
    const char **why)
{
	struct buf frame;
	int64_t	deadline = timeout_ms < 0 ? -1 : ipc_now() + timeout_ms;
	size_t	off = 0;
	int	xfd = m->fd;
	ssize_t	n;
	int	ret = -1;

	buf_init(&frame, IPC_HDR_LEN + m->payload);
	if (ipc_msg_encode(m, &frame, why) < 0) {
		errno = EMSGSIZE;
		goto out;
	}
	while (off < frame.len) {
		if (deadline >= 0 && ipc_wait(fd, POLLOUT, deadline) < 0) {
			*why = errno == ETIMEDOUT ? "send timed out" :
			    strerror(errno);
			goto out;
		}
		n = fdpass_send(fd, xfd, frame.data + off, frame.len - off);
		if (n == -1) {
			if ((errno == EAGAIN || errno == EWOULDBLOCK)
			    && ipc_wait(fd, POLLOUT, deadline) == 0)
				continue;
			*why = errno == ETIMEDOUT ? "send timed out" :
			    strerror(errno);
			goto out;
		}
		xfd = -1;
		off += (size_t) n;
	}
	ret = 0;
out:
	buf_fini(&frame);
	return (ret);
}

/* ipc_read_exact - read len bytes, collecting at most one descriptor */

static int
ipc_read_exact(int fd, char *p, size_t len, int *rfd, int64_t deadline,
    const char **why)
{
	size_t	off = 0;
	ssize_t	n;
	int	got;

	while (off < len) {
		/* Wait first: the socket may be blocking. */
		if (deadline >= 0 && ipc_wait(fd, POLLIN, deadline) < 0) {
			*why = errno == ETIMEDOUT ? "receive timed out" :
			    strerror(errno);
			return (-1);
		}
		n = fdpass_recv(fd, &got, p + off, len - off);
		if (n == -1) {
			if ((errno == EAGAIN || errno == EWOULDBLOCK)
			    && ipc_wait(fd, POLLIN, deadline) == 0)
				continue;
			*why = errno == ETIMEDOUT ? "receive timed out" :
			    errno == EPROTO ? "bad ancillary data" :
			    strerror(errno);
			return (-1);
		}
		if (got != -1) {
			if (*rfd != -1) {
				(void) close(got);
				errno = EPROTO;
				*why = "more than one descriptor with a frame";
				return (-1);
			}
			*rfd = got;
		}
		if (n == 0) {
			if (off == 0)
				return (0);
			errno = EPROTO;
			*why = "end of file inside a frame";
			return (-1);
		}
		off += (size_t) n;
	}
	return (1);
}

/* ipc_recv_blocking - read exactly one frame */

int
ipc_recv_blocking(int fd, struct ipc_msg **mp, int timeout_ms,
    const char **why)
{
	struct buf frame;
	int64_t	deadline = timeout_ms < 0 ? -1 : ipc_now() + timeout_ms;
	uint32_t payload;
	int	rfd = -1;
	int	ret;

	*mp = NULL;
	buf_init(&frame, IPC_HDR_LEN);
	ret = ipc_read_exact(fd, frame.data, IPC_HDR_LEN, &rfd, deadline, why);
	if (ret <= 0) {
		if (ret == 0)
			*why = "end of file";
		goto out;
	}
	frame.len = IPC_HDR_LEN;
	if (ipc_hdr_check((unsigned char *) frame.data, &payload, why) < 0) {
		errno = EPROTO;
		ret = -1;
		goto out;
	}
	buf_reserve(&frame, payload);
	ret = ipc_read_exact(fd, frame.data + IPC_HDR_LEN, payload, &rfd,
			     deadline, why);
	if (ret == 0) {
		errno = EPROTO;
		*why = "end of file inside a frame";
		ret = -1;
	}
	if (ret < 0)
		goto out;
	frame.len += payload;
	if (ipc_msg_decode(frame.data, frame.len, mp, why) <= 0) {
		errno = EPROTO;
		ret = -1;
		goto out;
	}
	if ((*mp)->want_fd != (rfd != -1)) {
		*why = rfd == -1 ? "frame announces a descriptor that did "
		    "not arrive" : "descriptor without a frame flag";
		*mp = ipc_msg_free(*mp);
		errno = EPROTO;
		ret = -1;
		goto out;
	}
	(*mp)->fd = rfd;
	rfd = -1;
	ret = 1;
out:
	if (rfd != -1)
		(void) close(rfd);
	buf_fini(&frame);
	return (ret);
}
