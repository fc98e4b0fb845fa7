/*
 * NAME
 *	mta_log - open the mail log as the configuration says
 * DESCRIPTION
 *	See mta_log.h. The configured path names the current file,
 *	"<dir>/<name>.current" as AsyncOS names it; a path without that
 *	suffix is taken whole as the name.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

#include "conf.h"
#include "logs_maillog.h"

#include "mta_log.h"

/* A log written in batches by an event loop. */
struct mta_log_batch {
	uv_prepare_t prepare;		/* runs before the loop waits */
	struct logs_maillog *ml;
	struct mta_log_batch *next;
};

static struct mta_log_batch *mta_log_batches;

static const int mta_log_facility[] = {
	[CONF_FACILITY_MAIL] = LOG_MAIL,
	[CONF_FACILITY_DAEMON] = LOG_DAEMON,
	[CONF_FACILITY_USER] = LOG_USER,
	[CONF_FACILITY_LOCAL0] = LOG_LOCAL0,
	[CONF_FACILITY_LOCAL1] = LOG_LOCAL1,
	[CONF_FACILITY_LOCAL2] = LOG_LOCAL2,
	[CONF_FACILITY_LOCAL3] = LOG_LOCAL3,
	[CONF_FACILITY_LOCAL4] = LOG_LOCAL4,
	[CONF_FACILITY_LOCAL5] = LOG_LOCAL5,
	[CONF_FACILITY_LOCAL6] = LOG_LOCAL6,
	[CONF_FACILITY_LOCAL7] = LOG_LOCAL7,
};

/* mta_log_syslog - parse "/dev/log", "udp:host:port", "tcp:host:port" */

static void
mta_log_syslog(const struct conf *cf, struct logs_maillog_opts *opts,
    char **host, char **port)
{
	struct str target = str_from(cf->log.syslog.target);
	size_t	colon;

	opts->syslog_name = cf->log.syslog.name;
	opts->syslog_facility = mta_log_facility[cf->log.syslog.facility];
	if (str_caseprefix(target, STR_LIT("udp:"))
	    || str_caseprefix(target, STR_LIT("tcp:"))) {
		struct str rest = str_make(target.ptr + 4, target.len - 4);

		opts->syslog = target.ptr[0] == 'u' || target.ptr[0] == 'U'
		    ? LOGS_MAILLOG_SYSLOG_UDP : LOGS_MAILLOG_SYSLOG_TCP;
		if (str_rchr(rest, ':', &colon)) {
			*host = str_dup(str_make(rest.ptr, colon));
			*port = str_dup(str_make(rest.ptr + colon + 1,
			    rest.len - colon - 1));
		} else {
			*host = str_dup(rest);
			*port = mem_strdup("514");
		}
		opts->syslog_addr = *host;
		opts->syslog_port = *port;
	} else {
		opts->syslog = LOGS_MAILLOG_SYSLOG_UNIX;
		opts->syslog_addr = cf->log.syslog.target;
	}
}

/* mta_log_open - open the mail log */

struct logs_maillog *
mta_log_open(const struct conf *cf, struct buf *why)
{
	struct logs_maillog_opts opts;
	struct logs_maillog *ml;
	struct str path = str_from(cf->log.mail_log);
	struct str base;
	size_t	slash;
	char   *dir;
	char   *name;
	char   *host = NULL;
	char   *port = NULL;

	if (str_rchr(path, '/', &slash)) {
		dir = str_dup(str_make(path.ptr, slash ? slash : 1));
		base = str_make(path.ptr + slash + 1, path.len - slash - 1);
	} else {
		dir = mem_strdup(".");
		base = path;
	}
	if (str_casesuffix(base, STR_LIT(".current")))
		base.len -= sizeof(".current") - 1;
	name = str_dup(base);
	logs_maillog_opts_init(&opts);
	opts.dir = dir;
	opts.name = name;
	opts.rotate_size = (unsigned long long) cf->log.rotate_size;
	opts.keep = (unsigned) cf->log.keep;
	opts.style.dialect = cf->log.dialect == CONF_LOG_ASYNCOS4
	    ? LOGS_LINE_ASYNCOS4 : LOGS_LINE_MODERN;
	opts.style.sslnames = cf->log.openssl_error_style == CONF_OPENSSL_101
	    ? LOGS_LINE_SSL_101 : LOGS_LINE_SSL_111;
	opts.style.ip_space = cf->log.connection_error_ip_space;
	if (cf->log.syslog.enabled)
		mta_log_syslog(cf, &opts, &host, &port);
	ml = logs_maillog_open(&opts, why);
	mem_free(host);
	mem_free(port);
	mem_free(name);
	mem_free(dir);
	return (ml);
}

/* mta_log_line - write a formatted line and empty the buffer */

void
mta_log_line(struct logs_maillog *ml, enum logs_line_level level,
    struct buf *line)
{
	if (ml)
		(void) logs_maillog_write(ml, level, line);
	buf_reset(line);
}

/* mta_log_flush_all - write every batch now: at exit, or msg_fatal() */

static void
mta_log_flush_all(void)
{
	struct mta_log_batch *b;

	for (b = mta_log_batches; b; b = b->next)
		(void) logs_maillog_flush(b->ml);
}

/* mta_log_prepare - the loop is about to wait: write the batch */

static void
mta_log_prepare(uv_prepare_t *handle)
{
	struct mta_log_batch *b = handle->data;

	(void) logs_maillog_flush(b->ml);
}

/* mta_log_open_loop - open the mail log, written in batches by loop */

struct logs_maillog *
mta_log_open_loop(uv_loop_t *loop, const struct conf *cf, struct buf *why)
{
	static int hooked;
	struct logs_maillog *ml;
	struct mta_log_batch *b;

	if ((ml = mta_log_open(cf, why)) == NULL)
		return (NULL);
	if (!hooked) {
		if (atexit(mta_log_flush_all) != 0)
			msg_fatal("mta_log_open_loop: atexit failed");
		msg_cleanup_set(mta_log_flush_all);
		hooked = 1;
	}
	b = mem_zalloc(1, sizeof(*b));
	b->ml = ml;
	(void) uv_prepare_init(loop, &b->prepare);
	b->prepare.data = b;
	(void) uv_prepare_start(&b->prepare, mta_log_prepare);
	/* It has work only while something else keeps the loop going. */
	uv_unref((uv_handle_t *) &b->prepare);
	b->next = mta_log_batches;
	mta_log_batches = b;
	logs_maillog_hold(ml, 1);
	return (ml);
}

/* mta_log_batch_closed - free a batch once its handle is closed */

static void
mta_log_batch_closed(uv_handle_t *handle)
{
	mem_free(handle->data);
}

/* mta_log_close - write what is held, close the log */

struct logs_maillog *
mta_log_close(struct logs_maillog *ml)
{
	struct mta_log_batch **bp;
	struct mta_log_batch *b;

	if (ml == NULL)
		return (NULL);
	for (bp = &mta_log_batches; (b = *bp) != NULL; bp = &b->next) {
		if (b->ml == ml) {
			*bp = b->next;
			(void) uv_prepare_stop(&b->prepare);
			uv_close((uv_handle_t *) &b->prepare,
			    mta_log_batch_closed);
			break;
		}
	}
	return (logs_maillog_close(ml));
}
