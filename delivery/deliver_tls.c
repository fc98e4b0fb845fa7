/*
 * NAME
 *	deliver_tls - TLS failure reasons and certificate checks of delivery
 * DESCRIPTION
 *	See deliver_tls.h. The OpenSSL 1.x function codes below are those
 *	of the OpenSSL 1.1.1 and 1.0.1 sources (ssl.h / sslerr.h), where a
 *	packed error was lib << 24 | func << 12 | reason.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "logs_line.h"
#include "logs_repr.h"
#include "policy_tls.h"
#include "deliver_tls.h"

#define TLS_LIB_SSL	20		/* ERR_LIB_SSL */
#define TLS_ALERT_BASE	1000		/* SSL_AD_REASON_OFFSET */
#define TLS_R_ALERT_PROTOCOL_VERSION	1070
#define TLS_R_UNSUPPORTED_PROTOCOL	258
#define TLS_R_NO_PROTOCOLS_AVAILABLE	191
#define TLS_R_WRONG_VERSION_NUMBER	267
#define TLS_R_DH_KEY_TOO_SMALL		394
#define TLS_R_UNEXPECTED_EOF		294

/* How OpenSSL 1.x named the place where a reason was raised. */
struct tls_func {
	int	reason;			/* -1: any alert received */
	unsigned func111;
	const char *name111;
	unsigned func101;
	const char *name101;
};

static const struct tls_func tls_funcs[] = {
	{-1, 0x094, "ssl3_read_bytes", 0x094, "SSL3_READ_BYTES"},
	{TLS_R_WRONG_VERSION_NUMBER, 0x08F, "ssl3_get_record",
	 0x08F, "SSL3_GET_RECORD"},
	{TLS_R_UNSUPPORTED_PROTOCOL, 0x25F, "ssl_choose_client_version",
	 0x077, "SSL23_GET_SERVER_HELLO"},
	{TLS_R_NO_PROTOCOLS_AVAILABLE, 0x1F4, "tls_construct_client_hello",
	 0x076, "SSL23_CLIENT_HELLO"},
	{TLS_R_DH_KEY_TOO_SMALL, 0x1A3, "tls_process_ske_dhe",
	 0x082, "SSL3_CHECK_CERT_AND_ALGORITHM"},
};

/* deliver_tls_reason - the reason of a failed handshake, for the log */

int
deliver_tls_reason(const struct io_error *err,
    const struct logs_line_style *style, struct buf *out)
{
	const struct io_tls_err *e = NULL;
	const struct tls_func *f = NULL;
	int	reason;
	size_t	i;
	int	old = style && style->sslnames == LOGS_LINE_SSL_101;

	for (i = 0; i < err->count; i++) {
		if (ERR_GET_LIB(err->err[i].code) == TLS_LIB_SSL) {
			e = err->err + i;
			break;
		}
	}
	if (e == NULL && err->count > 0)
		e = err->err;
	if (e == NULL || (ERR_GET_LIB(e->code) == TLS_LIB_SSL
	    && ERR_GET_REASON(e->code) == TLS_R_UNEXPECTED_EOF)) {
		if (err->sys_errno)
			buf_printf(out, "[Errno %d] %s", err->sys_errno,
			    err->sys_text);
		else
			buf_puts(out, "EOF occurred in violation of protocol");
		return (0);
	}
	reason = ERR_GET_REASON(e->code);
	for (i = 0; i < sizeof(tls_funcs) / sizeof(tls_funcs[0]); i++) {
		if (tls_funcs[i].reason == reason || (tls_funcs[i].reason == -1
		    && reason >= TLS_ALERT_BASE)) {
			f = tls_funcs + i;
			break;
		}
	}
	if (f != NULL)
		logs_repr_ssl_error(out, (unsigned long) TLS_LIB_SSL << 24
		    | (old ? f->func101 : f->func111) << 12
		    | (unsigned) reason, old ? f->name101 : f->name111,
		    e->reason);
	else
		logs_repr_ssl_error(out, (unsigned long) TLS_LIB_SSL << 24
		    | ((unsigned) reason & 0xFFF), e->func, e->reason);
	return (reason == TLS_R_ALERT_PROTOCOL_VERSION
	    || reason == TLS_R_UNSUPPORTED_PROTOCOL
	    || reason == TLS_R_NO_PROTOCOLS_AVAILABLE);
}

/* tls_copy - bounded copy into a fixed field */

static void
tls_copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* deliver_tls_check - chain and name, as AsyncOS "Verify" */

int
deliver_tls_check(X509 *cert, long chain_result, const char *const *refs,
    size_t nrefs, int flags, struct deliver_tls *out, struct buf *why)
{
	GENERAL_NAMES *gens;
	struct str *san = NULL;
	struct str cn;
	int	have_cn = 0;
	size_t	nsan = 0;
	struct policy_tls_match m;
	int	ok = 0;
	size_t	i;

	out->verified = 0;
	out->verify_result = chain_result;
	out->matched[0] = 0;
	if (cert == NULL) {
		buf_puts(why, "no server certificate");
		return (0);
	}
	if (chain_result != X509_V_OK) {
		buf_puts(why, X509_verify_cert_error_string(chain_result));
		return (0);
	}
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (gens != NULL) {
		int	n = sk_GENERAL_NAME_num(gens);

		san = mem_zalloc(n > 0 ? (size_t) n : 1, sizeof(*san));
		for (i = 0; i < (size_t) n; i++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens,
			    (int) i);

			if (g->type != GEN_DNS)
				continue;
			san[nsan++] = str_make((const char *)
			    ASN1_STRING_get0_data(g->d.dNSName),
			    (size_t) ASN1_STRING_length(g->d.dNSName));
		}
	}
	{
		X509_NAME *subj = X509_get_subject_name(cert);
		int	idx = -1, last = -1;

		while ((idx = X509_NAME_get_index_by_NID(subj, NID_commonName,
		    idx)) >= 0)
			last = idx;
		if (last >= 0) {
			ASN1_STRING *d = X509_NAME_ENTRY_get_data(
			    X509_NAME_get_entry(subj, last));

			cn = str_make((const char *) ASN1_STRING_get0_data(d),
			    (size_t) ASN1_STRING_length(d));
			have_cn = 1;
		}
	}
	if (policy_tls_cert_match(san, nsan, have_cn ? &cn : NULL, refs,
	    nrefs, flags, &m)) {
		tls_copy(out->matched, sizeof(out->matched), refs[m.ref],
		    strlen(refs[m.ref]));
		out->verified = ok = 1;
	} else {
		buf_puts(why, "certificate name does not match ");
		for (i = 0; i < nrefs; i++)
			buf_printf(why, "%s%s", i ? ", " : "", refs[i]);
	}
	mem_free(san);
	GENERAL_NAMES_free(gens);
	return (ok);
}
