/*
 * NAME
 *	smtpd_data - the message content of an inbound session
 * SYNOPSIS
 *	#include "smtpd_data.h"
 *
 *	void	smtpd_data_begin(struct smtpd_session *ss);
 *	size_t	smtpd_data_input(struct smtpd_session *ss, const char *data,
 *		    size_t len);
 * DESCRIPTION
 *	smtpd_data_begin() answers DATA with 354, writes our Received:
 *	field at the top of the content, and switches the session to
 *	reading the message. smtpd_data_input() feeds client bytes to the
 *	DATA reader (mail_data(3): the end of data is CR LF . CR LF and
 *	nothing else; bare CR and LF are refused) and streams the content
 *	to the descriptor the queue manager handed over; it returns the
 *	bytes it used.
 *
 *	At the end of the data a message that breaks a rule (size, bare
 *	CR/LF, a write error) is refused whole and discarded. Otherwise
 *	its Message-ID, Subject and size are logged and the queue manager
 *	is asked to commit it; the client hears "250 2.0.0 Ok: queued as
 *	MID" only when the queue manager answers that the message is on
 *	stable storage, and "452 4.3.1 Insufficient system storage" when
 *	it could not be made so.
 */
#ifndef SMTPD_DATA_H
#define SMTPD_DATA_H

#include <stddef.h>

#include "smtpd_session.h"

void	smtpd_data_begin(struct smtpd_session *);
size_t	smtpd_data_input(struct smtpd_session *, const char *, size_t);

#endif
