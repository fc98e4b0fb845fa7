/*
 * NAME
 *	mta_args - the command line shared by mtad and its children
 * DESCRIPTION
 *	See mta_args.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
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

/* mta_args_read - all of a descriptor's bytes from the start */

static int
mta_args_read(int fd, struct buf *out)
{
	char	chunk[8192];
	off_t	off = 0;
	ssize_t	n;

	while ((n = pread(fd, chunk, sizeof(chunk), off)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (-1);
		buf_append(out, chunk, (size_t) n);
		off += n;
	}
	return (0);
}

/* mta_args_load - load the configuration these arguments name */

struct conf *
mta_args_load(const struct mta_args *args, int fd, struct buf **textp,
    struct buf *err)
{
	struct buf *text = NULL;
	struct conf *cf;
	size_t	i;
	int	bad = 0;

	if (textp)
		*textp = NULL;
	if (args->config_file == NULL) {
		cf = conf_load_default();
	} else {
		int	own = fd < 0;

		text = buf_new(0);
		if (own && (fd = open(args->config_file, O_RDONLY | O_CLOEXEC))
		    == -1) {
			buf_printf(err, "%s: cannot open: %s\n",
			    args->config_file, strerror(errno));
			buf_free(text);
			return (NULL);
		}
		if (mta_args_read(fd, text) != 0) {
			buf_printf(err, "%s: cannot read: %s\n",
			    args->config_file, strerror(errno));
			bad = 1;
		}
		if (own)
			(void) close(fd);
		if (bad) {
			buf_free(text);
			return (NULL);
		}
		cf = conf_load_string(args->config_file, text->data, text->len,
		    err);
	}
	if (cf == NULL) {
		buf_free(text);
		return (NULL);
	}
	for (i = 0; i < args->override_count; i++)
		if (conf_set_option(cf, args->overrides[i], err) != 0)
			bad = 1;
	if (bad) {
		buf_free(text);
		return (conf_free(cf));
	}
	if (textp)
		*textp = text;
	else
		buf_free(text);
	return (cf);
}

/* mta_args_snapshot - a sealed memory file holding a configuration */

int
mta_args_snapshot(const struct buf *text, struct buf *err)
{
	size_t	off = 0;
	int	fd;

	fd = memfd_create("mtad-conf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd == -1) {
		buf_printf(err, "configuration snapshot: %s", strerror(errno));
		return (-1);
	}
	while (off < text->len) {
		ssize_t	n = write(fd, text->data + off, text->len - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			buf_printf(err, "configuration snapshot: %s",
			    strerror(errno));
			(void) close(fd);
			return (-1);
		}
		off += (size_t) n;
	}
	(void) fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW
	    | F_SEAL_WRITE | F_SEAL_SEAL);
	return (fd);
}
