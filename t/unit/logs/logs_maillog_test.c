/*
 * NAME
 *	logs_maillog_test - unit tests for logs/logs_maillog
 * DESCRIPTION
 *	Each test works in its own temporary directory. Times come from
 *	a settable clock and TZ is UTC unless a test says otherwise, so
 *	every byte of a line is known. The multi-process test forks
 *	writers that rotate while the others write, then reads every
 *	file back and accounts for every line.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "str.h"
#include "logs_head.h"
#include "logs_icid.h"
#include "logs_line.h"
#include "logs_maillog.h"

#define SERIAL	"420D4FEA709365BFB3E3-0AF2EE5E700E"
#define T0	1704658266		/* Sun Jan  7 20:11:06 2024 UTC */

static time_t fake_now = T0;
static char tmpdir[64];

/* fake_clock - the test's clock */

static time_t
fake_clock(void)
{
	return (fake_now);
}

/* setup - a fresh directory, UTC, the fake clock at T0 */

static void
setup(void)
{
	memcpy(tmpdir, "/tmp/logs_maillog.XXXXXX", 25);
	cr_assert(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
	setenv("TZ", "UTC0", 1);
	tzset();
	fake_now = T0;
}

/* teardown - remove the directory and what is in it */

static void
teardown(void)
{
	DIR    *dp = opendir(tmpdir);
	struct dirent *de;
	struct buf *p = buf_new(0);

	while (dp && (de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0
		    || strcmp(de->d_name, "..") == 0)
			continue;
		buf_reset(p);
		buf_printf(p, "%s/%s", tmpdir, de->d_name);
		(void) unlink(p->data);
	}
	if (dp)
		(void) closedir(dp);
	(void) rmdir(tmpdir);
	buf_free(p);
}

TestSuite(logs_maillog, .init = setup, .fini = teardown);

/* opts_for - options for a file log in the test directory */

static void
opts_for(struct logs_maillog_opts *o)
{
	logs_maillog_opts_init(o);
	o->dir = tmpdir;
	o->version = "15.0.0-104";
	o->serial = SERIAL;
	o->clock = fake_clock;
}

/* open_or_die - open a log, failing the test with the reason */

static struct logs_maillog *
open_or_die(const struct logs_maillog_opts *o)
{
	struct buf *why = buf_new(0);
	struct logs_maillog *ml = logs_maillog_open(o, why);

	cr_assert(ml != NULL, "open: %s", why->data);
	buf_free(why);
	return (ml);
}

/* slurp - a file of the test directory, whole, or NULL */

static char *
slurp(const char *name)
{
	struct buf *p = buf_new(0);
	struct buf data;
	char	chunk[8192];
	ssize_t	n;
	int	fd;

	buf_printf(p, "%s/%s", tmpdir, name);
	fd = open(p->data, O_RDONLY);
	buf_free(p);
	if (fd == -1)
		return (NULL);
	buf_init(&data, 8192);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&data, chunk, (size_t) n);
	(void) close(fd);
	return (buf_steal(&data));
}

/* rolled - sorted names of the rolled files; returns the count */

static size_t
rolled(char ***out)
{
	DIR    *dp = opendir(tmpdir);
	struct dirent *de;
	char  **names = NULL;
	size_t	n = 0, i, j;

	cr_assert(dp != NULL);
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, "mail.@", 6) != 0)
			continue;
		names = mem_realloc(names, n + 1, sizeof(*names));
		names[n++] = mem_strdup(de->d_name);
	}
	(void) closedir(dp);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char   *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	*out = names;
	return (n);
}

/* free_names - release rolled()'s result */

static void
free_names(char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		mem_free(names[i]);
	mem_free(names);
}

/* count_lines - newlines in a string */

static size_t
count_lines(const char *s)
{
	size_t	n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return (n);
}

/* put - write a C string at a level */

static int
put(struct logs_maillog *ml, enum logs_line_level level, const char *msg)
{
	return (logs_maillog_put(ml, level, msg, strlen(msg)));
}

#define HEADER_UTC \
	"Sun Jan  7 20:11:06 2024 Info: Begin Logfile\n" \
	"Sun Jan  7 20:11:06 2024 Info: Version: 15.0.0-104 SN: " SERIAL "\n" \
	"Sun Jan  7 20:11:06 2024 Info: Time offset from UTC: 0 seconds\n"

Test(logs_maillog, new_file_has_header_and_mode)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	struct buf *p = buf_new(0);
	struct stat st;
	char   *text;

	opts_for(&o);
	ml = open_or_die(&o);
	text = slurp("mail.current");
	cr_assert_str_eq(text, HEADER_UTC);
	buf_printf(p, "%s/mail.current", tmpdir);
	cr_assert(stat(p->data, &st) == 0);
	cr_expect_eq(st.st_mode & 0777 & ~0640, 0, "mode %o", st.st_mode);
	mem_free(text);
	buf_free(p);
	logs_maillog_close(ml);
}

Test(logs_maillog, held_lines_wait_for_the_flush_in_order)
{
	static const char *const lines[] = {"first", "second", "third"};
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	struct buf *want = buf_new(0);
	char   *text;
	size_t	i;

	opts_for(&o);
	ml = open_or_die(&o);
	logs_maillog_hold(ml, 1);
	buf_puts(want, HEADER_UTC);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(put(ml, LOGS_LINE_INFO, lines[i]), 0);
		buf_printf(want, "Sun Jan  7 20:11:06 2024 Info: %s\n",
		    lines[i]);
	}
	text = slurp("mail.current");
	cr_expect_str_eq(text, HEADER_UTC, "nothing written before the flush");
	mem_free(text);
	cr_assert_eq(logs_maillog_flush(ml), 0);
	text = slurp("mail.current");
	cr_expect_str_eq(text, want->data);
	mem_free(text);

	/* A child after fork() leaves its parent's lines to the parent. */
	cr_assert_eq(put(ml, LOGS_LINE_INFO, "parent's"), 0);
	{
		pid_t	pid = fork();
		int	status;

		cr_assert(pid != -1);
		if (pid == 0)
			_exit(logs_maillog_flush(ml) == 0 ? 0 : 1);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	text = slurp("mail.current");
	cr_expect_str_eq(text, want->data, "the child wrote no line");
	mem_free(text);

	/* Closing writes what is held; so does turning holding off. */
	buf_puts(want, "Sun Jan  7 20:11:06 2024 Info: parent's\n");
	logs_maillog_close(ml);
	text = slurp("mail.current");
	cr_expect_str_eq(text, want->data);
	mem_free(text);
	buf_free(want);
}

Test(logs_maillog, held_lines_flush_themselves_at_64_kib)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	char	msg[1000];
	char   *text;
	int	i;

	opts_for(&o);
	ml = open_or_die(&o);
	logs_maillog_hold(ml, 1);
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = 0;
	/* Lines of 1031 bytes: the 64th passes 64 KiB and writes 64. */
	for (i = 0; i < 66; i++)
		cr_assert_eq(put(ml, LOGS_LINE_INFO, msg), 0);
	text = slurp("mail.current");
	cr_expect_eq(count_lines(text), 3 + 64, "%zu lines",
	    count_lines(text));
	mem_free(text);
	logs_maillog_hold(ml, 0);
	text = slurp("mail.current");
	cr_expect_eq(count_lines(text), 3 + 66);
	mem_free(text);
	logs_maillog_close(ml);
}

Test(logs_maillog, header_offset_follows_time_zone)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	char   *text;

	setenv("TZ", "CST6CDT", 1);
	tzset();
	fake_now = 1416410206;		/* CRIBL 2014 sample head */
	opts_for(&o);
	o.version = "7.6.3-019";
	ml = open_or_die(&o);
	text = slurp("mail.current");
	cr_expect_str_eq(text,
	    "Wed Nov 19 09:16:46 2014 Info: Begin Logfile\n"
	    "Wed Nov 19 09:16:46 2014 Info: Version: 7.6.3-019 SN: "
	    "420D4FEA709365BFB3E3-0AF2EE5E700E\n"
	    "Wed Nov 19 09:16:46 2014 Info: Time offset from UTC: -21600 "
	    "seconds\n");
	mem_free(text);
	logs_maillog_close(ml);
}

Test(logs_maillog, derived_serial_has_appliance_shape)
{
	struct buf *a = buf_new(0);
	struct buf *b = buf_new(0);
	size_t	i;

	logs_head_serial(a);
	logs_head_serial(b);
	cr_assert_eq(a->len, 33, "serial [%s]", a->data);
	cr_expect_str_eq(a->data, b->data, "serial must be stable");
	for (i = 0; i < a->len; i++) {
		if (i == 20)
			cr_expect_eq(a->data[i], '-');
		else
			cr_expect(strchr("0123456789ABCDEF", a->data[i])
			    != NULL, "serial [%s] at %zu", a->data, i);
	}
	buf_free(a);
	buf_free(b);
}

struct line_case {
	const char *label;
	enum logs_line_level level;
	const char *msg;
	size_t	len;
	const char *want;		/* NULL: not written */
};

Test(logs_maillog, line_framing_table)
{
	static const struct line_case cases[] = {
		{"info", LOGS_LINE_INFO, "ICID 5 close", 12,
		"Sun Jan  7 20:11:06 2024 Info: ICID 5 close\n"},
		{"warning", LOGS_LINE_WARNING, "System limit reached", 20,
		"Sun Jan  7 20:11:06 2024 Warning: System limit reached\n"},
		{"critical", LOGS_LINE_CRITICAL, "x", 1,
		"Sun Jan  7 20:11:06 2024 Critical: x\n"},
		{"debug below level", LOGS_LINE_DEBUG, "noise", 5, NULL},
		{"newline cannot split", LOGS_LINE_INFO, "a\nb\r\tc", 6,
		"Sun Jan  7 20:11:06 2024 Info: a\\x0ab\\x0d\\x09c\n"},
		{"nul and delete", LOGS_LINE_INFO, "a\0b\x7f", 4,
		"Sun Jan  7 20:11:06 2024 Info: a\\x00b\\x7f\n"},
		{"utf-8 untouched", LOGS_LINE_INFO, "caf\xc3\xa9", 5,
		"Sun Jan  7 20:11:06 2024 Info: caf\xc3\xa9\n"},
	};
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	char   *text;
	size_t	i, before, hlen = strlen(HEADER_UTC);

	opts_for(&o);
	ml = open_or_die(&o);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = slurp("mail.current");
		before = strlen(text);
		mem_free(text);
		cr_expect_eq(logs_maillog_put(ml, cases[i].level, cases[i].msg,
		    cases[i].len), 0, "%s", cases[i].label);
		text = slurp("mail.current");
		if (cases[i].want == NULL)
			cr_expect_eq(strlen(text), before, "%s: written",
			    cases[i].label);
		else
			cr_expect_str_eq(text + before, cases[i].want, "%s",
			    cases[i].label);
		cr_expect(strncmp(text, HEADER_UTC, hlen) == 0);
		mem_free(text);
	}
	cr_expect(logs_maillog_enabled(ml, LOGS_LINE_INFO));
	cr_expect(!logs_maillog_enabled(ml, LOGS_LINE_DEBUG));
	logs_maillog_close(ml);
}

Test(logs_maillog, formatter_to_file)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	struct buf *bp = buf_new(0);
	enum logs_line_level lev;
	char   *text;

	opts_for(&o);
	o.style.dialect = LOGS_LINE_ASYNCOS4;
	ml = open_or_die(&o);
	cr_expect_eq(logs_maillog_style(ml)->dialect, LOGS_LINE_ASYNCOS4);
	lev = logs_icid_conn_limit(bp, "*.*.*.*", "Incoming", 16399, 1);
	cr_assert_eq(logs_maillog_write(ml, lev, bp), 0);
	text = slurp("mail.current");
	cr_expect_str_eq(text + strlen(HEADER_UTC), "Sun Jan  7 20:11:06 2024 "
	    "Warning: System limit reached: connection limit for IP *.*.*.* "
	    "on listener Incoming ICID 16399: max: 1\n");
	mem_free(text);
	buf_free(bp);
	logs_maillog_close(ml);
}

Test(logs_maillog, second_writer_reuses_file)
{
	struct logs_maillog_opts o;
	struct logs_maillog *a, *b;
	char   *text;

	opts_for(&o);
	a = open_or_die(&o);
	b = open_or_die(&o);
	put(a, LOGS_LINE_INFO, "from a");
	put(b, LOGS_LINE_INFO, "from b");
	text = slurp("mail.current");
	cr_expect_str_eq(text, HEADER_UTC
	    "Sun Jan  7 20:11:06 2024 Info: from a\n"
	    "Sun Jan  7 20:11:06 2024 Info: from b\n");
	mem_free(text);
	logs_maillog_close(a);
	logs_maillog_close(b);
}

struct name_case {
	const char *label;
	const char *name;
	long long when;
	const char *want;
};

Test(logs_maillog, rolled_name_table)
{
	static const struct name_case cases[] = {
		{"mail", "mail", T0, "mail.@20240107T201106.s"},
		{"other log", "mail_logs", 1416410206LL,
		"mail_logs.@20141119T151646.s"},
		{"epoch", "mail", 0, "mail.@19700101T000000.s"},
	};
	struct buf *bp = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(bp);
		logs_maillog_rolled_name(bp, cases[i].name,
		    (time_t) cases[i].when);
		cr_expect_str_eq(bp->data, cases[i].want, "%s", cases[i].label);
	}
	buf_free(bp);
}

Test(logs_maillog, rotate_by_size)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	char  **names, *text;
	size_t	n, i, total = 0;
	char	msg[64];

	opts_for(&o);
	o.rotate_size = 1000;
	ml = open_or_die(&o);
	for (i = 0; i < 100; i++) {
		(void) snprintf(msg, sizeof(msg), "line %03zu", i);
		cr_assert_eq(put(ml, LOGS_LINE_INFO, msg), 0);
		if (i % 20 == 19)
			fake_now++;
	}
	n = rolled(&names);
	cr_expect(n >= 3, "only %zu rolled files", n);
	for (i = 0; i < n; i++) {
		text = slurp(names[i]);
		cr_expect(strstr(text, " Info: Begin Logfile\n") == text + 24,
		    "%s: no header", names[i]);
		cr_expect(strlen(text) >= 1000 && strlen(text) < 1000 + 64,
		    "%s: size %zu", names[i], strlen(text));
		total += count_lines(text) - 3;
		mem_free(text);
	}
	text = slurp("mail.current");
	cr_expect(strlen(text) < 1000);
	total += count_lines(text) - 3;
	mem_free(text);
	cr_expect_eq(total, 100, "lines kept: %zu", total);
	/* The first file began at T0; names are unique and ordered. */
	cr_expect_str_eq(names[0], "mail.@20240107T201106.s");
	for (i = 1; i < n; i++)
		cr_expect(strcmp(names[i - 1], names[i]) < 0);
	free_names(names, n);
	logs_maillog_close(ml);
}

Test(logs_maillog, rotate_on_demand_and_by_request)
{
	struct logs_maillog_opts o;
	struct logs_maillog *a, *b;
	char  **names, *text;
	size_t	n;

	opts_for(&o);
	o.rotate_size = 0;
	a = open_or_die(&o);
	b = open_or_die(&o);
	put(a, LOGS_LINE_INFO, "one");
	fake_now += 60;
	cr_assert_eq(logs_maillog_rotate(a), 0);
	/* b learns of the rotation before its next line. */
	put(b, LOGS_LINE_INFO, "two");
	fake_now += 60;
	logs_maillog_rotate_request(b);
	n = rolled(&names);
	cr_expect_eq(n, 1, "a request alone must not rotate");
	free_names(names, n);
	put(b, LOGS_LINE_INFO, "three");

	n = rolled(&names);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(names[0], "mail.@20240107T201106.s");
	cr_expect_str_eq(names[1], "mail.@20240107T201206.s");
	text = slurp(names[0]);
	cr_expect_str_eq(text, HEADER_UTC
	    "Sun Jan  7 20:11:06 2024 Info: one\n");
	mem_free(text);
	text = slurp(names[1]);
	cr_expect(strstr(text, "Info: two\n") != NULL);
	cr_expect(strstr(text, "Info: three\n") == NULL);
	mem_free(text);
	text = slurp("mail.current");
	cr_expect(strncmp(text,
	    "Sun Jan  7 20:13:06 2024 Info: Begin Logfile\n", 45) == 0,
	    "current: [%s]", text);
	cr_expect(strstr(text, "Info: three\n") != NULL);
	mem_free(text);
	free_names(names, n);

	/* A request is also served by the periodic tick. */
	fake_now += 60;
	logs_maillog_rotate_request(a);
	cr_expect_eq(logs_maillog_tick(a), 0);
	n = rolled(&names);
	cr_expect_eq(n, 3);
	free_names(names, n);
	logs_maillog_close(a);
	logs_maillog_close(b);
}

Test(logs_maillog, retention_keeps_newest)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	char  **names;
	size_t	n, i;
	char	msg[32];

	opts_for(&o);
	o.rotate_size = 0;
	o.keep = 2;
	ml = open_or_die(&o);
	for (i = 0; i < 5; i++) {
		(void) snprintf(msg, sizeof(msg), "file %zu", i);
		put(ml, LOGS_LINE_INFO, msg);
		cr_assert_eq(logs_maillog_rotate(ml), 0);
		fake_now += 3600;
	}
	n = rolled(&names);
	cr_assert_eq(n, 2, "%zu rolled files kept", n);
	/* Files begin at each rotation: 20:11 (twice), 21:11, 22:11, 23:11. */
	cr_expect_str_eq(names[0], "mail.@20240107T221106.s");
	cr_expect_str_eq(names[1], "mail.@20240107T231106.s");
	free_names(names, n);
	logs_maillog_close(ml);
}

Test(logs_maillog, same_second_rotations_get_unique_names)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	char  **names;
	size_t	n, i;

	opts_for(&o);
	o.keep = 0;
	ml = open_or_die(&o);
	for (i = 0; i < 3; i++)
		cr_assert_eq(logs_maillog_rotate(ml), 0);
	n = rolled(&names);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(names[0], "mail.@20240107T201106.s");
	cr_expect_str_eq(names[1], "mail.@20240107T201107.s");
	cr_expect_str_eq(names[2], "mail.@20240107T201108.s");
	free_names(names, n);
	logs_maillog_close(ml);
}

Test(logs_maillog, rolled_names_sort_after_existing_ones)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	struct buf *p = buf_new(0);
	char  **names;
	size_t	n;
	int	fd;

	/*
	 * A rolled file that sorts after now (clock stepped back, the
	 * repeated hour at the end of daylight saving time): the next
	 * name must still sort after it, or retention would remove the
	 * newer file.
	 */
	buf_printf(p, "%s/mail.@20300101T000000.s", tmpdir);
	fd = open(p->data, O_WRONLY | O_CREAT, 0640);
	cr_assert(fd >= 0);
	(void) close(fd);
	opts_for(&o);
	o.keep = 1;
	ml = open_or_die(&o);
	cr_assert_eq(logs_maillog_rotate(ml), 0);
	n = rolled(&names);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(names[0], "mail.@20300101T000001.s");
	free_names(names, n);
	buf_free(p);
	logs_maillog_close(ml);
}

Test(logs_maillog, follows_moved_file)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	struct buf *from = buf_new(0), *to = buf_new(0);
	char   *text;

	opts_for(&o);
	ml = open_or_die(&o);
	buf_printf(from, "%s/mail.current", tmpdir);
	buf_printf(to, "%s/moved", tmpdir);
	cr_assert(rename(from->data, to->data) == 0);
	fake_now += 5;
	cr_expect_eq(logs_maillog_tick(ml), 0);
	put(ml, LOGS_LINE_INFO, "after move");
	text = slurp("mail.current");
	cr_assert(text != NULL);
	cr_expect(strstr(text, " Info: Begin Logfile\n") == text + 24);
	cr_expect(strstr(text, "Info: after move\n") != NULL);
	mem_free(text);
	text = slurp("moved");
	cr_expect(strstr(text, "after move") == NULL);
	mem_free(text);
	buf_free(from);
	buf_free(to);
	logs_maillog_close(ml);
}

Test(logs_maillog, open_fails_with_reason)
{
	struct logs_maillog_opts o;
	struct buf *why = buf_new(0);

	opts_for(&o);
	o.dir = "/nonexistent/dir/for/logs";
	cr_expect(logs_maillog_open(&o, why) == NULL);
	cr_expect(strstr(why->data, "/nonexistent/dir/for/logs") != NULL,
	    "why: [%s]", why->data);
	buf_reset(why);
	opts_for(&o);
	o.name = "a/b";
	cr_expect(logs_maillog_open(&o, why) == NULL);
	cr_expect(strstr(why->data, "a/b") != NULL, "why: [%s]", why->data);
	buf_free(why);
}

/*
 * Several processes write while some of them rotate, by size and on
 * demand. Every line must come back whole, exactly once, in order per
 * writer, and every file must begin with its header.
 */
#define WRITERS		4
#define PER_WRITER	3000

/* writer - one child process */

static void
writer(int id, struct logs_maillog *ml)
{
	struct logs_maillog_opts o;
	char	msg[128];
	int	i;

	opts_for(&o);
	o.clock = NULL;
	o.rotate_size = 48 * 1024;
	o.keep = 0;
	if (ml == NULL && (ml = logs_maillog_open(&o, NULL)) == NULL)
		_exit(2);
	/* Odd writers hold their lines and write them in batches. */
	logs_maillog_hold(ml, id % 2);
	for (i = 0; i < PER_WRITER; i++) {
		(void) snprintf(msg, sizeof(msg), "writer %d line %05d "
		    "padding-padding-padding-padding-padding-end", id, i);
		if (logs_maillog_put(ml, LOGS_LINE_INFO, msg, strlen(msg)))
			_exit(3);
		if (id == 0 && i % 250 == 249 && logs_maillog_rotate(ml))
			_exit(4);
		if (id == 1 && i % 400 == 399)
			logs_maillog_rotate_request(ml);
		if (id % 2 && i % 7 == 6 && logs_maillog_flush(ml))
			_exit(5);
	}
	logs_maillog_close(ml);
	_exit(0);
}

/* check_file - account for every line of one file */

static void
check_file(const char *name, char *text, int next[WRITERS], size_t *files)
{
	char   *line, *end;
	int	n = 0, id, num, len;

	(*files)++;
	for (line = text; *line; line = end + 1) {
		end = strchr(line, '\n');
		cr_assert(end != NULL, "%s: last line not ended", name);
		*end = 0;
		cr_assert(strlen(line) > 31 && line[3] == ' '
		    && line[24] == ' ' && strncmp(line + 25, "Info: ", 6) == 0,
		    "%s: bad frame [%s]", name, line);
		if (n == 0)
			cr_assert_str_eq(line + 31, "Begin Logfile", "%s",
			    name);
		else if (n == 1)
			cr_assert(strncmp(line + 31, "Version: ", 9) == 0, "%s",
			    name);
		else if (n == 2)
			cr_assert(strncmp(line + 31, "Time offset from UTC: ",
			    22) == 0, "%s", name);
		else {
			cr_assert(sscanf(line + 31, "writer %d line %d "
			    "padding-padding-padding-padding-padding-end%n",
			    &id, &num, &len) == 2 && line[31 + len] == 0
			    && id >= 0 && id < WRITERS, "%s: torn [%s]", name,
			    line);
			cr_assert_eq(num, next[id], "%s: writer %d line %d, "
			    "expected %d", name, id, num, next[id]);
			next[id]++;
		}
		n++;
	}
	cr_assert(n >= 3, "%s: no header", name);
}

/* run_writers - fork the writers, wait, account for every line */

static void
run_writers(struct logs_maillog *inherited)
{
	pid_t	pids[WRITERS];
	int	next[WRITERS] = {0};
	int	i, status;
	char  **names, *text;
	size_t	n, j, files = 0;

	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		cr_assert(pids[i] >= 0, "fork: %s", strerror(errno));
		if (pids[i] == 0)
			writer(i, inherited);
	}
	for (i = 0; i < WRITERS; i++) {
		cr_assert(waitpid(pids[i], &status, 0) == pids[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "writer %d status %d", i, status);
	}
	/* Rolled names sort in time order; the current file is last. */
	n = rolled(&names);
	cr_expect(n >= 20, "only %zu rotations", n);
	for (j = 0; j < n; j++) {
		text = slurp(names[j]);
		check_file(names[j], text, next, &files);
		mem_free(text);
	}
	text = slurp("mail.current");
	check_file("mail.current", text, next, &files);
	mem_free(text);
	for (i = 0; i < WRITERS; i++)
		cr_expect_eq(next[i], PER_WRITER, "writer %d: %d lines", i,
		    next[i]);
	free_names(names, n);
}

Test(logs_maillog, many_writers_no_torn_or_lost_lines, .timeout = 120)
{
	struct logs_maillog_opts o;

	/* Create the file first so that its start is known. */
	opts_for(&o);
	logs_maillog_close(open_or_die(&o));
	run_writers(NULL);
}

Test(logs_maillog, writers_sharing_a_forked_handle, .timeout = 120)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;

	/*
	 * The children use the handle their parent opened: each must
	 * take its own lock, or a rotation could run while another child
	 * writes and lines would land in a rolled file or be torn apart
	 * from their order.
	 */
	opts_for(&o);
	o.clock = NULL;
	o.rotate_size = 48 * 1024;
	o.keep = 0;
	ml = open_or_die(&o);
	run_writers(ml);
	logs_maillog_close(ml);
}

/* recv_line - one datagram or stream chunk, with a time limit */

static ssize_t
recv_line(int fd, char *buf, size_t size)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	ssize_t	n;

	if (poll(&pfd, 1, 5000) != 1)
		return (-1);
	n = recv(fd, buf, size - 1, 0);
	if (n >= 0)
		buf[n] = 0;
	return (n);
}

struct syslog_case {
	const char *label;
	int	facility;
	enum logs_line_level level;
	const char *msg;
	const char *want;
};

static const struct syslog_case syslog_cases[] = {
	/* SPL: "<22>Sep 18 10:24:43 sample_logs: Info: ..." (mail.info) */
	{"mail info", LOG_MAIL, LOGS_LINE_INFO, "MID 21226453 ready 63907 "
	"bytes from <>", "<22>Jan  7 20:11:06 mail_logs: Info: MID 21226453 "
	"ready 63907 bytes from <>"},
	/* ELA: "<166>Mar 17 18:24:37 mail_logs: Info: Start MID 6 ICID 5" */
	{"local4 info", LOG_LOCAL4, LOGS_LINE_INFO, "Start MID 6 ICID 5",
	"<166>Jan  7 20:11:06 mail_logs: Info: Start MID 6 ICID 5"},
	{"mail warning", LOG_MAIL, LOGS_LINE_WARNING, "x",
	"<20>Jan  7 20:11:06 mail_logs: Warning: x"},
	{"mail critical", LOG_MAIL, LOGS_LINE_CRITICAL, "y",
	"<18>Jan  7 20:11:06 mail_logs: Critical: y"},
	{"control bytes escaped", LOG_MAIL, LOGS_LINE_INFO, "a\nb",
	"<22>Jan  7 20:11:06 mail_logs: Info: a\\x0ab"},
};

Test(logs_maillog, syslog_udp_table)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	char	port[16], got[512];
	size_t	i;
	int	fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0);
	cr_assert(getsockname(fd, (struct sockaddr *) &sin, &len) == 0);
	(void) snprintf(port, sizeof(port), "%u", ntohs(sin.sin_port));

	for (i = 0; i < sizeof(syslog_cases) / sizeof(syslog_cases[0]); i++) {
		const struct syslog_case *c = syslog_cases + i;

		logs_maillog_opts_init(&o);
		o.clock = fake_clock;
		o.serial = SERIAL;
		o.syslog = LOGS_MAILLOG_SYSLOG_UDP;
		o.syslog_addr = "127.0.0.1";
		o.syslog_port = port;
		o.syslog_facility = c->facility;
		ml = open_or_die(&o);
		cr_assert_eq(put(ml, c->level, c->msg), 0, "%s", c->label);
		cr_assert(recv_line(fd, got, sizeof(got)) > 0, "%s: nothing",
		    c->label);
		cr_expect_str_eq(got, c->want, "%s", c->label);
		logs_maillog_close(ml);
	}
	(void) close(fd);
}

Test(logs_maillog, syslog_unix_and_file_together)
{
	struct sockaddr_un sun;
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	char	got[512], *text;
	int	fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void) snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log.sock",
	    tmpdir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	cr_assert(bind(fd, (struct sockaddr *) &sun, sizeof(sun)) == 0);

	opts_for(&o);
	o.syslog = LOGS_MAILLOG_SYSLOG_UNIX;
	o.syslog_addr = sun.sun_path;
	o.syslog_name = "sc4s_mail_logs";
	ml = open_or_die(&o);
	cr_assert_eq(put(ml, LOGS_LINE_INFO, "DCID 8 close"), 0);
	cr_assert(recv_line(fd, got, sizeof(got)) > 0);
	cr_expect_str_eq(got, "<22>Jan  7 20:11:06 sc4s_mail_logs: Info: "
	    "DCID 8 close");
	text = slurp("mail.current");
	cr_expect_str_eq(text, HEADER_UTC
	    "Sun Jan  7 20:11:06 2024 Info: DCID 8 close\n");
	mem_free(text);
	/* A debug line is neither written nor sent. */
	cr_assert_eq(put(ml, LOGS_LINE_DEBUG, "quiet"), 0);
	cr_expect_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
	logs_maillog_close(ml);
	(void) close(fd);
}

Test(logs_maillog, syslog_unix_receiver_absent_does_not_fail)
{
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	struct buf *p = buf_new(0);

	buf_printf(p, "%s/nobody.sock", tmpdir);
	logs_maillog_opts_init(&o);
	o.serial = SERIAL;
	o.syslog = LOGS_MAILLOG_SYSLOG_UNIX;
	o.syslog_addr = p->data;
	ml = open_or_die(&o);
	cr_expect_eq(put(ml, LOGS_LINE_INFO, "lost to nobody"), 0);
	cr_expect_eq(logs_maillog_syslog_drops(ml), 1);
	logs_maillog_close(ml);
	buf_free(p);
}

Test(logs_maillog, syslog_tcp_newline_framed)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct logs_maillog_opts o;
	struct logs_maillog *ml;
	struct buf *got = buf_new(0);
	char	port[16], chunk[512];
	int	lfd, cfd, i;
	ssize_t	n;
	const char *want = "<22>Jan  7 20:11:06 mail_logs: Info: ICID 1 lost\n"
	    "<22>Jan  7 20:11:06 mail_logs: Info: ICID 1 close\n";

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(lfd, (struct sockaddr *) &sin, sizeof(sin)) == 0);
	cr_assert(listen(lfd, 4) == 0);
	cr_assert(getsockname(lfd, (struct sockaddr *) &sin, &len) == 0);
	(void) snprintf(port, sizeof(port), "%u", ntohs(sin.sin_port));

	logs_maillog_opts_init(&o);
	o.clock = fake_clock;
	o.serial = SERIAL;
	o.syslog = LOGS_MAILLOG_SYSLOG_TCP;
	o.syslog_addr = "127.0.0.1";
	o.syslog_port = port;
	ml = open_or_die(&o);
	cfd = accept(lfd, NULL, NULL);
	cr_assert(cfd >= 0);
	put(ml, LOGS_LINE_INFO, "ICID 1 lost");
	put(ml, LOGS_LINE_INFO, "ICID 1 close");
	for (i = 0; i < 50 && got->len < strlen(want); i++) {
		(void) logs_maillog_tick(ml);
		if ((n = recv_line(cfd, chunk, sizeof(chunk))) <= 0)
			break;
		buf_append(got, chunk, (size_t) n);
	}
	cr_expect_str_eq(got->data, want);
	logs_maillog_close(ml);
	(void) close(cfd);
	(void) close(lfd);
	buf_free(got);
}
