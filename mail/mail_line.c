/*
 * NAME
 *	mail_line - SMTP command line framing and verbs
 * DESCRIPTION
 *	See mail_line.h.
 */
#include "config.h"

#include <string.h>

#include "msg.h"
#include "str.h"
#include "mail_line.h"

static const char *const mail_line_verbs[MAIL_VERB_MAX] = {
	[MAIL_VERB_UNKNOWN] = "",
	[MAIL_VERB_HELO] = "HELO",
	[MAIL_VERB_EHLO] = "EHLO",
	[MAIL_VERB_MAIL] = "MAIL",
	[MAIL_VERB_RCPT] = "RCPT",
	[MAIL_VERB_DATA] = "DATA",
	[MAIL_VERB_BDAT] = "BDAT",
	[MAIL_VERB_RSET] = "RSET",
	[MAIL_VERB_NOOP] = "NOOP",
	[MAIL_VERB_QUIT] = "QUIT",
	[MAIL_VERB_VRFY] = "VRFY",
	[MAIL_VERB_EXPN] = "EXPN",
	[MAIL_VERB_HELP] = "HELP",
	[MAIL_VERB_STARTTLS] = "STARTTLS",
	[MAIL_VERB_AUTH] = "AUTH",
	[MAIL_VERB_ETRN] = "ETRN",
};

/* mail_line_init - framing state with a line limit */

void
mail_line_init(struct mail_line *lp, size_t max)
{
	lp->max = max < MAIL_LINE_MIN ? MAIL_LINE_MIN : max;
	lp->discarding = 0;
}

/* mail_line_get - frame one command line */

int
mail_line_get(struct mail_line *lp, const char *data, size_t len,
    size_t *used, struct str *line)
{
	const char *lf;
	size_t	n, end;

	/*
	 * Look no further than max octets: a line that is longer is an error
	 * whatever follows, and the caller need not keep more than that.
	 */
	n = len;
	if (!lp->discarding && n > lp->max)
		n = lp->max;
	lf = n ? memchr(data, '\n', n) : NULL;

	if (lp->discarding) {
		if (lf == NULL) {
			*used = len;
			return (MAIL_LINE_MORE);
		}
		lp->discarding = 0;
		*used = (size_t) (lf - data) + 1;
		return (MAIL_LINE_MORE);
	}
	if (lf == NULL) {
		if (len < lp->max) {
			*used = 0;
			return (MAIL_LINE_MORE);
		}
		/* max octets and no LF: too long; drop through its LF. */
		lp->discarding = 1;
		*used = lp->max;
		return (MAIL_LINE_TOO_LONG);
	}
	end = (size_t) (lf - data);
	*used = end + 1;
	if (end > 0 && data[end - 1] == '\r')
		end--;
	*line = str_make(data, end);
	if (end && memchr(data, 0, end) != NULL)
		return (MAIL_LINE_NUL);
	return (MAIL_LINE_OK);
}

/* mail_line_verb - split off the verb and look it up */

enum mail_verb
mail_line_verb(struct str line, struct str *arg)
{
	struct str verb;
	size_t	sp;
	int	v;

	if (str_chr(line, ' ', &sp)) {
		verb = str_make(line.ptr, sp);
		*arg = str_make(line.ptr + sp + 1, line.len - sp - 1);
		while (arg->len && arg->ptr[arg->len - 1] == ' ')
			arg->len--;
	} else {
		verb = line;
		*arg = str_make(line.ptr + line.len, 0);
	}
	for (v = MAIL_VERB_UNKNOWN + 1; v < MAIL_VERB_MAX; v++)
		if (str_caseeq(verb, str_from(mail_line_verbs[v])))
			return ((enum mail_verb) v);
	return (MAIL_VERB_UNKNOWN);
}

/* mail_line_verb_name - upper-case name for logs */

const char *
mail_line_verb_name(enum mail_verb verb)
{
	if ((int) verb < 0 || verb >= MAIL_VERB_MAX)
		msg_panic("mail_line_verb_name: bad verb %d", (int) verb);
	return (verb == MAIL_VERB_UNKNOWN ? "UNKNOWN" : mail_line_verbs[verb]);
}

/* mail_line_has_ctl - does s hold a control character other than tab */

int
mail_line_has_ctl(struct str s)
{
	size_t	i;

	for (i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char) s.ptr[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return (1);
	}
	return (0);
}
