/*
 * NAME
 *	logs_repr - Python repr() of strings, lists, tuples for the mail log
 * SYNOPSIS
 *	#include "logs_repr.h"
 *
 *	void	logs_repr_str(struct buf *bp, struct str s);
 *	void	logs_repr_cstr(struct buf *bp, const char *s);
 *	void	logs_repr_strlist(struct buf *bp, const struct str *items,
 *		    size_t count);
 *	void	logs_repr_rids(struct buf *bp, const unsigned *rids,
 *		    size_t count);
 *	void	logs_repr_reply(struct buf *bp, const char *code,
 *		    const struct str *lines, size_t count);
 *	void	logs_repr_ssl_error(struct buf *bp, unsigned long packed,
 *		    const char *func, const char *reason);
 * DESCRIPTION
 *	AsyncOS is written in Python and many mail log fields are the
 *	repr() of a Python value. These functions append the same bytes
 *	to bp. They never reset bp.
 *
 *	logs_repr_str() appends repr(s) for a Python 3 str decoded from
 *	the UTF-8 bytes of s:
 *	.IP \(bu
 *	the quote is ' unless s contains ' and no ", then ";
 *	with both kinds present the quote is ' and each ' is written \'.
 *	.IP \(bu
 *	backslash is \\, TAB \t, LF \n, CR \r; any other character
 *	below U+0020, U+007F and every character that Python does not
 *	call printable (categories Cc, Cf, Cs, Co, Cn, Zl, Zp, and Zs
 *	except the space) is \xNN below U+0100, \uNNNN below U+10000,
 *	else \UNNNNNNNN, in lower-case hex.
 *	.IP \(bu
 *	printable non-ASCII characters pass through as their UTF-8
 *	bytes, as Python 3 prints them.
 *	.IP \(bu
 *	a byte that is not part of a well-formed UTF-8 sequence (stray
 *	continuation, overlong form, surrogate, above U+10FFFF,
 *	truncated) is written \xNN, as Python 2 writes a byte string,
 *	so no input byte reaches the log unescaped.
 *	.PP
 *	logs_repr_cstr() is logs_repr_str() of a C string.
 *
 *	logs_repr_strlist() appends a list of str: ['a', 'b'] ([] when
 *	empty). logs_repr_rids() appends a list of recipient ids: [0, 1].
 *	logs_repr_reply() appends the (code, [lines]) tuple of an SMTP
 *	reply: ('550', ['<a@b>... Relaying denied']).
 *
 *	logs_repr_ssl_error() appends the OpenSSL 1.x error tuple
 *	(<decimal>, 'error:<HEX8>:SSL routines:<func>:<reason>') where
 *	HEX8 is packed in upper-case hex and decimal is the same value.
 *	The library name is always "SSL routines"; func and reason are
 *	used as given (choosing OpenSSL 1.0.1 or 1.1.1 names belongs to
 *	the caller).
 */
#ifndef LOGS_REPR_H
#define LOGS_REPR_H

#include <stddef.h>

#include "buf.h"
#include "str.h"

void	logs_repr_str(struct buf *, struct str);
void	logs_repr_cstr(struct buf *, const char *);
void	logs_repr_strlist(struct buf *, const struct str *, size_t);
void	logs_repr_rids(struct buf *, const unsigned *, size_t);
void	logs_repr_reply(struct buf *, const char *, const struct str *,
	    size_t);
void	logs_repr_ssl_error(struct buf *, unsigned long, const char *,
	    const char *);

#endif
