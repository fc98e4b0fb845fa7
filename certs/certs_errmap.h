/*
 * NAME
 *	certs_errmap - OpenSSL 3 failures as the OpenSSL 1.x tuples AsyncOS logs
 * SYNOPSIS
 *	#include "certs_errmap.h"
 *
 *	struct certs_errmap_tuple { ... };
 *
 *	int	certs_errmap_lookup(const struct io_error *err,
 *		    int server_side, enum logs_line_sslnames style,
 *		    struct certs_errmap_tuple *out);
 *	void	certs_errmap_format(struct buf *out,
 *		    const struct io_error *err, int server_side,
 *		    enum logs_line_sslnames style);
 *	void	certs_errmap_errno(struct buf *out, int errnum);
 *	int	certs_errmap_is_version_mismatch(const struct io_error *err);
 * DESCRIPTION
 *	The mail log prints a TLS failure the way AsyncOS does, as the
 *	Python repr() of the (code, text) pair of an OpenSSL 1.x error:
 *
 *	    (336109761, 'error:1408A0C1:SSL routines:SSL3_GET_CLIENT_HELLO:
 *	    no shared cipher')    (one line in the log)
 *
 *	where the code packs lib << 24 | func << 12 | reason with lib 20
 *	("SSL routines"). OpenSSL 3 packs its errors differently and has
 *	no function codes, so this module maps what lib/io captured
 *	(struct io_error: the OpenSSL 3 error queue, the fatal alert and
 *	who sent it, the handshake state) plus the side we played to the
 *	function and reason codes OpenSSL 1.x would have reported for the
 *	same failure. style picks the function names: LOGS_LINE_SSL_111
 *	(OpenSSL 1.1.1, lower case, "tls_early_post_process_client_hello",
 *	the default) or LOGS_LINE_SSL_101 (OpenSSL 1.0.1, upper case,
 *	"SSL3_GET_CLIENT_HELLO"). Where the two releases differ in the
 *	reason as well (1.0.1 says "unknown protocol" where 1.1.1 says
 *	"wrong version number"), each style gets its own.
 *
 *	The error used is the last OpenSSL error of the SSL library in the
 *	queue (the one Python's ssl module reports), else the last entry.
 *	One table maps (OpenSSL 3 reason, our side, handshake state) to
 *	the 1.1.1 and the 1.0.1 (function, reason); the first matching
 *	row wins. server_side is non-zero when we accepted the connection
 *	(inbound, ICID) and zero when we made it (delivery, DCID). The
 *	state is err->state; OpenSSL 3 reports "error" once a handshake
 *	has failed, so most rows match any state and the few that need a
 *	state (a record error on a finished handshake) apply only when the
 *	state from before the failure was recorded. An error the table
 *	does not know keeps its OpenSSL 3 code and reason with an empty
 *	function, which is still a well-formed tuple.
 *
 *	certs_errmap_lookup() fills out and returns 1 when a row matched,
 *	0 when the OpenSSL 3 error was kept as it is, -1 when err holds no
 *	OpenSSL error at all (then out describes nothing and
 *	certs_errmap_format() writes the socket error instead). The
 *	strings in out are static or point into err.
 *
 *	certs_errmap_format() appends the reason AsyncOS writes after
 *	"TLS failed: " or "TLS deferring: ":
 *	.IP \(bu
 *	an OpenSSL error: the tuple above (logs_repr_ssl_error());
 *	.IP \(bu
 *	a socket error (IO_ERR_SYS, or a TLS failure with an errno and an
 *	empty queue): "[Errno 104] Connection reset by peer";
 *	.IP \(bu
 *	a fatal alert received with nothing queued: the tuple of that
 *	alert as received by ssl3_read_bytes;
 *	.IP \(bu
 *	an end of file in the middle of the handshake, or nothing known:
 *	Python's "(8, 'EOF occurred in violation of protocol')".
 *	.PP
 *	certs_errmap_errno() appends "[Errno N] text" for a positive errno,
 *	with strerror() text (which is what Python prints on Linux).
 *
 *	certs_errmap_is_version_mismatch() says whether the failure is one
 *	where the two sides found no common protocol version (a protocol
 *	version alert either way, "unsupported protocol", a legacy peer
 *	refused for its signature algorithm, ...): delivery then appends
 *	"TLS version mismatch could be the failure reason" to its
 *	"TLS deferring" line.
 * SEE ALSO
 *	logs_repr(3) for the tuple, io(3) for struct io_error.
 */
#ifndef CERTS_ERRMAP_H
#define CERTS_ERRMAP_H

#include "buf.h"
#include "io.h"
#include "logs_line.h"

#define CERTS_ERRMAP_LIB_SSL	20	/* OpenSSL 1.x ERR_LIB_SSL */

struct certs_errmap_tuple {
	unsigned long code;		/* 1.x packed code (or the 3.x one) */
	const char *lib;		/* "SSL routines" */
	const char *func;		/* function name, "" when unmapped */
	const char *reason;		/* reason text */
	int	version_mismatch;	/* no common protocol version */
};

int	certs_errmap_lookup(const struct io_error *, int,
	    enum logs_line_sslnames, struct certs_errmap_tuple *);
void	certs_errmap_format(struct buf *, const struct io_error *, int,
	    enum logs_line_sslnames);
void	certs_errmap_errno(struct buf *, int);
int	certs_errmap_is_version_mismatch(const struct io_error *);

#endif
