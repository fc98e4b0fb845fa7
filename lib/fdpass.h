/*
 * NAME
 *	fdpass - send and receive one file descriptor over a UNIX socket
 * SYNOPSIS
 *	#include "fdpass.h"
 *
 *	ssize_t	fdpass_send(int sock, int fd, const void *data, size_t len);
 *	ssize_t	fdpass_recv(int sock, int *fdp, void *data, size_t len);
 * DESCRIPTION
 *	fdpass_send() sends len bytes of data on the UNIX domain socket
 *	sock with one sendmsg(2) call and, when fd is not -1, a copy of fd
 *	as SCM_RIGHTS ancillary data. The kernel needs at least one byte of
 *	data to carry the descriptor, so len must be at least 1. Interrupted
 *	calls are retried. The result is the count of bytes sent, which on
 *	a non-blocking socket may be less than len (the descriptor then
 *	travelled with the first of them); -1 means error, with errno set
 *	(EAGAIN included). The caller still owns fd and closes it when it
 *	likes: the receiver gets its own copy.
 *
 *	fdpass_recv() receives up to len bytes with one recvmsg(2) call.
 *	*fdp is set to the descriptor that came with them (close-on-exec
 *	is set), or to -1 when none did; the caller owns it. The result is
 *	the count of bytes received, 0 at end of file, or -1 on error with
 *	errno set. A message that carries more than one descriptor or any
 *	other ancillary data, or whose ancillary data was truncated, is a
 *	protocol error: every descriptor received is closed and the result
 *	is -1 with errno EPROTO.
 * DIAGNOSTICS
 *	Panic: len is 0 (fdpass_send with a descriptor), data is null.
 */
#ifndef FDPASS_H
#define FDPASS_H

#include <sys/types.h>

#include <stddef.h>

ssize_t	fdpass_send(int, int, const void *, size_t);
ssize_t	fdpass_recv(int, int *, void *, size_t);

#endif
