// The variable arguments of mpyld's esp32win firmware: clang-22's own, with
// one repair. Its Xtensa va_start points the register part of a va_list at
// the save slot of the first unnamed argument, while the index counts from
// the first named one, so va_arg read the argument that is as many slots
// further as the function has named ones. va_start here moves the pointer
// back by the index it starts with (4 bytes per named argument), the layout
// of the Xtensa ABI's va_list: stack pointer, register pointer, index.
// The other half of clang-22's defect, a prologue that overwrites the
// sixth argument register (a7) with the frame pointer before saving it, is
// avoided by -fomit-frame-pointer in the Makefile.
#ifndef MPYLD_STDARG_H
#define MPYLD_STDARG_H

typedef __builtin_va_list va_list;
typedef __builtin_va_list __gnuc_va_list;

struct mpyld_va_list {
    void *stk;
    char *reg;
    int ndx;
};

#define va_start(ap, last) \
    (__builtin_va_start(ap, last), \
     ((struct mpyld_va_list *)&(ap))->reg -= ((struct mpyld_va_list *)&(ap))->ndx)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#define va_copy(dst, src) __builtin_va_copy(dst, src)

#endif
