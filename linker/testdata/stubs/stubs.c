// GCC calls memcpy and memset for struct copies and zeroing even though the
// source names neither, and memmove when asked. A native module has no C
// library: mpyld provides the three through mp_fun_table.
#include <stddef.h>

typedef struct {
    int v[40];
} big_t;

extern const struct { void *slots[100]; } mp_fun_table;

big_t state;
big_t saved;

void save(void) {
    saved = state; // memcpy
}

void reset(void) {
    big_t z = {0}; // memset
    state = z;
}

void shift(int n) {
    __builtin_memmove(&state.v[0], &state.v[1], n); // memmove
}

// A pointer to memcpy in constant data.
void *(*const copier)(void *, const void *, size_t) = __builtin_memcpy;

int mpy_init(void) {
    reset();
    save();
    shift(8);
    return (int)(size_t)mp_fun_table.slots[0] + (int)(size_t)copier;
}
