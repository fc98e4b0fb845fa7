/*
 * NAME
 *	tsup_tmp_test - self-tests of t/support/tsup_tmp
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_tmp, .init = tsup_init, .fini = tsup_fini);

/* exists - does a path exist (without following a last link)? */

static int
exists(const char *path)
{
	struct stat st;

	return (lstat(path, &st) == 0);
}

Test(tsup_tmp, dir_is_private_unique_and_under_tmpdir)
{
	const char *base = tsup_tmp_mkdir("base");
	const char *a;
	const char *b;
	const char *prefix;
	struct stat st;

	cr_assert_eq(setenv("TMPDIR", base, 1), 0);
	a = tsup_tmp_dir();
	b = tsup_tmp_mkdir("other");
	cr_assert_str_eq(a, tsup_tmp_dir(), "the default dir is made once");
	cr_assert_neq(strcmp(a, b), 0);
	cr_assert_eq(strncmp(a, base, strlen(base)), 0, "%s under %s", a, base);
	prefix = tsup_strf("%s/mtad-other-", base);
	cr_assert_eq(strncmp(b, prefix, strlen(prefix)), 0, "%s", b);
	cr_assert_eq(stat(a, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0700, "mode %o", st.st_mode & 0777);
}

Test(tsup_tmp, fini_removes_tree_but_not_what_links_point_to)
{
	const char *outside = tsup_tmp_mkdir("outside");
	const char *keep = tsup_strf("%s/keep", outside);
	const char *dir;
	char   *saved;
	char   *saved_keep;

	(void) tsup_tmp_write(keep, "precious", 8);
	dir = tsup_tmp_dir();
	cr_assert_eq(mkdir(tsup_tmp_path("a"), 0700), 0);
	cr_assert_eq(mkdir(tsup_tmp_path("a/b"), 0700), 0);
	(void) tsup_tmp_write("a/b/file", "x", 1);
	cr_assert_eq(symlink(outside, tsup_tmp_path("a/link")), 0);
	saved = mem_strdup(dir);
	saved_keep = mem_strdup(keep);

	/* Remove only the test dir: untrack "outside" by removing it last. */
	unsetenv("MTA_KEEP_TMP");
	tsup_tmp_remove(saved);
	cr_assert(!exists(saved), "%s still exists", saved);
	cr_assert(exists(saved_keep), "the link target was removed");
	tsup_fini();
	cr_assert(!exists(saved_keep), "fini left %s", saved_keep);
	mem_free(saved);
	mem_free(saved_keep);
}

Test(tsup_tmp, keep_tmp_keeps_the_directory)
{
	char   *dir;

	cr_assert_eq(setenv("MTA_KEEP_TMP", "1", 1), 0);
	dir = mem_strdup(tsup_tmp_dir());
	(void) tsup_tmp_write("f", "x", 1);
	tsup_fini();
	cr_assert(exists(dir), "MTA_KEEP_TMP=1 but %s was removed", dir);
	unsetenv("MTA_KEEP_TMP");
	tsup_tmp_remove(dir);
	cr_assert(!exists(dir));
	mem_free(dir);
}

Test(tsup_tmp, write_and_read_round_trip_bytes)
{
	static const struct {
		const char *label;
		const char *data;
		size_t	len;
	} cases[] = {
		{"empty", "", 0},
		{"text", "hello\r\n", 7},
		{"nul and high bytes", "a\0b\377\r", 5},
	};
	struct buf got;
	const char *path;
	size_t	i;

	buf_init(&got, 16);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path = tsup_tmp_write(tsup_strf("f%zu", i), cases[i].data,
		    cases[i].len);
		cr_assert_str_eq(path, tsup_tmp_path("f%zu", i), "%s",
		    cases[i].label);
		buf_reset(&got);
		tsup_tmp_read(path, &got);
		cr_assert_eq(got.len, cases[i].len, "%s", cases[i].label);
		cr_assert(memcmp(got.data, cases[i].data, got.len) == 0, "%s",
		    cases[i].label);
	}
	buf_fini(&got);
}

/* read_missing - tsup_catch() body */

static void
read_missing(void *arg)
{
	struct buf *out = arg;

	tsup_tmp_read(tsup_tmp_path("no-such-file"), out);
}

Test(tsup_tmp, reading_a_missing_file_fails_the_test)
{
	struct buf out;
	struct buf msg;

	buf_init(&out, 16);
	buf_init(&msg, 16);
	cr_assert_eq(tsup_catch(read_missing, &out, &msg), 1);
	cr_assert(strstr(msg.data, "no-such-file") != NULL, "%s", msg.data);
	cr_assert(strstr(msg.data, strerror(ENOENT)) != NULL, "%s", msg.data);
	buf_fini(&out);
	buf_fini(&msg);
}
