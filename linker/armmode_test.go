package linker

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

// TestARMModeRefused: ARM-mode code is refused on every ARM arch with the
// remedy, never linked (a Thumb-only core faults on it). One object is a
// golden Thumb object whose "$t" mapping symbol is renamed "$a"; another,
// where arm-none-eabi-gcc is installed, is compiled with -marm.
func TestARMModeRefused(t *testing.T) {
	dir := t.TempDir()
	golden := filepath.Join(testutil.Golden(), "armv7m", "hello", "hello.o")
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\x00$t\x00")) {
		t.Fatal("golden object has no $t mapping symbol")
	}
	patched := filepath.Join(dir, "patched.o")
	if err := os.WriteFile(patched, bytes.Replace(data, []byte("\x00$t\x00"), []byte("\x00$a\x00"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	objs := []string{patched}
	if gcc, err := exec.LookPath("arm-none-eabi-gcc"); err == nil {
		src := filepath.Join(dir, "f.c")
		os.WriteFile(src, []byte("int mpy_init(int x) { return x * 3; }\n"), 0o644)
		obj := filepath.Join(dir, "marm.o")
		if out, err := exec.Command(gcc, "-marm", "-march=armv7-a", "-Os", "-fpic", "-c", src, "-o", obj).CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		objs = append(objs, obj)
	} else {
		t.Log("arm-none-eabi-gcc not installed: only the patched object")
	}
	for _, arch := range []string{"armv6m", "armv7m", "armv7emsp", "armv7emdp"} {
		a, _ := LookupArch(arch)
		for _, o := range objs {
			_, err := Link(&Config{Arch: a, Objects: []string{o}, SourceName: "m.mpy"})
			if err == nil || !strings.Contains(err.Error(), "ARM-mode code") || !strings.Contains(err.Error(), "runs Thumb code only: compile with -mthumb") {
				t.Errorf("%s %s: got %v, want ARM-mode code refused with -mthumb", arch, filepath.Base(o), err)
			}
		}
	}
	// The unpatched object links.
	a, _ := LookupArch("armv7m")
	if _, err := Link(&Config{Arch: a, Objects: []string{golden}, SourceName: "m.mpy"}); err != nil && strings.Contains(err.Error(), "ARM-mode") {
		t.Errorf("Thumb object refused: %v", err)
	}
}
