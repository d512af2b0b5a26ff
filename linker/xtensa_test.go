package linker

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// TestXtensaLiterals links every Xtensa golden case, including those the
// reference linker crashes on (qstr-table literals with offsets,
// -ffunction-sections builds, two objects), and checks each l32r of the
// output by decoding it: the word it loads must be the literal the object
// meant (a constant, or a GOT word whose stored value and runtime relocation
// give the symbol's address), and the entry jump must reach mpy_init.
// statdata, which needs strlen, is checked the same way by TestStatdata.
func TestXtensaLiterals(t *testing.T) {
	n := 0
	for _, c := range testutil.Cases(t) {
		if c.Arch != "xtensa" || c.Module == "mathy" || c.Module == "err_data" || c.Module == "err_dup" || c.Module == "err_undef" || c.Module == "statdata" {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			cfg := goldenConfig(t, c)
			res, err := Link(cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkXtensa(t, cfg, res)
		})
	}
	if n < 11 {
		t.Errorf("only %d xtensa cases", n)
	}
}

func checkXtensa(t *testing.T, cfg *Config, res *Result) {
	t.Helper()
	le := binary.LittleEndian
	f, err := mpy.Read(res.MPY)
	if err != nil {
		t.Fatal(err)
	}
	text := f.Root.Data
	kinds := map[uint64]mpy.RelocKind{}
	for _, r := range f.Root.Relocs {
		for i := uint64(0); i < r.Count && !r.InRodata; i++ {
			kinds[(r.Word+i)*4] = r.Kind
		}
	}
	// Entry: j at offset 0.
	j := le.Uint32(append(append([]byte(nil), text[:3]...), 0))
	if j&0x3f != 6 {
		t.Fatalf("text starts with %06x, not a j", j)
	}
	entry := symbolDef(res, "mpy_init").Addr
	placed := map[string]uint64{}
	buffers := map[string]string{}
	for _, p := range res.Sections {
		placed[p.Object+":"+p.Name] = p.Addr
		buffers[p.Object+":"+p.Name] = p.Buffer
		if p.Name == ".internal.startup" {
			entry = p.Addr + startupEntry // writable data: the start-up code runs first
		}
	}
	if got := uint64(4 + int64(int32(j<<8)>>14)); got != entry {
		t.Errorf("entry jump reaches %#x, want %#x", got, entry)
	}
	checked := 0
	for _, path := range cfg.Objects {
		data, _ := os.ReadFile(path)
		ef, err := elfobj.Parse(path, data)
		if err != nil {
			t.Fatal(err)
		}
		relocsOf := map[int][]elfobj.Reloc{}
		for _, s := range ef.Sections {
			if s.Type == elf.SHT_RELA {
				relocsOf[int(s.Info)], _ = ef.Relocs(s)
			}
		}
		for idx, rs := range relocsOf {
			code := ef.Sections[idx]
			if _, laid := placed[path+":"+code.Name]; !laid || !strings.HasPrefix(code.Name, ".text") {
				continue // not code, or dropped by --gc-sections
			}
			for _, r := range rs {
				sym := ef.Symbols[r.Sym]
				if elfobj.R_XTENSA(r.Type) != elfobj.R_XTENSA_SLOT0_OP || int(sym.Shndx) >= len(ef.Sections) || !strings.HasPrefix(ef.Sections[sym.Shndx].Name, ".literal") {
					continue
				}
				lit := ef.Sections[sym.Shndx]
				litOff := sym.Value + uint64(r.Addend)
				p := placed[path+":"+code.Name] + r.Off
				ins := uint32(text[p]) | uint32(text[p+1])<<8 | uint32(text[p+2])<<16
				target := (p+3)&^3 + uint64(int64(int32(ins>>8|0xffff0000))*4)
				if target+4 > uint64(len(text)) {
					t.Errorf("%s: %s+%#x: l32r %06x at %#x loads from %#x, outside the %d-byte text", path, code.Name, r.Off, ins, p, target, len(text))
					continue
				}
				got := le.Uint32(text[target:])
				want, wantKind, hasKind := expectLiteral(t, ef, lit, litOff, relocsOf[lit.Index], res, cfg, path, placed, buffers)
				if got != want || kinds[target] != wantKind && hasKind || !hasKind && kindsHas(kinds, target) {
					t.Errorf("%s: %s+%#x: l32r loads %#x (reloc %v) from %#x, want %#x (reloc %v, %v)", path, code.Name, r.Off, got, kinds[target], target, want, wantKind, hasKind)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Errorf("no l32r checked")
	}
}

func kindsHas(k map[uint64]mpy.RelocKind, a uint64) bool { _, ok := k[a]; return ok }

// expectLiteral works out what the literal word at off of lit must become.
func expectLiteral(t *testing.T, ef *elfobj.File, lit *elfobj.Section, off uint64, rs []elfobj.Reloc, res *Result, cfg *Config, path string, placed map[string]uint64, buffers map[string]string) (uint32, mpy.RelocKind, bool) {
	data, _ := ef.Data(lit)
	existing := binary.LittleEndian.Uint32(data[off:])
	for _, r := range rs {
		if r.Off != off {
			continue
		}
		s := ef.Symbols[r.Sym]
		a := uint32(r.Addend)
		switch {
		case s.Name == "mp_fun_table":
			return a, mpy.KindFunTable, true
		case s.Name == "mp_native_qstr_table":
			return a, mpy.KindQstrTable, true
		case DefaultTarget.funTableIndex(s.Name) >= 0:
			return a, mpy.KindFunSlot + mpy.RelocKind(DefaultTarget.funTableIndex(s.Name)), true
		case stubSlots[s.Name] != 0 && symbolDef(res, s.Name).Object == "":
			// memset/memmove/memcpy that no object defines: the GOT word
			// gets the runtime's function from its mp_fun_table slot.
			return a, mpy.KindFunSlot + mpy.RelocKind(stubSlots[s.Name]), true
		case s.Type == elf.STT_SECTION:
			sec := ef.Sections[s.Shndx].Name
			return uint32(placed[path+":"+sec]) + existing + a, kindForBuffer(buffers[path+":"+sec]), true
		case cfg.Externs[s.Name] != 0:
			return uint32(cfg.Externs[s.Name]) + a, 0, false
		default:
			p, ok := res.Symbol(s.Name)
			if !ok {
				t.Fatalf("symbol %s not placed", s.Name)
			}
			return uint32(p.Addr) + a, kindForBuffer(p.Buffer), true
		}
	}
	return existing, 0, false
}

func kindForBuffer(b string) mpy.RelocKind {
	switch b {
	case "bss":
		return mpy.KindBSS
	case "rodata":
		return mpy.KindRodata
	}
	return mpy.KindText
}

// TestXtensaWin links Xtensa objects for xtensawin, whose rodata lives in a
// buffer of its own: pointers inside it are relocated with base rodata, and
// GOT entries that point into it with kind rodata.
func TestXtensaWin(t *testing.T) {
	c := findCase(t, "xtensa/statq")
	cfg := goldenConfig(t, c)
	cfg.Arch, _ = LookupArch("xtensawin")
	res, err := Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f, err := mpy.Read(res.MPY)
	if err != nil {
		t.Fatal(err)
	}
	if f.Arch != mpy.ArchXtensaWin || res.MPY[2] != 0x2b {
		t.Errorf("header arch %v, byte %#x; want xtensawin, 0x2b", f.Arch, res.MPY[2])
	}
	// .rodata.str1.1 (29), .data.rel.ro (36), .data.rel.ro.local (12), .rodata (24), aligned.
	var rodata uint64
	for _, p := range res.Sections {
		if p.Buffer == "rodata" {
			rodata = p.Addr + p.Size
		}
		if strings.HasPrefix(p.Name, ".rodata") || strings.HasPrefix(p.Name, ".data.rel.ro") {
			if p.Buffer != "rodata" {
				t.Errorf("%s placed in %s", p.Name, p.Buffer)
			}
		}
	}
	if uint64(len(f.Root.Rodata)) != rodata || f.Root.ScopeFlags&mpy.ScopeViperRodata == 0 {
		t.Errorf("rodata %d bytes (flags %#x), want %d", len(f.Root.Rodata), f.Root.ScopeFlags, rodata)
	}
	inRodata, toRodata := 0, 0
	for _, r := range f.Root.Relocs {
		if r.InRodata {
			inRodata += int(r.Count)
		}
		if r.Kind == mpy.KindRodata {
			toRodata += int(r.Count)
		}
	}
	// 9 + 3 pointers in .data.rel.ro*; GOT entries for squares, slots, labels,
	// the string literal and three function objects.
	if inRodata != 12 || toRodata < 7 {
		t.Errorf("%d relocations inside rodata (want 12), %d to rodata (want >= 7)\n%s", inRodata, toRodata, fmt.Sprint(f.Root.Relocs))
	}
}

// TestExterns: a fixed-address symbol (ESP8266 ROM) reached through a literal
// gets its address in the GOT and no runtime relocation.
func TestExterns(t *testing.T) {
	c := findCase(t, "xtensa/err_undef")
	cfg := goldenConfig(t, c)
	ext, err := ParseExterns("rom.ld", []byte("/* ROM */\nPROVIDE ( missing_helper = 0x40001234 );\n// other = 0x1;\nets_printf = 0x40002544;\n/*\n hidden = 0x5;\n*/\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ext) != 2 || ext["missing_helper"] != 0x40001234 || ext["ets_printf"] != 0x40002544 {
		t.Fatalf("ParseExterns = %v", ext)
	}
	cfg.Externs = ext
	res, err := Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkXtensa(t, cfg, res)
	if _, err := ParseExterns("dup.ld", []byte("a = 0x1;\na = 0x2;\n")); err == nil || !strings.Contains(err.Error(), `dup.ld:2: symbol "a" is defined twice`) {
		t.Errorf("duplicate extern: %v", err)
	}
	// On x64 the call is PC-relative: refused with a reason.
	x := findCase(t, "x64/err_undef")
	xcfg := goldenConfig(t, x)
	xcfg.Externs = ext
	if _, err := Link(xcfg); err == nil || !strings.Contains(err.Error(), "fixed-address (--externs) symbol") {
		t.Errorf("x64 direct call to an extern: %v", err)
	}
}
