/*
 * NAME
 *	tlsmatrix_test - the TLS policy lab matrix against the shipped one
 * DESCRIPTION
 *	Runs "mtactl tlsmatrix" as an operator would: the whole matrix
 *	once, compared with lab/expected.json (it must exit 0), with the
 *	JSON, Markdown and TLS-RPT outputs checked for what they must
 *	hold; a one-cell run against a deliberately wrong expectation (it
 *	must exit 1 and name the cell); and command line errors (exit 2).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "buf.h"

#include "tsupport.h"

TestSuite(tlsmatrix, .init = tsup_init, .fini = tsup_fini, .timeout = 600);

/* tlsmatrix_expected - the shipped expected matrix */

static const char *
tlsmatrix_expected(void)
{
	const char *src = getenv("MTA_SRCDIR");

	return (tsup_strf("%s/lab/expected.json", src ? src : "."));
}

/* tlsmatrix_run - run mtactl tlsmatrix with arguments; its exit status */

static int
tlsmatrix_run(const char *const *args, struct buf *out)
{
	const char *argv[32];
	size_t	n = 0;

	argv[n++] = tsup_proc_bin("mtactl");
	argv[n++] = "tlsmatrix";
	argv[n++] = "--mtad";
	argv[n++] = tsup_proc_bin("mtad");
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	return (tsup_run(argv, NULL, 0, 540000, out));
}

/* tlsmatrix_cell - the outcome of one cell in --json output */

static const char *
tlsmatrix_cell(json_t *root, const char *dir, const char *peer,
    const char *policy)
{
	json_t *cells = json_object_get(root, dir);
	json_t *c;
	size_t	i;

	json_array_foreach(cells, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "peer")),
		    peer) == 0 && strcmp(json_string_value(json_object_get(c,
		    "policy")), policy) == 0)
			return (json_string_value(json_object_get(c,
			    "outcome")));
	}
	return (NULL);
}

Test(tlsmatrix, full_matrix_matches_expected)
{
	const char *json = tsup_tmp_path("matrix.json");
	const char *md = tsup_tmp_path("report.md");
	const char *rpt = tsup_tmp_path("tlsrpt.json");
	struct buf *out = buf_new(0);
	struct buf *text = buf_new(0);
	json_error_t jerr;
	json_t *root, *reports, *r;
	size_t	i;
	int	status;
	/* Cells whose outcome says the run really exercised the gateway. */
	static const struct {
		const char *label;
		const char *dir;
		const char *peer;
		const char *policy;
		const char *want;
	} cases[] = {
		{"clear text without STARTTLS", "outbound", "nostarttls",
		"preferred", "clear"},
		{"required defers without STARTTLS", "outbound", "nostarttls",
		"required", "deferred"},
		{"no fallback after 220", "outbound", "hangup", "preferred",
		"deferred"},
		{"verified chain", "outbound", "valid", "required_verify",
		"verified"},
		{"expired under required_verify", "outbound", "expired",
		"required_verify", "deferred"},
		{"expired under preferred_verify", "outbound", "expired",
		"preferred_verify", "tls"},
		{"1024-bit DHE", "outbound", "dhe1024", "preferred",
		"deferred"},
		{"inbound required, no TLS", "inbound", "notls", "required",
		"rejected"},
		{"inbound TLS 1.3 only", "inbound", "tls13only", "preferred",
		"dropped"},
		{"inbound self-signed client cert", "inbound",
		"cert-selfsigned", "preferred_verify", "rejected"},
	};

	status = tsup_run_sh(out, 540000, "%s tlsmatrix --mtad %s --json "
	    "--expect %s --markdown %s --tlsrpt %s > %s",
	    tsup_proc_bin("mtactl"), tsup_proc_bin("mtad"),
	    tlsmatrix_expected(), md, rpt, json);
	cr_assert_eq(status, 0, "mtactl tlsmatrix --expect exited %d:\n%s",
	    status, out->len ? out->data : "");

	root = json_load_file(json, 0, &jerr);
	cr_assert_not_null(root, "--json output: %s", jerr.text);
	cr_assert_eq(json_array_size(json_object_get(root, "outbound")),
	    15 * 5, "outbound cells");
	cr_assert_eq(json_array_size(json_object_get(root, "inbound")),
	    8 * 5, "inbound cells");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = tlsmatrix_cell(root, cases[i].dir,
		    cases[i].peer, cases[i].policy);

		cr_expect(got && strcmp(got, cases[i].want) == 0,
		    "%s: %s %s/%s: want %s, got %s", cases[i].label,
		    cases[i].dir, cases[i].peer, cases[i].policy,
		    cases[i].want, got ? got : "(no cell)");
	}
	json_decref(root);

	tsup_tmp_read(md, text);
	cr_expect(strstr(text->data, "| `valid` |") != NULL
	    || strstr(text->data, "| valid |") != NULL,
	    "the Markdown report has no row for valid");
	cr_expect(strstr(text->data, "TLS success protocol") != NULL,
	    "the Markdown report quotes no mail log line");

	reports = json_load_file(rpt, 0, &jerr);
	cr_assert_not_null(reports, "--tlsrpt %s: %s", rpt, jerr.text);
	cr_assert_eq(json_array_size(reports), 4, "one report per TLS level "
	    "but None");
	json_array_foreach(reports, i, r) {
		cr_expect(json_is_string(json_object_get(r, "report-id")),
		    "report %zu: no report-id", i);
		cr_expect_eq(json_array_size(json_object_get(r, "policies")),
		    15, "report %zu: one policy per destination", i);
	}
	json_decref(reports);
	buf_free(out);
	buf_free(text);
}

Test(tlsmatrix, difference_fails)
{
	static const char text[] =
	    "{\"outbound\": {\"valid\": {\"required\": \"clear\"}}}\n";
	const char *wrong = tsup_tmp_write("wrong.json", text,
	    sizeof(text) - 1);
	const char *args[] = {"--outbound", "--policy", "required", "--peer",
	"valid", "--expect", NULL, NULL};
	struct buf *out = buf_new(0);
	int	status;

	args[6] = wrong;
	status = tlsmatrix_run(args, out);
	cr_assert_eq(status, 1, "a difference must exit 1, got %d:\n%s",
	    status, out->data);
	cr_assert_not_null(strstr(out->data, "outbound valid/required: "
	    "expected clear, got tls"), "difference not listed:\n%s",
	    out->data);
	buf_free(out);
}

Test(tlsmatrix, command_line_errors)
{
	static const struct {
		const char *label;
		const char *args[4];
		const char *want;
	} cases[] = {
		{"unknown policy", {"--policy", "sometimes", NULL},
		"no such policy"},
		{"unknown peer", {"--peer", "nobody", NULL},
		"no such peer"},
		{"missing value", {"--expect", NULL}, "needs a value"},
		{"unknown option", {"--colour", "red", NULL},
		"unknown option"},
		{"bad timeout", {"--timeout", "0", NULL}, "--timeout"},
	};
	struct buf *out = buf_new(0);
	size_t	i;
	int	status;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(out);
		status = tlsmatrix_run(cases[i].args, out);
		cr_expect_eq(status, 2, "%s: exit %d, want 2", cases[i].label,
		    status);
		cr_expect(out->len && strstr(out->data, cases[i].want),
		    "%s: no \"%s\" in:\n%s", cases[i].label, cases[i].want,
		    out->len ? out->data : "");
	}
	buf_free(out);
}
