/*
 * NAME
 *	hat_test - sender groups and mail flow policies, against a real mtad
 * DESCRIPTION
 *	Clients connect from different loopback addresses (127/8 is all
 *	ours), with PTR records, DNS list entries and SenderBase scores
 *	served by the instance's own unbound and SBRS table, and the test
 *	reads which sender group the HAT chose from the mail log line
 *	"ICID n ACCEPT SG <group> match <rule> SBRS <score>".
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(hat, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

static const char hat_zone[] =
    "local-data-ptr: \"127.0.0.2 mail.good.test.\"\n"
    "local-data: \"mail.good.test. A 127.0.0.2\"\n"
    "local-data-ptr: \"127.0.0.3 mx1.host.test.\"\n"
    "local-data: \"mx1.host.test. A 127.0.0.3\"\n"
    "local-data-ptr: \"127.0.0.6 re42.test.\"\n"
    "local-data: \"re42.test. A 127.0.0.6\"\n"
    "local-data-ptr: \"127.0.0.7 liar.host.test.\"\n"
    "local-data: \"liar.host.test. A 127.0.0.99\"\n"
    "local-data: \"4.0.0.127.bl.test. A 127.0.0.2\"\n";

static const char hat_groups[] =
    "sender_groups:\n"
    "  - name: EXACT\n    policy: P\n"
    "    members: [\"127.0.0.10\", \"127.0.1.1\"]\n"
    "  - name: CIDR\n    policy: P\n    members: [\"127.0.1.0/24\"]\n"
    "  - name: RANGE\n    policy: P\n    members: [\"127.0.2.5-9\"]\n"
    "  - name: PARTIAL\n    policy: P\n    members: [\"127.0.3.\"]\n"
    "  - name: HOST\n    policy: P\n    members: [\"mail.good.test\"]\n"
    "  - name: DOMAIN\n    policy: P\n    members: [\".host.test\"]\n"
    "  - name: REGEX\n    policy: P\n    members: [\"/^re[0-9]+\\\\.test$/\"]\n"
    "  - name: BAD\n    policy: P\n    members: [\"SBRS[-10.0:-3.0]\"]\n"
    "  - name: LISTED\n    policy: P\n    members: [\"dnslist[bl.test]\"]\n"
    "all_policy: P\n"
    "policies:\n  P:\n    connection: accept\n";

/* hat_ends_with - does a log line end with text */

static int
hat_ends_with(const char *line, const char *text)
{
	size_t	ll = strlen(line);
	size_t	tl = strlen(text);

	return (ll >= tl && strcmp(line + ll - tl, text) == 0);
}

struct hat_case {
	const char *label;
	const char *source;
	const char *want;
};

Test(hat, each_member_kind_and_first_match)
{
	static const struct hat_case cases[] = {
		{"exact address", "127.0.0.10",
		"ACCEPT SG EXACT match 127.0.0.10 SBRS None"},
		{"first group wins over a later CIDR", "127.0.1.1",
		"ACCEPT SG EXACT match 127.0.1.1 SBRS None"},
		{"CIDR", "127.0.1.7", "ACCEPT SG CIDR match 127.0.1.0/24 SBRS None"},
		{"range", "127.0.2.6", "ACCEPT SG RANGE match 127.0.2.5-9 SBRS None"},
		{"outside the range", "127.0.2.10",
		"ACCEPT SG None match ALL SBRS None"},
		{"partial address", "127.0.3.44",
		"ACCEPT SG PARTIAL match 127.0.3. SBRS None"},
		{"verified host name", "127.0.0.2",
		"ACCEPT SG HOST match mail.good.test SBRS None"},
		{"verified domain", "127.0.0.3",
		"ACCEPT SG DOMAIN match .host.test SBRS None"},
		{"regex on the verified name", "127.0.0.6",
		"ACCEPT SG REGEX match /^re[0-9]+\\.test$/ SBRS None"},
		{"unverified name never matches", "127.0.0.7",
		"ACCEPT SG None match ALL SBRS None"},
		{"SenderBase score", "127.0.0.5",
		"ACCEPT SG BAD match sbrs[-10.0:-3.0] SBRS -5.0"},
		{"DNS list", "127.0.0.4",
		"ACCEPT SG LISTED match dnslist[bl.test] SBRS None"},
	};
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	size_t	i;

	spec.zone = hat_zone;
	spec.listener = hat_groups;
	spec.top = "sbrs:\n  table:\n    \"127.0.0.5\": -5.0\n";
	mi = mtad_start(&spec);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *out;
		const char *line;
		int	status;

		out = mtad_swaks(mi, &status, "--li %s --quit-after EHLO",
		    cases[i].source);
		cr_expect_eq(status, 0, "%s: swaks:\n%s", cases[i].label, out);
		(void) mtad_wait_text(mi, tsup_strf("address %s reverse",
		    cases[i].source));
		line = mtad_wait_text(mi, cases[i].want);
		cr_expect(hat_ends_with(line, cases[i].want), "%s: %s",
		    cases[i].label, line);
	}
	cr_expect_eq(mtad_log_count(mi, "address 127.0.0.7 reverse dns host "
	    "liar.host.test verified no$"), 1, "mismatch logged unverified");
	cr_expect_eq(mtad_log_count(mi, "address 127.0.0.2 reverse dns host "
	    "mail.good.test verified yes$"), 1);
	mtad_stop(mi);
}

Test(hat, reject_and_tcprefuse)
{
	struct mtad_spec spec = {0};
	struct mtad_inst *mi;
	struct tsup_smtp *c;
	const char *out;
	int	status;

	spec.listener = "sender_groups:\n"
	    "  - name: NOPE\n    policy: BLOCKED\n    members: [\"127.0.0.20\"]\n"
	    "  - name: GONE\n    policy: SHUT\n    members: [\"127.0.0.21\"]\n"
	    "policies:\n  SHUT:\n    connection: tcprefuse\n"
	    "  BLOCKED:\n    connection: reject\n"
	    "    reject_banner_text: \"go away $RemoteIP\"\n";
	mi = mtad_start(&spec);
	out = mtad_swaks(mi, &status, "--li 127.0.0.20 --to a@example.com");
	cr_expect(strstr(out, "<** 554 go away 127.0.0.20") != NULL, "%s", out);
	cr_expect_neq(status, 0);
	(void) mtad_wait_log(mi, "ICID [0-9]+ REJECT SG NOPE match 127.0.0.20 "
	    "SBRS not enabled$");

	out = mtad_swaks(mi, &status, "--li 127.0.0.21 --to a@example.com");
	cr_expect_neq(status, 0, "%s", out);
	(void) mtad_wait_log(mi, "ICID 0 TCPREFUSE SG GONE match 127.0.0.21 "
	    "SBRS not enabled$");
	cr_expect_eq(mtad_queued(mi), 0);

	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	tsup_smtp_close(c);
	mtad_stop(mi);
}
