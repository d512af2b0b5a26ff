# Objects kept only in the module's static variables survive collections
# with allocation in between.
import gc
import gckeep

gckeep.keep(50)
for round in range(10):
    gc.collect()
    junk = []
    for k in range(400):
        junk.append(bytearray(b"\xa5" * (8 + (k * 7) % 120)))
        junk.append([k] * (1 + k % 9))
    junk = None
    gc.collect()
lst = gckeep.get(0)
d = gckeep.get(1)
print(type(lst).__name__, len(lst), lst[0], lst[49], sum(lst))
print(type(d).__name__, len(d), d[0], d[49])
print(gckeep.get(5))
