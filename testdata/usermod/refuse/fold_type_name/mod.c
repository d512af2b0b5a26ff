// GCC folds the read of a constant type's name (a bare qstr) into code.
#include "py/runtime.h"

MP_DEFINE_CONST_OBJ_TYPE(fold_type, MP_QSTR_FoldType, MP_TYPE_FLAG_NONE);

static mp_obj_t name_of(void) {
    return MP_OBJ_NEW_SMALL_INT(fold_type.name);
}
static MP_DEFINE_CONST_FUN_OBJ_0(name_of_obj, name_of);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_fold) },
    { MP_ROM_QSTR(MP_QSTR_name_of), MP_ROM_PTR(&name_of_obj) },
    { MP_ROM_QSTR(MP_QSTR_FoldType), MP_ROM_PTR(&fold_type) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
