/*
 * NAME
 *	queue_id - the persistent, increasing message id (MID) counter
 * DESCRIPTION
 *	See queue_id.h. The counter file holds one line, the high-water
 *	mark in decimal: "4000\n". It is replaced with queue_file_replace()
 *	(temporary name QUEUE_ID_FILE ".tmp" in the same directory), so a
 *	crash leaves either the old mark or the new one. Either is safe:
 *	no MID at or above the old mark was handed out before the new mark
 *	was durable.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "queue_file.h"
#include "queue_id.h"

#define QUEUE_ID_TMP	QUEUE_ID_FILE ".tmp"
#define QUEUE_ID_MAXLEN	32

struct queue_id {
	int	dirfd;			/* the spool root */
	struct queue_dsync *sync;	/* its fsync */
	uint64_t next;			/* next MID to hand out */
	uint64_t mark;			/* durable; every MID handed out < it */
};

/* queue_id_parse - strict "digits\n", no leading zero, no overflow */

static int
queue_id_parse(const struct buf *bp, uint64_t *out)
{
	uint64_t v = 0;
	size_t	i;

	if (bp->len < 2 || bp->data[bp->len - 1] != '\n'
	    || (bp->data[0] == '0' && bp->len > 2))
		return (-1);
	for (i = 0; i < bp->len - 1; i++) {
		if (bp->data[i] < '0' || bp->data[i] > '9')
			return (-1);
		if (v > (UINT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (uint64_t) (bp->data[i] - '0');
	}
	*out = v;
	return (0);
}

/* queue_id_open - read the counter and resume above it and floor */

struct queue_id *
queue_id_open(int dirfd, uint64_t floor, struct buf *err)
{
	struct queue_id *qid;
	struct buf content;
	struct buf why;
	uint64_t mark = 0;
	int	r;

	buf_init(&content, QUEUE_ID_MAXLEN);
	buf_init(&why, 0);
	r = queue_file_read(dirfd, ".", QUEUE_ID_FILE, QUEUE_ID_MAXLEN,
	    &content, &why);
	if (r == -1 && errno != ENOENT) {
		buf_printf(err, "MID counter: %s", buf_cstr(&why));
		buf_fini(&content);
		buf_fini(&why);
		return (NULL);
	}
	if (r == QUEUE_FILE_BAD)
		msg_warn("queue: MID counter file %s: %s; continuing at "
		    "MID %llu, above the largest in the spool", QUEUE_ID_FILE,
		    buf_cstr(&why), (unsigned long long) floor);
	else if (r == 0 && queue_id_parse(&content, &mark) < 0)
		msg_warn("queue: MID counter file %s: not a number; "
		    "continuing at MID %llu, above the largest in the spool",
		    QUEUE_ID_FILE, (unsigned long long) floor);
	buf_fini(&content);
	buf_fini(&why);

	qid = mem_zalloc(1, sizeof(*qid));
	qid->dirfd = dirfd;
	qid->sync = queue_dsync_new(dirfd);
	qid->next = mark > floor ? mark : floor;
	if (qid->next == 0)
		qid->next = 1;

	/*
	 * The mark on disk may be below next (lost file, floor above it):
	 * the first allocation raises it. Until then treat it as used up.
	 */
	qid->mark = qid->next;
	return (qid);
}

/* queue_id_next - hand out the next MID, raising the mark first */

int
queue_id_next(struct queue_id *qid, uint64_t *mid, struct buf *err)
{
	char	line[QUEUE_ID_MAXLEN];
	uint64_t mark;
	int	n;

	if (qid->next >= UINT64_MAX - QUEUE_ID_BLOCK)
		msg_fatal("queue: MID space exhausted at %llu",
		    (unsigned long long) qid->next);
	if (qid->next >= qid->mark) {
		mark = qid->next + QUEUE_ID_BLOCK;
		n = snprintf(line, sizeof(line), "%llu\n",
		    (unsigned long long) mark);
		if (n < 0 || (size_t) n >= sizeof(line))
			msg_panic("queue_id_next: format");
		if (queue_file_replace(NULL, qid->dirfd, ".", QUEUE_ID_TMP,
		    qid->sync, ".", QUEUE_ID_FILE, line, (size_t) n,
		    err) == -1)
			return (-1);
		qid->mark = mark;
	}
	*mid = qid->next++;
	return (0);
}

/* queue_id_close - release the counter */

struct queue_id *
queue_id_close(struct queue_id *qid)
{
	queue_dsync_free(qid->sync);
	mem_free(qid);
	return (NULL);
}
