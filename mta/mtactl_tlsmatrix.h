/*
 * NAME
 *	mtactl_tlsmatrix - the TLS policy lab matrix command
 * SYNOPSIS
 *	#include "mtactl_tlsmatrix.h"
 *
 *	int	mtactl_tlsmatrix(int argc, char **argv, int json);
 *	void	mtactl_tlsmatrix_usage(FILE *fp);
 * DESCRIPTION
 *	mtactl tlsmatrix [--outbound] [--inbound] [--policy P] [--peer B]
 *	[--json] [--markdown FILE] [--tlsrpt FILE] [--expect FILE]
 *	[--mtad PATH] [--timeout SECONDS] [--keep] [--verbose]
 *
 *	runs the lab matrix (lab_matrix(3)): every selected peer behaviour
 *	against every selected policy, through real gateway instances on
 *	loopback. Without --outbound or --inbound both halves run. It
 *	prints the table (or, with --json, the whole matrix as JSON) on
 *	standard output, writes the Markdown report and the RFC 8460
 *	TLS-RPT reports to the files given, and with --expect compares the
 *	outcomes with an expected matrix, listing each difference on
 *	standard error.
 *
 *	The gateway program is --mtad, else "mtad" in the directory of
 *	this program, else /usr/sbin/mtad.
 *
 *	Exit status: 0 done (and no difference); 1 a difference from the
 *	expected matrix, or the lab could not run; 2 a command line error.
 */
#ifndef MTACTL_TLSMATRIX_H
#define MTACTL_TLSMATRIX_H

#include <stdio.h>

int	mtactl_tlsmatrix(int, char **, int);
void	mtactl_tlsmatrix_usage(FILE *);

#endif
