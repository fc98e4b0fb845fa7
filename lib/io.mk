# lib/io.mk - build fragment for lib/io, lib/ipc, lib/fdpass (see Makefile.am)
