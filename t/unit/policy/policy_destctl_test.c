/*
 * NAME
 *	policy_destctl_test - unit tests for policy/policy_destctl
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "policy.h"
#include "policy_destctl.h"
#include "policy_tls.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

/* add - add an entry or fail the test */

static void
add(struct policy_destctl *dc, const char *dest,
    const struct policy_destctl_entry *ep)
{
	struct buf *err = buf_new(64);

	cr_assert_eq(policy_destctl_add(dc, dest, ep, NULL, err), 0, "%s: %s",
	    dest, buf_cstr(err));
	buf_free(err);
}

/* sample - a table with every kind of key */

static struct policy_destctl *
sample(void)
{
	struct policy_destctl *dc = policy_destctl_new();
	struct policy_destctl_entry e;
	struct buf *err = buf_new(64);

	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_PREFERRED;
	e.concurrency = 100;
	e.rcpt_limit = 1000;
	e.rcpt_minutes = 10;
	cr_assert_eq(policy_destctl_set_default(dc, &e, NULL, err), 0, "%s",
	    buf_cstr(err));

	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_REQUIRED_VERIFY;
	e.bounce_profile = "strict";
	add(dc, "example.com", &e);
	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_REQUIRED;
	e.max_msgs_per_conn = 5;
	add(dc, ".example.com", &e);
	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_NONE;
	e.rcpt_limit = 5;
	e.rcpt_minutes = 1;
	add(dc, ".b.example.com", &e);
	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_PREFERRED_VERIFY;
	add(dc, "[192.0.2.1]", &e);
	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_REQUIRED;
	add(dc, "[IPv6:2001:db8::1]", &e);
	policy_destctl_entry_init(&e);
	e.concurrency = 7;
	add(dc, "partner.test", &e);
	buf_free(err);
	return (dc);
}

struct lookup_case {
	const char *label;
	const char *domain;
	int	want;
	const char *matched;
	enum policy_tls_level tls;
	long	concurrency;
	long	msgs;
	long	rcpt_limit;
	long	rcpt_minutes;
	const char *bounce;
};

Test(policy_destctl, lookup_table)
{
	static const struct lookup_case cases[] = {
		{"exact", "example.com", POLICY_FOUND, "example.com",
		POLICY_TLS_REQUIRED_VERIFY, 100, 50, 1000, 10, "strict"},
		{"exact case and dot", "EXAMPLE.com.", POLICY_FOUND,
			"example.com",
		POLICY_TLS_REQUIRED_VERIFY, 100, 50, 1000, 10, "strict"},
		{"partial", "a.example.com", POLICY_FOUND, ".example.com",
		POLICY_TLS_REQUIRED, 100, 5, 1000, 10, "Default"},
		{"longest partial", "x.b.example.com", POLICY_FOUND,
			".b.example.com",
		POLICY_TLS_NONE, 100, 50, 5, 1, "Default"},
		{"deep partial", "y.x.b.example.com", POLICY_FOUND,
			".b.example.com",
		POLICY_TLS_NONE, 100, 50, 5, 1, "Default"},
		{"partial apex falls to parent", "b.example.com", POLICY_FOUND,
			".example.com",
		POLICY_TLS_REQUIRED, 100, 5, 1000, 10, "Default"},
		{"lookalike", "badexample.com", POLICY_NOTFOUND, "Default",
		POLICY_TLS_PREFERRED, 100, 50, 1000, 10, "Default"},
		{"unlisted", "other.org", POLICY_NOTFOUND, "Default",
		POLICY_TLS_PREFERRED, 100, 50, 1000, 10, "Default"},
		{"literal v4", "[192.0.2.1]", POLICY_FOUND, "[192.0.2.1]",
		POLICY_TLS_PREFERRED_VERIFY, 100, 50, 1000, 10, "Default"},
		{"literal v6 tagged", "[IPv6:2001:DB8:0::1]", POLICY_FOUND,
			"[IPv6:2001:db8::1]",
		POLICY_TLS_REQUIRED, 100, 50, 1000, 10, "Default"},
		{"literal v6 bare", "[2001:db8::1]", POLICY_FOUND,
			"[IPv6:2001:db8::1]",
		POLICY_TLS_REQUIRED, 100, 50, 1000, 10, "Default"},
		{"literal unlisted", "[192.0.2.2]", POLICY_NOTFOUND, "Default",
		POLICY_TLS_PREFERRED, 100, 50, 1000, 10, "Default"},
		{"entry inherits tls", "partner.test", POLICY_FOUND,
			"partner.test",
		POLICY_TLS_PREFERRED, 7, 50, 1000, 10, "Default"},
		{"bad domain", "bad..domain", POLICY_ERROR, NULL,
		POLICY_TLS_NONE, 0, 0, 0, 0, NULL},
		{"empty domain", "", POLICY_ERROR, NULL,
		POLICY_TLS_NONE, 0, 0, 0, 0, NULL},
		{"bad literal", "[300.1.1.1]", POLICY_ERROR, NULL,
		POLICY_TLS_NONE, 0, 0, 0, 0, NULL},
		{"unclosed literal", "[192.0.2.1", POLICY_ERROR, NULL,
		POLICY_TLS_NONE, 0, 0, 0, 0, NULL},
		{"partial is not a domain", ".example.com", POLICY_ERROR, NULL,
		POLICY_TLS_NONE, 0, 0, 0, 0, NULL},
	};
	struct policy_destctl *dc = sample();
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_destctl_entry out;
		const char *matched = NULL;
		int	rc;

		rc = policy_destctl_lookup(dc, cases[i].domain, &out, &matched);
		cr_expect_eq(rc, cases[i].want, "%s: status %d", cases[i].label,
		    rc);
		if (rc == POLICY_ERROR || cases[i].want == POLICY_ERROR)
			continue;
		cr_expect_str_eq(matched, cases[i].matched, "%s",
		    cases[i].label);
		cr_expect_eq(out.tls, cases[i].tls, "%s: tls %s",
		    cases[i].label, policy_tls_level_name(out.tls));
		cr_expect_eq(out.concurrency, cases[i].concurrency, "%s",
		    cases[i].label);
		cr_expect_eq(out.max_msgs_per_conn, cases[i].msgs, "%s",
		    cases[i].label);
		cr_expect_eq(out.rcpt_limit, cases[i].rcpt_limit, "%s",
		    cases[i].label);
		cr_expect_eq(out.rcpt_minutes, cases[i].rcpt_minutes, "%s",
		    cases[i].label);
		cr_expect_str_eq(out.bounce_profile, cases[i].bounce, "%s",
		    cases[i].label);
	}
	policy_destctl_free(dc);
}

Test(policy_destctl, factory_default_row)
{
	struct policy_destctl *dc = policy_destctl_new();
	struct policy_destctl_entry out;
	const char *matched;

	cr_assert_eq(policy_destctl_lookup(dc, "example.com", &out, &matched),
	    POLICY_NOTFOUND);
	cr_expect_str_eq(matched, "Default");
	cr_expect_eq(out.tls, POLICY_TLS_NONE);
	cr_expect_eq(out.concurrency, 500);
	cr_expect_eq(out.max_msgs_per_conn, 50);
	cr_expect_eq(out.rcpt_limit, -1);
	cr_expect_eq(out.rcpt_minutes, 60);
	cr_expect_str_eq(out.bounce_profile, "Default");
	cr_expect(!policy_destctl_alert(dc));
	cr_expect_null(policy_destctl_certificate(dc));
	policy_destctl_set_global(dc, 1, "outbound-cert");
	cr_expect(policy_destctl_alert(dc));
	cr_expect_str_eq(policy_destctl_certificate(dc), "outbound-cert");
	policy_destctl_set_global(dc, 0, NULL);
	cr_expect_null(policy_destctl_certificate(dc));
	policy_destctl_free(dc);
}

enum entry_field {
	F_NONE, F_CONC, F_MSGS, F_LIMIT, F_LIMIT_ONLY, F_MINUTES, F_BOUNCE,
	F_TLS,
};

struct add_case {
	const char *label;
	const char *dest;
	enum entry_field field;
	long	value;
	const char *want;		/* NULL: accepted */
};

Test(policy_destctl, add_errors_table)
{
	static const struct policy_loc loc = {"dc.yaml", 12, 3};
	static const struct add_case cases[] = {
		{"accepted", "example.com", F_NONE, 0, NULL},
		{"duplicate spelled otherwise", "Example.COM.", F_NONE, 0,
		"dc.yaml:12:3: destination \"Example.COM.\" is already in the "
		"destination controls table"},
		{"partial beside exact", ".example.com", F_NONE, 0, NULL},
		{"bad literal", "[1.2.3]", F_NONE, 0, "dc.yaml:12:4: "
		"destination \"[1.2.3]\": not an IPv4 or IPv6 address in "
		"brackets"},
		{"unclosed literal", "[1.2.3.4", F_NONE, 0, "dc.yaml:12:11: "
		"destination \"[1.2.3.4\": missing \"]\" after the address"},
		{"space", "exa mple.com", F_NONE, 0, "dc.yaml:12:6: "
		"destination \"exa mple.com\": invalid character in name"},
		{"bad partial", ".bad..test", F_NONE, 0, "dc.yaml:12:8: "
		"destination \".bad..test\": empty label"},
		{"concurrency 0", "c0.test", F_CONC, 0, "dc.yaml:12:3: "
		"destination c0.test: concurrency 0 is out of range 1 to 1000"},
		{"concurrency 1001", "c1.test", F_CONC, 1001, "dc.yaml:12:3: "
		"destination c1.test: concurrency 1001 is out of range 1 to "
		"1000"},
		{"concurrency 1000", "c2.test", F_CONC, 1000, NULL},
		{"messages 0", "m0.test", F_MSGS, 0, "dc.yaml:12:3: "
		"destination m0.test: max_messages_per_connection 0 is out of "
		"range 1 to 1000"},
		{"limit without minutes", "l0.test", F_LIMIT_ONLY, 10,
		"dc.yaml:12:3: destination l0.test: recipient_limit needs "
		"recipient_minutes"},
		{"limit 0 per minute", "l1.test", F_LIMIT, 0, NULL},
		{"limit too high", "l2.test", F_LIMIT, 1000000001,
		"dc.yaml:12:3: destination l2.test: recipient_limit "
		"1000000001 is out of range -1 to 1000000000"},
		{"minutes 61", "n0.test", F_MINUTES, 61, "dc.yaml:12:3: "
		"destination n0.test: recipient_minutes 61 is out of range 1 "
		"to 60"},
		{"bounce profile digit", "b0.test", F_BOUNCE, 0,
		"dc.yaml:12:3: destination b0.test: the bounce profile name "
		"must start with a letter or underscore"},
		{"bad tls", "t0.test", F_TLS, 99, "dc.yaml:12:3: destination "
		"t0.test: bad TLS level 99"},
	};
	struct policy_destctl *dc = policy_destctl_new();
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct policy_destctl_entry e;
		struct buf *err = buf_new(64);

		policy_destctl_entry_init(&e);
		switch (cases[i].field) {
		case F_NONE:
			break;
		case F_CONC:
			e.concurrency = cases[i].value;
			break;
		case F_MSGS:
			e.max_msgs_per_conn = cases[i].value;
			break;
		case F_LIMIT:
			e.rcpt_limit = cases[i].value;
			e.rcpt_minutes = 1;
			break;
		case F_LIMIT_ONLY:
			e.rcpt_limit = cases[i].value;
			break;
		case F_MINUTES:
			e.rcpt_minutes = cases[i].value;
			break;
		case F_BOUNCE:
			e.bounce_profile = "9lives";
			break;
		case F_TLS:
			e.tls = (enum policy_tls_level) cases[i].value;
			break;
		}
		cr_expect_eq(policy_destctl_add(dc, cases[i].dest, &e, &loc,
		    err), cases[i].want ? -1 : 0, "%s", cases[i].label);
		cr_expect_str_eq(buf_cstr(err), cases[i].want ? cases[i].want :
		    "", "%s", cases[i].label);
		buf_free(err);
	}
	policy_destctl_free(dc);
}

Test(policy_destctl, broken_entry_fails_closed)
{
	struct policy_destctl *dc = policy_destctl_new();
	struct policy_destctl_entry e, out;
	struct buf *err = buf_new(64);
	const char *matched;

	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_REQUIRED_VERIFY;
	e.concurrency = 5000;
	cr_expect_eq(policy_destctl_add(dc, ".broken.test", &e, NULL, err), -1);
	cr_expect_neq(err->len, 0);
	/* A domain the broken entry covers defers; others are unaffected. */
	cr_expect_eq(policy_destctl_lookup(dc, "mx.broken.test", &out,
	    &matched), POLICY_ERROR);
	cr_expect_eq(policy_destctl_lookup(dc, "broken.test", &out, &matched),
	    POLICY_NOTFOUND);
	/* An exact valid entry below it is more specific and still works. */
	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_REQUIRED;
	cr_expect_eq(policy_destctl_add(dc, "ok.broken.test", &e, NULL, err),
	    0);
	cr_expect_eq(policy_destctl_lookup(dc, "ok.broken.test", &out,
	    &matched), POLICY_FOUND);
	cr_expect_eq(out.tls, POLICY_TLS_REQUIRED);

	/* A refused Default entry makes every lookup fail. */
	policy_destctl_entry_init(&e);
	e.rcpt_minutes = 0;
	cr_expect_eq(policy_destctl_set_default(dc, &e, NULL, err), -1);
	cr_expect_eq(policy_destctl_lookup(dc, "ok.broken.test", &out,
	    &matched), POLICY_ERROR);
	cr_expect_eq(policy_destctl_lookup(dc, "other.test", &out, &matched),
	    POLICY_ERROR);
	policy_destctl_entry_init(&e);
	cr_expect_eq(policy_destctl_set_default(dc, &e, NULL, err), 0);
	cr_expect_eq(policy_destctl_lookup(dc, "other.test", &out, &matched),
	    POLICY_NOTFOUND);
	policy_destctl_free(dc);
	buf_free(err);
}

Test(policy_destctl, many_entries)
{
	struct policy_destctl *dc = policy_destctl_new();
	struct policy_destctl_entry e, out;
	struct buf *name = buf_new(64);
	const char *matched;
	int	i;

	policy_destctl_entry_init(&e);
	e.tls = POLICY_TLS_REQUIRED;
	for (i = 0; i < 5000; i++) {
		buf_reset(name);
		buf_printf(name, "d%d.example", i);
		add(dc, buf_cstr(name), &e);
	}
	cr_expect_eq(policy_destctl_lookup(dc, "D4999.example", &out,
	    &matched), POLICY_FOUND);
	cr_expect_str_eq(matched, "d4999.example");
	cr_expect_eq(policy_destctl_lookup(dc, "d5000.example", &out,
	    &matched), POLICY_NOTFOUND);
	policy_destctl_free(dc);
	buf_free(name);
}
