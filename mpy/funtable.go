// This file implements the names of mp_fun_table's slots in each native ABI
// (.mpy sub-version), from py/nativeglue.h of v1.20, v1.22 and v1.23 to v1.28.

package mpy

// funTable63 names the slots of mp_fun_table in .mpy 6.3 (v1.23 and later).
var funTable63 = []string{
	"const_none", "const_false", "const_true", "native_from_obj", "native_to_obj", "swap_globals",
	"load_name", "load_global", "load_build_class", "load_attr", "load_method", "load_super_method",
	"store_name", "store_global", "store_attr", "obj_subscr", "obj_is_true", "unary_op", "binary_op",
	"new_tuple", "new_list", "new_dict", "new_set", "set_store", "list_append", "dict_store",
	"make_function_from_proto_fun", "call_function_n_kw", "call_method_n_kw", "call_method_n_kw_var",
	"getiter", "iternext", "nlr_push", "nlr_pop", "raise", "import_name", "import_from", "import_all",
	"new_slice", "unpack_sequence", "unpack_ex", "delete_name", "delete_global", "new_closure",
	"arg_check_num_sig", "setup_code_state_native", "small_int_floor_divide", "small_int_modulo",
	"yield_from", "setjmp_", "memset_", "memmove_", "realloc_", "printf_", "vprintf_", "raise_msg",
	"obj_get_type", "obj_new_str", "obj_new_bytes", "obj_new_bytearray_by_ref", "obj_new_float_from_f",
	"obj_new_float_from_d", "obj_get_float_to_f", "obj_get_float_to_d", "load_method_maybe", "get_buffer",
	"get_stream_raise", "arg_parse_all", "arg_parse_all_kw_array", "binary_get_size",
	"binary_get_val_array", "binary_set_val_array", "plat_print",
	"mp_type_type", "mp_type_str", "mp_type_list", "mp_type_dict", "mp_type_fun_builtin_0",
	"mp_type_fun_builtin_1", "mp_type_fun_builtin_2", "mp_type_fun_builtin_3", "mp_type_fun_builtin_var",
	"mp_type_Exception", "mp_stream_read_obj", "mp_stream_readinto_obj",
	"mp_stream_unbuffered_readline_obj", "mp_stream_write_obj",
}

// funTable6x builds the 80-slot table of .mpy 6.1 and 6.2 (v1.20 to v1.22):
// slots 0-63 as in 6.3 but for slot 26, then slot 64 (get_buffer_raise,
// which v1.22 turned into get_buffer), and the runtime objects from 67.
func funTable6x(slot64 string) []string {
	t := append([]string(nil), funTable63[:64]...)
	t[26] = "make_function_from_raw_code"
	t = append(t, slot64, "get_stream_raise", "plat_print")
	for _, n := range funTable63[73:] {
		if n != "mp_type_Exception" {
			t = append(t, n)
		}
	}
	return t
}

var (
	funTable61 = funTable6x("get_buffer_raise")
	funTable62 = funTable6x("get_buffer")
)

// FunTable returns the names of mp_fun_table's slots in .mpy sub-version
// sub (1, 2 or 3), or nil for another sub-version. Runtime objects keep
// their C names (mp_type_type); functions are named as the struct members.
func FunTable(sub int) []string {
	switch sub {
	case 1:
		return funTable61
	case 2:
		return funTable62
	case 3:
		return funTable63
	}
	return nil
}

// RuntimeObjectBase is the first slot holding a runtime object
// (mp_type_type) in sub-version sub: 67 in 6.1 and 6.2, 73 in 6.3.
func RuntimeObjectBase(sub int) int {
	if sub < 3 {
		return 67
	}
	return 73
}

// Releases says which MicroPython releases load a file of this version,
// sub-version, arch and arch flags.
func Releases(version, sub int, arch Arch, flags uint64) string {
	if version != Version {
		return "none of v1.19 and later (they read .mpy version 6)"
	}
	if arch == ArchNone {
		return "v1.19 and later (bytecode only)"
	}
	first := map[int]string{0: "v1.19", 1: "v1.20 to v1.21", 2: "v1.22", 3: "v1.23 and later"}[sub]
	switch {
	case sub == 3 && arch == ArchRV64IMC:
		first = "v1.28 and later"
	case sub == 3 && arch == ArchRV32IMC:
		first = "v1.24 and later (firmware with the RV32 emitter)"
	case sub < 3 && (arch == ArchRV32IMC || arch == ArchRV64IMC):
		return "none (no release of that sub-version runs RISC-V native code)"
	}
	if flags != 0 {
		if sub != 3 {
			return "none (arch flags need sub-version 3)"
		}
		return "v1.27 and later, on rv32imc firmware whose enabled extensions cover the flags"
	}
	if first == "" {
		return "none (unknown sub-version)"
	}
	return first
}
