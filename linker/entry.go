// This file implements the entry jump at text offset 0 (spec §3.8, §6.4 and
// VERSIONS.md): its instruction forms per arch and the size each profile's
// mpy_ld.py gives it.

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

// forms lists the arch's entry jumps, shortest first: what the development
// branch picks from by range, and v1.28 by mpy_init's offset in its section.
func (l *linker) forms() []jumpForm {
	switch {
	case l.arch.ISA == ISAX86:
		if l.target.Entry == EntryDev {
			return []jumpForm{x86.Jmp8, x86.Jmp32}
		}
		return []jumpForm{x86.Jmp32}
	case l.arch.MPY == mpy.ArchARMV6M:
		return []jumpForm{arm.B, arm.PushBLPop}
	case l.arch.ISA == ISAARM:
		return []jumpForm{arm.B, arm.BW}
	case l.arch.ISA == ISAXtensa:
		return []jumpForm{xtensa.J}
	}
	return []jumpForm{riscv.CJ, riscv.AuipcJalr}
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

// firstFit encodes the first of forms that reaches target.
func firstFit(forms []jumpForm, target int64) ([]byte, bool) {
	for _, f := range forms {
		if b, ok := f(target); ok {
			return b, true
		}
	}
	return nil, false
}

func alignUp(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }

// entry is the plan for the jump: the space it starts with, and how to
// encode it for mpy_init's final address in a space of n bytes, or which
// space to try instead.
type entry struct {
	size   int
	encode func(target int64, n int) (jump []byte, next int, err error)
}

var errJumpRange = fmt.Errorf("out of reach of every entry jump form")

// entryPlan gives the entry jump of the profile. Every form is encoded from
// mpy_init's final address; where the reference computed it from
// mpy_init's offset inside its own section (v1.28, dev), that is only the
// starting point, so modules whose mpy_init is not in the first section
// (-ffunction-sections builds) still jump to it.
func (l *linker) entryPlan(init *symbol) (entry, error) {
	forms := l.forms()
	e := int64(init.Value) // mpy_init's offset inside its section
	switch l.target.Entry {
	case EntryFixed:
		// v1.20 to v1.22: 5 bytes on x86, a 2-byte b on armv6m, 4 bytes
		// (b and a zero halfword, or b.w) on the other ARMs, 3 on Xtensa.
		// Where v1.22 gave up (armv6m beyond ±2 KiB) the next form is used.
		size := formLength(forms[0])
		if l.arch.ISA == ISAARM && l.arch.MPY != mpy.ArchARMV6M {
			size = 4
		}
		return entry{size: size, encode: func(target int64, n int) ([]byte, int, error) {
			b, ok := firstFit(forms, target)
			switch {
			case !ok:
				return nil, n, errJumpRange
			case len(b) > n:
				return nil, len(b), nil
			}
			return pad(b, n), n, nil
		}}, nil
	case EntryDev:
		// The development branch: no jump when mpy_init is at offset 0,
		// else the first form that fits, padded to a multiple of mpy_init's
		// section alignment.
		align := int(init.sec.align)
		grow := func(target int64) int {
			for n := align; ; n += align {
				if b, ok := firstFit(forms, target+int64(n)); !ok || len(b) <= n {
					return n
				}
			}
		}
		size := 0
		if e != 0 {
			size = grow(e)
		}
		return entry{size: size, encode: func(target int64, n int) ([]byte, int, error) {
			if target == 0 && n == 0 {
				return nil, 0, nil
			}
			b, ok := firstFit(forms, target)
			switch {
			case !ok:
				return nil, n, errJumpRange
			case len(b) > n:
				return nil, n + align, nil
			}
			return pad(b, n), n, nil
		}}, nil
	}
	// v1.28: the short form when mpy_init is within ±2 KiB of its section's
	// start, else the long one; a longer form if the real target needs it.
	i := 0
	if l.arch.ISA != ISAX86 && l.arch.ISA != ISAXtensa && (e < -2048 || e >= 2048) {
		i = 1
	}
	if l.arch.ISA == ISAXtensa {
		if _, ok := xtensa.J(e + 4); !ok {
			return entry{}, fmt.Errorf("%s: mpy_init is %#x bytes into its section: jumps beyond 128 KiB are not supported on Xtensa", init.obj.name, e)
		}
	}
	return entry{size: formLength(forms[i]), encode: func(target int64, n int) ([]byte, int, error) {
		for ; i < len(forms); i++ {
			if b, ok := forms[i](target); ok {
				return b, len(b), nil
			}
		}
		return nil, n, errJumpRange
	}}, nil
}

// pad extends a jump with zero bytes to n.
func pad(b []byte, n int) []byte {
	return append(b, make([]byte, n-len(b))...)
}
