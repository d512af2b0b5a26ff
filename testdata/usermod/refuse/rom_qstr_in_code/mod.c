// MP_ROM_QSTR is for constant tables; in code it is refused.
#include "py/runtime.h"

static mp_obj_t greeting(void) {
    return (mp_obj_t)MP_ROM_QSTR(MP_QSTR_hello);
}
static MP_DEFINE_CONST_FUN_OBJ_0(greeting_obj, greeting);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_greeting), MP_ROM_PTR(&greeting_obj) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
