/*
 * NAME
 *	conf_test_util - helpers shared by the config/ unit tests
 * SYNOPSIS
 *	#include "conf_test_util.h"
 *
 *	struct conf *conf_test_load(const char *yaml, struct buf *errors);
 *	char	*conf_test_dump(const struct conf *cf);
 * DESCRIPTION
 *	conf_test_load() loads YAML text under the file name "t.yaml" (so
 *	error messages read "t.yaml:LINE:COL: ..."). conf_test_dump()
 *	returns conf_dump() output that the caller frees with mem_free().
 */
#ifndef CONF_TEST_UTIL_H
#define CONF_TEST_UTIL_H

#include <string.h>

#include "buf.h"
#include "mem.h"

#include "conf.h"

/* conf_test_load - load YAML text as the file "t.yaml" */

static inline struct conf *
conf_test_load(const char *yaml, struct buf *errors)
{
	return (conf_load_string("t.yaml", yaml, strlen(yaml), errors));
}

/* conf_test_dump - conf_dump() output as a string to mem_free() */

static inline char *
conf_test_dump(const struct conf *cf)
{
	struct buf out;
	char   *text;

	buf_init(&out, 0);
	conf_dump(cf, &out);
	text = buf_steal(&out);
	buf_fini(&out);
	return (text);
}

#endif
