// The high words of 32x32-bit products, unsigned and signed: built for the
// ESP32, clang-22 compiles them to MULUH and MULSH.
#include "py/dynruntime.h"

static mp_obj_t muluh(mp_obj_t a, mp_obj_t b) {
    uint32_t x = mp_obj_get_int_truncated(a), y = mp_obj_get_int_truncated(b);
    return mp_obj_new_int_from_uint((uint32_t)(((uint64_t)x * y) >> 32));
}
static MP_DEFINE_CONST_FUN_OBJ_2(muluh_obj, muluh);

static mp_obj_t mulsh(mp_obj_t a, mp_obj_t b) {
    int32_t x = mp_obj_get_int_truncated(a), y = mp_obj_get_int_truncated(b);
    return mp_obj_new_int((int32_t)(((int64_t)x * y) >> 32));
}
static MP_DEFINE_CONST_FUN_OBJ_2(mulsh_obj, mulsh);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    mp_store_global(MP_QSTR_muluh, MP_OBJ_FROM_PTR(&muluh_obj));
    mp_store_global(MP_QSTR_mulsh, MP_OBJ_FROM_PTR(&mulsh_obj));
    MP_DYNRUNTIME_INIT_EXIT
}
