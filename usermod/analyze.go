// This file implements comparing the two compiles of a source, whose bare
// native qstrs in static data hold placeholders that differ in every bit:
// the bytes that differ locate the qstr fields, and code must not differ.

package usermod

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker"
)

// Analysis is what one compiled source holds.
type Analysis struct {
	Fields  []linker.SlotField // bare qstrs in data
	Slots   int                // slots in all: fields and relocated words
	Objects []string           // runtime objects its data points to
	Modules []string           // modules it registers
}

// LeakError is a placeholder that reached code: GCC folded a read of
// constant data that holds a bare qstr. Func and Offset say where.
type LeakError struct {
	Object, Section, Func string
	Offset                uint64
	Line                  string // "file.c:12", when known
}

func (e *LeakError) Error() string {
	where := fmt.Sprintf("%s: %s+%#x", e.Object, e.Section, e.Offset)
	if e.Func != "" {
		where += fmt.Sprintf(" (in %s)", e.Func)
	}
	if e.Line != "" {
		where = e.Line + ": " + where
	}
	return where + ": the compiler folded a read of a qstr held in constant data into code, where mpy_init cannot fill it in: read the qstr at run time (MP_QSTR_x in the code itself, or a table that is not const), or build it into firmware"
}

// Analyze compares object a (compiled with MPYLD_QX=0, the one linked) with
// b (MPYLD_QX=0xffff). qstrSyms and objects are the slot symbols (Qstrs,
// Objects); native maps placeholder indices to native qstrs.
func Analyze(name string, a, b []byte, qstrSyms map[string]uint32, objects map[string]uint32, native map[int]string) (*Analysis, error) {
	fa, err := elfobj.Parse(name, a)
	if err != nil {
		return nil, err
	}
	fb, err := elfobj.Parse(name, b)
	if err != nil {
		return nil, err
	}
	if len(fa.Sections) != len(fb.Sections) {
		// The code of some function changed shape: name the first one.
		sizes := map[string]uint64{}
		for _, sb := range fb.Sections {
			sizes[sb.Name] = sb.Size
		}
		for _, sa := range fa.Sections {
			if size, ok := sizes[sa.Name]; sa.Flags&elf.SHF_EXECINSTR != 0 && (!ok || size != sa.Size) {
				return nil, &LeakError{Object: name, Section: sa.Name, Func: funcAt(fa, sa.Index, 0)}
			}
		}
		return nil, &LeakError{Object: name, Section: "(sections)"}
	}
	res := &Analysis{}
	word := 4
	if fa.Class == elf.ELFCLASS64 {
		word = 8
	}
	usedObj := map[string]bool{}
	for i, sa := range fa.Sections {
		sb := fb.Sections[i]
		if sa.Flags&elf.SHF_EXECINSTR != 0 && sa.Name == sb.Name && sa.Size != sb.Size {
			da, _ := fa.Data(sa)
			db, _ := fb.Data(sb)
			off := uint64(max(firstDiff(da, db), 0))
			return nil, &LeakError{Object: name, Section: sa.Name, Offset: off, Func: funcAt(fa, sa.Index, off)}
		}
		if sa.Name != sb.Name || sa.Size != sb.Size || sa.Type != sb.Type {
			return nil, fmt.Errorf("%s: section %d is %s (%d bytes) in one compile and %s (%d bytes) in the other: a placeholder changed what the compiler emits; %s", name, i, sa.Name, sa.Size, sb.Name, sb.Size, refuseRemedy)
		}
		if sa.Type == elf.SHT_NOBITS || sa.Type == elf.SHT_NULL {
			continue
		}
		da, err := fa.Data(sa)
		if err != nil {
			return nil, err
		}
		db, err := fb.Data(sb)
		if err != nil {
			return nil, err
		}
		code := sa.Flags&elf.SHF_EXECINSTR != 0
		if sa.Type == elf.SHT_REL || sa.Type == elf.SHT_RELA {
			if int(sa.Info) < len(fa.Sections) && fa.Sections[sa.Info].Flags&elf.SHF_EXECINSTR != 0 {
				code = true
			}
		}
		if sa.Flags&elf.SHF_ALLOC == 0 && !code && sa.Type != elf.SHT_REL && sa.Type != elf.SHT_RELA {
			continue // symbols, strings, debug information
		}
		if code || sa.Type == elf.SHT_REL || sa.Type == elf.SHT_RELA {
			if off := firstDiff(da, db); off >= 0 {
				sec := sa
				if sa.Type == elf.SHT_REL || sa.Type == elf.SHT_RELA {
					sec = fa.Sections[sa.Info]
					off = -1
				}
				le := &LeakError{Object: name, Section: sec.Name}
				if off >= 0 {
					le.Offset = uint64(off)
					le.Func = funcAt(fa, sec.Index, uint64(off))
				}
				return nil, le
			}
			continue
		}
		fields, err := diffFields(name, sa, da, db, word, native)
		if err != nil {
			return nil, err
		}
		res.Fields = append(res.Fields, fields...)
	}
	// Relocated slots: MP_ROM_QSTR and runtime objects in data.
	for _, rs := range fa.Sections {
		if (rs.Type != elf.SHT_REL && rs.Type != elf.SHT_RELA) || int(rs.Info) >= len(fa.Sections) {
			continue
		}
		target := fa.Sections[rs.Info]
		if target.Flags&elf.SHF_ALLOC == 0 {
			continue
		}
		relocs, err := fa.Relocs(rs)
		if err != nil {
			return nil, err
		}
		for _, r := range relocs {
			if int(r.Sym) >= len(fa.Symbols) {
				continue
			}
			s := fa.Symbols[r.Sym]
			_, isQ := qstrSyms[s.Name]
			_, isO := objects[s.Name]
			if s.Shndx != elf.SHN_UNDEF || !(isQ || isO) {
				continue
			}
			if target.Flags&elf.SHF_EXECINSTR != 0 {
				what := "code refers to " + s.Name + ", which a native module of this MicroPython has only in static data, through a slot mpy_init fills in at load time: in code use py/dynruntime.h's macro for it where the tree has one, or look it up at run time"
				if isQ {
					what = "code reaches the qstr object of MP_ROM_QSTR(" + strings.TrimPrefix(s.Name, "MPYLDQ_") + "), which mpy_init fills in at load time: MP_ROM_QSTR is only for constant tables, and code must not read such a key or value out of one; use MP_OBJ_NEW_QSTR in code"
				}
				in := ""
				if fn := funcAt(fa, target.Index, r.Off); fn != "" {
					in = " (in " + fn + ")"
				}
				return nil, fmt.Errorf("%s: %s+%#x%s: %s; %s", name, target.Name, r.Off, in, what, refuseRemedy)
			}
			res.Slots++
			if isO && !usedObj[s.Name] {
				usedObj[s.Name] = true
				res.Objects = append(res.Objects, s.Name)
			}
		}
	}
	res.Slots += len(res.Fields)
	for _, s := range fa.Symbols {
		if m, ok := strings.CutPrefix(s.Name, "mpyld_module_MP_QSTR_"); ok && s.Shndx != elf.SHN_UNDEF {
			res.Modules = append(res.Modules, m)
		}
	}
	return res, nil
}

// SameCode checks that object c, compiled with another placeholder set,
// has the code of object a (the one linked): a LeakError says where not.
func SameCode(name string, a, c []byte) error {
	fa, err := elfobj.Parse(name, a)
	if err != nil {
		return err
	}
	fc, err := elfobj.Parse(name, c)
	if err != nil {
		return err
	}
	if len(fa.Sections) != len(fc.Sections) {
		return &LeakError{Object: name, Section: "(sections)"}
	}
	for i, sa := range fa.Sections {
		sc := fc.Sections[i]
		code := sa.Flags&elf.SHF_EXECINSTR != 0
		if (sa.Type == elf.SHT_REL || sa.Type == elf.SHT_RELA) && int(sa.Info) < len(fa.Sections) {
			code = fa.Sections[sa.Info].Flags&elf.SHF_EXECINSTR != 0
		}
		if !code || sa.Type == elf.SHT_NOBITS {
			continue
		}
		da, err := fa.Data(sa)
		if err != nil {
			return err
		}
		dc, err := fc.Data(sc)
		if err != nil {
			return err
		}
		if off := firstDiff(da, dc); off >= 0 || sa.Name != sc.Name {
			sec := sa
			if sa.Type == elf.SHT_REL || sa.Type == elf.SHT_RELA {
				sec, off = fa.Sections[sa.Info], 0
			}
			off = max(off, 0)
			return &LeakError{Object: name, Section: sec.Name, Offset: uint64(off), Func: funcAt(fa, sec.Index, uint64(off))}
		}
	}
	return nil
}

const refuseRemedy = "mpyld cannot translate this safely; change the source as said, or build it into firmware"

func firstDiff(a, b []byte) int {
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	if len(b) > len(a) {
		return len(a)
	}
	return -1
}

// FuncAt names the function symbol covering off in section idx of f (for
// an Xtensa literal pool .literal.f, the function f), else the variable,
// or "".
func FuncAt(f *elfobj.File, idx int, off uint64) string {
	if fn := funcAt(f, idx, off); fn != "" {
		return fn
	}
	for _, s := range f.Symbols {
		if int(s.Shndx) == idx && s.Type == elf.STT_OBJECT && off >= s.Value && off < s.Value+max(s.Size, 1) {
			return s.Name
		}
	}
	return ""
}

func funcAt(f *elfobj.File, idx int, off uint64) string {
	best := ""
	if idx < len(f.Sections) {
		best, _ = strings.CutPrefix(f.Sections[idx].Name, ".literal.")
		if best == f.Sections[idx].Name {
			best = ""
		}
	}
	for _, s := range f.Symbols {
		v := s.Value
		if f.Machine == elf.EM_ARM {
			v &^= 1 // the Thumb bit
		}
		if int(s.Shndx) == idx && s.Type == elf.STT_FUNC && off >= v && off < v+max(s.Size, 1) {
			best = s.Name
		}
	}
	return best
}

// diffFields decodes the bytes that differ between the two compiles of a
// data section: each must be a native qstr placeholder (0x4000+N against
// its complement) in a 16-bit field, or in a word whose other bytes are
// zero in both.
func diffFields(name string, sec *elfobj.Section, a, b []byte, word int, native map[int]string) ([]linker.SlotField, error) {
	var out []linker.SlotField
	le := binary.LittleEndian
	for i := 0; i < len(a); i++ {
		if a[i] == b[i] {
			continue
		}
		bad := func(why string) error {
			return fmt.Errorf("%s: %s+%#x: data that differs between the two placeholder compiles cannot be decoded (%s): a bare qstr in static data is used in an expression, not stored as it is; %s", name, sec.Name, i, why, refuseRemedy)
		}
		if i%2 != 0 || i+2 > len(a) {
			return nil, bad("not a 16-bit field")
		}
		va, vb := le.Uint16(a[i:]), le.Uint16(b[i:])
		n := int(va) - placeholderBase
		if va^vb != 0xffff || native[n] == "" {
			return nil, bad(fmt.Sprintf("%#04x and %#04x", va, vb))
		}
		size := 2
		if i%word == 0 && i+word <= len(a) {
			zero := true
			for k := i + 2; k < i+word; k++ {
				if a[k] != 0 || b[k] != 0 {
					zero = false
				}
			}
			if zero {
				size = word
			}
		}
		out = append(out, linker.SlotField{Object: name, Section: sec.Index, Offset: uint64(i), Size: size, Qstr: uint32(n)})
		i += size - 1
	}
	return out, nil
}
