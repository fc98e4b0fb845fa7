/*
 * NAME
 *	smtpd - the listener process: inbound SMTP
 * DESCRIPTION
 *	See smtpd.h. This file holds the process: the listeners it
 *	serves, the state its sessions share, and its stop.
 */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include <uv.h>

#include "buf.h"
#include "dns.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"
#include "logs_maillog.h"

#include "mail_passwd.h"

#include "certs_ctx.h"

#include "policy_hat.h"

#include "mta_log.h"
#include "mta_dns.h"
#include "mta_proto.h"
#include "server.h"

#include "smtpd.h"
#include "smtpd_enqueue.h"
#include "policy_conf.h"
#include "smtpd_session.h"

static struct smtpd smtpd;

/* smtpd_tls_version - a configured version as OpenSSL's constant */

static int
smtpd_tls_version(enum conf_tls_version v)
{
	static const int versions[] = {
		[CONF_TLS_V1_0] = TLS1_VERSION,
		[CONF_TLS_V1_1] = TLS1_1_VERSION,
		[CONF_TLS_V1_2] = TLS1_2_VERSION,
		[CONF_TLS_V1_3] = TLS1_3_VERSION,
	};

	return (versions[v]);
}

/* smtpd_ssl_ctx - the TLS context of one listener, or NULL */

static SSL_CTX *
smtpd_ssl_ctx(const struct conf *cf, const struct conf_listener *cl)
{
	const struct conf_cert *cc = conf_cert_find(cf, cl->certificate);
	struct certs_tls_opts opts;
	struct buf *err = buf_new(0);
	SSL_CTX *ctx;

	if (cc == NULL) {
		msg_warn("listener %s: no certificate \"%s\": STARTTLS will "
		    "not be offered", cl->name, cl->certificate);
		buf_free(err);
		return (NULL);
	}
	certs_ctx_defaults(&opts);
	opts.min_version = smtpd_tls_version(cf->tls.inbound.min_version);
	opts.max_version = smtpd_tls_version(cf->tls.inbound.max_version);
	opts.ciphers = cf->tls.inbound.ciphers[0] ? cf->tls.inbound.ciphers
	    : NULL;
	/*
	 * No system trust paths here: client certificates are verified
	 * against the configured store (smtpd_tls.c), and a default store
	 * with OpenSSL's directory lookups would be searched, a directory
	 * listing each time, whenever a handshake looks up an issuer.
	 */
	if ((ctx = certs_ctx_server(cc->cert, cc->key, &opts, err)) == NULL)
		msg_warn("listener %s: certificate \"%s\": %s: STARTTLS will "
		    "not be offered", cl->name, cc->name, err->data);
	buf_free(err);
	return (ctx);
}

/* smtpd_passwd_load - the SMTP AUTH accounts, read before the jail */

static void
smtpd_passwd_load(const struct conf *cf)
{
	struct buf *err;

	if (cf->auth.password_file[0] == 0)
		return;
	err = buf_new(0);
	if ((smtpd.passwd = mail_passwd_load(cf->auth.password_file, err))
	    == NULL)
		msg_warn("auth.password_file: %s: SMTP AUTH will not be "
		    "offered", err->data);
	else if (mail_passwd_count(smtpd.passwd) == 0)
		msg_warn("auth.password_file: %s: no accounts",
		    cf->auth.password_file);
	buf_free(err);
}

/* smtpd_pre_jail - compile the HATs, load the keys */

static void
smtpd_pre_jail(struct server *sv)
{
	struct conf *cf = sv->cf;
	struct buf *err = buf_new(0);
	size_t	i;

	smtpd.sv = sv;
	sv->ctx = &smtpd;
	smtpd.listener_count = cf->listener_count;
	smtpd.listeners = mem_zalloc(cf->listener_count + 1,
	    sizeof(*smtpd.listeners));
	for (i = 0; i < cf->listener_count; i++) {
		struct smtpd_listener *sl = smtpd.listeners + i;

		sl->sd = &smtpd;
		sl->cl = cf->listeners + i;
		if ((sl->hat = policy_conf_hat(sl->cl, err)) == NULL)
			msg_fatal("listener %s: sender groups:\n%s",
			    sl->cl->name, err->data);
		sl->ssl_ctx = smtpd_ssl_ctx(cf, sl->cl);
	}
	if (policy_conf_sbrs(cf, &smtpd.sbrs, &smtpd.sbrs_count, err) != 0)
		msg_fatal("sbrs.table:\n%s", err->data);
	smtpd_passwd_load(cf);
	buf_free(err);
}

/* smtpd_connection - a listening socket has a connection waiting */

static void
smtpd_connection(uv_stream_t *server, int status)
{
	struct smtpd_listener *sl = server->data;

	if (status < 0) {
		msg_warn("listener %s: %s", sl->cl->name, uv_strerror(status));
		return;
	}
	if (smtpd.draining)
		return;
	smtpd_session_accept(sl);
}

/* smtpd_tick - once a second: log rotation and moved files */

static void
smtpd_tick(uv_timer_t *timer)
{
	(void) logs_maillog_tick(smtpd.log);
	(void) timer;
}

/* smtpd_post_jail - open the log, the resolver, the sockets */

static void
smtpd_post_jail(struct server *sv)
{
	struct buf *err = buf_new(0);
	struct rlimit rl;
	size_t	i;

	if ((smtpd.log = mta_log_open_loop(sv->loop, sv->cf, err)) == NULL)
		msg_fatal("mail log: %s", err->data);
	/* A session holds one descriptor (two while it writes DATA). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		smtpd.fd_warn = (size_t) (rl.rlim_cur * 9 / 10);
	smtpd.dns = mta_dns_open(sv->loop, sv->cf);
	smtpd.enq = smtpd_enqueue_open(sv->loop, MTA_FD_QMGR);
	for (i = 0; i < smtpd.listener_count; i++) {
		struct smtpd_listener *sl = smtpd.listeners + i;
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int	fd = MTA_FD_LISTEN + (int) i;
		int	rc;

		(void) uv_tcp_init(sv->loop, &sl->handle);
		sl->handle.data = sl;
		if ((rc = uv_tcp_open(&sl->handle, fd)) != 0
		    || (rc = uv_listen((uv_stream_t *) &sl->handle, 1024,
		    smtpd_connection)) != 0)
			msg_fatal("listener %s: socket %d: %s", sl->cl->name,
			    fd, uv_strerror(rc));
		sl->open = 1;
		if (getsockname(fd, (struct sockaddr *) &ss, &len) != 0
		    || getnameinfo((struct sockaddr *) &ss, len, sl->ifip,
		    sizeof(sl->ifip), NULL, 0, NI_NUMERICHOST) != 0)
			(void) snprintf(sl->ifip, sizeof(sl->ifip), "%s",
			    sl->cl->address);
	}
	(void) uv_timer_init(sv->loop, &smtpd.tick);
	(void) uv_timer_start(&smtpd.tick, smtpd_tick, 1000, 1000);
	buf_free(err);
}

/* smtpd_finish - the last session is gone: release and exit */

static void
smtpd_finish(void)
{
	size_t	i;

	uv_timer_stop(&smtpd.tick);
	dns_free(smtpd.dns);
	smtpd.dns = NULL;
	smtpd.enq = smtpd_enqueue_close(smtpd.enq);
	for (i = 0; i < smtpd.listener_count; i++) {
		policy_hat_free(smtpd.listeners[i].hat);
		SSL_CTX_free(smtpd.listeners[i].ssl_ctx);
	}
	policy_conf_sbrs_free(smtpd.sbrs, smtpd.sbrs_count);
	smtpd.passwd = mail_passwd_free(smtpd.passwd);
	smtpd.log = mta_log_close(smtpd.log);
	server_exit(smtpd.sv, 0);
}

/* smtpd_session_gone - a session ended */

void
smtpd_session_gone(struct smtpd *sd)
{
	sd->sessions--;
	if (sd->fd_warned && sd->sessions < sd->fd_warn * 8 / 10)
		sd->fd_warned = 0;
	if (sd->draining && sd->sessions == 0)
		smtpd_finish();
}

/* smtpd_stop - SIGTERM: stop accepting, exit when sessions end */

static void
smtpd_stop(struct server *sv)
{
	size_t	i;

	smtpd.draining = 1;
	for (i = 0; i < smtpd.listener_count; i++) {
		if (smtpd.listeners[i].open) {
			uv_close((uv_handle_t *) &smtpd.listeners[i].handle,
			    NULL);
			smtpd.listeners[i].open = 0;
		}
	}
	if (smtpd.sessions == 0)
		smtpd_finish();
	(void) sv;
}

/* smtpd_rotate - SIGUSR1: roll the mail log over now */

static void
smtpd_rotate(struct server *sv)
{
	(void) logs_maillog_rotate(smtpd.log);
	(void) sv;
}

static const struct server_ops smtpd_ops = {
	.role = "listener",
	.pre_jail = smtpd_pre_jail,
	.post_jail = smtpd_post_jail,
	.stop = smtpd_stop,
	.rotate = smtpd_rotate,
};

/* smtpd_main - run a listener process */

int
smtpd_main(const struct mta_args *args, struct conf *cf)
{
	return (server_main(args, cf, &smtpd_ops));
}
