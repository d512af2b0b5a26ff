// Package elfobj reads relocatable ELF objects and ar archives for the linker,
// on top of debug/elf, and never panics on malformed input.
package elfobj

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// Error is a problem found in an input file; it says where.
type Error struct {
	File    string // path, or "archive:member"
	Section string // section name, if known
	Off     int64  // offset inside the section (or file); -1 if none
	Msg     string
}

func (e *Error) Error() string {
	s := e.File
	if e.Section != "" {
		s += ": " + e.Section
		if e.Off >= 0 {
			s += fmt.Sprintf("+%#x", e.Off)
		}
	} else if e.Off >= 0 {
		s += fmt.Sprintf(": offset %#x", e.Off)
	}
	return s + ": " + e.Msg
}

// File is a relocatable ELF object.
type File struct {
	Name     string
	Machine  elf.Machine
	Class    elf.Class
	Sections []*Section // indexed by section header index
	Symbols  []Symbol   // indexed by symbol table index, entry 0 included
}

// Section is one section header with its contents.
type Section struct {
	Index     int
	Name      string
	Type      elf.SectionType
	Flags     elf.SectionFlag
	Addr      uint64
	Size      uint64
	Addralign uint64
	Info      uint32
	Link      uint32
	Entsize   uint64

	sec *elf.Section
}

// Symbol is one symbol table entry.
type Symbol struct {
	Index int
	Name  string
	Value uint64
	Size  uint64
	Bind  elf.SymBind
	Type  elf.SymType
	Shndx elf.SectionIndex
}

// Reloc is one REL or RELA entry.
type Reloc struct {
	Off    uint64
	Type   uint32
	Sym    uint32
	Addend int64
}

// Parse reads a relocatable object. name is used in error messages.
func Parse(name string, data []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &Error{File: name, Off: -1, Msg: fmt.Sprintf("malformed ELF file (%v)", r)}
		}
	}()
	if len(data) < 4 || string(data[:4]) != elf.ELFMAG {
		return nil, &Error{File: name, Off: -1, Msg: "not an ELF object (bad magic)"}
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{File: name, Off: -1, Msg: "malformed ELF file: " + trimELF(err)}
	}
	if ef.Data != elf.ELFDATA2LSB {
		return nil, &Error{File: name, Off: -1, Msg: "big-endian ELF objects are not supported"}
	}
	if ef.Type != elf.ET_REL {
		return nil, &Error{File: name, Off: -1, Msg: fmt.Sprintf("not a relocatable object (%v); give the .o files, not a linked program", ef.Type)}
	}
	f = &File{Name: name, Machine: ef.Machine, Class: ef.Class}
	for i, s := range ef.Sections {
		f.Sections = append(f.Sections, &Section{
			Index: i, Name: s.Name, Type: s.Type, Flags: s.Flags, Addr: s.Addr,
			Size: s.Size, Addralign: s.Addralign, Info: s.Info, Link: s.Link,
			Entsize: s.Entsize, sec: s,
		})
		if s.Type != elf.SHT_NOBITS && s.Type != elf.SHT_NULL && s.Offset+s.FileSize > uint64(len(data)) {
			return nil, &Error{File: name, Section: s.Name, Off: -1, Msg: fmt.Sprintf("section extends past the end of the file (offset %#x, size %d, file size %d): truncated?", s.Offset, s.FileSize, len(data))}
		}
	}
	syms, err := ef.Symbols()
	if err != nil {
		if err == elf.ErrNoSymbols {
			return nil, &Error{File: name, Off: -1, Msg: "no symbol table (.symtab): was the object stripped?"}
		}
		return nil, &Error{File: name, Section: ".symtab", Off: -1, Msg: "malformed symbol table: " + trimELF(err)}
	}
	f.Symbols = make([]Symbol, 0, len(syms)+1)
	f.Symbols = append(f.Symbols, Symbol{})
	for i, s := range syms {
		f.Symbols = append(f.Symbols, Symbol{
			Index: i + 1, Name: s.Name, Value: s.Value, Size: s.Size,
			Bind: elf.ST_BIND(s.Info), Type: elf.ST_TYPE(s.Info), Shndx: s.Section,
		})
	}
	return f, nil
}

func trimELF(err error) string {
	if fe, ok := err.(*elf.FormatError); ok {
		return fe.Error()
	}
	return err.Error()
}

// MaxNOBITS caps the size of a zero-filled (SHT_NOBITS) section: no
// microcontroller has that much RAM, and a corrupt size must not exhaust
// memory.
const MaxNOBITS = 64 << 20

// Data returns the contents of s; SHT_NOBITS sections read as zeros.
func (f *File) Data(s *Section) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS {
		if s.Size > MaxNOBITS {
			return nil, &Error{File: f.Name, Section: s.Name, Off: -1, Msg: fmt.Sprintf("section size %d is too large", s.Size)}
		}
		return make([]byte, s.Size), nil
	}
	d, err := s.sec.Data()
	if err != nil {
		return nil, &Error{File: f.Name, Section: s.Name, Off: -1, Msg: "cannot read contents: " + trimELF(err)}
	}
	return d, nil
}

// Relocs decodes the entries of a SHT_REL or SHT_RELA section.
func (f *File) Relocs(s *Section) ([]Reloc, error) {
	d, err := f.Data(s)
	if err != nil {
		return nil, err
	}
	rela := s.Type == elf.SHT_RELA
	var size int
	switch {
	case f.Class == elf.ELFCLASS64 && rela:
		size = 24
	case f.Class == elf.ELFCLASS64:
		size = 16
	case rela:
		size = 12
	default:
		size = 8
	}
	if len(d)%size != 0 {
		return nil, &Error{File: f.Name, Section: s.Name, Off: -1, Msg: fmt.Sprintf("size %d is not a multiple of the entry size %d", len(d), size)}
	}
	le := binary.LittleEndian
	out := make([]Reloc, 0, len(d)/size)
	for off := 0; off < len(d); off += size {
		var r Reloc
		if f.Class == elf.ELFCLASS64 {
			r.Off = le.Uint64(d[off:])
			info := le.Uint64(d[off+8:])
			r.Sym, r.Type = uint32(info>>32), uint32(info)
			if rela {
				r.Addend = int64(le.Uint64(d[off+16:]))
			}
		} else {
			r.Off = uint64(le.Uint32(d[off:]))
			info := le.Uint32(d[off+4:])
			r.Sym, r.Type = info>>8, info&0xff
			if rela {
				r.Addend = int64(int32(le.Uint32(d[off+8:])))
			}
		}
		if int(r.Sym) >= len(f.Symbols) {
			return nil, &Error{File: f.Name, Section: s.Name, Off: int64(off), Msg: fmt.Sprintf("relocation names symbol %d but the table has %d", r.Sym, len(f.Symbols))}
		}
		out = append(out, r)
	}
	return out, nil
}

// IsArchive reports whether data starts with the ar magic.
func IsArchive(data []byte) bool {
	return len(data) >= 8 && string(data[:8]) == "!<arch>\n"
}
