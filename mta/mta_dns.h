/*
 * NAME
 *	mta_dns - the DNS resolver the configuration names
 * SYNOPSIS
 *	#include "mta_dns.h"
 *
 *	struct dns *mta_dns_open(uv_loop_t *loop, const struct conf *cf);
 * DESCRIPTION
 *	mta_dns_open() starts a resolver (dns(3), c-ares on the loop) with
 *	the servers, timeout and attempts of the dns section: dns.servers
 *	when given, else those of /etc/resolv.conf. A resolver that cannot
 *	start is a broken environment: the process exits with a fatal
 *	error. Listeners and delivery processes each open their own.
 */
#ifndef MTA_DNS_H
#define MTA_DNS_H

#include <uv.h>

#include "dns.h"

#include "conf.h"

struct dns *mta_dns_open(uv_loop_t *, const struct conf *);

#endif
