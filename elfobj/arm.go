// This file implements the current AAELF names of ARM relocations whose
// debug/elf names are the older ones.

package elfobj

import "debug/elf"

// ARM relocation types under their AAELF names (debug/elf has the old names
// R_ARM_THM_PC22, R_ARM_GOTPC, R_ARM_GOT32 for the same numbers).
const (
	R_ARM_THM_CALL  = elf.R_ARM_THM_PC22
	R_ARM_GOTOFF32  = elf.R_ARM_GOTOFF
	R_ARM_BASE_PREL = elf.R_ARM_GOTPC
	R_ARM_GOT_BREL  = elf.R_ARM_GOT32
)

var armNames = map[elf.R_ARM]string{
	R_ARM_THM_CALL:  "R_ARM_THM_CALL",
	R_ARM_GOTOFF32:  "R_ARM_GOTOFF32",
	R_ARM_BASE_PREL: "R_ARM_BASE_PREL",
	R_ARM_GOT_BREL:  "R_ARM_GOT_BREL",
}

func armName(t elf.R_ARM) string {
	if s, ok := armNames[t]; ok {
		return s
	}
	return t.String()
}
