try:
    import probe
    probe.missing
except AttributeError:
    print("SKIP")
    raise SystemExit
