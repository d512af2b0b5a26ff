// This file implements section layout and the entry jump (spec §3.7, §3.8).

package linker

import (
	"fmt"

	"github.com/mpyld/mpyld/linker/arm"
	"github.com/mpyld/mpyld/linker/riscv"
	"github.com/mpyld/mpyld/linker/x86"
	"github.com/mpyld/mpyld/linker/xtensa"
	"github.com/mpyld/mpyld/mpy"
)

// jumpForm encodes a jump at text offset 0 to target, or reports that
// target is out of its range.
type jumpForm func(target int64) ([]byte, bool)

// entryForms lists the arch's entry jumps, shortest first, and which of them
// v1.28 picks from mpy_init's offset e inside its own section.
func (l *linker) entryForms(e int64) (forms []jumpForm, first int) {
	short := e >= -2048 && e < 2048
	pick := func(f ...jumpForm) ([]jumpForm, int) {
		if short {
			return f, 0
		}
		return f, 1
	}
	switch {
	case l.arch.ISA == ISAX86:
		return []jumpForm{x86.Jmp32}, 0
	case l.arch.MPY == mpy.ArchARMV6M:
		return pick(arm.B, arm.PushBLPop)
	case l.arch.ISA == ISAARM:
		return pick(arm.B, arm.BW)
	case l.arch.ISA == ISAXtensa:
		return []jumpForm{xtensa.J}, 0
	default:
		return pick(riscv.CJ, riscv.AuipcJalr)
	}
}

// formLength is the size of what f emits.
func formLength(f jumpForm) int {
	for _, t := range []int64{0, 8, 1 << 12} {
		if b, ok := f(t); ok {
			return len(b)
		}
	}
	return 0
}

func alignUp(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }

// layout places the sections into the text, rodata and bss buffers behind
// the entry jump to mpy_init. The jump takes the instruction form v1.28
// chooses from mpy_init's offset in its section, but is encoded from
// mpy_init's real address after layout (v1.28 assumes that section comes
// first, and is wrong otherwise); a longer form is used when the real
// address is out of reach, and the layout is redone when the length changes.
func (l *linker) layout() error {
	w := uint64(l.arch.Word())
	l.gotSec = &section{name: "GOT", align: w, data: make([]byte, uint64(len(l.got))*w), size: uint64(len(l.got)) * w}
	if l.arch.GOTFirst {
		l.litSec = &section{name: "LIT", align: 4, data: make([]byte, 4*len(l.lit)), size: uint64(4 * len(l.lit))}
		l.sections = append([]*section{l.gotSec, l.litSec}, l.sections...)
	} else {
		l.sections = append(l.sections, l.gotSec)
	}
	init := l.globals["mpy_init"]
	if init.sec == nil || init.sec.cat != catText {
		return fmt.Errorf("%s: mpy_init is not a function in .text", init.obj.name)
	}
	forms, i := l.entryForms(int64(init.Value))
	if l.arch.ISA == ISAXtensa {
		if _, ok := xtensa.J(int64(init.Value) + 4); !ok {
			return fmt.Errorf("%s: mpy_init is %#x bytes into its section: jumps beyond 128 KiB are not supported on Xtensa", init.obj.name, init.Value)
		}
	}
	n := formLength(forms[i])
	for tries := 0; tries < 2*len(forms)+2; tries++ {
		l.place(n)
		target := int64(init.sec.addr + init.Value)
		b, ok := forms[i](target)
		if !ok {
			if i+1 == len(forms) {
				return fmt.Errorf("%s: mpy_init at text offset %#x is out of reach of the entry jump on %s", init.obj.name, target, l.arch.Name)
			}
			i++
			n = formLength(forms[i])
			continue
		}
		if len(b) != n {
			n = len(b)
			continue
		}
		copy(l.text, b)
		for _, s := range l.sections {
			l.logf(2, "  %08x %s size=%d", s.addr, s.name, s.size)
		}
		return nil
	}
	return fmt.Errorf("entry jump layout did not settle")
}

// place lays out every section behind an entry jump of n bytes.
func (l *linker) place(n int) {
	l.text = make([]byte, n, 1<<12)
	l.rodata, l.bssSize = nil, 0
	for _, s := range l.sections {
		buf := &l.text
		s.inRodata = false
		switch {
		case s.cat == catRodata && l.arch.SeparateRodata:
			buf, s.inRodata = &l.rodata, true
		case s.cat == catBSS:
			s.addr = alignUp(l.bssSize, s.align)
			l.bssSize = s.addr + s.size
			continue
		}
		s.addr = alignUp(uint64(len(*buf)), s.align)
		for uint64(len(*buf)) < s.addr {
			*buf = append(*buf, 0)
		}
		*buf = append(*buf, s.data...)
	}
}

// buffer returns the output buffer holding s (nil for bss, which has no
// contents to patch).
func (l *linker) buffer(s *section) []byte {
	switch {
	case s.inRodata:
		return l.rodata
	case s.cat == catBSS:
		return nil
	}
	return l.text
}
