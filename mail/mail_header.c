/*
 * NAME
 *	mail_header - RFC 5322 dates and folded header fields
 * DESCRIPTION
 *	See mail_header.h. Day and month names are fixed English (RFC 5322
 *	section 3.3), never the locale's.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "buf.h"
#include "msg.h"
#include "mail_header.h"

static const char *const mail_header_days[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const char *const mail_header_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* mail_header_date_tm - format a broken-down time with a UTC offset */

void
mail_header_date_tm(const struct tm *tm, long gmtoff, struct buf *out)
{
	long	off = gmtoff < 0 ? -gmtoff : gmtoff;
	long	minutes = (off + 30) / 60;

	if (tm->tm_wday < 0 || tm->tm_wday > 6 || tm->tm_mon < 0
	    || tm->tm_mon > 11)
		msg_panic("mail_header_date_tm: bad broken-down time");
	buf_printf(out, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    mail_header_days[tm->tm_wday], tm->tm_mday,
	    mail_header_months[tm->tm_mon], tm->tm_year + 1900,
	    tm->tm_hour, tm->tm_min, tm->tm_sec > 59 ? 59 : tm->tm_sec,
	    gmtoff < 0 ? '-' : '+', (minutes / 60) % 100, minutes % 60);
}

/* mail_header_date - format a time in the local zone */

void
mail_header_date(time_t when, struct buf *out)
{
	struct tm tm;

	if (localtime_r(&when, &tm) == NULL)
		msg_panic("mail_header_date: cannot convert time %lld",
		    (long long) when);
	mail_header_date_tm(&tm, (long) tm.tm_gmtoff, out);
}

/* mail_header_fold_init - start a field "Name:" */

void
mail_header_fold_init(struct mail_header_fold *fp, struct buf *out,
    const char *name)
{
	fp->out = out;
	buf_puts(out, name);
	buf_putc(out, ':');
	fp->col = strlen(name) + 1;
	fp->words = 0;
}

/* mail_header_fold_word - add a word, folding before it when needed */

void
mail_header_fold_word(struct mail_header_fold *fp, const char *word)
{
	size_t	len = strlen(word);

	if (fp->words > 0 && fp->col + 1 + len > MAIL_HEADER_FOLD_AT) {
		buf_puts(fp->out, "\r\n\t");
		fp->col = 1;
		fp->words = 0;
	} else {
		buf_putc(fp->out, ' ');
		fp->col++;
	}
	buf_puts(fp->out, word);
	fp->col += len;
	fp->words++;
}

/* mail_header_fold_end - end the field */

void
mail_header_fold_end(struct mail_header_fold *fp)
{
	buf_puts(fp->out, "\r\n");
}
