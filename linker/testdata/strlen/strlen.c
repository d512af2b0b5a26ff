// strlen for linking the statdata corpus module in tests: GCC turns its
// string-length loop into a call to strlen, which native modules get from
// no runtime. Compiled per arch with the natmod flags and
// -fno-tree-loop-distribute-patterns (so that this loop stays a loop);
// see build.sh.
#include <stddef.h>

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}
