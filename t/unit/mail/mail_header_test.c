/*
 * NAME
 *	mail_header_test - unit tests for mail/mail_header and mail_received
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mail_header.h"
#include "mail_received.h"

struct date_case {
	int	year, mon, mday, hour, min, sec, wday;
	long	gmtoff;
	const char *want;
};

Test(mail_header, dates)
{
	static const struct date_case cases[] = {
		{2026, 10, 23, 11, 30, 3, 1, 0,
		    "Mon, 23 Nov 2026 11:30:03 +0000"},
		{2026, 0, 1, 0, 0, 0, 4, 3600,
		    "Thu, 1 Jan 2026 00:00:00 +0100"},
		{1999, 11, 31, 23, 59, 59, 5, -18000,
		    "Fri, 31 Dec 1999 23:59:59 -0500"},
		{2026, 5, 9, 7, 5, 9, 2, 19800,
		    "Tue, 9 Jun 2026 07:05:09 +0530"},
		{2026, 5, 9, 7, 5, 60, 2, -34200,
		    "Tue, 9 Jun 2026 07:05:59 -0930"},
		{2026, 1, 28, 12, 0, 0, 6, 20700,
		    "Sat, 28 Feb 2026 12:00:00 +0545"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tm tm;
		struct buf b;

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = cases[i].year - 1900;
		tm.tm_mon = cases[i].mon;
		tm.tm_mday = cases[i].mday;
		tm.tm_hour = cases[i].hour;
		tm.tm_min = cases[i].min;
		tm.tm_sec = cases[i].sec;
		tm.tm_wday = cases[i].wday;
		buf_init(&b, 0);
		mail_header_date_tm(&tm, cases[i].gmtoff, &b);
		cr_assert_str_eq(b.data, cases[i].want, "case %zu", i);
		buf_fini(&b);
	}
}

Test(mail_header, date_from_time_utc)
{
	struct buf b;

	setenv("TZ", "UTC", 1);
	tzset();
	buf_init(&b, 0);
	mail_header_date(1795433403, &b);
	cr_assert_str_eq(b.data, "Mon, 23 Nov 2026 11:30:03 +0000");
	buf_fini(&b);
}

Test(mail_header, fold)
{
	struct mail_header_fold f;
	struct buf b;
	char	huge[120];

	buf_init(&b, 0);
	mail_header_fold_init(&f, &b, "X-Test");
	mail_header_fold_word(&f, "short");
	mail_header_fold_end(&f);
	cr_assert_str_eq(b.data, "X-Test: short\r\n");

	buf_reset(&b);
	mail_header_fold_init(&f, &b, "X-Test");
	mail_header_fold_word(&f, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	mail_header_fold_word(&f, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	mail_header_fold_word(&f, "c");
	mail_header_fold_end(&f);
	cr_assert_str_eq(b.data,
	    "X-Test: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
	    "\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb c\r\n");

	/* A word longer than a line stays whole, on its own line. */
	memset(huge, 'h', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = 0;
	buf_reset(&b);
	mail_header_fold_init(&f, &b, "X-Test");
	mail_header_fold_word(&f, "a");
	mail_header_fold_word(&f, huge);
	mail_header_fold_word(&f, "z");
	mail_header_fold_end(&f);
	cr_assert(strstr(b.data, "X-Test: a\r\n\thhh") == b.data);
	cr_assert(strstr(b.data, "h\r\n\tz\r\n") != NULL, "%s", b.data);

	/* A line of exactly 78 columns stays; 79 folds. */
	{
		char	w73[74];

		memset(w73, 'w', 73);
		w73[73] = 0;
		buf_reset(&b);
		mail_header_fold_init(&f, &b, "X");
		mail_header_fold_word(&f, w73);
		mail_header_fold_word(&f, "y");
		mail_header_fold_end(&f);
		cr_assert_eq(b.len, 78 + 2, "%s", b.data);
		cr_assert_str_eq(b.data + 76, " y\r\n");
		buf_reset(&b);
		mail_header_fold_init(&f, &b, "X");
		mail_header_fold_word(&f, w73);
		mail_header_fold_word(&f, "yz");
		mail_header_fold_end(&f);
		cr_assert_str_eq(b.data + 76, "\r\n\tyz\r\n", "%s", b.data);
	}
	buf_fini(&b);
}

/* max_line - longest line of a folded field, without CR LF */

static size_t
max_line(const char *s)
{
	size_t	max = 0;
	const char *nl;

	while ((nl = strstr(s, "\r\n")) != NULL) {
		if ((size_t) (nl - s) > max)
			max = (size_t) (nl - s);
		s = nl + 2;
	}
	return (max);
}

struct rcvd_case {
	const char *label;
	struct mail_received r;
	const char *want;
};

Test(mail_header, received)
{
	static struct tm tm;
	struct rcvd_case cases[] = {
		{"plain esmtp, one rcpt", {
		    .helo = "client.example", .esmtp = 1,
		    .client_name = "mail.client.example",
		    .client_addr = "192.0.2.1", .by_host = "mx.example",
		    .id = "12345", .rcpt = "<b@example.net>", .tm = &tm},
		    "Received: from client.example (mail.client.example "
		    "[192.0.2.1]) by mx.example\r\n"
		    "\twith ESMTP id 12345 for <b@example.net>; "
		    "Mon, 23 Nov 2026 11:30:03 +0000\r\n"},
		{"helo, unknown name, no id", {
		    .helo = "x", .client_addr = "192.0.2.1",
		    .by_host = "mx.example", .tm = &tm},
		    "Received: from x (unknown [192.0.2.1]) by mx.example with "
		    "SMTP;\r\n"
		    "\tMon, 23 Nov 2026 11:30:03 +0000\r\n"},
		{"tls, auth, ipv6", {
		    .helo = "c.example", .esmtp = 1, .authenticated = 1,
		    .client_addr = "2001:db8::1", .by_host = "mx.example",
		    .tls_version = "TLSv1.3", .tls_cipher =
		    "TLS_AES_256_GCM_SHA384", .tls_bits = 256, .id = "7",
		    .tm = &tm},
		    "Received: from c.example (unknown [IPv6:2001:db8::1])\r\n"
		    "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
		    "(256 bits)) by mx.example\r\n"
		    "\twith ESMTPSA id 7; Mon, 23 Nov 2026 11:30:03 +0000\r\n"},
		{"hostile helo", {
		    .helo = "a\r\nX-Injected: y (z)\\", .esmtp = 1,
		    .client_addr = "192.0.2.9", .by_host = "mx.example",
		    .id = "1", .tm = &tm},
		    "Received: from a??X-Injected:?y??z?? (unknown "
		    "[192.0.2.9]) by mx.example\r\n"
		    "\twith ESMTP id 1; Mon, 23 Nov 2026 11:30:03 +0000\r\n"},
		{"no helo", {.client_addr = "192.0.2.1", .by_host = "mx",
		    .tls_version = "TLSv1.2", .tls_cipher = "ECDHE-RSA-AES128"
		    "-GCM-SHA256", .tm = &tm},
		    "Received: from unknown (unknown [192.0.2.1])\r\n"
		    "\t(using TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256) "
		    "by mx with ESMTPS;\r\n"
		    "\tMon, 23 Nov 2026 11:30:03 +0000\r\n"},
	};
	size_t	i;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 126;
	tm.tm_mon = 10;
	tm.tm_mday = 23;
	tm.tm_hour = 11;
	tm.tm_min = 30;
	tm.tm_sec = 3;
	tm.tm_wday = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;

		buf_init(&b, 0);
		mail_received_format(&cases[i].r, &b);
		cr_assert_str_eq(b.data, cases[i].want, "%s:\n%s",
		    cases[i].label, b.data);
		cr_assert(max_line(b.data) <= 78, "%s: line of %zu",
		    cases[i].label, max_line(b.data));
		buf_fini(&b);
	}
}

Test(mail_header, received_never_breaks_field)
{
	struct mail_received r;
	struct buf b;
	char	helo[600];
	size_t	i, crlf = 0;

	for (i = 0; i < sizeof(helo) - 1; i++)
		helo[i] = (char) (1 + i % 255);
	helo[sizeof(helo) - 1] = 0;
	memset(&r, 0, sizeof(r));
	r.helo = helo;
	r.client_addr = "192.0.2.1";
	r.by_host = "mx";
	r.rcpt = "<\"a\r\nb\"@x>";
	r.when = 0;
	buf_init(&b, 0);
	mail_received_format(&r, &b);
	for (i = 0; i + 1 < b.len; i++) {
		cr_assert(b.data[i] != '\n' || (i > 0 && b.data[i - 1] == '\r'),
		    "bare LF at %zu", i);
		cr_assert(b.data[i] != '\r' || b.data[i + 1] == '\n',
		    "bare CR at %zu", i);
		if (b.data[i] == '\r') {
			crlf++;
			/* Every line after the first is a continuation. */
			cr_assert(i + 2 == b.len || b.data[i + 2] == '\t',
			    "new field at %zu", i);
		}
	}
	cr_assert(crlf >= 2);
	cr_assert(strstr(b.data, "<\"a??b\"@x>;") != NULL, "%s", b.data);
	buf_fini(&b);
}
