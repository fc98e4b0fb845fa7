# mta/local.mk - the supervisor, the child skeleton, the mtad program

MTA_LIB = mta/libmta.a
noinst_LIBRARIES += mta/libmta.a
mta_libmta_a_SOURCES = \
	mta/master.c mta/master.h \
	mta/mta_args.c mta/mta_args.h \
	mta/mta_dns.c mta/mta_dns.h \
	mta/mta_log.c mta/mta_log.h \
	mta/mta_proto.c mta/mta_proto.h \
	mta/server.c mta/server.h

sbin_PROGRAMS += mtad
mtad_SOURCES = mta/mtad.c
mtad_LDADD = $(ALL_LDADD)

sbin_PROGRAMS += mtactl
mtactl_SOURCES = mta/mtactl.c mta/mtactl_cert.c mta/mtactl_cert.h \
	mta/mtactl_send.c mta/mtactl_send.h \
	mta/mtactl_log.c mta/mtactl_log.h \
	mta/mtactl_opt.c mta/mtactl_opt.h \
	mta/mtactl_sslconfig.c mta/mtactl_sslconfig.h \
	mta/mtactl_trust.c mta/mtactl_trust.h \
	mta/mtactl_tlsmatrix.c mta/mtactl_tlsmatrix.h
mtactl_LDADD = $(ALL_LDADD)
