# Drives supporttest.mpy (support layer test module); run.exp is the output
# MicroPython must print.
import gc
import supporttest as st

st.print(8)
print("malloc bad", st.malloc(20))
p = st.alloc(200)
junk = []
for i in range(200):
    junk.append(bytearray(64 + i))
junk = None
gc.collect()
junk = [bytearray(b"\xee" * 200) for i in range(100)]
print("kept bad", st.check(p, 200))
st.qstr()
t = st.ticks()
import time
print("ticks", all(v >= 0 and time.ticks_add(v, 0) == v for v in t), time.ticks_diff(t[1], t[0]) >= 30, time.ticks_diff(t[3], t[2]) >= 0)
for i, cls in enumerate((OSError, KeyError, AttributeError, ZeroDivisionError, StopIteration, ValueError, MemoryError, Exception)):
    try:
        st.raise_(i)
    except cls as e:
        print(type(e).__name__, e.args)
print(st.iter([1, 2, 3]), st.iter((4, 5)), st.iter(range(4)), st.iter(b"\x01\x02"))
print(st.obj([1, 2, 2, "a"], lambda *a: sum(a) + 10))
try:
    st.iter(5)
except TypeError:
    print("TypeError")
print(st.args(1), st.args(1, 5), st.args(b="x", a=3), st.args(4, flag=1))
for a, k in (((), {}), ((1, 2, 3), {}), ((1,), {"c": 1}), ((1,), {"a": 2})):
    try:
        st.args(*a, **k)
    except TypeError as e:
        print("TypeError", e)


class Pin:
    def __init__(self):
        self.v = 0

    def value(self, *v):
        if v:
            print("pin <-", v[0])
            self.v = v[0] + 6
        return self.v


m = st.more(Pin(), print)
print(m[:7], m[7] in (None, True), m[8])
f = st.float_()
print("float", f is None or f == "3.14|   2.5|1.000  |1.000000e+03|+0.3")
