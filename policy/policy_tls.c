/*
 * NAME
 *	policy_tls - outbound TLS decisions and certificate name matching
 * DESCRIPTION
 *	See policy_tls.h. The decision table is the one of AsyncOS's
 *	"TLS Settings for Delivery", with its undocumented cells filled
 *	in the fail-closed direction.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "msg.h"
#include "str.h"
#include "policy_dns.h"
#include "policy_tls.h"

/* policy_tls_level_parse - a Destination Controls TLS keyword */

int
policy_tls_level_parse(const char *text, enum policy_tls_level *level)
{
	static const struct {
		const char *word;
		enum policy_tls_level level;
	} tab[] = {
		{"default", POLICY_TLS_DEFAULT},
		{"none", POLICY_TLS_NONE},
		{"no", POLICY_TLS_NONE},
		{"off", POLICY_TLS_NONE},
		{"preferred", POLICY_TLS_PREFERRED},
		{"required", POLICY_TLS_REQUIRED},
		{"preferred-verify", POLICY_TLS_PREFERRED_VERIFY},
		{"required-verify", POLICY_TLS_REQUIRED_VERIFY},
	};
	char	word[32];
	size_t	i, n = 0;
	const char *cp;

	/* Fold "_" and " - " into "-": AsyncOS says "Preferred - Verify". */
	for (cp = text; *cp; cp++) {
		if (n + 1 >= sizeof(word))
			return (0);
		if (*cp == '_')
			word[n++] = '-';
		else if (strncmp(cp, " - ", 3) == 0) {
			word[n++] = '-';
			cp += 2;
		} else
			word[n++] = *cp;
	}
	word[n] = 0;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcasecmp(tab[i].word, word) == 0) {
			*level = tab[i].level;
			return (1);
		}
	}
	return (0);
}

/* policy_tls_level_name - canonical spelling */

const char *
policy_tls_level_name(enum policy_tls_level level)
{
	switch (level) {
	case POLICY_TLS_DEFAULT:
		return ("default");
	case POLICY_TLS_NONE:
		return ("none");
	case POLICY_TLS_PREFERRED:
		return ("preferred");
	case POLICY_TLS_REQUIRED:
		return ("required");
	case POLICY_TLS_PREFERRED_VERIFY:
		return ("preferred-verify");
	case POLICY_TLS_REQUIRED_VERIFY:
		return ("required-verify");
	}
	msg_panic("policy_tls_level_name: bad level %d", (int) level);
}

/* policy_tls_level_required - must the mail go over TLS */

int
policy_tls_level_required(enum policy_tls_level level)
{
	return (level == POLICY_TLS_REQUIRED
	    || level == POLICY_TLS_REQUIRED_VERIFY);
}

/* policy_tls_level_verifies - is the certificate checked */

int
policy_tls_level_verifies(enum policy_tls_level level)
{
	return (level == POLICY_TLS_PREFERRED_VERIFY
	    || level == POLICY_TLS_REQUIRED_VERIFY);
}

/* policy_tls_attempt - send STARTTLS when the server offers it */

int
policy_tls_attempt(enum policy_tls_level level)
{
	return (level != POLICY_TLS_NONE && level != POLICY_TLS_DEFAULT);
}

/* policy_tls_outcome - what to do after a TLS event */

enum policy_tls_action
policy_tls_outcome(enum policy_tls_level level, enum policy_tls_event event,
    enum policy_tls_reason *reason)
{
	int	required = policy_tls_level_required(level);
	int	verifies = policy_tls_level_verifies(level);

	if ((unsigned) level > POLICY_TLS_REQUIRED_VERIFY)
		msg_panic("policy_tls_outcome: bad level %d", (int) level);
	switch (event) {
	case POLICY_TLS_EV_NO_STARTTLS:
		if (!policy_tls_attempt(level)) {
			*reason = POLICY_TLS_R_NOT_WANTED;
			return (POLICY_TLS_CLEAR);
		}
		*reason = POLICY_TLS_R_NOT_OFFERED;
		return (required ? POLICY_TLS_DEFER : POLICY_TLS_CLEAR);
	case POLICY_TLS_EV_STARTTLS_REFUSED:
		/* No 220 yet: the session is still clean clear text. */
		*reason = POLICY_TLS_R_REFUSED;
		return (required ? POLICY_TLS_DEFER : POLICY_TLS_CLEAR);
	case POLICY_TLS_EV_HANDSHAKE_FAILED:
		/* After a 220 there is no clear-text fallback, ever. */
		*reason = POLICY_TLS_R_HANDSHAKE;
		return (POLICY_TLS_DEFER);
	case POLICY_TLS_EV_CERT_UNVERIFIED:
		if (!verifies) {
			*reason = POLICY_TLS_R_NOT_CHECKED;
			return (POLICY_TLS_SECURE);
		}
		*reason = POLICY_TLS_R_UNVERIFIED;
		return (required ? POLICY_TLS_DEFER : POLICY_TLS_SECURE);
	case POLICY_TLS_EV_CERT_VERIFIED:
		*reason = verifies ? POLICY_TLS_R_VERIFIED :
		    POLICY_TLS_R_NOT_CHECKED;
		return (POLICY_TLS_SECURE);
	}
	msg_panic("policy_tls_outcome: bad event %d", (int) event);
}

/* policy_tls_reason_text - a short phrase for the log */

const char *
policy_tls_reason_text(enum policy_tls_reason reason)
{
	switch (reason) {
	case POLICY_TLS_R_NOT_WANTED:
		return ("TLS not configured for the destination");
	case POLICY_TLS_R_NOT_OFFERED:
		return ("STARTTLS command not supported");
	case POLICY_TLS_R_REFUSED:
		return ("STARTTLS unexpected response");
	case POLICY_TLS_R_HANDSHAKE:
		return ("TLS handshake failed");
	case POLICY_TLS_R_UNVERIFIED:
		return ("certificate verification failed");
	case POLICY_TLS_R_NOT_CHECKED:
		return ("certificate not verified (not required)");
	case POLICY_TLS_R_VERIFIED:
		return ("certificate verified");
	}
	msg_panic("policy_tls_reason_text: bad reason %d", (int) reason);
}

/* policy_tls_name_chars - only name bytes (and "*" when allowed) */

static int
policy_tls_name_chars(struct str s, int star_ok)
{
	size_t	i;

	if (s.len == 0)
		return (0);
	for (i = 0; i < s.len; i++) {
		int	ch = (unsigned char) s.ptr[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
		    || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'
		    || ch == '.' || (star_ok && ch == '*')))
			return (0);
	}
	return (1);
}

/* policy_tls_name_match - one certificate name against one identifier */

int
policy_tls_name_match(struct str pattern, struct str ref)
{
	size_t	pdot, rdot, i, dots;

	pattern = policy_dns_undot(pattern);
	ref = policy_dns_undot(ref);
	if (!policy_tls_name_chars(pattern, 1)
	    || !policy_tls_name_chars(ref, 0))
		return (0);
	if (pattern.ptr[0] != '*') {
		/* No wildcard: exact, and a stray "*" elsewhere is refused. */
		return (memchr(pattern.ptr, '*', pattern.len) == NULL
		    && str_caseeq(pattern, ref));
	}

	/*
	 * "*." then at least two labels, and no other "*": the wildcard is
	 * the whole leftmost label. It stands for exactly one non-empty
	 * label of the reference.
	 */
	if (pattern.len < 2 || pattern.ptr[1] != '.'
	    || memchr(pattern.ptr + 1, '*', pattern.len - 1) != NULL)
		return (0);
	for (dots = 0, i = 1; i < pattern.len; i++)
		if (pattern.ptr[i] == '.')
			dots++;
	if (dots < 2)
		return (0);
	pdot = 1;
	if (!str_chr(ref, '.', &rdot) || rdot == 0)
		return (0);
	return (str_caseeq(str_make(pattern.ptr + pdot, pattern.len - pdot),
	    str_make(ref.ptr + rdot, ref.len - rdot)));
}

/* policy_tls_cert_match - the AsyncOS "Verify" name check */

int
policy_tls_cert_match(const struct str *san, size_t nsan, const struct str *cn,
    const char *const *refs, size_t nrefs, int flags,
    struct policy_tls_match *m)
{
	size_t	r, i;
	int	use_cn = cn != NULL && (nsan == 0
	    || (flags & POLICY_TLS_CN_ALWAYS));

	for (r = 0; r < nrefs; r++) {
		struct str ref;

		if (refs[r] == NULL)
			continue;
		ref = str_from(refs[r]);
		for (i = 0; i < nsan; i++) {
			if (policy_tls_name_match(san[i], ref)) {
				m->ref = r;
				m->from_cn = 0;
				m->san = i;
				return (1);
			}
		}
		if (use_cn && policy_tls_name_match(*cn, ref)) {
			m->ref = r;
			m->from_cn = 1;
			m->san = 0;
			return (1);
		}
	}
	return (0);
}
