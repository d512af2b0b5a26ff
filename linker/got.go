// This file implements the global offset table (spec §3.6.1, §3.9).

package linker

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/mpy"
)

type gotEntry struct {
	name  string
	sym   *symbol // the symbol of the relocation that made the entry
	init  uint64  // initial value: the offset an Xtensa literal adds
	off   uint64  // G: offset inside the GOT
	value uint64
	kind  mpy.RelocKind
	reloc bool // whether the loader relocates the entry
}

func (l *linker) addGOT(name string, s *symbol, init uint64) *gotEntry {
	if e, ok := l.gotByName[name]; ok {
		return e
	}
	e := &gotEntry{name: name, sym: s, init: init}
	l.got = append(l.got, e)
	l.gotByName[name] = e
	return e
}

// buildGOT makes one entry per global symbol named by a GOT-type
// relocation, in first-use order (spec §3.6.1).
func (l *linker) buildGOT() {
	for _, sec := range l.sections {
		for _, r := range sec.relocs {
			s := sec.obj.syms[r.Sym]
			if !s.global() || !l.arch.isGOTType(r.Type) {
				continue
			}
			if l.cfg.Slots != nil && l.isSlotReloc(sec, r) {
				continue // filled by mpy_init (slots.go)
			}
			if s.Name == "" || (s.Type != elf.STT_NOTYPE && s.Type != elf.STT_FUNC && s.Type != elf.STT_OBJECT) {
				l.errs.add(l.relocError(sec, r, fmt.Sprintf("symbol of type %v cannot have a GOT entry", s.Type)))
				continue
			}
			l.addGOT(s.Name, s, 0)
		}
	}
}

// gotOrder is the sort key of spec §3.9: others, runtime, text, rodata, bss.
func gotOrder(c category) int {
	switch c {
	case catExternal:
		return 1
	case catText, catData:
		return 2
	case catRodata:
		return 3
	case catBSS:
		return 4
	}
	return 0
}

// placedCategory is the category whose buffer holds s: writable data and
// bss are text or bss depending on where data.go put them.
func (l *linker) placedCategory(s *section) category {
	switch {
	case s.cat == catBSS && s.inText:
		return catText
	case s.cat == catData && !l.dataInText():
		return catBSS
	}
	return s.cat
}

// rodataKind is the relocation kind of pointers into rodata.
func (l *linker) rodataKind() mpy.RelocKind {
	if l.arch.SeparateRodata {
		return mpy.KindRodata
	}
	return mpy.KindText
}

// kindOf returns the relocation kind for a pointer to t, and whether there is
// one at all (fixed addresses need none).
func (l *linker) kindOf(t *symbol) (mpy.RelocKind, bool, error) {
	if t.fixed {
		return 0, false, nil
	}
	if t.sec == nil {
		return 0, false, fmt.Errorf("symbol %q has no section (absolute or common symbols are not supported)", t.Name)
	}
	if t.sec.stubSlot != 0 {
		return mpy.KindFunSlot + mpy.RelocKind(t.sec.stubSlot), true, nil
	}
	switch t.sec.name {
	case extFunTable:
		return mpy.KindFunTable, true, nil
	case extQstrTable:
		return mpy.KindQstrTable, true, nil
	case extObjTable:
		return mpy.KindObjTable, true, nil
	case extFunSlot:
		return mpy.KindFunSlot + mpy.RelocKind(t.funIndex), true, nil
	}
	switch l.placedCategory(t.sec) {
	case catText, catData:
		return mpy.KindText, true, nil
	case catRodata:
		return l.rodataKind(), true, nil
	case catBSS:
		return mpy.KindBSS, true, nil
	}
	return 0, false, fmt.Errorf("symbol %q is in %s, which cannot be pointed to", t.Name, t.sec.name)
}

// fillGOT computes, orders and stores the GOT entries and queues their
// runtime relocations ahead of all others (spec §3.9).
func (l *linker) fillGOT() {
	keys := make(map[*gotEntry]int, len(l.got))
	for _, e := range l.got {
		t := e.sym.target()
		if addr, ok := l.cfg.Externs[t.Name]; ok && t.Name != "" {
			e.value, keys[e] = addr, 1
			continue
		}
		if t.fixed {
			e.value, keys[e] = t.addr+e.init, 1
			continue
		}
		kind, ok, err := l.kindOf(t)
		if err != nil {
			l.errs.addf("%s: GOT entry for %q: %v", e.sym.obj.name, e.name, err)
			continue
		}
		e.kind, e.reloc = kind, ok
		e.value = e.init + t.sec.addr + t.Value
		if t.sec.stubSlot != 0 {
			e.value = e.init // the loader adds the function's address
		}
		keys[e] = gotOrder(l.placedCategory(t.sec))
		if t.sec.stubSlot != 0 {
			keys[e] = gotOrder(catExternal) // the runtime's function, as dev sorts it
		}
	}
	sort.SliceStable(l.got, func(i, j int) bool { return keys[l.got[i]] < keys[l.got[j]] })
	w := uint64(l.arch.Word())
	for i, e := range l.got {
		e.off = uint64(i) * w
		l.putWord(l.text, l.gotSec.addr+e.off, e.value)
		if e.reloc {
			l.relocs = append(l.relocs, mpy.Reloc{Addr: l.gotSec.addr + e.off, Kind: e.kind})
		}
		l.logf(2, "  %08x %s -> %s", e.off, e.name, l.describe(e.sym.target()))
	}
	if l.litSec != nil {
		for i, v := range l.lit {
			binary.LittleEndian.PutUint32(l.text[l.litSec.addr+uint64(i)*4:], v)
		}
	}
}

func (l *linker) describe(t *symbol) string {
	if t.fixed || t.sec == nil {
		return fmt.Sprintf(".external.fixed_addr+%08x", t.addr)
	}
	return fmt.Sprintf("%s+%08x", t.sec.name, t.sec.addr+t.Value)
}

func (l *linker) putWord(buf []byte, at, v uint64) {
	if l.arch.Word() == 8 {
		binary.LittleEndian.PutUint64(buf[at:], v)
	} else {
		binary.LittleEndian.PutUint32(buf[at:], uint32(v))
	}
}

// gotOffset returns G for the GOT entry of s, or an error naming the relocation.
func (l *linker) gotOffset(sec *section, r elfobj.Reloc) (int64, error) {
	s := sec.obj.syms[r.Sym]
	e, ok := l.gotByName[s.Name]
	if !ok || !s.global() {
		return 0, l.relocError(sec, r, "GOT reference to a local symbol, which has no GOT entry")
	}
	return int64(e.off), nil
}
