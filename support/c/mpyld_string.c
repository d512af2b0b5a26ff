// mpyld support layer: the C library's string functions that modules call
// and GCC emits (sprintf(buf, "%s", s) becomes strcpy), which
// mp_fun_table does not carry. memset, memcpy and memmove come from
// mp_fun_table through the linker.
#include "mpyld_support.h"
#include <string.h>

size_t strlen(const char *s) {
    const char *p = s;
    while (*p != '\0') {
        ++p;
    }
    return p - s;
}

int strcmp(const char *a, const char *b) {
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
    for (; n > 0; --n, ++a, ++b) {
        if (*a != *b || *a == '\0') {
            return (int)(unsigned char)*a - (int)(unsigned char)*b;
        }
    }
    return 0;
}

char *strcpy(char *dst, const char *src) {
    char *d = dst;
    while ((*d++ = *src++) != '\0') {
    }
    return dst;
}

char *strchr(const char *s, int c) {
    for (;; ++s) {
        if (*s == (char)c) {
            return (char *)s;
        }
        if (*s == '\0') {
            return NULL;
        }
    }
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *p = a;
    const unsigned char *q = b;
    for (; n > 0; --n, ++p, ++q) {
        if (*p != *q) {
            return (int)*p - (int)*q;
        }
    }
    return 0;
}
