// mpyld support layer: built-in objects by name, and the exception
// functions of py/runtime.h and py/obj.h that py/dynruntime.h lacks.
#include <string.h>

#include "mpyld_support.h"
#include "py/runtime.h"

static mp_obj_t mpyld_builtins(void) {
    return mp_import_name(MP_QSTR_builtins, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
}

mp_obj_t mpyld_builtin(qstr name) {
    mp_obj_t builtins = mpyld_builtins();
    if (name == MP_QSTR_module) {
        return MP_OBJ_FROM_PTR(mp_obj_get_type(builtins));
    }
    if (name == MP_QSTR_NoneType) {
        return MP_OBJ_FROM_PTR(mp_obj_get_type(mp_const_none));
    }
    return mp_load_attr(builtins, name);
}

// A printer into a growing GC block, for messages.
typedef struct _mpyld_msg_t {
    char *buf;
    size_t len;
    size_t cap;
} mpyld_msg_t;

static void mpyld_msg_strn(void *data, const char *str, size_t len) {
    mpyld_msg_t *m = data;
    if (m->len + len > m->cap) {
        size_t cap = 2 * m->cap + len;
        m->buf = m_realloc(m->buf, cap);
        m->cap = cap;
    }
    memcpy(m->buf + m->len, str, len);
    m->len += len;
}

// mpyld_new_msg formats fmt as mp_printf does into a str object.
static mp_obj_t mpyld_new_msg(const char *fmt, va_list args) {
    mpyld_msg_t m = { m_malloc(32), 0, 32 };
    mp_print_t print = { &m, mpyld_msg_strn };
    mp_vprintf(&print, fmt, args);
    mp_obj_t s = mp_obj_new_str(m.buf, m.len);
    m_free(m.buf);
    return s;
}

#ifndef mp_obj_new_exception_args
mp_obj_t mp_obj_new_exception_args(const mp_obj_type_t *exc_type, size_t n_args, const mp_obj_t *args) {
    return mp_call_function_n_kw(MP_OBJ_FROM_PTR(exc_type), n_args, 0, args);
}
#endif

#ifndef mp_obj_new_exception_msg
mp_obj_t mp_obj_new_exception_msg(const mp_obj_type_t *exc_type, mp_rom_error_text_t msg) {
    if (msg == NULL) {
        return mp_obj_new_exception_args(exc_type, 0, NULL);
    }
    mp_obj_t arg = mp_obj_new_str((const char *)msg, strlen((const char *)msg));
    return mp_obj_new_exception_args(exc_type, 1, &arg);
}
#endif

#ifndef mp_obj_new_exception_msg_vlist
mp_obj_t mp_obj_new_exception_msg_vlist(const mp_obj_type_t *exc_type, mp_rom_error_text_t fmt, va_list args) {
    mp_obj_t arg = mpyld_new_msg((const char *)fmt, args);
    return mp_obj_new_exception_args(exc_type, 1, &arg);
}
#endif

#ifndef mp_obj_new_exception_msg_varg
mp_obj_t mp_obj_new_exception_msg_varg(const mp_obj_type_t *exc_type, mp_rom_error_text_t fmt, ...) {
    va_list args;
    va_start(args, fmt);
    mp_obj_t arg = mpyld_new_msg((const char *)fmt, args);
    va_end(args);
    return mp_obj_new_exception_args(exc_type, 1, &arg);
}
#endif

#ifndef mp_raise_msg_varg
MP_NORETURN void mp_raise_msg_varg(const mp_obj_type_t *exc_type, mp_rom_error_text_t fmt, ...) {
    va_list args;
    va_start(args, fmt);
    mp_obj_t arg = mpyld_new_msg((const char *)fmt, args);
    va_end(args);
    nlr_raise(mp_obj_new_exception_args(exc_type, 1, &arg));
}
#endif

#ifndef mp_raise_type
MP_NORETURN void mp_raise_type(const mp_obj_type_t *exc_type) {
    nlr_raise(mp_obj_new_exception_args(exc_type, 0, NULL));
}
#endif

MP_NORETURN void mp_raise_StopIteration(mp_obj_t arg) {
    const mp_obj_type_t *type = mpyld_type(MP_QSTR_StopIteration);
    if (arg == mp_const_none) {
        nlr_raise(mp_obj_new_exception_args(type, 0, NULL));
    }
    nlr_raise(mp_obj_new_exception_args(type, 1, &arg));
}
