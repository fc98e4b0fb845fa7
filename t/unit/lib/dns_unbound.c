/*
 * NAME
 *	dns_unbound - run a private unbound(8) on loopback for tests
 * DESCRIPTION
 *	See dns_unbound.h. Readiness is a real DNS query over UDP (any
 *	answer will do, even REFUSED), retried every 50 ms for at most
 *	DNS_UNBOUND_WAIT_MS; a process that exits meanwhile is reported
 *	with its log, or retried on another port when it could not bind.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "dns_unbound.h"

#define DNS_UNBOUND_WAIT_MS	15000
#define DNS_UNBOUND_TRIES	5
#define DNS_UNBOUND_LOG_TAIL	2000

/* dns_unbound_now_ms - monotonic milliseconds */

static int64_t
dns_unbound_now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* dns_unbound_bind - bind a loopback socket of a type to a port */

static int
dns_unbound_bind(int type, int port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int	fd;

	if ((fd = socket(AF_INET, type, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t) port);
	if (bind(fd, (struct sockaddr *) &sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *) &sin, &len) == -1) {
		(void) close(fd);
		return (-1);
	}
	return (fd);
}

/* dns_unbound_port_of - the port a bound socket has */

static int
dns_unbound_port_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *) &sin, &len) == -1)
		return (-1);
	return (ntohs(sin.sin_port));
}

/* dns_unbound_free_port - a loopback port free for UDP and TCP */

int
dns_unbound_free_port(void)
{
	int	tries;
	int	tfd;
	int	ufd;
	int	port;

	for (tries = 0; tries < 20; tries++) {
		if ((tfd = dns_unbound_bind(SOCK_STREAM, 0)) == -1)
			return (-1);
		port = dns_unbound_port_of(tfd);
		ufd = dns_unbound_bind(SOCK_DGRAM, port);
		(void) close(tfd);
		if (ufd != -1) {
			(void) close(ufd);
			return (port);
		}
	}
	return (-1);
}

/* dns_unbound_write - write a whole file */

static int
dns_unbound_write(const char *path, const char *data, size_t len)
{
	int	fd;
	ssize_t	n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return (-1);
	while (len > 0) {
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			(void) close(fd);
			return (-1);
		}
		data += n;
		len -= (size_t) n;
	}
	return (close(fd));
}

/* dns_unbound_log_tail - append the end of unbound's log to bp */

static void
dns_unbound_log_tail(struct dns_unbound *ub, struct buf *bp)
{
	char	data[DNS_UNBOUND_LOG_TAIL];
	off_t	size;
	ssize_t	n;
	int	fd;

	if ((fd = open(ub->log_path, O_RDONLY)) == -1) {
		buf_printf(bp, " (no log %s: %s)", ub->log_path,
		    strerror(errno));
		return;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t) sizeof(data))
		(void) lseek(fd, size - (off_t) sizeof(data), SEEK_SET);
	else
		(void) lseek(fd, 0, SEEK_SET);
	n = read(fd, data, sizeof(data));
	(void) close(fd);
	buf_puts(bp, "; unbound log:\n");
	if (n > 0)
		buf_append(bp, data, (size_t) n);
}

/* dns_unbound_log_has - does unbound's log contain text? */

static int
dns_unbound_log_has(struct dns_unbound *ub, const char *text)
{
	struct buf log;
	int	found;

	buf_init(&log, 0);
	dns_unbound_log_tail(ub, &log);
	found = strstr(log.data, text) != NULL;
	buf_fini(&log);
	return (found);
}

/* dns_unbound_query - a minimal DNS query for "." SOA */

static size_t
dns_unbound_query(unsigned char *pkt, uint16_t id)
{
	static const unsigned char rest[] = {
		0x01, 0x00,		/* RD */
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00,			/* the root */
		0x00, 0x06, 0x00, 0x01,	/* SOA, IN */
	};

	pkt[0] = (unsigned char) (id >> 8);
	pkt[1] = (unsigned char) id;
	memcpy(pkt + 2, rest, sizeof(rest));
	return (2 + sizeof(rest));
}

/* dns_unbound_probe - send one query; 1 if unbound answered within ms */

static int
dns_unbound_probe(int fd, int port, int ms)
{
	struct sockaddr_in sin;
	unsigned char pkt[512];
	struct pollfd pfd;
	uint16_t id = (uint16_t) (getpid() ^ dns_unbound_now_ms());
	size_t	len = dns_unbound_query(pkt, id);
	ssize_t	n;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t) port);
	if (sendto(fd, pkt, len, 0, (struct sockaddr *) &sin,
	    sizeof(sin)) == -1)
		return (0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, ms) == 1) {
		n = recv(fd, pkt, sizeof(pkt), 0);
		if (n >= 12 && pkt[0] == (unsigned char) (id >> 8) &&
		    pkt[1] == (unsigned char) id && (pkt[2] & 0x80))
			return (1);
		if (n == -1 && errno != EAGAIN && errno != EINTR &&
		    errno != ECONNREFUSED)
			return (0);
		if (n == -1)
			break;
	}
	return (0);
}

/* dns_unbound_spawn - start unbound in the foreground */

static pid_t
dns_unbound_spawn(struct dns_unbound *ub, const char *binary)
{
	pid_t	pid;
	int	fd;

	if ((pid = fork()) != 0)
		return (pid);
#ifdef __linux__
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if ((fd = open(ub->log_path, O_WRONLY | O_CREAT | O_APPEND,
	    0600)) == -1)
		_exit(126);
	(void) dup2(fd, STDOUT_FILENO);
	(void) dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		(void) close(fd);
	if ((fd = open("/dev/null", O_RDONLY)) != -1 && fd != STDIN_FILENO) {
		(void) dup2(fd, STDIN_FILENO);
		(void) close(fd);
	}
	/* Keep the test's own descriptors (its runner's socket) closed. */
#ifdef HAVE_CLOSEFROM
	closefrom(STDERR_FILENO + 1);
#else
	for (fd = STDERR_FILENO + 1; fd < 1024; fd++)
		(void) close(fd);
#endif
	execl(binary, "unbound", "-d", "-c", ub->conf_path, (char *) NULL);
	/* Only async-signal-safe calls between fork() and exec(). */
	if (write(STDERR_FILENO, "dns_unbound: cannot exec unbound\n",
	    33) == -1)
		_exit(126);
	_exit(127);
}

/* dns_unbound_config - the configuration file text */

static void
dns_unbound_config(struct buf *bp, struct dns_unbound *ub, const char *conf)
{
	buf_printf(bp,
	    "server:\n"
	    "\tinterface: 127.0.0.1@%d\n"
	    "\tport: %d\n"
	    "\tdo-daemonize: no\n"
	    "\tchroot: \"\"\n"
	    "\tusername: \"\"\n"
	    "\tdirectory: \"%s\"\n"
	    "\tpidfile: \"\"\n"
	    "\tuse-syslog: no\n"
	    "\tlogfile: \"\"\n"
	    "\tverbosity: 1\n"
	    "\tnum-threads: 1\n"
	    "\tso-reuseport: no\n"
	    "\tdo-ip6: no\n"
	    "\tdo-not-query-localhost: no\n"
	    "\tmodule-config: \"iterator\"\n"
	    "\trrset-roundrobin: no\n"
	    "\tminimal-responses: yes\n"
	    "\tlocal-zone: \".\" refuse\n",
	    ub->port, ub->port, ub->dir);
	if (conf != NULL)
		buf_puts(bp, conf);
	buf_puts(bp, "\nremote-control:\n\tcontrol-enable: no\n");
}

/* dns_unbound_reap - wait for unbound to exit, killing it if it lingers */

static void
dns_unbound_reap(pid_t pid)
{
	int64_t	deadline = dns_unbound_now_ms() + 5000;
	int	status;

	(void) kill(pid, SIGTERM);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (dns_unbound_now_ms() > deadline) {
			(void) kill(pid, SIGKILL);
			(void) waitpid(pid, &status, 0);
			return;
		}
		(void) poll(NULL, 0, 10);
	}
}

/* dns_unbound_cleanup - remove the files and free ub */

static void
dns_unbound_cleanup(struct dns_unbound *ub)
{
	(void) unlink(ub->conf_path);
	(void) unlink(ub->log_path);
	(void) rmdir(ub->dir);
	mem_free(ub->conf_path);
	mem_free(ub->log_path);
	mem_free(ub->dir);
	mem_free(ub);
}

/* dns_unbound_start - start unbound and wait until it answers */

struct dns_unbound *
dns_unbound_start(const char *conf, struct buf *why)
{
	const char *binary = getenv("UNBOUND");
	const char *tmp = getenv("TMPDIR");
	struct dns_unbound *ub = mem_zalloc(1, sizeof(*ub));
	struct buf path;
	struct buf text;
	int64_t	deadline;
	int	attempt;
	int	status;
	int	fd;

	if (binary == NULL || *binary == 0)
		binary = "/usr/sbin/unbound";
	if (tmp == NULL || *tmp == 0)
		tmp = "/tmp";
	buf_init(&path, 0);
	buf_printf(&path, "%s/dns_unbound.XXXXXX", tmp);
	if (mkdtemp(path.data) == NULL) {
		buf_printf(why, "mkdtemp %s: %s", path.data, strerror(errno));
		buf_fini(&path);
		mem_free(ub);
		return (NULL);
	}
	ub->dir = buf_steal(&path);
	buf_printf(&path, "%s/unbound.conf", ub->dir);
	ub->conf_path = buf_steal(&path);
	buf_printf(&path, "%s/unbound.log", ub->dir);
	ub->log_path = buf_steal(&path);
	buf_fini(&path);
	if (access(binary, X_OK) == -1) {
		buf_printf(why, "cannot run unbound %s: %s", binary,
		    strerror(errno));
		goto fail;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		buf_printf(why, "socket: %s", strerror(errno));
		goto fail;
	}
	buf_init(&text, 0);
	for (attempt = 0; attempt < DNS_UNBOUND_TRIES; attempt++) {
		if ((ub->port = dns_unbound_free_port()) == -1) {
			buf_printf(why, "no free loopback port: %s",
			    strerror(errno));
			break;
		}
		(void) snprintf(ub->server, sizeof(ub->server),
		    "127.0.0.1:%d", ub->port);
		buf_reset(&text);
		dns_unbound_config(&text, ub, conf);
		if (dns_unbound_write(ub->conf_path, text.data, text.len) ==
		    -1) {
			buf_printf(why, "write %s: %s", ub->conf_path,
			    strerror(errno));
			break;
		}
		(void) unlink(ub->log_path);
		if ((ub->pid = dns_unbound_spawn(ub, binary)) == -1) {
			buf_printf(why, "fork: %s", strerror(errno));
			break;
		}
		deadline = dns_unbound_now_ms() + DNS_UNBOUND_WAIT_MS;
		while (dns_unbound_now_ms() < deadline) {
			if (dns_unbound_probe(fd, ub->port, 50)) {
				(void) close(fd);
				buf_fini(&text);
				return (ub);
			}
			if (waitpid(ub->pid, &status, WNOHANG) == ub->pid)
				break;
		}
		if (dns_unbound_now_ms() >= deadline) {
			dns_unbound_reap(ub->pid);
			buf_printf(why, "unbound on port %d did not answer in "
			    "%d ms", ub->port, DNS_UNBOUND_WAIT_MS);
			dns_unbound_log_tail(ub, why);
			break;
		}
		/* It exited: a port taken meanwhile is worth another try. */
		if (dns_unbound_log_has(ub, "ddress already in use") ||
		    dns_unbound_log_has(ub, "could not open ports"))
			continue;
		buf_printf(why, "unbound exited with status %d",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		dns_unbound_log_tail(ub, why);
		break;
	}
	if (attempt == DNS_UNBOUND_TRIES)
		buf_printf(why, "unbound could not bind a port in %d tries",
		    DNS_UNBOUND_TRIES);
	(void) close(fd);
	buf_fini(&text);
fail:
	dns_unbound_cleanup(ub);
	return (NULL);
}

/* dns_unbound_stop - stop unbound and remove its files */

void
dns_unbound_stop(struct dns_unbound *ub)
{
	if (ub == NULL)
		return;
	dns_unbound_reap(ub->pid);
	dns_unbound_cleanup(ub);
}
