// This file implements MicroPython bytecode: the prelude and the opcode
// stream, decoded and re-encoded (py/bc0.h, py/bc.h of v1.28).

package mpy

import (
	"fmt"
	"strconv"
	"sync"
)

// Opcode operand formats.
const (
	fmtByte   = 0
	fmtQstr   = 1
	fmtVarint = 2
	fmtOffset = 3
)

// Opcodes that the merge and the disassembler treat specially.
const (
	opLoadConstSmallInt = 0x22
	opLoadConstObj      = 0x23
	opMakeFunction      = 0x32
	opCallFunction      = 0x34
	opPopTop            = 0x59
	opLoadConstNone     = 0x51
	opReturnValue       = 0x63
)

func opFormat(op byte) int { return int(0x3a4>>(2*(op>>4))) & 3 }

func opSignedOffset(op byte) bool { return op == 0x40 || op == 0x42 || op == 0x43 || op == 0x44 }

// Instr is one decoded bytecode instruction.
type Instr struct {
	Off    int   // offset in the opcode stream
	Size   int   // encoded size
	Op     byte  // opcode byte
	Format int   // operand format
	Arg    int64 // qstr index, integer, or for jumps the target offset
	Extra  int   // the extra byte, or -1
}

// DecodeOpcodes splits an opcode stream into instructions; jump arguments
// are turned into absolute target offsets.
func DecodeOpcodes(code []byte) ([]Instr, error) {
	var out []Instr
	ip := 0
	get := func() (byte, error) {
		if ip >= len(code) {
			return 0, fmt.Errorf("bytecode ends inside an instruction at %#x", ip)
		}
		b := code[ip]
		ip++
		return b, nil
	}
	for ip < len(code) {
		in := Instr{Off: ip, Op: code[ip], Extra: -1}
		ip++
		in.Format = opFormat(in.Op)
		switch in.Format {
		case fmtQstr, fmtVarint:
			b, err := get()
			if err != nil {
				return nil, err
			}
			arg := int64(b & 0x7f)
			if in.Op == opLoadConstSmallInt && arg&0x40 != 0 {
				arg |= -1 << 7
			}
			for n := 0; b&0x80 != 0; n++ {
				if n > 9 {
					return nil, fmt.Errorf("operand too long at %#x", in.Off)
				}
				if b, err = get(); err != nil {
					return nil, err
				}
				arg = arg<<7 | int64(b&0x7f)
			}
			in.Arg = arg
		case fmtOffset:
			b, err := get()
			if err != nil {
				return nil, err
			}
			var arg int64
			if b&0x80 == 0 {
				arg = int64(b)
				if opSignedOffset(in.Op) {
					arg -= 0x40
				}
			} else {
				b2, err := get()
				if err != nil {
					return nil, err
				}
				arg = int64(b&0x7f) | int64(b2)<<7
				if opSignedOffset(in.Op) {
					arg -= 0x4000
				}
			}
			in.Arg = int64(ip) + arg
		}
		if in.Op&0x9e == 0 {
			b, err := get()
			if err != nil {
				return nil, err
			}
			in.Extra = int(b)
		}
		in.Size = ip - in.Off
		out = append(out, in)
	}
	return out, nil
}

// appendVarint encodes v as mpy-tool does, with a sign bit when signed.
func appendVarint(b []byte, v int64, signed bool) []byte {
	enc := []byte{byte(v & 0x7f)}
	v >>= 7
	for v != 0 && v != -1 {
		enc = append([]byte{0x80 | byte(v&0x7f)}, enc...)
		v >>= 7
	}
	if signed {
		if v == -1 && enc[0]&0x40 == 0 {
			enc = append([]byte{0xff}, enc...)
		} else if v == 0 && enc[0]&0x40 != 0 {
			enc = append([]byte{0x80}, enc...)
		}
	}
	return append(b, enc...)
}

// EncodeOpcodes writes instructions back, recomputing jump offsets until the
// layout is stable (a jump grows to two bytes when its offset needs it).
func EncodeOpcodes(ins []Instr) ([]byte, error) {
	off := make(map[int]int, len(ins)) // old offset -> index
	for i, in := range ins {
		off[in.Off] = i
	}
	pos := make([]int, len(ins))
	for i, in := range ins {
		pos[i] = in.Off
	}
	for round := 0; ; round++ {
		if round > 100 {
			return nil, fmt.Errorf("jump offsets do not settle")
		}
		var out []byte
		changed, overflow := false, false
		for i, in := range ins {
			if pos[i] != len(out) {
				changed = true
				pos[i] = len(out)
			}
			out = append(out, in.Op)
			switch in.Format {
			case fmtQstr, fmtVarint:
				out = appendVarint(out, in.Arg, in.Op == opLoadConstSmallInt)
			case fmtOffset:
				t, ok := off[int(in.Arg)]
				if !ok {
					return nil, fmt.Errorf("jump at %#x to %#x, which is not an instruction", in.Off, in.Arg)
				}
				d := int64(pos[t] - pos[i] - 2)
				signed := opSignedOffset(in.Op)
				if signed && d >= -64 && d <= 63 || !signed && d <= 127 {
					if signed {
						d += 0x40
					}
					overflow = overflow || d < 0 || d > 0x7f
					out = append(out, byte(d&0x7f))
				} else {
					d--
					if signed {
						d += 0x4000
					}
					overflow = overflow || d < 0 || d > 0x7fff
					out = append(out, 0x80|byte(d&0x7f), byte(d>>7))
				}
			}
			if in.Extra >= 0 {
				out = append(out, byte(in.Extra))
			}
		}
		if !changed {
			if overflow {
				return nil, fmt.Errorf("bytecode overflow")
			}
			return out, nil
		}
	}
}

// Prelude is the decoded head of a bytecode function.
type Prelude struct {
	NState, NExcStack, ScopeFlags, NPosArgs, NKwonlyArgs, NDefPosArgs int
	NInfo, NCell                                                      int
	SizeOff                                                           int   // offset of the prelude-size bytes
	InfoOff                                                           int   // offset of the source info
	Names                                                             []int // qstr indices: simple name, then arguments
	LineInfo                                                          []byte
	Closure                                                           []byte
	OpcodesOff                                                        int
}

// ReadPrelude decodes the prelude of bytecode function data.
func ReadPrelude(data []byte) (*Prelude, error) {
	d := &decoder{data: data}
	p := &Prelude{}
	z := d.byte()
	s, e, a := int(z>>3)&0xf, int(z>>2)&1, int(z&3)
	f, k, dd := 0, 0, 0
	for n := 0; z&0x80 != 0 && d.err == nil; n++ {
		if n > 8 {
			return nil, fmt.Errorf("prelude signature too long")
		}
		z = d.byte()
		s |= int(z&0x30) << (2 * n)
		e |= int(z&0x02) << n
		f |= int((z&0x40)>>6) << n
		a |= int(z&0x4) << n
		k |= int((z&0x08)>>3) << n
		dd |= int(z&0x1) << n
	}
	p.NState, p.NExcStack, p.ScopeFlags, p.NPosArgs, p.NKwonlyArgs, p.NDefPosArgs = s+1, e, f, a, k, dd
	p.SizeOff = d.off
	for n := 0; d.err == nil; n++ {
		if n > 8 {
			return nil, fmt.Errorf("prelude size too long")
		}
		z = d.byte()
		p.NInfo |= int((z&0x7e)>>1) << (6 * n)
		p.NCell |= int(z&1) << n
		if z&0x80 == 0 {
			break
		}
	}
	p.InfoOff = d.off
	for i := 0; i < 1+p.NPosArgs+p.NKwonlyArgs && d.err == nil; i++ {
		p.Names = append(p.Names, int(d.vuint()))
	}
	if d.err != nil {
		return nil, d.err
	}
	closure := p.InfoOff + p.NInfo
	p.OpcodesOff = closure + p.NCell
	if d.off > closure || p.OpcodesOff > len(data) {
		return nil, fmt.Errorf("prelude sizes (info %d, cells %d) exceed the function's %d bytes", p.NInfo, p.NCell, len(data))
	}
	p.LineInfo = data[d.off:closure]
	p.Closure = data[closure:p.OpcodesOff]
	return p, nil
}

func appendPreludeSize(b []byte, info, cell int) []byte {
	for {
		z := byte(info&0x3f)<<1 | byte(cell&1)
		cell >>= 1
		info >>= 6
		if cell|info != 0 {
			z |= 0x80
		}
		b = append(b, z)
		if cell|info == 0 {
			return b
		}
	}
}

// OpcodeName names an opcode as mpy-tool's disassembler does.
func OpcodeName(op byte) string {
	switch {
	case op >= 0x70 && op < 0xb0:
		return "LOAD_CONST_SMALL_INT " + strconv.Itoa(int(op)-0x70-16)
	case op >= 0xb0 && op < 0xc0:
		return "LOAD_FAST " + strconv.Itoa(int(op-0xb0))
	case op >= 0xc0 && op < 0xd0:
		return "STORE_FAST " + strconv.Itoa(int(op-0xc0))
	case op >= 0xd0 && op < 0xd7:
		return "UNARY_OP " + strconv.Itoa(int(op-0xd0))
	case op >= 0xd7 && op < 0xd7+35:
		return "BINARY_OP " + strconv.Itoa(int(op-0xd7))
	}
	if n, ok := opNames()[op]; ok {
		return n
	}
	return fmt.Sprintf("unknown %#02x", op)
}

// opNames is built on first use, not at start-up.
var opNames = sync.OnceValue(func() map[byte]string {
	return map[byte]string{
		0x10: "LOAD_CONST_STRING", 0x11: "LOAD_NAME", 0x12: "LOAD_GLOBAL", 0x13: "LOAD_ATTR", 0x14: "LOAD_METHOD",
		0x15: "LOAD_SUPER_METHOD", 0x16: "STORE_NAME", 0x17: "STORE_GLOBAL", 0x18: "STORE_ATTR", 0x19: "DELETE_NAME",
		0x1a: "DELETE_GLOBAL", 0x1b: "IMPORT_NAME", 0x1c: "IMPORT_FROM",
		0x20: "MAKE_CLOSURE", 0x21: "MAKE_CLOSURE_DEFARGS", 0x22: "LOAD_CONST_SMALL_INT", 0x23: "LOAD_CONST_OBJ",
		0x24: "LOAD_FAST_N", 0x25: "LOAD_DEREF", 0x26: "STORE_FAST_N", 0x27: "STORE_DEREF", 0x28: "DELETE_FAST",
		0x29: "DELETE_DEREF", 0x2a: "BUILD_TUPLE", 0x2b: "BUILD_LIST", 0x2c: "BUILD_MAP", 0x2d: "BUILD_SET",
		0x2e: "BUILD_SLICE", 0x2f: "STORE_COMP", 0x30: "UNPACK_SEQUENCE", 0x31: "UNPACK_EX", 0x32: "MAKE_FUNCTION",
		0x33: "MAKE_FUNCTION_DEFARGS", 0x34: "CALL_FUNCTION", 0x35: "CALL_FUNCTION_VAR_KW", 0x36: "CALL_METHOD",
		0x37: "CALL_METHOD_VAR_KW",
		0x40: "UNWIND_JUMP", 0x42: "JUMP", 0x43: "POP_JUMP_IF_TRUE", 0x44: "POP_JUMP_IF_FALSE",
		0x45: "JUMP_IF_TRUE_OR_POP", 0x46: "JUMP_IF_FALSE_OR_POP", 0x47: "SETUP_WITH", 0x48: "SETUP_EXCEPT",
		0x49: "SETUP_FINALLY", 0x4a: "POP_EXCEPT_JUMP", 0x4b: "FOR_ITER",
		0x50: "LOAD_CONST_FALSE", 0x51: "LOAD_CONST_NONE", 0x52: "LOAD_CONST_TRUE", 0x53: "LOAD_NULL",
		0x54: "LOAD_BUILD_CLASS", 0x55: "LOAD_SUBSCR", 0x56: "STORE_SUBSCR", 0x57: "DUP_TOP", 0x58: "DUP_TOP_TWO",
		0x59: "POP_TOP", 0x5a: "ROT_TWO", 0x5b: "ROT_THREE", 0x5c: "WITH_CLEANUP", 0x5d: "END_FINALLY",
		0x5e: "GET_ITER", 0x5f: "GET_ITER_STACK",
		0x62: "STORE_MAP", 0x63: "RETURN_VALUE", 0x64: "RAISE_LAST", 0x65: "RAISE_OBJ", 0x66: "RAISE_FROM",
		0x67: "YIELD_VALUE", 0x68: "YIELD_FROM", 0x69: "IMPORT_STAR",
	}
})
