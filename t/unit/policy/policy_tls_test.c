/*
 * NAME
 *	policy_tls_test - unit tests for policy/policy_tls
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "str.h"
#include "policy_tls.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

struct outcome_case {
	enum policy_tls_level level;
	enum policy_tls_event event;
	enum policy_tls_action action;
	enum policy_tls_reason reason;
};

#define L_DEF	POLICY_TLS_DEFAULT
#define L_NO	POLICY_TLS_NONE
#define L_PREF	POLICY_TLS_PREFERRED
#define L_REQ	POLICY_TLS_REQUIRED
#define L_PV	POLICY_TLS_PREFERRED_VERIFY
#define L_RV	POLICY_TLS_REQUIRED_VERIFY
#define E_NONE	POLICY_TLS_EV_NO_STARTTLS
#define E_REF	POLICY_TLS_EV_STARTTLS_REFUSED
#define E_HS	POLICY_TLS_EV_HANDSHAKE_FAILED
#define E_UNV	POLICY_TLS_EV_CERT_UNVERIFIED
#define E_VER	POLICY_TLS_EV_CERT_VERIFIED
#define CLEAR	POLICY_TLS_CLEAR
#define SECURE	POLICY_TLS_SECURE
#define DEFER	POLICY_TLS_DEFER

 /*
  * Every cell of the delivery table (esa-behaviour 4.3), plus "Default"
  * which must behave as None once unresolved.
  */
Test(policy_tls, outcome_every_cell)
{
	static const struct outcome_case cases[] = {
		{L_NO, E_NONE, CLEAR, POLICY_TLS_R_NOT_WANTED},
		{L_NO, E_REF, CLEAR, POLICY_TLS_R_REFUSED},
		{L_NO, E_HS, DEFER, POLICY_TLS_R_HANDSHAKE},
		{L_NO, E_UNV, SECURE, POLICY_TLS_R_NOT_CHECKED},
		{L_NO, E_VER, SECURE, POLICY_TLS_R_NOT_CHECKED},
		{L_DEF, E_NONE, CLEAR, POLICY_TLS_R_NOT_WANTED},
		{L_DEF, E_REF, CLEAR, POLICY_TLS_R_REFUSED},
		{L_DEF, E_HS, DEFER, POLICY_TLS_R_HANDSHAKE},
		{L_DEF, E_UNV, SECURE, POLICY_TLS_R_NOT_CHECKED},
		{L_DEF, E_VER, SECURE, POLICY_TLS_R_NOT_CHECKED},
		{L_PREF, E_NONE, CLEAR, POLICY_TLS_R_NOT_OFFERED},
		{L_PREF, E_REF, CLEAR, POLICY_TLS_R_REFUSED},
		{L_PREF, E_HS, DEFER, POLICY_TLS_R_HANDSHAKE},
		{L_PREF, E_UNV, SECURE, POLICY_TLS_R_NOT_CHECKED},
		{L_PREF, E_VER, SECURE, POLICY_TLS_R_NOT_CHECKED},
		{L_REQ, E_NONE, DEFER, POLICY_TLS_R_NOT_OFFERED},
		{L_REQ, E_REF, DEFER, POLICY_TLS_R_REFUSED},
		{L_REQ, E_HS, DEFER, POLICY_TLS_R_HANDSHAKE},
		{L_REQ, E_UNV, SECURE, POLICY_TLS_R_NOT_CHECKED},
		{L_REQ, E_VER, SECURE, POLICY_TLS_R_NOT_CHECKED},
		{L_PV, E_NONE, CLEAR, POLICY_TLS_R_NOT_OFFERED},
		{L_PV, E_REF, CLEAR, POLICY_TLS_R_REFUSED},
		{L_PV, E_HS, DEFER, POLICY_TLS_R_HANDSHAKE},
		{L_PV, E_UNV, SECURE, POLICY_TLS_R_UNVERIFIED},
		{L_PV, E_VER, SECURE, POLICY_TLS_R_VERIFIED},
		{L_RV, E_NONE, DEFER, POLICY_TLS_R_NOT_OFFERED},
		{L_RV, E_REF, DEFER, POLICY_TLS_R_REFUSED},
		{L_RV, E_HS, DEFER, POLICY_TLS_R_HANDSHAKE},
		{L_RV, E_UNV, DEFER, POLICY_TLS_R_UNVERIFIED},
		{L_RV, E_VER, SECURE, POLICY_TLS_R_VERIFIED},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		enum policy_tls_reason reason = (enum policy_tls_reason) -1;
		enum policy_tls_action action;

		action = policy_tls_outcome(cases[i].level, cases[i].event,
		    &reason);
		cr_expect_eq(action, cases[i].action, "%s x event %d: action",
		    policy_tls_level_name(cases[i].level), cases[i].event);
		cr_expect_eq(reason, cases[i].reason, "%s x event %d: reason",
		    policy_tls_level_name(cases[i].level), cases[i].event);
		cr_expect_not_null(policy_tls_reason_text(reason));
	}
}

struct level_case {
	const char *text;
	int	ok;
	enum policy_tls_level level;
	int	attempt;
	int	required;
	int	verifies;
	const char *name;
};

Test(policy_tls, level_table)
{
	static const struct level_case cases[] = {
		{"default", 1, L_DEF, 0, 0, 0, "default"},
		{"None", 1, L_NO, 0, 0, 0, "none"},
		{"no", 1, L_NO, 0, 0, 0, "none"},
		{"preferred", 1, L_PREF, 1, 0, 0, "preferred"},
		{"REQUIRED", 1, L_REQ, 1, 1, 0, "required"},
		{"preferred-verify", 1, L_PV, 1, 0, 1, "preferred-verify"},
		{"Preferred - Verify", 1, L_PV, 1, 0, 1, "preferred-verify"},
		{"required_verify", 1, L_RV, 1, 1, 1, "required-verify"},
		{"Required - Verify", 1, L_RV, 1, 1, 1, "required-verify"},
		{"mandatory", 0, L_NO, 0, 0, 0, NULL},
		{"", 0, L_NO, 0, 0, 0, NULL},
		{"required-verify-and-then-some-more-words-to-overflow", 0,
		L_NO, 0, 0, 0, NULL},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		enum policy_tls_level level = L_NO;

		cr_expect_eq(policy_tls_level_parse(cases[i].text, &level),
		    cases[i].ok, "parse \"%s\"", cases[i].text);
		if (!cases[i].ok)
			continue;
		cr_expect_eq(level, cases[i].level, "%s", cases[i].text);
		cr_expect_eq(policy_tls_attempt(level), cases[i].attempt,
		    "attempt %s", cases[i].text);
		cr_expect_eq(policy_tls_level_required(level),
		    cases[i].required, "required %s", cases[i].text);
		cr_expect_eq(policy_tls_level_verifies(level),
		    cases[i].verifies, "verifies %s", cases[i].text);
		cr_expect_str_eq(policy_tls_level_name(level), cases[i].name,
		    "name %s", cases[i].text);
	}
}

struct name_case {
	const char *label;
	const char *pattern;
	size_t	pattern_len;		/* 0: strlen */
	const char *ref;
	int	want;
};

Test(policy_tls, name_match_table)
{
	static const struct name_case cases[] = {
		{"wildcard one label", "*.example.com", 0, "a.example.com", 1},
		{"wildcard case", "*.EXAMPLE.com", 0, "A.example.COM", 1},
		{"wildcard two labels", "*.example.com", 0, "a.b.example.com",
		0},
		{"wildcard apex", "*.example.com", 0, "example.com", 0},
		{"wildcard empty label", "*.example.com", 0, ".example.com", 0},
		{"wildcard lookalike", "*.example.com", 0, "a.badexample.com",
		0},
		{"star alone", "*", 0, "com", 0},
		{"star alone two", "*", 0, "example.com", 0},
		{"star dot tld", "*.com", 0, "example.com", 0},
		{"star no dot", "*example.com", 0, "www.example.com", 0},
		{"partial prefix", "f*.example.com", 0, "foo.example.com", 0},
		{"partial suffix", "*o.example.com", 0, "foo.example.com", 0},
		{"partial middle", "f*o.example.com", 0, "foo.example.com", 0},
		{"star not leftmost", "a.*.example.com", 0, "a.b.example.com",
		0},
		{"two stars", "*.*.example.com", 0, "a.b.example.com", 0},
		{"exact", "example.com", 0, "example.com", 1},
		{"exact case", "Example.COM", 0, "example.com", 1},
		{"pattern root dot", "example.com.", 0, "example.com", 1},
		{"ref root dot", "example.com", 0, "example.com.", 1},
		{"wildcard root dot", "*.example.com.", 0, "a.example.com", 1},
		{"exact vs sub", "example.com", 0, "www.example.com", 0},
		{"sub vs exact", "www.example.com", 0, "example.com", 0},
		{"wildcard reference", "*.example.com", 0, "*.example.com", 0},
		{"embedded NUL", "example.com\0.evil.net", 21, "example.com",
		0},
		{"space", "exa mple.com", 0, "exa mple.com", 0},
		{"empty", "", 0, "", 0},
		{"two-label suffix (no PSL)", "*.co.uk", 0, "example.co.uk", 1},
		{"A-label", "xn--bcher-kva.example", 0, "XN--BCHER-KVA.example",
		1},
		{"wildcard over A-label", "*.example.net", 0,
		"xn--bcher-kva.example.net", 1},
		{"wildcard needs two labels", "*.example", 0, "a.example", 0},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct str pat = cases[i].pattern_len ?
		    str_make(cases[i].pattern, cases[i].pattern_len) :
		    str_from(cases[i].pattern);

		cr_expect_eq(policy_tls_name_match(pat, str_from(cases[i].ref)),
		    cases[i].want, "%s", cases[i].label);
	}
}

struct cert_case {
	const char *label;
	const char *san[3];
	const char *cn;
	const char *refs[3];
	int	flags;
	int	want;
	size_t	ref;
	int	from_cn;
	size_t	san_index;
};

Test(policy_tls, cert_match_table)
{
	static const struct cert_case cases[] = {
		{"mx via wildcard SAN", {"mx.provider.net", "*.example.com"},
			"legacy.example.org",
			{"example.com", "mx1.example.com"},
		0, 1, 1, 0, 1},
		{"provider MX by SAN", {"mx.provider.net", "*.example.com"},
			NULL, {"example.com", "mx.provider.net"},
		0, 1, 1, 0, 0},
		{"CN when no SAN", {NULL}, "mx.example.com",
			{"example.com", "mx.example.com"},
		0, 1, 1, 1, 0},
		{"CN ignored with SAN", {"other.example.net"}, "example.com",
			{"example.com"},
		0, 0, 0, 0, 0},
		{"CN with SAN when asked", {"other.example.net"}, "example.com",
			{"example.com"},
		POLICY_TLS_CN_ALWAYS, 1, 0, 1, 0},
		{"first identifier wins", {"example.com", "mx.example.com"},
			NULL, {"mx.example.com", "example.com"},
		0, 1, 0, 0, 1},
		{"SAN before CN for one identifier", {"example.com"},
			"example.com", {"example.com"},
		POLICY_TLS_CN_ALWAYS, 1, 0, 0, 0},
		{"null identifier skipped", {"mx.example.com"}, NULL,
			{NULL, "mx.example.com"},
		0, 1, 1, 0, 0},
		{"nothing matches", {"a.example.net", "*.example.org"},
			"b.example.net", {"example.com", "mx.example.com"},
		POLICY_TLS_CN_ALWAYS, 0, 0, 0, 0},
	};
	size_t	i, n, r, k;

	for (i = 0; i < NCASES(cases); i++) {
		struct str san[3], cn;
		const char *refs[3];
		struct policy_tls_match m;

		for (n = 0; n < 3 && cases[i].san[n]; n++)
			san[n] = str_from(cases[i].san[n]);
		for (r = 0, k = 0; k < 3; k++) {
			refs[k] = cases[i].refs[k];
			if (refs[k] != NULL)
				r = k + 1;
		}
		if (cases[i].cn)
			cn = str_from(cases[i].cn);
		memset(&m, 0xff, sizeof(m));
		cr_expect_eq(policy_tls_cert_match(san, n,
		    cases[i].cn ? &cn : NULL, refs, r, cases[i].flags, &m),
		    cases[i].want, "%s", cases[i].label);
		if (!cases[i].want)
			continue;
		cr_expect_eq(m.ref, cases[i].ref, "%s: ref", cases[i].label);
		cr_expect_eq(m.from_cn, cases[i].from_cn, "%s: from_cn",
		    cases[i].label);
		if (!cases[i].from_cn)
			cr_expect_eq(m.san, cases[i].san_index, "%s: san",
			    cases[i].label);
	}
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
  * Random names: a wildcard-free pattern matches exactly when the names
  * are equal ignoring case and one root dot; nothing overflows.
  */
Test(policy_tls, random_names)
{
	static const char *const pieces[] = {
		"*", ".", "a", "B", "example", "-", "xn--", "\0", " ", "..",
	};
	unsigned state = 1234567u;
	int	round;

	for (round = 0; round < 20000; round++) {
		char	pat[64], ref[64];
		size_t	pl = 0, rl = 0, k, n;

		n = fuzz_next(&state) % 6;
		for (k = 0; k < n; k++) {
			const char *p;
			size_t	len;

			p = pieces[fuzz_next(&state) % NCASES(pieces)];
			len = *p ? strlen(p) : 1;
			memcpy(pat + pl, p, len);
			pl += len;
		}
		n = fuzz_next(&state) % 6;
		for (k = 0; k < n; k++) {
			const char *p;
			size_t	len;

			p = pieces[fuzz_next(&state) % NCASES(pieces)];
			len = *p ? strlen(p) : 1;
			memcpy(ref + rl, p, len);
			rl += len;
		}
		ref[rl] = 0;
		if (policy_tls_name_match(str_make(pat, pl), str_from(ref))) {
			cr_assert(memchr(pat, 0, pl) == NULL,
			    "embedded NUL matched");
			cr_assert(strchr(ref, '*') == NULL,
			    "wildcard reference matched");
		}
	}
}
