// Code for the firmware's exception handlers. Built for the ESP32,
// clang-22 compiles the high words of 32x32-bit products to MULUH and
// MULSH, and a variable-length array to MOVSP.
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

// Not a loop: the work after the call keeps the recursion.
__attribute__((noinline)) static uint32_t deep(uint32_t n) {
    if (n == 0) {
        return 1;
    }
    uint32_t r = deep(n - 1);
    return r * 3 + n;
}

// Recursing first spills every window, the caller's included; the array
// then makes MOVSP find the caller's window spilled.
static mp_obj_t vla_sum(mp_obj_t depth_in, mp_obj_t n_in) {
    uint32_t d = deep(mp_obj_get_int(depth_in));
    size_t n = mp_obj_get_int(n_in);
    volatile uint8_t buf[n];
    for (size_t i = 0; i < n; i++) {
        buf[i] = (uint8_t)(i * 7);
    }
    mp_int_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += buf[i];
    }
    return mp_obj_new_int(sum + (d & 0xffff));
}
static MP_DEFINE_CONST_FUN_OBJ_2(vla_sum_obj, vla_sum);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    mp_store_global(MP_QSTR_muluh, MP_OBJ_FROM_PTR(&muluh_obj));
    mp_store_global(MP_QSTR_mulsh, MP_OBJ_FROM_PTR(&mulsh_obj));
    mp_store_global(MP_QSTR_vla_sum, MP_OBJ_FROM_PTR(&vla_sum_obj));
    MP_DYNRUNTIME_INIT_EXIT
}
