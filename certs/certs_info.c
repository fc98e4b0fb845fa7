/*
 * NAME
 *	certs_info - what an operator wants to know about a certificate
 * DESCRIPTION
 *	See certs_info.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "certs_demo.h"
#include "certs_x509.h"
#include "certs_info.h"

/* certs_info_asn1_time - an ASN1_TIME as a time_t */

static int
certs_info_asn1_time(const ASN1_TIME *when, time_t *out)
{
	struct tm tm;

	if (when == NULL || !ASN1_TIME_to_tm(when, &tm))
		return (-1);
	*out = timegm(&tm);
	return (0);
}

/* certs_info_time - a time as YYYY-MM-DDTHH:MM:SSZ */

void
certs_info_time(time_t when, struct buf *out)
{
	struct tm tm;
	char	text[64];

	if (gmtime_r(&when, &tm) == NULL
	    || strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		buf_printf(out, "@%lld", (long long) when);
		return;
	}
	buf_puts(out, text);
}

/* certs_info_ia5 - append an IA5String, escaping what is not printable */

static void
certs_info_ia5(const ASN1_STRING *str, struct buf *out)
{
	const unsigned char *cp = ASN1_STRING_get0_data(str);
	int	i, len = ASN1_STRING_length(str);

	for (i = 0; i < len; i++) {
		if (cp[i] < 0x20 || cp[i] >= 0x7f || cp[i] == '\\')
			buf_printf(out, "\\x%02x", cp[i]);
		else
			buf_putc(out, cp[i]);
	}
}

/* certs_info_sans - the subject alternative names, as text */

static void
certs_info_sans(X509 *cert, struct certs_info *info)
{
	GENERAL_NAMES *names;
	GENERAL_NAME *gn;
	struct buf *item = buf_new(0);
	char	addr[INET6_ADDRSTRLEN];
	const unsigned char *ip;
	int	i, n;

	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (names == NULL) {
		buf_free(item);
		return;
	}
	n = sk_GENERAL_NAME_num(names);
	info->sans = mem_zalloc((size_t) n + 1, sizeof(*info->sans));
	for (i = 0; i < n; i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		buf_reset(item);
		switch (gn->type) {
		case GEN_DNS:
			buf_puts(item, "DNS:");
			certs_info_ia5(gn->d.dNSName, item);
			break;
		case GEN_EMAIL:
			buf_puts(item, "email:");
			certs_info_ia5(gn->d.rfc822Name, item);
			break;
		case GEN_URI:
			buf_puts(item, "URI:");
			certs_info_ia5(gn->d.uniformResourceIdentifier, item);
			break;
		case GEN_IPADD:
			ip = ASN1_STRING_get0_data(gn->d.iPAddress);
			if (ASN1_STRING_length(gn->d.iPAddress) == 4)
				(void) inet_ntop(AF_INET, ip, addr,
				    sizeof(addr));
			else if (ASN1_STRING_length(gn->d.iPAddress) == 16)
				(void) inet_ntop(AF_INET6, ip, addr,
				    sizeof(addr));
			else
				(void) snprintf(addr, sizeof(addr), "?");
			buf_printf(item, "IP:%s", addr);
			break;
		case GEN_DIRNAME:
			buf_puts(item, "DirName:");
			certs_x509_name(gn->d.directoryName, item);
			break;
		default:
			buf_printf(item, "other:%d", gn->type);
			break;
		}
		info->sans[info->san_count++] = mem_strdup(item->data);
	}
	GENERAL_NAMES_free(names);
	buf_free(item);
}

/* certs_info_key - key type and size */

static void
certs_info_key(X509 *cert, struct certs_info *info)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert);
	const char *type;
	size_t	len;

	if (pub == NULL) {
		(void) snprintf(info->key_type, sizeof(info->key_type),
		    "unknown");
		ERR_clear_error();
		return;
	}
	switch (EVP_PKEY_get_base_id(pub)) {
	case EVP_PKEY_RSA:
		type = "RSA";
		break;
	case EVP_PKEY_EC:
		type = "EC";
		break;
	case EVP_PKEY_ED25519:
		type = "ED25519";
		break;
	case EVP_PKEY_ED448:
		type = "ED448";
		break;
	default:
		type = EVP_PKEY_get0_type_name(pub);
		break;
	}
	(void) snprintf(info->key_type, sizeof(info->key_type), "%s",
	    type ? type : "unknown");
	info->key_bits = EVP_PKEY_get_bits(pub);
	if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC
	    && !EVP_PKEY_get_utf8_string_param(pub,
	    OSSL_PKEY_PARAM_GROUP_NAME, info->key_group,
	    sizeof(info->key_group), &len))
		info->key_group[0] = 0;
	ERR_clear_error();
}

/* certs_info_get - describe a certificate */

int
certs_info_get(X509 *cert, time_t now, struct certs_info *info,
    struct buf *err)
{
	struct buf *text = buf_new(0);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	BIGNUM *bn;
	char   *hex;
	EVP_PKEY *pub;
	size_t	off;
	time_t	left;

	memset(info, 0, sizeof(*info));
	if (certs_info_asn1_time(X509_get0_notBefore(cert),
	    &info->not_before) == -1
	    || certs_info_asn1_time(X509_get0_notAfter(cert),
	    &info->not_after) == -1) {
		certs_x509_ssl_error(err, "certificate validity dates");
		buf_free(text);
		return (-1);
	}
	certs_x509_name(X509_get_subject_name(cert), text);
	info->subject = mem_strdup(text->data);
	buf_reset(text);
	certs_x509_name(X509_get_issuer_name(cert), text);
	info->issuer = mem_strdup(text->data);
	buf_free(text);

	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	hex = bn ? BN_bn2hex(bn) : NULL;
	info->serial = mem_strdup(hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);

	certs_info_sans(cert, info);
	certs_info_key(cert, info);

	if (X509_digest(cert, EVP_sha256(), md, &mdlen)) {
		for (i = 0, off = 0; i < mdlen
		    && off + 3 < sizeof(info->sha256); i++)
			off += (size_t) snprintf(info->sha256 + off,
			    sizeof(info->sha256) - off, "%s%02X",
			    i ? ":" : "", md[i]);
	}

	/* Self-signed: its own issuer by name and by signature (a server
	 * certificate need not allow certificate signing, so not by
	 * X509_check_issued). */
	pub = X509_get0_pubkey(cert);
	info->self_signed = X509_NAME_cmp(X509_get_subject_name(cert),
	    X509_get_issuer_name(cert)) == 0
	    && pub != NULL && X509_verify(cert, pub) == 1;
	info->demo = certs_demo_is(cert);
	ERR_clear_error();

	/* Whole days left; for an expired one, minus the whole days
	 * since, and at least -1 so that the sign says "expired". */
	left = info->not_after - now;
	if (left >= 0)
		info->days_left = (long) (left / 86400);
	else
		info->days_left = -(long) ((-left) / 86400 > 0 ?
		    (-left) / 86400 : 1);
	return (0);
}

/* certs_info_free - release what certs_info_get allocated */

void
certs_info_free(struct certs_info *info)
{
	size_t	i;

	mem_free(info->subject);
	mem_free(info->issuer);
	mem_free(info->serial);
	for (i = 0; i < info->san_count; i++)
		mem_free(info->sans[i]);
	mem_free(info->sans);
	memset(info, 0, sizeof(*info));
}
