/*
 * NAME
 *	smtpd_hat - a listener's HAT and the SenderBase table from config
 * SYNOPSIS
 *	#include "smtpd_hat.h"
 *
 *	struct policy_hat *smtpd_hat_build(const struct conf_listener *cl,
 *		    struct buf *err);
 *	int	smtpd_hat_sbrs_build(const struct conf *cf,
 *		    struct smtpd_sbrs **table, size_t *count,
 *		    struct buf *err);
 *	void	smtpd_hat_sbrs_free(struct smtpd_sbrs *table, size_t count);
 *	int	smtpd_hat_sbrs_lookup(const struct smtpd_sbrs *table,
 *		    size_t count, const struct policy_peer *peer,
 *		    int *tenths);
 * DESCRIPTION
 *	smtpd_hat_build() compiles the sender groups and mail flow policies
 *	of a listener (as the configuration loader completed them, with
 *	the predefined AsyncOS ones where the file gave none) into a
 *	finished policy_hat. Every member string is compiled here; an error
 *	names file:line:column of the member. It returns NULL with one
 *	line per problem in err.
 *
 *	smtpd_hat_sbrs_build() compiles sbrs.table (addresses and CIDR
 *	blocks with a score). smtpd_hat_sbrs_lookup() finds the score of a
 *	peer's address: the first entry that matches, in file order; it
 *	returns 1 when found, 0 when not.
 */
#ifndef SMTPD_HAT_H
#define SMTPD_HAT_H

#include "buf.h"

#include "conf.h"

#include "policy_hat.h"

#include "smtpd.h"

struct policy_hat *smtpd_hat_build(const struct conf_listener *,
	    struct buf *);
int	smtpd_hat_sbrs_build(const struct conf *, struct smtpd_sbrs **,
	    size_t *, struct buf *);
void	smtpd_hat_sbrs_free(struct smtpd_sbrs *, size_t);
int	smtpd_hat_sbrs_lookup(const struct smtpd_sbrs *, size_t,
	    const struct policy_peer *, int *);

#endif
