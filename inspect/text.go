// This file implements the text form of the reports.

package inspect

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for people.
func (r *MPY) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s: .mpy version %d", r.File, r.Version)
	if r.Arch != "none" {
		fmt.Fprintf(w, ".%d, arch %s", r.SubVersion, r.Arch)
	} else {
		fmt.Fprintf(w, ", bytecode only")
	}
	if r.ArchFlags != 0 {
		fmt.Fprintf(w, ", arch flags %#x", r.ArchFlags)
	}
	fmt.Fprintf(w, ", %d small-int bits, %d bytes\n", r.SmallIntBits, r.Size)
	fmt.Fprintf(w, "loads on: MicroPython %s\n", r.LoadableBy)
	if len(r.Profiles) > 0 {
		fmt.Fprintf(w, "written by mpyld profile: %s\n", strings.Join(r.Profiles, " or "))
	}
	fmt.Fprintf(w, "qstrs (%d):\n", len(r.Qstrs))
	for _, q := range r.Qstrs {
		st := ""
		if q.Static != 0 {
			st = fmt.Sprintf(" (static %d)", q.Static)
		}
		fmt.Fprintf(w, "  %3d %q%s\n", q.Index, q.Str, st)
	}
	if len(r.Objects) > 0 {
		fmt.Fprintf(w, "objects (%d):\n", len(r.Objects))
		for i, o := range r.Objects {
			fmt.Fprintf(w, "  %3d %s\n", i, o)
		}
	}
	for _, c := range r.Code {
		fmt.Fprintf(w, "code %s: %s", c.Path, c.Kind)
		if c.Name != "" {
			fmt.Fprintf(w, " %s", c.Name)
		}
		fmt.Fprintf(w, ", %d bytes", c.Size)
		if c.Kind == "viper" {
			fmt.Fprintf(w, ", scope flags %#x", c.ScopeFlags)
			if c.RodataSize > 0 {
				fmt.Fprintf(w, ", rodata %d", c.RodataSize)
			}
			if c.BSSSize > 0 {
				fmt.Fprintf(w, ", bss %d", c.BSSSize)
			}
		}
		if c.Children > 0 {
			fmt.Fprintf(w, ", %d children", c.Children)
		}
		fmt.Fprintln(w)
		if len(c.Relocs) > 0 {
			fmt.Fprintf(w, "  relocations (%d records):\n", len(c.Relocs))
			for _, rl := range c.Relocs {
				n := ""
				if rl.Count > 1 {
					n = fmt.Sprintf(" (%d words)", rl.Count)
				}
				fmt.Fprintf(w, "    %s+%#x <- %s%s\n", rl.Buffer, rl.Offset, rl.Target, n)
			}
		}
		if len(c.Disassembly) > 0 {
			fmt.Fprintln(w, "  "+strings.Join(c.Disassembly, "\n  "))
		}
	}
}
