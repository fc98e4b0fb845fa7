/*
 * NAME
 *	policy - shared helpers of the policy engine
 * DESCRIPTION
 *	See policy.h.
 */
#include "config.h"

#include <stdarg.h>

#include "buf.h"
#include "policy.h"

/* policy_error - append one located diagnostic line */

void
policy_error(struct buf *err, const struct policy_loc *loc, int offset,
    const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return;
	if (err->len > 0 && err->data[err->len - 1] != '\n')
		buf_putc(err, '\n');
	if (loc != NULL && loc->file != NULL) {
		if (loc->column > 0)
			buf_printf(err, "%s:%d:%d: ", loc->file, loc->line,
			    loc->column + offset);
		else
			buf_printf(err, "%s:%d: ", loc->file, loc->line);
	}
	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
}
