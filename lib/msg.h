/*
 * NAME
 *	msg - diagnostics: info, warnings, errors, fatal and panic
 * SYNOPSIS
 *	#include "msg.h"
 *
 *	extern int msg_verbose;
 *
 *	void	msg_progname(const char *name);
 *	void	msg_info(const char *fmt, ...);
 *	void	msg_warn(const char *fmt, ...);
 *	void	msg_error(const char *fmt, ...);
 *	_Noreturn void msg_fatal(const char *fmt, ...);
 *	_Noreturn void msg_panic(const char *fmt, ...);
 *
 *	typedef void (*msg_sink_fn)(enum msg_level, const char *, void *);
 *	void	msg_sink_set(msg_sink_fn fn, void *ctx);
 *	void	msg_stderr_set(int enable);
 *	void	msg_cleanup_set(void (*fn)(void));
 * DESCRIPTION
 *	These are the process diagnostics (what an operator reads when
 *	something is wrong), not the mail log (logs/maillog). Each call
 *	formats one line and hands it to the sinks: standard error
 *	("progname: warning: text"), and at most one extra sink that a
 *	process plugs in (syslog, a test capture).
 *
 *	msg_fatal() is for a broken environment (cannot open the spool,
 *	bad configuration at start): it runs the cleanup hook and exits
 *	with status 1. msg_panic() is for our own bug ("cannot happen"):
 *	it aborts so that a core dump shows where. msg_error() reports an
 *	error and returns; the caller decides.
 *
 *	Formats are printf formats; %m is the text of errno.
 * DIAGNOSTICS
 *	A recursive fatal or panic (from a sink or the cleanup hook) aborts
 *	at once.
 */
#ifndef MSG_H
#define MSG_H

#include <stdarg.h>

#define MSG_PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))

enum msg_level {
	MSG_INFO,
	MSG_WARN,
	MSG_ERROR,
	MSG_FATAL,
	MSG_PANIC,
};

typedef void (*msg_sink_fn)(enum msg_level, const char *, void *);

extern int msg_verbose;

void	msg_progname(const char *);
const char *msg_get_progname(void);
void	msg_info(const char *, ...) MSG_PRINTFLIKE(1, 2);
void	msg_warn(const char *, ...) MSG_PRINTFLIKE(1, 2);
void	msg_error(const char *, ...) MSG_PRINTFLIKE(1, 2);
_Noreturn void msg_fatal(const char *, ...) MSG_PRINTFLIKE(1, 2);
_Noreturn void msg_panic(const char *, ...) MSG_PRINTFLIKE(1, 2);
void	msg_vprintf(enum msg_level, const char *, va_list);
void	msg_sink_set(msg_sink_fn, void *);
void	msg_stderr_set(int);
void	msg_cleanup_set(void (*)(void));

#endif
