// Written by mpyld build: the mpy_init of a module written in MicroPython's
// core/user C module style. It fills the slots of the module's constant data
// that only exist at load time (the table is written by mpyld's linker),
// makes the module's globals table the module's globals and calls __init__
// if the table has one, as the firmware's import does.
//
// Before this text mpyld defines MPYLD_MODULE (the registration pointer of
// the module) and MPYLD_TABLE_WORDS (the table's size), and replaces the
// line MPYLD_OBJECT_CASES with a case for each runtime object the data
// points to.

int32_t mpyld_slot_table[MPYLD_TABLE_WORDS] = {1};

extern const mp_obj_module_t *const MPYLD_MODULE;

static const void *mpyld_object(uint32_t index, mp_obj_fun_bc_t *self) {
    // if, not switch: a switch table would need libgcc on armv6m.
MPYLD_OBJECT_CASES
    (void)index;
    (void)self;
    return NULL;
}

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY

    const int32_t *e = mpyld_slot_table;
    for (; e[1] != 0; e += 2) {
        char *slot = (char *)mpyld_slot_table + e[0];
        uint32_t kind = (uint32_t)e[1] >> 24;
        uint32_t value = (uint32_t)e[1] & 0xffffff;
        qstr q = (value & 0x800000) ? (value & 0x7fffff) : mp_native_qstr_table[value & 0x3fffff];
        if (kind == 1) {
            #if MPYLD_OBJ_QSTRS
            // v1.20: the loader made the qstr objects (object table).
            *(mp_obj_t *)slot = (mp_obj_t)mp_native_obj_table[value & 0x3fffff];
            #else
            *(mp_obj_t *)slot = MP_OBJ_NEW_QSTR(q);
            #endif
        } else if (kind == 2) {
            *(uint16_t *)slot = q;
        } else if (kind == 3) {
            *(size_t *)slot = q;
        } else if (kind == 4) {
            *(const void **)slot = mpyld_object(value, self);
        }
    }

    #if MPYLD_KEEP_BSS
    // This firmware does not keep a native module's block of rodata and
    // bss alive, where the module's constant data now is: a bytearray over
    // it, held by the module, does.
    mp_obj_dict_store(MP_OBJ_FROM_PTR(self->context->module.globals), MP_OBJ_NEW_QSTR(MP_QSTR__mpyld_bss),
        mp_obj_new_bytearray_by_ref(0, (char *)mpyld_slot_table + e[0]));
    #endif

    const mp_obj_module_t *module = MPYLD_MODULE;
    mp_map_t *map = &module->globals->map;
    mp_obj_t init = MP_OBJ_NULL;
    mp_obj_t init_name = MP_OBJ_NEW_QSTR(MP_QSTR___init__);
    for (size_t i = 0; i < map->alloc; i++) {
        if (!mp_map_slot_is_filled(map, i)) {
            continue;
        }
        if (map->table[i].key == init_name) {
            init = map->table[i].value;
        }
        mp_obj_dict_store(MP_OBJ_FROM_PTR(self->context->module.globals), map->table[i].key, map->table[i].value);
    }
    if (init != MP_OBJ_NULL) {
        mp_call_function_n_kw(init, 0, 0, NULL);
    }

    MP_DYNRUNTIME_INIT_EXIT
}
