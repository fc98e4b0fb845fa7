/*
 * NAME
 *	buf - length-counted, growing byte strings
 * DESCRIPTION
 *	See buf.h. Storage grows by doubling, so n appends cost O(n).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#define BUF_MIN_SIZE	64

/* buf_init - make an embedded buf empty and ready */

void
buf_init(struct buf *bp, size_t hint)
{
	bp->size = hint < BUF_MIN_SIZE ? BUF_MIN_SIZE : hint + 1;
	bp->data = mem_alloc(bp->size);
	bp->data[0] = 0;
	bp->len = 0;
}

/* buf_fini - release an embedded buf's storage */

void
buf_fini(struct buf *bp)
{
	bp->data = mem_free(bp->data);
	bp->len = bp->size = 0;
}

/* buf_new - allocate an empty buf */

struct buf *
buf_new(size_t hint)
{
	struct buf *bp = mem_alloc(sizeof(*bp));

	buf_init(bp, hint);
	return (bp);
}

/* buf_free - release a buf from buf_new() */

struct buf *
buf_free(struct buf *bp)
{
	if (bp) {
		buf_fini(bp);
		mem_free(bp);
	}
	return (NULL);
}

/* buf_reset - empty the buf, keep its storage */

void
buf_reset(struct buf *bp)
{
	bp->len = 0;
	if (bp->data)
		bp->data[0] = 0;
}

/* buf_reserve - make room for more bytes plus the terminator */

void
buf_reserve(struct buf *bp, size_t more)
{
	size_t	need;

	if (more > SIZE_MAX - bp->len - 1)
		msg_panic("buf_reserve: size overflow");
	need = bp->len + more + 1;
	if (need <= bp->size)
		return;
	if (bp->size == 0)			/* after buf_steal() */
		bp->size = BUF_MIN_SIZE;
	while (bp->size < need)
		bp->size = bp->size > SIZE_MAX / 2 ? need : bp->size * 2;
	bp->data = mem_realloc(bp->data, bp->size, 1);
}

/* buf_append - append len bytes */

void
buf_append(struct buf *bp, const void *data, size_t len)
{
	if (len == 0)
		return;
	buf_reserve(bp, len);
	memcpy(bp->data + bp->len, data, len);
	bp->len += len;
	bp->data[bp->len] = 0;
}

/* buf_puts - append a C string */

void
buf_puts(struct buf *bp, const char *str)
{
	buf_append(bp, str, strlen(str));
}

/* buf_putc - append one byte */

void
buf_putc(struct buf *bp, int ch)
{
	buf_reserve(bp, 1);
	bp->data[bp->len++] = (char) ch;
	bp->data[bp->len] = 0;
}

/* buf_vprintf - append formatted text */

void
buf_vprintf(struct buf *bp, const char *fmt, va_list ap)
{
	va_list	aq;
	int	n;

	va_copy(aq, ap);
	n = vsnprintf(bp->data ? bp->data + bp->len : NULL, bp->size - bp->len,
	    fmt, aq);
	va_end(aq);
	if (n < 0)
		msg_panic("buf_vprintf: bad format \"%s\"", fmt);
	if ((size_t) n >= bp->size - bp->len) {
		buf_reserve(bp, (size_t) n);
		(void) vsnprintf(bp->data + bp->len, bp->size - bp->len,
		    fmt, ap);
	}
	bp->len += (size_t) n;
}

/* buf_printf - append formatted text */

void
buf_printf(struct buf *bp, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(bp, fmt, ap);
	va_end(ap);
}

/* buf_truncate - shorten to len bytes */

void
buf_truncate(struct buf *bp, size_t len)
{
	if (len < bp->len) {
		bp->len = len;
		bp->data[len] = 0;
	}
}

/* buf_consume - remove len bytes from the front */

void
buf_consume(struct buf *bp, size_t len)
{
	if (len >= bp->len) {
		buf_reset(bp);
		return;
	}
	memmove(bp->data, bp->data + len, bp->len - len);
	bp->len -= len;
	bp->data[bp->len] = 0;
}

/* buf_steal - hand the storage to the caller, leave the buf empty */

char   *
buf_steal(struct buf *bp)
{
	char   *data = bp->data ? bp->data : mem_strdup("");

	bp->data = NULL;			/* no storage until the next write */
	bp->len = bp->size = 0;
	return (data);
}
