package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/mpyld/mpyld/linker"
)

// targetFlags choose the MicroPython a module is for.
func targetFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "micropython", Usage: "MicroPython release the module is for: 1.20 to 1.28, or dev (default: the version of --mpy-dir, $MPY_DIR or the tree around the working directory; else 1.28)"},
		&cli.StringFlag{Name: "mpy-abi", Usage: ".mpy version the module is for: 6.1 (v1.20-v1.21), 6.2 (v1.22) or 6.3 (v1.23 and later)"},
		&cli.StringFlag{Name: "mpy-dir", Usage: "MicroPython tree whose version the module is for"},
	}
}

// treeCache is where the versions of MicroPython trees are remembered:
// <user cache dir>/mpyld, or "" (no cache) when there is none.
func treeCache() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "mpyld")
}

// resolveTarget picks the target from, in order: --micropython, --mpy-abi,
// --mpy-dir, $MPY_DIR, a MicroPython tree holding the working directory
// (natmod examples built inside MicroPython with make MPY_LD=mpyld), and
// v1.28. It says where the choice came from.
func resolveTarget(c *cli.Context) (linker.Target, string, error) {
	if s := c.String("micropython"); s != "" {
		if c.String("mpy-abi") != "" {
			return linker.Target{}, "", usagef("give --micropython or --mpy-abi, not both")
		}
		t, err := linker.ParseMicroPython(s)
		if err != nil {
			return t, "", &usageError{err.Error()}
		}
		return t, "--micropython", nil
	}
	if s := c.String("mpy-abi"); s != "" {
		t, err := linker.ParseABI(s)
		if err != nil {
			return t, "", &usageError{err.Error()}
		}
		return t, "--mpy-abi", nil
	}
	if d := c.String("mpy-dir"); d != "" {
		t, err := linker.TreeTargetCached(d, treeCache())
		return t, d, err
	}
	// Trees found without being asked for count only when they are trees.
	if d := os.Getenv("MPY_DIR"); d != "" {
		t, err := linker.TreeTargetCached(d, treeCache())
		if !errors.Is(err, linker.ErrNotTree) {
			return t, d + " ($MPY_DIR)", err
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if d := linker.TreeAround(wd); d != "" {
			t, err := linker.TreeTarget(d)
			return t, d + " (holds the working directory)", err
		}
	}
	return linker.DefaultTarget, "default", nil
}
