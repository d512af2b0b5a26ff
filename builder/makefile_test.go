package builder

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
)

// needMake skips the test when GNU make is missing, except in CI, which
// installs it.
func needMake(t *testing.T) {
	t.Helper()
	if _, err := findMake(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("make not found, but CI installs it")
		}
		t.Skip("make not installed")
	}
}

// standin is the stand-in MicroPython tree of the tests.
func standin() string { return filepath.Join(testutil.Root(), "testdata", "mpy-standin") }

// natmod writes a module folder with a Makefile in the manner of real
// projects: settings in an included file, $(shell ...), a block for one
// goal only, a generated source, MPY_CROSS_FLAGS that use $<, CFLAGS before
// and after dynruntime.mk.
func natmod(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"common.mk": `# shared by the modules of a project
MPY_DIR ?= ../../micropython
CFLAGS += -I$(MPY_DIR)/../corpus/include
OPT ?= 1
`,
		"mod/Makefile": `include ../common.mk
ifeq ($(MAKECMDGOALS),native)
MOD = multi_$(ARCH)
SRC = a.c b.c build/gen.c helpers.py
CFLAGS += -DFROM_SHELL=$(shell echo 40 | sed s/0/2/)
CFLAGS_EXTRA += -DEXTRA=$(OPT)
MPY_CROSS_FLAGS = -s $(notdir $<)
ifeq ($(ARCH),armv6m)
LINK_RUNTIME = 1
endif
include $(MPY_DIR)/py/dynruntime.mk
CFLAGS += -DAFTER='"x y"'
native: all
endif

build/gen.c: gen.in
	mkdir -p build
	sed s/NAME/generated/ gen.in >$@
`,
		"mod/gen.in": "int NAME(void) { return 42; }\n",
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	corpus := filepath.Join(testutil.Root(), "testdata", "corpus")
	for _, f := range []string{"multi/a.c", "multi/b.c", "py/helpers.py"} {
		data, err := os.ReadFile(filepath.Join(corpus, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "mod", filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(root, "mod")
}

// TestMakefileRead checks what make tells mpyld about a Makefile: the goal
// decides whether the module is set up at all, command-line variables beat
// ?= in an included file, $(shell) runs, CFLAGS are split around
// dynruntime.mk's, MPY_CROSS_FLAGS is expanded per source, and the
// generated source is made.
func TestMakefileRead(t *testing.T) {
	needMake(t)
	dir := natmod(t)
	x64, _ := linker.LookupArch("x64")
	armv6m, _ := linker.LookupArch("armv6m")
	for _, tt := range []struct {
		arch    *linker.Arch
		vars    map[string]string
		extra   string
		runtime bool
	}{
		{x64, nil, "-DEXTRA=1", false},
		{x64, map[string]string{"OPT": "3"}, "-DEXTRA=3", false},
		{armv6m, nil, "-DEXTRA=1", true},
	} {
		b, err := newBuilder(Options{Dir: dir, MPYDirs: []string{standin()}, Goal: "native", Vars: tt.vars})
		if err != nil {
			t.Fatal(err)
		}
		m, err := b.resolve(context.Background(), tt.arch, "")
		if err != nil {
			t.Fatal(err)
		}
		want := &module{
			name: "multi_" + tt.arch.Name, sources: []string{"a.c", "b.c", "build/gen.c", "helpers.py"},
			mpyDir: standin(), build: "build", float: tt.arch.Float, linkRuntime: tt.runtime,
			cflagsPre:   []string{"-I" + standin() + "/../corpus/include", "-DFROM_SHELL=42"},
			cflagsExtra: []string{tt.extra}, cflagsPost: []string{`-DAFTER="x y"`},
			mpyCross:      []string{standin() + "/bin/mpy-cross"},
			mpyCrossFlags: map[string][]string{"helpers.py": {"-s", "helpers.py", "-march=" + tt.arch.Name}},
			cross:         tt.arch.CrossPrefix, vars: sortedVars(makeCommandLine(tt.arch, b.settings())),
			target: linker.DefaultTarget, clangRT: true, // the stand-in says v1.28.0
		}
		if tt.runtime {
			// The runtime libraries make named (LIBGCC_PATH, LIBM_PATH).
			if len(m.makeRuntime) == 0 || !strings.HasSuffix(m.makeRuntime[0], "libgcc.a") {
				t.Errorf("%s: runtime libraries from make %q, want libgcc.a first", tt.arch.Name, m.makeRuntime)
			}
			want.makeRuntime, want.fromMake = m.makeRuntime, true
		}
		if !reflect.DeepEqual(m, want) {
			t.Errorf("%s %v:\n got %+v\nwant %+v", tt.arch.Name, tt.vars, m, want)
		}
		if _, err := os.Stat(filepath.Join(dir, "build", "gen.c")); err != nil {
			t.Errorf("the generated source was not made: %v", err)
		}
	}
	// Read with no goal, the Makefile sets nothing up: the error says how to give one.
	b, _ := newBuilder(Options{Dir: dir, MPYDirs: []string{standin()}})
	if _, err := b.resolve(context.Background(), x64, ""); err == nil || !strings.Contains(err.Error(), "give it with --goal") {
		t.Errorf("no goal: got %v, want advice to give --goal", err)
	}
}

// TestMakefileErrors: make's own errors reach the user, and variables or a
// goal without a Makefile are refused.
func TestMakefileErrors(t *testing.T) {
	needMake(t)
	dir := t.TempDir()
	x64, _ := linker.LookupArch("x64")
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("MOD = m\nSRC = m.c\ninclude $(MPY_DIR)/py/dynruntime.mk\n"), 0o644)
	b, _ := newBuilder(Options{Dir: dir, MPYDirs: []string{filepath.Join(dir, "nowhere")}})
	_, err := b.resolve(context.Background(), x64, "")
	if err == nil || !strings.Contains(err.Error(), "make failed reading it for x64") || !strings.Contains(err.Error(), "nowhere/py/dynruntime.mk") {
		t.Errorf("missing tree: got %v", err)
	}
	// No ARCH anywhere: make's refusal is mpyld's "no architecture".
	if _, err := Build(context.Background(), Options{Dir: dir, MPYDirs: []string{standin()}}); !errors.Is(err, ErrNoArch) {
		t.Errorf("no arch: got %v, want ErrNoArch", err)
	}
	// CFLAGS without dynruntime.mk's flags cannot be reproduced.
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("MOD = m\nSRC = m.c\ninclude $(MPY_DIR)/py/dynruntime.mk\nCFLAGS := $(filter-out -Os,$(CFLAGS)) -O2\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "m.c"), nil, 0o644)
	b, _ = newBuilder(Options{Dir: dir, MPYDirs: []string{standin()}})
	_, err = b.resolve(context.Background(), x64, "")
	if err == nil || !strings.Contains(err.Error(), `it has "-Wall" where dynruntime.mk puts "-Os"`) {
		t.Errorf("changed CFLAGS: got %v", err)
	}
	toml := t.TempDir()
	os.WriteFile(filepath.Join(toml, ProjectFile), []byte("name = \"m\"\nsources = [\"m.c\"]\n"), 0o644)
	b, _ = newBuilder(Options{Dir: toml, Vars: map[string]string{"CONFIG": "fp32"}})
	if _, err := b.resolve(context.Background(), x64, ""); err == nil || !strings.Contains(err.Error(), "CONFIG=fp32: variables are for a Makefile") {
		t.Errorf("variables without a Makefile: got %v", err)
	}
}

// TestNoMake: without make a Makefile project gets one line that says so,
// and a project file needs no make.
func TestNoMake(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"gcc", "as"} { // the compiler and the assembler it runs
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("%s not installed", tool)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	dir := natmod(t)
	_, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{standin()}, Goal: "native"})
	var mt *MissingToolError
	if !errors.As(err, &mt) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "GNU make (to read the Makefile) not found") {
		t.Errorf("got %v, want a one-line missing make", err)
	}
	proj := copyModule(t, "hello", "")
	if _, err := Build(context.Background(), Options{Dir: proj, Arches: []string{"x64"}}); err != nil {
		t.Errorf("%s project without make: %v", ProjectFile, err)
	}
}

func TestSplitAround(t *testing.T) {
	for _, tt := range []struct {
		words, pattern, before, after string
		ok                            bool
	}{
		{"a b c d", "b c", "a", "d", true},
		{"b c", "b c", "", "", true},
		{"a b x c", "b c", "", "", false},
		{"a -march=x -specs=/p/picolibc.specs -D1 z", "-march=x " + anySpecs + " -D1", "a", "z", true},
		{"a -march=x -D1 z", "-march=x " + anySpecs + " -D1", "a", "z", true},
	} {
		before, after, ok := splitAround(strings.Fields(tt.words), strings.Fields(tt.pattern))
		if ok != tt.ok || ok && (strings.Join(before, " ") != tt.before || strings.Join(after, " ") != tt.after) {
			t.Errorf("splitAround(%q, %q) = %q, %q, %v", tt.words, tt.pattern, before, after, ok)
		}
	}
}

// TestLDFlags reads MPY_LD_FLAGS: the runtime libraries dynruntime.mk adds
// mark where the Makefile's own archives go.
func TestLDFlags(t *testing.T) {
	mk := &makeVars{vars: map[string]string{
		"MPY_LD_FLAGS": `-l first.a -l/gcc/libgcc.a -l/gcc/libm.a --externs "/rom.ld" --arch-flags "zba" --libs=last.a -vvv "--source-name=heapq.mpy"`,
		"LIBGCC_PATH":  "/gcc/libgcc.a", "LIBM_PATH": "/gcc/libm.a",
	}}
	m := &module{linkRuntime: true}
	if err := m.splitLDFlags(mk, "Makefile"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.libsPre, []string{"first.a"}) || !reflect.DeepEqual(m.libs, []string{"last.a"}) || m.externs != "/rom.ld" || m.archFlags != "zba" ||
		m.sourceName != "heapq.mpy" || sourceName(m) != "heapq.mpy" {
		t.Errorf("got pre %v, post %v, externs %q, arch flags %q, source name %q", m.libsPre, m.libs, m.externs, m.archFlags, m.sourceName)
	}
	mk.vars["MPY_LD_FLAGS"] = "--gc-sections"
	if err := (&module{}).splitLDFlags(mk, "Makefile"); err == nil || !strings.Contains(err.Error(), `"--gc-sections"`) {
		t.Errorf("unknown flag: got %v", err)
	}
}

func TestObjectPath(t *testing.T) {
	l := layout{buildDir: "build"}
	for src, want := range map[string]string{
		"a.c":                   "build/a.o",
		"src/b.c":               "build/src/b.o",
		"../lib/c.c":            "build/__/lib/c.o",
		"/abs/lib/berkeley/d.c": "build/abs/lib/berkeley/d.o",
	} {
		if got := filepath.ToSlash(l.objectPath(src, ".o")); got != want {
			t.Errorf("objectPath(%s) = %s, want %s", src, got, want)
		}
	}
}

// TestSourceName: the first qstr is $(BUILD)/$(MOD).native.mpy whether one
// arch or several are built, as make gives it.
func TestSourceName(t *testing.T) {
	a, _ := linker.LookupArch("armv6m")
	m := &module{name: "m", build: "build"}
	for _, several := range []bool{false, true} {
		if got := sourceName(m); got != "build/m.native.mpy" {
			t.Errorf("several=%v: source name %s", several, got)
		}
		l := layoutFor(m, a, several)
		want := map[bool]string{false: "build/m.native.mpy", true: "build/armv6m/m.native.mpy"}[several]
		if got := filepath.ToSlash(l.native(m)); got != want {
			t.Errorf("several=%v: native part in %s, want %s", several, got, want)
		}
	}
}

// BenchmarkUpToDateMakefile measures a build of a Makefile project with
// nothing to do: make reads the Makefile, every input is hashed, the module
// is linked and merged again.
func BenchmarkUpToDateMakefile(b *testing.B) {
	if _, err := findMake(); err != nil {
		b.Skip("make not installed")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		b.Skip("gcc not installed")
	}
	dir := natmod(b)
	opt := Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{standin()}, Goal: "native"}
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

// TestMPYCrossFlags: mpy_cross_flags in mpyld.toml and --mpy-cross-flags
// (which wins) reach mpy-cross, before -march.
func TestMPYCrossFlags(t *testing.T) {
	a := firstArchWithCC(t)
	dir := copyModule(t, "hello", "mpy_cross_flags = \"-O1\"\n")
	os.WriteFile(filepath.Join(dir, "helpers.py"), []byte("def twice(x):\n    return 2 * x\n"), 0o644)
	log := filepath.Join(t.TempDir(), "log")
	t.Setenv("MPYCROSS_LOG", log)
	cross := filepath.Join(standin(), "bin", "mpy-cross")
	for _, flags := range []string{"", "-O2 -X emit=bytecode"} {
		_, err := Build(context.Background(), Options{Dir: dir, Arches: []string{a.Name}, MPYCross: cross,
			MPYCrossFlags: flags, Sources: []string{"hello.c", "helpers.py"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(log)
	want := "mpy-cross -O1 -march=" + a.Name + " -o build/helpers.mpy helpers.py\n" +
		"mpy-cross -O2 -X emit=bytecode -march=" + a.Name + " -o build/helpers.mpy helpers.py\n"
	if string(got) != want {
		t.Errorf("mpy-cross ran as\n%swant\n%s", got, want)
	}
}
