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
 *	struct conf *mta_args_load(const struct mta_args *args, int fd,
 *		    struct buf **text, struct buf *err);
 *	int	mta_args_snapshot(const struct buf *text, struct buf *err);
 * DESCRIPTION
 *	mtad [-c FILE] [-o name=value]... [-n] [-v] [-X ROLE]
 *
 *	mta_args_parse() returns 0, or -1 with a usage error in err.
 *	mta_args_child_argv() makes the argument vector a child role is
 *	started with: the same configuration file and overrides, and -X
 *	ROLE (the caller frees it with mem_free() on each element and the
 *	array).
 *
 *	mta_args_load() loads the configuration these arguments name and
 *	applies the overrides; it returns NULL with one line per error in
 *	err. The text comes from the file given with -c, or, when fd is not
 *	-1, from that descriptor: a child started by the master reads the
 *	very bytes the master checked (mta_args_snapshot()), so a file being
 *	edited on disk never reaches a child unchecked, and a child that
 *	restarts after a refused reload still gets the running
 *	configuration. When text is not NULL it receives the text read
 *	(NULL for the embedded default; the caller frees it with
 *	buf_free()).
 *
 *	mta_args_snapshot() puts a configuration text in a sealed,
 *	close-on-exec memory file and returns its descriptor, or -1 with
 *	the reason in err.
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
struct conf *mta_args_load(const struct mta_args *, int, struct buf **,
	    struct buf *);
int	mta_args_snapshot(const struct buf *, struct buf *);

#endif
