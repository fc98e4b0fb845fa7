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
 *	int	iptab_conn_enter(struct iptab *tp, unsigned slot,
 *		    const struct sockaddr *sa, long max, unsigned long *count);
 *	void	iptab_conn_leave(struct iptab *tp, unsigned slot,
 *		    const struct sockaddr *sa);
 *	void	iptab_slot_clear(struct iptab *tp, unsigned slot);
 *	int	iptab_rcpt_take(struct iptab *tp, const struct sockaddr *sa,
 *		    long max_per_hour, long long now);
 *	unsigned long iptab_auth_failures(struct iptab *tp,
 *		    const struct sockaddr *sa, long long window,
 *		    long long now);
 *	unsigned long iptab_auth_fail(struct iptab *tp,
 *		    const struct sockaddr *sa, long long window,
 *		    long long now);
 * DESCRIPTION
 *	Limits that AsyncOS applies per sending host count across every
 *	listener process ("all listeners validate against a single
 *	counter"): concurrent connections from one IP, and recipients per
 *	hour from one IP. The master creates one shared table in anonymous
 *	memory (memfd) and hands the descriptor to each listener, which maps
 *	it with iptab_adopt(). Updates are lock-free atomics, so a crashed
 *	process never leaves a lock held.
 *
 *	Connections are counted per slot: each listener process has its own
 *	slot number (0 .. IPTAB_SLOTS - 1, given by the master), and a host's
 *	count is the sum over the slots. A listener that dies never gets to
 *	say which connections it held, so the master clears its slot with
 *	iptab_slot_clear() before the slot is given to another process;
 *	otherwise every crash would eat into the allowance of the hosts that
 *	were connected.
 *
 *	iptab_conn_enter() counts a new connection from sa in slot unless
 *	that would make more than max (max < 0: no limit); it returns 1 when
 *	the connection was counted (the caller must call iptab_conn_leave()
 *	with the same slot at close) and 0 when it is over the limit
 *	(nothing counted). count gets the number of connections including
 *	this one, or the current number when refused. Two processes racing
 *	for the last place may both be refused; never may both be admitted
 *	beyond the limit. A process counts at most 65535 connections from
 *	one address (its counter's width): more are refused whatever max
 *	says.
 *
 *	iptab_rcpt_take() takes one recipient from the host's hourly
 *	allowance; it returns 0 when max_per_hour would be exceeded
 *	(max_per_hour < 0: unlimited). The hour is a fixed window that
 *	starts with the first recipient after the previous window ended.
 *
 *	iptab_auth_fail() counts one failed SMTP AUTH attempt from sa and
 *	returns the number of failures in the current window (including
 *	this one); iptab_auth_failures() returns that number without
 *	counting. The window lasts window seconds and starts with the
 *	first failure after the previous window ended; when it is over the
 *	count is 0 again. The caller compares the count with its limit.
 *
 *	Addresses are keyed as IPv6 (IPv4 as v4-mapped). When the table is
 *	full, new addresses are not tracked and the calls allow everything
 *	(return 1; the failure counts are 0): a limit must not turn into a
 *	denial of service for hosts it has never seen. Entries are never
 *	removed while the table lives; a counter that reaches zero keeps
 *	its slot for the same address.
 * DIAGNOSTICS
 *	iptab_create() and iptab_adopt() return NULL with a reason in err.
 */
#ifndef IPTAB_H
#define IPTAB_H

#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

#define IPTAB_SLOTS	128	/* listener processes alive at once */

struct iptab;

struct iptab *iptab_create(size_t, struct buf *);
struct iptab *iptab_adopt(int, struct buf *);
int	iptab_fd(const struct iptab *);
struct iptab *iptab_close(struct iptab *);
int	iptab_conn_enter(struct iptab *, unsigned, const struct sockaddr *,
	    long, unsigned long *);
void	iptab_conn_leave(struct iptab *, unsigned, const struct sockaddr *);
void	iptab_slot_clear(struct iptab *, unsigned);
int	iptab_rcpt_take(struct iptab *, const struct sockaddr *, long,
	    long long);
unsigned long iptab_auth_failures(struct iptab *, const struct sockaddr *,
	    long long, long long);
unsigned long iptab_auth_fail(struct iptab *, const struct sockaddr *,
	    long long, long long);

#endif
