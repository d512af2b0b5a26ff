package testrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpyld/mpyld/builder"
)

// TestCexample builds MicroPython's examples/usercmodule/cexample (a user C
// module) and runs the tree's tests/misc/cexample_class.py and
// cexample_subclass.py on xtensa: mpyld's lx106 firmware, whose time module
// both need (without it the first prints SKIP and the second fails with an
// ImportError). cexample_class allows 20 ms around a 100 ms sleep, which a
// loaded host can exceed (QEMU's clock runs with the host's time, also while
// QEMU waits for a CPU), so a test that fails is run again, up to three
// times in all.
func TestCexample(t *testing.T) {
	tree := mpyDir(t)
	if len(runnable(t, "xtensa")) == 0 {
		t.Skip("xtensa cannot run here")
	}
	var tests []string
	for _, name := range []string{"cexample_class.py", "cexample_subclass.py"} {
		path := filepath.Join(tree, "tests", "misc", name)
		if _, err := os.Stat(path + ".exp"); err == nil {
			tests = append(tests, path)
		}
	}
	if len(tests) == 0 {
		t.Skip("no cexample tests in the tree")
	}
	dir := filepath.Join(t.TempDir(), "cexample")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(tree, "examples", "usercmodule", "cexample"))); err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, path := range tests {
		byName[filepath.Base(path)] = path
	}
	for attempt := 1; len(tests) > 0; attempt++ {
		rep, err := Run(context.Background(), Config{
			Build: builder.Options{Dir: dir, Arches: []string{"xtensa"}, MPYDirs: []string{tree}, Jobs: 2},
			Tests: tests, CacheDir: cacheDir(t), Jobs: 1, Timeout: 120 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Units) != 1 || rep.Units[0].NotRun != "" {
			t.Fatalf("units %+v, want one that ran", rep.Units)
		}
		var failed []string
		var report strings.Builder
		for _, r := range rep.Units[0].Results {
			if r.Status != Pass {
				failed = append(failed, byName[filepath.Base(r.Test)])
				fmt.Fprintf(&report, "%s: %s: %s\n%s%s", r.Test, r.Status, r.Cause, r.Diff, r.Output)
			}
		}
		if len(failed) == 0 {
			return
		}
		if attempt == 3 {
			t.Fatalf("failed three times; the last:\n%s", report.String())
		}
		t.Logf("attempt %d:\n%s", attempt, report.String())
		tests = failed
	}
}
