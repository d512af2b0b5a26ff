// This file implements memset, memmove and memcpy for modules that leave them
// undefined: GCC emits calls to them for struct copies and zeroing even when
// the source never names them. The runtime exports memset_ and memmove_ in
// mp_fun_table slots 50 and 51; GOT and data references get those slots'
// contents at load time, direct calls go to a small stub that jumps through a
// word holding the same. The stubs are the development branch's mpy_ld.py's,
// byte for byte, for every profile (older linkers refused such modules);
// Xtensa, which that linker leaves out, gets a call0 stub of mpyld's own.
// On ARM, Clang calls the run-time ABI's __aeabi_memcpy/memmove/memset/
// memclr (and their 4- and 8-byte aligned forms) instead, which the
// development branch refuses: the first two share memmove's stub,
// __aeabi_memset swaps its last two arguments and __aeabi_memclr passes a
// zero before jumping to memset_.

package linker

import (
	"debug/elf"
	"encoding/binary"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/mpy"
)

// stubSlots maps the C library functions to mp_fun_table slots.
var stubSlots = map[string]int{"memset": 50, "memmove": 51, "memcpy": 51}

// aeabiStubs maps the ARM run-time ABI's memory functions to the section
// of their stub; memcpy's and memmove's jump straight to memmove_.
var aeabiStubs = map[string]string{
	"__aeabi_memcpy": ".internal.memmove", "__aeabi_memcpy4": ".internal.memmove", "__aeabi_memcpy8": ".internal.memmove",
	"__aeabi_memmove": ".internal.memmove", "__aeabi_memmove4": ".internal.memmove", "__aeabi_memmove8": ".internal.memmove",
	"__aeabi_memset": ".internal.__aeabi_memset", "__aeabi_memset4": ".internal.__aeabi_memset", "__aeabi_memset8": ".internal.__aeabi_memset",
	"__aeabi_memclr": ".internal.__aeabi_memclr", "__aeabi_memclr4": ".internal.__aeabi_memclr", "__aeabi_memclr8": ".internal.__aeabi_memclr",
}

// stub is the code of one jump stub; the word at ptr gets the fun-table
// slot's contents at load time.
type stub struct {
	code  []byte
	ptr   int
	entry int // where the code starts
	slot  int // the mp_fun_table slot it jumps through
}

// stubCode returns the stub for the arch.
func (l *linker) stubCode() (stub, bool) {
	le := binary.LittleEndian
	switch {
	case l.arch.MPY == mpy.ArchX64:
		// nop x6; movabs $fn, %rax; jmp *%rax
		b := append([]byte{0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x48, 0xb8}, make([]byte, 8)...)
		return stub{code: append(b, 0xff, 0xe0), ptr: 8}, true
	case l.arch.MPY == mpy.ArchX86:
		// nop x3; mov $fn, %eax; jmp *%eax
		b := append([]byte{0x90, 0x90, 0x90, 0xb8}, make([]byte, 4)...)
		return stub{code: append(b, 0xff, 0xe0), ptr: 4}, true
	case l.arch.ISA == ISAARM:
		b := le.AppendUint16(nil, 0x4b00)                    // ldr r3, [pc, #0]
		return stub{code: append(le.AppendUint16(b, 0x4718), // bx r3
			0, 0, 0, 0), ptr: 4}, true
	case l.arch.ISA == ISARISCV:
		b := le.AppendUint32(nil, 0x00000697) // auipc a3, 0
		if l.arch.Word() == 8 {
			b = le.AppendUint16(b, 0x6694) // c.ld a3, 8(a3)
		} else {
			b = le.AppendUint16(b, 0x4694) // c.lw a3, 8(a3)
		}
		b = le.AppendUint16(b, 0x8682) // c.jr a3
		return stub{code: append(b, make([]byte, l.arch.Word())...), ptr: 8}, true
	case l.arch.MPY == mpy.ArchXtensa:
		// .word fn; l32r a8, <that word>; jx a8 (call0 ABI: a8 is scratch)
		return stub{code: []byte{0, 0, 0, 0, 0x81, 0xff, 0xff, 0xa0, 0x08, 0x00}, ptr: 0, entry: 4}, true
	}
	// xtensawin's windowed calls keep the return address in the registers a
	// stub would need; its GOT and literal references need no stub.
	return stub{}, false
}

// aeabiStub returns the ARM stubs that rearrange arguments first:
// __aeabi_memset(dest, n, c) and __aeabi_memclr(dest, n) call memset_.
func aeabiStub(secName string) stub {
	var hs []uint16
	switch secName {
	case ".internal.__aeabi_memset":
		hs = []uint16{
			0x460b, // mov r3, r1
			0x4611, // mov r1, r2
			0x461a, // mov r2, r3
			0x4b01, // ldr r3, [pc, #4]
			0x4718, // bx r3
			0x46c0, // nop (mov r8, r8)
		}
	default: // __aeabi_memclr
		hs = []uint16{
			0x000a, // movs r2, r1
			0x2100, // movs r1, #0
			0x4b00, // ldr r3, [pc, #0]
			0x4718, // bx r3
		}
	}
	var b []byte
	for _, h := range hs {
		b = binary.LittleEndian.AppendUint16(b, h)
	}
	return stub{code: append(b, 0, 0, 0, 0), ptr: len(b), slot: stubSlots["memset"]}
}

// provideStubs defines memset, memmove and memcpy (and the ARM run-time
// ABI's forms) when they are referenced and defined nowhere. As the
// development branch does, memcpy shares memmove's stub, and each stub
// section goes right after the first loaded section, the later one first.
func (l *linker) provideStubs() {
	made := map[string]*section{}
	for _, u := range l.unresolved {
		name := u.Name
		slot := stubSlots[name]
		secName := ".internal." + name
		if slot == 51 {
			secName = ".internal.memmove"
		}
		if a, ok := aeabiStubs[name]; ok && l.arch.ISA == ISAARM {
			secName, slot = a, 51
			if a != ".internal.memmove" {
				slot = 50
			}
		}
		if slot == 0 || l.globals[name] != nil || l.isExtern(name) {
			continue
		}
		sec := made[secName]
		if sec == nil {
			sec = &section{name: secName, align: uint64(l.arch.Word()), cat: catText, stubSlot: slot}
			st, ok := l.stubCode()
			st.slot = slot
			if secName == ".internal.__aeabi_memset" || secName == ".internal.__aeabi_memclr" {
				// Its own code comes first: GOT and data references must
				// point at it, not at memset_.
				st, ok, sec.stubSlot = aeabiStub(secName), true, 0
			}
			if ok {
				sec.data, sec.size, sec.stub = st.code, uint64(len(st.code)), &st
				at := min(1, len(l.sections))
				l.sections = append(l.sections[:at], append([]*section{sec}, l.sections[at:]...)...)
			}
			made[secName] = sec
			l.logf(2, "providing %s through mp_fun_table[%d]", name, slot)
		}
		sym := &symbol{Symbol: elfobj.Symbol{Name: name, Bind: elf.STB_GLOBAL, Type: elf.STT_FUNC}, sec: sec, funIndex: -1}
		if sec.stub != nil {
			sym.Value = uint64(sec.stub.entry)
		}
		l.globals[name] = sym
	}
}

// stubRelocs queues the runtime relocation of a stub's pointer word.
func (l *linker) stubRelocs(sec *section) {
	l.relocs = append(l.relocs, mpy.Reloc{Addr: sec.addr + uint64(sec.stub.ptr), Kind: mpy.KindFunSlot + mpy.RelocKind(sec.stub.slot)})
}
