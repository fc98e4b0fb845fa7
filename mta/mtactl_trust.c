/*
 * NAME
 *	mtactl_trust - the "mtactl trust" commands
 * DESCRIPTION
 *	See mtactl_trust.h. The work is done by certs_trust(3); this file
 *	parses the command line and prints.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "conf.h"

#include "certs_conf.h"
#include "certs_info.h"
#include "certs_trust.h"
#include "certs_x509.h"

#include "mtactl_opt.h"
#include "mtactl_trust.h"

#define MTACTL_TRUST_TIMEOUT	30	/* seconds per network step */

struct mtactl_trust_cmd {
	const char *name;
	int	(*fn) (const struct mtactl_trust_cmd *, int, char **, int);
	const char *usage;
};

/* mtactl_trust_fail - report the failure of a command, exit 1 */

static int
mtactl_trust_fail(const char *cmd, const struct buf *err)
{
	msg_error("trust %s: %s", cmd, err->data);
	return (1);
}

/* mtactl_trust_count - certificates in a PEM file, or -1 */

static int
mtactl_trust_count(const char *path, struct buf *err)
{
	STACK_OF(X509) *certs;
	int	n;

	if ((certs = certs_x509_load_certs(path, err)) == NULL)
		return (-1);
	n = sk_X509_num(certs);
	sk_X509_pop_free(certs, X509_free);
	return (n);
}

/* mtactl_trust_kind - what a trusted certificate is */

static const char *
mtactl_trust_kind(X509 *cert, const struct certs_info *info)
{
	if (!certs_trust_is_ca(cert))
		return ("pinned server certificate");
	return (info->self_signed ? "CA, root" : "CA, intermediate");
}

/* mtactl_trust_cert_json - one certificate as JSON */

static json_t *
mtactl_trust_cert_json(X509 *cert, const struct certs_info *info)
{
	json_t *obj = json_object();
	struct buf when;

	buf_init(&when, 0);
	certs_info_time(info->not_after, &when);
	mtactl_opt_json_str(obj, "subject", info->subject);
	mtactl_opt_json_str(obj, "issuer", info->issuer);
	(void) json_object_set_new(obj, "ca",
	    json_boolean(certs_trust_is_ca(cert)));
	(void) json_object_set_new(obj, "self_signed",
	    json_boolean(info->self_signed));
	mtactl_opt_json_str(obj, "not_after", when.data);
	(void) json_object_set_new(obj, "days_left",
	    json_integer(info->days_left));
	mtactl_opt_json_str(obj, "sha256", info->sha256);
	buf_fini(&when);
	return (obj);
}

/* mtactl_trust_cert_text - one certificate as text */

static void
mtactl_trust_cert_text(const char *title, X509 *cert,
    const struct certs_info *info)
{
	struct buf when;

	buf_init(&when, 0);
	certs_info_time(info->not_after, &when);
	(void) printf("%s\n", title);
	(void) printf("  subject: %s\n", info->subject);
	(void) printf("  issuer:  %s\n", info->issuer);
	(void) printf("  kind:    %s\n", mtactl_trust_kind(cert, info));
	(void) printf("  expires: %s (%s%ld days)\n", when.data,
	    info->days_left < 0 ? "expired " : "", info->days_left < 0
	    ? -info->days_left : info->days_left);
	(void) printf("  sha256:  %s\n", info->sha256);
	buf_fini(&when);
}

/* mtactl_trust_list - the sources and the directory's certificates */

static int
mtactl_trust_list(const struct mtactl_trust_cmd *cp, int argc, char **argv,
    int json)
{
	const char *config = NULL;
	int	help = 0;
	const struct mtactl_opt opts[] = {
		{"config", &config, NULL},
		{NULL, NULL, NULL},
	};
	struct certs_trust_entry *list = NULL;
	struct certs_info info;
	struct conf *cf;
	struct buf *err = buf_new(0);
	struct buf *dir = buf_new(0);
	const char *pos[1];
	json_t *obj = NULL;
	json_t *arr = NULL;
	json_t *src;
	size_t	count = 0;
	size_t	i;
	int	npos;
	int	n;
	int	rc;

	if ((rc = mtactl_opt_parse("trust list", cp->usage, opts, argc, argv,
	    pos, 0, &npos, &json, &help)) != 0 || help) {
		if (help)
			(void) printf("usage: mtactl trust list %s\n",
			    cp->usage);
		goto out;
	}
	rc = 1;
	if ((cf = mtactl_opt_conf("trust list", config)) == NULL)
		goto out;
	certs_conf_trust_dir(cf, dir);
	if (certs_trust_list(dir->data, &list, &count, err) != 0) {
		(void) mtactl_trust_fail("list", err);
		conf_free(cf);
		goto out;
	}
	if (json) {
		obj = json_object();
		arr = json_array();
	}

	/* The sources, in the order certs_conf loads them. */
	n = cf->tls.trust.system ? mtactl_trust_count(
	    CERTS_CONF_SYSTEM_BUNDLE, err) : 0;
	if (json) {
		src = json_object();
		(void) json_object_set_new(src, "enabled",
		    json_boolean(cf->tls.trust.system));
		mtactl_opt_json_str(src, "file", CERTS_CONF_SYSTEM_BUNDLE);
		(void) json_object_set_new(src, "certificates",
		    json_integer(n));
		(void) json_object_set_new(obj, "system", src);
	} else if (!cf->tls.trust.system)
		(void) printf("system CA bundle: off\n");
	else if (n < 0)
		(void) printf("system CA bundle: on, unreadable: %s\n",
		    err->data);
	else
		(void) printf("system CA bundle: on, %s, %d certificates\n",
		    CERTS_CONF_SYSTEM_BUNDLE, n);
	buf_reset(err);
	n = cf->tls.trust.ca_file[0] ? mtactl_trust_count(
	    cf->tls.trust.ca_file, err) : 0;
	if (json) {
		src = json_object();
		mtactl_opt_json_str(src, "file", cf->tls.trust.ca_file);
		(void) json_object_set_new(src, "certificates",
		    json_integer(n));
		(void) json_object_set_new(obj, "ca_file", src);
		mtactl_opt_json_str(obj, "dir", dir->data);
	} else {
		if (cf->tls.trust.ca_file[0] == 0)
			(void) printf("tls.trust.ca_file: none\n");
		else if (n < 0)
			(void) printf("tls.trust.ca_file: %s\n", err->data);
		else
			(void) printf("tls.trust.ca_file: %s, %d "
			    "certificates\n", cf->tls.trust.ca_file, n);
		(void) printf("trust directory: %s, %zu certificate%s\n",
		    dir->data, count, count == 1 ? "" : "s");
	}
	conf_free(cf);

	for (i = 0; i < count; i++) {
		buf_reset(err);
		if (certs_info_get(list[i].cert, time(NULL), &info, err) != 0) {
			(void) mtactl_trust_fail("list", err);
			goto out;
		}
		if (json) {
			json_t *c = mtactl_trust_cert_json(list[i].cert, &info);

			(void) json_object_set_new(c, "name",
			    json_string(list[i].name));
			mtactl_opt_json_str(c, "file", list[i].path);
			(void) json_array_append_new(arr, c);
		} else {
			(void) printf("\n");
			mtactl_trust_cert_text(list[i].name, list[i].cert,
			    &info);
		}
		certs_info_free(&info);
	}
	if (json) {
		(void) json_object_set_new(obj, "certificates", arr);
		mtactl_opt_json_print(obj);
		obj = NULL;
	}
	rc = 0;
out:
	if (obj != NULL)
		json_decref(obj);
	certs_trust_list_free(list, count);
	buf_free(err);
	buf_free(dir);
	return (rc);
}

/* mtactl_trust_names - a JSON array of "\n"-terminated names */

static json_t *
mtactl_trust_names(const char *text)
{
	json_t *arr = json_array();
	const char *nl;

	for (; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
		(void) json_array_append_new(arr, json_stringn(text,
		    (size_t) (nl - text)));
	return (arr);
}

/*
 * mtactl_trust_store - add certificates, print what happened; the exit
 * status. warning is printed first (NULL or empty: none).
 */
static int
mtactl_trust_store(const char *cmd, const char *config, STACK_OF(X509) *certs,
    const char *name, int leaf, const char *warning, int json,
    json_t *chain)
{
	struct buf *added = buf_new(0);
	struct buf *present = buf_new(0);
	struct buf *err = buf_new(0);
	struct buf *dir = buf_new(0);
	struct conf *cf;
	const char *cp;
	const char *nl;
	json_t *obj;
	int	rc = 1;

	if ((cf = mtactl_opt_conf(cmd, config)) == NULL)
		goto out;
	certs_conf_trust_dir(cf, dir);
	conf_free(cf);
	if (warning && *warning)
		msg_warn("%s: %s", cmd, warning);
	if (certs_trust_add(dir->data, certs, name, leaf, added, present,
	    err) < 0) {
		if (!leaf && strstr(err->data, "not a CA certificate"))
			buf_puts(err, " (give --leaf to pin it anyway)");
		msg_error("%s: %s", cmd, err->data);
		goto out;
	}
	if (json) {
		obj = json_object();
		mtactl_opt_json_str(obj, "dir", dir->data);
		(void) json_object_set_new(obj, "added",
		    mtactl_trust_names(added->data));
		(void) json_object_set_new(obj, "already_trusted",
		    mtactl_trust_names(present->data));
		if (warning && *warning)
			mtactl_opt_json_str(obj, "warning", warning);
		if (chain != NULL)
			(void) json_object_set(obj, "chain", chain);
		mtactl_opt_json_print(obj);
	} else {
		for (cp = added->data; (nl = strchr(cp, '\n')); cp = nl + 1)
			(void) printf("added %.*s\n", (int) (nl - cp), cp);
		for (cp = present->data; (nl = strchr(cp, '\n')); cp = nl + 1)
			(void) printf("already trusted %.*s\n",
			    (int) (nl - cp), cp);
	}
	rc = 0;
out:
	buf_free(added);
	buf_free(present);
	buf_free(err);
	buf_free(dir);
	return (rc);
}

/* mtactl_trust_add - trust the certificates of a file */

static int
mtactl_trust_add(const struct mtactl_trust_cmd *cp, int argc, char **argv,
    int json)
{
	const char *config = NULL;
	const char *name = NULL;
	int	leaf = 0;
	int	help = 0;
	const struct mtactl_opt opts[] = {
		{"config", &config, NULL},
		{"name", &name, NULL},
		{"leaf", NULL, &leaf},
		{NULL, NULL, NULL},
	};
	STACK_OF(X509) *certs;
	struct buf *err;
	struct buf *warn;
	const char *pos[1];
	int	npos;
	int	rc;

	if ((rc = mtactl_opt_parse("trust add", cp->usage, opts, argc, argv,
	    pos, 1, &npos, &json, &help)) != 0)
		return (rc);
	if (help) {
		(void) printf("usage: mtactl trust add %s\n", cp->usage);
		return (0);
	}
	if (npos != 1)
		return (mtactl_opt_bad("trust add", cp->usage, "give one "
		    "file"));
	err = buf_new(0);
	warn = buf_new(0);
	if ((certs = certs_x509_load_certs(pos[0], err)) == NULL) {
		rc = mtactl_trust_fail("add", err);
	} else {
		(void) certs_trust_root_missing(certs, warn);
		rc = mtactl_trust_store("trust add", config, certs, name, leaf,
		    warn->data, json, NULL);
		sk_X509_pop_free(certs, X509_free);
	}
	buf_free(err);
	buf_free(warn);
	return (rc);
}

/* mtactl_trust_remove - stop trusting one certificate */

static int
mtactl_trust_remove(const struct mtactl_trust_cmd *cp, int argc,
    char **argv, int json)
{
	const char *config = NULL;
	int	help = 0;
	const struct mtactl_opt opts[] = {
		{"config", &config, NULL},
		{NULL, NULL, NULL},
	};
	struct buf *err;
	struct buf *dir;
	struct conf *cf;
	const char *pos[1];
	json_t *obj;
	int	npos;
	int	rc;

	if ((rc = mtactl_opt_parse("trust remove", cp->usage, opts, argc,
	    argv, pos, 1, &npos, &json, &help)) != 0)
		return (rc);
	if (help) {
		(void) printf("usage: mtactl trust remove %s\n", cp->usage);
		return (0);
	}
	if (npos != 1)
		return (mtactl_opt_bad("trust remove", cp->usage, "give one "
		    "name"));
	if ((cf = mtactl_opt_conf("trust remove", config)) == NULL)
		return (1);
	err = buf_new(0);
	dir = buf_new(0);
	certs_conf_trust_dir(cf, dir);
	conf_free(cf);
	if (certs_trust_remove(dir->data, pos[0], err) != 0) {
		rc = mtactl_trust_fail("remove", err);
	} else if (json) {
		obj = json_object();
		mtactl_opt_json_str(obj, "removed", pos[0]);
		mtactl_opt_json_str(obj, "dir", dir->data);
		mtactl_opt_json_print(obj);
	} else
		(void) printf("removed %s\n", pos[0]);
	buf_free(err);
	buf_free(dir);
	return (rc);
}

/* mtactl_trust_hostport - split HOST:PORT or [HOST]:PORT */

static int
mtactl_trust_hostport(const char *arg, struct buf *host, const char **port)
{
	const char *colon;

	if (arg[0] == '[') {
		if ((colon = strstr(arg, "]:")) == NULL)
			return (-1);
		buf_append(host, arg + 1, (size_t) (colon - arg - 1));
		*port = colon + 2;
	} else {
		if ((colon = strrchr(arg, ':')) == NULL)
			return (-1);
		buf_append(host, arg, (size_t) (colon - arg));
		*port = colon + 1;
	}
	return (host->len > 0 && **port ? 0 : -1);
}

/* mtactl_trust_select - parse "N,N,..." into flags over the chain */

static int
mtactl_trust_select(const char *list, int count, char *pick)
{
	const char *cp = list;
	char   *end;
	long	n;

	for (;;) {
		if (*cp < '0' || *cp > '9')
			return (-1);
		errno = 0;
		n = strtol(cp, &end, 10);
		if (errno != 0 || n >= count)
			return (-1);
		pick[n] = 1;
		if (*end == 0)
			return (0);
		if (*end != ',')
			return (-1);
		cp = end + 1;
	}
}

/* mtactl_trust_fetch - a server's chain, and optionally trust some */

static int
mtactl_trust_fetch(const struct mtactl_trust_cmd *cp, int argc, char **argv,
    int json)
{
	const char *config = NULL;
	const char *select = NULL;
	const char *timeout_text = NULL;
	int	starttls = 0;
	int	add = 0;
	int	leaf = 0;
	int	help = 0;
	const struct mtactl_opt opts[] = {
		{"config", &config, NULL},
		{"starttls", NULL, &starttls},
		{"add", NULL, &add},
		{"select", &select, NULL},
		{"leaf", NULL, &leaf},
		{"timeout", &timeout_text, NULL},
		{NULL, NULL, NULL},
	};
	STACK_OF(X509) *chain = NULL;
	STACK_OF(X509) *chosen = NULL;
	struct certs_info info;
	struct buf *host = buf_new(0);
	struct buf *err = buf_new(0);
	struct buf *warn = buf_new(0);
	struct buf *title = buf_new(0);
	const char *pos[1];
	const char *port;
	json_t *arr = NULL;
	char   *pick = NULL;
	long	timeout = MTACTL_TRUST_TIMEOUT;
	char   *end;
	int	npos;
	int	rc;
	int	i;
	int	n;

	if ((rc = mtactl_opt_parse("trust fetch", cp->usage, opts, argc, argv,
	    pos, 1, &npos, &json, &help)) != 0)
		goto out;
	if (help) {
		(void) printf("usage: mtactl trust fetch %s\n", cp->usage);
		goto out;
	}
	if (npos != 1 || mtactl_trust_hostport(pos[0], host, &port) != 0) {
		rc = mtactl_opt_bad("trust fetch", cp->usage, "give "
		    "HOST:PORT");
		goto out;
	}
	if (timeout_text != NULL) {
		errno = 0;
		timeout = strtol(timeout_text, &end, 10);
		if (errno || *end || end == timeout_text || timeout < 1
		    || timeout > 3600) {
			rc = mtactl_opt_bad("trust fetch", cp->usage,
			    "--timeout: \"%s\" is not 1..3600 seconds",
			    timeout_text);
			goto out;
		}
	}
	rc = 1;
	if (certs_trust_fetch(host->data, port, starttls, (int) timeout,
	    &chain, err) != 0) {
		(void) mtactl_trust_fail("fetch", err);
		goto out;
	}
	n = sk_X509_num(chain);
	(void) certs_trust_root_missing(chain, warn);
	if (json)
		arr = json_array();
	for (i = 0; i < n; i++) {
		X509   *x = sk_X509_value(chain, i);

		buf_reset(err);
		if (certs_info_get(x, time(NULL), &info, err) != 0) {
			(void) mtactl_trust_fail("fetch", err);
			goto out;
		}
		if (json) {
			json_t *c = mtactl_trust_cert_json(x, &info);

			(void) json_object_set_new(c, "index",
			    json_integer(i));
			(void) json_array_append_new(arr, c);
		} else {
			buf_reset(title);
			buf_printf(title, "%d%s", i, i == 0
			    ? " (the server's own)" : "");
			mtactl_trust_cert_text(title->data, x, &info);
		}
		certs_info_free(&info);
	}
	if (!add && select == NULL) {
		if (json) {
			json_t *obj = json_object();

			(void) json_object_set_new(obj, "chain", arr);
			arr = NULL;
			if (warn->len)
				mtactl_opt_json_str(obj, "warning", warn->data);
			mtactl_opt_json_print(obj);
		} else if (warn->len)
			msg_warn("trust fetch: %s", warn->data);
		rc = 0;
		goto out;
	}

	/* Choose what to trust. */
	pick = mem_zalloc((size_t) n, 1);
	if (select != NULL) {
		if (mtactl_trust_select(select, n, pick) != 0) {
			rc = mtactl_opt_bad("trust fetch", cp->usage,
			    "--select: \"%s\" is not a list of numbers 0..%d",
			    select, n - 1);
			goto out;
		}
	} else {
		for (i = 0; i < n; i++)
			pick[i] = certs_trust_is_ca(sk_X509_value(chain, i));
	}
	chosen = sk_X509_new_null();
	for (i = 0; i < n; i++)
		if (pick[i])
			(void) sk_X509_push(chosen, sk_X509_value(chain, i));
	if (sk_X509_num(chosen) == 0) {
		buf_reset(err);
		buf_puts(err, "the server sent no CA certificate; to pin its "
		    "own certificate give --select 0 --leaf");
		(void) mtactl_trust_fail("fetch", err);
		goto out;
	}
	rc = mtactl_trust_store("trust fetch", config, chosen, NULL, leaf,
	    warn->data, json, arr);
out:
	if (arr != NULL)
		json_decref(arr);
	mem_free(pick);
	if (chosen != NULL)
		sk_X509_free(chosen);
	if (chain != NULL)
		sk_X509_pop_free(chain, X509_free);
	buf_free(host);
	buf_free(err);
	buf_free(warn);
	buf_free(title);
	return (rc);
}

static const struct mtactl_trust_cmd mtactl_trust_cmds[] = {
	{"list", mtactl_trust_list, "[--config FILE] [--json]"},
	{"add", mtactl_trust_add,
	"FILE [--name NAME] [--leaf] [--config FILE] [--json]"},
	{"remove", mtactl_trust_remove, "NAME [--config FILE] [--json]"},
	{"fetch", mtactl_trust_fetch,
		"HOST:PORT [--starttls] [--add] [--select N,...] [--leaf] "
	"[--timeout SECONDS] [--config FILE] [--json]"},
	{NULL, NULL, NULL},
};

/* mtactl_trust_usage - the synopsis of every command */

void
mtactl_trust_usage(FILE *fp)
{
	const struct mtactl_trust_cmd *cp;

	for (cp = mtactl_trust_cmds; cp->name; cp++)
		(void) fprintf(fp, "  mtactl trust %s %s\n", cp->name,
		    cp->usage);
}

/* mtactl_trust - run one trust command */

int
mtactl_trust(int argc, char **argv, int json)
{
	const struct mtactl_trust_cmd *cp;

	if (argc < 1) {
		msg_error("trust: no command given");
		mtactl_trust_usage(stderr);
		return (2);
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		mtactl_trust_usage(stdout);
		return (0);
	}
	for (cp = mtactl_trust_cmds; cp->name; cp++)
		if (strcmp(cp->name, argv[0]) == 0)
			return (cp->fn(cp, argc, argv, json));
	msg_error("trust: unknown command \"%s\"", argv[0]);
	mtactl_trust_usage(stderr);
	return (2);
}
