// This file implements the native architecture numbers of the .mpy header.

package mpy

import "strconv"

// Arch is a native architecture number (MP_NATIVE_ARCH_*).
type Arch int

// Native architectures. 3 (armv6) and 6 (armv7em) exist in the firmware but
// are not native-module targets.
const (
	ArchNone      Arch = 0
	ArchX86       Arch = 1
	ArchX64       Arch = 2
	ArchARMV6     Arch = 3
	ArchARMV6M    Arch = 4
	ArchARMV7M    Arch = 5
	ArchARMV7EM   Arch = 6
	ArchARMV7EMSP Arch = 7
	ArchARMV7EMDP Arch = 8
	ArchXtensa    Arch = 9
	ArchXtensaWin Arch = 10
	ArchRV32IMC   Arch = 11
	ArchRV64IMC   Arch = 12
)

var archNames = [...]string{"none", "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em",
	"armv7emsp", "armv7emdp", "xtensa", "xtensawin", "rv32imc", "rv64imc"}

func (a Arch) String() string {
	if a >= 0 && int(a) < len(archNames) {
		return archNames[a]
	}
	return "arch" + strconv.Itoa(int(a))
}

// IsThumb reports whether a is one of the ARM Thumb arches (armv6m to
// armv7emdp), whose firmware also loads the lower ones.
func (a Arch) IsThumb() bool { return a >= ArchARMV6M && a <= ArchARMV7EMDP }

// WordSize is the pointer size of code for a, 4 or 8 (0 for ArchNone).
func (a Arch) WordSize() int {
	switch a {
	case ArchNone:
		return 0
	case ArchX64, ArchRV64IMC:
		return 8
	}
	return 4
}

// Format constants. SubVersion is the newest native ABI (v1.23 and later);
// Native.SubVersion and Merge carry older ones.
const (
	Version      = 6
	SubVersion   = 3
	SmallIntBits = 31

	featureArchFlags = 0x40

	CodeBytecode = 2
	CodeNative   = 3
	CodeViper    = 4
	CodeAsm      = 5

	ScopeViperReloc  = 0x10
	ScopeViperRodata = 0x20
	ScopeViperBSS    = 0x40
)

// RelocKind says what the loader adds to a relocated word.
type RelocKind int

// Relocation kinds; a fun-table slot i is FunSlot + i.
const (
	KindText      RelocKind = 0
	KindRodata    RelocKind = 1
	KindBSS       RelocKind = 2
	KindQstrTable RelocKind = 6
	KindObjTable  RelocKind = 7
	KindFunTable  RelocKind = 8
	KindFunSlot   RelocKind = 9
)

func (k RelocKind) String() string { return k.Describe(SubVersion) }

// Describe names k as a loader of .mpy sub-version sub reads it: the base
// it adds, or the mp_fun_table slot with that sub-version's slot name.
func (k RelocKind) Describe(sub int) string {
	switch k {
	case KindText:
		return "text"
	case KindRodata:
		return "rodata"
	case KindBSS:
		return "bss"
	case KindQstrTable:
		return "qstr table"
	case KindObjTable:
		return "object table"
	case KindFunTable:
		return "&mp_fun_table"
	}
	if i, t := int(k-KindFunSlot), FunTable(sub); k >= KindFunSlot && i < len(t) {
		return "mp_fun_table[" + strconv.Itoa(i) + "] " + t[i]
	} else if k >= KindFunSlot {
		return "mp_fun_table[" + strconv.Itoa(i) + "]"
	}
	return "kind" + strconv.Itoa(int(k))
}
