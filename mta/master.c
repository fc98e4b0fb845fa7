/*
 * NAME
 *	master - the supervisor: binds, spawns, restarts, reloads, stops
 * DESCRIPTION
 *	See master.h for what the master does; this file is how. The
 *	children of one role share a restart policy (struct master_role);
 *	each running process is a struct master_child. Everything happens
 *	on one libuv loop: process exits, signals, timers and the control
 *	channels.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "buf.h"
#include "ipc.h"
#include "iptab.h"
#include "mem.h"
#include "msg.h"
#include "privs.h"
#include "seq.h"

#include "conf.h"

#include "certs_conf.h"
#include "certs_demo.h"

#include "policy_conf.h"

#include "master.h"
#include "mta_proto.h"

#define MASTER_IPTAB_SIZE	65536

/* One role: how many processes, and its restart history. */
struct master_role {
	struct master *ms;
	const char *name;		/* "qmgr", "listener", "delivery" */
	int	wanted;			/* processes to keep running */
	int	running;		/* processes of this generation */
	int	quick_failures;		/* quick exits in a row */
	uv_timer_t restart_timer;	/* delayed (throttled) starts */
	int	timer_armed;
};

struct master_child {
	struct master *ms;
	struct master_role *role;
	int	slot;			/* listeners: iptab slot, else -1 */
	uv_process_t proc;
	struct ipc_chan *control;
	int	generation;
	int	ready;
	uint64_t start_ms;
	struct master_child *next;
};

/* A queue manager's end of a channel, waiting for a ready queue manager. */
struct master_peer {
	int	fd;
	const char *role;		/* the other end's: "listener" ... */
};

/* A bound listening socket, kept across reloads by address and port. */
struct master_socket {
	char   *key;			/* "address port" */
	int	fd;
};

struct master {
	uv_loop_t *loop;
	const struct mta_args *args;
	struct conf *cf;
	int	conf_fd;		/* the checked text, or -1: default */
	char	exe[4096];
	struct seq *seq;
	struct iptab *iptab;
	struct master_socket *sockets;	/* one per listener, config order */
	size_t	socket_count;
	struct master_role qmgr;
	struct master_role listener;
	struct master_role delivery;
	struct master_child *children;
	struct master_child *qmgr_child;
	struct master_peer *pending_peers;
	size_t	pending_count;
	int	generation;
	int	stopping;
	int	exit_status;
	uv_signal_t sig_hup;
	uv_signal_t sig_term;
	uv_signal_t sig_int;
	uv_signal_t sig_usr1;
	uv_timer_t stop_timer;
	uid_t	uid;
	gid_t	gid;
	int	drop;			/* children drop to uid/gid */
	unsigned char slot_used[IPTAB_SLOTS];
};

static void master_start(struct master *, struct master_role *);

/* master_now_ms - loop time in milliseconds */

static uint64_t
master_now_ms(struct master *ms)
{
	return (uv_now(ms->loop));
}

/* master_mkdir - create dir and its parents; own it when dropping */

static void
master_mkdir(struct master *ms, const char *dir, mode_t mode)
{
	char   *copy = mem_strdup(dir);
	char   *parent = dirname(copy);
	struct stat st;

	if (strcmp(parent, dir) != 0 && strcmp(parent, ".") != 0
	    && stat(parent, &st) == -1)
		master_mkdir(ms, parent, 0755);
	mem_free(copy);
	if (mkdir(dir, mode) == -1 && errno != EEXIST)
		msg_fatal("create directory %s: %m", dir);
	if (ms->drop && chown(dir, ms->uid, ms->gid) == -1)
		msg_fatal("chown %s: %m", dir);
}

/*
 * master_fd_limit - as many descriptors as the system allows: every
 * session is one, and the children inherit the limit
 */
static void
master_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		msg_warn("cannot raise the descriptor limit to %llu: %m",
		    (unsigned long long) rl.rlim_max);
}

/* master_cert_warnings - demo, expiring or misnamed certificates */

static void
master_cert_warnings(const struct conf *cf)
{
	struct buf *out = buf_new(0);
	char   *line, *next;

	(void) certs_conf_warnings(cf, time(NULL), out);
	for (line = out->data; line && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = 0;
		msg_warn("%s", line);
	}
	buf_free(out);
}

/* master_prepare - directories, certificates, shared state */

static void
master_prepare(struct master *ms)
{
	struct conf *cf = ms->cf;
	struct buf *err = buf_new(0);
	struct buf *path = buf_new(0);
	char   *copy;
	size_t	i;

	master_mkdir(ms, cf->spool_dir, 0700);
	copy = mem_strdup(cf->log.mail_log);
	master_mkdir(ms, dirname(copy), 0750);
	mem_free(copy);
	for (i = 0; i < cf->cert_count; i++) {
		const struct conf_cert *cc = cf->certs + i;

		if (!cc->generate)
			continue;
		copy = mem_strdup(cc->cert);
		master_mkdir(ms, dirname(copy), 0755);
		mem_free(copy);
		if (certs_demo_ensure(cc->cert, cc->key, cf->hostname, err) != 0)
			msg_fatal("certificate \"%s\": %s", cc->name, err->data);
	}
	master_cert_warnings(cf);
	buf_printf(path, "%s/seq", cf->spool_dir);
	if ((ms->seq = seq_open(path->data, err)) == NULL)
		msg_fatal("%s", err->data);
	if (ms->drop && fchown(seq_fd(ms->seq), ms->uid, ms->gid) == -1)
		msg_fatal("chown %s: %m", path->data);
	if ((ms->iptab = iptab_create(MASTER_IPTAB_SIZE, err)) == NULL)
		msg_fatal("%s", err->data);
	buf_free(path);
	buf_free(err);
}

/* master_bind_one - a listening socket for address and port */

static int
master_bind_one(const char *address, int port, struct buf *err)
{
	struct addrinfo hints, *res;
	char	service[16];
	int	one = 1;
	int	fd;
	int	rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	(void) snprintf(service, sizeof(service), "%d", port);
	if ((rc = getaddrinfo(address, service, &hints, &res)) != 0) {
		buf_printf(err, "%s port %d: %s", address, port,
		    gai_strerror(rc));
		return (-1);
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC
	    | SOCK_NONBLOCK, 0);
	if (fd == -1
	    || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1
	    || bind(fd, res->ai_addr, res->ai_addrlen) == -1
	    || listen(fd, 1024) == -1) {
		buf_printf(err, "listen on %s port %d: %s", address, port,
		    strerror(errno));
		if (fd != -1)
			(void) close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return (fd);
}

/* master_bind - sockets for every listener, reusing the old ones */

static int
master_bind(struct master *ms, struct conf *cf, struct buf *err)
{
	struct master_socket *next;
	size_t	i, j;

	next = mem_zalloc(cf->listener_count + 1, sizeof(*next));
	for (i = 0; i < cf->listener_count; i++) {
		struct buf *key = buf_new(0);

		buf_printf(key, "%s %d", cf->listeners[i].address,
		    cf->listeners[i].port);
		next[i].key = buf_steal(key);
		buf_free(key);
		next[i].fd = -1;
		for (j = 0; j < ms->socket_count; j++) {
			if (ms->sockets[j].fd != -1
			    && strcmp(ms->sockets[j].key, next[i].key) == 0) {
				next[i].fd = ms->sockets[j].fd;
				ms->sockets[j].fd = -1;
				break;
			}
		}
		if (next[i].fd == -1)
			next[i].fd = master_bind_one(cf->listeners[i].address,
			    cf->listeners[i].port, err);
		if (next[i].fd == -1) {
			/* Give the reused sockets back; drop the new ones. */
			for (j = 0; j <= i; j++) {
				size_t	k;

				for (k = 0; k < ms->socket_count; k++)
					if (strcmp(ms->sockets[k].key,
					    next[j].key) == 0
					    && ms->sockets[k].fd == -1) {
						ms->sockets[k].fd = next[j].fd;
						next[j].fd = -1;
					}
				if (next[j].fd != -1)
					(void) close(next[j].fd);
				mem_free(next[j].key);
			}
			mem_free(next);
			return (-1);
		}
	}
	for (j = 0; j < ms->socket_count; j++) {
		if (ms->sockets[j].fd != -1)
			(void) close(ms->sockets[j].fd);
		mem_free(ms->sockets[j].key);
	}
	mem_free(ms->sockets);
	ms->sockets = next;
	ms->socket_count = cf->listener_count;
	return (0);
}

/* master_flush_peers - hand waiting channel ends to a ready qmgr */

static void
master_flush_peers(struct master *ms)
{
	size_t	i;

	/* A qmgr whose channel broke is dying: its exit drops the peers. */
	if (ms->qmgr_child == NULL || !ms->qmgr_child->ready
	    || ms->qmgr_child->control == NULL)
		return;
	for (i = 0; i < ms->pending_count; i++) {
		struct ipc_msg *m = ipc_msg_new(MTA_T_PEER);

		ipc_put_cstr(m, MTA_K_ROLE, ms->pending_peers[i].role);
		ipc_msg_attach_fd(m, ms->pending_peers[i].fd);
		if (ipc_chan_send(ms->qmgr_child->control, m) != 0)
			msg_warn("cannot pass a channel to the queue manager: "
			    "%s", strerror(errno));
	}
	ms->pending_count = 0;
}

/* master_drop_peers - close channel ends no queue manager will get */

static void
master_drop_peers(struct master *ms)
{
	size_t	i;

	for (i = 0; i < ms->pending_count; i++)
		(void) close(ms->pending_peers[i].fd);
	ms->pending_count = 0;
}

/* master_control_received - a message from a child */

static void
master_control_received(struct ipc_chan *ch, struct ipc_msg *m, void *ctx)
{
	struct master_child *mc = ctx;
	uint64_t version = 0;

	if (ipc_msg_type(m) != MTA_T_READY
	    || ipc_get_u64(m, MTA_K_VERSION, &version) != IPC_FOUND
	    || version != MTA_PROTO_VERSION) {
		msg_warn("%s pid %d: unexpected control message type %u "
		    "(version %llu): stopping it", mc->role->name,
		    mc->proc.pid, ipc_msg_type(m), (unsigned long long) version);
		(void) uv_process_kill(&mc->proc, SIGKILL);
		ipc_msg_free(m);
		return;
	}
	ipc_msg_free(m);
	mc->ready = 1;
	if (mc->role == &mc->ms->qmgr)
		master_flush_peers(mc->ms);
	(void) ch;
}

/* master_control_error - a child's control channel broke */

static void
master_control_error(struct ipc_chan *ch, int err, const char *why,
    void *ctx)
{
	struct master_child *mc = ctx;

	if (err == EPROTO)
		msg_warn("%s pid %d: control channel: %s", mc->role->name,
		    mc->proc.pid, why);
	ipc_chan_close(ch);
	mc->control = NULL;
	mc->ready = 0;
}

static const struct ipc_chan_ops master_control_ops = {
	.received = master_control_received,
	.error = master_control_error,
};

/* master_child_free - release a child after its handle closed */

static void
master_child_closed(uv_handle_t *handle)
{
	mem_free(handle->data);
}

/* master_unlink - remove a child from the list */

static void
master_unlink(struct master *ms, struct master_child *mc)
{
	struct master_child **pp;

	for (pp = &ms->children; *pp; pp = &(*pp)->next) {
		if (*pp == mc) {
			*pp = mc->next;
			return;
		}
	}
}

/* master_finish_stop - the last child is gone */

static void
master_finish_stop(struct master *ms)
{
	uv_stop(ms->loop);
}

/* master_restart_timer - a throttled role may start again */

static void
master_restart_timer(uv_timer_t *timer)
{
	struct master_role *role = timer->data;

	role->timer_armed = 0;
	master_start(role->ms, role);
}

/* master_exited - a child process ended */

static void
master_exited(uv_process_t *proc, int64_t status, int signo)
{
	struct master_child *mc = proc->data;
	struct master *ms = mc->ms;
	struct master_role *role = mc->role;
	int	current = mc->generation == ms->generation;

	if (signo && !(ms->stopping && signo == SIGTERM))
		msg_warn("%s pid %d killed by signal %d", role->name, proc->pid,
		    signo);
	else if (status != 0 && !ms->stopping)
		msg_warn("%s pid %d exit status %lld", role->name, proc->pid,
		    (long long) status);
	else if (msg_verbose)
		msg_info("%s pid %d exited", role->name, proc->pid);
	if (mc->control)
		ipc_chan_close(mc->control);
	if (mc->slot >= 0) {
		/* Connections it counted died with it. */
		iptab_slot_clear(ms->iptab, (unsigned) mc->slot);
		ms->slot_used[mc->slot] = 0;
	}
	master_unlink(ms, mc);
	if (current)
		role->running--;
	if (mc == ms->qmgr_child) {
		ms->qmgr_child = NULL;
		master_drop_peers(ms);
	}
	if (!ms->stopping && current) {
		if (master_now_ms(ms) - mc->start_ms < MASTER_QUICK_EXIT * 1000)
			role->quick_failures++;
		else
			role->quick_failures = 0;
	}
	uv_close((uv_handle_t *) proc, master_child_closed);

	if (ms->stopping) {
		struct master_child *c;
		int	others = 0;

		for (c = ms->children; c; c = c->next)
			if (c != ms->qmgr_child)
				others++;
		if (others == 0 && ms->qmgr_child)
			(void) uv_process_kill(&ms->qmgr_child->proc, SIGTERM);
		if (ms->children == NULL)
			master_finish_stop(ms);
		return;
	}
	if (!current)
		return;
	if (role->quick_failures >= MASTER_QUICK_LIMIT) {
		if (!role->timer_armed) {
			msg_warn("%s processes keep exiting right after "
			    "start: throttling, next start in %d seconds",
			    role->name, MASTER_THROTTLE);
			role->timer_armed = 1;
			(void) uv_timer_start(&role->restart_timer,
			    master_restart_timer, MASTER_THROTTLE * 1000, 0);
		}
		return;
	}
	master_start(ms, role);
}

/* master_spawn - start one process of a role */

static int
master_spawn(struct master *ms, struct master_role *role)
{
	struct master_child *mc = mem_zalloc(1, sizeof(*mc));
	uv_process_options_t opts;
	uv_stdio_container_t *stdio;
	int	control[2] = {-1, -1};
	int	peer[2] = {-1, -1};
	int	is_listener = role == &ms->listener;
	int	has_peer = is_listener || role == &ms->delivery;
	size_t	nstdio = MTA_FD_LISTEN + (is_listener ? ms->socket_count : 0);
	char  **argv;
	size_t	i;
	int	rc;

	mc->slot = -1;
	if (is_listener) {
		for (i = 0; i < IPTAB_SLOTS && ms->slot_used[i]; i++)
			;
		if (i == IPTAB_SLOTS) {
			msg_warn("more than %d listener processes", IPTAB_SLOTS);
			mem_free(mc);
			return (-1);
		}
		mc->slot = (int) i;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) == -1
	    || (has_peer && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
	    0, peer) == -1)) {
		msg_warn("socketpair: %m");
		goto fail;
	}
	stdio = mem_zalloc(nstdio, sizeof(*stdio));
	for (i = 0; i < 3; i++) {
		stdio[i].flags = UV_INHERIT_FD;
		stdio[i].data.fd = (int) i;
	}
	stdio[MTA_FD_CONTROL].flags = UV_INHERIT_FD;
	stdio[MTA_FD_CONTROL].data.fd = control[1];
	stdio[MTA_FD_QMGR].flags = has_peer ? UV_INHERIT_FD : UV_IGNORE;
	stdio[MTA_FD_QMGR].data.fd = peer[1];
	stdio[MTA_FD_SEQ].flags = UV_INHERIT_FD;
	stdio[MTA_FD_SEQ].data.fd = seq_fd(ms->seq);
	stdio[MTA_FD_IPTAB].flags = UV_INHERIT_FD;
	stdio[MTA_FD_IPTAB].data.fd = iptab_fd(ms->iptab);
	stdio[MTA_FD_CONF].flags = ms->conf_fd >= 0 ? UV_INHERIT_FD : UV_IGNORE;
	stdio[MTA_FD_CONF].data.fd = ms->conf_fd;
	for (i = 0; is_listener && i < ms->socket_count; i++) {
		stdio[MTA_FD_LISTEN + i].flags = UV_INHERIT_FD;
		stdio[MTA_FD_LISTEN + i].data.fd = ms->sockets[i].fd;
	}
	argv = mta_args_child_argv(ms->args, ms->exe, role->name, mc->slot);
	memset(&opts, 0, sizeof(opts));
	opts.file = ms->exe;
	opts.args = argv;
	opts.exit_cb = master_exited;
	opts.stdio_count = (int) nstdio;
	opts.stdio = stdio;
	mc->proc.data = mc;
	rc = uv_spawn(ms->loop, &mc->proc, &opts);
	for (i = 0; argv[i]; i++)
		mem_free(argv[i]);
	mem_free(argv);
	mem_free(stdio);
	(void) close(control[1]);
	if (peer[1] != -1)
		(void) close(peer[1]);
	if (rc != 0) {
		msg_warn("cannot start %s: %s", role->name, uv_strerror(rc));
		(void) close(control[0]);
		if (peer[0] != -1)
			(void) close(peer[0]);
		mem_free(mc);
		return (-1);
	}
	mc->ms = ms;
	mc->role = role;
	if (mc->slot >= 0)
		ms->slot_used[mc->slot] = 1;
	mc->generation = ms->generation;
	mc->start_ms = master_now_ms(ms);
	mc->control = ipc_chan_open(ms->loop, control[0], &master_control_ops,
	    mc);
	mc->next = ms->children;
	ms->children = mc;
	role->running++;
	if (role == &ms->qmgr)
		ms->qmgr_child = mc;
	if (has_peer) {
		ms->pending_peers = mem_realloc(ms->pending_peers,
		    ms->pending_count + 1, sizeof(*ms->pending_peers));
		ms->pending_peers[ms->pending_count].fd = peer[0];
		ms->pending_peers[ms->pending_count++].role = role->name;
		master_flush_peers(ms);
	}
	if (msg_verbose)
		msg_info("started %s pid %d", role->name, mc->proc.pid);
	return (0);
fail:
	if (control[0] != -1) {
		(void) close(control[0]);
		(void) close(control[1]);
	}
	mem_free(mc);
	return (-1);
}

/* master_start - bring a role up to its wanted number of processes */

static void
master_start(struct master *ms, struct master_role *role)
{
	while (!ms->stopping && role->running < role->wanted) {
		if (master_spawn(ms, role) != 0) {
			if (!role->timer_armed) {
				role->timer_armed = 1;
				(void) uv_timer_start(&role->restart_timer,
				    master_restart_timer,
				    MASTER_THROTTLE * 1000, 0);
			}
			return;
		}
	}
}

/* master_signal_children - signal every child of a role (NULL: all) */

static void
master_signal_children(struct master *ms, struct master_role *role,
    int generation, int signo)
{
	struct master_child *mc;

	for (mc = ms->children; mc; mc = mc->next)
		if ((role == NULL || mc->role == role)
		    && (generation < 0 || mc->generation == generation))
			(void) uv_process_kill(&mc->proc, signo);
}

/* master_stop_timer - listeners did not drain in time */

static void
master_stop_timer(uv_timer_t *timer)
{
	struct master *ms = timer->data;

	msg_warn("listeners did not stop within %d seconds: killing them",
	    MASTER_STOP_GRACE);
	master_signal_children(ms, &ms->listener, -1, SIGKILL);
	master_signal_children(ms, &ms->delivery, -1, SIGKILL);
}

/* master_stop - SIGTERM or SIGINT */

static void
master_stop(uv_signal_t *sig, int signo)
{
	struct master *ms = sig->data;

	if (ms->stopping)
		return;
	msg_info("stopping on signal %d", signo);
	ms->stopping = 1;
	uv_timer_stop(&ms->qmgr.restart_timer);
	uv_timer_stop(&ms->listener.restart_timer);
	uv_timer_stop(&ms->delivery.restart_timer);
	if (ms->children == NULL) {
		master_finish_stop(ms);
		return;
	}
	if (ms->children == ms->qmgr_child && ms->qmgr_child->next == NULL)
		(void) uv_process_kill(&ms->qmgr_child->proc, SIGTERM);
	master_signal_children(ms, &ms->listener, -1, SIGTERM);
	master_signal_children(ms, &ms->delivery, -1, SIGTERM);
	(void) uv_timer_start(&ms->stop_timer, master_stop_timer,
	    MASTER_STOP_GRACE * 1000, 0);
}

/* master_snapshot - hand children this text from now on */

static int
master_snapshot(struct master *ms, const struct buf *text, struct buf *err)
{
	int	fd = -1;

	if (text && (fd = mta_args_snapshot(text, err)) < 0)
		return (-1);
	if (ms->conf_fd >= 0)
		(void) close(ms->conf_fd);
	ms->conf_fd = fd;
	return (0);
}

/* master_reload_qmgr - give the queue manager the new configuration */

static void
master_reload_qmgr(struct master *ms)
{
	struct ipc_msg *m;
	int	fd;

	if (ms->qmgr_child == NULL || ms->qmgr_child->control == NULL)
		return;
	ms->qmgr_child->generation = ms->generation;
	if (ms->conf_fd < 0 || (fd = dup(ms->conf_fd)) == -1)
		return;
	m = ipc_msg_new(MTA_T_RELOAD);
	ipc_msg_attach_fd(m, fd);
	if (ipc_chan_send(ms->qmgr_child->control, m) != 0)
		msg_warn("cannot pass the new configuration to the queue "
		    "manager: %s", strerror(errno));
}

/* master_reload - SIGHUP */

static void
master_reload(uv_signal_t *sig, int signo)
{
	struct master *ms = sig->data;
	struct buf *err = buf_new(0);
	struct buf *text = NULL;
	struct conf *cf;
	int	old;

	if (ms->stopping) {
		buf_free(err);
		return;
	}
	if ((cf = mta_args_load(ms->args, -1, &text, err)) == NULL
	    || policy_conf_check(cf, err) != 0) {
		cf = conf_free(cf);
		msg_error("reload: configuration has errors, keeping the "
		    "running one:\n%s", err->data);
		buf_free(text);
		buf_free(err);
		return;
	}
	if (master_bind(ms, cf, err) != 0 || master_snapshot(ms, text, err)
	    != 0) {
		msg_error("reload: %s; keeping the running configuration",
		    err->data);
		conf_free(cf);
		buf_free(text);
		buf_free(err);
		return;
	}
	msg_info("reloading configuration");
	master_cert_warnings(cf);
	conf_free(ms->cf);
	ms->cf = cf;
	old = ms->generation++;
	ms->listener.running = 0;
	ms->listener.quick_failures = 0;
	ms->listener.wanted = cf->processes.listeners;
	ms->delivery.running = 0;
	ms->delivery.quick_failures = 0;
	ms->delivery.wanted = cf->processes.delivery;
	master_reload_qmgr(ms);
	master_signal_children(ms, &ms->listener, old, SIGTERM);
	master_signal_children(ms, &ms->delivery, old, SIGTERM);
	master_start(ms, &ms->listener);
	master_start(ms, &ms->delivery);
	buf_free(text);
	buf_free(err);
	(void) signo;
}

/* master_rotate - SIGUSR1: one listener rolls the shared mail log */

static void
master_rotate(uv_signal_t *sig, int signo)
{
	struct master *ms = sig->data;
	struct master_child *mc;

	for (mc = ms->children; mc; mc = mc->next) {
		if (mc->role == &ms->listener && mc->ready
		    && mc->generation == ms->generation) {
			(void) uv_process_kill(&mc->proc, SIGUSR1);
			return;
		}
	}
	msg_warn("no listener is running to roll the mail log over");
	(void) signo;
}

/* master_role_init - a role and its restart timer */

static void
master_role_init(struct master *ms, struct master_role *role,
    const char *name, int wanted)
{
	memset(role, 0, sizeof(*role));
	role->ms = ms;
	role->name = name;
	role->wanted = wanted;
	(void) uv_timer_init(ms->loop, &role->restart_timer);
	role->restart_timer.data = role;
}

/* master_close_walk - close every handle left when the loop ends */

static void
master_close_walk(uv_handle_t *handle, void *arg)
{
	(void) arg;
	if (!uv_is_closing(handle))
		uv_close(handle, NULL);
}

/* master_main - run the master */

int
master_main(const struct mta_args *args, struct conf *cf, struct buf *text)
{
	struct master ms;
	struct buf *err = buf_new(0);
	size_t	exe_len = sizeof(ms.exe);
	size_t	i;

	memset(&ms, 0, sizeof(ms));
	ms.args = args;
	ms.cf = cf;
	ms.conf_fd = -1;
	ms.loop = uv_default_loop();
	if (master_snapshot(&ms, text, err) != 0)
		msg_fatal("%s", err->data);
	buf_free(text);
	if (uv_exepath(ms.exe, &exe_len) != 0)
		msg_fatal("cannot find my own program file");
	if (geteuid() == 0 && cf->user[0]) {
		if (privs_lookup(cf->user, &ms.uid, &ms.gid, err) != 0)
			msg_fatal("user: %s", err->data);
		ms.drop = 1;
	}
	(void) signal(SIGPIPE, SIG_IGN);
	master_fd_limit();
	master_prepare(&ms);
	if (master_bind(&ms, cf, err) != 0)
		msg_fatal("%s", err->data);
	master_role_init(&ms, &ms.qmgr, "qmgr", 1);
	master_role_init(&ms, &ms.listener, "listener",
	    cf->processes.listeners);
	master_role_init(&ms, &ms.delivery, "delivery",
	    cf->processes.delivery);
	(void) uv_timer_init(ms.loop, &ms.stop_timer);
	ms.stop_timer.data = &ms;
	(void) uv_signal_init(ms.loop, &ms.sig_hup);
	(void) uv_signal_init(ms.loop, &ms.sig_term);
	(void) uv_signal_init(ms.loop, &ms.sig_int);
	(void) uv_signal_init(ms.loop, &ms.sig_usr1);
	ms.sig_hup.data = ms.sig_term.data = ms.sig_int.data = &ms;
	ms.sig_usr1.data = &ms;
	(void) uv_signal_start(&ms.sig_usr1, master_rotate, SIGUSR1);
	(void) uv_signal_start(&ms.sig_hup, master_reload, SIGHUP);
	(void) uv_signal_start(&ms.sig_term, master_stop, SIGTERM);
	(void) uv_signal_start(&ms.sig_int, master_stop, SIGINT);

	for (i = 0; i < cf->listener_count; i++)
		msg_info("listener %s on %s port %d", cf->listeners[i].name,
		    cf->listeners[i].address, cf->listeners[i].port);
	msg_info("mail log: %s", cf->log.mail_log);
	msg_info("spool: %s", cf->spool_dir);
	master_start(&ms, &ms.qmgr);
	master_start(&ms, &ms.listener);
	master_start(&ms, &ms.delivery);
	(void) uv_run(ms.loop, UV_RUN_DEFAULT);

	uv_walk(ms.loop, master_close_walk, NULL);
	(void) uv_run(ms.loop, UV_RUN_DEFAULT);
	for (i = 0; i < ms.socket_count; i++) {
		(void) close(ms.sockets[i].fd);
		mem_free(ms.sockets[i].key);
	}
	mem_free(ms.sockets);
	mem_free(ms.pending_peers);
	seq_close(ms.seq);
	iptab_close(ms.iptab);
	if (ms.conf_fd >= 0)
		(void) close(ms.conf_fd);
	conf_free(ms.cf);
	buf_free(err);
	msg_info("stopped");
	return (ms.exit_status);
}
