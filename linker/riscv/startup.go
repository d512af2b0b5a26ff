// This file implements the start-up stub that sets up writable data on
// rv32imc before mpy_init runs (linker/data.go): it copies the data's
// initial image to the start of the bss block, then rewrites every
// auipc/lo12 pair that reaches a variable there for the distance from text
// to bss. On RV32 such a pair reaches any address mod 2^32, so the result is
// exact however far apart the loader placed the two.

package riscv

import "encoding/binary"

// Startup is an encoded start-up stub: code at offset 0 that ends in a jump
// to mpy_init, then 32-bit words.
type Startup struct {
	Code []byte
	Jump int // offset of the final jal x0 to mpy_init
	// Offsets of the words: the bss block (kind bss, 0), the text (kind
	// text, 0), the image (kind text, its offset), the image's word count,
	// the pair count, then per pair three words: the auipc (kind text, its
	// offset), the lo12 instruction (kind text, its offset, plus 1 for an
	// S-type store), and the pair's link-time value S + A - P with S an
	// offset in bss.
	BSS, Text, Image, Count, Pairs, Table int
}

// Registers: mpy_init's arguments in a0-a3 are left alone.
const (
	x0, t0, t1, t2, a4, a5, a6, a7, t3, t4, t5, t6 = 0, 5, 6, 7, 14, 15, 16, 17, 28, 29, 30, 31
)

func rType(f7, rs2, rs1, f3, rd uint32) uint32 {
	return f7<<25 | rs2<<20 | rs1<<15 | f3<<12 | rd<<7 | 0x33
}

func iType(op, f3, rd, rs1 uint32, imm int32) uint32 {
	return uint32(imm)<<20 | rs1<<15 | f3<<12 | rd<<7 | op
}

func sType(f3, rs2, rs1 uint32, imm int32) uint32 {
	u := uint32(imm)
	return (u>>5&0x7f)<<25 | rs2<<20 | rs1<<15 | f3<<12 | (u&0x1f)<<7 | 0x23
}

func bType(f3, rs1, rs2 uint32, off int32) uint32 {
	u := uint32(off)
	return (u>>12&1)<<31 | (u>>5&0x3f)<<25 | rs2<<20 | rs1<<15 | f3<<12 | (u>>1&0xf)<<8 | (u>>11&1)<<7 | 0x63
}

func uType(op, rd, imm20 uint32) uint32 { return imm20<<12 | rd<<7 | op }

// Stub encodes the stub for an image of words 4-byte words and pairs
// auipc/lo12 pairs. Decoded (offsets in the words are from the stub's start):
//
//	auipc t0, 0             ; t0 = the stub
//	lw t1, BSS(t0); lw t2, Text(t0); sub t1, t1, t2   ; t1 = bss - text
//	lw t2, Image(t0); lw t3, BSS(t0); lw t4, Count(t0); beqz t4, 2f
//	1: lw t5, 0(t2); sw t5, 0(t3); addi t2, t2, 4; addi t3, t3, 4; addi t4, t4, -1; bnez t4, 1b
//	2: addi t2, t0, Table; lw t4, Pairs(t0); beqz t4, 4f
//	3: lw a4, 0(t2); lw a5, 4(t2); lw a6, 8(t2); add a6, a6, t1   ; a6 = the run-time value
//	   lui a7, 1; addi a7, a7, -2048; add a7, a6, a7; lui t5, 0xfffff; and a7, a7, t5   ; hi
//	   sub a6, a6, a7                                              ; lo
//	   the auipc at a4, read and written in halfwords: keep bits 0-11, or in hi
//	   andi t6, a5, 1; andi a5, a5, -2; read the instruction at a5
//	   bnez t6, 5f; I-type: keep bits 0-19, or in lo << 20; j 6f
//	5: S-type: keep 0x01fff07f, or in lo[4:0] << 7 and lo[11:5] << 25
//	6: write it back; addi t2, t2, 12; addi t4, t4, -1; bnez t4, 3b
//	4: fence.i; jal x0, mpy_init
func Stub(words, pairs int) Startup {
	const n = 66 // instructions
	s := Startup{Jump: 4 * (n - 1), BSS: 4 * n, Text: 4*n + 4, Image: 4*n + 8, Count: 4*n + 12, Pairs: 4*n + 16, Table: 4*n + 20}
	var ins []uint32
	lw := func(rd, rs1 uint32, off int) { ins = append(ins, iType(0x03, 2, rd, rs1, int32(off))) }
	lhu := func(rd, rs1 uint32, off int) { ins = append(ins, iType(0x03, 5, rd, rs1, int32(off))) }
	sw := func(rs2, rs1 uint32, off int) { ins = append(ins, sType(2, rs2, rs1, int32(off))) }
	sh := func(rs2, rs1 uint32, off int) { ins = append(ins, sType(1, rs2, rs1, int32(off))) }
	addi := func(rd, rs1 uint32, imm int) { ins = append(ins, iType(0x13, 0, rd, rs1, int32(imm))) }
	andi := func(rd, rs1 uint32, imm int) { ins = append(ins, iType(0x13, 7, rd, rs1, int32(imm))) }
	slli := func(rd, rs1 uint32, sh int) { ins = append(ins, iType(0x13, 1, rd, rs1, int32(sh))) }
	srli := func(rd, rs1 uint32, sh int) { ins = append(ins, iType(0x13, 5, rd, rs1, int32(sh))) }
	add := func(rd, rs1, rs2 uint32) { ins = append(ins, rType(0, rs2, rs1, 0, rd)) }
	sub := func(rd, rs1, rs2 uint32) { ins = append(ins, rType(0x20, rs2, rs1, 0, rd)) }
	and := func(rd, rs1, rs2 uint32) { ins = append(ins, rType(0, rs2, rs1, 7, rd)) }
	or := func(rd, rs1, rs2 uint32) { ins = append(ins, rType(0, rs2, rs1, 6, rd)) }
	lui := func(rd, imm20 uint32) { ins = append(ins, uType(0x37, rd, imm20)) }
	// Branches are patched once their targets are known.
	type fix struct {
		at  int
		to  string
		jal bool
	}
	var fixes []fix
	label := map[string]int{}
	branch := func(f3, rs1 uint32, to string) {
		fixes = append(fixes, fix{len(ins), to, false})
		ins = append(ins, bType(f3, rs1, x0, 0))
	}
	here := func(name string) { label[name] = len(ins) }

	ins = append(ins, uType(0x17, t0, 0)) // auipc t0, 0
	lw(t1, t0, s.BSS)
	lw(t2, t0, s.Text)
	sub(t1, t1, t2)
	lw(t2, t0, s.Image)
	lw(t3, t0, s.BSS)
	lw(t4, t0, s.Count)
	branch(0, t4, "2") // beqz t4, 2f
	here("1")
	lw(t5, t2, 0)
	sw(t5, t3, 0)
	addi(t2, t2, 4)
	addi(t3, t3, 4)
	addi(t4, t4, -1)
	branch(1, t4, "1") // bnez t4, 1b
	here("2")
	addi(t2, t0, s.Table)
	lw(t4, t0, s.Pairs)
	branch(0, t4, "4")
	here("3")
	lw(a4, t2, 0)
	lw(a5, t2, 4)
	lw(a6, t2, 8)
	add(a6, a6, t1)
	lui(a7, 1)
	addi(a7, a7, -2048)
	add(a7, a6, a7)
	lui(t5, 0xfffff)
	and(a7, a7, t5)
	sub(a6, a6, a7)
	lhu(t5, a4, 0)
	lhu(t6, a4, 2)
	slli(t6, t6, 16)
	or(t5, t5, t6)
	slli(t5, t5, 20)
	srli(t5, t5, 20)
	or(t5, t5, a7)
	sh(t5, a4, 0)
	srli(t6, t5, 16)
	sh(t6, a4, 2)
	andi(t6, a5, 1)
	andi(a5, a5, -2)
	lhu(t5, a5, 0)
	lhu(a4, a5, 2)
	slli(a4, a4, 16)
	or(t5, t5, a4)
	branch(1, t6, "5")
	slli(t5, t5, 12)
	srli(t5, t5, 12)
	slli(a4, a6, 20)
	or(t5, t5, a4)
	fixes = append(fixes, fix{len(ins), "6", true}) // j 6f
	ins = append(ins, 0)
	here("5")
	lui(a4, 0x1fff)
	addi(a4, a4, 0x7f)
	and(t5, t5, a4)
	andi(a4, a6, 0x1f)
	slli(a4, a4, 7)
	or(t5, t5, a4)
	srli(a4, a6, 5)
	slli(a4, a4, 25)
	or(t5, t5, a4)
	here("6")
	sh(t5, a5, 0)
	srli(a4, t5, 16)
	sh(a4, a5, 2)
	addi(t2, t2, 12)
	addi(t4, t4, -1)
	branch(1, t4, "3")
	here("4")
	ins = append(ins, 0x0000100f) // fence.i
	ins = append(ins, 0x0000006f) // jal x0, . (patched to mpy_init)
	for _, f := range fixes {
		off := int32(4 * (label[f.to] - f.at))
		if f.jal {
			ins[f.at] = jal(x0, off)
			continue
		}
		ins[f.at] |= bType(0, 0, 0, off) &^ 0x63
	}
	b := make([]byte, 0, s.Table+12*pairs)
	for _, w := range ins {
		b = binary.LittleEndian.AppendUint32(b, w)
	}
	b = binary.LittleEndian.AppendUint32(b, 0) // BSS
	b = binary.LittleEndian.AppendUint32(b, 0) // Text
	b = binary.LittleEndian.AppendUint32(b, 0) // Image
	b = binary.LittleEndian.AppendUint32(b, uint32(words))
	b = binary.LittleEndian.AppendUint32(b, uint32(pairs))
	s.Code = append(b, make([]byte, 12*pairs)...)
	return s
}

func jal(rd uint32, off int32) uint32 {
	u := uint32(off)
	return (u>>20&1)<<31 | (u>>1&0x3ff)<<21 | (u>>11&1)<<20 | (u>>12&0xff)<<12 | rd<<7 | 0x6f
}
