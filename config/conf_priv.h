/*
 * NAME
 *	conf_priv - what the files of config/ share and nobody else uses
 * SYNOPSIS
 *	#include "conf_priv.h"
 *
 *	const char *conf_intern_file(struct conf *cf, const char *name);
 *	void	conf_vloc_set(struct conf *cf, const void *field,
 *		const struct conf_loc *loc);
 *	const struct conf_loc *conf_vloc_get(const struct conf *cf,
 *		const void *field, const struct conf_loc *fallback);
 *	void	*conf_field(const struct conf_param *pp, const void *obj);
 *	int	conf_value_set(const struct conf_param *pp, void *obj,
 *		const char *text, struct buf *why);
 *	void	conf_value_copy(const struct conf_param *pp, void *dst,
 *		const void *src);
 *	void	conf_value_swap(const struct conf_param *pp, void *obj,
 *		void *save);
 *	void	conf_inherit(struct conf *cf);
 *	void	conf_hostname(struct conf *cf);
 *	int	conf_check(struct conf *cf, struct buf *errors);
 *	void	conf_error(struct buf *errors, const struct conf_loc *loc,
 *		const char *path, const char *fmt, ...);
 *	void	conf_suggest(const char *word, const char *const *cands,
 *		size_t count, struct buf *out);
 *	const char *conf_predef_text(enum conf_listener_type type);
 * DESCRIPTION
 *	conf_intern_file() returns a copy of name that lives as long as cf
 *	(for conf_loc.file). conf_vloc_set() records where the value of a
 *	field was written; conf_vloc_get() returns it, or fallback.
 *
 *	conf_field() returns the address of pp's field in obj (an object
 *	of pp's scope). conf_value_set() parses text and stores it there,
 *	freeing a previous string; on error the field is unchanged.
 *	conf_value_copy() copies a value between two objects of the scope.
 *	conf_value_swap() exchanges the value of the field with the one
 *	saved at save (sizeof a long long or a pointer, whichever is
 *	larger), for undoing an assignment.
 *
 *	conf_inherit() copies default_policy and destination_controls.default
 *	values into the parameters that named policies and destination
 *	entries do not set. conf_hostname() replaces an empty hostname by
 *	the machine's. conf_check() checks name references and
 *	constraints between parameters, appends one line per problem and
 *	returns their number.
 *
 *	conf_error() appends "LOC: PATH: message\n". conf_suggest()
 *	appends ' (did you mean "x"?)' when a candidate is close to word.
 *
 *	conf_predef_text() returns the YAML text of the predefined mail
 *	flow policies and sender groups of a listener type.
 */
#ifndef CONF_PRIV_H
#define CONF_PRIV_H

#include "buf.h"
#include "msg.h"

#include "conf.h"
#include "conf_param.h"

struct conf_vloc {
	const void *field;
	struct conf_loc loc;
};

struct conf_priv {
	char  **files;
	size_t	file_count;
	struct conf_vloc *vlocs;
	size_t	vloc_count;
	size_t	vloc_size;
	size_t *vloc_hash;		/* open addressing: index + 1, 0 free */
	size_t	hash_size;		/* a power of 2, > 2 * vloc_count */
};

/* Storage large enough for the value of any parameter kind. */
union conf_value {
	int	i;
	long long ll;
	char   *s;
};

const char *conf_intern_file(struct conf *, const char *);
void	conf_vloc_set(struct conf *, const void *, const struct conf_loc *);
const struct conf_loc *conf_vloc_get(const struct conf *, const void *,
	const struct conf_loc *);
void   *conf_field(const struct conf_param *, const void *);
int	conf_value_set(const struct conf_param *, void *, const char *,
	struct buf *);
void	conf_value_copy(const struct conf_param *, void *, const void *);
void	conf_value_swap(const struct conf_param *, void *,
	union conf_value *);
void	conf_inherit(struct conf *);
void	conf_hostname(struct conf *);
int	conf_check(struct conf *, struct buf *);
void	conf_error(struct buf *, const struct conf_loc *, const char *,
	const char *, ...) MSG_PRINTFLIKE(4, 5);
void	conf_suggest(const char *, const char *const *, size_t,
	struct buf *);
const char *conf_predef_text(enum conf_listener_type);

#endif
