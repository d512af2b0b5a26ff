// This file implements the float functions that MicroPython's lib/libm
// leaves to the C library or to the compiler's built-ins, which clang-22
// calls for Xtensa instead of inlining: fabsf, copysignf, nanf, __finitef
// (picolibc's isfinite) and log2f.

#include <stdint.h>
#include <string.h>

float logf(float x);

static uint32_t bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof(u));
    return u;
}

static float from_bits(uint32_t u) {
    float x;
    memcpy(&x, &u, sizeof(x));
    return x;
}

float fabsf(float x) {
    return from_bits(bits(x) & 0x7fffffff);
}

float copysignf(float x, float y) {
    return from_bits((bits(x) & 0x7fffffff) | (bits(y) & 0x80000000));
}

float nanf(const char *tag) {
    (void)tag;
    return from_bits(0x7fc00000);
}

int __finitef(float x) {
    return (bits(x) & 0x7f800000) != 0x7f800000;
}

// log2(m * 2^e) = e + ln(m) / ln(2), m in [1, 2): exact for powers of two.
float log2f(float x) {
    uint32_t u = bits(x);
    int e = (int)((u >> 23) & 0xff);
    if (e == 0 || e == 0xff || (u >> 31)) {
        // Zero, subnormals, infinities, NaNs and negative numbers.
        return logf(x) * 1.44269504088896341f;
    }
    float m = from_bits((u & 0x007fffff) | 0x3f800000);
    return (float)(e - 127) + logf(m) * 1.44269504088896341f;
}
