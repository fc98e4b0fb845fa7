/*
 * NAME
 *	fdpass_test - unit tests for lib/fdpass
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fdpass.h"

/* pair - a connected UNIX stream socket pair */

static void
pair(int sv[2])
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

/* no_sigpipe - let writes to a closed pipe fail with EPIPE */

static void
no_sigpipe(void)
{
	(void) signal(SIGPIPE, SIG_IGN);
}

TestSuite(fdpass, .init = no_sigpipe);

Test(fdpass, pipe_travels_and_works)
{
	int	sv[2], pfd[2], got;
	char	data[16];
	ssize_t	n;

	pair(sv);
	cr_assert_eq(pipe(pfd), 0);
	cr_assert_eq(fdpass_send(sv[0], pfd[1], "w", 1), 1);
	(void) close(pfd[1]);
	n = fdpass_recv(sv[1], &got, data, sizeof(data));
	cr_assert_eq(n, 1);
	cr_assert_eq(data[0], 'w');
	cr_assert_neq(got, -1);
	cr_assert(fcntl(got, F_GETFD) & FD_CLOEXEC, "close-on-exec not set");
	cr_assert_eq(write(got, "hello", 5), 5);
	(void) close(got);
	n = read(pfd[0], data, sizeof(data));
	cr_assert_eq(n, 5);
	cr_assert(memcmp(data, "hello", 5) == 0);
	(void) close(pfd[0]);
	(void) close(sv[0]);
	(void) close(sv[1]);
}

Test(fdpass, data_without_descriptor_and_eof)
{
	int	sv[2], got = 123;
	char	data[16];

	pair(sv);
	cr_assert_eq(fdpass_send(sv[0], -1, "abc", 3), 3);
	cr_assert_eq(fdpass_recv(sv[1], &got, data, sizeof(data)), 3);
	cr_assert_eq(got, -1);
	(void) close(sv[0]);
	cr_assert_eq(fdpass_recv(sv[1], &got, data, sizeof(data)), 0);
	cr_assert_eq(got, -1);
	(void) close(sv[1]);
}

Test(fdpass, two_descriptors_are_a_protocol_error)
{
	union {
		struct cmsghdr hdr;
		char	buf[CMSG_SPACE(2 * sizeof(int))];
	}	cbuf;
	struct msghdr mh;
	struct cmsghdr *cmsg;
	struct iovec iov;
	int	sv[2], fds[2], got, pfd[2];
	char	data[4];

	pair(sv);
	cr_assert_eq(pipe(pfd), 0);
	fds[0] = pfd[0];
	fds[1] = pfd[1];
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = "x";
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	cmsg = CMSG_FIRSTHDR(&mh);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, sizeof(fds));
	cr_assert_eq(sendmsg(sv[0], &mh, 0), 1);
	(void) close(pfd[0]);
	errno = 0;
	cr_assert_eq(fdpass_recv(sv[1], &got, data, sizeof(data)), -1);
	cr_assert_eq(errno, EPROTO);
	cr_assert_eq(got, -1);
	/* Both received copies were closed: the pipe's read end is gone. */
	cr_assert_eq(write(pfd[1], "x", 1), -1);
	cr_assert_eq(errno, EPIPE);
	(void) close(pfd[1]);
	(void) close(sv[0]);
	(void) close(sv[1]);
}

Test(fdpass, send_error_is_reported)
{
	int	sv[2];

	pair(sv);
	(void) close(sv[1]);
	errno = 0;
	cr_assert_eq(fdpass_send(sv[0], -1, "x", 1), -1);
	cr_assert_eq(errno, EPIPE);
	(void) close(sv[0]);
}
