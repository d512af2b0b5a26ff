// mpyld support layer: keyword-argument parsing for trees whose
// py/dynruntime.h does not map it to mp_fun_table (before v1.23: their
// mp_fun_table has no arg_parse_all). The messages are those of the
// error-reporting level the module is compiled with.
#include "mpyld_support.h"
#include "py/runtime.h"

#if !defined(mp_arg_parse_all) || !defined(mp_arg_parse_all_kw_array)

static MP_NORETURN void mpyld_arg_error(const char *msg, qstr name) {
    #if MICROPY_ERROR_REPORTING <= MICROPY_ERROR_REPORTING_TERSE
    (void)msg;
    (void)name;
    mp_raise_TypeError("argument num/types mismatch");
    #else
    mp_raise_msg_varg(&mp_type_TypeError, msg, name);
    #endif
}

// mpyld_arg_find is the value of keyword argument name among the n
// (key, value) pairs at kv (stride words apart), or MP_OBJ_NULL.
static mp_obj_t mpyld_arg_find(const mp_obj_t *kv, size_t n, size_t stride, qstr name) {
    mp_obj_t key = mpyld_obj_new_qstr(name);
    for (size_t i = 0; i < n; ++i, kv += stride) {
        if (kv[0] == MP_OBJ_NULL || kv[0] == MP_OBJ_SENTINEL) {
            continue;
        }
        if (kv[0] == key || (!mp_obj_is_qstr(kv[0]) && mp_obj_equal(kv[0], key))) {
            return kv[1];
        }
    }
    return MP_OBJ_NULL;
}

// mpyld_arg_parse parses n_pos positional arguments and n_kw keyword
// arguments, the (key, value) pairs at kv, stride words apart, of which
// n_slots are looked at (a map's table has empty slots).
static void mpyld_arg_parse(size_t n_pos, const mp_obj_t *pos, const mp_obj_t *kv, size_t n_slots, size_t stride,
    size_t n_kw, size_t n_allowed, const mp_arg_t *allowed, mp_arg_val_t *out_vals) {
    size_t pos_used = 0;
    size_t kw_used = 0;
    for (size_t i = 0; i < n_allowed; ++i) {
        mp_obj_t arg;
        if (i < n_pos) {
            if (allowed[i].flags & MP_ARG_KW_ONLY) {
                break;
            }
            arg = pos[i];
            ++pos_used;
        } else {
            arg = mpyld_arg_find(kv, n_slots, stride, allowed[i].qst);
            if (arg == MP_OBJ_NULL) {
                if (allowed[i].flags & MP_ARG_REQUIRED) {
                    mpyld_arg_error("'%q' argument required", allowed[i].qst);
                }
                out_vals[i] = allowed[i].defval;
                continue;
            }
            ++kw_used;
        }
        switch (allowed[i].flags & MP_ARG_KIND_MASK) {
            case MP_ARG_BOOL:
                out_vals[i].u_bool = mp_obj_is_true(arg);
                break;
            case MP_ARG_INT:
                out_vals[i].u_int = mp_obj_get_int(arg);
                break;
            default:
                out_vals[i].u_obj = arg;
                break;
        }
    }
    if (pos_used < n_pos) {
        mpyld_arg_error("extra positional arguments given", 0);
    }
    if (kw_used < n_kw) {
        mpyld_arg_error("extra keyword arguments given", 0);
    }
}

#endif

#ifndef mp_arg_parse_all
void mp_arg_parse_all(size_t n_pos, const mp_obj_t *pos, mp_map_t *kws, size_t n_allowed, const mp_arg_t *allowed, mp_arg_val_t *out_vals) {
    const mp_obj_t *kv = kws == NULL ? NULL : (const mp_obj_t *)kws->table;
    size_t n_slots = kws == NULL ? 0 : kws->alloc;
    size_t n_kw = kws == NULL ? 0 : kws->used;
    mpyld_arg_parse(n_pos, pos, kv, n_slots, sizeof(mp_map_elem_t) / sizeof(mp_obj_t), n_kw, n_allowed, allowed, out_vals);
}
#endif

#ifndef mp_arg_parse_all_kw_array
void mp_arg_parse_all_kw_array(size_t n_pos, size_t n_kw, const mp_obj_t *args, size_t n_allowed, const mp_arg_t *allowed, mp_arg_val_t *out_vals) {
    mpyld_arg_parse(n_pos, args, args + n_pos, n_kw, 2, n_kw, n_allowed, allowed, out_vals);
}
#endif
