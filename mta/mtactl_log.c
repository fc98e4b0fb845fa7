/*
 * NAME
 *	mtactl_log - the "mtactl log" commands: check and track
 * DESCRIPTION
 *	See mtactl_log.h; docs/maillog.md describes the rules "check"
 *	applies and how "track" follows a message.
 *
 *	Both commands stream the files line by line (getline(3)); no
 *	file is ever held in memory. What they remember is one small
 *	record per ICID, MID and DCID, found through open-addressing
 *	hash tables keyed by the id. "track" reads the files twice: the
 *	first pass collects the links between ids (a MID's ICID, the
 *	DCIDs that carried it, the bounce it caused), the second prints
 *	the lines of the ids selected.
 * SECURITY
 *	Reads log files an operator names; the lines are untrusted and
 *	only ever parsed by logs_grammar(3), which accepts any bytes.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "logs_grammar.h"
#include "logs_line.h"

#include "mtactl_log.h"

 /*
  * The list of files to read, directories expanded.
  */
struct ml_files {
	char  **path;
	size_t	count;
	size_t	cap;
};

/* ml_files_add - append a copy of a path */

static void
ml_files_add(struct ml_files *fl, const char *path)
{
	if (fl->count == fl->cap) {
		fl->cap = fl->cap ? fl->cap * 2 : 16;
		fl->path = mem_realloc(fl->path, fl->cap, sizeof(*fl->path));
	}
	fl->path[fl->count++] = mem_strdup(path);
}

/* ml_files_free - release the list */

static void
ml_files_free(struct ml_files *fl)
{
	size_t	i;

	for (i = 0; i < fl->count; i++)
		mem_free(fl->path[i]);
	mem_free(fl->path);
	fl->path = NULL;
	fl->count = fl->cap = 0;
}

/* ml_cmp - qsort order of names */

static int
ml_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* ml_suffix - does name end with suffix */

static int
ml_suffix(const char *name, const char *suffix)
{
	size_t	n = strlen(name), k = strlen(suffix);

	return (n >= k && strcmp(name + n - k, suffix) == 0);
}

/* ml_expand - a directory: rolled files in name order, then current */

static int
ml_expand(struct ml_files *fl, const char *dir)
{
	struct ml_files rolled = {NULL, 0, 0}, current = {NULL, 0, 0};
	struct dirent *de;
	struct buf path;
	DIR    *dp;
	size_t	i;

	if ((dp = opendir(dir)) == NULL) {
		msg_error("%s: %s", dir, strerror(errno));
		return (-1);
	}
	buf_init(&path, 256);
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		if (strstr(de->d_name, ".@") && ml_suffix(de->d_name, ".s"))
			ml_files_add(&rolled, path.data);
		else if (ml_suffix(de->d_name, ".current"))
			ml_files_add(&current, path.data);
	}
	(void) closedir(dp);
	buf_fini(&path);
	if (rolled.count)
		qsort(rolled.path, rolled.count, sizeof(char *), ml_cmp);
	if (current.count)
		qsort(current.path, current.count, sizeof(char *), ml_cmp);
	for (i = 0; i < rolled.count; i++)
		ml_files_add(fl, rolled.path[i]);
	for (i = 0; i < current.count; i++)
		ml_files_add(fl, current.path[i]);
	ml_files_free(&rolled);
	ml_files_free(&current);
	if (fl->count == 0) {
		msg_error("%s: no mail log files (*.@*.s, *.current)", dir);
		return (-1);
	}
	return (0);
}

/* ml_files_make - the files named on the command line, in order */

static int
ml_files_make(struct ml_files *fl, int argc, char **argv)
{
	struct stat st;
	int	i;

	for (i = 0; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			msg_error("%s: %s", argv[i], strerror(errno));
			return (-1);
		}
		if (S_ISDIR(st.st_mode)) {
			if (ml_expand(fl, argv[i]) < 0)
				return (-1);
		} else
			ml_files_add(fl, argv[i]);
	}
	return (0);
}

 /*
  * Reading a file line by line.
  */
struct ml_reader {
	FILE   *fp;
	const char *path;
	char   *line;
	size_t	cap;
	size_t	len;
	unsigned long lineno;
	int	nonl;			/* the last line had no newline */
};

/* ml_open - start reading a file */

static int
ml_open(struct ml_reader *rd, const char *path)
{
	if ((rd->fp = fopen(path, "r")) == NULL) {
		msg_error("%s: %s", path, strerror(errno));
		return (-1);
	}
	(void) setvbuf(rd->fp, NULL, _IOFBF, 1 << 20);
	rd->path = path;
	rd->lineno = 0;
	rd->nonl = 0;
	return (0);
}

/* ml_next - the next line without its newline: 1, 0 at the end, -1 error */

static int
ml_next(struct ml_reader *rd)
{
	ssize_t	n;

	errno = 0;
	if ((n = getline(&rd->line, &rd->cap, rd->fp)) < 0) {
		if (ferror(rd->fp)) {
			msg_error("%s: %s", rd->path, strerror(errno));
			return (-1);
		}
		return (0);
	}
	rd->lineno++;
	rd->len = (size_t) n;
	if (rd->len > 0 && rd->line[rd->len - 1] == '\n')
		rd->len--;
	else
		rd->nonl = 1;
	return (1);
}

/* ml_close - stop reading a file */

static void
ml_close(struct ml_reader *rd)
{
	if (rd->fp)
		(void) fclose(rd->fp);
	rd->fp = NULL;
}

 /*
  * Hash tables from an id to the index of its record plus one.
  */
struct ml_map {
	unsigned long *key;
	uint32_t *val;
	size_t	cap;			/* a power of two */
	size_t	used;
};

/* ml_hash - mix an id */

static size_t
ml_hash(unsigned long key)
{
	uint64_t h = (uint64_t) key;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return ((size_t) h);
}

/* ml_map_find - the slot of key: its value, or where it would go */

static size_t
ml_map_find(const struct ml_map *m, unsigned long key)
{
	size_t	i = ml_hash(key) & (m->cap - 1);

	while (m->val[i] != 0 && m->key[i] != key)
		i = (i + 1) & (m->cap - 1);
	return (i);
}

/* ml_map_get - the value of key, 0 when absent */

static uint32_t
ml_map_get(const struct ml_map *m, unsigned long key)
{
	if (m->cap == 0)
		return (0);
	return (m->val[ml_map_find(m, key)]);
}

/* ml_map_put - set the value of key (not 0) */

static void
ml_map_put(struct ml_map *m, unsigned long key, uint32_t val)
{
	struct ml_map old;
	size_t	i;

	if (m->cap == 0 || (m->used + 1) * 4 > m->cap * 3) {
		old = *m;
		m->cap = old.cap ? old.cap * 2 : 1024;
		m->key = mem_zalloc(m->cap, sizeof(*m->key));
		m->val = mem_zalloc(m->cap, sizeof(*m->val));
		m->used = 0;
		for (i = 0; i < old.cap; i++)
			if (old.val[i])
				ml_map_put(m, old.key[i], old.val[i]);
		mem_free(old.key);
		mem_free(old.val);
	}
	i = ml_map_find(m, key);
	if (m->val[i] == 0)
		m->used++;
	m->key[i] = key;
	m->val[i] = val;
}

/* ml_map_free - release a table */

static void
ml_map_free(struct ml_map *m)
{
	mem_free(m->key);
	mem_free(m->val);
	memset(m, 0, sizeof(*m));
}

/* ml_usage_check - synopsis of check */

static void
ml_usage_check(FILE *fp)
{
	(void) fprintf(fp, "  mtactl log check [--strict] [--finished] "
	    "[--json] FILE|DIR...\n");
}

/* ml_usage_track - synopsis of track */

static void
ml_usage_track(FILE *fp)
{
	(void) fprintf(fp, "  mtactl log track [--mid N] [--icid N] "
	    "[--dcid N] [--from ADDR] [--to ADDR]\n"
	    "\t[--subject TEXT] [--json] FILE|DIR...\n");
}

/* mtactl_log_usage - synopsis of every command */

void
mtactl_log_usage(FILE *fp)
{
	ml_usage_check(fp);
	ml_usage_track(fp);
}

/* ml_jstr - a JSON string of bytes; bytes that are not UTF-8 as \xNN */

static json_t *
ml_jstr(const char *ptr, size_t len)
{
	struct buf text;
	json_t *v;
	size_t	k;

	if ((v = json_stringn(ptr, len)) != NULL)
		return (v);
	buf_init(&text, len * 4 + 1);
	for (k = 0; k < len; k++) {
		if ((unsigned char) ptr[k] < 0x80)
			buf_putc(&text, ptr[k]);
		else
			buf_printf(&text, "\\x%02x", (unsigned char) ptr[k]);
	}
	v = json_stringn(text.data, text.len);
	buf_fini(&text);
	return (v);
}

/* ml_line_json - a parsed line as a JSON object */

static json_t *
ml_line_json(const char *path, unsigned long lineno,
    const struct logs_grammar_line *ln)
{
	json_t *obj = json_object(), *fields = json_object();
	struct buf text;
	size_t	i;

	buf_init(&text, 64);
	(void) json_object_set_new(obj, "file", ml_jstr(path, strlen(path)));
	(void) json_object_set_new(obj, "line", json_integer((json_int_t)
	    lineno));
	(void) json_object_set_new(obj, "time", ml_jstr(ln->stamp.ptr,
	    ln->stamp.len));
	(void) json_object_set_new(obj, "level", json_string(
	    logs_line_level_name(ln->level)));
	(void) json_object_set_new(obj, "type", json_string(ln->entry->name));
	(void) json_object_set_new(obj, "message", ml_jstr(ln->message.ptr,
	    ln->message.len));
	for (i = 0; i < ln->nfields; i++) {
		const struct logs_grammar_field *fp = &ln->field[i];
		json_t *v;

		buf_reset(&text);
		if ((fp->flags & LOGS_GRAMMAR_F_NUMBER)
		    && fp->num <= (unsigned long) INT64_MAX)
			v = json_integer((json_int_t) fp->num);
		else if ((fp->flags & LOGS_GRAMMAR_F_REPR)
		    && logs_grammar_unrepr(&text, fp->value) == 0)
			v = ml_jstr(text.data, text.len);
		else
			v = ml_jstr(fp->value.ptr, fp->value.len);
		(void) json_object_set_new(fields, fp->name, v);
	}
	(void) json_object_set_new(obj, "fields", fields);
	buf_fini(&text);
	return (obj);
}

/* ml_json_print - print a JSON value on one line and free it */

static void
ml_json_print(json_t *val)
{
	char   *text = json_dumps(val, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (text == NULL)
		msg_fatal("out of memory");
	(void) fputs(text, stdout);
	(void) fputc('\n', stdout);
	free(text);
	json_decref(val);
}

 /*
  * check: the state of each id.
  */
enum ml_state {
	ML_OPEN,			/* started in these files */
	ML_ORPHAN,			/* seen, never started here */
	ML_LOST,			/* ICID lost, close to come */
	ML_DONE,			/* closed, finished */
};

struct ml_rec {
	unsigned char state;
	unsigned char receiving;	/* ICID: a MID is in reception */
	unsigned long icid;		/* MID: its connection */
	unsigned long mid;		/* ICID: the MID in reception */
	uint32_t file;			/* where it started or ended */
	unsigned long line;
};

struct ml_table {
	const char *what;		/* "ICID", "MID", "DCID" */
	struct ml_map map;
	struct ml_rec *rec;
	size_t	count;
	size_t	cap;
};

struct ml_check {
	struct ml_files *files;
	uint32_t file;			/* current file index */
	unsigned long lineno;
	int	strict;
	int	finished;
	int	json;
	unsigned long errors;
	unsigned long warnings;
	unsigned long lines;
	struct ml_table icid;
	struct ml_table mid;
	struct ml_table dcid;
};

/* ml_report - one problem: FILE:LINE: [warning: ]why */

static void
ml_report(struct ml_check *ck, int error, uint32_t file, unsigned long line,
    const char *fmt, ...)
{
	struct buf why;
	va_list	ap;
	json_t *obj;

	buf_init(&why, 128);
	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	if (error)
		ck->errors++;
	else
		ck->warnings++;
	if (ck->json) {
		obj = json_object();
		(void) json_object_set_new(obj, "file",
		    ml_jstr(ck->files->path[file],
		    strlen(ck->files->path[file])));
		if (line)
			(void) json_object_set_new(obj, "line",
			    json_integer((json_int_t) line));
		(void) json_object_set_new(obj, "severity",
		    json_string(error ? "error" : "warning"));
		(void) json_object_set_new(obj, "message",
		    ml_jstr(why.data, why.len));
		ml_json_print(obj);
	} else if (line)
		(void) printf("%s:%lu: %s%s\n", ck->files->path[file], line,
		    error ? "" : "warning: ", why.data);
	else
		(void) printf("%s: %s%s\n", ck->files->path[file],
		    error ? "" : "warning: ", why.data);
	buf_fini(&why);
}

/* ml_rec_get - the record of an id, null when never seen */

static struct ml_rec *
ml_rec_get(struct ml_table *t, unsigned long id)
{
	uint32_t v = ml_map_get(&t->map, id);

	return (v ? &t->rec[v - 1] : NULL);
}

/* ml_rec_new - a fresh record for an id */

static struct ml_rec *
ml_rec_new(struct ml_check *ck, struct ml_table *t, unsigned long id,
    enum ml_state state)
{
	struct ml_rec *r;
	uint32_t v = ml_map_get(&t->map, id);

	if (v == 0) {
		if (t->count == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 1024;
			t->rec = mem_realloc(t->rec, t->cap, sizeof(*t->rec));
		}
		if (t->count >= UINT32_MAX - 1)
			msg_fatal("too many %ss", t->what);
		v = (uint32_t) ++t->count;
		ml_map_put(&t->map, id, v);
	}
	r = &t->rec[v - 1];
	memset(r, 0, sizeof(*r));
	r->state = (unsigned char) state;
	r->file = ck->file;
	r->line = ck->lineno;
	return (r);
}

/* ml_where - "FILE:LINE" of a record, in a static buffer */

static const char *
ml_where(const struct ml_check *ck, const struct ml_rec *r)
{
	static struct buf *bp;

	if (bp == NULL)
		bp = buf_new(128);
	buf_reset(bp);
	buf_printf(bp, "%s:%lu", ck->files->path[r->file], r->line);
	return (bp->data);
}

/* ml_start - an id begins */

static struct ml_rec *
ml_start(struct ml_check *ck, struct ml_table *t, unsigned long id)
{
	struct ml_rec *r = ml_rec_get(t, id);

	if (r && (r->state == ML_OPEN || r->state == ML_LOST))
		ml_report(ck, 1, ck->file, ck->lineno, "%s %lu started again "
		    "while open (started at %s)", t->what, id, ml_where(ck, r));
	return (ml_rec_new(ck, t, id, ML_OPEN));
}

/* ml_use - a line about an id that must have begun and not ended */

static struct ml_rec *
ml_use(struct ml_check *ck, struct ml_table *t, unsigned long id,
    const char *after)
{
	struct ml_rec *r = ml_rec_get(t, id);

	if (r == NULL) {
		ml_report(ck, ck->strict, ck->file, ck->lineno, "%s %lu was "
		    "not started in these files%s", t->what, id, ck->strict ?
		    "" : " (begun before the first file?)");
		return (ml_rec_new(ck, t, id, ML_ORPHAN));
	}
	if (r->state == ML_DONE) {
		ml_report(ck, 1, ck->file, ck->lineno, "%s %lu: line after "
		    "its %s at %s", t->what, id, after, ml_where(ck, r));
		/* report once */
		r->state = ML_ORPHAN;
	}
	return (r);
}

/* ml_end - an id ends */

static void
ml_end(struct ml_check *ck, struct ml_rec *r)
{
	r->state = ML_DONE;
	r->file = ck->file;
	r->line = ck->lineno;
}

/* ml_receiving - a MID begins or ends its reception on an ICID */

static void
ml_receiving(struct ml_check *ck, unsigned long icid, unsigned long mid,
    int begins)
{
	struct ml_rec *r;

	if (icid == 0 || (r = ml_rec_get(&ck->icid, icid)) == NULL)
		return;
	if (begins) {
		if (r->receiving)
			ml_report(ck, 0, ck->file, ck->lineno, "MID %lu was "
			    "neither queued nor finished when MID %lu started "
			    "on ICID %lu", r->mid, mid, icid);
		r->receiving = 1;
		r->mid = mid;
	} else if (r->receiving && r->mid == mid)
		r->receiving = 0;
}

/* ml_check_line - the stream rules for one parsed line */

static void
ml_check_line(struct ml_check *ck, const struct logs_grammar_line *ln)
{
	enum logs_grammar_type type = ln->entry->type;
	struct ml_rec *r;

	/* connections */
	if (type == LOGS_GRAMMAR_ICID_NEW) {
		(void) ml_start(ck, &ck->icid, ln->icid);
	} else if ((ln->has & LOGS_GRAMMAR_HAS_ICID) && ln->icid != 0) {
		r = ml_use(ck, &ck->icid, ln->icid, "close");
		if (r->state == ML_LOST && type != LOGS_GRAMMAR_ICID_CLOSE
		    && type != LOGS_GRAMMAR_ICID_TLS_REQUIRED) {
			ml_report(ck, 1, ck->file, ck->lineno, "ICID %lu: "
			    "\"lost\" at %s is not followed by \"close\"",
			    ln->icid, ml_where(ck, r));
			r->state = ML_OPEN;
		}
		if (type == LOGS_GRAMMAR_ICID_LOST && r->state != ML_ORPHAN) {
			r->state = ML_LOST;
			r->file = ck->file;
			r->line = ck->lineno;
		} else if (type == LOGS_GRAMMAR_ICID_CLOSE) {
			if (r->receiving)
				ml_report(ck, 0, ck->file, ck->lineno,
				    "MID %lu was neither queued nor finished "
				    "when ICID %lu closed", r->mid, ln->icid);
			r->receiving = 0;
			ml_end(ck, r);
		}
	}
	if (type == LOGS_GRAMMAR_DCID_NEW) {
		(void) ml_start(ck, &ck->dcid, ln->dcid);
	} else if (type == LOGS_GRAMMAR_DCID_CONN_ERROR && ln->dcid != 0
	    && ml_rec_get(&ck->dcid, ln->dcid) == NULL) {
		/* A connection that was never made: no New, no close. */
		(void) ml_rec_new(ck, &ck->dcid, ln->dcid, ML_ORPHAN);
	} else if ((type == LOGS_GRAMMAR_DCID_DELAYED
	    || type == LOGS_GRAMMAR_DCID_BOUNCED) && ln->dcid != 0
	    && (r = ml_rec_get(&ck->dcid, ln->dcid)) != NULL
	    && r->state == ML_DONE) {
		/* The verdict of the last host tried follows its close. */
	} else if ((ln->has & LOGS_GRAMMAR_HAS_DCID) && ln->dcid != 0) {
		r = ml_use(ck, &ck->dcid, ln->dcid, "close");
		if (type == LOGS_GRAMMAR_DCID_CLOSE)
			ml_end(ck, r);
	}

	/* messages */
	if (type == LOGS_GRAMMAR_MID_START) {
		r = ml_start(ck, &ck->mid, ln->mid);
		r->icid = ln->icid;
		ml_receiving(ck, ln->icid, ln->mid, 1);
	} else if (ln->has & LOGS_GRAMMAR_HAS_MID) {
		r = ml_use(ck, &ck->mid, ln->mid, "\"Message finished\"");
		if (ln->has & LOGS_GRAMMAR_HAS_ICID) {
			if (r->state == ML_ORPHAN && r->icid == 0)
				r->icid = ln->icid;
			else if (r->icid != ln->icid)
				ml_report(ck, 1, ck->file, ck->lineno,
				    "MID %lu is on ICID %lu, not ICID %lu",
				    ln->mid, r->icid, ln->icid);
		}
		if (type == LOGS_GRAMMAR_MID_QUEUED
		    || type == LOGS_GRAMMAR_MID_ABORTED
		    || type == LOGS_GRAMMAR_MID_FINISHED)
			ml_receiving(ck, r->icid, ln->mid, 0);
		if (type == LOGS_GRAMMAR_MID_FINISHED)
			ml_end(ck, r);
	}
	if (ln->has & LOGS_GRAMMAR_HAS_ORIG) {
		if (ml_rec_get(&ck->mid, ln->orig) == NULL)
			ml_report(ck, ck->strict, ck->file, ck->lineno,
			    "bounce of MID %lu, which was not started in "
			    "these files", ln->orig);
	}
}

/* ml_check_unfinished - ids left open at the end */

static void
ml_check_unfinished(struct ml_check *ck, struct ml_table *t,
    const char *what)
{
	size_t	i;

	for (i = 0; i < t->map.cap; i++) {
		struct ml_rec *r;

		if (t->map.val[i] == 0)
			continue;
		r = &t->rec[t->map.val[i] - 1];
		if (r->state == ML_OPEN || r->state == ML_LOST)
			ml_report(ck, 1, r->file, r->line, "%s %lu %s",
			    t->what, t->map.key[i], r->state == ML_LOST ?
			    "was lost and never closed" : what);
	}
}

/* ml_check_file - check one file */

static void
ml_check_file(struct ml_check *ck, struct ml_reader *rd)
{
	static const enum logs_grammar_type head[] = {
		LOGS_GRAMMAR_HEAD_BEGIN, LOGS_GRAMMAR_HEAD_VERSION,
		LOGS_GRAMMAR_HEAD_OFFSET,
	};
	struct logs_grammar_line ln;
	struct buf why;
	int	st, syslog = 0;

	buf_init(&why, 128);
	while ((st = ml_next(rd)) > 0) {
		ck->lineno = rd->lineno;
		ck->lines++;
		if (logs_grammar_parse(&ln, rd->line, rd->len, &why) < 0) {
			ml_report(ck, 1, ck->file, rd->lineno, "%s", why.data);
			continue;
		}
		if (rd->lineno == 1)
			syslog = ln.syslog;
		if (!syslog && rd->lineno <= 3
		    && ln.entry->type != head[rd->lineno - 1])
			ml_report(ck, 1, ck->file, rd->lineno, "a mail log "
			    "file begins with %s; this is %s",
			    logs_grammar_entry(head[rd->lineno - 1])->name,
			    ln.entry->name);
		else if (rd->lineno > 3 && (ln.entry->type ==
		    LOGS_GRAMMAR_HEAD_BEGIN || ln.entry->type ==
		    LOGS_GRAMMAR_HEAD_VERSION || ln.entry->type ==
		    LOGS_GRAMMAR_HEAD_OFFSET))
			ml_report(ck, 1, ck->file, rd->lineno, "%s line in the "
			    "middle of a file", ln.entry->name);
		ml_check_line(ck, &ln);
	}
	if (st < 0)
		ck->errors++;
	if (rd->nonl)
		ml_report(ck, 1, ck->file, rd->lineno, "the last line has no "
		    "newline (torn write?)");
	if (rd->lineno == 0)
		ml_report(ck, 1, ck->file, 0, "empty file");
	buf_fini(&why);
}

/* ml_table_free - release a table */

static void
ml_table_free(struct ml_table *t)
{
	ml_map_free(&t->map);
	mem_free(t->rec);
	t->rec = NULL;
}

/* ml_check - mtactl log check */

static int
ml_check(int argc, char **argv, int json)
{
	struct ml_files files = {NULL, 0, 0};
	struct ml_check ck;
	struct ml_reader rd;
	int	i;

	memset(&ck, 0, sizeof(ck));
	memset(&rd, 0, sizeof(rd));
	ck.json = json;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--strict") == 0)
			ck.strict = 1;
		else if (strcmp(argv[i], "--finished") == 0)
			ck.finished = 1;
		else if (strcmp(argv[i], "--json") == 0)
			ck.json = 1;
		else if (strcmp(argv[i], "--help") == 0) {
			ml_usage_check(stdout);
			return (0);
		} else {
			msg_error("log check: unknown option \"%s\"", argv[i]);
			ml_usage_check(stderr);
			return (2);
		}
	}
	if (i >= argc) {
		msg_error("log check: no file given");
		ml_usage_check(stderr);
		return (2);
	}
	if (ml_files_make(&files, argc - i, argv + i) < 0) {
		ml_files_free(&files);
		return (1);
	}
	ck.files = &files;
	ck.icid.what = "ICID";
	ck.mid.what = "MID";
	ck.dcid.what = "DCID";
	for (ck.file = 0; ck.file < files.count; ck.file++) {
		if (ml_open(&rd, files.path[ck.file]) < 0) {
			ck.errors++;
			continue;
		}
		ml_check_file(&ck, &rd);
		ml_close(&rd);
	}
	if (files.count)
		ck.file = (uint32_t) files.count - 1;
	if (ck.finished) {
		ml_check_unfinished(&ck, &ck.icid, "was never closed");
		ml_check_unfinished(&ck, &ck.dcid, "was never closed");
		ml_check_unfinished(&ck, &ck.mid, "never finished");
	}
	if (!ck.json)
		(void) printf("%lu line%s in %zu file%s: %lu error%s, %lu "
		    "warning%s\n", ck.lines, ck.lines == 1 ? "" : "s",
		    files.count, files.count == 1 ? "" : "s", ck.errors,
		    ck.errors == 1 ? "" : "s", ck.warnings,
		    ck.warnings == 1 ? "" : "s");
	mem_free(rd.line);
	ml_table_free(&ck.icid);
	ml_table_free(&ck.mid);
	ml_table_free(&ck.dcid);
	ml_files_free(&files);
	if (fflush(stdout) == EOF)
		return (1);
	return (ck.errors ? 1 : 0);
}

 /*
  * track: the links between ids.
  */
struct ml_tmid {
	unsigned long mid;
	unsigned long icid;
	unsigned long parent;		/* the MID it is a bounce of */
	unsigned char has_icid;
	unsigned char has_parent;
	unsigned char sel;
};

struct ml_edge {
	unsigned long dcid;
	unsigned long mid;
};

struct ml_track {
	/* what to look for */
	int	by_mid, by_icid, by_dcid;
	unsigned long mid, icid, dcid;
	const char *from;
	const char *to;
	const char *subject;
	int	json;
	/* what pass one found */
	struct ml_map midmap;
	struct ml_tmid *mids;
	size_t	nmids, capmids;
	struct ml_edge *edges;
	size_t	nedges, capedges;
	struct ml_map icids;		/* selected ICIDs */
	struct ml_map dcids;		/* selected DCIDs */
	unsigned long bad;		/* lines that did not parse */
	struct buf text;
};

/* ml_tmid - the record of a MID, created on first sight */

static struct ml_tmid *
ml_tmid(struct ml_track *tr, unsigned long mid)
{
	uint32_t v = ml_map_get(&tr->midmap, mid);

	if (v == 0) {
		if (tr->nmids == tr->capmids) {
			tr->capmids = tr->capmids ? tr->capmids * 2 : 4096;
			tr->mids = mem_realloc(tr->mids, tr->capmids,
			    sizeof(*tr->mids));
		}
		if (tr->nmids >= UINT32_MAX - 1)
			msg_fatal("too many MIDs");
		memset(&tr->mids[tr->nmids], 0, sizeof(*tr->mids));
		tr->mids[tr->nmids].mid = mid;
		v = (uint32_t) ++tr->nmids;
		ml_map_put(&tr->midmap, mid, v);
	}
	return (&tr->mids[v - 1]);
}

/* ml_addr_is - is an address field this address (case-insensitive) */

static int
ml_addr_is(const struct logs_grammar_line *ln, const char *name,
    const char *want)
{
	const struct logs_grammar_field *fp = logs_grammar_field(ln, name);

	return (fp && str_caseeq(fp->value, str_from(want)));
}

/* ml_contains - case-insensitive substring */

static int
ml_contains(const struct buf *hay, const char *needle)
{
	size_t	n = strlen(needle), i, k;

	if (n == 0)
		return (1);
	for (i = 0; i + n <= hay->len; i++) {
		for (k = 0; k < n; k++) {
			int	a = (unsigned char) hay->data[i + k];
			int	b = (unsigned char) needle[k];

			if (a >= 'A' && a <= 'Z')
				a += 'a' - 'A';
			if (b >= 'A' && b <= 'Z')
				b += 'a' - 'A';
			if (a != b)
				break;
		}
		if (k == n)
			return (1);
	}
	return (0);
}

/* ml_collect - pass one: links and seeds of one line */

static void
ml_collect(struct ml_track *tr, const struct logs_grammar_line *ln)
{
	enum logs_grammar_type type = ln->entry->type;
	const struct logs_grammar_field *fp;
	struct ml_tmid *m;

	if (!(ln->has & LOGS_GRAMMAR_HAS_MID))
		return;
	m = ml_tmid(tr, ln->mid);
	if ((ln->has & LOGS_GRAMMAR_HAS_ICID) && !m->has_icid) {
		m->icid = ln->icid;
		m->has_icid = 1;
	}
	if (ln->has & LOGS_GRAMMAR_HAS_ORIG) {
		m->parent = ln->orig;
		m->has_parent = 1;
		(void) ml_tmid(tr, ln->orig);
		m = ml_tmid(tr, ln->mid);	/* the array may have moved */
	}
	if ((ln->has & LOGS_GRAMMAR_HAS_DCID) && ln->dcid != 0) {
		if (tr->nedges == tr->capedges) {
			tr->capedges = tr->capedges ? tr->capedges * 2 : 4096;
			tr->edges = mem_realloc(tr->edges, tr->capedges,
			    sizeof(*tr->edges));
		}
		/* Delivery start, Message done, Delayed, Bounced repeat it */
		if (tr->nedges == 0
		    || tr->edges[tr->nedges - 1].dcid != ln->dcid
		    || tr->edges[tr->nedges - 1].mid != ln->mid) {
			tr->edges[tr->nedges].dcid = ln->dcid;
			tr->edges[tr->nedges].mid = ln->mid;
			tr->nedges++;
		}
	}
	if (tr->by_mid && ln->mid == tr->mid)
		m->sel = 1;
	if (tr->by_icid && (ln->has & LOGS_GRAMMAR_HAS_ICID)
	    && ln->icid == tr->icid && type == LOGS_GRAMMAR_MID_START)
		m->sel = 1;
	if (tr->by_dcid && (ln->has & LOGS_GRAMMAR_HAS_DCID)
	    && ln->dcid == tr->dcid)
		m->sel = 1;
	if (tr->from && (type == LOGS_GRAMMAR_MID_FROM
	    || type == LOGS_GRAMMAR_MID_READY)
	    && ml_addr_is(ln, "sender", tr->from))
		m->sel = 1;
	if (tr->to && (type == LOGS_GRAMMAR_MID_TO
	    || type == LOGS_GRAMMAR_MID_REJECTED)
	    && ml_addr_is(ln, "rcpt", tr->to))
		m->sel = 1;
	if (tr->subject && type == LOGS_GRAMMAR_MID_SUBJECT
	    && (fp = logs_grammar_field(ln, "subject")) != NULL) {
		buf_reset(&tr->text);
		if (logs_grammar_unrepr(&tr->text, fp->value) == 0
		    && ml_contains(&tr->text, tr->subject))
			m->sel = 1;
	}
}

/* ml_select - close the selection over bounce links, then ICID, DCID */

static void
ml_select(struct ml_track *tr)
{
	struct ml_tmid *m, *p;
	uint32_t v;
	size_t	i;
	int	changed;

	do {
		changed = 0;
		for (i = 0; i < tr->nmids; i++) {
			m = &tr->mids[i];
			if (!m->has_parent
			    || (v = ml_map_get(&tr->midmap, m->parent)) == 0)
				continue;
			p = &tr->mids[v - 1];
			/* a bounce of a selected message, and back */
			if (p->sel && !m->sel)
				m->sel = changed = 1;
			else if (m->sel && !p->sel)
				p->sel = changed = 1;
		}
	} while (changed);
	if (tr->by_icid)
		ml_map_put(&tr->icids, tr->icid, 1);
	if (tr->by_dcid)
		ml_map_put(&tr->dcids, tr->dcid, 1);
	for (i = 0; i < tr->nmids; i++)
		if (tr->mids[i].sel && tr->mids[i].has_icid
		    && tr->mids[i].icid != 0)
			ml_map_put(&tr->icids, tr->mids[i].icid, 1);
	for (i = 0; i < tr->nedges; i++)
		if ((v = ml_map_get(&tr->midmap, tr->edges[i].mid)) != 0
		    && tr->mids[v - 1].sel)
			ml_map_put(&tr->dcids, tr->edges[i].dcid, 1);
}

/* ml_wanted - pass two: is this line about the selection */

static int
ml_wanted(const struct ml_track *tr, const struct logs_grammar_line *ln)
{
	uint32_t v;

	if (ln->has & LOGS_GRAMMAR_HAS_MID)
		return ((v = ml_map_get(&tr->midmap, ln->mid)) != 0
		    && tr->mids[v - 1].sel);
	if ((ln->has & LOGS_GRAMMAR_HAS_ICID) && ln->icid != 0)
		return (ml_map_get(&tr->icids, ln->icid) != 0);
	if ((ln->has & LOGS_GRAMMAR_HAS_DCID) && ln->dcid != 0)
		return (ml_map_get(&tr->dcids, ln->dcid) != 0);
	return (0);
}

/* ml_pass - read every file, calling collect or print per parsed line */

static int
ml_pass(struct ml_track *tr, const struct ml_files *files, int print)
{
	struct logs_grammar_line ln;
	struct ml_reader rd;
	size_t	f;
	int	st, ret = 0;

	memset(&rd, 0, sizeof(rd));
	for (f = 0; f < files->count; f++) {
		if (ml_open(&rd, files->path[f]) < 0) {
			ret = -1;
			continue;
		}
		while ((st = ml_next(&rd)) > 0) {
			if (logs_grammar_parse(&ln, rd.line, rd.len,
			    NULL) < 0) {
				if (!print)
					tr->bad++;
				continue;
			}
			if (!print)
				ml_collect(tr, &ln);
			else if (!ml_wanted(tr, &ln))
				continue;
			else if (tr->json)
				ml_json_print(ml_line_json(files->path[f],
				    rd.lineno, &ln));
			else {
				(void) fwrite(rd.line, 1, rd.len, stdout);
				(void) putchar('\n');
			}
		}
		if (st < 0)
			ret = -1;
		ml_close(&rd);
	}
	mem_free(rd.line);
	return (ret);
}

/* ml_id_arg - a decimal id option */

static int
ml_id_arg(const char *opt, const char *arg, unsigned long *out)
{
	if (arg == NULL || !str_to_ulong(str_from(arg), ULONG_MAX, out)) {
		msg_error("log track: %s wants a decimal id", opt);
		return (-1);
	}
	return (0);
}

/* ml_track - mtactl log track */

static int
ml_track(int argc, char **argv, int json)
{
	struct ml_files files = {NULL, 0, 0};
	struct ml_track tr;
	int	i, ret, any = 0;

	memset(&tr, 0, sizeof(tr));
	tr.json = json;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *opt = argv[i], *arg = argv[i + 1];

		if (strcmp(opt, "--") == 0) {
			i++;
			break;
		} else if (strcmp(opt, "--json") == 0) {
			tr.json = 1;
			continue;
		} else if (strcmp(opt, "--help") == 0) {
			ml_usage_track(stdout);
			return (0);
		}
		ret = 0;
		if (strcmp(opt, "--mid") == 0) {
			ret = ml_id_arg(opt, arg, &tr.mid);
			tr.by_mid = 1;
		} else if (strcmp(opt, "--icid") == 0) {
			ret = ml_id_arg(opt, arg, &tr.icid);
			tr.by_icid = 1;
		} else if (strcmp(opt, "--dcid") == 0) {
			ret = ml_id_arg(opt, arg, &tr.dcid);
			tr.by_dcid = 1;
		} else if (strcmp(opt, "--from") == 0 && arg) {
			tr.from = arg;
		} else if (strcmp(opt, "--to") == 0 && arg) {
			tr.to = arg;
		} else if (strcmp(opt, "--subject") == 0 && arg) {
			tr.subject = arg;
		} else {
			msg_error("log track: unknown option or missing "
			    "argument \"%s\"", opt);
			ret = -1;
		}
		if (ret < 0) {
			ml_usage_track(stderr);
			return (2);
		}
		any = 1;
		i++;
	}
	if (!any) {
		msg_error("log track: say what to look for (--mid, --icid, "
		    "--dcid, --from, --to, --subject)");
		ml_usage_track(stderr);
		return (2);
	}
	if (i >= argc) {
		msg_error("log track: no file given");
		ml_usage_track(stderr);
		return (2);
	}
	if (ml_files_make(&files, argc - i, argv + i) < 0) {
		ml_files_free(&files);
		return (1);
	}
	buf_init(&tr.text, 256);
	ret = ml_pass(&tr, &files, 0);
	if (ret == 0) {
		ml_select(&tr);
		ret = ml_pass(&tr, &files, 1);
	}
	if (tr.bad)
		msg_warn("%lu line%s did not parse (see \"mtactl log check\")",
		    tr.bad, tr.bad == 1 ? "" : "s");
	buf_fini(&tr.text);
	ml_map_free(&tr.midmap);
	ml_map_free(&tr.icids);
	ml_map_free(&tr.dcids);
	mem_free(tr.mids);
	mem_free(tr.edges);
	ml_files_free(&files);
	if (fflush(stdout) == EOF)
		return (1);
	return (ret < 0 ? 1 : 0);
}

/* mtactl_log - run one log command */

int
mtactl_log(int argc, char **argv, int json)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0) {
		if (argc < 1)
			msg_error("log: no command given");
		mtactl_log_usage(argc < 1 ? stderr : stdout);
		return (argc < 1 ? 2 : 0);
	}
	if (strcmp(argv[0], "check") == 0)
		return (ml_check(argc, argv, json));
	if (strcmp(argv[0], "track") == 0)
		return (ml_track(argc, argv, json));
	msg_error("log: unknown command \"%s\"", argv[0]);
	mtactl_log_usage(stderr);
	return (2);
}
