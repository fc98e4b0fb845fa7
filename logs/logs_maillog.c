/*
 * NAME
 *	logs_maillog - write the AsyncOS text mail log: file, rotation, syslog
 * DESCRIPTION
 *	See logs_maillog.h for the contract. How the processes agree:
 *
 *	The lock file <dir>/.<name>.lock is mapped shared by every writer;
 *	its first 8 bytes count rotations. A writer takes a shared flock
 *	for one write(2) and first compares the counter with the one its
 *	open file belongs to, reopening the current file when they
 *	differ. A rotation happens under the exclusive lock: rename the
 *	current file, make the new one, bump the counter. So no line is
 *	written to a file after it has been rolled, and none is lost.
 *
 *	A new current file is made complete before it appears: the header
 *	is written to a private temporary file which is then link(2)ed to
 *	the current name. If that name already exists another process
 *	won, and its file is used. So a current file always begins with
 *	its header, even when two processes find it missing at once.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "logs_line.h"
#include "logs_head.h"
#include "logs_maillog.h"

#define LOGS_MAILLOG_MODE	0640
#define LOGS_MAILLOG_SHARED	4096	/* mapped lock file size */
#define LOGS_MAILLOG_TCP_MAX	65536	/* syslog bytes queued, TCP */
#define LOGS_MAILLOG_HOLD_MAX	65536	/* held bytes that force a flush */

struct logs_maillog {
	/* configuration */
	char   *dir;
	char   *name;
	char   *path;			/* <dir>/<name>.current */
	char   *lockpath;		/* <dir>/.<name>.lock */
	unsigned long long rotate_size;
	unsigned keep;
	enum logs_line_level level;
	struct logs_line_style style;
	char   *version;
	char   *serial;
	time_t	(*clock)(void);

	/* file */
	int	fd;			/* current file, -1 without one */
	int	lockfd;
	pid_t	pid;			/* who opened lockfd */
	uint64_t *shared;		/* mapped lock file: rotation count */
	uint64_t gen;			/* rotation count fd belongs to */
	time_t	checked;		/* path last compared to fd */
	volatile sig_atomic_t rotate_req;
	int	failing;		/* a write error was reported */
	struct buf line;
	size_t	line_at;		/* "Level: " offset in line */
	int	hold;			/* file lines wait for a flush */
	struct buf held;		/* those lines */
	pid_t	held_pid;		/* the process that held them */

	/* syslog */
	enum logs_maillog_syslog syslog;
	char   *syslog_name;
	int	facility;
	int	sfd;
	struct sockaddr_storage sa;
	socklen_t salen;
	time_t	connected;		/* last TCP connect */
	struct buf sout;		/* TCP bytes not yet sent */
	struct buf sline;
	unsigned long drops;
};

/* logs_maillog_opts_init - defaults */

void
logs_maillog_opts_init(struct logs_maillog_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->dir = NULL;
	opts->name = "mail";
	opts->rotate_size = 10ULL * 1024 * 1024;
	opts->keep = 30;
	opts->level = LOGS_LINE_INFO;
	logs_line_style_init(&opts->style);
	opts->version = PACKAGE_VERSION;
	opts->serial = NULL;
	opts->syslog = LOGS_MAILLOG_SYSLOG_NONE;
	opts->syslog_addr = NULL;
	opts->syslog_port = NULL;
	opts->syslog_name = "mail_logs";
	opts->syslog_facility = LOG_MAIL;
	opts->clock = NULL;
}

/* logs_maillog_now - the time, from the test clock if there is one */

static time_t
logs_maillog_now(const struct logs_maillog *ml)
{
	return (ml->clock ? ml->clock() : time(NULL));
}

/* logs_maillog_flock - flock(2) that retries after a signal */

static int
logs_maillog_flock(int fd, int op)
{
	int	rc;

	while ((rc = flock(fd, op)) == -1 && errno == EINTR)
		continue;
	return (rc);
}

/* logs_maillog_gen - the shared rotation count */

static uint64_t
logs_maillog_gen(const struct logs_maillog *ml)
{
	return (__atomic_load_n(ml->shared, __ATOMIC_ACQUIRE));
}

/*
 * logs_maillog_format - append one complete file line to bp; return the
 * offset of the level word (where a syslog message starts).
 */
static size_t
logs_maillog_format(struct buf *bp, time_t when, enum logs_line_level level,
    const char *msg, size_t len)
{
	size_t	i, run, at;

	logs_line_ctime(bp, when);
	buf_putc(bp, ' ');
	at = bp->len;
	buf_printf(bp, "%s: ", logs_line_level_name(level));
	for (i = 0; i < len; i += run) {
		unsigned char ch = (unsigned char) msg[i];

		if (ch < 0x20 || ch == 0x7F) {
			buf_printf(bp, "\\x%02x", ch);
			run = 1;
			continue;
		}
		for (run = 1; i + run < len; run++) {
			ch = (unsigned char) msg[i + run];
			if (ch < 0x20 || ch == 0x7F)
				break;
		}
		buf_append(bp, msg + i, run);
	}
	buf_putc(bp, '\n');
	return (at);
}

/* logs_maillog_write_all - write a whole buffer to a file */

static int
logs_maillog_write_all(int fd, const char *data, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		data += n;
		len -= (size_t) n;
	}
	return (0);
}

/* logs_maillog_header - the three lines a new file begins with */

static void
logs_maillog_header(const struct logs_maillog *ml, struct buf *out,
    time_t now)
{
	struct buf msg;
	struct tm tm;
	enum logs_line_level lev;

	if (localtime_r(&now, &tm) == NULL)
		msg_panic("logs_maillog_header: bad time");
	buf_init(&msg, 80);
	lev = logs_head_begin(&msg);
	(void) logs_maillog_format(out, now, lev, msg.data, msg.len);
	buf_reset(&msg);
	lev = logs_head_version(&msg, ml->version, ml->serial);
	(void) logs_maillog_format(out, now, lev, msg.data, msg.len);
	buf_reset(&msg);
	lev = logs_head_offset(&msg, (long) tm.tm_gmtoff);
	(void) logs_maillog_format(out, now, lev, msg.data, msg.len);
	buf_fini(&msg);
}

/* logs_maillog_create - make the current file, complete with header */

static int
logs_maillog_create(struct logs_maillog *ml, time_t now)
{
	struct buf tmp;
	struct buf head;
	int	fd, rc = -1;

	buf_init(&tmp, 128);
	buf_printf(&tmp, "%s/.%s.%ld.tmp", ml->dir, ml->name, (long) getpid());
	(void) unlink(tmp.data);
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_APPEND
	    | O_CLOEXEC, LOGS_MAILLOG_MODE)) == -1) {
		msg_warn("mail log: create %s: %m", tmp.data);
		buf_fini(&tmp);
		return (-1);
	}
	buf_init(&head, 256);
	logs_maillog_header(ml, &head, now);
	if (logs_maillog_write_all(fd, head.data, head.len) == -1) {
		msg_warn("mail log: write %s: %m", tmp.data);
	} else if (link(tmp.data, ml->path) == -1 && errno != EEXIST) {
		msg_warn("mail log: link %s to %s: %m", tmp.data, ml->path);
	} else {
		rc = 0;
	}
	(void) close(fd);
	(void) unlink(tmp.data);
	buf_fini(&head);
	buf_fini(&tmp);
	return (rc);
}

/* logs_maillog_reopen - open the current file, creating it if missing */

static int
logs_maillog_reopen(struct logs_maillog *ml, time_t now)
{
	int	fd, tries;

	for (tries = 0; tries < 3; tries++) {
		fd = open(ml->path, O_WRONLY | O_APPEND | O_CLOEXEC
		    | O_NOFOLLOW);
		if (fd >= 0) {
			if (ml->fd >= 0)
				(void) close(ml->fd);
			ml->fd = fd;
			ml->gen = logs_maillog_gen(ml);
			ml->checked = now;
			return (0);
		}
		if (errno != ENOENT) {
			msg_warn("mail log: open %s: %m", ml->path);
			return (-1);
		}
		if (logs_maillog_create(ml, now) == -1)
			return (-1);
	}
	msg_warn("mail log: %s keeps disappearing", ml->path);
	return (-1);
}

/* logs_maillog_parse_start - the time in the first line of a log file */

static int
logs_maillog_parse_start(const char *path, time_t *when)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char	head[32];
	struct tm tm;
	ssize_t	n;
	int	fd, i;
	const char *m;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, head, sizeof(head) - 1);
	(void) close(fd);
	/* "Www Mmm dd HH:MM:SS YYYY" */
	if (n < 24 || head[3] != ' ' || head[7] != ' ' || head[10] != ' '
	    || head[13] != ':' || head[16] != ':' || head[19] != ' ')
		return (-1);
	head[n] = 0;
	memset(&tm, 0, sizeof(tm));
	for (m = NULL, i = 0; i < 12; i++)
		if (memcmp(months + 3 * i, head + 4, 3) == 0)
			m = months + 3 * i;
	if (m == NULL)
		return (-1);
	tm.tm_mon = (int) (m - months) / 3;
	for (i = 8; i <= 23; i++) {
		if (i == 10 || i == 13 || i == 16 || i == 19)
			continue;
		if ((head[i] < '0' || head[i] > '9') && !(i == 8
		    && head[i] == ' '))
			return (-1);
	}
	tm.tm_mday = (head[8] == ' ' ? 0 : head[8] - '0') * 10 + head[9] - '0';
	tm.tm_hour = (head[11] - '0') * 10 + head[12] - '0';
	tm.tm_min = (head[14] - '0') * 10 + head[15] - '0';
	tm.tm_sec = (head[17] - '0') * 10 + head[18] - '0';
	tm.tm_year = atoi(head + 20) - 1900;
	tm.tm_isdst = -1;
	if ((*when = mktime(&tm)) == (time_t) -1)
		return (-1);
	return (0);
}

/* logs_maillog_rolled_name - <name>.@YYYYMMDDTHHMMSS.s */

void
logs_maillog_rolled_name(struct buf *bp, const char *name, time_t started)
{
	struct tm tm;

	if (localtime_r(&started, &tm) == NULL)
		msg_panic("logs_maillog_rolled_name: bad time");
	buf_printf(bp, "%s.@%04d%02d%02dT%02d%02d%02d.s", name,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* logs_maillog_is_rolled - is this directory entry one of our rolled files */

static int
logs_maillog_is_rolled(const char *entry, const char *name)
{
	size_t	nlen = strlen(name);
	int	i;

	if (strncmp(entry, name, nlen) != 0 || strncmp(entry + nlen, ".@", 2))
		return (0);
	entry += nlen + 2;
	for (i = 0; i < 15; i++) {
		if (i == 8 ? entry[i] != 'T' : entry[i] < '0' || entry[i] > '9')
			return (0);
	}
	return (strcmp(entry + 15, ".s") == 0);
}

/* logs_maillog_cmp - newest rolled file first */

static int
logs_maillog_cmp(const void *a, const void *b)
{
	return (-strcmp(*(char *const *) a, *(char *const *) b));
}

/* logs_maillog_prune - remove the rolled files beyond keep */

static void
logs_maillog_prune(struct logs_maillog *ml)
{
	DIR    *dp;
	struct dirent *de;
	char  **names = NULL;
	size_t	count = 0, size = 0, i;
	struct buf path;

	if (ml->keep == 0)
		return;
	if ((dp = opendir(ml->dir)) == NULL) {
		msg_warn("mail log: open directory %s: %m", ml->dir);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		if (!logs_maillog_is_rolled(de->d_name, ml->name))
			continue;
		if (count == size) {
			size = size ? 2 * size : 32;
			names = mem_realloc(names, size, sizeof(*names));
		}
		names[count++] = mem_strdup(de->d_name);
	}
	(void) closedir(dp);
	if (count > 1)
		qsort(names, count, sizeof(*names), logs_maillog_cmp);
	buf_init(&path, 128);
	for (i = 0; i < count; i++) {
		if (i >= ml->keep) {
			buf_reset(&path);
			buf_printf(&path, "%s/%s", ml->dir, names[i]);
			if (unlink(path.data) == -1 && errno != ENOENT)
				msg_warn("mail log: remove %s: %m", path.data);
		}
		mem_free(names[i]);
	}
	buf_fini(&path);
	mem_free(names);
}

/* logs_maillog_name_time - the time in YYYYMMDDTHHMMSS, or dflt */

static time_t
logs_maillog_name_time(const char *digits, time_t dflt)
{
	struct tm tm;
	time_t	when;
	int	v[6], i, j, k;
	static const int width[6] = {4, 2, 2, 2, 2, 2};

	for (i = 0, k = 0; i < 6; i++) {
		if (i == 3 && digits[k++] != 'T')
			return (dflt);
		for (v[i] = 0, j = 0; j < width[i]; j++, k++) {
			if (digits[k] < '0' || digits[k] > '9')
				return (dflt);
			v[i] = v[i] * 10 + digits[k] - '0';
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	tm.tm_isdst = -1;
	when = mktime(&tm);
	return (when == (time_t) -1 ? dflt : when);
}

/* logs_maillog_newest - the greatest rolled file name, "" if none */

static void
logs_maillog_newest(struct logs_maillog *ml, struct buf *newest)
{
	DIR    *dp;
	struct dirent *de;

	buf_reset(newest);
	if ((dp = opendir(ml->dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (logs_maillog_is_rolled(de->d_name, ml->name)
		    && strcmp(de->d_name, newest->data) > 0) {
			buf_reset(newest);
			buf_puts(newest, de->d_name);
		}
	}
	(void) closedir(dp);
}

/*
 * logs_maillog_roll - rename the current file; caller holds LOCK_EX.
 * The name is the file's start time, moved forward as needed so that
 * it sorts after every rolled file already there (several rotations
 * in one second, the hour that repeats when daylight saving time
 * ends): retention and readers rely on name order being age order.
 */
#define LOGS_MAILLOG_NAME_TRIES	100000

static int
logs_maillog_roll(struct logs_maillog *ml, time_t now)
{
	struct buf target;
	struct buf newest;
	struct stat st;
	time_t	started;
	size_t	dirlen;
	int	tries;

	if (logs_maillog_parse_start(ml->path, &started) == -1)
		started = now;
	buf_init(&target, 128);
	buf_init(&newest, 64);
	logs_maillog_newest(ml, &newest);
	buf_printf(&target, "%s/", ml->dir);
	dirlen = target.len;
	for (tries = 0; tries < LOGS_MAILLOG_NAME_TRIES; tries++, started++) {
		buf_truncate(&target, dirlen);
		logs_maillog_rolled_name(&target, ml->name, started);
		if (strcmp(target.data + dirlen, newest.data) <= 0) {
			if (tries == 0)
				started = logs_maillog_name_time(newest.data
				    + strlen(ml->name) + 2, started) - 1;
			continue;
		}
		if (lstat(target.data, &st) == -1 && errno == ENOENT)
			break;
	}
	buf_fini(&newest);
	if (tries == LOGS_MAILLOG_NAME_TRIES
	    || rename(ml->path, target.data) == -1) {
		msg_warn("mail log: rename %s to %s: %m", ml->path,
		    target.data);
		buf_fini(&target);
		return (-1);
	}
	buf_fini(&target);
	(void) __atomic_add_fetch(ml->shared, 1, __ATOMIC_RELEASE);
	if (logs_maillog_reopen(ml, now) == -1)
		return (-1);
	logs_maillog_prune(ml);
	return (0);
}

/*
 * logs_maillog_owner - after fork(), lock through a file description of
 * our own: flock(2) locks belong to the open file description, so a
 * child using its parent's would share the parent's lock instead of
 * excluding it.
 */
static int
logs_maillog_owner(struct logs_maillog *ml)
{
	int	fd;

	if (ml->pid == getpid())
		return (0);
	if ((fd = open(ml->lockpath, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		msg_warn("mail log: open %s: %m", ml->lockpath);
		return (-1);
	}
	(void) close(ml->lockfd);
	ml->lockfd = fd;
	ml->pid = getpid();
	return (0);
}

/*
 * logs_maillog_rotate_if - rotate under the exclusive lock; when
 * by_size, only if the file is still over the limit (another process
 * may have rotated it since we looked).
 */
static int
logs_maillog_rotate_if(struct logs_maillog *ml, int by_size)
{
	struct stat st;
	time_t	now = logs_maillog_now(ml);
	int	rc = 0;

	if (ml->fd < 0 || logs_maillog_owner(ml) == -1)
		return (-1);
	if (logs_maillog_flock(ml->lockfd, LOCK_EX) == -1) {
		msg_warn("mail log: lock %s: %m", ml->lockpath);
		return (-1);
	}
	if (logs_maillog_gen(ml) != ml->gen) {
		rc = logs_maillog_reopen(ml, now);
		if (by_size || rc == -1)
			goto out;
	}
	if (by_size) {
		if (fstat(ml->fd, &st) == -1 || (unsigned long long) st.st_size
		    < ml->rotate_size)
			goto out;
	}
	rc = logs_maillog_roll(ml, now);
out:
	(void) logs_maillog_flock(ml->lockfd, LOCK_UN);
	return (rc);
}

/* logs_maillog_follow - once a second, notice a moved or removed file */

static void
logs_maillog_follow(struct logs_maillog *ml, time_t now, int force)
{
	struct stat pst, fst;

	if (!force && now >= ml->checked && now - ml->checked < 1)
		return;
	ml->checked = now;
	if (stat(ml->path, &pst) == 0 && fstat(ml->fd, &fst) == 0
	    && pst.st_dev == fst.st_dev && pst.st_ino == fst.st_ino)
		return;
	if (logs_maillog_flock(ml->lockfd, LOCK_SH) == 0) {
		(void) logs_maillog_reopen(ml, now);
		(void) logs_maillog_flock(ml->lockfd, LOCK_UN);
	}
}

/* logs_maillog_file - append whole lines to the current file */

static int
logs_maillog_file(struct logs_maillog *ml, time_t now, const char *data,
    size_t len)
{
	off_t	end = 0;
	int	rc;

	if (logs_maillog_owner(ml) == -1)
		return (-1);
	if (ml->rotate_req) {
		ml->rotate_req = 0;
		(void) logs_maillog_rotate_if(ml, 0);
	}
	logs_maillog_follow(ml, now, 0);
	if (logs_maillog_flock(ml->lockfd, LOCK_SH) == -1) {
		msg_warn("mail log: lock %s: %m", ml->lockpath);
		return (-1);
	}
	if (logs_maillog_gen(ml) != ml->gen)
		(void) logs_maillog_reopen(ml, now);
	if ((rc = logs_maillog_write_all(ml->fd, data, len)) == -1) {
		if (!ml->failing)
			msg_warn("mail log: write %s: %m", ml->path);
		ml->failing = 1;
	} else {
		ml->failing = 0;
		if (ml->rotate_size)
			end = lseek(ml->fd, 0, SEEK_CUR);
	}
	(void) logs_maillog_flock(ml->lockfd, LOCK_UN);
	if (rc == 0 && ml->rotate_size && end != (off_t) -1
	    && (unsigned long long) end >= ml->rotate_size)
		(void) logs_maillog_rotate_if(ml, 1);
	return (rc);
}

/* logs_maillog_severity - syslog severity of a level */

static int
logs_maillog_severity(enum logs_line_level level)
{
	switch (level) {
	case LOGS_LINE_CRITICAL:
		return (LOG_CRIT);
	case LOGS_LINE_WARNING:
		return (LOG_WARNING);
	case LOGS_LINE_INFO:
		return (LOG_INFO);
	case LOGS_LINE_DEBUG:
	case LOGS_LINE_TRACE:
		return (LOG_DEBUG);
	}
	msg_panic("logs_maillog_severity: bad level %d", (int) level);
}

/* logs_maillog_tcp_connect - (re)connect the TCP syslog socket */

static void
logs_maillog_tcp_connect(struct logs_maillog *ml, time_t now)
{
	if (ml->sfd >= 0 || (now >= ml->connected && now - ml->connected < 1))
		return;
	ml->connected = now;
	ml->sfd = socket(ml->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK
	    | SOCK_CLOEXEC, 0);
	if (ml->sfd == -1)
		return;
	if (connect(ml->sfd, (struct sockaddr *) &ml->sa, ml->salen) == -1
	    && errno != EINPROGRESS) {
		(void) close(ml->sfd);
		ml->sfd = -1;
	}
}

/* logs_maillog_syslog - send one line to the syslog target, never block */

static void
logs_maillog_syslog(struct logs_maillog *ml, time_t now,
    enum logs_line_level level)
{
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	const char *msg;
	struct tm tm;
	ssize_t	n;

	if (localtime_r(&now, &tm) == NULL)
		msg_panic("logs_maillog_syslog: bad time");
	/* The file line minus its time stamp is "Level: message\n". */
	msg = ml->line.data + ml->line_at;
	buf_reset(&ml->sline);
	buf_printf(&ml->sline, "<%d>%s %2d %02d:%02d:%02d %s: ",
	    ml->facility | logs_maillog_severity(level),
	    months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    ml->syslog_name);
	buf_append(&ml->sline, msg, ml->line.len - ml->line_at - 1);

	if (ml->syslog != LOGS_MAILLOG_SYSLOG_TCP) {
		if (sendto(ml->sfd, ml->sline.data, ml->sline.len,
		    MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *) &ml->sa,
		    ml->salen) == -1)
			ml->drops++;
		return;
	}
	logs_maillog_tcp_connect(ml, now);
	if (ml->sfd < 0 || ml->sout.len + ml->sline.len + 1
	    > LOGS_MAILLOG_TCP_MAX) {
		ml->drops++;
		return;
	}
	buf_append(&ml->sout, ml->sline.data, ml->sline.len);
	buf_putc(&ml->sout, '\n');
	n = send(ml->sfd, ml->sout.data, ml->sout.len,
	    MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n > 0) {
		buf_consume(&ml->sout, (size_t) n);
	} else if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK
	    && errno != EINTR && errno != ENOTCONN) {
		ml->drops++;
		buf_reset(&ml->sout);
		(void) close(ml->sfd);
		ml->sfd = -1;
	}
}

/* logs_maillog_syslog_open - make the syslog socket */

static int
logs_maillog_syslog_open(struct logs_maillog *ml,
    const struct logs_maillog_opts *opts, struct buf *why)
{
	struct sockaddr_un *sun;
	struct addrinfo hints, *res;
	int	err;

	if (opts->syslog_addr == NULL) {
		buf_puts(why, "syslog output needs an address");
		return (-1);
	}
	if (opts->syslog == LOGS_MAILLOG_SYSLOG_UNIX) {
		sun = (struct sockaddr_un *) &ml->sa;
		if (strlen(opts->syslog_addr) >= sizeof(sun->sun_path)) {
			buf_printf(why, "syslog socket path too long: %s",
			    opts->syslog_addr);
			return (-1);
		}
		memset(&ml->sa, 0, sizeof(ml->sa));
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, opts->syslog_addr,
		    strlen(opts->syslog_addr) + 1);
		ml->salen = sizeof(*sun);
	} else {
		if (opts->syslog_port == NULL) {
			buf_puts(why, "syslog output needs a port");
			return (-1);
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = opts->syslog == LOGS_MAILLOG_SYSLOG_TCP
		    ? SOCK_STREAM : SOCK_DGRAM;
		if ((err = getaddrinfo(opts->syslog_addr, opts->syslog_port,
		    &hints, &res)) != 0) {
			buf_printf(why, "syslog host %s port %s: %s",
			    opts->syslog_addr, opts->syslog_port,
			    gai_strerror(err));
			return (-1);
		}
		if (res->ai_addrlen > sizeof(ml->sa))
			msg_panic("logs_maillog_syslog_open: address size");
		memcpy(&ml->sa, res->ai_addr, res->ai_addrlen);
		ml->salen = res->ai_addrlen;
		freeaddrinfo(res);
	}
	if (opts->syslog == LOGS_MAILLOG_SYSLOG_TCP) {
		ml->connected = logs_maillog_now(ml) - 2;
		logs_maillog_tcp_connect(ml, logs_maillog_now(ml));
		return (0);
	}
	ml->sfd = socket(ml->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK
	    | SOCK_CLOEXEC, 0);
	if (ml->sfd == -1) {
		buf_printf(why, "syslog socket: %s", strerror(errno));
		return (-1);
	}
	return (0);
}

/* logs_maillog_file_open - lock file, mapping and current file */

static int
logs_maillog_file_open(struct logs_maillog *ml, struct buf *why)
{
	struct stat st;
	void   *map;
	int	rc;

	ml->lockfd = open(ml->lockpath, O_RDWR | O_CREAT | O_CLOEXEC
	    | O_NOFOLLOW, LOGS_MAILLOG_MODE);
	if (ml->lockfd == -1 || fstat(ml->lockfd, &st) == -1) {
		buf_printf(why, "open %s: %s", ml->lockpath, strerror(errno));
		return (-1);
	}
	if (st.st_size < LOGS_MAILLOG_SHARED
	    && ftruncate(ml->lockfd, LOGS_MAILLOG_SHARED) == -1) {
		buf_printf(why, "extend %s: %s", ml->lockpath,
		    strerror(errno));
		return (-1);
	}
	map = mmap(NULL, LOGS_MAILLOG_SHARED, PROT_READ | PROT_WRITE,
	    MAP_SHARED, ml->lockfd, 0);
	if (map == MAP_FAILED) {
		buf_printf(why, "map %s: %s", ml->lockpath, strerror(errno));
		return (-1);
	}
	ml->shared = map;
	ml->pid = getpid();
	if (logs_maillog_flock(ml->lockfd, LOCK_SH) == -1) {
		buf_printf(why, "lock %s: %s", ml->lockpath, strerror(errno));
		return (-1);
	}
	rc = logs_maillog_reopen(ml, logs_maillog_now(ml));
	(void) logs_maillog_flock(ml->lockfd, LOCK_UN);
	if (rc == -1) {
		buf_printf(why, "cannot open %s (see the warning above)",
		    ml->path);
		return (-1);
	}
	return (0);
}

/* logs_maillog_open - start writing a mail log */

struct logs_maillog *
logs_maillog_open(const struct logs_maillog_opts *opts, struct buf *why)
{
	struct logs_maillog *ml = mem_zalloc(1, sizeof(*ml));
	struct buf scratch;
	struct buf serial;

	buf_init(&scratch, 0);
	if (why == NULL)
		why = &scratch;
	ml->fd = ml->lockfd = ml->sfd = -1;
	ml->rotate_size = opts->rotate_size;
	ml->keep = opts->keep;
	ml->level = opts->level;
	ml->style = opts->style;
	ml->clock = opts->clock;
	ml->version = mem_strdup(opts->version ? opts->version
	    : PACKAGE_VERSION);
	if (opts->serial) {
		ml->serial = mem_strdup(opts->serial);
	} else {
		buf_init(&serial, 40);
		logs_head_serial(&serial);
		ml->serial = buf_steal(&serial);
		buf_fini(&serial);
	}
	ml->name = mem_strdup(opts->name ? opts->name : "mail");
	ml->syslog = opts->syslog;
	ml->syslog_name = mem_strdup(opts->syslog_name ? opts->syslog_name
	    : "mail_logs");
	ml->facility = opts->syslog_facility & LOG_FACMASK;
	buf_init(&ml->line, 256);
	buf_init(&ml->held, 0);
	buf_init(&ml->sline, 256);
	buf_init(&ml->sout, 0);

	if (strchr(ml->name, '/') != NULL || ml->name[0] == 0) {
		buf_printf(why, "bad mail log name \"%s\"", ml->name);
		goto bad;
	}
	if (opts->dir) {
		struct buf p;

		ml->dir = mem_strdup(opts->dir);
		buf_init(&p, 128);
		buf_printf(&p, "%s/%s.current", ml->dir, ml->name);
		ml->path = buf_steal(&p);
		buf_printf(&p, "%s/.%s.lock", ml->dir, ml->name);
		ml->lockpath = buf_steal(&p);
		buf_fini(&p);
		if (logs_maillog_file_open(ml, why) == -1)
			goto bad;
	}
	if (ml->syslog != LOGS_MAILLOG_SYSLOG_NONE
	    && logs_maillog_syslog_open(ml, opts, why) == -1)
		goto bad;
	buf_fini(&scratch);
	return (ml);

bad:
	buf_fini(&scratch);
	return (logs_maillog_close(ml));
}

/* logs_maillog_close - stop writing, free everything */

struct logs_maillog *
logs_maillog_close(struct logs_maillog *ml)
{
	if (ml == NULL)
		return (NULL);
	(void) logs_maillog_flush(ml);
	if (ml->fd >= 0)
		(void) close(ml->fd);
	if (ml->shared)
		(void) munmap(ml->shared, LOGS_MAILLOG_SHARED);
	if (ml->lockfd >= 0)
		(void) close(ml->lockfd);
	if (ml->sfd >= 0)
		(void) close(ml->sfd);
	buf_fini(&ml->line);
	buf_fini(&ml->held);
	buf_fini(&ml->sline);
	buf_fini(&ml->sout);
	mem_free(ml->dir);
	mem_free(ml->name);
	mem_free(ml->path);
	mem_free(ml->lockpath);
	mem_free(ml->version);
	mem_free(ml->serial);
	mem_free(ml->syslog_name);
	mem_free(ml);
	return (NULL);
}

/* logs_maillog_enabled - would a line of this level be written */

int
logs_maillog_enabled(const struct logs_maillog *ml,
    enum logs_line_level level)
{
	return (level <= ml->level);
}

/* logs_maillog_hold - let file lines wait for logs_maillog_flush() */

void
logs_maillog_hold(struct logs_maillog *ml, int on)
{
	if (!on)
		(void) logs_maillog_flush(ml);
	ml->hold = on;
}

/* logs_maillog_flush - write the held lines with one write(2) */

int
logs_maillog_flush(struct logs_maillog *ml)
{
	int	rc;

	if (ml->held.len == 0)
		return (0);
	/* After fork(): the lines are the parent's to write. */
	if (ml->held_pid != getpid()) {
		buf_reset(&ml->held);
		return (0);
	}
	rc = logs_maillog_file(ml, logs_maillog_now(ml), ml->held.data,
	    ml->held.len);
	buf_reset(&ml->held);
	return (rc);
}

/* logs_maillog_put - write one line */

int
logs_maillog_put(struct logs_maillog *ml, enum logs_line_level level,
    const char *msg, size_t len)
{
	time_t	now;
	int	rc = 0;

	if (!logs_maillog_enabled(ml, level))
		return (0);
	now = logs_maillog_now(ml);
	buf_reset(&ml->line);
	ml->line_at = logs_maillog_format(&ml->line, now, level, msg, len);
	if (ml->fd >= 0 && ml->hold) {
		if (ml->held.len == 0)
			ml->held_pid = getpid();
		buf_append(&ml->held, ml->line.data, ml->line.len);
		if (ml->held.len >= LOGS_MAILLOG_HOLD_MAX)
			rc = logs_maillog_flush(ml);
	} else if (ml->fd >= 0) {
		rc = logs_maillog_file(ml, now, ml->line.data, ml->line.len);
	}
	if (ml->syslog != LOGS_MAILLOG_SYSLOG_NONE)
		logs_maillog_syslog(ml, now, level);
	return (rc);
}

/* logs_maillog_write - write one line from a buf */

int
logs_maillog_write(struct logs_maillog *ml, enum logs_line_level level,
    const struct buf *msg)
{
	return (logs_maillog_put(ml, level, msg->data, msg->len));
}

/* logs_maillog_rotate_request - rotate at the next write or tick */

void
logs_maillog_rotate_request(struct logs_maillog *ml)
{
	ml->rotate_req = 1;
}

/* logs_maillog_rotate - rotate now */

int
logs_maillog_rotate(struct logs_maillog *ml)
{
	(void) logs_maillog_flush(ml);
	ml->rotate_req = 0;
	return (logs_maillog_rotate_if(ml, 0));
}

/* logs_maillog_tick - periodic work: requested rotation, moved file */

int
logs_maillog_tick(struct logs_maillog *ml)
{
	int	rc = 0;

	ssize_t	n;

	if (ml->syslog == LOGS_MAILLOG_SYSLOG_TCP && ml->sfd >= 0
	    && ml->sout.len > 0) {
		n = send(ml->sfd, ml->sout.data, ml->sout.len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0)
			buf_consume(&ml->sout, (size_t) n);
	}
	if (ml->fd < 0)
		return (0);
	rc = logs_maillog_flush(ml);
	if (logs_maillog_owner(ml) == -1)
		return (-1);
	if (ml->rotate_req && logs_maillog_rotate(ml) == -1)
		rc = -1;
	logs_maillog_follow(ml, logs_maillog_now(ml), 1);
	return (rc);
}

/* logs_maillog_style - the style for this log's formatters */

const struct logs_line_style *
logs_maillog_style(const struct logs_maillog *ml)
{
	return (&ml->style);
}

/* logs_maillog_syslog_drops - syslog messages dropped so far */

unsigned long
logs_maillog_syslog_drops(const struct logs_maillog *ml)
{
	return (ml->drops);
}
