/*
 * NAME
 *	mtactl_opt - options, configuration and JSON output of mtactl commands
 * SYNOPSIS
 *	#include "mtactl_opt.h"
 *
 *	struct mtactl_opt {
 *		const char *name;	"config" for --config
 *		const char **value;	NULL: a flag
 *		int	*flag;
 *	};
 *
 *	int	mtactl_opt_parse(const char *cmd, const char *usage,
 *		    const struct mtactl_opt *opts, int argc, char **argv,
 *		    const char **pos, int maxpos, int *npos, int *json,
 *		    int *help);
 *	int	mtactl_opt_bad(const char *cmd, const char *usage,
 *		    const char *fmt, ...);
 *	struct conf *mtactl_opt_conf(const char *cmd, const char *path);
 *	void	mtactl_opt_json_print(json_t *val);
 *	void	mtactl_opt_json_str(json_t *obj, const char *key,
 *		    const char *val);
 * DESCRIPTION
 *	mtactl_opt_parse() reads the options of one command: argv[0] is
 *	the command, options are "--name VALUE", "--name=VALUE" or a flag
 *	"--name"; "--json" and "--help" are always known. Other arguments
 *	are stored in pos (at most maxpos; *npos counts them). It returns 0,
 *	or 2 after printing the error and the usage "mtactl CMD USAGE" to
 *	standard error (mtactl_opt_bad() does just that).
 *
 *	mtactl_opt_conf() loads the configuration path, or the built-in
 *	default one when path is NULL, as mtad would; the caller frees it
 *	with conf_free(). On error it prints every problem and returns
 *	NULL.
 *
 *	mtactl_opt_json_print() prints a JSON value, indented, and frees
 *	it; mtactl_opt_json_str() adds a string member unless val is NULL.
 */
#ifndef MTACTL_OPT_H
#define MTACTL_OPT_H

#include <jansson.h>

#include "msg.h"

#include "conf.h"

struct mtactl_opt {
	const char *name;
	const char **value;
	int    *flag;
};

int	mtactl_opt_parse(const char *, const char *, const struct mtactl_opt *,
	    int, char **, const char **, int, int *, int *, int *);
int	mtactl_opt_bad(const char *, const char *, const char *, ...)
	    MSG_PRINTFLIKE(3, 4);
struct conf *mtactl_opt_conf(const char *, const char *);
void	mtactl_opt_json_print(json_t *);
void	mtactl_opt_json_str(json_t *, const char *, const char *);

#endif
