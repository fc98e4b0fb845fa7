# certs/local.mk - certificates, keys and OpenSSL contexts (see Makefile.am)

CERTS_LIB = certs/libcerts.a
noinst_LIBRARIES += certs/libcerts.a
certs_libcerts_a_SOURCES = \
	certs/certs_ctx.c certs/certs_ctx.h \
	certs/certs_demo.c certs/certs_demo.h

if HAVE_CRITERION
check_PROGRAMS += t/unit/certs/certs_test
TESTS += t/unit/certs/certs_test
t_unit_certs_certs_test_SOURCES = t/unit/certs/certs_test.c
t_unit_certs_certs_test_CFLAGS = $(TEST_CFLAGS)
t_unit_certs_certs_test_LDADD = $(TEST_LDADD)
endif

certs_libcerts_a_SOURCES += certs/certs_errmap.c certs/certs_errmap.h

if HAVE_CRITERION
check_PROGRAMS += t/unit/certs/certs_errmap_test
TESTS += t/unit/certs/certs_errmap_test
t_unit_certs_certs_errmap_test_SOURCES = t/unit/certs/certs_errmap_test.c
t_unit_certs_certs_errmap_test_CFLAGS = $(TEST_CFLAGS)
t_unit_certs_certs_errmap_test_LDADD = $(TEST_LDADD)
endif
