/*
 * NAME
 *	conf_doc - the configuration reference, printed from the table
 * SYNOPSIS
 *	#include "conf_doc.h"
 *
 *	int	conf_doc_write(const char *template, struct buf *out,
 *		struct buf *errors);
 * DESCRIPTION
 *	conf_doc_write() appends to out the template text with each marker
 *	line replaced:
 *
 *	@PARAMS SCOPE@	a Markdown table of the parameters of SCOPE
 *			(global, listener, policy, group, cert, bounce,
 *			dest): path, type, default, allowed values, and
 *			the description;
 *	@DEFAULT_CONFIG@ the embedded default configuration (YAML block);
 *	@PREDEFINED TYPE@ the predefined policies and sender groups of a
 *			listener type (public, private), as YAML.
 *
 *	It returns 0, or -1 after appending a line to errors for each
 *	unknown marker. docs/configuration.md is this function's output for
 *	config/configuration.md.in; a unit test keeps the two in step.
 */
#ifndef CONF_DOC_H
#define CONF_DOC_H

#include "buf.h"

int	conf_doc_write(const char *, struct buf *, struct buf *);

#endif
