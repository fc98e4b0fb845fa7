/*
 * NAME
 *	smtpd_auth - SMTP AUTH (RFC 4954) on an inbound session
 * DESCRIPTION
 *	See smtpd_auth.h. The first half is the SASL exchange (PLAIN and
 *	LOGIN over strict base64), which knows nothing of sessions, so a
 *	unit test can drive it with tables; the second half applies it to
 *	a session: policy, replies, the password file, the mail log and
 *	the failure throttle.
 *
 *	Decoded responses hold passwords: they live in buffers that are
 *	wiped before they are released, and the password is wiped again
 *	when the exchange ends.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "buf.h"
#include "iptab.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

#include "logs_icid.h"

#include "mail_passwd.h"
#include "mail_reply.h"

#include "policy_flow.h"

#include "smtpd.h"
#include "smtpd_auth.h"
#include "smtpd_session.h"

/* LOGIN's prompts, "Username:" and "Password:" in base64. */
#define SMTPD_AUTH_ASK_USER	"VXNlcm5hbWU6"
#define SMTPD_AUTH_ASK_PASS	"UGFzc3dvcmQ6"

/* smtpd_auth_init - an idle exchange */

void
smtpd_auth_init(struct smtpd_auth *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->mech = SMTPD_AUTH_NONE;
	sa->used = SMTPD_AUTH_NONE;
}

/* smtpd_auth_fini - wipe the credentials, idle again */

void
smtpd_auth_fini(struct smtpd_auth *sa)
{
	if (sa->password) {
		explicit_bzero(sa->password, sa->password_len);
		mem_free(sa->password);
	}
	mem_free(sa->user);
	mem_free(sa->authz);
	smtpd_auth_init(sa);
}

/* smtpd_auth_mech_name - the mechanism as written in AUTH and the log */

const char *
smtpd_auth_mech_name(enum smtpd_auth_mech mech)
{
	switch (mech) {
	case SMTPD_AUTH_PLAIN:
		return ("PLAIN");
	case SMTPD_AUTH_LOGIN:
		return ("LOGIN");
	default:
		return ("NONE");
	}
}

/* smtpd_auth_b64_value - the 6-bit value of a base64 letter, or -1 */

static int
smtpd_auth_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/* smtpd_auth_decode - strict base64 (RFC 4648 section 4) into out */

static int
smtpd_auth_decode(struct str in, struct buf *out)
{
	size_t	i;

	buf_reset(out);
	if (in.len % 4 != 0)
		return (-1);
	for (i = 0; i < in.len; i += 4) {
		int	v[4], k, pad = 0;
		int	last = i + 4 == in.len;

		for (k = 0; k < 4; k++) {
			unsigned char c = (unsigned char) in.ptr[i + k];

			if (c == '=' && last && k >= 2) {
				pad++;
				v[k] = 0;
				continue;
			}
			if (pad || (v[k] = smtpd_auth_b64_value(c)) < 0)
				return (-1);
		}
		buf_putc(out, (v[0] << 2) | (v[1] >> 4));
		if (pad < 2)
			buf_putc(out, ((v[1] & 0xf) << 4) | (v[2] >> 2));
		if (pad < 1)
			buf_putc(out, ((v[2] & 0x3) << 6) | v[3]);
	}
	return (0);
}

/* smtpd_auth_wipe - clear and release a buffer that held a secret */

static void
smtpd_auth_wipe(struct buf *bp)
{
	explicit_bzero(bp->data, bp->size);
	buf_fini(bp);
}

/* smtpd_auth_user_ok - a user name we accept from a client */

static int
smtpd_auth_user_ok(struct str user)
{
	size_t	i;

	if (user.len == 0 || user.len > MAIL_PASSWD_USER_MAX)
		return (0);
	for (i = 0; i < user.len; i++) {
		unsigned char c = (unsigned char) user.ptr[i];

		if (c < ' ' || c == 0x7f)
			return (0);
	}
	return (1);
}

/* smtpd_auth_set_password - keep the password, if acceptable */

static int
smtpd_auth_set_password(struct smtpd_auth *sa, struct str pass)
{
	if (pass.len > MAIL_PASSWD_PASS_MAX
	    || memchr(pass.ptr, 0, pass.len) != NULL)
		return (0);
	sa->password = mem_alloc(pass.len + 1);
	memcpy(sa->password, pass.ptr, pass.len);
	sa->password[pass.len] = 0;
	sa->password_len = pass.len;
	return (1);
}

/* smtpd_auth_end - the exchange is over with result rc */

static int
smtpd_auth_end(struct smtpd_auth *sa, int rc)
{
	sa->mech = SMTPD_AUTH_NONE;
	sa->step = 0;
	return (rc);
}

/* smtpd_auth_plain - a decoded PLAIN message: [authzid] NUL user NUL pass */

static int
smtpd_auth_plain(struct smtpd_auth *sa, const struct buf *msg)
{
	const char *p = msg->data, *nul1, *nul2;
	struct str authz, user, pass;

	if ((nul1 = memchr(p, 0, msg->len)) == NULL
	    || (nul2 = memchr(nul1 + 1, 0, msg->len - (size_t) (nul1 + 1
	    - p))) == NULL)
		return (smtpd_auth_end(sa, SMTPD_AUTH_MALFORMED));
	authz = str_make(p, (size_t) (nul1 - p));
	user = str_make(nul1 + 1, (size_t) (nul2 - nul1 - 1));
	pass = str_make(nul2 + 1, msg->len - (size_t) (nul2 + 1 - p));
	if (!smtpd_auth_user_ok(user) || (authz.len > 0
	    && !smtpd_auth_user_ok(authz)))
		return (smtpd_auth_end(sa, SMTPD_AUTH_MALFORMED));
	sa->user = str_dup(user);
	sa->authz = str_dup(authz);
	if (!smtpd_auth_set_password(sa, pass))
		return (smtpd_auth_end(sa, SMTPD_AUTH_MALFORMED));
	return (smtpd_auth_end(sa, SMTPD_AUTH_DONE));
}

/* smtpd_auth_login_user - LOGIN: the decoded user name */

static int
smtpd_auth_login_user(struct smtpd_auth *sa, const struct buf *msg,
    struct buf *challenge)
{
	struct str user = str_make(msg->data, msg->len);

	if (!smtpd_auth_user_ok(user))
		return (smtpd_auth_end(sa, SMTPD_AUTH_MALFORMED));
	sa->user = str_dup(user);
	sa->authz = mem_strdup("");
	sa->step = 2;
	buf_puts(challenge, SMTPD_AUTH_ASK_PASS);
	return (SMTPD_AUTH_MORE);
}

/* smtpd_auth_begin - AUTH mechanism [initial-response] */

int
smtpd_auth_begin(struct smtpd_auth *sa, struct str arg,
    struct buf *challenge)
{
	struct str mech, ir;
	struct buf msg;
	size_t	sp;
	int	have_ir, rc;

	smtpd_auth_fini(sa);
	buf_reset(challenge);
	arg = str_trim(arg);
	if (str_chr(arg, ' ', &sp)) {
		mech = str_make(arg.ptr, sp);
		ir = str_trim(str_make(arg.ptr + sp + 1, arg.len - sp - 1));
		if (ir.len == 0 || str_chr(ir, ' ', &sp))
			return (SMTPD_AUTH_BAD_SYNTAX);
		have_ir = 1;
	} else {
		mech = arg;
		ir = str_make("", 0);
		have_ir = 0;
	}
	if (mech.len == 0)
		return (SMTPD_AUTH_BAD_SYNTAX);
	if (str_caseeq(mech, STR_LIT("PLAIN")))
		sa->mech = SMTPD_AUTH_PLAIN;
	else if (str_caseeq(mech, STR_LIT("LOGIN")))
		sa->mech = SMTPD_AUTH_LOGIN;
	else
		return (SMTPD_AUTH_BAD_MECH);
	sa->used = sa->mech;
	sa->step = 1;
	if (!have_ir) {
		if (sa->mech == SMTPD_AUTH_LOGIN)
			buf_puts(challenge, SMTPD_AUTH_ASK_USER);
		return (SMTPD_AUTH_MORE);
	}
	buf_init(&msg, ir.len);
	if (!(ir.len == 1 && ir.ptr[0] == '=') && smtpd_auth_decode(ir, &msg)
	    != 0)
		rc = smtpd_auth_end(sa, SMTPD_AUTH_BAD_BASE64);
	else if (sa->mech == SMTPD_AUTH_PLAIN)
		rc = smtpd_auth_plain(sa, &msg);
	else
		rc = smtpd_auth_login_user(sa, &msg, challenge);
	smtpd_auth_wipe(&msg);
	return (rc);
}

/* smtpd_auth_next - the client's response to a 334 challenge */

int
smtpd_auth_next(struct smtpd_auth *sa, struct str line,
    struct buf *challenge)
{
	struct buf msg;
	int	rc;

	if (sa->mech == SMTPD_AUTH_NONE)
		msg_panic("smtpd_auth_next: no exchange under way");
	buf_reset(challenge);
	line = str_trim(line);
	if (line.len == 1 && line.ptr[0] == '*')
		return (smtpd_auth_end(sa, SMTPD_AUTH_CANCELLED));
	buf_init(&msg, line.len);
	if (smtpd_auth_decode(line, &msg) != 0)
		rc = smtpd_auth_end(sa, SMTPD_AUTH_BAD_BASE64);
	else if (sa->mech == SMTPD_AUTH_PLAIN)
		rc = smtpd_auth_plain(sa, &msg);
	else if (sa->step == 1)
		rc = smtpd_auth_login_user(sa, &msg, challenge);
	else if (smtpd_auth_set_password(sa, str_make(msg.data, msg.len)))
		rc = smtpd_auth_end(sa, SMTPD_AUTH_DONE);
	else
		rc = smtpd_auth_end(sa, SMTPD_AUTH_MALFORMED);
	smtpd_auth_wipe(&msg);
	return (rc);
}

/*
 * The session side.
 */

/* smtpd_auth_enabled - does the policy offer SMTP AUTH at all */

int
smtpd_auth_enabled(const struct smtpd_session *ss)
{
	return (ss->sd->passwd != NULL && (ss->flow->auth
	    == POLICY_AUTH_PREFERRED || ss->flow->auth
	    == POLICY_AUTH_REQUIRED));
}

/* smtpd_auth_offered - does EHLO list AUTH now */

int
smtpd_auth_offered(const struct smtpd_session *ss)
{
	return (smtpd_auth_enabled(ss) && policy_flow_offer_auth(ss->flow,
	    ss->tls));
}

/* smtpd_auth_log_user - a user name as the mail log may show it */

static char *
smtpd_auth_log_user(const char *user)
{
	char   *copy = mem_strdup(user);
	char   *cp;

	for (cp = copy; *cp; cp++)
		if ((unsigned char) *cp < ' ' || (unsigned char) *cp >= 0x7f)
			*cp = '?';
	return (copy);
}

/* smtpd_auth_log - SMTP Auth (ICID n) succeeded|failed for user: ... */

static void
smtpd_auth_log(struct smtpd_session *ss, int succeeded)
{
	char   *user = smtpd_auth_log_user(ss->sasl.user);

	smtpd_session_log(ss, logs_icid_auth(ss->logline, ss->icid,
	    succeeded, user, smtpd_auth_mech_name(ss->sasl.used),
	    ss->sd->sv->cf->auth.profile));
	mem_free(user);
}

/* smtpd_auth_failures - failed attempts of this client in the window */

static unsigned long
smtpd_auth_failures(struct smtpd_session *ss, int count_one)
{
	const struct conf *cf = ss->sd->sv->cf;
	const struct sockaddr *sa = (const struct sockaddr *) &ss->peer;

	if (ss->sd->sv->iptab == NULL)
		return (0);
	if (count_one)
		return (iptab_auth_fail(ss->sd->sv->iptab, sa,
		    cf->auth.failure_window, (long long) time(NULL)));
	return (iptab_auth_failures(ss->sd->sv->iptab, sa,
	    cf->auth.failure_window, (long long) time(NULL)));
}

/* smtpd_auth_verify - the exchange produced credentials: check them */

static void
smtpd_auth_verify(struct smtpd_session *ss)
{
	struct smtpd_auth *sa = &ss->sasl;
	int	rc;

	if (sa->authz[0] && strcmp(sa->authz, sa->user) != 0)
		rc = MAIL_PASSWD_BAD;		/* no acting for another user */
	else
		rc = mail_passwd_check(ss->sd->passwd, str_from(sa->user),
		    str_make(sa->password, sa->password_len));
	switch (rc) {
	case MAIL_PASSWD_OK:
		smtpd_auth_log(ss, 1);
		ss->auth_user = mem_strdup(sa->user);
		smtpd_session_reply_text(ss, 235, "2.7.0",
		    "Authentication successful");
		break;
	case MAIL_PASSWD_BAD:
		smtpd_auth_log(ss, 0);
		(void) smtpd_auth_failures(ss, 1);
		smtpd_session_reply_text(ss, 535, "5.7.8",
		    "Authentication credentials invalid");
		break;
	default:
		smtpd_session_reply_text(ss, 454, "4.7.0",
		    "Temporary authentication failure");
		break;
	}
	smtpd_auth_fini(sa);
}

/* smtpd_auth_result - answer the end of an exchange */

static void
smtpd_auth_result(struct smtpd_session *ss, int rc)
{
	switch (rc) {
	case SMTPD_AUTH_DONE:
		smtpd_auth_verify(ss);
		return;
	case SMTPD_AUTH_CANCELLED:
		smtpd_session_reply_text(ss, 501, "5.0.0",
		    "Authentication cancelled");
		break;
	case SMTPD_AUTH_BAD_BASE64:
		smtpd_session_reply_text(ss, 501, "5.5.2",
		    "Cannot decode response");
		break;
	case SMTPD_AUTH_BAD_MECH:
		smtpd_session_reply_text(ss, 504, "5.5.4",
		    "Unrecognized authentication type");
		break;
	case SMTPD_AUTH_BAD_SYNTAX:
		smtpd_session_reply_text(ss, 501, "5.5.4",
		    "Syntax: AUTH mechanism [initial-response]");
		break;
	case SMTPD_AUTH_MALFORMED:
		smtpd_session_reply_text(ss, 501, "5.5.2",
		    "Malformed authentication response");
		break;
	default:
		msg_panic("smtpd_auth_result: result %d", rc);
	}
	smtpd_auth_fini(&ss->sasl);
}

/* smtpd_auth_step - run one step of the exchange and answer it */

static void
smtpd_auth_step(struct smtpd_session *ss, struct str text, int first)
{
	struct buf *challenge = buf_new(0);
	int	rc;

	rc = first ? smtpd_auth_begin(&ss->sasl, text, challenge)
	    : smtpd_auth_next(&ss->sasl, text, challenge);
	if (rc == SMTPD_AUTH_MORE)
		smtpd_session_reply_text(ss, 334, "", challenge->data);
	else
		smtpd_auth_result(ss, rc);
	buf_free(challenge);
}

/* smtpd_auth_command - AUTH */

void
smtpd_auth_command(struct smtpd_session *ss, struct str arg)
{
	const struct conf *cf = ss->sd->sv->cf;

	if (!smtpd_auth_enabled(ss))
		msg_panic("smtpd_auth_command: SMTP AUTH is not enabled");
	if (ss->state == SMTPD_S_GREETED) {
		smtpd_session_reply_id(ss, MAIL_REPLY_NEED_HELO, NULL);
		return;
	}
	if (ss->auth_user) {
		smtpd_session_reply_text(ss, 503, "5.5.1",
		    "Already authenticated");
		return;
	}
	if (ss->state == SMTPD_S_MAIL || ss->state == SMTPD_S_RCPT) {
		smtpd_session_reply_text(ss, 503, "5.5.1",
		    "AUTH not permitted during a mail transaction");
		return;
	}
	if (!policy_flow_offer_auth(ss->flow, ss->tls)) {
		smtpd_session_reply_text(ss, 538, "5.7.11",
		    "Encryption required for requested authentication "
		    "mechanism");
		return;
	}
	if (smtpd_auth_failures(ss, 0) >= (unsigned long)
	    cf->auth.max_failures) {
		smtpd_session_log(ss, logs_icid_receiving_failed(ss->logline,
		    ss->icid, "SMTP Auth failure limit exceeded"));
		smtpd_session_reply_text(ss, 421, "4.7.0",
		    "Too many failed authentication attempts, closing "
		    "connection");
		smtpd_session_end(ss);
		return;
	}
	smtpd_auth_step(ss, arg, 1);
}

/* smtpd_auth_response - a line of the client during the exchange */

void
smtpd_auth_response(struct smtpd_session *ss, struct str line)
{
	if (ss->in_used < ss->in_len) {
		/* A response must end what the client sends before 334. */
		smtpd_auth_fini(&ss->sasl);
		smtpd_session_reply_id(ss, MAIL_REPLY_SYNC, NULL);
		smtpd_session_end(ss);
		return;
	}
	smtpd_auth_step(ss, line, 0);
}

/* smtpd_auth_mail_ok - may MAIL go ahead as far as AUTH is concerned */

int
smtpd_auth_mail_ok(struct smtpd_session *ss)
{
	if (ss->flow->auth != POLICY_AUTH_REQUIRED || ss->auth_user)
		return (1);
	if (!ss->auth_required_logged) {
		smtpd_session_log(ss, logs_icid_auth_required(ss->logline,
		    ss->icid));
		ss->auth_required_logged = 1;
	}
	smtpd_session_reply_text(ss, 530, "5.7.0", "Authentication required");
	return (0);
}

/* smtpd_auth_forget - drop the session's authentication state */

void
smtpd_auth_forget(struct smtpd_session *ss)
{
	smtpd_auth_fini(&ss->sasl);
	ss->auth_user = mem_free(ss->auth_user);
}
