/*
 * NAME
 *	server - the life cycle every mtad child process shares
 * DESCRIPTION
 *	See server.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "buf.h"
#include "ipc.h"
#include "mem.h"
#include "msg.h"
#include "privs.h"

#include "conf.h"

#include "mta_proto.h"
#include "server.h"

/* server_reload - the master sent a checked configuration */

static void
server_reload(struct server *sv, struct ipc_msg *m)
{
	struct buf *err;
	struct conf *cf;
	int	fd = ipc_msg_take_fd(m);

	if (fd < 0)
		msg_fatal("reload message without a configuration");
	if (dup2(fd, MTA_FD_CONF) == -1)
		msg_fatal("reload: dup2: %m");
	(void) close(fd);
	(void) fcntl(MTA_FD_CONF, F_SETFD, FD_CLOEXEC);
	if (sv->ops->reload == NULL)
		return;
	err = buf_new(0);
	if ((cf = mta_args_load(sv->args, MTA_FD_CONF, NULL, err)) == NULL) {
		msg_error("reload: configuration has errors, keeping the "
		    "running one:\n%s", err->data);
	} else {
		sv->ops->reload(sv, cf);
		conf_free(sv->cf);
		sv->cf = cf;
	}
	buf_free(err);
}

/* server_control_received - the master said something */

static void
server_control_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct server *sv = ctx;

	if (ipc_msg_type(m) == MTA_T_RELOAD) {
		server_reload(sv, m);
		ipc_msg_free(m);
	} else if (sv->ops->control != NULL) {
		sv->ops->control(sv, m);	/* it frees m */
	} else {
		msg_fatal("unexpected control message type %u from the master",
		    ipc_msg_type(m));
	}
	(void) ch;
}

/* server_control_error - the master went away: follow it */

static void
server_control_error(struct ipc_chan *ch, int err, const char *why,
    void *ctx)
{
	if (err != 0)
		msg_fatal("control channel: %s", why);
	if (msg_verbose)
		msg_info("master went away: exiting");
	_exit(0);
	(void) ch;
	(void) ctx;
}

static const struct ipc_chan_ops server_control_ops = {
	.received = server_control_received,
	.error = server_control_error,
};

/* server_stop - SIGTERM: stop taking work, finish, exit */

static void
server_stop(uv_signal_t *sig, int signo)
{
	struct server *sv = sig->data;

	if (sv->stopping)
		return;
	sv->stopping = 1;
	if (sv->ops->stop)
		sv->ops->stop(sv);
	else
		server_exit(sv, 0);
	(void) signo;
}

/* server_rotate - SIGUSR1: roll the mail log over */

static void
server_rotate(uv_signal_t *sig, int signo)
{
	struct server *sv = sig->data;

	sv->ops->rotate(sv);
	(void) signo;
}

/* server_exit - end the loop */

void
server_exit(struct server *sv, int status)
{
	sv->status = status;
	uv_stop(sv->loop);
}

/* server_fd_open - is a descriptor of the fixed layout present */

static int
server_fd_open(int fd)
{
	return (fcntl(fd, F_GETFD) != -1);
}

/* server_close_walk - close every handle left when the loop ends */

static void
server_close_walk(uv_handle_t *handle, void *arg)
{
	(void) arg;
	if (!uv_is_closing(handle))
		uv_close(handle, NULL);
}

/* server_main - run a child role */

int
server_main(const struct mta_args *args, struct conf *cf,
    const struct server_ops *ops)
{
	struct server sv;
	struct buf *err = buf_new(0);
	struct ipc_msg *ready;
	static char name[64];

	(void) snprintf(name, sizeof(name), "mtad/%s", ops->role);
	msg_progname(name);
	memset(&sv, 0, sizeof(sv));
	sv.ops = ops;
	sv.args = args;
	sv.cf = cf;
	(void) signal(SIGPIPE, SIG_IGN);
	(void) signal(SIGHUP, SIG_IGN);		/* the master reloads us */
	if (!server_fd_open(MTA_FD_CONTROL))
		msg_fatal("no control channel on fd %d: the %s role is started "
		    "by the master, not by hand", MTA_FD_CONTROL, ops->role);
	(void) fcntl(MTA_FD_SEQ, F_SETFD, FD_CLOEXEC);
	if (server_fd_open(MTA_FD_CONF))
		(void) fcntl(MTA_FD_CONF, F_SETFD, FD_CLOEXEC);
	if ((sv.seq = seq_adopt(MTA_FD_SEQ, err)) == NULL)
		msg_fatal("%s", err->data);
	if (server_fd_open(MTA_FD_IPTAB)) {
		(void) fcntl(MTA_FD_IPTAB, F_SETFD, FD_CLOEXEC);
		if ((sv.iptab = iptab_adopt(MTA_FD_IPTAB, err)) == NULL)
			msg_fatal("%s", err->data);
	}

	if (ops->pre_jail)
		ops->pre_jail(&sv);
	if (geteuid() == 0 && cf->user[0]) {
		uid_t	uid;
		gid_t	gid;

		if (privs_lookup(cf->user, &uid, &gid, err) != 0)
			msg_fatal("user: %s", err->data);
		privs_drop(uid, gid);
	}

	sv.loop = uv_default_loop();
	sv.control = ipc_chan_open(sv.loop, MTA_FD_CONTROL,
	    &server_control_ops, &sv);
	(void) uv_signal_init(sv.loop, &sv.sig_term);
	sv.sig_term.data = &sv;
	(void) uv_signal_start(&sv.sig_term, server_stop, SIGTERM);
	if (ops->rotate) {
		(void) uv_signal_init(sv.loop, &sv.sig_usr1);
		sv.sig_usr1.data = &sv;
		(void) uv_signal_start(&sv.sig_usr1, server_rotate, SIGUSR1);
	}
	if (ops->post_jail)
		ops->post_jail(&sv);

	ready = ipc_msg_new(MTA_T_READY);
	ipc_put_u64(ready, MTA_K_VERSION, MTA_PROTO_VERSION);
	ipc_put_cstr(ready, MTA_K_ROLE, ops->role);
	ipc_put_u64(ready, MTA_K_PID, (uint64_t) getpid());
	if (ipc_chan_send(sv.control, ready) != 0)
		msg_fatal("cannot tell the master I am ready: %m");
	(void) uv_run(sv.loop, UV_RUN_DEFAULT);

	ipc_chan_close(sv.control);
	uv_walk(sv.loop, server_close_walk, NULL);
	(void) uv_run(sv.loop, UV_RUN_DEFAULT);
	(void) uv_loop_close(sv.loop);
	seq_close(sv.seq);
	iptab_close(sv.iptab);
	conf_free(sv.cf);
	buf_free(err);
	return (sv.status);
}
