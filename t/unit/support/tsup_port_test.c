/*
 * NAME
 *	tsup_port_test - self-tests of t/support/tsup_port
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "tsup_int.h"
#include "tsupport.h"

TestSuite(tsup_port, .init = tsup_init, .fini = tsup_fini);

/* bind_port - bind 127.0.0.1:port; the socket or -1 */

static int
bind_port(int port)
{
	struct sockaddr_in sin;
	int	fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_neq(fd, -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short) port);
	if (bind(fd, (struct sockaddr *) &sin, sizeof(sin)) == -1) {
		(void) close(fd);
		return (-1);
	}
	return (fd);
}

Test(tsup_port, free_port_is_bindable_and_not_a_fixed_one)
{
	int	i;
	int	port;
	int	fd;

	for (i = 0; i < 20; i++) {
		port = tsup_port_free();
		cr_assert(port > 1024 && port <= 65535, "port %d", port);
		cr_assert(port != 2525 && port != 2526, "port %d", port);
		fd = bind_port(port);
		cr_assert_neq(fd, -1, "port %d from tsup_port_free is taken",
		    port);
		(void) close(fd);
	}
}

Test(tsup_port, reserve_gives_distinct_ports)
{
	int	ports[16];
	int	fds[16];
	size_t	i;
	size_t	j;

	tsup_port_reserve(ports, 16);
	for (i = 0; i < 16; i++) {
		for (j = 0; j < i; j++)
			cr_assert_neq(ports[i], ports[j], "ports %zu and %zu",
			    i, j);
		fds[i] = bind_port(ports[i]);
		cr_assert_neq(fds[i], -1, "port %d", ports[i]);
	}
	for (i = 0; i < 16; i++)
		(void) close(fds[i]);
}

Test(tsup_port, listen_accepts_and_wait_sees_it)
{
	int	port;
	int	lfd = tsup_port_listen(&port);
	int	cfd;
	int	afd;

	cr_assert_eq(tsup_port_wait(port, 1000), 0);
	cfd = tsup_port_connect(port);
	afd = accept(lfd, NULL, NULL);
	cr_assert_neq(afd, -1);
	cr_assert_eq(write(cfd, "x", 1), 1);
	(void) close(afd);
	(void) close(cfd);
	(void) close(lfd);
}

Test(tsup_port, wait_gives_up_on_a_closed_port)
{
	int	port = tsup_port_free();
	long long start = tsup_now_ms();

	cr_assert_eq(tsup_port_wait(port, 200), -1);
	cr_assert(tsup_now_ms() - start < 5000, "the wait is bounded");
}

/* connect_closed - tsup_catch() body */

static void
connect_closed(void *arg)
{
	(void) tsup_port_connect(*(int *) arg);
}

Test(tsup_port, connect_to_a_closed_port_fails_the_test)
{
	int	port = tsup_port_free();
	struct buf msg;

	buf_init(&msg, 64);
	cr_assert_eq(tsup_catch(connect_closed, &port, &msg), 1);
	cr_assert(strstr(msg.data, tsup_strf("127.0.0.1:%d", port)) != NULL,
	    "%s", msg.data);
	cr_assert(strstr(msg.data, "refused") != NULL, "%s", msg.data);
	buf_fini(&msg);
}
