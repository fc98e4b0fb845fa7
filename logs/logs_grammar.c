/*
 * NAME
 *	logs_grammar - the line-level grammar of the mail log
 * DESCRIPTION
 *	See logs_grammar.h. Templates are compiled on first use into a
 *	list of nodes (literal, field, start and end of an optional part)
 *	and matched by a backtracking matcher: fields of a fixed syntax
 *	(numbers, repr() strings, lists) take what their syntax takes;
 *	free text takes the shortest run after which the rest of the
 *	template still matches. A step budget bounds the work on hostile
 *	input. The furthest point any template reached is kept to say
 *	why a line did not parse.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "logs_line.h"
#include "logs_grammar.h"

 /*
  * The table. Keep it in enum order; logs_grammar_table() checks.
  * Examples are documented lines (docs/maillog.md names the sources);
  * a source that quotes a line without its time stamp starts at the
  * level word.
  */
#define I LOGS_LINE_INFO
#define M LOGS_GRAMMAR_MODERN
#define A LOGS_GRAMMAR_ASYNCOS4
#define B LOGS_GRAMMAR_BOTH

static const struct logs_grammar_entry logs_grammar_entries[] = {
	{LOGS_GRAMMAR_HEAD_BEGIN, "head_begin", I, B,
		"Begin Logfile",
		"Wed May  4 00:24:31 2005 Info: Begin Logfile",
	"STW"},
	{LOGS_GRAMMAR_HEAD_VERSION, "head_version", I, B,
		"Version: <version> SN: <serial>",
		"Wed Nov 19 09:16:46 2014 Info: Version: 7.6.3-019 SN: "
		"420D4FEA709365BFB3E3-0AF2EE5E700E",
	"CRIBL"},
	{LOGS_GRAMMAR_HEAD_OFFSET, "head_offset", I, B,
		"Time offset from UTC: <offset> seconds",
		"Wed Nov 19 09:16:46 2014 Info: Time offset from UTC: -21600 "
		"seconds",
	"CRIBL"},
	{LOGS_GRAMMAR_ICID_NEW, "icid_new", I, B,
		"New SMTP ICID <icid> interface <ifname> (<ifip>) address "
		"<addr> reverse dns host <ptr> verified <verified>",
		"Tue Apr 17 00:57:53 2018 Info: New SMTP ICID 590125205 "
		"interface Data 1 (192.168.1.1) address 100.0.0.1 reverse dns "
		"host mail.example.com verified yes",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_ICID_HAT, "icid_hat", I, B,
		"ICID <icid> <action> SG <group> match{ <match>} SBRS "
		"<sbrs>{ country <country>}",
		"Wed Sep 14 09:48:19 2022 Info: ICID 824108 ACCEPT SG "
		"ACCEPTLIST match sbrs[0.0:10.0] SBRS 3.4 country United "
		"States",
	"GH-zoho"},
	{LOGS_GRAMMAR_ICID_TLS_SUCCESS, "icid_tls_success", I, M,
		"ICID <icid> TLS success protocol <protocol> cipher <cipher>",
		"Tue Apr 17 00:57:54 2018 Info: ICID 590125205 TLS success "
		"protocol TLSv1 cipher DHE-RSA-AES256-SHA",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_ICID_TLS_SUCCESS_A4, "icid_tls_success_a4", I, A,
		"ICID <icid> TLS success",
		"Wed Jul 20 19:47:40 2005 Info: ICID 282204970 TLS success",
	"Cisco TLS guide 2005"},
	{LOGS_GRAMMAR_ICID_TLS_FAILED, "icid_tls_failed", I, M,
		"ICID <icid> TLS failed: <reason>",
		"Mon Apr 16 18:59:14 2018 Info: ICID 590052584 TLS failed: "
		"(336109761, 'error:1408A0C1:SSL routines:"
		"SSL3_GET_CLIENT_HELLO:no shared cipher')",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_ICID_TLS_FAILED_A4, "icid_tls_failed_a4", I, B,
		"ICID <icid> TLS failed",
		"Tue Jun 28 19:08:49 2005 Info: ICID 282204971 TLS failed",
	"Cisco TLS guide 2005"},
	{LOGS_GRAMMAR_ICID_TLS_REQUIRED, "icid_tls_required", I, B,
		"ICID <icid> TLS was required but remote host did not "
		"initiate it",
		"Mon Mar  8 19:37:40 2004 Info: ICID 8 TLS was required but "
		"remote host did not initiate it",
	"STW"},
	{LOGS_GRAMMAR_ICID_RECEIVING_FAILED, "icid_receiving_failed", I, B,
		"ICID <icid> Receiving Failed: <reason>",
		"Wed Nov 30 11:15:01 2022 Info: ICID 16399 Receiving Failed: "
		"Connection limit exceeded",
	"CC-JP"},
	{LOGS_GRAMMAR_ICID_CONN_LIMIT, "icid_conn_limit", LOGS_LINE_WARNING, B,
		"System limit reached: connection limit for IP <addr> on "
		"listener <listener> ICID <icid>: max: <max>",
		"Wed Nov 30 11:15:01 2022 Warning: System limit reached: "
		"connection limit for IP *.*.*.* on listener Incoming ICID "
		"16399: max: 1",
	"CC-JP"},
	{LOGS_GRAMMAR_ICID_TIMEOUT, "icid_timeout", I, B,
		"ICID <icid> disconnected address <addr>, no messages injected "
		"within timeout period",
		"Mon Aug 15 15:38:19 2005 Info: ICID 3 disconnected address "
		"10.1.1.101, no messages injected within timeout period",
	"STW"},
	{LOGS_GRAMMAR_ICID_LOST, "icid_lost", I, B,
		"ICID <icid> lost",
		"Mon Apr 16 18:59:14 2018 Info: ICID 590052584 lost",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_ICID_CLOSE, "icid_close", I, B,
		"ICID <icid> close",
		"Mon Apr 16 18:59:14 2018 Info: ICID 590052584 close",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_ICID_AUTH, "icid_auth", I, B,
		"SMTP Auth (ICID <icid>) <result> for user: <user> using AUTH "
		"mechanism: <mechanism> with profile: <profile>",
		"Info: SMTP Auth (ICID 30) succeeded for user: cisco using "
		"AUTH mechanism: LOGIN with profile: ldap_smtp",
	"STW message catalogue (template)"},
	{LOGS_GRAMMAR_ICID_AUTH_REQUIRED, "icid_auth_required", I, B,
		"SMTP Auth (ICID <icid>) was required but remote host did not "
		"initiate it",
		"Info: SMTP Auth (ICID 32) was required but remote host did "
		"not initiate it",
	"STW message catalogue (template)"},
	{LOGS_GRAMMAR_MID_START, "mid_start", I, B,
		"Start MID <mid> ICID <icid>",
		"Tue Apr 17 00:57:55 2018 Info: Start MID 179701980 ICID "
		"590125205",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_MID_FROM, "mid_from", I, B,
		"MID <mid> ICID <icid> From: <<sender>>",
		"Mon Apr 17 19:57:20 2003 Info: MID 6 ICID 5 From: "
		"<sender@remotehost.com>",
	"UG-SMA"},
	{LOGS_GRAMMAR_MID_TO, "mid_to", I, B,
		"MID <mid> ICID <icid> RID <rid> To: <<rcpt>>",
		"Mon Apr 17 19:58:06 2003 Info: MID 6 ICID 5 RID 0 To: "
		"<mary@yourdomain.com>",
	"UG-SMA"},
	{LOGS_GRAMMAR_MID_REJECTED, "mid_rejected", I, B,
		"MID <mid> ICID <icid> To: <<rcpt>> Rejected by <by>",
		"Fri Jan 29 08:12:00 2004 Info: MID 1 ICID 2 To: "
		"<postmaster@corestaff.com> Rejected by RAT",
	"STW"},
	{LOGS_GRAMMAR_MID_MESSAGE_ID, "mid_message_id", I, B,
		"MID <mid> Message-ID <msgid>",
		"Wed Nov 19 09:16:42 2014 Info: MID 24611516 Message-ID "
		"\"<Lands'End.6cl2sv--1f.tlmd@email.landsend.com>\"",
	"CRIBL"},
	{LOGS_GRAMMAR_MID_SUBJECT, "mid_subject", I, B,
		"MID <mid> Subject <subject>",
		"Wed Jun 16 21:42:38 2004 Info: MID 200257070 Subject 'Hello'",
	"UG-SMA-9.5.2"},
	{LOGS_GRAMMAR_MID_READY, "mid_ready", I, B,
		"MID <mid> ready <size> bytes from <<sender>>",
		"Mon Apr 17 19:59:52 2003 Info: MID 6 ready 100 bytes from "
		"<sender@remotehost.com>",
	"UG-SMA"},
	{LOGS_GRAMMAR_MID_QUEUED, "mid_queued", I, B,
		"MID <mid> queued for delivery",
		"Wed Sep  6 13:13:16 2023 Info: MID 14 queued for delivery",
	"MSQA"},
	{LOGS_GRAMMAR_MID_ABORTED, "mid_aborted", I, B,
		"Message aborted MID <mid> <reason>",
		"Fri Jun 18 12:58:19 2004 Info: Message aborted MID 346002679 "
		"Dropped by filter 'FileType'",
	"STW"},
	{LOGS_GRAMMAR_MID_FINISHED, "mid_finished", I, B,
		"Message finished MID <mid> <outcome>",
		"Wed Feb 14 12:11:45 2007 Info: Message finished MID 2317877 "
		"done",
	"UG-9.0"},
	{LOGS_GRAMMAR_MID_BOUNCE_OF, "mid_bounce_of", I, B,
		"MID <mid> was generated for bounce of MID <orig>",
		"Info: MID 691177 was generated for bounce of MID 691177",
	"SPL"},
	{LOGS_GRAMMAR_MID_RESPONSE, "mid_response", I, B,
		"MID <mid> RID <rids> Response <response>",
		"Wed Nov 19 09:16:38 2014 Info: MID 24611465 RID [0] Response "
		"'2.0.0 Ok: queued as 3jjSKc6HnKz4GTHJ'",
	"CRIBL"},
	{LOGS_GRAMMAR_MID_PENDING, "mid_pending", I, B,
		"Message <mid> to RID <rids> pending till <until>",
		"Mon Mar 31 20:00:23 2003 Info: Message 4 to RID [0] pending "
		"till Mon Mar 31 20:01:23 2003",
	"UG-9.1.2"},
	{LOGS_GRAMMAR_MID_DOUBLE_BOUNCE, "mid_double_bounce", I, B,
		"Double bounce: Message <mid> to <rid> - <dsn> - <description>",
		"Fri Feb 27 09:26:25 2004 Info: Double bounce: Message 8963393 "
		"to 0 - 5.1.1 - Bad destination email address",
	"STW"},
	{LOGS_GRAMMAR_DCID_NEW, "dcid_new", I, B,
		"New SMTP DCID <dcid> interface <ifip> address <addr> port "
		"<port>",
		"Tue Apr 17 00:58:02 2018 Info: New SMTP DCID 41014367 "
		"interface 192.168.1.1 address 100.0.0.1 port 25",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_DCID_TLS_SUCCESS, "dcid_tls_success", I, B,
		"DCID <dcid> TLS success protocol <protocol> cipher <cipher>",
		"Tue Apr 17 00:58:02 2018 Info: DCID 41014367 TLS success "
		"protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_DCID_TLS_FAILED, "dcid_tls_failed", I, M,
		"DCID <dcid> TLS failed: <reason>",
		"Mon Apr 16 00:01:35 2018 Info: DCID 40986669 TLS failed: "
		"STARTTLS unexpected response",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_DCID_TLS_FAILED_A4, "dcid_tls_failed_a4", I, A,
		"DCID <dcid> IP <addr> TLS failed: <reason>",
		"Fri Jul 22 22:00:05 2005 Info: DCID 2386070 IP 10.3.4.5 TLS "
		"failed: STARTTLS unexpected response",
	"Cisco TLS guide 2005"},
	{LOGS_GRAMMAR_DCID_TLS_DEFERRING, "dcid_tls_deferring", I, B,
		"DCID <dcid> TLS deferring: <reason> TLS version mismatch "
		"could be the failure reason",
		"Wed Jan 17 20:41:18 2024 Info: DCID 485171 TLS deferring: "
		"(336151598, 'error:1409442E:SSL routines:ssl3_read_bytes:"
		"tlsv1 alert protocol version') TLS version mismatch could be "
		"the failure reason",
	"Cisco TLS guide 2024"},
	{LOGS_GRAMMAR_DCID_TLS_REQUIRED, "dcid_tls_required", I, B,
		"DCID <dcid> IP <addr> TLS was required but could not be "
		"successfully negotiated",
		"Info: DCID 8 IP 204.15.82.140 TLS was required but could not "
		"be successfully negotiated",
	"STW"},
	{LOGS_GRAMMAR_DCID_STARTTLS_UNSUPPORTED, "dcid_starttls_unsupported",
		I, B,
		"DCID <dcid> STARTTLS command not supported.",
		"Info: DCID 42 STARTTLS command not supported.",
	"TN-212587 (template)"},
	{LOGS_GRAMMAR_DCID_DELIVERY_START, "dcid_delivery_start", I, B,
		"Delivery start DCID <dcid> MID <mid> to RID <rids>",
		"Tue Apr 17 00:58:03 2018 Info: Delivery start DCID 41014367 "
		"MID 179701982 to RID [0]",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_DCID_MESSAGE_DONE, "dcid_message_done", I, B,
		"Message done DCID <dcid> MID <mid> to RID <rids>",
		"Mon Mar 31 20:10:58 2003 Info: Message done DCID 8 MID 6 to "
		"RID [0]",
	"UG-SMA"},
	{LOGS_GRAMMAR_DCID_DELAYED, "dcid_delayed", I, B,
		"Delayed: DCID <dcid> MID <mid> to RID <rid> - <dsn> - "
		"<description> <reply>[]",
		"Mon Mar 31 20:00:23 2003 Info: Delayed: DCID 5 MID 4 to RID 0 "
		"- 4.1.0 - Unknown address error ('466', ['Mailbox "
		"temporarily full.'])[]",
	"UG-9.1.2"},
	{LOGS_GRAMMAR_DCID_BOUNCED, "dcid_bounced", I, B,
		"Bounced: DCID <dcid> MID <mid> to RID <rid> - <dsn> - "
		"<description> <reply> []",
		"Mon Mar 31 20:00:27 2003 Info: Bounced: DCID 3 MID 4 to RID 0 "
		"- 5.1.0 - Unknown address error ('550', ['<george@"
		"yourdomain.com>... Relaying denied']) []",
	"UG-9.1"},
	{LOGS_GRAMMAR_DCID_CONN_ERROR, "dcid_conn_error", I, B,
		"Connection Error: DCID <dcid> domain: <domain> IP:{ }<addr> "
		"port: <port> details: <details> interface: <ifip> reason: "
		"<reason>",
		"Mon Apr 16 00:01:35 2018 Info: Connection Error: DCID "
		"40986669 domain: domain.com IP:100.0.0.1 port: 25 details: "
		"454-'TLS not available due to temporary reason' interface: "
		"192.168.1.1 reason: unexpected SMTP response",
	"Cisco TLS guide 2018"},
	{LOGS_GRAMMAR_DCID_DNS_ERROR, "dcid_dns_error", I, B,
		"DNS Error <domain> <rrtype> - <error>",
		"Info: DNS Error who.acmetech.com MX - NXDomain",
	"SPL"},
	{LOGS_GRAMMAR_DCID_DNS_TEMPFAIL, "dcid_dns_tempfail", I, B,
		"DNS Temporary Failure <domain> <rrtype> - <error>",
		"Info: DNS Temporary Failure structure.com MX - ServFail",
	"STW"},
	{LOGS_GRAMMAR_DCID_CLOSE, "dcid_close", I, B,
		"DCID <dcid> close",
		"Mon Mar 31 20:11:03 2003 Info: DCID 8 close",
	"UG-SMA"},
	{LOGS_GRAMMAR_ALERT_SENT, "alert_sent", I, B,
		"A <class>/<severity> alert was sent to <rcpt> with subject "
		"\"<alert_subject>\".",
		"Mon Oct  3 09:21:54 2005 Info: A Anti-Virus/Critical alert "
		"was sent to ironportalerts@interpublic.com with subject "
		"\"Critical <Anti-Virus> nycmgw01.interpublic.com: MID "
		"198463616 antivirus timeout error\".",
	"STW"},
	{LOGS_GRAMMAR_ALERT_FAILED, "alert_failed", LOGS_LINE_CRITICAL, B,
		"Error while sending alert: Unable to send <class>/<severity> "
		"alert to <rcpt> with subject \"<alert_subject>\".",
		"Fri Mar 25 20:50:10 2022 Critical: Error while sending alert: "
		"Unable to send System/Warning alert to example.com with "
		"subject \"Warning <System> example.com: Your \"IronPort Email "
		"Encryption\" key will expire in under 60...\".",
	"ELA"},
};

#undef I
#undef M
#undef A
#undef B

#define LG_NENTRIES \
	(sizeof(logs_grammar_entries) / sizeof(logs_grammar_entries[0]))

 /*
  * Field kinds. The name of a field in a template selects its kind.
  */
enum lg_kind {
	LG_NUM,				/* decimal, no leading zero */
	LG_SNUM,			/* optional minus, decimal */
	LG_RIDS,			/* [0, 1] */
	LG_REPR,			/* Python repr() of a str */
	LG_REPLY,			/* ('550', ['text', ...]) */
	LG_CTIME,			/* Www Mmm dd HH:MM:SS YYYY */
	LG_DSN,				/* 5.1.0 */
	LG_SBRS,			/* -1.1, None, not enabled, ... */
	LG_CHOICE,			/* one of a few words */
	LG_WORD,			/* no space, not empty */
	LG_TEXT,			/* not empty, no space at the ends */
	LG_TEXT0,			/* may be empty, any bytes */
};

struct lg_fieldtype {
	const char *name;
	enum lg_kind kind;
	const char *const *choices;
	const char *what;		/* for error messages */
};

static const char *const lg_actions[] = {
	"ACCEPT", "REJECT", "TCPREFUSE", "RELAY", NULL,
};
static const char *const lg_yesno[] = {"yes", "no", NULL};
static const char *const lg_results[] = {"succeeded", "failed", NULL};
static const char *const lg_outcomes[] = {"done", "aborted", NULL};

static const struct lg_fieldtype lg_fieldtypes[] = {
	{"icid", LG_NUM, NULL, "a decimal ICID"},
	{"mid", LG_NUM, NULL, "a decimal MID"},
	{"dcid", LG_NUM, NULL, "a decimal DCID"},
	{"orig", LG_NUM, NULL, "a decimal MID"},
	{"rid", LG_NUM, NULL, "a decimal RID"},
	{"port", LG_NUM, NULL, "a decimal port"},
	{"max", LG_NUM, NULL, "a decimal number"},
	{"size", LG_NUM, NULL, "a decimal size"},
	{"offset", LG_SNUM, NULL, "a decimal number of seconds"},
	{"rids", LG_RIDS, NULL, "a list of RIDs like [0, 1]"},
	{"msgid", LG_REPR, NULL, "a Python repr() string"},
	{"subject", LG_REPR, NULL, "a Python repr() string"},
	{"response", LG_REPR, NULL, "a Python repr() string"},
	{"reply", LG_REPLY, NULL, "a reply tuple like ('550', ['text'])"},
	{"until", LG_CTIME, NULL, "a ctime() date"},
	{"dsn", LG_DSN, NULL, "a status code like 5.1.0"},
	{"sbrs", LG_SBRS, NULL, "an SBRS score or None, not enabled, "
	"rfc1918, unable to retrieve"},
	{"action", LG_CHOICE, lg_actions, "ACCEPT, REJECT, TCPREFUSE or RELAY"},
	{"verified", LG_CHOICE, lg_yesno, "yes or no"},
	{"result", LG_CHOICE, lg_results, "succeeded or failed"},
	{"outcome", LG_CHOICE, lg_outcomes, "done or aborted"},
	{"ifip", LG_WORD, NULL, "an address"},
	{"addr", LG_WORD, NULL, "an address"},
	{"ptr", LG_WORD, NULL, "a host name"},
	{"group", LG_WORD, NULL, "a sender group name"},
	{"protocol", LG_WORD, NULL, "a protocol name"},
	{"cipher", LG_WORD, NULL, "a cipher name"},
	{"domain", LG_WORD, NULL, "a domain"},
	{"rrtype", LG_WORD, NULL, "a record type"},
	{"version", LG_WORD, NULL, "a version"},
	{"serial", LG_WORD, NULL, "a serial number"},
	{"sender", LG_TEXT0, NULL, "an address"},
	{"rcpt", LG_TEXT0, NULL, "an address"},
	{"match", LG_TEXT0, NULL, "a rule"},
	{"alert_subject", LG_TEXT0, NULL, "a subject"},
	/* everything else: LG_TEXT */
};

 /*
  * Compiled templates.
  */
enum lg_nodekind {
	LG_LIT,
	LG_FIELD,
	LG_OPEN,
	LG_CLOSE,
};

struct lg_node {
	enum lg_nodekind kind;
	const char *lit;		/* LG_LIT: points into the template */
	size_t	litlen;
	const char *name;		/* LG_FIELD: field name (allocated) */
	enum lg_kind fkind;
	const struct lg_fieldtype *ft;
	size_t	slot;			/* LG_FIELD: index of the capture */
	size_t	jump;			/* LG_OPEN: index of its LG_CLOSE */
};

struct lg_tpl {
	struct lg_node *node;
	size_t	nnode;
	size_t	nslot;
};

static struct lg_tpl lg_tpls[LOGS_GRAMMAR_NTYPES];
static int lg_compiled;

#define LG_BUDGET	200000		/* matcher steps per line */

struct lg_match {
	const char *s;
	size_t	len;
	struct str slot[LOGS_GRAMMAR_MAXFIELDS];
	unsigned long num[LOGS_GRAMMAR_MAXFIELDS];
	long	steps;
	/* the furthest failure, for the diagnostic */
	size_t	far;
	const struct lg_node *farnode;
	const struct logs_grammar_entry *farentry;
	const struct logs_grammar_entry *entry;
};

/* lg_fieldtype - the kind a field name selects */

static const struct lg_fieldtype *
lg_fieldtype(const char *name, size_t len)
{
	static const struct lg_fieldtype text = {"", LG_TEXT, NULL,
	"text"};
	size_t	i;

	for (i = 0; i < sizeof(lg_fieldtypes) / sizeof(lg_fieldtypes[0]); i++)
		if (strlen(lg_fieldtypes[i].name) == len
		    && memcmp(lg_fieldtypes[i].name, name, len) == 0)
			return (&lg_fieldtypes[i]);
	return (&text);
}

/* lg_compile - turn one template into nodes */

static void
lg_compile(const struct logs_grammar_entry *e, struct lg_tpl *t)
{
	const char *p = e->template;
	size_t	cap = strlen(p) + 2;
	size_t	open = (size_t) -1;
	size_t	n;

	t->node = mem_zalloc(cap, sizeof(*t->node));
	t->nnode = 0;
	t->nslot = 0;
	while (*p) {
		struct lg_node *np = &t->node[t->nnode];

		if (*p == '{') {
			if (open != (size_t) -1)
				msg_panic("logs_grammar: %s: nested {",
				    e->name);
			np->kind = LG_OPEN;
			open = t->nnode++;
			p++;
			continue;
		}
		if (*p == '}') {
			if (open == (size_t) -1)
				msg_panic("logs_grammar: %s: stray }", e->name);
			np->kind = LG_CLOSE;
			t->node[open].jump = t->nnode++;
			open = (size_t) -1;
			p++;
			continue;
		}
		if (*p == '<' && (n = strspn(p + 1,
		    "abcdefghijklmnopqrstuvwxyz_")) > 0 && p[1 + n] == '>') {
			np->kind = LG_FIELD;
			np->name = mem_strndup(p + 1, n);
			np->ft = lg_fieldtype(p + 1, n);
			np->fkind = np->ft->kind;
			if (t->nslot >= LOGS_GRAMMAR_MAXFIELDS)
				msg_panic("logs_grammar: %s: too many fields",
				    e->name);
			np->slot = t->nslot++;
			t->nnode++;
			p += n + 2;
			continue;
		}
		/* literal up to the next special */
		np->kind = LG_LIT;
		np->lit = p;
		for (n = 1; p[n] && p[n] != '{' && p[n] != '}'; n++)
			if (p[n] == '<' && strspn(p + n + 1,
			    "abcdefghijklmnopqrstuvwxyz_") > 0)
				break;
		np->litlen = n;
		t->nnode++;
		p += n;
	}
	if (open != (size_t) -1)
		msg_panic("logs_grammar: %s: unclosed {", e->name);
}

/* logs_grammar_table - the table, compiled and checked on first use */

const struct logs_grammar_entry *
logs_grammar_table(size_t *count)
{
	size_t	i;

	if (!lg_compiled) {
		if (LG_NENTRIES != LOGS_GRAMMAR_NTYPES)
			msg_panic("logs_grammar: %zu entries for %d types",
			    (size_t) LG_NENTRIES, (int) LOGS_GRAMMAR_NTYPES);
		for (i = 0; i < LG_NENTRIES; i++) {
			if ((size_t) logs_grammar_entries[i].type != i)
				msg_panic("logs_grammar: %s out of order",
				    logs_grammar_entries[i].name);
			lg_compile(&logs_grammar_entries[i], &lg_tpls[i]);
		}
		lg_compiled = 1;
	}
	if (count)
		*count = LG_NENTRIES;
	return (logs_grammar_entries);
}

/* logs_grammar_entry - the entry of one line type */

const struct logs_grammar_entry *
logs_grammar_entry(enum logs_grammar_type type)
{
	if ((unsigned) type >= LG_NENTRIES)
		msg_panic("logs_grammar_entry: bad type %d", (int) type);
	return (&logs_grammar_table(NULL)[type]);
}

/* lg_digits - count decimal digits at s */

static size_t
lg_digits(const char *s, size_t len)
{
	size_t	n = 0;

	while (n < len && s[n] >= '0' && s[n] <= '9')
		n++;
	return (n);
}

/* lg_num - a decimal number without leading zeros; length or 0 */

static size_t
lg_num(const char *s, size_t len, unsigned long *out)
{
	size_t	n = lg_digits(s, len);

	if (n == 0 || (n > 1 && s[0] == '0'))
		return (0);
	if (!str_to_ulong(str_make(s, n), ULONG_MAX, out))
		return (0);
	return (n);
}

/* lg_hex - n hex digits at s */

static int
lg_hex(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;
	size_t	i;
	int	c;

	for (i = 0; i < n; i++) {
		c = (unsigned char) s[i];
		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned long) (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned long) (c - 'a' + 10);
		else
			return (0);
	}
	*out = v;
	return (1);
}

/* lg_utf8 - append a code point as UTF-8 */

static void
lg_utf8(struct buf *bp, unsigned long cp)
{
	if (cp < 0x80) {
		buf_putc(bp, (int) cp);
	} else if (cp < 0x800) {
		buf_putc(bp, (int) (0xC0 | (cp >> 6)));
		buf_putc(bp, (int) (0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(bp, (int) (0xE0 | (cp >> 12)));
		buf_putc(bp, (int) (0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(bp, (int) (0x80 | (cp & 0x3F)));
	} else {
		buf_putc(bp, (int) (0xF0 | (cp >> 18)));
		buf_putc(bp, (int) (0x80 | ((cp >> 12) & 0x3F)));
		buf_putc(bp, (int) (0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(bp, (int) (0x80 | (cp & 0x3F)));
	}
}

/* lg_repr - scan (and decode into bp when not null) a repr(); length or 0 */

static size_t
lg_repr(const char *s, size_t len, struct buf *bp)
{
	unsigned long cp;
	size_t	i, n;
	char	q;

	if (len < 2 || (s[0] != '\'' && s[0] != '"'))
		return (0);
	q = s[0];
	for (i = 1; i < len; i++) {
		if (s[i] == q)
			return (i + 1);
		if (s[i] != '\\') {
			if (bp)
				buf_putc(bp, s[i]);
			continue;
		}
		if (++i >= len)
			return (0);
		switch (s[i]) {
		case '\\':
		case '\'':
		case '"':
			if (bp)
				buf_putc(bp, s[i]);
			continue;
		case 't':
			if (bp)
				buf_putc(bp, '\t');
			continue;
		case 'n':
			if (bp)
				buf_putc(bp, '\n');
			continue;
		case 'r':
			if (bp)
				buf_putc(bp, '\r');
			continue;
		case 'x':
			n = 2;
			break;
		case 'u':
			n = 4;
			break;
		case 'U':
			n = 8;
			break;
		default:
			return (0);
		}
		if (len - i - 1 < n || !lg_hex(s + i + 1, n, &cp)
		    || cp > 0x10FFFF)
			return (0);
		if (bp)
			lg_utf8(bp, cp);
		i += n;
	}
	return (0);
}

/* lg_rids - [0, 1]; length or 0 */

static size_t
lg_rids(const char *s, size_t len)
{
	unsigned long v;
	size_t	i = 1, n;

	if (len < 2 || s[0] != '[')
		return (0);
	if (s[1] == ']')
		return (2);
	for (;;) {
		if ((n = lg_num(s + i, len - i, &v)) == 0)
			return (0);
		i += n;
		if (i < len && s[i] == ']')
			return (i + 1);
		if (len - i < 2 || s[i] != ',' || s[i + 1] != ' ')
			return (0);
		i += 2;
	}
}

/* lg_reply - ('550', ['a', 'b']); length or 0 */

static size_t
lg_reply(const char *s, size_t len)
{
	size_t	i, n;

	if (len < 10 || memcmp(s, "('", 2) != 0 || lg_digits(s + 2, 3) != 3
	    || memcmp(s + 5, "', [", 4) != 0)
		return (0);
	i = 9;
	if (s[i] != ']') {
		for (;;) {
			if ((n = lg_repr(s + i, len - i, NULL)) == 0)
				return (0);
			i += n;
			if (i < len && s[i] == ']')
				break;
			if (len - i < 2 || s[i] != ',' || s[i + 1] != ' ')
				return (0);
			i += 2;
		}
	}
	if (len - i < 2 || s[i] != ']' || s[i + 1] != ')')
		return (0);
	return (i + 2);
}

static const char lg_days[] = "SunMonTueWedThuFriSat";
static const char lg_months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* lg_name3 - index of a three-letter name in a list, or -1 */

static int
lg_name3(const char *s, const char *list)
{
	int	i;

	for (i = 0; list[i * 3]; i++)
		if (memcmp(s, list + i * 3, 3) == 0)
			return (i);
	return (-1);
}

/* lg_two - two digits, value at most max */

static int
lg_two(const char *s, int max)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return (0);
	return ((s[0] - '0') * 10 + (s[1] - '0') <= max);
}

/* lg_mday - day of month padded with a space: " 7", "17" */

static int
lg_mday(const char *s)
{
	if (s[0] == ' ')
		return (s[1] >= '1' && s[1] <= '9');
	if (s[0] < '1' || s[0] > '3' || s[1] < '0' || s[1] > '9')
		return (0);
	return ((s[0] - '0') * 10 + (s[1] - '0') <= 31);
}

/* lg_clock - HH:MM:SS */

static int
lg_clock(const char *s)
{
	return (lg_two(s, 23) && s[2] == ':' && lg_two(s + 3, 59)
	    && s[5] == ':' && lg_two(s + 6, 60));
}

/* lg_ctime - Www Mmm dd HH:MM:SS YYYY; length or 0 */

static size_t
lg_ctime(const char *s, size_t len)
{
	if (len < 24 || lg_name3(s, lg_days) < 0 || s[3] != ' '
	    || lg_name3(s + 4, lg_months) < 0 || s[7] != ' '
	    || !lg_mday(s + 8) || s[10] != ' ' || !lg_clock(s + 11)
	    || s[19] != ' ' || lg_digits(s + 20, 4) != 4)
		return (0);
	if (len > 24 && s[24] >= '0' && s[24] <= '9')
		return (0);
	return (24);
}

/* lg_dsn - class.subject.detail; length or 0 */

static size_t
lg_dsn(const char *s, size_t len)
{
	size_t	i, n, part;

	for (i = 0, part = 0; part < 3; part++) {
		if ((n = lg_digits(s + i, len - i)) == 0 || n > 3)
			return (0);
		i += n;
		if (part < 2) {
			if (i >= len || s[i] != '.')
				return (0);
			i++;
		}
	}
	return (i);
}

/* lg_sbrs - a score as logs_line_sbrs() writes it; length or 0 */

static size_t
lg_sbrs(const char *s, size_t len)
{
	static const char *const words[] = {
		"None", "not enabled", "rfc1918", "unable to retrieve", NULL,
	};
	size_t	i = 0, n;
	int	w;

	for (w = 0; words[w]; w++)
		if (len >= strlen(words[w])
		    && memcmp(s, words[w], strlen(words[w])) == 0)
			return (strlen(words[w]));
	if (len > 0 && s[0] == '-')
		i++;
	n = lg_digits(s + i, len - i);
	if (n == 0 || n > 2 || (n == 2 && s[i] == '0'))
		return (0);
	i += n;
	if (len - i < 2 || s[i] != '.' || lg_digits(s + i + 1, 1) != 1)
		return (0);
	/* at most 10.0 either way */
	if (n == 2 && (s[i - 2] != '1' || s[i - 1] != '0' || s[i + 1] != '0'))
		return (0);
	return (i + 2);
}

/* lg_fixed - a field of a fixed syntax at pos: its length, or -1 */

static long
lg_fixed(const struct lg_node *np, const char *s, size_t len,
    unsigned long *num)
{
	const char *const *cp;
	size_t	n = 0;

	*num = 0;
	switch (np->fkind) {
	case LG_NUM:
		n = lg_num(s, len, num);
		break;
	case LG_SNUM:
		if (len > 0 && s[0] == '-') {
			n = lg_num(s + 1, len - 1, num);
			if (n > 0)
				n++;
		} else
			n = lg_num(s, len, num);
		break;
	case LG_RIDS:
		n = lg_rids(s, len);
		break;
	case LG_REPR:
		n = lg_repr(s, len, NULL);
		break;
	case LG_REPLY:
		n = lg_reply(s, len);
		break;
	case LG_CTIME:
		n = lg_ctime(s, len);
		break;
	case LG_DSN:
		n = lg_dsn(s, len);
		break;
	case LG_SBRS:
		n = lg_sbrs(s, len);
		break;
	case LG_CHOICE:
		for (cp = np->ft->choices; *cp; cp++)
			if (len >= strlen(*cp)
			    && memcmp(s, *cp, strlen(*cp)) == 0) {
				n = strlen(*cp);
				break;
			}
		break;
	default:
		msg_panic("lg_fixed: kind %d", (int) np->fkind);
	}
	return (n == 0 ? -1 : (long) n);
}

/* lg_fail - remember the furthest failure */

static int
lg_fail(struct lg_match *m, size_t pos, const struct lg_node *np)
{
	if (m->farentry == NULL || pos > m->far) {
		m->far = pos;
		m->farnode = np;
		m->farentry = m->entry;
	}
	return (0);
}

/* lg_clear - forget the captures of nodes [from, to) */

static void
lg_clear(const struct lg_tpl *t, struct lg_match *m, size_t from, size_t to)
{
	for (; from < to; from++)
		if (t->node[from].kind == LG_FIELD)
			m->slot[t->node[from].slot].ptr = NULL;
}

/* lg_match - match nodes from ni at pos to the end of the line */

static int
lg_match(const struct lg_tpl *t, size_t ni, size_t pos, struct lg_match *m)
{
	const struct lg_node *np, *next;
	const char *s = m->s;
	size_t	n, max;
	long	got;

	for (;;) {
		if (--m->steps < 0)
			return (0);
		if (ni == t->nnode)
			return (pos == m->len ? 1 : lg_fail(m, pos, NULL));
		np = &t->node[ni];
		switch (np->kind) {
		case LG_LIT:
			if (m->len - pos < np->litlen
			    || memcmp(s + pos, np->lit, np->litlen) != 0)
				return (lg_fail(m, pos, np));
			pos += np->litlen;
			ni++;
			continue;
		case LG_CLOSE:
			ni++;
			continue;
		case LG_OPEN:
			if (lg_match(t, ni + 1, pos, m))
				return (1);
			lg_clear(t, m, ni, np->jump);
			ni = np->jump + 1;
			continue;
		case LG_FIELD:
			break;
		}
		if (np->fkind < LG_WORD) {
			if ((got = lg_fixed(np, s + pos, m->len - pos,
			    &m->num[np->slot])) < 0)
				return (lg_fail(m, pos, np));
			m->slot[np->slot] = str_make(s + pos, (size_t) got);
			pos += (size_t) got;
			ni++;
			continue;
		}

		/*
		 * Free text: try the shortest extent first. When a literal
		 * follows (perhaps after the end of an optional part), only
		 * extents that it follows are worth a try; at the end of the
		 * template only the rest of the line.
		 */
		for (n = ni + 1; n < t->nnode && t->node[n].kind == LG_CLOSE;)
			n++;
		next = n < t->nnode && t->node[n].kind == LG_LIT ?
		    &t->node[n] : NULL;
		max = m->len - pos;
		if (np->fkind == LG_WORD) {
			for (n = 0; n < max && s[pos + n] != ' '; n++)
				 /* void */ ;
			max = n;
		}
		n = np->fkind == LG_TEXT0 ? 0 : 1;
		if (ni + 1 == t->nnode)
			n = max;
		for (; n <= max; n++) {
			if (--m->steps < 0)
				return (0);
			if (next != NULL && (m->len - pos - n < next->litlen
			    || memcmp(s + pos + n, next->lit,
			    next->litlen) != 0))
				continue;
			if (np->fkind == LG_TEXT && (n == 0 || s[pos] == ' '
			    || s[pos + n - 1] == ' '))
				continue;
			m->slot[np->slot] = str_make(s + pos, n);
			if (lg_match(t, ni + 1, pos + n, m))
				return (1);
		}
		return (lg_fail(m, pos, np));
	}
}

/* lg_level - the level word at s; length or 0 */

static size_t
lg_level(const char *s, size_t len, enum logs_line_level *level)
{
	static const enum logs_line_level all[] = {
		LOGS_LINE_CRITICAL, LOGS_LINE_WARNING, LOGS_LINE_INFO,
		LOGS_LINE_DEBUG, LOGS_LINE_TRACE,
	};
	const char *name;
	size_t	i, n;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		name = logs_line_level_name(all[i]);
		n = strlen(name);
		if (len >= n + 2 && memcmp(s, name, n) == 0 && s[n] == ':'
		    && s[n + 1] == ' ') {
			*level = all[i];
			return (n + 2);
		}
	}
	return (0);
}

/* lg_why - set the reason, when wanted */

static int
lg_why(struct buf *why, const char *fmt, ...)
{
	va_list	ap;

	if (why) {
		buf_reset(why);
		va_start(ap, fmt);
		buf_vprintf(why, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

static int lg_parse_message(struct logs_grammar_line *, enum logs_line_level,
	    const char *, size_t, size_t, struct buf *);

/* logs_grammar_parse - parse one whole line */

int
logs_grammar_parse(struct logs_grammar_line *lp, const char *line,
    size_t len, struct buf *why)
{
	enum logs_line_level level;
	size_t	i, n, off;
	int	syslog = 0;
	unsigned long pri;

	if (len >= 24 && lg_ctime(line, len) == 24) {
		if (len < 25 || line[24] != ' ')
			return (lg_why(why, "no level after the time stamp"));
		off = 25;
		lp->stamp = str_make(line, 24);
	} else if (len > 0 && line[0] == '<') {
		/* <PRI>Mmm dd HH:MM:SS name: */
		if ((n = lg_num(line + 1, len - 1, &pri)) == 0 || pri > 191
		    || 1 + n >= len || line[1 + n] != '>')
			return (lg_why(why, "bad syslog priority"));
		i = n + 2;
		if (len - i < 16 || lg_name3(line + i, lg_months) < 0
		    || line[i + 3] != ' ' || !lg_mday(line + i + 4)
		    || line[i + 6] != ' ' || !lg_clock(line + i + 7)
		    || line[i + 15] != ' ')
			return (lg_why(why, "bad syslog time stamp"));
		lp->stamp = str_make(line + i, 15);
		i += 16;
		for (n = i; n < len && line[n] != ':' && line[n] != ' '; n++)
			 /* void */ ;
		if (n == i || len - n < 2 || line[n] != ':'
		    || line[n + 1] != ' ')
			return (lg_why(why, "bad syslog log name"));
		off = n + 2;
		syslog = 1;
	} else
		return (lg_why(why, "no time stamp (\"Www Mmm dd HH:MM:SS "
		    "YYYY \" with the day padded by a space)"));
	if ((n = lg_level(line + off, len - off, &level)) == 0)
		return (lg_why(why, "bad level at column %zu (Critical, "
		    "Warning, Info, Debug, Trace and \": \")", off + 1));
	if (lg_parse_message(lp, level, line + off + n, len - off - n,
	    off + n, why) < 0)
		return (-1);
	lp->syslog = syslog;
	return (0);
}

/* logs_grammar_parse_message - parse the message part of a line */

int
logs_grammar_parse_message(struct logs_grammar_line *lp,
    enum logs_line_level level, const char *msg, size_t len,
    struct buf *why)
{
	if (lg_parse_message(lp, level, msg, len, 0, why) < 0)
		return (-1);
	lp->stamp = str_make(msg, 0);
	return (0);
}

/* lg_parse_message - parse a message that starts at column base + 1 */

static int
lg_parse_message(struct logs_grammar_line *lp, enum logs_line_level level,
    const char *msg, size_t len, size_t base, struct buf *why)
{
	const struct logs_grammar_entry *tab, *e;
	const struct lg_tpl *t;
	const struct lg_node *np;
	struct lg_match m;
	size_t	count, i, k;

	tab = logs_grammar_table(&count);
	for (i = 0; i < len; i++)
		if ((unsigned char) msg[i] < 0x20 || msg[i] == 0x7F)
			return (lg_why(why, "control byte 0x%02x at column %zu",
			    (unsigned) (unsigned char) msg[i], base + i + 1));
	if (len > 0 && msg[len - 1] == ' ')
		return (lg_why(why, "trailing space at column %zu",
		    base + len));
	memset(&m, 0, sizeof(m));
	m.s = msg;
	m.len = len;
	m.steps = LG_BUDGET;
	for (e = NULL, i = 0; i < count; i++) {
		m.entry = &tab[i];
		for (k = 0; k < LOGS_GRAMMAR_MAXFIELDS; k++)
			m.slot[k].ptr = NULL;
		if (lg_match(&lg_tpls[i], 0, 0, &m)) {
			e = &tab[i];
			break;
		}
		if (m.steps < 0)
			return (lg_why(why, "line too complex to parse"));
	}
	if (e == NULL) {
		np = m.farnode;
		if (np && np->kind == LG_FIELD && np->fkind < LG_CHOICE)
			return (lg_why(why, "malformed %s line: <%s> at column "
			    "%zu is not %s", m.farentry->name, np->name,
			    base + m.far + 1, np->ft->what));
		if (np == NULL && m.farentry)
			return (lg_why(why, "%s line followed by unexpected "
			    "text at column %zu", m.farentry->name,
			    base + m.far + 1));
		if (np && m.far > 0)
			return (lg_why(why, "unknown line type (closest: %s, "
			    "which differs at column %zu)", m.farentry->name,
			    base + m.far + 1));
		return (lg_why(why, "unknown line type"));
	}
	if (e->level != level)
		return (lg_why(why, "%s line at level %s; it is written at "
		    "level %s", e->name, logs_line_level_name(level),
		    logs_line_level_name(e->level)));

	lp->entry = e;
	lp->level = level;
	lp->syslog = 0;
	lp->message = str_make(msg, len);
	lp->has = 0;
	lp->icid = lp->mid = lp->dcid = lp->orig = 0;
	lp->nfields = 0;
	t = &lg_tpls[e->type];
	for (i = 0; i < t->nnode; i++) {
		struct logs_grammar_field *fp;

		np = &t->node[i];
		if (np->kind != LG_FIELD || m.slot[np->slot].ptr == NULL)
			continue;
		fp = &lp->field[lp->nfields++];
		fp->name = np->name;
		fp->value = m.slot[np->slot];
		fp->num = m.num[np->slot];
		fp->flags = np->fkind == LG_NUM ? LOGS_GRAMMAR_F_NUMBER :
		    np->fkind == LG_REPR ? LOGS_GRAMMAR_F_REPR : 0;
		if (strcmp(np->name, "icid") == 0) {
			lp->icid = fp->num;
			lp->has |= LOGS_GRAMMAR_HAS_ICID;
		} else if (strcmp(np->name, "mid") == 0) {
			lp->mid = fp->num;
			lp->has |= LOGS_GRAMMAR_HAS_MID;
		} else if (strcmp(np->name, "dcid") == 0) {
			lp->dcid = fp->num;
			lp->has |= LOGS_GRAMMAR_HAS_DCID;
		} else if (strcmp(np->name, "orig") == 0) {
			lp->orig = fp->num;
			lp->has |= LOGS_GRAMMAR_HAS_ORIG;
		}
	}
	return (0);
}

/* logs_grammar_field - a field of a parsed line by name */

const struct logs_grammar_field *
logs_grammar_field(const struct logs_grammar_line *lp, const char *name)
{
	size_t	i;

	for (i = 0; i < lp->nfields; i++)
		if (strcmp(lp->field[i].name, name) == 0)
			return (&lp->field[i]);
	return (NULL);
}

/* logs_grammar_unrepr - the text of a repr() string */

int
logs_grammar_unrepr(struct buf *bp, struct str repr)
{
	if (lg_repr(repr.ptr, repr.len, bp) != repr.len)
		return (-1);
	return (0);
}
