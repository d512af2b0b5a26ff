package linker

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// TestRefused links each err_* case of the corpus and checks that the error
// names the file, the place, the symbol and the remedy. err_data and
// err_static_bss are refused under --no-data (the reference's rule); by
// default they link (data_test.go).
func TestRefused(t *testing.T) {
	staticBSS := map[string]string{
		"x86": "R_386_GOTOFF", "x64": "R_X86_64_PC32", "armv6m": "R_ARM_REL32", "armv7m": "R_ARM_REL32",
		"armv7emsp": "R_ARM_REL32", "armv7emdp": "R_ARM_REL32", "rv32imc": "R_RISCV_PCREL_HI20", "rv64imc": "R_RISCV_PCREL_HI20",
	}
	n := 0
	for _, c := range testutil.Cases(t) {
		if !strings.HasPrefix(c.Module, "err_") {
			continue
		}
		var want []string
		switch c.Module {
		case "err_data":
			want = []string{"err_data.o: .data:", `"level"`, "refused with --no-data", "make the variable const, or zero-initialised"}
		case "err_dup":
			want = []string{"b.o: duplicate symbol \"shared\"", "also defined in", "a.o"}
		case "err_undef":
			want = []string{"err_undef.o: undefined symbol \"missing_helper\""}
		case "err_static_bss":
			if c.Arch == "xtensa" {
				continue // reached through a literal pool and the GOT: fine there (TestXtensaStaticBSS)
			}
			want = []string{"err_static_bss.o: .text+0x", staticBSS[c.Arch] + " to", "refused with --no-data", `make "total" non-static`}
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			cfg := goldenConfig(t, c)
			cfg.NoData = true
			_, err := Link(cfg)
			if err == nil {
				t.Fatal("link succeeded")
			}
			msg := err.Error()
			for _, w := range want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
		})
	}
	if n < 30 {
		t.Errorf("only %d refusal cases", n)
	}
}

// TestXtensaStaticBSS: on Xtensa a static bss variable is loaded from a
// literal, which becomes a GOT entry relocated against bss: that links.
func TestXtensaStaticBSS(t *testing.T) {
	c := findCase(t, "xtensa/err_static_bss")
	res, err := Link(goldenConfig(t, c))
	if err != nil {
		t.Fatal(err)
	}
	f, err := mpy.Read(res.MPY)
	if err != nil {
		t.Fatal(err)
	}
	bss := 0
	for _, r := range f.Root.Relocs {
		if r.Kind == mpy.KindBSS {
			bss++
		}
	}
	if bss == 0 || f.Root.BSSSize == 0 {
		t.Errorf("no bss relocation (%d) or no bss (%d)", bss, f.Root.BSSSize)
	}
}

func findCase(t testing.TB, name string) testutil.Case {
	t.Helper()
	for _, c := range testutil.Cases(t) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no golden case %s", name)
	return testutil.Case{}
}

// TestBadInput feeds broken files to the linker: each gets an error naming
// the file, never a panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(testutil.Golden(), "armv7m/hello/hello.o"))
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewSource(1))
	random := make([]byte, 4096)
	rnd.Read(random)
	flipped := append([]byte(nil), good...)
	for i := 0; i < 64; i++ {
		flipped[rnd.Intn(len(flipped))] ^= byte(rnd.Intn(255) + 1)
	}
	inputs := map[string][]byte{
		"empty.o":     nil,
		"text.o":      []byte("int main(void) { return 0; }\n"),
		"random.o":    random,
		"truncated.o": good[:len(good)/2],
		"header.o":    good[:52],
		"ar.o":        []byte("!<arch>\nfoo.o/          0           0     0     644     1000      `\n"),
	}
	for name, data := range inputs {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := LookupArch("armv7m")
	for name := range inputs {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			_, err := Link(&Config{Arch: a, Objects: []string{p}, SourceName: "m.mpy"})
			if err == nil {
				t.Fatal("link succeeded")
			}
			if !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q should be one line naming %s", err, p)
			}
		})
	}
	// Bit flips may still make a valid object; they must not panic.
	p := filepath.Join(dir, "flipped.o")
	os.WriteFile(p, flipped, 0o644)
	Link(&Config{Arch: a, Objects: []string{p}, SourceName: "m.mpy"})

	// Truncated archive given with -l.
	ar := filepath.Join(dir, "lib.a")
	os.WriteFile(ar, inputs["ar.o"], 0o644)
	c := findCase(t, "armv7m/err_undef")
	cfg := goldenConfig(t, c)
	cfg.Libs = []string{ar}
	if _, err := Link(cfg); err == nil || !strings.Contains(err.Error(), "lib.a") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated archive: %v", err)
	}
	// Missing file, wrong arch.
	if _, err := Link(&Config{Arch: a, Objects: []string{filepath.Join(dir, "nope.o")}}); err == nil || !strings.Contains(err.Error(), "nope.o: no such file") {
		t.Errorf("missing file: %v", err)
	}
	x64, _ := LookupArch("x64")
	if _, err := Link(&Config{Arch: x64, Objects: []string{filepath.Join(testutil.Golden(), "armv7m/hello/hello.o")}}); err == nil ||
		!strings.Contains(err.Error(), "object is EM_ARM but --arch x64 wants EM_X86_64") {
		t.Errorf("wrong arch: %v", err)
	}
	rv64, _ := LookupArch("rv64imc")
	if _, err := Link(&Config{Arch: rv64, Objects: []string{filepath.Join(testutil.Golden(), "rv32imc/hello/hello.o")}}); err == nil ||
		!strings.Contains(err.Error(), "ELFCLASS32 but --arch rv64imc wants ELFCLASS64") {
		t.Errorf("wrong class: %v", err)
	}
	if _, err := LookupArch("armv8"); err == nil || !strings.Contains(err.Error(), "valid: x86, x64, armv6m") {
		t.Errorf("unknown arch: %v", err)
	}
}

// TestNoPIC: objects compiled without -fpic get the remedy.
func TestNoPIC(t *testing.T) {
	for arch, reloc := range map[string]string{"x64": "R_X86_64_32", "x86": "R_386_32"} {
		a, _ := LookupArch(arch)
		for _, noData := range []bool{false, true} {
			_, err := Link(&Config{Arch: a, Objects: []string{"testdata/nopic/" + arch + ".o"}, SourceName: "m.mpy", NoData: noData})
			if err == nil || !strings.Contains(err.Error(), reloc+" to \"counter\": absolute address in code is not supported: recompile with -fpic") {
				t.Errorf("%s: %v", arch, err)
			}
			if arch == "x64" && noData && !strings.Contains(err.Error(), "R_X86_64_PC32 to \"counter\": global variable in bss reached PC-relative, refused with --no-data: bss is allocated apart from the code at load time; recompile with -fpic") {
				t.Errorf("%s: %v", arch, err)
			}
		}
	}
}

// TestUndefinedRemedy: runtime helpers get the libgcc hint, but not once
// the runtime libraries are linked; on xtensa a helper the linked libgcc
// lacks is one Debian's lx106 build leaves to the ESP8266 ROM.
func TestUndefinedRemedy(t *testing.T) {
	for _, tt := range []struct {
		arch, name string
		runtime    bool
		want, not  string
	}{
		{"armv6m", "__aeabi_uldivmod", false, "LINK_RUNTIME=1", ""},
		{"armv6m", "__gnu_thumb1_case_uqi", false, "libgcc.a (natmod LINK_RUNTIME=1)", ""},
		{"rv32imc", "__udivdi3", false, "LINK_RUNTIME=1", ""},
		{"x64", "__floatsisf", false, "LINK_RUNTIME=1", ""},
		{"armv6m", "__aeabi_uldivmod", true, "the linked libgcc.a does not define", "LINK_RUNTIME=1"},
		{"xtensa", "__udivsi3", true, "Debian's lx106 libgcc.a lacks", "LINK_RUNTIME=1"},
		{"xtensa", "__udivsi3", false, "LINK_RUNTIME=1", ""},
		{"xtensa", "__udivsi3", false, "ESP8266 ROM", ""},
		{"armv6m", "__signbit", false, "define it in one of the objects", "libgcc"},
		{"armv6m", "helper_function", true, "define it in one of the objects", "libgcc"},
		{"x64", "mp_obj_new_int", false, "mp_fun_table", ""},
	} {
		a, err := LookupArch(tt.arch)
		if err != nil {
			t.Fatal(err)
		}
		l := &linker{arch: a, cfg: &Config{LinkRuntime: tt.runtime}}
		got := l.undefinedRemedy(tt.name)
		if !strings.Contains(got, tt.want) || tt.not != "" && strings.Contains(got, tt.not) {
			t.Errorf("%s %s (runtime linked %v): %q; want %q without %q", tt.arch, tt.name, tt.runtime, got, tt.want, tt.not)
		}
	}
}
