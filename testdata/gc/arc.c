// One archive member with two functions: the module calls one.
#include <stdint.h>

intptr_t arc_used(intptr_t x) {
    return x ^ 0x5a5a;
}

intptr_t arc_dead(intptr_t x) {
    return (x << 3) ^ 0x1234;
}
