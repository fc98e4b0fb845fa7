/*
 * NAME
 *	str - length-counted string views
 * DESCRIPTION
 *	See str.h.
 */
#include "config.h"

#include <string.h>

#include "mem.h"
#include "str.h"

/* str_lower - fold one ASCII letter, as SMTP compares */

static int
str_lower(int ch)
{
	return (ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
}

/* str_from - view a C string */

struct str
str_from(const char *cstr)
{
	return (str_make(cstr, strlen(cstr)));
}

/* str_make - view len bytes at ptr */

struct str
str_make(const char *ptr, size_t len)
{
	struct str s = {ptr, len};

	return (s);
}

/* str_eq - byte equality */

int
str_eq(struct str a, struct str b)
{
	return (a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0));
}

/* str_caseeq - ASCII case-insensitive equality */

int
str_caseeq(struct str a, struct str b)
{
	size_t	i;

	if (a.len != b.len)
		return (0);
	for (i = 0; i < a.len; i++)
		if (str_lower((unsigned char) a.ptr[i])
		    != str_lower((unsigned char) b.ptr[i]))
			return (0);
	return (1);
}

/* str_caseprefix - does s start with prefix, ignoring case */

int
str_caseprefix(struct str s, struct str prefix)
{
	return (s.len >= prefix.len
	    && str_caseeq(str_make(s.ptr, prefix.len), prefix));
}

/* str_casesuffix - does s end with suffix, ignoring case */

int
str_casesuffix(struct str s, struct str suffix)
{
	return (s.len >= suffix.len
	    && str_caseeq(str_make(s.ptr + s.len - suffix.len, suffix.len),
	    suffix));
}

/* str_trim - drop spaces and tabs at both ends */

struct str
str_trim(struct str s)
{
	while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
		s.ptr++;
		s.len--;
	}
	while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
		s.len--;
	return (s);
}

/* str_chr - offset of the first ch */

int
str_chr(struct str s, int ch, size_t *pos)
{
	const char *p = s.len ? memchr(s.ptr, ch, s.len) : NULL;

	if (p == NULL)
		return (0);
	*pos = (size_t) (p - s.ptr);
	return (1);
}

/* str_rchr - offset of the last ch */

int
str_rchr(struct str s, int ch, size_t *pos)
{
	size_t	i;

	for (i = s.len; i > 0; i--) {
		if (s.ptr[i - 1] == ch) {
			*pos = i - 1;
			return (1);
		}
	}
	return (0);
}

/* str_to_ulong - strict decimal conversion with an upper bound */

int
str_to_ulong(struct str s, unsigned long max, unsigned long *out)
{
	unsigned long val = 0;
	size_t	i;

	if (s.len == 0)
		return (0);
	for (i = 0; i < s.len; i++) {
		unsigned d;

		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return (0);
		d = (unsigned) (s.ptr[i] - '0');
		if (val > (max - d) / 10)
			return (0);
		val = val * 10 + d;
	}
	*out = val;
	return (1);
}

/* str_dup - NUL-terminated copy */

char   *
str_dup(struct str s)
{
	return (mem_dup(s.ptr, s.len));
}
