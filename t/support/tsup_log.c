/*
 * NAME
 *	tsup_log - find, mask and wait for mail log lines
 * DESCRIPTION
 *	See tsupport.h. Mail log lines are held against their documented
 *	form byte for byte; what differs from run to run (the timestamp,
 *	the connection and message numbers) is masked first, and nothing
 *	else is, so a stray space or a changed word still fails.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "tsup_int.h"
#include "tsupport.h"

/* The identifiers whose numbers vary between runs. */
static const char *const tsup_log_ids[] = {"ICID", "MID", "DCID", "RCID",
"RID", NULL};

/* tsup_log_match_init - compile a pattern (regex mode) */

static void
tsup_log_match_init(regex_t *re, int mode, const char *pattern)
{
	char	err[256];
	int	ret;

	if (mode == TSUP_LOG_SUBSTR)
		return;
	if (mode != TSUP_LOG_REGEX)
		tsup_fail("tsup_log: unknown mode %d", mode);
	if ((ret = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		(void) regerror(ret, re, err, sizeof(err));
		tsup_fail("tsup_log: bad regular expression \"%s\": %s",
		    pattern, err);
	}
}

/* tsup_log_grep - count (and collect) the matching lines of a file */

int
tsup_log_grep(const char *path, int mode, const char *pattern,
    struct buf *lines)
{
	struct buf file;
	regex_t	re;
	char   *cp;
	char   *nl;
	int	count = 0;
	int	hit;

	tsup_log_match_init(&re, mode, pattern);
	buf_init(&file, 4096);
	if (access(path, F_OK) == 0)
		tsup_tmp_read(path, &file);
	for (cp = file.data; cp < file.data + file.len; cp = nl + 1) {
		nl = memchr(cp, '\n', file.len - (size_t) (cp - file.data));
		if (nl == NULL)
			nl = file.data + file.len;
		*nl = 0;
		if (mode == TSUP_LOG_SUBSTR)
			hit = strstr(cp, pattern) != NULL;
		else
			hit = regexec(&re, cp, 0, NULL, 0) == 0;
		if (hit) {
			count++;
			if (lines != NULL) {
				buf_puts(lines, cp);
				buf_putc(lines, '\n');
			}
		}
	}
	if (mode == TSUP_LOG_REGEX)
		regfree(&re);
	buf_fini(&file);
	return (count);
}

/* tsup_log_stamp - length of a leading timestamp, 0 if none */

static size_t
tsup_log_stamp(const char *line)
{
	static const char *const forms[] = {
		/* AsyncOS: "Wed Sep 14 09:48:19 2022", "Tue Aug  9 ..." */
		"^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]{1,2} "
		"[0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}",
		/* syslog: "Sep 14 09:48:19" */
		"^[A-Z][a-z]{2} +[0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
		NULL,
	};
	regmatch_t m;
	regex_t	re;
	size_t	len = 0;
	int	i;

	for (i = 0; forms[i] && len == 0; i++) {
		if (regcomp(&re, forms[i], REG_EXTENDED) != 0)
			msg_panic("tsup_log_stamp: bad built-in pattern");
		if (regexec(&re, line, 1, &m, 0) == 0)
			len = (size_t) m.rm_eo;
		regfree(&re);
	}
	return (len);
}

/* tsup_log_id_at - length of an identifier word at cp, 0 if none */

static size_t
tsup_log_id_at(const char *line, const char *cp)
{
	size_t	len;
	int	i;

	if (cp > line && (isalnum((unsigned char) cp[-1]) || cp[-1] == '_'))
		return (0);
	for (i = 0; tsup_log_ids[i]; i++) {
		len = strlen(tsup_log_ids[i]);
		if (strncmp(cp, tsup_log_ids[i], len) == 0 && cp[len] == ' ')
			return (len);
	}
	return (0);
}

/* tsup_log_mask - a line with its variable parts masked */

const char *
tsup_log_mask(const char *line)
{
	struct buf out;
	const char *cp = line;
	const char *masked;
	size_t	len;

	buf_init(&out, strlen(line) + 16);
	if ((len = tsup_log_stamp(line)) > 0) {
		buf_puts(&out, "TIMESTAMP");
		cp += len;
	}
	while (*cp) {
		if ((len = tsup_log_id_at(line, cp)) == 0) {
			buf_putc(&out, *cp++);
			continue;
		}
		buf_append(&out, cp, len + 1);
		cp += len + 1;
		if (isdigit((unsigned char) *cp)) {
			/* "MID 123" */
			while (isdigit((unsigned char) *cp))
				cp++;
			buf_putc(&out, 'N');
		} else if (*cp == '[') {
			/* "RID [0, 1]" */
			buf_putc(&out, *cp++);
			while (isdigit((unsigned char) *cp)) {
				while (isdigit((unsigned char) *cp))
					cp++;
				buf_putc(&out, 'N');
				if (strncmp(cp, ", ", 2) != 0)
					break;
				buf_puts(&out, ", ");
				cp += 2;
			}
		}
	}
	masked = tsup_strf("%s", out.data);
	buf_fini(&out);
	return (masked);
}

/* tsup_log_wait - wait until a line matches; the first such line */

const char *
tsup_log_wait(const char *path, int mode, const char *pattern,
    int timeout_ms)
{
	int	ms = tsup_timeout(timeout_ms);
	long long deadline = tsup_now_ms() + ms;
	struct buf lines;
	struct buf file;
	const char *first;
	const char *tail;
	size_t	start;

	buf_init(&lines, 1024);
	for (;;) {
		if (tsup_log_grep(path, mode, pattern, &lines) > 0) {
			first = tsup_strf("%.*s", (int) strcspn(lines.data,
			    "\n"), lines.data);
			buf_fini(&lines);
			return (first);
		}
		if (tsup_now_ms() >= deadline)
			break;
		tsup_sleep_ms(20);
	}
	buf_fini(&lines);
	buf_init(&file, 4096);
	if (access(path, F_OK) == 0)
		tsup_tmp_read(path, &file);
	start = file.len > 1500 ? file.len - 1500 : 0;
	tail = tsup_strf("%s%s", file.len ? "ends with:\n" : "is empty or "
	    "missing", file.data + start);
	buf_fini(&file);
	tsup_fail("no line matching \"%s\" in %s after %d ms; the file %s",
	    pattern, path, ms, tail);
}
