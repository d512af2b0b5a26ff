// The corpus statdata module (testdata/corpus/statdata) on the real
// py/dynruntime.h, to run on MicroPython: ordinary C globals, the way a
// ported C library keeps its state. An initialised counter, an initialised
// table that the code changes, a pointer table in writable data (relocated
// at load time), static zero-initialised state reached PC-relative, and a
// static struct pointing at other statics. MicroPython's mpy_ld.py refuses
// all of it.
#include "py/dynruntime.h"

static int32_t counter = 41;
static int16_t levels[8] = {3, 1, 4, 1, 5, 9, 2, 6};
static int32_t scratch[32];
static const char *names[] = {"alpha", "beta", "gamma"};

struct state {
    int32_t *cursor;
    const char **name;
    uint8_t steps;
};
static struct state st = {&scratch[0], &names[0], 0};

static mp_obj_t bump(mp_obj_t by) {
    counter += (int32_t)mp_obj_get_int(by);
    *st.cursor++ = counter;
    if (st.cursor == &scratch[32]) {
        st.cursor = &scratch[0];
    }
    st.steps++;
    return mp_obj_new_int(counter);
}
static MP_DEFINE_CONST_FUN_OBJ_1(bump_obj, bump);

static mp_obj_t level(mp_obj_t i) {
    mp_int_t k = mp_obj_get_int(i) & 7;
    levels[k] += 10;
    return mp_obj_new_int(levels[k] + scratch[0] + st.steps);
}
static MP_DEFINE_CONST_FUN_OBJ_1(level_obj, level);

static mp_obj_t name(mp_obj_t i) {
    // i mod 3 without a division: Debian's lx106 libgcc has no __umodsi3
    // (the ESP8266 keeps it in ROM).
    mp_uint_t k = mp_obj_get_int(i);
    while (k >= 3) {
        k -= 3;
    }
    const char *s = names[k];
    names[0] = "rotated";
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return mp_obj_new_str(s, n);
}
static MP_DEFINE_CONST_FUN_OBJ_1(name_obj, name);

// The name st points at (names[0]) and the steps taken.
static mp_obj_t current(void) {
    const char *s = *st.name;
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    mp_obj_t items[2] = {mp_obj_new_str(s, n), mp_obj_new_int(st.steps)};
    return mp_obj_new_tuple(2, items);
}
static MP_DEFINE_CONST_FUN_OBJ_0(current_obj, current);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    mp_store_global(MP_QSTR_bump, MP_OBJ_FROM_PTR(&bump_obj));
    mp_store_global(MP_QSTR_level, MP_OBJ_FROM_PTR(&level_obj));
    mp_store_global(MP_QSTR_name, MP_OBJ_FROM_PTR(&name_obj));
    mp_store_global(MP_QSTR_current, MP_OBJ_FROM_PTR(&current_obj));
    MP_DYNRUNTIME_INIT_EXIT
}
