/*
 * NAME
 *	queue_id - the persistent, increasing message id (MID) counter
 * SYNOPSIS
 *	#include "queue_id.h"
 *
 *	struct queue_id *queue_id_open(int dirfd, uint64_t floor,
 *		    struct buf *err);
 *	int	queue_id_next(struct queue_id *qid, uint64_t *mid,
 *		    struct buf *err);
 *	struct queue_id *queue_id_close(struct queue_id *qid);
 * DESCRIPTION
 *	MIDs are decimal integers that increase by one per message, as
 *	AsyncOS numbers them. The counter lives in the file "mid" in the
 *	directory dirfd (the spool root). To avoid a file write per
 *	message, the file holds a high-water mark: every MID handed out
 *	is below it, and it is raised by QUEUE_ID_BLOCK (write to a
 *	temporary name, fsync, rename, fsync the directory) before the
 *	first MID at or above it is handed out. After a restart, counting
 *	resumes at the mark, so a MID never repeats while the counter file
 *	lives. floor is one more than the largest MID found in the spool;
 *	counting never starts below it, so a lost or damaged counter file
 *	still cannot make a MID collide with a message that exists.
 *
 *	queue_id_open() reads the counter (a missing file starts at
 *	floor, or 1; a damaged one is reported with msg_warn() and
 *	replaced). It returns NULL with the reason in err when the file
 *	cannot be read. queue_id_next() stores the next MID in *mid and
 *	returns 0, or returns -1 with the reason in err when the mark
 *	could not be raised durably (no MID is consumed then).
 *	queue_id_close() releases the counter and returns NULL.
 */
#ifndef QUEUE_ID_H
#define QUEUE_ID_H

#include <stdint.h>

#include "buf.h"

#define QUEUE_ID_FILE	"mid"
#define QUEUE_ID_BLOCK	1000

struct queue_id;

struct queue_id *queue_id_open(int, uint64_t, struct buf *);
int	queue_id_next(struct queue_id *, uint64_t *, struct buf *);
struct queue_id *queue_id_close(struct queue_id *);

#endif
