package support_test

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/builder"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
	"github.com/mpyld/mpyld/support"
)

// testArches are the arches the layer is checked on.
var testArches = []string{"x64", "x86", "armv6m", "armv7m", "rv32imc", "xtensa"}

// TestFiles checks that every source is listed with what it defines, and
// that Files is sorted and holds the header and mphalport.h.
func TestFiles(t *testing.T) {
	files := support.Files()
	names := map[string]bool{}
	for i, f := range files {
		if i > 0 && files[i-1].Name >= f.Name {
			t.Errorf("Files not sorted: %s before %s", files[i-1].Name, f.Name)
		}
		if len(f.Data) == 0 {
			t.Errorf("%s is empty", f.Name)
		}
		names[f.Name] = true
		if strings.HasSuffix(f.Name, ".c") && len(support.Defines(f.Name)) == 0 {
			t.Errorf("%s defines nothing in the provides table", f.Name)
		}
	}
	for _, n := range []string{support.Header, "mphalport.h"} {
		if !names[n] {
			t.Errorf("Files lacks %s", n)
		}
	}
	var all []string
	for _, f := range files {
		all = append(all, support.Defines(f.Name)...)
	}
	sort.Strings(all)
	if got, want := strings.Join(all, " "), strings.Join(support.Provides(), " "); got != want {
		t.Errorf("the files define %s\nProvides says %s", got, want)
	}
	p := support.Provides()
	for i := 1; i < len(p); i++ {
		if p[i-1] == p[i] {
			t.Errorf("%s is provided twice", p[i])
		}
	}
}

// TestHeaderQstrs checks that the qstrs the header's macros name are
// static: a module's qstr scan reads its own sources, not this header.
func TestHeaderQstrs(t *testing.T) {
	static := map[string]bool{}
	for _, s := range mpy.StaticQstrs {
		static[s] = true
	}
	for _, f := range support.Files() {
		if !strings.HasSuffix(f.Name, ".h") {
			continue
		}
		for _, m := range regexp.MustCompile(`MP_QSTR_([A-Za-z0-9_]+)`).FindAllSubmatch(f.Data, -1) {
			if !static[string(m[1])] {
				t.Errorf("%s names MP_QSTR_%s, which is not a static qstr", f.Name, m[1])
			}
		}
	}
}

func TestHint(t *testing.T) {
	tests := []struct{ sym, want string }{
		{"printf", ""},
		{"mp_getiter", ""},
		{"__aeabi_uidiv", ""},
		{"mp_arg_parse_all", ""},
		{"mp_binary_get_size", "from MicroPython v1.23.0, .mpy 6.3"},
		{"mp_load_method_maybe", "macro in MicroPython v1.23-v1.28, dev"},
		{"mp_get_buffer", "macro in MicroPython v1.22, v1.23-v1.28, dev"},
		{"mp_make_function_from_raw_code", "macro in MicroPython v1.20-v1.21, v1.22"},
		{"mp_obj_new_str", "every version, v1.20 to dev, (mp_fun_table.obj_new_str"},
		{"mp_type_OSError", "mpyld_type(MP_QSTR_OSError)"},
		{"nlr_push", "native emitter"},
		{"vstr_add_str", "no MicroPython version (v1.20 to dev) exports it"},
	}
	for _, tc := range tests {
		got := support.Hint(tc.sym)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("Hint(%q) = %q, want it to say %q", tc.sym, got, tc.want)
		}
	}
}

// mpyDir is the MicroPython tree of MPY_DIR, or a skip.
func mpyDir(t *testing.T) (string, linker.Target) {
	dir := os.Getenv("MPY_DIR")
	if dir == "" {
		t.Skip("MPY_DIR not set: give a MicroPython tree to compile the support layer against")
	}
	tgt, err := linker.TreeTarget(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, tgt
}

// TestDynruntimeMacros checks the dynruntime table of Hint against the
// py/dynruntime.h of MPY_DIR.
func TestDynruntimeMacros(t *testing.T) {
	dir, tgt := mpyDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "py", "dynruntime.h"))
	if err != nil {
		t.Fatal(err)
	}
	inTree := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#define ([A-Za-z_0-9]+)`).FindAllSubmatch(data, -1) {
		name := string(m[1])
		if name == "MICROPY_INCLUDED_PY_DYNRUNTIME_H" || strings.HasPrefix(name, "MP_DYNRUNTIME_") {
			continue
		}
		inTree[name] = true
	}
	for name := range inTree {
		if !contains(support.DynruntimeTable[name], tgt.Name) {
			t.Errorf("%s's py/dynruntime.h defines %s; the table says %v", tgt.Name, name, support.DynruntimeTable[name])
		}
	}
	for name, profiles := range support.DynruntimeTable {
		if contains(profiles, tgt.Name) && !inTree[name] {
			t.Errorf("the table says %s's py/dynruntime.h defines %s; it does not", tgt.Name, name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// layerOnly is a module of the layer alone, linked without the compiler's
// runtime library: every object of the layer is linked (no gc-sections),
// so any call the layer makes to a division or shift helper is refused.
const layerOnly = `#include "mpyld_support.h"

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY
    MP_DYNRUNTIME_INIT_EXIT
}
`

// buildTestModule writes the layer and the test module into a folder and
// builds it for arches against the tree dir; with layer, the module is
// layerOnly.
func buildTestModule(t *testing.T, dir string, arches []string, layer bool) (string, []builder.Result) {
	work := t.TempDir()
	srcs := []string{"supporttest.c"}
	for _, f := range support.Files() {
		if err := os.WriteFile(filepath.Join(work, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f.Name, ".c") {
			srcs = append(srcs, f.Name)
		}
	}
	for _, n := range []string{"supporttest.c", "run.py"} {
		data, err := os.ReadFile(filepath.Join("testdata", "supporttest", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// LINK_RUNTIME for the test module's own helpers (armv6m's switch
	// tables, division), not for the layer alone.
	runtime := !layer
	if layer {
		if err := os.WriteFile(filepath.Join(work, "supporttest.c"), []byte(layerOnly), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := builder.Build(context.Background(), builder.Options{
		Dir: work, Name: "supporttest", Sources: srcs, MPYDirs: []string{dir}, Arches: arches,
		LinkRuntime: &runtime, Jobs: 2,
	})
	// An arch whose compiler is missing is left out, as --arch all does;
	// any other error fails the test.
	var kept []builder.Result
	failed := len(res) == 0
	for _, r := range res {
		var mt *builder.MissingToolError
		if errors.As(r.Err, &mt) {
			t.Logf("%s left out: %v", r.Arch, r.Err)
			continue
		}
		failed = failed || r.Err != nil
		kept = append(kept, r)
	}
	if err != nil && failed {
		t.Fatal(err)
	}
	return work, kept
}

// TestCompileAndLink compiles the layer against MPY_DIR for every test
// arch with a compiler (and that the tree's MicroPython loads), links it
// alone without libgcc and with the test module (a link with an undefined
// symbol fails), and checks that each object defines what Provides says.
func TestCompileAndLink(t *testing.T) {
	dir, tgt := mpyDir(t)
	var arches []string
	for _, name := range testArches {
		a, err := linker.LookupArch(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := tgt.Check(a, 0); err != nil {
			t.Logf("%s: %v", name, err)
			continue
		}
		arches = append(arches, name)
	}
	if _, res := buildTestModule(t, dir, arches, true); true {
		for _, r := range res {
			if r.Err != nil || r.Error != "" {
				t.Errorf("the layer alone, %s, against %s, without libgcc: %v %s", r.Arch, tgt, r.Err, r.Error)
			}
		}
	}
	work, res := buildTestModule(t, dir, arches, false)
	seen := map[string]bool{}
	built := 0
	for _, r := range res {
		if r.Err != nil || r.Error != "" {
			t.Errorf("%s against %s: %v %s", r.Arch, tgt, r.Err, r.Error)
			continue
		}
		if r.Skipped != "" {
			t.Logf("%s skipped: %s", r.Arch, r.Skipped)
			continue
		}
		built++
		for _, o := range r.Objects {
			src := strings.TrimSuffix(filepath.Base(o), ".o") + ".c"
			if src == "supporttest.c" {
				continue
			}
			defined := globalSymbols(t, filepath.Join(work, o))
			for _, s := range defined {
				seen[s] = true
				if !contains(support.Defines(src), s) {
					t.Errorf("%s %s defines %s, which Provides lacks", r.Arch, o, s)
				}
			}
			if src == "mpyld_stdio.c" {
				continue // only for picolibc
			}
			guarded := ifndefs(t, src)
			guarded["mpyld_obj_is_float"] = true // only where the module has floats
			for _, s := range support.Defines(src) {
				if !contains(defined, s) && !guarded[s] {
					t.Errorf("%s %s does not define %s", r.Arch, o, s)
				}
			}
		}
	}
	if built == 0 {
		t.Skip("no compiler for any of", testArches)
	}
	t.Logf("%s: built for %d arches", tgt, built)
}

// globalSymbols lists the global and weak symbols an object defines.
func globalSymbols(t *testing.T, path string) []string {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range syms {
		bind := elf.ST_BIND(s.Info)
		hidden := elf.ST_VISIBILITY(s.Other) == elf.STV_HIDDEN // x86's __x86.get_pc_thunk.*
		if s.Section != elf.SHN_UNDEF && !hidden && (bind == elf.STB_GLOBAL || bind == elf.STB_WEAK) {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

// ifndefs lists the names a source defines only where the headers have
// no macro of that name (#ifndef name): the error-reporting level decides.
func ifndefs(t *testing.T, src string) map[string]bool {
	var data []byte
	for _, f := range support.Files() {
		if f.Name == src {
			data = f.Data
		}
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#ifndef (\w+)$`).FindAllSubmatch(data, -1) {
		out[string(m[1])] = true
	}
	return out
}

// TestRun builds the test module for the arch of the unix port MICROPYTHON
// (built from MPY_DIR) and checks what run.py prints against run.exp.
func TestRun(t *testing.T) {
	dir, _ := mpyDir(t)
	mp := os.Getenv("MICROPYTHON")
	if mp == "" {
		t.Skip("MICROPYTHON not set: give the unix port of MPY_DIR to run the test module")
	}
	out, err := exec.Command(mp, "-c", "import sys; print(sys.implementation._mpy >> 10 & 15)").Output()
	if err != nil {
		t.Fatalf("%s: %v", mp, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("%s reports arch %q", mp, out)
	}
	arch := mpy.Arch(n).String()
	work, res := buildTestModule(t, dir, []string{arch}, false)
	if len(res) == 0 {
		t.Skip("no compiler for", arch)
	}
	if len(res) != 1 || res[0].Err != nil || res[0].Skipped != "" {
		t.Fatalf("building for %s: %+v", arch, res)
	}
	cmd := exec.Command(mp, "run.py")
	cmd.Dir = filepath.Join(work, filepath.Dir(res[0].Output))
	if cmd.Dir != work {
		data, err := os.ReadFile(filepath.Join(work, "run.py"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cmd.Dir, "run.py"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s run.py: %v", mp, err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "supporttest", "run.exp"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s run.py printed\n%s\nwant\n%s", arch, got, want)
	}
}
