/*
 * NAME
 *	dns - asynchronous DNS lookups (c-ares driven from a libuv loop)
 * SYNOPSIS
 *	#include "dns.h"
 *
 *	struct dns *dns_new(uv_loop_t *loop, const struct dns_options *opts);
 *	struct dns *dns_free(struct dns *dns);
 *	void	dns_cancel_all(struct dns *dns);
 *	void	dns_query_cancel(struct dns_query *q);
 *
 *	struct dns_query *dns_lookup_addr(struct dns *dns, const char *name,
 *		    int family, dns_result_fn cb, void *ctx);
 *	struct dns_query *dns_lookup_mx(struct dns *dns, const char *domain,
 *		    int family, dns_result_fn cb, void *ctx);
 *	struct dns_query *dns_lookup_txt(struct dns *dns, const char *name,
 *		    dns_result_fn cb, void *ctx);
 *	struct dns_query *dns_lookup_ptr(struct dns *dns,
 *		    const struct sockaddr *sa, dns_result_fn cb, void *ctx);
 *	struct dns_query *dns_lookup_dnsl(struct dns *dns,
 *		    const struct sockaddr *sa, const char *zone,
 *		    dns_result_fn cb, void *ctx);
 *	struct dns_query *dns_verify_client(struct dns *dns,
 *		    const struct sockaddr *sa, dns_verify_fn cb, void *ctx);
 *
 *	int	dns_reverse_name(struct buf *bp, const struct sockaddr *sa,
 *		    const char *zone);
 *	const char *dns_error_text(enum dns_error error);
 *	const char *dns_status_name(enum dns_status status);
 *	const char *dns_verify_name(enum dns_verify_status status);
 * DESCRIPTION
 *	One struct dns is one resolver (a c-ares channel) bound to one
 *	libuv loop. Its sockets are watched with uv_poll_t handles and its
 *	retransmissions with one uv_timer_t armed from ares_timeout(); no
 *	call blocks and no thread is started. The resolver does DNS only:
 *	/etc/hosts and search domains are never consulted, a name is asked
 *	exactly as given (one trailing dot is accepted).
 *
 *	dns_new() reads the servers from opts->servers, each "ipv4",
 *	"ipv4:port", "ipv6", "[ipv6]" or "[ipv6]:port", or from
 *	/etc/resolv.conf when there are none. opts->timeout_ms is the wait for the first try (each
 *	round through the servers doubles it, as c-ares does) and
 *	opts->tries the number of rounds; zero means the default (5000 ms,
 *	2 tries). A SERVFAIL, REFUSED, FORMERR or NOTIMP answer is final
 *	(it is reported as such); a server that does not answer or cannot
 *	be reached makes c-ares try the next. At most opts->max_inflight queries (0: 128)
 *	are on the wire at once, the others wait their turn, so that a
 *	burst of lookups does not overflow the socket's receive buffer.
 *	opts may be NULL for all defaults. On a bad server
 *	string or a resolver that cannot start, dns_new() reports why with
 *	msg_error() and returns NULL.
 *
 *	Every lookup returns a handle and later calls cb(result, ctx)
 *	exactly once, from the loop: never from inside the dns_lookup_*()
 *	call itself. The result and everything it points to belong to the
 *	resolver and are valid only while the callback runs; copy what you
 *	keep. The handle is valid until the callback returns or until
 *	dns_query_cancel() is called on it, whichever comes first.
 *
 *	result->status keeps apart:
 *	DNS_FOUND	at least one record (for MX: one exchanger with an
 *			address).
 *	DNS_NOTFOUND	permanent: the name does not exist (NXDOMAIN), has
 *			no record of the type (NODATA), is not a valid
 *			name, or the domain says it takes no mail (null MX,
 *			RFC 7505).
 *	DNS_TEMPFAIL	temporary: SERVFAIL, REFUSED, timeout, no server
 *			reachable, malformed answer. Never reported as not
 *			found: the caller defers (4xx).
 *	DNS_CANCELLED	the lookup was cancelled by dns_cancel_all() or
 *			dns_free().
 *	result->error says which, and result->text is the text AsyncOS
 *	prints for it ("NXDomain", "ServFail", "unable to reach nameserver
 *	on any valid IP", ...; "" when found), for the mail log lines
 *	"DNS Error <name> <type> - <text>" (permanent) and "DNS Temporary
 *	Failure <name> <type> - <text>" (temporary). result->name is the
 *	name asked (no trailing dot) and result->type its record type as
 *	logged ("A", "AAAA", "A/AAAA", "MX", "TXT", "PTR"; an MX lookup
 *	says "MX" even when its outcome comes from the exchangers' address
 *	lookups).
 *
 *	dns_lookup_addr() asks A and/or AAAA (family AF_INET, AF_INET6 or
 *	AF_UNSPEC for both, merged: A records first). The merged status is
 *	found when either type has a record; else temporary when either
 *	failed temporarily; else not found (NXDOMAIN when either said so).
 *
 *	dns_lookup_mx() asks MX, sorts the exchangers by preference (equal
 *	preferences are shuffled, as RFC 5321 section 5.1 asks, unless
 *	opts->flags has DNS_FLAG_STABLE, which orders them by name), keeps
 *	the first DNS_MX_LIMIT, and looks up the addresses of each (family
 *	as above). A domain with no MX record (NODATA) gets the implicit
 *	MX of RFC 5321: itself at preference 0 (result->implicit_mx is
 *	set). NXDOMAIN is not found. Each struct dns_mx carries the status
 *	of its own address lookup. The overall status is found when one
 *	exchanger has an address, else temporary when one address lookup
 *	failed temporarily, else not found.
 *
 *	dns_lookup_txt() returns each TXT record as the concatenation of
 *	its strings (struct dns_txt: bytes, length, NUL-terminated).
 *
 *	dns_lookup_ptr() asks the PTR records of an address (in-addr.arpa
 *	or ip6.arpa; an IPv4-mapped IPv6 address is looked up as IPv4) and
 *	returns the names in result->names.
 *
 *	dns_lookup_dnsl() asks the A records of "<reversed-ip>.<zone>"
 *	(DNS list / DNSBL membership: 127.0.0.2 in zone z asks
 *	2.0.0.127.z). Found means listed. For a reputation text, ask
 *	dns_lookup_txt() for the name that dns_reverse_name() builds.
 *
 *	dns_verify_client() is forward-confirmed reverse DNS: PTR of the
 *	address, then the A (IPv4 client) or AAAA (IPv6 client) records of
 *	each of the first DNS_PTR_LIMIT names; it finishes as soon as one
 *	maps back. Its callback gets a struct dns_verify_result:
 *	DNS_VERIFY_OK		a name maps back to the address: verified,
 *				hostname is that name.
 *	DNS_VERIFY_NOPTR	no PTR record (NXDOMAIN/NODATA): hostname
 *				NULL.
 *	DNS_VERIFY_TEMPFAIL	the PTR lookup failed temporarily, or its
 *				answer was malformed (a name that is not
 *				a host name: "BadResponse"): hostname
 *				NULL. Or no name matched and one forward
 *				lookup failed temporarily: hostname is
 *				the first PTR name.
 *	DNS_VERIFY_MISMATCH	PTR names exist but none maps back, or
 *				they do not exist forward (hostname is
 *				the first PTR name, as AsyncOS logs it
 *				with "verified no").
 *	DNS_VERIFY_CANCELLED	see cancellation below (hostname NULL).
 *	text is the DNS error text of the step that failed ("" when ok).
 *
 *	dns_reverse_name() appends to bp the reversed-address name of sa
 *	under zone (NULL: in-addr.arpa or ip6.arpa) and returns 0, or -1
 *	for an address family other than AF_INET/AF_INET6.
 * CANCELLATION
 *	dns_query_cancel() abandons one lookup: its callback will not be
 *	called, and the handle is invalid on return. It is meant for a
 *	session that closes with a lookup pending. Calling it from the
 *	lookup's own callback is allowed and does nothing, and so is
 *	calling it with NULL. The c-ares
 *	queries already sent finish in the background (their answers are
 *	dropped), so the loop may stay alive until they answer or time
 *	out.
 *
 *	dns_cancel_all() and dns_free() call the callback of every
 *	outstanding lookup once, before they return, with status
 *	DNS_CANCELLED (DNS_VERIFY_CANCELLED), so that each owner can drop
 *	its handle and release its state. A callback may cancel other
 *	lookups; it may start new lookups during dns_cancel_all() (they
 *	are not cancelled), but not during dns_free() (a panic: the
 *	resolver is going away). Called outside a callback, they also drop
 *	the c-ares queries of the cancelled lookups at once; from inside
 *	one, those finish in the background.
 *
 *	dns_free() may be called from a callback; it returns NULL and
 *	does nothing for NULL. It closes every libuv handle it owns; its
 *	memory is released from their close callbacks, so run the loop
 *	once more (uv_run() returns when done) before uv_loop_close(),
 *	which then returns 0.
 * SECURITY
 *	Answers are untrusted: c-ares rejects names with characters that
 *	are not valid in host names (a malformed answer, temporary), and
 *	the numbers of exchangers and PTR names followed are bounded.
 */
#ifndef DNS_H
#define DNS_H

#include <stdbool.h>
#include <stddef.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <uv.h>

#include "buf.h"

#define DNS_MX_LIMIT	20	/* exchangers whose addresses are asked */
#define DNS_PTR_LIMIT	10	/* PTR names forward-confirmed */

#define DNS_FLAG_STABLE	(1 << 0) /* equal MX preferences ordered by name */

struct dns_options {
	const char *const *servers;	/* "ip", "ip:port", "[ip6]:port" */
	size_t	nservers;		/* 0: /etc/resolv.conf */
	unsigned timeout_ms;		/* first try; 0: 5000 */
	unsigned tries;			/* rounds; 0: 2 */
	int	flags;			/* DNS_FLAG_* */
	unsigned max_inflight;		/* queries sent at once; 0: 128 */
};

enum dns_status {
	DNS_FOUND,
	DNS_NOTFOUND,			/* permanent */
	DNS_TEMPFAIL,			/* temporary */
	DNS_CANCELLED,
};

enum dns_error {
	DNS_E_NONE,			/* found */
	DNS_E_NXDOMAIN,			/* permanent: "NXDomain" */
	DNS_E_NODATA,			/* permanent: "NoData" */
	DNS_E_BADNAME,			/* permanent: "BadName" */
	DNS_E_NULLMX,			/* permanent: "NullMX" */
	DNS_E_SERVFAIL,			/* temporary: "ServFail" */
	DNS_E_REFUSED,			/* temporary: "Refused" */
	DNS_E_TIMEOUT,			/* temporary: unable to reach ... */
	DNS_E_UNREACHABLE,		/* temporary: unable to reach ... */
	DNS_E_BADRESP,			/* temporary: "BadResponse" */
	DNS_E_OTHER,			/* temporary: "Error" */
	DNS_E_CANCELLED,		/* "Cancelled" */
};

struct dns_addr {
	int	family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	}	u;
	char	text[INET6_ADDRSTRLEN];	/* printable form */
};

struct dns_mx {
	char   *host;			/* exchanger, no trailing dot */
	unsigned pref;
	enum dns_status status;		/* of its address lookup */
	enum dns_error error;
	const char *text;
	struct dns_addr *addrs;
	size_t	naddrs;
};

struct dns_txt {
	char   *data;			/* NUL-terminated, may hold NULs */
	size_t	len;
};

struct dns_result {
	enum dns_status status;
	enum dns_error error;
	const char *text;		/* AsyncOS error text, "" if found */
	const char *name;		/* the name asked */
	const char *type;		/* "A", "AAAA", "A/AAAA", "MX", ... */
	struct dns_addr *addrs;		/* addr, dnsl */
	size_t	naddrs;
	struct dns_mx *mxs;		/* mx */
	size_t	nmxs;
	bool	implicit_mx;
	struct dns_txt *txts;		/* txt */
	size_t	ntxts;
	char  **names;			/* ptr */
	size_t	nnames;
};

enum dns_verify_status {
	DNS_VERIFY_OK,
	DNS_VERIFY_NOPTR,
	DNS_VERIFY_TEMPFAIL,
	DNS_VERIFY_MISMATCH,
	DNS_VERIFY_CANCELLED,
};

struct dns_verify_result {
	enum dns_verify_status status;
	bool	verified;		/* status == DNS_VERIFY_OK */
	const char *hostname;		/* see DESCRIPTION; may be NULL */
	enum dns_error error;		/* of the step that failed */
	const char *text;
};

struct dns;
struct dns_query;

typedef void (*dns_result_fn)(const struct dns_result *, void *);
typedef void (*dns_verify_fn)(const struct dns_verify_result *, void *);

struct dns *dns_new(uv_loop_t *, const struct dns_options *);
struct dns *dns_free(struct dns *);
void	dns_cancel_all(struct dns *);
void	dns_query_cancel(struct dns_query *);

struct dns_query *dns_lookup_addr(struct dns *, const char *, int,
	    dns_result_fn, void *);
struct dns_query *dns_lookup_mx(struct dns *, const char *, int,
	    dns_result_fn, void *);
struct dns_query *dns_lookup_txt(struct dns *, const char *, dns_result_fn,
	    void *);
struct dns_query *dns_lookup_ptr(struct dns *, const struct sockaddr *,
	    dns_result_fn, void *);
struct dns_query *dns_lookup_dnsl(struct dns *, const struct sockaddr *,
	    const char *, dns_result_fn, void *);
struct dns_query *dns_verify_client(struct dns *, const struct sockaddr *,
	    dns_verify_fn, void *);

int	dns_reverse_name(struct buf *, const struct sockaddr *, const char *);
const char *dns_error_text(enum dns_error);
const char *dns_status_name(enum dns_status);
const char *dns_verify_name(enum dns_verify_status);

#endif
