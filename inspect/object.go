// This file implements reports on ELF objects and archives.

package inspect

import (
	"debug/elf"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linker"
)

// Object is the report on one relocatable object.
type Object struct {
	File     string     `json:"file"`
	Machine  string     `json:"machine"`
	Class    string     `json:"class"`
	Arches   []string   `json:"arches"` // targets that take it
	Sections []Section  `json:"sections"`
	Symbols  []Symbol   `json:"symbols"`
	Relocs   []ObjReloc `json:"relocations"`
	Problems []string   `json:"problems,omitempty"` // what a link for Arch would refuse
	Arch     string     `json:"checked_arch,omitempty"`
}

// Section is one section header.
type Section struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	Type  string `json:"type"`
	Size  uint64 `json:"size"`
	Align uint64 `json:"align"`
}

// Symbol is one symbol table entry.
type Symbol struct {
	Name    string `json:"name"`
	Value   uint64 `json:"value"`
	Size    uint64 `json:"size"`
	Bind    string `json:"bind"`
	Type    string `json:"type"`
	Section string `json:"section"`
}

// ObjReloc is one relocation entry.
type ObjReloc struct {
	Section string `json:"section"`
	Offset  uint64 `json:"offset"`
	Type    string `json:"type"`
	Symbol  string `json:"symbol"`
	Addend  int64  `json:"addend"`
}

// ReadObjects reports on an object or on every member of an archive. When
// arch is set, each object is also linked alone for it and the problems
// listed (undefined symbols that other objects would define included).
func ReadObjects(name string, data []byte, arch *linker.Arch) ([]*Object, error) {
	if !elfobj.IsArchive(data) {
		o, err := readObject(name, data, arch)
		if err != nil {
			return nil, err
		}
		return []*Object{o}, nil
	}
	ar, err := elfobj.ReadArchive(name, data)
	if err != nil {
		return nil, err
	}
	var out []*Object
	for _, m := range ar.Members {
		o, err := readObject(name+":"+m.Name, m.Data, arch)
		if err != nil {
			continue // not an object
		}
		out = append(out, o)
	}
	return out, nil
}

func readObject(name string, data []byte, arch *linker.Arch) (*Object, error) {
	f, err := elfobj.Parse(name, data)
	if err != nil {
		return nil, err
	}
	o := &Object{File: name, Machine: f.Machine.String(), Class: f.Class.String(), Arches: linker.ArchForMachine(f.Machine, f.Class)}
	secName := func(i elf.SectionIndex) string {
		switch {
		case i == elf.SHN_UNDEF:
			return "UNDEF"
		case i == elf.SHN_ABS:
			return "ABS"
		case i == elf.SHN_COMMON:
			return "COMMON"
		case int(i) < len(f.Sections):
			return f.Sections[i].Name
		}
		return fmt.Sprint(i)
	}
	for _, s := range f.Sections[1:] {
		o.Sections = append(o.Sections, Section{Index: s.Index, Name: s.Name, Type: strings.TrimPrefix(s.Type.String(), "SHT_"), Size: s.Size, Align: s.Addralign})
	}
	for _, s := range f.Symbols[1:] {
		if s.Type == elf.STT_FILE {
			continue
		}
		name := s.Name
		if s.Type == elf.STT_SECTION {
			name = secName(s.Shndx)
		}
		o.Symbols = append(o.Symbols, Symbol{Name: name, Value: s.Value, Size: s.Size,
			Bind: strings.TrimPrefix(s.Bind.String(), "STB_"), Type: strings.TrimPrefix(s.Type.String(), "STT_"), Section: secName(s.Shndx)})
	}
	for _, s := range f.Sections {
		if s.Type != elf.SHT_REL && s.Type != elf.SHT_RELA {
			continue
		}
		rs, err := f.Relocs(s)
		if err != nil {
			return nil, err
		}
		target := secName(elf.SectionIndex(s.Info))
		for _, r := range rs {
			sym := f.Symbols[r.Sym]
			sn := sym.Name
			if sym.Type == elf.STT_SECTION {
				sn = secName(sym.Shndx)
			}
			o.Relocs = append(o.Relocs, ObjReloc{Section: target, Offset: r.Off, Type: elfobj.RelocName(f.Machine, r.Type), Symbol: sn, Addend: r.Addend})
		}
	}
	if arch != nil {
		o.Arch = arch.Name
		_, err := linker.Link(&linker.Config{Arch: arch, Objects: []string{name}, SourceName: "check.mpy",
			ReadFile: func(string) ([]byte, error) { return data, nil }})
		if err != nil {
			o.Problems = strings.Split(err.Error(), "\n")
		}
	}
	return o, nil
}

// WriteText writes the object report for people.
func (o *Object) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s: %s %s", o.File, o.Machine, o.Class)
	if len(o.Arches) > 0 {
		fmt.Fprintf(w, " (for %s)", strings.Join(o.Arches, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "sections:")
	for _, s := range o.Sections {
		fmt.Fprintf(w, "  [%2d] %-24s %-10s size %6d align %d\n", s.Index, s.Name, s.Type, s.Size, s.Align)
	}
	syms := append([]Symbol(nil), o.Symbols...)
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].Bind < syms[j].Bind })
	fmt.Fprintln(w, "symbols:")
	for _, s := range syms {
		if s.Type == "SECTION" {
			continue
		}
		fmt.Fprintf(w, "  %-7s %-7s %-20s %#6x %5d %s\n", s.Bind, s.Type, s.Section, s.Value, s.Size, s.Name)
	}
	fmt.Fprintln(w, "relocations:")
	for _, r := range o.Relocs {
		add := ""
		if r.Addend != 0 {
			add = fmt.Sprintf("%+#x", r.Addend)
		}
		fmt.Fprintf(w, "  %s+%#x %-24s %s%s\n", r.Section, r.Offset, r.Type, r.Symbol, add)
	}
	if o.Arch != "" {
		if len(o.Problems) == 0 {
			fmt.Fprintf(w, "links for %s: no problems\n", o.Arch)
		} else {
			fmt.Fprintf(w, "problems linking it alone for %s:\n", o.Arch)
			for _, p := range o.Problems {
				fmt.Fprintf(w, "  %s\n", p)
			}
		}
	}
}
