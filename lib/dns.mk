# lib/dns.mk - build fragment for lib/dns (see Makefile.am)

lib_libbase_a_SOURCES += lib/dns.c lib/dns.h

if HAVE_CRITERION
check_PROGRAMS += t/unit/lib/dns_test
TESTS += t/unit/lib/dns_test
t_unit_lib_dns_test_SOURCES = t/unit/lib/dns_test.c \
	t/unit/lib/dns_unbound.c t/unit/lib/dns_unbound.h
t_unit_lib_dns_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lib_dns_test_LDADD = $(TEST_LDADD)
endif
