// Package linker links relocatable ELF objects into MicroPython native .mpy
// modules, byte-compatible with MicroPython v1.28's tools/mpy_ld.py.
package linker

import (
	"debug/elf"
	"fmt"
	"sort"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/mpy"
)

// ISA is the instruction-set family of an architecture.
type ISA int

// Instruction-set families.
const (
	ISAX86 ISA = iota
	ISAARM
	ISAXtensa
	ISARISCV
)

// Arch describes one native-module target.
type Arch struct {
	Name    string
	MPY     mpy.Arch
	Machine elf.Machine
	Class   elf.Class
	ISA     ISA
	// GOTTypes are the relocation types that make a GOT entry for a global symbol.
	GOTTypes []uint32
	// GOTFirst puts the GOT (and literal table) at the start of text: Xtensa's
	// L32R reaches only backwards.
	GOTFirst bool
	// SeparateRodata emits .rodata* and .data.rel.ro* in their own buffer,
	// reached only through the GOT (ESP32 text memory is not byte-readable).
	SeparateRodata bool
	// ArchFlags says whether --arch-flags may be given.
	ArchFlags bool

	// Compiler facts, from py/dynruntime.mk.
	CrossPrefix string
	CFlags      []string
	Float       string // none, float or double
	Package     string // Debian package of the cross compiler
	// Clang is what Clang needs besides CFlags to compile for the arch (the
	// development branch's dynruntime.mk leaves --target to CFLAGS_EXTRA).
	Clang []string
}

// Word is the GOT entry and pointer size in bytes.
func (a *Arch) Word() int { return a.MPY.WordSize() }

func (a *Arch) isGOTType(t uint32) bool {
	for _, g := range a.GOTTypes {
		if g == t {
			return true
		}
	}
	return false
}

var (
	// R_ARM_GOT_PREL is what Clang emits (the development branch takes it).
	armGOT = []uint32{uint32(elfobj.R_ARM_GOT_BREL), uint32(elf.R_ARM_GOT_PREL)}
	armPkg = "gcc-arm-none-eabi"
)

// esp32Clang selects the ESP32 for Clang: its driver refuses -mcpu=esp32
// (LLVM 22), so each of the core's options is given as a backend feature.
var esp32Clang = func() []string {
	f := []string{"--target=xtensa"}
	for _, feat := range []string{"windowed", "density", "loop", "sext", "nsa", "mul32", "mul32high", "div32",
		"minmax", "clamps", "bool", "fp", "s32c1i", "threadptr", "mac16", "mul16"} {
		f = append(f, "-Xclang", "-target-feature", "-Xclang", "+"+feat)
	}
	return f
}()

// Arches is the table of the ten targets, in MP_NATIVE_ARCH order.
var Arches = []*Arch{
	{Name: "x86", MPY: mpy.ArchX86, Machine: elf.EM_386, Class: elf.ELFCLASS32, ISA: ISAX86,
		GOTTypes: []uint32{uint32(elf.R_386_PC32), uint32(elf.R_386_GOT32), uint32(elf.R_386_GOT32X)},
		CFlags:   []string{"-m32", "-fno-stack-protector"}, Float: "double", Package: "gcc-multilib", Clang: []string{"--target=i686-linux-gnu"}},
	{Name: "x64", MPY: mpy.ArchX64, Machine: elf.EM_X86_64, Class: elf.ELFCLASS64, ISA: ISAX86,
		GOTTypes: []uint32{uint32(elf.R_X86_64_GOTPCREL), uint32(elf.R_X86_64_REX_GOTPCRELX)},
		CFlags:   []string{"-fno-stack-protector"}, Float: "double", Package: "gcc", Clang: []string{"--target=x86_64-linux-gnu"}},
	{Name: "armv6m", MPY: mpy.ArchARMV6M, Machine: elf.EM_ARM, Class: elf.ELFCLASS32, ISA: ISAARM,
		GOTTypes: armGOT, CrossPrefix: "arm-none-eabi-",
		CFlags: []string{"-mthumb", "-mcpu=cortex-m0"}, Float: "float", Package: armPkg, Clang: []string{"--target=armv6m-none-eabi"}},
	{Name: "armv7m", MPY: mpy.ArchARMV7M, Machine: elf.EM_ARM, Class: elf.ELFCLASS32, ISA: ISAARM,
		GOTTypes: armGOT, CrossPrefix: "arm-none-eabi-",
		CFlags: []string{"-mthumb", "-mcpu=cortex-m3"}, Float: "float", Package: armPkg, Clang: []string{"--target=armv7m-none-eabi"}},
	{Name: "armv7emsp", MPY: mpy.ArchARMV7EMSP, Machine: elf.EM_ARM, Class: elf.ELFCLASS32, ISA: ISAARM,
		GOTTypes: armGOT, CrossPrefix: "arm-none-eabi-",
		CFlags: []string{"-mthumb", "-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"}, Float: "float", Package: armPkg, Clang: []string{"--target=armv7em-none-eabi"}},
	{Name: "armv7emdp", MPY: mpy.ArchARMV7EMDP, Machine: elf.EM_ARM, Class: elf.ELFCLASS32, ISA: ISAARM,
		GOTTypes: armGOT, CrossPrefix: "arm-none-eabi-",
		CFlags: []string{"-mthumb", "-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard"}, Float: "double", Package: armPkg, Clang: []string{"--target=armv7em-none-eabi"}},
	{Name: "xtensa", MPY: mpy.ArchXtensa, Machine: elf.EM_XTENSA, Class: elf.ELFCLASS32, ISA: ISAXtensa,
		GOTTypes: []uint32{uint32(elfobj.R_XTENSA_32), uint32(elfobj.R_XTENSA_PLT)}, GOTFirst: true,
		CrossPrefix: "xtensa-lx106-elf-", CFlags: []string{"-mforce-l32"}, Float: "none", Package: "gcc-xtensa-lx106", Clang: []string{"--target=xtensa", "-mcpu=esp8266"}},
	{Name: "xtensawin", MPY: mpy.ArchXtensaWin, Machine: elf.EM_XTENSA, Class: elf.ELFCLASS32, ISA: ISAXtensa,
		GOTTypes: []uint32{uint32(elfobj.R_XTENSA_32), uint32(elfobj.R_XTENSA_PLT)}, GOTFirst: true, SeparateRodata: true,
		CrossPrefix: "xtensa-esp32-elf-", Float: "float", Package: "(none in Debian: ESP-IDF's xtensa-esp32-elf toolchain)", Clang: esp32Clang},
	{Name: "rv32imc", MPY: mpy.ArchRV32IMC, Machine: elf.EM_RISCV, Class: elf.ELFCLASS32, ISA: ISARISCV,
		GOTTypes:    []uint32{uint32(elf.R_RISCV_32), uint32(elf.R_RISCV_GOT_HI20), uint32(elfobj.R_RISCV_GOT32_PCREL)},
		ArchFlags:   true,
		CrossPrefix: "riscv64-unknown-elf-", CFlags: []string{"-march=rv32imac", "-mabi=ilp32", "-mno-relax"}, Float: "none",
		Package: "gcc-riscv64-unknown-elf", Clang: []string{"--target=riscv32-unknown-elf"}},
	{Name: "rv64imc", MPY: mpy.ArchRV64IMC, Machine: elf.EM_RISCV, Class: elf.ELFCLASS64, ISA: ISARISCV,
		GOTTypes:    []uint32{uint32(elf.R_RISCV_64), uint32(elf.R_RISCV_GOT_HI20), uint32(elfobj.R_RISCV_GOT32_PCREL)},
		CrossPrefix: "riscv64-unknown-elf-", CFlags: []string{"-march=rv64imac", "-mabi=lp64", "-mno-relax"}, Float: "none",
		Package: "gcc-riscv64-unknown-elf", Clang: []string{"--target=riscv64-unknown-elf"}},
}

// ArchNames lists the target names in table order.
func ArchNames() []string {
	names := make([]string, len(Arches))
	for i, a := range Arches {
		names[i] = a.Name
	}
	return names
}

// LookupArch returns the target called name.
func LookupArch(name string) (*Arch, error) {
	for _, a := range Arches {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("unknown architecture %q (valid: %s)", name, strings.Join(ArchNames(), ", "))
}

// ArchForMachine lists the targets that take objects of machine m and class c.
func ArchForMachine(m elf.Machine, c elf.Class) []string {
	var names []string
	for _, a := range Arches {
		if a.Machine == m && a.Class == c {
			names = append(names, a.Name)
		}
	}
	sort.Strings(names)
	return names
}

// ParseArchFlags reads an --arch-flags value: a number (decimal, 0x hex, 0b
// binary) or a comma list of the names zba (bit 0) and zcmp (bit 1).
func ParseArchFlags(a *Arch, s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	if !a.ArchFlags {
		return 0, fmt.Errorf("architecture %q takes no --arch-flags (only rv32imc does)", a.Name)
	}
	if s[0] >= '0' && s[0] <= '9' {
		var v uint64
		var err error
		switch {
		case strings.HasPrefix(strings.ToLower(s), "0x"):
			_, err = fmt.Sscanf(s[2:], "%x", &v)
		case strings.HasPrefix(strings.ToLower(s), "0b"):
			_, err = fmt.Sscanf(s[2:], "%b", &v)
		default:
			_, err = fmt.Sscanf(s, "%d", &v)
		}
		if err != nil {
			return 0, fmt.Errorf("invalid --arch-flags number %q", s)
		}
		return v, nil
	}
	var v uint64
	for _, n := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(n)) {
		case "zba":
			v |= 1
		case "zcmp":
			v |= 2
		default:
			return 0, fmt.Errorf("invalid --arch-flags name %q (valid: zba, zcmp)", n)
		}
	}
	return v, nil
}
