/*
 * NAME
 *	seq - persistent sequence numbers shared by processes
 * DESCRIPTION
 *	See seq.h. The file is a fixed array of 64-bit counters at the
 *	start of one page. The page cache carries the values between
 *	processes; msync() is not needed for uniqueness while the machine
 *	stays up, and after a power loss the numbers may repeat older ones,
 *	which is harmless: they name connections in the log, not messages.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"
#include "seq.h"

#define SEQ_FILE_SIZE	4096

struct seq {
	int	fd;
	uint64_t *slots;
};

/* seq_adopt - map an open sequence file */

struct seq *
seq_adopt(int fd, struct buf *err)
{
	struct stat st;
	struct seq *sp;
	void   *map;

	if (fstat(fd, &st) == -1) {
		buf_printf(err, "sequence file: fstat: %s", strerror(errno));
		return (NULL);
	}
	if (st.st_size < SEQ_FILE_SIZE && ftruncate(fd, SEQ_FILE_SIZE) == -1) {
		buf_printf(err, "sequence file: extend: %s", strerror(errno));
		return (NULL);
	}
	map = mmap(NULL, SEQ_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (map == MAP_FAILED) {
		buf_printf(err, "sequence file: mmap: %s", strerror(errno));
		return (NULL);
	}
	sp = mem_alloc(sizeof(*sp));
	sp->fd = fd;
	sp->slots = map;
	return (sp);
}

/* seq_open - open or create a sequence file and map it */

struct seq *
seq_open(const char *path, struct buf *err)
{
	struct seq *sp;
	int	fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		buf_printf(err, "open %s: %s", path, strerror(errno));
		return (NULL);
	}
	if ((sp = seq_adopt(fd, err)) == NULL)
		(void) close(fd);
	return (sp);
}

/* seq_fd - the descriptor, to hand to a child process */

int
seq_fd(const struct seq *sp)
{
	return (sp->fd);
}

/* seq_next - the next number of a slot, never 0 */

unsigned long long
seq_next(struct seq *sp, enum seq_slot slot)
{
	uint64_t n;

	if ((unsigned) slot >= SEQ_NSLOTS)
		msg_panic("seq_next: bad slot %d", (int) slot);
	do {
		n = __atomic_add_fetch(&sp->slots[slot], 1, __ATOMIC_RELAXED);
	} while (n == 0);
	return (n);
}

/* seq_close - unmap and close */

struct seq *
seq_close(struct seq *sp)
{
	if (sp) {
		(void) munmap(sp->slots, SEQ_FILE_SIZE);
		(void) close(sp->fd);
		mem_free(sp);
	}
	return (NULL);
}
