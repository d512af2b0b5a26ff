package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/firmware"
	"github.com/mpyld/mpyld/internal/testutil"
)

// TestTestCommand runs mpyld test in process on the probe module
// (testrun/testdata/probe) with the unix port of the tree in MPY_DIR: exit
// status 1 and a diff when a test fails, 0 and a JSON report when none
// does, 3 with the Debian package when QEMU is missing.
func TestTestCommand(t *testing.T) {
	mpyDir := os.Getenv("MPY_DIR")
	if mpyDir == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree to build the unix port from")
	}
	if why := firmware.ForArch("x64").NotRun; why != "" {
		t.Skip("x64 is not run on this host: " + why)
	}
	for _, tool := range []string{"gcc", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed: cannot build the module and the unix port")
		}
	}
	dir := filepath.Join(t.TempDir(), "probe")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(testutil.Root(), "testrun", "testdata", "probe"))); err != nil {
		t.Fatal(err)
	}
	mpyld := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"mpyld", "test", "-C", dir, "--mpy-dir", mpyDir}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, out, errs := mpyld("--arch", "x64", "--timeout", "5s")
	if code != 1 || !strings.Contains(out, "--- FAIL: fail.py on x64") || !strings.Contains(out, "-5\n+4\n") ||
		!strings.Contains(out, "2 passed, 4 failed, 1 skipped, 0 not run") || !strings.Contains(errs, "4 of 7 tests failed") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = mpyld("--arch", "x64", "--json", filepath.Join(dir, "tests", "pass.py"))
	var rep struct {
		Module string
		Units  []struct {
			Arch    string
			Results []struct{ Test, Status string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errs)
	}
	if rep.Module != "probe" || len(rep.Units) != 1 || rep.Units[0].Results[0].Status != "pass" {
		t.Errorf("%+v", rep)
	}
	if _, err := exec.LookPath("arm-none-eabi-gcc"); err != nil {
		t.Skip("arm-none-eabi-gcc not installed")
	}
	noQEMU := t.TempDir()
	for _, p := range filepath.SplitList(os.Getenv("PATH")) {
		entries, _ := os.ReadDir(p)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "qemu-system-") {
				os.Symlink(filepath.Join(p, e.Name()), filepath.Join(noQEMU, e.Name()))
			}
		}
	}
	t.Setenv("PATH", noQEMU)
	code, out, errs = mpyld("--arch", "x64,armv7m", filepath.Join(dir, "tests", "pass.py"))
	if code != 3 || !strings.Contains(out, "qemu-system-arm not found; install qemu-system-arm") ||
		!strings.Contains(errs, "install qemu-system-arm") || !strings.Contains(out, "1 passed, 0 failed, 0 skipped, 1 not run") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}
