// A second object: one function the module calls, one that only dead code
// calls, one that nothing calls.
#include "abi.h"

intptr_t lib_square(intptr_t x) {
    return x * x;
}

intptr_t lib_cube(intptr_t x) {
    return x * x * x + 11;
}

intptr_t lib_unused(intptr_t x) {
    return x * 1234567 - 89;
}
