// This file implements a small Thumb decoder for the instructions natmod
// code uses most (golang.org/x/arch decodes ARM mode only); anything else is
// shown as hex.

package inspect

import (
	"fmt"
	"strings"
)

// armRegs are the register names objdump uses (r10 is sl, r11 fp).
var armRegs = [...]string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "sl", "fp", "ip", "sp", "lr", "pc"}

var armConds = [...]string{"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le"}

func regList(bits uint16, extra string) string {
	var rs []string
	for i := 0; i < 8; i++ {
		if bits&(1<<i) != 0 {
			rs = append(rs, armRegs[i])
		}
	}
	if extra != "" {
		rs = append(rs, extra)
	}
	return "{" + strings.Join(rs, ", ") + "}"
}

// thumb decodes the instruction at pc outside any IT block; it returns ""
// when it does not know it.
func thumb(b []byte, pc int) string {
	var d thumbDecoder
	return d.decode(b, pc)
}

// thumb16 decodes one 16-bit instruction.
func thumb16(b []byte, pc int) string {
	h := uint16(b[0]) | uint16(b[1])<<8
	r := func(shift uint) string { return armRegs[(h>>shift)&7] }
	switch {
	case h == 0xbf00 || h == 0x46c0: // 0x46c0: mov r8, r8, the ARMv6-M nop
		return "nop"
	case h&0xfe00 == 0xb400:
		extra := ""
		if h&0x100 != 0 {
			extra = "lr"
		}
		return "push " + regList(h&0xff, extra)
	case h&0xfe00 == 0xbc00:
		extra := ""
		if h&0x100 != 0 {
			extra = "pc"
		}
		return "pop " + regList(h&0xff, extra)
	case h&0xf800 == 0xe000:
		return fmt.Sprintf("b 0x%x", pc+4+int(int16(h<<5)>>4))
	case h&0xf000 == 0xd000 && (h>>8)&0xf < 14:
		return fmt.Sprintf("b%s 0x%x", armConds[(h>>8)&0xf], pc+4+int(int8(h))*2)
	case h&0xf800 == 0x4800:
		return fmt.Sprintf("ldr %s, [pc, #%d]", r(8), (h&0xff)*4)
	case h&0xff80 == 0x4700:
		return "bx " + armRegs[(h>>3)&0xf]
	case h&0xff80 == 0x4780:
		return "blx " + armRegs[(h>>3)&0xf]
	case h&0xff00 == 0x4600:
		return fmt.Sprintf("mov %s, %s", armRegs[(h&7)|(h>>4)&8], armRegs[(h>>3)&0xf])
	case h&0xff00 == 0x4400:
		return fmt.Sprintf("add %s, %s", armRegs[(h&7)|(h>>4)&8], armRegs[(h>>3)&0xf])
	case h&0xf800 == 0x2000:
		return fmt.Sprintf("movs %s, #%d", r(8), h&0xff)
	case h&0xf800 == 0x2800:
		return fmt.Sprintf("cmp %s, #%d", r(8), h&0xff)
	case h&0xf800 == 0x3000:
		return fmt.Sprintf("adds %s, #%d", r(8), h&0xff)
	case h&0xf800 == 0x3800:
		return fmt.Sprintf("subs %s, #%d", r(8), h&0xff)
	case h&0xfe00 == 0x1800:
		return fmt.Sprintf("adds %s, %s, %s", r(0), r(3), r(6))
	case h&0xfe00 == 0x1a00:
		return fmt.Sprintf("subs %s, %s, %s", r(0), r(3), r(6))
	case h&0xf800 == 0x6800:
		return fmt.Sprintf("ldr %s, [%s, #%d]", r(0), r(3), (h>>6&0x1f)*4)
	case h&0xf800 == 0x6000:
		return fmt.Sprintf("str %s, [%s, #%d]", r(0), r(3), (h>>6&0x1f)*4)
	case h&0xf800 == 0x9800:
		return fmt.Sprintf("ldr %s, [sp, #%d]", r(8), (h&0xff)*4)
	case h&0xf800 == 0x9000:
		return fmt.Sprintf("str %s, [sp, #%d]", r(8), (h&0xff)*4)
	case h&0xff80 == 0xb000:
		return fmt.Sprintf("add sp, #%d", (h&0x7f)*4)
	case h&0xff80 == 0xb080:
		return fmt.Sprintf("sub sp, #%d", (h&0x7f)*4)
	case h&0xffc0 == 0x4280:
		return fmt.Sprintf("cmp %s, %s", r(0), r(3))
	case h&0xe000 == 0x6000 || h&0xf000 == 0x8000: // LDR/STR{,B,H} with a 5-bit offset
		size := map[uint16]int{6: 4, 7: 1, 8: 2}[h>>12]
		mn := [...]string{"str", "ldr"}[h>>11&1] + map[int]string{4: "", 1: "b", 2: "h"}[size]
		return fmt.Sprintf("%s %s, [%s, #%d]", mn, r(0), r(3), int(h>>6&0x1f)*size)
	case h&0xf000 == 0x5000: // LDR/STR with a register offset
		mn := [...]string{"str", "strh", "strb", "ldrsb", "ldr", "ldrh", "ldrb", "ldrsh"}[h>>9&7]
		return fmt.Sprintf("%s %s, [%s, %s]", mn, r(0), r(3), r(6))
	case h&0xe000 == 0x0000 && h&0x1800 != 0x1800: // LSL, LSR, ASR by an immediate
		op, imm := h>>11&3, int(h>>6&0x1f)
		if op == 0 && imm == 0 {
			return fmt.Sprintf("movs %s, %s", r(0), r(3))
		}
		if op != 0 && imm == 0 {
			imm = 32
		}
		return fmt.Sprintf("%s %s, %s, #%d", [...]string{"lsls", "lsrs", "asrs"}[op], r(0), r(3), imm)
	case h&0xfc00 == 0x1c00: // ADD, SUB with a 3-bit immediate
		return fmt.Sprintf("%s %s, %s, #%d", [...]string{"adds", "subs"}[h>>9&1], r(0), r(3), h>>6&7)
	case h&0xfc00 == 0x4000: // data processing between low registers
		op := h >> 6 & 0xf
		mn := [...]string{"ands", "eors", "lsls", "lsrs", "asrs", "adcs", "sbcs", "rors", "tst", "negs", "cmp", "cmn", "orrs", "muls", "bics", "mvns"}[op]
		if op == 9 {
			return fmt.Sprintf("negs %s, %s", r(0), r(3))
		}
		if op == 13 {
			return fmt.Sprintf("muls %s, %s", r(0), r(3))
		}
		return fmt.Sprintf("%s %s, %s", mn, r(0), r(3))
	case h&0xf500 == 0xb100: // CBZ, CBNZ
		mn := [...]string{"cbz", "cbnz"}[h>>11&1]
		return fmt.Sprintf("%s %s, 0x%x", mn, r(0), pc+4+int(h>>9&1)<<6+int(h>>3&0x1f)<<1)
	case h&0xff00 == 0xb200: // SXTH, SXTB, UXTH, UXTB
		return fmt.Sprintf("%s %s, %s", [...]string{"sxth", "sxtb", "uxth", "uxtb"}[h>>6&3], r(0), r(3))
	case h&0xf000 == 0xc000: // LDMIA, STMIA
		rn := (h >> 8) & 7
		base := armRegs[rn]
		if h&0x800 == 0 || h&(1<<rn) == 0 {
			base += "!"
		}
		return fmt.Sprintf("%s %s, %s", [...]string{"stmia", "ldmia"}[h>>11&1], base, regList(h&0xff, ""))
	case h&0xf800 == 0xa800:
		return fmt.Sprintf("add %s, sp, #%d", r(8), (h&0xff)*4)
	}
	return ""
}
