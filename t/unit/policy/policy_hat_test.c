/*
 * NAME
 *	policy_hat_test - unit tests for policy/policy_hat and policy_flow
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "str.h"
#include "policy.h"
#include "policy_flow.h"
#include "policy_hat.h"
#include "policy_member.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

/* add_policy - add a policy or fail the test */

static void
add_policy(struct policy_hat *hat, const char *name,
    const struct policy_flow *flow)
{
	struct buf *err = buf_new(64);

	cr_assert_eq(policy_hat_add_policy(hat, name, flow, NULL, err), 0,
	    "%s: %s", name, buf_cstr(err));
	buf_free(err);
}

/* add_group - add a group with members or fail the test */

static void
add_group(struct policy_hat *hat, const char *name, const char *policy,
    const char *const *members)
{
	struct buf *err = buf_new(64);

	cr_assert_eq(policy_hat_add_group(hat, name, policy, NULL, err), 0,
	    "%s: %s", name, buf_cstr(err));
	for (; members && *members; members++)
		cr_assert_eq(policy_hat_add_member(hat, name, *members, NULL,
		    err), 1, "%s %s: %s", name, *members, buf_cstr(err));
	buf_free(err);
}

/* finish - finish a HAT or fail the test */

static void
finish(struct policy_hat *hat)
{
	struct buf *err = buf_new(64);

	cr_assert_eq(policy_hat_finish(hat, err), 0, "%s", buf_cstr(err));
	buf_free(err);
}

/* sample_hat - a public listener HAT with every kind of row */

static struct policy_hat *
sample_hat(void)
{
	static const char *const white[] = {"10.1.1.", "mail.partner.example",
	NULL};
	static const char *const black[] = {"dnslist[zen.example.org]",
	"SBRS[-10:-3]", NULL};
	static const char *const suspect[] = {"SBRS[-3:-1]", "ptr:tempfail",
	"10.1.", "dnslist[bl.example.net]", "dnslist[ZEN.example.org]",
	NULL};
	struct policy_hat *hat = policy_hat_new();
	struct policy_flow flow, defaults;
	struct buf *err = buf_new(64);

	policy_flow_init(&defaults);
	defaults.max_rcpts_per_msg = 77;
	defaults.tls = POLICY_ITLS_PREFERRED;
	cr_assert_eq(policy_hat_set_defaults(hat, &defaults, NULL, err), 0);

	policy_flow_init(&flow);
	flow.action = POLICY_ACTION_ACCEPT;
	flow.max_msgs_per_conn = 100;
	flow.max_rcpts_per_hour = -1;
	add_policy(hat, "$TRUSTED", &flow);
	policy_flow_init(&flow);
	flow.action = POLICY_ACTION_REJECT;
	flow.reject_code = 550;
	flow.reject_text = "Go away, $Hostname";
	add_policy(hat, "$BLOCKED", &flow);
	policy_flow_init(&flow);
	flow.max_rcpts_per_hour = 20;
	add_policy(hat, "$THROTTLED", &flow);
	policy_flow_init(&flow);
	add_policy(hat, "$ACCEPTED", &flow);

	add_group(hat, "WHITELIST", "$TRUSTED", white);
	add_group(hat, "BLACKLIST", "$BLOCKED", black);
	add_group(hat, "SUSPECTLIST", "$THROTTLED", suspect);
	add_group(hat, "EMPTY", "$BLOCKED", NULL);
	cr_assert_eq(policy_hat_set_all(hat, "$ACCEPTED", NULL, err), 0);
	finish(hat);
	buf_free(err);
	return (hat);
}

struct hat_case {
	const char *label;
	const char *ip;
	const char *host;
	enum policy_ptr ptr;
	enum policy_sbrs sbrs_state;
	int	sbrs;
	const char *listed;
	const char *group;		/* NULL: ALL */
	const char *match;
	const char *policy;
	enum policy_action action;
};

Test(policy_hat, first_match_table)
{
	static const struct hat_case cases[] = {
		{"whitelist beats blacklist score", "10.1.1.5", NULL,
			POLICY_PTR_NONE, POLICY_SBRS_SCORE, -50, NULL,
		"WHITELIST", "10.1.1.", "$TRUSTED", POLICY_ACTION_ACCEPT},
		{"blacklist by score", "10.1.2.5", NULL, POLICY_PTR_NONE,
			POLICY_SBRS_SCORE, -50, NULL,
		"BLACKLIST", "sbrs[-10.0:-3.0]", "$BLOCKED",
		POLICY_ACTION_REJECT},
		{"score boundary -3.0 goes to the upper group", "192.0.2.1",
			NULL, POLICY_PTR_NONE, POLICY_SBRS_SCORE, -30, NULL,
		"BLACKLIST", "sbrs[-10.0:-3.0]", "$BLOCKED",
		POLICY_ACTION_REJECT},
		{"suspect by prefix", "10.1.2.5", NULL, POLICY_PTR_NONE,
			POLICY_SBRS_SCORE, 0, NULL,
		"SUSPECTLIST", "10.1.", "$THROTTLED", POLICY_ACTION_ACCEPT},
		{"first member of the group names the match", "192.0.2.1",
			NULL, POLICY_PTR_NONE, POLICY_SBRS_SCORE, -50,
		"zen.example.org",
		"BLACKLIST", "dnslist[zen.example.org]", "$BLOCKED",
		POLICY_ACTION_REJECT},
		{"ptr tempfail", "192.0.2.1", NULL, POLICY_PTR_TEMPFAIL,
			POLICY_SBRS_OFF, 0, NULL,
		"SUSPECTLIST", "ptr:tempfail", "$THROTTLED",
		POLICY_ACTION_ACCEPT},
		{"verified host", "192.0.2.1", "Mail.Partner.Example",
			POLICY_PTR_OK, POLICY_SBRS_OFF, 0, NULL,
		"WHITELIST", "mail.partner.example", "$TRUSTED",
		POLICY_ACTION_ACCEPT},
		{"second dnslist", "192.0.2.1", NULL, POLICY_PTR_NONE,
			POLICY_SBRS_OFF, 0, "bl.example.net",
		"SUSPECTLIST", "dnslist[bl.example.net]", "$THROTTLED",
		POLICY_ACTION_ACCEPT},
		{"nothing matches: ALL", "198.51.100.1", NULL, POLICY_PTR_NONE,
			POLICY_SBRS_SCORE, 50, NULL,
		NULL, "ALL", "$ACCEPTED", POLICY_ACTION_ACCEPT},
		{"ipv6 peer: ALL", "2001:db8::1", NULL, POLICY_PTR_NONE,
			POLICY_SBRS_OFF, 0, NULL,
		NULL, "ALL", "$ACCEPTED", POLICY_ACTION_ACCEPT},
	};
	struct policy_hat *hat = sample_hat();
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_hat_result res;
		struct policy_peer peer;
		const char *zones[1] = {cases[i].listed};

		memset(&peer, 0, sizeof(peer));
		cr_assert(policy_ip_parse(cases[i].ip, &peer.ip));
		peer.hostname = cases[i].host;
		peer.ptr = cases[i].ptr;
		peer.sbrs_state = cases[i].sbrs_state;
		peer.sbrs = cases[i].sbrs;
		peer.dnslists = zones;
		peer.dnslist_count = cases[i].listed ? 1 : 0;
		cr_assert_eq(policy_hat_match(hat, &peer, &res), POLICY_FOUND,
		    "%s", cases[i].label);
		if (cases[i].group == NULL)
			cr_expect_null(res.group, "%s: group %s",
			    cases[i].label, res.group);
		else
			cr_expect_str_eq(res.group ? res.group : "(null)",
			    cases[i].group, "%s", cases[i].label);
		cr_expect_str_eq(res.match, cases[i].match, "%s",
		    cases[i].label);
		cr_expect_str_eq(res.flow->name, cases[i].policy, "%s",
		    cases[i].label);
		cr_expect_eq(res.flow->action, cases[i].action, "%s",
		    cases[i].label);
	}
	policy_hat_free(hat);
}

Test(policy_hat, defaults_inheritance)
{
	struct policy_hat *hat = sample_hat();
	const struct policy_flow *t = policy_hat_policy(hat, "$TRUSTED");
	const struct policy_flow *a = policy_hat_policy(hat, "$ACCEPTED");
	const struct policy_flow *b = policy_hat_policy(hat, "$BLOCKED");

	cr_assert(t && a && b);
	cr_expect_null(policy_hat_policy(hat, "$NOPE"));
	/* Own value, listener default, factory. */
	cr_expect_eq(t->max_msgs_per_conn, 100);
	cr_expect_eq(t->max_rcpts_per_msg, 77);
	cr_expect_eq(t->max_msg_size, 10485760);
	cr_expect_eq(t->max_conns_per_ip, 10);
	cr_expect_eq(t->tls, POLICY_ITLS_PREFERRED);
	cr_expect_eq(t->max_rcpts_per_hour, -1);
	cr_expect_eq(a->action, POLICY_ACTION_ACCEPT);
	cr_expect_eq(a->max_msgs_per_conn, 10);
	cr_expect_eq(a->max_rcpts_per_msg, 77);
	cr_expect_eq(a->banner_code, 220);
	cr_expect_null(a->banner_text);
	cr_expect_eq(a->reject_code, 554);
	cr_expect_str_eq(a->reject_text, "Access Denied");
	cr_expect_eq(a->rate_code, 452);
	cr_expect_str_eq(a->rate_text,
	    "Too many recipients received this hour");
	cr_expect_eq(a->auth, POLICY_AUTH_OFF);
	cr_expect_eq(a->auth_require_tls, POLICY_BOOL_OFF);
	cr_expect_eq(a->tls_verify_client, POLICY_BOOL_OFF);
	cr_expect_eq(a->sender_dns_verify, POLICY_BOOL_OFF);
	cr_expect_eq(b->reject_code, 550);
	cr_expect_str_eq(b->reject_text, "Go away, $Hostname");
	policy_hat_free(hat);
}

struct resolve_case {
	const char *label;
	long	policy_val;
	long	default_val;
	int	have_defaults;
	long	want;
};

Test(policy_flow, resolve_table)
{
	static const struct resolve_case cases[] = {
		{"own value wins", 5, 7, 1, 5},
		{"listener default", POLICY_DEFAULT, 7, 1, 7},
		{"factory when both default", POLICY_DEFAULT, POLICY_DEFAULT, 1,
		10},
		{"factory without defaults", POLICY_DEFAULT, 0, 0, 10},
		{"own value without defaults", 3, 0, 0, 3},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_flow pol, def, out;

		policy_flow_init(&pol);
		policy_flow_init(&def);
		pol.name = "$P";
		pol.max_msgs_per_conn = cases[i].policy_val;
		def.max_msgs_per_conn = cases[i].default_val;
		policy_flow_resolve(&out, &pol, cases[i].have_defaults ? &def :
		    NULL);
		cr_expect_eq(out.max_msgs_per_conn, cases[i].want, "%s",
		    cases[i].label);
		cr_expect_str_eq(out.name, "$P", "%s", cases[i].label);
	}
}

Test(policy_flow, factory_values)
{
	const struct policy_flow *f = policy_flow_factory();

	cr_expect_eq(f->action, POLICY_ACTION_ACCEPT);
	cr_expect_eq(f->max_msgs_per_conn, 10);
	cr_expect_eq(f->max_rcpts_per_msg, 50);
	cr_expect_eq(f->max_msg_size, 10485760);
	cr_expect_eq(f->max_conns_per_ip, 10);
	cr_expect_eq(f->banner_code, 220);
	cr_expect_eq(f->reject_code, 554);
	cr_expect_eq(f->max_rcpts_per_hour, -1);
	cr_expect_eq(f->tls, POLICY_ITLS_OFF);
	cr_expect_eq(f->auth, POLICY_AUTH_OFF);
}

enum check_field {
	F_NONE, F_BANNER_CODE, F_REJECT_CODE, F_RATE_CODE, F_BANNER_TEXT,
	F_MSGS, F_RCPTS, F_SIZE, F_CONNS, F_PER_HOUR,
};

struct check_case {
	const char *label;
	enum check_field field;
	long	value;
	const char *text;
	const char *want;		/* NULL: valid */
};

/* set_field - set one field of a policy from a table row */

static void
set_field(struct policy_flow *fp, const struct check_case *cp)
{
	switch (cp->field) {
	case F_NONE:
		break;
	case F_BANNER_CODE:
		fp->banner_code = (int) cp->value;
		break;
	case F_REJECT_CODE:
		fp->reject_code = (int) cp->value;
		break;
	case F_RATE_CODE:
		fp->rate_code = (int) cp->value;
		break;
	case F_BANNER_TEXT:
		fp->banner_text = cp->text;
		break;
	case F_MSGS:
		fp->max_msgs_per_conn = cp->value;
		break;
	case F_RCPTS:
		fp->max_rcpts_per_msg = cp->value;
		break;
	case F_SIZE:
		fp->max_msg_size = cp->value;
		break;
	case F_CONNS:
		fp->max_conns_per_ip = cp->value;
		break;
	case F_PER_HOUR:
		fp->max_rcpts_per_hour = cp->value;
		break;
	}
}

Test(policy_flow, check_table)
{
	static const struct check_case cases[] = {
		{"all default", F_NONE, 0, NULL, NULL},
		{"banner code 554", F_BANNER_CODE, 554, NULL, "p.yaml:3:1: "
		"banner_code: 554 is not an SMTP reply code from 200 to 299"},
		{"reject code 250", F_REJECT_CODE, 250, NULL, "p.yaml:3:1: "
		"reject_code: 250 is not an SMTP reply code from 400 to 599"},
		{"reject code 421", F_REJECT_CODE, 421, NULL, NULL},
		{"rate code 999", F_RATE_CODE, 999, NULL, "p.yaml:3:1: "
		"rate_limit_code: 999 is not an SMTP reply code from 400 to "
		"599"},
		{"crlf in banner", F_BANNER_TEXT, 0, "a\r\nb", "p.yaml:3:1: "
		"banner_text: control character (0x0d) at offset 1 is not "
		"allowed in an SMTP reply"},
		{"plain banner", F_BANNER_TEXT, 0, "$Hostname ESMTP ready",
		NULL},
		{"banner too long", F_BANNER_TEXT, 0,
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789x",
		"p.yaml:3:1: banner_text: longer than 400 bytes"},
		{"zero messages", F_MSGS, 0, NULL, "p.yaml:3:1: "
		"max_msgs_per_connection: 0 is out of range 1 to 1000000"},
		{"zero recipients", F_RCPTS, 0, NULL, "p.yaml:3:1: "
		"max_rcpts_per_message: 0 is out of range 1 to 1000000"},
		{"zero size", F_SIZE, 0, NULL, "p.yaml:3:1: max_message_size: "
		"0 is out of range 1 to 2147483647"},
		{"zero conns", F_CONNS, 0, NULL, "p.yaml:3:1: "
		"max_concurrent_connections_per_ip: 0 is out of range 1 to "
		"1000000"},
		{"rate -2", F_PER_HOUR, -2, NULL, "p.yaml:3:1: "
		"max_rcpts_per_hour: -2 is out of range -1 to 1000000000"},
		{"rate unlimited", F_PER_HOUR, -1, NULL, NULL},
	};
	static const struct policy_loc loc = {"p.yaml", 3, 1};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_flow flow;
		struct buf *err = buf_new(64);

		policy_flow_init(&flow);
		set_field(&flow, &cases[i]);
		cr_expect_eq(policy_flow_check(&flow, &loc, err),
		    cases[i].want ? -1 : 0, "%s", cases[i].label);
		cr_expect_str_eq(buf_cstr(err), cases[i].want ? cases[i].want :
		    "", "%s", cases[i].label);
		buf_free(err);
	}
}

struct word_case {
	const char *text;
	int	ok;
	int	want;
};

Test(policy_flow, keyword_tables)
{
	static const struct word_case actions[] = {
		{"accept", 1, POLICY_ACTION_ACCEPT},
		{"RELAY", 1, POLICY_ACTION_RELAY},
		{"Reject", 1, POLICY_ACTION_REJECT},
		{"TCPREFUSE", 1, POLICY_ACTION_TCPREFUSE},
		{"tcp_refuse", 1, POLICY_ACTION_TCPREFUSE},
		{"default", 1, POLICY_ACTION_DEFAULT},
		{"continue", 0, 0},
		{"", 0, 0},
	};
	static const struct word_case tls[] = {
		{"off", 1, POLICY_ITLS_OFF},
		{"Preferred", 1, POLICY_ITLS_PREFERRED},
		{"REQUIRED", 1, POLICY_ITLS_REQUIRED},
		{"maybe", 0, 0},
	};
	static const struct word_case auth[] = {
		{"off", 1, POLICY_AUTH_OFF},
		{"preferred", 1, POLICY_AUTH_PREFERRED},
		{"required", 1, POLICY_AUTH_REQUIRED},
		{"on", 0, 0},
	};
	size_t	i;

	for (i = 0; i < NCASES(actions); i++) {
		enum policy_action a = POLICY_ACTION_DEFAULT;

		cr_expect_eq(policy_flow_action_parse(actions[i].text, &a),
		    actions[i].ok, "action %s", actions[i].text);
		if (actions[i].ok)
			cr_expect_eq((int) a, actions[i].want, "action %s",
			    actions[i].text);
	}
	for (i = 0; i < NCASES(tls); i++) {
		enum policy_inbound_tls t = POLICY_ITLS_DEFAULT;

		cr_expect_eq(policy_flow_tls_parse(tls[i].text, &t),
		    tls[i].ok, "tls %s", tls[i].text);
		if (tls[i].ok)
			cr_expect_eq((int) t, tls[i].want, "tls %s",
			    tls[i].text);
	}
	for (i = 0; i < NCASES(auth); i++) {
		enum policy_auth x = POLICY_AUTH_DEFAULT;

		cr_expect_eq(policy_flow_auth_parse(auth[i].text, &x),
		    auth[i].ok, "auth %s", auth[i].text);
		if (auth[i].ok)
			cr_expect_eq((int) x, auth[i].want, "auth %s",
			    auth[i].text);
	}
	cr_expect_str_eq(policy_flow_action_name(POLICY_ACTION_TCPREFUSE),
	    "TCPREFUSE");
	cr_expect_str_eq(policy_flow_action_name(POLICY_ACTION_ACCEPT),
	    "ACCEPT");
	cr_expect_str_eq(policy_flow_action_name(POLICY_ACTION_REJECT),
	    "REJECT");
	cr_expect_str_eq(policy_flow_action_name(POLICY_ACTION_RELAY), "RELAY");
}

Test(policy_hat, builder_errors)
{
	static const struct policy_loc loc = {"hat.yaml", 4, 3};
	struct policy_hat *hat = policy_hat_new();
	struct policy_flow flow;
	struct buf *err = buf_new(64);

	policy_flow_init(&flow);
	cr_expect_eq(policy_hat_add_policy(hat, "$P", &flow, &loc, err), 0);
	cr_expect_eq(policy_hat_add_policy(hat, "$P", &flow, &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:4:3: mail flow policy "
	    "\"$P\" is already defined");
	buf_reset(err);
	cr_expect_eq(policy_hat_add_policy(hat, "bad name", &flow, &loc, err),
	    -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:4:3: policy name \"bad "
	    "name\": space, control or non-ASCII character");
	buf_reset(err);
	cr_expect_eq(policy_hat_add_group(hat, "", "$P", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:4:3: empty sender group "
	    "name");
	buf_reset(err);
	flow.banner_code = 500;
	cr_expect_eq(policy_hat_add_policy(hat, "$Q", &flow, &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:4:3: banner_code: 500 is "
	    "not an SMTP reply code from 200 to 299");
	buf_reset(err);
	cr_expect_eq(policy_hat_add_group(hat, "G", "$P", &loc, err), 0);
	cr_expect_eq(policy_hat_add_group(hat, "G", "$P", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:4:3: sender group \"G\" is "
	    "already defined");
	buf_reset(err);
	cr_expect_eq(policy_hat_add_group(hat, "all", "$P", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:4:3: \"all\" cannot name a "
	    "sender group (ALL is the implicit last row, None is how the log "
	    "names it)");
	buf_reset(err);
	cr_expect_eq(policy_hat_add_member(hat, "H", "10.", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:4:3: no sender group "
	    "\"H\"");
	buf_reset(err);
	cr_expect_eq(policy_hat_add_member(hat, "G", "10.300.", &loc, err), -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:4:6: sender group member "
	    "\"10.300.\": IPv4 octet 300 is out of range 0-255");
	buf_reset(err);
	/* Duplicates are dropped, however they are spelled. */
	cr_expect_eq(policy_hat_add_member(hat, "G", "10.1.2.3", &loc, err), 1);
	cr_expect_eq(policy_hat_add_member(hat, "G", "10.1.2.3/32", &loc, err),
	    0);
	cr_expect_eq(policy_hat_add_member(hat, "G", "10.1.2.4", &loc, err), 1);
	cr_expect_str_eq(buf_cstr(err), "");
	policy_hat_free(hat);
	buf_free(err);
}

Test(policy_hat, finish_errors)
{
	static const struct policy_loc gloc = {"hat.yaml", 9, 1};
	static const struct policy_loc aloc = {"hat.yaml", 20, 1};
	struct policy_hat *hat = policy_hat_new();
	struct policy_flow flow;
	struct buf *err = buf_new(64);

	policy_flow_init(&flow);
	cr_assert_eq(policy_hat_add_policy(hat, "$TRUSTED", &flow, NULL, err),
	    0);
	cr_assert_eq(policy_hat_add_group(hat, "W", "$trusted", &gloc, err), 0);
	cr_assert_eq(policy_hat_add_group(hat, "X", "$GONE", &gloc, err), 0);
	cr_expect_eq(policy_hat_finish(hat, err), -1);
	cr_expect_str_eq(buf_cstr(err),
	    "hat.yaml:9:1: sender group \"W\": unknown mail flow policy "
	    "\"$trusted\" (did you mean \"$TRUSTED\"?)\n"
	    "hat.yaml:9:1: sender group \"X\": unknown mail flow policy "
	    "\"$GONE\"\n"
	    "the HAT has no policy for ALL");
	policy_hat_free(hat);

	hat = policy_hat_new();
	buf_reset(err);
	cr_assert_eq(policy_hat_set_all(hat, "$MISSING", &aloc, err), 0);
	cr_expect_eq(policy_hat_finish(hat, err), -1);
	cr_expect_str_eq(buf_cstr(err), "hat.yaml:20:1: ALL: unknown mail "
	    "flow policy \"$MISSING\"");
	policy_hat_free(hat);
	buf_free(err);
}

Test(policy_hat, add_after_finish_panics, .signal = SIGABRT)
{
	struct policy_hat *hat = policy_hat_predefined(POLICY_LISTENER_PUBLIC);
	struct buf *err = buf_new(64);

	msg_stderr_set(0);
	finish(hat);
	(void) policy_hat_add_member(hat, "WHITELIST", "10.", NULL, err);
}

Test(policy_hat, dnslists_and_sbrs)
{
	struct policy_hat *hat = sample_hat();
	const char *const *zones;
	size_t	n = policy_hat_dnslists(hat, &zones);

	cr_assert_eq(n, 2, "distinct zones, case-insensitive");
	cr_expect_str_eq(zones[0], "zen.example.org");
	cr_expect_str_eq(zones[1], "bl.example.net");
	cr_expect(policy_hat_uses_sbrs(hat));
	policy_hat_free(hat);

	hat = policy_hat_predefined(POLICY_LISTENER_PRIVATE);
	finish(hat);
	cr_expect_eq(policy_hat_dnslists(hat, &zones), 0);
	cr_expect(!policy_hat_uses_sbrs(hat));
	policy_hat_free(hat);
}

Test(policy_hat, regex_error_is_not_a_group)
{
	static const char *const members[] = {"/^(a|aa)+$/", NULL};
	struct policy_hat *hat = policy_hat_new();
	struct policy_flow flow;
	struct policy_hat_result res;
	struct policy_peer peer;
	struct buf *err = buf_new(64);
	char	host[64];

	msg_stderr_set(0);
	policy_flow_init(&flow);
	add_policy(hat, "$P", &flow);
	add_group(hat, "G", "$P", members);
	cr_assert_eq(policy_hat_set_all(hat, "$P", NULL, err), 0);
	finish(hat);
	memset(host, 'a', 60);
	host[60] = '!';
	host[61] = 0;
	memset(&peer, 0, sizeof(peer));
	cr_assert(policy_ip_parse("192.0.2.1", &peer.ip));
	peer.hostname = host;
	cr_expect_eq(policy_hat_match(hat, &peer, &res), POLICY_ERROR);
	policy_hat_free(hat);
	buf_free(err);
}

struct predefined_case {
	const char *label;
	enum policy_listener type;
	const char *ip;
	enum policy_sbrs sbrs_state;
	int	sbrs;
	const char *group;
	const char *policy;
	enum policy_action action;
	long	rcpts_per_hour;
	long	msgs;
};

Test(policy_hat, predefined_table)
{
	static const struct predefined_case cases[] = {
		{"public -10.0", POLICY_LISTENER_PUBLIC, "192.0.2.1",
			POLICY_SBRS_SCORE, -100,
		"BLACKLIST", "$BLOCKED", POLICY_ACTION_REJECT, -1, 10},
		{"public -3.0 boundary", POLICY_LISTENER_PUBLIC, "192.0.2.1",
			POLICY_SBRS_SCORE, -30,
		"BLACKLIST", "$BLOCKED", POLICY_ACTION_REJECT, -1, 10},
		{"public -2.0", POLICY_LISTENER_PUBLIC, "192.0.2.1",
			POLICY_SBRS_SCORE, -20,
		"SUSPECTLIST", "$THROTTLED", POLICY_ACTION_ACCEPT, 20, 10},
		{"public -1.0 boundary", POLICY_LISTENER_PUBLIC, "192.0.2.1",
			POLICY_SBRS_SCORE, -10,
		"SUSPECTLIST", "$THROTTLED", POLICY_ACTION_ACCEPT, 20, 10},
		{"public -0.9", POLICY_LISTENER_PUBLIC, "192.0.2.1",
			POLICY_SBRS_SCORE, -9,
		"UNKNOWNLIST", "$ACCEPTED", POLICY_ACTION_ACCEPT, -1, 1000},
		{"public 10.0", POLICY_LISTENER_PUBLIC, "192.0.2.1",
			POLICY_SBRS_SCORE, 100,
		"UNKNOWNLIST", "$ACCEPTED", POLICY_ACTION_ACCEPT, -1, 1000},
		{"public no score", POLICY_LISTENER_PUBLIC, "192.0.2.1",
			POLICY_SBRS_NONE, 0,
		NULL, "$ACCEPTED", POLICY_ACTION_ACCEPT, -1, 1000},
		{"public sbrs off", POLICY_LISTENER_PUBLIC, "192.0.2.1",
			POLICY_SBRS_OFF, 0,
		NULL, "$ACCEPTED", POLICY_ACTION_ACCEPT, -1, 1000},
		{"private relay host", POLICY_LISTENER_PRIVATE, "10.9.8.7",
			POLICY_SBRS_OFF, 0,
		"RELAYLIST", "$RELAYED", POLICY_ACTION_RELAY, -1, 10},
		{"private stranger", POLICY_LISTENER_PRIVATE, "192.0.2.1",
			POLICY_SBRS_OFF, 0,
		NULL, "$BLOCKED", POLICY_ACTION_REJECT, -1, 10},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_hat *hat = policy_hat_predefined(cases[i].type);
		struct policy_hat_result res;
		struct policy_peer peer;
		struct buf *err = buf_new(64);

		if (cases[i].type == POLICY_LISTENER_PRIVATE)
			cr_assert_eq(policy_hat_add_member(hat, "RELAYLIST",
			    "10/8", NULL, err), 1, "%s", buf_cstr(err));
		finish(hat);
		memset(&peer, 0, sizeof(peer));
		cr_assert(policy_ip_parse(cases[i].ip, &peer.ip));
		peer.ptr = POLICY_PTR_NONE;
		peer.sbrs_state = cases[i].sbrs_state;
		peer.sbrs = cases[i].sbrs;
		cr_assert_eq(policy_hat_match(hat, &peer, &res), POLICY_FOUND);
		if (cases[i].group)
			cr_expect_str_eq(res.group ? res.group : "(null)",
			    cases[i].group, "%s", cases[i].label);
		else
			cr_expect_null(res.group, "%s", cases[i].label);
		cr_expect_str_eq(res.flow->name, cases[i].policy, "%s",
		    cases[i].label);
		cr_expect_eq(res.flow->action, cases[i].action, "%s",
		    cases[i].label);
		cr_expect_eq(res.flow->max_rcpts_per_hour,
		    cases[i].rcpts_per_hour, "%s", cases[i].label);
		cr_expect_eq(res.flow->max_msgs_per_conn, cases[i].msgs, "%s",
		    cases[i].label);
		policy_hat_free(hat);
		buf_free(err);
	}
}

struct expand_case {
	const char *label;
	const char *text;
	const char *group;
	const char *ip;
	const char *host;
	enum policy_ptr ptr;
	const char *want;
};

Test(policy_hat, expand_table)
{
	static const struct expand_case cases[] = {
		{"all variables", "$Group $Hostname $RemoteIP $HATGroup",
			"WHITELIST", "192.0.2.1", "mx.example.com",
			POLICY_PTR_OK,
		"WHITELIST mx.example.com 192.0.2.1 WHITELIST"},
		{"case-insensitive", "$GROUP/$hostname/$remoteip/$hatgroup",
			"G", "192.0.2.1", "a.example", POLICY_PTR_OK,
		"G/a.example/192.0.2.1/G"},
		{"group None for ALL", "SG $Group", NULL, "192.0.2.1", NULL,
			POLICY_PTR_NONE, "SG None"},
		{"hostname no PTR", "$Hostname", "G", "192.0.2.1", NULL,
			POLICY_PTR_NONE, "None"},
		{"hostname tempfail", "$Hostname", "G", "192.0.2.1", NULL,
			POLICY_PTR_TEMPFAIL, "Unknown"},
		{"hostname mismatch", "$Hostname", "G", "192.0.2.1", NULL,
			POLICY_PTR_MISMATCH, "Unknown"},
		{"ipv6 address", "[$RemoteIP]", "G", "2001:DB8::1", NULL,
			POLICY_PTR_NONE, "[2001:db8::1]"},
		{"unknown variable kept", "$Date $OrgID", "G", "192.0.2.1",
			NULL, POLICY_PTR_NONE, "$Date $OrgID"},
		{"longest name", "$GroupX", "G", "192.0.2.1", NULL,
			POLICY_PTR_NONE, "$GroupX"},
		{"punctuation ends name", "$Group.", "G", "192.0.2.1", NULL,
			POLICY_PTR_NONE, "G."},
		{"dollar digits", "cost $5", "G", "192.0.2.1", NULL,
			POLICY_PTR_NONE, "cost $5"},
		{"trailing dollar", "end $", "G", "192.0.2.1", NULL,
			POLICY_PTR_NONE, "end $"},
		{"no variables", "mail.example.com ESMTP", "G", "192.0.2.1",
			NULL, POLICY_PTR_NONE, "mail.example.com ESMTP"},
		{"hostile host name", "hi $Hostname", "G", "192.0.2.1",
			"evil\r\nMAIL FROM", POLICY_PTR_OK,
		"hi evil??MAIL?FROM"},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_hat_result res;
		struct policy_peer peer;
		struct buf *out = buf_new(64);

		memset(&res, 0, sizeof(res));
		res.group = cases[i].group;
		memset(&peer, 0, sizeof(peer));
		cr_assert(policy_ip_parse(cases[i].ip, &peer.ip));
		peer.hostname = cases[i].host;
		peer.ptr = cases[i].ptr;
		policy_hat_expand(out, cases[i].text, &res, &peer);
		cr_expect_str_eq(buf_cstr(out), cases[i].want, "%s",
		    cases[i].label);
		buf_free(out);
	}
}

struct inbound_case {
	const char *label;
	enum policy_inbound_tls tls;
	enum policy_bool verify;
	enum policy_auth auth;
	enum policy_bool auth_tls;
	int	tls_active;
	const char *verb;
	int	starttls;		/* EHLO lists STARTTLS */
	int	command;		/* verb may run */
	int	offer_auth;		/* EHLO lists AUTH */
	int	cert_none;		/* no client certificate accepted */
	int	cert_invalid;		/* invalid certificate accepted */
};

Test(policy_flow, inbound_tls_table)
{
	static const struct inbound_case cases[] = {
		{"off: anything goes", POLICY_ITLS_OFF, POLICY_BOOL_OFF,
			POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0, "MAIL",
		0, 1, 0, 1, 1},
		{"preferred: MAIL in clear", POLICY_ITLS_PREFERRED,
			POLICY_BOOL_OFF, POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0,
			"MAIL",
		1, 1, 0, 1, 1},
		{"required: MAIL refused", POLICY_ITLS_REQUIRED,
			POLICY_BOOL_OFF, POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0,
			"mail",
		1, 0, 0, 1, 1},
		{"required: HELO refused", POLICY_ITLS_REQUIRED,
			POLICY_BOOL_OFF, POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0,
			"HELO",
		1, 0, 0, 1, 1},
		{"required: RSET refused", POLICY_ITLS_REQUIRED,
			POLICY_BOOL_OFF, POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0,
			"RSET",
		1, 0, 0, 1, 1},
		{"required: EHLO ok", POLICY_ITLS_REQUIRED, POLICY_BOOL_OFF,
			POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0, "ehlo",
		1, 1, 0, 1, 1},
		{"required: NOOP ok", POLICY_ITLS_REQUIRED, POLICY_BOOL_OFF,
			POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0, "NOOP",
		1, 1, 0, 1, 1},
		{"required: QUIT ok", POLICY_ITLS_REQUIRED, POLICY_BOOL_OFF,
			POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0, "QUIT",
		1, 1, 0, 1, 1},
		{"required: STARTTLS ok", POLICY_ITLS_REQUIRED,
			POLICY_BOOL_OFF, POLICY_AUTH_OFF, POLICY_BOOL_OFF, 0,
			"StartTLS",
		1, 1, 0, 1, 1},
		{"required: after TLS", POLICY_ITLS_REQUIRED, POLICY_BOOL_OFF,
			POLICY_AUTH_OFF, POLICY_BOOL_OFF, 1, "MAIL",
		1, 1, 0, 1, 1},
		{"auth offered in clear", POLICY_ITLS_PREFERRED,
			POLICY_BOOL_OFF, POLICY_AUTH_PREFERRED, POLICY_BOOL_OFF,
			0, "AUTH",
		1, 1, 1, 1, 1},
		{"auth held until TLS", POLICY_ITLS_PREFERRED,
			POLICY_BOOL_OFF, POLICY_AUTH_REQUIRED, POLICY_BOOL_ON,
			0, "AUTH",
		1, 1, 0, 1, 1},
		{"auth after TLS", POLICY_ITLS_PREFERRED, POLICY_BOOL_OFF,
			POLICY_AUTH_REQUIRED, POLICY_BOOL_ON, 1, "AUTH",
		1, 1, 1, 1, 1},
		{"verify + preferred", POLICY_ITLS_PREFERRED, POLICY_BOOL_ON,
			POLICY_AUTH_OFF, POLICY_BOOL_OFF, 1, "MAIL",
		1, 1, 0, 1, 0},
		{"verify + required", POLICY_ITLS_REQUIRED, POLICY_BOOL_ON,
			POLICY_AUTH_OFF, POLICY_BOOL_OFF, 1, "MAIL",
		1, 1, 0, 0, 0},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_flow pol, fp;

		policy_flow_init(&pol);
		pol.tls = cases[i].tls;
		pol.tls_verify_client = cases[i].verify;
		pol.auth = cases[i].auth;
		pol.auth_require_tls = cases[i].auth_tls;
		policy_flow_resolve(&fp, &pol, NULL);
		cr_expect_eq(policy_flow_offer_starttls(&fp), cases[i].starttls,
		    "%s: starttls", cases[i].label);
		cr_expect_eq(policy_flow_command_ok(&fp, cases[i].tls_active,
		    str_from(cases[i].verb)), cases[i].command, "%s: command",
		    cases[i].label);
		cr_expect_eq(policy_flow_offer_auth(&fp, cases[i].tls_active),
		    cases[i].offer_auth, "%s: auth", cases[i].label);
		cr_expect_eq(policy_flow_client_cert_ok(&fp, POLICY_CERT_NONE),
		    cases[i].cert_none, "%s: no cert", cases[i].label);
		cr_expect_eq(policy_flow_client_cert_ok(&fp,
		    POLICY_CERT_INVALID), cases[i].cert_invalid,
		    "%s: invalid cert", cases[i].label);
		cr_expect(policy_flow_client_cert_ok(&fp, POLICY_CERT_VALID),
		    "%s: valid cert", cases[i].label);
	}
}
