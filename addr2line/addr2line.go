// Package addr2line names what is at an offset of a native module's text:
// the function and object from the link map and, for objects compiled with
// -g, the source file and line from their DWARF line tables.
package addr2line

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/linkmap"
)

// Location is what one text offset holds.
type Location struct {
	Offset     uint64 `json:"offset"`
	Section    string `json:"section,omitempty"`
	Object     string `json:"object,omitempty"`   // empty for the linker's own sections
	Function   string `json:"function,omitempty"` // or variable, or GOT entry
	FuncOffset uint64 `json:"function_offset"`    // Offset minus the start of Function
	File       string `json:"file,omitempty"`
	Line       int    `json:"line,omitempty"`
	Note       string `json:"note,omitempty"` // why there is no file and line, or what a linker section is
}

// String formats l on one line: offset, function+delta, file:line and object.
func (l Location) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "0x%08x", l.Offset)
	if l.Function != "" {
		fmt.Fprintf(&b, " %s+%#x", l.Function, l.FuncOffset)
	}
	if l.File != "" {
		fmt.Fprintf(&b, " at %s:%d", l.File, l.Line)
	}
	switch {
	case l.Object != "":
		fmt.Fprintf(&b, " (%s, %s)", l.Object, l.Section)
	case strings.HasPrefix(l.Section, "("):
		fmt.Fprintf(&b, " %s", l.Section)
	case l.Section != "":
		fmt.Fprintf(&b, " (%s)", l.Section)
	}
	if l.Note != "" {
		b.WriteString(": " + l.Note)
	}
	return b.String()
}

// Resolver looks up offsets of one module.
type Resolver struct {
	Map     *linkmap.Map
	MapFile string // where Map was read from: object paths are relative to it
	// ReadFile reads objects and archives; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)

	objs map[string]*object
}

type object struct {
	dwarf *dwarf.Data
	err   error // why there is no line table
}

// isThumb reports whether the module's code is Thumb, whose addresses may
// carry the Thumb bit.
func (r *Resolver) isThumb() bool { return strings.HasPrefix(r.Map.Arch, "armv") }

// TextBase returns the text offset 0 address, given that symbol sym (a
// function or variable of the module, or "" for text offset 0 itself) is at
// address addr at run time.
func (r *Resolver) TextBase(sym string, addr uint64) (uint64, error) {
	if sym == "" {
		return addr, nil
	}
	for _, s := range r.Map.Sections {
		for _, y := range s.Symbols {
			if y.Name == sym && s.Buffer == "text" {
				if r.isThumb() && y.Kind == "func" {
					addr &^= 1
				}
				if addr < y.Offset {
					return 0, fmt.Errorf("%s at %#x is below its text offset %#x", sym, addr, y.Offset)
				}
				return addr - y.Offset, nil
			}
		}
	}
	return 0, fmt.Errorf("no function or variable %q in the text of %s", sym, r.Map.Module)
}

// Lookup names what text offset off holds.
func (r *Resolver) Lookup(off uint64) (Location, error) {
	if r.isThumb() {
		off &^= 1 // code addresses may carry the Thumb bit
	}
	loc := Location{Offset: off}
	sec, sym := r.Map.Lookup("text", off)
	switch {
	case sec == nil && off < r.Map.Text:
		loc.Note = "alignment padding between sections"
		return loc, nil
	case sec == nil:
		return loc, fmt.Errorf("offset %#x is past the end of the text (%d bytes)", off, r.Map.Text)
	}
	loc.Section, loc.Object = sec.Name, sec.Object
	if sym != nil {
		loc.Function, loc.FuncOffset = sym.Name, off-sym.Offset
	}
	if sec.Object == "" {
		switch {
		case sec.Name == linkmap.Entry:
			loc.Note = "the jump to mpy_init"
		case sec.Name == "GOT":
			loc.Note = "a GOT word"
			w := uint64(4)
			if r.Map.Arch == "x64" || r.Map.Arch == "rv64imc" {
				w = 8
			}
			for _, g := range r.Map.GOT {
				if off >= g.Offset && off < g.Offset+w {
					loc.Function, loc.FuncOffset, loc.Note = g.Name, off-g.Offset, "GOT entry of "+g.Name+" ("+g.Kind+")"
				}
			}
		case sec.Name == "LIT":
			loc.Note = "the Xtensa literal table"
		case strings.HasPrefix(sec.Name, ".internal."):
			loc.Note = "stub jumping to the runtime's " + strings.TrimPrefix(sec.Name, ".internal.")
		}
		return loc, nil
	}
	o := r.object(sec.Object)
	if o.err != nil {
		loc.Note = o.err.Error()
		return loc, nil
	}
	file, line, err := lineOf(o.dwarf, off)
	if err != nil {
		loc.Note = err.Error()
		return loc, nil
	}
	loc.File, loc.Line = file, line
	return loc, nil
}

// lineOf finds the line table row that covers pc. Several rows often
// share an address (a function's definition line, then its first
// statement's); the last of them that starts a statement wins, as the
// instruction there belongs to it.
func lineOf(d *dwarf.Data, pc uint64) (string, int, error) {
	rd := d.Reader()
	for {
		cu, err := rd.Next()
		if err != nil {
			return "", 0, fmt.Errorf("reading DWARF: %v", err)
		}
		if cu == nil {
			return "", 0, errors.New("no line table row covers this offset")
		}
		if cu.Tag != dwarf.TagCompileUnit {
			rd.SkipChildren()
			continue
		}
		rd.SkipChildren()
		lr, err := d.LineReader(cu)
		if err != nil || lr == nil {
			continue
		}
		var seq []dwarf.LineEntry
		for {
			var e dwarf.LineEntry
			if err := lr.Next(&e); err != nil {
				break // io.EOF, or a damaged table: try the next unit
			}
			if !e.EndSequence {
				seq = append(seq, e)
				continue
			}
			if row, ok := pick(seq, e.Address, pc); ok && row.File != nil {
				return row.File.Name, row.Line, nil
			}
			seq = seq[:0]
		}
	}
}

// pick chooses the row of one sequence (rows by address, ending at end)
// that covers pc.
func pick(seq []dwarf.LineEntry, end, pc uint64) (dwarf.LineEntry, bool) {
	if len(seq) == 0 || pc < seq[0].Address || pc >= end {
		return dwarf.LineEntry{}, false
	}
	i := sort.Search(len(seq), func(i int) bool { return seq[i].Address > pc }) - 1
	for j := i; j >= 0 && seq[j].Address == seq[i].Address; j-- {
		if seq[j].IsStmt {
			return seq[j], true
		}
	}
	return seq[i], true
}

func (r *Resolver) readFile(name string) ([]byte, error) {
	if r.ReadFile != nil {
		return r.ReadFile(name)
	}
	return os.ReadFile(name)
}

// object loads the DWARF of an object (once), its sections placed at the
// text offsets the map gives them.
func (r *Resolver) object(name string) *object {
	if r.objs == nil {
		r.objs = map[string]*object{}
	}
	if o, ok := r.objs[name]; ok {
		return o
	}
	o := &object{}
	r.objs[name] = o
	path, member := r.Map.ObjectPath(r.MapFile, name)
	data, err := r.readFile(path)
	if err != nil {
		o.err = fmt.Errorf("cannot read the object: %v", err)
		return o
	}
	if member != "" {
		ar, err := elfobj.ReadArchive(path, data)
		if err != nil {
			o.err = err
			return o
		}
		data = nil
		for _, m := range ar.Members {
			if m.Name == member {
				data = m.Data
			}
		}
		if data == nil {
			o.err = fmt.Errorf("%s has no member %s", path, member)
			return o
		}
	}
	placed := map[string]uint64{}
	for _, s := range r.Map.Sections {
		if s.Object == name && s.Buffer == "text" {
			placed[s.Name] = s.Offset
		}
	}
	o.dwarf, o.err = loadDWARF(name, data, placed)
	return o
}

// farAway is where sections that are not in the text are put for DWARF:
// far from every text offset, one MiB apart.
const farAway = 0x80000000

// loadDWARF reads the DWARF sections of a relocatable object and applies
// their relocations, with each section of placed at its text offset (so
// that line table addresses are text offsets), other code and data
// sections far away, and DWARF sections at 0 (their offsets are
// section-relative). debug/elf relocates DWARF of relocatable objects only
// for some machines, and puts every section at 0.
func loadDWARF(name string, data []byte, placed map[string]uint64) (d *dwarf.Data, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("%s: malformed ELF or DWARF (%v)", name, r)
		}
	}()
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if f.Section(".debug_info") == nil || f.Section(".debug_line") == nil {
		return nil, errors.New("no line table: compile with -g (build --debug)")
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	base := make([]uint64, len(f.Sections))
	for i, s := range f.Sections {
		if off, ok := placed[s.Name]; ok {
			base[i] = off
		} else if s.Flags&elf.SHF_ALLOC != 0 {
			base[i] = farAway + uint64(i)<<20
		}
	}
	value := func(i uint32) (uint64, bool) {
		if i == 0 || int(i) > len(syms) {
			return 0, false
		}
		s := syms[i-1]
		if s.Section == elf.SHN_UNDEF || s.Section >= elf.SHN_LORESERVE || int(s.Section) >= len(base) {
			return 0, false
		}
		return base[s.Section] + s.Value, true
	}
	sections := map[string][]byte{}
	for i, s := range f.Sections {
		if !strings.HasPrefix(s.Name, ".debug_") {
			continue
		}
		b, err := s.Data()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", name, s.Name, err)
		}
		for _, rs := range f.Sections {
			if (rs.Type == elf.SHT_REL || rs.Type == elf.SHT_RELA) && int(rs.Info) == i {
				rd, err := rs.Data()
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %v", name, rs.Name, err)
				}
				if err := relocate(f, b, rd, rs.Type == elf.SHT_RELA, value); err != nil {
					return nil, fmt.Errorf("%s: %s: %v", name, rs.Name, err)
				}
			}
		}
		sections[s.Name] = b
	}
	d, err = dwarf.New(sections[".debug_abbrev"], sections[".debug_aranges"], sections[".debug_frame"],
		sections[".debug_info"], sections[".debug_line"], sections[".debug_pubnames"], sections[".debug_ranges"], sections[".debug_str"])
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	for _, n := range []string{".debug_addr", ".debug_line_str", ".debug_str_offsets", ".debug_rnglists"} {
		if b, ok := sections[n]; ok {
			if err := d.AddSection(n, b); err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
		}
	}
	return d, nil
}

// relocate applies the relocations in rels to the DWARF section dst. Only
// the types compilers emit in DWARF are applied: absolute words, and on
// RISC-V the ADD/SUB/SET pairs of address differences. Xtensa's DIFF types
// already hold their difference (nothing is relaxed here).
func relocate(f *elf.File, dst, rels []byte, rela bool, value func(uint32) (uint64, bool)) error {
	le := binary.LittleEndian
	size := 8
	switch {
	case f.Class == elf.ELFCLASS64 && rela:
		size = 24
	case f.Class == elf.ELFCLASS64:
		size = 16
	case rela:
		size = 12
	}
	if len(rels)%size != 0 {
		return fmt.Errorf("size %d is not a multiple of %d", len(rels), size)
	}
	for p := 0; p < len(rels); p += size {
		var off uint64
		var sym, typ uint32
		var add int64
		if f.Class == elf.ELFCLASS64 {
			off = le.Uint64(rels[p:])
			info := le.Uint64(rels[p+8:])
			sym, typ = uint32(info>>32), uint32(info)
			if rela {
				add = int64(le.Uint64(rels[p+16:]))
			}
		} else {
			off = uint64(le.Uint32(rels[p:]))
			info := le.Uint32(rels[p+4:])
			sym, typ = info>>8, info&0xff
			if rela {
				add = int64(int32(le.Uint32(rels[p+8:])))
			}
		}
		s, ok := value(sym)
		if !ok {
			continue
		}
		v := s + uint64(add)
		n, op := fieldOf(f.Machine, typ)
		if n == 0 || off+uint64(n) > uint64(len(dst)) {
			continue
		}
		if n == -1 { // ULEB128
			if err := patchULEB(dst[off:], v, op); err != nil {
				return fmt.Errorf("offset %#x: %v", off, err)
			}
			continue
		}
		field := dst[off : off+uint64(n)]
		cur := uint64(0)
		for i := n - 1; i >= 0; i-- {
			cur = cur<<8 | uint64(field[i])
		}
		switch op {
		case opSet:
			cur = v
		case opInPlace:
			cur += v
		case opAdd:
			cur += v
		case opSub:
			cur -= v
		case opSet6:
			cur = cur&^0x3f | v&0x3f
		case opSub6:
			cur = cur&^0x3f | (cur-v)&0x3f
		}
		for i := 0; i < n; i++ {
			field[i] = byte(cur >> (8 * i))
		}
	}
	return nil
}

const (
	opSet     = iota // S + A
	opInPlace        // the field plus S (+ A): REL, and Xtensa's partial in-place RELA
	opAdd
	opSub
	opSet6
	opSub6
)

// fieldOf gives the field size in bytes (-1 for ULEB128, 0 to skip) and
// the operation of a relocation type found in DWARF sections.
func fieldOf(m elf.Machine, typ uint32) (int, int) {
	switch m {
	case elf.EM_X86_64:
		switch elf.R_X86_64(typ) {
		case elf.R_X86_64_64:
			return 8, opSet
		case elf.R_X86_64_32, elf.R_X86_64_32S:
			return 4, opSet
		}
	case elf.EM_386:
		if elf.R_386(typ) == elf.R_386_32 {
			return 4, opInPlace
		}
	case elf.EM_ARM:
		if elf.R_ARM(typ) == elf.R_ARM_ABS32 {
			return 4, opInPlace
		}
	case elf.EM_XTENSA:
		if elfobj.R_XTENSA(typ) == elfobj.R_XTENSA_32 {
			return 4, opInPlace
		}
	case elf.EM_RISCV:
		switch elf.R_RISCV(typ) {
		case elf.R_RISCV_32, elf.R_RISCV_SET32:
			return 4, opSet
		case elf.R_RISCV_64:
			return 8, opSet
		case elf.R_RISCV_ADD8:
			return 1, opAdd
		case elf.R_RISCV_ADD16:
			return 2, opAdd
		case elf.R_RISCV_ADD32:
			return 4, opAdd
		case elf.R_RISCV_ADD64:
			return 8, opAdd
		case elf.R_RISCV_SUB8:
			return 1, opSub
		case elf.R_RISCV_SUB16:
			return 2, opSub
		case elf.R_RISCV_SUB32:
			return 4, opSub
		case elf.R_RISCV_SUB64:
			return 8, opSub
		case elf.R_RISCV_SET8:
			return 1, opSet
		case elf.R_RISCV_SET16:
			return 2, opSet
		case elf.R_RISCV_SET6:
			return 1, opSet6
		case elf.R_RISCV_SUB6:
			return 1, opSub6
		case elfobj.R_RISCV_SET_ULEB128:
			return -1, opSet
		case elfobj.R_RISCV_SUB_ULEB128:
			return -1, opSub
		}
	}
	return 0, 0
}

// patchULEB sets (or subtracts v from) the ULEB128 number at b, keeping
// its length.
func patchULEB(b []byte, v uint64, op int) error {
	n, cur := 0, uint64(0)
	for shift := 0; ; shift += 7 {
		if n >= len(b) || n >= 10 {
			return errors.New("ULEB128 runs past the end of the section")
		}
		cur |= uint64(b[n]&0x7f) << shift
		n++
		if b[n-1]&0x80 == 0 {
			break
		}
	}
	if op == opSub {
		v = cur - v
	}
	for i := 0; i < n; i++ {
		c := byte(v & 0x7f)
		v >>= 7
		if i < n-1 {
			c |= 0x80
		}
		b[i] = c
	}
	if v != 0 {
		return errors.New("value does not fit the ULEB128 field")
	}
	return nil
}
