# listeners/local.mk - build fragment for listeners/ (see Makefile.am)
