/*
 * NAME
 *	str_test - unit tests for lib/str
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mem.h"
#include "str.h"

struct ulong_case {
	const char *label;
	const char *input;
	unsigned long max;
	int	want_ok;
	unsigned long want;
};

Test(str, to_ulong_table)
{
	static const struct ulong_case cases[] = {
		{"zero", "0", 10, 1, 0},
		{"plain", "1234", 100000, 1, 1234},
		{"at max", "10", 10, 1, 10},
		{"over max", "11", 10, 0, 0},
		{"empty", "", 10, 0, 0},
		{"sign", "+1", 10, 0, 0},
		{"minus", "-1", 10, 0, 0},
		{"space", " 1", 10, 0, 0},
		{"junk", "1x", 10, 0, 0},
		{"huge", "99999999999999999999999", ULONG_MAX, 0, 0},
		{"ulong max", "18446744073709551615", ULONG_MAX, 1,
		ULONG_MAX},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long out = 777;
		int	ok = str_to_ulong(str_from(cases[i].input), cases[i].max,
		    &out);

		cr_expect_eq(ok, cases[i].want_ok, "%s", cases[i].label);
		if (ok)
			cr_expect_eq(out, cases[i].want, "%s", cases[i].label);
		else
			cr_expect_eq(out, 777, "%s: output touched",
			    cases[i].label);
	}
}

Test(str, case_compare)
{
	cr_expect(str_caseeq(STR_LIT("MAIL"), STR_LIT("mail")));
	cr_expect(!str_caseeq(STR_LIT("MAIL"), STR_LIT("mai")));
	cr_expect(str_caseprefix(STR_LIT("MAIL FROM:<a@b>"),
	    STR_LIT("mail from:")));
	cr_expect(!str_caseprefix(STR_LIT("MAI"), STR_LIT("mail")));
	cr_expect(str_casesuffix(STR_LIT("host.Example.COM"),
	    STR_LIT(".example.com")));
	cr_expect(!str_caseeq(STR_LIT("\xc3\xa9"), STR_LIT("\xc3\x89")),
	    "only ASCII folds");
}

Test(str, trim_and_search)
{
	struct str s = str_trim(STR_LIT(" \t a b \t"));
	size_t	pos;
	char   *copy;

	cr_assert(str_eq(s, STR_LIT("a b")));
	cr_assert(str_chr(STR_LIT("u@h@d"), '@', &pos));
	cr_expect_eq(pos, 1);
	cr_assert(str_rchr(STR_LIT("u@h@d"), '@', &pos));
	cr_expect_eq(pos, 3);
	cr_expect(!str_chr(STR_LIT("abc"), '@', &pos));
	copy = str_dup(str_make("abcdef", 3));
	cr_expect_str_eq(copy, "abc");
	mem_free(copy);
}
