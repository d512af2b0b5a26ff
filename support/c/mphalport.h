// mpyld support layer: the port HAL header that py/mphal.h includes. A
// native module has no port of its own: the mp_hal_* functions that
// py/mphal.h declares are defined by the support layer (mpyld_hal.c).
#include "mpyld_support.h"
