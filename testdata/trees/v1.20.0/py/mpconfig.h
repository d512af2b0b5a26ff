// Stand-in for py/mpconfig.h: only the version lines mpyld reads.
#define MICROPY_VERSION_MAJOR 1
#define MICROPY_VERSION_MINOR 20
#define MICROPY_VERSION_MICRO 0
