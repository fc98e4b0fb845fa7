/*
 * NAME
 *	queue_spool_test - the spool: layout, commit, scan, corrupt files,
 *	disk full
 * DESCRIPTION
 *	Each test works in its own temporary spool. Disk-full is shown two
 *	ways: the fault seam fails each step of a commit in turn with
 *	ENOSPC, and, where the test may mount (root, a private mount
 *	namespace), a real 64 KiB tmpfs fills up.
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
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

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char content[] = "Subject: test\r\n\r\nbody line\r\n";

/* read_file - the whole of dir/sub/name, for the caller to buf_free() */

static struct buf *
read_file(const char *dir, const char *sub, const char *name)
{
	struct buf *bp = buf_new(0);
	char	chunk[4096];
	struct buf path;
	ssize_t	n;
	int	fd;

	buf_init(&path, 0);
	buf_printf(&path, "%s/%s/%s", dir, sub, name);
	fd = open(path.data, O_RDONLY);
	cr_assert_neq(fd, -1, "open %s: %s", path.data, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(bp, chunk, (size_t) n);
	(void) close(fd);
	buf_fini(&path);
	return (bp);
}

/* write_file - replace dir/sub/name with data, mode 0600 */

static void
write_file(const char *dir, const char *sub, const char *name,
    const void *data, size_t len)
{
	struct buf path;
	int	fd;

	buf_init(&path, 0);
	buf_printf(&path, "%s/%s/%s", dir, sub, name);
	fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_neq(fd, -1, "open %s: %s", path.data, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t) len);
	(void) close(fd);
	buf_fini(&path);
}

/* new_spool - a temporary directory and the spool path inside it */

static char *
new_spool(char **tmpp)
{
	*tmpp = qt_tmpdir();
	return (qt_path(*tmpp, "spool"));
}

/* done_spool - remove the temporary directory */

static void
done_spool(char *tmp, char *spooldir)
{
	qt_rmtree(tmp);
	mem_free(spooldir);
	mem_free(tmp);
}

/* mid_name - a MID as a file name */

static const char *
mid_name(uint64_t mid)
{
	static char name[4][32];
	static int next;

	next = (next + 1) % 4;
	(void) snprintf(name[next], sizeof(name[next]), "%llu",
	    (unsigned long long) mid);
	return (name[next]);
}

/* receive_sample - commit one sample message with the given content */

static uint64_t
receive_sample(struct queue_spool *spool, const char *text)
{
	struct queue_env env;
	uint64_t mid;

	qt_env_sample(&env, 2);
	mid = qt_receive(spool, &env, text, strlen(text));
	queue_env_fini(&env);
	return (mid);
}

/* assert_content - data/MID holds exactly text */

static void
assert_content(struct queue_spool *spool, uint64_t mid, const char *text,
    const char *label)
{
	struct buf err;
	char	got[4096];
	ssize_t	n;
	int	fd;

	buf_init(&err, 0);
	fd = queue_spool_open_content(spool, mid, &err);
	cr_assert_neq(fd, -1, "%s: %s", label, buf_cstr(&err));
	n = read(fd, got, sizeof(got));
	(void) close(fd);
	cr_assert_eq(n, (ssize_t) strlen(text), "%s: MID %llu has %zd bytes",
	    label, (unsigned long long) mid, n);
	cr_assert(memcmp(got, text, (size_t) n) == 0, "%s: content differs",
	    label);
	buf_fini(&err);
}

/* rescan - close, reopen, scan into sc; returns the reopened spool */

static struct queue_spool *
rescan(struct queue_spool *spool, const char *spooldir, struct qt_scan *sc,
    struct queue_scan_stats *stats)
{
	struct buf err;

	if (spool != NULL)
		queue_spool_close(spool);
	buf_init(&err, 0);
	spool = queue_spool_open(spooldir, &err);
	cr_assert_not_null(spool, "reopen: %s", buf_cstr(&err));
	memset(sc, 0, sizeof(*sc));
	cr_assert_eq(queue_spool_scan(spool, qt_scan_fn, sc, stats), QUEUE_OK);
	buf_fini(&err);
	return (spool);
}

Test(queue_spool, creates_layout_with_private_modes)
{
	static const char *const dirs[] = {
		"", "incoming", "data", "active", "deferred", "corrupt",
	};
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool;
	struct stat st;
	struct buf path;
	uint64_t mid;
	size_t	i;

	spool = qt_open(spooldir);
	for (i = 0; i < NELEM(dirs); i++) {
		char   *p = qt_path(spooldir, dirs[i]);

		cr_assert_eq(stat(p, &st), 0, "%s: %s", p, strerror(errno));
		cr_assert(S_ISDIR(st.st_mode), "%s: not a directory", p);
		cr_assert_eq(st.st_mode & 07777, 0700, "%s: mode %o", p,
		    (unsigned) (st.st_mode & 07777));
		mem_free(p);
	}
	mid = receive_sample(spool, content);
	buf_init(&path, 0);
	for (i = 0; i < 3; i++) {
		static const char *const files[] = {"data", "active", "."};

		buf_reset(&path);
		buf_printf(&path, "%s/%s/%s", spooldir, files[i],
		    i < 2 ? mid_name(mid) : "mid");
		cr_assert_eq(stat(path.data, &st), 0, "%s", path.data);
		cr_assert_eq(st.st_mode & 07777, 0600, "%s: mode %o",
		    path.data, (unsigned) (st.st_mode & 07777));
	}
	buf_fini(&path);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

/* Damage to a fresh spool's permissions, and what open must say. */
struct perm_case {
	const char *label;
	const char *sub;		/* "" for the spool itself */
	int	how;			/* PERM_* */
	const char *want;
	int	needs_root;
};

#define PERM_MODE_755	1
#define PERM_MODE_750	2
#define PERM_CHOWN	3
#define PERM_SYMLINK	4
#define PERM_FILE	5

/* perm_damage - apply one case to dir/sub */

static void
perm_damage(const char *spooldir, const struct perm_case *pc)
{
	char   *p = qt_path(spooldir, pc->sub);
	char   *other;

	switch (pc->how) {
	case PERM_MODE_755:
		cr_assert_eq(chmod(p, 0755), 0);
		break;
	case PERM_MODE_750:
		cr_assert_eq(chmod(p, 0750), 0);
		break;
	case PERM_CHOWN:
		cr_assert_eq(chown(p, 12345, (gid_t) -1), 0, "chown: %s",
		    strerror(errno));
		break;
	case PERM_SYMLINK:
		other = qt_path(spooldir, "elsewhere");
		cr_assert_eq(rename(p, other), 0);
		cr_assert_eq(symlink("elsewhere", p), 0);
		mem_free(other);
		break;
	case PERM_FILE:
		cr_assert_eq(rmdir(p), 0);
		write_file(spooldir, ".", pc->sub, "x", 1);
		break;
	}
	mem_free(p);
}

Test(queue_spool, refuses_wrong_permissions_with_a_clear_error)
{
	static const struct perm_case cases[] = {
		{"spool mode 0755", "", PERM_MODE_755,
		    "/spool: mode 0755, must be 0700", 0},
		{"data/ mode 0750", "data", PERM_MODE_750,
		    "/spool/data: mode 0750, must be 0700", 0},
		{"spool owned by another user", "", PERM_CHOWN,
		    "/spool: owned by uid 12345, must be owned by uid", 1},
		{"active/ owned by another user", "active", PERM_CHOWN,
		    "/spool/active: owned by uid 12345", 1},
		{"deferred/ a symbolic link", "deferred", PERM_SYMLINK,
		    "/spool/deferred: a symbolic link", 0},
		{"corrupt/ a plain file", "corrupt", PERM_FILE,
		    "/spool/corrupt: Not a directory", 0},
	};
	struct queue_spool *spool;
	struct buf err;
	size_t	i;

	for (i = 0; i < NELEM(cases); i++) {
		char   *tmp;
		char   *spooldir = new_spool(&tmp);

		if (cases[i].needs_root && geteuid() != 0) {
			done_spool(tmp, spooldir);
			continue;
		}
		spool = qt_open(spooldir);
		queue_spool_close(spool);
		perm_damage(spooldir, &cases[i]);
		buf_init(&err, 0);
		spool = queue_spool_open(spooldir, &err);
		cr_assert_null(spool, "%s: opened", cases[i].label);
		cr_assert_not_null(strstr(buf_cstr(&err), cases[i].want),
		    "%s: error \"%s\", want \"%s\"", cases[i].label,
		    buf_cstr(&err), cases[i].want);
		buf_fini(&err);
		done_spool(tmp, spooldir);
	}
}

Test(queue_spool, second_queue_manager_is_refused)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_spool *second;
	struct buf err;

	buf_init(&err, 0);
	second = queue_spool_open(spooldir, &err);
	cr_assert_null(second);
	cr_assert_not_null(strstr(buf_cstr(&err),
	    "in use by another queue manager"), "%s", buf_cstr(&err));
	queue_spool_close(spool);
	buf_reset(&err);
	second = queue_spool_open(spooldir, &err);
	cr_assert_not_null(second, "after close: %s", buf_cstr(&err));
	queue_spool_close(second);
	buf_fini(&err);
	done_spool(tmp, spooldir);
}

Test(queue_spool, committed_messages_are_found_byte_exact_after_restart)
{
	static const char *const texts[] = {
		"Subject: one\r\n\r\nfirst\r\n",
		"",
		"Subject: three\r\n\r\n.\r\n..\r\nbinary \0 here\r\n",
	};
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_scan_stats stats;
	struct queue_env env;
	struct qt_scan sc;
	struct buf err;
	uint64_t mid[3];
	size_t	i;
	int	k;

	for (i = 0; i < NELEM(texts); i++)
		mid[i] = receive_sample(spool, texts[i]);
	cr_assert(mid[0] < mid[1] && mid[1] < mid[2], "MIDs increase");
	spool = rescan(spool, spooldir, &sc, &stats);
	cr_assert_eq(sc.n, 3);
	cr_assert_eq(stats.found, 3);
	cr_assert_eq(stats.corrupt, 0);
	cr_assert_eq(stats.removed, 0);
	for (i = 0; i < NELEM(texts); i++) {
		k = qt_scan_find(&sc, mid[i]);
		cr_assert_geq(k, 0, "MID %llu not found",
		    (unsigned long long) mid[i]);
		cr_assert_eq(sc.state[k], QUEUE_STATE_ACTIVE);
		cr_assert_eq(sc.size[k], strlen(texts[i]));
		cr_assert_eq(sc.rcpts[k], 2);
		assert_content(spool, mid[i], texts[i], "after restart");
	}
	buf_init(&err, 0);
	cr_assert_eq(queue_spool_load(spool, mid[2], QUEUE_STATE_ACTIVE, &env,
	    &err), QUEUE_OK, "%s", buf_cstr(&err));
	cr_assert_str_eq(buf_cstr(&env.sender), "alice@example.org");
	cr_assert_str_eq(buf_cstr(&env.rcpts[1].addr), "rcpt1@example.net");
	cr_assert_eq(env.icid, 42);
	queue_env_fini(&env);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, commit_records_its_own_mid_and_the_size_on_disk)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;
	struct buf err;
	uint64_t mid;

	qt_env_sample(&env, 1);
	env.mid = 999999;
	env.size = 1;
	mid = qt_receive(spool, &env, content, strlen(content));
	queue_env_fini(&env);
	buf_init(&err, 0);
	cr_assert_eq(queue_spool_load(spool, mid, QUEUE_STATE_ACTIVE, &env,
	    &err), QUEUE_OK, "%s", buf_cstr(&err));
	cr_assert_eq(env.mid, mid);
	cr_assert_eq(env.size, strlen(content));
	queue_env_fini(&env);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, abort_leaves_nothing)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_msg *msg;
	struct qt_scan sc;
	struct buf err;

	buf_init(&err, 0);
	cr_assert_eq(queue_spool_open_message(spool, &msg, &err), QUEUE_OK);
	cr_assert_eq(write(msg->fd, content, 10), 10);
	cr_assert_eq(qt_count(spooldir, "incoming"), 1);
	queue_spool_abort(spool, msg);
	cr_assert_eq(qt_count(spooldir, "incoming"), 0);
	cr_assert_eq(qt_count(spooldir, "data"), 0);
	spool = rescan(spool, spooldir, &sc, NULL);
	cr_assert_eq(sc.n, 0);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, update_rewrites_envelope_and_moves_state)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;
	struct qt_scan sc;
	struct buf err;
	uint64_t mid;
	int	k;

	mid = receive_sample(spool, content);
	buf_init(&err, 0);
	cr_assert_eq(queue_spool_load(spool, mid, QUEUE_STATE_ACTIVE, &env,
	    &err), QUEUE_OK);
	env.rcpts[0].state = QUEUE_RCPT_DEFERRED;
	env.rcpts[0].attempts = 1;
	env.rcpts[0].last_attempt = 1700000100;
	buf_puts(&env.rcpts[0].reply, "451 4.7.1 try\r\nR later\n");
	env.rcpts[1].state = QUEUE_RCPT_DELIVERED;
	env.next_attempt = 1700003700;
	cr_assert_eq(queue_spool_update(spool, &env, QUEUE_STATE_ACTIVE,
	    QUEUE_STATE_DEFERRED, &err), QUEUE_OK, "%s", buf_cstr(&err));
	queue_env_fini(&env);
	cr_assert(!qt_exists(spooldir, "active", mid));
	cr_assert(qt_exists(spooldir, "deferred", mid));
	cr_assert_eq(qt_count(spooldir, "incoming"), 0);

	spool = rescan(spool, spooldir, &sc, NULL);
	k = qt_scan_find(&sc, mid);
	cr_assert_geq(k, 0);
	cr_assert_eq(sc.state[k], QUEUE_STATE_DEFERRED);
	cr_assert_eq(sc.rcpt0[k], QUEUE_RCPT_DEFERRED);
	cr_assert_eq(sc.rcpts[k], 2, "the reply text made records");
	cr_assert_eq(queue_spool_load(spool, mid, QUEUE_STATE_DEFERRED, &env,
	    &err), QUEUE_OK);
	cr_assert_str_eq(buf_cstr(&env.rcpts[0].reply),
	    "451 4.7.1 try\r\nR later\n");
	cr_assert_eq(env.next_attempt, 1700003700);

	/* Same state: a rewrite in place. */
	env.rcpts[0].attempts = 2;
	cr_assert_eq(queue_spool_update(spool, &env, QUEUE_STATE_DEFERRED,
	    QUEUE_STATE_DEFERRED, &err), QUEUE_OK, "%s", buf_cstr(&err));
	queue_env_fini(&env);
	cr_assert_eq(queue_spool_load(spool, mid, QUEUE_STATE_DEFERRED, &env,
	    &err), QUEUE_OK);
	cr_assert_eq(env.rcpts[0].attempts, 2);

	/* An update never creates a message that is not there. */
	buf_reset(&err);
	cr_assert_eq(queue_spool_update(spool, &env, QUEUE_STATE_ACTIVE,
	    QUEUE_STATE_DEFERRED, &err), QUEUE_TEMP);
	cr_assert_not_null(strstr(buf_cstr(&err), "No such file"), "%s",
	    buf_cstr(&err));
	queue_env_fini(&env);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, remove_deletes_envelope_then_content)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct qt_scan sc;
	struct buf err;
	uint64_t keep;
	uint64_t gone;

	keep = receive_sample(spool, "keep\r\n");
	gone = receive_sample(spool, content);
	buf_init(&err, 0);
	cr_assert_eq(queue_spool_remove(spool, gone, QUEUE_STATE_ACTIVE, &err),
	    QUEUE_OK, "%s", buf_cstr(&err));
	cr_assert(!qt_exists(spooldir, "active", gone));
	cr_assert(!qt_exists(spooldir, "data", gone));
	cr_assert(qt_exists(spooldir, "data", keep));
	cr_assert_eq(queue_spool_remove(spool, gone, QUEUE_STATE_ACTIVE, &err),
	    QUEUE_TEMP);
	spool = rescan(spool, spooldir, &sc, NULL);
	cr_assert_eq(sc.n, 1);
	cr_assert_eq(sc.mid[0], keep);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

/*
 * Corrupt files. Each case damages message A of a spool holding A and
 * B; the scan must move A (and, where it makes sense, its content) to
 * corrupt/ with a warning naming the file and the reason, and hand
 * over B untouched.
 */
struct corrupt_case {
	const char *label;
	void	(*damage)(const char *, uint64_t, uint64_t);
	const char *why;
	int	data_moved;		/* content went along to corrupt/ */
	const char *where;		/* the file named, "" for active/A */
};

/* env_path - the path of active/MID */

static char *
env_path(const char *spooldir, const char *sub, uint64_t mid)
{
	struct buf path;

	buf_init(&path, 0);
	buf_printf(&path, "%s/%s/%s", spooldir, sub, mid_name(mid));
	return (buf_steal(&path));
}

/* dmg_truncate - cut the envelope of A in half */

static void
dmg_truncate(const char *d, uint64_t a, uint64_t b)
{
	char   *p = env_path(d, "active", a);
	struct stat st;

	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(truncate(p, st.st_size / 2), 0);
	mem_free(p);
}

/* dmg_empty - empty the envelope of A */

static void
dmg_empty(const char *d, uint64_t a, uint64_t b)
{
	char   *p = env_path(d, "active", a);

	cr_assert_eq(truncate(p, 0), 0);
	mem_free(p);
}

/* dmg_flip - flip a bit in the middle of the envelope of A */

static void
dmg_flip(const char *d, uint64_t a, uint64_t b)
{
	struct buf *f = read_file(d, "active", mid_name(a));

	f->data[f->len / 2] ^= 0x04;
	write_file(d, "active", mid_name(a), f->data, f->len);
	buf_free(f);
}

/* dmg_version - claim version 9 in the envelope of A */

static void
dmg_version(const char *d, uint64_t a, uint64_t b)
{
	struct buf *f = read_file(d, "active", mid_name(a));

	f->data[11] = 9;
	write_file(d, "active", mid_name(a), f->data, f->len);
	buf_free(f);
}

/* dmg_no_content - remove the content of A */

static void
dmg_no_content(const char *d, uint64_t a, uint64_t b)
{
	char   *p = env_path(d, "data", a);

	cr_assert_eq(unlink(p), 0);
	mem_free(p);
}

/* dmg_short_content - cut the content of A to 3 bytes */

static void
dmg_short_content(const char *d, uint64_t a, uint64_t b)
{
	char   *p = env_path(d, "data", a);

	cr_assert_eq(truncate(p, 3), 0);
	mem_free(p);
}

/* dmg_mode - make the envelope of A readable by all */

static void
dmg_mode(const char *d, uint64_t a, uint64_t b)
{
	char   *p = env_path(d, "active", a);

	cr_assert_eq(chmod(p, 0644), 0);
	mem_free(p);
}

/* dmg_symlink - replace the envelope of A by a symlink to B */

static void
dmg_symlink(const char *d, uint64_t a, uint64_t b)
{
	char   *p = env_path(d, "active", a);
	char   *q = env_path(d, "active", b);

	cr_assert_eq(unlink(p), 0);
	cr_assert_eq(symlink(q, p), 0);
	mem_free(p);
	mem_free(q);
}

/* dmg_other_mid - put the envelope of B under the name of A */

static void
dmg_other_mid(const char *d, uint64_t a, uint64_t b)
{
	struct buf *f = read_file(d, "active", mid_name(b));

	write_file(d, "active", mid_name(a), f->data, f->len);
	buf_free(f);
}

/* dmg_bad_name - a file in active/ whose name is not a MID */

static void
dmg_bad_name(const char *d, uint64_t a, uint64_t b)
{
	write_file(d, "active", "0123", "x", 1);
}

Test(queue_spool, corrupt_files_move_to_corrupt_with_a_reason)
{
	static const struct corrupt_case cases[] = {
		{"truncated envelope", dmg_truncate, "missing END record", 1,
		    ""},
		{"empty envelope", dmg_empty, "bad magic", 1, ""},
		{"flipped byte", dmg_flip, "checksum mismatch", 1, ""},
		{"wrong version", dmg_version, "unsupported version 9", 1, ""},
		{"missing content", dmg_no_content, "is missing", 0, ""},
		{"short content", dmg_short_content, "truncated: 3 of", 1, ""},
		{"group-readable envelope", dmg_mode, "mode 0644, want 0600", 1,
		    ""},
		{"envelope is a symlink", dmg_symlink, "a symbolic link", 1,
		    ""},
		{"envelope of another MID", dmg_other_mid, "holds MID", 1, ""},
		{"name not a MID", dmg_bad_name, "not a MID", 0, "0123"},
	};
	struct queue_scan_stats stats;
	struct queue_spool *spool;
	struct qt_scan sc;
	struct buf want;
	uint64_t a;
	uint64_t b;
	size_t	i;

	buf_init(&want, 0);
	for (i = 0; i < NELEM(cases); i++) {
		const struct corrupt_case *cc = cases + i;
		const char *aname;
		char   *tmp;
		char   *spooldir = new_spool(&tmp);

		spool = qt_open(spooldir);
		a = receive_sample(spool, "Subject: A\r\n\r\nA\r\n");
		b = receive_sample(spool, "Subject: B\r\n\r\nB\r\n");
		queue_spool_close(spool);
		cc->damage(spooldir, a, b);
		aname = *cc->where ? cc->where : mid_name(a);

		qt_capture_start();
		spool = rescan(NULL, spooldir, &sc, &stats);
		buf_reset(&want);
		buf_printf(&want, "active/%s: ", aname);
		cr_assert_not_null(strstr(qt_captured(), want.data),
		    "%s: no warning naming %s in \"%s\"", cc->label, want.data,
		    qt_captured());
		cr_assert_not_null(strstr(qt_captured(), cc->why),
		    "%s: warning \"%s\" lacks \"%s\"", cc->label,
		    qt_captured(), cc->why);
		buf_reset(&want);
		buf_printf(&want, "moved to corrupt/active.%s", aname);
		cr_assert_not_null(strstr(qt_captured(), want.data),
		    "%s: \"%s\" lacks \"%s\"", cc->label, qt_captured(),
		    want.data);
		qt_capture_stop();

		buf_reset(&want);
		buf_printf(&want, "active.%s", aname);
		{
			char   *cdir = qt_path(spooldir, "corrupt");
			char   *cp = qt_path(cdir, want.data);
			struct stat st;

			cr_assert_eq(access(cdir, F_OK), 0);

			cr_assert_eq(lstat(cp, &st), 0, "%s: %s missing",
			    cc->label, cp);
			mem_free(cp);
			buf_reset(&want);
			buf_printf(&want, "data.%s", mid_name(a));
			cp = qt_path(cdir, want.data);
			cr_assert_eq(lstat(cp, &st) == 0, cc->data_moved,
			    "%s: content %s in corrupt/", cc->label,
			    cc->data_moved ? "not" : "wrongly");
			mem_free(cp);
			mem_free(cdir);
		}
		if (cc->data_moved)
			cr_assert(!qt_exists(spooldir, "data", a),
			    "%s: content left in data/", cc->label);

		/* B is untouched. A counts only if it was not damaged. */
		cr_assert_geq(qt_scan_find(&sc, b), 0, "%s: B lost", cc->label);
		assert_content(spool, b, "Subject: B\r\n\r\nB\r\n", cc->label);
		cr_assert_eq(stats.corrupt, 1 + cc->data_moved,
		    "%s: corrupt %zu", cc->label, stats.corrupt);
		cr_assert_eq(qt_scan_find(&sc, a) >= 0, *cc->where != 0,
		    "%s: A reported", cc->label);

		/* A second scan finds nothing more to do. */
		spool = rescan(spool, spooldir, &sc, &stats);
		cr_assert_eq(stats.corrupt, 0, "%s: second scan", cc->label);
		queue_spool_close(spool);
		done_spool(tmp, spooldir);
	}
	buf_fini(&want);
}

Test(queue_spool, load_moves_a_bad_envelope_to_corrupt)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;
	struct buf err;
	uint64_t a;

	a = receive_sample(spool, content);
	dmg_flip(spooldir, a, 0);
	buf_init(&err, 0);
	qt_capture_start();
	cr_assert_eq(queue_spool_load(spool, a, QUEUE_STATE_ACTIVE, &env,
	    &err), QUEUE_BAD);
	qt_capture_stop();
	queue_env_fini(&env);
	cr_assert_not_null(strstr(buf_cstr(&err), "checksum mismatch"), "%s",
	    buf_cstr(&err));
	cr_assert(!qt_exists(spooldir, "active", a));
	cr_assert_eq(qt_count(spooldir, "corrupt"), 2);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, scan_removes_leftovers_of_uncommitted_messages)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_scan_stats stats;
	struct qt_scan sc;
	uint64_t a;

	a = receive_sample(spool, content);
	queue_spool_close(spool);
	write_file(spooldir, "incoming", "900", "partial", 7);
	write_file(spooldir, "incoming", "901.env", "MTADENV\n", 8);
	write_file(spooldir, "incoming", "902.upd", "", 0);
	write_file(spooldir, "data", "903", "orphan", 6);
	spool = rescan(NULL, spooldir, &sc, &stats);
	cr_assert_eq(stats.removed, 4);
	cr_assert_eq(stats.corrupt, 0);
	cr_assert_eq(sc.n, 1);
	cr_assert_eq(sc.mid[0], a);
	cr_assert_eq(qt_count(spooldir, "incoming"), 0);
	cr_assert_eq(qt_count(spooldir, "data"), 1);
	cr_assert(qt_exists(spooldir, "data", a));

	/* The floor: new MIDs start above every name seen (903). */
	cr_assert_gt(receive_sample(spool, content), 903);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

/* stop_fn - a scan callback that stops at the first message */

static int
stop_fn(const struct queue_env *env, enum queue_state state, void *ctx)
{
	(void) env;
	(void) state;
	(*(int *) ctx)++;
	return (7);
}

Test(queue_spool, scan_stops_when_the_caller_says_so)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct buf err;
	int	calls = 0;

	(void) receive_sample(spool, content);
	(void) receive_sample(spool, content);
	queue_spool_close(spool);
	write_file(spooldir, "data", "903", "orphan", 6);
	buf_init(&err, 0);
	spool = queue_spool_open(spooldir, &err);
	cr_assert_eq(queue_spool_scan(spool, stop_fn, &calls, NULL), 7);
	cr_assert_eq(calls, 1);

	/* Orphans are judged only after a complete pass. */
	cr_assert_eq(qt_count(spooldir, "data"), 3);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

/* Fault hooks: record steps, or fail the n-th one with an errno. */
struct fault_plan {
	int	n;			/* steps seen */
	int	fail_at;		/* -1: never */
	int	error;
	const char *fail_match;		/* fail the step containing this */
	struct buf log;			/* steps, one per line */
};

/* fault_hook - log each step; fail the chosen one with an errno */

static int
fault_hook(const char *step, void *ctx)
{
	struct fault_plan *fp = ctx;
	int	k = fp->n++;

	buf_puts(&fp->log, step);
	buf_putc(&fp->log, '\n');
	if (k == fp->fail_at)
		return (fp->error);
	if (fp->fail_match != NULL && strstr(step, fp->fail_match) != NULL)
		return (fp->error);
	return (0);
}

Test(queue_spool, commit_makes_its_steps_in_the_durable_order)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct fault_plan plan = {0, -1, 0, NULL, {0}};
	struct queue_env env;
	struct queue_msg *msg;
	struct buf err;
	struct buf want;
	const char *m;

	buf_init(&plan.log, 0);
	buf_init(&err, 0);
	cr_assert_eq(queue_spool_open_message(spool, &msg, &err), QUEUE_OK);
	cr_assert_eq(write(msg->fd, content, 5), 5);
	m = mid_name(msg->mid);
	qt_env_sample(&env, 1);
	queue_fault_set(fault_hook, &plan);
	cr_assert_eq(queue_spool_commit(spool, msg, &env, &err), QUEUE_OK);
	queue_fault_set(NULL, NULL);

	buf_init(&want, 0);
	buf_printf(&want,
	    "fsync incoming/%s\n"
	    "rename incoming/%s data/%s\n"
	    "fsync data/\n"
	    "create incoming/%s.env\n"
	    "write incoming/%s.env\n"
	    "fsync incoming/%s.env\n"
	    "rename incoming/%s.env active/%s\n"
	    "fsync active/\n", m, m, m, m, m, m, m, m);
	cr_assert_str_eq(buf_cstr(&plan.log), buf_cstr(&want));
	queue_env_fini(&env);
	buf_fini(&want);
	buf_fini(&plan.log);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, enospc_at_each_commit_step_fails_cleanly)
{
	static const int errors[] = {ENOSPC, EIO, EDQUOT};
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;
	struct queue_msg *msg;
	struct qt_scan sc;
	struct buf err;
	uint64_t earlier;
	int	step;
	size_t	e;

	earlier = receive_sample(spool, "earlier\r\n");
	qt_env_sample(&env, 3);
	buf_init(&err, 0);
	qt_capture_start();
	for (e = 0; e < NELEM(errors); e++) {
		for (step = 0; step < 8; step++) {
			struct fault_plan plan = {0, step, errors[e], NULL,
			    {0}};

			buf_init(&plan.log, 0);
			buf_reset(&err);
			cr_assert_eq(queue_spool_open_message(spool, &msg,
			    &err), QUEUE_OK);
			cr_assert_eq(write(msg->fd, content, strlen(content)),
			    (ssize_t) strlen(content));
			queue_fault_set(fault_hook, &plan);
			cr_assert_eq(queue_spool_commit(spool, msg, &env,
			    &err), QUEUE_TEMP, "step %d: committed", step);
			queue_fault_set(NULL, NULL);
			cr_assert_not_null(strstr(buf_cstr(&err),
			    strerror(errors[e])), "step %d: error \"%s\"",
			    step, buf_cstr(&err));
			cr_assert_eq(qt_count(spooldir, "incoming"), 0,
			    "step %d (%s): incoming/ not clean", step,
			    buf_cstr(&err));
			cr_assert_eq(qt_count(spooldir, "data"), 1,
			    "step %d (%s): data/ not clean", step,
			    buf_cstr(&err));
			cr_assert_eq(qt_count(spooldir, "active"), 1,
			    "step %d (%s): active/ not clean", step,
			    buf_cstr(&err));
			buf_fini(&plan.log);
		}
	}
	qt_capture_stop();

	/* Space is back: the same spool accepts mail without a restart. */
	(void) qt_receive(spool, &env, content, strlen(content));
	spool = rescan(spool, spooldir, &sc, NULL);
	cr_assert_eq(sc.n, 2);
	assert_content(spool, earlier, "earlier\r\n", "earlier message");
	queue_env_fini(&env);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, failed_counter_write_consumes_no_mid)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct fault_plan plan = {0, -1, ENOSPC, "write ./mid.tmp", {0}};
	struct queue_msg *msg;
	struct buf err;

	buf_init(&plan.log, 0);
	buf_init(&err, 0);
	queue_fault_set(fault_hook, &plan);
	cr_assert_eq(queue_spool_open_message(spool, &msg, &err), QUEUE_TEMP);
	queue_fault_set(NULL, NULL);
	cr_assert_not_null(strstr(buf_cstr(&err), "No space left"), "%s",
	    buf_cstr(&err));
	cr_assert_eq(qt_count(spooldir, "incoming"), 0);
	cr_assert_eq(queue_spool_open_message(spool, &msg, &err), QUEUE_OK);
	cr_assert_eq(msg->mid, 1);
	queue_spool_abort(spool, msg);
	buf_fini(&plan.log);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, open_message_skips_a_mid_already_in_the_spool)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_msg *msg;
	struct buf err;

	/* Put data/1 behind the spool's back, as a restored backup would. */
	write_file(spooldir, "data", "1", "x", 1);
	buf_init(&err, 0);
	qt_capture_start();
	cr_assert_eq(queue_spool_open_message(spool, &msg, &err), QUEUE_OK);
	cr_assert_not_null(strstr(qt_captured(), "data/1 exists"), "%s",
	    qt_captured());
	qt_capture_stop();
	cr_assert_eq(msg->mid, 2);
	queue_spool_abort(spool, msg);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

#ifdef __linux__

/* fill - write to path until the file system is full */

static void
fill(const char *path)
{
	char	block[4096];
	int	fd;

	memset(block, 'f', sizeof(block));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_neq(fd, -1);
	while (write(fd, block, sizeof(block)) > 0)
		;
	cr_assert_eq(errno, ENOSPC, "filling: %s", strerror(errno));
	(void) close(fd);
}

Test(queue_spool, real_full_tmpfs_fails_commit_and_recovers)
{
	char   *tmp = qt_tmpdir();
	char   *spooldir = qt_path(tmp, "spool");
	char   *filler = qt_path(tmp, "filler");
	struct queue_spool *spool;
	struct queue_env env;
	struct queue_msg *msg;
	struct qt_scan sc;
	struct buf err;
	uint64_t earlier;
	uint64_t later;

	/*
	 * A private mount namespace: the tmpfs vanishes with this test's
	 * process whatever happens. Without the privilege, the fault seam
	 * tests above stand in.
	 */
	if (unshare(CLONE_NEWNS) == -1
	    || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1
	    || mount("tmpfs", tmp, "tmpfs", 0, "size=64k,mode=0700") == -1) {
		qt_rmtree(tmp);
		cr_skip_test("cannot mount a tmpfs here: %s", strerror(errno));
	}
	spool = qt_open(spooldir);
	qt_env_sample(&env, 2);
	earlier = qt_receive(spool, &env, content, strlen(content));

	buf_init(&err, 0);
	cr_assert_eq(queue_spool_open_message(spool, &msg, &err), QUEUE_OK);
	cr_assert_eq(write(msg->fd, content, strlen(content)),
	    (ssize_t) strlen(content));
	cr_assert_eq(queue_spool_space(spool, 4096, 10, &err), QUEUE_OK,
	    "%s", buf_cstr(&err));
	fill(filler);
	cr_assert_eq(queue_spool_space(spool, 4096, 10, &err), QUEUE_TEMP);
	cr_assert_not_null(strstr(buf_cstr(&err), "bytes free, 4096 needed"),
	    "%s", buf_cstr(&err));
	buf_reset(&err);
	qt_capture_start();
	cr_assert_eq(queue_spool_commit(spool, msg, &env, &err), QUEUE_TEMP);
	qt_capture_stop();
	cr_assert_not_null(strstr(buf_cstr(&err), "No space left on device"),
	    "%s", buf_cstr(&err));
	cr_assert_eq(qt_count(spooldir, "incoming"), 0);
	cr_assert_eq(qt_count(spooldir, "data"), 1);
	cr_assert_eq(qt_count(spooldir, "active"), 1);
	cr_assert_eq(strcmp(QUEUE_SPOOL_TEMP_REPLY,
	    "452 4.3.1 Insufficient system storage"), 0);

	/* Space comes back: mail flows again, without a restart. */
	cr_assert_eq(unlink(filler), 0);
	later = qt_receive(spool, &env, content, strlen(content));
	spool = rescan(spool, spooldir, &sc, NULL);
	cr_assert_eq(sc.n, 2);
	cr_assert_geq(qt_scan_find(&sc, earlier), 0);
	cr_assert_geq(qt_scan_find(&sc, later), 0);
	assert_content(spool, earlier, content, "earlier");
	queue_spool_close(spool);
	queue_env_fini(&env);
	buf_fini(&err);
	(void) umount2(tmp, MNT_DETACH);
	qt_rmtree(tmp);
	mem_free(filler);
	mem_free(spooldir);
	mem_free(tmp);
}

#endif

Test(queue_spool, invalid_envelope_is_refused_and_nothing_queued)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_env env;
	struct queue_env none;
	struct queue_msg *msg;
	struct buf err;
	uint64_t a;

	a = receive_sample(spool, content);
	buf_init(&err, 0);
	queue_env_init(&none);
	cr_assert_eq(queue_spool_open_message(spool, &msg, &err), QUEUE_OK);
	cr_assert_eq(write(msg->fd, content, 5), 5);
	qt_capture_start();
	cr_assert_eq(queue_spool_commit(spool, msg, &none, &err), QUEUE_BAD);
	qt_capture_stop();
	cr_assert_not_null(strstr(buf_cstr(&err), "0 recipients"), "%s",
	    buf_cstr(&err));
	cr_assert_eq(qt_count(spooldir, "incoming"), 0);
	cr_assert_eq(qt_count(spooldir, "data"), 1);
	cr_assert_eq(qt_count(spooldir, "active"), 1);

	/* An update with a bad envelope changes nothing either. */
	cr_assert_eq(queue_spool_load(spool, a, QUEUE_STATE_ACTIVE, &env,
	    &err), QUEUE_OK);
	env.rcpts[0].state = (enum queue_rcpt_state) 77;
	buf_reset(&err);
	cr_assert_eq(queue_spool_update(spool, &env, QUEUE_STATE_ACTIVE,
	    QUEUE_STATE_DEFERRED, &err), QUEUE_BAD);
	queue_env_fini(&env);
	cr_assert(qt_exists(spooldir, "active", a));
	cr_assert_eq(queue_spool_load(spool, a, QUEUE_STATE_ACTIVE, &env,
	    &err), QUEUE_OK);
	cr_assert_eq(env.rcpts[0].state, QUEUE_RCPT_PENDING);
	queue_env_fini(&env);
	queue_env_fini(&none);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, space_check_reports_the_numbers)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct buf err;

	buf_init(&err, 0);
	cr_assert_eq(queue_spool_space(spool, 0, 0, &err), QUEUE_OK);
	cr_assert_eq(queue_spool_space(spool, UINT64_MAX / 2, 0, &err),
	    QUEUE_TEMP);
	cr_assert_not_null(strstr(buf_cstr(&err), "bytes free"), "%s",
	    buf_cstr(&err));
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, spool_itself_may_be_a_symlink)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	char   *real = qt_path(tmp, "real");
	struct queue_spool *spool;
	struct qt_scan sc;
	uint64_t mid;

	cr_assert_eq(mkdir(real, 0700), 0);
	cr_assert_eq(symlink("real", spooldir), 0);
	spool = qt_open(spooldir);
	mid = receive_sample(spool, content);
	spool = rescan(spool, spooldir, &sc, NULL);
	cr_assert_eq(sc.n, 1);
	cr_assert_eq(sc.mid[0], mid);
	cr_assert(qt_exists(real, "data", mid));
	queue_spool_close(spool);
	mem_free(real);
	done_spool(tmp, spooldir);
}

Test(queue_spool, same_mid_in_two_states_is_delivered_once)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_scan_stats stats;
	struct qt_scan sc;
	struct buf *f;
	uint64_t a;
	int	k;

	/* What a power loss in the middle of a state change could leave. */
	a = receive_sample(spool, content);
	queue_spool_close(spool);
	f = read_file(spooldir, "active", mid_name(a));
	write_file(spooldir, "deferred", mid_name(a), f->data, f->len);
	buf_free(f);
	qt_capture_start();
	spool = rescan(NULL, spooldir, &sc, &stats);
	cr_assert_not_null(strstr(qt_captured(), "duplicate of MID"), "%s",
	    qt_captured());
	qt_capture_stop();
	cr_assert_eq(sc.n, 1);
	k = qt_scan_find(&sc, a);
	cr_assert_geq(k, 0);
	cr_assert_eq(sc.state[k], QUEUE_STATE_ACTIVE);
	cr_assert_eq(stats.corrupt, 1);
	assert_content(spool, a, content, "duplicate");
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, content_grown_after_commit_keeps_the_committed_size)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_scan_stats stats;
	struct qt_scan sc;
	struct buf *f;
	uint64_t a;

	a = receive_sample(spool, content);
	queue_spool_close(spool);
	f = read_file(spooldir, "data", mid_name(a));
	buf_puts(f, "appended by a writer that kept its descriptor\r\n");
	write_file(spooldir, "data", mid_name(a), f->data, f->len);
	buf_free(f);
	qt_capture_start();
	spool = rescan(NULL, spooldir, &sc, &stats);
	cr_assert_not_null(strstr(qt_captured(), "the rest is ignored"), "%s",
	    qt_captured());
	qt_capture_stop();
	cr_assert_eq(sc.n, 1);
	cr_assert_eq(sc.size[0], strlen(content));
	cr_assert_eq(stats.corrupt, 0);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, scan_survives_a_spool_full_of_garbage)
{
	static const char *const subs[] = {
		"active", "deferred", "data", "incoming",
	};
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_scan_stats stats;
	struct qt_scan sc;
	uint64_t good[3];
	unsigned seed = 4242;
	char	name[32];
	char	junk[300];
	size_t	i;
	size_t	j;
	size_t	len;

	for (i = 0; i < 3; i++)
		good[i] = receive_sample(spool, content);
	queue_spool_close(spool);

	/*
	 * Random bytes under random names, some of them MIDs, some of them
	 * valid-looking envelope starts; the good messages' names are left
	 * alone.
	 */
	for (i = 0; i < 300; i++) {
		const char *sub = subs[rand_r(&seed) % 4];

		if (rand_r(&seed) % 2)
			(void) snprintf(name, sizeof(name), "%u",
			    100 + (unsigned) rand_r(&seed) % 100000);
		else
			(void) snprintf(name, sizeof(name), "x%u.%c",
			    (unsigned) rand_r(&seed), 'a' + rand_r(&seed) % 26);
		len = (size_t) rand_r(&seed) % sizeof(junk);
		for (j = 0; j < len; j++)
			junk[j] = (char) rand_r(&seed);
		if (len > 12 && rand_r(&seed) % 2)
			memcpy(junk, "MTADENV\n\0\0\0\1", 12);
		write_file(spooldir, sub, name, junk, len);
	}
	qt_capture_start();
	spool = rescan(NULL, spooldir, &sc, &stats);
	qt_capture_stop();
	cr_assert_eq(sc.n, 3, "%zu messages", sc.n);
	for (i = 0; i < 3; i++) {
		cr_assert_geq(qt_scan_find(&sc, good[i]), 0);
		assert_content(spool, good[i], content, "good message");
	}
	cr_assert_gt(stats.corrupt, 0);
	cr_assert_eq(qt_count(spooldir, "incoming"), 0);
	cr_assert_eq(qt_count(spooldir, "data"), 3);
	cr_assert_eq(qt_count(spooldir, "active"), 3);
	cr_assert_eq(qt_count(spooldir, "deferred"), 0);

	/* All of it was dealt with at once. */
	spool = rescan(spool, spooldir, &sc, &stats);
	cr_assert_eq(stats.corrupt + stats.removed, 0);
	cr_assert_eq(sc.n, 3);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, corrupt_copy_in_one_state_leaves_the_good_one_whole)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct queue_scan_stats stats;
	struct qt_scan sc;
	struct buf *f;
	uint64_t a;
	int	k;

	/* active/A damaged, deferred/A a good copy of it. */
	a = receive_sample(spool, content);
	queue_spool_close(spool);
	f = read_file(spooldir, "active", mid_name(a));
	write_file(spooldir, "deferred", mid_name(a), f->data, f->len);
	buf_free(f);
	dmg_flip(spooldir, a, 0);
	qt_capture_start();
	spool = rescan(NULL, spooldir, &sc, &stats);
	qt_capture_stop();
	k = qt_scan_find(&sc, a);
	cr_assert_geq(k, 0, "the good copy was not reported");
	cr_assert_eq(sc.state[k], QUEUE_STATE_DEFERRED);
	cr_assert_eq(stats.corrupt, 1);
	assert_content(spool, a, content, "good copy");
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

Test(queue_spool, read_error_stops_the_scan_and_judges_nothing)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct queue_spool *spool = qt_open(spooldir);
	struct fault_plan plan = {0, -1, EIO, NULL, {0}};
	struct queue_scan_stats stats;
	struct qt_scan sc;
	struct buf step;
	struct buf err;
	uint64_t a;
	uint64_t b;

	a = receive_sample(spool, content);
	b = receive_sample(spool, content);
	queue_spool_close(spool);
	write_file(spooldir, "data", "903", "orphan", 6);

	/* EIO reading B: the scan stops, moves nothing, deletes nothing. */
	buf_init(&step, 0);
	buf_printf(&step, "read active/%s", mid_name(b));
	plan.fail_match = step.data;
	buf_init(&plan.log, 0);
	buf_init(&err, 0);
	spool = queue_spool_open(spooldir, &err);
	cr_assert_not_null(spool);
	memset(&sc, 0, sizeof(sc));
	queue_fault_set(fault_hook, &plan);
	qt_capture_start();
	cr_assert_eq(queue_spool_scan(spool, qt_scan_fn, &sc, &stats),
	    QUEUE_TEMP);
	cr_assert_not_null(strstr(qt_captured(), "Input/output error"), "%s",
	    qt_captured());
	qt_capture_stop();
	queue_fault_set(NULL, NULL);
	cr_assert_eq(stats.corrupt, 0);
	cr_assert_eq(qt_count(spooldir, "corrupt"), 0);
	cr_assert(qt_exists(spooldir, "active", b));
	cr_assert_eq(qt_count(spooldir, "data"), 3, "orphans judged early");

	/* The disk recovers: the next scan finds both. */
	spool = rescan(spool, spooldir, &sc, &stats);
	cr_assert_eq(sc.n, 2);
	cr_assert_geq(qt_scan_find(&sc, a), 0);
	cr_assert_geq(qt_scan_find(&sc, b), 0);
	cr_assert_eq(stats.removed, 1);
	buf_fini(&plan.log);
	buf_fini(&step);
	buf_fini(&err);
	queue_spool_close(spool);
	done_spool(tmp, spooldir);
}

#define PAR_THREADS	8
#define PAR_MESSAGES	64

/* What the commit threads share: messages opened by the main thread. */
struct par_work {
	struct queue_spool *spool;
	struct queue_msg *msg[PAR_MESSAGES];
	const struct queue_env *env;
	int	result[PAR_MESSAGES];
};

/* One thread's share. */
struct par_arg {
	struct par_work *w;
	int	t;
};

/* par_commit - commit every PAR_THREADS-th message, from a thread */

static void *
par_commit(void *arg)
{
	struct par_arg *pa = arg;
	struct buf err;
	int	i;

	buf_init(&err, 0);
	for (i = pa->t; i < PAR_MESSAGES; i += PAR_THREADS)
		pa->w->result[i] = queue_spool_commit(pa->w->spool,
		    pa->w->msg[i], pa->w->env, &err);
	buf_fini(&err);
	return (NULL);
}

Test(queue_spool, concurrent_commits_from_worker_threads)
{
	char   *tmp;
	char   *spooldir = new_spool(&tmp);
	struct par_work w;
	struct par_arg args[PAR_THREADS];
	pthread_t th[PAR_THREADS];
	struct queue_env env;
	struct qt_scan sc;
	struct buf err;
	uint64_t mid[PAR_MESSAGES];
	int	i;

	memset(&w, 0, sizeof(w));
	w.spool = qt_open(spooldir);
	qt_env_sample(&env, 2);
	w.env = &env;
	buf_init(&err, 0);
	for (i = 0; i < PAR_MESSAGES; i++) {
		cr_assert_eq(queue_spool_open_message(w.spool, &w.msg[i], &err),
		    QUEUE_OK);
		cr_assert_eq(write(w.msg[i]->fd, content, strlen(content)),
		    (ssize_t) strlen(content));
		mid[i] = w.msg[i]->mid;
	}

	for (i = 0; i < PAR_THREADS; i++) {
		args[i].w = &w;
		args[i].t = i;
		cr_assert_eq(pthread_create(&th[i], NULL, par_commit,
		    &args[i]), 0);
	}
	for (i = 0; i < PAR_THREADS; i++)
		cr_assert_eq(pthread_join(th[i], NULL), 0);
	for (i = 0; i < PAR_MESSAGES; i++)
		cr_assert_eq(w.result[i], QUEUE_OK, "message %d", i);
	cr_assert_eq(qt_count(spooldir, "incoming"), 0);

	w.spool = rescan(w.spool, spooldir, &sc, NULL);
	cr_assert_eq(sc.n, PAR_MESSAGES);
	for (i = 0; i < PAR_MESSAGES; i++) {
		cr_assert_geq(qt_scan_find(&sc, mid[i]), 0, "MID %llu lost",
		    (unsigned long long) mid[i]);
		assert_content(w.spool, mid[i], content, "concurrent");
	}
	queue_env_fini(&env);
	buf_fini(&err);
	queue_spool_close(w.spool);
	done_spool(tmp, spooldir);
}
