// This file implements the writer of single native modules, as mpy_ld.py emits them.

package mpy

import "fmt"

// objStr is MP_PERSISTENT_OBJ_STR, the constant-object tag of a str.
const objStr = 5

// Reloc is one runtime relocation: the word at Addr (bytes, in text or in
// rodata) gets the base of Kind added at load time.
type Reloc struct {
	InRodata bool
	Addr     uint64
	Kind     RelocKind
}

// Native is a module made of one viper raw code, as the linker produces it.
type Native struct {
	Arch       Arch
	SubVersion int // .mpy sub-version (native ABI); 0 means SubVersion
	ArchFlags  uint64
	Qstrs      []string // entry 0 is the source name
	Objs       []string // str objects (v1.20's MP_OBJ_NEW_QSTR), reached through mp_native_obj_table
	Text       []byte
	Rodata     []byte
	BSSSize    uint64
	Relocs     []Reloc
}

// Encode returns the .mpy bytes of m.
func (m *Native) Encode() ([]byte, error) {
	w := uint64(m.Arch.WordSize())
	if w == 0 {
		return nil, fmt.Errorf("native module needs an architecture")
	}
	sub := m.SubVersion
	if sub == 0 {
		sub = SubVersion
	}
	if sub < 1 || sub > 3 {
		return nil, fmt.Errorf(".mpy sub-version %d cannot be written (1 to 3)", sub)
	}
	if m.ArchFlags != 0 && sub != 3 {
		return nil, fmt.Errorf("arch flags need .mpy sub-version 3 (MicroPython v1.27 or later)")
	}
	feat := byte(m.Arch)<<2 | byte(sub)
	if m.ArchFlags != 0 {
		feat |= featureArchFlags
	}
	out := []byte{'M', Version, feat, SmallIntBits}
	if m.ArchFlags != 0 {
		out = AppendVuint(out, m.ArchFlags)
	}
	out = AppendVuint(out, uint64(len(m.Qstrs)))
	out = AppendVuint(out, uint64(len(m.Objs)))
	for _, q := range m.Qstrs {
		out = AppendQstr(out, q)
	}
	for _, o := range m.Objs {
		out = append(out, objStr)
		out = AppendVuint(out, uint64(len(o)))
		out = append(append(out, o...), 0)
	}
	out = AppendVuint(out, uint64(len(m.Text))<<3|(CodeViper-2))
	out = append(out, m.Text...)
	flags := uint64(ScopeViperReloc)
	if len(m.Rodata) > 0 {
		flags |= ScopeViperRodata
	}
	if m.BSSSize > 0 {
		flags |= ScopeViperBSS
	}
	out = AppendVuint(out, flags)
	if len(m.Rodata) > 0 {
		out = AppendVuint(out, uint64(len(m.Rodata)))
	}
	if m.BSSSize > 0 {
		out = AppendVuint(out, m.BSSSize)
	}
	out = append(out, m.Rodata...)
	out, err := AppendRelocs(out, m.Relocs, w)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AppendQstr appends one qstr-table entry: a static reference when s is one
// of the static qstrs, else its length, bytes and a NUL.
func AppendQstr(b []byte, s string) []byte {
	if id := StaticQstrID(s); id != 0 {
		return AppendVuint(b, uint64(id)<<1|1)
	}
	b = AppendVuint(b, uint64(len(s))<<1)
	b = append(b, s...)
	return append(b, 0)
}

// AppendRelocs appends the relocation stream for relocs, w bytes a word:
// consecutive entries of one kind and base at consecutive words merge into a
// run (kinds 0-2 only; larger kinds cannot be counted and stay single), every
// record carries its offset (as v1.28's writer does), and 0xFF ends the stream.
func AppendRelocs(b []byte, relocs []Reloc, w uint64) ([]byte, error) {
	type run struct {
		rodata bool
		word   uint64
		kind   RelocKind
		n      uint64
	}
	var runs []run
	for _, r := range relocs {
		if r.Addr%w != 0 {
			return nil, fmt.Errorf("relocation at %#x is not word-aligned", r.Addr)
		}
		if r.Kind < 0 || r.Kind > 126 || r.Kind > 2 && r.Kind < KindQstrTable {
			return nil, fmt.Errorf("relocation kind %d cannot be encoded", r.Kind)
		}
		word := r.Addr / w
		if n := len(runs); n > 0 {
			last := &runs[n-1]
			if last.kind == r.Kind && last.kind <= KindBSS && last.rodata == r.InRodata && last.word+last.n == word {
				last.n++
				continue
			}
		}
		runs = append(runs, run{r.InRodata, word, r.Kind, 1})
	}
	for _, r := range runs {
		code := byte(r.kind)
		if r.kind <= KindBSS {
			code = byte(r.kind) << 1
			if r.n > 1 {
				code |= 1
			}
		}
		b = append(b, code<<1|1)
		base := uint64(0)
		if r.rodata {
			base = 1
		}
		b = AppendVuint(b, r.word<<1|base)
		if r.kind <= KindBSS && r.n > 1 {
			b = AppendVuint(b, r.n)
		}
	}
	return append(b, 0xff), nil
}
