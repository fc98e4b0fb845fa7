/*
 * NAME
 *	tsup_int - internals shared by the files of the support library
 * SYNOPSIS
 *	#include "tsup_int.h"
 *
 *	void	tsup_track(void *obj, void (*release)(void *));
 *	void	tsup_untrack(void *obj);
 *	char	*tsup_vstrf(const char *fmt, va_list ap);
 *	void	tsup_sleep_ms(int ms);
 *	int	tsup_timeout(int timeout_ms);
 *	void	tsup_set_cloexec(int fd);
 *	void	tsup_set_nonblock(int fd, int on);
 *
 *	int	tsup_catch(void (*fn)(void *), void *arg, struct buf *msg);
 *	void	tsup_note(const char *fmt, ...);
 * DESCRIPTION
 *	Not for tests: the plumbing behind tsupport.h.
 *
 *	tsup_track() records an object and the function that releases
 *	it; tsup_fini() calls the release functions in reverse order.
 *	tsup_untrack() forgets an object the caller released itself.
 *	tsup_vstrf() is tsup_strf() for a va_list.
 *	tsup_timeout() maps 0 to tsup_deadline_ms().
 *
 *	tsup_catch() is for the self-tests of this library, which must
 *	show that a helper fails when it should: it runs fn(arg) and
 *	returns 1 with the failure message appended to msg when fn called
 *	tsup_fail(), 0 when fn returned. Objects that fn recorded are still
 *	released by tsup_fini(); plain memory fn held at the failure leaks.
 *
 *	tsup_note() reports what a helper set up (a port, a process, a
 *	directory) as a criterion info line, shown with --verbose.
 */
#ifndef TSUP_INT_H
#define TSUP_INT_H

#include <stdarg.h>

void	tsup_track(void *, void (*)(void *));
void	tsup_untrack(void *);
char   *tsup_vstrf(const char *, va_list);
void	tsup_sleep_ms(int);
int	tsup_timeout(int);
void	tsup_set_cloexec(int);
void	tsup_set_nonblock(int, int);

struct buf;
int	tsup_catch(void (*)(void *), void *, struct buf *);
void	tsup_note(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
