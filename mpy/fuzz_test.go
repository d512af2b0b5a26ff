package mpy

import (
	"os"
	"path/filepath"
	"strings"
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
		file, err := Read(data)
		if err != nil {
			return
		}
		var walk func(rc *RawCode)
		walk = func(rc *RawCode) {
			if rc.Kind == CodeBytecode {
				if p, err := ReadPrelude(rc.Data); err == nil {
					if ins, err := DecodeOpcodes(rc.Data[p.OpcodesOff:]); err == nil {
						EncodeOpcodes(ins)
					}
				}
			}
			for _, c := range rc.Children {
				walk(c)
			}
		}
		walk(file.Root)
	})
}

// FuzzMerge merges a native module with a fuzzed file: refusals are fine,
// panics are not.
func FuzzMerge(f *testing.F) {
	root := filepath.Join(testutil.Root(), "testdata", "golden-merge")
	native, err := os.ReadFile(filepath.Join(root, "x64", "native.mpy"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{"x64/helpers.mpy", "x64/extra.mpy", "bytecode/both.mpy"} {
		data, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		Merge([]MergeInput{{Name: "native.mpy", Data: native}, {Name: "fuzz.mpy", Data: data}}, nil)
	})
}

// TestReadGolden decodes every golden .mpy: every byte accounted for.
func TestReadGolden(t *testing.T) {
	root := filepath.Join(testutil.Root(), "testdata")
	files, _ := filepath.Glob(filepath.Join(root, "golden", "*", "*", "*.mpy"))
	more, _ := filepath.Glob(filepath.Join(root, "golden", "*", "*", "sections", "*.mpy"))
	merge, _ := filepath.Glob(filepath.Join(root, "golden-merge", "*", "*.mpy"))
	versions, _ := filepath.Glob(filepath.Join(root, "golden-versions", "*", "*", "*", "*.mpy"))
	versions2, _ := filepath.Glob(filepath.Join(root, "golden-versions", "*", "*", "*", "sections", "*.mpy"))
	files = append(append(append(append(files, more...), merge...), versions...), versions2...)
	if len(files) < 300 {
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
		want := 3 // the .mpy sub-version of each tree's MicroPython
		switch {
		case strings.Contains(p, "v1.20"):
			want = 1
		case strings.Contains(p, "v1.22"):
			want = 2
		}
		if f.Version != 6 || f.Arch != ArchNone && f.SubVersion != want {
			t.Errorf("%s: version %d.%d", p, f.Version, f.SubVersion)
		}
	}
}
