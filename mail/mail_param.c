/*
 * NAME
 *	mail_param - ESMTP parameters of MAIL FROM and RCPT TO
 * DESCRIPTION
 *	See mail_param.h. Each parameter is cut from the argument, its
 *	keyword checked against the grammar and the advertised extensions,
 *	and its value checked completely before anything is stored.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "mail_reply.h"
#include "mail_param.h"

/* One parameter as found in the argument. */
struct mail_param_tok {
	struct str whole;		/* KEYWORD[=value] */
	struct str key;
	struct str val;
	int	has_val;
};

/* mail_param_is_alnum - ASCII letter or digit */

static int
mail_param_is_alnum(unsigned char ch)
{
	return ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
	    || (ch >= '0' && ch <= '9'));
}

/*
 * mail_param_next - cut the next parameter off *rest; 1 when one was
 * found, 0 at the end, -1 when the parameter breaks the grammar of RFC
 * 5321 section 4.1.2 (esmtp-keyword ["=" esmtp-value]).
 */

static int
mail_param_next(struct str *rest, struct mail_param_tok *tp)
{
	size_t	i = 0, n, eq;

	while (i < rest->len && rest->ptr[i] == ' ')
		i++;
	if (i == rest->len)
		return (0);
	for (n = i; n < rest->len && rest->ptr[n] != ' '; n++)
		 /* void */ ;
	tp->whole = str_make(rest->ptr + i, n - i);
	*rest = str_make(rest->ptr + n, rest->len - n);

	if (str_chr(tp->whole, '=', &eq)) {
		tp->key = str_make(tp->whole.ptr, eq);
		tp->val = str_make(tp->whole.ptr + eq + 1,
		    tp->whole.len - eq - 1);
		tp->has_val = 1;
	} else {
		tp->key = tp->whole;
		tp->val = str_make(tp->whole.ptr + tp->whole.len, 0);
		tp->has_val = 0;
	}
	if (tp->key.len == 0 || !mail_param_is_alnum((unsigned char)
	    tp->key.ptr[0]))
		return (-1);
	for (i = 1; i < tp->key.len; i++)
		if (!mail_param_is_alnum((unsigned char) tp->key.ptr[i])
		    && tp->key.ptr[i] != '-')
			return (-1);
	if (tp->has_val) {
		if (tp->val.len == 0)
			return (-1);
		for (i = 0; i < tp->val.len; i++) {
			unsigned char ch = (unsigned char) tp->val.ptr[i];

			if (ch < 33 || ch > 126 || ch == '=')
				return (-1);
		}
	}
	return (1);
}

/* mail_param_hex - value of an upper-case hex digit, or -1 */

static int
mail_param_hex(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	if (ch >= 'A' && ch <= 'F')
		return (ch - 'A' + 10);
	return (-1);
}

/* mail_xtext_decode - RFC 3461 xtext to bytes; printable ASCII only */

int
mail_xtext_decode(struct str in, struct buf *out)
{
	size_t	i, start = out->len;

	for (i = 0; i < in.len; i++) {
		unsigned char ch = (unsigned char) in.ptr[i];
		int	hi, lo;

		if (ch < 33 || ch > 126 || ch == '=')
			goto bad;
		if (ch == '+') {
			if (in.len - i < 3)
				goto bad;
			hi = mail_param_hex((unsigned char) in.ptr[i + 1]);
			lo = mail_param_hex((unsigned char) in.ptr[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			ch = (unsigned char) (hi * 16 + lo);
			if (ch < 32 || ch > 126)
				goto bad;
			i += 2;
		}
		buf_putc(out, ch);
	}
	return (0);
bad:
	buf_truncate(out, start);
	return (-1);
}

/* mail_xtext_encode - bytes to xtext */

void
mail_xtext_encode(struct str in, struct buf *out)
{
	size_t	i;

	for (i = 0; i < in.len; i++) {
		unsigned char ch = (unsigned char) in.ptr[i];

		if (ch < 33 || ch > 126 || ch == '+' || ch == '=')
			buf_printf(out, "+%02X", ch);
		else
			buf_putc(out, ch);
	}
}

/* mail_param_xtext_dup - decode xtext of at most max octets, or NULL */

static char *
mail_param_xtext_dup(struct str in, size_t max)
{
	struct buf b;
	char   *res = NULL;

	buf_init(&b, in.len + 1);
	if (mail_xtext_decode(in, &b) == 0 && b.len <= max)
		res = buf_steal(&b);
	buf_fini(&b);
	return (res);
}

/* mail_param_size - strict decimal, no wrap */

static int
mail_param_size(struct str val, unsigned long long *out)
{
	unsigned long long n = 0;
	size_t	i;

	if (val.len == 0 || val.len > 20)
		return (-1);
	for (i = 0; i < val.len; i++) {
		unsigned d;

		if (val.ptr[i] < '0' || val.ptr[i] > '9')
			return (-1);
		d = (unsigned) (val.ptr[i] - '0');
		if (n > (MAIL_PARAM_SIZE_MAX - d) / 10)
			return (-1);
		n = n * 10 + d;
	}
	*out = n;
	return (0);
}

/* mail_param_unsupported - 555 with the parameter as given */

static int
mail_param_unsupported(struct mail_reply *err, struct str whole)
{
	char   *cp = str_dup(whole);

	mail_reply_set(err, MAIL_REPLY_PARAM_UNSUPPORTED, cp);
	mem_free(cp);
	return (-1);
}

/* mail_param_duplicate - 501 for a keyword given twice */

static int
mail_param_duplicate(struct mail_reply *err, struct str key)
{
	char   *cp = str_dup(key);

	mail_reply_set(err, MAIL_REPLY_PARAM_DUPLICATE, cp);
	mem_free(cp);
	return (-1);
}

/* mail_param_mail_init - no parameters */

void
mail_param_mail_init(struct mail_param_mail *mp)
{
	memset(mp, 0, sizeof(*mp));
	mp->body = MAIL_PARAM_BODY_NONE;
	mp->ret = MAIL_PARAM_RET_NONE;
	mp->auth = NULL;
	mp->envid = NULL;
}

/* mail_param_mail_fini - release the strings */

void
mail_param_mail_fini(struct mail_param_mail *mp)
{
	mem_free(mp->auth);
	mem_free(mp->envid);
	mail_param_mail_init(mp);
}

/* Keywords of MAIL FROM, for duplicate detection. */
#define SEEN_SIZE	(1 << 0)
#define SEEN_BODY	(1 << 1)
#define SEEN_SMTPUTF8	(1 << 2)
#define SEEN_AUTH	(1 << 3)
#define SEEN_RET	(1 << 4)
#define SEEN_ENVID	(1 << 5)
#define SEEN_NOTIFY	(1 << 6)
#define SEEN_ORCPT	(1 << 7)

/* A parameter keyword, the extension that allows it, and its bit. */
struct mail_param_key {
	struct str name;
	int	ext;
	int	bit;
};

static const struct mail_param_key mail_param_mail_keys[] = {
	{STR_LIT("SIZE"), MAIL_PARAM_EXT_SIZE, SEEN_SIZE},
	{STR_LIT("BODY"), MAIL_PARAM_EXT_8BITMIME, SEEN_BODY},
	{STR_LIT("SMTPUTF8"), MAIL_PARAM_EXT_SMTPUTF8, SEEN_SMTPUTF8},
	{STR_LIT("AUTH"), MAIL_PARAM_EXT_AUTH, SEEN_AUTH},
	{STR_LIT("RET"), MAIL_PARAM_EXT_DSN, SEEN_RET},
	{STR_LIT("ENVID"), MAIL_PARAM_EXT_DSN, SEEN_ENVID},
	{{NULL, 0}, 0, 0},
};

static const struct mail_param_key mail_param_rcpt_keys[] = {
	{STR_LIT("NOTIFY"), MAIL_PARAM_EXT_DSN, SEEN_NOTIFY},
	{STR_LIT("ORCPT"), MAIL_PARAM_EXT_DSN, SEEN_ORCPT},
	{{NULL, 0}, 0, 0},
};

/* mail_param_keyword - the bit of an allowed, first-seen keyword, or 0 */

static int
mail_param_keyword(const struct mail_param_key *keys,
    const struct mail_param_tok *t, int exts, int *seen, struct mail_reply *err)
{
	const struct mail_param_key *k;

	for (k = keys; k->name.ptr; k++)
		if (str_caseeq(t->key, k->name) && (exts & k->ext))
			break;
	if (k->name.ptr == NULL) {
		mail_param_unsupported(err, t->whole);
		return (0);
	}
	if (*seen & k->bit) {
		mail_param_duplicate(err, t->key);
		return (0);
	}
	*seen |= k->bit;
	return (k->bit);
}

/* mail_param_parse_mail - MAIL FROM parameters */

int
mail_param_parse_mail(struct str rest, int exts, struct mail_param_mail *mp,
    struct mail_reply *err)
{
	struct mail_param_tok t;
	int	seen = 0, bit, st;

	mail_param_mail_fini(mp);
	while ((st = mail_param_next(&rest, &t)) != 0) {
		if (st < 0) {
			mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
			    "parameter");
			goto fail;
		}
		if ((bit = mail_param_keyword(mail_param_mail_keys, &t, exts,
		    &seen, err)) == 0)
			goto fail;
		switch (bit) {
		case SEEN_SIZE:
			if (!t.has_val
			    || mail_param_size(t.val, &mp->size) < 0) {
				mail_reply_set(err, MAIL_REPLY_BAD_SIZE, NULL);
				goto fail;
			}
			mp->have_size = 1;
			break;
		case SEEN_BODY:
			if (t.has_val && str_caseeq(t.val, STR_LIT("7BIT")))
				mp->body = MAIL_PARAM_BODY_7BIT;
			else if (t.has_val
			    && str_caseeq(t.val, STR_LIT("8BITMIME")))
				mp->body = MAIL_PARAM_BODY_8BITMIME;
			else {
				mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
				    "BODY");
				goto fail;
			}
			break;
		case SEEN_SMTPUTF8:
			if (t.has_val) {
				mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
				    "SMTPUTF8");
				goto fail;
			}
			mp->smtputf8 = 1;
			break;
		case SEEN_AUTH:
			mp->have_auth = 1;
			if (t.has_val && str_eq(t.val, STR_LIT("<>"))) {
				mp->auth_empty = 1;
				break;
			}
			if (t.has_val)
				mp->auth = mail_param_xtext_dup(t.val,
				    MAIL_PARAM_AUTH_MAX);
			if (mp->auth == NULL) {
				mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
				    "AUTH");
				goto fail;
			}
			break;
		case SEEN_RET:
			if (t.has_val && str_caseeq(t.val, STR_LIT("FULL")))
				mp->ret = MAIL_PARAM_RET_FULL;
			else if (t.has_val
			    && str_caseeq(t.val, STR_LIT("HDRS")))
				mp->ret = MAIL_PARAM_RET_HDRS;
			else {
				mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
				    "RET");
				goto fail;
			}
			break;
		case SEEN_ENVID:
			if (!t.has_val || t.val.len > MAIL_PARAM_ENVID_MAX
			    || (mp->envid = mail_param_xtext_dup(t.val,
			    MAIL_PARAM_ENVID_MAX)) == NULL) {
				mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
				    "ENVID");
				goto fail;
			}
			break;
		default:
			msg_panic("mail_param_parse_mail: bad bit %d", bit);
		}
	}
	return (0);
fail:
	mail_param_mail_fini(mp);
	return (-1);
}

/* mail_param_rcpt_init - no parameters */

void
mail_param_rcpt_init(struct mail_param_rcpt *rp)
{
	rp->notify = 0;
	rp->orcpt_type = NULL;
	rp->orcpt = NULL;
}

/* mail_param_rcpt_fini - release the strings */

void
mail_param_rcpt_fini(struct mail_param_rcpt *rp)
{
	mem_free(rp->orcpt_type);
	mem_free(rp->orcpt);
	mail_param_rcpt_init(rp);
}

/* mail_param_notify - NEVER, or a list of SUCCESS, FAILURE, DELAY */

static int
mail_param_notify(struct str val)
{
	int	res = 0;
	size_t	comma;
	struct str item;

	for (;;) {
		if (str_chr(val, ',', &comma))
			item = str_make(val.ptr, comma);
		else
			item = val;
		if (str_caseeq(item, STR_LIT("NEVER")))
			res |= MAIL_PARAM_NOTIFY_NEVER;
		else if (str_caseeq(item, STR_LIT("SUCCESS")))
			res |= MAIL_PARAM_NOTIFY_SUCCESS;
		else if (str_caseeq(item, STR_LIT("FAILURE")))
			res |= MAIL_PARAM_NOTIFY_FAILURE;
		else if (str_caseeq(item, STR_LIT("DELAY")))
			res |= MAIL_PARAM_NOTIFY_DELAY;
		else
			return (-1);
		if (item.len == val.len)
			break;
		val = str_make(val.ptr + comma + 1, val.len - comma - 1);
	}
	if ((res & MAIL_PARAM_NOTIFY_NEVER) && res != MAIL_PARAM_NOTIFY_NEVER)
		return (-1);
	return (res);
}

/* mail_param_orcpt - addr-type ";" xtext */

static int
mail_param_orcpt(struct str val, struct mail_param_rcpt *rp)
{
	size_t	semi, i;
	struct str type;

	if (!str_chr(val, ';', &semi) || semi == 0)
		return (-1);
	type = str_make(val.ptr, semi);
	for (i = 0; i < type.len; i++)
		if (!mail_param_is_alnum((unsigned char) type.ptr[i])
		    && type.ptr[i] != '-')
			return (-1);
	if (semi + 1 == val.len)
		return (-1);
	rp->orcpt = mail_param_xtext_dup(str_make(val.ptr + semi + 1,
	    val.len - semi - 1), MAIL_PARAM_ORCPT_MAX);
	if (rp->orcpt == NULL)
		return (-1);
	rp->orcpt_type = str_dup(type);
	return (0);
}

/* mail_param_parse_rcpt - RCPT TO parameters */

int
mail_param_parse_rcpt(struct str rest, int exts, struct mail_param_rcpt *rp,
    struct mail_reply *err)
{
	struct mail_param_tok t;
	int	seen = 0, bit, st, n;

	mail_param_rcpt_fini(rp);
	while ((st = mail_param_next(&rest, &t)) != 0) {
		if (st < 0) {
			mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
			    "parameter");
			goto fail;
		}
		if ((bit = mail_param_keyword(mail_param_rcpt_keys, &t, exts,
		    &seen, err)) == 0)
			goto fail;
		if (bit == SEEN_NOTIFY) {
			if (!t.has_val || (n = mail_param_notify(t.val)) < 0) {
				mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
				    "NOTIFY");
				goto fail;
			}
			rp->notify = n;
		} else {
			if (!t.has_val || mail_param_orcpt(t.val, rp) < 0) {
				mail_reply_set(err, MAIL_REPLY_PARAM_SYNTAX,
				    "ORCPT");
				goto fail;
			}
		}
	}
	return (0);
fail:
	mail_param_rcpt_fini(rp);
	return (-1);
}
