/*
 * NAME
 *	tsup - life cycle, failures and strings of the test support library
 * DESCRIPTION
 *	See tsupport.h. The registry is a plain array: a test creates a
 *	handful of objects, and each test runs in a process of its own.
 *	tsup_fini() empties it in reverse order of creation, so a client
 *	is closed before the server it talks to is stopped, and the
 *	temporary directory that holds their files goes last.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/event.h>
#include <criterion/abort.h>
#include <criterion/logging.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "tsup_int.h"
#include "tsupport.h"

struct tsup_res {
	void   *obj;
	void	(*release)(void *);
};

static struct tsup_res *tsup_res;
static size_t tsup_nres;
static size_t tsup_sizeres;
static int tsup_atexit_done;
static int tsup_in_fini;
static pid_t tsup_owner;		/* the process that recorded them */
static jmp_buf *tsup_catch_jmp;		/* tsup_catch() is active */
static struct buf *tsup_catch_msg;

/* tsup_init - start a test with nothing recorded */

void
tsup_init(void)
{
	if (tsup_nres > 0)
		tsup_fini();
	if (msg_get_progname() == NULL || *msg_get_progname() == 0)
		msg_progname("tsupport");
}

/* tsup_fini - release everything recorded, newest first */

void
tsup_fini(void)
{
	struct tsup_res r;

	/*
	 * A forked helper (the scripted server) inherits the records; only
	 * the test process itself may kill and remove what they name.
	 */
	if (tsup_in_fini || (tsup_nres > 0 && getpid() != tsup_owner))
		return;
	tsup_in_fini = 1;
	while (tsup_nres > 0) {
		r = tsup_res[--tsup_nres];
		r.release(r.obj);
	}
	tsup_res = mem_free(tsup_res);
	tsup_sizeres = 0;
	tsup_in_fini = 0;
}

/* tsup_atexit - last-resort clean-up at a normal exit */

static void
tsup_atexit(void)
{
	tsup_fini();
}

/* tsup_track - record an object to release at tsup_fini() */

void
tsup_track(void *obj, void (*release)(void *))
{
	if (tsup_nres == 0)
		tsup_owner = getpid();
	if (tsup_nres == tsup_sizeres) {
		tsup_sizeres = tsup_sizeres ? 2 * tsup_sizeres : 16;
		tsup_res = mem_realloc(tsup_res, tsup_sizeres,
		    sizeof(*tsup_res));
	}
	tsup_res[tsup_nres].obj = obj;
	tsup_res[tsup_nres].release = release;
	tsup_nres++;
	if (!tsup_atexit_done) {
		tsup_atexit_done = 1;
		(void) atexit(tsup_atexit);
	}
}

/* tsup_untrack - forget an object that its owner released */

void
tsup_untrack(void *obj)
{
	size_t	i;

	for (i = tsup_nres; i > 0; i--) {
		if (tsup_res[i - 1].obj == obj) {
			memmove(tsup_res + i - 1, tsup_res + i,
			    (tsup_nres - i) * sizeof(*tsup_res));
			tsup_nres--;
			return;
		}
	}
}

/* tsup_fail - fail the current test with a message; no return */

void
tsup_fail(const char *fmt, ...)
{
	struct criterion_assert_stats stats;
	struct buf msg;
	va_list	ap;

	buf_init(&msg, 100);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (tsup_catch_jmp != NULL) {
		buf_append(tsup_catch_msg, msg.data, msg.len);
		buf_fini(&msg);
		longjmp(*tsup_catch_jmp, 1);
	}
	if (criterion_current_test == NULL)
		msg_fatal("%s", buf_cstr(&msg));
	memset(&stats, 0, sizeof(stats));
	stats.passed = 0;
	stats.file = "tsupport";
	stats.line = 0;
	stats.message = msg.data;
	criterion_send_assert(&stats);
	buf_fini(&msg);
	criterion_abort_test();
}

/* tsup_note - an info line for --verbose runs */

void
tsup_note(const char *fmt, ...)
{
	struct buf msg;
	va_list	ap;

	buf_init(&msg, 100);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (criterion_current_test != NULL)
		cr_log_info("tsupport: %s", msg.data);
	buf_fini(&msg);
}

/* tsup_catch - run fn; 1 and the message when it fails, else 0 */

int
tsup_catch(void (*fn)(void *), void *arg, struct buf *msg)
{
	jmp_buf	env;
	jmp_buf *volatile saved = tsup_catch_jmp;
	struct buf *volatile saved_msg = tsup_catch_msg;

	if (setjmp(env) != 0) {
		tsup_catch_jmp = saved;
		tsup_catch_msg = saved_msg;
		return (1);
	}
	tsup_catch_jmp = &env;
	tsup_catch_msg = msg;
	fn(arg);
	tsup_catch_jmp = saved;
	tsup_catch_msg = saved_msg;
	return (0);
}

/* tsup_free_str - release a string made by tsup_vstrf() */

static void
tsup_free_str(void *ptr)
{
	mem_free(ptr);
}

/* tsup_vstrf - format a string that lives until tsup_fini() */

char   *
tsup_vstrf(const char *fmt, va_list ap)
{
	struct buf bp;
	char   *str;

	buf_init(&bp, 64);
	buf_vprintf(&bp, fmt, ap);
	str = buf_steal(&bp);
	buf_fini(&bp);
	tsup_track(str, tsup_free_str);
	return (str);
}

/* tsup_strf - format a string that lives until tsup_fini() */

const char *
tsup_strf(const char *fmt, ...)
{
	va_list	ap;
	char   *str;

	va_start(ap, fmt);
	str = tsup_vstrf(fmt, ap);
	va_end(ap);
	return (str);
}

/* tsup_deadline_ms - the default bound on every wait */

int
tsup_deadline_ms(void)
{
	const char *env = getenv("MTA_TEST_TIMEOUT_MS");
	char   *end;
	long	ms;

	if (env != NULL && *env != 0) {
		errno = 0;
		ms = strtol(env, &end, 10);
		if (errno == 0 && *end == 0 && ms > 0 && ms <= 3600000)
			return ((int) ms);
		msg_warn("ignoring MTA_TEST_TIMEOUT_MS=%s: want 1..3600000",
		    env);
	}
	return (10000);
}

/* tsup_timeout - a caller's timeout, 0 meaning the default */

int
tsup_timeout(int timeout_ms)
{
	return (timeout_ms > 0 ? timeout_ms : tsup_deadline_ms());
}

/* tsup_now_ms - monotonic milliseconds */

long long
tsup_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		msg_panic("clock_gettime: %m");
	return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* tsup_sleep_ms - sleep for a while, for polling loops during set-up */

void
tsup_sleep_ms(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long) (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* tsup_set_cloexec - keep a descriptor out of spawned programs */

void
tsup_set_cloexec(int fd)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFD)) == -1
	    || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1)
		tsup_fail("fcntl(%d, FD_CLOEXEC): %s", fd, strerror(errno));
}

/* tsup_set_nonblock - switch O_NONBLOCK on or off */

void
tsup_set_nonblock(int fd, int on)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		tsup_fail("fcntl(%d, F_GETFL): %s", fd, strerror(errno));
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	if (fcntl(fd, F_SETFL, flags) == -1)
		tsup_fail("fcntl(%d, F_SETFL): %s", fd, strerror(errno));
}
