/*
 * NAME
 *	queue_env - the message envelope and its on-disk record encoding
 * DESCRIPTION
 *	See queue_env.h. The file form of an envelope, all integers
 *	big-endian:
 *
 *	    magic	8 bytes "MTADENV\n"
 *	    version	u32, QUEUE_ENV_VERSION
 *	    record*	type u8, length u32, value (length bytes)
 *	    END		'E', length 4, CRC-32 (IEEE 802.3) of every byte
 *			of the file before the CRC itself
 *
 *	and nothing after END. Every record has a type and a length, a
 *	file without its END record or with a checksum that does not match
 *	is rejected, and so is any unknown record type (the rules of
 *	Postfix's queue files, plus the checksum against a flipped byte).
 *
 *	Top level records: 'M' MID u64, 'I' ICID u64, 'A' arrival i64,
 *	'N' next attempt i64, 'Z' size u64, 'F' flags u32, 'B' body u8,
 *	'T' DSN RET u8, 'W' TLS bits u32; texts: 'S' sender, 'V' ENVID,
 *	'U' AUTH identity, 'L' listener, 'C' client address, 'H' client
 *	host, 'G' HELO, 'P' TLS protocol, 'X' TLS cipher, 'Q' TLS peer;
 *	'R' one recipient, whose value is itself a sequence of records:
 *	'r' RID u32, 'a' address, 'o' ORCPT, 'n' NOTIFY u8, 's' state u8,
 *	'c' attempts u32, 't' last attempt i64, 'y' last reply.
 *
 *	Each record appears at most once per level (recipients once per
 *	recipient). 'M', 'A', 'Z', 'S' and at least one 'R' are required;
 *	so are 'r' and 'a' in a recipient, and RIDs must increase. Other
 *	records may be absent and then mean zero or empty; the encoder
 *	writes them all, so a version 1 file always has the same shape.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "queue_env.h"

#define ENV_MAGIC	"MTADENV\n"
#define ENV_MAGIC_LEN	8
#define ENV_HDR_LEN	(ENV_MAGIC_LEN + 4)
#define REC_HDR_LEN	5
#define END_LEN		(REC_HDR_LEN + 4)

#define FLAGS_KNOWN	(QUEUE_ENV_SMTPUTF8 | QUEUE_ENV_TLS | \
			 QUEUE_ENV_TLS_VERIFIED | QUEUE_ENV_AUTH)
#define NOTIFY_KNOWN	(QUEUE_NOTIFY_NEVER | QUEUE_NOTIFY_SUCCESS | \
			 QUEUE_NOTIFY_FAILURE | QUEUE_NOTIFY_DELAY)

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

/* queue_env_crc_init - the byte table of the reflected polynomial */

static void
queue_env_crc_init(void)
{
	uint32_t crc;
	size_t	i;
	int	k;

	for (i = 0; i < 256; i++) {
		crc = (uint32_t) i;
		for (k = 0; k < 8; k++)
			crc = (crc & 1) ? 0xEDB88320U ^ (crc >> 1) : crc >> 1;
		crc_table[i] = crc;
	}
}

/*
 * queue_env_crc32 - CRC-32 with the IEEE 802.3 polynomial, reflected.
 * Commits may run in worker threads: the table is built exactly once.
 */

static uint32_t
queue_env_crc32(const unsigned char *p, size_t len)
{
	const uint32_t *table = crc_table;
	uint32_t crc;
	size_t	i;

	if (pthread_once(&crc_once, queue_env_crc_init) != 0)
		msg_panic("queue_env_crc32: pthread_once failed");
	crc = 0xFFFFFFFFU;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
	return (crc ^ 0xFFFFFFFFU);
}

/* queue_env_init - an empty envelope */

void
queue_env_init(struct queue_env *env)
{
	memset(env, 0, sizeof(*env));
	buf_init(&env->sender, 0);
	buf_init(&env->envid, 0);
	buf_init(&env->auth_user, 0);
	buf_init(&env->listener, 0);
	buf_init(&env->client_addr, 0);
	buf_init(&env->client_host, 0);
	buf_init(&env->helo, 0);
	buf_init(&env->tls_protocol, 0);
	buf_init(&env->tls_cipher, 0);
	buf_init(&env->tls_peer, 0);
}

/* queue_env_fini - release an envelope's storage */

void
queue_env_fini(struct queue_env *env)
{
	size_t	i;

	for (i = 0; i < env->rcpt_count; i++) {
		buf_fini(&env->rcpts[i].addr);
		buf_fini(&env->rcpts[i].orcpt);
		buf_fini(&env->rcpts[i].reply);
	}
	mem_free(env->rcpts);
	buf_fini(&env->sender);
	buf_fini(&env->envid);
	buf_fini(&env->auth_user);
	buf_fini(&env->listener);
	buf_fini(&env->client_addr);
	buf_fini(&env->client_host);
	buf_fini(&env->helo);
	buf_fini(&env->tls_protocol);
	buf_fini(&env->tls_cipher);
	buf_fini(&env->tls_peer);
	memset(env, 0, sizeof(*env));
}

/* queue_env_add_rcpt - append a pending recipient with the next RID */

struct queue_rcpt *
queue_env_add_rcpt(struct queue_env *env, const char *addr, size_t len)
{
	struct queue_rcpt *rp;

	if (env->rcpt_count == env->rcpt_size) {
		env->rcpt_size = env->rcpt_size ? 2 * env->rcpt_size : 4;
		env->rcpts = mem_realloc(env->rcpts, env->rcpt_size,
		    sizeof(*env->rcpts));
	}
	rp = env->rcpts + env->rcpt_count;
	memset(rp, 0, sizeof(*rp));
	rp->rid = env->rcpt_count ?
	    env->rcpts[env->rcpt_count - 1].rid + 1 : 0;
	rp->state = QUEUE_RCPT_PENDING;
	buf_init(&rp->addr, len);
	buf_append(&rp->addr, addr, len);
	buf_init(&rp->orcpt, 0);
	buf_init(&rp->reply, 0);
	env->rcpt_count++;
	return (rp);
}

/* queue_rcpt_state_str - name of a recipient state, for logs */

const char *
queue_rcpt_state_str(enum queue_rcpt_state state)
{
	switch (state) {
	case QUEUE_RCPT_PENDING:
		return ("pending");
	case QUEUE_RCPT_DELIVERED:
		return ("delivered");
	case QUEUE_RCPT_DEFERRED:
		return ("deferred");
	case QUEUE_RCPT_BOUNCED:
		return ("bounced");
	}
	return ("unknown");
}

/*
 * Encoding.
 */

/* put_u32 - append a big-endian 32-bit number */

static void
put_u32(struct buf *out, uint32_t v)
{
	unsigned char b[4];

	b[0] = (unsigned char) (v >> 24);
	b[1] = (unsigned char) (v >> 16);
	b[2] = (unsigned char) (v >> 8);
	b[3] = (unsigned char) v;
	buf_append(out, b, 4);
}

/* put_rec - append one record */

static void
put_rec(struct buf *out, int type, const void *val, size_t len)
{
	if (len > UINT32_MAX)
		msg_panic("queue_env_encode: record '%c' of %zu bytes",
		    type, len);
	buf_putc(out, type);
	put_u32(out, (uint32_t) len);
	buf_append(out, val, len);
}

/* put_num - append a record holding a big-endian number of size bytes */

static void
put_num(struct buf *out, int type, uint64_t v, size_t size)
{
	unsigned char b[8];
	size_t	i;

	for (i = 0; i < size; i++)
		b[i] = (unsigned char) (v >> (8 * (size - 1 - i)));
	put_rec(out, type, b, size);
}

/* put_text - append a text record, within the limit */

static void
put_text(struct buf *out, int type, const struct buf *text)
{
	if (text->len > QUEUE_ENV_TEXT_MAX)
		msg_panic("queue_env_encode: text '%c' of %zu bytes exceeds "
		    "the limit of %d", type, text->len, QUEUE_ENV_TEXT_MAX);
	put_rec(out, type, text->data, text->len);
}

/* check_text - one text field within the limit */

static int
check_text(const struct buf *text, const char *what, struct buf *why)
{
	if (text->len > QUEUE_ENV_TEXT_MAX) {
		buf_printf(why, "%s of %zu bytes exceeds the limit of %d",
		    what, text->len, QUEUE_ENV_TEXT_MAX);
		return (-1);
	}
	return (0);
}

/* queue_env_check - would this envelope encode into a valid file? */

int
queue_env_check(const struct queue_env *env, struct buf *why)
{
	const struct queue_rcpt *rp;
	size_t	i;

	if (env->rcpt_count == 0 || env->rcpt_count > QUEUE_ENV_RCPT_MAX) {
		buf_printf(why, "%zu recipients, want 1 to %d",
		    env->rcpt_count, QUEUE_ENV_RCPT_MAX);
		return (-1);
	}
	if ((env->flags & ~FLAGS_KNOWN) != 0
	    || (unsigned) env->body > QUEUE_BODY_BINARYMIME
	    || (unsigned) env->ret > QUEUE_RET_HDRS) {
		buf_printf(why, "unknown flags, body type or DSN RET value");
		return (-1);
	}
	if (check_text(&env->sender, "sender", why) < 0
	    || check_text(&env->envid, "ENVID", why) < 0
	    || check_text(&env->auth_user, "AUTH identity", why) < 0
	    || check_text(&env->listener, "listener name", why) < 0
	    || check_text(&env->client_addr, "client address", why) < 0
	    || check_text(&env->client_host, "client host", why) < 0
	    || check_text(&env->helo, "HELO", why) < 0
	    || check_text(&env->tls_protocol, "TLS protocol", why) < 0
	    || check_text(&env->tls_cipher, "TLS cipher", why) < 0
	    || check_text(&env->tls_peer, "TLS peer", why) < 0)
		return (-1);
	for (i = 0; i < env->rcpt_count; i++) {
		rp = env->rcpts + i;
		if (i > 0 && rp->rid <= rp[-1].rid) {
			buf_printf(why, "RID %lu after RID %lu",
			    (unsigned long) rp->rid,
			    (unsigned long) rp[-1].rid);
			return (-1);
		}
		if ((rp->notify & ~NOTIFY_KNOWN) != 0
		    || (unsigned) rp->state > QUEUE_RCPT_BOUNCED) {
			buf_printf(why, "recipient %lu: unknown NOTIFY or "
			    "state value", (unsigned long) rp->rid);
			return (-1);
		}
		if (check_text(&rp->addr, "recipient address", why) < 0
		    || check_text(&rp->orcpt, "ORCPT", why) < 0
		    || check_text(&rp->reply, "reply text", why) < 0)
			return (-1);
	}
	return (0);
}

/* queue_env_encode - append the file form of an envelope */

void
queue_env_encode(const struct queue_env *env, struct buf *out)
{
	struct buf rbuf;
	const struct queue_rcpt *rp;
	struct buf why;
	size_t	start = out->len;
	size_t	i;

	buf_init(&why, 0);
	if (queue_env_check(env, &why) < 0)
		msg_panic("queue_env_encode: MID %llu: %s",
		    (unsigned long long) env->mid, buf_cstr(&why));
	buf_fini(&why);
	buf_append(out, ENV_MAGIC, ENV_MAGIC_LEN);
	put_u32(out, QUEUE_ENV_VERSION);
	put_num(out, 'M', env->mid, 8);
	put_num(out, 'I', env->icid, 8);
	put_num(out, 'A', (uint64_t) env->arrival, 8);
	put_num(out, 'N', (uint64_t) env->next_attempt, 8);
	put_num(out, 'Z', env->size, 8);
	put_num(out, 'F', env->flags, 4);
	put_num(out, 'B', env->body, 1);
	put_num(out, 'T', env->ret, 1);
	put_num(out, 'W', env->tls_bits, 4);
	put_text(out, 'S', &env->sender);
	put_text(out, 'V', &env->envid);
	put_text(out, 'U', &env->auth_user);
	put_text(out, 'L', &env->listener);
	put_text(out, 'C', &env->client_addr);
	put_text(out, 'H', &env->client_host);
	put_text(out, 'G', &env->helo);
	put_text(out, 'P', &env->tls_protocol);
	put_text(out, 'X', &env->tls_cipher);
	put_text(out, 'Q', &env->tls_peer);

	buf_init(&rbuf, 256);
	for (i = 0; i < env->rcpt_count; i++) {
		rp = env->rcpts + i;
		buf_reset(&rbuf);
		put_num(&rbuf, 'r', rp->rid, 4);
		put_text(&rbuf, 'a', &rp->addr);
		put_text(&rbuf, 'o', &rp->orcpt);
		put_num(&rbuf, 'n', rp->notify, 1);
		put_num(&rbuf, 's', rp->state, 1);
		put_num(&rbuf, 'c', rp->attempts, 4);
		put_num(&rbuf, 't', (uint64_t) rp->last_attempt, 8);
		put_text(&rbuf, 'y', &rp->reply);
		put_rec(out, 'R', rbuf.data, rbuf.len);
	}
	buf_fini(&rbuf);

	buf_putc(out, 'E');
	put_u32(out, 4);
	put_u32(out, queue_env_crc32((unsigned char *) out->data + start,
	    out->len - start));
}

/*
 * Decoding. A cursor walks a byte range; every read is bounds-checked.
 */

struct cursor {
	const unsigned char *p;
	size_t	left;
};

/* get_num - read a big-endian number of size bytes */

static uint64_t
get_num(const unsigned char *p, size_t size)
{
	uint64_t v = 0;
	size_t	i;

	for (i = 0; i < size; i++)
		v = (v << 8) | p[i];
	return (v);
}

/* next_rec - take the next record from the cursor */

static int
next_rec(struct cursor *cur, int *type, struct cursor *val,
    struct buf *why)
{
	uint64_t len;

	if (cur->left < REC_HDR_LEN) {
		buf_printf(why, "truncated record header");
		return (-1);
	}
	*type = cur->p[0];
	len = get_num(cur->p + 1, 4);
	if (len > cur->left - REC_HDR_LEN) {
		buf_printf(why, "truncated record type 0x%02x (length %llu)",
		    *type, (unsigned long long) len);
		return (-1);
	}
	val->p = cur->p + REC_HDR_LEN;
	val->left = (size_t) len;
	cur->p += REC_HDR_LEN + len;
	cur->left -= REC_HDR_LEN + len;
	return (0);
}

/* rec_seen - enforce "at most once" for a record type */

static int
rec_seen(unsigned char *seen, int type, struct buf *why)
{
	if (seen[type]) {
		buf_printf(why, "duplicate record type 0x%02x", type);
		return (-1);
	}
	seen[type] = 1;
	return (0);
}

/* rec_num - a fixed-size number record, within max */

static int
rec_num(const struct cursor *val, int type, size_t size, uint64_t max,
    uint64_t *out, struct buf *why)
{
	if (val->left != size) {
		buf_printf(why, "record '%c' has length %zu, want %zu",
		    type, val->left, size);
		return (-1);
	}
	*out = get_num(val->p, size);
	if (*out > max) {
		buf_printf(why, "record '%c' value %llu out of range", type,
		    (unsigned long long) *out);
		return (-1);
	}
	return (0);
}

/* rec_text - a text record, within the limit */

static int
rec_text(const struct cursor *val, int type, struct buf *out,
    struct buf *why)
{
	if (val->left > QUEUE_ENV_TEXT_MAX) {
		buf_printf(why, "record '%c' of %zu bytes exceeds the limit",
		    type, val->left);
		return (-1);
	}
	buf_reset(out);
	buf_append(out, val->p, val->left);
	return (0);
}

/* decode_rcpt - parse the value of one 'R' record */

static int
decode_rcpt(struct queue_env *env, struct cursor cur, struct buf *why)
{
	unsigned char seen[256] = {0};
	struct queue_rcpt *rp;
	struct cursor val;
	uint64_t v;
	int	type;

	if (env->rcpt_count >= QUEUE_ENV_RCPT_MAX) {
		buf_printf(why, "more than %d recipients", QUEUE_ENV_RCPT_MAX);
		return (-1);
	}
	rp = queue_env_add_rcpt(env, "", 0);
	while (cur.left > 0) {
		if (next_rec(&cur, &type, &val, why) < 0
		    || rec_seen(seen, type, why) < 0)
			return (-1);
		switch (type) {
		case 'r':
			if (rec_num(&val, type, 4, UINT32_MAX, &v, why) < 0)
				return (-1);
			if (env->rcpt_count > 1 && v <= rp[-1].rid) {
				buf_printf(why, "RID %llu after RID %lu",
				    (unsigned long long) v,
				    (unsigned long) rp[-1].rid);
				return (-1);
			}
			rp->rid = (uint32_t) v;
			break;
		case 'a':
			if (rec_text(&val, type, &rp->addr, why) < 0)
				return (-1);
			break;
		case 'o':
			if (rec_text(&val, type, &rp->orcpt, why) < 0)
				return (-1);
			break;
		case 'n':
			if (rec_num(&val, type, 1, NOTIFY_KNOWN, &v, why) < 0)
				return (-1);
			rp->notify = (unsigned) v;
			break;
		case 's':
			if (rec_num(&val, type, 1, QUEUE_RCPT_BOUNCED, &v,
			    why) < 0)
				return (-1);
			rp->state = (enum queue_rcpt_state) v;
			break;
		case 'c':
			if (rec_num(&val, type, 4, UINT32_MAX, &v, why) < 0)
				return (-1);
			rp->attempts = (uint32_t) v;
			break;
		case 't':
			if (rec_num(&val, type, 8, UINT64_MAX, &v, why) < 0)
				return (-1);
			rp->last_attempt = (int64_t) v;
			break;
		case 'y':
			if (rec_text(&val, type, &rp->reply, why) < 0)
				return (-1);
			break;
		default:
			buf_printf(why, "unknown recipient record type 0x%02x",
			    type);
			return (-1);
		}
	}
	if (!seen['r'] || !seen['a']) {
		buf_printf(why, "recipient without %s",
		    seen['r'] ? "address" : "RID");
		return (-1);
	}
	return (0);
}

/* decode_top - parse one top-level record */

static int
decode_top(struct queue_env *env, int type, const struct cursor *val,
    struct buf *why)
{
	uint64_t v;

	switch (type) {
	case 'M':
		if (rec_num(val, type, 8, UINT64_MAX, &v, why) < 0)
			return (-1);
		env->mid = v;
		return (0);
	case 'I':
		if (rec_num(val, type, 8, UINT64_MAX, &v, why) < 0)
			return (-1);
		env->icid = v;
		return (0);
	case 'A':
		if (rec_num(val, type, 8, UINT64_MAX, &v, why) < 0)
			return (-1);
		env->arrival = (int64_t) v;
		return (0);
	case 'N':
		if (rec_num(val, type, 8, UINT64_MAX, &v, why) < 0)
			return (-1);
		env->next_attempt = (int64_t) v;
		return (0);
	case 'Z':
		if (rec_num(val, type, 8, UINT64_MAX, &v, why) < 0)
			return (-1);
		env->size = v;
		return (0);
	case 'F':
		if (rec_num(val, type, 4, FLAGS_KNOWN, &v, why) < 0)
			return (-1);
		env->flags = (unsigned) v;
		return (0);
	case 'B':
		if (rec_num(val, type, 1, QUEUE_BODY_BINARYMIME, &v, why) < 0)
			return (-1);
		env->body = (enum queue_body) v;
		return (0);
	case 'T':
		if (rec_num(val, type, 1, QUEUE_RET_HDRS, &v, why) < 0)
			return (-1);
		env->ret = (enum queue_ret) v;
		return (0);
	case 'W':
		if (rec_num(val, type, 4, UINT32_MAX, &v, why) < 0)
			return (-1);
		env->tls_bits = (uint32_t) v;
		return (0);
	case 'S':
		return (rec_text(val, type, &env->sender, why));
	case 'V':
		return (rec_text(val, type, &env->envid, why));
	case 'U':
		return (rec_text(val, type, &env->auth_user, why));
	case 'L':
		return (rec_text(val, type, &env->listener, why));
	case 'C':
		return (rec_text(val, type, &env->client_addr, why));
	case 'H':
		return (rec_text(val, type, &env->client_host, why));
	case 'G':
		return (rec_text(val, type, &env->helo, why));
	case 'P':
		return (rec_text(val, type, &env->tls_protocol, why));
	case 'X':
		return (rec_text(val, type, &env->tls_cipher, why));
	case 'Q':
		return (rec_text(val, type, &env->tls_peer, why));
	case 'R':
		return (decode_rcpt(env, *val, why));
	default:
		buf_printf(why, "unknown record type 0x%02x", type);
		return (-1);
	}
}

/* queue_env_decode - parse the file form of an envelope */

int
queue_env_decode(struct queue_env *env, const char *data, size_t len,
    struct buf *why)
{
	const unsigned char *p = (const unsigned char *) data;
	unsigned char seen[256] = {0};
	struct cursor cur;
	struct cursor val;
	uint64_t version;
	int	type;

	queue_env_init(env);
	if (len < ENV_MAGIC_LEN || memcmp(p, ENV_MAGIC, ENV_MAGIC_LEN) != 0) {
		buf_printf(why, "bad magic");
		return (-1);
	}
	if (len < ENV_HDR_LEN) {
		buf_printf(why, "truncated header");
		return (-1);
	}
	version = get_num(p + ENV_MAGIC_LEN, 4);
	if (version != QUEUE_ENV_VERSION) {
		buf_printf(why, "unsupported version %llu",
		    (unsigned long long) version);
		return (-1);
	}

	/*
	 * The END record closes the file: check it and the checksum before
	 * believing any length inside, so a flipped byte is reported as
	 * what it is.
	 */
	if (len < ENV_HDR_LEN + END_LEN || p[len - END_LEN] != 'E'
	    || get_num(p + len - END_LEN + 1, 4) != 4) {
		buf_printf(why, "missing END record");
		return (-1);
	}
	if (get_num(p + len - 4, 4) != queue_env_crc32(p, len - 4)) {
		buf_printf(why, "checksum mismatch");
		return (-1);
	}

	cur.p = p + ENV_HDR_LEN;
	cur.left = len - ENV_HDR_LEN - END_LEN;
	while (cur.left > 0) {
		if (next_rec(&cur, &type, &val, why) < 0)
			return (-1);
		if (type == 'E') {
			buf_printf(why, "END record before the end");
			return (-1);
		}
		if (type != 'R' && rec_seen(seen, type, why) < 0)
			return (-1);
		if (decode_top(env, type, &val, why) < 0)
			return (-1);
	}
	if (!seen['M'] || !seen['A'] || !seen['Z'] || !seen['S']) {
		buf_printf(why, "missing required record '%c'",
		    !seen['M'] ? 'M' : !seen['A'] ? 'A' : !seen['Z'] ? 'Z' :
		    'S');
		return (-1);
	}
	if (env->rcpt_count == 0) {
		buf_printf(why, "no recipients");
		return (-1);
	}
	return (0);
}
