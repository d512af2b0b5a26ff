// This file implements the slot table of modules written in MicroPython's
// core/user C module style (package usermod): words in constant data that
// only the module's init can fill, because their values exist only at load
// time (qstr objects, bare qstrs, runtime objects mp_fun_table lacks). The
// linker finds each slot, leaves zero (or the placeholder) in it, and writes
// a table the generated mpy_init walks.

package linker

import (
	"fmt"

	"github.com/mpyld/mpyld/elfobj"
)

// Slots asks the linker to build a slot table.
type Slots struct {
	// Table is the variable (defined by the generated init, writable, at
	// least 8*(slots+1) bytes) that receives the table: per slot an int32,
	// the slot's address minus the table's, and a uint32, kind<<24|value;
	// a zero word ends it.
	Table string
	// Qstrs maps the symbols whose address stands for a qstr object
	// (MPYLDQ_MP_QSTR_x) to the qstr's value (SlotQstr...).
	Qstrs map[string]uint32
	// Objects maps runtime objects that mp_fun_table lacks to their index
	// in the init's list.
	Objects map[string]uint32
	// Fields are the bare qstrs in data, found by comparing two compiles.
	Fields []SlotField
	// KeepsBSS says that the init keeps the block of rodata and bss alive
	// (where the firmware does not: Xtensa before v1.24), from the offset
	// the table's end entry gives: the block's start minus the table's.
	KeepsBSS bool
}

// SlotField is a qstr value in data: Size bytes at Offset of section
// Section (an ELF section index) of object Object.
type SlotField struct {
	Object  string
	Section int
	Offset  uint64
	Size    int
	Qstr    uint32
}

// Slot kinds, as the generated mpy_init reads them.
const (
	SlotQstrObject = 1 // a word: MP_OBJ_NEW_QSTR(q)
	SlotQstr16     = 2 // a 16-bit qstr
	SlotQstrWord   = 3 // a word-sized qstr
	SlotObject     = 4 // a word: the address of runtime object number value
	// SlotStatic marks a value that is a static qstr id; without it the
	// value indexes mp_native_qstr_table.
	SlotStatic = 0x800000
	// SlotObjTable marks the index of a qstr object in
	// mp_native_obj_table (v1.20), for SlotQstrObject.
	SlotObjTable = 0x400000
)

// extSlot is the pseudo-section of symbols filled by the init.
const extSlot = ".external.slot"

type slot struct {
	sec   *section
	off   uint64
	kind  uint32
	value uint32
	what  string
}

// slotSymbol resolves an undefined symbol that names a slot.
func (l *linker) slotSymbol(s *symbol) bool {
	sl := l.cfg.Slots
	if sl == nil {
		return false
	}
	_, q := sl.Qstrs[s.Name]
	_, o := sl.Objects[s.Name]
	if q || o {
		s.sec = l.pseudoSection(extSlot)
	}
	return q || o
}

// prepareSlots finds every slot before layout. On Xtensa, text is in IRAM
// or flash, where byte and 16-bit stores fault, so every section holding a
// slot becomes writable data (placed in bss and copied there at start-up),
// like the table itself. Where writable data lives in the bss block on
// other arches (decideData: x86, x64 and rv32imc, so that the GC scans it),
// the sections holding slots go there too, because the init finds each slot
// at an offset from the table; whether data may stay there is then decided
// again with them counted (x64 code that reaches them PC-relative keeps
// both in text, or is compiled again with the medium code model).
func (l *linker) prepareSlots() {
	sl := l.cfg.Slots
	if sl == nil {
		return
	}
	moved := false
	mark := func(sec *section) {
		if (l.arch.ISA == ISAXtensa || l.dataInBSS) && sec.cat == catRodata {
			sec.cat = catData
			moved = true
		}
	}
	defer func() {
		if moved && l.arch.ISA != ISAXtensa {
			l.decideData()
		}
	}()
	for _, sec := range l.sections {
		if sec.obj == nil || l.gone[sec] {
			continue
		}
		for _, r := range sec.relocs {
			t := sec.obj.syms[r.Sym].target()
			if t.sec == nil || t.sec.name != extSlot {
				continue
			}
			if sec.cat == catText && !sec.dataRelRo {
				l.errs.add(l.relocError(sec, r, "code refers to a slot that mpy_init fills at load time: read it through the object that holds it, not by its address"))
				continue
			}
			kind, value := uint32(SlotQstrObject), sl.Qstrs[t.Name]
			if v, ok := sl.Objects[t.Name]; ok {
				kind, value = SlotObject, v
			}
			l.slots = append(l.slots, slot{sec: sec, off: r.Off, kind: kind, value: value, what: t.Name})
			mark(sec)
		}
	}
	for _, f := range sl.Fields {
		sec := l.sectionOf(f.Object, f.Section)
		if sec == nil {
			if l.gcDropped(f.Object, f.Section) {
				continue
			}
			l.errs.addf("%s: section %d: no such linked section holds the qstr field at %#x", f.Object, f.Section, f.Offset)
			continue
		}
		if sec.cat == catText && !sec.dataRelRo {
			l.errs.addf("%s: %s+%#x: a qstr placeholder is in code: refused", f.Object, sec.name, f.Offset)
			continue
		}
		kind := uint32(SlotQstr16)
		if f.Size != 2 {
			kind = SlotQstrWord
		}
		l.slots = append(l.slots, slot{sec: sec, off: f.Offset, kind: kind, value: f.Qstr, what: fmt.Sprintf("qstr field (%d bytes)", f.Size)})
		mark(sec)
	}
	if t := l.globals[sl.Table]; t != nil && t.sec != nil {
		mark(t.sec)
	}
}

// sectionOf finds section index idx of the object named obj.
func (l *linker) sectionOf(obj string, idx int) *section {
	for _, o := range l.objs {
		if o.name == obj {
			if s := o.secs[idx]; s != nil && !l.gone[s] {
				return s
			}
		}
	}
	return nil
}

func (l *linker) gcDropped(obj string, idx int) bool {
	for _, o := range l.objs {
		if o.name == obj {
			if s := o.secs[idx]; s != nil && l.gone[s] {
				return true
			}
		}
	}
	return false
}

// keepsBSS says whether the init keeps the bss block alive.
func (l *linker) keepsBSS() bool { return l.cfg.Slots != nil && l.cfg.Slots.KeepsBSS }

// isSlotReloc says whether r refers to a slot symbol: the field stays zero,
// for the init to fill (fillSlots).
func (l *linker) isSlotReloc(sec *section, r elfobj.Reloc) bool {
	t := sec.obj.syms[r.Sym].target()
	return t.sec != nil && t.sec.name == extSlot
}

// runAddr is where byte off of sec is at run time, as a space (the
// buffer, or bss for Xtensa writable data) and an offset in it.
func (l *linker) runAddr(sec *section, off uint64) (string, uint64) {
	switch {
	case sec.cat == catData && !l.dataInText():
		return "bss", sec.addr + off
	case sec.inRodata:
		return "rodata", sec.addr + off
	case sec.cat == catBSS && !sec.inText:
		return "bss", l.dataSize + sec.addr + off
	}
	return "text", sec.addr + off
}

// fillSlots zeroes the relocated slots and writes the table.
func (l *linker) fillSlots() {
	sl := l.cfg.Slots
	if sl == nil {
		return
	}
	t := l.globals[sl.Table]
	if t == nil || t.sec == nil || t.sec.obj == nil {
		l.errs.addf("the slot table %q is not defined", sl.Table)
		return
	}
	need := uint64(8 * (len(l.slots) + 1))
	if t.Size < need {
		l.errs.addf("the slot table %q holds %d bytes, %d slots need %d", sl.Table, t.Size, len(l.slots), need)
		return
	}
	tspace, taddr := l.runAddr(t.sec, t.Value)
	tbuf, tp, _ := l.dataLocation(t.sec, t.Value)
	w := uint64(l.arch.Word())
	for i, s := range l.slots {
		space, addr := l.runAddr(s.sec, s.off)
		if space != tspace {
			l.errs.addf("%s: %s+%#x: slot for %s is in %s, the table in %s", s.sec.obj.name, s.sec.name, s.off, s.what, space, tspace)
			continue
		}
		if s.kind == SlotQstrObject || s.kind == SlotObject {
			buf, p, _ := l.dataLocation(s.sec, s.off)
			if p+w > uint64(len(buf)) {
				l.errs.addf("%s: %s+%#x: slot runs past the end of its buffer", s.sec.obj.name, s.sec.name, s.off)
				continue
			}
			l.putWord(buf, p, 0)
		}
		delta := int64(addr) - int64(taddr)
		le.PutUint32(tbuf[tp+uint64(8*i):], uint32(int32(delta)))
		le.PutUint32(tbuf[tp+uint64(8*i)+4:], s.kind<<24|s.value)
		l.logf(2, "slot:         %s+%#x %s", s.sec.name, s.off, s.what)
	}
	for k := uint64(8 * len(l.slots)); k < need; k++ {
		tbuf[tp+k] = 0
	}
	if tspace == "bss" {
		// The end entry: where the block of rodata and bss starts.
		head := -int64(taddr) - int64(len(l.rodata))
		le.PutUint32(tbuf[tp+uint64(8*len(l.slots)):], uint32(int32(head)))
	}
}
