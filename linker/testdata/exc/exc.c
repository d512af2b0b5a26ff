// A module that raises the runtime's Exception type, which mp_fun_table
// holds only from .mpy 6.3 (MicroPython v1.23) on. Built with:
//   gcc -I../../../testdata/corpus/include -std=c99 -Os -fpic -fno-common
//       -fno-stack-protector '-DMP_CONFIGFILE=<stdint.h>' -c exc.c
#include "abi.h"

extern const type_t mp_type_Exception;

static mp_obj_t fail(mp_obj_t x) {
    mp_fun_table.raise_msg((mp_obj_t)&mp_type_Exception, "failed");
    return x;
}
static FUN1(fail_obj, fail);

ENTRY {
    STORE(1, &fail_obj);
    return NONE;
}
