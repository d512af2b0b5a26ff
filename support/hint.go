// This file implements Hint: why a function that a module calls is still
// missing after the support layer, from the version profiles' mp_fun_table
// slots (mpy.FunTable) and what each version's py/dynruntime.h defines.

package support

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/mpyld/mpyld/linker"
	"github.com/mpyld/mpyld/mpy"
)

// dynruntime lists the macros of py/dynruntime.h (API names) and the
// profiles whose trees define them: v1.20.0, v1.22.2, v1.28.0 and the
// development branch, checked against a tree by TestDynruntimeMacros.
var dynruntime = sync.OnceValue(func() map[string][]string {
	return map[string][]string{
		"MP_OBJ_NEW_QSTR":                   {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"m_free":                            {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"m_malloc":                          {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"m_malloc_fail":                     {"v1.23-v1.28", "dev"},
		"m_realloc":                         {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"m_realloc_maybe":                   {"v1.23-v1.28", "dev"},
		"mp_arg_check_num":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_arg_parse_all":                  {"v1.23-v1.28", "dev"},
		"mp_arg_parse_all_kw_array":         {"v1.23-v1.28", "dev"},
		"mp_binary_get_size":                {"v1.23-v1.28", "dev"},
		"mp_binary_get_val_array":           {"v1.23-v1.28", "dev"},
		"mp_binary_op":                      {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_binary_set_val_array":           {"v1.23-v1.28", "dev"},
		"mp_call_function_n_kw":             {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_const_empty_bytes":              {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_const_empty_tuple":              {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_const_false":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_const_none":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_const_true":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_get_buffer":                     {"v1.22", "v1.23-v1.28", "dev"},
		"mp_get_buffer_raise":               {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_get_stream_raise":               {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_import_all":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_import_from":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_import_name":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_load_attr":                      {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_load_global":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_load_method":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_load_method_maybe":              {"v1.23-v1.28", "dev"},
		"mp_load_name":                      {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_load_super_method":              {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_make_function_from_proto_fun":   {"v1.23-v1.28", "dev"},
		"mp_make_function_from_raw_code":    {"v1.20-v1.21", "v1.22"},
		"mp_obj_cast_to_native_base":        {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_dict_store":                 {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_exception_attr":             {"v1.23-v1.28", "dev"},
		"mp_obj_exception_make_new":         {"v1.23-v1.28", "dev"},
		"mp_obj_exception_print":            {"v1.23-v1.28", "dev"},
		"mp_obj_get_array":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_get_float":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_get_float_to_d":             {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_get_float_to_f":             {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_get_int":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_get_int_truncated":          {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_get_type":                   {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_is_true":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_len":                        {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_list_append":                {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_malloc_helper":              {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_bool":                   {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_bytearray_by_ref":       {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_bytes":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_dict":                   {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_exception":              {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_exception_arg1":         {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_float":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_float_from_d":           {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_float_from_f":           {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_int":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_int_from_uint":          {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_list":                   {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_str":                    {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_str_of_type":            {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_new_tuple":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_str_get_data":               {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_str_get_str":                {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_obj_subscr":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_plat_print":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_printf":                         {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_raise_NotImplementedError":      {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_raise_OSError":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_raise_TypeError":                {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_raise_ValueError":               {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_raise_msg":                      {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_raise_type_arg":                 {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_store_attr":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_store_global":                   {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_store_name":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_stream_read_obj":                {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_stream_readinto_obj":            {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_stream_unbuffered_readline_obj": {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_stream_write_obj":               {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_EOFError":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_Exception":                 {"v1.23-v1.28", "dev"},
		"mp_type_IndexError":                {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_KeyError":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_NoneType":                  {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_NotImplementedError":       {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_RuntimeError":              {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_TypeError":                 {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_ValueError":                {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_bool":                      {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_bytearray":                 {"v1.23-v1.28", "dev"},
		"mp_type_bytes":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_int":                       {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_list":                      {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_str":                       {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_tuple":                     {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_type_type":                      {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_unary_op":                       {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"mp_vprintf":                        {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
		"nlr_raise":                         {"v1.20-v1.21", "v1.22", "v1.23-v1.28", "dev"},
	}
})

// unreachable names functions that a native module cannot have, with what
// to do instead.
var unreachable = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"nlr_push":                 "mp_fun_table carries nlr_push only for the native emitter: it must run in the frame it protects, and the firmware's nlr_buf_t may differ (setjmp NLR, pystack); no version exports a handler C code can install",
		"nlr_pop":                  "no version exports exception handlers to C native modules (see nlr_push)",
		"nlr_jump":                 "raise with nlr_raise or mp_raise_msg, which py/dynruntime.h maps",
		"mp_hal_stdin_rx_chr":      "no version exports console input to native modules; read sys.stdin through mp_load_attr and a call",
		"mp_hal_time_ns":           "no version exports it; call time.time_ns through mp_import_name, mp_load_attr and a call",
		"mp_map_lookup":            "no version exports it; look the key up with mp_obj_subscr, or walk the map's table",
		"mp_obj_new_str_from_vstr": "no version exports vstr to native modules; format with snprintf (support layer) and mp_obj_new_str",
		"mp_obj_new_exception":     "py/dynruntime.h defines it as a macro (the type, raised as it is): call it by name",
		"mp_obj_new_int_from_ll":   "no version exports it; build the int with mp_binary_op from two mp_obj_new_int_from_uint halves",
		"mp_obj_new_int_from_ull":  "no version exports it; build the int with mp_binary_op from two mp_obj_new_int_from_uint halves",
		"mp_obj_get_float":         "py/dynruntime.h defines it only when MICROPY_FLOAT_IMPL is float or double: build with --float",
		"mp_obj_new_float":         "py/dynruntime.h defines it only when MICROPY_FLOAT_IMPL is float or double: build with --float",
		"mp_handle_pending":        "no version exports it to native modules",
		"gc_collect":               "no version exports it; call gc.collect through mp_import_name, mp_load_attr and a call",
	}
})

// slotOf finds the mp_fun_table slot that carries the C function or object
// sym (mp_load_method_maybe is load_method_maybe, m_realloc realloc_), or "".
func slotOf(sym string) string {
	cands := []string{sym, strings.TrimPrefix(sym, "mp_"), strings.TrimPrefix(sym, "m_") + "_"}
	if strings.HasPrefix(sym, "mp_") {
		cands = append(cands, strings.TrimPrefix(sym, "mp_")+"_")
	}
	for _, sub := range []int{1, 2, 3} {
		for _, slot := range mpy.FunTable(sub) {
			for _, c := range cands {
				if slot == c {
					return slot
				}
			}
		}
	}
	return ""
}

// slotSince is the first profile whose mp_fun_table holds slot, or nil.
func slotSince(slot string) *linker.Profile {
	for _, p := range linker.Profiles {
		for _, s := range mpy.FunTable(p.SubVersion) {
			if s == slot {
				return p
			}
		}
	}
	return nil
}

func profileSpan(names []string) string {
	if len(names) == len(linker.Profiles) {
		return "every version, v1.20 to dev,"
	}
	return "MicroPython " + strings.Join(names, ", ")
}

// Hint says why symbol, which a module calls or names, is still undefined
// after the support layer, and what to do: where mp_fun_table carries it
// and from which MicroPython version, or that no version exports it. It
// returns "" when it has nothing to add: for a symbol the layer defines, and
// for the compiler's and C library's own names (__aeabi_uidiv, __udivsi3),
// which the linker's message covers (libgcc, LINK_RUNTIME).
func Hint(symbol string) string {
	if strings.HasPrefix(symbol, "__") {
		return ""
	}
	if i := sort.SearchStrings(Provides(), symbol); i < len(Provides()) && Provides()[i] == symbol {
		return ""
	}
	if h, ok := unreachable()[symbol]; ok {
		return h
	}
	slot := slotOf(symbol)
	if names, ok := dynruntime()[symbol]; ok {
		msg := fmt.Sprintf("py/dynruntime.h makes %s a macro in %s", symbol, profileSpan(names))
		if p := slotSince(slot); p != nil && slot != "" {
			msg += fmt.Sprintf(" (mp_fun_table.%s, there from MicroPython %s, .mpy %s)", strings.TrimPrefix(slot, "mp_"), p.First, p.ABI())
		}
		if len(names) == len(linker.Profiles) {
			return msg + ": call it by name; its address cannot be taken and it must not be #undef'd"
		}
		return msg + ": build against such a tree"
	}
	if p := slotSince(slot); p != nil {
		if strings.HasPrefix(slot, "mp_") {
			return fmt.Sprintf("mp_fun_table carries %s from MicroPython %s (.mpy %s): build against that version or later", symbol, p.First, p.ABI())
		}
		return fmt.Sprintf("mp_fun_table carries it (%s) from MicroPython %s (.mpy %s), but py/dynruntime.h gives C no name for it", slot, p.First, p.ABI())
	}
	if name, ok := strings.CutPrefix(symbol, "mp_type_"); ok {
		return fmt.Sprintf("no mp_fun_table carries %s; in code, name it mpyld_type(MP_QSTR_%s) (or build with -DMPYLD_SUPPORT_TYPE_MACROS=1), which looks it up in builtins when it runs", symbol, name)
	}
	return "no MicroPython version (v1.20 to dev) exports it to native modules, and mpyld's support layer does not define it"
}
