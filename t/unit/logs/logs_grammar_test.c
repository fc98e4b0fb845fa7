/*
 * NAME
 *	logs_grammar_test - the mail log grammar against writer and documents
 * DESCRIPTION
 *	Four tables keep the formatters, the grammar and the documented
 *	lines in step:
 *	.IP \(bu
 *	every grammar entry's own documented example parses as that
 *	entry;
 *	.IP \(bu
 *	every documented line of golden/documented.txt (which
 *	logs_golden_test reproduces with the formatters) parses;
 *	.IP \(bu
 *	every formatter, called with ordinary and awkward field values
 *	in each dialect, writes a line that parses as the line type it
 *	is meant to be, with the fields it was given; and every line
 *	type is produced by at least one formatter call here;
 *	.IP \(bu
 *	malformed lines are refused with the reason named.
 *	.PP
 *	docs/maillog.md must carry each entry's template and example as
 *	the table has them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "logs_alert.h"
#include "logs_dcid.h"
#include "logs_grammar.h"
#include "logs_head.h"
#include "logs_icid.h"
#include "logs_line.h"
#include "logs_mid.h"
#include "logs_repr.h"

/* parse_doc - parse a documented line, with or without its time stamp */

static int
parse_doc(struct logs_grammar_line *lp, const char *line, struct buf *why)
{
	static const struct {
		const char *word;
		enum logs_line_level level;
	} levels[] = {
		{"Info: ", LOGS_LINE_INFO},
		{"Warning: ", LOGS_LINE_WARNING},
		{"Critical: ", LOGS_LINE_CRITICAL},
	};
	size_t	i, n;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		n = strlen(levels[i].word);
		if (strncmp(line, levels[i].word, n) == 0)
			return (logs_grammar_parse_message(lp, levels[i].level,
			    line + n, strlen(line) - n, why));
	}
	return (logs_grammar_parse(lp, line, strlen(line), why));
}

Test(logs_grammar, every_entry_parses_its_documented_example)
{
	const struct logs_grammar_entry *tab;
	struct logs_grammar_line ln;
	struct buf *why = buf_new(0);
	size_t	count, i;

	tab = logs_grammar_table(&count);
	cr_assert_eq(count, (size_t) LOGS_GRAMMAR_NTYPES);
	for (i = 0; i < count; i++) {
		cr_expect_eq((size_t) tab[i].type, i, "%s: out of order",
		    tab[i].name);
		cr_expect_eq(logs_grammar_entry(tab[i].type), &tab[i]);
		cr_expect(tab[i].dialects != 0, "%s: no dialect", tab[i].name);
		if (parse_doc(&ln, tab[i].example, why) < 0) {
			cr_expect_fail("%s: example does not parse: %s",
			    tab[i].name, why->data);
			continue;
		}
		cr_expect_eq(ln.entry, &tab[i], "%s: example parses as %s",
		    tab[i].name, ln.entry->name);
		cr_expect_eq(ln.level, tab[i].level, "%s: level",
		    tab[i].name);
	}
	buf_free(why);
}

Test(logs_grammar, every_documented_line_parses)
{
	const char *src = getenv("MTA_SRCDIR");
	struct logs_grammar_line ln;
	struct buf *why = buf_new(0);
	char	line[4096], *tab;
	FILE   *fp;
	int	n = 0;

	cr_assert_not_null(src, "MTA_SRCDIR is not set");
	snprintf(line, sizeof(line), "%s/t/unit/logs/golden/documented.txt",
	    src);
	cr_assert_not_null(fp = fopen(line, "r"), "%s", line);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || line[0] == 0)
			continue;
		cr_assert_not_null(tab = strchr(line, '\t'), "%s", line);
		n++;
		if (parse_doc(&ln, tab + 1, why) < 0)
			cr_expect_fail("%.*s: %s", (int) (tab - line), line,
			    why->data);
	}
	(void) fclose(fp);
	cr_expect_gt(n, 100, "only %d documented lines", n);
	buf_free(why);
}

Test(logs_grammar, the_specification_is_the_table)
{
	const struct logs_grammar_entry *tab;
	const char *src = getenv("MTA_SRCDIR");
	struct buf *doc = buf_new(0), *want = buf_new(0);
	char	path[4096], chunk[8192];
	size_t	count, i, n;
	FILE   *fp;

	cr_assert_not_null(src, "MTA_SRCDIR is not set");
	snprintf(path, sizeof(path), "%s/docs/maillog.md", src);
	cr_assert_not_null(fp = fopen(path, "r"), "%s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(doc, chunk, n);
	(void) fclose(fp);
	tab = logs_grammar_table(&count);
	for (i = 0; i < count; i++) {
		buf_reset(want);
		buf_printf(want, "#### `%s`\n\n    %s\n", tab[i].name,
		    tab[i].template);
		cr_expect_not_null(strstr(doc->data, want->data),
		    "docs/maillog.md lacks the template of %s:\n%s",
		    tab[i].name, want->data);
		buf_reset(want);
		buf_printf(want, "Documented (%s):\n\n    %s\n", tab[i].source,
		    tab[i].example);
		cr_expect_not_null(strstr(doc->data, want->data),
		    "docs/maillog.md lacks the example of %s:\n%s",
		    tab[i].name, want->data);
	}
	buf_free(doc);
	buf_free(want);
}

 /*
  * Formatter cases: a function writes one message part with the
  * formatter under test; the line must parse as want, and each
  * "name=value" of fields must be a field of the parsed line.
  */
struct fcase {
	const char *label;
	enum logs_line_level (*fn)(struct buf *,
	    const struct logs_line_style *);
	int	dialect;		/* 0 modern, 1 asyncos4, 2 IP: space */
	enum logs_grammar_type want;
	const char *fields[8];
};

#define F(name) \
	static enum logs_line_level f_##name(struct buf *bp, \
	    const struct logs_line_style *st)

static const unsigned rid0[] = {0};
static const unsigned rid3[] = {0, 1, 17};

/* sb - an SBRS value */

static struct logs_line_sbrs
sb(enum logs_line_sbrs_kind kind, int tenths)
{
	struct logs_line_sbrs s = {kind, tenths};

	return (s);
}

F(head_begin) { (void) st; return logs_head_begin(bp); }
F(head_version) { (void) st; return logs_head_version(bp, "0.1.0",
    "420D4FEA709365BFB3E3-0AF2EE5E700E"); }
F(head_serial) {
	struct buf *s = buf_new(0);
	enum logs_line_level lev;

	(void) st;
	logs_head_serial(s);
	lev = logs_head_version(bp, "15.0.0-104", s->data);
	buf_free(s);
	return (lev);
}
F(head_offset) { (void) st; return logs_head_offset(bp, -21600); }
F(head_offset_pos) { (void) st; return logs_head_offset(bp, 3600); }
F(icid_new) { (void) st; return logs_icid_new(bp, 7, "Data 1",
    "192.0.2.1", "198.51.100.7", "mx.example.net", 1); }
F(icid_new_noptr) { (void) st; return logs_icid_new(bp, 8, "public",
    "::1", "2001:db8::25", NULL, 0); }
F(hat_full) { struct logs_line_sbrs s = sb(LOGS_LINE_SBRS_SCORE, -11);
    (void) st; return logs_icid_hat(bp, 9, LOGS_ICID_ACCEPT,
    "SUSPECTLIST", "sbrs[-1.4:2.0]", &s, "United States"); }
F(hat_nomatch) { struct logs_line_sbrs s = sb(LOGS_LINE_SBRS_NONE, 0);
    (void) st; return logs_icid_hat(bp, 9, LOGS_ICID_RELAY, NULL, NULL,
    &s, NULL); }
F(hat_emptymatch) { struct logs_line_sbrs s = sb(LOGS_LINE_SBRS_RFC1918,
    0); (void) st; return logs_icid_hat(bp, 9, LOGS_ICID_REJECT, "BL", "",
    &s, NULL); }
F(hat_tcprefuse) { struct logs_line_sbrs s =
    sb(LOGS_LINE_SBRS_UNAVAILABLE, 0); (void) st; return logs_icid_hat(bp,
    9, LOGS_ICID_TCPREFUSE, "BLOCKED", "dnslist[zen.example]", &s,
    "not enabled"); }
F(hat_ten) { struct logs_line_sbrs s = sb(LOGS_LINE_SBRS_SCORE, 100);
    (void) st; return logs_icid_hat(bp, 9, LOGS_ICID_ACCEPT, "ALLOWED",
    "ALL", &s, NULL); }
F(hat_not_enabled) { struct logs_line_sbrs s =
    sb(LOGS_LINE_SBRS_NOT_ENABLED, 0); (void) st; return logs_icid_hat(bp,
    9, LOGS_ICID_ACCEPT, "None", "ALL", &s, "not enabled"); }
F(icid_tls_success) { return logs_icid_tls_success(bp, st, 10, "TLSv1.3",
    "TLS_AES_256_GCM_SHA384"); }
F(icid_tls_failed) {
	struct buf *r = buf_new(0);
	enum logs_line_level lev;

	logs_repr_ssl_error(r, 0x1408A0C1, "SSL3_GET_CLIENT_HELLO",
	    "no shared cipher");
	lev = logs_icid_tls_failed(bp, st, 11, r->data);
	buf_free(r);
	return (lev);
}
F(icid_tls_failed_null) { return logs_icid_tls_failed(bp, st, 11, NULL); }
F(icid_tls_required) { (void) st; return logs_icid_tls_required(bp, 12); }
F(receiving_failed) { (void) st; return logs_icid_receiving_failed(bp, 13,
    "Message size exceeds limit"); }
F(conn_limit) { (void) st; return logs_icid_conn_limit(bp, "192.0.2.9",
    "Incoming Mail", 14, 10); }
F(icid_timeout) { (void) st; return logs_icid_timeout(bp, 15,
    "192.0.2.10"); }
F(icid_lost) { (void) st; return logs_icid_lost(bp, 16); }
F(icid_close) { (void) st; return logs_icid_close(bp, 16); }
F(auth_ok) { (void) st; return logs_icid_auth(bp, 17, 1, "jane doe",
    "PLAIN", "corp ldap"); }
F(auth_failed) { (void) st; return logs_icid_auth(bp, 17, 0, "x",
    "LOGIN", "p"); }
F(auth_required) { (void) st; return logs_icid_auth_required(bp, 18); }
F(mid_start) { (void) st; return logs_mid_start(bp, 100, 7); }
F(mid_start_generated) { (void) st; return logs_mid_start(bp, 101, 0); }
F(mid_from) { (void) st; return logs_mid_from(bp, 100, 7,
    "a.b@example.org"); }
F(mid_from_null) { (void) st; return logs_mid_from(bp, 100, 7, ""); }
F(mid_to) { (void) st; return logs_mid_to(bp, 100, 7, 3,
    "\"odd > local\"@example.org"); }
F(mid_rejected) { (void) st; return logs_mid_rejected(bp, 100, 7,
    "x@example.org", "Receiving Control"); }
F(msgid) { (void) st; return logs_mid_message_id(bp, 100,
    str_from("<Lands'End.1@example.com>")); }
F(subject_both) { (void) st; return logs_mid_subject(bp, 100,
    str_from("it's \"quoted\"\\ \r\n\tfolded \xc3\xa9t\xc3\xa9 \x01")); }
F(subject_bad_utf8) { (void) st; return logs_mid_subject(bp, 100,
    str_make("\xff\xc3(\xe2\x80 \xed\xa0\x80 \xf4\x90\x80\x80", 14)); }
F(subject_empty) { (void) st; return logs_mid_subject(bp, 100,
    str_from("")); }
F(mid_ready) { (void) st; return logs_mid_ready(bp, 100, 4294967296ULL,
    ""); }
F(mid_queued) { (void) st; return logs_mid_queued(bp, 100); }
F(mid_aborted) { (void) st; return logs_mid_aborted(bp, 100,
    "Receiving aborted"); }
F(mid_finished) { (void) st; return logs_mid_finished(bp, 100, 0); }
F(mid_finished_aborted) { (void) st; return logs_mid_finished(bp, 100,
    1); }
F(bounce_of) { (void) st; return logs_mid_bounce_of(bp, 101, 100); }
F(response) { (void) st; return logs_mid_response(bp, 100, rid3, 3,
    str_from("2.0.0 Ok: queued as 'x'")); }
F(pending) { (void) st; return logs_mid_pending(bp, 100, rid0, 1,
    (time_t) 1700000000); }
F(double_bounce) { (void) st; return logs_mid_double_bounce(bp, 101, 0,
    "5.1.1", "Bad destination email address"); }
F(dcid_new) { (void) st; return logs_dcid_new(bp, 50, "192.0.2.1",
    "203.0.113.5", 25); }
F(dcid_tls_success) { (void) st; return logs_dcid_tls_success(bp, 50,
    "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"); }
F(dcid_tls_failed) { return logs_dcid_tls_failed(bp, st, 50,
    "203.0.113.5", "STARTTLS unexpected response"); }
F(dcid_tls_deferring) { (void) st; return logs_dcid_tls_deferring(bp, 50,
    "(336151598, 'error:1409442E:SSL routines:ssl3_read_bytes:tlsv1 "
    "alert protocol version')"); }
F(dcid_tls_required) { (void) st; return logs_dcid_tls_required(bp, 50,
    "203.0.113.5"); }
F(starttls_unsupported) { (void) st;
    return logs_dcid_starttls_unsupported(bp, 50); }
F(delivery_start) { (void) st; return logs_dcid_delivery_start(bp, 50,
    100, rid3, 3); }
F(message_done) { (void) st; return logs_dcid_message_done(bp, 50, 100,
    rid0, 1); }
F(delayed) {
	struct str lines[2];
	struct logs_dcid_bounce b = {50, 100, 0, "4.2.2", "Mailbox full",
	"452", lines, 2};

	(void) st;
	lines[0] = str_from("Mailbox temporarily full.");
	lines[1] = str_from("Try 'later'");
	return (logs_dcid_delayed(bp, &b));
}
F(bounced_dns) {
	struct str lines[1];
	struct logs_dcid_bounce b = {0, 100, 1, "5.1.2",
	"Bad destination host", "000", lines, 1};

	(void) st;
	lines[0] = str_from("DNS Hard Error looking up x.invalid (MX):  "
	    "NXDomain");
	return (logs_dcid_bounced(bp, &b));
}
F(bounced_nolines) {
	struct logs_dcid_bounce b = {51, 100, 2, "5.0.0", "Other",
	"550", NULL, 0};

	(void) st;
	return (logs_dcid_bounced(bp, &b));
}
F(conn_error) {
	struct buf *d = buf_new(0);
	struct logs_dcid_conn_error e = {50, "example.net", "203.0.113.5",
	25, NULL, "192.0.2.1", "unexpected SMTP response"};
	enum logs_line_level lev;

	logs_dcid_details_reply(d, "454", str_from("TLS not available"));
	e.details = d->data;
	lev = logs_dcid_conn_error(bp, st, &e);
	buf_free(d);
	return (lev);
}
F(conn_error_errno) {
	struct logs_dcid_conn_error e = {50, "example.net", "203.0.113.5",
	10025, "[Errno 111] Connection refused", "192.0.2.1",
	"network error"};

	return (logs_dcid_conn_error(bp, st, &e));
}
F(dns_error) { (void) st; return logs_dcid_dns_error(bp, "x.invalid",
    "MX", "NXDomain"); }
F(dns_tempfail) { (void) st; return logs_dcid_dns_tempfail(bp,
    "example.org", "MX", "unable to reach nameserver on any valid IP"); }
F(dcid_close) { (void) st; return logs_dcid_close(bp, 50); }
F(alert_sent) { (void) st; return logs_alert_sent(bp, "System",
    "Warning", "postmaster@example.org",
    "Warning <System> gw: \"quoted\" and 'single'"); }
F(alert_failed) { (void) st; return logs_alert_failed(bp, "Anti-Virus",
    "Critical", "a@example.org, b@example.org", ""); }

static const struct fcase fcases[] = {
	{"head_begin", f_head_begin, 0, LOGS_GRAMMAR_HEAD_BEGIN, {NULL}},
	{"head_version", f_head_version, 0, LOGS_GRAMMAR_HEAD_VERSION,
	{"version=0.1.0", "serial=420D4FEA709365BFB3E3-0AF2EE5E700E"}},
	{"head_version with this host's serial", f_head_serial, 0,
	LOGS_GRAMMAR_HEAD_VERSION, {"version=15.0.0-104"}},
	{"head_offset", f_head_offset, 0, LOGS_GRAMMAR_HEAD_OFFSET,
	{"offset=-21600"}},
	{"head_offset positive", f_head_offset_pos, 0,
	LOGS_GRAMMAR_HEAD_OFFSET, {"offset=3600"}},
	{"icid_new", f_icid_new, 0, LOGS_GRAMMAR_ICID_NEW,
	{"icid=7", "ifname=Data 1", "ifip=192.0.2.1", "addr=198.51.100.7",
	"ptr=mx.example.net", "verified=yes"}},
	{"icid_new without PTR", f_icid_new_noptr, 0, LOGS_GRAMMAR_ICID_NEW,
	{"ifip=::1", "addr=2001:db8::25", "ptr=unknown", "verified=no"}},
	{"hat with match and country", f_hat_full, 0, LOGS_GRAMMAR_ICID_HAT,
	{"action=ACCEPT", "group=SUSPECTLIST", "match=sbrs[-1.4:2.0]",
	"sbrs=-1.1", "country=United States"}},
	{"hat without match", f_hat_nomatch, 0, LOGS_GRAMMAR_ICID_HAT,
	{"action=RELAY", "group=None", "sbrs=None"}},
	{"hat with empty match", f_hat_emptymatch, 0, LOGS_GRAMMAR_ICID_HAT,
	{"action=REJECT", "match=", "sbrs=rfc1918"}},
	{"hat tcprefuse", f_hat_tcprefuse, 0, LOGS_GRAMMAR_ICID_HAT,
	{"icid=0", "action=TCPREFUSE", "sbrs=unable to retrieve",
	"country=not enabled"}},
	{"hat score 10.0", f_hat_ten, 0, LOGS_GRAMMAR_ICID_HAT,
	{"sbrs=10.0", "match=ALL"}},
	{"hat not enabled", f_hat_not_enabled, 0, LOGS_GRAMMAR_ICID_HAT,
	{"sbrs=not enabled", "country=not enabled"}},
	{"icid_tls_success", f_icid_tls_success, 0,
	LOGS_GRAMMAR_ICID_TLS_SUCCESS,
	{"protocol=TLSv1.3", "cipher=TLS_AES_256_GCM_SHA384"}},
	{"icid_tls_success asyncos4", f_icid_tls_success, 1,
	LOGS_GRAMMAR_ICID_TLS_SUCCESS_A4, {"icid=10"}},
	{"icid_tls_failed", f_icid_tls_failed, 0, LOGS_GRAMMAR_ICID_TLS_FAILED,
	{"reason=(336109761, 'error:1408A0C1:SSL routines:"
	"SSL3_GET_CLIENT_HELLO:no shared cipher')"}},
	{"icid_tls_failed asyncos4", f_icid_tls_failed, 1,
	LOGS_GRAMMAR_ICID_TLS_FAILED_A4, {"icid=11"}},
	{"icid_tls_failed without reason", f_icid_tls_failed_null, 0,
	LOGS_GRAMMAR_ICID_TLS_FAILED_A4, {"icid=11"}},
	{"icid_tls_required", f_icid_tls_required, 0,
	LOGS_GRAMMAR_ICID_TLS_REQUIRED, {"icid=12"}},
	{"receiving_failed", f_receiving_failed, 0,
	LOGS_GRAMMAR_ICID_RECEIVING_FAILED,
	{"reason=Message size exceeds limit"}},
	{"conn_limit", f_conn_limit, 0, LOGS_GRAMMAR_ICID_CONN_LIMIT,
	{"addr=192.0.2.9", "listener=Incoming Mail", "icid=14", "max=10"}},
	{"timeout", f_icid_timeout, 0, LOGS_GRAMMAR_ICID_TIMEOUT,
	{"icid=15", "addr=192.0.2.10"}},
	{"lost", f_icid_lost, 0, LOGS_GRAMMAR_ICID_LOST, {"icid=16"}},
	{"close", f_icid_close, 0, LOGS_GRAMMAR_ICID_CLOSE, {"icid=16"}},
	{"auth succeeded", f_auth_ok, 0, LOGS_GRAMMAR_ICID_AUTH,
	{"result=succeeded", "user=jane doe", "mechanism=PLAIN",
	"profile=corp ldap"}},
	{"auth failed", f_auth_failed, 0, LOGS_GRAMMAR_ICID_AUTH,
	{"result=failed", "user=x"}},
	{"auth required", f_auth_required, 0, LOGS_GRAMMAR_ICID_AUTH_REQUIRED,
	{"icid=18"}},
	{"mid_start", f_mid_start, 0, LOGS_GRAMMAR_MID_START,
	{"mid=100", "icid=7"}},
	{"mid_start generated", f_mid_start_generated, 0,
	LOGS_GRAMMAR_MID_START, {"mid=101", "icid=0"}},
	{"mid_from", f_mid_from, 0, LOGS_GRAMMAR_MID_FROM,
	{"sender=a.b@example.org"}},
	{"mid_from null sender", f_mid_from_null, 0, LOGS_GRAMMAR_MID_FROM,
	{"sender="}},
	{"mid_to with > in the local part", f_mid_to, 0, LOGS_GRAMMAR_MID_TO,
	{"rid=3", "rcpt=\"odd > local\"@example.org"}},
	{"mid_rejected", f_mid_rejected, 0, LOGS_GRAMMAR_MID_REJECTED,
	{"rcpt=x@example.org", "by=Receiving Control"}},
	{"message_id with quote", f_msgid, 0, LOGS_GRAMMAR_MID_MESSAGE_ID,
	{"msgid=\"<Lands'End.1@example.com>\""}},
	{"subject with both quotes, folding, UTF-8", f_subject_both, 0,
	LOGS_GRAMMAR_MID_SUBJECT, {"mid=100"}},
	{"subject with bad UTF-8", f_subject_bad_utf8, 0,
	LOGS_GRAMMAR_MID_SUBJECT, {"mid=100"}},
	{"subject empty", f_subject_empty, 0, LOGS_GRAMMAR_MID_SUBJECT,
	{"subject=''"}},
	{"mid_ready", f_mid_ready, 0, LOGS_GRAMMAR_MID_READY,
	{"size=4294967296", "sender="}},
	{"mid_queued", f_mid_queued, 0, LOGS_GRAMMAR_MID_QUEUED, {"mid=100"}},
	{"mid_aborted", f_mid_aborted, 0, LOGS_GRAMMAR_MID_ABORTED,
	{"reason=Receiving aborted"}},
	{"mid_finished", f_mid_finished, 0, LOGS_GRAMMAR_MID_FINISHED,
	{"outcome=done"}},
	{"mid_finished aborted", f_mid_finished_aborted, 0,
	LOGS_GRAMMAR_MID_FINISHED, {"outcome=aborted"}},
	{"bounce_of", f_bounce_of, 0, LOGS_GRAMMAR_MID_BOUNCE_OF,
	{"mid=101", "orig=100"}},
	{"response", f_response, 0, LOGS_GRAMMAR_MID_RESPONSE,
	{"rids=[0, 1, 17]", "response=\"2.0.0 Ok: queued as 'x'\""}},
	{"pending", f_pending, 0, LOGS_GRAMMAR_MID_PENDING,
	{"rids=[0]"}},
	{"double_bounce", f_double_bounce, 0, LOGS_GRAMMAR_MID_DOUBLE_BOUNCE,
	{"mid=101", "rid=0", "dsn=5.1.1",
	"description=Bad destination email address"}},
	{"dcid_new", f_dcid_new, 0, LOGS_GRAMMAR_DCID_NEW,
	{"dcid=50", "ifip=192.0.2.1", "addr=203.0.113.5", "port=25"}},
	{"dcid_tls_success", f_dcid_tls_success, 0,
	LOGS_GRAMMAR_DCID_TLS_SUCCESS, {"protocol=TLSv1.2"}},
	{"dcid_tls_success asyncos4", f_dcid_tls_success, 1,
	LOGS_GRAMMAR_DCID_TLS_SUCCESS, {"protocol=TLSv1.2"}},
	{"dcid_tls_failed", f_dcid_tls_failed, 0, LOGS_GRAMMAR_DCID_TLS_FAILED,
	{"reason=STARTTLS unexpected response"}},
	{"dcid_tls_failed asyncos4", f_dcid_tls_failed, 1,
	LOGS_GRAMMAR_DCID_TLS_FAILED_A4, {"addr=203.0.113.5",
	"reason=STARTTLS unexpected response"}},
	{"dcid_tls_deferring", f_dcid_tls_deferring, 0,
	LOGS_GRAMMAR_DCID_TLS_DEFERRING, {"dcid=50"}},
	{"dcid_tls_required", f_dcid_tls_required, 0,
	LOGS_GRAMMAR_DCID_TLS_REQUIRED, {"addr=203.0.113.5"}},
	{"starttls_unsupported", f_starttls_unsupported, 0,
	LOGS_GRAMMAR_DCID_STARTTLS_UNSUPPORTED, {"dcid=50"}},
	{"delivery_start", f_delivery_start, 0,
	LOGS_GRAMMAR_DCID_DELIVERY_START, {"mid=100", "rids=[0, 1, 17]"}},
	{"message_done", f_message_done, 0, LOGS_GRAMMAR_DCID_MESSAGE_DONE,
	{"dcid=50", "mid=100", "rids=[0]"}},
	{"delayed", f_delayed, 0, LOGS_GRAMMAR_DCID_DELAYED,
	{"dsn=4.2.2", "description=Mailbox full",
	"reply=('452', ['Mailbox temporarily full.', \"Try 'later'\"])"}},
	{"bounced without a connection", f_bounced_dns, 0,
	LOGS_GRAMMAR_DCID_BOUNCED, {"dcid=0", "rid=1",
	"description=Bad destination host"}},
	{"bounced without reply lines", f_bounced_nolines, 0,
	LOGS_GRAMMAR_DCID_BOUNCED, {"reply=('550', [])"}},
	{"conn_error", f_conn_error, 0, LOGS_GRAMMAR_DCID_CONN_ERROR,
	{"domain=example.net", "addr=203.0.113.5", "port=25",
	"details=454-'TLS not available'", "ifip=192.0.2.1",
	"reason=unexpected SMTP response"}},
	{"conn_error IP: space", f_conn_error_errno, 2,
	LOGS_GRAMMAR_DCID_CONN_ERROR, {"addr=203.0.113.5", "port=10025",
	"details=[Errno 111] Connection refused", "reason=network error"}},
	{"dns_error", f_dns_error, 0, LOGS_GRAMMAR_DCID_DNS_ERROR,
	{"domain=x.invalid", "rrtype=MX", "error=NXDomain"}},
	{"dns_tempfail", f_dns_tempfail, 0, LOGS_GRAMMAR_DCID_DNS_TEMPFAIL,
	{"error=unable to reach nameserver on any valid IP"}},
	{"dcid_close", f_dcid_close, 0, LOGS_GRAMMAR_DCID_CLOSE, {"dcid=50"}},
	{"alert_sent", f_alert_sent, 0, LOGS_GRAMMAR_ALERT_SENT,
	{"class=System", "severity=Warning", "rcpt=postmaster@example.org",
	"alert_subject=Warning <System> gw: \"quoted\" and 'single'"}},
	{"alert_failed", f_alert_failed, 0, LOGS_GRAMMAR_ALERT_FAILED,
	{"class=Anti-Virus", "rcpt=a@example.org, b@example.org",
	"alert_subject="}},
};

Test(logs_grammar, every_formatter_writes_what_the_grammar_reads)
{
	int	seen[LOGS_GRAMMAR_NTYPES] = {0};
	struct logs_line_style st;
	struct logs_grammar_line ln;
	const struct logs_grammar_field *fp;
	struct buf *bp = buf_new(0), *why = buf_new(0), *whole = buf_new(0);
	enum logs_line_level lev;
	const char *eq;
	size_t	i, k;

	for (i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++) {
		const struct fcase *c = &fcases[i];

		logs_line_style_init(&st);
		if (c->dialect == 1)
			st.dialect = LOGS_LINE_ASYNCOS4;
		if (c->dialect == 2)
			st.ip_space = 1;
		buf_reset(bp);
		lev = c->fn(bp, &st);
		if (logs_grammar_parse_message(&ln, lev, bp->data, bp->len,
		    why) < 0) {
			cr_expect_fail("%s: \"%s\" does not parse: %s",
			    c->label, bp->data, why->data);
			continue;
		}
		seen[ln.entry->type]++;
		cr_expect_eq(ln.entry->type, c->want, "%s: \"%s\" parses as %s",
		    c->label, bp->data, ln.entry->name);
		cr_expect(ln.entry->dialects & (c->dialect == 1 ?
		    LOGS_GRAMMAR_ASYNCOS4 : LOGS_GRAMMAR_MODERN),
		    "%s: %s is not marked for this dialect", c->label,
		    ln.entry->name);
		for (k = 0; k < 8 && c->fields[k]; k++) {
			eq = strchr(c->fields[k], '=');
			cr_assert_not_null(eq);
			{
				char	name[32];

				snprintf(name, sizeof(name), "%.*s",
				    (int) (eq - c->fields[k]), c->fields[k]);
				fp = logs_grammar_field(&ln, name);
				if (fp == NULL) {
					cr_expect_fail("%s: no field %s in "
					    "\"%s\"", c->label, name,
					    bp->data);
					continue;
				}
				cr_expect(str_eq(fp->value, str_from(eq + 1)),
				    "%s: %s is \"%.*s\", want \"%s\"",
				    c->label, name, (int) fp->value.len,
				    fp->value.ptr, eq + 1);
			}
		}

		/* the same message behind a file prefix and a syslog one */
		buf_reset(whole);
		buf_printf(whole, "Mon Nov  2 03:04:05 2026 %s: %s",
		    logs_line_level_name(lev), bp->data);
		cr_expect_eq(logs_grammar_parse(&ln, whole->data, whole->len,
		    why), 0, "%s: whole line: %s", c->label, why->data);
		cr_expect_eq(ln.entry->type, c->want, "%s", c->label);
		buf_reset(whole);
		buf_printf(whole, "<22>Nov 12 03:04:05 mail_logs: %s: %s",
		    logs_line_level_name(lev), bp->data);
		cr_expect_eq(logs_grammar_parse(&ln, whole->data, whole->len,
		    why), 0, "%s: syslog line: %s", c->label, why->data);
		cr_expect(ln.syslog, "%s", c->label);
	}
	for (k = 0; k < LOGS_GRAMMAR_NTYPES; k++)
		cr_expect(seen[k] > 0, "no formatter call here writes %s",
		    logs_grammar_entry((enum logs_grammar_type) k)->name);
	buf_free(bp);
	buf_free(why);
	buf_free(whole);
}

Test(logs_grammar, ids_are_collected)
{
	struct logs_grammar_line ln;
	const char *line = "Sat Jan  3 00:00:00 2026 Info: Delivery start "
	    "DCID 18446744073709551615 MID 5 to RID [0]";

	cr_assert_eq(logs_grammar_parse(&ln, line, strlen(line), NULL), 0);
	cr_expect_eq(ln.has, LOGS_GRAMMAR_HAS_DCID | LOGS_GRAMMAR_HAS_MID);
	cr_expect_eq(ln.dcid, 18446744073709551615UL);
	cr_expect_eq(ln.mid, 5);
	cr_expect(str_eq(ln.stamp, str_from("Sat Jan  3 00:00:00 2026")));
	line = "Sat Jan  3 00:00:00 2026 Info: MID 9 was generated for "
	    "bounce of MID 8";
	cr_assert_eq(logs_grammar_parse(&ln, line, strlen(line), NULL), 0);
	cr_expect_eq(ln.has, LOGS_GRAMMAR_HAS_MID | LOGS_GRAMMAR_HAS_ORIG);
	cr_expect_eq(ln.mid, 9);
	cr_expect_eq(ln.orig, 8);
}

struct bad {
	const char *label;
	const char *line;
	const char *why;		/* substring of the reason */
};

static const struct bad bads[] = {
	{"unknown type", "Mon Nov 23 14:08:28 2026 Info: Frobnicated MID 5",
	"unknown line type"},
	{"unknown ICID line", "Mon Nov 23 14:08:28 2026 Info: ICID 5 frob",
	"unknown line type (closest"},
	{"id not a number", "Mon Nov 23 14:08:28 2026 Info: ICID x5 close",
	"<icid> at column 37 is not a decimal ICID"},
	{"id with leading zero",
	"Mon Nov 23 14:08:28 2026 Info: ICID 05 close", "<icid>"},
	{"id too large",
	"Mon Nov 23 14:08:28 2026 Info: ICID 18446744073709551616 close",
	"<icid>"},
	{"day not padded", "Mon Nov 3 14:08:28 2026 Info: ICID 5 close",
	"no time stamp"},
	{"day zero padded", "Mon Nov 03 14:08:28 2026 Info: ICID 5 close",
	"no time stamp"},
	{"bad month", "Mon Foo 23 14:08:28 2026 Info: ICID 5 close",
	"no time stamp"},
	{"bad hour", "Mon Nov 23 24:08:28 2026 Info: ICID 5 close",
	"no time stamp"},
	{"no level", "Mon Nov 23 14:08:28 2026 ICID 5 close", "bad level"},
	{"unknown level", "Mon Nov 23 14:08:28 2026 Notice: ICID 5 close",
	"bad level"},
	{"wrong level", "Mon Nov 23 14:08:28 2026 Warning: ICID 5 close",
	"written at level Info"},
	{"trailing space", "Mon Nov 23 14:08:28 2026 Info: ICID 5 close ",
	"trailing space at column 44"},
	{"control byte", "Mon Nov 23 14:08:28 2026 Info: ICID 5\tclose",
	"control byte 0x09 at column 38"},
	{"subject not quoted",
	"Mon Nov 23 14:08:28 2026 Info: MID 5 Subject Hello",
	"malformed mid_subject line: <subject>"},
	{"subject unterminated",
	"Mon Nov 23 14:08:28 2026 Info: MID 5 Subject 'Hello",
	"<subject>"},
	{"subject bad escape",
	"Mon Nov 23 14:08:28 2026 Info: MID 5 Subject 'a\\qb'", "<subject>"},
	{"subject short hex escape",
	"Mon Nov 23 14:08:28 2026 Info: MID 5 Subject 'a\\x4'", "<subject>"},
	{"rids without space",
	"Mon Nov 23 14:08:28 2026 Info: Message done DCID 1 MID 2 to RID "
	"[0,1]", "<rids>"},
	{"rids unterminated",
	"Mon Nov 23 14:08:28 2026 Info: Message done DCID 1 MID 2 to RID [0",
	"<rids>"},
	{"reply code not three digits",
	"Mon Nov 23 14:08:28 2026 Info: Bounced: DCID 3 MID 4 to RID 0 - "
	"5.1.0 - Unknown ('55', ['x']) []", "dcid_bounced"},
	{"dsn malformed",
	"Mon Nov 23 14:08:28 2026 Info: Double bounce: Message 1 to 0 - 5.1 - "
	"x", "<dsn>"},
	{"Delayed with a space before []",
	"Mon Nov 23 14:08:28 2026 Info: Delayed: DCID 5 MID 4 to RID 0 - "
	"4.1.0 - x ('466', ['y']) []", "dcid_delayed"},
	{"bad sbrs",
	"Mon Nov 23 14:08:28 2026 Info: ICID 1 ACCEPT SG X match ALL SBRS "
	"11.5", "<sbrs>"},
	{"text after a complete line",
	"Mon Nov 23 14:08:28 2026 Info: ICID 1 ACCEPT SG X match ALL SBRS "
	"1.5x", "closest: icid_hat, which differs at column 69"},
	{"bad action",
	"Mon Nov 23 14:08:28 2026 Info: ICID 1 DENY SG X match ALL SBRS None",
	"unknown line type (closest: icid_hat"},
	{"pending date unpadded",
	"Mon Nov 23 14:08:28 2026 Info: Message 4 to RID [0] pending till "
	"Mon Mar 1 20:01:23 2003", "<until>"},
	{"text after a whole line",
	"Mon Nov 23 14:08:28 2026 Info: ICID 5 close now",
	"icid_close line followed by unexpected text at column 44"},
	{"empty message", "Mon Nov 23 14:08:28 2026 Info: ",
	"unknown line type"},
	{"empty line", "", "no time stamp"},
	{"syslog bad priority", "<999>Nov 12 03:04:05 mail_logs: Info: ICID 1 "
	"close", "bad syslog priority"},
	{"syslog without name", "<22>Nov 12 03:04:05 Info ICID 1 close",
	"bad syslog log name"},
	{"old Response unquoted",
	"Mon Nov 23 14:08:28 2026 Info: MID 1 RID [0] Response 2.6.0 ok",
	"<response>"},
	{"TEXT field with a space at its end",
	"Mon Nov 23 14:08:28 2026 Info: ICID 1 Receiving Failed:  x",
	"unknown line type"},
};

Test(logs_grammar, malformed_lines_are_refused_with_a_reason)
{
	struct logs_grammar_line ln;
	struct buf *why = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		buf_reset(why);
		if (logs_grammar_parse(&ln, bads[i].line, strlen(bads[i].line),
		    why) == 0) {
			cr_expect_fail("%s: parsed as %s", bads[i].label,
			    ln.entry->name);
			continue;
		}
		cr_expect_not_null(strstr(why->data, bads[i].why),
		    "%s: reason \"%s\", want \"%s\"", bads[i].label,
		    why->data, bads[i].why);
	}
	buf_free(why);
}

Test(logs_grammar, unrepr)
{
	static const struct {
		const char *label;
		const char *in;
		int	ok;
		const char *want;
	} cases[] = {
		{"plain", "'Hello'", 0, "Hello"},
		{"double quoted", "\"it's\"", 0, "it's"},
		{"escaped quote", "'it\\'s \"x\"'", 0, "it's \"x\""},
		{"escapes", "'a\\\\b\\r\\n\\tc'", 0, "a\\b\r\n\tc"},
		{"hex", "'\\x01\\xff'", 0, "\x01\xc3\xbf"},
		{"u", "'\\u20ac\\U0001f600'", 0,
		"\xe2\x82\xac\xf0\x9f\x98\x80"},
		{"utf-8 raw", "'\xc3\xa9'", 0, "\xc3\xa9"},
		{"empty", "''", 0, ""},
		{"unterminated", "'abc", -1, NULL},
		{"trailing bytes", "'abc'x", -1, NULL},
		{"bad escape", "'\\q'", -1, NULL},
		{"beyond U+10FFFF", "'\\U00110000'", -1, NULL},
		{"no quote", "abc", -1, NULL},
	};
	struct buf *bp = buf_new(0);
	size_t	i;
	int	got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(bp);
		got = logs_grammar_unrepr(bp, str_from(cases[i].in));
		cr_expect_eq(got, cases[i].ok, "%s: status %d", cases[i].label,
		    got);
		if (got == 0 && cases[i].want)
			cr_expect_str_eq(bp->data, cases[i].want, "%s",
			    cases[i].label);
	}
	buf_free(bp);
}

Test(logs_grammar, repr_round_trip)
{
	static const char *const texts[] = {
		"", "plain", "it's", "say \"hi\"", "both ' and \"",
		"back\\slash", "\r\n\t", "\x01\x1f\x7f", "\xc3\xa9\xe2\x82\xac",
		"\xe2\x80\x8b zero width", "\xf0\x9f\x98\x80",
	};
	struct buf *r = buf_new(0), *t = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		buf_reset(r);
		buf_reset(t);
		logs_repr_cstr(r, texts[i]);
		cr_expect_eq(logs_grammar_unrepr(t, str_make(r->data, r->len)),
		    0, "%zu: %s", i, r->data);
		cr_expect_str_eq(t->data, texts[i], "%zu: via %s", i, r->data);
	}
	buf_free(r);
	buf_free(t);
}

Test(logs_grammar, hostile_input_gives_a_status)
{
	const struct logs_grammar_entry *tab;
	struct logs_grammar_line ln;
	struct buf *bp = buf_new(0);
	unsigned long seed = 12345;
	size_t	count, i, k, n;

	tab = logs_grammar_table(&count);
	for (i = 0; i < 20000; i++) {
		const char *ex = tab[i % count].example;

		buf_reset(bp);
		buf_puts(bp, ex);
		n = 1 + (i % 4);
		for (k = 0; k < n && bp->len > 0; k++) {
			seed = seed * 6364136223846793005UL
			    + 1442695040888963407UL;
			bp->data[(seed >> 33) % bp->len] =
			    " '\"<>[](){}\\0A-:,.x"[(seed >> 20) % 19];
		}
		(void) logs_grammar_parse(&ln, bp->data, bp->len, NULL);
	}
	/* long lines of text-field candidates stay within the budget */
	buf_reset(bp);
	buf_puts(bp, "Mon Nov 23 14:08:28 2026 Info: Connection Error: DCID 1 "
	    "domain: d IP:1 port: 2 details: ");
	for (i = 0; i < 20000; i++)
		buf_puts(bp, " interface: x reason: y");
	buf_puts(bp, "!");
	(void) logs_grammar_parse(&ln, bp->data, bp->len, NULL);
	buf_free(bp);
}
