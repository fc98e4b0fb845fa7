/*
 * NAME
 *	queue_order_test - "250 only after durable", checked on real syscalls
 * DESCRIPTION
 *	Runs queue_commit_probe under strace -f -y and reads the trace.
 *	For each message the probe acknowledged, the calls must come in
 *	this order, before the acknowledgement is written:
 *
 *	    fsync(incoming/MID)				the content
 *	    rename(incoming/MID, data/MID)
 *	    fsync(data/)
 *	    write(incoming/MID.env), fsync(incoming/MID.env)
 *	    rename(incoming/MID.env, active/MID)	the commit point
 *	    fsync(active/)
 *	    write(1, "ACK MID\n")			stands for the 250
 *
 *	The same check as catalogue case 60, against the kernel interface
 *	rather than the fault seam. Skipped when strace is missing or may
 *	not trace.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"

#include "queue_testlib.h"

#define MESSAGES	3
#define MESSAGES_STR	"3"

/* lines - split a trace into lines (modifies text) */

static size_t
lines(char *text, char **v, size_t max)
{
	size_t	n = 0;
	char   *cp;

	for (cp = text; *cp && n < max; ) {
		v[n++] = cp;
		if ((cp = strchr(cp, '\n')) == NULL)
			break;
		*cp++ = 0;
	}
	return (n);
}

/* find - first line at or after from holding all of a, b and c */

static long
find(char **v, size_t n, size_t from, const char *a, const char *b,
    const char *c)
{
	size_t	i;

	for (i = from; i < n; i++)
		if (strstr(v[i], a) && (!b || strstr(v[i], b))
		    && (!c || strstr(v[i], c)))
			return ((long) i);
	return (-1);
}

/* run_traced - run the probe under strace; 0, or -1 to skip */

static int
run_traced(const char *probe, const char *spooldir, const char *log)
{
	pid_t	pid;
	int	status;
	int	null;

	if (access("/usr/bin/strace", X_OK) != 0)
		return (-1);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		(void) dup2(null, STDOUT_FILENO);
		(void) dup2(null, STDERR_FILENO);

		/* LeakSanitizer needs ptrace, which strace holds. */
		(void) setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		execl("/usr/bin/strace", "strace", "-f", "-y", "-qq", "-o", log,
		    "-e", "trace=write,fsync,fdatasync,rename,renameat,"
		    "renameat2", probe, spooldir, MESSAGES_STR,
		    (char *) NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return (-1);
	return (0);
}

Test(queue_order, ack_only_after_content_envelope_and_dirs_are_synced)
{
	const char *builddir = getenv("MTA_BUILDDIR");
	char   *tmp = qt_tmpdir();
	char   *spooldir = qt_path(tmp, "spool");
	char   *log = qt_path(tmp, "trace");
	char   *probe;
	char   *v[4096];
	struct buf text;
	struct buf a;
	struct buf b;
	char	chunk[4096];
	ssize_t	got;
	size_t	n;
	long	at[8];
	int	fd;
	int	m;
	int	k;

	if (builddir == NULL) {
		qt_rmtree(tmp);
		cr_skip_test("MTA_BUILDDIR is not set (run by make check)");
	}
	probe = qt_path(builddir, "t/unit/queue/queue_commit_probe");
	if (run_traced(probe, spooldir, log) < 0) {
		qt_rmtree(tmp);
		cr_skip_test("strace is missing or cannot trace here");
	}
	buf_init(&text, 0);
	fd = open(log, O_RDONLY);
	cr_assert_neq(fd, -1);
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&text, chunk, (size_t) got);
	(void) close(fd);
	n = lines(text.data, v, sizeof(v) / sizeof(v[0]));

	buf_init(&a, 0);
	buf_init(&b, 0);
	for (m = 1; m <= MESSAGES; m++) {
		buf_reset(&a);
		buf_printf(&a, "/incoming/%d>)", m);
		at[0] = find(v, n, 0, "fsync(", a.data, NULL);
		buf_reset(&a);
		buf_printf(&a, "/incoming>, \"%d\"", m);
		buf_reset(&b);
		buf_printf(&b, "/data>, \"%d\"", m);
		at[1] = find(v, n, 0, "rename", a.data, b.data);
		at[2] = find(v, n, at[1] < 0 ? n : (size_t) at[1], "fsync(",
		    "/data>)", NULL);
		buf_reset(&a);
		buf_printf(&a, "/incoming/%d.env>", m);
		at[3] = find(v, n, 0, "write(", a.data, NULL);
		at[4] = find(v, n, 0, "fsync(", a.data, NULL);
		buf_reset(&a);
		buf_printf(&a, "/incoming>, \"%d.env\"", m);
		buf_reset(&b);
		buf_printf(&b, "/active>, \"%d\"", m);
		at[5] = find(v, n, 0, "rename", a.data, b.data);
		at[6] = find(v, n, at[5] < 0 ? n : (size_t) at[5], "fsync(",
		    "/active>)", NULL);
		buf_reset(&a);
		buf_printf(&a, "\"ACK %d\\n\"", m);
		at[7] = find(v, n, 0, "write(1", a.data, NULL);
		for (k = 0; k < 8; k++)
			cr_assert_geq(at[k], 0, "MID %d: call %d not in the "
			    "trace", m, k);
		for (k = 1; k < 8; k++)
			cr_assert_lt(at[k - 1], at[k], "MID %d: \"%s\" comes "
			    "after \"%s\"", m, v[at[k - 1]], v[at[k]]);
	}
	buf_fini(&a);
	buf_fini(&b);
	buf_fini(&text);
	mem_free(probe);
	mem_free(log);
	mem_free(spooldir);
	qt_rmtree(tmp);
	mem_free(tmp);
}
