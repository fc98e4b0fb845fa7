/*
 * NAME
 *	mtactl_send - "mtactl send": send one message through an SMTP server
 * DESCRIPTION
 *	See mtactl_send.h. A blocking client: one connection, socket
 *	timeouts (SO_RCVTIMEO, SO_SNDTIMEO) bound every read and write,
 *	and a poll() bounds the connect. Each step that can fail returns
 *	the exit status of the mtactl_send.h table through
 *	mtactl_send_fail(), which prints the error line and, where the
 *	cause is known, a line that says what to do.
 *
 *	TLS: the client context comes from certs_ctx_client(), without
 *	DHE suites (a server with a 1024-bit group would fail with
 *	"dh key too small"; without DHE it picks ECDHE). The certificate
 *	is verified against --ca-file or the system store and the server
 *	name; the verdict is read after the handshake, before anything
 *	else is sent, so that the diagnosis can show the whole chain.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

#include "mail_addr.h"
#include "mail_header.h"
#include "mail_reply.h"
#include "mail_sasl.h"

#include "certs_ctx.h"
#include "certs_info.h"

#include "mtactl_send.h"

#define MTACTL_SEND_MAX_RCPT	100
#define MTACTL_SEND_TIMEOUT	30	/* seconds, each step */
#define MTACTL_SEND_BODY_MAX	(32UL * 1024 * 1024)
#define MTACTL_SEND_LINE_MAX	2048	/* a reply line, without CRLF */
#define MTACTL_SEND_REPLY_LINES	100
#define MTACTL_SEND_TEXT_LINE	998	/* RFC 5322 line limit */
#define MTACTL_SEND_CIPHERS	"DEFAULT:!kDHE"

#define MTACTL_SEND_USAGE \
	"--from ADDR --to ADDR [--to ADDR ...] [--cc ADDR ...]\n" \
	"\t[--subject TEXT] [--body TEXT | --body-file FILE]\n" \
	"\t--server [smtp://|smtp+starttls://|smtps://][USER[:PASS]@]HOST" \
	"[:PORT]\n" \
	"\t[--user USER] [--password-file FILE | --password-env VAR]\n" \
	"\t[--port PORT] [--tls auto|starttls|implicit|none]\n" \
	"\t[--source ADDR] [--ca-file PEM] [--tls-name NAME] [--helo NAME]\n" \
	"\t[--timeout SECONDS] [--test] [--debug]\n" \
	"\texit: 0 sent, 1 local error, 2 usage, 3 connection, " \
	"4 TLS/certificate,\n" \
	"\t      5 authentication, 6 rejected, 7 rejected temporarily"

/*
 * The command line.
 */
struct mtactl_send_args {
	const char *to[MTACTL_SEND_MAX_RCPT];
	size_t	count_to;
	const char *cc[MTACTL_SEND_MAX_RCPT];
	size_t	count_cc;
	const char *from;
	const char *subject;
	const char *body;
	const char *body_file;
	const char *server;
	const char *user;
	const char *pass_file;
	const char *pass_env;
	const char *port;
	const char *tls;
	const char *source;
	const char *ca_file;
	const char *tls_name;
	const char *helo;
	const char *timeout;
	int	test;
	int	debug;
	int	help;
};

/*
 * One conversation.
 */
struct mtactl_send_sess {
	/* What to do. */
	struct mtactl_send_server srv;
	const char *ca_file;
	const char *tls_name;		/* verified name, SNI */
	const char *source;
	const char *helo;
	int	timeout;		/* seconds */
	int	debug;
	int	test;
	char   *password;		/* wiped and freed at the end */

	/* The connection. */
	int	fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char	peer_addr[INET6_ADDRSTRLEN];
	SSL_CTX *ctx;
	SSL    *ssl;
	struct buf in;			/* received, not yet parsed */
	struct mail_reply_parser rp;

	/* What the server offered (the last EHLO). */
	int	esmtp;
	int	has_starttls;
	char   *auth_mechs;		/* NULL: no AUTH keyword */

	/* TLS diagnostics. */
	int	verify_err;		/* first error the verifier saw */
	int	verify_depth;
	char   *verify_subject;		/* the certificate it was about */
	char   *verify_issuer;		/* and its issuer's name */
	int	alert_rcvd;		/* last alert received, or -1 */
	int	alert_sent;
	unsigned char first_bytes[5];	/* first record header received */
	int	first_seen;
};

static int mtactl_send_dbg(struct mtactl_send_sess *, const char *, ...)
	    MSG_PRINTFLIKE(2, 3);

/* mtactl_send_usage - the synopsis */

void
mtactl_send_usage(FILE *fp)
{
	(void) fprintf(fp, "  mtactl send " MTACTL_SEND_USAGE "\n");
}

/*
 * The --server argument.
 */

/* mtactl_send_hex - the value of a hex digit, or -1 */

static int
mtactl_send_hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	if (ch >= 'a' && ch <= 'f')
		return (ch - 'a' + 10);
	if (ch >= 'A' && ch <= 'F')
		return (ch - 'A' + 10);
	return (-1);
}

/* mtactl_send_unescape - copy, decoding %XX in a URL's user information */

static int
mtactl_send_unescape(struct str in, int url, char **out)
{
	struct buf b;
	size_t	i;
	int	hi, lo;

	buf_init(&b, in.len);
	for (i = 0; i < in.len; i++) {
		if (url && in.ptr[i] == '%') {
			if (i + 2 >= in.len
			    || (hi = mtactl_send_hex(in.ptr[i + 1])) < 0
			    || (lo = mtactl_send_hex(in.ptr[i + 2])) < 0
			    || (hi == 0 && lo == 0)) {
				OPENSSL_cleanse(b.data, b.len);
				buf_fini(&b);
				return (-1);
			}
			buf_putc(&b, hi << 4 | lo);
			i += 2;
		} else
			buf_putc(&b, in.ptr[i]);
	}
	*out = buf_steal(&b);
	buf_fini(&b);
	return (0);
}

/* mtactl_send_server_fini - release a parsed --server */

void
mtactl_send_server_fini(struct mtactl_send_server *sp)
{
	if (sp->password != NULL) {
		OPENSSL_cleanse(sp->password, strlen(sp->password));
		sp->password = mem_free(sp->password);
	}
	sp->user = mem_free(sp->user);
	sp->host = mem_free(sp->host);
}

/* mtactl_send_server_parse - split [scheme://][user[:pass]@]host[:port] */

int
mtactl_send_server_parse(const char *spec, struct mtactl_send_server *sp,
    struct buf *err)
{
	static const struct {
		const char *prefix;
		int	tls;
	}	schemes[] = {
		{"smtp+starttls://", MTACTL_SEND_TLS_STARTTLS},
		{"smtps://", MTACTL_SEND_TLS_IMPLICIT},
		{"smtp://", MTACTL_SEND_TLS_NONE},
	};
	struct str s = str_from(spec), userinfo, hostport, host, port;
	unsigned long num;
	size_t	i, at, colon, close;
	int	url = 0;

	memset(sp, 0, sizeof(*sp));
	sp->tls = MTACTL_SEND_TLS_AUTO;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (str_caseprefix(s, str_from(schemes[i].prefix))) {
			sp->tls = schemes[i].tls;
			s.ptr += strlen(schemes[i].prefix);
			s.len -= strlen(schemes[i].prefix);
			url = 1;
			break;
		}
	}
	if (!url && strstr(spec, "://") != NULL) {
		buf_printf(err, "unknown scheme in \"%s\" (smtp://, "
		    "smtp+starttls://, smtps://)", spec);
		return (-1);
	}
	/* A URL may end in "/". */
	if (url && s.len > 0 && s.ptr[s.len - 1] == '/')
		s.len--;

	/*
	 * The user name may hold '@' (relay@my.domain): the host starts
	 * after the LAST '@'.
	 */
	if (str_rchr(s, '@', &at)) {
		userinfo = str_make(s.ptr, at);
		hostport = str_make(s.ptr + at + 1, s.len - at - 1);
		if (str_chr(userinfo, ':', &colon)) {
			if (mtactl_send_unescape(str_make(userinfo.ptr +
			    colon + 1, userinfo.len - colon - 1), url,
			    &sp->password) == -1)
				goto bad_escape;
			userinfo.len = colon;
		}
		if (userinfo.len == 0) {
			buf_printf(err, "empty user name before '@' in the "
			    "server");
			goto fail;
		}
		if (mtactl_send_unescape(userinfo, url, &sp->user) == -1)
			goto bad_escape;
	} else
		hostport = s;

	if (hostport.len > 0 && hostport.ptr[0] == '[') {
		if (!str_chr(hostport, ']', &close)) {
			buf_printf(err, "missing ']' in \"%s\"", spec);
			goto fail;
		}
		host = str_make(hostport.ptr + 1, close - 1);
		port = str_make(hostport.ptr + close + 1,
		    hostport.len - close - 1);
		if (port.len > 0 && port.ptr[0] != ':') {
			buf_printf(err, "junk after ']' in \"%s\"", spec);
			goto fail;
		}
	} else if (str_rchr(hostport, ':', &colon)) {
		host = str_make(hostport.ptr, colon);
		port = str_make(hostport.ptr + colon, hostport.len - colon);
		if (str_chr(host, ':', &colon)) {
			buf_printf(err, "an IPv6 address needs brackets: "
			    "[%.*s]", (int) hostport.len, hostport.ptr);
			goto fail;
		}
	} else {
		host = hostport;
		port = str_make("", 0);
	}
	if (host.len == 0) {
		buf_printf(err, "no host name in the server \"%s\"", spec);
		goto fail;
	}
	for (i = 0; i < host.len; i++) {
		if ((unsigned char) host.ptr[i] <= ' '
		    || (unsigned char) host.ptr[i] >= 0x7f
		    || strchr("/?#@[]", host.ptr[i]) != NULL) {
			buf_printf(err, "bad character in the host name of "
			    "the server");
			goto fail;
		}
	}
	sp->host = str_dup(host);
	if (port.len > 0) {
		if (!str_to_ulong(str_make(port.ptr + 1, port.len - 1), 65535,
		    &num) || num == 0) {
			buf_printf(err, "bad port \"%.*s\" in the server",
			    (int) (port.len - 1), port.ptr + 1);
			goto fail;
		}
		sp->port = (int) num;
	}
	return (0);

bad_escape:
	buf_printf(err, "bad %%-escape in the user name or password of the "
	    "server URL");
fail:
	mtactl_send_server_fini(sp);
	return (-1);
}

/*
 * The message.
 */

/* mtactl_send_utf8_len - length of the UTF-8 sequence at p, 0 if bad */

static size_t
mtactl_send_utf8_len(const unsigned char *p, size_t left)
{
	size_t	n, i;

	if (p[0] < 0x80)
		return (1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return (0);
	if (n > left)
		return (0);
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return (0);
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f)
	    || (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return (0);
	return (n);
}

/* mtactl_send_utf8_ok - is the text valid UTF-8 */

static int
mtactl_send_utf8_ok(struct str s)
{
	const unsigned char *p = (const unsigned char *) s.ptr;
	size_t	i, n;

	for (i = 0; i < s.len; i += n)
		if ((n = mtactl_send_utf8_len(p + i, s.len - i)) == 0)
			return (0);
	return (1);
}

/* mtactl_send_encode_word - a header value, RFC 2047 when not ASCII */

void
mtactl_send_encode_word(const char *text, struct buf *out)
{
	const unsigned char *p = (const unsigned char *) text;
	size_t	len = strlen(text), i, n, chunk;
	int	plain = 1;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			plain = 0;
	/* Text that looks like an encoded word is encoded too. */
	if (plain && strstr(text, "=?") == NULL) {
		buf_append(out, text, len);
		return;
	}

	/*
	 * "=?UTF-8?B?" and "?=" take 12 of the 75 octets of a word; 45
	 * bytes make 60 base64 characters. A word never ends inside a
	 * UTF-8 sequence (RFC 2047 section 5), so a chunk stops before.
	 */
	for (i = 0; i < len; i += chunk) {
		for (chunk = 0; i + chunk < len; chunk += n) {
			n = mtactl_send_utf8_len(p + i + chunk,
			    len - i - chunk);
			if (n == 0)
				n = 1;
			if (chunk + n > 45)
				break;
		}
		if (i > 0)
			buf_putc(out, ' ');
		buf_puts(out, "=?UTF-8?B?");
		mail_sasl_b64_encode(out, p + i, chunk);
		buf_puts(out, "?=");
	}
}

/* mtactl_send_needs_qp - does a body need quoted-printable */

static int
mtactl_send_needs_qp(struct str body)
{
	size_t	i, col = 0;
	unsigned char ch;

	for (i = 0; i < body.len; i++) {
		ch = (unsigned char) body.ptr[i];
		if (ch == '\n' || ch == '\r') {
			col = 0;
			continue;
		}
		if (ch >= 0x80 || ch == 0 || ++col > MTACTL_SEND_TEXT_LINE)
			return (1);
	}
	return (0);
}

/* mtactl_send_line_end - the length of a line end at p (CRLF, LF, CR) */

static size_t
mtactl_send_line_end(struct str s, size_t i)
{
	if (s.ptr[i] == '\r')
		return (i + 1 < s.len && s.ptr[i + 1] == '\n' ? 2 : 1);
	if (s.ptr[i] == '\n')
		return (1);
	return (0);
}

/* mtactl_send_body - append the body, CRLF line ends, 7bit or QP */

static void
mtactl_send_body(struct str body, int qp, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	i, eol, col = 0;
	unsigned char ch;
	int	ws;

	for (i = 0; i < body.len; i++) {
		if ((eol = mtactl_send_line_end(body, i)) > 0) {
			buf_puts(out, "\r\n");
			i += eol - 1;
			col = 0;
			continue;
		}
		ch = (unsigned char) body.ptr[i];
		if (!qp) {
			buf_putc(out, ch);
			continue;
		}

		/*
		 * RFC 2045 section 6.7: '=' and 8-bit as =XX, spaces and
		 * tabs too at the end of a line, lines of at most 76
		 * characters with soft breaks "=".
		 */
		ws = (ch == ' ' || ch == '\t');
		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f || ch == '='
		    || (ws && (i + 1 == body.len
		    || mtactl_send_line_end(body, i + 1) > 0))) {
			if (col + 3 > 75) {
				buf_puts(out, "=\r\n");
				col = 0;
			}
			buf_putc(out, '=');
			buf_putc(out, hex[ch >> 4]);
			buf_putc(out, hex[ch & 15]);
			col += 3;
		} else {
			if (col + 1 > 75) {
				buf_puts(out, "=\r\n");
				col = 0;
			}
			buf_putc(out, ch);
			col++;
		}
	}
	if (out->len < 2 || out->data[out->len - 1] != '\n')
		buf_puts(out, "\r\n");
}

/* mtactl_send_addr_list - a To: or Cc: field */

static void
mtactl_send_addr_list(struct buf *out, const char *name,
    const char *const *addrs, size_t count)
{
	struct mail_header_fold fold;
	struct buf word;
	size_t	i;

	if (count == 0)
		return;
	buf_init(&word, 64);
	mail_header_fold_init(&fold, out, name);
	for (i = 0; i < count; i++) {
		buf_reset(&word);
		buf_puts(&word, addrs[i]);
		if (i + 1 < count)
			buf_putc(&word, ',');
		mail_header_fold_word(&fold, word.data);
	}
	mail_header_fold_end(&fold);
	buf_fini(&word);
}

/* mtactl_send_message - the whole message, not yet dot-stuffed */

void
mtactl_send_message(const struct mtactl_send_msg *mp, struct buf *out)
{
	struct mail_header_fold fold;
	struct buf subj;
	size_t	i, start;
	int	qp = mtactl_send_needs_qp(mp->body);

	buf_puts(out, "Date: ");
	mail_header_date(mp->date, out);
	buf_puts(out, "\r\n");
	buf_printf(out, "From: %s\r\n", mp->from);
	mtactl_send_addr_list(out, "To", mp->to, mp->count_to);
	mtactl_send_addr_list(out, "Cc", mp->cc, mp->count_cc);
	if (mp->subject != NULL) {
		buf_init(&subj, 64);
		mtactl_send_encode_word(mp->subject, &subj);
		mail_header_fold_init(&fold, out, "Subject");
		/* Fold at the spaces; encoded words are separated by one. */
		for (start = i = 0; i <= subj.len; i++) {
			if (i == subj.len || subj.data[i] == ' ') {
				subj.data[i] = '\0';
				if (i > start)
					mail_header_fold_word(&fold,
					    subj.data + start);
				start = i + 1;
			}
		}
		mail_header_fold_end(&fold);
		buf_fini(&subj);
	}
	buf_printf(out, "Message-ID: %s\r\n", mp->msgid);
	buf_puts(out, "MIME-Version: 1.0\r\n");
	buf_puts(out, "Content-Type: text/plain; charset=UTF-8\r\n");
	buf_printf(out, "Content-Transfer-Encoding: %s\r\n",
	    qp ? "quoted-printable" : "7bit");
	buf_puts(out, "\r\n");
	mtactl_send_body(mp->body, qp, out);
}

/* mtactl_send_dotstuff - the message as DATA sends it */

void
mtactl_send_dotstuff(struct str msg, struct buf *out)
{
	size_t	i;
	int	bol = 1;

	for (i = 0; i < msg.len; i++) {
		if (bol && msg.ptr[i] == '.')
			buf_putc(out, '.');
		buf_putc(out, msg.ptr[i]);
		bol = (msg.ptr[i] == '\n');
	}
	if (!bol)
		buf_puts(out, "\r\n");
	buf_puts(out, ".\r\n");
}

/*
 * Diagnostics.
 */

/* mtactl_send_dbg - one line of the --debug trace */

static int
mtactl_send_dbg(struct mtactl_send_sess *sp, const char *fmt, ...)
{
	va_list	ap;

	if (!sp->debug)
		return (0);
	va_start(ap, fmt);
	(void) vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void) fputc('\n', stderr);
	return (0);
}

/* mtactl_send_fail - report a failure and what to do; return status */

static int
mtactl_send_fail(int status, const char *hint, const char *fmt, ...)
	MSG_PRINTFLIKE(3, 4);

static int
mtactl_send_fail(int status, const char *hint, const char *fmt, ...)
{
	struct buf why;
	va_list	ap;

	buf_init(&why, 128);
	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	msg_error("send: %s", why.data);
	if (hint != NULL)
		msg_info("send: what to do: %s", hint);
	buf_fini(&why);
	return (status);
}

/* mtactl_send_safe - append text with bytes outside printable ASCII as ? */

static void
mtactl_send_safe(struct buf *out, const char *text, size_t len)
{
	size_t	i;
	unsigned char ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char) text[i];
		buf_putc(out, ch >= 0x20 && ch < 0x7f ? ch : '?');
	}
}

/* mtactl_send_reply_text - "550 5.1.1 text text" of the last reply */

static const char *
mtactl_send_reply_text(struct mtactl_send_sess *sp, struct buf *out)
{
	const struct mail_reply *rp = &sp->rp.reply;
	size_t	i;

	buf_printf(out, "%d", rp->code);
	if (rp->enhanced[0])
		buf_printf(out, " %s", rp->enhanced);
	for (i = 0; i < rp->nlines; i++) {
		buf_putc(out, ' ');
		mtactl_send_safe(out, rp->lines[i], strlen(rp->lines[i]));
	}
	return (out->data);
}

/* mtactl_send_name - an X509 name in RFC 2253 form */

static char *
mtactl_send_name(const X509_NAME *name)
{
	BIO    *bio = BIO_new(BIO_s_mem());
	char   *data, *res;
	long	len;

	if (bio == NULL)
		msg_fatal("out of memory");
	(void) X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
	len = BIO_get_mem_data(bio, &data);
	res = mem_strndup(data, len > 0 ? (size_t) len : 0);
	BIO_free(bio);
	return (res);
}

/*
 * The connection.
 */

/* mtactl_send_connect_one - connect to one address with a timeout */

static int
mtactl_send_connect_one(struct mtactl_send_sess *sp, const struct addrinfo *ai,
    struct buf *why)
{
	struct addrinfo hints, *src = NULL, *sa;
	struct pollfd pfd;
	struct timeval tv;
	socklen_t len;
	int	fd, flags, err = 0, rc;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol)) == -1) {
		buf_printf(why, "socket: %s", strerror(errno));
		return (-1);
	}
	if (sp->source != NULL) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = ai->ai_family;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
		if ((rc = getaddrinfo(sp->source, NULL, &hints, &src)) != 0) {
			buf_printf(why, "source address %s is not of this "
			    "address family", sp->source);
			goto fail;
		}
		for (sa = src; sa; sa = sa->ai_next)
			if (bind(fd, sa->ai_addr, sa->ai_addrlen) == 0)
				break;
		if (sa == NULL) {
			buf_printf(why, "cannot bind source address %s: %s",
			    sp->source, strerror(errno));
			goto fail;
		}
		freeaddrinfo(src);
		src = NULL;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		buf_printf(why, "fcntl: %s", strerror(errno));
		goto fail;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS) {
			buf_printf(why, "%s", strerror(errno));
			goto fail;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			rc = poll(&pfd, 1, sp->timeout * 1000);
		while (rc == -1 && errno == EINTR);
		if (rc == 0) {
			buf_printf(why, "no answer within %d s", sp->timeout);
			goto fail;
		}
		len = sizeof(err);
		if (rc == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
		    &len) == -1)
			err = errno;
		if (err != 0) {
			buf_printf(why, "%s", strerror(err));
			goto fail;
		}
	}
	(void) fcntl(fd, F_SETFL, flags);
	tv.tv_sec = sp->timeout;
	tv.tv_usec = 0;
	(void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return (fd);
fail:
	if (src != NULL)
		freeaddrinfo(src);
	(void) close(fd);
	return (-1);
}

/* mtactl_send_connect - resolve the server and connect to an address */

static int
mtactl_send_connect(struct mtactl_send_sess *sp)
{
	struct addrinfo hints, *res, *ai;
	struct buf why;
	char	port[16];
	int	rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	(void) snprintf(port, sizeof(port), "%d", sp->srv.port);
	if ((rc = getaddrinfo(sp->srv.host, port, &hints, &res)) != 0)
		return (mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
		    "check the server name and the resolver",
		    "cannot resolve %s: %s", sp->srv.host, gai_strerror(rc)));
	buf_init(&why, 128);
	for (ai = res; ai; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, sp->peer_addr,
		    sizeof(sp->peer_addr), NULL, 0, NI_NUMERICHOST) != 0)
			(void) snprintf(sp->peer_addr, sizeof(sp->peer_addr),
			    "?");
		mtactl_send_dbg(sp, "*** connecting to %s [%s] port %d",
		    sp->srv.host, sp->peer_addr, sp->srv.port);
		if (why.len > 0)
			buf_puts(&why, "; ");
		buf_printf(&why, "[%s]:%d: ", sp->peer_addr, sp->srv.port);
		if ((sp->fd = mtactl_send_connect_one(sp, ai, &why)) != -1) {
			memcpy(&sp->peer, ai->ai_addr, ai->ai_addrlen);
			sp->peer_len = ai->ai_addrlen;
			mtactl_send_dbg(sp, "*** connected to [%s] port %d",
			    sp->peer_addr, sp->srv.port);
			freeaddrinfo(res);
			buf_fini(&why);
			return (0);
		}
	}
	freeaddrinfo(res);
	rc = mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
	    "check the host name, the port, a firewall on the way, and "
	    "--source", "cannot connect to %s port %d: %s", sp->srv.host,
	    sp->srv.port, why.data);
	buf_fini(&why);
	return (rc);
}

/* mtactl_send_write - send bytes; -1 on error with errno */

static int
mtactl_send_write(struct mtactl_send_sess *sp, const char *data, size_t len)
{
	ssize_t	n;
	int	ret;

	while (len > 0) {
		if (sp->ssl != NULL) {
			ret = SSL_write(sp->ssl, data,
			    (int) (len > 65536 ? 65536 : len));
			if (ret <= 0) {
				if (SSL_get_error(sp->ssl, ret)
				    == SSL_ERROR_WANT_WRITE)
					errno = ETIMEDOUT;
				else if (errno == 0)
					errno = EPIPE;
				return (-1);
			}
			n = ret;
		} else if ((n = send(sp->fd, data, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				errno = ETIMEDOUT;
			return (-1);
		}
		data += n;
		len -= (size_t) n;
	}
	return (0);
}

#define MTACTL_SEND_READ_EOF	0
#define MTACTL_SEND_READ_TIMEOUT (-1)
#define MTACTL_SEND_READ_ERROR	(-2)

/* mtactl_send_read - read more bytes into sp->in */

static int
mtactl_send_read(struct mtactl_send_sess *sp)
{
	char	chunk[4096];
	ssize_t	n;
	int	ret;

	for (;;) {
		errno = 0;
		if (sp->ssl != NULL) {
			ret = SSL_read(sp->ssl, chunk, sizeof(chunk));
			if (ret > 0) {
				n = ret;
			} else {
				switch (SSL_get_error(sp->ssl, ret)) {
				case SSL_ERROR_ZERO_RETURN:
					return (MTACTL_SEND_READ_EOF);
				case SSL_ERROR_WANT_READ:
					return (MTACTL_SEND_READ_TIMEOUT);
				case SSL_ERROR_SYSCALL:
					if (errno == 0)
						return (MTACTL_SEND_READ_EOF);
					/* FALLTHROUGH */
				default:
					return (MTACTL_SEND_READ_ERROR);
				}
			}
		} else if ((n = recv(sp->fd, chunk, sizeof(chunk), 0)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return (MTACTL_SEND_READ_TIMEOUT);
			return (MTACTL_SEND_READ_ERROR);
		} else if (n == 0)
			return (MTACTL_SEND_READ_EOF);
		buf_append(&sp->in, chunk, (size_t) n);
		return ((int) n);
	}
}

/* mtactl_send_lost - the connection failed while waiting for something */

static int
mtactl_send_lost(struct mtactl_send_sess *sp, int why, const char *what)
{
	const char *hint = "the server's log says why; --debug shows the "
	    "dialogue";

	if (why == MTACTL_SEND_READ_TIMEOUT)
		return (mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
		    "raise --timeout if the server is slow",
		    "%s [%s] port %d: no reply to %s within %d s",
		    sp->srv.host, sp->peer_addr, sp->srv.port, what,
		    sp->timeout));
	if (why == MTACTL_SEND_READ_EOF)
		return (mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT, hint,
		    "%s [%s] port %d: the server closed the connection "
		    "after %s", sp->srv.host, sp->peer_addr, sp->srv.port,
		    what));
	return (mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT, hint,
	    "%s [%s] port %d: connection lost after %s: %s", sp->srv.host,
	    sp->peer_addr, sp->srv.port, what, errno ? strerror(errno)
	    : "TLS error"));
}

/*
 * mtactl_send_reply - read one whole reply into sp->rp.reply; returns
 * its code, or a MTACTL_SEND_READ_* status, or -3 for a malformed reply.
 */

#define MTACTL_SEND_READ_BAD	(-3)

static int
mtactl_send_reply(struct mtactl_send_sess *sp)
{
	struct buf shown;
	char   *nl;
	size_t	len;
	int	rc;

	for (;;) {
		while ((nl = memchr(sp->in.data, '\n', sp->in.len)) == NULL) {
			if (sp->in.len > MTACTL_SEND_LINE_MAX)
				return (MTACTL_SEND_READ_BAD);
			if ((rc = mtactl_send_read(sp)) <= 0)
				return (rc);
		}
		len = (size_t) (nl - sp->in.data);
		if (len > 0 && sp->in.data[len - 1] == '\r')
			len--;
		if (sp->debug) {
			buf_init(&shown, len + 8);
			mtactl_send_safe(&shown, sp->in.data, len);
			mtactl_send_dbg(sp, "<<< %s", shown.data);
			buf_fini(&shown);
		}
		rc = mail_reply_parse_line(&sp->rp, str_make(sp->in.data,
		    len));
		buf_consume(&sp->in, (size_t) (nl - sp->in.data) + 1);
		if (rc == MAIL_REPLY_PARSE_DONE)
			return (sp->rp.reply.code);
		if (rc == MAIL_REPLY_PARSE_ERROR)
			return (MTACTL_SEND_READ_BAD);
	}
}

/* mtactl_send_cmd - send a command line, trace it (shown may be NULL) */

static int
mtactl_send_cmd(struct mtactl_send_sess *sp, const char *line,
    const char *shown)
{
	struct buf wire;
	int	rc;

	mtactl_send_dbg(sp, ">>> %s", shown ? shown : line);
	buf_init(&wire, strlen(line) + 2);
	buf_puts(&wire, line);
	buf_puts(&wire, "\r\n");
	rc = mtactl_send_write(sp, wire.data, wire.len);
	OPENSSL_cleanse(wire.data, wire.len);
	buf_fini(&wire);
	return (rc);
}

/*
 * mtactl_send_chat - send a command and read the reply: its code, or
 * after a failure to talk at all the exit status, negated.
 */

static int
mtactl_send_chat(struct mtactl_send_sess *sp, const char *line,
    const char *shown, const char *what)
{
	int	code;

	if (mtactl_send_cmd(sp, line, shown) == -1)
		return (-mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT, NULL,
		    "%s [%s] port %d: cannot send %s: %s", sp->srv.host,
		    sp->peer_addr, sp->srv.port, what, strerror(errno)));
	code = mtactl_send_reply(sp);
	if (code == MTACTL_SEND_READ_BAD)
		return (-mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
		    "this is not an SMTP server, or not on this port",
		    "%s [%s] port %d: malformed reply to %s: %s",
		    sp->srv.host, sp->peer_addr, sp->srv.port, what,
		    mail_reply_parse_error(&sp->rp)));
	if (code <= 0)
		return (-mtactl_send_lost(sp, code, what));
	return (code);
}

/*
 * TLS.
 */

/* mtactl_send_sess_of - the session of an SSL handle */

static struct mtactl_send_sess *
mtactl_send_sess_of(const SSL *ssl)
{
	return (SSL_get_app_data(ssl));
}

/* mtactl_send_info_cb - trace handshake states and alerts */

static void
mtactl_send_info_cb(const SSL *ssl, int where, int ret)
{
	struct mtactl_send_sess *sp = mtactl_send_sess_of(ssl);

	if (sp == NULL)
		return;
	if (where & SSL_CB_ALERT) {
		if (where & SSL_CB_READ)
			sp->alert_rcvd = ret & 0xff;
		else
			sp->alert_sent = ret & 0xff;
		mtactl_send_dbg(sp, "*** TLS alert %s: %s %s",
		    (where & SSL_CB_READ) ? "received" : "sent",
		    SSL_alert_type_string_long(ret),
		    SSL_alert_desc_string_long(ret));
	} else if ((where & SSL_CB_LOOP) && SSL_in_init(ssl)) {
		mtactl_send_dbg(sp, "*** TLS state: %s",
		    SSL_state_string_long(ssl));
	} else if (where & SSL_CB_HANDSHAKE_DONE) {
		mtactl_send_dbg(sp, "*** TLS handshake done");
	}
}

/* mtactl_send_msg_cb - remember the first record header received */

static void
mtactl_send_msg_cb(int write_p, int version, int content_type,
    const void *buf, size_t len, SSL *ssl, void *arg)
{
	struct mtactl_send_sess *sp = arg;

	(void) version;
	(void) ssl;
	if (sp == NULL || write_p || content_type != SSL3_RT_HEADER
	    || sp->first_seen || len < sizeof(sp->first_bytes))
		return;
	memcpy(sp->first_bytes, buf, sizeof(sp->first_bytes));
	sp->first_seen = 1;
}

/* mtactl_send_verify_cb - record the first verification error, go on */

static int
mtactl_send_verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL    *ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mtactl_send_sess *sp = mtactl_send_sess_of(ssl);
	X509   *cert = X509_STORE_CTX_get_current_cert(xs);
	int	err = X509_STORE_CTX_get_error(xs);
	int	depth = X509_STORE_CTX_get_error_depth(xs);
	char   *subj = NULL;

	if (sp == NULL)
		return (1);
	if (cert != NULL)
		subj = mtactl_send_name(X509_get_subject_name(cert));
	if (ok)
		mtactl_send_dbg(sp, "*** TLS verify depth %d: %s: ok", depth,
		    subj ? subj : "?");
	else
		mtactl_send_dbg(sp, "*** TLS verify depth %d: %s: %s", depth,
		    subj ? subj : "?", X509_verify_cert_error_string(err));
	if (!ok && sp->verify_err == X509_V_OK) {
		sp->verify_err = err;
		sp->verify_depth = depth;
		sp->verify_subject = subj;
		subj = NULL;
		if (cert != NULL)
			sp->verify_issuer = mtactl_send_name(
			    X509_get_issuer_name(cert));
	}
	mem_free(subj);

	/* The verdict is read after the handshake (see DESCRIPTION). */
	return (1);
}

/* mtactl_send_tls_ctx - the client context */

static int
mtactl_send_tls_ctx(struct mtactl_send_sess *sp)
{
	struct certs_tls_opts opts;
	struct buf err;
	int	rc;

	certs_ctx_defaults(&opts);
	opts.ciphers = MTACTL_SEND_CIPHERS;
	opts.ca_file = sp->ca_file;
	buf_init(&err, 128);
	if ((sp->ctx = certs_ctx_client(&opts, &err)) == NULL) {
		rc = mtactl_send_fail(MTACTL_SEND_EXIT_LOCAL,
		    sp->ca_file ? "give a file of PEM certificates" : NULL,
		    "TLS set-up: %s", err.data);
		buf_fini(&err);
		return (rc);
	}
	buf_fini(&err);
	if (sp->ca_file == NULL
	    && !SSL_CTX_set_default_verify_paths(sp->ctx))
		return (mtactl_send_fail(MTACTL_SEND_EXIT_LOCAL,
		    "install ca-certificates or give --ca-file",
		    "cannot load the system trust store"));
	SSL_CTX_set_verify(sp->ctx, SSL_VERIFY_PEER, mtactl_send_verify_cb);
	SSL_CTX_set_info_callback(sp->ctx, mtactl_send_info_cb);
	SSL_CTX_set_msg_callback(sp->ctx, mtactl_send_msg_cb);
	SSL_CTX_set_msg_callback_arg(sp->ctx, sp);
	return (0);
}

/* mtactl_send_is_ip - is the name an IP address literal */

static int
mtactl_send_is_ip(const char *name)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return (inet_pton(AF_INET, name, addr) == 1
	    || inet_pton(AF_INET6, name, addr) == 1);
}

/* mtactl_send_show_chain - print the certificates the server sent */

static void
mtactl_send_show_chain(struct mtactl_send_sess *sp, FILE *fp)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(sp->ssl);
	struct certs_info info;
	struct buf line, err;
	time_t	now = time(NULL);
	int	i;

	buf_init(&line, 256);
	buf_init(&err, 64);
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
		buf_reset(&line);
		buf_reset(&err);
		if (certs_info_get(sk_X509_value(chain, i), now, &info,
		    &err) == -1) {
			(void) fprintf(fp, "*** certificate %d: %s\n", i,
			    err.data);
			continue;
		}
		buf_printf(&line, "*** certificate %d: subject %s\n"
		    "***   issuer %s\n***   valid from ", i, info.subject,
		    info.issuer);
		certs_info_time(info.not_before, &line);
		buf_puts(&line, " to ");
		certs_info_time(info.not_after, &line);
		if (info.not_after < now)
			buf_printf(&line, " (EXPIRED %ld days ago)",
			    -info.days_left);
		else if (info.not_before > now)
			buf_puts(&line, " (NOT YET VALID)");
		else
			buf_printf(&line, " (%ld days left)", info.days_left);
		buf_printf(&line, ", %s %d bits", info.key_type,
		    info.key_bits);
		(void) fprintf(fp, "%s\n", line.data);
		certs_info_free(&info);
	}
	buf_fini(&line);
	buf_fini(&err);
}

/* mtactl_send_store - where the trust anchors came from */

static const char *
mtactl_send_store(struct mtactl_send_sess *sp)
{
	return (sp->ca_file ? sp->ca_file : "the system trust store");
}

/* mtactl_send_verify_fail - explain why the certificate did not verify */

static int
mtactl_send_verify_fail(struct mtactl_send_sess *sp, long result)
{
	const char *hint = NULL;
	const char *subj = sp->verify_subject ? sp->verify_subject : "?";
	const char *iss = sp->verify_issuer ? sp->verify_issuer : "?";
	struct buf why, todo;
	int	rc;

	buf_init(&why, 256);
	buf_init(&todo, 256);
	buf_printf(&why, "%s [%s] port %d: certificate verify failed: %s",
	    sp->srv.host, sp->peer_addr, sp->srv.port,
	    X509_verify_cert_error_string(result));
	switch (result) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		buf_printf(&why, ": the issuer \"%s\" of \"%s\" (depth %d) "
		    "is not in %s", iss, subj, sp->verify_depth,
		    mtactl_send_store(sp));
		if (result == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE)
			buf_printf(&todo, "the server sent no intermediate "
			    "certificate: add the CA certificate \"%s\" to "
			    "the PEM file given with --ca-file, or have the "
			    "server send its whole chain", iss);
		else
			buf_printf(&todo, "add the CA certificate \"%s\" "
			    "(and the root above it) to the PEM file given "
			    "with --ca-file", iss);
		hint = todo.data;
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		buf_printf(&why, ": the server sent its root \"%s\", which "
		    "is not in %s", subj, mtactl_send_store(sp));
		buf_printf(&todo, "if you trust \"%s\", add it to the PEM "
		    "file given with --ca-file", subj);
		hint = todo.data;
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		buf_printf(&why, ": \"%s\" signed itself", subj);
		hint = "give the server a certificate from a CA, or put this "
		    "very certificate in the file given with --ca-file";
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		buf_printf(&why, ": \"%s\" does not name %s", subj,
		    sp->tls_name);
		hint = "connect by a name the certificate lists (see "
		    "--debug), or give that name with --tls-name";
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		buf_printf(&why, ": \"%s\" (depth %d)", subj,
		    sp->verify_depth);
		hint = "the server's administrator must renew it";
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		buf_printf(&why, ": \"%s\" (depth %d); check the clocks",
		    subj, sp->verify_depth);
		break;
	default:
		buf_printf(&why, ": \"%s\" (depth %d)", subj,
		    sp->verify_depth);
		break;
	}
	rc = mtactl_send_fail(MTACTL_SEND_EXIT_TLS, hint, "%s", why.data);
	buf_fini(&why);
	buf_fini(&todo);
	return (rc);
}

/* mtactl_send_looks_plain - did the server answer TLS with SMTP text */

static int
mtactl_send_looks_plain(struct mtactl_send_sess *sp)
{
	const unsigned char *b = sp->first_bytes;

	return (sp->first_seen && b[0] >= '2' && b[0] <= '5'
	    && b[1] >= '0' && b[1] <= '9' && b[2] >= '0' && b[2] <= '9'
	    && (b[3] == ' ' || b[3] == '-'));
}

/* mtactl_send_tls_error - the TLS library's reason, or the socket's */

static void
mtactl_send_tls_error(struct buf *out, int ssl_err, int saved_errno,
    unsigned long e)
{
	char	text[256];

	if (e != 0) {
		ERR_error_string_n(e, text, sizeof(text));
		buf_puts(out, text);
	} else if (ssl_err == SSL_ERROR_WANT_READ
	    || ssl_err == SSL_ERROR_WANT_WRITE)
		buf_puts(out, "timed out");
	else if (ssl_err == SSL_ERROR_SYSCALL && saved_errno != 0)
		buf_puts(out, strerror(saved_errno));
	else if (ssl_err == SSL_ERROR_SYSCALL
	    || ssl_err == SSL_ERROR_ZERO_RETURN)
		buf_puts(out, "the server closed the connection");
	else
		buf_printf(out, "SSL error %d", ssl_err);
}

/* mtactl_send_tls_start - the handshake and the certificate verdict */

static int
mtactl_send_tls_start(struct mtactl_send_sess *sp, int implicit)
{
	const char *hint = NULL;
	STACK_OF(X509) *vchain;
	X509   *anchor;
	struct buf why;
	unsigned long e;
	long	result;
	char   *name;
	int	ret, ssl_err, saved, rc;

	if (sp->ctx == NULL && (rc = mtactl_send_tls_ctx(sp)) != 0)
		return (rc);
	if ((sp->ssl = SSL_new(sp->ctx)) == NULL)
		msg_fatal("SSL_new: out of memory");
	SSL_set_app_data(sp->ssl, sp);
	(void) SSL_set_fd(sp->ssl, sp->fd);
	if (mtactl_send_is_ip(sp->tls_name)) {
		(void) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(sp->ssl),
		    sp->tls_name);
	} else {
		(void) SSL_set_tlsext_host_name(sp->ssl, sp->tls_name);
		(void) SSL_set1_host(sp->ssl, sp->tls_name);
	}
	sp->verify_err = X509_V_OK;
	sp->alert_rcvd = sp->alert_sent = -1;
	mtactl_send_dbg(sp, "*** TLS handshake (%s), expecting the name %s, "
	    "trust anchors from %s", implicit ? "implicit TLS" : "STARTTLS",
	    sp->tls_name, mtactl_send_store(sp));
	ERR_clear_error();
	errno = 0;
	ret = SSL_connect(sp->ssl);
	saved = errno;
	if (ret != 1) {
		ssl_err = SSL_get_error(sp->ssl, ret);
		e = ERR_peek_last_error();
		buf_init(&why, 256);
		mtactl_send_tls_error(&why, ssl_err, saved, e);
		ERR_clear_error();
		if (implicit && mtactl_send_looks_plain(sp)) {
			rc = mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
			    "use --tls starttls (or smtp+starttls://) for "
			    "this port, or the server's implicit TLS port "
			    "(usually 465)",
			    "%s [%s] port %d: the server answered the TLS "
			    "handshake with plain text \"%.4s...\": the port "
			    "expects STARTTLS (or no TLS), not implicit TLS "
			    "(%s)", sp->srv.host, sp->peer_addr, sp->srv.port,
			    (const char *) sp->first_bytes, why.data);
			buf_fini(&why);
			return (rc);
		}
		if (ERR_GET_REASON(e) == SSL_R_DH_KEY_TOO_SMALL)
			hint = "the server chose a DHE suite with a small "
			    "group; the server must offer ECDHE suites";
		else if (sp->alert_rcvd == SSL3_AD_HANDSHAKE_FAILURE
		    || sp->alert_rcvd == SSL_AD_PROTOCOL_VERSION)
			hint = "the server accepts none of our protocol "
			    "versions (TLS 1.2, 1.3) or ciphers (ECDHE, no "
			    "DHE); if it only offers DHE suites, it must "
			    "enable ECDHE";
		else if (sp->alert_rcvd >= 0)
			hint = "the server refused the handshake; see its "
			    "log, and --debug for the states";
		rc = mtactl_send_fail(MTACTL_SEND_EXIT_TLS, hint,
		    "%s [%s] port %d: TLS handshake failed: %s%s%s",
		    sp->srv.host, sp->peer_addr, sp->srv.port, why.data,
		    sp->alert_rcvd >= 0 ? "; alert received: " : "",
		    sp->alert_rcvd >= 0 ?
		    SSL_alert_desc_string_long(sp->alert_rcvd) : "");
		buf_fini(&why);
		return (rc);
	}
	mtactl_send_dbg(sp, "*** TLS established: %s %s", SSL_get_version(
	    sp->ssl), SSL_get_cipher_name(sp->ssl));
	if (sp->debug)
		mtactl_send_show_chain(sp, stderr);
	result = SSL_get_verify_result(sp->ssl);
	if (SSL_get0_peer_certificate(sp->ssl) == NULL)
		result = X509_V_ERR_UNSPECIFIED;
	if (result != X509_V_OK) {
		mtactl_send_dbg(sp, "*** TLS not verified: no trust anchor in "
		    "%s validates this chain: %s", mtactl_send_store(sp),
		    X509_verify_cert_error_string(result));
		return (mtactl_send_verify_fail(sp, result));
	}
	vchain = SSL_get0_verified_chain(sp->ssl);
	anchor = vchain ? sk_X509_value(vchain, sk_X509_num(vchain) - 1)
	    : NULL;
	name = anchor ? mtactl_send_name(X509_get_subject_name(anchor))
	    : mem_strdup("?");
	mtactl_send_dbg(sp, "*** TLS verified: %s, chain of %d up to the "
	    "trust anchor \"%s\" from %s", sp->tls_name,
	    vchain ? sk_X509_num(vchain) : 0, name, mtactl_send_store(sp));
	if (sp->test)
		(void) printf("TLS: %s %s, certificate of %s verified by the "
		    "trust anchor \"%s\"\n", SSL_get_version(sp->ssl),
		    SSL_get_cipher_name(sp->ssl), sp->tls_name, name);
	mem_free(name);
	return (0);
}

/* mtactl_send_probe_tls - does the port speak implicit TLS */

static int
mtactl_send_probe_tls(struct mtactl_send_sess *sp)
{
	struct addrinfo ai;
	struct buf why;
	SSL    *ssl;
	int	fd, ok;

	if (sp->ctx == NULL && mtactl_send_tls_ctx(sp) != 0)
		return (0);
	memset(&ai, 0, sizeof(ai));
	ai.ai_family = sp->peer.ss_family;
	ai.ai_socktype = SOCK_STREAM;
	ai.ai_addr = (struct sockaddr *) &sp->peer;
	ai.ai_addrlen = sp->peer_len;
	buf_init(&why, 64);
	fd = mtactl_send_connect_one(sp, &ai, &why);
	buf_fini(&why);
	if (fd == -1)
		return (0);
	if ((ssl = SSL_new(sp->ctx)) == NULL)
		msg_fatal("SSL_new: out of memory");
	(void) SSL_set_fd(ssl, fd);
	if (!mtactl_send_is_ip(sp->tls_name))
		(void) SSL_set_tlsext_host_name(ssl, sp->tls_name);
	ok = (SSL_connect(ssl) == 1);
	mtactl_send_dbg(sp, "*** probe: a TLS handshake at connect %s",
	    ok ? "succeeds" : "fails");
	ERR_clear_error();
	SSL_free(ssl);
	(void) close(fd);
	return (ok);
}

/*
 * The SMTP conversation.
 */

/* mtactl_send_ehlo_parse - remember what EHLO offered */

static void
mtactl_send_ehlo_parse(struct mtactl_send_sess *sp)
{
	const struct mail_reply *rp = &sp->rp.reply;
	struct str kw;
	size_t	i;

	sp->has_starttls = 0;
	sp->auth_mechs = mem_free(sp->auth_mechs);
	for (i = 1; i < rp->nlines; i++) {
		kw = str_from(rp->lines[i]);
		if (str_caseeq(str_trim(kw), STR_LIT("STARTTLS")))
			sp->has_starttls = 1;
		else if (str_caseprefix(kw, STR_LIT("AUTH "))
		    || str_caseprefix(kw, STR_LIT("AUTH="))) {
			/* Prefer the standard "AUTH " form when both. */
			if (sp->auth_mechs == NULL || kw.ptr[4] == ' ') {
				mem_free(sp->auth_mechs);
				sp->auth_mechs = mem_strdup(kw.ptr + 5);
			}
		}
	}
}

/* mtactl_send_hello - EHLO, or HELO when EHLO is refused */

static int
mtactl_send_hello(struct mtactl_send_sess *sp)
{
	struct buf line, text;
	int	code, rc;

	buf_init(&line, 128);
	buf_init(&text, 128);
	buf_printf(&line, "EHLO %s", sp->helo);
	code = mtactl_send_chat(sp, line.data, NULL, "EHLO");
	if (code == 250) {
		sp->esmtp = 1;
		mtactl_send_ehlo_parse(sp);
		rc = 0;
		goto done;
	}
	if (code < 0) {
		rc = -code;
		goto done;
	}
	if (code / 100 == 5) {
		sp->esmtp = 0;
		sp->has_starttls = 0;
		sp->auth_mechs = mem_free(sp->auth_mechs);
		buf_reset(&line);
		buf_printf(&line, "HELO %s", sp->helo);
		if ((code = mtactl_send_chat(sp, line.data, NULL, "HELO"))
		    == 250) {
			rc = 0;
			goto done;
		}
		if (code < 0) {
			rc = -code;
			goto done;
		}
	}
	rc = mtactl_send_fail(code / 100 == 4 ? MTACTL_SEND_EXIT_TEMP
	    : MTACTL_SEND_EXIT_REJECT, "check --helo",
	    "%s [%s] port %d: the server refused EHLO/HELO %s: %s",
	    sp->srv.host, sp->peer_addr, sp->srv.port, sp->helo,
	    mtactl_send_reply_text(sp, &text));
done:
	buf_fini(&line);
	buf_fini(&text);
	return (rc);
}

/* mtactl_send_greeting - wait for the 220 greeting */

static int
mtactl_send_greeting(struct mtactl_send_sess *sp, int implicit)
{
	struct buf text;
	int	code, rc;

	code = mtactl_send_reply(sp);
	if (code == 220)
		return (0);
	buf_init(&text, 128);
	if (code == MTACTL_SEND_READ_TIMEOUT && !implicit) {
		if (mtactl_send_probe_tls(sp))
			rc = mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
			    "use --tls implicit (or smtps://) for this port, "
			    "or the server's STARTTLS port (usually 587)",
			    "%s [%s] port %d: no SMTP greeting within %d s, "
			    "and a TLS handshake at connect succeeds: the "
			    "port expects implicit TLS (SMTPS), not STARTTLS "
			    "or plain SMTP", sp->srv.host, sp->peer_addr,
			    sp->srv.port, sp->timeout);
		else
			rc = mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
			    "check the port; raise --timeout if the server "
			    "is slow",
			    "%s [%s] port %d: no SMTP greeting within %d s",
			    sp->srv.host, sp->peer_addr, sp->srv.port,
			    sp->timeout);
	} else if (code == MTACTL_SEND_READ_BAD && !implicit
	    && sp->in.len > 0 && (unsigned char) sp->in.data[0] == 0x16)
		rc = mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
		    "use --tls implicit (or smtps://)",
		    "%s [%s] port %d: the server speaks TLS at once: the "
		    "port expects implicit TLS (SMTPS)", sp->srv.host,
		    sp->peer_addr, sp->srv.port);
	else if (code == MTACTL_SEND_READ_BAD)
		rc = mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT,
		    "check the host and the port",
		    "%s [%s] port %d: not an SMTP greeting: %s",
		    sp->srv.host, sp->peer_addr, sp->srv.port,
		    mail_reply_parse_error(&sp->rp));
	else if (code <= 0)
		rc = mtactl_send_lost(sp, code, "connect (no greeting)");
	else
		rc = mtactl_send_fail(code / 100 == 4 ? MTACTL_SEND_EXIT_TEMP
		    : MTACTL_SEND_EXIT_CONNECT, "the server does not "
		    "accept mail from this address now, or at all",
		    "%s [%s] port %d: the server refused the connection: "
		    "%s", sp->srv.host, sp->peer_addr, sp->srv.port,
		    mtactl_send_reply_text(sp, &text));
	buf_fini(&text);
	return (rc);
}

/* mtactl_send_starttls - STARTTLS, the handshake, EHLO again */

static int
mtactl_send_starttls(struct mtactl_send_sess *sp)
{
	struct buf text;
	int	code, rc;

	code = mtactl_send_chat(sp, "STARTTLS", NULL, "STARTTLS");
	if (code < 0)
		return (-code);
	if (code != 220) {
		buf_init(&text, 128);
		rc = mtactl_send_fail(MTACTL_SEND_EXIT_TLS, NULL,
		    "%s [%s] port %d: the server refused STARTTLS: %s",
		    sp->srv.host, sp->peer_addr, sp->srv.port,
		    mtactl_send_reply_text(sp, &text));
		buf_fini(&text);
		return (rc);
	}
	/* Whatever came with the 220 was not protected: drop it. */
	if (sp->in.len > 0) {
		mtactl_send_dbg(sp, "*** dropping %zu bytes sent before the "
		    "TLS handshake", sp->in.len);
		buf_reset(&sp->in);
	}
	if ((rc = mtactl_send_tls_start(sp, 0)) != 0)
		return (rc);
	return (mtactl_send_hello(sp));
}

/* mtactl_send_auth_hint - what to do after an AUTH failure */

static const char *
mtactl_send_auth_hint(const struct mail_reply *rp)
{
	switch (rp->code) {
	case 535:
		return ("check the SMTP user name and password (for Amazon "
		    "SES: the SMTP credentials of this region, not the "
		    "access keys; for Gmail: an app password)");
	case 534:
		return ("the server wants another way of logging in (Gmail: "
		    "turn on 2-step verification and use an app password)");
	case 538:
		return ("the server wants TLS before AUTH: use --tls "
		    "starttls or implicit");
	case 454:
		return ("a temporary failure on the server: try again later");
	default:
		return (NULL);
	}
}

/* mtactl_send_auth - SMTP AUTH with PLAIN or LOGIN */

static int
mtactl_send_auth(struct mtactl_send_sess *sp)
{
	struct mail_sasl_client sc;
	enum mail_sasl_mech mech;
	struct buf wire, shown, text;
	int	code, rc;

	if (sp->auth_mechs == NULL)
		return (mtactl_send_fail(MTACTL_SEND_EXIT_AUTH,
		    sp->ssl ? "check the port: submission is usually 587 "
		    "(STARTTLS) or 465 (implicit TLS)" : "many servers offer "
		    "AUTH only after TLS: use --tls starttls",
		    "%s [%s] port %d: the server does not offer SMTP AUTH%s",
		    sp->srv.host, sp->peer_addr, sp->srv.port,
		    sp->esmtp ? "" : " (it does not even speak ESMTP)"));
	if ((mech = mail_sasl_mech_pick(str_from(sp->auth_mechs)))
	    == MAIL_SASL_NONE)
		return (mtactl_send_fail(MTACTL_SEND_EXIT_AUTH, NULL,
		    "%s [%s] port %d: the server offers AUTH %s; this client "
		    "speaks PLAIN and LOGIN", sp->srv.host, sp->peer_addr,
		    sp->srv.port, sp->auth_mechs));
	if (sp->ssl == NULL)
		msg_warn("send: sending the password in clear (--tls none)");
	buf_init(&wire, 128);
	buf_init(&shown, 128);
	buf_init(&text, 128);
	if (mail_sasl_client_start(&sc, mech, str_from(sp->srv.user),
	    str_from(sp->password), &wire, &shown) == -1) {
		rc = mtactl_send_fail(MTACTL_SEND_EXIT_USAGE, NULL,
		    "cannot use these credentials: %s", sc.error);
		goto done;
	}
	code = mtactl_send_chat(sp, wire.data, shown.data, "AUTH");
	while (code == 334) {
		OPENSSL_cleanse(wire.data, wire.len);
		buf_reset(&wire);
		buf_reset(&shown);
		if (mail_sasl_client_step(&sc, str_from(sp->rp.reply.nlines
		    ? sp->rp.reply.lines[0] : ""), &wire, &shown) == -1) {
			(void) mtactl_send_chat(sp, "*", NULL, "AUTH cancel");
			rc = mtactl_send_fail(MTACTL_SEND_EXIT_AUTH, NULL,
			    "%s [%s] port %d: AUTH %s: %s", sp->srv.host,
			    sp->peer_addr, sp->srv.port,
			    mail_sasl_mech_name(mech), sc.error);
			goto done;
		}
		code = mtactl_send_chat(sp, wire.data, shown.data, "AUTH");
	}
	if (code < 0) {
		rc = -code;
		goto done;
	}
	if (code != 235) {
		rc = mtactl_send_fail(MTACTL_SEND_EXIT_AUTH,
		    mtactl_send_auth_hint(&sp->rp.reply),
		    "%s [%s] port %d: authentication as \"%s\" (%s) failed: "
		    "%s", sp->srv.host, sp->peer_addr, sp->srv.port,
		    sp->srv.user, mail_sasl_mech_name(mech),
		    mtactl_send_reply_text(sp, &text));
		goto done;
	}
	if (sp->test)
		(void) printf("AUTH: authenticated as \"%s\" with %s\n",
		    sp->srv.user, mail_sasl_mech_name(mech));
	rc = 0;
done:
	OPENSSL_cleanse(wire.data, wire.len);
	buf_fini(&wire);
	buf_fini(&shown);
	buf_fini(&text);
	mail_sasl_client_fini(&sc);
	return (rc);
}

/* mtactl_send_reject_hint - what to do after a refused transaction */

static const char *
mtactl_send_reject_hint(struct mtactl_send_sess *sp, const char *text)
{
	if (strstr(text, "not verified") != NULL)
		return ("the From address is outside the identities (domain "
		    "or address) verified for this account: verify it, or "
		    "send from a verified address");
	if (sp->rp.reply.code == 530 || strstr(text, "5.7.0 Authentication")
	    || strstr(text, "uthentication required") != NULL)
		return ("the server requires authentication: give --user "
		    "and --password-file");
	if (sp->rp.reply.code == 553 || strstr(text, "5.7.1") != NULL)
		return ("the server may refuse this From address for this "
		    "account (Gmail: From must be the account's address), "
		    "or relaying for this client");
	return (NULL);
}

/* mtactl_send_step - one transaction command that must get 2xx/3xx */

static int
mtactl_send_step(struct mtactl_send_sess *sp, const char *line,
    const char *what, int want)
{
	struct buf text;
	int	code, rc;

	code = mtactl_send_chat(sp, line, NULL, what);
	if (code < 0)
		return (-code);
	if (code == want)
		return (0);
	buf_init(&text, 128);
	mtactl_send_reply_text(sp, &text);
	rc = mtactl_send_fail(code == 530 ? MTACTL_SEND_EXIT_AUTH
	    : code / 100 == 4 ? MTACTL_SEND_EXIT_TEMP
	    : MTACTL_SEND_EXIT_REJECT, mtactl_send_reject_hint(sp, text.data),
	    "%s [%s] port %d: the server %s %s: %s", sp->srv.host,
	    sp->peer_addr, sp->srv.port, code / 100 == 4 ?
	    "temporarily refused" : "refused", what, text.data);
	buf_fini(&text);
	return (rc);
}

/* mtactl_send_envelope - MAIL, RCPT, DATA, the message */

static int
mtactl_send_envelope(struct mtactl_send_sess *sp, const char *from,
    const char *const *rcpts, size_t count, const struct buf *msg)
{
	struct buf line, data, text;
	size_t	i;
	int	rc, code;

	buf_init(&line, 300);
	buf_init(&text, 128);
	buf_printf(&line, "MAIL FROM:%s", from);
	if ((rc = mtactl_send_step(sp, line.data, line.data, 250)) != 0)
		goto done;
	for (i = 0; i < count; i++) {
		buf_reset(&line);
		buf_printf(&line, "RCPT TO:%s", rcpts[i]);
		if ((rc = mtactl_send_step(sp, line.data, line.data, 250))
		    != 0)
			goto done;
	}
	if ((rc = mtactl_send_step(sp, "DATA", "DATA", 354)) != 0)
		goto done;
	buf_init(&data, msg->len + msg->len / 32 + 8);
	mtactl_send_dotstuff(str_make(msg->data, msg->len), &data);
	mtactl_send_dbg(sp, ">>> (message: %zu octets, dot-stuffed)",
	    data.len);
	if (mtactl_send_write(sp, data.data, data.len) == -1) {
		buf_fini(&data);
		rc = mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT, NULL,
		    "%s [%s] port %d: cannot send the message: %s",
		    sp->srv.host, sp->peer_addr, sp->srv.port,
		    strerror(errno));
		goto done;
	}
	buf_fini(&data);
	code = mtactl_send_reply(sp);
	if (code == MTACTL_SEND_READ_BAD || code <= 0) {
		rc = code == MTACTL_SEND_READ_BAD
		    ? mtactl_send_fail(MTACTL_SEND_EXIT_CONNECT, NULL,
		    "malformed reply after the message: %s",
		    mail_reply_parse_error(&sp->rp))
		    : mtactl_send_lost(sp, code, "the message");
		goto done;
	}
	mtactl_send_reply_text(sp, &text);
	if (code != 250) {
		rc = mtactl_send_fail(code / 100 == 4 ? MTACTL_SEND_EXIT_TEMP
		    : MTACTL_SEND_EXIT_REJECT,
		    mtactl_send_reject_hint(sp, text.data),
		    "%s [%s] port %d: the server %s the message: %s",
		    sp->srv.host, sp->peer_addr, sp->srv.port,
		    code / 100 == 4 ? "temporarily refused" : "rejected",
		    text.data);
		goto done;
	}
	if (sp->test)
		(void) printf("accepted: %s\n", text.data);
	rc = 0;
done:
	buf_fini(&line);
	buf_fini(&text);
	return (rc);
}

/* mtactl_send_quit - say goodbye, ignore the answer */

static void
mtactl_send_quit(struct mtactl_send_sess *sp)
{
	if (sp->fd == -1)
		return;
	if (mtactl_send_cmd(sp, "QUIT", NULL) == 0)
		(void) mtactl_send_reply(sp);
}

/*
 * The command line.
 */

/* mtactl_send_bad - a command line error */

static int
mtactl_send_bad(const char *fmt, ...)
	MSG_PRINTFLIKE(1, 2);

static int
mtactl_send_bad(const char *fmt, ...)
{
	struct buf why;
	va_list	ap;

	buf_init(&why, 128);
	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	msg_error("send: %s", why.data);
	(void) fprintf(stderr, "usage: mtactl send " MTACTL_SEND_USAGE "\n");
	buf_fini(&why);
	return (MTACTL_SEND_EXIT_USAGE);
}

/* mtactl_send_parse - read the options */

static int
mtactl_send_parse(int argc, char **argv, struct mtactl_send_args *a)
{
	const struct {
		const char *name;
		const char **value;
		int    *flag;
	}	opts[] = {
		{"from", &a->from, NULL},
		{"subject", &a->subject, NULL},
		{"body", &a->body, NULL},
		{"body-file", &a->body_file, NULL},
		{"server", &a->server, NULL},
		{"user", &a->user, NULL},
		{"password-file", &a->pass_file, NULL},
		{"password-env", &a->pass_env, NULL},
		{"port", &a->port, NULL},
		{"tls", &a->tls, NULL},
		{"source", &a->source, NULL},
		{"ca-file", &a->ca_file, NULL},
		{"tls-name", &a->tls_name, NULL},
		{"helo", &a->helo, NULL},
		{"timeout", &a->timeout, NULL},
		{"test", NULL, &a->test},
		{"debug", NULL, &a->debug},
	};
	const char *arg, *name, *value;
	size_t	i, len;
	int	k;

	for (k = 0; k < argc; k++) {
		arg = argv[k];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			a->help = 1;
			return (0);
		}
		if (strcmp(arg, "--json") == 0)
			continue;
		if (strncmp(arg, "--", 2) != 0)
			return (mtactl_send_bad("unexpected argument \"%s\"",
			    arg));
		name = arg + 2;
		len = strcspn(name, "=");
		value = name[len] == '=' ? name + len + 1 : NULL;
		if (len == 2 && (strncmp(name, "to", 2) == 0
		    || strncmp(name, "cc", 2) == 0)) {
			if (value == NULL && ++k < argc)
				value = argv[k];
			if (value == NULL)
				return (mtactl_send_bad("--%.2s needs a value",
				    name));
			if (name[0] == 't') {
				if (a->count_to >= MTACTL_SEND_MAX_RCPT)
					return (mtactl_send_bad("too many "
					    "--to"));
				a->to[a->count_to++] = value;
			} else {
				if (a->count_cc >= MTACTL_SEND_MAX_RCPT)
					return (mtactl_send_bad("too many "
					    "--cc"));
				a->cc[a->count_cc++] = value;
			}
			continue;
		}
		for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
			if (strlen(opts[i].name) == len
			    && strncmp(opts[i].name, name, len) == 0)
				break;
		if (i == sizeof(opts) / sizeof(opts[0]))
			return (mtactl_send_bad("unknown option \"%s\"", arg));
		if (opts[i].flag != NULL) {
			if (value != NULL)
				return (mtactl_send_bad("--%s takes no value",
				    opts[i].name));
			*opts[i].flag = 1;
			continue;
		}
		if (value == NULL && ++k < argc)
			value = argv[k];
		if (value == NULL)
			return (mtactl_send_bad("--%s needs a value",
			    opts[i].name));
		if (*opts[i].value != NULL)
			return (mtactl_send_bad("--%s given twice",
			    opts[i].name));
		*opts[i].value = value;
	}
	return (0);
}

/* mtactl_send_read_file - a whole file, at most max bytes */

static int
mtactl_send_read_file(const char *path, size_t max, struct buf *out,
    struct stat *stp)
{
	char	chunk[8192];
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if (stp != NULL && fstat(fd, stp) == -1) {
		(void) close(fd);
		return (-1);
	}
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			(void) close(fd);
			return (-1);
		}
		if (n == 0)
			break;
		if (out->len + (size_t) n > max) {
			(void) close(fd);
			errno = EFBIG;
			return (-1);
		}
		buf_append(out, chunk, (size_t) n);
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	(void) close(fd);
	return (0);
}

/* mtactl_send_password - the password from a file or the environment */

static int
mtactl_send_password(struct mtactl_send_sess *sp,
    const struct mtactl_send_args *a)
{
	struct buf pw;
	struct stat st;
	const char *env;

	if (a->pass_file != NULL) {
		buf_init(&pw, 64);
		if (mtactl_send_read_file(a->pass_file, 4096, &pw, &st)
		    == -1) {
			buf_fini(&pw);
			return (mtactl_send_fail(MTACTL_SEND_EXIT_LOCAL, NULL,
			    "password file %s: %s", a->pass_file,
			    strerror(errno)));
		}
		if (st.st_mode & (S_IRWXG | S_IRWXO))
			msg_warn("send: password file %s is readable by "
			    "others (mode %03o): chmod 600 it", a->pass_file,
			    (unsigned) (st.st_mode & 0777));
		/* One line: the final line end is not part of it. */
		if (pw.len > 0 && pw.data[pw.len - 1] == '\n')
			pw.len--;
		if (pw.len > 0 && pw.data[pw.len - 1] == '\r')
			pw.len--;
		pw.data[pw.len] = '\0';
		sp->password = mem_strndup(pw.data, pw.len);
		OPENSSL_cleanse(pw.data, pw.size);
		buf_fini(&pw);
	} else if (a->pass_env != NULL) {
		if ((env = getenv(a->pass_env)) == NULL)
			return (mtactl_send_fail(MTACTL_SEND_EXIT_LOCAL, NULL,
			    "the environment variable %s is not set",
			    a->pass_env));
		sp->password = mem_strdup(env);
	} else if (sp->srv.password != NULL) {
		msg_warn("send: a password on the command line is visible to "
		    "other users (ps, shell history); prefer "
		    "--password-file or --password-env");
		sp->password = mem_strdup(sp->srv.password);
	}
	return (0);
}

/* mtactl_send_addr - check one address; the canonical <path> in out */

static int
mtactl_send_addr(const char *what, const char *addr, enum mail_addr_kind kind,
    struct buf *out)
{
	struct mail_addr ma;
	struct buf path;
	int	rc;

	buf_init(&path, strlen(addr) + 2);
	buf_printf(&path, "<%s>", addr);
	mail_addr_init(&ma);
	rc = mail_addr_parse_path(kind, str_make(path.data, path.len), 0,
	    &ma);
	if (rc == MAIL_ADDR_OK && (ma.flags & (MAIL_ADDR_F_NULL
	    | MAIL_ADDR_F_NO_DOMAIN)))
		rc = MAIL_ADDR_ERR_NO_DOMAIN;
	if (rc == MAIL_ADDR_OK)
		mail_addr_format(&ma, out);
	mail_addr_fini(&ma);
	buf_fini(&path);
	if (rc != MAIL_ADDR_OK)
		return (mtactl_send_bad("%s \"%s\": %s", what, addr,
		    mail_addr_strerror(rc)));
	return (0);
}

/* mtactl_send_msgid - a unique Message-ID in the sender's domain */

static void
mtactl_send_msgid(const char *from, struct buf *out)
{
	unsigned char rnd[8];
	const char *at = strrchr(from, '@');
	size_t	i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		msg_fatal("no random numbers: %s",
		    ERR_error_string(ERR_get_error(), NULL));
	buf_printf(out, "<%lld.%ld.", (long long) time(NULL),
	    (long) getpid());
	for (i = 0; i < sizeof(rnd); i++)
		buf_printf(out, "%02x", rnd[i]);
	buf_printf(out, "@%s>", at ? at + 1 : "localhost");
}

/* mtactl_send_settle - combine --server, --port, --tls, credentials */

static int
mtactl_send_settle(struct mtactl_send_sess *sp,
    const struct mtactl_send_args *a)
{
	static const char *const modes[] = {"auto", "starttls", "implicit",
	"none"};
	struct buf err;
	unsigned long num;
	int	i, tls = -1;

	buf_init(&err, 128);
	if (mtactl_send_server_parse(a->server, &sp->srv, &err) == -1) {
		i = mtactl_send_bad("--server: %s", err.data);
		buf_fini(&err);
		return (i);
	}
	buf_fini(&err);
	if (a->tls != NULL) {
		for (i = 0; i < 4; i++)
			if (strcmp(a->tls, modes[i]) == 0)
				tls = i;
		if (tls == -1)
			return (mtactl_send_bad("--tls %s: one of auto, "
			    "starttls, implicit, none", a->tls));
		if (sp->srv.tls != MTACTL_SEND_TLS_AUTO && tls != sp->srv.tls)
			return (mtactl_send_bad("--tls %s contradicts the "
			    "scheme of --server", a->tls));
		sp->srv.tls = tls;
	}
	if (a->port != NULL) {
		if (!str_to_ulong(str_from(a->port), 65535, &num) || num == 0)
			return (mtactl_send_bad("--port %s: not a port",
			    a->port));
		if (sp->srv.port != 0 && sp->srv.port != (int) num)
			return (mtactl_send_bad("--port %s contradicts the "
			    "port of --server", a->port));
		sp->srv.port = (int) num;
	}
	if (sp->srv.port == 0)
		sp->srv.port = sp->srv.tls == MTACTL_SEND_TLS_IMPLICIT ? 465
		    : sp->srv.tls == MTACTL_SEND_TLS_STARTTLS ? 587 : 25;
	if (sp->srv.tls == MTACTL_SEND_TLS_AUTO
	    && (sp->srv.port == 465 || sp->srv.port == 2465))
		sp->srv.tls = MTACTL_SEND_TLS_IMPLICIT;
	if (a->user != NULL) {
		if (sp->srv.user != NULL)
			return (mtactl_send_bad("--user and a user in "
			    "--server"));
		sp->srv.user = mem_strdup(a->user);
	}
	if (a->pass_file != NULL && a->pass_env != NULL)
		return (mtactl_send_bad("--password-file or --password-env, "
		    "not both"));
	if ((a->pass_file != NULL || a->pass_env != NULL)
	    && sp->srv.password != NULL)
		return (mtactl_send_bad("a password in --server and %s",
		    a->pass_file ? "--password-file" : "--password-env"));
	if (sp->srv.user != NULL && sp->srv.password == NULL
	    && a->pass_file == NULL && a->pass_env == NULL)
		return (mtactl_send_bad("user \"%s\" without a password: "
		    "give --password-file or --password-env",
		    sp->srv.user));
	if (sp->srv.user == NULL && (sp->srv.password != NULL
	    || a->pass_file != NULL || a->pass_env != NULL))
		return (mtactl_send_bad("a password without a user name"));
	return (0);
}

/* mtactl_send_run - the conversation */

static int
mtactl_send_run(struct mtactl_send_sess *sp, const char *from,
    const char *const *rcpts, size_t count, const struct buf *msg)
{
	int	implicit = (sp->srv.tls == MTACTL_SEND_TLS_IMPLICIT);
	int	rc;

	if ((rc = mtactl_send_connect(sp)) != 0)
		return (rc);
	if (sp->test)
		(void) printf("connected to %s [%s] port %d\n", sp->srv.host,
		    sp->peer_addr, sp->srv.port);
	if (implicit && (rc = mtactl_send_tls_start(sp, 1)) != 0)
		return (rc);
	if ((rc = mtactl_send_greeting(sp, implicit)) != 0)
		return (rc);
	if ((rc = mtactl_send_hello(sp)) != 0)
		goto quit;
	if (!implicit && sp->srv.tls != MTACTL_SEND_TLS_NONE) {
		if (sp->has_starttls) {
			if ((rc = mtactl_send_starttls(sp)) != 0)
				return (rc);
		} else if (sp->srv.tls == MTACTL_SEND_TLS_STARTTLS
		    || sp->srv.user != NULL) {
			rc = mtactl_send_fail(MTACTL_SEND_EXIT_TLS,
			    "use the server's submission port (587 with "
			    "STARTTLS, 465 with implicit TLS), or --tls none "
			    "to send in clear",
			    "%s [%s] port %d: the server does not offer "
			    "STARTTLS%s", sp->srv.host, sp->peer_addr,
			    sp->srv.port, sp->srv.user != NULL ? "; the "
			    "password is never sent in clear" : "");
			goto quit;
		} else if (sp->test)
			(void) printf("TLS: not offered by the server; "
			    "sending in clear\n");
	}
	if (sp->srv.user != NULL) {
		if ((rc = mtactl_send_auth(sp)) != 0)
			goto quit;
	}
	rc = mtactl_send_envelope(sp, from, rcpts, count, msg);
quit:
	mtactl_send_quit(sp);
	return (rc);
}

/* mtactl_send_helo_name - the name for EHLO */

static char *
mtactl_send_helo_name(void)
{
	char	name[256];

	if (gethostname(name, sizeof(name)) == -1 || name[0] == '\0')
		return (mem_strdup("localhost"));
	name[sizeof(name) - 1] = '\0';
	return (mem_strdup(name));
}

/* mtactl_send - the "mtactl send" command */

int
mtactl_send(int argc, char **argv, int json)
{
	struct mtactl_send_args a;
	struct mtactl_send_sess s;
	struct mtactl_send_msg m;
	struct buf body, msg, msgid, from, *rcpt_paths;
	const char **rcpts;
	char   *helo = NULL;
	unsigned long num;
	size_t	i, count;
	int	rc;

	(void) json;
	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	if ((rc = mtactl_send_parse(argc, argv, &a)) != 0)
		return (rc);
	if (a.help) {
		(void) printf("usage: mtactl send " MTACTL_SEND_USAGE "\n");
		return (0);
	}
	if (a.server == NULL)
		return (mtactl_send_bad("no --server"));
	if (a.from == NULL)
		return (mtactl_send_bad("no --from"));
	if (a.count_to == 0)
		return (mtactl_send_bad("no --to"));
	if ((a.body != NULL) + (a.body_file != NULL) > 1)
		return (mtactl_send_bad("--body or --body-file, not both"));
	if (a.subject != NULL && !mtactl_send_utf8_ok(str_from(a.subject)))
		return (mtactl_send_bad("--subject is not UTF-8 text"));
	s.timeout = MTACTL_SEND_TIMEOUT;
	if (a.timeout != NULL) {
		if (!str_to_ulong(str_from(a.timeout), 3600, &num) || num == 0)
			return (mtactl_send_bad("--timeout %s: seconds, 1 to "
			    "3600", a.timeout));
		s.timeout = (int) num;
	}
	if (a.source != NULL && !mtactl_send_is_ip(a.source))
		return (mtactl_send_bad("--source %s: not an IP address",
		    a.source));

	buf_init(&from, 64);
	buf_init(&body, 1024);
	buf_init(&msg, 2048);
	buf_init(&msgid, 64);
	count = a.count_to + a.count_cc;
	rcpt_paths = mem_zalloc(count, sizeof(*rcpt_paths));
	rcpts = mem_zalloc(count, sizeof(*rcpts));
	for (i = 0; i < count; i++)
		buf_init(&rcpt_paths[i], 64);
	if ((rc = mtactl_send_addr("--from", a.from, MAIL_ADDR_SENDER, &from))
	    != 0)
		goto done;
	for (i = 0; i < count; i++) {
		if ((rc = mtactl_send_addr(i < a.count_to ? "--to" : "--cc",
		    i < a.count_to ? a.to[i] : a.cc[i - a.count_to],
		    MAIL_ADDR_RECIPIENT, &rcpt_paths[i])) != 0)
			goto done;
		rcpts[i] = rcpt_paths[i].data;
	}
	if ((rc = mtactl_send_settle(&s, &a)) != 0)
		goto done;
	if ((rc = mtactl_send_password(&s, &a)) != 0)
		goto done;

	/* The body: --body, --body-file, else standard input. */
	if (a.body != NULL)
		buf_puts(&body, a.body);
	else if (a.body_file != NULL || !a.test) {
		if (mtactl_send_read_file(a.body_file ? a.body_file
		    : "/dev/stdin", MTACTL_SEND_BODY_MAX, &body, NULL) == -1) {
			rc = mtactl_send_fail(MTACTL_SEND_EXIT_LOCAL, NULL,
			    "cannot read the body from %s: %s", a.body_file
			    ? a.body_file : "standard input", strerror(errno));
			goto done;
		}
	} else
		buf_printf(&body, "This is a test message from mtactl send "
		    "to check the mail settings of this host.\n");
	mtactl_send_msgid(a.from, &msgid);
	memset(&m, 0, sizeof(m));
	m.from = a.from;
	m.to = a.to;
	m.count_to = a.count_to;
	m.cc = a.cc;
	m.count_cc = a.count_cc;
	m.subject = a.subject ? a.subject : a.test ? "mtactl send test" : NULL;
	m.body = str_make(body.data, body.len);
	m.date = time(NULL);
	m.msgid = msgid.data;
	mtactl_send_message(&m, &msg);

	helo = a.helo ? mem_strdup(a.helo) : mtactl_send_helo_name();
	s.helo = helo;
	s.ca_file = a.ca_file;
	s.tls_name = a.tls_name ? a.tls_name : s.srv.host;
	s.source = a.source;
	s.debug = a.debug;
	s.test = a.test;
	buf_init(&s.in, 4096);
	mail_reply_parser_init(&s.rp, MTACTL_SEND_REPLY_LINES,
	    MTACTL_SEND_LINE_MAX);
	(void) signal(SIGPIPE, SIG_IGN);
	rc = mtactl_send_run(&s, from.data, rcpts, count, &msg);
	if (a.test)
		(void) printf(rc == 0 ? "test passed: the server accepted "
		    "the message\n" : "test failed (exit %d): see the error "
		    "above\n", rc);
	if (s.ssl != NULL) {
		(void) SSL_shutdown(s.ssl);
		SSL_free(s.ssl);
	}
	if (s.ctx != NULL)
		SSL_CTX_free(s.ctx);
	if (s.fd != -1)
		(void) close(s.fd);
	buf_fini(&s.in);
	mail_reply_parser_fini(&s.rp);
done:
	mem_free(s.auth_mechs);
	mem_free(s.verify_subject);
	mem_free(s.verify_issuer);
	if (s.password != NULL) {
		OPENSSL_cleanse(s.password, strlen(s.password));
		mem_free(s.password);
	}
	mtactl_send_server_fini(&s.srv);
	mem_free(helo);
	for (i = 0; i < count; i++)
		buf_fini(&rcpt_paths[i]);
	mem_free(rcpt_paths);
	mem_free(rcpts);
	buf_fini(&from);
	buf_fini(&body);
	buf_fini(&msg);
	buf_fini(&msgid);
	(void) fflush(stdout);
	return (rc);
}
