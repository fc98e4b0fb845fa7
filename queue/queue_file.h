/*
 * NAME
 *	queue_file - the spool's file system calls, checked and injectable
 * SYNOPSIS
 *	#include "queue_file.h"
 *
 *	int	queue_file_create(int dirfd, const char *dir, const char *name,
 *		    struct buf *err);
 *	int	queue_file_truncate(int dirfd, const char *dir,
 *		    const char *name, struct buf *err);
 *	int	queue_file_write(int fd, const char *dir, const char *name,
 *		    const void *data, size_t len, struct buf *err);
 *	int	queue_file_fsync(int fd, const char *dir, const char *name,
 *		    struct buf *err);
 *	int	queue_file_syncdir(struct queue_dsync *ds, const char *dir,
 *		    struct buf *err);
 *	int	queue_file_rename(int fromfd, const char *fromdir,
 *		    const char *from, int tofd, const char *todir,
 *		    const char *to, struct buf *err);
 *	int	queue_file_unlink(int dirfd, const char *dir, const char *name,
 *		    struct buf *err);
 *	int	queue_file_replace(struct queue_pool *pool, int tmpfd,
 *		    const char *tmpdir, const char *tmp,
 *		    struct queue_dsync *dstsync, const char *dstdir,
 *		    const char *dst, const void *data, size_t len,
 *		    struct buf *err);
 *	int	queue_file_read(int dirfd, const char *dir, const char *name,
 *		    size_t max, struct buf *out, struct buf *err);
 *	int	queue_file_check(const struct stat *st, struct buf *why);
 *	int	queue_file_parse_num(const char *name, uint64_t *num,
 *		    const char **rest);
 * DESCRIPTION
 *	Each function makes one change to the spool (or reads one file),
 *	asks queue_fault() first (the step is named "write incoming/12",
 *	"rename incoming/12.env active/12" ...), retries on EINTR, and on
 *	failure returns -1 with errno set and "step: strerror" appended to
 *	err. dir names are the spool-relative directory names used in
 *	messages; the calls themselves go through the directory
 *	descriptors.
 *
 *	queue_file_create() creates a new file (O_EXCL, O_NOFOLLOW, mode
 *	0600, write-only) and returns its descriptor; queue_file_truncate()
 *	opens an existing one write-only, emptied. queue_file_syncdir()
 *	fsyncs a directory, which makes the names created, renamed or
 *	removed in it durable; the fsync is shared with the threads that
 *	sync the same directory at the same time (queue_dsync).
 *	queue_file_replace() writes data to tmp (a file taken from pool
 *	when pool is not null and holds one, else a new one that replaces
 *	a stale tmp), fsyncs it, renames it over dst and fsyncs dstdir: when it
 *	returns 0 dst holds data durably; on failure tmp is removed and
 *	dst holds either its old contents or data, never a mix.
 *
 *	queue_file_read() reads a whole spool file into out (reset first).
 *	It returns 0; QUEUE_FILE_BAD with the reason in err when the file
 *	itself is unacceptable (not a regular file, not ours, group or
 *	other bits set, larger than max): such a file is for corrupt/;
 *	or -1 when a system call failed (errno set): a temporary problem
 *	that says nothing about the file. queue_file_check() applies the
 *	same ownership, type and mode rules to a stat result and returns
 *	0 or QUEUE_FILE_BAD.
 *
 *	queue_file_parse_num() reads a spool file name that is a number
 *	(a MID, a pool file): decimal digits, no leading zero, not 0, no
 *	overflow. It returns 0 with the number in num, or -1. With rest
 *	null the name must end after the digits; else rest gets where the
 *	digits end.
 */
#ifndef QUEUE_FILE_H
#define QUEUE_FILE_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#include "queue_dsync.h"

#define QUEUE_FILE_BAD	1

int	queue_file_create(int, const char *, const char *, struct buf *);
int	queue_file_truncate(int, const char *, const char *, struct buf *);
int	queue_file_write(int, const char *, const char *, const void *,
	    size_t, struct buf *);
int	queue_file_fsync(int, const char *, const char *, struct buf *);
int	queue_file_syncdir(struct queue_dsync *, const char *, struct buf *);
int	queue_file_rename(int, const char *, const char *, int, const char *,
	    const char *, struct buf *);
int	queue_file_unlink(int, const char *, const char *, struct buf *);
struct queue_pool;

int	queue_file_replace(struct queue_pool *, int, const char *,
	    const char *, struct queue_dsync *, const char *, const char *,
	    const void *, size_t, struct buf *);
int	queue_file_read(int, const char *, const char *, size_t,
	    struct buf *, struct buf *);
int	queue_file_check(const struct stat *, struct buf *);
int	queue_file_parse_num(const char *, uint64_t *, const char **);

#endif
