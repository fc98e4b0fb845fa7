/*
 * NAME
 *	conf_param - the parameter table and the scalar value parsers
 * SYNOPSIS
 *	#include "conf_param.h"
 *
 *	extern const struct conf_param conf_params[];
 *	extern const size_t conf_param_count;
 *
 *	const struct conf_param *conf_param_find(enum conf_scope scope,
 *		const char *path);
 *	const char *conf_param_prefix(enum conf_scope scope);
 *	const char *conf_param_kind_name(enum conf_kind kind);
 *	int	conf_param_parse(const struct conf_param *pp,
 *		const char *text, void *out, struct buf *why);
 *	int	conf_param_parse_size(const char *text, long long *out);
 *	int	conf_param_parse_duration(const char *text,
 *		long long *out);
 *	int	conf_param_enum_index(const struct conf_param *pp,
 *		const char *word);
 *	const char *conf_param_enum_word(const struct conf_param *pp,
 *		int index, size_t *len);
 *	void	conf_param_format(const struct conf_param *pp,
 *		const void *in, struct buf *out);
 *	void	conf_param_free(const struct conf_param *pp, void *in);
 *	void	conf_param_quote(const char *text, struct buf *out);
 * DESCRIPTION
 *	conf_params[] is conf_params.def as data: every scalar parameter
 *	with its scope, path (relative to the scope's prefix), kind, enum
 *	words, default text, bounds, one-line description, and the offset
 *	of its field in the scope's struct; for POLICY and DEST, index is
 *	the parameter's bit in the "set" mask.
 *
 *	conf_param_find() looks a parameter up by scope and relative path.
 *	conf_param_prefix() returns the path prefix of a scope for
 *	documentation ("listeners[].").
 *
 *	conf_param_parse() converts the text of a YAML scalar to the C
 *	value of pp's kind, checks the bounds and stores it at out (the
 *	field itself: an int, a long long, or a char * that the caller
 *	then owns). It returns 0, or -1 with the reason appended to why
 *	(e.g. "70000 is out of range 1..65535"). Name references are only
 *	checked for form here; the loader checks that the name exists.
 *
 *	conf_param_format() appends the value at in as YAML scalar text
 *	(sizes and durations in the largest exact unit, strings quoted
 *	when YAML would read them as something else). conf_param_free()
 *	frees a string value at in. conf_param_quote() appends text as a
 *	YAML scalar, in double quotes when plain text would not read back
 *	as the same string.
 */
#ifndef CONF_PARAM_H
#define CONF_PARAM_H

#include <stddef.h>

#include "buf.h"

enum conf_scope {
	CONF_SCOPE_GLOBAL,
	CONF_SCOPE_LISTENER,
	CONF_SCOPE_POLICY,
	CONF_SCOPE_GROUP,
	CONF_SCOPE_CERT,
	CONF_SCOPE_BOUNCE,
	CONF_SCOPE_DEST,
	CONF_SCOPE_SMARTHOST,
	CONF_SCOPE_COUNT
};

enum conf_kind {
	CONF_K_INT,
	CONF_K_SIZE,
	CONF_K_DURATION,
	CONF_K_BOOL,
	CONF_K_STRING,
	CONF_K_PATH,
	CONF_K_ADDRESS,
	CONF_K_ENUM,
	CONF_K_CERT_REF,
	CONF_K_POLICY_REF,
	CONF_K_BOUNCE_REF,
};

struct conf_param {
	enum conf_scope scope;
	const char *path;		/* relative to the scope prefix */
	enum conf_kind kind;
	/* ENUM: allowed words, space separated */
	const char *words;
	/* default as YAML text; NULL: required */
	const char *def;
	long long min;			/* number: value; string: length */
	long long max;
	const char *doc;		/* one line */
	size_t	offset;			/* of the field in its struct */
	int	index;			/* POLICY, DEST: set mask bit */
};

extern const struct conf_param conf_params[];
extern const size_t conf_param_count;

const struct conf_param *conf_param_find(enum conf_scope, const char *);
const char *conf_param_prefix(enum conf_scope);
const char *conf_param_kind_name(enum conf_kind);
int	conf_param_parse(const struct conf_param *, const char *, void *,
	struct buf *);
int	conf_param_parse_size(const char *, long long *);
int	conf_param_parse_duration(const char *, long long *);
int	conf_param_enum_index(const struct conf_param *, const char *);
const char *conf_param_enum_word(const struct conf_param *, int, size_t *);
void	conf_param_format(const struct conf_param *, const void *,
	struct buf *);
void	conf_param_free(const struct conf_param *, void *);
void	conf_param_quote(const char *, struct buf *);

#endif
