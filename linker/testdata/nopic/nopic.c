// Compiled without -fpic: code holds absolute addresses, which a module
// moved at load time cannot have.
int counter;

int *where(void) {
    return &counter;
}

int mpy_init(void) {
    return *where();
}
