// A bare qstr used in an expression in static data, not stored as it is.
#include "py/runtime.h"

static const uint16_t shifted[] = { MP_QSTR_odd + 1 };

static mp_obj_t first(void) {
    return MP_OBJ_NEW_SMALL_INT(*(volatile const uint16_t *)&shifted[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_0(first_obj, first);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_first), MP_ROM_PTR(&first_obj) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
