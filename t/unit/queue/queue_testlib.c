/*
 * NAME
 *	queue_testlib - helpers shared by the queue tests
 * DESCRIPTION
 *	See queue_testlib.h.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "queue_env.h"
#include "queue_spool.h"
#include "queue_testlib.h"

static struct buf *captured;

/* qt_tmpdir - a fresh, private directory */

char *
qt_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	struct buf path;

	buf_init(&path, 0);
	buf_printf(&path, "%s/mtad-queue-XXXXXX",
	    base && *base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(path.data), "mkdtemp: %s", strerror(errno));
	return (buf_steal(&path));
}

/* qt_rm_one - nftw callback that removes one entry */

static int
qt_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) ftw;
	if (flag == FTW_DP)
		(void) rmdir(path);
	else
		(void) unlink(path);
	return (0);
}

/* qt_rmtree - remove a test directory and all below it */

void
qt_rmtree(const char *path)
{
	(void) nftw(path, qt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* qt_path - dir/name, for the caller to mem_free() */

char *
qt_path(const char *dir, const char *name)
{
	struct buf path;

	buf_init(&path, 0);
	buf_printf(&path, "%s/%s", dir, name);
	return (buf_steal(&path));
}

/* qt_env_sample - a plausible envelope with nrcpt recipients */

void
qt_env_sample(struct queue_env *env, size_t nrcpt)
{
	struct queue_rcpt *rp;
	size_t	i;

	queue_env_init(env);
	env->icid = 42;
	env->arrival = 1700000000;
	env->flags = QUEUE_ENV_TLS;
	env->body = QUEUE_BODY_8BITMIME;
	buf_puts(&env->sender, "alice@example.org");
	buf_puts(&env->listener, "IncomingMail");
	buf_puts(&env->client_addr, "192.0.2.1");
	buf_puts(&env->client_host, "mx.example.org");
	buf_puts(&env->helo, "mx.example.org");
	buf_puts(&env->tls_protocol, "TLSv1.3");
	buf_puts(&env->tls_cipher, "TLS_AES_256_GCM_SHA384");
	env->tls_bits = 256;
	for (i = 0; i < nrcpt; i++) {
		char	addr[64];

		(void) snprintf(addr, sizeof(addr), "rcpt%zu@example.net", i);
		rp = queue_env_add_rcpt(env, addr, strlen(addr));
		rp->notify = QUEUE_NOTIFY_FAILURE;
	}
}

/* qt_open - open and scan a spool, or fail the test */

struct queue_spool *
qt_open(const char *dir)
{
	struct queue_spool *spool;
	struct buf err;

	buf_init(&err, 0);
	spool = queue_spool_open(dir, &err);
	cr_assert_not_null(spool, "queue_spool_open %s: %s", dir,
	    buf_cstr(&err));
	cr_assert_eq(queue_spool_scan(spool, NULL, NULL, NULL), QUEUE_OK);
	buf_fini(&err);
	return (spool);
}

/* qt_receive - open, write and commit one message, or fail the test */

uint64_t
qt_receive(struct queue_spool *spool, const struct queue_env *env,
    const char *content, size_t len)
{
	struct queue_msg *msg;
	struct buf err;
	uint64_t mid;

	buf_init(&err, 0);
	cr_assert_eq(queue_spool_open_message(spool, &msg, &err), QUEUE_OK,
	    "open_message: %s", buf_cstr(&err));
	cr_assert_eq(write(msg->fd, content, len), (ssize_t) len);
	mid = msg->mid;
	cr_assert_eq(queue_spool_commit(spool, msg, env, &err), QUEUE_OK,
	    "commit: %s", buf_cstr(&err));
	buf_fini(&err);
	return (mid);
}

/* qt_count - entries in dir/sub, without . and .. */

size_t
qt_count(const char *dir, const char *sub)
{
	char   *path = qt_path(dir, sub);
	struct dirent *dp;
	DIR    *dirp;
	size_t	n = 0;

	dirp = opendir(path);
	cr_assert_not_null(dirp, "opendir %s: %s", path, strerror(errno));
	while ((dp = readdir(dirp)) != NULL)
		if (strcmp(dp->d_name, ".") != 0
		    && strcmp(dp->d_name, "..") != 0)
			n++;
	(void) closedir(dirp);
	mem_free(path);
	return (n);
}

/* qt_exists - does dir/sub/MID exist? */

int
qt_exists(const char *dir, const char *sub, uint64_t mid)
{
	struct buf path;
	struct stat st;
	int	r;

	buf_init(&path, 0);
	buf_printf(&path, "%s/%s/%llu", dir, sub, (unsigned long long) mid);
	r = lstat(path.data, &st) == 0;
	buf_fini(&path);
	return (r);
}

/* qt_sink - msg(3) sink that appends each line to the capture */

static void
qt_sink(enum msg_level level, const char *text, void *ctx)
{
	(void) level;
	(void) ctx;
	if (captured != NULL) {
		buf_puts(captured, text);
		buf_putc(captured, '\n');
	}
}

/* qt_capture_start - collect diagnostics from now on */

void
qt_capture_start(void)
{
	if (captured == NULL)
		captured = buf_new(0);
	buf_reset(captured);
	msg_sink_set(qt_sink, NULL);
	msg_stderr_set(0);
}

/* qt_captured - the diagnostics collected so far */

const char *
qt_captured(void)
{
	return (captured ? buf_cstr(captured) : "");
}

/* qt_capture_stop - stop collecting */

void
qt_capture_stop(void)
{
	msg_sink_set(NULL, NULL);
	msg_stderr_set(1);
	captured = buf_free(captured);
}

/* qt_scan_fn - record what a scan reports */

int
qt_scan_fn(const struct queue_env *env, enum queue_state state, void *ctx)
{
	struct qt_scan *sc = ctx;

	cr_assert_lt(sc->n, QT_SCAN_MAX);
	sc->mid[sc->n] = env->mid;
	sc->state[sc->n] = state;
	sc->size[sc->n] = env->size;
	sc->rcpts[sc->n] = env->rcpt_count;
	sc->rcpt0[sc->n] = env->rcpt_count ? env->rcpts[0].state :
	    QUEUE_RCPT_PENDING;
	sc->n++;
	return (0);
}

/* qt_scan_find - index of mid in a scan record, or -1 */

int
qt_scan_find(const struct qt_scan *sc, uint64_t mid)
{
	size_t	i;

	for (i = 0; i < sc->n; i++)
		if (sc->mid[i] == mid)
			return ((int) i);
	return (-1);
}
