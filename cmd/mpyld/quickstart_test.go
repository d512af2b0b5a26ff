package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// TestReadmeQuickStart runs the README's first build command as it is
// written, in a folder laid out as its steps leave it (MicroPython's
// features0.c alone beside a tree), and checks the module it promises.
func TestReadmeQuickStart(t *testing.T) {
	mpyDir := os.Getenv("MPY_DIR")
	if mpyDir == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree")
	}
	if _, err := exec.LookPath("arm-none-eabi-gcc"); err != nil {
		t.Skip("no arm-none-eabi-gcc")
	}
	readme, err := os.ReadFile(filepath.Join(testutil.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(l, "mpyld build --mpy-dir ../micropython") {
			line = l
			break
		}
	}
	if line == "" {
		t.Fatal("README: no quick-start line starting with mpyld build --mpy-dir ../micropython")
	}
	line, _, _ = strings.Cut(line, "#")
	top := t.TempDir()
	abs, err := filepath.Abs(mpyDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(top, "micropython")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(top, "features0")
	src, err := os.ReadFile(filepath.Join(mpyDir, "examples", "natmod", "features0", "features0.c"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "features0.c"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var out, errb bytes.Buffer
	if code := run(strings.Fields(line), &out, &errb); code != 0 {
		t.Fatalf("%s: exit %d\n%s%s", line, code, out.String(), errb.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "features0.mpy"))
	if err != nil {
		t.Fatalf("%s wrote no features0.mpy: %v", line, err)
	}
	if f, err := mpy.Read(data); err != nil || f.Arch != mpy.ArchARMV6M {
		t.Errorf("features0.mpy: %v; want an armv6m module", err)
	}
}
