/*
 * NAME
 *	policy_table - case-insensitive string keyed table (internal)
 * SYNOPSIS
 *	#include "policy_table.h"
 *
 *	struct policy_table *policy_table_new(void);
 *	struct policy_table *policy_table_free(struct policy_table *tp,
 *			void (*free_value)(void *));
 *	int	policy_table_enter(struct policy_table *tp, struct str key,
 *			void *value);
 *	void   *policy_table_find(const struct policy_table *tp,
 *			struct str key);
 *	size_t	policy_table_count(const struct policy_table *tp);
 * DESCRIPTION
 *	A hash table from keys (ASCII case folded) to values the caller
 *	owns. policy_table_enter() copies the key and returns 1, or 0 when
 *	the key is already present (nothing changed). policy_table_find()
 *	returns the value or NULL. policy_table_free() calls free_value
 *	(when not NULL) on every value. Lookups cost O(1) on average, so a
 *	table of tens of thousands of routes stays cheap.
 */
#ifndef POLICY_TABLE_H
#define POLICY_TABLE_H

#include <stddef.h>

#include "str.h"

struct policy_table;

struct policy_table *policy_table_new(void);
struct policy_table *policy_table_free(struct policy_table *,
	    void (*)(void *));
int	policy_table_enter(struct policy_table *, struct str, void *);
void   *policy_table_find(const struct policy_table *, struct str);
size_t	policy_table_count(const struct policy_table *);

#endif
