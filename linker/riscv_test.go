package linker

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// TestSrodata links an object whose constant sits in .srodata.cst8 (made by
// testdata/riscv/build.sh; v1.28 drops such sections) and decodes the
// auipc/fld pair that loads it.
func TestSrodata(t *testing.T) {
	a, _ := LookupArch("rv64imc")
	cfg := &Config{Arch: a, Objects: []string{"testdata/riscv/srodata.o"}, SourceName: "s.mpy",
		Libs: []string{testutil.Lib(t, a.CrossPrefix+"gcc", a.CFlags, "<libgcc.a>")}}
	res, err := Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var cst Placed
	for _, p := range res.Sections {
		if p.Name == ".srodata.cst8" {
			cst = p
		}
	}
	if cst.Size != 8 {
		t.Fatalf(".srodata.cst8 not laid out: %+v", res.Sections)
	}
	f, _ := mpy.Read(res.MPY)
	text := f.Root.Data
	if got := math.Float64frombits(binary.LittleEndian.Uint64(text[cst.Addr:])); got != 1.2345 {
		t.Errorf("constant reads %v", got)
	}
	// auipc at .text+2, fld at .text+6 (relocations of srodata.o).
	p := symbolDef(res, "scale").Addr + 2
	hi := int64(int32(binary.LittleEndian.Uint32(text[p:]) & 0xfffff000))
	lo := int64(int32(binary.LittleEndian.Uint32(text[p+4:])) >> 20)
	if uint64(int64(p)+hi+lo) != cst.Addr {
		t.Errorf("auipc/fld reach %#x, the constant is at %#x", int64(p)+hi+lo, cst.Addr)
	}
}

// withRelocType returns the golden rv32imc hello.o with the type of
// relocation i of .rela.text (a GOT_HI20 to mp_fun_table) changed to typ.
func withRelocType(t *testing.T, i int, typ elf.R_RISCV) string {
	data, err := os.ReadFile(filepath.Join(testutil.Golden(), "rv32imc", "hello", "hello.o"))
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	s := ef.Section(".rela.text")
	data[s.Offset+uint64(i)*12+4] = byte(typ)
	p := filepath.Join(t.TempDir(), "patched.o")
	os.WriteFile(p, data, 0o644)
	return p
}

// TestRISCVRefusals: TLS, TP-relative, ULEB128 and absolute relocations are
// refused with their names and a reason.
func TestRISCVRefusals(t *testing.T) {
	a, _ := LookupArch("rv32imc")
	tests := []struct {
		obj  string
		want []string
	}{
		{"testdata/riscv/tls.o", []string{"tls.o: .tbss", "thread-local storage is not supported"}},
		{withRelocType(t, 0, elf.R_RISCV_TPREL_HI20), []string{".text+0x2: R_RISCV_TPREL_HI20 to \"mp_fun_table\": RISC-V TP-relative relocation"}},
		{withRelocType(t, 0, 60), []string{".text+0x2: R_RISCV_SET_ULEB128 to \"mp_fun_table\": RISC-V ULEB128 relocation"}},
		{withRelocType(t, 0, elf.R_RISCV_TLS_GD_HI20), []string{"R_RISCV_TLS_GD_HI20", "RISC-V TLS relocation"}},
		{withRelocType(t, 0, elf.R_RISCV_HI20), []string{"R_RISCV_HI20 to \"mp_fun_table\": absolute address of a symbol that moves at load time: recompile with -fpic"}},
		{withRelocType(t, 0, elf.R_RISCV_COPY), []string{"R_RISCV_COPY to \"mp_fun_table\": relocation type not supported"}},
	}
	for _, tt := range tests {
		_, err := Link(&Config{Arch: a, Objects: []string{tt.obj}, SourceName: "m.mpy"})
		if err == nil {
			t.Errorf("%s linked", tt.obj)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q does not say %q", err, w)
			}
		}
	}
}

// TestArchFlags: rv32imc arch flags set bit 0x40 of the header and follow it
// as a vuint; the rest of the file is unchanged.
func TestArchFlags(t *testing.T) {
	c := findCase(t, "rv32imc/hello")
	cfg := goldenConfig(t, c)
	rv32, _ := LookupArch("rv32imc")
	flags, err := ParseArchFlags(rv32, "zba,ZCMP")
	if err != nil || flags != 3 {
		t.Fatalf("ParseArchFlags = %d, %v", flags, err)
	}
	cfg.ArchFlags = flags
	res, err := Link(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(c.Dir, c.Output))
	if res.MPY[2] != 0x6f || res.MPY[4] != 3 || !bytes.Equal(res.MPY[5:], want[4:]) || !bytes.Equal(res.MPY[:2], want[:2]) {
		t.Errorf("header % x, want 4d 06 6f 1f 03 then the reference's bytes", res.MPY[:5])
	}
	for s, v := range map[string]uint64{"zba": 1, "zcmp": 2, "0x3": 3, "0b10": 2, "03": 3, "3": 3} {
		if got, err := ParseArchFlags(rv32, s); err != nil || got != v {
			t.Errorf("ParseArchFlags(%q) = %d, %v; want %d", s, got, err, v)
		}
	}
	if _, err := ParseArchFlags(rv32, "zbb"); err == nil || !strings.Contains(err.Error(), `invalid --arch-flags name "zbb"`) {
		t.Errorf("zbb: %v", err)
	}
	x64, _ := LookupArch("x64")
	if _, err := ParseArchFlags(x64, "zba"); err == nil {
		t.Errorf("x64 took arch flags")
	}
}

// TestErrorCap: many errors are sorted and capped.
func TestErrorCap(t *testing.T) {
	var l errList
	for i := 30; i > 0; i-- {
		l.addf("e%02d", i)
	}
	l.addf("e05") // duplicates are said once
	msg := l.err().Error()
	lines := strings.Split(msg, "\n")
	if len(lines) != maxErrors+1 || lines[0] != "e01" || lines[maxErrors] != "and 10 more" {
		t.Errorf("got %d lines: %q ... %q", len(lines), lines[0], lines[len(lines)-1])
	}
}
