// This file implements refusing ARM-mode (A32) code on the ARM arches, all
// of which run Thumb only (ARMv6-M, ARMv7-M and ARMv7E-M have no ARM state).

package linker

import (
	"debug/elf"
	"fmt"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
)

// armModeError reports ARM-mode code in an executable section: the "$a"
// mapping symbol that marks where A32 instructions begin (ELF for the Arm
// Architecture, §5.5.5 Mapping symbols). Linked, a Thumb-only core would
// fault on the first of them.
func armModeError(f *elfobj.File, a *Arch) error {
	for _, s := range f.Symbols {
		if s.Name != "$a" && !strings.HasPrefix(s.Name, "$a.") {
			continue
		}
		i := int(s.Shndx)
		if s.Shndx >= elf.SHN_LORESERVE || i <= 0 || i >= len(f.Sections) || f.Sections[i] == nil {
			continue
		}
		sec := f.Sections[i]
		if sec.Flags&elf.SHF_EXECINSTR == 0 || sec.Size == 0 {
			continue
		}
		fn := ""
		for _, g := range f.Symbols {
			if g.Type == elf.STT_FUNC && g.Shndx == s.Shndx && g.Value == s.Value {
				fn = fmt.Sprintf(" (function %q)", g.Name)
				break
			}
		}
		return fmt.Errorf("%s: %s+%#x: ARM-mode code%s, but %s runs Thumb code only: compile with -mthumb", f.Name, sec.Name, s.Value, fn, a.Name)
	}
	return nil
}
