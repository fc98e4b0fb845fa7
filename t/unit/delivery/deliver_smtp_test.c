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
