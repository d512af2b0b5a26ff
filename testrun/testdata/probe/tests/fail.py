import probe
print(probe.add(2, 2))
