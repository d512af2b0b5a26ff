package inspect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
)

var (
	gotLine  = regexp.MustCompile(`^  ([0-9a-f]{8}) (\S+) -> (\S+)\+([0-9a-f]{8})$`)
	dataLine = regexp.MustCompile(`^  ([0-9a-f]{8}) -> (\S+) ([0-9a-f]{8})$`)
	gotBase  = regexp.MustCompile(`^GOT: ([0-9a-f]{8})$`)
)

// TestGoldenMPY inspects every .mpy the reference linker wrote and checks
// the decoded sizes against what it printed (link.out) and the relocated
// words and their targets against its relocation log (link.vvv).
func TestGoldenMPY(t *testing.T) {
	n := 0
	for _, c := range testutil.Cases(t) {
		if c.Status != 0 || strings.HasPrefix(c.Module, "err_") {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(c.Dir, c.Output))
			if err != nil {
				t.Fatal(err)
			}
			r, err := ReadMPY(c.Output, data, true)
			if err != nil {
				t.Fatal(err)
			}
			if r.Arch != c.Arch || r.Version != 6 || r.SubVersion != 3 {
				t.Errorf("header: %s %d.%d", r.Arch, r.Version, r.SubVersion)
			}
			out, _ := os.ReadFile(filepath.Join(c.Dir, "link.out"))
			code := r.Code[0]
			for _, line := range strings.Split(string(out), "\n") {
				f := strings.Fields(line)
				if len(f) < 3 {
					continue
				}
				v, _ := strconv.Atoi(f[2])
				switch f[0] + " " + f[1] {
				case "text size:":
					if code.Size != v {
						t.Errorf("text size %d, link.out says %d", code.Size, v)
					}
				case "bss size:":
					if int(code.BSSSize) != v {
						t.Errorf("bss size %d, link.out says %d", code.BSSSize, v)
					}
				}
			}
			// Every relocated word, with its target, as the log lists them.
			w := uint64(4)
			if c.Arch == "x64" || c.Arch == "rv64imc" {
				w = 8
			}
			got := map[uint64]string{}
			for _, rl := range code.Relocs {
				for i := uint64(0); i < rl.Count; i++ {
					got[rl.Offset+i*w] = rl.Target
				}
			}
			want := map[uint64]string{}
			vvv, _ := os.ReadFile(filepath.Join(c.Dir, "link.vvv"))
			var base uint64
			sc := bufio.NewScanner(bytes.NewReader(vvv))
			for sc.Scan() {
				line := sc.Text()
				if m := gotBase.FindStringSubmatch(line); m != nil {
					base, _ = strconv.ParseUint(m[1], 16, 64)
				} else if m := gotLine.FindStringSubmatch(line); m != nil {
					off, _ := strconv.ParseUint(m[1], 16, 64)
					want[base+off] = expectTarget(m[2], m[3])
				} else if m := dataLine.FindStringSubmatch(line); m != nil {
					addr, _ := strconv.ParseUint(m[1], 16, 64)
					want[addr] = expectTarget(m[2], "")
				}
			}
			if len(want) == 0 {
				t.Fatal("no relocations in link.vvv")
			}
			for a, tw := range want {
				if tw == "?" {
					if _, ok := got[a]; !ok {
						t.Errorf("word %#x not relocated", a)
					}
				} else if got[a] != tw {
					t.Errorf("word %#x: %q, link.vvv says %q", a, got[a], tw)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d relocated words, link.vvv has %d", len(got), len(want))
			}
		})
	}
	if n < 80 {
		t.Errorf("only %d files", n)
	}
}

// expectTarget turns a link.vvv symbol or GOT category into the target
// inspect prints ("?" when the log does not say).
func expectTarget(name, cat string) string {
	switch {
	case name == "mp_fun_table":
		return "&mp_fun_table"
	case name == "mp_native_qstr_table":
		return "qstr table"
	}
	for i, s := range mpy.FunTable(3) {
		if s == name && i >= 73 {
			return "mp_fun_table[" + strconv.Itoa(i) + "] " + s
		}
	}
	c := cat
	if c == "" {
		c = name
	}
	switch {
	case strings.HasPrefix(c, ".bss"):
		return "bss"
	case strings.HasPrefix(c, ".text"), strings.HasPrefix(c, ".rodata"), strings.HasPrefix(c, ".data.rel.ro"):
		return "text"
	}
	return "?" // a symbol name: its section is not in the log
}

// TestDumps checks inspect against mpy-tool.py -xd's dumps of merged files:
// the qstr table and every raw code's size and bytes, in order.
func TestDumps(t *testing.T) {
	dumps, _ := filepath.Glob(filepath.Join(testutil.Root(), "testdata", "golden-merge", "*", "*.dump"))
	if len(dumps) < 3 {
		t.Fatalf("only %d dumps", len(dumps))
	}
	rawLine := regexp.MustCompile(`raw (?:bytecode|data): (\d+) `)
	for _, d := range dumps {
		t.Run(filepath.Base(filepath.Dir(d))+"/"+filepath.Base(d), func(t *testing.T) {
			dump, _ := os.ReadFile(d)
			data, err := os.ReadFile(strings.TrimSuffix(d, ".dump") + ".mpy")
			if err != nil {
				t.Fatal(err)
			}
			r, err := ReadMPY(d, data, false)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(dump), "\n")
			var qstrs []string
			for i, l := range lines {
				if strings.HasPrefix(l, "qstr_table[") {
					for _, q := range lines[i+1:] {
						if !strings.HasPrefix(q, "    ") {
							break
						}
						qstrs = append(qstrs, q[4:])
					}
					break
				}
			}
			if len(qstrs) != len(r.Qstrs) {
				t.Fatalf("%d qstrs, dump has %d", len(r.Qstrs), len(qstrs))
			}
			for i, q := range qstrs {
				if r.Qstrs[i].Str != q {
					t.Errorf("qstr %d: %q, dump has %q", i, r.Qstrs[i].Str, q)
				}
			}
			var sizes []int
			for _, m := range rawLine.FindAllStringSubmatch(string(dump), -1) {
				n, _ := strconv.Atoi(m[1])
				sizes = append(sizes, n)
			}
			// mpy-tool lists children depth-first like inspect.
			if len(sizes) != len(r.Code) {
				t.Fatalf("%d raw codes, dump has %d", len(r.Code), len(sizes))
			}
			for i, c := range r.Code {
				if c.Size != sizes[i] {
					t.Errorf("code %s: %d bytes, dump says %d", c.Path, c.Size, sizes[i])
				}
			}
		})
	}
}

// TestJSON checks the documented JSON shape.
func TestJSON(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testutil.Golden(), "armv7m", "tables", "tables.mpy"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReadMPY("tables.mpy", data, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got := strings.Join(keys, " "); got != "arch arch_flags code file loadable_by objects profiles qstrs size small_int_bits sub_version version" {
		t.Errorf("keys: %s", got)
	}
	code := m["code"].([]any)[0].(map[string]any)
	rl := code["relocations"].([]any)[0].(map[string]any)
	for _, k := range []string{"buffer", "offset", "count", "kind", "target"} {
		if _, ok := rl[k]; !ok {
			t.Errorf("relocation has no %q", k)
		}
	}
	if m["arch"] != "armv7m" || m["loadable_by"] != "v1.23 and later" || fmt.Sprint(m["profiles"]) != "[v1.23-v1.28 dev]" {
		t.Errorf("arch %v, loadable_by %v, profiles %v", m["arch"], m["loadable_by"], m["profiles"])
	}
}

// TestOlderABI: relocations of a v1.22 module (reference output) are named
// with 6.2's mp_fun_table, whose runtime objects start at slot 67.
func TestOlderABI(t *testing.T) {
	p := filepath.Join(testutil.Root(), "testdata", "golden-versions", "v1.22", "x64", "hello", "hello.mpy")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReadMPY(p, data, false)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, rl := range r.Code[0].Relocs {
		targets = append(targets, rl.Target)
	}
	want := "mp_fun_table[72] mp_type_fun_builtin_1"
	if r.SubVersion != 2 || r.LoadableBy != "v1.22" || strings.Join(r.Profiles, ",") != "v1.22" || !strings.Contains(strings.Join(targets, "\n"), want) {
		t.Errorf("6.%d, %q, %v; relocations %q, want one %q", r.SubVersion, r.LoadableBy, r.Profiles, targets, want)
	}
}

// TestObjects inspects corpus objects: relocations by name, and the
// problems a link for an arch would hit.
func TestObjects(t *testing.T) {
	g := testutil.Golden()
	data, err := os.ReadFile(filepath.Join(g, "armv6m", "tables", "tables.o"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := linker.LookupArch("armv6m")
	objs, err := ReadObjects("tables.o", data, a)
	if err != nil || len(objs) != 1 {
		t.Fatal(err)
	}
	o := objs[0]
	count := map[string]int{}
	for _, r := range o.Relocs {
		count[r.Type]++
	}
	// readelf -r tables.o: 20 R_ARM_ABS32 in .rel.data.rel.ro among others.
	if count["R_ARM_GOT_BREL"] == 0 || count["R_ARM_ABS32"] == 0 || count["R_ARM_BASE_PREL"] == 0 {
		t.Errorf("relocation types %v", count)
	}
	if len(o.Problems) != 0 || strings.Join(o.Arches, ",") != "armv6m,armv7emdp,armv7emsp,armv7m" {
		t.Errorf("problems %v, arches %v", o.Problems, o.Arches)
	}
	bad, _ := os.ReadFile(filepath.Join(g, "armv6m", "err_undef", "err_undef.o"))
	objs, err = ReadObjects("err_undef.o", bad, a)
	if err != nil || len(objs[0].Problems) == 0 || !strings.Contains(objs[0].Problems[0], `undefined symbol "missing_helper"`) {
		t.Errorf("err_undef problems: %v %v", err, objs[0].Problems)
	}
	x64, _ := linker.LookupArch("x64")
	objs, _ = ReadObjects("tables.o", data, x64)
	if len(objs[0].Problems) == 0 || !strings.Contains(objs[0].Problems[0], "object is EM_ARM but --arch x64") {
		t.Errorf("wrong-arch problems: %v", objs[0].Problems)
	}
}
