// mpyld support layer: the C library's printing functions and the HAL's
// stdout, through MicroPython's own printer (mp_plat_print) and formatter
// (mp_vprintf), as the firmware's print() writes.
#include "mpyld_support.h"
#include "py/mphal.h"

int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list args);
int puts(const char *s);
int putchar(int c);
int sprintf(char *buf, const char *fmt, ...);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsprintf(char *buf, const char *fmt, va_list args);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);

int vprintf(const char *fmt, va_list args) {
    return mp_vprintf(&mp_plat_print, fmt, args);
}

int printf(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = mp_vprintf(&mp_plat_print, fmt, args);
    va_end(args);
    return n;
}

int puts(const char *s) {
    return mp_printf(&mp_plat_print, "%s\n", s);
}

int putchar(int c) {
    char ch = (char)c;
    mp_plat_print.print_strn(mp_plat_print.data, &ch, 1);
    return (unsigned char)ch;
}

// A printer into a caller's buffer: keeps the first size - 1 bytes and
// counts them all, as vsnprintf does.
typedef struct _mpyld_buf_print_t {
    char *buf;
    size_t size;
    size_t len;
} mpyld_buf_print_t;

static void mpyld_buf_print_strn(void *data, const char *str, size_t len) {
    mpyld_buf_print_t *b = data;
    for (size_t i = 0; i < len; ++i, ++b->len) {
        if (b->len + 1 < b->size) {
            b->buf[b->len] = str[i];
        }
    }
}

static int mpyld_vsnprint(char *buf, size_t size, const char *fmt, va_list args) {
    mpyld_buf_print_t b = { buf, size, 0 };
    mp_print_t print = { &b, mpyld_buf_print_strn };
    mp_vprintf(&print, fmt, args);
    if (size > 0) {
        buf[b.len < size ? b.len : size - 1] = '\0';
    }
    return (int)b.len;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args) {
    return mpyld_vsnprint(buf, size, fmt, args);
}

int vsprintf(char *buf, const char *fmt, va_list args) {
    // No bound: the caller's buffer is large enough, as vsprintf says.
    return mpyld_vsnprint(buf, (size_t)-1, fmt, args);
}

int snprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = mpyld_vsnprint(buf, size, fmt, args);
    va_end(args);
    return n;
}

int sprintf(char *buf, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = mpyld_vsnprint(buf, (size_t)-1, fmt, args);
    va_end(args);
    return n;
}

void mp_hal_stdout_tx_strn_cooked(const char *str, size_t len) {
    mp_plat_print.print_strn(mp_plat_print.data, str, len);
}

#if MPYLD_MP_BEFORE(1, 22)
void mp_hal_stdout_tx_strn(const char *str, size_t len) {
    mp_plat_print.print_strn(mp_plat_print.data, str, len);
}
#else
mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    mp_plat_print.print_strn(mp_plat_print.data, str, len);
    return len;
}
#endif

void mp_hal_stdout_tx_str(const char *str) {
    mp_printf(&mp_plat_print, "%s", str);
}
