# mail/local.mk - build fragment for mail/ (see Makefile.am)

MAIL_LIB = mail/libmail.a
noinst_LIBRARIES += mail/libmail.a
mail_libmail_a_SOURCES = \
	mail/mail_addr.c mail/mail_addr.h \
	mail/mail_alert.c mail/mail_alert.h \
	mail/mail_data.c mail/mail_data.h \
	mail/mail_dsn.c mail/mail_dsn.h \
	mail/mail_header.c mail/mail_header.h \
	mail/mail_line.c mail/mail_line.h \
	mail/mail_param.c mail/mail_param.h \
	mail/mail_passwd.c mail/mail_passwd.h \
	mail/mail_received.c mail/mail_received.h \
	mail/mail_reply.c mail/mail_reply.h

MAIL_TESTS = \
	t/unit/mail/mail_addr_test \
	t/unit/mail/mail_alert_test \
	t/unit/mail/mail_data_test \
	t/unit/mail/mail_dsn_test \
	t/unit/mail/mail_header_test \
	t/unit/mail/mail_line_test \
	t/unit/mail/mail_param_test \
	t/unit/mail/mail_passwd_test \
	t/unit/mail/mail_reply_test

if HAVE_CRITERION
check_PROGRAMS += $(MAIL_TESTS)
TESTS += $(MAIL_TESTS)
t_unit_mail_mail_addr_test_SOURCES = t/unit/mail/mail_addr_test.c
t_unit_mail_mail_addr_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_addr_test_LDADD = $(TEST_LDADD)
t_unit_mail_mail_alert_test_SOURCES = t/unit/mail/mail_alert_test.c
t_unit_mail_mail_alert_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_alert_test_LDADD = $(TEST_LDADD)
t_unit_mail_mail_data_test_SOURCES = t/unit/mail/mail_data_test.c
t_unit_mail_mail_data_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_data_test_LDADD = $(TEST_LDADD)
t_unit_mail_mail_dsn_test_SOURCES = t/unit/mail/mail_dsn_test.c
t_unit_mail_mail_dsn_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_dsn_test_LDADD = $(TEST_LDADD)
t_unit_mail_mail_header_test_SOURCES = t/unit/mail/mail_header_test.c
t_unit_mail_mail_header_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_header_test_LDADD = $(TEST_LDADD)
t_unit_mail_mail_line_test_SOURCES = t/unit/mail/mail_line_test.c
t_unit_mail_mail_line_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_line_test_LDADD = $(TEST_LDADD)
t_unit_mail_mail_param_test_SOURCES = t/unit/mail/mail_param_test.c
t_unit_mail_mail_param_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_param_test_LDADD = $(TEST_LDADD)
t_unit_mail_mail_passwd_test_SOURCES = t/unit/mail/mail_passwd_test.c
t_unit_mail_mail_passwd_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_passwd_test_LDADD = $(TEST_LDADD)
t_unit_mail_mail_reply_test_SOURCES = t/unit/mail/mail_reply_test.c
t_unit_mail_mail_reply_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_reply_test_LDADD = $(TEST_LDADD)
endif

# mail_sasl: the client side of SMTP AUTH (PLAIN, LOGIN)
mail_libmail_a_SOURCES += mail/mail_sasl.c mail/mail_sasl.h

if HAVE_CRITERION
check_PROGRAMS += t/unit/mail/mail_sasl_test
TESTS += t/unit/mail/mail_sasl_test
t_unit_mail_mail_sasl_test_SOURCES = t/unit/mail/mail_sasl_test.c
t_unit_mail_mail_sasl_test_CFLAGS = $(TEST_CFLAGS)
t_unit_mail_mail_sasl_test_LDADD = $(TEST_LDADD)
endif
