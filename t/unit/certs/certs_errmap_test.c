/*
 * NAME
 *	certs_errmap_test - OpenSSL 3 failures as AsyncOS's OpenSSL 1.x tuples
 * DESCRIPTION
 *	Two kinds of tests. Table tests build a struct io_error by hand
 *	and check the mapping, including the tuples the AsyncOS guides
 *	print, byte for byte. Handshake tests run real OpenSSL 3 clients
 *	and servers in memory (a BIO pair, or canned bytes for a peer that
 *	does not speak TLS), capture the failure the way lib/io does (the
 *	error queue after the failing call, the first fatal alert and who
 *	sent it, the state) and check the tuple each side would log.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "io.h"
#include "logs_line.h"
#include "tsupport.h"
#include "certs_errmap.h"

TestSuite(certs_errmap, .init = tsup_init, .fini = tsup_fini);

#define S111	LOGS_LINE_SSL_111
#define S101	LOGS_LINE_SSL_101

/* Strings AsyncOS documents, or that the 1.x headers give by arithmetic. */
#define NO_SHARED_101 "(336109761, 'error:1408A0C1:SSL routines:" \
	"SSL3_GET_CLIENT_HELLO:no shared cipher')"
#define NO_SHARED_111 "(337092801, 'error:1417A0C1:SSL routines:" \
	"tls_post_process_client_hello:no shared cipher')"
#define UNSUP_SRV_111 "(337678594, 'error:14209102:SSL routines:" \
	"tls_early_post_process_client_hello:unsupported protocol')"
#define UNSUP_SRV_101 "(336027906, 'error:14076102:SSL routines:" \
	"SSL23_GET_CLIENT_HELLO:unsupported protocol')"
#define UNSUP_CLI_111 "(338030850, 'error:1425F102:SSL routines:" \
	"ssl_choose_client_version:unsupported protocol')"
#define UNSUP_CLI_101 "(336032002, 'error:14077102:SSL routines:" \
	"SSL23_GET_SERVER_HELLO:unsupported protocol')"
#define A_PROTO_111 "(336151598, 'error:1409442E:SSL routines:" \
	"ssl3_read_bytes:tlsv1 alert protocol version')"
#define A_PROTO_101 "(336151598, 'error:1409442E:SSL routines:" \
	"SSL3_READ_BYTES:tlsv1 alert protocol version')"
#define A_HSFAIL_111 "(336151568, 'error:14094410:SSL routines:" \
	"ssl3_read_bytes:sslv3 alert handshake failure')"
#define A_HSFAIL_101 "(336151568, 'error:14094410:SSL routines:" \
	"SSL3_READ_BYTES:sslv3 alert handshake failure')"
#define A_CUNK_111 "(336151574, 'error:14094416:SSL routines:" \
	"ssl3_read_bytes:sslv3 alert certificate unknown')"
#define A_BADCERT_111 "(336151570, 'error:14094412:SSL routines:" \
	"ssl3_read_bytes:sslv3 alert bad certificate')"
#define A_UNKCA_111 "(336151576, 'error:14094418:SSL routines:" \
	"ssl3_read_bytes:tlsv1 alert unknown ca')"
#define A_UNKCA_101 "(336151576, 'error:14094418:SSL routines:" \
	"SSL3_READ_BYTES:tlsv1 alert unknown ca')"
#define A_INSEC_111 "(336151599, 'error:1409442F:SSL routines:" \
	"ssl3_read_bytes:tlsv1 alert insufficient security')"
#define A_DECRYPT_111 "(336151579, 'error:1409441B:SSL routines:" \
	"ssl3_read_bytes:tlsv1 alert decrypt error')"
#define DH_SMALL_111 "(337260938, 'error:141A318A:SSL routines:" \
	"tls_process_ske_dhe:dh key too small')"
#define DH_SMALL_101 "(336077172, 'error:14082174:SSL routines:" \
	"SSL3_CHECK_CERT_AND_ALGORITHM:dh key too small')"
#define VERIFY_111 "(337047686, 'error:1416F086:SSL routines:" \
	"tls_process_server_certificate:certificate verify failed')"
#define VERIFY_101 "(336134278, 'error:14090086:SSL routines:" \
	"SSL3_GET_SERVER_CERTIFICATE:certificate verify failed')"
#define WRONGV_111 "(336130315, 'error:1408F10B:SSL routines:" \
	"ssl3_get_record:wrong version number')"
#define WRONGV_SRV_101 "(336027900, 'error:140760FC:SSL routines:" \
	"SSL23_GET_CLIENT_HELLO:unknown protocol')"
#define WRONGV_CLI_101 "(336031996, 'error:140770FC:SSL routines:" \
	"SSL23_GET_SERVER_HELLO:unknown protocol')"
#define HTTP_111 "(336130204, 'error:1408F09C:SSL routines:" \
	"ssl3_get_record:http request')"
#define HTTP_101 "(336027804, 'error:1407609C:SSL routines:" \
	"SSL23_GET_CLIENT_HELLO:http request')"
#define UNEXP_CLI_111 "(337252596, 'error:141A10F4:SSL routines:" \
	"ossl_statem_client_read_transition:unexpected message')"
#define UNEXP_SRV_111 "(337256692, 'error:141A20F4:SSL routines:" \
	"ossl_statem_server_read_transition:unexpected message')"
#define UNEXP_101 "(336126196, 'error:1408E0F4:SSL routines:" \
	"SSL3_GET_MESSAGE:unexpected message')"
#define NOCERT_111 "(337100999, 'error:1417C0C7:SSL routines:" \
	"tls_process_client_certificate:peer did not return a certificate')"
#define NOCERT_101 "(336105671, 'error:140890C7:SSL routines:" \
	"SSL3_GET_CLIENT_CERTIFICATE:peer did not return a certificate')"
#define EOF_TUPLE "(8, 'EOF occurred in violation of protocol')"

/* errmap_ssl_error - a TLS failure with one OpenSSL 3 SSL error queued */

static struct io_error
errmap_ssl_error(int reason, const char *text)
{
	struct io_error err;

	memset(&err, 0, sizeof(err));
	err.kind = IO_ERR_TLS;
	err.ssl_error = SSL_ERROR_SSL;
	err.alert = -1;
	(void) snprintf(err.state, sizeof(err.state), "error");
	err.count = 1;
	err.err[0].code = ERR_PACK(ERR_LIB_SSL, 0, reason);
	(void) snprintf(err.err[0].lib, sizeof(err.err[0].lib),
	    "SSL routines");
	(void) snprintf(err.err[0].reason, sizeof(err.err[0].reason), "%s",
	    text);
	(void) snprintf(err.err[0].text, sizeof(err.err[0].text),
	    "error:%08lX:SSL routines::%s", err.err[0].code, text);
	return (err);
}

/* errmap_format - certs_errmap_format() into a C string (static) */

static const char *
errmap_format(const struct io_error *err, int server_side,
    enum logs_line_sslnames style)
{
	static char result[512];
	struct buf b;

	buf_init(&b, 64);
	certs_errmap_format(&b, err, server_side, style);
	(void) snprintf(result, sizeof(result), "%.*s", (int) b.len, b.data);
	buf_fini(&b);
	return (result);
}

/* One queued OpenSSL 3 error, the side we played, the two tuples. */

struct errmap_case {
	const char *label;
	int	reason;			/* OpenSSL 3 SSL_R_* */
	const char *text;		/* its reason string */
	int	server_side;
	const char *want111;
	const char *want101;
	int	version;		/* want version mismatch */
};

static const struct errmap_case errmap_cases[] = {
	{"no shared cipher (documented 1.0.1)", SSL_R_NO_SHARED_CIPHER,
	    "no shared cipher", 1, NO_SHARED_111, NO_SHARED_101, 0},
	{"unsupported protocol, server (documented 1.1.1)",
	    SSL_R_UNSUPPORTED_PROTOCOL, "unsupported protocol", 1,
	    UNSUP_SRV_111, UNSUP_SRV_101, 1},
	{"unsupported protocol, client", SSL_R_UNSUPPORTED_PROTOCOL,
	    "unsupported protocol", 0, UNSUP_CLI_111, UNSUP_CLI_101, 1},
	{"alert protocol version received (documented deferral)",
	    SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, "tlsv1 alert protocol version",
	    0, A_PROTO_111, A_PROTO_101, 1},
	{"alert handshake failure received", 1040,
	    "sslv3 alert handshake failure", 0, A_HSFAIL_111, A_HSFAIL_101, 0},
	{"alert certificate unknown received (ESA gui_logs)", 1046,
	    "sslv3 alert certificate unknown", 1, A_CUNK_111,
	    "(336151574, 'error:14094416:SSL routines:SSL3_READ_BYTES:"
	    "sslv3 alert certificate unknown')", 0},
	{"alert bad certificate received", 1042, "sslv3 alert bad certificate",
	    1, A_BADCERT_111, NULL, 0},
	{"alert unknown ca received", 1048, "tlsv1 alert unknown ca", 1,
	    A_UNKCA_111, A_UNKCA_101, 0},
	{"alert insufficient security received", 1071,
	    "tlsv1 alert insufficient security", 0, A_INSEC_111, NULL, 0},
	{"alert decrypt error received", 1051, "tlsv1 alert decrypt error", 0,
	    A_DECRYPT_111, NULL, 0},
	{"dh key too small", SSL_R_DH_KEY_TOO_SMALL, "dh key too small", 0,
	    DH_SMALL_111, DH_SMALL_101, 0},
	{"certificate verify failed, client", SSL_R_CERTIFICATE_VERIFY_FAILED,
	    "certificate verify failed", 0, VERIFY_111, VERIFY_101, 0},
	{"certificate verify failed, server", SSL_R_CERTIFICATE_VERIFY_FAILED,
	    "certificate verify failed", 1,
	    "(337100934, 'error:1417C086:SSL routines:"
	    "tls_process_client_certificate:certificate verify failed')",
	    "(336105606, 'error:14089086:SSL routines:"
	    "SSL3_GET_CLIENT_CERTIFICATE:certificate verify failed')", 0},
	{"wrong version number, server", SSL_R_WRONG_VERSION_NUMBER,
	    "wrong version number", 1, WRONGV_111, WRONGV_SRV_101, 0},
	{"wrong version number, client", SSL_R_WRONG_VERSION_NUMBER,
	    "wrong version number", 0, WRONGV_111, WRONGV_CLI_101, 0},
	{"http request", SSL_R_HTTP_REQUEST, "http request", 1, HTTP_111,
	    HTTP_101, 0},
	{"unexpected message, client", SSL_R_UNEXPECTED_MESSAGE,
	    "unexpected message", 0, UNEXP_CLI_111, UNEXP_101, 0},
	{"unexpected message, server", SSL_R_UNEXPECTED_MESSAGE,
	    "unexpected message", 1, UNEXP_SRV_111, UNEXP_101, 0},
	{"legacy sigalg (TLS 1.1 peer)",
	    SSL_R_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED,
	    "legacy sigalg disallowed or unsupported", 0,
	    "(337039693, 'error:1416D14D:SSL routines:"
	    "tls_process_key_exchange:"
	    "legacy sigalg disallowed or unsupported')",
	    NULL, 1},
	{"peer did not return a certificate",
	    SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE,
	    "peer did not return a certificate", 1, NOCERT_111, NOCERT_101, 0},
	{"version too low, server", SSL_R_VERSION_TOO_LOW, "version too low",
	    1, "(337678732, 'error:1420918C:SSL routines:"
	    "tls_early_post_process_client_hello:version too low')",
	    UNSUP_SRV_101, 1},
	{"no protocols available, client", SSL_R_NO_PROTOCOLS_AVAILABLE,
	    "no protocols available", 0,
	    "(337539263, 'error:141E70BF:SSL routines:"
	    "tls_construct_client_hello:no protocols available')", NULL, 1},
	{"unmapped: kept as OpenSSL 3, empty function", SSL_R_BAD_SIGNATURE,
	    "bad signature", 0,
	    "(167772283, 'error:0A00007B:SSL routines::bad signature')",
	    "(167772283, 'error:0A00007B:SSL routines::bad signature')", 0},
	{"unmapped alert keeps its code and text", 1120,
	    "tlsv1 alert no application protocol", 0,
	    "(336151648, 'error:14094460:SSL routines:ssl3_read_bytes:"
	    "tlsv1 alert no application protocol')", NULL, 0},
	{"quote in a reason is repr()'d", 1099, "it's odd", 0,
	    "(336151627, \"error:1409444B:SSL routines:ssl3_read_bytes:"
	    "it's odd\")", NULL, 0},
	{"end of file in the handshake", SSL_R_UNEXPECTED_EOF_WHILE_READING,
	    "unexpected eof while reading", 1, EOF_TUPLE, EOF_TUPLE, 0},
};

Test(certs_errmap, table)
{
	const struct errmap_case *c;
	struct io_error err;
	const char *got;
	size_t	i;

	for (i = 0; i < sizeof(errmap_cases) / sizeof(errmap_cases[0]); i++) {
		c = &errmap_cases[i];
		err = errmap_ssl_error(c->reason, c->text);
		got = errmap_format(&err, c->server_side, S111);
		cr_expect_str_eq(got, c->want111, "%s (1.1.1): got %s",
		    c->label, got);
		if (c->want101 != NULL) {
			got = errmap_format(&err, c->server_side, S101);
			cr_expect_str_eq(got, c->want101, "%s (1.0.1): got %s",
			    c->label, got);
		}
		cr_expect_eq(certs_errmap_is_version_mismatch(&err),
		    c->version, "%s: version mismatch %d", c->label,
		    certs_errmap_is_version_mismatch(&err));
	}
}

Test(certs_errmap, lookup)
{
	struct certs_errmap_tuple t;
	struct io_error err;

	err = errmap_ssl_error(SSL_R_NO_SHARED_CIPHER, "no shared cipher");
	cr_assert_eq(certs_errmap_lookup(&err, 1, S101, &t), 1);
	cr_expect_eq(t.code, 0x1408A0C1UL);
	cr_expect_eq(t.code, 336109761UL);
	cr_expect_str_eq(t.func, "SSL3_GET_CLIENT_HELLO");
	cr_expect_str_eq(t.reason, "no shared cipher");
	cr_assert_eq(certs_errmap_lookup(&err, 1, S111, &t), 1);
	cr_expect_eq(t.code, (20UL << 24) | (378UL << 12) | 193UL);
	cr_expect_str_eq(t.func, "tls_post_process_client_hello");

	/* Unmapped: the OpenSSL 3 code, no function, still found. */
	err = errmap_ssl_error(SSL_R_BAD_SIGNATURE, "bad signature");
	cr_assert_eq(certs_errmap_lookup(&err, 0, S111, &t), 0);
	cr_expect_eq(t.code, 0x0A00007BUL);
	cr_expect_str_eq(t.func, "");
	cr_expect_str_eq(t.reason, "bad signature");

	/* Nothing queued. */
	memset(&err, 0, sizeof(err));
	err.kind = IO_ERR_SYS;
	err.sys_errno = ECONNRESET;
	cr_expect_eq(certs_errmap_lookup(&err, 0, S111, &t), -1);
	cr_expect_str_eq(t.func, "");
}

/* A failure without an OpenSSL error, or with several. */

struct errmap_other {
	const char *label;
	struct io_error err;
	const char *want;
	int	version;
};

Test(certs_errmap, other_failures)
{
	static struct errmap_other cases[] = {
		{"reset during the handshake", {.kind = IO_ERR_SYS,
		    .sys_errno = ECONNRESET, .alert = -1},
		    "[Errno 104] Connection reset by peer", 0},
		{"TLS failure with only an errno", {.kind = IO_ERR_TLS,
		    .ssl_error = SSL_ERROR_SYSCALL, .sys_errno = EPIPE,
		    .alert = -1}, "[Errno 32] Broken pipe", 0},
		{"end of file", {.kind = IO_ERR_EOF, .alert = -1},
		    EOF_TUPLE, 0},
		{"TLS failure, nothing known", {.kind = IO_ERR_TLS,
		    .ssl_error = SSL_ERROR_SYSCALL, .alert = -1},
		    EOF_TUPLE, 0},
		{"alert received, queue empty", {.kind = IO_ERR_TLS,
		    .alert_side = IO_SIDE_PEER, .alert = 40,
		    .alert_text = "handshake failure"},
		    A_HSFAIL_111, 0},
		{"protocol version alert sent, queue empty",
		    {.kind = IO_ERR_TLS, .alert_side = IO_SIDE_LOCAL,
		    .alert = 70, .alert_text = "protocol version"},
		    EOF_TUPLE, 1},
		{"no error at all", {.kind = IO_ERR_NONE, .alert = -1},
		    EOF_TUPLE, 0},
	};
	const char *got;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = errmap_format(&cases[i].err, 1, S111);
		cr_expect_str_eq(got, cases[i].want, "%s: got %s",
		    cases[i].label, got);
		cr_expect_eq(certs_errmap_is_version_mismatch(&cases[i].err),
		    cases[i].version, "%s: version mismatch", cases[i].label);
	}
}

Test(certs_errmap, where_in_the_handshake)
{
	static const struct {
		const char *label;
		const char *state;
		int	server_side;
		const char *want101;
	} cases[] = {
		{"server, first record", "error", 1, WRONGV_SRV_101},
		{"client, first record", "error", 0, WRONGV_CLI_101},
		{"server, no state", "", 1, WRONGV_SRV_101},
		{"server, established", "SSL negotiation finished successfully",
		    1, "(336130315, 'error:1408F10B:SSL routines:"
		    "SSL3_GET_RECORD:wrong version number')"},
		{"client, established", "SSL negotiation finished successfully",
		    0, "(336130315, 'error:1408F10B:SSL routines:"
		    "SSL3_GET_RECORD:wrong version number')"},
	};
	struct io_error err;
	const char *got;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = errmap_ssl_error(SSL_R_WRONG_VERSION_NUMBER,
		    "wrong version number");
		(void) snprintf(err.state, sizeof(err.state), "%s",
		    cases[i].state);
		got = errmap_format(&err, cases[i].server_side, S101);
		cr_expect_str_eq(got, cases[i].want101, "%s: got %s",
		    cases[i].label, got);
		/* 1.1.1 reads every record in one place. */
		got = errmap_format(&err, cases[i].server_side, S111);
		cr_expect_str_eq(got, WRONGV_111, "%s: got %s",
		    cases[i].label, got);
	}
}

Test(certs_errmap, picks_last_ssl_error)
{
	struct io_error err;

	/* An X509 error first, then the SSL one: the SSL one speaks. */
	err = errmap_ssl_error(SSL_R_CERTIFICATE_VERIFY_FAILED,
	    "certificate verify failed");
	err.err[1] = err.err[0];
	err.err[0].code = ERR_PACK(ERR_LIB_X509, 0,
	    X509_R_CERT_ALREADY_IN_HASH_TABLE);
	(void) snprintf(err.err[0].lib, sizeof(err.err[0].lib),
	    "x509 certificate routines");
	(void) snprintf(err.err[0].reason, sizeof(err.err[0].reason),
	    "cert already in hash table");
	err.count = 2;
	cr_expect_str_eq(errmap_format(&err, 0, S111), VERIFY_111);

	/* Only a foreign error: kept whole, with its own library. */
	err.count = 1;
	cr_expect_str_eq(errmap_format(&err, 0, S111),
	    "(92274789, 'error:05800065:x509 certificate routines::"
	    "cert already in hash table')");

	/* A count beyond the array is bounded, not trusted. */
	err = errmap_ssl_error(SSL_R_NO_SHARED_CIPHER, "no shared cipher");
	err.count = 1000;
	for (size_t i = 1; i < IO_TLS_ERR_MAX; i++)
		err.err[i] = err.err[0];
	cr_expect_str_eq(errmap_format(&err, 1, S101), NO_SHARED_101);
}

Test(certs_errmap, errno_text)
{
	static const struct {
		int	errnum;
		const char *want;
	} cases[] = {
		{ECONNRESET, "[Errno 104] Connection reset by peer"},
		{ETIMEDOUT, "[Errno 110] Connection timed out"},
		{ECONNREFUSED, "[Errno 111] Connection refused"},
		{EHOSTUNREACH, "[Errno 113] No route to host"},
	};
	struct buf b;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, 16);
		certs_errmap_errno(&b, cases[i].errnum);
		buf_putc(&b, 0);
		cr_expect_str_eq(b.data, cases[i].want, "errno %d: got %s",
		    cases[i].errnum, b.data);
		buf_fini(&b);
	}
}

/*
 * Real handshakes. One side of a connection under test: its SSL, what
 * it captured when it failed (as lib/io captures it), and its outcome.
 */

struct hs_side {
	SSL    *ssl;
	struct io_error err;
	int	failed;
	int	done;
};

/* hs_info_cb - the first fatal alert and who sent it, as io_info_cb */

static void
hs_info_cb(const SSL *ssl, int where, int ret)
{
	struct hs_side *s = SSL_get_app_data(ssl);

	if (s == NULL || !(where & SSL_CB_ALERT))
		return;
	if (((ret >> 8) & 0xff) != SSL3_AL_FATAL
	    || s->err.alert_side != IO_SIDE_NONE)
		return;
	s->err.alert_side = (where & SSL_CB_READ) ? IO_SIDE_PEER :
	    IO_SIDE_LOCAL;
	s->err.alert = ret & 0xff;
	(void) snprintf(s->err.alert_text, sizeof(s->err.alert_text), "%s",
	    SSL_alert_desc_string_long(ret));
}

/* hs_init - one side over the given BIOs */

static void
hs_init(struct hs_side *s, SSL_CTX *ctx, int server, BIO *rbio, BIO *wbio)
{
	memset(s, 0, sizeof(*s));
	s->err.alert = -1;
	cr_assert_not_null(s->ssl = SSL_new(ctx));
	SSL_set_app_data(s->ssl, s);
	SSL_set_info_callback(s->ssl, hs_info_cb);
	SSL_set_bio(s->ssl, rbio, wbio);
	if (server)
		SSL_set_accept_state(s->ssl);
	else
		SSL_set_connect_state(s->ssl);
}

/* hs_step - one handshake step; on failure capture as io_error_tls */

static void
hs_step(struct hs_side *s)
{
	struct io_tls_err *e;
	unsigned long code;
	const char *func;
	int	r;

	if (s->failed || s->done)
		return;
	ERR_clear_error();
	if ((r = SSL_do_handshake(s->ssl)) == 1) {
		s->done = 1;
		return;
	}
	r = SSL_get_error(s->ssl, r);
	if (r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE)
		return;
	s->failed = 1;
	s->err.kind = IO_ERR_TLS;
	s->err.ssl_error = r;
	(void) snprintf(s->err.state, sizeof(s->err.state), "%s",
	    SSL_state_string_long(s->ssl));
	while ((code = ERR_get_error_all(NULL, NULL, &func, NULL, NULL))) {
		if (s->err.count == IO_TLS_ERR_MAX)
			continue;
		e = &s->err.err[s->err.count++];
		e->code = code;
		(void) snprintf(e->lib, sizeof(e->lib), "%s",
		    ERR_lib_error_string(code) ? ERR_lib_error_string(code) :
		    "");
		(void) snprintf(e->func, sizeof(e->func), "%s",
		    func ? func : "");
		(void) snprintf(e->reason, sizeof(e->reason), "%s",
		    ERR_reason_error_string(code) ?
		    ERR_reason_error_string(code) : "");
		ERR_error_string_n(code, e->text, sizeof(e->text));
	}
}

/* hs_run - a client and a server over a BIO pair until both stop */

static void
hs_run(SSL_CTX *cctx, SSL_CTX *sctx, struct hs_side *c, struct hs_side *s)
{
	BIO    *cb, *sb;
	int	i;

	cr_assert(BIO_new_bio_pair(&cb, 0, &sb, 0) == 1);
	hs_init(c, cctx, 0, cb, cb);
	hs_init(s, sctx, 1, sb, sb);
	for (i = 0; i < 20 && !((c->failed || c->done) &&
	    (s->failed || s->done)); i++) {
		hs_step(c);
		hs_step(s);
	}
}

/* hs_free - release both sides */

static void
hs_free(struct hs_side *c, struct hs_side *s)
{
	SSL_free(c->ssl);
	if (s != NULL)
		SSL_free(s->ssl);
}

/* hs_describe - what a side captured, for failure messages */

static const char *
hs_describe(const struct hs_side *s)
{
	static char text[1024];
	struct buf b;

	buf_init(&b, 128);
	io_error_format(&s->err, &b);
	(void) snprintf(text, sizeof(text), "%.*s", (int) b.len, b.data);
	buf_fini(&b);
	return (text);
}

/* hs_expect - a side failed and logs these tuples */

static void
hs_expect(const char *label, const struct hs_side *s, int server_side,
    const char *want111, const char *want101, int version)
{
	const char *got;

	cr_assert(s->failed, "%s: %s side did not fail", label,
	    server_side ? "server" : "client");
	got = errmap_format(&s->err, server_side, S111);
	cr_expect_str_eq(got, want111, "%s (1.1.1): got %s from %s", label,
	    got, hs_describe(s));
	if (want101 != NULL) {
		got = errmap_format(&s->err, server_side, S101);
		cr_expect_str_eq(got, want101, "%s (1.0.1): got %s from %s",
		    label, got, hs_describe(s));
	}
	cr_expect_eq(certs_errmap_is_version_mismatch(&s->err), version,
	    "%s: version mismatch, from %s", label, hs_describe(s));
}

/* A handshake between two configured peers and what each side logs. */

struct hs_case {
	const char *label;
	struct tsup_tls_opts client;
	struct tsup_tls_opts server;
	const char *cli111, *cli101;	/* NULL: the client must not fail */
	int	cli_version;
	const char *srv111, *srv101;	/* NULL: the server's not checked */
	int	srv_version;
};

Test(certs_errmap, real_handshakes)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	const char *dh = tsup_certs_dh1024();
	struct hs_case cases[] = {
		{"P09/C02 no shared cipher (TLS 1.2)",
		    {.max_proto = "TLSv1.2", .ciphers = "ECDHE+AESGCM"},
		    {.max_proto = "TLSv1.2", .ciphers = "AES128-SHA"},
		    A_HSFAIL_111, A_HSFAIL_101, 0,
		    NO_SHARED_111, NO_SHARED_101, 0},
		{"P08/C02 server TLS 1.2 max, client TLS 1.3 only",
		    {.min_proto = "TLSv1.3"}, {.max_proto = "TLSv1.2"},
		    A_PROTO_111, A_PROTO_101, 1,
		    UNSUP_SRV_111, UNSUP_SRV_101, 1},
		{"P07 server TLS 1.3 only, client TLS 1.2 max",
		    {.max_proto = "TLSv1.2"}, {.min_proto = "TLSv1.3"},
		    A_PROTO_111, A_PROTO_101, 1,
		    UNSUP_SRV_111, UNSUP_SRV_101, 1},
		{"P10 1024-bit DHE vs client at security level 2",
		    {.max_proto = "TLSv1.2", .ciphers = "DEFAULT:@SECLEVEL=2"},
		    {.max_proto = "TLSv1.2",
		    .ciphers = "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
		    .dh_file = dh},
		    DH_SMALL_111, DH_SMALL_101, 0, A_HSFAIL_111, A_HSFAIL_101,
		    0},
		{"P12 self-signed server, client verifies",
		    {.ca_file = pki->root.cert, .verify = TSUP_TLS_VERIFY_PEER},
		    {.cert_file = pki->selfsigned.cert,
		    .key_file = pki->selfsigned.key},
		    VERIFY_111, VERIFY_101, 0, A_UNKCA_111, A_UNKCA_101, 0},
		{"P13 expired server certificate, client verifies",
		    {.ca_file = pki->root.cert, .verify = TSUP_TLS_VERIFY_PEER},
		    {.cert_file = pki->expired.chain,
		    .key_file = pki->expired.key},
		    VERIFY_111, VERIFY_101, 0,
		    "(336151573, 'error:14094415:SSL routines:"
		    "ssl3_read_bytes:sslv3 alert certificate expired')",
		    "(336151573, 'error:14094415:SSL routines:"
		    "SSL3_READ_BYTES:sslv3 alert certificate expired')", 0},
		{"P15 wrong host name, client verifies the name",
		    {.ca_file = pki->root.cert, .verify = TSUP_TLS_VERIFY_PEER,
		    .verify_name = TSUP_CERT_HOST},
		    {.cert_file = pki->wrongname.chain,
		    .key_file = pki->wrongname.key},
		    VERIFY_111, VERIFY_101, 0, A_BADCERT_111,
		    "(336151570, 'error:14094412:SSL routines:"
		    "SSL3_READ_BYTES:sslv3 alert bad certificate')", 0},
		{"P17 server from an untrusted CA, client verifies",
		    {.ca_file = pki->root.cert, .verify = TSUP_TLS_VERIFY_PEER},
		    {.cert_file = pki->untrusted.chain,
		    .key_file = pki->untrusted.key},
		    VERIFY_111, VERIFY_101, 0, A_UNKCA_111, A_UNKCA_101, 0},
		{"P06 server TLS 1.1 max, client TLS 1.2 min",
		    {.min_proto = "TLSv1.2"},
		    {.min_proto = "TLSv1", .max_proto = "TLSv1.1",
		    .ciphers = "DEFAULT:@SECLEVEL=0"},
		    A_PROTO_111, A_PROTO_101, 1, UNSUP_SRV_111, UNSUP_SRV_101,
		    1},
		{"P06 server TLS 1.1 max, client allows TLS 1.1",
		    {.min_proto = "TLSv1", .ciphers = "DEFAULT:@SECLEVEL=1"},
		    {.min_proto = "TLSv1", .max_proto = "TLSv1.1",
		    .ciphers = "DEFAULT:@SECLEVEL=0"},
		    "(337039693, 'error:1416D14D:SSL routines:"
		    "tls_process_key_exchange:"
		    "legacy sigalg disallowed or unsupported')", NULL, 1,
		    NULL, NULL, 0},
		{"C04 client certificate required, none sent (TLS 1.2)",
		    {.max_proto = "TLSv1.2"},
		    {.ca_file = pki->root.cert,
		    .verify = TSUP_TLS_VERIFY_REQUIRE},
		    A_HSFAIL_111, A_HSFAIL_101, 0, NOCERT_111, NOCERT_101, 0},
		{"C04 client certificate required, none sent (TLS 1.3)",
		    {.min_proto = "TLSv1.3"},
		    {.ca_file = pki->root.cert,
		    .verify = TSUP_TLS_VERIFY_REQUIRE},
		    NULL, NULL, 0, NOCERT_111, NOCERT_101, 0},
	};
	struct hs_side c, s;
	SSL_CTX *cctx, *sctx;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].server.cert_file == NULL) {
			cases[i].server.cert_file = pki->good.chain;
			cases[i].server.key_file = pki->good.key;
		}
		cctx = tsup_tls_client_ctx(&cases[i].client);
		if (cases[i].client.verify_name != NULL)
			cr_assert(X509_VERIFY_PARAM_set1_host(
			    SSL_CTX_get0_param(cctx),
			    cases[i].client.verify_name, 0) == 1);
		sctx = tsup_tls_server_ctx(&cases[i].server);
		hs_run(cctx, sctx, &c, &s);
		if (cases[i].cli111 != NULL)
			hs_expect(cases[i].label, &c, 0, cases[i].cli111,
			    cases[i].cli101, cases[i].cli_version);
		if (cases[i].srv111 != NULL)
			hs_expect(cases[i].label, &s, 1, cases[i].srv111,
			    cases[i].srv101, cases[i].srv_version);
		hs_free(&c, &s);
		SSL_CTX_free(cctx);
		SSL_CTX_free(sctx);
	}
}

/* One side talks to a peer that sends canned bytes instead of TLS. */

struct hs_canned {
	const char *label;
	int	server_side;		/* we are the server */
	const char *bytes;
	size_t	len;
	const char *want111, *want101;
	int	version;		/* want version mismatch */
};

Test(certs_errmap, canned_peers)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	static const char banner[] = "220 mx.tsup.test ESMTP\r\n";
	static const char ehlo[] = "EHLO client.tsup.test\r\n";
	static const char http[] = "GET / HTTP/1.0\r\n\r\n";
	/* A handshake record holding ServerHelloDone / ClientKeyExchange. */
	static const char done[] = "\x16\x03\x03\x00\x04\x0e\x00\x00\x00";
	static const char cke[] = "\x16\x03\x01\x00\x04\x10\x00\x00\x00";
	/* A TLS 1.0 ServerHello: version 3.1, zero random, AES128-SHA. */
	static const char hello10[] = "\x16\x03\x01\x00\x2a"
	    "\x02\x00\x00\x26\x03\x01"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x2f\x00";
	static const struct hs_canned cases[] = {
		{"C08/P21 plain SMTP to our TLS server", 1, ehlo,
		    sizeof(ehlo) - 1, WRONGV_111, WRONGV_SRV_101, 0},
		{"HTTP to our TLS server", 1, http, sizeof(http) - 1,
		    HTTP_111, HTTP_101, 0},
		{"P21 our TLS client to a plain SMTP server", 0, banner,
		    sizeof(banner) - 1, WRONGV_111, WRONGV_CLI_101, 0},
		{"server sends ServerHelloDone first", 0, done,
		    sizeof(done) - 1, UNEXP_CLI_111, UNEXP_101, 0},
		{"P06 a TLS 1.0 server answers our TLS 1.2+ client", 0,
		    hello10, sizeof(hello10) - 1, UNSUP_CLI_111,
		    UNSUP_CLI_101, 1},
		{"client sends ClientKeyExchange first", 1, cke,
		    sizeof(cke) - 1, UNEXP_SRV_111, UNEXP_101, 0},
	};
	struct tsup_tls_opts sopts = {.cert_file = pki->good.chain,
	    .key_file = pki->good.key};
	struct tsup_tls_opts copts = {.min_proto = "TLSv1.2"};
	SSL_CTX *ctx;
	struct hs_side us;
	BIO    *rbio, *wbio;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctx = cases[i].server_side ? tsup_tls_server_ctx(&sopts) :
		    tsup_tls_client_ctx(&copts);
		rbio = BIO_new(BIO_s_mem());
		wbio = BIO_new(BIO_s_mem());
		cr_assert(rbio != NULL && wbio != NULL);
		hs_init(&us, ctx, cases[i].server_side, rbio, wbio);
		hs_step(&us);		/* client: ClientHello out */
		cr_assert(BIO_write(rbio, cases[i].bytes,
		    (int) cases[i].len) == (int) cases[i].len);
		hs_step(&us);
		hs_expect(cases[i].label, &us, cases[i].server_side,
		    cases[i].want111, cases[i].want101, cases[i].version);
		hs_free(&us, NULL);
		SSL_CTX_free(ctx);
	}
}
