/*
 * NAME
 *	delivery - the delivery process: jobs from the queue manager, out
 *	over SMTP
 * DESCRIPTION
 *	See delivery.h. A job's life: DELIVER arrives (checked strictly),
 *	deliver_attempt(3) runs it, DELIVERED goes back with one result
 *	per recipient. The content descriptor is the job's and is closed
 *	when the job ends.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <uv.h>

#include "buf.h"
#include "dns.h"
#include "ipc.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"
#include "logs_maillog.h"

#include "certs_conf.h"
#include "policy.h"
#include "policy_conf.h"
#include "policy_destctl.h"
#include "policy_route.h"
#include "policy_tls.h"
#include "mail_sasl.h"

#include "mta_dns.h"
#include "mta_log.h"
#include "mta_proto.h"
#include "server.h"

#include "deliver_attempt.h"
#include "deliver_cache.h"
#include "deliver_smtp.h"
#include "delivery.h"

#define DELIVERY_IDLE_MS	5000	/* a parked connection's idle time */
#define DELIVERY_STOP_TICK_MS	50	/* how often a stopping process looks */

struct delivery {
	struct server *sv;
	struct ipc_chan *chan;		/* to the queue manager */
	struct logs_maillog *log;
	struct dns *dns;
	SSL_CTX *ssl;
	struct policy_destctl *destctl;
	struct policy_route *routes;
	struct deliver_cache *cache;
	struct deliver_attempt_opts opts;
	struct deliver_relay *relays;	/* smarthosts of the configuration */
	char  **passwords;		/* one per relay, or NULL */
	size_t	nrelays;
	size_t	jobs;			/* attempts under way */
	uv_timer_t tick;		/* log rotation, drain limit */
	int	drain;			/* ticks left to finish on stop */
};

struct delivery_job {
	struct delivery *dv;
	uint64_t req;
	char   *domain;
	char  **addrs;
	size_t	naddrs;
	struct deliver_msg msg;
};

static struct delivery delivery;

/* delivery_ssl_ctx - the outbound TLS context of the configuration */

static SSL_CTX *
delivery_ssl_ctx(const struct conf *cf)
{
	struct buf *err = buf_new(0);
	SSL_CTX *ctx;

	if ((ctx = certs_conf_client(cf, err)) == NULL)
		msg_fatal("outbound TLS: %s", err->data);
	buf_free(err);
	return (ctx);
}

/* delivery_password - the first line of a smarthost's password file */

static char *
delivery_password(const struct conf_smarthost *sp)
{
	struct buf *text = buf_new(0);
	struct stat st;
	char	chunk[512];
	ssize_t	n;
	char   *nl, *pass;
	int	fd;

	if ((fd = open(sp->password_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC))
	    < 0)
		msg_fatal("smarthosts.%s.password_file: %s: %m", sp->name,
		    sp->password_file);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		msg_fatal("smarthosts.%s.password_file: %s: not a regular "
		    "file", sp->name, sp->password_file);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		msg_fatal("smarthosts.%s.password_file: %s: readable by "
		    "others (mode %04o); chmod 600 it", sp->name,
		    sp->password_file, (unsigned) (st.st_mode & 07777));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && text->len < 4096)
		buf_append(text, chunk, (size_t) n);
	OPENSSL_cleanse(chunk, sizeof(chunk));
	(void) close(fd);
	if (n < 0)
		msg_fatal("smarthosts.%s.password_file: %s: %m", sp->name,
		    sp->password_file);
	if ((nl = memchr(text->data, '\n', text->len)) != NULL)
		buf_truncate(text, (size_t) (nl - text->data));
	if (text->len > 0 && text->data[text->len - 1] == '\r')
		buf_truncate(text, text->len - 1);
	if (text->len == 0 || memchr(text->data, 0, text->len) != NULL)
		msg_fatal("smarthosts.%s.password_file: %s: no password on "
		    "its first line", sp->name, sp->password_file);
	pass = mem_strndup(text->data, text->len);
	OPENSSL_cleanse(text->data, text->len);
	buf_free(text);
	return (pass);
}

/* delivery_relays - the smarthosts as the SMTP client wants them */

static void
delivery_relays(struct delivery *dv, const struct conf *cf)
{
	static const enum mail_sasl_mech mechs[] = {
		[CONF_SMARTHOST_AUTH_NONE] = MAIL_SASL_NONE,
		[CONF_SMARTHOST_AUTH_PLAIN] = MAIL_SASL_PLAIN,
		[CONF_SMARTHOST_AUTH_LOGIN] = MAIL_SASL_LOGIN,
	};
	size_t	i;

	dv->nrelays = cf->smarthost_count;
	dv->relays = mem_zalloc(dv->nrelays + 1, sizeof(*dv->relays));
	dv->passwords = mem_zalloc(dv->nrelays + 1, sizeof(*dv->passwords));
	for (i = 0; i < dv->nrelays; i++) {
		const struct conf_smarthost *sp = cf->smarthosts + i;
		struct deliver_relay *r = dv->relays + i;

		r->host = sp->host;
		r->port = (unsigned) sp->port;
		r->implicit_tls = sp->encryption == CONF_SMARTHOST_SMTPS;
		r->require_tls = sp->encryption == CONF_SMARTHOST_STARTTLS;
		r->mech = mechs[sp->auth];
		r->user = sp->user;
		r->allow_plain = sp->allow_plain_auth;
		if (r->mech != MAIL_SASL_NONE)
			dv->passwords[i] = delivery_password(sp);
		r->pass = dv->passwords[i] ? dv->passwords[i] : "";
	}
}

/* delivery_job_free - release a job and its content descriptor */

static void
delivery_job_free(struct delivery_job *job)
{
	if (job->msg.fd >= 0)
		(void) close(job->msg.fd);
	deliver_msg_fini(&job->msg);
	mta_proto_free_list(job->addrs, job->naddrs);
	mem_free(job->msg.rcpts);
	mem_free((char *) job->msg.sender);
	mem_free(job->domain);
	mem_free(job);
}

/* delivery_state - a result's one-letter state */

static int
delivery_state(enum deliver_status status)
{
	switch (status) {
	case DELIVER_OK:
		return ('D');
	case DELIVER_BOUNCE:
		return ('B');
	default:
		return ('T');
	}
}

/* delivery_tls_alert - did the job fail because TLS was required */

static int
delivery_tls_alert(const struct delivery_job *job)
{
	struct policy_destctl_entry entry;
	const char *matched;
	size_t	i;

	if (job->dv->destctl == NULL
	    || policy_destctl_lookup(job->dv->destctl, job->domain, &entry,
	    &matched) == POLICY_ERROR
	    || (entry.tls != POLICY_TLS_REQUIRED
	    && entry.tls != POLICY_TLS_REQUIRED_VERIFY))
		return (0);
	for (i = 0; i < job->msg.nrcpts; i++) {
		const struct deliver_result *r = &job->msg.rcpts[i].result;

		if (r->status == DELIVER_DEFER && r->code == 0
		    && strncmp(r->dsn, "4.7.", 4) == 0)
			return (1);
	}
	return (0);
}

/* delivery_done - the attempt ended: report every recipient */

static void
delivery_done(struct deliver_msg *msg, void *ctx)
{
	struct delivery_job *job = ctx;
	struct delivery *dv = job->dv;
	struct ipc_msg *m = ipc_msg_new(MTA_T_DELIVERED);
	char  **results = mem_zalloc(msg->nrcpts + 1, sizeof(*results));
	struct buf *b = buf_new(0);
	size_t	i;

	for (i = 0; i < msg->nrcpts; i++) {
		const struct deliver_rcpt *rc = &msg->rcpts[i];
		const struct deliver_result *r = &rc->result;

		buf_reset(b);
		buf_printf(b, "%u %c %03d %s %s", rc->rid,
		    delivery_state(r->status), r->code,
		    r->dsn[0] ? r->dsn : "4.0.0", r->text ? r->text : "");
		results[i] = mem_strndup(b->data, b->len);
	}
	ipc_put_u64(m, MTA_K_REQ, job->req);
	ipc_put_u64(m, MTA_K_MID, msg->mid);
	ipc_put_u64(m, MTA_K_STATUS, MTA_S_OK);
	mta_proto_put_list(m, MTA_K_RESULTS, results, msg->nrcpts);
	if (delivery_tls_alert(job))
		ipc_put_u64(m, MTA_K_ALERT, MTA_ALERT_TLS);
	else if (msg->auth_failed)
		ipc_put_u64(m, MTA_K_ALERT, MTA_ALERT_AUTH);
	if (dv->chan != NULL && ipc_chan_send(dv->chan, m) != 0)
		msg_warn("MID %lu: cannot report to the queue manager: %s",
		    msg->mid, strerror(errno));
	mta_proto_free_list(results, msg->nrcpts);
	buf_free(b);
	delivery_job_free(job);
	dv->jobs--;
}

/* delivery_refuse - answer a job that will not be attempted */

static void
delivery_refuse(struct delivery *dv, uint64_t req, uint64_t mid,
    const char *why)
{
	struct ipc_msg *m = ipc_msg_new(MTA_T_DELIVERED);

	ipc_put_u64(m, MTA_K_REQ, req);
	ipc_put_u64(m, MTA_K_MID, mid);
	ipc_put_u64(m, MTA_K_STATUS, MTA_S_TEMP);
	ipc_put_cstr(m, MTA_K_REASON, why);
	(void) ipc_chan_send(dv->chan, m);
}

/* delivery_job_new - a DELIVER message as a job, or NULL: malformed */

static struct delivery_job *
delivery_job_new(struct delivery *dv, struct ipc_msg *m)
{
	struct delivery_job *job = mem_zalloc(1, sizeof(*job));
	const char *sender, *domain;
	char  **rids = NULL;
	size_t	nrids = 0, i;
	uint64_t mid, size = 0, flags = 0;
	char   *end;

	job->dv = dv;
	deliver_msg_init(&job->msg);
	if (ipc_get_u64(m, MTA_K_REQ, &job->req) != IPC_FOUND
	    || ipc_get_u64(m, MTA_K_MID, &mid) != IPC_FOUND
	    || ipc_get_str(m, MTA_K_SENDER, &sender, NULL) != IPC_FOUND
	    || ipc_get_str(m, MTA_K_DOMAIN, &domain, NULL) != IPC_FOUND
	    || *domain == 0
	    || ipc_get_u64(m, MTA_K_SIZE, &size) < 0
	    || ipc_get_u64(m, MTA_K_FLAGS, &flags) < 0
	    || mta_proto_get_list(m, MTA_K_RCPTS, &job->addrs,
	    &job->naddrs) != IPC_FOUND
	    || mta_proto_get_list(m, MTA_K_RIDS, &rids, &nrids) != IPC_FOUND
	    || nrids != job->naddrs || nrids == 0
	    || (job->msg.fd = ipc_msg_take_fd(m)) < 0)
		goto bad;
	job->domain = mem_strdup(domain);
	job->msg.mid = (unsigned long) mid;
	job->msg.sender = mem_strdup(sender);
	job->msg.size = (off_t) size;
	job->msg.body_8bit = (flags & MTA_F_8BITMIME) != 0;
	job->msg.smtputf8 = (flags & MTA_F_SMTPUTF8) != 0;
	job->msg.rcpts = mem_zalloc(nrids, sizeof(*job->msg.rcpts));
	job->msg.nrcpts = nrids;
	for (i = 0; i < nrids; i++) {
		unsigned long rid;

		errno = 0;
		rid = strtoul(rids[i], &end, 10);
		if (*rids[i] == 0 || *end != 0 || errno != 0
		    || rid > UINT32_MAX)
			goto bad;
		job->msg.rcpts[i].rid = (unsigned) rid;
		job->msg.rcpts[i].addr = job->addrs[i];
	}
	mta_proto_free_list(rids, nrids);
	return (job);
bad:
	mta_proto_free_list(rids, nrids);
	delivery_job_free(job);
	return (NULL);
}

/* delivery_received - a message from the queue manager */

static void
delivery_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct delivery *dv = ctx;
	struct delivery_job *job;
	uint64_t req = 0, mid = 0;

	(void) ch;
	if (ipc_msg_type(m) != MTA_T_DELIVER)
		msg_fatal("unexpected message type %u from the queue manager",
		    ipc_msg_type(m));
	if (dv->sv->stopping) {
		(void) ipc_get_u64(m, MTA_K_REQ, &req);
		(void) ipc_get_u64(m, MTA_K_MID, &mid);
		delivery_refuse(dv, req, mid, "delivery process stopping");
		ipc_msg_free(m);
		return;
	}
	if ((job = delivery_job_new(dv, m)) == NULL)
		msg_fatal("malformed delivery job from the queue manager");
	ipc_msg_free(m);
	dv->jobs++;
	(void) deliver_attempt_start(&dv->opts, job->domain, &job->msg,
	    delivery_done, job);
}

/* delivery_chan_error - the queue manager went away */

static void
delivery_chan_error(struct ipc_chan *ch, int err, const char *why,
    void *ctx)
{
	struct delivery *dv = ctx;

	(void) ch;
	(void) err;
	msg_warn("queue manager channel: %s: exiting", why);
	dv->chan = NULL;
	ipc_chan_close(ch);
	server_exit(dv->sv, 1);
}

static const struct ipc_chan_ops delivery_chan_ops = {
	.received = delivery_received,
	.error = delivery_chan_error,
};

/* delivery_tick - once a second: log rotation, the drain limit */

static void
delivery_tick(uv_timer_t *timer)
{
	struct delivery *dv = timer->data;

	(void) logs_maillog_tick(dv->log);
	if (dv->sv->stopping && dv->jobs == 0 && deliver_smtp_live() == 0) {
		server_exit(dv->sv, 0);
		return;
	}
	if (dv->sv->stopping && --dv->drain <= 0) {
		msg_warn("%zu deliveries still under way after %d seconds: "
		    "exiting", dv->jobs, DELIVERY_DRAIN);
		server_exit(dv->sv, 0);
	}
}

/* delivery_pre_jail - the outbound TLS context (it may read a key) */

static void
delivery_pre_jail(struct server *sv)
{
	delivery.sv = sv;
	sv->ctx = &delivery;
	delivery.ssl = delivery_ssl_ctx(sv->cf);
	delivery_relays(&delivery, sv->cf);	/* reads the passwords */
}

/* delivery_post_jail - policies, resolver, log, the job channel */

static void
delivery_post_jail(struct server *sv)
{
	struct delivery *dv = &delivery;
	struct conf *cf = sv->cf;
	struct buf *err = buf_new(0);
	struct deliver_attempt_opts *o = &dv->opts;

	if ((dv->log = mta_log_open_loop(sv->loop, cf, err)) == NULL)
		msg_fatal("mail log: %s", err->data);
	if ((dv->destctl = policy_conf_destctl(cf, err)) == NULL
	    || (dv->routes = policy_conf_routes(cf, err)) == NULL)
		msg_fatal("%s", err->data);
	dv->dns = mta_dns_open(sv->loop, cf);
	dv->cache = deliver_cache_new(sv->loop, DELIVERY_IDLE_MS);
	deliver_attempt_opts_init(o);
	o->loop = sv->loop;
	o->dns = dv->dns;
	o->destctl = dv->destctl;
	o->routes = dv->routes;
	o->cache = dv->cache;
	o->smtp.helo_name = cf->hostname;
	o->smtp.ssl_ctx = dv->ssl;
	o->smtp.log = dv->log;
	o->smtp.seq = sv->seq;
	o->smtp.relays = dv->relays;
	o->smtp.nrelays = dv->nrelays;
	o->smtp.to.connect_ms = (unsigned) cf->delivery.connect_timeout * 1000U;
	o->smtp.to.greeting_ms = o->smtp.to.helo_ms = o->smtp.to.mail_ms =
	    o->smtp.to.rcpt_ms = o->smtp.to.data_ms = o->smtp.to.block_ms =
	    (unsigned) cf->delivery.command_timeout * 1000U;
	o->smtp.to.dot_ms = (unsigned) cf->delivery.data_timeout * 1000U;
	dv->chan = ipc_chan_open(sv->loop, MTA_FD_QMGR, &delivery_chan_ops,
	    dv);
	(void) uv_timer_init(sv->loop, &dv->tick);
	dv->tick.data = dv;
	(void) uv_timer_start(&dv->tick, delivery_tick, 1000, 1000);
	buf_free(err);
}

/* delivery_stop - SIGTERM: refuse new jobs, finish the ones in hand */

static void
delivery_stop(struct server *sv)
{
	struct delivery *dv = &delivery;

	deliver_cache_close(dv->cache);	/* QUIT to every parked session */
	/* The tick ends the process once every session has closed. */
	dv->drain = DELIVERY_DRAIN * 1000 / DELIVERY_STOP_TICK_MS;
	(void) uv_timer_start(&dv->tick, delivery_tick, DELIVERY_STOP_TICK_MS,
	    DELIVERY_STOP_TICK_MS);
	(void) sv;
}

static const struct server_ops delivery_ops = {
	.role = "delivery",
	.pre_jail = delivery_pre_jail,
	.post_jail = delivery_post_jail,
	.stop = delivery_stop,
};

/* delivery_main - run a delivery process */

int
delivery_main(const struct mta_args *args, struct conf *cf)
{
	return (server_main(args, cf, &delivery_ops));
}
