package linker

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

// TestConfigHeader generates the config header of every golden case from the
// corpus sources and compares it with mpy_ld.py --preprocess's.
func TestConfigHeader(t *testing.T) {
	corpus := filepath.Join(testutil.Root(), "testdata", "corpus")
	n := 0
	for _, c := range testutil.Cases(t) {
		want, err := os.ReadFile(filepath.Join(c.Dir, c.Module+".config.h"))
		if err != nil {
			continue
		}
		srcs, _ := filepath.Glob(filepath.Join(corpus, c.Module, "*.c"))
		var data [][]byte
		for _, s := range srcs {
			b, err := os.ReadFile(s)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, b)
		}
		q := ScanQstrs(DefaultTarget, data...)
		got := ConfigHeader(DefaultTarget, q)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: config header differs from the reference", c.Name)
		}
		if back := ParseConfig(got); len(back.Vals) != len(q.Vals) || len(back.Objs) != 0 {
			t.Errorf("%s: ParseConfig read %d qstrs and %d objects back", c.Name, len(back.Vals), len(back.Objs))
		}
		n++
	}
	if n < 80 {
		t.Errorf("only %d headers compared", n)
	}
}

// TestDeterministic links the same inputs twice, from two working
// directories and with relative paths, and expects the same bytes.
func TestDeterministic(t *testing.T) {
	var c testutil.Case
	for _, cc := range testutil.Cases(t) {
		if cc.Name == "armv7m/multi" {
			c = cc
		}
	}
	if c.Dir == "" {
		t.Fatal("armv7m/multi not found")
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	var outs [][]byte
	for _, dir := range []string{c.Dir, filepath.Dir(c.Dir), t.TempDir()} {
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		cfg := goldenConfig(t, c)
		for i, o := range cfg.Objects {
			if rel, err := filepath.Rel(dir, o); err == nil { // no relative path to another drive (Windows)
				cfg.Objects[i] = rel
			}
		}
		res, err := Link(cfg)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, res.MPY)
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Errorf("link %d differs from link 0", i)
		}
	}
}

// BenchmarkLink links each corpus module (plain builds) for each arch.
func BenchmarkLink(b *testing.B) {
	for _, c := range testutil.Cases(b) {
		if c.Status != 0 || filepath.Base(c.Dir) == "sections" || strings.HasPrefix(c.Module, "err_") {
			continue
		}
		cfg := goldenConfig(b, c)
		// Read inputs once, so the benchmark measures linking.
		files := map[string][]byte{}
		for _, p := range append(append([]string{}, cfg.Objects...), cfg.Libs...) {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			files[p] = data
		}
		cfg.ReadFile = func(p string) ([]byte, error) {
			if d, ok := files[p]; ok {
				return d, nil
			}
			return os.ReadFile(p)
		}
		b.Run(c.Name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Link(cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// symbolDef is the global definition named name, or the zero Def.
func symbolDef(res *Result, name string) Def {
	d, _ := res.Symbol(name)
	return d
}
