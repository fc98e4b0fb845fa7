/*
 * NAME
 *	logs_icid - mail log lines of inbound (injection) connections
 * DESCRIPTION
 *	See logs_icid.h.
 */
#include "config.h"

#include "buf.h"
#include "msg.h"
#include "logs_line.h"
#include "logs_icid.h"

/* logs_icid_need - panic on a null string the caller had to supply */

static const char *
logs_icid_need(const char *what, const char *value)
{
	if (value == NULL)
		msg_panic("logs_icid: null %s", what);
	return (value);
}

/* logs_icid_new - New SMTP ICID ... */

enum logs_line_level
logs_icid_new(struct buf *bp, unsigned long icid, const char *ifname,
    const char *ifip, const char *addr, const char *ptr, int verified)
{
	buf_printf(bp, "New SMTP ICID %lu interface %s (%s) address %s "
	    "reverse dns host %s verified %s", icid,
	    logs_icid_need("interface", ifname),
	    logs_icid_need("interface address", ifip),
	    logs_icid_need("address", addr), ptr ? ptr : "unknown",
	    verified ? "yes" : "no");
	return (LOGS_LINE_INFO);
}

/* logs_icid_action_name - HAT action as logged */

static const char *
logs_icid_action_name(enum logs_icid_action action)
{
	switch (action) {
	case LOGS_ICID_ACCEPT:
		return ("ACCEPT");
	case LOGS_ICID_REJECT:
		return ("REJECT");
	case LOGS_ICID_TCPREFUSE:
		return ("TCPREFUSE");
	case LOGS_ICID_RELAY:
		return ("RELAY");
	}
	msg_panic("logs_icid_action_name: bad action %d", (int) action);
}

/* logs_icid_hat - ICID n ACCEPT SG group match rule SBRS score */

enum logs_line_level
logs_icid_hat(struct buf *bp, unsigned long icid,
    enum logs_icid_action action, const char *group, const char *match,
    const struct logs_line_sbrs *sbrs, const char *country)
{
	if (action == LOGS_ICID_TCPREFUSE)
		icid = 0;
	buf_printf(bp, "ICID %lu %s SG %s match ", icid,
	    logs_icid_action_name(action), group ? group : "None");
	if (match)
		buf_printf(bp, "%s ", match);
	buf_puts(bp, "SBRS ");
	logs_line_sbrs(bp, sbrs);
	if (country)
		buf_printf(bp, " country %s", country);
	return (LOGS_LINE_INFO);
}

/* logs_icid_tls_success - ICID n TLS success protocol p cipher c */

enum logs_line_level
logs_icid_tls_success(struct buf *bp, const struct logs_line_style *style,
    unsigned long icid, const char *protocol, const char *cipher)
{
	buf_printf(bp, "ICID %lu TLS success", icid);
	if (style->dialect != LOGS_LINE_ASYNCOS4)
		buf_printf(bp, " protocol %s cipher %s",
		    logs_icid_need("protocol", protocol),
		    logs_icid_need("cipher", cipher));
	return (LOGS_LINE_INFO);
}

/* logs_icid_tls_failed - ICID n TLS failed: reason */

enum logs_line_level
logs_icid_tls_failed(struct buf *bp, const struct logs_line_style *style,
    unsigned long icid, const char *reason)
{
	buf_printf(bp, "ICID %lu TLS failed", icid);
	if (style->dialect != LOGS_LINE_ASYNCOS4 && reason != NULL)
		buf_printf(bp, ": %s", reason);
	return (LOGS_LINE_INFO);
}

/* logs_icid_tls_required - the client did not start TLS */

enum logs_line_level
logs_icid_tls_required(struct buf *bp, unsigned long icid)
{
	buf_printf(bp, "ICID %lu TLS was required but remote host did not "
	    "initiate it", icid);
	return (LOGS_LINE_INFO);
}

/* logs_icid_receiving_failed - ICID n Receiving Failed: reason */

enum logs_line_level
logs_icid_receiving_failed(struct buf *bp, unsigned long icid,
    const char *reason)
{
	buf_printf(bp, "ICID %lu Receiving Failed: %s", icid,
	    logs_icid_need("reason", reason));
	return (LOGS_LINE_INFO);
}

/* logs_icid_conn_limit - per-IP connection limit reached (Warning) */

enum logs_line_level
logs_icid_conn_limit(struct buf *bp, const char *addr, const char *listener,
    unsigned long icid, unsigned long max)
{
	buf_printf(bp, "System limit reached: connection limit for IP %s "
	    "on listener %s ICID %lu: max: %lu",
	    logs_icid_need("address", addr),
	    logs_icid_need("listener", listener), icid, max);
	return (LOGS_LINE_WARNING);
}

/* logs_icid_timeout - no message within the connection timeout */

enum logs_line_level
logs_icid_timeout(struct buf *bp, unsigned long icid, const char *addr)
{
	buf_printf(bp, "ICID %lu disconnected address %s, no messages "
	    "injected within timeout period", icid,
	    logs_icid_need("address", addr));
	return (LOGS_LINE_INFO);
}

/* logs_icid_lost - the client went away without QUIT */

enum logs_line_level
logs_icid_lost(struct buf *bp, unsigned long icid)
{
	buf_printf(bp, "ICID %lu lost", icid);
	return (LOGS_LINE_INFO);
}

/* logs_icid_close - the connection is gone */

enum logs_line_level
logs_icid_close(struct buf *bp, unsigned long icid)
{
	buf_printf(bp, "ICID %lu close", icid);
	return (LOGS_LINE_INFO);
}

/* logs_icid_auth - SMTP Auth (ICID n) succeeded|failed for user: ... */

enum logs_line_level
logs_icid_auth(struct buf *bp, unsigned long icid, int succeeded,
    const char *user, const char *mechanism, const char *profile)
{
	buf_printf(bp, "SMTP Auth (ICID %lu) %s for user: %s using AUTH "
	    "mechanism: %s with profile: %s", icid,
	    succeeded ? "succeeded" : "failed", logs_icid_need("user", user),
	    logs_icid_need("mechanism", mechanism),
	    logs_icid_need("profile", profile));
	return (LOGS_LINE_INFO);
}

/* logs_icid_auth_required - the client did not authenticate */

enum logs_line_level
logs_icid_auth_required(struct buf *bp, unsigned long icid)
{
	buf_printf(bp, "SMTP Auth (ICID %lu) was required but remote host "
	    "did not initiate it", icid);
	return (LOGS_LINE_INFO);
}
