/*
 * NAME
 *	tsup_port - free TCP ports on the loopback interface
 * DESCRIPTION
 *	See tsupport.h. A port comes from binding port 0 on 127.0.0.1: the
 *	kernel picks one from the ephemeral range, so tests never collide
 *	with each other or with fixed ports that other software on the
 *	machine uses (2525 and 2526 among them). tsup_port_free() closes
 *	its socket before returning, so a program started afterwards can
 *	bind the port; the small window in between is the price of
 *	handing a port number to another process. Where the test itself
 *	serves, tsup_port_listen() keeps the socket and has no window.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "tsup_int.h"
#include "tsupport.h"

/*
 * Ports that other software on the test machines listens on. The
 * ephemeral range never yields them, but a machine configured with an
 * odd range must not either.
 */
static const int tsup_port_avoid[] = {2525, 2526, 0};

/* tsup_port_bind - a socket bound to 127.0.0.1:0, and its port */

static int
tsup_port_bind(int *port, int do_listen)
{
	struct sockaddr_in sin;
	socklen_t len;
	int	fd;
	int	tries;
	const int *ap;

	for (tries = 0; tries < 20; tries++) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			tsup_fail("socket: %s", strerror(errno));
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = 0;
		if (bind(fd, (struct sockaddr *) &sin, sizeof(sin)) == -1)
			tsup_fail("bind 127.0.0.1:0: %s", strerror(errno));
		if (do_listen && listen(fd, 64) == -1)
			tsup_fail("listen: %s", strerror(errno));
		len = sizeof(sin);
		if (getsockname(fd, (struct sockaddr *) &sin, &len) == -1)
			tsup_fail("getsockname: %s", strerror(errno));
		*port = ntohs(sin.sin_port);
		for (ap = tsup_port_avoid; *ap; ap++)
			if (*ap == *port)
				break;
		if (*ap == 0)
			return (fd);
		(void) close(fd);
	}
	tsup_fail("no usable port on 127.0.0.1 after %d tries", tries);
}

/* tsup_port_free - a port on 127.0.0.1 that was free a moment ago */

int
tsup_port_free(void)
{
	int	port;
	int	fd;

	fd = tsup_port_bind(&port, 0);
	(void) close(fd);
	tsup_note("free port 127.0.0.1:%d", port);
	return (port);
}

/* tsup_port_reserve - count distinct free ports */

void
tsup_port_reserve(int *ports, size_t count)
{
	int    *fds;
	size_t	i;

	fds = mem_zalloc(count ? count : 1, sizeof(*fds));
	for (i = 0; i < count; i++)
		fds[i] = tsup_port_bind(ports + i, 0);
	for (i = 0; i < count; i++) {
		(void) close(fds[i]);
		tsup_note("reserved port 127.0.0.1:%d", ports[i]);
	}
	mem_free(fds);
}

/* tsup_port_listen - a listening socket on a kernel-chosen port */

int
tsup_port_listen(int *port)
{
	return (tsup_port_bind(port, 1));
}

/* tsup_port_try - one connection attempt; the socket or -1 */

static int
tsup_port_try(int port, int *err)
{
	struct sockaddr_in sin;
	int	fd;

	if (port <= 0 || port > 65535)
		tsup_fail("port %d out of range", port);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		tsup_fail("socket: %s", strerror(errno));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short) port);
	if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) == -1) {
		*err = errno;
		(void) close(fd);
		return (-1);
	}
	return (fd);
}

/* tsup_port_connect - a connected socket to 127.0.0.1:port */

int
tsup_port_connect(int port)
{
	int	fd;
	int	err = 0;

	if ((fd = tsup_port_try(port, &err)) == -1)
		tsup_fail("connect 127.0.0.1:%d: %s", port, strerror(err));
	return (fd);
}

/* tsup_port_listening - is a socket listening on port? (Linux /proc) */

static int
tsup_port_listening(int port)
{
	static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	char	line[512];
	char	local[128];
	char	state[8];
	unsigned int lport;
	const char *colon;
	size_t	i;
	FILE   *fp;
	int	found = 0;
	int	readable = 0;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]) && !found; i++) {
		if ((fp = fopen(tables[i], "re")) == NULL)
			continue;
		readable = 1;
		while (!found && fgets(line, sizeof(line), fp) != NULL) {
			if (sscanf(line, " %*s %127s %*s %7s", local,
			    state) != 2)
				continue;
			if ((colon = strrchr(local, ':')) == NULL
			    || sscanf(colon + 1, "%x", &lport) != 1)
				continue;
			if ((int) lport == port && strcmp(state, "0A") == 0)
				found = 1;
		}
		(void) fclose(fp);
	}
	return (readable ? found : -1);
}

/* tsup_port_wait - wait until 127.0.0.1:port accepts connections */

int
tsup_port_wait(int port, int timeout_ms)
{
	long long deadline = tsup_now_ms() + tsup_timeout(timeout_ms);
	int	fd;
	int	err;
	int	listening;

	/*
	 * Where the kernel lists its sockets, look there: a probe
	 * connection would show up in the daemon's mail log as a session
	 * of its own and shift every connection number after it.
	 */
	for (;;) {
		if ((listening = tsup_port_listening(port)) == 1)
			return (0);
		if (listening == -1 && (fd = tsup_port_try(port, &err)) != -1) {
			(void) close(fd);
			return (0);
		}
		if (tsup_now_ms() >= deadline)
			return (-1);
		tsup_sleep_ms(20);
	}
}
