// mpyld support layer: the C library's allocator on the GC heap.
//
// The GC frees a block that nothing it scans points to, and it does not
// scan where a native module's static variables may live (on the unix port
// the module's code and data are outside the GC heap). So every block that
// malloc returns is also kept in a table that the GC reaches: a bytearray
// in sys.modules under "__mpyld_heap__", shared by all modules built with
// the layer. free takes it out again. Printing the table is harmless: it
// is a bytearray.
#include <string.h>

#include "mpyld_support.h"

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *ptr, size_t n);
void free(void *ptr);

// The table: word 0 counts the blocks, which follow.
typedef struct _mpyld_heap_t {
    mp_obj_t modules;
    mp_obj_t key;
    uintptr_t *table;
    size_t cap;
} mpyld_heap_t;

// mpyld_heap_find fills h; false without sys.modules.
static bool mpyld_heap_find(mpyld_heap_t *h) {
    mp_obj_t builtins = mp_import_name(MP_QSTR_builtins, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t getattr = mp_load_attr(builtins, MP_QSTR_getattr);
    mp_obj_t sys = mp_import_name(MP_QSTR_sys, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t args[3] = { sys, mpyld_obj_new_qstr(MP_QSTR_modules), mp_const_none };
    h->modules = mp_call_function_n_kw(getattr, 3, 0, args);
    h->table = NULL;
    h->cap = 0;
    if (h->modules == mp_const_none) {
        return false;
    }
    h->key = mpyld_obj_new_qstr(MP_QSTR___mpyld_heap__);
    mp_obj_t dest[3];
    mp_load_method(h->modules, MP_QSTR_get, dest);
    dest[2] = h->key;
    mp_obj_t t = mp_fun_table.call_method_n_kw(1, 0, dest);
    if (t != mp_const_none) {
        mp_buffer_info_t info;
        mp_get_buffer_raise(t, &info, MP_BUFFER_RW);
        h->table = info.buf;
        h->cap = info.len / sizeof(uintptr_t);
    }
    return true;
}

bool mpyld_heap_keep(void *ptr) {
    mpyld_heap_t h;
    if (!mpyld_heap_find(&h)) {
        return true;
    }
    size_t count = h.table == NULL ? 0 : h.table[0];
    if (1 + count >= h.cap) {
        size_t cap = h.cap < 8 ? 8 : 2 * h.cap;
        uintptr_t *t = mp_fun_table.realloc_(h.table, cap * sizeof(uintptr_t), true);
        if (t == NULL) {
            return false;
        }
        t[0] = count;
        mp_obj_dict_store(h.modules, h.key, mp_obj_new_bytearray_by_ref(cap * sizeof(uintptr_t), t));
        h.table = t;
    }
    h.table[1 + count] = (uintptr_t)ptr;
    h.table[0] = count + 1;
    return true;
}

// mpyld_heap_slot is where ptr is in the table, or NULL.
static uintptr_t *mpyld_heap_slot(mpyld_heap_t *h, void *ptr) {
    if (!mpyld_heap_find(h) || h->table == NULL) {
        return NULL;
    }
    for (size_t i = 1; i <= h->table[0]; ++i) {
        if (h->table[i] == (uintptr_t)ptr) {
            return &h->table[i];
        }
    }
    return NULL;
}

void mpyld_heap_release(void *ptr) {
    mpyld_heap_t h;
    uintptr_t *slot = mpyld_heap_slot(&h, ptr);
    if (slot != NULL) {
        *slot = h.table[h.table[0]];
        h.table[h.table[0]] = 0;
        h.table[0] -= 1;
    }
}

void *malloc(size_t n) {
    // mp_fun_table.realloc_ is m_realloc_maybe: NULL when the heap is full,
    // as C wants, where m_malloc raises MemoryError.
    void *ptr = mp_fun_table.realloc_(NULL, n == 0 ? 1 : n, false);
    if (ptr != NULL && !mpyld_heap_keep(ptr)) {
        mp_fun_table.realloc_(ptr, 0, false);
        ptr = NULL;
    }
    return ptr;
}

void *calloc(size_t n, size_t size) {
    if (size != 0 && n > (size_t)-1 / size) {
        return NULL;
    }
    void *ptr = malloc(n * size);
    if (ptr != NULL) {
        memset(ptr, 0, n * size);
    }
    return ptr;
}

void free(void *ptr) {
    if (ptr != NULL) {
        mpyld_heap_release(ptr);
        mp_fun_table.realloc_(ptr, 0, false);
    }
}

void *realloc(void *ptr, size_t n) {
    if (ptr == NULL) {
        return malloc(n);
    }
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    void *moved = mp_fun_table.realloc_(ptr, n, true);
    if (moved != NULL && moved != ptr) {
        mpyld_heap_t h;
        uintptr_t *slot = mpyld_heap_slot(&h, ptr);
        // A block that malloc did not return (m_malloc's) stays untracked.
        if (slot != NULL) {
            *slot = (uintptr_t)moved;
        }
    }
    return moved;
}
