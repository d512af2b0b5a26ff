package linker

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestXtensaSameSectionLiterals: two objects whose literal pools both hold
// the address ".text+0x0" (each of its own static function) get a GOT word
// each, and every l32r loads its own object's word. mpy_ld.py names these
// GOT entries by section and offset only and merges them, so the second
// object's pointer reaches the first object's function: MicroPython's
// btree example built with -O0 for xtensa has two such pairs (README).
func TestXtensaSameSectionLiterals(t *testing.T) {
	gcc, err := exec.LookPath("xtensa-lx106-elf-gcc")
	if err != nil {
		t.Skip("xtensa-lx106-elf-gcc not installed")
	}
	dir := t.TempDir()
	srcs := map[string]string{
		"a.c": "static int twice(int x) { return 2 * x; }\nint (*get_a(void))(int) { return twice; }\nint mpy_init(void) { return get_a()(1); }\n",
		"b.c": "static int thrice(int x) { return 3 * x; }\nint (*get_b(void))(int) { return thrice; }\n",
	}
	var objs []string
	for name, src := range srcs {
		c := filepath.Join(dir, name)
		o := strings.TrimSuffix(c, ".c") + ".o"
		os.WriteFile(c, []byte(src), 0o644)
		if out, err := exec.Command(gcc, "-O0", "-mforce-l32", "-fpic", "-fno-common", "-c", c, "-o", o).CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		objs = append(objs, o)
	}
	a, _ := LookupArch("xtensa")
	cfg := &Config{Arch: a, Objects: objs, SourceName: "m.mpy"}
	res, err := Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkXtensa(t, cfg, res)
	var named []string
	for _, g := range res.GOT {
		if strings.HasSuffix(g.Name, ":.text+0x0") {
			named = append(named, filepath.Base(g.Name))
		}
	}
	if strings.Join(named, " ") != "a.o:.text+0x0 b.o:.text+0x0" && strings.Join(named, " ") != "b.o:.text+0x0 a.o:.text+0x0" {
		t.Errorf("GOT entries for .text+0x0: %v, want one for each of a.o and b.o", named)
	}
}
