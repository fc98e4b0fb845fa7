/*
 * NAME
 *	mail_header - RFC 5322 dates and folded header fields
 * SYNOPSIS
 *	#include "mail_header.h"
 *
 *	void	mail_header_date(time_t when, struct buf *out);
 *	void	mail_header_date_tm(const struct tm *tm, long gmtoff,
 *		    struct buf *out);
 *	void	mail_header_fold_init(struct mail_header_fold *fp,
 *		    struct buf *out, const char *name);
 *	void	mail_header_fold_word(struct mail_header_fold *fp,
 *		    const char *word);
 *	void	mail_header_fold_end(struct mail_header_fold *fp);
 * DESCRIPTION
 *	mail_header_date() appends the RFC 5322 date-time of when in local
 *	time: "Mon, 23 Nov 2026 11:30:03 +0100" (day of month without a
 *	leading zero, four-digit year, numeric zone). mail_header_date_tm()
 *	formats a broken-down time with the given offset from UTC in
 *	seconds, rounded to minutes; it is what the tests call.
 *
 *	The fold functions build one header field "Name: w1 w2 ..." where
 *	each word is an unbreakable unit (it may hold spaces). A word that
 *	would carry the line past MAIL_HEADER_FOLD_AT (78) columns starts a
 *	continuation line "\r\n\t" instead of the space, unless it is the
 *	first word on its line (a word longer than the line stays whole).
 *	mail_header_fold_end() appends the final CR LF. The caller makes
 *	sure words hold no CR or LF.
 */
#ifndef MAIL_HEADER_H
#define MAIL_HEADER_H

#include <time.h>

#include "buf.h"

#define MAIL_HEADER_FOLD_AT	78

struct mail_header_fold {
	struct buf *out;
	size_t	col;			/* columns on the current line */
	int	words;			/* words on the current line */
};

void	mail_header_date(time_t, struct buf *);
void	mail_header_date_tm(const struct tm *, long, struct buf *);
void	mail_header_fold_init(struct mail_header_fold *, struct buf *,
	    const char *);
void	mail_header_fold_word(struct mail_header_fold *, const char *);
void	mail_header_fold_end(struct mail_header_fold *);

#endif
