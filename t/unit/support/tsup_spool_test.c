#include "config.h"
#include <criterion/criterion.h>
Test(x, y) {}
