// mpyld support layer: the stdio streams of picolibc (the C library of the
// Debian RISC-V and Xtensa compilers), whose putchar and putc are macros
// that call fputc on stdout. Both stdout and stderr print through
// mp_plat_print. Other C libraries call putchar itself (mpyld_print.c).
#include <stdio.h>

#include "mpyld_support.h"

#ifdef __PICOLIBC__

FILE *const stdout = NULL;
FILE *const stderr = NULL;

int fputc(int c, FILE *stream) {
    (void)stream;
    char ch = (char)c;
    mp_plat_print.print_strn(mp_plat_print.data, &ch, 1);
    return (unsigned char)ch;
}

int fputs(const char *s, FILE *stream) {
    (void)stream;
    return mp_printf(&mp_plat_print, "%s", s);
}

#endif
