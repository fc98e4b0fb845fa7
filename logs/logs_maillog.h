/*
 * NAME
 *	logs_maillog - write the AsyncOS text mail log: file, rotation, syslog
 * SYNOPSIS
 *	#include "logs_maillog.h"
 *
 *	enum logs_maillog_syslog {
 *		LOGS_MAILLOG_SYSLOG_NONE, LOGS_MAILLOG_SYSLOG_UNIX,
 *		LOGS_MAILLOG_SYSLOG_UDP, LOGS_MAILLOG_SYSLOG_TCP
 *	};
 *
 *	struct logs_maillog_opts {
 *		const char *dir;
 *		const char *name;
 *		unsigned long long rotate_size;
 *		unsigned keep;
 *		enum logs_line_level level;
 *		struct logs_line_style style;
 *		const char *version;
 *		const char *serial;
 *		enum logs_maillog_syslog syslog;
 *		const char *syslog_addr;
 *		const char *syslog_port;
 *		const char *syslog_name;
 *		int	syslog_facility;
 *		time_t	(*clock)(void);
 *	};
 *
 *	void	logs_maillog_opts_init(struct logs_maillog_opts *opts);
 *	struct logs_maillog *logs_maillog_open(
 *		    const struct logs_maillog_opts *opts, struct buf *why);
 *	struct logs_maillog *logs_maillog_close(struct logs_maillog *ml);
 *	int	logs_maillog_write(struct logs_maillog *ml,
 *		    enum logs_line_level level, const struct buf *msg);
 *	int	logs_maillog_put(struct logs_maillog *ml,
 *		    enum logs_line_level level, const char *msg, size_t len);
 *	void	logs_maillog_hold(struct logs_maillog *ml, int on);
 *	int	logs_maillog_flush(struct logs_maillog *ml);
 *	void	logs_maillog_rotate_request(struct logs_maillog *ml);
 *	int	logs_maillog_rotate(struct logs_maillog *ml);
 *	int	logs_maillog_tick(struct logs_maillog *ml);
 *	const struct logs_line_style *logs_maillog_style(
 *		    const struct logs_maillog *ml);
 *	int	logs_maillog_enabled(const struct logs_maillog *ml,
 *		    enum logs_line_level level);
 *	void	logs_maillog_rolled_name(struct buf *bp, const char *name,
 *		    time_t started);
 *	unsigned long logs_maillog_syslog_drops(
 *		    const struct logs_maillog *ml);
 * DESCRIPTION
 *	A mail log is written by several processes at once (listeners,
 *	queue manager, delivery workers), each with its own struct
 *	logs_maillog on the same directory. Lines are never torn or lost,
 *	also across rotation:
 *	.IP \(bu
 *	the current file is <dir>/<name>.current (name "mail" by default),
 *	opened O_APPEND|O_CLOEXEC, mode 0640; a line is formatted in full
 *	("Www Mmm dd HH:MM:SS YYYY Level: message\en", local time, day of
 *	month padded with a space) and written with one write(2);
 *	.IP \(bu
 *	a new file starts with "Begin Logfile", "Version: <version> SN:
 *	<serial>" and "Time offset from UTC: <N> seconds" (logs_head(3));
 *	.IP \(bu
 *	a rolled file is <dir>/<name>.@<YYYYMMDDTHHMMSS>.s, named after
 *	the local time at which it was begun (read from its first line;
 *	the time of the rotation if that cannot be read), as AsyncOS names
 *	them (mail.@20240117T201106.s); if that name is taken or would
 *	not sort after the newest rolled file (several rotations in one
 *	second, a clock stepped back, the hour repeated when daylight
 *	saving time ends), the next second that does is used, so name
 *	order is age order. A rolled file never grows again.
 *	.IP \(bu
 *	the processes coordinate through <dir>/.<name>.lock: a writer
 *	holds a shared flock(2) on it for the length of one write, the
 *	process that rotates holds it exclusively while it renames the
 *	file, creates the new one with its header and removes the rolled
 *	files beyond keep. The lock file also holds a rotation counter
 *	(mapped in memory), so a writer notices a rotation before its
 *	next line at no cost and reopens. Once a second a writer also
 *	compares the inode of the path with its open file, to follow a
 *	file that something else moved or removed.
 *	.PP
 *	A struct logs_maillog may be used on both sides of a fork(2): the
 *	child notices and takes a lock of its own before its first line.
 *	It is not for use by several threads at once.
 *
 *	logs_maillog_opts_init() fills opts with the defaults: no file
 *	(dir null), name "mail", rotate_size 10 MiB (0: no size limit),
 *	keep 30 (0: keep every rolled file), level Info, the default style
 *	(logs_line(3)), version PACKAGE_VERSION, serial from
 *	logs_head_serial(), no syslog, syslog_name "mail_logs",
 *	syslog_facility LOG_MAIL, clock time(3). The strings are not
 *	copied by logs_maillog_opts_init(); logs_maillog_open() copies
 *	what it keeps.
 *
 *	Syslog output, when selected, sends every line also as
 *	"<PRI>Mmm dd HH:MM:SS <syslog_name>: <Level>: <message>", the
 *	AsyncOS syslog push form (PRI is syslog_facility | severity as
 *	in <syslog.h>, so mail.info is <22>; the day is padded with a
 *	space; no year, no host name): to the datagram socket at the
 *	path syslog_addr (UNIX), to syslog_addr:syslog_port over UDP, or
 *	over TCP with a newline after each message. Sending never
 *	blocks: a message the socket cannot take now is dropped and
 *	counted; a broken TCP connection is retried at most once a
 *	second, and logs_maillog_tick() sends what a busy one left.
 *
 *	logs_maillog_open() opens (or creates, with its header) the
 *	current file and the syslog socket. It returns null and puts the
 *	reason in why (when not null) when that fails.
 *	logs_maillog_close() closes and frees, returning null.
 *
 *	logs_maillog_write() writes one line at the given level with the
 *	message part in msg (as a formatter produced it). Control bytes
 *	in the message are written as \exNN, so a line is always one
 *	line. A line below the configured level is dropped.
 *	logs_maillog_put() is the same for len bytes at msg. Both return
 *	0, or -1 when the file write failed (the error is reported once
 *	with msg_warn(), and the line still goes to syslog). A requested
 *	rotation is done before the line is written; after it, the file
 *	is rotated if it has reached rotate_size.
 *
 *	logs_maillog_hold() with on set makes file lines wait in memory
 *	until logs_maillog_flush(), which writes them all, in order, with
 *	one write(2) under one shared lock; an event loop flushes before
 *	it waits for events, so a busy process makes a few system calls
 *	per batch of lines instead of five per line. Syslog lines are sent
 *	at once all the same. Held lines are flushed when they reach 64
 *	KiB, by logs_maillog_tick(), logs_maillog_rotate(), and
 *	logs_maillog_close(), and by logs_maillog_hold() turning holding
 *	off; a child after fork() drops its parent's. While holding,
 *	logs_maillog_put() returns 0 and a write error surfaces at the
 *	flush, which returns -1 (reported once with msg_warn()).
 *
 *	logs_maillog_rotate_request() asks for a rotation at the next
 *	write or tick; it only stores a flag, so a signal handler may
 *	call it. Each request rotates once: ask one process, not all.
 *	logs_maillog_rotate() rotates now and returns 0, or -1
 *	with a warning. logs_maillog_tick() is for a periodic timer: it
 *	performs a requested rotation, follows a moved file and sends
 *	syslog bytes that a busy TCP connection did not take.
 *
 *	logs_maillog_style() returns the style the formatters should use.
 *	logs_maillog_enabled() tells whether lines of a level would be
 *	written (to skip formatting Debug lines).
 *
 *	logs_maillog_rolled_name() appends the file name (no directory)
 *	of a rolled log begun at started. logs_maillog_syslog_drops()
 *	counts the syslog messages dropped so far.
 * SECURITY
 *	Files are created mode 0640 (before the umask) and opened without
 *	following symbolic links. The directory should be writable only
 *	by the mail system's user. Nothing in a message part can end a
 *	line early.
 */
#ifndef LOGS_MAILLOG_H
#define LOGS_MAILLOG_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "logs_line.h"

enum logs_maillog_syslog {
	LOGS_MAILLOG_SYSLOG_NONE,
	LOGS_MAILLOG_SYSLOG_UNIX,
	LOGS_MAILLOG_SYSLOG_UDP,
	LOGS_MAILLOG_SYSLOG_TCP,
};

struct logs_maillog_opts {
	const char *dir;		/* null: no file */
	const char *name;		/* "mail" */
	unsigned long long rotate_size;	/* bytes; 0: never by size */
	unsigned keep;			/* rolled files kept; 0: all */
	enum logs_line_level level;	/* least severe level written */
	struct logs_line_style style;
	const char *version;		/* Version: line */
	const char *serial;		/* null: logs_head_serial() */
	enum logs_maillog_syslog syslog;
	const char *syslog_addr;	/* socket path, or host */
	const char *syslog_port;	/* UDP/TCP port */
	const char *syslog_name;	/* "mail_logs" */
	int	syslog_facility;	/* LOG_MAIL */
	time_t	(*clock)(void);		/* null: time(3) */
};

struct logs_maillog;

void	logs_maillog_opts_init(struct logs_maillog_opts *);
struct logs_maillog *logs_maillog_open(const struct logs_maillog_opts *,
	    struct buf *);
struct logs_maillog *logs_maillog_close(struct logs_maillog *);
int	logs_maillog_write(struct logs_maillog *, enum logs_line_level,
	    const struct buf *);
int	logs_maillog_put(struct logs_maillog *, enum logs_line_level,
	    const char *, size_t);
void	logs_maillog_hold(struct logs_maillog *, int);
int	logs_maillog_flush(struct logs_maillog *);
void	logs_maillog_rotate_request(struct logs_maillog *);
int	logs_maillog_rotate(struct logs_maillog *);
int	logs_maillog_tick(struct logs_maillog *);
const struct logs_line_style *logs_maillog_style(const struct logs_maillog *);
int	logs_maillog_enabled(const struct logs_maillog *,
	    enum logs_line_level);
void	logs_maillog_rolled_name(struct buf *, const char *, time_t);
unsigned long logs_maillog_syslog_drops(const struct logs_maillog *);

#endif
