// Package size reports what takes the bytes of a native module, per object
// and per symbol, from its link map, and compares two builds.
package size

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mpyld/mpyld/linkmap"
)

// Pseudo-objects for bytes that no input object brought.
const (
	Linker  = "(linker)"  // the entry jump, GOT, LIT and memset/memmove stubs
	Padding = "(padding)" // alignment between sections
)

// Report is the size breakdown of one module.
type Report struct {
	Module          string   `json:"module"`
	Arch            string   `json:"arch"`
	Text            uint64   `json:"text"`
	Rodata          uint64   `json:"rodata"`
	BSS             uint64   `json:"bss"`
	GCSections      bool     `json:"gc_sections"`
	DroppedSections int      `json:"dropped_sections"`
	DroppedBytes    uint64   `json:"dropped_bytes"`
	Objects         []Object `json:"objects"` // largest first
	Symbols         []Symbol `json:"symbols"` // largest first
}

// Object is what one object (or archive member) takes in each buffer.
type Object struct {
	Name   string `json:"name"`
	Text   uint64 `json:"text"`
	Rodata uint64 `json:"rodata"`
	BSS    uint64 `json:"bss"`
}

// Total is the sum over the buffers.
func (o Object) Total() uint64 { return o.Text + o.Rodata + o.BSS }

// Symbol is a function or variable (its aliases joined with " = "), or
// the bytes of a section that no symbol covers (named after the section,
// in parentheses). Each byte counts once: a symbol whose extent runs into
// the next symbol's is counted up to there.
type Symbol struct {
	Name   string `json:"name"`
	Object string `json:"object"`
	Buffer string `json:"buffer"`
	Size   uint64 `json:"size"`
}

func (s Symbol) key() string { return s.Object + "\x00" + s.Buffer + "\x00" + s.Name }

// FromMap computes the report of a link map.
func FromMap(m *linkmap.Map) *Report {
	r := &Report{Module: m.Module, Arch: m.Arch, Text: m.Text, Rodata: m.Rodata, BSS: m.BSS, GCSections: m.GCSections}
	objs := map[string]*Object{}
	obj := func(name string) *Object {
		if o, ok := objs[name]; ok {
			return o
		}
		o := &Object{Name: name}
		objs[name] = o
		return o
	}
	add := func(o *Object, buffer string, n uint64) {
		switch buffer {
		case "text":
			o.Text += n
		case "rodata":
			o.Rodata += n
		case "bss":
			o.BSS += n
		}
	}
	used := map[string]uint64{}
	syms := map[string]*Symbol{}
	addSym := func(s Symbol) {
		if p, ok := syms[s.key()]; ok {
			p.Size += s.Size
			return
		}
		syms[s.key()] = &s
	}
	for _, s := range m.Sections {
		name := s.Object
		if name == "" {
			name = Linker
		}
		add(obj(name), s.Buffer, s.Size)
		used[s.Buffer] += s.Size
		// Symbols, and the bytes no symbol covers.
		type span struct{ lo, hi uint64 }
		var spans []span
		aliases := map[span][]string{} // names of one function (__aeabi_dadd = __adddf3)
		for _, y := range s.Symbols {
			if y.Size > 0 {
				sp := span{y.Offset, y.Offset + y.Size}
				if aliases[sp] == nil {
					spans = append(spans, sp)
				}
				aliases[sp] = append(aliases[sp], y.Name)
			}
		}
		// Each byte counts once: a symbol that runs into the next one
		// (assembly that falls through) is cut where the next begins.
		sort.SliceStable(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
		for i, sp := range spans {
			hi := sp.hi
			if i+1 < len(spans) && spans[i+1].lo > sp.lo && spans[i+1].lo < hi {
				hi = spans[i+1].lo
			}
			addSym(Symbol{Name: strings.Join(aliases[sp], " = "), Object: name, Buffer: s.Buffer, Size: hi - sp.lo})
			spans[i].hi = hi
		}
		covered, end := uint64(0), s.Offset
		for _, sp := range spans {
			lo, hi := max(sp.lo, end), min(sp.hi, s.Offset+s.Size)
			if hi > lo {
				covered += hi - lo
				end = hi
			}
		}
		if rest := s.Size - min(covered, s.Size); rest > 0 {
			n := s.Name
			if !strings.HasPrefix(n, "(") {
				n = "(" + n + ")"
			}
			addSym(Symbol{Name: n, Object: name, Buffer: s.Buffer, Size: rest})
		}
	}
	for _, b := range []struct {
		name  string
		total uint64
	}{{"text", m.Text}, {"rodata", m.Rodata}, {"bss", m.BSS}} {
		if b.total > used[b.name] {
			add(obj(Padding), b.name, b.total-used[b.name])
		}
	}
	for _, d := range m.Dropped {
		r.DroppedSections++
		r.DroppedBytes += d.Size
	}
	for _, o := range objs {
		r.Objects = append(r.Objects, *o)
	}
	sort.Slice(r.Objects, func(i, j int) bool {
		a, b := r.Objects[i], r.Objects[j]
		if a.Total() != b.Total() {
			return a.Total() > b.Total()
		}
		return a.Name < b.Name
	})
	for _, s := range syms {
		r.Symbols = append(r.Symbols, *s)
	}
	sort.Slice(r.Symbols, func(i, j int) bool {
		a, b := r.Symbols[i], r.Symbols[j]
		if a.Size != b.Size {
			return a.Size > b.Size
		}
		return a.key() < b.key()
	})
	return r
}

// Totals returns the report of a module whose map is not at hand: only
// the buffer sizes.
func Totals(module, arch string, text, rodata, bss uint64) *Report {
	return &Report{Module: module, Arch: arch, Text: text, Rodata: rodata, BSS: bss}
}

// Header is the one-line summary of r.
func (r *Report) Header() string {
	s := fmt.Sprintf("%s (%s): text %d, rodata %d, bss %d bytes", r.Module, r.Arch, r.Text, r.Rodata, r.BSS)
	if r.GCSections {
		s += fmt.Sprintf("; --gc-sections dropped %d sections, %d bytes", r.DroppedSections, r.DroppedBytes)
	}
	return s
}

// WriteText writes the report as tables; top > 0 limits the symbol list.
func (r *Report) WriteText(w io.Writer, top int) error {
	fmt.Fprintln(w, r.Header())
	if len(r.Objects) == 0 {
		_, err := fmt.Fprintln(w, "(no link map: per-object and per-symbol sizes need link --map or build --map)")
		return err
	}
	t := table{align: "rrrrl"}
	t.add("text", "rodata", "bss", "total", "object")
	for _, o := range r.Objects {
		t.add(num(o.Text), num(o.Rodata), num(o.BSS), num(o.Total()), o.Name)
	}
	t.add(num(r.Text), num(r.Rodata), num(r.BSS), num(r.Text+r.Rodata+r.BSS), "total")
	fmt.Fprintln(w)
	t.write(w)
	t = table{align: "rlll"}
	t.add("size", "buffer", "symbol", "object")
	for i, s := range r.Symbols {
		if top > 0 && i == top {
			t.add("", "", fmt.Sprintf("... %d more", len(r.Symbols)-top), "")
			break
		}
		t.add(num(s.Size), s.Buffer, s.Name, s.Object)
	}
	fmt.Fprintln(w)
	return t.write(w)
}

func num[T int64 | uint64](v T) string { return fmt.Sprint(v) }

// table lays out rows in columns, each aligned left (l) or right (r).
type table struct {
	align string
	rows  [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) error {
	width := make([]int, len(t.align))
	for _, r := range t.rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len(c))
			switch {
			case t.align[i] == 'r':
				b.WriteString(pad + c)
			case i == len(r)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Delta is the change of one object's or symbol's size.
type Delta struct {
	Name   string `json:"name"`
	Object string `json:"object,omitempty"` // for symbols
	Buffer string `json:"buffer,omitempty"` // for symbols
	Old    uint64 `json:"old"`
	New    uint64 `json:"new"`
}

// Change is New - Old.
func (d Delta) Change() int64 { return int64(d.New) - int64(d.Old) }

// Diff compares two reports of the same module.
type Diff struct {
	Old     *Report `json:"-"`
	New     *Report `json:"-"`
	Module  string  `json:"module"`
	Arch    string  `json:"arch"`
	Text    Delta   `json:"text"`
	Rodata  Delta   `json:"rodata"`
	BSS     Delta   `json:"bss"`
	Objects []Delta `json:"objects"` // only changed ones, largest change first
	Symbols []Delta `json:"symbols"`
}

// Compare lists what changed from old to new.
func Compare(old, new *Report) *Diff {
	d := &Diff{Old: old, New: new, Module: new.Module, Arch: new.Arch,
		Text:   Delta{Name: "text", Old: old.Text, New: new.Text},
		Rodata: Delta{Name: "rodata", Old: old.Rodata, New: new.Rodata},
		BSS:    Delta{Name: "bss", Old: old.BSS, New: new.BSS}}
	objs := map[string]*Delta{}
	for _, o := range old.Objects {
		objs[o.Name] = &Delta{Name: o.Name, Old: o.Total()}
	}
	for _, o := range new.Objects {
		if p, ok := objs[o.Name]; ok {
			p.New = o.Total()
		} else {
			objs[o.Name] = &Delta{Name: o.Name, New: o.Total()}
		}
	}
	syms := map[string]*Delta{}
	for _, s := range old.Symbols {
		syms[s.key()] = &Delta{Name: s.Name, Object: s.Object, Buffer: s.Buffer, Old: s.Size}
	}
	for _, s := range new.Symbols {
		if p, ok := syms[s.key()]; ok {
			p.New = s.Size
		} else {
			syms[s.key()] = &Delta{Name: s.Name, Object: s.Object, Buffer: s.Buffer, New: s.Size}
		}
	}
	d.Objects, d.Symbols = changed(objs), changed(syms)
	return d
}

func changed(m map[string]*Delta) []Delta {
	var out []Delta
	for _, v := range m {
		if v.Change() != 0 {
			out = append(out, *v)
		}
	}
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if abs(a.Change()) != abs(b.Change()) {
			return abs(a.Change()) > abs(b.Change())
		}
		return a.Object+"\x00"+a.Name < b.Object+"\x00"+b.Name
	})
	return out
}

func percent(d Delta) string {
	if d.Old == 0 {
		return ""
	}
	return fmt.Sprintf("%+.1f%%", 100*float64(d.Change())/float64(d.Old))
}

// WriteText writes the differences as tables; top > 0 limits the lists.
func (d *Diff) WriteText(w io.Writer, top int) error {
	fmt.Fprintf(w, "%s (%s): %s -> %s, total %+.1f%%\n\n", d.Module, d.Arch, d.Old.Module, d.New.Module, d.Percent())
	t := table{align: "rrrrl"}
	t.add("old", "new", "change", "", "buffer")
	for _, x := range []Delta{d.Text, d.Rodata, d.BSS} {
		t.add(num(x.Old), num(x.New), fmt.Sprintf("%+d", x.Change()), percent(x), x.Name)
	}
	if err := t.write(w); err != nil {
		return err
	}
	list := func(ds []Delta, sym bool) error {
		if len(ds) == 0 {
			return nil
		}
		t := table{align: "rrrll"}
		if sym {
			t.add("old", "new", "change", "symbol", "object")
		} else {
			t.add("old", "new", "change", "object")
		}
		for i, x := range ds {
			if top > 0 && i == top {
				t.add("", "", "", fmt.Sprintf("... %d more", len(ds)-top))
				break
			}
			if sym {
				t.add(num(x.Old), num(x.New), fmt.Sprintf("%+d", x.Change()), x.Name, x.Object)
			} else {
				t.add(num(x.Old), num(x.New), fmt.Sprintf("%+d", x.Change()), x.Name)
			}
		}
		fmt.Fprintln(w)
		return t.write(w)
	}
	if err := list(d.Objects, false); err != nil {
		return err
	}
	return list(d.Symbols, true)
}

// Percent is the change of the module's total size (text, rodata and
// bss), in percent of the old size.
func (d *Diff) Percent() float64 {
	o := d.Text.Old + d.Rodata.Old + d.BSS.Old
	n := d.Text.New + d.Rodata.New + d.BSS.New
	if o == 0 {
		return 0
	}
	return 100 * (float64(n) - float64(o)) / float64(o)
}
