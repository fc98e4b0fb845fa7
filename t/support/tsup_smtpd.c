/*
 * NAME
 *	tsup_smtpd - scripted SMTP server: the configurable peer of a test
 * DESCRIPTION
 *	See tsupport.h. The server runs in a child process that the test
 *	forks: the test stays free to block in its own client (or in the
 *	daemon it drives) while the server answers, a misbehaving script
 *	cannot corrupt the test's memory, and tsup_fini() can always kill
 *	it. The listening socket is bound before the fork, so the port is
 *	known and connections queue from the first moment.
 *
 *	The child never calls back into criterion or tsup_fail(): it
 *	writes what happens to its log and ends with _exit(). Its sockets
 *	are blocking with SO_RCVTIMEO/SO_SNDTIMEO set to the read timeout,
 *	so a silent client cannot keep it forever, with or without TLS.
 *
 *	Files, in tsup_tmp_dir()/smtpd-PORT-N/: log (the transcript),
 *	conn-N.raw (every byte received on connection N, decrypted after
 *	STARTTLS), conn-N.msg-M (message M of connection N, as received).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "tsup_int.h"
#include "tsupport.h"

#define TSUPD_LINE_MAX	65536		/* longer lines are cut here */
#define TSUPD_MSG_MAX	(64 * 1024 * 1024)

static unsigned tsup_smtpd_serial;	/* servers started so far */

struct tsup_smtpd {
	pid_t	pid;
	int	port;
	int	exited;
	char   *dir;
	char   *log_path;
	struct buf log;
};

/* One connection, in the child. */
struct tsupd_conn {
	const struct tsup_smtpd_opts *opts;
	SSL_CTX *ctx;			/* NULL: no TLS */
	int    *used;			/* matches per rule */
	int	log_fd;
	const char *dir;
	int	n;			/* connection number, from 1 */
	int	fd;
	int	raw_fd;
	SSL    *ssl;
	struct buf in;			/* received, not yet processed */
	int	msgs;
	int	done;
};

/* tsupd_log - one line of the transcript, in one write */

static void
tsupd_log(struct tsupd_conn *sc, int dir, const char *data, size_t len)
{
	struct buf line;
	size_t	i;
	unsigned char ch;

	buf_init(&line, len + 16);
	buf_printf(&line, "%d %c ", sc->n, dir);
	for (i = 0; i < len; i++) {
		ch = (unsigned char) data[i];
		if (ch == '\\')
			buf_puts(&line, "\\\\");
		else if (ch < 0x20 || ch >= 0x7f)
			buf_printf(&line, "\\x%02x", ch);
		else
			buf_putc(&line, ch);
	}
	buf_putc(&line, '\n');
	(void) write(sc->log_fd, line.data, line.len);
	buf_fini(&line);
}

/* tsupd_event - a "N * text" line */

static void
tsupd_event(struct tsupd_conn *sc, const char *fmt, ...)
{
	struct buf text;
	va_list	ap;

	buf_init(&text, 64);
	va_start(ap, fmt);
	buf_vprintf(&text, fmt, ap);
	va_end(ap);
	tsupd_log(sc, '*', text.data, text.len);
	buf_fini(&text);
}

/* tsupd_ssl_errors - the OpenSSL error queue as text, in the child */

static void
tsupd_ssl_errors(struct buf *out)
{
	unsigned long err;
	char	text[256];

	while ((err = ERR_get_error()) != 0) {
		ERR_error_string_n(err, text, sizeof(text));
		if (out->len)
			buf_puts(out, "; ");
		buf_puts(out, text);
	}
	if (out->len == 0)
		buf_puts(out, "no OpenSSL error");
}

/* tsupd_write - send bytes; -1 when the client is gone */

static int
tsupd_write(struct tsupd_conn *sc, const char *data, size_t len)
{
	ssize_t	n;
	int	ret;

	while (len > 0) {
		if (sc->ssl != NULL) {
			if ((ret = SSL_write(sc->ssl, data, (int) len)) <= 0)
				return (-1);
			n = ret;
		} else if ((n = send(sc->fd, data, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		data += n;
		len -= (size_t) n;
	}
	return (0);
}

/* tsupd_fill - read more: >0 bytes, 0 at EOF, -1 timeout, -2 error */

static int
tsupd_fill(struct tsupd_conn *sc)
{
	char	chunk[8192];
	ssize_t	n;
	int	err;

	for (;;) {
		if (sc->ssl != NULL) {
			ERR_clear_error();
			n = SSL_read(sc->ssl, chunk, sizeof(chunk));
			if (n <= 0) {
				err = SSL_get_error(sc->ssl, (int) n);
				if (err == SSL_ERROR_ZERO_RETURN)
					return (0);
				if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN
				    || errno == EWOULDBLOCK))
					return (-1);
				if (err == SSL_ERROR_SYSCALL && n == 0)
					return (0);
				return (-2);
			}
		} else if ((n = read(sc->fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return (-1);
			return (-2);
		} else if (n == 0) {
			return (0);
		}
		buf_append(&sc->in, chunk, (size_t) n);
		(void) write(sc->raw_fd, chunk, (size_t) n);
		return ((int) n);
	}
}

/* tsupd_fill_or_end - read more; log and end the connection if none */

static int
tsupd_fill_or_end(struct tsupd_conn *sc)
{
	int	ret = tsupd_fill(sc);

	if (ret > 0)
		return (ret);
	if (ret == 0)
		tsupd_event(sc, "EOF");
	else if (ret == -1)
		tsupd_event(sc, "TIMEOUT");
	else
		tsupd_event(sc, "ERROR %s", strerror(errno));
	sc->done = 1;
	return (ret);
}

/* tsupd_match - the first usable rule for a verb, or NULL */

static const struct tsup_smtpd_rule *
tsupd_match(struct tsupd_conn *sc, const char *verb)
{
	const struct tsup_smtpd_rule *r;
	int	i;
	int	pseudo;

	pseudo = strcmp(verb, "CONNECT") == 0 || strcmp(verb, "DOT") == 0;
	if (sc->opts->rules == NULL)
		return (NULL);
	for (i = 0; (r = sc->opts->rules + i)->verb != NULL; i++) {
		if (strcasecmp(r->verb, verb) != 0
		    && (strcmp(r->verb, "*") != 0 || pseudo))
			continue;
		if (r->conn != 0 && r->conn != sc->n)
			continue;
		/* Atomic: concurrent connections share the counters. */
		if (__atomic_fetch_add(&sc->used[i], 1, __ATOMIC_SEQ_CST)
		    >= r->times && r->times != 0)
			continue;
		return (r);
	}
	return (NULL);
}

/* tsupd_default - the reply a plain receiver gives to verb */

static void
tsupd_default(struct tsupd_conn *sc, const char *verb, struct buf *out)
{
	static const char *const caps[] = {"PIPELINING", "SIZE 10240000",
	"8BITMIME", "ENHANCEDSTATUSCODES", NULL};
	const struct tsup_smtpd_opts *o = sc->opts;
	const char *host = o->hostname ? o->hostname : "tsup.test";
	const char *const *cap;
	size_t	last;
	int	starttls;

	starttls = sc->ctx != NULL && sc->ssl == NULL && !o->no_starttls;
	if (strcmp(verb, "CONNECT") == 0)
		buf_printf(out, "220 %s ESMTP tsup", host);
	else if (strcmp(verb, "EHLO") == 0) {
		buf_printf(out, "250-%s", host);
		last = 0;
		for (cap = o->ehlo_caps ? o->ehlo_caps : caps; *cap; cap++) {
			last = out->len + 1;
			buf_printf(out, "\n250-%s", *cap);
		}
		if (starttls) {
			last = out->len + 1;
			buf_puts(out, "\n250-STARTTLS");
		}
		/* The last line takes a space after the code. */
		out->data[last + 3] = ' ';
	} else if (strcmp(verb, "HELO") == 0)
		buf_printf(out, "250 %s", host);
	else if (strcmp(verb, "MAIL") == 0)
		buf_puts(out, "250 2.1.0 Ok");
	else if (strcmp(verb, "RCPT") == 0)
		buf_puts(out, "250 2.1.5 Ok");
	else if (strcmp(verb, "DATA") == 0)
		buf_puts(out, "354 End data with <CR><LF>.<CR><LF>");
	else if (strcmp(verb, "DOT") == 0)
		buf_printf(out, "250 2.0.0 Ok: queued as TSUP%dM%d", sc->n,
		    sc->msgs);
	else if (strcmp(verb, "RSET") == 0 || strcmp(verb, "NOOP") == 0)
		buf_puts(out, "250 2.0.0 Ok");
	else if (strcmp(verb, "QUIT") == 0)
		buf_puts(out, "221 2.0.0 Bye");
	else if (strcmp(verb, "VRFY") == 0)
		buf_puts(out, "252 2.0.0 Cannot VRFY user");
	else if (strcmp(verb, "STARTTLS") == 0) {
		if (sc->ssl != NULL)
			buf_puts(out, "503 5.5.1 TLS already active");
		else if (sc->ctx == NULL || o->no_starttls)
			buf_puts(out, "502 5.5.1 STARTTLS not available");
		else
			buf_puts(out, "220 2.0.0 Ready to start TLS");
	} else
		buf_puts(out, "500 5.5.2 Command unrecognized");
}

/* tsupd_reply - send a reply (lines with CRLF, or raw); -1 if gone */

static int
tsupd_reply(struct tsupd_conn *sc, const char *text, int flags)
{
	struct buf wire;
	const char *cp;
	const char *nl;
	size_t	len;
	int	ret;

	if (text == NULL || *text == 0)
		return (0);
	buf_init(&wire, strlen(text) + 8);
	if (flags & TSUP_SMTPD_RAW) {
		buf_puts(&wire, text);
		tsupd_log(sc, '>', wire.data, wire.len);
	} else {
		for (cp = text; *cp; cp = *nl ? nl + 1 : nl) {
			if ((nl = strchr(cp, '\n')) == NULL)
				nl = cp + strlen(cp);
			len = (size_t) (nl - cp);
			if (len > 0 && cp[len - 1] == '\r')
				len--;
			tsupd_log(sc, '>', cp, len);
			buf_append(&wire, cp, len);
			buf_puts(&wire, "\r\n");
		}
	}
	ret = tsupd_write(sc, wire.data, wire.len);
	buf_fini(&wire);
	if (ret == -1) {
		tsupd_event(sc, "ERROR write: %s", strerror(errno));
		sc->done = 1;
	}
	return (ret);
}

/* tsupd_tls - server handshake on the connection */

static void
tsupd_tls(struct tsupd_conn *sc)
{
	struct buf err;
	X509   *peer;
	const char *sni;
	char	name[512];
	long	verify;

	if (sc->in.len > 0) {
		/* Plain text pipelined behind STARTTLS never counts. */
		tsupd_event(sc, "DISCARD %zu", sc->in.len);
		buf_reset(&sc->in);
	}
	if (sc->ctx == NULL) {
		tsupd_event(sc, "TLSFAIL no certificate configured");
		sc->done = 1;
		return;
	}
	ERR_clear_error();
	if ((sc->ssl = SSL_new(sc->ctx)) == NULL
	    || !SSL_set_fd(sc->ssl, sc->fd) || SSL_accept(sc->ssl) != 1) {
		buf_init(&err, 256);
		tsupd_ssl_errors(&err);
		tsupd_event(sc, "TLSFAIL %s", err.data);
		buf_fini(&err);
		if (sc->ssl != NULL)
			SSL_free(sc->ssl);
		sc->ssl = NULL;
		sc->done = 1;
		return;
	}
	tsupd_event(sc, "TLS %s %s", SSL_get_version(sc->ssl),
	    SSL_get_cipher_name(sc->ssl));
	if ((sni = SSL_get_servername(sc->ssl, TLSEXT_NAMETYPE_host_name))
	    != NULL)
		tsupd_event(sc, "SNI %s", sni);
	if ((peer = SSL_get0_peer_certificate(sc->ssl)) != NULL) {
		X509_NAME_oneline(X509_get_subject_name(peer), name,
		    sizeof(name));
		verify = SSL_get_verify_result(sc->ssl);
		tsupd_event(sc, "TLSPEER %s verify %ld", name, verify);
	}
}

/* tsupd_data - read a message up to CRLF.CRLF and store it */

static void
tsupd_data(struct tsupd_conn *sc)
{
	struct buf msg;
	const char *end;
	char   *path;
	int	fd;
	size_t	len;
	size_t	from;

	/* Search with a virtual CRLF in front: ".\r\n" at once ends too. */
	buf_init(&msg, 4096);
	buf_puts(&msg, "\r\n");
	buf_append(&msg, sc->in.data, sc->in.len);
	buf_reset(&sc->in);
	from = 0;
	while ((end = memmem(msg.data + from, msg.len - from, "\r\n.\r\n",
	    5)) == NULL) {
		/* Resume where a terminator split across reads could begin. */
		from = msg.len > 4 ? msg.len - 4 : 0;
		if (msg.len > TSUPD_MSG_MAX) {
			tsupd_event(sc, "ERROR message over %d bytes",
			    TSUPD_MSG_MAX);
			sc->done = 1;
			break;
		}
		if (tsupd_fill_or_end(sc) <= 0)
			break;
		buf_append(&msg, sc->in.data, sc->in.len);
		buf_reset(&sc->in);
	}
	if (end == NULL) {
		buf_fini(&msg);
		return;
	}
	len = (size_t) (end - msg.data);
	/* What follows the dot is the next command, pipelined. */
	buf_append(&sc->in, end + 5, msg.len - len - 5);
	sc->msgs++;
	tsupd_event(sc, "DATA %zu", len);
	path = mem_strdup(tsup_strf("%s/conn-%d.msg-%d", sc->dir, sc->n,
	    sc->msgs));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) != -1) {
		(void) write(fd, msg.data + 2, len);
		(void) close(fd);
	}
	mem_free(path);
	buf_fini(&msg);
}

/* tsupd_act - reply to one verb per the rules, then do the action */

static void
tsupd_act(struct tsupd_conn *sc, const char *verb)
{
	const struct tsup_smtpd_rule *r = tsupd_match(sc, verb);
	int	action = r ? r->action : TSUP_SMTPD_DEFAULT;
	struct buf text;
	const char *reply;
	struct linger lg;

	buf_init(&text, 256);
	if (r != NULL && r->reply != NULL)
		reply = r->reply;
	else if (action == TSUP_SMTPD_DEFAULT || action == TSUP_SMTPD_TLS) {
		tsupd_default(sc, verb, &text);
		reply = text.data;
	} else
		reply = NULL;

	switch (action) {
	case TSUP_SMTPD_RESET:
		tsupd_event(sc, "RESET");
		lg.l_onoff = 1;
		lg.l_linger = 0;
		(void) setsockopt(sc->fd, SOL_SOCKET, SO_LINGER, &lg,
		    sizeof(lg));
		sc->done = 1;
		break;
	case TSUP_SMTPD_CLOSE:
		(void) tsupd_reply(sc, reply, r->flags);
		tsupd_event(sc, "CLOSE");
		sc->done = 1;
		break;
	case TSUP_SMTPD_HOLD:
		if (tsupd_reply(sc, reply, r->flags) == -1)
			break;
		tsupd_event(sc, "HOLD");
		while (tsupd_fill_or_end(sc) > 0)
			buf_reset(&sc->in);
		break;
	case TSUP_SMTPD_TLS:
		if (tsupd_reply(sc, reply, r->flags) == 0)
			tsupd_tls(sc);
		break;
	default:
		if (tsupd_reply(sc, reply, r ? r->flags : 0) == -1)
			break;
		if (strcmp(verb, "DATA") == 0 && strncmp(reply, "354", 3) == 0)
			tsupd_data(sc);
		else if (strcmp(verb, "STARTTLS") == 0
		    && strncmp(reply, "220", 3) == 0)
			tsupd_tls(sc);
		else if (strcmp(verb, "QUIT") == 0) {
			tsupd_event(sc, "CLOSE");
			sc->done = 1;
		}
		if (strcmp(verb, "DATA") == 0 && !sc->done
		    && strncmp(reply, "354", 3) == 0)
			tsupd_act(sc, "DOT");
		break;
	}
	buf_fini(&text);
}

/* tsupd_command - take one command line off the input and answer it */

static void
tsupd_command(struct tsupd_conn *sc)
{
	char	verb[32];
	const char *nl;
	size_t	len;
	size_t	shown;
	size_t	i;

	while ((nl = memchr(sc->in.data, '\n', sc->in.len)) == NULL
	    && sc->in.len < TSUPD_LINE_MAX) {
		if (tsupd_fill_or_end(sc) <= 0)
			return;
	}
	len = nl ? (size_t) (nl - sc->in.data) + 1 : sc->in.len;
	/* Log without the CRLF (a bare LF or CR shows as \x0a, \x0d). */
	shown = len;
	if (nl != NULL && shown >= 2 && sc->in.data[shown - 2] == '\r')
		shown -= 2;
	tsupd_log(sc, '<', sc->in.data, shown);
	for (i = 0; i < len && i < sizeof(verb) - 1
	    && isalpha((unsigned char) sc->in.data[i]); i++)
		verb[i] = (char) toupper((unsigned char) sc->in.data[i]);
	verb[i] = 0;
	buf_consume(&sc->in, len);
	tsupd_act(sc, verb);
}

/* tsupd_serve - one connection, from greeting to close */

static void
tsupd_serve(struct tsupd_conn *sc)
{
	struct timeval tv;
	int	ms = tsup_timeout(sc->opts->timeout_ms);
	char   *path;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	(void) setsockopt(sc->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void) setsockopt(sc->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	path = mem_strdup(tsup_strf("%s/conn-%d.raw", sc->dir, sc->n));
	sc->raw_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600);
	mem_free(path);
	buf_init(&sc->in, 4096);
	tsupd_event(sc, "CONNECT");
	if (sc->opts->implicit_tls)
		tsupd_tls(sc);
	if (!sc->done)
		tsupd_act(sc, "CONNECT");
	while (!sc->done)
		tsupd_command(sc);
	if (sc->ssl != NULL) {
		(void) SSL_shutdown(sc->ssl);
		SSL_free(sc->ssl);
		sc->ssl = NULL;
	}
	(void) close(sc->fd);
	if (sc->raw_fd != -1)
		(void) close(sc->raw_fd);
	buf_fini(&sc->in);
}

/* tsupd_main - the child: accept and serve; never returns */

static void
tsupd_main(int listen_fd, SSL_CTX *ctx, const struct tsup_smtpd_opts *o,
    const char *dir, const char *log_path, pid_t parent)
{
	struct tsupd_conn sc;
	int	nrules = 0;
	int	log_fd;
	int	n;
	int	fd;
	pid_t	server;

	/* A group of its own: the connections it forks die with it. */
	(void) setpgid(0, 0);
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	(void) signal(SIGPIPE, SIG_IGN);
	if ((log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND
	    | O_CLOEXEC, 0600)) == -1)
		_exit(1);
	while (o->rules && o->rules[nrules].verb)
		nrules++;
	memset(&sc, 0, sizeof(sc));
	sc.opts = o;
	sc.ctx = ctx;
	/* Shared, so that "times" counts across concurrent connections. */
	sc.used = mmap(NULL, ((size_t) nrules + 1) * sizeof(int),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sc.used == MAP_FAILED)
		_exit(1);
	sc.log_fd = log_fd;
	sc.dir = dir;
	server = getpid();
	for (n = 1; o->max_conns == 0 || n <= o->max_conns; n++) {
		while ((fd = accept4(listen_fd, NULL, NULL,
		    SOCK_CLOEXEC)) == -1)
			if (errno != EINTR && errno != ECONNABORTED)
				_exit(1);
		sc.n = n;
		sc.fd = fd;
		sc.done = 0;
		sc.msgs = 0;
		if (!o->concurrent) {
			tsupd_serve(&sc);
			continue;
		}
		switch (fork()) {
		case -1:
			_exit(1);
		case 0:
			(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != server)
				_exit(1);
			(void) close(listen_fd);
			tsupd_serve(&sc);
			_exit(0);
		}
		(void) close(fd);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			continue;
	}
	/* The last connections may still be in progress. */
	while (wait(NULL) != -1 || errno == EINTR)
		continue;
	_exit(0);
}

/* tsup_smtpd_release - tsup_fini(): kill the server, free */

static void
tsup_smtpd_release(void *ptr)
{
	struct tsup_smtpd *s = ptr;

	if (!s->exited) {
		(void) killpg(s->pid, SIGKILL);
		(void) waitpid(s->pid, NULL, 0);
	}
	mem_free(s->dir);
	mem_free(s->log_path);
	buf_fini(&s->log);
	mem_free(s);
}

/* tsup_smtpd_start - start a scripted server on a free port */

struct tsup_smtpd *
tsup_smtpd_start(const struct tsup_smtpd_opts *opts)
{
	static const struct tsup_smtpd_opts none;
	const struct tsup_smtpd_opts *o = opts ? opts : &none;
	struct tsup_smtpd *s;
	SSL_CTX *ctx = NULL;
	const struct tsup_smtpd_rule *r;
	pid_t	parent = getpid();
	int	listen_fd;

	for (r = o->rules; r && r->verb; r++) {
		if (r->action < TSUP_SMTPD_DEFAULT
		    || r->action > TSUP_SMTPD_TLS)
			tsup_fail("tsup_smtpd rule %s: unknown action %d",
			    r->verb, r->action);
		if (r->conn < 0 || r->times < 0)
			tsup_fail("tsup_smtpd rule %s: negative conn or times",
			    r->verb);
	}
	if (o->tls.cert_file != NULL)
		ctx = tsup_tls_server_ctx(&o->tls);
	else if (o->implicit_tls)
		tsup_fail("tsup_smtpd: implicit_tls needs tls.cert_file");
	s = mem_zalloc(1, sizeof(*s));
	buf_init(&s->log, 1024);
	listen_fd = tsup_port_listen(&s->port);
	/* A port may come back in a later server: the serial keeps apart. */
	s->dir = mem_strdup(tsup_tmp_path("smtpd-%d-%u", s->port,
	    ++tsup_smtpd_serial));
	s->log_path = mem_strdup(tsup_strf("%s/log", s->dir));
	if (mkdir(s->dir, 0700) == -1)
		tsup_fail("mkdir %s: %s", s->dir, strerror(errno));
	(void) close(open(s->log_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	switch (s->pid = fork()) {
	case -1:
		tsup_fail("fork: %s", strerror(errno));
	case 0:
		tsupd_main(listen_fd, ctx, o, s->dir, s->log_path, parent);
	}
	(void) setpgid(s->pid, s->pid);
	tsup_track(s, tsup_smtpd_release);
	tsup_note("scripted SMTP server on 127.0.0.1:%d, pid %ld, files in %s",
	    s->port, (long) s->pid, s->dir);
	(void) close(listen_fd);
	if (ctx != NULL)
		SSL_CTX_free(ctx);
	return (s);
}

/* tsup_smtpd_port - the port the server listens on */

int
tsup_smtpd_port(const struct tsup_smtpd *s)
{
	return (s->port);
}

/* tsup_smtpd_wait - wait for the server to finish its connections */

int
tsup_smtpd_wait(struct tsup_smtpd *s, int timeout_ms)
{
	long long deadline = tsup_now_ms() + tsup_timeout(timeout_ms);
	int	status;

	while (!s->exited) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->exited = 1;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				tsup_fail("tsup_smtpd on port %d ended with "
				    "wait status 0x%x; log:\n%s", s->port,
				    status, tsup_smtpd_log(s));
			break;
		}
		if (tsup_now_ms() >= deadline)
			return (-1);
		tsup_sleep_ms(5);
	}
	return (0);
}

/* tsup_smtpd_stop - kill the server now */

void
tsup_smtpd_stop(struct tsup_smtpd *s)
{
	if (!s->exited) {
		(void) killpg(s->pid, SIGKILL);
		(void) waitpid(s->pid, NULL, 0);
		s->exited = 1;
	}
}

/* tsup_smtpd_log - the transcript so far */

const char *
tsup_smtpd_log(struct tsup_smtpd *s)
{
	buf_reset(&s->log);
	tsup_tmp_read(s->log_path, &s->log);
	return (s->log.data);
}

/* tsup_smtpd_conns - connections accepted so far */

int
tsup_smtpd_conns(struct tsup_smtpd *s)
{
	const char *cp;
	const char *sp;
	int	count = 0;

	for (cp = tsup_smtpd_log(s); (sp = strstr(cp, " * CONNECT\n")) != NULL;
	    cp = sp + 11) {
		/* Only at the start of a line, after the number. */
		while (sp > cp && isdigit((unsigned char) sp[-1]))
			sp--;
		if (sp == s->log.data || sp[-1] == '\n')
			count++;
		sp = strstr(sp, " * CONNECT\n");
	}
	return (count);
}

/* tsup_smtpd_file - append a file of the server, if it exists */

static int
tsup_smtpd_file(const char *path, struct buf *out)
{
	if (access(path, F_OK) == -1)
		return (-1);
	tsup_tmp_read(path, out);
	return (0);
}

/* tsup_smtpd_raw - every byte received on connection conn */

int
tsup_smtpd_raw(struct tsup_smtpd *s, int conn, struct buf *out)
{
	return (tsup_smtpd_file(tsup_strf("%s/conn-%d.raw", s->dir, conn),
	    out));
}

/* tsup_smtpd_message - message n of connection conn, as received */

int
tsup_smtpd_message(struct tsup_smtpd *s, int conn, int n, struct buf *out)
{
	return (tsup_smtpd_file(tsup_strf("%s/conn-%d.msg-%d", s->dir, conn,
	    n), out));
}
