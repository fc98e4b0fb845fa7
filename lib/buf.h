/*
 * NAME
 *	buf - length-counted, growing byte strings
 * SYNOPSIS
 *	#include "buf.h"
 *
 *	struct buf {
 *		char	*data;		NUL-terminated at data[len]; NULL
 *					only after buf_steal()
 *		size_t	len;		bytes in use, NULs allowed
 *		size_t	size;		bytes allocated
 *	};
 *
 *	struct buf *buf_new(size_t hint);
 *	struct buf *buf_free(struct buf *bp);
 *	void	buf_init(struct buf *bp, size_t hint);
 *	void	buf_fini(struct buf *bp);
 *	void	buf_reset(struct buf *bp);
 *	void	buf_reserve(struct buf *bp, size_t more);
 *	void	buf_append(struct buf *bp, const void *data, size_t len);
 *	void	buf_puts(struct buf *bp, const char *str);
 *	void	buf_putc(struct buf *bp, int ch);
 *	void	buf_printf(struct buf *bp, const char *fmt, ...);
 *	void	buf_vprintf(struct buf *bp, const char *fmt, va_list ap);
 *	void	buf_truncate(struct buf *bp, size_t len);
 *	void	buf_consume(struct buf *bp, size_t len);
 *	char	*buf_steal(struct buf *bp);
 *	const char *buf_cstr(const struct buf *bp);
 * DESCRIPTION
 *	A buf holds bytes and their count. Appends grow the storage as
 *	needed (never fail: see mem(3)), and the data is always followed by
 *	a NUL so it may also be used as a C string when it holds none.
 *
 *	buf_new() allocates a buf, buf_free() releases it and returns NULL.
 *	buf_init() and buf_fini() do the same for a buf embedded in another
 *	structure. buf_printf() and buf_vprintf() append formatted text.
 *	buf_truncate() shortens to len bytes (a no-op when already shorter);
 *	buf_consume() removes len bytes from the front. buf_steal() returns
 *	the storage to the caller (who frees it with mem_free) and leaves the
 *	buf empty and holding no storage, so "buf_init(); ...; return
 *	buf_steal()" owes nothing; the buf may still be written to (storage
 *	is allocated again on demand; until then data is NULL) or released
 *	with buf_fini() or buf_free().
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "msg.h"

struct buf {
	char   *data;
	size_t	len;
	size_t	size;
};

struct buf *buf_new(size_t);
struct buf *buf_free(struct buf *);
void	buf_init(struct buf *, size_t);
void	buf_fini(struct buf *);
void	buf_reset(struct buf *);
void	buf_reserve(struct buf *, size_t);
void	buf_append(struct buf *, const void *, size_t);
void	buf_puts(struct buf *, const char *);
void	buf_putc(struct buf *, int);
void	buf_printf(struct buf *, const char *, ...) MSG_PRINTFLIKE(2, 3);
void	buf_vprintf(struct buf *, const char *, va_list);
void	buf_truncate(struct buf *, size_t);
void	buf_consume(struct buf *, size_t);
char   *buf_steal(struct buf *);

#define buf_cstr(bp)	((const char *) (bp)->data)

#endif
