/*
 * NAME
 *	mta_dns - the DNS resolver the configuration names
 * DESCRIPTION
 *	See mta_dns.h.
 */
#include "config.h"

#include <string.h>

#include "mem.h"
#include "msg.h"

#include "mta_dns.h"

/* mta_dns_open - start the resolver of the configuration */

struct dns *
mta_dns_open(uv_loop_t *loop, const struct conf *cf)
{
	struct dns_options opts;
	const char **servers = mem_zalloc(cf->dns.server_count + 1,
	    sizeof(*servers));
	struct dns *dns;
	size_t	i;

	for (i = 0; i < cf->dns.server_count; i++)
		servers[i] = cf->dns.servers[i].text;
	memset(&opts, 0, sizeof(opts));
	opts.servers = servers;
	opts.nservers = cf->dns.server_count;
	opts.timeout_ms = (unsigned) cf->dns.timeout * 1000U;
	opts.tries = (unsigned) cf->dns.attempts;
	dns = dns_new(loop, &opts);
	mem_free(servers);
	if (dns == NULL)
		msg_fatal("cannot start the DNS resolver");
	return (dns);
}
