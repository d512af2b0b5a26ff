package linker

import (
	"strings"
	"testing"
)

// TestParseConfig: the native qstrs read back are those of the lines that
// mpy_ld.py's pattern ^#define MP_QSTR_([A-Za-z0-9_]*) \(mp_native_ matches,
// in order; v1.20's object-table lines are read as objects.
func TestParseConfig(t *testing.T) {
	header := strings.Join([]string{
		"#define MP_QSTR_add (mp_native_qstr_table[1])",
		"#define MP_QSTR_ (mp_native_qstr_table[2])",
		"#define MP_QSTR___init__ (1)",
		"#define MP_QSTR_a-b (mp_native_qstr_table[3])",
		" #define MP_QSTR_indented (mp_native_qstr_table[4])",
		"#define MP_QSTR_Z9_z (mp_native_qstr_table[5])",
		"#define MP_QSTR_two  (mp_native_qstr_table[6])",
		"#define MP_QSTR_tab\t(mp_native_qstr_table[7])",
		"#define MP_QSTR_last (mp_native_",
		"#define MP_OBJ_NEW_QSTR_MP_QSTR_hi ((mp_obj_t)mp_native_obj_table[0])",
	}, "\n")
	q := ParseConfig([]byte(header))
	if got := strings.Join(q.Vals, ","); got != "add,,Z9_z,last" {
		t.Errorf("qstrs %q, want add, the empty one, Z9_z, last", q.Vals)
	}
	if strings.Join(q.Objs, ",") != "hi" {
		t.Errorf("objects %q, want hi", q.Objs)
	}
}
