/*
 * NAME
 *	queue_env - the message envelope and its on-disk record encoding
 * SYNOPSIS
 *	#include "queue_env.h"
 *
 *	void	queue_env_init(struct queue_env *env);
 *	void	queue_env_fini(struct queue_env *env);
 *	struct queue_rcpt *queue_env_add_rcpt(struct queue_env *env,
 *		    const char *addr, size_t len);
 *	void	queue_env_encode(const struct queue_env *env,
 *		    struct buf *out);
 *	int	queue_env_decode(struct queue_env *env, const char *data,
 *		    size_t len, struct buf *why);
 *	int	queue_env_check(const struct queue_env *env, struct buf *why);
 *	const char *queue_rcpt_state_str(enum queue_rcpt_state state);
 * DESCRIPTION
 *	A queue_env holds everything the queue keeps about one message
 *	besides its content: sender, recipients with their per-recipient
 *	delivery state, the connection facts (ICID, client address and
 *	name, HELO, TLS), flags, and times. Text fields are struct buf, so
 *	they may hold any bytes (a NUL, a CR, an LF): the encoding is
 *	length-counted and never line based, so no value can ever create,
 *	end or reorder a record (Exim CVE-2020-28021, OpenSMTPD
 *	CVE-2020-8794).
 *
 *	queue_env_init() makes an empty envelope (all numbers zero, all
 *	texts empty, no recipients); queue_env_fini() releases what it
 *	holds. queue_env_add_rcpt() appends a recipient in state
 *	QUEUE_RCPT_PENDING, gives it the next RID (0, 1, 2, ... in order of
 *	addition, as AsyncOS numbers them) and returns it so the caller may
 *	fill the other fields; the pointer stays valid until the next
 *	queue_env_add_rcpt() or queue_env_fini().
 *
 *	queue_env_encode() appends the file form of env to out (see
 *	queue_env.c for the format: magic, version, typed and
 *	length-counted records, an END record with a CRC-32 of all that
 *	precedes it). queue_env_decode() parses that form into env (which
 *	it initialises first, so the caller only calls queue_env_fini()
 *	afterwards, whatever the result). It returns 0, or -1 with the
 *	reason in why ("bad magic", "unsupported version 7", "checksum
 *	mismatch", "truncated record", "unknown record type 0x41" ...).
 *	Any byte string given to queue_env_decode() is handled without
 *	overflow or crash; it is meant for fuzzing.
 *
 *	queue_env_check() applies the decoder's rules to an envelope in
 *	memory (one to QUEUE_ENV_RCPT_MAX recipients, RIDs increasing,
 *	texts within QUEUE_ENV_TEXT_MAX, known flags and enum values) and
 *	returns 0, or -1 with the reason in why. An envelope built from
 *	another process's message must pass it before queue_env_encode():
 *	whatever passes encodes into a file that decodes again.
 * LIMITS
 *	A text field holds at most QUEUE_ENV_TEXT_MAX bytes and an
 *	envelope at most QUEUE_ENV_RCPT_MAX recipients. queue_env_encode()
 *	panics on an envelope that queue_env_check() rejects (the caller
 *	skipped the check); queue_env_decode() rejects such a file.
 */
#ifndef QUEUE_ENV_H
#define QUEUE_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define QUEUE_ENV_VERSION	1
#define QUEUE_ENV_TEXT_MAX	65536
#define QUEUE_ENV_RCPT_MAX	100000

enum queue_rcpt_state {
	QUEUE_RCPT_PENDING = 0,		/* not yet tried */
	QUEUE_RCPT_DELIVERED = 1,	/* accepted downstream: done */
	QUEUE_RCPT_DEFERRED = 2,	/* temporary failure, will retry */
	QUEUE_RCPT_BOUNCED = 3,		/* permanent failure or expired */
};

/* DSN NOTIFY= (RFC 3461); 0 means "not given" */
#define QUEUE_NOTIFY_NEVER	(1U << 0)
#define QUEUE_NOTIFY_SUCCESS	(1U << 1)
#define QUEUE_NOTIFY_FAILURE	(1U << 2)
#define QUEUE_NOTIFY_DELAY	(1U << 3)

struct queue_rcpt {
	uint32_t rid;			/* recipient id, unique per message */
	struct buf addr;		/* RCPT TO address, without <> */
	struct buf orcpt;		/* DSN ORCPT= as received, or empty */
	unsigned notify;		/* QUEUE_NOTIFY_* bits */
	enum queue_rcpt_state state;
	uint32_t attempts;		/* delivery attempts so far */
	int64_t	last_attempt;		/* time of the last attempt, or 0 */
	struct buf reply;		/* last downstream reply, or empty */
};

enum queue_body {
	QUEUE_BODY_NONE = 0,		/* no BODY= given */
	QUEUE_BODY_7BIT = 1,
	QUEUE_BODY_8BITMIME = 2,
	QUEUE_BODY_BINARYMIME = 3,
};

/* DSN RET= (RFC 3461) */
enum queue_ret {
	QUEUE_RET_NONE = 0,
	QUEUE_RET_FULL = 1,
	QUEUE_RET_HDRS = 2,
};

/* envelope flags */
#define QUEUE_ENV_SMTPUTF8	(1U << 0)	/* MAIL FROM ... SMTPUTF8 */
#define QUEUE_ENV_TLS		(1U << 1)	/* received over TLS */
#define QUEUE_ENV_TLS_VERIFIED	(1U << 2)	/* client certificate passed */
#define QUEUE_ENV_AUTH		(1U << 3)	/* client authenticated */

struct queue_env {
	uint64_t mid;			/* message id (AsyncOS MID) */
	uint64_t icid;			/* injection connection id */
	int64_t	arrival;		/* time of acceptance, seconds */
	int64_t	next_attempt;		/* earliest next delivery, or 0 */
	uint64_t size;			/* content bytes (set at commit) */
	unsigned flags;			/* QUEUE_ENV_* bits */
	enum queue_body body;
	enum queue_ret ret;
	struct buf sender;		/* MAIL FROM, without <>; empty: <> */
	struct buf envid;		/* DSN ENVID=, or empty */
	struct buf auth_user;		/* SMTP AUTH identity, or empty */
	struct buf listener;		/* name of the receiving listener */
	struct buf client_addr;		/* client IP address, text form */
	struct buf client_host;		/* client host name (verified PTR) */
	struct buf helo;		/* HELO/EHLO argument */
	struct buf tls_protocol;	/* "TLSv1.3", or empty */
	struct buf tls_cipher;		/* cipher suite name, or empty */
	uint32_t tls_bits;		/* cipher strength */
	struct buf tls_peer;		/* client certificate subject */
	struct queue_rcpt *rcpts;
	size_t	rcpt_count;
	size_t	rcpt_size;		/* allocated slots */
};

void	queue_env_init(struct queue_env *);
void	queue_env_fini(struct queue_env *);
struct queue_rcpt *queue_env_add_rcpt(struct queue_env *, const char *,
	    size_t);
void	queue_env_encode(const struct queue_env *, struct buf *);
int	queue_env_decode(struct queue_env *, const char *, size_t,
	    struct buf *);
int	queue_env_check(const struct queue_env *, struct buf *);
const char *queue_rcpt_state_str(enum queue_rcpt_state);

#endif
