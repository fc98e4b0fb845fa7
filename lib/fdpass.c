/*
 * NAME
 *	fdpass - send and receive one file descriptor over a UNIX socket
 * DESCRIPTION
 *	See fdpass.h. The control buffer is a union with struct cmsghdr so
 *	that it is aligned as CMSG_* expect.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "fdpass.h"

/* fdpass_send - send data, and fd unless it is -1 */

ssize_t
fdpass_send(int sock, int fd, const void *data, size_t len)
{
	union {
		struct cmsghdr hdr;
		char	buf[CMSG_SPACE(sizeof(int))];
	}	cbuf;
	struct msghdr mh;
	struct cmsghdr *cmsg;
	struct iovec iov;
	ssize_t	n;

	if (data == NULL)
		msg_panic("fdpass_send: null data");
	if (fd != -1 && len == 0)
		msg_panic("fdpass_send: a descriptor needs at least one byte");
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *) data;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	return (n);
}

/* fdpass_close_all - close every descriptor in one SCM_RIGHTS block */

static void
fdpass_close_all(struct cmsghdr *cmsg)
{
	size_t	nfd;
	size_t	i;
	int	fd;

	nfd = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	for (i = 0; i < nfd; i++) {
		memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
		(void) close(fd);
	}
}

/* fdpass_recv - receive data and at most one descriptor */

ssize_t
fdpass_recv(int sock, int *fdp, void *data, size_t len)
{
	union {
		struct cmsghdr hdr;
		char	buf[CMSG_SPACE(sizeof(int) * 4)];
	}	cbuf;
	struct msghdr mh;
	struct cmsghdr *cmsg;
	struct iovec iov;
	ssize_t	n;
	int	bad = 0;
	int	fd = -1;

	if (data == NULL || fdp == NULL)
		msg_panic("fdpass_recv: null argument");
	*fdp = -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = data;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return (-1);
	if (mh.msg_flags & MSG_CTRUNC)
		bad = 1;
	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET
		    && cmsg->cmsg_type == SCM_RIGHTS) {
			if (fd == -1 && cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
			else {
				fdpass_close_all(cmsg);
				bad = 1;
			}
		} else {
			bad = 1;
		}
	}
	if (bad) {
		if (fd != -1)
			(void) close(fd);
		errno = EPROTO;
		return (-1);
	}
	*fdp = fd;
	return (n);
}
