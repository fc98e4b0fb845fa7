/*
 * NAME
 *	mail_passwd_test - unit tests for mail/mail_passwd
 * DESCRIPTION
 *	Hashes are made at test time with libxcrypt (crypt_gensalt_rn and
 *	crypt_rn), so each run checks real yescrypt and SHA-512 hashes
 *	against the file format, the file mode rules and the password
 *	check.
 */
#include "config.h"

#include <crypt.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "mem.h"
#include "str.h"
#include "tsupport.h"

#include "mail_passwd.h"

TestSuite(mail_passwd, .init = tsup_init, .fini = tsup_fini,
    .timeout = 120);

/* hash - a crypt(3) hash of password with a fresh salt of method prefix */

static const char *
hash(const char *prefix, const char *password)
{
	struct crypt_data cd;
	char	setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *out;

	memset(&cd, 0, sizeof(cd));
	cr_assert_not_null(crypt_gensalt_rn(prefix, 0, NULL, 0, setting,
	    (int) sizeof(setting)), "crypt_gensalt_rn %s", prefix);
	out = crypt_rn(password, setting, &cd, (int) sizeof(cd));
	cr_assert(out != NULL && out[0] != '*', "crypt_rn %s", prefix);
	return (tsup_strf("%s", out));
}

struct parse_case {
	const char *label;
	const char *text;		/* %Y: a yescrypt hash, %S: SHA-512 */
	long	want_count;		/* -1: must fail */
	const char *want_err;		/* substring of the error */
};

/* expand - a case text with real hashes in place of %Y and %S */

static struct buf *
expand(const char *text)
{
	struct buf *bp = buf_new(0);
	const char *p;

	for (p = text; *p; p++) {
		if (p[0] == '%' && p[1] == 'Y') {
			buf_puts(bp, hash("$y$", "secret"));
			p++;
		} else if (p[0] == '%' && p[1] == 'S') {
			buf_puts(bp, hash("$6$", "secret"));
			p++;
		} else {
			buf_putc(bp, *p);
		}
	}
	return (bp);
}

Test(mail_passwd, parse)
{
	static const struct parse_case cases[] = {
		{"empty file", "", 0, NULL},
		{"one yescrypt account", "alice:%Y\n", 1, NULL},
		{"one SHA-512 account, no final newline", "bob:%S", 1, NULL},
		{"comments, blank lines, CRLF",
		    "# accounts\r\n\r\n  # indented comment\nalice:%Y\r\n"
		    "relay@example.com:%S\n", 2, NULL},
		{"user with @", "relay@my.domain:%Y\n", 1, NULL},
		{"no colon", "alice\n", -1, "t:1: no ':' between user name "
		    "and hash"},
		{"empty user", ":%Y\n", -1, "t:1: empty user name"},
		{"space in user", "al ice:%Y\n", -1, "t:1: user name holds a "
		    "space or control character"},
		{"long user",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    ":%Y\n", -1, "t:1: user name longer "
		    "than 256 bytes"},
		{"MD5 hash refused",
		    "alice:$1$abcdefgh$abcdefghijklmnopqrstuv\n", -1,
		    "t:1: user \"alice\": hash is not yescrypt ($y$) or "
		    "SHA-512 ($6$)"},
		{"DES hash refused", "alice:abJnggxhB/yWI\n", -1,
		    "t:1: user \"alice\": hash is not yescrypt"},
		{"plain text password refused", "alice:secret\n", -1,
		    "hash is not yescrypt"},
		{"empty hash", "alice:\n", -1, "t:1: user \"alice\": empty "
		    "hash"},
		{"shadow-style extra fields", "alice:%Y:19000:0:99999:7:::\n",
		    -1, "t:1: user \"alice\": hash holds a character"},
		{"duplicate user", "alice:%Y\nbob:%Y\nalice:%S\n", -1,
		    "t:3: user \"alice\" is already defined on line 1"},
		{"every bad line reported", "alice\nbob:%Y\n:x\n", -1,
		    "t:1: no ':' between user name and hash\nt:3: empty user "
		    "name"},
		{"NUL byte", "alice:%Y\n\0\n", -1, "t:2: NUL character"},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = cases + i;
		struct buf *text = expand(c->text);
		struct buf *err = buf_new(0);
		struct mail_passwd *pw;

		/* The NUL case: the literal holds one past its first line. */
		if (strstr(c->label, "NUL"))
			buf_append(text, "\0\n", 2);
		pw = mail_passwd_parse("t", text->data, text->len, err);
		if (c->want_count < 0) {
			cr_expect_null(pw, "%s: accepted", c->label);
			cr_expect(strstr(err->data, c->want_err) != NULL,
			    "%s: error \"%s\", want \"%s\"", c->label,
			    err->data, c->want_err);
		} else {
			cr_expect_not_null(pw, "%s: %s", c->label, err->data);
			if (pw)
				cr_expect_eq(mail_passwd_count(pw),
				    (size_t) c->want_count, "%s: count %zu",
				    c->label, mail_passwd_count(pw));
		}
		mail_passwd_free(pw);
		buf_free(err);
		buf_free(text);
	}
}

struct check_case {
	const char *label;
	const char *user;
	const char *password;
	size_t	password_len;		/* 0: strlen */
	int	want;
};

Test(mail_passwd, check)
{
	static const struct check_case cases[] = {
		{"yescrypt, right password", "alice", "wonderland", 0,
		    MAIL_PASSWD_OK},
		{"yescrypt, wrong password", "alice", "Wonderland", 0,
		    MAIL_PASSWD_BAD},
		{"SHA-512, right password", "bob", "b0b's pass:word", 0,
		    MAIL_PASSWD_OK},
		{"SHA-512, wrong password", "bob", "b0b's pass:wor", 0,
		    MAIL_PASSWD_BAD},
		{"user with @", "relay@my.domain", "r3lay", 0,
		    MAIL_PASSWD_OK},
		{"user names are case-sensitive", "Alice", "wonderland", 0,
		    MAIL_PASSWD_BAD},
		{"unknown user", "mallory", "wonderland", 0, MAIL_PASSWD_BAD},
		{"prefix of a user", "alic", "wonderland", 0,
		    MAIL_PASSWD_BAD},
		{"empty password", "alice", "", 0, MAIL_PASSWD_BAD},
		{"password with NUL after the right one", "alice",
		    "wonderland\0x", 12, MAIL_PASSWD_BAD},
		{"empty user", "", "wonderland", 0, MAIL_PASSWD_BAD},
	};
	struct buf *text = buf_new(0);
	struct buf *err = buf_new(0);
	struct mail_passwd *pw;
	size_t	i;

	buf_printf(text, "alice:%s\n", hash("$y$", "wonderland"));
	buf_printf(text, "bob:%s\n", hash("$6$", "b0b's pass:word"));
	buf_printf(text, "relay@my.domain:%s\n", hash("$y$", "r3lay"));
	pw = mail_passwd_parse("t", text->data, text->len, err);
	cr_assert_not_null(pw, "%s", err->data);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct check_case *c = cases + i;
		struct str pass = str_make(c->password, c->password_len
		    ? c->password_len : strlen(c->password));
		int	got = mail_passwd_check(pw, str_from(c->user), pass);

		cr_expect_eq(got, c->want, "%s: got %d, want %d", c->label,
		    got, c->want);
	}
	mail_passwd_free(pw);
	buf_free(err);
	buf_free(text);
}

Test(mail_passwd, no_accounts_never_match)
{
	struct buf *err = buf_new(0);
	struct mail_passwd *pw = mail_passwd_parse("t", "# none\n", 7, err);

	cr_assert_not_null(pw, "%s", err->data);
	cr_expect_eq(mail_passwd_check(pw, STR_LIT("alice"), STR_LIT("x")),
	    MAIL_PASSWD_BAD);
	mail_passwd_free(pw);
	buf_free(err);
}

struct load_case {
	const char *label;
	int	mode;			/* of the file; 0: a directory */
	const char *want_err;		/* NULL: loads */
};

Test(mail_passwd, load_file_modes)
{
	static const struct load_case cases[] = {
		{"0600", 0600, NULL},
		{"0400", 0400, NULL},
		{"group readable", 0640, "mode 0640 lets group or others use "
		    "it; it holds password hashes: chmod 600"},
		{"world readable", 0644, "mode 0644 lets group or others"},
		{"group writable", 0620, "mode 0620 lets group or others"},
		{"a directory", 0, "not a regular file"},
	};
	const char *line = tsup_strf("relay@example.com:%s\n",
	    hash("$y$", "pw"));
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct load_case *c = cases + i;
		struct buf *err = buf_new(0);
		struct mail_passwd *pw;
		const char *path;

		if (c->mode == 0) {
			path = tsup_tmp_mkdir("passwd-dir");
		} else {
			path = tsup_tmp_write(tsup_strf("passwd-%zu", i), line,
			    strlen(line));
			cr_assert_eq(chmod(path, (mode_t) c->mode), 0);
		}
		pw = mail_passwd_load(path, err);
		if (c->want_err == NULL) {
			cr_expect_not_null(pw, "%s: %s", c->label, err->data);
			if (pw)
				cr_expect_eq(mail_passwd_check(pw,
				    STR_LIT("relay@example.com"),
				    STR_LIT("pw")), MAIL_PASSWD_OK, "%s",
				    c->label);
		} else {
			cr_expect_null(pw, "%s: accepted", c->label);
			cr_expect(strstr(err->data, c->want_err) != NULL,
			    "%s: error \"%s\"", c->label, err->data);
			cr_expect(strncmp(err->data, path, strlen(path)) == 0,
			    "%s: error names the file: \"%s\"", c->label,
			    err->data);
		}
		mail_passwd_free(pw);
		buf_free(err);
	}
}

Test(mail_passwd, load_missing_file)
{
	struct buf *err = buf_new(0);
	const char *path = tsup_tmp_path("no-such-file");

	cr_expect_null(mail_passwd_load(path, err));
	cr_expect_str_eq(err->data, tsup_strf("%s: cannot open: No such file "
	    "or directory", path));
	buf_free(err);
}

Test(mail_passwd, load_reports_file_and_line)
{
	struct buf *err = buf_new(0);
	const char *path = tsup_tmp_write("passwd-bad", "ok:x\n\nbad\n", 10);

	cr_expect_null(mail_passwd_load(path, err));
	cr_expect_str_eq(err->data, tsup_strf("%s:1: user \"ok\": hash is not "
	    "yescrypt ($y$) or SHA-512 ($6$)\n%s:3: no ':' between user name "
	    "and hash", path, path));
	buf_free(err);
}
