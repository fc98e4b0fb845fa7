/*
 * NAME
 *	policy_flow - mail flow policies: parameters, defaults, inheritance
 * SYNOPSIS
 *	#include "policy_flow.h"
 *
 *	enum policy_action { POLICY_ACTION_DEFAULT, POLICY_ACTION_ACCEPT,
 *		POLICY_ACTION_RELAY, POLICY_ACTION_REJECT,
 *		POLICY_ACTION_TCPREFUSE };
 *	enum policy_inbound_tls { POLICY_ITLS_DEFAULT, POLICY_ITLS_OFF,
 *		POLICY_ITLS_PREFERRED, POLICY_ITLS_REQUIRED };
 *	enum policy_auth { POLICY_AUTH_DEFAULT, POLICY_AUTH_OFF,
 *		POLICY_AUTH_PREFERRED, POLICY_AUTH_REQUIRED };
 *	enum policy_bool { POLICY_BOOL_DEFAULT, POLICY_BOOL_OFF,
 *		POLICY_BOOL_ON };
 *
 *	struct policy_flow {
 *		const char *name;
 *		enum policy_action action;
 *		long	max_msgs_per_conn;
 *		long	max_rcpts_per_msg;
 *		long	max_msg_size;
 *		long	max_conns_per_ip;
 *		int	banner_code;
 *		const char *banner_text;
 *		int	reject_code;
 *		const char *reject_text;
 *		long	max_rcpts_per_hour;		-1: unlimited
 *		int	rate_code;
 *		const char *rate_text;
 *		enum policy_inbound_tls tls;
 *		enum policy_bool tls_verify_client;
 *		enum policy_bool sender_dns_verify;
 *		enum policy_auth auth;
 *		enum policy_bool auth_require_tls;
 *	};
 *
 *	void	policy_flow_init(struct policy_flow *fp);
 *	const struct policy_flow *policy_flow_factory(void);
 *	void	policy_flow_resolve(struct policy_flow *out,
 *			const struct policy_flow *policy,
 *			const struct policy_flow *defaults);
 *	int	policy_flow_check(const struct policy_flow *fp,
 *			const struct policy_loc *loc, struct buf *err);
 *
 *	const char *policy_flow_action_name(enum policy_action action);
 *	int	policy_flow_action_parse(const char *text,
 *			enum policy_action *action);
 *	int	policy_flow_tls_parse(const char *text,
 *			enum policy_inbound_tls *tls);
 *	int	policy_flow_auth_parse(const char *text,
 *			enum policy_auth *auth);
 *
 *	enum policy_client_cert { POLICY_CERT_NONE, POLICY_CERT_INVALID,
 *		POLICY_CERT_VALID };
 *
 *	int	policy_flow_offer_starttls(const struct policy_flow *fp);
 *	int	policy_flow_command_ok(const struct policy_flow *fp,
 *			int tls_active, struct str verb);
 *	int	policy_flow_offer_auth(const struct policy_flow *fp,
 *			int tls_active);
 *	int	policy_flow_client_cert_ok(const struct policy_flow *fp,
 *			enum policy_client_cert cert);
 * DESCRIPTION
 *	A mail flow policy says what a listener does with a connection
 *	that its HAT put in a sender group: the connection behaviour and
 *	the limits, banners, TLS and SMTP AUTH settings.
 *
 *	Every field may be "use default": POLICY_DEFAULT in the long
 *	fields, 0 in the reply codes, NULL in the texts and the *_DEFAULT
 *	member of the enums. policy_flow_init() sets every field so.
 *	policy_flow_resolve() writes into out the policy with each
 *	default field taken from defaults (the listener's Default Policy
 *	Parameters; may be NULL), and what is still unset from the factory
 *	values of policy_flow_factory(): ACCEPT, 10 messages per
 *	connection, 50 recipients per message, 10485760 bytes, 10
 *	connections per IP, banner 220 (text NULL: the listener's usual
 *	"<hostname> ESMTP"), reject 554 "Access Denied", unlimited
 *	recipients per hour with 452 "Too many recipients received this
 *	hour", TLS off, no client certificate check, no sender DNS
 *	verification, SMTP AUTH off, AUTH without TLS allowed. The name
 *	comes from policy. The strings in out are borrowed from the
 *	inputs or the factory (static): out lives no longer than they do.
 *
 *	policy_flow_check() validates the fields that are set: limits
 *	positive (max_rcpts_per_hour -1 or more), banner code 2xx, reject
 *	and rate codes 4xx or 5xx, texts without control characters. It
 *	returns 0, or -1 after appending one line to err per problem.
 *
 *	policy_flow_action_name() is the upper-case keyword of the mail log
 *	("ACCEPT", "RELAY", "REJECT", "TCPREFUSE"). The *_parse()
 *	functions accept the keywords case-insensitively ("accept",
 *	"tcprefuse" or "tcp_refuse"; "off", "preferred", "required";
 *	"default" for *_DEFAULT) and return 1, or 0 when unknown.
 *
 *	Inbound TLS and AUTH decisions, on a resolved policy:
 *	policy_flow_offer_starttls() says whether EHLO lists STARTTLS (TLS
 *	Preferred or Required). policy_flow_command_ok() says whether a
 *	command verb may run: under TLS Required, before TLS is active,
 *	only EHLO, NOOP, QUIT and STARTTLS may (the others get "530 5.7.0
 *	Must issue a STARTTLS command first"). policy_flow_offer_auth()
 *	says whether EHLO lists AUTH: SMTP AUTH not off, and TLS active
 *	when the policy requires TLS for AUTH. policy_flow_client_cert_ok()
 *	applies "Verify Client Certificate" after the handshake: without
 *	it any certificate (or none) is fine; with it, an invalid
 *	certificate is always refused, and no certificate is refused only
 *	under TLS Required.
 */
#ifndef POLICY_FLOW_H
#define POLICY_FLOW_H

#include "buf.h"
#include "str.h"
#include "policy.h"

enum policy_action {
	POLICY_ACTION_DEFAULT,
	POLICY_ACTION_ACCEPT,
	POLICY_ACTION_RELAY,
	POLICY_ACTION_REJECT,
	POLICY_ACTION_TCPREFUSE,
};

enum policy_inbound_tls {
	POLICY_ITLS_DEFAULT,
	POLICY_ITLS_OFF,
	POLICY_ITLS_PREFERRED,
	POLICY_ITLS_REQUIRED,
};

enum policy_auth {
	POLICY_AUTH_DEFAULT,
	POLICY_AUTH_OFF,
	POLICY_AUTH_PREFERRED,
	POLICY_AUTH_REQUIRED,
};

enum policy_bool {
	POLICY_BOOL_DEFAULT,
	POLICY_BOOL_OFF,
	POLICY_BOOL_ON,
};

struct policy_flow {
	const char *name;
	enum policy_action action;
	long	max_msgs_per_conn;
	long	max_rcpts_per_msg;
	long	max_msg_size;
	long	max_conns_per_ip;
	int	banner_code;
	const char *banner_text;
	int	reject_code;
	const char *reject_text;
	long	max_rcpts_per_hour;
	int	rate_code;
	const char *rate_text;
	enum policy_inbound_tls tls;
	enum policy_bool tls_verify_client;
	enum policy_bool sender_dns_verify;
	enum policy_auth auth;
	enum policy_bool auth_require_tls;
};

void	policy_flow_init(struct policy_flow *);
const struct policy_flow *policy_flow_factory(void);
void	policy_flow_resolve(struct policy_flow *, const struct policy_flow *,
	    const struct policy_flow *);
int	policy_flow_check(const struct policy_flow *, const struct policy_loc *,
	    struct buf *);

const char *policy_flow_action_name(enum policy_action);
int	policy_flow_action_parse(const char *, enum policy_action *);
int	policy_flow_tls_parse(const char *, enum policy_inbound_tls *);
int	policy_flow_auth_parse(const char *, enum policy_auth *);

enum policy_client_cert {
	POLICY_CERT_NONE,
	POLICY_CERT_INVALID,
	POLICY_CERT_VALID,
};

int	policy_flow_offer_starttls(const struct policy_flow *);
int	policy_flow_command_ok(const struct policy_flow *, int, struct str);
int	policy_flow_offer_auth(const struct policy_flow *, int);
int	policy_flow_client_cert_ok(const struct policy_flow *,
	    enum policy_client_cert);

#endif
