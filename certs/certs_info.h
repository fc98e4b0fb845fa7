/*
 * NAME
 *	certs_info - what an operator wants to know about a certificate
 * SYNOPSIS
 *	#include "certs_info.h"
 *
 *	struct certs_info {
 *		char	*subject;	RFC 2253
 *		char	*issuer;
 *		char	*serial;	hex
 *		char	**sans;		"DNS:x", "IP:y", ...
 *		size_t	san_count;
 *		time_t	not_before;
 *		time_t	not_after;
 *		long	days_left;	whole days to not_after; when
 *					expired, minus the whole days
 *					since (at least 1)
 *		char	key_type[16];	"RSA", "EC", "ED25519", ...
 *		char	key_group[32];	curve name for EC, else ""
 *		int	key_bits;
 *		char	sha256[96];	fingerprint, "AB:CD:..."
 *		int	self_signed;	issued and signed by its own key
 *		int	demo;		certs_demo_is()
 *	};
 *
 *	int	certs_info_get(X509 *cert, time_t now,
 *		    struct certs_info *info, struct buf *err);
 *	void	certs_info_free(struct certs_info *info);
 *	void	certs_info_time(time_t when, struct buf *out);
 * DESCRIPTION
 *	certs_info_get() fills info from cert as seen at time now, and
 *	returns 0, or -1 with the reason in err (a certificate whose
 *	dates OpenSSL cannot read). certs_info_free() releases what it
 *	allocated (not info itself). certs_info_time() appends a time as
 *	"YYYY-MM-DDTHH:MM:SSZ".
 *
 *	Nothing about a private key is ever part of it.
 */
#ifndef CERTS_INFO_H
#define CERTS_INFO_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "buf.h"

struct certs_info {
	char   *subject;
	char   *issuer;
	char   *serial;
	char  **sans;
	size_t	san_count;
	time_t	not_before;
	time_t	not_after;
	long	days_left;
	char	key_type[16];
	char	key_group[32];
	int	key_bits;
	char	sha256[96];
	int	self_signed;
	int	demo;
};

int	certs_info_get(X509 *, time_t, struct certs_info *, struct buf *);
void	certs_info_free(struct certs_info *);
void	certs_info_time(time_t, struct buf *);

#endif
