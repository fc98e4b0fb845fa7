/*
 * NAME
 *	conf_doc_main - print docs/configuration.md from the parameter table
 * SYNOPSIS
 *	conf_doc TEMPLATE > docs/configuration.md
 * DESCRIPTION
 *	Reads the Markdown template (config/configuration.md.in), expands
 *	its markers with conf_doc_write() and writes the result to standard
 *	output. A build-time tool; "make config-doc" runs it.
 * DIAGNOSTICS
 *	Exits 1 with a message when the template cannot be read or has an
 *	unknown marker.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "msg.h"

#include "conf_doc.h"

/* main - expand the template given as the only argument */

int
main(int argc, char **argv)
{
	struct buf template;
	struct buf out;
	struct buf errors;
	char	chunk[8192];
	size_t	n;
	FILE   *fp;

	msg_progname("conf_doc");
	if (argc != 2)
		msg_fatal("usage: conf_doc TEMPLATE");
	if ((fp = fopen(argv[1], "r")) == NULL)
		msg_fatal("open %s: %m", argv[1]);
	buf_init(&template, sizeof(chunk));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&template, chunk, n);
	if (ferror(fp))
		msg_fatal("read %s: %m", argv[1]);
	(void) fclose(fp);
	buf_init(&out, 0);
	buf_init(&errors, 0);
	if (conf_doc_write(buf_cstr(&template), &out, &errors) < 0)
		msg_fatal("%s: %s", argv[1], buf_cstr(&errors));
	if (fwrite(out.data, 1, out.len, stdout) != out.len
	    || fflush(stdout) != 0)
		msg_fatal("write: %m");
	buf_fini(&template);
	buf_fini(&out);
	buf_fini(&errors);
	return (0);
}
