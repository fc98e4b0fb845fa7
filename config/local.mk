# config/local.mk - build fragment for config/ (see Makefile.am)
#
# libconfig: the YAML configuration loader and its parameter table.
# conf_default.yaml is compiled in as a C string (conf_default_yaml.c,
# generated); conf_doc prints docs/configuration.md from the table, and
# "make config-doc" refreshes the committed copy.

CONFIG_LIB = config/libconfig.a
noinst_LIBRARIES += config/libconfig.a
config_libconfig_a_SOURCES = \
	config/conf.c config/conf.h \
	config/conf_check.c \
	config/conf_doc.c config/conf_doc.h \
	config/conf_dump.c \
	config/conf_param.c config/conf_param.h config/conf_params.def \
	config/conf_predef.c \
	config/conf_priv.h \
	config/conf_set.c
nodist_config_libconfig_a_SOURCES = config/conf_default_yaml.c
BUILT_SOURCES += config/conf_default_yaml.c
CLEANFILES += config/conf_default_yaml.c
EXTRA_DIST += config/conf_default.yaml config/configuration.md.in

# Each line becomes one C string literal line; the text has no trigraphs.
config/conf_default_yaml.c: $(srcdir)/config/conf_default.yaml
	$(AM_V_GEN)$(MKDIR_P) config && { \
	  echo '/* Generated from config/conf_default.yaml; do not edit. */'; \
	  echo '#include "config.h"'; \
	  echo '#include "conf.h"'; \
	  echo 'const char conf_default_yaml[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
	    $(srcdir)/config/conf_default.yaml; \
	  echo ';'; \
	} > $@-t && mv $@-t $@

# Makefile.am does not initialise noinst_PROGRAMS; once it does, make
# this "+=".
noinst_PROGRAMS += config/conf_doc
config_conf_doc_SOURCES = config/conf_doc_main.c
config_conf_doc_LDADD = $(CONFIG_LIB) $(BASE_LIB) $(EXT_LIBS)

.PHONY: config-doc
config-doc: config/conf_doc
	config/conf_doc $(srcdir)/config/configuration.md.in \
	    > $(srcdir)/docs/configuration.md-t
	mv $(srcdir)/docs/configuration.md-t $(srcdir)/docs/configuration.md

if HAVE_CRITERION
CONFIG_TESTS = t/unit/config/conf_load_test t/unit/config/conf_error_test \
	t/unit/config/conf_param_test t/unit/config/conf_set_test \
	t/unit/config/conf_doc_test
check_PROGRAMS += $(CONFIG_TESTS)
TESTS += $(CONFIG_TESTS)
t_unit_config_conf_load_test_SOURCES = t/unit/config/conf_load_test.c \
	t/unit/config/conf_test_util.h
t_unit_config_conf_load_test_CFLAGS = $(TEST_CFLAGS)
t_unit_config_conf_load_test_LDADD = $(TEST_LDADD)
t_unit_config_conf_error_test_SOURCES = t/unit/config/conf_error_test.c \
	t/unit/config/conf_test_util.h
t_unit_config_conf_error_test_CFLAGS = $(TEST_CFLAGS)
t_unit_config_conf_error_test_LDADD = $(TEST_LDADD)
t_unit_config_conf_param_test_SOURCES = t/unit/config/conf_param_test.c
t_unit_config_conf_param_test_CFLAGS = $(TEST_CFLAGS)
t_unit_config_conf_param_test_LDADD = $(TEST_LDADD)
t_unit_config_conf_set_test_SOURCES = t/unit/config/conf_set_test.c \
	t/unit/config/conf_test_util.h
t_unit_config_conf_set_test_CFLAGS = $(TEST_CFLAGS)
t_unit_config_conf_set_test_LDADD = $(TEST_LDADD)
t_unit_config_conf_doc_test_SOURCES = t/unit/config/conf_doc_test.c
t_unit_config_conf_doc_test_CFLAGS = $(TEST_CFLAGS)
t_unit_config_conf_doc_test_LDADD = $(TEST_LDADD)
endif
