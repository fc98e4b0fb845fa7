# listeners/local.mk - the inbound SMTP server (see Makefile.am)

LISTENERS_LIB = listeners/liblisteners.a
noinst_LIBRARIES += listeners/liblisteners.a
listeners_liblisteners_a_SOURCES = \
	listeners/smtpd.c listeners/smtpd.h \
	listeners/smtpd_auth.c listeners/smtpd_auth.h \
	listeners/smtpd_cmd.c listeners/smtpd_cmd.h \
	listeners/smtpd_data.c listeners/smtpd_data.h \
	listeners/smtpd_enqueue.c listeners/smtpd_enqueue.h \
	listeners/smtpd_session.c listeners/smtpd_session.h \
	listeners/smtpd_tls.c listeners/smtpd_tls.h
