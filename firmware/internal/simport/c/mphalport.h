// The hardware layer of mpyld's lx106 test firmware: the console is QEMU's
// semihosting (simcall); there is no clock.

#include <stddef.h>
#include "shared/runtime/interrupt_char.h"

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
