/*
 * NAME
 *	tsup_tmp - temporary directories and files for a test
 * DESCRIPTION
 *	See tsupport.h. Directories are made with mkdtemp(3) (mode 0700)
 *	under $TMPDIR, and removed depth first with nftw(3) without
 *	following symbolic links, so a link planted in a spool by the code
 *	under test never makes the clean-up wander outside the directory.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "tsup_int.h"
#include "tsupport.h"

static char *tsup_tmp_default;

/* tsup_tmp_base - the directory that holds our temporary directories */

static const char *
tsup_tmp_base(void)
{
	const char *dir = getenv("TMPDIR");

	return (dir != NULL && *dir == '/' ? dir : "/tmp");
}

/* tsup_tmp_unlink - nftw callback: remove one entry */

static int
tsup_tmp_unlink(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	if (remove(path) == -1 && errno != ENOENT)
		msg_warn("remove %s: %m", path);
	return (0);
}

/* tsup_tmp_release - remove a directory at tsup_fini(), or keep it */

static void
tsup_tmp_release(void *ptr)
{
	char   *path = ptr;
	const char *keep = getenv("MTA_KEEP_TMP");

	if (keep != NULL && strcmp(keep, "1") == 0) {
		(void) fprintf(stderr, "MTA_KEEP_TMP: kept %s\n", path);
	} else {
		(void) nftw(path, tsup_tmp_unlink, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (path == tsup_tmp_default)
		tsup_tmp_default = NULL;
	mem_free(path);
}

/* tsup_tmp_mkdir - make a fresh private directory, removed at fini */

const char *
tsup_tmp_mkdir(const char *label)
{
	struct buf path;
	const char *cp;
	char   *dir;

	buf_init(&path, 64);
	buf_printf(&path, "%s/mtad-", tsup_tmp_base());
	for (cp = label; *cp; cp++)
		buf_putc(&path, (*cp == '/' || *cp == ' ') ? '_' : *cp);
	buf_puts(&path, "-XXXXXX");
	dir = buf_steal(&path);
	buf_fini(&path);
	if (mkdtemp(dir) == NULL) {
		int	err = errno;

		mem_free(dir);
		tsup_fail("mkdtemp under %s: %s (set TMPDIR to a writable "
		    "directory)", tsup_tmp_base(), strerror(err));
	}
	tsup_track(dir, tsup_tmp_release);
	tsup_note("temporary directory %s", dir);
	return (dir);
}

/* tsup_tmp_dir - the test's own directory, made on first use */

const char *
tsup_tmp_dir(void)
{
	if (tsup_tmp_default == NULL)
		tsup_tmp_default = (char *) tsup_tmp_mkdir("test");
	return (tsup_tmp_default);
}

/* tsup_tmp_path - a formatted name inside the test's directory */

const char *
tsup_tmp_path(const char *fmt, ...)
{
	struct buf name;
	const char *path;
	va_list	ap;

	buf_init(&name, 64);
	va_start(ap, fmt);
	buf_vprintf(&name, fmt, ap);
	va_end(ap);
	path = tsup_strf("%s/%s", tsup_tmp_dir(), buf_cstr(&name));
	buf_fini(&name);
	return (path);
}

/* tsup_tmp_write - write a file in the test's directory */

const char *
tsup_tmp_write(const char *name, const void *data, size_t len)
{
	const char *path = name[0] == '/' ? tsup_strf("%s", name) :
	    tsup_tmp_path("%s", name);
	const char *cp = data;
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		tsup_fail("open %s: %s", path, strerror(errno));
	while (len > 0) {
		if ((n = write(fd, cp, len)) == -1) {
			if (errno == EINTR)
				continue;
			tsup_fail("write %s: %s", path, strerror(errno));
		}
		cp += n;
		len -= (size_t) n;
	}
	if (close(fd) == -1)
		tsup_fail("close %s: %s", path, strerror(errno));
	return (path);
}

/* tsup_tmp_read - append a whole file to out */

void
tsup_tmp_read(const char *path, struct buf *out)
{
	char	chunk[8192];
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		tsup_fail("open %s: %s", path, strerror(errno));
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			(void) close(fd);
			tsup_fail("read %s: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		buf_append(out, chunk, (size_t) n);
	}
	(void) close(fd);
}

/* tsup_tmp_remove - remove a file or a tree, never following links */

void
tsup_tmp_remove(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return;
		tsup_fail("lstat %s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		(void) nftw(path, tsup_tmp_unlink, 16, FTW_DEPTH | FTW_PHYS);
	else if (unlink(path) == -1)
		tsup_fail("unlink %s: %s", path, strerror(errno));
}
