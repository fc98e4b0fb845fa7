/*
 * NAME
 *	outbound_test - delivery through the real gateway to real peers
 * DESCRIPTION
 *	Each test starts mtad with delivery processes, SMTP routes to
 *	scripted SMTP servers on loopback (tsup_smtpd) and its own
 *	unbound, sends mail in with swaks and checks what the peers
 *	received and the mail log lines (masked, compared byte for byte).
 *
 *	Covered: one message end to end; partial success over two
 *	domains (550, 450 then retried, 250) with the DSN to the sender;
 *	the retry back-off, its cap and expiry; double bounces; next hops
 *	through unbound (a route host by name, NXDOMAIN, a temporary DNS
 *	failure); SMTP route selection; connection reuse and its limit;
 *	the concurrency limit; replies at DATA and after the dot; peer
 *	dialects (no PIPELINING, HELO, 251); dot-stuffing and folding; a
 *	delivery process killed mid-DATA, a power cut, a restart with
 *	deferred mail, a reload; the required-TLS alert and its throttle.
 *	No sleeps decide an outcome: every wait polls for a condition.
 */
#include "config.h"

#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

TestSuite(outbound, .init = tsup_init, .fini = tsup_fini, .timeout = 90);

/* out_finished - wait for "Message finished MID m done" */

static void
out_finished(const struct mtad_inst *mi, unsigned long mid)
{
	(void) mtad_wait_log(mi, tsup_strf("Message finished MID %lu done$",
	    mid));
}

/* out_peer - a lenient scripted peer with rules */

static struct tsup_smtpd *
out_peer(const struct tsup_smtpd_rule *rules)
{
	struct tsup_smtpd_opts so;

	memset(&so, 0, sizeof(so));
	so.rules = rules;
	so.no_starttls = 1;
	return (tsup_smtpd_start(&so));
}

/* out_dump - the whole mail log, masked, for failure messages */

static const char *
out_dump(const struct mtad_inst *mi)
{
	return (mtad_lines(mi, ".", mtad_mask_delivery));
}

/* out_msg - message n of connection conn of a peer */

static const char *
out_msg(struct tsup_smtpd *s, int conn, int n)
{
	struct buf *b = buf_new(0);
	const char *result;

	if (tsup_smtpd_message(s, conn, n, b) != 0)
		tsup_fail("peer has no message %d on connection %d; its log:"
		    "\n%s", n, conn, tsup_smtpd_log(s));
	result = tsup_strf("%s", b->data);
	buf_free(b);
	return (result);
}

/* out_wait_msg - wait until a peer has message n of connection conn */

static const char *
out_wait_msg(struct tsup_smtpd *s, int conn, int n)
{
	int	waited;

	for (waited = 0; waited < tsup_deadline_ms(); waited += 50) {
		struct buf *b = buf_new(0);
		int	got = tsup_smtpd_message(s, conn, n, b) == 0
		    && strstr(tsup_smtpd_log(s), tsup_strf("%d * DATA ",
		    conn)) != NULL;

		buf_free(b);
		if (got)
			return (out_msg(s, conn, n));
		(void) usleep(50000);
	}
	tsup_fail("peer got no message %d on connection %d; its log:\n%s",
	    n, conn, tsup_smtpd_log(s));
}

/* out_wait_count - wait until n mail log lines match regex */

static void
out_wait_count(const struct mtad_inst *mi, const char *regex, int n)
{
	int	waited;

	for (waited = 0; waited < tsup_deadline_ms(); waited += 50) {
		if (mtad_log_count(mi, regex) >= n)
			return;
		(void) usleep(50000);
	}
	tsup_fail("fewer than %d log lines match %s:\n%s", n, regex,
	    out_dump(mi));
}

/* out_count - occurrences of a substring */

static int
out_count(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return (n);
}

/* out_route - one smtp_routes entry for a domain to a peer */

static const char *
out_route(const char *domain, const struct tsup_smtpd *s)
{
	return (tsup_strf("  %s: [\"127.0.0.1:%d\"]\n", domain,
	    tsup_smtpd_port(s)));
}


Test(outbound, end_to_end_one_message)
{
	struct tsup_smtpd *peer = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	const char *msg;
	const char *got;
	unsigned long mid;

	spec.top = tsup_strf("smtp_routes:\n%s", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from alice@src.test --to bob@dest.test "
	    "--header 'Subject: end to end' --header "
	    "'Message-Id: <e2e@src.test>' --body 'first line\nsecond line'");
	out_finished(mi, mid);
	(void) mtad_wait_log(mi, "DCID [0-9]+ close$");
	got = mtad_lines(mi, "DCID|Response|Message finished|pending|Delayed|"
	    "Bounced", mtad_mask_delivery);
	cr_expect_str_eq(got,
	    "TIMESTAMP Info: New SMTP DCID N interface 127.0.0.1 address "
	    "127.0.0.1 port P\n"
	    "TIMESTAMP Info: Delivery start DCID N MID N to RID [N]\n"
	    "TIMESTAMP Info: MID N RID [N] Response '2.0.0 Ok: queued as "
	    "TSUP1M1'\n"
	    "TIMESTAMP Info: Message done DCID N MID N to RID [N]\n"
	    "TIMESTAMP Info: Message finished MID N done\n"
	    "TIMESTAMP Info: DCID N close\n", "log:\n%s", got);
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Delivery start DCID [0-9]+ "
	    "MID %lu to RID \\[0\\]$", mid)), 1, "%s", out_dump(mi));
	msg = out_msg(peer, 1, 1);
	cr_expect(strncmp(msg, "Received: from client.test (localhost.test "
	    "[127.0.0.1]) by mx.test.example\r\n\twith ESMTP id ", 79) == 0,
	    "Received line first:\n%s", msg);
	cr_expect_eq(out_count(msg, "Received:"), 1, "%s", msg);
	cr_expect(strstr(msg, "\r\nTo: bob@dest.test\r\nFrom: alice@src.test"
	    "\r\nSubject: end to end\r\nMessage-Id: <e2e@src.test>\r\n")
	    != NULL, "headers intact:\n%s", msg);
	cr_expect(strstr(msg, "\r\n\r\nfirst line\r\nsecond line\r\n") != NULL,
	    "body intact:\n%s", msg);
	cr_expect(strstr(tsup_smtpd_log(peer), "1 < MAIL FROM:<alice@src.test>"
	    " SIZE=") != NULL, "%s", tsup_smtpd_log(peer));
	cr_expect(strstr(tsup_smtpd_log(peer), "1 < RCPT TO:<bob@dest.test>\n")
	    != NULL, "%s", tsup_smtpd_log(peer));
	cr_expect_eq(mtad_queued(mi), 0, "spool empty");
	mtad_stop(mi);
}

Test(outbound, recipients_on_two_domains_with_partial_success)
{
	static const struct tsup_smtpd_rule a_rules[] = {
		{.verb = "RCPT", .times = 1},
		{.verb = "RCPT", .times = 1,
		.reply = "550 5.1.1 <rej@a.test>: Recipient address rejected"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule b_rules[] = {
		{.verb = "RCPT", .times = 1,
		.reply = "450 4.2.1 <tmp@b.test>: Mailbox busy, try later"},
		{.verb = NULL},
	};
	struct tsup_smtpd *a = out_peer(a_rules);
	struct tsup_smtpd *b = out_peer(b_rules);
	struct tsup_smtpd *src = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	const char *got;
	const char *dsn;
	const char *blog;
	unsigned long mid;

	spec.top = tsup_strf("smtp_routes:\n%s%s%s"
	    "bounce_profiles:\n  Default: {initial_retry: 1s, max_retry: 2s}\n",
	    out_route("a.test", a), out_route("b.test", b),
	    out_route("src.test", src));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from alice@src.test --to ok@a.test,rej@a.test,"
	    "tmp@b.test,ok2@b.test --header 'Subject: partial'");
	out_finished(mi, mid);
	/* Two jobs: a.test and b.test, each its own connection. */
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Delivery start DCID [0-9]+ "
	    "MID %lu to RID \\[0, 1\\]$", mid)), 1, "%s", out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Delivery start DCID [0-9]+ "
	    "MID %lu to RID \\[2, 3\\]$", mid)), 1, "%s", out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Delivery start DCID [0-9]+ "
	    "MID %lu to RID \\[2\\]$", mid)), 1, "the retry: %s",
	    out_dump(mi));
	got = mtad_lines(mi, tsup_strf("MID %lu |Message [0-9]+ to", mid),
	    mtad_mask_delivery);
	cr_expect(strstr(got, "Info: Bounced: DCID N MID N to RID N - 5.1.1 - "
	    "Bad destination email address ('550', ['5.1.1 <rej@a.test>: "
	    "Recipient address rejected']) []\n") != NULL, "550 bounced:\n%s",
	    got);
	cr_expect(strstr(got, "Info: Delayed: DCID N MID N to RID N - 4.2.1 - "
	    "Mailbox disabled, not accepting messages ('450', ['4.2.1 "
	    "<tmp@b.test>: Mailbox busy, try later'])[]\n") != NULL,
	    "450 delayed:\n%s", got);
	cr_expect(strstr(got, "Info: Message N to RID [N] pending till TIME\n")
	    != NULL, "pending:\n%s", got);
	/* The retry delivered tmp@b.test alone. */
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Message done DCID [0-9]+ "
	    "MID %lu to RID \\[2\\]$", mid)), 1, "%s", out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Message done DCID [0-9]+ "
	    "MID %lu to RID \\[3\\]$", mid)), 1, "%s", out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Message done DCID [0-9]+ "
	    "MID %lu to RID \\[0\\]$", mid)), 1, "%s", out_dump(mi));
	blog = tsup_smtpd_log(b);
	cr_expect(out_count(blog, "< RCPT TO:<tmp@b.test>") == 2, "%s", blog);
	cr_expect(out_count(blog, "< RCPT TO:<ok2@b.test>") == 1, "%s", blog);
	/* The DSN to the sender: a multipart/report with the 550 text. */
	(void) mtad_wait_log(mi, "Message finished MID [0-9]+ done$");
	(void) mtad_wait_log(mi, tsup_strf("generated for bounce of MID %lu$",
	    mid));
	(void) mtad_wait_text(mi, "Response");
	dsn = out_wait_msg(src, 1, 1);
	cr_expect(strstr(tsup_smtpd_log(src), "1 < MAIL FROM:<>") != NULL,
	    "%s", tsup_smtpd_log(src));
	cr_expect(strstr(tsup_smtpd_log(src), "1 < RCPT TO:<alice@src.test>")
	    != NULL, "%s", tsup_smtpd_log(src));
	cr_expect(strstr(dsn, "multipart/report") != NULL, "%s", dsn);
	cr_expect(strstr(dsn, "report-type=delivery-status") != NULL, "%s",
	    dsn);
	cr_expect(strstr(dsn, "\r\nFinal-Recipient: rfc822;rej@a.test\r\n"
	    "Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 "
	    "5.1.1 <rej@a.test>: Recipient address rejected\r\n") != NULL,
	    "%s", dsn);
	cr_expect(strstr(dsn, "Recipient address rejected") != NULL, "%s",
	    dsn);
	cr_expect_eq(out_count(dsn, "Final-Recipient:"), 1, "only the "
	    "bounced one:\n%s", dsn);
	mtad_stop(mi);
}

/* out_ctime - parse an AsyncOS "Mon Nov 23 14:43:18 2026" time */

static time_t
out_ctime(const char *text)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(text, "%a %b %d %H:%M:%S %Y", &tm) == NULL)
		tsup_fail("not a time: %s", text);
	tm.tm_isdst = -1;
	return (mktime(&tm));
}

/* out_pending_gaps - the waits a message's "pending till" lines announce */

static int
out_pending_gaps(const struct mtad_inst *mi, unsigned long mid, long *gaps,
    int max)
{
	struct buf *lines = buf_new(0);
	const char *p;
	int	n = 0;

	(void) tsup_log_grep(mi->log, TSUP_LOG_REGEX, tsup_strf("Message %lu "
	    "to RID \\[[0-9, ]+\\] pending till ", mid), lines);
	for (p = lines->data; *p && n < max;) {
		const char *nl = strchr(p, '\n');
		const char *till = strstr(p, " pending till ") + 14;

		gaps[n++] = (long) (out_ctime(till) - out_ctime(p));
		p = nl ? nl + 1 : p + strlen(p);
	}
	buf_free(lines);
	return (n);
}

/* A peer that turns every connection away with 421. */
static const struct tsup_smtpd_rule out_busy[] = {
	{.verb = "CONNECT", .reply = "421 4.3.2 Service not available",
	.action = TSUP_SMTPD_CLOSE},
	{.verb = NULL},
};

Test(outbound, retries_back_off_then_expire)
{
	struct tsup_smtpd *peer = out_peer(out_busy);
	struct tsup_smtpd *src = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	const char *got;
	const char *dsn;
	unsigned long mid;
	long	gaps[8];
	int	n;

	spec.top = tsup_strf("smtp_routes:\n%s%s"
	    "bounce_profiles:\n  Default: {initial_retry: 2s, max_retry: 4s, "
	    "max_retries: 3}\n", out_route("busy.test", peer),
	    out_route("src.test", src));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from alice@src.test --to bob@busy.test");
	/* Ten seconds of waits: longer than one default deadline. */
	(void) tsup_log_wait(mi->log, TSUP_LOG_REGEX, tsup_strf("Message "
	    "finished MID %lu done$", mid), 3 * tsup_deadline_ms());
	/* First try, then 3 retries, then give up. */
	cr_expect_eq(tsup_smtpd_conns(peer), 4, "%s", tsup_smtpd_log(peer));
	n = out_pending_gaps(mi, mid, gaps, 8);
	cr_assert_eq(n, 3, "three pending lines:\n%s", out_dump(mi));
	/*
	 * Times are whole seconds: "pending till" is the attempt's second
	 * plus the interval, written up to a second later. Waits of 2 s,
	 * 4 s (doubled) and 4 s (capped, not 8 s).
	 */
	cr_expect(gaps[0] >= 1 && gaps[0] <= 2, "first wait %ld", gaps[0]);
	cr_expect(gaps[1] >= 3 && gaps[1] <= 4, "second wait %ld (doubled)",
	    gaps[1]);
	cr_expect(gaps[2] >= 3 && gaps[2] <= 4, "third wait %ld (capped)",
	    gaps[2]);
	got = mtad_lines(mi, tsup_strf("Bounced|Delayed|MID %lu$|MID %lu done",
	    mid, mid), mtad_mask_delivery);
	cr_expect_str_eq(got,
	    "TIMESTAMP Info: Delayed: DCID N MID N to RID N - 4.3.2 - Not "
	    "accepting messages at this time ('421', ['4.3.2 Service not "
	    "available'])[]\n"
	    "TIMESTAMP Info: Delayed: DCID N MID N to RID N - 4.3.2 - Not "
	    "accepting messages at this time ('421', ['4.3.2 Service not "
	    "available'])[]\n"
	    "TIMESTAMP Info: Delayed: DCID N MID N to RID N - 4.3.2 - Not "
	    "accepting messages at this time ('421', ['4.3.2 Service not "
	    "available'])[]\n"
	    "TIMESTAMP Info: Delayed: DCID N MID N to RID N - 4.3.2 - Not "
	    "accepting messages at this time ('421', ['4.3.2 Service not "
	    "available'])[]\n"
	    "TIMESTAMP Info: Bounced: DCID N MID N to RID N - 5.4.7 - Delivery "
	    "expired (message too old) ('421', ['4.3.2 Service not "
	    "available']) []\n"
	    "TIMESTAMP Info: MID N was generated for bounce of MID N\n"
	    "TIMESTAMP Info: Message finished MID N done\n",
	    "%s", out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Bounced: DCID 0 MID %lu ",
	    mid)), 1, "expiry: DCID 0\n%s", out_dump(mi));
	dsn = out_wait_msg(src, 1, 1);
	cr_expect(strstr(dsn, "\r\nFinal-Recipient: rfc822;bob@busy.test\r\n"
	    "Action: failed\r\nStatus: 5.4.7\r\n") != NULL, "%s", dsn);
	mtad_stop(mi);
}

Test(outbound, null_sender_bounce_is_a_double_bounce)
{
	static const struct tsup_smtpd_rule reject[] = {
		{.verb = "RCPT", .reply = "550 5.1.1 No such user"},
		{.verb = NULL},
	};
	struct tsup_smtpd *peer = out_peer(reject);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	const char *got;
	unsigned long mid;

	spec.top = tsup_strf("smtp_routes:\n%s", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from '<>' --to nobody@dest.test");
	out_finished(mi, mid);
	got = mtad_lines(mi, "Bounced|bounce|Message finished",
	    mtad_mask_delivery);
	cr_expect_str_eq(got,
	    "TIMESTAMP Info: Bounced: DCID N MID N to RID N - 5.1.1 - Bad "
	    "destination email address ('550', ['5.1.1 No such user']) []\n"
	    "TIMESTAMP Info: Double bounce: Message N to 0 - 5.1.1 - Bad "
	    "destination email address\n"
	    "TIMESTAMP Info: Message finished MID N done\n", "%s",
	    out_dump(mi));
	cr_expect(strstr(tsup_smtpd_log(peer), "1 < MAIL FROM:<>") != NULL,
	    "%s", tsup_smtpd_log(peer));
	cr_expect_eq(mtad_log_count(mi, "Start MID"), 1, "no DSN queued:\n%s",
	    out_dump(mi));
	cr_expect_eq(mtad_queued(mi), 0);
	mtad_stop(mi);
}

Test(outbound, next_hops_through_unbound)
{
	struct tsup_smtpd *peer = out_peer(NULL);
	struct tsup_smtpd *src = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	const char *dsn;
	unsigned long named, nx, temp;

	spec.zone = "local-data: \"peer.test. A 127.0.0.1\"\n";
	spec.top = tsup_strf("smtp_routes:\n"
	    "  named.test: [\"peer.test:%d\"]\n"
	    "  temp.test: [\"host.elsewhere.example:%d\"]\n%s",
	    tsup_smtpd_port(peer), tsup_smtpd_port(peer),
	    out_route("src.test", src));
	mi = mtad_start(&spec);

	/* A route host by name, resolved by the instance's unbound. */
	named = mtad_send(mi, "--from alice@src.test --to bob@named.test");
	out_finished(mi, named);
	cr_expect(strstr(out_wait_msg(peer, 1, 1), "\r\nTo: bob@named.test\r\n")
	    != NULL, "%s", tsup_smtpd_log(peer));

	/* No route, no such domain: a DNS hard error bounces. */
	nx = mtad_send(mi, "--from alice@src.test --to bob@nx.test");
	out_finished(mi, nx);
	cr_expect_str_eq(mtad_lines(mi, "DNS |Bounced", mtad_mask_delivery),
	    "TIMESTAMP Info: DNS Error nx.test MX - NXDomain\n"
	    "TIMESTAMP Info: Bounced: DCID N MID N to RID N - 5.1.2 - Bad "
	    "destination host ('000', ['DNS Hard Error looking up nx.test "
	    "(MX):  NXDomain']) []\n", "%s", out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Bounced: DCID 0 MID %lu ",
	    nx)), 1, "no connection: DCID 0");
	dsn = out_wait_msg(src, 1, 1);
	cr_expect(strstr(dsn, "\r\nFinal-Recipient: rfc822;bob@nx.test\r\n"
	    "Action: failed\r\nStatus: 5.1.2\r\n") != NULL, "%s", dsn);

	/* A route name that cannot be resolved now: deferred. */
	temp = mtad_send(mi, "--from alice@src.test --to bob@temp.test");
	(void) mtad_wait_log(mi, "pending till");
	cr_expect_str_eq(mtad_lines(mi, "DNS Temp|Delayed", mtad_mask_delivery),
	    "TIMESTAMP Info: DNS Temporary Failure host.elsewhere.example MX - "
	    "Refused\n"
	    "TIMESTAMP Info: Delayed: DCID N MID N to RID N - 4.4.3 - "
	    "Routing server failure ('000', ['DNS Soft Error looking up "
	    "host.elsewhere.example (MX):  Refused'])[]\n", "%s",
	    out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Delayed: DCID 0 MID %lu ",
	    temp)), 1, "no connection: DCID 0");
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Message finished MID %lu ",
	    temp)), 0);
	cr_expect_eq(mtad_queued(mi), 1, "the deferred message stays");
	cr_expect_eq(tsup_smtpd_conns(peer), 1, "%s", tsup_smtpd_log(peer));
	mtad_stop(mi);
}

/* out_dcids - the DCIDs of the "Delivery start" lines, in order */

static int
out_dcids(const struct mtad_inst *mi, const char *regex,
    unsigned long *dcids, int max)
{
	struct buf *lines = buf_new(0);
	const char *p;
	int	n = 0;

	(void) tsup_log_grep(mi->log, TSUP_LOG_REGEX, regex, lines);
	for (p = lines->data; *p && n < max;) {
		const char *nl = strchr(p, '\n');
		const char *d = strstr(p, "Delivery start DCID ");

		if (d != NULL)
			dcids[n++] = strtoul(d + 20, NULL, 10);
		p = nl ? nl + 1 : p + strlen(p);
	}
	buf_free(lines);
	return (n);
}

Test(outbound, connections_are_reused)
{
	static const struct {
		const char *label;
		const char *domain;
		const char *controls;
		int	conns;
	} cases[] = {
		{"one connection for all", "reuse.test",
		"{max_concurrency: 1}", 1},
		{"two messages per connection", "pairs.test",
		"{max_concurrency: 1, max_msgs_per_conn: 2}", 3},
	};
	struct tsup_smtpd *peers[2];
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	struct buf *routes = buf_new(0);
	struct buf *dc = buf_new(0);
	size_t	i;

	for (i = 0; i < 2; i++) {
		peers[i] = out_peer(NULL);
		buf_puts(routes, out_route(cases[i].domain, peers[i]));
		buf_printf(dc, "    %s: %s\n", cases[i].domain,
		    cases[i].controls);
	}
	spec.top = tsup_strf("smtp_routes:\n%sdestination_controls:\n"
	    "  domains:\n%s", routes->data, dc->data);
	mi = mtad_start(&spec);
	for (i = 0; i < 2; i++) {
		unsigned long mids[5];
		unsigned long dcids[8];
		int	n, k, distinct = 1;

		for (k = 0; k < 5; k++)
			mids[k] = mtad_send(mi, tsup_strf("--from a@src.test "
			    "--to r%d@%s", k, cases[i].domain));
		for (k = 0; k < 5; k++)
			out_finished(mi, mids[k]);
		n = out_dcids(mi, tsup_strf("Delivery start DCID [0-9]+ MID "
		    "(%lu|%lu|%lu|%lu|%lu) ", mids[0], mids[1], mids[2],
		    mids[3], mids[4]), dcids, 8);
		cr_expect_eq(n, 5, "%s: five deliveries\n%s", cases[i].label,
		    out_dump(mi));
		for (k = 1; k < n; k++)
			distinct += dcids[k] != dcids[k - 1];
		cr_expect_eq(distinct, cases[i].conns, "%s: DCIDs\n%s",
		    cases[i].label, out_dump(mi));
		cr_expect_eq(tsup_smtpd_conns(peers[i]), cases[i].conns,
		    "%s: peer\n%s", cases[i].label,
		    tsup_smtpd_log(peers[i]));
		/* Later messages on a connection: no second EHLO. */
		cr_expect_eq(out_count(tsup_smtpd_log(peers[i]), "< EHLO "),
		    cases[i].conns, "%s\n%s", cases[i].label,
		    tsup_smtpd_log(peers[i]));
	}
	mtad_stop(mi);
	buf_free(routes);
	buf_free(dc);
}

/* out_overlap - did connection n+1 start before connection n ended */

static int
out_overlap(const char *plog, int conns)
{
	int	n;

	for (n = 1; n < conns; n++) {
		const char *next = strstr(plog, tsup_strf("\n%d * CONNECT\n",
		    n + 1));
		const char *end;

		if (next == NULL)
			return (-1);
		if ((end = strstr(plog, tsup_strf("\n%d * EOF\n", n))) == NULL
		    && (end = strstr(plog, tsup_strf("\n%d * CLOSE\n", n)))
		    == NULL)
			return (n);
		if (end > next)
			return (n);
	}
	return (0);
}

Test(outbound, concurrency_limit_holds_with_a_slow_peer)
{
	static const struct tsup_smtpd_rule slow[] = {
		{.verb = "DOT", .reply = "", .action = TSUP_SMTPD_HOLD,
		.conn = 1},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts so;
	struct tsup_smtpd *peer;
	struct mtad_spec spec = {.delivery = 2};
	struct mtad_inst *mi;
	unsigned long mids[3];
	const char *plog;
	int	k, over;

	memset(&so, 0, sizeof(so));
	so.no_starttls = 1;
	so.concurrent = 1;
	so.rules = slow;
	peer = tsup_smtpd_start(&so);
	spec.top = tsup_strf("smtp_routes:\n%sdestination_controls:\n"
	    "  domains:\n    slow.test: {max_concurrency: 1}\n"
	    "delivery:\n  data_timeout: 2s\n"
	    "bounce_profiles:\n  Default: {initial_retry: 1s}\n",
	    out_route("slow.test", peer));
	mi = mtad_start(&spec);
	for (k = 0; k < 3; k++)
		mids[k] = mtad_send(mi, tsup_strf("--from a@src.test --to "
		    "r%d@slow.test", k));
	for (k = 0; k < 3; k++)
		out_finished(mi, mids[k]);
	plog = tsup_smtpd_log(peer);
	over = out_overlap(tsup_strf("\n%s", plog), tsup_smtpd_conns(peer));
	cr_expect_eq(over, 0, "connection %d overlapped the next:\n%s", over,
	    plog);
	cr_expect(tsup_smtpd_conns(peer) >= 2, "the held connection was "
	    "given up:\n%s", plog);
	cr_expect_eq(mtad_log_count(mi, "Delayed: .*4\\.4\\.[0-9]"), 1,
	    "the held message was deferred once:\n%s", out_dump(mi));
	mtad_stop(mi);
}

/* out_delivery_pid - a delivery process of the instance */

static pid_t
out_delivery_pid(const struct mtad_inst *mi)
{
	pid_t	pids[16];
	int	n = mtad_children(mi, pids, 16);
	int	i;

	for (i = 0; i < n; i++) {
		struct buf *cmd = buf_new(0);
		size_t	j;
		int	hit;

		tsup_tmp_read(tsup_strf("/proc/%ld/cmdline", (long) pids[i]),
		    cmd);
		for (j = 0; j < cmd->len; j++)
			if (cmd->data[j] == '\0')
				cmd->data[j] = ' ';
		hit = strstr(cmd->data, "-X delivery") != NULL;
		buf_free(cmd);
		if (hit)
			return (pids[i]);
	}
	tsup_fail("no delivery process among %d children", n);
}

Test(outbound, delivery_process_killed_mid_data)
{
	static const struct tsup_smtpd_rule hold[] = {
		{.verb = "DOT", .reply = "", .action = TSUP_SMTPD_HOLD,
		.conn = 1},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts so;
	struct tsup_smtpd *peer;
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long mid;
	const char *msg;

	memset(&so, 0, sizeof(so));
	so.no_starttls = 1;
	so.concurrent = 1;
	so.rules = hold;
	peer = tsup_smtpd_start(&so);
	spec.top = tsup_strf("smtp_routes:\n%s", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from a@src.test --to b@dest.test --header "
	    "'Subject: survivor'");
	(void) out_wait_msg(peer, 1, 1);
	cr_assert(kill(out_delivery_pid(mi), SIGKILL) == 0);
	out_finished(mi, mid);
	msg = out_wait_msg(peer, 2, 1);
	cr_expect(strstr(msg, "\r\nSubject: survivor\r\n") != NULL, "%s", msg);
	cr_expect_eq(mtad_queued(mi), 0);
	mtad_stop(mi);
}

Test(outbound, restart_resumes_deferred_mail)
{
	static const struct tsup_smtpd_rule once[] = {
		{.verb = "CONNECT", .reply = "421 4.3.2 Try again later",
		.action = TSUP_SMTPD_CLOSE, .times = 1},
		{.verb = NULL},
	};
	struct tsup_smtpd *peer = out_peer(once);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long mid;
	int	status;

	spec.top = tsup_strf("smtp_routes:\n%sbounce_profiles:\n  Default: "
	    "{initial_retry: 3s}\n", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from a@src.test --to b@dest.test --header "
	    "'Subject: deferred'");
	(void) mtad_wait_log(mi, "pending till");
	tsup_proc_signal(mi->proc, SIGTERM);
	cr_assert_eq(tsup_proc_wait(mi->proc, 0, &status), 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "0x%x",
	    status);
	cr_assert_eq(tsup_spool_count(tsup_strf("%s/deferred", mi->spool), ""),
	    1, "the message waits in deferred/");
	cr_assert_eq(tsup_smtpd_conns(peer), 1);
	mtad_restart(mi);
	out_finished(mi, mid);
	cr_expect(strstr(out_wait_msg(peer, 2, 1), "\r\nSubject: deferred\r\n")
	    != NULL, "%s", tsup_smtpd_log(peer));
	cr_expect_eq(mtad_queued(mi), 0);
	mtad_stop(mi);
}

Test(outbound, required_tls_failure_alert_is_sent_once)
{
	struct tsup_smtpd *clear = out_peer(NULL);
	struct tsup_smtpd *ops = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	const char *alert;

	spec.top = tsup_strf("smtp_routes:\n%s%s"
	    "destination_controls:\n  tls_failure_alert: true\n"
	    "  domains:\n    secure.test: {tls: required}\n"
	    "alerts:\n  recipients: [ops@alerts.test]\n"
	    "bounce_profiles:\n  Default: {initial_retry: 1s}\n",
	    out_route("secure.test", clear), out_route("alerts.test", ops));
	mi = mtad_start(&spec);
	(void) mtad_send(mi, "--from a@src.test --to b@secure.test");
	(void) mtad_wait_log(mi, tsup_strf("Message [0-9]+ to RID \\[0\\] "
	    "pending till"));
	cr_expect_str_eq(mtad_lines(mi, "alert was sent", mtad_mask_delivery),
	    "TIMESTAMP Info: A System/Warning alert was sent to "
	    "ops@alerts.test with subject \"Warning-mx.test.example: (System) "
	    "TLS was required for delivery to secure.test but could not be "
	    "successfully negotiated\".\n", "%s", out_dump(mi));
	alert = out_wait_msg(ops, 1, 1);
	cr_expect(strstr(tsup_smtpd_log(ops), "1 < RCPT TO:<ops@alerts.test>")
	    != NULL, "%s", tsup_smtpd_log(ops));
	cr_expect(strstr(alert, "\r\nSubject: Warning-mx.test.example: "
	    "(System) TLS was required for delivery to") != NULL, "%s", alert);
	cr_expect(strstr(alert, "secure.test") != NULL, "%s", alert);
	/* The retry fails the same way: no second alert (throttle). */
	out_wait_count(mi, "TLS was required but could not", 2);
	out_wait_count(mi, "pending till", 2);
	cr_expect_eq(mtad_log_count(mi, "pending till"), 2, "%s",
	    out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, "alert was sent"), 1, "%s",
	    out_dump(mi));
	cr_expect_eq(tsup_smtpd_conns(ops), 1);
	cr_expect(strstr(tsup_smtpd_log(clear), "< MAIL") == NULL, "nothing "
	    "sent in clear:\n%s", tsup_smtpd_log(clear));
	mtad_stop(mi);
}

Test(outbound, replies_to_data_and_to_the_dot)
{
	static const struct tsup_smtpd_rule data451[] = {
		{.verb = "DATA",
		.reply = "451 4.3.0 Local error in processing"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule data554[] = {
		{.verb = "DATA", .reply = "554 5.7.1 Transaction refused"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule dot452[] = {
		{.verb = "DOT",
		.reply = "452 4.3.1 Insufficient system storage"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule dot552[] = {
		{.verb = "DOT",
		.reply = "552 5.3.4 Message too big for system"},
		{.verb = NULL},
	};
	static const struct {
		const char *domain;
		const struct tsup_smtpd_rule *rules;
		int	deferred;
		const char *want;
	} cases[] = {
		{"data451.test", data451, 1,
			"Delayed: DCID N MID N to RID N - 4.3.0 - Other or "
			"undefined mail system status ('451', ['4.3.0 Local "
		"error in processing'])[]\n"},
		{"data554.test", data554, 0,
			"Bounced: DCID N MID N to RID N - 5.7.1 - Delivery "
			"not authorized, message refused ('554', ['5.7.1 "
		"Transaction refused']) []\n"},
		{"dot452.test", dot452, 1,
			"Delayed: DCID N MID N to RID N - 4.3.1 - Mail system "
			"full ('452', ['4.3.1 Insufficient system "
		"storage'])[]\n"},
		{"dot552.test", dot552, 0,
			"Bounced: DCID N MID N to RID N - 5.3.4 - Message too "
			"big for system ('552', ['5.3.4 Message too big for "
		"system']) []\n"},
	};
	struct tsup_smtpd *peers[NCASES(cases)];
	unsigned long mids[NCASES(cases)];
	struct tsup_smtpd *src = out_peer(NULL);
	struct buf *routes = buf_new(0);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		peers[i] = out_peer(cases[i].rules);
		buf_puts(routes, out_route(cases[i].domain, peers[i]));
	}
	spec.top = tsup_strf("smtp_routes:\n%s%s", routes->data,
	    out_route("src.test", src));
	mi = mtad_start(&spec);
	for (i = 0; i < NCASES(cases); i++)
		mids[i] = mtad_send(mi, tsup_strf("--from a@src.test --to "
		    "r@%s", cases[i].domain));
	for (i = 0; i < NCASES(cases); i++) {
		const char *got;

		if (cases[i].deferred)
			(void) mtad_wait_log(mi, tsup_strf("Message %lu to RID "
			    "\\[0\\] pending till ", mids[i]));
		else
			out_finished(mi, mids[i]);
		got = mtad_lines(mi, tsup_strf("(Delayed|Bounced): DCID [0-9]+ "
		    "MID %lu ", mids[i]), mtad_mask_delivery);
		cr_expect_str_eq(got, tsup_strf("TIMESTAMP Info: %s",
		    cases[i].want), "%s:\n%s", cases[i].domain, out_dump(mi));
		cr_expect_eq(mtad_log_count(mi, tsup_strf("Message done DCID "
		    "[0-9]+ MID %lu ", mids[i])), 0, "%s", cases[i].domain);
	}
	/* One DSN for each bounced message. */
	out_wait_count(mi, "generated for bounce of", 2);
	mtad_stop(mi);
	buf_free(routes);
}

Test(outbound, reused_connection_after_a_refused_transaction)
{
	static const struct tsup_smtpd_rule first_refused[] = {
		{.verb = "RCPT", .reply = "550 5.1.1 No such user", .times = 1},
		{.verb = NULL},
	};
	struct tsup_smtpd *peer = out_peer(first_refused);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long m1, m2;
	const char *plog;
	const char *second;

	spec.top = tsup_strf("smtp_routes:\n%sdestination_controls:\n"
	    "  domains:\n    dest.test: {max_concurrency: 1}\n",
	    out_route("dest.test", peer));
	mi = mtad_start(&spec);
	m1 = mtad_send(mi, "--from '<>' --to gone@dest.test");
	out_finished(mi, m1);
	m2 = mtad_send(mi, "--from a@src.test --to here@dest.test --header "
	    "'Subject: second'");
	out_finished(mi, m2);
	plog = tsup_smtpd_log(peer);
	cr_expect_eq(tsup_smtpd_conns(peer), 1, "%s", plog);
	/* Nothing was delivered for the first message. */
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Message done DCID [0-9]+ "
	    "MID %lu ", m1)), 0, "%s", out_dump(mi));
	second = strstr(plog, "1 < MAIL FROM:<a@src.test>");
	cr_assert(second != NULL, "%s", plog);
	/* A 354 to the pipelined DATA got the final dot alone (RFC 2920). */
	cr_expect_str_eq(out_msg(peer, 1, 1), "", "%s", plog);
	cr_expect(strstr(plog, "1 * DATA 0\n") != NULL, "%s", plog);
	cr_expect(strstr(out_wait_msg(peer, 1, 2), "\r\nSubject: second\r\n")
	    != NULL, "%s", plog);
	mtad_stop(mi);
}

Test(outbound, power_cut_while_delivering)
{
	static const struct tsup_smtpd_rule hold[] = {
		{.verb = "DOT", .reply = "", .action = TSUP_SMTPD_HOLD,
		.conn = 1},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts so;
	struct tsup_smtpd *peer;
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long mid;

	memset(&so, 0, sizeof(so));
	so.no_starttls = 1;
	so.concurrent = 1;
	so.rules = hold;
	peer = tsup_smtpd_start(&so);
	spec.top = tsup_strf("smtp_routes:\n%s", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from a@src.test --to b@dest.test --header "
	    "'Subject: power cut'");
	(void) out_wait_msg(peer, 1, 1);
	mtad_crash(mi);
	cr_expect_eq(mtad_queued(mi), 1, "still in the spool");
	mtad_restart(mi);
	out_finished(mi, mid);
	cr_expect(strstr(out_wait_msg(peer, 2, 1), "\r\nSubject: power cut\r\n")
	    != NULL, "%s", tsup_smtpd_log(peer));
	cr_expect_eq(mtad_queued(mi), 0);
	mtad_stop(mi);
}

Test(outbound, smtp_routes_choose_the_next_hop)
{
	static const struct {
		const char *rcpt;
		int	peer;		/* peers[] index, -1: none */
		const char *lines;	/* its masked lines, or NULL */
	} cases[] = {
		{"a@exact.sub.test", 1, NULL},
		{"b@deeper.sub.test", 2, NULL},
		{"c@sub.test", 0, NULL},
		{"d@Exact.SUB.test", 1, NULL},
		{"e@elsewhere.test", 0, NULL},
		{"f@failover.test", 3, NULL},
		{"g@usedns.test", -1,
			"TIMESTAMP Info: DNS Error usedns.test MX - NXDomain\n"
			"TIMESTAMP Info: Bounced: DCID N MID N to RID N - "
			"5.1.2 - Bad destination host ('000', ['DNS Hard "
		"Error looking up usedns.test (MX):  NXDomain']) []\n"},
		{"h@drop.test", -1, ""},
	};
	struct tsup_smtpd *peers[4];
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	int	dead = tsup_port_free();
	size_t	i;

	for (i = 0; i < 4; i++)
		peers[i] = out_peer(NULL);
	spec.top = tsup_strf("smtp_routes:\n"
	    "  ALL: [\"127.0.0.1:%d\"]\n"
	    "  exact.sub.test: [\"127.0.0.1:%d\"]\n"
	    "  .sub.test: [\"127.0.0.1:%d\"]\n"
	    "  failover.test: [\"127.0.0.1:%d/pri=10\", "
	    "\"localhost.test:%d/pri=0\"]\n"
	    "  usedns.test: [USEDNS]\n"
	    "  drop.test: [\"/dev/null\"]\n"
	    "bounce_profiles:\n  Default: {send_bounces: false}\n",
	    tsup_smtpd_port(peers[0]), tsup_smtpd_port(peers[1]),
	    tsup_smtpd_port(peers[2]), tsup_smtpd_port(peers[3]), dead);
	mi = mtad_start(&spec);
	for (i = 0; i < NCASES(cases); i++) {
		unsigned long mid = mtad_send(mi, tsup_strf("--from a@src.test "
		    "--to %s", cases[i].rcpt));
		int	k;

		out_finished(mi, mid);
		for (k = 0; k < 4; k++) {
			const char *plog = tsup_smtpd_log(peers[k]);

			cr_expect_eq(strstr(plog, tsup_strf("< RCPT TO:<%s>",
			    cases[i].rcpt)) != NULL, k == cases[i].peer,
			    "%s: peer %d\n%s", cases[i].rcpt, k, plog);
		}
		if (cases[i].lines != NULL)
			cr_expect_str_eq(mtad_lines(mi, tsup_strf("DNS "
			    "[A-Za-z ]+ %s |DCID [0-9]+ MID %lu ",
			    strchr(cases[i].rcpt, '@') + 1, mid),
			    mtad_mask_delivery),
			    cases[i].lines, "%s:\n%s", cases[i].rcpt,
			    out_dump(mi));
	}
	/* The failover: the dead host first, then the next priority. */
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Connection Error: DCID "
	    "[0-9]+ domain: failover.test IP: 127.0.0.1 port: %d details: "
	    "\\[Errno 111\\] Connection refused interface: [0-9.]+ reason: "
	    "network error$", dead)), 1,
	    "%s", out_dump(mi));
	cr_expect_eq(mtad_log_count(mi, "Delayed|generated for bounce"), 0,
	    "%s", out_dump(mi));
	mtad_stop(mi);
}

Test(outbound, content_survives_the_wire)
{
	struct tsup_smtpd *peer = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	const char *msg;
	unsigned long mid;

	spec.top = tsup_strf("smtp_routes:\n%s", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	/* Two recipients whose domains differ in case only: one job. */
	mid = mtad_send(mi, "--from a@src.test "
	    "--to one@dest.test,two@DEST.Test "
	    "--body '.leading dot\n..two dots\n.\nlast'");
	out_finished(mi, mid);
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Delivery start DCID [0-9]+ "
	    "MID %lu to RID \\[0, 1\\]$", mid)), 1, "%s", out_dump(mi));
	cr_expect_eq(tsup_smtpd_conns(peer), 1);
	msg = out_msg(peer, 1, 1);
	/* As received: dot-stuffed on the wire, exactly once. */
	cr_expect(strstr(msg, "\r\n\r\n..leading dot\r\n...two dots\r\n..\r\n"
	    "last\r\n") != NULL, "%s", msg);
	mtad_stop(mi);
}

Test(outbound, peer_dialects)
{
	static const char *const no_pipelining[] = {"SIZE 10240000",
	"ENHANCEDSTATUSCODES", NULL};
	static const char *const no_caps[] = {NULL};
	static const struct tsup_smtpd_rule first_rcpt_refused[] = {
		{.verb = "RCPT", .reply = "550 5.1.1 No such user", .times = 1},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule ehlo_refused[] = {
		{.verb = "EHLO", .reply = "502 5.5.2 Command not recognized"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule chatty[] = {
		{.verb = "CONNECT", .reply = "220-tsup.test ESMTP\n220-more "
		"greeting\n220 ready"},
		{.verb = "RCPT", .reply = "251 2.1.5 User not local; will "
		"forward"},
		{.verb = NULL},
	};
	static const struct {
		const char *label;
		const char *const *caps;
		const struct tsup_smtpd_rule *rules;
		const char *want;	/* in the peer log, in this order */
	} cases[] = {
		{"no PIPELINING: one command at a time", no_pipelining,
			first_rcpt_refused,
			"1 < MAIL FROM:<a@src.test> SIZE=|1 > 250 2.1.0 Ok|"
			"1 < RCPT TO:<x@d0.test>|1 > 550 5.1.1 No such user|"
		"1 < RCPT TO:<y@d0.test>|1 > 250 2.1.5 Ok|1 < DATA|"},
		{"EHLO refused: HELO", no_caps, ehlo_refused,
			"1 < EHLO mx.test.example|1 > 502 5.5.2|"
		"1 < HELO mx.test.example|1 < MAIL FROM:<a@src.test>\n|"},
		{"multi-line greeting, 251 to RCPT", NULL, chatty,
		"1 > 220 ready|1 < EHLO|1 > 251 2.1.5|1 * DATA |"},
	};
	struct tsup_smtpd *peers[NCASES(cases)];
	struct buf *routes = buf_new(0);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_opts so;

		memset(&so, 0, sizeof(so));
		so.no_starttls = 1;
		so.ehlo_caps = cases[i].caps;
		so.rules = cases[i].rules;
		peers[i] = tsup_smtpd_start(&so);
		buf_puts(routes, out_route(tsup_strf("d%zu.test", i),
		    peers[i]));
	}
	spec.top = tsup_strf("smtp_routes:\n%sbounce_profiles:\n  Default: "
	    "{send_bounces: false}\n", routes->data);
	mi = mtad_start(&spec);
	for (i = 0; i < NCASES(cases); i++) {
		unsigned long mid = mtad_send(mi, tsup_strf("--from a@src.test "
		    "--to x@d%zu.test,y@d%zu.test", i, i));
		const char *plog;
		const char *at;
		const char *want;

		out_finished(mi, mid);
		plog = tsup_smtpd_log(peers[i]);
		at = plog;
		for (want = cases[i].want; *want;) {
			const char *bar = strchr(want, '|');
			const char *piece = tsup_strf("%.*s", (int) (bar
			    - want), want);

			at = strstr(at, piece);
			cr_assert(at != NULL, "%s: no \"%s\" in order in\n%s",
			    cases[i].label, piece, plog);
			want = bar + 1;
		}
		cr_expect_eq(mtad_log_count(mi, tsup_strf("Message done DCID "
		    "[0-9]+ MID %lu ", mid)), 1, "%s:\n%s", cases[i].label,
		    out_dump(mi));
		cr_expect(strstr(out_msg(peers[i], 1, 1), "\r\nTo: x@d") !=
		    NULL, "%s", cases[i].label);
	}
	mtad_stop(mi);
	buf_free(routes);
}

Test(outbound, long_lines_are_folded)
{
	struct tsup_smtpd *peer = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	struct buf *body = buf_new(0);
	const char *msg;
	const char *p;
	unsigned long mid;
	int	i;

	for (i = 0; i < 1500; i++)
		buf_putc(body, (char) ('a' + i % 26));
	spec.top = tsup_strf("smtp_routes:\n%s", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, tsup_strf("--from a@src.test --to b@dest.test "
	    "--body '%s'", body->data));
	out_finished(mi, mid);
	msg = out_msg(peer, 1, 1);
	for (p = msg; *p;) {
		const char *nl = strstr(p, "\r\n");
		size_t	len = nl ? (size_t) (nl - p) : strlen(p);

		cr_expect(len <= 998, "a line of %zu octets went out", len);
		p += len + (nl ? 2 : 0);
	}
	cr_expect(strstr(msg, tsup_strf("\r\n%.998s\r\n %s\r\n", body->data,
	    body->data + 998)) != NULL, "folded after 998 octets:\n%s", msg);
	mtad_stop(mi);
	buf_free(body);
}

Test(outbound, reload_takes_new_routes)
{
	struct tsup_smtpd *before = out_peer(NULL);
	struct tsup_smtpd *after = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	struct buf *cf = buf_new(0);
	unsigned long m1, m2;
	const char *old_route;
	const char *new_cf;

	old_route = out_route("dest.test", before);
	spec.top = tsup_strf("smtp_routes:\n%s", old_route);
	mi = mtad_start(&spec);
	m1 = mtad_send(mi, "--from a@src.test --to b@dest.test");
	out_finished(mi, m1);
	/* The connection to the old peer is parked; reload meanwhile. */
	tsup_tmp_read(mi->config, cf);
	new_cf = mtad_subst(cf->data, tsup_strf("127.0.0.1:%d",
	    tsup_smtpd_port(before)), tsup_strf("127.0.0.1:%d",
	    tsup_smtpd_port(after)));
	(void) tsup_tmp_write(mi->config, new_cf, strlen(new_cf));
	tsup_proc_signal(mi->proc, SIGHUP);
	(void) tsup_log_wait(tsup_proc_err_path(mi->proc), TSUP_LOG_SUBSTR,
	    "reloading configuration", 0);
	m2 = mtad_send(mi, "--from a@src.test --to c@dest.test");
	out_finished(mi, m2);
	cr_expect(strstr(tsup_smtpd_log(after), "< RCPT TO:<c@dest.test>")
	    != NULL, "the new route:\nbefore:\n%s\nafter:\n%s",
	    tsup_smtpd_log(before), tsup_smtpd_log(after));
	cr_expect(strstr(tsup_smtpd_log(before), "< RCPT TO:<c@dest.test>")
	    == NULL, "not the old one:\n%s", tsup_smtpd_log(before));
	mtad_stop(mi);
	buf_free(cf);
}

/* out_wait_plog - wait until a peer's log holds text */

static void
out_wait_plog(struct tsup_smtpd *s, const char *text)
{
	int	waited;

	for (waited = 0; waited < tsup_deadline_ms(); waited += 50) {
		if (strstr(tsup_smtpd_log(s), text) != NULL)
			return;
		(void) usleep(50000);
	}
	tsup_fail("no \"%s\" in the peer log:\n%s", text, tsup_smtpd_log(s));
}

Test(outbound, parked_connection_closed_by_the_peer)
{
	struct tsup_smtpd_opts so;
	struct tsup_smtpd *peer;
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long m1, m2;

	memset(&so, 0, sizeof(so));
	so.no_starttls = 1;
	so.timeout_ms = 1000;		/* drops an idle client after 1s */
	peer = tsup_smtpd_start(&so);
	spec.top = tsup_strf("smtp_routes:\n%s", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	m1 = mtad_send(mi, "--from a@src.test --to b@dest.test");
	out_finished(mi, m1);
	out_wait_plog(peer, "1 * TIMEOUT");
	m2 = mtad_send(mi, "--from a@src.test --to c@dest.test --header "
	    "'Subject: after the drop'");
	out_finished(mi, m2);
	cr_expect(strstr(out_wait_msg(peer, 2, 1), "\r\nSubject: after the "
	    "drop\r\n") != NULL, "%s", tsup_smtpd_log(peer));
	cr_expect_eq(mtad_log_count(mi, "Delayed|pending till"), 0, "a "
	    "dead parked connection costs no retry:\n%s", out_dump(mi));
	mtad_stop(mi);
}

Test(outbound, alerts_are_throttled_per_subject)
{
	static const struct {
		const char *label;
		const char *throttle;
		int	throttled;	/* one alert per domain */
	} cases[] = {
		{"default throttle", NULL, 1},
		{"no throttle", "0s", 0},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd *clear = out_peer(NULL);
		struct tsup_smtpd *ops = out_peer(NULL);
		struct mtad_spec spec = {.delivery = 1};
		struct mtad_inst *mi;
		unsigned long mids[2];
		int	d;

		spec.top = tsup_strf("smtp_routes:\n"
		    "  s0.test: [\"127.0.0.1:%d\"]\n"
		    "  s1.test: [\"localhost.test:%d\"]\n%s"
		    "destination_controls:\n  tls_failure_alert: true\n"
		    "  default: {tls: required}\n"
		    "  domains:\n    alerts.test: {tls: none}\n"
		    "alerts:\n  recipients: [ops@alerts.test]\n%s"
		    "bounce_profiles:\n  Default: {initial_retry: 1s}\n",
		    tsup_smtpd_port(clear), tsup_smtpd_port(clear),
		    out_route("alerts.test", ops), cases[i].throttle ?
		    tsup_strf("  throttle: %s\n", cases[i].throttle) : "");
		mi = mtad_start(&spec);
		for (d = 0; d < 2; d++)
			mids[d] = mtad_send(mi, tsup_strf("--from a@src.test "
			    "--to b@s%d.test", d));
		for (d = 0; d < 2; d++) {
			const char *alerts = tsup_strf("alert was sent .* "
			    "delivery to s%d\\.test but", d);

			/* Two failures of the domain, each settled. */
			out_wait_count(mi, tsup_strf("Message %lu to RID "
			    "\\[0\\] pending till ", mids[d]), 2);
			if (cases[i].throttled)
				cr_expect_eq(mtad_log_count(mi, alerts), 1,
				    "%s, s%d:\n%s", cases[i].label, d,
				    out_dump(mi));
			else
				out_wait_count(mi, alerts, 2);
		}
		cr_expect(strstr(tsup_smtpd_log(clear), "< MAIL") == NULL,
		    "%s", cases[i].label);
		mtad_stop(mi);
	}
}

Test(outbound, restart_keeps_per_recipient_results)
{
	static const struct tsup_smtpd_rule b_rules[] = {
		{.verb = "RCPT", .times = 1,
		.reply = "450 4.2.1 <tmp@b.test>: Mailbox busy"},
		{.verb = NULL},
	};
	struct tsup_smtpd *a = out_peer(NULL);
	struct tsup_smtpd *b = out_peer(b_rules);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long mid;
	int	status;

	spec.top = tsup_strf("smtp_routes:\n%s%sbounce_profiles:\n  Default: "
	    "{initial_retry: 3s}\n", out_route("a.test", a),
	    out_route("b.test", b));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from x@src.test --to ok@a.test,tmp@b.test");
	(void) mtad_wait_log(mi, tsup_strf("Message %lu to RID \\[1\\] "
	    "pending till ", mid));
	tsup_proc_signal(mi->proc, SIGTERM);
	cr_assert_eq(tsup_proc_wait(mi->proc, 0, &status), 0);
	mtad_restart(mi);
	out_finished(mi, mid);
	/* Only the deferred recipient is tried again. */
	cr_expect_eq(out_count(tsup_smtpd_log(a), "< RCPT TO:<ok@a.test>"), 1,
	    "delivered once:\n%s", tsup_smtpd_log(a));
	cr_expect_eq(out_count(tsup_smtpd_log(b), "< RCPT TO:<tmp@b.test>"), 2,
	    "%s", tsup_smtpd_log(b));
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Delivery start DCID [0-9]+ "
	    "MID %lu to RID \\[1\\]$", mid)), 2, "%s", out_dump(mi));
	mtad_stop(mi);
}

Test(outbound, bounce_profile_of_the_destination)
{
	struct tsup_smtpd *fast = out_peer(out_busy);
	struct tsup_smtpd *slow = out_peer(out_busy);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long mf, ms;

	spec.top = tsup_strf("smtp_routes:\n%s%s"
	    "bounce_profiles:\n  Quick: {initial_retry: 1s, max_retries: 1, "
	    "send_bounces: false}\n"
	    "destination_controls:\n  domains:\n"
	    "    fast.test: {bounce_profile: Quick}\n",
	    out_route("fast.test", fast), out_route("slow.test", slow));
	mi = mtad_start(&spec);
	mf = mtad_send(mi, "--from a@src.test --to r@fast.test");
	ms = mtad_send(mi, "--from a@src.test --to r@slow.test");
	out_finished(mi, mf);
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Bounced: DCID 0 MID %lu to "
	    "RID 0 - 5\\.4\\.7 - Delivery expired", mf)), 1, "%s",
	    out_dump(mi));
	cr_expect_eq(tsup_smtpd_conns(fast), 2, "one retry");
	/* The other domain keeps the Default profile: a minute's wait. */
	(void) mtad_wait_log(mi, tsup_strf("Message %lu to RID \\[0\\] "
	    "pending till ", ms));
	cr_expect_eq(tsup_smtpd_conns(slow), 1);
	{
		long	gaps[4];
		int	n = out_pending_gaps(mi, ms, gaps, 4);

		cr_expect(n == 1 && gaps[0] >= 59 && gaps[0] <= 60,
		    "the Default wait: %ld", n ? gaps[0] : -1L);
	}
	cr_expect_eq(mtad_log_count(mi, "generated for bounce"), 0,
	    "send_bounces: false");
	mtad_stop(mi);
}

/*
 * Fails at present: delivery_stop() quits the parked sessions and, with no
 * job in hand, ends the loop at once, so the QUIT goes out but the session
 * never finishes and "DCID n close" is never written.
 */
Test(outbound, stop_closes_parked_connections)
{
	struct tsup_smtpd *peer = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	const char *log;
	unsigned long mid;

	spec.top = tsup_strf("smtp_routes:\n%s", out_route("dest.test", peer));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from a@src.test --to b@dest.test");
	out_finished(mi, mid);
	log = mi->log;
	cr_assert_eq(mtad_log_count(mi, "DCID [0-9]+ close$"), 0, "parked");
	mtad_stop(mi);
	cr_expect_eq(tsup_log_grep(log, TSUP_LOG_REGEX, "DCID [0-9]+ close$",
	    NULL), 1, "the parked connection was closed and logged");
	out_wait_plog(peer, "1 < QUIT");
}

Test(outbound, dcids_are_unique_across_delivery_processes)
{
	struct tsup_smtpd *peers[6];
	struct buf *routes = buf_new(0);
	struct buf *lines = buf_new(0);
	struct mtad_spec spec = {.delivery = 3};
	struct mtad_inst *mi;
	unsigned long mids[6];
	unsigned long dcids[16];
	const char *p;
	int	i, j, n = 0;

	for (i = 0; i < 6; i++) {
		peers[i] = out_peer(NULL);
		buf_puts(routes, out_route(tsup_strf("d%d.test", i), peers[i]));
	}
	spec.top = tsup_strf("smtp_routes:\n%s", routes->data);
	mi = mtad_start(&spec);
	for (i = 0; i < 6; i++)
		mids[i] = mtad_send(mi, tsup_strf("--from a@src.test --to "
		    "r@d%d.test", i));
	for (i = 0; i < 6; i++)
		out_finished(mi, mids[i]);
	(void) tsup_log_grep(mi->log, TSUP_LOG_SUBSTR, "New SMTP DCID ",
	    lines);
	for (p = lines->data; (p = strstr(p, "New SMTP DCID ")) != NULL
	    && n < 16; p += 14)
		dcids[n++] = strtoul(p + 14, NULL, 10);
	cr_expect_eq(n, 6, "six connections:\n%s", lines->data);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			cr_expect_neq(dcids[i], dcids[j], "DCID %lu twice:\n%s",
			    dcids[i], lines->data);
	mtad_stop(mi);
	buf_free(routes);
	buf_free(lines);
}

Test(outbound, route_host_with_mx_records)
{
	struct tsup_smtpd *peer = out_peer(NULL);
	struct mtad_spec spec = {.delivery = 1};
	struct mtad_inst *mi;
	unsigned long mid;

	/* The route names a domain whose MX points at the real host. */
	spec.zone = "local-data: \"relay.test. MX 10 box.relay.test.\"\n"
	    "local-data: \"box.relay.test. A 127.0.0.1\"\n";
	spec.top = tsup_strf("smtp_routes:\n  dest.test: [\"relay.test:%d\"]\n",
	    tsup_smtpd_port(peer));
	mi = mtad_start(&spec);
	mid = mtad_send(mi, "--from a@src.test --to b@dest.test");
	out_finished(mi, mid);
	cr_expect_eq(mtad_log_count(mi, tsup_strf("Message done DCID [0-9]+ "
	    "MID %lu ", mid)), 1, "%s", out_dump(mi));
	cr_expect(strstr(tsup_smtpd_log(peer), "1 < RCPT TO:<b@dest.test>")
	    != NULL, "%s", tsup_smtpd_log(peer));
	mtad_stop(mi);
}
