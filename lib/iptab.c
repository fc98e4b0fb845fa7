/*
 * NAME
 *	iptab - per-client-address counters shared by processes
 * DESCRIPTION
 *	See iptab.h. The shared region starts with a header (magic,
 *	capacity) followed by an open-addressing array of slots. A slot is
 *	claimed with a compare-and-swap on its state word (EMPTY -> BUSY),
 *	filled, then published (READY); lookups skip BUSY slots after a
 *	short spin, so a process that dies between claim and publish wastes
 *	one slot and nothing else.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iptab.h"
#include "mem.h"
#include "msg.h"

#define IPTAB_MAGIC	0x69707462u	/* "iptb" */
#define IPTAB_PROBES	64		/* slots tried before giving up */
#define IPTAB_SPINS	1000		/* waits for a BUSY slot */
#define IPTAB_HOUR	3600

enum {
	IPTAB_EMPTY,
	IPTAB_BUSY,
	IPTAB_READY,
};

struct iptab_slot {
	uint32_t state;
	uint8_t	key[16];
	int64_t	hour_start;
	uint64_t rcpts;
	int64_t	auth_start;		/* window of failed AUTH attempts */
	uint64_t auth_fails;
	uint16_t conns[IPTAB_SLOTS];	/* per listener process */
};

struct iptab_head {
	uint32_t magic;
	uint32_t pad;
	uint64_t capacity;
};

struct iptab {
	int	fd;
	size_t	map_len;
	struct iptab_head *head;
	struct iptab_slot *slots;
};

/* iptab_map - map a table of the size its header says */

static struct iptab *
iptab_map(int fd, size_t map_len, struct buf *err)
{
	struct iptab *tp;
	void   *map;

	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		buf_printf(err, "address table: mmap: %s", strerror(errno));
		return (NULL);
	}
	tp = mem_alloc(sizeof(*tp));
	tp->fd = fd;
	tp->map_len = map_len;
	tp->head = map;
	tp->slots = (struct iptab_slot *) (tp->head + 1);
	return (tp);
}

/* iptab_create - make a new shared table in anonymous memory */

struct iptab *
iptab_create(size_t capacity, struct buf *err)
{
	struct iptab *tp;
	size_t	len;
	int	fd;

	if (capacity < 16)
		capacity = 16;
	len = sizeof(struct iptab_head) + capacity * sizeof(struct iptab_slot);
	if ((fd = memfd_create("mtad-iptab", MFD_CLOEXEC)) == -1) {
		buf_printf(err, "address table: memfd_create: %s",
		    strerror(errno));
		return (NULL);
	}
	if (ftruncate(fd, (off_t) len) == -1) {
		buf_printf(err, "address table: ftruncate: %s", strerror(errno));
		(void) close(fd);
		return (NULL);
	}
	if ((tp = iptab_map(fd, len, err)) == NULL) {
		(void) close(fd);
		return (NULL);
	}
	tp->head->magic = IPTAB_MAGIC;
	tp->head->capacity = capacity;
	return (tp);
}

/* iptab_adopt - map a table created by another process */

struct iptab *
iptab_adopt(int fd, struct buf *err)
{
	struct iptab_head head;
	struct stat st;
	size_t	len;

	if (fstat(fd, &st) == -1 || pread(fd, &head, sizeof(head), 0)
	    != (ssize_t) sizeof(head)) {
		buf_printf(err, "address table: cannot read header: %s",
		    strerror(errno));
		return (NULL);
	}
	len = sizeof(head) + head.capacity * sizeof(struct iptab_slot);
	if (head.magic != IPTAB_MAGIC || (off_t) len != st.st_size) {
		buf_printf(err, "address table: bad header");
		return (NULL);
	}
	return (iptab_map(fd, len, err));
}

/* iptab_fd - the descriptor, to hand to a child process */

int
iptab_fd(const struct iptab *tp)
{
	return (tp->fd);
}

/* iptab_close - unmap and close */

struct iptab *
iptab_close(struct iptab *tp)
{
	if (tp) {
		(void) munmap(tp->head, tp->map_len);
		(void) close(tp->fd);
		mem_free(tp);
	}
	return (NULL);
}

/* iptab_key - the 16-byte key of an address; 0 for other families */

static int
iptab_key(const struct sockaddr *sa, uint8_t key[16])
{
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *) sa)->sin6_addr, 16);
		return (1);
	}
	if (sa->sa_family == AF_INET) {
		memset(key, 0, 10);
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *) sa)->sin_addr,
		    4);
		return (1);
	}
	return (0);
}

/* iptab_hash - FNV-1a over the key */

static uint64_t
iptab_hash(const uint8_t key[16])
{
	uint64_t h = 1469598103934665603ULL;
	int	i;

	for (i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 1099511628211ULL;
	}
	return (h);
}

/* iptab_wait_ready - state of a slot, waiting briefly while it is BUSY */

static uint32_t
iptab_wait_ready(struct iptab_slot *slot)
{
	uint32_t state;
	int	spins = 0;

	while ((state = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE))
	    == IPTAB_BUSY && spins++ < IPTAB_SPINS)
		sched_yield();
	return (state);
}

/* iptab_find - the slot of an address, claiming one if needed */

static struct iptab_slot *
iptab_find(struct iptab *tp, const struct sockaddr *sa)
{
	uint8_t	key[16];
	uint64_t cap = tp->head->capacity;
	uint64_t i;
	uint64_t h;

	if (!iptab_key(sa, key))
		return (NULL);
	h = iptab_hash(key);
	for (i = 0; i < IPTAB_PROBES && i < cap; i++) {
		struct iptab_slot *slot = tp->slots + (h + i) % cap;
		uint32_t expect = IPTAB_EMPTY;

		if (__atomic_compare_exchange_n(&slot->state, &expect,
		    IPTAB_BUSY, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			memcpy(slot->key, key, sizeof(key));
			__atomic_store_n(&slot->state, IPTAB_READY,
			    __ATOMIC_RELEASE);
			return (slot);
		}
		if (iptab_wait_ready(slot) == IPTAB_READY
		    && memcmp(slot->key, key, sizeof(key)) == 0)
			return (slot);
	}
	return (NULL);
}

/* iptab_conns - a host's connections over all slots */

static unsigned long
iptab_conns(struct iptab_slot *entry)
{
	unsigned long sum = 0;
	unsigned i;

	for (i = 0; i < IPTAB_SLOTS; i++)
		sum += __atomic_load_n(&entry->conns[i], __ATOMIC_ACQUIRE);
	return (sum);
}

/* iptab_conn_enter - count a connection unless over the limit */

int
iptab_conn_enter(struct iptab *tp, unsigned slot, const struct sockaddr *sa,
    long max, unsigned long *count)
{
	struct iptab_slot *entry;
	unsigned long n;

	if (slot >= IPTAB_SLOTS)
		msg_panic("iptab_conn_enter: slot %u", slot);
	if ((entry = iptab_find(tp, sa)) == NULL) {
		*count = 1;
		return (1);
	}
	/* Only this process counts in its slot: a full counter refuses. */
	if (__atomic_load_n(&entry->conns[slot], __ATOMIC_ACQUIRE)
	    == UINT16_MAX) {
		*count = iptab_conns(entry);
		return (0);
	}
	(void) __atomic_add_fetch(&entry->conns[slot], 1, __ATOMIC_ACQ_REL);
	n = iptab_conns(entry);
	if (max >= 0 && n > (unsigned long) max) {
		(void) __atomic_sub_fetch(&entry->conns[slot], 1,
		    __ATOMIC_ACQ_REL);
		*count = n - 1;
		return (0);
	}
	*count = n;
	return (1);
}

/* iptab_conn_leave - forget a connection counted by iptab_conn_enter */

void
iptab_conn_leave(struct iptab *tp, unsigned slot, const struct sockaddr *sa)
{
	struct iptab_slot *entry;
	uint16_t n;

	if (slot >= IPTAB_SLOTS)
		msg_panic("iptab_conn_leave: slot %u", slot);
	if ((entry = iptab_find(tp, sa)) == NULL)
		return;
	n = __atomic_load_n(&entry->conns[slot], __ATOMIC_ACQUIRE);
	while (n > 0 && !__atomic_compare_exchange_n(&entry->conns[slot], &n,
	    (uint16_t) (n - 1), 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

/* iptab_slot_clear - forget every connection a dead process held */

void
iptab_slot_clear(struct iptab *tp, unsigned slot)
{
	uint64_t i;

	if (slot >= IPTAB_SLOTS)
		msg_panic("iptab_slot_clear: slot %u", slot);
	for (i = 0; i < tp->head->capacity; i++)
		if (__atomic_load_n(&tp->slots[i].state, __ATOMIC_ACQUIRE)
		    == IPTAB_READY)
			__atomic_store_n(&tp->slots[i].conns[slot], 0,
			    __ATOMIC_RELEASE);
}

/* iptab_rcpt_take - take one recipient from the hourly allowance */

int
iptab_rcpt_take(struct iptab *tp, const struct sockaddr *sa,
    long max_per_hour, long long now)
{
	struct iptab_slot *slot;
	int64_t	start;
	uint64_t n;

	if (max_per_hour < 0 || (slot = iptab_find(tp, sa)) == NULL)
		return (1);
	start = __atomic_load_n(&slot->hour_start, __ATOMIC_ACQUIRE);
	if (start == 0 || now - start >= IPTAB_HOUR || now < start) {
		if (__atomic_compare_exchange_n(&slot->hour_start, &start,
		    (int64_t) now, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			__atomic_store_n(&slot->rcpts, 0, __ATOMIC_RELEASE);
	}
	n = __atomic_add_fetch(&slot->rcpts, 1, __ATOMIC_ACQ_REL);
	if (n > (unsigned long) max_per_hour) {
		(void) __atomic_sub_fetch(&slot->rcpts, 1, __ATOMIC_ACQ_REL);
		return (0);
	}
	return (1);
}

/* iptab_auth_window - the failure count of a slot, new window if over */

static uint64_t
iptab_auth_window(struct iptab_slot *slot, long long window, long long now,
    int start_new)
{
	int64_t	start = __atomic_load_n(&slot->auth_start, __ATOMIC_ACQUIRE);

	if (start != 0 && now >= start && now - start < window)
		return (__atomic_load_n(&slot->auth_fails, __ATOMIC_ACQUIRE));
	if (!start_new)
		return (0);
	if (__atomic_compare_exchange_n(&slot->auth_start, &start,
	    (int64_t) now, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		__atomic_store_n(&slot->auth_fails, 0, __ATOMIC_RELEASE);
	return (__atomic_load_n(&slot->auth_fails, __ATOMIC_ACQUIRE));
}

/* iptab_auth_failures - failed AUTH attempts in the current window */

unsigned long
iptab_auth_failures(struct iptab *tp, const struct sockaddr *sa,
    long long window, long long now)
{
	struct iptab_slot *slot;

	if ((slot = iptab_find(tp, sa)) == NULL)
		return (0);
	return ((unsigned long) iptab_auth_window(slot, window, now, 0));
}

/* iptab_auth_fail - count one failed AUTH attempt */

unsigned long
iptab_auth_fail(struct iptab *tp, const struct sockaddr *sa,
    long long window, long long now)
{
	struct iptab_slot *slot;

	if ((slot = iptab_find(tp, sa)) == NULL)
		return (0);
	(void) iptab_auth_window(slot, window, now, 1);
	return ((unsigned long) __atomic_add_fetch(&slot->auth_fails, 1,
	    __ATOMIC_ACQ_REL));
}
