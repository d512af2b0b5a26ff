// This file implements the link's account: where every section, named
// function and variable landed, what each variable costs, the GOT entries,
// and what --gc-sections dropped.

package linker

import (
	"debug/elf"
	"sort"
)

// Def is a named function or variable and where it landed.
type Def struct {
	Placed         // Name is the symbol; Addr its offset (for Thumb functions without the Thumb bit)
	Section string // the section that holds it
	Kind    string // "func", "object" or "notype"
	Bind    string // "local", "global" or "weak"
	// Resolved marks the definition that references to a global Name
	// resolve to (a weak one another object overrides is not).
	Resolved bool
	// Writable marks a variable of writable data, or of bss placed in
	// text; FileBytes of its Size bytes are stored in the .mpy (initial
	// values, or the zeros of bss placed in text).
	Writable  bool
	FileBytes uint64
	// Unscanned names the ports whose GC does not scan a writable
	// variable's memory (text there), so that a heap object kept only in
	// it is freed (data.go, README's table); empty where every port scans it.
	Unscanned string
}

// GOTSlot is one GOT entry.
type GOTSlot struct {
	Name string // the symbol, or for an Xtensa section literal "object:section+offset"
	Addr uint64 // text offset of the word
	Kind string // what the loader adds to the word (see mpy.RelocKind), or "fixed" for a final address
}

var bufferOrder = map[string]int{"text": 0, "rodata": 1, "bss": 2}

// account fills in where everything of the link landed.
func (l *linker) account(res *Result) {
	res.EntrySize, res.Dropped = l.entryLen, l.dropped
	laid := map[*section]bool{}
	for _, s := range l.sections {
		laid[s] = true
		res.Sections = append(res.Sections, l.placed(s, s.name, 0, s.size))
	}
	add := func(s *symbol, obj string) { res.Defs = append(res.Defs, l.def(s, obj)) }
	for _, o := range l.objs {
		for _, s := range o.syms {
			if s.sec != nil && s.sec.obj == o && laid[s.sec] && mapSymbol(s) {
				add(s, o.name)
			}
		}
	}
	// memset, memmove, memcpy and the ARM run-time ABI's forms, where
	// mpyld provides them (stubs.go).
	var stubs []string
	for name, s := range l.globals {
		if s.sec != nil && s.sec.stub != nil && laid[s.sec] {
			stubs = append(stubs, name)
		}
	}
	sort.Strings(stubs)
	for _, name := range stubs {
		add(l.globals[name], "")
	}
	sort.SliceStable(res.Defs, func(i, j int) bool {
		a, b := res.Defs[i], res.Defs[j]
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
		res.GOT = append(res.GOT, GOTSlot{Name: e.name, Addr: l.gotSec.addr + e.off, Kind: kind})
	}
}

// Symbol returns the definition that references to global name resolve to.
func (r *Result) Symbol(name string) (Def, bool) {
	for _, d := range r.Defs {
		if d.Name == name && d.Resolved {
			return d, true
		}
	}
	return Def{}, false
}

// Variables returns the writable variables, text before bss, by address.
func (r *Result) Variables() []Def {
	var vars []Def
	for _, d := range r.Defs {
		if d.Writable {
			vars = append(vars, d)
		}
	}
	return vars
}

// UnscannedNote is what -v adds to a variable's line: "" or "; not
// scanned by the GC on ...".
func (d Def) UnscannedNote() string {
	if d.Unscanned == "" {
		return ""
	}
	return "; not scanned by the GC on " + d.Unscanned + ": a heap object kept only here is freed there (make the variable non-static, which puts it in bss behind the GOT, or keep the object with mp_store_global)"
}

// def describes symbol s of object obj.
func (l *linker) def(s *symbol, obj string) Def {
	d := Def{Placed: l.placed(s.sec, s.Name, s.Value, s.Size), Section: s.sec.name, Kind: "notype", Bind: "global"}
	d.Object = obj
	d.Resolved = s.global() && l.globals[s.Name] == s
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
		sec := s.sec
		if (sec.cat == catData || sec.inText) && s.Name[0] != '.' {
			d.Writable, d.FileBytes = true, s.Size
			if d.Buffer == "text" {
				d.Unscanned = l.unscannedPorts()
			}
		}
	}
	switch s.Bind {
	case elf.STB_LOCAL:
		d.Bind = "local"
	case elf.STB_WEAK:
		d.Bind = "weak"
	}
	return d
}
