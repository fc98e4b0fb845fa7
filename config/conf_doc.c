/*
 * NAME
 *	conf_doc - the configuration reference, printed from the table
 * DESCRIPTION
 *	See conf_doc.h. The tables are generated so that the reference can
 *	never disagree with the loader about a name, a default or a bound.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "mem.h"

#include "conf.h"
#include "conf_doc.h"
#include "conf_param.h"
#include "conf_priv.h"

static const char *const conf_doc_scopes[CONF_SCOPE_COUNT] = {
	"global", "listener", "policy", "group", "cert", "bounce", "dest",
	"smarthost",
};

/* conf_doc_cell - append text for a table cell ("|" escaped) */

static void
conf_doc_cell(const char *text, size_t len, struct buf *out)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (text[i] == '|')
			buf_putc(out, '\\');
		buf_putc(out, text[i]);
	}
}

/* conf_doc_code - append `text` for a table cell */

static void
conf_doc_code(const char *text, size_t len, struct buf *out)
{
	buf_putc(out, '`');
	conf_doc_cell(text, len, out);
	buf_putc(out, '`');
}

/* conf_doc_allowed - the allowed values of a parameter */

static void
conf_doc_allowed(const struct conf_param *pp, struct buf *out)
{
	struct buf tmp;
	const char *wp;
	size_t	len;
	int	i;

	buf_init(&tmp, 0);
	switch (pp->kind) {
	case CONF_K_INT:
		buf_printf(out, "%lld..%lld", pp->min, pp->max);
		break;
	case CONF_K_SIZE:
	case CONF_K_DURATION:
		conf_param_format(pp, &pp->min, &tmp);
		buf_puts(&tmp, "..");
		conf_param_format(pp, &pp->max, &tmp);
		buf_append(out, tmp.data, tmp.len);
		break;
	case CONF_K_BOOL:
		buf_puts(out, "`true`, `false`");
		break;
	case CONF_K_ENUM:
		for (i = 0; (wp = conf_param_enum_word(pp, i, &len)) != NULL;
		    i++) {
			if (i > 0)
				buf_puts(out, ", ");
			conf_doc_code(wp, len, out);
		}
		break;
	case CONF_K_ADDRESS:
		buf_puts(out, "IPv4 or IPv6 address");
		break;
	case CONF_K_PATH:
		buf_printf(out, "absolute, at most %lld bytes", pp->max);
		break;
	default:
		if (pp->min > 0)
			buf_printf(out, "%lld..%lld bytes", pp->min, pp->max);
		else
			buf_printf(out, "at most %lld bytes", pp->max);
		break;
	}
	buf_fini(&tmp);
}

/* conf_doc_table - a Markdown table of one scope's parameters */

static void
conf_doc_table(enum conf_scope scope, struct buf *out)
{
	const struct conf_param *pp;
	struct buf path;
	size_t	i;

	buf_init(&path, 0);
	buf_puts(out, "| Parameter | Type | Default | Allowed | "
	    "Description |\n");
	buf_puts(out, "| --- | --- | --- | --- | --- |\n");
	for (i = 0; i < conf_param_count; i++) {
		pp = &conf_params[i];
		if (pp->scope != scope)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s%s", conf_param_prefix(scope), pp->path);
		buf_puts(out, "| ");
		conf_doc_code(path.data, path.len, out);
		buf_printf(out, " | %s | ", conf_param_kind_name(pp->kind));
		if (pp->def == NULL)
			buf_puts(out, "(required)");
		else if (*pp->def == 0)
			buf_puts(out, "(empty)");
		else
			conf_doc_code(pp->def, strlen(pp->def), out);
		buf_puts(out, " | ");
		conf_doc_allowed(pp, out);
		buf_puts(out, " | ");
		conf_doc_cell(pp->doc, strlen(pp->doc), out);
		buf_puts(out, " |\n");
	}
	buf_fini(&path);
}

/* conf_doc_yaml - a fenced YAML block */

static void
conf_doc_yaml(const char *text, struct buf *out)
{
	buf_puts(out, "```yaml\n");
	buf_puts(out, text);
	if (*text && text[strlen(text) - 1] != '\n')
		buf_putc(out, '\n');
	buf_puts(out, "```\n");
}

/* conf_doc_marker - expand one marker line; -1 when unknown */

static int
conf_doc_marker(const char *line, size_t len, struct buf *out)
{
	size_t	i;
	size_t	n;

	if (len == 16 && strncmp(line, "@DEFAULT_CONFIG@", 16) == 0) {
		conf_doc_yaml(conf_default_yaml, out);
		return (0);
	}
	if (len > 9 && strncmp(line, "@PARAMS ", 8) == 0) {
		for (i = 0; i < CONF_SCOPE_COUNT; i++) {
			n = strlen(conf_doc_scopes[i]);
			if (len == 9 + n
			    && strncmp(line + 8, conf_doc_scopes[i], n) == 0) {
				conf_doc_table((enum conf_scope) i, out);
				return (0);
			}
		}
	}
	if (len == 19 && strncmp(line, "@PREDEFINED public@", 19) == 0) {
		conf_doc_yaml(conf_predef_text(CONF_LISTENER_PUBLIC), out);
		return (0);
	}
	if (len == 20 && strncmp(line, "@PREDEFINED private@", 20) == 0) {
		conf_doc_yaml(conf_predef_text(CONF_LISTENER_PRIVATE), out);
		return (0);
	}
	return (-1);
}

/* conf_doc_write - expand the template into the reference */

int
conf_doc_write(const char *template, struct buf *out, struct buf *errors)
{
	const char *line = template;
	const char *end;
	size_t	len;
	int	lineno = 1;
	int	ret = 0;

	while (*line) {
		end = strchr(line, '\n');
		len = end ? (size_t) (end - line) : strlen(line);
		if (len > 1 && line[0] == '@' && line[len - 1] == '@') {
			if (conf_doc_marker(line, len, out) < 0) {
				buf_printf(errors, "template:%d: unknown "
				    "marker %.*s\n", lineno, (int) len, line);
				ret = -1;
			}
		} else {
			buf_append(out, line, len);
			buf_putc(out, '\n');
		}
		if (end == NULL)
			break;
		line = end + 1;
		lineno++;
	}
	return (ret);
}
