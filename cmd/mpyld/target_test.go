package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

// TestTargetChoice: mpy_ld.py's command line (what make MPY_LD=mpyld runs)
// and the link subcommand write the .mpy version of the MicroPython asked
// for: --micropython, --mpy-abi, --mpy-dir, $MPY_DIR, or the tree around the
// working folder (natmod examples inside MicroPython), else v1.28. The
// outputs are the references' (testdata/golden-versions) byte for byte.
func TestTargetChoice(t *testing.T) {
	trees := filepath.Join(testutil.Root(), "testdata", "trees")
	hello := filepath.Join(testutil.Golden(), "x64", "hello")
	ref := func(ver string) []byte {
		dir := ver
		if ver == "v1.20" {
			dir = "v1.22" // v1.20 crashed on hello; its outputs differ from v1.22's only in the sub-version
		}
		p := filepath.Join(testutil.Root(), "testdata", "golden-versions", dir, "x64", "hello", "hello.mpy")
		if ver == "v1.28" {
			p = filepath.Join(hello, "hello.mpy")
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if ver == "v1.20" {
			data[2] = data[2]&^3 | 1
		}
		return data
	}
	// A MicroPython v1.22.2 tree with a module folder inside it.
	inTree := filepath.Join(t.TempDir(), "micropython")
	if err := os.CopyFS(inTree, os.DirFS(filepath.Join(trees, "v1.22.2"))); err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(inTree, "examples", "natmod", "hello")
	os.MkdirAll(mod, 0o755)
	os.MkdirAll(filepath.Join(inTree, "tools"), 0o755)
	os.WriteFile(filepath.Join(inTree, "tools", "mpy_ld.py"), nil, 0o644)
	for _, f := range []string{"hello.o", "hello.config.h"} {
		data, _ := os.ReadFile(filepath.Join(hello, f))
		os.WriteFile(filepath.Join(mod, f), data, 0o644)
	}
	for _, tt := range []struct {
		name  string
		dir   string
		env   string
		flags []string
		want  string
	}{
		{"default", hello, "", nil, "v1.28"},
		{"--micropython 1.22", hello, "", []string{"--micropython", "1.22"}, "v1.22"},
		{"--mpy-abi 6.1", hello, "", []string{"--mpy-abi", "6.1"}, "v1.20"},
		{"--micropython dev", hello, "", []string{"--micropython", "dev"}, "dev"},
		{"--mpy-dir", hello, "", []string{"--mpy-dir", filepath.Join(trees, "v1.20.0")}, "v1.20"},
		{"MPY_DIR", hello, filepath.Join(trees, "dev"), nil, "dev"},
		{"MPY_DIR not a tree", hello, t.TempDir(), nil, "v1.28"},
		{"inside a tree", mod, "", nil, "v1.22"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(tt.dir)
			t.Setenv("MPY_DIR", tt.env)
			out := filepath.Join(t.TempDir(), "hello.mpy")
			var stdout, stderr bytes.Buffer
			args := append(append([]string{"mpyld", "--arch", "x64", "--qstrs", "hello.config.h"}, tt.flags...), "--source-name", "hello.mpy", "-o", out, "hello.o")
			if code := run(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if !strings.Contains(stdout.String(), "text size:") {
				t.Errorf("no size summary: %q", stdout.String())
			}
			got, _ := os.ReadFile(out)
			if !bytes.Equal(got, ref(tt.want)) {
				t.Errorf("output is not %s's", tt.want)
			}
		})
	}
}
