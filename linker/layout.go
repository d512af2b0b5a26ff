// This file implements section layout (spec §3.7).

package linker

import (
	"fmt"

	"github.com/mpyld/mpyld/elfobj"
)

// layout places the sections into the text, rodata and bss buffers behind
// the entry jump to mpy_init, whose size and form follow the profile's rule
// (entry.go). The jump is always encoded from mpy_init's final address; when
// it does not fit the space the rule gave it, the space grows and the
// layout is redone.
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
	if l.startup != nil {
		// Enter through the code that sets up writable data (data.go).
		entry := uint64(0)
		if l.arch.ISA == ISAXtensa {
			entry = startupEntry
		}
		init = &symbol{Symbol: elfobj.Symbol{Name: "mpy_init", Value: entry}, obj: init.obj, sec: l.startup}
	}
	e, err := l.entryPlan(init)
	if err != nil {
		return err
	}
	n := e.size
	for tries := 0; tries < 64; tries++ {
		l.place(n)
		target := int64(init.sec.addr + init.Value)
		b, next, err := e.encode(target, n)
		if err != nil {
			return fmt.Errorf("%s: mpy_init at text offset %#x: %v", init.obj.name, target, err)
		}
		if next != n {
			n = next
			continue
		}
		copy(l.text, b)
		l.entryLen = n
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
	l.rodata, l.bssSize = nil, l.dataSize
	for _, s := range l.sections {
		buf := &l.text
		s.inRodata = false
		switch {
		case s.cat == catRodata && l.arch.SeparateRodata:
			buf, s.inRodata = &l.rodata, true
		case s.cat == catData && !l.dataInText():
			continue // at the start of bss, placed by placeData
		case s.cat == catBSS && !s.inText:
			s.addr = alignUp(l.bssSize, s.align)
			l.bssSize = s.addr + s.size
			continue
		}
		s.addr = alignUp(uint64(len(*buf)), s.align)
		for uint64(len(*buf)) < s.addr {
			*buf = append(*buf, 0)
		}
		if s.cat == catBSS {
			*buf = append(*buf, make([]byte, s.size)...)
		} else {
			*buf = append(*buf, s.data...)
		}
	}
}

// buffer returns the output buffer holding s (nil for bss, which has no
// contents to patch).
func (l *linker) buffer(s *section) []byte {
	switch {
	case s.inRodata:
		return l.rodata
	case s.cat == catBSS && !s.inText, s.cat == catData && !l.dataInText():
		return nil
	}
	return l.text
}
