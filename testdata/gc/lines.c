// Functions at known lines, for the addr2line tests (compiled with -g).
#include "abi.h"

extern intptr_t lib_square(intptr_t x);

__attribute__((noinline)) static intptr_t helper(intptr_t x) {
    return x * 3 + 1;
}

static mp_obj_t twice(mp_obj_t x) {
    intptr_t v = helper(GET(x));
    return INT(lib_square(v) * 2);
}
static FUN1(twice_obj, twice);

ENTRY {
    mp_obj_t prev = mp_fun_table.swap_globals(self);
    STORE(MP_QSTR_twice, &twice_obj);
    mp_fun_table.swap_globals(prev);
    return NONE;
}
