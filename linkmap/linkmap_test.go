package linkmap

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/linktest"
	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
)

// link links a golden case with the given --gc-sections.
func link(t *testing.T, name string, gc bool) (*linker.Config, *linker.Result) {
	return linktest.Link(t, name, gc)
}

// TestMapContents checks the map of golden links against the objects: every
// section of an object that the map places in text holds that section's
// bytes at that offset of the module (relocated fields aside), every named
// function and variable of the object is listed at its section's offset
// plus its value, and nothing overlaps.
func TestMapContents(t *testing.T) {
	for _, name := range []string{"x64/tables/sections", "armv7m/multi/sections", "rv32imc/hello", "xtensa/statq/sections", "x86/weak/sections"} {
		t.Run(name, func(t *testing.T) {
			cfg, res := link(t, name, true)
			m := New("out.mpy", cfg.Arch.Name, true, res)
			f, err := mpy.Read(res.MPY)
			if err != nil {
				t.Fatal(err)
			}
			text := f.Root.Data
			if uint64(len(text)) != m.Text {
				t.Fatalf("map says text %d, module has %d", m.Text, len(text))
			}
			if e := m.Sections[0]; e.Name != Entry || e.Offset != 0 || e.Size == 0 || e.Size > 8 || e.Size > m.Sections[1].Offset {
				t.Errorf("first section %+v, want the entry jump", e)
			}
			var end uint64
			for _, s := range m.Sections {
				if s.Buffer != "text" {
					continue
				}
				if s.Offset < end {
					t.Errorf("%s at %#x overlaps the previous section (ends %#x)", s.Name, s.Offset, end)
				}
				end = s.Offset + s.Size
			}
			if end > m.Text {
				t.Errorf("sections end at %#x, past text %#x", end, m.Text)
			}
			checked := 0
			for _, path := range cfg.Objects {
				data, _ := os.ReadFile(path)
				ef, err := elfobj.Parse(path, data)
				if err != nil {
					t.Fatal(err)
				}
				relocs := map[int][]elfobj.Reloc{}
				for _, s := range ef.Sections {
					if s.Type == elf.SHT_REL || s.Type == elf.SHT_RELA {
						relocs[int(s.Info)], _ = ef.Relocs(s)
					}
				}
				for _, es := range ef.Sections {
					var ms *Section
					for i := range m.Sections {
						if m.Sections[i].Object == path && m.Sections[i].Name == es.Name {
							ms = &m.Sections[i]
						}
					}
					if ms == nil {
						continue
					}
					if ms.Size != es.Size {
						t.Errorf("%s: size %d, object says %d", es.Name, ms.Size, es.Size)
					}
					if ms.Buffer == "text" {
						body, _ := ef.Data(es)
						masked := map[uint64]bool{}
						for _, r := range relocs[es.Index] {
							for i := uint64(0); i < 8; i++ {
								masked[r.Off+i] = true
							}
						}
						for i := uint64(0); i < es.Size; i++ {
							if !masked[i] && text[ms.Offset+i] != body[i] {
								t.Errorf("%s+%#x: module byte %#x at %#x, object has %#x", es.Name, i, text[ms.Offset+i], ms.Offset+i, body[i])
								break
							}
						}
						checked++
					}
					for _, sym := range ef.Symbols {
						if sym.Name == "" || int(sym.Shndx) != es.Index || sym.Type != elf.STT_FUNC && sym.Type != elf.STT_OBJECT {
							continue
						}
						want := ms.Offset + sym.Value
						if sym.Type == elf.STT_FUNC && cfg.Arch.ISA == linker.ISAARM {
							want &^= 1
						}
						found := false
						for _, y := range ms.Symbols {
							if y.Name == sym.Name && y.Offset == want && y.Size == sym.Size {
								found = true
							}
						}
						if !found {
							t.Errorf("%s: symbol %s not listed at %#x (size %d): %+v", es.Name, sym.Name, want, sym.Size, ms.Symbols)
						}
					}
				}
			}
			if checked == 0 {
				t.Error("no section checked")
			}
			gotNames := map[string]bool{}
			for _, g := range m.GOT {
				gotNames[g.Name] = true
			}
			if len(m.GOT) != res.GOTEntries || !gotNames["mp_fun_table"] {
				t.Errorf("GOT %+v, want %d entries with mp_fun_table", m.GOT, res.GOTEntries)
			}
		})
	}
}

// TestRoundTrip writes maps as text and JSON and reads them back.
func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"x86/weak/sections", "xtensa/tables/sections", "x64/hello"} {
		cfg, res := link(t, name, true)
		m := New("dir with space/out.mpy", cfg.Arch.Name, true, res)
		m.Base = "../.."
		for _, file := range []string{"out.map", "out.map.json"} {
			data, err := m.Encode(file)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Read(file, data)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", name, file, err, data)
			}
			if !reflect.DeepEqual(normalize(back), normalize(m)) {
				t.Errorf("%s %s: read back\n%+v\nwant\n%+v", name, file, back, m)
			}
		}
	}
}

// normalize makes empty and nil slices compare equal.
func normalize(m *Map) *Map {
	c := *m
	fix := func(ss []Section) []Section {
		out := make([]Section, len(ss))
		for i, s := range ss {
			if len(s.Symbols) == 0 {
				s.Symbols = nil
			}
			out[i] = s
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	c.Sections, c.Dropped = fix(c.Sections), fix(c.Dropped)
	if len(c.GOT) == 0 {
		c.GOT = nil
	}
	return &c
}

// TestDroppedInMap checks that the weak default b.o overrides is listed
// as dropped, with its symbol and the reason.
func TestDroppedInMap(t *testing.T) {
	cfg, res := link(t, "armv6m/weak/sections", true)
	var buf bytes.Buffer
	if err := New("weak.mpy", cfg.Arch.Name, true, res).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{"gc-sections  yes", "# dropped by --gc-sections: 1 sections, 4 bytes",
		`.text.offset`, `overridden by the definition in`, "    offset "} {
		if !strings.Contains(text, want) {
			t.Errorf("map lacks %q:\n%s", want, text)
		}
	}
}

func TestLookup(t *testing.T) {
	m := &Map{Sections: []Section{
		{Buffer: "text", Offset: 0, Size: 4, Name: Entry},
		{Buffer: "text", Offset: 4, Size: 20, Name: ".text", Object: "a.o", Symbols: []Symbol{
			{Kind: "func", Offset: 4, Size: 8, Name: "f"}, {Kind: "notype", Offset: 16, Name: "g"}}},
		{Buffer: "bss", Offset: 0, Size: 8, Name: ".bss", Object: "a.o"},
	}}
	for _, c := range []struct {
		buf       string
		off       uint64
		sec, name string
	}{
		{"text", 2, Entry, ""}, {"text", 4, ".text", "f"}, {"text", 11, ".text", "f"}, {"text", 12, ".text", ""},
		{"text", 20, ".text", "g"}, {"text", 24, "", ""}, {"bss", 3, ".bss", ""},
	} {
		s, y := m.Lookup(c.buf, c.off)
		gs, gy := "", ""
		if s != nil {
			gs = s.Name
		}
		if y != nil {
			gy = y.Name
		}
		if gs != c.sec || gy != c.name {
			t.Errorf("Lookup(%s, %#x) = %q %q, want %q %q", c.buf, c.off, gs, gy, c.sec, c.name)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"arch x64\n", "no module line"},
		{"module a.mpy\nfunc 0x0 4 f local\n", "before any section"},
		{"module a.mpy\ntext zz 4 .text a.o\n", `"zz" is not a number`},
		{"module a.mpy\nbogus\n", "unknown line"},
		{"module a.mpy\ntext 0x0 4\n", "want 5 fields"},
	} {
		_, err := Read("m.map", []byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Read(%q) = %v, want %q", c.in, err, c.want)
		}
	}
}

// TestUnscannedInMap: the writable variables of statdata on armv7emsp live
// in text, which the nrf port's GC does not scan from v1.26 on; the map says
// so for each, in both forms, and reads back.
func TestUnscannedInMap(t *testing.T) {
	a, _ := linker.LookupArch("armv7emsp")
	dir := filepath.Join(testutil.Golden(), "armv7emsp", "statdata")
	h, err := os.ReadFile(filepath.Join(dir, "statdata.config.h"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &linker.Config{Arch: a, SourceName: "statdata.mpy", Qstrs: linker.ParseConfig(h).Vals,
		Objects: []string{filepath.Join(dir, "statdata.o"), filepath.Join("..", "linker", "testdata", "strlen", "armv7emsp.o")}}
	res, err := linker.Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := New("statdata.mpy", "armv7emsp", false, res)
	names := map[string]bool{}
	for _, v := range m.Unscanned {
		names[v.Name] = true
		if !strings.HasPrefix(v.Ports, "nrf (MicroPython v1.26.0 and later") || !strings.HasSuffix(v.Object, "statdata.o") {
			t.Errorf("unscanned %+v", v)
		}
	}
	for _, v := range []string{"counter", "levels", "names", "st", "scratch"} {
		if !names[v] {
			t.Errorf("%s missing from the unscanned variables %+v", v, m.Unscanned)
		}
	}
	var buf bytes.Buffer
	if err := m.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\nunscanned counter ") {
		t.Errorf("text map lacks the unscanned counter:\n%s", buf.String())
	}
	for _, file := range []string{"out.map", "out.map.json"} {
		data, err := m.Encode(file)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Read(file, data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Unscanned, m.Unscanned) {
			t.Errorf("%s: read back %+v, want %+v", file, back.Unscanned, m.Unscanned)
		}
	}
}
