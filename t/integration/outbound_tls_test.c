/*
 * NAME
 *	outbound_tls_test - Destination Controls TLS through the real gateway
 */
#include "config.h"

#include <criterion/criterion.h>

#include "mtad_harness.h"
#include "tsupport.h"

TestSuite(outbound_tls, .init = tsup_init, .fini = tsup_fini, .timeout = 120);
