# mta/local.mk - build fragment for mta/ (see Makefile.am)
