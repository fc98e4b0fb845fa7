# t/integration/local.mk - tests that run the real mtad (see Makefile.am)

if HAVE_CRITERION
INTEGRATION_TESTS = t/integration/inbound_test t/integration/hat_test \
	t/integration/limits_test t/integration/smuggle_test \
	t/integration/durability_test t/integration/master_test \
	t/integration/auth_test \
	t/integration/certs_test \
	t/integration/outbound_test t/integration/outbound_tls_test \
	t/integration/tlsmatrix_test t/integration/maillog_load_test
check_PROGRAMS += $(INTEGRATION_TESTS)
TESTS += $(INTEGRATION_TESTS)
INTEGRATION_SUPPORT = t/integration/mtad_harness.c \
	t/integration/mtad_harness.h \
	t/integration/aiosmtpd_peer.c t/integration/aiosmtpd_peer.h \
	t/unit/lib/dns_unbound.c t/unit/lib/dns_unbound.h
INTEGRATION_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/t/unit/lib \
	-I$(top_srcdir)/t/integration
t_integration_inbound_test_SOURCES = t/integration/inbound_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_inbound_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_inbound_test_CFLAGS = $(TEST_CFLAGS)
t_integration_inbound_test_LDADD = $(TEST_LDADD)
t_integration_hat_test_SOURCES = t/integration/hat_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_hat_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_hat_test_CFLAGS = $(TEST_CFLAGS)
t_integration_hat_test_LDADD = $(TEST_LDADD)
t_integration_limits_test_SOURCES = t/integration/limits_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_limits_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_limits_test_CFLAGS = $(TEST_CFLAGS)
t_integration_limits_test_LDADD = $(TEST_LDADD)
t_integration_smuggle_test_SOURCES = t/integration/smuggle_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_smuggle_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_smuggle_test_CFLAGS = $(TEST_CFLAGS)
t_integration_smuggle_test_LDADD = $(TEST_LDADD)
t_integration_durability_test_SOURCES = t/integration/durability_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_durability_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_durability_test_CFLAGS = $(TEST_CFLAGS)
t_integration_durability_test_LDADD = $(TEST_LDADD)
t_integration_master_test_SOURCES = t/integration/master_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_master_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_master_test_CFLAGS = $(TEST_CFLAGS)
t_integration_master_test_LDADD = $(TEST_LDADD)
t_integration_auth_test_SOURCES = t/integration/auth_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_auth_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_auth_test_CFLAGS = $(TEST_CFLAGS)
t_integration_auth_test_LDADD = $(TEST_LDADD)
t_integration_certs_test_SOURCES = t/integration/certs_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_certs_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_certs_test_CFLAGS = $(TEST_CFLAGS)
t_integration_certs_test_LDADD = $(TEST_LDADD)
t_integration_outbound_test_SOURCES = t/integration/outbound_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_outbound_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_outbound_test_CFLAGS = $(TEST_CFLAGS)
t_integration_outbound_test_LDADD = $(TEST_LDADD)
t_integration_outbound_tls_test_SOURCES = \
	t/integration/outbound_tls_test.c $(INTEGRATION_SUPPORT)
t_integration_outbound_tls_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_outbound_tls_test_CFLAGS = $(TEST_CFLAGS)
t_integration_outbound_tls_test_LDADD = $(TEST_LDADD)
t_integration_maillog_load_test_SOURCES = \
	t/integration/maillog_load_test.c $(INTEGRATION_SUPPORT)
t_integration_maillog_load_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_maillog_load_test_CFLAGS = $(TEST_CFLAGS)
t_integration_maillog_load_test_LDADD = $(TEST_LDADD)
t_integration_tlsmatrix_test_SOURCES = t/integration/tlsmatrix_test.c
t_integration_tlsmatrix_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_tlsmatrix_test_CFLAGS = $(TEST_CFLAGS)
t_integration_tlsmatrix_test_LDADD = $(TEST_LDADD)
endif

# mtactl send against aiosmtpd and the scripted server; the pure parts of
# mtactl_send (not in a library: mtactl links it) are compiled in.
if HAVE_CRITERION
check_PROGRAMS += t/integration/send_test
TESTS += t/integration/send_test
t_integration_send_test_SOURCES = t/integration/send_test.c \
	t/integration/aiosmtpd_peer.c t/integration/aiosmtpd_peer.h \
	mta/mtactl_send.c mta/mtactl_send.h
t_integration_send_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_send_test_CFLAGS = $(TEST_CFLAGS)
t_integration_send_test_LDADD = $(TEST_LDADD)
endif

# Queued mail through authenticated smarthosts (aiosmtpd peers).
if HAVE_CRITERION
check_PROGRAMS += t/integration/smarthost_test
TESTS += t/integration/smarthost_test
t_integration_smarthost_test_SOURCES = t/integration/smarthost_test.c \
	$(INTEGRATION_SUPPORT)
t_integration_smarthost_test_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
t_integration_smarthost_test_CFLAGS = $(TEST_CFLAGS)
t_integration_smarthost_test_LDADD = $(TEST_LDADD)
endif
