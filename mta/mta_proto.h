/*
 * NAME
 *	mta_proto - the messages between mtad processes, and their fds
 * SYNOPSIS
 *	#include "mta_proto.h"
 *
 *	void	mta_proto_put_list(struct ipc_msg *m, unsigned key,
 *		    char *const *items, size_t count);
 *	int	mta_proto_get_list(const struct ipc_msg *m, unsigned key,
 *		    char ***items, size_t *count);
 *	void	mta_proto_free_list(char **items, size_t count);
 * DESCRIPTION
 *	Every channel carries lib/ipc frames; this header is the one list
 *	of message types and attribute keys, so a reader sees the whole
 *	protocol in one place (as Postfix's mail_proto.h). MTA_PROTO_VERSION
 *	changes whenever a message changes meaning; a child sends it in
 *	its READY message and the master refuses a mismatch.
 *
 *	Channels (made by the master with socketpair(), never by name):
 *
 *	master <-> every child, on the child's fd MTA_FD_CONTROL:
 *	    READY	child -> master: set-up done (version, role, pid)
 *	    PEER	master -> queue manager: a new peer's end of a
 *			channel rides as the descriptor (kind: listener or
 *			delivery, and an id for diagnostics)
 *	    RELOAD	master -> queue manager: a new configuration,
 *			already checked, rides as the descriptor (a sealed
 *			memory file holding the configuration text)
 *
 *	listener <-> queue manager, on the listener's fd MTA_FD_QMGR:
 *	    OPEN	listener -> qmgr: allocate a MID and a content file
 *			(request id, ICID)
 *	    OPENED	qmgr -> listener: status, MID, and the write-only
 *			content descriptor; or status TEMP and a reason
 *	    COMMIT	listener -> qmgr: make MID durable with this
 *			envelope (sender, recipients, connection facts,
 *			and the SMTP AUTH user when the client
 *			authenticated: the envelope is then marked
 *			QUEUE_ENV_AUTH)
 *	    COMMITTED	qmgr -> listener: status (OK only once the message
 *			is on stable storage), reason on failure
 *	    ABORT	listener -> qmgr: discard MID (client gone, RSET,
 *			message rejected)
 *
 *	delivery <-> queue manager, on the delivery process's fd MTA_FD_QMGR:
 *	    DELIVER	qmgr -> delivery: one job: a MID's recipients at
 *			one destination domain (request id, MID, sender,
 *			domain, recipients and their RIDs, size, flags),
 *			with a read-only descriptor of the content
 *	    DELIVERED	delivery -> qmgr: the job's result (request id,
 *			status OK with one result per recipient, or TEMP
 *			when the job was not attempted at all, e.g. the
 *			process is stopping); MTA_K_ALERT set when TLS was
 *			required and could not be had, or a smarthost
 *			refused the AUTH
 *
 *	A result is a string "RID STATE CODE DSN TEXT": STATE is D
 *	(delivered), T (deferred) or B (bounced); CODE the reply code
 *	("000" for none); TEXT the rest of the string, the reply or
 *	reason (any bytes but NUL).
 *
 *	Requests carry an id (MTA_K_REQ) that the answer repeats, so one
 *	channel serves every session of a listener process concurrently.
 *	A peer that receives a malformed message, an unknown type, or an
 *	answer to a request it never made, closes the channel and exits;
 *	the master restarts it.
 *
 *	mta_proto_put_list() packs a list of strings into one bytes
 *	attribute (each string as a 32-bit length and its bytes), and
 *	mta_proto_get_list() unpacks it into a new array of new strings
 *	(the caller frees both with mta_proto_free_list()); it returns
 *	IPC_FOUND, IPC_NOTFOUND, or -1 when the attribute is malformed.
 */
#ifndef MTA_PROTO_H
#define MTA_PROTO_H

#include <stddef.h>

#include "ipc.h"

#define MTA_PROTO_VERSION	1

/* The descriptor layout every child starts with. */
#define MTA_FD_CONTROL	3	/* channel to the master */
#define MTA_FD_QMGR	4	/* channel to the queue manager */
#define MTA_FD_SEQ	5	/* ICID/DCID sequence file (lib/seq) */
#define MTA_FD_IPTAB	6	/* per-client counters (lib/iptab) */
#define MTA_FD_CONF	7	/* the configuration text the master checked */
#define MTA_FD_LISTEN	8	/* first listening socket, one per listener */

/* Message types. */
enum mta_proto_type {
	MTA_T_READY = 1,
	MTA_T_PEER,
	MTA_T_OPEN,
	MTA_T_OPENED,
	MTA_T_COMMIT,
	MTA_T_COMMITTED,
	MTA_T_ABORT,
	MTA_T_RELOAD,
	MTA_T_DELIVER,
	MTA_T_DELIVERED,
};

/* Attribute keys. */
enum mta_proto_key {
	MTA_K_VERSION = 1,	/* u64 MTA_PROTO_VERSION */
	MTA_K_ROLE,		/* str "listener", "qmgr", "delivery" */
	MTA_K_PID,		/* u64 */
	MTA_K_PEER_ID,		/* u64 */
	MTA_K_REQ,		/* u64 request id */
	MTA_K_STATUS,		/* u64 enum mta_proto_status */
	MTA_K_REASON,		/* str, for the operator and the client */
	MTA_K_MID,		/* u64 */
	MTA_K_ICID,		/* u64 */
	MTA_K_SENDER,		/* str envelope sender, "" for <> */
	MTA_K_RCPTS,		/* bytes: list of recipient addresses */
	MTA_K_CLIENT_ADDR,	/* str numeric client address */
	MTA_K_CLIENT_NAME,	/* str verified client host name, or "" */
	MTA_K_HELO,		/* str HELO/EHLO argument */
	MTA_K_PROTOCOL,		/* str "SMTP", "ESMTP", "ESMTPS" */
	MTA_K_TLS_PROTO,	/* str "TLSv1.3", or absent */
	MTA_K_TLS_CIPHER,	/* str cipher name, or absent */
	MTA_K_FLAGS,		/* u64 MTA_F_* */
	MTA_K_ARRIVAL,		/* u64 seconds since the epoch */
	MTA_K_LISTENER,		/* str listener name */
	MTA_K_DOMAIN,		/* str destination domain of a job */
	MTA_K_RIDS,		/* bytes: list of RIDs, in decimal */
	MTA_K_SIZE,		/* u64 content bytes */
	MTA_K_RESULTS,		/* bytes: list of results, see above */
	MTA_K_ALERT,		/* u64 MTA_ALERT_*: raise an alert */
	MTA_K_AUTH_USER,	/* str SMTP AUTH user; present: authenticated */
};

enum mta_proto_status {
	MTA_S_OK = 0,
	MTA_S_TEMP,		/* try again later: 4xx */
	MTA_S_PERM,		/* never: 5xx */
};

#define MTA_ALERT_TLS	1		/* required TLS could not be had */
#define MTA_ALERT_AUTH	2		/* a smarthost refused our AUTH */

#define MTA_F_8BITMIME	(1 << 0)
#define MTA_F_SMTPUTF8	(1 << 1)

void	mta_proto_put_list(struct ipc_msg *, unsigned, char *const *, size_t);
int	mta_proto_get_list(const struct ipc_msg *, unsigned, char ***,
	    size_t *);
void	mta_proto_free_list(char **, size_t);

#endif
