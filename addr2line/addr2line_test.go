package addr2line

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/linkmap"
)

// lineOfText returns the 1-based line of src that contains text.
func lineOfText(t *testing.T, src, text string) int {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("%s: no line with %q", src, text)
	return 0
}

// build compiles testdata/gc/lines.c and lib.c with -g (and extra flags)
// for a, links them and writes the map beside the objects.
func build(t *testing.T, a *linker.Arch, gc bool, extra ...string) (*Resolver, *linker.Result) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(testutil.Root(), "testdata", "gc")
	var texts [][]byte
	for _, f := range []string{"lines.c", "lib.c"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, b)
	}
	qstrs := linker.ScanQstrs(linker.DefaultTarget, texts...)
	if err := os.WriteFile(filepath.Join(dir, "lines.config.h"), linker.ConfigHeader(linker.DefaultTarget, qstrs), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := append([]string{"-g", "-Os", "-fpic", "-fno-common", "-I" + filepath.Join(testutil.Root(), "testdata", "corpus", "include"),
		"-I" + dir, "-DMP_CONFIGFILE=<lines.config.h>"}, a.CFlags...)
	flags = append(flags, extra...)
	cfg := &linker.Config{Arch: a, Qstrs: qstrs.Vals, SourceName: "lines.mpy", GCSections: gc}
	for _, f := range []string{"lines", "lib"} {
		out := filepath.Join(dir, f+".o")
		testutil.Compile(t, a.CrossPrefix+"gcc", flags, filepath.Join(src, f+".c"), out)
		cfg.Objects = append(cfg.Objects, f+".o")
	}
	cfg.ReadFile = func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p)) }
	res, err := linker.Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := linkmap.New("lines.mpy", a.Name, gc, res)
	mapFile := filepath.Join(dir, "lines.map")
	data, err := m.Encode(mapFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mapFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := linkmap.ReadFile(mapFile)
	if err != nil {
		t.Fatal(err)
	}
	return &Resolver{Map: back, MapFile: mapFile}, res
}

// TestLookup looks up known offsets on every arch with a compiler: the
// start of helper(), mpy_init() and lib_square() (in the second object)
// must name the function, its object and the line of its definition (or of
// its first statement); two bytes in, a line of its body. It runs on objects with one .text and with
// a section per function (linked with --gc-sections).
func TestLookup(t *testing.T) {
	src := filepath.Join(testutil.Root(), "testdata", "gc")
	helperLine := lineOfText(t, filepath.Join(src, "lines.c"), "helper(intptr_t x) {")
	squareLine := lineOfText(t, filepath.Join(src, "lib.c"), "lib_square(intptr_t x) {")
	initLine := lineOfText(t, filepath.Join(src, "lines.c"), "ENTRY {")
	for _, a := range linker.Arches {
		for _, sections := range []bool{false, true} {
			name := a.Name
			var extra []string
			if sections {
				name += "/sections"
				extra = []string{"-ffunction-sections", "-fdata-sections"}
			}
			t.Run(name, func(t *testing.T) {
				r, res := build(t, a, sections, extra...)
				for _, c := range []struct {
					fn, obj, file string
					line          int
				}{
					{"helper", "lines.o", "lines.c", helperLine},
					{"lib_square", "lib.o", "lib.c", squareLine},
					{"mpy_init", "lines.o", "lines.c", initLine},
				} {
					var off uint64
					found := false
					for _, d := range res.Defs {
						if d.Name == c.fn {
							off, found = d.Addr, true
						}
					}
					if !found {
						t.Fatalf("%s not in the link report", c.fn)
					}
					loc, err := r.Lookup(off)
					if err != nil {
						t.Fatal(err)
					}
					// The first rows of a function are its definition's line
					// and its first statement's, at one address.
					if loc.Function != c.fn || loc.FuncOffset != 0 || loc.Object != c.obj || filepath.Base(loc.File) != c.file || loc.Line < c.line || loc.Line > c.line+1 {
						t.Errorf("Lookup(%#x) = %s, want %s+0x0 at %s:%d or %d (%s)", off, loc, c.fn, c.file, c.line, c.line+1, c.obj)
					}
					// Two bytes in: still the function, a line of its body.
					loc, err = r.Lookup(off + 2)
					if err != nil {
						t.Fatal(err)
					}
					if loc.Function != c.fn || filepath.Base(loc.File) != c.file || loc.Line < c.line || loc.Line > c.line+3 {
						t.Errorf("Lookup(%#x) = %s, want %s at %s:%d..%d", off+2, loc, c.fn, c.file, c.line, c.line+3)
					}
				}
				loc, err := r.Lookup(0)
				if err != nil || loc.Section != linkmap.Entry {
					t.Errorf("Lookup(0) = %s, %v; want the entry jump", loc, err)
				}
				if _, err := r.Lookup(uint64(res.TextSize)); err == nil {
					t.Errorf("Lookup past the text succeeded")
				}
			})
		}
	}
}

// TestNoDebugInfo looks up an offset in an object compiled without -g.
func TestNoDebugInfo(t *testing.T) {
	var c testutil.Case
	for _, cc := range testutil.Cases(t) {
		if cc.Name == "x64/hello" {
			c = cc
		}
	}
	a, _ := linker.LookupArch("x64")
	res, err := linker.Link(&linker.Config{Arch: a, Objects: []string{filepath.Join(c.Dir, "hello.o")}, SourceName: "hello.mpy"})
	if err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Map: linkmap.New("hello.mpy", "x64", false, res), MapFile: "hello.map"}
	init, ok := res.Symbol("mpy_init")
	if !ok {
		t.Fatal("no mpy_init in the link")
	}
	loc, err := r.Lookup(init.Addr + 1)
	if err != nil {
		t.Fatal(err)
	}
	if loc.Function != "mpy_init" || loc.FuncOffset != 1 || loc.File != "" || !strings.Contains(loc.Note, "compile with -g") {
		t.Errorf("got %s", loc)
	}
}

func TestTextBase(t *testing.T) {
	m := &linkmap.Map{Module: "m.mpy", Arch: "armv7m", Sections: []linkmap.Section{
		{Buffer: "text", Offset: 0x10, Size: 0x20, Name: ".text", Object: "a.o", Symbols: []linkmap.Symbol{{Kind: "func", Offset: 0x14, Size: 8, Name: "f"}}}}}
	r := &Resolver{Map: m}
	for _, c := range []struct {
		sym  string
		addr uint64
		want uint64
		err  string
	}{
		{"", 0x20001000, 0x20001000, ""},
		{"f", 0x20001015, 0x20001000, ""}, // Thumb bit
		{"g", 1, 0, "no function or variable"},
		{"f", 2, 0, "below"},
	} {
		got, err := r.TextBase(c.sym, c.addr)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("TextBase(%q, %#x): %v, want %q", c.sym, c.addr, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("TextBase(%q, %#x) = %#x, %v; want %#x", c.sym, c.addr, got, err, c.want)
		}
	}
}

func TestPatchULEB(t *testing.T) {
	b := []byte{0x80, 0x80, 0x00} // 0 in three bytes
	if err := patchULEB(b, 300, opSet); err != nil || b[0] != 0xac || b[1] != 0x82 || b[2] != 0x00 {
		t.Errorf("set 300: % x, %v", b, err)
	}
	if err := patchULEB(b, 44, opSub); err != nil || b[0] != 0x80 || b[1] != 0x82 || b[2] != 0x00 {
		t.Errorf("300 - 44: % x, %v", b, err)
	}
	if err := patchULEB([]byte{0x00}, 300, opSet); err == nil {
		t.Error("300 fit one byte")
	}
}
