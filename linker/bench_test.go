package linker

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
)

// mathyObjects writes the archive members that the armv6m mathy link pulls
// (members.txt) into dir as plain objects, and returns the link of mathy.o
// with them in pull order: the same link, without archives.
func mathyObjects(b *testing.B, cfg *Config, dir string) *Config {
	b.Helper()
	members, err := os.ReadFile(filepath.Join(findCase(b, "armv6m/mathy").Dir, "members.txt"))
	if err != nil {
		b.Fatal(err)
	}
	plain := *cfg
	plain.Libs = nil
	for _, line := range strings.Fields(string(members)) {
		lib, member, _ := strings.Cut(line, ":")
		for _, p := range cfg.Libs {
			if filepath.Base(p) != lib {
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			ar, err := elfobj.ReadArchive(p, data)
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range ar.Members {
				if m.Name == member {
					out := filepath.Join(dir, lib+"_"+member)
					if err := os.WriteFile(out, m.Data, 0o644); err != nil {
						b.Fatal(err)
					}
					plain.Objects = append(plain.Objects, out)
					break
				}
			}
		}
	}
	return &plain
}

// BenchmarkMathy links the armv6m mathy case against libgcc.a and libm.a
// (archives), and the same link with the pulled members given as objects
// (objects): the difference is what reading the archives costs.
func BenchmarkMathy(b *testing.B) {
	cfg := goldenConfig(b, findCase(b, "armv6m/mathy"))
	plain := mathyObjects(b, cfg, b.TempDir())
	want, err := Link(cfg)
	if err != nil {
		b.Fatal(err)
	}
	got, err := Link(plain)
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Equal(got.MPY, want.MPY) {
		b.Fatal("the link of the pulled members differs from the link of the archives")
	}
	for _, bc := range []struct {
		name string
		cfg  *Config
	}{{"objects", plain}, {"archives", cfg}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Link(bc.cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
