/*
 * NAME
 *	mail_passwd - the SMTP AUTH password file
 * SYNOPSIS
 *	#include "mail_passwd.h"
 *
 *	struct mail_passwd *mail_passwd_load(const char *path,
 *		    struct buf *err);
 *	struct mail_passwd *mail_passwd_parse(const char *name,
 *		    const char *text, size_t len, struct buf *err);
 *	struct mail_passwd *mail_passwd_free(struct mail_passwd *pw);
 *	size_t	mail_passwd_count(const struct mail_passwd *pw);
 *	int	mail_passwd_check(const struct mail_passwd *pw,
 *		    struct str user, struct str password);
 * DESCRIPTION
 *	The accounts that may authenticate on a listener (SMTP AUTH PLAIN
 *	and LOGIN), one per line:
 *
 *	    user:hash
 *
 *	user is any non-empty byte string without ':', control characters
 *	or spaces, at most MAIL_PASSWD_USER_MAX bytes ("relay@example.com"
 *	is fine); hash is a crypt(3) hash of a modern method: yescrypt
 *	("$y$...") or SHA-512 ("$6$..."). Empty lines and lines whose
 *	first non-blank character is '#' are ignored. A user may appear
 *	once. A CR before the LF is dropped, so a file edited elsewhere
 *	still reads.
 *
 *	mail_passwd_load() reads the file at path. It refuses a file that
 *	is not a regular file or that group or others may read or write
 *	(the hashes are secrets: mode 0600 or 0400, or 0640 is not enough).
 *	mail_passwd_parse() parses text[0..len) that came from name (for
 *	the messages); it does not look at file modes. Both return NULL
 *	after appending the reason to err: "name:line: why" for a line,
 *	"name: why" for the file as a whole. Every bad line is reported,
 *	not only the first.
 *
 *	mail_passwd_free() releases the table (wiping the hashes) and
 *	returns NULL. mail_passwd_count() is the number of accounts.
 *
 *	mail_passwd_check() says whether password is right for user:
 *	MAIL_PASSWD_OK, MAIL_PASSWD_BAD (unknown user or wrong password:
 *	the caller cannot tell which, and neither can the client from the
 *	time it takes, because an unknown user costs one crypt(3) of a
 *	hash of the first account's method and cost), or MAIL_PASSWD_ERROR
 *	(crypt(3) failed on a stored hash: the caller answers with a
 *	temporary failure). user and password may hold any bytes; a
 *	password with a NUL byte never matches. The comparison of the
 *	computed and stored hashes does not stop at the first difference.
 * SECURITY
 *	The table holds hashes only; passwords given to mail_passwd_check()
 *	are copied into a buffer that is wiped before it returns.
 */
#ifndef MAIL_PASSWD_H
#define MAIL_PASSWD_H

#include <stddef.h>

#include "buf.h"
#include "str.h"

#define MAIL_PASSWD_USER_MAX	256	/* bytes in a user name */
#define MAIL_PASSWD_PASS_MAX	1024	/* bytes in a password */

#define MAIL_PASSWD_OK		1
#define MAIL_PASSWD_BAD		0
#define MAIL_PASSWD_ERROR	(-1)

struct mail_passwd;

struct mail_passwd *mail_passwd_load(const char *, struct buf *);
struct mail_passwd *mail_passwd_parse(const char *, const char *, size_t,
	    struct buf *);
struct mail_passwd *mail_passwd_free(struct mail_passwd *);
size_t	mail_passwd_count(const struct mail_passwd *);
int	mail_passwd_check(const struct mail_passwd *, struct str, struct str);

#endif
