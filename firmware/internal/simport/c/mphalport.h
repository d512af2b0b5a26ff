// The hardware layer of mpyld's Xtensa test firmwares: the console is QEMU's
// semihosting (simcall). A port that defines MPYLD_CPU_HZ (the core's clock
// frequency in QEMU) has a clock, the CCOUNT register (clock.c); the others
// have none: their ticks stay 0 and delays return at once.

#include <stddef.h>
#include "shared/runtime/interrupt_char.h"

#ifdef MPYLD_CPU_HZ

mp_uint_t mp_hal_ticks_ms(void);
mp_uint_t mp_hal_ticks_us(void);
mp_uint_t mp_hal_ticks_cpu(void);
void mp_hal_delay_ms(mp_uint_t ms);
void mp_hal_delay_us(mp_uint_t us);
// Brings the counts up to date with CCOUNT.
void mpyld_clock_poll(void);

#else

static inline mp_uint_t mp_hal_ticks_ms(void) {
    return 0;
}

static inline mp_uint_t mp_hal_ticks_us(void) {
    return 0;
}

static inline mp_uint_t mp_hal_ticks_cpu(void) {
    return 0;
}

static inline void mp_hal_delay_ms(mp_uint_t ms) {
    (void)ms;
}

static inline void mp_hal_delay_us(mp_uint_t us) {
    (void)us;
}

#endif
