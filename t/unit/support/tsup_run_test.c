/*
 * NAME
 *	tsup_run_test - self-tests of t/support/tsup_run
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_run, .init = tsup_init, .fini = tsup_fini);

Test(tsup_run, status_output_and_input)
{
	static const struct {
		const char *label;
		const char *argv[5];
		const char *input;
		int	want;
		const char *out;
	} cases[] = {
		{"true", {"true"}, NULL, 0, ""},
		{"false", {"false"}, NULL, 1, ""},
		{"exit code", {"/bin/sh", "-c", "exit 7"}, NULL, 7, ""},
		{"signal", {"/bin/sh", "-c", "kill -TERM $$"}, NULL, 128 + 15,
		""},
		{"stdout and stderr interleaved",
		{"/bin/sh", "-c", "echo a; echo b >&2; echo c"}, NULL, 0,
		"a\nb\nc\n"},
		{"input", {"cat"}, "fed\r\n\001", 0, "fed\r\n\001"},
		{"input not read", {"true"}, "ignored", 0, ""},
	};
	struct buf out;
	size_t	i;
	int	ret;

	buf_init(&out, 64);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		ret = tsup_run(cases[i].argv, cases[i].input, cases[i].input ?
		    strlen(cases[i].input) : 0, 0, &out);
		cr_assert_eq(ret, cases[i].want, "%s: status %d",
		    cases[i].label, ret);
		cr_assert_str_eq(out.data, cases[i].out, "%s", cases[i].label);
	}
	buf_fini(&out);
}

Test(tsup_run, big_input_and_output_do_not_deadlock)
{
	static char big[1 << 20];
	const char *argv[] = {"cat", NULL};
	struct buf out;

	memset(big, 'x', sizeof(big));
	buf_init(&out, sizeof(big));
	cr_assert_eq(tsup_run(argv, big, sizeof(big), 0, &out), 0);
	cr_assert_eq(out.len, sizeof(big));
	buf_fini(&out);
}

Test(tsup_run, deadline_kills_the_tool_and_its_children)
{
	struct buf out;
	long long start = tsup_now_ms();

	buf_init(&out, 64);
	cr_assert_eq(tsup_run_sh(&out, 200, "sleep 30 & sleep 30"), -1);
	cr_assert(tsup_now_ms() - start < 10000, "the deadline holds");
	cr_assert(strstr(out.data, "killed after 200 ms") != NULL, "%s",
	    out.data);
	buf_fini(&out);
}

Test(tsup_run, sh_formats_the_command)
{
	struct buf out;

	buf_init(&out, 64);
	cr_assert_eq(tsup_run_sh(&out, 0, "printf '%%s-%%d' %s %d", "x", 42),
	    0);
	cr_assert_str_eq(out.data, "x-42");
	buf_fini(&out);
}

Test(tsup_run, the_tools_the_tests_need_are_here)
{
	static const char *const tools[] = {"swaks", "openssl", "unbound",
	NULL};
	const char *path;
	int	i;

	for (i = 0; tools[i]; i++) {
		path = tsup_run_need(tools[i]);
		cr_assert(path[0] == '/', "%s: %s", tools[i], path);
		cr_assert(strstr(path, tools[i]) != NULL, "%s", path);
	}
}

/* need - tsup_catch() body */

static void
need(void *arg)
{
	(void) tsup_run_need(arg);
}

Test(tsup_run, a_missing_tool_fails_and_names_the_package)
{
	static const struct {
		const char *tool;
		const char *want;
	} cases[] = {
		{"swaks", "apt-get install swaks"},
		{"smtp-sink", "apt-get install postfix"},
		{"tsup-unknown-tool", "not in PATH"},
	};
	struct buf msg;
	size_t	i;

	/* An empty PATH hides swaks; smtp-sink hides in a fake sbin. */
	cr_assert_eq(setenv("PATH", tsup_tmp_mkdir("emptypath"), 1), 0);
	buf_init(&msg, 64);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (tsup_run_have(cases[i].tool) != NULL)
			continue;	/* in /usr/sbin: cannot hide it */
		buf_reset(&msg);
		cr_assert_eq(tsup_catch(need, (void *) cases[i].tool, &msg), 1,
		    "%s", cases[i].tool);
		cr_assert(strstr(msg.data, cases[i].want) != NULL, "%s: %s",
		    cases[i].tool, msg.data);
		cr_assert(strstr(msg.data, cases[i].tool) != NULL, "%s",
		    msg.data);
	}
	buf_fini(&msg);
	cr_assert_null(tsup_run_have("swaks"));
}
