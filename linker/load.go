// This file implements loading objects: section selection and symbol tables (spec §3.2).

package linker

import (
	"debug/elf"
	"fmt"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
)

// category is what a section holds; it decides the output buffer, the GOT
// order and the runtime relocation kind of pointers into it.
type category int

const (
	catOther    category = iota // GOT, LIT
	catExternal                 // runtime-provided tables and objects
	catText
	catRodata
	catData // initialised writable data (data.go)
	catBSS
)

type section struct {
	name      string
	obj       *object
	data      []byte // contents; nil for bss, which is only a size
	size      uint64
	align     uint64
	addr      uint64
	cat       category
	literal   bool // Xtensa .literal*: split into GOT and LIT, not laid out
	dataRelRo bool // pointers in it are runtime relocations (spec §3.11)
	relocs    []elfobj.Reloc
	relName   string
	inRodata  bool // placed in the separate rodata buffer (xtensawin)
	inText    bool // bss reached at a fixed distance from code: zeros in text (data.go)
	stubSlot  int  // for .internal.* stubs: the mp_fun_table slot they jump through
	stub      *stub
}

type object struct {
	name string
	f    *elfobj.File
	secs map[int]*section // by ELF section index
	syms []*symbol        // by symbol table index
}

type symbol struct {
	elfobj.Symbol
	obj      *object
	sec      *section // defining section, or a pseudo-section for runtime symbols
	def      *symbol  // the definition an undefined or overridden symbol resolves to
	funIndex int      // mp_fun_table slot, for catExternal fun-table symbols
	fixed    bool     // address given by --externs
	addr     uint64   // that address
}

func (s *symbol) global() bool { return s.Bind == elf.STB_GLOBAL || s.Bind == elf.STB_WEAK }

// target follows a symbol to the definition it stands for.
func (s *symbol) target() *symbol {
	if s.def != nil {
		return s.def
	}
	return s
}

// sectionCategory classifies an input section by name; ok is false for
// sections that are not linked. .srodata/.sdata/.sbss are picolibc's
// small-data forms of .rodata/.data/.bss, which v1.28 drops.
func sectionCategory(name string) (cat category, literal, ok bool) {
	switch {
	case strings.HasPrefix(name, ".literal"):
		return catText, true, true
	case strings.HasPrefix(name, ".text"):
		return catText, false, true
	case strings.HasPrefix(name, ".rodata"), isDataRelRo(name), strings.HasPrefix(name, ".srodata"), strings.HasPrefix(name, ".lrodata"):
		return catRodata, false, true
	case strings.HasPrefix(name, ".bss"), strings.HasPrefix(name, ".sbss"), strings.HasPrefix(name, ".lbss"):
		return catBSS, false, true
	case strings.HasPrefix(name, ".data"), strings.HasPrefix(name, ".sdata"), strings.HasPrefix(name, ".ldata"):
		return catData, false, true
	}
	return catOther, false, false
}

// isDataRelRo reports whether a section holds constant data with pointers:
// .data.rel.ro, or .ldata.rel.ro of x64's medium code model (the "large"
// .lrodata, .ldata and .lbss are the other sections of that model).
func isDataRelRo(name string) bool {
	return strings.HasPrefix(name, ".data.rel.ro") || strings.HasPrefix(name, ".ldata.rel.ro")
}

// load adds one object's sections and symbols.
func (l *linker) load(f *elfobj.File) error {
	a := l.arch
	if f.Machine != a.Machine {
		hint := ""
		if names := ArchForMachine(f.Machine, f.Class); len(names) > 0 {
			hint = fmt.Sprintf(" (it is for %s)", strings.Join(names, "/"))
		}
		return fmt.Errorf("%s: object is %v but --arch %s wants %v%s: rebuild it for %s", f.Name, f.Machine, a.Name, a.Machine, hint, a.Name)
	}
	if f.Class != a.Class {
		return fmt.Errorf("%s: object is %v but --arch %s wants %v: rebuild it for %s (or use --arch %s)", f.Name, f.Class, a.Name, a.Class, a.Name, strings.Join(ArchForMachine(f.Machine, f.Class), "/"))
	}
	if a.ISA == ISAARM {
		if err := armModeError(f, a); err != nil {
			return err
		}
	}
	o := &object{name: f.Name, f: f, secs: map[int]*section{}}
	for _, s := range f.Sections {
		switch s.Type {
		case elf.SHT_PROGBITS, elf.SHT_NOBITS:
			if s.Size == 0 {
				continue
			}
			cat, literal, ok := sectionCategory(s.Name)
			if ok && cat == catData && l.cfg.NoData {
				l.errs.add(dataError(o, s))
				continue
			}
			if !ok {
				if strings.HasPrefix(s.Name, ".tdata") || strings.HasPrefix(s.Name, ".tbss") {
					l.errs.addf("%s: %s: thread-local storage is not supported in native modules", f.Name, s.Name)
				}
				continue
			}
			if s.Addr != 0 {
				return fmt.Errorf("%s: %s: section address %#x is not 0: not a relocatable object?", f.Name, s.Name, s.Addr)
			}
			var data []byte
			if s.Type == elf.SHT_NOBITS && cat != catBSS {
				return fmt.Errorf("%s: %s: code or constant data cannot be SHT_NOBITS: corrupt object?", f.Name, s.Name)
			}
			if cat != catBSS {
				d, err := f.Data(s)
				if err != nil {
					return err
				}
				data = append([]byte(nil), d...)
			} else if s.Size > elfobj.MaxNOBITS {
				return fmt.Errorf("%s: %s: %d bytes of bss is more than any board has", f.Name, s.Name, s.Size)
			}
			align := s.Addralign
			if align == 0 {
				align = 1
			}
			if align&(align-1) != 0 || align > 1<<16 {
				return fmt.Errorf("%s: %s: alignment %d is not a power of two up to 65536", f.Name, s.Name, s.Addralign)
			}
			sec := &section{name: s.Name, obj: o, data: data, size: s.Size,
				align: align, cat: cat, literal: literal, dataRelRo: isDataRelRo(s.Name)}
			o.secs[s.Index] = sec
			if literal {
				if a.ISA != ISAXtensa {
					return fmt.Errorf("%s: %s: literal pools are Xtensa sections, but --arch is %s", f.Name, s.Name, a.Name)
				}
				l.literals = append(l.literals, sec)
			} else {
				l.sections = append(l.sections, sec)
			}
		case elf.SHT_REL, elf.SHT_RELA:
			target, ok := o.secs[int(s.Info)]
			if !ok {
				continue
			}
			relocs, err := f.Relocs(s)
			if err != nil {
				return err
			}
			for _, r := range relocs {
				if r.Off >= target.size {
					return fmt.Errorf("%s: %s+%#x: %s: offset is past the end of the %d-byte section", f.Name, target.name, r.Off, elfobj.RelocName(f.Machine, r.Type), target.size)
				}
			}
			target.relocs, target.relName = relocs, s.Name
		}
	}
	o.syms = make([]*symbol, len(f.Symbols))
	for i, es := range f.Symbols {
		s := &symbol{Symbol: es, obj: o, funIndex: -1}
		o.syms[i] = s
		if sec, ok := o.secs[int(es.Shndx)]; ok && es.Shndx != elf.SHN_UNDEF {
			s.sec = sec
			if s.global() {
				l.define(s)
			}
		} else if es.Shndx == elf.SHN_UNDEF && s.global() && es.Name != "" {
			l.unresolved = append(l.unresolved, s)
		} else if es.Shndx == elf.SHN_COMMON {
			l.errs.addf("%s: symbol %q is a common symbol: compile with -fno-common", f.Name, es.Name)
		}
	}
	l.objs = append(l.objs, o)
	return nil
}

// define records a global definition. A strong definition overrides a weak
// one; two strong ones are duplicates (except GCC's identical x86 PC thunks).
func (l *linker) define(s *symbol) {
	prev, ok := l.globals[s.Name]
	if !ok {
		l.globals[s.Name] = s
		return
	}
	switch {
	case strings.HasPrefix(s.Name, "__x86.get_pc_thunk."):
		l.globals[s.Name] = s
	case s.Bind == elf.STB_WEAK:
		s.def = prev
	case prev.Bind == elf.STB_WEAK:
		prev.def = s
		l.globals[s.Name] = s
	default:
		l.errs.addf("%s: duplicate symbol %q: also defined in %s: make one of them static, or remove one", s.obj.name, s.Name, prev.obj.name)
	}
}

// dataError explains a non-empty writable data section, naming its variables.
func dataError(o *object, s *elfobj.Section) error {
	var vars []string
	for _, sym := range o.f.Symbols {
		if int(sym.Shndx) == s.Index && (sym.Type == elf.STT_OBJECT) && sym.Name != "" {
			vars = append(vars, fmt.Sprintf("%q", sym.Name))
		}
	}
	what := ""
	if len(vars) > 0 {
		what = " (" + strings.Join(vars, ", ") + ")"
	}
	return fmt.Errorf("%s: %s: %d bytes of initialised writable data%s: refused with --no-data (the reference linker's rule); make the variable const, or zero-initialised (bss) and set it in mpy_init, or link without --no-data", o.name, s.Name, s.Size, what)
}
