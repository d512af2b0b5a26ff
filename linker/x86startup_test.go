package linker

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker/x86"
	"github.com/mpyld/mpyld/mpy"
)

// TestX86StartupDecode decodes the x86 and x64 start-up stubs and compares
// them with the intended instructions: word offsets, counts and branch
// targets included.
func TestX86StartupDecode(t *testing.T) {
	for _, c := range []struct {
		name string
		s    x86.Startup
		mode int
		want []string
	}{
		{"x86", x86.Startup32(3, 2), 32, []string{
			"call .+0x0", "pop %ecx", "push %esi", "push %edi",
			"mov 0x3f(%ecx),%eax", // BSS - 5
			"mov 0x47(%ecx),%esi", // Image - 5
			"mov %eax,%edi",
			"sub 0x43(%ecx),%eax", // Text - 5
			"lea 0x4b(%ecx),%edx", // Table - 5
			"mov $0x3,%ecx", "rep movsl %ds:(%esi),%es:(%edi)",
			"mov $0x2,%ecx", "jecxz 0x3a",
			"mov (%edx),%esi", "add %eax,(%esi)", "add $0x4,%edx", "dec %ecx", "jne 0x30",
			"pop %edi", "pop %esi", "jmp 0x41",
		}},
		{"x64", x86.Startup64(3, 2), 64, []string{
			"lea 0x41(%rip),%r11", // BSS
			"push %rdi", "push %rsi", "push %rcx",
			"mov (%r11),%rax", "mov 0x10(%r11),%rsi", "mov %rax,%rdi", "sub 0x8(%r11),%rax",
			"mov $0x3,%ecx", "rep movsq %ds:(%rsi),%es:(%rdi)",
			"lea 0x18(%r11),%r8", "mov $0x2,%ecx", "jrcxz 0x39",
			"mov (%r8),%r9", "add %rax,(%r9)", "add $0x8,%r8", "dec %ecx", "jne 0x2b",
			"pop %rcx", "pop %rsi", "pop %rdi", "jmpq 0x41",
		}},
	} {
		var got []string
		pc := 0
		for pc < c.s.Jump+4 {
			ins, err := x86asm.Decode(c.s.Code[pc:], c.mode)
			if err != nil {
				t.Fatalf("%s: decode at %#x: %v", c.name, pc, err)
			}
			got = append(got, x86asm.GNUSyntax(ins, uint64(pc), nil))
			pc += ins.Len
		}
		if strings.Join(got, "; ") != strings.Join(c.want, "; ") {
			t.Errorf("%s: start-up code\n%s\nwant\n%s", c.name, strings.Join(got, "; "), strings.Join(c.want, "; "))
		}
		if pc != c.s.Jump+4 || c.s.Code[c.s.Jump-1] != 0xe9 {
			t.Errorf("%s: jmp rel32 at %#x, want its field at %#x", c.name, pc-4, c.s.Jump)
		}
		w := c.mode / 8
		if c.s.BSS%w != 0 || c.s.Text != c.s.BSS+w || c.s.Image != c.s.Text+w || c.s.Table != c.s.Image+w || len(c.s.Code) != c.s.Table+2*w {
			t.Errorf("%s: words at %d %d %d %d, code %d bytes", c.name, c.s.BSS, c.s.Text, c.s.Image, c.s.Table, len(c.s.Code))
		}
	}
}

// x86Load emulates the loader and the x86/x64 start-up code: text at T,
// the bss block at B. It checks that the entry jump reaches the stub and
// the stub's jump reaches mpy_init, and returns the text and bss as they
// are when mpy_init starts.
func (d *decoded) x86Load(T, B uint64) (text, bss []byte) {
	t := d.t
	w := uint64(d.cfg.Arch.Word())
	text = append([]byte(nil), d.text...)
	bss = make([]byte, d.f.Root.BSSSize)
	word := func(at uint64) uint64 {
		if w == 8 {
			return le.Uint64(text[at:])
		}
		return uint64(le.Uint32(text[at:]))
	}
	add := func(b []byte, at, v uint64, n uint64) {
		if n == 8 {
			le.PutUint64(b[at:], le.Uint64(b[at:])+v)
		} else {
			le.PutUint32(b[at:], le.Uint32(b[at:])+uint32(v))
		}
	}
	for k, kind := range d.kinds {
		switch {
		case k[0] != 0:
			t.Errorf("relocation in rodata at %#x on x86", k[1])
		case kind == mpy.KindText:
			add(text, k[1], T, w)
		case kind == mpy.KindBSS:
			add(text, k[1], B, w)
		}
	}
	p, ok := d.placed[":.internal.startup"]
	if !ok {
		return text, bss
	}
	st := x86.Startup32(0, 0)
	if w == 8 {
		st = x86.Startup64(0, 0)
	}
	if got, ok := entryTarget(d.cfg.Arch.Name, text); !ok || got != p.Addr {
		t.Errorf("entry jump reaches %#x, want the start-up code at %#x", got, p.Addr)
	}
	jump := p.Addr + uint64(st.Jump)
	if got, init := uint64(int64(jump)+4+int64(int32(le.Uint32(text[jump:])))), symbolDef(d.res, "mpy_init").Addr; got != init {
		t.Errorf("start-up code jumps to %#x, mpy_init is at %#x", got, init)
	}
	if word(p.Addr+uint64(st.BSS)) != B || word(p.Addr+uint64(st.Text)) != T {
		t.Errorf("start-up words hold bss %#x and text %#x, want %#x and %#x", word(p.Addr+uint64(st.BSS)), word(p.Addr+uint64(st.Text)), B, T)
	}
	// The counts are the immediates of its two "mov $n, %ecx".
	count := func(at int) uint64 { return uint64(le.Uint32(text[p.Addr+uint64(at):])) }
	copies, fixups := count(35), count(42)
	if w == 8 {
		copies, fixups = count(25), count(37)
	}
	src := word(p.Addr+uint64(st.Image)) - T
	copy(bss, text[src:src+copies*w])
	if img := d.placed[":.internal.data_image"]; copies*w != img.Size || copies > 0 && src != img.Addr {
		t.Errorf("start-up code copies %d words from %#x, the image is %d bytes at %#x", copies, src, img.Size, img.Addr)
	}
	for i := uint64(0); i < fixups; i++ {
		field := word(p.Addr+uint64(st.Table)+i*w) - T
		add(text, field, B-T, w)
	}
	return text, bss
}

// TestStatdataX64Medium compiles statdata for x64 with the medium code
// model mpyld build uses for modules with variables, links it (the
// variables go to bss, reached through GOTOFF64 fields the start-up code
// moves) and checks every reference by decoding, with the bss block placed
// more than 4 GiB away from the text.
func TestStatdataX64Medium(t *testing.T) {
	c := findCase(t, "x64/statdata")
	obj := filepath.Join(t.TempDir(), "statdata.o")
	src := filepath.Join(testutil.Root(), "testdata", "corpus", "statdata", "statdata.c")
	testutil.Compile(t, "gcc", []string{"-std=c99", "-Os", "-fpic", "-fno-common", "-mcmodel=medium", "-mlarge-data-threshold=0",
		"-I", filepath.Join(testutil.Root(), "testdata", "corpus", "include"),
		"-DMP_CONFIGFILE=\"" + filepath.Join(c.Dir, "statdata.config.h") + "\""}, src, obj)
	for _, gc := range []bool{false, true} {
		cfg := statdataConfig(t, c)
		cfg.Objects[0], cfg.GCSections = obj, gc
		res, err := Link(cfg)
		if err != nil {
			t.Fatal(err)
		}
		f, err := mpy.Read(res.MPY)
		if err != nil {
			t.Fatal(err)
		}
		d := newDecoded(t, cfg, res, f)
		if refs := d.checkCodeRefs(); refs < 6 {
			t.Errorf("only %d code references to variables decoded", refs)
		}
		d.checkInitialData()
		for _, v := range res.Variables() {
			if v.Buffer != "bss" {
				t.Errorf("%s in %s, want bss", v.Name, v.Buffer)
			}
		}
	}
	// The small code model is refused from v1.24 on (the unix port no
	// longer scans code memory) and links into text before.
	cfg := statdataConfig(t, c)
	if _, err := Link(cfg); !errors.Is(err, ErrCodeModel) || !strings.Contains(err.Error(), "R_X86_64_PC32 to \"levels\": variable reached PC-relative") {
		t.Errorf("small code model for v1.28: %v, want an ErrCodeModel refusal", err)
	}
	cfg.Target = versionTargets["v1.22"]
	if _, err := Link(cfg); err != nil {
		t.Errorf("small code model for v1.22: %v", err)
	}
}

// TestUnscanned links statdata on each arch and checks which ports each
// writable variable is reported unscanned on (README's table): none where
// it lives in the bss block (x86, rv32imc, Xtensa) or where every port scans text
// (ARMv6-M, ARMv7-M, ARMv7E-M with double FPU, and x64 before v1.24).
func TestUnscanned(t *testing.T) {
	for _, c := range []struct {
		name   string
		target string
		ports  string
	}{
		{"x86/statdata", "", ""},
		{"x64/statdata", "v1.22", ""},
		{"armv6m/statdata", "", ""},
		{"armv7m/statdata", "", ""},
		{"armv7emdp/statdata", "", ""},
		{"armv7emsp/statdata", "", "nrf (MicroPython v1.26.0 and later"},
		{"armv7emsp/statdata", "v1.22", ""},
		{"rv32imc/statdata", "", ""},
		{"rv64imc/statdata", "", "unix (MicroPython v1.24.0 and later"},
		{"xtensa/statdata", "", ""},
	} {
		cfg := statdataConfig(t, findCase(t, c.name))
		if c.target != "" {
			cfg.Target = versionTargets[c.target]
		}
		res, err := Link(cfg)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		vars := res.Variables()
		if len(vars) < 3 {
			t.Errorf("%s: variables %+v", c.name, vars)
		}
		for _, v := range vars {
			if !strings.HasPrefix(v.Unscanned, c.ports) || (c.ports == "") != (v.Unscanned == "") {
				t.Errorf("%s %s: %s in %s unscanned on %q, want %q", c.name, c.target, v.Name, v.Buffer, v.Unscanned, c.ports)
			}
		}
	}
}

// TestX86StaticBSSOnly: a module whose only variable is static bss (no
// initialised data, so no image) gets the start-up stub for its GOTOFF
// fields alone, and every access reaches the variable in bss.
func TestX86StaticBSSOnly(t *testing.T) {
	cfg := goldenConfig(t, findCase(t, "x86/err_static_bss"))
	res, err := Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f, err := mpy.Read(res.MPY)
	if err != nil {
		t.Fatal(err)
	}
	d := newDecoded(t, cfg, res, f)
	if _, ok := d.placed[":.internal.data_image"]; ok {
		t.Error("an image without initialised data")
	}
	if _, ok := d.placed[":.internal.startup"]; !ok {
		t.Fatal("no start-up code")
	}
	if refs := d.checkCodeRefs(); refs < 1 {
		t.Errorf("%d code references to variables decoded", refs)
	}
}
