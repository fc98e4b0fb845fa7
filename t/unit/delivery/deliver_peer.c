/*
 * NAME
 *	deliver_peer - drive deliver_smtp(3) against real loopback peers
 * DESCRIPTION
 *	See deliver_peer.h.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/ssl.h>
#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "tsupport.h"
#include "logs_maillog.h"
#include "certs_ctx.h"
#include "deliver_mx.h"
#include "deliver_smtp.h"
#include "deliver_peer.h"

/* dpeer_next_dcid - DCIDs 100, 101, ... */

static unsigned long
dpeer_next_dcid(void *ctx)
{
	struct dpeer *p = ctx;

	return (++p->dcid);
}

/* dpeer_init - loop, log, options */

void
dpeer_init(struct dpeer *p)
{
	struct logs_maillog_opts lo;
	struct buf why;

	memset(p, 0, sizeof(*p));
	(void) signal(SIGPIPE, SIG_IGN);	/* as every mtad process */
	cr_assert_eq(uv_loop_init(&p->loop), 0);
	p->logdir = tsup_tmp_mkdir("maillog");
	logs_maillog_opts_init(&lo);
	lo.dir = p->logdir;
	buf_init(&why, 64);
	p->log = logs_maillog_open(&lo, &why);
	cr_assert_not_null(p->log, "mail log: %s", why.data);
	buf_fini(&why);
	p->dcid = 99;
	deliver_smtp_opts_init(&p->opts);
	p->opts.helo_name = "out.example.org";
	p->opts.domain = "tsup.test";
	p->opts.log = p->log;
	p->opts.next_dcid = dpeer_next_dcid;
	p->opts.dcid_ctx = p;
	p->opts.to.connect_ms = 5000;
	p->opts.to.greeting_ms = p->opts.to.helo_ms = 5000;
	p->opts.to.starttls_ms = p->opts.to.mail_ms = 5000;
	p->opts.to.rcpt_ms = p->opts.to.data_ms = 5000;
	p->opts.to.block_ms = p->opts.to.dot_ms = 5000;
	p->opts.to.rset_ms = p->opts.to.quit_ms = 5000;
	deliver_msg_init(&p->msg);
	buf_init(&p->logtext, 1024);
}

/* dpeer_fini - free what init and run made */

void
dpeer_fini(struct dpeer *p)
{
	deliver_msg_fini(&p->msg);
	if (p->msg.fd >= 0)
		(void) close(p->msg.fd);
	if (p->opts.ssl_ctx)
		SSL_CTX_free(p->opts.ssl_ctx);
	p->log = logs_maillog_close(p->log);
	cr_assert_eq(uv_loop_close(&p->loop), 0, "handles left open");
	buf_fini(&p->logtext);
}

/* dpeer_msg - the job: content file and recipients */

void
dpeer_msg(struct dpeer *p, const char *content, size_t len,
    const char *const *rcpts)
{
	const char *path;
	size_t	i;

	path = tsup_tmp_write(tsup_strf("msg%d", rand()), content, len);
	if (p->msg.fd >= 0)
		(void) close(p->msg.fd);
	p->msg.fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(p->msg.fd, 0);
	p->msg.mid = 7;
	p->msg.sender = "a@example.org";
	p->msg.size = (off_t) len;
	for (i = 0; rcpts[i] != NULL; i++) {
		cr_assert_lt(i, DPEER_MAX_RCPTS);
		memset(p->rcpts + i, 0, sizeof(p->rcpts[i]));
		p->rcpts[i].addr = rcpts[i];
		p->rcpts[i].rid = (unsigned) i;
	}
	p->msg.rcpts = p->rcpts;
	p->msg.nrcpts = i;
}

/* dpeer_host - a host on 127.0.0.1 */

struct deliver_mx_host
dpeer_host(const char *name, int port)
{
	struct deliver_mx_host h;
	struct sockaddr_in *sin = (struct sockaddr_in *) &h.addr;

	memset(&h, 0, sizeof(h));
	h.name = name;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short) port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h.addrlen = sizeof(*sin);
	snprintf(h.addr_text, sizeof(h.addr_text), "127.0.0.1");
	h.port = (unsigned) port;
	return (h);
}

/* dpeer_done - the attempt's callback */

static void
dpeer_done(struct deliver_smtp *ds, struct deliver_msg *msg, void *ctx)
{
	struct dpeer *p = ctx;

	(void) msg;
	p->done_calls++;
	if (p->nmore > 0 && deliver_smtp_reusable(ds)) {
		struct deliver_msg *m = p->more[0];

		memmove(p->more, p->more + 1, (size_t) --p->nmore *
		    sizeof(p->more[0]));
		cr_assert_eq(deliver_smtp_next(ds, m, dpeer_done, p), 0);
		return;
	}
	if (p->opts.keep)
		deliver_smtp_quit(ds);
}

/* dpeer_run - one attempt, to the end */

void
dpeer_run(struct dpeer *p, const struct deliver_mx_host *hosts, size_t n)
{
	int	want = 1 + p->nmore;

	(void) deliver_smtp_start(&p->loop, &p->opts, hosts, n, &p->msg,
	    dpeer_done, p);
	(void) uv_run(&p->loop, UV_RUN_DEFAULT);
	cr_assert_eq(p->done_calls, want, "done() ran %d times, want %d",
	    p->done_calls, want);
}

/* dpeer_mask_ports - "port 1234" and "port: 1234" become "port P" */

static void
dpeer_mask_ports(const char *in, struct buf *out)
{
	const char *p = in;

	while (*p) {
		if (strncmp(p, "port ", 5) == 0
		    || strncmp(p, "port: ", 6) == 0) {
			size_t	k = p[4] == ':' ? 6 : 5;

			if (isdigit((unsigned char) p[k])) {
				buf_append(out, p, k);
				buf_putc(out, 'P');
				p += k;
				while (isdigit((unsigned char) *p))
					p++;
				continue;
			}
		}
		buf_putc(out, *p++);
	}
}

/* dpeer_log - the mail log, masked */

const char *
dpeer_log(struct dpeer *p)
{
	struct buf raw;
	char   *line, *save = NULL;

	buf_init(&raw, 1024);
	tsup_tmp_read(tsup_strf("%s/mail.current", p->logdir), &raw);
	buf_reset(&p->logtext);
	for (line = strtok_r(raw.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *m = tsup_log_mask(line);

		if (strstr(m, "Begin Logfile") || strstr(m, " Version: ")
		    || strstr(m, "Time offset from UTC"))
			continue;
		if (strncmp(m, "TIMESTAMP ", 10) == 0)
			m += 10;
		dpeer_mask_ports(m, &p->logtext);
		buf_putc(&p->logtext, '\n');
	}
	buf_fini(&raw);
	return (p->logtext.data);
}

/* dpeer_client_ctx - our client context with a trust store */

SSL_CTX *
dpeer_client_ctx(const char *ca_file, const char *max_proto)
{
	struct certs_tls_opts o;
	struct buf err;
	SSL_CTX *ctx;

	certs_ctx_defaults(&o);
	o.ca_file = ca_file;
	if (max_proto)
		o.max_version = tsup_tls_version(max_proto);
	buf_init(&err, 64);
	ctx = certs_ctx_client(&o, &err);
	cr_assert_not_null(ctx, "client ctx: %s", err.data);
	buf_fini(&err);
	return (ctx);
}
