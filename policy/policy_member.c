/*
 * NAME
 *	policy_member - sender group members: parse, compile, match
 * DESCRIPTION
 *	See policy_member.h. Every address form (one address, prefix,
 *	range, CIDR, IPv4 or IPv6) compiles to one inclusive range
 *	[lo, hi] of addresses of one family, compared as big-endian byte
 *	strings; matching is two memcmp() calls.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"
#include "policy.h"
#include "policy_dns.h"
#include "policy_ip.h"
#include "policy_member.h"

 /*
  * Bounds on one regex match: a pathological pattern over a 253-byte
  * name must fail (and the HAT answer "temporary error") rather than
  * spin.
  */
#define POLICY_MEMBER_MATCH_LIMIT	100000
#define POLICY_MEMBER_DEPTH_LIMIT	10000
#define POLICY_MEMBER_HEAP_LIMIT	1024	/* kibibytes */

enum policy_member_kind {
	POLICY_MEMBER_RANGE,
	POLICY_MEMBER_HOST,
	POLICY_MEMBER_DOMAIN,
	POLICY_MEMBER_SBRS,
	POLICY_MEMBER_SBRS_NONE,
	POLICY_MEMBER_DNSLIST,
	POLICY_MEMBER_ALL,
	POLICY_MEMBER_REGEX,
	POLICY_MEMBER_PTR,
};

struct policy_member {
	enum policy_member_kind kind;
	char   *text;			/* for the mail log */
	int	family;			/* RANGE */
	unsigned char lo[16];
	unsigned char hi[16];
	char   *name;			/* HOST, DOMAIN (with dot), DNSLIST */
	int	sbrs_lo;		/* SBRS, tenths */
	int	sbrs_hi;
	enum policy_ptr ptr;		/* PTR */
	pcre2_code *re;			/* REGEX */
	pcre2_match_context *mctx;
};

 /*
  * Parsing state: the member text and where it came from, so that every
  * error can name the column of the offending byte.
  */
struct policy_member_src {
	const char *text;		/* whole member, as given */
	size_t	base;			/* offset of s within text */
	struct str s;			/* trimmed member */
	const struct policy_loc *loc;
	struct buf *err;
};

/* policy_member_fail - report a located parse error, return NULL */

static struct policy_member *policy_member_fail(struct policy_member_src *,
	    size_t, const char *,...) MSG_PRINTFLIKE(3, 4);

static struct policy_member *
policy_member_fail(struct policy_member_src *src, size_t off,
    const char *fmt,...)
{
	struct buf *why = buf_new(64);
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
	policy_error(src->err, src->loc, (int) (src->base + off),
	    "sender group member \"%s\": %s", src->text, buf_cstr(why));
	buf_free(why);
	return (NULL);
}

/* policy_member_new - allocate a member of a kind */

static struct policy_member *
policy_member_new(enum policy_member_kind kind, struct str text)
{
	struct policy_member *mp = mem_zalloc(1, sizeof(*mp));

	mp->kind = kind;
	mp->text = str_dup(text);
	return (mp);
}

/* policy_member_free - release a member */

struct policy_member *
policy_member_free(struct policy_member *mp)
{
	if (mp == NULL)
		return (NULL);
	if (mp->re != NULL)
		pcre2_code_free(mp->re);
	if (mp->mctx != NULL)
		pcre2_match_context_free(mp->mctx);
	mem_free(mp->name);
	mem_free(mp->text);
	mem_free(mp);
	return (NULL);
}

/* policy_member_octet - read one IPv4 octet at *pos */

static int
policy_member_octet(struct policy_member_src *src, size_t *pos, int *val)
{
	struct str s = src->s;
	size_t	start = *pos;
	int	v = 0;

	while (*pos < s.len && s.ptr[*pos] >= '0' && s.ptr[*pos] <= '9') {
		if (*pos - start == 3) {
			policy_member_fail(src, start,
			    "IPv4 octet has more than 3 digits");
			return (0);
		}
		v = v * 10 + (s.ptr[*pos] - '0');
		(*pos)++;
	}
	if (*pos == start) {
		policy_member_fail(src, start, "expected a number");
		return (0);
	}
	if (v > 255) {
		char	num[8];

		memcpy(num, s.ptr + start, *pos - start);
		num[*pos - start] = 0;
		policy_member_fail(src, start,
		    "IPv4 octet %s is out of range 0-255", num);
		return (0);
	}
	*val = v;
	return (1);
}

/* policy_member_prefix_len - read "/c" bounded by max at *pos */

static int
policy_member_prefix_len(struct policy_member_src *src, size_t pos, int max,
    int *len)
{
	unsigned long v;
	struct str num = str_make(src->s.ptr + pos, src->s.len - pos);

	if (!str_to_ulong(num, 1000, &v) || v > (unsigned long) max) {
		struct buf *tmp = buf_new(16);

		buf_append(tmp, num.ptr, num.len);
		policy_member_fail(src, pos, max == 32 ?
		    "CIDR prefix length \"%s\" is not a number from 0 to 32" :
		    "CIDR prefix length \"%s\" is not a number from 0 to 128",
		    buf_cstr(tmp));
		buf_free(tmp);
		return (0);
	}
	*len = (int) v;
	return (1);
}

/* policy_member_mask - set lo/hi from addr and a prefix length */

static int
policy_member_mask(struct policy_member *mp, const unsigned char *addr,
    size_t bytes, int len)
{
	size_t	i;
	int	host_bits = 0;

	for (i = 0; i < bytes; i++) {
		int	keep = len >= 8 ? 8 : (len > 0 ? len : 0);
		unsigned char m = (unsigned char) (0xff00 >> keep);

		if (addr[i] & (unsigned char) ~m)
			host_bits = 1;
		mp->lo[i] = addr[i] & m;
		mp->hi[i] = (unsigned char) (addr[i] | (unsigned char) ~m);
		len -= 8;
	}
	return (!host_bits);
}

/* policy_member_host_bits - reject a CIDR block with host bits set */

static struct policy_member *
policy_member_host_bits(struct policy_member_src *src,
    struct policy_member *mp, int plen)
{
	struct policy_ip net;
	struct buf *tmp = buf_new(64);

	net.family = mp->family;
	memcpy(net.addr, mp->lo, 16);
	policy_ip_format(&net, tmp);
	buf_printf(tmp, "/%d", plen);
	policy_member_free(mp);
	policy_member_fail(src, 0, "address has bits set beyond the prefix "
	    "length (did you mean %s?)", buf_cstr(tmp));
	buf_free(tmp);
	return (NULL);
}

/* policy_member_ipv4 - every IPv4 form: address, prefix, range, CIDR */

static struct policy_member *
policy_member_ipv4(struct policy_member_src *src)
{
	struct str s = src->s;
	unsigned char addr[4] = {0, 0, 0, 0};
	struct policy_member *mp;
	size_t	pos = 0, slash;
	int	count = 0, lo, hi, plen;

	if (str_chr(s, '/', &slash)) {
		while (pos < slash) {
			if (count == 4)
				return (policy_member_fail(src, pos,
				    "more than 4 octets in an IPv4 address"));
			if (!policy_member_octet(src, &pos, &lo))
				return (NULL);
			addr[count++] = (unsigned char) lo;
			if (pos < slash && s.ptr[pos] == '-')
				return (policy_member_fail(src, pos,
				    "a CIDR block cannot contain a range"));
			if (pos < slash && s.ptr[pos] == '.') {
				pos++;
				if (pos == slash)
					return (policy_member_fail(src, pos,
					    "expected a number"));
			}
		}
		if (!policy_member_prefix_len(src, slash + 1, 32, &plen))
			return (NULL);
		mp = policy_member_new(POLICY_MEMBER_RANGE, s);
		mp->family = AF_INET;
		if (!policy_member_mask(mp, addr, 4, plen))
			return (policy_member_host_bits(src, mp, plen));
		return (mp);
	}

	/*
	 * Address, prefix or range: octets separated by dots; the last
	 * one given may be a range "a-b"; a trailing dot is the same
	 * prefix as none.
	 */
	lo = hi = 0;
	for (;;) {
		if (count == 4)
			return (policy_member_fail(src, pos,
			    "more than 4 octets in an IPv4 address"));
		if (!policy_member_octet(src, &pos, &lo))
			return (NULL);
		hi = lo;
		count++;
		if (pos < s.len && s.ptr[pos] == '-') {
			size_t	at = ++pos;

			if (!policy_member_octet(src, &pos, &hi))
				return (NULL);
			if (hi < lo)
				return (policy_member_fail(src, at,
				    "IPv4 range is reversed (low end "
				    "first)"));
			if (pos < s.len && s.ptr[pos] == '.')
				pos++;
			if (pos < s.len)
				return (policy_member_fail(src, pos,
				    "a range must be the last octet "
				    "given"));
			break;
		}
		if (pos == s.len)
			break;
		if (s.ptr[pos] != '.')
			return (policy_member_fail(src, pos,
			    "unexpected character in an IPv4 address"));
		pos++;
		if (pos == s.len) {
			if (count == 4)
				return (policy_member_fail(src, pos - 1,
				    "trailing dot after a full IPv4 "
				    "address"));
			break;
		}
		addr[count - 1] = (unsigned char) lo;
	}
	mp = policy_member_new(POLICY_MEMBER_RANGE, s);
	mp->family = AF_INET;
	memcpy(mp->lo, addr, 4);
	memcpy(mp->hi, addr, 4);
	mp->lo[count - 1] = (unsigned char) lo;
	mp->hi[count - 1] = (unsigned char) hi;
	memset(mp->hi + count, 0xff, (size_t) (4 - count));
	return (mp);
}

/* policy_member_pton6 - IPv6 text in [ptr, ptr + len) to bytes */

static int
policy_member_pton6(const char *ptr, size_t len, unsigned char *out)
{
	char	tmp[INET6_ADDRSTRLEN + 1];

	if (len >= sizeof(tmp))
		return (0);
	memcpy(tmp, ptr, len);
	tmp[len] = 0;
	return (inet_pton(AF_INET6, tmp, out) == 1);
}

/* policy_member_hex_group - is [ptr, ptr + len) 1 to 4 hex digits */

static int
policy_member_hex_group(const char *ptr, size_t len)
{
	size_t	i;

	if (len < 1 || len > 4)
		return (0);
	for (i = 0; i < len; i++) {
		int	ch = (unsigned char) ptr[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')
		    || (ch >= 'A' && ch <= 'F')))
			return (0);
	}
	return (1);
}

/* policy_member_ipv6 - IPv6 address, range or CIDR */

static struct policy_member *
policy_member_ipv6(struct policy_member_src *src)
{
	struct str s = src->s;
	unsigned char addr[16];
	struct policy_member *mp;
	size_t	slash, dash;
	int	plen;

	if (str_chr(s, '/', &slash)) {
		if (!policy_member_pton6(s.ptr, slash, addr))
			return (policy_member_fail(src, 0,
			    "not a valid IPv6 address before \"/\""));
		if (!policy_member_prefix_len(src, slash + 1, 128, &plen))
			return (NULL);
		mp = policy_member_new(POLICY_MEMBER_RANGE, s);
		mp->family = AF_INET6;
		if (!policy_member_mask(mp, addr, 16, plen))
			return (policy_member_host_bits(src, mp, plen));
	} else if (str_chr(s, '-', &dash)) {
		struct str left = str_make(s.ptr, dash);
		struct str right = str_make(s.ptr + dash + 1, s.len - dash - 1);
		unsigned char lo[16], hi[16];

		if (policy_member_pton6(right.ptr, right.len, hi)
		    && policy_member_pton6(left.ptr, left.len, lo)) {
			/* Two whole addresses. */
		} else {
			/* One group written x-y: "a:b:x-y:c:d...". */
			struct buf *tmp = buf_new(INET6_ADDRSTRLEN);
			size_t	colon, yend;
			int	ok;

			if (!str_rchr(left, ':', &colon)
			    || !policy_member_hex_group(left.ptr + colon + 1,
			    left.len - colon - 1)) {
				buf_free(tmp);
				return (policy_member_fail(src, dash,
				    "an IPv6 range needs a hex group or an "
				    "address before \"-\""));
			}
			yend = 0;
			while (yend < right.len && right.ptr[yend] != ':')
				yend++;
			if (!policy_member_hex_group(right.ptr, yend)) {
				buf_free(tmp);
				return (policy_member_fail(src, dash + 1,
				    "an IPv6 range needs a hex group or an "
				    "address after \"-\""));
			}
			buf_append(tmp, left.ptr, left.len);
			buf_append(tmp, right.ptr + yend, right.len - yend);
			ok = policy_member_pton6(tmp->data, tmp->len, lo);
			buf_reset(tmp);
			buf_append(tmp, left.ptr, colon + 1);
			buf_append(tmp, right.ptr, right.len);
			ok = ok && policy_member_pton6(tmp->data, tmp->len, hi);
			buf_free(tmp);
			if (!ok)
				return (policy_member_fail(src, 0,
				    "not a valid IPv6 range"));
		}
		if (memcmp(lo, hi, 16) > 0)
			return (policy_member_fail(src, dash + 1,
			    "IPv6 range is reversed (low end first)"));
		mp = policy_member_new(POLICY_MEMBER_RANGE, s);
		mp->family = AF_INET6;
		memcpy(mp->lo, lo, 16);
		memcpy(mp->hi, hi, 16);
	} else {
		if (!policy_member_pton6(s.ptr, s.len, addr))
			return (policy_member_fail(src, 0,
			    "not a valid IPv6 address"));
		mp = policy_member_new(POLICY_MEMBER_RANGE, s);
		mp->family = AF_INET6;
		memcpy(mp->lo, addr, 16);
		memcpy(mp->hi, addr, 16);
	}

	/*
	 * Peers arrive unmapped (::ffff:a.b.c.d is matched as IPv4), so a
	 * range wholly inside ::ffff:0:0/96 becomes the IPv4 range.
	 */
	{
		struct policy_ip a, b;

		a.family = b.family = AF_INET6;
		memcpy(a.addr, mp->lo, 16);
		memcpy(b.addr, mp->hi, 16);
		policy_ip_unmap(&a);
		policy_ip_unmap(&b);
		if (a.family == AF_INET && b.family == AF_INET) {
			mp->family = AF_INET;
			memset(mp->lo, 0, 16);
			memset(mp->hi, 0, 16);
			memcpy(mp->lo, a.addr, 4);
			memcpy(mp->hi, b.addr, 4);
		}
	}
	return (mp);
}

/* policy_member_score - one SBRS score, in tenths */

static int
policy_member_score(struct policy_member_src *src, size_t off, struct str num,
    int *tenths)
{
	struct buf *tmp;
	size_t	i = 0;
	int	neg = 0, whole = 0, frac = 0, digits = 0;

	num = str_trim(num);
	if (i < num.len && (num.ptr[i] == '-' || num.ptr[i] == '+'))
		neg = num.ptr[i++] == '-';
	while (i < num.len && num.ptr[i] >= '0' && num.ptr[i] <= '9'
	    && digits < 3) {
		whole = whole * 10 + (num.ptr[i++] - '0');
		digits++;
	}
	if (digits > 0 && i < num.len && num.ptr[i] == '.' && i + 2 == num.len
	    && num.ptr[i + 1] >= '0' && num.ptr[i + 1] <= '9') {
		frac = num.ptr[i + 1] - '0';
		i += 2;
	}
	tmp = buf_new(16);
	buf_append(tmp, num.ptr, num.len);
	if (digits == 0 || i != num.len) {
		policy_member_fail(src, off, "SBRS score \"%s\" is not a "
		    "number with at most one decimal", buf_cstr(tmp));
		buf_free(tmp);
		return (0);
	}
	*tenths = whole * 10 + frac;
	if (*tenths > 100) {
		policy_member_fail(src, off, "SBRS score %s is out of range "
		    "-10.0 to 10.0", buf_cstr(tmp));
		buf_free(tmp);
		return (0);
	}
	if (neg)
		*tenths = -*tenths;
	buf_free(tmp);
	return (1);
}

/* policy_member_put_score - append a score in tenths as "-1.4" */

static void
policy_member_put_score(struct buf *bp, int tenths)
{
	int	a = tenths < 0 ? -tenths : tenths;

	buf_printf(bp, "%s%d.%d", tenths < 0 ? "-" : "", a / 10, a % 10);
}

/* policy_member_sbrs - SBRS[lo:hi] or SBRS[none] */

static struct policy_member *
policy_member_sbrs(struct policy_member_src *src)
{
	struct str s = src->s;
	struct str inner;
	struct policy_member *mp;
	struct buf *text;
	size_t	colon, open = sizeof("sbrs[") - 1;
	int	lo, hi;

	if (s.ptr[s.len - 1] != ']')
		return (policy_member_fail(src, s.len,
		    "missing \"]\" at the end of SBRS[...]"));
	inner = str_make(s.ptr + open, s.len - open - 1);
	if (str_caseeq(str_trim(inner), STR_LIT("none"))) {
		mp = policy_member_new(POLICY_MEMBER_SBRS_NONE,
		    STR_LIT("sbrs[none]"));
		return (mp);
	}
	if (!str_chr(inner, ':', &colon))
		return (policy_member_fail(src, open, "SBRS needs "
		    "[low:high] or [none]"));
	if (!policy_member_score(src, open, str_make(inner.ptr, colon), &lo)
	    || !policy_member_score(src, open + colon + 1,
	    str_make(inner.ptr + colon + 1, inner.len - colon - 1), &hi))
		return (NULL);
	if (lo > hi)
		return (policy_member_fail(src, open, "SBRS range is "
		    "reversed (low score first)"));
	text = buf_new(24);
	buf_puts(text, "sbrs[");
	policy_member_put_score(text, lo);
	buf_putc(text, ':');
	policy_member_put_score(text, hi);
	buf_putc(text, ']');
	mp = policy_member_new(POLICY_MEMBER_SBRS, str_make(text->data,
	    text->len));
	buf_free(text);
	mp->sbrs_lo = lo;
	mp->sbrs_hi = hi;
	return (mp);
}

/* policy_member_dnslist - dnslist[zone] */

static struct policy_member *
policy_member_dnslist_parse(struct policy_member_src *src)
{
	struct str s = src->s;
	struct str zone;
	struct policy_member *mp;
	struct buf *text;
	size_t	open = sizeof("dnslist[") - 1, bad;
	const char *why;

	if (s.ptr[s.len - 1] != ']')
		return (policy_member_fail(src, s.len,
		    "missing \"]\" at the end of dnslist[...]"));
	zone = policy_dns_undot(str_make(s.ptr + open, s.len - open - 1));
	if (!policy_dns_check(zone, &bad, &why))
		return (policy_member_fail(src, open + bad,
		    "bad DNS list zone: %s", why));
	text = buf_new(64);
	buf_puts(text, "dnslist[");
	buf_append(text, zone.ptr, zone.len);
	buf_putc(text, ']');
	mp = policy_member_new(POLICY_MEMBER_DNSLIST,
	    str_make(text->data, text->len));
	buf_free(text);
	mp->name = str_dup(zone);
	return (mp);
}

/* policy_member_ptr - ptr:none, ptr:tempfail, ptr:mismatch */

static struct policy_member *
policy_member_ptr(struct policy_member_src *src)
{
	static const struct {
		const char *name;
		enum policy_ptr ptr;
	} kinds[] = {
		{"none", POLICY_PTR_NONE},
		{"tempfail", POLICY_PTR_TEMPFAIL},
		{"mismatch", POLICY_PTR_MISMATCH},
	};
	struct str what = str_make(src->s.ptr + 4, src->s.len - 4);
	struct policy_member *mp;
	struct buf *text;
	size_t	i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!str_caseeq(what, str_from(kinds[i].name)))
			continue;
		text = buf_new(16);
		buf_printf(text, "ptr:%s", kinds[i].name);
		mp = policy_member_new(POLICY_MEMBER_PTR,
		    str_make(text->data, text->len));
		buf_free(text);
		mp->ptr = kinds[i].ptr;
		return (mp);
	}
	return (policy_member_fail(src, 4, "expected ptr:none, ptr:tempfail "
	    "or ptr:mismatch"));
}

/* policy_member_regex - /pattern/ over the verified host name */

static struct policy_member *
policy_member_regex(struct policy_member_src *src)
{
	struct str s = src->s;
	struct policy_member *mp;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE eoff;
	pcre2_code *re;
	int	ecode;

	if (s.len < 3 || s.ptr[s.len - 1] != '/')
		return (policy_member_fail(src, s.len, "a pattern is written "
		    "/regex/ and may not be empty"));
	re = pcre2_compile((PCRE2_SPTR) s.ptr + 1, s.len - 2,
	    PCRE2_CASELESS | PCRE2_NEVER_BACKSLASH_C, &ecode, &eoff, NULL);
	if (re == NULL) {
		if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
			return (policy_member_fail(src, eoff + 1,
			    "bad pattern (PCRE2 error %s)", "unknown"));
		return (policy_member_fail(src, eoff + 1, "bad pattern: %s",
		    (const char *) msg));
	}
	(void) pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	mp = policy_member_new(POLICY_MEMBER_REGEX, s);
	mp->re = re;
	mp->mctx = pcre2_match_context_create(NULL);
	if (mp->mctx == NULL)
		msg_fatal("pcre2_match_context_create: out of memory");
	(void) pcre2_set_match_limit(mp->mctx, POLICY_MEMBER_MATCH_LIMIT);
	(void) pcre2_set_depth_limit(mp->mctx, POLICY_MEMBER_DEPTH_LIMIT);
	(void) pcre2_set_heap_limit(mp->mctx, POLICY_MEMBER_HEAP_LIMIT);
	return (mp);
}

/* policy_member_hostname - mail.example.com or .example.com */

static struct policy_member *
policy_member_hostname(struct policy_member_src *src)
{
	struct str s = src->s;
	struct str name = s;
	struct policy_member *mp;
	const char *why;
	size_t	bad, skip = 0;

	if (s.ptr[0] == '.')
		skip = 1;
	name = policy_dns_undot(str_make(s.ptr + skip, s.len - skip));
	if (!policy_dns_check(name, &bad, &why))
		return (policy_member_fail(src, skip + bad,
		    "not an address or host name: %s", why));
	mp = policy_member_new(skip ? POLICY_MEMBER_DOMAIN : POLICY_MEMBER_HOST,
	    s);
	mp->name = str_dup(str_make(s.ptr, skip + name.len));
	return (mp);
}

/* policy_member_ipv4ish - only digits, dots, dashes and a slash */

static int
policy_member_ipv4ish(struct str s)
{
	size_t	i;

	for (i = 0; i < s.len; i++)
		if (!((s.ptr[i] >= '0' && s.ptr[i] <= '9') || s.ptr[i] == '.'
		    || s.ptr[i] == '-' || s.ptr[i] == '/'))
			return (0);
	return (1);
}

/* policy_member_parse - compile one member */

struct policy_member *
policy_member_parse(const char *text, const struct policy_loc *loc,
    struct buf *err)
{
	struct policy_member_src src;
	struct str raw = str_from(text);
	size_t	i;

	src.text = text;
	src.loc = loc;
	src.err = err;
	src.s = str_trim(raw);
	src.base = src.s.len ? (size_t) (src.s.ptr - raw.ptr) : 0;
	if (src.s.len == 0)
		return (policy_member_fail(&src, 0, "empty member"));
	for (i = 0; i < src.s.len; i++)
		if ((unsigned char) src.s.ptr[i] <= ' '
		    || (unsigned char) src.s.ptr[i] >= 0x7f)
			return (policy_member_fail(&src, i,
			    "space, control or non-ASCII character"));

	if (str_caseeq(src.s, STR_LIT("ALL")))
		return (policy_member_new(POLICY_MEMBER_ALL, STR_LIT("ALL")));
	if (str_caseprefix(src.s, STR_LIT("sbrs[")))
		return (policy_member_sbrs(&src));
	if (str_caseprefix(src.s, STR_LIT("dnslist[")))
		return (policy_member_dnslist_parse(&src));
	if (str_caseprefix(src.s, STR_LIT("ptr:")))
		return (policy_member_ptr(&src));
	if (src.s.ptr[0] == '/')
		return (policy_member_regex(&src));
	if (str_chr(src.s, ':', &i))
		return (policy_member_ipv6(&src));
	if (policy_member_ipv4ish(src.s))
		return (policy_member_ipv4(&src));
	return (policy_member_hostname(&src));
}

/* policy_member_match - does the peer satisfy the member */

int
policy_member_match(const struct policy_member *mp,
    const struct policy_peer *peer)
{
	struct str host;
	size_t	i, n;
	pcre2_match_data *md;
	int	rc;

	host = peer->hostname ? policy_dns_undot(str_from(peer->hostname)) :
	    str_make("", 0);
	switch (mp->kind) {
	case POLICY_MEMBER_ALL:
		return (1);
	case POLICY_MEMBER_RANGE:
		if (peer->ip.family != mp->family)
			return (0);
		n = mp->family == AF_INET ? 4 : 16;
		return (memcmp(mp->lo, peer->ip.addr, n) <= 0
		    && memcmp(peer->ip.addr, mp->hi, n) <= 0);
	case POLICY_MEMBER_HOST:
		return (peer->hostname != NULL
		    && str_caseeq(host, policy_dns_undot(str_from(mp->name))));
	case POLICY_MEMBER_DOMAIN:
		n = strlen(mp->name);
		return (peer->hostname != NULL && host.len > n
		    && str_casesuffix(host, str_make(mp->name, n)));
	case POLICY_MEMBER_SBRS:
		return (peer->sbrs_state == POLICY_SBRS_SCORE
		    && peer->sbrs >= mp->sbrs_lo && peer->sbrs <= mp->sbrs_hi);
	case POLICY_MEMBER_SBRS_NONE:
		return (peer->sbrs_state == POLICY_SBRS_NONE);
	case POLICY_MEMBER_DNSLIST:
		for (i = 0; i < peer->dnslist_count; i++)
			if (peer->dnslists[i] != NULL && str_caseeq(
			    policy_dns_undot(str_from(peer->dnslists[i])),
			    str_from(mp->name)))
				return (1);
		return (0);
	case POLICY_MEMBER_PTR:
		return (peer->hostname == NULL && peer->ptr == mp->ptr);
	case POLICY_MEMBER_REGEX:
		if (peer->hostname == NULL)
			return (0);
		md = pcre2_match_data_create_from_pattern(mp->re, NULL);
		if (md == NULL)
			msg_fatal("pcre2_match_data_create: out of memory");
		rc = pcre2_match(mp->re, (PCRE2_SPTR) host.ptr, host.len, 0, 0,
		    md, mp->mctx);
		pcre2_match_data_free(md);
		if (rc >= 0)
			return (1);
		if (rc == PCRE2_ERROR_NOMATCH)
			return (0);
		msg_warn("sender group member %s: pattern match failed "
		    "(PCRE2 error %d) on host name \"%.*s\"", mp->text, rc,
		    (int) host.len, host.ptr);
		return (POLICY_ERROR);
	}
	msg_panic("policy_member_match: bad member kind %d", (int) mp->kind);
}

/* policy_member_text - the member as the mail log prints it */

const char *
policy_member_text(const struct policy_member *mp)
{
	return (mp->text);
}

/* policy_member_dnslist - zone of a dnslist member, else NULL */

const char *
policy_member_dnslist(const struct policy_member *mp)
{
	return (mp->kind == POLICY_MEMBER_DNSLIST ? mp->name : NULL);
}

/* policy_member_same - do two members match the same peers */

int
policy_member_same(const struct policy_member *a,
    const struct policy_member *b)
{
	if (a->kind != b->kind)
		return (0);
	switch (a->kind) {
	case POLICY_MEMBER_RANGE:
		return (a->family == b->family
		    && memcmp(a->lo, b->lo, 16) == 0
		    && memcmp(a->hi, b->hi, 16) == 0);
	case POLICY_MEMBER_HOST:
	case POLICY_MEMBER_DOMAIN:
	case POLICY_MEMBER_DNSLIST:
		return (str_caseeq(policy_dns_undot(str_from(a->name)),
		    policy_dns_undot(str_from(b->name))));
	case POLICY_MEMBER_SBRS:
		return (a->sbrs_lo == b->sbrs_lo && a->sbrs_hi == b->sbrs_hi);
	case POLICY_MEMBER_SBRS_NONE:
	case POLICY_MEMBER_ALL:
		return (1);
	case POLICY_MEMBER_PTR:
		return (a->ptr == b->ptr);
	case POLICY_MEMBER_REGEX:
		return (strcmp(a->text, b->text) == 0);
	}
	msg_panic("policy_member_same: bad member kind %d", (int) a->kind);
}

/* policy_member_uses_sbrs - does the member need the SenderBase score */

int
policy_member_uses_sbrs(const struct policy_member *mp)
{
	return (mp->kind == POLICY_MEMBER_SBRS
	    || mp->kind == POLICY_MEMBER_SBRS_NONE);
}

/* policy_member_hex - append bytes as lower-case hex */

static void
policy_member_hex(struct buf *key, const void *ptr, size_t len)
{
	const unsigned char *cp = ptr;
	size_t	i;

	for (i = 0; i < len; i++)
		buf_printf(key, "%02x", cp[i]);
}

/* policy_member_key - canonical key: equal iff policy_member_same() */

void
policy_member_key(const struct policy_member *mp, struct buf *key)
{
	struct str name;

	buf_printf(key, "%d:", (int) mp->kind);
	switch (mp->kind) {
	case POLICY_MEMBER_RANGE:
		buf_printf(key, "%d:", mp->family);
		policy_member_hex(key, mp->lo, sizeof(mp->lo));
		buf_putc(key, '-');
		policy_member_hex(key, mp->hi, sizeof(mp->hi));
		return;
	case POLICY_MEMBER_HOST:
	case POLICY_MEMBER_DOMAIN:
	case POLICY_MEMBER_DNSLIST:
		/* Case does not matter: the key is compared without it. */
		name = policy_dns_undot(str_from(mp->name));
		buf_append(key, name.ptr, name.len);
		return;
	case POLICY_MEMBER_SBRS:
		buf_printf(key, "%d:%d", mp->sbrs_lo, mp->sbrs_hi);
		return;
	case POLICY_MEMBER_SBRS_NONE:
	case POLICY_MEMBER_ALL:
		return;
	case POLICY_MEMBER_PTR:
		buf_printf(key, "%d", (int) mp->ptr);
		return;
	case POLICY_MEMBER_REGEX:
		/* Case matters in a pattern's text: hex keeps it. */
		policy_member_hex(key, mp->text, strlen(mp->text));
		return;
	}
	msg_panic("policy_member_key: bad member kind %d", (int) mp->kind);
}
