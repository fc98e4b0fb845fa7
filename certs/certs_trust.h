/*
 * NAME
 *	certs_trust - the operator's trust directory, and fetching a chain
 * SYNOPSIS
 *	#include "certs_trust.h"
 *
 *	struct certs_trust_entry {
 *		char	*name;		file name without ".pem"
 *		char	*path;
 *		X509	*cert;		the certificate of the file
 *		int	ca;		a CA certificate (else a pinned leaf)
 *	};
 *
 *	int	certs_trust_list(const char *dir,
 *		    struct certs_trust_entry **list, size_t *count,
 *		    struct buf *err);
 *	void	certs_trust_list_free(struct certs_trust_entry *list,
 *		    size_t count);
 *	void	certs_trust_name(X509 *cert, struct buf *out);
 *	int	certs_trust_name_ok(const char *name);
 *	int	certs_trust_is_ca(X509 *cert);
 *	int	certs_trust_add(const char *dir, STACK_OF(X509) *certs,
 *		    const char *name, int leaf_ok, struct buf *added,
 *		    struct buf *present, struct buf *err);
 *	int	certs_trust_remove(const char *dir, const char *name,
 *		    struct buf *err);
 *	int	certs_trust_root_missing(STACK_OF(X509) *chain,
 *		    struct buf *why);
 *	int	certs_trust_fetch(const char *host, const char *port,
 *		    int starttls, int timeout, STACK_OF(X509) **chain,
 *		    struct buf *err);
 * DESCRIPTION
 *	The trust directory (certs_conf_trust_dir()) holds one PEM file
 *	NAME.pem per certificate the operator trusts beside the system
 *	bundle. NAME comes from the certificate's Common Name:
 *	certs_trust_name() appends it with every byte other than letters,
 *	digits, ".", "-" and "_" replaced by "_" (at most 64 bytes; the
 *	start of the SHA-256 fingerprint when there is no CN).
 *	certs_trust_name_ok() tells whether a name has that form.
 *
 *	certs_trust_list() reads every NAME.pem of dir, in name order; a
 *	missing directory is empty. The caller frees the list with
 *	certs_trust_list_free().
 *
 *	certs_trust_is_ca() tells whether a certificate may issue others
 *	(basicConstraints CA:TRUE).
 *
 *	certs_trust_add() adds the certificates of certs, each under its
 *	own name, or under name when it is not NULL (then certs must hold
 *	exactly one). It refuses, changing nothing, when one of them is
 *	not a CA certificate and leaf_ok is 0 (trusting a server's own
 *	certificate pins that one certificate, which breaks when the
 *	server renews it), when two would get the same name, or when a
 *	different certificate is already trusted under the name. A
 *	certificate already trusted under its name is left as it is. It
 *	creates dir (mode 0755) when missing, writes all files or none
 *	(mode 0644), appends "NAME\n" to added for each file written and
 *	to present for each already there, and returns the number
 *	written, or -1 with the reason in err.
 *
 *	certs_trust_remove() removes NAME.pem and returns 0, or -1 with
 *	the reason in err (no such name, a malformed name).
 *
 *	certs_trust_root_missing() returns 1 and appends the reason to why
 *	when the last certificate of chain is not self-signed, i.e. the
 *	chain stops before its root; 0 otherwise.
 *
 *	certs_trust_fetch() connects to host port, and when starttls is
 *	set first speaks SMTP (greeting, EHLO, STARTTLS), then completes a
 *	TLS handshake without verifying anything and returns in chain the
 *	certificates the server sent, its own first (the caller frees it
 *	with sk_X509_pop_free(chain, X509_free)). host is also sent as
 *	SNI unless it is an address. timeout bounds each network step, in
 *	seconds. It returns 0, or -1 with the reason in err (the step that
 *	failed, the server's reply or OpenSSL's words).
 */
#ifndef CERTS_TRUST_H
#define CERTS_TRUST_H

#include <stddef.h>

#include <openssl/x509.h>

#include "buf.h"

#define CERTS_TRUST_NAME_MAX	64

struct certs_trust_entry {
	char   *name;
	char   *path;
	X509   *cert;
	int	ca;
};

int	certs_trust_list(const char *, struct certs_trust_entry **, size_t *,
	    struct buf *);
void	certs_trust_list_free(struct certs_trust_entry *, size_t);
void	certs_trust_name(X509 *, struct buf *);
int	certs_trust_name_ok(const char *);
int	certs_trust_is_ca(X509 *);
int	certs_trust_add(const char *, STACK_OF(X509) *, const char *, int,
	    struct buf *, struct buf *, struct buf *);
int	certs_trust_remove(const char *, const char *, struct buf *);
int	certs_trust_root_missing(STACK_OF(X509) *, struct buf *);
int	certs_trust_fetch(const char *, const char *, int, int,
	    STACK_OF(X509) **, struct buf *);

#endif
