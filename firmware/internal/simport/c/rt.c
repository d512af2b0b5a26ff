// This file implements the arithmetic helpers that the ESP8266 keeps in its
// ROM and that Debian's lx106 libgcc.a therefore lacks: 32- and 64-bit
// division, 64-bit multiplication, and IEEE 754 single and double addition,
// subtraction, multiplication, division (double) and conversions, rounding
// to nearest, ties to even. The firmware's own code calls them, and natmod
// modules linked against the ROM's symbol file reach them through the stubs
// at the ROM's addresses (romstubs.S). The esp32win firmware, which has no
// libgcc for the windowed ABI, builds it with clang-22 for its double
// precision and for the files it builds without the FPU.
//
// Nothing here may use 64-bit multiplication or division, or floating point:
// those compile to calls of the functions defined here. Built for the host
// with -DRT_HOST_TEST, the names get an rt_ prefix so a test can compare
// them with the host's hardware.

#include <stdint.h>

#ifdef RT_HOST_TEST
#define RT(name) rt_##name
#else
#define RT(name) __##name
#endif

typedef union {
    float f;
    uint32_t u;
} f32_t;

typedef union {
    double f;
    uint64_t u;
} f64_t;

/******************************************************************************/
// Integers.

static int clz32(uint32_t a) {
    int n = 0;
    if (a == 0) {
        return 32;
    }
    while (!(a & 0x80000000u)) {
        a <<= 1;
        n++;
    }
    return n;
}

static int clz64(uint64_t a) {
    uint32_t hi = a >> 32;
    return hi ? clz32(hi) : 32 + clz32((uint32_t)a);
}

// 32 x 32 -> 64 bits from 16-bit halves, with 32-bit multiplications only.
static uint64_t mul32x32(uint32_t a, uint32_t b) {
    uint32_t al = a & 0xffff, ah = a >> 16;
    uint32_t bl = b & 0xffff, bh = b >> 16;
    uint32_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint32_t mid = (ll >> 16) + (lh & 0xffff) + (hl & 0xffff);
    uint32_t lo = (ll & 0xffff) | (mid << 16);
    uint32_t hi = hh + (lh >> 16) + (hl >> 16) + (mid >> 16);
    return ((uint64_t)hi << 32) | lo;
}

// a * b as 128 bits: hi and lo.
static void mul64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
    uint32_t a0 = (uint32_t)a, a1 = a >> 32;
    uint32_t b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = mul32x32(a0, b0);
    uint64_t p01 = mul32x32(a0, b1);
    uint64_t p10 = mul32x32(a1, b0);
    uint64_t p11 = mul32x32(a1, b1);
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *lo = (mid << 32) | (uint32_t)p00;
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

static uint32_t udivmod32(uint32_t n, uint32_t d, uint32_t *rem) {
    uint32_t q = 0, r = 0;
    if (d == 0) {
        // Undefined in C; the ESP8266 ROM returns garbage too.
        *rem = n;
        return 0xffffffffu;
    }
    for (int i = 31; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1u << i;
        }
    }
    *rem = r;
    return q;
}

static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem) {
    uint64_t q = 0, r = 0;
    if (d == 0) {
        *rem = n;
        return ~(uint64_t)0;
    }
    if ((n >> 32) == 0 && (d >> 32) == 0) {
        uint32_t r32;
        q = udivmod32((uint32_t)n, (uint32_t)d, &r32);
        *rem = r32;
        return q;
    }
    int start = 63 - clz64(n);
    for (int i = start; i >= 0; i--) {
        int top = (r >> 63) != 0;
        r = (r << 1) | ((n >> i) & 1);
        if (top || r >= d) {
            r -= d;
            q |= (uint64_t)1 << i;
        }
    }
    *rem = r;
    return q;
}

uint32_t RT(udivsi3)(uint32_t n, uint32_t d) {
    uint32_t r;
    return udivmod32(n, d, &r);
}

uint32_t RT(umodsi3)(uint32_t n, uint32_t d) {
    uint32_t r;
    udivmod32(n, d, &r);
    return r;
}

int32_t RT(divsi3)(int32_t n, int32_t d) {
    uint32_t un = n < 0 ? -(uint32_t)n : (uint32_t)n;
    uint32_t ud = d < 0 ? -(uint32_t)d : (uint32_t)d;
    uint32_t r;
    uint32_t q = udivmod32(un, ud, &r);
    return (n < 0) != (d < 0) ? -(int32_t)q : (int32_t)q;
}

uint64_t RT(udivdi3)(uint64_t n, uint64_t d) {
    uint64_t r;
    return udivmod64(n, d, &r);
}

uint64_t RT(umoddi3)(uint64_t n, uint64_t d) {
    uint64_t r;
    udivmod64(n, d, &r);
    return r;
}

int64_t RT(divdi3)(int64_t n, int64_t d) {
    uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
    uint64_t r;
    uint64_t q = udivmod64(un, ud, &r);
    return (n < 0) != (d < 0) ? -(int64_t)q : (int64_t)q;
}

uint64_t RT(muldi3)(uint64_t a, uint64_t b) {
    uint64_t lo = mul32x32((uint32_t)a, (uint32_t)b);
    uint32_t cross = (uint32_t)a * (uint32_t)(b >> 32) + (uint32_t)(a >> 32) * (uint32_t)b;
    return lo + ((uint64_t)cross << 32);
}

uint64_t RT(umulsidi3)(uint32_t a, uint32_t b) {
    return mul32x32(a, b);
}

/******************************************************************************/
// Single precision. A working significand has its leading bit at bit 30 and
// seven bits below the final ones; its exponent is the biased one minus 1,
// so packing adds the leading bit into the exponent field.

#define F32_NAN (0x7fc00000u)

static uint32_t jam32(uint32_t a, int dist) {
    if (dist <= 0) {
        return a;
    }
    if (dist >= 31) {
        return a != 0;
    }
    return (a >> dist) | ((a << (32 - dist)) != 0);
}

static uint64_t jam64(uint64_t a, int dist) {
    if (dist <= 0) {
        return a;
    }
    if (dist >= 63) {
        return a != 0;
    }
    return (a >> dist) | ((a << (64 - dist)) != 0);
}

static uint32_t f32_pack(uint32_t sign, int exp, uint32_t sig) {
    return (sign << 31) + ((uint32_t)exp << 23) + sig;
}

static uint32_t f32_round_pack(uint32_t sign, int exp, uint32_t sig) {
    uint32_t round_bits = sig & 0x7f;
    if ((unsigned)exp >= 0xfd) {
        if (exp < 0) {
            sig = jam32(sig, -exp);
            exp = 0;
            round_bits = sig & 0x7f;
        } else if (exp > 0xfd || sig + 0x40 >= 0x80000000u) {
            return f32_pack(sign, 0xff, 0);
        }
    }
    sig = (sig + 0x40) >> 7;
    if (round_bits == 0x40) {
        sig &= ~1u; // a tie: to even
    }
    if (sig == 0) {
        exp = 0;
    }
    return f32_pack(sign, exp, sig);
}

static uint32_t f32_norm_round_pack(uint32_t sign, int exp, uint32_t sig) {
    int shift = clz32(sig) - 1;
    exp -= shift;
    if (shift >= 7 && (unsigned)exp < 0xfd) {
        return f32_pack(sign, sig ? exp : 0, sig << (shift - 7));
    }
    return f32_round_pack(sign, exp, sig << shift);
}

static uint32_t f32_nan(uint32_t a, uint32_t b) {
    if ((a & 0x7fffffff) > 0x7f800000) {
        return a | 0x00400000;
    }
    if ((b & 0x7fffffff) > 0x7f800000) {
        return b | 0x00400000;
    }
    return F32_NAN;
}

static uint32_t f32_add_mags(uint32_t a, uint32_t b, uint32_t sign) {
    int exp_a = (a >> 23) & 0xff, exp_b = (b >> 23) & 0xff;
    uint32_t sig_a = a & 0x007fffff, sig_b = b & 0x007fffff;
    int diff = exp_a - exp_b;
    int exp;
    uint32_t sig;
    if (diff == 0) {
        if (exp_a == 0) {
            return (sign << 31) + sig_a + sig_b; // subnormals, carry is exact
        }
        if (exp_a == 0xff) {
            return (sig_a | sig_b) ? f32_nan(a, b) : a;
        }
        exp = exp_a;
        sig = 0x01000000 + sig_a + sig_b;
        if (!(sig & 1) && exp < 0xfe) {
            return f32_pack(sign, exp, sig >> 1);
        }
        sig <<= 6;
    } else {
        sig_a <<= 6;
        sig_b <<= 6;
        if (diff < 0) {
            if (exp_b == 0xff) {
                return sig_b ? f32_nan(a, b) : f32_pack(sign, 0xff, 0);
            }
            exp = exp_b;
            sig_a += exp_a ? 0x20000000 : sig_a;
            sig_a = jam32(sig_a, -diff);
        } else {
            if (exp_a == 0xff) {
                return sig_a ? f32_nan(a, b) : a;
            }
            exp = exp_a;
            sig_b += exp_b ? 0x20000000 : sig_b;
            sig_b = jam32(sig_b, diff);
        }
        sig = 0x20000000 + sig_a + sig_b;
        if (sig < 0x40000000) {
            exp--;
            sig <<= 1;
        }
    }
    return f32_round_pack(sign, exp, sig);
}

static uint32_t f32_sub_mags(uint32_t a, uint32_t b, uint32_t sign) {
    int exp_a = (a >> 23) & 0xff, exp_b = (b >> 23) & 0xff;
    uint32_t sig_a = a & 0x007fffff, sig_b = b & 0x007fffff;
    int diff = exp_a - exp_b;
    if (diff == 0) {
        if (exp_a == 0xff) {
            return (sig_a | sig_b) ? f32_nan(a, b) : F32_NAN;
        }
        int32_t sig_diff = (int32_t)sig_a - (int32_t)sig_b;
        if (sig_diff == 0) {
            return 0;
        }
        if (exp_a) {
            exp_a--;
        }
        if (sig_diff < 0) {
            sign ^= 1;
            sig_diff = -sig_diff;
        }
        int shift = clz32(sig_diff) - 8;
        int exp = exp_a - shift;
        if (exp < 0) {
            shift = exp_a;
            exp = 0;
        }
        return f32_pack(sign, exp, (uint32_t)sig_diff << shift);
    }
    int exp;
    uint32_t sig_x, sig_y;
    sig_a <<= 7;
    sig_b <<= 7;
    if (diff < 0) {
        sign ^= 1;
        if (exp_b == 0xff) {
            return sig_b ? f32_nan(a, b) : f32_pack(sign, 0xff, 0);
        }
        exp = exp_b - 1;
        sig_x = sig_b | 0x40000000;
        sig_y = sig_a + (exp_a ? 0x40000000 : sig_a);
        diff = -diff;
    } else {
        if (exp_a == 0xff) {
            return sig_a ? f32_nan(a, b) : a;
        }
        exp = exp_a - 1;
        sig_x = sig_a | 0x40000000;
        sig_y = sig_b + (exp_b ? 0x40000000 : sig_b);
    }
    return f32_norm_round_pack(sign, exp, sig_x - jam32(sig_y, diff));
}

static uint32_t f32_add(uint32_t a, uint32_t b) {
    uint32_t sign_a = a >> 31, sign_b = b >> 31;
    return sign_a == sign_b ? f32_add_mags(a, b, sign_a) : f32_sub_mags(a, b, sign_a);
}

float RT(addsf3)(float a, float b) {
    f32_t x = {a}, y = {b}, z;
    z.u = f32_add(x.u, y.u);
    return z.f;
}

float RT(subsf3)(float a, float b) {
    f32_t x = {a}, y = {b}, z;
    z.u = f32_add(x.u, y.u ^ 0x80000000u);
    return z.f;
}

// Makes a subnormal significand normal: returns the exponent to use.
static int f32_normalize(uint32_t *sig) {
    int shift = clz32(*sig) - 8;
    *sig <<= shift;
    return 1 - shift;
}

float RT(mulsf3)(float a, float b) {
    f32_t x = {a}, y = {b}, z;
    uint32_t sign = (x.u ^ y.u) >> 31;
    int exp_a = (x.u >> 23) & 0xff, exp_b = (y.u >> 23) & 0xff;
    uint32_t sig_a = x.u & 0x007fffff, sig_b = y.u & 0x007fffff;
    if (exp_a == 0xff || exp_b == 0xff) {
        if ((exp_a == 0xff && sig_a) || (exp_b == 0xff && sig_b)) {
            z.u = f32_nan(x.u, y.u);
        } else if ((exp_a == 0 && sig_a == 0) || (exp_b == 0 && sig_b == 0)) {
            z.u = F32_NAN; // infinity times zero
        } else {
            z.u = f32_pack(sign, 0xff, 0);
        }
        return z.f;
    }
    if (exp_a == 0) {
        if (sig_a == 0) {
            z.u = sign << 31;
            return z.f;
        }
        exp_a = f32_normalize(&sig_a);
    }
    if (exp_b == 0) {
        if (sig_b == 0) {
            z.u = sign << 31;
            return z.f;
        }
        exp_b = f32_normalize(&sig_b);
    }
    int exp = exp_a + exp_b - 0x7f;
    sig_a = (sig_a | 0x00800000) << 7;
    sig_b = (sig_b | 0x00800000) << 8;
    uint32_t sig = (uint32_t)jam64(mul32x32(sig_a, sig_b), 32);
    if (sig < 0x40000000) {
        exp--;
        sig <<= 1;
    }
    z.u = f32_round_pack(sign, exp, sig);
    return z.f;
}

float RT(floatsisf)(int32_t a) {
    f32_t z;
    uint32_t sign = a < 0;
    uint32_t abs = sign ? -(uint32_t)a : (uint32_t)a;
    if ((abs & 0x7fffffff) == 0) {
        z.u = sign ? 0xcf000000u : 0; // zero, or -2**31
        return z.f;
    }
    z.u = f32_norm_round_pack(sign, 0x9c, abs);
    return z.f;
}

float RT(floatunsisf)(uint32_t a) {
    f32_t z;
    if (a & 0x80000000u) {
        z.u = f32_round_pack(0, 0x9d, (a >> 1) | (a & 1));
    } else {
        z.u = a ? f32_norm_round_pack(0, 0x9c, a) : 0;
    }
    return z.f;
}

uint32_t RT(fixunssfsi)(float a) {
    f32_t x = {a};
    int exp = (x.u >> 23) & 0xff;
    uint32_t sig = (x.u & 0x007fffff) | 0x00800000;
    if (x.u >> 31) {
        return 0; // negative: out of range, like the ROM's saturation
    }
    if (exp < 0x7f) {
        return 0;
    }
    if (exp >= 0x7f + 32) {
        return 0xffffffffu;
    }
    int shift = exp - 0x7f - 23;
    return shift >= 0 ? sig << shift : sig >> -shift;
}

/******************************************************************************/
// Double precision: the same scheme, with the leading bit at bit 62 and ten
// bits below the final ones.

#define F64_NAN (0x7ff8000000000000ull)
#define F64_SIG_MASK (0x000fffffffffffffull)

static uint64_t f64_pack(uint32_t sign, int exp, uint64_t sig) {
    return ((uint64_t)sign << 63) + ((uint64_t)(uint32_t)exp << 52) + sig;
}

static uint64_t f64_round_pack(uint32_t sign, int exp, uint64_t sig) {
    uint32_t round_bits = sig & 0x3ff;
    if ((unsigned)exp >= 0x7fd) {
        if (exp < 0) {
            sig = jam64(sig, -exp);
            exp = 0;
            round_bits = sig & 0x3ff;
        } else if (exp > 0x7fd || sig + 0x200 >= 0x8000000000000000ull) {
            return f64_pack(sign, 0x7ff, 0);
        }
    }
    sig = (sig + 0x200) >> 10;
    if (round_bits == 0x200) {
        sig &= ~(uint64_t)1;
    }
    if (sig == 0) {
        exp = 0;
    }
    return f64_pack(sign, exp, sig);
}

static uint64_t f64_norm_round_pack(uint32_t sign, int exp, uint64_t sig) {
    int shift = clz64(sig) - 1;
    exp -= shift;
    if (shift >= 10 && (unsigned)exp < 0x7fd) {
        return f64_pack(sign, sig ? exp : 0, sig << (shift - 10));
    }
    return f64_round_pack(sign, exp, sig << shift);
}

static uint64_t f64_nan(uint64_t a, uint64_t b) {
    if ((a & 0x7fffffffffffffffull) > 0x7ff0000000000000ull) {
        return a | 0x0008000000000000ull;
    }
    if ((b & 0x7fffffffffffffffull) > 0x7ff0000000000000ull) {
        return b | 0x0008000000000000ull;
    }
    return F64_NAN;
}

static uint64_t f64_add_mags(uint64_t a, uint64_t b, uint32_t sign) {
    int exp_a = (a >> 52) & 0x7ff, exp_b = (b >> 52) & 0x7ff;
    uint64_t sig_a = a & F64_SIG_MASK, sig_b = b & F64_SIG_MASK;
    int diff = exp_a - exp_b;
    int exp;
    uint64_t sig;
    if (diff == 0) {
        if (exp_a == 0) {
            return ((uint64_t)sign << 63) + sig_a + sig_b;
        }
        if (exp_a == 0x7ff) {
            return (sig_a | sig_b) ? f64_nan(a, b) : a;
        }
        exp = exp_a;
        sig = 0x0020000000000000ull + sig_a + sig_b;
        sig <<= 9;
    } else {
        sig_a <<= 9;
        sig_b <<= 9;
        if (diff < 0) {
            if (exp_b == 0x7ff) {
                return sig_b ? f64_nan(a, b) : f64_pack(sign, 0x7ff, 0);
            }
            exp = exp_b;
            sig_a += exp_a ? 0x2000000000000000ull : sig_a;
            sig_a = jam64(sig_a, -diff);
        } else {
            if (exp_a == 0x7ff) {
                return sig_a ? f64_nan(a, b) : a;
            }
            exp = exp_a;
            sig_b += exp_b ? 0x2000000000000000ull : sig_b;
            sig_b = jam64(sig_b, diff);
        }
        sig = 0x2000000000000000ull + sig_a + sig_b;
        if (sig < 0x4000000000000000ull) {
            exp--;
            sig <<= 1;
        }
    }
    return f64_round_pack(sign, exp, sig);
}

static uint64_t f64_sub_mags(uint64_t a, uint64_t b, uint32_t sign) {
    int exp_a = (a >> 52) & 0x7ff, exp_b = (b >> 52) & 0x7ff;
    uint64_t sig_a = a & F64_SIG_MASK, sig_b = b & F64_SIG_MASK;
    int diff = exp_a - exp_b;
    if (diff == 0) {
        if (exp_a == 0x7ff) {
            return (sig_a | sig_b) ? f64_nan(a, b) : F64_NAN;
        }
        int64_t sig_diff = (int64_t)sig_a - (int64_t)sig_b;
        if (sig_diff == 0) {
            return 0;
        }
        if (exp_a) {
            exp_a--;
        }
        if (sig_diff < 0) {
            sign ^= 1;
            sig_diff = -sig_diff;
        }
        int shift = clz64(sig_diff) - 11;
        int exp = exp_a - shift;
        if (exp < 0) {
            shift = exp_a;
            exp = 0;
        }
        return f64_pack(sign, exp, (uint64_t)sig_diff << shift);
    }
    int exp;
    uint64_t sig_x, sig_y;
    sig_a <<= 10;
    sig_b <<= 10;
    if (diff < 0) {
        sign ^= 1;
        if (exp_b == 0x7ff) {
            return sig_b ? f64_nan(a, b) : f64_pack(sign, 0x7ff, 0);
        }
        exp = exp_b - 1;
        sig_x = sig_b | 0x4000000000000000ull;
        sig_y = sig_a + (exp_a ? 0x4000000000000000ull : sig_a);
        diff = -diff;
    } else {
        if (exp_a == 0x7ff) {
            return sig_a ? f64_nan(a, b) : a;
        }
        exp = exp_a - 1;
        sig_x = sig_a | 0x4000000000000000ull;
        sig_y = sig_b + (exp_b ? 0x4000000000000000ull : sig_b);
    }
    return f64_norm_round_pack(sign, exp, sig_x - jam64(sig_y, diff));
}

static uint64_t f64_add(uint64_t a, uint64_t b) {
    uint32_t sign_a = a >> 63, sign_b = b >> 63;
    return sign_a == sign_b ? f64_add_mags(a, b, sign_a) : f64_sub_mags(a, b, sign_a);
}

double RT(adddf3)(double a, double b) {
    f64_t x = {a}, y = {b}, z;
    z.u = f64_add(x.u, y.u);
    return z.f;
}

double RT(subdf3)(double a, double b) {
    f64_t x = {a}, y = {b}, z;
    z.u = f64_add(x.u, y.u ^ 0x8000000000000000ull);
    return z.f;
}

static int f64_normalize(uint64_t *sig) {
    int shift = clz64(*sig) - 11;
    *sig <<= shift;
    return 1 - shift;
}

// Handles the special operands of multiplication and division; returns 1
// and sets *z when one is special (NaN, infinity, zero).
static int f64_special(uint64_t a, uint64_t b, int divide, uint64_t *z) {
    uint32_t sign = (a ^ b) >> 63;
    int exp_a = (a >> 52) & 0x7ff, exp_b = (b >> 52) & 0x7ff;
    uint64_t sig_a = a & F64_SIG_MASK, sig_b = b & F64_SIG_MASK;
    int nan_a = exp_a == 0x7ff && sig_a, nan_b = exp_b == 0x7ff && sig_b;
    int inf_a = exp_a == 0x7ff && !sig_a, inf_b = exp_b == 0x7ff && !sig_b;
    int zero_a = exp_a == 0 && !sig_a, zero_b = exp_b == 0 && !sig_b;
    if (nan_a || nan_b) {
        *z = f64_nan(a, b);
    } else if (!divide) {
        if ((inf_a && zero_b) || (zero_a && inf_b)) {
            *z = F64_NAN;
        } else if (inf_a || inf_b) {
            *z = f64_pack(sign, 0x7ff, 0);
        } else if (zero_a || zero_b) {
            *z = (uint64_t)sign << 63;
        } else {
            return 0;
        }
    } else {
        if ((inf_a && inf_b) || (zero_a && zero_b)) {
            *z = F64_NAN;
        } else if (inf_a || zero_b) {
            *z = f64_pack(sign, 0x7ff, 0);
        } else if (zero_a || inf_b) {
            *z = (uint64_t)sign << 63;
        } else {
            return 0;
        }
    }
    return 1;
}

double RT(muldf3)(double a, double b) {
    f64_t x = {a}, y = {b}, z;
    if (f64_special(x.u, y.u, 0, &z.u)) {
        return z.f;
    }
    uint32_t sign = (x.u ^ y.u) >> 63;
    int exp_a = (x.u >> 52) & 0x7ff, exp_b = (y.u >> 52) & 0x7ff;
    uint64_t sig_a = x.u & F64_SIG_MASK, sig_b = y.u & F64_SIG_MASK;
    if (exp_a == 0) {
        exp_a = f64_normalize(&sig_a);
    }
    if (exp_b == 0) {
        exp_b = f64_normalize(&sig_b);
    }
    int exp = exp_a + exp_b - 0x3ff;
    sig_a = (sig_a | 0x0010000000000000ull) << 10;
    sig_b = (sig_b | 0x0010000000000000ull) << 11;
    uint64_t hi, lo;
    mul64x64(sig_a, sig_b, &hi, &lo);
    uint64_t sig = hi | (lo != 0);
    if (sig < 0x4000000000000000ull) {
        exp--;
        sig <<= 1;
    }
    z.u = f64_round_pack(sign, exp, sig);
    return z.f;
}

double RT(divdf3)(double a, double b) {
    f64_t x = {a}, y = {b}, z;
    if (f64_special(x.u, y.u, 1, &z.u)) {
        return z.f;
    }
    uint32_t sign = (x.u ^ y.u) >> 63;
    int exp_a = (x.u >> 52) & 0x7ff, exp_b = (y.u >> 52) & 0x7ff;
    uint64_t sig_a = x.u & F64_SIG_MASK, sig_b = y.u & F64_SIG_MASK;
    if (exp_a == 0) {
        exp_a = f64_normalize(&sig_a);
    }
    if (exp_b == 0) {
        exp_b = f64_normalize(&sig_b);
    }
    int exp = exp_a - exp_b + 0x3fe;
    sig_a |= 0x0010000000000000ull;
    sig_b |= 0x0010000000000000ull;
    if (sig_a < sig_b) {
        exp--;
        sig_a <<= 1;
    }
    // Long division: 63 quotient bits, the first one 1, then a sticky bit.
    uint64_t q = 0, r = sig_a;
    for (int i = 0; i < 63; i++) {
        q <<= 1;
        if (r >= sig_b) {
            r -= sig_b;
            q |= 1;
        }
        r <<= 1;
    }
    z.u = f64_round_pack(sign, exp, q | (r != 0));
    return z.f;
}

double RT(floatsidf)(int32_t a) {
    f64_t z;
    uint32_t sign = a < 0;
    uint32_t abs = sign ? -(uint32_t)a : (uint32_t)a;
    if (abs == 0) {
        z.u = 0;
        return z.f;
    }
    int shift = clz32(abs) + 21;
    z.u = f64_pack(sign, 0x432 - shift, (uint64_t)abs << shift);
    return z.f;
}

double RT(floatunsidf)(uint32_t a) {
    f64_t z;
    if (a == 0) {
        z.u = 0;
        return z.f;
    }
    int shift = clz32(a) + 21;
    z.u = f64_pack(0, 0x432 - shift, (uint64_t)a << shift);
    return z.f;
}

int32_t RT(fixdfsi)(double a) {
    f64_t x = {a};
    uint32_t sign = x.u >> 63;
    int exp = (x.u >> 52) & 0x7ff;
    uint64_t sig = (x.u & F64_SIG_MASK) | 0x0010000000000000ull;
    if (exp < 0x3ff) {
        return 0;
    }
    if (exp >= 0x3ff + 31) {
        // Out of range (or NaN): saturate.
        if (exp == 0x7ff && (x.u & F64_SIG_MASK)) {
            return 0x7fffffff;
        }
        return sign ? (int32_t)0x80000000u : 0x7fffffff;
    }
    uint32_t abs = (uint32_t)(sig >> (52 - (exp - 0x3ff)));
    return sign ? -(int32_t)abs : (int32_t)abs;
}

uint32_t RT(fixunsdfsi)(double a) {
    f64_t x = {a};
    int exp = (x.u >> 52) & 0x7ff;
    uint64_t sig = (x.u & F64_SIG_MASK) | 0x0010000000000000ull;
    if ((x.u >> 63) || exp < 0x3ff) {
        return 0;
    }
    if (exp >= 0x3ff + 32) {
        return 0xffffffffu;
    }
    return (uint32_t)(sig >> (52 - (exp - 0x3ff)));
}

double RT(extendsfdf2)(float a) {
    f32_t x = {a};
    f64_t z;
    uint32_t sign = x.u >> 31;
    int exp = (x.u >> 23) & 0xff;
    uint32_t sig = x.u & 0x007fffff;
    if (exp == 0xff) {
        z.u = sig ? (((uint64_t)sign << 63) | 0x7ff8000000000000ull | ((uint64_t)sig << 29))
            : f64_pack(sign, 0x7ff, 0);
        return z.f;
    }
    if (exp == 0) {
        if (sig == 0) {
            z.u = (uint64_t)sign << 63;
            return z.f;
        }
        exp = f32_normalize(&sig);
        sig &= 0x007fffff;
    }
    z.u = f64_pack(sign, exp + 0x380, (uint64_t)sig << 29);
    return z.f;
}

float RT(truncdfsf2)(double a) {
    f64_t x = {a};
    f32_t z;
    uint32_t sign = x.u >> 63;
    int exp = (x.u >> 52) & 0x7ff;
    uint64_t sig = x.u & F64_SIG_MASK;
    if (exp == 0x7ff) {
        z.u = sig ? ((sign << 31) | 0x7fc00000u | (uint32_t)(sig >> 29)) : f32_pack(sign, 0xff, 0);
        return z.f;
    }
    uint32_t sig32 = (uint32_t)jam64(sig, 22);
    if (!(exp | sig32)) {
        z.u = sign << 31;
        return z.f;
    }
    z.u = f32_round_pack(sign, exp - 0x381, sig32 | 0x40000000);
    return z.f;
}

#ifndef __XTENSA_CALL0_ABI__
// Single-precision division and comparisons, for the files that the
// esp32win firmware builds without hardware floating point (the lx106 build
// takes them from libgcc). The quotient goes through double precision:
// 53 bits are more than 2 * 24 + 2, so rounding the double quotient to
// float gives the correctly rounded float quotient.

float RT(divsf3)(float a, float b) {
    return RT(truncdfsf2)(RT(divdf3)(RT(extendsfdf2)(a), RT(extendsfdf2)(b)));
}

// Orders a and b: -1, 0 or 1, or unordered when either is a NaN.
static int f32_cmp(float a, float b, int unordered) {
    f32_t x = {a}, y = {b};
    if ((x.u & 0x7fffffff) > 0x7f800000 || (y.u & 0x7fffffff) > 0x7f800000) {
        return unordered;
    }
    if (((x.u | y.u) & 0x7fffffff) == 0) {
        return 0; // +0 == -0
    }
    // Sign and magnitude to two's complement orders them as integers.
    int32_t kx = (x.u >> 31) ? -(int32_t)(x.u & 0x7fffffff) : (int32_t)x.u;
    int32_t ky = (y.u >> 31) ? -(int32_t)(y.u & 0x7fffffff) : (int32_t)y.u;
    return (kx > ky) - (kx < ky);
}

// Returns 0 when a == b, nonzero otherwise (and when either is a NaN).
int RT(nesf2)(float a, float b) {
    return f32_cmp(a, b, 1);
}

// Returns 0 when a == b.
int RT(eqsf2)(float a, float b) {
    return f32_cmp(a, b, 1);
}

// Truncates toward zero; out of range as RT(fixdfsi) (exact: every float is
// a double).
int32_t RT(fixsfsi)(float a) {
    return RT(fixdfsi)(RT(extendsfdf2)(a));
}

// Returns a negative number when a < b.
int RT(ltsf2)(float a, float b) {
    return f32_cmp(a, b, 1);
}

// Returns a number of zero or more when a >= b.
int RT(gesf2)(float a, float b) {
    return f32_cmp(a, b, -1);
}

#endif
