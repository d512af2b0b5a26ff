// MicroPython v1.20's MP_OBJ_NEW_QSTR: its py/dynruntime.h turns
// MP_OBJ_NEW_QSTR(MP_QSTR_x) into the token MP_OBJ_NEW_QSTR_MP_QSTR_x, which
// the config header defines as an entry of the module's object table (str
// objects the loader creates). v1.21 and later go through mp_fun_table.
#include "abi.h"

#define MP_OBJ_NEW_QSTR(x) MP_OBJ_NEW_QSTR_##x

static mp_obj_t greet(mp_obj_t x) {
    (void)x;
    return MP_OBJ_NEW_QSTR(MP_QSTR_hello_world);
}
static FUN1(greet_obj, greet);

static mp_obj_t pick(mp_obj_t x) {
    return GET(x) ? MP_OBJ_NEW_QSTR(MP_QSTR_alpha) : MP_OBJ_NEW_QSTR(MP_QSTR_zeta);
}
static FUN1(pick_obj, pick);

ENTRY {
    STORE(MP_QSTR_greet, &greet_obj);
    STORE(MP_QSTR_pick, &pick_obj);
    STORE(MP_QSTR_hello_world, MP_OBJ_NEW_QSTR(MP_QSTR_hello_world));
    return NONE;
}
