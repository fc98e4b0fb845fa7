# lab/local.mk - the TLS policy lab: test PKI, peers, matrix runner
# (see Makefile.am)

LAB_LIB = lab/liblab.a
noinst_LIBRARIES += lab/liblab.a
lab_liblab_a_SOURCES = \
	lab/lab_certs.c lab/lab_certs.h \
	lab/lab_matrix.c lab/lab_matrix.h \
	lab/lab_peer.c lab/lab_peer.h

AM_CPPFLAGS += -I$(top_srcdir)/lab

labdir = $(pkgdatadir)
dist_lab_DATA = lab/expected.json
EXTRA_DIST += docs/tls-policy-matrix.md

if HAVE_CRITERION
LAB_TESTS = t/unit/lab/lab_certs_test
check_PROGRAMS += $(LAB_TESTS)
TESTS += $(LAB_TESTS)
t_unit_lab_lab_certs_test_SOURCES = t/unit/lab/lab_certs_test.c
t_unit_lab_lab_certs_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lab_lab_certs_test_LDADD = $(TEST_LDADD)
endif
