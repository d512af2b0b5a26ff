package builder

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker"
)

// needLLVM skips the test without clang-22 and llvm-mc-22 (CI installs them).
func needLLVM(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"clang-22", "llvm-mc-22"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not found, but CI installs it", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	if _, err := exec.LookPath("xtensa-esp32-elf-gcc"); err == nil {
		t.Skip("xtensa-esp32-elf-gcc is installed: the build uses it")
	}
}

// TestCompilerOrder: ESP-IDF's GCC first, LLVM after it, for xtensawin only.
func TestCompilerOrder(t *testing.T) {
	win, _ := linker.LookupArch("xtensawin")
	_, cands := defaultCompilers(win, linker.DefaultTarget)
	if len(cands) != 2 || cands[0].path != "xtensa-esp32-elf-gcc" || cands[1].path != "clang-22" || !cands[1].fallback {
		t.Errorf("xtensawin compilers %+v", cands)
	}
	x, _ := linker.LookupArch("xtensa")
	if _, cands := defaultCompilers(x, linker.DefaultTarget); len(cands) != 1 {
		t.Errorf("xtensa compilers %+v", cands)
	}
}

// TestLLVMFacts checks that each LLVM 22 limit the build works around is
// still there (so that a workaround is dropped when LLVM no longer needs
// it), then builds with each refusal's input.
func TestLLVMFacts(t *testing.T) {
	needLLVM(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	win, _ := linker.LookupArch("xtensawin")
	f := llvmByArch["xtensawin"]
	clang := func(args ...string) (string, error) {
		out, err := exec.Command("clang-22", append(append([]string(nil), win.Clang...), args...)...).CombinedOutput()
		return string(out), err
	}
	simple := write("simple.c", "static int k(int x) { return x + 1; }\nint (*const p)(int) = k;\nint big(int x) { return x + 0x12345678; }\nextern int g;\nint get(void) { return g; }\n")
	jt := write("jt.c", "int sw(int x, int y) { switch (x) { case 0: return y + 1; case 1: return y * 7; case 2: return y - 9;\n"+
		"case 3: return y ^ 55; case 4: return y | 0x100; case 5: return y << 3; case 6: return y >> 2; } return 0; }\nint big(int x) { return x + 0x12345678; }\nextern int g;\nint get(void) { return g; }\n")
	facts := []struct {
		what string
		args []string
		want string
	}{
		{"the driver refuses -mcpu=esp32", []string{"-mcpu=esp32", "-S", "-o", "-", simple}, "unknown target CPU 'esp32'"},
		{"-fpic is refused", []string{"-fpic", "-Os", "-S", "-o", "-", simple}, "PIC relocations are not supported"},
		{"the integrated assembler cannot place literal pools", []string{"-Os", "-c", "-o", filepath.Join(dir, "x.o"), simple}, "fixup value must be 4-byte aligned"},
		{"--target=xtensa searches the host's headers", []string{"-E", "-v", "-o", "-", simple}, "/usr/include\n"},
	}
	for _, fact := range facts {
		out, _ := clang(fact.args...)
		if !strings.Contains(out, fact.want) {
			t.Errorf("%s: no longer true (want %q in):\n%s", fact.what, fact.want, out)
		}
	}
	// Jump tables: the next function's literal pool lands in .rodata.literal.
	asm := filepath.Join(dir, "jt.s")
	if out, err := clang("-Os", "-S", "-o", asm, jt); err != nil {
		t.Fatal(out)
	}
	obj := filepath.Join(dir, "jt.o")
	if out, err := exec.Command("llvm-mc-22", append(f.mcFlags, "-o", obj, asm)...).CombinedOutput(); err != nil {
		t.Fatal(string(out))
	}
	data, _ := os.ReadFile(obj)
	ef, err := elfobj.Parse(obj, data)
	if err != nil {
		t.Fatal(err)
	}
	names := ""
	for _, s := range ef.Sections {
		names += s.Name + " "
	}
	if !strings.Contains(names, ".rodata.literal") {
		t.Errorf("jump tables no longer put a literal pool in .rodata.literal: %s", names)
	}
	// -g: llvm-mc rejects the call-frame directives.
	if out, err := clang("-Os", "-g", "-S", "-o", asm, simple); err != nil {
		t.Fatal(out)
	}
	if out, err := exec.Command("llvm-mc-22", append(f.mcFlags, "-o", obj, asm)...).CombinedOutput(); err == nil || !strings.Contains(string(out), "invalid register name") {
		t.Errorf("llvm-mc now takes -g assembly: %v %s", err, out)
	}

	refusals := []struct {
		name, src string
		debug     bool
		want      string
	}{
		{"variadic", "#include <stdarg.h>\nint sum(int n, ...) { va_list ap; va_start(ap, n); int s = va_arg(ap, int); va_end(ap); return s + n; }\nint mpy_init(void) { return sum(1, 2); }\n",
			false, `m.c: variadic function "sum": clang-22 miscompiles variadic functions`},
		{"select", "float sel(int c) { return c ? 1.5f : 2.5f; }\nint mpy_init(void) { return (int)sel(1); }\n",
			false, "m.c: clang-22 cannot compile function sel: it chooses between two float constants"},
		{"debug", "int mpy_init(void) { return 0; }\n", true, "--debug: llvm-mc rejects"},
		{"caller", "int mp_printf(const void *p, const char *fmt, ...);\nint mpy_init(void) { return mp_printf(0, \"%d %lld\", 1, 2LL); }\n", false, ""},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			d := t.TempDir()
			if err := os.WriteFile(filepath.Join(d, "m.c"), []byte(r.src), 0o644); err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			_, err := Build(context.Background(), Options{Dir: d, Name: "m", Sources: []string{"m.c"}, Arches: []string{"xtensawin"}, Debug: r.debug,
				Logf: func(format string, args ...any) { fmt.Fprintf(&log, format+"\n", args...) }})
			switch {
			case r.want == "" && err != nil && !strings.Contains(err.Error(), "undefined symbol \"mp_printf\""):
				t.Errorf("calling a variadic function: %v", err)
			case r.want != "" && (err == nil || !strings.Contains(err.Error(), r.want)):
				t.Errorf("got %v, want %q", err, r.want)
			}
			if !r.debug && !strings.Contains(log.String(), "xtensa-esp32-elf-gcc not found: compiling with clang-22") {
				t.Errorf("-v does not say which compiler:\n%s", log.String())
			}
		})
	}
}
