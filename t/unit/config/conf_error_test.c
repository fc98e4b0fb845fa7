/*
 * NAME
 *	conf_error_test - every class of configuration error, exactly
 * DESCRIPTION
 *	Each case is a YAML text and the complete error output it must
 *	produce: the place (t.yaml:LINE:COLUMN), the parameter path and
 *	the reason, one line per problem, all problems reported.
 */
#include "config.h"

#include <criterion/criterion.h>

#include "buf.h"

#include "conf.h"
#include "conf_test_util.h"

struct error_case {
	const char *label;
	const char *yaml;
	const char *want;
};

static const struct error_case cases[] = {
	{"int out of range",
		"listeners:\n"
		"  - name: In\n"
		"    port: 70000\n",
		"t.yaml:3:11: listeners[0].port: 70000 is out of range "
		"1..65535\n"},
	{"int below range",
		"processes: { listeners: 0 }\n",
		"t.yaml:1:25: processes.listeners: 0 is out of range 1..64\n"},
	{"not an integer",
		"limits:\n  max_line: lots\n",
		"t.yaml:2:13: limits.max_line: \"lots\" is not an integer\n"},
	{"bad size suffix",
		"log: { rotate_size: 10X }\n",
		"t.yaml:1:21: log.rotate_size: \"10X\" is not a size (a number "
		"with an optional K, M or G suffix)\n"},
	{"size out of range",
		"listeners:\n"
		"  - name: In\n"
		"    default_policy: { max_message_size: 2G }\n",
		"t.yaml:3:41: listeners[0].default_policy.max_message_size: 2G "
		"is out of range 1K..1G\n"},
	{"bad duration",
		"limits: { command_timeout: 5x }\n",
		"t.yaml:1:28: limits.command_timeout: \"5x\" is not a duration "
		"(a number with an optional s, m, h or d suffix)\n"},
	{"negative duration",
		"dns: { timeout: -5s }\n",
		"t.yaml:1:17: dns.timeout: \"-5s\" is not a duration (a number "
		"with an optional s, m, h or d suffix)\n"},
	{"duration out of range",
		"dns: { timeout: 1h }\n",
		"t.yaml:1:17: dns.timeout: 1h is out of range 1s..5m\n"},
	{"bad boolean",
		"log:\n  syslog:\n    enabled: yes please\n",
		"t.yaml:3:14: log.syslog.enabled: \"yes please\" is not a "
		"boolean (true or false)\n"},
	{"bad enum word",
		"log: { dialect: modrn }\n",
		"t.yaml:1:17: log.dialect: \"modrn\" is not one of modern or "
		"asyncos4\n"},
	{"bad enum in policy",
		"listeners:\n"
		"  - name: In\n"
		"    policies:\n"
		"      MINE: { tls: maybe }\n",
		"t.yaml:4:20: listeners[0].policies.MINE.tls: \"maybe\" is not "
		"one of off, preferred or required\n"},
	{"relative path",
		"spool_dir: spool\n",
		"t.yaml:1:12: spool_dir: \"spool\" is not an absolute path\n"},
	{"empty path",
		"spool_dir: \"\"\n",
		"t.yaml:1:13: spool_dir: must not be empty\n"},
	{"bad address",
		"listeners:\n  - name: In\n    address: localhost\n",
		"t.yaml:3:14: listeners[0].address: \"localhost\" is not a "
		"numeric IPv4 or IPv6 address\n"},
	{"string too long",
		"log: { syslog: { name: "
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" } }\n",
		"t.yaml:1:25: log.syslog.name: is 49 bytes long, more than "
		"48\n"},
	{"unknown key with suggestion",
		"listeners:\n  - name: In\n    prot: 25\n",
		"t.yaml:3:5: listeners[0].prot: unknown key (did you mean "
		"\"port\"?)\n"},
	{"unknown key in section",
		"log:\n  sylog: {}\n",
		"t.yaml:2:3: log.sylog: unknown key (did you mean "
		"\"syslog\"?)\n"},
	{"unknown key without suggestion",
		"frobnicate: 1\n",
		"t.yaml:1:1: frobnicate: unknown key\n"},
	{"unknown top-level close to a section",
		"listener: []\n",
		"t.yaml:1:1: listener: unknown key (did you mean "
		"\"listeners\"?)\n"},
	{"duplicate key",
		"spool_dir: /a\nspool_dir: /b\n",
		"t.yaml:2:1: spool_dir: duplicate key (first given at 1:1)\n"},
	{"duplicate key in listener",
		"listeners:\n"
		"  - name: In\n"
		"    port: 25\n"
		"    port: 26\n",
		"t.yaml:4:5: listeners[0].port: duplicate key (first given at "
		"3:5)\n"},
	{"duplicate policy name",
		"listeners:\n"
		"  - name: In\n"
		"    policies:\n"
		"      P: {}\n"
		"      P: {}\n",
		"t.yaml:5:7: listeners[0].policies.P: duplicate key (first "
		"given at 4:7)\n"},
	{"scalar where a mapping is wanted",
		"log: loud\n",
		"t.yaml:1:6: log: expected a mapping, found a scalar\n"},
	{"mapping where a scalar is wanted",
		"spool_dir: { a: 1 }\n",
		"t.yaml:1:14: spool_dir: expected a scalar, found a mapping\n"},
	{"listeners not a sequence",
		"listeners: { name: In }\n",
		"t.yaml:1:14: listeners: expected a sequence, found a "
		"mapping\n"},
	{"root not a mapping",
		"- a\n- b\n",
		"t.yaml:1:3: expected a mapping, found a sequence\n"},
	{"missing required key",
		"listeners:\n  - port: 25\n",
		"t.yaml:2:5: listeners[0]: missing required key \"name\"\n"},
	{"certificate without key",
		"certificates:\n  mine: { cert: /a.pem }\n",
		"t.yaml:2:3: certificates.mine: missing required key "
		"\"key\"\n"},
	{"duplicate listener name",
		"listeners:\n"
		"  - name: In\n"
		"    port: 25\n"
		"  - name: In\n"
		"    port: 26\n",
		"t.yaml:4:11: listeners[1].name: duplicate listener name "
		"\"In\" "
		"(first at 2:5)\n"},
	{"two listeners on one port",
		"listeners:\n"
		"  - name: A\n"
		"    port: 2600\n"
		"  - name: B\n"
		"    port: 2600\n",
		"t.yaml:5:11: listeners[1].port: address 127.0.0.1 port 2600 "
		"is "
		"already used by listeners[0]\n"},
	{"undefined policy in sender group",
		"listeners:\n"
		"  - name: In\n"
		"    sender_groups:\n"
		"      - name: G\n"
		"        policy: TRUSTD\n"
		"        members: [10.0.0.0/8]\n",
		"t.yaml:5:17: listeners[0].sender_groups[0].policy: undefined "
		"policy \"TRUSTD\"\n"},
	{"undefined all_policy",
		"listeners:\n  - name: In\n    all_policy: NOPE\n",
		"t.yaml:3:17: listeners[0].all_policy: undefined policy "
		"\"NOPE\"\n"},
	{"undefined certificate",
		"listeners:\n  - name: In\n    certificate: mine\n",
		"t.yaml:3:18: listeners[0].certificate: undefined certificate "
		"\"mine\"\n"},
	{"undefined outbound certificate",
		"destination_controls: { certificate: out }\n",
		"t.yaml:1:38: destination_controls.certificate: undefined "
		"certificate \"out\"\n"},
	{"undefined bounce profile",
		"destination_controls:\n"
		"  domains:\n"
		"    example.com: { bounce_profile: Fast }\n",
		"t.yaml:3:36: destination_controls.domains.example.com."
		"bounce_profile: undefined bounce profile \"Fast\"\n"},
	{"duplicate sender group",
		"listeners:\n"
		"  - name: In\n"
		"    sender_groups:\n"
		"      - { name: G, policy: TRUSTED, members: [] }\n"
		"      - { name: G, policy: BLOCKED, members: [] }\n",
		"t.yaml:5:17: listeners[0].sender_groups[1].name: duplicate "
		"sender group name \"G\" (first at 4:11)\n"},
	{"ALL as a sender group",
		"listeners:\n"
		"  - name: In\n"
		"    sender_groups:\n"
		"      - { name: ALL, policy: TRUSTED, members: [] }\n",
		"t.yaml:4:17: listeners[0].sender_groups[0].name: ALL is the "
		"implicit last group; set all_policy instead\n"},
	{"empty member",
		"listeners:\n"
		"  - name: In\n"
		"    sender_groups:\n"
		"      - { name: G, policy: TRUSTED, members: [\"\"] }\n",
		"t.yaml:4:48: listeners[0].sender_groups[0].members[0]: must "
		"not be empty\n"},
	{"bad policy name",
		"listeners:\n  - name: In\n    policies:\n      \"9x\": {}\n",
		"t.yaml:4:8: listeners[0].policies.9x: bad policy name (a "
		"letter or _, then letters, digits, _ or -)\n"},
	{"retry schedule inverted",
		"bounce_profiles:\n"
		"  Default: { initial_retry: 2h, max_retry: 1h }\n",
		"t.yaml:2:29: bounce_profiles.Default.initial_retry: 7200s is "
		"longer than max_retry (3600s)\n"},
	{"tls versions not contiguous",
		"tls: { inbound: { versions: tls1.0 tls1.2 } }\n",
		"t.yaml:1:29: tls.inbound.versions: tls1.0 and tls1.2 are "
		"enabled but tls1.1 is not: the enabled versions must be "
		"contiguous\n"},
	{"tls versions not known",
		"tls:\n  outbound:\n    versions: tls1.2, sslv3\n",
		"t.yaml:3:15: tls.outbound.versions: \"sslv3\" is not a TLS "
		"version (tls1.0, tls1.1, tls1.2, tls1.3)\n"},
	{"tls versions empty",
		"tls:\n  https:\n    versions: \" , \"\n",
		"t.yaml:3:16: tls.https.versions: enables no TLS version\n"},
	{"tls cipher list matches nothing",
		"tls:\n  outbound:\n    ciphers: NOSUCH:ALSONOT\n",
		"t.yaml:3:14: tls.outbound.ciphers: \"NOSUCH:ALSONOT\" names "
		"no cipher OpenSSL knows\n"},
	{"bad destination",
		"destination_controls:\n  domains:\n    \"a b\": {}\n",
		"t.yaml:3:6: destination_controls.domains.a b: \"a b\" is not "
		"a "
		"domain, .domain or [address]\n"},
	{"duplicate destination ignoring case",
		"destination_controls:\n"
		"  domains:\n"
		"    example.com: {}\n"
		"    EXAMPLE.com: {}\n",
		"t.yaml:4:5: destination_controls.domains.EXAMPLE.com: "
		"duplicate "
		"destination (first at 3:5)\n"},
	{"bad syslog target",
		"log: { syslog: { target: \"udp:host\" } }\n",
		"t.yaml:1:27: log.syslog.target: \"udp:host\" is not a socket "
		"path, udp:HOST:PORT or tcp:HOST:PORT\n"},
	{"bad dns server",
		"dns: { servers: [\"127.0.0.1:99999\"] }\n",
		"t.yaml:1:19: dns.servers[0]: \"127.0.0.1:99999\" is not "
		"ADDRESS, IPV4:PORT or [IPV6]:PORT\n"},
	{"sbrs score out of range",
		"sbrs: { table: { \"192.0.2.0/24\": -11 } }\n",
		"t.yaml:1:34: sbrs.table.192.0.2.0/24: -11 is out of range "
		"-10.0..10.0\n"},
	{"sbrs score not a number",
		"sbrs: { table: { \"192.0.2.1\": high } }\n",
		"t.yaml:1:31: sbrs.table.192.0.2.1: \"high\" is not a "
		"number\n"},
	{"yaml syntax error",
		"a: [1\nb: 2\n",
		"t.yaml:3:1: yaml: flow sequence without a closing bracket\n"},
	{"yaml tab indentation",
		"log:\n\tkeep: 3\n",
		"t.yaml:2:1: yaml: tab character may not be used as "
		"indentation\n"},
	{"two documents",
		"user: a\n---\nuser: b\n",
		"t.yaml:2:1: yaml: a second document; the configuration is one "
		"document\n"},
	{"null where an integer is wanted",
		"limits:\n  max_line:\n",
		"t.yaml:2:3: limits.max_line: \"\" is not an integer\n"},
	{"unknown key in a destination entry",
		"destination_controls:\n  domains:\n"
		"    example.com: { tsl: none }\n",
		"t.yaml:3:20: destination_controls.domains.example.com.tsl: "
		"unknown key (did you mean \"tls\"?)\n"},
	{"dotted key",
		"log.keep: 3\n",
		"t.yaml:1:1: log.keep: unknown key (write dotted names as "
		"nested mappings)\n"},
	{"several errors, in file order",
		"listeners:\n"
		"  - name: In\n"
		"    certificate: nope\n"
		"    port: 0\n"
		"spool_dir: x\n",
		"t.yaml:3:18: listeners[0].certificate: undefined certificate "
		"\"nope\"\n"
		"t.yaml:4:11: listeners[0].port: 0 is out of range 1..65535\n"
		"t.yaml:5:12: spool_dir: \"x\" is not an absolute path\n"},
};

Test(conf_error, table)
{
	struct buf errors;
	struct conf *cf;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&errors, 0);
		cf = conf_test_load(cases[i].yaml, &errors);
		cr_expect_null(cf, "%s: loaded", cases[i].label);
		cr_expect_str_eq(buf_cstr(&errors), cases[i].want,
		    "%s: got\n%s", cases[i].label, buf_cstr(&errors));
		conf_free(cf);
		buf_fini(&errors);
	}
}

Test(conf_error, missing_file)
{
	struct buf errors;

	buf_init(&errors, 0);
	cr_assert_null(conf_load_file("/nonexistent/mtad.yaml", &errors));
	cr_assert_str_eq(buf_cstr(&errors), "/nonexistent/mtad.yaml: cannot "
	    "open: No such file or directory\n");
	buf_fini(&errors);
}
