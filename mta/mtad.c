/*
 * NAME
 *	mtad - the edge mail gateway
 * SYNOPSIS
 *	mtad [-c FILE] [-o name=value]... [-n] [-v]
 * DESCRIPTION
 *	Started by an operator, mtad is the master (see master.h): it
 *	checks the configuration (the file given with -c, else the one
 *	built in), applies the -o overrides, and supervises the queue
 *	manager and the listeners. With -n it only checks the
 *	configuration: it prints every error with file:line:column and
 *	exits 1, or says the configuration is valid and exits 0.
 *
 *	The master starts its children by running this same program with
 *	-X ROLE (qmgr, listener); that option is not for operators.
 *
 *	Exit status: 0 after a clean stop or a valid check; 1 on a fatal
 *	error; 2 on a command line error.
 * SECURITY
 *	See master.h, server.h and each role's main file.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "msg.h"

#include "conf.h"

#include "policy_conf.h"

#include "master.h"
#include "mta_args.h"
#include "mta_proto.h"
#include "qmgr.h"
#include "delivery.h"
#include "smtpd.h"

/* mtad_usage - complain about the command line */

static int
mtad_usage(const char *why)
{
	msg_error("%s", why);
	(void) fprintf(stderr, "usage: mtad [-c FILE] [-o name=value]... "
	    "[-n] [-v]\n");
	return (2);
}

/* main - dispatch to the master or a child role */

int
main(int argc, char **argv)
{
	struct mta_args args;
	struct buf *err = buf_new(0);
	struct buf *text = NULL;
	struct conf *cf;
	int	conf_fd;
	int	status;

	msg_progname("mtad");
	if (mta_args_parse(&args, argc, argv, err) != 0)
		return (mtad_usage(err->data));
	msg_verbose = args.verbose;
	conf_fd = args.role && fcntl(MTA_FD_CONF, F_GETFD) != -1 ? MTA_FD_CONF
	    : -1;
	if ((cf = mta_args_load(&args, conf_fd, &text, err)) == NULL
	    || (args.role == NULL && policy_conf_check(cf, err) != 0)) {
		cf = conf_free(cf);
		(void) fputs(err->data, stderr);
		if (err->len && err->data[err->len - 1] != '\n')
			(void) fputc('\n', stderr);
		msg_error("configuration %s has errors",
		    args.config_file ? args.config_file : "<default>");
		buf_free(text);
		return (1);
	}
	if (args.check_only) {
		msg_info("configuration %s is valid",
		    args.config_file ? args.config_file : "<default>");
		if (args.verbose) {
			struct buf *out = buf_new(0);

			conf_dump(cf, out);
			(void) fwrite(out->data, 1, out->len, stdout);
			buf_free(out);
		}
		conf_free(cf);
		status = 0;
	} else if (args.role == NULL) {
		status = master_main(&args, cf, text);
		text = NULL;
	} else if (strcmp(args.role, "qmgr") == 0) {
		status = qmgr_main(&args, cf);
	} else if (strcmp(args.role, "listener") == 0) {
		status = smtpd_main(&args, cf);
	} else if (strcmp(args.role, "delivery") == 0) {
		status = delivery_main(&args, cf);
	} else {
		conf_free(cf);
		status = mtad_usage("unknown role for -X");
	}
	mta_args_free(&args);
	buf_free(text);
	buf_free(err);
	return (status);
}
