/*
 * NAME
 *	deliver_cache - idle SMTP sessions kept for the next message
 * DESCRIPTION
 *	See deliver_cache.h. A plain list: a delivery process holds at
 *	most a few hundred idle sessions, and a take is one pass.
 */
#include "config.h"

#include <strings.h>

#include "mem.h"
#include "msg.h"

#include "deliver_cache.h"

struct deliver_cache_entry {
	struct deliver_cache *cache;
	char   *domain;
	enum policy_tls_level tls;
	struct deliver_smtp *ds;
	unsigned uses;
	uv_timer_t idle;
	struct deliver_cache_entry *next;
};

struct deliver_cache {
	uv_loop_t *loop;
	unsigned idle_ms;
	size_t	count;
	int	closed;			/* keep nothing any more */
	struct deliver_cache_entry *head;
};

/* deliver_cache_new - an empty cache */

struct deliver_cache *
deliver_cache_new(uv_loop_t *loop, unsigned idle_ms)
{
	struct deliver_cache *cache = mem_zalloc(1, sizeof(*cache));

	cache->loop = loop;
	cache->idle_ms = idle_ms;
	return (cache);
}

/* deliver_cache_closed - an entry's timer is closed: free the entry */

static void
deliver_cache_closed(uv_handle_t *h)
{
	struct deliver_cache_entry *ep = h->data;

	mem_free(ep->domain);
	mem_free(ep);
}

/* deliver_cache_unlink - take an entry off the list, close its timer */

static struct deliver_smtp *
deliver_cache_unlink(struct deliver_cache *cache,
    struct deliver_cache_entry *ep)
{
	struct deliver_cache_entry **pp;
	struct deliver_smtp *ds = ep->ds;

	for (pp = &cache->head; *pp != ep; pp = &(*pp)->next)
		if (*pp == NULL)
			msg_panic("deliver_cache_unlink: entry not listed");
	*pp = ep->next;
	cache->count--;
	(void) uv_timer_stop(&ep->idle);
	uv_close((uv_handle_t *) &ep->idle, deliver_cache_closed);
	return (ds);
}

/* deliver_cache_expire - nobody wanted the session in time */

static void
deliver_cache_expire(uv_timer_t *t)
{
	struct deliver_cache_entry *ep = t->data;

	deliver_smtp_quit(deliver_cache_unlink(ep->cache, ep));
}

/* deliver_cache_put - park a healthy session */

void
deliver_cache_put(struct deliver_cache *cache, const char *domain,
    enum policy_tls_level tls, struct deliver_smtp *ds, unsigned uses)
{
	struct deliver_cache_entry *ep;
	struct deliver_cache_entry **pp;

	if (cache->closed) {
		deliver_smtp_quit(ds);
		return;
	}
	ep = mem_zalloc(1, sizeof(*ep));
	ep->cache = cache;
	ep->domain = mem_strdup(domain);
	ep->tls = tls;
	ep->ds = ds;
	ep->uses = uses;
	(void) uv_timer_init(cache->loop, &ep->idle);
	ep->idle.data = ep;
	(void) uv_timer_start(&ep->idle, deliver_cache_expire, cache->idle_ms,
	    0);
	for (pp = &cache->head; *pp; pp = &(*pp)->next)
		;
	*pp = ep;			/* oldest first */
	cache->count++;
}

/* deliver_cache_take - a parked session for the destination, or NULL */

struct deliver_smtp *
deliver_cache_take(struct deliver_cache *cache, const char *domain,
    enum policy_tls_level tls, unsigned *uses)
{
	struct deliver_cache_entry *ep;

	for (ep = cache->head; ep; ep = ep->next) {
		if (ep->tls == tls && strcasecmp(ep->domain, domain) == 0) {
			*uses = ep->uses;
			return (deliver_cache_unlink(cache, ep));
		}
	}
	return (NULL);
}

/* deliver_cache_count - parked sessions */

size_t
deliver_cache_count(const struct deliver_cache *cache)
{
	return (cache->count);
}

/* deliver_cache_close - end every parked session, park no more */

void
deliver_cache_close(struct deliver_cache *cache)
{
	cache->closed = 1;
	while (cache->head)
		deliver_smtp_quit(deliver_cache_unlink(cache, cache->head));
}

/* deliver_cache_free - end every parked session, free the cache */

void
deliver_cache_free(struct deliver_cache *cache)
{
	if (cache == NULL)
		return;
	deliver_cache_close(cache);
	mem_free(cache);
}
