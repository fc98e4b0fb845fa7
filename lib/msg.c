/*
 * NAME
 *	msg - diagnostics: info, warnings, errors, fatal and panic
 * DESCRIPTION
 *	See msg.h. Lines are formatted into a fixed stack buffer so that a
 *	diagnostic never allocates (it may report an allocation failure);
 *	an over-long line is cut and marked with "...".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

#define MSG_LINE_MAX	2048

int	msg_verbose;

static const char *msg_name = "mtad";
static msg_sink_fn msg_sink;
static void *msg_sink_ctx;
static int msg_to_stderr = 1;
static void (*msg_cleanup)(void);
static int msg_dying;

static const char *const msg_prefix[] = {
	[MSG_INFO] = "",
	[MSG_WARN] = "warning: ",
	[MSG_ERROR] = "error: ",
	[MSG_FATAL] = "fatal: ",
	[MSG_PANIC] = "panic: ",
};

/* msg_progname - set the name that prefixes every line */

void
msg_progname(const char *name)
{
	msg_name = name;
}

/* msg_get_progname - the current program name */

const char *
msg_get_progname(void)
{
	return (msg_name);
}

/* msg_sink_set - install the extra sink (NULL removes it) */

void
msg_sink_set(msg_sink_fn fn, void *ctx)
{
	msg_sink = fn;
	msg_sink_ctx = ctx;
}

/* msg_stderr_set - enable or disable the standard error sink */

void
msg_stderr_set(int enable)
{
	msg_to_stderr = enable;
}

/* msg_cleanup_set - install the hook that msg_fatal() runs before exit */

void
msg_cleanup_set(void (*fn)(void))
{
	msg_cleanup = fn;
}

/* msg_vprintf - format one diagnostic and hand it to the sinks */

void
msg_vprintf(enum msg_level level, const char *fmt, va_list ap)
{
	char	text[MSG_LINE_MAX];
	int	saved_errno = errno;
	int	n;

	errno = saved_errno;			/* for %m */
	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		(void) snprintf(text, sizeof(text), "(unformattable: %s)", fmt);
	else if ((size_t) n >= sizeof(text))
		memcpy(text + sizeof(text) - 4, "...", 4);
	if (msg_to_stderr) {
		(void) fprintf(stderr, "%s: %s%s\n", msg_name,
		    msg_prefix[level], text);
		(void) fflush(stderr);
	}
	if (msg_sink)
		msg_sink(level, text, msg_sink_ctx);
	errno = saved_errno;
}

/* msg_info - informational diagnostic */

void
msg_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	msg_vprintf(MSG_INFO, fmt, ap);
	va_end(ap);
}

/* msg_warn - something odd that we recovered from */

void
msg_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	msg_vprintf(MSG_WARN, fmt, ap);
	va_end(ap);
}

/* msg_error - an error that the caller handles */

void
msg_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	msg_vprintf(MSG_ERROR, fmt, ap);
	va_end(ap);
}

/* msg_fatal - broken environment: clean up and exit 1 */

void
msg_fatal(const char *fmt, ...)
{
	va_list	ap;

	if (msg_dying++)
		abort();
	va_start(ap, fmt);
	msg_vprintf(MSG_FATAL, fmt, ap);
	va_end(ap);
	if (msg_cleanup)
		msg_cleanup();
	_exit(1);
}

/* msg_panic - our own bug: abort for a core dump */

void
msg_panic(const char *fmt, ...)
{
	va_list	ap;

	if (msg_dying++)
		abort();
	va_start(ap, fmt);
	msg_vprintf(MSG_PANIC, fmt, ap);
	va_end(ap);
	abort();
}
