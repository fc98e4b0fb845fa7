/*
 * NAME
 *	lab_peer - SMTP peers with chosen TLS behaviours, for the TLS lab
 * DESCRIPTION
 *	See lab_peer.h. Both ends are plain blocking code on one socket
 *	each: the server forks a process per connection (a lab sees a few
 *	dozen), and every socket has send and receive timeouts, so a
 *	silent partner ends a session instead of hanging it. A line
 *	longer than the buffer is cut, which is enough for a test peer.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "mem.h"

#include "lab_peer.h"

#define LAB_LINE_MAX	1024
#define LAB_PEER_IDLE_MS 30000

struct lab_peer {
	pid_t	pid;			/* the server, leader of its group */
	int	port;
};

/* A line-oriented connection, in clear or over TLS. */
struct lab_conn {
	int	fd;
	SSL    *ssl;
	char	in[4096];
	size_t	len;
	struct buf *log;		/* the client's transcript, or NULL */
};

/* lab_ossl_reason - OpenSSL's first queued reason, or the errno text */

static void
lab_ossl_reason(char *out, size_t size, const char *what)
{
	unsigned long e = ERR_peek_error();
	char	text[200];

	if (e) {
		ERR_error_string_n(e, text, sizeof(text));
		ERR_clear_error();
	} else
		(void) snprintf(text, sizeof(text), "%s", errno ?
		    strerror(errno) : "connection closed");
	(void) snprintf(out, size, "%s: %s", what, text);
}

/* lab_tls_ctx - a context for one end, from struct lab_tls */

static SSL_CTX *
lab_tls_ctx(const struct lab_tls *tls, int server, struct buf *err)
{
	SSL_CTX *ctx;
	EVP_PKEY *dh;
	BIO    *bio;
	char	why[256];

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL) {
		lab_ossl_reason(why, sizeof(why), "SSL_CTX_new");
		buf_puts(err, why);
		return (NULL);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* Legacy peers need what modern defaults forbid. */
	SSL_CTX_set_security_level(ctx, 0);
	if ((tls->min_version
	    && !SSL_CTX_set_min_proto_version(ctx, tls->min_version))
	    || (tls->max_version
	    && !SSL_CTX_set_max_proto_version(ctx, tls->max_version))
	    || (tls->ciphers
	    && !SSL_CTX_set_cipher_list(ctx, tls->ciphers))
	    || (tls->cert
	    && !SSL_CTX_use_certificate_chain_file(ctx, tls->cert))
	    || (tls->key
	    && !SSL_CTX_use_PrivateKey_file(ctx, tls->key, SSL_FILETYPE_PEM))) {
		lab_ossl_reason(why, sizeof(why), tls->cert ? tls->cert :
		    "TLS settings");
		buf_puts(err, why);
		SSL_CTX_free(ctx);
		return (NULL);
	}
	if (server && tls->dh_file) {
		dh = NULL;
		if ((bio = BIO_new_file(tls->dh_file, "r")) != NULL) {
			dh = PEM_read_bio_Parameters(bio, NULL);
			BIO_free(bio);
		}
		SSL_CTX_set_dh_auto(ctx, 0);
		if (dh == NULL || !SSL_CTX_set0_tmp_dh_pkey(ctx, dh)) {
			EVP_PKEY_free(dh);
			lab_ossl_reason(why, sizeof(why), tls->dh_file);
			buf_puts(err, why);
			SSL_CTX_free(ctx);
			return (NULL);
		}
	}
	return (ctx);
}

/* lab_timeouts - bound every send and receive on fd */

static void
lab_timeouts(int fd, unsigned ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	(void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* lab_conn_write - send all of text */

static int
lab_conn_write(struct lab_conn *c, const char *text, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if (c->ssl)
			n = SSL_write(c->ssl, text, (int) len);
		else
			n = write(c->fd, text, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR && c->ssl == NULL)
				continue;
			return (-1);
		}
		text += n;
		len -= (size_t) n;
	}
	return (0);
}

/* lab_conn_line - send one line with CRLF, recorded as ">>> line" */

static int
lab_conn_line(struct lab_conn *c, const char *line)
{
	struct buf out;
	int	ret;

	if (c->log)
		buf_printf(c->log, ">>> %s\n", line);
	buf_init(&out, 0);
	buf_printf(&out, "%s\r\n", line);
	ret = lab_conn_write(c, out.data, out.len);
	buf_fini(&out);
	return (ret);
}

/* lab_conn_read - one line without its line end; -1 at EOF or error */

static int
lab_conn_read(struct lab_conn *c, char *line, size_t size)
{
	char   *nl;
	size_t	n;
	ssize_t	got;

	for (;;) {
		if ((nl = memchr(c->in, '\n', c->len)) != NULL
		    || c->len == sizeof(c->in)) {
			n = nl ? (size_t) (nl - c->in) + 1 : c->len;
			(void) snprintf(line, size, "%.*s", (int) n, c->in);
			line[strcspn(line, "\r\n")] = 0;
			memmove(c->in, c->in + n, c->len - n);
			c->len -= n;
			return (0);
		}
		if (c->ssl)
			got = SSL_read(c->ssl, c->in + c->len,
			    (int) (sizeof(c->in) - c->len));
		else
			got = read(c->fd, c->in + c->len,
			    sizeof(c->in) - c->len);
		if (got < 0 && errno == EINTR && c->ssl == NULL)
			continue;
		if (got <= 0)
			return (-1);
		c->len += (size_t) got;
	}
}

/* lab_peer_reply - send a reply line */

static int
lab_peer_reply(struct lab_conn *c, const char *text)
{
	return (lab_conn_line(c, text));
}

/* lab_peer_store - keep an accepted message where the lab can read it */

static void
lab_peer_store(const char *spool, const char *rcpt, const struct lab_conn *c,
    const struct buf *body)
{
	struct buf path;
	FILE   *fp;
	size_t	i;

	if (spool == NULL || rcpt[0] == 0)
		return;
	buf_init(&path, 0);
	buf_printf(&path, "%s/", spool);
	for (i = 0; rcpt[i] && i < 200; i++)
		buf_putc(&path, isalnum((unsigned char) rcpt[i])
		    || strchr("@.-_", rcpt[i]) ? rcpt[i] : '_');
	if ((fp = fopen(path.data, "w")) != NULL) {
		if (c->ssl)
			(void) fprintf(fp, "tls: %s %s\n",
			    SSL_get_version(c->ssl), SSL_CIPHER_get_name(
			    SSL_get_current_cipher(c->ssl)));
		else
			(void) fprintf(fp, "tls: no\n");
		if (body->len)
			(void) fwrite(body->data, 1, body->len, fp);
		(void) fclose(fp);
	}
	buf_fini(&path);
}

/* lab_peer_transcript - keep a session's dialogue, named by its EHLO */

static void
lab_peer_transcript(const char *spool, const char *helo,
    const struct buf *log)
{
	struct buf path, tmp;
	FILE   *fp;
	size_t	i;

	if (spool == NULL)
		return;
	buf_init(&path, 0);
	buf_printf(&path, "%s/session-", spool);
	for (i = 0; helo[i] && i < 100; i++)
		buf_putc(&path, isalnum((unsigned char) helo[i])
		    || strchr(".-_", helo[i]) ? helo[i] : '_');
	buf_printf(&path, "%s-%ld.txt", i ? "" : "unknown", (long) getpid());
	buf_init(&tmp, 0);
	buf_printf(&tmp, "%s/.tmp-%ld", spool, (long) getpid());
	/* Renamed into place: a reader sees all of it or nothing. */
	if ((fp = fopen(tmp.data, "w")) != NULL) {
		if (log->len)
			(void) fwrite(log->data, 1, log->len, fp);
		if (fclose(fp) == 0)
			(void) rename(tmp.data, path.data);
	}
	buf_fini(&path);
	buf_fini(&tmp);
}

/* lab_peer_session - serve one connection, then exit */

static void
lab_peer_session(int fd, SSL_CTX *ctx, enum lab_peer_mode mode,
    const char *spool)
{
	struct lab_conn c;
	char	line[LAB_LINE_MAX];
	char	rcpt[256] = "";
	char	helo[128] = "";
	char	why[256];
	struct buf body;
	struct buf log;
	int	in_data = 0;
	int	offer;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	buf_init(&body, 0);
	buf_init(&log, 0);
	c.log = &log;
	lab_timeouts(fd, LAB_PEER_IDLE_MS);
	if (lab_peer_reply(&c, "220 peer.lab ESMTP mtad lab peer") != 0)
		_exit(0);
	while (lab_conn_read(&c, line, sizeof(line)) == 0) {
		if (in_data) {
			if (strcmp(line, ".") == 0) {
				in_data = 0;
				buf_printf(&log, "<<< (message, %zu octets)\n",
				    body.len);
				lab_peer_store(spool, rcpt, &c, &body);
				buf_reset(&body);
				(void) lab_peer_reply(&c,
				    "250 2.0.0 Ok: queued as LAB");
			} else
				buf_printf(&body, "%s\n", line[0] == '.' ?
				    line + 1 : line);
			continue;
		}
		buf_printf(&log, "<<< %s\n", line);
		if (strncasecmp(line, "EHLO ", 5) == 0) {
			if (helo[0] == 0)
				(void) snprintf(helo, sizeof(helo), "%.*s",
				    (int) sizeof(helo) - 1, line + 5);
			offer = c.ssl == NULL && mode != LAB_PEER_NOSTARTTLS;
			(void) lab_peer_reply(&c, "250-peer.lab");
			if (offer)
				(void) lab_peer_reply(&c, "250-STARTTLS");
			(void) lab_peer_reply(&c, "250-PIPELINING");
			(void) lab_peer_reply(&c, "250 8BITMIME");
		} else if (strncasecmp(line, "HELO", 4) == 0) {
			(void) lab_peer_reply(&c, "250 peer.lab");
		} else if (strcasecmp(line, "STARTTLS") == 0 && c.ssl == NULL
		    && mode != LAB_PEER_NOSTARTTLS) {
			if (mode == LAB_PEER_REFUSE) {
				(void) lab_peer_reply(&c, "454 4.7.0 TLS not "
				    "available due to local problem");
				continue;
			}
			(void) lab_peer_reply(&c,
			    "220 2.0.0 Ready to start TLS");
			if (mode == LAB_PEER_HANGUP) {
				buf_puts(&log, "*** closing instead of the "
				    "handshake\n");
				break;
			}
			c.len = 0;	/* nothing said in clear counts */
			if ((c.ssl = SSL_new(ctx)) == NULL
			    || !SSL_set_fd(c.ssl, fd)
			    || SSL_accept(c.ssl) != 1) {
				lab_ossl_reason(why, sizeof(why),
				    "TLS handshake");
				buf_printf(&log, "*** %s\n", why);
				SSL_free(c.ssl);
				c.ssl = NULL;
				break;
			}
			buf_printf(&log, "*** TLS established: %s %s\n",
			    SSL_get_version(c.ssl), SSL_CIPHER_get_name(
			    SSL_get_current_cipher(c.ssl)));
			rcpt[0] = 0;
		} else if (strncasecmp(line, "MAIL", 4) == 0) {
			rcpt[0] = 0;
			(void) lab_peer_reply(&c, "250 2.1.0 Ok");
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			if (rcpt[0] == 0)
				(void) snprintf(rcpt, sizeof(rcpt), "%.*s",
				    (int) strcspn(line + 8 + (line[8] == '<'),
				    "> "), line + 8 + (line[8] == '<'));
			(void) lab_peer_reply(&c, "250 2.1.5 Ok");
		} else if (strcasecmp(line, "DATA") == 0) {
			in_data = 1;
			(void) lab_peer_reply(&c, "354 End data with .");
		} else if (strcasecmp(line, "RSET") == 0
		    || strcasecmp(line, "NOOP") == 0) {
			(void) lab_peer_reply(&c, "250 2.0.0 Ok");
		} else if (strcasecmp(line, "QUIT") == 0) {
			(void) lab_peer_reply(&c, "221 2.0.0 Bye");
			break;
		} else
			(void) lab_peer_reply(&c, "502 5.5.2 Command not "
			    "recognized");
	}
	if (c.ssl) {
		(void) SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	(void) close(fd);
	lab_peer_transcript(spool, helo, &log);
	buf_fini(&body);
	buf_fini(&log);
	_exit(0);
}

/* lab_peer_serve - accept forever (the server process) */

static void
lab_peer_serve(int lfd, SSL_CTX *ctx, enum lab_peer_mode mode,
    const char *spool)
{
	int	fd;
	pid_t	pid;

	(void) signal(SIGCHLD, SIG_IGN);	/* sessions reap themselves */
	(void) signal(SIGPIPE, SIG_IGN);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		if ((pid = fork()) == 0) {
			(void) close(lfd);
			lab_peer_session(fd, ctx, mode, spool);
		}
		(void) close(fd);
	}
}

/* lab_listen - a listening socket on 127.0.0.1, kernel-chosen port */

static int
lab_listen(int *port, struct buf *err)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int	fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1
	    || bind(fd, (struct sockaddr *) &sin, sizeof(sin)) == -1
	    || listen(fd, 64) == -1
	    || getsockname(fd, (struct sockaddr *) &sin, &len) == -1) {
		buf_printf(err, "listen on 127.0.0.1: %s", strerror(errno));
		if (fd != -1)
			(void) close(fd);
		return (-1);
	}
	*port = ntohs(sin.sin_port);
	return (fd);
}

/* lab_peer_start - fork a receiving server */

struct lab_peer *
lab_peer_start(const struct lab_tls *tls, enum lab_peer_mode mode,
    const char *spool, struct buf *err)
{
	struct lab_peer *lp;
	SSL_CTX *ctx = NULL;
	int	lfd;
	int	port;
	pid_t	pid;

	if (mode != LAB_PEER_NOSTARTTLS && mode != LAB_PEER_REFUSE
	    && (ctx = lab_tls_ctx(tls, 1, err)) == NULL)
		return (NULL);
	if ((lfd = lab_listen(&port, err)) == -1) {
		SSL_CTX_free(ctx);
		return (NULL);
	}
	(void) fflush(NULL);
	if ((pid = fork()) == -1) {
		buf_printf(err, "fork: %s", strerror(errno));
		(void) close(lfd);
		SSL_CTX_free(ctx);
		return (NULL);
	}
	if (pid == 0) {
		(void) setpgid(0, 0);
		lab_peer_serve(lfd, ctx, mode, spool);
	}
	(void) setpgid(pid, pid);	/* either side may win the race */
	(void) close(lfd);
	SSL_CTX_free(ctx);
	lp = mem_zalloc(1, sizeof(*lp));
	lp->pid = pid;
	lp->port = port;
	return (lp);
}

/* lab_peer_port - where the server listens */

int
lab_peer_port(const struct lab_peer *lp)
{
	return (lp->port);
}

/* lab_peer_stop - end the server and its sessions */

struct lab_peer *
lab_peer_stop(struct lab_peer *lp)
{
	if (lp == NULL)
		return (NULL);
	(void) kill(-lp->pid, SIGKILL);
	(void) waitpid(lp->pid, NULL, 0);
	return (mem_free(lp));
}

/* lab_client_reply - read a whole reply; its code, or -1 */

static int
lab_client_reply(struct lab_conn *c, struct lab_client_result *res,
    int *starttls)
{
	char	line[LAB_LINE_MAX];

	for (;;) {
		if (lab_conn_read(c, line, sizeof(line)) != 0) {
			if (res->error[0] == 0)
				lab_ossl_reason(res->error, sizeof(res->error),
				    "reading the reply");
			return (-1);
		}
		buf_printf(c->log, "<<< %s\n", line);
		(void) snprintf(res->last_reply, sizeof(res->last_reply),
		    "%.*s", (int) sizeof(res->last_reply) - 1, line);
		if (starttls && strlen(line) > 4
		    && strcasecmp(line + 4, "STARTTLS") == 0)
			*starttls = 1;
		if (strlen(line) < 3 || !isdigit((unsigned char) line[0])
		    || !isdigit((unsigned char) line[1])
		    || !isdigit((unsigned char) line[2]))
			return (-1);
		if (line[3] != '-') {
			res->last_code = atoi(line);
			return (res->last_code);
		}
	}
}

/* lab_client_cmd - send a command, read its reply, want a code class */

static int
lab_client_cmd(struct lab_conn *c, struct lab_client_result *res,
    const char *cmd, int want)
{
	if (lab_conn_line(c, cmd) != 0) {
		lab_ossl_reason(res->error, sizeof(res->error), "sending");
		return (-1);
	}
	return (lab_client_reply(c, res, NULL) == want ? 0 : -1);
}

/* lab_client_tls - STARTTLS handshake on the connection */

static int
lab_client_tls(struct lab_conn *c, const struct lab_client *lc,
    struct lab_client_result *res)
{
	struct buf err;
	SSL_CTX *ctx;

	buf_init(&err, 0);
	if ((ctx = lab_tls_ctx(&lc->tls, 0, &err)) == NULL) {
		(void) snprintf(res->error, sizeof(res->error), "%s", err.data);
		buf_fini(&err);
		return (-1);
	}
	buf_fini(&err);
	c->len = 0;
	c->ssl = SSL_new(ctx);
	SSL_CTX_free(ctx);
	if (c->ssl == NULL || !SSL_set_fd(c->ssl, c->fd)
	    || SSL_connect(c->ssl) != 1) {
		lab_ossl_reason(res->error, sizeof(res->error),
		    "TLS handshake");
		buf_printf(c->log, "*** %s\n", res->error);
		return (-1);
	}
	res->tls = 1;
	(void) snprintf(res->protocol, sizeof(res->protocol), "%s",
	    SSL_get_version(c->ssl));
	(void) snprintf(res->cipher, sizeof(res->cipher), "%s",
	    SSL_CIPHER_get_name(SSL_get_current_cipher(c->ssl)));
	buf_printf(c->log, "*** TLS established: %s %s\n", res->protocol,
	    res->cipher);
	return (0);
}

/* lab_client_send - send one message */

int
lab_client_send(const struct lab_client *lc, struct lab_client_result *res)
{
	struct lab_conn c;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct buf cmd;
	const char *q;
	int	offered = 0;
	int	ret = -1;
	int	code;

	memset(res, 0, sizeof(*res));
	res->transcript = buf_new(0);
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.log = res->transcript;
	buf_init(&cmd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short) lc->port);
	if ((c.fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		lab_ossl_reason(res->error, sizeof(res->error), "socket");
		goto out;
	}
	lab_timeouts(c.fd, lc->timeout_ms ? lc->timeout_ms : 30000);
	if (connect(c.fd, (struct sockaddr *) &sin, sizeof(sin)) == -1) {
		lab_ossl_reason(res->error, sizeof(res->error), "connect");
		goto out;
	}
	if (getsockname(c.fd, (struct sockaddr *) &sin, &len) == 0)
		res->local_port = ntohs(sin.sin_port);
	if (lab_client_reply(&c, res, NULL) != 220)
		goto out;
	buf_printf(&cmd, "EHLO %s", lc->helo ? lc->helo : "client.lab");
	if (lab_conn_line(&c, cmd.data) != 0
	    || lab_client_reply(&c, res, &offered) != 250)
		goto out;
	if (lc->starttls == LAB_STARTTLS_ALWAYS
	    || (lc->starttls == LAB_STARTTLS_OFFERED && offered)) {
		if (lab_conn_line(&c, "STARTTLS") != 0
		    || (code = lab_client_reply(&c, res, NULL)) == -1)
			goto out;
		if (code == 220) {
			if (lab_client_tls(&c, lc, res) != 0)
				goto out;
			if (lab_conn_line(&c, cmd.data) != 0
			    || lab_client_reply(&c, res, NULL) != 250)
				goto out;
		}
	}
	buf_reset(&cmd);
	buf_printf(&cmd, "MAIL FROM:<%s>", lc->from);
	if (lab_client_cmd(&c, res, cmd.data, 250) != 0)
		goto out;
	buf_reset(&cmd);
	buf_printf(&cmd, "RCPT TO:<%s>", lc->rcpt);
	if (lab_client_cmd(&c, res, cmd.data, 250) != 0
	    || lab_client_cmd(&c, res, "DATA", 354) != 0)
		goto out;
	buf_reset(&cmd);
	buf_printf(&cmd, "From: <%s>\r\nTo: <%s>\r\nSubject: mtad TLS lab\r\n"
	    "\r\nA message of the TLS policy lab matrix.", lc->from, lc->rcpt);
	buf_printf(c.log, ">>> (%zu octets of message)\n", cmd.len);
	if (lab_conn_write(&c, cmd.data, cmd.len) != 0
	    || lab_conn_write(&c, "\r\n", 2) != 0
	    || lab_client_cmd(&c, res, ".", 250) != 0)
		goto out;
	if ((q = strstr(res->last_reply, "queued as ")) != NULL)
		(void) snprintf(res->queue_id, sizeof(res->queue_id), "%.*s",
		    (int) strcspn(q + 10, " "), q + 10);
	ret = 0;
	(void) lab_client_cmd(&c, res, "QUIT", 221);
out:
	if (c.ssl) {
		(void) SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	if (c.fd != -1)
		(void) close(c.fd);
	buf_fini(&cmd);
	ERR_clear_error();
	return (ret);
}

/* lab_client_result_fini - release the transcript */

void
lab_client_result_fini(struct lab_client_result *res)
{
	res->transcript = buf_free(res->transcript);
}
