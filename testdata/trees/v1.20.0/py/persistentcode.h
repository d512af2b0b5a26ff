// Stand-in for py/persistentcode.h: only the .mpy version lines.
#define MPY_VERSION 6
#define MPY_SUB_VERSION 1
