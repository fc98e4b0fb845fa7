/*
 * NAME
 *	logs_head - the lines that begin every mail log file
 * DESCRIPTION
 *	See logs_head.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "msg.h"
#include "logs_line.h"
#include "logs_head.h"

/* logs_head_begin - Begin Logfile */

enum logs_line_level
logs_head_begin(struct buf *bp)
{
	buf_puts(bp, "Begin Logfile");
	return (LOGS_LINE_INFO);
}

/* logs_head_version - Version: v SN: s */

enum logs_line_level
logs_head_version(struct buf *bp, const char *version, const char *serial)
{
	if (version == NULL || serial == NULL)
		msg_panic("logs_head_version: null version or serial");
	buf_printf(bp, "Version: %s SN: %s", version, serial);
	return (LOGS_LINE_INFO);
}

/* logs_head_offset - Time offset from UTC: N seconds */

enum logs_line_level
logs_head_offset(struct buf *bp, long offset)
{
	buf_printf(bp, "Time offset from UTC: %ld seconds", offset);
	return (LOGS_LINE_INFO);
}

/* logs_head_read_id - read a machine id file, 0 when absent or empty */

static int
logs_head_read_id(const char *path, struct buf *id)
{
	char	data[128];
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	do {
		n = read(fd, data, sizeof(data));
	} while (n == -1 && errno == EINTR);
	(void) close(fd);
	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == ' '))
		n--;
	if (n <= 0)
		return (0);
	buf_append(id, data, (size_t) n);
	return (1);
}

/* logs_head_serial - this host's stable serial: 20 hex - 12 hex */

void
logs_head_serial(struct buf *bp)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct buf id;
	char	host[256];
	int	i;

	buf_init(&id, 64);
	buf_puts(&id, "mtad mail log serial:");
	if (!logs_head_read_id("/etc/machine-id", &id)
	    && !logs_head_read_id("/var/lib/dbus/machine-id", &id)) {
		if (gethostname(host, sizeof(host)) == -1)
			host[0] = 0;
		host[sizeof(host) - 1] = 0;
		buf_puts(&id, host);
	}
	if (EVP_Digest(id.data, id.len, md, &mdlen, EVP_sha256(), NULL) != 1
	    || mdlen < 16)
		msg_fatal("logs_head_serial: SHA-256 is not available");
	buf_fini(&id);
	for (i = 0; i < 16; i++) {
		if (i == 10)
			buf_putc(bp, '-');
		buf_putc(bp, hex[md[i] >> 4]);
		buf_putc(bp, hex[md[i] & 0x0F]);
	}
}
