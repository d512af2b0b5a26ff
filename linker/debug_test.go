package linker

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

// TestDebugInfoChangesNothing compiles corpus modules with and without -g
// (and with function sections) on every arch with a compiler: the objects
// with DWARF and its relocations must link to the same bytes.
func TestDebugInfoChangesNothing(t *testing.T) {
	corpus := filepath.Join(testutil.Root(), "testdata", "corpus")
	modules := map[string][]string{"multi": {"a.c", "b.c"}, "memops": {"memops.c"}} // two objects; stubs
	for _, a := range Arches {
		for mod, srcs := range modules {
			for _, sections := range []bool{false, true} {
				name := a.Name + "/" + mod
				if sections {
					name += "/sections"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					var outs [][]byte
					for _, debug := range []bool{false, true} {
						dir := t.TempDir()
						var texts [][]byte
						for _, s := range srcs {
							b, err := os.ReadFile(filepath.Join(corpus, mod, s))
							if err != nil {
								t.Skipf("%s not in the corpus", mod)
							}
							texts = append(texts, b)
						}
						qstrs := ScanQstrs(DefaultTarget, texts...)
						if err := os.WriteFile(filepath.Join(dir, "m.config.h"), ConfigHeader(DefaultTarget, qstrs), 0o644); err != nil {
							t.Fatal(err)
						}
						flags := append([]string{"-Os", "-fpic", "-fno-common", "-I" + filepath.Join(corpus, "include"), "-I" + dir,
							"-DMP_CONFIGFILE=<m.config.h>", "-DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_NONE"}, a.CFlags...)
						if sections {
							flags = append(flags, "-ffunction-sections", "-fdata-sections")
						}
						if debug {
							flags = append(flags, "-g")
						}
						cfg := &Config{Arch: a, Qstrs: qstrs.Vals, SourceName: mod + ".mpy", GCSections: sections}
						for _, s := range srcs {
							out := filepath.Join(dir, strings.TrimSuffix(s, ".c")+".o")
							testutil.Compile(t, a.CrossPrefix+"gcc", flags, filepath.Join(corpus, mod, s), out)
							cfg.Objects = append(cfg.Objects, out)
							if debug && !bytes.Contains(readFile(t, out), []byte(".debug_line")) {
								t.Fatalf("%s has no .debug_line", out)
							}
						}
						res, err := Link(cfg)
						if err != nil {
							t.Fatalf("debug %v: %v", debug, err)
						}
						outs = append(outs, res.MPY)
					}
					if !bytes.Equal(outs[0], outs[1]) {
						t.Errorf("-g changed the module: %s", firstDiff(outs[1], outs[0]))
					}
				})
			}
		}
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
