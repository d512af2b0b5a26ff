package testrun

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mpyld/mpyld/builder"
	"github.com/mpyld/mpyld/firmware"
	"github.com/mpyld/mpyld/internal/testutil"
)

// mpyDir is the MicroPython tree the firmware is built from, or the test
// skips.
func mpyDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("MPY_DIR")
	if d == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree to build the unix port and QEMU boards from")
	}
	return d
}

// cacheDir is the firmware cache of the tests: MPYLD_CACHE, else the
// user's, so that a second run reuses the firmware.
func cacheDir(t *testing.T) string {
	if d := os.Getenv("MPYLD_CACHE"); d != "" {
		return d
	}
	d, err := firmware.DefaultCacheDir()
	if err != nil {
		t.Skip(err)
	}
	return d
}

// probe copies the probe module (a working function, a NULL dereference
// and an endless loop, with a test of each outcome) to a temporary folder.
func probe(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "probe")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "probe"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runnable lists the arches among want whose compiler, firmware compiler
// and QEMU are here, saying which are left out.
func runnable(t *testing.T, want ...string) []string {
	var out []string
	for _, a := range want {
		b := firmware.ForArch(a)
		if b.NotRun != "" {
			t.Logf("%s left out: %s", a, b.NotRun)
			continue
		}
		var need []string
		if b.CrossPrefix != "" {
			need = append(need, b.CrossPrefix+"gcc")
		} else {
			need = append(need, "gcc")
		}
		if b.QEMU != "" {
			need = append(need, b.QEMU)
		}
		ok := true
		for _, p := range need {
			if _, err := exec.LookPath(p); err != nil {
				t.Logf("%s left out: %s not found", a, p)
				ok = false
			}
		}
		if ok {
			out = append(out, a)
		}
	}
	return out
}

// TestOutcomes runs the probe module's tests on the unix port and the QEMU
// boards: a pass, an output that differs from .exp, a test without .exp
// that passes and one that raises, a skip, a NULL dereference and a hang.
func TestOutcomes(t *testing.T) {
	tree := mpyDir(t)
	arches := runnable(t, "x64", "x86", "armv7m", "armv7emdp", "xtensa", "rv32imc", "rv64imc")
	if len(arches) == 0 {
		t.Skip("no arch can run here")
	}
	dir := probe(t)
	rep, err := Run(context.Background(), Config{
		Build:    builder.Options{Dir: dir, Arches: arches, MPYDirs: []string{tree}, Jobs: 2},
		CacheDir: cacheDir(t), Jobs: 2, Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Module != "probe" {
		t.Errorf("module %q, want probe", rep.Module)
	}
	want := map[string]struct {
		status Status
		cause  string
	}{
		"pass.py":  {Pass, ""},
		"noexp.py": {Pass, ""},
		"skip.py":  {Skip, ""},
		"fail.py":  {Fail, "output differs from fail.py.exp"},
		"exc.py":   {Fail, "uncaught ValueError: raised on purpose"},
		"hang.py":  {Fail, "no end within the time limit of 10s"},
	}
	if len(rep.Units) != len(arches) {
		t.Fatalf("%d units, want %d", len(rep.Units), len(arches))
	}
	for _, u := range rep.Units {
		if u.NotRun != "" {
			t.Errorf("%s: not run: %s", u.Arch, u.NotRun)
			continue
		}
		for _, r := range u.Results {
			if r.Test == "crash.py" {
				crash := "hard fault: "
				if u.Board == "unix" || u.Board == "unix-32" {
					crash = "killed by signal SIGSEGV"
				}
				if r.Status != Fail || !strings.Contains(r.Cause, crash) || !strings.Contains(r.Output, "before the crash") {
					t.Errorf("%s %s: %s %q (output %q), want fail %q", u.Arch, r.Test, r.Status, r.Cause, r.Output, crash)
				}
				continue
			}
			w, ok := want[r.Test]
			if !ok {
				t.Errorf("unexpected test %s", r.Test)
				continue
			}
			if r.Status != w.status || !strings.Contains(r.Cause, w.cause) {
				t.Errorf("%s %s: %s %q, want %s %q (output %q)", u.Arch, r.Test, r.Status, r.Cause, w.status, w.cause, r.Output)
			}
		}
		for _, r := range u.Results {
			if r.Test == "fail.py" && r.Diff != "--- expected\n+++ got\n-5\n+4\n" {
				t.Errorf("%s fail.py diff:\n%s", u.Arch, r.Diff)
			}
		}
	}
	if !rep.Failed() {
		t.Errorf("Failed() is false with failures")
	}
}

// pathWithout is a folder of links to every program in PATH except those
// whose names start with prefix.
func pathWithout(t *testing.T, prefix string) string {
	dir := t.TempDir()
	for _, p := range filepath.SplitList(os.Getenv("PATH")) {
		entries, _ := os.ReadDir(p)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), prefix) {
				continue
			}
			os.Symlink(filepath.Join(p, e.Name()), filepath.Join(dir, e.Name()))
		}
	}
	return dir
}

// TestMissingQEMU: without QEMU in PATH, the QEMU arches are not run with
// the Debian package to install, and the unix port still runs.
func TestMissingQEMU(t *testing.T) {
	tree := mpyDir(t)
	arches := runnable(t, "x64", "armv7m")
	if len(arches) != 2 {
		t.Skip("needs the x64 and armv7m compilers")
	}
	t.Setenv("PATH", pathWithout(t, "qemu-system-"))
	dir := probe(t)
	rep, err := Run(context.Background(), Config{
		Build: builder.Options{Dir: dir, Arches: arches, MPYDirs: []string{tree}, Jobs: 2},
		Tests: []string{filepath.Join(dir, "tests", "pass.py")}, CacheDir: cacheDir(t), Jobs: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range rep.Units {
		switch u.Arch {
		case "x64":
			if len(u.Results) != 1 || u.Results[0].Status != Pass {
				t.Errorf("x64: %+v", u.Results)
			}
		case "armv7m":
			if u.Missing != "qemu-system-arm" || !strings.Contains(u.NotRun, "qemu-system-arm not found; install qemu-system-arm") ||
				len(u.Results) != 1 || u.Results[0].Status != NotRun {
				t.Errorf("armv7m: missing %q, not run %q, %+v", u.Missing, u.NotRun, u.Results)
			}
		}
	}
	if got := strings.Join(rep.Missing(), " "); got != "qemu-system-arm" {
		t.Errorf("missing %q", got)
	}
}

// TestVersionCannotLoad: rv32imc modules need v1.24, so on v1.22.2 (a
// stand-in tree of its headers) rv32imc is not run, with the reason, and
// armv7m is not run there because v1.22's QEMU port has no REPL; v1.28
// runs both.
func TestVersionCannotLoad(t *testing.T) {
	tree := mpyDir(t)
	arches := runnable(t, "armv7m", "rv32imc")
	if len(arches) != 2 {
		t.Skip("needs armv7m and rv32imc")
	}
	old := filepath.Join(testutil.Root(), "testdata", "trees", "v1.22.2")
	dir := probe(t)
	rep, err := Run(context.Background(), Config{
		Build: builder.Options{Dir: dir, Arches: arches, MPYDirs: []string{old, tree}, Jobs: 2},
		Tests: []string{filepath.Join(dir, "tests", "pass.py")}, CacheDir: cacheDir(t), Jobs: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Units) != 4 {
		t.Fatalf("%d units, want 4", len(rep.Units))
	}
	for _, u := range rep.Units {
		var want string
		switch {
		case u.MicroPython != "v1.22.2":
		case u.Arch == "rv32imc":
			want = "cannot load rv32imc native modules"
		case u.Arch == "armv7m":
			want = "has no ports/qemu (from v1.24 on"
		}
		switch {
		case want == "" && (u.NotRun != "" || len(u.Results) != 1 || u.Results[0].Status != Pass):
			t.Errorf("%s %s: not run %q, %+v", u.Arch, u.MicroPython, u.NotRun, u.Results)
		case want != "" && (!strings.Contains(u.NotRun, want) || u.Results[0].Status != NotRun):
			t.Errorf("%s %s: not run %q, want %q", u.Arch, u.MicroPython, u.NotRun, want)
		}
	}
	if rep.Failed() {
		t.Errorf("a not-run version counts as failed")
	}
}

// TestOwnFirmwareCannotLoad: a unix port of an older MicroPython given as
// --firmware refuses a module built for the tree's newer .mpy version;
// every test fails with the error it raised. MPY_DIR_OLD is a tree before
// v1.23 (CI gives v1.22.2).
func TestOwnFirmwareCannotLoad(t *testing.T) {
	tree := mpyDir(t)
	old := os.Getenv("MPY_DIR_OLD")
	if old == "" {
		t.Skip("MPY_DIR_OLD not set: no older MicroPython tree")
	}
	fw, err := firmware.Build(context.Background(), firmware.ForArch("x64"), firmware.Options{MPYDir: old, CacheDir: cacheDir(t), Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := probe(t)
	rep, err := Run(context.Background(), Config{
		Build: builder.Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{tree}, Jobs: 2},
		Tests: []string{filepath.Join(dir, "tests", "pass.py")}, CacheDir: cacheDir(t), Firmware: map[string]string{"x64": fw},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Units[0].Results[0]
	if r.Status != Fail || r.Cause != "the module did not load: ValueError: incompatible .mpy file" {
		t.Errorf("%s %q", r.Status, r.Cause)
	}
}

func TestDiffLines(t *testing.T) {
	for _, c := range []struct{ want, got, diff string }{
		{"1\n2\n3\n", "1\n3\n", " 1\n-2\n 3\n"},
		{"1\n", "1\n2\n", " 1\n+2\n"},
		{"a\n", "b", "-a\n+b (no newline at end)\n"},
	} {
		if d := diffLines(c.want, c.got); d != "--- expected\n+++ got\n"+c.diff {
			t.Errorf("diff %q %q:\n%s", c.want, c.got, d)
		}
	}
}

// TestFirstLine: a build error's summary keeps make's message where the
// first line only introduces it (v1.24's py/dynruntime.mk refuses
// rv32imc, which it knows from v1.25 on).
func TestFirstLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"rv32imc: features0/Makefile: make failed reading it for rv32imc:\n/mp/py/dynruntime.mk:103: *** architecture 'rv32imc' not supported.  Stop.\n",
			"rv32imc: features0/Makefile: make failed reading it for rv32imc: /mp/py/dynruntime.mk:103: *** architecture 'rv32imc' not supported.  Stop."},
		{"x64: main.c:3:1: error: unknown type name 'foo'\n    3 | foo x;\n", "x64: main.c:3:1: error: unknown type name 'foo'"},
		{"one line", "one line"},
		{"ends with a colon:", "ends with a colon:"},
		{"ends with a colon:\n\n  then this\nnot this", "ends with a colon: then this"},
	} {
		if got := firstLine(c.in); got != c.want {
			t.Errorf("firstLine(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestReportBuildFailure: a build that failed for an arch is reported
// once for all its tests, with the compiler's errors and mpyld's hint
// (features2 on rv32imc, whose dynruntime.mk default has no floats).
func TestReportBuildFailure(t *testing.T) {
	msg := "rv32imc: CC main.c failed:\nmain.c: In function 'add':\nmain.c:30:12: error: implicit declaration of function 'mp_obj_new_float'\n" +
		"hint: MICROPY_FLOAT_IMPL=none is rv32imc's default in dynruntime.mk\n"
	rep := &Report{Tests: []string{"a.py", "b.py"}, Units: []*Unit{{Arch: "rv32imc", MicroPython: "v1.27.0", Board: "VIRT_RV32",
		Results: failAll([]string{"a.py", "b.py"}, "build: "+firstLine(msg), moreLines(msg))}}}
	var out strings.Builder
	rep.WriteText(&out)
	got := out.String()
	for _, want := range []string{
		"--- FAIL: all 2 tests on rv32imc, MicroPython v1.27.0 (VIRT_RV32): build: rv32imc: CC main.c failed: main.c: In function 'add':\n",
		"    main.c:30:12: error: implicit declaration of function 'mp_obj_new_float'\n",
		"    hint: MICROPY_FLOAT_IMPL=none is rv32imc's default in dynruntime.mk\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "--- FAIL") != 1 {
		t.Errorf("want one FAIL line:\n%s", got)
	}
}

func TestBytesLiteral(t *testing.T) {
	if got, want := bytesLiteral([]byte("a'\\\x00\x7f\n~")), `b'a\'\\\x00\x7f\x0a~'`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestNoTreeBeforeCache: without a tree, Run says to give one, even where
// the user's cache folder is unknown (no HOME, XDG_CACHE_HOME or
// LocalAppData, as under a CI runner's bare environment).
func TestNoTreeBeforeCache(t *testing.T) {
	for _, v := range []string{"HOME", "XDG_CACHE_HOME", "LocalAppData", "MPY_DIR"} {
		t.Setenv(v, "")
	}
	if _, err := firmware.DefaultCacheDir(); err == nil {
		t.Fatal("a cache folder without HOME, XDG_CACHE_HOME and LocalAppData")
	}
	_, err := Run(context.Background(), Config{Build: builder.Options{Dir: t.TempDir(), Arches: []string{"x64"}}})
	if err != ErrNoTree {
		t.Errorf("got %v, want %v", err, ErrNoTree)
	}
}

// TestMissingCompiler: with --arch all and no compiler on PATH, every arch
// is not run, and the report names what to install (mpyld test exits 3),
// as it does for a missing QEMU.
func TestMissingCompiler(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, a := range []string{"x64", "armv6m", "rv32imc"} {
		t.Setenv("MPYLD_CC_"+strings.ToUpper(a), "")
	}
	tree := filepath.Join(testutil.Root(), "testdata", "trees", "v1.28.0")
	dir := probe(t)
	rep, err := Run(context.Background(), Config{
		Build:    builder.Options{Dir: dir, Arches: []string{"all"}, MPYDirs: []string{tree}, Jobs: 2},
		Tests:    []string{filepath.Join(dir, "tests", "pass.py")},
		CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range rep.Units {
		if why := firmware.ForArch(u.Arch).NotRun; why != "" {
			// Not run on this host whatever is installed (x64 on Windows).
			if u.NotRun != why || u.Missing != "" {
				t.Errorf("%s: not run %q, missing %q, want %q", u.Arch, u.NotRun, u.Missing, why)
			}
			continue
		}
		if !strings.Contains(u.NotRun, "C compiler for "+u.Arch+" not found") || u.Missing == "" || u.Results[0].Status != NotRun {
			t.Errorf("%s: not run %q, missing %q, %+v", u.Arch, u.NotRun, u.Missing, u.Results)
		}
	}
	if len(rep.Units) != 10 || len(rep.Missing()) == 0 || rep.Failed() {
		t.Errorf("%d units, missing %q, failed %v", len(rep.Units), rep.Missing(), rep.Failed())
	}
}

// TestBuildErrorBeforeCache: a module that cannot be built says so, even
// where the user's cache folder is unknown (the firmware is not needed).
func TestBuildErrorBeforeCache(t *testing.T) {
	for _, v := range []string{"HOME", "XDG_CACHE_HOME", "LocalAppData", "MPY_DIR"} {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "tests"), 0o755)
	os.WriteFile(filepath.Join(dir, "tests", "pass.py"), []byte("print(1)\n"), 0o644)
	standin := filepath.Join(testutil.Root(), "testdata", "mpy-standin")
	_, err := Run(context.Background(), Config{Build: builder.Options{Dir: dir, Arches: []string{"armv6m"}, MPYDirs: []string{standin}}})
	if err == nil || !strings.Contains(err.Error(), "armv6m: no module name: give --name") {
		t.Errorf("got %v, want the build's error", err)
	}
}

// TestHostCannotRun: an arch whose board cannot run on this host (x64 on
// Windows) is not run with the board's reason, before its build: no
// compiler is asked for, and a missing one is no error.
func TestHostCannotRun(t *testing.T) {
	b := firmware.ForArch("x64")
	defer func(s string) { b.NotRun = s }(b.NotRun)
	b.NotRun = "no unix port on this host"
	t.Setenv("PATH", t.TempDir())
	t.Setenv("MPYLD_CC_X64", "")
	tree := filepath.Join(testutil.Root(), "testdata", "trees", "v1.28.0")
	dir := probe(t)
	rep, err := Run(context.Background(), Config{
		Build: builder.Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{tree}, Jobs: 2},
		Tests: []string{filepath.Join(dir, "tests", "pass.py")}, CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Units) != 1 || rep.Units[0].NotRun != b.NotRun || rep.Units[0].Missing != "" || len(rep.Missing()) != 0 {
		t.Errorf("%+v", rep.Units)
	}
}

// TestMissingCompilerSome: with --arch all and compilers for x64 and x86
// alone, the arches without one are not run but count as nothing missing
// (mpyld test exits as the other arches' tests say): all means every arch
// with a compiler. The unix port's working folders are removed after.
func TestMissingCompilerSome(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in unix port is a shell script")
	}
	tree := os.Getenv("MPY_DIR")
	if tree == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree")
	}
	bin := t.TempDir()
	for _, tool := range []string{"gcc", "as"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("no %s", tool)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	port := filepath.Join(bin, "micropython")
	if err := os.WriteFile(port, []byte("#!/bin/sh\ncat >/dev/null\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	for _, a := range []string{"x64", "x86", "armv6m", "rv32imc"} {
		t.Setenv("MPYLD_CC_"+strings.ToUpper(a), "")
	}
	dir := probe(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the unix port's empty working folders go
	rep, err := Run(context.Background(), Config{
		Build:    builder.Options{Dir: dir, Arches: []string{"all"}, MPYDirs: []string{tree}, Jobs: 2},
		Tests:    []string{filepath.Join(dir, "tests", "pass.py")},
		Firmware: map[string]string{"x64": port, "x86": port},
		CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, u := range rep.Units {
		if u.NotRun == "" {
			ran++
		} else if !strings.Contains(u.NotRun, "not found") || u.Missing != "" {
			t.Errorf("%s: not run %q, missing %q; want not run for want of a compiler, nothing missing", u.Arch, u.NotRun, u.Missing)
		}
	}
	if ran == 0 || len(rep.Missing()) != 0 {
		t.Errorf("%d units ran, missing %q; want x64 or x86 run and nothing missing", ran, rep.Missing())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "mpyld-test-*")); len(left) > 0 {
		t.Errorf("working folders left behind: %v", left)
	}
}
