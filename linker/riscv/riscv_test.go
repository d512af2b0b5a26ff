package riscv

import (
	"encoding/hex"
	"testing"
)

// TestSplit: hi + sign-extended lo gives back x (psABI %hi/%lo rounding).
func TestSplit(t *testing.T) {
	tests := []struct {
		x      int64
		hi, lo uint32
	}{
		{0x1000, 0x1000, 0},
		{0x800, 0x1000, 0x800},   // lo -2048
		{0x7ff, 0, 0x7ff},        // fits in lo
		{-4, 0, 0xffc},           // small negative: lo only
		{-0x1000, 0xfffff000, 0}, // hi only
		{0x12345678, 0x12345000, 0x678},
	}
	for _, tt := range tests {
		hi, lo := Split(tt.x)
		if hi != tt.hi || lo != tt.lo {
			t.Errorf("Split(%#x) = %#x, %#x; want %#x, %#x", tt.x, hi, lo, tt.hi, tt.lo)
		}
		back := int64(int32(hi)) + int64(int32(lo<<20)>>20)
		if back != tt.x {
			t.Errorf("Split(%#x) adds back to %#x", tt.x, back)
		}
	}
}

// TestAddSubSet: the data relocations of label differences (.uleb-free
// tables) on fields of 6 to 64 bits, with wrap-around.
func TestAddSubSet(t *testing.T) {
	tests := []struct {
		name string
		in   string
		f    func([]byte)
		want string
	}{
		{"ADD8", "fe", func(b []byte) { Add(b, 8, 3) }, "01"},                  // 0xfe + 3 wraps to 1
		{"SUB8", "01", func(b []byte) { Sub(b, 8, 3) }, "fe"},                  // 1 - 3 wraps to 0xfe
		{"SUB6", "c1", func(b []byte) { Sub(b, 6, 2) }, "ff"},                  // low 6 bits 1-2 = 0x3f, top bits kept
		{"SET6", "c0", func(b []byte) { Set(b, 6, 0x45) }, "c5"},               // only the low 6 bits of 0x45
		{"ADD16", "ffff", func(b []byte) { Add(b, 16, 2) }, "0100"},            // little endian
		{"SUB32", "10000000", func(b []byte) { Sub(b, 32, 0x20) }, "f0ffffff"}, // 0x10 - 0x20
		{"SET16", "aaaa", func(b []byte) { Set(b, 16, 0x1234) }, "3412"},       //
		{"ADD64", "0100000000000000", func(b []byte) { Add(b, 64, -2) }, "ffffffffffffffff"},
		{"SET32", "00000000", func(b []byte) { Set(b, 32, 0x12345678) }, "78563412"},
	}
	for _, tt := range tests {
		b, _ := hex.DecodeString(tt.in)
		tt.f(b)
		if got := hex.EncodeToString(b); got != tt.want {
			t.Errorf("%s on %s: got %s, want %s", tt.name, tt.in, got, tt.want)
		}
	}
}
