package linker

import (
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/arch/riscv64/riscv64asm"

	"github.com/mpyld/mpyld/linker/riscv"
	"github.com/mpyld/mpyld/mpy"
)

// TestRVStartupDecode decodes the rv32imc start-up stub (every instruction
// is a base RV32I one, which the RV64 decoder reads the same) and compares
// it with the intended instructions, word offsets and branch targets
// included.
func TestRVStartupDecode(t *testing.T) {
	s := riscv.Stub(3, 2)
	want := []string{
		"AUIPC x5,0x0", "LW x6,264(x5)", "LW x7,268(x5)", "SUB x6,x6,x7", // t1 = bss - text
		"LW x7,272(x5)", "LW x28,264(x5)", "LW x29,276(x5)", "BEQ x29,x0,28", // image, bss, count
		"LW x30,0(x7)", "SW x30,0(x28)", "ADDI x7,x7,4", "ADDI x28,x28,4", "ADDI x29,x29,-1", "BNE x29,x0,-20",
		"ADDI x7,x5,284", "LW x29,280(x5)", "BEQ x29,x0,192", // table, pairs
		"LW x14,0(x7)", "LW x15,4(x7)", "LW x16,8(x7)", "ADD x16,x16,x6",
		"LUI x17,0x1", "ADDI x17,x17,-2048", "ADD x17,x16,x17", "LUI x30,0xfffff", "AND x17,x17,x30", "SUB x16,x16,x17",
		"LHU x30,0(x14)", "LHU x31,2(x14)", "SLLI x31,x31,0x10", "OR x30,x30,x31",
		"SLLI x30,x30,0x14", "SRLI x30,x30,0x14", "OR x30,x30,x17", "SH x30,0(x14)", "SRLI x31,x30,0x10", "SH x31,2(x14)",
		"ANDI x31,x15,1", "ANDI x15,x15,-2", "LHU x30,0(x15)", "LHU x14,2(x15)", "SLLI x14,x14,0x10", "OR x30,x30,x14",
		"BNE x31,x0,24",
		"SLLI x30,x30,0xc", "SRLI x30,x30,0xc", "SLLI x14,x16,0x14", "OR x30,x30,x14", "JAL x0,40",
		"LUI x14,0x1fff", "ADDI x14,x14,127", "AND x30,x30,x14", "ANDI x14,x16,31", "SLLI x14,x14,0x7", "OR x30,x30,x14",
		"SRLI x14,x16,0x5", "SLLI x14,x14,0x19", "OR x30,x30,x14",
		"SH x30,0(x15)", "SRLI x14,x30,0x10", "SH x14,2(x15)", "ADDI x7,x7,12", "ADDI x29,x29,-1", "BNE x29,x0,-184",
		"FENCE.I", "JAL x0,0",
	}
	var got []string
	for pc := 0; pc <= s.Jump; pc += 4 {
		ins, err := riscv64asm.Decode(s.Code[pc : pc+4])
		if err != nil {
			t.Fatalf("decode at %#x: %v", pc, err)
		}
		got = append(got, ins.String())
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("start-up code\n%s\nwant\n%s", strings.Join(got, "; "), strings.Join(want, "; "))
	}
	if s.BSS != s.Jump+4 || s.Text != s.BSS+4 || s.Image != s.Text+4 || s.Count != s.Image+4 || s.Pairs != s.Count+4 ||
		s.Table != s.Pairs+4 || len(s.Code) != s.Table+24 {
		t.Errorf("words at %+v, code %d bytes", s, len(s.Code))
	}
	if c, p := binary.LittleEndian.Uint32(s.Code[s.Count:]), binary.LittleEndian.Uint32(s.Code[s.Pairs:]); c != 3 || p != 2 {
		t.Errorf("counts %d and %d, want 3 and 2", c, p)
	}
}

// rvLoad emulates the loader and the rv32imc start-up code: text at T, the
// bss block at B. It checks that the entry jump reaches the stub and the
// stub's jump reaches mpy_init, copies the image, and rewrites each pair
// of the table as the stub does (decoded in TestRVStartupDecode); it
// returns the text as it is when mpy_init starts.
func (d *decoded) rvLoad(T, B uint64) []byte {
	t := d.t
	text := append([]byte(nil), d.text...)
	for k, kind := range d.kinds {
		switch {
		case k[0] != 0:
			t.Errorf("relocation in rodata at %#x on rv32imc", k[1])
		case kind == mpy.KindText:
			le.PutUint32(text[k[1]:], le.Uint32(text[k[1]:])+uint32(T))
		case kind == mpy.KindBSS:
			le.PutUint32(text[k[1]:], le.Uint32(text[k[1]:])+uint32(B))
		}
	}
	p := d.placed[":.internal.startup"]
	st := riscv.Stub(0, 0)
	word := func(off int) uint32 { return le.Uint32(text[p.Addr+uint64(off):]) }
	if got, ok := entryTarget("rv32imc", text); !ok || got != p.Addr {
		t.Errorf("entry jump reaches %#x, want the start-up code at %#x", got, p.Addr)
	}
	j := word(st.Jump)
	off := int32(j&0x80000000)>>11 | int32(j&0xff000) | int32(j>>9&0x800) | int32(j>>20&0x7fe)
	if got, init := uint64(int64(p.Addr)+int64(st.Jump)+int64(off)), symbolDef(d.res, "mpy_init").Addr; j&0xfff != 0x06f || got != init {
		t.Errorf("start-up code ends in %08x to %#x, want jal x0 to mpy_init at %#x", j, got, init)
	}
	if word(st.BSS) != uint32(B) || word(st.Text) != uint32(T) {
		t.Errorf("start-up words hold bss %#x and text %#x", word(st.BSS), word(st.Text))
	}
	if img := d.placed[":.internal.data_image"]; uint64(word(st.Count))*4 != img.Size || img.Size > 0 && uint64(word(st.Image))-T != img.Addr {
		t.Errorf("start-up code copies %d words from %#x, the image is %d bytes at %#x", word(st.Count), word(st.Image), img.Size, img.Addr)
	}
	pairs := int(word(st.Pairs))
	if uint64(st.Table+12*pairs) != p.Size {
		t.Errorf("%d pairs in a stub of %d bytes", pairs, p.Size)
	}
	delta := uint32(B - T)
	for i := 0; i < pairs; i++ {
		hi := uint64(word(st.Table+12*i)) - T
		lo := uint64(word(st.Table+12*i+4)) - T
		v := word(st.Table+12*i+8) + delta
		h := (v + 0x800) &^ 0xfff
		l := v - h
		a := le.Uint32(text[hi:])
		if a&0x7f != 0x17 {
			t.Errorf("pair %d: %08x at %#x is not an auipc", i, a, hi)
		}
		le.PutUint32(text[hi:], a&0xfff|h)
		ins := le.Uint32(text[lo&^1:])
		if lo&1 == 0 {
			ins = ins&0xfffff | l<<20
		} else {
			ins = ins&0x01fff07f | (l&0x1f)<<7 | (l>>5&0x7f)<<25
		}
		le.PutUint32(text[lo&^1:], ins)
	}
	return text
}

// TestRVPairArithmetic: the stub's split of a run-time value into the
// auipc's hi part and a sign-extended lo12 adds back to the value mod 2^32,
// at the rounding edges and where the sum wraps.
func TestRVPairArithmetic(t *testing.T) {
	for _, v := range []uint32{0x800, 0x7ff, 0xfffff800, 0x80000000, 0x7ffff800, 0x12345fff} {
		h := (v + 0x800) &^ 0xfff
		l := int32(v-h) << 20 >> 20 // the sign-extended 12-bit immediate
		if got := h + uint32(l); got != v || l < -2048 || l > 2047 {
			t.Errorf("%#x: hi %#x lo %d gives %#x", v, h, l, got)
		}
	}
}
