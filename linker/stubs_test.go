package linker

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"path/filepath"
	"testing"

	"os"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/mpy"
)

// TestStubs links objects that call memcpy, memset and memmove (built from
// testdata/stubs/stubs.c) and checks, by decoding the output, that every
// direct call lands on a stub of the expected instructions whose pointer
// word the loader fills from mp_fun_table slot 50 (memset_) or 51
// (memmove_), and that GOT and data references use those slots directly.
func TestStubs(t *testing.T) {
	// Expected stub code, hand-assembled (see stubs.go; the development
	// branch's golden memops cases carry the same), with the pointer word
	// zero.
	stubs := map[string]string{
		"x86":       "909090" + "b8" + "00000000" + "ffe0", // nop x3; mov $fn, %eax; jmp *%eax
		"x64":       "909090909090" + "48b8" + "0000000000000000" + "ffe0",
		"armv6m":    "004b" + "1847" + "00000000", // ldr r3, [pc, #0]; bx r3
		"armv7emsp": "004b" + "1847" + "00000000",
		"rv32imc":   "97060000" + "9446" + "8286" + "00000000", // auipc a3, 0; c.lw a3, 8(a3); c.jr a3
		"rv64imc":   "97060000" + "9466" + "8286" + "0000000000000000",
		"xtensa":    "00000000" + "81ffffa00800",
	}
	for arch, want := range stubs {
		t.Run(arch, func(t *testing.T) {
			a, _ := LookupArch(arch)
			obj := filepath.Join("testdata", "stubs", arch+".o")
			res, err := Link(&Config{Arch: a, Objects: []string{obj}, SourceName: "stubs.mpy"})
			if err != nil {
				t.Fatal(err)
			}
			f, err := mpy.Read(res.MPY)
			if err != nil {
				t.Fatal(err)
			}
			text := f.Root.Data
			kinds := map[uint64]mpy.RelocKind{} // byte address -> kind
			w := uint64(a.Word())
			for _, r := range f.Root.Relocs {
				for i := uint64(0); i < r.Count; i++ {
					kinds[(r.Word+i)*w] = r.Kind
				}
			}
			wantCode, _ := hex.DecodeString(want)
			slot := map[string]mpy.RelocKind{"memset": mpy.KindFunSlot + 50, "memmove": mpy.KindFunSlot + 51, "memcpy": mpy.KindFunSlot + 51}
			// Every stub: its code, and its pointer word's relocation.
			for name, k := range slot {
				p, ok := res.Symbol(name)
				if !ok {
					continue
				}
				start := p.Addr
				if arch == "xtensa" {
					start -= 4
				}
				got := append([]byte(nil), text[start:start+uint64(len(wantCode))]...)
				ptr := map[string]uint64{"x86": 4, "x64": 8, "armv6m": 4, "armv7emsp": 4, "rv32imc": 8, "rv64imc": 8, "xtensa": 0}[arch]
				if kinds[start+ptr] != k {
					t.Errorf("%s stub: pointer word at %#x has relocation %v, want %v", name, start+ptr, kinds[start+ptr], k)
				}
				if !bytes.Equal(got, wantCode) {
					t.Errorf("%s stub at %#x: got %x, want %x", name, start, got, wantCode)
				}
			}
			// Every call in the object reaches its stub; GOT and data
			// references carry the slot's relocation.
			ef := parseObj(t, obj)
			textAddr := symbolDef(res, "mpy_init").Addr - symValue(ef, "mpy_init")
			calls, slots := 0, 0
			for _, s := range ef.Sections {
				if s.Type != elf.SHT_REL && s.Type != elf.SHT_RELA {
					continue
				}
				target := ef.Sections[s.Info].Name
				relocs, _ := ef.Relocs(s)
				for _, r := range relocs {
					name := ef.Symbols[r.Sym].Name
					if _, ok := slot[name]; !ok {
						continue
					}
					rn := elfobj.RelocName(a.Machine, r.Type)
					switch {
					case target == ".text" && isCall(rn):
						p := textAddr + r.Off
						if got := decodeCall(arch, text, p); got != symbolDef(res, name).Addr {
							t.Errorf("%s at .text+%#x: call lands on %#x, want %s stub at %#x", rn, r.Off, got, name, symbolDef(res, name).Addr)
						}
						calls++
					default:
						slots++
					}
				}
			}
			n := 0
			for _, k := range kinds {
				if k == mpy.KindFunSlot+50 || k == mpy.KindFunSlot+51 {
					n++
				}
			}
			if calls == 0 && arch != "x64" && arch != "x86" && arch != "xtensa" {
				t.Errorf("no direct calls checked")
			}
			if n < 2 {
				t.Errorf("%d relocations through slots 50/51, want at least 2 (GOT and data)", n)
			}
		})
	}
}

func parseObj(t *testing.T, path string) *elfobj.File {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elfobj.Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// symValue is the value of symbol name in f, for ARM without the Thumb bit
// (as Result.Defs give addresses).
func symValue(f *elfobj.File, name string) uint64 {
	for _, s := range f.Symbols {
		if s.Name == name {
			if f.Machine == elf.EM_ARM {
				return s.Value &^ 1
			}
			return s.Value
		}
	}
	return 0
}

func isCall(rn string) bool {
	switch rn {
	case "R_386_PLT32", "R_386_PC32", "R_X86_64_PLT32", "R_X86_64_PC32", "R_ARM_THM_CALL", "R_ARM_THM_JUMP24", "R_RISCV_CALL_PLT", "R_RISCV_CALL":
		return true
	}
	return false
}

// decodeCall returns the target of the call or jump whose relocated field is at p.
func decodeCall(arch string, text []byte, p uint64) uint64 {
	le := binary.LittleEndian
	switch arch {
	case "x86", "x64": // rel32 field, relative to the end of the instruction
		return uint64(int64(p) + 4 + int64(int32(le.Uint32(text[p:]))))
	case "rv32imc", "rv64imc": // auipc + jalr
		hi := int64(int32(le.Uint32(text[p:]) & 0xfffff000))
		lo := int64(int32(le.Uint32(text[p+4:])) >> 20)
		return uint64(int64(p) + hi + lo)
	}
	// Thumb-2 BL / B.W: S:I1:I2:imm10:imm11:0, I = NOT(J xor S).
	h, l := uint32(le.Uint16(text[p:])), uint32(le.Uint16(text[p+2:]))
	s := (h >> 10) & 1
	i1 := ^((l >> 13) ^ s) & 1
	i2 := ^((l >> 11) ^ s) & 1
	off := s<<24 | i1<<23 | i2<<22 | (h&0x3ff)<<12 | (l&0x7ff)<<1
	return uint64(int64(p) + 4 + int64(int32(off<<7)>>7))
}

// TestAEABIStubs links Clang's ARM memops objects (testdata/golden-versions/
// dev-clang), which call __aeabi_memset/memcpy/memmove and which the
// development branch refuses, and checks by decoding that each call lands
// on a stub that rearranges the arguments as memset_/memmove_ want and
// jumps through the right mp_fun_table slot.
func TestAEABIStubs(t *testing.T) {
	for _, arch := range []string{"armv6m", "armv7m"} {
		a, _ := LookupArch(arch)
		obj := filepath.Join(testutil.Root(), "testdata", "golden-versions", "dev-clang", arch, "memops", "memops.o")
		res, err := Link(&Config{Arch: a, Target: versionTargets["dev"], Objects: []string{obj}, SourceName: "memops.mpy"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := mpy.Read(res.MPY)
		if err != nil {
			t.Fatal(err)
		}
		text := f.Root.Data
		slotAt := func(p uint64) mpy.RelocKind { return kindAt(f, p, 4) }
		want := map[string]struct {
			code string
			ptr  uint64
			slot mpy.RelocKind
		}{
			// mov r3, r1; mov r1, r2; mov r2, r3; ldr r3, [pc, #4]; bx r3; nop
			"__aeabi_memset": {"0b46" + "1146" + "1a46" + "014b" + "1847" + "c046", 12, mpy.KindFunSlot + 50},
			// ldr r3, [pc, #0]; bx r3 (memmove_ takes memcpy's arguments)
			"__aeabi_memcpy":  {"004b" + "1847", 4, mpy.KindFunSlot + 51},
			"__aeabi_memmove": {"004b" + "1847", 4, mpy.KindFunSlot + 51},
		}
		ef := parseObj(t, obj)
		textAddr := symbolDef(res, "mpy_init").Addr - symValue(ef, "mpy_init")
		calls := 0
		for _, s := range ef.Sections {
			if s.Type != elf.SHT_REL || ef.Sections[s.Info].Name != ".text" {
				continue
			}
			relocs, _ := ef.Relocs(s)
			for _, r := range relocs {
				name := ef.Symbols[r.Sym].Name
				w, ok := want[name]
				if !ok {
					continue
				}
				stubAt := decodeCall(arch, text, textAddr+r.Off)
				if stubAt != symbolDef(res, name).Addr {
					t.Errorf("%s: call to %s lands on %#x, its stub is at %#x", arch, name, stubAt, symbolDef(res, name).Addr)
				}
				if got := hex.EncodeToString(text[stubAt : stubAt+w.ptr]); got != w.code {
					t.Errorf("%s: %s stub %s, want %s", arch, name, got, w.code)
				}
				if k := slotAt(stubAt + w.ptr); k != w.slot {
					t.Errorf("%s: %s stub's pointer word has relocation %v, want %v", arch, name, k, w.slot)
				}
				calls++
			}
		}
		if calls != 3 {
			t.Errorf("%s: %d calls checked, want 3", arch, calls)
		}
	}
}
