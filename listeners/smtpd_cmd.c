/*
 * NAME
 *	smtpd_cmd - the SMTP commands of an inbound session
 * DESCRIPTION
 *	See smtpd_cmd.h. One function per command, and one table that
 *	says which commands must end a pipelined group and which may be
 *	used before STARTTLS when TLS is required.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "buf.h"
#include "dns.h"
#include "iptab.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

#include "logs_icid.h"
#include "logs_mid.h"

#include "mail_addr.h"
#include "mail_line.h"
#include "mail_param.h"
#include "mail_reply.h"

#include "policy_flow.h"

#include "smtpd_auth.h"
#include "smtpd_cmd.h"
#include "smtpd_data.h"
#include "smtpd_session.h"
#include "smtpd_tls.h"

typedef void (*smtpd_cmd_fn)(struct smtpd_session *, struct str);

struct smtpd_cmd {
	enum mail_verb verb;
	smtpd_cmd_fn fn;
	int	flags;
};

#define SMTPD_CMD_LAST		(1 << 0)	/* must end a pipelined group */
#define SMTPD_CMD_BEFORE_TLS	(1 << 1)	/* allowed while TLS is required */

/* smtpd_cmd_hostname - our name in replies */

static const char *
smtpd_cmd_hostname(const struct smtpd_session *ss)
{
	return (ss->sl->cl->hostname[0] ? ss->sl->cl->hostname
	    : ss->sd->sv->cf->hostname);
}

/* smtpd_cmd_tls_offered - is STARTTLS offered to this client now */

static int
smtpd_cmd_tls_offered(const struct smtpd_session *ss)
{
	return (!ss->tls && ss->flow->tls != POLICY_ITLS_OFF);
}

/* smtpd_cmd_exts - the extensions MAIL and RCPT parameters may use */

static int
smtpd_cmd_exts(const struct smtpd_session *ss)
{
	return (ss->esmtp ? MAIL_PARAM_EXT_SIZE | MAIL_PARAM_EXT_8BITMIME
	    | MAIL_PARAM_EXT_SMTPUTF8 : 0);
}

/* smtpd_cmd_send_reply - send a reply held in a struct, then free it */

static void
smtpd_cmd_send_reply(struct smtpd_session *ss, struct mail_reply *rp)
{
	smtpd_session_reply(ss, rp);
	mail_reply_fini(rp);
}

/* smtpd_cmd_helo_arg - check the HELO/EHLO argument */

static int
smtpd_cmd_helo_arg(struct smtpd_session *ss, struct str arg,
    const char *verb)
{
	struct buf *usage;

	if (arg.len > 0 && !mail_line_has_ctl(arg) && memchr(arg.ptr, ' ',
	    arg.len) == NULL)
		return (1);
	usage = buf_new(0);
	buf_printf(usage, "%s hostname", verb);
	smtpd_session_reply_id(ss, MAIL_REPLY_SYNTAX_ARG, usage->data);
	buf_free(usage);
	return (0);
}

/* smtpd_cmd_helo - HELO: plain SMTP */

static void
smtpd_cmd_helo(struct smtpd_session *ss, struct str arg)
{
	struct buf *text;

	if (!smtpd_cmd_helo_arg(ss, arg, "HELO"))
		return;
	smtpd_session_reset(ss);
	mem_free(ss->helo);
	ss->helo = str_dup(arg);
	ss->esmtp = 0;
	ss->state = SMTPD_S_HELO;
	text = buf_new(0);
	buf_printf(text, "%s", smtpd_cmd_hostname(ss));
	smtpd_session_reply_text(ss, 250, "", text->data);
	buf_free(text);
}

/* smtpd_cmd_ehlo - EHLO: the extensions this client may use */

static void
smtpd_cmd_ehlo(struct smtpd_session *ss, struct str arg)
{
	struct mail_reply rp;

	if (!smtpd_cmd_helo_arg(ss, arg, "EHLO"))
		return;
	smtpd_session_reset(ss);
	mem_free(ss->helo);
	ss->helo = str_dup(arg);
	ss->esmtp = 1;
	ss->state = SMTPD_S_HELO;
	mail_reply_init(&rp);
	mail_reply_start(&rp, 250, "");
	mail_reply_add(&rp, smtpd_cmd_hostname(ss));
	mail_reply_add(&rp, "PIPELINING");
	mail_reply_addf(&rp, "SIZE %ld", ss->flow->max_msg_size);
	mail_reply_add(&rp, "8BITMIME");
	mail_reply_add(&rp, "ENHANCEDSTATUSCODES");
	mail_reply_add(&rp, "SMTPUTF8");
	if (smtpd_cmd_tls_offered(ss) && ss->sl->ssl_ctx)
		mail_reply_add(&rp, "STARTTLS");
	if (smtpd_auth_offered(ss))
		mail_reply_add(&rp, "AUTH PLAIN LOGIN");
	smtpd_cmd_send_reply(ss, &rp);
}

/* smtpd_cmd_mail_opened - the queue manager made room for the message */

static void
smtpd_cmd_mail_opened(void *ctx, const struct smtpd_enqueue_answer *ans)
{
	struct smtpd_session *ss = ctx;

	ss->req = NULL;
	if (ans->status != 0) {
		smtpd_session_reply_text(ss, 452, "4.3.1",
		    "Insufficient system storage");
		mail_addr_fini(&ss->sender);
		mail_addr_init(&ss->sender);
		ss->sender_text = mem_free(ss->sender_text);
		smtpd_session_resume(ss);
		return;
	}
	ss->mid = ans->mid;
	ss->content_fd = ans->fd;
	if (ss->state == SMTPD_S_CLOSING)
		return;			/* hung up: closed() aborts the MID */
	smtpd_session_log(ss, logs_mid_start(ss->logline, ss->mid, ss->icid));
	smtpd_session_log(ss, logs_mid_from(ss->logline, ss->mid, ss->icid,
	    ss->sender_text));
	ss->state = SMTPD_S_MAIL;
	smtpd_session_reply_id(ss, MAIL_REPLY_SENDER_OK, NULL);
	smtpd_session_resume(ss);
}

/* smtpd_cmd_mail_open - ask the queue manager for a new message */

static void
smtpd_cmd_mail_open(struct smtpd_session *ss)
{
	smtpd_session_busy(ss);
	ss->req = smtpd_enqueue_message(ss->sd->enq, ss->icid,
	    smtpd_cmd_mail_opened, ss);
}

/* smtpd_cmd_sender_checked - envelope sender DNS verification answered */

static void
smtpd_cmd_sender_checked(const struct dns_result *r, void *ctx)
{
	struct smtpd_session *ss = ctx;
	struct mail_reply rp;

	ss->q_sender = NULL;
	if (r->status == DNS_CANCELLED || ss->state == SMTPD_S_CLOSING)
		return;
	if (r->status == DNS_FOUND) {
		smtpd_cmd_mail_open(ss);
		return;
	}
	mail_reply_init(&rp);
	if (r->status == DNS_NOTFOUND) {
		mail_reply_start(&rp, 553, "5.1.8");
		mail_reply_addf(&rp, "Domain of sender address <%s> does not "
		    "exist", ss->sender_text);
	} else {
		mail_reply_start(&rp, 451, "4.1.8");
		mail_reply_addf(&rp, "Domain of sender address <%s> does not "
		    "resolve", ss->sender_text);
	}
	rp.flags |= MAIL_REPLY_F_HASH;
	smtpd_cmd_send_reply(ss, &rp);
	mail_addr_fini(&ss->sender);
	mail_addr_init(&ss->sender);
	ss->sender_text = mem_free(ss->sender_text);
	smtpd_session_resume(ss);
}

/* smtpd_cmd_mail - MAIL FROM */

static void
smtpd_cmd_mail(struct smtpd_session *ss, struct str arg)
{
	struct mail_param_mail mp;
	struct mail_reply rp;
	struct str path, rest;
	struct buf *text;
	int	rc;

	if (ss->state == SMTPD_S_GREETED) {
		smtpd_session_reply_id(ss, MAIL_REPLY_NEED_HELO, NULL);
		return;
	}
	if (ss->state != SMTPD_S_HELO) {
		smtpd_session_reply_id(ss, MAIL_REPLY_NESTED_MAIL, NULL);
		return;
	}
	if (!smtpd_auth_mail_ok(ss))
		return;
	if (ss->messages >= ss->flow->max_msgs_per_conn) {
		smtpd_session_reply_text(ss, 421, "4.7.0",
		    "Too many messages in this session, closing connection");
		smtpd_session_end(ss);
		return;
	}
	mail_reply_init(&rp);
	if ((rc = mail_addr_split(MAIL_ADDR_SENDER, arg, 0, &path, &rest))
	    != MAIL_ADDR_OK) {
		mail_addr_reply(MAIL_ADDR_SENDER, rc, &rp);
		smtpd_cmd_send_reply(ss, &rp);
		return;
	}
	mail_param_mail_init(&mp);
	if (mail_param_parse_mail(rest, smtpd_cmd_exts(ss), &mp, &rp) != 0) {
		mail_param_mail_fini(&mp);
		smtpd_cmd_send_reply(ss, &rp);
		return;
	}
	if (mp.have_size && mp.size > (unsigned long long)
	    ss->flow->max_msg_size) {
		mail_param_mail_fini(&mp);
		smtpd_session_reply_id(ss, MAIL_REPLY_TOO_BIG_SIZE, NULL);
		return;
	}
	mail_addr_fini(&ss->sender);
	mail_addr_init(&ss->sender);
	if ((rc = mail_addr_parse_path(MAIL_ADDR_SENDER, path, mp.smtputf8
	    ? MAIL_ADDR_OPT_SMTPUTF8 : 0, &ss->sender)) != MAIL_ADDR_OK) {
		mail_param_mail_fini(&mp);
		mail_addr_reply(MAIL_ADDR_SENDER, rc, &rp);
		smtpd_cmd_send_reply(ss, &rp);
		return;
	}
	ss->size_declared = mp.have_size ? mp.size : 0;
	ss->body_8bit = mp.body == MAIL_PARAM_BODY_8BITMIME;
	ss->smtputf8 = mp.smtputf8;
	mail_param_mail_fini(&mp);
	mail_reply_fini(&rp);
	text = buf_new(0);
	mail_addr_format(&ss->sender, text);
	ss->sender_text = str_dup(str_make(text->data + 1, text->len - 2));
	buf_free(text);

	if (ss->flow->sender_dns_verify == POLICY_BOOL_ON
	    && !(ss->sender.flags & (MAIL_ADDR_F_NULL | MAIL_ADDR_F_LITERAL))
	    && ss->sender.domain_lc[0]) {
		smtpd_session_busy(ss);
		ss->q_sender = dns_lookup_mx(ss->sd->dns, ss->sender.domain_lc,
		    0, smtpd_cmd_sender_checked, ss);
		return;
	}
	smtpd_cmd_mail_open(ss);
}

/* smtpd_cmd_rcpt - RCPT TO */

static void
smtpd_cmd_rcpt(struct smtpd_session *ss, struct str arg)
{
	struct mail_param_rcpt mp;
	struct mail_reply rp;
	struct mail_addr addr;
	struct str rest;
	struct buf *text;
	char   *bare;
	int	rc;

	if (ss->state != SMTPD_S_MAIL && ss->state != SMTPD_S_RCPT) {
		smtpd_session_reply_id(ss, MAIL_REPLY_NEED_MAIL, NULL);
		return;
	}
	mail_reply_init(&rp);
	mail_addr_init(&addr);
	if ((rc = mail_addr_parse(MAIL_ADDR_RECIPIENT, arg, ss->smtputf8
	    ? MAIL_ADDR_OPT_SMTPUTF8 : 0, &addr, &rest)) != MAIL_ADDR_OK) {
		mail_addr_fini(&addr);
		mail_addr_reply(MAIL_ADDR_RECIPIENT, rc, &rp);
		smtpd_cmd_send_reply(ss, &rp);
		return;
	}
	mail_param_rcpt_init(&mp);
	if (mail_param_parse_rcpt(rest, smtpd_cmd_exts(ss), &mp, &rp) != 0) {
		mail_param_rcpt_fini(&mp);
		mail_addr_fini(&addr);
		smtpd_cmd_send_reply(ss, &rp);
		return;
	}
	mail_param_rcpt_fini(&mp);
	mail_reply_fini(&rp);
	text = buf_new(0);
	mail_addr_format(&addr, text);
	mail_addr_fini(&addr);
	bare = str_dup(str_make(text->data + 1, text->len - 2));
	buf_free(text);

	if (ss->rcpt_count >= (size_t) ss->flow->max_rcpts_per_msg) {
		smtpd_session_log(ss, logs_icid_receiving_failed(ss->logline,
		    ss->icid, "Too Many Recipients"));
		smtpd_session_reply_id(ss, MAIL_REPLY_TOO_MANY_RCPTS, NULL);
	} else if (ss->sd->sv->iptab && !iptab_rcpt_take(ss->sd->sv->iptab,
	    (const struct sockaddr *) &ss->peer, ss->flow->max_rcpts_per_hour,
	    (long long) time(NULL))) {
		smtpd_session_log(ss, logs_mid_rejected(ss->logline, ss->mid,
		    ss->icid, bare, "Receiving Control"));
		smtpd_session_reply_text(ss, ss->flow->rate_code,
		    ss->flow->rate_code >= 500 ? "5.7.1" : "4.7.1",
		    ss->flow->rate_text);
	} else {
		ss->rcpts = mem_realloc(ss->rcpts, ss->rcpt_count + 1,
		    sizeof(*ss->rcpts));
		smtpd_session_log(ss, logs_mid_to(ss->logline, ss->mid,
		    ss->icid, (unsigned) ss->rcpt_count, bare));
		ss->rcpts[ss->rcpt_count++] = bare;
		bare = NULL;
		ss->state = SMTPD_S_RCPT;
		smtpd_session_reply_id(ss, MAIL_REPLY_RCPT_OK, NULL);
	}
	mem_free(bare);
}

/* smtpd_cmd_data - DATA */

static void
smtpd_cmd_data(struct smtpd_session *ss, struct str arg)
{
	if (ss->state == SMTPD_S_MAIL) {
		smtpd_session_reply_id(ss, MAIL_REPLY_NEED_RCPT, NULL);
		return;
	}
	if (ss->state != SMTPD_S_RCPT) {
		smtpd_session_reply_id(ss, MAIL_REPLY_NEED_MAIL, NULL);
		return;
	}
	if (arg.len) {
		smtpd_session_reply_id(ss, MAIL_REPLY_SYNTAX_ARG, "DATA");
		return;
	}
	smtpd_data_begin(ss);
}

/* smtpd_cmd_rset - RSET */

static void
smtpd_cmd_rset(struct smtpd_session *ss, struct str arg)
{
	smtpd_session_reset(ss);
	if (ss->state == SMTPD_S_MAIL || ss->state == SMTPD_S_RCPT)
		ss->state = SMTPD_S_HELO;
	smtpd_session_reply_id(ss, MAIL_REPLY_RSET_OK, NULL);
	(void) arg;
}

/* smtpd_cmd_noop - NOOP */

static void
smtpd_cmd_noop(struct smtpd_session *ss, struct str arg)
{
	smtpd_session_reply_id(ss, MAIL_REPLY_OK, NULL);
	(void) arg;
}

/* smtpd_cmd_quit - QUIT */

static void
smtpd_cmd_quit(struct smtpd_session *ss, struct str arg)
{
	smtpd_session_reply_id(ss, MAIL_REPLY_BYE, NULL);
	smtpd_session_end(ss);
	(void) arg;
}

/* smtpd_cmd_vrfy - VRFY: always a 2xx, as AsyncOS answers */

static void
smtpd_cmd_vrfy(struct smtpd_session *ss, struct str arg)
{
	smtpd_session_reply_id(ss, MAIL_REPLY_VRFY, NULL);
	(void) arg;
}

/* smtpd_cmd_help - HELP: the commands this client may use */

static void
smtpd_cmd_help(struct smtpd_session *ss, struct str arg)
{
	static const char *const all[] = {
		"auth", "data", "ehlo", "helo", "help", "mail", "noop", "quit",
		"rcpt", "rset", "starttls", "vrfy",
	};
	struct mail_reply rp;
	struct buf *line = buf_new(0);
	size_t	i, n = 0;

	mail_reply_init(&rp);
	mail_reply_start(&rp, 214, "");
	mail_reply_add(&rp, "The following commands are recognized");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(all[i], "starttls") == 0
		    && !(smtpd_cmd_tls_offered(ss) && ss->sl->ssl_ctx))
			continue;
		if (strcmp(all[i], "auth") == 0 && !smtpd_auth_offered(ss))
			continue;
		buf_printf(line, " %s", all[i]);
		if (++n % 4 == 0) {
			mail_reply_add(&rp, line->data);
			buf_reset(line);
		}
	}
	if (line->len)
		mail_reply_add(&rp, line->data);
	smtpd_cmd_send_reply(ss, &rp);
	buf_free(line);
	(void) arg;
}

/* smtpd_cmd_starttls - STARTTLS */

static void
smtpd_cmd_starttls(struct smtpd_session *ss, struct str arg)
{
	if (arg.len) {
		smtpd_session_reply_id(ss, MAIL_REPLY_SYNTAX_ARG, "STARTTLS");
		return;
	}
	if (ss->sl->ssl_ctx == NULL) {
		smtpd_session_reply_id(ss, MAIL_REPLY_TLS_UNAVAILABLE, NULL);
		return;
	}
	if (ss->state == SMTPD_S_MAIL || ss->state == SMTPD_S_RCPT) {
		smtpd_session_reply_id(ss, MAIL_REPLY_BAD_SEQUENCE, NULL);
		return;
	}
	/* limits.max_tls_connections: the client may go on in clear. */
	if (!smtpd_session_tls_admit(ss)) {
		smtpd_session_reply_id(ss, MAIL_REPLY_TLS_UNAVAILABLE, NULL);
		return;
	}
	smtpd_session_reply_id(ss, MAIL_REPLY_STARTTLS_GO, NULL);
	smtpd_tls_start(ss);
}

static const struct smtpd_cmd smtpd_cmd_table[] = {
	{MAIL_VERB_HELO, smtpd_cmd_helo, SMTPD_CMD_LAST},
	{MAIL_VERB_EHLO, smtpd_cmd_ehlo, SMTPD_CMD_LAST | SMTPD_CMD_BEFORE_TLS},
	{MAIL_VERB_MAIL, smtpd_cmd_mail, 0},
	{MAIL_VERB_RCPT, smtpd_cmd_rcpt, 0},
	{MAIL_VERB_DATA, smtpd_cmd_data, SMTPD_CMD_LAST},
	{MAIL_VERB_RSET, smtpd_cmd_rset, 0},
	{MAIL_VERB_NOOP, smtpd_cmd_noop, SMTPD_CMD_BEFORE_TLS},
	{MAIL_VERB_QUIT, smtpd_cmd_quit, SMTPD_CMD_LAST | SMTPD_CMD_BEFORE_TLS},
	{MAIL_VERB_VRFY, smtpd_cmd_vrfy, 0},
	{MAIL_VERB_HELP, smtpd_cmd_help, 0},
	{MAIL_VERB_STARTTLS, smtpd_cmd_starttls, SMTPD_CMD_BEFORE_TLS},
	{MAIL_VERB_AUTH, smtpd_auth_command, SMTPD_CMD_LAST},
};

/* smtpd_cmd_find - the table entry of a verb this session may use */

static const struct smtpd_cmd *
smtpd_cmd_find(const struct smtpd_session *ss, enum mail_verb verb)
{
	size_t	i;

	if (verb == MAIL_VERB_STARTTLS && !smtpd_cmd_tls_offered(ss))
		return (NULL);
	if (verb == MAIL_VERB_AUTH && !smtpd_auth_enabled(ss))
		return (NULL);
	for (i = 0; i < sizeof(smtpd_cmd_table) / sizeof(smtpd_cmd_table[0]);
	    i++)
		if (smtpd_cmd_table[i].verb == verb)
			return (smtpd_cmd_table + i);
	return (NULL);
}

/* smtpd_cmd_bad - an unrecognized command; enough of them end it */

static void
smtpd_cmd_bad(struct smtpd_session *ss)
{
	int	max = ss->sd->sv->cf->limits.max_bad_commands;

	if (++ss->bad_commands >= max) {
		smtpd_session_reply_id(ss, MAIL_REPLY_TOO_MANY_BAD, NULL);
		smtpd_session_end(ss);
		return;
	}
	smtpd_session_reply_id(ss, MAIL_REPLY_UNRECOGNIZED, NULL);
}

/* smtpd_cmd_dispatch - run one command line */

void
smtpd_cmd_dispatch(struct smtpd_session *ss, struct str line)
{
	const struct smtpd_cmd *cmd;
	enum mail_verb verb;
	struct str arg;
	int	pipelined = ss->in_used < ss->in_len;

	if (ss->sasl.mech != SMTPD_AUTH_NONE) {
		/* A response to a 334 challenge, not a command. */
		smtpd_auth_response(ss, line);
		return;
	}
	verb = mail_line_verb(line, &arg);
	if (ss->state == SMTPD_S_REJECTED) {
		if (verb == MAIL_VERB_QUIT)
			smtpd_cmd_quit(ss, arg);
		else if (verb == MAIL_VERB_NOOP)
			smtpd_cmd_noop(ss, arg);
		else
			smtpd_session_reply_id(ss, MAIL_REPLY_BAD_SEQUENCE,
			    NULL);
		return;
	}
	if ((cmd = smtpd_cmd_find(ss, verb)) == NULL) {
		smtpd_cmd_bad(ss);
		return;
	}
	if (pipelined && ((cmd->flags & SMTPD_CMD_LAST) || !ss->esmtp)
	    && verb != MAIL_VERB_QUIT && verb != MAIL_VERB_STARTTLS) {
		smtpd_session_reply_id(ss, MAIL_REPLY_SYNC, NULL);
		smtpd_session_end(ss);
		return;
	}
	if (ss->flow->tls == POLICY_ITLS_REQUIRED && !ss->tls
	    && !(cmd->flags & SMTPD_CMD_BEFORE_TLS)) {
		if (!ss->tls_required_logged) {
			smtpd_session_log(ss, logs_icid_tls_required(
			    ss->logline, ss->icid));
			ss->tls_required_logged = 1;
		}
		smtpd_session_reply_id(ss, MAIL_REPLY_NEED_STARTTLS, NULL);
		return;
	}
	cmd->fn(ss, arg);
}
