// A module with dead code next to code that is reached only from data or
// through the GOT. See README.md.
#include "abi.h"

void *fill_bytes(void *dst, int c, size_t n) __asm__("memset");

extern intptr_t lib_square(intptr_t x);
extern intptr_t lib_cube(intptr_t x);
extern intptr_t arc_used(intptr_t x);

int32_t counter;
const int32_t gtable[4] = {10, 20, 30, 40};

// Reached only through the GOT: its address is taken in -fpic code.
intptr_t via_got(intptr_t x) {
    return x * 7 + gtable[x & 3];
}

// Reached only from constant data: the table below (global, so that the
// compiler cannot fold its loads into direct references).
static intptr_t op_inc(intptr_t x) {
    return x + 1;
}
static intptr_t op_neg(intptr_t x) {
    return -x;
}
typedef intptr_t (*op_t)(intptr_t);
const op_t ops[3] = {op_inc, op_neg, op_inc};

static mp_obj_t square(mp_obj_t x) {
    counter++;
    return INT(lib_square(GET(x)) + arc_used(counter));
}
static FUN1(square_obj, square);

static mp_obj_t apply(mp_obj_t i, mp_obj_t x) {
    op_t volatile pick = via_got;
    intptr_t k = GET(i);
    if (k > 1) {
        return INT(pick(GET(x)));
    }
    return INT(ops[k < 0 ? 0 : k](GET(x)));
}
static FUN2(apply_obj, apply);

// Dead: nothing reaches these.
int32_t dead_bss[32];
const int32_t dead_table[16] = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597};

intptr_t dead_global(intptr_t x) {
    dead_bss[x & 31] += (int32_t)x;
    return dead_table[x & 15] + dead_bss[0];
}

intptr_t dead_calls_lib(intptr_t x) {
    return lib_cube(x) + 3;
}

void dead_wipe(intptr_t n) {
    fill_bytes(dead_bss, 0, (size_t)n);
}

ENTRY {
    mp_obj_t prev = mp_fun_table.swap_globals(self);
    STORE(MP_QSTR_square, &square_obj);
    STORE(MP_QSTR_apply, &apply_obj);
    mp_fun_table.swap_globals(prev);
    return NONE;
}
