package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNotTerminal: no progress line goes to a pipe or a file.
func TestNotTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, g := range []*os.File{w, f} {
		if isTerminal(g) {
			t.Errorf("%s is taken for a terminal", g.Name())
		}
	}
}
