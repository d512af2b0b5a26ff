// Heap objects held only in a module's static variables must survive
// gc.collect(): a list in a static mp_obj_t, a dict in a static struct
// field, reached through a static pointer table; and an initialised counter.
#include "py/dynruntime.h"

static mp_obj_t kept;
static struct {
    mp_obj_t dict;
    int tag;
} box;
static int32_t counter = 41;
static mp_obj_t *table[] = {&kept, &box.dict};

static mp_obj_t keep(mp_obj_t n_in) {
    mp_int_t n = mp_obj_get_int(n_in);
    kept = mp_obj_new_list(0, NULL);
    box.dict = mp_obj_new_dict(0);
    for (mp_int_t i = 0; i < n; i++) {
        mp_obj_list_append(kept, mp_obj_new_int(i * 3));
        mp_obj_dict_store(box.dict, mp_obj_new_int(i), mp_obj_new_str("v", 1));
    }
    box.tag = 7;
    counter += 1;
    // Written, so that the compiler keeps the table in writable data.
    table[n & 1] = (n & 1) ? &box.dict : &kept;
    table[1 - (n & 1)] = (n & 1) ? &kept : &box.dict;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(keep_obj, keep);

// get(0) is the list, get(1) the dict, anything else counter * 100 + tag.
static mp_obj_t get(mp_obj_t i_in) {
    mp_int_t i = mp_obj_get_int(i_in);
    if (i < 0 || i > 1) {
        return mp_obj_new_int(counter * 100 + box.tag);
    }
    return *table[i];
}
static MP_DEFINE_CONST_FUN_OBJ_1(get_obj, get);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY

    mp_store_global(MP_QSTR_keep, MP_OBJ_FROM_PTR(&keep_obj));
    mp_store_global(MP_QSTR_get, MP_OBJ_FROM_PTR(&get_obj));

    MP_DYNRUNTIME_INIT_EXIT
}
