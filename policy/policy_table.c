/*
 * NAME
 *	policy_table - case-insensitive string keyed table (internal)
 * DESCRIPTION
 *	See policy_table.h. Separate chaining; the bucket array doubles
 *	when the load passes one entry per bucket.
 */
#include "config.h"

#include <stdint.h>

#include "mem.h"
#include "str.h"
#include "policy_table.h"

struct policy_table_node {
	struct policy_table_node *next;
	char   *key;
	size_t	key_len;
	uint32_t hash;
	void   *value;
};

struct policy_table {
	struct policy_table_node **buckets;
	size_t	size;
	size_t	count;
};

/* policy_table_hash - FNV-1a over the case-folded key */

static uint32_t
policy_table_hash(struct str key)
{
	uint32_t h = 2166136261u;
	size_t	i;

	for (i = 0; i < key.len; i++) {
		unsigned char ch = (unsigned char) key.ptr[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char) (ch - 'A' + 'a');
		h ^= ch;
		h *= 16777619u;
	}
	return (h);
}

/* policy_table_new - empty table */

struct policy_table *
policy_table_new(void)
{
	struct policy_table *tp = mem_zalloc(1, sizeof(*tp));

	tp->size = 16;
	tp->buckets = mem_zalloc(tp->size, sizeof(*tp->buckets));
	return (tp);
}

/* policy_table_free - release the table, and the values if asked */

struct policy_table *
policy_table_free(struct policy_table *tp, void (*free_value)(void *))
{
	struct policy_table_node *np, *next;
	size_t	i;

	if (tp == NULL)
		return (NULL);
	for (i = 0; i < tp->size; i++) {
		for (np = tp->buckets[i]; np != NULL; np = next) {
			next = np->next;
			if (free_value != NULL)
				free_value(np->value);
			mem_free(np->key);
			mem_free(np);
		}
	}
	mem_free(tp->buckets);
	mem_free(tp);
	return (NULL);
}

/* policy_table_grow - double the bucket array */

static void
policy_table_grow(struct policy_table *tp)
{
	struct policy_table_node **nb, *np, *next;
	size_t	ns = tp->size * 2, i;

	nb = mem_zalloc(ns, sizeof(*nb));
	for (i = 0; i < tp->size; i++) {
		for (np = tp->buckets[i]; np != NULL; np = next) {
			next = np->next;
			np->next = nb[np->hash & (ns - 1)];
			nb[np->hash & (ns - 1)] = np;
		}
	}
	mem_free(tp->buckets);
	tp->buckets = nb;
	tp->size = ns;
}

/* policy_table_node_find - the node for key, or NULL */

static struct policy_table_node *
policy_table_node_find(const struct policy_table *tp, struct str key,
    uint32_t h)
{
	struct policy_table_node *np;

	for (np = tp->buckets[h & (tp->size - 1)]; np != NULL; np = np->next)
		if (np->hash == h
		    && str_caseeq(str_make(np->key, np->key_len), key))
			return (np);
	return (NULL);
}

/* policy_table_enter - add key -> value unless key is present */

int
policy_table_enter(struct policy_table *tp, struct str key, void *value)
{
	struct policy_table_node *np;
	uint32_t h = policy_table_hash(key);

	if (policy_table_node_find(tp, key, h) != NULL)
		return (0);
	if (tp->count >= tp->size)
		policy_table_grow(tp);
	np = mem_alloc(sizeof(*np));
	np->key = str_dup(key);
	np->key_len = key.len;
	np->hash = h;
	np->value = value;
	np->next = tp->buckets[h & (tp->size - 1)];
	tp->buckets[h & (tp->size - 1)] = np;
	tp->count++;
	return (1);
}

/* policy_table_find - value for key, or NULL */

void   *
policy_table_find(const struct policy_table *tp, struct str key)
{
	struct policy_table_node *np;

	np = policy_table_node_find(tp, key, policy_table_hash(key));
	return (np ? np->value : NULL);
}

/* policy_table_count - number of keys */

size_t
policy_table_count(const struct policy_table *tp)
{
	return (tp->count);
}
