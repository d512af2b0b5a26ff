// A runtime function that neither mp_fun_table nor the support layer has.
#include "py/runtime.h"

extern void mp_hal_pin_write(int pin, int value);

static mp_obj_t set_pin(mp_obj_t pin) {
    mp_hal_pin_write(mp_obj_get_int(pin), 1);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(set_pin_obj, set_pin);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_set_pin), MP_ROM_PTR(&set_pin_obj) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
