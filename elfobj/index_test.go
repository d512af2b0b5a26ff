package elfobj_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mpyld/mpyld/elfobj"
	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
)

// sameAsWhole checks that the index names, for every symbol, the members
// the whole-archive reader finds, and that those members read the same.
func sameAsWhole(t *testing.T, name string, data []byte) {
	t.Helper()
	ar, err := elfobj.ReadArchive(name, data)
	if err != nil {
		t.Fatal(err)
	}
	x, err := elfobj.ReadIndex(name, data)
	if err != nil {
		t.Fatal(err)
	}
	if !x.HasTable() || ar.Index == nil {
		t.Fatalf("%s: no symbol table (index %v, whole %v)", name, x.HasTable(), ar.Index != nil)
	}
	if got, want := x.NumSymbols(), len(ar.Index); got != want {
		t.Errorf("%s: %d symbols, want %d", name, got, want)
	}
	for sym, idx := range ar.Index {
		offs := x.Lookup(sym)
		if len(offs) != len(idx) {
			t.Errorf("%s: %q: %d members, want %d", name, sym, len(offs), len(idx))
			continue
		}
		for i, off := range offs {
			want := ar.Members[idx[i]]
			m, err := x.Member(off)
			if err != nil {
				t.Fatalf("%s: %q: %v", name, sym, err)
			}
			if m.Name != want.Name || m.Off != want.Off || !bytes.Equal(m.Data, want.Data) {
				t.Errorf("%s: %q: member %q at %#x, want %q at %#x", name, sym, m.Name, m.Off, want.Name, want.Off)
			}
		}
	}
}

func TestReadIndex(t *testing.T) {
	a, err := os.ReadFile(filepath.Join(testutil.Golden(), "armv7m/multi/a.o"))
	if err != nil {
		t.Fatal(err)
	}
	// The toolchains' own runtime archives, GNU ar with long names.
	for _, arch := range linker.Arches {
		for _, lib := range []string{"<libgcc.a>", "<libm.a>"} {
			t.Run(arch.Name+lib, func(t *testing.T) {
				if lib == "<libm.a>" && arch.ISA == linker.ISARISCV {
					t.Skip("picolibc keeps the math functions in libc.a, found through its specs")
				}
				p := testutil.Lib(t, arch.CrossPrefix+"gcc", arch.CFlags, lib)
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if !elfobj.IsArchive(data) {
					t.Skipf("%s is a linker script", p)
				}
				sameAsWhole(t, p, data)
			})
		}
	}
	// No symbol table: an empty index to fill from the members.
	plain := []byte("!<arch>\n" + fmt.Sprintf("%-16s%-12d%-6d%-6d%-8o%-10d`\n", "a.o/", 0, 0, 0, 0o644, len(a)) + string(a))
	x, err := elfobj.ReadIndex("plain.a", plain)
	if err != nil || x.HasTable() || x.Lookup("mpy_init") != nil {
		t.Errorf("archive without a table: %v, table %v", err, x != nil && x.HasTable())
	}
	x.Add("mpy_init", 8)
	// Repeats of the same member collapse; other definitions are kept in order.
	for _, off := range []int64{300, 300, 500, 300} {
		x.Add("dup", off)
	}
	if got := fmt.Sprint(x.Lookup("dup")); got != "[300 500 300]" {
		t.Errorf("dup defined at %s, want [300 500 300]", got)
	}
	if m, err := x.Member(8); err != nil || m.Name != "a.o" || !bytes.Equal(m.Data, a) {
		t.Errorf("member of a table-less archive: %q, %v", m.Name, err)
	}
}

// TestReadIndexCorrupt: bad tables and offsets are errors that say where.
func TestReadIndexCorrupt(t *testing.T) {
	hdr := func(name string, size int) string {
		return fmt.Sprintf("%-16s%-12d%-6d%-6d%-8o%-10d`\n", name, 0, 0, 0, 0o644, size)
	}
	// Two entries announced, room for one offset and no names.
	short := []byte("!<arch>\n" + hdr("/", 8) + "\x00\x00\x00\x02\x00\x00\x00\x08")
	if _, err := elfobj.ReadIndex("short.a", short); err == nil {
		t.Errorf("short table accepted")
	}
	if _, err := elfobj.ReadArchive("short.a", short); err == nil {
		t.Errorf("short table accepted by ReadArchive")
	}
	// One symbol pointing into the middle of the table, one past the end,
	// one at the table itself.
	body := "\x00\x00\x00\x03\x00\x00\x00\x50\x00\x00\x10\x00\x00\x00\x00\x08f\x00g\x00h\x00"
	bad := []byte("!<arch>\n" + hdr("/", len(body)) + body)
	x, err := elfobj.ReadIndex("bad.a", bad)
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range []string{"f", "g", "h"} {
		offs := x.Lookup(sym)
		if len(offs) != 1 {
			t.Fatalf("%s: %v", sym, offs)
		}
		if _, err := x.Member(offs[0]); err == nil {
			t.Errorf("%s: member at %#x accepted", sym, offs[0])
		} else if want := fmt.Sprintf("bad.a: offset %#x: ", offs[0]); len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
			t.Errorf("%s: error %q does not start with %q", sym, err, want)
		}
	}
}
