/*
 * NAME
 *	qmgr_alert - alert mail: required-TLS and smarthost AUTH failures
 * SYNOPSIS
 *	#include "qmgr_alert.h"
 *
 *	void	qmgr_alert_tls(struct qmgr *qm, const char *domain);
 *	void	qmgr_alert_auth(struct qmgr *qm, const char *domain);
 *	void	qmgr_alert_free(struct qmgr *qm);
 * DESCRIPTION
 *	qmgr_alert_tls() raises the alert Destination Controls send when
 *	TLS is required for delivery to domain and could not be had
 *	(severity Warning, class System; mail_alert(3) writes it). It goes
 *	to alerts.recipients, from alerts.from (default alert@ and the
 *	host name), queued by qmgr_inject(3), and each recipient gets the
 *	line "A System/Warning alert was sent to <rcpt> with subject
 *	"<subject>".". An alert that cannot be queued gets "Error while
 *	sending alert: Unable to send System/Warning alert to <rcpt> ...".
 *
 *	qmgr_alert_auth() raises the alert for a smarthost that refused
 *	the gateway's SMTP AUTH (a 535) while delivering domain's mail:
 *	Warning, System, the same way.
 *
 *	The same alert (same kind, same domain) is sent at most once per
 *	alerts.throttle seconds; with no alert recipients configured, the
 *	alert is only a warning in the process log.
 *
 *	qmgr_alert_free() forgets the throttle history.
 */
#ifndef QMGR_ALERT_H
#define QMGR_ALERT_H

#include "qmgr.h"

void	qmgr_alert_tls(struct qmgr *, const char *);
void	qmgr_alert_auth(struct qmgr *, const char *);
void	qmgr_alert_free(struct qmgr *);

#endif
