/*
 * NAME
 *	queue_crash_test - kill the queue manager at every step, then recover
 * DESCRIPTION
 *	A child process opens the spool and commits (updates, removes) one
 *	message; the fault seam SIGKILLs it just before step k, for every
 *	k, and once more just after the call returned. The parent then
 *	opens the spool as a restarted queue manager would, scans, and
 *	checks the promises of queue_spool.c:
 *
 *	- a message whose commit returned QUEUE_OK is always found;
 *	- a message that did not reach the commit point is never found,
 *	  and the scan leaves no garbage (a second scan has nothing to do);
 *	- past the commit point the message is found (a duplicate at worst);
 *	- an update leaves the old or the new envelope, never none;
 *	- a removal leaves the whole message or nothing;
 *	- a scan killed half way is finished by the next one, and a
 *	  corrupt message reaches corrupt/ whole (envelope and content);
 *	- messages committed before are always intact; no MID repeats.
 *
 *	This is a process crash, not a power loss: it proves the order of
 *	the steps and the recovery, while the fsync calls that make the
 *	order hold on a power loss are checked by the step-order test in
 *	queue_spool_test.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "queue_env.h"
#include "queue_fault.h"
#include "queue_spool.h"
#include "queue_testlib.h"

static const char content[] = "Subject: crash\r\n\r\nbody\r\n";
static const char earlier_text[] = "Subject: earlier\r\n\r\nkeep me\r\n";

/* What a child does, and where it dies. */
struct crash_plan {
	int	kill_at;		/* die before this step; -1: after */
	int	seen;			/* steps so far */
	int	record;			/* in the dry run: log the steps */
	struct buf log;
};

static struct crash_plan *plan_now;
static int report_fd = -1;		/* the child's pipe to the parent */

/* report_mid - tell the parent which MID is at stake, before any crash */

static void
report_mid(uint64_t mid)
{
	char	line[32];

	if (report_fd == -1)
		return;
	(void) snprintf(line, sizeof(line), "%llu ", (unsigned long long) mid);
	if (write(report_fd, line, strlen(line)) != (ssize_t) strlen(line))
		_exit(6);
}

/* crash_hook - count the steps; die at the chosen one */

static int
crash_hook(const char *step, void *ctx)
{
	struct crash_plan *cp = ctx;

	if (cp->record) {
		buf_puts(&cp->log, step);
		buf_putc(&cp->log, '\n');
	}
	if (cp->seen++ == cp->kill_at)
		(void) raise(SIGKILL);
	return (0);
}

/* The operation a child runs: returns QUEUE_OK or not; *mid for report. */
typedef int (*crash_op)(struct queue_spool *, uint64_t, uint64_t *);

/* op_commit - receive one new message */

static int
op_commit(struct queue_spool *spool, uint64_t target, uint64_t *mid)
{
	struct queue_env env;
	struct queue_msg *msg;
	struct buf err;
	int	r;

	(void) target;
	buf_init(&err, 0);
	queue_fault_set(NULL, NULL);
	if (queue_spool_open_message(spool, &msg, &err) != QUEUE_OK)
		_exit(3);
	if (write(msg->fd, content, strlen(content)) !=
	    (ssize_t) strlen(content))
		_exit(4);
	*mid = msg->mid;
	report_mid(msg->mid);
	qt_env_sample(&env, 2);
	queue_fault_set(crash_hook, plan_now);
	r = queue_spool_commit(spool, msg, &env, &err);
	queue_env_fini(&env);
	buf_fini(&err);
	return (r);
}

/* op_update - mark the first recipient delivered and defer the rest */

static int
op_update(struct queue_spool *spool, uint64_t target, uint64_t *mid)
{
	struct queue_env env;
	struct buf err;
	int	r;

	buf_init(&err, 0);
	queue_fault_set(NULL, NULL);
	if (queue_spool_load(spool, target, QUEUE_STATE_ACTIVE, &env,
	    &err) != QUEUE_OK)
		_exit(3);
	env.rcpts[0].state = QUEUE_RCPT_DELIVERED;
	env.rcpts[1].state = QUEUE_RCPT_DEFERRED;
	env.rcpts[1].attempts = 1;
	buf_puts(&env.rcpts[1].reply, "421 4.4.2 timeout\r\n");
	*mid = target;
	queue_fault_set(crash_hook, plan_now);
	r = queue_spool_update(spool, &env, QUEUE_STATE_ACTIVE,
	    QUEUE_STATE_DEFERRED, &err);
	queue_env_fini(&env);
	buf_fini(&err);
	return (r);
}

/* op_remove - delete a finished message */

static int
op_remove(struct queue_spool *spool, uint64_t target, uint64_t *mid)
{
	struct buf err;
	int	r;

	buf_init(&err, 0);
	*mid = target;
	queue_fault_set(crash_hook, plan_now);
	r = queue_spool_remove(spool, target, QUEUE_STATE_ACTIVE, &err);
	buf_fini(&err);
	return (r);
}

/* op_scan - the start-up scan itself */

static int
op_scan(struct queue_spool *spool, uint64_t target, uint64_t *mid)
{
	*mid = target;
	queue_fault_set(crash_hook, plan_now);
	return (queue_spool_scan(spool, NULL, NULL, NULL));
}

/*
 * run_child - run op in a child that dies at step kill_at (or right
 * after op returns); the child reports "MID " on a pipe before the
 * MID is at stake, then 'K' if op returned QUEUE_OK or 'T' if not;
 * when it died inside op, nothing follows the MID.
 */

static void
run_child(const char *spooldir, crash_op op, uint64_t target, int kill_at,
    uint64_t *mid, int *acked)
{
	struct crash_plan plan = {kill_at, 0, 0, {0}};
	char	report[64];
	ssize_t	n;
	size_t	got = 0;
	pid_t	pid;
	int	status;
	int	pfd[2];

	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		struct queue_spool *spool;
		struct buf err;
		uint64_t m = 0;
		char	line[64];
		int	r;

		(void) close(pfd[0]);
		msg_stderr_set(0);
		buf_init(&err, 0);
		if ((spool = queue_spool_open(spooldir, &err)) == NULL
		    || (op != op_scan && queue_spool_scan(spool, NULL, NULL,
		    NULL) != QUEUE_OK))
			_exit(2);
		plan_now = &plan;
		report_fd = pfd[1];
		if (op != op_commit)
			report_mid(target);
		r = op(spool, target, &m);
		line[0] = r == QUEUE_OK ? 'K' : 'T';
		if (write(pfd[1], line, 1) != 1)
			_exit(6);

		/* Die without closing anything: acknowledged, then crash. */
		(void) raise(SIGKILL);
		_exit(5);
	}
	(void) close(pfd[1]);
	while ((n = read(pfd[0], report + got, sizeof(report) - 1 - got)) > 0)
		got += (size_t) n;
	report[got] = 0;
	(void) close(pfd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "step %d: child did not die by SIGKILL (status 0x%x)", kill_at,
	    status);
	*acked = strchr(report, 'K') != NULL;
	*mid = got > 0 ? strtoull(report, NULL, 10) : 0;
}

/* dry_run - the steps op makes, and the index of the one named by mark */

static int
dry_run(crash_op op, int (*setup)(const char *, uint64_t *), const char *mark,
    int *commit_index)
{
	struct crash_plan plan = {-1, 0, 1, {0}};
	struct queue_spool *spool;
	char   *tmp = qt_tmpdir();
	char   *spooldir = qt_path(tmp, "spool");
	uint64_t target = 0;
	uint64_t mid;
	const char *cp;
	int	nsteps;
	int	i;

	buf_init(&plan.log, 0);
	if (setup != NULL)
		(void) setup(spooldir, &target);
	if (op == op_scan) {
		struct buf err;

		buf_init(&err, 0);
		spool = queue_spool_open(spooldir, &err);
		cr_assert_not_null(spool, "%s", buf_cstr(&err));
		buf_fini(&err);
		qt_capture_start();
	} else
		spool = qt_open(spooldir);
	plan_now = &plan;
	cr_assert_eq(op(spool, target, &mid), QUEUE_OK);
	queue_fault_set(NULL, NULL);
	if (op == op_scan)
		qt_capture_stop();
	queue_spool_close(spool);
	nsteps = plan.seen;

	/* Which step is the commit point? */
	*commit_index = -1;
	for (i = 0, cp = plan.log.data; *cp; i++) {
		const char *eol = strchr(cp, '\n');

		if (strncmp(cp, mark, strlen(mark)) == 0)
			*commit_index = i;
		cp = eol + 1;
	}
	cr_assert_geq(*commit_index, 0, "no step \"%s\" in:\n%s", mark,
	    plan.log.data);
	buf_fini(&plan.log);
	qt_rmtree(tmp);
	mem_free(spooldir);
	mem_free(tmp);
	return (nsteps);
}

/* setup_one - a spool holding the earlier message; *target is its MID */

static int
setup_one(const char *spooldir, uint64_t *target)
{
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;

	qt_env_sample(&env, 2);
	*target = qt_receive(spool, &env, earlier_text, strlen(earlier_text));
	queue_env_fini(&env);
	queue_spool_close(spool);
	return (0);
}

/* content_is - does data/MID hold text? */

static int
content_is(struct queue_spool *spool, uint64_t mid, const char *text)
{
	struct buf err;
	char	got[256];
	ssize_t	n;
	int	fd;

	buf_init(&err, 0);
	fd = queue_spool_open_content(spool, mid, &err);
	buf_fini(&err);
	if (fd == -1)
		return (0);
	n = read(fd, got, sizeof(got));
	(void) close(fd);
	return (n == (ssize_t) strlen(text) && memcmp(got, text, n) == 0);
}

/* recover - reopen and scan as at start; then check a second scan */

static struct queue_spool *
recover(const char *spooldir, struct qt_scan *sc, int k)
{
	struct queue_scan_stats stats;
	struct queue_spool *spool;
	struct buf err;

	buf_init(&err, 0);
	spool = queue_spool_open(spooldir, &err);
	cr_assert_not_null(spool, "step %d: reopen: %s", k, buf_cstr(&err));
	memset(sc, 0, sizeof(*sc));
	cr_assert_eq(queue_spool_scan(spool, qt_scan_fn, sc, &stats),
	    QUEUE_OK, "step %d: scan", k);
	cr_assert_eq(stats.corrupt, 0, "step %d: %zu files judged corrupt",
	    k, stats.corrupt);

	/* Nothing is left for another scan: no garbage. */
	queue_spool_close(spool);
	spool = queue_spool_open(spooldir, &err);
	cr_assert_not_null(spool);
	cr_assert_eq(queue_spool_scan(spool, NULL, NULL, &stats), QUEUE_OK);
	cr_assert_eq(stats.removed + stats.corrupt, 0,
	    "step %d: second scan removed %zu, moved %zu", k, stats.removed,
	    stats.corrupt);
	cr_assert_eq(stats.found, sc->n, "step %d: second scan found %zu",
	    k, stats.found);
	cr_assert_eq(qt_count(spooldir, "incoming"), 0, "step %d", k);
	cr_assert_eq(qt_count(spooldir, "data"), sc->n,
	    "step %d: data/ holds %zu files for %zu messages", k,
	    qt_count(spooldir, "data"), sc->n);
	buf_fini(&err);
	return (spool);
}

/*
 * crash_commit - kill a commit at every step after setup; want_point is
 * the index of the commit point, or -1 when it is not fixed
 */
static void
crash_commit(int (*setup)(const char *, uint64_t *), int want_point)
{
	int	point;
	int	nsteps = dry_run(op_commit, setup, "rename incoming/", &point);
	int	k;

	/* The commit point is the rename of the envelope, not the content. */
	if (want_point >= 0)
		cr_assert_eq(point, want_point, "commit point at step %d",
		    point);
	for (k = 0; k <= nsteps; k++) {
		char   *tmp = qt_tmpdir();
		char   *spooldir = qt_path(tmp, "spool");
		int	kill_at = k < nsteps ? k : -1;
		struct queue_spool *spool;
		struct queue_msg *msg;
		struct qt_scan sc;
		struct buf err;
		uint64_t earlier;
		uint64_t mid;
		int	acked;
		int	found;

		(void) setup(spooldir, &earlier);
		run_child(spooldir, op_commit, 0, kill_at, &mid, &acked);
		spool = recover(spooldir, &sc, k);
		found = qt_scan_find(&sc, mid) >= 0;

		cr_assert_geq(qt_scan_find(&sc, earlier), 0,
		    "step %d: earlier message lost", k);
		cr_assert(content_is(spool, earlier, earlier_text),
		    "step %d: earlier message damaged", k);
		if (acked)
			cr_assert(found, "step %d: acknowledged MID %llu lost",
			    k, (unsigned long long) mid);
		cr_assert_eq(found, k > point,
		    "step %d: MID %llu %s", k, (unsigned long long) mid,
		    found ? "found before the commit point" :
		    "lost after the commit point");
		cr_assert_eq(acked, kill_at == -1, "step %d: acked %d", k,
		    acked);
		if (found)
			cr_assert(content_is(spool, mid, content),
			    "step %d: content damaged", k);

		/* No MID is ever handed out twice, crash or not. */
		buf_init(&err, 0);
		cr_assert_eq(queue_spool_open_message(spool, &msg, &err),
		    QUEUE_OK);
		cr_assert_gt(msg->mid, mid, "step %d: MID %llu after %llu", k,
		    (unsigned long long) msg->mid, (unsigned long long) mid);
		queue_spool_abort(spool, msg);
		buf_fini(&err);
		queue_spool_close(spool);
		qt_rmtree(tmp);
		mem_free(spooldir);
		mem_free(tmp);
	}
}

Test(queue_crash, kill_at_every_step_of_commit)
{
	crash_commit(setup_one, 6);
}

/* setup_pooled - the earlier message, and two spent files in the pool */

static int
setup_pooled(const char *spooldir, uint64_t *target)
{
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;
	struct buf err;
	uint64_t spent;

	qt_env_sample(&env, 2);
	*target = qt_receive(spool, &env, earlier_text, strlen(earlier_text));
	spent = qt_receive(spool, &env, content, strlen(content));
	buf_init(&err, 0);
	cr_assert_eq(queue_spool_remove(spool, spent, QUEUE_STATE_ACTIVE,
	    &err), QUEUE_OK, "%s", buf_cstr(&err));
	buf_fini(&err);
	queue_env_fini(&env);
	queue_spool_close(spool);
	cr_assert_eq(qt_count(spooldir, "free"), 2, "the pool holds the "
	    "spent content and envelope");
	return (0);
}

Test(queue_crash, kill_at_every_step_of_a_commit_that_reuses_spent_files)
{
	crash_commit(setup_pooled, -1);
}

Test(queue_crash, kill_at_every_step_of_update)
{
	int	point;
	int	nsteps = dry_run(op_update, setup_one,
	    "rename incoming/", &point);
	int	k;

	for (k = 0; k <= nsteps; k++) {
		char   *tmp = qt_tmpdir();
		char   *spooldir = qt_path(tmp, "spool");
		int	kill_at = k < nsteps ? k : -1;
		struct queue_spool *spool;
		struct qt_scan sc;
		uint64_t target;
		uint64_t mid;
		int	acked;
		int	i;

		(void) setup_one(spooldir, &target);
		run_child(spooldir, op_update, target, kill_at, &mid, &acked);
		spool = recover(spooldir, &sc, k);
		cr_assert_eq(sc.n, 1, "step %d: %zu messages", k, sc.n);
		i = qt_scan_find(&sc, target);
		cr_assert_geq(i, 0, "step %d: message lost", k);
		cr_assert(content_is(spool, target, earlier_text),
		    "step %d: content damaged", k);

		/* Old envelope before the point, new one after. */
		cr_assert_eq(sc.rcpt0[i] == QUEUE_RCPT_DELIVERED, k > point,
		    "step %d: recipient 0 is %s", k,
		    queue_rcpt_state_str(sc.rcpt0[i]));
		if (acked)
			cr_assert_eq(sc.state[i], QUEUE_STATE_DEFERRED,
			    "step %d: acked update not in deferred/", k);
		queue_spool_close(spool);
		qt_rmtree(tmp);
		mem_free(spooldir);
		mem_free(tmp);
	}
}

/* setup_two - the earlier message plus the one to remove (*target) */

static int
setup_two(const char *spooldir, uint64_t *target)
{
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;

	qt_env_sample(&env, 1);
	(void) qt_receive(spool, &env, earlier_text, strlen(earlier_text));
	*target = qt_receive(spool, &env, content, strlen(content));
	queue_env_fini(&env);
	queue_spool_close(spool);
	return (0);
}

Test(queue_crash, kill_at_every_step_of_remove)
{
	int	point;
	/* The envelope leaves active/ for the pool of spent files. */
	int	nsteps = dry_run(op_remove, setup_two, "rename active/",
	    &point);
	int	k;

	cr_assert_eq(point, 0, "deletion does not start with the envelope");
	for (k = 0; k <= nsteps; k++) {
		char   *tmp = qt_tmpdir();
		char   *spooldir = qt_path(tmp, "spool");
		int	kill_at = k < nsteps ? k : -1;
		struct queue_spool *spool;
		struct qt_scan sc;
		uint64_t target;
		uint64_t mid;
		int	acked;
		int	found;

		(void) setup_two(spooldir, &target);
		run_child(spooldir, op_remove, target, kill_at, &mid, &acked);
		spool = recover(spooldir, &sc, k);

		/* The whole message, or nothing; the other one intact. */
		found = qt_scan_find(&sc, target) >= 0;
		cr_assert_eq(found, k <= point, "step %d: found %d", k, found);
		if (found)
			cr_assert(content_is(spool, target, content),
			    "step %d: content damaged", k);
		cr_assert_eq(sc.n, 1 + found, "step %d", k);
		if (acked)
			cr_assert(!found, "step %d: removed but found", k);
		queue_spool_close(spool);
		qt_rmtree(tmp);
		mem_free(spooldir);
		mem_free(tmp);
	}
}

static uint64_t good[2];		/* setup_damaged's good messages */

/* setup_damaged - good messages, a corrupt one (*target), leftovers */

static int
setup_damaged(const char *spooldir, uint64_t *target)
{
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;
	struct buf path;
	char	byte;
	int	fd;

	qt_env_sample(&env, 1);
	good[0] = qt_receive(spool, &env, earlier_text, strlen(earlier_text));
	*target = qt_receive(spool, &env, content, strlen(content));
	good[1] = qt_receive(spool, &env, content, strlen(content));
	queue_env_fini(&env);
	queue_spool_close(spool);

	buf_init(&path, 0);
	buf_printf(&path, "%s/active/%llu", spooldir,
	    (unsigned long long) *target);
	fd = open(path.data, O_RDWR);
	cr_assert_neq(fd, -1);
	cr_assert_eq(pread(fd, &byte, 1, 30), 1);
	byte ^= 0x10;
	cr_assert_eq(pwrite(fd, &byte, 1, 30), 1);
	(void) close(fd);
	buf_reset(&path);
	buf_printf(&path, "%s/data/903", spooldir);
	fd = open(path.data, O_WRONLY | O_CREAT, 0600);
	(void) close(fd);
	buf_reset(&path);
	buf_printf(&path, "%s/incoming/904", spooldir);
	fd = open(path.data, O_WRONLY | O_CREAT, 0600);
	(void) close(fd);
	buf_reset(&path);
	buf_printf(&path, "%s/incoming/905.env", spooldir);
	fd = open(path.data, O_WRONLY | O_CREAT, 0600);
	(void) close(fd);
	buf_fini(&path);
	return (0);
}

Test(queue_crash, kill_at_every_step_of_the_scan)
{
	int	point;
	int	nsteps = dry_run(op_scan, setup_damaged, "rename active/",
	    &point);
	int	k;

	/* two leftovers, one orphan, two moves to corrupt/, and fsyncs */
	cr_assert_geq(nsteps, 8, "only %d steps", nsteps);

	for (k = 0; k <= nsteps; k++) {
		char   *tmp = qt_tmpdir();
		char   *spooldir = qt_path(tmp, "spool");
		int	kill_at = k < nsteps ? k : -1;
		struct queue_scan_stats stats;
		struct queue_spool *spool;
		struct qt_scan sc;
		struct buf err;
		struct buf path;
		struct stat st;
		uint64_t bad;
		uint64_t mid;
		int	acked;

		(void) setup_damaged(spooldir, &bad);
		run_child(spooldir, op_scan, bad, kill_at, &mid, &acked);

		/* A second scan completes what the first began. */
		buf_init(&err, 0);
		qt_capture_start();
		spool = queue_spool_open(spooldir, &err);
		cr_assert_not_null(spool, "step %d: %s", k, buf_cstr(&err));
		memset(&sc, 0, sizeof(sc));
		cr_assert_eq(queue_spool_scan(spool, qt_scan_fn, &sc, &stats),
		    QUEUE_OK, "step %d", k);
		qt_capture_stop();
		cr_assert_eq(sc.n, 2, "step %d: %zu messages", k, sc.n);
		cr_assert_geq(qt_scan_find(&sc, good[0]), 0, "step %d", k);
		cr_assert_geq(qt_scan_find(&sc, good[1]), 0, "step %d", k);
		cr_assert(content_is(spool, good[0], earlier_text), "step %d",
		    k);
		cr_assert(content_is(spool, good[1], content), "step %d", k);

		/* The corrupt message is kept whole for the operator. */
		buf_init(&path, 0);
		buf_printf(&path, "%s/corrupt/active.%llu", spooldir,
		    (unsigned long long) bad);
		cr_assert_eq(lstat(path.data, &st), 0, "step %d: %s", k,
		    path.data);
		buf_reset(&path);
		buf_printf(&path, "%s/corrupt/data.%llu", spooldir,
		    (unsigned long long) bad);
		cr_assert_eq(lstat(path.data, &st), 0, "step %d: %s", k,
		    path.data);
		cr_assert_eq(st.st_size, (off_t) strlen(content),
		    "step %d: content of the corrupt message damaged", k);
		cr_assert_eq(qt_count(spooldir, "corrupt"), 2, "step %d", k);
		cr_assert_eq(qt_count(spooldir, "incoming"), 0, "step %d", k);
		cr_assert_eq(qt_count(spooldir, "data"), 2, "step %d", k);
		buf_fini(&path);
		buf_fini(&err);
		queue_spool_close(spool);
		qt_rmtree(tmp);
		mem_free(spooldir);
		mem_free(tmp);
	}
}
