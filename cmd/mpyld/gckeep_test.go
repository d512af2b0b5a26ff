package main

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mpyld/mpyld/linker"
)

// TestGCKeepsStatics builds testdata/gckeep (a list in a static mp_obj_t,
// a dict in a static struct field, a static pointer table, an initialised
// counter) against the tree in MPY_DIR for the arch of the unix port in
// MICROPYTHON, runs gckeep_test.py there (gc.collect() and allocation,
// several times) and compares its output with gckeep_test.py.exp.
func TestGCKeepsStatics(t *testing.T) {
	mpyDir, mp := os.Getenv("MPY_DIR"), os.Getenv("MICROPYTHON")
	if mpyDir == "" || mp == "" {
		t.Skip("MPY_DIR and MICROPYTHON not both set: no MicroPython tree and unix port to run the module on")
	}
	f, err := elf.Open(mp)
	if err != nil {
		t.Fatalf("MICROPYTHON: %v", err)
	}
	arch := map[elf.Machine]string{elf.EM_X86_64: "x64", elf.EM_386: "x86"}[f.Machine]
	f.Close()
	if arch == "" {
		t.Skipf("MICROPYTHON is a %v binary: only x86 and x64 are checked", f.Machine)
	}
	a, _ := linker.LookupArch(arch)
	if _, err := exec.LookPath(a.CrossPrefix + "gcc"); err != nil {
		t.Skipf("%sgcc not installed", a.CrossPrefix)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "gckeep"))); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"mpyld", "build", "--dir", dir, "--mpy-dir", mpyDir, "--arch", arch}, &stdout, &stderr); code != 0 {
		t.Fatalf("mpyld build: exit %d: %s", code, stderr.String())
	}
	want, err := os.ReadFile(filepath.Join(dir, "gckeep_test.py.exp"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		cmd := exec.Command(mp, "gckeep_test.py")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "MICROPYPATH="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("%s (%s) run %d: %v\n%s\nwant\n%s", mp, arch, i+1, err, out, want)
		}
	}
}
