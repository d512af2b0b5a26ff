package linker

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/testutil"
)

// loadable reports whether the linker lays out a section of this name
// (the golden objects have no others that matter here).
func loadable(s *elfobj.Section) bool {
	if s.Size == 0 || (s.Type != elf.SHT_PROGBITS && s.Type != elf.SHT_NOBITS) {
		return false
	}
	for _, p := range []string{".text", ".literal", ".rodata", ".data.rel.ro", ".srodata", ".bss", ".sbss"} {
		if strings.HasPrefix(s.Name, p) {
			return true
		}
	}
	return false
}

// secRef names a section of an input: "object:section".
func secRef(obj, sec string) string { return obj + ":" + sec }

// expectedReach computes, from the objects alone, which loadable sections a
// collector must keep. The definition: mpy_init's section is kept; a kept
// section keeps every section that one of its relocations names, where a
// symbol defined in the same object stands for itself (unless it is weak
// and another object defines it strongly) and an undefined one for the
// global definition of that name (strong before weak, first object first);
// an Xtensa .text<X> keeps the .literal<X> of its object. It returns every
// loadable section and the kept ones.
func expectedReach(t *testing.T, files []*elfobj.File) (all, kept map[string]bool) {
	t.Helper()
	type def struct {
		f   *elfobj.File
		sym elfobj.Symbol
	}
	defs := map[string]def{}
	for _, f := range files {
		for _, s := range f.Symbols {
			if s.Name == "" || s.Shndx == elf.SHN_UNDEF || int(s.Shndx) >= len(f.Sections) || (s.Bind != elf.STB_GLOBAL && s.Bind != elf.STB_WEAK) {
				continue
			}
			if d, ok := defs[s.Name]; !ok || d.sym.Bind == elf.STB_WEAK && s.Bind == elf.STB_GLOBAL {
				defs[s.Name] = def{f, s}
			}
		}
	}
	all, kept = map[string]bool{}, map[string]bool{}
	edges := map[string][]string{}
	for _, f := range files {
		for _, s := range f.Sections {
			if loadable(s) {
				all[secRef(f.Name, s.Name)] = true
			}
		}
		for _, rs := range f.Sections {
			if rs.Type != elf.SHT_REL && rs.Type != elf.SHT_RELA || int(rs.Info) >= len(f.Sections) || !loadable(f.Sections[rs.Info]) {
				continue
			}
			from := secRef(f.Name, f.Sections[rs.Info].Name)
			relocs, err := f.Relocs(rs)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range relocs {
				s := f.Symbols[r.Sym]
				to := ""
				switch d, ok := defs[s.Name]; {
				case s.Shndx != elf.SHN_UNDEF && int(s.Shndx) < len(f.Sections) && !(s.Bind == elf.STB_WEAK && ok && d.sym.Bind == elf.STB_GLOBAL):
					to = secRef(f.Name, f.Sections[s.Shndx].Name)
				case ok:
					to = secRef(d.f.Name, d.f.Sections[d.sym.Shndx].Name)
				}
				if to != "" {
					edges[from] = append(edges[from], to)
				}
			}
		}
		for _, s := range f.Sections {
			if strings.HasPrefix(s.Name, ".text") && loadable(s) {
				lit := secRef(f.Name, ".literal"+strings.TrimPrefix(s.Name, ".text"))
				edges[secRef(f.Name, s.Name)] = append(edges[secRef(f.Name, s.Name)], lit)
			}
		}
	}
	init, ok := defs["mpy_init"]
	if !ok {
		t.Fatal("no mpy_init")
	}
	queue := []string{secRef(init.f.Name, init.f.Sections[init.sym.Shndx].Name)}
	kept[queue[0]] = true
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range edges[n] {
			if all[m] && !kept[m] {
				kept[m] = true
				queue = append(queue, m)
			}
		}
	}
	return all, kept
}

// linkedFiles parses the objects and pulled archive members of a link.
func linkedFiles(t *testing.T, cfg *Config, res *Result) []*elfobj.File {
	t.Helper()
	var files []*elfobj.File
	for _, o := range cfg.Objects {
		files = append(files, parseObj(t, o))
	}
	for _, m := range res.Members {
		i := strings.LastIndex(m, ":")
		data, err := os.ReadFile(m[:i])
		if err != nil {
			t.Fatal(err)
		}
		ar, err := elfobj.ReadArchive(m[:i], data)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, mem := range ar.Members {
			if mem.Name == m[i+1:] && !found {
				f, err := elfobj.Parse(m, mem.Data)
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
				found = true
			}
		}
		if !found {
			t.Fatalf("member %s not found", m)
		}
	}
	return files
}

// checkDrops compares what a --gc-sections link dropped and kept with
// expectedReach, and returns the named symbols (object base name:symbol)
// of the dropped sections, sorted.
func checkDrops(t *testing.T, cfg *Config, res *Result) []string {
	t.Helper()
	files := linkedFiles(t, cfg, res)
	all, kept := expectedReach(t, files)
	got := map[string]bool{}
	for _, d := range res.Dropped {
		if d.Object == "" {
			continue // a stub; checked by the callers
		}
		got[secRef(d.Object, d.Name)] = true
		if d.Reason == "" {
			t.Errorf("%s:%s dropped without a reason", d.Object, d.Name)
		}
	}
	laid := map[string]bool{}
	for _, p := range res.Sections {
		if p.Object != "" {
			laid[secRef(p.Object, p.Name)] = true
		}
	}
	for s := range all {
		switch {
		case kept[s] && got[s]:
			t.Errorf("dropped %s, which mpy_init reaches", s)
		case !kept[s] && !got[s]:
			t.Errorf("kept %s, which nothing kept reaches", s)
		case kept[s] && !laid[s] && !strings.Contains(s, ":.literal"):
			t.Errorf("%s is neither laid out nor dropped", s)
		}
	}
	// The dropped symbols, from the objects' symbol tables.
	var syms []string
	for _, f := range files {
		for _, s := range f.Symbols {
			if s.Name == "" || s.Shndx == elf.SHN_UNDEF || int(s.Shndx) >= len(f.Sections) || (s.Type != elf.STT_FUNC && s.Type != elf.STT_OBJECT) {
				continue
			}
			ref := secRef(f.Name, f.Sections[s.Shndx].Name)
			if got[ref] {
				syms = append(syms, filepath.Base(f.Name)+":"+s.Name)
			} else if all[ref] && !hasDef(res, f.Name, s.Name) {
				t.Errorf("kept %s:%s is missing from the report's definitions", f.Name, s.Name)
			}
		}
	}
	sort.Strings(syms)
	return syms
}

func hasDef(res *Result, obj, name string) bool {
	for _, d := range res.Defs {
		if d.Object == obj && d.Name == name {
			return true
		}
	}
	return false
}

// TestGCSectionsGolden links every golden -ffunction-sections build with
// --gc-sections: it must drop exactly what expectedReach says nothing
// reaches, and the dropped functions and variables must be the ones listed
// here from reading the corpus sources. The corpus modules use everything
// they define, so the only dead code is the weak default that b.o
// overrides.
func TestGCSectionsGolden(t *testing.T) {
	wantDropped := map[string][]string{"weak": {"a.o:offset"}}
	n := 0
	for _, c := range testutil.Cases(t) {
		if filepath.Base(c.Dir) != "sections" || strings.HasPrefix(c.Module, "err_") {
			continue
		}
		cfg := goldenConfig(t, c)
		if _, err := Link(cfg); err != nil {
			continue // refused without --gc-sections too (statdata)
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			cfg.GCSections = true
			res, err := Link(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := checkDrops(t, cfg, res)
			if g, w := strings.Join(got, " "), strings.Join(wantDropped[c.Module], " "); g != w {
				t.Errorf("dropped symbols %q, want %q", g, w)
			}
		})
	}
	if n < 50 {
		t.Errorf("only %d sections cases linked", n)
	}
}

// TestGCSectionsPlain links every golden build made without
// -ffunction-sections with and without --gc-sections: every section holds
// something mpy_init needs, so the bytes must not change.
func TestGCSectionsPlain(t *testing.T) {
	for _, c := range testutil.Cases(t) {
		if filepath.Base(c.Dir) == "sections" || strings.HasPrefix(c.Module, "err_") {
			continue
		}
		cfg := goldenConfig(t, c)
		plain, err := Link(cfg)
		if err != nil {
			continue
		}
		cfg.GCSections = true
		res, err := Link(cfg)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if !bytes.Equal(res.MPY, plain.MPY) || len(res.Dropped) != 0 {
			t.Errorf("%s: --gc-sections changed the module (dropped %+v)", c.Name, res.Dropped)
		}
	}
}

// gcModule compiles testdata/gc for a with function and data sections into
// dir and returns its link, the library member in an archive.
func gcModule(t *testing.T, a *Arch, dir string, extra ...string) *Config {
	t.Helper()
	src := filepath.Join(testutil.Root(), "testdata", "gc")
	var texts [][]byte
	for _, f := range []string{"mod.c", "lib.c"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, b)
	}
	qstrs := ScanQstrs(DefaultTarget, texts...)
	if err := os.WriteFile(filepath.Join(dir, "gc.config.h"), ConfigHeader(DefaultTarget, qstrs), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := append([]string{"-Os", "-fpic", "-fno-common", "-ffunction-sections", "-fdata-sections",
		"-I" + filepath.Join(testutil.Root(), "testdata", "corpus", "include"), "-I" + dir, "-DMP_CONFIGFILE=<gc.config.h>"}, a.CFlags...)
	flags = append(flags, extra...)
	cfg := &Config{Arch: a, Qstrs: qstrs.Vals, SourceName: "gc.mpy"}
	for _, f := range []string{"mod", "lib", "arc"} {
		out := filepath.Join(dir, f+".o")
		testutil.Compile(t, a.CrossPrefix+"gcc", flags, filepath.Join(src, f+".c"), out)
		if f == "arc" {
			lib := filepath.Join(dir, "libarc.a")
			testutil.WriteArchive(t, lib, out)
			cfg.Libs = []string{lib}
		} else {
			cfg.Objects = append(cfg.Objects, out)
		}
	}
	return cfg
}

// refsTo lists the relocations of f that reach symbol name, directly or
// through the section symbol of a section that holds only it: the
// referring section names and relocation types.
func refsTo(t *testing.T, f *elfobj.File, name string) (secs []string, types []uint32) {
	t.Helper()
	var shndx elf.SectionIndex
	for _, s := range f.Symbols {
		if s.Name == name && s.Shndx != elf.SHN_UNDEF {
			shndx = s.Shndx
		}
	}
	for _, rs := range f.Sections {
		if rs.Type != elf.SHT_REL && rs.Type != elf.SHT_RELA || int(rs.Info) >= len(f.Sections) || !loadable(f.Sections[rs.Info]) {
			continue
		}
		relocs, err := f.Relocs(rs)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range relocs {
			s := f.Symbols[r.Sym]
			if s.Name == name || shndx != 0 && s.Type == elf.STT_SECTION && s.Shndx == shndx {
				secs = append(secs, f.Sections[rs.Info].Name)
				types = append(types, r.Type)
			}
		}
	}
	return secs, types
}

// TestGCSectionsModule links testdata/gc with --gc-sections on every arch
// that has a compiler. The drops are listed by hand from the sources; the
// test first checks that the objects really reach op_inc and op_neg only
// from constant data, and via_got only through the GOT (a literal pool on
// Xtensa), so that keeping them shows the collector follows those paths.
func TestGCSectionsModule(t *testing.T) {
	wantDropped := []string{"lib.o:lib_cube", "lib.o:lib_unused", "libarc.a:arc.o:arc_dead", "mod.o:dead_bss",
		"mod.o:dead_calls_lib", "mod.o:dead_global", "mod.o:dead_table", "mod.o:dead_wipe"}
	wantKept := []string{"mpy_init", "square", "apply", "square_obj", "apply_obj", "op_inc", "op_neg", "ops",
		"via_got", "gtable", "counter", "lib_square", "arc_used"}
	for _, a := range Arches {
		t.Run(a.Name, func(t *testing.T) {
			cfg := gcModule(t, a, t.TempDir())
			mod := parseObj(t, cfg.Objects[0])
			for _, fn := range []string{"op_inc", "op_neg"} {
				secs, _ := refsTo(t, mod, fn)
				for _, s := range secs {
					if !strings.HasPrefix(s, ".data.rel.ro") && !strings.HasPrefix(s, ".rodata") {
						t.Fatalf("premise: %s is referenced from %s, not only from data", fn, s)
					}
				}
				if len(secs) == 0 {
					t.Fatalf("premise: nothing references %s", fn)
				}
			}
			secs, types := refsTo(t, mod, "via_got")
			for i, s := range secs {
				if !(a.isGOTType(types[i]) && a.ISA != ISAXtensa || strings.HasPrefix(s, ".literal")) {
					t.Fatalf("premise: via_got is referenced by %s in %s, not through the GOT", elfobj.RelocName(a.Machine, types[i]), s)
				}
			}
			plain, err := Link(cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.GCSections = true
			res, err := Link(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range checkDrops(t, cfg, res) {
				if strings.Contains(s, ":__x86.get_pc_thunk.") {
					continue // GCC's helper, used by some functions (checkDrops checked it)
				}
				if strings.HasPrefix(s, "arc.o:") {
					s = "libarc.a:" + s
				}
				got = append(got, s)
			}
			if g, w := strings.Join(got, " "), strings.Join(wantDropped, " "); g != w {
				t.Errorf("dropped\n%s\nwant\n%s", g, w)
			}
			for _, name := range wantKept {
				if !hasDefNamed(res, name) {
					t.Errorf("%s was dropped", name)
				}
			}
			// memset is called only by dead_wipe: its stub goes too.
			if _, ok := plain.Symbol("memset"); ok != (a.MPY.String() != "xtensawin") {
				t.Errorf("plain link: memset stub present %v", ok)
			}
			if _, ok := res.Symbol("memset"); ok || hasDefNamed(res, "memset") {
				t.Errorf("memset stub kept, but only dead code calls it")
			}
			if res.TextSize >= plain.TextSize || res.BSSSize >= plain.BSSSize || res.GOTEntries >= plain.GOTEntries {
				t.Errorf("text %d -> %d, bss %d -> %d, GOT %d -> %d: want all smaller", plain.TextSize, res.TextSize, plain.BSSSize, res.BSSSize, plain.GOTEntries, res.GOTEntries)
			}
			t.Logf("text %d -> %d bytes, bss %d -> %d, GOT entries %d -> %d", plain.TextSize, res.TextSize, plain.BSSSize, res.BSSSize, plain.GOTEntries, res.GOTEntries)
			if a.ISA == ISAXtensa {
				checkXtensa(t, cfg, res)
			}
		})
	}
}

func hasDefNamed(res *Result, name string) bool {
	for _, d := range res.Defs {
		if d.Name == name {
			return true
		}
	}
	return false
}

// BenchmarkGCSectionsCorpus links every golden module that links both ways,
// plain objects without --gc-sections against -ffunction-sections objects
// with it, and reports the mean change of the module size (text, rodata
// and bss) in percent (negative is smaller) and the mean time of a
// --gc-sections link. The corpus modules use nearly all they define, so
// little is saved; testdata/gc (TestGCSectionsModule) shows dead code go.
func BenchmarkGCSectionsCorpus(b *testing.B) {
	type pair struct{ plain, gc *Config }
	plains := map[string]*Config{}
	var pairs []pair
	for _, c := range testutil.Cases(b) {
		if strings.HasPrefix(c.Module, "err_") {
			continue
		}
		cfg := goldenConfig(b, c)
		if _, err := Link(cfg); err != nil {
			continue
		}
		if filepath.Base(c.Dir) != "sections" {
			plains[c.Name] = cfg
			continue
		}
		cfg.GCSections = true
		if p := plains[strings.TrimSuffix(c.Name, "/sections")]; p != nil {
			pairs = append(pairs, pair{p, cfg})
		}
	}
	size := func(r *Result) int { return r.TextSize + r.RodataSize + r.BSSSize }
	var sum float64
	for _, p := range pairs {
		a, _ := Link(p.plain)
		g, _ := Link(p.gc)
		sum += 100 * float64(size(g)-size(a)) / float64(size(a))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range pairs {
			if _, err := Link(p.gc); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(sum/float64(len(pairs)), "%size")
	b.ReportMetric(float64(len(pairs)), "modules")
}
