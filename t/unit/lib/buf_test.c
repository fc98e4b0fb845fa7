/*
 * NAME
 *	buf_test - unit tests for lib/buf
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"

Test(buf, append_grows_and_terminates)
{
	struct buf *bp = buf_new(0);
	size_t	i;

	for (i = 0; i < 10000; i++)
		buf_putc(bp, 'a' + (int) (i % 26));
	cr_assert_eq(bp->len, 10000);
	cr_assert_eq(bp->data[bp->len], 0);
	cr_assert_eq(bp->data[26], 'a');
	buf_free(bp);
}

Test(buf, holds_nul_bytes)
{
	struct buf *bp = buf_new(0);

	buf_append(bp, "a\0b", 3);
	cr_assert_eq(bp->len, 3);
	cr_assert(memcmp(bp->data, "a\0b", 3) == 0);
	buf_free(bp);
}

Test(buf, printf_appends_long_text)
{
	struct buf *bp = buf_new(0);
	char	big[5000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	buf_puts(bp, "<");
	buf_printf(bp, "%s|%d", big, 42);
	cr_assert_eq(bp->len, 1 + 4999 + 3);
	cr_assert_str_eq(bp->data + bp->len - 3, "|42");
	buf_free(bp);
}

struct consume_case {
	const char *label;
	const char *input;
	size_t	consume;
	const char *want;
};

Test(buf, consume_and_truncate_table)
{
	static const struct consume_case cases[] = {
		{"nothing", "hello", 0, "hello"},
		{"part", "hello", 2, "llo"},
		{"all", "hello", 5, ""},
		{"more than all", "hello", 99, ""},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf *bp = buf_new(0);

		buf_puts(bp, cases[i].input);
		buf_consume(bp, cases[i].consume);
		cr_expect_str_eq(buf_cstr(bp), cases[i].want, "%s",
		    cases[i].label);
		cr_expect_eq(bp->len, strlen(cases[i].want), "%s",
		    cases[i].label);
		buf_free(bp);
	}
}

Test(buf, steal_leaves_empty)
{
	struct buf *bp = buf_new(0);
	char   *s;

	buf_puts(bp, "kept");
	s = buf_steal(bp);
	cr_assert_str_eq(s, "kept");
	cr_assert_eq(bp->len, 0);
	buf_puts(bp, "again");
	cr_assert_str_eq(buf_cstr(bp), "again");
	mem_free(s);
	buf_free(bp);
}
