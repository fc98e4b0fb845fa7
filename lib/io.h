/*
 * NAME
 *	io - buffered TCP connection on libuv with optional TLS
 * SYNOPSIS
 *	#include "io.h"
 *
 *	struct io *io_accept(uv_stream_t *server, const struct io_ops *ops,
 *		    void *ctx, int *err);
 *	struct io *io_connect(uv_loop_t *loop, const struct sockaddr *dst,
 *		    const struct sockaddr *src, const struct io_ops *ops,
 *		    void *ctx, int *err);
 *	struct io *io_adopt(uv_loop_t *loop, int fd, const struct io_ops *ops,
 *		    void *ctx, int *err);
 *
 *	void	io_write(struct io *io, const void *data, size_t len);
 *	void	io_printf(struct io *io, const char *fmt, ...);
 *	size_t	io_pending(const struct io *io);
 *	void	io_set_lowat(struct io *io, size_t lowat);
 *	void	io_read_stop(struct io *io);
 *	void	io_read_start(struct io *io);
 *
 *	int	io_starttls_server(struct io *io, SSL_CTX *ssl_ctx,
 *		    size_t consumed, size_t *dropped);
 *	int	io_starttls_client(struct io *io, SSL_CTX *ssl_ctx,
 *		    const char *sni, size_t consumed, size_t *dropped);
 *	int	io_tls_active(const struct io *io);
 *	SSL	*io_ssl(const struct io *io);
 *	const struct io_tls_info *io_tls_info(const struct io *io);
 *
 *	void	io_set_timeout(struct io *io, unsigned ms);
 *	void	io_set_lifetime(struct io *io, unsigned ms);
 *
 *	void	io_close(struct io *io);
 *	void	io_abort(struct io *io);
 *
 *	const char *io_peer_name(const struct io *io);
 *	unsigned io_peer_port(const struct io *io);
 *	const struct sockaddr *io_peer_addr(const struct io *io);
 *	const char *io_local_name(const struct io *io);
 *	unsigned io_local_port(const struct io *io);
 *	const struct sockaddr *io_local_addr(const struct io *io);
 *
 *	void	io_error_format(const struct io_error *err, struct buf *out);
 * DESCRIPTION
 *	An io is one TCP connection: a uv_tcp_t, an input buffer of
 *	plaintext the owner has not consumed yet, an output queue, and
 *	optionally a TLS session that runs through memory BIOs, so the
 *	handshake and all record processing are as asynchronous as the rest
 *	of the loop. Protocol code talks to an io and never to libuv.
 *
 *	Creation. io_accept() accepts one connection on a listening
 *	uv_tcp_t; io_adopt() wraps a connected TCP socket descriptor (it
 *	owns it from then on); io_connect() starts a connection to dst,
 *	from src when src is not null, and reports through ops->connected.
 *	Each returns NULL on failure with *err set to a positive errno. A
 *	new io reads at once (io_accept, io_adopt) or once connected.
 *
 *	Callbacks (struct io_ops; each may be null unless stated):
 *
 *	data(io, buf, len, ctx) -> consumed
 *		plaintext arrived. buf holds every byte not consumed before
 *		followed by the new ones; the callee returns how many it
 *		consumed from the front (0..len), and io keeps the rest and
 *		presents it again with the next bytes. Required.
 *	drained(io, ctx)
 *		the bytes waiting to be written fell to the low-water mark
 *		(io_set_lowat(), default 0: all written to the kernel) after
 *		having been above it. For flow control on large writes.
 *	connected(io, err, ctx)
 *		io_connect() finished: err null on success, else why not
 *		(err->sys_errno, ECONNREFUSED for example); after a failure
 *		the owner closes the io.
 *	tls_setup(io, ssl, ctx)
 *		called from io_starttls_*() between SSL_new() and the first
 *		handshake step, to set per-connection options (host name to
 *		verify, ex_data).
 *	tls_done(io, info, ctx)
 *		the handshake ended. info->ok says how. On success protocol,
 *		cipher, peer certificate and verify result are filled in;
 *		on failure info->err says why (OpenSSL error queue, alert
 *		and state, or the socket errno when the peer reset or closed
 *		the connection during the handshake). After a failure the io
 *		reads no more; the owner closes or aborts it. A handshake
 *		that cannot even start (no usable protocol or cipher in
 *		the SSL_CTX) fails inside io_starttls_*(), so tls_done()
 *		may run before that call returns.
 *	hangup(io, err, ctx)
 *		the peer went away outside a handshake: err->kind is
 *		IO_ERR_EOF for an orderly end of file (and
 *		err->close_notify says whether a TLS peer said goodbye
 *		first), IO_ERR_SYS for a socket error (err->sys_errno), or
 *		IO_ERR_TLS for a TLS record error. Called once; io reads no
 *		more. The owner closes the io.
 *	timeout(io, which, ctx)
 *		IO_TIMEOUT_IDLE: no progress for the time set with
 *		io_set_timeout(); IO_TIMEOUT_LIFETIME: the io has lived
 *		longer than io_set_lifetime() allows. io does nothing else;
 *		the owner usually replies and closes.
 *	closed(io, ctx)
 *		the handle is closed and io is about to be freed. This is
 *		the last callback and the only place where the owner may
 *		free what ctx points to. Required.
 *
 *	Ownership: an io lives until closed() returns; the owner must not
 *	use the pointer after that. io_close() and io_abort() may be called
 *	from inside any callback, after which no callback but closed() runs;
 *	io itself is never freed while one of its callbacks is running.
 *
 *	Output. io_write() copies the bytes into the output queue (through
 *	SSL_write() when TLS is on) and starts writing them; it never
 *	blocks and never fails: errors surface as hangup. io_printf()
 *	formats into it. Bytes written while a handshake runs are held and
 *	sent once it is done. io_pending() counts bytes not yet accepted by
 *	the kernel (ciphertext, plus plaintext held for the handshake).
 *
 *	Input. io_read_stop() stops delivering data (and reading the socket,
 *	so TCP pushes back on the peer); io_read_start() resumes and, when
 *	unconsumed bytes are held, presents them again from a later loop
 *	iteration even if nothing new arrives (a session that stopped in the
 *	middle of pipelined commands continues with them). A TLS handshake
 *	reads the socket whatever the read state is. io holds at most about
 *	IO_INPUT_MAX unconsumed bytes: beyond that it stops reading the
 *	socket until the owner consumes some, so an owner that waits for a
 *	line end that never comes meets its idle timeout rather than
 *	exhausting memory. Owners enforce their own, smaller line limits.
 *
 *	STARTTLS and CVE-2011-0411. io_starttls_server() and
 *	io_starttls_client() begin a handshake on a clear connection. The
 *	contract: every plaintext byte io holds that the owner has not
 *	consumed is discarded, so nothing a peer sent before the handshake
 *	can be read as if it came after it. Called from inside data(),
 *	consumed is the count of bytes of that call's buffer the owner has
 *	used (up to the end of the STARTTLS command line, or of the 220
 *	reply on the client side); the rest of the buffer is dropped and the
 *	return value of data() is then ignored. Called from anywhere else,
 *	consumed must be 0 and all held bytes are dropped. *dropped (when
 *	dropped is not null) receives the number of bytes discarded, for
 *	the log. Implicit TLS (port 465) calls io_starttls_server() right
 *	after io_accept(), with consumed 0. The result is 0, or -1 (with a
 *	msg_warn) when TLS is already on, the io is closing, or the peer is
 *	gone. The owner should stop writing plaintext before calling: a
 *	reply written before the call (for example "220 2.0.0 Ready to start
 *	TLS") is sent in clear ahead of the handshake, as the protocol
 *	wants. sni, when not null, is sent as the server name.
 *
 *	After the handshake io_tls_info() returns the same information
 *	tls_done() got: protocol ("TLSv1.3"), cipher (OpenSSL name, for
 *	example "TLS_AES_256_GCM_SHA384" or "ECDHE-RSA-AES256-GCM-SHA384"),
 *	cipher_bits, the peer certificate and chain (borrowed: valid until
 *	closed()), the verify result (X509_V_OK etc.), and the server name
 *	(asked for by a client, or sent by us). io_ssl() exposes the SSL
 *	for anything else; io owns it.
 *
 *	Timeouts. io_set_timeout() arms (ms > 0) or disarms (0) the idle
 *	timer, which restarts whenever bytes arrive from the peer or a write
 *	to the kernel completes; call it again when the protocol state
 *	changes. io_set_lifetime() arms a one-shot guard counted from the
 *	call. Both use uv timers owned by io.
 *
 *	Closing. io_close() is graceful: reading stops, queued output is
 *	written, a TLS session sends close_notify (best effort), the write
 *	side is shut down, then the handle is closed. It is bounded: if the
 *	output has not drained within the idle timeout (IO_LINGER_MS when
 *	none is set), io aborts. io_abort() closes at once with a TCP RST
 *	(uv_tcp_close_reset). Both are idempotent and may be mixed (abort
 *	during a graceful close cuts it short).
 *
 *	Addresses. io_peer_addr() and io_local_addr() return the socket
 *	addresses (family AF_INET or AF_INET6; an IPv4-mapped IPv6 peer is
 *	shown as IPv4), io_*_name() the numeric text ("192.0.2.1",
 *	"2001:db8::1"), io_*_port() the port. They are computed at creation
 *	(at connection for io_connect) and stay valid until closed().
 *
 *	Signals. The process must ignore SIGPIPE: a write to a peer that
 *	has reset the connection would otherwise kill it.
 *
 *	Errors. struct io_error describes a failure: kind; the positive
 *	errno and its strerror text for socket failures; for TLS the
 *	OpenSSL error queue entries in order (packed code, library,
 *	function and reason strings, and the ERR_error_string_n() text),
 *	the last alert sent or received (and by which side), the handshake
 *	state (SSL_state_string_long()) and SSL_get_error(). io_error_format()
 *	appends a one-line diagnostic for msg_*(); the mail log formats its
 *	own lines from the fields.
 * DIAGNOSTICS
 *	Panic: null ops, null data() or closed(), io_write() after
 *	io_close(). Nothing is logged in normal operation.
 */
#ifndef IO_H
#define IO_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <uv.h>

#include "buf.h"
#include "msg.h"

#define IO_TLS_ERR_MAX	8
#define IO_LINGER_MS	10000
#define IO_INPUT_MAX	(1024 * 1024)

struct io;

enum io_err_kind {
	IO_ERR_NONE,			/* no error */
	IO_ERR_EOF,			/* orderly end of file */
	IO_ERR_SYS,			/* socket error, see sys_errno */
	IO_ERR_TLS,			/* TLS failure, see ssl fields */
};

enum io_side {
	IO_SIDE_NONE,			/* no alert */
	IO_SIDE_LOCAL,			/* we sent the alert */
	IO_SIDE_PEER,			/* the peer sent it */
};

enum io_timeout {
	IO_TIMEOUT_IDLE,
	IO_TIMEOUT_LIFETIME,
};

struct io_tls_err {
	unsigned long code;		/* packed OpenSSL error code */
	char	lib[48];		/* "SSL routines" */
	char	func[64];		/* often empty in OpenSSL 3 */
	char	reason[128];		/* "no shared cipher" */
	char	text[256];		/* "error:0A0000C1:SSL routines::..." */
};

struct io_error {
	enum io_err_kind kind;
	int	sys_errno;		/* positive errno, 0 when none */
	char	sys_text[128];		/* strerror(sys_errno) */
	int	ssl_error;		/* SSL_get_error(), 0 when none */
	enum io_side alert_side;	/* who sent the fatal alert */
	int	alert;			/* alert description, -1 when none */
	char	alert_text[64];		/* SSL_alert_desc_string_long() */
	char	state[64];		/* SSL_state_string_long() */
	int	close_notify;		/* EOF: the TLS peer said goodbye */
	size_t	count;			/* entries in err[] */
	struct io_tls_err err[IO_TLS_ERR_MAX];
};

struct io_tls_info {
	int	ok;			/* 1: handshake done, 0: failed */
	const char *protocol;		/* "TLSv1.2", "TLSv1.3" */
	const char *cipher;		/* OpenSSL cipher name */
	int	cipher_bits;
	X509   *peer_cert;		/* borrowed, may be null */
	STACK_OF(X509) *peer_chain;	/* borrowed, may be null */
	long	verify_result;		/* SSL_get_verify_result() */
	const char *servername;		/* SNI, may be null */
	const struct io_error *err;	/* failure details, null on success */
};

struct io_ops {
	size_t	(*data)(struct io *, const char *, size_t, void *);
	void	(*drained)(struct io *, void *);
	void	(*connected)(struct io *, const struct io_error *, void *);
	void	(*tls_setup)(struct io *, SSL *, void *);
	void	(*tls_done)(struct io *, const struct io_tls_info *, void *);
	void	(*hangup)(struct io *, const struct io_error *, void *);
	void	(*timeout)(struct io *, enum io_timeout, void *);
	void	(*closed)(struct io *, void *);
};

struct io *io_accept(uv_stream_t *, const struct io_ops *, void *, int *);
struct io *io_connect(uv_loop_t *, const struct sockaddr *,
	    const struct sockaddr *, const struct io_ops *, void *, int *);
struct io *io_adopt(uv_loop_t *, int, const struct io_ops *, void *, int *);

void	io_write(struct io *, const void *, size_t);
void	io_printf(struct io *, const char *, ...) MSG_PRINTFLIKE(2, 3);
size_t	io_pending(const struct io *);
void	io_set_lowat(struct io *, size_t);
void	io_read_stop(struct io *);
void	io_read_start(struct io *);

int	io_starttls_server(struct io *, SSL_CTX *, size_t, size_t *);
int	io_starttls_client(struct io *, SSL_CTX *, const char *, size_t,
	    size_t *);
int	io_tls_active(const struct io *);
SSL    *io_ssl(const struct io *);
const struct io_tls_info *io_tls_info(const struct io *);

void	io_set_timeout(struct io *, unsigned);
void	io_set_lifetime(struct io *, unsigned);

void	io_close(struct io *);
void	io_abort(struct io *);

const char *io_peer_name(const struct io *);
unsigned io_peer_port(const struct io *);
const struct sockaddr *io_peer_addr(const struct io *);
const char *io_local_name(const struct io *);
unsigned io_local_port(const struct io *);
const struct sockaddr *io_local_addr(const struct io *);

void	io_error_format(const struct io_error *, struct buf *);

#endif
