package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mpyld/mpyld/linker"
)

// TestNatmodExamples builds MicroPython's examples/natmod from the tree in
// MPY_DIR with make (mpyld as its linker) and with mpyld build: every module
// make builds, mpyld build builds byte for byte, against the real
// py/dynruntime.mk. A module make cannot build (a missing submodule, an
// arch it does not support) is skipped.
func TestNatmodExamples(t *testing.T) {
	mpyDir := os.Getenv("MPY_DIR")
	if mpyDir == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree to build its natmod examples from")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	self, err := exec.LookPath("mpyld") // this test binary, put on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	examples, _ := filepath.Glob(filepath.Join(mpyDir, "examples", "natmod", "*", "Makefile"))
	if len(examples) == 0 {
		t.Fatalf("no examples/natmod/*/Makefile in %s", mpyDir)
	}
	for _, mf := range examples {
		src := filepath.Dir(mf)
		for _, arch := range []string{"x64", "armv6m", "rv32imc"} {
			t.Run(filepath.Base(src)+"/"+arch, func(t *testing.T) {
				a, _ := linker.LookupArch(arch)
				if _, err := exec.LookPath(a.CrossPrefix + "gcc"); err != nil {
					t.Skipf("%sgcc not installed", a.CrossPrefix)
				}
				dir := t.TempDir()
				if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
					t.Fatal(err)
				}
				clean(dir) // the tree may hold built modules
				mk := exec.Command("make", "MPY_DIR="+mpyDir, "MPY_LD="+self, "MPY_TOOL="+self, "ARCH="+arch)
				mk.Dir = dir
				if out, err := mk.CombinedOutput(); err != nil {
					t.Skipf("make cannot build it: %v\n%s", err, lastLines(out, 3))
				}
				outs, _ := filepath.Glob(filepath.Join(dir, "*.mpy"))
				if len(outs) != 1 {
					t.Fatalf("make wrote %v", outs)
				}
				want, _ := os.ReadFile(outs[0])
				clean(dir)
				var stdout, stderr bytes.Buffer
				if code := run([]string{"mpyld", "build", "--dir", dir, "--mpy-dir", mpyDir, "--arch", arch}, &stdout, &stderr); code != 0 {
					t.Fatalf("mpyld build: exit %d: %s", code, stderr.String())
				}
				got, err := os.ReadFile(outs[0])
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from make's", filepath.Base(outs[0]))
				}
			})
		}
	}
}

// clean removes what make or mpyld build wrote in a module folder.
func clean(dir string) {
	outs, _ := filepath.Glob(filepath.Join(dir, "*.mpy"))
	for _, p := range append(outs, filepath.Join(dir, "build")) {
		os.RemoveAll(p)
	}
}

func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte("\n"))
}
