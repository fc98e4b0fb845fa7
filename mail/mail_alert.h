/*
 * NAME
 *	mail_alert - AsyncOS-style alert messages for the operator
 * SYNOPSIS
 *	#include "mail_alert.h"
 *
 *	void	mail_alert_compose(const struct mail_alert *a,
 *		    struct buf *out);
 *	const char *mail_alert_severity_name(enum mail_alert_severity s);
 *	void	mail_alert_tls_required(struct mail_alert *a,
 *		    const char *domain, struct buf *summary,
 *		    struct buf *text);
 * DESCRIPTION
 *	mail_alert_compose() appends to out a complete alert message,
 *	header and body, with CR LF line ends and no line longer than 998
 *	octets:
 *
 *	From: FROM
 *	To: TO1, TO2, ...		(folded at 78 columns)
 *	Date: ...			(now, in the local zone)
 *	Message-ID: <alert.SERIAL.NOW@HOSTNAME>
 *	Subject: Warning-HOSTNAME: (CLASS) SUMMARY	(folded)
 *	Auto-Submitted: auto-generated
 *	MIME-Version: 1.0
 *	Content-Type: text/plain; charset=us-ascii (utf-8 when text has
 *			8-bit octets; then also Content-Transfer-Encoding:
 *			8bit)
 *
 *	TEXT (wrapped at 76 columns, see mail_dsn_wrap())
 *
 *	Version: PACKAGE_VERSION
 *	Hostname: HOSTNAME
 *	Timestamp: DATE
 *
 *	The subject follows the AsyncOS form "Severity-hostname: (Class)
 *	short message". All header values are untrusted: control and
 *	8-bit octets become '?' (header fields stay ASCII). to holds bare
 *	addresses ("ops@example.com"); nto must be at least 1. class NULL
 *	is "System".
 *
 *	mail_alert_severity_name() returns "Critical", "Warning" or
 *	"Info", the AsyncOS severity words.
 *
 *	mail_alert_tls_required() fills the alert for a required-TLS
 *	failure towards domain: severity Warning, class "System", summary
 *	"TLS was required for delivery to DOMAIN but could not be
 *	successfully negotiated", and a text that names the domain and
 *	says what happens to the messages. It resets summary and text,
 *	writes them there, and points a->summary and a->text into them:
 *	the caller keeps both bufs until the alert is composed. The other
 *	fields of a (hostname, from, to, now, serial) are left alone.
 */
#ifndef MAIL_ALERT_H
#define MAIL_ALERT_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

enum mail_alert_severity {
	MAIL_ALERT_CRITICAL,
	MAIL_ALERT_WARNING,
	MAIL_ALERT_INFO,
};

struct mail_alert {
	enum mail_alert_severity severity;
	const char *class;		/* "System" */
	const char *hostname;
	const char *from;		/* e.g. "alert@<hostname>" */
	const char *const *to;		/* recipients, bare addresses */
	size_t	nto;
	const char *summary;		/* short message for the Subject */
	const char *text;		/* body paragraph(s) */
	time_t	now;
	unsigned long long serial;	/* for Message-ID uniqueness */
};

void	mail_alert_compose(const struct mail_alert *, struct buf *);
const char *mail_alert_severity_name(enum mail_alert_severity);
void	mail_alert_tls_required(struct mail_alert *, const char *,
	    struct buf *, struct buf *);

#endif
