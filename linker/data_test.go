package linker

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker/riscv"
	"github.com/mpyld/mpyld/linker/x86"
	"github.com/mpyld/mpyld/mpy"
)

// statdataConfig links the statdata corpus module (ordinary C globals) as
// built for arch c, with strlen (testdata/strlen: GCC turns its loop into a
// strlen call) and libgcc where the arch needs a division helper.
func statdataConfig(t *testing.T, c testutil.Case) *Config {
	t.Helper()
	switch c.Arch {
	case "armv6m", "xtensa":
		c.Libs = append(c.Libs, "<libgcc.a>")
	}
	cfg := goldenConfig(t, c)
	cfg.Objects = append(cfg.Objects, filepath.Join("testdata", "strlen", c.Arch+".o"))
	return cfg
}

// TestStatdata links statdata (an initialised counter and table, a pointer
// table in writable data, static bss reached PC-relative, a static struct
// pointing at other statics), which the reference refuses, on every arch
// and in -ffunction-sections builds, and checks by decoding the output
// that every load and store of a variable reaches the intended buffer and
// offset, that initial values are where the loader (text) or the start-up
// code (Xtensa image) finds them, and that every pointer in data has its
// runtime relocation.
func TestStatdata(t *testing.T) {
	n := 0
	for _, c := range testutil.Cases(t) {
		if c.Module != "statdata" {
			continue
		}
		for _, gc := range []bool{false, true} {
			n++
			t.Run(fmt.Sprintf("%s/gc=%v", c.Name, gc), func(t *testing.T) {
				cfg := statdataConfig(t, c)
				cfg.GCSections = gc
				if c.Arch == "x64" {
					// The small code model keeps variables in text,
					// scanned by the unix port's GC only before v1.24
					// (TestStatdataX64Medium for the medium model).
					cfg.Target = versionTargets["v1.22"]
				}
				res, err := Link(cfg)
				if err != nil {
					t.Fatal(err)
				}
				f, err := mpy.Read(res.MPY)
				if err != nil {
					t.Fatal(err)
				}
				d := newDecoded(t, cfg, res, f)
				if c.Arch == "xtensa" {
					checkXtensa(t, cfg, res)
					d.checkStartup()
				} else {
					if c.Arch != "x86" && c.Arch != "rv32imc" {
						checkEntry(t, c.Arch, res) // x86Load and rvLoad check it
					}
					if refs := d.checkCodeRefs(); refs < 6 {
						t.Errorf("only %d code references to variables decoded", refs)
					}
				}
				d.checkInitialData()
				names := map[string]bool{}
				for _, v := range res.Variables() {
					names[v.Name] = true
				}
				for _, v := range []string{"counter", "levels", "scratch", "names", "st"} {
					if !names[v] && !(v == "scratch" && (c.Arch == "xtensa" || c.Arch == "x86" || c.Arch == "rv32imc")) { // plain bss there
						t.Errorf("variable %s missing from Result.Variables() %v", v, res.Variables())
					}
				}
				if len(res.Dropped) != 0 {
					t.Errorf("--gc-sections dropped %v", res.Dropped)
				}
			})
		}
	}
	if n != 36 {
		t.Errorf("%d statdata cases, want 36 (18 with --gc-sections)", n)
	}
	// xtensawin (no compiler in Debian: the lx106 objects, linked for it):
	// the image goes to the rodata buffer and the start-up code runs in
	// the windowed ABI.
	for _, name := range []string{"xtensa/statdata", "xtensa/statdata/sections"} {
		cfg := statdataConfig(t, findCase(t, name))
		cfg.Arch, _ = LookupArch("xtensawin")
		res, err := Link(cfg)
		if err != nil {
			t.Fatal(err)
		}
		f, err := mpy.Read(res.MPY)
		if err != nil {
			t.Fatal(err)
		}
		d := newDecoded(t, cfg, res, f)
		checkXtensa(t, cfg, res)
		d.checkStartup()
		d.checkInitialData()
		if img := d.placed[":.internal.data_image"]; img.Buffer != "rodata" {
			t.Errorf("%s: xtensawin image in %s, want rodata", name, img.Buffer)
		}
	}
}

// decoded is a linked module with what its objects meant.
type decoded struct {
	t      *testing.T
	cfg    *Config
	res    *Result
	f      *mpy.File
	text   []byte
	kinds  map[[2]uint64]mpy.RelocKind // (buffer 0 text / 1 rodata, byte address) -> kind
	placed map[string]Placed           // object:section -> where it landed
	objs   []*elfobj.File
}

func newDecoded(t *testing.T, cfg *Config, res *Result, f *mpy.File) *decoded {
	d := &decoded{t: t, cfg: cfg, res: res, f: f, text: f.Root.Data, kinds: map[[2]uint64]mpy.RelocKind{}, placed: map[string]Placed{}}
	w := uint64(cfg.Arch.Word())
	for _, r := range f.Root.Relocs {
		buf := uint64(0)
		if r.InRodata {
			buf = 1
		}
		for i := uint64(0); i < r.Count; i++ {
			d.kinds[[2]uint64{buf, (r.Word + i) * w}] = r.Kind
		}
	}
	for _, p := range res.Sections {
		d.placed[p.Object+":"+p.Name] = p
	}
	for _, o := range cfg.Objects {
		d.objs = append(d.objs, parseObj(t, o))
	}
	return d
}

// symAddr is where a symbol of object o (with a section) landed, and in
// which buffer.
func (d *decoded) symAddr(o *elfobj.File, s elfobj.Symbol) (uint64, string, bool) {
	if s.Shndx == elf.SHN_UNDEF || int(s.Shndx) >= len(o.Sections) {
		return 0, "", false
	}
	p, ok := d.placed[o.Name+":"+o.Sections[s.Shndx].Name]
	if !ok {
		return 0, "", false
	}
	return p.Addr + s.Value, p.Buffer, true
}

func isVariableSection(name string) bool {
	return (strings.HasPrefix(name, ".data") || strings.HasPrefix(name, ".ldata")) && !isDataRelRo(name) || strings.HasPrefix(name, ".bss") ||
		strings.HasPrefix(name, ".sdata") || strings.HasPrefix(name, ".sbss") || strings.HasPrefix(name, ".lbss")
}

// relocsOf returns an object's relocations by the index of the section
// they patch.
func relocsOf(o *elfobj.File) map[int][]elfobj.Reloc {
	m := map[int][]elfobj.Reloc{}
	for _, s := range o.Sections {
		if s.Type == elf.SHT_REL || s.Type == elf.SHT_RELA {
			m[int(s.Info)], _ = o.Relocs(s)
		}
	}
	return m
}

// implicitAddend reads a REL relocation's addend from the object's field.
func implicitAddend(o *elfobj.File, sec *elfobj.Section, r elfobj.Reloc, rela bool) int64 {
	if rela {
		return r.Addend
	}
	data, _ := o.Data(sec)
	return int64(int32(binary.LittleEndian.Uint32(data[r.Off:])))
}

// checkCodeRefs decodes every instruction sequence that reaches a variable
// (x86 GOTOFF, x64 RIP-relative, Thumb literal + add pc, RISC-V auipc +
// lo12) and checks that it reaches the variable the object meant, in text.
// It returns how many it checked.
func (d *decoded) checkCodeRefs() int {
	t := d.t
	checked := 0
	arch := d.cfg.Arch
	// x86 and x64: the text as loaded at T with bss at B, more than 4 GiB
	// apart on x64, after the start-up code ran.
	T, B := uint64(0x5678_0000), uint64(0x1234_5000)
	if arch.Word() == 8 {
		T, B = 0x7f12_3456_0000, 0x5555_0123_4000
	}
	var live []byte
	switch {
	case arch.ISA == ISAX86:
		live, _ = d.x86Load(T, B)
	case arch.MPY == mpy.ArchRV32IMC:
		T, B = 0x4037_c000, 0x3fc9_1230 // ESP32-C3's IRAM and DRAM
		if _, ok := d.placed[":.internal.startup"]; ok {
			live = d.rvLoad(T, B)
		}
	}
	runBase := func(buf string) uint64 {
		if buf == "bss" {
			return B
		}
		return T
	}
	for _, o := range d.objs {
		rels := relocsOf(o)
		rela := false
		for _, s := range o.Sections {
			rela = rela || s.Type == elf.SHT_RELA
		}
		for idx, rs := range rels {
			code := o.Sections[idx]
			if !strings.HasPrefix(code.Name, ".text") {
				continue
			}
			base := d.placed[o.Name+":"+code.Name].Addr
			for _, r := range rs {
				s := o.Symbols[r.Sym]
				if int(s.Shndx) >= len(o.Sections) || s.Shndx == elf.SHN_UNDEF || !isVariableSection(o.Sections[s.Shndx].Name) {
					continue
				}
				target, buf, ok := d.symAddr(o, s)
				if !ok {
					t.Errorf("%s: %s not placed", o.Name, o.Sections[s.Shndx].Name)
					continue
				}
				if buf != "text" && arch.ISA != ISAX86 && live == nil {
					t.Errorf("%s: %s+%#x reaches %s in %s, which the code cannot reach at a fixed distance", o.Name, code.Name, r.Off, o.Sections[s.Shndx].Name, buf)
				}
				p := base + r.Off
				A := implicitAddend(o, code, r, rela)
				var reached, want uint64
				switch arch.Machine {
				case elf.EM_X86_64:
					if elf.R_X86_64(r.Type) == elf.R_X86_64_GOTOFF64 {
						// movabs $S-GOT: GOT + field at run time.
						reached = T + d.placed[":GOT"].Addr + le.Uint64(live[p:])
						want = uint64(int64(runBase(buf)+target) + A)
						break
					}
					if buf != "text" {
						t.Errorf("%s: %s+%#x reaches %s in %s PC-relative", o.Name, code.Name, r.Off, o.Sections[s.Shndx].Name, buf)
					}
					end, ok := d.x86InsnEnd(o, code, base, p, 64)
					if !ok {
						continue
					}
					reached = uint64(int64(end) + int64(int32(le.Uint32(d.text[p:]))))
					want = uint64(int64(target) + A + int64(end-p))
				case elf.EM_386:
					if elf.R_386(r.Type) != elf.R_386_GOTOFF {
						continue
					}
					// GOT + field at run time, mod 2^32.
					reached = uint64(uint32(T + d.placed[":GOT"].Addr + uint64(le.Uint32(live[p:]))))
					want = uint64(uint32(int64(runBase(buf)+target) + A))
				case elf.EM_ARM:
					if elf.R_ARM(r.Type) != elf.R_ARM_REL32 {
						continue
					}
					addpc, ok := thumbPCAdd(d.text, base, base+code.Size, p)
					if !ok {
						t.Errorf("%s: %s+%#x: no ldr/add pc pair uses the literal", o.Name, code.Name, r.Off)
						continue
					}
					reached = uint64(int64(addpc) + 4 + int64(int32(le.Uint32(d.text[p:]))))
					want = uint64(int64(target) + A - int64(p-addpc-4))
				case elf.EM_RISCV:
					if elf.R_RISCV(r.Type) != elf.R_RISCV_PCREL_HI20 {
						continue
					}
					var ok bool
					if live == nil {
						reached, ok = d.riscvPair(d.text, o, code, rs, base, r)
						want = uint64(int64(target) + A)
					} else {
						// rv32imc: at run time, mod 2^32.
						reached, ok = d.riscvPair(live, o, code, rs, base, r)
						reached = uint64(uint32(T + reached))
						want = uint64(uint32(int64(runBase(buf)+target) + A))
					}
					if !ok {
						continue
					}
				}
				if reached != want {
					t.Errorf("%s: %s+%#x (%s): code reaches %#x, want %#x (%s+%d)", o.Name, code.Name, r.Off,
						elfobj.RelocName(arch.Machine, r.Type), reached, want, o.Sections[s.Shndx].Name, int64(want)-int64(target-s.Value))
				}
				checked++
			}
		}
	}
	return checked
}

// x86InsnEnd decodes the function holding p and returns the end of the
// instruction whose displacement sits at p.
func (d *decoded) x86InsnEnd(o *elfobj.File, code *elfobj.Section, base, p uint64, mode int) (uint64, bool) {
	for _, s := range o.Symbols {
		if s.Type != elf.STT_FUNC || int(s.Shndx) != code.Index {
			continue
		}
		start, end := base+s.Value, base+s.Value+s.Size
		if p < start || p >= end {
			continue
		}
		for pc := start; pc < end; {
			ins, err := x86asm.Decode(d.text[pc:end], mode)
			if err != nil {
				d.t.Errorf("x86 decode at %#x: %v", pc, err)
				return 0, false
			}
			next := pc + uint64(ins.Len)
			if p > pc && p < next {
				for _, a := range ins.Args {
					if m, ok := a.(x86asm.Mem); ok && m.Base == x86asm.RIP {
						return next, true
					}
				}
				return 0, false // a call or a jump: not a variable reference
			}
			pc = next
		}
	}
	d.t.Errorf("%s: no function holds %#x", o.Name, p)
	return 0, false
}

// thumbPCAdd finds the "ldr rX, [pc, #n]" that loads the literal at lit and
// the "add rX, pc" after it, and returns the address of that add.
func thumbPCAdd(text []byte, start, end, lit uint64) (uint64, bool) {
	for pc := start; pc+2 <= end; pc += 2 {
		h := uint32(le.Uint16(text[pc:]))
		rt, at := uint32(99), uint64(0)
		switch {
		case h&0xf800 == 0x4800: // ldr rt, [pc, #imm8*4]
			rt, at = h>>8&7, (pc+4)&^3+uint64(h&0xff)*4
		case h&0xff7f == 0xf85f && pc+4 <= end: // ldr.w rt, [pc, #+-imm12]
			h2 := uint32(le.Uint16(text[pc+2:]))
			rt, at = h2>>12, (pc+4)&^3+uint64(h2&0xfff)
			if h&0x80 == 0 {
				at = (pc+4)&^3 - uint64(h2&0xfff)
			}
		}
		if at != lit {
			continue
		}
		for q := pc + 2; q+2 <= end && q < pc+64; q += 2 {
			a := uint32(le.Uint16(text[q:]))
			if a&0xff78 == 0x4478 && (a&7|a>>4&8) == rt { // add rt, pc
				return q, true
			}
		}
	}
	return 0, false
}

// riscvPair decodes the auipc of a PCREL_HI20 relocation and its lo12
// instruction and returns the address they compute.
func (d *decoded) riscvPair(text []byte, o *elfobj.File, code *elfobj.Section, rs []elfobj.Reloc, base uint64, hi elfobj.Reloc) (uint64, bool) {
	p := base + hi.Off
	auipc := le.Uint32(text[p:])
	if auipc&0x7f != 0x17 {
		d.t.Errorf("%#x: %08x is not an auipc", p, auipc)
		return 0, false
	}
	for _, r := range rs {
		typ := elf.R_RISCV(r.Type)
		if typ != elf.R_RISCV_PCREL_LO12_I && typ != elf.R_RISCV_PCREL_LO12_S || o.Symbols[r.Sym].Value != hi.Off || int(o.Symbols[r.Sym].Shndx) != code.Index {
			continue
		}
		ins := le.Uint32(text[base+r.Off:])
		lo := int64(int32(ins) >> 20)
		if typ == elf.R_RISCV_PCREL_LO12_S {
			lo = int64(int32(ins&0xfe000000)>>20) | int64(ins>>7&0x1f)
		}
		return uint64(int64(p) + int64(int32(auipc&0xfffff000)) + lo), true
	}
	d.t.Errorf("%#x: auipc without a lo12", p)
	return 0, false
}

// checkInitialData compares every writable variable's initial bytes with
// the object's, where the loader (text) or the start-up code (the Xtensa
// image) takes them from, and checks each pointer in data: its value and
// runtime relocation.
func (d *decoded) checkInitialData() {
	t := d.t
	img, imgInRodata := d.imageBase()
	for _, o := range d.objs {
		rels := relocsOf(o)
		rela := false
		for _, s := range o.Sections {
			rela = rela || s.Type == elf.SHT_RELA
		}
		for _, sec := range o.Sections {
			if !isVariableSection(sec.Name) || sec.Size == 0 || sec.Type != elf.SHT_PROGBITS && sec.Type != elf.SHT_NOBITS {
				continue
			}
			p := d.placed[o.Name+":"+sec.Name]
			buf, base, bufIdx := d.text, p.Addr, uint64(0)
			switch {
			case p.Buffer == "bss" && sec.Type == elf.SHT_NOBITS:
				continue // ordinary bss: zeroed by the loader
			case p.Buffer == "bss":
				// Xtensa: the image holds it at the same offset.
				base = img + p.Addr
				if imgInRodata {
					buf, bufIdx = d.f.Root.Rodata, 1
				}
			}
			want := make([]byte, sec.Size)
			if sec.Type == elf.SHT_PROGBITS {
				data, _ := o.Data(sec)
				copy(want, data)
			}
			got := append([]byte(nil), buf[base:base+sec.Size]...)
			for _, r := range rels[sec.Index] {
				w := uint64(d.cfg.Arch.Word())
				s := o.Symbols[r.Sym]
				// The field's own contents count too: REL objects keep the
				// addend there, and Xtensa's RELA objects part of it.
				A := int64(int32(le.Uint32(want[r.Off:])))
				if w == 8 {
					A = int64(le.Uint64(want[r.Off:]))
				}
				if rela {
					A += r.Addend
				}
				var val uint64
				var kind mpy.RelocKind
				if addr, b, ok := d.symAddr(o, s); ok {
					val, kind = uint64(int64(addr)+A), kindForBuffer(b)
				} else if slot := DefaultTarget.funTableIndex(s.Name); slot >= 0 {
					val, kind = uint64(A), mpy.KindFunSlot+mpy.RelocKind(slot)
				} else {
					t.Errorf("%s: %s+%#x: pointer to %q, which is not placed", o.Name, sec.Name, r.Off, s.Name)
					continue
				}
				var gotVal uint64
				if w == 8 {
					gotVal = le.Uint64(got[r.Off:])
				} else {
					gotVal = uint64(le.Uint32(got[r.Off:]))
				}
				if w == 4 {
					val &= 0xffffffff
				}
				if gotVal != val {
					t.Errorf("%s: %s+%#x: pointer holds %#x, want %#x", o.Name, sec.Name, r.Off, gotVal, val)
				}
				if k, ok := d.kinds[[2]uint64{bufIdx, base + r.Off}]; !ok || k != kind {
					t.Errorf("%s: %s+%#x: runtime relocation %v (%v), want %v", o.Name, sec.Name, r.Off, k, ok, kind)
				}
				copy(got[r.Off:r.Off+w], want[r.Off:r.Off+w]) // compared above
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %s initial bytes % x, want % x", o.Name, sec.Name, got, want)
			}
		}
	}
}

// imageBase returns where the Xtensa start-up code copies data from, read
// from its literal, or 0 when there is none.
func (d *decoded) imageBase() (uint64, bool) {
	p, ok := d.placed[":.internal.startup"]
	if !ok {
		return 0, false
	}
	switch d.cfg.Arch.Name {
	case "rv32imc":
		return uint64(le.Uint32(d.text[p.Addr+uint64(riscv.Stub(0, 0).Image):])), false
	case "x86":
		return uint64(le.Uint32(d.text[p.Addr+uint64(x86.Startup32(0, 0).Image):])), false
	case "x64":
		return le.Uint64(d.text[p.Addr+uint64(x86.Startup64(0, 0).Image):]), false
	}
	k := d.kinds[[2]uint64{0, p.Addr + startupSrc}]
	return uint64(le.Uint32(d.text[p.Addr+startupSrc:])), k == mpy.KindRodata
}

// checkStartup decodes the Xtensa start-up stub: the entry jump reaches it,
// its literals hold the image (relocated against text or rodata), the start
// of bss and the word count, its loop copies a word at a time, and it ends
// by jumping to mpy_init.
func (d *decoded) checkStartup() {
	t := d.t
	p, ok := d.placed[":.internal.startup"]
	if !ok {
		t.Fatal("no start-up code")
	}
	j := uint32(d.text[0]) | uint32(d.text[1])<<8 | uint32(d.text[2])<<16
	if got := uint64(4 + int64(int32(j<<8)>>14)); j&0x3f != 6 || got != p.Addr+startupEntry {
		t.Errorf("entry jump reaches %#x, want the start-up code at %#x", got, p.Addr+startupEntry)
	}
	img := d.placed[":.internal.data_image"]
	if k := d.kinds[[2]uint64{0, p.Addr + startupSrc}]; uint64(le.Uint32(d.text[p.Addr:])) != img.Addr || k != kindForBuffer(img.Buffer) && k != mpy.KindRodata {
		t.Errorf("image literal %#x (%v), image at %#x in %s", le.Uint32(d.text[p.Addr:]), k, img.Addr, img.Buffer)
	}
	if k := d.kinds[[2]uint64{0, p.Addr + startupDst}]; le.Uint32(d.text[p.Addr+startupDst:]) != 0 || k != mpy.KindBSS {
		t.Errorf("destination literal %#x (%v), want bss+0", le.Uint32(d.text[p.Addr+startupDst:]), k)
	}
	if n := uint64(le.Uint32(d.text[p.Addr+startupCount:])); n*4 != img.Size {
		t.Errorf("copies %d words, image is %d bytes", n, img.Size)
	}
	code := d.text[p.Addr+startupEntry : p.Addr+p.Size]
	if d.cfg.Arch.MPY == mpy.ArchXtensaWin {
		// entry a1, 32; l32r a8..a10; the copy loop; mov a10..a13, a2..a5;
		// call8 mpy_init; mov a2, a10; retw
		want := "364100" + "81fcff" + "91fcff" + "a1fcff" + "b22800" + "b26900" + "82c804" + "92c904" + "a2caff" + "56dafe" +
			"20a220" + "30b320" + "40c420" + "50d520"
		call := p.Addr + p.Size - 9
		if got := hex.EncodeToString(code[:len(code)-9]); got != want || hex.EncodeToString(d.text[call+3:call+9]) != "a02a20900000" {
			t.Errorf("start-up code %s, want %s...a02a20900000", hex.EncodeToString(code), want)
		}
		w := uint32(d.text[call]) | uint32(d.text[call+1])<<8 | uint32(d.text[call+2])<<16
		if got := call&^3 + 4 + uint64(int64(int32(w<<8)>>14)*4); w&0x3f != 0x25 || got != symbolDef(d.res, "mpy_init").Addr {
			t.Errorf("start-up code calls %06x to %#x, want call8 to mpy_init at %#x", w, got, symbolDef(d.res, "mpy_init").Addr)
		}
		return
	}
	// l32r a8..a10 from the literals; l32i/s32i, addi a8, a9 by 4, a10 by
	// -1, bnez a10 back to the l32i; j mpy_init.
	want := "81fdff" + "91fdff" + "a1fdff" + "b22800" + "b26900" + "82c804" + "92c904" + "a2caff" + "56dafe"
	if got := hex.EncodeToString(code[:len(code)-3]); got != want {
		t.Errorf("start-up code %s, want %s", got, want)
	}
	end := p.Addr + p.Size - 3
	jj := uint32(d.text[end]) | uint32(d.text[end+1])<<8 | uint32(d.text[end+2])<<16
	if got := uint64(int64(end) + 4 + int64(int32(jj<<8)>>14)); jj&0x3f != 6 || got != symbolDef(d.res, "mpy_init").Addr {
		t.Errorf("start-up code ends in %06x to %#x, want j to mpy_init at %#x", jj, got, symbolDef(d.res, "mpy_init").Addr)
	}
}

// TestDataRefusals: --no-data keeps the reference's rule, and writable data
// on Xtensa is refused for MicroPython before v1.24, which did not keep the
// bss block alive on ESP8266 and ESP32.
func TestDataRefusals(t *testing.T) {
	cfg := statdataConfig(t, findCase(t, "x64/statdata"))
	cfg.NoData = true
	_, err := Link(cfg)
	// (static bss under --no-data: TestRefused, err_static_bss)
	for _, want := range []string{`statdata.o: .data: 20 bytes of initialised writable data ("counter", "levels"): refused with --no-data`,
		`statdata.o: .data.rel.local: 56 bytes of initialised writable data ("st", "names")`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--no-data: %v, want %q", err, want)
		}
	}
	for _, tt := range []struct {
		target Target
		ok     bool
	}{
		{versionTargets["v1.22"], false},
		{Target{Profile: ProfileV128, Version: V(1, 23, 0)}, false},
		{Target{Profile: ProfileV128, Version: V(1, 24, 0)}, true},
		{Target{Profile: ProfileV128}, true}, // --mpy-abi 6.3
	} {
		cfg := statdataConfig(t, findCase(t, "xtensa/statdata"))
		cfg.Target = tt.target
		_, err := Link(cfg)
		want := `statdata.o: .data: writable data ("counter", "levels"): ` + tt.target.String() + ` on ESP8266 and ESP32 does not keep a native module's bss alive`
		if tt.ok && err != nil || !tt.ok && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want ok %v (%q)", tt.target, err, tt.ok, want)
		}
	}
}
