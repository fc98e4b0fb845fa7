#include "config.h"

#include <criterion/criterion.h>

#include "tsupport.h"

TestSuite(deliver_mx, .init = tsup_init, .fini = tsup_fini);
