# lib/dns.mk - build fragment for lib/dns (see Makefile.am)
