// A switch on qstrs: case labels need constants, so they get placeholders,
// which then sit in code.
#include "py/runtime.h"

static mp_obj_t which(mp_obj_t name) {
    switch (mp_obj_str_get_qstr(name)) {
        case MP_QSTR_left:
            return MP_OBJ_NEW_SMALL_INT(1);
        case MP_QSTR_right:
            return MP_OBJ_NEW_SMALL_INT(2);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(which_obj, which);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_which), MP_ROM_PTR(&which_obj) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
