/*
 * NAME
 *	conf_predef - the AsyncOS predefined mail flow policies and groups
 * SYNOPSIS
 *	#include "conf_priv.h"
 *
 *	const char *conf_predef_text(enum conf_listener_type type);
 * DESCRIPTION
 *	conf_predef_text() returns, as YAML in the listener schema, the
 *	policies, sender groups and ALL policy that AsyncOS creates for a
 *	new listener of the type. The loader reads it with the same code as
 *	a configuration file and merges it into each listener (see conf.h).
 *
 *	Public (and blackhole) listeners: the groups and "Moderate" SBRS
 *	ranges of the installation default, and the policy values Cisco
 *	publishes for them; a parameter a policy does not give comes from
 *	the listener's default_policy. Private listeners: RELAYLIST relays,
 *	everyone else is BLOCKED.
 */
#include "config.h"

#include "msg.h"

#include "conf_priv.h"

static const char conf_predef_public[] =
"policies:\n"
"  TRUSTED:\n"
"    connection: accept\n"
"    max_msgs_per_session: 1000\n"
"    max_rcpts_per_msg: 1000\n"
"    max_message_size: 100M\n"
"    max_concurrency: 1000\n"
"    max_rcpts_per_hour: -1\n"
"  BLOCKED:\n"
"    connection: reject\n"
"  THROTTLED:\n"
"    connection: accept\n"
"    max_msgs_per_session: 10\n"
"    max_rcpts_per_msg: 20\n"
"    max_message_size: 1M\n"
"    max_concurrency: 10\n"
"    max_rcpts_per_hour: 20\n"
"  ACCEPTED:\n"
"    connection: accept\n"
"    max_msgs_per_session: 1000\n"
"    max_rcpts_per_msg: 1000\n"
"    max_message_size: 100M\n"
"    max_concurrency: 1000\n"
"sender_groups:\n"
"  - name: WHITELIST\n"
"    policy: TRUSTED\n"
"    members: []\n"
"  - name: BLACKLIST\n"
"    policy: BLOCKED\n"
"    members: [\"sbrs[-10.0:-3.0]\"]\n"
"  - name: SUSPECTLIST\n"
"    policy: THROTTLED\n"
"    members: [\"sbrs[-3.0:-1.0]\"]\n"
"  - name: UNKNOWNLIST\n"
"    policy: ACCEPTED\n"
"    members: [\"sbrs[-1.0:10.0]\"]\n"
"all_policy: ACCEPTED\n";

static const char conf_predef_private[] =
"policies:\n"
"  RELAYED:\n"
"    connection: relay\n"
"    max_rcpts_per_hour: -1\n"
"  BLOCKED:\n"
"    connection: reject\n"
"sender_groups:\n"
"  - name: RELAYLIST\n"
"    policy: RELAYED\n"
"    members: []\n"
"all_policy: BLOCKED\n";

/* conf_predef_text - predefined policies and groups of a listener type */

const char *
conf_predef_text(enum conf_listener_type type)
{
	switch (type) {
	case CONF_LISTENER_PUBLIC:
	case CONF_LISTENER_BLACKHOLE:
		return (conf_predef_public);
	case CONF_LISTENER_PRIVATE:
		return (conf_predef_private);
	}
	msg_panic("conf_predef_text: bad listener type %d", (int) type);
}
