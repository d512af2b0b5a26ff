// qstrs specific to mpyld's lx106 test firmware (none).
