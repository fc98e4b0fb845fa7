/*
 * NAME
 *	queue_pool_test - spent files set aside and reused, never anything
 *	else
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

#include "queue_pool.h"
#include "queue_testlib.h"

static char *tmp;
static int workfd = -1;			/* tmp/work: where files live */
static int poolfd = -1;			/* tmp/free: the pool */

/* open_sub - make and open a subdirectory of tmp */

static int
open_sub(const char *name)
{
	char   *p = qt_path(tmp, name);
	int	fd;

	cr_assert_eq(mkdir(p, 0700), 0, "%s: %s", p, strerror(errno));
	fd = open(p, O_RDONLY | O_DIRECTORY);
	cr_assert_neq(fd, -1, "%s: %s", p, strerror(errno));
	mem_free(p);
	return (fd);
}

static void
init(void)
{
	tmp = qt_tmpdir();
	workfd = open_sub("work");
	poolfd = open_sub("free");
}

static void
fini(void)
{
	(void) close(workfd);
	(void) close(poolfd);
	qt_rmtree(tmp);
	mem_free(tmp);
}

TestSuite(queue_pool, .init = init, .fini = fini);

/* make - a file in dirfd of size bytes, mode 0600 */

static void
make(int dirfd, const char *name, size_t size)
{
	char	block[4096];
	int	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);

	cr_assert_neq(fd, -1, "%s: %s", name, strerror(errno));
	memset(block, 'x', sizeof(block));
	while (size > 0) {
		size_t	n = size < sizeof(block) ? size : sizeof(block);

		cr_assert_eq(write(fd, block, n), (ssize_t) n);
		size -= n;
	}
	(void) close(fd);
}

/* exists - does dirfd/name exist */

static int
exists(int dirfd, const char *name)
{
	struct stat st;

	return (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0);
}

Test(queue_pool, a_put_file_comes_back_empty_under_its_new_name)
{
	struct queue_pool *pool = queue_pool_new(poolfd, "free", 4);
	struct buf err;
	struct stat st;
	int	fd;

	buf_init(&err, 0);
	cr_assert_eq(queue_pool_take(pool, workfd, "work", "a"), -1,
	    "an empty pool has nothing to give");
	make(workfd, "spent", 4096);
	cr_assert_eq(queue_pool_put(pool, workfd, "work", "spent", &err), 0,
	    "%s", buf_cstr(&err));
	cr_expect(!exists(workfd, "spent"));
	cr_expect(exists(poolfd, "1"), "pooled as free/1");
	cr_expect_eq(queue_pool_count(pool), 1);

	fd = queue_pool_take(pool, workfd, "work", "fresh");
	cr_assert_neq(fd, -1);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_expect_eq(st.st_size, 0, "truncated");
	cr_expect_eq(write(fd, "new", 3), 3, "open for writing");
	(void) close(fd);
	cr_expect(!exists(poolfd, "1"));
	cr_expect_eq(queue_pool_count(pool), 0);
	buf_fini(&err);
	queue_pool_free(pool);
}

Test(queue_pool, what_must_not_be_reused_is_removed_instead)
{
	static const struct {
		const char *label;
		size_t	size;
		int	link;		/* give it a second name */
		size_t	max;		/* pool capacity */
	}	cases[] = {
		{"larger than 64 KiB", QUEUE_POOL_SIZE_MAX + 1, 0, 4},
		{"a second name", 10, 1, 4},
		{"a full pool", 10, 0, 0},
	};
	struct buf err;
	size_t	i;

	buf_init(&err, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct queue_pool *pool = queue_pool_new(poolfd, "free",
		    cases[i].max);

		make(workfd, "spent", cases[i].size);
		if (cases[i].link)
			cr_assert_eq(linkat(workfd, "spent", workfd, "alias",
			    0), 0);
		cr_assert_eq(queue_pool_put(pool, workfd, "work", "spent",
		    &err), 0, "%s: %s", cases[i].label, buf_cstr(&err));
		cr_expect(!exists(workfd, "spent"), "%s: still there",
		    cases[i].label);
		cr_expect_eq(queue_pool_count(pool), 0, "%s: pooled",
		    cases[i].label);
		if (cases[i].link) {
			cr_expect(exists(workfd, "alias"), "%s: the other "
			    "name is untouched", cases[i].label);
			(void) unlinkat(workfd, "alias", 0);
		}
		queue_pool_free(pool);
	}
	{
		struct queue_pool *pool = queue_pool_new(poolfd, "free", 4);

		cr_expect_eq(queue_pool_put(pool, workfd, "work", "missing",
		    &err), -1, "a missing file fails");
		cr_expect_eq(errno, ENOENT);
		queue_pool_free(pool);
	}
	buf_fini(&err);
}

Test(queue_pool, a_restart_adopts_pool_files_and_removes_the_rest)
{
	struct queue_pool *pool = queue_pool_new(poolfd, "free", 3);
	struct buf err;

	make(poolfd, "7", 100);
	make(poolfd, "2", 100);
	make(poolfd, "junk", 100);		/* not a pool name */
	make(poolfd, "0", 100);			/* not a pool name */
	make(poolfd, "9", QUEUE_POOL_SIZE_MAX + 1);	/* too large */
	make(poolfd, "11", 100);
	make(poolfd, "12", 100);		/* one beyond capacity */
	buf_init(&err, 0);
	cr_assert_eq(queue_pool_load(pool, &err), 0, "%s", buf_cstr(&err));
	cr_expect_eq(queue_pool_count(pool), 3);
	cr_expect(!exists(poolfd, "junk") && !exists(poolfd, "0")
	    && !exists(poolfd, "9"));

	/* A new name is above every name seen: nothing is replaced. */
	make(workfd, "spent", 10);
	(void) close(queue_pool_take(pool, workfd, "work", "x"));
	cr_assert_eq(queue_pool_put(pool, workfd, "work", "spent", &err), 0,
	    "%s", buf_cstr(&err));
	cr_expect(exists(poolfd, "13"), "new pool files are numbered "
	    "after 12");
	buf_fini(&err);
	queue_pool_free(pool);
}
