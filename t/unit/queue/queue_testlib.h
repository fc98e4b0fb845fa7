/*
 * NAME
 *	queue_testlib - helpers shared by the queue tests
 * SYNOPSIS
 *	#include "queue_testlib.h"
 *
 *	char	*qt_tmpdir(void);
 *	void	qt_rmtree(const char *path);
 *	char	*qt_path(const char *dir, const char *name);
 *	void	qt_env_sample(struct queue_env *env, size_t nrcpt);
 *	struct queue_spool *qt_open(const char *dir);
 *	uint64_t qt_receive(struct queue_spool *spool,
 *		    const struct queue_env *env, const char *content,
 *		    size_t len);
 *	size_t	qt_count(const char *dir, const char *sub);
 *	int	qt_exists(const char *dir, const char *sub, uint64_t mid);
 *	void	qt_capture_start(void);
 *	const char *qt_captured(void);
 *	void	qt_capture_stop(void);
 *	struct qt_scan { ... };
 *	int	qt_scan_fn(const struct queue_env *, enum queue_state, void *);
 * DESCRIPTION
 *	qt_tmpdir() makes a fresh directory (the caller qt_rmtree()s and
 *	mem_free()s it). qt_open() opens and scans a spool, asserting
 *	success. qt_receive() runs open_message, a write of content and a
 *	commit, asserting success, and returns the MID. qt_count() counts
 *	the entries of dir/sub. qt_capture_*() collect the msg(3) lines
 *	(warnings name the file and the reason of a corrupt move).
 *	qt_scan_fn() records every envelope a scan reports in a struct
 *	qt_scan.
 */
#ifndef QUEUE_TESTLIB_H
#define QUEUE_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

#include "queue_env.h"
#include "queue_spool.h"

#define QT_SCAN_MAX	64

struct qt_scan {
	size_t	n;
	uint64_t mid[QT_SCAN_MAX];
	enum queue_state state[QT_SCAN_MAX];
	uint64_t size[QT_SCAN_MAX];
	size_t	rcpts[QT_SCAN_MAX];
	enum queue_rcpt_state rcpt0[QT_SCAN_MAX];
};

char   *qt_tmpdir(void);
void	qt_rmtree(const char *);
char   *qt_path(const char *, const char *);
void	qt_env_sample(struct queue_env *, size_t);
struct queue_spool *qt_open(const char *);
uint64_t qt_receive(struct queue_spool *, const struct queue_env *,
	    const char *, size_t);
size_t	qt_count(const char *, const char *);
int	qt_exists(const char *, const char *, uint64_t);
void	qt_capture_start(void);
const char *qt_captured(void);
void	qt_capture_stop(void);
int	qt_scan_fn(const struct queue_env *, enum queue_state, void *);
int	qt_scan_find(const struct qt_scan *, uint64_t);

#endif
