/*
 * NAME
 *	deliver_cache - idle SMTP sessions kept for the next message
 * SYNOPSIS
 *	#include "deliver_cache.h"
 *
 *	struct deliver_cache *deliver_cache_new(uv_loop_t *loop,
 *		    unsigned idle_ms);
 *	void	deliver_cache_close(struct deliver_cache *cache);
 *	void	deliver_cache_free(struct deliver_cache *cache);
 *	void	deliver_cache_put(struct deliver_cache *cache,
 *		    const char *domain, enum policy_tls_level tls,
 *		    struct deliver_smtp *ds, unsigned uses);
 *	struct deliver_smtp *deliver_cache_take(struct deliver_cache *cache,
 *		    const char *domain, enum policy_tls_level tls,
 *		    unsigned *uses);
 *	size_t	deliver_cache_count(const struct deliver_cache *cache);
 * DESCRIPTION
 *	A delivery session that ended healthy (deliver_smtp_reusable(3))
 *	may carry the next message for the same destination: same
 *	recipient domain, same TLS level, so the same next hops and the
 *	same certificate reference names. The cache holds such sessions
 *	while they are idle.
 *
 *	deliver_cache_put() parks ds, which has carried uses messages so
 *	far, under (domain, tls); after idle_ms without a taker the cache
 *	ends it with deliver_smtp_quit(). deliver_cache_take() hands back
 *	the session parked longest under (domain, tls), and its uses, or
 *	NULL; the caller then owns it (deliver_smtp_next(), or
 *	deliver_smtp_quit() when that fails). Domains compare without
 *	regard to case.
 *
 *	deliver_cache_close() ends every parked session and makes later
 *	puts end theirs at once (a stopping process keeps nothing).
 *	deliver_cache_free() ends every parked session and frees the cache
 *	(its timers close on the next loop iteration).
 */
#ifndef DELIVER_CACHE_H
#define DELIVER_CACHE_H

#include <stddef.h>

#include <uv.h>

#include "policy_tls.h"
#include "deliver_smtp.h"

struct deliver_cache;

struct deliver_cache *deliver_cache_new(uv_loop_t *, unsigned);
void	deliver_cache_close(struct deliver_cache *);
void	deliver_cache_free(struct deliver_cache *);
void	deliver_cache_put(struct deliver_cache *, const char *,
	    enum policy_tls_level, struct deliver_smtp *, unsigned);
struct deliver_smtp *deliver_cache_take(struct deliver_cache *,
	    const char *, enum policy_tls_level, unsigned *);
size_t	deliver_cache_count(const struct deliver_cache *);

#endif
