#include "config.h"

#include <criterion/criterion.h>

#include "tsupport.h"

TestSuite(deliver_tls, .init = tsup_init, .fini = tsup_fini);
