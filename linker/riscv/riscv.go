// Package riscv holds the RISC-V relocation and jump encodings (RV32 and RV64,
// compressed instructions included), per the RISC-V ELF psABI.
package riscv

import "encoding/binary"

var le = binary.LittleEndian

// Split divides x into the hi20/lo12 pair that auipc/lui plus a sign-extended
// 12-bit immediate add back up to x: hi is a multiple of 0x1000 (mod 2^32)
// and lo the raw 12-bit pattern.
func Split(x int64) (hi, lo uint32) {
	if x > -2048 && x < 0 {
		return 0, uint32(x + 4096)
	}
	u := uint64(x) & 0xffffffff
	hi, lo = uint32(u&0xfffff000), uint32(u&0xfff)
	if lo&0x800 != 0 {
		hi += 0x1000
	}
	return hi, lo
}

// PatchHi20 sets the U-type immediate (auipc, lui) at ins to hi(r).
func PatchHi20(ins []byte, r int64) {
	hi, _ := Split(r)
	le.PutUint32(ins, le.Uint32(ins)&0xfff|hi)
}

// PatchLo12I sets the I-type immediate (addi, loads, jalr) at ins to lo(r).
func PatchLo12I(ins []byte, r int64) {
	_, lo := Split(r)
	le.PutUint32(ins, le.Uint32(ins)&0xfffff|(lo&0xfff)<<20)
}

// PatchLo12S sets the S-type immediate (stores) at ins to lo(r): imm[11:5]
// in bits 31..25, imm[4:0] in bits 11..7. (v1.28 masks with 0xfe000f80,
// which keeps the old immediate and clears the opcode and registers.)
func PatchLo12S(ins []byte, r int64) {
	_, lo := Split(r)
	le.PutUint32(ins, le.Uint32(ins)&0x01fff07f|(lo&0xfe0)<<20|(lo&0x1f)<<7)
}

// PatchCall sets the auipc+jalr pair at ins[0:8] to reach r bytes away.
func PatchCall(ins []byte, r int64) {
	hi, lo := Split(r)
	le.PutUint32(ins, le.Uint32(ins)&0xfff|hi)
	le.PutUint32(ins[4:], le.Uint32(ins[4:])&0xfffff|lo<<20)
}

// PatchB sets the B-type (conditional branch) offset at ins to r.
func PatchB(ins []byte, r int64) {
	u := uint32(r)
	w := le.Uint32(ins)&0x01fff07f | (u&0x1000)<<19 | (u&0x800)>>4 | (u&0x7e0)<<20 | (u&0x1e)<<7
	le.PutUint32(ins, w)
}

// PatchJ sets the J-type (jal) offset at ins to r.
func PatchJ(ins []byte, r int64) {
	u := uint32(r)
	w := le.Uint32(ins)&0xfff | (u&0x100000)<<11 | u&0xff000 | (u&0x800)<<9 | (u&0x7fe)<<20
	le.PutUint32(ins, w)
}

// PatchCB sets the offset of the compressed branch (c.beqz, c.bnez) at ins to r.
func PatchCB(ins []byte, r int64) {
	u := uint16(r)
	h := le.Uint16(ins)&0xe383 | (u&0x100)<<4 | (u&0xc0)>>1 | (u&0x20)>>3 | (u&0x18)<<7 | (u&0x06)<<2
	le.PutUint16(ins, h)
}

// cjImm scatters a c.j/c.jal offset into its instruction bits.
func cjImm(u uint16) uint16 {
	return (u&0x800)<<1 | (u&0x400)>>2 | (u&0x300)<<1 | (u&0x80)>>1 | (u&0x40)<<1 | (u&0x20)>>3 | (u&0x10)<<7 | (u&0x0e)<<2
}

// PatchCJ sets the offset of the compressed jump (c.j, c.jal) at ins to r.
func PatchCJ(ins []byte, r int64) {
	le.PutUint16(ins, le.Uint16(ins)&0xe003|cjImm(uint16(r)))
}

// Width is the size in bits of an ADD/SUB/SET field: 6, 8, 16, 32 or 64.
// A 6-bit field is the low bits of one byte.
func fieldBytes(bits int) int {
	if bits <= 8 {
		return 1
	}
	return bits / 8
}

func getField(b []byte, bits int) uint64 {
	switch fieldBytes(bits) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(le.Uint16(b))
	case 4:
		return uint64(le.Uint32(b))
	}
	return le.Uint64(b)
}

func putField(b []byte, bits int, v uint64) {
	switch fieldBytes(bits) {
	case 1:
		b[0] = byte(v)
	case 2:
		le.PutUint16(b, uint16(v))
	case 4:
		le.PutUint32(b, uint32(v))
	default:
		le.PutUint64(b, v)
	}
}

func mask(bits int) uint64 {
	if bits == 64 {
		return ^uint64(0)
	}
	return 1<<bits - 1
}

// FieldSize is the number of bytes an ADD/SUB/SET relocation of bits touches.
func FieldSize(bits int) int { return fieldBytes(bits) }

// Add adds x to the low bits of the field at b (R_RISCV_ADD8/16/32/64).
func Add(b []byte, bits int, x int64) {
	f, m := getField(b, bits), mask(bits)
	putField(b, bits, f&^m|(f&m+uint64(x))&m)
}

// Sub subtracts x from the low bits of the field at b (R_RISCV_SUB6/8/16/32/64).
func Sub(b []byte, bits int, x int64) {
	f, m := getField(b, bits), mask(bits)
	putField(b, bits, f&^m|(f&m-uint64(x))&m)
}

// Set stores x in the low bits of the field at b (R_RISCV_SET6/8/16/32).
func Set(b []byte, bits int, x int64) {
	f, m := getField(b, bits), mask(bits)
	putField(b, bits, f&^m|uint64(x)&m)
}

// CJ encodes the 2-byte "c.j target" at offset 0.
func CJ(target int64) ([]byte, bool) {
	if target < -2048 || target >= 2048 || target&1 != 0 {
		return nil, false
	}
	return le.AppendUint16(nil, 0xa001|cjImm(uint16(target))), true
}

// AuipcJalr encodes the 8-byte "auipc t6, hi; jalr x0, lo(t6)" at offset 0
// that reaches target.
func AuipcJalr(target int64) ([]byte, bool) {
	if target < -(1<<31) || target >= 1<<31-2048 {
		return nil, false
	}
	hi, lo := Split(target)
	b := le.AppendUint32(nil, hi|0x00000f97)
	return le.AppendUint32(b, lo<<20|0x000f8067), true
}
