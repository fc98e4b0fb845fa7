/*
 * NAME
 *	queue_spool - the on-disk queue: receive, commit, update, remove
 * SYNOPSIS
 *	#include "queue_spool.h"
 *
 *	struct queue_spool *queue_spool_open(const char *dir, struct buf *err);
 *	struct queue_spool *queue_spool_close(struct queue_spool *spool);
 *
 *	int	queue_spool_open_message(struct queue_spool *spool,
 *		    struct queue_msg **msgp, struct buf *err);
 *	int	queue_spool_commit(struct queue_spool *spool,
 *		    struct queue_msg *msg, const struct queue_env *env,
 *		    struct buf *err);
 *	void	queue_spool_abort(struct queue_spool *spool,
 *		    struct queue_msg *msg);
 *
 *	int	queue_spool_scan(struct queue_spool *spool,
 *		    queue_spool_scan_fn fn, void *ctx,
 *		    struct queue_scan_stats *stats);
 *	int	queue_spool_load(struct queue_spool *spool, uint64_t mid,
 *		    enum queue_state state, struct queue_env *env,
 *		    struct buf *err);
 *	int	queue_spool_update(struct queue_spool *spool,
 *		    const struct queue_env *env, enum queue_state from,
 *		    enum queue_state to, struct buf *err);
 *	int	queue_spool_remove(struct queue_spool *spool, uint64_t mid,
 *		    enum queue_state state, struct buf *err);
 *	int	queue_spool_open_content(struct queue_spool *spool,
 *		    uint64_t mid, struct buf *err);
 *	int	queue_spool_space(struct queue_spool *spool, uint64_t need,
 *		    uint64_t inodes, struct buf *err);
 *	const char *queue_state_str(enum queue_state state);
 * DESCRIPTION
 *	The spool is the queue manager's: it is the only process that
 *	creates, renames or removes spool files. The layout, the states a
 *	message passes through and the commit point are documented at the
 *	top of queue_spool.c.
 *
 *	queue_spool_open() creates the layout under dir when it is
 *	missing (dir's parent must exist), checks that every directory
 *	belongs to the effective user with mode 0700, takes an exclusive
 *	lock on the spool (a second queue manager on the same spool is
 *	refused), and reads the MID counter. It returns NULL with the
 *	reason in err (a broken environment: the caller should
 *	msg_fatal()). queue_spool_close() releases the spool (no message
 *	may be open) and returns NULL.
 *
 *	Receiving a message takes three calls. queue_spool_open_message()
 *	allocates a new MID and creates its content file; (*msgp)->mid is
 *	the MID and (*msgp)->fd a write-only descriptor that the caller
 *	passes on to the writer (the listener), for example over a socket.
 *	The descriptor stays the spool's: the caller never closes it.
 *	The writer writes the content (headers and body, CRLF lines,
 *	un-dot-stuffed). queue_spool_commit() then makes the message
 *	durable: when it returns QUEUE_OK, and only then, the listener may
 *	answer 250. env->mid and env->size are ignored; the spool records
 *	the message's MID and the size of the content file. On QUEUE_TEMP
 *	(disk full, I/O error) the partial files are gone, the spool is as
 *	before, and the answer to the client is QUEUE_SPOOL_TEMP_REPLY.
 *	On QUEUE_BAD, env broke the rules of queue_env_check() (no
 *	recipient, a text too long, an unknown value): a bug of whoever
 *	built env; nothing is queued and the client gets a temporary error
 *	too. queue_spool_abort() discards a message that will not be
 *	committed (client gone, message rejected). Commit and abort both
 *	free msg; the caller must not use it afterwards.
 *
 *	queue_spool_scan() is called once at start, before any
 *	queue_spool_open_message(). It removes what uncommitted messages
 *	left behind, moves every file that fails validation (bad magic,
 *	version, checksum, MID, owner or mode, missing or short content
 *	file) to corrupt/ with a warning naming the file and the reason,
 *	and calls fn once for each committed message, in MID order, with
 *	its envelope and state. The envelope belongs to the scan and is
 *	valid during the call only. fn returns 0 to go on, anything else
 *	to stop the scan (queue_spool_scan() then returns that value).
 *	stats (may be NULL) receives the counts. queue_spool_scan()
 *	returns 0, the value that stopped it, or QUEUE_TEMP when the spool
 *	could not be read (nothing is judged corrupt then).
 *
 *	queue_spool_load() reads and validates the envelope of mid in
 *	state (env is initialised by the call; queue_env_fini() it in any
 *	case). It returns QUEUE_OK; QUEUE_TEMP when the file could not be
 *	read; or QUEUE_BAD when it failed validation, after moving it and
 *	its content to corrupt/ as queue_spool_scan() does.
 *
 *	queue_spool_update() durably replaces the envelope of env->mid,
 *	kept in state from, with env, and moves it to state to (from and
 *	to may be equal). It returns QUEUE_BAD, changing nothing, for an
 *	env that queue_env_check() rejects. queue_spool_remove() deletes a
 *	finished message: its envelope first (the commit point of the
 *	deletion), then its content. queue_spool_open_content() opens the
 *	content of a committed message for reading and returns the
 *	descriptor (the caller closes it), or -1 with the reason in err.
 *
 *	queue_spool_space() answers, before a message is received (at
 *	MAIL FROM), whether the spool's file system has need bytes and
 *	inodes inodes available to unprivileged users: QUEUE_OK, or
 *	QUEUE_TEMP with the numbers in err, for a 452 4.3.1 at MAIL. The
 *	caller chooses need (a reserve plus 1.5 times SIZE=, as Postfix's
 *	queue_minfree and Exim's check_spool_space do). It is advice: only
 *	the commit's own result decides.
 *
 *	Every function that changes the spool returns QUEUE_OK only after
 *	the change is on stable storage (files and directories fsync'ed),
 *	and QUEUE_TEMP with the reason in err ("write incoming/12.env: No
 *	space left on device") when it is not. After a QUEUE_TEMP, commit
 *	has left the spool as it was; update has left the old or the new
 *	envelope, in state from or to; remove has left the message or
 *	nothing of it. The caller may simply try again later.
 * THREADS
 *	A commit waits for four fsync calls and a removal for one,
 *	milliseconds on a real disk, so the queue manager should not make
 *	them on its event loop. It may run queue_spool_commit() and
 *	queue_spool_remove() in worker threads (uv_queue_work()), for
 *	several messages at once: the directory fsyncs of concurrent
 *	calls are shared (queue_dsync), and so are the file system's
 *	journal commits. Everything else (open, scan, open_message, abort,
 *	load, update, close) belongs to the one thread that opened the
 *	spool; it may run while commits and removals are in flight, except
 *	scan and close, which require that no message is open. A commit
 *	reports failures only through its result and err; it calls
 *	msg_warn() only when even its cleanup fails.
 * EXAMPLE
 *	The queue manager's side of receiving one message (error paths
 *	shortened; "listener_*" stands for the channel to the listener):
 *
 *	    spool = queue_spool_open(dir, err);		at start
 *	    if (spool == NULL) msg_fatal("%s", buf_cstr(err));
 *	    queue_spool_scan(spool, schedule_fn, ctx, &stats);
 *	    ...
 *	    if (queue_spool_open_message(spool, &msg, err) != QUEUE_OK)
 *		    listener_reply(QUEUE_SPOOL_TEMP_REPLY);
 *	    listener_send_fd(msg->fd);			writer writes
 *	    ...						envelope arrives
 *	    mid = msg->mid;
 *	    switch (queue_spool_commit(spool, msg, &env, err)) {
 *	    case QUEUE_OK:   listener_reply("250 ok: Message %llu accepted");
 *			     schedule(mid);
 *			     break;
 *	    default:	     listener_reply(QUEUE_SPOOL_TEMP_REPLY);
 *	    }
 *
 *	After a delivery attempt: queue_spool_update() with the recipients'
 *	new states (active -> deferred), or queue_spool_remove() when no
 *	recipient is left pending or deferred.
 * SECURITY
 *	Spool files are opened with O_NOFOLLOW and checked after open (a
 *	regular file owned by us, no group or other bits); nothing in the
 *	spool is trusted more than a network peer: a bad file is moved to
 *	corrupt/, never followed, executed or deleted. The spool directory
 *	itself may be a symbolic link; the directories inside it may not.
 *
 *	The writer keeps its descriptor to the content file and should
 *	close it before it asks for the commit. Bytes it appends later lie
 *	beyond the recorded size and are ignored by readers, which read
 *	env->size bytes; the writer is trusted with the content of the
 *	messages it receives, and with nothing else in the spool.
 */
#ifndef QUEUE_SPOOL_H
#define QUEUE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "queue_env.h"

#define QUEUE_OK	0
#define QUEUE_TEMP	(-1)		/* try again later; spool unchanged */
#define QUEUE_BAD	(-2)		/* invalid envelope or file */

/* What the listener answers when a commit fails */
#define QUEUE_SPOOL_TEMP_REPLY	"452 4.3.1 Insufficient system storage"

enum queue_state {
	QUEUE_STATE_ACTIVE = 0,		/* committed, due for delivery */
	QUEUE_STATE_DEFERRED = 1,	/* committed, waiting for a retry */
};

#define QUEUE_STATE_COUNT	2

struct queue_spool;

struct queue_msg {
	uint64_t mid;			/* the new message's MID */
	int	fd;			/* write-only, the spool's: keep open */
};

struct queue_scan_stats {
	size_t	found;			/* committed messages handed to fn */
	size_t	corrupt;		/* files moved to corrupt/ */
	size_t	removed;		/* leftovers of uncommitted messages */
};

typedef int (*queue_spool_scan_fn)(const struct queue_env *,
	    enum queue_state, void *);

struct queue_spool *queue_spool_open(const char *, struct buf *);
struct queue_spool *queue_spool_close(struct queue_spool *);
int	queue_spool_open_message(struct queue_spool *, struct queue_msg **,
	    struct buf *);
int	queue_spool_commit(struct queue_spool *, struct queue_msg *,
	    const struct queue_env *, struct buf *);
void	queue_spool_abort(struct queue_spool *, struct queue_msg *);
int	queue_spool_scan(struct queue_spool *, queue_spool_scan_fn, void *,
	    struct queue_scan_stats *);
int	queue_spool_load(struct queue_spool *, uint64_t, enum queue_state,
	    struct queue_env *, struct buf *);
int	queue_spool_update(struct queue_spool *, const struct queue_env *,
	    enum queue_state, enum queue_state, struct buf *);
int	queue_spool_remove(struct queue_spool *, uint64_t, enum queue_state,
	    struct buf *);
int	queue_spool_open_content(struct queue_spool *, uint64_t,
	    struct buf *);
int	queue_spool_space(struct queue_spool *, uint64_t, uint64_t,
	    struct buf *);
const char *queue_state_str(enum queue_state);

#endif
