// Package x86 holds the x86 and x64 jump encoding.
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
