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

if HAVE_CRITERION
LISTENERS_TESTS = t/unit/listeners/smtpd_auth_test
check_PROGRAMS += $(LISTENERS_TESTS)
TESTS += $(LISTENERS_TESTS)
t_unit_listeners_smtpd_auth_test_SOURCES = \
	t/unit/listeners/smtpd_auth_test.c
t_unit_listeners_smtpd_auth_test_CFLAGS = $(TEST_CFLAGS)
t_unit_listeners_smtpd_auth_test_LDADD = $(TEST_LDADD)
endif
