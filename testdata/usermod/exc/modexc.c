// Runtime objects that mp_fun_table lacks, in static data: an exception
// made with MP_DEFINE_EXCEPTION on OSError (its handlers and parent), a
// static method (mp_type_staticmethod), the empty tuple; and a function
// that ends in a raise.
#include "py/runtime.h"
#include "py/objexcept.h"
MP_DEFINE_EXCEPTION(DeviceError, OSError)
static mp_obj_t fail(void) {
    mp_raise_msg(&mp_type_DeviceError, MP_ERROR_TEXT("device gone"));
}
static MP_DEFINE_CONST_FUN_OBJ_0(fail_obj, fail);
static mp_obj_t sm(mp_obj_t x) { return x; }
static MP_DEFINE_CONST_FUN_OBJ_1(sm_fun_obj, sm);
static MP_DEFINE_CONST_STATICMETHOD_OBJ(sm_obj, MP_ROM_PTR(&sm_fun_obj));
static const mp_rom_map_elem_t k_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_echo), MP_ROM_PTR(&sm_obj) },
    { MP_ROM_QSTR(MP_QSTR_EMPTY), MP_ROM_PTR(&mp_const_empty_tuple_obj) },
};
static MP_DEFINE_CONST_DICT(k_locals, k_locals_table);
MP_DEFINE_CONST_OBJ_TYPE(k_type, MP_QSTR_K, MP_TYPE_FLAG_NONE, locals_dict, &k_locals);
static const mp_rom_map_elem_t g_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_exc) },
    { MP_ROM_QSTR(MP_QSTR_fail), MP_ROM_PTR(&fail_obj) },
    { MP_ROM_QSTR(MP_QSTR_DeviceError), MP_ROM_PTR(&mp_type_DeviceError) },
    { MP_ROM_QSTR(MP_QSTR_K), MP_ROM_PTR(&k_type) },
};
static MP_DEFINE_CONST_DICT(g, g_table);
const mp_obj_module_t exc_module = { .base = { &mp_type_module }, .globals = (mp_obj_dict_t *)&g };
MP_REGISTER_MODULE(MP_QSTR_exc, exc_module);
