/*
 * NAME
 *	deliver_smtp - one outbound SMTP delivery attempt
 * DESCRIPTION
 *	See deliver_smtp.h for the contract. The session is a state
 *	machine driven by io(3) callbacks: connected, data (one reply at a
 *	time, parsed by mail_reply(3)), tls_done, drained (content flow
 *	control), hangup, timeout and closed. Each host's connection ends
 *	in closed(), which is where the next host is tried, the message is
 *	finished, or the session is freed: nothing is freed while io still
 *	holds a pointer to it.
 *
 *	One uv timer (kick) is owned beside the connection, only to call
 *	back from the loop when no connection could even be started.
 *
 *	Content on the wire: CRLF after every line (a bare CR and a bare
 *	LF each become CRLF, CR LF stays one line end), a leading "."
 *	doubled, a line longer than DELIVER_LINE_MAX octets folded with
 *	CRLF SP (the content changes, as with Postfix's
 *	smtp_line_length_limit; refusing instead would need a scan of the
 *	whole message before the transaction), an unterminated last line
 *	terminated, and ".\r\n" once at the end.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <uv.h>

#include "buf.h"
#include "io.h"
#include "mem.h"
#include "msg.h"
#include "seq.h"
#include "str.h"
#include "logs_dcid.h"
#include "logs_line.h"
#include "logs_maillog.h"
#include "logs_mid.h"
#include "mail_reply.h"
#include "mail_sasl.h"
#include "policy_tls.h"
#include "deliver_mx.h"
#include "deliver_tls.h"
#include "deliver_smtp.h"

#define DS_REPLY_LINES	128		/* lines in one reply */
#define DS_REPLY_LEN	2048		/* octets in one reply line */
#define DS_BLOCK	65536		/* content read per pread() */
#define DS_LOWAT	(4 * DS_BLOCK)	/* queue this much, then wait */

enum ds_state {
	DS_CONNECT,
	DS_GREETING,
	DS_EHLO,
	DS_HELO,
	DS_STARTTLS,
	DS_TLS,
	DS_AUTH,
	DS_IDLE,
	DS_MAIL,
	DS_RCPT,
	DS_DATA,
	DS_BODY,
	DS_DOT,
	DS_RSET,
	DS_QUIT,
	DS_GONE,			/* io closing or closed */
};

enum ds_phase {
	PH_HOSTS,			/* setting up a connection */
	PH_TXN,				/* the transaction has started */
	PH_DONE,			/* message finished */
	PH_QUIT,			/* going away */
};

struct deliver_smtp {
	uv_loop_t *loop;
	struct deliver_smtp_opts opts;
	struct sockaddr_storage src;	/* copy of opts->src */
	char   *helo_name;
	char   *domain;
	struct deliver_mx_host *hosts;
	size_t	nhosts;
	size_t	hi;			/* host being tried */
	struct io *io;
	enum ds_state state;
	enum ds_phase phase;
	unsigned long dcid;
	int	logged_new;		/* "New SMTP DCID" written */
	char	ifip[INET6_ADDRSTRLEN];
	struct mail_reply_parser rp;
	size_t	consumed;		/* data() bytes used by the reply */
	struct buf line;		/* log line being formatted */
	struct buf tmp;
	/* session */
	int	ext_starttls;
	int	ext_pipelining;
	int	ext_8bitmime;
	int	ext_smtputf8;
	int	ext_size;
	unsigned long size_max;
	int	tls_on;
	struct buf ext_auth;		/* mechanisms after AUTH, or empty */
	/* the relay host's terms, when the host is a smarthost */
	const struct deliver_relay *relay;
	enum policy_tls_level base_tls;	/* the destination's own level */
	int	implicit;		/* handshake before the greeting */
	int	authed;
	struct mail_sasl_client sasl;
	int	healthy;		/* commands and replies in step */
	int	need_rset;		/* a transaction is open */
	struct deliver_tls tls;
	/* failure of the host given up last */
	int	fail_code;
	char	fail_dsn[16];
	char   *fail_text;
	/* the message */
	struct deliver_msg *msg;
	deliver_smtp_fn done;
	void   *done_ctx;
	int	pipe;			/* this transaction is pipelined */
	int	mail_failed;
	size_t *order;			/* recipients sent, in order */
	size_t	norder;
	size_t	oi;			/* next RCPT reply in order[] */
	size_t	naccepted;
	int	kick_txn;		/* the kick starts the transaction */
	/* content state */
	off_t	off;
	int	eof;
	int	at_bol;
	int	pending_cr;
	size_t	linelen;
	char   *block;
	struct buf out;
	/* life */
	uv_timer_t kick;
	int	in_done;
	int	kept;			/* idle for the caller: wait for quit */
	int	quit_asked;
	int	freeing;
};

static const struct io_ops ds_ops;
static size_t ds_live;			/* sessions not yet freed */
static void ds_try_host(struct deliver_smtp *);
static void ds_start_txn(struct deliver_smtp *);
static void ds_after_done(struct deliver_smtp *);
static void ds_pump(struct deliver_smtp *);
static void ds_ready(struct deliver_smtp *);

/* deliver_timeouts_init - RFC 5321 section 4.5.3.2 values */

void
deliver_timeouts_init(struct deliver_timeouts *to)
{
	to->connect_ms = 30 * 1000;
	to->greeting_ms = 5 * 60 * 1000;
	to->helo_ms = 5 * 60 * 1000;
	to->starttls_ms = 2 * 60 * 1000;
	to->mail_ms = 5 * 60 * 1000;
	to->rcpt_ms = 5 * 60 * 1000;
	to->data_ms = 2 * 60 * 1000;
	to->block_ms = 3 * 60 * 1000;
	to->dot_ms = 10 * 60 * 1000;
	to->rset_ms = 2 * 60 * 1000;
	to->quit_ms = 2 * 60 * 1000;
}

/* deliver_smtp_opts_init - defaults: TLS none, no log */

void
deliver_smtp_opts_init(struct deliver_smtp_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->helo_name = "localhost";
	opts->domain = "";
	opts->tls = POLICY_TLS_NONE;
	deliver_timeouts_init(&opts->to);
}

/* deliver_msg_init - an empty job */

void
deliver_msg_init(struct deliver_msg *msg)
{
	memset(msg, 0, sizeof(*msg));
	msg->fd = -1;
	msg->sender = "";
}

/* deliver_msg_fini - free the results */

void
deliver_msg_fini(struct deliver_msg *msg)
{
	size_t	i;

	for (i = 0; i < msg->nrcpts; i++)
		msg->rcpts[i].result.text = mem_free(msg->rcpts[i].result.text);
}

/* deliver_status_name - for messages and tests */

const char *
deliver_status_name(enum deliver_status status)
{
	switch (status) {
	case DELIVER_NONE:
		return ("none");
	case DELIVER_OK:
		return ("delivered");
	case DELIVER_DEFER:
		return ("deferred");
	case DELIVER_BOUNCE:
		return ("bounced");
	}
	return ("unknown");
}

/* ds_style - the log style, also without a log */

static const struct logs_line_style *
ds_style(const struct deliver_smtp *ds)
{
	static struct logs_line_style def;
	static int init;

	if (ds->opts.log)
		return (logs_maillog_style(ds->opts.log));
	if (!init) {
		logs_line_style_init(&def);
		init = 1;
	}
	return (&def);
}

/* ds_log - write the formatted line */

static void
ds_log(struct deliver_smtp *ds, enum logs_line_level level)
{
	if (ds->opts.log)
		(void) logs_maillog_write(ds->opts.log, level, &ds->line);
	buf_reset(&ds->line);
}

/* ds_host - the host being tried */

static const struct deliver_mx_host *
ds_host(const struct deliver_smtp *ds)
{
	if (ds->nhosts == 0)
		msg_panic("ds_host: no host");
	return (ds->hosts + (ds->hi < ds->nhosts ? ds->hi : ds->nhosts - 1));
}

/* ds_set_timeout - arm the idle timer for the wait that starts */

static void
ds_set_timeout(struct deliver_smtp *ds, unsigned ms)
{
	if (ds->io)
		io_set_timeout(ds->io, ms);
}

/* ds_reply_text - the reply as text: enhanced code on every line */

static void
ds_reply_text(const struct mail_reply *rp, const char *sep, struct buf *out)
{
	size_t	i;

	for (i = 0; i < rp->nlines; i++) {
		if (i)
			buf_puts(out, sep);
		if (rp->enhanced[0])
			buf_printf(out, "%s%s", rp->enhanced,
			    rp->lines[i][0] ? " " : "");
		buf_puts(out, rp->lines[i]);
	}
	if (rp->nlines == 0 && rp->enhanced[0])
		buf_puts(out, rp->enhanced);
}

/* ds_set_result - give one recipient its result */

static void
ds_set_result(struct deliver_rcpt *rc, enum deliver_status status, int code,
    const char *dsn, const char *text)
{
	rc->result.status = status;
	rc->result.code = code;
	snprintf(rc->result.dsn, sizeof(rc->result.dsn), "%s", dsn);
	mem_free(rc->result.text);
	rc->result.text = text ? mem_strdup(text) : NULL;
}

/* ds_log_result - "Delayed:" or "Bounced:" for one recipient */

static void
ds_log_result(struct deliver_smtp *ds, unsigned long dcid,
    const struct deliver_rcpt *rc)
{
	struct logs_dcid_bounce b;
	struct str *lines;
	char	code[8];
	size_t	n = 0;
	const char *p, *q;
	const char *text = rc->result.text ? rc->result.text : "";

	lines = mem_zalloc(strlen(text) + 1, sizeof(*lines));
	for (p = text;; p = q + 1) {
		q = strchr(p, '\n');
		lines[n++] = str_make(p, q ? (size_t) (q - p) : strlen(p));
		if (q == NULL)
			break;
	}
	snprintf(code, sizeof(code), "%03d", rc->result.code);
	memset(&b, 0, sizeof(b));
	b.dcid = dcid;
	b.mid = ds->msg->mid;
	b.rid = rc->rid;
	b.dsn = rc->result.dsn;
	b.description = mail_reply_dsn_text(rc->result.dsn);
	b.code = code;
	b.lines = lines;
	b.nlines = text[0] ? n : 0;
	buf_reset(&ds->line);
	if (rc->result.status == DELIVER_BOUNCE)
		ds_log(ds, logs_dcid_bounced(&ds->line, &b));
	else
		ds_log(ds, logs_dcid_delayed(&ds->line, &b));
	mem_free(lines);
}

/* ds_reply_result - a recipient's result from the current reply */

static void
ds_reply_result(struct deliver_smtp *ds, struct deliver_rcpt *rc,
    const char *where, int ok)
{
	const struct mail_reply *rp = &ds->rp.reply;
	int	cls = ok ? 2 : rp->code / 100 == 5 ? 5 : 4;
	char	dsn[16];

	buf_reset(&ds->tmp);
	ds_reply_text(rp, "\n", &ds->tmp);
	if (rp->enhanced[0] == '0' + cls)
		snprintf(dsn, sizeof(dsn), "%s", rp->enhanced);
	else if (!ok && rp->code / 100 != 4 && rp->code / 100 != 5)
		snprintf(dsn, sizeof(dsn), "4.5.0");	/* out of protocol */
	else
		snprintf(dsn, sizeof(dsn), "%d.%s", cls, where);
	ds_set_result(rc, ok ? DELIVER_OK : cls == 5 ? DELIVER_BOUNCE :
	    DELIVER_DEFER, rp->code, dsn, ds->tmp.data);
}

/* ds_fail_pending - every recipient without a result gets this one */

static void
ds_fail_pending(struct deliver_smtp *ds, enum deliver_status status,
    int code, const char *dsn, const char *text, int log)
{
	size_t	i;

	for (i = 0; i < ds->msg->nrcpts; i++) {
		struct deliver_rcpt *rc = ds->msg->rcpts + i;

		if (rc->result.status != DELIVER_NONE)
			continue;
		ds_set_result(rc, status, code, dsn, text);
		if (log)
			ds_log_result(ds, ds->dcid, rc);
	}
}

/* ds_finish_msg - every recipient has a result: tell the caller */

static void
ds_finish_msg(struct deliver_smtp *ds)
{
	struct deliver_msg *msg = ds->msg;
	size_t	i;

	msg->ndelivered = msg->ndeferred = msg->nbounced = 0;
	for (i = 0; i < msg->nrcpts; i++) {
		switch (msg->rcpts[i].result.status) {
		case DELIVER_OK:
			msg->ndelivered++;
			break;
		case DELIVER_BOUNCE:
			msg->nbounced++;
			break;
		default:
			msg->ndeferred++;
			break;
		}
	}
	msg->status = msg->ndeferred ? DELIVER_DEFER : msg->nbounced ?
	    DELIVER_BOUNCE : DELIVER_OK;
	msg->tls = ds->tls;
	ds->msg = NULL;
	ds->phase = PH_DONE;
	ds->in_done = 1;
	ds->done(ds, msg, ds->done_ctx);
	ds->in_done = 0;
	ds_after_done(ds);
}

/* ds_free_cb - the kick timer is closed: free the session */

static void
ds_free_cb(uv_handle_t *h)
{
	struct deliver_smtp *ds = h->data;
	size_t	i;

	for (i = 0; i < ds->nhosts; i++)
		mem_free((char *) ds->hosts[i].name);
	mem_free(ds->hosts);
	mem_free(ds->helo_name);
	mem_free(ds->domain);
	mem_free(ds->fail_text);
	mem_free(ds->block);
	mem_free(ds->order);
	mail_reply_parser_fini(&ds->rp);
	buf_fini(&ds->line);
	buf_fini(&ds->tmp);
	buf_fini(&ds->out);
	buf_fini(&ds->ext_auth);
	mail_sasl_client_fini(&ds->sasl);
	mem_free(ds);
	ds_live--;
}

/* ds_free - free once nothing refers to the session */

static void
ds_free(struct deliver_smtp *ds)
{
	if (ds->freeing || ds->io != NULL || ds->in_done)
		return;
	ds->freeing = 1;
	(void) uv_timer_stop(&ds->kick);
	uv_close((uv_handle_t *) &ds->kick, ds_free_cb);
}

/* ds_close - end the connection; closed() goes on from there */

static void
ds_close(struct deliver_smtp *ds, int quit)
{
	if (ds->io == NULL || ds->state == DS_GONE)
		return;
	if (quit && ds->healthy) {
		io_write(ds->io, "QUIT\r\n", 6);
		ds->state = DS_QUIT;
		ds_set_timeout(ds, ds->opts.to.quit_ms);
		return;
	}
	ds->state = DS_GONE;
	ds->healthy = 0;
	io_close(ds->io);
}

/* ds_after_done - the caller had the message: quit unless kept */

static void
ds_after_done(struct deliver_smtp *ds)
{
	if (ds->phase != PH_DONE)
		return;			/* deliver_smtp_next() went on */
	if (ds->io == NULL) {
		ds_free(ds);
		return;
	}
	if (ds->opts.keep && ds->healthy && !ds->quit_asked
	    && ds->state == DS_IDLE) {
		ds->kept = 1;
		ds_set_timeout(ds, ds->opts.to.rset_ms);
		return;
	}
	ds->phase = PH_QUIT;
	ds_close(ds, 1);
}

/* ds_host_fail - give up this host (before the transaction) */

static void
ds_host_fail(struct deliver_smtp *ds, int code, const char *dsn,
    const char *text, int quit)
{
	ds->fail_code = code;
	snprintf(ds->fail_dsn, sizeof(ds->fail_dsn), "%s", dsn);
	mem_free(ds->fail_text);
	ds->fail_text = mem_strdup(text);
	if (!quit)
		ds->healthy = 0;
	ds_close(ds, quit);
}

/* ds_conn_error - "Connection Error:" line */

static void
ds_conn_error(struct deliver_smtp *ds, const char *details,
    const char *reason)
{
	struct logs_dcid_conn_error e;
	const struct deliver_mx_host *h = ds_host(ds);
	char	*d = mem_strdup(details);

	e.dcid = ds->dcid;
	e.domain = ds->domain;
	e.addr = h->addr_text;
	e.port = h->port;
	e.details = d;
	e.ifip = ds->ifip;
	e.reason = reason;
	buf_reset(&ds->line);
	ds_log(ds, logs_dcid_conn_error(&ds->line, ds_style(ds), &e));
	mem_free(d);
}

/* ds_reply_fail - a host refused us with a reply: log it, give it up */

static void
ds_reply_fail(struct deliver_smtp *ds, int quit)
{
	const struct mail_reply *rp = &ds->rp.reply;
	char	code[8];
	char	dsn[16];

	buf_reset(&ds->tmp);
	ds_reply_text(rp, " ", &ds->tmp);
	snprintf(code, sizeof(code), "%03d", rp->code);
	buf_reset(&ds->line);
	logs_dcid_details_reply(&ds->line, code, str_make(ds->tmp.data,
	    ds->tmp.len));
	{
		char   *details = buf_steal(&ds->line);

		ds_conn_error(ds, details, "unexpected SMTP response");
		mem_free(details);
	}
	buf_reset(&ds->tmp);
	ds_reply_text(rp, "\n", &ds->tmp);
	if ((rp->code / 100 == 4 || rp->code / 100 == 5)
	    && rp->enhanced[0] == '0' + rp->code / 100)
		snprintf(dsn, sizeof(dsn), "%s", rp->enhanced);
	else if (rp->code / 100 == 4 || rp->code / 100 == 5)
		snprintf(dsn, sizeof(dsn), "%d.4.0", rp->code / 100);
	else
		snprintf(dsn, sizeof(dsn), "4.5.0");	/* out of protocol */
	ds_host_fail(ds, rp->code, dsn, ds->tmp.data, quit);
}

/* ds_tls_required - the "TLS was required" line under a required level */

static void
ds_tls_required(struct deliver_smtp *ds)
{
	if (!policy_tls_level_required(ds->opts.tls))
		return;
	buf_reset(&ds->line);
	ds_log(ds, logs_dcid_tls_required(&ds->line, ds->dcid,
	    ds_host(ds)->addr_text));
}

/* ds_send_ehlo - EHLO or HELO */

static void
ds_send_ehlo(struct deliver_smtp *ds, int helo)
{
	ds->ext_starttls = ds->ext_pipelining = 0;
	ds->ext_8bitmime = ds->ext_smtputf8 = ds->ext_size = 0;
	buf_reset(&ds->ext_auth);
	ds->size_max = 0;
	io_printf(ds->io, "%s %s\r\n", helo ? "HELO" : "EHLO", ds->helo_name);
	ds->state = helo ? DS_HELO : DS_EHLO;
	ds_set_timeout(ds, ds->opts.to.helo_ms);
}

/* ds_parse_ehlo - the extensions; the first line is the greeting */

static void
ds_parse_ehlo(struct deliver_smtp *ds)
{
	const struct mail_reply *rp = &ds->rp.reply;
	size_t	i;

	for (i = 1; i < rp->nlines; i++) {
		struct str kw = str_trim(str_from(rp->lines[i]));
		struct str arg = str_make("", 0);
		size_t	sp;

		if (str_chr(kw, ' ', &sp)) {
			arg = str_trim(str_make(kw.ptr + sp, kw.len - sp));
			kw.len = sp;
		}
		if (kw.len > 5 && strncasecmp(kw.ptr, "AUTH=", 5) == 0) {
			/* The old form: "AUTH=PLAIN LOGIN". */
			arg = str_make(kw.ptr + 5, rp->lines[i] + strlen(
			    rp->lines[i]) - (kw.ptr + 5));
			kw.len = 4;
		}
		if (str_caseeq(kw, str_from("AUTH"))) {
			buf_reset(&ds->ext_auth);
			buf_append(&ds->ext_auth, arg.ptr, arg.len);
		} else if (str_caseeq(kw, str_from("STARTTLS")))
			ds->ext_starttls = 1;
		else if (str_caseeq(kw, str_from("PIPELINING")))
			ds->ext_pipelining = 1;
		else if (str_caseeq(kw, str_from("8BITMIME")))
			ds->ext_8bitmime = 1;
		else if (str_caseeq(kw, str_from("SMTPUTF8")))
			ds->ext_smtputf8 = 1;
		else if (str_caseeq(kw, str_from("SIZE"))) {
			unsigned long n = 0;

			ds->ext_size = 1;
			if (arg.len && str_to_ulong(arg, ~0UL, &n))
				ds->size_max = n;
		}
	}
}

/* ds_relay_select - the smarthost terms of a host, if it is one */

static void
ds_relay_select(struct deliver_smtp *ds, const struct deliver_mx_host *h)
{
	size_t	i;

	ds->relay = NULL;
	ds->implicit = 0;
	ds->authed = 0;
	ds->opts.tls = ds->base_tls;
	for (i = 0; i < ds->opts.nrelays; i++) {
		const struct deliver_relay *r = ds->opts.relays + i;

		if (r->port == h->port && strcasecmp(r->host, h->name) == 0) {
			ds->relay = r;
			break;
		}
	}
	if (ds->relay == NULL || !(ds->relay->implicit_tls
	    || ds->relay->require_tls))
		return;
	/* The relay's own terms: TLS at least required on this hop. */
	if (ds->opts.tls == POLICY_TLS_NONE
	    || ds->opts.tls == POLICY_TLS_PREFERRED)
		ds->opts.tls = POLICY_TLS_REQUIRED;
	else if (ds->opts.tls == POLICY_TLS_PREFERRED_VERIFY)
		ds->opts.tls = POLICY_TLS_REQUIRED_VERIFY;
}

/* ds_implicit_tls - SMTPS: the handshake comes before the greeting */

static void
ds_implicit_tls(struct deliver_smtp *ds)
{
	const struct deliver_mx_host *h = ds_host(ds);
	size_t	dropped = 0;

	if (ds->opts.ssl_ctx == NULL) {
		ds_tls_required(ds);
		ds_host_fail(ds, 0, "4.7.5", "implicit TLS (SMTPS) but no "
		    "client TLS context is configured", 0);
		return;
	}
	ds->implicit = 1;
	ds->state = DS_TLS;
	if (io_starttls_client(ds->io, ds->opts.ssl_ctx,
	    strcmp(h->name, h->addr_text) != 0 ? h->name : NULL, 0,
	    &dropped) != 0) {
		ds->healthy = 0;
		ds_host_fail(ds, 0, "4.7.5", "TLS could not be started", 0);
	}
}

/* ds_auth_fail - AUTH did not succeed: defer, never bounce */

static void
ds_auth_fail(struct deliver_smtp *ds, const char *dsn, const char *text)
{
	msg_warn("DCID %lu: SMTP AUTH as \"%s\" to %s[%s]: %s", ds->dcid,
	    ds->relay->user, ds_host(ds)->name, ds_host(ds)->addr_text, text);
	if (ds->msg != NULL)
		ds->msg->auth_failed = 1;
	ds_host_fail(ds, 0, dsn, text, 1);
}

/* ds_auth_start - AUTH with the relay's mechanism, after TLS */

static void
ds_auth_start(struct deliver_smtp *ds)
{
	const struct deliver_relay *r = ds->relay;
	struct buf wire, shown;

	if (!ds->tls_on && !r->allow_plain) {
		ds_auth_fail(ds, "4.7.0", "AUTH not sent: the connection is "
		    "not encrypted");
		return;
	}
	if (ds->ext_auth.len == 0
	    || mail_sasl_mech_pick(str_make(ds->ext_auth.data,
	    ds->ext_auth.len)) == MAIL_SASL_NONE) {
		ds_auth_fail(ds, "4.7.0", ds->ext_auth.len ? "the server "
		    "offers no AUTH mechanism we have (PLAIN, LOGIN)" :
		    "the server does not offer AUTH on this port");
		return;
	}
	buf_init(&wire, 0);
	buf_init(&shown, 0);
	mail_sasl_client_fini(&ds->sasl);
	if (mail_sasl_client_start(&ds->sasl, r->mech, str_from(r->user),
	    str_from(r->pass), &wire, &shown) != 0) {
		ds_auth_fail(ds, "4.7.0", ds->sasl.error);
	} else {
		buf_puts(&wire, "\r\n");
		io_write(ds->io, wire.data, wire.len);
		OPENSSL_cleanse(wire.data, wire.len);
		ds->state = DS_AUTH;
		ds_set_timeout(ds, ds->opts.to.helo_ms);
	}
	buf_fini(&wire);
	buf_fini(&shown);
}

/* ds_auth_reply - 334: the next response; 235: on; else failure */

static void
ds_auth_reply(struct deliver_smtp *ds)
{
	const struct mail_reply *rp = &ds->rp.reply;
	struct buf wire, shown;

	if (rp->code == 235) {
		ds->authed = 1;
		mail_sasl_client_fini(&ds->sasl);
		ds_ready(ds);
		return;
	}
	if (rp->code == 334 && rp->nlines == 1) {
		buf_init(&wire, 0);
		buf_init(&shown, 0);
		if (mail_sasl_client_step(&ds->sasl, str_from(rp->lines[0]),
		    &wire, &shown) != 0) {
			buf_reset(&wire);
			buf_puts(&wire, "*");	/* cancel (RFC 4954) */
		}
		buf_puts(&wire, "\r\n");
		io_write(ds->io, wire.data, wire.len);
		OPENSSL_cleanse(wire.data, wire.len);
		buf_fini(&wire);
		buf_fini(&shown);
		ds_set_timeout(ds, ds->opts.to.helo_ms);
		return;
	}
	buf_reset(&ds->tmp);
	buf_printf(&ds->tmp, "AUTH failed: %03d ", rp->code);
	ds_reply_text(rp, " ", &ds->tmp);
	if (rp->code == 421)
		ds->healthy = 0;
	ds_auth_fail(ds, rp->code == 535 ? "4.7.8" : "4.7.0", ds->tmp.data);
}

/* ds_ready - the session is set up: start the message */

static void
ds_ready(struct deliver_smtp *ds)
{
	if (ds->relay != NULL && ds->relay->mech != MAIL_SASL_NONE
	    && !ds->authed) {
		ds_auth_start(ds);
		return;
	}
	ds->state = DS_IDLE;
	ds->healthy = 1;
	if (ds->msg != NULL)
		ds_start_txn(ds);
}

/* ds_tls_event - apply the outcome table to a pre-handshake event */

static void
ds_tls_event(struct deliver_smtp *ds, enum policy_tls_event ev)
{
	enum policy_tls_reason why;
	enum policy_tls_action act = policy_tls_outcome(ds->opts.tls, ev,
	    &why);

	ds->tls.reason = why;
	if (act == POLICY_TLS_CLEAR) {
		ds_ready(ds);
		return;
	}
	/* DEFER: nothing is sent on this connection. */
	if (ev == POLICY_TLS_EV_STARTTLS_REFUSED) {
		buf_reset(&ds->line);
		ds_log(ds, logs_dcid_tls_failed(&ds->line, ds_style(ds),
		    ds->dcid, ds_host(ds)->addr_text,
		    "STARTTLS unexpected response"));
	}
	ds_tls_required(ds);
	ds_host_fail(ds, 0, "4.7.4", ev == POLICY_TLS_EV_NO_STARTTLS ?
	    "TLS was required but STARTTLS command not supported" :
	    "TLS was required but STARTTLS unexpected response", 1);
}

/* ds_after_ehlo - the EHLO/HELO reply was good: TLS, or on */

static void
ds_after_ehlo(struct deliver_smtp *ds)
{
	if (ds->tls_on || !policy_tls_attempt(ds->opts.tls)) {
		if (!ds->tls_on)
			ds->tls.reason = POLICY_TLS_R_NOT_WANTED;
		ds_ready(ds);
		return;
	}
	if (!ds->ext_starttls) {
		buf_reset(&ds->line);
		ds_log(ds, logs_dcid_starttls_unsupported(&ds->line, ds->dcid));
		ds_tls_event(ds, POLICY_TLS_EV_NO_STARTTLS);
		return;
	}
	if (ds->opts.ssl_ctx == NULL) {
		msg_warn("DCID %lu: TLS is %s for %s but no client context "
		    "is configured", ds->dcid,
		    policy_tls_level_name(ds->opts.tls), ds->domain);
		ds_tls_event(ds, POLICY_TLS_EV_NO_STARTTLS);
		return;
	}
	io_write(ds->io, "STARTTLS\r\n", 10);
	ds->state = DS_STARTTLS;
	ds_set_timeout(ds, ds->opts.to.starttls_ms);
}

/* ds_starttls_reply - 220 starts the handshake, else the table decides */

static void
ds_starttls_reply(struct deliver_smtp *ds)
{
	const struct mail_reply *rp = &ds->rp.reply;
	const struct deliver_mx_host *h = ds_host(ds);
	enum policy_tls_reason why;
	size_t	dropped = 0;

	if (rp->code != 220) {
		if (policy_tls_outcome(ds->opts.tls,
		    POLICY_TLS_EV_STARTTLS_REFUSED, &why) == POLICY_TLS_DEFER) {
			char	code[8];
			char   *details;

			buf_reset(&ds->tmp);
			ds_reply_text(rp, " ", &ds->tmp);
			snprintf(code, sizeof(code), "%03d", rp->code);
			buf_reset(&ds->line);
			logs_dcid_details_reply(&ds->line, code,
			    str_make(ds->tmp.data, ds->tmp.len));
			details = buf_steal(&ds->line);
			ds_conn_error(ds, details, "unexpected SMTP response");
			mem_free(details);
		}
		if (rp->code == 421)
			ds->healthy = 0;
		ds_tls_event(ds, POLICY_TLS_EV_STARTTLS_REFUSED);
		return;
	}
	ds->state = DS_TLS;
	/* No clear text from here on, whatever happens. */
	if (io_starttls_client(ds->io, ds->opts.ssl_ctx,
	    strcmp(h->name, h->addr_text) != 0 ? h->name : NULL,
	    ds->consumed, &dropped) != 0) {
		ds->healthy = 0;
		ds_host_fail(ds, 0, "4.7.5", "TLS could not be started", 0);
		return;
	}
	if (dropped)
		msg_info("DCID %lu: discarded %zu bytes the server sent after "
		    "its 220 to STARTTLS", ds->dcid, dropped);
}

/* ds_tls_done - the handshake ended */

static void
ds_tls_done(struct io *io, const struct io_tls_info *info, void *ctx)
{
	struct deliver_smtp *ds = ctx;
	const struct deliver_mx_host *h = ds_host(ds);
	enum policy_tls_reason why;
	enum policy_tls_action act;
	const char *refs[2];
	size_t	nrefs = 0;
	int	verified;

	(void) io;
	ds->healthy = 0;
	if (!info->ok) {
		int	mismatch;

		buf_reset(&ds->tmp);
		mismatch = deliver_tls_reason(info->err, ds_style(ds),
		    &ds->tmp);
		buf_reset(&ds->line);
		if (mismatch)
			ds_log(ds, logs_dcid_tls_deferring(&ds->line, ds->dcid,
			    ds->tmp.data));
		else
			ds_log(ds, logs_dcid_tls_failed(&ds->line,
			    ds_style(ds), ds->dcid, h->addr_text,
			    ds->tmp.data));
		(void) policy_tls_outcome(ds->opts.tls,
		    POLICY_TLS_EV_HANDSHAKE_FAILED, &why);
		ds->tls.reason = why;
		ds_tls_required(ds);
		buf_reset(&ds->line);
		buf_printf(&ds->line, "TLS failed: %s", ds->tmp.data);
		if (ds->implicit && (strstr(ds->tmp.data, "wrong version") ||
		    strstr(ds->tmp.data, "packet length") ||
		    strstr(ds->tmp.data, "record layer")))
			buf_puts(&ds->line, " (the server speaks clear text "
			    "on this port: it expects STARTTLS, not SMTPS)");
		{
			char   *text = buf_steal(&ds->line);

			ds_host_fail(ds, 0, "4.7.5", text, 0);
			mem_free(text);
		}
		return;
	}
	ds->tls_on = 1;
	ds->tls.active = 1;
	snprintf(ds->tls.protocol, sizeof(ds->tls.protocol), "%s",
	    info->protocol ? info->protocol : "");
	snprintf(ds->tls.cipher, sizeof(ds->tls.cipher), "%s",
	    info->cipher ? info->cipher : "");
	if (ds->domain[0])
		refs[nrefs++] = ds->domain;
	if (strcmp(h->name, h->addr_text) != 0)	/* not an address */
		refs[nrefs++] = h->name;
	buf_reset(&ds->tmp);
	verified = deliver_tls_check(info->peer_cert, info->verify_result,
	    refs, nrefs, ds->opts.cert_flags, &ds->tls, &ds->tmp);
	act = policy_tls_outcome(ds->opts.tls, verified ?
	    POLICY_TLS_EV_CERT_VERIFIED : POLICY_TLS_EV_CERT_UNVERIFIED, &why);
	ds->tls.reason = why;
	if (act == POLICY_TLS_SECURE) {
		buf_reset(&ds->line);
		ds_log(ds, logs_dcid_tls_success(&ds->line, ds->dcid,
		    ds->tls.protocol, ds->tls.cipher));
		if (!verified && policy_tls_level_verifies(ds->opts.tls))
			msg_info("DCID %lu: certificate of %s[%s] not "
			    "verified (%s); delivering over TLS as %s allows",
			    ds->dcid, h->name, h->addr_text, ds->tmp.data,
			    policy_tls_level_name(ds->opts.tls));
		ds->healthy = 1;
		if (ds->implicit) {
			ds->implicit = 0;	/* SMTPS: now the greeting */
			ds->state = DS_GREETING;
			ds_set_timeout(ds, ds->opts.to.greeting_ms);
			return;
		}
		ds_send_ehlo(ds, 0);
		return;
	}
	/* Required-verify and the certificate failed. */
	buf_reset(&ds->line);
	buf_printf(&ds->line, "certificate verification failed: %s",
	    ds->tmp.data);
	{
		char   *text = buf_steal(&ds->line);

		buf_reset(&ds->line);
		ds_log(ds, logs_dcid_tls_failed(&ds->line, ds_style(ds),
		    ds->dcid, h->addr_text, text));
		ds_tls_required(ds);
		ds->healthy = 1;
		ds_host_fail(ds, 0, "4.7.5", text, 1);
		mem_free(text);
	}
}

/* ds_needs_utf8 - does the message need SMTPUTF8 */

static int
ds_needs_utf8(const struct deliver_msg *msg)
{
	const unsigned char *p;
	size_t	i;

	if (msg->smtputf8)
		return (1);
	for (p = (const unsigned char *) msg->sender; *p; p++)
		if (*p >= 0x80)
			return (1);
	for (i = 0; i < msg->nrcpts; i++)
		for (p = (const unsigned char *) msg->rcpts[i].addr; *p; p++)
			if (*p >= 0x80)
				return (1);
	return (0);
}

/* ds_send_mail - MAIL FROM with the parameters the server offered */

static void
ds_send_mail(struct deliver_smtp *ds)
{
	struct deliver_msg *msg = ds->msg;

	io_printf(ds->io, "MAIL FROM:<%s>", msg->sender);
	if (ds->ext_size && msg->size > 0)
		io_printf(ds->io, " SIZE=%lld", (long long) msg->size);
	if (ds->ext_8bitmime && msg->body_8bit)
		io_write(ds->io, " BODY=8BITMIME", 14);
	if (ds->ext_smtputf8 && ds_needs_utf8(msg))
		io_write(ds->io, " SMTPUTF8", 9);
	io_write(ds->io, "\r\n", 2);
}

/* ds_send_rcpt - RCPT TO for recipient i */

static void
ds_send_rcpt(struct deliver_smtp *ds, size_t i)
{
	io_printf(ds->io, "RCPT TO:<%s>\r\n", ds->msg->rcpts[i].addr);
}

/* ds_addr_ok - no byte that could end or split a command */

static int
ds_addr_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char) *s < 0x20 || *s == 0x7f || *s == '<'
		    || *s == '>')
			return (0);
	return (1);
}

/* ds_local_fail - refuse the whole message before sending anything */

static void
ds_local_fail(struct deliver_smtp *ds, const char *dsn, const char *text)
{
	ds_fail_pending(ds, dsn[0] == '5' ? DELIVER_BOUNCE : DELIVER_DEFER,
	    0, dsn, text, 1);
	ds->state = DS_IDLE;
	ds_finish_msg(ds);
}

/* ds_start_txn - Delivery start, MAIL, RCPT..., DATA */

static void
ds_start_txn(struct deliver_smtp *ds)
{
	struct deliver_msg *msg = ds->msg;
	unsigned *rids;
	size_t	i;

	ds->phase = PH_TXN;
	ds->mail_failed = 0;
	ds->oi = ds->norder = 0;
	ds->naccepted = 0;
	if (!ds_addr_ok(msg->sender)) {
		ds_local_fail(ds, "5.1.7", "invalid sender address");
		return;
	}
	if (ds_needs_utf8(msg) && !ds->ext_smtputf8) {
		buf_reset(&ds->tmp);
		buf_printf(&ds->tmp, "SMTPUTF8 is required, but was not "
		    "offered by host %s[%s]", ds_host(ds)->name,
		    ds_host(ds)->addr_text);
		ds_local_fail(ds, "5.6.7", ds->tmp.data);
		return;
	}
	if (ds->ext_size && ds->size_max > 0 && msg->size > 0
	    && (unsigned long long) msg->size > ds->size_max) {
		buf_reset(&ds->tmp);
		buf_printf(&ds->tmp, "message size %lld exceeds size limit "
		    "%lu of server %s[%s]", (long long) msg->size,
		    ds->size_max, ds_host(ds)->name, ds_host(ds)->addr_text);
		ds_local_fail(ds, "5.3.4", ds->tmp.data);
		return;
	}
	mem_free(ds->order);
	ds->order = mem_zalloc(msg->nrcpts ? msg->nrcpts : 1,
	    sizeof(*ds->order));
	for (i = 0; i < msg->nrcpts; i++) {
		if (!ds_addr_ok(msg->rcpts[i].addr)) {
			ds_set_result(msg->rcpts + i, DELIVER_BOUNCE, 0,
			    "5.1.3", "invalid recipient address");
			ds_log_result(ds, ds->dcid, msg->rcpts + i);
			continue;
		}
		ds->order[ds->norder++] = i;
	}
	if (ds->norder == 0) {
		ds->state = DS_IDLE;
		ds_finish_msg(ds);
		return;
	}
	rids = mem_zalloc(msg->nrcpts, sizeof(*rids));
	for (i = 0; i < msg->nrcpts; i++)
		rids[i] = msg->rcpts[i].rid;
	buf_reset(&ds->line);
	ds_log(ds, logs_dcid_delivery_start(&ds->line, ds->dcid, msg->mid,
	    rids, msg->nrcpts));
	mem_free(rids);

	ds->need_rset = 1;
	ds->pipe = ds->ext_pipelining;
	ds_send_mail(ds);
	if (ds->pipe) {
		for (i = 0; i < ds->norder; i++)
			ds_send_rcpt(ds, ds->order[i]);
		io_write(ds->io, "DATA\r\n", 6);
	}
	ds->state = DS_MAIL;
	ds_set_timeout(ds, ds->opts.to.mail_ms);
}

/* ds_rcpt_advance - wait for the next RCPT reply, or go to DATA */

static void
ds_rcpt_advance(struct deliver_smtp *ds)
{
	if (ds->oi < ds->norder) {
		if (!ds->pipe)
			ds_send_rcpt(ds, ds->order[ds->oi]);
		ds->state = DS_RCPT;
		ds_set_timeout(ds, ds->opts.to.rcpt_ms);
		return;
	}
	if (!ds->pipe) {
		if (ds->naccepted == 0) {
			/* Nobody to send to; RSET before the next MAIL. */
			ds->state = DS_IDLE;
			ds_finish_msg(ds);
			return;
		}
		io_write(ds->io, "DATA\r\n", 6);
	}
	ds->state = DS_DATA;
	ds_set_timeout(ds, ds->opts.to.data_ms);
}

/* ds_txn_fail_accepted - MAIL/DATA/dot refused: the pending recipients */

static void
ds_txn_fail_accepted(struct deliver_smtp *ds, const char *where)
{
	struct deliver_msg *msg = ds->msg;
	size_t	i;

	for (i = 0; i < msg->nrcpts; i++) {
		struct deliver_rcpt *rc = msg->rcpts + i;

		if (rc->result.status != DELIVER_NONE)
			continue;
		ds_reply_result(ds, rc, where, 0);
		ds_log_result(ds, ds->dcid, rc);
	}
}

/* ds_body_start - 354: send the content */

static void
ds_body_start(struct deliver_smtp *ds)
{
	ds->state = DS_BODY;
	ds->off = 0;
	ds->eof = 0;
	ds->at_bol = 1;
	ds->pending_cr = 0;
	ds->linelen = 0;
	if (ds->block == NULL)
		ds->block = mem_alloc(DS_BLOCK);
	io_set_lowat(ds->io, DS_LOWAT);
	ds_set_timeout(ds, ds->opts.to.block_ms);
	ds_pump(ds);
}

/* ds_crlf - end a line on the wire */

static void
ds_crlf(struct deliver_smtp *ds)
{
	buf_append(&ds->out, "\r\n", 2);
	ds->at_bol = 1;
	ds->linelen = 0;
}

/* ds_encode - content bytes to wire bytes (see DESCRIPTION) */

static void
ds_encode(struct deliver_smtp *ds, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		int	c = (unsigned char) p[i];

		if (ds->pending_cr) {
			ds->pending_cr = 0;
			ds_crlf(ds);
			if (c == '\n')
				continue;
		}
		if (c == '\r') {
			ds->pending_cr = 1;
			continue;
		}
		if (c == '\n') {
			ds_crlf(ds);
			continue;
		}
		if (ds->linelen >= DELIVER_LINE_MAX) {
			buf_append(&ds->out, "\r\n ", 3);
			ds->linelen = 1;
			ds->at_bol = 0;
		}
		if (ds->at_bol && c == '.') {
			buf_putc(&ds->out, '.');
			ds->linelen++;
		}
		ds->at_bol = 0;
		buf_putc(&ds->out, c);
		ds->linelen++;
	}
}

/* ds_pump - read and send content until the queue is full or the end */

static void
ds_pump(struct deliver_smtp *ds)
{
	ssize_t	n;

	while (ds->state == DS_BODY && io_pending(ds->io) <= DS_LOWAT) {
		buf_reset(&ds->out);
		n = pread(ds->msg->fd, ds->block, DS_BLOCK, ds->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			char	text[160];

			msg_warn("DCID %lu: MID %lu: read content: %s",
			    ds->dcid, ds->msg->mid, strerror(errno));
			snprintf(text, sizeof(text), "cannot read the "
			    "message content: %s", strerror(errno));
			/* Never end the DATA: the server must not deliver. */
			ds_fail_pending(ds, DELIVER_DEFER, 0, "4.3.0", text, 1);
			ds->healthy = 0;
			ds->phase = PH_DONE;
			ds_close(ds, 0);
			return;
		}
		if (n == 0) {
			if (ds->pending_cr || !ds->at_bol) {
				ds->pending_cr = 0;
				ds_crlf(ds);
			}
			buf_append(&ds->out, ".\r\n", 3);
			io_write(ds->io, ds->out.data, ds->out.len);
			ds->state = DS_DOT;
			ds_set_timeout(ds, ds->opts.to.dot_ms);
			return;
		}
		ds->off += n;
		ds_encode(ds, ds->block, (size_t) n);
		io_write(ds->io, ds->out.data, ds->out.len);
	}
}

/* ds_drained - the output fell below the mark: more content */

static void
ds_drained(struct io *io, void *ctx)
{
	struct deliver_smtp *ds = ctx;

	(void) io;
	if (ds->state == DS_BODY)
		ds_pump(ds);
}

/* ds_dot_reply - the verdict on the message */

static void
ds_dot_reply(struct deliver_smtp *ds)
{
	const struct mail_reply *rp = &ds->rp.reply;
	struct deliver_msg *msg = ds->msg;
	unsigned *rids;
	size_t	i, n = 0;

	ds->need_rset = 0;
	ds->state = DS_IDLE;
	if (ds->naccepted == 0) {
		/* A 354 answered a pipelined DATA with no recipient. */
		ds_finish_msg(ds);
		return;
	}
	if (rp->code != 250) {
		ds_txn_fail_accepted(ds, "3.0");
		ds_finish_msg(ds);
		return;
	}
	rids = mem_zalloc(msg->nrcpts, sizeof(*rids));
	for (i = 0; i < msg->nrcpts; i++) {
		struct deliver_rcpt *rc = msg->rcpts + i;

		if (rc->result.status != DELIVER_NONE)
			continue;
		ds_reply_result(ds, rc, "0.0", 1);
		rids[n++] = rc->rid;
	}
	buf_reset(&ds->tmp);
	ds_reply_text(rp, " ", &ds->tmp);
	buf_reset(&ds->line);
	ds_log(ds, logs_mid_response(&ds->line, msg->mid, rids, n,
	    str_make(ds->tmp.data, ds->tmp.len)));
	ds_log(ds, logs_dcid_message_done(&ds->line, ds->dcid, msg->mid,
	    rids, n));
	mem_free(rids);
	ds_finish_msg(ds);
}

/* ds_txn_reply - replies of the transaction */

static void
ds_txn_reply(struct deliver_smtp *ds)
{
	const struct mail_reply *rp = &ds->rp.reply;
	struct deliver_msg *msg = ds->msg;
	struct deliver_rcpt *rc;

	switch (ds->state) {
	case DS_MAIL:
		if (rp->code != 250) {
			ds->mail_failed = 1;
			ds_txn_fail_accepted(ds, "1.0");
			ds->need_rset = 0;
			if (!ds->pipe) {
				ds->state = DS_IDLE;
				ds_finish_msg(ds);
				return;
			}
		}
		ds->oi = 0;
		ds_rcpt_advance(ds);
		return;
	case DS_RCPT:
		rc = msg->rcpts + ds->order[ds->oi];
		if (!ds->mail_failed && rc->result.status == DELIVER_NONE) {
			if (rp->code == 250 || rp->code == 251) {
				/*
				 * Accepted: the result comes after the dot;
				 * until then it stays DELIVER_NONE.
				 */
				ds->naccepted++;
			} else {
				ds_reply_result(ds, rc, "1.0", 0);
				ds_log_result(ds, ds->dcid, rc);
			}
		}
		ds->oi++;
		ds_rcpt_advance(ds);
		return;
	case DS_DATA:
		if (ds->mail_failed || ds->naccepted == 0) {
			if (rp->code == 354) {
				io_write(ds->io, ".\r\n", 3);
				ds->state = DS_DOT;
				ds_set_timeout(ds, ds->opts.to.dot_ms);
				return;
			}
			ds->state = DS_IDLE;
			ds_finish_msg(ds);
			return;
		}
		if (rp->code != 354) {
			ds_txn_fail_accepted(ds, "3.0");
			ds->state = DS_IDLE;
			ds_finish_msg(ds);
			return;
		}
		ds_body_start(ds);
		return;
	case DS_BODY:
		/* A reply before the dot: the server gave up on us. */
		ds->healthy = 0;
		ds_txn_fail_accepted(ds, "3.0");
		ds->phase = PH_DONE;
		ds_close(ds, 0);
		return;
	case DS_DOT:
		ds_dot_reply(ds);
		return;
	default:
		msg_panic("ds_txn_reply: state %d", (int) ds->state);
	}
}

/* ds_reply - one whole reply arrived */

static void
ds_reply(struct deliver_smtp *ds)
{
	const struct mail_reply *rp = &ds->rp.reply;

	switch (ds->state) {
	case DS_GREETING:
		if (rp->code != 220) {
			ds_reply_fail(ds, 1);
			return;
		}
		ds_send_ehlo(ds, 0);
		return;
	case DS_EHLO:
		if (rp->code / 100 == 5 && !ds->tls_on) {
			ds_send_ehlo(ds, 1);
			return;
		}
		if (rp->code != 250) {
			ds_reply_fail(ds, rp->code != 421);
			return;
		}
		ds_parse_ehlo(ds);
		ds_after_ehlo(ds);
		return;
	case DS_HELO:
		if (rp->code != 250) {
			ds_reply_fail(ds, rp->code != 421);
			return;
		}
		ds_after_ehlo(ds);
		return;
	case DS_STARTTLS:
		ds_starttls_reply(ds);
		return;
	case DS_AUTH:
		ds_auth_reply(ds);
		return;
	case DS_MAIL:
	case DS_RCPT:
	case DS_DATA:
	case DS_BODY:
	case DS_DOT:
		if (rp->code == 421)
			ds->healthy = 0;
		ds_txn_reply(ds);
		return;
	case DS_RSET:
		if (rp->code != 250) {
			ds->healthy = 0;
			ds_fail_pending(ds, DELIVER_DEFER, rp->code, "4.4.0",
			    "RSET refused", 0);
			ds->phase = PH_DONE;
			ds_close(ds, 0);
			return;
		}
		ds->need_rset = 0;
		ds->state = DS_IDLE;
		ds_start_txn(ds);
		return;
	case DS_QUIT:
		ds->state = DS_GONE;
		io_close(ds->io);
		return;
	case DS_IDLE:
		/* Unasked: a 421 before closing, or noise. */
		ds->healthy = 0;
		ds->state = DS_GONE;
		io_close(ds->io);
		return;
	default:
		return;
	}
}

/* ds_broken - the peer spoke out of turn or garbage */

static void
ds_broken(struct deliver_smtp *ds, const char *why)
{
	char	text[256];

	snprintf(text, sizeof(text), "malformed SMTP reply: %s", why);
	msg_info("DCID %lu: %s[%s]: %s", ds->dcid, ds_host(ds)->name,
	    ds_host(ds)->addr_text, text);
	ds->healthy = 0;
	if (ds->phase == PH_HOSTS) {
		ds_conn_error(ds, text, "protocol error");
		ds_host_fail(ds, 0, "4.5.0", text, 0);
		return;
	}
	if (ds->phase == PH_TXN) {
		ds_fail_pending(ds, DELIVER_DEFER, 0, "4.5.0", text, 1);
		ds->phase = PH_DONE;
	}
	ds_close(ds, 0);
}

/* ds_data - reply bytes: frame lines, parse, act */

static size_t
ds_data(struct io *io, const char *buf, size_t len, void *ctx)
{
	struct deliver_smtp *ds = ctx;
	size_t	used = 0;

	(void) io;
	while (used < len && ds->state != DS_GONE && ds->state != DS_TLS) {
		const char *start = buf + used;
		const char *nl = memchr(start, '\n', len - used);
		size_t	ll;
		int	r;

		if (nl == NULL) {
			if (len - used > DS_REPLY_LEN + 2) {
				ds_broken(ds, "reply line too long");
				return (len);
			}
			break;
		}
		ll = (size_t) (nl - start);
		if (ll > 0 && start[ll - 1] == '\r')
			ll--;
		used += (size_t) (nl - start) + 1;
		r = mail_reply_parse_line(&ds->rp, str_make(start, ll));
		if (r == MAIL_REPLY_PARSE_MORE)
			continue;
		if (r == MAIL_REPLY_PARSE_ERROR) {
			ds_broken(ds, mail_reply_parse_error(&ds->rp));
			return (len);
		}
		ds->consumed = used;
		ds_reply(ds);
		if (ds->state == DS_TLS)
			return (len);	/* io dropped the rest */
	}
	return (used);
}

/* ds_net_fail - the connection broke or timed out */

static void
ds_net_fail(struct deliver_smtp *ds, const char *details, const char *text)
{
	ds->healthy = 0;
	if (ds->state == DS_QUIT || ds->state == DS_GONE
	    || ds->phase == PH_DONE || ds->phase == PH_QUIT) {
		if (ds->state != DS_GONE) {
			ds->state = DS_GONE;
			io_close(ds->io);
		}
		return;
	}
	ds_conn_error(ds, details, "network error");
	if (ds->phase == PH_HOSTS) {
		ds_host_fail(ds, 0, "4.4.0", text, 0);
		return;
	}
	/* In the transaction: after the dot, maybe delivered; retry. */
	ds_fail_pending(ds, DELIVER_DEFER, 0, "4.4.0", text, 1);
	ds->phase = PH_DONE;
	ds_close(ds, 0);
}

/* ds_hangup - the peer went away */

static void
ds_hangup(struct io *io, const struct io_error *err, void *ctx)
{
	struct deliver_smtp *ds = ctx;
	char	text[192];

	(void) io;
	if (err->kind == IO_ERR_SYS)
		snprintf(text, sizeof(text), "[Errno %d] %s", err->sys_errno,
		    err->sys_text);
	else if (err->kind == IO_ERR_TLS)
		snprintf(text, sizeof(text), "TLS error: %s",
		    err->count ? err->err[0].reason : "record error");
	else
		snprintf(text, sizeof(text), "EOF");
	ds_net_fail(ds, text, text);
}

/* ds_timeout - no progress for too long */

static void
ds_timeout(struct io *io, enum io_timeout which, void *ctx)
{
	struct deliver_smtp *ds = ctx;

	(void) io;
	(void) which;
	if (ds->state == DS_IDLE && ds->phase == PH_DONE) {
		/* Kept for reuse but nobody came: close, wait for quit. */
		ds_close(ds, 1);
		return;
	}
	if (ds->state == DS_GREETING && ds->relay != NULL
	    && !ds->relay->implicit_tls) {
		ds_net_fail(ds, "timeout", "no greeting: the port may "
		    "expect TLS from the first byte (encryption: smtps)");
		return;
	}
	ds_net_fail(ds, "timeout", "connection timed out");
}

/* ds_connected - TCP is up, or not */

static void
ds_connected(struct io *io, const struct io_error *err, void *ctx)
{
	struct deliver_smtp *ds = ctx;
	const struct deliver_mx_host *h = ds_host(ds);

	if (err != NULL) {
		char	text[192];

		snprintf(text, sizeof(text), "[Errno %d] %s", err->sys_errno,
		    err->sys_text);
		ds_conn_error(ds, text, "network error");
		ds_host_fail(ds, 0, "4.4.1", text, 0);
		return;
	}
	if (ds->opts.src == NULL)
		snprintf(ds->ifip, sizeof(ds->ifip), "%s",
		    io_local_name(io));
	buf_reset(&ds->line);
	ds_log(ds, logs_dcid_new(&ds->line, ds->dcid, ds->ifip, h->addr_text,
	    h->port));
	ds->logged_new = 1;
	ds->state = DS_GREETING;
	ds->healthy = 1;
	io_set_timeout(io, ds->opts.to.greeting_ms);
	if (ds->relay != NULL && ds->relay->implicit_tls)
		ds_implicit_tls(ds);
}

/* ds_give_up - no host left: the recipients get the last reason */

static void
ds_give_up(struct deliver_smtp *ds)
{
	const char *dsn = ds->fail_dsn[0] ? ds->fail_dsn : "4.4.0";
	enum deliver_status st = ds->fail_code / 100 == 5 ?
	    DELIVER_BOUNCE : DELIVER_DEFER;
	char	d4[16];

	if (st == DELIVER_DEFER && dsn[0] != '4') {
		snprintf(d4, sizeof(d4), "4%s", dsn + 1);
		dsn = d4;
	}
	ds_fail_pending(ds, st, ds->fail_code, dsn,
	    ds->fail_text ? ds->fail_text : "no host to try", 1);
	ds_finish_msg(ds);
}

/* ds_closed - the connection is gone: next host, finish, or free */

static void
ds_closed(struct io *io, void *ctx)
{
	struct deliver_smtp *ds = ctx;

	(void) io;
	ds->io = NULL;
	ds->state = DS_GONE;
	ds->healthy = 0;
	if (ds->logged_new) {
		buf_reset(&ds->line);
		ds_log(ds, logs_dcid_close(&ds->line, ds->dcid));
		ds->logged_new = 0;
	}
	switch (ds->phase) {
	case PH_HOSTS:
		ds->hi++;
		ds_try_host(ds);
		return;
	case PH_TXN:
		/* Closed under a transaction without an error seen. */
		ds_fail_pending(ds, DELIVER_DEFER, 0, "4.4.0", "EOF", 1);
		ds_finish_msg(ds);
		return;
	case PH_DONE:
		if (ds->msg != NULL) {
			ds_finish_msg(ds);
			return;
		}
		if (ds->kept && !ds->quit_asked)
			return;		/* the caller holds ds: quit frees */
		ds_free(ds);
		return;
	case PH_QUIT:
		ds_free(ds);
		return;
	}
}

/* ds_kick_cb - nothing could be started: finish from the loop */

static void
ds_kick_cb(uv_timer_t *t)
{
	struct deliver_smtp *ds = t->data;

	if (ds->kick_txn) {
		ds->kick_txn = 0;
		if (ds->io != NULL && ds->state == DS_IDLE && ds->msg != NULL)
			ds_start_txn(ds);
		return;
	}
	ds_give_up(ds);
}

/* ds_try_host - connect to the next host, or give up */

static void
ds_try_host(struct deliver_smtp *ds)
{
	int	err;

	for (; ds->hi < ds->nhosts; ds->hi++) {
		const struct deliver_mx_host *h = ds->hosts + ds->hi;

		ds->dcid = ds->opts.seq ? (unsigned long)
		    seq_next(ds->opts.seq, SEQ_DCID) :
		    ds->opts.next_dcid(ds->opts.dcid_ctx);
		ds->state = DS_CONNECT;
		ds_relay_select(ds, h);
		ds->tls_on = 0;
		ds->healthy = 0;
		ds->need_rset = 0;
		memset(&ds->tls, 0, sizeof(ds->tls));
		if (ds->opts.src == NULL)
			snprintf(ds->ifip, sizeof(ds->ifip), "0.0.0.0");
		ds->io = io_connect(ds->loop, (const struct sockaddr *)
		    &h->addr, ds->opts.src, &ds_ops, ds, &err);
		if (ds->io != NULL) {
			io_set_timeout(ds->io, ds->opts.to.connect_ms);
			return;
		}
		{
			char	text[192];

			snprintf(text, sizeof(text), "[Errno %d] %s", err,
			    strerror(err));
			ds_conn_error(ds, text, "network error");
			mem_free(ds->fail_text);
			ds->fail_text = mem_strdup(text);
			ds->fail_code = 0;
			snprintf(ds->fail_dsn, sizeof(ds->fail_dsn), "4.4.1");
		}
	}
	(void) uv_timer_start(&ds->kick, ds_kick_cb, 0, 0);
}

static const struct io_ops ds_ops = {
	.data = ds_data,
	.drained = ds_drained,
	.connected = ds_connected,
	.tls_done = ds_tls_done,
	.hangup = ds_hangup,
	.timeout = ds_timeout,
	.closed = ds_closed,
};

/* ds_msg_reset - clear the results of a job */

static void
ds_msg_reset(struct deliver_msg *msg)
{
	size_t	i;

	for (i = 0; i < msg->nrcpts; i++) {
		msg->rcpts[i].result.text = mem_free(msg->rcpts[i].result.text);
		memset(&msg->rcpts[i].result, 0, sizeof(msg->rcpts[i].result));
	}
	msg->status = DELIVER_NONE;
	msg->ndelivered = msg->ndeferred = msg->nbounced = 0;
	memset(&msg->tls, 0, sizeof(msg->tls));
}

/* deliver_smtp_live - sessions of this process not yet freed */

size_t
deliver_smtp_live(void)
{
	return (ds_live);
}

/* deliver_smtp_start - one attempt: connect, set up, send msg */

struct deliver_smtp *
deliver_smtp_start(uv_loop_t *loop, const struct deliver_smtp_opts *opts,
    const struct deliver_mx_host *hosts, size_t nhosts,
    struct deliver_msg *msg, deliver_smtp_fn done, void *ctx)
{
	struct deliver_smtp *ds;
	size_t	i;

	if (loop == NULL || opts == NULL || msg == NULL || done == NULL)
		msg_panic("deliver_smtp_start: null argument");
	if (opts->seq == NULL && opts->next_dcid == NULL)
		msg_panic("deliver_smtp_start: no DCID source");
	if (opts->tls == POLICY_TLS_DEFAULT)
		msg_panic("deliver_smtp_start: unresolved TLS level");
	ds = mem_zalloc(1, sizeof(*ds));
	ds->loop = loop;
	ds->opts = *opts;
	ds->base_tls = opts->tls;
	ds_live++;
	ds->helo_name = mem_strdup(opts->helo_name ? opts->helo_name :
	    "localhost");
	ds->domain = mem_strdup(opts->domain ? opts->domain : "");
	ds->nhosts = nhosts;
	ds->hosts = mem_zalloc(nhosts ? nhosts : 1, sizeof(*ds->hosts));
	for (i = 0; i < nhosts; i++) {
		ds->hosts[i] = hosts[i];
		ds->hosts[i].name = mem_strdup(hosts[i].name ? hosts[i].name :
		    hosts[i].addr_text);
	}
	if (opts->src != NULL) {
		char	host[INET6_ADDRSTRLEN] = "";

		memcpy(&ds->src, opts->src, opts->src->sa_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
		ds->opts.src = (const struct sockaddr *) &ds->src;

		if (opts->src->sa_family == AF_INET)
			(void) uv_ip4_name((const struct sockaddr_in *)
			    opts->src, host, sizeof(host));
		else if (opts->src->sa_family == AF_INET6)
			(void) uv_ip6_name((const struct sockaddr_in6 *)
			    opts->src, host, sizeof(host));
		snprintf(ds->ifip, sizeof(ds->ifip), "%s", host);
	}
	mail_reply_parser_init(&ds->rp, DS_REPLY_LINES, DS_REPLY_LEN);
	buf_init(&ds->line, 256);
	buf_init(&ds->tmp, 256);
	buf_init(&ds->out, DS_BLOCK + DS_BLOCK / 4);
	(void) uv_timer_init(loop, &ds->kick);
	ds->kick.data = ds;
	ds->msg = msg;
	ds->done = done;
	ds->done_ctx = ctx;
	ds->phase = PH_HOSTS;
	ds_msg_reset(msg);
	ds_try_host(ds);
	return (ds);
}

/* deliver_smtp_next - another message on the kept connection */

int
deliver_smtp_next(struct deliver_smtp *ds, struct deliver_msg *msg,
    deliver_smtp_fn done, void *ctx)
{
	if (msg == NULL || done == NULL)
		msg_panic("deliver_smtp_next: null argument");
	if (!deliver_smtp_reusable(ds))
		return (-1);
	ds_msg_reset(msg);
	ds->kept = 0;
	ds->msg = msg;
	ds->done = done;
	ds->done_ctx = ctx;
	ds->phase = PH_TXN;
	if (ds->need_rset) {
		io_write(ds->io, "RSET\r\n", 6);
		ds->state = DS_RSET;
		ds_set_timeout(ds, ds->opts.to.rset_ms);
		return (0);
	}
	/* From the loop, so that done() never runs inside this call. */
	ds->kick_txn = 1;
	(void) uv_timer_start(&ds->kick, ds_kick_cb, 0, 0);
	return (0);
}

/* deliver_smtp_quit - QUIT, close, free */

void
deliver_smtp_quit(struct deliver_smtp *ds)
{
	if (ds == NULL)
		return;
	ds->quit_asked = 1;
	if (ds->in_done)
		return;			/* ds_after_done() quits */
	if (ds->msg != NULL)
		msg_panic("deliver_smtp_quit: message in flight");
	ds->phase = PH_QUIT;
	if (ds->io == NULL) {
		ds_free(ds);
		return;
	}
	ds_close(ds, 1);
}

/* deliver_smtp_reusable - may another message go on this connection */

int
deliver_smtp_reusable(const struct deliver_smtp *ds)
{
	return (ds->io != NULL && ds->healthy && ds->state == DS_IDLE
	    && ds->msg == NULL && !ds->quit_asked);
}

/* deliver_smtp_dcid - the DCID of the current connection */

unsigned long
deliver_smtp_dcid(const struct deliver_smtp *ds)
{
	return (ds->dcid);
}

/* deliver_smtp_host - the host of the current connection */

const struct deliver_mx_host *
deliver_smtp_host(const struct deliver_smtp *ds)
{
	return (ds->nhosts ? ds_host(ds) : NULL);
}

/* deliver_mx_fail - a next-hop lookup failed: every recipient */

void
deliver_mx_fail(const struct deliver_mx_result *res, struct deliver_msg *msg,
    struct logs_maillog *log)
{
	struct buf line;
	size_t	i;
	enum deliver_status st;
	const char *dsn;
	const char *text = res->text ? res->text : "";

	ds_msg_reset(msg);
	switch (res->status) {
	case DELIVER_MX_DEVNULL:
		for (i = 0; i < msg->nrcpts; i++)
			ds_set_result(msg->rcpts + i, DELIVER_OK, 0, "2.0.0",
			    "dropped by SMTP route /dev/null");
		msg->status = DELIVER_OK;
		msg->ndelivered = msg->nrcpts;
		return;
	case DELIVER_MX_NOTFOUND:
		st = DELIVER_BOUNCE;
		dsn = "5.1.2";
		break;
	default:
		st = DELIVER_DEFER;
		dsn = "4.4.3";
		break;
	}
	if (res->dsn != NULL)
		dsn = res->dsn;
	buf_init(&line, 256);
	for (i = 0; i < msg->nrcpts; i++) {
		struct logs_dcid_bounce b;
		struct str l = str_from(text);

		ds_set_result(msg->rcpts + i, st, 0, dsn, text);
		memset(&b, 0, sizeof(b));
		b.dcid = 0;
		b.mid = msg->mid;
		b.rid = msg->rcpts[i].rid;
		b.dsn = dsn;
		b.description = mail_reply_dsn_text(dsn);
		b.code = "000";
		b.lines = &l;
		b.nlines = 1;
		buf_reset(&line);
		if (log)
			(void) logs_maillog_write(log, st == DELIVER_BOUNCE ?
			    logs_dcid_bounced(&line, &b) :
			    logs_dcid_delayed(&line, &b), &line);
	}
	buf_fini(&line);
	msg->status = st;
	if (st == DELIVER_BOUNCE)
		msg->nbounced = msg->nrcpts;
	else
		msg->ndeferred = msg->nrcpts;
}
