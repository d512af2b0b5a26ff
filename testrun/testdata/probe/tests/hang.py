import probe
print("before the hang")
probe.hang()
