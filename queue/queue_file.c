/*
 * NAME
 *	queue_file - the spool's file system calls, checked and injectable
 * DESCRIPTION
 *	See queue_file.h. err may be NULL where a caller cleans up on a
 *	path that has already failed and has nothing more to say.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "msg.h"

#include "queue_fault.h"
#include "queue_dsync.h"
#include "queue_file.h"
#include "queue_pool.h"

#define STEP_MAX	256

/* file_fault - consult the fault hook for one step; 0 or -1 with errno */

static int
file_fault(const char *step)
{
	int	e;

	if ((e = queue_fault(step)) != 0) {
		errno = e;
		return (-1);
	}
	return (0);
}

/* file_fail - report a failed step in err; keeps errno */

static int
file_fail(struct buf *err, const char *step)
{
	int	saved = errno;

	if (err != NULL)
		buf_printf(err, "%s: %s", step, strerror(saved));
	errno = saved;
	return (-1);
}

/* queue_file_create - create a new spool file, 0600, write-only */

int
queue_file_create(int dirfd, const char *dir, const char *name,
    struct buf *err)
{
	char	step[STEP_MAX];
	int	fd;

	(void) snprintf(step, sizeof(step), "create %s/%s", dir, name);
	if (file_fault(step) < 0)
		return (file_fail(err, step));
	do {
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
	} while (fd == -1 && errno == EINTR);
	if (fd == -1)
		return (file_fail(err, step));
	return (fd);
}

/* queue_file_truncate - open an existing spool file, emptied, write-only */

int
queue_file_truncate(int dirfd, const char *dir, const char *name,
    struct buf *err)
{
	char	step[STEP_MAX];
	int	fd;

	(void) snprintf(step, sizeof(step), "truncate %s/%s", dir, name);
	if (file_fault(step) < 0)
		return (file_fail(err, step));
	do {
		fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW |
		    O_CLOEXEC);
	} while (fd == -1 && errno == EINTR);
	if (fd == -1)
		return (file_fail(err, step));
	return (fd);
}

/* queue_file_write - write all of data, or fail */

int
queue_file_write(int fd, const char *dir, const char *name,
    const void *data, size_t len, struct buf *err)
{
	const char *p = data;
	char	step[STEP_MAX];
	ssize_t	n;

	(void) snprintf(step, sizeof(step), "write %s/%s", dir, name);
	if (file_fault(step) < 0)
		return (file_fail(err, step));
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return (file_fail(err, step));
		}
		if (n == 0) {
			errno = EIO;
			return (file_fail(err, step));
		}
		p += n;
		len -= (size_t) n;
	}
	return (0);
}

/* queue_file_fsync - flush a file's data and metadata to disk */

int
queue_file_fsync(int fd, const char *dir, const char *name,
    struct buf *err)
{
	char	step[STEP_MAX];
	int	r;

	(void) snprintf(step, sizeof(step), "fsync %s/%s", dir, name);
	if (file_fault(step) < 0)
		return (file_fail(err, step));

	/*
	 * No retry after a real failure: after a failed fsync the kernel
	 * may have dropped the dirty pages, and a second fsync that
	 * succeeds proves nothing (the PostgreSQL "fsyncgate" lesson).
	 */
	do {
		r = fsync(fd);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return (file_fail(err, step));
	return (0);
}

/* queue_file_syncdir - make a directory's entries durable (grouped) */

int
queue_file_syncdir(struct queue_dsync *ds, const char *dir, struct buf *err)
{
	char	step[STEP_MAX];

	(void) snprintf(step, sizeof(step), "fsync %s/", dir);
	if (file_fault(step) < 0 || queue_dsync(ds) == -1)
		return (file_fail(err, step));
	return (0);
}

/* queue_file_rename - rename within the spool (replaces to) */

int
queue_file_rename(int fromfd, const char *fromdir, const char *from,
    int tofd, const char *todir, const char *to, struct buf *err)
{
	char	step[STEP_MAX];

	(void) snprintf(step, sizeof(step), "rename %s/%s %s/%s", fromdir,
	    from, todir, to);
	if (file_fault(step) < 0)
		return (file_fail(err, step));
	if (renameat(fromfd, from, tofd, to) == -1)
		return (file_fail(err, step));
	return (0);
}

/* queue_file_unlink - remove a spool file */

int
queue_file_unlink(int dirfd, const char *dir, const char *name,
    struct buf *err)
{
	char	step[STEP_MAX];

	(void) snprintf(step, sizeof(step), "unlink %s/%s", dir, name);
	if (file_fault(step) < 0)
		return (file_fail(err, step));
	if (unlinkat(dirfd, name, 0) == -1)
		return (file_fail(err, step));
	return (0);
}

/* queue_file_replace - durably replace dst with data, via tmp */

int
queue_file_replace(struct queue_pool *pool, int tmpfd, const char *tmpdir,
    const char *tmp, struct queue_dsync *dstsync, const char *dstdir,
    const char *dst, const void *data, size_t len, struct buf *err)
{
	int	dstfd = queue_dsync_fd(dstsync);
	struct buf first;
	char	step[STEP_MAX];
	int	fd;
	int	saved;

	/* A stale tmp is a leftover of a crash: it was never committed. */
	buf_init(&first, 0);
	if (pool != NULL
	    && (fd = queue_pool_take(pool, tmpfd, tmpdir, tmp)) != -1) {
		/* A spent file, renamed over any leftover and truncated. */
	} else if ((fd = queue_file_create(tmpfd, tmpdir, tmp, &first)) == -1
	    && errno == EEXIST) {
		if (unlinkat(tmpfd, tmp, 0) == -1 && errno != ENOENT) {
			buf_fini(&first);
			(void) snprintf(step, sizeof(step), "unlink %s/%s",
			    tmpdir, tmp);
			return (file_fail(err, step));
		}
		fd = queue_file_create(tmpfd, tmpdir, tmp, err);
	} else if (fd == -1) {
		buf_append(err, first.data, first.len);
	}
	buf_fini(&first);
	if (fd == -1)
		return (-1);
	if (queue_file_write(fd, tmpdir, tmp, data, len, err) == -1
	    || queue_file_fsync(fd, tmpdir, tmp, err) == -1) {
		saved = errno;
		(void) close(fd);
		(void) unlinkat(tmpfd, tmp, 0);
		errno = saved;
		return (-1);
	}
	if (close(fd) == -1) {
		(void) snprintf(step, sizeof(step), "close %s/%s", tmpdir, tmp);
		saved = errno;
		(void) unlinkat(tmpfd, tmp, 0);
		errno = saved;
		return (file_fail(err, step));
	}
	if (queue_file_rename(tmpfd, tmpdir, tmp, dstfd, dstdir, dst,
	    err) == -1) {
		saved = errno;
		(void) unlinkat(tmpfd, tmp, 0);
		errno = saved;
		return (-1);
	}
	return (queue_file_syncdir(dstsync, dstdir, err));
}

/* queue_file_check - a spool file must be a regular file, ours, 0600 */

int
queue_file_check(const struct stat *st, struct buf *why)
{
	if (!S_ISREG(st->st_mode)) {
		buf_printf(why, "not a regular file");
		return (QUEUE_FILE_BAD);
	}
	if (st->st_uid != geteuid()) {
		buf_printf(why, "owned by uid %lu, want %lu",
		    (unsigned long) st->st_uid, (unsigned long) geteuid());
		return (QUEUE_FILE_BAD);
	}
	if ((st->st_mode & 077) != 0 || (st->st_mode & 0600) != 0600) {
		buf_printf(why, "mode %04o, want 0600",
		    (unsigned) (st->st_mode & 07777));
		return (QUEUE_FILE_BAD);
	}
	return (0);
}

/* queue_file_read - read one whole spool file, after checking it */

int
queue_file_read(int dirfd, const char *dir, const char *name, size_t max,
    struct buf *out, struct buf *err)
{
	char	step[STEP_MAX];
	struct stat st;
	ssize_t	n;
	int	fd;
	int	r;

	buf_reset(out);
	(void) snprintf(step, sizeof(step), "open %s/%s", dir, name);

	/*
	 * O_NOFOLLOW: a symlink is refused (ELOOP), never followed.
	 * O_NONBLOCK: a FIFO planted in the spool cannot hang the scan.
	 */
	do {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	} while (fd == -1 && errno == EINTR);
	if (fd == -1) {
		if (errno == ELOOP) {
			buf_printf(err, "a symbolic link");
			return (QUEUE_FILE_BAD);
		}
		return (file_fail(err, step));
	}
	if (fstat(fd, &st) == -1) {
		r = file_fail(err, step);
		(void) close(fd);
		return (r);
	}
	if ((r = queue_file_check(&st, err)) != 0) {
		(void) close(fd);
		return (r);
	}
	if ((unsigned long long) st.st_size > max) {
		buf_printf(err, "%lld bytes, more than the limit of %zu",
		    (long long) st.st_size, max);
		(void) close(fd);
		return (QUEUE_FILE_BAD);
	}
	(void) snprintf(step, sizeof(step), "read %s/%s", dir, name);
	if (file_fault(step) < 0) {
		r = file_fail(err, step);
		(void) close(fd);
		return (r);
	}
	buf_reserve(out, (size_t) st.st_size);
	for (;;) {
		if (out->size - out->len < 2)
			buf_reserve(out, 4096);
		n = read(fd, out->data + out->len, out->size - out->len - 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			r = file_fail(err, step);
			(void) close(fd);
			return (r);
		}
		if (n == 0)
			break;
		out->len += (size_t) n;
		out->data[out->len] = 0;
		if (out->len > max) {
			buf_printf(err, "grew beyond the limit of %zu", max);
			(void) close(fd);
			return (QUEUE_FILE_BAD);
		}
	}
	(void) close(fd);
	return (0);
}

/* queue_file_parse_num - a numbered name: digits, no leading zero */

int
queue_file_parse_num(const char *name, uint64_t *num, const char **rest)
{
	uint64_t v = 0;
	const char *cp;

	if (name[0] < '1' || name[0] > '9')
		return (-1);
	for (cp = name; *cp >= '0' && *cp <= '9'; cp++) {
		if (v > (UINT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (uint64_t) (*cp - '0');
	}
	*num = v;
	if (rest != NULL)
		*rest = cp;
	else if (*cp != 0)
		return (-1);
	return (0);
}
