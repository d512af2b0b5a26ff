import probe
print(probe.add(1, 2))
print(probe.__name__)
