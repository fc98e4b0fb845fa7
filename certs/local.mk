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

# The certificate commands' library (mtactl cert, reusable by mtad).
certs_libcerts_a_SOURCES += \
	certs/certs_x509.c certs/certs_x509.h \
	certs/certs_p12.c certs/certs_p12.h \
	certs/certs_info.c certs/certs_info.h

if HAVE_CRITERION
check_PROGRAMS += t/unit/certs/certs_cli_test
TESTS += t/unit/certs/certs_cli_test
t_unit_certs_certs_cli_test_SOURCES = t/unit/certs/certs_cli_test.c
t_unit_certs_certs_cli_test_CFLAGS = $(TEST_CFLAGS)
t_unit_certs_certs_cli_test_LDADD = $(TEST_LDADD)
endif
