/*
 * NAME
 *	queue_dsync - group commit of a spool directory's fsync
 * DESCRIPTION
 *	See queue_dsync.h. State, under the mutex: "next" is the group
 *	that callers join (created by the first of them), "busy" says an
 *	fsync is in flight. A group is a small counted object, so that its
 *	result outlives the flight until its last member has read it.
 *
 *	Why a member is covered: it joined "next" after its own change
 *	(the caller made the change before calling), and the leader takes
 *	"next" away, so closing the group, only when no fsync is in
 *	flight, just before its own fsync starts. Every change of every
 *	member therefore precedes the fsync that reports to it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"

#include "queue_dsync.h"

struct queue_dsync_group {
	int	members;		/* waiting for the result */
	int	done;			/* the fsync returned */
	int	err;			/* its errno, or 0 */
};

struct queue_dsync {
	int	fd;
	pthread_mutex_t mutex;
	pthread_cond_t landed;		/* an fsync returned */
	struct queue_dsync_group *next;	/* open for joining, or NULL */
	int	busy;			/* an fsync is in flight */
	unsigned inside;		/* callers in queue_dsync() */
	unsigned long flushes;		/* fsyncs begun */
};

static void (*dsync_hook) (void *);
static void *dsync_hook_ctx;

/* queue_dsync_set_hook - the test seam, before each leader's fsync */

void
queue_dsync_set_hook(void (*fn) (void *), void *ctx)
{
	dsync_hook = fn;
	dsync_hook_ctx = ctx;
}

/* queue_dsync_new - group commit for one directory */

struct queue_dsync *
queue_dsync_new(int dirfd)
{
	struct queue_dsync *ds = mem_zalloc(1, sizeof(*ds));
	int	err;

	ds->fd = dirfd;
	if ((err = pthread_mutex_init(&ds->mutex, NULL)) != 0
	    || (err = pthread_cond_init(&ds->landed, NULL)) != 0)
		msg_fatal("queue_dsync_new: pthread: error %d", err);
	return (ds);
}

/* queue_dsync_fd - the directory descriptor */

int
queue_dsync_fd(const struct queue_dsync *ds)
{
	return (ds->fd);
}

/* queue_dsync_flush - the leader's fsync, outside the lock */

static int
queue_dsync_flush(int fd)
{
	int	r;

	if (dsync_hook != NULL)
		dsync_hook(dsync_hook_ctx);

	/*
	 * No retry after a real failure: after a failed fsync the kernel
	 * may have dropped the dirty pages, and a second fsync that
	 * succeeds proves nothing (the PostgreSQL "fsyncgate" lesson).
	 */
	do {
		r = fsync(fd);
	} while (r == -1 && errno == EINTR);
	return (r == -1 ? errno : 0);
}

/* queue_dsync - wait for an fsync of the directory begun after now */

int
queue_dsync(struct queue_dsync *ds)
{
	struct queue_dsync_group *g;
	int	err;

	(void) pthread_mutex_lock(&ds->mutex);
	if ((g = ds->next) == NULL)
		g = ds->next = mem_zalloc(1, sizeof(*g));
	g->members++;
	ds->inside++;
	while (!g->done) {
		if (ds->busy || ds->next != g) {
			(void) pthread_cond_wait(&ds->landed, &ds->mutex);
			continue;
		}
		/* Lead: close the group, fsync for all of it. */
		ds->next = NULL;
		ds->busy = 1;
		ds->flushes++;
		(void) pthread_mutex_unlock(&ds->mutex);
		err = queue_dsync_flush(ds->fd);
		(void) pthread_mutex_lock(&ds->mutex);
		g->err = err;
		g->done = 1;
		ds->busy = 0;
		(void) pthread_cond_broadcast(&ds->landed);
	}
	err = g->err;
	ds->inside--;
	if (--g->members == 0)
		mem_free(g);
	(void) pthread_mutex_unlock(&ds->mutex);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}

/* queue_dsync_stats - fsyncs made, callers waiting now */

void
queue_dsync_stats(struct queue_dsync *ds, unsigned long *flushes,
    unsigned *inside)
{
	(void) pthread_mutex_lock(&ds->mutex);
	*flushes = ds->flushes;
	*inside = ds->inside;
	(void) pthread_mutex_unlock(&ds->mutex);
}

/* queue_dsync_free - release; no thread may be inside queue_dsync() */

void
queue_dsync_free(struct queue_dsync *ds)
{
	if (ds->busy || ds->next != NULL)
		msg_panic("queue_dsync_free: a group commit is in progress");
	(void) pthread_mutex_destroy(&ds->mutex);
	(void) pthread_cond_destroy(&ds->landed);
	mem_free(ds);
}
