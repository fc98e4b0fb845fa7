/*
 * NAME
 *	logs_repr - Python repr() of strings, lists, tuples for the mail log
 * DESCRIPTION
 *	See logs_repr.h. The set of characters that Python 3 does not
 *	print is a table generated from Python itself
 *	(logs_repr_table.py); UTF-8 is decoded strictly, as Python's
 *	decoder does, and each byte of a malformed sequence is escaped
 *	on its own.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "str.h"
#include "logs_repr.h"

#include "logs_repr_table.h"

#define LOGS_REPR_NRANGES \
	(sizeof(logs_repr_unprintable) / sizeof(logs_repr_unprintable[0]))

/* logs_repr_printable - does Python print this non-ASCII code point */

static int
logs_repr_printable(uint32_t cp)
{
	size_t	lo = 0;
	size_t	hi = LOGS_REPR_NRANGES;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;

		if (cp < logs_repr_unprintable[mid][0])
			hi = mid;
		else if (cp > logs_repr_unprintable[mid][1])
			lo = mid + 1;
		else
			return (0);
	}
	return (1);
}

/* logs_repr_utf8 - decode one well-formed UTF-8 sequence, or return 0 */

static size_t
logs_repr_utf8(const unsigned char *p, size_t len, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t	need, i;
	uint32_t val;

	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		need = 1;
		val = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		need = 2;
		val = p[0] & 0x0F;
		if (p[0] == 0xE0)
			lo = 0xA0;		/* overlong */
		else if (p[0] == 0xED)
			hi = 0x9F;		/* surrogates */
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		need = 3;
		val = p[0] & 0x07;
		if (p[0] == 0xF0)
			lo = 0x90;		/* overlong */
		else if (p[0] == 0xF4)
			hi = 0x8F;		/* above U+10FFFF */
	} else {
		return (0);
	}
	if (len < need + 1)
		return (0);
	for (i = 1; i <= need; i++) {
		unsigned char lim_lo = i == 1 ? lo : 0x80;
		unsigned char lim_hi = i == 1 ? hi : 0xBF;

		if (p[i] < lim_lo || p[i] > lim_hi)
			return (0);
		val = (val << 6) | (p[i] & 0x3F);
	}
	*cp = val;
	return (need + 1);
}

/* logs_repr_str - append the Python 3 repr() of a UTF-8 string */

void
logs_repr_str(struct buf *bp, struct str s)
{
	const unsigned char *p = (const unsigned char *) s.ptr;
	int	squote = 0, dquote = 0;
	char	quote;
	size_t	i, n;
	uint32_t cp;

	for (i = 0; i < s.len; i++) {
		if (p[i] == '\'')
			squote = 1;
		else if (p[i] == '"')
			dquote = 1;
	}
	quote = squote && !dquote ? '"' : '\'';

	buf_reserve(bp, s.len + 2);
	buf_putc(bp, quote);
	for (i = 0; i < s.len; i += n) {
		unsigned char ch = p[i];

		n = 1;
		if (ch == quote || ch == '\\') {
			buf_putc(bp, '\\');
			buf_putc(bp, ch);
		} else if (ch == '\t') {
			buf_append(bp, "\\t", 2);
		} else if (ch == '\n') {
			buf_append(bp, "\\n", 2);
		} else if (ch == '\r') {
			buf_append(bp, "\\r", 2);
		} else if (ch < ' ' || ch == 0x7F) {
			buf_printf(bp, "\\x%02x", ch);
		} else if (ch < 0x80) {
			buf_putc(bp, ch);
		} else if ((n = logs_repr_utf8(p + i, s.len - i, &cp)) == 0) {
			n = 1;
			buf_printf(bp, "\\x%02x", ch);
		} else if (logs_repr_printable(cp)) {
			buf_append(bp, p + i, n);
		} else if (cp <= 0xFF) {
			buf_printf(bp, "\\x%02x", (unsigned) cp);
		} else if (cp <= 0xFFFF) {
			buf_printf(bp, "\\u%04x", (unsigned) cp);
		} else {
			buf_printf(bp, "\\U%08x", (unsigned) cp);
		}
	}
	buf_putc(bp, quote);
}

/* logs_repr_cstr - append the repr() of a C string */

void
logs_repr_cstr(struct buf *bp, const char *s)
{
	if (s == NULL)
		msg_panic("logs_repr_cstr: null string");
	logs_repr_str(bp, str_from(s));
}

/* logs_repr_strlist - append the repr() of a list of str */

void
logs_repr_strlist(struct buf *bp, const struct str *items, size_t count)
{
	size_t	i;

	buf_putc(bp, '[');
	for (i = 0; i < count; i++) {
		if (i > 0)
			buf_append(bp, ", ", 2);
		logs_repr_str(bp, items[i]);
	}
	buf_putc(bp, ']');
}

/* logs_repr_rids - append the repr() of a list of recipient ids */

void
logs_repr_rids(struct buf *bp, const unsigned *rids, size_t count)
{
	size_t	i;

	buf_putc(bp, '[');
	for (i = 0; i < count; i++)
		buf_printf(bp, i > 0 ? ", %u" : "%u", rids[i]);
	buf_putc(bp, ']');
}

/* logs_repr_reply - append the (code, [lines]) tuple of an SMTP reply */

void
logs_repr_reply(struct buf *bp, const char *code, const struct str *lines,
    size_t count)
{
	buf_putc(bp, '(');
	logs_repr_cstr(bp, code);
	buf_append(bp, ", ", 2);
	logs_repr_strlist(bp, lines, count);
	buf_putc(bp, ')');
}

/* logs_repr_ssl_error - append an OpenSSL 1.x error tuple */

void
logs_repr_ssl_error(struct buf *bp, unsigned long packed, const char *func,
    const char *reason)
{
	struct buf text;

	if (func == NULL || reason == NULL)
		msg_panic("logs_repr_ssl_error: null function or reason");
	buf_init(&text, 80);
	buf_printf(&text, "error:%08lX:SSL routines:%s:%s",
	    packed & 0xFFFFFFFFUL, func, reason);
	buf_printf(bp, "(%lu, ", packed & 0xFFFFFFFFUL);
	logs_repr_str(bp, str_make(text.data, text.len));
	buf_putc(bp, ')');
	buf_fini(&text);
}
