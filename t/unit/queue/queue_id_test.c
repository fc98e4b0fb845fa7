/*
 * NAME
 *	queue_id_test - the MID counter: increasing, across restarts, never
 *	reused
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "queue_env.h"
#include "queue_id.h"
#include "queue_spool.h"
#include "queue_testlib.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* open_dir - a directory descriptor for tmp */

static int
open_dir(const char *tmp)
{
	int	fd = open(tmp, O_RDONLY | O_DIRECTORY);

	cr_assert_neq(fd, -1, "%s: %s", tmp, strerror(errno));
	return (fd);
}

/* put_counter - write the counter file with the given bytes and mode */

static void
put_counter(const char *tmp, const char *data, size_t len, mode_t mode)
{
	char   *p = qt_path(tmp, QUEUE_ID_FILE);
	int	fd;

	(void) unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, data, len), (ssize_t) len);
	cr_assert_eq(fchmod(fd, mode), 0);
	(void) close(fd);
	mem_free(p);
}

/* next_mid - one MID, or fail the test */

static uint64_t
next_mid(struct queue_id *qid)
{
	struct buf err;
	uint64_t mid;

	buf_init(&err, 0);
	cr_assert_eq(queue_id_next(qid, &mid, &err), 0, "%s", buf_cstr(&err));
	buf_fini(&err);
	return (mid);
}

Test(queue_id, increases_across_restarts_and_block_edges)
{
	/* MIDs taken before each restart; crosses the block edge. */
	static const size_t cycles[] = {
		0, 1, QUEUE_ID_BLOCK - 1, QUEUE_ID_BLOCK, QUEUE_ID_BLOCK + 1,
		3, 0, 2,
	};
	char   *tmp = qt_tmpdir();
	int	dirfd = open_dir(tmp);
	struct queue_id *qid;
	struct buf err;
	uint64_t last = 0;
	uint64_t mid;
	size_t	c;
	size_t	i;

	buf_init(&err, 0);
	for (c = 0; c < NELEM(cycles); c++) {
		qid = queue_id_open(dirfd, 1, &err);
		cr_assert_not_null(qid, "cycle %zu: %s", c, buf_cstr(&err));
		for (i = 0; i < cycles[c]; i++) {
			mid = next_mid(qid);
			cr_assert_gt(mid, last,
			    "cycle %zu, MID %zu: %llu after %llu", c, i,
			    (unsigned long long) mid,
			    (unsigned long long) last);
			if (last != 0 && i > 0)
				cr_assert_eq(mid, last + 1,
				    "cycle %zu: not consecutive", c);
			last = mid;
		}
		queue_id_close(qid);
	}
	cr_assert_eq(last > 0, 1);
	buf_fini(&err);
	(void) close(dirfd);
	qt_rmtree(tmp);
	mem_free(tmp);
}

Test(queue_id, a_stale_temporary_file_from_a_crash_is_replaced)
{
	char   *tmp = qt_tmpdir();
	int	dirfd = open_dir(tmp);
	char   *p = qt_path(tmp, QUEUE_ID_FILE ".tmp");
	struct queue_id *qid;
	struct buf err;
	char	got[32];
	ssize_t	n;
	int	fd;

	/* What a crash between create and rename leaves. */
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_neq(fd, -1, "%s: %s", p, strerror(errno));
	cr_assert_eq(write(fd, "99999999\n", 9), 9);
	(void) close(fd);

	buf_init(&err, 0);
	qid = queue_id_open(dirfd, 1, &err);
	cr_assert_not_null(qid, "%s", buf_cstr(&err));
	cr_assert_eq(next_mid(qid), 1);
	queue_id_close(qid);
	cr_assert_eq(access(p, F_OK), -1, "the stale file is still there");
	mem_free(p);
	p = qt_path(tmp, QUEUE_ID_FILE);
	fd = open(p, O_RDONLY);
	cr_assert_neq(fd, -1);
	n = read(fd, got, sizeof(got) - 1);
	(void) close(fd);
	got[n > 0 ? n : 0] = 0;
	cr_expect_str_eq(got, "1001\n", "the new mark, not the stale bytes");
	mem_free(p);
	buf_fini(&err);
	(void) close(dirfd);
	qt_rmtree(tmp);
	mem_free(tmp);
}

Test(queue_id, first_mid_is_one_and_the_mark_is_durable)
{
	char   *tmp = qt_tmpdir();
	int	dirfd = open_dir(tmp);
	struct queue_id *qid;
	struct buf err;
	char	got[32];
	char   *p;
	ssize_t	n;
	int	fd;

	buf_init(&err, 0);
	qid = queue_id_open(dirfd, 1, &err);
	cr_assert_eq(next_mid(qid), 1);
	cr_assert_eq(next_mid(qid), 2);
	queue_id_close(qid);
	p = qt_path(tmp, QUEUE_ID_FILE);
	fd = open(p, O_RDONLY);
	cr_assert_neq(fd, -1);
	n = read(fd, got, sizeof(got) - 1);
	(void) close(fd);
	got[n > 0 ? n : 0] = 0;
	cr_assert_str_eq(got, "1001\n");
	mem_free(p);
	p = qt_path(tmp, QUEUE_ID_FILE ".tmp");
	cr_assert_eq(access(p, F_OK), -1, "temporary file left behind");
	mem_free(p);
	buf_fini(&err);
	(void) close(dirfd);
	qt_rmtree(tmp);
	mem_free(tmp);
}

struct floor_case {
	const char *label;
	const char *counter;		/* NULL: no file */
	mode_t	mode;
	uint64_t floor;
	uint64_t want;
	const char *warning;		/* NULL: none */
};

Test(queue_id, resumes_above_counter_and_spool_and_survives_damage)
{
	static const struct floor_case cases[] = {
		{"no counter, empty spool", NULL, 0600, 1, 1, NULL},
		{"no counter, spool up to 76", NULL, 0600, 77, 77, NULL},
		{"counter above spool", "1001\n", 0600, 5, 1001, NULL},
		{"spool above counter", "1001\n", 0600, 5000, 5000, NULL},
		{"empty counter", "", 0600, 40, 40, "not a number"},
		{"letters", "abc\n", 0600, 40, 40, "not a number"},
		{"no newline", "12", 0600, 40, 40, "not a number"},
		{"sign", "-5\n", 0600, 40, 40, "not a number"},
		{"leading zero", "0012\n", 0600, 40, 40, "not a number"},
		{"overflow", "99999999999999999999999\n", 0600, 40, 40,
		    "not a number"},
		{"two lines", "12\n13\n", 0600, 40, 40, "not a number"},
		{"world-readable", "1001\n", 0644, 40, 40, "mode 0644"},
	};
	struct queue_id *qid;
	struct buf err;
	size_t	i;

	buf_init(&err, 0);
	for (i = 0; i < NELEM(cases); i++) {
		char   *tmp = qt_tmpdir();
		int	dirfd = open_dir(tmp);

		if (cases[i].counter != NULL)
			put_counter(tmp, cases[i].counter,
			    strlen(cases[i].counter), cases[i].mode);
		qt_capture_start();
		qid = queue_id_open(dirfd, cases[i].floor, &err);
		cr_assert_not_null(qid, "%s: %s", cases[i].label,
		    buf_cstr(&err));
		if (cases[i].warning != NULL)
			cr_assert_not_null(strstr(qt_captured(),
			    cases[i].warning), "%s: warning \"%s\"",
			    cases[i].label, qt_captured());
		else
			cr_assert_str_empty(qt_captured(), "%s: warned: %s",
			    cases[i].label, qt_captured());
		qt_capture_stop();
		cr_assert_eq(next_mid(qid), cases[i].want, "%s",
		    cases[i].label);
		queue_id_close(qid);

		/* The damage is repaired: a restart resumes above. */
		qid = queue_id_open(dirfd, 1, &err);
		cr_assert_gt(next_mid(qid), cases[i].want, "%s: after repair",
		    cases[i].label);
		queue_id_close(qid);
		(void) close(dirfd);
		qt_rmtree(tmp);
		mem_free(tmp);
	}
	buf_fini(&err);
}

Test(queue_id, spool_never_reuses_a_mid_after_messages_are_gone)
{
	char   *tmp = qt_tmpdir();
	char   *spooldir = qt_path(tmp, "spool");
	struct queue_spool *spool;
	struct queue_env env;
	struct queue_msg *msg;
	struct buf err;
	uint64_t first;
	int	round;

	buf_init(&err, 0);
	qt_env_sample(&env, 1);
	spool = qt_open(spooldir);
	first = qt_receive(spool, &env, "x\r\n", 3);
	cr_assert_eq(queue_spool_remove(spool, first, QUEUE_STATE_ACTIVE,
	    &err), QUEUE_OK);
	queue_spool_close(spool);

	/* An empty spool, reopened again and again: MIDs only grow. */
	for (round = 0; round < 3; round++) {
		spool = qt_open(spooldir);
		cr_assert_eq(queue_spool_open_message(spool, &msg, &err),
		    QUEUE_OK);
		cr_assert_gt(msg->mid, first, "round %d: MID %llu reused",
		    round, (unsigned long long) msg->mid);
		first = msg->mid;
		queue_spool_abort(spool, msg);
		queue_spool_close(spool);
	}
	queue_env_fini(&env);
	buf_fini(&err);
	qt_rmtree(tmp);
	mem_free(spooldir);
	mem_free(tmp);
}
