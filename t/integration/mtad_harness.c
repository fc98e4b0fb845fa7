/*
 * NAME
 *	mtad_harness - run a real mtad for an integration test
 * DESCRIPTION
 *	See mtad_harness.h.
 */
#include "config.h"

#include <regex.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"

#include "dns_unbound.h"
#include "mtad_harness.h"
#include "tsupport.h"

/* mtad_indent - text with every line indented by prefix */

static void
mtad_indent(struct buf *out, const char *text, const char *prefix)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t	len = nl ? (size_t) (nl - p) : strlen(p);

		buf_puts(out, prefix);
		buf_append(out, p, len);
		buf_putc(out, '\n');
		p = nl ? nl + 1 : NULL;
	}
}

/* mtad_config - the configuration text of an instance */

static void
mtad_config(const struct mtad_inst *mi, const struct mtad_spec *spec,
    struct buf *cf)
{
	buf_printf(cf, "%shostname: mx.test.example\n"
	    "spool_dir: %s\nprocesses:\n  listeners: %d\n  delivery: %d\n"
	    "log:\n  mail_log: %s\n%s"
	    "dns:\n  servers: [\"%s\"]\n  timeout: 2s\n"
	    "certificates:\n  demo:\n    cert: %s/certs/demo.crt\n"
	    "    key: %s/certs/demo.key\n    generate: true\n",
	    spec->top && strstr(spec->top, "user:") ? "" : "user: \"\"\n",
	    mi->spool, spec->listeners > 0 ? spec->listeners : 1,
	    spec->delivery, mi->log, spec->log ? spec->log : "",
	    mi->dns->server, mi->dir, mi->dir);
	if (spec->top)
		buf_puts(cf, spec->top);
	buf_printf(cf, "listeners:\n  - name: IncomingMail\n"
	    "    interface: Data 1\n    address: 127.0.0.1\n    port: %d\n"
	    "    type: public\n    certificate: demo\n", mi->port);
	mtad_indent(cf, spec->listener, "    ");
}

/*
 * mtad_launch - start mtad and wait until its master has bound the
 * port (it says "spool:" after that) and its queue manager has scanned
 * the spool; 1 when it runs, 0 when the port was taken and retry allows
 * another try
 */
static int
mtad_launch(struct mtad_inst *mi, int retry)
{
	const char *argv[4];
	const char *err = tsup_tmp_path("mtad.err");
	int	status;
	int	waits = tsup_deadline_ms() / 50;
	int	bound, scanned, in_use;

	/*
	 * Every instance of a test appends to the same file: wait for the
	 * lines of this one, beyond those of the instances before it.
	 */
	bound = tsup_log_grep(err, TSUP_LOG_SUBSTR, "mtad: spool: ", NULL);
	scanned = tsup_log_grep(err, TSUP_LOG_SUBSTR, "mtad/qmgr: spool ",
	    NULL);
	in_use = tsup_log_grep(err, TSUP_LOG_SUBSTR, "Address already in use",
	    NULL);
	argv[0] = tsup_proc_bin("mtad");
	argv[1] = "-c";
	argv[2] = mi->config;
	argv[3] = NULL;
	mi->proc = tsup_proc_spawn("mtad", argv, NULL);
	if (strcmp(err, tsup_proc_err_path(mi->proc)) != 0)
		tsup_fail("mtad's standard error is %s, not %s",
		    tsup_proc_err_path(mi->proc), err);
	for (;;) {
		if (tsup_log_grep(err, TSUP_LOG_SUBSTR, "mtad: spool: ",
		    NULL) > bound)
			break;
		if (--waits < 0)
			tsup_fail("mtad did not bind its port in time; see %s",
			    err);
		if (tsup_proc_wait(mi->proc, 50, &status) == 0) {
			if (retry && tsup_log_grep(err, TSUP_LOG_SUBSTR,
			    "Address already in use", NULL) > in_use)
				return (0);
			tsup_fail("mtad exited at start (status 0x%x); see %s",
			    status, err);
		}
	}
	tsup_proc_wait_port(mi->proc, mi->port, tsup_deadline_ms());

	/* The spool's directories exist once the queue manager scanned. */
	for (waits = tsup_deadline_ms() / 50; tsup_log_grep(err,
	    TSUP_LOG_SUBSTR, "mtad/qmgr: spool ", NULL) <= scanned; waits--) {
		if (waits < 0)
			tsup_fail("the queue manager did not scan its spool in "
			    "time; see %s", err);
		(void) usleep(50000);
	}
	return (1);
}

/* mtad_start - configure and start an instance */

struct mtad_inst *
mtad_start(const struct mtad_spec *spec)
{
	struct mtad_inst *mi = mem_zalloc(1, sizeof(*mi));
	struct buf *cf = buf_new(0);
	struct buf *zone = buf_new(0);
	struct buf *why = buf_new(0);
	int	attempt;

	mi->dir = tsup_tmp_mkdir("mtad");
	mi->spool = spec->spool ? spec->spool : tsup_strf("%s/spool",
	    mi->dir);
	mi->log = tsup_strf("%s/log/mail.current", mi->dir);

	buf_puts(zone, "local-zone: \"test.\" static\n"
	    "local-data-ptr: \"127.0.0.1 localhost.test.\"\n"
	    "local-data: \"localhost.test. A 127.0.0.1\"\n");
	if (spec->zone)
		buf_puts(zone, spec->zone);
	if ((mi->dns = dns_unbound_start(zone->data, why)) == NULL)
		tsup_fail("cannot start unbound: %s", why->data);
	if (spec->top && strstr(spec->top, "user:")) {
		/* The unprivileged user must reach its spool and log. */
		(void) chmod(tsup_tmp_dir(), 0755);
		(void) chmod(mi->dir, 0755);
	}

	/*
	 * The port was free a moment ago; a test running beside this one
	 * may take it first. mtad then cannot bind it: try another.
	 */
	for (attempt = 1;; attempt++) {
		mi->port = tsup_port_free();
		buf_reset(cf);
		mtad_config(mi, spec, cf);
		mi->config = tsup_tmp_write(tsup_strf("%s.yaml",
		    strrchr(mi->dir, '/') + 1), cf->data, cf->len);
		if (mtad_launch(mi, attempt < 5))
			break;
	}
	buf_free(cf);
	buf_free(zone);
	buf_free(why);
	return (mi);
}

/* mtad_restart - start mtad on the instance's configuration */

void
mtad_restart(struct mtad_inst *mi)
{
	(void) mtad_launch(mi, 0);
}

/* mtad_port_open - does something accept connections on the port */

static int
mtad_port_open(int port)
{
	struct sockaddr_in sin;
	int	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int	ok;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short) port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0;
	if (fd >= 0)
		(void) close(fd);
	return (ok);
}

/* mtad_greets - one connection that gets "220 " within five seconds */

static int
mtad_greets(int port)
{
	struct sockaddr_in sin;
	struct timeval tv = {5, 0};		/* classification takes a moment */
	char	reply[512];
	ssize_t	n;
	int	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int	ok = 0;

	if (fd < 0)
		return (0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short) port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0
	    && (n = read(fd, reply, sizeof(reply) - 1)) >= 4) {
		ok = memcmp(reply, "220 ", 4) == 0;
		(void) write(fd, "QUIT\r\n", 6);
	}
	(void) close(fd);
	return (ok);
}

/* mtad_wait_ready - wait until new connections are greeted */

void
mtad_wait_ready(const struct mtad_inst *mi)
{
	int	waited;

	/* Long enough for two throttle periods of a crash-looping role. */
	for (waited = 0; waited < 6 * tsup_deadline_ms(); waited += 100) {
		if (mtad_greets(mi->port))
			return;
		(void) usleep(100000);
	}
	tsup_fail("mtad on port %d did not greet a client in time", mi->port);
}

/* mtad_crash - SIGKILL the master and every child at once */

void
mtad_crash(struct mtad_inst *mi)
{
	int	status;

	(void) kill(-tsup_proc_pid(mi->proc), SIGKILL);
	(void) tsup_proc_wait(mi->proc, tsup_deadline_ms(), &status);
	while (mtad_port_open(mi->port))	/* children still dying */
		(void) usleep(10000);
}

/* mtad_children - the master's child processes */

int
mtad_children(const struct mtad_inst *mi, pid_t *pids, int max)
{
	struct buf *out = buf_new(0);
	const char *p;
	int	n = 0;

	(void) tsup_run_sh(out, tsup_deadline_ms(), "pgrep -P %ld",
	    (long) tsup_proc_pid(mi->proc));
	for (p = out->data; *p && n < max;) {
		char   *end;
		long	pid = strtol(p, &end, 10);

		if (end == p)
			break;
		pids[n++] = (pid_t) pid;
		p = end;
		while (*p == '\n')
			p++;
	}
	buf_free(out);
	return (n);
}

/*
 * mtad_log_check - every line the instance wrote passes the grammar and
 * the stream rules of "mtactl log check" (warnings allowed)
 */
static void
mtad_log_check(const struct mtad_inst *mi)
{
	struct buf *out = buf_new(0);
	const char *argv[5];
	char   *dir = mem_strdup(mi->log);
	int	rc;

	*strrchr(dir, '/') = 0;
	argv[0] = tsup_proc_bin("mtactl");
	argv[1] = "log";
	argv[2] = "check";
	argv[3] = dir;
	argv[4] = NULL;
	rc = tsup_run(argv, NULL, 0, 0, out);
	if (rc != 0)
		tsup_fail("mtactl log check %s: status %d:\n%s", dir, rc,
		    out->data ? out->data : "");
	mem_free(dir);
	buf_free(out);
}

/* mtad_stop - SIGTERM, and a clean exit */

void
mtad_stop(struct mtad_inst *mi)
{
	int	status = 0;

	tsup_proc_signal(mi->proc, SIGTERM);
	if (tsup_proc_wait(mi->proc, tsup_deadline_ms(), &status) != 0)
		tsup_fail("mtad did not stop within the deadline");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		tsup_fail("mtad stopped with status 0x%x", status);
	mtad_log_check(mi);
	dns_unbound_stop(mi->dns);
	mem_free(mi);
}

/* mtad_queued - committed messages in the spool */

int
mtad_queued(const struct mtad_inst *mi)
{
	const char *active = tsup_strf("%s/active", mi->spool);
	const char *deferred = tsup_strf("%s/deferred", mi->spool);
	int	before, after, in_deferred;
	int	tries;

	/*
	 * The queue manager moves envelopes between the two directories
	 * while they are read: a count is taken when active/ read the same
	 * before and after deferred/.
	 */
	for (tries = 0; tries < 100; tries++) {
		before = tsup_spool_count(active, "");
		in_deferred = tsup_spool_count(deferred, "");
		after = tsup_spool_count(active, "");
		if (before == after)
			return (after + in_deferred);
		(void) usleep(10000);
	}
	tsup_fail("the spool of %s never held still", mi->spool);
	return (-1);
}

/* mtad_subst - replace every match of regex in s by repl */

const char *
mtad_subst(const char *s, const char *regex, const char *repl)
{
	struct buf *out = buf_new(0);
	regmatch_t m;
	regex_t	re;
	const char *p = s;
	const char *result;

	if (regcomp(&re, regex, REG_EXTENDED) != 0)
		tsup_fail("bad regex %s", regex);
	while (*p && regexec(&re, p, 1, &m, p == s ? 0 : REG_NOTBOL) == 0) {
		buf_append(out, p, (size_t) m.rm_so);
		buf_puts(out, repl);
		if (m.rm_eo == 0) {
			buf_putc(out, *p);
			p++;
		} else
			p += m.rm_eo;
	}
	buf_puts(out, p);
	regfree(&re);
	result = tsup_strf("%s", out->data);
	buf_free(out);
	return (result);
}

/* mtad_lines - every mail log line matching regex, masked, one string */

const char *
mtad_lines(const struct mtad_inst *mi, const char *regex,
    const char *(*mask)(const char *))
{
	struct buf *lines = buf_new(0);
	struct buf *masked = buf_new(0);
	const char *p;
	const char *result;

	(void) tsup_log_grep(mi->log, TSUP_LOG_REGEX, regex, lines);
	for (p = lines->data; p && *p;) {
		const char *nl = strchr(p, '\n');
		const char *line = tsup_strf("%.*s", (int) (nl ? nl - p
		    : (long) strlen(p)), p);

		buf_printf(masked, "%s\n", mask ? mask(line) :
		    tsup_log_mask(line));
		p = nl ? nl + 1 : p + strlen(p);
	}
	result = tsup_strf("%s", masked->len ? masked->data : "");
	buf_free(lines);
	buf_free(masked);
	return (result);
}

/* mtad_mask_delivery - tsup_log_mask(), and ports and retry times too */

const char *
mtad_mask_delivery(const char *line)
{
	const char *s = tsup_log_mask(line);

	s = mtad_subst(s, "port [0-9]+", "port P");
	s = mtad_subst(s, "port: [0-9]+", "port: P");
	s = mtad_subst(s, "Message [0-9]+ to", "Message N to");
	s = mtad_subst(s, "pending till .*$", "pending till TIME");
	return (s);
}

/* mtad_send - one message in with swaks; its MID */

unsigned long
mtad_send(const struct mtad_inst *mi, const char *args)
{
	const char *out;
	const char *p;
	int	status;

	out = mtad_swaks(mi, &status, "%s", args);
	if (status != 0)
		tsup_fail("swaks %s failed:\n%s", args, out);
	if ((p = strstr(out, "queued as ")) == NULL)
		tsup_fail("no queue id in:\n%s", out);
	return (strtoul(p + 10, NULL, 10));
}

/* mtad_wait_log - wait for a mail log line */

const char *
mtad_wait_log(const struct mtad_inst *mi, const char *regex)
{
	return (tsup_log_wait(mi->log, TSUP_LOG_REGEX, regex,
	    tsup_deadline_ms()));
}

/* mtad_wait_text - wait for a mail log line holding text */

const char *
mtad_wait_text(const struct mtad_inst *mi, const char *text)
{
	return (tsup_log_wait(mi->log, TSUP_LOG_SUBSTR, text,
	    tsup_deadline_ms()));
}

/* mtad_log_count - matching mail log lines now */

int
mtad_log_count(const struct mtad_inst *mi, const char *regex)
{
	return (tsup_log_grep(mi->log, TSUP_LOG_REGEX, regex, NULL));
}

/* mtad_swaks - run swaks against the instance */

const char *
mtad_swaks(const struct mtad_inst *mi, int *status, const char *fmt, ...)
{
	struct buf *args = buf_new(0);
	struct buf *out = buf_new(0);
	const char *result;
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(args, fmt, ap);
	va_end(ap);
	*status = tsup_run_sh(out, tsup_deadline_ms(),
	    "%s --server 127.0.0.1:%d --helo client.test %s 2>&1",
	    tsup_run_need("swaks"), mi->port, args->data);
	result = tsup_strf("%s", out->data);
	buf_free(args);
	buf_free(out);
	return (result);
}
