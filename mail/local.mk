# mail/local.mk - build fragment for mail/ (see Makefile.am)
