# t/local.mk - build fragment for t/ (see Makefile.am)
