# delivery/local.mk - build fragment for delivery/ (see Makefile.am)
#
# The outbound SMTP client: one delivery attempt over lib/io under the
# Destination Controls TLS policy, and the next-hop (route, MX) lookup.

DELIVERY_LIB = delivery/libdelivery.a
noinst_LIBRARIES += delivery/libdelivery.a
delivery_libdelivery_a_SOURCES = \
	delivery/delivery.c delivery/delivery.h \
	delivery/deliver_attempt.c delivery/deliver_attempt.h \
	delivery/deliver_cache.c delivery/deliver_cache.h \
	delivery/deliver_mx.c delivery/deliver_mx.h \
	delivery/deliver_smtp.c delivery/deliver_smtp.h \
	delivery/deliver_tls.c delivery/deliver_tls.h

if HAVE_CRITERION
DELIVERY_TESTS = t/unit/delivery/deliver_smtp_test \
	t/unit/delivery/deliver_tls_test \
	t/unit/delivery/deliver_mx_test
check_PROGRAMS += $(DELIVERY_TESTS)
TESTS += $(DELIVERY_TESTS)
t_unit_delivery_deliver_smtp_test_SOURCES = \
	t/unit/delivery/deliver_smtp_test.c \
	t/unit/delivery/deliver_peer.c t/unit/delivery/deliver_peer.h
t_unit_delivery_deliver_smtp_test_CFLAGS = $(TEST_CFLAGS)
t_unit_delivery_deliver_smtp_test_LDADD = $(TEST_LDADD)
t_unit_delivery_deliver_tls_test_SOURCES = \
	t/unit/delivery/deliver_tls_test.c \
	t/unit/delivery/deliver_peer.c t/unit/delivery/deliver_peer.h
t_unit_delivery_deliver_tls_test_CFLAGS = $(TEST_CFLAGS)
t_unit_delivery_deliver_tls_test_LDADD = $(TEST_LDADD)
t_unit_delivery_deliver_mx_test_SOURCES = \
	t/unit/delivery/deliver_mx_test.c \
	t/unit/delivery/deliver_peer.c t/unit/delivery/deliver_peer.h \
	t/unit/lib/dns_unbound.c t/unit/lib/dns_unbound.h
t_unit_delivery_deliver_mx_test_CFLAGS = $(TEST_CFLAGS)
t_unit_delivery_deliver_mx_test_LDADD = $(TEST_LDADD)
endif
