import probe
assert probe.add(1, 1) == 2
print("no .exp: passes when it ends without an exception")
