package simport

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRuntimeHelpers builds c/rt.c for the host and compares its
// division, multiplication and soft-float helpers with the host's hardware
// on edge values and a million random operand pairs (testdata/rt_check.c).
func TestRuntimeHelpers(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no host C compiler (cc)")
	}
	bin := filepath.Join(t.TempDir(), "rt_check")
	build := exec.Command(cc, "-O2", "-DRT_HOST_TEST", "-o", bin, filepath.Join("c", "rt.c"), filepath.Join("testdata", "rt_check.c"))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", build.Args, err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok ") {
		t.Fatalf("%v\n%s", err, out)
	}
}
