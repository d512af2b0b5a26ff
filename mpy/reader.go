// This file implements the reader of .mpy files of version 6.

package mpy

import "fmt"

// File is a decoded .mpy file.
type File struct {
	Version      int
	SubVersion   int
	Arch         Arch
	SmallIntBits int
	ArchFlags    uint64
	Qstrs        []Qstr
	Objs         []Obj
	Root         *RawCode

	QstrTableRaw []byte // the qstr table bytes as stored
	ObjTableRaw  []byte // the object table bytes as stored
	RootOff      int    // offset of the outer raw code
}

// Qstr is one qstr-table entry.
type Qstr struct {
	Str    string
	Static int // static ID, or 0 when the string is stored
}

// Obj is one constant object.
type Obj struct {
	Type  byte // 0 mp_fun_table ... 10 tuple
	Data  []byte
	Items []Obj // tuple members
}

// RawCode is one code record.
type RawCode struct {
	Kind       int // CodeBytecode, CodeNative, CodeViper, CodeAsm
	Off        int // offset of the kind/length word
	Data       []byte
	ScopeFlags uint64
	PreludeOff uint64
	NPosArgs   uint64
	TypeSig    uint64
	RodataSize uint64
	BSSSize    uint64
	Rodata     []byte
	Relocs     []RelocRecord
	Children   []*RawCode
	End        int // offset just past the record and its children
}

// RelocRecord is one record of a native relocation stream, with the offset
// resolved where the record continues the previous run.
type RelocRecord struct {
	Op       byte
	HasOff   bool
	InRodata bool
	Word     uint64
	Kind     RelocKind
	Count    uint64
}

// Read decodes a whole .mpy file.
func Read(data []byte) (*File, error) {
	d := &decoder{data: data}
	f := &File{}
	if len(data) < 4 {
		return nil, &FormatError{Off: 0, Msg: fmt.Sprintf("file of %d bytes is too short for a .mpy header", len(data))}
	}
	if data[0] != 'M' {
		return nil, &FormatError{Off: 0, Msg: "not a .mpy file (no 'M' magic)"}
	}
	f.Version = int(data[1])
	if f.Version != Version {
		return nil, &FormatError{Off: 1, Msg: fmt.Sprintf(".mpy version %d is not supported (only %d)", f.Version, Version)}
	}
	b2 := data[2]
	f.Arch = Arch((b2 >> 2) & 0x2f)
	f.SubVersion = int(b2 & 3)
	f.SmallIntBits = int(data[3])
	d.off = 4
	if b2&featureArchFlags != 0 {
		f.ArchFlags = d.vuint()
	}
	nq := d.vuint()
	no := d.vuint()
	if d.err != nil {
		return nil, d.err
	}
	if nq > uint64(len(data)) || no > uint64(len(data)) {
		d.fail("table sizes %d/%d exceed the file size", nq, no)
		return nil, d.err
	}
	qstart := d.off
	for i := uint64(0); i < nq && d.err == nil; i++ {
		f.Qstrs = append(f.Qstrs, d.qstr())
	}
	f.QstrTableRaw = data[qstart:d.off]
	ostart := d.off
	for i := uint64(0); i < no && d.err == nil; i++ {
		f.Objs = append(f.Objs, d.obj(0))
	}
	if d.err != nil {
		return nil, d.err
	}
	f.ObjTableRaw = data[ostart:d.off]
	f.RootOff = d.off
	f.Root = d.rawCode(0)
	if d.err != nil {
		return nil, d.err
	}
	if d.off != len(data) {
		return nil, &FormatError{Off: int64(d.off), Msg: fmt.Sprintf("%d bytes of trailing data", len(data)-d.off)}
	}
	return f, nil
}

func (d *decoder) qstr() Qstr {
	v := d.vuint()
	if v&1 != 0 {
		id := int(v >> 1)
		if id == 0 || id > len(StaticQstrs) {
			d.fail("static qstr ID %d out of range 1..%d", id, len(StaticQstrs))
			return Qstr{}
		}
		return Qstr{Str: StaticQstrs[id-1], Static: id}
	}
	s := d.bytes(v >> 1)
	d.byte() // NUL
	return Qstr{Str: string(s)}
}

func (d *decoder) obj(depth int) Obj {
	if depth > 32 {
		d.fail("constant objects nested too deeply")
		return Obj{}
	}
	t := d.byte()
	o := Obj{Type: t}
	switch t {
	case 0, 1, 2, 3, 4:
	case 5, 6: // str, bytes: length, bytes, NUL
		o.Data = d.bytes(d.vuint())
		d.byte()
	case 7, 8, 9: // int, float, complex: length and repr
		o.Data = d.bytes(d.vuint())
	case 10:
		n := d.vuint()
		if n > uint64(len(d.data)) {
			d.fail("tuple of %d items exceeds the file size", n)
			return o
		}
		for i := uint64(0); i < n && d.err == nil; i++ {
			o.Items = append(o.Items, d.obj(depth+1))
		}
	default:
		d.off--
		d.fail("unknown constant object type %d", t)
	}
	return o
}

func (d *decoder) rawCode(depth int) *RawCode {
	if depth > 64 {
		d.fail("raw code nested too deeply")
		return nil
	}
	rc := &RawCode{Off: d.off}
	kl := d.vuint()
	rc.Kind = int(kl&3) + CodeBytecode
	hasChildren := kl&4 != 0
	rc.Data = d.bytes(kl >> 3)
	switch rc.Kind {
	case CodeNative:
		rc.PreludeOff = d.vuint()
	case CodeViper, CodeAsm:
		rc.ScopeFlags = d.vuint()
		if rc.Kind == CodeAsm {
			rc.NPosArgs = d.vuint()
			rc.TypeSig = d.vuint()
		} else {
			if rc.ScopeFlags&ScopeViperRodata != 0 {
				rc.RodataSize = d.vuint()
			}
			if rc.ScopeFlags&ScopeViperBSS != 0 {
				rc.BSSSize = d.vuint()
			}
			if rc.ScopeFlags&ScopeViperRodata != 0 {
				rc.Rodata = d.bytes(rc.RodataSize)
			}
		}
	}
	if hasChildren {
		n := d.vuint()
		if n > uint64(len(d.data)) {
			d.fail("%d children exceed the file size", n)
			return rc
		}
		for i := uint64(0); i < n && d.err == nil; i++ {
			rc.Children = append(rc.Children, d.rawCode(depth+1))
		}
	}
	if rc.Kind == CodeViper && rc.ScopeFlags&ScopeViperReloc != 0 {
		rc.Relocs = d.relocs()
	}
	rc.End = d.off
	return rc
}

func (d *decoder) relocs() []RelocRecord {
	var out []RelocRecord
	var next uint64
	var rodata bool
	for d.err == nil {
		start := d.off
		op := d.byte()
		if d.err != nil {
			return out
		}
		if op == 0xff {
			return out
		}
		r := RelocRecord{Op: op, Word: next, InRodata: rodata, Count: 1}
		if op&1 != 0 {
			a := d.vuint()
			r.HasOff, r.InRodata, r.Word = true, a&1 != 0, a>>1
		}
		op >>= 1
		if op <= 5 {
			if op&1 != 0 {
				r.Count = d.vuint()
			}
			r.Kind = RelocKind(op >> 1)
			if r.Kind > KindBSS {
				d.off = start
				d.fail("relocation record %#x names no buffer", op)
				return out
			}
		} else {
			r.Kind = RelocKind(op)
		}
		next, rodata = r.Word+r.Count, r.InRodata
		out = append(out, r)
	}
	return out
}
