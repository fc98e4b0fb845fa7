/*
 * NAME
 *	queue_spool - the on-disk queue: receive, commit, update, remove
 * DESCRIPTION
 *	See queue_spool.h for the interface. This comment is the spool's
 *	specification: its layout, the states of a message, and why a crash
 *	at any instant loses no acknowledged message.
 *
 *	Layout. Every directory is mode 0700 and every file 0600, owned by
 *	the queue manager's user; the queue manager is the only process that
 *	changes anything here, and it holds an flock() on spool_dir while it
 *	runs. A MID is written in decimal without leading zeros.
 *
 *	    spool_dir/
 *		mid		the MID counter's high-water mark (queue_id)
 *		mid.tmp		its replacement, while being written
 *		incoming/	not acknowledged, removed by the start-up scan:
 *		    MID		    content being written by a listener
 *		    MID.env	    envelope being written at commit
 *		    MID.upd	    envelope being rewritten after a delivery
 *		data/MID	content (headers + body, CRLF), never changed
 *		active/MID	envelope of a committed message, due now
 *		deferred/MID	envelope of a committed message, retry later
 *		corrupt/DIR.NAME  what failed validation, from DIR/NAME;
 *				kept for the operator, never deleted
 *		free/N		spent files kept for reuse (queue_pool):
 *				never read, truncated when taken
 *
 *	States of message MID, from the files that exist (in the manner of
 *	qmail's INTERNALS):
 *
 *	    S0	nothing
 *	    S1	incoming/MID			being received
 *	    S2	data/MID (and maybe incoming/MID.env)
 *						content durable, no envelope
 *	    S3	data/MID + active/MID or deferred/MID
 *						committed: the queue owns it
 *	    S2	data/MID after its envelope was removed: being deleted
 *
 *	S1 and S2 are never acknowledged: the start-up scan removes
 *	incoming/ entirely and every data/MID that has no envelope. S3 is
 *	the only state in which a message is reported to the caller.
 *
 *	Commit (queue_spool_commit), in this order, each step checked:
 *
 *	    1. fsync(content)			incoming/MID
 *	    2. rename incoming/MID data/MID
 *	    3. fsync(data/)			S2, durable
 *	    4. write incoming/MID.env, fsync(it)
 *	    5. rename incoming/MID.env active/MID	THE COMMIT POINT
 *	    6. fsync(active/)			S3, durable
 *	    7. return QUEUE_OK: the listener may answer 250
 *
 *	A crash before step 5 leaves S1 or S2: nothing was acknowledged,
 *	and the scan removes the leftovers. A process crash after step 5
 *	leaves S3; a power loss between steps 5 and 6 leaves S2 or S3 (a
 *	rename is atomic), and nothing was acknowledged yet. In S3 the
 *	message is delivered, and if step 7 had not been reached the client
 *	sends it again: a duplicate at worst, never a loss (RFC 5321
 *	section 6.1; qmail accepts the same trade). Steps 1 and 3 precede
 *	step 5 so that an envelope can never become durable before its
 *	content's bytes and name; the fsync in step 4 precedes the rename
 *	so that a committed name never points at bytes still in memory
 *	(the empty-file-after-rename failure of delayed allocation).
 *	When a step fails (ENOSPC, EIO, EDQUOT ...) the commit removes what
 *	it created, including active/MID if the failure was step 6, and
 *	returns QUEUE_TEMP: the client gets QUEUE_SPOOL_TEMP_REPLY and no
 *	250. A failed fsync is never retried.
 *
 *	Update (queue_spool_update): write incoming/MID.upd and fsync it,
 *	rename it over FROM/MID (the commit point of the update: the old
 *	or the new envelope, never a mix), fsync FROM/; then, to change
 *	state, rename FROM/MID TO/MID and fsync TO/ and FROM/. Each rename
 *	is atomic, so at every instant exactly one envelope names the
 *	message. (Should a power loss ever leave both names, the scan
 *	keeps the one in the earlier state and moves the other to
 *	corrupt/: a recipient may get a second copy, none is lost.)
 *
 *	Deletion (queue_spool_remove): move the envelope into free/ and
 *	fsync its directory (the commit point of the deletion: S3 -> S2),
 *	then move the content into free/, without an fsync: should a crash
 *	bring its name back, it is S2 again. A crash in between leaves S2, which the
 *	scan removes; a crash before leaves S3, and the message is
 *	delivered again (a duplicate, never a loss).
 *
 *	Reuse. A file the spool creates (content, envelope, update) is
 *	taken from free/ when it holds one: renamed to its new name and
 *	truncated, so no inode is allocated, and a file the spool deletes
 *	goes to free/ instead, so none is freed. To every step above a
 *	rename into or out of free/ is the unlink or the create it
 *	replaces. Files over 64 KiB, and those beyond 1024 in free/, are
 *	unlinked as before. A pooled file that a crash left with a
 *	second name is never reused (queue_pool(3)).
 *
 *	Group commit. Every directory fsync above goes through queue_dsync:
 *	the commits and removals that run at the same time in worker
 *	threads share one fsync per directory, begun after all of their
 *	renames and unlinks, and each learns the result of the fsync that
 *	covered it. The order of the steps of each message is unchanged.
 *
 *	Start-up scan (queue_spool_scan): empty incoming/; read every
 *	envelope in active/ and deferred/ in MID order; validate it
 *	(regular file, ours, 0600; magic, version, checksum, records; the
 *	MID inside equals the name; data/MID exists, is ours and 0600, and
 *	holds at least the recorded size); hand the good ones to the
 *	caller; move the bad ones, with their content, to corrupt/ with a
 *	warning; finally remove every data/MID that no envelope names.
 *	An error reading the spool (EIO, EMFILE) stops the scan with
 *	QUEUE_TEMP and changes nothing more: a file is never judged corrupt
 *	because the system failed to read it.
 * DIAGNOSTICS
 *	Warnings name the spool, the file and the reason: "queue: spool
 *	/var/spool/mtad: active/12: checksum mismatch; moved to
 *	corrupt/active.12".
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "queue_dsync.h"
#include "queue_env.h"
#include "queue_file.h"
#include "queue_id.h"
#include "queue_pool.h"
#include "queue_spool.h"

/* Directories, in the order they are created and checked. */
enum spool_dir {
	DIR_INCOMING,
	DIR_DATA,
	DIR_ACTIVE,
	DIR_DEFERRED,
	DIR_CORRUPT,
	DIR_FREE,
	DIR_COUNT,
};

static const char *const spool_dir_name[DIR_COUNT] = {
	"incoming", "data", "active", "deferred", "corrupt", "free",
};

/* Spent files kept for reuse (queue_pool). */
#define SPOOL_POOL_MAX	1024

#define STATE_DIR(s)	(DIR_ACTIVE + (int) (s))

/* An envelope larger than this is not one of ours. */
#define ENV_FILE_MAX	((size_t) 64 * 1024 * 1024)

#define NAME_MAX_LEN	64		/* "18446744073709551615.upd" fits */
#define CORRUPT_TRIES	1000

struct queue_spool {
	char   *path;			/* for diagnostics */
	int	rootfd;			/* spool_dir, flock()ed */
	int	dirfd[DIR_COUNT];
	struct queue_dsync *rootsync;	/* fsync of rootfd, grouped */
	struct queue_dsync *sync[DIR_COUNT];	/* of each dirfd */
	struct queue_id *qid;
	struct queue_pool *pool;	/* free/ */
	atomic_size_t nopen;		/* opened, not yet done; see THREADS */
	int	scanned;		/* incoming/ has been cleaned */
};

/* A name list read from one directory. */
struct names {
	char  **v;
	size_t	n;
	size_t	size;
};

/* A committed envelope found by the scan. */
struct found {
	uint64_t mid;
	enum queue_state state;
};

/* queue_state_str - a state's name, which is also its directory */

const char *
queue_state_str(enum queue_state state)
{
	switch (state) {
	case QUEUE_STATE_ACTIVE:
		return ("active");
	case QUEUE_STATE_DEFERRED:
		return ("deferred");
	}
	return ("unknown");
}

/* spool_state_check - panic on a state the caller made up */

static void
spool_state_check(const char *who, enum queue_state state)
{
	if ((unsigned) state >= QUEUE_STATE_COUNT)
		msg_panic("%s: bad queue state %d", who, (int) state);
}

/* spool_mid_name - the file name of a MID, with an optional suffix */

static void
spool_mid_name(char *name, size_t size, uint64_t mid, const char *suffix)
{
	int	n;

	n = snprintf(name, size, "%llu%s", (unsigned long long) mid, suffix);
	if (n < 0 || (size_t) n >= size)
		msg_panic("spool_mid_name: name too long");
}

/* spool_printable - a file name made safe for a log line */

static const char *
spool_printable(const char *name, char *out, size_t size)
{
	size_t	i;

	for (i = 0; name[i] != 0 && i + 1 < size; i++)
		out[i] = (name[i] > 0x20 && name[i] < 0x7f) ? name[i] : '?';
	out[i] = 0;
	return (out);
}

/* names_free - release a name list */

static void
names_free(struct names *np)
{
	size_t	i;

	for (i = 0; i < np->n; i++)
		mem_free(np->v[i]);
	np->v = mem_free(np->v);
	np->n = np->size = 0;
}

/* spool_list - read the names in one spool directory */

static int
spool_list(struct queue_spool *spool, int d, struct names *np,
    struct buf *err)
{
	struct dirent *dp;
	DIR    *dirp;
	int	fd;

	memset(np, 0, sizeof(*np));
	if ((fd = dup(spool->dirfd[d])) == -1
	    || (dirp = fdopendir(fd)) == NULL) {
		buf_printf(err, "read %s/: %s", spool_dir_name[d],
		    strerror(errno));
		if (fd != -1)
			(void) close(fd);
		return (QUEUE_TEMP);
	}
	rewinddir(dirp);
	for (;;) {
		errno = 0;
		if ((dp = readdir(dirp)) == NULL)
			break;
		if (strcmp(dp->d_name, ".") == 0
		    || strcmp(dp->d_name, "..") == 0)
			continue;
		if (np->n == np->size) {
			np->size = np->size ? 2 * np->size : 64;
			np->v = mem_realloc(np->v, np->size, sizeof(*np->v));
		}
		np->v[np->n++] = mem_strdup(dp->d_name);
	}
	if (errno != 0) {
		buf_printf(err, "read %s/: %s", spool_dir_name[d],
		    strerror(errno));
		(void) closedir(dirp);
		names_free(np);
		return (QUEUE_TEMP);
	}
	(void) closedir(dirp);
	return (QUEUE_OK);
}

/* spool_check_dir - a spool directory: ours, mode 0700 */

static int
spool_check_dir(int fd, const char *path, struct buf *err)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		buf_printf(err, "spool %s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(st.st_mode)) {
		buf_printf(err, "spool %s: not a directory", path);
		return (-1);
	}
	if (st.st_uid != geteuid()) {
		buf_printf(err, "spool %s: owned by uid %lu, must be owned "
		    "by uid %lu (the queue manager's user)", path,
		    (unsigned long) st.st_uid, (unsigned long) geteuid());
		return (-1);
	}
	if ((st.st_mode & 07777) != 0700) {
		buf_printf(err, "spool %s: mode %04o, must be 0700", path,
		    (unsigned) (st.st_mode & 07777));
		return (-1);
	}
	return (0);
}

/*
 * spool_open_dir - open (creating if missing) one spool directory. The
 * spool itself may be a symbolic link (the operator's choice, made in
 * the configuration); a directory inside it may not.
 */

static int
spool_open_dir(int parent, const char *name, const char *path, int follow,
    int *created, struct buf *err)
{
	int	fd;

	if (mkdirat(parent, name, 0700) == 0)
		*created = 1;
	else if (errno != EEXIST) {
		buf_printf(err, "spool %s: mkdir: %s", path, strerror(errno));
		return (-1);
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (follow ? 0 : O_NOFOLLOW));
	if (fd == -1) {
		struct stat st;
		int	saved = errno;

		/* O_NOFOLLOW with O_DIRECTORY says ENOTDIR for a symlink. */
		if ((saved == ELOOP || saved == ENOTDIR)
		    && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0
		    && S_ISLNK(st.st_mode))
			buf_printf(err, "spool %s: a symbolic link, must be "
			    "a directory", path);
		else
			buf_printf(err, "spool %s: %s", path,
			    strerror(saved));
		return (-1);
	}
	if (spool_check_dir(fd, path, err) < 0) {
		(void) close(fd);
		return (-1);
	}
	return (fd);
}

/* spool_floor - one more than the largest MID named anywhere */

static int
spool_floor(struct queue_spool *spool, uint64_t *floor, struct buf *err)
{
	struct names names;
	const char *rest;
	uint64_t mid;
	size_t	i;
	int	d;

	*floor = 1;
	for (d = 0; d < DIR_COUNT; d++) {
		if (d == DIR_FREE)		/* pool numbers, not MIDs */
			continue;
		if (spool_list(spool, d, &names, err) != QUEUE_OK)
			return (-1);
		for (i = 0; i < names.n; i++) {
			const char *name = names.v[i];

			/* corrupt/ names are DIR.NAME */
			if (d == DIR_CORRUPT) {
				if ((name = strchr(name, '.')) == NULL)
					continue;
				name++;
			}
			if (queue_file_parse_num(name, &mid, &rest) == 0
			    && mid >= *floor && mid < UINT64_MAX)
				*floor = mid + 1;
		}
		names_free(&names);
	}
	return (0);
}

/* spool_sync_parent - make a newly created spool directory's name durable */

static int
spool_sync_parent(const char *dir, struct buf *err)
{
	char   *parent = mem_strdup(dir);
	char   *slash;
	int	fd;
	int	r = 0;

	/* Strip trailing slashes, then the last component. */
	for (slash = parent + strlen(parent); slash > parent + 1
	    && slash[-1] == '/'; slash--)
		slash[-1] = 0;
	if ((slash = strrchr(parent, '/')) == NULL)
		(void) snprintf(parent, strlen(parent) + 1, ".");
	else if (slash == parent)
		slash[1] = 0;
	else
		*slash = 0;
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1) {
		buf_printf(err, "spool %s: fsync %s: %s", dir, parent,
		    strerror(errno));
		r = -1;
	}
	if (fd != -1)
		(void) close(fd);
	mem_free(parent);
	return (r);
}

/* queue_spool_open - create or check the layout, lock, read the counter */

struct queue_spool *
queue_spool_open(const char *dir, struct buf *err)
{
	struct queue_spool *spool;
	struct buf path;
	uint64_t floor;
	int	root_created = 0;
	int	created = 0;
	int	d;

	spool = mem_zalloc(1, sizeof(*spool));
	spool->path = mem_strdup(dir);
	spool->rootfd = -1;
	for (d = 0; d < DIR_COUNT; d++)
		spool->dirfd[d] = -1;

	if ((spool->rootfd = spool_open_dir(AT_FDCWD, dir, dir, 1,
	    &root_created, err)) == -1)
		return (queue_spool_close(spool));
	if (flock(spool->rootfd, LOCK_EX | LOCK_NB) == -1) {
		buf_printf(err, "spool %s: %s", dir, errno == EWOULDBLOCK ?
		    "in use by another queue manager" : strerror(errno));
		return (queue_spool_close(spool));
	}
	buf_init(&path, 0);
	for (d = 0; d < DIR_COUNT; d++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, spool_dir_name[d]);
		spool->dirfd[d] = spool_open_dir(spool->rootfd,
		    spool_dir_name[d], buf_cstr(&path), 0, &created, err);
		if (spool->dirfd[d] == -1) {
			buf_fini(&path);
			return (queue_spool_close(spool));
		}
		spool->sync[d] = queue_dsync_new(spool->dirfd[d]);
	}
	buf_fini(&path);
	spool->rootsync = queue_dsync_new(spool->rootfd);
	spool->pool = queue_pool_new(spool->dirfd[DIR_FREE], "free",
	    SPOOL_POOL_MAX);
	if (queue_pool_load(spool->pool, err) == -1)
		return (queue_spool_close(spool));
	if ((created || root_created)
	    && queue_file_syncdir(spool->rootsync, ".", err) == -1)
		return (queue_spool_close(spool));
	if (root_created && spool_sync_parent(dir, err) == -1)
		return (queue_spool_close(spool));
	if (spool_floor(spool, &floor, err) < 0
	    || (spool->qid = queue_id_open(spool->rootfd, floor,
	    err)) == NULL)
		return (queue_spool_close(spool));
	return (spool);
}

/* queue_spool_close - release the spool and its lock */

struct queue_spool *
queue_spool_close(struct queue_spool *spool)
{
	int	d;

	if (atomic_load(&spool->nopen) > 0)
		msg_panic("queue_spool_close: %zu messages still open",
		    atomic_load(&spool->nopen));
	if (spool->qid != NULL)
		queue_id_close(spool->qid);
	if (spool->pool != NULL)
		queue_pool_free(spool->pool);
	for (d = 0; d < DIR_COUNT; d++) {
		if (spool->sync[d] != NULL)
			queue_dsync_free(spool->sync[d]);
		if (spool->dirfd[d] != -1)
			(void) close(spool->dirfd[d]);
	}
	if (spool->rootsync != NULL)
		queue_dsync_free(spool->rootsync);
	if (spool->rootfd != -1)
		(void) close(spool->rootfd);
	mem_free(spool->path);
	mem_free(spool);
	return (NULL);
}

/* spool_discard - remove a name if it exists; for cleanup after failure */

static void
spool_discard(struct queue_spool *spool, int d, const char *name)
{
	char	safe[NAME_MAX_LEN];

	if (unlinkat(spool->dirfd[d], name, 0) == -1 && errno != ENOENT)
		msg_warn("queue: spool %s: cannot remove %s/%s: %m; the "
		    "next start-up scan will", spool->path,
		    spool_dir_name[d], spool_printable(name, safe,
		    sizeof(safe)));
}

/* spool_name_taken - does any committed file already use this MID? */

static int
spool_name_taken(struct queue_spool *spool, const char *name)
{
	static const int dirs[] = {DIR_DATA, DIR_ACTIVE, DIR_DEFERRED};
	struct stat st;
	size_t	i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (fstatat(spool->dirfd[dirs[i]], name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0) {
			msg_warn("queue: spool %s: %s/%s exists; skipping "
			    "MID %s", spool->path, spool_dir_name[dirs[i]],
			    name, name);
			return (1);
		}
	}
	return (0);
}

/* queue_spool_open_message - allocate a MID and create its content file */

int
queue_spool_open_message(struct queue_spool *spool, struct queue_msg **msgp,
    struct buf *err)
{
	char	name[NAME_MAX_LEN];
	struct queue_msg *msg;
	uint64_t mid;
	int	tries;
	int	fd;

	if (!spool->scanned)
		msg_panic("queue_spool_open_message: the spool was not "
		    "scanned: incoming/ may hold leftovers");

	/*
	 * The counter never repeats a MID, but the spool is the truth: a
	 * name already taken (a restored backup, a lost counter) is
	 * skipped rather than reused.
	 */
	for (tries = 0; tries < 100; tries++) {
		if (queue_id_next(spool->qid, &mid, err) == -1)
			return (QUEUE_TEMP);
		spool_mid_name(name, sizeof(name), mid, "");
		if (spool_name_taken(spool, name))
			continue;
		fd = queue_pool_take(spool->pool, spool->dirfd[DIR_INCOMING],
		    "incoming", name);
		if (fd == -1)
			fd = queue_file_create(spool->dirfd[DIR_INCOMING],
			    "incoming", name, err);
		if (fd != -1)
			break;
		if (errno != EEXIST)
			return (QUEUE_TEMP);
		msg_warn("queue: spool %s: incoming/%s exists; skipping MID %s",
		    spool->path, name, name);
		buf_reset(err);
	}
	if (tries == 100) {
		buf_printf(err, "no free MID after 100 tries");
		return (QUEUE_TEMP);
	}
	msg = mem_zalloc(1, sizeof(*msg));
	msg->mid = mid;
	msg->fd = fd;
	atomic_fetch_add(&spool->nopen, 1);
	*msgp = msg;
	return (QUEUE_OK);
}

/* spool_msg_done - release an open message */

static void
spool_msg_done(struct queue_spool *spool, struct queue_msg *msg)
{
	if (atomic_fetch_sub(&spool->nopen, 1) == 0)
		msg_panic("spool_msg_done: no open message");
	(void) close(msg->fd);
	mem_free(msg);
}

/*
 * spool_verify - decode what is about to be written. Acknowledging a
 * message whose envelope the scan would reject is losing it; this
 * costs microseconds against an fsync.
 */

static int
spool_verify(const struct buf *file, struct buf *err)
{
	struct queue_env check;
	struct buf why;
	int	r = 0;

	buf_init(&why, 0);
	if (queue_env_decode(&check, file->data, file->len, &why) < 0) {
		buf_printf(err, "envelope does not decode: %s", buf_cstr(&why));
		r = -1;
	}
	queue_env_fini(&check);
	buf_fini(&why);
	return (r);
}

/* queue_spool_commit - make a received message durable (see above) */

int
queue_spool_commit(struct queue_spool *spool, struct queue_msg *msg,
    const struct queue_env *env, struct buf *err)
{
	char	name[NAME_MAX_LEN];
	char	tmp[NAME_MAX_LEN];
	struct queue_env rec;
	struct stat st;
	struct buf file;
	int	r;

	spool_mid_name(name, sizeof(name), msg->mid, "");
	spool_mid_name(tmp, sizeof(tmp), msg->mid, ".env");
	buf_init(&file, 1024);

	/*
	 * The envelope came from another process: refuse what would not
	 * encode, before anything touches the disk.
	 */
	if (queue_env_check(env, err) < 0) {
		buf_fini(&file);
		spool_discard(spool, DIR_INCOMING, name);
		spool_msg_done(spool, msg);
		return (QUEUE_BAD);
	}

	/* 1-3: the content, durable under its final name. */
	if (queue_file_fsync(msg->fd, "incoming", name, err) == -1)
		goto fail;
	if (fstat(msg->fd, &st) == -1) {
		buf_printf(err, "fstat incoming/%s: %s", name, strerror(errno));
		goto fail;
	}
	if (queue_file_rename(spool->dirfd[DIR_INCOMING], "incoming", name,
	    spool->dirfd[DIR_DATA], "data", name, err) == -1
	    || queue_file_syncdir(spool->sync[DIR_DATA], "data", err) == -1)
		goto fail;

	/*
	 * 4-6: the envelope, with the spool's MID and the size on disk (not
	 * what the writer claims), written aside and renamed into active/:
	 * that rename is the commit point.
	 */
	rec = *env;
	rec.mid = msg->mid;
	rec.size = (uint64_t) st.st_size;
	queue_env_encode(&rec, &file);
	if (spool_verify(&file, err) < 0)
		goto fail;
	if (queue_file_replace(spool->pool, spool->dirfd[DIR_INCOMING],
	    "incoming", tmp, spool->sync[DIR_ACTIVE], "active", name,
	    file.data, file.len, err) == -1)
		goto fail;
	buf_fini(&file);
	spool_msg_done(spool, msg);
	return (QUEUE_OK);

fail:

	/*
	 * Undo everything, the envelope first: a MID is fresh, so any
	 * active/MID is ours, made by a rename whose directory fsync
	 * failed. It must go: the client is told 4xx and sends again.
	 */
	r = errno;
	spool_discard(spool, DIR_ACTIVE, name);
	(void) fsync(spool->dirfd[DIR_ACTIVE]);
	spool_discard(spool, DIR_INCOMING, tmp);
	spool_discard(spool, DIR_DATA, name);
	spool_discard(spool, DIR_INCOMING, name);
	buf_fini(&file);
	spool_msg_done(spool, msg);
	errno = r;
	return (QUEUE_TEMP);
}

/* queue_spool_abort - discard a message that will not be committed */

void
queue_spool_abort(struct queue_spool *spool, struct queue_msg *msg)
{
	char	name[NAME_MAX_LEN];

	spool_mid_name(name, sizeof(name), msg->mid, "");
	spool_discard(spool, DIR_INCOMING, name);
	spool_msg_done(spool, msg);
}

/* spool_corrupt_name - a free name in corrupt/ for DIR/NAME */

static int
spool_corrupt_name(struct queue_spool *spool, int d, const char *name,
    struct buf *out)
{
	struct stat st;
	int	n;

	for (n = 0; n < CORRUPT_TRIES; n++) {
		buf_reset(out);
		buf_printf(out, "%s.%s", spool_dir_name[d], name);
		if (n > 0)
			buf_printf(out, ".%d", n);
		if (fstatat(spool->dirfd[DIR_CORRUPT], buf_cstr(out), &st,
		    AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT)
			return (0);
	}
	return (-1);
}

/* spool_corrupt_one - move DIR/NAME to corrupt/, with a warning */

static int
spool_corrupt_one(struct queue_spool *spool, int d, const char *name,
    const char *reason)
{
	char	safe[NAME_MAX_LEN];
	char	safe_target[NAME_MAX_LEN + 16];
	struct buf target;
	struct buf err;

	buf_init(&target, 0);
	buf_init(&err, 0);
	if (spool_corrupt_name(spool, d, name, &target) < 0)
		buf_printf(&err, "no free name in corrupt/");
	else if (queue_file_rename(spool->dirfd[d], spool_dir_name[d], name,
	    spool->dirfd[DIR_CORRUPT], "corrupt", buf_cstr(&target),
	    &err) == 0) {
		msg_warn("queue: spool %s: %s/%s: %s; moved to corrupt/%s",
		    spool->path, spool_dir_name[d], spool_printable(name, safe,
		    sizeof(safe)), reason, spool_printable(buf_cstr(&target),
		    safe_target, sizeof(safe_target)));
		buf_fini(&target);
		buf_fini(&err);
		return (0);
	}
	msg_warn("queue: spool %s: %s/%s: %s; cannot move it to corrupt/: "
	    "%s", spool->path, spool_dir_name[d], spool_printable(name, safe,
	    sizeof(safe)), reason, buf_cstr(&err));
	buf_fini(&target);
	buf_fini(&err);
	return (-1);
}

/*
 * spool_corrupt - move a bad envelope to corrupt/, and its content
 * with it when with_data is set (the operator wants both). Returns the
 * number of files moved, or -1.
 */

static int
spool_corrupt(struct queue_spool *spool, int d, const char *name,
    int with_data, const char *reason)
{
	struct stat st;
	int	moved = 1;

	/*
	 * Content first: should we die between the two moves, the next
	 * scan still finds the bad envelope and moves it. The other order
	 * would leave content without an envelope, which the scan deletes.
	 */
	if (with_data && fstatat(spool->dirfd[DIR_DATA], name, &st,
	    AT_SYMLINK_NOFOLLOW) == 0) {
		if (spool_corrupt_one(spool, DIR_DATA, name,
		    "content of a corrupt envelope") < 0)
			return (-1);
		moved++;
	}
	if (spool_corrupt_one(spool, d, name, reason) < 0)
		return (-1);
	if (queue_file_syncdir(spool->sync[DIR_CORRUPT], "corrupt",
	    NULL) == -1)
		msg_warn("queue: spool %s: fsync corrupt/: %m", spool->path);
	return (moved);
}

/*
 * spool_check_env - read and validate one envelope: QUEUE_OK,
 * QUEUE_TEMP (the system failed us; err says why) or QUEUE_BAD (the
 * file is bad; why says how).
 */

static int
spool_check_env(struct queue_spool *spool, uint64_t mid,
    enum queue_state state, struct queue_env *env, struct buf *why,
    struct buf *err)
{
	char	name[NAME_MAX_LEN];
	struct buf file;
	struct buf sub;
	struct stat st;
	int	d = STATE_DIR(state);
	int	r;

	spool_mid_name(name, sizeof(name), mid, "");
	queue_env_init(env);
	buf_init(&file, 0);
	buf_init(&sub, 0);
	r = queue_file_read(spool->dirfd[d], spool_dir_name[d], name,
	    ENV_FILE_MAX, &file, &sub);
	if (r == -1) {
		buf_append(err, sub.data, sub.len);
		r = QUEUE_TEMP;
		goto out;
	}
	if (r == QUEUE_FILE_BAD) {
		buf_append(why, sub.data, sub.len);
		r = QUEUE_BAD;
		goto out;
	}
	queue_env_fini(env);
	if (queue_env_decode(env, file.data, file.len, why) < 0) {
		r = QUEUE_BAD;
		goto out;
	}
	if (env->mid != mid) {
		buf_printf(why, "holds MID %llu",
		    (unsigned long long) env->mid);
		r = QUEUE_BAD;
		goto out;
	}
	if (fstatat(spool->dirfd[DIR_DATA], name, &st,
	    AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT) {
			buf_printf(why, "content file data/%s is missing",
			    name);
			r = QUEUE_BAD;
		} else {
			buf_printf(err, "stat data/%s: %s", name,
			    strerror(errno));
			r = QUEUE_TEMP;
		}
		goto out;
	}
	buf_reset(&sub);
	if (queue_file_check(&st, &sub) != 0) {
		buf_printf(why, "content file data/%s: %s", name,
		    buf_cstr(&sub));
		r = QUEUE_BAD;
		goto out;
	}
	if ((uint64_t) st.st_size < env->size) {
		buf_printf(why, "content file data/%s truncated: %llu of "
		    "%llu bytes", name, (unsigned long long) st.st_size,
		    (unsigned long long) env->size);
		r = QUEUE_BAD;
		goto out;
	}
	if ((uint64_t) st.st_size > env->size)
		msg_warn("queue: spool %s: data/%s has %llu bytes, %llu "
		    "committed; the rest is ignored", spool->path, name,
		    (unsigned long long) st.st_size,
		    (unsigned long long) env->size);
	r = QUEUE_OK;
out:
	buf_fini(&file);
	buf_fini(&sub);
	return (r);
}

/* found_cmp - order scan results by MID, then state */

static int
found_cmp(const void *a, const void *b)
{
	const struct found *fa = a;
	const struct found *fb = b;

	if (fa->mid != fb->mid)
		return (fa->mid < fb->mid ? -1 : 1);
	return ((int) fa->state - (int) fb->state);
}

/* mid_cmp - order MIDs */

static int
mid_cmp(const void *a, const void *b)
{
	const uint64_t *ma = a;
	const uint64_t *mb = b;

	return (*ma < *mb ? -1 : *ma > *mb);
}

/* spool_scan_incoming - remove what uncommitted messages left */

static int
spool_scan_incoming(struct queue_spool *spool, struct queue_scan_stats *st)
{
	struct names names;
	struct buf err;
	char	safe[NAME_MAX_LEN];
	size_t	i;
	int	r = QUEUE_OK;

	buf_init(&err, 0);
	if (spool_list(spool, DIR_INCOMING, &names, &err) != QUEUE_OK) {
		msg_warn("queue: spool %s: %s", spool->path, buf_cstr(&err));
		buf_fini(&err);
		return (QUEUE_TEMP);
	}
	for (i = 0; i < names.n && r == QUEUE_OK; i++) {
		buf_reset(&err);
		if (queue_file_unlink(spool->dirfd[DIR_INCOMING], "incoming",
		    names.v[i], &err) == 0) {
			if (msg_verbose)
				msg_info("queue: spool %s: removed "
				    "incoming/%s, never committed",
				    spool->path, spool_printable(names.v[i],
				    safe, sizeof(safe)));
			st->removed++;
		} else if (errno == EISDIR || errno == EPERM) {
			if (spool_corrupt(spool, DIR_INCOMING, names.v[i], 0,
			    "not a regular file") < 0)
				r = QUEUE_TEMP;
			else
				st->corrupt++;
		} else {
			msg_warn("queue: spool %s: %s", spool->path,
			    buf_cstr(&err));
			r = QUEUE_TEMP;
		}
	}
	if (names.n > 0 && r == QUEUE_OK
	    && queue_file_syncdir(spool->sync[DIR_INCOMING], "incoming",
	    &err) == -1) {
		msg_warn("queue: spool %s: %s", spool->path, buf_cstr(&err));
		r = QUEUE_TEMP;
	}
	names_free(&names);
	buf_fini(&err);
	return (r);
}

/* spool_scan_collect - list the envelopes of every state */

static int
spool_scan_collect(struct queue_spool *spool, struct found **fp,
    size_t *countp, struct queue_scan_stats *st)
{
	struct names names;
	struct found *found = NULL;
	size_t	count = 0;
	size_t	size = 0;
	struct buf err;
	uint64_t mid;
	size_t	i;
	int	s;

	buf_init(&err, 0);
	for (s = 0; s < QUEUE_STATE_COUNT; s++) {
		if (spool_list(spool, STATE_DIR(s), &names, &err) != QUEUE_OK)
			goto fail;
		for (i = 0; i < names.n; i++) {
			if (queue_file_parse_num(names.v[i], &mid, NULL) < 0) {
				if (spool_corrupt(spool, STATE_DIR(s),
				    names.v[i], 0, "not a MID") < 0) {
					names_free(&names);
					goto fail;
				}
				st->corrupt++;
				continue;
			}
			if (count == size) {
				size = size ? 2 * size : 256;
				found = mem_realloc(found, size,
				    sizeof(*found));
			}
			found[count].mid = mid;
			found[count].state = (enum queue_state) s;
			count++;
		}
		names_free(&names);
	}
	buf_fini(&err);
	if (count > 0)
		qsort(found, count, sizeof(*found), found_cmp);
	*fp = found;
	*countp = count;
	return (QUEUE_OK);

fail:
	if (err.len > 0)
		msg_warn("queue: spool %s: %s", spool->path, buf_cstr(&err));
	buf_fini(&err);
	mem_free(found);
	return (QUEUE_TEMP);
}

/* spool_scan_orphans - remove content that no envelope names */

static int
spool_scan_orphans(struct queue_spool *spool, const uint64_t *valid,
    size_t nvalid, struct queue_scan_stats *st)
{
	struct names names;
	struct buf err;
	uint64_t mid;
	size_t	removed = 0;
	size_t	i;
	int	r = QUEUE_OK;

	buf_init(&err, 0);
	if (spool_list(spool, DIR_DATA, &names, &err) != QUEUE_OK) {
		msg_warn("queue: spool %s: %s", spool->path, buf_cstr(&err));
		buf_fini(&err);
		return (QUEUE_TEMP);
	}
	for (i = 0; i < names.n && r == QUEUE_OK; i++) {
		if (queue_file_parse_num(names.v[i], &mid, NULL) < 0) {
			if (spool_corrupt(spool, DIR_DATA, names.v[i], 0,
			    "not a MID") < 0)
				r = QUEUE_TEMP;
			else
				st->corrupt++;
			continue;
		}
		if (nvalid > 0 && bsearch(&mid, valid, nvalid, sizeof(*valid),
		    mid_cmp) != NULL)
			continue;

		/*
		 * No envelope: a commit that did not reach its commit point,
		 * or a deletion past its own. Never acknowledged or done.
		 */
		buf_reset(&err);
		if (queue_file_unlink(spool->dirfd[DIR_DATA], "data",
		    names.v[i], &err) == -1) {
			msg_warn("queue: spool %s: %s", spool->path,
			    buf_cstr(&err));
			r = QUEUE_TEMP;
			continue;
		}
		if (msg_verbose)
			msg_info("queue: spool %s: removed data/%s, content "
			    "without an envelope", spool->path, names.v[i]);
		removed++;
	}
	st->removed += removed;
	if (removed > 0 && r == QUEUE_OK
	    && queue_file_syncdir(spool->sync[DIR_DATA], "data",
	    &err) == -1) {
		msg_warn("queue: spool %s: %s", spool->path, buf_cstr(&err));
		r = QUEUE_TEMP;
	}
	names_free(&names);
	buf_fini(&err);
	return (r);
}

/* queue_spool_scan - recover at start and report committed messages */

int
queue_spool_scan(struct queue_spool *spool, queue_spool_scan_fn fn,
    void *ctx, struct queue_scan_stats *stats)
{
	struct queue_scan_stats dummy;
	struct queue_scan_stats *st = stats ? stats : &dummy;
	struct queue_env env;
	struct found *found = NULL;
	uint64_t *valid;
	size_t	nvalid = 0;
	size_t	count = 0;
	struct buf why;
	struct buf err;
	char	name[NAME_MAX_LEN];
	size_t	i;
	int	moved;
	int	last;
	int	r;

	if (atomic_load(&spool->nopen) > 0)
		msg_panic("queue_spool_scan: %zu messages are open",
		    atomic_load(&spool->nopen));
	memset(st, 0, sizeof(*st));
	if ((r = spool_scan_incoming(spool, st)) != QUEUE_OK)
		return (r);
	spool->scanned = 1;
	if ((r = spool_scan_collect(spool, &found, &count, st)) != QUEUE_OK)
		return (r);

	valid = mem_alloc(count ? count * sizeof(*valid) : 1);
	buf_init(&why, 0);
	buf_init(&err, 0);
	for (i = 0; i < count; i++) {
		spool_mid_name(name, sizeof(name), found[i].mid, "");
		buf_reset(&why);
		buf_reset(&err);

		/*
		 * The same MID in two states: a state change interrupted by
		 * a power loss. Keep the first; the second is a copy.
		 */
		if (nvalid > 0 && valid[nvalid - 1] == found[i].mid) {
			buf_printf(&why, "duplicate of MID %s in an earlier "
			    "state", name);
			if (spool_corrupt(spool, STATE_DIR(found[i].state),
			    name, 0, buf_cstr(&why)) < 0) {
				r = QUEUE_TEMP;
				break;
			}
			st->corrupt++;
			continue;
		}
		r = spool_check_env(spool, found[i].mid, found[i].state, &env,
		    &why, &err);
		if (r == QUEUE_TEMP) {
			msg_warn("queue: spool %s: %s", spool->path,
			    buf_cstr(&err));
			queue_env_fini(&env);
			break;
		}
		if (r == QUEUE_BAD) {
			queue_env_fini(&env);

			/* The content stays for a copy in a later state. */
			last = i + 1 == count
			    || found[i + 1].mid != found[i].mid;
			if ((moved = spool_corrupt(spool,
			    STATE_DIR(found[i].state), name, last,
			    buf_cstr(&why))) < 0) {
				r = QUEUE_TEMP;
				break;
			}
			st->corrupt += (size_t) moved;
			r = QUEUE_OK;
			continue;
		}
		valid[nvalid++] = found[i].mid;
		st->found++;
		r = fn ? fn(&env, found[i].state, ctx) : 0;
		queue_env_fini(&env);
		if (r != 0)
			break;
	}
	buf_fini(&why);
	buf_fini(&err);
	mem_free(found);

	/* Orphans are known only after a complete pass. */
	if (r == QUEUE_OK && i == count)
		r = spool_scan_orphans(spool, valid, nvalid, st);
	mem_free(valid);
	return (r);
}

/* queue_spool_load - read one committed envelope */

int
queue_spool_load(struct queue_spool *spool, uint64_t mid,
    enum queue_state state, struct queue_env *env, struct buf *err)
{
	char	name[NAME_MAX_LEN];
	struct buf why;
	int	r;

	spool_state_check("queue_spool_load", state);
	buf_init(&why, 0);
	r = spool_check_env(spool, mid, state, env, &why, err);
	if (r == QUEUE_BAD) {
		spool_mid_name(name, sizeof(name), mid, "");
		buf_printf(err, "%s/%s: %s", queue_state_str(state), name,
		    buf_cstr(&why));
		if (spool_corrupt(spool, STATE_DIR(state), name, 1,
		    buf_cstr(&why)) < 0)
			r = QUEUE_TEMP;
	}
	buf_fini(&why);
	return (r);
}

/* queue_spool_update - durably replace an envelope, maybe change state */

int
queue_spool_update(struct queue_spool *spool, const struct queue_env *env,
    enum queue_state from, enum queue_state to, struct buf *err)
{
	char	name[NAME_MAX_LEN];
	char	tmp[NAME_MAX_LEN];
	struct buf file;
	struct stat st;
	int	fd = STATE_DIR(from);
	int	td = STATE_DIR(to);
	int	r;

	spool_state_check("queue_spool_update", from);
	spool_state_check("queue_spool_update", to);
	spool_mid_name(name, sizeof(name), env->mid, "");
	spool_mid_name(tmp, sizeof(tmp), env->mid, ".upd");
	if (queue_env_check(env, err) < 0)
		return (QUEUE_BAD);

	/* Never create an envelope by updating one that is not there. */
	if (fstatat(spool->dirfd[fd], name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		buf_printf(err, "update %s/%s: %s", spool_dir_name[fd], name,
		    strerror(errno));
		return (QUEUE_TEMP);
	}
	buf_init(&file, 1024);
	queue_env_encode(env, &file);
	if (spool_verify(&file, err) < 0) {
		buf_fini(&file);
		return (QUEUE_BAD);
	}
	r = queue_file_replace(spool->pool, spool->dirfd[DIR_INCOMING],
	    "incoming", tmp, spool->sync[fd], spool_dir_name[fd], name,
	    file.data, file.len, err);
	buf_fini(&file);
	if (r == -1)
		return (QUEUE_TEMP);
	if (from == to)
		return (QUEUE_OK);
	if (queue_file_rename(spool->dirfd[fd], spool_dir_name[fd], name,
	    spool->dirfd[td], spool_dir_name[td], name, err) == -1
	    || queue_file_syncdir(spool->sync[td], spool_dir_name[td],
	    err) == -1
	    || queue_file_syncdir(spool->sync[fd], spool_dir_name[fd],
	    err) == -1)
		return (QUEUE_TEMP);
	return (QUEUE_OK);
}

/* queue_spool_remove - delete a finished message: envelope, then content */

int
queue_spool_remove(struct queue_spool *spool, uint64_t mid,
    enum queue_state state, struct buf *err)
{
	char	name[NAME_MAX_LEN];
	struct buf late;
	int	d = STATE_DIR(state);

	spool_state_check("queue_spool_remove", state);
	spool_mid_name(name, sizeof(name), mid, "");
	if (queue_pool_put(spool->pool, spool->dirfd[d], spool_dir_name[d],
	    name, err) == -1)
		return (QUEUE_TEMP);

	/*
	 * If the removal is not known to be durable, keep the content: an
	 * envelope that comes back must find it (a duplicate delivery, not
	 * a corrupt file).
	 */
	if (queue_file_syncdir(spool->sync[d], spool_dir_name[d], err) == -1)
		return (QUEUE_TEMP);

	/*
	 * Past the commit point: the scan removes the content if we fail,
	 * or if a crash brings its name back, so its unlink needs no fsync.
	 */
	buf_init(&late, 0);
	if (queue_pool_put(spool->pool, spool->dirfd[DIR_DATA], "data", name,
	    &late) == -1)
		msg_warn("queue: spool %s: MID %s removed, but %s; the next "
		    "start-up scan will finish", spool->path, name,
		    buf_cstr(&late));
	buf_fini(&late);
	return (QUEUE_OK);
}

/* queue_spool_open_content - open a committed message's content */

int
queue_spool_open_content(struct queue_spool *spool, uint64_t mid,
    struct buf *err)
{
	char	name[NAME_MAX_LEN];
	int	fd;

	spool_mid_name(name, sizeof(name), mid, "");
	fd = openat(spool->dirfd[DIR_DATA], name, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		buf_printf(err, "open data/%s: %s", name, strerror(errno));
	return (fd);
}

/* queue_spool_space - is there room for a message of this many bytes? */

int
queue_spool_space(struct queue_spool *spool, uint64_t need,
    uint64_t inodes, struct buf *err)
{
	struct statvfs vfs;
	uint64_t avail;

	if (fstatvfs(spool->rootfd, &vfs) == -1) {
		buf_printf(err, "statvfs %s: %s", spool->path,
		    strerror(errno));
		return (QUEUE_TEMP);
	}
	avail = (uint64_t) vfs.f_bavail * (uint64_t) vfs.f_frsize;
	if (avail < need) {
		buf_printf(err, "spool %s: %llu bytes free, %llu needed",
		    spool->path, (unsigned long long) avail,
		    (unsigned long long) need);
		return (QUEUE_TEMP);
	}

	/* Some file systems (btrfs) report no inode limit at all: 0. */
	if (vfs.f_files != 0 && (uint64_t) vfs.f_favail < inodes) {
		buf_printf(err, "spool %s: %llu inodes free, %llu needed",
		    spool->path, (unsigned long long) vfs.f_favail,
		    (unsigned long long) inodes);
		return (QUEUE_TEMP);
	}
	return (QUEUE_OK);
}
