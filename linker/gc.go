// This file implements --gc-sections: after resolution, only the sections
// that mpy_init reaches through relocations are laid out.

package linker

import (
	"debug/elf"
	"fmt"
	"sort"
	"strings"
)

// Dropped is a section that --gc-sections left out of the module.
type Dropped struct {
	Object  string // file, or "archive:member"
	Name    string // section name
	Buffer  string // where it would have gone: "text", "rodata", "bss"; "literal" for an Xtensa literal pool
	Size    uint64 // bytes it would have taken, before alignment
	Symbols []Def  // the named functions and variables in it; Addr is their offset inside the section
	Reason  string // why nothing kept it
}

// refs lists the sections that the relocations of sec reach, following
// undefined and overridden symbols to their definitions. Runtime tables,
// fixed addresses and weak undefined references reach no section.
func (l *linker) refs(sec *section) []*section {
	if sec.obj == nil {
		return nil // a stub: its words are filled at load time
	}
	var out []*section
	seen := map[*section]bool{}
	for _, r := range sec.relocs {
		if int(r.Sym) >= len(sec.obj.syms) {
			continue
		}
		t := sec.obj.syms[r.Sym].target()
		if t.sec == nil || t.sec.cat == catExternal || seen[t.sec] {
			continue
		}
		seen[t.sec] = true
		out = append(out, t.sec)
	}
	return out
}

// literalPools maps each text section to the literal pool GCC wrote for it
// (.literal.f beside .text.f, .literal beside .text), on Xtensa.
func (l *linker) literalPools() map[*section]*section {
	if len(l.literals) == 0 {
		return nil
	}
	type key struct {
		obj    *object
		suffix string
	}
	pools := map[key]*section{}
	for _, ls := range l.literals {
		pools[key{ls.obj, strings.TrimPrefix(ls.name, ".literal")}] = ls
	}
	m := map[*section]*section{}
	for _, s := range l.sections {
		if s.obj != nil && s.cat == catText && strings.HasPrefix(s.name, ".text") {
			if ls, ok := pools[key{s.obj, strings.TrimPrefix(s.name, ".text")}]; ok {
				m[s] = ls
			}
		}
	}
	return m
}

// gcSections keeps the sections reachable from mpy_init's section: through
// every relocation of a kept section (code, constant data and Xtensa literal
// pools alike, so that what is reached only from data, through the GOT or
// through a literal stays), and an Xtensa text section keeps its literal
// pool. The rest is dropped before the GOT is built, so it costs neither
// bytes nor GOT entries. Stubs stay only when a kept section calls them.
func (l *linker) gcSections() {
	init := l.globals["mpy_init"]
	if init == nil || init.sec == nil {
		return // resolve has reported it
	}
	pools := l.literalPools()
	kept := map[*section]bool{init.sec: true}
	queue := []*section{init.sec}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		next := l.refs(s)
		if ls := pools[s]; ls != nil {
			next = append(next, ls)
		}
		for _, t := range next {
			if !kept[t] {
				kept[t] = true
				queue = append(queue, t)
			}
		}
	}

	// Who refers to each section, to say why a dropped one stayed unreached.
	all := append(append([]*section(nil), l.sections...), l.literals...)
	referrers := map[*section][]*section{}
	for _, s := range all {
		for _, t := range l.refs(s) {
			if t != s {
				referrers[t] = append(referrers[t], s)
			}
		}
	}
	for s, ls := range pools {
		referrers[ls] = append(referrers[ls], s)
	}

	symsOf := map[*section][]*symbol{}
	for _, o := range l.objs {
		for _, sym := range o.syms {
			if sym.sec != nil && sym.sec.obj == o {
				symsOf[sym.sec] = append(symsOf[sym.sec], sym)
			}
		}
	}
	var sections, literals []*section
	var dropped uint64
	l.gone = map[*section]bool{}
	for _, s := range all {
		if kept[s] {
			if s.literal {
				literals = append(literals, s)
			} else {
				sections = append(sections, s)
			}
			continue
		}
		d := Dropped{Name: s.name, Buffer: l.bufferName(s), Size: s.size, Reason: l.dropReason(s, symsOf[s], referrers[s])}
		if s.obj != nil {
			d.Object = s.obj.name
			for _, sym := range symsOf[s] {
				if mapSymbol(sym) {
					d.Symbols = append(d.Symbols, l.def(sym, s.obj.name))
				}
			}
		} else if sym := l.globals[strings.TrimPrefix(s.name, ".internal.")]; s.stub != nil && sym != nil {
			d.Symbols = []Def{l.def(sym, "")}
		}
		l.dropped = append(l.dropped, d)
		l.gone[s] = true
		dropped += s.size
		l.logf(2, "gc: dropping %s:%s (%d bytes): %s", d.Object, d.Name, d.Size, d.Reason)
	}
	l.sections, l.literals = sections, literals
	l.logf(1, "gc-sections: dropped %d sections, %d bytes", len(l.dropped), dropped)
}

// dropReason says why nothing kept s, which defines syms and which the
// sections from refer to.
func (l *linker) dropReason(s *section, syms []*symbol, from []*section) string {
	for _, sym := range syms {
		if sym.def != nil && sym.def != sym && sym.def.obj != nil {
			return fmt.Sprintf("weak %q is overridden by the definition in %s", sym.Name, sym.def.obj.name)
		}
	}
	if s.stub != nil {
		return "only dropped sections call " + strings.TrimPrefix(s.name, ".internal.")
	}
	if len(from) == 0 {
		return "nothing refers to it"
	}
	names := make([]string, 0, len(from))
	for _, f := range from {
		n := f.name
		if f.obj != nil && (s.obj == nil || f.obj != s.obj) {
			n = f.obj.name + ":" + n
		}
		names = append(names, n)
	}
	sort.Strings(names)
	const show = 3
	more := ""
	if len(names) > show {
		more = fmt.Sprintf(" and %d more", len(names)-show)
		names = names[:show]
	}
	return "only dropped sections refer to it: " + strings.Join(names, ", ") + more
}

// bufferName is the output buffer a section goes (or would go) to.
func (l *linker) bufferName(s *section) string {
	switch {
	case s.literal:
		return "literal"
	case s.cat == catRodata && l.arch.SeparateRodata:
		return "rodata"
	case s.cat == catBSS, s.cat == catData && !l.dataInText():
		return "bss"
	}
	return "text"
}

// mapSymbol reports whether a symbol names a function or variable worth
// listing: not a section or file symbol, not an assembler label (.L*, and
// ARM's $a/$t/$d mapping symbols).
func mapSymbol(s *symbol) bool {
	if s.Name == "" || strings.HasPrefix(s.Name, ".L") || strings.HasPrefix(s.Name, "$") {
		return false
	}
	switch s.Type {
	case elf.STT_FUNC, elf.STT_OBJECT:
		return true
	case elf.STT_NOTYPE:
		return s.global()
	}
	return false
}
