/*
 * NAME
 *	seq - persistent sequence numbers shared by processes
 * SYNOPSIS
 *	#include "seq.h"
 *
 *	struct seq *seq_open(const char *path, struct buf *err);
 *	struct seq *seq_adopt(int fd, struct buf *err);
 *	int	seq_fd(const struct seq *sp);
 *	unsigned long long seq_next(struct seq *sp, enum seq_slot slot);
 *	struct seq *seq_close(struct seq *sp);
 * DESCRIPTION
 *	A small file holds one 64-bit counter per slot (the connection
 *	numbers the mail log prints: ICID for inbound connections, DCID for
 *	delivery connections). Every process maps the same file shared, and
 *	seq_next() takes the next number with one atomic add, so numbers are
 *	unique and increasing across all listener and delivery processes
 *	without a round trip, and they continue after a restart.
 *
 *	seq_open() creates the file (mode 0600) when absent. seq_adopt()
 *	maps an already open descriptor, as a child process inherits it.
 *	Both return NULL with a reason in err on failure. seq_next() never
 *	returns 0: the mail log uses ICID 0 for connections that were never
 *	numbered (TCPREFUSE).
 * SECURITY
 *	The file lives in the spool, which only the gateway can write.
 */
#ifndef SEQ_H
#define SEQ_H

#include "buf.h"

enum seq_slot {
	SEQ_ICID,
	SEQ_DCID,
	SEQ_NSLOTS,
};

struct seq;

struct seq *seq_open(const char *, struct buf *);
struct seq *seq_adopt(int, struct buf *);
int	seq_fd(const struct seq *);
unsigned long long seq_next(struct seq *, enum seq_slot);
struct seq *seq_close(struct seq *);

#endif
