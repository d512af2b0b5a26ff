// This file implements the clock of mpyld's Xtensa test firmwares whose
// mpconfigport.h defines MPYLD_CPU_HZ: the CCOUNT special register, which
// QEMU advances with its virtual clock (the host's time while the machine
// runs) at the core's configured frequency, whatever instructions run.
//
// CCOUNT is 32 bits wide and wraps every 2**32 / MPYLD_CPU_HZ seconds (107 s
// at 40 MHz), which is not a whole number of microseconds or milliseconds.
// So the microsecond and millisecond counts are kept here, advanced by the
// cycles elapsed since the last look at CCOUNT; they wrap at 2**32 as
// MicroPython expects of mp_hal_ticks_us and _ms. A wrap of CCOUNT is
// counted as long as the clock is looked at at least once per wrap period:
// every read and delay does, and so does the VM every MPYLD_CLOCK_VM_POLL
// jumps or returns (mpconfigport.h's MICROPY_VM_HOOK_*). Interrupts stay off.
//
// Delays busy-wait on CCOUNT: QEMU's sim semihosting has no sleep call (its
// select_one waits only until the host file has input).

#include "py/mphal.h"

#ifdef MPYLD_CPU_HZ

#define CYCLES_PER_US (MPYLD_CPU_HZ / 1000000)
#define CYCLES_PER_MS (MPYLD_CPU_HZ / 1000)

#if CYCLES_PER_US * 1000000 != MPYLD_CPU_HZ
#error "MPYLD_CPU_HZ must be a whole number of MHz"
#endif

static uint32_t last_ccount;
static uint32_t us_count, us_cycles; // us_cycles < CYCLES_PER_US
static uint32_t ms_count, ms_cycles; // ms_cycles < CYCLES_PER_MS

static inline uint32_t read_ccount(void) {
    uint32_t c;
    __asm__ volatile ("rsr %0, ccount" : "=a" (c));
    return c;
}

void mpyld_clock_poll(void) {
    uint32_t now = read_ccount();
    uint32_t delta = now - last_ccount;
    last_ccount = now;
    // Split delta first: adding it to the leftover cycles could overflow.
    us_count += delta / CYCLES_PER_US;
    us_cycles += delta % CYCLES_PER_US;
    if (us_cycles >= CYCLES_PER_US) {
        us_cycles -= CYCLES_PER_US;
        us_count++;
    }
    ms_count += delta / CYCLES_PER_MS;
    ms_cycles += delta % CYCLES_PER_MS;
    if (ms_cycles >= CYCLES_PER_MS) {
        ms_cycles -= CYCLES_PER_MS;
        ms_count++;
    }
}

mp_uint_t mp_hal_ticks_us(void) {
    mpyld_clock_poll();
    return us_count;
}

mp_uint_t mp_hal_ticks_ms(void) {
    mpyld_clock_poll();
    return ms_count;
}

// The cycle count itself, as the ESP8266 port gives it.
mp_uint_t mp_hal_ticks_cpu(void) {
    mpyld_clock_poll();
    return last_ccount;
}

// Waits n cycles or a little more: at least what was asked, whatever the
// phase of the microsecond and millisecond counts.
static void delay_cycles(uint32_t n) {
    uint32_t start = mp_hal_ticks_cpu();
    while (mp_hal_ticks_cpu() - start < n) {
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    // In steps of a second, far below CCOUNT's period.
    for (; us > 1000000; us -= 1000000) {
        delay_cycles(1000000 * CYCLES_PER_US);
    }
    delay_cycles(us * CYCLES_PER_US);
}

void mp_hal_delay_ms(mp_uint_t ms) {
    for (; ms > 1000; ms -= 1000) {
        mp_hal_delay_us(1000000);
    }
    mp_hal_delay_us(ms * 1000);
}

#endif
