// Package support holds mpyld's support layer: C that is compiled with a
// module written for firmware, defining the runtime functions such modules
// call that a native module cannot reach through mp_fun_table.
//
// Besides the firmware's names (printf, malloc, qstr_str, mp_getiter,
// mp_hal_ticks_ms, ...), the layer's header declares what generated code
// may call: mpyld_builtin(qstr) and mpyld_type(qstr), the object or type
// of that name in builtins (also module and NoneType), looked up when
// called and not shadowed by the caller's globals, for runtime objects
// that mp_fun_table lacks (mp_type_OSError is mpyld_type(MP_QSTR_OSError));
// mpyld_obj_new_qstr and MP_OBJ_QSTR_VALUE, qstr objects in the runtime's
// own encoding; mpyld_heap_keep and mpyld_heap_release, the table that
// keeps malloc's blocks alive. With -DMPYLD_SUPPORT_TYPE_MACROS=1 code may
// name the built-in types py/dynruntime.h does not define.
package support

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"sync"
)

//go:embed c
var csrc embed.FS

// File is one C source or header of the layer.
type File struct {
	Name string // base name: mpyld_print.c, mpyld_support.h
	Data []byte
}

// Header is the layer's header, to be included after py/dynruntime.h (a
// forced include may name it); the sources include it themselves.
const Header = "mpyld_support.h"

// Files returns the layer's sources and headers, sorted by name: write them
// into one folder on the include path (mphalport.h is the header
// py/mphal.h includes) and compile every .c file like the module's own
// sources, against the module's MicroPython tree, whose version the C
// tests itself (MICROPY_VERSION_MAJOR/MINOR): the same files serve every
// profile. Give the .c files to the qstr scan too: they name qstrs.
func Files() []File {
	var out []File
	entries, err := fs.ReadDir(csrc, "c")
	if err != nil {
		panic(err) // embedded at build time
	}
	for _, e := range entries {
		data, err := csrc.ReadFile(path.Join("c", e.Name()))
		if err != nil {
			panic(err)
		}
		out = append(out, File{Name: e.Name(), Data: data})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// provides lists what each source defines. A function whose name the
// tree's headers make a macro (an error-reporting level that turns
// mp_raise_msg_varg into mp_raise_type, say) is left out by the C itself.
var provides = sync.OnceValue(func() map[string][]string {
	return map[string][]string{
		"mpyld_arg.c": {"mp_arg_parse_all", "mp_arg_parse_all_kw_array"},
		"mpyld_exc.c": {"mpyld_builtin", "mp_obj_new_exception_args", "mp_obj_new_exception_msg",
			"mp_obj_new_exception_msg_vlist", "mp_obj_new_exception_msg_varg", "mp_raise_msg_varg",
			"mp_raise_type", "mp_raise_StopIteration"},
		"mpyld_hal.c": {"mp_hal_ticks_ms", "mp_hal_ticks_us", "mp_hal_ticks_cpu", "mp_hal_delay_ms",
			"mp_hal_delay_us", "mp_virtual_pin_read", "mp_virtual_pin_write"},
		"mpyld_iter.c":   {"mp_getiter", "mp_iternext"},
		"mpyld_malloc.c": {"malloc", "calloc", "realloc", "free", "mpyld_heap_keep", "mpyld_heap_release"},
		"mpyld_obj.c": {"mp_call_function_0", "mp_call_function_1", "mp_call_function_2",
			"mp_call_method_n_kw", "mp_obj_get_type_str", "mp_obj_print_helper", "mp_obj_print",
			"mp_obj_equal", "mp_obj_get_array_fixed_n", "mp_sched_schedule", "mp_obj_new_bytearray",
			"mp_obj_new_int_from_ull", "mp_obj_new_int_from_ll", "mp_obj_is_callable", "mp_obj_str_get_qstr",
			"mpyld_obj_is_float"},
		"mpyld_print.c": {"printf", "vprintf", "puts", "putchar", "sprintf", "snprintf", "vsprintf",
			"vsnprintf", "mp_hal_stdout_tx_str", "mp_hal_stdout_tx_strn", "mp_hal_stdout_tx_strn_cooked"},
		"mpyld_qstr.c": {"mpyld_obj_new_qstr", "mpyld_obj_qstr_value", "qstr_data", "qstr_str", "qstr_len",
			"qstr_from_str", "qstr_from_strn"},
		"mpyld_stdio.c":  {"stdout", "stderr", "fputc", "fputs"},
		"mpyld_string.c": {"strlen", "strcmp", "strncmp", "strcpy", "strchr", "memcmp"},
	}
})

// Provides returns every symbol the layer defines, sorted.
func Provides() []string {
	var out []string
	for _, syms := range provides() {
		out = append(out, syms...)
	}
	sort.Strings(out)
	return out
}

// Defines returns the symbols that the source name defines.
func Defines(name string) []string { return append([]string(nil), provides()[name]...) }
