// Package linktest links golden cases for the tests of packages that read
// link results (linkmap, size).
package linktest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
)

// Link links the golden case name (arch/module[/sections]) as its link.cmd
// says, with its archives, and with --gc-sections if gc.
func Link(t testing.TB, name string, gc bool) (*linker.Config, *linker.Result) {
	t.Helper()
	for _, c := range testutil.Cases(t) {
		if c.Name != name {
			continue
		}
		a, err := linker.LookupArch(c.Arch)
		if err != nil {
			t.Fatal(err)
		}
		cfg := &linker.Config{Arch: a, SourceName: c.Output, GCSections: gc}
		for _, o := range c.Objs {
			cfg.Objects = append(cfg.Objects, filepath.Join(c.Dir, o))
		}
		for _, l := range c.Libs {
			cfg.Libs = append(cfg.Libs, testutil.Lib(t, a.CrossPrefix+"gcc", a.CFlags, l))
		}
		h, err := os.ReadFile(filepath.Join(c.Dir, c.Qstrs))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Qstrs = linker.ParseConfig(h).Vals
		res, err := linker.Link(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return cfg, res
	}
	t.Fatalf("no golden case %s", name)
	return nil, nil
}
