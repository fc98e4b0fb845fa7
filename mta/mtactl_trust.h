/*
 * NAME
 *	mtactl_trust - the "mtactl trust" commands
 * SYNOPSIS
 *	#include "mtactl_trust.h"
 *
 *	int	mtactl_trust(int argc, char **argv, int json);
 *	void	mtactl_trust_usage(FILE *fp);
 * DESCRIPTION
 *	The trust store of the configuration (--config FILE, default the
 *	built-in one; see certs_conf(3)) is the system CA bundle, the file
 *	tls.trust.ca_file, and the trust directory, which these commands
 *	manage:
 *
 *	list	the sources of the trust store, and every certificate of
 *		the directory: name, subject, issuer, CA or pinned leaf,
 *		expiry, SHA-256 fingerprint.
 *
 *	add FILE [--name NAME] [--leaf]
 *		trust the certificates of a PEM (or DER) file, each named
 *		by its CN (or NAME for a single one). A certificate that
 *		is not a CA is refused unless --leaf asks to pin it. It
 *		warns when the certificates stop before their root.
 *
 *	remove NAME
 *		stop trusting NAME.
 *
 *	fetch HOST:PORT [--starttls] [--add] [--select N,...] [--leaf]
 *		[--timeout SECONDS]
 *		connect (SMTP STARTTLS with --starttls, else implicit
 *		TLS), print the chain the server sends, numbered from 0
 *		(its own certificate), and warn when it lacks its root.
 *		--add adds the CA certificates of the chain; --select adds
 *		the ones numbered (0, the server's own, needs --leaf).
 *
 *	A running mtad reads the trust store at start and on reload.
 *	mtactl_trust() returns the exit status: 0 done; 1 failed (nothing
 *	changed); 2 a command line error.
 */
#ifndef MTACTL_TRUST_H
#define MTACTL_TRUST_H

#include <stdio.h>

int	mtactl_trust(int, char **, int);
void	mtactl_trust_usage(FILE *);

#endif
