/*
 * NAME
 *	deliver_peer - drive deliver_smtp(3) against real loopback peers
 * SYNOPSIS
 *	#include "deliver_peer.h"
 *
 *	void	dpeer_init(struct dpeer *p);
 *	void	dpeer_fini(struct dpeer *p);
 *	void	dpeer_msg(struct dpeer *p, const char *content, size_t len,
 *		    const char *const *rcpts);
 *	struct deliver_mx_host dpeer_host(const char *name, int port);
 *	void	dpeer_run(struct dpeer *p, const struct deliver_mx_host *hosts,
 *		    size_t nhosts);
 *	const char *dpeer_log(struct dpeer *p);
 *	SSL_CTX *dpeer_client_ctx(const char *ca_file, const char *max_proto);
 * DESCRIPTION
 *	dpeer_init() makes a libuv loop, a mail log in a temporary
 *	directory, options with short timeouts and a DCID counter.
 *	dpeer_msg() writes content to a file and fills p->msg (MID 7, sender
 *	a@example.org, RIDs 0, 1, ...). dpeer_run() starts one attempt and
 *	runs the loop until every handle is closed; it fails the test
 *	unless done() ran exactly once. dpeer_log() returns the mail log
 *	so far, each line masked (timestamp removed, DCID/MID/RID numbers
 *	"N", every port number "P"), header lines left out, one "\n" after
 *	each. dpeer_client_ctx() is certs_ctx_client() with a trust store
 *	and a highest protocol version (NULL: TLS 1.3).
 */
#ifndef DELIVER_PEER_H
#define DELIVER_PEER_H

#include <stddef.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "buf.h"
#include "logs_maillog.h"
#include "deliver_mx.h"
#include "deliver_smtp.h"

#define DPEER_MAX_RCPTS	16

struct dpeer {
	uv_loop_t loop;
	struct logs_maillog *log;
	const char *logdir;
	unsigned long dcid;
	struct deliver_smtp_opts opts;
	struct deliver_msg msg;
	struct deliver_rcpt rcpts[DPEER_MAX_RCPTS];
	int	done_calls;
	int	keep_more;		/* messages to send on a kept conn */
	struct deliver_msg *more[4];
	int	nmore;
	struct buf logtext;
};

void	dpeer_init(struct dpeer *);
void	dpeer_fini(struct dpeer *);
void	dpeer_msg(struct dpeer *, const char *, size_t, const char *const *);
struct deliver_mx_host dpeer_host(const char *, int);
void	dpeer_run(struct dpeer *, const struct deliver_mx_host *, size_t);
const char *dpeer_log(struct dpeer *);
SSL_CTX *dpeer_client_ctx(const char *, const char *);

#endif
