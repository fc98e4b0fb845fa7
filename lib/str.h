/*
 * NAME
 *	str - length-counted string views
 * SYNOPSIS
 *	#include "str.h"
 *
 *	struct str {
 *		const char *ptr;
 *		size_t	len;
 *	};
 *
 *	STR_LIT("text")
 *	struct str str_from(const char *cstr);
 *	struct str str_make(const char *ptr, size_t len);
 *	int	str_eq(struct str a, struct str b);
 *	int	str_caseeq(struct str a, struct str b);
 *	int	str_caseprefix(struct str s, struct str prefix);
 *	int	str_casesuffix(struct str s, struct str suffix);
 *	struct str str_trim(struct str s);
 *	int	str_chr(struct str s, int ch, size_t *pos);
 *	int	str_rchr(struct str s, int ch, size_t *pos);
 *	int	str_to_ulong(struct str s, unsigned long max, unsigned long *out);
 *	char	*str_dup(struct str s);
 * DESCRIPTION
 *	A str names bytes that someone else owns: a slice of an input line,
 *	a literal. Nothing here assumes a NUL terminator, so a view may
 *	point into the middle of a network buffer.
 *
 *	The comparisons return 1 for yes and 0 for no; the "case" forms
 *	fold ASCII letters only (as SMTP does). str_trim() drops ASCII
 *	spaces and tabs at both ends. str_chr() and str_rchr() find the
 *	first or last ch and store its offset; they return 0 when absent.
 *	str_to_ulong() accepts only decimal digits (no sign, no spaces, at
 *	least one digit) whose value is at most max; it returns 0 otherwise.
 *	str_dup() returns a NUL-terminated copy that the caller frees with
 *	mem_free().
 */
#ifndef STR_H
#define STR_H

#include <stddef.h>

struct str {
	const char *ptr;
	size_t	len;
};

#define STR_LIT(s)	((struct str) { (s), sizeof(s) - 1 })

struct str str_from(const char *);
struct str str_make(const char *, size_t);
int	str_eq(struct str, struct str);
int	str_caseeq(struct str, struct str);
int	str_caseprefix(struct str, struct str);
int	str_casesuffix(struct str, struct str);
struct str str_trim(struct str);
int	str_chr(struct str, int, size_t *);
int	str_rchr(struct str, int, size_t *);
int	str_to_ulong(struct str, unsigned long, unsigned long *);
char   *str_dup(struct str);

#endif
