// Compares the helpers of c/rt.c, built for the host with -DRT_HOST_TEST,
// with the host's own integer and IEEE 754 arithmetic on edge values and on
// random operands. Prints each mismatch and "ok N" or "FAIL N" at the end.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

uint32_t rt_udivsi3(uint32_t, uint32_t);
uint32_t rt_umodsi3(uint32_t, uint32_t);
int32_t rt_divsi3(int32_t, int32_t);
uint64_t rt_udivdi3(uint64_t, uint64_t);
uint64_t rt_umoddi3(uint64_t, uint64_t);
int64_t rt_divdi3(int64_t, int64_t);
uint64_t rt_muldi3(uint64_t, uint64_t);
uint64_t rt_umulsidi3(uint32_t, uint32_t);
float rt_addsf3(float, float);
float rt_subsf3(float, float);
float rt_mulsf3(float, float);
float rt_floatsisf(int32_t);
float rt_floatunsisf(uint32_t);
uint32_t rt_fixunssfsi(float);
double rt_adddf3(double, double);
double rt_subdf3(double, double);
double rt_muldf3(double, double);
double rt_divdf3(double, double);
double rt_floatsidf(int32_t);
double rt_floatunsidf(uint32_t);
int32_t rt_fixdfsi(double);
uint32_t rt_fixunsdfsi(double);
double rt_extendsfdf2(float);
float rt_truncdfsf2(double);
float rt_divsf3(float, float);
int rt_nesf2(float, float);
int rt_ltsf2(float, float);
int rt_eqsf2(float, float);
int32_t rt_fixsfsi(float);
int rt_gesf2(float, float);

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int failures;

static uint32_t fbits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static uint64_t dbits(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static float bitsf(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static double bitsd(uint64_t u) {
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static void checkf(const char *op, float a, float b, float got, float want) {
    if (got != got && want != want) {
        return;
    }
    if (fbits(got) != fbits(want)) {
        if (failures++ < 20) {
            printf("%s(%08x, %08x) = %08x, want %08x\n", op, fbits(a), fbits(b), fbits(got), fbits(want));
        }
    }
}
static void checkd(const char *op, double a, double b, double got, double want) {
    if (got != got && want != want) {
        return;
    }
    if (dbits(got) != dbits(want)) {
        if (failures++ < 20) {
            printf("%s(%016llx, %016llx) = %016llx, want %016llx\n", op, (unsigned long long)dbits(a),
                (unsigned long long)dbits(b), (unsigned long long)dbits(got), (unsigned long long)dbits(want));
        }
    }
}
static void checku(const char *op, uint64_t a, uint64_t b, uint64_t got, uint64_t want) {
    if (got != want && failures++ < 20) {
        printf("%s(%#llx, %#llx) = %#llx, want %#llx\n", op, (unsigned long long)a, (unsigned long long)b,
            (unsigned long long)got, (unsigned long long)want);
    }
}

// Random values that hit edges often: small and large exponents, zeros,
// infinities, NaNs and neighbours of each other.
static uint32_t rand_f32(void) {
    static const uint32_t edge[] = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 1, 0x807fffff,
                                    0x00800000, 0x7f7fffff, 0x3f800000, 0xbf800000, 0x4b000000, 0x4f000000};
    uint64_t r = next();
    switch (r & 7) {
        case 0:
            return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
        case 1:
            return (uint32_t)(r >> 16) & 0x807fffff; // subnormal
        case 2:
            return ((uint32_t)(r >> 16) & 0x80ffffff) | 0x3f000000; // near 1
        default:
            return (uint32_t)(r >> 16);
    }
}
static uint64_t rand_f64(void) {
    static const uint64_t edge[] = {0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
                                    0x7ff8000000000000ull, 1, 0x0010000000000000ull, 0x7fefffffffffffffull,
                                    0x3ff0000000000000ull, 0x41e0000000000000ull, 0xc1e0000000000000ull};
    uint64_t r = next();
    switch (r & 7) {
        case 0:
            return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
        case 1:
            return next() & 0x800fffffffffffffull;
        case 2:
            return (next() & 0x801fffffffffffffull) | 0x3fe0000000000000ull;
        case 3:
            return (next() & 0x801fffffffffffffull) | 0x41c0000000000000ull; // near 2**31
        default:
            return next();
    }
}

int main(void) {
    long n = 0;
    for (int i = 0; i < 1000000; i++, n++) {
        uint32_t ua = rand_f32(), ub = rand_f32();
        float fa = bitsf(ua), fb = bitsf(ub);
        // Near-equal operands exercise cancellation.
        if ((i & 15) == 1) {
            fb = bitsf(ua + (uint32_t)(next() % 5) - 2);
        }
        checkf("addsf3", fa, fb, rt_addsf3(fa, fb), fa + fb);
        checkf("subsf3", fa, fb, rt_subsf3(fa, fb), fa - fb);
        checkf("mulsf3", fa, fb, rt_mulsf3(fa, fb), fa * fb);
        checkf("divsf3", fa, fb, rt_divsf3(fa, fb), fa / fb);
        checku("nesf2", ua, ub, rt_nesf2(fa, fb) != 0, fa != fb);
        checku("ltsf2", ua, ub, rt_ltsf2(fa, fb) < 0, fa < fb);
        checku("eqsf2", ua, ub, rt_eqsf2(fa, fb) == 0, fa == fb);
        if (fa == fa && fa > -2147483648.0f - 1 && fa < 2147483648.0f) {
            checku("fixsfsi", ua, 0, (uint32_t)rt_fixsfsi(fa), (uint32_t)(int32_t)fa);
        }
        checku("gesf2", ua, ub, rt_gesf2(fa, fb) >= 0, fa >= fb);
        checkd("extendsfdf2", fa, 0, rt_extendsfdf2(fa), (double)fa);

        uint64_t da_u = rand_f64(), db_u = rand_f64();
        double da = bitsd(da_u), db = bitsd(db_u);
        if ((i & 15) == 1) {
            db = bitsd(da_u + (next() % 5) - 2);
        }
        checkd("adddf3", da, db, rt_adddf3(da, db), da + db);
        checkd("subdf3", da, db, rt_subdf3(da, db), da - db);
        checkd("muldf3", da, db, rt_muldf3(da, db), da * db);
        checkd("divdf3", da, db, rt_divdf3(da, db), da / db);
        checkf("truncdfsf2", da, 0, rt_truncdfsf2(da), (float)da);
        if (da == da && da > -2147483648.0 - 1 && da < 2147483648.0) {
            checku("fixdfsi", da_u, 0, (uint32_t)rt_fixdfsi(da), (uint32_t)(int32_t)da);
        }
        if (da == da && da > -1 && da < 4294967296.0) {
            checku("fixunsdfsi", da_u, 0, rt_fixunsdfsi(da), (uint32_t)da);
        }
        if (fa == fa && fa > -1 && fa < 4294967296.0f) {
            checku("fixunssfsi", ua, 0, rt_fixunssfsi(fa), (uint32_t)fa);
        }

        uint64_t r = next();
        int32_t si = (int32_t)r;
        uint32_t ui = (uint32_t)(r >> 32) >> (r & 31);
        checkf("floatsisf", si, 0, rt_floatsisf(si), (float)si);
        checkf("floatunsisf", ui, 0, rt_floatunsisf(ui), (float)ui);
        checkd("floatsidf", si, 0, rt_floatsidf(si), (double)si);
        checkd("floatunsidf", ui, 0, rt_floatunsidf(ui), (double)ui);

        uint64_t x = next() >> (next() & 63), y = next() >> (next() & 63);
        uint32_t x32 = (uint32_t)x, y32 = (uint32_t)(y >> 3) >> (y & 31);
        checku("muldi3", x, y, rt_muldi3(x, y), x * y);
        checku("umulsidi3", x32, y32, rt_umulsidi3(x32, y32), (uint64_t)x32 * y32);
        if (y != 0) {
            checku("udivdi3", x, y, rt_udivdi3(x, y), x / y);
            checku("umoddi3", x, y, rt_umoddi3(x, y), x % y);
            if (!((int64_t)x == INT64_MIN && (int64_t)y == -1)) {
                checku("divdi3", x, y, (uint64_t)rt_divdi3((int64_t)x, (int64_t)y), (uint64_t)((int64_t)x / (int64_t)y));
            }
        }
        if (y32 != 0) {
            checku("udivsi3", x32, y32, rt_udivsi3(x32, y32), x32 / y32);
            checku("umodsi3", x32, y32, rt_umodsi3(x32, y32), x32 % y32);
            if (!((int32_t)x32 == INT32_MIN && (int32_t)y32 == -1)) {
                checku("divsi3", x32, y32, (uint32_t)rt_divsi3((int32_t)x32, (int32_t)y32),
                    (uint32_t)((int32_t)x32 / (int32_t)y32));
            }
        }
    }
    printf("%s %ld\n", failures ? "FAIL" : "ok", n);
    return failures != 0;
}
