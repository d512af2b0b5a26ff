// This file implements the reader for Unix ar archives (System V/GNU and BSD name forms).

package elfobj

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Member is one file inside an ar archive.
type Member struct {
	Name string
	Data []byte
	Off  int64 // offset of the member header in the archive
}

// Archive is a parsed ar archive.
type Archive struct {
	Members []Member
	// Index maps each symbol of the archive's symbol table to the members
	// that define it, in archive order; nil when the archive has no table.
	Index map[string][]int
}

// ReadArchive splits an ar archive into its members and reads its GNU symbol
// table if it has one. name is used in error messages.
func ReadArchive(name string, data []byte) (*Archive, error) {
	if !IsArchive(data) {
		return nil, &Error{File: name, Off: -1, Msg: "not an ar archive (bad magic)"}
	}
	var members []Member
	var symtab []byte
	var symWidth int
	var longNames []byte
	off := 8
	for off < len(data) {
		if data[off] == '\n' { // stray padding at the very end
			off++
			continue
		}
		h, err := readHeader(name, data, off)
		if err != nil {
			return nil, err
		}
		rawName, body, hdrOff := h.rawName, h.body, off
		off = h.next
		switch rawName {
		case "/":
			symtab, symWidth = body, 4
			continue
		case "/SYM64/":
			symtab, symWidth = body, 8
			continue
		case "//":
			longNames = body
			continue
		}
		mname, body, err := memberName(name, hdrOff, rawName, body, longNames)
		if err != nil {
			return nil, err
		}
		if isSymdef(mname) {
			continue
		}
		members = append(members, Member{Name: mname, Data: body, Off: int64(hdrOff)})
	}
	a := &Archive{Members: members}
	if symtab != nil {
		idx, err := readSymtab(symtab, symWidth, members)
		if err != nil {
			return nil, &Error{File: name, Off: -1, Msg: "corrupt symbol table: " + err.Error()}
		}
		a.Index = idx
	}
	return a, nil
}

// header is one member header and the bytes it covers.
type header struct {
	rawName string // the name field, trailing blanks removed
	body    []byte
	next    int // offset of the next header
}

// readHeader reads the member header at off.
func readHeader(name string, data []byte, off int) (header, error) {
	if off < 8 || off > len(data) || len(data)-off < 60 {
		return header{}, &Error{File: name, Off: int64(off), Msg: "truncated member header"}
	}
	h := data[off : off+60]
	if h[58] != '`' || h[59] != '\n' {
		return header{}, &Error{File: name, Off: int64(off), Msg: "corrupt member header (bad terminator)"}
	}
	rawName := strings.TrimRight(string(h[0:16]), " ")
	size, err := strconv.ParseUint(strings.TrimSpace(string(h[48:58])), 10, 63)
	if err != nil {
		return header{}, &Error{File: name, Off: int64(off), Msg: fmt.Sprintf("corrupt member size %q", strings.TrimSpace(string(h[48:58])))}
	}
	start := off + 60
	if size > uint64(len(data)-start) {
		return header{}, &Error{File: name, Off: int64(off), Msg: fmt.Sprintf("member %q of %d bytes extends past the end of the archive: truncated?", rawName, size)}
	}
	next := start + int(size)
	if next%2 == 1 {
		next++
	}
	return header{rawName: rawName, body: data[start : start+int(size)], next: next}, nil
}

// memberName resolves the name of a member from its header's name field:
// plain ("name/" or BSD "name"), GNU long ("/123", an offset into the "//"
// table) or BSD long ("#1/12", the name in front of the data, which is
// returned without it).
func memberName(file string, off int, rawName string, body, longNames []byte) (string, []byte, error) {
	switch {
	case strings.HasPrefix(rawName, "#1/"):
		n, err := strconv.Atoi(rawName[3:])
		if err != nil || n < 0 || n > len(body) {
			return "", nil, &Error{File: file, Off: int64(off), Msg: fmt.Sprintf("corrupt BSD member name %q", rawName)}
		}
		return strings.TrimRight(string(body[:n]), "\x00"), body[n:], nil
	case strings.HasPrefix(rawName, "/"):
		n, err := strconv.Atoi(rawName[1:])
		if err != nil || n < 0 || n >= len(longNames) {
			return "", nil, &Error{File: file, Off: int64(off), Msg: fmt.Sprintf("member name %q points outside the long-name table", rawName)}
		}
		rest := longNames[n:]
		if end := bytes.IndexByte(rest, '\n'); end >= 0 {
			rest = rest[:end]
		}
		return strings.TrimSuffix(string(rest), "/"), body, nil
	}
	return strings.TrimSuffix(rawName, "/"), body, nil
}

// isSymdef reports whether a member name is a BSD symbol table's.
func isSymdef(name string) bool { return name == "__.SYMDEF" || name == "__.SYMDEF SORTED" }

// readSymtab decodes a GNU ar symbol table (Index.readTable) into member
// indices.
func readSymtab(b []byte, w int, members []Member) (map[string][]int, error) {
	x := &Index{first: map[string]int32{}}
	if err := x.readTable(b, w); err != nil {
		return nil, err
	}
	byOff := make(map[int64]int, len(members))
	for i, m := range members {
		byOff[m.Off] = i
	}
	idx := make(map[string][]int, len(x.first))
	for _, sym := range slices.Sorted(maps.Keys(x.first)) { // the first bad symbol by name
		for _, off := range x.Lookup(sym) {
			m, ok := byOff[off]
			if !ok {
				return nil, fmt.Errorf("symbol %q points at no member", sym)
			}
			idx[sym] = append(idx[sym], m)
		}
	}
	return idx, nil
}
