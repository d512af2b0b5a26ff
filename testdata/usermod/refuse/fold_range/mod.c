// A folded range test on a type's name: it gives the same answer for the
// two complementary placeholders, but not when every placeholder is 0.
#include "py/runtime.h"

MP_DEFINE_CONST_OBJ_TYPE(fold_type, MP_QSTR_FoldType, MP_TYPE_FLAG_NONE);

static mp_obj_t named(void) {
    return mp_obj_new_bool(fold_type.name > 0x100);
}
static MP_DEFINE_CONST_FUN_OBJ_0(named_obj, named);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_named), MP_ROM_PTR(&named_obj) },
    { MP_ROM_QSTR(MP_QSTR_FoldType), MP_ROM_PTR(&fold_type) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
