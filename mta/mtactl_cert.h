/*
 * NAME
 *	mtactl_cert - the "mtactl cert" commands
 * SYNOPSIS
 *	#include "mtactl_cert.h"
 *
 *	int	mtactl_cert(int argc, char **argv, int json);
 *	void	mtactl_cert_usage(FILE *fp);
 * DESCRIPTION
 *	mtactl_cert() runs one certificate command; argv[0] is the
 *	command name ("selfsign", "csr", "install", "import-p12",
 *	"export-p12", "show"), the rest its options. json asks for JSON
 *	output where the command prints data. It returns the exit status:
 *	0 done, 1 failed (the reason on standard error, nothing changed
 *	on disk) or, for "show --warn-days", a certificate expires soon;
 *	2 a command line error.
 *
 *	mtactl_cert_usage() prints the synopsis of every command.
 */
#ifndef MTACTL_CERT_H
#define MTACTL_CERT_H

#include <stdio.h>

int	mtactl_cert(int, char **, int);
void	mtactl_cert_usage(FILE *);

#endif
