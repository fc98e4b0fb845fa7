# queue/local.mk - build fragment for queue/ (see Makefile.am)
