// mpyld support layer: qstrs. A qstr object is a tagged word whose value is
// linear in the qstr number on every object representation; the factor and
// offset are read from the runtime, so the module does not assume the
// firmware's representation.
#include "mpyld_support.h"
#include "py/qstr.h"

typedef struct _mpyld_qstr_enc_t {
    uintptr_t step;
    uintptr_t base;
} mpyld_qstr_enc_t;

static mpyld_qstr_enc_t mpyld_qstr_enc(void) {
    mpyld_qstr_enc_t enc;
    #if MPYLD_MP_BEFORE(1, 21)
    // v1.20's mp_fun_table cannot make a qstr object from a number, but
    // mp_obj_new_str returns the qstr object of a string that is a qstr.
    uintptr_t a = (uintptr_t)mp_obj_new_str("len", 3);
    uintptr_t b = (uintptr_t)mp_obj_new_str("int", 3);
    enc.step = (b - a) / (uintptr_t)(MP_QSTR_int - MP_QSTR_len);
    enc.base = a - enc.step * MP_QSTR_len;
    #else
    enc.base = (uintptr_t)mp_fun_table.native_to_obj(0, MP_NATIVE_TYPE_QSTR);
    enc.step = (uintptr_t)mp_fun_table.native_to_obj(1, MP_NATIVE_TYPE_QSTR) - enc.base;
    #endif
    return enc;
}

mp_obj_t mpyld_obj_new_qstr(qstr q) {
    mpyld_qstr_enc_t enc = mpyld_qstr_enc();
    return (mp_obj_t)(enc.base + enc.step * (uintptr_t)q);
}

qstr mpyld_obj_qstr_value(mp_obj_t o) {
    mpyld_qstr_enc_t enc = mpyld_qstr_enc();
    return (qstr)(((uintptr_t)o - enc.base) / enc.step);
}

const byte *qstr_data(qstr q, size_t *len) {
    // A str object's buffer is the qstr's own bytes, which live as long as
    // the runtime and end with a NUL.
    return (const byte *)mp_obj_str_get_data(mpyld_obj_new_qstr(q), len);
}

const char *qstr_str(qstr q) {
    size_t len;
    return (const char *)qstr_data(q, &len);
}

size_t qstr_len(qstr q) {
    size_t len;
    qstr_data(q, &len);
    return len;
}

qstr qstr_from_strn(const char *str, size_t len) {
    // getattr interns its name argument before it looks it up; afterwards
    // mp_obj_new_str returns the qstr object.
    mp_obj_t args[3] = { mp_const_none, mp_obj_new_str(str, len), mp_const_none };
    mp_obj_t getattr = mp_load_attr(mp_import_name(MP_QSTR_builtins, mp_const_none, MP_OBJ_NEW_SMALL_INT(0)), MP_QSTR_getattr);
    mp_call_function_n_kw(getattr, 3, 0, args);
    return mpyld_obj_qstr_value(mp_obj_new_str(str, len));
}

qstr qstr_from_str(const char *str) {
    size_t len = 0;
    while (str[len] != '\0') {
        ++len;
    }
    return qstr_from_strn(str, len);
}
