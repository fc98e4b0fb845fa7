/*
 * NAME
 *	mtactl_sslconfig - the "mtactl sslconfig" commands
 * SYNOPSIS
 *	#include "mtactl_sslconfig.h"
 *
 *	int	mtactl_sslconfig(int argc, char **argv, int json);
 *	void	mtactl_sslconfig_usage(FILE *fp);
 * DESCRIPTION
 *	"mtactl sslconfig show [--config FILE] [--ciphers] [--json]"
 *	prints the effective TLS settings of each service (inbound SMTP,
 *	outbound SMTP, HTTPS) of the configuration FILE (default: the
 *	built-in configuration): the enabled versions, and for each
 *	version whether a handshake can use it at the security level and
 *	with how many suites of the cipher list (--ciphers: which), the
 *	cipher list, the fixed TLS 1.3 suites and the security level.
 *	The answer comes from OpenSSL itself, with the contexts mtad
 *	would build.
 *
 *	mtactl_sslconfig() returns the exit status: 0, 1 (the
 *	configuration has errors), 2 (command line error).
 */
#ifndef MTACTL_SSLCONFIG_H
#define MTACTL_SSLCONFIG_H

#include <stdio.h>

int	mtactl_sslconfig(int, char **, int);
void	mtactl_sslconfig_usage(FILE *);

#endif
