// This file implements the Xtensa relocation names that debug/elf lacks.

package elfobj

import (
	"debug/elf"
	"strconv"
)

// R_XTENSA is an Xtensa relocation type (Xtensa ELF ABI, binutils include/elf/xtensa.h).
type R_XTENSA int

// Xtensa relocation types.
const (
	R_XTENSA_NONE          R_XTENSA = 0
	R_XTENSA_32            R_XTENSA = 1
	R_XTENSA_RTLD          R_XTENSA = 2
	R_XTENSA_GLOB_DAT      R_XTENSA = 3
	R_XTENSA_JMP_SLOT      R_XTENSA = 4
	R_XTENSA_RELATIVE      R_XTENSA = 5
	R_XTENSA_PLT           R_XTENSA = 6
	R_XTENSA_OP0           R_XTENSA = 8
	R_XTENSA_OP1           R_XTENSA = 9
	R_XTENSA_OP2           R_XTENSA = 10
	R_XTENSA_ASM_EXPAND    R_XTENSA = 11
	R_XTENSA_ASM_SIMPLIFY  R_XTENSA = 12
	R_XTENSA_32_PCREL      R_XTENSA = 14
	R_XTENSA_GNU_VTINHERIT R_XTENSA = 15
	R_XTENSA_GNU_VTENTRY   R_XTENSA = 16
	R_XTENSA_DIFF8         R_XTENSA = 17
	R_XTENSA_DIFF16        R_XTENSA = 18
	R_XTENSA_DIFF32        R_XTENSA = 19
	R_XTENSA_SLOT0_OP      R_XTENSA = 20
	R_XTENSA_SLOT1_OP      R_XTENSA = 21
	R_XTENSA_SLOT0_ALT     R_XTENSA = 35
	R_XTENSA_TLSDESC_FN    R_XTENSA = 50
	R_XTENSA_TLSDESC_ARG   R_XTENSA = 51
	R_XTENSA_TLS_DTPOFF    R_XTENSA = 52
	R_XTENSA_TLS_TPOFF     R_XTENSA = 53
	R_XTENSA_TLS_FUNC      R_XTENSA = 54
	R_XTENSA_TLS_ARG       R_XTENSA = 55
	R_XTENSA_TLS_CALL      R_XTENSA = 56
	R_XTENSA_PDIFF8        R_XTENSA = 57
	R_XTENSA_PDIFF16       R_XTENSA = 58
	R_XTENSA_PDIFF32       R_XTENSA = 59
	R_XTENSA_NDIFF8        R_XTENSA = 60
	R_XTENSA_NDIFF16       R_XTENSA = 61
	R_XTENSA_NDIFF32       R_XTENSA = 62
)

var xtensaNames = map[R_XTENSA]string{
	R_XTENSA_NONE: "R_XTENSA_NONE", R_XTENSA_32: "R_XTENSA_32", R_XTENSA_RTLD: "R_XTENSA_RTLD",
	R_XTENSA_GLOB_DAT: "R_XTENSA_GLOB_DAT", R_XTENSA_JMP_SLOT: "R_XTENSA_JMP_SLOT",
	R_XTENSA_RELATIVE: "R_XTENSA_RELATIVE", R_XTENSA_PLT: "R_XTENSA_PLT",
	R_XTENSA_OP0: "R_XTENSA_OP0", R_XTENSA_OP1: "R_XTENSA_OP1", R_XTENSA_OP2: "R_XTENSA_OP2",
	R_XTENSA_ASM_EXPAND: "R_XTENSA_ASM_EXPAND", R_XTENSA_ASM_SIMPLIFY: "R_XTENSA_ASM_SIMPLIFY",
	R_XTENSA_32_PCREL: "R_XTENSA_32_PCREL", R_XTENSA_GNU_VTINHERIT: "R_XTENSA_GNU_VTINHERIT",
	R_XTENSA_GNU_VTENTRY: "R_XTENSA_GNU_VTENTRY", R_XTENSA_DIFF8: "R_XTENSA_DIFF8",
	R_XTENSA_DIFF16: "R_XTENSA_DIFF16", R_XTENSA_DIFF32: "R_XTENSA_DIFF32",
	R_XTENSA_SLOT0_OP: "R_XTENSA_SLOT0_OP", R_XTENSA_SLOT1_OP: "R_XTENSA_SLOT1_OP",
	R_XTENSA_SLOT0_ALT: "R_XTENSA_SLOT0_ALT", R_XTENSA_TLSDESC_FN: "R_XTENSA_TLSDESC_FN",
	R_XTENSA_TLSDESC_ARG: "R_XTENSA_TLSDESC_ARG", R_XTENSA_TLS_DTPOFF: "R_XTENSA_TLS_DTPOFF",
	R_XTENSA_TLS_TPOFF: "R_XTENSA_TLS_TPOFF", R_XTENSA_TLS_FUNC: "R_XTENSA_TLS_FUNC",
	R_XTENSA_TLS_ARG: "R_XTENSA_TLS_ARG", R_XTENSA_TLS_CALL: "R_XTENSA_TLS_CALL",
	R_XTENSA_PDIFF8: "R_XTENSA_PDIFF8", R_XTENSA_PDIFF16: "R_XTENSA_PDIFF16",
	R_XTENSA_PDIFF32: "R_XTENSA_PDIFF32", R_XTENSA_NDIFF8: "R_XTENSA_NDIFF8",
	R_XTENSA_NDIFF16: "R_XTENSA_NDIFF16", R_XTENSA_NDIFF32: "R_XTENSA_NDIFF32",
}

func (r R_XTENSA) String() string {
	if s, ok := xtensaNames[r]; ok {
		return s
	}
	return "R_XTENSA_" + strconv.Itoa(int(r))
}

// GoString returns the constant's name, like debug/elf's types.
func (r R_XTENSA) GoString() string { return "elfobj." + r.String() }

// RelocName returns the ABI name of relocation type t for machine m,
// for example "R_ARM_THM_CALL", or "R_<machine>_<n>" when it has none.
func RelocName(m elf.Machine, t uint32) string {
	switch m {
	case elf.EM_386:
		return elf.R_386(t).String()
	case elf.EM_X86_64:
		return elf.R_X86_64(t).String()
	case elf.EM_ARM:
		return armName(elf.R_ARM(t))
	case elf.EM_RISCV:
		return riscvName(elf.R_RISCV(t))
	case elf.EM_XTENSA:
		return R_XTENSA(t).String()
	}
	return "relocation type " + strconv.Itoa(int(t))
}
