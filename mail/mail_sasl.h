/*
 * NAME
 *	mail_sasl - the client side of SMTP AUTH: PLAIN and LOGIN
 * SYNOPSIS
 *	#include "mail_sasl.h"
 *
 *	enum mail_sasl_mech { MAIL_SASL_NONE, MAIL_SASL_PLAIN,
 *		MAIL_SASL_LOGIN };
 *
 *	struct mail_sasl_client { ... };
 *
 *	void	mail_sasl_b64_encode(struct buf *out, const void *data,
 *		    size_t len);
 *	int	mail_sasl_b64_decode(struct buf *out, struct str in);
 *
 *	enum mail_sasl_mech mail_sasl_mech_pick(struct str offered);
 *	const char *mail_sasl_mech_name(enum mail_sasl_mech mech);
 *	enum mail_sasl_mech mail_sasl_mech_find(struct str name);
 *
 *	int	mail_sasl_client_start(struct mail_sasl_client *sc,
 *		    enum mail_sasl_mech mech, struct str user,
 *		    struct str pass, struct buf *wire, struct buf *shown);
 *	int	mail_sasl_client_step(struct mail_sasl_client *sc,
 *		    struct str challenge, struct buf *wire,
 *		    struct buf *shown);
 *	void	mail_sasl_client_fini(struct mail_sasl_client *sc);
 * DESCRIPTION
 *	This module computes what an SMTP client sends for AUTH (RFC
 *	4954) with the PLAIN (RFC 4616) and LOGIN mechanisms. It does no
 *	I/O: the caller sends the lines and reads the replies. For every
 *	line to send it also produces the text to show in a protocol
 *	trace, with the password replaced by "********" and the user name
 *	decoded, so that a debug trace can be published as it is.
 *
 *	mail_sasl_b64_encode() appends the base64 form (RFC 4648, with
 *	padding, no line breaks) of len bytes. mail_sasl_b64_decode()
 *	appends the bytes that base64 text in stands for and returns 0,
 *	or returns -1 when in is not canonical base64 (a character
 *	outside the alphabet, a length that is not a multiple of four,
 *	misplaced padding, non-zero bits in the padding); out may then
 *	hold part of the result. The empty text decodes to nothing.
 *
 *	mail_sasl_mech_pick() chooses among the mechanisms of an EHLO
 *	"AUTH" keyword (the text after "AUTH " or "AUTH=": names
 *	separated by spaces, in any case) the one to use: PLAIN, else
 *	LOGIN, else MAIL_SASL_NONE. mail_sasl_mech_name() is the name of
 *	a mechanism ("PLAIN"), mail_sasl_mech_find() the mechanism of a
 *	name (any case; MAIL_SASL_NONE when unknown).
 *
 *	mail_sasl_client_start() begins an exchange. It appends to wire
 *	the AUTH command without CRLF ("AUTH PLAIN <initial response>",
 *	"AUTH LOGIN") and to shown its masked form. The client keeps
 *	views of user and pass, which must stay valid until
 *	mail_sasl_client_fini(). After a 334 reply, mail_sasl_client_step()
 *	gets the reply text (one line, without the code; the base64
 *	challenge) and appends the response line without CRLF: for LOGIN
 *	the user name, then the password, each in base64. Both return 0,
 *	or -1 with a static reason in sc->error: a NUL in a PLAIN user
 *	name or password, a user name or password containing CR or LF,
 *	an empty user name, a challenge that is not base64, or a
 *	challenge after the mechanism has nothing more to send (the
 *	caller then sends "*" to cancel, RFC 4954 section 4). A 235 reply
 *	ends the exchange with success, anything else with failure: that
 *	is for the caller to read. mail_sasl_client_fini() forgets the
 *	views and wipes nothing else (the client stores no secret).
 *
 *	The shown text of PLAIN is "AUTH PLAIN ******** (user \"U\")",
 *	of the LOGIN responses "******** (user \"U\")" and "********".
 *	The user name is shown with bytes outside printable ASCII as '?'.
 * SECURITY
 *	The password appears only in wire, never in shown or sc->error.
 *	The caller should wipe wire (OPENSSL_cleanse) after sending it.
 * SEE ALSO
 *	RFC 4954 (SMTP AUTH), RFC 4616 (PLAIN), RFC 4648 (base64).
 */
#ifndef MAIL_SASL_H
#define MAIL_SASL_H

#include <stddef.h>

#include "buf.h"
#include "str.h"

#define MAIL_SASL_MASK	"********"

enum mail_sasl_mech {
	MAIL_SASL_NONE,
	MAIL_SASL_PLAIN,
	MAIL_SASL_LOGIN,
};

struct mail_sasl_client {
	enum mail_sasl_mech mech;
	int	step;			/* responses sent after the command */
	struct str user;		/* views: the caller owns them */
	struct str pass;
	const char *error;		/* static text after -1 */
};

void	mail_sasl_b64_encode(struct buf *, const void *, size_t);
int	mail_sasl_b64_decode(struct buf *, struct str);

enum mail_sasl_mech mail_sasl_mech_pick(struct str);
const char *mail_sasl_mech_name(enum mail_sasl_mech);
enum mail_sasl_mech mail_sasl_mech_find(struct str);

int	mail_sasl_client_start(struct mail_sasl_client *, enum mail_sasl_mech,
	    struct str, struct str, struct buf *, struct buf *);
int	mail_sasl_client_step(struct mail_sasl_client *, struct str,
	    struct buf *, struct buf *);
void	mail_sasl_client_fini(struct mail_sasl_client *);

#endif
