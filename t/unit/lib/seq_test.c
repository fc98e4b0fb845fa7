/*
 * NAME
 *	seq_test - unit tests for lib/seq
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "seq.h"

#define SEQ_PROCS	4
#define SEQ_EACH	20000

Test(seq, starts_at_one_and_persists)
{
	struct buf *err = buf_new(0);
	char	path[256];
	struct seq *sp;

	(void) snprintf(path, sizeof(path), "/tmp/seq_test.%ld",
	    (long) getpid());
	(void) unlink(path);
	sp = seq_open(path, err);
	cr_assert_not_null(sp, "%s", err->data);
	cr_expect_eq(seq_next(sp, SEQ_ICID), 1);
	cr_expect_eq(seq_next(sp, SEQ_ICID), 2);
	cr_expect_eq(seq_next(sp, SEQ_DCID), 1, "slots are independent");
	sp = seq_close(sp);
	sp = seq_open(path, err);
	cr_assert_not_null(sp, "%s", err->data);
	cr_expect_eq(seq_next(sp, SEQ_ICID), 3, "continues after reopen");
	seq_close(sp);
	(void) unlink(path);
	buf_free(err);
}

Test(seq, unique_across_processes)
{
	struct buf *err = buf_new(0);
	char	path[256];
	int	fds[SEQ_PROCS][2];
	unsigned char *seen;
	struct seq *sp;
	int	i;

	(void) snprintf(path, sizeof(path), "/tmp/seq_test_mp.%ld",
	    (long) getpid());
	(void) unlink(path);
	sp = seq_open(path, err);
	cr_assert_not_null(sp, "%s", err->data);
	for (i = 0; i < SEQ_PROCS; i++) {
		cr_assert_eq(pipe(fds[i]), 0);
		if (fork() == 0) {
			unsigned long long v;
			int	n;

			for (n = 0; n < SEQ_EACH; n++) {
				v = seq_next(sp, SEQ_ICID);
				if (write(fds[i][1], &v, sizeof(v)) != sizeof(v))
					_exit(2);
			}
			_exit(0);
		}
		(void) close(fds[i][1]);
	}
	seen = mem_zalloc(SEQ_PROCS * SEQ_EACH + 1, 1);
	for (i = 0; i < SEQ_PROCS; i++) {
		unsigned long long v;

		while (read(fds[i][0], &v, sizeof(v)) == sizeof(v)) {
			cr_assert(v >= 1 && v <= SEQ_PROCS * SEQ_EACH,
			    "value %llu out of range", v);
			cr_assert(!seen[v], "value %llu given twice", v);
			seen[v] = 1;
		}
		(void) close(fds[i][0]);
	}
	for (i = 0; i < SEQ_PROCS; i++) {
		int	status;

		(void) wait(&status);
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	mem_free(seen);
	seq_close(sp);
	(void) unlink(path);
	buf_free(err);
}
