# lib/dns.mk - build fragment for lib/dns (see Makefile.am)

lib_libbase_a_SOURCES += lib/dns.h
