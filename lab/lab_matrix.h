/*
 * NAME
 *	lab_matrix - run every TLS policy against every peer behaviour
 * SYNOPSIS
 *	#include "lab_matrix.h"
 *
 *	void	lab_matrix_opts_init(struct lab_matrix_opts *opts);
 *	struct lab_matrix *lab_matrix_run(const struct lab_matrix_opts *opts,
 *		    struct buf *err);
 *	struct lab_matrix *lab_matrix_free(struct lab_matrix *lm);
 *
 *	const struct lab_row *lab_matrix_rows(enum lab_dir dir, size_t *n);
 *	const struct lab_col *lab_matrix_cols(enum lab_dir dir, size_t *n);
 *	const struct lab_cell *lab_matrix_cell(const struct lab_matrix *lm,
 *		    enum lab_dir dir, const char *row, const char *col);
 *
 *	void	lab_matrix_table(const struct lab_matrix *lm, FILE *fp);
 *	json_t *lab_matrix_json(const struct lab_matrix *lm);
 *	void	lab_matrix_markdown(const struct lab_matrix *lm,
 *		    struct buf *out);
 *	json_t *lab_matrix_tlsrpt(const struct lab_matrix *lm);
 *	int	lab_matrix_expect(const struct lab_matrix *lm,
 *		    const char *path, struct buf *diffs, struct buf *err);
 * DESCRIPTION
 *	A matrix has two halves. Outbound: the rows are behaviours of a
 *	receiving server (lab_peer(3)), the columns the Destination
 *	Controls TLS levels; inbound: the rows are behaviours of a sending
 *	client, the columns listener mail flow policies (TLS off,
 *	preferred, required, and the last two with client certificate
 *	verification). lab_matrix_rows() and lab_matrix_cols() list them
 *	(static tables).
 *
 *	lab_matrix_run() makes a temporary directory with the lab PKI
 *	(lab_certs(3)), starts the peers the selected outbound rows need,
 *	and for each selected column one real gateway (opts->mtad) with its
 *	own configuration, spool and mail log, all on loopback ports the
 *	kernel picks; the gateways run at the same time. For an outbound
 *	cell it submits one message to the gateway's injection listener for
 *	rcpt@ROW.lab, which smtp_routes send to the row's peer, and waits
 *	until the mail log has the first attempt's result for its MID
 *	("Message done", "Delayed:" or "Bounced:"); for an inbound cell a
 *	client with the row's behaviour sends one message to the listener
 *	that has the column's policy. Each cell records the outcome, TLS
 *	protocol and cipher, whether the certificate was verified (outbound
 *	verify levels only), the TLS-RPT result type of a failure, the
 *	mail log lines of its connection and message, and the SMTP
 *	dialogue. Everything is stopped and removed before it returns
 *	(opts->keep leaves the directory and says where).
 *
 *	Outcomes: "verified" (delivered over TLS, certificate verified),
 *	"tls" (delivered over TLS), "clear" (delivered in clear text),
 *	"deferred" (not delivered, still queued), "bounced", "rejected"
 *	(inbound: refused with a reply), "dropped" (inbound: the
 *	connection ended without a reply, as after a failed handshake).
 *
 *	lab_matrix_table() prints a table per direction, rows by columns;
 *	lab_matrix_json() returns every cell in full (the caller
 *	json_decref()s it); lab_matrix_markdown() appends a report with the
 *	table and each cell's log lines; lab_matrix_tlsrpt() returns RFC
 *	8460 reports for the outbound cells, one per TLS level (policy
 *	type "no-policy-found": the level is a local policy, named in the
 *	report ID), as a JSON array.
 *
 *	lab_matrix_expect() compares the outcomes with an expected matrix
 *	(JSON: {"outbound": {ROW: {COL: OUTCOME or {"outcome": OUTCOME,
 *	"why": TEXT, "currently": OUTCOME}}}, "inbound": {...}}), only on
 *	the cells that were run; it appends one line per difference (and
 *	per cell the file lacks) to diffs and returns their count, or -1
 *	with the reason in err when the file cannot be read. "currently"
 *	names a known deviation of the gateway: that outcome is not counted
 *	but noted in diffs ("note: ..."), as is its disappearance.
 * DIAGNOSTICS
 *	lab_matrix_run() returns NULL with the reason in err when the lab
 *	cannot be set up (no mtad, no port, a gateway that does not
 *	start); a cell that times out is recorded with outcome "timeout".
 */
#ifndef LAB_MATRIX_H
#define LAB_MATRIX_H

#include <stdio.h>

#include <jansson.h>

#include "buf.h"

enum lab_dir {
	LAB_OUTBOUND,
	LAB_INBOUND,
};

struct lab_row {
	const char *name;		/* "selfsigned" */
	const char *what;		/* one line for the reader */
};

struct lab_col {
	const char *name;		/* "preferred_verify" */
	const char *what;
};

struct lab_cell {
	enum lab_dir dir;
	const char *row;		/* static names */
	const char *col;
	char   *outcome;		/* see above */
	int	tls;			/* the session ran over TLS */
	int	verified;		/* 1, 0, or -1: not checked */
	char   *protocol;		/* "" when not TLS */
	char   *cipher;
	char   *dsn;			/* enhanced code of a failure, or "" */
	char   *reason;			/* failure text, or "" */
	const char *tlsrpt;		/* RFC 8460 result type, or NULL */
	struct buf *log;		/* mail log lines, "\n" separated */
	struct buf *smtp;		/* the SMTP dialogue we saw */
};

struct lab_matrix_opts {
	int	outbound;		/* run the outbound half */
	int	inbound;
	const char *policy;		/* only this column, or NULL */
	const char *peer;		/* only this row, or NULL */
	const char *mtad;		/* path of the gateway program */
	unsigned timeout_ms;		/* per cell; default 60000 */
	int	keep;			/* keep the lab directory */
	int	verbose;		/* progress on stderr */
};

struct lab_matrix;

void	lab_matrix_opts_init(struct lab_matrix_opts *);
struct lab_matrix *lab_matrix_run(const struct lab_matrix_opts *,
	    struct buf *);
struct lab_matrix *lab_matrix_free(struct lab_matrix *);

const struct lab_row *lab_matrix_rows(enum lab_dir, size_t *);
const struct lab_col *lab_matrix_cols(enum lab_dir, size_t *);
const struct lab_cell *lab_matrix_cell(const struct lab_matrix *,
	    enum lab_dir, const char *, const char *);

void	lab_matrix_table(const struct lab_matrix *, FILE *);
json_t *lab_matrix_json(const struct lab_matrix *);
void	lab_matrix_markdown(const struct lab_matrix *, struct buf *);
json_t *lab_matrix_tlsrpt(const struct lab_matrix *);
int	lab_matrix_expect(const struct lab_matrix *, const char *,
	    struct buf *, struct buf *);

#endif
