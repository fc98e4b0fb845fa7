/*
 * NAME
 *	queue_env_test - envelope encoding: round trips and hostile files
 * DESCRIPTION
 *	Texts from the network hold CR, LF and NUL; every one must come
 *	back byte-exact and none may create a record. Every damaged file
 *	(truncated at any offset, any byte flipped, wrong version, unknown
 *	or duplicate records, out of range values) must be rejected with a
 *	reason, never accepted and never crash.
 */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

#include "queue_env.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* crc32_ref - bitwise CRC-32, independent of the table in queue_env.c */

static uint32_t
crc32_ref(const unsigned char *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFU;
	size_t	i;
	int	k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1)));
	}
	return (~crc);
}

/* put32 - append big-endian u32 */

static void
put32(struct buf *bp, uint32_t v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};

	buf_append(bp, b, 4);
}

/* rec - append a raw record */

static void
rec(struct buf *bp, int type, const void *val, size_t len)
{
	buf_putc(bp, type);
	put32(bp, (uint32_t) len);
	buf_append(bp, val, len);
}

/* rec_num - append a raw record of a big-endian number of size bytes */

static void
rec_num(struct buf *bp, int type, uint64_t v, size_t size)
{
	unsigned char b[8];
	size_t	i;

	for (i = 0; i < size; i++)
		b[i] = (unsigned char) (v >> (8 * (size - 1 - i)));
	rec(bp, type, b, size);
}

/* file_build - magic, version, the given records, END with a good CRC */

static void
file_build(struct buf *out, uint32_t version, const struct buf *records)
{
	buf_reset(out);
	buf_append(out, "MTADENV\n", 8);
	put32(out, version);
	buf_append(out, records->data, records->len);
	buf_putc(out, 'E');
	put32(out, 4);
	put32(out, crc32_ref((unsigned char *) out->data, out->len));
}

/* rcpt_rec - append a raw 'R' record for rid and address */

static void
rcpt_rec(struct buf *bp, uint32_t rid, const char *addr)
{
	struct buf r;

	buf_init(&r, 0);
	rec_num(&r, 'r', rid, 4);
	rec(&r, 'a', addr, strlen(addr));
	rec(bp, 'R', r.data, r.len);
	buf_fini(&r);
}

/* minimal_records - the smallest valid record set */

static void
minimal_records(struct buf *bp)
{
	rec_num(bp, 'M', 7, 8);
	rec_num(bp, 'A', 1700000000, 8);
	rec_num(bp, 'Z', 10, 8);
	rec(bp, 'S', "", 0);
	rcpt_rec(bp, 0, "b@example.net");
}

/* set_all_texts - put the same bytes in every text field */

static void
set_all_texts(struct queue_env *env, const char *val, size_t len)
{
	struct buf *texts[] = {
		&env->sender, &env->envid, &env->auth_user, &env->listener,
		&env->client_addr, &env->client_host, &env->helo,
		&env->tls_protocol, &env->tls_cipher, &env->tls_peer,
	};
	struct queue_rcpt *rp;
	size_t	i;

	for (i = 0; i < NELEM(texts); i++) {
		buf_reset(texts[i]);
		buf_append(texts[i], val, len);
	}
	for (i = 0; i < 3; i++) {
		rp = queue_env_add_rcpt(env, val, len);
		buf_append(&rp->orcpt, val, len);
		buf_append(&rp->reply, val, len);
	}
}

/* same_buf - byte equality of two bufs */

static int
same_buf(const struct buf *a, const struct buf *b)
{
	return (a->len == b->len && memcmp(a->data, b->data, a->len) == 0);
}

/* assert_same_env - every field of two envelopes is equal */

static void
assert_same_env(const struct queue_env *a, const struct queue_env *b,
    const char *label)
{
	size_t	i;

	cr_assert_eq(a->mid, b->mid, "%s: mid", label);
	cr_assert_eq(a->icid, b->icid, "%s: icid", label);
	cr_assert_eq(a->arrival, b->arrival, "%s: arrival", label);
	cr_assert_eq(a->next_attempt, b->next_attempt, "%s: next", label);
	cr_assert_eq(a->size, b->size, "%s: size", label);
	cr_assert_eq(a->flags, b->flags, "%s: flags", label);
	cr_assert_eq(a->body, b->body, "%s: body", label);
	cr_assert_eq(a->ret, b->ret, "%s: ret", label);
	cr_assert_eq(a->tls_bits, b->tls_bits, "%s: tls bits", label);
	cr_assert(same_buf(&a->sender, &b->sender), "%s: sender", label);
	cr_assert(same_buf(&a->envid, &b->envid), "%s: envid", label);
	cr_assert(same_buf(&a->auth_user, &b->auth_user), "%s: auth", label);
	cr_assert(same_buf(&a->listener, &b->listener), "%s: listener",
	    label);
	cr_assert(same_buf(&a->client_addr, &b->client_addr), "%s: addr",
	    label);
	cr_assert(same_buf(&a->client_host, &b->client_host), "%s: host",
	    label);
	cr_assert(same_buf(&a->helo, &b->helo), "%s: helo", label);
	cr_assert(same_buf(&a->tls_protocol, &b->tls_protocol),
	    "%s: tls protocol", label);
	cr_assert(same_buf(&a->tls_cipher, &b->tls_cipher), "%s: cipher",
	    label);
	cr_assert(same_buf(&a->tls_peer, &b->tls_peer), "%s: peer", label);
	cr_assert_eq(a->rcpt_count, b->rcpt_count, "%s: recipients", label);
	for (i = 0; i < a->rcpt_count; i++) {
		const struct queue_rcpt *ra = a->rcpts + i;
		const struct queue_rcpt *rb = b->rcpts + i;

		cr_assert_eq(ra->rid, rb->rid, "%s: rcpt %zu rid", label, i);
		cr_assert(same_buf(&ra->addr, &rb->addr), "%s: rcpt %zu addr",
		    label, i);
		cr_assert(same_buf(&ra->orcpt, &rb->orcpt),
		    "%s: rcpt %zu orcpt", label, i);
		cr_assert(same_buf(&ra->reply, &rb->reply),
		    "%s: rcpt %zu reply", label, i);
		cr_assert_eq(ra->notify, rb->notify, "%s: rcpt %zu notify",
		    label, i);
		cr_assert_eq(ra->state, rb->state, "%s: rcpt %zu state",
		    label, i);
		cr_assert_eq(ra->attempts, rb->attempts,
		    "%s: rcpt %zu attempts", label, i);
		cr_assert_eq(ra->last_attempt, rb->last_attempt,
		    "%s: rcpt %zu last attempt", label, i);
	}
}

struct hostile_case {
	const char *label;
	const char *val;
	size_t	len;
};

Test(queue_env, hostile_texts_round_trip_byte_exact)
{
	static const char injected_rcpt[] =
	    "x\r\nR\0\0\0\x16r\0\0\0\x04\0\0\0\x09" "a\0\0\0\x07" "e@v.net";
	static const char injected_end[] = "\nE\0\0\0\x04\xde\xad\xbe\xef";
	static const struct hostile_case cases[] = {
		{"empty", "", 0},
		{"CRLF header injection", "a@b\r\nX-Injected: yes", 20},
		{"bare CR", "b\r@example.net", 14},
		{"bare LF", "b\n@example.net", 14},
		{"NUL inside", "a\0b@example.net", 15},
		{"only NULs", "\0\0\0\0", 4},
		{"a whole R record", injected_rcpt, sizeof(injected_rcpt) - 1},
		{"an END record", injected_end, sizeof(injected_end) - 1},
		{"the magic", "MTADENV\n\0\0\0\x01", 12},
		{"high bytes", "\xff\xfe\x80\xc3\xa9", 5},
	};
	struct queue_env in;
	struct queue_env out;
	struct buf file;
	struct buf why;
	size_t	i;

	for (i = 0; i < NELEM(cases); i++) {
		queue_env_init(&in);
		in.mid = 123456789;
		set_all_texts(&in, cases[i].val, cases[i].len);
		buf_init(&file, 0);
		buf_init(&why, 0);
		queue_env_encode(&in, &file);
		cr_assert_eq(queue_env_decode(&out, file.data, file.len, &why),
		    0, "%s: decode: %s", cases[i].label, buf_cstr(&why));
		assert_same_env(&in, &out, cases[i].label);
		cr_assert_eq(out.rcpt_count, 3, "%s: the value made records",
		    cases[i].label);
		queue_env_fini(&in);
		queue_env_fini(&out);
		buf_fini(&file);
		buf_fini(&why);
	}
}

Test(queue_env, every_byte_value_and_max_length_round_trip)
{
	struct queue_env in;
	struct queue_env out;
	struct buf file;
	struct buf why;
	char   *big;
	char	all[256];
	size_t	i;

	for (i = 0; i < 256; i++)
		all[i] = (char) i;
	big = mem_alloc(QUEUE_ENV_TEXT_MAX);
	for (i = 0; i < QUEUE_ENV_TEXT_MAX; i++)
		big[i] = all[(i * 7) % 256];

	queue_env_init(&in);
	set_all_texts(&in, all, sizeof(all));
	buf_reset(&in.sender);
	buf_append(&in.sender, big, QUEUE_ENV_TEXT_MAX);
	buf_reset(&in.rcpts[1].reply);
	buf_append(&in.rcpts[1].reply, big, QUEUE_ENV_TEXT_MAX);
	in.mid = UINT64_MAX;
	in.icid = UINT64_MAX - 1;
	in.arrival = INT64_MIN;
	in.next_attempt = -1;
	in.size = (uint64_t) 1 << 40;
	in.flags = QUEUE_ENV_SMTPUTF8 | QUEUE_ENV_TLS | QUEUE_ENV_TLS_VERIFIED |
	    QUEUE_ENV_AUTH;
	in.body = QUEUE_BODY_BINARYMIME;
	in.ret = QUEUE_RET_HDRS;
	in.tls_bits = UINT32_MAX;
	in.rcpts[0].state = QUEUE_RCPT_DELIVERED;
	in.rcpts[1].state = QUEUE_RCPT_DEFERRED;
	in.rcpts[1].attempts = UINT32_MAX;
	in.rcpts[1].last_attempt = INT64_MAX;
	in.rcpts[2].state = QUEUE_RCPT_BOUNCED;
	in.rcpts[2].notify = QUEUE_NOTIFY_SUCCESS | QUEUE_NOTIFY_FAILURE |
	    QUEUE_NOTIFY_DELAY;
	in.rcpts[2].rid = UINT32_MAX;

	buf_init(&file, 0);
	buf_init(&why, 0);
	queue_env_encode(&in, &file);
	cr_assert_eq(queue_env_decode(&out, file.data, file.len, &why), 0,
	    "decode: %s", buf_cstr(&why));
	assert_same_env(&in, &out, "limits");
	queue_env_fini(&in);
	queue_env_fini(&out);
	buf_fini(&file);
	buf_fini(&why);
	mem_free(big);
}

Test(queue_env, rids_are_assigned_in_order)
{
	struct queue_env env;
	size_t	i;

	queue_env_init(&env);
	for (i = 0; i < 100; i++)
		cr_assert_eq(queue_env_add_rcpt(&env, "x", 1)->rid, i);
	cr_assert_eq(env.rcpts[99].state, QUEUE_RCPT_PENDING);
	queue_env_fini(&env);
}

/*
 * A damaged file: records (the minimal set or none, then more()), a
 * version, one damage done to the finished file, and the reason the
 * decoder must give.
 */
struct bad_case {
	const char *label;
	int	minimal;		/* start from minimal_records() */
	void	(*more)(struct buf *);	/* records to add, or NULL */
	uint32_t version;
	int	damage;			/* DMG_* */
	const char *why;
};

#define DMG_NONE	0
#define DMG_EMPTY	1		/* no bytes at all */
#define DMG_MAGIC	2		/* first magic byte changed */
#define DMG_CUT_END	3		/* END record cut off */
#define DMG_APPEND	4		/* a byte after END */
#define DMG_FLIP	5		/* a bit flipped inside the records */

/* more_unknown - a record type nobody defined */

static void
more_unknown(struct buf *r)
{
	rec(r, 'z', "x", 1);
}

/* more_second_mid - a second MID record */

static void
more_second_mid(struct buf *r)
{
	rec_num(r, 'M', 8, 8);
}

/* more_no_rcpt - the required records without a recipient */

static void
more_no_rcpt(struct buf *r)
{
	rec_num(r, 'M', 7, 8);
	rec_num(r, 'A', 1, 8);
	rec_num(r, 'Z', 0, 8);
	rec(r, 'S', "", 0);
}

/* more_no_mid - the required records without the MID */

static void
more_no_mid(struct buf *r)
{
	rec_num(r, 'A', 1, 8);
	rec_num(r, 'Z', 0, 8);
	rec(r, 'S', "", 0);
	rcpt_rec(r, 0, "b@example.net");
}

/* more_short_icid - an ICID of 4 bytes instead of 8 */

static void
more_short_icid(struct buf *r)
{
	rec_num(r, 'I', 1, 4);
}

/* more_body - a body type beyond the known ones */

static void
more_body(struct buf *r)
{
	rec_num(r, 'B', 9, 1);
}

/* more_flags - a flag bit nobody defined */

static void
more_flags(struct buf *r)
{
	rec_num(r, 'F', 0x80000000U, 4);
}

/* more_rcpt_state - a recipient state beyond the known ones */

static void
more_rcpt_state(struct buf *r)
{
	struct buf rr;

	buf_init(&rr, 0);
	rec_num(&rr, 'r', 1, 4);
	rec(&rr, 'a', "c@x", 3);
	rec_num(&rr, 's', 4, 1);
	rec(r, 'R', rr.data, rr.len);
	buf_fini(&rr);
}

/* more_rid_again - a second recipient with RID 0 */

static void
more_rid_again(struct buf *r)
{
	rcpt_rec(r, 0, "again@example.net");
}

/* more_rcpt_no_addr - a recipient with a RID but no address */

static void
more_rcpt_no_addr(struct buf *r)
{
	struct buf rr;

	buf_init(&rr, 0);
	rec_num(&rr, 'r', 1, 4);
	rec(r, 'R', rr.data, rr.len);
	buf_fini(&rr);
}

/* more_rcpt_overrun - a recipient sub-record longer than its record */

static void
more_rcpt_overrun(struct buf *r)
{
	rec(r, 'R', "a\0\0\0\x40xyz", 8);
}

/* more_record_overrun - a record longer than the file */

static void
more_record_overrun(struct buf *r)
{
	buf_append(r, "S\x7f\xff\xff\xffxx", 7);
}

/* more_long_sender - a complete set whose sender is over the limit */

static void
more_long_sender(struct buf *r)
{
	char   *big = mem_zalloc(1, QUEUE_ENV_TEXT_MAX + 1);

	rec_num(r, 'M', 7, 8);
	rec_num(r, 'A', 1, 8);
	rec_num(r, 'Z', 0, 8);
	rec(r, 'S', big, QUEUE_ENV_TEXT_MAX + 1);
	rcpt_rec(r, 0, "b@example.net");
	mem_free(big);
}

/* more_inner_end - an END record before the last one */

static void
more_inner_end(struct buf *r)
{
	rec_num(r, 'E', 0, 4);
}

/* bad_file - build the file of one case */

static void
bad_file(const struct bad_case *bc, struct buf *f)
{
	struct buf r;

	buf_init(&r, 0);
	if (bc->minimal)
		minimal_records(&r);
	if (bc->more != NULL)
		bc->more(&r);
	file_build(f, bc->version, &r);
	buf_fini(&r);
	switch (bc->damage) {
	case DMG_EMPTY:
		buf_reset(f);
		break;
	case DMG_MAGIC:
		f->data[0] = 'm';
		break;
	case DMG_CUT_END:
		buf_truncate(f, f->len - 9);
		break;
	case DMG_APPEND:
		buf_putc(f, '\n');
		break;
	case DMG_FLIP:
		f->data[20] ^= 0x20;
		break;
	}
}

Test(queue_env, damaged_files_are_rejected_with_a_reason)
{
	static const struct bad_case cases[] = {
		{"empty file", 1, NULL, 1, DMG_EMPTY, "bad magic"},
		{"wrong magic", 1, NULL, 1, DMG_MAGIC, "bad magic"},
		{"newer version", 1, NULL, 2, DMG_NONE,
		    "unsupported version 2"},
		{"no END record", 1, NULL, 1, DMG_CUT_END,
		    "missing END record"},
		{"bytes after END", 1, NULL, 1, DMG_APPEND,
		    "missing END record"},
		{"flipped byte", 1, NULL, 1, DMG_FLIP, "checksum mismatch"},
		{"unknown record", 1, more_unknown, 1, DMG_NONE,
		    "unknown record type 0x7a"},
		{"duplicate MID", 1, more_second_mid, 1, DMG_NONE,
		    "duplicate record"},
		{"no recipients", 0, more_no_rcpt, 1, DMG_NONE,
		    "no recipients"},
		{"no MID", 0, more_no_mid, 1, DMG_NONE,
		    "missing required record 'M'"},
		{"number of wrong size", 1, more_short_icid, 1, DMG_NONE,
		    "has length 4, want 8"},
		{"body out of range", 1, more_body, 1, DMG_NONE,
		    "out of range"},
		{"unknown flag", 1, more_flags, 1, DMG_NONE, "out of range"},
		{"recipient state out of range", 1, more_rcpt_state, 1,
		    DMG_NONE, "out of range"},
		{"RIDs not increasing", 1, more_rid_again, 1, DMG_NONE,
		    "RID 0 after RID 0"},
		{"recipient without address", 1, more_rcpt_no_addr, 1,
		    DMG_NONE, "recipient without address"},
		{"sub-record overrun", 1, more_rcpt_overrun, 1, DMG_NONE,
		    "truncated record"},
		{"record overrun", 1, more_record_overrun, 1, DMG_NONE,
		    "truncated record"},
		{"text over the limit", 0, more_long_sender, 1, DMG_NONE,
		    "exceeds the limit"},
		{"END in the middle", 1, more_inner_end, 1, DMG_NONE,
		    "END record before"},
	};
	struct queue_env env;
	struct buf file;
	struct buf why;
	size_t	i;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&file, 0);
		buf_init(&why, 0);
		bad_file(cases + i, &file);
		cr_assert_eq(queue_env_decode(&env, file.data, file.len, &why),
		    -1, "%s: accepted", cases[i].label);
		cr_assert_not_null(strstr(buf_cstr(&why), cases[i].why),
		    "%s: reason \"%s\", want \"%s\"", cases[i].label,
		    buf_cstr(&why), cases[i].why);
		queue_env_fini(&env);
		buf_fini(&file);
		buf_fini(&why);
	}
}

Test(queue_env, hand_built_minimal_file_is_accepted)
{
	struct queue_env env;
	struct buf r;
	struct buf file;
	struct buf why;

	/* Also proves the encoder's CRC is the standard CRC-32. */
	buf_init(&r, 0);
	buf_init(&file, 0);
	buf_init(&why, 0);
	minimal_records(&r);
	file_build(&file, 1, &r);
	cr_assert_eq(queue_env_decode(&env, file.data, file.len, &why), 0,
	    "%s", buf_cstr(&why));
	cr_assert_eq(env.mid, 7);
	cr_assert_eq(env.size, 10);
	cr_assert_eq(env.rcpt_count, 1);
	cr_assert_str_eq(buf_cstr(&env.rcpts[0].addr), "b@example.net");
	cr_assert_eq(env.sender.len, 0);
	queue_env_fini(&env);
	buf_fini(&r);
	buf_fini(&file);
	buf_fini(&why);
	cr_assert_eq(crc32_ref((const unsigned char *) "123456789", 9),
	    0xCBF43926U);
}

Test(queue_env, every_truncation_and_every_flip_is_rejected)
{
	struct queue_env in;
	struct queue_env out;
	struct buf file;
	struct buf why;
	size_t	i;
	int	bit;

	queue_env_init(&in);
	set_all_texts(&in, "a\r\nb", 4);
	buf_init(&file, 0);
	buf_init(&why, 0);
	queue_env_encode(&in, &file);
	for (i = 0; i < file.len; i++) {
		buf_reset(&why);
		cr_assert_eq(queue_env_decode(&out, file.data, i, &why), -1,
		    "truncated to %zu of %zu bytes: accepted", i, file.len);
		cr_assert_gt(why.len, 0, "truncated to %zu: no reason", i);
		queue_env_fini(&out);
	}
	for (i = 0; i < file.len; i++) {
		for (bit = 0; bit < 8; bit++) {
			file.data[i] ^= (char) (1 << bit);
			buf_reset(&why);
			cr_assert_eq(queue_env_decode(&out, file.data,
			    file.len, &why), -1,
			    "bit %d of byte %zu flipped: accepted", bit, i);
			queue_env_fini(&out);
			file.data[i] ^= (char) (1 << bit);
		}
	}
	cr_assert_eq(queue_env_decode(&out, file.data, file.len, &why), 0);
	queue_env_fini(&out);
	queue_env_fini(&in);
	buf_fini(&file);
	buf_fini(&why);
}

Test(queue_env, random_records_with_valid_checksum_never_crash)
{
	static const char types[] = "MIANZFBTWSVULCHGPXQRrasnctyoE\x00\xff";
	struct queue_env env;
	struct buf r;
	struct buf file;
	struct buf why;
	unsigned seed = 12345;
	int	iter;
	int	k;

	buf_init(&r, 0);
	buf_init(&file, 0);
	buf_init(&why, 0);
	for (iter = 0; iter < 20000; iter++) {
		buf_reset(&r);
		for (k = 0; k < 1 + rand_r(&seed) % 12; k++) {
			size_t	len = (size_t) rand_r(&seed) % 24;
			char	val[24];
			size_t	j;

			for (j = 0; j < len; j++)
				val[j] = (char) rand_r(&seed);
			if (rand_r(&seed) % 8 == 0) {
				/* a length that lies */
				buf_putc(&r, types[rand_r(&seed) %
				    (sizeof(types) - 1)]);
				put32(&r, (uint32_t) rand_r(&seed));
				buf_append(&r, val, len);
			} else
				rec(&r, types[rand_r(&seed) %
				    (sizeof(types) - 1)], val, len);
		}
		file_build(&file, 1, &r);
		buf_reset(&why);
		if (queue_env_decode(&env, file.data, file.len, &why) < 0)
			cr_assert_gt(why.len, 0, "iteration %d: no reason",
			    iter);
		queue_env_fini(&env);
	}
	buf_fini(&r);
	buf_fini(&file);
	buf_fini(&why);
}

Test(queue_env, encode_refuses_text_over_the_limit, .signal = SIGABRT)
{
	struct queue_env env;
	struct buf file;
	char   *big = mem_zalloc(1, QUEUE_ENV_TEXT_MAX + 1);

	msg_stderr_set(0);
	queue_env_init(&env);
	(void) queue_env_add_rcpt(&env, "b@example.net", 13);
	buf_append(&env.helo, big, QUEUE_ENV_TEXT_MAX + 1);
	buf_init(&file, 0);
	queue_env_encode(&env, &file);
}

Test(queue_env, encode_refuses_no_recipients, .signal = SIGABRT)
{
	struct queue_env env;
	struct buf file;

	msg_stderr_set(0);
	queue_env_init(&env);
	buf_init(&file, 0);
	queue_env_encode(&env, &file);
}

/* A way to break an otherwise good envelope, and the reason wanted. */
struct check_case {
	const char *label;
	void	(*breakit)(struct queue_env *);
	const char *why;
};

/* brk_none - leave the envelope good */

static void
brk_none(struct queue_env *env)
{
	(void) env;
}

/* brk_no_rcpt - drop every recipient */

static void
brk_no_rcpt(struct queue_env *env)
{
	size_t	i;

	for (i = 0; i < env->rcpt_count; i++) {
		buf_fini(&env->rcpts[i].addr);
		buf_fini(&env->rcpts[i].orcpt);
		buf_fini(&env->rcpts[i].reply);
	}
	env->rcpt_count = 0;
}

/* brk_long_helo - a HELO over the limit */

static void
brk_long_helo(struct queue_env *env)
{
	size_t	i;

	for (i = 0; i <= QUEUE_ENV_TEXT_MAX; i++)
		buf_putc(&env->helo, 'h');
}

/* brk_long_reply - a reply text over the limit */

static void
brk_long_reply(struct queue_env *env)
{
	size_t	i;

	for (i = 0; i <= QUEUE_ENV_TEXT_MAX; i++)
		buf_putc(&env->rcpts[1].reply, 'r');
}

/* brk_rid - two recipients with the same RID */

static void
brk_rid(struct queue_env *env)
{
	env->rcpts[1].rid = env->rcpts[0].rid;
}

/* brk_body - a body type out of range */

static void
brk_body(struct queue_env *env)
{
	env->body = (enum queue_body) 300;
}

/* brk_flags - an undefined flag */

static void
brk_flags(struct queue_env *env)
{
	env->flags |= 1U << 20;
}

/* brk_state - a recipient state out of range */

static void
brk_state(struct queue_env *env)
{
	env->rcpts[0].state = (enum queue_rcpt_state) 9;
}

/* brk_notify - an undefined NOTIFY bit */

static void
brk_notify(struct queue_env *env)
{
	env->rcpts[0].notify = 0x100;
}

Test(queue_env, check_accepts_exactly_what_decodes)
{
	static const struct check_case cases[] = {
		{"good", brk_none, NULL},
		{"no recipients", brk_no_rcpt, "0 recipients"},
		{"HELO too long", brk_long_helo, "HELO of 65538 bytes"},
		{"reply too long", brk_long_reply, "reply text of 65538"},
		{"RIDs not increasing", brk_rid, "RID 0 after RID 0"},
		{"body type 300", brk_body, "body type"},
		{"unknown flag", brk_flags, "unknown flags"},
		{"recipient state 9", brk_state, "state value"},
		{"NOTIFY 0x100", brk_notify, "NOTIFY"},
	};
	struct queue_env env;
	struct queue_env out;
	struct buf why;
	struct buf file;
	size_t	i;

	for (i = 0; i < NELEM(cases); i++) {
		queue_env_init(&env);
		set_all_texts(&env, "x", 1);
		cases[i].breakit(&env);
		buf_init(&why, 0);
		if (cases[i].why == NULL) {
			cr_assert_eq(queue_env_check(&env, &why), 0, "%s: %s",
			    cases[i].label, buf_cstr(&why));
			buf_init(&file, 0);
			queue_env_encode(&env, &file);
			cr_assert_eq(queue_env_decode(&out, file.data,
			    file.len, &why), 0, "%s", cases[i].label);
			queue_env_fini(&out);
			buf_fini(&file);
		} else {
			cr_assert_eq(queue_env_check(&env, &why), -1,
			    "%s: accepted", cases[i].label);
			cr_assert_not_null(strstr(buf_cstr(&why),
			    cases[i].why), "%s: reason \"%s\", want \"%s\"",
			    cases[i].label, buf_cstr(&why), cases[i].why);
		}
		queue_env_fini(&env);
		buf_fini(&why);
	}
}
