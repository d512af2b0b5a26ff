import probe
print("before the crash")
probe.crash()
print("after the crash")
