package mpy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

// TestMergeGolden merges every golden-merge case as its merge.cmd says and
// compares with mpy-tool.py --merge's output.
func TestMergeGolden(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(testutil.Root(), "testdata", "golden-merge", "*", "merge.cmd"))
	if len(dirs) < 10 {
		t.Fatalf("only %d merge cases", len(dirs))
	}
	for _, cmdPath := range dirs {
		dir := filepath.Dir(cmdPath)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cmd, _ := os.ReadFile(cmdPath)
			f := strings.Fields(string(cmd))
			var out string
			var ins []MergeInput
			for i := 1; i < len(f); i++ {
				switch f[i] {
				case "--merge":
				case "-o":
					i++
					out = f[i]
				default:
					data, err := os.ReadFile(filepath.Join(dir, f[i]))
					if err != nil {
						t.Fatal(err)
					}
					ins = append(ins, MergeInput{Name: f[i], Data: data})
				}
			}
			got, err := Merge(ins, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, out))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("merge differs from mpy-tool.py's (%d bytes, want %d)", len(got), len(want))
			}
			// The native file goes first wherever it is given.
			if ins[0].Name == "native.mpy" {
				moved := append(append([]MergeInput(nil), ins[1:]...), ins[0])
				if got2, err := Merge(moved, nil); err != nil || !bytes.Equal(got2, want) {
					t.Errorf("native file given last: %v, same bytes %v", err, bytes.Equal(got2, want))
				}
			}
		})
	}
}

func TestMergeRefusals(t *testing.T) {
	g := filepath.Join(testutil.Root(), "testdata", "golden-merge")
	read := func(p string) MergeInput {
		d, err := os.ReadFile(filepath.Join(g, p))
		if err != nil {
			t.Fatal(err)
		}
		return MergeInput{Name: p, Data: d}
	}
	tests := []struct {
		ins  []MergeInput
		want string
	}{
		{[]MergeInput{read("x64/native.mpy"), read("armv6m/native.mpy")}, "native architecture armv6m does not match x64"},
		{[]MergeInput{read("x64/native.mpy"), read("x64/native.mpy")}, "only one file may"},
		{[]MergeInput{read("x64/native.mpy"), {Name: "bad.mpy", Data: []byte("M\x05\x00\x1f")}}, "bad.mpy: offset 0x1: .mpy version 5"},
		{[]MergeInput{read("x64/native.mpy"), {Name: "short.mpy", Data: read("x64/helpers.mpy").Data[:20]}}, "short.mpy: offset"},
	}
	for _, tt := range tests {
		if _, err := Merge(tt.ins, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want %q", err, tt.want)
		}
	}
}
