/*
 * NAME
 *	mtactl_tlsmatrix - the TLS policy lab matrix command
 * DESCRIPTION
 *	See mtactl_tlsmatrix.h. This file parses the command line, finds
 *	the gateway program, and writes the outputs; lab_matrix(3) does
 *	the work.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "lab_matrix.h"
#include "mtactl_tlsmatrix.h"

#define MTACTL_MTAD_DEFAULT	"/usr/sbin/mtad"

/* mtactl_tlsmatrix_usage - the synopsis */

void
mtactl_tlsmatrix_usage(FILE *fp)
{
	(void) fprintf(fp, "  tlsmatrix [--outbound] [--inbound] [--policy P] "
	    "[--peer B] [--json]\n"
	    "            [--markdown FILE] [--tlsrpt FILE] [--expect FILE] "
	    "[--mtad PATH]\n"
	    "            [--timeout SECONDS] [--keep] [--verbose]\n"
	    "      run every TLS policy against every peer behaviour through "
	    "real\n      gateways on loopback\n");
}

/* mtactl_tlsmatrix_mtad - the gateway beside this program, if any */

static char *
mtactl_tlsmatrix_mtad(void)
{
	char	self[PATH_MAX];
	ssize_t	n;
	char   *slash;
	struct buf path;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		if ((slash = strrchr(self, '/')) != NULL) {
			buf_init(&path, 0);
			buf_printf(&path, "%.*s/mtad", (int) (slash - self),
			    self);
			if (access(path.data, X_OK) == 0)
				return (buf_steal(&path));
			buf_fini(&path);
		}
	}
	return (mem_strdup(MTACTL_MTAD_DEFAULT));
}

/* mtactl_tlsmatrix_known - is name a row or column of either direction */

static int
mtactl_tlsmatrix_known(const char *name, int col)
{
	const struct lab_row *rows;
	const struct lab_col *cols;
	size_t	n, i;
	int	d;

	for (d = LAB_OUTBOUND; d <= LAB_INBOUND; d++) {
		if (col) {
			cols = lab_matrix_cols((enum lab_dir) d, &n);
			for (i = 0; i < n; i++)
				if (strcmp(cols[i].name, name) == 0)
					return (1);
		} else {
			rows = lab_matrix_rows((enum lab_dir) d, &n);
			for (i = 0; i < n; i++)
				if (strcmp(rows[i].name, name) == 0)
					return (1);
		}
	}
	return (0);
}

/* mtactl_tlsmatrix_write - write text to a file, or complain */

static int
mtactl_tlsmatrix_write(const char *path, const char *text, size_t len)
{
	FILE   *fp;

	if ((fp = fopen(path, "w")) == NULL
	    || fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		msg_error("%s: %s", path, strerror(errno));
		if (fp)
			(void) fclose(fp);
		return (-1);
	}
	return (0);
}

/* mtactl_tlsmatrix - the command */

int
mtactl_tlsmatrix(int argc, char **argv, int json)
{
	struct lab_matrix_opts opts;
	struct lab_matrix *lm;
	const char *markdown = NULL, *tlsrpt = NULL, *expect = NULL;
	char   *mtad = NULL;
	char   *text;
	struct buf err, out;
	unsigned long secs;
	char   *end;
	json_t *js;
	int	i;
	int	status = 0;
	int	n;

	lab_matrix_opts_init(&opts);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int	takes = 1;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			mtactl_tlsmatrix_usage(stdout);
			mem_free(mtad);
			return (0);
		} else if (strcmp(a, "--outbound") == 0) {
			opts.outbound = 1, takes = 0;
		} else if (strcmp(a, "--inbound") == 0) {
			opts.inbound = 1, takes = 0;
		} else if (strcmp(a, "--json") == 0) {
			json = 1, takes = 0;
		} else if (strcmp(a, "--keep") == 0) {
			opts.keep = 1, takes = 0;
		} else if (strcmp(a, "--verbose") == 0) {
			opts.verbose = 1, takes = 0;
		} else if (v == NULL) {
			msg_error("tlsmatrix: %s: %s", a,
			    strncmp(a, "--", 2) == 0 ? "needs a value" :
			    "unknown argument");
			takes = -1;
		} else if (strcmp(a, "--policy") == 0) {
			opts.policy = v;
			if (!mtactl_tlsmatrix_known(v, 1)) {
				msg_error("tlsmatrix: --policy %s: no such "
				    "policy", v);
				takes = -1;
			}
		} else if (strcmp(a, "--peer") == 0) {
			opts.peer = v;
			if (!mtactl_tlsmatrix_known(v, 0)) {
				msg_error("tlsmatrix: --peer %s: no such peer "
				    "behaviour", v);
				takes = -1;
			}
		} else if (strcmp(a, "--markdown") == 0) {
			markdown = v;
		} else if (strcmp(a, "--tlsrpt") == 0) {
			tlsrpt = v;
		} else if (strcmp(a, "--expect") == 0) {
			expect = v;
		} else if (strcmp(a, "--mtad") == 0) {
			mtad = mem_free(mtad);
			mtad = mem_strdup(v);
		} else if (strcmp(a, "--timeout") == 0) {
			errno = 0;
			secs = strtoul(v, &end, 10);
			if (errno || *end || secs < 1 || secs > 3600) {
				msg_error("tlsmatrix: --timeout %s: expected "
				    "1..3600 seconds", v);
				takes = -1;
			} else
				opts.timeout_ms = (unsigned) secs * 1000;
		} else {
			msg_error("tlsmatrix: unknown option \"%s\"", a);
			takes = -1;
		}
		if (takes < 0) {
			mtactl_tlsmatrix_usage(stderr);
			mem_free(mtad);
			return (2);
		}
		i += takes;
	}
	if (!opts.outbound && !opts.inbound)
		opts.outbound = opts.inbound = 1;
	if (mtad == NULL)
		mtad = mtactl_tlsmatrix_mtad();
	opts.mtad = mtad;

	buf_init(&err, 0);
	buf_init(&out, 0);
	if ((lm = lab_matrix_run(&opts, &err)) == NULL) {
		msg_error("tlsmatrix: %s", err.len ? err.data : "failed");
		status = 1;
		goto done;
	}
	if (json) {
		js = lab_matrix_json(lm);
		text = json_dumps(js, JSON_INDENT(2));
		(void) printf("%s\n", text);
		free(text);
		json_decref(js);
	} else
		lab_matrix_table(lm, stdout);
	(void) fflush(stdout);		/* before any note on stderr */
	if (markdown) {
		lab_matrix_markdown(lm, &out);
		if (mtactl_tlsmatrix_write(markdown, out.data, out.len) != 0)
			status = 1;
	}
	if (tlsrpt) {
		js = lab_matrix_tlsrpt(lm);
		text = json_dumps(js, JSON_INDENT(2));
		if (mtactl_tlsmatrix_write(tlsrpt, text, strlen(text)) != 0)
			status = 1;
		free(text);
		json_decref(js);
	}
	if (expect) {
		buf_reset(&out);
		n = lab_matrix_expect(lm, expect, &out, &err);
		if (n < 0) {
			msg_error("tlsmatrix: --expect %s", err.data);
			status = 1;
		} else if (n > 0) {
			(void) fprintf(stderr, "mtactl: tlsmatrix: %d "
			    "difference%s from %s:\n%s", n, n == 1 ? "" : "s",
			    expect, out.data);
			status = 1;
		} else if (out.len)
			(void) fprintf(stderr, "mtactl: tlsmatrix: as %s, "
			    "with notes:\n%s", expect, out.data);
	}
	(void) lab_matrix_free(lm);
done:
	buf_fini(&err);
	buf_fini(&out);
	mem_free(mtad);
	return (status);
}
