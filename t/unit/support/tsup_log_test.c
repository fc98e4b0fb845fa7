/*
 * NAME
 *	tsup_log_test - self-tests of t/support/tsup_log
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_log, .init = tsup_init, .fini = tsup_fini);

Test(tsup_log, mask_table)
{
	static const struct {
		const char *label;
		const char *line;
		const char *want;
	} cases[] = {
		{"new connection",
		"Wed Sep 14 09:48:19 2022 Info: New SMTP ICID 824108 interface "
		"Data 1 (23.90.98.53) address 136.143.188.59 reverse dns host "
		"x.zoho.com verified yes",
		"TIMESTAMP Info: New SMTP ICID N interface Data 1 "
		"(23.90.98.53) address 136.143.188.59 reverse dns host "
		"x.zoho.com verified yes"},
		{"padded day",
		"Tue Aug  9 09:55:42 2005 Info: ICID 2 REJECT SG None match  "
		"SBRS None",
		"TIMESTAMP Info: ICID N REJECT SG None match  SBRS None"},
		{"start MID",
		"Mon Mar 5 14:21:04 2018 Info: Start MID 6 ICID 5",
		"TIMESTAMP Info: Start MID N ICID N"},
		{"RID list", "Wed Sep  6 13:13:16 2023 Info: Delivery start "
		"DCID 12 MID 14 to RID [0, 1, 22]",
		"TIMESTAMP Info: Delivery start DCID N MID N to RID [N, N, N]"},
		{"RID alone",
		"Wed Sep  6 13:13:16 2023 Info: MID 83143152 ICID 0 RID 0 "
		"To: <>",
		"TIMESTAMP Info: MID N ICID N RID N To: <>"},
		{"syslog stamp", "Mar 17 18:24:37 mail_logs: Info: Start MID 6 "
		"ICID 5", "TIMESTAMP mail_logs: Info: Start MID N ICID N"},
		{"no stamp", "Info: MID 21226453 ready 63907 bytes from <>",
		"Info: MID N ready 63907 bytes from <>"},
		{"generated MID",
		"Tue Jun  1 20:02:16 2004 Info: MID 14 generated based on "
		"MID 13 by bcc filter 'nonetest'",
		"TIMESTAMP Info: MID N generated based on MID N by bcc filter "
		"'nonetest'"},
		{"words that only end like ids", "Info: RMID 5 XICID 7 MIDS 8",
		"Info: RMID 5 XICID 7 MIDS 8"},
		{"id without a number", "Info: MID unknown",
		"Info: MID unknown"},
		{"other numbers kept",
		"Info: ICID 5 TLS success protocol TLSv1.2 cipher "
		"ECDHE-RSA-AES256-GCM-SHA384",
		"Info: ICID N TLS success protocol TLSv1.2 cipher "
		"ECDHE-RSA-AES256-GCM-SHA384"},
		{"an id inside a quoted value is masked too",
		"Info: MID 3 Message-ID '<1 MID 2@x>'",
		"Info: MID N Message-ID '<1 MID N@x>'"},
		{"empty", "", ""},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(tsup_log_mask(cases[i].line), cases[i].want,
		    "%s", cases[i].label);
}

Test(tsup_log, grep_substring_and_regex)
{
	static const char text[] =
	    "Mon Nov 23 11:00:00 2026 Info: New SMTP ICID 1 interface A\n"
	    "Mon Nov 23 11:00:00 2026 Info: ICID 1 TLS success protocol "
	    "TLSv1.3\n"
	    "Mon Nov 23 11:00:01 2026 Info: Start MID 7 ICID 1\n"
	    "Mon Nov 23 11:00:02 2026 Info: ICID 2 TLS failed\n"
	    "no newline at the end ICID";
	const char *path = tsup_tmp_write("mail.log", text, sizeof(text) - 1);
	static const struct {
		const char *label;
		int	mode;
		const char *pattern;
		int	want;
		const char *first;
	} cases[] = {
		{"substring", TSUP_LOG_SUBSTR, "TLS", 2,
		"Mon Nov 23 11:00:00 2026 Info: ICID 1 TLS success protocol "
		"TLSv1.3\n"},
		{"regex", TSUP_LOG_REGEX, "ICID [0-9]+ TLS (success|failed)", 2,
		NULL},
		{"anchored regex", TSUP_LOG_REGEX, "^no newline", 1,
		"no newline at the end ICID\n"},
		{"regex metachars as substring", TSUP_LOG_SUBSTR, "ICID [0-9]+",
		0, NULL},
		{"everything", TSUP_LOG_SUBSTR, "", 5, NULL},
		{"nothing", TSUP_LOG_REGEX, "^Tue", 0, NULL},
	};
	struct buf lines;
	size_t	i;

	buf_init(&lines, 256);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&lines);
		cr_assert_eq(tsup_log_grep(path, cases[i].mode,
		    cases[i].pattern, &lines), cases[i].want, "%s",
		    cases[i].label);
		if (cases[i].first)
			cr_assert_eq(strncmp(lines.data, cases[i].first,
			    strlen(cases[i].first)), 0, "%s: %s",
			    cases[i].label, lines.data);
	}
	cr_assert_eq(tsup_log_grep(tsup_tmp_path("missing.log"),
	    TSUP_LOG_SUBSTR, "x", NULL), 0);
	buf_fini(&lines);
}

Test(tsup_log, wait_sees_a_line_written_later)
{
	const char *path = tsup_tmp_path("mail.log");
	const char *argv[] = {"/bin/sh", "-c", tsup_strf("echo 'Info: early' "
	    ">> %s; sleep 0.3; echo 'Info: Start MID 9 ICID 3' >> %s", path,
	    path), NULL};

	(void) tsup_proc_spawn("writer", argv, NULL);
	cr_assert_str_eq(tsup_log_mask(tsup_log_wait(path, TSUP_LOG_REGEX,
	    "Start MID [0-9]+", 0)), "Info: Start MID N ICID N");
}

/* wait_missing - tsup_catch() body */

static void
wait_missing(void *arg)
{
	(void) tsup_log_wait(arg, TSUP_LOG_SUBSTR, "never", 100);
}

/* bad_regex - tsup_catch() body */

static void
bad_regex(void *arg)
{
	(void) tsup_log_grep(arg, TSUP_LOG_REGEX, "(", NULL);
}

Test(tsup_log, failures_quote_the_file)
{
	const char *path = tsup_tmp_write("mail.log", "Info: one\nInfo: two\n",
	    20);
	struct buf msg;

	buf_init(&msg, 128);
	cr_assert_eq(tsup_catch(wait_missing, (void *) path, &msg), 1);
	cr_assert(strstr(msg.data, "no line matching \"never\"") != NULL, "%s",
	    msg.data);
	cr_assert(strstr(msg.data, "ends with:\nInfo: one\nInfo: two\n")
	    != NULL, "%s", msg.data);
	buf_reset(&msg);
	cr_assert_eq(tsup_catch(bad_regex, (void *) path, &msg), 1);
	cr_assert(strstr(msg.data, "bad regular expression \"(\"") != NULL,
	    "%s", msg.data);
	buf_fini(&msg);
}
