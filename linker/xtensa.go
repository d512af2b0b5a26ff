// This file implements Xtensa literal pools and relocations (spec §3.6.2,
// §3.10 rows A, F, G).

package linker

import (
	"debug/elf"
	"fmt"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker/xtensa"
)

// litKey names one literal word: its section and offset. v1.28 keys by file
// and offset only, so two literal sections of one object collided.
type litKey struct {
	sec *section
	off uint64
}

// litRef is what a literal word became: a GOT entry or a LIT constant.
type litRef struct {
	got   *gotEntry
	value uint32
}

// buildXtensaGOT splits every literal pool into GOT entries (addresses) and
// deduplicated LIT constants.
func (l *linker) buildXtensaGOT() {
	for _, ls := range l.literals {
		if len(ls.data)%4 != 0 {
			l.errs.addf("%s: %s: literal pool size %d is not a multiple of 4", ls.obj.name, ls.name, len(ls.data))
			continue
		}
		for _, r := range ls.relocs {
			s := ls.obj.syms[r.Sym]
			if r.Type != uint32(elfobj.R_XTENSA_32) && r.Type != uint32(elfobj.R_XTENSA_PLT) {
				l.errs.add(l.relocError(ls, r, "only R_XTENSA_32 and R_XTENSA_PLT are supported in literal pools"))
				continue
			}
			if r.Off%4 != 0 {
				l.errs.add(l.relocError(ls, r, "literal is not word-aligned"))
				continue
			}
			existing := le.Uint32(ls.data[r.Off:])
			var name string
			var init uint64
			switch {
			case s.Type == elf.STT_SECTION:
				// A pointer into a section of this object: one entry per
				// object, section and offset.
				target := s.sec
				if target == nil {
					l.errs.add(l.relocError(ls, r, "literal points into a section that is not linked"))
					continue
				}
				off := uint64(existing) + uint64(r.Addend)
				name = fmt.Sprintf("%s:%s+%#x", ls.obj.name, target.name, off)
				init = off
			case s.Name == "":
				l.errs.add(l.relocError(ls, r, "literal names an unnamed symbol"))
				continue
			default:
				if existing != 0 {
					l.errs.add(l.relocError(ls, r, fmt.Sprintf("literal holds %#x besides a symbol", existing)))
					continue
				}
				name = s.Name
				if r.Addend != 0 {
					name = fmt.Sprintf("%s+%#x", s.Name, r.Addend)
				}
				init = uint64(r.Addend)
			}
			l.litMap[litKey{ls, r.Off}] = litRef{got: l.addGOT(name, s, init)}
		}
		for off := uint64(0); off < uint64(len(ls.data)); off += 4 {
			k := litKey{ls, off}
			if _, ok := l.litMap[k]; ok {
				continue
			}
			v := le.Uint32(ls.data[off:])
			l.litMap[k] = litRef{value: v}
			if _, ok := l.litIndex[v]; !ok {
				l.litIndex[v] = len(l.lit)
				l.lit = append(l.lit, v)
			}
		}
	}
}

// isXtensaIgnored lists the relocations that only guide relaxation.
func isXtensaIgnored(t elfobj.R_XTENSA) bool {
	switch t {
	case elfobj.R_XTENSA_DIFF8, elfobj.R_XTENSA_DIFF16, elfobj.R_XTENSA_DIFF32,
		elfobj.R_XTENSA_PDIFF8, elfobj.R_XTENSA_PDIFF16, elfobj.R_XTENSA_PDIFF32,
		elfobj.R_XTENSA_NDIFF8, elfobj.R_XTENSA_NDIFF16, elfobj.R_XTENSA_NDIFF32,
		elfobj.R_XTENSA_ASM_EXPAND, elfobj.R_XTENSA_ASM_SIMPLIFY, elfobj.R_XTENSA_NONE:
		return true
	}
	return false
}

func (l *linker) xtensaReloc(sec *section, r elfobj.Reloc) error {
	own := sec.obj.syms[r.Sym]
	buf := l.buffer(sec)
	p := sec.addr + r.Off
	typ := elfobj.R_XTENSA(r.Type)
	switch {
	case typ == elfobj.R_XTENSA_32:
		// S + A, an absolute pointer (Xtensa ELF ABI), whatever the symbol's
		// binding: a runtime relocation. v1.28 stores S + A - P when the
		// symbol is local, as if it were PC-relative. GCC (-fpic) never
		// emits R_XTENSA_32 in .text or .rodata: its pointer tables go to
		// .data.rel.ro* and its jump tables are PDIFF32. LLVM (no -fpic on
		// Xtensa) leaves const tables in .rodata, and a static function
		// arrives there as .text+N: the v1.28 rule dropped their runtime
		// relocation.
		return l.dataReloc(sec, r)
	case typ == elfobj.R_XTENSA_SLOT0_OP:
		if own.sec == nil && own.target().sec != nil && own.target().sec.cat == catText {
			return l.xtensaCall(sec, r, own) // a direct call to another object's function
		}
		if own.sec == nil {
			return l.relocError(sec, r, "operand symbol is not in a linked section")
		}
		if own.sec.cat == catText && !own.sec.literal {
			if own.sec == sec {
				return nil // resolved by the assembler inside one section
			}
			return l.xtensaCall(sec, r, own)
		}
		if !own.sec.literal {
			return l.relocError(sec, r, "l32r operand is not a literal pool")
		}
		ref, ok := l.litMap[litKey{own.sec, own.Value + uint64(r.Addend)}]
		if !ok {
			return l.relocError(sec, r, "l32r names no literal word")
		}
		var target int64
		if ref.got != nil {
			target = int64(l.gotSec.addr + ref.got.off)
		} else {
			target = int64(l.litSec.addr) + 4*int64(l.litIndex[ref.value])
		}
		if p+3 > uint64(len(buf)) {
			return l.relocError(sec, r, "instruction runs past the end of the section")
		}
		if err := xtensa.PatchL32R(buf[p:], int64(p), target); err != nil {
			return l.relocError(sec, r, err.Error())
		}
	case isXtensaIgnored(typ):
		if own.sec == nil || own.sec.cat == catText {
			return nil
		}
		return l.relocError(sec, r, "difference relocation outside code is not supported")
	default:
		return l.relocError(sec, r, unsupportedHint(l.arch, r.Type))
	}
	return nil
}

// xtensaCall patches a call or jump whose target is in another text
// section (-ffunction-sections builds).
func (l *linker) xtensaCall(sec *section, r elfobj.Reloc, own *symbol) error {
	buf := l.buffer(sec)
	p := int64(sec.addr + r.Off)
	if p+3 > int64(len(buf)) {
		return l.relocError(sec, r, "instruction runs past the end of the section")
	}
	t := own.target()
	target := int64(t.sec.addr+t.Value) + r.Addend
	if own.Type == elf.STT_SECTION {
		target = int64(t.sec.addr) + r.Addend
	}
	if err := xtensa.PatchCall(buf[p:], p, target); err != nil {
		return l.relocError(sec, r, err.Error())
	}
	return nil
}
