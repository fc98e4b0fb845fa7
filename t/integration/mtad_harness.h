/*
 * NAME
 *	mtad_harness - run a real mtad for an integration test
 * SYNOPSIS
 *	#include "mtad_harness.h"
 *
 *	struct mtad_inst {
 *		struct tsup_proc *proc;
 *		int	port;			the first listener's port
 *		const char *dir;		the instance's directory
 *		const char *config;		its configuration file
 *		const char *spool;
 *		const char *log;		the current mail log
 *		struct dns_unbound *dns;	its DNS server
 *	};
 *
 *	struct mtad_inst *mtad_start(const struct mtad_spec *spec);
 *	void	mtad_stop(struct mtad_inst *mi);
 *	int	mtad_queued(const struct mtad_inst *mi);
 *	const char *mtad_wait_log(const struct mtad_inst *mi,
 *		    const char *regex);
 *	const char *mtad_wait_text(const struct mtad_inst *mi,
 *		    const char *text);
 *	int	mtad_log_count(const struct mtad_inst *mi, const char *regex);
 *	const char *mtad_lines(const struct mtad_inst *mi, const char *regex,
 *		    const char *(*mask)(const char *line));
 *	const char *mtad_subst(const char *s, const char *regex,
 *		    const char *repl);
 *	const char *mtad_mask_delivery(const char *line);
 *	unsigned long mtad_send(const struct mtad_inst *mi,
 *		    const char *args);
 *	const char *mtad_swaks(const struct mtad_inst *mi, int *status,
 *		    const char *fmt, ...);
 *	void	mtad_wait_ready(const struct mtad_inst *mi);
 *	void	mtad_restart(struct mtad_inst *mi);
 *	void	mtad_crash(struct mtad_inst *mi);
 *	int	mtad_children(const struct mtad_inst *mi, pid_t *pids,
 *		    int max);
 * DESCRIPTION
 *	mtad_start() writes a configuration into a fresh temporary
 *	directory and starts the real mtad on it, on a loopback port it
 *	picks, and returns once the listener accepts connections. The
 *	configuration has one public listener on 127.0.0.1; spec adds to
 *	it:
 *
 *	    listener	YAML lines added to the listener's mapping, at
 *			its indentation (policies, sender_groups, ...)
 *	    top		YAML lines added at the top level (sbrs, limits)
 *	    zone	unbound local-data lines: the instance gets its own
 *			DNS server with these records, and PTR records
 *			for 127.0.0.1 (localhost.test) always
 *	    listeners	number of listener processes (default 1)
 *	    delivery	number of delivery processes (default 0: mail
 *			stays queued, as with delivery suspended)
 *	    log		YAML lines added to the log section, indented
 *			by two spaces ("  rotate_size: 64K\n")
 *	    spool	the spool directory to use (default: one in the
 *			instance's directory)
 *
 *	The spool, the mail log and the demo certificate live in the
 *	instance's directory; privileges are not dropped (user: "").
 *
 *	mtad_stop() stops it with SIGTERM and fails the test unless it
 *	exits with status 0 in time. mtad_queued() counts the committed
 *	messages in the spool. mtad_wait_log() waits for a mail log line
 *	matching a POSIX extended regex and returns it; mtad_wait_text()
 *	waits for a line that contains text; mtad_log_count()
 *	counts matching lines now. mtad_lines() returns every line of the
 *	current log that matches regex, each masked by mask (NULL:
 *	tsup_log_mask(), time stamps and IDs) and ended by a newline, for
 *	byte-for-byte comparisons; mtad_subst() replaces every match of an
 *	extended regex in s (masks are built with it);
 *	mtad_mask_delivery() is the mask of delivery lines (tsup_log_mask()
 *	and "port P", "port: P", "Message N to", "pending till TIME").
 *	mtad_send() sends one message with swaks (args are its options)
 *	and returns the MID the gateway answered with; any failure fails
 *	the test. mtad_swaks() runs swaks against the
 *	instance with the given extra arguments and returns its output
 *	(status gets its exit status).
 *
 *	mtad_wait_ready() waits until a new connection gets a 220 greeting
 *	(after children were killed, the master may need a round of
 *	restarts before the listeners and the queue manager are all up).
 *
 *	mtad_crash() kills the master and all its children at once with
 *	SIGKILL, as a power cut would (the page cache survives, which is
 *	what fsync ordering is about: the spool must be consistent at
 *	every instant). mtad_restart() starts mtad again on the same
 *	configuration and spool. mtad_children() lists the master's child
 *	processes (queue manager and listeners) and returns how many.
 */
#ifndef MTAD_HARNESS_H
#define MTAD_HARNESS_H

#include <sys/types.h>

#include "tsupport.h"

struct dns_unbound;

struct mtad_spec {
	const char *listener;
	const char *top;
	const char *zone;
	int	listeners;
	const char *spool;
	int	delivery;
	const char *log;
};

struct mtad_inst {
	struct tsup_proc *proc;
	int	port;
	const char *dir;
	const char *config;
	const char *spool;
	const char *log;
	struct dns_unbound *dns;
};

struct mtad_inst *mtad_start(const struct mtad_spec *);
void	mtad_stop(struct mtad_inst *);
int	mtad_queued(const struct mtad_inst *);
const char *mtad_wait_log(const struct mtad_inst *, const char *);
const char *mtad_wait_text(const struct mtad_inst *, const char *);
int	mtad_log_count(const struct mtad_inst *, const char *);
const char *mtad_lines(const struct mtad_inst *, const char *,
	    const char *(*)(const char *));
const char *mtad_subst(const char *, const char *, const char *);
const char *mtad_mask_delivery(const char *);
unsigned long mtad_send(const struct mtad_inst *, const char *);
const char *mtad_swaks(const struct mtad_inst *, int *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	mtad_wait_ready(const struct mtad_inst *);
void	mtad_restart(struct mtad_inst *);
void	mtad_crash(struct mtad_inst *);
int	mtad_children(const struct mtad_inst *, pid_t *, int);

#endif
