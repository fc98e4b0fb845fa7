/*
 * NAME
 *	logs_repr_test - unit tests for logs/logs_repr
 * DESCRIPTION
 *	The wanted strings of the repr() table were produced by Python
 *	3.11's own repr() (Unicode 14) for the same code points; the
 *	malformed UTF-8 cases follow the escaping documented in
 *	logs_repr.h (each bad byte as \xNN).
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "str.h"
#include "logs_repr.h"

struct repr_case {
	const char *label;
	const char *input;
	size_t	len;
	const char *want;
};

static const struct repr_case repr_cases[] = {
	{"empty", "", 0, "''"},
	{"plain", "Hello", 5, "'Hello'"},
	{"single quote picks double", "it's", 4, "\"it's\""},
	{"double quote stays single", "say \"hi\"", 8, "'say \"hi\"'"},
	{"both quotes escape single", "it's \"x\"", 8, "'it\\'s \"x\"'"},
	{"only double quote", "\"", 1, "'\"'"},
	{"backslash and single quote", "\\'", 2, "\"\\\\'\""},
	{"backslash", "a\\b", 3, "'a\\\\b'"},
	{"tab newline cr", "a\x09""b\x0a""c\x0d""d", 7, "'a\\tb\\nc\\rd'"},
	{"folded subject", "=?x?=\r\n\t=?y?=", 13, "'=?x?=\\r\\n\\t=?y?='"},
	{"nul and bell", "a\x00""b\x07""", 4, "'a\\x00b\\x07'"},
	{"escape", "\x1b""[0m", 4, "'\\x1b[0m'"},
	{"delete", "x\x7f""y", 3, "'x\\x7fy'"},
	{"latin1 printable", "caf\xc3""\xa9""", 5, "'caf\xc3""\xa9""'"},
	{"nbsp escaped", "a\xc2""\xa0""b", 4, "'a\\xa0b'"},
	{"soft hyphen", "a\xc2""\xad""b", 4, "'a\\xadb'"},
	{"c1 control", "\xc2""\x85""", 2, "'\\x85'"},
	{"cjk", "\xe6\xbc\xa2\xe5\xad\x97", 6,
	"'\xe6\xbc\xa2\xe5\xad\x97'"},
	{"emoji", "\xf0""\x9f""\x98""\x80""", 4, "'\xf0""\x9f""\x98""\x80""'"},
	{"zero width space", "\xe2""\x80""\x8b""", 3, "'\\u200b'"},
	{"line separator", "\xe2""\x80""\xa8""", 3, "'\\u2028'"},
	{"ideographic space", "\xe3""\x80""\x80""", 3, "'\\u3000'"},
	{"byte order mark", "\xef""\xbb""\xbf""", 3, "'\\ufeff'"},
	{"private use", "\xee""\x80""\x80""", 3, "'\\ue000'"},
	{"cjk extension g", "\xf0\xb0\x80\x80", 4,
	"'\xf0\xb0\x80\x80'"},
	{"unassigned", "\xf0""\xbf""\xbf""\xbd""", 4, "'\\U0003fffd'"},
	{"tag character", "\xf3""\xa0""\x80""\x81""", 4, "'\\U000e0001'"},
	{"last code point", "\xf4""\x8f""\xbf""\xbf""", 4, "'\\U0010ffff'"},
	/* Malformed UTF-8: every byte that is not part of a good sequence. */
	{"stray continuation", "a\x80""b", 3, "'a\\x80b'"},
	{"truncated sequence", "\xe2\x82", 2, "'\\xe2\\x82'"},
	{"truncated then ascii", "\xe2\x82""A", 3, "'\\xe2\\x82A'"},
	{"overlong slash", "\xc0\xaf", 2, "'\\xc0\\xaf'"},
	{"overlong three byte", "\xe0\x80\xaf", 3, "'\\xe0\\x80\\xaf'"},
	{"encoded surrogate", "\xed\xa0\x80", 3, "'\\xed\\xa0\\x80'"},
	{"above U+10FFFF", "\xf4\x90\x80\x80", 4, "'\\xf4\\x90\\x80\\x80'"},
	{"invalid lead ff then good", "\xff\xc3\xa9", 3, "'\\xff\xc3\xa9'"},
	{"quote after bad byte", "\xff'", 2, "\"\\xff'\""},
};

Test(logs_repr, str_table)
{
	struct buf *bp = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(repr_cases) / sizeof(repr_cases[0]); i++) {
		const struct repr_case *c = repr_cases + i;

		buf_reset(bp);
		logs_repr_str(bp, str_make(c->input, c->len));
		cr_expect(bp->len == strlen(c->want)
		    && memcmp(bp->data, c->want, bp->len) == 0,
		    "%s: got [%s] want [%s]", c->label, bp->data, c->want);
	}
	buf_free(bp);
}

Test(logs_repr, str_appends)
{
	struct buf *bp = buf_new(0);

	buf_puts(bp, "Subject ");
	logs_repr_cstr(bp, "x");
	cr_assert_str_eq(bp->data, "Subject 'x'");
	buf_free(bp);
}

struct rids_case {
	const char *label;
	unsigned rids[4];
	size_t	count;
	const char *want;
};

Test(logs_repr, rids_table)
{
	static const struct rids_case cases[] = {
		{"empty", {0}, 0, "[]"},
		{"one", {0}, 1, "[0]"},
		{"two", {0, 1}, 2, "[0, 1]"},
		{"large", {712290, 7, 4294967295U}, 3,
		"[712290, 7, 4294967295]"},
	};
	struct buf *bp = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(bp);
		logs_repr_rids(bp, cases[i].rids, cases[i].count);
		cr_expect_str_eq(bp->data, cases[i].want, "%s", cases[i].label);
	}
	buf_free(bp);
}

struct reply_case {
	const char *label;
	const char *code;
	const char *lines[3];
	size_t	count;
	const char *want;
};

Test(logs_repr, reply_table)
{
	static const struct reply_case cases[] = {
		/* UG-9.1 Bounced example */
		{"relaying denied", "550",
		{"<george@yourdomain.com>... Relaying denied"}, 1,
		"('550', ['<george@yourdomain.com>... Relaying denied'])"},
		/* STW: two spaces before NXDomain kept */
		{"dns hard error", "000",
		{"DNS Hard Error looking up BMQ-WIN.RUN (MX):  NXDomain"}, 1,
		"('000', ['DNS Hard Error looking up BMQ-WIN.RUN (MX):  "
		"NXDomain'])"},
		/* ELA: a line with ' switches to double quotes */
		{"apostrophe line", "550",
		{"5.1.1 The email account that you tried to reach does not "
		"exist. Please try", "5.1.1 double-checking the recipient's "
		"email address for typos or"}, 2,
		"('550', ['5.1.1 The email account that you tried to reach "
		"does not exist. Please try', \"5.1.1 double-checking the "
		"recipient's email address for typos or\"])"},
		{"no lines", "421", {NULL}, 0, "('421', [])"},
	};
	struct buf *bp = buf_new(0);
	struct str lines[3];
	size_t	i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < cases[i].count; j++)
			lines[j] = str_from(cases[i].lines[j]);
		buf_reset(bp);
		logs_repr_reply(bp, cases[i].code, lines, cases[i].count);
		cr_expect_str_eq(bp->data, cases[i].want, "%s", cases[i].label);
	}
	buf_free(bp);
}

struct ssl_case {
	const char *label;
	unsigned long packed;
	const char *func;
	const char *reason;
	const char *want;
};

Test(logs_repr, ssl_error_table)
{
	static const struct ssl_case cases[] = {
		/* documented-log-lines.md, 2018 guide, OpenSSL 1.0.1 names */
		{"no shared cipher", 0x1408A0C1UL, "SSL3_GET_CLIENT_HELLO",
		"no shared cipher",
		"(336109761, 'error:1408A0C1:SSL routines:"
		"SSL3_GET_CLIENT_HELLO:no shared cipher')"},
		/* documented-log-lines.md, 2024 guide, OpenSSL 1.1.1 names */
		{"unsupported protocol", 0x14209102UL,
		"tls_early_post_process_client_hello", "unsupported protocol",
		"(337678594, 'error:14209102:SSL routines:"
		"tls_early_post_process_client_hello:unsupported protocol')"},
		{"protocol version alert", 0x1409442EUL, "ssl3_read_bytes",
		"tlsv1 alert protocol version",
		"(336151598, 'error:1409442E:SSL routines:ssl3_read_bytes:"
		"tlsv1 alert protocol version')"},
		/* vocabulary section 9: ESA gui_logs tuple */
		{"certificate unknown", 336151574UL, "ssl3_read_bytes",
		"sslv3 alert certificate unknown",
		"(336151574, 'error:14094416:SSL routines:ssl3_read_bytes:"
		"sslv3 alert certificate unknown')"},
		{"leading zero hex", 0x0000002AUL, "f", "r",
		"(42, 'error:0000002A:SSL routines:f:r')"},
	};
	struct buf *bp = buf_new(0);
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(bp);
		logs_repr_ssl_error(bp, cases[i].packed, cases[i].func,
		    cases[i].reason);
		cr_expect_str_eq(bp->data, cases[i].want, "%s", cases[i].label);
	}
	buf_free(bp);
}
