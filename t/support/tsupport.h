/*
 * NAME
 *	tsupport - support library for the integration tests
 * SYNOPSIS
 *	#include "tsupport.h"
 *
 *	Life cycle and failures (tsup.c)
 *	void	tsup_init(void);
 *	void	tsup_fini(void);
 *	_Noreturn void tsup_fail(const char *fmt, ...);
 *	const char *tsup_strf(const char *fmt, ...);
 *	int	tsup_deadline_ms(void);
 *	long long tsup_now_ms(void);
 *
 *	Temporary directories and files (tsup_tmp.c)
 *	const char *tsup_tmp_dir(void);
 *	const char *tsup_tmp_mkdir(const char *label);
 *	const char *tsup_tmp_path(const char *fmt, ...);
 *	const char *tsup_tmp_write(const char *name, const void *data,
 *		size_t len);
 *	void	tsup_tmp_read(const char *path, struct buf *out);
 *	void	tsup_tmp_remove(const char *path);
 *
 *	Loopback ports (tsup_port.c)
 *	int	tsup_port_free(void);
 *	void	tsup_port_reserve(int *ports, size_t count);
 *	int	tsup_port_listen(int *port);
 *	int	tsup_port_connect(int port);
 *	int	tsup_port_wait(int port, int timeout_ms);
 *
 *	Processes (tsup_proc.c)
 *	const char *tsup_proc_bin(const char *name);
 *	struct tsup_proc *tsup_proc_spawn(const char *name,
 *		const char *const *argv, const char *const *env);
 *	pid_t	tsup_proc_pid(const struct tsup_proc *p);
 *	const char *tsup_proc_out_path(const struct tsup_proc *p);
 *	const char *tsup_proc_err_path(const struct tsup_proc *p);
 *	void	tsup_proc_write(struct tsup_proc *p, const void *data,
 *		size_t len);
 *	void	tsup_proc_close_stdin(struct tsup_proc *p);
 *	void	tsup_proc_wait_port(struct tsup_proc *p, int port,
 *		int timeout_ms);
 *	void	tsup_proc_signal(struct tsup_proc *p, int sig);
 *	int	tsup_proc_wait(struct tsup_proc *p, int timeout_ms,
 *		int *status);
 *	int	tsup_proc_stop(struct tsup_proc *p);
 *
 *	External tools (tsup_run.c)
 *	const char *tsup_run_need(const char *tool);
 *	const char *tsup_run_have(const char *tool);
 *	int	tsup_run(const char *const *argv, const void *input,
 *		size_t inlen, int timeout_ms, struct buf *out);
 *	int	tsup_run_sh(struct buf *out, int timeout_ms,
 *		const char *fmt, ...);
 *
 *	TLS contexts (tsup_tls.c)
 *	struct tsup_tls_opts { ... };
 *	SSL_CTX	*tsup_tls_client_ctx(const struct tsup_tls_opts *opts);
 *	SSL_CTX	*tsup_tls_server_ctx(const struct tsup_tls_opts *opts);
 *	int	tsup_tls_version(const char *name);
 *	const char *tsup_tls_errors(void);
 *
 *	Scripted SMTP client (tsup_smtp.c)
 *	struct tsup_smtp *tsup_smtp_connect(int port);
 *	struct tsup_smtp *tsup_smtp_connect_tls(int port,
 *		const struct tsup_tls_opts *opts);
 *	void	tsup_smtp_timeout(struct tsup_smtp *c, int timeout_ms);
 *	void	tsup_smtp_send(struct tsup_smtp *c, const void *data,
 *		size_t len);
 *	void	tsup_smtp_cmd(struct tsup_smtp *c, const char *fmt, ...);
 *	int	tsup_smtp_reply(struct tsup_smtp *c);
 *	const char *tsup_smtp_text(const struct tsup_smtp *c);
 *	const char *tsup_smtp_expect(struct tsup_smtp *c, int code);
 *	const char *tsup_smtp_chat(struct tsup_smtp *c, int code,
 *		const char *fmt, ...);
 *	void	tsup_smtp_expect_close(struct tsup_smtp *c);
 *	int	tsup_smtp_read_all(struct tsup_smtp *c, struct buf *out);
 *	int	tsup_smtp_handshake(struct tsup_smtp *c,
 *		const struct tsup_tls_opts *opts);
 *	void	tsup_smtp_starttls(struct tsup_smtp *c,
 *		const struct tsup_tls_opts *opts);
 *	const char *tsup_smtp_tls_version(const struct tsup_smtp *c);
 *	const char *tsup_smtp_tls_cipher(const struct tsup_smtp *c);
 *	long	tsup_smtp_tls_verify(const struct tsup_smtp *c);
 *	const char *tsup_smtp_tls_error(const struct tsup_smtp *c);
 *	const char *tsup_smtp_tls_peer(const struct tsup_smtp *c);
 *	int	tsup_smtp_tls_tmp_key_bits(const struct tsup_smtp *c);
 *	void	tsup_smtp_close(struct tsup_smtp *c);
 *
 *	Scripted SMTP server (tsup_smtpd.c)
 *	struct tsup_smtpd_rule { ... };
 *	struct tsup_smtpd_opts { ... };
 *	struct tsup_smtpd *tsup_smtpd_start(const struct tsup_smtpd_opts *o);
 *	int	tsup_smtpd_port(const struct tsup_smtpd *s);
 *	int	tsup_smtpd_wait(struct tsup_smtpd *s, int timeout_ms);
 *	void	tsup_smtpd_stop(struct tsup_smtpd *s);
 *	const char *tsup_smtpd_log(struct tsup_smtpd *s);
 *	int	tsup_smtpd_conns(struct tsup_smtpd *s);
 *	int	tsup_smtpd_raw(struct tsup_smtpd *s, int conn, struct buf *out);
 *	int	tsup_smtpd_message(struct tsup_smtpd *s, int conn, int n,
 *		struct buf *out);
 *
 *	Certificates (tsup_certs.c)
 *	struct tsup_cert { ... };
 *	struct tsup_cert_spec { ... };
 *	struct tsup_certs { ... };
 *	const struct tsup_certs *tsup_certs_make(const char *dir);
 *	struct tsup_cert tsup_certs_issue(const struct tsup_certs *set,
 *		const char *name, const struct tsup_cert_spec *spec);
 *	const char *tsup_certs_dh1024(void);
 *
 *	Mail logs (tsup_log.c)
 *	int	tsup_log_grep(const char *path, int mode, const char *pattern,
 *		struct buf *lines);
 *	const char *tsup_log_mask(const char *line);
 *	const char *tsup_log_wait(const char *path, int mode,
 *		const char *pattern, int timeout_ms);
 *
 *	Spools (tsup_spool.c)
 *	int	tsup_spool_count(const char *dir, const char *suffix);
 *	int	tsup_spool_count_tree(const char *dir, const char *suffix);
 *	int	tsup_spool_wait(const char *dir, const char *suffix, int want,
 *		int timeout_ms);
 * DESCRIPTION
 *	This library is what an integration test uses to run the real
 *	daemon and real peers on the loopback interface: temporary
 *	directories, free ports, child processes, a scripted SMTP client
 *	(plain, STARTTLS, implicit TLS), a scripted SMTP server (the
 *	configurable well- or badly-behaved peer), certificates made at
 *	test time, and mail log and spool inspection. Every test program
 *	links it first (TEST_LDADD).
 *
 *	Failures. A helper that cannot do its job (a directory that cannot
 *	be made, a process that does not start, a reply with the wrong
 *	code, a missing tool) fails the current criterion test with a
 *	message that says what and why, through tsup_fail(); it does not
 *	return. Functions that return a status instead say so; those are
 *	for tests that assert the failure itself (a TLS handshake that
 *	must fail, a reply that must not come).
 *
 *	Life cycle. Everything a helper creates (temporary directories,
 *	processes, clients, servers, strings from tsup_strf) is recorded
 *	and released by tsup_fini(), which also kills every process group
 *	still running. A test suite installs it as the criterion fixture,
 *	so that it runs even after a failed assertion:
 *
 *		TestSuite(delivery, .init = tsup_init, .fini = tsup_fini);
 *
 *	tsup_fini() is also registered with atexit() by the first helper
 *	that records something, and spawned processes get SIGKILL when the
 *	test process dies (PR_SET_PDEATHSIG), so nothing outlives a test.
 *	With MTA_KEEP_TMP=1 in the environment the temporary directories
 *	are kept and their paths printed on standard error.
 *
 *	Strings. Functions that return "const char *" return storage that
 *	stays valid until tsup_fini() unless said otherwise; the caller
 *	never frees it. Functions that take a "struct buf *out" append to
 *	it; the caller owns the buf.
 *
 *	Deadlines. Every wait is bounded: a timeout_ms of 0 means the
 *	default, tsup_deadline_ms(): 10000 ms, or MTA_TEST_TIMEOUT_MS from
 *	the environment (raise it for slow sanitizer builds). The waits
 *	for set-up (a port accepting, a log line appearing) poll with
 *	short sleeps; no test asserts a duration.
 *
 *	Life cycle and failures (tsup.c)
 *
 *	tsup_init() resets the recorded state for a new test (a criterion
 *	init fixture). tsup_fini() releases everything in reverse order of
 *	creation. tsup_fail() fails the current test with a formatted
 *	message and does not return. tsup_strf() formats a string that
 *	lives until tsup_fini(). tsup_deadline_ms() is the default bound
 *	on every wait. tsup_now_ms() reads a monotonic clock in
 *	milliseconds.
 *
 *	Temporary directories and files (tsup_tmp.c)
 *
 *	tsup_tmp_dir() returns the test's own directory, created on first
 *	use as $TMPDIR/mtad-test-XXXXXX (mode 0700; /tmp without TMPDIR)
 *	and removed recursively by tsup_fini(). tsup_tmp_mkdir() makes
 *	another such directory named after label. tsup_tmp_path() is the
 *	path of a formatted name inside tsup_tmp_dir(). tsup_tmp_write()
 *	writes a file there (or at name itself when it is an absolute
 *	path), mode 0600, and returns its path. tsup_tmp_read() appends
 *	a whole file to out. tsup_tmp_remove() removes a file or a tree
 *	(it never follows symbolic links).
 *
 *	Loopback ports (tsup_port.c)
 *
 *	tsup_port_free() returns a TCP port on 127.0.0.1 that was free a
 *	moment ago (bound with port 0, then closed). tsup_port_reserve()
 *	fills ports[] with count distinct such ports (all are bound at
 *	once before any is released). tsup_port_listen() returns a
 *	listening socket on 127.0.0.1 with a kernel-chosen port stored in
 *	*port: no race at all, for servers the test runs itself.
 *	tsup_port_connect() returns a connected blocking socket to
 *	127.0.0.1:port. tsup_port_wait() returns 0 once something listens
 *	on the port and -1 at the deadline; it looks in /proc/net/tcp{,6}
 *	rather than connecting, so the daemon under test never sees (and
 *	logs) a probe connection.
 *
 *	Processes (tsup_proc.c)
 *
 *	tsup_proc_bin() returns $MTA_BUILDDIR/name (the current directory
 *	when MTA_BUILDDIR is not set) and fails when it is not an
 *	executable file. tsup_proc_spawn() starts argv[0] (searched in
 *	PATH when it has no slash) in a process group of its own, with
 *	standard input a pipe held by the test, standard output and error
 *	in tsup_tmp_dir()/name.out and name.err. env is NULL or a
 *	NULL-terminated list of "NAME=value" (set) and "NAME" (unset)
 *	applied on top of the test's environment. tsup_proc_write() writes
 *	to its standard input; tsup_proc_close_stdin() closes it.
 *	tsup_proc_wait_port() waits until the port accepts connections and
 *	fails the test at the deadline, or at once when the process exits
 *	meanwhile (quoting the end of its standard error).
 *	tsup_proc_signal() sends sig to the process (not its group).
 *	tsup_proc_wait() waits for the process to exit: 0 and the wait(2)
 *	status in *status, or -1 at the deadline (the process runs on).
 *	tsup_proc_stop() sends SIGTERM to the group, waits, then SIGKILL,
 *	and returns the wait(2) status; the handle stays valid for the
 *	path accessors until tsup_fini().
 *
 *	External tools (tsup_run.c)
 *
 *	tsup_run_need() returns the full path of a tool (PATH, then
 *	/usr/sbin and /sbin) and fails the test when it is missing, naming
 *	the Debian package to install; tsup_run_have() returns NULL
 *	instead. tsup_run() runs argv with input (may be NULL) on standard
 *	input, appends standard output and error (interleaved) to out
 *	(may be NULL) and returns the exit status, 128 + the signal number
 *	when a signal ended it, or -1 when it ran past the deadline (it is
 *	then killed). tsup_run_sh() runs a formatted /bin/sh command line
 *	the same way.
 *
 *	TLS contexts (tsup_tls.c)
 *
 *	struct tsup_tls_opts describes one side of a TLS connection, for
 *	the client helper and the scripted server alike; zero means the
 *	OpenSSL default, and a NULL pointer to options is all defaults.
 *	tsup_tls_client_ctx() and tsup_tls_server_ctx() build an SSL_CTX
 *	from it (the caller frees it with SSL_CTX_free)
 *	and fail the test on a bad option. tsup_tls_version() maps
 *	"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" to the OpenSSL constant
 *	(0 for NULL or ""). tsup_tls_errors() drains the OpenSSL error
 *	queue into one line.
 *
 *	Scripted SMTP client (tsup_smtp.c)
 *
 *	tsup_smtp_connect() connects to 127.0.0.1:port in plain text;
 *	tsup_smtp_connect_tls() also does a TLS handshake at once
 *	(implicit TLS) and fails the test if it fails. Neither reads the
 *	greeting. tsup_smtp_timeout() sets the deadline of each read.
 *	tsup_smtp_send() sends bytes exactly as given (NULs, bare CR or LF,
 *	several commands at once) in one write; tsup_smtp_cmd() formats
 *	one command and adds CRLF.
 *
 *	tsup_smtp_reply() reads one whole reply (all lines of a multi-line
 *	reply) and returns its code, or TSUP_SMTP_EOF, TSUP_SMTP_TIMEOUT,
 *	TSUP_SMTP_BADREPLY (a line that is not "DDD " or "DDD-", or codes
 *	that differ between lines). tsup_smtp_text() is the text of the
 *	last reply, lines joined by "\n" without CRLF, valid until the
 *	next read. tsup_smtp_expect() reads a reply, fails the test unless
 *	its code is code, and returns its text. tsup_smtp_chat() sends a
 *	formatted command and expects code. tsup_smtp_expect_close()
 *	fails unless the server closes the connection before the deadline
 *	without sending anything more. tsup_smtp_read_all() appends all
 *	bytes until the peer closes (returns 0) or the deadline (returns
 *	-1): for smuggling tests, send everything then read everything.
 *
 *	tsup_smtp_handshake() does a TLS client handshake on the
 *	connection as it stands and returns 0, or -1 with the reason in
 *	tsup_smtp_tls_error() (the verification error when that was the
 *	cause, else the OpenSSL error queue). Bytes the client already
 *	buffered are discarded first. tsup_smtp_starttls() sends STARTTLS,
 *	expects 220 and does the handshake, failing the test if any step
 *	fails; it also fails when the server sent more than the 220 reply
 *	before the handshake (STARTTLS response injection).
 *	After a handshake, the accessors give the negotiated
 *	protocol ("TLSv1.3"), the cipher (OpenSSL name), the verification
 *	result (X509_V_OK or X509_V_ERR_*; computed also when the options
 *	did not ask to abort on failure), the peer certificate's subject
 *	(one line), and the size in bits of the server's ephemeral key
 *	(0 when none). tsup_smtp_close() closes and frees.
 *
 *	Scripted SMTP server (tsup_smtpd.c)
 *
 *	tsup_smtpd_start() starts an SMTP server on a kernel-chosen port
 *	in a child process and returns at once (connections queue until
 *	it accepts them). It serves max_conns connections (0: until
 *	stopped), one after the other or, with concurrent set, each in a
 *	process of its own, and exits when the last one ends. Connections
 *	are numbered in the order they are accepted. By default it behaves as
 *	a plain, lenient receiver: greeting, EHLO with PIPELINING, SIZE,
 *	8BITMIME, ENHANCEDSTATUSCODES and STARTTLS (when it has a
 *	certificate), MAIL, RCPT, DATA (message up to CRLF.CRLF), RSET,
 *	NOOP, QUIT; anything else gets 500. Rules change that: the first
 *	rule that matches a command (by verb and connection number, and
 *	not yet used up) gives the reply and the action. Pseudo-verbs:
 *	"CONNECT" (the greeting), "DOT" (the reply after the message), "*"
 *	(any command, not the pseudo-verbs). Actions: TSUP_SMTPD_DEFAULT
 *	(the verb's usual effect: DATA with a 354 reply reads a message,
 *	STARTTLS with a 220 reply starts TLS, QUIT closes),
 *	TSUP_SMTPD_CLOSE (reply if any, then close), TSUP_SMTPD_RESET
 *	(close with a TCP reset, no reply), TSUP_SMTPD_HOLD (reply if any,
 *	then read and ignore everything until the client closes or the
 *	read timeout), TSUP_SMTPD_TLS (reply, then start TLS whatever the
 *	code). A NULL reply means the verb's default reply with
 *	TSUP_SMTPD_DEFAULT and TSUP_SMTPD_TLS, and no reply with the other
 *	actions; "" is no reply. A reply is text with "\n" between lines;
 *	lines are sent with CRLF, all in one write. With TSUP_SMTPD_RAW in
 *	flags the reply is sent byte for byte instead. The counters of
 *	"times" run across connections. Rules are written with designated
 *	initializers ({.verb = "RCPT", .reply = "550 5.1.1 no"}), the list
 *	ends with {.verb = NULL}.
 *
 *	At STARTTLS the server discards what the client pipelined after
 *	the command (and logs how much). Everything is logged to a file as
 *	it happens, each line before the reply to it: tsup_smtpd_log()
 *	returns the log so far (valid until the next call). Log lines are
 *	"N < line" (received without its CRLF; a backslash and bytes
 *	outside printable ASCII as \\ and \xHH, so a bare LF shows as
 *	\x0a), "N > line" (sent) and "N * event" (CONNECT, TLS <protocol>
 *	<cipher>, SNI <name>, TLSPEER <subject> verify <X509_V_*>, TLSFAIL
 *	<reason>, DISCARD <bytes>, DATA <bytes>, HOLD, RESET, CLOSE, EOF,
 *	TIMEOUT, ERROR <text>), N being the connection number from 1.
 *	tsup_smtpd_conns() counts the connections accepted so far.
 *	tsup_smtpd_raw() appends every byte received on connection
 *	conn (decrypted after TLS); tsup_smtpd_message() appends message n
 *	(from 1) of connection conn as received (dot-stuffed, up to and
 *	including the CRLF before the final dot). Both return 0, or -1
 *	when there is no such connection or message. tsup_smtpd_wait()
 *	waits for the server to exit after its last connection: 0, or -1
 *	at the deadline. tsup_smtpd_stop() kills it (tsup_fini() does
 *	too).
 *
 *	Certificates (tsup_certs.c)
 *
 *	tsup_certs_make() generates, in dir (NULL: tsup_tmp_dir()), a test
 *	PKI with the OpenSSL C API: a root CA, an intermediate CA signed
 *	by it, and the certificates that tests need (see struct
 *	tsup_certs), all PEM, keys unencrypted. Server certificates name
 *	TSUP_CERT_HOST in the CN and a DNS SAN and are signed by the
 *	intermediate unless said otherwise. tsup_certs_issue() issues one
 *	more certificate from a spec into the set's directory, files
 *	NAME.pem, NAME.key and NAME-chain.pem; in a spec, not_before 0
 *	means an hour ago and not_after 0 a year from now. The keys come
 *	from a cache shared by the tests of a run ($MTA_TSUP_CACHE, else
 *	$TMPDIR/mtad-tsup-cache-UID), one per role, so that a test does
 *	not spend seconds generating RSA keys. tsup_certs_dh1024() returns
 *	a file of 1024-bit DH parameters (the small-DH peer case); they
 *	are generated once, kept in the same cache, and copied into
 *	tsup_tmp_dir(). The server side of a small-DH peer needs
 *	"...:@SECLEVEL=0" in its cipher list to accept them.
 *
 *	Mail logs (tsup_log.c)
 *
 *	mode is TSUP_LOG_SUBSTR (pattern is a plain substring) or
 *	TSUP_LOG_REGEX (a POSIX extended regular expression).
 *	tsup_log_grep() returns how many lines of the file match and
 *	appends them (with their newline) to lines (may be NULL); a
 *	missing file has no lines. tsup_log_mask() returns the line with
 *	the leading timestamp ("Wed Sep 14 09:48:19 2022" or the syslog
 *	"Sep 14 09:48:19") replaced by "TIMESTAMP" and the numbers after
 *	ICID, MID, DCID, RCID and RID (also in "RID [0, 1]") replaced by
 *	"N", so that a test compares it to a template byte for byte.
 *	tsup_log_wait() waits until a line matches and returns the first
 *	such line (without newline); it fails the test at the deadline,
 *	quoting the end of the file.
 *
 *	Spools (tsup_spool.c)
 *
 *	tsup_spool_count() counts the regular files directly in dir whose
 *	names end with suffix ("" counts all; names starting with a dot
 *	never count); tsup_spool_count_tree() also looks in every
 *	subdirectory. A missing dir fails the test. tsup_spool_wait()
 *	waits until tsup_spool_count_tree() is want and returns 0, or
 *	returns -1 at the deadline.
 * DIAGNOSTICS
 *	Failures go to criterion as failed assertions of the current test.
 * SEE ALSO
 *	t/README.md: how tests are organised and run.
 */
#ifndef TSUPPORT_H
#define TSUPPORT_H

#include <sys/types.h>

#include <stddef.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "msg.h"

/* tsup.c */

void	tsup_init(void);
void	tsup_fini(void);
_Noreturn void tsup_fail(const char *, ...) MSG_PRINTFLIKE(1, 2);
const char *tsup_strf(const char *, ...) MSG_PRINTFLIKE(1, 2);
int	tsup_deadline_ms(void);
long long tsup_now_ms(void);

/* tsup_tmp.c */

const char *tsup_tmp_dir(void);
const char *tsup_tmp_mkdir(const char *);
const char *tsup_tmp_path(const char *, ...) MSG_PRINTFLIKE(1, 2);
const char *tsup_tmp_write(const char *, const void *, size_t);
void	tsup_tmp_read(const char *, struct buf *);
void	tsup_tmp_remove(const char *);

/* tsup_port.c */

int	tsup_port_free(void);
void	tsup_port_reserve(int *, size_t);
int	tsup_port_listen(int *);
int	tsup_port_connect(int);
int	tsup_port_wait(int, int);

/* tsup_proc.c */

struct tsup_proc;

const char *tsup_proc_bin(const char *);
struct tsup_proc *tsup_proc_spawn(const char *, const char *const *,
	    const char *const *);
pid_t	tsup_proc_pid(const struct tsup_proc *);
const char *tsup_proc_out_path(const struct tsup_proc *);
const char *tsup_proc_err_path(const struct tsup_proc *);
void	tsup_proc_write(struct tsup_proc *, const void *, size_t);
void	tsup_proc_close_stdin(struct tsup_proc *);
void	tsup_proc_wait_port(struct tsup_proc *, int, int);
void	tsup_proc_signal(struct tsup_proc *, int);
int	tsup_proc_wait(struct tsup_proc *, int, int *);
int	tsup_proc_stop(struct tsup_proc *);

/* tsup_run.c */

const char *tsup_run_need(const char *);
const char *tsup_run_have(const char *);
int	tsup_run(const char *const *, const void *, size_t, int,
	    struct buf *);
int	tsup_run_sh(struct buf *, int, const char *, ...) MSG_PRINTFLIKE(3, 4);

/* tsup_tls.c */

#define TSUP_TLS_VERIFY_NONE	0	/* verify, record, never abort */
#define TSUP_TLS_VERIFY_PEER	1	/* abort the handshake on failure;
					 * server: request a client cert */
#define TSUP_TLS_VERIFY_REQUIRE	2	/* server: require a client cert */

struct tsup_tls_opts {
	const char *cert_file;		/* own certificate (+ chain), PEM */
	const char *key_file;		/* its key (NULL: in cert_file) */
	const char *ca_file;		/* trust anchors to verify the peer */
	const char *verify_name;	/* client: expected host name */
	const char *servername;		/* client: SNI (NULL: verify_name) */
	const char *min_proto;		/* "TLSv1.2", ...; NULL: default */
	const char *max_proto;
	const char *ciphers;		/* TLS <= 1.2 list, "...:@SECLEVEL=0" */
	const char *ciphersuites;	/* TLS 1.3 list */
	const char *dh_file;		/* server: DH parameters, PEM */
	int	verify;			/* TSUP_TLS_VERIFY_* */
};

SSL_CTX *tsup_tls_client_ctx(const struct tsup_tls_opts *);
SSL_CTX *tsup_tls_server_ctx(const struct tsup_tls_opts *);
int	tsup_tls_version(const char *);
const char *tsup_tls_errors(void);

/* tsup_smtp.c */

#define TSUP_SMTP_EOF		(-1)	/* the peer closed */
#define TSUP_SMTP_TIMEOUT	(-2)	/* nothing complete by the deadline */
#define TSUP_SMTP_BADREPLY	(-3)	/* not an SMTP reply */

struct tsup_smtp;

struct tsup_smtp *tsup_smtp_connect(int);
struct tsup_smtp *tsup_smtp_connect_tls(int, const struct tsup_tls_opts *);
void	tsup_smtp_timeout(struct tsup_smtp *, int);
void	tsup_smtp_send(struct tsup_smtp *, const void *, size_t);
void	tsup_smtp_cmd(struct tsup_smtp *, const char *, ...)
	    MSG_PRINTFLIKE(2, 3);
int	tsup_smtp_reply(struct tsup_smtp *);
const char *tsup_smtp_text(const struct tsup_smtp *);
const char *tsup_smtp_expect(struct tsup_smtp *, int);
const char *tsup_smtp_chat(struct tsup_smtp *, int, const char *, ...)
	    MSG_PRINTFLIKE(3, 4);
void	tsup_smtp_expect_close(struct tsup_smtp *);
int	tsup_smtp_read_all(struct tsup_smtp *, struct buf *);
int	tsup_smtp_handshake(struct tsup_smtp *, const struct tsup_tls_opts *);
void	tsup_smtp_starttls(struct tsup_smtp *, const struct tsup_tls_opts *);
const char *tsup_smtp_tls_version(const struct tsup_smtp *);
const char *tsup_smtp_tls_cipher(const struct tsup_smtp *);
long	tsup_smtp_tls_verify(const struct tsup_smtp *);
const char *tsup_smtp_tls_error(const struct tsup_smtp *);
const char *tsup_smtp_tls_peer(const struct tsup_smtp *);
int	tsup_smtp_tls_tmp_key_bits(const struct tsup_smtp *);
void	tsup_smtp_close(struct tsup_smtp *);

/* tsup_smtpd.c */

#define TSUP_SMTPD_DEFAULT	0	/* the verb's usual effect */
#define TSUP_SMTPD_CLOSE	1	/* reply (if any), close */
#define TSUP_SMTPD_RESET	2	/* close with a TCP reset, no reply */
#define TSUP_SMTPD_HOLD		3	/* reply (if any), then go silent */
#define TSUP_SMTPD_TLS		4	/* reply, then TLS handshake */

#define TSUP_SMTPD_RAW		(1 << 0)	/* send reply byte for byte */

struct tsup_smtpd_rule {
	const char *verb;		/* "EHLO", "CONNECT", "DOT", "*"...;
					 * NULL ends the list */
	const char *reply;		/* NULL: see DESCRIPTION */
	int	action;			/* TSUP_SMTPD_DEFAULT, ... */
	int	flags;			/* TSUP_SMTPD_RAW */
	int	conn;			/* 0: any connection; n: the n-th */
	int	times;			/* 0: always; n: the first n matches */
};

struct tsup_smtpd_opts {
	const char *hostname;		/* NULL: "tsup.test" */
	const char *const *ehlo_caps;	/* NULL: the default list; STARTTLS
					 * is added when tls.cert_file */
	int	no_starttls;		/* never advertise STARTTLS */
	int	implicit_tls;		/* handshake at connect (SMTPS) */
	int	max_conns;		/* 0: serve until stopped */
	int	concurrent;		/* serve connections in parallel */
	int	timeout_ms;		/* per read; 0: tsup_deadline_ms() */
	struct tsup_tls_opts tls;	/* cert_file enables STARTTLS */
	const struct tsup_smtpd_rule *rules;	/* NULL or up to a NULL verb */
};

struct tsup_smtpd;

struct tsup_smtpd *tsup_smtpd_start(const struct tsup_smtpd_opts *);
int	tsup_smtpd_port(const struct tsup_smtpd *);
int	tsup_smtpd_wait(struct tsup_smtpd *, int);
void	tsup_smtpd_stop(struct tsup_smtpd *);
const char *tsup_smtpd_log(struct tsup_smtpd *);
int	tsup_smtpd_conns(struct tsup_smtpd *);
int	tsup_smtpd_raw(struct tsup_smtpd *, int, struct buf *);
int	tsup_smtpd_message(struct tsup_smtpd *, int, int, struct buf *);

/* tsup_certs.c */

#define TSUP_CERT_HOST	"mx.tsup.test"	/* name in server certificates */
#define TSUP_CERT_CLIENT "client.tsup.test"	/* name in client certs */

#define TSUP_KEY_RSA2048	0
#define TSUP_KEY_P256		1

#define TSUP_ISSUER_INTERMEDIATE 0
#define TSUP_ISSUER_ROOT	1
#define TSUP_ISSUER_SELF	2

struct tsup_cert {
	const char *cert;		/* the certificate alone */
	const char *key;		/* its private key */
	const char *chain;		/* the certificate then its issuer
					 * when that is the intermediate */
};

struct tsup_cert_spec {
	const char *cn;			/* NULL: TSUP_CERT_HOST */
	const char *const *dns;		/* SANs; NULL: { cn }; {NULL}: none */
	const char *const *ips;		/* IP SANs, NULL: none */
	int	key;			/* TSUP_KEY_* */
	int	issuer;			/* TSUP_ISSUER_* */
	long	not_before;		/* seconds from now; 0: an hour ago */
	long	not_after;		/* seconds from now; 0: a year on */
	int	client;			/* clientAuth, not serverAuth */
};

struct tsup_certs {
	const char *dir;
	struct tsup_cert root;		/* the trust anchor (ca_file) */
	struct tsup_cert inter;		/* intermediate CA */
	struct tsup_cert good;		/* RSA, valid, TSUP_CERT_HOST */
	struct tsup_cert ecdsa;		/* P-256, valid, TSUP_CERT_HOST */
	struct tsup_cert expired;	/* ended a day ago */
	struct tsup_cert notyet;	/* starts in a day */
	struct tsup_cert wrongname;	/* CN and SAN other.tsup.test */
	struct tsup_cert selfsigned;	/* self-signed, TSUP_CERT_HOST */
	struct tsup_cert client;	/* clientAuth, TSUP_CERT_CLIENT */
	struct tsup_cert other_root;	/* an unrelated CA, not trusted */
	struct tsup_cert untrusted;	/* valid, issued by other_root */
};

const struct tsup_certs *tsup_certs_make(const char *);
struct tsup_cert tsup_certs_issue(const struct tsup_certs *, const char *,
	    const struct tsup_cert_spec *);
const char *tsup_certs_dh1024(void);

/* tsup_log.c */

#define TSUP_LOG_SUBSTR	0
#define TSUP_LOG_REGEX	1

int	tsup_log_grep(const char *, int, const char *, struct buf *);
const char *tsup_log_mask(const char *);
const char *tsup_log_wait(const char *, int, const char *, int);

/* tsup_spool.c */

int	tsup_spool_count(const char *, const char *);
int	tsup_spool_count_tree(const char *, const char *);
int	tsup_spool_wait(const char *, const char *, int, int);

#endif
