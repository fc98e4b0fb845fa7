/*
 * NAME
 *	deliver_smtp_test - the SMTP client against a scripted loopback peer
 * DESCRIPTION
 *	Each case runs one delivery attempt in a real libuv loop against
 *	tsup_smtpd(3) on 127.0.0.1 and checks three things: the result of
 *	every recipient, what the peer received (its transcript, or the raw
 *	bytes of the DATA phase) and the mail log lines, masked.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "tsupport.h"
#include "deliver_smtp.h"
#include "deliver_peer.h"

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

TestSuite(deliver_smtp, .init = tsup_init, .fini = tsup_fini);

static const char *const one_rcpt[] = {"b@tsup.test", NULL};

/* message - the message a peer received, as received (dot-stuffed) */

static const char *
message(struct tsup_smtpd *s, int conn, int n)
{
	struct buf got;
	const char *r;

	buf_init(&got, 256);
	if (tsup_smtpd_message(s, conn, n, &got) != 0)
		r = NULL;
	else
		r = tsup_strf("%s", got.data);
	buf_fini(&got);
	return (r);
}

/* has - does the text contain the string */

static int __attribute__((unused))
has(const char *text, const char *what)
{
	return (text != NULL && strstr(text, what) != NULL);
}

Test(deliver_smtp, clear_delivery_transcript_and_log)
{
	static const char body[] = "Subject: t\r\n\r\nhello\r\n";
	struct tsup_smtpd_opts so = {.max_conns = 1};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct deliver_mx_host h = dpeer_host("mx.tsup.test",
	    tsup_smtpd_port(s));
	struct dpeer p;

	dpeer_init(&p);
	dpeer_msg(&p, body, sizeof(body) - 1, one_rcpt);
	dpeer_run(&p, &h, 1);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(p.msg.status, DELIVER_OK);
	cr_assert_eq(p.rcpts[0].result.status, DELIVER_OK);
	cr_assert_eq(p.rcpts[0].result.code, 250);
	cr_assert_str_eq(p.rcpts[0].result.dsn, "2.0.0");
	cr_assert_str_eq(p.rcpts[0].result.text,
	    "2.0.0 Ok: queued as TSUP1M1");
	cr_assert_eq(p.msg.tls.active, 0);
	cr_assert_str_eq(tsup_smtpd_log(s),
	    "1 * CONNECT\n"
	    "1 > 220 tsup.test ESMTP tsup\n"
	    "1 < EHLO out.example.org\n"
	    "1 > 250-tsup.test\n"
	    "1 > 250-PIPELINING\n"
	    "1 > 250-SIZE 10240000\n"
	    "1 > 250-8BITMIME\n"
	    "1 > 250 ENHANCEDSTATUSCODES\n"
	    "1 < MAIL FROM:<a@example.org> SIZE=21\n"
	    "1 > 250 2.1.0 Ok\n"
	    "1 < RCPT TO:<b@tsup.test>\n"
	    "1 > 250 2.1.5 Ok\n"
	    "1 < DATA\n"
	    "1 > 354 End data with <CR><LF>.<CR><LF>\n"
	    "1 * DATA 21\n"
	    "1 > 250 2.0.0 Ok: queued as TSUP1M1\n"
	    "1 < QUIT\n"
	    "1 > 221 2.0.0 Bye\n"
	    "1 * CLOSE\n");
	cr_assert_str_eq(message(s, 1, 1), body);
	cr_assert_str_eq(dpeer_log(&p),
	    "Info: New SMTP DCID N interface 127.0.0.1 address 127.0.0.1 "
	    "port P\n"
	    "Info: Delivery start DCID N MID N to RID [N]\n"
	    "Info: MID N RID [N] Response '2.0.0 Ok: queued as TSUP1M1'\n"
	    "Info: Message done DCID N MID N to RID [N]\n"
	    "Info: DCID N close\n");
	dpeer_fini(&p);
}

/* rep - n copies of c */

static const char *
rep(int c, size_t n)
{
	char   *s = mem_alloc(n + 1);
	const char *r;

	memset(s, c, n);
	s[n] = 0;
	r = tsup_strf("%s", s);
	mem_free(s);
	return (r);
}

/* count - occurrences of what in text[0..len) */

static size_t
count(const char *text, size_t len, const char *what)
{
	size_t	n = 0, wl = strlen(what), i;

	for (i = 0; i + wl <= len; i++)
		if (memcmp(text + i, what, wl) == 0)
			n++;
	return (n);
}

/* bare_eol - is there a CR not before LF or an LF not after CR */

static int
bare_eol(const char *text, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n'))
			return (1);
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			return (1);
	}
	return (0);
}

Test(deliver_smtp, content_on_the_wire)
{
	struct {
		const char *label;
		const char *in;
		const char *want;
	} cases[] = {
		{"CRLF lines", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"bare LF", "a\nb\n", "a\r\nb\r\n"},
		{"bare CR", "a\rb\r", "a\r\nb\r\n"},
		{"CR CR LF", "a\r\r\nb", "a\r\n\r\nb\r\n"},
		{"no final line end", "abc", "abc\r\n"},
		{"empty", "", ""},
		{"only a dot", ".", "..\r\n"},
		{"leading dots", ".x\r\n.\r\n..\r\n", "..x\r\n..\r\n...\r\n"},
		{"smuggle LF.LF", "a\n.\nMAIL FROM:<x@y>\r\n",
		"a\r\n..\r\nMAIL FROM:<x@y>\r\n"},
		{"smuggle CR.CR", "a\r.\rb", "a\r\n..\r\nb\r\n"},
		{"smuggle CRLF.CR CRLF", "a\r\n.\r\r\nb\r\n",
		"a\r\n..\r\n\r\nb\r\n"},
		{"smuggle CR CRLF.CR CRLF", "a\r\r\n.\r\r\nb\r\n",
		"a\r\n\r\n..\r\n\r\nb\r\n"},
		{"smuggle LF.CRLF", "a\n.\r\nb", "a\r\n..\r\nb\r\n"},
		{"smuggle CRLF.LF", "a\r\n.\nb", "a\r\n..\r\nb\r\n"},
		{"dot after bare CR", "\r.x", "\r\n..x\r\n"},
		{"998 octets", NULL, NULL},
		{"999 octets", NULL, NULL},
		{"2000 octets", NULL, NULL},
		{"dot and 1000 octets", NULL, NULL},
		{"300 KB of lines", NULL, NULL},
	};
	struct tsup_smtpd_opts so = {.max_conns = (int) NCASES(cases)};
	struct tsup_smtpd *s;
	struct deliver_mx_host h;
	struct buf big, bigwant, raw;
	size_t	i;

	cases[15].in = tsup_strf("%s\r\n", rep('x', 998));
	cases[15].want = cases[15].in;
	cases[16].in = rep('x', 999);
	cases[16].want = tsup_strf("%s\r\n x\r\n", rep('x', 998));
	cases[17].in = rep('y', 2000);
	cases[17].want = tsup_strf("%s\r\n %s\r\n %s\r\n", rep('y', 998),
	    rep('y', 997), rep('y', 5));
	cases[18].in = tsup_strf(".%s", rep('z', 1000));
	cases[18].want = tsup_strf("..%s\r\n %s\r\n", rep('z', 996),
	    rep('z', 4));
	buf_init(&big, 310000);
	buf_init(&bigwant, 320000);
	for (i = 0; i < 3000; i++) {
		buf_printf(&big, "%s%05zu %s\n", i % 7 ? "" : ".", i,
		    rep('q', 90));
		buf_printf(&bigwant, "%s%05zu %s\r\n", i % 7 ? "" : "..", i,
		    rep('q', 90));
	}
	cases[19].in = big.data;
	cases[19].want = bigwant.data;

	s = tsup_smtpd_start(&so);
	h = dpeer_host("mx.tsup.test", tsup_smtpd_port(s));
	buf_init(&raw, 1024);
	for (i = 0; i < NCASES(cases); i++) {
		struct dpeer p;
		const char *got;

		dpeer_init(&p);
		dpeer_msg(&p, cases[i].in, strlen(cases[i].in), one_rcpt);
		dpeer_run(&p, &h, 1);
		cr_assert_eq(p.msg.status, DELIVER_OK, "%s: %s",
		    cases[i].label, deliver_status_name(p.msg.status));
		dpeer_fini(&p);
		got = message(s, (int) i + 1, 1);
		cr_assert_not_null(got, "%s: no message", cases[i].label);
		cr_assert_str_eq(got, cases[i].want, "%s", cases[i].label);
	}
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	for (i = 0; i < NCASES(cases); i++) {
		const char *d;

		buf_reset(&raw);
		cr_assert_eq(tsup_smtpd_raw(s, (int) i + 1, &raw), 0);
		cr_assert(!bare_eol(raw.data, raw.len), "%s: bare CR or LF "
		    "on the wire", cases[i].label);
		d = strstr(raw.data, "DATA\r\n");
		cr_assert_not_null(d, "%s", cases[i].label);
		/* Exactly one end of data, and QUIT right after it. */
		cr_assert_eq(count(d + 4, raw.len - (size_t) (d + 4 - raw.data),
		    "\r\n.\r\n"), 1,
		    "%s: end-of-data count", cases[i].label);
		cr_assert(raw.len > 9 && memcmp(raw.data + raw.len - 9,
		    ".\r\nQUIT\r\n", 9) == 0, "%s: tail", cases[i].label);
		{
			const char *l, *e = raw.data + raw.len;

			for (l = d; l < e; ) {
				const char *n = memchr(l, '\n',
				    (size_t) (e - l));

				n = n ? n + 1 : e;
				cr_assert_leq((size_t) (n - l), 1000,
				    "%s: a line of %zu octets", cases[i].label,
				    (size_t) (n - l));
				l = n;
			}
		}
	}
	buf_fini(&raw);
	buf_fini(&big);
	buf_fini(&bigwant);
}

static const char *const no_pipelining[] = {"SIZE 10240000", "8BITMIME",
"ENHANCEDSTATUSCODES", NULL};

Test(deliver_smtp, per_recipient_results_pipelined_and_lock_step)
{
	static const char *const rcpts[] = {"ok@tsup.test", "gone@tsup.test",
	"full@tsup.test", NULL};
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "RCPT", .reply = "250 2.1.5 Ok", .times = 1},
		{.verb = "RCPT", .reply = "550 5.1.1 no such user",
		.times = 1},
		{.verb = "RCPT", .reply = "450 4.2.0 try later", .times = 1},
		{.verb = NULL},
	};
	static const struct {
		const char *label;
		int	pipelining;
	} cases[] = {
		{"pipelined", 1},
		{"lock-step", 0},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_opts so = {.max_conns = 1, .rules = rules};
		struct tsup_smtpd *s;
		struct deliver_mx_host h;
		struct dpeer p;

		if (!cases[i].pipelining)
			so.ehlo_caps = no_pipelining;
		s = tsup_smtpd_start(&so);
		h = dpeer_host("mx.tsup.test", tsup_smtpd_port(s));
		dpeer_init(&p);
		dpeer_msg(&p, "x\r\n", 3, rcpts);
		dpeer_run(&p, &h, 1);
		cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
		cr_assert_eq(p.msg.status, DELIVER_DEFER, "%s",
		    cases[i].label);
		cr_assert_eq(p.msg.ndelivered, 1, "%s", cases[i].label);
		cr_assert_eq(p.msg.nbounced, 1, "%s", cases[i].label);
		cr_assert_eq(p.msg.ndeferred, 1, "%s", cases[i].label);
		cr_assert_eq(p.rcpts[0].result.status, DELIVER_OK);
		cr_assert_eq(p.rcpts[1].result.status, DELIVER_BOUNCE);
		cr_assert_eq(p.rcpts[1].result.code, 550);
		cr_assert_str_eq(p.rcpts[1].result.dsn, "5.1.1");
		cr_assert_str_eq(p.rcpts[1].result.text, "5.1.1 no such user");
		cr_assert_eq(p.rcpts[2].result.status, DELIVER_DEFER);
		cr_assert_eq(p.rcpts[2].result.code, 450);
		cr_assert_str_eq(p.rcpts[2].result.dsn, "4.2.0");
		cr_assert_str_eq(dpeer_log(&p),
		    "Info: New SMTP DCID N interface 127.0.0.1 address "
		    "127.0.0.1 port P\n"
		    "Info: Delivery start DCID N MID N to RID [N, N, N]\n"
		    "Info: Bounced: DCID N MID N to RID N - 5.1.1 - Bad "
		    "destination email address ('550', ['5.1.1 no such "
		    "user']) []\n"
		    "Info: Delayed: DCID N MID N to RID N - 4.2.0 - Other or "
		    "undefined mailbox status ('450', ['4.2.0 try "
		    "later'])[]\n"
		    "Info: MID N RID [N] Response '2.0.0 Ok: queued as "
		    "TSUP1M1'\n"
		    "Info: Message done DCID N MID N to RID [N]\n"
		    "Info: DCID N close\n", "%s", cases[i].label);
		dpeer_fini(&p);
	}
}

Test(deliver_smtp, pipelining_sends_one_flight_lock_step_waits)
{
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "MAIL", .reply = "550 5.7.1 sender refused"},
		{.verb = NULL},
	};
	static const struct {
		const char *label;
		int	pipelining;
		int	rcpt_sent;
	} cases[] = {
		{"pipelined: RCPT and DATA went with MAIL", 1, 1},
		{"lock-step: nothing after a refused MAIL", 0, 0},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_opts so = {.max_conns = 1, .rules = rules};
		struct tsup_smtpd *s;
		struct deliver_mx_host h;
		struct dpeer p;
		const char *log;

		if (!cases[i].pipelining)
			so.ehlo_caps = no_pipelining;
		s = tsup_smtpd_start(&so);
		h = dpeer_host("mx.tsup.test", tsup_smtpd_port(s));
		dpeer_init(&p);
		dpeer_msg(&p, "x\r\n", 3, one_rcpt);
		dpeer_run(&p, &h, 1);
		cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
		log = tsup_smtpd_log(s);
		cr_assert_eq(p.rcpts[0].result.status, DELIVER_BOUNCE, "%s",
		    cases[i].label);
		cr_assert_eq(p.rcpts[0].result.code, 550);
		cr_assert_str_eq(p.rcpts[0].result.text,
		    "5.7.1 sender refused");
		cr_assert_eq(has(log, "1 < RCPT TO:<b@tsup.test>\n"),
		    cases[i].rcpt_sent, "%s:\n%s", cases[i].label, log);
		cr_assert_eq(has(log, "1 < DATA\n"), cases[i].rcpt_sent,
		    "%s", cases[i].label);
		/* A lenient peer may say 354 anyway: only the dot follows. */
		cr_assert(!has(log, "* DATA 3"), "%s: content was sent:\n%s",
		    cases[i].label, log);
		cr_assert(has(log, "1 < QUIT\n"), "%s", cases[i].label);
		dpeer_fini(&p);
	}
}

Test(deliver_smtp, greeting_and_helo_failures)
{
	static const struct tsup_smtpd_rule greet554[] = {
		{.verb = "CONNECT", .reply = "554 5.3.2 no service here"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule greet421[] = {
		{.verb = "CONNECT", .reply = "421 4.3.2 busy",
		.action = TSUP_SMTPD_CLOSE},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule ehlo502[] = {
		{.verb = "EHLO", .reply = "502 5.5.1 what"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule both5xx[] = {
		{.verb = "EHLO", .reply = "502 5.5.1 what"},
		{.verb = "HELO", .reply = "501 5.5.2 go away"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule ehlo421[] = {
		{.verb = "EHLO", .reply = "421 4.7.0 later"},
		{.verb = NULL},
	};
	static const struct {
		const char *label;
		const struct tsup_smtpd_rule *rules;
		enum deliver_status want;
		int	code;
		const char *dsn;
		const char *peer_has;	/* in the peer's transcript */
		const char *log;	/* the log line after New SMTP */
	} cases[] = {
		{"554 greeting", greet554, DELIVER_BOUNCE, 554, "5.3.2",
			"1 < QUIT\n",
			"Info: Connection Error: DCID N domain: tsup.test "
			"IP:127.0.0.1 port: P details: 554-'5.3.2 no service "
			"here' interface: 127.0.0.1 reason: unexpected SMTP "
			"response\n"
			"Info: DCID N close\n"
			"Info: Bounced: DCID N MID N to RID N - 5.3.2 - Not "
			"accepting messages at this time ('554', ['5.3.2 no "
		"service here']) []\n"},
		{"421 greeting", greet421, DELIVER_DEFER, 421, "4.3.2",
			"1 > 421 4.3.2 busy\n",
			"Info: Connection Error: DCID N domain: tsup.test "
			"IP:127.0.0.1 port: P details: 421-'4.3.2 busy' "
			"interface: 127.0.0.1 reason: unexpected SMTP "
			"response\n"
			"Info: DCID N close\n"
			"Info: Delayed: DCID N MID N to RID N - 4.3.2 - Not "
		"accepting messages at this time ('421', ['4.3.2 busy'])[]\n"},
		{"EHLO refused, HELO works", ehlo502, DELIVER_OK, 250,
			"2.0.0", "1 < HELO out.example.org\n"
			"1 > 250 tsup.test\n"
			"1 < MAIL FROM:<a@example.org>\n",
			"Info: Delivery start DCID N MID N to RID [N]\n"
			"Info: MID N RID [N] Response '2.0.0 Ok: queued as "
			"TSUP1M1'\n"
			"Info: Message done DCID N MID N to RID [N]\n"
		"Info: DCID N close\n"},
		{"EHLO and HELO refused", both5xx, DELIVER_BOUNCE, 501,
			"5.5.2", "1 < QUIT\n",
			"Info: Connection Error: DCID N domain: tsup.test "
			"IP:127.0.0.1 port: P details: 501-'5.5.2 go away' "
			"interface: 127.0.0.1 reason: unexpected SMTP "
			"response\n"
			"Info: DCID N close\n"
			"Info: Bounced: DCID N MID N to RID N - 5.5.2 - Syntax "
		"error ('501', ['5.5.2 go away']) []\n"},
		{"EHLO 421", ehlo421, DELIVER_DEFER, 421, "4.7.0",
			"1 > 421 4.7.0 later\n",
			"Info: Connection Error: DCID N domain: tsup.test "
			"IP:127.0.0.1 port: P details: 421-'4.7.0 later' "
			"interface: 127.0.0.1 reason: unexpected SMTP "
			"response\n"
			"Info: DCID N close\n"
			"Info: Delayed: DCID N MID N to RID N - 4.7.0 - Other "
		"or undefined security status ('421', ['4.7.0 later'])[]\n"},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_opts so = {.max_conns = 1,
		.rules = cases[i].rules};
		struct tsup_smtpd *s = tsup_smtpd_start(&so);
		struct deliver_mx_host h = dpeer_host("mx.tsup.test",
		    tsup_smtpd_port(s));
		struct dpeer p;

		dpeer_init(&p);
		dpeer_msg(&p, "x\r\n", 3, one_rcpt);
		dpeer_run(&p, &h, 1);
		cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
		cr_assert_eq(p.rcpts[0].result.status, cases[i].want,
		    "%s: %s\n%s", cases[i].label,
		    deliver_status_name(p.rcpts[0].result.status),
		    tsup_smtpd_log(s));
		cr_assert_eq(p.rcpts[0].result.code, cases[i].code, "%s",
		    cases[i].label);
		cr_assert_str_eq(p.rcpts[0].result.dsn, cases[i].dsn, "%s",
		    cases[i].label);
		cr_assert(has(tsup_smtpd_log(s), cases[i].peer_has),
		    "%s:\n%s", cases[i].label, tsup_smtpd_log(s));
		cr_assert_str_eq(dpeer_log(&p), tsup_strf("Info: New SMTP "
		    "DCID N interface 127.0.0.1 address 127.0.0.1 port P\n%s",
		    cases[i].log), "%s", cases[i].label);
		dpeer_fini(&p);
	}
}

Test(deliver_smtp, next_host_after_refusal_or_5xx_greeting)
{
	static const struct tsup_smtpd_rule first_bad[] = {
		{.verb = "CONNECT", .reply = "554 5.3.2 no", .conn = 1},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts so = {.max_conns = 2, .rules = first_bad};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct deliver_mx_host hosts[3];
	struct dpeer p;

	hosts[0] = dpeer_host("dead.tsup.test", tsup_port_free());
	hosts[1] = dpeer_host("mx1.tsup.test", tsup_smtpd_port(s));
	hosts[2] = dpeer_host("mx2.tsup.test", tsup_smtpd_port(s));
	dpeer_init(&p);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	dpeer_run(&p, hosts, 3);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(p.msg.status, DELIVER_OK);
	cr_assert_eq(tsup_smtpd_conns(s), 2);
	cr_assert_not_null(message(s, 2, 1));
	cr_assert_eq(p.dcid, 102, "one DCID per connection tried");
	cr_assert_str_eq(dpeer_log(&p),
	    "Info: Connection Error: DCID N domain: tsup.test IP:127.0.0.1 "
	    "port: P details: [Errno 111] Connection refused interface: "
	    "0.0.0.0 reason: network error\n"
	    "Info: New SMTP DCID N interface 127.0.0.1 address 127.0.0.1 "
	    "port P\n"
	    "Info: Connection Error: DCID N domain: tsup.test IP:127.0.0.1 "
	    "port: P details: 554-'5.3.2 no' interface: 127.0.0.1 reason: "
	    "unexpected SMTP response\n"
	    "Info: DCID N close\n"
	    "Info: New SMTP DCID N interface 127.0.0.1 address 127.0.0.1 "
	    "port P\n"
	    "Info: Delivery start DCID N MID N to RID [N]\n"
	    "Info: MID N RID [N] Response '2.0.0 Ok: queued as TSUP2M1'\n"
	    "Info: Message done DCID N MID N to RID [N]\n"
	    "Info: DCID N close\n");
	dpeer_fini(&p);
}

Test(deliver_smtp, every_host_refused_defers)
{
	struct deliver_mx_host hosts[2];
	struct dpeer p;

	hosts[0] = dpeer_host("a.tsup.test", tsup_port_free());
	hosts[1] = dpeer_host("b.tsup.test", tsup_port_free());
	dpeer_init(&p);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	dpeer_run(&p, hosts, 2);
	cr_assert_eq(p.msg.status, DELIVER_DEFER);
	cr_assert_eq(p.rcpts[0].result.code, 0);
	cr_assert_str_eq(p.rcpts[0].result.dsn, "4.4.1");
	cr_assert_str_eq(p.rcpts[0].result.text,
	    "[Errno 111] Connection refused");
	cr_assert_str_eq(dpeer_log(&p),
	    "Info: Connection Error: DCID N domain: tsup.test IP:127.0.0.1 "
	    "port: P details: [Errno 111] Connection refused interface: "
	    "0.0.0.0 reason: network error\n"
	    "Info: Connection Error: DCID N domain: tsup.test IP:127.0.0.1 "
	    "port: P details: [Errno 111] Connection refused interface: "
	    "0.0.0.0 reason: network error\n"
	    "Info: Delayed: DCID N MID N to RID N - 4.4.1 - No answer from "
	    "host ('000', ['[Errno 111] Connection refused'])[]\n");
	dpeer_fini(&p);
}

Test(deliver_smtp, esmtp_parameters_and_smtputf8)
{
	static const char *const utf8_caps[] = {"PIPELINING", "8BITMIME",
	"SMTPUTF8", "SIZE 100", NULL};
	static const char *const plain_caps[] = {"PIPELINING", NULL};
	static const struct {
		const char *label;
		const char *const *caps;
		int	body_8bit;
		int	smtputf8;
		off_t	size;
		enum deliver_status want;
		const char *dsn;
		const char *mail;	/* MAIL as the peer got it, or NULL */
	} cases[] = {
		{"8BITMIME and SIZE offered", utf8_caps, 1, 0, 3, DELIVER_OK,
		"2.0.0",
		"1 < MAIL FROM:<a@example.org> SIZE=3 BODY=8BITMIME\n"},
		{"SMTPUTF8 offered", utf8_caps, 0, 1, 3, DELIVER_OK, "2.0.0",
		"1 < MAIL FROM:<a@example.org> SIZE=3 SMTPUTF8\n"},
		{"nothing offered: no parameters", plain_caps, 1, 0, 3,
		DELIVER_OK, "2.0.0", "1 < MAIL FROM:<a@example.org>\n"},
		{"SMTPUTF8 needed, not offered", plain_caps, 0, 1, 3,
		DELIVER_BOUNCE, "5.6.7", NULL},
		{"larger than the peer's SIZE", utf8_caps, 0, 0, 101,
		DELIVER_BOUNCE, "5.3.4", NULL},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_opts so = {.max_conns = 1,
		.ehlo_caps = cases[i].caps};
		struct tsup_smtpd *s = tsup_smtpd_start(&so);
		struct deliver_mx_host h = dpeer_host("mx.tsup.test",
		    tsup_smtpd_port(s));
		struct dpeer p;
		const char *plog;

		dpeer_init(&p);
		dpeer_msg(&p, "x\r\n", 3, one_rcpt);
		p.msg.body_8bit = cases[i].body_8bit;
		p.msg.smtputf8 = cases[i].smtputf8;
		p.msg.size = cases[i].size;
		dpeer_run(&p, &h, 1);
		cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
		plog = tsup_smtpd_log(s);
		cr_assert_eq(p.rcpts[0].result.status, cases[i].want, "%s",
		    cases[i].label);
		cr_assert_str_eq(p.rcpts[0].result.dsn, cases[i].dsn, "%s",
		    cases[i].label);
		if (cases[i].mail)
			cr_assert(has(plog, cases[i].mail), "%s:\n%s",
			    cases[i].label, plog);
		else
			cr_assert(!has(plog, "1 < MAIL"), "%s:\n%s",
			    cases[i].label, plog);
		dpeer_fini(&p);
	}
}

Test(deliver_smtp, smtputf8_refusal_is_logged_as_a_bounce)
{
	static const char *const plain_caps[] = {"PIPELINING", NULL};
	struct tsup_smtpd_opts so = {.max_conns = 1, .ehlo_caps = plain_caps};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct deliver_mx_host h = dpeer_host("mx.tsup.test",
	    tsup_smtpd_port(s));
	struct dpeer p;

	dpeer_init(&p);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	p.msg.smtputf8 = 1;
	dpeer_run(&p, &h, 1);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_str_eq(p.rcpts[0].result.text, "SMTPUTF8 is required, but "
	    "was not offered by host mx.tsup.test[127.0.0.1]");
	cr_assert_str_eq(dpeer_log(&p),
	    "Info: New SMTP DCID N interface 127.0.0.1 address 127.0.0.1 "
	    "port P\n"
	    "Info: Bounced: DCID N MID N to RID N - 5.6.7 - Non-ASCII "
	    "addresses not permitted ('000', ['SMTPUTF8 is required, but "
	    "was not offered by host mx.tsup.test[127.0.0.1]']) []\n"
	    "Info: DCID N close\n");
	dpeer_fini(&p);
}

Test(deliver_smtp, refusals_after_rcpt)
{
	static const struct tsup_smtpd_rule data554[] = {
		{.verb = "DATA", .reply = "554 5.5.1 no valid recipients"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule dot554[] = {
		{.verb = "DOT", .reply = "554 5.7.1 spam"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule dot451[] = {
		{.verb = "DOT", .reply = "451 4.3.0 local error"},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule drop354[] = {
		{.verb = "DATA", .reply = "354 go on",
		.action = TSUP_SMTPD_CLOSE},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule reset_dot[] = {
		{.verb = "DOT", .action = TSUP_SMTPD_RESET},
		{.verb = NULL},
	};
	static const struct tsup_smtpd_rule hold_dot[] = {
		{.verb = "DOT", .action = TSUP_SMTPD_HOLD},
		{.verb = NULL},
	};
	static const struct {
		const char *label;
		const struct tsup_smtpd_rule *rules;
		enum deliver_status want;
		int	code;
		const char *dsn;
		const char *text;
	} cases[] = {
		{"DATA refused", data554, DELIVER_BOUNCE, 554, "5.5.1",
		"5.5.1 no valid recipients"},
		{"message refused", dot554, DELIVER_BOUNCE, 554, "5.7.1",
		"5.7.1 spam"},
		{"message deferred", dot451, DELIVER_DEFER, 451, "4.3.0",
		"4.3.0 local error"},
		{"closed during the content", drop354, DELIVER_DEFER, 0,
		"4.4.0", NULL},
		{"reset instead of the verdict", reset_dot, DELIVER_DEFER, 0,
		"4.4.0", NULL},
		{"no verdict before the timeout", hold_dot, DELIVER_DEFER, 0,
		"4.4.0", "connection timed out"},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_opts so = {.max_conns = 1,
		.rules = cases[i].rules, .timeout_ms = 3000};
		struct tsup_smtpd *s = tsup_smtpd_start(&so);
		struct deliver_mx_host h = dpeer_host("mx.tsup.test",
		    tsup_smtpd_port(s));
		struct dpeer p;
		const char *log;

		dpeer_init(&p);
		p.opts.to.dot_ms = 300;
		dpeer_msg(&p, "x\r\n", 3, one_rcpt);
		dpeer_run(&p, &h, 1);
		cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
		cr_assert_eq(p.rcpts[0].result.status, cases[i].want,
		    "%s: %s\n%s", cases[i].label,
		    deliver_status_name(p.rcpts[0].result.status),
		    tsup_smtpd_log(s));
		cr_assert_eq(p.rcpts[0].result.code, cases[i].code, "%s",
		    cases[i].label);
		cr_assert_str_eq(p.rcpts[0].result.dsn, cases[i].dsn, "%s",
		    cases[i].label);
		if (cases[i].text)
			cr_assert_str_eq(p.rcpts[0].result.text,
			    cases[i].text, "%s", cases[i].label);
		log = dpeer_log(&p);
		cr_assert(!has(log, "Message done"), "%s", cases[i].label);
		cr_assert(has(log, cases[i].want == DELIVER_BOUNCE ?
		    "Info: Bounced: DCID N MID N to RID N - " :
		    "Info: Delayed: DCID N MID N to RID N - "), "%s:\n%s",
		    cases[i].label, log);
		dpeer_fini(&p);
	}
}

Test(deliver_smtp, connection_reuse_for_several_messages)
{
	static const char *const rcpts2[] = {"c@tsup.test", NULL};
	static const struct tsup_smtpd_rule first_rcpt_refused[] = {
		{.verb = "RCPT", .reply = "550 5.1.1 no", .times = 1},
		{.verb = NULL},
	};
	static const struct {
		const char *label;
		const struct tsup_smtpd_rule *rules;
		const char *const *caps;
		enum deliver_status first;
		int	rset;
	} cases[] = {
		{"two messages", NULL, NULL, DELIVER_OK, 0},
		{"RSET after a transaction with no recipient",
		first_rcpt_refused, no_pipelining, DELIVER_BOUNCE, 1},
	};
	size_t	i;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_opts so = {.max_conns = 1,
		.rules = cases[i].rules, .ehlo_caps = cases[i].caps};
		struct tsup_smtpd *s = tsup_smtpd_start(&so);
		struct deliver_mx_host h = dpeer_host("mx.tsup.test",
		    tsup_smtpd_port(s));
		struct dpeer p;
		struct deliver_msg m2;
		struct deliver_rcpt r2;
		const char *plog;

		dpeer_init(&p);
		dpeer_msg(&p, "first\r\n", 7, one_rcpt);
		deliver_msg_init(&m2);
		memset(&r2, 0, sizeof(r2));
		r2.addr = rcpts2[0];
		m2.mid = 8;
		m2.sender = "a@example.org";
		m2.fd = p.msg.fd;
		m2.rcpts = &r2;
		m2.nrcpts = 1;
		p.opts.keep = 1;
		p.more[p.nmore++] = &m2;
		dpeer_run(&p, &h, 1);
		cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
		plog = tsup_smtpd_log(s);
		cr_assert_eq(tsup_smtpd_conns(s), 1, "%s", cases[i].label);
		cr_assert_eq(p.msg.status, cases[i].first, "%s",
		    cases[i].label);
		cr_assert_eq(m2.status, DELIVER_OK, "%s:\n%s",
		    cases[i].label, plog);
		cr_assert(has(plog, "1 < RCPT TO:<c@tsup.test>"), "%s",
		    cases[i].label);
		cr_assert_eq(has(plog, "1 < RSET\n"), cases[i].rset, "%s:\n%s",
		    cases[i].label, plog);
		cr_assert(has(plog, "1 < QUIT\n"), "%s", cases[i].label);
		if (cases[i].rules == NULL)
			cr_assert_str_eq(dpeer_log(&p),
			    "Info: New SMTP DCID N interface 127.0.0.1 address "
			    "127.0.0.1 port P\n"
			    "Info: Delivery start DCID N MID N to RID [N]\n"
			    "Info: MID N RID [N] Response '2.0.0 Ok: queued as "
			    "TSUP1M1'\n"
			    "Info: Message done DCID N MID N to RID [N]\n"
			    "Info: Delivery start DCID N MID N to RID [N]\n"
			    "Info: MID N RID [N] Response '2.0.0 Ok: queued as "
			    "TSUP1M2'\n"
			    "Info: Message done DCID N MID N to RID [N]\n"
			    "Info: DCID N close\n");
		cr_assert_eq(p.dcid, 100, "%s: one DCID", cases[i].label);
		deliver_msg_fini(&m2);
		dpeer_fini(&p);
	}
}

Test(deliver_smtp, silent_peer_times_out_and_source_address_is_used)
{
	static const struct tsup_smtpd_rule silent[] = {
		{.verb = "CONNECT", .action = TSUP_SMTPD_HOLD},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts so = {.max_conns = 1, .rules = silent,
	.timeout_ms = 3000};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct deliver_mx_host hosts[2];
	struct sockaddr_in src;
	struct dpeer p;

	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	hosts[0] = dpeer_host("dead.tsup.test", tsup_port_free());
	hosts[1] = dpeer_host("mx.tsup.test", tsup_smtpd_port(s));
	dpeer_init(&p);
	p.opts.src = (const struct sockaddr *) &src;
	p.opts.to.greeting_ms = 200;
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	dpeer_run(&p, hosts, 2);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(p.msg.status, DELIVER_DEFER);
	cr_assert_str_eq(p.rcpts[0].result.dsn, "4.4.0");
	cr_assert_str_eq(p.rcpts[0].result.text, "connection timed out");
	cr_assert_str_eq(dpeer_log(&p),
	    "Info: Connection Error: DCID N domain: tsup.test IP:127.0.0.1 "
	    "port: P details: [Errno 111] Connection refused interface: "
	    "127.0.0.1 reason: network error\n"
	    "Info: New SMTP DCID N interface 127.0.0.1 address 127.0.0.1 "
	    "port P\n"
	    "Info: Connection Error: DCID N domain: tsup.test IP:127.0.0.1 "
	    "port: P details: timeout interface: 127.0.0.1 reason: network "
	    "error\n"
	    "Info: DCID N close\n"
	    "Info: Delayed: DCID N MID N to RID N - 4.4.0 - Other network "
	    "problem ('000', ['connection timed out'])[]\n");
	dpeer_fini(&p);
}

Test(deliver_smtp, no_host_at_all_defers_from_the_loop)
{
	struct dpeer p;

	dpeer_init(&p);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	dpeer_run(&p, NULL, 0);
	cr_assert_eq(p.msg.status, DELIVER_DEFER);
	cr_assert_str_eq(p.rcpts[0].result.text, "no host to try");
	cr_assert_eq(p.dcid, 99, "no DCID taken");
	dpeer_fini(&p);
}

/* odd_want - the result of an odd reply at one step */

static enum deliver_status
odd_want(const char *verb, int code)
{
	if (strcmp(verb, "STARTTLS") == 0)
		return (DELIVER_DEFER);		/* TLS is required */
	if (strcmp(verb, "EHLO") == 0 && code / 100 == 5)
		return (DELIVER_OK);		/* HELO works */
	if (strcmp(verb, "DATA") == 0 && code == 354)
		return (DELIVER_OK);
	return (code / 100 == 5 ? DELIVER_BOUNCE : DELIVER_DEFER);
}

Test(deliver_smtp, odd_replies_at_every_step)
{
	static const char *const verbs[] = {"CONNECT", "EHLO", "STARTTLS",
	"MAIL", "RCPT", "DATA", "DOT"};
	static const int codes[] = {221, 251, 354, 421, 500, 554};
	const struct tsup_certs *c = tsup_certs_make(NULL);
	size_t	i, j;

	for (i = 0; i < NCASES(verbs); i++) {
		for (j = 0; j < NCASES(codes); j++) {
			const char *label = tsup_strf("%s answered %d",
			    verbs[i], codes[j]);
			struct tsup_smtpd_rule rules[2];
			struct tsup_smtpd_opts so;
			struct tsup_smtpd *s;
			struct deliver_mx_host h;
			struct dpeer p;
			enum deliver_status want = odd_want(verbs[i], codes[j]);
			const char *plog;

			if (strcmp(verbs[i], "RCPT") == 0 && codes[j] == 251)
				want = DELIVER_OK;	/* "will forward" */
			memset(rules, 0, sizeof(rules));
			rules[0].verb = verbs[i];
			rules[0].reply = tsup_strf("%d odd reply", codes[j]);
			memset(&so, 0, sizeof(so));
			so.max_conns = 1;
			so.rules = rules;
			so.timeout_ms = 3000;
			so.tls.cert_file = c->good.chain;
			so.tls.key_file = c->good.key;
			s = tsup_smtpd_start(&so);
			h = dpeer_host(TSUP_CERT_HOST, tsup_smtpd_port(s));
			dpeer_init(&p);
			p.opts.to.dot_ms = 500;
			if (strcmp(verbs[i], "STARTTLS") == 0) {
				p.opts.tls = POLICY_TLS_REQUIRED;
				p.opts.ssl_ctx = dpeer_client_ctx(c->root.cert,
				    NULL);
			}
			dpeer_msg(&p, "x\r\n", 3, one_rcpt);
			dpeer_run(&p, &h, 1);
			cr_assert_eq(tsup_smtpd_wait(s, 0), 0, "%s", label);
			plog = tsup_smtpd_log(s);
			cr_assert_eq(p.rcpts[0].result.status, want,
			    "%s: %s\n%s", label,
			    deliver_status_name(p.rcpts[0].result.status),
			    plog);
			if (want != DELIVER_OK)
				cr_assert_eq(p.rcpts[0].result.dsn[0],
				    want == DELIVER_BOUNCE ? '5' : '4',
				    "%s: %s", label, p.rcpts[0].result.dsn);
			if (strcmp(verbs[i], "STARTTLS") == 0)
				cr_assert(!has(plog, "1 * TLS ")
				    && !has(plog, "1 < MAIL"), "%s:\n%s",
				    label, plog);
			dpeer_fini(&p);
		}
	}
}

Test(deliver_smtp, malformed_replies_defer)
{
	struct {
		const char *label;
		const char *verb;
		const char *raw;
	} cases[] = {
		{"not a reply", "CONNECT", "hello there\r\n"},
		{"code changes inside a reply", "CONNECT",
		"220-mx ESMTP\r\n221 bye\r\n"},
		{"bad separator", "EHLO", "250-mx\r\n250*PIPELINING\r\n"},
		{"reply line too long", "MAIL", NULL},
		{"too many lines", "EHLO", NULL},
	};
	struct buf longline, many;
	size_t	i;

	buf_init(&longline, 5000);
	buf_puts(&longline, "250 ");
	for (i = 0; i < 4000; i++)
		buf_putc(&longline, 'x');
	buf_puts(&longline, "\r\n");
	cases[3].raw = longline.data;
	buf_init(&many, 5000);
	for (i = 0; i < 200; i++)
		buf_printf(&many, "250-X%zu\r\n", i);
	buf_puts(&many, "250 END\r\n");
	cases[4].raw = many.data;

	for (i = 0; i < NCASES(cases); i++) {
		struct tsup_smtpd_rule rules[2];
		struct tsup_smtpd_opts so;
		struct tsup_smtpd *s;
		struct deliver_mx_host h;
		struct dpeer p;

		memset(rules, 0, sizeof(rules));
		rules[0].verb = cases[i].verb;
		rules[0].reply = cases[i].raw;
		rules[0].flags = TSUP_SMTPD_RAW;
		memset(&so, 0, sizeof(so));
		so.max_conns = 1;
		so.rules = rules;
		so.timeout_ms = 3000;
		s = tsup_smtpd_start(&so);
		h = dpeer_host("mx.tsup.test", tsup_smtpd_port(s));
		dpeer_init(&p);
		dpeer_msg(&p, "x\r\n", 3, one_rcpt);
		dpeer_run(&p, &h, 1);
		cr_assert_eq(tsup_smtpd_wait(s, 0), 0, "%s", cases[i].label);
		cr_assert_eq(p.rcpts[0].result.status, DELIVER_DEFER, "%s: %s",
		    cases[i].label,
		    deliver_status_name(p.rcpts[0].result.status));
		cr_assert_str_eq(p.rcpts[0].result.dsn, "4.5.0", "%s",
		    cases[i].label);
		cr_assert(has(p.rcpts[0].result.text, "malformed SMTP reply"),
		    "%s: %s", cases[i].label, p.rcpts[0].result.text);
		cr_assert(!has(tsup_smtpd_log(s), "* DATA"), "%s",
		    cases[i].label);
		dpeer_fini(&p);
	}
	buf_fini(&longline);
	buf_fini(&many);
}

/* keep_done - hold on to the session past done() */

static void
keep_done(struct deliver_smtp *ds, struct deliver_msg *msg, void *ctx)
{
	struct deliver_smtp **held = ctx;

	(void) msg;
	cr_assert(deliver_smtp_reusable(ds));
	*held = ds;
}

Test(deliver_smtp, kept_session_outlives_the_peer_until_quit)
{
	static const struct tsup_smtpd_rule close_after[] = {
		{.verb = "DOT", .reply = "250 2.0.0 Ok", .action =
		TSUP_SMTPD_CLOSE},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts so = {.max_conns = 1, .rules = close_after};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct deliver_mx_host h = dpeer_host("mx.tsup.test",
	    tsup_smtpd_port(s));
	struct deliver_smtp *held = NULL;
	struct deliver_msg m2;
	struct deliver_rcpt r2;
	struct dpeer p;

	dpeer_init(&p);
	p.opts.keep = 1;
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	(void) deliver_smtp_start(&p.loop, &p.opts, &h, 1, &p.msg, keep_done,
	    &held);
	(void) uv_run(&p.loop, UV_RUN_DEFAULT);
	cr_assert_not_null(held);
	cr_assert_eq(p.msg.status, DELIVER_OK);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	/* The peer has gone: the session is still there, not reusable. */
	cr_assert_eq(deliver_smtp_reusable(held), 0);
	deliver_msg_init(&m2);
	memset(&r2, 0, sizeof(r2));
	r2.addr = "c@tsup.test";
	m2.fd = p.msg.fd;
	m2.rcpts = &r2;
	m2.nrcpts = 1;
	cr_assert_eq(deliver_smtp_next(held, &m2, keep_done, &held), -1);
	deliver_smtp_quit(held);
	(void) uv_run(&p.loop, UV_RUN_DEFAULT);
	cr_assert(has(dpeer_log(&p), "Info: DCID N close\n"));
	dpeer_fini(&p);
}

/* model_line - one line as the wire must carry it */

static void
model_line(const char *line, size_t len, struct buf *out)
{
	struct buf st;
	size_t	i, room = DELIVER_LINE_MAX;

	buf_init(&st, len + 2);
	if (len > 0 && line[0] == '.')
		buf_putc(&st, '.');
	buf_append(&st, line, len);
	for (i = 0; i < st.len; i++) {
		if (room == 0) {
			buf_append(out, "\r\n ", 3);
			room = DELIVER_LINE_MAX - 1;
		}
		buf_putc(out, st.data[i]);
		room--;
	}
	buf_append(out, "\r\n", 2);
	buf_fini(&st);
}

/* model - the reference encoding of content, written plainly */

static void
model(const char *in, size_t n, struct buf *out)
{
	size_t	start = 0, i = 0;

	while (i < n) {
		if (in[i] == '\r' || in[i] == '\n') {
			model_line(in + start, i - start, out);
			if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
				i++;
			start = ++i;
			continue;
		}
		i++;
	}
	if (start < n)
		model_line(in + start, n - start, out);
}

Test(deliver_smtp, random_content_matches_the_reference_model)
{
	enum { N = 24 };
	static const char alphabet[] = "aaaaaaaa...\r\r\n\n\n  ";
	struct tsup_smtpd_opts so = {.max_conns = N};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct deliver_mx_host h = dpeer_host("mx.tsup.test",
	    tsup_smtpd_port(s));
	struct buf in, want;
	unsigned seed = 20261123;
	int	i;

	buf_init(&in, 4096);
	buf_init(&want, 4096);
	for (i = 0; i < N; i++) {
		struct dpeer p;
		size_t	len = (size_t) rand_r(&seed) % (i < N / 2 ? 64 : 3000);
		size_t	j;
		const char *got;

		buf_reset(&in);
		buf_reset(&want);
		for (j = 0; j < len; j++) {
			/* Long runs of one letter now and then. */
			if (rand_r(&seed) % 50 == 0) {
				size_t	k, run = (size_t) rand_r(&seed) % 2100;

				for (k = 0; k < run; k++)
					buf_putc(&in, 'b');
			}
			buf_putc(&in, alphabet[(size_t) rand_r(&seed) %
			    (sizeof(alphabet) - 1)]);
		}
		model(in.data, in.len, &want);
		dpeer_init(&p);
		dpeer_msg(&p, in.data, in.len, one_rcpt);
		dpeer_run(&p, &h, 1);
		cr_assert_eq(p.msg.status, DELIVER_OK, "case %d", i);
		dpeer_fini(&p);
		got = message(s, i + 1, 1);
		cr_assert_not_null(got, "case %d", i);
		cr_assert(strlen(got) == want.len
		    && memcmp(got, want.data, want.len) == 0,
		    "case %d (%zu octets in): wire differs from the model",
		    i, in.len);
	}
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	buf_fini(&in);
	buf_fini(&want);
}

Test(deliver_smtp, unreadable_content_never_ends_the_data)
{
	struct tsup_smtpd_opts so = {.max_conns = 1, .timeout_ms = 3000};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct deliver_mx_host h = dpeer_host("mx.tsup.test",
	    tsup_smtpd_port(s));
	struct dpeer p;
	int	fd;

	dpeer_init(&p);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	fd = p.msg.fd;
	p.msg.fd = -1;
	dpeer_run(&p, &h, 1);
	p.msg.fd = fd;
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(p.msg.status, DELIVER_DEFER);
	cr_assert_str_eq(p.rcpts[0].result.dsn, "4.3.0");
	cr_assert(has(p.rcpts[0].result.text, "cannot read the message"));
	cr_assert(!has(tsup_smtpd_log(s), "* DATA"), "%s",
	    tsup_smtpd_log(s));
	cr_assert(!has(tsup_smtpd_log(s), "queued as"));
	dpeer_fini(&p);
}

Test(deliver_smtp, multi_line_replies_in_results_and_log)
{
	static const struct tsup_smtpd_rule rules[] = {
		{.verb = "RCPT", .reply = "550-5.1.1 no such user\n"
		"550 5.1.1 see https://example.org/why"},
		{.verb = NULL},
	};
	struct tsup_smtpd_opts so = {.max_conns = 1, .rules = rules};
	struct tsup_smtpd *s = tsup_smtpd_start(&so);
	struct deliver_mx_host h = dpeer_host("mx.tsup.test",
	    tsup_smtpd_port(s));
	struct dpeer p;

	dpeer_init(&p);
	dpeer_msg(&p, "x\r\n", 3, one_rcpt);
	dpeer_run(&p, &h, 1);
	cr_assert_eq(tsup_smtpd_wait(s, 0), 0);
	cr_assert_eq(p.rcpts[0].result.status, DELIVER_BOUNCE);
	cr_assert_str_eq(p.rcpts[0].result.dsn, "5.1.1");
	cr_assert_str_eq(p.rcpts[0].result.text, "5.1.1 no such user\n"
	    "5.1.1 see https://example.org/why");
	cr_assert(has(dpeer_log(&p), "Info: Bounced: DCID N MID N to RID N "
	    "- 5.1.1 - Bad destination email address ('550', ['5.1.1 no such "
	    "user', '5.1.1 see https://example.org/why']) []\n"),
	    "%s", dpeer_log(&p));
	dpeer_fini(&p);
}
