# policy/local.mk - build fragment for policy/ (see Makefile.am)
#
# Pure decisions, no I/O: HAT and sender groups, mail flow policies,
# Destination Controls, outbound TLS outcomes, SMTP routes.

POLICY_LIB = policy/libpolicy.a
noinst_LIBRARIES += policy/libpolicy.a
policy_libpolicy_a_SOURCES = \
	policy/policy.c policy/policy.h \
	policy/policy_conf.c policy/policy_conf.h \
	policy/policy_dns.c policy/policy_dns.h \
	policy/policy_table.c policy/policy_table.h \
	policy/policy_ip.c policy/policy_ip.h \
	policy/policy_peer.c policy/policy_peer.h \
	policy/policy_member.c policy/policy_member.h \
	policy/policy_flow.c policy/policy_flow.h \
	policy/policy_hat.c policy/policy_hat.h \
	policy/policy_tls.c policy/policy_tls.h \
	policy/policy_destctl.c policy/policy_destctl.h \
	policy/policy_route.c policy/policy_route.h

if HAVE_CRITERION
POLICY_TESTS = t/unit/policy/policy_member_test \
	t/unit/policy/policy_hat_test \
	t/unit/policy/policy_tls_test \
	t/unit/policy/policy_destctl_test \
	t/unit/policy/policy_route_test
check_PROGRAMS += $(POLICY_TESTS)
TESTS += $(POLICY_TESTS)
t_unit_policy_policy_member_test_SOURCES = t/unit/policy/policy_member_test.c
t_unit_policy_policy_member_test_CFLAGS = $(TEST_CFLAGS)
t_unit_policy_policy_member_test_LDADD = $(TEST_LDADD)
t_unit_policy_policy_hat_test_SOURCES = t/unit/policy/policy_hat_test.c
t_unit_policy_policy_hat_test_CFLAGS = $(TEST_CFLAGS)
t_unit_policy_policy_hat_test_LDADD = $(TEST_LDADD)
t_unit_policy_policy_tls_test_SOURCES = t/unit/policy/policy_tls_test.c
t_unit_policy_policy_tls_test_CFLAGS = $(TEST_CFLAGS)
t_unit_policy_policy_tls_test_LDADD = $(TEST_LDADD)
t_unit_policy_policy_destctl_test_SOURCES = t/unit/policy/policy_destctl_test.c
t_unit_policy_policy_destctl_test_CFLAGS = $(TEST_CFLAGS)
t_unit_policy_policy_destctl_test_LDADD = $(TEST_LDADD)
t_unit_policy_policy_route_test_SOURCES = t/unit/policy/policy_route_test.c
t_unit_policy_policy_route_test_CFLAGS = $(TEST_CFLAGS)
t_unit_policy_policy_route_test_LDADD = $(TEST_LDADD)
endif
