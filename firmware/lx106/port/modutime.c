// This file implements the utime module for trees before v1.21, which keep
// its functions in extmod/utime_mphal.c and leave the module to the port
// (later trees have extmod's own time module, and this file is empty). With
// the weak links of those trees, "import time" finds it too.

#include "py/mphal.h"
#include "py/obj.h"

#if MICROPY_VERSION < 0x011500 && MICROPY_PY_UTIME_MP_HAL

#include "extmod/utime_mphal.h"

STATIC const mp_rom_map_elem_t utime_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_utime) },
    { MP_ROM_QSTR(MP_QSTR_sleep), MP_ROM_PTR(&mp_utime_sleep_obj) },
    { MP_ROM_QSTR(MP_QSTR_sleep_ms), MP_ROM_PTR(&mp_utime_sleep_ms_obj) },
    { MP_ROM_QSTR(MP_QSTR_sleep_us), MP_ROM_PTR(&mp_utime_sleep_us_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_ms), MP_ROM_PTR(&mp_utime_ticks_ms_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_us), MP_ROM_PTR(&mp_utime_ticks_us_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_cpu), MP_ROM_PTR(&mp_utime_ticks_cpu_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_add), MP_ROM_PTR(&mp_utime_ticks_add_obj) },
    { MP_ROM_QSTR(MP_QSTR_ticks_diff), MP_ROM_PTR(&mp_utime_ticks_diff_obj) },
};
STATIC MP_DEFINE_CONST_DICT(utime_globals, utime_globals_table);

const mp_obj_module_t mpyld_utime_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&utime_globals,
};

MP_REGISTER_MODULE(MP_QSTR_utime, mpyld_utime_module);

#endif
