# logs/local.mk - build fragment for logs/ (see Makefile.am)
