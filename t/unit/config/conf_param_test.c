/*
 * NAME
 *	conf_param_test - the parameter table and the scalar parsers
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"

#include "conf.h"
#include "conf_param.h"

struct parse_case {
	const char *label;
	enum conf_scope scope;
	const char *path;
	const char *text;
	int	ok;
	long long want;			/* numbers */
	const char *why;		/* when !ok */
};

Test(conf_param, parse_table)
{
	static const struct parse_case cases[] = {
		{"int", CONF_SCOPE_LISTENER, "port", "2601", 1, 2601, NULL},
		{"int min", CONF_SCOPE_LISTENER, "port", "1", 1, 1, NULL},
		{"int max", CONF_SCOPE_LISTENER, "port", "65535", 1, 65535,
			NULL},
		{"int over", CONF_SCOPE_LISTENER, "port", "65536", 0, 0,
			"65536 is out of range 1..65535"},
		{"int sign", CONF_SCOPE_LISTENER, "port", "+25", 0, 0,
			"\"+25\" is not an integer"},
		{"int space", CONF_SCOPE_LISTENER, "port", "25 ", 0, 0,
			"\"25 \" is not an integer"},
		{"int huge", CONF_SCOPE_LISTENER, "port",
			"99999999999999999999", 0, 0,
			"\"99999999999999999999\" is not an integer"},
		{"negative int", CONF_SCOPE_POLICY, "max_rcpts_per_hour", "-1",
			1, -1, NULL},
		{"below -1", CONF_SCOPE_POLICY, "max_rcpts_per_hour", "-2", 0,
			0, "-2 is out of range -1..1000000000"},
		{"size plain", CONF_SCOPE_POLICY, "max_message_size", "2048",
			1, 2048, NULL},
		{"size K", CONF_SCOPE_POLICY, "max_message_size", "64K", 1,
			65536, NULL},
		{"size m", CONF_SCOPE_POLICY, "max_message_size", "10m", 1,
			10485760, NULL},
		{"size G", CONF_SCOPE_POLICY, "max_message_size", "1G", 1,
			1073741824, NULL},
		{"size too small", CONF_SCOPE_POLICY, "max_message_size", "10",
			0, 0, "10 is out of range 1K..1G"},
		{"size two suffixes", CONF_SCOPE_POLICY, "max_message_size",
			"1MK", 0, 0, "\"1MK\" is not a size (a number with an "
			"optional K, M or G suffix)"},
		{"size suffix only", CONF_SCOPE_POLICY, "max_message_size",
			"M", 0, 0, "\"M\" is not a size (a number with an "
			"optional K, M or G suffix)"},
		{"duration s", CONF_SCOPE_BOUNCE, "max_queue_lifetime",
			"259200s", 1, 259200, NULL},
		{"duration h", CONF_SCOPE_BOUNCE, "max_queue_lifetime", "72h",
			1, 259200, NULL},
		{"duration d", CONF_SCOPE_BOUNCE, "max_queue_lifetime", "3d",
			1, 259200, NULL},
		{"duration bare", CONF_SCOPE_BOUNCE, "initial_retry", "90", 1,
			90, NULL},
		{"duration m", CONF_SCOPE_BOUNCE, "initial_retry", "2m", 1,
			120, NULL},
		{"duration overflow", CONF_SCOPE_BOUNCE, "initial_retry",
			"9223372036854775807d", 0, 0, "\"9223372036854775807d\""
			" is not a duration (a number with an optional s, m, h "
			"or d suffix)"},
		{"bool true", CONF_SCOPE_POLICY, "tls_verify_client", "true",
			1, 1, NULL},
		{"bool false", CONF_SCOPE_POLICY, "tls_verify_client", "false",
			1, 0, NULL},
		{"bool yes", CONF_SCOPE_POLICY, "tls_verify_client", "yes", 0,
			0, "\"yes\" is not a boolean (true or false)"},
		{"enum first", CONF_SCOPE_POLICY, "connection", "accept", 1,
			CONF_CONN_ACCEPT, NULL},
		{"enum last", CONF_SCOPE_POLICY, "connection", "tcprefuse", 1,
			CONF_CONN_TCPREFUSE, NULL},
		{"enum case matters", CONF_SCOPE_POLICY, "connection",
			"ACCEPT", 0, 0, "\"ACCEPT\" is not one of accept, "
			"relay, "
			"reject or tcprefuse"},
		{"enum prefix", CONF_SCOPE_POLICY, "connection", "acc", 0, 0,
			"\"acc\" is not one of accept, relay, reject or "
			"tcprefuse"},
		{"multi-line string", CONF_SCOPE_POLICY, "smtp_banner_text",
			"a\r\nb", 0, 0, "must be a single line"},
		{"ipv6 address", CONF_SCOPE_LISTENER, "address", "::1", 1, 0,
			NULL},
		{"bad address", CONF_SCOPE_LISTENER, "address", "1.2.3", 0, 0,
			"\"1.2.3\" is not a numeric IPv4 or IPv6 address"},
	};
	union {
		int	i;
		long long ll;
		char   *s;
	}	val;
	const struct conf_param *pp;
	struct buf why;
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pp = conf_param_find(cases[i].scope, cases[i].path);
		cr_assert_not_null(pp, "%s: no parameter", cases[i].label);
		memset(&val, 0, sizeof(val));
		buf_init(&why, 0);
		rc = conf_param_parse(pp, cases[i].text, &val, &why);
		cr_expect_eq(rc, cases[i].ok ? 0 : -1, "%s: rc %d (%s)",
		    cases[i].label, rc, buf_cstr(&why));
		if (rc == 0 && (pp->kind == CONF_K_SIZE
		    || pp->kind == CONF_K_DURATION))
			cr_expect_eq(val.ll, cases[i].want, "%s: %lld",
			    cases[i].label, val.ll);
		else if (rc == 0 && pp->kind != CONF_K_ADDRESS)
			cr_expect_eq(val.i, cases[i].want, "%s: %d",
			    cases[i].label, val.i);
		else if (rc == 0)
			mem_free(val.s);
		if (!cases[i].ok)
			cr_expect_str_eq(buf_cstr(&why), cases[i].why,
			    "%s: why %s", cases[i].label, buf_cstr(&why));
		buf_fini(&why);
	}
}

struct format_case {
	const char *label;
	enum conf_scope scope;
	const char *path;
	long long value;
	const char *want;
};

Test(conf_param, format_table)
{
	static const struct format_case cases[] = {
		{"size M", CONF_SCOPE_POLICY, "max_message_size", 10485760,
			"10M"},
		{"size odd", CONF_SCOPE_POLICY, "max_message_size", 1500,
			"1500"},
		{"size zero", CONF_SCOPE_GLOBAL, "log.rotate_size", 0, "0"},
		{"duration d", CONF_SCOPE_BOUNCE, "max_queue_lifetime", 259200,
			"3d"},
		{"duration h", CONF_SCOPE_BOUNCE, "max_queue_lifetime", 7200,
			"2h"},
		{"duration s", CONF_SCOPE_BOUNCE, "max_queue_lifetime", 61,
			"61s"},
	};
	const struct conf_param *pp;
	struct buf out;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pp = conf_param_find(cases[i].scope, cases[i].path);
		cr_assert_not_null(pp);
		buf_init(&out, 0);
		conf_param_format(pp, &cases[i].value, &out);
		cr_expect_str_eq(buf_cstr(&out), cases[i].want, "%s: %s",
		    cases[i].label, buf_cstr(&out));
		buf_fini(&out);
	}
}

Test(conf_param, quote_table)
{
	static const struct {
		const char *in;
		const char *want;
	}	cases[] = {
		{"plain", "plain"},
		{"Data 1", "Data 1"},
		{"", "\"\""},
		{"true", "\"true\""},
		{"off", "\"off\""},
		{"127.0.0.1", "\"127.0.0.1\""},
		{"a: b", "\"a: b\""},
		{"#x", "\"#x\""},
		{"x #y", "\"x #y\""},
		{"say \"hi\"", "say \"hi\""},
		{"-o", "\"-o\""},
		{"tab\there", "\"tab\\x09here\""},
		{"back\\slash", "\"back\\\\slash\""},
		{"trailing ", "\"trailing \""},
	};
	struct buf out;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&out, 0);
		conf_param_quote(cases[i].in, &out);
		cr_expect_str_eq(buf_cstr(&out), cases[i].want, "[%s] -> %s",
		    cases[i].in, buf_cstr(&out));
		buf_fini(&out);
	}
}

struct enum_case {
	enum conf_scope scope;
	const char *path;
	const char *word;
	int	want;
};

Test(conf_param, enum_words_match_c_enums)
{
	static const struct enum_case cases[] = {
		{CONF_SCOPE_GLOBAL, "log.dialect", "asyncos4",
			CONF_LOG_ASYNCOS4},
		{CONF_SCOPE_GLOBAL, "log.openssl_error_style", "1.0.1",
			CONF_OPENSSL_101},
		{CONF_SCOPE_GLOBAL, "log.syslog.facility", "local7",
			CONF_FACILITY_LOCAL7},
		{CONF_SCOPE_GLOBAL, "log.syslog.facility", "user",
			CONF_FACILITY_USER},
		{CONF_SCOPE_GLOBAL, "log.dialect", "modern", CONF_LOG_MODERN},
		{CONF_SCOPE_LISTENER, "type", "blackhole",
			CONF_LISTENER_BLACKHOLE},
		{CONF_SCOPE_POLICY, "connection", "tcprefuse",
			CONF_CONN_TCPREFUSE},
		{CONF_SCOPE_POLICY, "tls", "required", CONF_TLS_REQUIRED},
		{CONF_SCOPE_POLICY, "smtp_auth", "preferred",
			CONF_AUTH_PREFERRED},
		{CONF_SCOPE_DEST, "tls", "preferred_verify",
			CONF_TLS_OUT_PREFERRED_VERIFY},
		{CONF_SCOPE_DEST, "tls", "required_verify",
			CONF_TLS_OUT_REQUIRED_VERIFY},
		{CONF_SCOPE_DEST, "dane", "mandatory", CONF_DANE_MANDATORY},
		{CONF_SCOPE_DEST, "limit_per", "mx_ip", CONF_LIMIT_PER_MX_IP},
		{CONF_SCOPE_DEST, "ip_sort", "require_v4", CONF_IP_REQUIRE_V4},
	};
	const struct conf_param *pp;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pp = conf_param_find(cases[i].scope, cases[i].path);
		cr_assert_not_null(pp, "%s", cases[i].path);
		cr_expect_eq(conf_param_enum_index(pp, cases[i].word),
		    cases[i].want, "%s %s", cases[i].path, cases[i].word);
	}
}

Test(conf_param, table_is_well_formed)
{
	const struct conf_param *pp, *qp;
	struct buf why;
	size_t	i, j;
	union {
		int	i;
		long long ll;
		char   *s;
	}	val;

	for (i = 0; i < conf_param_count; i++) {
		pp = &conf_params[i];
		cr_expect(pp->doc != NULL && strlen(pp->doc) > 5, "%s: doc",
		    pp->path);
		cr_expect(pp->min <= pp->max || pp->kind == CONF_K_ENUM
		    || pp->kind == CONF_K_BOOL || pp->kind == CONF_K_ADDRESS,
		    "%s: bounds", pp->path);
		cr_expect_eq(pp->kind == CONF_K_ENUM, pp->words != NULL,
		    "%s: words", pp->path);
		if (pp->scope == CONF_SCOPE_POLICY || pp->scope
		    == CONF_SCOPE_DEST)
			cr_expect(pp->index >= 0 && pp->index < 32, "%s: index",
			    pp->path);
		for (j = 0; j < i; j++) {
			qp = &conf_params[j];
			cr_expect(qp->scope != pp->scope
			    || strcmp(qp->path, pp->path) != 0,
			    "%s: listed twice", pp->path);
		}
		if (pp->def == NULL)
			continue;
		memset(&val, 0, sizeof(val));
		buf_init(&why, 0);
		cr_expect_eq(conf_param_parse(pp, pp->def, &val, &why), 0,
		    "%s: default %s: %s", pp->path, pp->def, buf_cstr(&why));
		buf_fini(&why);
		if (pp->kind >= CONF_K_STRING && pp->kind != CONF_K_ENUM)
			mem_free(val.s);
	}
	cr_expect_eq(conf_param_find(CONF_SCOPE_GLOBAL, "nope"), NULL);
	cr_expect_str_eq(conf_param_prefix(CONF_SCOPE_LISTENER),
	    "listeners[].");
}
