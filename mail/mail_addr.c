/*
 * NAME
 *	mail_addr - RFC 5321 paths in MAIL FROM and RCPT TO
 * DESCRIPTION
 *	See mail_addr.h. The parser works on length-counted views and copies
 *	nothing until the whole path has passed every check, so a failed
 *	parse leaves no half-filled result.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "mail_reply.h"
#include "mail_addr.h"

/* mail_addr_is_atext - RFC 5322 atext in ASCII */

static int
mail_addr_is_atext(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
	    || (ch >= '0' && ch <= '9'))
		return (1);
	return (ch != 0 && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL);
}

/* mail_addr_is_letdig - letter or digit; 8-bit counts when allowed */

static int
mail_addr_is_letdig(unsigned char ch, int utf8)
{
	return ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
	    || (ch >= '0' && ch <= '9') || (utf8 && ch >= 0x80));
}

/* mail_addr_utf8_ok - well-formed, shortest-form UTF-8 */

static int
mail_addr_utf8_ok(struct str s)
{
	const unsigned char *p = (const unsigned char *) s.ptr;
	size_t	i = 0, n, k;
	unsigned long cp;

	while (i < s.len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 3;
			cp = p[i] & 0x07;
		} else {
			return (0);
		}
		if (s.len - i - 1 < n)
			return (0);
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
		    || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

/* mail_addr_domain_ok - LDH labels (U-labels with utf8), lengths */

static int
mail_addr_domain_ok(struct str d, int utf8)
{
	size_t	i, start = 0;

	if (d.len == 0)
		return (MAIL_ADDR_ERR_DOMAIN);
	if (d.len > MAIL_ADDR_DOMAIN_MAX)
		return (MAIL_ADDR_ERR_DOMAIN_LONG);
	for (i = 0; i <= d.len; i++) {
		unsigned char ch;
		size_t	len;

		if (i < d.len && d.ptr[i] != '.') {
			ch = (unsigned char) d.ptr[i];
			if (!mail_addr_is_letdig(ch, utf8) && ch != '-')
				return (MAIL_ADDR_ERR_DOMAIN);
			continue;
		}
		/* End of a label: d.ptr[start..i). */
		len = i - start;
		if (len == 0)
			return (MAIL_ADDR_ERR_DOMAIN);
		if (len > MAIL_ADDR_LABEL_MAX)
			return (MAIL_ADDR_ERR_LABEL_LONG);
		if (d.ptr[start] == '-' || d.ptr[i - 1] == '-')
			return (MAIL_ADDR_ERR_DOMAIN);
		start = i + 1;
	}
	return (MAIL_ADDR_OK);
}

/* mail_addr_ipv4_ok - Snum "." Snum "." Snum "." Snum, Snum 0-255 */

static int
mail_addr_ipv4_ok(struct str s)
{
	size_t	i = 0;
	int	part;

	for (part = 0; part < 4; part++) {
		unsigned val = 0, digits = 0;

		if (part > 0) {
			if (i >= s.len || s.ptr[i] != '.')
				return (0);
			i++;
		}
		while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
			if (++digits > 3)
				return (0);
			val = val * 10 + (unsigned) (s.ptr[i] - '0');
			i++;
		}
		if (digits == 0 || val > 255)
			return (0);
	}
	return (i == s.len);
}

/* mail_addr_literal_ok - "[" IPv4 / "IPv6:" IPv6 "]" */

static int
mail_addr_literal_ok(struct str lit)
{
	struct str in;
	char	tmp[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];
	size_t	i;

	if (lit.len < 3 || lit.ptr[0] != '[' || lit.ptr[lit.len - 1] != ']')
		return (0);
	in = str_make(lit.ptr + 1, lit.len - 2);
	if (mail_addr_ipv4_ok(in))
		return (1);
	if (!str_caseprefix(in, STR_LIT("IPv6:")))
		return (0);
	in.ptr += 5;
	in.len -= 5;
	if (in.len == 0 || in.len >= sizeof(tmp))
		return (0);
	for (i = 0; i < in.len; i++)
		if (!((in.ptr[i] >= '0' && in.ptr[i] <= '9')
		    || (in.ptr[i] >= 'a' && in.ptr[i] <= 'f')
		    || (in.ptr[i] >= 'A' && in.ptr[i] <= 'F')
		    || in.ptr[i] == ':' || in.ptr[i] == '.'))
			return (0);
	memcpy(tmp, in.ptr, in.len);
	tmp[in.len] = 0;
	return (inet_pton(AF_INET6, tmp, bin) == 1);
}

/* mail_addr_route_ok - "@" Domain *("," "@" Domain) */

static int
mail_addr_route_ok(struct str r, int utf8)
{
	size_t	i = 0, start;

	for (;;) {
		if (i >= r.len || r.ptr[i] != '@')
			return (0);
		start = ++i;
		while (i < r.len && r.ptr[i] != ',')
			i++;
		if (mail_addr_domain_ok(str_make(r.ptr + start, i - start),
		    utf8) != MAIL_ADDR_OK)
			return (0);
		if (i == r.len)
			return (1);
		i++;				/* skip ',' */
	}
}

/* mail_addr_local_len - length of a valid local part at s, or 0 */

static size_t
mail_addr_local_len(struct str s, int utf8, int *quoted)
{
	size_t	i = 0;

	*quoted = 0;
	if (s.len == 0)
		return (0);
	if (s.ptr[0] == '"') {
		/* Quoted-string: qtextSMTP / "\" %d32-126, then '"'. */
		*quoted = 1;
		for (i = 1; i < s.len; i++) {
			unsigned char ch = (unsigned char) s.ptr[i];

			if (ch == '"')
				return (i + 1);
			if (ch == '\\') {
				if (++i >= s.len)
					return (0);
				ch = (unsigned char) s.ptr[i];
				if (ch < 32 || ch > 126)
					return (0);
			} else if (!((ch >= 32 && ch <= 126)
			    || (utf8 && ch >= 0x80))) {
				return (0);
			}
		}
		return (0);
	}
	/* Dot-string: Atom *("." Atom). */
	for (;;) {
		size_t	start = i;

		while (i < s.len
		    && (mail_addr_is_atext((unsigned char) s.ptr[i])
		    || (utf8 && (unsigned char) s.ptr[i] >= 0x80)))
			i++;
		if (i == start)
			return (0);
		if (i < s.len && s.ptr[i] == '.') {
			i++;
			continue;
		}
		return (i);
	}
}

/* mail_addr_init - empty address */

void
mail_addr_init(struct mail_addr *addr)
{
	addr->local = NULL;
	addr->local_dec = NULL;
	addr->domain = NULL;
	addr->domain_lc = NULL;
	addr->raw = NULL;
	addr->flags = 0;
}

/* mail_addr_fini - release the strings */

void
mail_addr_fini(struct mail_addr *addr)
{
	mem_free(addr->local);
	mem_free(addr->local_dec);
	mem_free(addr->domain);
	mem_free(addr->domain_lc);
	mem_free(addr->raw);
	mail_addr_init(addr);
}

/* mail_addr_skip_quoted - index after the quoted string that starts at i */

static size_t
mail_addr_skip_quoted(struct str s, size_t i)
{
	for (i++; i < s.len; i++) {
		if (s.ptr[i] == '\\' && i + 1 < s.len)
			i++;
		else if (s.ptr[i] == '"')
			return (i + 1);
	}
	return (s.len);
}

/* mail_addr_split - check FROM:/TO:, cut the path and the parameters */

int
mail_addr_split(enum mail_addr_kind kind, struct str arg, int opts,
    struct str *path, struct str *rest)
{
	struct str kw = kind == MAIL_ADDR_SENDER ? STR_LIT("FROM:")
	    : STR_LIT("TO:");
	size_t	i, start, end;

	if (!str_caseprefix(arg, kw))
		return (MAIL_ADDR_ERR_KEYWORD);
	i = kw.len;
	while (i < arg.len && arg.ptr[i] == ' ')
		i++;
	start = i;
	if (i < arg.len && arg.ptr[i] == '<') {
		for (i++; i < arg.len && arg.ptr[i] != '>';) {
			if (arg.ptr[i] == '"')
				i = mail_addr_skip_quoted(arg, i);
			else
				i++;
		}
		if (i >= arg.len)
			return (MAIL_ADDR_ERR_UNBALANCED);
		end = i + 1;
	} else {
		if (!(opts & MAIL_ADDR_OPT_LENIENT) || i == arg.len)
			return (MAIL_ADDR_ERR_NO_BRACKETS);
		for (; i < arg.len && arg.ptr[i] != ' ';) {
			if (arg.ptr[i] == '"')
				i = mail_addr_skip_quoted(arg, i);
			else
				i++;
		}
		end = i;
	}
	if (end < arg.len && arg.ptr[end] != ' ')
		return (MAIL_ADDR_ERR_TRAILING);
	*path = str_make(arg.ptr + start, end - start);
	for (i = end; i < arg.len && arg.ptr[i] == ' '; i++)
		 /* void */ ;
	*rest = str_make(arg.ptr + i, arg.len - i);
	return (MAIL_ADDR_OK);
}

/* mail_addr_lower - NUL-terminated ASCII-lowercased copy */

static char *
mail_addr_lower(struct str s)
{
	char   *cp = str_dup(s);
	size_t	i;

	for (i = 0; i < s.len; i++)
		if (cp[i] >= 'A' && cp[i] <= 'Z')
			cp[i] = (char) (cp[i] - 'A' + 'a');
	return (cp);
}

/* mail_addr_unquote - the value of a valid local part */

static char *
mail_addr_unquote(struct str local)
{
	char   *cp = mem_alloc(local.len + 1);
	size_t	i, n = 0;

	if (local.len < 2 || local.ptr[0] != '"') {
		memcpy(cp, local.ptr, local.len);
		cp[local.len] = 0;
		return (cp);
	}
	for (i = 1; i + 1 < local.len; i++) {
		if (local.ptr[i] == '\\')
			i++;
		cp[n++] = local.ptr[i];
	}
	cp[n] = 0;
	return (cp);
}

/* mail_addr_is_dot_atom - can this value go on the wire unquoted */

static int
mail_addr_is_dot_atom(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return (0);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char) s[i];

		if (ch == '.') {
			if (s[i + 1] == '.')
				return (0);
		} else if (!mail_addr_is_atext(ch) && ch < 0x80) {
			return (0);
		}
	}
	return (1);
}

/* mail_addr_parse_path - check a path against RFC 5321 and fill addr */

int
mail_addr_parse_path(enum mail_addr_kind kind, struct str path, int opts,
    struct mail_addr *addr)
{
	struct str in, mbox, local, domain;
	int	utf8 = 0, quoted, flags = 0, st;
	size_t	i, n, colon;

	mail_addr_fini(addr);

	/* Bytes first: no controls anywhere, 8-bit only as asked for. */
	for (i = 0; i < path.len; i++) {
		unsigned char ch = (unsigned char) path.ptr[i];

		if (ch < 0x20 || ch == 0x7f)
			return (MAIL_ADDR_ERR_CTL);
		if (ch >= 0x80)
			utf8 = 1;
	}
	if (utf8) {
		if (!(opts & MAIL_ADDR_OPT_SMTPUTF8))
			return (MAIL_ADDR_ERR_NEED_SMTPUTF8);
		if (!mail_addr_utf8_ok(path))
			return (MAIL_ADDR_ERR_BAD_UTF8);
		flags |= MAIL_ADDR_F_UTF8;
	}
	if (path.len > MAIL_ADDR_PATH_MAX)
		return (MAIL_ADDR_ERR_PATH_LONG);

	/* The brackets. */
	if (path.len > 0 && path.ptr[0] == '<') {
		if (path.len < 2 || path.ptr[path.len - 1] != '>')
			return (MAIL_ADDR_ERR_UNBALANCED);
		in = str_make(path.ptr + 1, path.len - 2);
	} else if (opts & MAIL_ADDR_OPT_LENIENT) {
		in = path;
	} else {
		return (MAIL_ADDR_ERR_NO_BRACKETS);
	}
	if (in.len == 0) {
		if (kind != MAIL_ADDR_SENDER)
			return (MAIL_ADDR_ERR_EMPTY);
		addr->local = mem_strdup("");
		addr->local_dec = mem_strdup("");
		addr->domain = mem_strdup("");
		addr->domain_lc = mem_strdup("");
		addr->raw = mem_strdup("<>");
		addr->flags = MAIL_ADDR_F_NULL;
		return (MAIL_ADDR_OK);
	}

	/* A source route: checked, then dropped (RFC 5321 section 4.1.2). */
	mbox = in;
	if (in.ptr[0] == '@') {
		if (!str_chr(in, ':', &colon)
		    || !mail_addr_route_ok(str_make(in.ptr, colon), utf8))
			return (MAIL_ADDR_ERR_ROUTE);
		mbox = str_make(in.ptr + colon + 1, in.len - colon - 1);
		flags |= MAIL_ADDR_F_ROUTE;
	}

	/* <postmaster> without a domain, recipients only (section 4.5.1). */
	if (kind == MAIL_ADDR_RECIPIENT
	    && str_caseeq(mbox, STR_LIT("postmaster"))) {
		local = mbox;
		domain = str_make(mbox.ptr + mbox.len, 0);
		flags |= MAIL_ADDR_F_POSTMASTER | MAIL_ADDR_F_NO_DOMAIN;
	} else {
		n = mail_addr_local_len(mbox, utf8, &quoted);
		if (n == 0)
			return (MAIL_ADDR_ERR_LOCAL);
		if (n == mbox.len)
			return (MAIL_ADDR_ERR_NO_DOMAIN);
		if (mbox.ptr[n] != '@')
			return (MAIL_ADDR_ERR_LOCAL);
		if (quoted)
			flags |= MAIL_ADDR_F_QUOTED;
		local = str_make(mbox.ptr, n);
		domain = str_make(mbox.ptr + n + 1, mbox.len - n - 1);
		if (local.len > MAIL_ADDR_LOCAL_MAX)
			return (MAIL_ADDR_ERR_LOCAL_LONG);
		if (domain.len > 0 && domain.ptr[0] == '[') {
			if (!mail_addr_literal_ok(domain))
				return (MAIL_ADDR_ERR_LITERAL);
			flags |= MAIL_ADDR_F_LITERAL;
		} else if ((st = mail_addr_domain_ok(domain, utf8))
		    != MAIL_ADDR_OK) {
			return (st);
		}
		if (kind == MAIL_ADDR_RECIPIENT
		    && str_caseeq(local, STR_LIT("postmaster")))
			flags |= MAIL_ADDR_F_POSTMASTER;
	}
	addr->local = str_dup(local);
	addr->local_dec = mail_addr_unquote(local);
	addr->domain = str_dup(domain);
	addr->domain_lc = mail_addr_lower(domain);
	addr->raw = mem_alloc(mbox.len + 3);
	addr->raw[0] = '<';
	memcpy(addr->raw + 1, mbox.ptr, mbox.len);
	addr->raw[mbox.len + 1] = '>';
	addr->raw[mbox.len + 2] = 0;
	addr->flags = flags;
	return (MAIL_ADDR_OK);
}

/* mail_addr_parse - split and parse in one (RCPT TO) */

int
mail_addr_parse(enum mail_addr_kind kind, struct str arg, int opts,
    struct mail_addr *addr, struct str *rest)
{
	struct str path;
	int	st;

	mail_addr_fini(addr);
	st = mail_addr_split(kind, arg, opts, &path, rest);
	if (st != MAIL_ADDR_OK)
		return (st);
	return (mail_addr_parse_path(kind, path, opts, addr));
}

/* mail_addr_format - "<local@domain>" for logs and the wire */

void
mail_addr_format(const struct mail_addr *addr, struct buf *out)
{
	if (addr->local == NULL)
		msg_panic("mail_addr_format: empty address");
	if (addr->flags & MAIL_ADDR_F_NULL) {
		buf_puts(out, "<>");
		return;
	}
	buf_putc(out, '<');
	if (mail_addr_is_dot_atom(addr->local_dec)) {
		buf_puts(out, addr->local_dec);
	} else {
		const char *cp;

		buf_putc(out, '"');
		for (cp = addr->local_dec; *cp; cp++) {
			if (*cp == '"' || *cp == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *cp);
		}
		buf_putc(out, '"');
	}
	if (!(addr->flags & MAIL_ADDR_F_NO_DOMAIN)) {
		buf_putc(out, '@');
		buf_puts(out, addr->domain);
	}
	buf_putc(out, '>');
}

/* mail_addr_strerror - the rule that a status says was broken */

const char *
mail_addr_strerror(int status)
{
	switch (status) {
	case MAIL_ADDR_OK:
		return ("ok");
	case MAIL_ADDR_ERR_KEYWORD:
		return ("missing FROM: or TO:");
	case MAIL_ADDR_ERR_NO_BRACKETS:
		return ("address must be in angle brackets");
	case MAIL_ADDR_ERR_UNBALANCED:
		return ("unbalanced angle brackets");
	case MAIL_ADDR_ERR_TRAILING:
		return ("junk after the address");
	case MAIL_ADDR_ERR_EMPTY:
		return ("empty address");
	case MAIL_ADDR_ERR_LOCAL:
		return ("malformed local part");
	case MAIL_ADDR_ERR_DOMAIN:
		return ("malformed domain");
	case MAIL_ADDR_ERR_LITERAL:
		return ("malformed address literal");
	case MAIL_ADDR_ERR_ROUTE:
		return ("malformed source route");
	case MAIL_ADDR_ERR_NO_DOMAIN:
		return ("domain required");
	case MAIL_ADDR_ERR_CTL:
		return ("control character in address");
	case MAIL_ADDR_ERR_NEED_SMTPUTF8:
		return ("non-ASCII address without SMTPUTF8");
	case MAIL_ADDR_ERR_BAD_UTF8:
		return ("malformed UTF-8");
	case MAIL_ADDR_ERR_LOCAL_LONG:
		return ("local part longer than 64 octets");
	case MAIL_ADDR_ERR_DOMAIN_LONG:
		return ("domain longer than 255 octets");
	case MAIL_ADDR_ERR_PATH_LONG:
		return ("path longer than 256 octets");
	case MAIL_ADDR_ERR_LABEL_LONG:
		return ("domain label longer than 63 octets");
	default:
		return ("unknown address error");
	}
}

/* mail_addr_reply - the reply for a parse status */

void
mail_addr_reply(enum mail_addr_kind kind, int status, struct mail_reply *rp)
{
	const char *why = mail_addr_strerror(status);
	int	sender = kind == MAIL_ADDR_SENDER;

	switch (status) {
	case MAIL_ADDR_OK:
		msg_panic("mail_addr_reply: no error");
	case MAIL_ADDR_ERR_KEYWORD:
		mail_reply_set(rp, MAIL_REPLY_SYNTAX_ARG,
		    sender ? "MAIL FROM:<address>" : "RCPT TO:<address>");
		break;
	case MAIL_ADDR_ERR_EMPTY:
		mail_reply_set(rp, sender ? MAIL_REPLY_BAD_SENDER
		    : MAIL_REPLY_NULL_RCPT, why);
		break;
	case MAIL_ADDR_ERR_NEED_SMTPUTF8:
		mail_reply_set(rp, MAIL_REPLY_NON_ASCII_ADDR, NULL);
		break;
	case MAIL_ADDR_ERR_BAD_UTF8:
		mail_reply_set(rp, MAIL_REPLY_BAD_UTF8, NULL);
		break;
	case MAIL_ADDR_ERR_LOCAL_LONG:
	case MAIL_ADDR_ERR_DOMAIN_LONG:
	case MAIL_ADDR_ERR_PATH_LONG:
	case MAIL_ADDR_ERR_LABEL_LONG:
		mail_reply_set(rp, MAIL_REPLY_PATH_TOO_LONG, why);
		break;
	default:
		mail_reply_set(rp, sender ? MAIL_REPLY_BAD_SENDER
		    : MAIL_REPLY_BAD_RCPT, why);
		break;
	}
}
