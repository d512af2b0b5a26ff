// Package usermod turns a module written in MicroPython's core/user C module
// style (MP_REGISTER_MODULE, constant globals tables, constant types) into
// what a native module needs, outside the user's source: a forced include,
// a config header, a generated mpy_init, and the list of load-time slots
// that mpyld's linker writes into a table.
package usermod

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/linker"
)

//go:embed c/prelude.h
var prelude []byte

//go:embed c/init.c
var initTemplate string

// Prelude returns the header every source is compiled with (-include),
// for a module whose sources are srcs: the fixed part, then a declaration
// of each root pointer the sources register (the firmware gathers them
// into a struct; here each is a global variable, declared before any use).
func Prelude(srcs ...[]byte) []byte {
	out := append([]byte(nil), prelude...)
	seen := map[string]bool{}
	for _, src := range srcs {
		for _, m := range rootRe().FindAllSubmatch(stripComments(src), -1) {
			d := strings.Join(strings.Fields(string(m[1])), " ")
			if !seen[d] {
				seen[d] = true
				out = fmt.Appendf(out, "extern %s;\n", d)
			}
		}
	}
	return out
}

// PreludeName and InitName are the names the generated files get in the
// build folder.
const (
	PreludeName = "mpyld_usermod.h"
	TableSymbol = "mpyld_slot_table"
	// QX and QMask select the placeholder set of bare qstrs in data:
	// native qstr N is QX ^ ((0x4000+N) & QMask). The compile that is linked
	// has QX 0 and QMask 0xffff; the one compared with it, QX 0xffff (every
	// bit differs); two more, QMask 0 with QX 0 and 0xffff (every
	// placeholder 0, then 0xffff), must give the same code too, which
	// catches folded tests such as x != 0 or x > 0x100.
	QX    = "MPYLD_QX"
	QMask = "MPYLD_QMASK"
)

var (
	registerRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\bMP_REGISTER_(?:EXTENSIBLE_)?MODULE\s*\(\s*MP_QSTR_(\w+)\s*,`)
	})
	rootRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\s*MP_REGISTER_ROOT_POINTER\((.*)\);`)
	})
	mpyInitRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bmpy_init\s*\(`) })
	qstrRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bMP_QSTR_\w+`) })
	nativeRe  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^#define MP_QSTR_(\w+) \(mp_native_qstr_table\[(\d+)\]\)$`)
	})
	rewrittenRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^#define MP_QSTR_(\w+) \(\(qstr\)\(MPYLD_IN_CODE \? mp_native_qstr_table\[(\d+)\]`)
	})
	objTableRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^#define MP_OBJ_NEW_QSTR_MP_QSTR_(\w+) \(\(mp_obj_t\)mp_native_obj_table\[(\d+)\]\)$`)
	})
	staticRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^#define MP_QSTR_(\w+) \((\d+)\)$`) })
)

// Registered returns the names of the modules the sources register with
// MP_REGISTER_MODULE, sorted, and whether any source mentions mpy_init (a
// natmod of its own, not this style). The names only name the outputs: the
// build checks them against the registrations the compiler saw.
func Registered(sources ...[]byte) (names []string, hasInit bool) {
	seen := map[string]bool{}
	for _, src := range sources {
		src = stripComments(src)
		for _, m := range registerRe().FindAllSubmatch(src, -1) {
			seen[string(m[1])] = true
		}
		if mpyInitRe().Match(src) {
			hasInit = true
		}
	}
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, hasInit
}

// stripComments blanks C comments, keeping line breaks.
func stripComments(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if i < len(src) {
				out = append(out, '\n')
			}
		case src[i] == '/' && i+1 < len(src) && src[i+1] == '*':
			i += 2
			for i+1 < len(src) && !(src[i] == '*' && src[i+1] == '/') {
				if src[i] == '\n' {
					out = append(out, '\n')
				}
				i++
			}
			i++
		default:
			out = append(out, src[i])
		}
	}
	return out
}

// ExtraSources are texts whose qstrs the config header must hold besides
// the module's: the prelude and the init.
func ExtraSources() [][]byte { return [][]byte{prelude, []byte(initTemplate), builtinQstrs()} }

// placeholderBase is the first placeholder: native qstr N is 0x4000+N in
// one compile and its complement in the other, so every bit differs.
const placeholderBase = 0x4000

// ConfigHeader turns the natmod config header base into this style's: a
// native qstr stays a read of mp_native_qstr_table in code and becomes a
// placeholder in static data, and every qstr x gets the symbol
// MPYLDQ_MP_QSTR_x that MP_ROM_QSTR points to in data.
//
// With objQstrs (v1.20, whose MP_OBJ_NEW_QSTR pastes its argument into the
// name of an object-table entry), the init reads qstr objects from
// mp_native_obj_table: the sources scanned must then name each qstr as
// MP_OBJ_NEW_QSTR(MP_QSTR_x) (ObjQstrSource).
func ConfigHeader(base []byte, objQstrs bool, sources ...[]byte) []byte {
	out := nativeRe().ReplaceAllFunc(base, func(line []byte) []byte {
		m := nativeRe().FindSubmatch(line)
		n, _ := strconv.Atoi(string(m[2]))
		return fmt.Appendf(nil, "#define MP_QSTR_%s ((qstr)(MPYLD_IN_CODE ? mp_native_qstr_table[%d] : (%s ^ (%#x & %s))))", m[1], n, QX, placeholderBase+n, QMask)
	})
	var b bytes.Buffer
	b.Write(out)
	fmt.Fprintf(&b, "#ifndef %s\n#define %s 0\n#endif\n", QX, QX)
	fmt.Fprintf(&b, "#ifndef %s\n#define %s 0xffff\n#endif\n", QMask, QMask)
	if objQstrs {
		b.WriteString("#define MPYLD_OBJ_QSTRS 1\n")
	}
	b.WriteString("__attribute__((unused)) static const int mpyld_code_marker[1] = {1};\n")
	for _, n := range qstrNames(sources...) {
		fmt.Fprintf(&b, "extern const char MPYLDQ_%s;\n", n)
	}
	return b.Bytes()
}

// ObjQstrSource is a text that names every qstr of the sources as
// MP_OBJ_NEW_QSTR(MP_QSTR_x), for the object-table scan of v1.20.
func ObjQstrSource(sources ...[]byte) []byte {
	var b bytes.Buffer
	for _, n := range qstrNames(sources...) {
		fmt.Fprintf(&b, "MP_OBJ_NEW_QSTR(%s)\n", n)
	}
	return b.Bytes()
}

func qstrNames(sources ...[]byte) []string {
	seen := map[string]bool{}
	for _, s := range sources {
		for _, m := range qstrRe().FindAll(s, -1) {
			seen[string(m)] = true
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Qstrs reads a config header made by ConfigHeader: the value a slot
// holds for each qstr (linker.SlotStatic|id for a static qstr, the index in
// mp_native_qstr_table for a native one, linker.SlotObjTable|index for a
// qstr object of v1.20's object table), by MPYLDQ_ symbol name, and the
// native qstrs by placeholder index.
func Qstrs(header []byte) (bySymbol map[string]uint32, native map[int]string) {
	bySymbol, native = map[string]uint32{}, map[int]string{}
	for _, m := range staticRe().FindAllSubmatch(header, -1) {
		id, _ := strconv.Atoi(string(m[2]))
		bySymbol["MPYLDQ_MP_QSTR_"+string(m[1])] = linker.SlotStatic | uint32(id)
	}
	for _, m := range append(nativeRe().FindAllSubmatch(header, -1), rewrittenRe().FindAllSubmatch(header, -1)...) {
		n, _ := strconv.Atoi(string(m[2]))
		bySymbol["MPYLDQ_MP_QSTR_"+string(m[1])] = uint32(n)
		native[n] = string(m[1])
	}
	// v1.20: qstr objects come from the object table.
	for _, m := range objTableRe().FindAllSubmatch(header, -1) {
		n, _ := strconv.Atoi(string(m[2]))
		bySymbol["MPYLDQ_MP_QSTR_"+string(m[1])] = linker.SlotObjTable | uint32(n)
	}
	return bySymbol, native
}

// object is a runtime object constant data may point to that mp_fun_table
// does not hold: the init computes its address.
type object struct {
	name string
	// expr is the C expression in mpy_init; fallback, the one used when
	// py/dynruntime.h has no macro for it.
	expr, fallback string
	// macro, when set, is the macro the expression needs, else the init
	// looks up builtin, else the build fails (#error).
	macro string
}

// builtinTypes are the built-in types and exceptions (mp_type_<name>)
// that static data may point to; the init finds them through
// py/dynruntime.h's macro where it has one, else in builtins by name.
// (mp_type_type, str, list, dict and, from v1.23, Exception, come from
// mp_fun_table through the loader.)
var builtinTypes = []string{
	"tuple", "int", "bytes", "bytearray", "bool", "float", "complex", "set", "frozenset", "range", "memoryview",
	"object", "staticmethod", "classmethod", "property", "enumerate", "zip", "map", "filter", "reversed", "slice",
	"BaseException", "Exception", "ArithmeticError", "AssertionError", "AttributeError", "EOFError",
	"GeneratorExit", "ImportError", "IndexError", "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError",
	"NameError", "NotImplementedError", "OSError", "OverflowError", "RuntimeError", "StopIteration",
	"SyntaxError", "SystemExit", "TypeError", "UnicodeError", "ValueError", "ZeroDivisionError",
}

// objects are the runtime objects the init can provide, in index order
// (made on first use, not at every mpyld start).
var objects = sync.OnceValue(func() []object {
	out := []object{
		{name: "mp_type_module", expr: "self->context->module.base.type"},
		exceptionSlot("make_new"), exceptionSlot("print"), exceptionSlot("attr"),
		// MP_ROM_NONE, MP_ROM_TRUE, MP_ROM_FALSE and the empty tuple.
		{name: "mp_const_none_obj", expr: "MP_OBJ_TO_PTR(mp_const_none)"},
		{name: "mp_const_true_obj", expr: "MP_OBJ_TO_PTR(mp_const_true)"},
		{name: "mp_const_false_obj", expr: "MP_OBJ_TO_PTR(mp_const_false)"},
		{name: "mp_const_empty_tuple_obj", expr: "MP_OBJ_TO_PTR(mp_const_empty_tuple)"},
	}
	for _, b := range builtinTypes {
		out = append(out, object{name: "mp_type_" + b, expr: "&mp_type_" + b, macro: "mp_type_" + b,
			fallback: "MP_OBJ_TO_PTR(mp_load_global(MP_QSTR_" + b + "))"})
	}
	return out
})

// exceptionSlot is mp_obj_exception_<slot> (MP_DEFINE_EXCEPTION), a slot
// of mp_type_Exception, which before v1.23 the init looks up by name.
func exceptionSlot(slot string) object {
	return object{name: "mp_obj_exception_" + slot, expr: "mp_obj_exception_" + slot, macro: "mp_obj_exception_" + slot,
		fallback: "MP_OBJ_TYPE_GET_SLOT((const mp_obj_type_t *)MP_OBJ_TO_PTR(mp_load_global(MP_QSTR_Exception)), " + slot + ")"}
}

// builtinQstrs names the qstrs the init may look up, for the qstr scan.
func builtinQstrs() []byte {
	var b bytes.Buffer
	for _, n := range builtinTypes {
		fmt.Fprintf(&b, "MP_QSTR_%s\n", n)
	}
	return b.Bytes()
}

// Objects maps the runtime objects the init provides to their index.
func Objects() map[string]uint32 {
	m := map[string]uint32{}
	for i, o := range objects() {
		m[o.name] = uint32(i)
	}
	return m
}

// InitSource returns the generated mpy_init of the module registered as
// name, for a table of nslots slots, providing the runtime objects used.
func InitSource(name string, nslots int, used []string) []byte {
	want := map[string]bool{}
	for _, u := range used {
		want[u] = true
	}
	var cases strings.Builder
	for i, o := range objects() {
		if !want[o.name] {
			continue
		}
		fmt.Fprintf(&cases, "    if (index == %d) {\n", i)
		switch {
		case o.macro != "" && o.fallback != "":
			fmt.Fprintf(&cases, "        #ifdef %s\n        return %s;\n        #else\n        return %s;\n        #endif\n", o.macro, o.expr, o.fallback)
		case o.macro != "":
			fmt.Fprintf(&cases, "        #ifndef %s\n        #error \"%s is not available to native modules of this MicroPython\"\n        #endif\n        return %s;\n", o.macro, o.name, o.expr)
		default:
			fmt.Fprintf(&cases, "        return %s;\n", o.expr)
		}
		cases.WriteString("    }\n")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#define MPYLD_MODULE mpyld_module_MP_QSTR_%s\n", name)
	fmt.Fprintf(&b, "#define MPYLD_TABLE_WORDS %d\n", 2*nslots+2)
	b.WriteString(strings.Replace(initTemplate, "MPYLD_OBJECT_CASES\n", cases.String(), 1))
	return []byte(b.String())
}
