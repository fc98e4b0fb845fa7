/*
 * NAME
 *	ipc - typed, versioned, length-framed messages between processes
 * SYNOPSIS
 *	#include "ipc.h"
 *
 *	struct ipc_msg *ipc_msg_new(unsigned type);
 *	struct ipc_msg *ipc_msg_free(struct ipc_msg *m);
 *	unsigned ipc_msg_type(const struct ipc_msg *m);
 *	size_t	ipc_msg_count(const struct ipc_msg *m);
 *
 *	void	ipc_put_u64(struct ipc_msg *m, unsigned key, uint64_t v);
 *	void	ipc_put_str(struct ipc_msg *m, unsigned key,
 *		    const char *s, size_t len);
 *	void	ipc_put_cstr(struct ipc_msg *m, unsigned key, const char *s);
 *	void	ipc_put_bytes(struct ipc_msg *m, unsigned key,
 *		    const void *p, size_t len);
 *	void	ipc_msg_attach_fd(struct ipc_msg *m, int fd);
 *
 *	int	ipc_get_u64(const struct ipc_msg *m, unsigned key, uint64_t *v);
 *	int	ipc_get_str(const struct ipc_msg *m, unsigned key,
 *		    const char **s, size_t *len);
 *	int	ipc_get_bytes(const struct ipc_msg *m, unsigned key,
 *		    const void **p, size_t *len);
 *	int	ipc_msg_fd(const struct ipc_msg *m);
 *	int	ipc_msg_take_fd(struct ipc_msg *m);
 *
 *	int	ipc_msg_encode(const struct ipc_msg *m, struct buf *out,
 *		    const char **why);
 *	ssize_t	ipc_msg_decode(const void *data, size_t len,
 *		    struct ipc_msg **mp, const char **why);
 *
 *	struct ipc_chan *ipc_chan_open(uv_loop_t *loop, int fd,
 *		    const struct ipc_chan_ops *ops, void *ctx);
 *	int	ipc_chan_send(struct ipc_chan *ch, struct ipc_msg *m);
 *	size_t	ipc_chan_queued(const struct ipc_chan *ch);
 *	void	ipc_chan_close(struct ipc_chan *ch);
 *
 *	int	ipc_send_blocking(int fd, const struct ipc_msg *m,
 *		    int timeout_ms, const char **why);
 *	int	ipc_recv_blocking(int fd, struct ipc_msg **mp, int timeout_ms,
 *		    const char **why);
 * DESCRIPTION
 *	One framing for every channel between mtad processes. The wire
 *	format, all integers in network byte order:
 *
 *	    frame header (12 bytes)
 *		u16 version	IPC_VERSION: a magic high byte and the
 *				framing version in the low byte
 *		u16 type	message type, not 0 (defined by the user,
 *				for example mail_proto.h)
 *		u16 flags	IPC_FLAG_FD: a descriptor rides with this
 *				frame; every other bit must be 0
 *		u16 count	number of attributes that follow
 *		u32 length	payload bytes that follow the header
 *	    payload: count attributes, each
 *		u16 key		attribute key, defined by the user
 *		u8  kind	IPC_U64, IPC_STR or IPC_BYTES
 *		u32 length	value bytes that follow (8 for IPC_U64)
 *		    value
 *
 *	Parsing is strict: a wrong version, type 0, unknown flag or kind,
 *	a u64 whose length is not 8, a string holding a NUL byte, a
 *	repeated key, an attribute that runs past the payload, bytes left
 *	over after the last attribute, or more than IPC_MAX_ATTRS
 *	attributes or IPC_MAX_PAYLOAD bytes are all errors. The receiver
 *	must treat any of them as fatal for the channel (mtad processes log
 *	and exit; the master restarts them): ipc reports, the caller decides.
 *
 *	Messages. ipc_msg_new() makes an empty message of a type (1..65535).
 *	ipc_put_*() add an attribute; a key may appear once (a repeated
 *	key or a bad type is the caller's bug: panic). A string may not
 *	contain a NUL byte (panic). Putting more than the limits allow is
 *	not a panic (the data may come from the network): the message is
 *	marked oversized and the send fails with EMSGSIZE.
 *	ipc_msg_attach_fd() gives the message one descriptor to carry (at
 *	most one per message: a second is a panic); the message owns it
 *	and closes it when it is freed or sent.
 *
 *	ipc_get_*() look a key up. They return IPC_FOUND (1), IPC_NOTFOUND
 *	(0), or IPC_WRONGKIND (-1) when the key holds another kind, which
 *	the caller treats like a malformed message. Strings and bytes are
 *	views into the message, valid until it is freed; strings are also
 *	NUL-terminated. ipc_msg_fd() shows the descriptor (-1 when none);
 *	ipc_msg_take_fd() hands it to the caller, who then closes it.
 *
 *	ipc_msg_encode() appends the frame of a message to out; it returns
 *	0, or -1 with *why set when the message exceeds the limits. The
 *	descriptor is not part of the bytes. ipc_msg_decode() parses one
 *	frame from the front of data: it returns the bytes used (>0) and
 *	sets *mp to a new message; 0 when more bytes are needed; -1 with
 *	*why (a static string) when the bytes are malformed. A frame with
 *	IPC_FLAG_FD decodes to a message with no descriptor: channels
 *	attach it. These two exist for channels and tests.
 *
 *	Channels. ipc_chan_open() wraps a connected stream socket (usually
 *	one end of a socketpair) in a channel on a libuv loop: it sets the
 *	socket non-blocking and close-on-exec, polls it with uv_poll_t and
 *	does its own buffered sendmsg/recvmsg, so descriptors travel with
 *	their message (libuv pipes cannot pass regular file descriptors).
 *	The channel owns fd from then on.
 *
 *	ops->received(ch, m, ctx) is called for each message; the callee
 *	owns m and frees it with ipc_msg_free(). ops->error(ch, err, why,
 *	ctx) is called once when the channel breaks: err 0 is end of file
 *	(why "end of file"), EPROTO a malformed frame (why says what was
 *	wrong), any other errno a socket error. After it the channel
 *	delivers nothing more; the owner calls ipc_chan_close().
 *	ops->closed(ctx), which may be null, is called when the channel is
 *	gone, from a later loop iteration; the owner may then free ctx.
 *
 *	ipc_chan_send() queues the frame and returns at once; the loop
 *	writes it when the socket can take it. It takes m in every case
 *	(the caller must not use it again) and returns 0, or -1 with errno
 *	EMSGSIZE (message over the limits) or EPIPE (channel broken or
 *	closing). ipc_chan_queued() says how many bytes wait to be written.
 *
 *	ipc_chan_close() stops the channel at once: unsent frames and
 *	descriptors are dropped, the socket is closed, and no callback runs
 *	after it except ops->closed. It may be called from inside a
 *	callback.
 *
 *	Blocking use, for start-up handshakes before a loop runs:
 *	ipc_send_blocking() writes one whole frame (and its descriptor) and
 *	returns 0, or -1 with errno (ETIMEDOUT after timeout_ms; -1 waits
 *	forever) and *why set. ipc_recv_blocking() reads exactly one frame,
 *	never a byte more, so a channel opened on the same socket afterwards
 *	starts at a frame boundary; it returns 1 with *mp set, 0 at end of
 *	file before a frame started, or -1 with errno (EPROTO: malformed,
 *	*why says how; ETIMEDOUT) and *why set. Both work on blocking and
 *	non-blocking sockets; they wait with poll(2) before each transfer,
 *	but a blocking socket may still make one send wait for room.
 * DIAGNOSTICS
 *	Panic: caller bugs listed above. Nothing is logged: callers log
 *	errors with the why strings.
 */
#ifndef IPC_H
#define IPC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "buf.h"

#define IPC_VERSION	0x6d01		/* 'm', framing version 1 */
#define IPC_HDR_LEN	12
#define IPC_ATTR_HDR_LEN 7
#define IPC_MAX_PAYLOAD	(4U * 1024 * 1024)
#define IPC_MAX_ATTRS	4096

#define IPC_FLAG_FD	0x0001

#define IPC_U64		1
#define IPC_STR		2
#define IPC_BYTES	3

#define IPC_FOUND	1
#define IPC_NOTFOUND	0
#define IPC_WRONGKIND	(-1)

struct ipc_msg;
struct ipc_chan;

struct ipc_chan_ops {
	void	(*received)(struct ipc_chan *, struct ipc_msg *, void *);
	void	(*error)(struct ipc_chan *, int, const char *, void *);
	void	(*closed)(void *);
};

struct ipc_msg *ipc_msg_new(unsigned);
struct ipc_msg *ipc_msg_free(struct ipc_msg *);
unsigned ipc_msg_type(const struct ipc_msg *);
size_t	ipc_msg_count(const struct ipc_msg *);

void	ipc_put_u64(struct ipc_msg *, unsigned, uint64_t);
void	ipc_put_str(struct ipc_msg *, unsigned, const char *, size_t);
void	ipc_put_cstr(struct ipc_msg *, unsigned, const char *);
void	ipc_put_bytes(struct ipc_msg *, unsigned, const void *, size_t);
void	ipc_msg_attach_fd(struct ipc_msg *, int);

int	ipc_get_u64(const struct ipc_msg *, unsigned, uint64_t *);
int	ipc_get_str(const struct ipc_msg *, unsigned, const char **, size_t *);
int	ipc_get_bytes(const struct ipc_msg *, unsigned, const void **,
	    size_t *);
int	ipc_msg_fd(const struct ipc_msg *);
int	ipc_msg_take_fd(struct ipc_msg *);

int	ipc_msg_encode(const struct ipc_msg *, struct buf *, const char **);
ssize_t	ipc_msg_decode(const void *, size_t, struct ipc_msg **,
	    const char **);

struct ipc_chan *ipc_chan_open(uv_loop_t *, int, const struct ipc_chan_ops *,
	    void *);
int	ipc_chan_send(struct ipc_chan *, struct ipc_msg *);
size_t	ipc_chan_queued(const struct ipc_chan *);
void	ipc_chan_close(struct ipc_chan *);

int	ipc_send_blocking(int, const struct ipc_msg *, int, const char **);
int	ipc_recv_blocking(int, struct ipc_msg **, int, const char **);

#endif
