/*
 * NAME
 *	tsup_spool_test - self-tests of t/support/tsup_spool
 */
#include "config.h"

#include <sys/stat.h>

#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_spool, .init = tsup_init, .fini = tsup_fini);

Test(tsup_spool, count_table)
{
	const char *spool = tsup_tmp_mkdir("spool");
	static const char *const files[] = {
		"A1.msg", "A2.msg", "A3.tmp", ".hidden.msg", "sub/B1.msg",
		"sub/deeper/C1.msg", "sub/deeper/C2.env", NULL,
	};
	static const struct {
		const char *label;
		const char *dir;
		const char *suffix;
		int	deep;
		int	want;
	} cases[] = {
		{"top level .msg", "", ".msg", 0, 2},
		{"whole tree .msg", "", ".msg", 1, 4},
		{"top level, all", "", "", 0, 3},
		{"whole tree, all", "", "", 1, 6},
		{"subdirectory", "/sub", ".msg", 0, 1},
		{"no match", "", ".nothing", 1, 0},
		{"suffix longer than names", "", "much-longer-than-a-name", 1,
		0},
	};
	const char *dir;
	size_t	i;
	int	got;

	cr_assert_eq(mkdir(tsup_strf("%s/sub", spool), 0700), 0);
	cr_assert_eq(mkdir(tsup_strf("%s/sub/deeper", spool), 0700), 0);
	for (i = 0; files[i]; i++)
		(void) tsup_tmp_write(tsup_strf("%s/%s", spool, files[i]), "x",
		    1);
	/* Links and directories named like messages never count. */
	cr_assert_eq(symlink("A1.msg", tsup_strf("%s/L.msg", spool)), 0);
	cr_assert_eq(mkdir(tsup_strf("%s/D.msg", spool), 0700), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dir = tsup_strf("%s%s", spool, cases[i].dir);
		got = cases[i].deep ? tsup_spool_count_tree(dir,
		    cases[i].suffix) : tsup_spool_count(dir, cases[i].suffix);
		cr_assert_eq(got, cases[i].want, "%s: got %d", cases[i].label,
		    got);
	}
}

Test(tsup_spool, wait_for_a_count)
{
	const char *spool = tsup_tmp_mkdir("spool");
	const char *argv[] = {"/bin/sh", "-c", tsup_strf("sleep 0.2; "
	    "echo > %s/m1.msg; echo > %s/m2.msg", spool, spool), NULL};

	cr_assert_eq(tsup_spool_wait(spool, ".msg", 0, 0), 0);
	(void) tsup_proc_spawn("queue", argv, NULL);
	cr_assert_eq(tsup_spool_wait(spool, ".msg", 2, 0), 0);
	cr_assert_eq(tsup_spool_wait(spool, ".msg", 3, 100), -1);
}

/* count_missing - tsup_catch() body */

static void
count_missing(void *arg)
{
	(void) tsup_spool_count(arg, ".msg");
}

Test(tsup_spool, a_missing_spool_fails_the_test)
{
	const char *dir = tsup_tmp_path("no-spool");
	struct buf msg;

	buf_init(&msg, 64);
	cr_assert_eq(tsup_catch(count_missing, (void *) dir, &msg), 1);
	cr_assert(strstr(msg.data, dir) != NULL, "%s", msg.data);
	buf_fini(&msg);
}
