// This file implements a small Thumb decoder for the instructions natmod
// code uses most (golang.org/x/arch decodes ARM mode only); anything else is
// shown as hex.

package inspect

import (
	"fmt"
	"strings"
)

var armRegs = [...]string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "ip", "sp", "lr", "pc"}

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

// thumb decodes the instruction at pc; it returns "" when it does not know it.
func thumb(b []byte, pc int) string {
	h := uint16(b[0]) | uint16(b[1])<<8
	if len(b) == 4 {
		l := uint16(b[2]) | uint16(b[3])<<8
		if h&0xf800 == 0xf000 && l&0xc000 == 0xc000 || h&0xf800 == 0xf000 && l&0xd000 == 0x9000 {
			s := uint32(h>>10) & 1
			i1 := ^(uint32(l>>13) ^ s) & 1
			i2 := ^(uint32(l>>11) ^ s) & 1
			off := int32((s<<24|i1<<23|i2<<22|uint32(h&0x3ff)<<12|uint32(l&0x7ff)<<1)<<7) >> 7
			op := "bl"
			if l&0x1000 != 0 && l&0x4000 == 0 {
				op = "b.w"
			}
			return fmt.Sprintf("%s 0x%x", op, pc+4+int(off))
		}
		return ""
	}
	r := func(shift uint) string { return armRegs[(h>>shift)&7] }
	switch {
	case h == 0xbf00:
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
	}
	return ""
}
