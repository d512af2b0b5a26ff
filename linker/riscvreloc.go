// This file implements RISC-V relocations in code (spec §3.10.4).

package linker

import (
	"debug/elf"
	"fmt"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker/riscv"
)

func (l *linker) riscvReloc(sec *section, r elfobj.Reloc) error {
	own := sec.obj.syms[r.Sym]
	t := own.target()
	buf := l.buffer(sec)
	p := sec.addr + r.Off
	P := int64(p)
	A := r.Addend
	typ := elf.R_RISCV(r.Type)
	need := func(n uint64) error { return l.fieldFits(sec, r, n) }
	// pcrel returns S + A - P for a PC-relative reference that must stay
	// inside the text buffer.
	pcrel := func() (int64, error) {
		if err := l.checkFixed(sec, r, t); err != nil {
			return 0, err
		}
		return int64(t.sec.addr+t.Value) + A - P, nil
	}
	switch typ {
	case elf.R_RISCV_RELAX, elf.R_RISCV_ALIGN, elf.R_RISCV_NONE:
		return nil
	case elf.R_RISCV_TLS_GD_HI20, elf.R_RISCV_TLS_GOT_HI20, elfobj.R_RISCV_TLSDESC_HI20, elfobj.R_RISCV_TLSDESC_LOAD_LO12,
		elfobj.R_RISCV_TLSDESC_ADD_LO12, elfobj.R_RISCV_TLSDESC_CALL:
		return l.relocError(sec, r, "RISC-V TLS relocation: thread-local storage is not supported in native modules")
	case elf.R_RISCV_TPREL_HI20, elf.R_RISCV_TPREL_LO12_I, elf.R_RISCV_TPREL_LO12_S, elf.R_RISCV_TPREL_ADD:
		return l.relocError(sec, r, "RISC-V TP-relative relocation: thread-local storage is not supported in native modules")
	case elfobj.R_RISCV_SET_ULEB128, elfobj.R_RISCV_SUB_ULEB128:
		return l.relocError(sec, r, "RISC-V ULEB128 relocation is not supported (it comes from debug or exception tables: compile without -g/-fexceptions)")
	case elf.R_RISCV_GOT_HI20, elf.R_RISCV_PCREL_HI20, elf.R_RISCV_HI20:
		if err := need(4); err != nil {
			return err
		}
		v, err := l.riscvHi(sec, r)
		if err != nil {
			return err
		}
		riscv.PatchHi20(buf[p:], v)
	case elf.R_RISCV_PCREL_LO12_I, elf.R_RISCV_LO12_I, elf.R_RISCV_PCREL_LO12_S, elf.R_RISCV_LO12_S:
		if err := need(4); err != nil {
			return err
		}
		v, err := l.riscvParent(sec, r, own)
		if err != nil {
			return err
		}
		if hs, hr, ok := l.riscvParentReloc(sec, r); ok && isPCRelLo(r.Type) && l.arch.movable(hr.Type) && l.inBSSBlock(hs.obj.syms[hr.Sym].target()) {
			// The start-up code rewrites the pair for bss - text.
			l.rvPairs = append(l.rvPairs, rvPair{hi: hs.addr + hr.Off, lo: p, store: typ == elf.R_RISCV_PCREL_LO12_S, v: v})
		}
		if typ == elf.R_RISCV_PCREL_LO12_I || typ == elf.R_RISCV_LO12_I {
			riscv.PatchLo12I(buf[p:], v)
		} else {
			riscv.PatchLo12S(buf[p:], v)
		}
	case elf.R_RISCV_JAL, elf.R_RISCV_BRANCH, elf.R_RISCV_CALL, elf.R_RISCV_CALL_PLT:
		n := uint64(4)
		if typ == elf.R_RISCV_CALL || typ == elf.R_RISCV_CALL_PLT {
			n = 8
		}
		if err := need(n); err != nil {
			return err
		}
		v, err := pcrel()
		if err != nil {
			return err
		}
		switch typ {
		case elf.R_RISCV_JAL:
			riscv.PatchJ(buf[p:], v)
		case elf.R_RISCV_BRANCH:
			riscv.PatchB(buf[p:], v)
		default:
			riscv.PatchCall(buf[p:], v)
		}
	case elf.R_RISCV_RVC_BRANCH, elf.R_RISCV_RVC_JUMP:
		if err := need(2); err != nil {
			return err
		}
		v, err := pcrel()
		if err != nil {
			return err
		}
		if typ == elf.R_RISCV_RVC_BRANCH {
			riscv.PatchCB(buf[p:], v)
		} else {
			riscv.PatchCJ(buf[p:], v)
		}
	case elf.R_RISCV_32_PCREL, elfobj.R_RISCV_PLT32:
		if err := need(4); err != nil {
			return err
		}
		v, err := pcrel()
		if err != nil {
			return err
		}
		le.PutUint32(buf[p:], uint32(v))
	case elfobj.R_RISCV_GOT32_PCREL:
		if err := need(4); err != nil {
			return err
		}
		g, err := l.gotOffset(sec, r)
		if err != nil {
			return err
		}
		le.PutUint32(buf[p:], uint32(int64(l.gotSec.addr)+g+A-P))
	case elf.R_RISCV_ADD8, elf.R_RISCV_ADD16, elf.R_RISCV_ADD32, elf.R_RISCV_ADD64,
		elf.R_RISCV_SUB6, elf.R_RISCV_SUB8, elf.R_RISCV_SUB16, elf.R_RISCV_SUB32, elf.R_RISCV_SUB64,
		elf.R_RISCV_SET6, elf.R_RISCV_SET8, elf.R_RISCV_SET16, elf.R_RISCV_SET32:
		bits := map[elf.R_RISCV]int{
			elf.R_RISCV_ADD8: 8, elf.R_RISCV_ADD16: 16, elf.R_RISCV_ADD32: 32, elf.R_RISCV_ADD64: 64,
			elf.R_RISCV_SUB6: 6, elf.R_RISCV_SUB8: 8, elf.R_RISCV_SUB16: 16, elf.R_RISCV_SUB32: 32, elf.R_RISCV_SUB64: 64,
			elf.R_RISCV_SET6: 6, elf.R_RISCV_SET8: 8, elf.R_RISCV_SET16: 16, elf.R_RISCV_SET32: 32,
		}[typ]
		if err := need(uint64(riscv.FieldSize(bits))); err != nil {
			return err
		}
		if t.sec == nil {
			return l.relocError(sec, r, "symbol has no section")
		}
		x := int64(t.sec.addr+t.Value) + A
		switch typ {
		case elf.R_RISCV_ADD8, elf.R_RISCV_ADD16, elf.R_RISCV_ADD32, elf.R_RISCV_ADD64:
			riscv.Add(buf[p:], bits, x)
		case elf.R_RISCV_SET6, elf.R_RISCV_SET8, elf.R_RISCV_SET16, elf.R_RISCV_SET32:
			riscv.Set(buf[p:], bits, x)
		default:
			riscv.Sub(buf[p:], bits, x)
		}
	case elf.R_RISCV_32, elf.R_RISCV_64:
		return l.dataReloc(sec, r)
	default:
		return l.relocError(sec, r, unsupportedHint(l.arch, r.Type))
	}
	return nil
}

// riscvHi computes the value a HI20-type relocation carries; the matching
// LO12 relocations reuse it.
func (l *linker) riscvHi(sec *section, r elfobj.Reloc) (int64, error) {
	t := sec.obj.syms[r.Sym].target()
	P := int64(sec.addr + r.Off)
	switch elf.R_RISCV(r.Type) {
	case elf.R_RISCV_GOT_HI20:
		g, err := l.gotOffset(sec, r)
		if err != nil {
			return 0, err
		}
		return int64(l.gotSec.addr) + g + r.Addend - P, nil
	case elf.R_RISCV_PCREL_HI20:
		if !(l.arch.movable(r.Type) && l.inBSSBlock(t)) {
			if err := l.checkFixed(sec, r, t); err != nil {
				return 0, err
			}
		}
		return int64(t.sec.addr+t.Value) + r.Addend - P, nil
	}
	// R_RISCV_HI20: an absolute address, only meaningful for fixed addresses.
	if t.fixed {
		return int64(t.addr) + r.Addend, nil
	}
	return 0, l.relocError(sec, r, "absolute address of a symbol that moves at load time: recompile with -fpic")
}

// isPCRelLo reports whether typ is the lo12 half of a PC-relative pair.
func isPCRelLo(typ uint32) bool {
	return typ == uint32(elf.R_RISCV_PCREL_LO12_I) || typ == uint32(elf.R_RISCV_PCREL_LO12_S)
}

// riscvParentReloc finds the HI20-type relocation on the auipc that the
// label of PC-relative lo12 relocation r marks, and its section.
func (l *linker) riscvParentReloc(sec *section, r elfobj.Reloc) (*section, elfobj.Reloc, bool) {
	if !isPCRelLo(r.Type) || int(r.Sym) >= len(sec.obj.syms) {
		return nil, elfobj.Reloc{}, false
	}
	label := sec.obj.syms[r.Sym]
	if label.sec == nil {
		return nil, elfobj.Reloc{}, false
	}
	for _, pr := range label.sec.relocs {
		pt := elf.R_RISCV(pr.Type)
		if pr.Off == label.Value && (pt == elf.R_RISCV_GOT_HI20 || pt == elf.R_RISCV_PCREL_HI20 || pt == elf.R_RISCV_HI20) {
			return label.sec, pr, true
		}
	}
	return nil, elfobj.Reloc{}, false
}

// riscvParent finds the HI20 relocation on the instruction that the LO12
// relocation's label marks, and returns its value.
func (l *linker) riscvParent(sec *section, r elfobj.Reloc, label *symbol) (int64, error) {
	typ := elf.R_RISCV(r.Type)
	if typ == elf.R_RISCV_LO12_I || typ == elf.R_RISCV_LO12_S {
		// Non-PC-relative pairs name the target symbol itself.
		t := label.target()
		if t.fixed {
			return int64(t.addr) + r.Addend, nil
		}
		return 0, l.relocError(sec, r, "absolute address of a symbol that moves at load time: recompile with -fpic")
	}
	if label.sec == nil {
		return 0, l.relocError(sec, r, "label of the matching auipc is not in a linked section")
	}
	for _, pr := range label.sec.relocs {
		pt := elf.R_RISCV(pr.Type)
		if pr.Off == label.Value && (pt == elf.R_RISCV_GOT_HI20 || pt == elf.R_RISCV_PCREL_HI20 || pt == elf.R_RISCV_HI20) {
			return l.riscvHi(label.sec, pr)
		}
	}
	return 0, l.relocError(sec, r, fmt.Sprintf("no HI20 relocation at the label's offset %s+%#x", label.sec.name, label.Value))
}
