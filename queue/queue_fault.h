/*
 * NAME
 *	queue_fault - fault injection seam for the spool's system calls
 * SYNOPSIS
 *	#include "queue_fault.h"
 *
 *	typedef int (*queue_fault_fn)(const char *step, void *ctx);
 *
 *	void	queue_fault_set(queue_fault_fn fn, void *ctx);
 *	int	queue_fault(const char *step);
 * DESCRIPTION
 *	Every system call by which the spool changes the disk (write,
 *	fsync, rename, unlink, open for create), and the read of each
 *	spool file, is preceded by queue_fault(step), where step names the
 *	call and its file, e.g. "fsync incoming/12", "rename
 *	incoming/12.env active/12" or "read active/12". With no
 *	hook set (the daemon never sets one) queue_fault() returns 0 at
 *	once. A test sets a hook with queue_fault_set(); the hook may
 *	record the step, end the process there (a crash at that instant),
 *	or return an errno value, which makes the call fail with that
 *	error without being made. queue_fault_set(NULL, NULL) removes the
 *	hook.
 */
#ifndef QUEUE_FAULT_H
#define QUEUE_FAULT_H

typedef int (*queue_fault_fn)(const char *, void *);

void	queue_fault_set(queue_fault_fn, void *);
int	queue_fault(const char *);

#endif
