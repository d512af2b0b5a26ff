// This file implements reading an ar archive through its symbol table alone:
// a link looks up the symbols it needs and reads just the members that
// define them, never walking (or parsing) the others.

package elfobj

import "fmt"

// Index maps the global symbols of an archive to the members that define
// them, each member named by the offset of its header.
type Index struct {
	file  string
	data  []byte
	table bool // read from the archive's symbol table
	// first maps a symbol to the entry of offs that first defines it;
	// more holds every entry of the few symbols defined more than once.
	first map[string]int32
	offs  []int64
	more  map[string][]int64

	longNames []byte // the "//" member, once looked for
	longRead  bool
}

// ReadIndex reads the GNU symbol table ("/" or "/SYM64/") that starts an
// archive, and nothing else. When the archive has no such table the Index is
// empty and HasTable reports false: fill it with Add from the members.
// name is used in error messages; data must stay valid while the Index is used.
func ReadIndex(name string, data []byte) (*Index, error) {
	if !IsArchive(data) {
		return nil, &Error{File: name, Off: -1, Msg: "not an ar archive (bad magic)"}
	}
	x := &Index{file: name, data: data, first: map[string]int32{}}
	if len(data) == 8 {
		return x, nil
	}
	h, err := readHeader(name, data, 8)
	if err != nil {
		return nil, err
	}
	w := 0
	switch h.rawName {
	case "/":
		w = 4
	case "/SYM64/":
		w = 8
	default:
		return x, nil
	}
	if err := x.readTable(h.body, w); err != nil {
		return nil, &Error{File: name, Off: 8, Msg: "corrupt symbol table: " + err.Error()}
	}
	x.table = true
	return x, nil
}

// readTable decodes a GNU symbol table: a big-endian count, that many member
// header offsets, then as many NUL-terminated names. The offsets are checked
// when a member is read.
func (x *Index) readTable(b []byte, w int) error {
	word := func(off int) uint64 {
		var v uint64
		for i := 0; i < w; i++ {
			v = v<<8 | uint64(b[off+i])
		}
		return v
	}
	if len(b) < w {
		return fmt.Errorf("too short")
	}
	n := word(0)
	if n > uint64(len(b)/w-1) {
		return fmt.Errorf("%d entries do not fit in %d bytes", n, len(b))
	}
	// One string holds every name; the keys share its memory, not data's.
	names := string(b[w+int(n)*w:])
	x.first = make(map[string]int32, n)
	x.offs = make([]int64, 0, n)
	for i := 0; i < int(n); i++ {
		end := indexNUL(names)
		if end < 0 {
			return fmt.Errorf("name %d is not terminated", i)
		}
		x.Add(names[:end], int64(word(w+i*w)))
		names = names[end+1:]
	}
	return nil
}

func indexNUL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

// HasTable reports whether the archive had a symbol table.
func (x *Index) HasTable() bool { return x.table }

// Add records that the member whose header is at off defines sym.
func (x *Index) Add(sym string, off int64) {
	i, ok := x.first[sym]
	if !ok {
		x.first[sym] = int32(len(x.offs))
		x.offs = append(x.offs, off)
		return
	}
	if l := x.more[sym]; len(l) > 0 {
		if l[len(l)-1] != off {
			x.more[sym] = append(l, off)
		}
	} else if x.offs[i] != off {
		if x.more == nil {
			x.more = map[string][]int64{}
		}
		x.more[sym] = []int64{x.offs[i], off}
	}
}

// Lookup returns the header offsets of the members that define sym, in the
// order of the symbol table.
func (x *Index) Lookup(sym string) []int64 {
	if l, ok := x.more[sym]; ok {
		return l
	}
	if i, ok := x.first[sym]; ok {
		return x.offs[i : i+1 : i+1]
	}
	return nil
}

// Member reads the member whose header is at off, as a symbol table entry
// names it.
func (x *Index) Member(off int64) (Member, error) {
	if off < 8 || off >= int64(len(x.data)) {
		return Member{}, &Error{File: x.file, Off: off, Msg: "symbol table points outside the archive"}
	}
	h, err := readHeader(x.file, x.data, int(off))
	if err != nil {
		return Member{}, err
	}
	switch h.rawName {
	case "/", "/SYM64/", "//":
		return Member{}, &Error{File: x.file, Off: off, Msg: fmt.Sprintf("symbol table points at the %q member, not an object", h.rawName)}
	}
	name, body, err := memberName(x.file, int(off), h.rawName, h.body, x.long())
	if err != nil {
		return Member{}, err
	}
	return Member{Name: name, Data: body, Off: off}, nil
}

// long finds the GNU long-name table: among the special members at the
// start of the archive, where ar puts it.
func (x *Index) long() []byte {
	if x.longRead {
		return x.longNames
	}
	x.longRead = true
	for off := 8; off < len(x.data); {
		h, err := readHeader(x.file, x.data, off)
		if err != nil {
			return nil
		}
		switch h.rawName {
		case "/", "/SYM64/", "__.SYMDEF", "__.SYMDEF SORTED":
			off = h.next
		case "//":
			x.longNames = h.body
			return x.longNames
		default:
			return nil
		}
	}
	return nil
}
