package deploy

import "testing"

// TestBoardCachePorts: Windows serial ports are one port in any case and
// with the \\.\ prefix; other names stay as given.
func TestBoardCachePorts(t *testing.T) {
	dir := t.TempDir()
	WriteBoardCache(dir, "com3", 4870)
	WriteBoardCache(dir, "/dev/ttyACM0", 8966)
	for port, want := range map[string]uint64{"COM3": 4870, `\\.\COM3`: 4870, "com3": 4870, "COM30": 0, "COMX": 0,
		"/dev/ttyACM0": 8966, "/dev/ttyacm0": 0} {
		if got := ReadBoardCache(dir, port); got != want {
			t.Errorf("%q: %d, want %d", port, got, want)
		}
	}
	WriteBoardCache(dir, `\\.\COM3`, 4614) // the same port, another board
	if got := ReadBoardCache(dir, "com3"); got != 4614 {
		t.Errorf("after rewrite: %d, want 4614", got)
	}
	if got := ReadBoardCache(dir, "/dev/ttyACM0"); got != 8966 {
		t.Errorf("other port lost: %d", got)
	}
}
