/*
 * NAME
 *	deliver_tls - TLS failure reasons and certificate checks of delivery
 * SYNOPSIS
 *	#include "deliver_tls.h"
 *
 *	int	deliver_tls_reason(const struct io_error *err,
 *		    const struct logs_line_style *style, struct buf *out);
 *	int	deliver_tls_check(X509 *cert, long chain_result,
 *		    const char *const *refs, size_t nrefs, int flags,
 *		    struct deliver_tls *out, struct buf *why);
 * DESCRIPTION
 *	deliver_tls_reason() appends to out the reason of a failed
 *	handshake as the mail log writes it after "TLS failed: " or
 *	"TLS deferring: ": the OpenSSL 1.x error tuple of the first SSL
 *	error, (336151598, 'error:1409442E:SSL routines:ssl3_read_bytes:
 *	tlsv1 alert protocol version'), with the function names of the
 *	style (OpenSSL 1.1.1, or 1.0.1 in upper case); "[Errno N] text"
 *	for a socket error; "EOF occurred in violation of protocol" when
 *	the peer closed during the handshake. OpenSSL 3 packs errors
 *	differently and names no function, so the common handshake
 *	failures are mapped to the code and function 1.x would have
 *	reported; others keep the reason with an empty function. It
 *	returns 1 when the failure says the peer refused our protocol
 *	versions (alert protocol_version, unsupported protocol, no
 *	protocols available): the "TLS version mismatch" case.
 *
 *	deliver_tls_check() does the AsyncOS "Verify" check of a server
 *	certificate: the chain result (from the handshake, against the
 *	trust store) must be X509_V_OK, and one of the reference names
 *	refs (the recipient domain, then the host dialled) must match a
 *	SAN DNS name, or the CN (policy_tls_cert_match(3), with flags).
 *	It fills out->verified, out->verify_result and out->matched and
 *	returns 1 when verified; else 0, with the reason in why ("unable
 *	to get local issuer certificate", "certificate name does not match
 *	example.com, mx.example.com").
 */
#ifndef DELIVER_TLS_H
#define DELIVER_TLS_H

#include <stddef.h>

#include <openssl/x509.h>

#include "buf.h"
#include "io.h"
#include "logs_line.h"
#include "deliver_smtp.h"

int	deliver_tls_reason(const struct io_error *,
	    const struct logs_line_style *, struct buf *);
int	deliver_tls_check(X509 *, long, const char *const *, size_t, int,
	    struct deliver_tls *, struct buf *);

#endif
