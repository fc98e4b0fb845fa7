/*
 * NAME
 *	mail_passwd - the SMTP AUTH password file
 * DESCRIPTION
 *	See mail_passwd.h. The accounts are kept sorted by user name for a
 *	binary search; the hash that stands in for an unknown user is the
 *	first account's in file order, so that the time a failed check
 *	takes does not depend on whether the user exists (as long as the
 *	accounts use one method and cost, which is the usual case).
 *
 *	crypt(3) is libxcrypt's crypt_rn() with a per-call work area, so
 *	nothing is shared between calls and no static buffer keeps a
 *	computed hash.
 */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

#include "mail_passwd.h"

#define MAIL_PASSWD_FILE_MAX	(16 * 1024 * 1024)

struct mail_passwd_entry {
	char   *user;
	size_t	user_len;
	char   *hash;
	size_t	line;			/* where it was defined */
};

struct mail_passwd {
	struct mail_passwd_entry *entries;
	size_t	count;
	char   *dummy;			/* hash checked for unknown users */
};

/* mail_passwd_wipe - clear memory that held a secret */

static void
mail_passwd_wipe(void *ptr, size_t len)
{
	if (ptr)
		explicit_bzero(ptr, len);
}

/* mail_passwd_free - release the table */

struct mail_passwd *
mail_passwd_free(struct mail_passwd *pw)
{
	size_t	i;

	if (pw == NULL)
		return (NULL);
	for (i = 0; i < pw->count; i++) {
		mem_free(pw->entries[i].user);
		mail_passwd_wipe(pw->entries[i].hash,
		    strlen(pw->entries[i].hash));
		mem_free(pw->entries[i].hash);
	}
	mem_free(pw->entries);
	if (pw->dummy) {
		mail_passwd_wipe(pw->dummy, strlen(pw->dummy));
		mem_free(pw->dummy);
	}
	mem_free(pw);
	return (NULL);
}

/* mail_passwd_count - number of accounts */

size_t
mail_passwd_count(const struct mail_passwd *pw)
{
	return (pw->count);
}

/* mail_passwd_cmp_user - order of two user names (bytes, then length) */

static int
mail_passwd_cmp_user(const char *a, size_t alen, const char *b, size_t blen)
{
	int	rc = memcmp(a, b, alen < blen ? alen : blen);

	if (rc != 0)
		return (rc);
	return (alen < blen ? -1 : alen > blen);
}

/* mail_passwd_cmp - qsort() order of entries */

static int
mail_passwd_cmp(const void *va, const void *vb)
{
	const struct mail_passwd_entry *a = va;
	const struct mail_passwd_entry *b = vb;

	return (mail_passwd_cmp_user(a->user, a->user_len, b->user,
	    b->user_len));
}

/* mail_passwd_user_ok - a user name as the file allows it */

static const char *
mail_passwd_user_ok(struct str user)
{
	size_t	i;

	if (user.len == 0)
		return ("empty user name");
	if (user.len > MAIL_PASSWD_USER_MAX)
		return ("user name longer than 256 bytes");
	for (i = 0; i < user.len; i++) {
		unsigned char c = (unsigned char) user.ptr[i];

		if (c <= ' ' || c == 0x7f)
			return ("user name holds a space or control "
			    "character");
	}
	return (NULL);
}

/* mail_passwd_hash_ok - a hash of a method we accept */

static const char *
mail_passwd_hash_ok(struct str hash)
{
	static const char alphabet[] = "./0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$=,";
	size_t	i;

	if (hash.len == 0)
		return ("empty hash");
	if (hash.len < 4 || (memcmp(hash.ptr, "$y$", 3) != 0
	    && memcmp(hash.ptr, "$6$", 3) != 0))
		return ("hash is not yescrypt ($y$) or SHA-512 ($6$)");
	for (i = 0; i < hash.len; i++)
		if (memchr(alphabet, hash.ptr[i], sizeof(alphabet) - 1) == NULL)
			return ("hash holds a character crypt(3) never "
			    "writes");
	return (NULL);
}

/* mail_passwd_hash_checked - what libxcrypt says of the hash, or NULL */

static const char *
mail_passwd_hash_checked(const char *hash)
{
#ifdef CRYPT_CHECKSALT_AVAILABLE
	switch (crypt_checksalt(hash)) {
	case CRYPT_SALT_OK:
	case CRYPT_SALT_TOO_CHEAP:
		return (NULL);
	case CRYPT_SALT_METHOD_DISABLED:
		return ("hash method is disabled in this system's crypt(3)");
	default:
		return ("hash is malformed");
	}
#else
	(void) hash;
	return (NULL);
#endif
}

/* mail_passwd_line - parse one line into the table, or explain */

static void
mail_passwd_line(struct mail_passwd *pw, const char *name, size_t lineno,
    struct str line, struct buf *err, int *bad)
{
	struct mail_passwd_entry *ep;
	struct str user, hash, t = str_trim(line);
	const char *why;
	size_t	colon;

	if (t.len == 0 || t.ptr[0] == '#')
		return;
	if (!str_chr(line, ':', &colon)) {
		buf_printf(err, "%s:%zu: no ':' between user name and hash\n",
		    name, lineno);
		*bad = 1;
		return;
	}
	user = str_make(line.ptr, colon);
	hash = str_make(line.ptr + colon + 1, line.len - colon - 1);
	if ((why = mail_passwd_user_ok(user)) != NULL) {
		buf_printf(err, "%s:%zu: %s\n", name, lineno, why);
		*bad = 1;
		return;
	}
	if ((why = mail_passwd_hash_ok(hash)) != NULL) {
		buf_printf(err, "%s:%zu: user \"%.*s\": %s\n", name, lineno,
		    (int) user.len, user.ptr, why);
		*bad = 1;
		return;
	}
	pw->entries = mem_realloc(pw->entries, pw->count + 1,
	    sizeof(*pw->entries));
	ep = pw->entries + pw->count++;
	ep->user = str_dup(user);
	ep->user_len = user.len;
	ep->hash = str_dup(hash);
	ep->line = lineno;
	if ((why = mail_passwd_hash_checked(ep->hash)) != NULL) {
		buf_printf(err, "%s:%zu: user \"%s\": %s\n", name, lineno,
		    ep->user, why);
		*bad = 1;
	}
}

/* mail_passwd_parse - the accounts in a text */

struct mail_passwd *
mail_passwd_parse(const char *name, const char *text, size_t len,
    struct buf *err)
{
	struct mail_passwd *pw = mem_zalloc(1, sizeof(*pw));
	size_t	pos = 0, lineno = 0, i;
	int	bad = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t	end = nl ? (size_t) (nl - text) : len;
		struct str line = str_make(text + pos, end - pos);

		lineno++;
		if (line.len > 0 && line.ptr[line.len - 1] == '\r')
			line.len--;
		if (memchr(line.ptr, 0, line.len) != NULL) {
			buf_printf(err, "%s:%zu: NUL character\n", name,
			    lineno);
			bad = 1;
		} else {
			mail_passwd_line(pw, name, lineno, line, err, &bad);
		}
		pos = nl ? end + 1 : len;
	}
	if (pw->count > 0)
		pw->dummy = mem_strdup(pw->entries[0].hash);
	if (pw->count > 1)
		qsort(pw->entries, pw->count, sizeof(*pw->entries),
		    mail_passwd_cmp);
	for (i = 1; i < pw->count; i++) {
		const struct mail_passwd_entry *a = pw->entries + i - 1;
		const struct mail_passwd_entry *b = pw->entries + i;

		if (mail_passwd_cmp(a, b) == 0) {
			buf_printf(err, "%s:%zu: user \"%s\" is already "
			    "defined on line %zu\n", name,
			    a->line > b->line ? a->line : b->line, a->user,
			    a->line < b->line ? a->line : b->line);
			bad = 1;
		}
	}
	if (bad) {
		/* One message per line; the last newline is the caller's. */
		if (err->len > 0 && err->data[err->len - 1] == '\n')
			buf_truncate(err, err->len - 1);
		return (mail_passwd_free(pw));
	}
	return (pw);
}

/* mail_passwd_load - read and parse the password file */

struct mail_passwd *
mail_passwd_load(const char *path, struct buf *err)
{
	struct mail_passwd *pw;
	struct stat st;
	struct buf text;
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &st) == -1) {
		buf_printf(err, "%s: cannot stat: %s", path, strerror(errno));
		(void) close(fd);
		return (NULL);
	}
	if (!S_ISREG(st.st_mode)) {
		buf_printf(err, "%s: not a regular file", path);
		(void) close(fd);
		return (NULL);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		buf_printf(err, "%s: mode %04o lets group or others use it; "
		    "it holds password hashes: chmod 600", path,
		    (unsigned) (st.st_mode & 07777));
		(void) close(fd);
		return (NULL);
	}
	if (st.st_size > MAIL_PASSWD_FILE_MAX) {
		buf_printf(err, "%s: larger than %d bytes", path,
		    MAIL_PASSWD_FILE_MAX);
		(void) close(fd);
		return (NULL);
	}
	buf_init(&text, (size_t) st.st_size + 4097);
	for (;;) {
		buf_reserve(&text, 4096);
		n = read(fd, text.data + text.len, 4096);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text.len += (size_t) n;
		if (text.len > MAIL_PASSWD_FILE_MAX)
			break;
	}
	if (n == -1) {
		buf_printf(err, "%s: read: %s", path, strerror(errno));
		pw = NULL;
	} else if (text.len > MAIL_PASSWD_FILE_MAX) {
		buf_printf(err, "%s: larger than %d bytes", path,
		    MAIL_PASSWD_FILE_MAX);
		pw = NULL;
	} else {
		pw = mail_passwd_parse(path, text.data, text.len, err);
	}
	(void) close(fd);
	mail_passwd_wipe(text.data, text.len);
	buf_fini(&text);
	return (pw);
}

/* mail_passwd_find - the entry of a user, or NULL */

static const struct mail_passwd_entry *
mail_passwd_find(const struct mail_passwd *pw, struct str user)
{
	size_t	lo = 0, hi = pw->count;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;
		const struct mail_passwd_entry *ep = pw->entries + mid;
		int	rc = mail_passwd_cmp_user(user.ptr, user.len, ep->user,
		    ep->user_len);

		if (rc == 0)
			return (ep);
		if (rc < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (NULL);
}

/* mail_passwd_same - compare two strings without an early exit */

static int
mail_passwd_same(const char *a, const char *b)
{
	size_t	alen = strlen(a), blen = strlen(b), i;
	volatile unsigned char diff = alen != blen;

	for (i = 0; i < alen && i < blen; i++)
		diff |= (unsigned char) (a[i] ^ b[i]);
	return (diff == 0);
}

/* mail_passwd_check - is password right for user */

int
mail_passwd_check(const struct mail_passwd *pw, struct str user,
    struct str password)
{
	const struct mail_passwd_entry *ep = NULL;
	struct crypt_data *cd;
	const char *setting;
	char   *phrase;
	char   *out;
	int	usable, rc;

	if (pw->dummy == NULL)
		return (MAIL_PASSWD_BAD);
	usable = password.len <= MAIL_PASSWD_PASS_MAX
	    && memchr(password.ptr, 0, password.len) == NULL;
	if (user.len <= MAIL_PASSWD_USER_MAX)
		ep = mail_passwd_find(pw, user);
	setting = ep ? ep->hash : pw->dummy;

	/* The same work whether the user exists or not. */
	phrase = mem_alloc(MAIL_PASSWD_PASS_MAX + 1);
	if (usable)
		memcpy(phrase, password.ptr, password.len);
	phrase[usable ? password.len : 0] = 0;
	cd = mem_zalloc(1, sizeof(*cd));
	out = crypt_rn(phrase, setting, cd, (int) sizeof(*cd));
	if (out == NULL || out[0] == '*') {
		msg_warn("password file: cannot compute the hash of %s: %s",
		    ep ? "an account" : "the stand-in for unknown users",
		    out ? "invalid hash" : strerror(errno));
		rc = MAIL_PASSWD_ERROR;
	} else {
		rc = mail_passwd_same(out, setting) && ep && usable
		    ? MAIL_PASSWD_OK : MAIL_PASSWD_BAD;
	}
	mail_passwd_wipe(cd, sizeof(*cd));
	mem_free(cd);
	mail_passwd_wipe(phrase, MAIL_PASSWD_PASS_MAX + 1);
	mem_free(phrase);
	return (rc);
}
