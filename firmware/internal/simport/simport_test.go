package simport

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMakeArgsSlashes: MPY_DIR and BUILD reach make with "/" (on Windows,
// C:\... paths, which MSYS2's sh would unescape).
func TestMakeArgsSlashes(t *testing.T) {
	mp, out := filepath.Join(t.TempDir(), "micropython"), filepath.Join(t.TempDir(), "out", "build")
	for _, a := range MakeArgs(filepath.Join(out, "port"), mp, out)[2:] {
		if strings.Contains(a, `\`) {
			t.Errorf("%q has a backslash", a)
		}
	}
}
