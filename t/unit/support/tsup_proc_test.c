/*
 * NAME
 *	tsup_proc_test - self-tests of t/support/tsup_proc
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_proc, .init = tsup_init, .fini = tsup_fini);

/* slurp - a whole file as a string that lives until tsup_fini() */

static const char *
slurp(const char *path)
{
	struct buf bp;
	const char *str;

	buf_init(&bp, 64);
	tsup_tmp_read(path, &bp);
	str = tsup_strf("%s", bp.data);
	buf_fini(&bp);
	return (str);
}

/* gone - wait (bounded) until pid no longer runs; 1 if gone */

static int
gone(pid_t pid)
{
	long long deadline = tsup_now_ms() + 5000;
	char	state = 0;
	FILE   *fp;

	while (tsup_now_ms() < deadline) {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return (1);
		/* A zombie waiting for its new parent counts as gone. */
		fp = fopen(tsup_strf("/proc/%ld/stat", (long) pid), "r");
		if (fp != NULL) {
			if (fscanf(fp, "%*d %*s %c", &state) != 1)
				state = 0;
			(void) fclose(fp);
			if (state == 'Z')
				return (1);
		}
		tsup_sleep_ms(10);
	}
	return (0);
}

Test(tsup_proc, exit_status_and_output_files)
{
	static const struct {
		const char *label;
		const char *script;
		int	exited;
		int	code;
		const char *out;
		const char *err;
	} cases[] = {
		{"exit 0", "echo out; echo err >&2", 1, 0, "out\n", "err\n"},
		{"exit 3", "echo three; exit 3", 1, 3, "three\n", ""},
		{"killed", "kill -KILL $$", 0, SIGKILL, "", ""},
	};
	const char *argv[4] = {"/bin/sh", "-c", NULL, NULL};
	struct tsup_proc *p;
	size_t	i;
	int	status;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argv[2] = cases[i].script;
		p = tsup_proc_spawn(tsup_strf("case%zu", i), argv, NULL);
		cr_assert_eq(tsup_proc_wait(p, 0, &status), 0, "%s",
		    cases[i].label);
		if (cases[i].exited) {
			cr_assert(WIFEXITED(status), "%s", cases[i].label);
			cr_assert_eq(WEXITSTATUS(status), cases[i].code, "%s",
			    cases[i].label);
		} else {
			cr_assert(WIFSIGNALED(status), "%s", cases[i].label);
			cr_assert_eq(WTERMSIG(status), cases[i].code, "%s",
			    cases[i].label);
		}
		cr_assert_str_eq(slurp(tsup_proc_out_path(p)), cases[i].out,
		    "%s", cases[i].label);
		cr_assert_str_eq(slurp(tsup_proc_err_path(p)), cases[i].err,
		    "%s", cases[i].label);
	}
}

Test(tsup_proc, environment_changes_apply)
{
	const char *argv[] = {"/bin/sh", "-c",
	    "echo \"$TSUP_A|${TSUP_GONE-unset}|$TSUP_KEEP\"", NULL};
	const char *env[] = {"TSUP_A=set here", "TSUP_GONE", NULL};
	struct tsup_proc *p;

	cr_assert_eq(setenv("TSUP_GONE", "inherited", 1), 0);
	cr_assert_eq(setenv("TSUP_KEEP", "kept", 1), 0);
	p = tsup_proc_spawn("env", argv, env);
	cr_assert_eq(tsup_proc_wait(p, 0, NULL), 0);
	cr_assert_str_eq(slurp(tsup_proc_out_path(p)), "set here|unset|kept\n");
}

Test(tsup_proc, stdin_is_a_pipe_the_test_writes)
{
	const char *argv[] = {"cat", NULL};
	struct tsup_proc *p = tsup_proc_spawn("cat", argv, NULL);
	int	status;

	tsup_proc_write(p, "one\n", 4);
	tsup_proc_write(p, "two\n", 4);
	/* cat runs until its input ends. */
	cr_assert_eq(tsup_proc_wait(p, 100, &status), -1);
	tsup_proc_close_stdin(p);
	cr_assert_eq(tsup_proc_wait(p, 0, &status), 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_str_eq(slurp(tsup_proc_out_path(p)), "one\ntwo\n");
}

Test(tsup_proc, signal_and_stop)
{
	const char *argv[] = {"sleep", "60", NULL};
	struct tsup_proc *p = tsup_proc_spawn("sleep1", argv, NULL);
	struct tsup_proc *q = tsup_proc_spawn("sleep2", argv, NULL);
	int	status;

	cr_assert_eq(tsup_proc_wait(p, 50, &status), -1, "sleep ended early");
	tsup_proc_signal(p, SIGUSR1);
	cr_assert_eq(tsup_proc_wait(p, 0, &status), 0);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1);
	status = tsup_proc_stop(q);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
}

Test(tsup_proc, fini_kills_the_whole_process_group)
{
	const char *argv[] = {"/bin/sh", "-c",
	    "sleep 60 & echo $! > \"$PIDFILE\"; wait", NULL};
	const char *env[2];
	const char *pidfile = tsup_tmp_path("pid");
	struct tsup_proc *p;
	long	child = 0;
	pid_t	leader;
	FILE   *fp;

	env[0] = tsup_strf("PIDFILE=%s", pidfile);
	env[1] = NULL;
	p = tsup_proc_spawn("group", argv, env);
	leader = tsup_proc_pid(p);
	for (int i = 0; i < 500 && child == 0; i++) {
		if ((fp = fopen(pidfile, "r")) != NULL) {
			if (fscanf(fp, "%ld", &child) != 1)
				child = 0;
			(void) fclose(fp);
		}
		if (child == 0)
			tsup_sleep_ms(10);
	}
	cr_assert_gt(child, 0, "the shell did not write its child's pid");
	cr_assert_eq(getpgid((pid_t) child), leader);
	tsup_fini();
	cr_assert(gone(leader), "leader %ld survives tsup_fini", (long) leader);
	cr_assert(gone((pid_t) child), "grandchild %ld survives tsup_fini",
	    child);
}

/* spawn_missing - tsup_catch() body */

static void
spawn_missing(void *arg)
{
	const char *argv[] = {arg, NULL};

	(void) tsup_proc_spawn("missing", argv, NULL);
}

/* wait_port_of_dying - tsup_catch() body */

static void
wait_port_of_dying(void *arg)
{
	const char *argv[] = {"/bin/sh", "-c", "echo cannot bind >&2; exit 2",
	    NULL};
	struct tsup_proc *p = tsup_proc_spawn("dying", argv, NULL);

	tsup_proc_wait_port(p, tsup_port_free(), 0);
}

/* bin_missing - tsup_catch() body */

static void
bin_missing(void *arg)
{
	(void) tsup_proc_bin(arg);
}

Test(tsup_proc, failures_say_what_and_why)
{
	static const struct {
		const char *label;
		void	(*fn)(void *);
		const char *arg;
		const char *want1;
		const char *want2;
	} cases[] = {
		{"exec of a missing path", spawn_missing, "/nonexistent/prog",
		"/nonexistent/prog", "No such file"},
		{"program not in PATH", spawn_missing, "tsup-no-such-prog",
		"tsup-no-such-prog", "not found"},
		{"process dies before listening", wait_port_of_dying, NULL,
		"exited with status 2", "cannot bind"},
		{"binary not built", bin_missing, "tsup-no-such-bin",
		"tsup-no-such-bin", "build it first"},
	};
	struct buf msg;
	size_t	i;

	buf_init(&msg, 128);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&msg);
		cr_assert_eq(tsup_catch(cases[i].fn, (void *) cases[i].arg,
		    &msg), 1, "%s: no failure", cases[i].label);
		cr_assert(strstr(msg.data, cases[i].want1) != NULL, "%s: %s",
		    cases[i].label, msg.data);
		cr_assert(strstr(msg.data, cases[i].want2) != NULL, "%s: %s",
		    cases[i].label, msg.data);
	}
	buf_fini(&msg);
}

Test(tsup_proc, bin_finds_programs_in_the_build_directory)
{
	const char *dir = tsup_tmp_mkdir("builddir");
	const char *prog = tsup_strf("%s/mtad-fake", dir);

	(void) tsup_tmp_write(prog, "#!/bin/sh\nexit 0\n", 17);
	cr_assert_eq(chmod(prog, 0755), 0);
	cr_assert_eq(setenv("MTA_BUILDDIR", dir, 1), 0);
	cr_assert_str_eq(tsup_proc_bin("mtad-fake"), prog);
}

Test(tsup_proc, wait_port_sees_a_real_server)
{
	const struct tsup_certs *pki = tsup_certs_make(NULL);
	int	port = tsup_port_free();
	const char *argv[] = {"openssl", "s_server", "-quiet", "-accept",
	    tsup_strf("127.0.0.1:%d", port), "-cert", pki->good.chain, "-key",
	    pki->good.key, NULL};
	struct tsup_proc *p = tsup_proc_spawn("s_server", argv, NULL);

	tsup_proc_wait_port(p, port, 0);
	cr_assert_eq(tsup_port_wait(port, 1), 0);
}
