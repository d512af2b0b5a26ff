// mpyld support layer: object and call functions of py/obj.h and
// py/runtime.h that py/dynruntime.h lacks, made of mp_fun_table calls.
#include "mpyld_support.h"
#include "py/runtime.h"

mp_obj_t mp_call_function_0(mp_obj_t fun) {
    return mp_call_function_n_kw(fun, 0, 0, NULL);
}

mp_obj_t mp_call_function_1(mp_obj_t fun, mp_obj_t arg) {
    return mp_call_function_n_kw(fun, 1, 0, &arg);
}

mp_obj_t mp_call_function_2(mp_obj_t fun, mp_obj_t arg1, mp_obj_t arg2) {
    mp_obj_t args[2] = { arg1, arg2 };
    return mp_call_function_n_kw(fun, 2, 0, args);
}

mp_obj_t mp_call_method_n_kw(size_t n_args, size_t n_kw, const mp_obj_t *args) {
    return mp_fun_table.call_method_n_kw(n_args, n_kw, args);
}

const char *mp_obj_get_type_str(mp_const_obj_t o_in) {
    return qstr_str(mp_obj_get_type((mp_obj_t)o_in)->name);
}

void mp_obj_print_helper(const mp_print_t *print, mp_obj_t o_in, mp_print_kind_t kind) {
    // str() or repr() of the object, written to print.
    mp_obj_t builtins = mp_import_name(MP_QSTR_builtins, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t fun = mp_load_attr(builtins, kind == PRINT_STR ? MP_QSTR_str : MP_QSTR_repr);
    size_t len;
    const char *s = mp_obj_str_get_data(mp_call_function_n_kw(fun, 1, 0, &o_in), &len);
    print->print_strn(print->data, s, len);
}

void mp_obj_print(mp_obj_t o_in, mp_print_kind_t kind) {
    mp_obj_print_helper(&mp_plat_print, o_in, kind);
}

bool mp_obj_equal(mp_obj_t o1, mp_obj_t o2) {
    return mp_obj_is_true(mp_binary_op(MP_BINARY_OP_EQUAL, o1, o2));
}

void mp_obj_get_array_fixed_n(mp_obj_t o, size_t len, mp_obj_t **items) {
    size_t seq_len;
    mp_obj_get_array(o, &seq_len, items);
    if (seq_len != len) {
        mp_raise_msg_varg(&mp_type_ValueError, "requested length %d but object has length %d", (int)len, (int)seq_len);
    }
}

bool mp_sched_schedule(mp_obj_t function, mp_obj_t arg) {
    // micropython.schedule raises RuntimeError when the queue is full,
    // where the firmware's function returns false.
    mp_obj_t micropython = mp_import_name(MP_QSTR_micropython, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t args[2] = { function, arg };
    mp_call_function_n_kw(mp_load_attr(micropython, MP_QSTR_schedule), 2, 0, args);
    return true;
}

mp_obj_t mp_obj_new_bytearray(size_t n, const void *items) {
    mp_obj_t bytes = mp_obj_new_bytes(items, n);
    // bytearray by name: py/dynruntime.h names mp_type_bytearray from v1.23.
    return mp_call_function_n_kw(mpyld_builtin(MP_QSTR_bytearray), 1, 0, &bytes);
}

mp_obj_t mp_obj_new_int_from_ull(unsigned long long val) {
    // From 32-bit halves: (hi << 32) | lo, made by the runtime's int.
    mp_obj_t hi = mp_obj_new_int_from_uint((mp_uint_t)(val >> 32));
    mp_obj_t lo = mp_obj_new_int_from_uint((mp_uint_t)(val & 0xffffffff));
    return mp_binary_op(MP_BINARY_OP_OR, mp_binary_op(MP_BINARY_OP_LSHIFT, hi, MP_OBJ_NEW_SMALL_INT(32)), lo);
}

mp_obj_t mp_obj_new_int_from_ll(long long val) {
    if (val >= 0) {
        return mp_obj_new_int_from_ull((unsigned long long)val);
    }
    // -(-val), with -val taken as unsigned so that the most negative value
    // does not overflow.
    return mp_unary_op(MP_UNARY_OP_NEGATIVE, mp_obj_new_int_from_ull(0 - (unsigned long long)val));
}

bool mp_obj_is_callable(mp_obj_t o_in) {
    mp_obj_t builtins = mp_import_name(MP_QSTR_builtins, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    return mp_obj_is_true(mp_call_function_n_kw(mp_load_attr(builtins, MP_QSTR_callable), 1, 0, &o_in));
}

qstr mp_obj_str_get_qstr(mp_obj_t self_in) {
    size_t len;
    const char *s = mp_obj_str_get_data(self_in, &len);
    return qstr_from_strn(s, len);
}

#if MICROPY_PY_BUILTINS_FLOAT
bool mpyld_obj_is_float(mp_const_obj_t o) {
    return mp_obj_is_obj(o) && mp_obj_get_type((mp_obj_t)o) == mpyld_type(MP_QSTR_float);
}
#endif
