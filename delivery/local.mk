# delivery/local.mk - build fragment for delivery/ (see Makefile.am)
