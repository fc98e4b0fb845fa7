/*
 * NAME
 *	queue_pool - spent spool files, set aside and reused
 * SYNOPSIS
 *	#include "queue_pool.h"
 *
 *	struct queue_pool *queue_pool_new(int pooldirfd, const char *pooldir,
 *		    size_t max);
 *	void	queue_pool_free(struct queue_pool *pool);
 *	int	queue_pool_load(struct queue_pool *pool, struct buf *err);
 *	int	queue_pool_take(struct queue_pool *pool, int dirfd,
 *		    const char *dir, const char *name);
 *	int	queue_pool_put(struct queue_pool *pool, int dirfd,
 *		    const char *dir, const char *name, struct buf *err);
 *	size_t	queue_pool_count(struct queue_pool *pool);
 * DESCRIPTION
 *	Every message creates two spool files and deletes them when it
 *	is done. Creating a file allocates an inode, and on a file system
 *	that must skip recently freed inodes when it allocates (ext4
 *	without a journal) that search grows with the rate of deletions
 *	until it is the largest cost of the whole relay. A spent file is
 *	therefore renamed into the pool directory instead of deleted, and
 *	the next file the spool needs is renamed out of the pool and
 *	truncated instead of created: no inode is allocated or freed
 *	while the pool is neither empty nor full.
 *
 *	Pool files are named 1, 2, 3 ... in pooldir. Nothing in the pool
 *	is ever read: a taken file is truncated to nothing before use.
 *
 *	queue_pool_new() makes an empty pool over the directory pooldirfd
 *	(not owned; pooldir names it in messages) that keeps at most max
 *	files. queue_pool_load() adopts the files already there (after a
 *	restart): regular files of ours with exactly one link; anything
 *	else, and what is beyond max, is removed. It returns 0, or -1
 *	with the reason in err when the directory cannot be read.
 *
 *	queue_pool_take() renames a pooled file to dirfd/name (replacing
 *	a leftover of that name), opens it write-only and truncated, and
 *	returns the descriptor. It returns -1 when the pool is empty, and
 *	when reuse failed (the file is then removed, with a warning for a
 *	system error): the caller creates a new file as it would without
 *	a pool.
 *
 *	queue_pool_put() moves dirfd/name into the pool, or removes it
 *	when the pool is full, when the file is larger than 64 KiB (its
 *	blocks are freed at once), or when it is not a regular file with
 *	one link. It returns 0 when the name is gone from dirfd, or -1
 *	with errno set and the failed step in err. The caller makes the
 *	disappearance durable (an fsync of dirfd) as after an unlink;
 *	the pool directory itself is never synced, since a pooled file
 *	that a crash brings back under its old name is what an unlink
 *	that a crash undid would have left.
 *
 *	Each step consults queue_fault() ("rename data/12 free/3",
 *	"truncate incoming/13", "unlink data/12"). A pool may be used by
 *	several threads at once. queue_pool_count() tells how many files
 *	it holds.
 * SEE ALSO
 *	queue_spool(3), where the pool is the directory free/.
 */
#ifndef QUEUE_POOL_H
#define QUEUE_POOL_H

#include <stddef.h>

#include "buf.h"

#define QUEUE_POOL_SIZE_MAX	(64 * 1024)	/* larger files are removed */

struct queue_pool;

struct queue_pool *queue_pool_new(int, const char *, size_t);
void	queue_pool_free(struct queue_pool *);
int	queue_pool_load(struct queue_pool *, struct buf *);
int	queue_pool_take(struct queue_pool *, int, const char *, const char *);
int	queue_pool_put(struct queue_pool *, int, const char *, const char *,
	    struct buf *);
size_t	queue_pool_count(struct queue_pool *);

#endif
