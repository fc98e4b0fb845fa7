/*
 * NAME
 *	mail_sasl - the client side of SMTP AUTH: PLAIN and LOGIN
 * DESCRIPTION
 *	See mail_sasl.h. Pure functions over buffers; no I/O.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "msg.h"
#include "str.h"

#include "mail_sasl.h"

static const char mail_sasl_b64_alpha[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* mail_sasl_b64_encode - append base64 of len bytes */

void
mail_sasl_b64_encode(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned long v;
	size_t	i;

	buf_reserve(out, (len + 2) / 3 * 4);
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long) p[i] << 16 | (unsigned long) p[i + 1] << 8
		    | p[i + 2];
		buf_putc(out, mail_sasl_b64_alpha[v >> 18 & 63]);
		buf_putc(out, mail_sasl_b64_alpha[v >> 12 & 63]);
		buf_putc(out, mail_sasl_b64_alpha[v >> 6 & 63]);
		buf_putc(out, mail_sasl_b64_alpha[v & 63]);
	}
	if (len - i == 1) {
		v = (unsigned long) p[i] << 16;
		buf_putc(out, mail_sasl_b64_alpha[v >> 18 & 63]);
		buf_putc(out, mail_sasl_b64_alpha[v >> 12 & 63]);
		buf_puts(out, "==");
	} else if (len - i == 2) {
		v = (unsigned long) p[i] << 16 | (unsigned long) p[i + 1] << 8;
		buf_putc(out, mail_sasl_b64_alpha[v >> 18 & 63]);
		buf_putc(out, mail_sasl_b64_alpha[v >> 12 & 63]);
		buf_putc(out, mail_sasl_b64_alpha[v >> 6 & 63]);
		buf_putc(out, '=');
	}
}

/* mail_sasl_b64_value - the value of one base64 digit, or -1 */

static int
mail_sasl_b64_value(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (ch - 'A');
	if (ch >= 'a' && ch <= 'z')
		return (ch - 'a' + 26);
	if (ch >= '0' && ch <= '9')
		return (ch - '0' + 52);
	if (ch == '+')
		return (62);
	if (ch == '/')
		return (63);
	return (-1);
}

/* mail_sasl_b64_decode - append the bytes of canonical base64 text */

int
mail_sasl_b64_decode(struct buf *out, struct str in)
{
	const unsigned char *p = (const unsigned char *) in.ptr;
	unsigned long v;
	size_t	i, pad;
	int	d, k;

	if (in.len % 4 != 0)
		return (-1);
	for (i = 0; i < in.len; i += 4) {
		pad = 0;
		v = 0;
		for (k = 0; k < 4; k++) {
			if (p[i + k] == '=' && i + 4 == in.len && k >= 2) {
				pad++;
				v <<= 6;
				continue;
			}
			/* A digit after padding is misplaced padding. */
			if (pad > 0 || (d = mail_sasl_b64_value(p[i + k])) < 0)
				return (-1);
			v = v << 6 | (unsigned long) d;
		}
		/* Bits under the padding must be zero (canonical form). */
		if ((pad == 1 && (v & 0xff) != 0)
		    || (pad == 2 && (v & 0xffff) != 0))
			return (-1);
		buf_putc(out, (int) (v >> 16 & 0xff));
		if (pad < 2)
			buf_putc(out, (int) (v >> 8 & 0xff));
		if (pad < 1)
			buf_putc(out, (int) (v & 0xff));
	}
	return (0);
}

struct mail_sasl_name {
	enum mail_sasl_mech mech;
	const char *name;
};

/* In order of preference: PLAIN is one round trip. */
static const struct mail_sasl_name mail_sasl_names[] = {
	{MAIL_SASL_PLAIN, "PLAIN"},
	{MAIL_SASL_LOGIN, "LOGIN"},
	{MAIL_SASL_NONE, NULL},
};

/* mail_sasl_mech_name - the name of a mechanism */

const char *
mail_sasl_mech_name(enum mail_sasl_mech mech)
{
	const struct mail_sasl_name *np;

	for (np = mail_sasl_names; np->name; np++)
		if (np->mech == mech)
			return (np->name);
	return ("NONE");
}

/* mail_sasl_mech_find - the mechanism of a name */

enum mail_sasl_mech
mail_sasl_mech_find(struct str name)
{
	const struct mail_sasl_name *np;

	for (np = mail_sasl_names; np->name; np++)
		if (str_caseeq(name, str_from(np->name)))
			return (np->mech);
	return (MAIL_SASL_NONE);
}

/* mail_sasl_mech_pick - the preferred mechanism among those offered */

enum mail_sasl_mech
mail_sasl_mech_pick(struct str offered)
{
	const struct mail_sasl_name *np;
	size_t	i, start;

	for (np = mail_sasl_names; np->name; np++) {
		for (i = 0; i < offered.len; i = start) {
			while (i < offered.len && (offered.ptr[i] == ' '
			    || offered.ptr[i] == '\t'))
				i++;
			start = i;
			while (start < offered.len && offered.ptr[start] != ' '
			    && offered.ptr[start] != '\t')
				start++;
			if (start > i && str_caseeq(str_make(offered.ptr + i,
			    start - i), str_from(np->name)))
				return (np->mech);
		}
	}
	return (MAIL_SASL_NONE);
}

/* mail_sasl_show_user - append (user "U") with unprintable bytes as '?' */

static void
mail_sasl_show_user(struct buf *shown, struct str user)
{
	size_t	i;
	unsigned char ch;

	buf_puts(shown, " (user \"");
	for (i = 0; i < user.len; i++) {
		ch = (unsigned char) user.ptr[i];
		buf_putc(shown, ch >= 0x20 && ch < 0x7f ? ch : '?');
	}
	buf_puts(shown, "\")");
}

/* mail_sasl_has_eol - does a credential hold CR or LF */

static int
mail_sasl_has_eol(struct str s)
{
	return (memchr(s.ptr, '\r', s.len) != NULL
	    || memchr(s.ptr, '\n', s.len) != NULL);
}

/* mail_sasl_client_start - the AUTH command */

int
mail_sasl_client_start(struct mail_sasl_client *sc, enum mail_sasl_mech mech,
    struct str user, struct str pass, struct buf *wire, struct buf *shown)
{
	struct buf resp;

	memset(sc, 0, sizeof(*sc));
	sc->mech = mech;
	sc->user = user;
	sc->pass = pass;
	if (user.len == 0) {
		sc->error = "empty user name";
		return (-1);
	}
	if (mail_sasl_has_eol(user) || mail_sasl_has_eol(pass)) {
		sc->error = "line break in the user name or password";
		return (-1);
	}
	switch (mech) {
	case MAIL_SASL_PLAIN:
		/* RFC 4616: authzid NUL authcid NUL passwd, authzid empty. */
		if (memchr(user.ptr, '\0', user.len) != NULL
		    || memchr(pass.ptr, '\0', pass.len) != NULL) {
			sc->error = "NUL in the user name or password";
			return (-1);
		}
		buf_init(&resp, user.len + pass.len + 2);
		buf_putc(&resp, '\0');
		buf_append(&resp, user.ptr, user.len);
		buf_putc(&resp, '\0');
		buf_append(&resp, pass.ptr, pass.len);
		buf_puts(wire, "AUTH PLAIN ");
		mail_sasl_b64_encode(wire, resp.data, resp.len);
		memset(resp.data, 0, resp.len);
		buf_fini(&resp);
		buf_puts(shown, "AUTH PLAIN " MAIL_SASL_MASK);
		mail_sasl_show_user(shown, user);
		return (0);
	case MAIL_SASL_LOGIN:
		buf_puts(wire, "AUTH LOGIN");
		buf_puts(shown, "AUTH LOGIN");
		return (0);
	default:
		sc->error = "no mechanism";
		return (-1);
	}
}

/* mail_sasl_client_step - the response to a 334 challenge */

int
mail_sasl_client_step(struct mail_sasl_client *sc, struct str challenge,
    struct buf *wire, struct buf *shown)
{
	struct buf decoded;
	int	bad;

	buf_init(&decoded, challenge.len);
	bad = mail_sasl_b64_decode(&decoded, str_trim(challenge));
	buf_fini(&decoded);
	if (bad) {
		sc->error = "the server's challenge is not base64";
		return (-1);
	}
	if (sc->mech != MAIL_SASL_LOGIN || sc->step >= 2) {
		sc->error = "unexpected challenge: nothing more to send";
		return (-1);
	}

	/*
	 * LOGIN asks "Username:" then "Password:"; servers word the prompts
	 * differently, so the order decides, not the text.
	 */
	if (sc->step++ == 0) {
		mail_sasl_b64_encode(wire, sc->user.ptr, sc->user.len);
		buf_puts(shown, MAIL_SASL_MASK);
		mail_sasl_show_user(shown, sc->user);
	} else {
		mail_sasl_b64_encode(wire, sc->pass.ptr, sc->pass.len);
		buf_puts(shown, MAIL_SASL_MASK);
	}
	return (0);
}

/* mail_sasl_client_fini - forget the views */

void
mail_sasl_client_fini(struct mail_sasl_client *sc)
{
	memset(sc, 0, sizeof(*sc));
}
