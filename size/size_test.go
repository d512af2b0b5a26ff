package size

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/linktest"
	"github.com/mpyld/mpyld/linkmap"
)

// link links a golden case and returns its map, objects by base name.
func link(t *testing.T, name string, gc bool) *linkmap.Map {
	t.Helper()
	cfg, res := linktest.Link(t, name, gc)
	m := linkmap.New(cfg.SourceName, cfg.Arch.Name, gc, res)
	for i := range m.Sections {
		if o := m.Sections[i].Object; o != "" {
			m.Sections[i].Object = filepath.Base(o)
		}
	}
	return m
}

// TestReportAddsUp checks that the objects and the symbols account for
// every byte of each buffer.
func TestReportAddsUp(t *testing.T) {
	for _, name := range []string{"x64/tables", "armv7emsp/mathy", "xtensa/multi/sections", "rv64imc/hello/sections"} {
		t.Run(name, func(t *testing.T) {
			r := FromMap(link(t, name, false))
			var text, rodata, bss uint64
			for _, o := range r.Objects {
				text, rodata, bss = text+o.Text, rodata+o.Rodata, bss+o.BSS
			}
			if text != r.Text || rodata != r.Rodata || bss != r.BSS {
				t.Errorf("objects add up to %d/%d/%d, module has %d/%d/%d", text, rodata, bss, r.Text, r.Rodata, r.BSS)
			}
			var syms uint64
			for _, s := range r.Symbols {
				syms += s.Size
			}
			var pad uint64
			for _, o := range r.Objects {
				if o.Name == Padding {
					pad = o.Total()
				}
			}
			if syms+pad != r.Text+r.Rodata+r.BSS {
				t.Errorf("symbols %d + padding %d != module %d", syms, pad, r.Text+r.Rodata+r.BSS)
			}
			for i := 1; i < len(r.Symbols); i++ {
				if r.Symbols[i].Size > r.Symbols[i-1].Size {
					t.Fatalf("symbols not sorted by size: %v", r.Symbols[i-1:i+1])
				}
			}
			var all, top bytes.Buffer
			if err := r.WriteText(&all, 0); err != nil {
				t.Fatal(err)
			}
			if err := r.WriteText(&top, 5); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(all.String(), " mpy_init ") || !strings.Contains(top.String(), "... ") {
				t.Errorf("report:\n%s\ntop 5:\n%s", all.String(), top.String())
			}
		})
	}
}

// TestDiff compares the weak module linked with and without --gc-sections:
// the only change is a.o's weak offset(), 4 bytes of Thumb code.
func TestDiff(t *testing.T) {
	old := FromMap(link(t, "armv6m/weak/sections", false))
	new := FromMap(link(t, "armv6m/weak/sections", true))
	d := Compare(old, new)
	if d.Text.Change() != -4 || d.Rodata.Change() != 0 || d.BSS.Change() != 0 {
		t.Errorf("text %+d rodata %+d bss %+d, want -4 0 0", d.Text.Change(), d.Rodata.Change(), d.BSS.Change())
	}
	if len(d.Symbols) != 1 || d.Symbols[0] != (Delta{Name: "offset", Object: "a.o", Buffer: "text", Old: 4, New: 0}) {
		t.Errorf("symbol changes %+v, want a.o offset 4 -> 0", d.Symbols)
	}
	if len(d.Objects) != 1 || d.Objects[0] != (Delta{Name: "a.o", Old: 88, New: 84}) {
		t.Errorf("object changes %+v, want a.o -4", d.Objects)
	}
	if new.DroppedSections != 1 || new.DroppedBytes != 4 {
		t.Errorf("dropped %d sections, %d bytes; want 1, 4", new.DroppedSections, new.DroppedBytes)
	}
	var buf bytes.Buffer
	if err := d.WriteText(&buf, 0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"104  100      -4", "offset  a.o", "-3.8%"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("diff lacks %q:\n%s", want, buf.String())
		}
	}
	if _, err := json.Marshal(d); err != nil {
		t.Fatal(err)
	}
}
