package linker

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

// goldenConfig builds the link of a golden case, with paths inside its folder.
func goldenConfig(t testing.TB, c testutil.Case) *Config {
	t.Helper()
	a, err := LookupArch(c.Arch)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Arch: a, SourceName: c.Output}
	for _, o := range c.Objs {
		cfg.Objects = append(cfg.Objects, filepath.Join(c.ObjDir, o))
	}
	for _, l := range c.Libs {
		cfg.Libs = append(cfg.Libs, testutil.Lib(t, a.CrossPrefix+"gcc", a.CFlags, l))
	}
	if c.Qstrs != "" {
		h, err := os.ReadFile(filepath.Join(c.Dir, c.Qstrs))
		if err != nil {
			t.Fatal(err)
		}
		q := ParseConfig(h)
		cfg.Qstrs, cfg.Objs = q.Vals, q.Objs
	}
	return cfg
}

// TestGolden links every case the reference linker accepted and compares the
// bytes with its output.
func TestGolden(t *testing.T) {
	n := 0
	for _, c := range testutil.Cases(t) {
		if c.Status != 0 || strings.HasPrefix(c.Module, "err_") {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			cfg := goldenConfig(t, c)
			res, err := Link(cfg)
			if err != nil {
				t.Fatalf("link: %v", err)
			}
			want, err := os.ReadFile(filepath.Join(c.Dir, c.Output))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(res.MPY, want) {
				t.Errorf("output differs from the reference: %s", firstDiff(res.MPY, want))
			}
			if m, err := os.ReadFile(filepath.Join(c.Dir, "members.txt")); err == nil {
				var got []string
				for _, p := range res.Members {
					got = append(got, filepath.Base(strings.Split(p, ".a:")[0])+".a:"+strings.SplitN(p, ".a:", 2)[1])
				}
				if g, w := strings.Join(got, "\n"), strings.TrimSpace(string(m)); g != w {
					t.Errorf("pulled members:\n%s\nwant:\n%s", g, w)
				}
			} else if len(res.Members) != 0 {
				t.Errorf("pulled %v, want none", res.Members)
			}
		})
	}
	if n < 80 {
		t.Errorf("only %d golden cases found", n)
	}
}

func firstDiff(got, want []byte) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			return fmt.Sprintf("first difference at byte %#x of %#x: got %#02x, want %#02x", i, len(want), got[i], want[i])
		}
	}
	return fmt.Sprintf("length %d, want %d", len(got), len(want))
}
