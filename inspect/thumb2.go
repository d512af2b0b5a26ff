// This file implements decoding the 32-bit Thumb-2 instructions GCC emits
// for armv7m and armv7em natmods (ARMv7-M Architecture Reference Manual,
// A5.3 and A6), IT blocks, and the VFP loads, moves and arithmetic of
// armv7emsp/armv7emdp. Text follows GNU objdump, which the tests compare
// with; anything else is left to the hex fallback.

package inspect

import (
	"fmt"
	"math/bits"
	"strings"
)

// thumbDecoder decodes Thumb code in order, remembering the conditions an
// IT instruction puts on the instructions after it.
type thumbDecoder struct {
	it []uint16 // conditions of the next instructions in an IT block
}

// decode decodes the 2- or 4-byte instruction b at pc, or returns "".
func (d *thumbDecoder) decode(b []byte, pc int) string {
	cond := -1
	if len(d.it) > 0 {
		cond, d.it = int(d.it[0]), d.it[1:]
	}
	h := uint16(b[0]) | uint16(b[1])<<8
	var text string
	if len(b) == 4 {
		text = thumb32(h, uint16(b[2])|uint16(b[3])<<8, pc)
	} else if h&0xff00 == 0xbf00 && h&0xf != 0 {
		text = d.startIT(h)
	} else {
		text = thumb16(b, pc)
	}
	if text == "" || cond < 0 || cond >= 14 {
		return text
	}
	return withCond(text, armConds[cond], len(b) == 2)
}

// startIT decodes IT and sets up the conditions of the block (A6.7.37):
// each mask bit above the lowest set one says whether the next instruction
// takes firstcond (t) or its inverse (e).
func (d *thumbDecoder) startIT(h uint16) string {
	first, mask := h>>4&0xf, h&0xf
	n := 4 - bits.TrailingZeros16(mask)
	d.it = []uint16{first}
	name := "it"
	for i := 1; i < n; i++ {
		bit := mask >> (4 - i) & 1
		d.it = append(d.it, first&0xe|bit)
		if bit == first&1 {
			name += "t"
		} else {
			name += "e"
		}
	}
	if first >= 14 {
		return ""
	}
	return name + " " + armConds[first]
}

// withCond puts the condition into a mnemonic, as objdump shows
// instructions in IT blocks: before a .w, and for 16-bit instructions
// without the s they have outside IT blocks (they do not set flags there).
func withCond(text, cond string, narrow bool) string {
	mn, rest, _ := strings.Cut(text, " ")
	suffix := ""
	if m, ok := strings.CutSuffix(mn, ".w"); ok {
		mn, suffix = m, ".w"
	}
	if narrow && len(mn) > 1 && strings.HasSuffix(mn, "s") && !strings.HasPrefix(mn, "b") {
		switch mn {
		case "movs", "adds", "subs", "lsls", "lsrs", "asrs", "ands", "orrs", "eors", "bics", "mvns", "muls", "adcs", "sbcs", "rors", "negs", "rsbs":
			mn = strings.TrimSuffix(mn, "s")
		}
	}
	return mn + cond + suffix + " " + rest
}

// thumb32 decodes one 32-bit instruction, first halfword h, second l.
func thumb32(h, l uint16, pc int) string {
	switch {
	case h&0xf800 == 0xf000 && l&0x8000 == 0x8000:
		return branch32(h, l, pc)
	case h&0xfe00 == 0xf800:
		return loadStore32(h, l)
	case h&0xfe40 == 0xe840 && h&0x0120 != 0:
		return loadStoreDual(h, l)
	case h&0xfe50 == 0xe810 || h&0xfe50 == 0xe800:
		return loadStoreMultiple(h, l)
	case h&0xfa00 == 0xf000 && l&0x8000 == 0:
		return dataModImm(h, l)
	case h&0xfa00 == 0xf200 && l&0x8000 == 0:
		return dataPlainImm(h, l)
	case h&0xfe00 == 0xea00:
		return dataShiftedReg(h, l)
	case h&0xff00 == 0xfa00 && l&0xf080 == 0xf000:
		return shiftReg(h, l)
	case h&0xff80 == 0xfb00:
		return multiply(h, l)
	case h&0xff80 == 0xfb80:
		return longMultiply(h, l)
	case h&0xef00 == 0xed00 && l&0x0e00 == 0x0a00:
		return vfpLoadStore(h, l)
	case h&0xef00 == 0xee00 && l&0x0e10 == 0x0a00:
		return vfpData(h, l)
	case h&0xffe0 == 0xee00 && l&0x0f7f == 0x0a10:
		return vfpMoveSingle(h, l)
	case h&0xffe0 == 0xec40 && l&0x0fd0 == 0x0b10:
		return vfpMoveDouble(h, l)
	case h == 0xeef1 && l&0x0fff == 0x0a10:
		if l>>12 == 15 {
			return "vmrs APSR_nzcv, fpscr"
		}
		return "vmrs " + armRegs[l>>12] + ", fpscr"
	}
	return ""
}

// branch32 decodes B (T3, T4) and BL (A6.7.12, A6.7.18).
func branch32(h, l uint16, pc int) string {
	s := uint32(h>>10) & 1
	j1, j2 := uint32(l>>13)&1, uint32(l>>11)&1
	switch {
	case l&0x5000 == 0x5000 || l&0x5000 == 0x1000: // BL, B.W (T4)
		i1, i2 := ^(j1^s)&1, ^(j2^s)&1
		off := int32((s<<24|i1<<23|i2<<22|uint32(h&0x3ff)<<12|uint32(l&0x7ff)<<1)<<7) >> 7
		op := "bl"
		if l&0x4000 == 0 {
			op = "b.w"
		}
		return fmt.Sprintf("%s 0x%x", op, pc+4+int(off))
	case l&0x5000 == 0x0000: // B<c>.W (T3)
		c := h >> 6 & 0xf
		if c >= 14 {
			return ""
		}
		off := int32((s<<20|j2<<19|j1<<18|uint32(h&0x3f)<<12|uint32(l&0x7ff)<<1)<<11) >> 11
		return fmt.Sprintf("b%s.w 0x%x", armConds[c], pc+4+int(off))
	}
	return ""
}

// memOffset writes [rn, #imm] as objdump does: no offset when it is 0.
func memOffset(rn uint16, imm int) string {
	if imm == 0 {
		return "[" + armRegs[rn] + "]"
	}
	return fmt.Sprintf("[%s, #%d]", armRegs[rn], imm)
}

// loadStore32 decodes LDR/STR{B,H,SB,SH} with a 12-bit offset, an 8-bit
// offset (with pre- or post-indexing) or a shifted register (A5.3.7-10).
func loadStore32(h, l uint16) string {
	sign, imm12, size, load, rn := h>>8&1, h>>7&1, h>>5&3, h>>4&1, h&0xf
	rt := l >> 12
	if size == 3 || sign == 1 && load == 0 || rt == 15 && size != 2 {
		return "" // undefined, or preload hints
	}
	mn := "str"
	if load == 1 {
		mn = "ldr"
	}
	if sign == 1 {
		mn += "s"
	}
	mn += [...]string{"b", "h", ""}[size]
	switch {
	case rn == 15 && load == 1: // literal
		imm := int(l & 0xfff)
		if h&0x80 == 0 {
			imm = -imm
		}
		return fmt.Sprintf("%s.w %s, [pc, #%d]", mn, armRegs[rt], imm)
	case imm12 == 1:
		return fmt.Sprintf("%s.w %s, %s", mn, armRegs[rt], memOffset(rn, int(l&0xfff)))
	case l&0x0fc0 == 0: // register
		shift := ""
		if n := l >> 4 & 3; n != 0 {
			shift = fmt.Sprintf(", lsl #%d", n)
		}
		return fmt.Sprintf("%s.w %s, [%s, %s%s]", mn, armRegs[rt], armRegs[rn], armRegs[l&0xf], shift)
	case l&0x0800 == 0x0800: // 8-bit offset: 1 P U W imm8
		p, u, w := l>>10&1, l>>9&1, l>>8&1
		imm := int(l & 0xff)
		if u == 0 {
			imm = -imm
		}
		switch {
		case p == 1 && u == 1 && w == 0:
			return fmt.Sprintf("%st %s, %s", mn, armRegs[rt], memOffset(rn, imm))
		case p == 1 && w == 0:
			return fmt.Sprintf("%s.w %s, [%s, #%d]", mn, armRegs[rt], armRegs[rn], imm)
		case p == 1:
			return fmt.Sprintf("%s.w %s, [%s, #%d]!", mn, armRegs[rt], armRegs[rn], imm)
		case w == 1:
			return fmt.Sprintf("%s.w %s, [%s], #%d", mn, armRegs[rt], armRegs[rn], imm)
		}
	}
	return ""
}

// loadStoreDual decodes LDRD/STRD with an immediate offset (A6.7.50).
func loadStoreDual(h, l uint16) string {
	p, u, w, load, rn := h>>8&1, h>>7&1, h>>5&1, h>>4&1, h&0xf
	mn := "strd"
	if load == 1 {
		mn = "ldrd"
	}
	imm := int(l&0xff) * 4
	if u == 0 {
		imm = -imm
	}
	regs := armRegs[l>>12] + ", " + armRegs[l>>8&0xf]
	switch {
	case p == 1 && w == 0:
		return fmt.Sprintf("%s %s, %s", mn, regs, memOffset(rn, imm))
	case p == 1:
		return fmt.Sprintf("%s %s, [%s, #%d]!", mn, regs, armRegs[rn], imm)
	}
	return fmt.Sprintf("%s %s, [%s], #%d", mn, regs, armRegs[rn], imm)
}

// loadStoreMultiple decodes LDM/STM, increment after or decrement before.
func loadStoreMultiple(h, l uint16) string {
	op, w, load, rn := h>>7&3, h>>5&1, h>>4&1, h&0xf
	var mn string
	switch {
	case op == 1 && load == 1:
		mn = "ldmia.w"
	case op == 1:
		mn = "stmia.w"
	case op == 2 && load == 1:
		mn = "ldmdb"
	case op == 2:
		mn = "stmdb"
	default:
		return ""
	}
	var rs []string
	for i := 0; i < 16; i++ {
		if l&(1<<i) != 0 {
			rs = append(rs, armRegs[i])
		}
	}
	base := armRegs[rn]
	if w == 1 {
		base += "!"
	}
	return fmt.Sprintf("%s %s, {%s}", mn, base, strings.Join(rs, ", "))
}

// thumbExpandImm is the constant of a modified immediate (A5.3.2).
func thumbExpandImm(imm12 uint32) uint32 {
	if imm12>>10 == 0 {
		b := imm12 & 0xff
		switch imm12 >> 8 & 3 {
		case 0:
			return b
		case 1:
			return b<<16 | b
		case 2:
			return b<<24 | b<<8
		}
		return b<<24 | b<<16 | b<<8 | b
	}
	return bits.RotateLeft32(0x80|imm12&0x7f, -int(imm12>>7))
}

// dpNames are the data-processing operations of the modified-immediate and
// shifted-register forms (A5.3.1, A5.3.11), by op.
var dpNames = map[uint16]string{0: "and", 1: "bic", 2: "orr", 3: "orn", 4: "eor", 8: "add", 10: "adc", 11: "sbc", 13: "sub", 14: "rsb"}

// dpText writes a data-processing instruction with operand op2, using the
// compare and move forms where Rd or Rn is pc.
func dpText(op, s, rn, rd uint16, op2 string) string {
	name, ok := dpNames[op]
	if !ok {
		return ""
	}
	if rd == 15 && s == 1 {
		cmp := map[uint16]string{0: "tst", 4: "teq", 8: "cmn", 13: "cmp"}[op]
		if cmp == "" {
			return ""
		}
		return fmt.Sprintf("%s.w %s, %s", cmp, armRegs[rn], op2)
	}
	if rn == 15 && (op == 2 || op == 3) {
		name = map[uint16]string{2: "mov", 3: "mvn"}[op]
		if s == 1 {
			name += "s"
		}
		return fmt.Sprintf("%s.w %s, %s", name, armRegs[rd], op2)
	}
	if s == 1 {
		name += "s"
	}
	return fmt.Sprintf("%s.w %s, %s, %s", name, armRegs[rd], armRegs[rn], op2)
}

// dataModImm decodes data processing with a modified immediate.
func dataModImm(h, l uint16) string {
	imm12 := uint32(h>>10&1)<<11 | uint32(l>>12&7)<<8 | uint32(l&0xff)
	return dpText(h>>5&0xf, h>>4&1, h&0xf, l>>8&0xf, fmt.Sprintf("#%d", thumbExpandImm(imm12)))
}

// dataPlainImm decodes ADDW, SUBW, MOVW and MOVT (A5.3.3).
func dataPlainImm(h, l uint16) string {
	rn, rd := h&0xf, l>>8&0xf
	imm12 := int(h>>10&1)<<11 | int(l>>12&7)<<8 | int(l&0xff)
	switch h >> 4 & 0x1f {
	case 0x00:
		if rn == 15 {
			return ""
		}
		return fmt.Sprintf("addw %s, %s, #%d", armRegs[rd], armRegs[rn], imm12)
	case 0x0a:
		if rn == 15 {
			return ""
		}
		return fmt.Sprintf("subw %s, %s, #%d", armRegs[rd], armRegs[rn], imm12)
	case 0x04:
		return fmt.Sprintf("movw %s, #%d", armRegs[rd], int(rn)<<12|imm12)
	case 0x0c:
		return fmt.Sprintf("movt %s, #%d", armRegs[rd], int(rn)<<12|imm12)
	}
	return ""
}

// dataShiftedReg decodes data processing with a shifted register (A5.3.11).
func dataShiftedReg(h, l uint16) string {
	op, s, rn, rd, rm := h>>5&0xf, h>>4&1, h&0xf, l>>8&0xf, l&0xf
	typ, amount := l>>4&3, int(l>>12&7)<<2|int(l>>6&3)
	shift := ""
	switch {
	case typ == 3 && amount == 0:
		shift = ", rrx"
	case typ == 0 && amount == 0:
	default:
		if amount == 0 {
			amount = 32
		}
		shift = fmt.Sprintf(", %s #%d", [...]string{"lsl", "lsr", "asr", "ror"}[typ], amount)
	}
	return dpText(op, s, rn, rd, armRegs[rm]+shift)
}

// shiftReg decodes LSL, LSR, ASR and ROR by a register (A5.3.12).
func shiftReg(h, l uint16) string {
	if h&0x80 != 0 || l&0x00f0 != 0 {
		return ""
	}
	name := [...]string{"lsl", "lsr", "asr", "ror"}[h>>5&3]
	if h&0x10 != 0 {
		name += "s"
	}
	return fmt.Sprintf("%s.w %s, %s, %s", name, armRegs[l>>8&0xf], armRegs[h&0xf], armRegs[l&0xf])
}

// multiply decodes MUL, MLA and MLS (A5.3.16).
func multiply(h, l uint16) string {
	if h>>4&7 != 0 {
		return ""
	}
	rn, ra, rd, rm := h&0xf, l>>12, l>>8&0xf, l&0xf
	switch l >> 4 & 0xf {
	case 0:
		if ra == 15 {
			return fmt.Sprintf("mul.w %s, %s, %s", armRegs[rd], armRegs[rn], armRegs[rm])
		}
		return fmt.Sprintf("mla %s, %s, %s, %s", armRegs[rd], armRegs[rn], armRegs[rm], armRegs[ra])
	case 1:
		return fmt.Sprintf("mls %s, %s, %s, %s", armRegs[rd], armRegs[rn], armRegs[rm], armRegs[ra])
	}
	return ""
}

// longMultiply decodes SMULL, UMULL, SMLAL, UMLAL, SDIV and UDIV (A5.3.17).
func longMultiply(h, l uint16) string {
	rn, lo, hi, rm := h&0xf, l>>12, l>>8&0xf, l&0xf
	op1, op2 := h>>4&7, l>>4&0xf
	switch {
	case op1 == 1 && op2 == 0xf:
		return fmt.Sprintf("sdiv %s, %s, %s", armRegs[hi], armRegs[rn], armRegs[rm])
	case op1 == 3 && op2 == 0xf:
		return fmt.Sprintf("udiv %s, %s, %s", armRegs[hi], armRegs[rn], armRegs[rm])
	case op2 == 0:
		name := map[uint16]string{0: "smull", 2: "umull", 4: "smlal", 6: "umlal"}[op1]
		if name == "" {
			return ""
		}
		return fmt.Sprintf("%s %s, %s, %s, %s", name, armRegs[lo], armRegs[hi], armRegs[rn], armRegs[rm])
	}
	return ""
}

// vreg names VFP register v with extra bit x: s(v:x) single, d(x:v) double.
func vreg(double bool, v, x uint16) string {
	if double {
		return fmt.Sprintf("d%d", x<<4|v)
	}
	return fmt.Sprintf("s%d", v<<1|x)
}

// vfpLoadStore decodes VLDR and VSTR (A6.7.59, A6.7.79).
func vfpLoadStore(h, l uint16) string {
	if h&0x0120 != 0x0100 { // P=1 W=0: not VLDM/VSTM/VPUSH/VPOP
		return ""
	}
	mn := "vstr"
	if h&0x10 != 0 {
		mn = "vldr"
	}
	imm := int(l&0xff) * 4
	if h&0x80 == 0 {
		imm = -imm
	}
	return fmt.Sprintf("%s %s, %s", mn, vreg(l&0x100 != 0, l>>12, h>>6&1), memOffset(h&0xf, imm))
}

// vfpData decodes VFP data processing (A6.4): the three-register
// arithmetic, register moves and immediates, negation, absolute value,
// square root, compares and conversions.
func vfpData(h, l uint16) string {
	double := l&0x100 != 0
	t := ".f32"
	if double {
		t = ".f64"
	}
	d := vreg(double, l>>12, h>>6&1)
	n := vreg(double, h&0xf, l>>7&1)
	m := vreg(double, l&0xf, l>>5&1)
	op6 := l >> 6 & 1
	switch opc1 := h >> 4 & 0xb; opc1 { // bits 23, 21, 20
	case 0x0, 0x1, 0x2, 0x3, 0x8:
		names := map[uint16][2]string{0x0: {"vmla", "vmls"}, 0x1: {"vnmls", "vnmla"}, 0x2: {"vmul", "vnmul"}, 0x3: {"vadd", "vsub"}, 0x8: {"vdiv", ""}}[opc1]
		name := names[op6]
		if name == "" {
			return ""
		}
		return fmt.Sprintf("%s%s %s, %s, %s", name, t, d, n, m)
	case 0xb:
		opc2 := h & 0xf
		if op6 == 0 && l&0xb0 == 0 { // VMOV immediate: the raw imm8, as objdump shows it
			return fmt.Sprintf("vmov%s %s, #%d", t, d, int(h&0xf)<<4|int(l&0xf))
		}
		if op6 == 0 {
			return ""
		}
		sm := vreg(false, l&0xf, l>>5&1)
		switch {
		case opc2 == 0 && l&0x80 == 0:
			return fmt.Sprintf("vmov%s %s, %s", t, d, m)
		case opc2 == 0:
			return fmt.Sprintf("vabs%s %s, %s", t, d, m)
		case opc2 == 1 && l&0x80 == 0:
			return fmt.Sprintf("vneg%s %s, %s", t, d, m)
		case opc2 == 1:
			return fmt.Sprintf("vsqrt%s %s, %s", t, d, m)
		case opc2 == 4 || opc2 == 5:
			name := "vcmp"
			if l&0x80 != 0 {
				name = "vcmpe"
			}
			if opc2 == 5 {
				return fmt.Sprintf("%s%s %s, #0.0", name, t, d)
			}
			return fmt.Sprintf("%s%s %s, %s", name, t, d, m)
		case opc2 == 7 && l&0x80 != 0: // between double and single
			if double {
				return fmt.Sprintf("vcvt.f32.f64 %s, %s", vreg(false, l>>12, h>>6&1), m)
			}
			return fmt.Sprintf("vcvt.f64.f32 %s, %s", vreg(true, l>>12, h>>6&1), sm)
		case opc2 == 8: // integer to floating point
			from := ".u32"
			if l&0x80 != 0 {
				from = ".s32"
			}
			return fmt.Sprintf("vcvt%s%s %s, %s", t, from, d, sm)
		case opc2 == 12 || opc2 == 13: // floating point to integer
			name := "vcvtr"
			if l&0x80 != 0 {
				name = "vcvt"
			}
			to := ".u32"
			if opc2 == 13 {
				to = ".s32"
			}
			return fmt.Sprintf("%s%s%s %s, %s", name, to, t, vreg(false, l>>12, h>>6&1), m)
		}
	}
	return ""
}

// vfpMoveSingle decodes VMOV between a core register and a single-precision
// register (A6.7.67).
func vfpMoveSingle(h, l uint16) string {
	s := vreg(false, h&0xf, l>>7&1)
	if h&0x10 != 0 {
		return fmt.Sprintf("vmov %s, %s", armRegs[l>>12], s)
	}
	return fmt.Sprintf("vmov %s, %s", s, armRegs[l>>12])
}

// vfpMoveDouble decodes VMOV between two core registers and a
// double-precision register (A6.7.69).
func vfpMoveDouble(h, l uint16) string {
	dm := vreg(true, l&0xf, l>>5&1)
	if h&0x10 != 0 {
		return fmt.Sprintf("vmov %s, %s, %s", armRegs[l>>12], armRegs[h&0xf], dm)
	}
	return fmt.Sprintf("vmov %s, %s, %s", dm, armRegs[l>>12], armRegs[h&0xf])
}
