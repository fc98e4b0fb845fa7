/*
 * NAME
 *	policy_flow - mail flow policies: parameters, defaults, inheritance
 * DESCRIPTION
 *	See policy_flow.h. The factory values are AsyncOS's Default Policy
 *	Parameters as published for its listeners.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "msg.h"
#include "str.h"
#include "policy.h"
#include "policy_flow.h"

static const struct policy_flow policy_flow_factory_values = {
	.name = NULL,
	.action = POLICY_ACTION_ACCEPT,
	.max_msgs_per_conn = 10,
	.max_rcpts_per_msg = 50,
	.max_msg_size = 10485760,
	.max_conns_per_ip = 10,
	.banner_code = 220,
	.banner_text = NULL,
	.reject_code = 554,
	.reject_text = "Access Denied",
	.max_rcpts_per_hour = -1,
	.rate_code = 452,
	.rate_text = "Too many recipients received this hour",
	.tls = POLICY_ITLS_OFF,
	.tls_verify_client = POLICY_BOOL_OFF,
	.sender_dns_verify = POLICY_BOOL_OFF,
	.auth = POLICY_AUTH_OFF,
	.auth_require_tls = POLICY_BOOL_OFF,
};

/* policy_flow_init - every field "use default" */

void
policy_flow_init(struct policy_flow *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->name = NULL;
	fp->banner_text = fp->reject_text = fp->rate_text = NULL;
	fp->max_msgs_per_conn = POLICY_DEFAULT;
	fp->max_rcpts_per_msg = POLICY_DEFAULT;
	fp->max_msg_size = POLICY_DEFAULT;
	fp->max_conns_per_ip = POLICY_DEFAULT;
	fp->max_rcpts_per_hour = POLICY_DEFAULT;
}

/* policy_flow_factory - the values when nothing says otherwise */

const struct policy_flow *
policy_flow_factory(void)
{
	return (&policy_flow_factory_values);
}

/* policy_flow_fill - take every default field of out from from */

static void
policy_flow_fill(struct policy_flow *out, const struct policy_flow *from)
{
#define FILL_LONG(f) do { \
		if (out->f == POLICY_DEFAULT) \
			out->f = from->f; \
	} while (0)
#define FILL_ZERO(f) do { \
		if (out->f == 0) \
			out->f = from->f; \
	} while (0)

	FILL_ZERO(action);
	FILL_LONG(max_msgs_per_conn);
	FILL_LONG(max_rcpts_per_msg);
	FILL_LONG(max_msg_size);
	FILL_LONG(max_conns_per_ip);
	FILL_ZERO(banner_code);
	FILL_ZERO(banner_text);
	FILL_ZERO(reject_code);
	FILL_ZERO(reject_text);
	FILL_LONG(max_rcpts_per_hour);
	FILL_ZERO(rate_code);
	FILL_ZERO(rate_text);
	FILL_ZERO(tls);
	FILL_ZERO(tls_verify_client);
	FILL_ZERO(sender_dns_verify);
	FILL_ZERO(auth);
	FILL_ZERO(auth_require_tls);
#undef FILL_LONG
#undef FILL_ZERO
}

/* policy_flow_resolve - policy, then listener defaults, then factory */

void
policy_flow_resolve(struct policy_flow *out, const struct policy_flow *policy,
    const struct policy_flow *defaults)
{
	*out = *policy;
	if (defaults != NULL)
		policy_flow_fill(out, defaults);
	policy_flow_fill(out, &policy_flow_factory_values);
}

/* policy_flow_check_text - a reply text must not break the reply */

static int
policy_flow_check_text(const char *field, const char *text,
    const struct policy_loc *loc, struct buf *err)
{
	const unsigned char *cp;

	if (text == NULL)
		return (0);
	for (cp = (const unsigned char *) text; *cp; cp++) {
		if (*cp < ' ' || *cp == 0x7f) {
			policy_error(err, loc, 0, "%s: control character "
			    "(0x%02x) at offset %d is not allowed in an SMTP "
			    "reply", field, *cp, (int) (cp -
			    (const unsigned char *) text));
			return (-1);
		}
	}
	if (cp - (const unsigned char *) text > 400) {
		policy_error(err, loc, 0, "%s: longer than 400 bytes", field);
		return (-1);
	}
	return (0);
}

/* policy_flow_check_long - a limit within [min, max] unless default */

static int
policy_flow_check_long(const char *field, long val, long min, long max,
    const struct policy_loc *loc, struct buf *err)
{
	if (val == POLICY_DEFAULT || (val >= min && val <= max))
		return (0);
	policy_error(err, loc, 0, "%s: %ld is out of range %ld to %ld", field,
	    val, min, max);
	return (-1);
}

/* policy_flow_check_code - a reply code in [lo, hi] unless default */

static int
policy_flow_check_code(const char *field, int code, int lo, int hi,
    const struct policy_loc *loc, struct buf *err)
{
	if (code == 0 || (code >= lo && code <= hi))
		return (0);
	policy_error(err, loc, 0, "%s: %d is not an SMTP reply code from %d "
	    "to %d", field, code, lo, hi);
	return (-1);
}

/* policy_flow_check - validate the fields that are set */

int
policy_flow_check(const struct policy_flow *fp, const struct policy_loc *loc,
    struct buf *err)
{
	int	bad = 0;

	bad |= policy_flow_check_long("max_msgs_per_connection",
	    fp->max_msgs_per_conn, 1, 1000000, loc, err);
	bad |= policy_flow_check_long("max_rcpts_per_message",
	    fp->max_rcpts_per_msg, 1, 1000000, loc, err);
	bad |= policy_flow_check_long("max_message_size", fp->max_msg_size,
	    1, 2147483647, loc, err);
	bad |= policy_flow_check_long("max_concurrent_connections_per_ip",
	    fp->max_conns_per_ip, 1, 1000000, loc, err);
	bad |= policy_flow_check_long("max_rcpts_per_hour",
	    fp->max_rcpts_per_hour, -1, 1000000000, loc, err);
	bad |= policy_flow_check_code("banner_code", fp->banner_code, 200, 299,
	    loc, err);
	bad |= policy_flow_check_code("reject_code", fp->reject_code, 400, 599,
	    loc, err);
	bad |= policy_flow_check_code("rate_limit_code", fp->rate_code, 400,
	    599, loc, err);
	bad |= policy_flow_check_text("banner_text", fp->banner_text, loc, err);
	bad |= policy_flow_check_text("reject_text", fp->reject_text, loc, err);
	bad |= policy_flow_check_text("rate_limit_text", fp->rate_text, loc,
	    err);
	if ((unsigned) fp->action > POLICY_ACTION_TCPREFUSE
	    || (unsigned) fp->tls > POLICY_ITLS_REQUIRED
	    || (unsigned) fp->auth > POLICY_AUTH_REQUIRED
	    || (unsigned) fp->tls_verify_client > POLICY_BOOL_ON
	    || (unsigned) fp->sender_dns_verify > POLICY_BOOL_ON
	    || (unsigned) fp->auth_require_tls > POLICY_BOOL_ON)
		msg_panic("policy_flow_check: enum out of range");
	return (bad ? -1 : 0);
}

/* policy_flow_action_name - keyword of the mail log */

const char *
policy_flow_action_name(enum policy_action action)
{
	switch (action) {
	case POLICY_ACTION_DEFAULT:
		return ("DEFAULT");
	case POLICY_ACTION_ACCEPT:
		return ("ACCEPT");
	case POLICY_ACTION_RELAY:
		return ("RELAY");
	case POLICY_ACTION_REJECT:
		return ("REJECT");
	case POLICY_ACTION_TCPREFUSE:
		return ("TCPREFUSE");
	}
	msg_panic("policy_flow_action_name: bad action %d", (int) action);
}

 /*
  * Keyword tables for the configuration. "default" everywhere means the
  * field inherits.
  */
struct policy_flow_word {
	const char *word;
	int	value;
};

/* policy_flow_word - look a keyword up, case-insensitively */

static int
policy_flow_word(const struct policy_flow_word *tab, const char *text,
    int *value)
{
	for (; tab->word != NULL; tab++) {
		if (strcasecmp(tab->word, text) == 0) {
			*value = tab->value;
			return (1);
		}
	}
	return (0);
}

/* policy_flow_action_parse - connection behaviour keyword */

int
policy_flow_action_parse(const char *text, enum policy_action *action)
{
	static const struct policy_flow_word tab[] = {
		{"default", POLICY_ACTION_DEFAULT},
		{"accept", POLICY_ACTION_ACCEPT},
		{"relay", POLICY_ACTION_RELAY},
		{"reject", POLICY_ACTION_REJECT},
		{"tcprefuse", POLICY_ACTION_TCPREFUSE},
		{"tcp_refuse", POLICY_ACTION_TCPREFUSE},
		{NULL, 0},
	};
	int	v;

	if (!policy_flow_word(tab, text, &v))
		return (0);
	*action = (enum policy_action) v;
	return (1);
}

/* policy_flow_tls_parse - off, preferred, required */

int
policy_flow_tls_parse(const char *text, enum policy_inbound_tls *tls)
{
	static const struct policy_flow_word tab[] = {
		{"default", POLICY_ITLS_DEFAULT},
		{"off", POLICY_ITLS_OFF},
		{"no", POLICY_ITLS_OFF},
		{"preferred", POLICY_ITLS_PREFERRED},
		{"required", POLICY_ITLS_REQUIRED},
		{NULL, 0},
	};
	int	v;

	if (!policy_flow_word(tab, text, &v))
		return (0);
	*tls = (enum policy_inbound_tls) v;
	return (1);
}

/* policy_flow_auth_parse - off, preferred, required */

int
policy_flow_auth_parse(const char *text, enum policy_auth *auth)
{
	static const struct policy_flow_word tab[] = {
		{"default", POLICY_AUTH_DEFAULT},
		{"off", POLICY_AUTH_OFF},
		{"preferred", POLICY_AUTH_PREFERRED},
		{"required", POLICY_AUTH_REQUIRED},
		{NULL, 0},
	};
	int	v;

	if (!policy_flow_word(tab, text, &v))
		return (0);
	*auth = (enum policy_auth) v;
	return (1);
}

/* policy_flow_offer_starttls - does EHLO list STARTTLS */

int
policy_flow_offer_starttls(const struct policy_flow *fp)
{
	return (fp->tls == POLICY_ITLS_PREFERRED
	    || fp->tls == POLICY_ITLS_REQUIRED);
}

/* policy_flow_command_ok - may this command run before STARTTLS */

int
policy_flow_command_ok(const struct policy_flow *fp, int tls_active,
    struct str verb)
{
	if (tls_active || fp->tls != POLICY_ITLS_REQUIRED)
		return (1);
	return (str_caseeq(verb, STR_LIT("EHLO"))
	    || str_caseeq(verb, STR_LIT("NOOP"))
	    || str_caseeq(verb, STR_LIT("QUIT"))
	    || str_caseeq(verb, STR_LIT("STARTTLS")));
}

/* policy_flow_offer_auth - does EHLO list AUTH */

int
policy_flow_offer_auth(const struct policy_flow *fp, int tls_active)
{
	if (fp->auth != POLICY_AUTH_PREFERRED
	    && fp->auth != POLICY_AUTH_REQUIRED)
		return (0);
	return (fp->auth_require_tls != POLICY_BOOL_ON || tls_active);
}

/* policy_flow_client_cert_ok - Verify Client Certificate, after TLS */

int
policy_flow_client_cert_ok(const struct policy_flow *fp,
    enum policy_client_cert cert)
{
	if (fp->tls_verify_client != POLICY_BOOL_ON)
		return (1);
	switch (cert) {
	case POLICY_CERT_VALID:
		return (1);
	case POLICY_CERT_INVALID:
		return (0);
	case POLICY_CERT_NONE:
		return (fp->tls != POLICY_ITLS_REQUIRED);
	}
	msg_panic("policy_flow_client_cert_ok: bad value %d", (int) cert);
}
