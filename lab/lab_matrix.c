/*
 * NAME
 *	lab_matrix - run every TLS policy against every peer behaviour
 * DESCRIPTION
 *	See lab_matrix.h. The run, in order: the lab directory and PKI;
 *	the outbound peers (one forked server per row); one gateway per
 *	column, all started before any is waited for; the outbound
 *	messages, all submitted at once; the inbound cells, one client
 *	session after another (each takes milliseconds, and one at a time
 *	per gateway is what ties the mail log's ICID to the cell); then the
 *	mail logs are read until every outbound message has the result of
 *	its first attempt. A message that is deferred stays queued; the
 *	gateway is stopped long before its first retry.
 *
 *	What a cell says comes from the gateway's own words: the mail log
 *	lines of the delivery connection (DCID) and of the message (MID),
 *	and for preferred-verify the gateway's diagnostic that a
 *	certificate was not verified (the mail log has no line for it).
 *	The peers' own records (which TLS the message arrived over) are
 *	kept in the cell's SMTP dialogue as a cross-check.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "lab_certs.h"
#include "lab_peer.h"
#include "lab_matrix.h"

#define LAB_POLL_MS	20
#define LAB_START_MS	30000

/* How an outbound row's peer behaves. */
struct lab_out_spec {
	enum lab_peer_mode mode;
	enum lab_cert cert;
	int	min_version;
	int	max_version;
	const char *ciphers;
	int	dh1024;
};

/* How an inbound row's client behaves. */
struct lab_in_spec {
	enum lab_starttls starttls;
	int	cert;			/* enum lab_cert, or -1: none */
	int	min_version;
	int	max_version;
	const char *ciphers;
};

static const struct lab_row lab_out_rows[] = {
	{"nostarttls", "EHLO does not offer STARTTLS"},
	{"starttls454", "STARTTLS answered 454 4.7.0"},
	{"hangup", "220 to STARTTLS, then the connection closes"},
	{"valid", "valid chain to the trusted lab CA, right name"},
	{"selfsigned", "self-signed certificate"},
	{"expired", "certificate expired a day ago"},
	{"notyetvalid", "certificate valid from tomorrow"},
	{"wrongname", "certificate for other.example.net"},
	{"nointermediate", "valid leaf sent without its intermediate"},
	{"untrustedca", "chain to a root the gateway does not trust"},
	{"tls13only", "TLS 1.3 only (the gateway stops at 1.2)"},
	{"tls11rsa", "TLS 1.0-1.1 only, RSA key transport suites"},
	{"tls10ecdhe", "TLS 1.0 only, ECDHE suites"},
	{"nosharedcipher", "only anonymous suites the gateway excludes"},
	{"dhe1024", "only DHE with a 1024-bit group"},
};

#define LAB_NOUT (sizeof(lab_out_rows) / sizeof(lab_out_rows[0]))

static const struct lab_out_spec lab_out_specs[LAB_NOUT] = {
	{LAB_PEER_NOSTARTTLS, LAB_CERT_VALID, 0, 0, NULL, 0},
	{LAB_PEER_REFUSE, LAB_CERT_VALID, 0, 0, NULL, 0},
	{LAB_PEER_HANGUP, LAB_CERT_VALID, 0, 0, NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_VALID, 0, 0, NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_SELFSIGNED, 0, 0, NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_EXPIRED, 0, 0, NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_NOTYET, 0, 0, NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_WRONGNAME, 0, 0, NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_NOINTERMEDIATE, 0, 0, NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_UNTRUSTED, 0, 0, NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_VALID, TLS1_3_VERSION, TLS1_3_VERSION,
	NULL, 0},
	{LAB_PEER_STARTTLS, LAB_CERT_VALID, TLS1_VERSION, TLS1_1_VERSION,
	"AES256-SHA:AES128-SHA:@SECLEVEL=0", 0},
	{LAB_PEER_STARTTLS, LAB_CERT_VALID, TLS1_VERSION, TLS1_VERSION,
	"ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:@SECLEVEL=0", 0},
	{LAB_PEER_STARTTLS, LAB_CERT_VALID, TLS1_2_VERSION, TLS1_2_VERSION,
	"AECDH-AES256-SHA:AECDH-AES128-SHA:@SECLEVEL=0", 0},
	{LAB_PEER_STARTTLS, LAB_CERT_VALID, TLS1_2_VERSION, TLS1_2_VERSION,
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0", 1},
};

static const struct lab_row lab_in_rows[] = {
	{"notls", "never sends STARTTLS"},
	{"starttls", "STARTTLS when offered, no client certificate"},
	{"tls13only", "TLS 1.3 only (the listener stops at 1.2)"},
	{"tls10only", "TLS 1.0 only"},
	{"excludedciphers", "offers only anonymous suites"},
	{"cert-valid", "client certificate from the trusted lab CA"},
	{"cert-selfsigned", "self-signed client certificate"},
	{"cert-expired", "expired client certificate"},
};

#define LAB_NIN (sizeof(lab_in_rows) / sizeof(lab_in_rows[0]))

static const struct lab_in_spec lab_in_specs[LAB_NIN] = {
	{LAB_STARTTLS_NEVER, -1, 0, 0, NULL},
	{LAB_STARTTLS_OFFERED, -1, 0, 0, NULL},
	{LAB_STARTTLS_OFFERED, -1, TLS1_3_VERSION, TLS1_3_VERSION, NULL},
	{LAB_STARTTLS_OFFERED, -1, TLS1_VERSION, TLS1_VERSION,
	"DEFAULT:@SECLEVEL=0"},
	{LAB_STARTTLS_OFFERED, -1, TLS1_2_VERSION, TLS1_2_VERSION,
	"AECDH-AES256-SHA:ADH-AES256-GCM-SHA384:@SECLEVEL=0"},
	{LAB_STARTTLS_OFFERED, LAB_CERT_CLIENT_VALID, 0, 0, NULL},
	{LAB_STARTTLS_OFFERED, LAB_CERT_CLIENT_SELFSIGNED, 0, 0, NULL},
	{LAB_STARTTLS_OFFERED, LAB_CERT_CLIENT_EXPIRED, 0, 0, NULL},
};

static const struct lab_col lab_out_cols[] = {
	{"none", "Destination Controls TLS: No"},
	{"preferred", "TLS Preferred"},
	{"required", "TLS Required"},
	{"preferred_verify", "TLS Preferred (Verify)"},
	{"required_verify", "TLS Required (Verify)"},
};

#define LAB_NOUTCOL (sizeof(lab_out_cols) / sizeof(lab_out_cols[0]))

static const struct lab_col lab_in_cols[] = {
	{"off", "mail flow policy TLS Off"},
	{"preferred", "TLS Preferred"},
	{"required", "TLS Required"},
	{"preferred_verify", "TLS Preferred, Verify Client Certificate"},
	{"required_verify", "TLS Required, Verify Client Certificate"},
};

#define LAB_NINCOL (sizeof(lab_in_cols) / sizeof(lab_in_cols[0]))

/* One gateway instance. */
struct lab_gw {
	enum lab_dir dir;
	size_t	col;
	char   *home;
	char   *log;
	char   *errlog;			/* mtad's standard error */
	int	port;			/* its listener */
	pid_t	pid;
};

struct lab_matrix {
	struct lab_cell *cells;
	size_t	ncells;
	char	start[32];		/* RFC 3339 */
	char	end[32];
};

/* Per-cell work state that does not belong in the result. */
struct lab_job {
	struct lab_cell *cell;
	struct lab_gw *gw;
	char	mid[32];
	int	done;
};

/* lab_matrix_opts_init - defaults */

void
lab_matrix_opts_init(struct lab_matrix_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->timeout_ms = 60000;
}

/* lab_matrix_rows - the rows of a direction */

const struct lab_row *
lab_matrix_rows(enum lab_dir dir, size_t *n)
{
	*n = dir == LAB_OUTBOUND ? LAB_NOUT : LAB_NIN;
	return (dir == LAB_OUTBOUND ? lab_out_rows : lab_in_rows);
}

/* lab_matrix_cols - the columns of a direction */

const struct lab_col *
lab_matrix_cols(enum lab_dir dir, size_t *n)
{
	*n = dir == LAB_OUTBOUND ? LAB_NOUTCOL : LAB_NINCOL;
	return (dir == LAB_OUTBOUND ? lab_out_cols : lab_in_cols);
}

/* lab_now - monotonic milliseconds */

static long long
lab_now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* lab_rfc3339 - the time now, UTC */

static void
lab_rfc3339(char *out, size_t size)
{
	time_t	now = time(NULL);
	struct tm tm;

	(void) gmtime_r(&now, &tm);
	(void) strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* lab_pause - wait a poll interval (nothing to wake us up earlier) */

static void
lab_pause(void)
{
	(void) poll(NULL, 0, LAB_POLL_MS);
}

/* lab_read_file - the whole of a small file, "" when absent */

static void
lab_read_file(const char *path, struct buf *out)
{
	char	chunk[8192];
	ssize_t	n;
	int	fd;

	buf_reset(out);
	if ((fd = open(path, O_RDONLY)) == -1)
		return;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t) n);
	(void) close(fd);
	buf_putc(out, 0);
	out->len--;
}

/* lab_write_file - create a file with text */

static int
lab_write_file(const char *path, const char *text, struct buf *err)
{
	FILE   *fp;

	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) == EOF
	    || fclose(fp) != 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/* lab_has_id - does line contain "KEY n" with exactly that number */

static int
lab_has_id(const char *line, const char *key, const char *id)
{
	const char *p = line;
	size_t	klen = strlen(key);
	size_t	ilen = strlen(id);

	while ((p = strstr(p, key)) != NULL) {
		p += klen;
		if (*p == ' ' && strncmp(p + 1, id, ilen) == 0
		    && !isdigit((unsigned char) p[1 + ilen])
		    && (p - klen == line || !isalpha((unsigned char)
		    p[-(long) klen - 1])))
			return (1);
	}
	return (0);
}

/* lab_id_after - the number after "KEY " in line, into out */

static int
lab_id_after(const char *line, const char *key, char *out, size_t size)
{
	const char *p = strstr(line, key);
	size_t	n;

	if (p == NULL)
		return (0);
	p += strlen(key);
	while (*p == ' ')
		p++;
	n = strspn(p, "0123456789");
	if (n == 0 || n >= size)
		return (0);
	(void) snprintf(out, size, "%.*s", (int) n, p);
	return (1);
}

/* lab_line_text - the text of a mail log line after its time stamp */

static const char *
lab_line_text(const char *line)
{
	const char *p;

	/* "Mon Nov 23 14:35:17 2026 Info: text" */
	if ((p = strstr(line, ": ")) != NULL && p - line < 40)
		return (p + 2);
	return (line);
}

/* lab_gw_config - the configuration of one gateway */

static void
lab_gw_config(const struct lab_gw *gw, const struct lab_pki *pki,
    struct lab_peer *const *peers, struct buf *cf)
{
	const char *col = gw->dir == LAB_OUTBOUND ? lab_out_cols[gw->col].name
	    : lab_in_cols[gw->col].name;
	size_t	i;

	buf_printf(cf, "# mtactl tlsmatrix: %s %s\n", gw->dir == LAB_OUTBOUND ?
	    "outbound" : "inbound", col);
	buf_printf(cf, "hostname: gw-%s.lab\nuser: \"\"\nspool_dir: %s/spool\n"
	    "processes:\n  listeners: 1\n  delivery: %d\n"
	    "log:\n  mail_log: %s\n"
	    "dns:\n  servers: [\"127.0.0.1:9\"]\n  timeout: 1s\n"
	    "  attempts: 1\n", col, gw->home, gw->dir == LAB_OUTBOUND,
	    gw->log);
	buf_printf(cf, "tls:\n  inbound:\n    versions: \"tls1.1 tls1.2\"\n"
	    "  outbound:\n    versions: \"tls1.1 tls1.2\"\n"
	    "  trust:\n    system: false\n    ca_file: %s\n"
	    "    dir: %s/trust\n", lab_certs_ca(pki), gw->home);
	buf_printf(cf, "certificates:\n  demo:\n    cert: %s\n    key: %s\n",
	    lab_certs_chain(pki, LAB_CERT_VALID),
	    lab_certs_key(pki, LAB_CERT_VALID));
	buf_printf(cf, "bounce_profiles:\n  Default:\n    initial_retry: 1d\n"
	    "    max_retry: 1d\n    send_bounces: false\n");
	buf_printf(cf, "listeners:\n  - name: LabIn\n    address: 127.0.0.1\n"
	    "    port: %d\n    type: public\n    certificate: demo\n"
	    "    sender_groups: []\n    all_policy: LAB\n    policies:\n"
	    "      LAB:\n        connection: relay\n"
	    "        max_concurrency: 1000\n"
	    "        max_msgs_per_session: 1000\n",
	    gw->port);
	if (gw->dir == LAB_INBOUND) {
		buf_printf(cf, "        tls: %s\n"
		    "        tls_verify_client: %s\n",
		    gw->col == 0 ? "off" : gw->col == 1 || gw->col == 3 ?
		    "preferred" : "required", gw->col >= 3 ? "true" : "false");
		return;
	}
	buf_printf(cf, "        tls: off\n");
	buf_printf(cf, "destination_controls:\n  certificate: demo\n"
	    "  default:\n    tls: %s\n", col);
	buf_printf(cf, "smtp_routes:\n");
	for (i = 0; i < LAB_NOUT; i++)
		if (peers[i])
			buf_printf(cf, "  %s.lab: [\"127.0.0.1:%d\"]\n",
			    lab_out_rows[i].name, lab_peer_port(peers[i]));
}

/* lab_free_port - a loopback port that was free a moment ago */

static int
lab_free_port(struct buf *err)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int	fd;
	int	port = -1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1
	    || bind(fd, (struct sockaddr *) &sin, sizeof(sin)) == -1
	    || getsockname(fd, (struct sockaddr *) &sin, &len) == -1)
		buf_printf(err, "a free port on 127.0.0.1: %s",
		    strerror(errno));
	else
		port = ntohs(sin.sin_port);
	if (fd != -1)
		(void) close(fd);
	return (port);
}

/* lab_gw_spawn - start mtad on its configuration */

static int
lab_gw_spawn(struct lab_gw *gw, const char *mtad, struct buf *err)
{
	struct buf cfpath;
	int	fd;

	buf_init(&cfpath, 0);
	buf_printf(&cfpath, "%s/mtad.yaml", gw->home);
	(void) fflush(NULL);
	if ((gw->pid = fork()) == -1) {
		buf_printf(err, "fork: %s", strerror(errno));
		buf_fini(&cfpath);
		return (-1);
	}
	if (gw->pid == 0) {
		(void) setpgid(0, 0);
		if ((fd = open(gw->errlog, O_WRONLY | O_CREAT | O_TRUNC,
		    0600)) != -1) {
			(void) dup2(fd, 1);
			(void) dup2(fd, 2);
			if (fd > 2)
				(void) close(fd);
		}
		(void) signal(SIGPIPE, SIG_DFL);
		(void) execl(mtad, mtad, "-c", cfpath.data, (char *) NULL);
		(void) fprintf(stderr, "exec %s: %s\n", mtad, strerror(errno));
		_exit(127);
	}
	(void) setpgid(gw->pid, gw->pid);
	buf_fini(&cfpath);
	return (0);
}

/* lab_gw_greets - does the listener answer 220 */

static int
lab_gw_greets(int port)
{
	struct sockaddr_in sin;
	char	reply[4] = "";
	int	fd;
	int	ok = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short) port);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (0);
	if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0) {
		struct pollfd pfd = {fd, POLLIN, 0};

		if (poll(&pfd, 1, 5000) == 1 && read(fd, reply, 3) == 3
		    && memcmp(reply, "220", 3) == 0)
			ok = 1;
		(void) write(fd, "QUIT\r\n", 6);
	}
	(void) close(fd);
	return (ok);
}

/* lab_gw_wait - wait until a gateway greets, or fail */

static int
lab_gw_wait(struct lab_gw *gw, struct buf *err)
{
	long long deadline = lab_now() + LAB_START_MS;
	struct buf text;
	int	status;

	while (lab_now() < deadline) {
		if (waitpid(gw->pid, &status, WNOHANG) == gw->pid) {
			gw->pid = 0;
			buf_init(&text, 0);
			lab_read_file(gw->errlog, &text);
			buf_printf(err, "mtad for %s exited at start: %s",
			    gw->home, text.len ? text.data : "(no message)");
			buf_fini(&text);
			return (-1);
		}
		if (lab_gw_greets(gw->port))
			return (0);
		lab_pause();
	}
	buf_printf(err, "mtad for %s did not greet on port %d in %d s",
	    gw->home, gw->port, LAB_START_MS / 1000);
	return (-1);
}

/* lab_gw_stop - stop a gateway and everything it started */

static void
lab_gw_stop(struct lab_gw *gw)
{
	long long deadline;

	if (gw->pid <= 0)
		return;
	(void) kill(gw->pid, SIGTERM);
	deadline = lab_now() + 10000;
	while (waitpid(gw->pid, NULL, WNOHANG) == 0) {
		if (lab_now() > deadline) {
			(void) kill(-gw->pid, SIGKILL);
			(void) waitpid(gw->pid, NULL, 0);
			break;
		}
		lab_pause();
	}
	(void) kill(-gw->pid, SIGKILL);		/* stragglers of the group */
	gw->pid = 0;
}

/* lab_cell_init - a cell with empty results */

static void
lab_cell_init(struct lab_cell *c, enum lab_dir dir, const char *row,
    const char *col)
{
	memset(c, 0, sizeof(*c));
	c->dir = dir;
	c->row = row;
	c->col = col;
	c->verified = -1;
	c->log = buf_new(0);
	c->smtp = buf_new(0);
}

/* lab_cell_set - replace one of the cell's strings */

static void
lab_cell_set(char **field, const char *value)
{
	mem_free(*field);
	*field = mem_strdup(value ? value : "");
}

/* lab_tlsrpt_type - RFC 8460 result type of a verification failure */

static const char *
lab_tlsrpt_type(const char *why)
{
	if (strstr(why, "expired"))
		return ("certificate-expired");
	if (strstr(why, "mismatch") || strstr(why, "does not match")
	    || strstr(why, "no name"))
		return ("certificate-host-mismatch");
	if (strstr(why, "self-signed") || strstr(why, "self signed")
	    || strstr(why, "issuer") || strstr(why, "untrusted")
	    || strstr(why, "not trusted"))
		return ("certificate-not-trusted");
	return ("validation-failure");
}

/* lab_dcid_closed - has the mail log the close line of a connection */

static int
lab_dcid_closed(const struct buf *log, const char *dcid)
{
	struct buf want;
	const char *p;
	int	found = 0;

	if (dcid[0] == 0 || strcmp(dcid, "0") == 0)
		return (1);			/* no connection was made */
	buf_init(&want, 0);
	buf_printf(&want, "DCID %s close\n", dcid);
	for (p = log->data; p && (p = strstr(p, want.data)) != NULL; p++)
		if (p[-1] == ' ') {
			found = 1;
			break;
		}
	buf_fini(&want);
	return (found);
}

/* lab_out_collect - an outbound cell's lines; 1 when it has a result */

static int
lab_out_collect(struct lab_job *job, const struct buf *log,
    const struct buf *errlog)
{
	struct lab_cell *c = job->cell;
	char	dcid[32] = "";
	const char *line;
	const char *end;
	const char *t;
	const char *p;
	struct buf one;
	int	result = 0;

	buf_init(&one, 0);
	/* Find the result line of the MID: it names the DCID. */
	line = log->len ? log->data : "";
	for (; *line; line = end + (*end != 0)) {
		end = line + strcspn(line, "\n");
		buf_reset(&one);
		buf_append(&one, line, (size_t) (end - line));
		buf_putc(&one, 0);
		t = lab_line_text(one.data);
		if (!lab_has_id(t, "MID", job->mid))
			continue;
		if (strncmp(t, "Message done DCID", 17) == 0
		    || strncmp(t, "Delayed: DCID", 13) == 0
		    || strncmp(t, "Bounced: DCID", 13) == 0) {
			(void) lab_id_after(t, "DCID", dcid, sizeof(dcid));
			result = t[0];	/* Message done, Delayed, Bounced */
			break;
		}
	}
	if (!result || !lab_dcid_closed(log, dcid)) {
		buf_fini(&one);
		return (0);
	}
	buf_reset(c->log);
	c->tls = 0;
	for (line = log->data; *line; line = end + (*end != 0)) {
		end = line + strcspn(line, "\n");
		buf_reset(&one);
		buf_append(&one, line, (size_t) (end - line));
		buf_putc(&one, 0);
		t = lab_line_text(one.data);
		if (!(dcid[0] && lab_has_id(t, "DCID", dcid))
		    && !lab_has_id(t, "MID", job->mid))
			continue;
		buf_printf(c->log, "%s\n", one.data);
		p = dcid[0] ? strstr(t, "TLS success protocol ") : NULL;
		if (p != NULL) {
			char	proto[16] = "", ciph[64] = "";

			(void) sscanf(p, "TLS success protocol %15s "
			    "cipher %63s", proto, ciph);
			c->tls = 1;
			lab_cell_set(&c->protocol, proto);
			lab_cell_set(&c->cipher, ciph);
		}
		if ((p = strstr(t, "STARTTLS command not supported")) != NULL
		    || strstr(t, "STARTTLS unexpected response"))
			c->tlsrpt = "starttls-not-supported";
		else if ((p = strstr(t, "certificate verification failed: "))
		    != NULL) {
			c->tlsrpt = lab_tlsrpt_type(p);
			c->verified = 0;
		} else if (strstr(t, "TLS failed:") || strstr(t,
		    "TLS deferring:"))
			if (c->tlsrpt == NULL)
				c->tlsrpt = "validation-failure";
		if (result != 'M' && (p = strstr(t, " to RID ")) != NULL
		    && (strncmp(t, "Delayed:", 8) == 0
		    || strncmp(t, "Bounced:", 8) == 0)) {
			char	dsn[16] = "";

			p = strstr(p, " - ");
			if (p && sscanf(p + 3, "%15s", dsn) == 1)
				lab_cell_set(&c->dsn, dsn);
			lab_cell_set(&c->reason, p ? p + 3 : t);
		}
	}
	/* The verdict of a verifying level that still delivered. */
	if (c->tls && strcmp(c->col, "preferred_verify") == 0
	    && result == 'M') {
		buf_reset(&one);
		buf_printf(&one, "DCID %s: certificate of ", dcid);
		if ((p = strstr(errlog->len ? errlog->data : "", one.data))
		    != NULL) {
			end = p + strcspn(p, "\n");
			c->verified = 0;
			buf_printf(c->log, "(mtad) %.*s\n", (int) (end - p), p);
			t = strstr(p, " not verified (");
			if (t && t < end) {
				const char *q = strstr(t, "); delivering");

				if (q == NULL || q > end)
					q = end;
				buf_reset(&one);
				buf_append(&one, t + 15, (size_t) (q - t - 15));
				buf_putc(&one, 0);
				c->tlsrpt = lab_tlsrpt_type(one.data);
				lab_cell_set(&c->reason, one.data);
			}
		} else
			c->verified = 1;
	} else if (c->tls && result == 'M'
	    && strcmp(c->col, "required_verify") == 0)
		c->verified = 1;
	if (result == 'M')
		lab_cell_set(&c->outcome, !c->tls ? "clear" : c->verified == 1 ?
		    "verified" : "tls");
	else
		lab_cell_set(&c->outcome, result == 'B' ? "bounced" :
		    "deferred");
	buf_fini(&one);
	return (1);
}

/* lab_in_collect - an inbound cell's lines after offset; 1 when closed */

static int
lab_in_collect(struct lab_cell *c, const struct buf *log, size_t offset)
{
	char	icid[32] = "";
	char	mid[32];
	char	mids[8][32];
	size_t	nmids = 0;
	size_t	i;
	const char *line;
	const char *end;
	const char *t;
	struct buf one;
	int	closed = 0;

	if (offset > log->len)
		return (0);
	buf_init(&one, 0);
	buf_reset(c->log);
	for (line = log->data + offset; *line; line = end + (*end != 0)) {
		end = line + strcspn(line, "\n");
		buf_reset(&one);
		buf_append(&one, line, (size_t) (end - line));
		buf_putc(&one, 0);
		t = lab_line_text(one.data);
		if (icid[0] == 0 && strncmp(t, "New SMTP ICID ", 14) == 0)
			(void) lab_id_after(t, "ICID", icid, sizeof(icid));
		if (icid[0] == 0)
			continue;
		if (lab_has_id(t, "ICID", icid)) {
			if (strncmp(t, "MID ", 4) == 0
			    && lab_id_after(t, "MID", mid, sizeof(mid))
			    && nmids < 8) {
				for (i = 0; i < nmids; i++)
					if (strcmp(mids[i], mid) == 0)
						break;
				if (i == nmids)
					(void) snprintf(mids[nmids++],
					    sizeof(mids[0]), "%s", mid);
			}
			if (strstr(t, " close") && strncmp(t, "ICID ", 5) == 0)
				closed = 1;
		} else {
			for (i = 0; i < nmids; i++)
				if (lab_has_id(t, "MID", mids[i]))
					break;
			if (i == nmids)
				continue;
		}
		buf_printf(c->log, "%s\n", one.data);
	}
	buf_fini(&one);
	return (closed);
}

/* lab_has_row - does the direction have the selected row */

static int
lab_has_row(enum lab_dir dir, const char *want)
{
	const struct lab_row *rows;
	size_t	n, i;

	rows = lab_matrix_rows(dir, &n);
	for (i = 0; want && i < n; i++)
		if (strcmp(rows[i].name, want) == 0)
			return (1);
	return (want == NULL);
}

/* lab_selected - is this name selected by the option */

static int
lab_selected(const char *want, const char *name)
{
	return (want == NULL || strcmp(want, name) == 0);
}

/* lab_rm - remove one entry of the lab tree */

static int
lab_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	(void) remove(path);
	return (0);
}

/* lab_peer_sessions - append the peer's transcripts of a cell's sessions */

static int
lab_peer_sessions(struct lab_cell *c, const char *spool, int dry)
{
	struct buf prefix, path, text;
	struct dirent *de;
	DIR    *dp;

	int	n = 0;

	if ((dp = opendir(spool)) == NULL)
		return (0);
	buf_init(&prefix, 0);
	buf_init(&path, 0);
	buf_init(&text, 0);
	/* The gateway of column COL says EHLO gw-COL.lab. */
	buf_printf(&prefix, "session-gw-%s.lab-", c->col);
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, prefix.data, prefix.len) != 0)
			continue;
		if (n++, dry)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", spool, de->d_name);
		lab_read_file(path.data, &text);
		buf_printf(c->smtp, "gateway to peer (as the peer saw it):\n%s",
		    text.len ? text.data : "");
	}
	(void) closedir(dp);
	buf_fini(&prefix);
	buf_fini(&path);
	buf_fini(&text);
	return (n);
}

/* lab_out_submit - submit one outbound cell's message */

static void
lab_out_submit(struct lab_job *job, const struct lab_matrix_opts *opts)
{
	struct lab_client lc;
	struct lab_client_result res;
	struct buf rcpt;

	buf_init(&rcpt, 0);
	buf_printf(&rcpt, "%s@%s.lab", job->cell->col, job->cell->row);
	memset(&lc, 0, sizeof(lc));
	lc.port = job->gw->port;
	lc.helo = "injector.lab";
	lc.from = "lab@sender.lab";
	lc.rcpt = rcpt.data;
	lc.starttls = LAB_STARTTLS_NEVER;
	lc.timeout_ms = opts->timeout_ms;
	if (lab_client_send(&lc, &res) != 0 || res.queue_id[0] == 0) {
		lab_cell_set(&job->cell->outcome, "error");
		buf_printf(job->cell->log, "submission to the gateway failed: "
		    "%s%s\n", res.last_reply, res.error);
		job->done = 1;
	} else
		(void) snprintf(job->mid, sizeof(job->mid), "%s", res.queue_id);
	buf_printf(job->cell->smtp, "submission to the gateway:\n%s",
	    res.transcript->len ? res.transcript->data : "");
	lab_client_result_fini(&res);
	buf_fini(&rcpt);
}

/* lab_in_run - one inbound cell: a client session, then its lines */

static void
lab_in_run(struct lab_cell *c, struct lab_gw *gw, size_t row,
    const struct lab_pki *pki, const struct lab_matrix_opts *opts)
{
	const struct lab_in_spec *sp = &lab_in_specs[row];
	struct lab_client lc;
	struct lab_client_result res;
	struct buf log;
	struct buf rcpt;
	size_t	offset;
	long long deadline;
	int	ok;

	buf_init(&log, 0);
	buf_init(&rcpt, 0);
	lab_read_file(gw->log, &log);
	offset = log.len;
	buf_printf(&rcpt, "%s@%s.inbound.lab", c->col, c->row);
	memset(&lc, 0, sizeof(lc));
	lc.port = gw->port;
	lc.helo = "client.lab";
	lc.from = "lab@client.lab";
	lc.rcpt = rcpt.data;
	lc.starttls = sp->starttls;
	lc.timeout_ms = opts->timeout_ms;
	lc.tls.min_version = sp->min_version;
	lc.tls.max_version = sp->max_version;
	lc.tls.ciphers = sp->ciphers;
	if (sp->cert >= 0) {
		lc.tls.cert = lab_certs_chain(pki, (enum lab_cert) sp->cert);
		lc.tls.key = lab_certs_key(pki, (enum lab_cert) sp->cert);
	}
	ok = lab_client_send(&lc, &res);
	if (opts->verbose)
		msg_info("inbound %s/%s: session ended", c->row, c->col);
	c->tls = res.tls;
	lab_cell_set(&c->protocol, res.protocol);
	lab_cell_set(&c->cipher, res.cipher);
	if (ok == 0)
		lab_cell_set(&c->outcome, res.tls ? "tls" : "clear");
	else if (res.error[0] == 0 && res.last_code >= 400) {
		lab_cell_set(&c->outcome, "rejected");
		lab_cell_set(&c->reason, res.last_reply);
		if (strlen(res.last_reply) > 4) {
			char	dsn[16] = "";

			if (sscanf(res.last_reply + 4, "%15[0-9.]", dsn) == 1)
				lab_cell_set(&c->dsn, dsn);
		}
	} else {
		lab_cell_set(&c->outcome, "dropped");
		lab_cell_set(&c->reason, res.error[0] ? res.error :
		    res.last_reply);
	}
	buf_puts(c->smtp, res.transcript->len ? res.transcript->data : "");
	lab_client_result_fini(&res);
	deadline = lab_now() + opts->timeout_ms;
	for (;;) {
		lab_read_file(gw->log, &log);
		if (lab_in_collect(c, &log, offset))
			break;
		if (lab_now() > deadline) {
			buf_puts(c->log, "(timed out waiting for the "
			    "ICID's close)\n");
			break;
		}
		lab_pause();
	}
	buf_fini(&log);
	buf_fini(&rcpt);
}

/* lab_matrix_run - run the selected cells */

struct lab_matrix *
lab_matrix_run(const struct lab_matrix_opts *opts, struct buf *err)
{
	struct lab_matrix *lm = mem_zalloc(1, sizeof(*lm));
	struct lab_peer *peers[LAB_NOUT] = {NULL};
	struct lab_gw gws[LAB_NOUTCOL + LAB_NINCOL];
	struct lab_job *jobs;
	struct lab_pki *pki = NULL;
	struct buf names, path, cf, log, errlog;
	struct lab_tls tls;
	const struct lab_out_spec *sp;
	char	tmpl[] = "/tmp/mtad-tlslab-XXXXXX";
	char   *dir;
	size_t	ngw = 0, njobs = 0, i, j, pending;
	long long deadline;
	int	failed = 1;
	void	(*oldpipe)(int);

	memset(gws, 0, sizeof(gws));
	buf_init(&names, 0);
	buf_init(&path, 0);
	buf_init(&cf, 0);
	buf_init(&log, 0);
	buf_init(&errlog, 0);
	oldpipe = signal(SIGPIPE, SIG_IGN);
	lab_rfc3339(lm->start, sizeof(lm->start));
	lm->cells = mem_zalloc(LAB_NOUT * LAB_NOUTCOL + LAB_NIN * LAB_NINCOL,
	    sizeof(*lm->cells));
	jobs = mem_zalloc(LAB_NOUT * LAB_NOUTCOL + 1, sizeof(*jobs));
	if ((dir = mkdtemp(tmpl)) == NULL) {
		buf_printf(err, "mkdtemp %s: %s", tmpl, strerror(errno));
		goto out;
	}
	if (access(opts->mtad, X_OK) != 0) {
		buf_printf(err, "gateway program %s: %s", opts->mtad,
		    strerror(errno));
		goto out;
	}
	/* The PKI: server leaves name every outbound row's domain. */
	for (i = 0; i < LAB_NOUT; i++)
		buf_printf(&names, "%sDNS:%s.lab", i ? "," : "",
		    lab_out_rows[i].name);
	if (opts->verbose)
		msg_info("lab directory %s: making the PKI", dir);
	if ((pki = lab_certs_make(dir, names.data, err)) == NULL)
		goto out;
	if (opts->verbose)
		msg_info("PKI made; starting the peers and gateways");
	buf_printf(&path, "%s/peer-spool", dir);
	if (mkdir(path.data, 0700) == -1) {
		buf_printf(err, "%s: %s", path.data, strerror(errno));
		goto out;
	}
	/* The peers of the selected outbound rows. */
	for (i = 0; opts->outbound && i < LAB_NOUT; i++) {
		if (!lab_selected(opts->peer, lab_out_rows[i].name))
			continue;
		sp = &lab_out_specs[i];
		memset(&tls, 0, sizeof(tls));
		tls.cert = lab_certs_chain(pki, sp->cert);
		tls.key = lab_certs_key(pki, sp->cert);
		tls.min_version = sp->min_version;
		tls.max_version = sp->max_version;
		tls.ciphers = sp->ciphers;
		tls.dh_file = sp->dh1024 ? lab_certs_dh1024(pki) : NULL;
		buf_reset(&path);
		buf_printf(&path, "%s/peer-spool/%s", dir,
		    lab_out_rows[i].name);
		if (mkdir(path.data, 0700) == -1) {
			buf_printf(err, "%s: %s", path.data, strerror(errno));
			goto out;
		}
		if ((peers[i] = lab_peer_start(&tls, sp->mode, path.data,
		    err)) == NULL) {
			buf_printf(err, " (peer %s)", lab_out_rows[i].name);
			goto out;
		}
	}
	/* One gateway per selected column. */
	for (j = 0; j < 2; j++) {
		enum lab_dir d = j ? LAB_INBOUND : LAB_OUTBOUND;
		size_t	ncol = j ? LAB_NINCOL : LAB_NOUTCOL;
		const struct lab_col *cols = j ? lab_in_cols : lab_out_cols;

		if (!(j ? opts->inbound : opts->outbound)
		    || !lab_has_row(d, opts->peer))
			continue;
		for (i = 0; i < ncol; i++) {
			struct lab_gw *gw;

			if (!lab_selected(opts->policy, cols[i].name))
				continue;
			gw = &gws[ngw++];
			gw->dir = d;
			gw->col = i;
			buf_reset(&path);
			buf_printf(&path, "%s/gw-%s-%s", dir, j ? "in" : "out",
			    cols[i].name);
			gw->home = mem_strdup(path.data);
			buf_printf(&path, "/log/mail.current");
			gw->log = mem_strdup(path.data);
			buf_reset(&path);
			buf_printf(&path, "%s/mtad.stderr", gw->home);
			gw->errlog = mem_strdup(path.data);
			if (mkdir(gw->home, 0700) == -1) {
				buf_printf(err, "%s: %s", gw->home,
				    strerror(errno));
				goto out;
			}
			if ((gw->port = lab_free_port(err)) < 0)
				goto out;
			buf_reset(&cf);
			lab_gw_config(gw, pki, peers, &cf);
			buf_reset(&path);
			buf_printf(&path, "%s/mtad.yaml", gw->home);
			if (lab_write_file(path.data, cf.data, err) != 0
			    || lab_gw_spawn(gw, opts->mtad, err) != 0)
				goto out;
		}
	}
	if (ngw == 0) {
		buf_puts(err, "no cell selected: no chosen policy and peer "
		    "behaviour meet in the chosen direction");
		goto out;
	}
	for (i = 0; i < ngw; i++)
		if (lab_gw_wait(&gws[i], err) != 0)
			goto out;
	if (opts->verbose)
		msg_info("%zu gateways up", ngw);
	/* Outbound: submit everything, then read the logs. */
	for (i = 0; i < ngw; i++) {
		if (gws[i].dir != LAB_OUTBOUND)
			continue;
		for (j = 0; j < LAB_NOUT; j++) {
			if (peers[j] == NULL)
				continue;
			lab_cell_init(&lm->cells[lm->ncells], LAB_OUTBOUND,
			    lab_out_rows[j].name,
			    lab_out_cols[gws[i].col].name);
			jobs[njobs].cell = &lm->cells[lm->ncells++];
			jobs[njobs].gw = &gws[i];
			lab_out_submit(&jobs[njobs], opts);
			njobs++;
		}
	}
	/* Inbound, one session at a time, while outbound mail moves. */
	for (i = 0; i < ngw; i++) {
		if (gws[i].dir != LAB_INBOUND)
			continue;
		for (j = 0; j < LAB_NIN; j++) {
			struct lab_cell *c;

			if (!lab_selected(opts->peer, lab_in_rows[j].name))
				continue;
			c = &lm->cells[lm->ncells++];
			lab_cell_init(c, LAB_INBOUND, lab_in_rows[j].name,
			    lab_in_cols[gws[i].col].name);
			lab_in_run(c, &gws[i], j, pki, opts);
		}
	}
	if (opts->verbose)
		msg_info("inbound cells done; waiting for outbound results");
	deadline = lab_now() + opts->timeout_ms;
	for (;;) {
		pending = 0;
		for (i = 0; i < ngw; i++) {
			if (gws[i].dir != LAB_OUTBOUND)
				continue;
			lab_read_file(gws[i].log, &log);
			lab_read_file(gws[i].errlog, &errlog);
			for (j = 0; j < njobs; j++) {
				if (jobs[j].gw != &gws[i] || jobs[j].done)
					continue;
				if (lab_out_collect(&jobs[j], &log, &errlog))
					jobs[j].done = 1;
				else
					pending++;
			}
		}
		if (pending == 0)
			break;
		if (lab_now() > deadline) {
			for (j = 0; j < njobs; j++)
				if (!jobs[j].done)
					lab_cell_set(&jobs[j].cell->outcome,
					    "timeout");
			break;
		}
		lab_pause();
	}
	/*
	 * The peers' own record of the dialogue and of what arrived, as a
	 * cross-check. A peer writes its transcript as the session ends,
	 * a moment after the gateway's close line.
	 */
	deadline = lab_now() + 5000;
	for (j = 0; j < njobs; j++) {
		struct lab_cell *c = jobs[j].cell;

		buf_reset(&path);
		buf_printf(&path, "%s/peer-spool/%s", dir, c->row);
		while (jobs[j].mid[0] && lab_peer_sessions(c, path.data, 1) == 0
		    && lab_now() < deadline)
			lab_pause();
		(void) lab_peer_sessions(c, path.data, 0);
		buf_printf(&path, "/%s@%s.lab", c->col, c->row);
		lab_read_file(path.data, &log);
		if (log.len)
			buf_printf(c->smtp, "peer received the message, %.*s\n",
			    (int) strcspn(log.data, "\n"), log.data);
		else
			buf_puts(c->smtp, "peer received no message\n");
	}
	if (opts->verbose)
		msg_info("results in; stopping");
	failed = 0;
out:
	for (i = 0; i < ngw; i++) {
		lab_gw_stop(&gws[i]);
		mem_free(gws[i].home);
		mem_free(gws[i].log);
		mem_free(gws[i].errlog);
	}
	for (i = 0; i < LAB_NOUT; i++)
		(void) lab_peer_stop(peers[i]);
	(void) lab_certs_free(pki);
	if (dir) {
		if (opts->keep)
			msg_info("lab directory kept: %s", dir);
		else
			(void) nftw(dir, lab_rm, 16, FTW_DEPTH | FTW_PHYS);
	}
	for (i = 0; i < lm->ncells; i++)
		if (lm->cells[i].outcome == NULL)
			lab_cell_set(&lm->cells[i].outcome, "error");
	lab_rfc3339(lm->end, sizeof(lm->end));
	(void) signal(SIGPIPE, oldpipe);
	mem_free(jobs);
	buf_fini(&names);
	buf_fini(&path);
	buf_fini(&cf);
	buf_fini(&log);
	buf_fini(&errlog);
	if (failed)
		lm = lab_matrix_free(lm);
	return (lm);
}

/* lab_matrix_free - release a matrix */

struct lab_matrix *
lab_matrix_free(struct lab_matrix *lm)
{
	size_t	i;

	if (lm == NULL)
		return (NULL);
	for (i = 0; i < lm->ncells; i++) {
		mem_free(lm->cells[i].outcome);
		mem_free(lm->cells[i].protocol);
		mem_free(lm->cells[i].cipher);
		mem_free(lm->cells[i].dsn);
		mem_free(lm->cells[i].reason);
		buf_free(lm->cells[i].log);
		buf_free(lm->cells[i].smtp);
	}
	mem_free(lm->cells);
	return (mem_free(lm));
}

/* lab_matrix_cell - find a cell */

const struct lab_cell *
lab_matrix_cell(const struct lab_matrix *lm, enum lab_dir dir,
    const char *row, const char *col)
{
	size_t	i;

	for (i = 0; i < lm->ncells; i++)
		if (lm->cells[i].dir == dir
		    && strcmp(lm->cells[i].row, row) == 0
		    && strcmp(lm->cells[i].col, col) == 0)
			return (&lm->cells[i]);
	return (NULL);
}

/* lab_str - a possibly null string */

static const char *
lab_str(const char *s)
{
	return (s ? s : "");
}

/* lab_matrix_table - the terminal table */

void
lab_matrix_table(const struct lab_matrix *lm, FILE *fp)
{
	const struct lab_row *rows;
	const struct lab_col *cols;
	const struct lab_cell *c;
	size_t	nrows, ncols, r, k;
	int	d;
	int	any;

	for (d = LAB_OUTBOUND; d <= LAB_INBOUND; d++) {
		rows = lab_matrix_rows((enum lab_dir) d, &nrows);
		cols = lab_matrix_cols((enum lab_dir) d, &ncols);
		any = 0;
		for (r = 0; r < nrows; r++) {
			for (k = 0; k < ncols; k++)
				if (lab_matrix_cell(lm, (enum lab_dir) d,
				    rows[r].name, cols[k].name))
					break;
			if (k == ncols)
				continue;
			if (!any++) {
				(void) fprintf(fp, "%s\n%-16s",
				    d == LAB_OUTBOUND ? "OUTBOUND (peer = "
				    "receiving server; columns = Destination "
				    "Controls TLS)" : "INBOUND (peer = sending "
				    "client; columns = listener mail flow "
				    "policy)", "");
				for (k = 0; k < ncols; k++)
					(void) fprintf(fp, " %-*s", k + 1 <
					    ncols ? 16 : 0, cols[k].name);
				(void) fputc('\n', fp);
			}
			(void) fprintf(fp, "%-16s", rows[r].name);
			for (k = 0; k < ncols; k++) {
				c = lab_matrix_cell(lm, (enum lab_dir) d,
				    rows[r].name, cols[k].name);
				(void) fprintf(fp, " %-*s", k + 1 < ncols ?
				    16 : 0, c ? c->outcome : "-");
			}
			(void) fputc('\n', fp);
		}
		if (any)
			(void) fputc('\n', fp);
	}
}

/* lab_lines_json - a "\n" separated text as an array of lines */

static json_t *
lab_lines_json(const struct buf *bp)
{
	json_t *a = json_array();
	const char *p = bp->len ? bp->data : "";
	const char *nl;

	while (*p) {
		nl = p + strcspn(p, "\n");
		(void) json_array_append_new(a, json_stringn(p,
		    (size_t) (nl - p)));
		p = nl + (*nl != 0);
	}
	return (a);
}

/* lab_cell_json - one cell */

static json_t *
lab_cell_json(const struct lab_cell *c)
{
	return (json_pack("{s:s, s:s, s:s, s:b, s:o, s:s, s:s, s:s, s:s, "
	    "s:o, s:o, s:o}",
	    "peer", c->row, "policy", c->col, "outcome", lab_str(c->outcome),
	    "tls", c->tls,
	    "verified", c->verified < 0 ? json_null() :
	    json_boolean(c->verified),
	    "protocol", lab_str(c->protocol), "cipher", lab_str(c->cipher),
	    "dsn", lab_str(c->dsn), "reason", lab_str(c->reason),
	    "tlsrpt_result", c->tlsrpt ? json_string(c->tlsrpt) : json_null(),
	    "log", lab_lines_json(c->log), "smtp", lab_lines_json(c->smtp)));
}

/* lab_matrix_json - the whole matrix */

json_t *
lab_matrix_json(const struct lab_matrix *lm)
{
	json_t *out = json_array(), *in = json_array();
	size_t	i;

	for (i = 0; i < lm->ncells; i++)
		(void) json_array_append_new(lm->cells[i].dir == LAB_OUTBOUND ?
		    out : in, lab_cell_json(&lm->cells[i]));
	return (json_pack("{s:s, s:s, s:o, s:o}", "start", lm->start,
	    "end", lm->end, "outbound", out, "inbound", in));
}

/* lab_matrix_markdown - the report */

void
lab_matrix_markdown(const struct lab_matrix *lm, struct buf *out)
{
	const struct lab_row *rows;
	const struct lab_col *cols;
	const struct lab_cell *c;
	size_t	nrows, ncols, r, k, i;
	int	d;

	buf_printf(out, "# mtad TLS policy lab matrix\n\nRun from %s to %s. "
	    "Outcomes: verified (delivered over TLS, certificate verified), "
	    "tls, clear, deferred (not delivered, still queued), bounced, "
	    "rejected (a reply refused it), dropped (the connection ended "
	    "without a reply).\n", lm->start, lm->end);
	for (d = LAB_OUTBOUND; d <= LAB_INBOUND; d++) {
		rows = lab_matrix_rows((enum lab_dir) d, &nrows);
		cols = lab_matrix_cols((enum lab_dir) d, &ncols);
		for (i = 0; i < lm->ncells; i++)
			if (lm->cells[i].dir == (enum lab_dir) d)
				break;
		if (i == lm->ncells)
			continue;
		buf_printf(out, "\n## %s\n\n| peer |", d == LAB_OUTBOUND ?
		    "Outbound (Destination Controls TLS)" :
		    "Inbound (listener mail flow policy TLS)");
		for (k = 0; k < ncols; k++)
			buf_printf(out, " %s |", cols[k].name);
		buf_puts(out, "\n| --- |");
		for (k = 0; k < ncols; k++)
			buf_puts(out, " --- |");
		buf_putc(out, '\n');
		for (r = 0; r < nrows; r++) {
			buf_printf(out, "| %s |", rows[r].name);
			for (k = 0; k < ncols; k++) {
				c = lab_matrix_cell(lm, (enum lab_dir) d,
				    rows[r].name, cols[k].name);
				buf_printf(out, " %s |", c ? c->outcome : "-");
			}
			buf_putc(out, '\n');
		}
		buf_puts(out, "\nPeers:\n\n");
		for (r = 0; r < nrows; r++)
			buf_printf(out, "- `%s`: %s\n", rows[r].name,
			    rows[r].what);
		for (i = 0; i < lm->ncells; i++) {
			c = &lm->cells[i];
			if (c->dir != (enum lab_dir) d)
				continue;
			buf_printf(out, "\n### %s / %s: %s\n\n", c->row, c->col,
			    c->outcome);
			if (c->tls)
				buf_printf(out, "- TLS: %s %s\n", c->protocol,
				    c->cipher);
			if (c->verified >= 0)
				buf_printf(out, "- certificate verified: %s\n",
				    c->verified ? "yes" : "no");
			if (c->reason && c->reason[0])
				buf_printf(out, "- reason: `%s`\n", c->reason);
			if (c->tlsrpt)
				buf_printf(out, "- TLS-RPT result: %s\n",
				    c->tlsrpt);
			buf_printf(out, "\nMail log:\n\n```\n%s```\n\nSMTP:\n\n"
			    "```\n%s```\n", c->log->len ? c->log->data : "",
			    c->smtp->len ? c->smtp->data : "");
		}
	}
}

/* lab_matrix_tlsrpt - RFC 8460 reports of the outbound cells */

json_t *
lab_matrix_tlsrpt(const struct lab_matrix *lm)
{
	json_t *reports = json_array();
	json_t *policies, *details;
	const struct lab_cell *c;
	size_t	k, i;
	struct buf id;
	int	fail;

	buf_init(&id, 0);
	for (k = 1; k < LAB_NOUTCOL; k++) {	/* "none" negotiates nothing */
		policies = json_array();
		for (i = 0; i < lm->ncells; i++) {
			c = &lm->cells[i];
			if (c->dir != LAB_OUTBOUND
			    || strcmp(c->col, lab_out_cols[k].name) != 0)
				continue;
			fail = c->tlsrpt != NULL || !c->tls;
			details = json_array();
			if (fail)
				(void) json_array_append_new(details, json_pack(
				    "{s:s, s:s, s:s, s:s, s:i, s:s}",
				    "result-type", c->tlsrpt ? c->tlsrpt :
				    "validation-failure",
				    "sending-mta-ip", "127.0.0.1",
				    "receiving-mx-hostname", "127.0.0.1",
				    "receiving-ip", "127.0.0.1",
				    "failed-session-count", 1,
				    "failure-reason-code", c->reason &&
				    c->reason[0] ? c->reason : c->outcome));
			buf_reset(&id);
			buf_printf(&id, "%s.lab", c->row);
			(void) json_array_append_new(policies, json_pack(
			    "{s:{s:s, s:[s], s:s}, s:{s:i, s:i}, s:o}",
			    "policy", "policy-type", "no-policy-found",
			    "policy-string", lab_out_cols[k].name,
			    "policy-domain", id.data,
			    "summary", "total-successful-session-count",
			    !fail, "total-failure-session-count", fail,
			    "failure-details", details));
		}
		if (json_array_size(policies) == 0) {
			json_decref(policies);
			continue;
		}
		buf_reset(&id);
		buf_printf(&id, "%s-%s@mtactl-tlsmatrix", lm->start,
		    lab_out_cols[k].name);
		(void) json_array_append_new(reports, json_pack(
		    "{s:s, s:{s:s, s:s}, s:s, s:s, s:o}",
		    "organization-name", "mtad TLS lab",
		    "date-range", "start-datetime", lm->start,
		    "end-datetime", lm->end,
		    "contact-info", "postmaster@gw.lab",
		    "report-id", id.data, "policies", policies));
	}
	buf_fini(&id);
	return (reports);
}

/* lab_matrix_expect - compare with an expected matrix */

int
lab_matrix_expect(const struct lab_matrix *lm, const char *path,
    struct buf *diffs, struct buf *err)
{
	json_error_t jerr;
	json_t *root, *half, *row, *entry, *want;
	const struct lab_cell *c;
	const char *w, *now, *dir;
	size_t	i;
	int	n = 0;

	if ((root = json_load_file(path, 0, &jerr)) == NULL) {
		buf_printf(err, "%s: line %d: %s", path, jerr.line, jerr.text);
		return (-1);
	}
	for (i = 0; i < lm->ncells; i++) {
		c = &lm->cells[i];
		dir = c->dir == LAB_OUTBOUND ? "outbound" : "inbound";
		half = json_object_get(root, dir);
		row = json_object_get(half, c->row);
		entry = json_object_get(row, c->col);
		want = json_is_object(entry) ? json_object_get(entry, "outcome")
		    : entry;
		now = json_string_value(json_object_get(entry, "currently"));
		if ((w = json_string_value(want)) == NULL) {
			buf_printf(diffs, "%s %s/%s: not in %s (got %s)\n", dir,
			    c->row, c->col, path, c->outcome);
			n++;
		} else if (strcmp(w, c->outcome) == 0) {
			if (now)
				buf_printf(diffs, "note: %s %s/%s: %s as "
				    "expected; the known deviation (%s) is "
				    "gone\n", dir, c->row, c->col, w, now);
		} else if (now && strcmp(now, c->outcome) == 0) {
			buf_printf(diffs, "note: %s %s/%s: %s, a known "
			    "deviation from %s\n", dir, c->row, c->col,
			    c->outcome, w);
		} else {
			buf_printf(diffs, "%s %s/%s: expected %s, got %s%s%s\n",
			    dir, c->row, c->col, w, c->outcome,
			    c->reason && c->reason[0] ? ": " : "",
			    lab_str(c->reason));
			n++;
		}
	}
	json_decref(root);
	return (n);
}
