import probe
print("before")
raise ValueError("raised on purpose")
