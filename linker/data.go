// This file implements initialised writable data (.data, .sdata) and static
// variables: where they live in the loaded module, per arch (README's
// tables).
//
// The loader (py/persistentcode.c) copies text into memory it allocates
// (an RWX mmap on unix, the GC heap on bare-metal ports, IRAM or flash
// through MP_PLAT_COMMIT_EXEC on ESP8266 and ESP32) and relocates it there;
// rodata and bss are one GC block apart from it, which the GC keeps and
// scans on every port. Text is scanned on bare-metal ports, and on unix only
// before v1.24. So on x86, rv32imc, Xtensa and x64 code built with the
// medium model, writable data and static bss go to the bss block:
// initialised data first, copied from an image by a start-up stub that runs
// before mpy_init. x86 and x64 code reaches variables relative to the GOT
// (in text), so the stub also adds bss - text to every such field; rv32imc
// code reaches them with auipc/lo12 pairs, which the stub rewrites for the
// same distance. Both are exact for any distance (the sums wrap like the
// code's own address arithmetic). Xtensa code reaches them through literal
// words the loader relocates. On ARM and rv64imc, code reaches static
// variables PC-relative, and they stay inside text; where some port's GC
// does not scan text there, the link reports it (Def.Unscanned).

package linker

import (
	"debug/elf"
	"errors"
	"fmt"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker/riscv"
	"github.com/mpyld/mpyld/linker/x86"
	"github.com/mpyld/mpyld/linker/xtensa"
	"github.com/mpyld/mpyld/mpy"
)

// dataInText reports whether writable data lives in the text buffer
// (decideData).
func (l *linker) dataInText() bool { return !l.dataInBSS }

// movable reports whether a relocation type reaches its target in a way
// the start-up code can redirect once the loader has placed text and bss:
// relative to the GOT on x86 (R_386_GOTOFF) and x64 (R_X86_64_GOTOFF64),
// an auipc/lo12 pair on rv32imc (R_RISCV_PCREL_HI20, exact mod 2^32).
func (a *Arch) movable(typ uint32) bool {
	switch a.Machine {
	case elf.EM_386:
		return typ == uint32(elf.R_386_GOTOFF)
	case elf.EM_X86_64:
		return typ == uint32(elf.R_X86_64_GOTOFF64)
	case elf.EM_RISCV:
		return a.MPY == mpy.ArchRV32IMC && typ == uint32(elf.R_RISCV_PCREL_HI20)
	}
	return false
}

// decideData decides whether writable data lives in the bss block: always
// on Xtensa; on x86 and x64 unless code reaches a variable PC-relative
// (x64's small code model). The unix port's code memory (an mmap) is
// scanned by the GC only before v1.24, while the bss block is kept and
// scanned in every version (through the code's pointers to it, then as a
// GC root), so from v1.24 on a variable in text would not keep a heap
// object alive: such x64 objects are refused (ErrCodeModel).
func (l *linker) decideData() {
	switch {
	case l.arch.ISA == ISAXtensa:
		l.dataInBSS = true
	case l.arch.MPY == mpy.ArchRV32IMC && !l.cfg.NoData:
		// rv32imc loads from v1.24 on, whose bss block is a GC root on
		// every port; esp32 does not scan text.
		l.dataInBSS = len(l.pcRelativeVars()) == 0
	case l.arch.ISA == ISAX86 && !l.cfg.NoData:
		refs := l.pcRelativeVars()
		l.dataInBSS = len(refs) == 0
		if len(refs) > 0 && l.target.newest().AtLeast(unixCodeUnscannedSince) {
			l.codeModelRefs = refs // refused with the relocation errors
		}
	}
}

// refuseCodeModel refuses the PC-relative references decideData found.
func (l *linker) refuseCodeModel() {
	for _, ref := range l.codeModelRefs {
		l.errs.add(codeModelError{l.relocError(ref.sec, ref.r, fmt.Sprintf("variable reached PC-relative: it would live in code memory, which the unix port's GC does not scan from MicroPython %s on, so a heap object kept there would be freed; compile with -mcmodel=medium -mlarge-data-threshold=0 (mpyld build does) so that it lives in bss", unixCodeUnscannedSince))})
	}
}

// codeModelError is an ErrCodeModel refusal.
type codeModelError struct{ error }

func (e codeModelError) Is(target error) bool { return target == ErrCodeModel }

// ErrCodeModel marks the refusal of x64 code that reaches variables
// PC-relative (the small code model) where they must live in bss.
var ErrCodeModel = errors.New("recompile with -mcmodel=medium -mlarge-data-threshold=0")

// unixCodeUnscannedSince is the first release whose unix port does not scan
// native code memory (mp_unix_mark_exec is gone; the bss block is a GC root
// instead: MicroPython PR #15908).
var unixCodeUnscannedSince = V(1, 24, 0)

// unscannedPorts names the ports that load this arch's code where the GC
// does not scan it, for the target (README's table): a variable placed in
// text there does not keep a heap object alive.
func (l *linker) unscannedPorts() string {
	newest := l.target.newest()
	switch l.arch.MPY {
	case mpy.ArchX86, mpy.ArchX64, mpy.ArchRV64IMC:
		if newest.AtLeast(unixCodeUnscannedSince) {
			return "unix (MicroPython " + unixCodeUnscannedSince.String() + " and later: code in an mmap)"
		}
	case mpy.ArchARMV7EMSP:
		if newest.AtLeast(nrfCommitSince) {
			return "nrf (MicroPython " + nrfCommitSince.String() + " and later: code committed through MP_PLAT_COMMIT_EXEC)"
		}
	case mpy.ArchRV32IMC:
		return "esp32 (ESP32-C3, ESP32-C6: code in ESP-IDF's executable heap)"
	}
	return ""
}

// nrfCommitSince is the first release whose nrf port commits native code
// through MP_PLAT_COMMIT_EXEC (MicroPython PR #17211, May 2025): the code
// stays in a GC block that is neither tracked nor scanned.
var nrfCommitSince = V(1, 26, 0)

// varRef is one relocation of a section.
type varRef struct {
	sec *section
	r   elfobj.Reloc
}

// pcRelativeVars returns, for each variable in writable data or bss that
// code reaches at a fixed distance other than through the GOT, its first
// such reference.
func (l *linker) pcRelativeVars() []varRef {
	var refs []varRef
	seen := map[string]bool{}
	for _, sec := range l.sections {
		for _, r := range sec.relocs {
			if !l.arch.fixedRef(r.Type) || l.arch.movable(r.Type) {
				continue
			}
			t := sec.obj.syms[r.Sym].target()
			if t.sec == nil || t.sec.cat != catBSS && t.sec.cat != catData {
				continue
			}
			if key := sec.obj.name + "\x00" + l.symName(sec, r); !seen[key] {
				seen[key] = true
				refs = append(refs, varRef{sec, r})
			}
		}
	}
	return refs
}

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

// placeData decides where writable data and bss reached at a fixed
// distance live; it runs after resolution, before the GOT is built.
func (l *linker) placeData() {
	if l.cfg.NoData {
		return // .data was refused at load; checkFixed refuses static bss
	}
	if l.dataInText() {
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
	// Data at the start of the bss block, its image elsewhere.
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
	fixups := l.countFixups()
	if size == 0 && fixups == 0 {
		return
	}
	if l.arch.ISA == ISAXtensa && !l.target.newest().AtLeast(bssTrackedSince) && !l.keepsBSS() {
		l.errs.addf("%s: %s: writable data%s: %s on ESP8266 and ESP32 does not keep a native module's bss alive (only code in IRAM points to it, which the GC does not scan; MicroPython %s tracks it), so the data would be lost: build against MicroPython %s or later, or make the variable const, or zero-initialised and set in mpy_init",
			first.obj.name, first.name, varNames(first), l.target, bssTrackedSince, bssTrackedSince)
		return
	}
	w := uint64(l.arch.Word())
	size = alignUp(size, w)
	l.dataSize = size
	if size > 0 {
		image := make([]byte, size)
		for _, s := range l.sections {
			if s.cat == catData {
				copy(image[s.addr:], s.data)
			}
		}
		l.image = &section{name: ".internal.data_image", cat: catRodata, data: image, size: size, align: w}
	}
	var code []byte
	switch {
	case l.arch.ISA == ISAXtensa:
		code = l.startupCode()
	case l.arch.ISA == ISARISCV:
		l.rvStartup = riscv.Stub(int(size/4), fixups)
		code = l.rvStartup.Code
	case w == 8:
		l.x86Startup = x86.Startup64(int(size/8), fixups)
		code = l.x86Startup.Code
	default:
		l.x86Startup = x86.Startup32(int(size/4), fixups)
		code = l.x86Startup.Code
	}
	l.startup = &section{name: ".internal.startup", cat: catText, data: code, size: uint64(len(code)), align: w}
	l.sections = append([]*section{l.startup}, l.sections...)
	if l.image != nil {
		l.sections = append(l.sections, l.image)
	}
	l.logf(2, "data: %d bytes copied from an image to bss by the start-up code, %d GOT-relative fields moved there", size, fixups)
}

// countFixups counts the fields the start-up code redirects to variables
// in the bss block: GOT-relative fields on x86 and x64, lo12 instructions of
// auipc pairs on rv32imc (one table entry each, with its auipc).
func (l *linker) countFixups() int {
	n := 0
	for _, sec := range l.sections {
		for _, r := range sec.relocs {
			switch {
			case l.arch.ISA == ISAX86 && l.arch.movable(r.Type):
				if l.inBSSBlock(sec.obj.syms[r.Sym].target()) {
					n++
				}
			case l.arch.ISA == ISARISCV && isPCRelLo(r.Type):
				if hs, hr, ok := l.riscvParentReloc(sec, r); ok && l.arch.movable(hr.Type) && l.inBSSBlock(hs.obj.syms[hr.Sym].target()) {
					n++
				}
			}
		}
	}
	return n
}

// inBSSBlock reports whether t lives in the bss block.
func (l *linker) inBSSBlock(t *symbol) bool {
	return l.dataInBSS && t.sec != nil && (t.sec.cat == catBSS && !t.sec.inText || t.sec.cat == catData)
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

// x86StartupRelocs fills the x86 or x64 start-up stub's words, its fixup
// table (the fields codeReloc met) and its jump to mpy_init.
func (l *linker) x86StartupRelocs() {
	st, sec := l.x86Startup, l.startup
	w := uint64(l.arch.Word())
	if want := (sec.size - uint64(st.Table)) / w; uint64(len(l.fixups)) != want {
		l.errs.addf("start-up code: %d GOT-relative fields reach bss, %d were counted (please report it with the input files)", len(l.fixups), want)
		return
	}
	put := func(off int, v uint64, kind mpy.RelocKind) {
		at := sec.addr + uint64(off)
		if w == 8 {
			le.PutUint64(l.text[at:], v)
		} else {
			le.PutUint32(l.text[at:], uint32(v))
		}
		l.relocs = append(l.relocs, mpy.Reloc{Addr: at, Kind: kind})
	}
	put(st.BSS, 0, mpy.KindBSS) // the data starts the bss block
	put(st.Text, 0, mpy.KindText)
	image := uint64(0)
	if l.image != nil {
		image = l.image.addr
	}
	put(st.Image, image, mpy.KindText)
	for i, p := range l.fixups {
		put(st.Table+i*int(w), p, mpy.KindText)
	}
	init := l.globals["mpy_init"]
	jump := sec.addr + uint64(st.Jump)
	le.PutUint32(l.text[jump:], uint32(int64(init.sec.addr+init.Value)-int64(jump+4)))
}

// rvPair is an auipc/lo12 pair the rv32imc start-up code redirects: text
// offsets of both instructions, whether the lo12 one is a store, and the
// link-time value S + A - P with S an offset in bss.
type rvPair struct {
	hi, lo uint64
	store  bool
	v      int64
}

// rvStartupRelocs fills the rv32imc start-up stub's words, its pair table
// and its jump to mpy_init.
func (l *linker) rvStartupRelocs() {
	st, sec := l.rvStartup, l.startup
	if want := (sec.size - uint64(st.Table)) / 12; uint64(len(l.rvPairs)) != want {
		l.errs.addf("start-up code: %d auipc pairs reach bss, %d were counted (please report it with the input files)", len(l.rvPairs), want)
		return
	}
	put := func(off int, v uint64, kind mpy.RelocKind, reloc bool) {
		at := sec.addr + uint64(off)
		le.PutUint32(l.text[at:], uint32(v))
		if reloc {
			l.relocs = append(l.relocs, mpy.Reloc{Addr: at, Kind: kind})
		}
	}
	put(st.BSS, 0, mpy.KindBSS, true)
	put(st.Text, 0, mpy.KindText, true)
	image := uint64(0)
	if l.image != nil {
		image = l.image.addr
	}
	put(st.Image, image, mpy.KindText, true)
	for i, p := range l.rvPairs {
		at := st.Table + 12*i
		lo := p.lo
		if p.store {
			lo |= 1
		}
		put(at, p.hi, mpy.KindText, true)
		put(at+4, lo, mpy.KindText, true)
		put(at+8, uint64(p.v), 0, false)
	}
	init := l.globals["mpy_init"]
	jump := sec.addr + uint64(st.Jump)
	riscv.PatchJ(l.text[jump:], int64(init.sec.addr+init.Value)-int64(jump))
}

// dataLocation is where the bytes of a relocation in a writable data
// section are patched: the section itself in text, or its image.
func (l *linker) dataLocation(sec *section, off uint64) (buf []byte, addr uint64, inRodata bool) {
	if sec.cat == catData && !l.dataInText() {
		at := l.image.addr + sec.addr + off
		if l.image.inRodata {
			return l.rodata, at, true
		}
		return l.text, at, false
	}
	return l.buffer(sec), sec.addr + off, sec.inRodata
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
