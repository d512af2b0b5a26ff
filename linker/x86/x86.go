// Package x86 holds the x86 and x64 jump encodings.
package x86

import "encoding/binary"

// Jmp32 encodes "jmp rel32" at offset 0 that reaches target: E9, target - 5.
func Jmp32(target int64) ([]byte, bool) {
	rel := target - 5
	if rel < -(1<<31) || rel >= 1<<31 {
		return nil, false
	}
	return binary.LittleEndian.AppendUint32([]byte{0xe9}, uint32(rel)), true
}

// Jmp8 encodes the short "jmp rel8" at offset 0 that reaches target: EB,
// target - 2 (the development branch's entry jump when it reaches).
func Jmp8(target int64) ([]byte, bool) {
	rel := target - 2
	if rel < -128 || rel >= 128 {
		return nil, false
	}
	return []byte{0xeb, byte(rel)}, true // e.g. eb fe: jmp .
}
