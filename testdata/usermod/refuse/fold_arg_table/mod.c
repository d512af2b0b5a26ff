// The keyword of an mp_arg_t table read by the code itself: GCC folds it.
#include "py/runtime.h"

static const mp_arg_t allowed_args[] = {
    { MP_QSTR_speed, MP_ARG_INT, {.u_int = 1} },
};

static mp_obj_t first_keyword(void) {
    return MP_OBJ_NEW_SMALL_INT(allowed_args[0].qst);
}
static MP_DEFINE_CONST_FUN_OBJ_0(first_keyword_obj, first_keyword);

static const mp_rom_map_elem_t globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_first_keyword), MP_ROM_PTR(&first_keyword_obj) },
};
static MP_DEFINE_CONST_DICT(globals, globals_table);

const mp_obj_module_t fold_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&globals,
};
MP_REGISTER_MODULE(MP_QSTR_fold, fold_module);
