// Small constants in .srodata, as picolibc and libgcc members (built
// without -fpic) carry them; mpy_ld.py v1.28 drops the section.
double scale(double x) {
    return x * 1.2345;
}

int mpy_init(void) {
    return (int)scale(2.0);
}
