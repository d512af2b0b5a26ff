// A module for mpyld test's own tests: a function that works, one that
// dereferences NULL and one that never returns.
#include "py/dynruntime.h"

static mp_obj_t add(mp_obj_t a, mp_obj_t b) {
    return mp_obj_new_int(mp_obj_get_int(a) + mp_obj_get_int(b));
}
static MP_DEFINE_CONST_FUN_OBJ_2(add_obj, add);

// Writes through NULL (a fault on the unix port), then calls NULL (a fault
// on boards where address 0 is ROM that ignores writes).
static mp_obj_t crash(void) {
    int *volatile p = NULL;
    *p = 1;
    void (*volatile f)(void) = NULL;
    f();
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(crash_obj, crash);

static mp_obj_t hang(void) {
    volatile int n = 0;
    for (;;) {
        n++;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(hang_obj, hang);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    mp_store_global(MP_QSTR_add, MP_OBJ_FROM_PTR(&add_obj));
    mp_store_global(MP_QSTR_crash, MP_OBJ_FROM_PTR(&crash_obj));
    mp_store_global(MP_QSTR_hang, MP_OBJ_FROM_PTR(&hang_obj));
    MP_DYNRUNTIME_INIT_EXIT
}
