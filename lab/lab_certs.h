/*
 * NAME
 *	lab_certs - the test PKI of the TLS policy lab, made at run time
 * SYNOPSIS
 *	#include "lab_certs.h"
 *
 *	struct lab_pki *lab_certs_make(const char *dir, const char *names,
 *		    struct buf *err);
 *	const char *lab_certs_chain(const struct lab_pki *pki,
 *		    enum lab_cert kind);
 *	const char *lab_certs_key(const struct lab_pki *pki,
 *		    enum lab_cert kind);
 *	const char *lab_certs_ca(const struct lab_pki *pki);
 *	const char *lab_certs_dh1024(const struct lab_pki *pki);
 *	const char *lab_certs_name(enum lab_cert kind);
 *	struct lab_pki *lab_certs_free(struct lab_pki *pki);
 * DESCRIPTION
 *	lab_certs_make() creates, in the existing directory dir, a small
 *	PKI for the lab peers and returns the names of its files:
 *
 *	    a root CA ("Lab Root CA", the trust anchor a gateway under
 *	    test is given), an intermediate CA signed by it, and leaves
 *	    for every enum lab_cert kind: a valid server leaf (issued by
 *	    the intermediate, served with it), a self-signed one, an
 *	    expired one, one not yet valid, one for another name
 *	    (other.example.net), the valid leaf served without its
 *	    intermediate, one from an unrelated "Lab Untrusted Root CA",
 *	    and client certificates: valid, self-signed, expired.
 *
 *	names is the subjectAltName list of the server leaves
 *	("DNS:a.lab,DNS:b.lab"); client certificates name
 *	client.lab. The leaves share one RSA 2048 key (RSA so that TLS
 *	1.0/1.1 and DHE-RSA peers can use it); the CAs have P-256 keys,
 *	which are quick to make. lab_certs_dh1024()
 *	is a PEM file of 1024-bit finite field Diffie-Hellman parameters
 *	(the RFC 2409 second Oakley group, so nothing is generated).
 *
 *	lab_certs_chain() names the PEM file a peer serves for kind (the
 *	leaf first, then what the peer sends of its chain), and
 *	lab_certs_key() its key file. lab_certs_ca() is the root CA file.
 *	lab_certs_name() is a short name of the kind, for messages.
 *
 *	The strings belong to pki; lab_certs_free() removes nothing on
 *	disk (the caller owns dir) and returns NULL.
 * DIAGNOSTICS
 *	lab_certs_make() returns NULL with OpenSSL's reason and the file
 *	name in err.
 */
#ifndef LAB_CERTS_H
#define LAB_CERTS_H

#include "buf.h"

enum lab_cert {
	LAB_CERT_VALID,			/* leaf + intermediate, trusted */
	LAB_CERT_SELFSIGNED,
	LAB_CERT_EXPIRED,
	LAB_CERT_NOTYET,		/* notBefore in the future */
	LAB_CERT_WRONGNAME,		/* SAN other.example.net */
	LAB_CERT_NOINTERMEDIATE,	/* valid leaf served alone */
	LAB_CERT_UNTRUSTED,		/* chain to an unknown root */
	LAB_CERT_CLIENT_VALID,
	LAB_CERT_CLIENT_SELFSIGNED,
	LAB_CERT_CLIENT_EXPIRED,
	LAB_CERT_COUNT,
};

struct lab_pki;

struct lab_pki *lab_certs_make(const char *, const char *, struct buf *);
const char *lab_certs_chain(const struct lab_pki *, enum lab_cert);
const char *lab_certs_key(const struct lab_pki *, enum lab_cert);
const char *lab_certs_ca(const struct lab_pki *);
const char *lab_certs_dh1024(const struct lab_pki *);
const char *lab_certs_name(enum lab_cert);
struct lab_pki *lab_certs_free(struct lab_pki *);

#endif
