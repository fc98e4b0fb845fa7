/*
 * NAME
 *	mtactl_log - the "mtactl log" commands: check and track
 * SYNOPSIS
 *	#include "mtactl_log.h"
 *
 *	int	mtactl_log(int argc, char **argv, int json);
 *	void	mtactl_log_usage(FILE *fp);
 * DESCRIPTION
 *	mtactl_log() runs one mail log command; argv[0] is the command
 *	name, the rest its options and files:
 *
 *	check [--strict] [--finished] [--json] FILE...
 *		validates the files, read as one stream in the order
 *		given, against the line grammar (logs_grammar(3)) and the
 *		stream rules of docs/maillog.md, and reports each problem
 *		as "FILE:LINE: why" on standard output (with --json, as
 *		JSON objects, one per line).
 *
 *	track [--mid N|--icid N|--dcid N|--from A|--to A|--subject S]
 *		[--json] FILE...
 *		prints, in log order, every line about the messages and
 *		connections selected, following ICID, MID, DCID and
 *		bounce links, as text or as JSON lines.
 *
 *	A directory among the files stands for its rolled files
 *	(mail.@*.s, in name order) followed by mail.current. json asks
 *	for JSON output (track). The return value is the exit status:
 *	0 done (check: no error; warnings may have been printed), 1 a
 *	file could not be read or check found an error, 2 a command line
 *	error.
 *
 *	mtactl_log_usage() prints the synopsis of every command.
 */
#ifndef MTACTL_LOG_H
#define MTACTL_LOG_H

#include <stdio.h>

int	mtactl_log(int, char **, int);
void	mtactl_log_usage(FILE *);

#endif
