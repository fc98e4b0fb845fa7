/*
 * NAME
 *	logs_dcid - mail log lines of outbound (delivery) connections
 * DESCRIPTION
 *	See logs_dcid.h.
 */
#include "config.h"

#include <stddef.h>

#include "buf.h"
#include "msg.h"
#include "str.h"
#include "logs_line.h"
#include "logs_repr.h"
#include "logs_dcid.h"

/* logs_dcid_need - panic on a null string the caller had to supply */

static const char *
logs_dcid_need(const char *what, const char *value)
{
	if (value == NULL)
		msg_panic("logs_dcid: null %s", what);
	return (value);
}

/* logs_dcid_new - New SMTP DCID d interface i address a port p */

enum logs_line_level
logs_dcid_new(struct buf *bp, unsigned long dcid, const char *ifip,
    const char *addr, unsigned port)
{
	buf_printf(bp, "New SMTP DCID %lu interface %s address %s port %u",
	    dcid, logs_dcid_need("interface", ifip),
	    logs_dcid_need("address", addr), port);
	return (LOGS_LINE_INFO);
}

/* logs_dcid_tls_success - DCID d TLS success protocol p cipher c */

enum logs_line_level
logs_dcid_tls_success(struct buf *bp, unsigned long dcid,
    const char *protocol, const char *cipher)
{
	buf_printf(bp, "DCID %lu TLS success protocol %s cipher %s", dcid,
	    logs_dcid_need("protocol", protocol),
	    logs_dcid_need("cipher", cipher));
	return (LOGS_LINE_INFO);
}

/* logs_dcid_tls_failed - DCID d [IP a ]TLS failed: reason */

enum logs_line_level
logs_dcid_tls_failed(struct buf *bp, const struct logs_line_style *style,
    unsigned long dcid, const char *addr, const char *reason)
{
	buf_printf(bp, "DCID %lu ", dcid);
	if (style->dialect == LOGS_LINE_ASYNCOS4)
		buf_printf(bp, "IP %s ", logs_dcid_need("address", addr));
	buf_printf(bp, "TLS failed: %s", logs_dcid_need("reason", reason));
	return (LOGS_LINE_INFO);
}

/* logs_dcid_tls_deferring - the peer refused our TLS versions */

enum logs_line_level
logs_dcid_tls_deferring(struct buf *bp, unsigned long dcid,
    const char *reason)
{
	buf_printf(bp, "DCID %lu TLS deferring: %s TLS version mismatch "
	    "could be the failure reason", dcid,
	    logs_dcid_need("reason", reason));
	return (LOGS_LINE_INFO);
}

/* logs_dcid_tls_required - required TLS could not be negotiated */

enum logs_line_level
logs_dcid_tls_required(struct buf *bp, unsigned long dcid, const char *addr)
{
	buf_printf(bp, "DCID %lu IP %s TLS was required but could not be "
	    "successfully negotiated", dcid, logs_dcid_need("address", addr));
	return (LOGS_LINE_INFO);
}

/* logs_dcid_starttls_unsupported - EHLO did not offer STARTTLS */

enum logs_line_level
logs_dcid_starttls_unsupported(struct buf *bp, unsigned long dcid)
{
	buf_printf(bp, "DCID %lu STARTTLS command not supported.", dcid);
	return (LOGS_LINE_INFO);
}

/* logs_dcid_delivery_start - Delivery start DCID d MID m to RID [r] */

enum logs_line_level
logs_dcid_delivery_start(struct buf *bp, unsigned long dcid,
    unsigned long mid, const unsigned *rids, size_t nrids)
{
	buf_printf(bp, "Delivery start DCID %lu MID %lu to RID ", dcid, mid);
	logs_repr_rids(bp, rids, nrids);
	return (LOGS_LINE_INFO);
}

/* logs_dcid_message_done - Message done DCID d MID m to RID [r] */

enum logs_line_level
logs_dcid_message_done(struct buf *bp, unsigned long dcid,
    unsigned long mid, const unsigned *rids, size_t nrids)
{
	buf_printf(bp, "Message done DCID %lu MID %lu to RID ", dcid, mid);
	logs_repr_rids(bp, rids, nrids);
	return (LOGS_LINE_INFO);
}

/* logs_dcid_result - the part Delayed and Bounced share */

static void
logs_dcid_result(struct buf *bp, const char *what,
    const struct logs_dcid_bounce *b)
{
	buf_printf(bp, "%s: DCID %lu MID %lu to RID %u - %s - %s ", what,
	    b->dcid, b->mid, b->rid, logs_dcid_need("dsn", b->dsn),
	    logs_dcid_need("description", b->description));
	logs_repr_reply(bp, logs_dcid_need("code", b->code), b->lines,
	    b->nlines);
}

/* logs_dcid_delayed - soft bounce; no space before [] as documented */

enum logs_line_level
logs_dcid_delayed(struct buf *bp, const struct logs_dcid_bounce *b)
{
	logs_dcid_result(bp, "Delayed", b);
	buf_puts(bp, "[]");
	return (LOGS_LINE_INFO);
}

/* logs_dcid_bounced - hard bounce */

enum logs_line_level
logs_dcid_bounced(struct buf *bp, const struct logs_dcid_bounce *b)
{
	logs_dcid_result(bp, "Bounced", b);
	buf_puts(bp, " []");
	return (LOGS_LINE_INFO);
}

/* logs_dcid_details_reply - Connection Error details for a reply */

void
logs_dcid_details_reply(struct buf *bp, const char *code, struct str text)
{
	buf_printf(bp, "%s-", logs_dcid_need("code", code));
	logs_repr_str(bp, text);
}

/* logs_dcid_conn_error - Connection Error: DCID d domain: ... */

enum logs_line_level
logs_dcid_conn_error(struct buf *bp, const struct logs_line_style *style,
    const struct logs_dcid_conn_error *e)
{
	buf_printf(bp, "Connection Error: DCID %lu domain: %s IP:%s%s "
	    "port: %u details: %s interface: %s reason: %s", e->dcid,
	    logs_dcid_need("domain", e->domain), style->ip_space ? " " : "",
	    logs_dcid_need("address", e->addr), e->port,
	    logs_dcid_need("details", e->details),
	    logs_dcid_need("interface", e->ifip),
	    logs_dcid_need("reason", e->reason));
	return (LOGS_LINE_INFO);
}

/* logs_dcid_dns_error - DNS Error domain MX - NXDomain */

enum logs_line_level
logs_dcid_dns_error(struct buf *bp, const char *domain, const char *rrtype,
    const char *error)
{
	buf_printf(bp, "DNS Error %s %s - %s", logs_dcid_need("domain", domain),
	    logs_dcid_need("type", rrtype), logs_dcid_need("error", error));
	return (LOGS_LINE_INFO);
}

/* logs_dcid_dns_tempfail - DNS Temporary Failure domain MX - error */

enum logs_line_level
logs_dcid_dns_tempfail(struct buf *bp, const char *domain,
    const char *rrtype, const char *error)
{
	buf_printf(bp, "DNS Temporary Failure %s %s - %s",
	    logs_dcid_need("domain", domain), logs_dcid_need("type", rrtype),
	    logs_dcid_need("error", error));
	return (LOGS_LINE_INFO);
}

/* logs_dcid_close - DCID d close */

enum logs_line_level
logs_dcid_close(struct buf *bp, unsigned long dcid)
{
	buf_printf(bp, "DCID %lu close", dcid);
	return (LOGS_LINE_INFO);
}
