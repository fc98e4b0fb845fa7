/*
 * NAME
 *	policy_peer - what the listener knows about a connecting host
 * DESCRIPTION
 *	See policy_peer.h.
 */
#include "config.h"

#include "buf.h"
#include "msg.h"
#include "policy_peer.h"

/* policy_peer_sbrs_text - the SBRS value as the mail log prints it */

void
policy_peer_sbrs_text(const struct policy_peer *peer, struct buf *out)
{
	int	a;

	switch (peer->sbrs_state) {
	case POLICY_SBRS_OFF:
		buf_puts(out, "not enabled");
		return;
	case POLICY_SBRS_NONE:
		buf_puts(out, "None");
		return;
	case POLICY_SBRS_SCORE:
		a = peer->sbrs < 0 ? -peer->sbrs : peer->sbrs;
		buf_printf(out, "%s%d.%d", peer->sbrs < 0 ? "-" : "", a / 10,
		    a % 10);
		return;
	}
	msg_panic("policy_peer_sbrs_text: bad state %d",
	    (int) peer->sbrs_state);
}
