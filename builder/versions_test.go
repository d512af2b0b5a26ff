package builder

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
)

// tree is one of the small fake MicroPython trees of testdata/trees (only
// their version lines).
func tree(name string) string { return filepath.Join(testutil.Root(), "testdata", "trees", name) }

// withSourceName returns a native .mpy with its first qstr (the source
// name) replaced, so that a reference output linked with -o hello.mpy can
// be compared with a build, which links it as build/hello.native.mpy.
func withSourceName(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	f, err := mpy.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	old := f.Qstrs[0].Str
	head := 4 // magic, version, features, small-int bits
	if data[2]&0x40 != 0 {
		t.Fatal("arch flags: not handled here")
	}
	at := bytes.Index(data[head:], append([]byte(old), 0))
	if at < 0 {
		t.Fatalf("source name %q not found", old)
	}
	at += head
	// The length vuint just before the string is one byte for short names.
	out := append([]byte(nil), data[:at-1]...)
	out = mpy.AppendQstr(out, name)
	return append(out, data[at+len(old)+1:]...)
}

// TestVersionedBuild builds the corpus hello module for x64 against the
// trees of v1.22.2 and v1.28.0 at once: each lands in dist/x64_<X.Y>/ and
// equals that version's reference output (testdata/golden-versions/v1.22,
// testdata/golden) but for the source name, which make gives as
// build/hello.native.mpy. Against the development branch's tree it builds
// as that branch's dynruntime.mk does (build-x64/, source name hello.mpy),
// which is byte for byte the development branch's own link.
func TestVersionedBuild(t *testing.T) {
	x64, _ := linker.LookupArch("x64")
	needCC(t, x64)
	dir := copyModule(t, "hello", "")
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{tree("v1.22.2"), tree("v1.28.0")}})
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{
		"6.2": filepath.Join(testutil.Root(), "testdata", "golden-versions", "v1.22", "x64", "hello", "hello.mpy"),
		"6.3": filepath.Join(testutil.Golden(), "x64", "hello", "hello.mpy"),
	}
	if len(res) != 2 {
		t.Fatalf("%d results, want 2", len(res))
	}
	for _, r := range res {
		want := filepath.Join("dist", "x64_"+r.MPYABI, "hello.mpy")
		if r.Output != want || r.MicroPython != map[string]string{"6.2": "v1.22.2", "6.3": "v1.28.0"}[r.MPYABI] {
			t.Errorf("%s: output %s for %s, want %s", r.MPYABI, r.Output, r.MicroPython, want)
			continue
		}
		got, _ := os.ReadFile(filepath.Join(dir, r.Output))
		ref, err := os.ReadFile(refs[r.MPYABI])
		if err != nil {
			t.Fatal(err)
		}
		if ref = withSourceName(t, ref, "build/hello.native.mpy"); !bytes.Equal(got, ref) {
			t.Errorf(".mpy %s: differs from the reference (%d bytes, want %d)", r.MPYABI, len(got), len(ref))
		}
	}

	dir = copyModule(t, "hello", "")
	res, err = Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{tree("dev")}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "hello.mpy"))
	ref, _ := os.ReadFile(filepath.Join(testutil.Root(), "testdata", "golden-versions", "dev", "x64", "hello", "hello.mpy"))
	if !bytes.Equal(got, ref) || res[0].Profile != "dev" || !fileExists(filepath.Join(dir, "build-x64", "hello.config.h")) {
		t.Errorf("dev: output equal to the reference %v, profile %s, build-x64/ %v", bytes.Equal(got, ref), res[0].Profile,
			fileExists(filepath.Join(dir, "build-x64", "hello.config.h")))
	}
	h, _ := os.ReadFile(filepath.Join(dir, "build-x64", "hello.config.h"))
	if bytes.Contains(h, []byte("mp_int_t")) {
		t.Errorf("dev config header declares mp_int_t")
	}
}

// TestVersionRefusals: an arch the tree's MicroPython cannot load is an
// error when asked for, and skipped, with the reason, among several; two
// trees of one ABI are refused.
func TestVersionRefusals(t *testing.T) {
	dir := copyModule(t, "hello", "")
	_, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"rv32imc"}, MPYDirs: []string{tree("v1.22.2")}})
	if err == nil || !strings.Contains(err.Error(), "MicroPython v1.22.2 (.mpy 6.2, profile v1.22) cannot load rv32imc native modules: they need MicroPython v1.24.0 or later") {
		t.Errorf("rv32imc for v1.22: %v", err)
	}
	_, err = Build(context.Background(), Options{Dir: dir, Arches: []string{"rv32imc"}, ArchFlags: "zba", MPYDirs: []string{tree("v1.24.1")}})
	if err == nil || !strings.Contains(err.Error(), "cannot load modules with --arch-flags") {
		t.Errorf("arch flags for v1.24: %v", err)
	}
	_, err = Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{tree("v1.28.0"), tree("dev")}})
	if err == nil || !strings.Contains(err.Error(), "are both MicroPython for .mpy 6.3") {
		t.Errorf("two trees of 6.3: %v", err)
	}
	if _, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{tree("v1.19.1")}}); err == nil ||
		!strings.Contains(err.Error(), ".mpy 6.0, which mpyld does not support") {
		t.Errorf("v1.19: %v", err)
	}
	rv, _ := linker.LookupArch("rv32imc")
	needCC(t, rv)
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"rv32imc"}, MPYDirs: []string{tree("v1.22.2"), tree("v1.28.0")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		switch r.MPYABI {
		case "6.2":
			if !strings.Contains(r.Skipped, "cannot load rv32imc") || r.Output != "" {
				t.Errorf("6.2: skipped %q, output %q", r.Skipped, r.Output)
			}
		case "6.3":
			if r.Output != filepath.Join("dist", "rv32imc_6.3", "hello.mpy") {
				t.Errorf("6.3: output %q (%v)", r.Output, r.Err)
			}
		}
	}
}

// TestClangBuild builds the corpus modules of testdata/golden-versions/
// dev-clang with --cc ARCH=clang-22 for the development branch: the objects
// and modules equal those the development branch's dynruntime.mk and
// mpy_ld.py made with the same Clang (mpyld adds --target, and the cross
// GCC's C library headers as --sysroot on bare-metal arches).
func TestClangBuild(t *testing.T) {
	if _, err := exec.LookPath("clang-22"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("clang-22 not found, but CI installs it")
		}
		t.Skip("clang-22 not installed")
	}
	t.Setenv("MPY_DIR", "") // the corpus builds against the development branch's profile, not a tree CI names
	n := 0
	for _, arch := range []string{"armv6m", "armv7m", "rv32imc", "x64"} {
		for _, mod := range []string{"hello", "tables", "multi"} {
			golden := filepath.Join(testutil.Root(), "testdata", "golden-versions", "dev-clang", arch, mod)
			if _, err := os.Stat(filepath.Join(golden, mod+".mpy")); err != nil {
				continue
			}
			n++
			t.Run(arch+"/"+mod, func(t *testing.T) {
				a, _ := linker.LookupArch(arch)
				if a.CrossPrefix != "" {
					needCC(t, a) // its C library headers
				}
				dir := copyModule(t, mod, "")
				res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{arch}, MicroPython: "dev",
					CC: map[string]string{arch: "clang-22"}})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range res[0].Objects {
					got, _ := os.ReadFile(filepath.Join(dir, o))
					want, _ := os.ReadFile(filepath.Join(golden, filepath.Base(o)))
					if !bytes.Equal(got, want) {
						t.Errorf("%s differs from the reference object", o)
					}
				}
				got, _ := os.ReadFile(filepath.Join(dir, mod+".mpy"))
				want, _ := os.ReadFile(filepath.Join(golden, mod+".mpy"))
				if !bytes.Equal(got, want) {
					t.Errorf("%s.mpy differs from the development branch's (%d bytes, want %d)", mod, len(got), len(want))
				}
			})
		}
	}
	if n < 10 {
		t.Errorf("only %d Clang cases", n)
	}
}

// TestNoData: writable data builds by default and is refused with NoData
// (--no-data, no_data in mpyld.toml), as mpy_ld.py refuses it.
func TestNoData(t *testing.T) {
	x64, _ := linker.LookupArch("x64")
	needCC(t, x64)
	dir := copyModule(t, "err_data", "")
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}})
	if err != nil || res[0].Output != "err_data.mpy" {
		t.Fatalf("with data: %v", err)
	}
	_, err = Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, NoData: true})
	if err == nil || !strings.Contains(err.Error(), `.data: 4 bytes of initialised writable data ("level"): refused with --no-data`) {
		t.Errorf("--no-data: %v", err)
	}
	dir = copyModule(t, "err_data", "no_data = true\n")
	if _, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}}); err == nil {
		t.Errorf("no_data in mpyld.toml: linked")
	}
}

// TestClangTree builds MicroPython's features0 and features1 examples with
// clang-22 against the tree in MPY_DIR, for every arch whose cross GCC
// gives Clang its C library headers: Clang needs those headers (picolibc's
// for RISC-V, found through GCC's dependency output), and v1.28's
// py/mpconfig.h repeats the config header's typedefs, which Clang warns of
// under -Werror. (mpyld test ran the features0 modules on the unix port and
// QEMU boards, README "Clang".)
func TestClangTree(t *testing.T) {
	mpyDir := os.Getenv("MPY_DIR")
	if mpyDir == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree")
	}
	if _, err := exec.LookPath("clang-22"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("clang-22 not found, but CI installs it")
		}
		t.Skip("clang-22 not installed")
	}
	for _, arch := range []string{"x64", "x86", "armv6m", "armv7emsp", "rv32imc", "rv64imc"} {
		for _, mod := range []string{"features0", "features1"} {
			t.Run(arch+"/"+mod, func(t *testing.T) {
				a, _ := linker.LookupArch(arch)
				needCC(t, a)
				src := filepath.Join(mpyDir, "examples", "natmod", mod, mod+".c")
				data, err := os.ReadFile(src)
				if err != nil {
					t.Skipf("%s: %v", src, err)
				}
				dir := t.TempDir()
				os.WriteFile(filepath.Join(dir, mod+".c"), data, 0o644)
				res, err := Build(context.Background(), Options{Dir: dir, Name: mod, Sources: []string{mod + ".c"}, Arches: []string{arch},
					MPYDirs: []string{mpyDir}, CC: map[string]string{arch: "clang-22"}})
				if err != nil {
					t.Fatal(err)
				}
				if res[0].Skipped != "" || res[0].Output == "" {
					t.Fatalf("not built: %+v", res[0])
				}
			})
		}
	}
}
