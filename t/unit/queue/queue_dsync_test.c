/*
 * NAME
 *	queue_dsync_test - group commit: one fsync for the callers that
 *	arrive during a flight, each caller told its own group's result
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "mem.h"

#include "queue_dsync.h"
#include "queue_testlib.h"

#define CALLERS	6			/* joining while a flight is held */

/* A gate the test seam holds the first leader at. */
struct gate {
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	int	held;			/* a leader is at the gate */
	int	open;
};

static struct gate gate = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0,
};

/* gate_hook - the seam: the first leader waits until the gate opens */

static void
gate_hook(void *ctx)
{
	struct gate *g = ctx;

	(void) pthread_mutex_lock(&g->mutex);
	g->held++;
	(void) pthread_cond_broadcast(&g->cond);
	while (!g->open)
		(void) pthread_cond_wait(&g->cond, &g->mutex);
	(void) pthread_mutex_unlock(&g->mutex);
}

struct caller {
	struct queue_dsync *ds;
	int	rc;
	int	err;
};

/* caller_main - one thread's queue_dsync() */

static void *
caller_main(void *arg)
{
	struct caller *c = arg;

	errno = 0;
	c->rc = queue_dsync(c->ds);
	c->err = errno;
	return (NULL);
}

static char *tmp;

/* open_dir - a directory descriptor for a fresh temporary directory */

static int
open_dir(void)
{
	int	fd;

	tmp = qt_tmpdir();
	fd = open(tmp, O_RDONLY | O_DIRECTORY);
	cr_assert_neq(fd, -1, "%s: %s", tmp, strerror(errno));
	return (fd);
}

/* fini - remove the temporary directory */

static void
fini(void)
{
	if (tmp != NULL) {
		qt_rmtree(tmp);
		mem_free(tmp);
		tmp = NULL;
	}
}

TestSuite(queue_dsync, .fini = fini);

/* inside_wait - poll until n callers are inside queue_dsync() */

static void
inside_wait(struct queue_dsync *ds, unsigned n)
{
	unsigned long flushes;
	unsigned inside = 0;
	int	i;

	for (i = 0; i < 10000; i++) {
		queue_dsync_stats(ds, &flushes, &inside);
		if (inside == n)
			return;
		(void) usleep(1000);
	}
	cr_assert_fail("%u callers inside, want %u", inside, n);
}

Test(queue_dsync, lone_caller_fsyncs_at_once)
{
	int	fd = open_dir();
	struct queue_dsync *ds = queue_dsync_new(fd);
	unsigned long flushes;
	unsigned inside;
	int	i;

	for (i = 1; i <= 3; i++) {
		cr_expect_eq(queue_dsync(ds), 0, "call %d: %s", i,
		    strerror(errno));
		queue_dsync_stats(ds, &flushes, &inside);
		cr_expect_eq(flushes, (unsigned long) i,
		    "one fsync per lone call");
		cr_expect_eq(inside, 0);
	}
	cr_expect_eq(queue_dsync_fd(ds), fd);
	queue_dsync_free(ds);
	(void) close(fd);
}

Test(queue_dsync, callers_during_a_flight_share_the_next_fsync)
{
	int	fd = open_dir();
	struct queue_dsync *ds = queue_dsync_new(fd);
	struct caller first = {ds, -1, 0};
	struct caller late[CALLERS];
	pthread_t lead, tid[CALLERS];
	unsigned long flushes;
	unsigned inside;
	int	i;

	queue_dsync_set_hook(gate_hook, &gate);
	cr_assert_eq(pthread_create(&lead, NULL, caller_main, &first), 0);
	(void) pthread_mutex_lock(&gate.mutex);
	while (gate.held == 0)
		(void) pthread_cond_wait(&gate.cond, &gate.mutex);
	(void) pthread_mutex_unlock(&gate.mutex);

	/* The first fsync is in flight: these must wait for the next. */
	for (i = 0; i < CALLERS; i++) {
		late[i] = first;
		cr_assert_eq(pthread_create(tid + i, NULL, caller_main,
		    late + i), 0);
	}
	inside_wait(ds, CALLERS + 1);
	queue_dsync_stats(ds, &flushes, &inside);
	cr_expect_eq(flushes, 1, "the late callers did not start an fsync");

	(void) pthread_mutex_lock(&gate.mutex);
	gate.open = 1;
	(void) pthread_cond_broadcast(&gate.cond);
	(void) pthread_mutex_unlock(&gate.mutex);
	(void) pthread_join(lead, NULL);
	for (i = 0; i < CALLERS; i++) {
		(void) pthread_join(tid[i], NULL);
		cr_expect_eq(late[i].rc, 0, "late caller %d: %s", i,
		    strerror(late[i].err));
	}
	cr_expect_eq(first.rc, 0);
	queue_dsync_stats(ds, &flushes, &inside);
	cr_expect_eq(flushes, 2, "%d late callers, %lu fsyncs", CALLERS,
	    flushes);
	queue_dsync_set_hook(NULL, NULL);
	queue_dsync_free(ds);
	(void) close(fd);
}

Test(queue_dsync, a_failed_fsync_reaches_every_member_of_its_group)
{
	/* No descriptor: every fsync fails with EBADF. */
	struct queue_dsync *ds = queue_dsync_new(-1);
	struct caller c[CALLERS];
	pthread_t tid[CALLERS];
	int	i;

	for (i = 0; i < CALLERS; i++) {
		c[i].ds = ds;
		cr_assert_eq(pthread_create(tid + i, NULL, caller_main, c + i),
		    0);
	}
	for (i = 0; i < CALLERS; i++) {
		(void) pthread_join(tid[i], NULL);
		cr_expect_eq(c[i].rc, -1, "caller %d", i);
		cr_expect_eq(c[i].err, EBADF, "caller %d: %s", i,
		    strerror(c[i].err));
	}
	queue_dsync_free(ds);
}
