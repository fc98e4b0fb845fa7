/*
 * NAME
 *	privs - drop root privileges, once, and prove it
 * SYNOPSIS
 *	#include "privs.h"
 *
 *	int	privs_lookup(const char *user, uid_t *uid, gid_t *gid,
 *		    struct buf *err);
 *	void	privs_drop(uid_t uid, gid_t gid);
 * DESCRIPTION
 *	privs_lookup() finds a user's uid and primary gid; it returns 0, or
 *	-1 with the reason in err (unknown user, user is root).
 *
 *	privs_drop() sets the supplementary groups to gid alone, then the
 *	real, effective and saved group and user ids, and verifies with
 *	getresuid()/getresgid() that root cannot be regained. It is the only
 *	code in mtad that changes privileges, and it is called from one
 *	place (the child skeleton, mta/server.c).
 * DIAGNOSTICS
 *	Any failure is fatal: a process that meant to drop root must not
 *	go on with it.
 */
#ifndef PRIVS_H
#define PRIVS_H

#include <sys/types.h>

#include "buf.h"

int	privs_lookup(const char *, uid_t *, gid_t *, struct buf *);
void	privs_drop(uid_t, gid_t);

#endif
