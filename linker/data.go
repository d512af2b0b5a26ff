// This file implements initialised writable data (.data, .sdata) and static
// variables: where they live in the loaded module, per arch.
//
// The loader (py/persistentcode.c) copies text into memory it allocates
// (an RWX mmap on unix, the GC heap on bare-metal ports, IRAM or flash
// through MP_PLAT_COMMIT_EXEC on ESP8266 and ESP32) and relocates it there;
// rodata and bss are one GC block apart from it. Code compiled with -fpic
// reaches static variables at a fixed distance from itself: PC-relative on
// x64, ARM and RISC-V, relative to the GOT (itself in text) on x86. So on
// those arches writable data, and any bss that code reaches that way, is
// placed inside text, whose memory is writable on every port that loads
// them. On Xtensa, code reaches every variable through literal-pool words
// (absolute addresses), but text lands in memory where byte stores fault;
// there data goes to the bss block, and a start-up stub that runs before
// mpy_init copies its initial image there (the image sits in text, or in
// rodata on xtensawin, and the loader relocates its pointers like any other
// word).

package linker

import (
	"debug/elf"
	"fmt"
	"sort"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker/xtensa"
	"github.com/mpyld/mpyld/mpy"
)

// dataInText reports whether writable data lives in the text buffer (every
// arch but Xtensa).
func (a *Arch) dataInText() bool { return a.ISA != ISAXtensa }

// fixedRef reports whether a relocation type reaches its target at a fixed
// distance from the code (PC- or GOT-relative), so that the target must
// sit in the text buffer.
func (a *Arch) fixedRef(typ uint32) bool {
	switch a.Machine {
	case elf.EM_386:
		switch elf.R_386(typ) {
		case elf.R_386_PC32, elf.R_386_PLT32, elf.R_386_GOTOFF:
			return true
		}
	case elf.EM_X86_64:
		switch elf.R_X86_64(typ) {
		case elf.R_X86_64_PC32, elf.R_X86_64_PLT32:
			return true
		}
	case elf.EM_ARM:
		switch elf.R_ARM(typ) {
		case elf.R_ARM_REL32, elfobj.R_ARM_THM_CALL, elf.R_ARM_THM_JUMP24:
			return true
		}
	case elf.EM_RISCV:
		switch elf.R_RISCV(typ) {
		case elf.R_RISCV_PCREL_HI20, elf.R_RISCV_32_PCREL, elf.R_RISCV_JAL, elf.R_RISCV_BRANCH,
			elf.R_RISCV_CALL, elf.R_RISCV_CALL_PLT, elf.R_RISCV_RVC_BRANCH, elf.R_RISCV_RVC_JUMP:
			return true
		}
	}
	return false
}

// DataVar is one writable variable and what it costs: Size bytes in
// Buffer, FileBytes of them stored in the .mpy (initial values, or the
// zeros of bss placed in text).
type DataVar struct {
	Name      string
	Object    string
	Section   string
	Buffer    string // "text" or "bss"
	Addr      uint64 // offset in Buffer
	Size      uint64
	FileBytes uint64
}

// placeData decides where writable data and bss reached at a fixed
// distance live; it runs after resolution, before the GOT is built.
func (l *linker) placeData() {
	if l.cfg.NoData {
		return // .data was refused at load; checkFixed refuses static bss
	}
	if l.arch.dataInText() {
		for _, sec := range l.sections {
			for _, r := range sec.relocs {
				if !l.arch.fixedRef(r.Type) {
					continue
				}
				if t := sec.obj.syms[r.Sym].target(); t.sec != nil && t.sec.cat == catBSS {
					t.sec.inText = true
				}
			}
		}
		return
	}
	// Xtensa: data at the start of the bss block, its image elsewhere.
	var size uint64
	var first *section
	for _, s := range l.sections {
		if s.cat == catData {
			s.addr = alignUp(size, s.align)
			size = s.addr + s.size
			if first == nil {
				first = s
			}
		}
	}
	if size == 0 {
		return
	}
	if !l.target.newest().AtLeast(bssTrackedSince) && !l.keepsBSS() {
		l.errs.addf("%s: %s: writable data%s: %s on ESP8266 and ESP32 does not keep a native module's bss alive (only code in IRAM points to it, which the GC does not scan; MicroPython %s tracks it), so the data would be lost: build against MicroPython %s or later, or make the variable const, or zero-initialised and set in mpy_init",
			first.obj.name, first.name, varNames(first), l.target, bssTrackedSince, bssTrackedSince)
		return
	}
	size = alignUp(size, 4)
	image := make([]byte, size)
	for _, s := range l.sections {
		if s.cat == catData {
			copy(image[s.addr:], s.data)
		}
	}
	l.dataSize = size
	l.image = &section{name: ".internal.data_image", cat: catRodata, data: image, size: size, align: 4}
	code := l.startupCode()
	l.startup = &section{name: ".internal.startup", cat: catText, data: code, size: uint64(len(code)), align: 4}
	l.sections = append([]*section{l.startup}, append(l.sections, l.image)...)
	l.logf(2, "data: %d bytes copied from an image to bss by the start-up code", size)
}

// bssTrackedSince is the first release that registers a native module's
// bss and rodata block as a GC root on ports with their own code memory
// (MICROPY_PERSISTENT_CODE_TRACK_BSS_RODATA): before it, on ESP8266 and
// ESP32, only relocated code in IRAM pointed to that block.
var bssTrackedSince = V(1, 24, 0)

// varNames lists the variables of a section for messages: ` ("a", "b")`.
func varNames(sec *section) string {
	var names []string
	for _, s := range sec.obj.syms {
		if s.sec == sec && s.Type == elf.STT_OBJECT && s.Name != "" {
			names = append(names, fmt.Sprintf("%q", s.Name))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// Offsets in the Xtensa start-up stub: three literal words (the image's
// address, the data's bss address, the word count), then the code.
const (
	startupSrc   = 0
	startupDst   = 4
	startupCount = 8
	startupEntry = 12
)

// startupCode assembles the stub that copies the data image to bss and
// enters mpy_init: a jump (call0 ABI: a2-a5 hold mpy_init's arguments, a8-a11
// are free) or, in the windowed ABI of xtensawin, a call8 from a frame of
// its own. The final jump or call is patched after layout.
func (l *linker) startupCode() []byte {
	b := make([]byte, startupEntry)
	le.PutUint32(b[startupCount:], uint32(l.dataSize/4))
	win := l.arch.MPY == mpy.ArchXtensaWin
	if win {
		b = append(b, xtensa.Entry(1, 32)...)
	}
	for i, lit := range []int64{startupSrc, startupDst, startupCount} {
		ins, _ := xtensa.L32R(8+i, int64(len(b)), lit)
		b = append(b, ins...)
	}
	loop := int64(len(b))
	b = append(b, xtensa.L32I(11, 8, 0)...)
	b = append(b, xtensa.S32I(11, 9, 0)...)
	b = append(b, xtensa.ADDI(8, 8, 4)...)
	b = append(b, xtensa.ADDI(9, 9, 4)...)
	b = append(b, xtensa.ADDI(10, 10, -1)...)
	bnez, _ := xtensa.BNEZ(10, int64(len(b)), loop)
	b = append(b, bnez...)
	if !win {
		return append(b, xtensa.Jump...)
	}
	for i := 0; i < 4; i++ {
		b = append(b, xtensa.MOV(10+i, 2+i)...)
	}
	b = append(b, xtensa.Call8...)
	b = append(b, xtensa.MOV(2, 10)...)
	return append(b, xtensa.RETW...)
}

// startupRelocs fills the stub's literals and its jump or call to mpy_init.
func (l *linker) startupRelocs(sec *section) {
	img := mpy.KindText
	if l.image.inRodata {
		img = mpy.KindRodata
	}
	le.PutUint32(l.text[sec.addr+startupSrc:], uint32(l.image.addr))
	le.PutUint32(l.text[sec.addr+startupDst:], 0) // the data starts the bss block
	l.relocs = append(l.relocs, mpy.Reloc{Addr: sec.addr + startupSrc, Kind: img}, mpy.Reloc{Addr: sec.addr + startupDst, Kind: mpy.KindBSS})
	init := l.globals["mpy_init"]
	p := int64(sec.addr+sec.size) - 3
	if l.arch.MPY == mpy.ArchXtensaWin {
		p = int64(sec.addr+sec.size) - 9 // call8, then mov a2, a10; retw
	}
	if err := xtensa.PatchCall(l.text[p:], p, int64(init.sec.addr+init.Value)); err != nil {
		l.errs.addf("start-up code: jump to mpy_init at %#x: %v", init.sec.addr+init.Value, err)
	}
}

// dataLocation is where the bytes of a relocation in a writable data
// section are patched: the section itself in text, or its image.
func (l *linker) dataLocation(sec *section, off uint64) (buf []byte, addr uint64, inRodata bool) {
	if sec.cat == catData && !l.arch.dataInText() {
		at := l.image.addr + sec.addr + off
		if l.image.inRodata {
			return l.rodata, at, true
		}
		return l.text, at, false
	}
	return l.buffer(sec), sec.addr + off, sec.inRodata
}

// dataVars lists the writable variables and what each costs.
func (l *linker) dataVars() []DataVar {
	var vars []DataVar
	for _, o := range l.objs {
		for _, s := range o.syms {
			sec := s.sec
			if sec == nil || s.Type == elf.STT_SECTION || s.Name == "" || (sec.cat != catData && !sec.inText) {
				continue
			}
			if s.Type != elf.STT_OBJECT || s.Name[0] == '.' || s.Name[0] == '$' {
				continue
			}
			v := DataVar{Name: s.Name, Object: o.name, Section: sec.name, Buffer: "text", Addr: sec.addr + s.Value, Size: s.Size, FileBytes: s.Size}
			if sec.cat == catData && !l.arch.dataInText() {
				v.Buffer = "bss"
			}
			vars = append(vars, v)
		}
	}
	sort.SliceStable(vars, func(i, j int) bool {
		if vars[i].Buffer != vars[j].Buffer {
			return vars[i].Buffer > vars[j].Buffer // text first
		}
		return vars[i].Addr < vars[j].Addr
	})
	return vars
}

// staticBSSError explains bss reached at a fixed distance under --no-data.
func (l *linker) staticBSSError(sec *section, r elfobj.Reloc, global bool) error {
	if global {
		return l.relocError(sec, r, "global variable in bss reached PC-relative, refused with --no-data: bss is allocated apart from the code at load time; recompile with -fpic (code then reaches globals through the GOT), or link without --no-data")
	}
	return l.relocError(sec, r, fmt.Sprintf("static variable in bss reached PC-relative, refused with --no-data: bss is allocated apart from the code at load time; make %s non-static, or link without --no-data", l.varName(sec, r)))
}

// TracksBSS says whether the target's firmware keeps a native module's
// block of rodata and bss alive on ports with their own code memory
// (ESP8266, ESP32): from v1.24.
func (t Target) TracksBSS() bool { return t.newest().AtLeast(bssTrackedSince) }
