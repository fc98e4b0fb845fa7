/*
 * NAME
 *	logs_golden_test - every formatter against documented AsyncOS lines
 * DESCRIPTION
 *	golden/documented.txt holds the documented lines, each with an id
 *	and a comment naming its source. For each id, a function below
 *	feeds the example's fields to the formatter of that line type;
 *	the message part must equal the documented one byte for byte and
 *	the level must be the documented level. A documented time stamp
 *	is checked on its own: its date and time are converted to a
 *	time_t (UTC) and formatted again with logs_line_ctime(), which
 *	must give the same 24 bytes (weekday, space-padded day). A few
 *	sources print a weekday that does not belong to the date (the
 *	user guide's made-up sample, redacted dates); for those (EW in
 *	the table) the weekday alone is left out of the comparison.
 *
 *	Each line with a trustworthy stamp is then also written through
 *	logs_maillog with its clock set to the documented time, and the
 *	line in the file must equal the documented line as a whole.
 *
 *	Every id in the table must appear in the file exactly once and
 *	every id in the file must be in the table, so neither can drift.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "logs_alert.h"
#include "logs_dcid.h"
#include "logs_head.h"
#include "logs_icid.h"
#include "logs_line.h"
#include "logs_maillog.h"
#include "logs_mid.h"
#include "logs_repr.h"

enum golden_style {
	MODERN,
	ASYNCOS4,
	IPSPACE,
};

typedef enum logs_line_level (*golden_fn)(struct buf *,
    const struct logs_line_style *);

struct golden {
	const char *id;
	enum golden_style style;
	golden_fn fn;
	int	fake_wday;		/* weekday not the date's */
};

/*
 * G(id) defines the table entry for one documented line: a function
 * that feeds the example's fields (numbers, names, addresses) to the
 * formatter of that line type and returns its level.
 */
#define G(name) \
	static enum logs_line_level g_##name(struct buf *bp, \
	    const struct logs_line_style *st)

/* score - an SBRS score in tenths */

static struct logs_line_sbrs
score(int tenths)
{
	struct logs_line_sbrs s = {LOGS_LINE_SBRS_SCORE, tenths};

	return (s);
}

/* sbrs - an SBRS value without a score */

static struct logs_line_sbrs
sbrs(enum logs_line_sbrs_kind kind)
{
	struct logs_line_sbrs s = {kind, 0};

	return (s);
}

/* utc - a time_t from a UTC date and time */

static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (timegm(&tm));
}

/* tls - an OpenSSL error tuple as a C string in a static buffer */

static const char *
tls(unsigned long packed, const char *func, const char *reason)
{
	static struct buf *bp;

	if (bp == NULL)
		bp = buf_new(0);
	buf_reset(bp);
	logs_repr_ssl_error(bp, packed, func, reason);
	return (bp->data);
}

/* SPEC, modern */
G(icid_new_2018) { (void) st; return logs_icid_new(bp, 590125205, "Data 1",
    "192.168.1.1", "100.0.0.1", "mail.example.com", 1); }
G(hat_suspect_2018) { struct logs_line_sbrs s = score(-11); (void) st;
    return logs_icid_hat(bp, 590125205, LOGS_ICID_ACCEPT, "SUSPECTLIST",
    "sbrs[-1.4:2.0]", &s, NULL); }
G(icid_tls_success_2018) { return logs_icid_tls_success(bp, st, 590125205,
    "TLSv1", "DHE-RSA-AES256-SHA"); }
G(mid_start_2018) { (void) st; return logs_mid_start(bp, 179701980,
    590125205); }
G(icid_new_2018b) { (void) st; return logs_icid_new(bp, 590052584, "Data 1",
    "192.168.1.1", "100.0.0.1", "mail.example.com", 1); }
G(hat_unknown_2018) { struct logs_line_sbrs s = score(27); (void) st;
    return logs_icid_hat(bp, 590052584, LOGS_ICID_ACCEPT, "UNKNOWNLIST",
    "sbrs[2.1:10.0]", &s, NULL); }
G(icid_tls_failed_cipher) { return logs_icid_tls_failed(bp, st, 590052584,
    tls(0x1408A0C1, "SSL3_GET_CLIENT_HELLO", "no shared cipher")); }
G(icid_lost_2018) { (void) st; return logs_icid_lost(bp, 590052584); }
G(icid_close_2018) { (void) st; return logs_icid_close(bp, 590052584); }
G(icid_tls_failed_protocol) { return logs_icid_tls_failed(bp, st, 1020004,
    tls(0x14209102, "tls_early_post_process_client_hello",
    "unsupported protocol")); }
G(icid_tls_success_13) { return logs_icid_tls_success(bp, st, 1020089,
    "TLSv1.3", "TLS_AES_256_GCM_SHA384"); }
G(dcid_new_2018) { (void) st; return logs_dcid_new(bp, 41014367,
    "192.168.1.1", "100.0.0.1", 25); }
G(dcid_tls_success_12) { (void) st; return logs_dcid_tls_success(bp,
    41014367, "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"); }
G(delivery_start_2018) { static const unsigned r[] = {0}; (void) st;
    return logs_dcid_delivery_start(bp, 41014367, 179701982, r, 1); }
G(dcid_tls_success_13) { (void) st; return logs_dcid_tls_success(bp,
    485206, "TLSv1.3", "TLS_AES_256_GCM_SHA384"); }
G(dcid_new_454) { (void) st; return logs_dcid_new(bp, 40986669,
    "192.168.1.1", "100.0.0.1", 25); }
G(conn_error_454) {
	struct buf *d = buf_new(0);
	struct logs_dcid_conn_error e = {40986669, "domain.com", "100.0.0.1",
	    25, NULL, "192.168.1.1", "unexpected SMTP response"};
	enum logs_line_level lev;

	logs_dcid_details_reply(d, "454",
	    str_from("TLS not available due to temporary reason"));
	e.details = d->data;
	lev = logs_dcid_conn_error(bp, st, &e);
	buf_free(d);
	return (lev);
}
G(dcid_tls_failed_454) { return logs_dcid_tls_failed(bp, st, 40986669,
    "100.0.0.1", "STARTTLS unexpected response"); }
G(dcid_tls_deferring) { (void) st; return logs_dcid_tls_deferring(bp,
    485171, tls(0x1409442E, "ssl3_read_bytes",
    "tlsv1 alert protocol version")); }

/* SPEC, asyncos4 */
G(a4_icid_new) { (void) st; return logs_icid_new(bp, 282204970,
    "mail.example.com", "10.2.3.4", "10.3.4.5", NULL, 0); }
G(a4_hat_none) { struct logs_line_sbrs s = sbrs(LOGS_LINE_SBRS_NONE);
    (void) st; return logs_icid_hat(bp, 282204970, LOGS_ICID_ACCEPT, NULL,
    NULL, &s, NULL); }
G(a4_icid_tls_success) { return logs_icid_tls_success(bp, st, 282204970,
    "TLSv1", "DHE-RSA-AES256-SHA"); }
G(a4_mid_start) { (void) st; return logs_mid_start(bp, 200257070,
    282204970); }
G(a4_icid_new_mgmt) { (void) st; return logs_icid_new(bp, 282204971,
    "Management", "10.2.3.4", "10.3.4.5", NULL, 0); }
G(a4_hat_none_b) { struct logs_line_sbrs s = sbrs(LOGS_LINE_SBRS_NONE);
    (void) st; return logs_icid_hat(bp, 282204971, LOGS_ICID_ACCEPT, NULL,
    NULL, &s, NULL); }
G(a4_icid_tls_failed) { return logs_icid_tls_failed(bp, st, 282204971,
    "ignored in this dialect"); }
G(a4_icid_lost) { (void) st; return logs_icid_lost(bp, 282204971); }
G(a4_icid_tls_required) { (void) st; return logs_icid_tls_required(bp,
    282204971); }
G(a4_icid_close) { (void) st; return logs_icid_close(bp, 282204971); }
G(a4_dcid_new) { (void) st; return logs_dcid_new(bp, 834, "10.10.10.100",
    "192.168.1.25", 25); }
G(a4_dcid_tls_success) { (void) st; return logs_dcid_tls_success(bp, 834,
    "TLSv1", "DHE-RSA-AES256-SHA"); }
G(a4_delivery_start) { static const unsigned r[] = {0}; (void) st;
    return logs_dcid_delivery_start(bp, 834, 1074, r, 1); }
G(a4_dcid_tls_failed) { return logs_dcid_tls_failed(bp, st, 2386070,
    "10.3.4.5", "STARTTLS unexpected response"); }

/* UG-SMA */
G(icid_new_sma) { (void) st; return logs_icid_new(bp, 5, "Management",
    "10.1.1.1", "10.1.1.209", "remotehost.com", 1); }
G(mid_start_sma) { (void) st; return logs_mid_start(bp, 6, 5); }
G(mid_from_sma) { (void) st; return logs_mid_from(bp, 6, 5,
    "sender@remotehost.com"); }
G(mid_to_sma) { (void) st; return logs_mid_to(bp, 6, 5, 0,
    "mary@yourdomain.com"); }
G(mid_ready_sma) { (void) st; return logs_mid_ready(bp, 6, 100,
    "sender@remotehost.com"); }
G(icid_close_sma) { (void) st; return logs_icid_close(bp, 5); }
G(message_done_sma) { static const unsigned r[] = {0}; (void) st;
    return logs_dcid_message_done(bp, 8, 6, r, 1); }
G(dcid_close_sma) { (void) st; return logs_dcid_close(bp, 8); }

/* HAT */
G(hat_country) { struct logs_line_sbrs s = score(34); (void) st;
    return logs_icid_hat(bp, 824108, LOGS_ICID_ACCEPT, "ACCEPTLIST",
    "sbrs[0.0:10.0]", &s, "United States"); }
G(hat_rfc1918) { struct logs_line_sbrs s = sbrs(LOGS_LINE_SBRS_RFC1918);
    (void) st; return logs_icid_hat(bp, 16399, LOGS_ICID_ACCEPT,
    "ALLOWED_LIST", "sbrs[none]", &s, "not applicable"); }
G(hat_not_enabled) { struct logs_line_sbrs s =
    sbrs(LOGS_LINE_SBRS_NOT_ENABLED); (void) st; return logs_icid_hat(bp,
    3160, LOGS_ICID_ACCEPT, NULL, "ALL", &s, "not enabled"); }
G(hat_negative) { struct logs_line_sbrs s = score(-9); (void) st;
    return logs_icid_hat(bp, 442736, LOGS_ICID_ACCEPT, "UNKNOWNLIST",
    "sbrs[-2.0:10.0]", &s, NULL); }
G(hat_relay) { struct logs_line_sbrs s = sbrs(LOGS_LINE_SBRS_NOT_ENABLED);
    (void) st; return logs_icid_hat(bp, 10152, LOGS_ICID_RELAY, "RELAY_SG",
    "75.111.22.123", &s, NULL); }
G(hat_reject) { struct logs_line_sbrs s = sbrs(LOGS_LINE_SBRS_NONE);
    (void) st; return logs_icid_hat(bp, 4160, LOGS_ICID_REJECT, "BLACKLIST",
    "y.y.y.y", &s, NULL); }
G(hat_tcprefuse) { struct logs_line_sbrs s = score(-99); (void) st;
    return logs_icid_hat(bp, 77, LOGS_ICID_TCPREFUSE, "BLACKLIST",
    "sbrs[-10.0:-0.5]", &s, NULL); }
G(hat_empty_match) { struct logs_line_sbrs s = sbrs(LOGS_LINE_SBRS_NONE);
    (void) st; return logs_icid_hat(bp, 2, LOGS_ICID_REJECT, NULL, "", &s,
    NULL); }
G(hat_unavailable) { struct logs_line_sbrs s =
    sbrs(LOGS_LINE_SBRS_UNAVAILABLE); (void) st; return logs_icid_hat(bp,
    21591, LOGS_ICID_ACCEPT, NULL, "", &s, NULL); }

/* inbound TLS, ends, limits */
G(icid_tls_success_2022) { return logs_icid_tls_success(bp, st, 824108,
    "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"); }
G(icid_tls_failed_errno) { return logs_icid_tls_failed(bp, st, 4,
    "[Errno 54] Connection reset by peer"); }
G(icid_lost_2023) { (void) st; return logs_icid_lost(bp, 4); }
G(icid_tls_required_2004) { (void) st; return logs_icid_tls_required(bp,
    8); }
G(receiving_failed) { (void) st; return logs_icid_receiving_failed(bp,
    16399, "Connection limit exceeded"); }
G(conn_limit) { (void) st; return logs_icid_conn_limit(bp, "*.*.*.*",
    "Incoming", 16399, 1); }
G(icid_timeout) { (void) st; return logs_icid_timeout(bp, 3,
    "10.1.1.101"); }
G(rejected_rc) { (void) st; return logs_mid_rejected(bp, 100543, 50525,
    "CCCC0133@acmetech.com", "Receiving Control"); }
G(rejected_rat) { (void) st; return logs_mid_rejected(bp, 1, 2,
    "postmaster@corestaff.com", "RAT"); }
G(auth_succeeded) { (void) st; return logs_icid_auth(bp, 30, 1, "cisco",
    "LOGIN", "ldap_smtp"); }
G(auth_failed) { (void) st; return logs_icid_auth(bp, 31, 0, "bob",
    "PLAIN", "corp"); }
G(auth_required) { (void) st; return logs_icid_auth_required(bp, 32); }

/* messages */
G(message_id) { (void) st; return logs_mid_message_id(bp, 64855,
    str_from("<op.zfdwolzf0ubsb2@mathew.cisco.com>")); }
G(message_id_quote) { (void) st; return logs_mid_message_id(bp, 24611516,
    str_from("<Lands'End.6cl2sv--1f.tlmd@email.landsend.com>")); }
G(subject_hello) { (void) st; return logs_mid_subject(bp, 200257070,
    str_from("Hello")); }
G(subject_encoded) { (void) st; return logs_mid_subject(bp, 24611251,
    str_from("=?UTF-8?Q?Paycor=E2=80=99s_Onboarding_gives_you_the_edge?="));
}
G(subject_folded) { (void) st; return logs_mid_subject(bp, 24611537,
    str_from("=?iso-8859-1?B?WmllIGdpbmRzIGtvbWVuIGRlIHdpbnRlcnNlbWluYXJz"
    "IHZhbiBLbHV3?=\r\n\t=?iso-8859-1?B?ZXIgT3BsZWlkaW5nZW4gd2VlciBhYW4g"
    "Li4uIA==?=")); }
G(subject_trailing) { (void) st; return logs_mid_subject(bp, 24611486,
    str_from("Cuidado ninos sueltos en casa ")); }
G(ready_null_sender) { (void) st; return logs_mid_ready(bp, 21226453,
    63907, ""); }
G(queued_2004) { (void) st; return logs_mid_queued(bp, 200257070); }
G(queued_2023) { (void) st; return logs_mid_queued(bp, 14); }
G(aborted_filter) { (void) st; return logs_mid_aborted(bp, 346002679,
    "Dropped by filter 'FileType'"); }
G(finished_done) { (void) st; return logs_mid_finished(bp, 2317877, 0); }
G(finished_aborted) { (void) st; return logs_mid_finished(bp, 807982, 1); }
G(bounce_of) { (void) st; return logs_mid_bounce_of(bp, 691177, 691177); }
G(generated_start) { (void) st; return logs_mid_start(bp, 11, 0); }

/* delivery */
G(response_2022) { static const unsigned r[] = {0}; (void) st;
    return logs_mid_response(bp, 68119155, r, 1,
    str_from("2.0.0 OK  1687954632 redactedstring - gsmtp")); }
G(response_2014) { static const unsigned r[] = {0}; (void) st;
    return logs_mid_response(bp, 24611465, r, 1,
    str_from("2.0.0 Ok: queued as 3jjSKc6HnKz4GTHJ")); }
G(delivery_start_two) { static const unsigned r[] = {0, 1}; (void) st;
    return logs_dcid_delivery_start(bp, 3, 4, r, 2); }
G(bounced) {
	struct str line = STR_LIT("<george@yourdomain.com>... Relaying denied");
	struct logs_dcid_bounce b = {3, 4, 0, "5.1.0", "Unknown address error",
	    "550", &line, 1};

	(void) st;
	return (logs_dcid_bounced(bp, &b));
}
G(delayed) {
	struct str line = STR_LIT("Mailbox temporarily full.");
	struct logs_dcid_bounce b = {5, 4, 0, "4.1.0", "Unknown address error",
	    "466", &line, 1};

	(void) st;
	return (logs_dcid_delayed(bp, &b));
}
G(pending) { static const unsigned r[] = {0}; (void) st;
    return logs_mid_pending(bp, 4, r, 1, utc(2003, 3, 31, 20, 1, 23)); }
G(pending_2020) { static const unsigned r[] = {712290}; (void) st;
    return logs_mid_pending(bp, 548799, r, 1,
    utc(2020, 8, 10, 9, 56, 56)); }
G(double_bounce) { (void) st; return logs_mid_double_bounce(bp, 8963393, 0,
    "5.1.1", "Bad destination email address"); }
G(dcid_new_2023) { (void) st; return logs_dcid_new(bp, 30, "10.13.102.10",
    "10.13.101.31", 25); }
G(dcid_tls_success_2023) { (void) st; return logs_dcid_tls_success(bp, 30,
    "TLSv1.2", "ECDHE-RSA-AES256-SHA384"); }
G(dcid_tls_failed_stw) { return logs_dcid_tls_failed(bp, st, 80167,
    "192.0.2.1", "STARTTLS unexpected response"); }
G(dcid_tls_required) { (void) st; return logs_dcid_tls_required(bp, 8,
    "204.15.82.140"); }
G(conn_error_network) {
	struct logs_dcid_conn_error e = {63, "domainsample2.com",
	    "10.13.101.31", 25, "[Errno 0] Error", "10.10.192.50",
	    "network error"};

	return (logs_dcid_conn_error(bp, st, &e));
}
G(dns_error) { (void) st; return logs_dcid_dns_error(bp, "who.acmetech.com",
    "MX", "NXDomain"); }
G(dns_tempfail) { (void) st; return logs_dcid_dns_tempfail(bp,
    "1sourcedist.com", "MX", "unable to reach nameserver on any valid IP"); }
G(dns_tempfail_servfail) { (void) st; return logs_dcid_dns_tempfail(bp,
    "structure.com", "MX", "ServFail"); }
G(starttls_unsupported) { (void) st; return
    logs_dcid_starttls_unsupported(bp, 42); }

/* alerts */
G(alert_sent) { (void) st; return logs_alert_sent(bp, "System", "Warning",
    "example.com", "Warning <System> cisco.esa: URL category definitions "
    "have changed.; Added new category '..."); }
G(alert_sent_av) { (void) st; return logs_alert_sent(bp, "Anti-Virus",
    "Critical", "ironportalerts@interpublic.com", "Critical <Anti-Virus> "
    "nycmgw01.interpublic.com: MID 198463616 antivirus timeout error"); }
G(alert_failed) { (void) st; return logs_alert_failed(bp, "System",
    "Warning", "example.com", "Warning <System> example.com: Your "
    "\"IronPort Email Encryption\" key will expire in under 60..."); }

/* head */
G(head_begin) { (void) st; return logs_head_begin(bp); }
G(head_version) { (void) st; return logs_head_version(bp, "3.8.4-003",
    "000F1F6ACFA6-2Y5SQ41"); }
G(head_version_2014) { (void) st; return logs_head_version(bp, "7.6.3-019",
    "420D4FEA709365BFB3E3-0AF2EE5E700E"); }
G(head_offset_2014) { (void) st; return logs_head_offset(bp, -21600); }
G(head_offset) { (void) st; return logs_head_offset(bp, -28800); }

#define E(name, style) {#name, style, g_##name, 0}
#define EW(name, style) {#name, style, g_##name, 1}

static const struct golden goldens[] = {
	E(icid_new_2018, MODERN), E(hat_suspect_2018, MODERN),
	E(icid_tls_success_2018, MODERN), E(mid_start_2018, MODERN),
	E(icid_new_2018b, MODERN), E(hat_unknown_2018, MODERN),
	E(icid_tls_failed_cipher, MODERN), E(icid_lost_2018, MODERN),
	E(icid_close_2018, MODERN), E(icid_tls_failed_protocol, MODERN),
	E(icid_tls_success_13, MODERN), E(dcid_new_2018, MODERN),
	E(dcid_tls_success_12, MODERN), E(delivery_start_2018, MODERN),
	E(dcid_tls_success_13, MODERN), E(dcid_new_454, MODERN),
	E(conn_error_454, MODERN), E(dcid_tls_failed_454, MODERN),
	E(dcid_tls_deferring, MODERN),

	E(a4_icid_new, ASYNCOS4), E(a4_hat_none, ASYNCOS4),
	E(a4_icid_tls_success, ASYNCOS4), E(a4_mid_start, ASYNCOS4),
	E(a4_icid_new_mgmt, ASYNCOS4), E(a4_hat_none_b, ASYNCOS4),
	E(a4_icid_tls_failed, ASYNCOS4), E(a4_icid_lost, ASYNCOS4),
	E(a4_icid_tls_required, ASYNCOS4), E(a4_icid_close, ASYNCOS4),
	E(a4_dcid_new, ASYNCOS4), E(a4_dcid_tls_success, ASYNCOS4),
	E(a4_delivery_start, ASYNCOS4), E(a4_dcid_tls_failed, ASYNCOS4),

	EW(icid_new_sma, MODERN), EW(mid_start_sma, MODERN),
	EW(mid_from_sma, MODERN), EW(mid_to_sma, MODERN),
	EW(mid_ready_sma, MODERN), EW(icid_close_sma, MODERN),
	E(message_done_sma, MODERN), E(dcid_close_sma, MODERN),

	E(hat_country, MODERN), E(hat_rfc1918, MODERN),
	E(hat_not_enabled, MODERN), E(hat_negative, MODERN),
	E(hat_relay, MODERN), E(hat_reject, MODERN),
	E(hat_tcprefuse, MODERN), E(hat_empty_match, MODERN),
	E(hat_unavailable, MODERN),

	E(icid_tls_success_2022, MODERN), E(icid_tls_failed_errno, MODERN),
	E(icid_lost_2023, MODERN), E(icid_tls_required_2004, MODERN),
	E(receiving_failed, MODERN), E(conn_limit, MODERN),
	E(icid_timeout, MODERN), E(rejected_rc, MODERN),
	EW(rejected_rat, MODERN), E(auth_succeeded, MODERN),
	E(auth_failed, MODERN), E(auth_required, MODERN),

	E(message_id, MODERN), E(message_id_quote, MODERN),
	E(subject_hello, MODERN), E(subject_encoded, MODERN),
	E(subject_folded, MODERN), E(subject_trailing, MODERN),
	E(ready_null_sender, MODERN), E(queued_2004, MODERN),
	E(queued_2023, MODERN), E(aborted_filter, MODERN),
	E(finished_done, MODERN), E(finished_aborted, MODERN),
	E(bounce_of, MODERN), E(generated_start, MODERN),

	EW(response_2022, MODERN), E(response_2014, MODERN),
	E(delivery_start_two, MODERN), E(bounced, MODERN),
	E(delayed, MODERN), E(pending, MODERN), E(pending_2020, MODERN),
	E(double_bounce, MODERN), E(dcid_new_2023, MODERN),
	E(dcid_tls_success_2023, MODERN), E(dcid_tls_failed_stw, MODERN),
	E(dcid_tls_required, MODERN), E(conn_error_network, IPSPACE),
	E(dns_error, MODERN), E(dns_tempfail, MODERN),
	E(dns_tempfail_servfail, MODERN), E(starttls_unsupported, MODERN),

	E(alert_sent, MODERN), E(alert_sent_av, MODERN),
	E(alert_failed, MODERN),

	E(head_begin, MODERN), E(head_version, MODERN),
	E(head_version_2014, MODERN), E(head_offset_2014, MODERN),
	E(head_offset, MODERN),
};

#define NGOLDEN	(sizeof(goldens) / sizeof(goldens[0]))

/* golden_read - the golden file, whole */

static char *
golden_read(void)
{
	const char *src = getenv("MTA_SRCDIR");
	struct buf path;
	struct buf data;
	char	chunk[4096];
	size_t	n;
	FILE   *fp;

	buf_init(&path, 128);
	buf_printf(&path, "%s/t/unit/logs/golden/documented.txt",
	    src ? src : ".");
	fp = fopen(path.data, "r");
	cr_assert(fp != NULL, "cannot open %s", path.data);
	buf_init(&data, 16384);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&data, chunk, n);
	(void) fclose(fp);
	buf_fini(&path);
	return (buf_steal(&data));
}

static time_t golden_now;

/* golden_clock - the writer's clock: the documented time of the line */

static time_t
golden_clock(void)
{
	return (golden_now);
}

/* golden_last_line - the last line of a file, without its newline */

static char *
golden_last_line(const char *path)
{
	struct buf data;
	char	chunk[4096], *p;
	ssize_t	n;
	int	fd;

	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0, "open %s", path);
	buf_init(&data, 4096);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&data, chunk, (size_t) n);
	(void) close(fd);
	cr_assert(data.len > 0 && data.data[data.len - 1] == '\n');
	data.data[--data.len] = 0;
	p = strrchr(data.data, '\n');
	p = mem_strdup(p ? p + 1 : data.data);
	buf_fini(&data);
	return (p);
}

/*
 * golden_check_stamp - re-create a documented time stamp; when the
 * source's weekday does not belong to its date (made-up or redacted
 * dates), everything but the weekday.
 */
static time_t
golden_check_stamp(const char *id, const char *stamp, int fake_wday)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char	mon[4];
	int	day, h, mi, s, y;
	const char *m;
	struct buf *bp = buf_new(0);
	time_t	when;

	cr_assert(sscanf(stamp + 4, "%3s %d %d:%d:%d %d", mon, &day, &h, &mi,
	    &s, &y) == 6, "%s: bad stamp", id);
	m = strstr(months, mon);
	cr_assert(m != NULL, "%s: bad month", id);
	when = utc(y, (int) (m - months) / 3 + 1, day, h, mi, s);
	logs_line_ctime(bp, when);
	if (fake_wday)
		cr_expect(bp->len == 24 && memcmp(bp->data + 3, stamp + 3, 21)
		    == 0 && memcmp(bp->data, stamp, 3) != 0,
		    "%s: stamp [%.24s] formats as [%s]", id, stamp, bp->data);
	else
		cr_expect(bp->len == 24 && memcmp(bp->data, stamp, 24) == 0,
		    "%s: stamp [%.24s] formats as [%s]", id, stamp, bp->data);
	buf_free(bp);
	return (when);
}

/* The writers' file names, by golden_style. */

static const char *const golden_names[] = {"modern", "asyncos4", "ipspace"};

/* golden_style - the style an entry is documented in */

static void
golden_style(enum golden_style gs, struct logs_line_style *st)
{
	logs_line_style_init(st);
	if (gs == ASYNCOS4)
		st->dialect = LOGS_LINE_ASYNCOS4;
	else if (gs == IPSPACE)
		st->ip_space = 1;
}

Test(logs_golden, documented_lines)
{
	char   *text, *line, *next, *tab, *msg, *colon, *got;
	int	seen[NGOLDEN];
	struct logs_line_style st;
	struct buf *bp = buf_new(0);
	struct buf *path = buf_new(0);
	enum logs_line_level lev;
	size_t	i, checked = 0, written = 0;
	char	dir[] = "/tmp/logs_golden.XXXXXX";
	struct logs_maillog_opts o;
	struct logs_maillog *ml[3];
	int	stamped;

	setenv("TZ", "UTC0", 1);
	tzset();

	/*
	 * One writer per style, to check whole lines (time stamp, level,
	 * message) as the writer frames them at the documented time.
	 */
	cr_assert(mkdtemp(dir) != NULL);
	for (i = 0; i < 3; i++) {
		logs_maillog_opts_init(&o);
		o.dir = dir;
		o.name = golden_names[i];
		o.serial = "000F1F6ACFA6-2Y5SQ41";
		o.clock = golden_clock;
		o.level = LOGS_LINE_TRACE;
		golden_style((enum golden_style) i, &o.style);
		ml[i] = logs_maillog_open(&o, NULL);
		cr_assert(ml[i] != NULL);
	}
	memset(seen, 0, sizeof(seen));
	text = golden_read();
	for (line = text; line && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = 0;
		if (*line == '#' || *line == 0)
			continue;
		tab = strchr(line, '\t');
		cr_assert(tab != NULL, "no tab in golden line [%s]", line);
		*tab = 0;
		for (i = 0; i < NGOLDEN; i++)
			if (strcmp(goldens[i].id, line) == 0)
				break;
		cr_assert(i < NGOLDEN, "%s: in the file, not in the table",
		    line);
		cr_assert(seen[i] == 0, "%s: twice in the file", line);
		seen[i] = 1;
		msg = tab + 1;
		stamped = 0;
		if (strncmp(msg, "Info: ", 6) && strncmp(msg, "Warning: ", 9)
		    && strncmp(msg, "Critical: ", 10)) {
			golden_now = golden_check_stamp(line, msg,
			    goldens[i].fake_wday);
			cr_assert(msg[24] == ' ', "%s: no space after stamp",
			    line);
			stamped = !goldens[i].fake_wday;
			msg += 25;
		}
		colon = strstr(msg, ": ");
		cr_assert(colon != NULL, "%s: no level", line);
		golden_style(goldens[i].style, &st);
		buf_reset(bp);
		lev = goldens[i].fn(bp, &st);
		cr_expect(strlen(logs_line_level_name(lev)) ==
		    (size_t) (colon - msg) && strncmp(msg,
		    logs_line_level_name(lev), (size_t) (colon - msg)) == 0,
		    "%s: level %s, documented %.*s", line,
		    logs_line_level_name(lev), (int) (colon - msg), msg);
		cr_expect_str_eq(bp->data, colon + 2, "%s:\n got  [%s]\n want "
		    "[%s]", line, bp->data, colon + 2);
		checked++;
		if (stamped) {
			cr_assert_eq(logs_maillog_write(ml[goldens[i].style],
			    lev, bp), 0);
			buf_reset(path);
			buf_printf(path, "%s/%s.current", dir,
			    golden_names[goldens[i].style]);
			got = golden_last_line(path->data);
			cr_expect_str_eq(got, tab + 1, "%s: written as\n [%s]",
			    line, got);
			mem_free(got);
			written++;
		}
	}
	for (i = 0; i < 3; i++) {
		logs_maillog_close(ml[i]);
		buf_reset(path);
		buf_printf(path, "%s/%s.current", dir, golden_names[i]);
		(void) unlink(path->data);
		buf_reset(path);
		buf_printf(path, "%s/.%s.lock", dir, golden_names[i]);
		(void) unlink(path->data);
	}
	(void) rmdir(dir);
	cr_expect(written > 60, "only %zu lines written whole", written);
	buf_free(path);
	for (i = 0; i < NGOLDEN; i++)
		cr_expect(seen[i], "%s: in the table, not in the file",
		    goldens[i].id);
	cr_expect(checked == NGOLDEN);
	mem_free(text);
	buf_free(bp);
}

/* A formatter given no value for a field it must print is our bug. */

Test(logs_golden, null_field_panics, .signal = SIGABRT)
{
	struct buf *bp = buf_new(0);

	msg_stderr_set(0);
	(void) logs_mid_from(bp, 1, 2, NULL);
}

Test(logs_golden, null_reply_code_panics, .signal = SIGABRT)
{
	struct buf *bp = buf_new(0);
	struct logs_dcid_bounce b = {1, 2, 0, "5.1.0", "Unknown address error",
	    NULL, NULL, 0};

	msg_stderr_set(0);
	(void) logs_dcid_bounced(bp, &b);
}
