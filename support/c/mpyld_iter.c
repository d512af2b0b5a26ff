// mpyld support layer: iteration. mp_fun_table's getiter and iternext are
// the native emitter's wrappers, which keep the iterator in the caller's
// buffer; these give the firmware's mp_getiter and mp_iternext on top.
#include "mpyld_support.h"
#include "py/runtime.h"

mp_obj_t mp_getiter(mp_obj_t o, mp_obj_iter_buf_t *iter_buf) {
    if (iter_buf == NULL) {
        return mp_fun_table.getiter(o, NULL);
    }
    mp_fun_table.getiter(o, iter_buf);
    if (iter_buf->base.type == MP_OBJ_NULL) {
        // The iterator is on the heap; the wrapper left it in buf[0].
        return iter_buf->buf[0];
    }
    return MP_OBJ_FROM_PTR(iter_buf);
}

mp_obj_t mp_iternext(mp_obj_t o) {
    if (!mp_obj_is_obj(o)) {
        // Not an object the wrapper can take for an iterator buffer: let
        // the runtime's next() raise its TypeError.
        mp_obj_t next = mp_load_attr(mp_import_name(MP_QSTR_builtins, mp_const_none, MP_OBJ_NEW_SMALL_INT(0)), MP_QSTR_next);
        return mp_call_function_n_kw(next, 1, 0, &o);
    }
    return mp_fun_table.iternext(MP_OBJ_TO_PTR(o));
}
