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

// runtimeHelper matches the compiler's runtime helpers (libgcc) by name: the
// operation, then the machine modes of its operands, then mostly their
// count (__udivsi3, __floatsisf, __extendsfdf2, __umoddi3).
var runtimeHelper = lazyRegexp(`^__[a-z]+(qi|hi|si|di|ti|sf|df|tf|xf|sc|dc)[0-9]?$`)

// isRuntimeHelper says whether name is a compiler runtime helper: one of
// libgcc's by-mode family, ARM's __aeabi_* and __gnu_* (__gnu_thumb1_case_uqi
// for switch tables), RISC-V's -msave-restore routines.
func isRuntimeHelper(name string) bool {
	for _, p := range []string{"__aeabi_", "__gnu_", "__riscv_save_", "__riscv_restore_"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return runtimeHelper().MatchString(name)
}

// undefinedRemedy suggests a fix for an undefined symbol.
func (l *linker) undefinedRemedy(name string) string {
	if r, ok := remedies[name]; ok {
		return r
	}
	lx106 := l.arch.Name == "xtensa"
	switch {
	case isRuntimeHelper(name) && lx106 && l.cfg.LinkRuntime:
		return "a compiler runtime helper that Debian's lx106 libgcc.a lacks: on the ESP8266 it lives in ROM, so link with --externs and the ROM's linker script (natmod MPY_EXTERN_SYM_FILE=$(MPY_DIR)/ports/esp8266/boards/eagle.rom.addr.v6.ld)"
	case isRuntimeHelper(name) && l.cfg.LinkRuntime:
		return "a compiler runtime helper that the linked libgcc.a does not define: check that the compiler and its flags are those of the arch"
	case isRuntimeHelper(name) && lx106:
		return "a compiler runtime helper: add -l with the toolchain's libgcc.a (natmod LINK_RUNTIME=1), or, for those Debian's lx106 libgcc.a lacks, --externs with the ESP8266 ROM's linker script (MPY_EXTERN_SYM_FILE)"
	case isRuntimeHelper(name):
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
		case l.slotSymbol(s):
		case firstWith(name) != "":
			l.errs.addf("%s: undefined symbol %q: %s has no %s in mp_fun_table; it needs MicroPython %s or later: build against a newer MicroPython tree, or do without it",
				s.obj.name, name, l.target, name, firstWith(name))
		default:
			l.errs.add(fmt.Errorf("%s: undefined symbol %q: %s", s.obj.name, name, l.undefinedRemedy(name)))
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
