/*
 * NAME
 *	policy_member_test - unit tests for policy/policy_member
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "str.h"
#include "policy.h"
#include "policy_member.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

 /*
  * A peer as a table row: address, verified host name (NULL: none), PTR
  * status, SenderBase state and score, and at most one listed zone.
  */
struct peer_row {
	const char *ip;
	const char *host;
	enum policy_ptr ptr;
	enum policy_sbrs sbrs_state;
	int	sbrs;
	const char *listed;
};

struct match_case {
	const char *label;
	const char *member;
	struct peer_row peer;
	int	want;
};

/* make_peer - fill a policy_peer from a table row */

static void
make_peer(const char *label, const struct peer_row *row,
    struct policy_peer *peer, const char **zones)
{
	memset(peer, 0, sizeof(*peer));
	cr_assert(policy_ip_parse(row->ip, &peer->ip), "%s: bad test IP %s",
	    label, row->ip);
	peer->hostname = row->host;
	peer->ptr = row->host ? POLICY_PTR_OK : row->ptr;
	peer->sbrs_state = row->sbrs_state;
	peer->sbrs = row->sbrs;
	zones[0] = row->listed;
	peer->dnslists = zones;
	peer->dnslist_count = row->listed ? 1 : 0;
}

#define IP	"192.0.2.1"
#define V4(ip)		{ip, NULL, POLICY_PTR_NONE, POLICY_SBRS_OFF, 0, NULL}
#define HOST(h)		{IP, h, POLICY_PTR_OK, POLICY_SBRS_OFF, 0, NULL}
#define PTR(p)		{IP, NULL, p, POLICY_SBRS_OFF, 0, NULL}
#define SCORE(s)	{IP, NULL, POLICY_PTR_NONE, POLICY_SBRS_SCORE, s, NULL}
#define SBRS(st)	{IP, NULL, POLICY_PTR_NONE, st, 0, NULL}
#define LISTED(z)	{IP, NULL, POLICY_PTR_NONE, POLICY_SBRS_OFF, 0, z}

Test(policy_member, match_table)
{
	static const struct match_case cases[] = {
		/* Full IPv4. */
		{"v4 exact", "10.1.2.3", V4("10.1.2.3"), 1},
		{"v4 exact other", "10.1.2.3", V4("10.1.2.4"), 0},
		{"v4 exact mapped peer", "10.1.2.3", V4("::ffff:10.1.2.3"), 1},
		{"v4 member v6 peer", "10.1.2.3", V4("2001:db8::1"), 0},
		{"v4 0.0.0.0", "0.0.0.0", V4("0.0.0.0"), 1},
		{"v4 broadcast", "255.255.255.255", V4("255.255.255.255"), 1},
		/* Partial IPv4. */
		{"prefix3 dot low", "10.1.2.", V4("10.1.2.0"), 1},
		{"prefix3 dot high", "10.1.2.", V4("10.1.2.255"), 1},
		{"prefix3 dot above", "10.1.2.", V4("10.1.3.0"), 0},
		{"prefix3 dot below", "10.1.2.", V4("10.1.1.255"), 0},
		{"prefix3", "10.1.2", V4("10.1.2.77"), 1},
		{"prefix3 no", "10.1.2", V4("10.1.20.77"), 0},
		{"prefix2 dot high", "10.1.", V4("10.1.255.255"), 1},
		{"prefix2 dot above", "10.1.", V4("10.2.0.0"), 0},
		{"prefix2", "10.1", V4("10.1.0.0"), 1},
		{"prefix1 dot", "10.", V4("10.255.255.255"), 1},
		{"prefix1 dot above", "10.", V4("11.0.0.0"), 0},
		{"prefix1", "10", V4("10.0.0.1"), 1},
		{"prefix1 not suffix", "10", V4("1.0.0.10"), 0},
		/* IPv4 ranges. */
		{"range4 low", "10.1.2.3-9", V4("10.1.2.3"), 1},
		{"range4 high", "10.1.2.3-9", V4("10.1.2.9"), 1},
		{"range4 below", "10.1.2.3-9", V4("10.1.2.2"), 0},
		{"range4 above", "10.1.2.3-9", V4("10.1.2.10"), 0},
		{"range3 dot low", "10.1.2-5.", V4("10.1.2.0"), 1},
		{"range3 dot high", "10.1.2-5.", V4("10.1.5.255"), 1},
		{"range3 dot above", "10.1.2-5.", V4("10.1.6.0"), 0},
		{"range3 dot below", "10.1.2-5.", V4("10.1.1.255"), 0},
		{"range3", "10.1.2-5", V4("10.1.4.4"), 1},
		{"range2 dot", "10.1-3.", V4("10.3.255.255"), 1},
		{"range2 dot above", "10.1-3.", V4("10.4.0.0"), 0},
		{"range2 below", "10.1-3", V4("10.0.255.255"), 0},
		{"range1 dot", "10-11.", V4("11.255.255.255"), 1},
		{"range1 dot above", "10-11.", V4("12.0.0.0"), 0},
		{"range1 below", "10-11", V4("9.255.255.255"), 0},
		/* IPv4 CIDR. */
		{"cidr /8 top", "10/8", V4("10.255.255.255"), 1},
		{"cidr /8 next", "10/8", V4("11.0.0.0"), 0},
		{"cidr /16", "10.1/16", V4("10.1.200.1"), 1},
		{"cidr /16 next", "10.1/16", V4("10.2.0.0"), 0},
		{"cidr /24", "10.1.2/24", V4("10.1.2.255"), 1},
		{"cidr /24 next", "10.1.2/24", V4("10.1.3.0"), 0},
		{"cidr /25 in", "10.1.2.0/25", V4("10.1.2.127"), 1},
		{"cidr /25 out", "10.1.2.0/25", V4("10.1.2.128"), 0},
		{"cidr /32", "10.1.2.3/32", V4("10.1.2.3"), 1},
		{"cidr /32 other", "10.1.2.3/32", V4("10.1.2.4"), 0},
		{"cidr /0 v4", "0.0.0.0/0", V4("203.0.113.9"), 1},
		{"cidr /0 v6 peer", "0.0.0.0/0", V4("2001:db8::1"), 0},
		/* IPv6. */
		{"v6 exact", "2001:db8::1", V4("2001:db8::1"), 1},
		{"v6 zeros", "2001:0db8:0000::0001", V4("2001:db8::1"), 1},
		{"v6 upper", "2001:DB8::A", V4("2001:db8::a"), 1},
		{"v6 other", "2001:db8::1", V4("2001:db8::2"), 0},
		{"v6 member v4 peer", "2001:db8::1", V4("10.0.0.1"), 0},
		{"v6 range full in", "2001:db8::1-2001:db8::ff",
		V4("2001:db8::ff"), 1},
		{"v6 range full above", "2001:db8::1-2001:db8::ff",
		V4("2001:db8::100"), 0},
		{"v6 range full below", "2001:db8::1-2001:db8::ff",
		V4("2001:db8::"), 0},
		{"v6 range group", "2001:db8::1-ff", V4("2001:db8::80"), 1},
		{"v6 range group above", "2001:db8::1-ff", V4("2001:db8::100"),
		0},
		{"v6 range mid group hi", "2001:db8:0-1::5",
		V4("2001:db8:1::5"), 1},
		{"v6 range mid group between", "2001:db8:0-1::5",
		V4("2001:db8:0:ffff::"), 1},
		{"v6 range mid group above", "2001:db8:0-1::5",
		V4("2001:db8:1::6"), 0},
		{"v6 cidr top", "2001:db8::/32",
		V4("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), 1},
		{"v6 cidr next", "2001:db8::/32", V4("2001:db9::"), 0},
		{"v6 cidr /0", "::/0", V4("::1"), 1},
		{"v6 cidr /0 v4 peer", "::/0", V4("192.0.2.1"), 0},
		{"v6 cidr /128", "fe80::1/128", V4("fe80::1"), 1},
		{"v6 mapped cidr", "::ffff:10.0.0.0/104", V4("10.1.2.3"), 1},
		{"v6 mapped cidr other", "::ffff:10.0.0.0/104",
		V4("11.1.2.3"), 0},
		/* Host names: verified only. */
		{"host exact", "mail.example.com", HOST("mail.example.com"), 1},
		{"host case", "mail.example.com", HOST("MAIL.Example.COM"), 1},
		{"host root dot", "mail.example.com", HOST("mail.example.com."),
		1},
		{"host member dot", "mail.example.com.",
		HOST("mail.example.com"), 1},
		{"host unverified", "mail.example.com",
		PTR(POLICY_PTR_MISMATCH), 0},
		{"host subdomain", "mail.example.com",
		HOST("x.mail.example.com"), 0},
		{"partial one", ".example.com", HOST("a.example.com"), 1},
		{"partial two", ".example.com", HOST("a.b.EXAMPLE.com"), 1},
		{"partial apex", ".example.com", HOST("example.com"), 0},
		{"partial lookalike", ".example.com", HOST("badexample.com"),
		0},
		{"partial unverified", ".example.com", PTR(POLICY_PTR_NONE), 0},
		/* SenderBase. */
		{"sbrs low end", "SBRS[-10:-3]", SCORE(-100), 1},
		{"sbrs high end", "SBRS[-10:-3]", SCORE(-30), 1},
		{"sbrs above", "SBRS[-10:-3]", SCORE(-29), 0},
		{"sbrs no score", "SBRS[-10:-3]", SBRS(POLICY_SBRS_NONE), 0},
		{"sbrs off", "SBRS[-10:10]", SBRS(POLICY_SBRS_OFF), 0},
		{"sbrs decimals low", "sbrs[-1.4:2.0]", SCORE(-14), 1},
		{"sbrs decimals high", "sbrs[-1.4:2.0]", SCORE(20), 1},
		{"sbrs decimals above", "sbrs[-1.4:2.0]", SCORE(21), 0},
		{"sbrs decimals below", "sbrs[-1.4:2.0]", SCORE(-15), 0},
		{"sbrs none", "SBRS[none]", SBRS(POLICY_SBRS_NONE), 1},
		{"sbrs none scored", "SBRS[none]", SCORE(0), 0},
		{"sbrs none off", "SBRS[none]", SBRS(POLICY_SBRS_OFF), 0},
		{"sbrs none case", "Sbrs[NONE]", SBRS(POLICY_SBRS_NONE), 1},
		/* DNS lists. */
		{"dnslist listed", "dnslist[zen.example.org]",
		LISTED("zen.example.org"), 1},
		{"dnslist case dot", "dnslist[zen.example.org]",
		LISTED("ZEN.example.org."), 1},
		{"dnslist other zone", "dnslist[zen.example.org]",
		LISTED("other.example.org"), 0},
		{"dnslist not listed", "dnslist[zen.example.org]",
		V4("192.0.2.1"), 0},
		/* ALL. */
		{"all v4", "ALL", V4("192.0.2.1"), 1},
		{"all v6", "all", V4("2001:db8::1"), 1},
		/* Patterns over the verified name. */
		{"regex match", "/^mx[0-9]+\\.example\\.com$/",
		HOST("mx12.example.com"), 1},
		{"regex caseless", "/^mx[0-9]+\\.example\\.com$/",
		HOST("MX1.EXAMPLE.COM"), 1},
		{"regex no", "/^mx[0-9]+\\.example\\.com$/",
		HOST("mx.example.com"), 0},
		{"regex unverified", "/example/", PTR(POLICY_PTR_MISMATCH), 0},
		{"regex unanchored", "/dyn|dhcp/", HOST("1-2-3-4.dyn.isp.net"),
		1},
		/* Connecting host DNS verification. */
		{"ptr none", "ptr:none", PTR(POLICY_PTR_NONE), 1},
		{"ptr none vs tempfail", "ptr:none", PTR(POLICY_PTR_TEMPFAIL),
		0},
		{"ptr none verified", "ptr:none", HOST("a.example.com"), 0},
		{"ptr tempfail", "ptr:tempfail", PTR(POLICY_PTR_TEMPFAIL), 1},
		{"ptr mismatch", "PTR:Mismatch", PTR(POLICY_PTR_MISMATCH), 1},
		{"ptr mismatch vs none", "ptr:mismatch", PTR(POLICY_PTR_NONE),
		0},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct buf *err = buf_new(64);
		struct policy_member *mp;
		struct policy_peer peer;
		const char *zones[1];

		mp = policy_member_parse(cases[i].member, NULL, err);
		cr_assert(mp != NULL, "%s: parse %s: %s", cases[i].label,
		    cases[i].member, buf_cstr(err));
		make_peer(cases[i].label, &cases[i].peer, &peer, zones);
		cr_expect_eq(policy_member_match(mp, &peer), cases[i].want,
		    "%s: %s against %s", cases[i].label, cases[i].member,
		    cases[i].peer.host ? cases[i].peer.host : cases[i].peer.ip);
		policy_member_free(mp);
		buf_free(err);
	}
}

struct text_case {
	const char *label;
	const char *member;
	const char *want;
};

Test(policy_member, log_text_table)
{
	static const struct text_case cases[] = {
		{"sbrs one decimal", "SBRS[-1.4:2]", "sbrs[-1.4:2.0]"},
		{"sbrs integers", "sbrs[-10:10]", "sbrs[-10.0:10.0]"},
		{"sbrs below one", "SBRS[-0.5:0.5]", "sbrs[-0.5:0.5]"},
		{"sbrs plus", "SBRS[+3:+4]", "sbrs[3.0:4.0]"},
		{"sbrs zero", "SBRS[-0:0]", "sbrs[0.0:0.0]"},
		{"sbrs none", "SBRS[None]", "sbrs[none]"},
		{"all", "all", "ALL"},
		{"prefix as written", "10.1.2.", "10.1.2."},
		{"trimmed", "  10.1.2.3\t", "10.1.2.3"},
		{"cidr as written", "10.1/16", "10.1/16"},
		{"dnslist", "DNSLIST[Zen.Example.ORG]",
		"dnslist[Zen.Example.ORG]"},
		{"partial as written", ".Example.com", ".Example.com"},
		{"host as written", "Mail.Example.com", "Mail.Example.com"},
		{"ptr", "PTR:NONE", "ptr:none"},
		{"v6 as written", "2001:DB8::1", "2001:DB8::1"},
		{"regex", "/^a/", "/^a/"},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct buf *err = buf_new(64);
		struct policy_member *mp;

		mp = policy_member_parse(cases[i].member, NULL, err);
		cr_assert(mp != NULL, "%s: %s", cases[i].label, buf_cstr(err));
		cr_expect_str_eq(policy_member_text(mp), cases[i].want, "%s",
		    cases[i].label);
		policy_member_free(mp);
		buf_free(err);
	}
}

struct error_case {
	const char *label;
	const char *member;
	const char *want;		/* whole diagnostic line */
};

Test(policy_member, parse_errors_table)
{
	static const struct policy_loc loc = {"hat.yaml", 7, 5};
	static const struct error_case cases[] = {
		{"empty", "", "hat.yaml:7:5: sender group member \"\": "
		"empty member"},
		{"octet range", "300.1.1.1", "hat.yaml:7:5: sender group "
		"member \"300.1.1.1\": IPv4 octet 300 is out of range 0-255"},
		{"second octet", "10.300.1.1", "hat.yaml:7:8: sender group "
		"member \"10.300.1.1\": IPv4 octet 300 is out of range 0-255"},
		{"cidr 33", "10.0.0.0/33", "hat.yaml:7:14: sender group member "
		"\"10.0.0.0/33\": CIDR prefix length \"33\" is not a number "
		"from 0 to 32"},
		{"cidr empty", "10.0.0.0/", "hat.yaml:7:14: sender group "
		"member \"10.0.0.0/\": CIDR prefix length \"\" is not a "
		"number from 0 to 32"},
		{"cidr host bits", "10.1.2.3/8", "hat.yaml:7:5: sender group "
		"member \"10.1.2.3/8\": address has bits set beyond the "
		"prefix length (did you mean 10.0.0.0/8?)"},
		{"five octets", "1.2.3.4.5", "hat.yaml:7:13: sender group "
		"member \"1.2.3.4.5\": more than 4 octets in an IPv4 address"},
		{"trailing dot", "1.2.3.4.", "hat.yaml:7:12: sender group "
		"member \"1.2.3.4.\": trailing dot after a full IPv4 address"},
		{"empty octet", "10..1", "hat.yaml:7:8: sender group member "
		"\"10..1\": expected a number"},
		{"range not last", "10.1-3.4", "hat.yaml:7:12: sender group "
		"member \"10.1-3.4\": a range must be the last octet given"},
		{"range reversed", "10.9-3", "hat.yaml:7:10: sender group "
		"member \"10.9-3\": IPv4 range is reversed (low end first)"},
		{"four digits", "1000.1.1.1", "hat.yaml:7:5: sender group "
		"member \"1000.1.1.1\": IPv4 octet has more than 3 digits"},
		{"range no end", "10.1.2.3-", "hat.yaml:7:14: sender group "
		"member \"10.1.2.3-\": expected a number"},
		{"cidr range", "10.1-2/16", "hat.yaml:7:9: sender group member "
		"\"10.1-2/16\": a CIDR block cannot contain a range"},
		{"sbrs reversed", "SBRS[5:1]", "hat.yaml:7:10: sender group "
		"member \"SBRS[5:1]\": SBRS range is reversed (low score "
		"first)"},
		{"sbrs low range", "SBRS[-11:1]", "hat.yaml:7:10: sender group "
		"member \"SBRS[-11:1]\": SBRS score -11 is out of range -10.0 "
		"to 10.0"},
		{"sbrs high range", "SBRS[1:10.5]", "hat.yaml:7:12: sender "
		"group member \"SBRS[1:10.5]\": SBRS score 10.5 is out of "
		"range -10.0 to 10.0"},
		{"sbrs two decimals", "SBRS[1.25:2]", "hat.yaml:7:10: sender "
		"group member \"SBRS[1.25:2]\": SBRS score \"1.25\" is not a "
		"number with at most one decimal"},
		{"sbrs space", "SBRS[1: 2]", "hat.yaml:7:12: sender group "
		"member \"SBRS[1: 2]\": space, control or non-ASCII "
		"character"},
		{"sbrs words", "SBRS[abc]", "hat.yaml:7:10: sender group "
		"member \"SBRS[abc]\": SBRS needs [low:high] or [none]"},
		{"sbrs unclosed", "SBRS[1:2", "hat.yaml:7:13: sender group "
		"member \"SBRS[1:2\": missing \"]\" at the end of SBRS[...]"},
		{"dnslist empty", "dnslist[]", "hat.yaml:7:13: sender group "
		"member \"dnslist[]\": bad DNS list zone: empty name"},
		{"dnslist label", "dnslist[bad..zone]", "hat.yaml:7:17: sender "
		"group member \"dnslist[bad..zone]\": bad DNS list zone: "
		"empty label"},
		{"ptr unknown", "ptr:maybe", "hat.yaml:7:9: sender group "
		"member \"ptr:maybe\": expected ptr:none, ptr:tempfail or "
		"ptr:mismatch"},
		{"regex class", "/[a-/", "hat.yaml:7:9: sender group member "
		"\"/[a-/\": bad pattern: missing terminating ] for character "
		"class"},
		{"regex paren", "/(abc/", "hat.yaml:7:10: sender group member "
		"\"/(abc/\": bad pattern: missing closing parenthesis"},
		{"regex empty", "//", "hat.yaml:7:7: sender group member "
		"\"//\": a pattern is written /regex/ and may not be empty"},
		{"host empty label", "mail..example.com", "hat.yaml:7:10: "
		"sender group member \"mail..example.com\": not an address or "
		"host name: empty label"},
		{"host hyphen", "-bad.example.com", "hat.yaml:7:5: sender "
		"group member \"-bad.example.com\": not an address or host "
		"name: label starts with '-'"},
		{"host space", "host name", "hat.yaml:7:9: sender group member "
		"\"host name\": space, control or non-ASCII character"},
		{"host non-ascii", "h\xc3\xa9.example", "hat.yaml:7:6: sender "
		"group member \"h\xc3\xa9.example\": space, control or "
		"non-ASCII character"},
		{"v6 bad", "2001:db8::g", "hat.yaml:7:5: sender group member "
		"\"2001:db8::g\": not a valid IPv6 address"},
		{"v6 cidr 129", "2001:db8::/129", "hat.yaml:7:16: sender group "
		"member \"2001:db8::/129\": CIDR prefix length \"129\" is "
		"not a number from 0 to 128"},
		{"v6 host bits", "2001:db8::1/64", "hat.yaml:7:5: sender group "
		"member \"2001:db8::1/64\": address has bits set beyond the "
		"prefix length (did you mean 2001:db8::/64?)"},
		{"v6 range reversed", "2001:db8::ff-1", "hat.yaml:7:18: sender "
		"group member \"2001:db8::ff-1\": IPv6 range is reversed (low "
		"end first)"},
		{"v6 range no group", "2001:db8::-5", "hat.yaml:7:15: sender "
		"group member \"2001:db8::-5\": an IPv6 range needs a hex "
		"group or an address before \"-\""},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct buf *err = buf_new(64);
		struct policy_member *mp;

		mp = policy_member_parse(cases[i].member, &loc, err);
		cr_expect(mp == NULL, "%s: %s parsed", cases[i].label,
		    cases[i].member);
		cr_expect_str_eq(buf_cstr(err), cases[i].want, "%s",
		    cases[i].label);
		policy_member_free(mp);
		buf_free(err);
	}
}

Test(policy_member, long_names)
{
	static const struct policy_loc loc = {"hat.yaml", 1, 1};
	struct buf *name = buf_new(300);
	struct buf *err = buf_new(64);
	struct policy_member *mp;
	int	i;

	/* A 63-byte label is fine, 64 is not. */
	for (i = 0; i < 63; i++)
		buf_putc(name, 'a');
	buf_puts(name, ".example");
	mp = policy_member_parse(buf_cstr(name), &loc, err);
	cr_expect_not_null(mp, "%s", buf_cstr(err));
	policy_member_free(mp);
	buf_reset(name);
	for (i = 0; i < 64; i++)
		buf_putc(name, 'a');
	buf_puts(name, ".example");
	cr_expect_null(policy_member_parse(buf_cstr(name), &loc, err));
	cr_expect(strstr(buf_cstr(err), "hat.yaml:1:1: ") == buf_cstr(err));
	cr_expect(strstr(buf_cstr(err), ": not an address or host name: "
	    "label longer than 63 bytes") != NULL, "%s", buf_cstr(err));

	/* 253 bytes is the longest name. */
	buf_reset(name);
	buf_reset(err);
	for (i = 0; i < 126; i++)
		buf_puts(name, "a.");
	buf_puts(name, "b");
	cr_assert_eq(name->len, 253);
	mp = policy_member_parse(buf_cstr(name), &loc, err);
	cr_expect_not_null(mp, "%s", buf_cstr(err));
	policy_member_free(mp);
	buf_puts(name, "c");
	cr_expect_null(policy_member_parse(buf_cstr(name), &loc, err));
	cr_expect(strstr(buf_cstr(err), "hat.yaml:1:254: ") == buf_cstr(err),
	    "%s", buf_cstr(err));
	cr_expect(strstr(buf_cstr(err), "name longer than 253 bytes") != NULL);
	buf_free(name);
	buf_free(err);
}

Test(policy_member, error_without_location)
{
	struct buf *err = buf_new(64);

	cr_assert_null(policy_member_parse("300.1.1.1", NULL, err));
	cr_expect_str_eq(buf_cstr(err), "sender group member \"300.1.1.1\": "
	    "IPv4 octet 300 is out of range 0-255");
	buf_free(err);
}

struct same_case {
	const char *label;
	const char *a;
	const char *b;
	int	want;
};

Test(policy_member, same_table)
{
	static const struct same_case cases[] = {
		{"address vs /32", "10.1.2.3", "10.1.2.3/32", 1},
		{"prefix vs cidr", "10.1.2.", "10.1.2.0/24", 1},
		{"prefix dot vs none", "10.1.2.", "10.1.2", 1},
		{"host case and dot", "Mail.Example.com", "mail.example.com.",
		1},
		{"sbrs spelling", "SBRS[-1:2]", "sbrs[-1.0:2.0]", 1},
		{"all", "ALL", "all", 1},
		{"v6 spelling", "2001:db8::1", "2001:0DB8:0::1", 1},
		{"other address", "10.1.2.3", "10.1.2.4", 0},
		{"host vs partial", "example.com", ".example.com", 0},
		{"ptr kinds", "ptr:none", "ptr:tempfail", 0},
		{"same pattern", "/^a/", "/^a/", 1},
		{"pattern case matters to the text", "/^a/", "/^A/", 0},
		{"sbrs vs none", "SBRS[none]", "SBRS[-1:1]", 0},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct buf *err = buf_new(64);
		struct policy_member *a = policy_member_parse(cases[i].a, NULL,
		    err);
		struct policy_member *b = policy_member_parse(cases[i].b, NULL,
		    err);
		const char *bar;

		cr_assert(a && b, "%s: %s", cases[i].label, buf_cstr(err));
		cr_expect_eq(policy_member_same(a, b), cases[i].want, "%s",
		    cases[i].label);
		/* Equal keys (ignoring case) exactly when the same. */
		buf_reset(err);
		policy_member_key(a, err);
		buf_putc(err, '|');
		policy_member_key(b, err);
		bar = strchr(buf_cstr(err), '|');
		cr_expect_eq(str_caseeq(str_make(err->data,
		    (size_t) (bar - err->data)), str_from(bar + 1)),
		    cases[i].want, "%s: key", cases[i].label);
		policy_member_free(a);
		policy_member_free(b);
		buf_free(err);
	}
}

Test(policy_member, regex_limits_fail_closed)
{
	struct buf *err = buf_new(64);
	struct policy_member *mp;
	struct policy_peer peer;
	char	host[64];

	/* Nested quantifiers: exponential backtracking on a near miss. */
	mp = policy_member_parse("/^(a|aa)+$/", NULL, err);
	cr_assert_not_null(mp, "%s", buf_cstr(err));
	memset(host, 'a', 60);
	host[60] = '!';
	host[61] = 0;
	memset(&peer, 0, sizeof(peer));
	cr_assert(policy_ip_parse("192.0.2.1", &peer.ip));
	peer.hostname = host;
	cr_expect_eq(policy_member_match(mp, &peer), POLICY_ERROR);
	policy_member_free(mp);
	buf_free(err);
}

Test(policy_member, dnslist_and_sbrs_accessors)
{
	struct buf *err = buf_new(64);
	struct policy_member *a = policy_member_parse("dnslist[z.example.]",
	    NULL, err);
	struct policy_member *b = policy_member_parse("SBRS[none]", NULL, err);
	struct policy_member *c = policy_member_parse("10.", NULL, err);

	cr_assert(a && b && c, "%s", buf_cstr(err));
	cr_expect_str_eq(policy_member_dnslist(a), "z.example");
	cr_expect_null(policy_member_dnslist(b));
	cr_expect(policy_member_uses_sbrs(b));
	cr_expect(!policy_member_uses_sbrs(a));
	cr_expect(!policy_member_uses_sbrs(c));
	policy_member_free(a);
	policy_member_free(b);
	policy_member_free(c);
	buf_free(err);
}

struct sbrs_text_case {
	enum policy_sbrs state;
	int	sbrs;
	const char *want;
};

Test(policy_peer, sbrs_text_table)
{
	static const struct sbrs_text_case cases[] = {
		{POLICY_SBRS_OFF, 0, "not enabled"},
		{POLICY_SBRS_NONE, 0, "None"},
		{POLICY_SBRS_SCORE, -11, "-1.1"},
		{POLICY_SBRS_SCORE, -5, "-0.5"},
		{POLICY_SBRS_SCORE, 0, "0.0"},
		{POLICY_SBRS_SCORE, 27, "2.7"},
		{POLICY_SBRS_SCORE, 100, "10.0"},
		{POLICY_SBRS_SCORE, -100, "-10.0"},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_peer peer;
		struct buf *out = buf_new(16);

		memset(&peer, 0, sizeof(peer));
		peer.sbrs_state = cases[i].state;
		peer.sbrs = cases[i].sbrs;
		policy_peer_sbrs_text(&peer, out);
		cr_expect_str_eq(buf_cstr(out), cases[i].want, "%s",
		    cases[i].want);
		buf_free(out);
	}
}

struct ip_case {
	const char *label;
	const char *text;
	int	ok;
	int	family;
	const char *formatted;
};

Test(policy_member, ip_parse_format_table)
{
	static const struct ip_case cases[] = {
		{"v4", "192.0.2.1", 1, AF_INET, "192.0.2.1"},
		{"v6", "2001:DB8:0::1", 1, AF_INET6, "2001:db8::1"},
		{"mapped", "::ffff:192.0.2.1", 1, AF_INET, "192.0.2.1"},
		{"v4 partial", "192.0.2", 0, 0, NULL},
		{"name", "example.com", 0, 0, NULL},
		{"v6 junk", "2001:db8::zz", 0, 0, NULL},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_ip ip;
		struct buf *out = buf_new(64);

		cr_expect_eq(policy_ip_parse(cases[i].text, &ip), cases[i].ok,
		    "%s", cases[i].label);
		if (cases[i].ok) {
			cr_expect_eq(ip.family, cases[i].family, "%s",
			    cases[i].label);
			policy_ip_format(&ip, out);
			cr_expect_str_eq(buf_cstr(out), cases[i].formatted,
			    "%s", cases[i].label);
		}
		buf_free(out);
	}
}

Test(policy_member, ip_from_sockaddr)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	struct sockaddr sa;
	struct policy_ip ip;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	cr_assert(inet_pton(AF_INET, "198.51.100.7", &sin.sin_addr) == 1);
	cr_assert(policy_ip_from_sockaddr(&ip, (struct sockaddr *) &sin));
	cr_expect_eq(ip.family, AF_INET);
	cr_expect_eq(ip.addr[3], 7);

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	cr_assert(inet_pton(AF_INET6, "::ffff:198.51.100.8",
	    &sin6.sin6_addr) == 1);
	cr_assert(policy_ip_from_sockaddr(&ip, (struct sockaddr *) &sin6));
	cr_expect_eq(ip.family, AF_INET, "mapped address unmapped");
	cr_expect_eq(ip.addr[3], 8);

	cr_assert(inet_pton(AF_INET6, "2001:db8::9", &sin6.sin6_addr) == 1);
	cr_assert(policy_ip_from_sockaddr(&ip, (struct sockaddr *) &sin6));
	cr_expect_eq(ip.family, AF_INET6);
	cr_expect_eq(ip.addr[15], 9);

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	cr_expect(!policy_ip_from_sockaddr(&ip, &sa));
}

/* fuzz_next - small deterministic generator (xorshift32) */

static unsigned
fuzz_next(unsigned *state)
{
	unsigned x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return (*state = x);
}

 /*
  * Junk in, no crash out: random member texts built from the bytes and
  * keywords the parser cares about must either compile or be refused
  * with a message, and what compiles must match without harm. Run under
  * the sanitizers this is the overflow test of the parser.
  */
Test(policy_member, random_input_never_crashes)
{
	static const char *const pieces[] = {
		"0", "1", "9", "25", "255", "256", "300", ".", "..", "-", "/",
		":", "::", "ff", "FFFF", "g", "SBRS[", "sbrs[", "none", "]",
		"[", "dnslist[", "ptr:", "ALL", "x", "example", "com", "*",
		"(", ")", "+", "?", "\\", "$", "^", " ", "\t", "\xff", "_",
		"10.1.2.3", "2001:db8::", "/32", "/128", "-10", "10.0", ":-",
	};
	static const char *const hosts[] = {"a.example.com", "x", NULL};
	unsigned state = 2463534242u;
	int	round, parsed = 0;

	for (round = 0; round < 30000; round++) {
		struct buf *text = buf_new(64);
		struct buf *err = buf_new(64);
		struct policy_member *mp;
		unsigned n = fuzz_next(&state) % 8, k;

		for (k = 0; k < n; k++)
			buf_puts(text, pieces[fuzz_next(&state)
			    % NCASES(pieces)]);
		mp = policy_member_parse(buf_cstr(text), NULL, err);
		if (mp == NULL) {
			cr_assert(err->len > 0, "no message for \"%s\"",
			    buf_cstr(text));
		} else {
			struct policy_peer peer;
			const char *zones[1] = {"example"};

			parsed++;
			cr_assert_not_null(policy_member_text(mp));
			memset(&peer, 0, sizeof(peer));
			cr_assert(policy_ip_parse(round & 1 ? "10.1.2.3" :
			    "2001:db8::1", &peer.ip));
			peer.hostname = hosts[round % 3];
			peer.ptr = peer.hostname ? POLICY_PTR_OK :
			    POLICY_PTR_NONE;
			peer.sbrs_state = (enum policy_sbrs) (round % 3);
			peer.sbrs = (int) (fuzz_next(&state) % 201) - 100;
			peer.dnslists = zones;
			peer.dnslist_count = 1;
			(void) policy_member_match(mp, &peer);
		}
		policy_member_free(mp);
		buf_free(text);
		buf_free(err);
	}
	cr_expect(parsed > 100, "the generator reaches valid members (%d)",
	    parsed);
}
