// Package linkmap writes and reads link maps: where each section, function
// and variable of a native module landed, the GOT, and what --gc-sections
// dropped and why.
package linkmap

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mpyld/mpyld/linker"
)

// Map is a link map.
type Map struct {
	Module     string `json:"module"` // the .mpy as the linker wrote it
	Arch       string `json:"arch"`
	GCSections bool   `json:"gc_sections"`
	// Base is the folder that relative object paths start from, relative
	// to the folder of the map file (or absolute).
	Base     string     `json:"base"`
	Text     uint64     `json:"text"`
	Rodata   uint64     `json:"rodata"`
	BSS      uint64     `json:"bss"`
	Sections []Section  `json:"sections"` // by buffer and offset
	GOT      []GOTEntry `json:"got,omitempty"`
	Dropped  []Section  `json:"dropped,omitempty"` // in load order
	// Unscanned lists the writable variables that some ports' GC does not
	// scan, so that a heap object kept only in one of them is freed there.
	Unscanned []Unscanned `json:"unscanned,omitempty"`
}

// Unscanned is a writable variable and the ports whose GC does not scan it.
type Unscanned struct {
	Name   string `json:"name"`
	Object string `json:"object"`
	Ports  string `json:"ports"`
}

// Section is a laid-out (or dropped) section, or one the linker made: the
// entry jump "(entry)", "GOT", "LIT" and the .internal.* stubs.
type Section struct {
	Buffer  string   `json:"buffer"` // text, rodata or bss; for dropped ones where it would have gone, or literal
	Offset  uint64   `json:"offset"` // in the buffer; 0 for dropped ones
	Size    uint64   `json:"size"`
	Name    string   `json:"name"`
	Object  string   `json:"object,omitempty"` // file or "archive:member"; empty for the linker's own
	Symbols []Symbol `json:"symbols,omitempty"`
	Reason  string   `json:"reason,omitempty"` // why it was dropped
}

// Symbol is a named function or variable.
type Symbol struct {
	Kind   string `json:"kind"`   // func, object or notype
	Offset uint64 `json:"offset"` // in the buffer; in the section for dropped ones
	Size   uint64 `json:"size"`
	Name   string `json:"name"`
	Bind   string `json:"bind"` // local, global or weak
}

// GOTEntry is one GOT word.
type GOTEntry struct {
	Offset uint64 `json:"offset"` // in text
	Name   string `json:"name"`
	Kind   string `json:"kind"` // what the loader adds, or "fixed"
}

// Entry is the name of the pseudo-section of the entry jump.
const Entry = "(entry)"

var bufferOrder = map[string]int{"text": 0, "rodata": 1, "bss": 2, "literal": 3}

// New makes the map of a link.
func New(module, arch string, gc bool, res *linker.Result) *Map {
	m := &Map{Module: module, Arch: arch, GCSections: gc, Base: ".",
		Text: uint64(res.TextSize), Rodata: uint64(res.RodataSize), BSS: uint64(res.BSSSize)}
	if n := res.EntrySize; n > 0 {
		m.Sections = append(m.Sections, Section{Buffer: "text", Size: uint64(n), Name: Entry})
	}
	for _, p := range res.Sections {
		m.Sections = append(m.Sections, Section{Buffer: p.Buffer, Offset: p.Addr, Size: p.Size, Name: p.Name, Object: p.Object})
	}
	sort.SliceStable(m.Sections, func(i, j int) bool {
		a, b := m.Sections[i], m.Sections[j]
		if a.Buffer != b.Buffer {
			return bufferOrder[a.Buffer] < bufferOrder[b.Buffer]
		}
		return a.Offset < b.Offset
	})
	type key struct{ buffer, obj, name string }
	byName := map[key][]int{}
	for i, s := range m.Sections {
		k := key{s.Buffer, s.Object, s.Name}
		byName[k] = append(byName[k], i)
	}
	for _, d := range res.Defs {
		for _, i := range byName[key{d.Buffer, d.Object, d.Section}] {
			if s := &m.Sections[i]; d.Addr >= s.Offset && d.Addr <= s.Offset+s.Size {
				s.Symbols = append(s.Symbols, symbol(d))
				break
			}
		}
	}
	for _, g := range res.GOT {
		m.GOT = append(m.GOT, GOTEntry{Offset: g.Addr, Name: g.Name, Kind: g.Kind})
	}
	for _, v := range res.Variables() {
		if v.Unscanned != "" {
			m.Unscanned = append(m.Unscanned, Unscanned{Name: v.Name, Object: v.Object, Ports: v.Unscanned})
		}
	}
	for _, d := range res.Dropped {
		s := Section{Buffer: d.Buffer, Size: d.Size, Name: d.Name, Object: d.Object, Reason: d.Reason}
		for _, sym := range d.Symbols {
			s.Symbols = append(s.Symbols, symbol(sym))
		}
		m.Dropped = append(m.Dropped, s)
	}
	return m
}

func symbol(d linker.Def) Symbol {
	return Symbol{Kind: d.Kind, Offset: d.Addr, Size: d.Size, Name: d.Name, Bind: d.Bind}
}

// Lookup finds the section and the symbol (nil if none) that hold offset
// off of buffer. A symbol holds the offsets from its start to its end; a
// zero-sized one, those up to the next symbol.
func (m *Map) Lookup(buffer string, off uint64) (*Section, *Symbol) {
	for i := range m.Sections {
		s := &m.Sections[i]
		if s.Buffer != buffer || off < s.Offset || off >= s.Offset+s.Size {
			continue
		}
		var best *Symbol
		for j := range s.Symbols {
			y := &s.Symbols[j]
			switch {
			case y.Offset > off:
			case off < y.Offset+y.Size:
				return s, y
			case y.Size == 0 && (best == nil || y.Offset > best.Offset):
				best = y
			}
		}
		return s, best
	}
	return nil, nil
}

// ObjectPath returns where the object obj of a map read from mapFile is,
// and the archive member name if obj is "archive:member".
func (m *Map) ObjectPath(mapFile, obj string) (path, member string) {
	resolve := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(filepath.Dir(mapFile), m.Base, p)
	}
	if i := strings.LastIndex(obj, ":"); i > 0 {
		if _, err := os.Stat(resolve(obj)); err != nil {
			return resolve(obj[:i]), obj[i+1:]
		}
	}
	return resolve(obj), ""
}

// needsQuote reports whether a field must be quoted to read back as one.
func needsQuote(s string) bool {
	return s == "" || s == "-" || strings.ContainsAny(s, " \t\"#\\") || !strconv.CanBackquote(s)
}

func field(s string) string {
	if s == "" {
		return "-"
	}
	if needsQuote(s) {
		return strconv.Quote(s)
	}
	return s
}

// WriteText writes the map in its text form: one line per section,
// symbol, GOT entry and dropped section, in columns.
func (m *Map) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	gc := "no"
	if m.GCSections {
		gc = "yes"
	}
	fmt.Fprintf(b, "# mpyld link map (format 1)\n")
	fmt.Fprintf(b, "module       %s\narch         %s\nbase         %s\ngc-sections  %s\n", field(m.Module), field(m.Arch), field(m.Base), gc)
	fmt.Fprintf(b, "size         text %d rodata %d bss %d\n", m.Text, m.Rodata, m.BSS)
	fmt.Fprintf(b, "\n# buffer  offset       size  section or symbol            object or binding\n")
	for _, s := range m.Sections {
		fmt.Fprintf(b, "%-8s  0x%08x %6d  %-28s %s\n", s.Buffer, s.Offset, s.Size, field(s.Name), field(s.Object))
		for _, y := range s.Symbols {
			fmt.Fprintf(b, "  %-6s  0x%08x %6d    %-26s %s\n", y.Kind, y.Offset, y.Size, field(y.Name), y.Bind)
		}
		if s.Name == "GOT" && s.Object == "" {
			for _, g := range m.GOT {
				fmt.Fprintf(b, "  got     0x%08x %6s    %-26s %s\n", g.Offset, "", field(g.Name), field(g.Kind))
			}
		}
	}
	if len(m.Unscanned) > 0 {
		fmt.Fprintf(b, "\n# writable variables some ports' GC does not scan: a heap object kept only in one is freed there\n")
		for _, v := range m.Unscanned {
			fmt.Fprintf(b, "unscanned %-26s %s %s\n", field(v.Name), field(v.Object), strconv.Quote(v.Ports))
		}
	}
	if len(m.Dropped) > 0 {
		var total uint64
		for _, d := range m.Dropped {
			total += d.Size
		}
		fmt.Fprintf(b, "\n# dropped by --gc-sections: %d sections, %d bytes\n", len(m.Dropped), total)
		fmt.Fprintf(b, "# buffer  size  section                      object and why nothing kept it\n")
		for _, d := range m.Dropped {
			fmt.Fprintf(b, "dropped %-8s %6d  %-28s %s %s\n", d.Buffer, d.Size, field(d.Name), field(d.Object), strconv.Quote(d.Reason))
			for _, y := range d.Symbols {
				fmt.Fprintf(b, "  %-6s  0x%08x %6d    %-26s %s\n", y.Kind, y.Offset, y.Size, field(y.Name), y.Bind)
			}
		}
	}
	return b.Flush()
}

// WriteJSON writes the map as one JSON object.
func (m *Map) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// Encode returns the map in the form its file name asks for: JSON for
// names ending in .json, text otherwise.
func (m *Map) Encode(name string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if strings.HasSuffix(strings.ToLower(name), ".json") {
		err = m.WriteJSON(&buf)
	} else {
		err = m.WriteText(&buf)
	}
	return buf.Bytes(), err
}

// fields splits a line into whitespace-separated fields; a field may be a
// Go-quoted string.
func fields(line string) ([]string, error) {
	var out []string
	for {
		line = strings.TrimLeft(line, " \t")
		if line == "" {
			return out, nil
		}
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				return nil, fmt.Errorf("bad quoted field %s", line)
			}
			s, _ := strconv.Unquote(q)
			out = append(out, s)
			line = line[len(q):]
			continue
		}
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			i = len(line)
		}
		f := line[:i]
		if f == "-" {
			f = ""
		}
		out = append(out, f)
		line = line[i:]
	}
}

// Read reads a map in either form. name is used in error messages.
func Read(name string, data []byte) (*Map, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		m := &Map{}
		if err := json.Unmarshal(data, m); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		return m, nil
	}
	m := &Map{}
	var cur *Section
	seenModule := false
	for n, line := range strings.Split(string(data), "\n") {
		errf := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, n+1, fmt.Sprintf(format, args...))
		}
		if t := strings.TrimSpace(line); t == "" || t[0] == '#' {
			continue
		}
		f, err := fields(line)
		if err != nil {
			return nil, errf("%v", err)
		}
		num := func(i int) uint64 {
			if err != nil {
				return 0
			}
			if i >= len(f) {
				err = errf("%q: too few fields", line)
				return 0
			}
			var v uint64
			v, err = strconv.ParseUint(f[i], 0, 64)
			if err != nil {
				err = errf("%q is not a number", f[i])
			}
			return v
		}
		want := func(k int) bool {
			if len(f) < k {
				err = errf("%q: want %d fields", strings.TrimSpace(line), k)
				return false
			}
			return true
		}
		switch f[0] {
		case "module":
			if want(2) {
				m.Module, seenModule = f[1], true
			}
		case "arch":
			if want(2) {
				m.Arch = f[1]
			}
		case "base":
			if want(2) {
				m.Base = f[1]
			}
		case "gc-sections":
			if want(2) {
				m.GCSections = f[1] == "yes"
			}
		case "size":
			if want(7) {
				m.Text, m.Rodata, m.BSS = num(2), num(4), num(6)
			}
		case "text", "rodata", "bss":
			if want(5) {
				m.Sections = append(m.Sections, Section{Buffer: f[0], Offset: num(1), Size: num(2), Name: f[3], Object: f[4]})
				cur = &m.Sections[len(m.Sections)-1]
			}
		case "dropped":
			if want(6) {
				m.Dropped = append(m.Dropped, Section{Buffer: f[1], Size: num(2), Name: f[3], Object: f[4], Reason: f[5]})
				cur = &m.Dropped[len(m.Dropped)-1]
			}
		case "func", "object", "notype":
			if !want(5) {
				break
			}
			if cur == nil {
				return nil, errf("symbol %q before any section", f[3])
			}
			cur.Symbols = append(cur.Symbols, Symbol{Kind: f[0], Offset: num(1), Size: num(2), Name: f[3], Bind: f[4]})
		case "unscanned":
			if want(4) {
				m.Unscanned = append(m.Unscanned, Unscanned{Name: f[1], Object: f[2], Ports: f[3]})
			}
		case "got":
			if want(4) {
				m.GOT = append(m.GOT, GOTEntry{Offset: num(1), Name: f[2], Kind: f[3]})
			}
		default:
			return nil, errf("unknown line %q", strings.TrimSpace(line))
		}
		if err != nil {
			return nil, err
		}
	}
	if !seenModule {
		return nil, fmt.Errorf("%s: not an mpyld link map (no module line)", name)
	}
	return m, nil
}

// ReadFile reads a map file.
func ReadFile(name string) (*Map, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return Read(name, data)
}

// Find returns the link maps that path stands for: path itself if it is a
// map; for a module X.mpy, X.map (or X.map.json) beside it, or the map
// that build --map wrote for it (build/NAME.map beside a one-arch module,
// build/ARCH/NAME.map for dist/ARCH/NAME.mpy); for a folder, the maps in
// it, one level below, and in its build folder.
func Find(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		var found []string
		seen := map[string]bool{}
		for _, pat := range []string{"*.map", "*.map.json", "*/*.map", "*/*.map.json", "build/*.map", "build/*.map.json", "build/*/*.map", "build/*/*.map.json"} {
			matches, _ := filepath.Glob(filepath.Join(path, pat))
			for _, m := range matches {
				if !seen[m] && isMap(m) {
					seen[m] = true
					found = append(found, m)
				}
			}
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no link maps in it (build with --map, or link with --map FILE)", path)
		}
		return found, nil
	}
	if !strings.HasSuffix(path, ".mpy") {
		return []string{path}, nil
	}
	stem := strings.TrimSuffix(path, ".mpy")
	name := filepath.Base(stem)
	dir := filepath.Dir(path)
	tried := []string{stem + ".map", stem + ".map.json", filepath.Join(dir, "build", name+".map")}
	if arch := filepath.Base(dir); filepath.Base(filepath.Dir(dir)) == "dist" {
		tried = append(tried, filepath.Join(dir, "..", "..", "build", arch, name+".map"))
	}
	for _, p := range tried {
		if isMap(p) {
			return []string{p}, nil
		}
	}
	return nil, fmt.Errorf("%s: no link map found (tried %s): link with --map, or build with --map", path, strings.Join(tried, ", "))
}

// isMap reports whether p is a file that starts like a link map.
func isMap(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	head = bytes.TrimSpace(head[:n])
	return bytes.HasPrefix(head, []byte("# mpyld link map")) || bytes.HasPrefix(head, []byte("{")) && bytes.Contains(head, []byte(`"module"`))
}
