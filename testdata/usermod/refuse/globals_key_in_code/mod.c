// Code that reads a key of the constant globals table: the key is a slot
// filled at load time, so GCC's folded address would be wrong.
#include "py/runtime.h"

static mp_obj_t first_key(void);
static MP_DEFINE_CONST_FUN_OBJ_0(first_key_obj, first_key);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_first_key), MP_ROM_PTR(&first_key_obj) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

static mp_obj_t first_key(void) {
    return (mp_obj_t)globals_table[0].key;
}

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
