/*
 * NAME
 *	conf_param - the parameter table and the scalar value parsers
 * DESCRIPTION
 *	See conf_param.h. The table is built from conf_params.def; the
 *	offsets come from the scope's struct, so a field named in the table
 *	that the struct lacks is a compile error.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"
#include "conf_param.h"

#define CONF_ENTRY(scope, type, field, path, kind, words, def, min, max, \
	doc, index) \
	{CONF_SCOPE_##scope, path, CONF_K_##kind, words, def, min, max, doc, \
	offsetof(type, field), index},

const struct conf_param conf_params[] = {
#define CONF_P_GLOBAL(f, p, k, w, d, mn, mx, doc) \
	CONF_ENTRY(GLOBAL, struct conf, f, p, k, w, d, mn, mx, doc, -1)
#define CONF_P_LISTENER(f, p, k, w, d, mn, mx, doc) \
	CONF_ENTRY(LISTENER, struct conf_listener, f, p, k, w, d, mn, mx, \
	doc, -1)
#define CONF_P_POLICY(f, p, k, w, d, mn, mx, doc) \
	CONF_ENTRY(POLICY, struct conf_policy, f, p, k, w, d, mn, mx, doc, \
	CONF_POLICY_##f)
#define CONF_P_GROUP(f, p, k, w, d, mn, mx, doc) \
	CONF_ENTRY(GROUP, struct conf_sender_group, f, p, k, w, d, mn, mx, \
	doc, -1)
#define CONF_P_CERT(f, p, k, w, d, mn, mx, doc) \
	CONF_ENTRY(CERT, struct conf_cert, f, p, k, w, d, mn, mx, doc, -1)
#define CONF_P_BOUNCE(f, p, k, w, d, mn, mx, doc) \
	CONF_ENTRY(BOUNCE, struct conf_bounce, f, p, k, w, d, mn, mx, doc, -1)
#define CONF_P_DEST(f, p, k, w, d, mn, mx, doc) \
	CONF_ENTRY(DEST, struct conf_dest, f, p, k, w, d, mn, mx, doc, \
	CONF_DEST_##f)
#define CONF_P_SMARTHOST(f, p, k, w, d, mn, mx, doc) \
	CONF_ENTRY(SMARTHOST, struct conf_smarthost, f, p, k, w, d, mn, mx, \
	doc, -1)
#include "conf_params.def"
};

const size_t conf_param_count = sizeof(conf_params) / sizeof(conf_params[0]);

static const char *const conf_scope_prefix[CONF_SCOPE_COUNT] = {
	"",
	"listeners[].",
	"listeners[].policies.NAME.",
	"listeners[].sender_groups[].",
	"certificates.NAME.",
	"bounce_profiles.NAME.",
	"destination_controls.domains.DESTINATION.",
	"smarthosts.NAME.",
};

/* conf_param_find - look a parameter up by scope and relative path */

const struct conf_param *
conf_param_find(enum conf_scope scope, const char *path)
{
	size_t	i;

	for (i = 0; i < conf_param_count; i++)
		if (conf_params[i].scope == scope
		    && strcmp(conf_params[i].path, path) == 0)
			return (&conf_params[i]);
	return (NULL);
}

/* conf_param_prefix - path prefix of a scope, for documentation */

const char *
conf_param_prefix(enum conf_scope scope)
{
	if ((int) scope < 0 || scope >= CONF_SCOPE_COUNT)
		msg_panic("conf_param_prefix: bad scope %d", (int) scope);
	return (conf_scope_prefix[scope]);
}

/* conf_param_kind_name - name of a kind, for documentation */

const char *
conf_param_kind_name(enum conf_kind kind)
{
	switch (kind) {
	case CONF_K_INT:
		return ("integer");
	case CONF_K_SIZE:
		return ("size");
	case CONF_K_DURATION:
		return ("duration");
	case CONF_K_BOOL:
		return ("boolean");
	case CONF_K_STRING:
		return ("string");
	case CONF_K_PATH:
		return ("path");
	case CONF_K_ADDRESS:
		return ("address");
	case CONF_K_ENUM:
		return ("enum");
	case CONF_K_CERT_REF:
		return ("certificate name");
	case CONF_K_POLICY_REF:
		return ("policy name");
	case CONF_K_BOUNCE_REF:
		return ("bounce profile name");
	}
	msg_panic("conf_param_kind_name: bad kind %d", (int) kind);
}

/* conf_param_number - parse [-]digits with an optional unit suffix */

static int
conf_param_number(const char *text, const char *units,
	const long long *mult, long long *out)
{
	const char *cp = text;
	long long val = 0;
	long long m = 1;
	int	neg = 0;
	int	digits = 0;
	const char *up;

	if (*cp == '-') {
		neg = 1;
		cp++;
	}
	for (; isdigit((unsigned char) *cp); cp++, digits++) {
		if (val > (LLONG_MAX - (*cp - '0')) / 10)
			return (-1);
		val = val * 10 + (*cp - '0');
	}
	if (digits == 0)
		return (-1);
	if (*cp != 0) {
		if (units == NULL || cp[1] != 0
		    || (up = strchr(units, *cp)) == NULL)
			return (-1);
		m = mult[up - units];
		if (val > LLONG_MAX / m)
			return (-1);
	}
	*out = (neg ? -val : val) * m;
	return (0);
}

/* conf_param_parse_size - parse a size with an optional K, M, G suffix */

int
conf_param_parse_size(const char *text, long long *out)
{
	static const long long mult[] = {
		1024LL, 1048576LL, 1073741824LL,
		1024LL, 1048576LL, 1073741824LL,
	};

	if (*text == '-')
		return (-1);
	return (conf_param_number(text, "KMGkmg", mult, out));
}

/* conf_param_parse_duration - parse seconds with an s, m, h, d suffix */

int
conf_param_parse_duration(const char *text, long long *out)
{
	static const long long mult[] = {1, 60, 3600, 86400};

	if (*text == '-')
		return (-1);
	return (conf_param_number(text, "smhd", mult, out));
}

/* conf_param_enum_word - the index'th word of an enum parameter */

const char *
conf_param_enum_word(const struct conf_param *pp, int index, size_t *len)
{
	const char *cp = pp->words;
	size_t	n;

	for (;;) {
		n = strcspn(cp, " ");
		if (n == 0)
			return (NULL);
		if (index-- == 0) {
			*len = n;
			return (cp);
		}
		cp += n;
		cp += strspn(cp, " ");
	}
}

/* conf_param_enum_index - index of a word of an enum parameter, or -1 */

int
conf_param_enum_index(const struct conf_param *pp, const char *word)
{
	const char *wp;
	size_t	len;
	int	i;

	for (i = 0; (wp = conf_param_enum_word(pp, i, &len)) != NULL; i++)
		if (strlen(word) == len && strncmp(word, wp, len) == 0)
			return (i);
	return (-1);
}

/* conf_param_enum_list - append "a, b or c" */

static void
conf_param_enum_list(const struct conf_param *pp, struct buf *out)
{
	const char *wp;
	size_t	len;
	int	i;
	int	n;

	for (n = 0; conf_param_enum_word(pp, n, &len) != NULL; n++)
		 /* count */ ;
	for (i = 0; (wp = conf_param_enum_word(pp, i, &len)) != NULL; i++) {
		if (i > 0)
			buf_puts(out, i == n - 1 ? " or " : ", ");
		buf_append(out, wp, len);
	}
}

/* conf_param_range - check a number against the bounds */

static int
conf_param_range(const struct conf_param *pp, const char *text,
	long long val, struct buf *why)
{
	if (val >= pp->min && val <= pp->max)
		return (0);
	buf_printf(why, "%s is out of range ", text);
	if (pp->kind == CONF_K_SIZE || pp->kind == CONF_K_DURATION) {
		conf_param_format(pp, &pp->min, why);
		buf_puts(why, "..");
		conf_param_format(pp, &pp->max, why);
	} else {
		buf_printf(why, "%lld..%lld", pp->min, pp->max);
	}
	return (-1);
}

/* conf_param_parse - convert scalar text to the C value of a parameter */

int
conf_param_parse(const struct conf_param *pp, const char *text, void *out,
	struct buf *why)
{
	long long val;
	size_t	len = strlen(text);
	unsigned char addr[16];
	int	idx;

	switch (pp->kind) {
	case CONF_K_INT:
		if (conf_param_number(text, NULL, NULL, &val) < 0) {
			buf_printf(why, "\"%s\" is not an integer", text);
			return (-1);
		}
		if (conf_param_range(pp, text, val, why) < 0)
			return (-1);
		*(int *) out = (int) val;
		return (0);
	case CONF_K_SIZE:
		if (conf_param_parse_size(text, &val) < 0) {
			buf_printf(why, "\"%s\" is not a size (a number with "
			    "an optional K, M or G suffix)", text);
			return (-1);
		}
		if (conf_param_range(pp, text, val, why) < 0)
			return (-1);
		*(long long *) out = val;
		return (0);
	case CONF_K_DURATION:
		if (conf_param_parse_duration(text, &val) < 0) {
			buf_printf(why, "\"%s\" is not a duration (a number "
			    "with an optional s, m, h or d suffix)", text);
			return (-1);
		}
		if (conf_param_range(pp, text, val, why) < 0)
			return (-1);
		*(long long *) out = val;
		return (0);
	case CONF_K_BOOL:
		if (strcmp(text, "true") == 0)
			*(int *) out = 1;
		else if (strcmp(text, "false") == 0)
			*(int *) out = 0;
		else {
			buf_printf(why, "\"%s\" is not a boolean (true or "
			    "false)", text);
			return (-1);
		}
		return (0);
	case CONF_K_ENUM:
		if ((idx = conf_param_enum_index(pp, text)) < 0) {
			buf_printf(why, "\"%s\" is not one of ", text);
			conf_param_enum_list(pp, why);
			return (-1);
		}
		*(int *) out = idx;
		return (0);
	case CONF_K_ADDRESS:
		if (inet_pton(AF_INET, text, addr) != 1
		    && inet_pton(AF_INET6, text, addr) != 1) {
			buf_printf(why, "\"%s\" is not a numeric IPv4 or IPv6 "
			    "address", text);
			return (-1);
		}
		break;
	case CONF_K_PATH:
		if (text[0] != '/' && len > 0) {
			buf_printf(why, "\"%s\" is not an absolute path", text);
			return (-1);
		}
		/* FALLTHROUGH */
	case CONF_K_STRING:
	case CONF_K_CERT_REF:
	case CONF_K_POLICY_REF:
	case CONF_K_BOUNCE_REF:
		if ((long long) len < pp->min || (long long) len > pp->max) {
			if (len == 0)
				buf_puts(why, "must not be empty");
			else
				buf_printf(why, "is %zu bytes long, more than "
				    "%lld", len, pp->max);
			return (-1);
		}
		if (strpbrk(text, "\r\n") != NULL) {
			buf_puts(why, "must be a single line");
			return (-1);
		}
		break;
	}
	*(char **) out = mem_strdup(text);
	return (0);
}

/* conf_param_unit - append val in the largest unit that divides it */

static void
conf_param_unit(long long val, const char *units, const long long *mult,
	int n, struct buf *out)
{
	int	i;

	for (i = n - 1; i >= 0; i--) {
		if (val != 0 && val % mult[i] == 0) {
			buf_printf(out, "%lld%c", val / mult[i], units[i]);
			return;
		}
	}
	buf_printf(out, "%lld", val);
}

/* conf_param_needs_quotes - would YAML read this plain text otherwise? */

static int
conf_param_needs_quotes(const char *text)
{
	static const char *const special[] = {
		"true", "false", "yes", "no", "on", "off", "null", "~",
		"True", "False", "Yes", "No", "On", "Off", "Null", "NULL",
		"TRUE", "FALSE", "YES", "NO", "ON", "OFF", "y", "n", "Y", "N",
	};
	const char *cp;
	size_t	i;

	if (*text == 0)
		return (1);
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (strcmp(text, special[i]) == 0)
			return (1);
	if (strchr("-?:,[]{}#&*!|>'\"%@` ", *text) != NULL)
		return (1);
	if (isdigit((unsigned char) *text) || *text == '.' || *text == '+')
		return (1);
	for (cp = text; *cp; cp++) {
		if ((unsigned char) *cp < 0x20 || *cp == '\\')
			return (1);
		if (*cp == ':' && (cp[1] == ' ' || cp[1] == 0))
			return (1);
		if (*cp == ' ' && cp[1] == '#')
			return (1);
	}
	return (cp[-1] == ' ');
}

/* conf_param_quote - append text as a YAML scalar, quoted when needed */

void
conf_param_quote(const char *text, struct buf *out)
{
	const char *cp;

	if (!conf_param_needs_quotes(text)) {
		buf_puts(out, text);
		return;
	}
	buf_putc(out, '"');
	for (cp = text; *cp; cp++) {
		if (*cp == '"' || *cp == '\\')
			buf_printf(out, "\\%c", *cp);
		else if ((unsigned char) *cp < 0x20)
			buf_printf(out, "\\x%02x", (unsigned char) *cp);
		else
			buf_putc(out, *cp);
	}
	buf_putc(out, '"');
}

/* conf_param_format - append a value as YAML scalar text */

void
conf_param_format(const struct conf_param *pp, const void *in,
	struct buf *out)
{
	static const long long size_mult[] = {1024LL, 1048576LL, 1073741824LL};
	static const long long dur_mult[] = {60, 3600, 86400};
	const char *wp;
	size_t	len;

	switch (pp->kind) {
	case CONF_K_INT:
		buf_printf(out, "%d", *(const int *) in);
		return;
	case CONF_K_SIZE:
		conf_param_unit(*(const long long *) in, "KMG", size_mult, 3,
		    out);
		return;
	case CONF_K_DURATION:
		if (*(const long long *) in % 60 != 0
		    || *(const long long *) in == 0)
			buf_printf(out, "%llds", *(const long long *) in);
		else
			conf_param_unit(*(const long long *) in, "mhd",
			    dur_mult, 3, out);
		return;
	case CONF_K_BOOL:
		buf_puts(out, *(const int *) in ? "true" : "false");
		return;
	case CONF_K_ENUM:
		wp = conf_param_enum_word(pp, *(const int *) in, &len);
		if (wp == NULL)
			msg_panic("conf_param_format: %s: bad enum value %d",
			    pp->path, *(const int *) in);
		if (isdigit((unsigned char) *wp))
			buf_putc(out, '"');
		buf_append(out, wp, len);
		if (isdigit((unsigned char) *wp))
			buf_putc(out, '"');
		return;
	default:
		conf_param_quote(*(char *const *) in ? *(char *const *) in : "",
		    out);
		return;
	}
}

/* conf_param_free - free the string value of a parameter */

void
conf_param_free(const struct conf_param *pp, void *in)
{
	switch (pp->kind) {
	case CONF_K_STRING:
	case CONF_K_PATH:
	case CONF_K_ADDRESS:
	case CONF_K_CERT_REF:
	case CONF_K_POLICY_REF:
	case CONF_K_BOUNCE_REF:
		*(char **) in = mem_free(*(char **) in);
		break;
	default:
		break;
	}
}
