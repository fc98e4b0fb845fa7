/*
 * NAME
 *	mem - memory allocation that never returns NULL
 * DESCRIPTION
 *	See mem.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "msg.h"

/* mem_mul - count * size, or panic on overflow */

static size_t
mem_mul(size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		msg_panic("mem: size overflow: %zu * %zu", count, size);
	return (count * size);
}

/* mem_alloc - allocate or die */

void   *
mem_alloc(size_t size)
{
	void   *p = malloc(size ? size : 1);

	if (p == NULL)
		msg_fatal("mem: out of memory allocating %zu bytes", size);
	return (p);
}

/* mem_zalloc - allocate zeroed memory for count objects, or die */

void   *
mem_zalloc(size_t count, size_t size)
{
	void   *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		msg_fatal("mem: out of memory allocating %zu bytes",
		    mem_mul(count, size));
	return (p);
}

/* mem_realloc - resize to count objects of size bytes, or die */

void   *
mem_realloc(void *ptr, size_t count, size_t size)
{
	size_t	total = mem_mul(count, size);
	void   *p = realloc(ptr, total ? total : 1);

	if (p == NULL)
		msg_fatal("mem: out of memory allocating %zu bytes", total);
	return (p);
}

/* mem_dup - copy len bytes and terminate them */

void   *
mem_dup(const void *ptr, size_t len)
{
	char   *p;

	if (len == SIZE_MAX)
		msg_panic("mem_dup: size overflow");
	p = mem_alloc(len + 1);
	if (len)
		memcpy(p, ptr, len);
	p[len] = 0;
	return (p);
}

/* mem_strdup - copy a C string */

char   *
mem_strdup(const char *str)
{
	return (mem_dup(str, strlen(str)));
}

/* mem_strndup - copy at most len bytes of a C string */

char   *
mem_strndup(const char *str, size_t len)
{
	return (mem_dup(str, strnlen(str, len)));
}

/* mem_free - free and return NULL */

void   *
mem_free(void *ptr)
{
	free(ptr);
	return (NULL);
}
