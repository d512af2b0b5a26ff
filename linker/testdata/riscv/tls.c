// Thread-local storage cannot exist in a native module.
__thread int counter;

int mpy_init(void) {
    return ++counter;
}
