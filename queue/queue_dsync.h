/*
 * NAME
 *	queue_dsync - group commit of a spool directory's fsync
 * SYNOPSIS
 *	#include "queue_dsync.h"
 *
 *	struct queue_dsync *queue_dsync_new(int dirfd);
 *	int	queue_dsync_fd(const struct queue_dsync *ds);
 *	int	queue_dsync(struct queue_dsync *ds);
 *	void	queue_dsync_stats(struct queue_dsync *ds,
 *		    unsigned long *flushes, unsigned *inside);
 *	void	queue_dsync_free(struct queue_dsync *ds);
 *
 *	void	queue_dsync_set_hook(void (*fn)(void *), void *ctx);
 * DESCRIPTION
 *	A commit makes a name durable by fsyncing its directory after the
 *	create, rename or unlink. When many threads commit into the same
 *	directory at once, one fsync that starts after all of their
 *	changes serves them all: queue_dsync() is that group commit.
 *
 *	queue_dsync() returns when an fsync of the directory that began
 *	after the call was made has completed: 0 if it succeeded, -1 with
 *	errno set if it failed. A caller that arrives while an fsync is in
 *	flight joins the next group; when the flight lands, one member of
 *	that group (the leader) fsyncs for every member, the others wait.
 *	Each member gets the result of its own group's fsync, never of an
 *	earlier or later one, so a failure is reported to exactly the
 *	callers whose changes it may have lost. A lone caller simply
 *	fsyncs: there is no timer and no added latency.
 *
 *	queue_dsync_new() takes a directory descriptor, which it does not
 *	own: the caller closes it after queue_dsync_free(), which requires
 *	that no thread is inside queue_dsync(). queue_dsync_fd() returns
 *	the descriptor. queue_dsync_stats() reports how many fsyncs were
 *	made and how many callers are inside queue_dsync() now.
 *
 *	queue_dsync_set_hook() is the test seam: fn(ctx) is called by each
 *	leader just before its fsync (process-global; NULL removes it).
 */
#ifndef QUEUE_DSYNC_H
#define QUEUE_DSYNC_H

struct queue_dsync;

struct queue_dsync *queue_dsync_new(int);
int	queue_dsync_fd(const struct queue_dsync *);
int	queue_dsync(struct queue_dsync *);
void	queue_dsync_stats(struct queue_dsync *, unsigned long *, unsigned *);
void	queue_dsync_free(struct queue_dsync *);

void	queue_dsync_set_hook(void (*) (void *), void *);

#endif
