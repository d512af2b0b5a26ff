// mpyld support layer: the C library's printing functions and the HAL's
// stdout, through MicroPython's own printer (mp_plat_print) and formatter
// (mp_vprintf), as the firmware's print() writes.
#include <string.h>

#include "mpyld_support.h"
#include "py/mphal.h"

#if defined(__GNUC__) && !defined(__clang__)
// GCC's switch tables on armv6m call libgcc's case helpers.
#pragma GCC optimize("no-jump-tables")
#endif

int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list args);
int puts(const char *s);
int putchar(int c);
int sprintf(char *buf, const char *fmt, ...);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsprintf(char *buf, const char *fmt, va_list args);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);

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

// The C formats, read here: mp_vprintf has no %i, %o, %n, no * width, no
// # flag and no h, z, j, t or ll sizes. Integers, characters and strings
// are formatted here with C's rules; floating point goes to mp_vprintf
// (the firmware's float formatting), one conversion at a time.

static void mpyld_out(const mp_print_t *print, const char *s, size_t n, int *total) {
    if (n > 0) {
        print->print_strn(print->data, s, n);
        *total += (int)n;
    }
}

static void mpyld_pad(const mp_print_t *print, char c, int n, int *total) {
    char pad[16];
    memset(pad, c, sizeof(pad));
    for (; n > 0; n -= (int)sizeof(pad)) {
        mpyld_out(print, pad, n < (int)sizeof(pad) ? (size_t)n : sizeof(pad), total);
    }
}

// mpyld_spec is one conversion's flags, width and precision (-1: none).
typedef struct _mpyld_spec_t {
    bool left, plus, space, zero, alt;
    int width;
    int prec;
} mpyld_spec_t;

// mpyld_field writes prefix, then zeros, then body, padded to the width.
static void mpyld_field(const mp_print_t *print, const mpyld_spec_t *sp, const char *prefix, int zeros, const char *body, int nbody, int *total) {
    int nprefix = (int)strlen(prefix);
    int len = nprefix + zeros + nbody;
    if (sp->zero && !sp->left && sp->prec < 0 && sp->width > len) {
        zeros += sp->width - len;
        len = sp->width;
    }
    if (!sp->left) {
        mpyld_pad(print, ' ', sp->width - len, total);
    }
    mpyld_out(print, prefix, nprefix, total);
    mpyld_pad(print, '0', zeros, total);
    mpyld_out(print, body, nbody, total);
    if (sp->left) {
        mpyld_pad(print, ' ', sp->width - len, total);
    }
}

// mpyld_digits writes the digits of v in base 8, 10 or 16 at the end of
// buf and returns how many. Decimal goes through the runtime (mp_vprintf,
// or its int for a 64-bit value on a 32-bit arch), so that the layer
// needs none of the compiler's division helpers.
static int mpyld_digits(char *buf, int size, unsigned long long v, unsigned base, bool upper) {
    int n = 0;
    if (base != 10) {
        const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        while (v != 0 && n < size) {
            buf[size - 1 - n++] = digits[v & (base - 1)];
            // Constant shifts: a variable 64-bit shift is a helper call on
            // 32-bit arches.
            if (base == 8) {
                v >>= 3;
            } else {
                v >>= 4;
            }
        }
        return n;
    }
    if (v == 0) {
        return 0;
    }
    char tmp[24];
    size_t len;
    const char *d = tmp;
    if (v <= (mp_uint_t)-1) {
        mpyld_buf_print_t b = { tmp, sizeof(tmp), 0 };
        mp_print_t p = { &b, mpyld_buf_print_strn };
        mp_printf(&p, sizeof(mp_uint_t) > sizeof(unsigned) ? "%lu" : "%u", (mp_uint_t)v);
        len = b.len;
    } else {
        mp_obj_t i = mp_obj_new_int_from_ull(v);
        d = mp_obj_str_get_data(mp_call_function_n_kw(mpyld_builtin(MP_QSTR_str), 1, 0, &i), &len);
    }
    for (size_t i = 0; i < len && n < size; ++i) {
        buf[size - len + i] = d[i];
        ++n;
    }
    return n;
}

static void mpyld_int(const mp_print_t *print, const mpyld_spec_t *sp, unsigned long long v, bool neg, char conv, int *total) {
    unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    char buf[24];
    int n = mpyld_digits(buf, sizeof(buf), v, base, conv == 'X');
    int zeros = sp->prec < 0 ? (n == 0 ? 1 : 0) : sp->prec - n;
    if (zeros < 0) {
        zeros = 0;
    }
    char prefix[3] = { 0, 0, 0 };
    if (neg || sp->plus || sp->space) {
        prefix[0] = neg ? '-' : sp->plus ? '+' : ' ';
    } else if (conv == 'p' || (sp->alt && base == 16 && n > 0)) {
        prefix[0] = '0';
        prefix[1] = conv == 'X' ? 'X' : 'x';
    } else if (sp->alt && base == 8 && zeros == 0) {
        zeros = 1;
    }
    mpyld_field(print, sp, prefix, zeros, buf + sizeof(buf) - n, n, total);
}

// mpyld_buf_spec writes "%<flags><width>.<precision><conv>" into sub.
static void mpyld_buf_spec(char *sub, const mpyld_spec_t *sp, char conv) {
    size_t n = 0;
    sub[n++] = '%';
    if (sp->left) {
        sub[n++] = '-';
    }
    if (sp->plus) {
        sub[n++] = '+';
    }
    if (sp->space) {
        sub[n++] = ' ';
    }
    if (sp->zero) {
        sub[n++] = '0';
    }
    char num[12];
    for (int k = 0; k < 2; ++k) {
        int v = k == 0 ? sp->width : sp->prec;
        if (k == 1) {
            if (v < 0) {
                break;
            }
            sub[n++] = '.';
        } else if (v == 0) {
            continue;
        }
        int m = mpyld_digits(num, sizeof(num), (unsigned)v, 10, false);
        if (m == 0) {
            sub[n++] = '0';
        }
        for (int i = 0; i < m; ++i) {
            sub[n++] = num[sizeof(num) - m + i];
        }
    }
    sub[n++] = conv;
    sub[n] = '\0';
}

static int mpyld_c_vprintf(const mp_print_t *print, const char *fmt, va_list args) {
    int total = 0;
    while (*fmt != '\0') {
        const char *lit = fmt;
        while (*fmt != '\0' && *fmt != '%') {
            ++fmt;
        }
        mpyld_out(print, lit, fmt - lit, &total);
        if (*fmt == '\0') {
            break;
        }
        const char *spec = fmt++;
        mpyld_spec_t sp = { false, false, false, false, false, 0, -1 };
        for (;; ++fmt) {
            if (*fmt == '-') {
                sp.left = true;
            } else if (*fmt == '+') {
                sp.plus = true;
            } else if (*fmt == ' ') {
                sp.space = true;
            } else if (*fmt == '0') {
                sp.zero = true;
            } else if (*fmt == '#') {
                sp.alt = true;
            } else {
                break;
            }
        }
        if (*fmt == '*') {
            ++fmt;
            sp.width = va_arg(args, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
        }
        for (; *fmt >= '0' && *fmt <= '9'; ++fmt) {
            sp.width = sp.width * 10 + (*fmt - '0');
        }
        if (*fmt == '.') {
            ++fmt;
            sp.prec = 0;
            if (*fmt == '*') {
                ++fmt;
                sp.prec = va_arg(args, int);
                if (sp.prec < 0) {
                    sp.prec = -1;
                }
            }
            for (; *fmt >= '0' && *fmt <= '9'; ++fmt) {
                sp.prec = sp.prec * 10 + (*fmt - '0');
            }
        }
        // The size of the argument: 'i' int, 'l' long, 'q' long long, 'z'
        // size_t, 'j' intmax_t, 't' ptrdiff_t, 'L' long double.
        char size = 'i';
        if (fmt[0] == 'l' && fmt[1] == 'l') {
            size = 'q';
            fmt += 2;
        } else if (fmt[0] == 'h' && fmt[1] == 'h') {
            fmt += 2;
        } else if (*fmt == 'h') {
            ++fmt;
        } else if (*fmt == 'l' || *fmt == 'q' || *fmt == 'z' || *fmt == 'j' || *fmt == 't' || *fmt == 'L') {
            size = *fmt++;
        }
        char conv = *fmt;
        if (conv == '\0') {
            mpyld_out(print, spec, fmt - spec, &total);
            break;
        }
        ++fmt;
        if (conv == 'd' || conv == 'i') {
            long long v = size == 'q' || size == 'j' ? va_arg(args, long long)
                : size == 'l' ? va_arg(args, long)
                : size == 'z' || size == 't' ? (long long)va_arg(args, ptrdiff_t)
                : va_arg(args, int);
            mpyld_int(print, &sp, v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v, v < 0, conv, &total);
        } else if (conv == 'u' || conv == 'x' || conv == 'X' || conv == 'o') {
            unsigned long long v = size == 'q' || size == 'j' ? va_arg(args, unsigned long long)
                : size == 'l' ? va_arg(args, unsigned long)
                : size == 'z' || size == 't' ? va_arg(args, size_t)
                : va_arg(args, unsigned int);
            sp.plus = sp.space = false;
            mpyld_int(print, &sp, v, false, conv, &total);
        } else if (conv == 'p') {
            uintptr_t v = (uintptr_t)va_arg(args, void *);
            sp.plus = sp.space = false;
            mpyld_int(print, &sp, v, false, 'p', &total);
        } else if (conv == 'c') {
            char c = (char)va_arg(args, int);
            sp.prec = -1;
            mpyld_field(print, &sp, "", 0, &c, 1, &total);
        } else if (conv == 's') {
            const char *str = va_arg(args, const char *);
            if (str == NULL) {
                str = "(null)";
            }
            int n = 0;
            while ((sp.prec < 0 || n < sp.prec) && str[n] != '\0') {
                ++n;
            }
            sp.zero = false;
            sp.prec = -1;
            mpyld_field(print, &sp, "", 0, str, n, &total);
        } else if (conv == 'n') {
            int *count = va_arg(args, int *);
            *count = total;
        } else if (strchr("fFeEgGaA", conv) != NULL) {
            if (size == 'L' || conv == 'a' || conv == 'A') {
                // No long double (its conversion to double is a helper
                // call on some arches) and no hexadecimal floats: the
                // argument is skipped and the conversion printed as written.
                if (size == 'L') {
                    long double skipped = va_arg(args, long double);
                    (void)skipped;
                } else {
                    (void)va_arg(args, double);
                }
                mpyld_out(print, spec, fmt - spec, &total);
                continue;
            }
            double v = va_arg(args, double);
            // One conversion to mp_vprintf, whose float formatting reads
            // the flags, the width and the precision written out.
            char sub[32];
            mpyld_buf_spec(sub, &sp, conv);
            total += mp_printf(print, sub, v);
        } else {
            // '%' and what C does not define: as written.
            mpyld_out(print, conv == '%' ? "%" : spec, conv == '%' ? 1 : (size_t)(fmt - spec), &total);
        }
    }
    return total;
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
