package mpy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

// FuzzRead: no input makes the .mpy reader panic.
func FuzzRead(f *testing.F) {
	root := filepath.Join(testutil.Root(), "testdata")
	seeds, _ := filepath.Glob(filepath.Join(root, "golden", "*", "hello", "hello.mpy"))
	more, _ := filepath.Glob(filepath.Join(root, "golden-merge", "*", "*.mpy"))
	for _, p := range append(seeds, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		Read(data)
	})
}

// TestReadGolden decodes every golden .mpy: every byte accounted for.
func TestReadGolden(t *testing.T) {
	root := filepath.Join(testutil.Root(), "testdata")
	files, _ := filepath.Glob(filepath.Join(root, "golden", "*", "*", "*.mpy"))
	more, _ := filepath.Glob(filepath.Join(root, "golden", "*", "*", "sections", "*.mpy"))
	merge, _ := filepath.Glob(filepath.Join(root, "golden-merge", "*", "*.mpy"))
	files = append(append(files, more...), merge...)
	if len(files) < 100 {
		t.Fatalf("only %d files", len(files))
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Read(data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if f.Version != 6 || f.Arch != ArchNone && f.SubVersion != 3 {
			t.Errorf("%s: version %d.%d", p, f.Version, f.SubVersion)
		}
	}
}
