/*
 * NAME
 *	mtactl_cert - the "mtactl cert" commands
 * DESCRIPTION
 *	See mtactl_cert.h. Each command parses its options, does its work
 *	through certs_x509, certs_p12 and certs_info, and writes its
 *	outputs with certs_x509_write(), all or nothing: an error leaves
 *	the disk as it was.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"

#include "certs_info.h"
#include "certs_p12.h"
#include "certs_x509.h"

#include "mtactl_cert.h"
#include "mtactl_opt.h"

#define MTACTL_CERT_DAYS	3650	/* the appliance's usual choice */
#define MTACTL_CERT_MAX_ARGS	64

/*
 * One option: "--name VALUE", "--name=VALUE" or a flag "--name".
 */
struct mtactl_cert_opt {
	const char *name;
	const char **value;		/* NULL: a flag */
	int    *flag;
};

/*
 * What a command was given.
 */
struct mtactl_cert_args {
	struct certs_subject subj;
	const char *key_type;
	const char *days;
	const char *out_cert;
	const char *out_key;
	const char *out_csr;
	const char *out_chain;
	const char *out;
	const char *in;
	const char *key;
	const char *cert;
	const char *chain;
	const char *pass_file;
	const char *pass_env;
	const char *warn_days;
	const char *ca_file;
	const char *config;
	const char *expiring;
	int	force;
	int	json;
	int	help;
	char   *files[MTACTL_CERT_MAX_ARGS];	/* show: the file names */
	int	file_count;
};

struct mtactl_cert_cmd {
	const char *name;
	int	(*fn) (int, char **, struct mtactl_cert_args *);
	const char *usage;
};

static const struct mtactl_cert_cmd *mtactl_cert_find(const char *);

/* mtactl_cert_bad - a command line error: say why and how, exit 2 */

static int
mtactl_cert_bad(const char *cmd, const char *fmt, ...)
{
	const struct mtactl_cert_cmd *cp = mtactl_cert_find(cmd);
	struct buf *why = buf_new(0);
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
	msg_error("cert %s: %s", cmd, why->data);
	if (cp != NULL)
		(void) fprintf(stderr, "usage: mtactl cert %s %s\n", cp->name,
		    cp->usage);
	buf_free(why);
	return (2);
}

/* mtactl_cert_fail - report an error of a command, exit 1 */

static int
mtactl_cert_fail(const char *cmd, const struct buf *err)
{
	msg_error("cert %s: %s", cmd, err->data);
	return (1);
}

/* mtactl_cert_parse - parse a command's options */

static int
mtactl_cert_parse(const char *cmd, const struct mtactl_cert_opt *opts,
    int positional, int argc, char **argv, struct mtactl_cert_args *a)
{
	const struct mtactl_cert_opt *op;
	const char *arg, *eq;
	size_t	len;
	int	i;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "--") == 0 && positional) {
			/* The rest are file names, even "--json". */
			while (++i < argc) {
				if (a->file_count >= MTACTL_CERT_MAX_ARGS)
					return (mtactl_cert_bad(cmd, "more "
					    "than %d files",
					    MTACTL_CERT_MAX_ARGS));
				a->files[a->file_count++] = argv[i];
			}
			break;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			a->help = 1;
			return (0);
		}
		if (strcmp(arg, "--json") == 0) {
			a->json = 1;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == 0) {
			if (!positional)
				return (mtactl_cert_bad(cmd, "unexpected "
				    "argument \"%s\"", arg));
			if (a->file_count >= MTACTL_CERT_MAX_ARGS)
				return (mtactl_cert_bad(cmd, "more than %d "
				    "files", MTACTL_CERT_MAX_ARGS));
			a->files[a->file_count++] = argv[i];
			continue;
		}
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t) (eq - arg) : strlen(arg);
		for (op = opts; op->name; op++)
			if (strlen(op->name) == len
			    && strncmp(op->name, arg, len) == 0)
				break;
		if (op->name == NULL)
			return (mtactl_cert_bad(cmd, "unknown option --%.*s",
			    (int) len, arg));
		if (op->value == NULL) {
			if (eq != NULL)
				return (mtactl_cert_bad(cmd, "option --%s "
				    "takes no value", op->name));
			*op->flag = 1;
			continue;
		}
		if (*op->value != NULL)
			return (mtactl_cert_bad(cmd, "option --%s given twice",
			    op->name));
		if (eq != NULL)
			*op->value = eq + 1;
		else if (i + 1 < argc)
			*op->value = argv[++i];
		else
			return (mtactl_cert_bad(cmd, "option --%s needs a "
			    "value", op->name));
	}
	return (0);
}

/* mtactl_cert_need - complain about a missing required option */

static int
mtactl_cert_need(const char *cmd, const char *const *names,
    const char *const *values)
{
	int	i;

	for (i = 0; names[i]; i++)
		if (values[i] == NULL)
			return (mtactl_cert_bad(cmd, "option --%s is required",
			    names[i]));
	return (0);
}

/* mtactl_cert_number - a non-negative decimal number */

static int
mtactl_cert_number(const char *text, long max, long *out)
{
	char   *end;
	long	val;

	if (text[0] < '0' || text[0] > '9')
		return (-1);
	errno = 0;
	val = strtol(text, &end, 10);
	if (errno != 0 || *end != 0 || val > max)
		return (-1);
	*out = val;
	return (0);
}

/* mtactl_cert_json_print - print a JSON value and free it */

static void
mtactl_cert_json_print(json_t *val)
{
	char   *text = json_dumps(val, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (text == NULL)
		msg_fatal("cannot encode JSON output");
	(void) printf("%s\n", text);
	free(text);
	json_decref(val);
}

/* mtactl_cert_json_str - add a string member unless NULL */

static void
mtactl_cert_json_str(json_t *obj, const char *key, const char *val)
{
	if (val != NULL)
		(void) json_object_set_new(obj, key, json_string(val));
}

/*
 * Subject options, shared by selfsign and csr.
 */
#define MTACTL_CERT_SUBJECT_OPTS(a) \
	{"cn", &(a)->subj.cn, NULL}, \
	{"o", &(a)->subj.o, NULL}, \
	{"ou", &(a)->subj.ou, NULL}, \
	{"l", &(a)->subj.l, NULL}, \
	{"st", &(a)->subj.st, NULL}, \
	{"c", &(a)->subj.c, NULL}, \
	{"san", &(a)->subj.san, NULL}

/* mtactl_cert_selfsign - a new key and a self-signed certificate */

static int
mtactl_cert_selfsign(int argc, char **argv, struct mtactl_cert_args *a)
{
	static const char *const need[] = {"cn", "out-cert", "out-key", NULL};
	const struct mtactl_cert_opt opts[] = {
		MTACTL_CERT_SUBJECT_OPTS(a),
		{"key", &a->key_type, NULL},
		{"days", &a->days, NULL},
		{"out-cert", &a->out_cert, NULL},
		{"out-key", &a->out_key, NULL},
		{"out-csr", &a->out_csr, NULL},
		{"force", NULL, &a->force},
		{NULL, NULL, NULL},
	};
	struct buf *err = buf_new(0);
	struct buf *pem_key = buf_new(0);
	struct buf *pem_cert = buf_new(0);
	struct buf *pem_csr = buf_new(0);
	EVP_PKEY *key = NULL;
	X509   *cert = NULL;
	X509_REQ *req = NULL;
	struct certs_info info;
	long	days = MTACTL_CERT_DAYS;
	int	type = CERTS_KEY_RSA2048;
	int	rc;
	json_t *obj;

	if ((rc = mtactl_cert_parse("selfsign", opts, 0, argc,
	    argv, a)) != 0 || a->help)
		goto out;
	{
		const char *const have[] = {a->subj.cn, a->out_cert,
		a->out_key};

		if ((rc = mtactl_cert_need("selfsign", need, have)) != 0)
			goto out;
	}
	if (a->key_type && (type = certs_x509_key_type(a->key_type)) == -1) {
		rc = mtactl_cert_bad("selfsign", "--key %s: not one of "
		    "rsa2048, rsa4096, p256, p384", a->key_type);
		goto out;
	}
	if (a->days && (mtactl_cert_number(a->days, CERTS_MAX_DAYS, &days)
	    == -1 || days < 1)) {
		rc = mtactl_cert_bad("selfsign", "--days %s: not a number of "
		    "days from 1 to %d", a->days, CERTS_MAX_DAYS);
		goto out;
	}
	rc = 1;
	if ((key = certs_x509_keygen(type, err)) == NULL
	    || (cert = certs_x509_selfsign(key, &a->subj, (int) days,
	    err)) == NULL
	    || (a->out_csr && (req = certs_x509_csr(key, &a->subj,
	    err)) == NULL)) {
		rc = mtactl_cert_fail("selfsign", err);
		goto out;
	}
	certs_x509_pem_key(key, pem_key);
	certs_x509_pem_cert(cert, pem_cert);
	if (req != NULL)
		certs_x509_pem_req(req, pem_csr);
	{
		const struct certs_file files[] = {
			{a->out_key, 0600, pem_key},
			{a->out_cert, 0644, pem_cert},
			{a->out_csr, 0644, pem_csr},
		};

		if (certs_x509_write(files, 3, a->force, err) == -1) {
			rc = mtactl_cert_fail("selfsign", err);
			goto out;
		}
	}
	if (certs_info_get(cert, time(NULL), &info, err) == -1) {
		rc = mtactl_cert_fail("selfsign", err);
		goto out;
	}
	if (a->json) {
		obj = json_object();
		mtactl_cert_json_str(obj, "certificate", a->out_cert);
		mtactl_cert_json_str(obj, "key", a->out_key);
		mtactl_cert_json_str(obj, "csr", a->out_csr);
		mtactl_cert_json_str(obj, "subject", info.subject);
		mtactl_cert_json_str(obj, "sha256", info.sha256);
		mtactl_cert_json_print(obj);
	} else {
		(void) printf("certificate: %s\nprivate key: %s\n",
		    a->out_cert, a->out_key);
		if (a->out_csr)
			(void) printf("request: %s\n", a->out_csr);
		(void) printf("subject: %s\nsha256: %s\n", info.subject,
		    info.sha256);
	}
	certs_info_free(&info);
	rc = 0;
out:
	OPENSSL_cleanse(pem_key->data, pem_key->len);
	buf_free(pem_key);
	buf_free(pem_cert);
	buf_free(pem_csr);
	buf_free(err);
	EVP_PKEY_free(key);
	X509_free(cert);
	X509_REQ_free(req);
	return (rc);
}

/* mtactl_cert_csr - a request for an existing key */

static int
mtactl_cert_csr(int argc, char **argv, struct mtactl_cert_args *a)
{
	static const char *const need[] = {"key", "cn", "out", NULL};
	const struct mtactl_cert_opt opts[] = {
		MTACTL_CERT_SUBJECT_OPTS(a),
		{"key", &a->key, NULL},
		{"out", &a->out, NULL},
		{"force", NULL, &a->force},
		{NULL, NULL, NULL},
	};
	struct buf *err = buf_new(0);
	struct buf *pem = buf_new(0);
	EVP_PKEY *key = NULL;
	X509_REQ *req = NULL;
	int	rc;

	if ((rc = mtactl_cert_parse("csr", opts, 0, argc, argv, a)) != 0
	    || a->help)
		goto out;
	{
		const char *const have[] = {a->key, a->subj.cn, a->out};

		if ((rc = mtactl_cert_need("csr", need, have)) != 0)
			goto out;
	}
	if ((key = certs_x509_load_key(a->key, err)) == NULL
	    || (req = certs_x509_csr(key, &a->subj, err)) == NULL) {
		rc = mtactl_cert_fail("csr", err);
		goto out;
	}
	certs_x509_pem_req(req, pem);
	{
		const struct certs_file file = {a->out, 0644, pem};

		if (certs_x509_write(&file, 1, a->force, err) == -1) {
			rc = mtactl_cert_fail("csr", err);
			goto out;
		}
	}
	if (a->json) {
		json_t *obj = json_object();

		mtactl_cert_json_str(obj, "csr", a->out);
		mtactl_cert_json_print(obj);
	} else
		(void) printf("request: %s\n", a->out);
	rc = 0;
out:
	buf_free(err);
	buf_free(pem);
	EVP_PKEY_free(key);
	X509_REQ_free(req);
	return (rc);
}

/* mtactl_cert_load_chain - the leaf and every intermediate given */

static int
mtactl_cert_load_chain(const char *cert_file, const char *chain_file,
    X509 **leaf, STACK_OF(X509) **chain, struct buf *err)
{
	STACK_OF(X509) *certs, *more = NULL;
	X509   *cert;

	*leaf = NULL;
	*chain = NULL;
	if ((certs = certs_x509_load_certs(cert_file, err)) == NULL)
		return (-1);
	if (chain_file != NULL
	    && (more = certs_x509_load_certs(chain_file, err)) == NULL) {
		sk_X509_pop_free(certs, X509_free);
		return (-1);
	}
	/* The certificate file may carry intermediates after the leaf. */
	while (more != NULL && (cert = sk_X509_shift(more)) != NULL)
		if (!sk_X509_push(certs, cert))
			msg_fatal("out of memory");
	sk_X509_free(more);
	*leaf = sk_X509_shift(certs);
	*chain = certs;
	return (0);
}

/* mtactl_cert_chain_what - how to name the certificates in an error */

static void
mtactl_cert_chain_what(const char *cert_file, const char *chain_file,
    struct buf *err)
{
	if (chain_file != NULL)
		buf_printf(err, "%s with %s: ", cert_file, chain_file);
	else
		buf_printf(err, "%s: ", cert_file);
}

/* mtactl_cert_install - check a signed certificate, write the chain */

static int
mtactl_cert_install(int argc, char **argv, struct mtactl_cert_args *a)
{
	static const char *const need[] = {"key", "cert", "out", NULL};
	const struct mtactl_cert_opt opts[] = {
		{"key", &a->key, NULL},
		{"cert", &a->cert, NULL},
		{"chain", &a->chain, NULL},
		{"ca-file", &a->ca_file, NULL},
		{"out", &a->out, NULL},
		{"force", NULL, &a->force},
		{NULL, NULL, NULL},
	};
	struct buf *err = buf_new(0);
	struct buf *pem = buf_new(0);
	EVP_PKEY *key = NULL;
	X509   *leaf = NULL;
	STACK_OF(X509) *chain = NULL;
	struct certs_info info;
	int	rc, i;
	time_t	now = time(NULL);

	if ((rc = mtactl_cert_parse("install", opts, 0, argc,
	    argv, a)) != 0 || a->help)
		goto out;
	{
		const char *const have[] = {a->key, a->cert, a->out};

		if ((rc = mtactl_cert_need("install", need, have)) != 0)
			goto out;
	}
	rc = 1;
	if ((key = certs_x509_load_key(a->key, err)) == NULL
	    || mtactl_cert_load_chain(a->cert, a->chain, &leaf, &chain,
	    err) == -1) {
		rc = mtactl_cert_fail("install", err);
		goto out;
	}
	if (certs_x509_check_key(leaf, key, err) == -1) {
		buf_reset(pem);
		buf_printf(pem, "%s and %s: %s", a->cert, a->key, err->data);
		rc = mtactl_cert_fail("install", pem);
		goto out;
	}
	mtactl_cert_chain_what(a->cert, a->chain, pem);
	if (certs_x509_check_chain(leaf, chain, pem) == -1
	    || (a->ca_file != NULL
	    && certs_x509_verify(leaf, chain, a->ca_file, pem) == -1)) {
		rc = mtactl_cert_fail("install", pem);
		goto out;
	}
	buf_reset(pem);
	if (certs_info_get(leaf, now, &info, err) == -1) {
		rc = mtactl_cert_fail("install", err);
		goto out;
	}
	buf_reset(err);
	if (info.days_left < 0) {
		certs_info_time(info.not_after, err);
		msg_warn("%s: the certificate expired at %s", a->cert,
		    err->data);
	} else if (info.not_before > now) {
		certs_info_time(info.not_before, err);
		msg_warn("%s: the certificate is not valid before %s",
		    a->cert, err->data);
	}
	if (info.self_signed)
		msg_warn("%s: the certificate is self-signed: peers that "
		    "verify will not accept it", a->cert);
	else if (sk_X509_num(chain) == 0)
		msg_warn("%s: no intermediates given: peers can verify the "
		    "certificate only if its issuer %s is a root they "
		    "trust", a->cert, info.issuer);
	certs_info_free(&info);
	certs_x509_pem_cert(leaf, pem);
	for (i = 0; i < sk_X509_num(chain); i++)
		certs_x509_pem_cert(sk_X509_value(chain, i), pem);
	{
		const struct certs_file file = {a->out, 0644, pem};

		if (certs_x509_write(&file, 1, a->force, err) == -1) {
			rc = mtactl_cert_fail("install", err);
			goto out;
		}
	}
	if (a->json) {
		json_t *obj = json_object();

		mtactl_cert_json_str(obj, "chain", a->out);
		(void) json_object_set_new(obj, "intermediates",
		    json_integer(sk_X509_num(chain)));
		mtactl_cert_json_print(obj);
	} else
		(void) printf("chain: %s (the certificate and %d "
		    "intermediate%s)\n", a->out, sk_X509_num(chain),
		    sk_X509_num(chain) == 1 ? "" : "s");
	rc = 0;
out:
	buf_free(err);
	buf_free(pem);
	EVP_PKEY_free(key);
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	return (rc);
}

/* mtactl_cert_password - the password from --password-file/-env */

static int
mtactl_cert_password(const char *cmd, struct mtactl_cert_args *a,
    struct buf *pass, struct buf *err)
{
	if ((a->pass_file == NULL) == (a->pass_env == NULL))
		return (mtactl_cert_bad(cmd, "give exactly one of "
		    "--password-file and --password-env"));
	if (certs_p12_password(a->pass_file, a->pass_env, pass, err) == -1)
		return (mtactl_cert_fail(cmd, err));
	return (0);
}

/* mtactl_cert_legacy - let old PKCS#12 files (RC2, 3DES) be read */

static OSSL_PROVIDER *
mtactl_cert_legacy(void)
{
	OSSL_PROVIDER *prov;

	/* Keeps the default provider; a missing module is not an error:
	 * the import then says which algorithm it could not use. */
	prov = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
	ERR_clear_error();
	return (prov);
}

/* mtactl_cert_import_p12 - a PKCS#12 file to PEM key and certificate */

static int
mtactl_cert_import_p12(int argc, char **argv, struct mtactl_cert_args *a)
{
	static const char *const need[] = {"in", "out-cert", "out-key", NULL};
	const struct mtactl_cert_opt opts[] = {
		{"in", &a->in, NULL},
		{"password-file", &a->pass_file, NULL},
		{"password-env", &a->pass_env, NULL},
		{"out-cert", &a->out_cert, NULL},
		{"out-key", &a->out_key, NULL},
		{"out-chain", &a->out_chain, NULL},
		{"force", NULL, &a->force},
		{NULL, NULL, NULL},
	};
	struct buf *err = buf_new(0);
	struct buf *pass = buf_new(0);
	struct buf *der = buf_new(0);
	struct buf *pem_key = buf_new(0);
	struct buf *pem_cert = buf_new(0);
	struct buf *pem_chain = buf_new(0);
	EVP_PKEY *key = NULL;
	X509   *cert = NULL;
	STACK_OF(X509) *pool = NULL, *chain = NULL;
	OSSL_PROVIDER *legacy = NULL;
	int	rc, i;

	if ((rc = mtactl_cert_parse("import-p12", opts, 0, argc,
	    argv, a)) != 0 || a->help)
		goto out;
	{
		const char *const have[] = {a->in, a->out_cert, a->out_key};

		if ((rc = mtactl_cert_need("import-p12", need, have)) != 0)
			goto out;
	}
	if ((rc = mtactl_cert_password("import-p12", a, pass, err)) != 0)
		goto out;
	rc = 1;
	if (certs_x509_read_file(a->in, der, err) == -1) {
		rc = mtactl_cert_fail("import-p12", err);
		goto out;
	}
	if ((i = certs_p12_import(der, a->in, pass->data, &key, &cert, &pool,
	    err)) == -2 && (legacy = mtactl_cert_legacy()) != NULL) {
		/* Made with RC2 or 3DES, as older systems export. */
		buf_reset(err);
		i = certs_p12_import(der, a->in, pass->data, &key, &cert,
		    &pool, err);
	}
	if (i != 0) {
		rc = mtactl_cert_fail("import-p12", err);
		goto out;
	}
	chain = certs_x509_chain_order(cert, pool);
	if (sk_X509_num(chain) < sk_X509_num(pool))
		msg_warn("%s: %d of the %d CA certificates are not "
		    "intermediates of the certificate (a root, or unrelated); "
		    "not written", a->in, sk_X509_num(pool) -
		    sk_X509_num(chain), sk_X509_num(pool));
	certs_x509_pem_key(key, pem_key);
	certs_x509_pem_cert(cert, pem_cert);
	/* Without --out-chain the certificate file is the listener's chain
	 * file: the certificate, then its intermediates. */
	for (i = 0; i < sk_X509_num(chain); i++)
		certs_x509_pem_cert(sk_X509_value(chain, i),
		    a->out_chain ? pem_chain : pem_cert);
	{
		const struct certs_file files[] = {
			{a->out_key, 0600, pem_key},
			{a->out_cert, 0644, pem_cert},
			{a->out_chain, 0644, pem_chain},
		};

		if (certs_x509_write(files, 3, a->force, err) == -1) {
			rc = mtactl_cert_fail("import-p12", err);
			goto out;
		}
	}
	if (a->json) {
		json_t *obj = json_object();

		mtactl_cert_json_str(obj, "certificate", a->out_cert);
		mtactl_cert_json_str(obj, "key", a->out_key);
		mtactl_cert_json_str(obj, "chain", a->out_chain);
		(void) json_object_set_new(obj, "intermediates",
		    json_integer(sk_X509_num(chain)));
		mtactl_cert_json_print(obj);
	} else {
		(void) printf("certificate: %s\nprivate key: %s\n",
		    a->out_cert, a->out_key);
		if (a->out_chain)
			(void) printf("chain: %s\n", a->out_chain);
		(void) printf("intermediates: %d\n", sk_X509_num(chain));
	}
	rc = 0;
out:
	OPENSSL_cleanse(pass->data, pass->len);
	OPENSSL_cleanse(pem_key->data, pem_key->len);
	buf_free(pass);
	buf_free(der);
	buf_free(pem_key);
	buf_free(pem_cert);
	buf_free(pem_chain);
	buf_free(err);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(pool, X509_free);
	sk_X509_pop_free(chain, X509_free);
	if (legacy != NULL)
		(void) OSSL_PROVIDER_unload(legacy);
	return (rc);
}

/* mtactl_cert_export_p12 - key and certificates to a PKCS#12 file */

static int
mtactl_cert_export_p12(int argc, char **argv, struct mtactl_cert_args *a)
{
	static const char *const need[] = {"cert", "key", "out", NULL};
	const struct mtactl_cert_opt opts[] = {
		{"cert", &a->cert, NULL},
		{"key", &a->key, NULL},
		{"chain", &a->chain, NULL},
		{"out", &a->out, NULL},
		{"password-file", &a->pass_file, NULL},
		{"password-env", &a->pass_env, NULL},
		{"force", NULL, &a->force},
		{NULL, NULL, NULL},
	};
	struct buf *err = buf_new(0);
	struct buf *pass = buf_new(0);
	struct buf *der = buf_new(0);
	EVP_PKEY *key = NULL;
	X509   *leaf = NULL;
	STACK_OF(X509) *chain = NULL;
	int	rc;

	if ((rc = mtactl_cert_parse("export-p12", opts, 0, argc,
	    argv, a)) != 0 || a->help)
		goto out;
	{
		const char *const have[] = {a->cert, a->key, a->out};

		if ((rc = mtactl_cert_need("export-p12", need, have)) != 0)
			goto out;
	}
	if ((rc = mtactl_cert_password("export-p12", a, pass, err)) != 0)
		goto out;
	rc = 1;
	if ((key = certs_x509_load_key(a->key, err)) == NULL
	    || mtactl_cert_load_chain(a->cert, a->chain, &leaf, &chain,
	    err) == -1) {
		rc = mtactl_cert_fail("export-p12", err);
		goto out;
	}
	if (certs_x509_check_key(leaf, key, err) == -1) {
		struct buf *why = buf_new(0);

		buf_printf(why, "%s and %s: %s", a->cert, a->key, err->data);
		rc = mtactl_cert_fail("export-p12", why);
		buf_free(why);
		goto out;
	}
	buf_reset(err);
	mtactl_cert_chain_what(a->cert, a->chain, err);
	if (certs_x509_check_chain(leaf, chain, err) == -1) {
		rc = mtactl_cert_fail("export-p12", err);
		goto out;
	}
	buf_reset(err);
	if (certs_p12_export(key, leaf, chain, pass->data, der, err) == -1) {
		rc = mtactl_cert_fail("export-p12", err);
		goto out;
	}
	{
		/* It holds the private key: owner only, like a key file. */
		const struct certs_file file = {a->out, 0600, der};

		if (certs_x509_write(&file, 1, a->force, err) == -1) {
			rc = mtactl_cert_fail("export-p12", err);
			goto out;
		}
	}
	if (a->json) {
		json_t *obj = json_object();

		mtactl_cert_json_str(obj, "pkcs12", a->out);
		(void) json_object_set_new(obj, "intermediates",
		    json_integer(sk_X509_num(chain)));
		mtactl_cert_json_print(obj);
	} else
		(void) printf("pkcs12: %s\n", a->out);
	rc = 0;
out:
	OPENSSL_cleanse(pass->data, pass->len);
	OPENSSL_cleanse(der->data, der->len);
	buf_free(pass);
	buf_free(der);
	buf_free(err);
	EVP_PKEY_free(key);
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	return (rc);
}

/* mtactl_cert_show_text - print one certificate for a person */

static void
mtactl_cert_show_text(const char *file, int idx, int count,
    const struct certs_info *info)
{
	struct buf *line = buf_new(0);
	size_t	i;

	if (count > 1)
		(void) printf("file:         %s (certificate %d of %d)\n",
		    file, idx + 1, count);
	else
		(void) printf("file:         %s\n", file);
	(void) printf("subject:      %s\n", info->subject);
	(void) printf("issuer:       %s\n", info->issuer);
	(void) printf("serial:       %s\n", info->serial);
	for (i = 0; i < info->san_count; i++)
		buf_printf(line, "%s%s", i ? ", " : "", info->sans[i]);
	(void) printf("names:        %s\n", line->len ? line->data : "(none)");
	buf_reset(line);
	certs_info_time(info->not_before, line);
	(void) printf("not before:   %s\n", line->data);
	buf_reset(line);
	certs_info_time(info->not_after, line);
	if (info->days_left < 0)
		buf_printf(line, " (expired %ld day%s ago)", -info->days_left,
		    info->days_left == -1 ? "" : "s");
	else
		buf_printf(line, " (%ld day%s left)", info->days_left,
		    info->days_left == 1 ? "" : "s");
	(void) printf("not after:    %s\n", line->data);
	if (info->key_group[0])
		(void) printf("key:          %s %d (%s)\n", info->key_type,
		    info->key_bits, info->key_group);
	else
		(void) printf("key:          %s %d\n", info->key_type,
		    info->key_bits);
	(void) printf("sha256:       %s\n", info->sha256);
	(void) printf("self-signed:  %s\n", info->self_signed ? "yes" : "no");
	(void) printf("demo:         %s\n", info->demo ? "yes (not "
	    "verifiable: replace it)" : "no");
	buf_free(line);
}

/* mtactl_cert_show_json - one certificate as a JSON object */

static json_t *
mtactl_cert_show_json(const char *file, int idx,
    const struct certs_info *info, int warn)
{
	json_t *obj = json_object();
	json_t *sans = json_array();
	struct buf *when = buf_new(0);
	size_t	i;

	mtactl_cert_json_str(obj, "file", file);
	(void) json_object_set_new(obj, "index", json_integer(idx));
	mtactl_cert_json_str(obj, "subject", info->subject);
	mtactl_cert_json_str(obj, "issuer", info->issuer);
	mtactl_cert_json_str(obj, "serial", info->serial);
	for (i = 0; i < info->san_count; i++)
		(void) json_array_append_new(sans, json_string(info->sans[i]));
	(void) json_object_set_new(obj, "san", sans);
	certs_info_time(info->not_before, when);
	mtactl_cert_json_str(obj, "not_before", when->data);
	buf_reset(when);
	certs_info_time(info->not_after, when);
	mtactl_cert_json_str(obj, "not_after", when->data);
	(void) json_object_set_new(obj, "days_left",
	    json_integer(info->days_left));
	(void) json_object_set_new(obj, "expired",
	    json_boolean(info->days_left < 0));
	mtactl_cert_json_str(obj, "key_type", info->key_type);
	(void) json_object_set_new(obj, "key_bits",
	    json_integer(info->key_bits));
	if (info->key_group[0])
		mtactl_cert_json_str(obj, "key_group", info->key_group);
	mtactl_cert_json_str(obj, "sha256", info->sha256);
	(void) json_object_set_new(obj, "self_signed",
	    json_boolean(info->self_signed));
	(void) json_object_set_new(obj, "demo", json_boolean(info->demo));
	if (warn >= 0)
		(void) json_object_set_new(obj, "expires_soon",
		    json_boolean(warn));
	buf_free(when);
	return (obj);
}

/* mtactl_cert_show - describe certificates */

static int
mtactl_cert_show(int argc, char **argv, struct mtactl_cert_args *a)
{
	const struct mtactl_cert_opt opts[] = {
		{"warn-days", &a->warn_days, NULL},
		{NULL, NULL, NULL},
	};
	struct buf *err = buf_new(0);
	STACK_OF(X509) *certs;
	struct certs_info info;
	json_t *all = NULL, *obj;
	time_t	now = time(NULL);
	long	warn_days = -1;
	int	rc, f, i, n, soon, failed = 0, expiring = 0;

	if ((rc = mtactl_cert_parse("show", opts, 1, argc, argv, a)) != 0
	    || a->help)
		goto out;
	if (a->file_count == 0) {
		rc = mtactl_cert_bad("show", "no certificate file given");
		goto out;
	}
	if (a->warn_days && mtactl_cert_number(a->warn_days, CERTS_MAX_DAYS,
	    &warn_days) == -1) {
		rc = mtactl_cert_bad("show", "--warn-days %s: not a number of "
		    "days from 0 to %d", a->warn_days, CERTS_MAX_DAYS);
		goto out;
	}
	if (a->json)
		all = json_array();
	for (f = 0; f < a->file_count; f++) {
		buf_reset(err);
		if ((certs = certs_x509_load_certs(a->files[f], err)) == NULL) {
			msg_error("cert show: %s", err->data);
			if (all != NULL) {
				obj = json_object();
				mtactl_cert_json_str(obj, "file", a->files[f]);
				mtactl_cert_json_str(obj, "error", err->data);
				(void) json_array_append_new(all, obj);
			}
			failed = 1;
			continue;
		}
		n = sk_X509_num(certs);
		for (i = 0; i < n; i++) {
			buf_reset(err);
			if (certs_info_get(sk_X509_value(certs, i), now, &info,
			    err) == -1) {
				msg_error("cert show: %s: certificate %d: %s",
				    a->files[f], i + 1, err->data);
				failed = 1;
				continue;
			}
			soon = warn_days >= 0 && info.days_left < warn_days;
			if (soon) {
				expiring = 1;
				if (info.days_left < 0)
					msg_warn("%s: %s expired %ld day(s) "
					    "ago", a->files[f], info.subject,
					    -info.days_left);
				else
					msg_warn("%s: %s expires in %ld "
					    "day(s)", a->files[f],
					    info.subject, info.days_left);
			}
			if (all != NULL)
				(void) json_array_append_new(all,
				    mtactl_cert_show_json(a->files[f], i,
				    &info, warn_days >= 0 ? soon : -1));
			else {
				if (f > 0 || i > 0)
					(void) printf("\n");
				mtactl_cert_show_text(a->files[f], i, n,
				    &info);
			}
			certs_info_free(&info);
		}
		sk_X509_pop_free(certs, X509_free);
	}
	if (all != NULL)
		mtactl_cert_json_print(all);
	rc = failed || expiring ? 1 : 0;
out:
	buf_free(err);
	return (rc);
}


/*
 * What "cert list" found about one configured certificate.
 */
struct mtactl_cert_entry {
	const struct conf_cert *cc;
	struct certs_info info;
	int	have_info;
	int	intermediates;
	struct buf used;		/* "listener L, outbound, ..." */
	struct buf problems;		/* one per line */
	int	expiring;
};

/* mtactl_cert_problem - note one problem of an entry */

static void MSG_PRINTFLIKE(2, 3)
mtactl_cert_problem(struct mtactl_cert_entry *ep, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(&ep->problems, fmt, ap);
	va_end(ap);
	buf_putc(&ep->problems, '\n');
}

/* mtactl_cert_used - where a certificate is used; its host name checks */

static void
mtactl_cert_used(const struct conf *cf, struct mtactl_cert_entry *ep,
    X509 *leaf)
{
	const struct conf_listener *lp;
	const char *host;
	size_t	i;

	for (i = 0; i < cf->listener_count; i++) {
		lp = &cf->listeners[i];
		if (strcmp(lp->certificate, ep->cc->name) != 0)
			continue;
		buf_printf(&ep->used, "%slistener %s", ep->used.len ? ", "
		    : "", lp->name);
		host = lp->hostname[0] ? lp->hostname : cf->hostname;
		if (leaf && host[0] && X509_check_host(leaf, host, 0, 0,
		    NULL) != 1)
			mtactl_cert_problem(ep, "listener %s: the certificate "
			    "does not name its host name %s", lp->name, host);
	}
	if (strcmp(cf->dest.certificate, ep->cc->name) == 0)
		buf_printf(&ep->used, "%soutbound", ep->used.len ? ", " : "");
}

/* mtactl_cert_examine - load and check one configured certificate */

static void
mtactl_cert_examine(const struct conf *cf, struct mtactl_cert_entry *ep,
    long expiring_days)
{
	const struct conf_cert *cc = ep->cc;
	STACK_OF(X509) *certs;
	STACK_OF(X509) *more;
	EVP_PKEY *key;
	struct buf err;
	struct stat st;
	X509   *leaf = NULL;

	buf_init(&err, 0);
	if (stat(cc->cert, &st) == -1 && errno == ENOENT && cc->generate) {
		mtactl_cert_used(cf, ep, NULL);
		mtactl_cert_problem(ep, "not created yet: mtad makes a "
		    "self-signed certificate at %s on start", cc->cert);
		buf_fini(&err);
		return;
	}
	if ((certs = certs_x509_load_certs(cc->cert, &err)) == NULL) {
		mtactl_cert_used(cf, ep, NULL);
		mtactl_cert_problem(ep, "%s", err.data);
		buf_fini(&err);
		return;
	}
	leaf = sk_X509_shift(certs);
	if (cc->chain[0]) {
		buf_reset(&err);
		if ((more = certs_x509_load_certs(cc->chain, &err)) == NULL)
			mtactl_cert_problem(ep, "%s", err.data);
		else {
			while (sk_X509_num(more) > 0)
				(void) sk_X509_push(certs, sk_X509_shift(more));
			sk_X509_free(more);
		}
	}
	ep->intermediates = sk_X509_num(certs);
	buf_reset(&err);
	if (certs_x509_check_chain(leaf, certs, &err) != 0)
		mtactl_cert_problem(ep, "chain: %s", err.data);
	buf_reset(&err);
	if (certs_info_get(leaf, time(NULL), &ep->info, &err) != 0)
		mtactl_cert_problem(ep, "%s", err.data);
	else {
		ep->have_info = 1;
		if (ep->info.demo)
			mtactl_cert_problem(ep, "the demo certificate gives "
			    "encryption but no verifiable identity");
		if (ep->info.days_left < 0)
			mtactl_cert_problem(ep, "expired %ld day(s) ago",
			    -ep->info.days_left);
		if (expiring_days >= 0 && ep->info.days_left < expiring_days) {
			ep->expiring = 1;
			if (ep->info.days_left >= 0)
				mtactl_cert_problem(ep, "expires in %ld "
				    "day(s)", ep->info.days_left);
		}
	}
	buf_reset(&err);
	if ((key = certs_x509_load_key(cc->key, &err)) == NULL)
		mtactl_cert_problem(ep, "%s", err.data);
	else {
		buf_reset(&err);
		if (certs_x509_check_key(leaf, key, &err) != 0)
			mtactl_cert_problem(ep, "%s", err.data);
		EVP_PKEY_free(key);
	}
	if (stat(cc->key, &st) == 0 && (st.st_mode & 077) != 0)
		mtactl_cert_problem(ep, "private key %s has mode %04o: others "
		    "than its owner can read it (chmod 600)", cc->key,
		    (unsigned) (st.st_mode & 07777));
	mtactl_cert_used(cf, ep, leaf);
	X509_free(leaf);
	sk_X509_pop_free(certs, X509_free);
	buf_fini(&err);
}

/* mtactl_cert_list_json - one entry as JSON */

static json_t *
mtactl_cert_list_json(const struct mtactl_cert_entry *ep)
{
	json_t *obj;
	json_t *problems = json_array();
	const char *cp;
	const char *nl;

	obj = ep->have_info ? mtactl_cert_show_json(ep->cc->cert, 0,
	    &ep->info, -1) : json_object();
	(void) json_object_set_new(obj, "name", json_string(ep->cc->name));
	mtactl_cert_json_str(obj, "file", ep->cc->cert);
	mtactl_cert_json_str(obj, "key", ep->cc->key);
	mtactl_cert_json_str(obj, "chain", ep->cc->chain);
	(void) json_object_set_new(obj, "intermediates",
	    json_integer(ep->intermediates));
	mtactl_cert_json_str(obj, "used_by", ep->used.data);
	(void) json_object_set_new(obj, "expiring",
	    json_boolean(ep->expiring));
	for (cp = ep->problems.data; (nl = strchr(cp, '\n')); cp = nl + 1)
		(void) json_array_append_new(problems, json_stringn(cp,
		    (size_t) (nl - cp)));
	(void) json_object_set_new(obj, "problems", problems);
	return (obj);
}

/* mtactl_cert_list_text - one entry for a person */

static void
mtactl_cert_list_text(const struct mtactl_cert_entry *ep)
{
	const char *cp;
	const char *nl;

	(void) printf("certificate:  %s\n", ep->cc->name);
	(void) printf("used by:      %s\n", ep->used.len ? ep->used.data
	    : "nothing");
	if (ep->have_info) {
		mtactl_cert_show_text(ep->cc->cert, 0, 1, &ep->info);
		(void) printf("intermediates: %d\n", ep->intermediates);
	} else
		(void) printf("file:         %s\n", ep->cc->cert);
	for (cp = ep->problems.data; (nl = strchr(cp, '\n')); cp = nl + 1)
		(void) printf("problem:      %.*s\n", (int) (nl - cp), cp);
}

/* mtactl_cert_list - every configured certificate, where used, problems */

static int
mtactl_cert_list(int argc, char **argv, struct mtactl_cert_args *a)
{
	const struct mtactl_cert_opt opts[] = {
		{"config", &a->config, NULL},
		{"expiring", &a->expiring, NULL},
		{NULL, NULL, NULL},
	};
	struct mtactl_cert_entry *ents;
	struct conf *cf;
	json_t *all = NULL;
	long	days = -1;
	size_t	i;
	int	rc;
	int	bad = 0;

	if ((rc = mtactl_cert_parse("list", opts, 0, argc, argv, a)) != 0
	    || a->help)
		return (rc);
	if (a->expiring && mtactl_cert_number(a->expiring, CERTS_MAX_DAYS,
	    &days) == -1)
		return (mtactl_cert_bad("list", "--expiring %s: not a number "
		    "of days from 0 to %d", a->expiring, CERTS_MAX_DAYS));
	if ((cf = mtactl_opt_conf("cert list", a->config)) == NULL)
		return (1);
	ents = mem_zalloc(cf->cert_count ? cf->cert_count : 1, sizeof(*ents));
	if (a->json)
		all = json_array();
	for (i = 0; i < cf->cert_count; i++) {
		ents[i].cc = &cf->certs[i];
		buf_init(&ents[i].used, 0);
		buf_init(&ents[i].problems, 0);
		mtactl_cert_examine(cf, &ents[i], days);
		if (ents[i].expiring) {
			bad = 1;
			msg_warn("cert list: %s: %s %s", ents[i].cc->name,
			    ents[i].info.subject, ents[i].info.days_left < 0
			    ? "has expired" : "expires soon");
		}
		if (all != NULL)
			(void) json_array_append_new(all,
			    mtactl_cert_list_json(&ents[i]));
		else {
			if (i > 0)
				(void) printf("\n");
			mtactl_cert_list_text(&ents[i]);
		}
		if (ents[i].have_info)
			certs_info_free(&ents[i].info);
		buf_fini(&ents[i].used);
		buf_fini(&ents[i].problems);
	}
	if (all != NULL)
		mtactl_cert_json_print(all);
	mem_free(ents);
	conf_free(cf);
	return (bad);
}

static const struct mtactl_cert_cmd mtactl_cert_cmds[] = {
	{"selfsign", mtactl_cert_selfsign,
		"--cn NAME [--o ORG] [--ou UNIT] [--l CITY] [--st STATE]\n"
		"\t[--c CC] [--san DNS:x,IP:y] "
		"[--key rsa2048|rsa4096|p256|p384]\n"
		"\t[--days N] --out-cert FILE --out-key FILE "
		"[--out-csr FILE] [--force]"},
	{"csr", mtactl_cert_csr,
		"--key FILE --cn NAME [--o ORG] [--ou UNIT] [--l CITY]\n"
		"\t[--st STATE] [--c CC] [--san DNS:x,IP:y] --out FILE "
		"[--force]"},
	{"install", mtactl_cert_install,
		"--key FILE --cert SIGNED.pem [--chain INTERMEDIATES.pem]\n"
		"\t[--ca-file ROOTS.pem] --out CHAIN.pem [--force]"},
	{"import-p12", mtactl_cert_import_p12,
		"--in FILE.p12 (--password-file F | --password-env VAR)\n"
		"\t--out-cert FILE --out-key FILE [--out-chain FILE] "
		"[--force]"},
	{"export-p12", mtactl_cert_export_p12,
		"--cert FILE --key FILE [--chain FILE] --out FILE.p12\n"
		"\t(--password-file F | --password-env VAR) [--force]"},
	{"show", mtactl_cert_show,
		"[--json] [--warn-days N] FILE..."},
	{"list", mtactl_cert_list,
		"[--config FILE] [--expiring DAYS] [--json]"},
	{NULL, NULL, NULL},
};

/* mtactl_cert_find - a command by name */

static const struct mtactl_cert_cmd *
mtactl_cert_find(const char *name)
{
	const struct mtactl_cert_cmd *cp;

	for (cp = mtactl_cert_cmds; cp->name; cp++)
		if (strcmp(cp->name, name) == 0)
			return (cp);
	return (NULL);
}

/* mtactl_cert_usage - the synopsis of every command */

void
mtactl_cert_usage(FILE *fp)
{
	const struct mtactl_cert_cmd *cp;

	for (cp = mtactl_cert_cmds; cp->name; cp++)
		(void) fprintf(fp, "  mtactl cert %s %s\n", cp->name,
		    cp->usage);
}

/* mtactl_cert - run one certificate command */

int
mtactl_cert(int argc, char **argv, int json)
{
	const struct mtactl_cert_cmd *cp;
	struct mtactl_cert_args args;
	int	rc;

	if (argc < 1 || strcmp(argv[0], "--help") == 0
	    || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "help") == 0) {
		(void) fprintf(argc < 1 ? stderr : stdout,
		    "usage:\n");
		mtactl_cert_usage(argc < 1 ? stderr : stdout);
		return (argc < 1 ? 2 : 0);
	}
	if ((cp = mtactl_cert_find(argv[0])) == NULL) {
		msg_error("cert: unknown command \"%s\"", argv[0]);
		(void) fprintf(stderr, "usage:\n");
		mtactl_cert_usage(stderr);
		return (2);
	}
	memset(&args, 0, sizeof(args));
	args.json = json;
	rc = cp->fn(argc, argv, &args);
	if (args.help) {
		(void) printf("usage: mtactl cert %s %s\n", cp->name,
		    cp->usage);
		rc = 0;
	}
	return (rc);
}
