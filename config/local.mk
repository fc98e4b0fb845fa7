# config/local.mk - build fragment for config/ (see Makefile.am)
