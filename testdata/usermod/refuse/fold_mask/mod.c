// A folded read, masked to its low 12 bits: the two placeholders of mpyld
// differ in every bit, so the code differs too.
#include "py/runtime.h"

MP_DEFINE_CONST_OBJ_TYPE(fold_type, MP_QSTR_FoldType, MP_TYPE_FLAG_NONE);

static mp_obj_t low_bits(void) {
    return MP_OBJ_NEW_SMALL_INT(fold_type.name & 0xfff);
}
static MP_DEFINE_CONST_FUN_OBJ_0(low_bits_obj, low_bits);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_low_bits), MP_ROM_PTR(&low_bits_obj) },
    { MP_ROM_QSTR(MP_QSTR_FoldType), MP_ROM_PTR(&fold_type) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
