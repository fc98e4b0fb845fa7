/*
 * NAME
 *	tsup_run - run external tools (swaks, openssl, unbound) with a deadline
 * DESCRIPTION
 *	See tsupport.h. A tool a test needs and cannot find is a failure
 *	that names the Debian package to install: a test that skips in
 *	silence on a machine without swaks proves nothing and looks green.
 *
 *	tsup_run() feeds the input and drains the output through pipes in
 *	one poll loop (so neither side can fill a pipe and block the
 *	other), in a process group of its own that a missed deadline
 *	kills as a whole.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "tsup_int.h"
#include "tsupport.h"

/* Where each tool comes from, for the failure message. */
static const struct {
	const char *tool;
	const char *package;
} tsup_run_packages[] = {
	{"swaks", "swaks"},
	{"openssl", "openssl"},
	{"unbound", "unbound"},
	{"unbound-control", "unbound"},
	{"smtp-sink", "postfix"},
	{"smtp-source", "postfix"},
	{"posttls-finger", "postfix"},
	{"faketime", "faketime"},
	{"socat", "socat"},
	{"strace", "strace"},
	{"testssl", "testssl.sh"},
	{"sslscan", "sslscan"},
	{NULL, NULL},
};

/* tsup_run_have - the full path of a tool, or NULL */

const char *
tsup_run_have(const char *tool)
{
	const char *path = getenv("PATH");
	const char *cp;
	const char *end;
	const char *cand;
	struct buf dirs;

	if (strchr(tool, '/') != NULL)
		return (access(tool, X_OK) == 0 ? tool : NULL);
	buf_init(&dirs, 256);
	buf_printf(&dirs, "%s:/usr/local/sbin:/usr/sbin:/sbin",
	    path != NULL ? path : "/usr/bin:/bin");
	for (cp = dirs.data; *cp; cp = *end ? end + 1 : end) {
		if ((end = strchr(cp, ':')) == NULL)
			end = cp + strlen(cp);
		if (end == cp)
			continue;
		cand = tsup_strf("%.*s/%s", (int) (end - cp), cp, tool);
		if (access(cand, X_OK) == 0) {
			buf_fini(&dirs);
			return (cand);
		}
	}
	buf_fini(&dirs);
	return (NULL);
}

/* tsup_run_need - the full path of a tool; fail the test without it */

const char *
tsup_run_need(const char *tool)
{
	const char *path;
	const char *pkg = NULL;
	int	i;

	if ((path = tsup_run_have(tool)) != NULL)
		return (path);
	for (i = 0; tsup_run_packages[i].tool; i++)
		if (strcmp(tsup_run_packages[i].tool, tool) == 0)
			pkg = tsup_run_packages[i].package;
	if (pkg != NULL)
		tsup_fail("this test needs the tool %s, which is not "
		    "installed: apt-get install %s", tool, pkg);
	tsup_fail("this test needs the tool %s, which is not in PATH, "
	    "/usr/sbin or /sbin: install it", tool);
}

/* tsup_run - run argv with input and a deadline; the exit status */

int
tsup_run(const char *const *argv, const void *input, size_t inlen,
    int timeout_ms, struct buf *out)
{
	long long deadline = tsup_now_ms() + tsup_timeout(timeout_ms);
	const char *path;
	const char *in = input;
	struct pollfd pfd[2];
	char	chunk[4096];
	int	in_pipe[2];
	int	out_pipe[2];
	int	status;
	int	nfd;
	int	left;
	ssize_t	n;
	pid_t	pid;
	pid_t	parent = getpid();

	if (argv == NULL || argv[0] == NULL)
		tsup_fail("tsup_run: empty argv");
	path = tsup_run_need(argv[0]);
	if (pipe2(in_pipe, O_CLOEXEC) == -1
	    || pipe2(out_pipe, O_CLOEXEC) == -1)
		tsup_fail("pipe: %s", strerror(errno));
	switch (pid = fork()) {
	case -1:
		tsup_fail("fork: %s", strerror(errno));
	case 0:
		(void) setpgid(0, 0);
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		(void) signal(SIGPIPE, SIG_DFL);
		if (dup2(in_pipe[0], 0) == -1 || dup2(out_pipe[1], 1) == -1
		    || dup2(out_pipe[1], 2) == -1)
			_exit(127);
		execv(path, (char *const *) argv);
		_exit(127);
	}
	(void) setpgid(pid, pid);
	(void) close(in_pipe[0]);
	(void) close(out_pipe[1]);
	if (input == NULL || inlen == 0) {
		(void) close(in_pipe[1]);
		in_pipe[1] = -1;
	} else {
		tsup_set_nonblock(in_pipe[1], 1);
	}

	/* Feed and drain until the output ends, or the deadline. */
	(void) signal(SIGPIPE, SIG_IGN);
	while (out_pipe[0] != -1) {
		nfd = 0;
		pfd[nfd].fd = out_pipe[0];
		pfd[nfd++].events = POLLIN;
		if (in_pipe[1] != -1) {
			pfd[nfd].fd = in_pipe[1];
			pfd[nfd++].events = POLLOUT;
		}
		if ((left = (int) (deadline - tsup_now_ms())) <= 0)
			break;
		if (poll(pfd, (nfds_t) nfd, left) == -1) {
			if (errno == EINTR)
				continue;
			tsup_fail("poll: %s", strerror(errno));
		}
		if (nfd > 1 && pfd[1].revents) {
			n = write(in_pipe[1], in, inlen);
			if (n > 0) {
				in += n;
				inlen -= (size_t) n;
			}
			if ((n == -1 && errno != EAGAIN && errno != EINTR)
			    || inlen == 0) {
				(void) close(in_pipe[1]);
				in_pipe[1] = -1;
			}
		}
		if (pfd[0].revents) {
			n = read(out_pipe[0], chunk, sizeof(chunk));
			if (n > 0 && out != NULL)
				buf_append(out, chunk, (size_t) n);
			if (n == 0 || (n == -1 && errno != EINTR)) {
				(void) close(out_pipe[0]);
				out_pipe[0] = -1;
			}
		}
	}
	if (in_pipe[1] != -1)
		(void) close(in_pipe[1]);
	if (out_pipe[0] != -1) {
		/* Deadline: the tool still writes, or holds its output open. */
		(void) close(out_pipe[0]);
		(void) killpg(pid, SIGKILL);
		(void) waitpid(pid, &status, 0);
		if (out != NULL)
			buf_printf(out, "\n[tsup_run: %s killed after %d ms]\n",
			    argv[0], tsup_timeout(timeout_ms));
		return (-1);
	}
	for (;;) {
		if ((pid_t) waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (tsup_now_ms() >= deadline) {
			(void) killpg(pid, SIGKILL);
			(void) waitpid(pid, &status, 0);
			if (out != NULL)
				buf_printf(out, "\n[tsup_run: %s killed after "
				    "%d ms]\n", argv[0],
				    tsup_timeout(timeout_ms));
			return (-1);
		}
		tsup_sleep_ms(5);
	}
	/* A child of the tool may still hold the group: end it too. */
	(void) killpg(pid, SIGKILL);
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	return (128 + WTERMSIG(status));
}

/* tsup_run_sh - run a formatted shell command line */

int
tsup_run_sh(struct buf *out, int timeout_ms, const char *fmt, ...)
{
	const char *argv[4];
	va_list	ap;

	va_start(ap, fmt);
	argv[2] = tsup_vstrf(fmt, ap);
	va_end(ap);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[3] = NULL;
	return (tsup_run(argv, NULL, 0, timeout_ms, out));
}
