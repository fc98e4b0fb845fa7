# queue/local.mk - the spool library and the queue manager (see Makefile.am)

QUEUE_LIB = queue/libqueue.a
noinst_LIBRARIES += queue/libqueue.a
queue_libqueue_a_SOURCES = \
	queue/queue_dsync.c queue/queue_dsync.h \
	queue/queue_env.c queue/queue_env.h \
	queue/queue_fault.c queue/queue_fault.h \
	queue/queue_file.c queue/queue_file.h \
	queue/queue_id.c queue/queue_id.h \
	queue/queue_pool.c queue/queue_pool.h \
	queue/queue_spool.c queue/queue_spool.h \
	queue/qmgr.c queue/qmgr.h \
	queue/qmgr_agent.c queue/qmgr_agent.h \
	queue/qmgr_alert.c queue/qmgr_alert.h \
	queue/qmgr_bounce.c queue/qmgr_bounce.h \
	queue/qmgr_enqueue.c queue/qmgr_enqueue.h \
	queue/qmgr_inject.c queue/qmgr_inject.h \
	queue/qmgr_sched.c queue/qmgr_sched.h

if HAVE_CRITERION
QUEUE_TESTS = t/unit/queue/queue_env_test t/unit/queue/queue_id_test \
	t/unit/queue/queue_spool_test t/unit/queue/queue_crash_test \
	t/unit/queue/queue_order_test t/unit/queue/queue_dsync_test \
	t/unit/queue/queue_pool_test
check_PROGRAMS += $(QUEUE_TESTS) t/unit/queue/queue_commit_probe
TESTS += $(QUEUE_TESTS)
t_unit_queue_queue_commit_probe_SOURCES = t/unit/queue/queue_commit_probe.c
t_unit_queue_queue_commit_probe_LDADD = $(ALL_LDADD)
t_unit_queue_queue_order_test_SOURCES = t/unit/queue/queue_order_test.c \
	t/unit/queue/queue_testlib.c t/unit/queue/queue_testlib.h
t_unit_queue_queue_order_test_CFLAGS = $(TEST_CFLAGS)
t_unit_queue_queue_order_test_LDADD = $(TEST_LDADD)
t_unit_queue_queue_dsync_test_SOURCES = t/unit/queue/queue_dsync_test.c \
	t/unit/queue/queue_testlib.c t/unit/queue/queue_testlib.h
t_unit_queue_queue_dsync_test_CFLAGS = $(TEST_CFLAGS)
t_unit_queue_queue_dsync_test_LDADD = $(TEST_LDADD)
t_unit_queue_queue_pool_test_SOURCES = t/unit/queue/queue_pool_test.c \
	t/unit/queue/queue_testlib.c t/unit/queue/queue_testlib.h
t_unit_queue_queue_pool_test_CFLAGS = $(TEST_CFLAGS)
t_unit_queue_queue_pool_test_LDADD = $(TEST_LDADD)
t_unit_queue_queue_env_test_SOURCES = t/unit/queue/queue_env_test.c
t_unit_queue_queue_env_test_CFLAGS = $(TEST_CFLAGS)
t_unit_queue_queue_env_test_LDADD = $(TEST_LDADD)
t_unit_queue_queue_id_test_SOURCES = t/unit/queue/queue_id_test.c \
	t/unit/queue/queue_testlib.c t/unit/queue/queue_testlib.h
t_unit_queue_queue_id_test_CFLAGS = $(TEST_CFLAGS)
t_unit_queue_queue_id_test_LDADD = $(TEST_LDADD)
t_unit_queue_queue_spool_test_SOURCES = t/unit/queue/queue_spool_test.c \
	t/unit/queue/queue_testlib.c t/unit/queue/queue_testlib.h
t_unit_queue_queue_spool_test_CFLAGS = $(TEST_CFLAGS)
t_unit_queue_queue_spool_test_LDADD = $(TEST_LDADD)
t_unit_queue_queue_crash_test_SOURCES = t/unit/queue/queue_crash_test.c \
	t/unit/queue/queue_testlib.c t/unit/queue/queue_testlib.h
t_unit_queue_queue_crash_test_CFLAGS = $(TEST_CFLAGS)
t_unit_queue_queue_crash_test_LDADD = $(TEST_LDADD)
endif
