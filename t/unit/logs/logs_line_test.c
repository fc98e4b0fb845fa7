/*
 * NAME
 *	logs_line_test - unit tests for logs/logs_line
 * DESCRIPTION
 *	Wanted time stamps come from Python's time.asctime() of the same
 *	UTC instant (C asctime() form, day padded with a space).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "logs_line.h"

struct ctime_case {
	const char *label;
	long long when;
	const char *want;
};

Test(logs_line, ctime_table)
{
	static const struct ctime_case cases[] = {
		{"padded day", 1704658266LL, "Sun Jan  7 20:11:06 2024"},
		{"two digit day", 1705522266LL, "Wed Jan 17 20:11:06 2024"},
		{"first of month", 1114905600LL, "Sun May  1 00:00:00 2005"},
		{"leap day", 1709251199LL, "Thu Feb 29 23:59:59 2024"},
		{"epoch", 0LL, "Thu Jan  1 00:00:00 1970"},
		{"year end", 1798707903LL, "Thu Dec 31 09:05:03 2026"},
		{"after 2038", 2222856000LL, "Sat Jun  9 12:00:00 2040"},
	};
	struct buf *bp = buf_new(0);
	size_t	i;

	setenv("TZ", "UTC0", 1);
	tzset();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(bp);
		logs_line_ctime(bp, (time_t) cases[i].when);
		cr_expect_str_eq(bp->data, cases[i].want, "%s", cases[i].label);
	}
	buf_free(bp);
}

Test(logs_line, ctime_is_local_time)
{
	struct buf *bp = buf_new(0);

	/* US Central standard time, as the 2014 sample's -21600 offset. */
	setenv("TZ", "CST6CDT", 1);
	tzset();
	logs_line_ctime(bp, (time_t) 1416410206LL);
	cr_expect_str_eq(bp->data, "Wed Nov 19 09:16:46 2014");
	setenv("TZ", "UTC0", 1);
	tzset();
	buf_free(bp);
}

Test(logs_line, ctime_ignores_locale_names)
{
	struct buf *bp = buf_new(0);
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 105;
	tm.tm_mon = 6;
	tm.tm_mday = 20;
	tm.tm_wday = 3;
	tm.tm_hour = 19;
	tm.tm_min = 47;
	tm.tm_sec = 40;
	logs_line_ctime_tm(bp, &tm);
	cr_expect_str_eq(bp->data, "Wed Jul 20 19:47:40 2005");
	buf_free(bp);
}

struct sbrs_case {
	const char *label;
	enum logs_line_sbrs_kind kind;
	int	tenths;
	const char *want;
};

Test(logs_line, sbrs_table)
{
	static const struct sbrs_case cases[] = {
		{"negative", LOGS_LINE_SBRS_SCORE, -11, "-1.1"},
		{"negative below one", LOGS_LINE_SBRS_SCORE, -9, "-0.9"},
		{"zero", LOGS_LINE_SBRS_SCORE, 0, "0.0"},
		{"positive", LOGS_LINE_SBRS_SCORE, 34, "3.4"},
		{"maximum", LOGS_LINE_SBRS_SCORE, 100, "10.0"},
		{"minimum", LOGS_LINE_SBRS_SCORE, -100, "-10.0"},
		{"none", LOGS_LINE_SBRS_NONE, 0, "None"},
		{"not enabled", LOGS_LINE_SBRS_NOT_ENABLED, 0, "not enabled"},
		{"rfc1918", LOGS_LINE_SBRS_RFC1918, 0, "rfc1918"},
		{"unavailable", LOGS_LINE_SBRS_UNAVAILABLE, 0,
		"unable to retrieve"},
	};
	struct buf *bp = buf_new(0);
	struct logs_line_sbrs s;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.kind = cases[i].kind;
		s.tenths = cases[i].tenths;
		buf_reset(bp);
		logs_line_sbrs(bp, &s);
		cr_expect_str_eq(bp->data, cases[i].want, "%s", cases[i].label);
	}
	buf_free(bp);
}

Test(logs_line, level_names_and_order)
{
	static const struct {
		enum logs_line_level level;
		const char *want;
	} cases[] = {
		{LOGS_LINE_CRITICAL, "Critical"},
		{LOGS_LINE_WARNING, "Warning"},
		{LOGS_LINE_INFO, "Info"},
		{LOGS_LINE_DEBUG, "Debug"},
		{LOGS_LINE_TRACE, "Trace"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_str_eq(logs_line_level_name(cases[i].level),
		    cases[i].want);
		if (i > 0)
			cr_expect(cases[i - 1].level < cases[i].level,
			    "%s sorts after %s", cases[i].want,
			    cases[i - 1].want);
	}
}

Test(logs_line, default_style)
{
	struct logs_line_style st;

	memset(&st, 0x55, sizeof(st));
	logs_line_style_init(&st);
	cr_expect_eq(st.dialect, LOGS_LINE_MODERN);
	cr_expect_eq(st.sslnames, LOGS_LINE_SSL_111);
	cr_expect_eq(st.ip_space, 0);
}
