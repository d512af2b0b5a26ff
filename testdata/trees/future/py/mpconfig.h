// Stand-in for py/mpconfig.h: only the version lines mpyld reads.
#define MICROPY_VERSION_MAJOR 1
#define MICROPY_VERSION_MINOR 30
#define MICROPY_VERSION_MICRO 0
#define MICROPY_VERSION_PRERELEASE 0
