// Stand-in for the Xtensa core description that py/persistentcode.h includes
// on __xtensa__: the ESP32's core, and de233_fpu, have register windows.
#ifndef MPYLD_XTENSA_CORE_ISA_H
#define MPYLD_XTENSA_CORE_ISA_H
#define XCHAL_HAVE_WINDOWED (1)
#endif
