// mpyld support layer: the C library's printing functions and the HAL's
// stdout, through MicroPython's own printer (mp_plat_print) and formatter
// (mp_vprintf), as the firmware's print() writes.
#include <string.h>

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

// mp_vprintf reads %d, %u, %x with an int, or a long after l where long is
// wider than int; it has no %i and no h, z, j, t or ll. mpyld_c_vprintf
// rewrites a C format into the one mp_vprintf reads the same arguments
// with: %i is %d, h and hh go (the argument is an int), z, j, t, l and ll
// become l or nothing by the size of their type. What mp_vprintf cannot
// read (a 64-bit ll or j argument on a 32-bit arch, %o, %#x, %n) is left
// as written. A format longer than 255 bytes is passed as it is.
static int mpyld_c_vprintf(const mp_print_t *print, const char *fmt, va_list args) {
    char buf[256];
    size_t n = 0;
    bool changed = false;
    const char *f = fmt;
    while (*f != '\0' && n + 4 < sizeof(buf)) {
        if (*f != '%') {
            buf[n++] = *f++;
            continue;
        }
        buf[n++] = *f++;
        while (*f != '\0' && n + 4 < sizeof(buf) && (strchr("-+ 0#*.", *f) != NULL || (*f >= '0' && *f <= '9'))) {
            buf[n++] = *f++;
        }
        const char *mods = f;
        while (f - mods < 2 && (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' || *f == 't' || *f == 'q')) {
            ++f;
        }
        size_t nmods = f - mods;
        size_t size = sizeof(int);
        if (nmods == 0 || mods[0] == 'h') {
            size = sizeof(int);
        } else if (mods[0] == 'z' || mods[0] == 't') {
            size = sizeof(size_t);
        } else if (mods[0] == 'j' || mods[0] == 'q' || nmods == 2) {
            size = sizeof(long long);
        } else {
            size = sizeof(long);
        }
        if (size == sizeof(int)) {
            // Nothing: mp_vprintf reads an int.
        } else if (size == sizeof(long)) {
            buf[n++] = 'l';
        } else {
            // Wider than mp_vprintf reads: left as written.
            for (size_t i = 0; i < nmods; ++i) {
                buf[n++] = mods[i];
            }
        }
        if (*f == 'i') {
            buf[n++] = 'd';
            ++f;
            changed = true;
        } else if (*f != '\0') {
            buf[n++] = *f++;
        }
        changed |= nmods != 0;
    }
    if (!changed || *f != '\0') {
        return mp_vprintf(print, fmt, args);
    }
    buf[n] = '\0';
    return mp_vprintf(print, buf, args);
}

int vprintf(const char *fmt, va_list args) {
    return mpyld_c_vprintf(&mp_plat_print, fmt, args);
}

int printf(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = mpyld_c_vprintf(&mp_plat_print, fmt, args);
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
    mpyld_c_vprintf(&print, fmt, args);
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
