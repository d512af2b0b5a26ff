package testrun

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mpyld/mpyld/builder"
)

// natmodTests are MicroPython's natmod examples and the tests of
// tests/extmod that use them, as tests/run-natmodtests.py pairs them.
var natmodTests = map[string]string{
	"btree": "btree", "deflate": "deflate", "framebuf": "framebuf",
	"heapq": "heapq", "random": "random_basic", "re": "re",
}

// natmodArches are the arches CI runs the examples on.
var natmodArches = []string{"x64", "x86", "armv6m", "armv7m", "armv7emdp", "xtensa", "rv32imc", "rv64imc"}

// TestNatmodExamples builds the examples/natmod modules of the tree in
// MPY_DIR with mpyld and runs their tests from tests/extmod on every arch
// that can run here. The expected outcome of each test is the reference's:
// testdata/natmod-reference-v1.28.0.txt holds what tests/run-natmodtests.py gave for
// the modules that make (tools/mpy_ld.py) built, on the same firmware; a
// test the reference fails may pass
// ("unbuilt" where mpy_ld.py could not link the module here: those are
// expected to do as on x64; xtensa runs on mpyld's own lx106 firmware). As run-natmodtests.py does, a test without
// .exp is compared with CPython's output.
func TestNatmodExamples(t *testing.T) {
	natmodExamples(t, mpyDir(t), natmodArches, filepath.Join("testdata", "natmod-reference-v1.28.0.txt"))
}

// TestNatmodExamplesOld does the same with MPY_DIR_OLD (CI: v1.22.2) on x64.
func TestNatmodExamplesOld(t *testing.T) {
	old := os.Getenv("MPY_DIR_OLD")
	if old == "" {
		t.Skip("MPY_DIR_OLD not set: no older MicroPython tree")
	}
	natmodExamples(t, old, []string{"x64"}, filepath.Join("testdata", "natmod-reference-v1.22.2.txt"))
}

func natmodExamples(t *testing.T, tree string, archList []string, reference string) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: no CPython to give the expected output of tests without .exp")
	}
	want := readReference(t, reference)
	arches := runnable(t, archList...)
	mods := make([]string, 0, len(natmodTests))
	for m := range natmodTests {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	for _, mod := range mods {
		t.Run(mod, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), mod)
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(tree, "examples", "natmod", mod))); err != nil {
				t.Fatal(err)
			}
			clean(dir)
			tests := expectedTests(t, python, tree, natmodTests[mod])
			rep, err := Run(context.Background(), Config{
				Build: builder.Options{Dir: dir, Arches: arches, MPYDirs: []string{tree}, Jobs: 2},
				Tests: tests, CacheDir: cacheDir(t), Jobs: 2, Timeout: 120 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range rep.Units {
				if u.NotRun != "" {
					t.Errorf("%s: not run: %s", u.Arch, u.NotRun)
					continue
				}
				for _, r := range u.Results {
					w, ok := want[u.Arch+" "+r.Test]
					if w == "unbuilt" {
						// mpy_ld.py could not link it here: libgcc.a needs
						// Python's ar package, and on xtensa it stops on
						// GCC 12's literals of the qstr table. Expected: as
						// the reference on x64.
						w, ok = want["x64 "+r.Test]
					}
					if !ok {
						t.Errorf("%s %s: %s, and the reference has no result", u.Arch, r.Test, r.Status)
						continue
					}
					if w == "fail" && r.Status == Pass {
						// More than the reference: allowed, and said.
						t.Logf("%s %s: passes, where the reference fails", u.Arch, r.Test)
						continue
					}
					if string(r.Status) != w {
						t.Errorf("%s %s: %s, the reference %s: %s\n%s%s", u.Arch, r.Test, r.Status, w, r.Cause, r.Diff, r.Output)
					}
				}
			}
		})
	}
}

// expectedTests copies the tree's tests/extmod/<prefix>*.py to a folder,
// each with its .exp, or CPython's output where it has none.
func expectedTests(t *testing.T, python, tree, prefix string) []string {
	files, _ := filepath.Glob(filepath.Join(tree, "tests", "extmod", prefix+"*.py"))
	if len(files) == 0 {
		t.Fatalf("no tests/extmod/%s*.py in %s", prefix, tree)
	}
	dir := t.TempDir()
	var out []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(f))
		os.WriteFile(dst, src, 0o644)
		exp, err := os.ReadFile(f + ".exp")
		if err != nil {
			cmd := exec.Command(python, filepath.Base(f))
			cmd.Dir = filepath.Dir(f)
			exp, err = cmd.Output()
			if err != nil {
				t.Logf("%s: CPython fails (%v): left without .exp", filepath.Base(f), err)
				out = append(out, dst)
				continue
			}
		}
		os.WriteFile(dst+".exp", exp, 0o644)
		out = append(out, dst)
	}
	return out
}

// readReference reads "arch test status" lines.
func readReference(t *testing.T, path string) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("%s: %q: want arch test status", path, line)
		}
		m[fields[0]+" "+fields[1]] = fields[2]
	}
	return m
}

// clean removes built modules a tree's example folder may hold.
func clean(dir string) {
	outs, _ := filepath.Glob(filepath.Join(dir, "*.mpy"))
	for _, p := range append(outs, filepath.Join(dir, "build")) {
		os.RemoveAll(p)
	}
}

// TestStatdata runs the statdata module (initialised writable data, a
// pointer table relocated at load time, static bss reached PC-relative, a
// static struct of pointers to statics: all refused by mpy_ld.py) on every
// arch that can run here. Its .exp was worked out from the C source.
func TestStatdata(t *testing.T) {
	tree := mpyDir(t)
	arches := runnable(t, natmodArches...)
	if len(arches) == 0 {
		t.Skip("no arch can run here")
	}
	dir := filepath.Join(t.TempDir(), "statdata")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "statdata"))); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{
		Build:    builder.Options{Dir: dir, Arches: arches, MPYDirs: []string{tree}, Jobs: 2},
		CacheDir: cacheDir(t), Jobs: 2, Timeout: 60 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Units) != len(arches) {
		t.Fatalf("%d units, want %d", len(rep.Units), len(arches))
	}
	for _, u := range rep.Units {
		if u.NotRun != "" || len(u.Results) != 1 || u.Results[0].Status != Pass {
			t.Errorf("%s: not run %q, %+v", u.Arch, u.NotRun, u.Results)
		}
	}
}

// TestGCKeep runs issue 18's module (cmd/mpyld/testdata/gckeep: a list in a
// static mp_obj_t, a dict in a static struct field, a static pointer table,
// an initialised counter) with gc.collect() and allocation churn on every
// arch that can run here: the objects it holds only in those variables must
// survive, whichever memory the port gives the module's code.
func TestGCKeep(t *testing.T) {
	tree := mpyDir(t)
	arches := runnable(t, natmodArches...)
	if len(arches) == 0 {
		t.Skip("no arch can run here")
	}
	src := filepath.Join("..", "cmd", "mpyld", "testdata", "gckeep")
	dir := filepath.Join(t.TempDir(), "gckeep")
	for _, f := range []struct{ from, to string }{
		{"gckeep.c", "gckeep.c"}, {"mpyld.toml", "mpyld.toml"},
		{"gckeep_test.py", filepath.Join("tests", "gckeep_test.py")},
		{"gckeep_test.py.exp", filepath.Join("tests", "gckeep_test.py.exp")},
	} {
		data, err := os.ReadFile(filepath.Join(src, f.from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f.to)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Run(context.Background(), Config{
		Build:    builder.Options{Dir: dir, Arches: arches, MPYDirs: []string{tree}, Jobs: 2},
		CacheDir: cacheDir(t), Jobs: 2, Timeout: 120 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Units) != len(arches) {
		t.Fatalf("%d units, want %d", len(rep.Units), len(arches))
	}
	for _, u := range rep.Units {
		if u.NotRun != "" || len(u.Results) != 1 || u.Results[0].Status != Pass {
			t.Errorf("%s: not run %q, %+v", u.Arch, u.NotRun, u.Results)
		}
	}
}
