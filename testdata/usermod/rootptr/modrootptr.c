// A module that keeps an object in a root pointer (MP_REGISTER_ROOT_POINTER,
// read and written with MP_STATE_VM), as firmware modules keep callbacks.
#include "py/runtime.h"

static mp_obj_t rootptr_set(mp_obj_t obj) {
    MP_STATE_VM(rootptr_kept) = obj;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(rootptr_set_obj, rootptr_set);

static mp_obj_t rootptr_get(void) {
    return MP_STATE_VM(rootptr_kept) == MP_OBJ_NULL ? mp_const_none : MP_STATE_VM(rootptr_kept);
}
static MP_DEFINE_CONST_FUN_OBJ_0(rootptr_get_obj, rootptr_get);

static const mp_rom_map_elem_t rootptr_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_rootptr) },
    { MP_ROM_QSTR(MP_QSTR_set), MP_ROM_PTR(&rootptr_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&rootptr_get_obj) },
};
static MP_DEFINE_CONST_DICT(rootptr_globals, rootptr_globals_table);

const mp_obj_module_t rootptr_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&rootptr_globals,
};

MP_REGISTER_MODULE(MP_QSTR_rootptr, rootptr_module);
MP_REGISTER_ROOT_POINTER(mp_obj_t rootptr_kept);
