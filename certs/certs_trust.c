/*
 * NAME
 *	certs_trust - the operator's trust directory, and fetching a chain
 * DESCRIPTION
 *	See certs_trust.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "certs_ctx.h"
#include "certs_x509.h"
#include "certs_trust.h"

#define CERTS_TRUST_SUFFIX	".pem"
#define CERTS_TRUST_LINE_MAX	1000	/* RFC 5321 reply line limit */
#define CERTS_TRUST_LINES_MAX	100	/* lines in one reply */

/* certs_trust_name_ok - a name certs_trust_name() could produce */

int
certs_trust_name_ok(const char *name)
{
	const char *cp;

	if (*name == 0 || *name == '.' || strlen(name) > CERTS_TRUST_NAME_MAX)
		return (0);
	for (cp = name; *cp; cp++)
		if (!isalnum((unsigned char) *cp) && *cp != '.' && *cp != '-'
		    && *cp != '_')
			return (0);
	return (1);
}

/* certs_trust_name - a file name from the certificate's CN */

void
certs_trust_name(X509 *cert, struct buf *out)
{
	X509_NAME *subj = X509_get_subject_name(cert);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char *cn = NULL;
	unsigned int mdlen;
	size_t	start = out->len;
	int	idx;
	int	len = -1;
	int	i;

	idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
	if (idx >= 0)
		len = ASN1_STRING_to_UTF8(&cn, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(subj, idx)));
	for (i = 0; i < len && out->len - start < CERTS_TRUST_NAME_MAX; i++) {
		if (isalnum(cn[i]) || cn[i] == '-' || cn[i] == '_'
		    || (cn[i] == '.' && out->len > start))
			buf_putc(out, cn[i]);
		else if (out->len > start && out->data[out->len - 1] != '_')
			buf_putc(out, '_');
	}
	OPENSSL_free(cn);
	while (out->len > start && out->data[out->len - 1] == '_')
		buf_truncate(out, out->len - 1);
	if (out->len > start)
		return;
	/* No usable CN: the fingerprint names it. */
	if (!X509_digest(cert, EVP_sha256(), md, &mdlen))
		msg_fatal("certs_trust_name: cannot hash a certificate");
	buf_puts(out, "sha256-");
	for (i = 0; i < 8; i++)
		buf_printf(out, "%02x", md[i]);
}

/* certs_trust_is_ca - may this certificate issue others? */

int
certs_trust_is_ca(X509 *cert)
{
	/* X509_check_ca() also counts v1 roots; only CA:TRUE counts here. */
	return ((X509_get_extension_flags(cert) & EXFLAG_CA) != 0);
}

/* certs_trust_path - DIR/NAME.pem */

static const char *
certs_trust_path(struct buf *bp, const char *dir, const char *name)
{
	buf_reset(bp);
	buf_printf(bp, "%s/%s%s", dir, name, CERTS_TRUST_SUFFIX);
	return (buf_cstr(bp));
}

/* certs_trust_entry_cmp - order entries by name */

static int
certs_trust_entry_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct certs_trust_entry *) a)->name,
	    ((const struct certs_trust_entry *) b)->name));
}

/* certs_trust_list - every NAME.pem of the directory */

int
certs_trust_list(const char *dir, struct certs_trust_entry **list,
    size_t *count, struct buf *err)
{
	struct certs_trust_entry *ents = NULL;
	size_t	n = 0;
	size_t	size = 0;
	size_t	slen = sizeof(CERTS_TRUST_SUFFIX) - 1;
	struct dirent *de;
	STACK_OF(X509) *certs;
	struct buf path;
	DIR    *dp;
	size_t	len;

	*list = NULL;
	*count = 0;
	if ((dp = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return (0);
		buf_printf(err, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	buf_init(&path, 0);
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= slen
		    || strcmp(de->d_name + len - slen, CERTS_TRUST_SUFFIX) != 0)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		if ((certs = certs_x509_load_certs(buf_cstr(&path), err))
		    == NULL) {
			(void) closedir(dp);
			buf_fini(&path);
			certs_trust_list_free(ents, n);
			return (-1);
		}
		if (n == size) {
			size = size ? 2 * size : 16;
			ents = mem_realloc(ents, size, sizeof(*ents));
		}
		ents[n].name = mem_strndup(de->d_name, len - slen);
		ents[n].path = mem_strdup(buf_cstr(&path));
		ents[n].cert = sk_X509_shift(certs);
		ents[n].ca = certs_trust_is_ca(ents[n].cert);
		n++;
		sk_X509_pop_free(certs, X509_free);
	}
	(void) closedir(dp);
	buf_fini(&path);
	if (n > 0)
		qsort(ents, n, sizeof(*ents), certs_trust_entry_cmp);
	*list = ents;
	*count = n;
	return (0);
}

/* certs_trust_list_free - release a list */

void
certs_trust_list_free(struct certs_trust_entry *list, size_t count)
{
	size_t	i;

	for (i = 0; i < count; i++) {
		mem_free(list[i].name);
		mem_free(list[i].path);
		X509_free(list[i].cert);
	}
	mem_free(list);
}

/* certs_trust_same - is the file's certificate this one? */

static int
certs_trust_same(const char *path, X509 *cert)
{
	STACK_OF(X509) *have;
	struct buf why;
	int	same;

	buf_init(&why, 0);
	have = certs_x509_load_certs(path, &why);
	buf_fini(&why);
	if (have == NULL)
		return (0);
	same = sk_X509_num(have) == 1
	    && X509_cmp(sk_X509_value(have, 0), cert) == 0;
	sk_X509_pop_free(have, X509_free);
	return (same);
}

/* certs_trust_subject - a certificate's subject, for messages */

static void
certs_trust_subject(X509 *cert, struct buf *out)
{
	certs_x509_name(X509_get_subject_name(cert), out);
}

/* certs_trust_add - trust certificates, all or none */

int
certs_trust_add(const char *dir, STACK_OF(X509) *certs, const char *name,
    int leaf_ok, struct buf *added, struct buf *present, struct buf *err)
{
	int	n = sk_X509_num(certs);
	struct certs_file *files;
	struct buf *names;
	struct buf *pems;
	struct buf path;
	struct stat st;
	size_t	nfiles = 0;
	int	rc = -1;
	int	i;
	int	j;

	if (n == 0) {
		buf_puts(err, "no certificate to add");
		return (-1);
	}
	if (name != NULL && n != 1) {
		buf_printf(err, "a name can be given for one certificate "
		    "only, not %d", n);
		return (-1);
	}
	if (name != NULL && !certs_trust_name_ok(name)) {
		buf_printf(err, "bad name \"%s\": letters, digits, \".\", "
		    "\"-\" and \"_\", at most %d, not starting with \".\"",
		    name, CERTS_TRUST_NAME_MAX);
		return (-1);
	}
	names = mem_zalloc(n, sizeof(*names));
	pems = mem_zalloc(n, sizeof(*pems));
	files = mem_zalloc(n, sizeof(*files));
	buf_init(&path, 0);
	for (i = 0; i < n; i++) {
		X509   *cert = sk_X509_value(certs, i);

		buf_init(&names[i], 0);
		buf_init(&pems[i], 0);
		if (!leaf_ok && !certs_trust_is_ca(cert)) {
			certs_trust_subject(cert, err);
			buf_puts(err, " is not a CA certificate; trusting it "
			    "pins this one server certificate, which breaks "
			    "when the server renews it");
			goto out;
		}
		if (name != NULL)
			buf_puts(&names[i], name);
		else
			certs_trust_name(cert, &names[i]);
		for (j = 0; j < i; j++) {
			if (strcmp(names[j].data, names[i].data) == 0) {
				buf_printf(err, "certificates %d and %d would "
				    "both be named \"%s\"", j + 1, i + 1,
				    names[i].data);
				goto out;
			}
		}
		certs_trust_path(&path, dir, names[i].data);
		if (stat(path.data, &st) == 0) {
			if (!certs_trust_same(path.data, cert)) {
				buf_printf(err, "another certificate is "
				    "already trusted as \"%s\" (%s); remove it "
				    "or choose another name", names[i].data,
				    path.data);
				goto out;
			}
			buf_printf(present, "%s\n", names[i].data);
			continue;
		}
		certs_x509_pem_cert(cert, &pems[i]);
		files[nfiles].path = mem_strdup(path.data);
		files[nfiles].mode = 0644;
		files[nfiles].data = &pems[i];
		nfiles++;
	}
	if (nfiles > 0 && mkdir(dir, 0755) == -1 && errno != EEXIST) {
		buf_printf(err, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (certs_x509_write(files, nfiles, 0, err) != 0)
		goto out;
	for (i = 0; i < (int) nfiles; i++) {
		const char *base = strrchr(files[i].path, '/') + 1;

		buf_printf(added, "%.*s\n", (int) (strlen(base)
		    - (sizeof(CERTS_TRUST_SUFFIX) - 1)), base);
	}
	rc = (int) nfiles;
out:
	for (i = 0; i < (int) nfiles; i++)
		mem_free((void *) files[i].path);
	for (i = 0; i < n; i++) {
		buf_fini(&names[i]);
		buf_fini(&pems[i]);
	}
	mem_free(names);
	mem_free(pems);
	mem_free(files);
	buf_fini(&path);
	return (rc);
}

/* certs_trust_remove - stop trusting one certificate */

int
certs_trust_remove(const char *dir, const char *name, struct buf *err)
{
	struct buf path;
	int	rc = 0;

	if (!certs_trust_name_ok(name)) {
		buf_printf(err, "bad name \"%s\"", name);
		return (-1);
	}
	buf_init(&path, 0);
	if (unlink(certs_trust_path(&path, dir, name)) == -1) {
		if (errno == ENOENT)
			buf_printf(err, "no trusted certificate named \"%s\" "
			    "in %s", name, dir);
		else
			buf_printf(err, "%s: %s", path.data, strerror(errno));
		rc = -1;
	}
	buf_fini(&path);
	return (rc);
}

/* certs_trust_root_missing - does the chain stop before its root? */

int
certs_trust_root_missing(STACK_OF(X509) *chain, struct buf *why)
{
	X509   *top;
	EVP_PKEY *pub;
	int	root;

	if (sk_X509_num(chain) == 0)
		return (0);
	top = sk_X509_value(chain, sk_X509_num(chain) - 1);
	/* By name and signature: a self-signed leaf without keyCertSign
	 * is still the end of its chain (X509_self_signed() says no). */
	pub = X509_get0_pubkey(top);
	root = X509_NAME_cmp(X509_get_subject_name(top),
	    X509_get_issuer_name(top)) == 0 && pub != NULL
	    && X509_verify(top, pub) == 1;
	ERR_clear_error();
	if (root)
		return (0);
	buf_puts(why, "the chain lacks its root: it ends with ");
	certs_trust_subject(top, why);
	buf_puts(why, ", issued by ");
	certs_x509_name(X509_get_issuer_name(top), why);
	buf_puts(why, ", which is not in it");
	return (1);
}

/* certs_trust_connect - a TCP connection with send/receive timeouts */

static int
certs_trust_connect(const char *host, const char *port, int timeout,
    struct buf *err)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv;
	int	fd = -1;
	int	saved = 0;
	int	rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		buf_printf(err, "%s port %s: %s", host, port,
		    gai_strerror(rc));
		return (-1);
	}
	tv.tv_sec = timeout;
	tv.tv_usec = 0;
	for (ai = res; ai; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1) {
			saved = errno;
			continue;
		}
		/* On Linux SO_SNDTIMEO also bounds connect(). */
		(void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		(void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		(void) close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		buf_printf(err, "connect to %s port %s: %s", host, port,
		    strerror(saved == EINPROGRESS ? ETIMEDOUT : saved));
	return (fd);
}

/* certs_trust_line - read one CRLF-terminated line */

static int
certs_trust_line(int fd, struct buf *line, struct buf *err)
{
	char	ch;
	ssize_t	n;

	buf_reset(line);
	for (;;) {
		if ((n = read(fd, &ch, 1)) == 1) {
			if (ch == '\n')
				break;
			if (line->len >= CERTS_TRUST_LINE_MAX) {
				buf_puts(err, "reply line too long");
				return (-1);
			}
			buf_putc(line, ch);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			buf_puts(err, "connection closed by the server");
		else
			buf_printf(err, "read: %s", errno == EAGAIN
			    ? "timed out" : strerror(errno));
		return (-1);
	}
	if (line->len > 0 && line->data[line->len - 1] == '\r')
		buf_truncate(line, line->len - 1);
	return (0);
}

/*
 * certs_trust_reply - read an SMTP reply; its code, or -1. The lines go
 * to text, "\n"-separated.
 */
static int
certs_trust_reply(int fd, struct buf *text, struct buf *err)
{
	struct buf line;
	int	i;
	int	code = -1;

	buf_reset(text);
	buf_init(&line, 0);
	for (i = 0; i < CERTS_TRUST_LINES_MAX; i++) {
		if (certs_trust_line(fd, &line, err) != 0)
			break;
		buf_printf(text, "%s\n", line.data);
		if (line.len < 3 || !isdigit((unsigned char) line.data[0])
		    || !isdigit((unsigned char) line.data[1])
		    || !isdigit((unsigned char) line.data[2])
		    || (line.len > 3 && line.data[3] != ' '
		    && line.data[3] != '-')) {
			buf_printf(err, "not an SMTP reply: \"%s\"", line.data);
			break;
		}
		if (line.len == 3 || line.data[3] == ' ') {
			code = atoi(line.data);
			break;
		}
	}
	if (i == CERTS_TRUST_LINES_MAX)
		buf_puts(err, "reply has too many lines");
	buf_fini(&line);
	return (code);
}

/* certs_trust_send - write a command line */

static int
certs_trust_send(int fd, const char *cmd, struct buf *err)
{
	size_t	len = strlen(cmd);
	size_t	off = 0;
	ssize_t	n;

	while (off < len) {
		if ((n = write(fd, cmd + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			buf_printf(err, "write: %s", strerror(errno));
			return (-1);
		}
		off += n;
	}
	return (0);
}

/* certs_trust_has_starttls - does an EHLO reply offer STARTTLS? */

static int
certs_trust_has_starttls(const char *text)
{
	const char *cp;
	const char *nl;
	size_t	len;

	for (cp = text; *cp; cp += len + (nl != NULL)) {
		nl = strchr(cp, '\n');
		len = nl ? (size_t) (nl - cp) : strlen(cp);
		if (len >= 12 && strncasecmp(cp + 4, "STARTTLS", 8) == 0
		    && (len == 12 || cp[12] == ' '))
			return (1);
	}
	return (0);
}

/* certs_trust_smtp - the SMTP dialogue up to "220" after STARTTLS */

static int
certs_trust_smtp(int fd, struct buf *err)
{
	struct buf text;
	int	code;
	int	rc = -1;

	buf_init(&text, 0);
	if ((code = certs_trust_reply(fd, &text, err)) != 220) {
		if (code > 0)
			buf_printf(err, "greeting: %s", text.data);
		goto out;
	}
	if (certs_trust_send(fd, "EHLO mtactl.invalid\r\n", err) != 0)
		goto out;
	if ((code = certs_trust_reply(fd, &text, err)) != 250) {
		if (code > 0)
			buf_printf(err, "EHLO: %s", text.data);
		goto out;
	}
	if (!certs_trust_has_starttls(text.data)) {
		buf_puts(err, "the server does not offer STARTTLS");
		goto out;
	}
	if (certs_trust_send(fd, "STARTTLS\r\n", err) != 0)
		goto out;
	if ((code = certs_trust_reply(fd, &text, err)) != 220) {
		if (code > 0)
			buf_printf(err, "STARTTLS: %s", text.data);
		goto out;
	}
	rc = 0;
out:
	/* Reply texts end in a newline; messages do not. */
	if (rc != 0 && err->len > 0 && err->data[err->len - 1] == '\n')
		buf_truncate(err, err->len - 1);
	buf_fini(&text);
	return (rc);
}

/* certs_trust_is_address - is host a numeric address (no SNI then)? */

static int
certs_trust_is_address(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return (inet_pton(AF_INET, host, addr) == 1
	    || inet_pton(AF_INET6, host, addr) == 1);
}

/* certs_trust_fetch - the certificates a server sends */

int
certs_trust_fetch(const char *host, const char *port, int starttls,
    int timeout, STACK_OF(X509) **chain, struct buf *err)
{
	struct certs_tls_opts opts;
	STACK_OF(X509) *sent;
	SSL_CTX *ctx = NULL;
	SSL    *ssl = NULL;
	int	fd;
	int	rc = -1;
	int	i;

	*chain = NULL;
	if ((fd = certs_trust_connect(host, port, timeout, err)) == -1)
		return (-1);
	if (starttls && certs_trust_smtp(fd, err) != 0)
		goto out;
	/* Any version the library can speak: this only reads the chain. */
	certs_ctx_defaults(&opts);
	opts.min_version = TLS1_VERSION;
	if ((ctx = certs_ctx_client(&opts, err)) == NULL)
		goto out;
	if ((ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(ssl, fd)) {
		certs_x509_ssl_error(err, "TLS setup");
		goto out;
	}
	if (!certs_trust_is_address(host))
		(void) SSL_set_tlsext_host_name(ssl, host);
	if (SSL_connect(ssl) != 1) {
		certs_x509_ssl_error(err, "TLS handshake with %s port %s",
		    host, port);
		goto out;
	}
	if ((sent = SSL_get_peer_cert_chain(ssl)) == NULL
	    || sk_X509_num(sent) == 0) {
		buf_printf(err, "%s port %s sent no certificate", host, port);
		goto out;
	}
	*chain = sk_X509_new_null();
	for (i = 0; i < sk_X509_num(sent); i++) {
		X509   *x = sk_X509_value(sent, i);

		if (!X509_up_ref(x) || !sk_X509_push(*chain, x))
			msg_fatal("certs_trust_fetch: out of memory");
	}
	(void) SSL_shutdown(ssl);
	rc = 0;
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	(void) close(fd);
	ERR_clear_error();
	return (rc);
}
