# policy/local.mk - build fragment for policy/ (see Makefile.am)
