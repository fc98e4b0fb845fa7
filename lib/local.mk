# lib/local.mk - generic C with no mail knowledge (see Makefile.am)

BASE_LIB = lib/libbase.a
noinst_LIBRARIES += lib/libbase.a
lib_libbase_a_SOURCES = \
	lib/msg.c lib/msg.h \
	lib/mem.c lib/mem.h \
	lib/buf.c lib/buf.h \
	lib/str.c lib/str.h \
	lib/seq.c lib/seq.h \
	lib/iptab.c lib/iptab.h \
	lib/privs.c lib/privs.h

if HAVE_CRITERION
LIB_TESTS = t/unit/lib/buf_test t/unit/lib/str_test t/unit/lib/seq_test \
	t/unit/lib/iptab_test
check_PROGRAMS += $(LIB_TESTS)
TESTS += $(LIB_TESTS)
t_unit_lib_buf_test_SOURCES = t/unit/lib/buf_test.c
t_unit_lib_buf_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lib_buf_test_LDADD = $(TEST_LDADD)
t_unit_lib_str_test_SOURCES = t/unit/lib/str_test.c
t_unit_lib_str_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lib_str_test_LDADD = $(TEST_LDADD)
t_unit_lib_seq_test_SOURCES = t/unit/lib/seq_test.c
t_unit_lib_seq_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lib_seq_test_LDADD = $(TEST_LDADD)
t_unit_lib_iptab_test_SOURCES = t/unit/lib/iptab_test.c
t_unit_lib_iptab_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lib_iptab_test_LDADD = $(TEST_LDADD)
endif
