// Package xtensa holds the Xtensa L32R relocation and jump encodings.
package xtensa

import "fmt"

// PatchL32R adds v to the 16-bit word offset of the L32R at ins[0:3]:
// imm16 = ((imm16 + v) >> 2) & 0xffff (an arithmetic shift, as mpy_ld.py).
// The CPU computes ((P + 3) & ~3) + (imm16 | 0xffff0000) * 4, which lands on
// a word-aligned target at most 256 KiB before P.
func PatchL32R(ins []byte, v int64) error {
	w := uint32(ins[0]) | uint32(ins[1])<<8 | uint32(ins[2])<<16
	if w&0xf != 1 {
		return fmt.Errorf("instruction %06x is not an l32r", w)
	}
	imm := (int64(w>>8) + v) >> 2
	w = w&0xff | uint32(imm&0xffff)<<8
	ins[0], ins[1], ins[2] = byte(w), byte(w>>8), byte(w>>16)
	return nil
}

// InL32RRange reports whether an L32R at p can load the word at target.
func InL32RRange(p, target int64) bool {
	d := target - ((p + 3) &^ 3)
	return d < 0 && d >= -(1<<18)
}

// J encodes the 3-byte "j target" at offset 0: op 6, offset target - 4 in
// bits 6..23.
func J(target int64) ([]byte, bool) {
	off := target - 4
	if off < -131072 || off >= 131072 {
		return nil, false
	}
	v := uint32(off<<6) | 6
	return []byte{byte(v), byte(v >> 8), byte(v >> 16)}, true
}

// PatchCall sets the target of the CALLn or J instruction at ins (at address
// p) to target. CALLn: (p & ~3) + 4 + offset*4; J: p + 4 + offset.
func PatchCall(ins []byte, p, target int64) error {
	w := uint32(ins[0]) | uint32(ins[1])<<8 | uint32(ins[2])<<16
	var off int64
	switch w & 0x3f {
	case 0x05, 0x15, 0x25, 0x35: // call0, call4, call8, call12
		if target&3 != 0 {
			return fmt.Errorf("call target %#x is not word-aligned", target)
		}
		off = (target - (p&^3 + 4)) >> 2
	case 0x06: // j
		off = target - (p + 4)
	default:
		return fmt.Errorf("instruction %06x is not a call or jump", w)
	}
	if off < -(1<<17) || off >= 1<<17 {
		return fmt.Errorf("target %#x is out of range of %#x", target, p)
	}
	w = w&0x3f | uint32(off&0x3ffff)<<6
	ins[0], ins[1], ins[2] = byte(w), byte(w>>8), byte(w>>16)
	return nil
}
