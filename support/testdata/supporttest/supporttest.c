// A native module that calls the support layer as a firmware module would
// call the runtime; run.py drives it and run.exp is what it must print.
#define MPYLD_SUPPORT_TYPE_MACROS 1
#include "mpyld_support.h"
#include "py/runtime.h"
#include "py/mphal.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

// printf and friends, with the formats that C and mp_printf share; size is
// 8, given at run time so that GCC does not check the truncation itself.
static mp_obj_t st_print(mp_obj_t size_in) {
    size_t size = mp_obj_get_int(size_in);
    printf("int %d|%5d|%-5d|%05d|%x|%X|%u\n", -42, 42, 42, 42, 255, 255, 7u);
    printf("str %s|%.3s|%6s|%-6s|\n", "hello", "abcdef", "ab", "ab");
    printf("char %c%c %%\n", 'o', 'k');
    printf("star %*d|%-*d|%.*s|%+d|% d|%lu%%\n", 4, 7, 3, 8, 2, "xyz", 5, 6, (unsigned long)9);
    printf("long %ld %lu\n", -123456L, 123456UL);
    printf("more %o|%#x|%#o|%lld|%llu|%jd|%5.3d|%-6.2x|%+.0d|%.0d|%#X|%x\n", 8u, 255u, 8u, -9000000000LL, 18446744073709551615ULL, (intmax_t)-1, 7, 10u, 0, 0, 0xbeefu, 0u);
    printf("pad [%8.3s] [%-4c] [%4c] [%-+5d] [% 05d] [%05u]\n", "abcdef", 'a', 'b', 3, 42, 7u);
    printf("c99 %i|%5i|%-4zu|%zd|%hd|%hhu|%td|%lx\n", -7, 42, (size_t)12, (ptrdiff_t)-3, (short)-5, (unsigned char)200, (ptrdiff_t)9, 0xabcdL);
    printf("%s\n", "via puts");
    printf("x");
    putchar('y');
    putchar('\n');
    puts("puts");
    char buf[8];
    int n = snprintf(buf, size, "%d-%s", 12345, "abcdef");
    printf("snprintf %d [%s]\n", n, buf);
    n = snprintf(buf, 0, "%d", 99);
    printf("snprintf0 %d\n", n);
    char big[32];
    n = sprintf(big, "%s=%d", "key", 7);
    printf("sprintf %d [%s] %d\n", n, big, (int)strlen(big));
    sprintf(big, "%s", "copied");
    printf("strcpy [%s] cmp %d %d %d\n", big, strcmp(big, "copied") == 0, strcmp("a", "b") < 0, strncmp("abcx", "abcy", 3) == 0);
    printf("strchr [%s] memcmp %d\n", strchr("find=me", '='), memcmp("ab", "ac", 2) < 0);
    mp_hal_stdout_tx_str("tx_str\n");
    mp_hal_stdout_tx_strn("tx_strn\nXX", 8);
    mp_printf(&mp_plat_print, "qstr %q\n", (qstr)MP_QSTR_supporttest);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_print_obj, st_print);

// malloc, calloc, realloc and free: blocks of several sizes, a pattern in
// each, checked after gc.collect() and a realloc that moves them.
static mp_obj_t st_malloc(mp_obj_t n_in) {
    int n = mp_obj_get_int(n_in);
    unsigned char **blocks = calloc(n, sizeof(unsigned char *));
    if (blocks == NULL) {
        mp_raise_msg(&mp_type_MemoryError, "calloc");
    }
    for (int i = 0; i < n; ++i) {
        if (blocks[i] != NULL) {
            mp_raise_msg(&mp_type_RuntimeError, "calloc not zeroed");
        }
        blocks[i] = malloc(16 + 8 * i);
        memset(blocks[i], i, 16 + 8 * i);
    }
    mp_call_function_0(mp_load_attr(mp_import_name(MP_QSTR_gc, mp_const_none, MP_OBJ_NEW_SMALL_INT(0)), MP_QSTR_collect));
    int bad = 0;
    for (int i = 0; i < n; ++i) {
        blocks[i] = realloc(blocks[i], 1000 + 8 * i);
        for (int j = 0; j < 16 + 8 * i; ++j) {
            bad += blocks[i][j] != (unsigned char)i;
        }
    }
    for (int i = 0; i < n; ++i) {
        free(blocks[i]);
    }
    free(blocks);
    free(NULL);
    return mp_obj_new_int(bad);
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_malloc_obj, st_malloc);

// st_alloc returns a malloc'd block as an int, which the GC does not see;
// st_check reads it back after Python has made garbage and collected it.
static mp_obj_t st_alloc(mp_obj_t n_in) {
    size_t n = mp_obj_get_int(n_in);
    unsigned char *p = malloc(n);
    for (size_t i = 0; i < n; ++i) {
        p[i] = (unsigned char)(i * 7 + 3);
    }
    return mp_obj_new_int_from_uint((uintptr_t)p >> 1);
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_alloc_obj, st_alloc);

static mp_obj_t st_check(mp_obj_t p_in, mp_obj_t n_in) {
    unsigned char *p = (unsigned char *)((uintptr_t)mp_obj_get_int_truncated(p_in) << 1);
    size_t n = mp_obj_get_int(n_in);
    int bad = 0;
    for (size_t i = 0; i < n; ++i) {
        bad += p[i] != (unsigned char)(i * 7 + 3);
    }
    free(p);
    return mp_obj_new_int(bad);
}
static MP_DEFINE_CONST_FUN_OBJ_2(st_check_obj, st_check);

// qstrs: names the runtime has, the module's own, and one made at run time.
static mp_obj_t st_qstr(void) {
    printf("%s %d %s %d\n", qstr_str(MP_QSTR_len), (int)qstr_len(MP_QSTR_len), qstr_str(MP_QSTR_supporttest_own), (int)qstr_len(MP_QSTR_supporttest_own));
    size_t len;
    const byte *d = qstr_data(MP_QSTR_append, &len);
    printf("%.*s %d\n", (int)len, d, MP_OBJ_QSTR_VALUE(MP_OBJ_NEW_QSTR(MP_QSTR_append)) == MP_QSTR_append);
    qstr q = qstr_from_str("made_at_run_time");
    printf("%s %d\n", qstr_str(q), qstr_from_strn("made_at_run_timeXX", 16) == q);
    mp_obj_t s = mpyld_obj_new_qstr(q);
    printf("%s %d\n", (const char *)mp_obj_str_get_str(s), MP_OBJ_QSTR_VALUE(s) == q);
    printf("%s %s %s\n", mp_obj_get_type_str(mp_obj_new_int(1)), mp_obj_get_type_str(s), mp_obj_get_type_str(mp_const_none));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(st_qstr_obj, st_qstr);

// ticks and delays: a delay of 30 ms is 30 ms of ticks_ms (the unix port
// counts whole milliseconds, so at least 29 ms of ticks_us); run.py checks the
// values as time.ticks_* values.
static mp_obj_t st_ticks(void) {
    mp_uint_t ms0 = mp_hal_ticks_ms();
    mp_uint_t us0 = mp_hal_ticks_us();
    mp_uint_t cpu0 = mp_hal_ticks_cpu();
    mp_hal_delay_ms(30);
    mp_uint_t ms1 = mp_hal_ticks_ms();
    mp_uint_t us1 = mp_hal_ticks_us();
    mp_hal_delay_us(2000);
    mp_uint_t us2 = mp_hal_ticks_us();
    mp_uint_t cpu1 = mp_hal_ticks_cpu();
    printf("ticks %d %d %d\n", ms1 - ms0 >= 30 && ms1 - ms0 < 1000, us1 - us0 >= 29000, us2 - us1 >= 2000);
    mp_obj_t items[4] = { mp_obj_new_int_from_uint(ms0), mp_obj_new_int_from_uint(ms1), mp_obj_new_int_from_uint(cpu0), mp_obj_new_int_from_uint(cpu1) };
    return mp_obj_new_tuple(4, items);
}
static MP_DEFINE_CONST_FUN_OBJ_0(st_ticks_obj, st_ticks);

// Raises the exception that run.py asks for (an if chain: a switch needs
// libgcc's case helpers on armv6m).
static mp_obj_t st_raise(mp_obj_t which_in) {
    int which = mp_obj_get_int(which_in);
    if (which == 0) {
        mp_raise_msg_varg(&mp_type_OSError, "bad %d %s %q", 5, "x", (qstr)MP_QSTR_len);
    } else if (which == 1) {
        mp_raise_type(&mp_type_KeyError);
    } else if (which == 2) {
        mp_raise_msg(&mp_type_AttributeError, "no attr");
    } else if (which == 3) {
        nlr_raise(mp_obj_new_exception_msg(&mp_type_ZeroDivisionError, "zero"));
    } else if (which == 4) {
        mp_raise_StopIteration(mp_obj_new_int(9));
    } else if (which == 5) {
        mp_obj_t items[3] = { mp_obj_new_int(1), mp_obj_new_int(2), mp_obj_new_int(3) };
        mp_obj_t *got;
        mp_obj_get_array_fixed_n(mp_obj_new_tuple(3, items), 2, &got);
    } else if (which == 6) {
        nlr_raise(mp_obj_new_exception_msg_varg(&mp_type_MemoryError, "%u bytes", 12u));
    } else {
        mp_raise_msg(&mp_type_Exception, "plain");
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_raise_obj, st_raise);

// Sums an iterable with a stack iterator buffer and without one.
static mp_obj_t st_iter(mp_obj_t o) {
    mp_obj_iter_buf_t buf;
    mp_obj_t it = mp_getiter(o, &buf);
    mp_obj_t item;
    mp_int_t sum = 0;
    while ((item = mp_iternext(it)) != MP_OBJ_STOP_ITERATION) {
        sum += mp_obj_get_int(item);
    }
    it = mp_getiter(o, NULL);
    mp_int_t sum2 = 0;
    while ((item = mp_iternext(it)) != MP_OBJ_STOP_ITERATION) {
        sum2 += mp_obj_get_int(item);
    }
    mp_obj_t items[2] = { mp_obj_new_int(sum), mp_obj_new_int(sum2) };
    return mp_obj_new_tuple(2, items);
}
static MP_DEFINE_CONST_FUN_OBJ_1(st_iter_obj, st_iter);

// Objects printed and compared, and calls.
static mp_obj_t st_obj(mp_obj_t o, mp_obj_t f) {
    mp_obj_print_helper(&mp_plat_print, o, PRINT_REPR);
    mp_printf(&mp_plat_print, " ");
    mp_obj_print(o, PRINT_STR);
    mp_printf(&mp_plat_print, " %d %d\n", mp_obj_equal(o, o), mp_obj_equal(o, mp_const_none));
    mp_obj_t r = mp_call_function_2(f, mp_call_function_1(f, mp_obj_new_int(1)), mp_call_function_0(f));
    mp_obj_t dest[3];
    mp_load_method(o, MP_QSTR_count, dest);
    dest[2] = mp_obj_new_int(2);
    mp_obj_t items[2] = { r, mp_call_method_n_kw(1, 0, dest) };
    return mp_obj_new_tuple(2, items);
}
static MP_DEFINE_CONST_FUN_OBJ_2(st_obj_obj, st_obj);

// Keyword arguments: st.args(a, b=2, *, flag=False) returns (a, b, flag),
// parsed from the map and, again, from an array made of it.
static mp_obj_t st_args(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    const mp_arg_t allowed[] = {
        { MP_QSTR_a, MP_ARG_REQUIRED | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_b, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_flag, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
    };
    mp_arg_val_t vals[3];
    mp_arg_parse_all(n_args, pos_args, kw_args, 3, allowed, vals);
    mp_obj_t arr[8];
    size_t n_kw = 0;
    for (size_t i = 0; i < n_args && i < 2; ++i) {
        arr[i] = pos_args[i];
    }
    for (size_t i = 0; i < kw_args->alloc && n_args + 2 * n_kw < 8; ++i) {
        if (mp_map_slot_is_filled(kw_args, i)) {
            arr[n_args + 2 * n_kw] = kw_args->table[i].key;
            arr[n_args + 2 * n_kw + 1] = kw_args->table[i].value;
            ++n_kw;
        }
    }
    mp_arg_val_t vals2[3];
    mp_arg_parse_all_kw_array(n_args, n_kw, arr, 3, allowed, vals2);
    mp_obj_t items[4] = { mp_obj_new_int(vals[0].u_int), vals[1].u_obj, mp_obj_new_bool(vals[2].u_bool),
                          mp_obj_new_bool(vals2[0].u_int == vals[0].u_int && vals2[1].u_obj == vals[1].u_obj && vals2[2].u_bool == vals[2].u_bool) };
    return mp_obj_new_tuple(4, items);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(st_args_obj, 0, st_args);

// More objects: st.more(pin, f) returns what firmware modules build with
// mp_obj_new_bytearray, the 64-bit ints, mp_obj_is_callable,
// mp_obj_str_get_qstr, mp_obj_is_float (None without floats) and a
// virtual pin written and read.
static mp_obj_t st_more(mp_obj_t pin, mp_obj_t f) {
    mp_hal_pin_write(pin, 1);
    int level = mp_hal_pin_read(pin);
    qstr q = mp_obj_str_get_qstr(mp_obj_new_str("dyn_q_name", 10));
    mp_obj_t is_float = mp_const_none;
    #if MICROPY_PY_BUILTINS_FLOAT
    is_float = mp_obj_new_bool(mp_obj_is_float(mp_obj_new_float(1.5)) && !mp_obj_is_float(mp_obj_new_int(1)));
    #endif
    mp_obj_t items[9] = {
        mp_obj_new_bytearray(3, "abc"),
        mp_obj_new_int_from_ll(-9223372036854775807LL - 1),
        mp_obj_new_int_from_ull(18446744073709551615ULL),
        mp_obj_new_int_from_ll(-5),
        mp_obj_new_bool(mp_obj_is_callable(f) && !mp_obj_is_callable(mp_obj_new_int(1))),
        mp_obj_new_str(qstr_str(q), qstr_len(q)),
        mp_obj_new_bool(MP_OBJ_QSTR_VALUE(mpyld_obj_new_qstr(q)) == q),
        is_float,
        mp_obj_new_int(level),
    };
    return mp_obj_new_tuple(9, items);
}
static MP_DEFINE_CONST_FUN_OBJ_2(st_more_obj, st_more);

// Floating point through snprintf, or None where the module has no floats.
static mp_obj_t st_float(void) {
    #if MICROPY_PY_BUILTINS_FLOAT
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%.2f|%6.1f|%-7.3f|%e|%+.1f", 3.14159, 2.5, 1.0, 1000.0, 0.26);
    return mp_obj_new_str(buf, n);
    #else
    return mp_const_none;
    #endif
}
static MP_DEFINE_CONST_FUN_OBJ_0(st_float_obj, st_float);

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    mp_store_global(MP_QSTR_print, MP_OBJ_FROM_PTR(&st_print_obj));
    mp_store_global(MP_QSTR_malloc, MP_OBJ_FROM_PTR(&st_malloc_obj));
    mp_store_global(MP_QSTR_alloc, MP_OBJ_FROM_PTR(&st_alloc_obj));
    mp_store_global(MP_QSTR_check, MP_OBJ_FROM_PTR(&st_check_obj));
    mp_store_global(MP_QSTR_qstr, MP_OBJ_FROM_PTR(&st_qstr_obj));
    mp_store_global(MP_QSTR_ticks, MP_OBJ_FROM_PTR(&st_ticks_obj));
    mp_store_global(MP_QSTR_raise_, MP_OBJ_FROM_PTR(&st_raise_obj));
    mp_store_global(MP_QSTR_iter, MP_OBJ_FROM_PTR(&st_iter_obj));
    mp_store_global(MP_QSTR_obj, MP_OBJ_FROM_PTR(&st_obj_obj));
    mp_store_global(MP_QSTR_args, MP_OBJ_FROM_PTR(&st_args_obj));
    mp_store_global(MP_QSTR_more, MP_OBJ_FROM_PTR(&st_more_obj));
    mp_store_global(MP_QSTR_float_, MP_OBJ_FROM_PTR(&st_float_obj));
    MP_DYNRUNTIME_INIT_EXIT
}
