# certs/local.mk - certificates, keys and OpenSSL contexts (see Makefile.am)

CERTS_LIB = certs/libcerts.a
noinst_LIBRARIES += certs/libcerts.a
certs_libcerts_a_SOURCES = \
	certs/certs_conf.c certs/certs_conf.h \
	certs/certs_ctx.c certs/certs_ctx.h \
	certs/certs_demo.c certs/certs_demo.h \
	certs/certs_errmap.c certs/certs_errmap.h \
	certs/certs_info.c certs/certs_info.h \
	certs/certs_p12.c certs/certs_p12.h \
	certs/certs_trust.c certs/certs_trust.h \
	certs/certs_x509.c certs/certs_x509.h

if HAVE_CRITERION
CERTS_TESTS = t/unit/certs/certs_test t/unit/certs/certs_errmap_test \
	t/unit/certs/certs_cli_test t/unit/certs/certs_conf_test \
	t/unit/certs/certs_trust_test
check_PROGRAMS += $(CERTS_TESTS)
TESTS += $(CERTS_TESTS)
t_unit_certs_certs_test_SOURCES = t/unit/certs/certs_test.c
t_unit_certs_certs_test_CFLAGS = $(TEST_CFLAGS)
t_unit_certs_certs_test_LDADD = $(TEST_LDADD)
t_unit_certs_certs_errmap_test_SOURCES = t/unit/certs/certs_errmap_test.c
t_unit_certs_certs_errmap_test_CFLAGS = $(TEST_CFLAGS)
t_unit_certs_certs_errmap_test_LDADD = $(TEST_LDADD)
t_unit_certs_certs_cli_test_SOURCES = t/unit/certs/certs_cli_test.c
t_unit_certs_certs_cli_test_CFLAGS = $(TEST_CFLAGS)
t_unit_certs_certs_cli_test_LDADD = $(TEST_LDADD)
t_unit_certs_certs_conf_test_SOURCES = t/unit/certs/certs_conf_test.c
t_unit_certs_certs_conf_test_CFLAGS = $(TEST_CFLAGS)
t_unit_certs_certs_conf_test_LDADD = $(TEST_LDADD)
t_unit_certs_certs_trust_test_SOURCES = t/unit/certs/certs_trust_test.c
t_unit_certs_certs_trust_test_CFLAGS = $(TEST_CFLAGS)
t_unit_certs_certs_trust_test_LDADD = $(TEST_LDADD)
endif
