// Options of mpyld's lx106 test firmware, on top of py/mpconfig.h. Option
// names of several MicroPython versions are set, so one file serves v1.20
// (uos, uio, ure, ...) and later trees (os, io, re, vfs, ...).

#include <stdint.h>
#include <alloca.h>

#define MICROPY_CONFIG_ROM_LEVEL    (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

// Native code: the emitter, and loading .mpy files with Xtensa machine code.
#define MICROPY_EMIT_XTENSA         (1)
#define MICROPY_EMIT_INLINE_XTENSA  (1)
#define MICROPY_PERSISTENT_CODE_LOAD (1)

// Memory and errors.
#define MICROPY_ENABLE_GC           (1)
#define MICROPY_ENABLE_EMERGENCY_EXCEPTION_BUF (1)
#define MICROPY_STACK_CHECK         (1)
#define MICROPY_LONGINT_IMPL        (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_FLOAT_IMPL          (MICROPY_FLOAT_IMPL_FLOAT)
#define MICROPY_ERROR_REPORTING     (MICROPY_ERROR_REPORTING_DETAILED)
#define MICROPY_WARNINGS            (1)
#define MICROPY_USE_INTERNAL_ERRNO  (1)
#define MICROPY_KBD_EXCEPTION       (1)
#define MICROPY_HELPER_REPL         (1)
#define MICROPY_REPL_EVENT_DRIVEN   (0)

// Importing a module from the RAM file system the test preamble mounts.
#define MICROPY_VFS                 (1)
#define MICROPY_READER_VFS          (1)
#define MICROPY_PY_OS               (1)
#define MICROPY_PY_UOS              (1)
#define MICROPY_PY_IO               (1)
#define MICROPY_PY_UIO              (1)
#define MICROPY_PY_IO_IOBASE        (1)
#define MICROPY_PY_UIO_IOBASE       (1)
#define MICROPY_PY_SYS_STDFILES     (1)
#define MICROPY_PY_SYS_PLATFORM     "qemu-xtensa"
#define MICROPY_HW_BOARD_NAME       "qemu-sim"
#define MICROPY_HW_MCU_NAME         "lx106"

// time (utime before v1.21) on the clock of clock.c: ticks, sleep; no
// time(), localtime() or the like (there is no real-time clock).
#define MICROPY_PY_TIME             (1)
#define MICROPY_PY_UTIME            (1)
#define MICROPY_PY_UTIME_MP_HAL     (1)

// Left out: modules needing hardware, and those the natmod examples provide
// (so a test always runs the module under test).
#define MICROPY_PY_MACHINE          (0)
#define MICROPY_PY_SELECT           (0)
#define MICROPY_PY_USELECT          (0)
#define MICROPY_PY_ASYNCIO          (0)
#define MICROPY_PY_UASYNCIO         (0)
#define MICROPY_PY_RE               (0)
#define MICROPY_PY_URE              (0)
#define MICROPY_PY_HEAPQ            (0)
#define MICROPY_PY_UHEAPQ           (0)
#define MICROPY_PY_RANDOM           (0)
#define MICROPY_PY_URANDOM          (0)
#define MICROPY_PY_DEFLATE          (0)
#define MICROPY_PY_UZLIB            (0)
#define MICROPY_PY_BINASCII_CRC32   (0)
#define MICROPY_PY_UBINASCII_CRC32  (0)
#define MICROPY_PY_FRAMEBUF         (0)
#define MICROPY_PY_BTREE            (0)
#define MICROPY_PY_OS_URANDOM       (0)
#define MICROPY_PY_OS_DUPTERM       (0)
#define MICROPY_PY_UOS_DUPTERM      (0)
#define MICROPY_PY_THREAD           (0)

// Trees before MP_INT_TYPE (v1.22 and older) leave these to the port; later
// ones define the same types, which C accepts twice.
typedef intptr_t mp_int_t;
typedef uintptr_t mp_uint_t;
#define MP_SSIZE_MAX                (0x7fffffff)
typedef long mp_off_t;

#define MP_STATE_PORT MP_STATE_VM

// The clock (clock.c): CCOUNT at the frequency of QEMU's lx106 core,
// clock_freq_khz = 40000 in its target/xtensa/core-lx106.c (the ESP8266
// itself runs at 80 or 160 MHz). The VM looks at the clock every
// MPYLD_CLOCK_VM_POLL jumps or returns, so that no wrap of CCOUNT (each
// 107 s) goes unseen while Python code runs.
#define MPYLD_CPU_HZ                (40000000)
#define MPYLD_CLOCK_VM_POLL         (1000)
void mpyld_clock_poll(void);
#define MICROPY_VM_HOOK_INIT        static unsigned int vm_clock_poll = MPYLD_CLOCK_VM_POLL;
#define MICROPY_VM_HOOK_POLL        if (--vm_clock_poll == 0) { \
        vm_clock_poll = MPYLD_CLOCK_VM_POLL; \
        mpyld_clock_poll(); \
}
#define MICROPY_VM_HOOK_LOOP        MICROPY_VM_HOOK_POLL
#define MICROPY_VM_HOOK_RETURN      MICROPY_VM_HOOK_POLL

// The offsets of the user and double exception vectors from VECBASE (lx106).
#define MPYLD_VECTOR_USER           (0x50)
#define MPYLD_VECTOR_DOUBLE         (0x70)

// The ESP8266 ROM, whose served addresses romstubs.S fills.
#define MPYLD_ROM_NAME              "ESP8266"
#define MPYLD_ROM_START             (0x40000000)
#define MPYLD_ROM_END               (0x40010000)
