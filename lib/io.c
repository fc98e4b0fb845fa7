/*
 * NAME
 *	io - buffered TCP connection on libuv with optional TLS
 * DESCRIPTION
 *	See io.h for the contract. How it works:
 *
 *	Reading. libuv reads into one buffer shared by every io (read
 *	callbacks run one at a time and consume the bytes before they
 *	return). Clear text goes to io->in; with TLS the ciphertext goes
 *	into the read memory BIO and SSL_read() moves plaintext to io->in.
 *	The owner's data() callback sees io->in and says how much it used.
 *
 *	Writing. Bytes to send (clear text, or ciphertext taken from the
 *	write memory BIO) collect in io->out. At most one uv_write() is in
 *	flight: it owns io->wbuf, and when it completes the next one takes
 *	whatever collected meanwhile, so many small writes become one
 *	system call. What is written inside data() waits until data()
 *	returns, so the replies to a batch of pipelined commands leave in
 *	one segment (RFC 2920 section 3.2). Sockets are TCP_NODELAY: a
 *	reply is never held back waiting for the peer's acknowledgement
 *	of the previous one.
 *
 *	Lifetime. An io owns four handles (the TCP handle, two timers and
 *	an idle handle used to present held input again). Closing closes
 *	them all; the last close callback calls closed() and frees the io.
 *	Every callback into the owner is guarded by the state, so none runs
 *	after io_close() or io_abort() except closed().
 *
 *	The process must ignore SIGPIPE (writes to a reset peer would
 *	otherwise kill it); mtad's process skeleton does.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "io.h"

#define IO_READ_SIZE	65536
#define IO_TLS_CHUNK	16384
#define IO_SSL_WRITE_MAX (1024 * 1024)

enum io_state {
	IO_S_CONNECTING,		/* io_connect() in progress */
	IO_S_OPEN,			/* connected */
	IO_S_CLOSING,			/* io_close() or io_abort() called */
};

enum io_tls_state {
	IO_TLS_NONE,			/* clear text */
	IO_TLS_HANDSHAKE,		/* handshake running */
	IO_TLS_UP,			/* records flow */
	IO_TLS_FAILED,			/* handshake failed, nothing flows */
};

struct io {
	uv_tcp_t tcp;
	uv_timer_t idle_timer;
	uv_timer_t life_timer;
	uv_idle_t kick;
	uv_connect_t connect_req;
	uv_shutdown_t shutdown_req;
	uv_write_t write_req;
	const struct io_ops *ops;
	void   *ctx;
	enum io_state state;
	int	handles;		/* handles not yet closed */
	int	handles_closing;	/* uv_close() called on them */
	int	silent;			/* creation failed: no closed() */
	int	rdead;			/* no more input: EOF, error, TLS */
	int	broken;			/* the socket failed: no more output */
	int	want_read;		/* owner wants data() */
	int	reading;		/* uv_read_start() active */
	int	in_data;		/* inside data() */
	int	cut_input;		/* STARTTLS inside data(): drop input */
	int	writing;		/* a uv_write() is in flight */
	int	above_lowat;		/* drained() owed */
	int	shutting;		/* uv_shutdown() in flight */
	size_t	lowat;
	unsigned idle_ms;
	struct buf in;			/* plaintext not yet consumed */
	struct buf out;			/* bytes waiting for uv_write() */
	struct buf wbuf;		/* bytes in the uv_write() in flight */
	struct buf held;		/* plaintext written during handshake */
	SSL    *ssl;
	BIO    *rbio;			/* network to SSL */
	BIO    *wbio;			/* SSL to network */
	enum io_tls_state tls;
	struct io_tls_info info;
	struct io_error err;
	struct sockaddr_storage peer;
	struct sockaddr_storage local;
	char	peer_name[INET6_ADDRSTRLEN];
	char	local_name[INET6_ADDRSTRLEN];
	char	hs_state[64];		/* last handshake state entered */
	unsigned peer_port;
	unsigned local_port;
};

static char io_rbuf[IO_READ_SIZE];
static int io_ssl_index = -1;

static void io_pump(struct io *);
static void io_update_reading(struct io *);
static void io_finish_close(struct io *);
static void io_flush(struct io *);

/* io_copy - bounded string copy that always terminates */

static void
io_copy(char *dst, size_t size, const char *src)
{
	size_t	len;

	if (src == NULL)
		src = "";
	len = strlen(src);
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* io_error_reset - forget a previous error */

static void
io_error_reset(struct io_error *err)
{
	memset(err, 0, sizeof(*err));
	err->alert = -1;
}

/* io_error_sys - describe a socket error */

static void
io_error_sys(struct io *io, int errnum)
{
	io->err.kind = errnum ? IO_ERR_SYS : IO_ERR_EOF;
	io->err.sys_errno = errnum;
	io_copy(io->err.sys_text, sizeof(io->err.sys_text),
		errnum ? strerror(errnum) : "");
}

/* io_hs_state - where the handshake was when it failed */

static const char *
io_hs_state(const struct io *io)
{
	/* After a failure OpenSSL 3 says only "error": keep the last state. */
	return (io->hs_state[0] ? io->hs_state : SSL_state_string_long(io->ssl));
}

/* io_error_tls - describe a TLS failure: the OpenSSL queue and state */

static void
io_error_tls(struct io *io, int ssl_error)
{
	struct io_tls_err *e;
	const char *func;
	unsigned long code;

	io->err.kind = IO_ERR_TLS;
	io->err.ssl_error = ssl_error;
	if (io->ssl)
		io_copy(io->err.state, sizeof(io->err.state), io_hs_state(io));
	while ((code = ERR_get_error_all(NULL, NULL, &func, NULL,
					 NULL)) != 0) {
		if (io->err.count == IO_TLS_ERR_MAX)
			continue;
		e = &io->err.err[io->err.count++];
		e->code = code;
		io_copy(e->lib, sizeof(e->lib), ERR_lib_error_string(code));
		io_copy(e->func, sizeof(e->func), func);
		io_copy(e->reason, sizeof(e->reason),
			ERR_reason_error_string(code));
		ERR_error_string_n(code, e->text, sizeof(e->text));
	}
}

/* io_error_format - one line of diagnostics */

void
io_error_format(const struct io_error *err, struct buf *out)
{
	size_t	i;

	switch (err->kind) {
	case IO_ERR_NONE:
		buf_puts(out, "no error");
		return;
	case IO_ERR_EOF:
		buf_puts(out, err->close_notify ?
			 "end of file after close_notify" : "end of file");
		return;
	case IO_ERR_SYS:
		buf_printf(out, "[Errno %d] %s", err->sys_errno,
			   err->sys_text);
		return;
	case IO_ERR_TLS:
		buf_printf(out, "TLS failure in state \"%s\"", err->state);
		if (err->alert_side != IO_SIDE_NONE)
			buf_printf(out, ", alert \"%s\" %s", err->alert_text,
				   err->alert_side == IO_SIDE_PEER ?
				   "received" : "sent");
		for (i = 0; i < err->count; i++)
			buf_printf(out, "%s %s", i ? ";" : ":",
				   err->err[i].text);
		if (err->sys_errno)
			buf_printf(out, " ([Errno %d] %s)", err->sys_errno,
				   err->sys_text);
		return;
	}
}

/* io_handle_closed - one handle is closed; free after the last */

static void
io_handle_closed(uv_handle_t *handle)
{
	struct io *io = handle->data;

	if (--io->handles > 0)
		return;
	if (!io->silent)
		io->ops->closed(io, io->ctx);
	if (io->ssl)
		SSL_free(io->ssl);		/* frees both BIOs */
	buf_fini(&io->in);
	buf_fini(&io->out);
	buf_fini(&io->wbuf);
	buf_fini(&io->held);
	mem_free(io);
}

/* io_close_handles - close every handle, with RST or without */

static void
io_close_handles(struct io *io, int reset)
{
	if (io->handles_closing)
		return;
	io->handles_closing = 1;
	io->state = IO_S_CLOSING;
	(void) uv_timer_stop(&io->idle_timer);
	(void) uv_timer_stop(&io->life_timer);
	(void) uv_idle_stop(&io->kick);
	if (!reset || io->shutting
	    || uv_tcp_close_reset(&io->tcp, io_handle_closed) != 0)
		uv_close((uv_handle_t *) &io->tcp, io_handle_closed);
	uv_close((uv_handle_t *) &io->idle_timer, io_handle_closed);
	uv_close((uv_handle_t *) &io->life_timer, io_handle_closed);
	uv_close((uv_handle_t *) &io->kick, io_handle_closed);
}

/* io_idle_cb - nothing happened for too long, or a close lingered */

static void
io_idle_cb(uv_timer_t *timer)
{
	struct io *io = timer->data;

	if (io->state == IO_S_CLOSING) {
		io_close_handles(io, 1);
		return;
	}
	if (io->ops->timeout)
		io->ops->timeout(io, IO_TIMEOUT_IDLE, io->ctx);
}

/* io_life_cb - the io lived too long */

static void
io_life_cb(uv_timer_t *timer)
{
	struct io *io = timer->data;

	if (io->state != IO_S_CLOSING && io->ops->timeout)
		io->ops->timeout(io, IO_TIMEOUT_LIFETIME, io->ctx);
}

/* io_progress - restart the idle timer */

static void
io_progress(struct io *io)
{
	if (io->idle_ms > 0 && io->state != IO_S_CLOSING)
		(void) uv_timer_start(&io->idle_timer, io_idle_cb,
				      io->idle_ms, 0);
}

/* io_deliver - present held plaintext to the owner */

static void
io_deliver(struct io *io)
{
	size_t	used;

	if (io->in_data || !io->want_read || io->state != IO_S_OPEN
	    || io->in.len == 0)
		return;
	io->in_data = 1;
	io->cut_input = 0;
	used = io->ops->data(io, io->in.data, io->in.len, io->ctx);
	io->in_data = 0;
	if (io->cut_input) {
		io->cut_input = 0;
		buf_reset(&io->in);
	} else if (used > io->in.len) {
		msg_panic("io_deliver: data() consumed %zu of %zu bytes",
			  used, io->in.len);
	} else {
		buf_consume(&io->in, used);
	}
	io_flush(io);
	io_update_reading(io);
}

/* io_kick_cb - present held input again after io_read_start() */

static void
io_kick_cb(uv_idle_t *kick)
{
	struct io *io = kick->data;

	(void) uv_idle_stop(kick);
	io_deliver(io);
}

/* io_sockaddr - copy an address, unmapping IPv4-mapped IPv6 */

static void
io_sockaddr(struct sockaddr_storage *dst, const struct sockaddr *src,
    char *name, size_t namelen, unsigned *port)
{
	const struct sockaddr_in6 *sin6;
	struct sockaddr_in *sin;

	memset(dst, 0, sizeof(*dst));
	*port = 0;
	io_copy(name, namelen, "");
	if (src->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *) src;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			sin = (struct sockaddr_in *) dst;
			sin->sin_family = AF_INET;
			sin->sin_port = sin6->sin6_port;
			memcpy(&sin->sin_addr, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			memcpy(dst, sin6, sizeof(*sin6));
		}
	} else if (src->sa_family == AF_INET) {
		memcpy(dst, src, sizeof(struct sockaddr_in));
	} else {
		return;
	}
	if (dst->ss_family == AF_INET) {
		sin = (struct sockaddr_in *) dst;
		(void) uv_ip4_name(sin, name, namelen);
		*port = ntohs(sin->sin_port);
	} else {
		sin6 = (const struct sockaddr_in6 *) dst;
		(void) uv_ip6_name(sin6, name, namelen);
		*port = ntohs(sin6->sin6_port);
	}
}

/* io_addresses - learn the peer and local addresses */

static void
io_addresses(struct io *io, int peer)
{
	struct sockaddr_storage ss;
	int	len;

	len = sizeof(ss);
	if (peer && uv_tcp_getpeername(&io->tcp, (struct sockaddr *) &ss,
				       &len) == 0)
		io_sockaddr(&io->peer, (struct sockaddr *) &ss, io->peer_name,
			    sizeof(io->peer_name), &io->peer_port);
	len = sizeof(ss);
	if (uv_tcp_getsockname(&io->tcp, (struct sockaddr *) &ss, &len) == 0)
		io_sockaddr(&io->local, (struct sockaddr *) &ss,
			    io->local_name, sizeof(io->local_name),
			    &io->local_port);
}

/* io_new - allocate an io with its handles */

static struct io *
io_new(uv_loop_t *loop, const struct io_ops *ops, void *ctx)
{
	struct io *io;
	int	err;

	if (ops == NULL || ops->data == NULL || ops->closed == NULL)
		msg_panic("io_new: data() and closed() are required");
	io = mem_zalloc(1, sizeof(*io));
	io->ops = ops;
	io->ctx = ctx;
	io->want_read = 1;
	io_error_reset(&io->err);
	buf_init(&io->in, 0);
	buf_init(&io->out, 0);
	buf_init(&io->wbuf, 0);
	buf_init(&io->held, 0);
	if ((err = uv_tcp_init(loop, &io->tcp)) < 0)
		msg_fatal("io_new: uv_tcp_init: %s", uv_strerror(err));
	(void) uv_timer_init(loop, &io->idle_timer);
	(void) uv_timer_init(loop, &io->life_timer);
	(void) uv_idle_init(loop, &io->kick);
	io->tcp.data = io->idle_timer.data = io->life_timer.data = io;
	io->kick.data = io;
	io->handles = 4;
	return (io);
}

/* io_fail_new - creation failed: close quietly, report the error */

static struct io *
io_fail_new(struct io *io, int uverr, int *err)
{
	if (err)
		*err = -uverr;
	io->silent = 1;
	io_close_handles(io, 0);
	return (NULL);
}

/* io_accept - accept one connection */

struct io *
io_accept(uv_stream_t *server, const struct io_ops *ops, void *ctx, int *err)
{
	struct io *io = io_new(server->loop, ops, ctx);
	int	ret;

	if ((ret = uv_accept(server, (uv_stream_t *) &io->tcp)) < 0)
		return (io_fail_new(io, ret, err));
	(void) uv_tcp_nodelay(&io->tcp, 1);
	io->state = IO_S_OPEN;
	io_addresses(io, 1);
	io_update_reading(io);
	return (io);
}

/* io_adopt - wrap a connected TCP socket */

struct io *
io_adopt(uv_loop_t *loop, int fd, const struct io_ops *ops, void *ctx,
    int *err)
{
	struct io *io = io_new(loop, ops, ctx);
	int	ret;

	if ((ret = uv_tcp_open(&io->tcp, fd)) < 0) {
		(void) close(fd);
		return (io_fail_new(io, ret, err));
	}
	(void) uv_tcp_nodelay(&io->tcp, 1);
	io->state = IO_S_OPEN;
	io_addresses(io, 1);
	io_update_reading(io);
	return (io);
}

/* io_connect_cb - the connection attempt ended */

static void
io_connect_cb(uv_connect_t *req, int status)
{
	struct io *io = req->data;

	if (io->state == IO_S_CLOSING)
		return;
	if (status < 0) {
		io->rdead = io->broken = 1;
		io_error_sys(io, -status);
		if (io->ops->connected)
			io->ops->connected(io, &io->err, io->ctx);
		return;
	}
	(void) uv_tcp_nodelay(&io->tcp, 1);
	io->state = IO_S_OPEN;
	io_addresses(io, 0);
	io_progress(io);
	if (io->ops->connected)
		io->ops->connected(io, NULL, io->ctx);
	if (io->state != IO_S_OPEN)
		return;
	io_update_reading(io);
	io_pump(io);
}

/* io_connect - start a connection */

struct io *
io_connect(uv_loop_t *loop, const struct sockaddr *dst,
    const struct sockaddr *src, const struct io_ops *ops, void *ctx, int *err)
{
	struct io *io = io_new(loop, ops, ctx);
	int	ret;

	io->state = IO_S_CONNECTING;
	io_sockaddr(&io->peer, dst, io->peer_name, sizeof(io->peer_name),
		    &io->peer_port);
	if (src && (ret = uv_tcp_bind(&io->tcp, src, 0)) < 0)
		return (io_fail_new(io, ret, err));
	io->connect_req.data = io;
	if ((ret = uv_tcp_connect(&io->connect_req, &io->tcp, dst,
				  io_connect_cb)) < 0)
		return (io_fail_new(io, ret, err));
	return (io);
}

/* io_shutdown_cb - the write side is shut down: close */

static void
io_shutdown_cb(uv_shutdown_t *req, int status)
{
	struct io *io = req->data;

	io->shutting = 0;
	io_close_handles(io, 0);
}

/* io_finish_close - a graceful close once the output has drained */

static void
io_finish_close(struct io *io)
{
	if (io->handles_closing || io->writing || io->out.len > 0
	    || io->shutting)
		return;
	if (io->broken) {
		io_close_handles(io, 0);
		return;
	}
	io->shutdown_req.data = io;
	if (uv_shutdown(&io->shutdown_req, (uv_stream_t *) &io->tcp,
			io_shutdown_cb) == 0)
		io->shutting = 1;
	else
		io_close_handles(io, 0);
}

/* io_peer_gone - report a dead socket to the right callback */

static void
io_peer_gone(struct io *io, int errnum)
{
	int	was_handshake = io->tls == IO_TLS_HANDSHAKE;

	if (errnum)
		io->broken = 1;
	if (io->rdead)
		return;
	io->rdead = 1;
	io_update_reading(io);
	if (io->err.kind == IO_ERR_NONE || errnum)
		io_error_sys(io, errnum);
	if (io->state != IO_S_OPEN)
		return;
	if (was_handshake) {
		if (io->ssl)
			io_copy(io->err.state, sizeof(io->err.state),
				io_hs_state(io));
		io->tls = IO_TLS_FAILED;
		io->info.ok = 0;
		io->info.err = &io->err;
		if (io->ops->tls_done)
			io->ops->tls_done(io, &io->info, io->ctx);
	} else if (io->ops->hangup) {
		io->ops->hangup(io, &io->err, io->ctx);
	}
}

/* io_write_cb - a uv_write() completed */

static void
io_write_cb(uv_write_t *req, int status)
{
	struct io *io = req->data;

	io->writing = 0;
	buf_reset(&io->wbuf);
	if (io->handles_closing)
		return;
	if (status < 0) {
		buf_reset(&io->out);
		io_peer_gone(io, -status);
		if (io->state == IO_S_CLOSING)
			io_finish_close(io);
		return;
	}
	io_progress(io);
	io_flush(io);
	if (io->state == IO_S_CLOSING) {
		io_finish_close(io);
		return;
	}
	if (io->above_lowat && io_pending(io) <= io->lowat) {
		io->above_lowat = 0;
		if (io->ops->drained)
			io->ops->drained(io, io->ctx);
	}
}

/* io_flush - start a uv_write() of what collected */

static void
io_flush(struct io *io)
{
	struct buf tmp;
	uv_buf_t ub;
	int	ret;

	if (io->writing || io->out.len == 0 || io->handles_closing
	    || io->state == IO_S_CONNECTING)
		return;
	if (io->broken) {
		buf_reset(&io->out);
		return;
	}
	tmp = io->wbuf;
	io->wbuf = io->out;
	io->out = tmp;
	ub = uv_buf_init(io->wbuf.data, (unsigned) io->wbuf.len);
	io->write_req.data = io;
	if ((ret = uv_write(&io->write_req, (uv_stream_t *) &io->tcp, &ub, 1,
			    io_write_cb)) < 0) {
		buf_reset(&io->wbuf);
		io_peer_gone(io, -ret);
		return;
	}
	io->writing = 1;
}

/* io_tls_drain - move ciphertext from the write BIO to the output */

static void
io_tls_drain(struct io *io)
{
	int	n;

	while (BIO_ctrl_pending(io->wbio) > 0) {
		buf_reserve(&io->out, IO_TLS_CHUNK);
		n = BIO_read(io->wbio, io->out.data + io->out.len,
			     IO_TLS_CHUNK);
		if (n <= 0)
			break;
		io->out.len += (size_t) n;
		io->out.data[io->out.len] = 0;
	}
}

/* io_tls_write - encrypt plaintext into the output */

static void
io_tls_write(struct io *io, const char *data, size_t len)
{
	size_t	chunk;
	int	n;
	int	e;

	while (len > 0) {
		chunk = len > IO_SSL_WRITE_MAX ? IO_SSL_WRITE_MAX : len;
		ERR_clear_error();
		n = SSL_write(io->ssl, data, (int) chunk);
		if (n <= 0) {
			e = SSL_get_error(io->ssl, n);
			if (e == SSL_ERROR_WANT_READ
			    || e == SSL_ERROR_WANT_WRITE) {
				buf_append(&io->held, data, len);
				break;
			}
			io_error_tls(io, e);
			io->tls = IO_TLS_FAILED;
			io_tls_drain(io);
			io_flush(io);
			io_peer_gone(io, 0);
			return;
		}
		data += n;
		len -= (size_t) n;
	}
	io_tls_drain(io);
}

/* io_tls_write_held - retry plaintext that waited for the handshake */

static void
io_tls_write_held(struct io *io)
{
	struct buf held;

	if (io->held.len == 0 || io->tls != IO_TLS_UP)
		return;
	held = io->held;
	buf_init(&io->held, 0);
	io_tls_write(io, held.data, held.len);
	buf_fini(&held);
	io_flush(io);
}

/* io_tls_fill_info - record what the handshake achieved */

static void
io_tls_fill_info(struct io *io)
{
	io->info.ok = 1;
	io->info.protocol = SSL_get_version(io->ssl);
	io->info.cipher = SSL_get_cipher_name(io->ssl);
	io->info.cipher_bits = SSL_get_cipher_bits(io->ssl, NULL);
	io->info.peer_cert = SSL_get0_peer_certificate(io->ssl);
	io->info.peer_chain = SSL_get_peer_cert_chain(io->ssl);
	io->info.verify_result = SSL_get_verify_result(io->ssl);
	io->info.servername = SSL_get_servername(io->ssl,
						 TLSEXT_NAMETYPE_host_name);
	io->info.err = NULL;
}

/* io_tls_handshake - take the handshake as far as the input allows */

static int
io_tls_handshake(struct io *io)
{
	int	ret;
	int	e;

	ERR_clear_error();
	ret = SSL_do_handshake(io->ssl);
	io_tls_drain(io);
	io_flush(io);
	if (ret == 1) {
		io->tls = IO_TLS_UP;
		io_tls_fill_info(io);
		io_update_reading(io);
		if (io->ops->tls_done)
			io->ops->tls_done(io, &io->info, io->ctx);
		if (io->state != IO_S_OPEN || io->rdead)
			return (-1);
		io_tls_write_held(io);
		return (0);
	}
	e = SSL_get_error(io->ssl, ret);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return (-1);
	io_error_tls(io, e);
	io->tls = IO_TLS_FAILED;
	io->rdead = 1;
	io_update_reading(io);
	buf_reset(&io->held);
	io->info.ok = 0;
	io->info.err = &io->err;
	if (io->ops->tls_done && io->state == IO_S_OPEN)
		io->ops->tls_done(io, &io->info, io->ctx);
	return (-1);
}

/* io_tls_read - decrypt what the read BIO holds */

static void
io_tls_read(struct io *io)
{
	int	n;
	int	e;

	for (;;) {
		buf_reserve(&io->in, IO_TLS_CHUNK);
		ERR_clear_error();
		n = SSL_read(io->ssl, io->in.data + io->in.len, IO_TLS_CHUNK);
		if (n > 0) {
			io->in.len += (size_t) n;
			io->in.data[io->in.len] = 0;
			continue;
		}
		e = SSL_get_error(io->ssl, n);
		io_tls_drain(io);
		io_flush(io);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return;
		io_deliver(io);
		if (io->state != IO_S_OPEN)
			return;
		if (e == SSL_ERROR_ZERO_RETURN) {
			io->err.close_notify = 1;
			io_peer_gone(io, 0);
		} else {
			io_error_tls(io, e);
			io_peer_gone(io, 0);
		}
		return;
	}
}

/* io_pump - run TLS on what arrived, then deliver plaintext */

static void
io_pump(struct io *io)
{
	if (io->state != IO_S_OPEN)
		return;
	if (io->tls == IO_TLS_HANDSHAKE && io_tls_handshake(io) < 0)
		return;
	if (io->tls == IO_TLS_UP && !io->rdead) {
		io_tls_read(io);
		/* A renegotiation may have blocked writes until now. */
		if (io->state == IO_S_OPEN)
			io_tls_write_held(io);
	}
	io_deliver(io);
}

/* io_alloc_cb - lend libuv the shared read buffer */

static void
io_alloc_cb(uv_handle_t *handle, size_t hint, uv_buf_t *ub)
{
	*ub = uv_buf_init(io_rbuf, sizeof(io_rbuf));
}

/* io_read_cb - bytes, end of file or an error from the socket */

static void
io_read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *ub)
{
	struct io *io = stream->data;

	if (nread == 0 || io->state != IO_S_OPEN)
		return;
	if (nread < 0) {
		io_peer_gone(io, nread == UV_EOF ? 0 : (int) -nread);
		return;
	}
	io_progress(io);
	if (io->tls == IO_TLS_NONE) {
		buf_append(&io->in, ub->base, (size_t) nread);
		io_deliver(io);
		return;
	}
	if (io->tls == IO_TLS_FAILED)
		return;
	if (BIO_write(io->rbio, ub->base, (int) nread) != (int) nread)
		msg_fatal("io_read_cb: BIO_write: out of memory");
	io_pump(io);
}

/* io_update_reading - read the socket when someone needs it */

static void
io_update_reading(struct io *io)
{
	int	want;

	if (io->handles_closing)
		return;
	want = io->state == IO_S_OPEN && !io->rdead
	    && ((io->want_read && io->in.len < IO_INPUT_MAX)
		|| io->tls == IO_TLS_HANDSHAKE);
	if (want == io->reading)
		return;
	if (want) {
		if (uv_read_start((uv_stream_t *) &io->tcp, io_alloc_cb,
				  io_read_cb) < 0)
			return;
	} else {
		(void) uv_read_stop((uv_stream_t *) &io->tcp);
	}
	io->reading = want;
}

/* io_read_stop - stop delivering input */

void
io_read_stop(struct io *io)
{
	io->want_read = 0;
	(void) uv_idle_stop(&io->kick);
	io_update_reading(io);
}

/* io_read_start - deliver input again, held bytes first */

void
io_read_start(struct io *io)
{
	if (io->state == IO_S_CLOSING)
		return;
	io->want_read = 1;
	io_update_reading(io);
	if (io->in.len > 0)
		(void) uv_idle_start(&io->kick, io_kick_cb);
}

/* io_write - queue bytes for the peer */

void
io_write(struct io *io, const void *data, size_t len)
{
	if (io->state == IO_S_CLOSING)
		msg_panic("io_write: connection is closing");
	if (len == 0 || io->broken)
		return;
	switch (io->tls) {
	case IO_TLS_NONE:
		buf_append(&io->out, data, len);
		break;
	case IO_TLS_HANDSHAKE:
		buf_append(&io->held, data, len);
		break;
	case IO_TLS_UP:
		if (io->held.len > 0)
			buf_append(&io->held, data, len);
		else
			io_tls_write(io, data, len);
		break;
	case IO_TLS_FAILED:
		return;
	}
	if (io_pending(io) > io->lowat)
		io->above_lowat = 1;
	/* Replies to pipelined commands leave together, after data(). */
	if (!io->in_data)
		io_flush(io);
}

/* io_printf - queue formatted text for the peer */

void
io_printf(struct io *io, const char *fmt, ...)
{
	struct buf tmp;
	va_list	ap;

	buf_init(&tmp, 0);
	va_start(ap, fmt);
	buf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	io_write(io, tmp.data, tmp.len);
	buf_fini(&tmp);
}

/* io_pending - bytes not yet accepted by the kernel */

size_t
io_pending(const struct io *io)
{
	return (io->out.len + io->wbuf.len + io->held.len);
}

/* io_set_lowat - the mark for drained() */

void
io_set_lowat(struct io *io, size_t lowat)
{
	io->lowat = lowat;
}

/* io_info_cb - note handshake states and alerts as OpenSSL goes */

static void
io_info_cb(const SSL *ssl, int where, int ret)
{
	struct io *io = SSL_get_ex_data(ssl, io_ssl_index);
	int	level = (ret >> 8) & 0xff;

	if (io == NULL)
		return;
	if (where & SSL_CB_LOOP)
		io_copy(io->hs_state, sizeof(io->hs_state),
			SSL_state_string_long(ssl));
	if (!(where & SSL_CB_ALERT))
		return;
	if ((where & SSL_CB_READ) && (ret & 0xff) == SSL3_AD_CLOSE_NOTIFY)
		io->err.close_notify = 1;
	if (level != SSL3_AL_FATAL || io->err.alert_side != IO_SIDE_NONE)
		return;
	io->err.alert_side = (where & SSL_CB_READ) ? IO_SIDE_PEER :
	    IO_SIDE_LOCAL;
	io->err.alert = ret & 0xff;
	io_copy(io->err.alert_text, sizeof(io->err.alert_text),
		SSL_alert_desc_string_long(ret));
}

/* io_starttls - common part of the two STARTTLS forms */

static int
io_starttls(struct io *io, SSL_CTX *ssl_ctx, int server, const char *sni,
    size_t consumed, size_t *dropped, const char *myname)
{
	size_t	drop;

	if (io->tls != IO_TLS_NONE || io->state == IO_S_CLOSING || io->rdead
	    || io->broken) {
		msg_warn("%s: TLS already started or connection closing",
			 myname);
		return (-1);
	}
	if (io->in_data) {
		if (consumed > io->in.len)
			msg_panic("%s: consumed %zu of %zu bytes", myname,
				  consumed, io->in.len);
		drop = io->in.len - consumed;
		io->cut_input = 1;
	} else {
		if (consumed != 0)
			msg_panic("%s: consumed %zu outside data()", myname,
				  consumed);
		drop = io->in.len;
		buf_reset(&io->in);
	}
	if (dropped)
		*dropped = drop;
	if (io_ssl_index < 0
	    && (io_ssl_index = SSL_get_ex_new_index(0, "io", NULL, NULL,
						    NULL)) < 0)
		msg_fatal("%s: SSL_get_ex_new_index failed", myname);
	if ((io->ssl = SSL_new(ssl_ctx)) == NULL
	    || (io->rbio = BIO_new(BIO_s_mem())) == NULL
	    || (io->wbio = BIO_new(BIO_s_mem())) == NULL)
		msg_fatal("%s: out of memory for TLS", myname);
	BIO_set_mem_eof_return(io->rbio, -1);
	BIO_set_mem_eof_return(io->wbio, -1);
	SSL_set_bio(io->ssl, io->rbio, io->wbio);
	SSL_set_ex_data(io->ssl, io_ssl_index, io);
	SSL_set_info_callback(io->ssl, io_info_cb);
	if (server) {
		SSL_set_accept_state(io->ssl);
	} else {
		SSL_set_connect_state(io->ssl);
		if (sni && SSL_set_tlsext_host_name(io->ssl, sni) != 1)
			msg_warn("%s: cannot set server name \"%s\"",
				 myname, sni);
	}
	io_error_reset(&io->err);
	memset(&io->info, 0, sizeof(io->info));
	io->tls = IO_TLS_HANDSHAKE;
	if (io->ops->tls_setup)
		io->ops->tls_setup(io, io->ssl, io->ctx);
	io_update_reading(io);
	if (io->state == IO_S_OPEN)
		(void) io_tls_handshake(io);
	return (0);
}

/* io_starttls_server - begin TLS as the server */

int
io_starttls_server(struct io *io, SSL_CTX *ssl_ctx, size_t consumed,
    size_t *dropped)
{
	return (io_starttls(io, ssl_ctx, 1, NULL, consumed, dropped,
			    "io_starttls_server"));
}

/* io_starttls_client - begin TLS as the client */

int
io_starttls_client(struct io *io, SSL_CTX *ssl_ctx, const char *sni,
    size_t consumed, size_t *dropped)
{
	return (io_starttls(io, ssl_ctx, 0, sni, consumed, dropped,
			    "io_starttls_client"));
}

/* io_tls_active - TLS handshake done and records flowing */

int
io_tls_active(const struct io *io)
{
	return (io->tls == IO_TLS_UP);
}

/* io_ssl - the TLS session, or NULL */

SSL    *
io_ssl(const struct io *io)
{
	return (io->ssl);
}

/* io_tls_info - what the handshake achieved, or NULL before it ended */

const struct io_tls_info *
io_tls_info(const struct io *io)
{
	return (io->tls == IO_TLS_UP || io->tls == IO_TLS_FAILED ?
		&io->info : NULL);
}

/* io_set_timeout - arm or disarm the idle timer */

void
io_set_timeout(struct io *io, unsigned ms)
{
	if (io->state == IO_S_CLOSING)
		return;
	io->idle_ms = ms;
	if (ms == 0)
		(void) uv_timer_stop(&io->idle_timer);
	else
		io_progress(io);
}

/* io_set_lifetime - arm or disarm the lifetime guard */

void
io_set_lifetime(struct io *io, unsigned ms)
{
	if (io->state == IO_S_CLOSING)
		return;
	if (ms == 0)
		(void) uv_timer_stop(&io->life_timer);
	else
		(void) uv_timer_start(&io->life_timer, io_life_cb, ms, 0);
}

/* io_close - flush, say goodbye, close */

void
io_close(struct io *io)
{
	unsigned linger;

	if (io->state == IO_S_CLOSING)
		return;
	if (io->state == IO_S_CONNECTING)
		io->rdead = io->broken = 1;
	io->state = IO_S_CLOSING;
	io_update_reading(io);
	(void) uv_idle_stop(&io->kick);
	(void) uv_timer_stop(&io->life_timer);
	buf_reset(&io->held);
	if (io->tls == IO_TLS_UP && !io->broken) {
		ERR_clear_error();
		(void) SSL_shutdown(io->ssl);
		ERR_clear_error();
		io_tls_drain(io);
	}
	linger = io->idle_ms ? io->idle_ms : IO_LINGER_MS;
	(void) uv_timer_start(&io->idle_timer, io_idle_cb, linger, 0);
	io_flush(io);
	io_finish_close(io);
}

/* io_abort - close at once with a reset */

void
io_abort(struct io *io)
{
	io->state = IO_S_CLOSING;
	io_close_handles(io, !io->broken);
}

/* io_peer_name - numeric peer address */

const char *
io_peer_name(const struct io *io)
{
	return (io->peer_name);
}

/* io_peer_port - peer port */

unsigned
io_peer_port(const struct io *io)
{
	return (io->peer_port);
}

/* io_peer_addr - peer socket address */

const struct sockaddr *
io_peer_addr(const struct io *io)
{
	return ((const struct sockaddr *) &io->peer);
}

/* io_local_name - numeric local address */

const char *
io_local_name(const struct io *io)
{
	return (io->local_name);
}

/* io_local_port - local port */

unsigned
io_local_port(const struct io *io)
{
	return (io->local_port);
}

/* io_local_addr - local socket address */

const struct sockaddr *
io_local_addr(const struct io *io)
{
	return ((const struct sockaddr *) &io->local);
}
