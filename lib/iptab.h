/*
 * NAME
 *	iptab - per-client-address counters shared by processes
 * SYNOPSIS
 *	#include "iptab.h"
 *
 *	struct iptab *iptab_create(size_t capacity, struct buf *err);
 *	struct iptab *iptab_adopt(int fd, struct buf *err);
 *	int	iptab_fd(const struct iptab *tp);
 *	struct iptab *iptab_close(struct iptab *tp);
 *
 *	int	iptab_conn_enter(struct iptab *tp, const struct sockaddr *sa,
 *		    long max, unsigned long *count);
 *	void	iptab_conn_leave(struct iptab *tp, const struct sockaddr *sa);
 *	int	iptab_rcpt_take(struct iptab *tp, const struct sockaddr *sa,
 *		    long max_per_hour, long long now);
 * DESCRIPTION
 *	Limits that AsyncOS applies per sending host count across every
 *	listener process ("all listeners validate against a single
 *	counter"): concurrent connections from one IP, and recipients per
 *	hour from one IP. The master creates one shared table in anonymous
 *	memory (memfd) and hands the descriptor to each listener, which maps
 *	it with iptab_adopt(). Updates are lock-free atomics, so a crashed
 *	process never leaves a lock held.
 *
 *	iptab_conn_enter() counts a new connection from sa unless that would
 *	make more than max (max < 0: no limit); it returns 1 when the
 *	connection was counted (the caller must call iptab_conn_leave() at
 *	close) and 0 when it is over the limit (nothing counted). count gets
 *	the number of connections including this one, or the current number
 *	when refused.
 *
 *	iptab_rcpt_take() takes one recipient from the host's hourly
 *	allowance; it returns 0 when max_per_hour would be exceeded
 *	(max_per_hour < 0: unlimited). The hour is a fixed window that
 *	starts with the first recipient after the previous window ended.
 *
 *	Addresses are keyed as IPv6 (IPv4 as v4-mapped). When the table is
 *	full, new addresses are not tracked and the calls allow everything
 *	(return 1): a limit must not turn into a denial of service for hosts
 *	it has never seen. Entries are never removed while the table lives;
 *	a counter that reaches zero keeps its slot for the same address.
 * DIAGNOSTICS
 *	iptab_create() and iptab_adopt() return NULL with a reason in err.
 */
#ifndef IPTAB_H
#define IPTAB_H

#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

struct iptab;

struct iptab *iptab_create(size_t, struct buf *);
struct iptab *iptab_adopt(int, struct buf *);
int	iptab_fd(const struct iptab *);
struct iptab *iptab_close(struct iptab *);
int	iptab_conn_enter(struct iptab *, const struct sockaddr *, long,
	    unsigned long *);
void	iptab_conn_leave(struct iptab *, const struct sockaddr *);
int	iptab_rcpt_take(struct iptab *, const struct sockaddr *, long,
	    long long);

#endif
