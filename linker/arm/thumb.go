// Package arm holds the Thumb relocation and jump encodings for the ARMv6-M
// and ARMv7-M targets.
package arm

import "encoding/binary"

var le = binary.LittleEndian

// PatchBranch adds v to the displacement of the 32-bit Thumb-2 BL or B.W at
// ins[0:4], as mpy_ld.py does for R_ARM_THM_CALL and R_ARM_THM_JUMP24: only
// S:imm10 and imm11 are rewritten, J1/J2 are kept as assembled (GAS emits
// J1 = J2 = 1, valid for ±4 MiB).
func PatchBranch(ins []byte, v int64) {
	h, l := le.Uint16(ins), le.Uint16(ins[2:])
	cur := int64(h&0x7ff)<<12 | int64(l&0x7ff)<<1
	if cur >= 0x400000 {
		cur -= 0x800000
	}
	n := cur + v
	le.PutUint16(ins, h&0xf800|uint16(n>>12)&0x7ff)
	le.PutUint16(ins[2:], l&0xf800|uint16(n>>1)&0x7ff)
}

// B encodes the 16-bit Thumb "b" at offset 0 that reaches target:
// imm11 = (target - 4) >> 1. It reports false when target is out of range.
func B(target int64) ([]byte, bool) {
	off := target - 4
	if off < -2048 || off >= 2048 {
		return nil, false
	}
	return le.AppendUint16(nil, 0xe000|uint16(off>>1)&0x7ff), true // e.g. 0xe7fe // b .
}

// BW encodes the 32-bit Thumb-2 "b.w" at offset 0 that reaches target, with
// J1 = J2 = 1 as v1.28 writes it (valid within ±4 MiB).
func BW(target int64) ([]byte, bool) {
	off := target - 4
	if off < -(1<<22) || off >= 1<<22 {
		return nil, false
	}
	b := le.AppendUint16(nil, 0xf000|uint16(off>>12)&0x7ff)
	return le.AppendUint16(b, 0xb800|uint16(off>>1)&0x7ff), true
}

// PushBLPop encodes the ARMv6-M long entry at offset 0:
// push {r0, lr}; bl target; pop {r0, pc}. The BL sits at offset 2.
func PushBLPop(target int64) ([]byte, bool) {
	off := target - 6
	if off < -(1<<22) || off >= 1<<22 {
		return nil, false
	}
	b := le.AppendUint16(nil, 0xb501)                    // push {r0, lr}
	b = le.AppendUint16(b, 0xf000|uint16(off>>12)&0x7ff) // bl (high half)
	b = le.AppendUint16(b, 0xf800|uint16(off>>1)&0x7ff)  // bl (low half)
	return le.AppendUint16(b, 0xbd01), true              // pop {r0, pc}
}
