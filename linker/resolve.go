// This file implements symbol resolution (spec §3.5): runtime tables, object
// definitions, fixed addresses and the objects the runtime provides through
// mp_fun_table.

package linker

import (
	"debug/elf"
	"fmt"
	"sort"
	"strings"
)

// Runtime pseudo-sections, all at address 0.
const (
	extFunTable  = ".external"
	extQstrTable = ".external.qstr_table"
	extObjTable  = ".external.obj_table"
	extFunSlot   = ".external.mp_fun_table"
)

func (l *linker) pseudoSection(name string) *section {
	s, ok := l.pseudo[name]
	if !ok {
		s = &section{name: name, cat: catExternal, align: 1}
		l.pseudo[name] = s
	}
	return s
}

// remedies suggests a fix for undefined symbols that people meet often.
var remedies = map[string]string{
	"memcpy":  "memcpy is not provided by the runtime: define it in the module (forwarding to mp_fun_table.memmove_)",
	"memmove": "define memmove in the module, forwarding to mp_fun_table.memmove_",
	"memset":  "define memset in the module, forwarding to mp_fun_table.memset_",
	"strlen":  "the C library is not linked: add -l with the toolchain's libc.a, or write it",
	"printf":  "use mp_printf(&mp_plat_print, ...) from py/dynruntime.h",
	"malloc":  "use m_malloc from py/dynruntime.h",
	"free":    "use m_free from py/dynruntime.h",
}

func undefinedRemedy(name string) string {
	if r, ok := remedies[name]; ok {
		return r
	}
	switch {
	case strings.HasPrefix(name, "__aeabi_") || strings.HasPrefix(name, "__") && (strings.Contains(name, "div") || strings.Contains(name, "mod") || strings.Contains(name, "df") || strings.Contains(name, "sf") || strings.Contains(name, "di") || strings.Contains(name, "clz") || strings.Contains(name, "mul")):
		return "a compiler runtime helper: add -l with the toolchain's libgcc.a (natmod LINK_RUNTIME=1)"
	case strings.HasPrefix(name, "mp_") || strings.HasPrefix(name, "m_"):
		return "the runtime reaches native modules only through mp_fun_table: use the py/dynruntime.h API"
	}
	return "define it in one of the objects, or link the library that does"
}

// resolve binds every undefined reference (spec §3.5).
func (l *linker) resolve() {
	l.provideStubs()
	for _, s := range l.unresolved {
		name := s.Name
		switch {
		case name == "_GLOBAL_OFFSET_TABLE_":
		case name == "mp_fun_table":
			s.sec = l.pseudoSection(extFunTable)
		case name == "mp_native_qstr_table":
			s.sec = l.pseudoSection(extQstrTable)
		case name == "mp_native_obj_table":
			s.sec = l.pseudoSection(extObjTable)
		case l.globals[name] != nil:
			s.def = l.globals[name]
		case l.isExtern(name):
			s.fixed, s.addr = true, l.cfg.Externs[name]
		case l.target.funTableIndex(name) >= 0:
			s.sec = l.pseudoSection(extFunSlot)
			s.funIndex = l.target.funTableIndex(name)
		case firstWith(name) != "":
			l.errs.addf("%s: undefined symbol %q: %s has no %s in mp_fun_table; it needs MicroPython %s or later: build against a newer MicroPython tree, or do without it",
				s.obj.name, name, l.target, name, firstWith(name))
		default:
			l.errs.add(fmt.Errorf("%s: undefined symbol %q: %s", s.obj.name, name, undefinedRemedy(name)))
		}
	}
	// Weak undefined references with no definition anywhere read as address 0.
	for _, o := range l.objs {
		for _, s := range o.syms {
			if s.Shndx == elf.SHN_UNDEF && s.Bind == elf.STB_WEAK && s.Name != "" {
				if d := l.globals[s.Name]; d != nil {
					s.def = d
				} else if l.isExtern(s.Name) {
					s.fixed, s.addr = true, l.cfg.Externs[s.Name]
				} else {
					s.fixed, s.addr = true, 0
				}
			}
		}
	}
	var both []string
	for name := range l.cfg.Externs {
		if l.globals[name] != nil {
			both = append(both, name)
		}
	}
	sort.Strings(both)
	for _, name := range both {
		l.logf(1, "Symbol %s is a fixed-address symbol at %08x and is also provided from an object file", name, l.cfg.Externs[name])
	}
	if l.globals["mpy_init"] == nil {
		l.errs.addf("no definition of mpy_init: the module must define a non-static function mpy_init (see MP_DYNRUNTIME_INIT_ENTRY)")
	}
}

func (l *linker) isExtern(name string) bool {
	_, ok := l.cfg.Externs[name]
	return ok
}
