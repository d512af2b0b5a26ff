package inspect

import "testing"

// TestThumb checks the Thumb decoder on hand-assembled words (ARMv7-M ARM
// encodings; the stubs of linker/stubs.go among them).
func TestThumb(t *testing.T) {
	tests := []struct {
		b    []byte
		pc   int
		want string
	}{
		{[]byte{0xfe, 0xe7}, 0x10, "b 0x10"},                  // 0xe7fe: b .
		{[]byte{0x06, 0xe0}, 0, "b 0x10"},                     // imm11 6: 4 + 12
		{[]byte{0x01, 0xb5}, 0, "push {r0, lr}"},              // 0xb501
		{[]byte{0x01, 0xbd}, 0, "pop {r0, pc}"},               // 0xbd01
		{[]byte{0x02, 0x48}, 0, "ldr r0, [pc, #8]"},           // 0x4802
		{[]byte{0x84, 0x46}, 0, "mov ip, r0"},                 // 0x4684
		{[]byte{0x60, 0x47}, 0, "bx ip"},                      // 0x4760
		{[]byte{0x98, 0x47}, 0, "blx r3"},                     // 0x4798
		{[]byte{0x00, 0xf0, 0xfe, 0xff}, 0x1000, "bl 0x2000"}, // GNU ld: bl at 0x1000 to 0x2000
		{[]byte{0xff, 0xf7, 0xfd, 0xff}, 0x1002, "bl 0x1000"},
		{[]byte{0x00, 0xf0, 0x00, 0xb8}, 0x100, "b.w 0x104"},
		{[]byte{0x03, 0xd0}, 0, "beq 0xa"},
		{[]byte{0x2a, 0x20}, 0, "movs r0, #42"},
		{[]byte{0x00, 0xbf}, 0, "nop"},
		{[]byte{0x00, 0xde}, 0, ""}, // udf: unknown here
	}
	for _, tt := range tests {
		if got := thumb(tt.b, tt.pc); got != tt.want {
			t.Errorf("% x at %#x: %q, want %q", tt.b, tt.pc, got, tt.want)
		}
	}
}
