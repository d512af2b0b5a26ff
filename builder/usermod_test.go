package builder

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mpyld/mpyld/internal/testutil"
	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/linkmap"
	"github.com/mpyld/mpyld/mpy"
	"github.com/mpyld/mpyld/support"
)

// usermodTrees are the MicroPython trees the core/user C module tests build
// against: MPY_DIRS (several, separated by spaces), else MPY_DIR.
func usermodTrees(t *testing.T) []string {
	t.Helper()
	trees := strings.Fields(os.Getenv("MPY_DIRS"))
	if len(trees) == 0 && os.Getenv("MPY_DIR") != "" {
		trees = []string{os.Getenv("MPY_DIR")}
	}
	if len(trees) == 0 {
		t.Skip("needs a MicroPython tree: set MPY_DIR (or MPY_DIRS to several)")
	}
	return trees
}

// copyDir copies a folder into a fresh temporary one.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), filepath.Base(from))
	if err := os.CopyFS(dir, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// slotContent is what one decoded slot holds: the variable it lies in and
// the offset into it, and what mpy_init writes there.
type slotContent struct {
	At   string // "variable+offset"
	What string // "qstr object __name__", "qstr16 Timer", "object mp_type_module"
}

func (s slotContent) String() string { return s.At + " <- " + s.What }

// decodeSlots reads the slot table out of a built module and its link map,
// and says for each slot where it is and what the init writes there.
func decodeSlots(t *testing.T, mpyPath, mapPath string) []slotContent {
	slots, _ := decodeSlotTable(t, mpyPath, mapPath)
	return slots
}

// decodeSlotTable is decodeSlots, and also gives the table's end entry:
// for a table in bss, where the block of rodata and bss starts, from the
// table, and the table's offset in bss.
func decodeSlotTable(t *testing.T, mpyPath, mapPath string) ([]slotContent, [2]int64) {
	t.Helper()
	data, err := os.ReadFile(mpyPath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := mpy.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := linkmap.ReadFile(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	text := f.Root.Data
	// Xtensa writable data runs in bss; its initial image is in text.
	image := uint64(0)
	for _, s := range m.Sections {
		if s.Name == ".internal.data_image" {
			image = s.Offset
		}
	}
	read := func(buffer string, off, n uint64) []byte {
		switch buffer {
		case "text":
			if off+n > uint64(len(text)) {
				t.Fatalf("%s: text+%#x runs past the text (%d bytes)", mpyPath, off, len(text))
			}
			return text[off : off+n]
		case "bss":
			return read0(t, text, image+off, n)
		}
		t.Fatalf("%s: slot table in %s", mpyPath, buffer)
		return nil
	}
	var table *linkmap.Symbol
	var tableBuf string
	type sym struct {
		linkmap.Symbol
		buffer string
	}
	var syms []sym
	for _, s := range m.Sections {
		for _, y := range s.Symbols {
			if y.Name == "mpyld_slot_table" {
				y := y
				table, tableBuf = &y, s.Buffer
			}
			if y.Kind == "object" {
				syms = append(syms, sym{y, s.Buffer})
			}
		}
	}
	if table == nil {
		t.Fatalf("%s: no mpyld_slot_table in the map", mapPath)
	}
	word := uint64(f.Arch.WordSize())
	var out []slotContent
	var end [2]int64
	for i := uint64(0); ; i += 8 {
		e := read(tableBuf, table.Offset+i, 8)
		delta, kv := int32(binary.LittleEndian.Uint32(e)), binary.LittleEndian.Uint32(e[4:])
		if kv == 0 {
			end = [2]int64{int64(delta), int64(table.Offset)}
			break
		}
		addr := uint64(int64(table.Offset) + int64(delta))
		at := fmt.Sprintf("%s+%#x (no variable)", tableBuf, addr)
		for _, s := range syms {
			if s.buffer == tableBuf && addr >= s.Offset && addr < s.Offset+s.Size {
				at = fmt.Sprintf("%s+%d", s.Name, addr-s.Offset)
			}
		}
		kind, v := kv>>24, kv&0xffffff
		qstr := func() string {
			switch {
			case v&linker.SlotStatic != 0:
				return mpy.StaticQstrs[v&0x7fffff-1]
			case v&linker.SlotObjTable != 0:
				return string(f.Objs[v&0x3fffff].Data)
			case int(v) < len(f.Qstrs):
				return f.Qstrs[v].Str
			}
			return fmt.Sprintf("qstr %d out of range", v)
		}
		var what string
		switch kind {
		case linker.SlotQstrObject:
			what = "qstr object " + qstr()
			if w := read(tableBuf, addr, word); !allZero(w) {
				what += fmt.Sprintf(" (slot not zero: %x)", w)
			}
		case linker.SlotQstr16:
			what = "qstr16 " + qstr()
		case linker.SlotQstrWord:
			what = "qstrword " + qstr()
		case linker.SlotObject:
			what = fmt.Sprintf("object %d", v)
			for name, i := range objectIndex() {
				if i == v {
					what = "object " + name
				}
			}
		default:
			what = fmt.Sprintf("kind %d", kind)
		}
		out = append(out, slotContent{at, what})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, end
}

func read0(t *testing.T, text []byte, off, n uint64) []byte {
	if off+n > uint64(len(text)) {
		t.Fatalf("data image +%#x runs past the text", off)
	}
	return text[off : off+n]
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// TestUsermodSubsystem builds the documentation's module, unchanged, for
// every arch with a compiler against every tree given, and decodes the slot
// table: each slot is where the source put a qstr or a runtime object, and
// the init writes what the source meant there.
func TestUsermodSubsystem(t *testing.T) {
	trees := usermodTrees(t)
	src := filepath.Join(testutil.Root(), "testdata", "usermod", "subsystem")
	for _, tree := range trees {
		for _, a := range linker.Arches {
			t.Run(filepath.Base(tree)+"/"+a.Name, func(t *testing.T) {
				needCC(t, a)
				dir := copyDir(t, src)
				res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{a.Name}, MPYDirs: []string{tree}, Map: true, Jobs: 2})
				if err != nil {
					if msg := err.Error(); strings.Contains(msg, "cannot load") || strings.Contains(msg, "does not keep a native module's bss alive") {
						t.Skipf("refused as the version requires: %v", err)
					}
					t.Fatal(err)
				}
				r := res[0]
				if r.Output != "subsystem.mpy" {
					t.Fatalf("output %q, want subsystem.mpy", r.Output)
				}
				w := a.Word()
				got, end := decodeSlotTable(t, filepath.Join(dir, r.Output), filepath.Join(dir, r.Map))
				if a.ISA == linker.ISAXtensa && end[0] != -end[1] {
					// No separate rodata on the ESP8266: the block starts at bss.
					t.Errorf("end entry %d, want %d (the start of bss, from the table)", end[0], -end[1])
				}
				want := []slotContent{
					{"mp_module_subsystem+0", "object mp_type_module"},
					{"mp_module_subsystem_globals_table+0", "qstr object __name__"},
					{fmt.Sprintf("mp_module_subsystem_globals_table+%d", w), "qstr object subsystem"},
					{fmt.Sprintf("mp_module_subsystem_globals_table+%d", 2*w), "qstr object info"},
				}
				sort.Slice(want, func(i, j int) bool { return want[i].String() < want[j].String() })
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("slots:\n got %v\nwant %v", got, want)
				}
				if a.Name == "x64" {
					runUnix(t, dir, "import subsystem; print(subsystem.info(), subsystem.__name__)", "42 subsystem\n")
				}
			})
		}
	}
}

// runUnix runs code on the unix port given by MICROPYTHON with the module
// folder on the path, when the port's version is the tree's.
func runUnix(t *testing.T, dir, code, want string) {
	t.Helper()
	prog := os.Getenv("MICROPYTHON")
	if prog == "" {
		t.Log("MICROPYTHON not set: not run")
		return
	}
	cmd := exec.Command(prog, "-c", code)
	cmd.Env = append(os.Environ(), "MICROPYPATH="+dir)
	out, err := cmd.CombinedOutput()
	if strings.Contains(string(out), "incompatible .mpy") {
		t.Logf("%s is another MicroPython version: not run", prog)
		return
	}
	if err != nil || string(out) != want {
		t.Errorf("%s: got %q (%v), want %q", prog, out, err, want)
	}
}

// TestUsermodCexample builds MicroPython's own examples/usercmodule/cexample
// for every arch with a compiler, decodes its slots, and on x64 runs its
// tests on the unix port (MICROPYTHON).
func TestUsermodCexample(t *testing.T) {
	trees := usermodTrees(t)
	if len(support.Files()) == 0 {
		t.Skip("cexample calls mp_hal_ticks_ms: needs the support layer (package support)")
	}
	for _, tree := range trees {
		for _, a := range linker.Arches {
			t.Run(filepath.Base(tree)+"/"+a.Name, func(t *testing.T) {
				needCC(t, a)
				dir := copyDir(t, filepath.Join(tree, "examples", "usercmodule", "cexample"))
				res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{a.Name}, MPYDirs: []string{tree}, Map: true, Jobs: 2})
				if err != nil {
					if strings.Contains(err.Error(), "cannot load") {
						t.Skip(err)
					}
					t.Fatal(err)
				}
				w := a.Word()
				got := decodeSlots(t, filepath.Join(dir, res[0].Output), filepath.Join(dir, res[0].Map))
				want := []string{
					fmt.Sprintf("example_type_AdvancedTimer+%d <- qstr16 AdvancedTimer", w+2),
					fmt.Sprintf("example_type_Timer+%d <- qstr16 Timer", w+2),
					"example_user_cmodule+0 <- object mp_type_module",
					"example_Timer_locals_dict_table+0 <- qstr object time",
					"example_module_globals_table+0 <- qstr object __name__",
					fmt.Sprintf("example_module_globals_table+%d <- qstr object cexample", w),
					fmt.Sprintf("example_module_globals_table+%d <- qstr object add_ints", 2*w),
					fmt.Sprintf("example_module_globals_table+%d <- qstr object Timer", 4*w),
					fmt.Sprintf("example_module_globals_table+%d <- qstr object AdvancedTimer", 6*w),
				}
				sort.Strings(want)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("slots:\n got %v\nwant %v", got, want)
				}
				prog := os.Getenv("MICROPYTHON")
				if a.Name != "x64" || prog == "" {
					return
				}
				for _, name := range []string{"cexample_class", "cexample_subclass"} {
					py := filepath.Join(tree, "tests", "misc", name+".py")
					exp, err := os.ReadFile(py + ".exp")
					if os.IsNotExist(err) {
						continue // not in older trees
					}
					if err != nil {
						t.Fatal(err)
					}
					cmd := exec.Command(prog, py)
					cmd.Env = append(os.Environ(), "MICROPYPATH="+dir)
					out, err := cmd.CombinedOutput()
					if strings.Contains(string(out), "incompatible .mpy") {
						t.Skipf("%s is another MicroPython version", prog)
					}
					if err != nil || string(out) != string(exp) {
						t.Errorf("%s: got\n%s(%v)\nwant\n%s", name, out, err, exp)
					}
				}
			})
		}
	}
}

// TestUsermodRefusals builds modules that the translation must refuse,
// each on every arch with a compiler: GCC folding a constant qstr into
// code (read, masked, from an mp_arg_t table), code reading a slot, a
// qstr used in an expression in data, a switch on qstrs, a function no
// runtime has.
func TestUsermodRefusals(t *testing.T) {
	trees := usermodTrees(t)
	cases := map[string]string{
		"fold_type_name":      `(mod\.c:7: |\.literal).*\(in name_of\): the compiler folded a read of a qstr held in constant data into code`,
		"fold_mask":           `(mod\.c:8: |\.literal|sections).*\(in low_bits\): the compiler folded a read of a qstr`,
		"fold_arg_table":      `(mod\.c:9: |\.literal).*\(in first_keyword\): the compiler folded a read of a qstr`,
		"fold_range":          `(mod\.c:[89]: |\.literal|sections).*\(in named\): the compiler folded a read of a qstr`,
		"fold_switch":         `mod\.c:7:.*case label does not reduce to an integer constant`,
		"globals_key_in_code": `\(in first_key\): code reaches the qstr object of MP_ROM_QSTR\(MP_QSTR_first_key\)`,
		"rom_qstr_in_code":    `\(in greeting\): code reaches the qstr object of MP_ROM_QSTR\(MP_QSTR_hello\)`,
		"undecodable":         `mod\.o: \.rodata.*: data that differs between the two placeholder compiles cannot be decoded \(0x4\w+ and 0xb\w+\)`,
		"missing_function":    `undefined symbol "mp_hal_pin_write".*used in set_pin \(build(-\w+)?/mod\.o \.(text|literal)\.set_pin\+0x`,
	}
	root := filepath.Join(testutil.Root(), "testdata", "usermod", "refuse")
	for _, tree := range trees {
		for _, a := range linker.Arches {
			for name, want := range cases {
				t.Run(filepath.Base(tree)+"/"+a.Name+"/"+name, func(t *testing.T) {
					needCC(t, a)
					dir := copyDir(t, filepath.Join(root, name))
					res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{a.Name}, MPYDirs: []string{tree}})
					if err == nil {
						t.Fatalf("built %v, want a refusal", res[0].Output)
					}
					if strings.Contains(err.Error(), "cannot load") {
						t.Skip(err)
					}
					if !regexp.MustCompile(want).MatchString(err.Error()) {
						t.Errorf("error:\n%v\nwant it to match %s", err, want)
					}
					if _, serr := os.Stat(filepath.Join(dir, "fold.mpy")); serr == nil {
						t.Errorf("fold.mpy written despite the refusal")
					}
				})
			}
		}
	}
}

func objectIndex() map[string]uint32 { return usermodObjects() }

// TestUsermodClang: the translation needs GCC, and says so.
func TestUsermodClang(t *testing.T) {
	trees := usermodTrees(t)
	cc, err := exec.LookPath("clang-22")
	if err != nil {
		if cc, err = exec.LookPath("clang"); err != nil {
			t.Skip("clang not installed")
		}
	}
	dir := copyDir(t, filepath.Join(testutil.Root(), "testdata", "usermod", "subsystem"))
	_, err = Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: trees[:1], CC: map[string]string{"x64": cc}})
	if err == nil || !strings.Contains(err.Error(), "needs GCC") {
		t.Errorf("got %v, want a refusal that names GCC", err)
	}
}

// TestUsermodTwoModules: sources that register two modules (one in the
// older three-argument form) give one .mpy each, and the init calls
// __init__ from the globals table, as the firmware's import does.
func TestUsermodTwoModules(t *testing.T) {
	trees := usermodTrees(t)
	a, _ := linker.LookupArch("x64")
	needCC(t, a)
	dir := copyDir(t, filepath.Join(testutil.Root(), "testdata", "usermod", "twomods"))
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: trees[:1]})
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, r := range res {
		outs = append(outs, r.Output)
	}
	if fmt.Sprint(outs) != "[first.mpy second.mpy]" {
		t.Fatalf("outputs %v, want [first.mpy second.mpy]", outs)
	}
	runUnix(t, dir, "import first, second\nprint(first.answer(), second.twice(21), first.__name__, second.__name__)",
		"first.__init__\n1 42 first second\n")
}

// TestUsermodCMake builds the documentation's module from a
// micropython.cmake alone (the form of the ESP32 and RP2 ports).
func TestUsermodCMake(t *testing.T) {
	trees := usermodTrees(t)
	a, _ := linker.LookupArch("x64")
	needCC(t, a)
	dir := copyDir(t, filepath.Join(testutil.Root(), "testdata", "usermod", "subsystem"))
	if err := os.Remove(filepath.Join(dir, "micropython.mk")); err != nil {
		t.Fatal(err)
	}
	cmake := "add_library(usermod_subsystem INTERFACE)\n" +
		"target_sources(usermod_subsystem INTERFACE ${CMAKE_CURRENT_LIST_DIR}/modsubsystem.c)\n" +
		"target_include_directories(usermod_subsystem INTERFACE ${CMAKE_CURRENT_LIST_DIR})\n" +
		"target_link_libraries(usermod INTERFACE usermod_subsystem)\n"
	if err := os.WriteFile(filepath.Join(dir, "micropython.cmake"), []byte(cmake), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	res, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: trees[:1],
		Logf: func(f string, args ...any) { fmt.Fprintf(&log, f+"\n", args...) }})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Output != "subsystem.mpy" {
		t.Errorf("output %q, want subsystem.mpy", res[0].Output)
	}
	if !strings.Contains(log.String(), "core/user C module subsystem (from micropython.cmake)") {
		t.Errorf("-v does not say the style:\n%s", log.String())
	}
	runUnix(t, dir, "import subsystem; print(subsystem.info(), subsystem.__name__)", "42 subsystem\n")
}

// TestUsermodRootPointer: a root pointer registered after its use is a
// global variable of the module, which the GC keeps what it points to.
func TestUsermodRootPointer(t *testing.T) {
	trees := usermodTrees(t)
	a, _ := linker.LookupArch("x64")
	needCC(t, a)
	dir := copyDir(t, filepath.Join(testutil.Root(), "testdata", "usermod", "rootptr"))
	if _, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: trees[:1]}); err != nil {
		t.Fatal(err)
	}
	runUnix(t, dir, "import rootptr, gc\nprint(rootptr.get())\nrootptr.set([1, 2, 3] + [4])\n"+
		"for i in range(2000): x = bytearray(1000)\ngc.collect()\nfor i in range(2000): x = [i] * 10\nprint(rootptr.get())",
		"None\n[1, 2, 3, 4]\n")
}

// TestUsermodObjects: runtime objects that mp_fun_table lacks, in static
// data (an exception on OSError, a static method, the empty tuple), come
// out right on every tree, and a function may end in a raise.
func TestUsermodObjects(t *testing.T) {
	trees := usermodTrees(t)
	a, _ := linker.LookupArch("x64")
	needCC(t, a)
	for _, tree := range trees {
		t.Run(filepath.Base(tree), func(t *testing.T) {
			dir := copyDir(t, filepath.Join(testutil.Root(), "testdata", "usermod", "exc"))
			if _, err := Build(context.Background(), Options{Dir: dir, Arches: []string{"x64"}, MPYDirs: []string{tree}}); err != nil {
				t.Fatal(err)
			}
			runUnix(t, dir, "import exc\ntry:\n  exc.fail()\nexcept OSError as e:\n  print(type(e).__name__, e, isinstance(e, exc.DeviceError))\nprint(exc.K.echo(5), exc.K.EMPTY)",
				"DeviceError device gone True\n5 ()\n")
		})
	}
}
