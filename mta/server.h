/*
 * NAME
 *	server - the life cycle every mtad child process shares
 * SYNOPSIS
 *	#include "server.h"
 *
 *	struct server_ops {
 *		const char *role;
 *		void	(*pre_jail)(struct server *sv);
 *		void	(*post_jail)(struct server *sv);
 *		void	(*reload)(struct server *sv, struct conf *cf);
 *		void	(*stop)(struct server *sv);
 *		void	(*control)(struct server *sv, struct ipc_msg *m);
 *		void	(*rotate)(struct server *sv);
 *	};
 *
 *	int	server_main(const struct mta_args *args, struct conf *cf,
 *		    const struct server_ops *ops);
 *	void	server_exit(struct server *sv, int status);
 * DESCRIPTION
 *	A child (queue manager, listener) is started by the master with the
 *	descriptor layout of mta_proto.h and -X ROLE. server_main() runs it:
 *
 *	1. adopt the shared sequence file (and the per-client table when
 *	   present);
 *	2. pre_jail(): work that needs the starting user, such as reading
 *	   private keys;
 *	3. drop privileges to the configured user when started as root
 *	   (privs_drop(), the only call site);
 *	4. create the libuv loop, open the control channel to the master,
 *	   install the SIGTERM (stop) handler;
 *	5. post_jail(): open what the role serves, start serving;
 *	6. tell the master it is READY, and run the loop.
 *
 *	reload() gets a freshly loaded configuration when the master sends
 *	one (MTA_T_RELOAD: the text it checked, as a descriptor); the old
 *	configuration stays valid during the call and the server frees it
 *	afterwards. Children ignore SIGHUP: only the master reloads. A role without reload() keeps the configuration it started
 *	with (listeners: the master starts new ones instead). stop() must stop taking new work and call server_exit()
 *	once the work in hand is done. When the master goes away (its end
 *	of the control channel closes), the child exits at once.
 *
 *	control() receives each message the master sends on the control
 *	channel (the callee frees it); a role without it treats any such
 *	message as fatal.
 *
 *	rotate(), when the role has it, runs on SIGUSR1: the master sends
 *	it to one process to roll the mail log over.
 *
 *	server_exit() ends the loop; server_main() then returns status.
 *	The fields of struct server are for the role's use.
 * SECURITY
 *	Children start with the master's privileges and give them up in
 *	step 3, before any network input is read.
 */
#ifndef SERVER_H
#define SERVER_H

#include <uv.h>

#include "ipc.h"
#include "iptab.h"
#include "seq.h"

#include "conf.h"

#include "mta_args.h"

struct server;

struct server_ops {
	const char *role;
	void	(*pre_jail)(struct server *);
	void	(*post_jail)(struct server *);
	void	(*reload)(struct server *, struct conf *);
	void	(*stop)(struct server *);
	void	(*control)(struct server *, struct ipc_msg *);
	void	(*rotate)(struct server *);
};

struct server {
	const struct server_ops *ops;
	const struct mta_args *args;
	struct conf *cf;
	uv_loop_t *loop;
	struct seq *seq;
	struct iptab *iptab;		/* listeners only, else NULL */
	struct ipc_chan *control;
	uv_signal_t sig_term;
	uv_signal_t sig_usr1;
	int	stopping;
	int	status;
	void   *ctx;			/* the role's own state */
};

int	server_main(const struct mta_args *, struct conf *,
	    const struct server_ops *);
void	server_exit(struct server *, int);

#endif
