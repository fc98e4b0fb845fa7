/*
 * NAME
 *	mta_args - the command line shared by mtad and its children
 * DESCRIPTION
 *	See mta_args.h.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "mem.h"
#include "mta_args.h"

/* mta_args_parse - parse the command line */

int
mta_args_parse(struct mta_args *args, int argc, char **argv,
    struct buf *err)
{
	int	ch;

	memset(args, 0, sizeof(*args));
	args->argv0 = argv[0];
	opterr = 0;
	optind = 1;
	while ((ch = getopt(argc, argv, ":c:fno:vX:")) != -1) {
		switch (ch) {
		case 'c':
			args->config_file = optarg;
			break;
		case 'f':		/* always in the foreground */
			break;
		case 'n':
			args->check_only = 1;
			break;
		case 'o':
			if (strchr(optarg, '=') == NULL) {
				buf_printf(err, "-o %s: expected name=value",
				    optarg);
				return (-1);
			}
			args->overrides = mem_realloc(args->overrides,
			    args->override_count + 1,
			    sizeof(*args->overrides));
			args->overrides[args->override_count++] = optarg;
			break;
		case 'v':
			args->verbose++;
			break;
		case 'X':
			args->role = optarg;
			break;
		case ':':
			buf_printf(err, "option -%c needs a value", optopt);
			return (-1);
		default:
			buf_printf(err, "unknown option -%c", optopt);
			return (-1);
		}
	}
	if (optind < argc) {
		buf_printf(err, "unexpected argument \"%s\"", argv[optind]);
		return (-1);
	}
	return (0);
}

/* mta_args_free - release what mta_args_parse() allocated */

void
mta_args_free(struct mta_args *args)
{
	args->overrides = mem_free(args->overrides);
	args->override_count = 0;
}

/* mta_args_child_argv - the argument vector of a child role */

char  **
mta_args_child_argv(const struct mta_args *args, const char *exe,
    const char *role)
{
	size_t	n = 0;
	size_t	max = 6 + 2 * args->override_count + (size_t) args->verbose;
	char  **argv = mem_zalloc(max + 1, sizeof(*argv));
	size_t	i;

	argv[n++] = mem_strdup(exe);
	argv[n++] = mem_strdup("-X");
	argv[n++] = mem_strdup(role);
	if (args->config_file) {
		argv[n++] = mem_strdup("-c");
		argv[n++] = mem_strdup(args->config_file);
	}
	for (i = 0; i < args->override_count; i++) {
		argv[n++] = mem_strdup("-o");
		argv[n++] = mem_strdup(args->overrides[i]);
	}
	for (i = 0; i < (size_t) args->verbose; i++)
		argv[n++] = mem_strdup("-v");
	argv[n] = NULL;
	return (argv);
}

/* mta_args_load - load the configuration these arguments name */

struct conf *
mta_args_load(const struct mta_args *args, struct buf *err)
{
	struct conf *cf;
	size_t	i;
	int	bad = 0;

	if (args->config_file)
		cf = conf_load_file(args->config_file, err);
	else
		cf = conf_load_default();
	if (cf == NULL)
		return (NULL);
	for (i = 0; i < args->override_count; i++)
		if (conf_set_option(cf, args->overrides[i], err) != 0)
			bad = 1;
	if (bad)
		cf = conf_free(cf);
	return (cf);
}
