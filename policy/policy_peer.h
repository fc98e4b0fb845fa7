/*
 * NAME
 *	policy_peer - what the listener knows about a connecting host
 * SYNOPSIS
 *	#include "policy_peer.h"
 *
 *	enum policy_ptr { POLICY_PTR_OK, POLICY_PTR_NONE,
 *		POLICY_PTR_TEMPFAIL, POLICY_PTR_MISMATCH };
 *	enum policy_sbrs { POLICY_SBRS_OFF, POLICY_SBRS_NONE,
 *		POLICY_SBRS_SCORE };
 *
 *	struct policy_peer {
 *		struct policy_ip ip;
 *		const char *hostname;		verified name, or NULL
 *		enum policy_ptr ptr;
 *		enum policy_sbrs sbrs_state;
 *		int	sbrs;			score in tenths, -100..100
 *		const char *const *dnslists;	zones the IP is listed in
 *		size_t	dnslist_count;
 *	};
 *
 *	void	policy_peer_sbrs_text(const struct policy_peer *peer,
 *			struct buf *out);
 * DESCRIPTION
 *	The facts the HAT decides on, gathered by the caller (policy/ does
 *	no DNS): the address; the host name when the PTR name resolved
 *	forward to the address (verified), else NULL; how the PTR lookup
 *	went (OK when verified; NONE: no PTR record; TEMPFAIL: the lookup
 *	failed for now; MISMATCH: the PTR name does not resolve back to
 *	the address); the SenderBase score (OFF: SBRS not enabled; NONE:
 *	no score, e.g. a private address or a failed query; SCORE: sbrs
 *	holds the score times ten); and the DNS list zones, among those
 *	policy_hat_dnslists() asked for, that list the address. The
 *	strings belong to the caller.
 *
 *	policy_peer_sbrs_text() appends the SBRS value as the mail log
 *	prints it after "SBRS": the score with one decimal ("-0.5",
 *	"3.0"), "None", or "not enabled".
 */
#ifndef POLICY_PEER_H
#define POLICY_PEER_H

#include <stddef.h>

#include "buf.h"
#include "policy_ip.h"

enum policy_ptr {
	POLICY_PTR_OK,
	POLICY_PTR_NONE,
	POLICY_PTR_TEMPFAIL,
	POLICY_PTR_MISMATCH,
};

enum policy_sbrs {
	POLICY_SBRS_OFF,
	POLICY_SBRS_NONE,
	POLICY_SBRS_SCORE,
};

struct policy_peer {
	struct policy_ip ip;
	const char *hostname;
	enum policy_ptr ptr;
	enum policy_sbrs sbrs_state;
	int	sbrs;
	const char *const *dnslists;
	size_t	dnslist_count;
};

void	policy_peer_sbrs_text(const struct policy_peer *, struct buf *);

#endif
