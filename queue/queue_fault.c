/*
 * NAME
 *	queue_fault - fault injection seam for the spool's system calls
 * DESCRIPTION
 *	See queue_fault.h. The hook is process-global: the spool has one
 *	writer, and tests run one scenario per process.
 */
#include "config.h"

#include <stddef.h>

#include "queue_fault.h"

static queue_fault_fn fault_fn;
static void *fault_ctx;

/* queue_fault_set - install or remove the test hook */

void
queue_fault_set(queue_fault_fn fn, void *ctx)
{
	fault_fn = fn;
	fault_ctx = ctx;
}

/* queue_fault - ask the hook whether this step fails (an errno) */

int
queue_fault(const char *step)
{
	return (fault_fn ? fault_fn(step, fault_ctx) : 0);
}
