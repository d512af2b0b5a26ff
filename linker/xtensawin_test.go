package linker

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// TestXtensaWinReference: GCC's objects (lx106) linked for xtensawin equal
// what MicroPython v1.28's mpy_ld.py writes for them (testdata/xtensawin:
// statq, the only Xtensa case it links).
func TestXtensaWinReference(t *testing.T) {
	cfg := goldenConfig(t, findCase(t, "xtensa/statq"))
	cfg.Arch, _ = LookupArch("xtensawin")
	res, err := Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "xtensawin", "statq.mpy"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.MPY, want) {
		t.Errorf("output differs from mpy_ld.py's: %s", firstDiff(res.MPY, want))
	}
}

// TestXtensaWinDecode links for xtensawin every Xtensa golden case (GCC's
// objects) and every corpus module compiled by LLVM 22
// (testdata/llvm-xtensawin, made by its gen.sh), plain and with
// -ffunction-sections (also with --gc-sections), and decodes the output:
// each l32r loads the literal its object meant (checkXtensa), and each
// pointer to code in rodata has its runtime relocation and holds the
// address of a function's first instruction (an entry, for LLVM's
// windowed code).
func TestXtensaWinDecode(t *testing.T) {
	win, _ := LookupArch("xtensawin")
	type link struct {
		name     string
		cfg      *Config
		windowed bool
	}
	var links []link
	for _, c := range testutil.Cases(t) {
		if c.Arch != "xtensa" || c.Module == "mathy" || strings.HasPrefix(c.Module, "err_") {
			continue
		}
		var cfg *Config
		if c.Module == "statdata" {
			cfg = statdataConfig(t, c)
		} else {
			cfg = goldenConfig(t, c)
		}
		cfg.Arch = win
		links = append(links, link{"gcc/" + c.Name, cfg, false})
	}
	root := filepath.Join("testdata", "llvm-xtensawin")
	configs, _ := filepath.Glob(filepath.Join(root, "*", "*.config.h"))
	more, _ := filepath.Glob(filepath.Join(root, "*", "sections", "*.config.h"))
	for _, h := range append(configs, more...) {
		dir := filepath.Dir(h)
		objs, _ := filepath.Glob(filepath.Join(dir, "*.o"))
		if strings.Contains(dir, "statdata") {
			objs = append(objs, filepath.Join(root, "strlen.o"))
		}
		text, err := os.ReadFile(h)
		if err != nil {
			t.Fatal(err)
		}
		q := ParseConfig(text)
		for _, gc := range []bool{false, true} {
			if gc && !strings.HasSuffix(dir, "sections") {
				continue
			}
			cfg := &Config{Arch: win, Objects: objs, Qstrs: q.Vals, Objs: q.Objs, SourceName: "m.mpy", GCSections: gc}
			name := "llvm/" + strings.TrimPrefix(filepath.ToSlash(dir), filepath.ToSlash(root)+"/")
			if gc {
				name += "/gc"
			}
			links = append(links, link{name, cfg, true})
		}
	}
	if len(links) < 30 {
		t.Errorf("only %d links", len(links))
	}
	pointers := 0
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			res, err := Link(l.cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkXtensa(t, l.cfg, res)
			n := checkRodataCode(t, l.cfg, res, l.windowed)
			if l.windowed {
				pointers += n
			}
		})
	}
	if pointers < 20 {
		t.Errorf("only %d pointers to code checked in LLVM's rodata", pointers)
	}
}

// checkRodataCode checks each R_XTENSA_32 in a section laid out in the
// rodata buffer whose target is code: the word holds the target's address
// in text, has a runtime relocation of kind text, and the target is the
// start of a function (STT_FUNC) of the object; with windowed, its first
// instruction is an entry. It returns how many it checked.
func checkRodataCode(t *testing.T, cfg *Config, res *Result, windowed bool) int {
	t.Helper()
	le := binary.LittleEndian
	f, err := mpy.Read(res.MPY)
	if err != nil {
		t.Fatal(err)
	}
	text, rodata := f.Root.Data, f.Root.Rodata
	relocs := map[uint64]mpy.RelocKind{}
	for _, r := range f.Root.Relocs {
		for i := uint64(0); i < r.Count && r.InRodata; i++ {
			relocs[(r.Word+i)*4] = r.Kind
		}
	}
	type placement struct {
		addr   uint64
		buffer string
	}
	placed := map[string]placement{}
	for _, p := range res.Sections {
		placed[p.Object+":"+p.Name] = placement{p.Addr, p.Buffer}
	}
	checked := 0
	for _, path := range cfg.Objects {
		data, _ := os.ReadFile(path)
		ef, err := elfobj.Parse(path, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, rs := range ef.Sections {
			if rs.Type != elf.SHT_RELA || int(rs.Info) >= len(ef.Sections) {
				continue
			}
			sec := ef.Sections[rs.Info]
			at, ok := placed[path+":"+sec.Name]
			if !ok || at.buffer != "rodata" {
				continue
			}
			secData, _ := ef.Data(sec)
			list, _ := ef.Relocs(rs)
			for _, r := range list {
				if elfobj.R_XTENSA(r.Type) != elfobj.R_XTENSA_32 {
					continue
				}
				s := ef.Symbols[r.Sym]
				existing := uint64(le.Uint32(secData[r.Off:]))
				var target uint64
				var where placement
				isFunc := false
				switch {
				case s.Shndx != elf.SHN_UNDEF && int(s.Shndx) < len(ef.Sections):
					tsec := ef.Sections[s.Shndx]
					var ok bool
					if where, ok = placed[path+":"+tsec.Name]; !ok || where.buffer != "text" {
						continue
					}
					off := s.Value + existing + uint64(r.Addend)
					target = where.addr + off
					for _, fs := range ef.Symbols {
						if int(fs.Shndx) == int(s.Shndx) && fs.Type == elf.STT_FUNC && fs.Value == off {
							isFunc = true
						}
					}
				default:
					d, ok := res.Symbol(s.Name)
					p := d.Placed
					if !ok || p.Buffer != "text" {
						continue
					}
					target, where, isFunc = p.Addr+existing+uint64(r.Addend), placement{p.Addr, "text"}, true
				}
				p := at.addr + r.Off
				got := uint64(le.Uint32(rodata[p:]))
				kind, has := relocs[p]
				switch {
				case got != target:
					t.Errorf("%s: %s+%#x: rodata word holds %#x, want text+%#x", path, sec.Name, r.Off, got, target)
				case !has || kind != mpy.KindText:
					t.Errorf("%s: %s+%#x: pointer to text+%#x has no runtime relocation of kind text (%v, %v)", path, sec.Name, r.Off, target, has, kind)
				case !isFunc:
					t.Errorf("%s: %s+%#x: text+%#x is not the start of a function", path, sec.Name, r.Off, target)
				case windowed && text[target] != 0x36:
					t.Errorf("%s: %s+%#x: text+%#x starts with %02x, not an entry", path, sec.Name, r.Off, target, text[target])
				}
				checked++
			}
		}
	}
	return checked
}
