package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mpyld/mpyld/internal/testutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mpyld": func() { os.Exit(run(os.Args, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command-line scripts in testdata/script. $GOLDEN is
// the golden corpus, $CORPUS the C sources, $STANDIN the stand-in
// MicroPython tree for natmod Makefiles.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			e.Setenv("GOLDEN", testutil.Golden())
			e.Setenv("CORPUS", filepath.Join(testutil.Root(), "testdata", "corpus"))
			e.Setenv("STANDIN", filepath.Join(testutil.Root(), "testdata", "mpy-standin"))
			e.Setenv("MPREMOTE", filepath.Join(testutil.Root(), "cmd", "mpyld", "testdata", "mpremote"))
			return nil
		},
	})
}
