// This file implements memset, memmove and memcpy for modules that leave them
// undefined: GCC emits calls to them for struct copies and zeroing even when
// the source never names them. The runtime exports memset_ and memmove_ in
// mp_fun_table slots 50 and 51; GOT and data references get those slots'
// contents at load time, direct calls go to a small stub that jumps through a
// word holding the same.

package linker

import (
	"debug/elf"
	"encoding/binary"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/mpy"
)

// stubSlots maps the C library functions to mp_fun_table slots.
var stubSlots = map[string]int{"memset": 50, "memmove": 51, "memcpy": 51}

// stub is the code of one jump stub: the word at ptr gets the fun-table
// slot's contents; abs, if non-negative, is a word holding the text offset
// of ptr (for x86, whose code has no PC-relative load).
type stub struct {
	code  []byte
	ptr   int
	abs   int
	entry int // where the code starts
}

// stubCode returns the stub for the arch.
func (l *linker) stubCode() (stub, bool) {
	le := binary.LittleEndian
	w := l.arch.Word()
	switch {
	case l.arch.MPY == mpy.ArchX64:
		// jmp *2(%rip); int3; int3; .quad fn
		return stub{code: append([]byte{0xff, 0x25, 0x02, 0x00, 0x00, 0x00, 0xcc, 0xcc}, make([]byte, 8)...), ptr: 8, abs: -1}, true
	case l.arch.MPY == mpy.ArchX86:
		// nop; nop; jmp *ptr (absolute, relocated against text); .long fn
		return stub{code: append([]byte{0x90, 0x90, 0xff, 0x25}, make([]byte, 8)...), ptr: 8, abs: 4}, true
	case l.arch.ISA == ISAARM:
		var b []byte
		for _, h := range []uint16{
			0xb401, // push {r0}
			0x4802, // ldr r0, [pc, #8]
			0x4684, // mov ip, r0
			0xbc01, // pop {r0}
			0x4760, // bx ip
			0x46c0, // nop (mov r8, r8)
		} {
			b = le.AppendUint16(b, h)
		}
		return stub{code: append(b, 0, 0, 0, 0), ptr: 12, abs: -1}, true
	case l.arch.ISA == ISARISCV:
		b := le.AppendUint32(nil, 0x00000317) // auipc t1, 0
		if w == 8 {
			b = le.AppendUint32(b, 0x01033303) // ld t1, 16(t1)
			b = le.AppendUint32(b, 0x00030067) // jr t1
			b = le.AppendUint32(b, 0x00000013) // nop
			return stub{code: append(b, make([]byte, 8)...), ptr: 16, abs: -1}, true
		}
		b = le.AppendUint32(b, 0x00c32303) // lw t1, 12(t1)
		b = le.AppendUint32(b, 0x00030067) // jr t1
		return stub{code: append(b, 0, 0, 0, 0), ptr: 12, abs: -1}, true
	case l.arch.MPY == mpy.ArchXtensa:
		// .word fn; l32r a8, <that word>; jx a8 (call0 ABI: a8 is scratch)
		return stub{code: []byte{0, 0, 0, 0, 0x81, 0xff, 0xff, 0xa0, 0x08, 0x00}, ptr: 0, abs: -1, entry: 4}, true
	}
	// xtensawin's windowed calls keep the return address in the registers a
	// stub would need; its GOT and literal references need no stub.
	return stub{}, false
}

// provideStubs defines memset, memmove and memcpy when they are referenced
// and defined nowhere.
func (l *linker) provideStubs() {
	for _, name := range []string{"memcpy", "memmove", "memset"} {
		if l.globals[name] != nil || l.isExtern(name) || !l.referenced(name) {
			continue
		}
		sec := &section{name: ".internal." + name, align: uint64(l.arch.Word()), cat: catText, stubSlot: stubSlots[name]}
		sym := &symbol{Symbol: elfobj.Symbol{Name: name, Bind: elf.STB_GLOBAL, Type: elf.STT_FUNC}, sec: sec, funIndex: -1}
		if st, ok := l.stubCode(); ok {
			sec.data, sec.size, sec.stub = st.code, uint64(len(st.code)), &st
			sym.Value = uint64(st.entry)
		}
		l.globals[name] = sym
		if sec.data != nil {
			l.sections = append(l.sections, sec)
		}
		l.logf(2, "providing %s through mp_fun_table[%d]", name, sec.stubSlot)
	}
}

func (l *linker) referenced(name string) bool {
	for _, s := range l.unresolved {
		if s.Name == name {
			return true
		}
	}
	return false
}

// stubRelocs fills a stub's words and queues their runtime relocations.
func (l *linker) stubRelocs(sec *section) {
	st := sec.stub
	if st.abs >= 0 {
		binary.LittleEndian.PutUint32(l.text[sec.addr+uint64(st.abs):], uint32(sec.addr)+uint32(st.ptr))
		l.relocs = append(l.relocs, mpy.Reloc{Addr: sec.addr + uint64(st.abs), Kind: mpy.KindText})
	}
	l.relocs = append(l.relocs, mpy.Reloc{Addr: sec.addr + uint64(st.ptr), Kind: mpy.KindFunSlot + mpy.RelocKind(sec.stubSlot)})
}
