// Written by mpyld build: included before every source of a module written
// in MicroPython's core/user C module style (-include), so that the source
// builds unchanged into a native module. The same source still builds into
// firmware, where this file is not used.
//
// In code, MPYLD_IN_CODE is 1 (GCC folds the read of a constant array), so
// each name below keeps its native-module meaning. In the initialiser of
// static data GCC evaluates it to 0 and the name becomes a constant: an
// address of a symbol that mpyld's linker turns into a slot patched by the
// generated mpy_init, or for a bare qstr a placeholder that mpyld locates by
// compiling twice with placeholders that differ in every bit.

#include "py/dynruntime.h"
#if defined(__has_include) && __has_include("mpyld_support.h")
#include "mpyld_support.h"
#endif

#ifndef STATIC
#define STATIC static
#endif

#define MPYLD_IN_CODE (__builtin_constant_p(mpyld_code_marker[0]))

// MP_ROM_QSTR(MP_QSTR_x), meant for constant tables, is the address of
// MPYLDQ_MP_QSTR_x, which the linker turns into a slot the init fills with
// the qstr object (in code, where nothing can be filled, it is refused).
#undef MP_ROM_QSTR
#define MP_ROM_QSTR(q) MP_ROM_PTR((const void *)&MPYLDQ_##q)

// Runtime objects that dynruntime.h reaches through code: in static data,
// the object's own symbol (resolved through mp_fun_table by the loader, or
// patched by the init).
#define MPYLD_OBJ(name, code) (*(MPYLD_IN_CODE ? (code) : &name))
#ifdef mp_type_type
#undef mp_type_type
#define mp_type_type MPYLD_OBJ(mp_type_type, mp_fun_table.type_type)
#endif
#ifdef mp_type_str
#undef mp_type_str
#define mp_type_str MPYLD_OBJ(mp_type_str, mp_fun_table.type_str)
#endif
#ifdef mp_type_list
#undef mp_type_list
#define mp_type_list MPYLD_OBJ(mp_type_list, mp_fun_table.type_list)
#endif
#ifdef mp_type_Exception
#undef mp_type_Exception
#define mp_type_Exception MPYLD_OBJ(mp_type_Exception, mp_fun_table.type_Exception)
#endif
#define MPYLD_GLOBAL_TYPE(name, q) MPYLD_OBJ(name, (const mp_obj_type_t *)mp_load_global(q))
#ifdef mp_type_int
#undef mp_type_int
#define mp_type_int MPYLD_GLOBAL_TYPE(mp_type_int, MP_QSTR_int)
#endif
#ifdef mp_type_bytes
#undef mp_type_bytes
#define mp_type_bytes MPYLD_GLOBAL_TYPE(mp_type_bytes, MP_QSTR_bytes)
#endif
#ifdef mp_type_bytearray
#undef mp_type_bytearray
#define mp_type_bytearray MPYLD_GLOBAL_TYPE(mp_type_bytearray, MP_QSTR_bytearray)
#endif
#ifdef mp_type_EOFError
#undef mp_type_EOFError
#define mp_type_EOFError MPYLD_GLOBAL_TYPE(mp_type_EOFError, MP_QSTR_EOFError)
#endif
#ifdef mp_type_IndexError
#undef mp_type_IndexError
#define mp_type_IndexError MPYLD_GLOBAL_TYPE(mp_type_IndexError, MP_QSTR_IndexError)
#endif
#ifdef mp_type_KeyError
#undef mp_type_KeyError
#define mp_type_KeyError MPYLD_GLOBAL_TYPE(mp_type_KeyError, MP_QSTR_KeyError)
#endif
#ifdef mp_type_NotImplementedError
#undef mp_type_NotImplementedError
#define mp_type_NotImplementedError MPYLD_GLOBAL_TYPE(mp_type_NotImplementedError, MP_QSTR_NotImplementedError)
#endif
#ifdef mp_type_RuntimeError
#undef mp_type_RuntimeError
#define mp_type_RuntimeError MPYLD_GLOBAL_TYPE(mp_type_RuntimeError, MP_QSTR_RuntimeError)
#endif
#ifdef mp_type_TypeError
#undef mp_type_TypeError
#define mp_type_TypeError MPYLD_GLOBAL_TYPE(mp_type_TypeError, MP_QSTR_TypeError)
#endif
#ifdef mp_type_ValueError
#undef mp_type_ValueError
#define mp_type_ValueError MPYLD_GLOBAL_TYPE(mp_type_ValueError, MP_QSTR_ValueError)
#endif
#ifdef mp_type_tuple
#undef mp_type_tuple
#define mp_type_tuple MPYLD_OBJ(mp_type_tuple, ((mp_obj_base_t *)mp_fun_table.new_tuple(0, NULL))->type)
#endif

// The exception type's handlers (MP_DEFINE_EXCEPTION), which dynruntime.h
// reads out of mp_type_Exception: in static data, slots the init fills.
#define MPYLD_EXC_SLOT(name, slot) (MPYLD_IN_CODE ? MP_OBJ_TYPE_GET_SLOT(&mp_type_Exception, slot) : name)
#ifdef mp_obj_exception_make_new
#undef mp_obj_exception_make_new
#define mp_obj_exception_make_new MPYLD_EXC_SLOT(mp_obj_exception_make_new, make_new)
#endif
#ifdef mp_obj_exception_print
#undef mp_obj_exception_print
#define mp_obj_exception_print MPYLD_EXC_SLOT(mp_obj_exception_print, print)
#endif
#ifdef mp_obj_exception_attr
#undef mp_obj_exception_attr
#define mp_obj_exception_attr MPYLD_EXC_SLOT(mp_obj_exception_attr, attr)
#endif

// Raising does not return, as in firmware (py/dynruntime.h's forms do not
// say so, and a function that ends in a raise would not compile).
#undef mp_raise_msg
#define mp_raise_msg(type, msg) (mp_fun_table.raise_msg((type), (msg)), __builtin_unreachable())
#undef mp_raise_OSError
#define mp_raise_OSError(er) (mp_raise_OSError_dyn(er), __builtin_unreachable())

// A root pointer is a global variable of the module (in its bss block),
// and MP_STATE_VM/MP_STATE_PORT of it name that variable.
#undef MP_REGISTER_ROOT_POINTER
#define MP_REGISTER_ROOT_POINTER(variable_declaration) variable_declaration
#undef MP_STATE_VM
#define MP_STATE_VM(x) (x)
#undef MP_STATE_PORT
#define MP_STATE_PORT(x) (x)

// MP_REGISTER_MODULE (undefined under NO_QSTR) leaves a pointer to the
// module object under a name the builder and the generated init find. The
// older form has a third argument (the enabling macro).
#undef MP_REGISTER_MODULE
#define MP_REGISTER_MODULE(module_name, obj_module, ...) \
    extern const mp_obj_module_t obj_module; \
    const mp_obj_module_t *const mpyld_module_##module_name = &obj_module
#undef MP_REGISTER_EXTENSIBLE_MODULE
#define MP_REGISTER_EXTENSIBLE_MODULE(module_name, obj_module) MP_REGISTER_MODULE(module_name, obj_module)
