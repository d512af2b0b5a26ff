// One source that registers two modules, each with an __init__: mpyld
// builds one .mpy each (first.mpy, second.mpy).
#include "py/runtime.h"

static mp_obj_t first_init(void) {
    mp_printf(&mp_plat_print, "first.__init__\n");
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(first_init_obj, first_init);

static mp_obj_t answer(void) {
    return MP_OBJ_NEW_SMALL_INT(1);
}
static MP_DEFINE_CONST_FUN_OBJ_0(answer_obj, answer);

static const mp_rom_map_elem_t first_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_first) },
    { MP_ROM_QSTR(MP_QSTR___init__), MP_ROM_PTR(&first_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_answer), MP_ROM_PTR(&answer_obj) },
};
static MP_DEFINE_CONST_DICT(first_globals, first_globals_table);

const mp_obj_module_t first_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&first_globals,
};
MP_REGISTER_MODULE(MP_QSTR_first, first_module);

static mp_obj_t twice(mp_obj_t x) {
    return MP_OBJ_NEW_SMALL_INT(2 * mp_obj_get_int(x));
}
static MP_DEFINE_CONST_FUN_OBJ_1(twice_obj, twice);

static const mp_rom_map_elem_t second_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_second) },
    { MP_ROM_QSTR(MP_QSTR_twice), MP_ROM_PTR(&twice_obj) },
};
static MP_DEFINE_CONST_DICT(second_globals, second_globals_table);

const mp_obj_module_t second_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&second_globals,
};
// The older three-argument form.
MP_REGISTER_MODULE(MP_QSTR_second, second_module, 1);
