/*
 * NAME
 *	tsup_proc - child processes of a test: the daemon, real peers
 * DESCRIPTION
 *	See tsupport.h. Each child runs in a process group of its own, so
 *	that the daemon and whatever it spawns can be signalled as one,
 *	and gets SIGKILL when the test process dies (PR_SET_PDEATHSIG),
 *	so a crashed test leaves nothing listening. The child's standard
 *	input is a pipe the test holds: programs that end at end of input
 *	(openssl s_server) keep running, and a test can type into them.
 *
 *	An exec failure is reported back through a close-on-exec pipe, so
 *	the test fails with "exec ...: No such file or directory" at the
 *	spawn, not with a puzzling timeout later.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "tsup_int.h"
#include "tsupport.h"

extern char **environ;

struct tsup_proc {
	char   *name;
	char   *out_path;
	char   *err_path;
	pid_t	pid;
	int	stdin_fd;		/* -1 when closed */
	int	exited;			/* status is valid */
	int	status;
};

/* tsup_proc_bin - a program of the project, in the build directory */

const char *
tsup_proc_bin(const char *name)
{
	const char *dir = getenv("MTA_BUILDDIR");
	const char *path;
	struct stat st;

	path = tsup_strf("%s/%s", dir != NULL && *dir ? dir : ".", name);
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)
	    || access(path, X_OK) == -1)
		tsup_fail("program %s not found or not executable (build it "
		    "first; MTA_BUILDDIR=%s)", path, dir ? dir : "(unset)");
	return (path);
}

/* tsup_proc_envp - the test's environment with changes applied */

static char **
tsup_proc_envp(const char *const *env)
{
	char  **envp;
	size_t	n;
	size_t	i;
	size_t	j;
	size_t	k;
	size_t	keylen;
	const char *eq;

	for (n = 0; environ[n]; n++)
		continue;
	for (k = 0; env && env[k]; k++)
		continue;
	envp = mem_zalloc(n + k + 1, sizeof(*envp));
	for (i = 0; i < n; i++)
		envp[i] = environ[i];
	for (j = 0; env && env[j]; j++) {
		eq = strchr(env[j], '=');
		keylen = eq ? (size_t) (eq - env[j]) : strlen(env[j]);
		for (i = 0; i < n; i++) {
			if (strncmp(envp[i], env[j], keylen) == 0
			    && envp[i][keylen] == '=') {
				envp[i] = envp[--n];
				envp[n] = NULL;
				break;
			}
		}
		if (eq != NULL)
			envp[n++] = (char *) env[j];
	}
	envp[n] = NULL;
	return (envp);
}

/* tsup_proc_reap - collect the exit status without blocking */

static int
tsup_proc_reap(struct tsup_proc *p)
{
	pid_t	ret;

	if (p->exited)
		return (1);
	ret = waitpid(p->pid, &p->status, WNOHANG);
	if (ret == p->pid) {
		p->exited = 1;
		return (1);
	}
	if (ret == -1 && errno == ECHILD) {
		p->exited = 1;
		p->status = 0;
		return (1);
	}
	return (0);
}

/* tsup_proc_wait_ms - wait up to ms for the exit; 1 when it exited */

static int
tsup_proc_wait_ms(struct tsup_proc *p, int ms)
{
	long long deadline = tsup_now_ms() + ms;

	while (!tsup_proc_reap(p)) {
		if (tsup_now_ms() >= deadline)
			return (0);
		tsup_sleep_ms(5);
	}
	return (1);
}

/* tsup_proc_release - tsup_fini(): kill the group, reap, free */

static void
tsup_proc_release(void *ptr)
{
	struct tsup_proc *p = ptr;

	if (p->stdin_fd != -1)
		(void) close(p->stdin_fd);
	if (p->pid == -1)
		goto out;		/* the spawn failed before fork */
	if (!tsup_proc_reap(p)) {
		(void) killpg(p->pid, SIGTERM);
		if (!tsup_proc_wait_ms(p, 2000)) {
			(void) killpg(p->pid, SIGKILL);
			(void) tsup_proc_wait_ms(p, 5000);
		}
	}
	/* Descendants left in the group outlive the leader otherwise. */
	(void) killpg(p->pid, SIGKILL);
out:
	mem_free(p->name);
	mem_free(p->out_path);
	mem_free(p->err_path);
	mem_free(p);
}

/* tsup_proc_child - in the child: plumbing, then exec; never returns */

static void
tsup_proc_child(const char *path, const char *const *argv, char **envp,
    int in_fd, int out_fd, int err_fd, int status_fd, pid_t parent)
{
	sigset_t mask;
	int	err;
	int	sig;

	(void) setpgid(0, 0);
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	for (sig = 1; sig < NSIG; sig++)
		(void) signal(sig, SIG_DFL);
	sigemptyset(&mask);
	(void) sigprocmask(SIG_SETMASK, &mask, NULL);
	if (dup2(in_fd, 0) == -1 || dup2(out_fd, 1) == -1
	    || dup2(err_fd, 2) == -1)
		goto fail;
	if (dup2(status_fd, 3) == -1 || fcntl(3, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	status_fd = 3;
#ifdef HAVE_CLOSEFROM
	closefrom(4);
#else
	for (int fd = 4; fd < 1024; fd++)
		(void) close(fd);
#endif
	execve(path, (char *const *) argv, envp);
fail:
	err = errno;
	if (status_fd != -1)
		(void) write(status_fd, &err, sizeof(err));
	_exit(127);
}

/* tsup_proc_spawn - start a program in its own process group */

struct tsup_proc *
tsup_proc_spawn(const char *name, const char *const *argv,
    const char *const *env)
{
	struct tsup_proc *p;
	char  **envp;
	const char *path;
	int	in_pipe[2];
	int	status_pipe[2];
	int	out_fd;
	int	err_fd;
	int	err;
	ssize_t	n;
	pid_t	parent = getpid();

	if (argv == NULL || argv[0] == NULL)
		tsup_fail("tsup_proc_spawn %s: empty argv", name);
	/* Tools live in /usr/sbin too (unbound, smtp-sink): search here. */
	if (strchr(argv[0], '/') != NULL)
		path = argv[0];
	else if ((path = tsup_run_have(argv[0])) == NULL)
		tsup_fail("spawn %s: program %s not found in PATH, /usr/sbin "
		    "or /sbin", name, argv[0]);
	p = mem_zalloc(1, sizeof(*p));
	p->name = mem_strdup(name);
	p->out_path = mem_strdup(tsup_tmp_path("%s.out", name));
	p->err_path = mem_strdup(tsup_tmp_path("%s.err", name));
	p->stdin_fd = -1;
	p->pid = -1;
	tsup_track(p, tsup_proc_release);
	if ((out_fd = open(p->out_path, O_WRONLY | O_CREAT | O_APPEND
	    | O_CLOEXEC, 0600)) == -1)
		tsup_fail("open %s: %s", p->out_path, strerror(errno));
	if ((err_fd = open(p->err_path, O_WRONLY | O_CREAT | O_APPEND
	    | O_CLOEXEC, 0600)) == -1)
		tsup_fail("open %s: %s", p->err_path, strerror(errno));
	if (pipe2(in_pipe, O_CLOEXEC) == -1
	    || pipe2(status_pipe, O_CLOEXEC) == -1)
		tsup_fail("pipe: %s", strerror(errno));
	envp = tsup_proc_envp(env);
	switch (p->pid = fork()) {
	case -1:
		p->pid = -1;
		mem_free(envp);
		tsup_fail("fork: %s", strerror(errno));
	case 0:
		tsup_proc_child(path, argv, envp, in_pipe[0], out_fd, err_fd,
		    status_pipe[1], parent);
	}
	(void) setpgid(p->pid, p->pid);
	mem_free(envp);
	(void) close(in_pipe[0]);
	(void) close(status_pipe[1]);
	(void) close(out_fd);
	(void) close(err_fd);
	p->stdin_fd = in_pipe[1];
	while ((n = read(status_pipe[0], &err, sizeof(err))) == -1
	    && errno == EINTR)
		continue;
	(void) close(status_pipe[0]);
	if (n == sizeof(err))
		tsup_fail("spawn %s: exec %s: %s", name, argv[0],
		    strerror(err));
	tsup_note("%s: pid %ld: %s ... (output in %s)", name, (long) p->pid,
	    path, p->err_path);
	return (p);
}

/* tsup_proc_pid - the process id (also its process group id) */

pid_t
tsup_proc_pid(const struct tsup_proc *p)
{
	return (p->pid);
}

/* tsup_proc_out_path - the file that holds standard output */

const char *
tsup_proc_out_path(const struct tsup_proc *p)
{
	return (p->out_path);
}

/* tsup_proc_err_path - the file that holds standard error */

const char *
tsup_proc_err_path(const struct tsup_proc *p)
{
	return (p->err_path);
}

/* tsup_proc_write - write to the child's standard input */

void
tsup_proc_write(struct tsup_proc *p, const void *data, size_t len)
{
	const char *cp = data;
	ssize_t	n;

	if (p->stdin_fd == -1)
		tsup_fail("%s: standard input already closed", p->name);
	while (len > 0) {
		if ((n = write(p->stdin_fd, cp, len)) == -1) {
			if (errno == EINTR)
				continue;
			tsup_fail("%s: write to standard input: %s", p->name,
			    strerror(errno));
		}
		cp += n;
		len -= (size_t) n;
	}
}

/* tsup_proc_close_stdin - end the child's standard input */

void
tsup_proc_close_stdin(struct tsup_proc *p)
{
	if (p->stdin_fd != -1) {
		(void) close(p->stdin_fd);
		p->stdin_fd = -1;
	}
}

/* tsup_proc_tail - the last lines of a file, for failure messages */

static const char *
tsup_proc_tail(const char *path)
{
	struct buf bp;
	const char *tail;
	size_t	start;

	buf_init(&bp, 1024);
	tsup_tmp_read(path, &bp);
	start = bp.len > 800 ? bp.len - 800 : 0;
	tail = tsup_strf("%s", bp.data + start);
	buf_fini(&bp);
	return (tail);
}

/* tsup_proc_describe - "exited with status 1" and the like */

static const char *
tsup_proc_describe(int status)
{
	if (WIFEXITED(status))
		return (tsup_strf("exited with status %d",
		    WEXITSTATUS(status)));
	if (WIFSIGNALED(status))
		return (tsup_strf("was killed by signal %d",
		    WTERMSIG(status)));
	return (tsup_strf("ended with wait status 0x%x", status));
}

/* tsup_proc_wait_port - wait until the child listens on port */

void
tsup_proc_wait_port(struct tsup_proc *p, int port, int timeout_ms)
{
	int	ms = tsup_timeout(timeout_ms);
	long long deadline = tsup_now_ms() + ms;

	for (;;) {
		if (tsup_port_wait(port, 1) == 0)
			return;
		if (tsup_proc_reap(p))
			tsup_fail("%s %s before listening on port %d; its "
			    "stderr ends with:\n%s", p->name,
			    tsup_proc_describe(p->status), port,
			    tsup_proc_tail(p->err_path));
		if (tsup_now_ms() >= deadline)
			tsup_fail("%s does not listen on port %d after %d ms; "
			    "its stderr ends with:\n%s", p->name, port, ms,
			    tsup_proc_tail(p->err_path));
		tsup_sleep_ms(20);
	}
}

/* tsup_proc_signal - send a signal to the process */

void
tsup_proc_signal(struct tsup_proc *p, int sig)
{
	if (tsup_proc_reap(p))
		tsup_fail("cannot signal %s: it %s", p->name,
		    tsup_proc_describe(p->status));
	if (kill(p->pid, sig) == -1)
		tsup_fail("kill %s (pid %ld) signal %d: %s", p->name,
		    (long) p->pid, sig, strerror(errno));
}

/* tsup_proc_wait - wait for the exit, bounded */

int
tsup_proc_wait(struct tsup_proc *p, int timeout_ms, int *status)
{
	if (!tsup_proc_wait_ms(p, tsup_timeout(timeout_ms)))
		return (-1);
	if (status != NULL)
		*status = p->status;
	return (0);
}

/* tsup_proc_stop - SIGTERM the group, then SIGKILL; the wait status */

int
tsup_proc_stop(struct tsup_proc *p)
{
	tsup_proc_close_stdin(p);
	if (!tsup_proc_reap(p)) {
		(void) killpg(p->pid, SIGTERM);
		if (!tsup_proc_wait_ms(p, tsup_deadline_ms())) {
			(void) killpg(p->pid, SIGKILL);
			if (!tsup_proc_wait_ms(p, tsup_deadline_ms()))
				tsup_fail("%s (pid %ld) survives SIGKILL",
				    p->name, (long) p->pid);
		}
	}
	(void) killpg(p->pid, SIGKILL);
	return (p->status);
}
