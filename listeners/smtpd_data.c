/*
 * NAME
 *	smtpd_data - the message content of an inbound session
 * DESCRIPTION
 *	See smtpd_data.h. Content is written with plain write(2): the
 *	page cache takes it at memory speed, and durability comes from the
 *	queue manager's fsync at commit, which is the step the client
 *	waits for.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ipc.h"
#include "mem.h"
#include "msg.h"

#include "logs_icid.h"
#include "logs_mid.h"

#include "mail_data.h"
#include "mail_received.h"
#include "mail_reply.h"

#include "mta_proto.h"

#include "smtpd_data.h"
#include "smtpd_enqueue.h"
#include "smtpd_session.h"

/* smtpd_data_write - write content to the queue file */

static int
smtpd_data_write(struct smtpd_session *ss, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t	n = write(ss->content_fd, data, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (!ss->write_error)
				msg_warn("MID %llu: write content: %m", ss->mid);
			ss->write_error = errno;
			return (-1);
		}
		data += n;
		len -= (size_t) n;
		ss->written += (size_t) n;
	}
	return (0);
}

/* smtpd_data_sink - the DATA reader's output */

static int
smtpd_data_sink(const char *data, size_t len, void *ctx)
{
	return (smtpd_data_write(ctx, data, len));
}

/* smtpd_data_received - our Received: field */

static void
smtpd_data_received(struct smtpd_session *ss)
{
	struct mail_received rcv;
	struct buf *out = buf_new(0);
	struct buf *rcpt = buf_new(0);
	char	id[32];

	(void) snprintf(id, sizeof(id), "%llu", ss->mid);
	memset(&rcv, 0, sizeof(rcv));
	rcv.helo = ss->helo;
	rcv.esmtp = ss->esmtp;
	rcv.client_name = ss->hostname;
	rcv.client_addr = ss->addr;
	rcv.by_host = ss->sl->cl->hostname[0] ? ss->sl->cl->hostname
	    : ss->sd->sv->cf->hostname;
	rcv.tls_version = ss->tls ? ss->tls_protocol : NULL;
	rcv.tls_cipher = ss->tls ? ss->tls_cipher : NULL;
	rcv.tls_bits = ss->tls ? ss->tls_bits : 0;
	rcv.id = id;
	if (ss->rcpt_count == 1) {
		buf_printf(rcpt, "<%s>", ss->rcpts[0]);
		rcv.rcpt = rcpt->data;
	}
	rcv.when = time(NULL);
	mail_received_format(&rcv, out);
	(void) smtpd_data_write(ss, out->data, out->len);
	buf_free(rcpt);
	buf_free(out);
}

/* smtpd_data_begin - DATA accepted: 354 and start reading */

void
smtpd_data_begin(struct smtpd_session *ss)
{
	ss->md = mail_data_create(0, (unsigned long long) ss->flow->max_msg_size,
	    smtpd_data_sink, ss);
	smtpd_data_received(ss);
	ss->state = SMTPD_S_DATA;
	smtpd_session_reply_id(ss, MAIL_REPLY_DATA_GO, NULL);
	io_set_timeout(ss->io, (unsigned) ss->sd->sv->cf->limits.data_timeout
	    * 1000U);
}

/* smtpd_data_committed - the queue manager answered COMMIT */

static void
smtpd_data_committed(void *ctx, const struct smtpd_enqueue_answer *ans)
{
	struct smtpd_session *ss = ctx;
	char	mid[32];

	ss->req = NULL;
	if (ans->status == MTA_S_OK) {
		smtpd_session_log(ss, logs_mid_queued(ss->logline, ss->mid));
		(void) snprintf(mid, sizeof(mid), "%llu", ss->mid);
		smtpd_session_reply_id(ss, MAIL_REPLY_QUEUED, mid);
		ss->messages++;
		ss->mid = 0;			/* it is the queue's now */
	} else {
		smtpd_session_log(ss, logs_mid_aborted(ss->logline, ss->mid,
		    "Receiving aborted"));
		smtpd_session_reply_id(ss, MAIL_REPLY_NO_STORAGE, NULL);
		ss->mid = 0;			/* the queue discarded it */
	}
	smtpd_session_reset(ss);
	if (ss->state == SMTPD_S_CLOSING)
		return;			/* the client hung up meanwhile */
	ss->state = SMTPD_S_HELO;
	smtpd_session_command_timeout(ss);
	smtpd_session_resume(ss);
}

/* smtpd_data_commit - ask the queue manager to make it durable */

static void
smtpd_data_commit(struct smtpd_session *ss)
{
	struct ipc_msg *m = ipc_msg_new(MTA_T_COMMIT);
	uint64_t flags = 0;

	ipc_put_u64(m, MTA_K_MID, ss->mid);
	ipc_put_u64(m, MTA_K_ICID, ss->icid);
	ipc_put_cstr(m, MTA_K_SENDER, ss->sender_text);
	mta_proto_put_list(m, MTA_K_RCPTS, ss->rcpts, ss->rcpt_count);
	ipc_put_cstr(m, MTA_K_LISTENER, ss->sl->cl->name);
	ipc_put_cstr(m, MTA_K_CLIENT_ADDR, ss->addr);
	if (ss->hostname)
		ipc_put_cstr(m, MTA_K_CLIENT_NAME, ss->hostname);
	if (ss->helo)
		ipc_put_cstr(m, MTA_K_HELO, ss->helo);
	if (ss->auth_user)
		ipc_put_cstr(m, MTA_K_AUTH_USER, ss->auth_user);
	if (ss->tls) {
		ipc_put_cstr(m, MTA_K_TLS_PROTO, ss->tls_protocol);
		ipc_put_cstr(m, MTA_K_TLS_CIPHER, ss->tls_cipher);
	}
	if (ss->body_8bit)
		flags |= MTA_F_8BITMIME;
	if (ss->smtputf8)
		flags |= MTA_F_SMTPUTF8;
	ipc_put_u64(m, MTA_K_FLAGS, flags);
	ipc_put_u64(m, MTA_K_ARRIVAL, (uint64_t) time(NULL));
	(void) close(ss->content_fd);
	ss->content_fd = -1;
	smtpd_session_busy(ss);
	ss->req = smtpd_enqueue_commit(ss->sd->enq, m, smtpd_data_committed,
	    ss);
}

/* smtpd_data_refuse - the message broke a rule: say so, discard it */

static void
smtpd_data_refuse(struct smtpd_session *ss, struct mail_reply *rp)
{
	int	flags = mail_data_flags(ss->md);
	const char *why;

	if (ss->write_error == 0 && (flags & (MAIL_DATA_F_BARE_LF
	    | MAIL_DATA_F_BARE_CR)))
		why = "Bare CR or LF in message";
	else if (flags & MAIL_DATA_F_TOO_BIG)
		why = "Message size exceeds limit";
	else if (ss->write_error == ENOSPC || ss->write_error == EDQUOT)
		why = "Insufficient system storage";
	else
		why = "Local error writing the message";
	smtpd_session_log(ss, logs_icid_receiving_failed(ss->logline, ss->icid,
	    why));
	smtpd_session_log(ss, logs_mid_aborted(ss->logline, ss->mid,
	    "Receiving aborted"));
	smtpd_session_reply(ss, rp);
	smtpd_session_reset(ss);
	ss->state = SMTPD_S_HELO;
	smtpd_session_command_timeout(ss);
}

/* smtpd_data_end - the end of data was seen */

static void
smtpd_data_end(struct smtpd_session *ss)
{
	struct mail_reply rp;
	struct str s;

	mail_reply_init(&rp);
	if (ss->write_error) {
		/* A full disk is temporary and says so: 452 4.3.1. */
		mail_reply_set(&rp, ss->write_error == ENOSPC
		    || ss->write_error == EDQUOT ? MAIL_REPLY_NO_STORAGE
		    : MAIL_REPLY_LOCAL_ERROR, NULL);
		smtpd_data_refuse(ss, &rp);
		mail_reply_fini(&rp);
		return;
	}
	if (mail_data_reply(ss->md, &rp) == 0) {
		smtpd_data_refuse(ss, &rp);
		mail_reply_fini(&rp);
		return;
	}
	mail_reply_fini(&rp);
	if ((s = mail_data_message_id(ss->md)).len)
		smtpd_session_log(ss, logs_mid_message_id(ss->logline, ss->mid,
		    s));
	if ((s = mail_data_subject(ss->md)).len)
		smtpd_session_log(ss, logs_mid_subject(ss->logline, ss->mid,
		    s));
	smtpd_session_log(ss, logs_mid_ready(ss->logline, ss->mid,
	    mail_data_size(ss->md), ss->sender_text));
	smtpd_data_commit(ss);
}

/* smtpd_data_input - client bytes while reading the message */

size_t
smtpd_data_input(struct smtpd_session *ss, const char *data, size_t len)
{
	size_t	used = 0;

	if (mail_data_feed(ss->md, data, len, &used) == MAIL_DATA_DONE)
		smtpd_data_end(ss);
	return (used);
}
