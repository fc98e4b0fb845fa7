/*
 * NAME
 *	mtactl - the operator's control program
 * SYNOPSIS
 *	mtactl [--json] GROUP COMMAND [options]
 *	mtactl --help
 *	mtactl GROUP --help
 *	mtactl GROUP COMMAND --help
 * DESCRIPTION
 *	mtactl gathers the commands an operator runs beside the daemon,
 *	grouped as an appliance's configuration commands are (certconfig
 *	and so on). Each group is a module mtactl_GROUP with one entry
 *	point; this file only dispatches.
 *
 *	Groups:
 *
 *	cert	keys and certificates: selfsign, csr, install, import-p12,
 *		export-p12, show (see mtactl_cert.h).
 *
 *	send	one message through an SMTP server, with STARTTLS or
 *		implicit TLS and SMTP AUTH, for devices and scripts
 *		(see mtactl_send.h). Its exit status says what failed:
 *		0 sent, 1 local error, 2 usage, 3 connection, 4 TLS or
 *		certificate, 5 authentication, 6 rejected, 7 rejected
 *		temporarily.
 *
 *	log	the mail log: check, track (see mtactl_log.h).
 *
 *	trust	the trust store: list, add, remove, fetch (see
 *		mtactl_trust.h).
 *
 *	sslconfig
 *		TLS settings per service: show (see mtactl_sslconfig.h).
 *
 *	tlsmatrix	the TLS policy lab matrix (see mtactl_tlsmatrix.h).
 *
 *	--json asks for JSON on standard output where a command prints
 *	data; it may also be given among the command's options.
 *
 *	Exit status: 0 done; 1 the command failed (the reason on standard
 *	error; nothing was changed) or, for a check, found a problem; 2 a
 *	command line error.
 * SECURITY
 *	Run by an operator, usually root, with file names and passwords
 *	the operator gives. It never prints a private key or a password.
 *	Files it writes are created through temporary files renamed into
 *	place, private keys with mode 0600.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "msg.h"

#include "mtactl_cert.h"
#include "mtactl_send.h"
#include "mtactl_log.h"
#include "mtactl_sslconfig.h"
#include "mtactl_trust.h"
#include "mtactl_tlsmatrix.h"

struct mtactl_group {
	const char *name;
	int	(*fn) (int, char **, int);
	void	(*usage) (FILE *);
	const char *what;
};

static const struct mtactl_group mtactl_groups[] = {
	{"cert", mtactl_cert, mtactl_cert_usage,
	"keys and certificates (certconfig)"},
	{"send", mtactl_send, mtactl_send_usage,
	"send one message through an SMTP server (exit codes: see below)"},
	{"log", mtactl_log, mtactl_log_usage, "mail log check and track"},
	{"trust", mtactl_trust, mtactl_trust_usage,
	"trusted CA certificates (certconfig CERTAUTHORITY)"},
	{"sslconfig", mtactl_sslconfig, mtactl_sslconfig_usage,
	"TLS versions and ciphers per service"},
	{"tlsmatrix", mtactl_tlsmatrix, mtactl_tlsmatrix_usage,
	"TLS policy lab: every policy against every peer behaviour"},
	{NULL, NULL, NULL, NULL},
};

/* mtactl_usage - the synopsis of every group */

static void
mtactl_usage(FILE *fp)
{
	const struct mtactl_group *gp;

	(void) fprintf(fp, "usage: mtactl [--json] GROUP COMMAND "
	    "[options]\n\ngroups:\n");
	for (gp = mtactl_groups; gp->name; gp++)
		(void) fprintf(fp, "  %-9s %s\n", gp->name, gp->what);
	(void) fprintf(fp, "\ncommands:\n");
	for (gp = mtactl_groups; gp->name; gp++)
		gp->usage(fp);
}

/* main - dispatch to a group */

int
main(int argc, char **argv)
{
	const struct mtactl_group *gp;
	int	json = 0;
	int	i;

	msg_progname("mtactl");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--help") == 0
		    || strcmp(argv[i], "-h") == 0) {
			mtactl_usage(stdout);
			return (0);
		} else {
			msg_error("unknown option \"%s\"", argv[i]);
			mtactl_usage(stderr);
			return (2);
		}
	}
	if (i >= argc) {
		msg_error("no command group given");
		mtactl_usage(stderr);
		return (2);
	}
	for (gp = mtactl_groups; gp->name; gp++)
		if (strcmp(gp->name, argv[i]) == 0)
			return (gp->fn(argc - i - 1, argv + i + 1, json));
	msg_error("unknown command group \"%s\"", argv[i]);
	mtactl_usage(stderr);
	return (2);
}
