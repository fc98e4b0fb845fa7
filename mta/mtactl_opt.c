/*
 * NAME
 *	mtactl_opt - options, configuration and JSON output of mtactl commands
 * DESCRIPTION
 *	See mtactl_opt.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "msg.h"

#include "conf.h"

#include "mtactl_opt.h"

/* mtactl_opt_bad - a command line error: say why and how */

int
mtactl_opt_bad(const char *cmd, const char *usage, const char *fmt, ...)
{
	struct buf *why = buf_new(0);
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
	msg_error("%s: %s", cmd, why->data);
	(void) fprintf(stderr, "usage: mtactl %s %s\n", cmd, usage);
	buf_free(why);
	return (2);
}

/* mtactl_opt_parse - the options of one command */

int
mtactl_opt_parse(const char *cmd, const char *usage,
    const struct mtactl_opt *opts, int argc, char **argv, const char **pos,
    int maxpos, int *npos, int *json, int *help)
{
	const struct mtactl_opt *op;
	const char *arg;
	const char *eq;
	size_t	len;
	int	i;

	*npos = 0;
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			*help = 1;
			return (0);
		}
		if (strcmp(arg, "--json") == 0) {
			*json = 1;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == 0) {
			if (*npos >= maxpos)
				return (mtactl_opt_bad(cmd, usage, "unexpected "
				    "argument \"%s\"", arg));
			pos[(*npos)++] = arg;
			continue;
		}
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t) (eq - arg) : strlen(arg);
		for (op = opts; op->name; op++)
			if (strlen(op->name) == len
			    && strncmp(op->name, arg, len) == 0)
				break;
		if (op->name == NULL)
			return (mtactl_opt_bad(cmd, usage, "unknown option "
			    "--%.*s", (int) len, arg));
		if (op->value == NULL) {
			if (eq != NULL)
				return (mtactl_opt_bad(cmd, usage,
				    "option --%s takes no value", op->name));
			*op->flag = 1;
			continue;
		}
		if (*op->value != NULL)
			return (mtactl_opt_bad(cmd, usage, "option --%s given "
			    "twice", op->name));
		if (eq != NULL)
			*op->value = eq + 1;
		else if (i + 1 < argc)
			*op->value = argv[++i];
		else
			return (mtactl_opt_bad(cmd, usage, "option --%s needs "
			    "a value", op->name));
	}
	return (0);
}

/* mtactl_opt_conf - the configuration, as mtad would load it */

struct conf *
mtactl_opt_conf(const char *cmd, const char *path)
{
	struct buf *err;
	struct conf *cf;

	if (path == NULL)
		return (conf_load_default());
	err = buf_new(0);
	if ((cf = conf_load_file(path, err)) == NULL) {
		msg_error("%s: configuration errors:", cmd);
		(void) fputs(err->data, stderr);
		if (err->len > 0 && err->data[err->len - 1] != '\n')
			(void) fputc('\n', stderr);
	}
	buf_free(err);
	return (cf);
}

/* mtactl_opt_json_print - print a JSON value and free it */

void
mtactl_opt_json_print(json_t *val)
{
	char   *text = json_dumps(val, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (text == NULL)
		msg_fatal("cannot encode JSON output");
	(void) printf("%s\n", text);
	free(text);
	json_decref(val);
}

/* mtactl_opt_json_str - add a string member unless NULL */

void
mtactl_opt_json_str(json_t *obj, const char *key, const char *val)
{
	if (val != NULL)
		(void) json_object_set_new(obj, key, json_string(val));
}
