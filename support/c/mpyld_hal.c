// mpyld support layer: the HAL's time functions, through the time module
// (time.ticks_ms and friends), so they wrap as those do: at
// MICROPY_PY_TIME_TICKS_PERIOD (2**30 on most ports), not at the width of
// mp_uint_t as a port's mp_hal_ticks_ms does.
#include "mpyld_support.h"
#include "py/mphal.h"

// mpyld_time_fun is time.<name>, or time.<fallback> where that is not 0 and
// time has no <name>.
static mp_obj_t mpyld_time_fun(qstr name, qstr fallback) {
    mp_obj_t time = mp_import_name(MP_QSTR_time, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    if (fallback != 0) {
        mp_obj_t getattr = mp_load_attr(mp_import_name(MP_QSTR_builtins, mp_const_none, MP_OBJ_NEW_SMALL_INT(0)), MP_QSTR_getattr);
        mp_obj_t args[3] = { time, mpyld_obj_new_qstr(name), mp_const_none };
        mp_obj_t f = mp_call_function_n_kw(getattr, 3, 0, args);
        if (f != mp_const_none) {
            return f;
        }
        name = fallback;
    }
    return mp_load_attr(time, name);
}

static mp_uint_t mpyld_time_ticks(qstr name, qstr fallback) {
    return mp_obj_get_int_truncated(mp_call_function_n_kw(mpyld_time_fun(name, fallback), 0, 0, NULL));
}

static void mpyld_time_sleep(qstr name, mp_uint_t n) {
    mp_obj_t arg = mp_obj_new_int_from_uint(n);
    mp_call_function_n_kw(mpyld_time_fun(name, 0), 1, 0, &arg);
}

mp_uint_t mp_hal_ticks_ms(void) {
    return mpyld_time_ticks(MP_QSTR_ticks_ms, 0);
}

mp_uint_t mp_hal_ticks_us(void) {
    return mpyld_time_ticks(MP_QSTR_ticks_us, 0);
}

mp_uint_t mp_hal_ticks_cpu(void) {
    // Ports without time.ticks_cpu count microseconds instead.
    return mpyld_time_ticks(MP_QSTR_ticks_cpu, MP_QSTR_ticks_us);
}

void mp_hal_delay_ms(mp_uint_t ms) {
    mpyld_time_sleep(MP_QSTR_sleep_ms, ms);
}

void mp_hal_delay_us(mp_uint_t us) {
    mpyld_time_sleep(MP_QSTR_sleep_us, us);
}

// A native module has no port pins: py/mphal.h then takes pins for
// objects (virtual pins), which these read and write through their
// value method, as machine.Pin has.
int mp_virtual_pin_read(mp_obj_t pin) {
    mp_obj_t dest[2];
    mp_load_method(pin, MP_QSTR_value, dest);
    return mp_obj_get_int(mp_fun_table.call_method_n_kw(0, 0, dest));
}

void mp_virtual_pin_write(mp_obj_t pin, int value) {
    mp_obj_t dest[3];
    mp_load_method(pin, MP_QSTR_value, dest);
    dest[2] = MP_OBJ_NEW_SMALL_INT(value);
    mp_fun_table.call_method_n_kw(1, 0, dest);
}
