/*
 * NAME
 *	smuggle_test - SMTP smuggling, pipelining and STARTTLS injection
 * DESCRIPTION
 *	The cases of the reliability catalogue (section A and B) that an
 *	attacker reaches first, driven with raw bytes against a real mtad.
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(smuggle, .init = tsup_init, .fini = tsup_fini, .timeout = 120);

/* smuggle_open - a session in the middle of a transaction, after 354 */

static struct tsup_smtp *
smuggle_open(const struct mtad_inst *mi)
{
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);

	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	(void) tsup_smtp_chat(c, 250, "MAIL FROM:<a@example.org>");
	(void) tsup_smtp_chat(c, 250, "RCPT TO:<b@example.com>");
	(void) tsup_smtp_chat(c, 354, "DATA");
	return (c);
}

struct eod_case {
	const char *label;
	const char *eod;
	size_t	len;
	int	one_message;	/* no bare CR/LF: all of it is one body */
};

#define EOD(label, bytes)	{label, bytes, sizeof(bytes) - 1, 0}
#define NUL(label, bytes)	{label, bytes, sizeof(bytes) - 1, 1}

Test(smuggle, fake_end_of_data_never_ends_a_message)
{
	static const struct eod_case cases[] = {
		EOD("lflf", "\n.\n"),
		EOD("crcr", "\r.\r"),
		EOD("crlf", "\r.\n"),
		EOD("lfcr", "\n.\r"),
		EOD("lfcrlf", "\n.\r\n"),
		EOD("crlflf", "\r\n.\n"),
		EOD("crcrlf", "\r.\r\n"),
		EOD("crlfcr", "\r\n.\r"),
		NUL("nullbefore", "\r\n\0.\r\n"),
		NUL("nullafter", "\r\n.\0\r\n"),
	};
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tsup_smtp *c = smuggle_open(mi);
		struct buf *seg = buf_new(0);
		int	code;

		buf_puts(seg, "Subject: t\r\n\r\nbody");
		buf_append(seg, cases[i].eod, cases[i].len);
		buf_puts(seg, "MAIL FROM:<smuggled@example.org>\r\n"
		    "RCPT TO:<b@example.com>\r\nDATA\r\n"
		    "From: <smuggled@example.org>\r\nSubject: SMUGGLED\r\n\r\n"
		    "x\r\n.\r\n");
		tsup_smtp_send(c, seg->data, seg->len);
		if (cases[i].one_message) {
			/* Its only end of data is the final one. */
			cr_expect_eq(tsup_smtp_reply(c), 250, "%s: %s",
			    cases[i].label, tsup_smtp_text(c));
			tsup_smtp_close(c);
			buf_free(seg);
			continue;
		}
		tsup_smtp_timeout(c, 500);
		code = tsup_smtp_reply(c);
		cr_expect(code == TSUP_SMTP_TIMEOUT || code >= 500,
		    "%s: a reply (%d) came right after the fake end: %s",
		    cases[i].label, code, tsup_smtp_text(c));
		tsup_smtp_timeout(c, tsup_deadline_ms());
		if (code == TSUP_SMTP_TIMEOUT) {
			tsup_smtp_send(c, "\r\n.\r\n", 5);
			code = tsup_smtp_reply(c);
			cr_expect_eq(code, 550, "%s: real end: %d %s",
			    cases[i].label, code, tsup_smtp_text(c));
		}
		tsup_smtp_close(c);
		buf_free(seg);
	}
	cr_expect_eq(mtad_queued(mi), 2, "only the two NUL cases, each as "
	    "one message from a@example.org");
	cr_expect_eq(mtad_log_count(mi, "smuggled@"), 0);
	cr_expect_eq(mtad_log_count(mi, "From: <a@example.org>"), 10);
	mtad_stop(mi);
}

Test(smuggle, pipelined_second_transaction_after_data)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	struct tsup_smtp *c = smuggle_open(mi);
	static const char seg[] = "x\r\n.\r\nMAIL FROM:<a@example.org>\r\n"
	    "RCPT TO:<b@example.com>\r\nDATA\r\nSubject: 2\r\n\r\ny\r\n.\r\n";

	tsup_smtp_send(c, seg, sizeof(seg) - 1);
	(void) tsup_smtp_expect(c, 250);
	(void) tsup_smtp_expect(c, 250);
	(void) tsup_smtp_expect(c, 250);
	(void) tsup_smtp_expect(c, 554);
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 1, "exactly one message");
	mtad_stop(mi);
}

Test(smuggle, talking_before_the_greeting)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);

	tsup_smtp_send(c, "EHLO early.test\r\n", 17);
	(void) tsup_smtp_expect(c, 554);
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);
	mtad_stop(mi);
}

Test(smuggle, pipelining_without_ehlo)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);
	static const char seg[] = "HELO t.example\r\nMAIL FROM:<a@example.org>\r\n";

	(void) tsup_smtp_expect(c, 220);
	tsup_smtp_send(c, seg, sizeof(seg) - 1);
	(void) tsup_smtp_expect(c, 554);
	tsup_smtp_expect_close(c);
	tsup_smtp_close(c);
	mtad_stop(mi);
}

Test(smuggle, legal_pipelining_keeps_order)
{
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);
	static const char seg[] = "MAIL FROM:<a@example.org>\r\n"
	    "RCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n";

	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	tsup_smtp_send(c, seg, sizeof(seg) - 1);
	(void) tsup_smtp_expect(c, 250);
	(void) tsup_smtp_expect(c, 250);
	(void) tsup_smtp_expect(c, 250);
	(void) tsup_smtp_expect(c, 354);
	(void) tsup_smtp_chat(c, 250, "Subject: p\r\n\r\nok\r\n.");
	tsup_smtp_close(c);
	cr_expect_eq(mtad_queued(mi), 1);
	mtad_stop(mi);
}

Test(smuggle, starttls_command_injection_is_discarded)
{
	struct mtad_spec spec = {0};
	struct tsup_tls_opts tls;
	struct mtad_inst *mi;
	struct tsup_smtp *c;
	static const char seg[] = "STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n";
	const char *reply;

	spec.listener = "sender_groups: []\nall_policy: P\n"
	    "policies:\n  P:\n    connection: accept\n    tls: preferred\n";
	mi = mtad_start(&spec);
	c = tsup_smtp_connect(mi->port);
	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	tsup_smtp_send(c, seg, sizeof(seg) - 1);
	(void) tsup_smtp_expect(c, 220);
	memset(&tls, 0, sizeof(tls));
	cr_assert_eq(tsup_smtp_handshake(c, &tls), 0, "%s",
	    tsup_smtp_tls_error(c));
	reply = tsup_smtp_chat(c, 250, "EHLO client.test");
	cr_expect(strstr(reply, "PIPELINING") != NULL,
	    "the first reply under TLS answers EHLO, not the injected "
	    "MAIL: %s", reply);
	(void) tsup_smtp_chat(c, 503, "RCPT TO:<b@example.com>");
	tsup_smtp_close(c);
	cr_expect_eq(mtad_log_count(mi, "evil@"), 0);
	mtad_stop(mi);
}

struct line_case {
	const char *label;
	size_t	pad;
	int	want;
};

Test(smuggle, command_line_length_and_nul)
{
	static const struct line_case cases[] = {
		{"512 octets", 512 - 7, 250},
		{"4 KiB", 4096, 500},
	};
	static const struct mtad_spec spec = {0};
	struct mtad_inst *mi = mtad_start(&spec);
	struct tsup_smtp *c = tsup_smtp_connect(mi->port);
	size_t	i;

	(void) tsup_smtp_expect(c, 220);
	(void) tsup_smtp_chat(c, 250, "EHLO client.test");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf *line = buf_new(0);
		size_t	j;

		buf_puts(line, "NOOP ");
		for (j = 0; j < cases[i].pad; j++)
			buf_putc(line, 'x');
		buf_puts(line, "\r\n");
		tsup_smtp_send(c, line->data, line->len);
		cr_expect_eq(tsup_smtp_reply(c), cases[i].want, "%s: %s",
		    cases[i].label, tsup_smtp_text(c));
		buf_free(line);
	}
	tsup_smtp_send(c, "MAIL FROM:<a\0b@example.org>\r\n", 29);
	cr_expect_eq(tsup_smtp_reply(c), 501, "NUL: %s", tsup_smtp_text(c));
	(void) tsup_smtp_chat(c, 250, "NOOP");
	tsup_smtp_close(c);
	mtad_stop(mi);
}
