/*
 * NAME
 *	mem - memory allocation that never returns NULL
 * SYNOPSIS
 *	#include "mem.h"
 *
 *	void	*mem_alloc(size_t size);
 *	void	*mem_zalloc(size_t count, size_t size);
 *	void	*mem_realloc(void *ptr, size_t count, size_t size);
 *	void	*mem_dup(const void *ptr, size_t len);
 *	char	*mem_strdup(const char *str);
 *	char	*mem_strndup(const char *str, size_t len);
 *	void	*mem_free(void *ptr);
 * DESCRIPTION
 *	Each allocator either succeeds or ends the process with msg_fatal():
 *	callers never test for NULL. Sizes given as count * size are checked
 *	for overflow, which is a panic (a caller computed a nonsense size).
 *
 *	mem_zalloc() returns zeroed memory. mem_strndup() copies at most len
 *	bytes and always terminates. mem_dup() copies len bytes and adds a
 *	NUL after them, so a copied length-counted string is also a C string.
 *
 *	mem_free() frees and returns NULL, for "p = mem_free(p);".
 */
#ifndef MEM_H
#define MEM_H

#include <stddef.h>

void   *mem_alloc(size_t);
void   *mem_zalloc(size_t, size_t);
void   *mem_realloc(void *, size_t, size_t);
void   *mem_dup(const void *, size_t);
char   *mem_strdup(const char *);
char   *mem_strndup(const char *, size_t);
void   *mem_free(void *);

#endif
