// Package inspect describes .mpy files, ELF objects and archives for people
// (text) and programs (JSON).
package inspect

import (
	"fmt"
	"strings"

	"golang.org/x/arch/riscv64/riscv64asm"
	"golang.org/x/arch/x86/x86asm"

	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
)

// MPY is the report on one .mpy file. Its JSON shape is stable: fields are
// only added.
type MPY struct {
	File         string   `json:"file"`
	Size         int      `json:"size"`
	Version      int      `json:"version"`
	SubVersion   int      `json:"sub_version"`
	Arch         string   `json:"arch"`
	ArchFlags    uint64   `json:"arch_flags"`
	SmallIntBits int      `json:"small_int_bits"`
	LoadableBy   string   `json:"loadable_by"`
	Profiles     []string `json:"profiles,omitempty"` // mpyld version profiles that write this ABI
	Qstrs        []Qstr   `json:"qstrs"`
	Objects      []string `json:"objects"`
	Code         []Code   `json:"code"`
}

// Qstr is one qstr-table entry.
type Qstr struct {
	Index  int    `json:"index"`
	Str    string `json:"str"`
	Static int    `json:"static_id,omitempty"`
}

// Code is one raw code; Path is its position in the tree ("0", "0.1").
type Code struct {
	Path        string   `json:"path"`
	Kind        string   `json:"kind"` // bytecode, native, viper, asm
	Name        string   `json:"name,omitempty"`
	Size        int      `json:"size"`
	ScopeFlags  uint64   `json:"scope_flags"`
	RodataSize  uint64   `json:"rodata_size,omitempty"`
	BSSSize     uint64   `json:"bss_size,omitempty"`
	Relocs      []Reloc  `json:"relocations,omitempty"`
	Disassembly []string `json:"disassembly,omitempty"`
	Children    int      `json:"children"`
}

// Reloc is one relocation record, decoded.
type Reloc struct {
	Buffer string `json:"buffer"` // text or rodata
	Offset uint64 `json:"offset"` // byte offset of the first word
	Count  uint64 `json:"count"`
	Kind   int    `json:"kind"`
	Target string `json:"target"` // e.g. "mp_fun_table[73] mp_type_type"
}

var kindNames = map[int]string{mpy.CodeBytecode: "bytecode", mpy.CodeNative: "native", mpy.CodeViper: "viper", mpy.CodeAsm: "asm"}

// ReadMPY decodes a .mpy file into a report; disasm adds disassembly.
func ReadMPY(name string, data []byte, disasm bool) (*MPY, error) {
	f, err := mpy.Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	r := &MPY{File: name, Size: len(data), Version: f.Version, SubVersion: f.SubVersion, Arch: f.Arch.String(),
		ArchFlags: f.ArchFlags, SmallIntBits: f.SmallIntBits,
		LoadableBy: mpy.Releases(f.Version, f.SubVersion, f.Arch, f.ArchFlags)}
	if f.Arch == mpy.ArchNone {
		r.SubVersion = 0
	} else if f.Version == mpy.Version {
		for _, p := range linker.Profiles {
			if p.SubVersion == f.SubVersion {
				r.Profiles = append(r.Profiles, p.Name)
			}
		}
	}
	for i, q := range f.Qstrs {
		r.Qstrs = append(r.Qstrs, Qstr{Index: i, Str: q.Str, Static: q.Static})
	}
	for _, o := range f.Objs {
		r.Objects = append(r.Objects, describeObj(o))
	}
	var walk func(rc *mpy.RawCode, path string)
	walk = func(rc *mpy.RawCode, path string) {
		c := Code{Path: path, Kind: kindNames[rc.Kind], Size: len(rc.Data), ScopeFlags: rc.ScopeFlags,
			RodataSize: rc.RodataSize, BSSSize: rc.BSSSize, Children: len(rc.Children)}
		w := uint64(f.Arch.WordSize())
		if w == 0 {
			w = 4
		}
		for _, rl := range rc.Relocs {
			buf := "text"
			if rl.InRodata {
				buf = "rodata"
			}
			c.Relocs = append(c.Relocs, Reloc{Buffer: buf, Offset: rl.Word * w, Count: rl.Count, Kind: int(rl.Kind), Target: rl.Kind.Describe(f.SubVersion)})
		}
		if rc.Kind == mpy.CodeBytecode {
			if p, err := mpy.ReadPrelude(rc.Data); err == nil && len(p.Names) > 0 && p.Names[0] < len(f.Qstrs) {
				c.Name = f.Qstrs[p.Names[0]].Str
			}
			if disasm {
				c.Disassembly = Bytecode(rc.Data, f.Qstrs)
			}
		} else if disasm {
			c.Disassembly = Native(f.Arch, rc.Data)
		}
		r.Code = append(r.Code, c)
		for i, ch := range rc.Children {
			walk(ch, fmt.Sprintf("%s.%d", path, i))
		}
	}
	walk(f.Root, "0")
	return r, nil
}

func describeObj(o mpy.Obj) string {
	switch o.Type {
	case 0:
		return "mp_fun_table"
	case 1:
		return "None"
	case 2:
		return "False"
	case 3:
		return "True"
	case 4:
		return "Ellipsis"
	case 5:
		return fmt.Sprintf("str %q", o.Data)
	case 6:
		return fmt.Sprintf("bytes %q", o.Data)
	case 7, 8, 9:
		return string(o.Data)
	case 10:
		var items []string
		for _, it := range o.Items {
			items = append(items, describeObj(it))
		}
		return "(" + strings.Join(items, ", ") + ")"
	}
	return "?"
}

// Bytecode disassembles a bytecode function's opcodes.
func Bytecode(data []byte, qstrs []mpy.Qstr) []string {
	p, err := mpy.ReadPrelude(data)
	if err != nil {
		return []string{"prelude: " + err.Error()}
	}
	ins, err := mpy.DecodeOpcodes(data[p.OpcodesOff:])
	var out []string
	for _, in := range ins {
		line := fmt.Sprintf("%04x %s", in.Off, mpy.OpcodeName(in.Op))
		switch in.Format {
		case 1:
			q := fmt.Sprint(in.Arg)
			if in.Arg >= 0 && int(in.Arg) < len(qstrs) {
				q = qstrs[in.Arg].Str
			}
			line += " " + q
		case 2:
			line += fmt.Sprintf(" %d", in.Arg)
		case 3:
			line += fmt.Sprintf(" -> %04x", in.Arg)
		}
		if in.Extra >= 0 {
			line += fmt.Sprintf(" %d", in.Extra)
		}
		out = append(out, line)
	}
	if err != nil {
		out = append(out, "error: "+err.Error())
	}
	return out
}

// Native disassembles machine code: x86 and x64 fully; other arches as hex
// words (golang.org/x/arch has no Thumb, Xtensa or RV32 decoder).
func Native(a mpy.Arch, code []byte) []string {
	var out []string
	switch a {
	case mpy.ArchX86, mpy.ArchX64:
		mode := 32
		if a == mpy.ArchX64 {
			mode = 64
		}
		for pc := 0; pc < len(code); {
			inst, err := x86asm.Decode(code[pc:], mode)
			if err != nil || inst.Len == 0 {
				out = append(out, fmt.Sprintf("%6x: %02x  .byte", pc, code[pc]))
				pc++
				continue
			}
			out = append(out, fmt.Sprintf("%6x: %-20x  %s", pc, code[pc:pc+inst.Len], x86asm.GNUSyntax(inst, uint64(pc), nil)))
			pc += inst.Len
		}
		return out
	}
	if a == mpy.ArchRV32IMC || a == mpy.ArchRV64IMC {
		return riscvDisasm(a, code)
	}
	// No decoder: split into instructions by their length encoding.
	var td thumbDecoder
	for pc := 0; pc < len(code); {
		n := insnLen(a, code[pc:])
		end := min(pc+n, len(code))
		var w uint32
		for i := end - 1; i >= pc; i-- {
			w = w<<8 | uint32(code[i])
		}
		line := fmt.Sprintf("%6x: %0*x", pc, 2*(end-pc), w)
		if a.IsThumb() && end-pc >= 2 {
			if text := td.decode(code[pc:end], pc); text != "" {
				line += "  " + text
			}
		}
		out = append(out, line)
		pc = end
	}
	return out
}

// riscvDisasm decodes RISC-V code with x/arch's RV64 decoder. On rv32 the
// compressed encodings that mean other instructions there (c.jal, c.flw,
// c.fsw, c.flwsp, c.fswsp) are shown as hex.
func riscvDisasm(a mpy.Arch, code []byte) []string {
	var out []string
	for pc := 0; pc < len(code); {
		n := insnLen(a, code[pc:])
		if pc+n > len(code) {
			n = len(code) - pc
		}
		word := code[pc : pc+n]
		text := ""
		if !(a == mpy.ArchRV32IMC && n == 2 && rv32Differs(word)) {
			if inst, err := riscv64asm.Decode(word); err == nil && inst.Len == n {
				text = riscv64asm.GNUSyntax(inst)
			}
		}
		var w uint32
		for i := n - 1; i >= 0; i-- {
			w = w<<8 | uint32(word[i])
		}
		if text == "" {
			text = ".insn"
		}
		out = append(out, fmt.Sprintf("%6x: %0*x  %s", pc, 2*n, w, text))
		pc += n
	}
	return out
}

// rv32Differs reports the compressed encodings whose RV32 meaning differs
// from RV64's.
func rv32Differs(b []byte) bool {
	h := uint16(b[0]) | uint16(b[1])<<8
	q, f := h&3, h>>13
	return q == 1 && f == 1 || q == 0 && (f == 3 || f == 7) || q == 2 && (f == 3 || f == 7)
}

// insnLen is the length of the instruction at b: Thumb-2 and RISC-V have
// 16- and 32-bit forms, Xtensa 16- and 24-bit ones.
func insnLen(a mpy.Arch, b []byte) int {
	switch a {
	case mpy.ArchARMV6M, mpy.ArchARMV7M, mpy.ArchARMV7EM, mpy.ArchARMV7EMSP, mpy.ArchARMV7EMDP:
		if len(b) >= 2 && b[1]>>3 >= 0x1d {
			return 4
		}
		return 2
	case mpy.ArchRV32IMC, mpy.ArchRV64IMC:
		if b[0]&3 == 3 {
			return 4
		}
		return 2
	case mpy.ArchXtensa, mpy.ArchXtensaWin:
		if b[0]&0xf >= 8 && b[0]&0xf <= 0xd {
			return 2
		}
		return 3
	}
	return 4
}
