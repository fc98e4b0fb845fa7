/*
 * NAME
 *	qmgr_alert - alert mail: required-TLS and smarthost AUTH failures
 * DESCRIPTION
 *	See qmgr_alert.h. The throttle history is a short list: one entry
 *	per domain that failed within the last throttle interval.
 */
#include "config.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"
#include "logs_alert.h"
#include "mail_alert.h"

#include "mta_log.h"

#include "qmgr.h"
#include "qmgr_alert.h"
#include "qmgr_inject.h"
#include "qmgr_sched.h"

struct qmgr_alert {
	char   *key;			/* "kind domain" */
	time_t	sent;
	struct qmgr_alert *next;
};

static unsigned long long qmgr_alert_serial;

/* qmgr_alert_throttled - was this alert sent too recently */

static int
qmgr_alert_throttled(struct qmgr *qm, const char *kind, const char *domain,
    time_t now)
{
	long long interval = qm->sv->cf->alerts.throttle;
	struct qmgr_alert **pp, *ap;
	struct buf *kb = buf_new(0);
	char   *key;

	buf_printf(kb, "%s %s", kind, domain);
	key = buf_steal(kb);
	buf_free(kb);
	for (pp = &qm->alerts; (ap = *pp) != NULL;) {
		if (now - ap->sent >= interval) {
			*pp = ap->next;		/* expired: forget it */
			mem_free(ap->key);
			mem_free(ap);
			continue;
		}
		if (strcasecmp(ap->key, key) == 0) {
			mem_free(key);
			return (1);
		}
		pp = &ap->next;
	}
	ap = mem_zalloc(1, sizeof(*ap));
	ap->key = key;
	ap->sent = now;
	ap->next = qm->alerts;
	qm->alerts = ap;
	return (0);
}

/* qmgr_alert_send - compose, queue and log one alert (a is filled) */

static void
qmgr_alert_send(struct qmgr *qm, struct mail_alert *a)
{
	const struct conf *cf = qm->sv->cf;
	struct buf *subject = buf_new(0);
	struct buf *from = buf_new(0);
	struct buf *out = buf_new(0);
	struct buf *err = buf_new(0);
	struct buf *line = buf_new(0);
	const char *severity = mail_alert_severity_name(a->severity);
	const char **to;
	size_t	i;
	int	rc;

	if (cf->alerts.recipient_count == 0) {
		msg_warn("%s alert (no alerts.recipients to send it to): %s",
		    severity, a->summary);
		goto out;
	}
	if (cf->alerts.from[0])
		buf_puts(from, cf->alerts.from);
	else
		buf_printf(from, "alert@%s", cf->hostname);
	to = mem_zalloc(cf->alerts.recipient_count + 1, sizeof(*to));
	for (i = 0; i < cf->alerts.recipient_count; i++)
		to[i] = cf->alerts.recipients[i].text;
	a->hostname = cf->hostname;
	a->from = from->data;
	a->to = to;
	a->nto = cf->alerts.recipient_count;
	a->now = time(NULL);
	a->serial = ++qmgr_alert_serial;
	mail_alert_compose(a, out);
	buf_printf(subject, "%s-%s: (%s) %s", severity, cf->hostname,
	    a->class, a->summary);
	rc = qmgr_inject(qm, from->data, to, a->nto, out, 0, NULL, err);
	if (rc != 0)
		msg_warn("cannot queue the %s alert: %s", severity, err->data);
	for (i = 0; i < a->nto; i++)
		mta_log_line(qmgr_sched_log_handle(qm), rc == 0 ?
		    logs_alert_sent(line, a->class, severity, to[i],
		    subject->data) :
		    logs_alert_failed(line, a->class, severity, to[i],
		    subject->data), line);
	mem_free(to);
out:
	buf_free(line);
	buf_free(err);
	buf_free(out);
	buf_free(from);
	buf_free(subject);
}

/* qmgr_alert_tls - TLS was required for domain and failed */

void
qmgr_alert_tls(struct qmgr *qm, const char *domain)
{
	struct buf *summary = buf_new(0);
	struct buf *text = buf_new(0);
	struct mail_alert a;

	if (!qmgr_alert_throttled(qm, "tls", domain, time(NULL))) {
		memset(&a, 0, sizeof(a));
		mail_alert_tls_required(&a, domain, summary, text);
		qmgr_alert_send(qm, &a);
	}
	buf_free(text);
	buf_free(summary);
}

/* qmgr_alert_auth - a smarthost refused our AUTH for domain's mail */

void
qmgr_alert_auth(struct qmgr *qm, const char *domain)
{
	struct buf *summary = buf_new(0);
	struct buf *text = buf_new(0);
	struct mail_alert a;

	if (!qmgr_alert_throttled(qm, "auth", domain, time(NULL))) {
		memset(&a, 0, sizeof(a));
		buf_printf(summary, "SMTP AUTH failed at the smarthost for "
		    "%s", domain);
		buf_printf(text, "The smarthost that the SMTP route for %s "
		    "names refused the gateway's SMTP AUTH credentials.\n\n"
		    "The messages stay in the delivery queue and are retried "
		    "at the bounce profile's intervals; check the user and "
		    "the password file of the smarthost in the "
		    "configuration. The server's answer is in the process "
		    "log.", domain);
		a.severity = MAIL_ALERT_WARNING;
		a.class = "System";
		a.summary = summary->data;
		a.text = text->data;
		qmgr_alert_send(qm, &a);
	}
	buf_free(text);
	buf_free(summary);
}

/* qmgr_alert_free - forget the throttle history */

void
qmgr_alert_free(struct qmgr *qm)
{
	struct qmgr_alert *ap;

	while ((ap = qm->alerts) != NULL) {
		qm->alerts = ap->next;
		mem_free(ap->key);
		mem_free(ap);
	}
}
