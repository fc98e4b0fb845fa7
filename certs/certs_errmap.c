/*
 * NAME
 *	certs_errmap - OpenSSL 3 failures as the OpenSSL 1.x tuples AsyncOS logs
 * DESCRIPTION
 *	See certs_errmap.h. The codes in the table are the values of the
 *	SSL_F_* and SSL_R_* macros of OpenSSL 1.0.1 and 1.1.1 (numbers, not
 *	names, because those releases are not what we build against); the
 *	keys are OpenSSL 3 reason codes, by name. Received alerts keep
 *	their code (1000 + the alert) and text in every release, which the
 *	last rows use.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "io.h"
#include "msg.h"
#include "str.h"
#include "logs_line.h"
#include "logs_repr.h"
#include "certs_errmap.h"

#define CERTS_ERRMAP_ANY	0	/* either side */
#define CERTS_ERRMAP_SERVER	1	/* we accepted the connection */
#define CERTS_ERRMAP_CLIENT	2	/* we connected */

/* The 1.x error as one release reports it. */

struct certs_errmap_as {
	unsigned func;			/* SSL_F_* of that release */
	const char *name;		/* its name in that release */
	unsigned reason;		/* SSL_R_* of that release */
	const char *text;		/* reason; NULL: the captured one */
};

/*
 * One row: an OpenSSL 3 reason range, the side we played, where in the
 * handshake (a prefix of SSL_state_string_long(); NULL: anywhere), and
 * what 1.1.1 (as[LOGS_LINE_SSL_111]) and 1.0.1 (as[LOGS_LINE_SSL_101])
 * report for it. When as[].reason is 0, the OpenSSL 3 reason is kept.
 */
struct certs_errmap_row {
	int	lo;			/* OpenSSL 3 reason, first */
	int	hi;			/* OpenSSL 3 reason, last */
	int	side;			/* CERTS_ERRMAP_* */
	const char *where;		/* state prefix, NULL: any */
	int	version;		/* no common protocol version */
	struct certs_errmap_as as[2];
};

#define R(r)	(r), (r)

/*
 * Ordered from the specific to the general: the first match wins. The
 * comments give the 1.x packed code as "1.1.1 / 1.0.1".
 */
static const struct certs_errmap_row certs_errmap_table[] = {
	/* 1417A0C1 / 1408A0C1: client offered no cipher we accept */
	{R(SSL_R_NO_SHARED_CIPHER), CERTS_ERRMAP_SERVER, NULL, 0, {
		{378, "tls_post_process_client_hello", 193, "no shared cipher"},
		{138, "SSL3_GET_CLIENT_HELLO", 193, "no shared cipher"}}},
	/* 14209102 / 14076102: client's versions all outside our range */
	{R(SSL_R_UNSUPPORTED_PROTOCOL), CERTS_ERRMAP_SERVER, NULL, 1, {
		{521, "tls_early_post_process_client_hello", 258,
		    "unsupported protocol"},
		{118, "SSL23_GET_CLIENT_HELLO", 258, "unsupported protocol"}}},
	/* 1425F102 / 14077102: server chose a version we refuse */
	{R(SSL_R_UNSUPPORTED_PROTOCOL), CERTS_ERRMAP_CLIENT, NULL, 1, {
		{607, "ssl_choose_client_version", 258, "unsupported protocol"},
		{119, "SSL23_GET_SERVER_HELLO", 258, "unsupported protocol"}}},
	/* 1420918C / 1407618C: client's version below our minimum */
	{R(SSL_R_VERSION_TOO_LOW), CERTS_ERRMAP_SERVER, NULL, 1, {
		{521, "tls_early_post_process_client_hello", 396,
		    "version too low"},
		{118, "SSL23_GET_CLIENT_HELLO", 258, "unsupported protocol"}}},
	/* 1425F18C / 14077102: server's version below our minimum */
	{R(SSL_R_VERSION_TOO_LOW), CERTS_ERRMAP_CLIENT, NULL, 1, {
		{607, "ssl_choose_client_version", 396, "version too low"},
		{119, "SSL23_GET_SERVER_HELLO", 258, "unsupported protocol"}}},
	/* 141E70BF / 140740BF: our own version range is empty */
	{R(SSL_R_NO_PROTOCOLS_AVAILABLE), CERTS_ERRMAP_CLIENT, NULL, 1, {
		{487, "tls_construct_client_hello", 191,
		    "no protocols available"},
		{116, "SSL23_CLIENT_HELLO", 191, "no protocols available"}}},
	{R(SSL_R_NO_PROTOCOLS_AVAILABLE), CERTS_ERRMAP_SERVER, NULL, 1, {
		{508, "tls_setup_handshake", 191, "no protocols available"},
		{118, "SSL23_GET_CLIENT_HELLO", 258, "unsupported protocol"}}},
	/* 1416D14D / 1408D14D: a TLS 1.0/1.1 server signs with MD5+SHA1 */
	{R(SSL_R_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED), CERTS_ERRMAP_CLIENT,
	    NULL, 1, {
		{365, "tls_process_key_exchange", 333,
		    "legacy sigalg disallowed or unsupported"},
		{141, "SSL3_GET_KEY_EXCHANGE", 333,
		    "legacy sigalg disallowed or unsupported"}}},
	/* 14209175 / 140A1175: a downgraded retry (TLS_FALLBACK_SCSV) */
	{R(SSL_R_INAPPROPRIATE_FALLBACK), CERTS_ERRMAP_SERVER, NULL, 1, {
		{521, "tls_early_post_process_client_hello", 373,
		    "inappropriate fallback"},
		{161, "SSL_BYTES_TO_CIPHER_LIST", 373,
		    "inappropriate fallback"}}},
	/* 1408F10B / 140760FC: not TLS at all (plain SMTP to a TLS port) */
	{R(SSL_R_WRONG_VERSION_NUMBER), CERTS_ERRMAP_ANY,
	    "SSL negotiation finished", 0, {
		{143, "ssl3_get_record", 267, "wrong version number"},
		{143, "SSL3_GET_RECORD", 267, "wrong version number"}}},
	{R(SSL_R_WRONG_VERSION_NUMBER), CERTS_ERRMAP_SERVER, NULL, 0, {
		{143, "ssl3_get_record", 267, "wrong version number"},
		{118, "SSL23_GET_CLIENT_HELLO", 252, "unknown protocol"}}},
	/* 1408F10B / 140770FC: the server answered in clear (P21) */
	{R(SSL_R_WRONG_VERSION_NUMBER), CERTS_ERRMAP_CLIENT, NULL, 0, {
		{143, "ssl3_get_record", 267, "wrong version number"},
		{119, "SSL23_GET_SERVER_HELLO", 252, "unknown protocol"}}},
	/* 1408F09C / 1407609C: an HTTP client on a TLS port */
	{R(SSL_R_HTTP_REQUEST), CERTS_ERRMAP_ANY, NULL, 0, {
		{143, "ssl3_get_record", 156, "http request"},
		{118, "SSL23_GET_CLIENT_HELLO", 156, "http request"}}},
	{R(SSL_R_HTTPS_PROXY_REQUEST), CERTS_ERRMAP_ANY, NULL, 0, {
		{143, "ssl3_get_record", 155, "https proxy request"},
		{118, "SSL23_GET_CLIENT_HELLO", 155, "https proxy request"}}},
	/* 1408F119: record layer integrity */
	{R(SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC), CERTS_ERRMAP_ANY, NULL,
	    0, {
		{143, "ssl3_get_record", 281,
		    "decryption failed or bad record mac"},
		{143, "SSL3_GET_RECORD", 281,
		    "decryption failed or bad record mac"}}},
	{R(SSL_R_PACKET_LENGTH_TOO_LONG), CERTS_ERRMAP_ANY, NULL, 0, {
		{143, "ssl3_get_record", 198, "packet length too long"},
		{143, "SSL3_GET_RECORD", 198, "packet length too long"}}},
	/* 141A318A / 14082174: 1024-bit DHE refused (P10); 1.0.1 said 372 */
	{R(SSL_R_DH_KEY_TOO_SMALL), CERTS_ERRMAP_CLIENT, NULL, 0, {
		{419, "tls_process_ske_dhe", 394, "dh key too small"},
		{130, "SSL3_CHECK_CERT_AND_ALGORITHM", 372,
		    "dh key too small"}}},
	/* 1416F086 / 14090086: the server's chain did not verify */
	{R(SSL_R_CERTIFICATE_VERIFY_FAILED), CERTS_ERRMAP_CLIENT, NULL, 0, {
		{367, "tls_process_server_certificate", 134,
		    "certificate verify failed"},
		{144, "SSL3_GET_SERVER_CERTIFICATE", 134,
		    "certificate verify failed"}}},
	/* 1417C086 / 14089086: the client's chain did not verify */
	{R(SSL_R_CERTIFICATE_VERIFY_FAILED), CERTS_ERRMAP_SERVER, NULL, 0, {
		{380, "tls_process_client_certificate", 134,
		    "certificate verify failed"},
		{137, "SSL3_GET_CLIENT_CERTIFICATE", 134,
		    "certificate verify failed"}}},
	/* 1417C0C7 / 140890C7: a required client certificate is missing */
	{R(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE), CERTS_ERRMAP_SERVER, NULL,
	    0, {
		{380, "tls_process_client_certificate", 199,
		    "peer did not return a certificate"},
		{137, "SSL3_GET_CLIENT_CERTIFICATE", 199,
		    "peer did not return a certificate"}}},
	/* 141A10F4 / 1408E0F4 and 141A20F4 / 1408E0F4 */
	{R(SSL_R_UNEXPECTED_MESSAGE), CERTS_ERRMAP_CLIENT, NULL, 0, {
		{417, "ossl_statem_client_read_transition", 244,
		    "unexpected message"},
		{142, "SSL3_GET_MESSAGE", 244, "unexpected message"}}},
	{R(SSL_R_UNEXPECTED_MESSAGE), CERTS_ERRMAP_SERVER, NULL, 0, {
		{418, "ossl_statem_server_read_transition", 244,
		    "unexpected message"},
		{142, "SSL3_GET_MESSAGE", 244, "unexpected message"}}},
	/* 141E70B5 / 140830B5: our own cipher list is empty */
	{R(SSL_R_NO_CIPHERS_AVAILABLE), CERTS_ERRMAP_CLIENT, NULL, 0, {
		{487, "tls_construct_client_hello", 181,
		    "no ciphers available"},
		{131, "SSL3_CLIENT_HELLO", 181, "no ciphers available"}}},
	{R(SSL_R_NO_CIPHERS_AVAILABLE), CERTS_ERRMAP_SERVER, NULL, 0, {
		{508, "tls_setup_handshake", 181, "no ciphers available"},
		{138, "SSL3_GET_CLIENT_HELLO", 181, "no ciphers available"}}},
	/* 1409442E: the peer sent protocol_version (P07, P08) */
	{R(SSL_R_TLSV1_ALERT_PROTOCOL_VERSION), CERTS_ERRMAP_ANY, NULL, 1, {
		{148, "ssl3_read_bytes", 1070, "tlsv1 alert protocol version"},
		{148, "SSL3_READ_BYTES", 1070,
		    "tlsv1 alert protocol version"}}},
	/* 140944NN: any other fatal alert the peer sent */
	{SSL_AD_REASON_OFFSET, SSL_AD_REASON_OFFSET + 255, CERTS_ERRMAP_ANY,
	    NULL, 0, {
		{148, "ssl3_read_bytes", 0, NULL},
		{148, "SSL3_READ_BYTES", 0, NULL}}},
};

#undef R

/* certs_errmap_pick - the queue entry Python's ssl would report */

static const struct io_tls_err *
certs_errmap_pick(const struct io_error *err)
{
	size_t	i;

	if (err == NULL || err->kind != IO_ERR_TLS || err->count == 0)
		return (NULL);
	for (i = err->count > IO_TLS_ERR_MAX ? IO_TLS_ERR_MAX : err->count;
	     i > 0; i--)
		if (ERR_GET_LIB(err->err[i - 1].code) == ERR_LIB_SSL)
			return (&err->err[i - 1]);
	return (&err->err[(err->count > IO_TLS_ERR_MAX ?
			   IO_TLS_ERR_MAX : err->count) - 1]);
}

/* certs_errmap_row - the first row for an OpenSSL 3 SSL reason */

static const struct certs_errmap_row *
certs_errmap_row(int reason, int server_side, const char *state)
{
	const struct certs_errmap_row *row;
	int	side = server_side ? CERTS_ERRMAP_SERVER : CERTS_ERRMAP_CLIENT;
	size_t	i;

	for (i = 0; i < sizeof(certs_errmap_table) /
	     sizeof(certs_errmap_table[0]); i++) {
		row = &certs_errmap_table[i];
		if (reason < row->lo || reason > row->hi)
			continue;
		if (row->side != CERTS_ERRMAP_ANY && row->side != side)
			continue;
		if (row->where && (state == NULL ||
		    strncmp(state, row->where, strlen(row->where)) != 0))
			continue;
		return (row);
	}
	return (NULL);
}

/* certs_errmap_fill - the 1.x tuple of a row */

static void
certs_errmap_fill(const struct certs_errmap_row *row, int reason,
    const char *text, enum logs_line_sslnames style,
    struct certs_errmap_tuple *out)
{
	const struct certs_errmap_as *as;
	unsigned r;

	as = &row->as[style == LOGS_LINE_SSL_101 ? LOGS_LINE_SSL_101 :
		      LOGS_LINE_SSL_111];
	r = as->reason ? as->reason : (unsigned) reason;
	out->code = ((unsigned long) CERTS_ERRMAP_LIB_SSL << 24) |
	    ((unsigned long) (as->func & 0xFFF) << 12) | (r & 0xFFF);
	out->lib = "SSL routines";
	out->func = as->name;
	out->reason = as->text ? as->text : text;
	out->version_mismatch = row->version;
}

/* certs_errmap_lookup - map what io captured to a 1.x tuple */

int
certs_errmap_lookup(const struct io_error *err, int server_side,
    enum logs_line_sslnames style, struct certs_errmap_tuple *out)
{
	const struct certs_errmap_row *row;
	const struct io_tls_err *e;
	const char *state;
	int	reason;

	memset(out, 0, sizeof(*out));
	out->lib = out->func = out->reason = "";
	if ((e = certs_errmap_pick(err)) == NULL)
		return (-1);
	state = err->state[0] ? err->state : NULL;
	reason = ERR_GET_REASON(e->code);
	if (ERR_GET_LIB(e->code) == ERR_LIB_SSL
	    && (row = certs_errmap_row(reason, server_side, state)) != NULL) {
		certs_errmap_fill(row, reason, e->reason, style, out);
		return (1);
	}
	out->code = e->code & 0xFFFFFFFFUL;
	out->lib = e->lib[0] ? e->lib : "SSL routines";
	out->func = "";
	out->reason = e->reason[0] ? e->reason : "unknown error";
	out->version_mismatch = 0;
	return (0);
}

/* certs_errmap_errno - "[Errno 104] Connection reset by peer" */

void
certs_errmap_errno(struct buf *out, int errnum)
{
	buf_printf(out, "[Errno %d] %s", errnum, strerror(errnum));
}

/* certs_errmap_tuple - append a tuple whatever its library */

static void
certs_errmap_tuple(struct buf *out, const struct certs_errmap_tuple *t)
{
	struct buf text;

	if (strcmp(t->lib, "SSL routines") == 0) {
		logs_repr_ssl_error(out, t->code, t->func, t->reason);
		return;
	}
	buf_init(&text, 80);
	buf_printf(&text, "error:%08lX:%s:%s:%s", t->code & 0xFFFFFFFFUL,
		   t->lib, t->func, t->reason);
	buf_printf(out, "(%lu, ", t->code & 0xFFFFFFFFUL);
	logs_repr_str(out, str_make(text.data, text.len));
	buf_putc(out, ')');
	buf_fini(&text);
}

/* certs_errmap_format - the failure reason as AsyncOS writes it */

void
certs_errmap_format(struct buf *out, const struct io_error *err,
    int server_side, enum logs_line_sslnames style)
{
	const struct certs_errmap_row *row;
	struct certs_errmap_tuple t;
	const char *text;
	int	reason;

	if (err == NULL)
		msg_panic("certs_errmap_format: null error");
	switch (certs_errmap_lookup(err, server_side, style, &t)) {
	case 1:
		certs_errmap_tuple(out, &t);
		return;
	case 0:
		/* A peer that hangs up mid-handshake: as Python says it. */
		if (ERR_GET_LIB(t.code) == ERR_LIB_SSL
		    && ERR_GET_REASON(t.code) ==
		    SSL_R_UNEXPECTED_EOF_WHILE_READING)
			break;
		certs_errmap_tuple(out, &t);
		return;
	default:
		if (err->sys_errno > 0) {
			certs_errmap_errno(out, err->sys_errno);
			return;
		}
		if (err->kind == IO_ERR_TLS && err->alert_side == IO_SIDE_PEER
		    && err->alert >= 0 && err->alert <= 255) {
			reason = SSL_AD_REASON_OFFSET + err->alert;
			row = certs_errmap_row(reason, server_side, NULL);
			/* The 1.x text is OpenSSL's own for that reason. */
			(void) OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS,
			    NULL);
			text = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0,
			    reason));
			if (text == NULL)
				text = err->alert_text[0] ? err->alert_text :
				    "unknown alert";
			if (row != NULL) {
				certs_errmap_fill(row, reason, text, style,
				    &t);
				certs_errmap_tuple(out, &t);
				return;
			}
		}
		break;
	}
	buf_puts(out, "(8, 'EOF occurred in violation of protocol')");
}

/* certs_errmap_is_version_mismatch - no common protocol version? */

int
certs_errmap_is_version_mismatch(const struct io_error *err)
{
	struct certs_errmap_tuple t;
	int	side;

	if (err == NULL || err->kind != IO_ERR_TLS)
		return (0);
	if (err->alert == SSL_AD_PROTOCOL_VERSION
	    && err->alert_side != IO_SIDE_NONE)
		return (1);
	/* Which side we played only changes names, never the verdict. */
	for (side = 0; side < 2; side++)
		if (certs_errmap_lookup(err, side, LOGS_LINE_SSL_111, &t) == 1
		    && t.version_mismatch)
			return (1);
	return (0);
}
