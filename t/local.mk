# t/local.mk - build fragment for t/ (see Makefile.am)
#
# t/support/libtsupport.a is the integration-test support library: every
# test program links it first (TEST_LDADD in Makefile.am). It uses
# criterion (to fail the current test) and OpenSSL, so it is built only
# when criterion is present; without criterion no test is built at all.

TEST_SUPPORT_LIB = t/support/libtsupport.a

EXTRA_DIST += t/README.md

if HAVE_CRITERION
noinst_LIBRARIES += t/support/libtsupport.a
t_support_libtsupport_a_CFLAGS = $(TEST_CFLAGS)
t_support_libtsupport_a_SOURCES = \
	t/support/tsupport.h t/support/tsup_int.h \
	t/support/tsup.c \
	t/support/tsup_tmp.c \
	t/support/tsup_port.c \
	t/support/tsup_proc.c \
	t/support/tsup_run.c \
	t/support/tsup_tls.c \
	t/support/tsup_smtp.c \
	t/support/tsup_smtpd.c \
	t/support/tsup_certs.c \
	t/support/tsup_log.c \
	t/support/tsup_spool.c

# Self-tests: each helper against real peers (openssl, swaks).
TSUP_TESTS = \
	t/unit/support/tsup_tmp_test \
	t/unit/support/tsup_port_test \
	t/unit/support/tsup_proc_test \
	t/unit/support/tsup_run_test \
	t/unit/support/tsup_smtp_test \
	t/unit/support/tsup_smtpd_test \
	t/unit/support/tsup_certs_test \
	t/unit/support/tsup_log_test \
	t/unit/support/tsup_spool_test
check_PROGRAMS += $(TSUP_TESTS)
TESTS += $(TSUP_TESTS)

t_unit_support_tsup_tmp_test_SOURCES = t/unit/support/tsup_tmp_test.c
t_unit_support_tsup_tmp_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_tmp_test_LDADD = $(TEST_LDADD)
t_unit_support_tsup_port_test_SOURCES = t/unit/support/tsup_port_test.c
t_unit_support_tsup_port_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_port_test_LDADD = $(TEST_LDADD)
t_unit_support_tsup_proc_test_SOURCES = t/unit/support/tsup_proc_test.c
t_unit_support_tsup_proc_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_proc_test_LDADD = $(TEST_LDADD)
t_unit_support_tsup_run_test_SOURCES = t/unit/support/tsup_run_test.c
t_unit_support_tsup_run_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_run_test_LDADD = $(TEST_LDADD)
t_unit_support_tsup_smtp_test_SOURCES = t/unit/support/tsup_smtp_test.c
t_unit_support_tsup_smtp_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_smtp_test_LDADD = $(TEST_LDADD)
t_unit_support_tsup_smtpd_test_SOURCES = t/unit/support/tsup_smtpd_test.c
t_unit_support_tsup_smtpd_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_smtpd_test_LDADD = $(TEST_LDADD)
t_unit_support_tsup_certs_test_SOURCES = t/unit/support/tsup_certs_test.c
t_unit_support_tsup_certs_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_certs_test_LDADD = $(TEST_LDADD)
t_unit_support_tsup_log_test_SOURCES = t/unit/support/tsup_log_test.c
t_unit_support_tsup_log_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_log_test_LDADD = $(TEST_LDADD)
t_unit_support_tsup_spool_test_SOURCES = t/unit/support/tsup_spool_test.c
t_unit_support_tsup_spool_test_CFLAGS = $(TEST_CFLAGS)
t_unit_support_tsup_spool_test_LDADD = $(TEST_LDADD)
endif
