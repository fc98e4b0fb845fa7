/*
 * NAME
 *	mta_args - the command line shared by mtad and its children
 * SYNOPSIS
 *	#include "mta_args.h"
 *
 *	struct mta_args {
 *		const char *config_file;	NULL: embedded default
 *		const char **overrides;		"name=value", in order
 *		size_t	override_count;
 *		int	check_only;		-n
 *		int	verbose;		-v, repeatable
 *		const char *role;		-X ROLE (children only)
 *		const char *argv0;
 *	};
 *
 *	int	mta_args_parse(struct mta_args *args, int argc, char **argv,
 *		    struct buf *err);
 *	void	mta_args_free(struct mta_args *args);
 *	char	**mta_args_child_argv(const struct mta_args *args,
 *		    const char *exe, const char *role);
 *	struct conf *mta_args_load(const struct mta_args *args,
 *		    struct buf *err);
 * DESCRIPTION
 *	mtad [-c FILE] [-o name=value]... [-n] [-v] [-X ROLE]
 *
 *	mta_args_parse() returns 0, or -1 with a usage error in err.
 *	mta_args_child_argv() makes the argument vector a child role is
 *	started with: the same configuration file and overrides, and -X
 *	ROLE (the caller frees it with mem_free() on each element and the
 *	array). mta_args_load() loads the configuration these arguments
 *	name and applies the overrides; it returns NULL with one line per
 *	error in err.
 */
#ifndef MTA_ARGS_H
#define MTA_ARGS_H

#include <stddef.h>

#include "buf.h"
#include "conf.h"

struct mta_args {
	const char *config_file;
	const char **overrides;
	size_t	override_count;
	int	check_only;
	int	verbose;
	const char *role;
	const char *argv0;
};

int	mta_args_parse(struct mta_args *, int, char **, struct buf *);
void	mta_args_free(struct mta_args *);
char  **mta_args_child_argv(const struct mta_args *, const char *,
	    const char *);
struct conf *mta_args_load(const struct mta_args *, struct buf *);

#endif
