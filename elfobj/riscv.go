// This file implements the RISC-V relocation types newer than debug/elf's list.

package elfobj

import "debug/elf"

// RISC-V relocation types of the current psABI that debug/elf lacks or names
// after their retired meaning (41 was R_RISCV_GNU_VTINHERIT).
const (
	R_RISCV_GOT32_PCREL       elf.R_RISCV = 41
	R_RISCV_IRELATIVE         elf.R_RISCV = 58
	R_RISCV_PLT32             elf.R_RISCV = 59
	R_RISCV_SET_ULEB128       elf.R_RISCV = 60
	R_RISCV_SUB_ULEB128       elf.R_RISCV = 61
	R_RISCV_TLSDESC_HI20      elf.R_RISCV = 62
	R_RISCV_TLSDESC_LOAD_LO12 elf.R_RISCV = 63
	R_RISCV_TLSDESC_ADD_LO12  elf.R_RISCV = 64
	R_RISCV_TLSDESC_CALL      elf.R_RISCV = 65
)

var riscvNames = map[elf.R_RISCV]string{
	R_RISCV_GOT32_PCREL: "R_RISCV_GOT32_PCREL", R_RISCV_IRELATIVE: "R_RISCV_IRELATIVE",
	R_RISCV_PLT32: "R_RISCV_PLT32", R_RISCV_SET_ULEB128: "R_RISCV_SET_ULEB128",
	R_RISCV_SUB_ULEB128: "R_RISCV_SUB_ULEB128", R_RISCV_TLSDESC_HI20: "R_RISCV_TLSDESC_HI20",
	R_RISCV_TLSDESC_LOAD_LO12: "R_RISCV_TLSDESC_LOAD_LO12", R_RISCV_TLSDESC_ADD_LO12: "R_RISCV_TLSDESC_ADD_LO12",
	R_RISCV_TLSDESC_CALL: "R_RISCV_TLSDESC_CALL",
}

func riscvName(t elf.R_RISCV) string {
	if s, ok := riscvNames[t]; ok {
		return s
	}
	return t.String()
}
