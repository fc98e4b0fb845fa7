/*
 * NAME
 *	queue_pool - spent spool files, set aside and reused
 * DESCRIPTION
 *	See queue_pool.h. The pool is a stack of file numbers under a
 *	mutex; the renames, opens and unlinks happen outside it. A number
 *	is handed out once (next only grows), so a rename into the pool
 *	never meets an existing name.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "queue_file.h"
#include "queue_pool.h"

#define POOL_NAME_MAX	24		/* "18446744073709551615" */

struct queue_pool {
	int	fd;			/* the pool directory */
	char   *dir;			/* its name, for messages */
	size_t	max;
	pthread_mutex_t mutex;
	uint64_t *v;			/* pooled file numbers */
	size_t	n;
	uint64_t next;			/* the next number to hand out */
};

/* pool_name - a pool file's name */

static void
pool_name(char *buf, size_t size, uint64_t num)
{
	(void) snprintf(buf, size, "%llu", (unsigned long long) num);
}

/* pool_usable - a regular file of ours, small, with one name */

static int
pool_usable(const struct stat *st)
{
	return (S_ISREG(st->st_mode) && st->st_uid == geteuid()
	    && st->st_nlink == 1 && st->st_size <= QUEUE_POOL_SIZE_MAX);
}

/* queue_pool_new - an empty pool over a directory */

struct queue_pool *
queue_pool_new(int pooldirfd, const char *pooldir, size_t max)
{
	struct queue_pool *pool = mem_zalloc(1, sizeof(*pool));
	int	err;

	pool->fd = pooldirfd;
	pool->dir = mem_strdup(pooldir);
	pool->max = max;
	pool->v = mem_zalloc(max + 1, sizeof(*pool->v));
	pool->next = 1;
	if ((err = pthread_mutex_init(&pool->mutex, NULL)) != 0)
		msg_fatal("queue_pool_new: pthread_mutex_init: error %d", err);
	return (pool);
}

/* queue_pool_free - release; no thread may be using the pool */

void
queue_pool_free(struct queue_pool *pool)
{
	(void) pthread_mutex_destroy(&pool->mutex);
	mem_free(pool->v);
	mem_free(pool->dir);
	mem_free(pool);
}

/* queue_pool_count - how many files the pool holds */

size_t
queue_pool_count(struct queue_pool *pool)
{
	size_t	n;

	(void) pthread_mutex_lock(&pool->mutex);
	n = pool->n;
	(void) pthread_mutex_unlock(&pool->mutex);
	return (n);
}

/* queue_pool_load - adopt the files a previous run left in the pool */

int
queue_pool_load(struct queue_pool *pool, struct buf *err)
{
	struct dirent *dp;
	struct stat st;
	uint64_t num;
	DIR    *dirp;
	int	fd;

	if ((fd = dup(pool->fd)) == -1 || (dirp = fdopendir(fd)) == NULL) {
		buf_printf(err, "read %s/: %s", pool->dir, strerror(errno));
		if (fd != -1)
			(void) close(fd);
		return (-1);
	}
	rewinddir(dirp);
	while ((errno = 0, dp = readdir(dirp)) != NULL) {
		if (strcmp(dp->d_name, ".") == 0
		    || strcmp(dp->d_name, "..") == 0)
			continue;
		if (queue_file_parse_num(dp->d_name, &num, NULL) == 0
		    && fstatat(pool->fd, dp->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && pool_usable(&st)
		    && pool->n < pool->max) {
			pool->v[pool->n++] = num;
			if (num >= pool->next)
				pool->next = num + 1;
			continue;
		}
		/* Not ours to reuse, or one too many: spent all the same. */
		if (unlinkat(pool->fd, dp->d_name, 0) == -1 && errno != ENOENT)
			msg_warn("queue: %s/%s: %m", pool->dir, dp->d_name);
		if (queue_file_parse_num(dp->d_name, &num, NULL) == 0
		    && num >= pool->next)
			pool->next = num + 1;
	}
	if (errno != 0) {
		buf_printf(err, "read %s/: %s", pool->dir, strerror(errno));
		(void) closedir(dirp);
		return (-1);
	}
	(void) closedir(dirp);
	return (0);
}

/* queue_pool_take - reuse a pooled file as dirfd/name, or -1 */

int
queue_pool_take(struct queue_pool *pool, int dirfd, const char *dir,
    const char *name)
{
	char	from[POOL_NAME_MAX];
	struct buf err;
	struct stat st;
	uint64_t num;
	int	fd;

	(void) pthread_mutex_lock(&pool->mutex);
	if (pool->n == 0) {
		(void) pthread_mutex_unlock(&pool->mutex);
		return (-1);
	}
	num = pool->v[--pool->n];
	(void) pthread_mutex_unlock(&pool->mutex);

	pool_name(from, sizeof(from), num);
	buf_init(&err, 0);
	if (queue_file_rename(pool->fd, pool->dir, from, dirfd, dir, name,
	    &err) == -1) {
		msg_warn("queue: %s; creating a new file", buf_cstr(&err));
		(void) unlinkat(pool->fd, from, 0);
		buf_fini(&err);
		return (-1);
	}
	if ((fd = queue_file_truncate(dirfd, dir, name, &err)) == -1) {
		msg_warn("queue: %s; creating a new file", buf_cstr(&err));
		(void) unlinkat(dirfd, name, 0);
		buf_fini(&err);
		return (-1);
	}
	buf_fini(&err);

	/* A file that gained a second name is not ours to overwrite. */
	if (fstat(fd, &st) == -1 || !pool_usable(&st)) {
		msg_warn("queue: %s/%s: not a regular file of ours with one "
		    "link; creating a new file", dir, name);
		(void) close(fd);
		(void) unlinkat(dirfd, name, 0);
		return (-1);
	}
	return (fd);
}

/* queue_pool_put - move dirfd/name into the pool, or remove it */

int
queue_pool_put(struct queue_pool *pool, int dirfd, const char *dir,
    const char *name, struct buf *err)
{
	char	to[POOL_NAME_MAX];
	struct stat st;
	uint64_t num = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
	    && pool_usable(&st)) {
		(void) pthread_mutex_lock(&pool->mutex);
		if (pool->n < pool->max)
			num = pool->next++;
		(void) pthread_mutex_unlock(&pool->mutex);
	}
	if (num == 0)
		return (queue_file_unlink(dirfd, dir, name, err));
	pool_name(to, sizeof(to), num);
	if (queue_file_rename(dirfd, dir, name, pool->fd, pool->dir, to,
	    err) == -1)
		return (-1);
	(void) pthread_mutex_lock(&pool->mutex);
	if (pool->n < pool->max) {
		pool->v[pool->n++] = num;
		num = 0;
	}
	(void) pthread_mutex_unlock(&pool->mutex);
	/* Others filled the pool meanwhile: this one is spent for good. */
	if (num != 0)
		(void) unlinkat(pool->fd, to, 0);
	return (0);
}
