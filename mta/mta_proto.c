/*
 * NAME
 *	mta_proto - the messages between mtad processes, and their fds
 * DESCRIPTION
 *	See mta_proto.h. Only the list packing needs code.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "mta_proto.h"

/* mta_proto_put_list - pack strings into one bytes attribute */

void
mta_proto_put_list(struct ipc_msg *m, unsigned key, char *const *items,
    size_t count)
{
	struct buf *bp = buf_new(0);
	size_t	i;

	for (i = 0; i < count; i++) {
		size_t	len = strlen(items[i]);
		uint32_t n = htonl((uint32_t) len);

		buf_append(bp, &n, sizeof(n));
		buf_append(bp, items[i], len);
	}
	ipc_put_bytes(m, key, bp->data, bp->len);
	buf_free(bp);
}

/* mta_proto_get_list - unpack a list packed by mta_proto_put_list */

int
mta_proto_get_list(const struct ipc_msg *m, unsigned key, char ***itemsp,
    size_t *countp)
{
	const unsigned char *p;
	const void *data;
	size_t	len;
	size_t	count = 0;
	size_t	off;
	char  **items = NULL;
	int	rc;

	*itemsp = NULL;
	*countp = 0;
	if ((rc = ipc_get_bytes(m, key, &data, &len)) != IPC_FOUND)
		return (rc);
	p = data;
	for (off = 0; off < len; count++) {
		uint32_t n;

		if (len - off < sizeof(n))
			goto bad;
		memcpy(&n, p + off, sizeof(n));
		n = ntohl(n);
		off += sizeof(n);
		if (n > len - off || memchr(p + off, 0, n) != NULL)
			goto bad;
		items = mem_realloc(items, count + 1, sizeof(*items));
		items[count] = mem_dup(p + off, n);
		off += n;
	}
	*itemsp = items;
	*countp = count;
	return (IPC_FOUND);
bad:
	mta_proto_free_list(items, count);
	return (-1);
}

/* mta_proto_free_list - free an unpacked list */

void
mta_proto_free_list(char **items, size_t count)
{
	size_t	i;

	for (i = 0; i < count; i++)
		mem_free(items[i]);
	mem_free(items);
}
