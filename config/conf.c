/*
 * NAME
 *	conf - the configuration of mtad, loaded from YAML into C structs
 * DESCRIPTION
 *	See conf.h. libfyaml builds a document tree (with its own messages
 *	collected, never printed); the loader walks it with the parameter
 *	table: a key names a parameter of the current scope, a section of
 *	dotted parameters, or one of the few structured entries (lists and
 *	maps) that have their own loader below. Every problem is recorded
 *	and the walk goes on, so that one run shows all of them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfyaml.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"
#include "conf_param.h"
#include "conf_priv.h"

/* Most policies and sender groups one listener type predefines. */
#define CONF_PREDEF_MAX	8

struct conf_ctx {
	struct conf *cf;
	const char *file;		/* interned, for conf_loc */
	struct buf *errors;
	int	nerrors;
	int	predef;			/* loading predefined text */
};

typedef void conf_special_fn(struct conf_ctx *, struct fy_node *,
	const struct conf_loc *, const char *, void *);

static conf_special_fn conf_load_servers, conf_load_sbrs_table,
	conf_load_dnslists, conf_load_certs, conf_load_listeners,
	conf_load_bounces, conf_load_dest_default, conf_load_dest_domains,
	conf_load_default_policy, conf_load_policies, conf_load_groups,
	conf_load_members, conf_load_routes, conf_load_alert_rcpts,
	conf_load_smarthosts;

/*
 * Entries that are not scalar parameters: each has its own loader. The
 * documentation describes them in the prose of configuration.md.in.
 */
static const struct conf_special {
	enum conf_scope scope;
	const char *path;
	conf_special_fn *fn;
} conf_specials[] = {
	{CONF_SCOPE_GLOBAL, "dns.servers", conf_load_servers},
	{CONF_SCOPE_GLOBAL, "alerts.recipients", conf_load_alert_rcpts},
	{CONF_SCOPE_GLOBAL, "smtp_routes", conf_load_routes},
	{CONF_SCOPE_GLOBAL, "smarthosts", conf_load_smarthosts},
	{CONF_SCOPE_GLOBAL, "sbrs.table", conf_load_sbrs_table},
	{CONF_SCOPE_GLOBAL, "sbrs.dnslists", conf_load_dnslists},
	{CONF_SCOPE_GLOBAL, "certificates", conf_load_certs},
	{CONF_SCOPE_GLOBAL, "listeners", conf_load_listeners},
	{CONF_SCOPE_GLOBAL, "bounce_profiles", conf_load_bounces},
	{CONF_SCOPE_GLOBAL, "destination_controls.default",
	conf_load_dest_default},
	{CONF_SCOPE_GLOBAL, "destination_controls.domains",
	conf_load_dest_domains},
	{CONF_SCOPE_LISTENER, "default_policy", conf_load_default_policy},
	{CONF_SCOPE_LISTENER, "policies", conf_load_policies},
	{CONF_SCOPE_LISTENER, "sender_groups", conf_load_groups},
	{CONF_SCOPE_GROUP, "members", conf_load_members},
};

#define CONF_SPECIAL_COUNT (sizeof(conf_specials) / sizeof(conf_specials[0]))

/* conf_loc_format - append FILE:LINE:COLUMN, or FILE */

void
conf_loc_format(const struct conf_loc *loc, struct buf *out)
{
	buf_puts(out, loc->file ? loc->file : "?");
	if (loc->line > 0)
		buf_printf(out, ":%d:%d", loc->line, loc->column);
}

/* conf_verror - append one error line */

static void
conf_verror(struct buf *errors, const struct conf_loc *loc, const char *path,
	const char *fmt, va_list ap)
{
	conf_loc_format(loc, errors);
	buf_puts(errors, ": ");
	if (path != NULL && *path != 0)
		buf_printf(errors, "%s: ", path);
	buf_vprintf(errors, fmt, ap);
	buf_putc(errors, '\n');
}

/* conf_error - append "LOC: PATH: message" */

void
conf_error(struct buf *errors, const struct conf_loc *loc, const char *path,
	const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	conf_verror(errors, loc, path, fmt, ap);
	va_end(ap);
}

/* conf_ctx_error - record one error of a load */

static void MSG_PRINTFLIKE(4, 5)
conf_ctx_error(struct conf_ctx *ctx, const struct conf_loc *loc,
	const char *path, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	conf_verror(ctx->errors, loc, path, fmt, ap);
	va_end(ap);
	ctx->nerrors++;
}

/* conf_distance - edit distance of two short words (a swap counts 1) */

static size_t
conf_distance(const char *a, const char *b)
{
	size_t	la = strlen(a);
	size_t	lb = strlen(b);
	size_t	d[65][65];
	size_t	i, j, best;

	if (la > 64 || lb > 64)
		return ((size_t) -1);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2]
			    && a[i - 2] == b[j - 1]
			    && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return (d[la][lb]);
}

/* conf_suggest - append a "did you mean" for the closest candidate */

void
conf_suggest(const char *word, const char *const *cands, size_t count,
	struct buf *out)
{
	const char *best = NULL;
	size_t	best_d = (size_t) -1;
	size_t	limit = strlen(word) < 6 ? 1 : 2;
	size_t	i, d;

	for (i = 0; i < count; i++) {
		d = conf_distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	if (best != NULL && best_d <= limit)
		buf_printf(out, " (did you mean \"%s\"?)", best);
}

/* conf_intern_file - a copy of a file name that lives as long as cf */

const char *
conf_intern_file(struct conf *cf, const char *name)
{
	struct conf_priv *pp = cf->priv;
	size_t	i;

	for (i = 0; i < pp->file_count; i++)
		if (strcmp(pp->files[i], name) == 0)
			return (pp->files[i]);
	pp->files = mem_realloc(pp->files, pp->file_count + 1,
	    sizeof(*pp->files));
	pp->files[pp->file_count] = mem_strdup(name);
	return (pp->files[pp->file_count++]);
}

/* conf_vloc_slot - the hash slot of a field, or of where it would go */

static size_t
conf_vloc_slot(const struct conf_priv *pp, const void *field)
{
	uintptr_t h = (uintptr_t) field;
	size_t	i;

	h ^= h >> 17;
	h *= (uintptr_t) 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	for (i = h & (pp->hash_size - 1); pp->vloc_hash[i] != 0;
	    i = (i + 1) & (pp->hash_size - 1))
		if (pp->vlocs[pp->vloc_hash[i] - 1].field == field)
			break;
	return (i);
}

/* conf_vloc_rehash - grow the hash index */

static void
conf_vloc_rehash(struct conf_priv *pp)
{
	size_t	i;

	mem_free(pp->vloc_hash);
	pp->hash_size = pp->hash_size ? 2 * pp->hash_size : 128;
	pp->vloc_hash = mem_zalloc(pp->hash_size, sizeof(*pp->vloc_hash));
	for (i = 0; i < pp->vloc_count; i++)
		pp->vloc_hash[conf_vloc_slot(pp, pp->vlocs[i].field)] = i + 1;
}

/* conf_vloc_set - record where the value of a field was written */

void
conf_vloc_set(struct conf *cf, const void *field, const struct conf_loc *loc)
{
	struct conf_priv *pp = cf->priv;
	size_t	slot;

	if (2 * (pp->vloc_count + 1) > pp->hash_size)
		conf_vloc_rehash(pp);
	slot = conf_vloc_slot(pp, field);
	if (pp->vloc_hash[slot] != 0) {
		pp->vlocs[pp->vloc_hash[slot] - 1].loc = *loc;
		return;
	}
	if (pp->vloc_count == pp->vloc_size) {
		pp->vloc_size = pp->vloc_size ? 2 * pp->vloc_size : 64;
		pp->vlocs = mem_realloc(pp->vlocs, pp->vloc_size,
		    sizeof(*pp->vlocs));
	}
	pp->vlocs[pp->vloc_count].field = field;
	pp->vlocs[pp->vloc_count].loc = *loc;
	pp->vloc_hash[slot] = ++pp->vloc_count;
}

/* conf_vloc_get - where the value of a field was written, or fallback */

const struct conf_loc *
conf_vloc_get(const struct conf *cf, const void *field,
	const struct conf_loc *fallback)
{
	const struct conf_priv *pp = cf->priv;
	size_t	slot;

	if (pp->hash_size == 0)
		return (fallback);
	slot = conf_vloc_slot(pp, field);
	if (pp->vloc_hash[slot] == 0)
		return (fallback);
	return (&pp->vlocs[pp->vloc_hash[slot] - 1].loc);
}

/* conf_where - where the value of a configuration field was written */

const struct conf_loc *
conf_where(const struct conf *cf, const void *field)
{
	return (conf_vloc_get(cf, field, NULL));
}

/* conf_field - address of a parameter's field in an object */

void   *
conf_field(const struct conf_param *pp, const void *obj)
{
	return ((char *) obj + pp->offset);
}

/* conf_value_size - bytes of a parameter's C value */

static size_t
conf_value_size(const struct conf_param *pp)
{
	switch (pp->kind) {
	case CONF_K_INT:
	case CONF_K_BOOL:
	case CONF_K_ENUM:
		return (sizeof(int));
	case CONF_K_SIZE:
	case CONF_K_DURATION:
		return (sizeof(long long));
	default:
		return (sizeof(char *));
	}
}

/* conf_value_set - parse text and store it in a field */

int
conf_value_set(const struct conf_param *pp, void *obj, const char *text,
	struct buf *why)
{
	union conf_value val;
	void   *field = conf_field(pp, obj);

	memset(&val, 0, sizeof(val));
	if (conf_param_parse(pp, text, &val, why) < 0)
		return (-1);
	conf_param_free(pp, field);
	memcpy(field, &val, conf_value_size(pp));
	return (0);
}

/* conf_value_copy - copy a parameter's value between two objects */

void
conf_value_copy(const struct conf_param *pp, void *dst, const void *src)
{
	void   *df = conf_field(pp, dst);
	const void *sf = conf_field(pp, src);

	if (df == sf)
		return;
	conf_param_free(pp, df);
	switch (pp->kind) {
	case CONF_K_INT:
	case CONF_K_BOOL:
	case CONF_K_ENUM:
	case CONF_K_SIZE:
	case CONF_K_DURATION:
		memcpy(df, sf, conf_value_size(pp));
		break;
	default:
		*(char **) df = mem_strdup(*(char *const *) sf);
		break;
	}
}

/* conf_value_swap - exchange a field's value with a saved one */

void
conf_value_swap(const struct conf_param *pp, void *obj,
	union conf_value *save)
{
	union conf_value tmp;
	void   *field = conf_field(pp, obj);
	size_t	n = conf_value_size(pp);

	memcpy(&tmp, field, n);
	memcpy(field, save, n);
	memcpy(save, &tmp, n);
}

/* conf_defaults - give every parameter of a scope its default */

static void
conf_defaults(enum conf_scope scope, void *obj)
{
	struct buf why;
	size_t	i;

	buf_init(&why, 0);
	for (i = 0; i < conf_param_count; i++) {
		if (conf_params[i].scope != scope || conf_params[i].def == NULL)
			continue;
		if (conf_value_set(&conf_params[i], obj, conf_params[i].def,
		    &why) < 0)
			msg_panic("conf: default of %s%s: %s",
			    conf_param_prefix(scope), conf_params[i].path,
			    buf_cstr(&why));
	}
	buf_fini(&why);
}

/* conf_free_params - free the string parameters of an object */

static void
conf_free_params(enum conf_scope scope, void *obj)
{
	size_t	i;

	for (i = 0; i < conf_param_count; i++)
		if (conf_params[i].scope == scope)
			conf_param_free(&conf_params[i],
			    conf_field(&conf_params[i], obj));
}

/* conf_path - append a child path: parent.key or key */

static char *
conf_path(const char *parent, const char *key)
{
	struct buf bp;
	char   *path;

	buf_init(&bp, 0);
	if (*parent != 0)
		buf_printf(&bp, "%s.%s", parent, key);
	else
		buf_puts(&bp, key);
	path = buf_steal(&bp);
	buf_fini(&bp);
	return (path);
}

/* conf_path_index - parent[index] */

static char *
conf_path_index(const char *parent, size_t index)
{
	struct buf bp;
	char   *path;

	buf_init(&bp, 0);
	buf_printf(&bp, "%s[%zu]", parent, index);
	path = buf_steal(&bp);
	buf_fini(&bp);
	return (path);
}

/* conf_node_loc - where a node starts, or fallback when unknown */

static void
conf_node_loc(struct conf_ctx *ctx, struct fy_node *fyn,
	const struct conf_loc *fallback, struct conf_loc *loc)
{
	struct fy_token *fyt = NULL;
	const struct fy_mark *mark;
	struct fy_node_pair *pair;
	void   *iter = NULL;

	*loc = *fallback;
	if (fyn == NULL)
		return;
	switch (fy_node_get_type(fyn)) {
	case FYNT_SCALAR:
		fyt = fy_node_get_scalar_token(fyn);
		break;
	case FYNT_MAPPING:
		if ((pair = fy_node_mapping_iterate(fyn, &iter)) != NULL)
			conf_node_loc(ctx, fy_node_pair_key(pair), fallback,
			    loc);
		return;
	case FYNT_SEQUENCE:
		conf_node_loc(ctx, fy_node_sequence_iterate(fyn, &iter),
		    fallback, loc);
		return;
	}
	if (fyt != NULL && (mark = fy_token_start_mark(fyt)) != NULL) {
		loc->file = ctx->file;
		loc->line = mark->line + 1;
		/*
		 * The column of the value's first character, inside its
		 * quotes: policy/ adds offsets into the text to it.
		 */
		loc->column = mark->column + 1;
	}
}

/* conf_node_kind - a node's type, for messages */

static const char *
conf_node_kind(struct fy_node *fyn)
{
	if (fyn == NULL)
		return ("nothing");
	switch (fy_node_get_type(fyn)) {
	case FYNT_SCALAR:
		return ("a scalar");
	case FYNT_SEQUENCE:
		return ("a sequence");
	case FYNT_MAPPING:
		return ("a mapping");
	}
	return ("something else");
}

/* conf_deref - follow an alias to the node it names */

static struct fy_node *
conf_deref(struct fy_node *fyn)
{
	struct fy_node *target;

	if (fyn != NULL && fy_node_is_alias(fyn)
	    && (target = fy_node_resolve_alias(fyn)) != NULL)
		return (target);
	return (fyn);
}

/* conf_expect - check a node's type; report and return 0 when wrong */

static int
conf_expect(struct conf_ctx *ctx, struct fy_node *fyn, enum fy_node_type type,
	const char *path, const struct conf_loc *fallback)
{
	struct conf_loc loc;
	static const char *const names[] = {
		[FYNT_SCALAR] = "a scalar",
		[FYNT_SEQUENCE] = "a sequence",
		[FYNT_MAPPING] = "a mapping",
	};

	if (fyn != NULL && fy_node_get_type(fyn) == type)
		return (1);
	conf_node_loc(ctx, fyn, fallback, &loc);
	conf_ctx_error(ctx, &loc, path, "expected %s, found %s", names[type],
	    conf_node_kind(fyn));
	return (0);
}

/* conf_scalar - NUL-terminated copy of a scalar (NULL: reported) */

static char *
conf_scalar(struct conf_ctx *ctx, struct fy_node *fyn, const char *path,
	const struct conf_loc *loc)
{
	const char *text;
	size_t	len;

	if ((text = fy_node_get_scalar(fyn, &len)) == NULL)
		return (mem_strdup(""));
	/* A plain null ("key:", "key: ~") reads as the empty string. */
	if (fy_node_get_style(fyn) == FYNS_PLAIN && ((len == 1 && *text == '~')
	    || (len == 4 && (memcmp(text, "null", 4) == 0
	    || memcmp(text, "Null", 4) == 0 || memcmp(text, "NULL", 4) == 0))))
		return (mem_strdup(""));
	if (memchr(text, 0, len) != NULL) {
		conf_ctx_error(ctx, loc, path, "contains a NUL character");
		return (NULL);
	}
	return (mem_strndup(text, len));
}

/* conf_is_section - do parameters or special entries live below path? */

static int
conf_is_section(enum conf_scope scope, const char *rel)
{
	size_t	len = strlen(rel);
	size_t	i;

	for (i = 0; i < conf_param_count; i++)
		if (conf_params[i].scope == scope
		    && strncmp(conf_params[i].path, rel, len) == 0
		    && conf_params[i].path[len] == '.')
			return (1);
	for (i = 0; i < CONF_SPECIAL_COUNT; i++)
		if (conf_specials[i].scope == scope
		    && strncmp(conf_specials[i].path, rel, len) == 0
		    && conf_specials[i].path[len] == '.')
			return (1);
	return (0);
}

/* conf_add_cand - add the next path component below prefix, once */

static void
conf_add_cand(const char *path, const char *prefix, char **cands,
	size_t *count)
{
	size_t	plen = strlen(prefix);
	size_t	n;
	size_t	i;

	if (strncmp(path, prefix, plen) != 0)
		return;
	path += plen;
	n = strcspn(path, ".");
	for (i = 0; i < *count; i++)
		if (strlen(cands[i]) == n && strncmp(cands[i], path, n) == 0)
			return;
	cands[(*count)++] = mem_strndup(path, n);
}

/* conf_unknown - report an unknown key, with a suggestion */

static void
conf_unknown(struct conf_ctx *ctx, enum conf_scope scope, const char *prefix,
	const char *key, const char *path, const struct conf_loc *loc)
{
	char  **cands;
	char   *under;
	size_t	count = 0;
	struct buf hint;
	size_t	i;

	under = *prefix ? conf_path(prefix, "") : mem_strdup("");
	cands = mem_zalloc(conf_param_count + CONF_SPECIAL_COUNT,
	    sizeof(*cands));
	for (i = 0; i < conf_param_count; i++)
		if (conf_params[i].scope == scope)
			conf_add_cand(conf_params[i].path, under, cands,
			    &count);
	for (i = 0; i < CONF_SPECIAL_COUNT; i++)
		if (conf_specials[i].scope == scope)
			conf_add_cand(conf_specials[i].path, under, cands,
			    &count);
	mem_free(under);
	buf_init(&hint, 0);
	conf_suggest(key, (const char *const *) cands, count, &hint);
	conf_ctx_error(ctx, loc, path, "unknown key%s", buf_cstr(&hint));
	buf_fini(&hint);
	for (i = 0; i < count; i++)
		mem_free(cands[i]);
	mem_free(cands);
}

/*
 * Keys of one mapping, for finding duplicates in O(n log n): a mapping
 * of destinations may hold many thousands of entries.
 */
struct conf_key {
	const char *text;		/* NULL: not a scalar */
	size_t	len;
	size_t	pos;			/* order in the mapping */
};

struct conf_keys {
	struct fy_node **nodes;		/* key nodes, in order */
	long   *first;			/* position of an earlier equal key, or
					 * -1 */
	size_t	count;
};

/* conf_key_cmp - order keys by text, then by position */

static int
conf_key_cmp(const void *a, const void *b)
{
	const struct conf_key *ka = a;
	const struct conf_key *kb = b;
	size_t	n = ka->len < kb->len ? ka->len : kb->len;
	int	c;

	if (ka->text == NULL || kb->text == NULL) {
		if (ka->text != kb->text)
			return (ka->text == NULL ? -1 : 1);
	} else if ((c = memcmp(ka->text, kb->text, n)) != 0) {
		return (c);
	} else if (ka->len != kb->len) {
		return (ka->len < kb->len ? -1 : 1);
	}
	return (ka->pos < kb->pos ? -1 : ka->pos > kb->pos);
}

/* conf_keys_scan - index the keys of a mapping */

static void
conf_keys_scan(struct fy_node *map, struct conf_keys *kp)
{
	struct fy_node_pair *pair;
	struct conf_key *keys;
	void   *iter = NULL;
	size_t	n = (size_t) fy_node_mapping_item_count(map);
	size_t	i, run;

	kp->nodes = mem_zalloc(n + 1, sizeof(*kp->nodes));
	kp->first = mem_zalloc(n + 1, sizeof(*kp->first));
	keys = mem_zalloc(n + 1, sizeof(*keys));
	for (i = 0; i < n && (pair = fy_node_mapping_iterate(map, &iter))
	    != NULL; i++) {
		kp->nodes[i] = conf_deref(fy_node_pair_key(pair));
		keys[i].pos = i;
		kp->first[i] = -1;
		if (kp->nodes[i] != NULL && fy_node_is_scalar(kp->nodes[i]))
			keys[i].text = fy_node_get_scalar(kp->nodes[i],
			    &keys[i].len);
	}
	kp->count = i;
	qsort(keys, kp->count, sizeof(*keys), conf_key_cmp);
	for (run = 0, i = 1; i < kp->count; i++) {
		if (keys[i].text != NULL && keys[run].text != NULL
		    && keys[i].len == keys[run].len
		    && memcmp(keys[i].text, keys[run].text, keys[i].len) == 0)
			kp->first[keys[i].pos] = (long) keys[run].pos;
		else
			run = i;
	}
	mem_free(keys);
}

/* conf_keys_free - release a key index */

static void
conf_keys_free(struct conf_keys *kp)
{
	kp->nodes = mem_free(kp->nodes);
	kp->first = mem_free(kp->first);
}

/* conf_dup_key - report a key given twice in one mapping */

static int
conf_dup_key(struct conf_ctx *ctx, const struct conf_keys *kp, size_t pos,
	const char *path, const struct conf_loc *loc)
{
	struct conf_loc first;

	if (pos >= kp->count || kp->first[pos] < 0)
		return (0);
	conf_node_loc(ctx, kp->nodes[kp->first[pos]], loc, &first);
	conf_ctx_error(ctx, loc, path, "duplicate key (first given at %d:%d)",
	    first.line, first.column);
	return (1);
}

/* conf_set_param - store the scalar value of one parameter */

static void
conf_set_param(struct conf_ctx *ctx, const struct conf_param *pp,
	struct fy_node *val, const char *path, const struct conf_loc *keyloc,
	void *obj, uint32_t *setmask, unsigned char *given)
{
	struct conf_loc loc;
	struct buf why;
	char   *text;

	if (!conf_expect(ctx, val, FYNT_SCALAR, path, keyloc))
		return;
	conf_node_loc(ctx, val, keyloc, &loc);
	if ((text = conf_scalar(ctx, val, path, &loc)) == NULL)
		return;
	buf_init(&why, 0);
	if (conf_value_set(pp, obj, text, &why) < 0) {
		conf_ctx_error(ctx, &loc, path, "%s", buf_cstr(&why));
	} else {
		if (!ctx->predef)
			conf_vloc_set(ctx->cf, conf_field(pp, obj), &loc);
		if (setmask != NULL && pp->index >= 0)
			*setmask |= 1U << pp->index;
		if (given != NULL)
			given[pp - conf_params] = 1;
	}
	buf_fini(&why);
	mem_free(text);
}

/* conf_walk - load a mapping of parameters of one scope */

static void
conf_walk(struct conf_ctx *ctx, struct fy_node *map, enum conf_scope scope,
	const char *prefix, void *obj, const char *path,
	uint32_t *setmask, unsigned char *given)
{
	struct fy_node_pair *pair;
	struct fy_node *kn, *val;
	const struct conf_param *pp;
	struct conf_loc keyloc;
	struct conf_loc none = {ctx->file, 0, 0};
	void   *iter = NULL;
	char   *key, *rel, *child;
	struct conf_keys keys;
	size_t	i, pos;

	conf_keys_scan(map, &keys);
	for (pos = 0; (pair = fy_node_mapping_iterate(map, &iter)) != NULL;
	    pos++) {
		kn = conf_deref(fy_node_pair_key(pair));
		val = conf_deref(fy_node_pair_value(pair));
		conf_node_loc(ctx, kn, &none, &keyloc);
		if (!conf_expect(ctx, kn, FYNT_SCALAR, path, &none))
			continue;
		if ((key = conf_scalar(ctx, kn, path, &keyloc)) == NULL)
			continue;
		child = conf_path(path, key);
		rel = conf_path(prefix, key);
		if (conf_dup_key(ctx, &keys, pos, child, &keyloc))
			goto next;
		for (i = 0; i < CONF_SPECIAL_COUNT; i++) {
			if (conf_specials[i].scope == scope
			    && strcmp(conf_specials[i].path, rel) == 0) {
				conf_specials[i].fn(ctx, val, &keyloc, child,
				    obj);
				goto next;
			}
		}
		if ((pp = conf_param_find(scope, rel)) != NULL
		    && strchr(key, '.') == NULL) {
			conf_set_param(ctx, pp, val, child, &keyloc, obj,
			    setmask, given);
		} else if (strchr(key, '.') != NULL) {
			/* "log.keep: 3" would bypass duplicate detection. */
			conf_ctx_error(ctx, &keyloc, child, "unknown key "
			    "(write dotted names as nested mappings)");
		} else if (conf_is_section(scope, rel)) {
			if (conf_expect(ctx, val, FYNT_MAPPING, child, &keyloc))
				conf_walk(ctx, val, scope, rel, obj, child,
				    setmask, given);
		} else {
			conf_unknown(ctx, scope, prefix, key, child, &keyloc);
		}
next:
		mem_free(rel);
		mem_free(child);
		mem_free(key);
	}
	conf_keys_free(&keys);
}

/* conf_walk_object - load one object: defaults, keys, required keys */

static void
conf_walk_object(struct conf_ctx *ctx, struct fy_node *map,
	enum conf_scope scope, void *obj, const char *path,
	const struct conf_loc *loc, uint32_t *setmask)
{
	unsigned char *given = mem_zalloc(conf_param_count, 1);
	size_t	i;

	conf_walk(ctx, map, scope, "", obj, path, setmask, given);
	for (i = 0; i < conf_param_count; i++)
		if (conf_params[i].scope == scope && conf_params[i].def == NULL
		    && !given[i])
			conf_ctx_error(ctx, loc, path,
			    "missing required key \"%s\"", conf_params[i].path);
	mem_free(given);
}

/* conf_name_ok - a policy or profile name: letter or _, then word chars */

static int
conf_name_ok(const char *name)
{
	const char *cp;

	if (!((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z')
	    || *name == '_'))
		return (0);
	for (cp = name; *cp; cp++)
		if (!((*cp >= 'A' && *cp <= 'Z') || (*cp >= 'a' && *cp <= 'z')
		    || (*cp >= '0' && *cp <= '9') || *cp == '_' || *cp == '-'))
			return (0);
	return (cp - name <= 64);
}

/*
 * conf_map_entries - the keys of a mapping of named entries, checked:
 * calls fn for each entry whose key is a scalar given once.
 */
typedef void conf_entry_fn(struct conf_ctx *, const char *,
	const struct conf_loc *, struct fy_node *, const char *, void *);

static void
conf_map_entries(struct conf_ctx *ctx, struct fy_node *map, const char *path,
	const struct conf_loc *loc, conf_entry_fn *fn, void *arg)
{
	struct fy_node_pair *pair;
	struct fy_node *kn;
	struct conf_loc keyloc;
	void   *iter = NULL;
	char   *key, *child;
	struct conf_keys keys;
	size_t	pos;

	if (!conf_expect(ctx, map, FYNT_MAPPING, path, loc))
		return;
	conf_keys_scan(map, &keys);
	for (pos = 0; (pair = fy_node_mapping_iterate(map, &iter)) != NULL;
	    pos++) {
		kn = conf_deref(fy_node_pair_key(pair));
		conf_node_loc(ctx, kn, loc, &keyloc);
		if (!conf_expect(ctx, kn, FYNT_SCALAR, path, loc))
			continue;
		if ((key = conf_scalar(ctx, kn, path, &keyloc)) == NULL)
			continue;
		child = conf_path(path, key);
		if (!conf_dup_key(ctx, &keys, pos, child, &keyloc))
			fn(ctx, key, &keyloc,
			    conf_deref(fy_node_pair_value(pair)), child, arg);
		mem_free(child);
		mem_free(key);
	}
	conf_keys_free(&keys);
}

/* conf_texts - load a sequence of scalars with their locations */

static void
conf_texts(struct conf_ctx *ctx, struct fy_node *seq, const char *path,
	const struct conf_loc *loc, struct conf_text **list, size_t *count)
{
	struct fy_node *item;
	struct conf_loc iloc;
	void   *iter = NULL;
	char   *ipath;
	char   *text;
	size_t	n = 0;

	if (!conf_expect(ctx, seq, FYNT_SEQUENCE, path, loc))
		return;
	*list = mem_zalloc(fy_node_sequence_item_count(seq) + 1,
	    sizeof(**list));
	while ((item = fy_node_sequence_iterate(seq, &iter)) != NULL) {
		item = conf_deref(item);
		ipath = conf_path_index(path, n + *count);
		conf_node_loc(ctx, item, loc, &iloc);
		if (conf_expect(ctx, item, FYNT_SCALAR, ipath, loc)
		    && (text = conf_scalar(ctx, item, ipath, &iloc)) != NULL) {
			if (*text == 0) {
				conf_ctx_error(ctx, &iloc, ipath,
				    "must not be empty");
				mem_free(text);
			} else {
				(*list)[n].text = text;
				(*list)[n].loc = iloc;
				n++;
			}
		}
		mem_free(ipath);
	}
	*count = n;
}

/* conf_load_servers - dns.servers: "address" or "address:port" */

static void
conf_load_servers(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	conf_texts(ctx, val, path, loc, &cf->dns.servers,
	    &cf->dns.server_count);
}

/* conf_load_alert_rcpts - alerts.recipients: addresses */

static void
conf_load_alert_rcpts(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;
	size_t	i;

	conf_texts(ctx, val, path, loc, &cf->alerts.recipients,
	    &cf->alerts.recipient_count);
	for (i = 0; i < cf->alerts.recipient_count; i++) {
		const char *addr = cf->alerts.recipients[i].text;
		const char *at = strrchr(addr, '@');

		if (at == NULL || at == addr || at[1] == 0
		    || strpbrk(addr, " <>\t\r\n") != NULL)
			conf_ctx_error(ctx, &cf->alerts.recipients[i].loc,
			    path, "\"%s\" is not an address like "
			    "user@example.com", addr);
	}
}

/* conf_route_entry - one smtp_routes entry: domain: [hosts] */

static void
conf_route_entry(struct conf_ctx *ctx, const char *key,
	const struct conf_loc *keyloc, struct fy_node *val, const char *path,
	void *arg)
{
	struct conf *cf = ctx->cf;
	struct conf_route *rp = &cf->routes[cf->route_count++];

	(void) arg;
	rp->domain = mem_strdup(key);
	rp->loc = *keyloc;
	conf_texts(ctx, val, path, keyloc, &rp->hosts, &rp->host_count);
	if (rp->host_count == 0 && fy_node_get_type(val) == FYNT_SEQUENCE)
		conf_ctx_error(ctx, keyloc, path, "a route needs at least "
		    "one destination");
}

/* conf_load_routes - smtp_routes: domain to next hops */

static void
conf_load_routes(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	if (!conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		return;
	cf->routes = mem_zalloc(fy_node_mapping_item_count(val) + 1,
	    sizeof(*cf->routes));
	conf_map_entries(ctx, val, path, loc, conf_route_entry, NULL);
}

/* conf_smarthost_entry - one smarthosts entry */

static void
conf_smarthost_entry(struct conf_ctx *ctx, const char *key,
	const struct conf_loc *keyloc, struct fy_node *val, const char *path,
	void *arg)
{
	struct conf *cf = ctx->cf;
	struct conf_smarthost *sp = &cf->smarthosts[cf->smarthost_count++];

	(void) arg;
	conf_defaults(CONF_SCOPE_SMARTHOST, sp);
	sp->name = mem_strdup(key);
	sp->loc = *keyloc;
	if (!conf_name_ok(key))
		conf_ctx_error(ctx, keyloc, path, "bad smarthost name "
		    "(a letter or _, then letters, digits, _ or -)");
	if (conf_expect(ctx, val, FYNT_MAPPING, path, keyloc))
		conf_walk_object(ctx, val, CONF_SCOPE_SMARTHOST, sp, path,
		    keyloc, NULL);
}

/* conf_load_smarthosts - smarthosts: name -> relay host settings */

static void
conf_load_smarthosts(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	if (!conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		return;
	cf->smarthosts = mem_zalloc(fy_node_mapping_item_count(val) + 1,
	    sizeof(*cf->smarthosts));
	conf_map_entries(ctx, val, path, loc, conf_smarthost_entry, NULL);
}

/* conf_load_dnslists - sbrs.dnslists: DNS zones */

static void
conf_load_dnslists(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	conf_texts(ctx, val, path, loc, &cf->sbrs.dnslists,
	    &cf->sbrs.dnslist_count);
}

/* conf_sbrs_entry - one sbrs.table entry: network: score */

static void
conf_sbrs_entry(struct conf_ctx *ctx, const char *key,
	const struct conf_loc *keyloc, struct fy_node *val, const char *path,
	void *arg)
{
	struct conf *cf = ctx->cf;
	struct conf_sbrs_entry *ep;
	struct conf_loc loc;
	char   *text, *end;
	double	score;

	(void) arg;
	if (!conf_expect(ctx, val, FYNT_SCALAR, path, keyloc))
		return;
	conf_node_loc(ctx, val, keyloc, &loc);
	if ((text = conf_scalar(ctx, val, path, &loc)) == NULL)
		return;
	errno = 0;
	score = strtod(text, &end);
	if (*text == 0 || *end != 0 || errno != 0 || !isfinite(score)) {
		conf_ctx_error(ctx, &loc, path, "\"%s\" is not a number", text);
	} else if (score < -10.0 || score > 10.0) {
		conf_ctx_error(ctx, &loc, path, "%s is out of range "
		    "-10.0..10.0", text);
	} else {
		ep = &cf->sbrs.table[cf->sbrs.table_count++];
		ep->network = mem_strdup(key);
		ep->loc = *keyloc;
		ep->score = score;
	}
	mem_free(text);
}

/* conf_load_sbrs_table - sbrs.table: static SenderBase scores */

static void
conf_load_sbrs_table(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	if (!conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		return;
	cf->sbrs.table = mem_zalloc(fy_node_mapping_item_count(val) + 1,
	    sizeof(*cf->sbrs.table));
	conf_map_entries(ctx, val, path, loc, conf_sbrs_entry, NULL);
}

/* conf_cert_entry - one certificates entry */

static void
conf_cert_entry(struct conf_ctx *ctx, const char *key,
	const struct conf_loc *keyloc, struct fy_node *val, const char *path,
	void *arg)
{
	struct conf *cf = ctx->cf;
	struct conf_cert *cp = &cf->certs[cf->cert_count++];

	(void) arg;
	conf_defaults(CONF_SCOPE_CERT, cp);
	cp->name = mem_strdup(key);
	cp->loc = *keyloc;
	if (!conf_name_ok(key))
		conf_ctx_error(ctx, keyloc, path, "bad certificate name "
		    "(a letter or _, then letters, digits, _ or -)");
	if (conf_expect(ctx, val, FYNT_MAPPING, path, keyloc))
		conf_walk_object(ctx, val, CONF_SCOPE_CERT, cp, path, keyloc,
		    NULL);
}

/* conf_load_certs - certificates: name -> files */

static void
conf_load_certs(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	if (!conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		return;
	/* One more for the implicit demo certificate. */
	cf->certs = mem_zalloc(fy_node_mapping_item_count(val) + 1,
	    sizeof(*cf->certs));
	conf_map_entries(ctx, val, path, loc, conf_cert_entry, NULL);
}

/* conf_bounce_entry - one bounce_profiles entry */

static void
conf_bounce_entry(struct conf_ctx *ctx, const char *key,
	const struct conf_loc *keyloc, struct fy_node *val, const char *path,
	void *arg)
{
	struct conf *cf = ctx->cf;
	struct conf_bounce *bp = &cf->bounces[cf->bounce_count++];

	(void) arg;
	conf_defaults(CONF_SCOPE_BOUNCE, bp);
	bp->name = mem_strdup(key);
	bp->loc = *keyloc;
	if (!conf_name_ok(key))
		conf_ctx_error(ctx, keyloc, path, "bad bounce profile name "
		    "(a letter or _, then letters, digits, _ or -)");
	if (conf_expect(ctx, val, FYNT_MAPPING, path, keyloc))
		conf_walk_object(ctx, val, CONF_SCOPE_BOUNCE, bp, path, keyloc,
		    NULL);
}

/* conf_load_bounces - bounce_profiles: name -> profile */

static void
conf_load_bounces(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	if (!conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		return;
	/* One more for the implicit Default profile. */
	cf->bounces = mem_zalloc(fy_node_mapping_item_count(val) + 1,
	    sizeof(*cf->bounces));
	conf_map_entries(ctx, val, path, loc, conf_bounce_entry, NULL);
}

/* conf_dest_ok - a destination: domain, .suffix or [address] */

static int
conf_dest_ok(const char *dest)
{
	const char *cp = dest;
	size_t	len = strlen(dest);
	char	addr[64];
	unsigned char bin[16];

	if (len == 0 || len > 255)
		return (0);
	if (*cp == '[') {
		if (dest[len - 1] != ']' || len - 2 >= sizeof(addr))
			return (0);
		memcpy(addr, dest + 1, len - 2);
		addr[len - 2] = 0;
		return (inet_pton(AF_INET, addr, bin) == 1
		    || inet_pton(AF_INET6, addr, bin) == 1);
	}
	if (*cp == '.')
		cp++;
	if (*cp == 0 || *cp == '.' || dest[len - 1] == '.'
	    || strstr(cp, "..") != NULL)
		return (0);
	for (; *cp; cp++)
		if (!((*cp >= 'A' && *cp <= 'Z') || (*cp >= 'a' && *cp <= 'z')
		    || (*cp >= '0' && *cp <= '9') || *cp == '-' || *cp == '.'
		    || *cp == '_'))
			return (0);
	return (1);
}

/* conf_dest_entry - one destination_controls.domains entry */

static void
conf_dest_entry(struct conf_ctx *ctx, const char *key,
	const struct conf_loc *keyloc, struct fy_node *val, const char *path,
	void *arg)
{
	struct conf *cf = ctx->cf;
	struct conf_dest *dp = &cf->dest.domains[cf->dest.domain_count++];

	(void) arg;
	conf_defaults(CONF_SCOPE_DEST, dp);
	dp->destination = mem_strdup(key);
	dp->loc = *keyloc;
	if (!conf_dest_ok(key))
		conf_ctx_error(ctx, keyloc, path, "\"%s\" is not a domain, "
		    ".domain or [address]", key);
	if (conf_expect(ctx, val, FYNT_MAPPING, path, keyloc))
		conf_walk_object(ctx, val, CONF_SCOPE_DEST, dp, path, keyloc,
		    &dp->set);
}

/* conf_load_dest_domains - destination_controls.domains */

static void
conf_load_dest_domains(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	if (!conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		return;
	cf->dest.domains = mem_zalloc(fy_node_mapping_item_count(val) + 1,
	    sizeof(*cf->dest.domains));
	conf_map_entries(ctx, val, path, loc, conf_dest_entry, NULL);
}

/* conf_load_dest_default - destination_controls.default */

static void
conf_load_dest_default(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;

	cf->dest.def.loc = *loc;
	if (conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		conf_walk_object(ctx, val, CONF_SCOPE_DEST, &cf->dest.def, path,
		    loc, &cf->dest.def.set);
}

/* conf_load_default_policy - listeners[].default_policy */

static void
conf_load_default_policy(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf_listener *lp = obj;

	lp->default_policy.loc = *loc;
	if (conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		conf_walk_object(ctx, val, CONF_SCOPE_POLICY,
		    &lp->default_policy, path, loc, &lp->default_policy.set);
}

/* conf_policy_entry - one listeners[].policies entry */

static void
conf_policy_entry(struct conf_ctx *ctx, const char *key,
	const struct conf_loc *keyloc, struct fy_node *val, const char *path,
	void *arg)
{
	struct conf_listener *lp = arg;
	struct conf_policy *pp = &lp->policies[lp->policy_count++];

	conf_defaults(CONF_SCOPE_POLICY, pp);
	pp->name = mem_strdup(key);
	pp->loc = *keyloc;
	pp->predefined = ctx->predef;
	if (!conf_name_ok(key))
		conf_ctx_error(ctx, keyloc, path, "bad policy name (a letter "
		    "or _, then letters, digits, _ or -)");
	if (conf_expect(ctx, val, FYNT_MAPPING, path, keyloc))
		conf_walk_object(ctx, val, CONF_SCOPE_POLICY, pp, path, keyloc,
		    &pp->set);
}

/* conf_load_policies - listeners[].policies: name -> policy */

static void
conf_load_policies(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf_listener *lp = obj;

	if (!conf_expect(ctx, val, FYNT_MAPPING, path, loc))
		return;
	/* Room for the predefined policies that are merged in later. */
	lp->policies = mem_zalloc(fy_node_mapping_item_count(val)
	    + CONF_PREDEF_MAX, sizeof(*lp->policies));
	conf_map_entries(ctx, val, path, loc, conf_policy_entry, lp);
}

/* conf_load_members - listeners[].sender_groups[].members */

static void
conf_load_members(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf_sender_group *gp = obj;

	conf_texts(ctx, val, path, loc, &gp->members, &gp->member_count);
}

/* conf_load_groups - listeners[].sender_groups: the HAT, in order */

static void
conf_load_groups(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf_listener *lp = obj;
	struct conf_sender_group *gp;
	struct fy_node *item;
	struct conf_loc iloc;
	void   *iter = NULL;
	char   *ipath;

	if (!conf_expect(ctx, val, FYNT_SEQUENCE, path, loc))
		return;
	/* Non-NULL even when empty: "given, and empty" means no groups. */
	lp->sender_groups = mem_zalloc(fy_node_sequence_item_count(val) + 1,
	    sizeof(*lp->sender_groups));
	while ((item = fy_node_sequence_iterate(val, &iter)) != NULL) {
		item = conf_deref(item);
		ipath = conf_path_index(path, lp->sender_group_count);
		conf_node_loc(ctx, item, loc, &iloc);
		gp = &lp->sender_groups[lp->sender_group_count++];
		gp->loc = iloc;
		gp->predefined = ctx->predef;
		if (conf_expect(ctx, item, FYNT_MAPPING, ipath, loc))
			conf_walk_object(ctx, item, CONF_SCOPE_GROUP, gp, ipath,
			    &iloc, NULL);
		if (gp->members == NULL)
			gp->members = mem_zalloc(1, sizeof(*gp->members));
		if (!ctx->predef)
			gp->policy_loc = *conf_vloc_get(ctx->cf, &gp->policy,
			    &iloc);
		else
			gp->policy_loc = iloc;
		mem_free(ipath);
	}
}

/* conf_listener_fini - free what a listener holds */

static void
conf_listener_fini(struct conf_listener *lp)
{
	size_t	i, j;

	conf_free_params(CONF_SCOPE_LISTENER, lp);
	conf_free_params(CONF_SCOPE_POLICY, &lp->default_policy);
	mem_free(lp->default_policy.name);
	for (i = 0; i < lp->policy_count; i++) {
		conf_free_params(CONF_SCOPE_POLICY, &lp->policies[i]);
		mem_free(lp->policies[i].name);
	}
	mem_free(lp->policies);
	for (i = 0; i < lp->sender_group_count; i++) {
		conf_free_params(CONF_SCOPE_GROUP, &lp->sender_groups[i]);
		for (j = 0; j < lp->sender_groups[i].member_count; j++)
			mem_free(lp->sender_groups[i].members[j].text);
		mem_free(lp->sender_groups[i].members);
	}
	mem_free(lp->sender_groups);
}

/* conf_predefine - merge a listener type's predefined policies, groups */

static void
conf_predefine(struct conf_ctx *ctx, struct conf_listener *lp)
{
	static const char *const names[] = {
		"<predefined public>", "<predefined private>",
		"<predefined blackhole>",
	};
	struct conf_listener tmp;
	struct conf_ctx pctx;
	struct fy_document *fyd;
	struct buf errors;
	const char *text = conf_predef_text(lp->type);
	size_t	i, j;

	memset(&tmp, 0, sizeof(tmp));
	conf_defaults(CONF_SCOPE_LISTENER, &tmp);
	buf_init(&errors, 0);
	pctx = *ctx;
	pctx.file = conf_intern_file(ctx->cf, names[lp->type]);
	pctx.errors = &errors;
	pctx.nerrors = 0;
	pctx.predef = 1;
	if ((fyd = fy_document_build_from_string(NULL, text,
	    strlen(text))) == NULL)
		msg_panic("conf: predefined text for type %d", (int) lp->type);
	conf_walk(&pctx, fy_document_root(fyd), CONF_SCOPE_LISTENER, "", &tmp,
	    "", NULL, NULL);
	fy_document_destroy(fyd);
	if (pctx.nerrors)
		msg_panic("conf: predefined text: %s", buf_cstr(&errors));
	buf_fini(&errors);

	if (lp->policies == NULL)
		lp->policies = mem_zalloc(CONF_PREDEF_MAX,
		    sizeof(*lp->policies));
	for (i = 0; i < tmp.policy_count; i++) {
		for (j = 0; j < lp->policy_count; j++)
			if (strcmp(lp->policies[j].name,
			    tmp.policies[i].name) == 0)
				break;
		if (j < lp->policy_count)
			continue;
		lp->policies[lp->policy_count++] = tmp.policies[i];
		memset(&tmp.policies[i], 0, sizeof(tmp.policies[i]));
	}
	if (lp->sender_groups == NULL) {
		lp->sender_groups = tmp.sender_groups;
		lp->sender_group_count = tmp.sender_group_count;
		tmp.sender_groups = NULL;
		tmp.sender_group_count = 0;
	}
	if (*lp->all_policy == 0) {
		mem_free(lp->all_policy);
		lp->all_policy = mem_strdup(tmp.all_policy);
	}
	conf_listener_fini(&tmp);
}

/* conf_load_listeners - listeners: the inbound SMTP listeners */

static void
conf_load_listeners(struct conf_ctx *ctx, struct fy_node *val,
	const struct conf_loc *loc, const char *path, void *obj)
{
	struct conf *cf = obj;
	struct conf_listener *lp;
	struct fy_node *item;
	struct conf_loc iloc;
	void   *iter = NULL;
	char   *ipath;

	if (!conf_expect(ctx, val, FYNT_SEQUENCE, path, loc))
		return;
	cf->listeners = mem_zalloc(fy_node_sequence_item_count(val) + 1,
	    sizeof(*cf->listeners));
	while ((item = fy_node_sequence_iterate(val, &iter)) != NULL) {
		item = conf_deref(item);
		ipath = conf_path_index(path, cf->listener_count);
		conf_node_loc(ctx, item, loc, &iloc);
		lp = &cf->listeners[cf->listener_count++];
		lp->loc = iloc;
		conf_defaults(CONF_SCOPE_LISTENER, lp);
		conf_defaults(CONF_SCOPE_POLICY, &lp->default_policy);
		lp->default_policy.name = mem_strdup("");
		lp->default_policy.loc = iloc;
		if (conf_expect(ctx, item, FYNT_MAPPING, ipath, loc))
			conf_walk_object(ctx, item, CONF_SCOPE_LISTENER, lp,
			    ipath, &iloc, NULL);
		conf_predefine(ctx, lp);
		mem_free(ipath);
	}
}

/* conf_alloc - an empty configuration with every default */

static struct conf *
conf_alloc(const char *name)
{
	struct conf *cf = mem_zalloc(1, sizeof(*cf));

	cf->priv = mem_zalloc(1, sizeof(*cf->priv));
	cf->file = mem_strdup(name);
	conf_defaults(CONF_SCOPE_GLOBAL, cf);
	conf_defaults(CONF_SCOPE_DEST, &cf->dest.def);
	cf->dest.def.destination = mem_strdup("");
	return (cf);
}

/* conf_hostname - an empty hostname means the machine's */

void
conf_hostname(struct conf *cf)
{
	char	host[256];

	if (*cf->hostname == 0 && gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = 0;
		mem_free(cf->hostname);
		cf->hostname = mem_strdup(host);
	}
}

/* conf_finish - implicit entries, computed defaults, inheritance */

static void
conf_finish(struct conf_ctx *ctx)
{
	struct conf *cf = ctx->cf;
	struct conf_cert *cp;
	struct conf_bounce *bp;
	struct conf_loc none = {conf_intern_file(cf, "<built-in>"), 0, 0};
	struct buf bp_path;

	if (conf_cert_find(cf, "demo") == NULL) {
		if (cf->certs == NULL)
			cf->certs = mem_zalloc(1, sizeof(*cf->certs));
		cp = &cf->certs[cf->cert_count++];
		conf_defaults(CONF_SCOPE_CERT, cp);
		cp->name = mem_strdup("demo");
		cp->loc = none;
		buf_init(&bp_path, 0);
		buf_printf(&bp_path, "%s/certs/demo.crt", cf->spool_dir);
		cp->cert = buf_steal(&bp_path);
		buf_printf(&bp_path, "%s/certs/demo.key", cf->spool_dir);
		cp->key = buf_steal(&bp_path);
		buf_fini(&bp_path);
		cp->generate = 1;
	}
	if (conf_bounce_find(cf, "Default") == NULL) {
		if (cf->bounces == NULL)
			cf->bounces = mem_zalloc(1, sizeof(*cf->bounces));
		bp = &cf->bounces[cf->bounce_count++];
		conf_defaults(CONF_SCOPE_BOUNCE, bp);
		bp->name = mem_strdup("Default");
		bp->loc = none;
	}
	conf_hostname(cf);
	cf->log.syslog.target_loc = *conf_vloc_get(cf, &cf->log.syslog.target,
	    &none);
	conf_inherit(cf);
}

/* conf_diag_output - libfyaml's own printing: swallowed */

static void
conf_diag_output(struct fy_diag *diag, void *user, const char *buf,
	size_t len)
{
	(void) diag;
	(void) user;
	(void) buf;
	(void) len;
}

/*
 * conf_parse - parse the one YAML document of the text. Syntax errors
 * (collected from libfyaml, never printed by it) and a second document
 * are reported. Returns the document, or NULL when there is none (an
 * empty text is not an error) or on error. The caller destroys the
 * document with conf_parse_done().
 */
static struct fy_document *
conf_parse(struct conf_ctx *ctx, const char *text, size_t len,
	struct fy_parser **fypp, struct fy_diag **diagp)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg;
	struct fy_document *fyd, *extra;
	struct fy_document_state *fyds;
	const struct fy_mark *mark;
	struct fy_diag_error *err;
	struct conf_loc loc;
	void   *iter = NULL;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = conf_diag_output;
	dcfg.colorize = false;
	if ((*diagp = fy_diag_create(&dcfg)) == NULL)
		msg_fatal("conf: cannot create a libfyaml diagnostic object");
	fy_diag_set_collect_errors(*diagp, true);
	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.flags = FYPCF_QUIET | FYPCF_ALLOW_DUPLICATE_KEYS
	    | FYPCF_DEFAULT_VERSION_1_2;
	pcfg.diag = *diagp;
	if ((*fypp = fy_parser_create(&pcfg)) == NULL
	    || fy_parser_set_string(*fypp, text, len) != 0)
		msg_fatal("conf: cannot create a libfyaml parser");
	fyd = fy_parse_load_document(*fypp);
	if (fyd != NULL && (extra = fy_parse_load_document(*fypp)) != NULL) {
		loc.file = ctx->file;
		loc.line = loc.column = 0;
		if ((fyds = fy_document_get_document_state(extra)) != NULL
		    && (mark = fy_document_state_start_mark(fyds)) != NULL) {
			loc.line = mark->line + 1;
			loc.column = mark->column + 1;
		}
		conf_ctx_error(ctx, &loc, "yaml", "a second document; the "
		    "configuration is one document");
		fy_parse_document_destroy(*fypp, extra);
	}
	while ((err = fy_diag_errors_iterate(*diagp, &iter)) != NULL) {
		if (err->type < FYET_ERROR)
			continue;
		loc.file = ctx->file;
		loc.line = err->line > 0 ? err->line : 0;
		loc.column = err->column > 0 ? err->column : 0;
		conf_ctx_error(ctx, &loc, "yaml", "%s", err->msg);
	}
	if (fyd != NULL && ctx->nerrors) {
		fy_parse_document_destroy(*fypp, fyd);
		fyd = NULL;
	}
	return (fyd);
}

/* conf_parse_done - release what conf_parse() made */

static void
conf_parse_done(struct fy_parser *fyp, struct fy_diag *diag,
	struct fy_document *fyd)
{
	if (fyd != NULL)
		fy_parse_document_destroy(fyp, fyd);
	if (fyp != NULL)
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
}

/* conf_error_key - line and column of an error line about file */

static long long
conf_error_key(const char *line, size_t len, const char *file)
{
	size_t	flen = strlen(file);
	long long ln = 0, col = 0;
	size_t	i;

	if (len <= flen || strncmp(line, file, flen) != 0 || line[flen] != ':')
		return (LLONG_MAX);
	for (i = flen + 1; i < len && line[i] >= '0' && line[i] <= '9'; i++)
		ln = ln * 10 + (line[i] - '0');
	if (i < len && line[i] == ':')
		for (i++; i < len && line[i] >= '0' && line[i] <= '9'; i++)
			col = col * 10 + (line[i] - '0');
	if (ln > 1000000000 || col > 1000000)
		return (LLONG_MAX);
	return (ln * 1000000 + col);
}

/* conf_sort_errors - order the error lines of a load by place in file */

static void
conf_sort_errors(const char *text, size_t len, const char *file,
	struct buf *out)
{
	struct conf_eline {
		const char *line;
		size_t	len;
		long long key;
	}      *lines, tmp;
	size_t	n = 0, i, j;
	const char *cp = text, *end;

	lines = mem_zalloc(len + 1, sizeof(*lines));
	while (cp < text + len) {
		end = memchr(cp, '\n', (size_t) (text + len - cp));
		end = end ? end + 1 : text + len;
		lines[n].line = cp;
		lines[n].len = (size_t) (end - cp);
		lines[n].key = conf_error_key(cp, lines[n].len, file);
		n++;
		cp = end;
	}
	/* Insertion sort: stable, and error lists are short. */
	for (i = 1; i < n; i++) {
		tmp = lines[i];
		for (j = i; j > 0 && lines[j - 1].key > tmp.key; j--)
			lines[j] = lines[j - 1];
		lines[j] = tmp;
	}
	for (i = 0; i < n; i++)
		buf_append(out, lines[i].line, lines[i].len);
	mem_free(lines);
}

/* conf_load_string - load a configuration from text in memory */

struct conf *
conf_load_string(const char *name, const char *text, size_t len,
	struct buf *errors)
{
	struct conf_ctx ctx;
	struct fy_document *fyd;
	struct fy_node *root;
	struct conf_loc loc;
	struct fy_parser *fyp;
	struct fy_diag *diag;
	struct buf found;
	int	walked;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cf = conf_alloc(name);
	ctx.file = conf_intern_file(ctx.cf, name);
	buf_init(&found, 0);
	ctx.errors = &found;
	loc.file = ctx.file;
	loc.line = 1;
	loc.column = 1;
	fyd = conf_parse(&ctx, text, len, &fyp, &diag);
	walked = fyd != NULL;
	if (fyd != NULL) {
		root = conf_deref(fy_document_root(fyd));
		if (root != NULL && !(fy_node_is_scalar(root)
		    && fy_node_get_scalar_length(root) == 0)
		    && conf_expect(&ctx, root, FYNT_MAPPING, "", &loc))
			conf_walk(&ctx, root, CONF_SCOPE_GLOBAL, "", ctx.cf, "",
			    NULL, NULL);
	}
	conf_parse_done(fyp, diag, fyd);
	/* Check references even after other errors: report them all. */
	if (ctx.nerrors == 0 || walked) {
		conf_finish(&ctx);
		ctx.nerrors += conf_check(ctx.cf, &found);
	}
	conf_sort_errors(found.data, found.len, name, errors);
	buf_fini(&found);
	if (ctx.nerrors)
		return (conf_free(ctx.cf));
	return (ctx.cf);
}

/* conf_load_file - load a configuration file */

struct conf *
conf_load_file(const char *path, struct buf *errors)
{
	struct conf *cf;
	struct buf text;
	char	chunk[8192];
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_printf(errors, "%s: cannot open: %s\n", path,
		    strerror(errno));
		return (NULL);
	}
	buf_init(&text, sizeof(chunk));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			buf_printf(errors, "%s: cannot read: %s\n", path,
			    strerror(errno));
			(void) close(fd);
			buf_fini(&text);
			return (NULL);
		}
		buf_append(&text, chunk, (size_t) n);
	}
	(void) close(fd);
	cf = conf_load_string(path, text.data, text.len, errors);
	buf_fini(&text);
	return (cf);
}

/* conf_load_default - the embedded default configuration */

struct conf *
conf_load_default(void)
{
	struct conf *cf;
	struct buf errors;

	buf_init(&errors, 0);
	cf = conf_load_string("<default>", conf_default_yaml,
	    strlen(conf_default_yaml), &errors);
	if (cf == NULL)
		msg_panic("conf: embedded default configuration: %s",
		    buf_cstr(&errors));
	buf_fini(&errors);
	return (cf);
}

/* conf_texts_free - release a list of strings */

static void
conf_texts_free(struct conf_text *list, size_t count)
{
	size_t	i;

	for (i = 0; i < count; i++)
		mem_free(list[i].text);
	mem_free(list);
}

/* conf_free - release a configuration; returns NULL */

struct conf *
conf_free(struct conf *cf)
{
	size_t	i;

	if (cf == NULL)
		return (NULL);
	conf_free_params(CONF_SCOPE_GLOBAL, cf);
	for (i = 0; i < cf->dns.server_count; i++)
		mem_free(cf->dns.servers[i].text);
	mem_free(cf->dns.servers);
	conf_texts_free(cf->alerts.recipients, cf->alerts.recipient_count);
	for (i = 0; i < cf->route_count; i++) {
		mem_free(cf->routes[i].domain);
		conf_texts_free(cf->routes[i].hosts, cf->routes[i].host_count);
	}
	mem_free(cf->routes);
	for (i = 0; i < cf->smarthost_count; i++) {
		conf_free_params(CONF_SCOPE_SMARTHOST, &cf->smarthosts[i]);
		mem_free(cf->smarthosts[i].name);
	}
	mem_free(cf->smarthosts);
	for (i = 0; i < cf->sbrs.table_count; i++)
		mem_free(cf->sbrs.table[i].network);
	mem_free(cf->sbrs.table);
	for (i = 0; i < cf->sbrs.dnslist_count; i++)
		mem_free(cf->sbrs.dnslists[i].text);
	mem_free(cf->sbrs.dnslists);
	for (i = 0; i < cf->cert_count; i++) {
		conf_free_params(CONF_SCOPE_CERT, &cf->certs[i]);
		mem_free(cf->certs[i].name);
	}
	mem_free(cf->certs);
	for (i = 0; i < cf->listener_count; i++)
		conf_listener_fini(&cf->listeners[i]);
	mem_free(cf->listeners);
	for (i = 0; i < cf->bounce_count; i++) {
		conf_free_params(CONF_SCOPE_BOUNCE, &cf->bounces[i]);
		mem_free(cf->bounces[i].name);
	}
	mem_free(cf->bounces);
	conf_free_params(CONF_SCOPE_DEST, &cf->dest.def);
	mem_free(cf->dest.def.destination);
	for (i = 0; i < cf->dest.domain_count; i++) {
		conf_free_params(CONF_SCOPE_DEST, &cf->dest.domains[i]);
		mem_free(cf->dest.domains[i].destination);
	}
	mem_free(cf->dest.domains);
	for (i = 0; i < cf->priv->file_count; i++)
		mem_free(cf->priv->files[i]);
	mem_free(cf->priv->files);
	mem_free(cf->priv->vlocs);
	mem_free(cf->priv->vloc_hash);
	mem_free(cf->priv);
	mem_free(cf->file);
	return (mem_free(cf));
}

/* conf_inherit - fill unset policy and destination parameters */

void
conf_inherit(struct conf *cf)
{
	struct conf_listener *lp;
	size_t	i, j, k;

	for (i = 0; i < cf->listener_count; i++) {
		lp = &cf->listeners[i];
		for (j = 0; j < lp->policy_count; j++)
			for (k = 0; k < conf_param_count; k++)
				if (conf_params[k].scope == CONF_SCOPE_POLICY
				    && !(lp->policies[j].set
				    & (1U << conf_params[k].index)))
					conf_value_copy(&conf_params[k],
					    &lp->policies[j],
					    &lp->default_policy);
	}
	for (j = 0; j < cf->dest.domain_count; j++)
		for (k = 0; k < conf_param_count; k++)
			if (conf_params[k].scope == CONF_SCOPE_DEST
			    && !(cf->dest.domains[j].set
			    & (1U << conf_params[k].index)))
				conf_value_copy(&conf_params[k],
				    &cf->dest.domains[j], &cf->dest.def);
}

/* conf_listener_find - a listener by name */

const struct conf_listener *
conf_listener_find(const struct conf *cf, const char *name)
{
	size_t	i;

	for (i = 0; i < cf->listener_count; i++)
		if (cf->listeners[i].name != NULL
		    && strcmp(cf->listeners[i].name, name) == 0)
			return (&cf->listeners[i]);
	return (NULL);
}

/* conf_policy_find - a named policy of a listener */

const struct conf_policy *
conf_policy_find(const struct conf_listener *lp, const char *name)
{
	size_t	i;

	for (i = 0; i < lp->policy_count; i++)
		if (strcmp(lp->policies[i].name, name) == 0)
			return (&lp->policies[i]);
	return (NULL);
}

/* conf_cert_find - a certificate by name */

const struct conf_cert *
conf_cert_find(const struct conf *cf, const char *name)
{
	size_t	i;

	for (i = 0; i < cf->cert_count; i++)
		if (strcmp(cf->certs[i].name, name) == 0)
			return (&cf->certs[i]);
	return (NULL);
}

/* conf_bounce_find - a bounce profile by name */

const struct conf_bounce *
conf_bounce_find(const struct conf *cf, const char *name)
{
	size_t	i;

	for (i = 0; i < cf->bounce_count; i++)
		if (strcmp(cf->bounces[i].name, name) == 0)
			return (&cf->bounces[i]);
	return (NULL);
}

/* conf_dest_find - a destination controls entry as configured */

const struct conf_dest *
conf_dest_find(const struct conf *cf, const char *destination)
{
	size_t	i;

	for (i = 0; i < cf->dest.domain_count; i++)
		if (strcasecmp(cf->dest.domains[i].destination,
		    destination) == 0)
			return (&cf->dest.domains[i]);
	return (NULL);
}
