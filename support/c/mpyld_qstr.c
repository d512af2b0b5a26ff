// mpyld support layer: qstrs. A qstr object is a tagged word, the qstr
// number shifted left and a tag added, on every object representation that
// runs native modules; the shift and the tag are read from the runtime, so
// the module does not assume the firmware's representation.
#include "mpyld_support.h"
#include "py/qstr.h"

// The object of qstr q is base + (q << shift). Shifting, not multiplying
// and dividing, keeps the compiler's division helpers out of the module.
typedef struct _mpyld_qstr_enc_t {
    uintptr_t base;
    unsigned shift;
} mpyld_qstr_enc_t;

// mpyld_shift is the n for which (1 << n) * dq == dobj.
static unsigned mpyld_shift(uintptr_t dobj, uintptr_t dq) {
    unsigned n = 0;
    while (n < 8 * sizeof(uintptr_t) - 1 && (dq << n) < dobj) {
        ++n;
    }
    return n;
}

static mpyld_qstr_enc_t mpyld_qstr_enc(void) {
    mpyld_qstr_enc_t enc;
    #if MPYLD_MP_BEFORE(1, 21)
    // v1.20's mp_fun_table cannot make a qstr object from a number, but
    // mp_obj_new_str returns the qstr object of a string that is a qstr.
    uintptr_t qa = MP_QSTR_len;
    uintptr_t qb = MP_QSTR_int;
    uintptr_t a = (uintptr_t)mp_obj_new_str("len", 3);
    uintptr_t b = (uintptr_t)mp_obj_new_str("int", 3);
    if (qb < qa) {
        uintptr_t t = qa;
        qa = qb;
        qb = t;
        t = a;
        a = b;
        b = t;
    }
    enc.shift = mpyld_shift(b - a, qb - qa);
    enc.base = a - (qa << enc.shift);
    #else
    enc.base = (uintptr_t)mp_fun_table.native_to_obj(0, MP_NATIVE_TYPE_QSTR);
    enc.shift = mpyld_shift((uintptr_t)mp_fun_table.native_to_obj(1, MP_NATIVE_TYPE_QSTR) - enc.base, 1);
    #endif
    return enc;
}

mp_obj_t mpyld_obj_new_qstr(qstr q) {
    mpyld_qstr_enc_t enc = mpyld_qstr_enc();
    return (mp_obj_t)(enc.base + ((uintptr_t)q << enc.shift));
}

qstr mpyld_obj_qstr_value(mp_obj_t o) {
    mpyld_qstr_enc_t enc = mpyld_qstr_enc();
    return (qstr)(((uintptr_t)o - enc.base) >> enc.shift);
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
