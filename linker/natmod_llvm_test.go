package linker_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mpyld/mpyld/builder"
	"github.com/mpyld/mpyld/linker"
)

// TestNatmodXtensaWinLLVM builds each of MicroPython's examples/natmod (the
// tree in MPY_DIR) for xtensawin with clang-22 and llvm-mc-22, as mpyld
// build does without xtensa-esp32-elf-gcc, links the objects again (the
// bytes must equal the built module's native part) and decodes the output:
// every l32r loads the literal its object meant, every pointer to code in
// rodata has its runtime relocation and reaches a function's entry.
func TestNatmodXtensaWinLLVM(t *testing.T) {
	mpyDir := os.Getenv("MPY_DIR")
	if mpyDir == "" {
		t.Skip("MPY_DIR not set: no MicroPython tree to build its natmod examples from")
	}
	for _, tool := range []string{"clang-22", "llvm-mc-22", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" && tool != "make" {
				t.Fatalf("%s not found, but CI installs it", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	if _, err := exec.LookPath("xtensa-esp32-elf-gcc"); err == nil {
		t.Skip("xtensa-esp32-elf-gcc is installed: mpyld build uses it, not LLVM")
	}
	examples, _ := filepath.Glob(filepath.Join(mpyDir, "examples", "natmod", "*", "Makefile"))
	if len(examples) < 11 {
		t.Fatalf("%d examples/natmod/*/Makefile in %s, want 11", len(examples), mpyDir)
	}
	win, _ := linker.LookupArch("xtensawin")
	pointers := 0
	for _, mf := range examples {
		src := filepath.Dir(mf)
		t.Run(filepath.Base(src), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"build"} {
				os.RemoveAll(filepath.Join(dir, p))
			}
			res, err := builder.Build(context.Background(), builder.Options{Dir: dir, Arches: []string{"xtensawin"}, MPYDirs: []string{mpyDir}, Jobs: 2})
			if err != nil {
				t.Fatal(err)
			}
			headers, _ := filepath.Glob(filepath.Join(dir, "build", "*.config.h"))
			natives, _ := filepath.Glob(filepath.Join(dir, "build", "*.native.mpy"))
			if len(headers) != 1 || len(natives) != 1 {
				t.Fatalf("build wrote %v and %v", headers, natives)
			}
			h, _ := os.ReadFile(headers[0])
			q := linker.ParseConfig(h)
			cfg := &linker.Config{Arch: win, Qstrs: q.Vals, Objs: q.Objs, SourceName: "build/" + filepath.Base(natives[0])}
			for _, o := range res[0].Objects {
				cfg.Objects = append(cfg.Objects, filepath.Join(dir, o))
			}
			if lib := filepath.Join(dir, "build", "libm.a"); fileExists(lib) {
				cfg.Libs = append(cfg.Libs, lib)
				cfg.LinkRuntime = true
			}
			linked, err := linker.Link(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := os.ReadFile(natives[0]); !bytes.Equal(linked.MPY, want) {
				t.Fatalf("linking the objects again gives other bytes than the build (%d, %d)", len(linked.MPY), len(want))
			}
			linker.CheckXtensa(t, cfg, linked)
			pointers += linker.CheckRodataCode(t, cfg, linked, true)
		})
	}
	if pointers < 50 {
		t.Errorf("only %d pointers to code in rodata checked", pointers)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
