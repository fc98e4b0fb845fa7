/*
 * NAME
 *	conf - the configuration of mtad, loaded from YAML into C structs
 * SYNOPSIS
 *	#include "conf.h"
 *
 *	struct conf *conf_load_file(const char *path, struct buf *errors);
 *	struct conf *conf_load_string(const char *name, const char *text,
 *		size_t len, struct buf *errors);
 *	struct conf *conf_load_default(void);
 *	struct conf *conf_free(struct conf *cf);
 *	int	conf_set(struct conf *cf, const char *path,
 *		const char *value, struct buf *errors);
 *	int	conf_set_option(struct conf *cf, const char *assignment,
 *		struct buf *errors);
 *	void	conf_dump(const struct conf *cf, struct buf *out);
 *
 *	const struct conf_listener *conf_listener_find(const struct conf *cf,
 *		const char *name);
 *	const struct conf_policy *conf_policy_find(
 *		const struct conf_listener *lp, const char *name);
 *	const struct conf_cert *conf_cert_find(const struct conf *cf,
 *		const char *name);
 *	const struct conf_bounce *conf_bounce_find(const struct conf *cf,
 *		const char *name);
 *	const struct conf_dest *conf_dest_find(const struct conf *cf,
 *		const char *destination);
 *	void	conf_loc_format(const struct conf_loc *loc,
 *		struct buf *out);
 *	const struct conf_loc *conf_where(const struct conf *cf,
 *		const void *field);
 *
 *	extern const char conf_default_yaml[];
 * DESCRIPTION
 *	The configuration is one YAML file (or the default text compiled
 *	into the program). Every scalar parameter, with its type, default,
 *	bounds and one-line description, is listed once in conf_params.def;
 *	docs/configuration.md is printed from that table by conf_doc.
 *
 *	conf_load_file() reads and validates a file. On success it returns
 *	a configuration that the caller frees with conf_free(). On failure
 *	it returns NULL and appends to errors one line per problem found
 *	(all of them, not only the first), each of the form
 *
 *		FILE:LINE:COLUMN: PATH: why
 *
 *	for example "/etc/mtad.yaml:12:11: listeners[0].port: 70000 is out
 *	of range 1..65535". PATH is the parameter path with list indexes
 *	and map keys filled in. YAML syntax errors come out in the same
 *	form with "yaml" as PATH. conf_load_string() does the same for text
 *	in memory; name stands for the file name in messages.
 *
 *	conf_load_default() loads conf_default_yaml, the embedded default
 *	configuration (config/conf_default.yaml): one public listener on
 *	127.0.0.1 port 2025 with the demo certificate. It cannot fail (a
 *	broken embedded text is a panic).
 *
 *	conf_set() assigns one scalar parameter by path, with the same
 *	parsing and validation as the loader, for "mtad -o name=value".
 *	Paths look like the ones in error messages: "spool_dir",
 *	"log.syslog.enabled", "listeners[0].port" or
 *	"listeners[IncomingMail].port", "listeners[0].default_policy.tls",
 *	"listeners[0].policies.TRUSTED.max_rcpts_per_msg",
 *	"listeners[0].sender_groups[1].policy", "certificates.demo.cert",
 *	"bounce_profiles.Default.max_retries",
 *	"destination_controls.default.tls",
 *	"destination_controls.domains.example.com.tls". Only existing
 *	list and map entries can be addressed, and a listener's type
 *	cannot be changed (it chose the predefined policies and sender
 *	groups). Changing a predefined policy or sender group makes it the
 *	operator's (predefined = 0), so conf_dump() writes it out. After a
 *	change, inherited values are propagated again. On error conf_set()
 *	returns -1, appends one line to errors ("-o: PATH: why") and leaves
 *	cf as it was; on success it returns 0. conf_set_option() takes
 *	"path=value".
 *
 *	conf_dump() appends the effective configuration as YAML that
 *	conf_load_string() reads back to an equal configuration. Policy and
 *	destination parameters that are inherited are not written, nor are
 *	predefined policies and sender groups (a comment names them).
 *
 *	The conf_*_find() functions look an entry up by name (ASCII case
 *	is significant for listener, policy, certificate and bounce profile
 *	names, as in AsyncOS). conf_dest_find() returns the entry for a
 *	destination exactly as configured (a domain, ".suffix" or
 *	"[address]") or NULL; choosing the entry for a recipient domain is
 *	policy/'s job. conf_loc_format() appends "FILE:LINE:COLUMN" (or
 *	just FILE when the line is unknown).
 *
 *	conf_where() tells where the value of any scalar parameter was
 *	written, given the address of its field (&lp->port,
 *	&cf->spool_dir); it returns NULL for a value that is a default.
 *	Modules that find a problem with a value later (a port they cannot
 *	bind, a certificate file they cannot read) use it to say where.
 *
 *	All memory belongs to the struct conf; it is read-only for users
 *	and lives until conf_free().
 * INHERITANCE
 *	A named mail flow policy parameter that the file does not give
 *	takes the value of the listener's default_policy; a destination
 *	entry parameter that the file does not give takes the value of
 *	destination_controls.default. The loader copies the inherited
 *	values in, so every field holds the effective value; the "set"
 *	bit mask (bit 1 << CONF_POLICY_xxx or 1 << CONF_DEST_xxx) tells
 *	which were given explicitly.
 * PREDEFINED POLICIES AND SENDER GROUPS
 *	Every listener has the AsyncOS predefined policies for its type
 *	(public and blackhole: TRUSTED, BLOCKED, THROTTLED, ACCEPTED;
 *	private: RELAYED, BLOCKED); a policy the file defines with the same
 *	name replaces the predefined one. When the file gives no
 *	sender_groups, the listener gets the predefined groups (public and
 *	blackhole: WHITELIST, BLACKLIST, SUSPECTLIST, UNKNOWNLIST; private:
 *	RELAYLIST); all_policy defaults to ACCEPTED (public, blackhole) or
 *	BLOCKED (private).
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct conf_priv;

/*
 * Where a value came from, so that a module that validates it later
 * (policy/ compiling sender group members) can say where the problem is.
 * file is "-o" for conf_set() and "<default>" for the embedded text;
 * line and column count from 1, and are 0 when unknown.
 */
struct conf_loc {
	const char *file;
	int	line;
	int	column;
};

/* Enumerations: the order is the order of the words in conf_params.def. */
enum conf_log_dialect {
	CONF_LOG_MODERN,		/* "modern" */
	CONF_LOG_ASYNCOS4,		/* "asyncos4" */
};

enum conf_openssl_style {
	CONF_OPENSSL_111,		/* "1.1.1" */
	CONF_OPENSSL_101,		/* "1.0.1" */
};

enum conf_syslog_facility {
	CONF_FACILITY_MAIL,
	CONF_FACILITY_DAEMON,
	CONF_FACILITY_USER,
	CONF_FACILITY_LOCAL0,
	CONF_FACILITY_LOCAL1,
	CONF_FACILITY_LOCAL2,
	CONF_FACILITY_LOCAL3,
	CONF_FACILITY_LOCAL4,
	CONF_FACILITY_LOCAL5,
	CONF_FACILITY_LOCAL6,
	CONF_FACILITY_LOCAL7,
};

enum conf_tls_version {
	CONF_TLS_V1_0,			/* "tls1.0" */
	CONF_TLS_V1_1,			/* "tls1.1" */
	CONF_TLS_V1_2,			/* "tls1.2" */
	CONF_TLS_V1_3,			/* "tls1.3" */
};

enum conf_listener_type {
	CONF_LISTENER_PUBLIC,		/* "public" */
	CONF_LISTENER_PRIVATE,		/* "private" */
	CONF_LISTENER_BLACKHOLE,	/* "blackhole" */
};

enum conf_connection {
	CONF_CONN_ACCEPT,		/* "accept" */
	CONF_CONN_RELAY,		/* "relay" */
	CONF_CONN_REJECT,		/* "reject" */
	CONF_CONN_TCPREFUSE,		/* "tcprefuse" */
};

enum conf_tls_in {
	CONF_TLS_OFF,			/* "off" */
	CONF_TLS_PREFERRED,		/* "preferred" */
	CONF_TLS_REQUIRED,		/* "required" */
};

enum conf_smtp_auth {
	CONF_AUTH_OFF,			/* "off" */
	CONF_AUTH_PREFERRED,		/* "preferred" */
	CONF_AUTH_REQUIRED,		/* "required" */
};

enum conf_tls_out {
	CONF_TLS_OUT_NONE,		/* "none" */
	CONF_TLS_OUT_PREFERRED,		/* "preferred" */
	CONF_TLS_OUT_REQUIRED,		/* "required" */
	CONF_TLS_OUT_PREFERRED_VERIFY,	/* "preferred_verify" */
	CONF_TLS_OUT_REQUIRED_VERIFY,	/* "required_verify" */
};

enum conf_dane {
	CONF_DANE_NONE,			/* "none" */
	CONF_DANE_OPPORTUNISTIC,	/* "opportunistic" */
	CONF_DANE_MANDATORY,		/* "mandatory" */
};

enum conf_limit_per {
	CONF_LIMIT_PER_DOMAIN,		/* "domain" */
	CONF_LIMIT_PER_MX_IP,		/* "mx_ip" */
};

enum conf_ip_sort {
	CONF_IP_PREFER_V6,		/* "prefer_v6" */
	CONF_IP_REQUIRE_V6,		/* "require_v6" */
	CONF_IP_PREFER_V4,		/* "prefer_v4" */
	CONF_IP_REQUIRE_V4,		/* "require_v4" */
};

/*
 * Bit numbers of the "set" masks: one per parameter of the scope,
 * generated from conf_params.def (CONF_POLICY_max_rcpts_per_msg, ...).
 */
enum conf_policy_param {
#define CONF_P_POLICY(field, path, kind, words, def, min, max, doc) \
	CONF_POLICY_##field,
#include "conf_params.def"
	CONF_POLICY_COUNT
};

enum conf_dest_param {
#define CONF_P_DEST(field, path, kind, words, def, min, max, doc) \
	CONF_DEST_##field,
#include "conf_params.def"
	CONF_DEST_COUNT
};

/* A list of strings, each with where it was written. */
struct conf_text {
	char   *text;
	struct conf_loc loc;
};

/*
 * A mail flow policy (listeners[].default_policy or
 * listeners[].policies.NAME). Sizes are in bytes; -1 in
 * max_rcpts_per_hour means unlimited.
 */
struct conf_policy {
	char   *name;			/* "" for the default policy */
	struct conf_loc loc;		/* where the policy is defined */
	/* 1 << CONF_POLICY_x: given explicitly */
	uint32_t set;
	int	predefined;		/* an AsyncOS predefined policy */
	enum conf_connection connection; /* accept, relay, reject, tcprefuse */
	int	max_msgs_per_session;	/* messages per connection */
	int	max_rcpts_per_msg;	/* recipients per message */
	long long max_message_size;	/* bytes */
	/* concurrent connections per client IP */
	int	max_concurrency;
	int	smtp_banner_code;	/* greeting code (220) */
	/* greeting text, HAT variables allowed */
	char   *smtp_banner_text;
	int	reject_banner_code;	/* code when the policy rejects (554) */
	char   *reject_banner_text;	/* text when the policy rejects */
	/* recipients per hour per IP; -1 none */
	int	max_rcpts_per_hour;
	int	max_rcpts_per_hour_code; /* reply code over the rate (452) */
	char   *max_rcpts_per_hour_text; /* reply text over the rate */
	enum conf_tls_in tls;		/* off, preferred, required */
	int	tls_verify_client;	/* ask for and verify a client cert */
	int	sender_dns_verification; /* envelope sender DNS verification */
	enum conf_smtp_auth smtp_auth;	/* off, preferred, required */
	int	require_tls_for_auth;	/* offer AUTH only after STARTTLS */
};

/* One sender group of a listener's HAT, in match order. */
struct conf_sender_group {
	char   *name;			/* e.g. "WHITELIST" */
	struct conf_loc loc;		/* where the group is defined */
	char   *policy;			/* name of a policy of the listener */
	struct conf_loc policy_loc;	/* where the policy name is written */
	/* member strings as written, unparsed */
	struct conf_text *members;
	size_t	member_count;
	int	predefined;		/* an AsyncOS predefined group */
};

/* An inbound SMTP listener. */
struct conf_listener {
	char   *name;			/* unique, e.g. "IncomingMail" */
	struct conf_loc loc;		/* where the listener is defined */
	char   *interface;		/* interface name for the mail log */
	char   *address;		/* numeric IPv4 or IPv6 address */
	int	port;			/* TCP port */
	enum conf_listener_type type;	/* public, private, blackhole */
	/* banner host name; "" = cf->hostname */
	char   *hostname;
	char   *certificate;		/* name of a conf_cert */
	int	implicit_tls;		/* SMTPS: TLS before the greeting */
	char   *bounce_profile;		/* name of a conf_bounce */
	char   *all_policy;		/* policy of the implicit ALL group */
	struct conf_policy default_policy; /* Default Policy Parameters */
	struct conf_policy *policies;	/* named policies, in file order */
	size_t	policy_count;
	struct conf_sender_group *sender_groups; /* HAT, in match order */
	size_t	sender_group_count;
};

/* A certificate with its private key (certs/ loads or generates it). */
struct conf_cert {
	char   *name;			/* e.g. "demo" */
	struct conf_loc loc;
	char   *cert;			/* PEM certificate (and chain) path */
	char   *key;			/* PEM private key path */
	char   *chain;			/* PEM intermediates path, "" = none */
	int	generate;		/* create a self-signed one if absent */
};

/* A bounce profile: retry schedule and bounce/delay notifications. */
struct conf_bounce {
	char   *name;			/* "Default" always exists */
	struct conf_loc loc;
	int	max_retries;		/* retries before a hard bounce */
	long long max_queue_lifetime;	/* seconds in queue before a bounce */
	long long initial_retry;	/* seconds before the first retry */
	long long max_retry;		/* seconds, cap on the back-off */
	int	send_bounces;		/* send a DSN on a hard bounce */
	int	send_warnings;		/* send delay warnings */
	long long warning_interval;	/* seconds between delay warnings */
	int	max_warnings;		/* delay warnings per message */
	long long max_bounce_copy;	/* bytes of the original in a DSN */
};

/*
 * A Destination Controls entry: destination_controls.default, or one of
 * destination_controls.domains (key: "example.com", ".example.com",
 * "[192.0.2.1]"). max_rcpts -1 means no limit.
 */
struct conf_dest {
	char   *destination;		/* "" for the default entry */
	struct conf_loc loc;
	uint32_t set;			/* 1 << CONF_DEST_x: given explicitly */
	int	max_concurrency;	/* concurrent connections */
	int	max_msgs_per_conn;	/* messages per connection */
	int	max_rcpts;		/* recipients per interval; -1 none */
	long long rcpts_interval;	/* seconds, the max_rcpts interval */
	enum conf_limit_per limit_per;	/* domain, mx_ip */
	enum conf_tls_out tls;		/* none .. required_verify */
	enum conf_dane dane;		/* none, opportunistic, mandatory */
	enum conf_ip_sort ip_sort;	/* address family preference */
	int	bounce_verification;	/* tag envelope senders */
	char   *bounce_profile;		/* name of a conf_bounce */
};

/*
 * sslconfig for one service. versions is the configured text ("tls1.1
 * tls1.2"); the loader checks that it names a contiguous set and stores
 * the set as min_version..max_version.
 */
struct conf_tls_service {
	char   *versions;		/* "tls1.1 tls1.2" */
	enum conf_tls_version min_version; /* derived from versions */
	enum conf_tls_version max_version;
	char   *ciphers;		/* OpenSSL list for TLS <= 1.2 */
};

/* An SMTP route: a domain and its next hops, unparsed (policy_route). */
struct conf_route {
	char   *domain;			/* "example.com", ".example.com", "ALL" */
	struct conf_loc loc;
	struct conf_text *hosts;	/* "host[:port][/pri=N]", "/dev/null",
					 * "USEDNS" */
	size_t	host_count;
};

/* A smarthost: how to talk to a relay host an SMTP route names. */
enum conf_smarthost_tls {
	CONF_SMARTHOST_STARTTLS,	/* "starttls" */
	CONF_SMARTHOST_SMTPS,		/* "smtps" */
	CONF_SMARTHOST_NONE,		/* "none" */
};

enum conf_smarthost_auth {
	CONF_SMARTHOST_AUTH_NONE,	/* "none" */
	CONF_SMARTHOST_AUTH_PLAIN,	/* "plain" */
	CONF_SMARTHOST_AUTH_LOGIN,	/* "login" */
};

struct conf_smarthost {
	char   *name;
	struct conf_loc loc;
	char   *host;			/* as the route writes it */
	int	port;
	enum conf_smarthost_tls encryption;
	enum conf_smarthost_auth auth;
	char   *user;
	char   *password_file;		/* "" = no password */
	int	allow_plain_auth;
};

/* A static SenderBase score (sbrs.table). */
struct conf_sbrs_entry {
	char   *network;		/* address or CIDR, unparsed */
	struct conf_loc loc;
	double	score;			/* -10.0 .. 10.0 */
};

struct conf {
	char   *file;			/* file name as given, or "<default>" */
	char   *hostname;		/* our host name (banner, HELO) */
	char   *user;			/* unprivileged user, "" = stay */
	char   *spool_dir;		/* absolute path */
	struct {
		int	listeners;	/* listener processes */
		int	delivery;	/* delivery processes */
	}	processes;
	struct {
		char   *mail_log;	/* path of the current mail log */
		enum conf_log_dialect dialect;
		enum conf_openssl_style openssl_error_style;
		int	connection_error_ip_space; /* "IP: x" vs "IP:x" */
		long long rotate_size;	/* bytes; 0 = never */
		int	keep;		/* rotated files to keep */
		struct {
			int	enabled;
			char   *target;	/* /dev/log, udp:h:p, tcp:h:p */
			struct conf_loc target_loc;
			char   *name;	/* syslog tag */
			enum conf_syslog_facility facility;
		}	syslog;
	}	log;
	struct {
		struct conf_text *servers; /* "addr" or "addr:port"; none =
					 * /etc/resolv.conf */
		size_t	server_count;
		long long timeout;	/* seconds per query */
		int	attempts;	/* tries per server */
	}	dns;
	struct {
		struct conf_sbrs_entry *table; /* static scores, file order */
		size_t	table_count;
		struct conf_text *dnslists; /* zones whose TXT is a score */
		size_t	dnslist_count;
	}	sbrs;
	struct {
		struct conf_tls_service inbound;
		struct conf_tls_service outbound;
		struct conf_tls_service https;
		struct {
			int	system;	/* the system CA bundle */
			char   *ca_file; /* operator's PEM bundle, "" none */
			char   *dir; /* mtactl trust's, "" = SPOOL/trust */
		}	trust;
	}	tls;
	struct {
		long long command_timeout; /* seconds */
		long long data_timeout;	/* seconds */
		long long max_connection_time; /* seconds */
		int	max_line;	/* bytes per SMTP line incl. CRLF */
		int	max_header_lines;
		int	max_bad_commands; /* then 421 and close */
		int	max_connections; /* all listeners together */
		int	max_tls_connections;
	}	limits;
	struct {
		long long connect_timeout; /* seconds */
		long long command_timeout; /* seconds */
		long long data_timeout;	/* seconds */
	}	delivery;
	struct {
		char   *password_file;	/* "" = no SMTP AUTH */
		char   *profile;	/* profile name in the mail log */
		int	max_failures;	/* per address, then 421 */
		long long failure_window; /* seconds */
	}	auth;
	struct conf_cert *certs;
	size_t	cert_count;
	struct conf_listener *listeners;
	size_t	listener_count;
	struct conf_bounce *bounces;
	size_t	bounce_count;
	struct conf_route *routes;	/* smtp_routes, file order */
	size_t	route_count;
	struct conf_smarthost *smarthosts; /* file order */
	size_t	smarthost_count;
	struct {
		char   *from;		/* alert sender, "" = alert@hostname */
		long long throttle;	/* seconds between equal alerts */
		struct conf_text *recipients; /* none: no alert mail */
		size_t	recipient_count;
	}	alerts;
	struct {
		char   *certificate;	/* for all outgoing TLS */
		int	tls_failure_alert;
		struct conf_dest def;	/* the Default row */
		struct conf_dest *domains;
		size_t	domain_count;
	}	dest;
	struct conf_priv *priv;		/* private to config/ */
};

extern const char conf_default_yaml[];

struct conf *conf_load_file(const char *, struct buf *);
struct conf *conf_load_string(const char *, const char *, size_t,
	struct buf *);
struct conf *conf_load_default(void);
struct conf *conf_free(struct conf *);
int	conf_set(struct conf *, const char *, const char *, struct buf *);
int	conf_set_option(struct conf *, const char *, struct buf *);
void	conf_dump(const struct conf *, struct buf *);

const struct conf_listener *conf_listener_find(const struct conf *,
	const char *);
const struct conf_policy *conf_policy_find(const struct conf_listener *,
	const char *);
const struct conf_cert *conf_cert_find(const struct conf *, const char *);
const struct conf_bounce *conf_bounce_find(const struct conf *,
	const char *);
const struct conf_dest *conf_dest_find(const struct conf *, const char *);
void	conf_loc_format(const struct conf_loc *, struct buf *);
const struct conf_loc *conf_where(const struct conf *, const void *);

#endif
