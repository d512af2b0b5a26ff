package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/linkmap"
	"github.com/mpyld/mpyld/mpy"
)

// needCC skips the test when the arch's compiler is missing, except in CI,
// which installs them all.
func needCC(t *testing.T, a *linker.Arch) {
	t.Helper()
	if _, err := exec.LookPath(a.CrossPrefix + "gcc"); err != nil {
		if os.Getenv("CI") != "" && a.Name != "xtensawin" {
			t.Fatalf("%sgcc not found, but CI installs it", a.CrossPrefix)
		}
		t.Skipf("%sgcc not installed", a.CrossPrefix)
	}
}

// module copies a corpus module and the corpus header into a fresh folder
// and writes its project file.
func copyModule(t testing.TB, name string, extra string) string {
	t.Helper()
	root := t.TempDir()
	corpus := filepath.Join(testutil.Root(), "testdata", "corpus")
	for _, d := range []string{name, "include"} {
		if err := os.CopyFS(filepath.Join(root, d), os.DirFS(filepath.Join(corpus, d))); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(root, name)
	srcs, _ := filepath.Glob(filepath.Join(dir, "*.c"))
	var q []string
	for _, s := range srcs {
		q = append(q, `"`+filepath.Base(s)+`"`)
	}
	toml := "name = \"" + name + "\"\nsources = [" + strings.Join(q, ", ") + "]\ncflags = \"-I../include\"\n" + extra
	if err := os.WriteFile(filepath.Join(dir, ProjectFile), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBuildMatchesGolden builds corpus modules for every arch with a
// compiler: the objects must equal the golden ones (compiled with
// dynruntime.mk's flags), and the module the reference linker's output but
// for the source name.
func TestBuildMatchesGolden(t *testing.T) {
	for _, a := range linker.Arches {
		if a.Name == "xtensawin" {
			continue // no compiler in Debian
		}
		for _, mod := range []string{"hello", "multi", "tables", "statq"} {
			t.Run(a.Name+"/"+mod, func(t *testing.T) {
				needCC(t, a)
				dir := copyModule(t, mod, "")
				res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{a.Name}, Jobs: 2})
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join(testutil.Golden(), a.Name, mod)
				for _, o := range res[0].Objects {
					got, _ := os.ReadFile(filepath.Join(dir, o))
					want, err := os.ReadFile(filepath.Join(golden, filepath.Base(o)))
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%s differs from the golden object", o)
					}
				}
				want, err := os.ReadFile(filepath.Join(golden, mod+".mpy"))
				if err != nil {
					return // the reference refused it (Xtensa qstr literals): TestXtensaLiterals decodes mpyld's
				}
				got, _ := os.ReadFile(filepath.Join(dir, mod+".mpy"))
				if want = withSourceName(t, want, "build/"+mod+".native.mpy"); !bytes.Equal(got, want) {
					t.Errorf("%s.mpy differs from the reference's (but for the source name make gives)", mod)
				}
			})
		}
	}
}

// TestBuildAll builds one module for every arch at once.
func TestBuildAll(t *testing.T) {
	dir := copyModule(t, "hello", "")
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"all"}, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(linker.Arches) {
		t.Fatalf("%d results, want one per arch", len(res))
	}
	built := 0
	for _, r := range res {
		if r.Skipped != "" {
			if !strings.Contains(r.Skipped, "not found (tried ") {
				t.Errorf("%s skipped without naming what was tried: %s", r.Arch, r.Skipped)
			}
			if os.Getenv("CI") != "" && r.Arch != "xtensawin" {
				t.Errorf("%s skipped in CI: %s", r.Arch, r.Skipped)
			}
			continue
		}
		built++
		want := filepath.Join("dist", r.Arch, "hello.mpy")
		if r.Output != want {
			t.Errorf("%s output %s, want %s", r.Arch, r.Output, want)
		}
		data, err := os.ReadFile(filepath.Join(dir, r.Output))
		if err != nil {
			t.Fatal(err)
		}
		f, err := mpy.Read(data)
		if err != nil || f.Arch.String() != r.Arch {
			t.Errorf("%s: decodes as %v (%v)", r.Arch, f, err)
		}
	}
	if built == 0 {
		t.Skip("no cross compiler installed")
	}
}

func firstArchWithCC(t *testing.T) *linker.Arch {
	for _, n := range []string{"x64", "armv7m", "rv32imc"} {
		a, _ := linker.LookupArch(n)
		if _, err := exec.LookPath(a.CrossPrefix + "gcc"); err == nil {
			return a
		}
	}
	t.Skip("no compiler installed")
	return nil
}

// TestIncremental: nothing recompiles when nothing changed; a header change
// recompiles its users, a source change only that source, a flag change all.
func TestIncremental(t *testing.T) {
	a := firstArchWithCC(t)
	dir := copyModule(t, "multi", "")
	build := func(opt Options) Result {
		t.Helper()
		opt.Dir, opt.Arches = dir, []string{a.Name}
		res, err := Build(context.Background(), opt)
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	if r := build(Options{}); r.Compiled != 2 {
		t.Fatalf("first build compiled %d, want 2", r.Compiled)
	}
	cfgH := filepath.Join(dir, "build", "multi.config.h")
	st1, _ := os.Stat(cfgH)
	if r := build(Options{}); r.Compiled != 0 || r.UpToDate != 2 {
		t.Errorf("second build compiled %d, %d up to date; want 0, 2", r.Compiled, r.UpToDate)
	}
	if st2, _ := os.Stat(cfgH); !st2.ModTime().Equal(st1.ModTime()) {
		t.Errorf("config header rewritten though unchanged")
	}
	appendTo(t, filepath.Join(dir, "b.c"), "\n// touched\n")
	if r := build(Options{}); r.Compiled != 1 {
		t.Errorf("after changing b.c compiled %d, want 1", r.Compiled)
	}
	appendTo(t, filepath.Join(dir, "..", "include", "abi.h"), "\n// touched\n")
	if r := build(Options{}); r.Compiled != 2 {
		t.Errorf("after changing abi.h compiled %d, want 2", r.Compiled)
	}
	if r := build(Options{CFlags: "-I../include -DEXTRA=1"}); r.Compiled != 2 {
		t.Errorf("after changing the flags compiled %d, want 2", r.Compiled)
	}
	if r := build(Options{CFlags: "-I../include -DEXTRA=1"}); r.Compiled != 0 {
		t.Errorf("same flags again compiled %d, want 0", r.Compiled)
	}
	// A new qstr changes the config header, which every source includes.
	appendTo(t, filepath.Join(dir, "a.c"), "\n// MP_QSTR_brand_new\n")
	if r := build(Options{CFlags: "-I../include -DEXTRA=1"}); r.Compiled != 2 {
		t.Errorf("after a new qstr compiled %d, want 2", r.Compiled)
	}
}

func appendTo(t *testing.T, path, s string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Close()
}

// TestMissingCompiler names the compiler tried and the package to install;
// a compiler named by --cc or MPYLD_CC_<ARCH> is not replaced by another.
func TestMissingCompiler(t *testing.T) {
	dir := copyModule(t, "hello", "")
	env := func(k string) string {
		if k == "MPYLD_CC_ARMV7M" {
			return "/nonexistent/env-gcc"
		}
		return ""
	}
	none := func(string) string { return "" }
	armv7m, _ := linker.LookupArch("armv7m")
	for _, tt := range []struct {
		opt  Options
		want []string
	}{
		{Options{Getenv: env, CC: map[string]string{"armv7m": "/nonexistent/flag-gcc"}}, []string{"/nonexistent/flag-gcc (from --cc)"}},
		{Options{Getenv: env}, []string{"/nonexistent/env-gcc (from MPYLD_CC_ARMV7M)"}},
		{Options{Getenv: none, Dir: "path"}, []string{"tried arm-none-eabi-gcc)", "install " + hostPackage(armv7m)}},
	} {
		if tt.opt.Dir == "path" {
			t.Setenv("PATH", t.TempDir())
		}
		tt.opt.Dir, tt.opt.Arches = dir, []string{"armv7m"}
		_, err := Build(context.Background(), tt.opt)
		var mt *MissingToolError
		if !errors.As(err, &mt) {
			t.Fatalf("got %v, want a MissingToolError", err)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q does not say %q", err, w)
			}
		}
	}
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"all"}, Getenv: none})
	if err != nil {
		t.Errorf("all with no compilers: %v", err)
	}
	for _, r := range res {
		if r.Skipped == "" {
			t.Errorf("%s not skipped", r.Arch)
		}
	}
}

// TestPython compiles a .py source with mpy-cross (a stand-in that writes
// the golden bytecode) and merges it behind the native part.
func TestPython(t *testing.T) {
	a := firstArchWithCC(t)
	dir := copyModule(t, "hello", "")
	helpers := filepath.Join(testutil.Root(), "testdata", "golden-merge", a.Name, "helpers.mpy")
	fake := filepath.Join(t.TempDir(), "mpy-cross")
	script := "#!/bin/sh\n# stand-in for mpy-cross: -march=ARCH -o OUT IN\nout=$3\ncp '" + helpers + "' \"$out\"\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "helpers.py"), []byte("def twice(x):\n    return 2 * x\n"), 0o644)
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{a.Name}, MPYCross: fake,
		Sources: []string{"hello.c", "helpers.py"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, res[0].Output))
	native, _ := os.ReadFile(filepath.Join(dir, "build", "hello.native.mpy"))
	hb, _ := os.ReadFile(helpers)
	want, err := mpy.Merge([]mpy.MergeInput{{Name: "n", Data: native}, {Name: "h", Data: hb}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("merged module differs from native + helpers")
	}
	f, err := mpy.Read(got)
	if err != nil || len(f.Root.Children) != 2 || f.Root.Children[0].Kind != mpy.CodeViper {
		t.Errorf("merged module: %v", err)
	}
}

// TestAbsoluteSource builds a source named by an absolute path, as the
// btree example's $(realpath ...) names its library sources.
func TestAbsoluteSource(t *testing.T) {
	a := firstArchWithCC(t)
	dir := copyModule(t, "multi", "")
	abs := filepath.Join(dir, "b.c")
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{a.Name}, Sources: []string{"a.c", abs}})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("build", strings.TrimSuffix(abs, ".c")+".o"); res[0].Objects[1] != want {
		t.Errorf("object %s, want %s", res[0].Objects[1], want)
	}
}

// BenchmarkUpToDate measures a build with nothing to do (hash every input,
// link and merge again): the cost of running mpyld build after no change.
func BenchmarkUpToDate(b *testing.B) {
	a, _ := linker.LookupArch("x64")
	if _, err := exec.LookPath("gcc"); err != nil {
		b.Skip("gcc not installed")
	}
	dir := copyModule(b, "tables", "")
	opt := Options{Dir: dir, Arches: []string{a.Name}}
	if _, err := Build(context.Background(), opt); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Build(context.Background(), opt)
		if err != nil || res[0].Compiled != 0 {
			b.Fatalf("%v, compiled %d", err, res[0].Compiled)
		}
	}
}

// TestAssembly compiles a .S source after the C ones (dynruntime.mk's order)
// and links it in.
func TestAssembly(t *testing.T) {
	a, _ := linker.LookupArch("x64")
	needCC(t, a)
	dir := copyModule(t, "hello", "")
	asm := "    .text\n    .globl asm_answer\nasm_answer:\n    movl $42, %eax\n    ret\n"
	os.WriteFile(filepath.Join(dir, "helper.S"), []byte(asm), 0o644)
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, Sources: []string{"helper.S", "hello.c"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res[0].Objects, " "); got != filepath.Join("build", "hello.o")+" "+filepath.Join("build", "helper.o") {
		t.Errorf("objects %s, want C first, then assembly", got)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "hello.mpy"))
	f, err := mpy.Read(data)
	if err != nil || !bytes.Contains(f.Root.Data, []byte{0xb8, 42, 0, 0, 0, 0xc3}) {
		t.Errorf("helper.S's code (mov $42, %%eax; ret) is not in the module: %v", err)
	}
}

// TestSizeOptions builds a corpus module on every arch with a compiler:
// --debug (-g) must not change the module; gc_sections in the project file
// compiles with function sections (so the module equals a --gc-sections
// link of the golden sections objects) and --map writes a map that names
// the objects; -v logs the sizes.
func TestSizeOptions(t *testing.T) {
	for _, a := range linker.Arches {
		if a.Name == "xtensawin" {
			continue // no compiler in Debian
		}
		t.Run(a.Name, func(t *testing.T) {
			needCC(t, a)
			const mod = "tables"
			build := func(extra string, opt Options) []byte {
				t.Helper()
				dir := copyModule(t, mod, extra)
				opt.Dir, opt.Arches, opt.Jobs = dir, []string{a.Name}, 2
				res, err := Build(context.Background(), opt)
				if err != nil {
					t.Fatal(err)
				}
				if opt.Map {
					if res[0].Map != filepath.Join("build", mod+".map") {
						t.Errorf("map %q", res[0].Map)
					}
					m, err := linkmap.ReadFile(filepath.Join(dir, res[0].Map))
					if err != nil {
						t.Fatal(err)
					}
					path, _ := m.ObjectPath(filepath.Join(dir, res[0].Map), "build/"+mod+".o")
					if _, err := os.Stat(path); err != nil || m.Module != mod+".mpy" || !m.GCSections {
						t.Errorf("map: module %q, gc %v, object at %s: %v", m.Module, m.GCSections, path, err)
					}
				}
				data, err := os.ReadFile(filepath.Join(dir, mod+".mpy"))
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
			plain := build("", Options{})
			if debug := build("", Options{Debug: true}); !bytes.Equal(debug, plain) {
				t.Errorf("--debug changed the module")
			}
			var logs []string
			gc := build("gc_sections = true\n", Options{Debug: true, Map: true, Logf: func(f string, args ...any) {
				logs = append(logs, fmt.Sprintf(f, args...))
			}})
			golden := filepath.Join(testutil.Golden(), a.Name, mod, "sections")
			h, _ := os.ReadFile(filepath.Join(golden, mod+".config.h"))
			ref, err := linker.Link(&linker.Config{Arch: a, Objects: []string{filepath.Join(golden, mod+".o")}, Qstrs: linker.ParseConfig(h).Vals,
				SourceName: "build/" + mod + ".native.mpy", GCSections: true})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gc, ref.MPY) {
				t.Errorf("gc_sections build differs from a --gc-sections link of the golden sections objects")
			}
			if !strings.Contains(strings.Join(logs, "\n"), a.Name+": SIZE text ") {
				t.Errorf("-v logged no sizes: %q", logs)
			}
		})
	}
}

// TestNothingBuilt: --arch all with no compiler on PATH builds nothing and
// says so as a missing compiler; with one arch built, nothing is wrong.
func TestNothingBuilt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, a := range linker.Arches {
		t.Setenv("MPYLD_CC_"+strings.ToUpper(a.Name), "")
	}
	dir := copyModule(t, "hello", "")
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"all"}, MicroPython: "1.28"})
	if err != nil {
		t.Fatal(err)
	}
	var mt *MissingToolError
	if err := NothingBuilt(res); !errors.As(err, &mt) || !strings.Contains(err.Error(), "no arch built: C compiler for") {
		t.Errorf("NothingBuilt: %v; want a missing compiler", err)
	}
	res[0].Skipped = ""
	if err := NothingBuilt(res); err != nil {
		t.Errorf("one arch built: %v", err)
	}
}

// TestPrebuiltQstrs: a prebuilt object (or archive member) given as a
// source that reads the module's qstr table is refused, since its numbers
// come from a config header the build cannot see (the module would load
// other strings); one that does not builds.
func TestPrebuiltQstrs(t *testing.T) {
	g := filepath.Join(testutil.Root(), "testdata", "golden", "armv6m")
	build := func(t *testing.T, src, data string) error {
		dir := t.TempDir()
		raw, err := os.ReadFile(filepath.Join(g, data))
		if err == nil && filepath.Ext(src) == ".a" {
			raw, err = arArchive(filepath.Dir(filepath.Join(g, data)), []string{filepath.Base(data)})
		}
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, src), raw, 0o644)
		res, err := Build(context.Background(), Options{Dir: dir, Name: "m", Sources: []string{src}, Arches: []string{"armv6m"}, MicroPython: "1.28"})
		if err == nil {
			err = res[0].Err
		}
		return err
	}
	for _, c := range []struct{ src, data string }{{"hello.o", "hello/hello.o"}, {"libhello.a", "hello/hello.o"}} {
		err := build(t, c.src, c.data)
		if err == nil || !strings.Contains(err.Error(), "reads the module's qstr table (symbol mp_native_qstr_table)") || !strings.Contains(err.Error(), "give its C source") {
			t.Errorf("%s: %v; want the qstr table refused with the remedy", c.src, err)
		}
	}
	if err := build(t, "statq.o", "statq/statq.o"); err != nil {
		t.Errorf("statq.o (no qstr table): %v", err)
	}
}
