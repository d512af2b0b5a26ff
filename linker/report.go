// This file implements the link report: where every named function and
// variable landed, the GOT entries, and what --gc-sections dropped.

package linker

import (
	"debug/elf"
	"sort"
)

// Report describes a linked module for link maps and size reports.
type Report struct {
	EntrySize int       // bytes of the jump to mpy_init at text offset 0
	Defs      []Def     // named functions and variables of the laid-out sections, locals included, by buffer and address
	GOT       []GOTSlot // in GOT order
	Dropped   []Dropped // sections --gc-sections left out, in load order
}

// Def is a named function or variable and where it landed.
type Def struct {
	Placed         // Name is the symbol; Addr its offset (for Thumb functions without the Thumb bit)
	Section string // the section that holds it
	Kind    string // "func", "object" or "notype"
	Bind    string // "local", "global" or "weak"
}

// GOTSlot is one GOT entry.
type GOTSlot struct {
	Name string // the symbol, or for an Xtensa section literal "object:section+offset"
	Addr uint64 // text offset of the word
	Kind string // what the loader adds to the word (see mpy.RelocKind), or "fixed" for a final address
}

var bufferOrder = map[string]int{"text": 0, "rodata": 1, "bss": 2}

func (l *linker) report() Report {
	r := Report{EntrySize: l.entryLen, Dropped: l.dropped}
	laid := map[*section]bool{}
	for _, s := range l.sections {
		laid[s] = true
	}
	add := func(s *symbol, obj string) { r.Defs = append(r.Defs, l.def(s, obj)) }
	for _, o := range l.objs {
		for _, s := range o.syms {
			if s.sec != nil && s.sec.obj == o && laid[s.sec] && mapSymbol(s) {
				add(s, o.name)
			}
		}
	}
	for _, name := range []string{"memcpy", "memmove", "memset"} {
		if s := l.globals[name]; s != nil && s.sec != nil && s.sec.stub != nil && laid[s.sec] {
			add(s, "")
		}
	}
	sort.SliceStable(r.Defs, func(i, j int) bool {
		a, b := r.Defs[i], r.Defs[j]
		if a.Buffer != b.Buffer {
			return bufferOrder[a.Buffer] < bufferOrder[b.Buffer]
		}
		return a.Addr < b.Addr
	})
	for _, e := range l.got {
		kind := "fixed"
		if e.reloc {
			kind = e.kind.String()
		}
		r.GOT = append(r.GOT, GOTSlot{Name: e.name, Addr: l.gotSec.addr + e.off, Kind: kind})
	}
	return r
}

// def describes symbol s of object obj.
func (l *linker) def(s *symbol, obj string) Def {
	d := Def{Placed: l.placed(s.sec, s.Name, s.Value, s.Size), Section: s.sec.name, Kind: "notype", Bind: "global"}
	d.Object = obj
	switch s.Type {
	case elf.STT_FUNC:
		d.Kind = "func"
		if s.sec.stub != nil {
			d.Size = s.sec.size - s.Value // the stub's code and its word
		}
		if l.arch.ISA == ISAARM {
			d.Addr &^= 1 // the Thumb bit
		}
	case elf.STT_OBJECT:
		d.Kind = "object"
	}
	switch s.Bind {
	case elf.STB_LOCAL:
		d.Bind = "local"
	case elf.STB_WEAK:
		d.Bind = "weak"
	}
	return d
}
