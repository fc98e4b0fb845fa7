/*
 * NAME
 *	io_test - unit tests for lib/io on a real loopback connection
 * DESCRIPTION
 *	Each case runs a server and a client io in one libuv loop on
 *	127.0.0.1, port 0. The server certificate is made at run time with
 *	the OpenSSL API. Every case ends with every handle closed and
 *	uv_loop_close() returning 0.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "io.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

struct world;

struct side {
	struct world *w;
	const char *name;
	struct io *io;
	struct buf *got;		/* plaintext received */
	struct buf *got_tls;		/* plaintext received after TLS */
	size_t	deliveries;
	size_t	dropped;
	int	connected;
	int	connect_errno;
	int	tls_done;
	int	tls_ok;
	char	protocol[32];
	char	cipher[64];
	char	servername[64];
	long	verify;
	int	peer_cert;
	struct io_error err;		/* handshake failure */
	int	hangups;
	struct io_error hup;
	int	timeouts[2];
	int	drained;
	int	closed;
	/* Behaviour. */
	size_t	(*on_data)(struct side *, const char *, size_t);
	void	(*on_connected)(struct side *);
	void	(*on_tls)(struct side *);
	void	(*on_timeout)(struct side *, enum io_timeout);
	void	(*on_drained)(struct side *);
};

struct world {
	uv_loop_t loop;
	uv_tcp_t listener;
	struct sockaddr_storage addr;	/* where the listener listens */
	struct side srv;
	struct side cli;
	SSL_CTX *sctx;
	SSL_CTX *cctx;
	void   *test;			/* case-specific state */
	unsigned srv_idle_ms;
	unsigned srv_life_ms;
	int	chain_close;		/* server gone: close the client */
};

/* no_sigpipe - a reset peer must not kill the test */

static void
no_sigpipe(void)
{
	(void) signal(SIGPIPE, SIG_IGN);
}

TestSuite(io, .init = no_sigpipe, .timeout = 60);

/* make_cert - a self-signed EC certificate for localhost */

static void
make_cert(EVP_PKEY **keyp, X509 **certp)
{
	EVP_PKEY *key;
	X509   *x;
	X509_NAME *name;

	key = EVP_EC_gen("P-256");
	cr_assert_not_null(key);
	x = X509_new();
	cr_assert_not_null(x);
	cr_assert(X509_set_version(x, 2));
	cr_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
	cr_assert_not_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	cr_assert_not_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	cr_assert(X509_set_pubkey(x, key));
	name = X509_get_subject_name(x);
	cr_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		      (const unsigned char *) "localhost", -1, -1, 0));
	cr_assert(X509_set_issuer_name(x, name));
	cr_assert(X509_sign(x, key, EVP_sha256()) > 0);
	*keyp = key;
	*certp = x;
}

/* make_ctx - server and client contexts */

static void
make_ctx(struct world *w)
{
	EVP_PKEY *key;
	X509   *cert;

	make_cert(&key, &cert);
	w->sctx = SSL_CTX_new(TLS_server_method());
	w->cctx = SSL_CTX_new(TLS_client_method());
	cr_assert(w->sctx && w->cctx);
	cr_assert(SSL_CTX_use_certificate(w->sctx, cert) == 1);
	cr_assert(SSL_CTX_use_PrivateKey(w->sctx, key) == 1);
	SSL_CTX_set_verify(w->cctx, SSL_VERIFY_NONE, NULL);
	X509_free(cert);
	EVP_PKEY_free(key);
}

/* copy - bounded, terminated string copy */

static void
copy(char *dst, size_t size, const char *src)
{
	size_t	len = strlen(src);

	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* side_data - plaintext arrived */

static size_t
side_data(struct io *io, const char *data, size_t len, void *ctx)
{
	struct side *s = ctx;

	s->deliveries++;
	if (s->on_data)
		return (s->on_data(s, data, len));
	buf_append(s->got, data, len);
	if (io_tls_active(io))
		buf_append(s->got_tls, data, len);
	return (len);
}

/* side_drained - output fell to the low-water mark */

static void
side_drained(struct io *io, void *ctx)
{
	struct side *s = ctx;

	s->drained++;
	if (s->on_drained)
		s->on_drained(s);
}

/* side_connected - io_connect() finished */

static void
side_connected(struct io *io, const struct io_error *err, void *ctx)
{
	struct side *s = ctx;

	if (err) {
		s->connect_errno = err->sys_errno;
		io_close(io);
		return;
	}
	s->connected++;
	if (s->on_connected)
		s->on_connected(s);
}

/* side_tls_done - the handshake ended */

static void
side_tls_done(struct io *io, const struct io_tls_info *info, void *ctx)
{
	struct side *s = ctx;
	X509_NAME *subj;

	s->tls_done++;
	s->tls_ok = info->ok;
	cr_assert_eq(io_tls_info(io), info, "%s: info differs", s->name);
	if (!info->ok) {
		s->err = *info->err;
		io_close(io);
		return;
	}
	copy(s->protocol, sizeof(s->protocol), info->protocol);
	copy(s->cipher, sizeof(s->cipher), info->cipher);
	if (info->servername)
		copy(s->servername, sizeof(s->servername), info->servername);
	s->verify = info->verify_result;
	if (info->peer_cert) {
		subj = X509_get_subject_name(info->peer_cert);
		s->peer_cert = X509_NAME_entry_count(subj) > 0;
	}
	if (s->on_tls)
		s->on_tls(s);
}

/* side_hangup - the peer went away */

static void
side_hangup(struct io *io, const struct io_error *err, void *ctx)
{
	struct side *s = ctx;

	s->hangups++;
	s->hup = *err;
	io_close(io);
}

/* side_timeout - a timer fired */

static void
side_timeout(struct io *io, enum io_timeout which, void *ctx)
{
	struct side *s = ctx;

	s->timeouts[which]++;
	if (s->on_timeout)
		s->on_timeout(s, which);
	else
		io_close(io);
}

/* side_closed - the io is gone */

static void
side_closed(struct io *io, void *ctx)
{
	struct side *s = ctx;

	s->closed++;
	s->io = NULL;
	if (s == &s->w->srv && s->w->chain_close && s->w->cli.io)
		io_close(s->w->cli.io);
}

static const struct io_ops side_ops = {
	.data = side_data,
	.drained = side_drained,
	.connected = side_connected,
	.tls_done = side_tls_done,
	.hangup = side_hangup,
	.timeout = side_timeout,
	.closed = side_closed,
};

/* on_connection - accept the one connection of a case */

static void
on_connection(uv_stream_t *server, int status)
{
	struct world *w = server->data;
	int	err = 0;

	cr_assert_eq(status, 0);
	w->srv.io = io_accept(server, &side_ops, &w->srv, &err);
	cr_assert_not_null(w->srv.io, "io_accept: %s", strerror(err));
	uv_close((uv_handle_t *) &w->listener, NULL);
	if (w->srv_idle_ms)
		io_set_timeout(w->srv.io, w->srv_idle_ms);
	if (w->srv_life_ms)
		io_set_lifetime(w->srv.io, w->srv_life_ms);
	if (w->srv.on_connected)
		w->srv.on_connected(&w->srv);
}

/* world_init - a loop, a listener on a free port, TLS contexts */

static void
world_init_at(struct world *w, const char *host)
{
	int	len = sizeof(w->addr);

	memset(w, 0, sizeof(*w));
	cr_assert_eq(uv_loop_init(&w->loop), 0);
	cr_assert_eq(uv_tcp_init(&w->loop, &w->listener), 0);
	w->listener.data = w;
	if (strchr(host, ':'))
		cr_assert_eq(uv_ip6_addr(host, 0,
				(struct sockaddr_in6 *) &w->addr), 0);
	else
		cr_assert_eq(uv_ip4_addr(host, 0,
				(struct sockaddr_in *) &w->addr), 0);
	cr_assert_eq(uv_tcp_bind(&w->listener,
				 (struct sockaddr *) &w->addr, 0), 0);
	cr_assert_eq(uv_listen((uv_stream_t *) &w->listener, 8,
			       on_connection), 0);
	cr_assert_eq(uv_tcp_getsockname(&w->listener,
					(struct sockaddr *) &w->addr, &len), 0);
	w->srv.w = w->cli.w = w;
	w->srv.name = "server";
	w->cli.name = "client";
	w->srv.got = buf_new(0);
	w->cli.got = buf_new(0);
	w->srv.got_tls = buf_new(0);
	w->cli.got_tls = buf_new(0);
	make_ctx(w);
}

/* world_init - the usual world, on 127.0.0.1 */

static void
world_init(struct world *w)
{
	world_init_at(w, "127.0.0.1");
}

/* world_port - the listener's port */

static unsigned
world_port(const struct world *w)
{
	if (w->addr.ss_family == AF_INET6)
		return (ntohs(((const struct sockaddr_in6 *) &w->addr)
			      ->sin6_port));
	return (ntohs(((const struct sockaddr_in *) &w->addr)->sin_port));
}

/* world_run - connect the client and run until everything is closed */

static void
world_run(struct world *w)
{
	int	err = 0;

	w->cli.io = io_connect(&w->loop, (struct sockaddr *) &w->addr, NULL,
			       &side_ops, &w->cli, &err);
	cr_assert_not_null(w->cli.io, "io_connect: %s", strerror(err));
	cr_assert_eq(uv_run(&w->loop, UV_RUN_DEFAULT), 0);
}

/* world_fini - prove that the loop is clean, free the rest */

static void
world_fini(struct world *w)
{
	cr_assert_eq(w->cli.closed, 1, "client closed %d times",
		     w->cli.closed);
	if (!uv_is_closing((uv_handle_t *) &w->listener)) {
		uv_close((uv_handle_t *) &w->listener, NULL);
		(void) uv_run(&w->loop, UV_RUN_DEFAULT);
	}
	cr_assert_eq(uv_loop_close(&w->loop), 0, "handles left open");
	SSL_CTX_free(w->sctx);
	SSL_CTX_free(w->cctx);
	buf_free(w->srv.got);
	buf_free(w->cli.got);
	buf_free(w->srv.got_tls);
	buf_free(w->cli.got_tls);
}

/* has - the buffer contains the text */

static int
has(const struct buf *b, const char *text)
{
	return (memmem(b->data, b->len, text, strlen(text)) != NULL);
}

/* Clear-text echo. */

static size_t
echo_data(struct side *s, const char *data, size_t len)
{
	io_write(s->io, data, len);
	buf_append(s->got, data, len);
	return (len);
}

static size_t
cli_until_echo(struct side *s, const char *data, size_t len)
{
	buf_append(s->got, data, len);
	if (has(s->got, "hello\r\n"))
		io_close(s->io);
	return (len);
}

static void
cli_say_hello(struct side *s)
{
	io_printf(s->io, "%s\r\n", "hello");
}

Test(io, echo_in_clear)
{
	struct world w;

	world_init(&w);
	w.srv.on_data = echo_data;
	w.cli.on_connected = cli_say_hello;
	w.cli.on_data = cli_until_echo;
	world_run(&w);
	cr_assert_eq(w.cli.connected, 1);
	cr_assert_str_eq(w.cli.got->data, "hello\r\n");
	cr_assert_str_eq(w.srv.got->data, "hello\r\n");
	cr_assert_eq(w.srv.hangups, 1);
	cr_assert_eq(w.srv.hup.kind, IO_ERR_EOF);
	cr_assert_eq(w.cli.hangups, 0);
	cr_assert_eq(w.srv.closed, 1);
	world_fini(&w);
}

/* Addresses are known to both sides. */

struct addr_seen {
	char	srv_peer[64], srv_local[64], cli_peer[64], cli_local[64];
	unsigned srv_peer_port, srv_local_port, cli_peer_port, cli_local_port;
	int	family;
};

static void
cli_note_addr(struct side *s)
{
	struct addr_seen *a = s->w->test;

	copy(a->cli_peer, sizeof(a->cli_peer), io_peer_name(s->io));
	copy(a->cli_local, sizeof(a->cli_local), io_local_name(s->io));
	a->cli_peer_port = io_peer_port(s->io);
	a->cli_local_port = io_local_port(s->io);
	a->family = io_peer_addr(s->io)->sa_family;
	io_close(s->io);
}

static void
srv_note_addr(struct side *s)
{
	struct addr_seen *a = s->w->test;

	copy(a->srv_peer, sizeof(a->srv_peer), io_peer_name(s->io));
	copy(a->srv_local, sizeof(a->srv_local), io_local_name(s->io));
	a->srv_peer_port = io_peer_port(s->io);
	a->srv_local_port = io_local_port(s->io);
}

Test(io, addresses)
{
	struct world w;
	struct addr_seen a;

	memset(&a, 0, sizeof(a));
	world_init(&w);
	w.test = &a;
	w.cli.on_connected = cli_note_addr;
	w.srv.on_connected = srv_note_addr;
	world_run(&w);
	cr_assert_str_eq(a.srv_peer, "127.0.0.1");
	cr_assert_str_eq(a.srv_local, "127.0.0.1");
	cr_assert_str_eq(a.cli_peer, "127.0.0.1");
	cr_assert_str_eq(a.cli_local, "127.0.0.1");
	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(a.cli_peer_port, world_port(&w));
	cr_assert_eq(a.srv_local_port, a.cli_peer_port);
	cr_assert_eq(a.srv_peer_port, a.cli_local_port);
	cr_assert_neq(a.cli_local_port, 0);
	world_fini(&w);
}

/* STARTTLS, in the middle of a stream, as a table. */

struct tls_case {
	const char *label;
	const char *client_says;	/* in one write, ends with STARTTLS */
	const char *server_220;		/* the server's reply, one write */
	int	cli_max;		/* client's highest version, 0: any */
	int	srv_min;		/* server's lowest version, 0: any */
	const char *cli_ciphers;	/* TLS 1.2 list, NULL: default */
	const char *srv_ciphers;
	int	want_ok;
	const char *want_protocol;
	const char *want_cipher;
	size_t	want_srv_dropped;
	size_t	want_cli_dropped;
	const char *want_srv_reason;	/* failures: OpenSSL reason text */
	enum io_side want_srv_side;
	const char *want_cli_reason;
	enum io_side want_cli_side;
};

static const struct tls_case tls_cases[] = {
	{"TLS 1.3 upgrade", "EHLO x\r\nSTARTTLS\r\n", "220 go\r\n",
	 0, 0, NULL, NULL, 1, "TLSv1.3", "TLS_AES_256_GCM_SHA384", 0, 0,
	 NULL, IO_SIDE_NONE, NULL, IO_SIDE_NONE},
	{"TLS 1.2 upgrade", "STARTTLS\r\n", "220 go\r\n",
	 TLS1_2_VERSION, 0, NULL, NULL, 1, "TLSv1.2",
	 "ECDHE-ECDSA-AES256-GCM-SHA384", 0, 0,
	 NULL, IO_SIDE_NONE, NULL, IO_SIDE_NONE},
	{"CVE-2011-0411: command injected behind STARTTLS",
	 "STARTTLS\r\nINJECTED\r\n", "220 go\r\n",
	 0, 0, NULL, NULL, 1, "TLSv1.3", NULL, 10, 0,
	 NULL, IO_SIDE_NONE, NULL, IO_SIDE_NONE},
	{"reply injected behind 220", "STARTTLS\r\n", "220 go\r\nEVIL\r\n",
	 0, 0, NULL, NULL, 1, "TLSv1.3", NULL, 0, 6,
	 NULL, IO_SIDE_NONE, NULL, IO_SIDE_NONE},
	{"no shared protocol version", "STARTTLS\r\n", "220 go\r\n",
	 TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0, NULL, NULL, 0, 0,
	 "unsupported protocol", IO_SIDE_LOCAL,
	 "tlsv1 alert protocol version", IO_SIDE_PEER},
	{"no shared cipher", "STARTTLS\r\n", "220 go\r\n",
	 TLS1_2_VERSION, 0, "ECDHE-ECDSA-AES256-GCM-SHA384",
	 "ECDHE-ECDSA-AES128-GCM-SHA256", 0, NULL, NULL, 0, 0,
	 "no shared cipher", IO_SIDE_LOCAL,
	 "sslv3 alert handshake failure", IO_SIDE_PEER},
};

/* srv_starttls - answer lines; STARTTLS starts the handshake */

static size_t
srv_starttls(struct side *s, const char *data, size_t len)
{
	const struct tls_case *c = s->w->test;
	const char *eol;
	size_t	used = 0;

	if (io_tls_active(s->io)) {
		buf_append(s->got_tls, data, len);
		if (has(s->got_tls, "SECRET\r\n"))
			io_printf(s->io, "250 got it\r\n");
		return (len);
	}
	while ((eol = memmem(data + used, len - used, "\r\n", 2)) != NULL) {
		size_t	n = (size_t) (eol - (data + used)) + 2;

		buf_append(s->got, data + used, n);
		used += n;
		if (n == 10 && memcmp(eol - 8, "STARTTLS", 8) == 0) {
			io_write(s->io, c->server_220, strlen(c->server_220));
			cr_assert_eq(io_starttls_server(s->io, s->w->sctx,
							used, &s->dropped), 0);
			return (used);
		}
		io_printf(s->io, "250 ok\r\n");
	}
	return (used);
}

/* cli_send_starttls - the whole dialogue in one write */

static void
cli_send_starttls(struct side *s)
{
	const struct tls_case *c = s->w->test;

	io_write(s->io, c->client_says, strlen(c->client_says));
}

/* cli_starttls - wait for 220, then start; afterwards wait for 250 */

static size_t
cli_starttls(struct side *s, const char *data, size_t len)
{
	const char *eol;
	size_t	used = 0;

	if (io_tls_active(s->io)) {
		buf_append(s->got_tls, data, len);
		if (has(s->got_tls, "250 got it\r\n"))
			io_close(s->io);
		return (len);
	}
	while ((eol = memmem(data + used, len - used, "\r\n", 2)) != NULL) {
		size_t	n = (size_t) (eol - (data + used)) + 2;

		buf_append(s->got, data + used, n);
		used += n;
		if (n >= 4 && memcmp(data + used - n, "220 ", 4) == 0) {
			cr_assert_eq(io_starttls_client(s->io, s->w->cctx,
							"localhost", used,
							&s->dropped), 0);
			return (used);
		}
	}
	return (used);
}

/* cli_tls_up - send the secret */

static void
cli_tls_up(struct side *s)
{
	io_write(s->io, "SECRET\r\n", 8);
}

/* check_failure - a captured OpenSSL error and alert */

static void
check_failure(const char *label, const struct side *s, const char *reason,
    enum io_side side)
{
	struct buf *b = buf_new(0);
	size_t	i;
	int	found = 0;

	cr_assert_eq(s->tls_done, 1, "%s: %s tls_done %d", label, s->name,
		     s->tls_done);
	cr_assert_eq(s->tls_ok, 0, "%s: %s", label, s->name);
	cr_assert_eq(s->err.kind, IO_ERR_TLS, "%s: %s kind %d", label,
		     s->name, s->err.kind);
	cr_assert_gt(s->err.count, 0, "%s: %s no OpenSSL errors", label,
		     s->name);
	for (i = 0; i < s->err.count; i++) {
		if (strcmp(s->err.err[i].reason, reason) == 0)
			found = 1;
		cr_assert_str_eq(s->err.err[i].lib, "SSL routines",
				 "%s: %s", label, s->name);
		cr_assert_neq(s->err.err[i].code, 0);
		cr_assert(strncmp(s->err.err[i].text, "error:", 6) == 0);
	}
	io_error_format(&s->err, b);
	cr_assert(found, "%s: %s: want \"%s\" in %s", label, s->name, reason,
		  b->data);
	cr_assert_eq(s->err.alert_side, side, "%s: %s alert side %d", label,
		     s->name, s->err.alert_side);
	cr_assert_neq(s->err.alert, -1, "%s: %s", label, s->name);
	cr_assert_neq(s->err.state[0], 0, "%s: %s no state", label, s->name);
	cr_assert_str_neq(s->err.state, "error",
	    "%s: %s: the state before the failure, not after it", label,
	    s->name);
	cr_assert_neq(s->err.err[0].func[0], 0, "%s: %s no function", label,
		      s->name);
	buf_free(b);
}

Test(io, starttls_table)
{
	const struct tls_case *c;
	struct world w;
	size_t	i;

	for (i = 0; i < NCASES(tls_cases); i++) {
		c = &tls_cases[i];
		world_init(&w);
		w.test = (void *) c;
		if (c->cli_max)
			cr_assert(SSL_CTX_set_max_proto_version(w.cctx,
								c->cli_max));
		if (c->srv_min)
			cr_assert(SSL_CTX_set_min_proto_version(w.sctx,
								c->srv_min));
		if (c->cli_ciphers)
			cr_assert(SSL_CTX_set_cipher_list(w.cctx,
							  c->cli_ciphers));
		if (c->srv_ciphers)
			cr_assert(SSL_CTX_set_cipher_list(w.sctx,
							  c->srv_ciphers));
		w.srv.on_data = srv_starttls;
		w.cli.on_connected = cli_send_starttls;
		w.cli.on_data = cli_starttls;
		w.cli.on_tls = cli_tls_up;
		world_run(&w);
		cr_assert_eq(w.srv.dropped, c->want_srv_dropped,
			     "%s: server dropped %zu", c->label, w.srv.dropped);
		cr_assert_eq(w.cli.dropped, c->want_cli_dropped,
			     "%s: client dropped %zu", c->label, w.cli.dropped);
		cr_assert(!has(w.srv.got, "INJECTED"), "%s", c->label);
		cr_assert(!has(w.srv.got_tls, "INJECTED"),
			  "%s: injected text read after TLS", c->label);
		cr_assert(!has(w.cli.got_tls, "EVIL"), "%s", c->label);
		if (c->want_ok) {
			cr_assert_eq(w.srv.tls_ok, 1, "%s", c->label);
			cr_assert_eq(w.cli.tls_ok, 1, "%s", c->label);
			cr_assert_str_eq(w.srv.got_tls->data, "SECRET\r\n",
					 "%s", c->label);
			cr_assert_str_eq(w.cli.got_tls->data,
					 "250 got it\r\n", "%s", c->label);
			cr_assert_str_eq(w.cli.protocol, c->want_protocol,
					 "%s", c->label);
			cr_assert_str_eq(w.srv.protocol, c->want_protocol,
					 "%s", c->label);
			if (c->want_cipher)
				cr_assert_str_eq(w.cli.cipher, c->want_cipher,
						 "%s", c->label);
			cr_assert_str_eq(w.srv.cipher, w.cli.cipher, "%s",
					 c->label);
			cr_assert_str_eq(w.srv.servername, "localhost", "%s",
					 c->label);
			cr_assert_eq(w.cli.peer_cert, 1, "%s", c->label);
			cr_assert_eq(w.cli.verify,
				     X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
				     "%s: verify %ld", c->label, w.cli.verify);
			cr_assert_eq(w.srv.peer_cert, 0, "%s", c->label);
			cr_assert_eq(w.srv.hangups, 1, "%s", c->label);
			cr_assert_eq(w.srv.hup.kind, IO_ERR_EOF, "%s",
				     c->label);
			cr_assert_eq(w.srv.hup.close_notify, 1,
				     "%s: close_notify not seen", c->label);
		} else {
			check_failure(c->label, &w.srv, c->want_srv_reason,
				      c->want_srv_side);
			check_failure(c->label, &w.cli, c->want_cli_reason,
				      c->want_cli_side);
		}
		cr_assert_eq(w.srv.closed, 1, "%s", c->label);
		world_fini(&w);
	}
}

/* Implicit TLS: the handshake starts at once on both sides. */

static void
srv_implicit(struct side *s)
{
	size_t	dropped = 99;

	cr_assert_eq(io_starttls_server(s->io, s->w->sctx, 0, &dropped), 0);
	cr_assert_eq(dropped, 0);
	io_printf(s->io, "220 hello over TLS\r\n");
}

static void
cli_implicit(struct side *s)
{
	cr_assert_eq(io_starttls_client(s->io, s->w->cctx, NULL, 0, NULL), 0);
}

static size_t
cli_until_greeting(struct side *s, const char *data, size_t len)
{
	buf_append(s->got_tls, data, len);
	if (has(s->got_tls, "\r\n"))
		io_close(s->io);
	return (len);
}

Test(io, implicit_tls_and_held_writes)
{
	struct world w;

	world_init(&w);
	w.srv.on_connected = srv_implicit;
	w.cli.on_connected = cli_implicit;
	w.cli.on_data = cli_until_greeting;
	world_run(&w);
	cr_assert_eq(w.cli.tls_ok, 1);
	cr_assert_str_eq(w.cli.got_tls->data, "220 hello over TLS\r\n");
	cr_assert_str_eq(w.cli.got->data, "",
			 "plaintext arrived outside TLS");
	cr_assert_eq(w.srv.servername[0], 0);
	cr_assert_eq(w.srv.closed, 1);
	world_fini(&w);
}

/* The peer resets the connection: the errno reaches the owner. */

struct reset_case {
	const char *label;
	int	in_handshake;
};

static const struct reset_case reset_cases[] = {
	{"reset in clear text", 0},
	{"reset during the handshake", 1},
};

static void
cli_send_command(struct side *s)
{
	io_write(s->io, "STARTTLS\r\n", 10);
}

static size_t
cli_abort_on_220(struct side *s, const char *data, size_t len)
{
	io_abort(s->io);
	return (len);
}

static size_t
srv_tls_on_any(struct side *s, const char *data, size_t len)
{
	const struct reset_case *c = s->w->test;

	if (!c->in_handshake) {
		io_write(s->io, "250 ok\r\n", 8);
		return (len);
	}
	io_write(s->io, "220 go\r\n", 8);
	cr_assert_eq(io_starttls_server(s->io, s->w->sctx, len, NULL), 0);
	return (len);
}

Test(io, peer_reset)
{
	const struct reset_case *c;
	struct io_error *e;
	struct buf *b;
	struct world w;
	size_t	i;

	for (i = 0; i < NCASES(reset_cases); i++) {
		c = &reset_cases[i];
		world_init(&w);
		w.test = (void *) c;
		w.cli.on_connected = cli_send_command;
		w.cli.on_data = cli_abort_on_220;
		w.srv.on_data = srv_tls_on_any;
		world_run(&w);
		if (c->in_handshake) {
			cr_assert_eq(w.srv.tls_done, 1, "%s", c->label);
			cr_assert_eq(w.srv.tls_ok, 0, "%s", c->label);
			cr_assert_eq(w.srv.hangups, 0, "%s", c->label);
			e = &w.srv.err;
		} else {
			cr_assert_eq(w.srv.hangups, 1, "%s", c->label);
			e = &w.srv.hup;
		}
		cr_assert_eq(e->kind, IO_ERR_SYS, "%s: kind %d", c->label,
			     e->kind);
		cr_assert_eq(e->sys_errno, ECONNRESET, "%s: errno %d",
			     c->label, e->sys_errno);
		b = buf_new(0);
		io_error_format(e, b);
		cr_assert_str_eq(b->data,
				 "[Errno 104] Connection reset by peer", "%s",
				 c->label);
		buf_free(b);
		cr_assert_eq(w.srv.closed, 1, "%s", c->label);
		world_fini(&w);
	}
}

/* Timeouts: idle and lifetime, as a table. */

struct timeout_case {
	const char *label;
	unsigned idle_ms;
	unsigned life_ms;
	enum io_timeout want;
};

static const struct timeout_case timeout_cases[] = {
	{"idle", 30, 0, IO_TIMEOUT_IDLE},
	{"lifetime", 0, 30, IO_TIMEOUT_LIFETIME},
	{"lifetime before idle", 5000, 30, IO_TIMEOUT_LIFETIME},
	{"idle before lifetime", 30, 5000, IO_TIMEOUT_IDLE},
};

static void
srv_say_421(struct side *s, enum io_timeout which)
{
	io_printf(s->io, "421 timeout\r\n");
	io_close(s->io);
}

Test(io, timeouts)
{
	const struct timeout_case *c;
	struct world w;
	size_t	i;

	for (i = 0; i < NCASES(timeout_cases); i++) {
		c = &timeout_cases[i];
		world_init(&w);
		w.srv_idle_ms = c->idle_ms;
		w.srv_life_ms = c->life_ms;
		w.srv.on_timeout = srv_say_421;
		world_run(&w);
		cr_assert_eq(w.srv.timeouts[c->want], 1, "%s", c->label);
		cr_assert_eq(w.srv.timeouts[!c->want], 0, "%s", c->label);
		cr_assert_str_eq(w.cli.got->data, "421 timeout\r\n", "%s",
				 c->label);
		cr_assert_eq(w.cli.hangups, 1, "%s", c->label);
		cr_assert_eq(w.cli.hup.kind, IO_ERR_EOF, "%s", c->label);
		cr_assert_eq(w.srv.closed, 1, "%s", c->label);
		world_fini(&w);
	}
}

/* Large writes with flow control, in clear and through TLS. */

#define BIG_TOTAL	(10 * 1024 * 1024)
#define BIG_CHUNK	(64 * 1024)
#define BIG_HIGH	(256 * 1024)

struct big {
	int	tls;
	size_t	sent;
	size_t	rcvd;
	size_t	max_pending;
	int	bad_byte;
};

/* big_byte - the pattern: position modulo a prime */

static unsigned char
big_byte(size_t pos)
{
	return ((unsigned char) (pos % 251));
}

/* big_fill - write until the high-water mark, close when all is sent */

static void
big_fill(struct side *s)
{
	struct big *g = s->w->test;
	unsigned char chunk[BIG_CHUNK];
	size_t	n, i;

	while (g->sent < BIG_TOTAL && io_pending(s->io) < BIG_HIGH) {
		n = BIG_TOTAL - g->sent < BIG_CHUNK ? BIG_TOTAL - g->sent :
		    BIG_CHUNK;
		for (i = 0; i < n; i++)
			chunk[i] = big_byte(g->sent + i);
		io_write(s->io, chunk, n);
		g->sent += n;
		if (io_pending(s->io) > g->max_pending)
			g->max_pending = io_pending(s->io);
	}
	if (g->sent == BIG_TOTAL)
		io_close(s->io);
}

static void
srv_big_start(struct side *s)
{
	struct big *g = s->w->test;

	io_set_lowat(s->io, BIG_CHUNK);
	if (g->tls)
		cr_assert_eq(io_starttls_server(s->io, s->w->sctx, 0, NULL), 0);
	else
		big_fill(s);
}

static void
cli_big_start(struct side *s)
{
	struct big *g = s->w->test;

	if (g->tls)
		cr_assert_eq(io_starttls_client(s->io, s->w->cctx, NULL, 0,
						NULL), 0);
}

static size_t
cli_big_data(struct side *s, const char *data, size_t len)
{
	struct big *g = s->w->test;
	size_t	i;

	for (i = 0; i < len && !g->bad_byte; i++)
		if ((unsigned char) data[i] != big_byte(g->rcvd + i))
			g->bad_byte = 1;
	g->rcvd += len;
	return (len);
}

Test(io, large_writes_with_flow_control)
{
	struct world w;
	struct big g;
	int	tls;

	for (tls = 0; tls < 2; tls++) {
		memset(&g, 0, sizeof(g));
		g.tls = tls;
		world_init(&w);
		w.test = &g;
		w.srv.on_connected = srv_big_start;
		w.srv.on_tls = big_fill;
		w.srv.on_drained = big_fill;
		w.cli.on_connected = cli_big_start;
		w.cli.on_data = cli_big_data;
		world_run(&w);
		cr_assert_eq(g.sent, BIG_TOTAL, "tls %d", tls);
		cr_assert_eq(g.rcvd, BIG_TOTAL, "tls %d: received %zu", tls,
			     g.rcvd);
		cr_assert_eq(g.bad_byte, 0, "tls %d: data corrupted", tls);
		cr_assert_gt(w.srv.drained, 0, "tls %d", tls);
		cr_assert_lt(g.max_pending, BIG_HIGH + 2 * BIG_CHUNK,
			     "tls %d: pending grew to %zu", tls,
			     g.max_pending);
		cr_assert_eq(w.cli.hangups, 1, "tls %d", tls);
		cr_assert_eq(w.cli.hup.kind, IO_ERR_EOF, "tls %d", tls);
		cr_assert_eq(w.cli.hup.close_notify, tls, "tls %d", tls);
		cr_assert_eq(w.srv.closed, 1, "tls %d", tls);
		world_fini(&w);
	}
}

/* Pipelined input held while reading is stopped, presented again. */

struct pipe_state {
	uv_timer_t resume;
	int	lines;
	char	order[8];
};

static void
resume_cb(uv_timer_t *t)
{
	struct side *s = t->data;

	io_read_start(s->io);
}

static size_t
srv_one_line(struct side *s, const char *data, size_t len)
{
	struct pipe_state *p = s->w->test;
	const char *eol = memmem(data, len, "\r\n", 2);

	if (eol == NULL)
		return (0);
	p->order[p->lines++] = data[0];
	if (p->lines == 3) {
		io_printf(s->io, "done\r\n");
		io_close(s->io);
		uv_close((uv_handle_t *) &p->resume, NULL);
	} else {
		/* Wait for something else before the next command. */
		io_read_stop(s->io);
		p->resume.data = s;
		cr_assert_eq(uv_timer_start(&p->resume, resume_cb, 0, 0), 0);
	}
	return ((size_t) (eol - data) + 2);
}

static void
cli_pipeline(struct side *s)
{
	io_write(s->io, "A\r\nB\r\nC\r\n", 9);
}

Test(io, read_stop_keeps_pipelined_input)
{
	struct pipe_state p;
	struct world w;

	memset(&p, 0, sizeof(p));
	world_init(&w);
	w.test = &p;
	cr_assert_eq(uv_timer_init(&w.loop, &p.resume), 0);
	w.srv.on_data = srv_one_line;
	w.cli.on_connected = cli_pipeline;
	world_run(&w);
	cr_assert_eq(p.lines, 3);
	cr_assert_str_eq(p.order, "ABC");
	cr_assert_eq(w.srv.deliveries, 3);
	cr_assert_str_eq(w.cli.got->data, "done\r\n");
	world_fini(&w);
}

Test(io, connect_refused)
{
	struct world w;

	world_init(&w);
	/* Nobody listens on the port once the listener is closed. */
	uv_close((uv_handle_t *) &w.listener, NULL);
	world_run(&w);
	cr_assert_eq(w.cli.connected, 0);
	cr_assert_eq(w.cli.connect_errno, ECONNREFUSED);
	world_fini(&w);
}

Test(io, abort_before_connect_completes)
{
	struct world w;
	int	err;

	world_init(&w);
	uv_close((uv_handle_t *) &w.listener, NULL);
	w.cli.io = io_connect(&w.loop, (struct sockaddr *) &w.addr, NULL,
			      &side_ops, &w.cli, &err);
	cr_assert_not_null(w.cli.io);
	io_abort(w.cli.io);
	io_abort(w.cli.io);
	io_close(w.cli.io);
	cr_assert_eq(uv_run(&w.loop, UV_RUN_DEFAULT), 0);
	cr_assert_eq(w.cli.connected, 0);
	cr_assert_eq(w.cli.connect_errno, 0, "callback after abort");
	world_fini(&w);
}

/* An owner that never consumes: io stops reading, the timeout ends it. */

struct hog {
	int	capped;
	size_t	max_seen;
	size_t	sent;
};

static size_t
srv_never_consumes(struct side *s, const char *data, size_t len)
{
	struct hog *h = s->w->test;

	if (len > h->max_seen)
		h->max_seen = len;
	/*
	 * From the cap on, io must not read: if it did, the data still
	 * queued at the client would arrive and keep the timer from firing.
	 */
	if (len >= IO_INPUT_MAX && !h->capped) {
		h->capped = 1;
		io_set_timeout(s->io, 100);
	}
	return (0);
}

static void
cli_flood(struct side *s)
{
	struct hog *h = s->w->test;
	static char chunk[64 * 1024];

	memset(chunk, 'x', sizeof(chunk));
	while (h->sent < 8 * IO_INPUT_MAX) {
		io_write(s->io, chunk, sizeof(chunk));
		h->sent += sizeof(chunk);
	}
}

Test(io, unconsumed_input_is_bounded)
{
	struct world w;
	struct hog h;

	memset(&h, 0, sizeof(h));
	world_init(&w);
	w.test = &h;
	w.srv.on_data = srv_never_consumes;
	w.cli.on_connected = cli_flood;
	world_run(&w);
	cr_assert_eq(w.srv.timeouts[IO_TIMEOUT_IDLE], 1);
	cr_assert_geq(h.max_seen, IO_INPUT_MAX, "held %zu", h.max_seen);
	cr_assert_lt(h.max_seen, IO_INPUT_MAX + 65536 + 1,
		     "held %zu bytes", h.max_seen);
	cr_assert_eq(w.srv.closed, 1);
	world_fini(&w);
}

/* An adopted descriptor works like any other connection. */

Test(io, adopt_connected_socket)
{
	struct world w;
	int	fd, err = 0;

	world_init(&w);
	w.srv.on_data = echo_data;
	w.cli.on_data = cli_until_echo;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_neq(fd, -1);
	cr_assert_eq(connect(fd, (struct sockaddr *) &w.addr,
			     sizeof(struct sockaddr_in)), 0);
	w.cli.io = io_adopt(&w.loop, fd, &side_ops, &w.cli, &err);
	cr_assert_not_null(w.cli.io, "io_adopt: %s", strerror(err));
	cr_assert_str_eq(io_peer_name(w.cli.io), "127.0.0.1");
	cr_assert_eq(io_peer_port(w.cli.io), world_port(&w));
	io_write(w.cli.io, "hello\r\n", 7);
	cr_assert_eq(uv_run(&w.loop, UV_RUN_DEFAULT), 0);
	cr_assert_str_eq(w.cli.got->data, "hello\r\n");
	cr_assert_eq(w.srv.hangups, 1);
	cr_assert_eq(w.srv.closed, 1);
	world_fini(&w);
}

Test(io, adopt_bad_descriptor_fails)
{
	struct world w;
	int	err = 0;

	world_init(&w);
	cr_assert_null(io_adopt(&w.loop, -1, &side_ops, &w.cli, &err));
	cr_assert_neq(err, 0);
	w.cli.closed = 1;		/* no callback for a failed creation */
	world_fini(&w);
	cr_assert_eq(w.cli.closed, 1);
}

/* Closing from inside callbacks, and a close that cannot drain. */

static size_t
srv_abort_in_data(struct side *s, const char *data, size_t len)
{
	io_abort(s->io);
	io_abort(s->io);
	io_close(s->io);
	return (len);
}

Test(io, abort_inside_data_callback)
{
	struct world w;

	world_init(&w);
	w.srv.on_data = srv_abort_in_data;
	w.cli.on_connected = cli_say_hello;
	world_run(&w);
	cr_assert_eq(w.srv.closed, 1);
	cr_assert_eq(w.srv.hangups, 0);
	cr_assert_eq(w.cli.hangups, 1);
	cr_assert_eq(w.cli.hup.kind, IO_ERR_SYS);
	cr_assert_eq(w.cli.hup.sys_errno, ECONNRESET);
	world_fini(&w);
}

static void
srv_write_and_close(struct side *s)
{
	static char chunk[64 * 1024];
	int	i;

	/* More than loopback socket buffers hold. */
	io_set_timeout(s->io, 50);
	for (i = 0; i < 512; i++)
		io_write(s->io, chunk, sizeof(chunk));
	io_close(s->io);
}

static void
cli_never_reads(struct side *s)
{
	io_read_stop(s->io);
}

Test(io, close_that_cannot_drain_is_bounded)
{
	struct world w;

	world_init(&w);
	w.srv.on_connected = srv_write_and_close;
	w.cli.on_connected = cli_never_reads;
	/* Only the server's linger can end this case. */
	w.chain_close = 1;
	world_run(&w);
	cr_assert_eq(w.srv.closed, 1);
	cr_assert_eq(w.srv.timeouts[IO_TIMEOUT_IDLE], 0,
		     "no timeout callback while closing");
	cr_assert_eq(w.cli.deliveries, 0);
	world_fini(&w);
}

/* IPv6 loopback, and a client bound to a chosen source address. */

struct v6_seen {
	char	srv_peer[64];
	char	cli_local[64];
	unsigned cli_local_port;
	int	family;
};

static void
srv_note_v6(struct side *s)
{
	struct v6_seen *v = s->w->test;

	copy(v->srv_peer, sizeof(v->srv_peer), io_peer_name(s->io));
	v->family = io_local_addr(s->io)->sa_family;
}

static void
cli_note_v6(struct side *s)
{
	struct v6_seen *v = s->w->test;

	copy(v->cli_local, sizeof(v->cli_local), io_local_name(s->io));
	v->cli_local_port = io_local_port(s->io);
	io_close(s->io);
}

Test(io, ipv6_with_source_address)
{
	struct sockaddr_in6 src;
	struct v6_seen v;
	struct world w;
	int	err = 0;

	memset(&v, 0, sizeof(v));
	world_init_at(&w, "::1");
	w.test = &v;
	w.srv.on_connected = srv_note_v6;
	w.cli.on_connected = cli_note_v6;
	cr_assert_eq(uv_ip6_addr("::1", 0, &src), 0);
	w.cli.io = io_connect(&w.loop, (struct sockaddr *) &w.addr,
			      (struct sockaddr *) &src, &side_ops, &w.cli,
			      &err);
	cr_assert_not_null(w.cli.io, "io_connect: %s", strerror(err));
	cr_assert_eq(uv_run(&w.loop, UV_RUN_DEFAULT), 0);
	cr_assert_eq(w.cli.connected, 1);
	cr_assert_str_eq(v.srv_peer, "::1");
	cr_assert_str_eq(v.cli_local, "::1");
	cr_assert_neq(v.cli_local_port, 0);
	cr_assert_eq(v.family, AF_INET6);
	cr_assert_eq(w.srv.closed, 1);
	world_fini(&w);
}

Test(io, bind_to_foreign_source_fails)
{
	struct sockaddr_in src;
	struct world w;
	int	err = 0;

	world_init(&w);
	/* TEST-NET-1 is not configured here: the bind must fail. */
	cr_assert_eq(uv_ip4_addr("192.0.2.1", 0, &src), 0);
	cr_assert_null(io_connect(&w.loop, (struct sockaddr *) &w.addr,
				  (struct sockaddr *) &src, &side_ops, &w.cli,
				  &err));
	cr_assert_eq(err, EADDRNOTAVAIL, "err %d", err);
	w.cli.closed = 1;		/* no callback for a failed creation */
	world_fini(&w);
	cr_assert_eq(w.cli.closed, 1);
}

/* A broken record after the handshake is a TLS hangup. */

struct garbage {
	int	rawfd;
};

static size_t
cli_send_garbage(struct side *s, const char *data, size_t len)
{
	struct garbage *g = s->w->test;
	static const char rec[] = "\x17\x03\x03\x00\x20"
	    "0123456789abcdef0123456789abcdef";

	buf_append(s->got_tls, data, len);
	if (has(s->got_tls, "\r\n") && g->rawfd != -1) {
		cr_assert_eq(write(g->rawfd, rec, sizeof(rec) - 1),
			     (ssize_t) sizeof(rec) - 1);
		(void) close(g->rawfd);
		g->rawfd = -1;
	}
	return (len);
}

Test(io, bad_record_after_handshake)
{
	struct garbage g;
	struct world w;
	struct buf *b;
	int	fd, err = 0;

	world_init(&w);
	w.test = &g;
	w.srv.on_connected = srv_implicit;
	w.cli.on_data = cli_send_garbage;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_neq(fd, -1);
	cr_assert_eq(connect(fd, (struct sockaddr *) &w.addr,
			     sizeof(struct sockaddr_in)), 0);
	g.rawfd = dup(fd);
	w.cli.io = io_adopt(&w.loop, fd, &side_ops, &w.cli, &err);
	cr_assert_not_null(w.cli.io);
	cr_assert_eq(io_starttls_client(w.cli.io, w.cctx, NULL, 0, NULL), 0);
	cr_assert_eq(uv_run(&w.loop, UV_RUN_DEFAULT), 0);
	cr_assert_eq(w.srv.tls_ok, 1);
	cr_assert_eq(w.srv.hangups, 1);
	cr_assert_eq(w.srv.hup.kind, IO_ERR_TLS, "kind %d", w.srv.hup.kind);
	cr_assert_gt(w.srv.hup.count, 0);
	b = buf_new(0);
	io_error_format(&w.srv.hup, b);
	cr_assert(strstr(b->data, "SSL routines") != NULL, "%s", b->data);
	buf_free(b);
	cr_assert_eq(w.srv.closed, 1);
	world_fini(&w);
}
