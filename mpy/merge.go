// This file implements joining several .mpy files into one module, as
// mpy-tool.py --merge of MicroPython v1.28 does (and, for the sub-version of
// the native part, as the mpy-tool.py of that release does).

package mpy

import "fmt"

// MergeInput is one file to merge.
type MergeInput struct {
	Name string
	Data []byte
}

// Merge joins the inputs into one module whose body runs each of them in
// turn. The native module, if any (at most one), goes first so that its qstr
// indices stay as linked; the others' bytecode is rewritten with shifted
// qstr and object indices. archFlags, if not nil, overrides the native
// input's arch flags. One input is copied as it is.
func Merge(inputs []MergeInput, archFlags *uint64) ([]byte, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("no input files")
	}
	files := make([]*File, len(inputs))
	arch := ArchNone
	sub := 0
	for i, in := range inputs {
		f, err := Read(in.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", in.Name, err)
		}
		if f.Arch != ArchNone {
			if f.SubVersion < 1 {
				return nil, fmt.Errorf("%s: native code with .mpy sub-version %d: only 6.1 to 6.3 (MicroPython v1.20 and later) can be merged", in.Name, f.SubVersion)
			}
			if sub != 0 && sub != f.SubVersion {
				return nil, fmt.Errorf("%s: .mpy sub-version %d does not match %d of the files before it", in.Name, f.SubVersion, sub)
			}
			sub = f.SubVersion
			if arch != ArchNone && arch != f.Arch {
				return nil, fmt.Errorf("%s: native architecture %v does not match %v of the files before it", in.Name, f.Arch, arch)
			}
			arch = f.Arch
		}
		files[i] = f
	}
	if len(inputs) == 1 {
		return append([]byte(nil), inputs[0].Data...), nil
	}
	main := -1
	var flags uint64
	for i, f := range files {
		if f.Arch != ArchNone {
			if main >= 0 {
				return nil, fmt.Errorf("%s: cannot merge: %s already holds native code (only one file may)", inputs[i].Name, inputs[main].Name)
			}
			main, flags = i, f.ArchFlags
		}
	}
	order := make([]int, 0, len(files))
	if main >= 0 {
		order = append(order, main)
	}
	for i := range files {
		if i != main {
			order = append(order, i)
		}
	}
	if archFlags != nil {
		flags = *archFlags
	}
	var b2 byte
	if arch != ArchNone {
		b2 = byte(arch)<<2 | byte(sub)
		if flags != 0 {
			b2 |= featureArchFlags
		}
	}
	out := []byte{'M', Version, b2, byte(files[len(files)-1].SmallIntBits)}
	if flags != 0 {
		out = AppendVuint(out, flags)
	}
	var nq, no int
	for _, f := range files {
		nq += len(f.Qstrs)
		no += len(f.Objs)
	}
	out = AppendVuint(out, uint64(nq))
	out = AppendVuint(out, uint64(no))
	for _, i := range order {
		out = append(out, files[i].QstrTableRaw...)
	}
	for _, i := range order {
		out = append(out, files[i].ObjTableRaw...)
	}
	// The outer function: MAKE_FUNCTION i; CALL_FUNCTION 0; POP_TOP for each
	// module, then return None. Its simple name is qstr 0.
	bc := []byte{0x00, 0x02, 0x00}
	for i := range order {
		bc = append(bc, opMakeFunction)
		bc = AppendVuint(bc, uint64(i))
		bc = append(bc, opCallFunction, 0, opPopTop)
	}
	bc = append(bc, opLoadConstNone, opReturnValue)
	out = AppendVuint(out, uint64(len(bc))<<3|1<<2)
	out = append(out, bc...)
	out = AppendVuint(out, uint64(len(order)))
	qbase, obase := 0, 0
	for _, i := range order {
		f := files[i]
		if qbase == 0 && obase == 0 {
			out = append(out, inputs[i].Data[f.RootOff:]...)
		} else {
			var err error
			if out, err = rewriteRawCode(out, f.Root, qbase, obase); err != nil {
				return nil, fmt.Errorf("%s: %v", inputs[i].Name, err)
			}
		}
		qbase += len(f.Qstrs)
		obase += len(f.Objs)
	}
	return out, nil
}

// rewriteRawCode appends rc re-encoded with qstr and object indices shifted.
func rewriteRawCode(out []byte, rc *RawCode, qbase, obase int) ([]byte, error) {
	if rc.Kind != CodeBytecode {
		return nil, fmt.Errorf("can only rewrite bytecode, not native code")
	}
	p, err := ReadPrelude(rc.Data)
	if err != nil {
		return nil, err
	}
	var info []byte
	for _, n := range p.Names {
		info = AppendVuint(info, uint64(qbase+n))
	}
	ins, err := DecodeOpcodes(rc.Data[p.OpcodesOff:])
	if err != nil {
		return nil, err
	}
	for i := range ins {
		switch {
		case ins[i].Format == fmtQstr:
			ins[i].Arg += int64(qbase)
		case ins[i].Op == opLoadConstObj:
			ins[i].Arg += int64(obase)
		}
	}
	code, err := EncodeOpcodes(ins)
	if err != nil {
		return nil, err
	}
	fun := append([]byte(nil), rc.Data[:p.SizeOff]...)
	fun = appendPreludeSize(fun, len(info), len(p.Closure))
	fun = append(fun, info...)
	fun = append(fun, p.Closure...)
	fun = append(fun, code...)
	hasChildren := uint64(0)
	if len(rc.Children) > 0 {
		hasChildren = 1
	}
	out = AppendVuint(out, uint64(len(fun))<<3|hasChildren<<2)
	out = append(out, fun...)
	if len(rc.Children) > 0 {
		out = AppendVuint(out, uint64(len(rc.Children)))
		for _, c := range rc.Children {
			if out, err = rewriteRawCode(out, c, qbase, obase); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
