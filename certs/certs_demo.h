/*
 * NAME
 *	certs_demo - the demonstration certificate created on first start
 * SYNOPSIS
 *	#include "certs_demo.h"
 *
 *	int	certs_demo_ensure(const char *cert_path, const char *key_path,
 *		    const char *hostname, struct buf *err);
 *	int	certs_demo_is(X509 *cert);
 * DESCRIPTION
 *	Out of the box a listener can offer STARTTLS with a self-signed
 *	certificate, as an appliance ships with its demo certificate. It
 *	gives encryption but never a verifiable connection: peers that
 *	verify will reject it, and the gateway says so when it is in use.
 *
 *	certs_demo_ensure() does nothing when both files exist; otherwise it
 *	makes an RSA 2048 key and a self-signed certificate (subject
 *	CN=<hostname>, O=mtad Demo Certificate, SAN DNS:<hostname>, valid
 *	ten years) and writes them: the key with mode 0600 first, then the
 *	certificate, each through a temporary file renamed into place. It
 *	returns 0, or -1 with a reason in err and nothing half-written.
 *
 *	certs_demo_is() tells whether a certificate is such a demo
 *	certificate (by its organisation name).
 */
#ifndef CERTS_DEMO_H
#define CERTS_DEMO_H

#include <openssl/x509.h>

#include "buf.h"

#define CERTS_DEMO_ORG	"mtad Demo Certificate"

int	certs_demo_ensure(const char *, const char *, const char *,
	    struct buf *);
int	certs_demo_is(X509 *);

#endif
