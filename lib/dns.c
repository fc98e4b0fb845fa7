/*
 * NAME
 *	dns - asynchronous DNS lookups (c-ares driven from a libuv loop)
 * DESCRIPTION
 *	See dns.h for the contract. How it is built:
 *
 *	One public lookup is one struct dns_query. It sends one or more
 *	c-ares queries (struct dns_req, one per record type and name),
 *	and counts those whose answers still matter in q->pending; q->holds
 *	keeps it from finishing while it is still sending. When nothing is
 *	pending, the lookup's result is built and delivered.
 *
 *	c-ares 1.18 cannot cancel one query, so a lookup that is cancelled
 *	or delivered is only marked dead: the answers of its queries are
 *	dropped when they come, and its memory goes when the last one has
 *	come (q->outstanding counts them).
 *
 *	A callback must never run inside the dns_lookup_*() call that
 *	started it (the caller does not hold the handle yet). c-ares may
 *	answer at once (a bad name, no server), so a lookup that finishes
 *	while dns->submit_depth is set is put on dns->ready and delivered
 *	from an idle handle in the next loop iteration.
 *
 *	ares_destroy() and ares_cancel() must not run inside a c-ares
 *	callback (c-ares still holds the query it is calling back for):
 *	dns->ares_depth counts the c-ares calls on the stack, dns_free()
 *	defers the teardown of the channel until the outermost returns,
 *	and dns_cancel_all() then leaves the c-ares queries to drain.
 *
 *	Poll handles are not referenced: the timer, armed whenever c-ares
 *	has a query outstanding, is what keeps the loop alive.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ares.h>
#include <uv.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "dns.h"

#define DNS_TIMEOUT_MS	5000
#define DNS_TRIES	2
#define DNS_EDNS_SIZE	1232	/* no fragmentation (DNS flag day 2020) */
#define DNS_NAME_MAX	253
#define DNS_INFLIGHT	128	/* c-ares queries in flight at most */

#ifndef T_A
#define T_A		1
#define T_PTR		12
#define T_MX		15
#define T_TXT		16
#define T_AAAA		28
#endif
#ifndef C_IN
#define C_IN		1
#endif

/* Doubly linked ring; an element removes itself without its head. */

struct dns_ring {
	struct dns_ring *next;
	struct dns_ring *prev;
};

enum dns_kind {
	DNS_K_ADDR,
	DNS_K_DNSL,
	DNS_K_MX,
	DNS_K_TXT,
	DNS_K_PTR,
	DNS_K_VERIFY,
};

enum dns_state {
	DNS_Q_ACTIVE,			/* waiting for answers */
	DNS_Q_READY,			/* result built, callback deferred */
	DNS_Q_CANCELLING,		/* dns_cancel_all() will call back */
	DNS_Q_DEAD,			/* no callback any more */
};

/* The addresses of one name, merged over its A and AAAA answers. */

struct dns_aset {
	struct dns_addr *addrs;
	size_t	naddrs;
	size_t	size;
	enum dns_error perm;		/* NONE, NODATA or NXDOMAIN */
	enum dns_error temp;		/* first temporary error, or NONE */
};

struct dns_sock {
	struct dns *dns;
	uv_poll_t poll;
	ares_socket_t fd;
	struct dns_sock *next;
};

struct dns_req;

struct dns {
	uv_loop_t *loop;
	ares_channel channel;
	uv_timer_t timer;
	uv_idle_t idle;
	struct dns_sock *socks;		/* sockets c-ares asked us to watch */
	struct dns_ring queries;	/* active and cancelling lookups */
	struct dns_ring ready;		/* finished, callback deferred */
	struct dns_req *wait_head;	/* queries not yet given to c-ares */
	struct dns_req **wait_tail;
	unsigned inflight;		/* queries given to c-ares */
	unsigned max_inflight;
	bool	draining;		/* dns_send_waiting() is running */
	unsigned long seq;		/* serial of the next lookup */
	uint64_t rand;			/* xorshift state: MX tie shuffle */
	int	flags;
	int	submit_depth;		/* inside a dns_lookup_*() call */
	int	ares_depth;		/* inside a c-ares call */
	bool	freeing;		/* dns_free() was called */
	bool	destroy_deferred;	/* tear down when ares_depth drops */
	bool	destroyed;		/* channel gone, handles closing */
	int	nclosing;		/* handles not yet closed */
};

struct dns_query {
	struct dns *dns;
	struct dns_ring link;		/* on dns->queries or dns->ready */
	unsigned long seq;
	enum dns_kind kind;
	enum dns_state state;
	int	family;			/* addresses wanted */
	dns_result_fn cb;
	dns_verify_fn vcb;
	void   *ctx;
	int	outstanding;		/* c-ares queries not yet answered */
	int	pending;		/* answers that still matter */
	int	holds;			/* do not finish yet */
	bool	in_cb;			/* its callback is running */
	enum dns_error fail;		/* failed before anything was sent */
	char   *name;
	struct dns_result res;
	struct dns_aset aset;		/* addr, dnsl */
	struct dns_aset *asets;		/* one per MX host or PTR name */
	size_t	nasets;
	struct dns_addr client;		/* verify */
	size_t	matched;		/* verify: first name that maps back */
	bool	have_match;
	struct dns_verify_result vres;
};

struct dns_req {
	struct dns_query *q;
	int	type;
	size_t	index;			/* MX host or PTR name */
	char   *name;			/* while waiting */
	struct dns_req *next;		/* on dns->wait_head */
};

static void dns_query_finish(struct dns_query *);
static void dns_query_check(struct dns_query *);
static void dns_timer_cb(uv_timer_t *);
static void dns_idle_cb(uv_idle_t *);
static void dns_req_drop(struct dns_req *);

/* dns_ring_init - make an empty ring */

static void
dns_ring_init(struct dns_ring *r)
{
	r->next = r->prev = r;
}

/* dns_ring_empty - is the ring empty? */

static bool
dns_ring_empty(const struct dns_ring *r)
{
	return (r->next == r);
}

/* dns_ring_append - add an element at the tail */

static void
dns_ring_append(struct dns_ring *head, struct dns_ring *e)
{
	e->prev = head->prev;
	e->next = head;
	head->prev->next = e;
	head->prev = e;
}

/* dns_ring_remove - unlink an element from whatever ring holds it */

static void
dns_ring_remove(struct dns_ring *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	dns_ring_init(e);
}

#define DNS_RING_QUERY(r) \
	((struct dns_query *) (void *) ((char *) (r) - \
	    offsetof(struct dns_query, link)))

/* dns_error_text - the text AsyncOS prints for an error */

const char *
dns_error_text(enum dns_error error)
{
	switch (error) {
	case DNS_E_NONE:
		return ("");
	case DNS_E_NXDOMAIN:
		return ("NXDomain");
	case DNS_E_NODATA:
		return ("NoData");
	case DNS_E_BADNAME:
		return ("BadName");
	case DNS_E_NULLMX:
		return ("NullMX");
	case DNS_E_SERVFAIL:
		return ("ServFail");
	case DNS_E_REFUSED:
		return ("Refused");
	case DNS_E_TIMEOUT:
	case DNS_E_UNREACHABLE:
		return ("unable to reach nameserver on any valid IP");
	case DNS_E_BADRESP:
		return ("BadResponse");
	case DNS_E_OTHER:
		return ("Error");
	case DNS_E_CANCELLED:
		return ("Cancelled");
	}
	return ("Error");
}

/* dns_status_name - printable status, for diagnostics and tests */

const char *
dns_status_name(enum dns_status status)
{
	switch (status) {
	case DNS_FOUND:
		return ("found");
	case DNS_NOTFOUND:
		return ("not found");
	case DNS_TEMPFAIL:
		return ("temporary failure");
	case DNS_CANCELLED:
		return ("cancelled");
	}
	return ("unknown");
}

/* dns_verify_name - printable verification status */

const char *
dns_verify_name(enum dns_verify_status status)
{
	switch (status) {
	case DNS_VERIFY_OK:
		return ("verified");
	case DNS_VERIFY_NOPTR:
		return ("no PTR");
	case DNS_VERIFY_TEMPFAIL:
		return ("temporary failure");
	case DNS_VERIFY_MISMATCH:
		return ("PTR/A mismatch");
	case DNS_VERIFY_CANCELLED:
		return ("cancelled");
	}
	return ("unknown");
}

/* dns_error_permanent - does the error say the data does not exist? */

static bool
dns_error_permanent(enum dns_error error)
{
	return (error == DNS_E_NXDOMAIN || error == DNS_E_NODATA ||
	    error == DNS_E_BADNAME || error == DNS_E_NULLMX);
}

/* dns_error_status - the status class of an error */

static enum dns_status
dns_error_status(enum dns_error error)
{
	if (error == DNS_E_NONE)
		return (DNS_FOUND);
	if (error == DNS_E_CANCELLED)
		return (DNS_CANCELLED);
	if (dns_error_permanent(error))
		return (DNS_NOTFOUND);
	return (DNS_TEMPFAIL);
}

/* dns_ares_error - map a c-ares status to ours */

static enum dns_error
dns_ares_error(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return (DNS_E_NONE);
	case ARES_ENOTFOUND:
		return (DNS_E_NXDOMAIN);
	case ARES_ENODATA:
		return (DNS_E_NODATA);
	case ARES_EBADNAME:
		return (DNS_E_BADNAME);
	case ARES_ESERVFAIL:
		return (DNS_E_SERVFAIL);
	case ARES_EREFUSED:
		return (DNS_E_REFUSED);
	case ARES_ETIMEOUT:
		return (DNS_E_TIMEOUT);
	case ARES_ECONNREFUSED:
		return (DNS_E_UNREACHABLE);
	case ARES_EBADRESP:
	case ARES_EFORMERR:
	case ARES_ENOTIMP:
		return (DNS_E_BADRESP);
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		return (DNS_E_CANCELLED);
	default:
		return (DNS_E_OTHER);
	}
}

/* dns_name_valid - can this name be asked? */

static bool
dns_name_valid(const char *name, size_t len)
{
	size_t	i;
	size_t	label = 0;

	if (len == 0 || len > DNS_NAME_MAX)
		return (false);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char) name[i];

		if (ch == '.') {
			if (label == 0)
				return (false);
			label = 0;
			continue;
		}
		/* Printable ASCII; a backslash would be a c-ares escape. */
		if (ch <= 0x20 || ch >= 0x7f || ch == '\\')
			return (false);
		if (++label > 63)
			return (false);
	}
	return (label > 0);
}

/* dns_addr_set - fill a struct dns_addr from raw bytes */

static void
dns_addr_set(struct dns_addr *ap, int family, const void *raw)
{
	memset(ap, 0, sizeof(*ap));
	ap->family = family;
	if (family == AF_INET)
		memcpy(&ap->u.v4, raw, sizeof(ap->u.v4));
	else
		memcpy(&ap->u.v6, raw, sizeof(ap->u.v6));
	if (inet_ntop(family, raw, ap->text, sizeof(ap->text)) == NULL)
		msg_panic("dns_addr_set: inet_ntop: %m");
}

/* dns_addr_from_sockaddr - normalise a client address (v4-mapped: v4) */

static int
dns_addr_from_sockaddr(struct dns_addr *ap, const struct sockaddr *sa)
{
	if (sa == NULL)
		return (-1);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *) sa;

		dns_addr_set(ap, AF_INET, &sin->sin_addr);
		return (0);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *) sa;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			dns_addr_set(ap, AF_INET, sin6->sin6_addr.s6_addr + 12);
		else
			dns_addr_set(ap, AF_INET6, &sin6->sin6_addr);
		return (0);
	}
	return (-1);
}

/* dns_addr_equal - same address? */

static bool
dns_addr_equal(const struct dns_addr *a, const struct dns_addr *b)
{
	if (a->family != b->family)
		return (false);
	if (a->family == AF_INET)
		return (a->u.v4.s_addr == b->u.v4.s_addr);
	return (memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0);
}

/* dns_reverse_addr - append the reversed-address labels of ap */

static void
dns_reverse_addr(struct buf *bp, const struct dns_addr *ap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	int	i;

	if (ap->family == AF_INET) {
		p = (const unsigned char *) &ap->u.v4;
		buf_printf(bp, "%u.%u.%u.%u", p[3], p[2], p[1], p[0]);
		return;
	}
	p = ap->u.v6.s6_addr;
	for (i = 15; i >= 0; i--) {
		buf_putc(bp, hex[p[i] & 0xf]);
		buf_putc(bp, '.');
		buf_putc(bp, hex[p[i] >> 4]);
		if (i > 0)
			buf_putc(bp, '.');
	}
}

/* dns_reverse_name - reversed-address name of sa under zone */

int
dns_reverse_name(struct buf *bp, const struct sockaddr *sa, const char *zone)
{
	struct dns_addr addr;
	size_t	len;

	if (dns_addr_from_sockaddr(&addr, sa) != 0)
		return (-1);
	dns_reverse_addr(bp, &addr);
	if (zone == NULL)
		zone = addr.family == AF_INET ? "in-addr.arpa" : "ip6.arpa";
	len = strlen(zone);
	while (len > 0 && zone[len - 1] == '.')
		len--;
	if (len > 0) {
		buf_putc(bp, '.');
		buf_append(bp, zone, len);
	}
	return (0);
}

/* dns_aset_fini - release an address set */

static void
dns_aset_fini(struct dns_aset *as)
{
	as->addrs = mem_free(as->addrs);
	as->naddrs = as->size = 0;
}

/* dns_aset_push - append one address */

static void
dns_aset_push(struct dns_aset *as, int family, const void *raw)
{
	if (as->naddrs == as->size) {
		as->size = as->size ? 2 * as->size : 4;
		as->addrs = mem_realloc(as->addrs, as->size,
		    sizeof(*as->addrs));
	}
	dns_addr_set(&as->addrs[as->naddrs++], family, raw);
}

/* dns_aset_error - record an error of one of the set's lookups */

static void
dns_aset_error(struct dns_aset *as, enum dns_error error)
{
	if (dns_error_permanent(error)) {
		/* NXDOMAIN says more than NODATA: keep the strongest. */
		if (as->perm != DNS_E_NXDOMAIN)
			as->perm = error;
	} else if (as->temp == DNS_E_NONE) {
		as->temp = error;
	}
}

/* dns_aset_answer - add the A or AAAA answer of one query */

static void
dns_aset_answer(struct dns_aset *as, int type, int status,
    const unsigned char *abuf, int alen)
{
	struct hostent *he = NULL;
	enum dns_error error = dns_ares_error(status);
	size_t	before = as->naddrs;
	char  **ap;
	int	family = type == T_A ? AF_INET : AF_INET6;

	if (error == DNS_E_NONE) {
		if (type == T_A)
			status = ares_parse_a_reply(abuf, alen, &he, NULL,
			    NULL);
		else
			status = ares_parse_aaaa_reply(abuf, alen, &he, NULL,
			    NULL);
		error = dns_ares_error(status);
	}
	if (error == DNS_E_NONE) {
		for (ap = he->h_addr_list; *ap != NULL; ap++)
			if (he->h_addrtype == family)
				dns_aset_push(as, family, *ap);
		if (as->naddrs == before)
			error = DNS_E_NODATA;
	}
	if (he != NULL)
		ares_free_hostent(he);
	if (error != DNS_E_NONE)
		dns_aset_error(as, error);
}

/* dns_aset_order - A records first, each family in answer order */

static void
dns_aset_order(struct dns_aset *as)
{
	struct dns_addr *sorted;
	size_t	i;
	size_t	n = 0;

	if (as->naddrs < 2)
		return;
	sorted = mem_zalloc(as->naddrs, sizeof(*sorted));
	for (i = 0; i < as->naddrs; i++)
		if (as->addrs[i].family == AF_INET)
			sorted[n++] = as->addrs[i];
	for (i = 0; i < as->naddrs; i++)
		if (as->addrs[i].family != AF_INET)
			sorted[n++] = as->addrs[i];
	mem_free(as->addrs);
	as->addrs = sorted;
	as->size = as->naddrs;
}

/* dns_aset_error_final - the outcome of an address set */

static enum dns_error
dns_aset_error_final(const struct dns_aset *as)
{
	if (as->naddrs > 0)
		return (DNS_E_NONE);
	if (as->temp != DNS_E_NONE)
		return (as->temp);
	return (as->perm != DNS_E_NONE ? as->perm : DNS_E_NODATA);
}

/* dns_ares_enter - note that a c-ares call is on the stack */

static void
dns_ares_enter(struct dns *dns)
{
	dns->ares_depth++;
}

static void dns_destroy(struct dns *);

/* dns_ares_leave - the c-ares call returned; finish a deferred free */

static void
dns_ares_leave(struct dns *dns)
{
	if (--dns->ares_depth == 0 && dns->destroy_deferred) {
		dns->destroy_deferred = false;
		dns_destroy(dns);
	}
}

/* dns_timer_update - arm the timer for c-ares's next timeout */

static void
dns_timer_update(struct dns *dns)
{
	struct timeval tv;
	struct timeval *tvp;
	uint64_t ms;

	if (dns->freeing)
		return;
	tvp = ares_timeout(dns->channel, NULL, &tv);
	if (tvp == NULL) {
		(void) uv_timer_stop(&dns->timer);
		return;
	}
	/* Round up, so that the timer never fires before c-ares is due. */
	ms = (uint64_t) tvp->tv_sec * 1000 + ((uint64_t) tvp->tv_usec + 999) /
	    1000;
	(void) uv_timer_start(&dns->timer, dns_timer_cb, ms, 0);
}

/* dns_process - let c-ares read, write and time out */

static void
dns_process(struct dns *dns, ares_socket_t rfd, ares_socket_t wfd)
{
	dns_ares_enter(dns);
	ares_process_fd(dns->channel, rfd, wfd);
	dns_ares_leave(dns);
	dns_timer_update(dns);
}

/* dns_timer_cb - a c-ares timeout is due */

static void
dns_timer_cb(uv_timer_t *timer)
{
	dns_process(timer->data, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* dns_poll_cb - a c-ares socket is ready (or in error) */

static void
dns_poll_cb(uv_poll_t *poll, int status, int events)
{
	struct dns_sock *sp = poll->data;
	ares_socket_t rfd = ARES_SOCKET_BAD;
	ares_socket_t wfd = ARES_SOCKET_BAD;

	/* On an error, let c-ares read and write and find out itself. */
	if (status < 0 || (events & UV_READABLE))
		rfd = sp->fd;
	if (status < 0 || (events & UV_WRITABLE))
		wfd = sp->fd;
	dns_process(sp->dns, rfd, wfd);
}

/* dns_handle_closed - a handle is closed; the last one frees the dns */

static void
dns_handle_closed(struct dns *dns)
{
	if (--dns->nclosing == 0 && dns->destroyed) {
		ares_library_cleanup();
		mem_free(dns);
	}
}

/* dns_sock_closed - close callback of a socket watcher */

static void
dns_sock_closed(uv_handle_t *handle)
{
	struct dns_sock *sp = handle->data;
	struct dns *dns = sp->dns;

	mem_free(sp);
	dns_handle_closed(dns);
}

/* dns_sock_close - stop watching a socket before c-ares closes it */

static void
dns_sock_close(struct dns *dns, struct dns_sock *sp)
{
	struct dns_sock **spp;

	for (spp = &dns->socks; *spp != sp; spp = &(*spp)->next)
		if (*spp == NULL)
			msg_panic("dns_sock_close: socket %d not watched",
			    (int) sp->fd);
	*spp = sp->next;
	(void) uv_poll_stop(&sp->poll);
	dns->nclosing++;
	uv_close((uv_handle_t *) &sp->poll, dns_sock_closed);
}

/* dns_sock_state - c-ares opens, changes or closes a socket */

static void
dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns *dns = data;
	struct dns_sock *sp;
	int	events = (readable ? UV_READABLE : 0) |
	    (writable ? UV_WRITABLE : 0);
	int	err;

	for (sp = dns->socks; sp != NULL; sp = sp->next)
		if (sp->fd == fd)
			break;
	if (events == 0) {
		if (sp != NULL)
			dns_sock_close(dns, sp);
		return;
	}
	if (sp == NULL) {
		sp = mem_zalloc(1, sizeof(*sp));
		sp->dns = dns;
		sp->fd = fd;
		if ((err = uv_poll_init_socket(dns->loop, &sp->poll, fd)) != 0)
			msg_fatal("dns: cannot watch resolver socket %d: %s",
			    (int) fd, uv_strerror(err));
		sp->poll.data = sp;
		uv_unref((uv_handle_t *) &sp->poll);
		sp->next = dns->socks;
		dns->socks = sp;
	}
	if ((err = uv_poll_start(&sp->poll, events, dns_poll_cb)) != 0)
		msg_fatal("dns: cannot watch resolver socket %d: %s", (int) fd,
		    uv_strerror(err));
}

/* dns_handle_close_cb - close callback of the timer and idle handles */

static void
dns_handle_close_cb(uv_handle_t *handle)
{
	dns_handle_closed(handle->data);
}

/* dns_query_release - free a dead lookup once nothing refers to it */

static void
dns_query_release(struct dns_query *q)
{
	size_t	i;

	if (q->state != DNS_Q_DEAD || q->outstanding > 0 || q->in_cb)
		return;
	dns_aset_fini(&q->aset);
	for (i = 0; i < q->nasets; i++)
		dns_aset_fini(&q->asets[i]);
	mem_free(q->asets);
	for (i = 0; i < q->res.nmxs; i++)
		mem_free(q->res.mxs[i].host);
	mem_free(q->res.mxs);
	for (i = 0; i < q->res.ntxts; i++)
		mem_free(q->res.txts[i].data);
	mem_free(q->res.txts);
	for (i = 0; i < q->res.nnames; i++)
		mem_free(q->res.names[i]);
	mem_free(q->res.names);
	mem_free(q->name);
	mem_free(q);
}

/* dns_query_call - run the owner's callback with the lookup's result */

static void
dns_query_call(struct dns_query *q, bool cancelled)
{
	struct dns_result cres;
	struct dns_verify_result cvres;

	q->state = DNS_Q_DEAD;
	q->in_cb = true;
	if (cancelled) {
		memset(&cres, 0, sizeof(cres));
		cres.status = DNS_CANCELLED;
		cres.error = DNS_E_CANCELLED;
		cres.text = dns_error_text(DNS_E_CANCELLED);
		cres.name = q->name;
		cres.type = q->res.type;
		memset(&cvres, 0, sizeof(cvres));
		cvres.status = DNS_VERIFY_CANCELLED;
		cvres.error = DNS_E_CANCELLED;
		cvres.text = cres.text;
	}
	if (q->kind == DNS_K_VERIFY)
		q->vcb(cancelled ? &cvres : &q->vres, q->ctx);
	else
		q->cb(cancelled ? &cres : &q->res, q->ctx);
	q->in_cb = false;
	dns_query_release(q);
}

/* dns_query_deliver - hand a finished lookup to its owner, now or soon */

static void
dns_query_deliver(struct dns_query *q)
{
	struct dns *dns = q->dns;

	dns_ring_remove(&q->link);
	if (dns->submit_depth > 0) {
		/* Inside dns_lookup_*(): never call back from there. */
		q->state = DNS_Q_READY;
		dns_ring_append(&dns->ready, &q->link);
		(void) uv_idle_start(&dns->idle, dns_idle_cb);
		return;
	}
	dns_query_call(q, false);
}

/* dns_idle_cb - deliver the lookups that finished inside a submit */

static void
dns_idle_cb(uv_idle_t *idle)
{
	struct dns *dns = idle->data;
	struct dns_ring *r;
	struct dns_query *q;
	size_t	n = 0;

	/* Only those queued now: callbacks may queue more. */
	for (r = dns->ready.next; r != &dns->ready; r = r->next)
		n++;
	while (n-- > 0 && !dns->freeing && !dns_ring_empty(&dns->ready)) {
		q = DNS_RING_QUERY(dns->ready.next);
		dns_ring_remove(&q->link);
		dns_query_call(q, false);
	}
	if (!dns->freeing && dns_ring_empty(&dns->ready))
		(void) uv_idle_stop(&dns->idle);
}

/* dns_servers_parse - parse the server list into c-ares's form */

static struct ares_addr_port_node *
dns_servers_parse(const struct dns_options *opts)
{
	struct ares_addr_port_node *list = NULL;
	struct ares_addr_port_node **tail = &list;
	struct ares_addr_port_node *node;
	size_t	i;

	for (i = 0; i < opts->nservers; i++) {
		const char *spec = opts->servers[i];
		const char *host = spec;
		const char *port = NULL;
		const char *end;
		char	hostbuf[INET6_ADDRSTRLEN];
		size_t	hostlen;
		unsigned long portnum = 0;

		if (spec == NULL)
			msg_panic("dns_new: server %zu is NULL", i);
		if (*spec == '[') {
			/* "[ipv6]" or "[ipv6]:port" */
			if ((end = strchr(spec, ']')) == NULL)
				goto bad;
			host = spec + 1;
			hostlen = (size_t) (end - host);
			if (end[1] == ':')
				port = end + 2;
			else if (end[1] != 0)
				goto bad;
		} else if ((end = strchr(spec, ':')) != NULL &&
		    strchr(end + 1, ':') == NULL) {
			/* "ipv4:port" (one colon); more colons: bare IPv6 */
			hostlen = (size_t) (end - spec);
			port = end + 1;
		} else {
			hostlen = strlen(spec);
		}
		if (hostlen == 0 || hostlen >= sizeof(hostbuf))
			goto bad;
		memcpy(hostbuf, host, hostlen);
		hostbuf[hostlen] = 0;
		if (port != NULL) {
			char   *ep;

			if (*port < '0' || *port > '9')
				goto bad;
			errno = 0;
			portnum = strtoul(port, &ep, 10);
			if (errno != 0 || *ep != 0 || portnum == 0 ||
			    portnum > 65535)
				goto bad;
		}
		node = mem_zalloc(1, sizeof(*node));
		*tail = node;
		tail = &node->next;
		node->udp_port = node->tcp_port = (int) portnum;
		if (inet_pton(AF_INET, hostbuf, &node->addr.addr4) == 1)
			node->family = AF_INET;
		else if (inet_pton(AF_INET6, hostbuf, &node->addr.addr6) == 1)
			node->family = AF_INET6;
		else
			goto bad;
		continue;
bad:
		msg_error("dns: bad name server \"%s\": want ip, ip:port or "
		    "[ipv6]:port", spec);
		while ((node = list) != NULL) {
			list = node->next;
			mem_free(node);
		}
		return (NULL);
	}
	return (list);
}

/* dns_new - start a resolver on a loop */

struct dns *
dns_new(uv_loop_t *loop, const struct dns_options *opts)
{
	static const struct dns_options defaults;
	struct ares_options ao;
	struct ares_addr_port_node *servers = NULL;
	struct ares_addr_port_node *node;
	struct dns *dns;
	int	status;
	int	err;

	if (opts == NULL)
		opts = &defaults;
	if (opts->nservers > 0 &&
	    (servers = dns_servers_parse(opts)) == NULL)
		return (NULL);
	if ((status = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		msg_error("dns: cannot initialise c-ares: %s",
		    ares_strerror(status));
		goto fail_servers;
	}
	dns = mem_zalloc(1, sizeof(*dns));
	dns->loop = loop;
	dns->flags = opts->flags;
	dns->max_inflight = opts->max_inflight ? opts->max_inflight :
	    DNS_INFLIGHT;
	dns->wait_tail = &dns->wait_head;
	dns_ring_init(&dns->queries);
	dns_ring_init(&dns->ready);
	dns->rand = uv_hrtime() ^ ((uint64_t) getpid() << 32) ^
	    (uint64_t) (uintptr_t) dns;
	if (dns->rand == 0)
		dns->rand = 1;

	memset(&ao, 0, sizeof(ao));
	/*
	 * NOCHECKRESP: c-ares 1.18 would turn SERVFAIL and REFUSED into
	 * "could not contact DNS servers"; we want to tell them apart.
	 */
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_EDNS |
	    ARES_FLAG_NOCHECKRESP;
	ao.timeout = (int) (opts->timeout_ms ? opts->timeout_ms :
	    DNS_TIMEOUT_MS);
	ao.tries = (int) (opts->tries ? opts->tries : DNS_TRIES);
	ao.ednspsz = DNS_EDNS_SIZE;
	ao.sock_state_cb = dns_sock_state;
	ao.sock_state_cb_data = dns;
	status = ares_init_options(&dns->channel, &ao, ARES_OPT_FLAGS |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_EDNSPSZ |
	    ARES_OPT_SOCK_STATE_CB);
	if (status != ARES_SUCCESS) {
		msg_error("dns: cannot start the resolver: %s",
		    ares_strerror(status));
		goto fail_lib;
	}
	if (servers != NULL &&
	    (status = ares_set_servers_ports(dns->channel, servers)) !=
	    ARES_SUCCESS) {
		msg_error("dns: cannot set the name servers: %s",
		    ares_strerror(status));
		ares_destroy(dns->channel);
		goto fail_lib;
	}
	while ((node = servers) != NULL) {
		servers = node->next;
		mem_free(node);
	}
	if ((err = uv_timer_init(loop, &dns->timer)) != 0 ||
	    (err = uv_idle_init(loop, &dns->idle)) != 0)
		msg_fatal("dns: cannot make loop handles: %s",
		    uv_strerror(err));
	dns->timer.data = dns;
	dns->idle.data = dns;
	return (dns);

fail_lib:
	mem_free(dns);
	ares_library_cleanup();
fail_servers:
	while ((node = servers) != NULL) {
		servers = node->next;
		mem_free(node);
	}
	return (NULL);
}

/* dns_destroy - tear down the channel and close every handle */

static void
dns_destroy(struct dns *dns)
{
	struct dns_req *req;

	/*
	 * Every lookup is dead by now; ares_destroy() calls back for their
	 * queries (which frees them) and closes its sockets through
	 * dns_sock_state().
	 */
	while ((req = dns->wait_head) != NULL) {
		dns->wait_head = req->next;
		dns_req_drop(req);
	}
	dns->wait_tail = &dns->wait_head;
	dns->destroyed = true;
	ares_destroy(dns->channel);
	dns->channel = NULL;
	while (dns->socks != NULL)
		dns_sock_close(dns, dns->socks);
	dns->nclosing += 2;
	(void) uv_timer_stop(&dns->timer);
	uv_close((uv_handle_t *) &dns->timer, dns_handle_close_cb);
	(void) uv_idle_stop(&dns->idle);
	uv_close((uv_handle_t *) &dns->idle, dns_handle_close_cb);
}

/* dns_cancel_all - call every outstanding callback with "cancelled" */

void
dns_cancel_all(struct dns *dns)
{
	unsigned long limit = dns->seq;
	struct dns_ring *r;
	struct dns_ring *heads[2];
	struct dns_query *q;
	size_t	i;

	/* Their answers no longer matter. */
	for (r = dns->queries.next; r != &dns->queries; r = r->next)
		DNS_RING_QUERY(r)->state = DNS_Q_CANCELLING;
	if (dns->ares_depth == 0 && dns->channel != NULL) {
		dns_ares_enter(dns);
		ares_cancel(dns->channel);
		dns_ares_leave(dns);
	}

	/*
	 * Oldest first; a callback may cancel others (they leave the rings)
	 * or start lookups (they come after limit and are left alone).
	 */
	heads[0] = &dns->queries;
	heads[1] = &dns->ready;
	for (i = 0; i < 2; i++) {
		while (!dns_ring_empty(heads[i])) {
			q = DNS_RING_QUERY(heads[i]->next);
			if (q->seq >= limit)
				break;
			dns_ring_remove(&q->link);
			dns_query_call(q, true);
		}
	}
	dns_timer_update(dns);
}

/* dns_free - cancel everything and close the resolver */

struct dns *
dns_free(struct dns *dns)
{
	if (dns == NULL)
		return (NULL);
	if (dns->freeing)
		msg_panic("dns_free: called twice");
	dns->freeing = true;
	dns_cancel_all(dns);
	if (dns->ares_depth > 0)
		dns->destroy_deferred = true;
	else
		dns_destroy(dns);
	return (NULL);
}

/* dns_query_cancel - abandon one lookup: its callback will not run */

void
dns_query_cancel(struct dns_query *q)
{
	if (q == NULL || q->state == DNS_Q_DEAD)
		return;
	dns_ring_remove(&q->link);
	q->state = DNS_Q_DEAD;
	dns_query_release(q);
}

/* dns_req_drop - forget a query that was never given to c-ares */

static void
dns_req_drop(struct dns_req *req)
{
	struct dns_query *q = req->q;

	mem_free(req->name);
	mem_free(req);
	q->outstanding--;
	dns_query_release(q);
}

static void dns_ares_cb(void *, int, int, unsigned char *, int);

/* dns_ares_send - give one query to c-ares */

static void
dns_ares_send(struct dns *dns, struct dns_req *req, const char *name)
{
	dns->inflight++;
	dns_ares_enter(dns);
	ares_query(dns->channel, name, C_IN, req->type, dns_ares_cb, req);
	dns_ares_leave(dns);
}

/* dns_send_waiting - give waiting queries to c-ares as room frees up */

static void
dns_send_waiting(struct dns *dns)
{
	struct dns_req *req;

	if (dns->draining)
		return;
	dns->draining = true;
	while (!dns->freeing && dns->inflight < dns->max_inflight &&
	    (req = dns->wait_head) != NULL) {
		if ((dns->wait_head = req->next) == NULL)
			dns->wait_tail = &dns->wait_head;
		req->next = NULL;
		if (req->q->state != DNS_Q_ACTIVE) {
			dns_req_drop(req);
			continue;
		}
		dns_ares_send(dns, req, req->name);
		req->name = mem_free(req->name);
	}
	dns->draining = false;
}

/* dns_ares_cb - c-ares finished one query */

static void dns_query_answer(struct dns_query *, const struct dns_req *, int,
    const unsigned char *, int);

static void
dns_ares_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct dns_req *req = arg;
	struct dns_query *q = req->q;
	struct dns *dns = q->dns;

	dns->inflight--;
	/* q->outstanding still counts this query: q cannot go away here. */
	if (q->state == DNS_Q_ACTIVE) {
		q->pending--;
		q->holds++;
		dns_query_answer(q, req, status, abuf, alen);
		q->holds--;
		dns_query_check(q);
	}
	mem_free(req->name);
	mem_free(req);
	q->outstanding--;
	dns_query_release(q);
	dns_send_waiting(dns);
}

/* dns_send - send one query for a lookup, or queue it when c-ares is full */

static void
dns_send(struct dns_query *q, const char *name, int type, size_t index)
{
	struct dns *dns = q->dns;
	struct dns_req *req = mem_zalloc(1, sizeof(*req));

	req->q = q;
	req->type = type;
	req->index = index;
	q->outstanding++;
	q->pending++;
	if (dns->inflight >= dns->max_inflight || dns->wait_head != NULL) {
		req->name = mem_strdup(name);
		*dns->wait_tail = req;
		dns->wait_tail = &req->next;
		return;
	}
	dns_ares_send(dns, req, name);
}

/* dns_send_addr - ask the A and/or AAAA records of a name */

static void
dns_send_addr(struct dns_query *q, const char *name, int family, size_t index)
{
	if (family != AF_INET6)
		dns_send(q, name, T_A, index);
	if (family != AF_INET && q->state == DNS_Q_ACTIVE)
		dns_send(q, name, T_AAAA, index);
}

/* dns_query_check - finish the lookup if nothing more is awaited */

static void
dns_query_check(struct dns_query *q)
{
	if (q->state != DNS_Q_ACTIVE || q->holds > 0)
		return;
	if (q->pending == 0 || (q->kind == DNS_K_VERIFY && q->have_match))
		dns_query_finish(q);
}

/* dns_mx_compare - order MX records by preference, then by name */

static int
dns_mx_compare(const void *a, const void *b)
{
	const struct ares_mx_reply *const *ma = a;
	const struct ares_mx_reply *const *mb = b;

	if ((*ma)->priority != (*mb)->priority)
		return ((*ma)->priority < (*mb)->priority ? -1 : 1);
	return (strcasecmp((*ma)->host, (*mb)->host));
}

/* dns_random - next pseudo-random number (xorshift64, not for secrets) */

static uint64_t
dns_random(struct dns *dns)
{
	uint64_t x = dns->rand;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (dns->rand = x);
}

/* dns_mx_add - add one exchanger to the result */

static void
dns_mx_add(struct dns_query *q, const char *host, unsigned pref)
{
	struct dns_mx *mx = &q->res.mxs[q->res.nmxs++];

	memset(mx, 0, sizeof(*mx));
	mx->host = mem_strdup(host);
	mx->pref = pref;
}

/* dns_mx_answer - the MX records came: choose exchangers, ask addresses */

static void
dns_mx_answer(struct dns_query *q, int status, const unsigned char *abuf,
    int alen)
{
	struct ares_mx_reply *list = NULL;
	struct ares_mx_reply *mp;
	struct ares_mx_reply **vec;
	enum dns_error error = dns_ares_error(status);
	size_t	n = 0;
	size_t	i;
	size_t	j;
	size_t	k;

	if (error == DNS_E_NONE) {
		error = dns_ares_error(ares_parse_mx_reply(abuf, alen, &list));
		for (mp = list; mp != NULL; mp = mp->next)
			if (*mp->host != 0)
				n++;
		/* Only "." exchangers: the domain takes no mail (RFC 7505). */
		if (error == DNS_E_NONE && n == 0)
			error = list != NULL ? DNS_E_NULLMX : DNS_E_NODATA;
	}
	if (error == DNS_E_NODATA) {
		/* No MX: the domain is its own exchanger (RFC 5321 5.1). */
		q->res.implicit_mx = true;
		q->res.mxs = mem_zalloc(1, sizeof(*q->res.mxs));
		dns_mx_add(q, q->name, 0);
	} else if (error != DNS_E_NONE) {
		q->fail = error;
	} else {
		vec = mem_zalloc(n, sizeof(*vec));
		for (n = 0, mp = list; mp != NULL; mp = mp->next)
			if (*mp->host != 0)
				vec[n++] = mp;
		qsort(vec, n, sizeof(*vec), dns_mx_compare);
		if (!(q->dns->flags & DNS_FLAG_STABLE)) {
			/* Shuffle each run of equal preference. */
			for (i = 0; i < n; i = j) {
				for (j = i + 1; j < n &&
				    vec[j]->priority == vec[i]->priority; j++)
					;
				for (k = j - 1; k > i; k--) {
					size_t	r = i + (size_t)
					    (dns_random(q->dns) % (k - i + 1));
					struct ares_mx_reply *t = vec[k];

					vec[k] = vec[r];
					vec[r] = t;
				}
			}
		}
		q->res.mxs = mem_zalloc(n < DNS_MX_LIMIT ? n : DNS_MX_LIMIT,
		    sizeof(*q->res.mxs));
		for (i = 0; i < n && q->res.nmxs < DNS_MX_LIMIT; i++) {
			/* A host listed twice keeps its best preference. */
			for (k = 0; k < q->res.nmxs; k++)
				if (strcasecmp(q->res.mxs[k].host,
				    vec[i]->host) == 0)
					break;
			if (k == q->res.nmxs)
				dns_mx_add(q, vec[i]->host, vec[i]->priority);
		}
		mem_free(vec);
	}
	if (list != NULL)
		ares_free_data(list);
	if (q->res.nmxs == 0)
		return;
	q->nasets = q->res.nmxs;
	q->asets = mem_zalloc(q->nasets, sizeof(*q->asets));
	for (i = 0; i < q->res.nmxs && q->state == DNS_Q_ACTIVE; i++)
		dns_send_addr(q, q->res.mxs[i].host, q->family, i);
}

/* dns_txt_answer - collect TXT records */

static void
dns_txt_answer(struct dns_query *q, int status, const unsigned char *abuf,
    int alen)
{
	struct ares_txt_ext *list = NULL;
	struct ares_txt_ext *tp;
	struct dns_txt *txt = NULL;
	struct buf data;
	size_t	n = 0;

	if ((q->fail = dns_ares_error(status)) != DNS_E_NONE)
		return;
	if ((q->fail = dns_ares_error(ares_parse_txt_reply_ext(abuf, alen,
	    &list))) != DNS_E_NONE)
		return;
	for (tp = list; tp != NULL; tp = tp->next)
		if (tp->record_start || tp == list)
			n++;
	if (n == 0) {
		q->fail = DNS_E_NODATA;
		return;
	}
	q->res.txts = mem_zalloc(n, sizeof(*q->res.txts));
	buf_init(&data, 0);
	for (tp = list; tp != NULL; tp = tp->next) {
		buf_append(&data, tp->txt, tp->length);
		if (tp->next == NULL || tp->next->record_start) {
			txt = &q->res.txts[q->res.ntxts++];
			txt->len = data.len;
			txt->data = mem_dup(data.data, data.len);
			buf_reset(&data);
		}
	}
	buf_fini(&data);
	ares_free_data(list);
}

/* dns_ptr_answer - collect the PTR names (lookup_ptr and verify) */

static void
dns_ptr_answer(struct dns_query *q, int status, const unsigned char *abuf,
    int alen)
{
	struct hostent *he = NULL;
	char  **ap;
	size_t	n = 0;
	const void *raw = q->client.family == AF_INET ?
	    (const void *) &q->client.u.v4 : (const void *) &q->client.u.v6;
	int	rawlen = q->client.family == AF_INET ? 4 : 16;

	if ((q->fail = dns_ares_error(status)) != DNS_E_NONE)
		return;
	if ((q->fail = dns_ares_error(ares_parse_ptr_reply(abuf, alen, raw,
	    rawlen, q->client.family, &he))) != DNS_E_NONE)
		return;
	/* c-ares lists every PTR name among the aliases, in answer order. */
	for (ap = he->h_aliases; ap != NULL && *ap != NULL; ap++)
		n++;
	q->res.names = mem_zalloc(n ? n : 1, sizeof(*q->res.names));
	for (ap = he->h_aliases; ap != NULL && *ap != NULL; ap++)
		if (**ap != 0)
			q->res.names[q->res.nnames++] = mem_strdup(*ap);
	if (q->res.nnames == 0 && he->h_name != NULL && *he->h_name != 0)
		q->res.names[q->res.nnames++] = mem_strdup(he->h_name);
	ares_free_hostent(he);
	if (q->res.nnames == 0)
		q->fail = DNS_E_NODATA;
}

/* dns_verify_ptr - PTR names came: ask each one's forward addresses */

static void
dns_verify_ptr(struct dns_query *q, int status, const unsigned char *abuf,
    int alen)
{
	size_t	i;

	dns_ptr_answer(q, status, abuf, alen);
	if (q->fail != DNS_E_NONE)
		return;
	q->nasets = q->res.nnames < DNS_PTR_LIMIT ? q->res.nnames :
	    DNS_PTR_LIMIT;
	q->asets = mem_zalloc(q->nasets, sizeof(*q->asets));
	for (i = 0; i < q->nasets && q->state == DNS_Q_ACTIVE; i++)
		dns_send_addr(q, q->res.names[i], q->client.family, i);
}

/* dns_verify_forward - one forward lookup came: does it map back? */

static void
dns_verify_forward(struct dns_query *q, const struct dns_req *req,
    int status, const unsigned char *abuf, int alen)
{
	struct dns_aset *as = &q->asets[req->index];
	size_t	i;

	dns_aset_answer(as, req->type, status, abuf, alen);
	for (i = 0; i < as->naddrs; i++) {
		if (dns_addr_equal(&as->addrs[i], &q->client)) {
			if (!q->have_match || req->index < q->matched)
				q->matched = req->index;
			q->have_match = true;
		}
	}
}

/* dns_query_answer - route one c-ares answer to its lookup */

static void
dns_query_answer(struct dns_query *q, const struct dns_req *req, int status,
    const unsigned char *abuf, int alen)
{
	switch (q->kind) {
	case DNS_K_ADDR:
	case DNS_K_DNSL:
		dns_aset_answer(&q->aset, req->type, status, abuf, alen);
		break;
	case DNS_K_MX:
		if (req->type == T_MX)
			dns_mx_answer(q, status, abuf, alen);
		else
			dns_aset_answer(&q->asets[req->index], req->type,
			    status, abuf, alen);
		break;
	case DNS_K_TXT:
		dns_txt_answer(q, status, abuf, alen);
		break;
	case DNS_K_PTR:
		dns_ptr_answer(q, status, abuf, alen);
		break;
	case DNS_K_VERIFY:
		if (req->type == T_PTR)
			dns_verify_ptr(q, status, abuf, alen);
		else
			dns_verify_forward(q, req, status, abuf, alen);
		break;
	}
}

/* dns_result_set - set the status of a result from its error */

static void
dns_result_set(struct dns_result *res, enum dns_error error)
{
	res->error = error;
	res->status = dns_error_status(error);
	res->text = dns_error_text(error);
}

/* dns_mx_finish - the overall outcome of an MX lookup */

static void
dns_mx_finish(struct dns_query *q)
{
	enum dns_error perm = DNS_E_NONE;
	enum dns_error temp = DNS_E_NONE;
	bool	found = false;
	size_t	i;

	if (q->fail != DNS_E_NONE) {
		dns_result_set(&q->res, q->fail);
		return;
	}
	for (i = 0; i < q->res.nmxs; i++) {
		struct dns_mx *mx = &q->res.mxs[i];
		struct dns_aset *as = &q->asets[i];

		dns_aset_order(as);
		mx->addrs = as->addrs;
		mx->naddrs = as->naddrs;
		mx->error = dns_aset_error_final(as);
		mx->status = dns_error_status(mx->error);
		mx->text = dns_error_text(mx->error);
		if (mx->status == DNS_FOUND)
			found = true;
		else if (mx->status == DNS_TEMPFAIL && temp == DNS_E_NONE)
			temp = mx->error;
		else if (mx->status == DNS_NOTFOUND && perm == DNS_E_NONE)
			perm = mx->error;
	}
	if (found)
		dns_result_set(&q->res, DNS_E_NONE);
	else if (temp != DNS_E_NONE)
		dns_result_set(&q->res, temp);
	else
		dns_result_set(&q->res, perm != DNS_E_NONE ? perm :
		    DNS_E_NODATA);
}

/* dns_verify_finish - the outcome of forward-confirmed reverse DNS */

static void
dns_verify_finish(struct dns_query *q)
{
	struct dns_verify_result *v = &q->vres;
	enum dns_error temp = DNS_E_NONE;
	size_t	i;

	memset(v, 0, sizeof(*v));
	if (q->fail != DNS_E_NONE) {
		v->status = dns_error_permanent(q->fail) ? DNS_VERIFY_NOPTR :
		    DNS_VERIFY_TEMPFAIL;
		v->error = q->fail;
	} else if (q->have_match) {
		v->status = DNS_VERIFY_OK;
		v->verified = true;
		v->hostname = q->res.names[q->matched];
	} else {
		for (i = 0; i < q->nasets; i++) {
			enum dns_error e = dns_aset_error_final(&q->asets[i]);

			if (dns_error_status(e) == DNS_TEMPFAIL) {
				temp = e;
				break;
			}
		}
		v->status = temp != DNS_E_NONE ? DNS_VERIFY_TEMPFAIL :
		    DNS_VERIFY_MISMATCH;
		v->error = temp;
		v->hostname = q->res.names[0];
	}
	v->text = dns_error_text(v->error);
}

/* dns_query_finish - build the result and deliver it */

static void
dns_query_finish(struct dns_query *q)
{
	switch (q->kind) {
	case DNS_K_ADDR:
	case DNS_K_DNSL:
		if (q->fail != DNS_E_NONE) {
			dns_result_set(&q->res, q->fail);
			break;
		}
		dns_aset_order(&q->aset);
		q->res.addrs = q->aset.addrs;
		q->res.naddrs = q->aset.naddrs;
		dns_result_set(&q->res, dns_aset_error_final(&q->aset));
		break;
	case DNS_K_MX:
		dns_mx_finish(q);
		break;
	case DNS_K_TXT:
	case DNS_K_PTR:
		dns_result_set(&q->res, q->fail);
		break;
	case DNS_K_VERIFY:
		dns_verify_finish(q);
		break;
	}
	dns_query_deliver(q);
}

/* dns_query_new - start a lookup (the caller holds it while sending) */

static struct dns_query *
dns_query_new(struct dns *dns, enum dns_kind kind, const char *name,
    const char *type, int family)
{
	struct dns_query *q;
	size_t	len;

	if (name == NULL)
		msg_panic("dns: lookup of a null %s name", type);
	if (dns->freeing)
		msg_panic("dns: lookup of %s %s while the resolver is being "
		    "freed", name, type);
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		msg_panic("dns: lookup of %s %s: bad address family %d",
		    name, type, family);
	q = mem_zalloc(1, sizeof(*q));
	q->dns = dns;
	q->seq = dns->seq++;
	q->kind = kind;
	q->state = DNS_Q_ACTIVE;
	q->family = family;
	q->holds = 1;
	dns_ring_append(&dns->queries, &q->link);
	len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		len--;
	q->name = mem_strndup(name, len);
	if (!dns_name_valid(q->name, len))
		q->fail = DNS_E_BADNAME;
	q->res.name = q->name;
	q->res.type = type;
	dns->submit_depth++;
	return (q);
}

/* dns_query_submitted - the lookup is sent: let it finish, return it */

static struct dns_query *
dns_query_submitted(struct dns_query *q)
{
	struct dns *dns = q->dns;

	q->holds--;
	dns_query_check(q);
	dns->submit_depth--;
	dns_timer_update(dns);
	return (q);
}

/* dns_addr_type - the record type name logged for an address lookup */

static const char *
dns_addr_type(int family)
{
	return (family == AF_INET ? "A" : family == AF_INET6 ? "AAAA" :
	    "A/AAAA");
}

/* dns_lookup_addr - A and/or AAAA records of a name */

struct dns_query *
dns_lookup_addr(struct dns *dns, const char *name, int family,
    dns_result_fn cb, void *ctx)
{
	struct dns_query *q = dns_query_new(dns, DNS_K_ADDR, name,
	    dns_addr_type(family), family);

	q->cb = cb;
	q->ctx = ctx;
	if (q->fail == DNS_E_NONE)
		dns_send_addr(q, q->name, family, 0);
	return (dns_query_submitted(q));
}

/* dns_lookup_mx - exchangers of a domain with their addresses */

struct dns_query *
dns_lookup_mx(struct dns *dns, const char *domain, int family,
    dns_result_fn cb, void *ctx)
{
	struct dns_query *q = dns_query_new(dns, DNS_K_MX, domain, "MX",
	    family);

	q->cb = cb;
	q->ctx = ctx;
	if (q->fail == DNS_E_NONE)
		dns_send(q, q->name, T_MX, 0);
	return (dns_query_submitted(q));
}

/* dns_lookup_txt - TXT records of a name */

struct dns_query *
dns_lookup_txt(struct dns *dns, const char *name, dns_result_fn cb,
    void *ctx)
{
	struct dns_query *q = dns_query_new(dns, DNS_K_TXT, name, "TXT",
	    AF_UNSPEC);

	q->cb = cb;
	q->ctx = ctx;
	if (q->fail == DNS_E_NONE)
		dns_send(q, q->name, T_TXT, 0);
	return (dns_query_submitted(q));
}

/* dns_query_new_reverse - start a lookup under the reversed address */

static struct dns_query *
dns_query_new_reverse(struct dns *dns, enum dns_kind kind,
    const struct sockaddr *sa, const char *zone, const char *type)
{
	struct dns_addr addr;
	struct dns_query *q;
	struct buf name;

	buf_init(&name, 80);
	memset(&addr, 0, sizeof(addr));
	if (dns_addr_from_sockaddr(&addr, sa) == 0) {
		dns_reverse_addr(&name, &addr);
		if (zone != NULL)
			buf_printf(&name, ".%s", zone);
		else
			buf_puts(&name, addr.family == AF_INET ?
			    ".in-addr.arpa" : ".ip6.arpa");
		q = dns_query_new(dns, kind, name.data, type, addr.family);
		q->client = addr;
	} else {
		q = dns_query_new(dns, kind, "", type, AF_UNSPEC);
		q->fail = DNS_E_BADNAME;
	}
	buf_fini(&name);
	return (q);
}

/* dns_lookup_ptr - PTR names of an address */

struct dns_query *
dns_lookup_ptr(struct dns *dns, const struct sockaddr *sa, dns_result_fn cb,
    void *ctx)
{
	struct dns_query *q = dns_query_new_reverse(dns, DNS_K_PTR, sa, NULL,
	    "PTR");

	q->cb = cb;
	q->ctx = ctx;
	if (q->fail == DNS_E_NONE)
		dns_send(q, q->name, T_PTR, 0);
	return (dns_query_submitted(q));
}

/* dns_lookup_dnsl - A records of an address in a DNS list */

struct dns_query *
dns_lookup_dnsl(struct dns *dns, const struct sockaddr *sa, const char *zone,
    dns_result_fn cb, void *ctx)
{
	struct dns_query *q;

	if (zone == NULL || *zone == 0)
		msg_panic("dns_lookup_dnsl: no zone");
	q = dns_query_new_reverse(dns, DNS_K_DNSL, sa, zone, "A");
	q->cb = cb;
	q->ctx = ctx;
	if (q->fail == DNS_E_NONE)
		dns_send(q, q->name, T_A, 0);
	return (dns_query_submitted(q));
}

/* dns_verify_client - forward-confirmed reverse DNS of a client */

struct dns_query *
dns_verify_client(struct dns *dns, const struct sockaddr *sa,
    dns_verify_fn cb, void *ctx)
{
	struct dns_query *q = dns_query_new_reverse(dns, DNS_K_VERIFY, sa, NULL,
	    "PTR");

	q->vcb = cb;
	q->ctx = ctx;
	if (q->fail == DNS_E_NONE)
		dns_send(q, q->name, T_PTR, 0);
	return (dns_query_submitted(q));
}
