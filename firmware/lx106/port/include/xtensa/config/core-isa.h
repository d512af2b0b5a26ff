// Stand-in for the Xtensa core description that py/persistentcode.h includes
// on __xtensa__: the lx106 (ESP8266) core has no register windows.
#ifndef MPYLD_XTENSA_CORE_ISA_H
#define MPYLD_XTENSA_CORE_ISA_H
#define XCHAL_HAVE_WINDOWED (0)
#endif
