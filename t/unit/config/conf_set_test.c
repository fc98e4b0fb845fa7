/*
 * NAME
 *	conf_set_test - single-parameter overrides ("mtad -o name=value")
 * DESCRIPTION
 *	Each case applies one assignment to the same base configuration
 *	and checks the result code, the exact error, and either the new
 *	value (as the dump shows it) or that nothing changed at all.
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"

#include "conf.h"
#include "conf_test_util.h"

static const char base_yaml[] =
    "listeners:\n"
    "  - name: In\n"
    "    port: 2601\n"
    "    policies:\n"
    "      P: { max_rcpts_per_msg: 9 }\n"
    "  - name: Out\n"
    "    port: 2602\n"
    "    type: private\n"
    "certificates:\n"
    "  mine: { cert: /m.crt, key: /m.key }\n"
    "bounce_profiles:\n"
    "  Fast: { max_retries: 3 }\n"
    "destination_controls:\n"
    "  domains:\n"
    "    example.com: { tls: required }\n";

struct set_case {
	const char *label;
	const char *assignment;
	int	ok;
	const char *want;		/* ok: in the dump; else: the error */
};

static const struct set_case cases[] = {
	{"global path", "spool_dir=/tmp/x", 1, "spool_dir: /tmp/x\n"},
	{"nested global", "log.syslog.enabled=true", 1,
		"  syslog:\n    enabled: true\n"},
	{"size with suffix", "log.rotate_size=1G", 1, "rotate_size: 1G\n"},
	{"listener by index", "listeners[0].port=2600", 1, "port: 2600\n"},
	{"listener by name", "listeners[Out].port=2700", 1, "port: 2700\n"},
	{"default policy", "listeners[0].default_policy.tls=preferred", 1,
		"      tls: preferred\n"},
	{"named policy", "listeners[In].policies.P.tls=required", 1,
		"      P:\n        max_rcpts_per_msg: 9\n        tls: "
		"required\n"},
	{"predefined policy", "listeners[0].policies.TRUSTED.max_rcpts_per_msg"
		"=5", 1, "      TRUSTED:\n        connection: accept\n"
		"        max_msgs_per_session: 1000\n"
		"        max_rcpts_per_msg: 5\n"},
	{"sender group", "listeners[1].sender_groups[0].policy=BLOCKED", 1,
		"      -\n        name: RELAYLIST\n        policy: BLOCKED\n"},
	{"certificate", "certificates.mine.key=/n.key", 1, "key: /n.key\n"},
	{"bounce profile", "bounce_profiles.Fast.max_retries=7", 1,
		"max_retries: 7\n"},
	{"destination default", "destination_controls.default.tls=preferred",
		1, "  default:\n    max_concurrency: 500\n"},
	{"destination with dots", "destination_controls.domains.example.com."
		"dane=mandatory", 1, "    example.com:\n      tls: required\n"
		"      dane: mandatory\n"},
	{"listener certificate", "listeners[0].certificate=mine", 1,
		"certificate: mine\n"},
	{"out of range", "listeners[0].port=70000", 0,
		"-o: listeners[0].port: 70000 is out of range 1..65535\n"},
	{"bad enum", "log.dialect=old", 0,
		"-o: log.dialect: \"old\" is not one of modern or asyncos4\n"},
	{"relative path", "spool_dir=x", 0,
		"-o: spool_dir: \"x\" is not an absolute path\n"},
	{"unknown parameter", "spool_dri=/x", 0,
		"-o: spool_dri: unknown parameter (did you mean "
		"\"spool_dir\"?)\n"},
	{"unknown listener parameter", "listeners[0].prot=1", 0,
		"-o: listeners[0].prot: unknown parameter (did you mean "
		"\"port\"?)\n"},
	{"no such listener", "listeners[5].port=1", 0,
		"-o: listeners[5].port: no such listener\n"},
	{"no such listener name", "listeners[Nope].port=1", 0,
		"-o: listeners[Nope].port: no such listener\n"},
	{"no such policy", "listeners[0].policies.X.tls=off", 0,
		"-o: listeners[0].policies.X.tls: no policy \"X\"\n"},
	{"no such certificate", "certificates.x.key=/k", 0,
		"-o: certificates.x.key: no such certificate\n"},
	{"undefined certificate", "listeners[0].certificate=nope", 0,
		"-o: listeners[0].certificate: undefined certificate "
		"\"nope\"\n"},
	{"undefined policy", "listeners[0].all_policy=NOPE", 0,
		"-o: listeners[0].all_policy: undefined policy \"NOPE\"\n"},
	{"constraint", "bounce_profiles.Default.initial_retry=2h", 0,
		"-o: bounce_profiles.Default.initial_retry: 7200s is longer "
		"than "
		"max_retry (3600s)\n"},
	{"port clash", "listeners[1].port=2601", 0,
		"-o: listeners[1].port: address 127.0.0.1 port 2601 is already "
		"used by listeners[0]\n"},
	{"listener type", "listeners[0].type=private", 0,
		"-o: listeners[0].type: cannot be overridden; change it in the "
		"file\n"},
	{"no equals sign", "spool_dir", 0,
		"-o: \"spool_dir\": expected NAME=VALUE\n"},
	{"empty name", "=x", 0, "-o: \"=x\": expected NAME=VALUE\n"},
};

Test(conf_set, table)
{
	struct buf errors;
	struct conf *cf;
	char   *before, *after;
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&errors, 0);
		cf = conf_test_load(base_yaml, &errors);
		cr_assert_not_null(cf, "%s", buf_cstr(&errors));
		before = conf_test_dump(cf);
		rc = conf_set_option(cf, cases[i].assignment, &errors);
		after = conf_test_dump(cf);
		if (cases[i].ok) {
			cr_expect_eq(rc, 0, "%s: %s", cases[i].label,
			    buf_cstr(&errors));
			cr_expect_not_null(strstr(after, cases[i].want),
			    "%s: not in dump:\n%s", cases[i].label, after);
			cr_expect_str_neq(before, after, "%s: unchanged",
			    cases[i].label);
		} else {
			cr_expect_eq(rc, -1, "%s: accepted", cases[i].label);
			cr_expect_str_eq(buf_cstr(&errors), cases[i].want,
			    "%s: got %s", cases[i].label, buf_cstr(&errors));
			cr_expect_str_eq(before, after, "%s: changed on error",
			    cases[i].label);
		}
		mem_free(before);
		mem_free(after);
		conf_free(cf);
		buf_fini(&errors);
	}
}

Test(conf_set, default_policy_change_reaches_inheritors)
{
	struct buf errors;
	struct conf *cf;
	const struct conf_listener *lp;

	buf_init(&errors, 0);
	cf = conf_test_load(base_yaml, &errors);
	cr_assert_eq(conf_set(cf, "listeners[0].default_policy.max_concurrency",
	    "77", &errors), 0, "%s", buf_cstr(&errors));
	lp = &cf->listeners[0];
	cr_assert_eq(lp->default_policy.max_concurrency, 77);
	cr_assert_eq(conf_policy_find(lp, "P")->max_concurrency, 77);
	cr_assert_eq(conf_policy_find(lp, "BLOCKED")->max_concurrency, 77);
	cr_assert_eq(conf_policy_find(lp, "TRUSTED")->max_concurrency, 1000,
	    "TRUSTED sets its own");
	cr_assert_eq(conf_set(cf, "destination_controls.default.max_rcpts",
	    "100", &errors), 0);
	cr_assert_eq(conf_dest_find(cf, "example.com")->max_rcpts, 100);
	cr_assert_eq(conf_set(cf, "listeners[0].policies.P.max_concurrency",
	    "3", &errors), 0);
	cr_assert(conf_policy_find(lp, "P")->set
	    & (1U << CONF_POLICY_max_concurrency));
	cr_assert_eq(conf_set(cf, "listeners[0].sender_groups[2].policy",
	    "P", &errors), 0);
	cr_assert_str_eq(lp->sender_groups[2].policy_loc.file, "-o");
	cr_assert_eq(lp->sender_groups[2].predefined, 0);
	cr_assert_eq(lp->sender_groups[0].predefined, 0);
	conf_free(cf);
	buf_fini(&errors);
}

Test(conf_set, string_values_and_locations)
{
	struct buf errors;
	struct conf *cf;

	buf_init(&errors, 0);
	cf = conf_load_default();
	cr_assert_eq(conf_set(cf, "log.syslog.target", "tcp:127.0.0.1:601",
	    &errors), 0, "%s", buf_cstr(&errors));
	cr_assert_str_eq(cf->log.syslog.target, "tcp:127.0.0.1:601");
	cr_assert_str_eq(cf->log.syslog.target_loc.file, "-o");
	cr_assert_eq(conf_set(cf, "listeners[0].interface", "Data 2",
	    &errors), 0);
	cr_assert_str_eq(cf->listeners[0].interface, "Data 2");
	cr_assert_eq(conf_set(cf, "log.syslog.target", "tcp:nowhere",
	    &errors), -1);
	cr_assert_str_eq(cf->log.syslog.target, "tcp:127.0.0.1:601");
	cr_assert_eq(conf_set(cf, "hostname", "mx.example", &errors), 0);
	cr_assert_str_eq(cf->hostname, "mx.example");
	cr_assert_eq(conf_set(cf, "hostname", "", &errors), 0);
	cr_assert_str_neq(cf->hostname, "", "empty means the machine's");
	conf_free(cf);
	buf_fini(&errors);
}
