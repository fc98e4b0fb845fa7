/*
 * NAME
 *	conf_doc_test - docs/configuration.md is up to date with the table
 * DESCRIPTION
 *	Regenerates the reference from config/configuration.md.in and
 *	compares it with the committed docs/configuration.md ("make
 *	config-doc" refreshes it). MTA_SRCDIR names the source tree.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"

#include "conf.h"
#include "conf_doc.h"
#include "conf_param.h"

/* slurp - read a source file */

static void
slurp(const char *rel, struct buf *out)
{
	const char *src = getenv("MTA_SRCDIR");
	char	path[4096];
	char	chunk[8192];
	size_t	n;
	FILE   *fp;

	(void) snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(out, chunk, n);
	fclose(fp);
}

Test(conf_doc, committed_reference_is_current)
{
	struct buf template, want, got, errors;
	size_t	i, line = 1;

	buf_init(&template, 0);
	buf_init(&want, 0);
	buf_init(&got, 0);
	buf_init(&errors, 0);
	slurp("config/configuration.md.in", &template);
	slurp("docs/configuration.md", &want);
	cr_assert_eq(conf_doc_write(buf_cstr(&template), &got, &errors), 0,
	    "%s", buf_cstr(&errors));
	for (i = 0; i < got.len && i < want.len && got.data[i] == want.data[i];
	    i++)
		line += got.data[i] == '\n';
	cr_assert(got.len == want.len && i == got.len,
	    "docs/configuration.md is stale from line %zu: run "
	    "\"make config-doc\"", line);
	buf_fini(&template);
	buf_fini(&want);
	buf_fini(&got);
	buf_fini(&errors);
}

Test(conf_doc, every_parameter_is_documented)
{
	struct buf template, got, errors, name;
	size_t	i;

	buf_init(&template, 0);
	buf_init(&got, 0);
	buf_init(&errors, 0);
	buf_init(&name, 0);
	slurp("config/configuration.md.in", &template);
	cr_assert_eq(conf_doc_write(buf_cstr(&template), &got, &errors), 0);
	for (i = 0; i < conf_param_count; i++) {
		buf_reset(&name);
		buf_printf(&name, "| `%s%s` |",
		    conf_param_prefix(conf_params[i].scope),
		    conf_params[i].path);
		cr_expect_not_null(strstr(buf_cstr(&got), buf_cstr(&name)),
		    "%s missing", buf_cstr(&name));
	}
	cr_expect_not_null(strstr(buf_cstr(&got), conf_default_yaml));
	buf_fini(&template);
	buf_fini(&got);
	buf_fini(&errors);
	buf_fini(&name);
}

Test(conf_doc, markers)
{
	static const struct {
		const char *template;
		int	rc;
		const char *want;	/* in the output or the errors */
	}	cases[] = {
		{"a\n@PARAMS bounce@\nb\n", 0,
			"| `bounce_profiles.NAME.max_retries` | integer | "
			"`100` "
			"| 0..10000 |"},
		{"@PARAMS dest@\n", 0, "| `destination_controls.domains."
			"DESTINATION.tls` | enum | `none` | `none`, "
			"`preferred`, `required`, `preferred_verify`, "
			"`required_verify` |"},
		{"@PREDEFINED private@\n", 0, "```yaml\npolicies:\n  RELAYED:"},
		{"x\n@PARAMS nothing@\n", -1,
			"template:2: unknown marker @PARAMS nothing@\n"},
		{"plain text @ here\n", 0, "plain text @ here\n"},
	};
	struct buf out, errors;
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&out, 0);
		buf_init(&errors, 0);
		rc = conf_doc_write(cases[i].template, &out, &errors);
		cr_expect_eq(rc, cases[i].rc, "case %zu", i);
		cr_expect_not_null(strstr(rc == 0 ? buf_cstr(&out) :
		    buf_cstr(&errors), cases[i].want), "case %zu: %s%s", i,
		    buf_cstr(&out), buf_cstr(&errors));
		buf_fini(&out);
		buf_fini(&errors);
	}
}

Test(conf_doc, example_loads)
{
	static const char mark[] = "<!-- example -->\n```yaml\n";
	struct buf template, errors;
	struct conf *cf;
	const char *start, *end;

	buf_init(&template, 0);
	buf_init(&errors, 0);
	slurp("config/configuration.md.in", &template);
	start = strstr(buf_cstr(&template), mark);
	cr_assert_not_null(start, "no example in the template");
	start += sizeof(mark) - 1;
	end = strstr(start, "```\n");
	cr_assert_not_null(end);
	cf = conf_load_string("example", start, (size_t) (end - start),
	    &errors);
	cr_assert_not_null(cf, "the documented example does not load:\n%s",
	    buf_cstr(&errors));
	cr_assert_eq(cf->listener_count, 2);
	cr_assert_eq(conf_policy_find(&cf->listeners[1], "RELAYED")->smtp_auth,
	    CONF_AUTH_REQUIRED);
	conf_free(cf);
	buf_fini(&template);
	buf_fini(&errors);
}
