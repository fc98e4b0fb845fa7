# docs/local.mk - build fragment for docs/ (see Makefile.am)
