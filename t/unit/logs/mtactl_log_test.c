/*
 * NAME
 *	mtactl_log_test - "mtactl log check" and "mtactl log track"
 * DESCRIPTION
 *	Runs the built mtactl on crafted mail logs. check: one table case
 *	per stream rule (each with the report line it must print and its
 *	exit status), the rotation leniency, files in directory order,
 *	usage errors. track: a story of two connections, three messages
 *	(one bounce) and two deliveries, asked every way (MID, ICID,
 *	DCID, sender, recipient, subject, JSON); the same story split
 *	over rotated files; and a generated log of two million lines,
 *	where the lines of one message must come out exactly (the test
 *	asserts correctness, not time).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "buf.h"
#include "mem.h"
#include "tsupport.h"

TestSuite(mtactl_log, .init = tsup_init, .fini = tsup_fini, .timeout = 300);

#define P	"Mon Nov 23 14:08:28 2026 Info: "
#define HEAD	P "Begin Logfile\n" P "Version: 0.1.0 SN: 0123-4567\n" \
		P "Time offset from UTC: 0 seconds\n"

/* run - run mtactl with arguments; output (stdout and stderr) in out */

static int
run(struct buf *out, const char *const *args)
{
	const char *argv[16];
	size_t	n = 0;

	argv[n++] = tsup_proc_bin("mtactl");
	argv[n++] = "log";
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	buf_reset(out);
	return (tsup_run(argv, NULL, 0, 240000, out));
}

struct ccase {
	const char *label;
	const char *body;		/* after the three header lines */
	const char *opt;		/* one option, or null */
	int	status;
	const char *want;		/* in the output; %s is the file */
	int	head;			/* 1: no header prepended */
};

#define NEW1	P "New SMTP ICID 1 interface public (127.0.0.1) address " \
		"192.0.2.1 reverse dns host unknown verified no\n"
#define START1	P "Start MID 1 ICID 1\n"

static const struct ccase ccases[] = {
	{"a clean session", NEW1 START1 P "MID 1 ICID 1 From: <a@b>\n"
		P "Message finished MID 1 aborted\n" P "ICID 1 close\n",
		"--finished", 0, "8 lines in 1 file: 0 errors, 0 warnings", 0},
	{"orphan MID is a warning", P "MID 9 queued for delivery\n", NULL, 0,
		"%s:4: warning: MID 9 was not started in these files (begun "
		"before the first file?)", 0},
	{"orphan MID is an error with --strict",
		P "MID 9 queued for delivery\n", "--strict", 1,
		"%s:4: MID 9 was not started in these files\n", 0},
	{"orphan DCID", P "Delivery start DCID 5 MID 9 to RID [0]\n",
		"--strict", 1, "%s:4: DCID 5 was not started in these files",
		0},
	{"orphan ICID", P "ICID 7 close\n", "--strict", 1,
		"%s:4: ICID 7 was not started", 0},
	{"DCID 0 of a bounce without a connection needs no DCID",
		NEW1 START1 P "Bounced: DCID 0 MID 1 to RID 0 - 5.1.2 - Bad "
		"destination host ('000', ['DNS Hard Error']) []\n",
		"--strict", 0, "0 errors, 0 warnings", 0},
	{"bounce of an unknown MID", P "Start MID 2 ICID 0\n"
		P "MID 2 was generated for bounce of MID 1\n", "--strict", 1,
		"%s:5: bounce of MID 1, which was not started", 0},
	{"a line after Message finished", NEW1 START1
		P "Message finished MID 1 done\n"
		P "MID 1 queued for delivery\n",
		NULL, 1, "%s:7: MID 1: line after its \"Message finished\" at "
		"%s:6", 0},
	{"a line after ICID close", NEW1 P "ICID 1 close\n"
		P "ICID 1 TLS failed\n", NULL, 1,
		"%s:6: ICID 1: line after its close at %s:5", 0},
	{"a line after DCID close", P "New SMTP DCID 3 interface 1.2.3.4 "
		"address 5.6.7.8 port 25\n" P "DCID 3 close\n"
		P "DCID 3 TLS failed: STARTTLS unexpected response\n", NULL, 1,
		"%s:6: DCID 3: line after its close at %s:5", 0},
	{"lost not followed by close", NEW1 P "ICID 1 lost\n"
		P "ICID 1 Receiving Failed: Message loop\n" P "ICID 1 close\n",
		NULL, 1, "%s:6: ICID 1: \"lost\" at %s:5 is not followed by "
		"\"close\"", 0},
	{"lost, TLS required, close (the 2005 order) is fine",
		NEW1 P "ICID 1 lost\n" P "ICID 1 TLS was required but remote "
		"host did not initiate it\n" P "ICID 1 close\n", "--finished",
		0, "0 errors", 0},
	{"lost never closed", NEW1 P "ICID 1 lost\n", "--finished", 1,
		"%s:5: ICID 1 was lost and never closed", 0},
	{"ICID never closed", NEW1, "--finished", 1,
		"%s:4: ICID 1 was never closed", 0},
	{"open ids are fine without --finished", NEW1 START1, NULL, 0,
		"0 errors, 0 warnings", 0},
	{"MID never finished", P "Start MID 4 ICID 0\n", "--finished", 1,
		"%s:4: MID 4 never finished", 0},
	{"DCID never closed", P "New SMTP DCID 3 interface 1.2.3.4 address "
		"5.6.7.8 port 25\n", "--finished", 1,
		"%s:4: DCID 3 was never closed", 0},
	{"a MID on two ICIDs", NEW1 START1 P "MID 1 ICID 2 From: <a@b>\n",
		NULL, 1, "%s:6: MID 1 is on ICID 1, not ICID 2", 0},
	{"an ICID started twice", NEW1 NEW1, NULL, 1,
		"%s:5: ICID 1 started again while open (started at %s:4)", 0},
	{"an ICID number used again after its close", NEW1
		P "ICID 1 close\n" NEW1 P "ICID 1 close\n", "--finished", 0,
		"0 errors", 0},
	{"a MID started twice", NEW1 START1 START1, NULL, 1,
		"%s:6: MID 1 started again while open", 0},
	{"a transaction given up before the next one", NEW1 START1
		P "Start MID 2 ICID 1\n" P "MID 2 queued for delivery\n"
		P "ICID 1 close\n", NULL, 0,
		"%s:6: warning: MID 1 was neither queued nor finished when "
		"MID 2 started on ICID 1", 0},
	{"a transaction cut by the close", NEW1 START1 P "ICID 1 lost\n"
		P "ICID 1 close\n", NULL, 0,
		"%s:7: warning: MID 1 was neither queued nor finished when "
		"ICID 1 closed", 0},
	{"an aborted transaction is finished", NEW1 START1
		P "Message aborted MID 1 Receiving aborted\n"
		P "Message finished MID 1 aborted\n" P "ICID 1 close\n",
		"--finished", 0, "0 errors, 0 warnings", 0},
	{"unknown line", P "Hello world\n", NULL, 1,
		"%s:4: unknown line type", 0},
	{"malformed field", P "MID 1 Subject Hello\n", NULL, 1,
		"%s:4: malformed mid_subject line: <subject> at column 46 is "
		"not a Python repr() string", 0},
	{"wrong level", "Mon Nov 23 14:08:28 2026 Warning: ICID 1 close\n",
		NULL, 1, "%s:4: icid_close line at level Warning", 0},
	{"HTML-collapsed day", "Mon Nov 3 14:08:28 2026 Info: ICID 1 "
		"close\n", NULL, 1, "%s:4: no time stamp", 0},
	{"trailing space", P "ICID 1 close \n", NULL, 1,
		"%s:4: trailing space", 0},
	{"no header", NEW1, NULL, 1,
		"%s:1: a mail log file begins with head_begin; this is "
		"icid_new", 1},
	{"header line in the middle", P "Begin Logfile\n", NULL, 1,
		"%s:4: head_begin line in the middle of a file", 0},
	{"torn last line", HEAD P "ICID 1 clo", NULL, 1,
		"%s:4: the last line has no newline", 1},
	{"empty file", "", NULL, 1, "%s: empty file", 1},
	{"syslog lines need no header",
		"<22>Nov 23 14:08:28 mail_logs: Info: Start MID 1 ICID 0\n"
		"<22>Nov 23 14:08:28 mail_logs: Info: Message finished MID 1 "
		"done\n", "--finished", 0, "0 errors, 0 warnings", 1},
};

/* expand - a report template with each %s replaced by the path */

static void
expand(struct buf *bp, const char *tpl, const char *path)
{
	const char *p;

	buf_reset(bp);
	while ((p = strstr(tpl, "%s")) != NULL) {
		buf_append(bp, tpl, (size_t) (p - tpl));
		buf_puts(bp, path);
		tpl = p + 2;
	}
	buf_puts(bp, tpl);
}

Test(mtactl_log, check_reports_each_rule)
{
	struct buf *out = buf_new(0), *body = buf_new(0), *want = buf_new(0);
	const char *args[4];
	const char *path;
	size_t	i, n;
	int	st;

	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		const struct ccase *c = &ccases[i];

		buf_reset(body);
		if (!c->head)
			buf_puts(body, HEAD);
		buf_puts(body, c->body);
		path = tsup_tmp_write(tsup_strf("check%zu.log", i), body->data,
		    body->len);
		n = 0;
		args[n++] = "check";
		if (c->opt)
			args[n++] = c->opt;
		args[n++] = path;
		args[n] = NULL;
		st = run(out, args);
		cr_expect_eq(st, c->status, "%s: status %d, want %d; "
		    "output:\n%s", c->label, st, c->status, out->data);
		expand(want, c->want, path);
		cr_expect_not_null(strstr(out->data, want->data),
		    "%s: output lacks \"%s\":\n%s", c->label, want->data,
		    out->data);
	}
	buf_free(out);
	buf_free(body);
	buf_free(want);
}

Test(mtactl_log, check_json_and_usage)
{
	static const struct {
		const char *label;
		const char *args[4];
		int	status;
		const char *want;
	} cases[] = {
		{"no command", {NULL}, 2, "no command given"},
		{"unknown command", {"frob", NULL}, 2, "unknown command"},
		{"check without files", {"check", NULL}, 2, "no file given"},
		{"check unknown option", {"check", "--frob", "x", NULL}, 2,
		"unknown option"},
		{"check missing file", {"check", "/nonexistent/mail.current",
		NULL}, 1, "No such file"},
		{"track without selector", {"track", "x", NULL}, 2,
		"say what to look for"},
		{"track bad id", {"track", "--mid", "x1", NULL}, 2,
		"--mid wants a decimal id"},
		{"track without files", {"track", "--mid", "1", NULL}, 2,
		"no file given"},
		{"help", {"--help", NULL}, 0, "log check"},
	};
	struct buf *out = buf_new(0);
	json_error_t jerr;
	json_t *obj;
	const char *path, *args[4];
	size_t	i;
	int	st;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = run(out, cases[i].args);
		cr_expect_eq(st, cases[i].status, "%s: status %d:\n%s",
		    cases[i].label, st, out->data);
		cr_expect_not_null(strstr(out->data, cases[i].want),
		    "%s: output lacks \"%s\":\n%s", cases[i].label,
		    cases[i].want, out->data);
	}

	path = tsup_tmp_write("json.log", HEAD P "ICID 9 close\n",
	    strlen(HEAD P "ICID 9 close\n"));
	args[0] = "check";
	args[1] = "--json";
	args[2] = path;
	args[3] = NULL;
	cr_assert_eq(run(out, args), 0, "%s", out->data);
	obj = json_loads(out->data, JSON_DISABLE_EOF_CHECK, &jerr);
	cr_assert_not_null(obj, "not JSON: %s", out->data);
	cr_expect_str_eq(json_string_value(json_object_get(obj, "severity")),
	    "warning");
	cr_expect_eq(json_integer_value(json_object_get(obj, "line")), 4);
	cr_expect_str_eq(json_string_value(json_object_get(obj, "file")),
	    path);
	json_decref(obj);
	buf_free(out);
}

 /*
  * The story for track: line n of story[] is line n + 3 of the file.
  */
static const char *const story[] = {
	NULL,
	/* 1 */ "New SMTP ICID 1 interface public (127.0.0.1) address "
	"192.0.2.1 reverse dns host a.example verified yes",
	/* 2 */ "ICID 1 ACCEPT SG None match ALL SBRS not enabled",
	/* 3 */ "Start MID 1 ICID 1",
	/* 4 */ "MID 1 ICID 1 From: <Alice@Example.org>",
	/* 5 */ "MID 1 ICID 1 RID 0 To: <bob@example.net>",
	/* 6 */ "New SMTP ICID 2 interface public (127.0.0.1) address "
	"192.0.2.2 reverse dns host b.example verified no",
	/* 7 */ "MID 1 Subject \"Quarterly 'report'\"",
	/* 8 */ "ICID 2 ACCEPT SG None match ALL SBRS not enabled",
	/* 9 */ "MID 1 ready 10 bytes from <Alice@Example.org>",
	/* 10 */ "MID 1 queued for delivery",
	/* 11 */ "Start MID 2 ICID 2",
	/* 12 */ "MID 2 ICID 2 From: <carol@example.org>",
	/* 13 */ "MID 2 ICID 2 RID 0 To: <dave@example.net>",
	/* 14 */ "MID 2 Subject 'lunch \\xe9'",
	/* 15 */ "MID 2 ready 10 bytes from <carol@example.org>",
	/* 16 */ "MID 2 queued for delivery",
	/* 17 */ "ICID 1 close",
	/* 18 */ "ICID 2 lost",
	/* 19 */ "ICID 2 close",
	/* 20 */ "New SMTP DCID 1 interface 127.0.0.1 address 203.0.113.5 "
	"port 25",
	/* 21 */ "Delivery start DCID 1 MID 1 to RID [0]",
	/* 22 */ "Delivery start DCID 1 MID 2 to RID [0]",
	/* 23 */ "Bounced: DCID 1 MID 1 to RID 0 - 5.1.1 - Bad destination "
	"email address ('550', ['no such user']) []",
	/* 24 */ "Message done DCID 1 MID 2 to RID [0]",
	/* 25 */ "MID 2 RID [0] Response '2.0.0 Ok'",
	/* 26 */ "Message finished MID 2 done",
	/* 27 */ "DCID 1 close",
	/* 28 */ "Start MID 3 ICID 0",
	/* 29 */ "MID 3 was generated for bounce of MID 1",
	/* 30 */ "MID 3 ICID 0 From: <>",
	/* 31 */ "MID 3 ICID 0 RID 0 To: <Alice@Example.org>",
	/* 32 */ "Message finished MID 1 done",
	/* 33 */ "MID 3 queued for delivery",
	/* 34 */ "New SMTP DCID 2 interface 127.0.0.1 address 203.0.113.6 "
	"port 25",
	/* 35 */ "Delivery start DCID 2 MID 3 to RID [0]",
	/* 36 */ "Message done DCID 2 MID 3 to RID [0]",
	/* 37 */ "Message finished MID 3 done",
	/* 38 */ "DCID 2 close",
};

#define NSTORY	38

static const int mid1[] = {1, 2, 3, 4, 5, 7, 9, 10, 17, 20, 21, 23, 27, 28,
	29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 0};
static const int mid2[] = {6, 8, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22,
	24, 25, 26, 27, 0};
static const int all[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33,
	34, 35, 36, 37, 38, 0};
static const int none[] = {0};

/* story_write - the story as a log, split before the given lines */

static void
story_write(struct buf *bp, int from, int to)
{
	int	i;

	buf_reset(bp);
	buf_puts(bp, HEAD);
	for (i = from; i < to; i++)
		buf_printf(bp, "%s%s\n", P, story[i]);
}

/* story_want - the lines a track must print */

static void
story_want(struct buf *bp, const int *lines)
{
	buf_reset(bp);
	for (; *lines; lines++)
		buf_printf(bp, "%s%s\n", P, story[*lines]);
}

struct tcase {
	const char *label;
	const char *args[4];
	const int *want;
};

static const struct tcase tcases[] = {
	{"by MID, with its bounce", {"--mid", "1"}, mid1},
	{"by the bounce's MID, back to the original", {"--mid", "3"}, mid1},
	{"by MID, a plain message", {"--mid", "2"}, mid2},
	{"by ICID", {"--icid", "2"}, mid2},
	{"by ICID of the bounced message", {"--icid", "1"}, mid1},
	{"by DCID of the bounce", {"--dcid", "2"}, mid1},
	{"by DCID carrying both messages", {"--dcid", "1"}, all},
	{"by sender, case-insensitive", {"--from", "alice@example.ORG"}, mid1},
	{"by sender", {"--from", "carol@example.org"}, mid2},
	{"by recipient of the bounce", {"--to", "ALICE@example.org"}, mid1},
	{"by recipient", {"--to", "dave@example.net"}, mid2},
	{"by subject, quote decoded", {"--subject", "'REPORT'"}, mid1},
	{"by subject, escape decoded", {"--subject", "lunch \xc3\xa9"}, mid2},
	{"subject nowhere", {"--subject", "invoice"}, none},
	{"unknown MID", {"--mid", "99"}, none},
	{"two selectors", {"--mid", "2", "--to", "bob@example.net"}, all},
};

/* track_cases - run every track case on the files */

static void
track_cases(const char *label, const char *const *files)
{
	struct buf *out = buf_new(0), *want = buf_new(0);
	const char *args[12];
	size_t	i, k, n;
	int	st;

	for (i = 0; i < sizeof(tcases) / sizeof(tcases[0]); i++) {
		n = 0;
		args[n++] = "track";
		for (k = 0; k < 4 && tcases[i].args[k]; k++)
			args[n++] = tcases[i].args[k];
		for (k = 0; files[k]; k++)
			args[n++] = files[k];
		args[n] = NULL;
		st = run(out, args);
		cr_expect_eq(st, 0, "%s, %s: status %d", label,
		    tcases[i].label, st);
		story_want(want, tcases[i].want);
		cr_expect_str_eq(out->data, want->data, "%s, %s: got\n%s\n"
		    "want\n%s", label, tcases[i].label, out->data, want->data);
	}
	buf_free(out);
	buf_free(want);
}

Test(mtactl_log, track_follows_ids_both_ways)
{
	struct buf *bp = buf_new(0), *out = buf_new(0);
	const char *files[2];
	const char *args[5];

	story_write(bp, 1, NSTORY + 1);
	files[0] = tsup_tmp_write("story.log", bp->data, bp->len);
	files[1] = NULL;
	track_cases("one file", files);

	/* the story is a complete, valid log */
	args[0] = "check";
	args[1] = "--strict";
	args[2] = "--finished";
	args[3] = files[0];
	args[4] = NULL;
	cr_expect_eq(run(out, args), 0, "%s", out->data);
	cr_expect_not_null(strstr(out->data, "41 lines in 1 file: 0 errors, "
	    "0 warnings"), "%s", out->data);
	buf_free(bp);
	buf_free(out);
}

Test(mtactl_log, rotated_files_are_one_stream)
{
	struct buf *bp = buf_new(0), *out = buf_new(0);
	const char *dir, *files[2], *args[6];

	/* rolled files older first by name, the current file last */
	dir = tsup_tmp_mkdir("rotated");
	story_write(bp, 27, NSTORY + 1);
	(void) tsup_tmp_write(tsup_strf("%s/mail.current", dir), bp->data,
	    bp->len);
	story_write(bp, 11, 27);
	(void) tsup_tmp_write(tsup_strf("%s/mail.@20261123T141000.s", dir),
	    bp->data, bp->len);
	story_write(bp, 1, 11);
	(void) tsup_tmp_write(tsup_strf("%s/mail.@20261123T140000.s", dir),
	    bp->data, bp->len);
	(void) tsup_tmp_write(tsup_strf("%s/.mail.lock", dir), "", 0);

	files[0] = dir;
	files[1] = NULL;
	track_cases("rotated", files);

	args[0] = "check";
	args[1] = "--strict";
	args[2] = "--finished";
	args[3] = dir;
	args[4] = NULL;
	cr_expect_eq(run(out, args), 0, "the rotated story: %s", out->data);
	cr_expect_not_null(strstr(out->data, "47 lines in 3 files: 0 errors"),
	    "%s", out->data);

	/* the current file alone: its MIDs began in an older file */
	args[3] = tsup_strf("%s/mail.current", dir);
	cr_expect_eq(run(out, args), 1, "%s", out->data);
	cr_expect_not_null(strstr(out->data, "mail.current:4: DCID 1 was not "
	    "started in these files"), "%s", out->data);
	args[1] = "--finished";
	args[2] = args[3];
	args[3] = NULL;
	cr_expect_eq(run(out, args), 0, "%s", out->data);
	cr_expect_not_null(strstr(out->data, "mail.current:4: warning: DCID 1 "
	    "was not started"), "%s", out->data);
	buf_free(bp);
	buf_free(out);
}

Test(mtactl_log, track_json)
{
	struct buf *bp = buf_new(0), *out = buf_new(0);
	const char *path, *args[6], *p;
	json_error_t jerr;
	json_t *obj, *fields;
	int	n = 0, subjects = 0;

	story_write(bp, 1, NSTORY + 1);
	path = tsup_tmp_write("story.log", bp->data, bp->len);
	args[0] = "track";
	args[1] = "--json";
	args[2] = "--icid";
	args[3] = "2";
	args[4] = path;
	args[5] = NULL;
	cr_assert_eq(run(out, args), 0, "%s", out->data);
	for (p = out->data; *p; p = strchr(p, '\n') + 1) {
		obj = json_loadb(p, strcspn(p, "\n"), 0, &jerr);
		cr_assert_not_null(obj, "line %d not JSON: %s", n + 1,
		    jerr.text);
		fields = json_object_get(obj, "fields");
		cr_expect_str_eq(json_string_value(json_object_get(obj,
		    "file")), path);
		cr_expect_eq(json_integer_value(json_object_get(obj, "line")),
		    mid2[n] + 3);
		cr_expect_str_eq(json_string_value(json_object_get(obj,
		    "time")), "Mon Nov 23 14:08:28 2026");
		cr_expect_str_eq(json_string_value(json_object_get(obj,
		    "message")), story[mid2[n]]);
		if (strcmp(json_string_value(json_object_get(obj, "type")),
		    "mid_subject") == 0) {
			cr_expect_str_eq(json_string_value(json_object_get(
			    fields, "subject")), "lunch \xc3\xa9");
			cr_expect_eq(json_integer_value(json_object_get(fields,
			    "mid")), 2);
			subjects++;
		}
		json_decref(obj);
		n++;
	}
	cr_expect_eq(n, 16);
	cr_expect_eq(subjects, 1);
	buf_free(bp);
	buf_free(out);
}

 /*
  * Two million lines: sessions of 15 lines each, the delivery of
  * message i-1 written after the reception of message i, so the
  * lines of one message are not together.
  */
#define BIG_LINES	2000000

/* big_rx - the reception lines of message i */

static void
big_rx(FILE *fp, unsigned long i, struct buf *keep)
{
	struct buf b;

	buf_init(&b, 1024);
	buf_printf(&b, P "New SMTP ICID %lu interface public (127.0.0.1) "
	    "address 10.0.%lu.%lu reverse dns host h%lu.example verified "
	    "yes\n", i, i % 256, i / 256 % 256, i);
	buf_printf(&b, P "ICID %lu ACCEPT SG None match ALL SBRS not "
	    "enabled\n", i);
	buf_printf(&b, P "Start MID %lu ICID %lu\n", i, i);
	buf_printf(&b, P "MID %lu ICID %lu From: <s%lu@example.org>\n", i, i,
	    i);
	buf_printf(&b, P "MID %lu ICID %lu RID 0 To: <r%lu@example.net>\n",
	    i, i, i);
	buf_printf(&b, P "MID %lu Subject 'subject %lu'\n", i, i);
	buf_printf(&b, P "MID %lu ready 1234 bytes from <s%lu@example.org>\n",
	    i, i);
	buf_printf(&b, P "MID %lu queued for delivery\n", i);
	buf_printf(&b, P "ICID %lu close\n", i);
	(void) fwrite(b.data, 1, b.len, fp);
	if (keep)
		buf_append(keep, b.data, b.len);
	buf_fini(&b);
}

/* big_tx - the delivery lines of message i */

static void
big_tx(FILE *fp, unsigned long i, struct buf *keep)
{
	struct buf b;

	buf_init(&b, 1024);
	buf_printf(&b, P "New SMTP DCID %lu interface 127.0.0.1 address "
	    "10.1.1.1 port 25\n", i);
	buf_printf(&b, P "Delivery start DCID %lu MID %lu to RID [0]\n", i, i);
	buf_printf(&b, P "Message done DCID %lu MID %lu to RID [0]\n", i, i);
	buf_printf(&b, P "MID %lu RID [0] Response '2.0.0 Ok: queued as "
	    "X%lu'\n", i, i);
	buf_printf(&b, P "Message finished MID %lu done\n", i);
	buf_printf(&b, P "DCID %lu close\n", i);
	(void) fwrite(b.data, 1, b.len, fp);
	if (keep)
		buf_append(keep, b.data, b.len);
	buf_fini(&b);
}

Test(mtactl_log, two_million_lines)
{
	const unsigned long pick = 77777;
	struct buf *want = buf_new(0), *out = buf_new(0);
	const char *path = tsup_tmp_path("big.log"), *args[6];
	unsigned long i, n;
	FILE   *fp;

	cr_assert_not_null(fp = fopen(path, "w"), "%s", path);
	(void) fputs(HEAD, fp);
	for (i = 1, n = 3; n < BIG_LINES; i++, n += 15) {
		big_rx(fp, i, i == pick ? want : NULL);
		if (i > 1)
			big_tx(fp, i - 1, i - 1 == pick ? want : NULL);
	}
	big_tx(fp, i - 1, NULL);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_gt(i, pick + 1);

	args[0] = "track";
	args[1] = "--mid";
	args[2] = "77777";
	args[3] = path;
	args[4] = NULL;
	cr_expect_eq(run(out, args), 0);
	cr_expect_str_eq(out->data, want->data, "--mid 77777");

	args[1] = "--from";
	args[2] = "S77777@example.org";
	cr_expect_eq(run(out, args), 0);
	cr_expect_str_eq(out->data, want->data, "--from");

	args[1] = "--subject";
	args[2] = "subject 77777";
	cr_expect_eq(run(out, args), 0);
	cr_expect_str_eq(out->data, want->data, "--subject");

	args[0] = "check";
	args[1] = "--strict";
	args[2] = "--finished";
	args[3] = path;
	cr_expect_eq(run(out, args), 0, "%s", out->data);
	cr_expect_not_null(strstr(out->data, " errors, 0 warnings"), "%s",
	    out->data);
	cr_expect_not_null(strstr(out->data, "lines in 1 file: 0 errors"),
	    "%s", out->data);
	buf_free(want);
	buf_free(out);
}
