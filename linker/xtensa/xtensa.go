// Package xtensa holds the Xtensa L32R relocation and jump encodings.
package xtensa

import "fmt"

// PatchL32R sets the L32R at ins[0:3], at address p, to load the word at
// target: imm16 = (target - ((p + 3) & ~3)) >> 2, as the CPU computes
// ((p + 3) & ~3) + (imm16 | 0xffff0000) * 4. What the field held is ignored,
// as GNU ld does: GNU as leaves 0, LLVM's assembler 0xffff where p is not a
// multiple of 4 (21 ff ff: l32r a2, . - 3). For the 0 that GNU as leaves this
// equals mpy_ld.py's ((0 + target - p) >> 2) & 0xffff.
func PatchL32R(ins []byte, p, target int64) error {
	w := uint32(ins[0]) | uint32(ins[1])<<8 | uint32(ins[2])<<16
	if w&0xf != 1 {
		return fmt.Errorf("instruction %06x is not an l32r", w)
	}
	if !InL32RRange(p, target) || target&3 != 0 {
		return fmt.Errorf("literal at %#x is out of l32r range of %#x (word-aligned, up to 256 KiB back)", target, p)
	}
	imm := (target - ((p + 3) &^ 3)) >> 2
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

// The instructions of mpyld's own Xtensa stubs (data.go), in the core ISA,
// little-endian; each checked against GNU as (lx106) and LLVM (esp32).

// L32R encodes "l32r at, target" at address pc; target is word-aligned and
// at most 256 KiB before pc.
func L32R(at int, pc, target int64) ([]byte, error) {
	if !InL32RRange(pc, target) || target&3 != 0 {
		return nil, fmt.Errorf("l32r at %#x cannot load %#x", pc, target)
	}
	imm := (target - ((pc + 3) &^ 3)) >> 2
	return []byte{byte(at<<4 | 1), byte(imm), byte(imm >> 8)}, nil // e.g. 81 fd ff: l32r a8, .-12
}

// rri8 encodes the RRI8 format: op0 2, r in bits 12..15, imm8 in 16..23.
func rri8(r, t, s int, imm8 int) []byte {
	return []byte{byte(t<<4 | 2), byte(r<<4 | s), byte(imm8)}
}

// L32I encodes "l32i at, as, off" (off a multiple of 4 up to 1020).
func L32I(at, as, off int) []byte { return rri8(2, at, as, off>>2) } // b2 28 00: l32i a11, a8, 0

// S32I encodes "s32i at, as, off".
func S32I(at, as, off int) []byte { return rri8(6, at, as, off>>2) } // b2 69 00: s32i a11, a9, 0

// ADDI encodes "addi at, as, imm" (imm in -128..127).
func ADDI(at, as, imm int) []byte { return rri8(12, at, as, imm) } // 82 c8 04: addi a8, a8, 4

// BNEZ encodes "bnez as, target" at address pc: BRI12, target = pc + 4 + imm12.
func BNEZ(as int, pc, target int64) ([]byte, error) {
	imm := target - pc - 4
	if imm < -2048 || imm >= 2048 {
		return nil, fmt.Errorf("bnez at %#x cannot reach %#x", pc, target)
	}
	return []byte{0x56, byte(as) | byte(imm&0xf)<<4, byte(imm >> 4)}, nil // 56 da fe: bnez a10, .-15
}

// MOV encodes "mov ar, as" as "or ar, as, as" (RRR, op2 2).
func MOV(ar, as int) []byte { return []byte{byte(as << 4), byte(ar<<4 | as), 0x20} } // 20 a2 20: or a10, a2, a2

// Entry encodes the windowed ABI's "entry as, frame" (frame a multiple of 8).
func Entry(as, frame int) []byte {
	imm := frame >> 3
	return []byte{0x36, byte(as) | byte(imm&0xf)<<4, byte(imm >> 4)} // 36 41 00: entry a1, 32
}

// RETW is the windowed ABI's return.
var RETW = []byte{0x90, 0x00, 0x00}

// Call8 and Jump are a call8 and a j with offset 0, for PatchCall.
var (
	Call8 = []byte{0x25, 0x00, 0x00}
	Jump  = []byte{0x06, 0x00, 0x00}
)
