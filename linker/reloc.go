// This file implements link-time relocation of code and data (spec §3.10, §3.11).

package linker

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker/arm"
	"github.com/mpyld/mpyld/mpy"
)

var le = binary.LittleEndian

// symName names the symbol of r for messages: its name, or for a section
// symbol the variable at the referenced offset, or the section name.
func (l *linker) symName(sec *section, r elfobj.Reloc) string {
	s := sec.obj.syms[r.Sym]
	if s.Name != "" && !strings.HasPrefix(s.Name, ".L") {
		return s.Name
	}
	if s.Type == elf.STT_SECTION || s.Type == elf.STT_NOTYPE && s.Bind == elf.STB_LOCAL {
		// A section symbol or a local label: name the variable it reaches.
		// PC-relative addends are biased by the distance from the field to
		// the end of the instruction (-4 on x86), so look a little past it.
		for bias := int64(0); bias <= 8; bias += 4 {
			if v := l.variableAt(s.obj, int(s.Shndx), s.Value+uint64(r.Addend+bias)); v != "" {
				return v
			}
		}
		if s.Name != "" {
			return s.Name
		}
		if v := l.variableAt(s.obj, int(s.Shndx), uint64(r.Addend)); v != "" {
			return v
		}
		if int(s.Shndx) < len(s.obj.f.Sections) {
			return s.obj.f.Sections[s.Shndx].Name
		}
	}
	return fmt.Sprintf("symbol %d", r.Sym)
}

// varName quotes the variable a relocation reaches, or says "the variable".
func (l *linker) varName(sec *section, r elfobj.Reloc) string {
	n := l.symName(sec, r)
	if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "symbol ") {
		return "the variable"
	}
	return fmt.Sprintf("%q", n)
}

// variableAt finds the object symbol covering offset off of section shndx.
func (l *linker) variableAt(o *object, shndx int, off uint64) string {
	for _, s := range o.syms {
		if int(s.Shndx) == shndx && s.Type == elf.STT_OBJECT && s.Name != "" && off >= s.Value && off < s.Value+max(s.Size, 1) {
			return s.Name
		}
	}
	return ""
}

// relocError formats a problem with one relocation, outside in:
// file: section+offset: TYPE to "sym": msg.
func (l *linker) relocError(sec *section, r elfobj.Reloc, msg string) error {
	return fmt.Errorf("%s: %s+%#x: %s to %q: %s", sec.obj.name, sec.name, r.Off,
		elfobj.RelocName(l.arch.Machine, r.Type), l.symName(sec, r), msg)
}

// relocate applies every relocation of every laid-out section.
func (l *linker) relocate() {
	l.refuseCodeModel()
	for _, sec := range l.sections {
		if sec.stub != nil {
			l.stubRelocs(sec)
		}
		if sec == l.startup && l.arch.ISA == ISAXtensa {
			l.startupRelocs(sec)
		}
		if len(sec.relocs) == 0 {
			continue
		}
		l.logf(3, "%s: %s relocations via %s:", sec.obj.name, sec.name, sec.relName)
		for _, r := range sec.relocs {
			var err error
			switch {
			case l.cfg.Slots != nil && l.isSlotReloc(sec, r):
				continue
			case sec.dataRelRo, sec.cat == catData:
				err = l.dataReloc(sec, r)
			case sec.cat == catText || sec.cat == catRodata:
				err = l.codeReloc(sec, r)
			default:
				err = l.relocError(sec, r, "relocations in "+sec.name+" are not supported")
			}
			if err != nil {
				l.errs.add(err)
			}
		}
	}
	switch {
	case l.startup == nil:
	case l.arch.ISA == ISAX86:
		l.x86StartupRelocs()
	case l.arch.ISA == ISARISCV:
		l.rvStartupRelocs()
	}
}

// checkFixed refuses a link-time (PC- or GOT-relative) reference to t, which
// only works when t sits in the text buffer at a fixed distance.
func (l *linker) checkFixed(sec *section, r elfobj.Reloc, t *symbol) error {
	switch {
	case t.fixed:
		return l.relocError(sec, r, "direct reference to a fixed-address (--externs) symbol: code is moved at load time; reach it through a pointer (GOT), not PC-relative")
	case t.sec == nil:
		return l.relocError(sec, r, "symbol has no section (absolute, common or undefined)")
	case t.sec.cat == catBSS && !t.sec.inText:
		return l.staticBSSError(sec, r, sec.obj.syms[r.Sym].global())
	case t.sec.cat == catData && !l.dataInText():
		return l.relocError(sec, r, "writable data reached PC-relative: on "+l.arch.Name+" it lives in bss, apart from the code; reach it through a literal (compile with -fpic)")
	case t.sec.cat == catExternal:
		return l.relocError(sec, r, "direct reference to a runtime symbol (provided through mp_fun_table): take its address through the GOT (declare it extern, compile with -fpic)")
	case t.sec.cat == catRodata && l.arch.SeparateRodata:
		return l.relocError(sec, r, "fixed reference to rodata, which lives apart from the code on "+l.arch.Name+": reach it through a pointer")
	}
	return nil
}

// fieldFits checks that the n bytes a relocation patches lie inside its
// section and buffer.
func (l *linker) fieldFits(sec *section, r elfobj.Reloc, n uint64) error {
	if sec.addr+r.Off+n > uint64(len(l.buffer(sec))) || r.Off+n > sec.size {
		return l.relocError(sec, r, fmt.Sprintf("%d-byte field runs past the end of the section", n))
	}
	return nil
}

// codeReloc applies one relocation inside .text* or .rodata*.
func (l *linker) codeReloc(sec *section, r elfobj.Reloc) error {
	switch l.arch.ISA {
	case ISAXtensa:
		return l.xtensaReloc(sec, r)
	case ISARISCV:
		return l.riscvReloc(sec, r)
	}
	own := sec.obj.syms[r.Sym]
	t := own.target()
	buf := l.buffer(sec)
	p := sec.addr + r.Off
	P := int64(p)
	A := r.Addend
	need := func(n uint64) error { return l.fieldFits(sec, r, n) }
	if err := need(4); err != nil {
		return err
	}
	m, typ := l.arch.Machine, r.Type
	is := func(t386 elf.R_386, tx64 elf.R_X86_64, tarm elf.R_ARM) bool {
		switch m {
		case elf.EM_386:
			return typ == uint32(t386)
		case elf.EM_X86_64:
			return typ == uint32(tx64)
		}
		return typ == uint32(tarm)
	}
	const none = 0xff
	gotAddr := int64(l.gotSec.addr)
	switch {
	case is(elf.R_386_PC32, elf.R_X86_64_PC32, elf.R_ARM_REL32), is(elf.R_386_PLT32, elf.R_X86_64_PLT32, elfobj.R_ARM_THM_CALL),
		is(none, none, elf.R_ARM_THM_JUMP24):
		if err := l.checkFixed(sec, r, t); err != nil {
			return err
		}
		v := int64(t.sec.addr+t.Value) + A - P
		if m == elf.EM_ARM && typ != uint32(elf.R_ARM_REL32) {
			arm.PatchBranch(buf[p:], v)
		} else {
			le.PutUint32(buf[p:], le.Uint32(buf[p:])+uint32(v))
		}
	case is(elf.R_386_GOTPC, none, elfobj.R_ARM_BASE_PREL):
		if own.Name != "_GLOBAL_OFFSET_TABLE_" {
			return l.relocError(sec, r, "expected _GLOBAL_OFFSET_TABLE_")
		}
		le.PutUint32(buf[p:], le.Uint32(buf[p:])+uint32(gotAddr+A-P))
	case is(elf.R_386_GOT32, none, elfobj.R_ARM_GOT_BREL), is(elf.R_386_GOT32X, none, none):
		g, err := l.gotOffset(sec, r)
		if err != nil {
			return err
		}
		le.PutUint32(buf[p:], le.Uint32(buf[p:])+uint32(g))
	case is(none, elf.R_X86_64_GOTPCREL, elf.R_ARM_GOT_PREL), is(none, elf.R_X86_64_REX_GOTPCRELX, none), is(none, elf.R_X86_64_GOTPCRELX, none):
		g, err := l.gotOffset(sec, r)
		if err != nil {
			return err
		}
		le.PutUint32(buf[p:], le.Uint32(buf[p:])+uint32(gotAddr+g+A-P))
	case is(elf.R_386_GOTOFF, elf.R_X86_64_GOTOFF64, none):
		// S - GOT, S from the relocation's own symbol: a static object next
		// to the code, or in the bss block, where the start-up code adds
		// bss - text to the field (mod 2^32 or 2^64, so always exact).
		if l.inBSSBlock(own) {
			l.fixups = append(l.fixups, p)
		} else if err := l.checkFixed(sec, r, own); err != nil {
			return err
		}
		v := int64(own.sec.addr+own.Value) + A - gotAddr
		if m == elf.EM_X86_64 {
			if err := need(8); err != nil {
				return err
			}
			le.PutUint64(buf[p:], le.Uint64(buf[p:])+uint64(v))
		} else {
			le.PutUint32(buf[p:], le.Uint32(buf[p:])+uint32(v))
		}
	case is(none, elf.R_X86_64_GOTPC32, none):
		// GOT + A - P: lea _GLOBAL_OFFSET_TABLE_(%rip) of -mcmodel=medium.
		if own.Name != "_GLOBAL_OFFSET_TABLE_" {
			return l.relocError(sec, r, "expected _GLOBAL_OFFSET_TABLE_")
		}
		le.PutUint32(buf[p:], le.Uint32(buf[p:])+uint32(gotAddr+A-P))
	case is(none, none, elf.R_ARM_ABS32):
		return l.dataReloc(sec, r)
	default:
		return l.relocError(sec, r, unsupportedHint(l.arch, typ))
	}
	return nil
}

// unsupportedHint explains an unsupported relocation type.
func unsupportedHint(a *Arch, typ uint32) string {
	name := elfobj.RelocName(a.Machine, typ)
	switch {
	case strings.Contains(name, "MOVW") || strings.Contains(name, "MOVT") || name == "R_386_32" || name == "R_X86_64_32" || name == "R_X86_64_32S" || name == "R_X86_64_64" || name == "R_RISCV_HI20" || name == "R_RISCV_32" || name == "R_RISCV_64":
		return "absolute address in code is not supported: recompile with -fpic"
	case strings.Contains(name, "TLS"):
		return "thread-local storage is not supported in native modules"
	}
	return "relocation type not supported by native modules on " + a.Name
}

// dataReloc turns a pointer word into a runtime relocation (spec §3.11).
func (l *linker) dataReloc(sec *section, r elfobj.Reloc) error {
	a := l.arch
	ok := false
	switch a.ISA {
	case ISAX86:
		ok = r.Type == 1 // R_386_32, R_X86_64_64
	case ISAARM:
		ok = r.Type == uint32(elf.R_ARM_ABS32)
	case ISAXtensa:
		ok = r.Type == uint32(elfobj.R_XTENSA_32)
	case ISARISCV:
		ok = r.Type == uint32(elf.R_RISCV_32) || r.Type == uint32(elf.R_RISCV_64)
	}
	if !ok {
		return l.relocError(sec, r, "only pointer-sized absolute relocations are supported in "+sec.name)
	}
	w := uint64(a.Word())
	buf, p, inRodata := l.dataLocation(sec, r.Off)
	if p%w != 0 {
		return l.relocError(sec, r, fmt.Sprintf("pointer at %#x is not %d-byte aligned", p, w))
	}
	if p+w > uint64(len(buf)) || r.Off+w > sec.size {
		return l.relocError(sec, r, "pointer runs past the end of the section")
	}
	t := sec.obj.syms[r.Sym].target()
	var cur int64
	if w == 8 {
		cur = int64(le.Uint64(buf[p:]))
	} else {
		cur = int64(int32(le.Uint32(buf[p:])))
	}
	kind, reloc, err := l.kindOf(t)
	if err != nil {
		return l.relocError(sec, r, err.Error())
	}
	var x int64
	switch {
	case t.fixed:
		x = int64(t.addr) + r.Addend
	case t.sec.cat == catExternal || t.sec.stubSlot != 0:
		x = r.Addend
		if t.sec.name == extFunSlot && x != 0 {
			return l.relocError(sec, r, "offset into a runtime object provided through mp_fun_table")
		}
	default:
		x = int64(t.sec.addr+t.Value) + r.Addend
	}
	v := cur + x
	if w == 4 && (v < -(1<<31) || v >= 1<<32) {
		return l.relocError(sec, r, fmt.Sprintf("value %#x does not fit 32 bits", v))
	}
	l.putWord(buf, p, uint64(v))
	if reloc {
		l.relocs = append(l.relocs, mpy.Reloc{InRodata: inRodata, Addr: p, Kind: kind})
	}
	l.logf(3, "  %08x -> %s %08x", p, l.symName(sec, r), x)
	return nil
}
