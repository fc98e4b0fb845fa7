/*
 * NAME
 *	conf_load_test - loading valid configurations
 * DESCRIPTION
 *	The embedded default, defaults from the table, a full file read
 *	into the structs, predefined policies and sender groups per
 *	listener type, inheritance from default_policy and the Default
 *	destination row, source locations, and dump/load round trips.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "buf.h"
#include "mem.h"

#include "conf.h"
#include "conf_param.h"
#include "conf_test_util.h"

/* load - load text that must be valid */

static struct conf *
load(const char *yaml)
{
	struct buf errors;
	struct conf *cf;

	buf_init(&errors, 0);
	cf = conf_test_load(yaml, &errors);
	cr_assert_not_null(cf, "load failed:\n%s", buf_cstr(&errors));
	cr_assert_eq(errors.len, 0);
	buf_fini(&errors);
	return (cf);
}

Test(conf_load, embedded_default)
{
	struct conf *cf = conf_load_default();
	const struct conf_listener *lp;
	const struct conf_cert *cp;

	cr_assert_eq(cf->listener_count, 1);
	lp = &cf->listeners[0];
	cr_assert_str_eq(lp->name, "IncomingMail");
	cr_assert_str_eq(lp->address, "127.0.0.1");
	cr_assert_eq(lp->port, 2025);
	cr_assert_eq(lp->type, CONF_LISTENER_PUBLIC);
	cr_assert_str_eq(lp->certificate, "demo");
	cr_assert_str_eq(lp->interface, "Data 1");
	cr_assert_str_eq(cf->spool_dir, "/var/spool/mtad");
	cr_assert_str_eq(cf->log.mail_log, "/var/log/mtad/mail.current");
	cp = conf_cert_find(cf, "demo");
	cr_assert_not_null(cp);
	cr_assert(cp->generate);
	cr_assert_str_eq(cp->cert, "/var/spool/mtad/certs/demo.crt");
	cr_assert_eq(lp->sender_group_count, 4);
	cr_assert_eq(lp->policy_count, 4);
	cr_assert_str_eq(lp->loc.file, "<default>");
	cr_assert_gt(lp->loc.line, 0);
	cr_assert_gt(strlen(cf->hostname), 0, "hostname not computed");
	conf_free(cf);
}

Test(conf_load, empty_text_is_all_defaults)
{
	static const char *const texts[] = {"", "\n", "# nothing\n", "---\n"};
	struct conf *cf;
	size_t	i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cf = load(texts[i]);
		cr_expect_eq(cf->listener_count, 0, "text %zu", i);
		cr_expect_str_eq(cf->spool_dir, "/var/spool/mtad", "text %zu",
		    i);
		cr_expect_not_null(conf_bounce_find(cf, "Default"));
		cr_expect_not_null(conf_cert_find(cf, "demo"));
		conf_free(cf);
	}
}

/* same_value - does a field hold the value of a parameter's default? */

static int
same_value(const struct conf_param *pp, const void *obj)
{
	union {
		int	i;
		long long ll;
		char   *s;
	}	val;
	struct buf why;
	const char *field = (const char *) obj + pp->offset;
	int	same;

	memset(&val, 0, sizeof(val));
	buf_init(&why, 0);
	cr_assert_eq(conf_param_parse(pp, pp->def, &val, &why), 0,
	    "%s: default %s: %s", pp->path, pp->def, buf_cstr(&why));
	buf_fini(&why);
	switch (pp->kind) {
	case CONF_K_INT:
	case CONF_K_BOOL:
	case CONF_K_ENUM:
		return (val.i == *(const int *) field);
	case CONF_K_SIZE:
	case CONF_K_DURATION:
		return (val.ll == *(const long long *) field);
	default:
		same = strcmp(val.s, *(char *const *) field) == 0;
		mem_free(val.s);
		return (same);
	}
}

Test(conf_load, defaults_match_the_table)
{
	struct conf *cf = load("listeners: [ { name: In } ]\n"
	    "certificates: { c: { cert: /c, key: /k } }\n"
	    "destination_controls: { domains: { example.com: {} } }\n");
	const struct conf_listener *lp = &cf->listeners[0];
	const void *obj;
	size_t	i, checked = 0;

	for (i = 0; i < conf_param_count; i++) {
		const struct conf_param *pp = &conf_params[i];

		if (pp->def == NULL || strcmp(pp->path, "hostname") == 0)
			continue;
		switch (pp->scope) {
		case CONF_SCOPE_GLOBAL:
			obj = cf;
			break;
		case CONF_SCOPE_LISTENER:
			if (strcmp(pp->path, "all_policy") == 0)
				continue;	/* predefined: ACCEPTED */
			obj = lp;
			break;
		case CONF_SCOPE_POLICY:
			obj = &lp->default_policy;
			break;
		case CONF_SCOPE_CERT:
			obj = conf_cert_find(cf, "c");
			break;
		case CONF_SCOPE_BOUNCE:
			obj = conf_bounce_find(cf, "Default");
			break;
		case CONF_SCOPE_DEST:
			cr_expect(same_value(pp, conf_dest_find(cf,
			    "example.com")), "%s (entry)", pp->path);
			obj = &cf->dest.def;
			break;
		default:
			continue;
		}
		cr_expect(same_value(pp, obj), "%s%s is not its default %s",
		    conf_param_prefix(pp->scope), pp->path, pp->def);
		checked++;
	}
	cr_assert_gt(checked, 60);
	cr_assert_eq(lp->default_policy.max_message_size, 10485760);
	cr_assert_eq(lp->default_policy.max_rcpts_per_msg, 50);
	cr_assert_eq(lp->default_policy.max_msgs_per_session, 10);
	cr_assert_eq(lp->default_policy.max_concurrency, 10);
	cr_assert_eq(lp->default_policy.smtp_banner_code, 220);
	cr_assert_eq(lp->default_policy.reject_banner_code, 554);
	cr_assert_eq(lp->default_policy.max_rcpts_per_hour, -1);
	cr_assert_eq(lp->default_policy.tls, CONF_TLS_OFF);
	cr_assert_eq(cf->bounces[0].max_retries, 100);
	cr_assert_eq(cf->bounces[0].max_queue_lifetime, 259200);
	cr_assert_eq(cf->bounces[0].initial_retry, 60);
	cr_assert_eq(cf->bounces[0].max_retry, 3600);
	conf_free(cf);
}

static const char full_yaml[] =
    "hostname: mx.example.com\n"
    "user: nobody\n"
    "spool_dir: /tmp/spool\n"
    "processes: { listeners: 3, delivery: 4 }\n"
    "log:\n"
    "  mail_log: /tmp/log/mail.current\n"
    "  dialect: asyncos4\n"
    "  openssl_error_style: \"1.0.1\"\n"
    "  connection_error_ip_space: false\n"
    "  rotate_size: 1G\n"
    "  keep: 3\n"
    "  syslog: { enabled: true, target: \"udp:127.0.0.1:514\", "
    "name: mail, facility: local3 }\n"
    "dns:\n"
    "  servers: [\"127.0.0.1:5353\", \"::1\", \"[::1]:53\"]\n"
    "  timeout: 2s\n"
    "sbrs:\n"
    "  table: { \"192.0.2.0/24\": -5.0, \"198.51.100.7\": 3.4 }\n"
    "  dnslists: [ sbrs.example ]\n"
    "certificates:\n"
    "  mine: { cert: /etc/mtad/mine.pem, key: /etc/mtad/mine.key }\n"
    "limits: { command_timeout: 2m, data_timeout: 1h }\n"
    "bounce_profiles:\n"
    "  Fast: { max_retries: 3, max_queue_lifetime: 1h, initial_retry: 10s, "
    "max_retry: 1m }\n"
    "destination_controls:\n"
    "  certificate: mine\n"
    "  tls_failure_alert: true\n"
    "  default: { tls: preferred, max_concurrency: 20 }\n"
    "  domains:\n"
    "    example.com: { tls: required_verify, bounce_profile: Fast }\n"
    "    \"[192.0.2.1]\": { max_concurrency: 2 }\n"
    "listeners:\n"
    "  - name: IncomingMail\n"
    "    interface: Data 2\n"
    "    address: \"::1\"\n"
    "    port: 2601\n"
    "    certificate: mine\n"
    "    default_policy: { max_rcpts_per_msg: 100, tls: preferred }\n"
    "    policies:\n"
    "      STRICT: { tls: required, tls_verify_client: true }\n"
    "    sender_groups:\n"
    "      - name: PARTNERS\n"
    "        policy: STRICT\n"
    "        members: [ \"10.1.0.0/16\", \".example.com\" ]\n"
    "      - name: BAD\n"
    "        policy: BLOCKED\n"
    "        members: [ \"sbrs[-10.0:-2.0]\", \"dnslist[bl.example]\" ]\n"
    "    all_policy: THROTTLED\n"
    "  - name: Relay\n"
    "    port: 2602\n"
    "    type: private\n";

Test(conf_load, full_file_into_structs)
{
	struct conf *cf = load(full_yaml);
	const struct conf_listener *lp;
	const struct conf_policy *pp;
	const struct conf_dest *dp;

	cr_assert_str_eq(cf->hostname, "mx.example.com");
	cr_assert_str_eq(cf->user, "nobody");
	cr_assert_eq(cf->processes.listeners, 3);
	cr_assert_eq(cf->processes.delivery, 4);
	cr_assert_eq(cf->log.dialect, CONF_LOG_ASYNCOS4);
	cr_assert_eq(cf->log.openssl_error_style, CONF_OPENSSL_101);
	cr_assert_eq(cf->log.connection_error_ip_space, 0);
	cr_assert_eq(cf->log.rotate_size, 1073741824LL);
	cr_assert_eq(cf->log.syslog.enabled, 1);
	cr_assert_eq(cf->log.syslog.facility, CONF_FACILITY_LOCAL3);
	cr_assert_str_eq(cf->log.syslog.target, "udp:127.0.0.1:514");
	cr_assert_eq(cf->log.syslog.target_loc.line, 12);
	cr_assert_eq(cf->dns.server_count, 3);
	cr_assert_str_eq(cf->dns.servers[1].text, "::1");
	cr_assert_eq(cf->dns.timeout, 2);
	cr_assert_eq(cf->sbrs.table_count, 2);
	cr_assert_str_eq(cf->sbrs.table[1].network, "198.51.100.7");
	cr_assert_float_eq(cf->sbrs.table[1].score, 3.4, 1e-9);
	cr_assert_float_eq(cf->sbrs.table[0].score, -5.0, 1e-9);
	cr_assert_eq(cf->sbrs.dnslist_count, 1);
	cr_assert_eq(cf->limits.data_timeout, 3600);
	cr_assert_eq(conf_bounce_find(cf, "Fast")->max_retries, 3);
	cr_assert_not_null(conf_bounce_find(cf, "Default"));
	cr_assert_str_eq(cf->dest.certificate, "mine");
	cr_assert_eq(cf->dest.tls_failure_alert, 1);
	cr_assert_eq(cf->dest.def.tls, CONF_TLS_OUT_PREFERRED);
	dp = conf_dest_find(cf, "EXAMPLE.COM");
	cr_assert_not_null(dp);
	cr_assert_eq(dp->tls, CONF_TLS_OUT_REQUIRED_VERIFY);
	cr_assert_str_eq(dp->bounce_profile, "Fast");
	cr_assert_eq(dp->max_concurrency, 20, "inherited from default");
	dp = conf_dest_find(cf, "[192.0.2.1]");
	cr_assert_eq(dp->max_concurrency, 2);
	cr_assert_eq(dp->tls, CONF_TLS_OUT_PREFERRED, "inherited");

	lp = conf_listener_find(cf, "IncomingMail");
	cr_assert_not_null(lp);
	cr_assert_str_eq(lp->interface, "Data 2");
	cr_assert_str_eq(lp->address, "::1");
	cr_assert_eq(lp->port, 2601);
	cr_assert_str_eq(lp->all_policy, "THROTTLED");
	cr_assert_eq(lp->sender_group_count, 2);
	cr_assert_str_eq(lp->sender_groups[0].name, "PARTNERS");
	cr_assert_str_eq(lp->sender_groups[0].policy, "STRICT");
	cr_assert_eq(lp->sender_groups[0].member_count, 2);
	cr_assert_str_eq(lp->sender_groups[0].members[1].text,
	    ".example.com");
	cr_assert_eq(lp->sender_groups[1].predefined, 0);
	pp = conf_policy_find(lp, "STRICT");
	cr_assert_not_null(pp);
	cr_assert_eq(pp->tls, CONF_TLS_REQUIRED);
	cr_assert_eq(pp->tls_verify_client, 1);
	cr_assert_eq(pp->max_rcpts_per_msg, 100, "inherited");
	cr_assert_not_null(conf_policy_find(lp, "TRUSTED"), "predefined");
	lp = conf_listener_find(cf, "Relay");
	cr_assert_eq(lp->type, CONF_LISTENER_PRIVATE);
	cr_assert_str_eq(lp->all_policy, "BLOCKED");
	cr_assert_null(conf_listener_find(cf, "relay"));
	conf_free(cf);
}

Test(conf_load, member_locations)
{
	struct conf *cf = load(full_yaml);
	const struct conf_sender_group *gp = &cf->listeners[0].sender_groups[1];

	/* members: [ "sbrs[-10.0:-2.0]", "dnslist[bl.example]" ] */
	cr_assert_str_eq(gp->members[0].loc.file, "t.yaml");
	cr_assert_eq(gp->members[0].loc.line, 46);
	cr_assert_eq(gp->members[0].loc.column, 21);
	cr_assert_eq(gp->members[1].loc.line, 46);
	cr_assert_eq(gp->members[1].loc.column, 41);
	cr_assert_eq(gp->policy_loc.line, 45);
	cr_assert_eq(gp->policy_loc.column, 17);
	cr_assert_eq(gp->loc.line, 44);
	cr_assert_eq(cf->sbrs.table[0].loc.line, 17);
	cr_assert_eq(cf->sbrs.table[0].loc.column, 13);
	cr_assert_eq(cf->dns.servers[2].loc.column, 39);
	conf_free(cf);
}

struct predef_case {
	const char *label;
	const char *yaml;
	const char *policies;		/* names, in order, space separated */
	const char *groups;
	const char *all_policy;
};

/* names - the names of an array of structs, space separated */

static void
names(struct buf *bp, const void *base, size_t count, size_t stride,
	size_t offset)
{
	size_t	i;

	buf_reset(bp);
	for (i = 0; i < count; i++) {
		if (i > 0)
			buf_putc(bp, ' ');
		buf_puts(bp, *(char *const *) ((const char *) base
		    + i * stride + offset));
	}
}

Test(conf_load, predefined_per_listener_type)
{
	static const struct predef_case cases[] = {
		{"public", "listeners: [ { name: L } ]\n",
			"TRUSTED BLOCKED THROTTLED ACCEPTED",
			"WHITELIST BLACKLIST SUSPECTLIST UNKNOWNLIST",
			"ACCEPTED"},
		{"blackhole", "listeners: [ { name: L, type: blackhole } ]\n",
			"TRUSTED BLOCKED THROTTLED ACCEPTED",
			"WHITELIST BLACKLIST SUSPECTLIST UNKNOWNLIST",
			"ACCEPTED"},
		{"private", "listeners: [ { name: L, type: private } ]\n",
			"RELAYED BLOCKED", "RELAYLIST", "BLOCKED"},
		{"user policy replaces predefined one",
			"listeners: [ { name: L, type: private, policies: "
			"{ BLOCKED: { connection: tcprefuse }, MINE: {} } } "
			"]\n",
			"BLOCKED MINE RELAYED", "RELAYLIST", "BLOCKED"},
		{"user groups replace predefined ones",
			"listeners: [ { name: L, sender_groups: [ { name: G, "
			"policy: TRUSTED, members: [1.2.3.4] } ] } ]\n",
			"TRUSTED BLOCKED THROTTLED ACCEPTED", "G", "ACCEPTED"},
		{"no groups at all",
			"listeners: [ { name: L, sender_groups: [], "
			"all_policy: "
			"THROTTLED } ]\n",
			"TRUSTED BLOCKED THROTTLED ACCEPTED", "", "THROTTLED"},
	};
	struct buf got;
	struct conf *cf;
	const struct conf_listener *lp;
	size_t	i;

	buf_init(&got, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cf = load(cases[i].yaml);
		lp = &cf->listeners[0];
		names(&got, lp->policies, lp->policy_count,
		    sizeof(lp->policies[0]),
		    offsetof(struct conf_policy, name));
		cr_expect_str_eq(buf_cstr(&got), cases[i].policies,
		    "%s: policies %s", cases[i].label, buf_cstr(&got));
		names(&got, lp->sender_groups, lp->sender_group_count,
		    sizeof(lp->sender_groups[0]),
		    offsetof(struct conf_sender_group, name));
		cr_expect_str_eq(buf_cstr(&got), cases[i].groups,
		    "%s: groups %s", cases[i].label, buf_cstr(&got));
		cr_expect_str_eq(lp->all_policy, cases[i].all_policy, "%s",
		    cases[i].label);
		conf_free(cf);
	}
	buf_fini(&got);
}

Test(conf_load, predefined_values)
{
	struct conf *cf = load("listeners: [ { name: L, default_policy: "
	    "{ max_rcpts_per_hour: 500 } } ]\n");
	const struct conf_listener *lp = &cf->listeners[0];
	const struct conf_policy *pp;
	const struct conf_sender_group *gp;

	pp = conf_policy_find(lp, "THROTTLED");
	cr_assert(pp->predefined);
	cr_assert_eq(pp->connection, CONF_CONN_ACCEPT);
	cr_assert_eq(pp->max_msgs_per_session, 10);
	cr_assert_eq(pp->max_rcpts_per_msg, 20);
	cr_assert_eq(pp->max_message_size, 1048576);
	cr_assert_eq(pp->max_concurrency, 10);
	cr_assert_eq(pp->max_rcpts_per_hour, 20);
	pp = conf_policy_find(lp, "TRUSTED");
	cr_assert_eq(pp->max_message_size, 104857600);
	cr_assert_eq(pp->max_rcpts_per_hour, -1);
	pp = conf_policy_find(lp, "ACCEPTED");
	cr_assert_eq(pp->max_concurrency, 1000);
	cr_assert_eq(pp->max_rcpts_per_hour, 500, "inherited");
	cr_assert_eq(conf_policy_find(lp, "BLOCKED")->connection,
	    CONF_CONN_REJECT);
	gp = &lp->sender_groups[1];
	cr_assert_str_eq(gp->name, "BLACKLIST");
	cr_assert_str_eq(gp->policy, "BLOCKED");
	cr_assert(gp->predefined);
	cr_assert_eq(gp->member_count, 1);
	cr_assert_str_eq(gp->members[0].text, "sbrs[-10.0:-3.0]");
	cr_assert_str_eq(gp->members[0].loc.file, "<predefined public>");
	cr_assert_eq(lp->sender_groups[0].member_count, 0);
	cr_assert_str_eq(lp->sender_groups[3].members[0].text,
	    "sbrs[-1.0:10.0]");
	conf_free(cf);
}

Test(conf_load, inheritance_marker)
{
	struct conf *cf = load("listeners:\n"
	    "  - name: L\n"
	    "    default_policy: { max_rcpts_per_msg: 7, reject_banner_text: "
	    "Go away }\n"
	    "    policies:\n"
	    "      P: { max_rcpts_per_msg: 9 }\n"
	    "      Q: {}\n");
	const struct conf_listener *lp = &cf->listeners[0];
	const struct conf_policy *p = conf_policy_find(lp, "P");
	const struct conf_policy *q = conf_policy_find(lp, "Q");

	cr_assert_eq(p->set, 1U << CONF_POLICY_max_rcpts_per_msg);
	cr_assert_eq(p->max_rcpts_per_msg, 9);
	cr_assert_eq(q->set, 0);
	cr_assert_eq(q->max_rcpts_per_msg, 7);
	cr_assert_str_eq(q->reject_banner_text, "Go away");
	cr_assert_str_eq(p->reject_banner_text, "Go away");
	cr_assert_eq(p->max_message_size, 10485760);
	cr_assert_eq(p->predefined, 0);
	cr_assert_eq(conf_policy_find(lp, "THROTTLED")->set
	    & (1U << CONF_POLICY_reject_banner_text), 0);
	conf_free(cf);
}

Test(conf_load, aliases_share_values)
{
	struct conf *cf = load("listeners:\n"
	    "  - name: L\n"
	    "    policies:\n"
	    "      A: &strict { tls: required, smtp_auth: required }\n"
	    "      B: *strict\n");
	const struct conf_policy *b = conf_policy_find(&cf->listeners[0], "B");

	cr_assert_eq(b->tls, CONF_TLS_REQUIRED);
	cr_assert_eq(b->smtp_auth, CONF_AUTH_REQUIRED);
	conf_free(cf);
}

Test(conf_load, from_a_file)
{
	char	path[] = "/tmp/conf_load_testXXXXXX";
	struct buf errors;
	struct conf *cf;
	FILE   *fp;
	int	fd;

	cr_assert_neq(fd = mkstemp(path), -1);
	cr_assert_not_null(fp = fdopen(fd, "w"));
	fputs("listeners:\n  - name: F\n    port: 2600\n", fp);
	fclose(fp);
	buf_init(&errors, 0);
	cf = conf_load_file(path, &errors);
	(void) unlink(path);
	cr_assert_not_null(cf, "%s", buf_cstr(&errors));
	cr_assert_str_eq(cf->file, path);
	cr_assert_str_eq(cf->listeners[0].loc.file, path);
	cr_assert_eq(cf->listeners[0].port, 2600);
	conf_free(cf);
	buf_fini(&errors);
}

Test(conf_load, dump_round_trips)
{
	static const char *const texts[] = {
		"",
		full_yaml,
		"listeners: [ { name: L, sender_groups: [] } ]\n",
		"listeners: [ { name: \"odd: name\", interface: \"#1\", "
		"default_policy: { smtp_banner_text: \"yes\" } } ]\n",
		"hostname: \"true\"\nuser: \"\"\n",
		"sbrs: { table: { \"2001:db8::/32\": 0.5 } }\n",
	};
	struct buf errors;
	struct conf *cf, *cf2;
	char   *dump1, *dump2;
	size_t	i;

	buf_init(&errors, 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cf = load(texts[i]);
		dump1 = conf_test_dump(cf);
		buf_reset(&errors);
		cf2 = conf_test_load(dump1, &errors);
		cr_assert_not_null(cf2, "text %zu: dump does not load: %s\n%s",
		    i, buf_cstr(&errors), dump1);
		dump2 = conf_test_dump(cf2);
		cr_expect_str_eq(dump1, dump2, "text %zu: round trip differs",
		    i);
		mem_free(dump1);
		mem_free(dump2);
		conf_free(cf);
		conf_free(cf2);
	}
	buf_fini(&errors);
}

Test(conf_load, dump_keeps_inheritance)
{
	struct conf *cf = load("listeners: [ { name: L, policies: "
	    "{ P: { tls: preferred } } } ]\n");
	char   *dump = conf_test_dump(cf);

	cr_assert_not_null(strstr(dump, "    policies:\n      P:\n"
	    "        tls: preferred\n    # predefined policies: TRUSTED"),
	    "%s", dump);
	cr_assert_not_null(strstr(dump, "    # predefined sender groups: "
	    "WHITELIST BLACKLIST SUSPECTLIST UNKNOWNLIST\n"));
	mem_free(dump);
	conf_free(cf);
}

Test(conf_load, null_values_read_as_empty)
{
	struct conf *cf = load("user: ~\nhostname: host\n"
	    "listeners: [ { name: L, hostname: null } ]\n");

	cr_assert_str_eq(cf->user, "");
	cr_assert_str_eq(cf->listeners[0].hostname, "");
	conf_free(cf);
	cf = load("user: \"~\"\n");
	cr_assert_str_eq(cf->user, "~", "a quoted ~ is text");
	conf_free(cf);
}

Test(conf_load, where_values_were_written)
{
	struct conf *cf = load(full_yaml);
	const struct conf_loc *loc;

	loc = conf_where(cf, &cf->listeners[0].port);
	cr_assert_not_null(loc);
	cr_assert_str_eq(loc->file, "t.yaml");
	cr_assert_eq(loc->line, 35);
	cr_assert_eq(loc->column, 11);
	loc = conf_where(cf, &conf_cert_find(cf, "mine")->key);
	cr_assert_not_null(loc);
	cr_assert_eq(loc->line, 20);
	cr_assert_null(conf_where(cf, &cf->listeners[1].address),
	    "a default was not written anywhere");
	cr_assert_null(conf_where(cf, &cf->limits.max_line));
	conf_free(cf);
}

Test(conf_load, many_destinations)
{
	struct buf yaml, errors;
	struct conf *cf;
	size_t	i;

	buf_init(&yaml, 0);
	buf_puts(&yaml, "destination_controls:\n  domains:\n");
	for (i = 0; i < 5000; i++)
		buf_printf(&yaml, "    d%zu.example: { max_concurrency: "
		    "%zu }\n", i, i % 1000 + 1);
	buf_puts(&yaml, "    D17.EXAMPLE: {}\n");
	buf_init(&errors, 0);
	cr_assert_null(conf_test_load(buf_cstr(&yaml), &errors));
	cr_assert_str_eq(buf_cstr(&errors), "t.yaml:5003:5: "
	    "destination_controls.domains.D17.EXAMPLE: duplicate destination "
	    "(first at 20:5)\n");
	buf_truncate(&yaml, yaml.len - strlen("    D17.EXAMPLE: {}\n"));
	buf_reset(&errors);
	cf = conf_test_load(buf_cstr(&yaml), &errors);
	cr_assert_not_null(cf, "%s", buf_cstr(&errors));
	cr_assert_eq(cf->dest.domain_count, 5000);
	cr_assert_eq(conf_dest_find(cf, "d4999.example")->max_concurrency,
	    1000);
	conf_free(cf);
	buf_fini(&yaml);
	buf_fini(&errors);
}

/*
 * Under AddressSanitizer, check that loading, overriding, dumping and
 * freeing (including failed loads) leak nothing: criterion's workers do
 * not run the leak checker at exit, so ask for it here.
 */
Test(conf_load, nothing_leaks)
{
	static const char *const texts[] = {
		full_yaml,
		"listeners: [ { name: In, port: 70000, prot: 1 } ]\n",
		"a: [1\n",
		"a: 1\n---\nb: 2\n",
	};
	struct buf errors;
	struct conf *cf;
	char   *dump;
	size_t	i;

	buf_init(&errors, 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cf = conf_test_load(texts[i], &errors);
		if (cf == NULL)
			continue;
		(void) conf_set(cf, "listeners[0].policies.TRUSTED.tls",
		    "required", &errors);
		(void) conf_set(cf, "listeners[0].certificate", "nope",
		    &errors);
		(void) conf_set(cf, "spool_dir", "/x", &errors);
		dump = conf_test_dump(cf);
		mem_free(dump);
		conf_free(cf);
	}
	conf_free(conf_load_default());
	buf_fini(&errors);
#if defined(__SANITIZE_ADDRESS__)
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "leaks: see the "
	    "report on standard error");
#endif
}
