/*
 * NAME
 *	tsup_spool - count the files a spool holds
 * DESCRIPTION
 *	See tsupport.h. The spool format belongs to the queue; tests name
 *	what they count by a file name suffix, and this module knows
 *	nothing else about it. Symbolic links are neither counted nor
 *	followed.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "tsup_int.h"
#include "tsupport.h"

/* tsup_spool_walk - count matching files in dir (and below) */

static int
tsup_spool_walk(const char *dir, const char *suffix, int deep, int top)
{
	struct dirent *de;
	struct stat st;
	struct buf path;
	size_t	nlen;
	size_t	slen = strlen(suffix);
	DIR    *dp;
	int	count = 0;

	if ((dp = opendir(dir)) == NULL) {
		/* A subdirectory may vanish while the queue works. */
		if (!top && errno == ENOENT)
			return (0);
		tsup_fail("spool directory %s: %s", dir, strerror(errno));
	}
	buf_init(&path, 256);
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.data, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (deep)
				count += tsup_spool_walk(path.data, suffix,
				    deep, 0);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		nlen = strlen(de->d_name);
		if (nlen >= slen
		    && strcmp(de->d_name + nlen - slen, suffix) == 0)
			count++;
	}
	(void) closedir(dp);
	buf_fini(&path);
	return (count);
}

/* tsup_spool_count - matching files directly in dir */

int
tsup_spool_count(const char *dir, const char *suffix)
{
	return (tsup_spool_walk(dir, suffix ? suffix : "", 0, 1));
}

/* tsup_spool_count_tree - matching files in dir and below */

int
tsup_spool_count_tree(const char *dir, const char *suffix)
{
	return (tsup_spool_walk(dir, suffix ? suffix : "", 1, 1));
}

/* tsup_spool_wait - wait until the tree holds want matching files */

int
tsup_spool_wait(const char *dir, const char *suffix, int want,
    int timeout_ms)
{
	long long deadline = tsup_now_ms() + tsup_timeout(timeout_ms);

	for (;;) {
		if (tsup_spool_count_tree(dir, suffix) == want)
			return (0);
		if (tsup_now_ms() >= deadline)
			return (-1);
		tsup_sleep_ms(20);
	}
}
