// This file implements the start-up stub that sets up writable data on x86
// and x64 before mpy_init runs (linker/data.go): it copies the data's
// initial image to the start of the bss block, then adds the distance from
// text to bss to every GOT-relative field that reaches a variable there.

package x86

import "encoding/binary"

// Startup is an encoded start-up stub: code at offset 0 that ends in a jump
// to mpy_init, then pointer-sized words the loader relocates.
type Startup struct {
	Code []byte
	Jump int // offset of the rel32 of the final jmp to mpy_init
	// Offsets of the words: the bss block (kind bss, 0), the text
	// (kind text, 0), the image (kind text, its offset) and the first of
	// the fixup table (kind text, the offset of each field).
	BSS, Text, Image, Table int
}

// Startup32 is the x86 stub (cdecl: arguments on the stack, eax, ecx and
// edx free, esi and edi saved). It copies words 4-byte words and adds
// bss - text to fixups 32-bit GOTOFF fields. Decoded:
//
//	e8 00000000    call 1f
//	59             1: pop ecx           ; ecx = runtime address of 1
//	56             push esi
//	57             push edi
//	8b 81 <d32>    mov eax, [ecx+BSS-5] ; bss block
//	8b b1 <d32>    mov esi, [ecx+Image-5]
//	89 c7          mov edi, eax
//	2b 81 <d32>    sub eax, [ecx+Text-5] ; eax = bss - text
//	8d 91 <d32>    lea edx, [ecx+Table-5]
//	b9 <words>     mov ecx, words
//	f3 a5          rep movsd
//	b9 <fixups>    mov ecx, fixups
//	e3 0a          jecxz 3f
//	8b 32          2: mov esi, [edx]    ; a field's address
//	01 06          add [esi], eax
//	83 c2 04       add edx, 4
//	49             dec ecx
//	75 f6          jnz 2b
//	5f             3: pop edi
//	5e             pop esi
//	e9 <rel32>     jmp mpy_init
func Startup32(words, fixups int) Startup {
	s := Startup{Jump: 61, BSS: 68, Text: 72, Image: 76, Table: 80}
	b := []byte{0xe8, 0, 0, 0, 0, 0x59, 0x56, 0x57}
	disp := func(op, modrm byte, at int) { b = le.AppendUint32(append(b, op, modrm), uint32(at-5)) }
	disp(0x8b, 0x81, s.BSS)
	disp(0x8b, 0xb1, s.Image)
	b = append(b, 0x89, 0xc7)
	disp(0x2b, 0x81, s.Text)
	disp(0x8d, 0x91, s.Table)
	b = le.AppendUint32(append(b, 0xb9), uint32(words))
	b = append(b, 0xf3, 0xa5)
	b = le.AppendUint32(append(b, 0xb9), uint32(fixups))
	b = append(b, 0xe3, 0x0a, 0x8b, 0x32, 0x01, 0x06, 0x83, 0xc2, 0x04, 0x49, 0x75, 0xf6, 0x5f, 0x5e, 0xe9, 0, 0, 0, 0)
	b = append(b, 0x90, 0x90, 0x90) // nop, to the words
	s.Code = append(b, make([]byte, s.Table-len(b)+4*fixups)...)
	return s
}

// Startup64 is the x64 stub (System V: mpy_init's arguments in rdi, rsi,
// rdx and rcx, which it saves or leaves alone; rax and r8-r11 free). It
// copies qwords 8-byte words and adds bss - text to fixups 64-bit GOTOFF64
// fields. Decoded:
//
//	4c 8d 1d <d32> lea r11, [rip+BSS-7] ; the words
//	57 56 51       push rdi; push rsi; push rcx
//	49 8b 03       mov rax, [r11]       ; bss block
//	49 8b 73 10    mov rsi, [r11+16]    ; image
//	48 89 c7       mov rdi, rax
//	49 2b 43 08    sub rax, [r11+8]     ; rax = bss - text
//	b9 <qwords>    mov ecx, qwords
//	f3 48 a5       rep movsq
//	4d 8d 43 18    lea r8, [r11+24]     ; fixup table
//	b9 <fixups>    mov ecx, fixups
//	e3 0e          jrcxz 3f
//	4d 8b 08       2: mov r9, [r8]      ; a field's address
//	49 01 01       add [r9], rax
//	49 83 c0 08    add r8, 8
//	ff c9          dec ecx
//	75 f2          jnz 2b
//	59 5e 5f       3: pop rcx; pop rsi; pop rdi
//	e9 <rel32>     jmp mpy_init
func Startup64(qwords, fixups int) Startup {
	s := Startup{Jump: 61, BSS: 72, Text: 80, Image: 88, Table: 96}
	b := le.AppendUint32([]byte{0x4c, 0x8d, 0x1d}, uint32(s.BSS-7))
	b = append(b, 0x57, 0x56, 0x51, 0x49, 0x8b, 0x03, 0x49, 0x8b, 0x73, 0x10, 0x48, 0x89, 0xc7, 0x49, 0x2b, 0x43, 0x08)
	b = le.AppendUint32(append(b, 0xb9), uint32(qwords))
	b = append(b, 0xf3, 0x48, 0xa5, 0x4d, 0x8d, 0x43, 0x18)
	b = le.AppendUint32(append(b, 0xb9), uint32(fixups))
	b = append(b, 0xe3, 0x0e, 0x4d, 0x8b, 0x08, 0x49, 0x01, 0x01, 0x49, 0x83, 0xc0, 0x08, 0xff, 0xc9, 0x75, 0xf2,
		0x59, 0x5e, 0x5f, 0xe9, 0, 0, 0, 0)
	b = append(b, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90) // nop, to the words
	s.Code = append(b, make([]byte, s.Table-len(b)+8*fixups)...)
	return s
}

var le = binary.LittleEndian
