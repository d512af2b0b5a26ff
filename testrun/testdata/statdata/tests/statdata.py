# Expected values follow from the C source: counter starts at 41, levels at
# {3, 1, 4, 1, 5, 9, 2, 6}, names at alpha, beta, gamma; scratch[0] holds the
# first bump's counter.
import statdata

print(statdata.current())
print(statdata.bump(1))
print(statdata.bump(2))
print(statdata.level(0))
print(statdata.level(9))
print(statdata.name(1))
print(statdata.name(0))
print(statdata.name(3))
print(statdata.current())
for i in range(40):
    statdata.bump(1)
print(statdata.bump(0))
print(statdata.current())
