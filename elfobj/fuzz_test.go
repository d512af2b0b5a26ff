package elfobj

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
)

func seedObjects(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, p := range []string{"x64/hello/hello.o", "x86/multi/a.o", "armv6m/tables/tables.o", "rv32imc/statq/statq.o", "rv64imc/hello/hello.o", "xtensa/statq/statq.o"} {
		data, err := os.ReadFile(filepath.Join(testutil.Golden(), p))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	return seeds
}

// FuzzParse: no input makes the object reader panic, and what it accepts
// can be read section by section.
func FuzzParse(f *testing.F) {
	for _, s := range seedObjects(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := Parse("fuzz.o", data)
		if err != nil {
			return
		}
		for _, s := range obj.Sections {
			switch s.Type {
			case elf.SHT_REL, elf.SHT_RELA:
				obj.Relocs(s)
			case elf.SHT_PROGBITS, elf.SHT_NOBITS:
				obj.Data(s)
			}
		}
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// makeArchive writes a GNU ar archive with a symbol table and long names.
func makeArchive(members map[string][]byte, syms map[string]string) []byte {
	names := sortedKeys(members)
	var long bytes.Buffer
	hdr := func(b *bytes.Buffer, name string, size int) {
		fmt.Fprintf(b, "%-16s%-12d%-6d%-6d%-8o%-10d`\n", name, 0, 0, 0, 0o644, size)
	}
	nameField := map[string]string{}
	for _, n := range names {
		if len(n) > 15 {
			nameField[n] = fmt.Sprintf("/%d", long.Len())
			long.WriteString(n + "/\n")
		} else {
			nameField[n] = n + "/"
		}
	}
	// Member offsets: after magic, symtab and long-name table.
	symNames := sortedKeys(syms)
	strs := 0
	for _, s := range symNames {
		strs += len(s) + 1
	}
	symSize := 4 + 4*len(symNames) + strs
	off := 8 + 60 + symSize + symSize%2
	if long.Len() > 0 {
		off += 60 + long.Len() + long.Len()%2
	}
	offs := map[string]int{}
	for _, n := range names {
		offs[n] = off
		off += 60 + len(members[n]) + len(members[n])%2
	}
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	var st bytes.Buffer
	be := func(v int) { st.Write([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}) }
	be(len(symNames))
	for _, s := range symNames {
		be(offs[syms[s]])
	}
	for _, s := range symNames {
		st.WriteString(s + "\x00")
	}
	pad := func(n int) {
		if n%2 == 1 {
			b.WriteByte('\n')
		}
	}
	hdr(&b, "/", st.Len())
	b.Write(st.Bytes())
	pad(st.Len())
	if long.Len() > 0 {
		hdr(&b, "//", long.Len())
		b.Write(long.Bytes())
		pad(long.Len())
	}
	for _, n := range names {
		hdr(&b, nameField[n], len(members[n]))
		b.Write(members[n])
		pad(len(members[n]))
	}
	return b.Bytes()
}

func testArchive(t testing.TB) []byte {
	g := testutil.Golden()
	a, err := os.ReadFile(filepath.Join(g, "armv7m/multi/a.o"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(g, "armv7m/multi/b.o"))
	if err != nil {
		t.Fatal(err)
	}
	return makeArchive(map[string][]byte{"a.o": a, "a_very_long_member_name.o": b},
		map[string]string{"mpy_init": "a.o", "helper": "a_very_long_member_name.o"})
}

func TestReadArchive(t *testing.T) {
	data := testArchive(t)
	ar, err := ReadArchive("lib.a", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Members) != 2 || ar.Members[0].Name != "a.o" || ar.Members[1].Name != "a_very_long_member_name.o" {
		t.Fatalf("members %v", ar.Members)
	}
	if got := ar.Index["helper"]; len(got) != 1 || got[0] != 1 {
		t.Errorf("index of helper = %v, want [1]", got)
	}
	if _, err := Parse("m", ar.Members[1].Data); err != nil {
		t.Errorf("member does not parse: %v", err)
	}
	for _, cut := range []int{7, 20, 100, len(data) - 3} {
		if _, err := ReadArchive("lib.a", data[:cut]); err == nil {
			t.Errorf("archive cut at %d accepted", cut)
		}
	}
	// BSD names: "#1/len" with the name in front of the data.
	bsd := []byte("!<arch>\n" + fmt.Sprintf("%-16s%-12d%-6d%-6d%-8o%-10d`\n", "#1/12", 0, 0, 0, 0o644, 16) + "long_name.o\x00abcd")
	ar, err = ReadArchive("bsd.a", bsd)
	if err != nil || len(ar.Members) != 1 || ar.Members[0].Name != "long_name.o" || string(ar.Members[0].Data) != "abcd" {
		t.Errorf("BSD archive: %v %+v", err, ar)
	}
}

func TestLDScript(t *testing.T) {
	files, err := ParseLDScript("libm.a", []byte("/* GNU ld script\n*/\nOUTPUT_FORMAT(elf64-x86-64)\nGROUP ( /usr/lib/libm-2.36.a AS_NEEDED ( /usr/lib/libmvec.a ) )\n"))
	if err != nil || len(files) != 2 || files[0] != "/usr/lib/libm-2.36.a" || files[1] != "/usr/lib/libmvec.a" {
		t.Errorf("got %v, %v", files, err)
	}
	if _, err := ParseLDScript("x", []byte("SECTIONS { }")); err == nil {
		t.Errorf("SECTIONS accepted")
	}
}

// FuzzReadArchive: no input makes the archive reader panic.
func FuzzReadArchive(f *testing.F) {
	f.Add(testArchive(f))
	f.Add([]byte("!<arch>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ar, err := ReadArchive("fuzz.a", data)
		if err != nil {
			return
		}
		for _, m := range ar.Members {
			Parse(m.Name, m.Data)
		}
	})
}

// FuzzReadIndex: no input makes the symbol-table reader panic, nor any
// member it points at.
func FuzzReadIndex(f *testing.F) {
	f.Add(testArchive(f))
	f.Add([]byte("!<arch>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ReadIndex("fuzz.a", data)
		if err != nil {
			return
		}
		for sym := range x.first {
			for _, off := range x.Lookup(sym) {
				if m, err := x.Member(off); err == nil {
					Parse(m.Name, m.Data)
				}
			}
		}
	})
}
