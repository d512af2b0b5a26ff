// mpyld support layer: runtime functions that MicroPython's C modules call
// and that a native module cannot reach through mp_fun_table. The layer is
// compiled with the module, against the module's own MicroPython tree; this
// header comes after py/dynruntime.h (it includes it).
#ifndef MPYLD_INCLUDED_SUPPORT_H
#define MPYLD_INCLUDED_SUPPORT_H

#include "py/dynruntime.h"

#ifndef MP_NORETURN
#define MP_NORETURN NORETURN
#endif

// True for trees older than major.minor.
#define MPYLD_MP_BEFORE(major, minor) \
    (MICROPY_VERSION_MAJOR < (major) || (MICROPY_VERSION_MAJOR == (major) && MICROPY_VERSION_MINOR < (minor)))

/******************************************************************************/
// qstrs and qstr objects, through the runtime's own encoding

mp_obj_t mpyld_obj_new_qstr(qstr q);
qstr mpyld_obj_qstr_value(mp_obj_t o);

// py/dynruntime.h undefines MP_OBJ_QSTR_VALUE without a replacement.
#undef MP_OBJ_QSTR_VALUE
#define MP_OBJ_QSTR_VALUE(o) (mpyld_obj_qstr_value(o))

/******************************************************************************/
// Built-in objects by name

// The object called name in the builtins module (mp_type_ValueError is
// mpyld_builtin(MP_QSTR_ValueError)), or for the names module and NoneType
// the type of a module and of None. Raises AttributeError where the
// firmware lacks it. The macros below name static qstrs only: a module's
// qstr scan does not read this header.
mp_obj_t mpyld_builtin(qstr name);
#define mpyld_type(name) ((mp_obj_type_t *)MP_OBJ_TO_PTR(mpyld_builtin(name)))

// With MPYLD_SUPPORT_TYPE_MACROS, code that names a built-in type that
// py/dynruntime.h does not define looks it up by name when it runs, as
// py/dynruntime.h does for mp_type_ValueError. Such names can then not be
// used in static initialisers.
#if MPYLD_SUPPORT_TYPE_MACROS
#ifndef mp_type_Exception
#define mp_type_Exception (*mpyld_type(MP_QSTR_Exception))
#endif
#define mp_type_BaseException (*mpyld_type(MP_QSTR_BaseException))
#define mp_type_ArithmeticError (*mpyld_type(MP_QSTR_ArithmeticError))
#define mp_type_AssertionError (*mpyld_type(MP_QSTR_AssertionError))
#define mp_type_AttributeError (*mpyld_type(MP_QSTR_AttributeError))
#define mp_type_GeneratorExit (*mpyld_type(MP_QSTR_GeneratorExit))
#define mp_type_ImportError (*mpyld_type(MP_QSTR_ImportError))
#define mp_type_KeyboardInterrupt (*mpyld_type(MP_QSTR_KeyboardInterrupt))
#define mp_type_LookupError (*mpyld_type(MP_QSTR_LookupError))
#define mp_type_MemoryError (*mpyld_type(MP_QSTR_MemoryError))
#define mp_type_NameError (*mpyld_type(MP_QSTR_NameError))
#define mp_type_OSError (*mpyld_type(MP_QSTR_OSError))
#define mp_type_OverflowError (*mpyld_type(MP_QSTR_OverflowError))
#define mp_type_StopIteration (*mpyld_type(MP_QSTR_StopIteration))
#define mp_type_SystemExit (*mpyld_type(MP_QSTR_SystemExit))
#define mp_type_ZeroDivisionError (*mpyld_type(MP_QSTR_ZeroDivisionError))
#define mp_type_object (*mpyld_type(MP_QSTR_object))
#define mp_type_set (*mpyld_type(MP_QSTR_set))
#endif

/******************************************************************************/
// Objects

// obj.h's mp_obj_is_float names mp_type_float, which mp_fun_table lacks.
#if MICROPY_PY_BUILTINS_FLOAT && defined(mp_obj_is_float)
bool mpyld_obj_is_float(mp_const_obj_t o);
#undef mp_obj_is_float
#define mp_obj_is_float(o) (mpyld_obj_is_float(o))
#endif

/******************************************************************************/
// Memory

// Tracks a GC block in a table that the GC reaches (sys.modules), so that a
// block referenced only from C static memory stays alive; malloc does this.
bool mpyld_heap_keep(void *ptr);
// Takes ptr out of that table, if it is there.
void mpyld_heap_release(void *ptr);

#endif // MPYLD_INCLUDED_SUPPORT_H
