/*
 * NAME
 *	tsup_smtp - scripted SMTP client over TCP, STARTTLS or implicit TLS
 * DESCRIPTION
 *	See tsupport.h. The client is deliberately dumb about what it
 *	sends (bytes go out exactly as the test wrote them, in one write,
 *	so pipelining and smuggling tests control the segments) and
 *	strict about what it reads: a reply line must end in CRLF, start
 *	with three digits and a space or hyphen, and keep one code across
 *	a multi-line reply. A server bug such as a bare LF in a reply is
 *	therefore a failed expectation, not something the client hides.
 *
 *	The socket is non-blocking and every read waits with poll(2)
 *	against a deadline, also under TLS (SSL_ERROR_WANT_READ/WRITE), so
 *	no test hangs on a silent server.
 */
#include "config.h"

#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "tsup_int.h"
#include "tsupport.h"

#define TSUP_SMTP_LINE_MAX	65536

struct tsup_smtp {
	int	fd;
	int	port;
	int	timeout_ms;
	SSL_CTX *ctx;
	SSL    *ssl;
	struct buf in;			/* received, not yet consumed */
	struct buf text;		/* the last reply */
	struct buf last;		/* what was sent last, for messages */
	char   *tls_error;		/* why the last handshake failed */
	char   *peer;			/* peer certificate subject */
	long	verify;			/* SSL_get_verify_result() */
	int	eof;
};

/* tsup_smtp_escape - printable rendering of bytes, for messages */

static void
tsup_smtp_escape(struct buf *out, const char *data, size_t len, size_t max)
{
	size_t	i;
	unsigned char ch;

	for (i = 0; i < len && i < max; i++) {
		ch = (unsigned char) data[i];
		if (ch == '\r')
			buf_puts(out, "\\r");
		else if (ch == '\n')
			buf_puts(out, "\\n");
		else if (ch == '\\')
			buf_puts(out, "\\\\");
		else if (ch < 0x20 || ch >= 0x7f)
			buf_printf(out, "\\x%02x", ch);
		else
			buf_putc(out, ch);
	}
	if (len > max)
		buf_printf(out, "... (%zu bytes)", len);
}

/* tsup_smtp_release - tsup_fini(): close and free */

static void
tsup_smtp_release(void *ptr)
{
	struct tsup_smtp *c = ptr;

	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->ctx != NULL)
		SSL_CTX_free(c->ctx);
	if (c->fd != -1)
		(void) close(c->fd);
	buf_fini(&c->in);
	buf_fini(&c->text);
	buf_fini(&c->last);
	mem_free(c->tls_error);
	mem_free(c->peer);
	mem_free(c);
}

/* tsup_smtp_close - close the connection and free the client */

void
tsup_smtp_close(struct tsup_smtp *c)
{
	tsup_untrack(c);
	tsup_smtp_release(c);
}

/* tsup_smtp_connect - a plain TCP connection to 127.0.0.1:port */

struct tsup_smtp *
tsup_smtp_connect(int port)
{
	struct tsup_smtp *c;

	/* A write to a closed peer is a status here, never a signal. */
	(void) signal(SIGPIPE, SIG_IGN);
	c = mem_zalloc(1, sizeof(*c));
	c->fd = -1;
	buf_init(&c->in, 4096);
	buf_init(&c->text, 256);
	buf_init(&c->last, 64);
	buf_puts(&c->last, "connect");
	c->port = port;
	c->timeout_ms = tsup_deadline_ms();
	c->verify = X509_V_OK;
	tsup_track(c, tsup_smtp_release);
	c->fd = tsup_port_connect(port);
	tsup_set_nonblock(c->fd, 1);
	return (c);
}

/* tsup_smtp_connect_tls - connect and do a TLS handshake at once */

struct tsup_smtp *
tsup_smtp_connect_tls(int port, const struct tsup_tls_opts *opts)
{
	struct tsup_smtp *c = tsup_smtp_connect(port);

	if (tsup_smtp_handshake(c, opts) == -1)
		tsup_fail("127.0.0.1:%d: implicit TLS handshake failed: %s",
		    port, c->tls_error);
	return (c);
}

/* tsup_smtp_timeout - the deadline for each read */

void
tsup_smtp_timeout(struct tsup_smtp *c, int timeout_ms)
{
	c->timeout_ms = tsup_timeout(timeout_ms);
}

/* tsup_smtp_poll - wait for the socket; 0 ready, -1 at the deadline */

static int
tsup_smtp_poll(struct tsup_smtp *c, short events, long long deadline)
{
	struct pollfd pfd;
	int	left;

	for (;;) {
		if ((left = (int) (deadline - tsup_now_ms())) <= 0)
			return (-1);
		pfd.fd = c->fd;
		pfd.events = events;
		pfd.revents = 0;
		switch (poll(&pfd, 1, left)) {
		case -1:
			if (errno == EINTR)
				continue;
			tsup_fail("poll: %s", strerror(errno));
		case 0:
			return (-1);
		default:
			return (0);
		}
	}
}

/* tsup_smtp_fill - read more input: >0 bytes, 0 at EOF, -1 deadline */

static int
tsup_smtp_fill(struct tsup_smtp *c, long long deadline)
{
	char	chunk[8192];
	ssize_t	n;
	int	ret;

	if (c->eof)
		return (0);
	for (;;) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			ret = SSL_read(c->ssl, chunk, sizeof(chunk));
			if (ret > 0) {
				buf_append(&c->in, chunk, (size_t) ret);
				return (ret);
			}
			switch (SSL_get_error(c->ssl, ret)) {
			case SSL_ERROR_WANT_READ:
				if (tsup_smtp_poll(c, POLLIN, deadline) == -1)
					return (-1);
				continue;
			case SSL_ERROR_WANT_WRITE:
				if (tsup_smtp_poll(c, POLLOUT, deadline) == -1)
					return (-1);
				continue;
			default:
				/* close_notify, reset or TLS alert: the end. */
				c->eof = 1;
				return (0);
			}
		}
		n = read(c->fd, chunk, sizeof(chunk));
		if (n > 0) {
			buf_append(&c->in, chunk, (size_t) n);
			return ((int) n);
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			c->eof = 1;
			return (0);
		}
		if (tsup_smtp_poll(c, POLLIN, deadline) == -1)
			return (-1);
	}
}

/* tsup_smtp_write - write all bytes; 0, or -1 with errno */

static int
tsup_smtp_write(struct tsup_smtp *c, const void *data, size_t len)
{
	long long deadline = tsup_now_ms() + c->timeout_ms;
	const char *cp = data;
	ssize_t	n;
	int	ret;

	while (len > 0) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			ret = SSL_write(c->ssl, cp, (int) len);
			if (ret > 0) {
				cp += ret;
				len -= (size_t) ret;
				continue;
			}
			switch (SSL_get_error(c->ssl, ret)) {
			case SSL_ERROR_WANT_READ:
				if (tsup_smtp_poll(c, POLLIN, deadline) == -1)
					return (errno = ETIMEDOUT, -1);
				continue;
			case SSL_ERROR_WANT_WRITE:
				if (tsup_smtp_poll(c, POLLOUT, deadline) == -1)
					return (errno = ETIMEDOUT, -1);
				continue;
			default:
				return (errno = EPIPE, -1);
			}
		}
		n = send(c->fd, cp, len, MSG_NOSIGNAL);
		if (n > 0) {
			cp += n;
			len -= (size_t) n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			if (tsup_smtp_poll(c, POLLOUT, deadline) == -1)
				return (errno = ETIMEDOUT, -1);
			continue;
		}
		return (-1);
	}
	return (0);
}

/* tsup_smtp_send - send bytes exactly as given */

void
tsup_smtp_send(struct tsup_smtp *c, const void *data, size_t len)
{
	buf_reset(&c->last);
	buf_putc(&c->last, '"');
	tsup_smtp_escape(&c->last, data, len, 120);
	buf_putc(&c->last, '"');
	if (tsup_smtp_write(c, data, len) == -1)
		tsup_fail("127.0.0.1:%d: sending %s: %s", c->port,
		    c->last.data, strerror(errno));
}

/* tsup_smtp_cmd - send one formatted command line with CRLF */

void
tsup_smtp_cmd(struct tsup_smtp *c, const char *fmt, ...)
{
	struct buf line;
	va_list	ap;

	buf_init(&line, 128);
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	buf_puts(&line, "\r\n");
	tsup_smtp_send(c, line.data, line.len);
	buf_fini(&line);
}

/* tsup_smtp_line - one CRLF line from the input: its length or status */

static ssize_t
tsup_smtp_line(struct tsup_smtp *c, long long deadline, size_t *eol)
{
	char   *nl;
	int	ret;

	for (;;) {
		if ((nl = memchr(c->in.data, '\n', c->in.len)) != NULL) {
			*eol = (size_t) (nl - c->in.data) + 1;
			return ((ssize_t) *eol);
		}
		if (c->in.len > TSUP_SMTP_LINE_MAX)
			return (TSUP_SMTP_BADREPLY);
		if ((ret = tsup_smtp_fill(c, deadline)) == 0)
			return (TSUP_SMTP_EOF);
		if (ret == -1)
			return (TSUP_SMTP_TIMEOUT);
	}
}

/* tsup_smtp_reply - read one whole reply; its code or a status */

int
tsup_smtp_reply(struct tsup_smtp *c)
{
	long long deadline = tsup_now_ms() + c->timeout_ms;
	ssize_t	ret;
	size_t	eol;
	int	code = 0;
	int	this;
	int	more;
	const char *p;

	buf_reset(&c->text);
	for (;;) {
		if ((ret = tsup_smtp_line(c, deadline, &eol)) < 0) {
			/* Keep what came, for the failure message. */
			if (c->in.len > 0) {
				if (c->text.len)
					buf_putc(&c->text, '\n');
				buf_append(&c->text, c->in.data, c->in.len);
			}
			return ((int) ret);
		}
		p = c->in.data;
		if (c->text.len)
			buf_putc(&c->text, '\n');
		if (eol < 2 || p[eol - 2] != '\r') {
			buf_append(&c->text, p, eol);
			buf_consume(&c->in, eol);
			return (TSUP_SMTP_BADREPLY);
		}
		buf_append(&c->text, p, eol - 2);
		if (eol - 2 < 3 || !isdigit((unsigned char) p[0])
		    || !isdigit((unsigned char) p[1])
		    || !isdigit((unsigned char) p[2])
		    || (eol - 2 > 3 && p[3] != ' ' && p[3] != '-')) {
			buf_consume(&c->in, eol);
			return (TSUP_SMTP_BADREPLY);
		}
		this = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		more = eol - 2 > 3 && p[3] == '-';
		buf_consume(&c->in, eol);
		if (code != 0 && this != code)
			return (TSUP_SMTP_BADREPLY);
		code = this;
		if (!more)
			return (code);
	}
}

/* tsup_smtp_text - the text of the last reply */

const char *
tsup_smtp_text(const struct tsup_smtp *c)
{
	return (c->text.data);
}

/* tsup_smtp_status_name - a reply status in words */

static const char *
tsup_smtp_status_name(int ret)
{
	switch (ret) {
	case TSUP_SMTP_EOF:
		return ("the server closed the connection");
	case TSUP_SMTP_TIMEOUT:
		return ("no complete reply before the deadline");
	case TSUP_SMTP_BADREPLY:
		return ("a malformed reply");
	default:
		return (tsup_strf("reply %d", ret));
	}
}

/* tsup_smtp_expect - read a reply; fail the test unless it is code */

const char *
tsup_smtp_expect(struct tsup_smtp *c, int code)
{
	struct buf shown;
	int	ret;

	const char *text;

	if ((ret = tsup_smtp_reply(c)) == code)
		return (c->text.data);
	buf_init(&shown, 128);
	tsup_smtp_escape(&shown, c->text.data, c->text.len, 400);
	text = tsup_strf("%s", shown.data);
	buf_fini(&shown);
	tsup_fail("127.0.0.1:%d: after %s: expected %d, got %s: \"%s\"",
	    c->port, c->last.data, code, tsup_smtp_status_name(ret), text);
}

/* tsup_smtp_chat - send a command and expect a reply code */

const char *
tsup_smtp_chat(struct tsup_smtp *c, int code, const char *fmt, ...)
{
	struct buf line;
	va_list	ap;

	buf_init(&line, 128);
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	buf_puts(&line, "\r\n");
	tsup_smtp_send(c, line.data, line.len);
	buf_fini(&line);
	return (tsup_smtp_expect(c, code));
}

/* tsup_smtp_expect_close - fail unless the server just closes */

void
tsup_smtp_expect_close(struct tsup_smtp *c)
{
	long long deadline = tsup_now_ms() + c->timeout_ms;
	struct buf shown;
	const char *text;
	int	ret;

	while (c->in.len == 0 && (ret = tsup_smtp_fill(c, deadline)) != 0) {
		if (ret == -1)
			tsup_fail("127.0.0.1:%d: after %s: the server did not "
			    "close the connection within %d ms", c->port,
			    c->last.data, c->timeout_ms);
	}
	if (c->in.len > 0) {
		buf_init(&shown, 128);
		tsup_smtp_escape(&shown, c->in.data, c->in.len, 400);
		text = tsup_strf("%s", shown.data);
		buf_fini(&shown);
		tsup_fail("127.0.0.1:%d: after %s: expected the connection "
		    "to close, got \"%s\"", c->port, c->last.data, text);
	}
}

/* tsup_smtp_read_all - everything until the peer closes */

int
tsup_smtp_read_all(struct tsup_smtp *c, struct buf *out)
{
	long long deadline = tsup_now_ms() + c->timeout_ms;
	int	ret;

	for (;;) {
		buf_append(out, c->in.data, c->in.len);
		buf_reset(&c->in);
		if ((ret = tsup_smtp_fill(c, deadline)) == 0) {
			buf_append(out, c->in.data, c->in.len);
			buf_reset(&c->in);
			return (0);
		}
		if (ret == -1)
			return (-1);
	}
}

/* tsup_smtp_handshake - a TLS client handshake; 0 or -1 with a reason */

int
tsup_smtp_handshake(struct tsup_smtp *c, const struct tsup_tls_opts *opts)
{
	static const struct tsup_tls_opts none;
	const struct tsup_tls_opts *o = opts ? opts : &none;
	long long deadline = tsup_now_ms() + c->timeout_ms;
	const char *sni = o->servername ? o->servername : o->verify_name;
	X509   *peer;
	char	name[512];
	int	ret;
	int	err;

	if (c->ssl != NULL)
		tsup_fail("127.0.0.1:%d: TLS is already on", c->port);
	/* Whatever came before the handshake must not count after it. */
	buf_reset(&c->in);
	c->tls_error = mem_free(c->tls_error);
	c->peer = mem_free(c->peer);
	c->verify = X509_V_OK;
	if (c->ctx != NULL)
		SSL_CTX_free(c->ctx);
	c->ctx = tsup_tls_client_ctx(o);
	if ((c->ssl = SSL_new(c->ctx)) == NULL || !SSL_set_fd(c->ssl, c->fd))
		tsup_fail("SSL_new: %s", tsup_tls_errors());
	if (sni != NULL && !SSL_set_tlsext_host_name(c->ssl, sni))
		tsup_fail("SNI %s: %s", sni, tsup_tls_errors());
	if (o->verify_name != NULL && !SSL_set1_host(c->ssl, o->verify_name))
		tsup_fail("verify name %s: %s", o->verify_name,
		    tsup_tls_errors());
	for (;;) {
		ERR_clear_error();
		if ((ret = SSL_connect(c->ssl)) == 1)
			break;
		err = SSL_get_error(c->ssl, ret);
		if (err == SSL_ERROR_WANT_READ
		    && tsup_smtp_poll(c, POLLIN, deadline) == 0)
			continue;
		if (err == SSL_ERROR_WANT_WRITE
		    && tsup_smtp_poll(c, POLLOUT, deadline) == 0)
			continue;
		c->verify = SSL_get_verify_result(c->ssl);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
			c->tls_error = mem_strdup("handshake timed out");
		else if (c->verify != X509_V_OK && ERR_GET_REASON(
		    ERR_peek_error()) == SSL_R_CERTIFICATE_VERIFY_FAILED)
			c->tls_error = mem_strdup(tsup_strf("certificate "
			    "verify failed: %s",
			    X509_verify_cert_error_string(c->verify)));
		else if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
			c->tls_error = mem_strdup("connection closed during "
			    "the handshake");
		else if (ERR_GET_REASON(ERR_peek_error())
		    == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			c->tls_error = mem_strdup(tsup_strf("connection "
			    "closed during the handshake: %s",
			    tsup_tls_errors()));
		else
			c->tls_error = mem_strdup(tsup_tls_errors());
		ERR_clear_error();
		SSL_free(c->ssl);
		c->ssl = NULL;
		return (-1);
	}
	c->verify = SSL_get_verify_result(c->ssl);
	if ((peer = SSL_get0_peer_certificate(c->ssl)) != NULL) {
		X509_NAME_oneline(X509_get_subject_name(peer), name,
		    sizeof(name));
		c->peer = mem_strdup(name);
	}
	return (0);
}

/* tsup_smtp_starttls - STARTTLS, 220, handshake; fail on any error */

void
tsup_smtp_starttls(struct tsup_smtp *c, const struct tsup_tls_opts *opts)
{
	tsup_smtp_cmd(c, "STARTTLS");
	(void) tsup_smtp_expect(c, 220);
	if (c->in.len > 0)
		tsup_fail("127.0.0.1:%d: %zu bytes after \"220\" to STARTTLS "
		    "(response injection)", c->port, c->in.len);
	if (tsup_smtp_handshake(c, opts) == -1)
		tsup_fail("127.0.0.1:%d: TLS handshake after STARTTLS failed: "
		    "%s", c->port, c->tls_error);
}

/* tsup_smtp_tls_version - the negotiated protocol, "" without TLS */

const char *
tsup_smtp_tls_version(const struct tsup_smtp *c)
{
	return (c->ssl ? SSL_get_version(c->ssl) : "");
}

/* tsup_smtp_tls_cipher - the negotiated cipher, "" without TLS */

const char *
tsup_smtp_tls_cipher(const struct tsup_smtp *c)
{
	return (c->ssl ? SSL_get_cipher_name(c->ssl) : "");
}

/* tsup_smtp_tls_verify - the verification result of the last handshake */

long
tsup_smtp_tls_verify(const struct tsup_smtp *c)
{
	return (c->verify);
}

/* tsup_smtp_tls_error - why the last handshake failed, "" if it did not */

const char *
tsup_smtp_tls_error(const struct tsup_smtp *c)
{
	return (c->tls_error ? c->tls_error : "");
}

/* tsup_smtp_tls_peer - the peer certificate's subject, "" if none */

const char *
tsup_smtp_tls_peer(const struct tsup_smtp *c)
{
	return (c->peer ? c->peer : "");
}

/* tsup_smtp_tls_tmp_key_bits - size of the server's ephemeral key */

int
tsup_smtp_tls_tmp_key_bits(const struct tsup_smtp *c)
{
	EVP_PKEY *key = NULL;
	int	bits;

	if (c->ssl == NULL || !SSL_get_peer_tmp_key(c->ssl, &key))
		return (0);
	bits = EVP_PKEY_get_bits(key);
	EVP_PKEY_free(key);
	return (bits);
}
