/*
 * NAME
 *	mtactl_sslconfig - the "mtactl sslconfig" commands
 * DESCRIPTION
 *	See mtactl_sslconfig.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "msg.h"

#include "conf.h"

#include "certs_conf.h"
#include "certs_ctx.h"

#include "mtactl_opt.h"
#include "mtactl_sslconfig.h"

#define MTACTL_SSLCONFIG_SHOW	"[--config FILE] [--ciphers] [--json]"

static const struct mtactl_sslconfig_service {
	int	service;		/* CERTS_CONF_* */
	const char *key;		/* tls.KEY */
	const char *title;
}	mtactl_sslconfig_services[] = {
	{CERTS_CONF_INBOUND, "inbound", "inbound SMTP"},
	{CERTS_CONF_OUTBOUND, "outbound", "outbound SMTP"},
	{CERTS_CONF_HTTPS, "https", "HTTPS"},
};

static const struct mtactl_sslconfig_version {
	int	version;
	const char *name;
}	mtactl_sslconfig_versions[] = {
	{TLS1_VERSION, "TLSv1"},
	{TLS1_1_VERSION, "TLSv1.1"},
	{TLS1_2_VERSION, "TLSv1.2"},
	{TLS1_3_VERSION, "TLSv1.3"},
};

#define MTACTL_SSLCONFIG_COUNT(a)	(sizeof(a) / sizeof((a)[0]))

/* mtactl_sslconfig_tls - the conf_tls_service of a service */

static const struct conf_tls_service *
mtactl_sslconfig_tls(const struct conf *cf, int service)
{
	switch (service) {
	case CERTS_CONF_INBOUND:
		return (&cf->tls.inbound);
	case CERTS_CONF_OUTBOUND:
		return (&cf->tls.outbound);
	case CERTS_CONF_HTTPS:
		return (&cf->tls.https);
	}
	msg_panic("mtactl_sslconfig_tls: bad service %d", service);
}

/* mtactl_sslconfig_lines - a JSON array of the lines of a text */

static json_t *
mtactl_sslconfig_lines(const char *text)
{
	json_t *arr = json_array();
	const char *nl;

	for (; *text; text = nl + 1) {
		if ((nl = strchr(text, '\n')) == NULL)
			break;
		(void) json_array_append_new(arr, json_stringn(text,
		    (size_t) (nl - text)));
	}
	return (arr);
}

/* mtactl_sslconfig_service - print, or add to JSON, one service */

static void
mtactl_sslconfig_service(const struct conf *cf,
    const struct mtactl_sslconfig_service *sp, int ciphers, json_t *arr)
{
	const struct conf_tls_service *tp = mtactl_sslconfig_tls(cf,
	    sp->service);
	const struct mtactl_sslconfig_version *vp;
	struct certs_tls_opts opts;
	json_t *obj = NULL;
	json_t *vers = NULL;
	json_t *vobj;
	struct buf names;
	size_t	i;
	int	enabled;
	int	n;

	certs_conf_opts(cf, sp->service, &opts);
	if (arr != NULL) {
		obj = json_object();
		vers = json_array();
		mtactl_opt_json_str(obj, "service", sp->key);
		mtactl_opt_json_str(obj, "versions", tp->versions);
		mtactl_opt_json_str(obj, "ciphers", tp->ciphers);
		mtactl_opt_json_str(obj, "tls13_suites", CERTS_TLS13_SUITES);
		(void) json_object_set_new(obj, "security_level",
		    json_integer(CERTS_SECLEVEL));
	} else {
		(void) printf("%s (tls.%s):\n", sp->title, sp->key);
		(void) printf("  versions: %s\n", tp->versions);
	}
	buf_init(&names, 0);
	for (i = 0; i < MTACTL_SSLCONFIG_COUNT(mtactl_sslconfig_versions);
	    i++) {
		vp = &mtactl_sslconfig_versions[i];
		enabled = vp->version >= opts.min_version
		    && vp->version <= opts.max_version;
		buf_reset(&names);
		n = certs_ctx_ciphers(&opts, vp->version, &names);
		if (obj != NULL) {
			vobj = json_object();
			mtactl_opt_json_str(vobj, "version", vp->name);
			(void) json_object_set_new(vobj, "enabled",
			    json_boolean(enabled));
			(void) json_object_set_new(vobj, "usable",
			    json_boolean(n > 0));
			(void) json_object_set_new(vobj, "suites",
			    mtactl_sslconfig_lines(names.data));
			(void) json_array_append_new(vers, vobj);
			continue;
		}
		if (!enabled)
			(void) printf("  %-8s off\n", vp->name);
		else if (n == 0)
			(void) printf("  %-8s enabled, but no suite of the "
			    "cipher list completes it at security level %d\n",
			    vp->name, CERTS_SECLEVEL);
		else
			(void) printf("  %-8s on, %d suite%s%s\n", vp->name, n,
			    n == 1 ? "" : "s", vp->version < TLS1_2_VERSION
			    ? " (RSA key transport only: no forward secrecy)"
			    : vp->version == TLS1_3_VERSION ? " (fixed)" : "");
		if (enabled && n > 0 && ciphers) {
			const char *cp;
			const char *nl;

			for (cp = names.data; (nl = strchr(cp, '\n')) != NULL;
			    cp = nl + 1)
				(void) printf("           %.*s\n",
				    (int) (nl - cp), cp);
		}
	}
	buf_fini(&names);
	if (obj != NULL) {
		(void) json_object_set_new(obj, "by_version", vers);
		(void) json_array_append_new(arr, obj);
		return;
	}
	(void) printf("  ciphers (TLS 1.2 and below): %s\n", tp->ciphers);
	(void) printf("  TLS 1.3 suites (fixed): %s\n", CERTS_TLS13_SUITES);
	(void) printf("  security level: %d (keys and DH groups of at least "
	    "2048 bits; a 1024-bit DH peer fails with \"dh key too "
	    "small\")\n", CERTS_SECLEVEL);
}

/* mtactl_sslconfig_show - the effective settings of every service */

static int
mtactl_sslconfig_show(int argc, char **argv, int json)
{
	const char *config = NULL;
	int	ciphers = 0;
	int	help = 0;
	const struct mtactl_opt opts[] = {
		{"config", &config, NULL},
		{"ciphers", NULL, &ciphers},
		{NULL, NULL, NULL},
	};
	const char *pos[1];
	struct conf *cf;
	json_t *arr = NULL;
	size_t	i;
	int	npos;
	int	rc;

	if ((rc = mtactl_opt_parse("sslconfig show", MTACTL_SSLCONFIG_SHOW,
	    opts, argc, argv, pos, 0, &npos, &json, &help)) != 0)
		return (rc);
	if (help) {
		(void) printf("usage: mtactl sslconfig show %s\n",
		    MTACTL_SSLCONFIG_SHOW);
		return (0);
	}
	if ((cf = mtactl_opt_conf("sslconfig show", config)) == NULL)
		return (1);
	if (json)
		arr = json_array();
	for (i = 0; i < MTACTL_SSLCONFIG_COUNT(mtactl_sslconfig_services);
	    i++) {
		if (!json && i > 0)
			(void) printf("\n");
		mtactl_sslconfig_service(cf, &mtactl_sslconfig_services[i],
		    ciphers, arr);
	}
	if (json)
		mtactl_opt_json_print(arr);
	conf_free(cf);
	return (0);
}

/* mtactl_sslconfig_usage - the synopsis */

void
mtactl_sslconfig_usage(FILE *fp)
{
	(void) fprintf(fp, "  mtactl sslconfig show %s\n",
	    MTACTL_SSLCONFIG_SHOW);
}

/* mtactl_sslconfig - run one sslconfig command */

int
mtactl_sslconfig(int argc, char **argv, int json)
{
	if (argc < 1) {
		msg_error("sslconfig: no command given");
		mtactl_sslconfig_usage(stderr);
		return (2);
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		mtactl_sslconfig_usage(stdout);
		return (0);
	}
	if (strcmp(argv[0], "show") == 0)
		return (mtactl_sslconfig_show(argc, argv, json));
	msg_error("sslconfig: unknown command \"%s\"", argv[0]);
	mtactl_sslconfig_usage(stderr);
	return (2);
}
