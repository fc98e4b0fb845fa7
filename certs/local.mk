# certs/local.mk - build fragment for certs/ (see Makefile.am)
