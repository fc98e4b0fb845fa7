# lib/io.mk - build fragment for lib/io, lib/ipc, lib/fdpass (see Makefile.am)

lib_libbase_a_SOURCES += \
	lib/fdpass.c lib/fdpass.h \
	lib/ipc.c lib/ipc.h \
	lib/io.c lib/io.h

if HAVE_CRITERION
check_PROGRAMS += t/unit/lib/fdpass_test t/unit/lib/ipc_test \
	t/unit/lib/io_test
TESTS += t/unit/lib/fdpass_test t/unit/lib/ipc_test t/unit/lib/io_test
t_unit_lib_fdpass_test_SOURCES = t/unit/lib/fdpass_test.c
t_unit_lib_fdpass_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lib_fdpass_test_LDADD = $(TEST_LDADD)
t_unit_lib_ipc_test_SOURCES = t/unit/lib/ipc_test.c
t_unit_lib_ipc_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lib_ipc_test_LDADD = $(TEST_LDADD)
t_unit_lib_io_test_SOURCES = t/unit/lib/io_test.c
t_unit_lib_io_test_CFLAGS = $(TEST_CFLAGS)
t_unit_lib_io_test_LDADD = $(TEST_LDADD)
endif
