package linker

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

func TestParseVersion(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Version
		err  bool
	}{
		{"1.22", V(1, 22, 0), false},
		{"v1.22.2", V(1, 22, 2), false},
		{"1.29.0-preview", Version{1, 29, 0, true}, false},
		{"v1.29.0-preview.123.gabcdef0", Version{1, 29, 0, true}, false},
		{"1", Version{}, true},
		{"1.x", Version{}, true},
		{"1.22-rc1", Version{}, true},
	} {
		got, err := ParseVersion(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
	if !(Version{1, 29, 0, true}).AtLeast(V(1, 28, 0)) || (Version{1, 29, 0, true}).AtLeast(V(1, 29, 0)) || !V(1, 28, 0).AtLeast(V(1, 27, 9)) {
		t.Errorf("version order is wrong")
	}
}

// TestTargets: releases, ABIs and trees map to the profiles of VERSIONS.md.
func TestTargets(t *testing.T) {
	for _, tt := range []struct{ micropython, profile string }{
		{"1.20", "v1.20-v1.21"}, {"1.21.0", "v1.20-v1.21"}, {"1.22.2", "v1.22"}, {"1.23", "v1.23-v1.28"},
		{"v1.28.0", "v1.23-v1.28"}, {"1.29.0-preview", "dev"}, {"1.29", "dev"}, {"dev", "dev"},
	} {
		got, err := ParseMicroPython(tt.micropython)
		if err != nil || got.Name != tt.profile {
			t.Errorf("--micropython %s: %v, %v; want profile %s", tt.micropython, got.Profile, err, tt.profile)
		}
	}
	for _, bad := range []string{"1.19", "1.19.1", "2.x"} {
		if _, err := ParseMicroPython(bad); err == nil {
			t.Errorf("--micropython %s accepted", bad)
		}
	}
	for abi, sub := range map[string]int{"6.1": 1, "6.2": 2, "6.3": 3} {
		got, err := ParseABI(abi)
		if err != nil || got.SubVersion != sub || !got.Version.IsZero() || got.Profile == ProfileDev {
			t.Errorf("--mpy-abi %s: %v %v", abi, got, err)
		}
	}
	if _, err := ParseABI("6.4"); err == nil {
		t.Errorf("--mpy-abi 6.4 accepted")
	}
	for _, tt := range []struct {
		tree, profile, version string
		err                    string
	}{
		{tree: "v1.20.0", profile: "v1.20-v1.21", version: "v1.20.0"},
		{tree: "v1.21.0", profile: "v1.20-v1.21", version: "v1.21.0"},
		{tree: "v1.22.2", profile: "v1.22", version: "v1.22.2"},
		// A preview between releases gets the ABI its persistentcode.h says.
		{tree: "v1.23.0-preview", profile: "v1.22", version: "v1.23.0-preview"},
		{tree: "v1.24.1", profile: "v1.23-v1.28", version: "v1.24.1"},
		{tree: "v1.28.0", profile: "v1.23-v1.28", version: "v1.28.0"},
		{tree: "dev", profile: "dev", version: "v1.29.0-preview"},
		{tree: "v1.19.1", err: ".mpy 6.0, which mpyld does not support"},
		{tree: "future", err: ".mpy 6.4, which mpyld does not know"},
		{tree: "missing", err: "is not a MicroPython tree: py/mpconfig.h is missing"},
	} {
		got, err := TreeTarget(filepath.Join(testutil.Root(), "testdata", "trees", tt.tree))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("tree %s: %v, want error %q", tt.tree, err, tt.err)
			}
			continue
		}
		if err != nil || got.Name != tt.profile || got.Version.String() != tt.version {
			t.Errorf("tree %s: %v (%v), want %s %s", tt.tree, got, err, tt.profile, tt.version)
		}
	}
}

// TestTargetRefusals: what a target cannot load is refused before linking,
// with the version that would load it.
func TestTargetRefusals(t *testing.T) {
	v123, _ := ParseMicroPython("1.23")
	v126, _ := ParseMicroPython("1.26")
	abi62, _ := ParseABI("6.2")
	for _, tt := range []struct {
		name   string
		c      string
		arch   string
		target Target
		flags  uint64
		want   string
	}{
		{"rv32 on 6.2", "rv32imc/hello", "rv32imc", abi62, 0, "MicroPython v1.22 (.mpy 6.2) cannot load rv32imc native modules: they need MicroPython v1.24.0 or later"},
		{"rv32 on 1.23", "rv32imc/hello", "rv32imc", v123, 0, "cannot load rv32imc native modules: they need MicroPython v1.24.0"},
		{"rv64 on 1.26", "rv64imc/hello", "rv64imc", v126, 0, "cannot load rv64imc native modules: they need MicroPython v1.28.0"},
		{"arch flags on 1.26", "rv32imc/hello", "rv32imc", v126, 1, "cannot load modules with --arch-flags: the loader reads them from MicroPython v1.27.0 on"},
		{"mp_type_Exception on 6.2", "x64/tables", "x64", abi62, 0, "none"},
	} {
		c := findCase(t, tt.c)
		cfg := goldenConfig(t, c)
		cfg.Target, cfg.ArchFlags = tt.target, tt.flags
		res, err := Link(cfg)
		if tt.want == "none" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || res != nil {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	// A runtime object the ABI lacks: mp_type_Exception exists from 6.3.
	obj := filepath.Join("testdata", "exc", "exc.o")
	a, _ := LookupArch("x64")
	for _, tgt := range []Target{{Profile: ProfileV120, Version: V(1, 20, 0)}, abi62} {
		_, err := Link(&Config{Arch: a, Target: tgt, Objects: []string{obj}, SourceName: "exc.mpy"})
		want := `undefined symbol "mp_type_Exception": ` + tgt.String() + ` has no mp_type_Exception in mp_fun_table; it needs MicroPython v1.23.0 or later`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", tgt, err, want)
		}
	}
	res, err := Link(&Config{Arch: a, Objects: []string{obj}, SourceName: "exc.mpy"})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := mpy.Read(res.MPY)
	found := false
	for _, r := range f.Root.Relocs {
		found = found || r.Kind == mpy.KindFunSlot+82
	}
	if !found {
		t.Errorf("v1.28: no relocation through mp_fun_table[82] mp_type_Exception")
	}
}

// TestObjectTableQstrs: v1.20's MP_OBJ_NEW_QSTR scheme, header and link,
// against v1.20's mpy_ld.py (testdata/objqstr).
func TestObjectTableQstrs(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "corpus", "objqstr", "objqstr.c"))
	if err != nil {
		t.Fatal(err)
	}
	v120 := Target{Profile: ProfileV120, Version: V(1, 20, 0)}
	for _, arch := range []string{"x64", "armv7m"} {
		dir := filepath.Join("testdata", "objqstr", arch)
		wantH, err := os.ReadFile(filepath.Join(dir, "objqstr.config.h"))
		if err != nil {
			t.Fatal(err)
		}
		q := ScanQstrs(v120, src)
		if got := ConfigHeader(v120, q); !bytes.Equal(got, wantH) {
			t.Errorf("%s: v1.20 config header differs from the reference", arch)
		}
		back := ParseConfig(wantH)
		if strings.Join(back.Objs, " ") != "alpha hello_world x zeta" || strings.Join(back.Vals, " ") != "greet hello_world pick x" {
			t.Errorf("ParseConfig: %v", back)
		}
		a, _ := LookupArch(arch)
		res, err := Link(&Config{Arch: a, Target: v120, Objects: []string{filepath.Join(dir, "objqstr.o")},
			Qstrs: back.Vals, Objs: back.Objs, SourceName: "objqstr.mpy"})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(filepath.Join(dir, "objqstr.mpy"))
		if !bytes.Equal(res.MPY, want) {
			t.Errorf("%s: output differs from v1.20's: %s", arch, firstDiff(res.MPY, want))
		}
	}
	// v1.21 scans every MP_QSTR_ name and has no object table.
	v121 := Target{Profile: ProfileV120, Version: V(1, 21, 0)}
	if q := ScanQstrs(v121, src); len(q.Objs) != 0 || strings.Join(q.Vals, " ") != "alpha greet hello_world pick x zeta" {
		t.Errorf("v1.21 scan: %v", q)
	}
}

// TestTreeTargetCached: the cache gives what reading the headers gives,
// is used while the headers keep their size and time, and is not once
// they change.
func TestTreeTargetCached(t *testing.T) {
	cache := t.TempDir()
	for _, tree := range []string{"v1.20.0", "v1.22.2", "v1.23.0-preview", "v1.28.0", "dev"} {
		dir := filepath.Join(testutil.Root(), "testdata", "trees", tree)
		want, err := TreeTarget(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // writes the cache, then reads it
			got, err := TreeTargetCached(dir, cache)
			if err != nil || got != want {
				t.Errorf("%s (run %d): %v, %v; want %v", tree, i, got, err, want)
			}
		}
	}
	// A copy of a tree: its cache entry is used until a header changes.
	dir := t.TempDir()
	src := filepath.Join(testutil.Root(), "testdata", "trees", "v1.22.2")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if _, err := TreeTargetCached(dir, cache); err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(cache, "tree-*"))
	for _, e := range entries {
		data, _ := os.ReadFile(e)
		os.WriteFile(e, []byte(strings.Replace(string(data), "MICROPY_VERSION_MICRO 2", "MICROPY_VERSION_MICRO 1", 1)), 0o644)
	}
	if got, _ := TreeTargetCached(dir, cache); got.Version != V(1, 22, 1) {
		t.Errorf("cache not used: got %v, want the cached v1.22.1", got.Version)
	}
	h := filepath.Join(dir, "py", "mpconfig.h")
	data, _ := os.ReadFile(h)
	os.WriteFile(h, append(data, "\n"...), 0o644)
	if got, _ := TreeTargetCached(dir, cache); got.Version != V(1, 22, 2) {
		t.Errorf("changed header not read again: got %v, want v1.22.2", got.Version)
	}
	// Missing headers still say so.
	if _, err := TreeTargetCached(t.TempDir(), cache); !errors.Is(err, ErrNotTree) {
		t.Errorf("empty folder: %v, want ErrNotTree", err)
	}
}

// TestDefineNums: only "#define NAME digits" lines at the start of a line
// count, the last one wins, CRLF line ends are fine.
func TestDefineNums(t *testing.T) {
	src := "#define MICROPY_VERSION_MAJOR 1\r\n" +
		"  #define MICROPY_VERSION_MINOR 99\n" + // not at the start of the line
		"#define MICROPY_VERSION_MINOR 22\n" +
		"#define MICROPY_VERSION_MICRO (2)\n" + // not a number
		"#define MICROPY_VERSION_MICRO 2 // comment\n" + // more than one word
		"#define MICROPY_VERSION_MICRO\t3\n" +
		"#defineMPY_VERSION 5\n" +
		"#define MPY_VERSION 6\n" +
		"#define MPY_SUB_VERSION 2\n" +
		"#define MPY_SUB_VERSION 3"
	nums := map[string]int{}
	defineNums([]byte(src), nums)
	want := map[string]int{"MICROPY_VERSION_MAJOR": 1, "MICROPY_VERSION_MINOR": 22, "MICROPY_VERSION_MICRO": 3, "MPY_VERSION": 6, "MPY_SUB_VERSION": 3}
	if !reflect.DeepEqual(nums, want) {
		t.Errorf("got %v, want %v", nums, want)
	}
}
